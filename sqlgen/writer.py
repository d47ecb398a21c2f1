"""Lay out migration files through the Jinja2 templates.

Python computes every piece of finished text (comment lines, statements with
their semicolons); the templates only arrange them, so a project can restyle
its files without being able to break the SQL.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .errors import SqlgenError
from .safety import printable

TEMPLATE_NAMES = {"up": "up.sql.j2", "down": "down.sql.j2"}
NOT_VERIFIED = "no (sqlgen generate --verify proves the pair on a scratch database)"


def builtin_templates() -> Path:
    """Templates inside the installed wheel, else the source checkout's."""
    here = Path(__file__).resolve().parent
    packaged = here / "templates"
    return packaged if packaged.is_dir() else here.parent / "templates"


def comment_lines(text: str) -> list[str]:
    """The lines of a message, each safe inside a `-- ` comment: every kind of line
    break starts a new line, and any other control character is shown escaped."""
    lines = []
    for line in text.splitlines():
        lines.append(printable(line.replace("\t", " ")).rstrip())
    while lines and not lines[-1]:
        lines.pop()
    return lines


@dataclass
class MigrationText:
    version: int
    message: str
    created: str
    models: str
    dialect: str
    server: str
    verified: str = NOT_VERIFIED
    # The header's word on what a failed statement leaves applied (the dialect's notice).
    notice_lines: tuple[str, ...] = ()
    up_blocks: list[str] = field(default_factory=list)
    down_blocks: list[str] = field(default_factory=list)
    # The preamble and the read-only checks, laid out before the opening tracking block.
    up_leading: list[str] = field(default_factory=list)
    down_leading: list[str] = field(default_factory=list)
    # `sqlgen lint` findings, one line each; None when not reviewed (generate --empty).
    up_review: list[str] | None = None
    down_review: list[str] | None = None
    up_file: str = ""
    down_file: str = ""
    # (opening, closing) tracking blocks; empty on the first pass, see commands.generate.
    up_tracking: tuple[str, str] = ("", "")
    down_tracking: tuple[str, str] = ("", "")

    def render(self, templates: Path | None) -> tuple[str, str]:
        environment = _environment(templates)
        lines = comment_lines(self.message) or ["(no message)"]
        # Every value the templates put in a comment is on one line, control characters escaped.
        common = dict(
            version=f"{self.version:04d}",
            title=lines[0],
            message_lines=lines[1:],
            created=printable(self.created),
            models=printable(self.models),
            dialect=printable(self.dialect),
            server=printable(self.server),
            verified=printable(self.verified),
            notice_lines=self.notice_lines,
        )
        up = _render(environment, "up", dict(common, blocks=self.up_blocks, reverse_file=self.down_file,
                                             review_lines=_review(self.up_review),
                                             **_opening(environment, "up", self.up_leading, self.up_tracking)))
        down = _render(environment, "down", dict(common, blocks=self.down_blocks, reverse_file=self.up_file,
                                                 review_lines=_review(self.down_review),
                                                 **_opening(environment, "down", self.down_leading,
                                                            self.down_tracking)))
        return up, down


def _opening(environment, direction: str, leading: list[str], tracking: tuple[str, str]) -> dict:
    """The template's values for the front of the file: `leading_blocks`, then the tracking
    blocks. A template of an earlier sqlgen that does not place `leading_blocks` gets them
    just before its opening block, where they belong."""
    values = dict(leading_blocks=leading, tracking_begin=tracking[0], tracking_end=tracking[1])
    if leading and not _places(environment, TEMPLATE_NAMES[direction], "leading_blocks"):
        values.update(leading_blocks=[], tracking_begin="\n\n".join([*leading, tracking[0]] if tracking[0]
                                                                      else leading))
    return values


def _places(environment, name: str, variable: str) -> bool:
    import jinja2
    from jinja2 import meta

    try:
        source = environment.loader.get_source(environment, name)[0]
        return variable in meta.find_undeclared_variables(environment.parse(source))
    except (jinja2.TemplateError, OSError, UnicodeDecodeError):
        return True  # _render reports what is wrong with the template


def _review(findings: list[str] | None) -> list[str]:
    if findings is None:
        return ["Review notes: none computed; run sqlgen lint on this file once it holds statements."]
    if not findings:
        return ["Review notes: nothing risky found by sqlgen lint."]
    return ["Review notes (sqlgen lint; a line `-- sqlgen: allow CODE TARGET` accepts one):"] + \
        ["  " + printable(line) for line in findings]


def _environment(templates: Path | None):
    import jinja2
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    folders = [str(builtin_templates())]
    if templates is not None:
        if not templates.is_dir():
            raise SqlgenError(f"templates folder {templates} does not exist; fix the templates setting")
        folders.insert(0, str(templates))
    # Sandboxed: a template lays text out, it cannot reach Python.
    return ImmutableSandboxedEnvironment(
        loader=jinja2.FileSystemLoader(folders),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=False,
    )


def _render(environment, direction: str, context: dict) -> str:
    import jinja2

    name = TEMPLATE_NAMES[direction]
    try:
        template = environment.get_template(name)
    except UnicodeDecodeError as exc:
        raise SqlgenError(f"template {_where(environment, name)} is not UTF-8 text (byte {exc.object[exc.start]:#04x} "
                          f"at offset {exc.start}); save it as UTF-8") from None
    except jinja2.TemplateSyntaxError as exc:
        raise SqlgenError(f"template {exc.filename or name}, line {exc.lineno}: {printable(exc.message)}; "
                          "fix the template") from None
    except (jinja2.TemplateError, OSError) as exc:
        raise SqlgenError(f"cannot read template {_where(environment, name)}: {printable(exc)}") from None
    try:
        text = template.render(context)
    except Exception as exc:  # anything a template may raise: one line naming it, never a traceback
        line = _template_line(exc, template.filename)
        raise SqlgenError(f"template {template.filename}{f', line {line}' if line else ''} failed: "
                          f"{type(exc).__name__}: {printable(exc)}; fix the template") from None
    return text.rstrip("\n") + "\n"


def _where(environment, name: str) -> str:
    for folder in environment.loader.searchpath:
        if (Path(folder) / name).exists():
            return str(Path(folder) / name)
    return name


def _template_line(exc: Exception, filename: str | None) -> int | None:
    """The template's line an error was raised at (Jinja2 puts the template in the traceback)."""
    import traceback

    lines = [frame.lineno for frame in traceback.extract_tb(exc.__traceback__) if frame.filename == filename]
    return lines[-1] if lines else None
