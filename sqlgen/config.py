"""Configuration: command-line option > environment variable > config file > default.

The config file is `sqlgen.toml` (keys at the top level) or the `[tool.sqlgen]`
table of `pyproject.toml`, whichever is found first searching up from the
current directory. Relative paths in a config file are relative to its folder.
"""

from __future__ import annotations

import os
import sys
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from . import dialects
from .errors import SqlgenError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

DEFAULTS = {
    "directory": "migrations",
    "version_table": "sqlgen_version",
}
KNOWN_KEYS = ("url", "models", "directory", "version_table", "templates", "verify", "verify_url",
              "precondition_sample", "exclude", "column_order")
ENVIRONMENT = {"url": "SQLGEN_URL", "models": "SQLGEN_MODELS", "directory": "SQLGEN_DIR",
               "verify_url": "SQLGEN_VERIFY_URL", "precondition_sample": "SQLGEN_PRECONDITION_SAMPLE",
               "exclude": "SQLGEN_EXCLUDE", "column_order": "SQLGEN_COLUMN_ORDER"}
OPTIONS = {"url": "--url", "models": "--models", "directory": "--dir", "exclude": "--exclude"}


@dataclass(frozen=True)
class Config:
    url: str | None
    models: str | None
    directory: Path
    version_table: str
    templates: Path | None
    # The folder models are imported from: the config file's, else the cwd.
    root: Path
    config_file: Path | None = None
    verbose: bool = False
    verify: bool = False  # generate proves each new pair on a scratch database
    verify_url: str | None = None  # the server that holds the scratch database (default: url's)
    # Preconditions on tables of more rows than this read only this many (0: always every row).
    precondition_sample: int = 0
    # Glob patterns over table names: tables sqlgen never compares, creates or drops.
    exclude: tuple[str, ...] = ()
    # Whether generate moves a column that stands elsewhere than in the models (false: positions
    # are not compared; new columns still go where the models put them).
    column_order: bool = True
    # The models themselves, where a front end has them already (flask sqlgen: the app's db).
    metadata: object = field(default=None, compare=False, repr=False)

    def require_url(self) -> str:
        if not self.url:
            raise SqlgenError(
                "no database URL: pass --url, set SQLGEN_URL, or add url = \"...\" to sqlgen.toml"
            )
        dialects.refuse_transient(self.url)
        return self.url

    def require_models(self) -> str:
        if not self.models:
            raise SqlgenError(
                "no models given: pass --models package.module:attr, set SQLGEN_MODELS, "
                "or add models = \"...\" to sqlgen.toml"
            )
        return self.models


def find_config_file(start: Path) -> tuple[Path, dict] | None:
    """The nearest sqlgen.toml or pyproject.toml with [tool.sqlgen], and its settings."""
    for folder in (start, *start.parents):
        candidate = folder / "sqlgen.toml"
        if candidate.is_file():
            return candidate, _read_toml(candidate)
        candidate = folder / "pyproject.toml"
        if candidate.is_file():
            section = _tool_section(candidate, _read_toml(candidate))
            if section is not None:
                return candidate, section
    return None


def _tool_section(path: Path, data: dict) -> dict | None:
    """The [tool.sqlgen] table of a pyproject.toml, None when there is none."""
    tool = data.get("tool", {})
    if not isinstance(tool, dict):
        raise SqlgenError(f"{path}: tool must be a table ([tool] or [tool.sqlgen]), not {_kind(tool)}; fix the file")
    section = tool.get("sqlgen")
    if section is not None and not isinstance(section, dict):
        raise SqlgenError(f"{path}: tool.sqlgen must be a table ([tool.sqlgen] holding url = \"...\" and the "
                          f"other settings), not {_kind(section)}; fix the file")
    return section


def _kind(value) -> str:
    """What a TOML value is, in TOML's words."""
    names = {bool: "a boolean", str: "a string", int: "an integer", float: "a float", list: "an array"}
    return names.get(type(value), "a date or time")


def _read_toml(path: Path) -> dict:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SqlgenError(f"cannot read {path}: {exc.strerror}") from None
    try:
        return tomllib.loads(_toml_text(path, data))
    except tomllib.TOMLDecodeError as exc:
        raise SqlgenError(f"{path}: invalid TOML ({exc}); fix the file") from None


def _toml_text(path: Path, data: bytes) -> str:
    """The text of a TOML file, which must be UTF-8 without a byte order mark (tomllib refuses one)."""
    if data.startswith(b"\xef\xbb\xbf"):
        raise SqlgenError(f"{path} starts with a byte order mark (BOM), which TOML does not allow; "
                          "save the file as UTF-8 without a BOM")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise SqlgenError(f"{path}: not UTF-8 (byte 0x{data[exc.start]:02x} at line {line}, column {column}); "
                          "TOML files are UTF-8: save the file as UTF-8") from None


