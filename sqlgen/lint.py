"""Review safety: what in a migration can lose data, fail on existing rows, or
hold a table for long.

The analysis reads SQL statements, not sqlgen's own operations, so it judges a
hand-written file the same way as a generated one. Knowing the database's
current schema (and server version) makes it precise: whether a MODIFY narrows
a type, whether a column was nullable, which algorithm MySQL will use.

A finding is acknowledged by a comment anywhere in the file:

    -- sqlgen: allow drop-column account.bio

Destructive findings not acknowledged are errors (`sqlgen lint` exits 1);
the others are warnings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from pathlib import Path

ERROR = "error"  # the file must not run at all: never acknowledged
DESTRUCTIVE = "destructive"
WARNING = "warning"

# code -> (level, what it means), in the order the README lists them.
CODES = {
    "client-command": (ERROR, "a client command sqlgen cannot run as the mysql client or sqlite3 shell does"),
    "tracking-block": (ERROR, "a tracking block that holds other statements than sqlgen writes"),
    "drop-table": (DESTRUCTIVE, "drops a table and every row in it"),
    "drop-column": (DESTRUCTIVE, "drops a column and its data"),
    "drop-generated": (DESTRUCTIVE, "drops a stored generated column (its values are recomputed only if it is added back)"),
    "truncate": (DESTRUCTIVE, "deletes every row of a table"),
    "narrow-type": (WARNING, "narrows a type or shortens a length: values that do not fit fail or are cut"),
    "not-null": (WARNING, "makes a column NOT NULL, or adds one without a default: existing rows must fit"),
    "unique": (WARNING, "adds a unique index or primary key: the statement fails on duplicates"),
    "enum-values": (WARNING, "removes or reorders ENUM/SET values: rows holding them change or fail"),
    "drop-foreign-key": (WARNING, "drops a foreign key: rows may now point at missing parents"),
    "drop-check": (WARNING, "drops a CHECK constraint: rows it kept out can come in"),
    "drop-primary-key": (WARNING, "drops a primary key"),
    "add-foreign-key": (WARNING, "adds a foreign key: the statement fails if rows point at missing parents"),
    "add-check": (WARNING, "adds a CHECK constraint: the statement fails if rows break it"),
    "rename": (WARNING, "renames a table or column: code that still uses the old name breaks"),
    "change-type": (WARNING, "changes a column's type; without the database sqlgen cannot tell if it narrows"),
    "table-copy": (WARNING, "the server copies the whole table and blocks writes meanwhile (ALGORITHM=COPY)"),
    "table-rebuild": (WARNING, "the server rebuilds the table: every row is rewritten (ALGORITHM=INPLACE)"),
    "blocks-writes": (WARNING, "writes to the table wait until the statement ends (LOCK=SHARED)"),
    "delete-all": (WARNING, "DELETE or UPDATE without WHERE touches every row"),
}
_ALLOW = re.compile(r"[ \t]*--[ \t]*sqlgen:[ \t]*allow[ \t]+([a-z-]+)(?:[ \t]+([^\s;]+))?", re.I)


@dataclass(frozen=True)
class Finding:
    code: str
    target: str  # table or table.column
    message: str
    line: int = 0
    acknowledged: bool = False

    @property
    def level(self) -> str:
        return CODES[self.code][0]

    @property
    def blocking(self) -> bool:
        return self.level == ERROR or (self.level == DESTRUCTIVE and not self.acknowledged)

    def describe(self) -> str:
        """DESTRUCTIVE drop-column account.bio: drops column account.bio and its data"""
        return f"{self.level.upper()} {self.code} {self.target}: {self.message}"


def acknowledgements(directives) -> set[tuple[str, str | None]]:
    """(code, target) pairs allowed by `-- sqlgen: allow CODE [TARGET]` comment lines;
    `directives` are the file's line-start comments (FileFacts.directives), so the
    same words inside a string literal acknowledge nothing."""
    found = set()
    for _, comment in directives:
        match = _ALLOW.match(comment)
        if match:
            found.add((match.group(1).lower(), match.group(2)))
    return found


def acknowledge(findings: list[Finding], allowed: set[tuple[str, str | None]]) -> list[Finding]:
    return [replace(f, acknowledged=f.level != ERROR and ((f.code, f.target) in allowed or (f.code, None) in allowed))
            for f in findings]


def lint_statements(statements, dialect: str, schema=None, server=None) -> list[Finding]:
    """Findings for statements (splitter Statements, tracking blocks already left out)."""
    if dialect == "sqlite":
        from .sqlite.lint import analyse
    else:
        from .mysql.lint import analyse
    return analyse(list(statements), schema, server)


def lint_file(path: Path, dialect: str, schema=None, server=None,
              expected_tracking: tuple[str, str] | None = None) -> list[Finding]:
    """Findings for a file; what makes it unsafe to run at all (client commands sqlgen
    cannot run, tracking blocks holding other statements) comes first, as errors."""
    from .migrations import body_statements, facts

    sql_mode = server.sql_mode if server is not None else ""  # offline: the server's default mode
    read = facts(path, dialect, expected_tracking, sql_mode)
    errors = [Finding(problem.kind, path.name, problem.message, problem.line) for problem in read.problems]
    statements = (statement for _, statement in body_statements(path, dialect, strict=False, sql_mode=sql_mode))
    findings = lint_statements(statements, dialect, schema, server)
    return errors + acknowledge(findings, acknowledgements(read.directives))


def review_lines(findings: list[Finding]) -> list[str]:
    """The header's review notes: one line per finding, destructive ones first."""
    ordered = sorted(findings, key=lambda finding: (finding.level != ERROR, finding.level != DESTRUCTIVE))
    return [finding.describe() + (" (allowed)" if finding.acknowledged else "") for finding in ordered]
