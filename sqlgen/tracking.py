"""The tracking table `sqlgen_version` and the statements that keep it, for every dialect.

The same statement texts go into the generated files (so a DBA running a file
by hand records it) and are executed by the runner (which skips the files' own
tracking blocks). Either way the table ends up with the same row.

One row per migration that has started: `state` is `running` while it runs,
`applied` once done, `failed` when a statement failed (with the number of
statements that ran and the error), `reverting` while its down file runs and
`revert_failed` when that failed. The row disappears when the down file has
run to the end.

A dialect's tracking module (sqlgen.mysql.tracking, sqlgen.sqlite.tracking)
writes what only it can say: its CREATE TABLE, how long a migration took, the
guard of a down file and the blocks of a file. The statements every dialect
writes alike come from one `TrackingSQL` built with the dialect's words.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterable, Mapping

from .splitter import TRACKING_BEGIN, TRACKING_END

# The table's columns in their order: select_rows reads them so (see sqlgen.history.read_row),
# and an INSERT lists its values so.
COLUMNS = ("version", "name", "checksum", "state", "statements_applied", "statements_total", "progress_checksum",
           "down_checksum", "started_at", "applied_at", "execution_ms", "applied_by", "error")

# Column -> its value as SQL text (a number may stay a number).
Values = Mapping[str, object]


def file_block(note: str, statements: Iterable[str]) -> str:
    """A tracking block of a file: the begin marker (followed by `note`, whose later lines
    are comment lines of their own), the statements, and the end marker."""
    begin = f"{TRACKING_BEGIN} {note}" if note else TRACKING_BEGIN
    return "\n".join([begin, *(statement + ";" for statement in statements), TRACKING_END])


@dataclass(frozen=True)
class TrackingSQL:
    """The tracking statements every dialect writes alike, in one dialect's words."""

    quote_identifier: Callable[[str], str]
    quote_string: Callable[[str], str]
    now: str  # the current time, as started_at and applied_at hold it
    by: str  # who runs the migration, as applied_by holds it
    upsert: str  # what follows an INSERT's VALUES to update the row it runs into instead
    inserted_value: str  # in that update, the value the INSERT had for the column `{}`

    # --- Building blocks ---------------------------------------------------------------

    def inserted(self, column: str) -> str:
        return self.inserted_value.format(self.quote_identifier(column))

    def new_row(self, version: int, name: str, checksum: str, state: str, applied: int, total: int,
                **more: object) -> dict[str, object]:
        """A new row's values: the migration, how far it got, and when and by whom it started."""
        return dict(version=version, name=self.quote_string(name), checksum=f"'{checksum}'", state=f"'{state}'",
                    statements_applied=applied, statements_total=total, started_at=self.now, applied_by=self.by,
                    **more)

    def insert(self, table: str, values: Values, on_conflict: Values | None = None) -> str:
        """INSERT of one row, its columns in the table's order; `on_conflict` updates the
        row already there instead."""
        q = self.quote_identifier
        columns = [column for column in COLUMNS if column in values]
        sql = (f"INSERT INTO {q(table)} ({', '.join(q(column) for column in columns)})\n"
               f"VALUES ({', '.join(str(values[column]) for column in columns)})")
        return sql if on_conflict is None else f"{sql}\n{self.upsert} {self._assignments(on_conflict)}"

    def update(self, table: str, version: int, *lines: Values) -> str:
        """UPDATE of the row of `version`: each mapping is one line of assignments."""
        sets = ",\n  ".join(self._assignments(line) for line in lines)
        where = "\n" if len(lines) > 1 else " "
        return f"UPDATE {self.quote_identifier(table)} SET {sets}{where}WHERE {self._version('=', version)}"

    def _assignments(self, values: Values) -> str:
        return ", ".join(f"{self.quote_identifier(column)} = {value}" for column, value in values.items())

    def _version(self, operator: str, version: int) -> str:
        return f"{self.quote_identifier('version')} {operator} {version}"

    # --- Statements ----------------------------------------------------------------------

    def up_start(self, table: str, version: int, name: str, checksum: str, total: int) -> str:
        return self.insert(table, self.new_row(version, name, checksum, "running", 0, total))

    def down_start(self, table: str, version: int, down_checksum: str, total: int) -> str:
        return self.update(table, version,
                           dict(state="'reverting'", statements_applied=0, statements_total=total),
                           dict(down_checksum=f"'{down_checksum}'", started_at=self.now, applied_at="NULL"),
                           dict(execution_ms="NULL", progress_checksum="NULL", error="NULL"))

    def down_end(self, table: str, version: int) -> str:
        return f"DELETE FROM {self.quote_identifier(table)} WHERE {self._version('=', version)}"

    def select_rows(self, table: str) -> str:
        q = self.quote_identifier
        return f"SELECT {', '.join(q(column) for column in COLUMNS)} FROM {q(table)} ORDER BY {q('version')}"

    def new_checksum(self, table: str, version: int, checksum: str, total: int) -> str:
        """Bring the checksum of an applied migration up to date (sqlgen stamp after a fix by hand)."""
        return self.update(table, version, dict(checksum=f"'{checksum}'", statements_total=total))

    def stamp_row(self, table: str, version: int, name: str, checksum: str, total: int) -> str:
        """Record a migration as applied without running it (execution_ms stays NULL)."""
        values = self.new_row(version, name, checksum, "applied", total, total, applied_at=self.now)
        return self.insert(table, values, dict(
            name=self.inserted("name"), checksum=self.inserted("checksum"), state="'applied'",
            statements_applied=self.inserted("statements_total"), statements_total=self.inserted("statements_total"),
            progress_checksum="NULL", down_checksum="NULL", applied_at=self.now, execution_ms="NULL", error="NULL",
        ))

    def unstamp_above(self, table: str, version: int) -> str:
        return f"DELETE FROM {self.quote_identifier(table)} WHERE {self._version('>', version)}"
