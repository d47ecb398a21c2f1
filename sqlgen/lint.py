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

from dataclasses import dataclass, replace
from pathlib import Path

from .migrations import acknowledgements

ERROR = "error"  # the file must not run at all: never acknowledged
DESTRUCTIVE = "destructive"
WARNING = "warning"

# code -> (level, what it means), in the order the README lists them.
CODES = {
    "client-command": (ERROR, "a client command sqlgen cannot run as the mysql client or sqlite3 shell does"),
    "tracking-block": (ERROR, "a tracking block that holds other statements than sqlgen writes"),
    "drop-table": (DESTRUCTIVE, "drops a table and every row in it"),
    "drop-sequence": (DESTRUCTIVE, "drops a sequence: created again, it starts over and hands out values already used"),
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


def acknowledge(findings: list[Finding], allowed: set[tuple[str, str | None]]) -> list[Finding]:
    return [replace(f, acknowledged=f.level != ERROR and ((f.code, f.target) in allowed or (f.code, None) in allowed))
            for f in findings]


def lint_statements(statements, analyse, schema=None, server=None) -> list[Finding]:
    """Findings for statements (splitter Statements, tracking blocks already left out), by
    the dialect's `analyse(statements, schema, server)`."""
    return analyse(list(statements), schema, server)


def lint_file(path: Path, dialect, schema=None, server=None,
              expected_tracking: tuple[str, str] | None = None) -> list[Finding]:
    """Findings for a file, by a dialect (sqlgen.contract.Dialect); what makes it unsafe to run
    at all (client commands sqlgen cannot run, tracking blocks holding other statements) comes
    first, as errors."""
    from .migrations import body_statements, facts

    sql_mode = server.sql_mode if server is not None else ""  # offline: the server's default mode
    read = facts(path, dialect.reading, expected_tracking, sql_mode)
    errors = [Finding(problem.kind, path.name, problem.message, problem.line) for problem in read.problems]
    statements = (statement for _, statement in body_statements(path, dialect.reading, strict=False,
                                                                 sql_mode=sql_mode))
    findings = lint_statements(statements, dialect.lint, schema, server)
    return errors + acknowledge(findings, acknowledgements(read.directives))


def review_lines(findings: list[Finding]) -> list[str]:
    """The header's review notes: one line per finding, destructive ones first."""
    ordered = sorted(findings, key=lambda finding: (finding.level != ERROR, finding.level != DESTRUCTIVE))
    return [finding.describe() + (" (allowed)" if finding.acknowledged else "") for finding in ordered]
