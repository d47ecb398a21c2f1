"""Preconditions: read-only checks a file runs before it changes anything.

A change that depends on the data (a narrower type, NOT NULL, a new unique key, foreign key
or CHECK, ENUM values removed) can fail half-way through a file on a row that does not fit;
on MySQL the statements before it stay applied. The generator writes one check per such
change at the top of the file. Each is one statement that reads the rows breaking it and
fails when there are any, so the file stops, by hand or in the runner, before any change.

The statement's form belongs to the dialect (`render`, `read` in its preconditions module);
what a check says and how the runner reports it are here.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass

from .safety import printable

SAMPLE_ROWS = 5  # keys shown of the rows that break a check


@dataclass(frozen=True)
class Precondition:
    """`rows`: a SELECT listing the rows that break the check (the row's key first), or None
    when sqlgen cannot check the change beforehand (then only `violation` is written, as a note)."""

    target: str  # "table.column", "table.index" or "table"
    violation: str  # what the rows that break it do: "rows of account have code longer than 8 characters"
    rows: str | None
    cost: str = ""  # what the check reads: "reads every row of account"
    key: str = ""  # what the first column of `rows` names ("id"): shown with the sample rows
    sample: int | None = None  # rows of a big table the check reads, when it reads only those


def comment(precondition: Precondition, fails_with: str) -> str:
    """The comment lines above a check: what it reads, and what its error (`fails_with`) means."""
    what = printable(precondition.violation)
    if precondition.rows is None:
        return f"-- not checked before the change ({printable(precondition.target)}): {what}"
    cost = f" ({printable(precondition.cost)})" if precondition.cost else ""
    return wrapped(f"precondition {printable(precondition.target)}, read-only{cost}: it fails with \"{fails_with}\" "
                   f"when {what}, before anything has changed; its inner SELECT lists those rows")


def queries(precondition: Precondition, limit: int, alias: str) -> tuple[str, str]:
    """(the query counting the rows that break it, the query listing `limit` of them); `alias`:
    the derived table's name, quoted."""
    rows = f"({precondition.rows}) AS {alias}"
    return f"SELECT COUNT(*) FROM {rows}", f"SELECT * FROM {rows} LIMIT {limit}"


_SINGULAR = (("rows ", "row ", " have ", " has "), ("values ", "value ", " appear ", " appears "))


def counted(violation: str, count: int | None) -> str:
    """`violation` ("rows of t have ...") for `count` rows: "1 row of t has ...", "2 rows of t have ..."
    (as written when the count is not known)."""
    if count is None or violation.startswith("all "):  # "all rows of t ...": the count is of no use
        return violation
    if count == 1:
        for plural, singular, verb, singular_verb in _SINGULAR:
            if violation.startswith(plural):
                head, found, rest = violation[len(plural):].partition(verb)
                return "1 " + singular + head + (singular_verb + rest if found else "")
    return f"{count} {violation}"


def failure_message(file: str, violation: str, count: int | None, samples: list[tuple], key: str, command: str,
                    before_any_change: bool) -> str:
    """The runner's one line for a check that failed."""
    shown = ", ".join(printable(_value(row)) for row in samples[:SAMPLE_ROWS])
    more = ", ..." if count is not None and count > len(samples[:SAMPLE_ROWS]) else ""
    where = "before any change" if before_any_change else "(statements before it stayed applied)"
    sample = f" ({key} {shown}{more})" if samples else ""
    return (f"{file}: precondition failed {where}: {counted(printable(violation), count)}{sample}; "
            f"fix them, then run sqlgen {command} again")


def wrapped(text: str, width: int = 100) -> str:
    """`text` as `-- ` comment lines (it is already printable)."""
    return "\n".join("-- " + line for line in textwrap.wrap(text, width - 3, break_long_words=False,
                                                            break_on_hyphens=False))


def _value(row: tuple) -> str:
    values = [repr(v) if isinstance(v, str) else ("NULL" if v is None else str(v)) for v in row]
    return values[0] if len(values) == 1 else "(" + ", ".join(values) + ")"
