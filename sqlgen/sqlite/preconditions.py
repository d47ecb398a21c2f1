"""SQLite preconditions: the checks a rebuild depends on, and the statement that stops a file.

SQLite runs each file in one transaction, so a failed rebuild changes nothing; the checks
are there to say which rows break what, the same way as on MySQL. The statement returns no
row when all is well (the sqlite3 shell prints nothing), and fails with "integer overflow"
when a row breaks the check: abs() of the smallest integer, reached only then.
"""

from __future__ import annotations

import re

from ..preconditions import Precondition, comment, queries as shared_queries
from .dialect import quote_identifier as q, quote_string

FAILED_MESSAGE = "integer overflow"

_STATEMENT = re.compile(
    r"(?:\s*--[^\n]*\n)*\s*SELECT\s+(?P<violation>'(?:[^']|'')*')\s+AS\s+\"sqlgen_precondition\"\s+"
    r"WHERE\s+abs\(\s*-9223372036854775807\s*-\s*EXISTS\s*\((?P<rows>.*)\)\s*\)\s*<\s*0\s*", re.I | re.S)
_LABEL = re.compile(r"SELECT\s+(?:[^\"']|'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\")*?\s+AS\s+(\"(?:[^\"]|\"\")+\")",
                    re.I | re.S)


def render(precondition: Precondition) -> tuple[str, str | None]:
    lines = comment(precondition, FAILED_MESSAGE)
    if precondition.rows is None:
        return lines, None
    return lines, (f"SELECT {quote_string(precondition.violation)} AS \"sqlgen_precondition\"\n"
                     f" WHERE abs(-9223372036854775807 - EXISTS (\n  {precondition.rows}\n)) < 0")


def read(text: str) -> Precondition | None:
    match = _STATEMENT.fullmatch(text)
    if match is None:
        return None
    violation = match.group("violation")[1:-1].replace("''", "'")
    rows = match.group("rows").strip()
    label = _LABEL.match(rows)
    return Precondition("", violation, rows, key=label.group(1)[1:-1].replace('""', '"') if label else "")


def queries(precondition: Precondition, limit: int) -> tuple[str, str]:
    return shared_queries(precondition, limit, '"sqlgen_rows"')


def preconditions(operations: list, schema, sample: int = 0) -> list[Precondition]:
    """The checks of the rows each rebuild copies (NOT NULL, unique keys, CHECKs), and of a new
    unique index. (`sample` is not used: SQLite keeps no estimate of a table's rows, and a
    file that fails changes nothing there.)"""
    from .. import ops

    if schema is None:
        return []
    result = []
    for operation in operations:
        if isinstance(operation, ops.RebuildTable):
            old = schema.table(operation.old.name)
            if old is not None:
                result += _rebuild_checks(old, operation.new, operation.changes)
        elif isinstance(operation, ops.AlterTable):  # CREATE UNIQUE INDEX on the rows as they are
            old = schema.table(operation.table)
            if old is not None:
                result += _rebuild_checks(old, old, [c for c in operation.changes if isinstance(c, ops.AddIndex)])
    return result


def _key(table) -> str:
    """The select item that names a row: its primary key (a WITHOUT ROWID table has one), else its rowid."""
    if len(table.primary_key) == 1:
        return f"{q(table.primary_key[0])} AS {q(table.primary_key[0])}"
    if table.primary_key:
        label = "(" + ", ".join(table.primary_key) + ")"
        return "'(' || " + " || ', ' || ".join(q(c) for c in table.primary_key) + f" || ')' AS {q(label)}"
    return 'rowid AS "rowid"'


def _items(table, column: str) -> str:
    """The key, then the column, each once (the count reads the rows as a derived table)."""
    key = _key(table)
    return key if key.endswith(f" AS {q(column)}") else f"{key}, {q(column)}"


def _rebuild_checks(old, new, changes) -> list[Precondition]:
    from .. import ops

    result = []
    renamed = {c.new_name: c.old.name for c in changes if isinstance(c, ops.RenameColumn)}
    added = {c.column.name for c in changes if isinstance(c, ops.AddColumn)}

    def old_name(name: str) -> str:
        return renamed.get(name, name)

    for change in changes:
        if isinstance(change, ops.ModifyColumn) and change.old.nullable and not change.new.nullable:
            name = old_name(change.old.name)
            result.append(Precondition(
                f"{old.name}.{name}", f"rows of {old.name} have {name} NULL",
                f"SELECT {_items(old, name)} FROM {q(old.name)} WHERE {q(name)} IS NULL",
                f"reads every row of {old.name}"))
        elif isinstance(change, ops.AddIndex) and change.index.unique:
            if any(c.column in added for c in change.index.parts) or any(c.column is None for c in change.index.parts):
                continue
            columns = [old_name(part.column) for part in change.index.parts]
            listed = ", ".join(q(c) for c in columns)
            shown = ", ".join(columns)
            label = q(shown if len(columns) == 1 else f"({shown})")
            value = q(columns[0]) if len(columns) == 1 else "'(' || " + " || ', ' || ".join(q(c) for c in columns) + " || ')'"
            not_null = " AND ".join(f"{q(c)} IS NOT NULL" for c in columns)
            result.append(Precondition(
                f"{old.name}.{change.index.name}",
                f"values of {shown} in {old.name} appear more than once, which the unique key {change.index.name} "
                "refuses",
                f"SELECT {value} AS {label}, COUNT(*) AS \"rows\" FROM {q(old.name)} WHERE {not_null} "
                f"GROUP BY {listed} HAVING COUNT(*) > 1", f"reads every row of {old.name}"))
        elif isinstance(change, ops.AddCheck):
            words = set(re.findall(r"[A-Za-z_][\w$]*", change.check.expression))
            if words & (added | set(renamed)):
                continue
            result.append(Precondition(
                f"{old.name}.{change.check.name}",
                f"rows of {old.name} have values breaking CHECK {change.check.name} ({change.check.expression})",
                f"SELECT {_key(old)} FROM {q(old.name)} WHERE NOT ({change.check.expression})",
                f"reads every row of {old.name}"))
    return result
