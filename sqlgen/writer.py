"""Lay out migration files through the Jinja2 templates.

Python computes every piece of finished text (comment lines, statements with
their semicolons); the templates only arrange them, so a project can restyle
its files without being able to break the SQL.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from .errors import SqlgenError

TEMPLATE_NAMES = {"up": "up.sql.j2", "down": "down.sql.j2"}
NOTICES = {
    "mysql": ("MySQL and MariaDB commit each DDL statement on its own: if a statement",
              "fails, the statements before it stay applied."),
    "sqlite": ("This file runs in one transaction: if a statement fails, none of it stays",
               "applied."),
}
NOT_VERIFIED = "no (sqlgen generate --verify proves the pair on a scratch database)"
_UNPRINTABLE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\u2028\u2029]")


def builtin_templates() -> Path:
    """Templates inside the installed wheel, else the source checkout's."""
    here = Path(__file__).resolve().parent
    packaged = here / "templates"
    return packaged if packaged.is_dir() else here.parent / "templates"


def comment_lines(text: str) -> list[str]:
    """Lines safe inside `-- ` comments: no line break can end the comment."""
    lines = []
    for line in text.splitlines():
        line = _UNPRINTABLE.sub(" ", line.replace("\t", " ")).rstrip()
        lines.append(line)
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
    up_blocks: list[str] = field(default_factory=list)
    down_blocks: list[str] = field(default_factory=list)
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
        common = dict(
            version=f"{self.version:04d}",
            title=lines[0],
            message_lines=lines[1:],
            created=self.created,
            models=self.models,
            dialect=self.dialect,
            server=self.server,
            verified=self.verified,
            notice_lines=NOTICES.get(self.dialect, NOTICES["mysql"]),
        )
        up = _render(environment, "up", dict(common, blocks=self.up_blocks, reverse_file=self.down_file,
                                             review_lines=_review(self.up_review),
                                             tracking_begin=self.up_tracking[0], tracking_end=self.up_tracking[1]))
        down = _render(environment, "down", dict(common, blocks=self.down_blocks, reverse_file=self.up_file,
                                                 review_lines=_review(self.down_review),
                                                 tracking_begin=self.down_tracking[0],
                                                 tracking_end=self.down_tracking[1]))
        return up, down


def _review(findings: list[str] | None) -> list[str]:
    if findings is None:
        return ["Review notes: none computed; run sqlgen lint on this file once it holds statements."]
    if not findings:
        return ["Review notes: nothing risky found by sqlgen lint."]
    return ["Review notes (sqlgen lint; a line `-- sqlgen: allow CODE TARGET` accepts one):"] + \
        ["  " + line for line in findings]


def _environment(templates: Path | None):
    import jinja2

    folders = [str(builtin_templates())]
    if templates is not None:
        if not templates.is_dir():
            raise SqlgenError(f"templates folder {templates} does not exist; fix the templates setting")
        folders.insert(0, str(templates))
    return jinja2.Environment(
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
        text = environment.get_template(name).render(context)
    except jinja2.TemplateError as exc:
        where = getattr(exc, "filename", None) or name
        line = getattr(exc, "lineno", None)
        raise SqlgenError(f"template {where}{f', line {line}' if line else ''}: {exc.message}") from None
    return text.rstrip("\n") + "\n"
