"""Configuration: command-line option > environment variable > config file > default.

The config file is `sqlgen.toml` (keys at the top level) or the `[tool.sqlgen]`
table of `pyproject.toml`, whichever is found first searching up from the
current directory. Relative paths in a config file are relative to its folder.
"""

from __future__ import annotations

import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path

from .errors import SqlgenError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

DEFAULTS = {
    "directory": "migrations",
    "version_table": "sqlgen_version",
}
KNOWN_KEYS = ("url", "models", "directory", "version_table", "templates", "verify", "verify_url")
ENVIRONMENT = {"url": "SQLGEN_URL", "models": "SQLGEN_MODELS", "directory": "SQLGEN_DIR",
               "verify_url": "SQLGEN_VERIFY_URL"}


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

    def require_url(self) -> str:
        if not self.url:
            raise SqlgenError(
                "no database URL: pass --url, set SQLGEN_URL, or add url = \"...\" to sqlgen.toml"
            )
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
            data = _read_toml(candidate)
            section = data.get("tool", {}).get("sqlgen")
            if section is not None:
                return candidate, section
    return None


def _read_toml(path: Path) -> dict:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except tomllib.TOMLDecodeError as exc:
        raise SqlgenError(f"{path}: invalid TOML ({exc}); fix the file") from None
    except OSError as exc:
        raise SqlgenError(f"cannot read {path}: {exc.strerror}") from None


def load_config(
    *,
    url: str | None = None,
    models: str | None = None,
    directory: str | None = None,
    verbose: bool = False,
    cwd: Path | None = None,
    environ: dict | None = None,
) -> Config:
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
            if key == "verify":
                if not isinstance(value, bool):
                    raise SqlgenError(f"{config_file}: verify must be true or false")
            elif not isinstance(value, str) or not value.strip():
                raise SqlgenError(f"{config_file}: {key} must be a non-empty string")

    def pick(key: str, option: str | None) -> tuple[str | None, Path]:
        """The value and the folder a relative path in it is relative to."""
        if option is not None:
            return option, cwd
        if key in ENVIRONMENT and environ.get(ENVIRONMENT[key]):
            return environ[ENVIRONMENT[key]], cwd
        if key in settings:
            return settings[key], root
        return DEFAULTS.get(key), root

    directory_value, directory_base = pick("directory", directory)
    templates_value, templates_base = pick("templates", None)
    url_value, url_base = pick("url", url)
    verify_url_value, verify_url_base = pick("verify_url", None)
    return Config(
        url=_sqlite_relative_to(url_value, url_base) if url_value else None,
        models=pick("models", models)[0],
        directory=(directory_base / directory_value).resolve(),
        version_table=pick("version_table", None)[0],
        templates=(templates_base / templates_value).resolve() if templates_value else None,
        root=root,
        config_file=config_file,
        verbose=verbose,
        verify=bool(settings.get("verify", False)),
        verify_url=_sqlite_relative_to(verify_url_value, verify_url_base) if verify_url_value else None,
    )


_SQLITE_SCHEME = re.compile(r"sqlite(\+\w+)?")


def _sqlite_relative_to(url: str, base: Path) -> str:
    """sqlite:///app.db in a config file means app.db beside the file, wherever sqlgen runs."""
    scheme, separator, rest = url.partition(":///")
    if not separator or not _SQLITE_SCHEME.fullmatch(scheme) or rest.startswith(("/", "file:")) \
            or rest.split("?")[0] in ("", ":memory:"):
        return url  # absolute, a URI filename, in memory, or not SQLite
    path, _, query = rest.partition("?")
    return f"{scheme}:///{(base / path).resolve()}" + (f"?{query}" if query else "")
