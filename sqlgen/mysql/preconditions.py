"""MySQL/MariaDB preconditions: the one statement that stops a file when rows break a check, and
how the runner reads it back (which changes need a check: sqlgen.mysql.checks).

The statement works in the `mysql`/`mariadb` client as in sqlgen's runner: a scalar subquery
that returns two rows when the check finds a row is an error (1242, "Subquery returns more
than 1 row"), on every version, and the whole statement returns no row when all is well, so
the client prints nothing. The runner reads the statement back (`read`) to count the rows
and show a few of their keys.
"""

from __future__ import annotations

import re

from ..preconditions import Precondition, comment, queries as shared_queries
from .dialect import quote_string

FAILED_CODE = 1242  # what the statement fails with when rows break the check

_STATEMENT = re.compile(
    r"(?:\s*--[^\n]*\n)*\s*SELECT\s+(?P<violation>'(?:[^'\\]|\\.|'')*')\s+AS\s+`sqlgen_precondition`\s+FROM\s+DUAL\s+"
    r"WHERE\s+\(\s*SELECT\s+1\s+UNION\s+ALL\s+SELECT\s+1\s+FROM\s+DUAL\s+WHERE\s+EXISTS\s*\((?P<rows>.*)\)\s*\)\s+"
    r"IS\s+NULL\s*", re.I | re.S)


def render(precondition: Precondition) -> tuple[str, str | None]:
    """The check as it is written into a file: (its comment lines, its statement without a
    semicolon; None when it cannot be checked beforehand)."""
    lines = comment(precondition, "Subquery returns more than 1 row")
    if precondition.rows is None:
        return lines, None
    return lines, (f"SELECT {quote_string(precondition.violation)} AS `sqlgen_precondition` FROM DUAL\n"
                     f" WHERE (SELECT 1 UNION ALL SELECT 1 FROM DUAL WHERE EXISTS (\n  {precondition.rows}\n)) IS NULL")


def read(text: str) -> Precondition | None:
    """The precondition a statement of a file is (also a hand-written one), or None."""
    match = _STATEMENT.fullmatch(text)
    if match is None:
        return None
    from .types import read_quoted

    violation, _ = read_quoted(match.group("violation"), 0)
    rows = match.group("rows").strip()
    label = _LABEL.match(rows)
    key = "" if label is None else label.group(1)
    key = key[1:-1].replace("``", "`") if key.startswith("`") else key
    sample = _SAMPLE.search(rows)
    return Precondition("", violation, rows, key=key, sample=int(sample.group(1)) if sample else None)


def is_precondition(text: str) -> bool:
    return _STATEMENT.fullmatch(text) is not None


def queries(precondition: Precondition, limit: int) -> tuple[str, str]:
    return shared_queries(precondition, limit, "`sqlgen_rows`")


# How sqlgen.mysql.checks reads only the first rows of a big table (precondition_sample).
_SAMPLE = re.compile(r"\(SELECT \* FROM `(?:[^`]|``)+` LIMIT (\d+)\) AS ", re.S)


# The first item of a check's SELECT names the row: "SELECT <expression> AS `label`, ...".
_LABEL = re.compile(r"SELECT\s+(?:[^`']|'(?:[^'\\]|\\.|'')*'|`(?:[^`]|``)*`)*?\s+AS\s+(`(?:[^`]|``)+`|[\w$]+)",
                    re.I | re.S)