def load_config(
    *,
    url: str | None = None,
    models: str | None = None,
    directory: str | None = None,
    verbose: bool = False,
    exclude: tuple[str, ...] = (),
    cwd: Path | None = None,
    environ: dict | None = None,
    app_settings: dict | None = None,
) -> Config:
    """The settings from the options, then the environment, then `app_settings` (a Flask app's
    SQLGEN_* keys and its SqlGen extension), then the config file, then the defaults."""
    cwd = (cwd or Path.cwd()).resolve()
    environ = os.environ if environ is None else environ
    found = find_config_file(cwd)
    settings: dict = {}
    config_file = None
    root = cwd
    if found:
        config_file, settings = found
        root = config_file.parent
        unknown = sorted(set(settings) - set(KNOWN_KEYS))
        if unknown:
            raise SqlgenError(
                f"{config_file}: unknown key {unknown[0]!r}; known keys are {', '.join(KNOWN_KEYS)}"
            )
        for key, value in settings.items():
            if key in ("verify", "column_order"):
                if not isinstance(value, bool):
                    raise SqlgenError(f"{config_file}: {key} must be true or false")
            elif key == "exclude":
                if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
                    raise SqlgenError(f"{config_file}: exclude must be a list of glob patterns over table names, "
                                      "e.g. exclude = [\"legacy_*\"]")
            elif key == "precondition_sample":
                if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                    raise SqlgenError(f"{config_file}: precondition_sample must be a whole number of rows, 0 or more "
                                      "(0: preconditions read every row)")
            elif not isinstance(value, str) or not value.strip():
                raise SqlgenError(f"{config_file}: {key} must be a non-empty string")

    def pick(key: str, option: str | None) -> tuple[str | None, Path, str]:
        """The value, the folder a relative path in it is relative to, and where it came from."""
        if option is not None:
            return option, cwd, OPTIONS[key]
        if key in ENVIRONMENT and environ.get(ENVIRONMENT[key]):
            return environ[ENVIRONMENT[key]], cwd, ENVIRONMENT[key]
        if app_settings and app_settings.get(key) not in (None, "", ()):
            return app_settings[key], cwd, f"the app's SQLGEN_{key.upper()}"
        if key in settings:
            return settings[key], root, f"{config_file}: {key}"
        return DEFAULTS.get(key), root, key

    directory_value, directory_base, directory_source = pick("directory", directory)
    templates_value, templates_base, templates_source = pick("templates", None)
    url_value, url_base, _ = pick("url", url)
    verify_url_value, verify_url_base, _ = pick("verify_url", None)
    sample, _, sample_source = pick("precondition_sample", None)
    if isinstance(sample, bool) or (sample is not None and not isinstance(sample, (int, str))) or \
            (isinstance(sample, int) and sample < 0):
        raise SqlgenError(f"{sample_source} is {sample!r}; give a whole number of rows, 0 or more "
                          "(0: preconditions read every row)")
    if isinstance(sample, str):
        if not (sample.strip().isascii() and sample.strip().isdigit()):
            raise SqlgenError(f"{sample_source} is {sample!r}; give a whole number of rows, 0 or more "
                              "(0: preconditions read every row)")
        sample = int(sample.strip())
    return Config(
        url=dialects.relative_url(url_value, url_base) if url_value else None,
        models=pick("models", models)[0],
        directory=_folder(directory_value, directory_base, directory_source),
        version_table=pick("version_table", None)[0],
        templates=_folder(templates_value, templates_base, templates_source) if templates_value else None,
        root=root,
        config_file=config_file,
        verbose=verbose,
        verify=_flag(*pick("verify", None), default=False),
        verify_url=dialects.relative_url(verify_url_value, verify_url_base) if verify_url_value else None,
        precondition_sample=sample or 0,
        exclude=_patterns(*pick("exclude", tuple(exclude) or None)),
        column_order=_flag(*pick("column_order", None), default=True),
    )


def _flag(value, _base: Path, source: str, default: bool) -> bool:
    """A true/false setting: a TOML boolean, or from the environment 1/0, true/false, yes/no, on/off."""
    if value is None:
        return default
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("0", "false", "no", "off"):
        return False
    raise SqlgenError(f"{source} is {value!r}; give true or false")


def _patterns(value, _base: Path, source: str) -> tuple[str, ...]:
    """exclude: a list (the config file), comma-separated text (the environment) or the options."""
    if value is None:
        return ()
    if not isinstance(value, (str, list, tuple)) or not all(isinstance(part, str) for part in
                                                           ([value] if isinstance(value, str) else value)):
        raise SqlgenError(f"{source} is {value!r}: exclude is a list of glob patterns over table names, "
                          "e.g. [\"legacy_*\"]")
    patterns = [part.strip() for part in value.split(",")] if isinstance(value, str) else list(value)
    for pattern in patterns:
        bad = _control_character(pattern)
        if not pattern or bad is not None:
            raise SqlgenError(f"{source}: {pattern!r} is not a pattern of table names; give glob patterns "
                              "such as legacy_* (no empty ones, no control characters)")
    return tuple(patterns)


def _folder(value: str, base: Path, source: str) -> Path:
    """A folder setting as an absolute path; refused if it holds a control character
    (a NUL cannot be in a path at all; the others would garble every message naming it)."""
    value = str(value)
    bad = _control_character(value)
    if bad is not None:
        raise SqlgenError(f"{source} {value!r} holds the control character {bad!r}; "
                          "name a folder without control characters")
    return (base / value).resolve()


def _control_character(text: str) -> str | None:
    return next((char for char in text if unicodedata.category(char) == "Cc"), None)
