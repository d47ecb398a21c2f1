"""Apply migration files to a SQLite database.

SQLite's DDL is transactional: each file runs in one transaction together
with its tracking row, with foreign keys off (so tables can be rebuilt) and
checked before the commit. A failure leaves nothing behind. BEGIN IMMEDIATE
takes the database's write lock, so two runs take turns; each re-reads the
tracking table inside its transaction and skips what the other one applied.
"""

from __future__ import annotations

import time
from contextlib import contextmanager
from datetime import datetime
from typing import Callable

from ..errors import SqlgenError
from ..history import Entry, Row, Step, read_row
from ..migrations import FileFacts, body_statements
from ..progress import Progress
from ..tracking import COLUMNS
from ..preconditions import SAMPLE_ROWS, failure_message
from . import preconditions, tracking
from .dialect import READING, quote_identifier as q

_TRANSACTION_CONTROL = ("begin", "commit", "end", "rollback", "savepoint", "release")


class Runner:
    def __init__(self, connection, server, version_table: str, echo: Callable[[str], None]):
        self.connection = connection
        connection.isolation_level = None  # sqlgen says BEGIN and COMMIT itself
        self.server = server
        self.database = server.database
        self.table = version_table
        self.echo = echo

    def _query(self, sql: str, args=()) -> list[tuple]:
        return list(self.connection.execute(sql, args).fetchall())

    def read_only(self, queries: list[str], setup: list[str] = ()) -> list[list[tuple]]:
        """The rows of each query, read in a transaction rolled back (`sqlgen preflight`)."""
        self.connection.execute("BEGIN")
        try:
            return [list(self.connection.execute(sql).fetchall()) for sql in queries]
        finally:
            self.connection.execute("ROLLBACK")

    def table_exists(self) -> bool:
        return bool(self._query("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = ?",
                                (self.table,))[0][0])

    def rows(self) -> list[Row]:
        import sqlite3

        if not self.table_exists():
            return []
        # SQLite reads a double-quoted name it cannot find as a string: ask for the columns first.
        columns = {row[0] for row in self._query("SELECT name FROM pragma_table_info(?)", (self.table,))}
        missing = [name for name in COLUMNS if name not in columns]
        try:
            if missing:
                raise sqlite3.OperationalError(f"no column {missing[0]}")
            found = self._query(tracking.select_rows(self.table))
        except sqlite3.OperationalError as exc:
            raise SqlgenError(f"the tracking table {self.table!r} has the wrong shape ({exc}): sqlgen did not "
                              "make it. Rename it, or set version_table to another name") from None
        return [read_row([_timestamp(value) if i in (8, 9) else value for i, value in enumerate(row)], self.table)
                for row in found]

    def ensure_table(self) -> None:
        self.connection.execute(tracking.create_table(self.table))

    reads_as_it_runs = False  # every file is read whole first

    def close(self) -> None:
        pass  # the connection is the command's

    def sessions(self):
        return None  # one process, one connection: nothing runs beside it

    def live_sessions(self, rows, snapshot) -> dict:
        return {}  # every file runs in one transaction of this process: none outlives its run

    def lock_holder(self) -> None:
        return None  # SQLite has no lock to ask about; writers queue on the file

    @contextmanager
    def locked(self, timeout: float):
        self.connection.execute(f"PRAGMA busy_timeout = {int(timeout * 1000)}")
        yield

    def upgrade(self, step: Step) -> None:
        entry, facts = step.entry, step.entry.facts
        version, name = entry.version, entry.name
        started = time.monotonic()
        with self._transaction(version, name, facts, "up") as skip:
            if skip:
                return
            if entry.row is None:
                self.connection.execute(tracking.up_start(self.table, version, name, facts.checksum, facts.count))
            else:
                self.connection.execute(tracking.restart_up(self.table, version, name, facts.checksum, facts.count))
            self._run(entry.migration.up, facts)
            self.connection.execute(tracking.up_end(self.table, version))
        self.echo(f"applied {name} ({_count(facts.count)}, {time.monotonic() - started:.2f} s)")

    def downgrade(self, step: Step, down_facts: FileFacts) -> None:
        entry = step.entry
        version, name = entry.version, entry.name
        started = time.monotonic()
        with self._transaction(version, name, down_facts, "down") as skip:
            if skip:
                return
            self.connection.execute(tracking.down_start(self.table, version, down_facts.checksum, down_facts.count))
            self._run(entry.migration.down, down_facts, "downgrade")
            self.connection.execute(tracking.down_end(self.table, version))
        self.echo(f"reverted {name} ({_count(down_facts.count)}, {time.monotonic() - started:.2f} s)")

    def stamp(self, entries: list[Entry], version: int) -> None:
        self.connection.execute("BEGIN IMMEDIATE")
        try:
            self.connection.execute(tracking.unstamp_above(self.table, version))
            for entry in entries:
                if entry.version > version or entry.migration is None:
                    continue
                facts = entry.facts
                if entry.applied:
                    if entry.changed:
                        self.connection.execute(tracking.new_checksum(self.table, entry.version, facts.checksum,
                                                                      facts.count))
                    continue
                self.connection.execute(tracking.stamp_row(self.table, entry.version, entry.name, facts.checksum,
                                                           facts.count))
            self.connection.execute("COMMIT")
        except BaseException:
            self._rollback()
            raise

    @contextmanager
    def _transaction(self, version: int, name: str, facts: FileFacts, direction: str):
        """One migration: foreign keys off, one transaction, keys checked before COMMIT."""
        self.connection.execute("PRAGMA foreign_keys = OFF")
        self.connection.execute("BEGIN IMMEDIATE")
        try:
            state = self._query(f'SELECT "state" FROM {q(self.table)} WHERE "version" = ?', (version,))
            done = (state and state[0][0] == "applied") if direction == "up" else not state
            if done:  # another run did it while this one waited for the lock
                self.connection.execute("ROLLBACK")
                yield True
                return
            yield False
            broken = self._query("PRAGMA foreign_key_check")
            if broken:
                self._rollback()
                raise SqlgenError(self._broken_keys(version, broken))
            self.connection.execute("COMMIT")
        except SqlgenError as failure:
            self._rollback()
            self._record_failure(version, name, facts, direction, str(failure))
            raise
        except BaseException:
            self._rollback()
            raise
        finally:
            self.connection.execute("PRAGMA foreign_keys = ON")

    def _broken_keys(self, version: int, broken: list) -> str:
        """Whose fault the broken keys are: read again once the migration is rolled back."""
        table, rowid, parent, _ = broken[0]
        where = f"{table} row {rowid} points at a missing {parent} row, and {len(broken) - 1} more"
        if (table, rowid, parent) in {tuple(row[:3]) for row in self._query("PRAGMA foreign_key_check")}:
            return (f"version {version}: the database already breaks a foreign key before this migration "
                    f"({where}); delete or fix those rows first (PRAGMA foreign_key_check lists them), "
                    "or in a migration of their own; nothing was applied")
        return f"version {version}: the migration breaks a foreign key ({where}); nothing was applied"

    def _run(self, path, facts: FileFacts, command: str = "upgrade") -> None:
        progress = Progress(self.echo)
        progress.start(path.name, facts.count)
        try:
            self._run_statements(path, facts, command, progress)
        finally:
            progress.done()

    def _run_statements(self, path, facts: FileFacts, command: str, progress) -> None:
        import sqlite3

        for number, statement in body_statements(path, READING):
            progress.tick(number)
            if statement.text.split(None, 1)[0].lower() in _TRANSACTION_CONTROL:
                raise SqlgenError(f"{path.name}, line {statement.line}: sqlgen runs each SQLite migration in one "
                                  "transaction; remove this transaction statement from the file")
            try:
                self.connection.execute(statement.text)
            except sqlite3.Error as exc:
                broken = preconditions.read(statement.text) if preconditions.FAILED_MESSAGE in str(exc) else None
                if broken is not None:
                    raise SqlgenError(self._precondition_failed(path.name, broken, command)) from None
                raise SqlgenError(f"{path.name}, line {statement.line}, statement {number} of {facts.count}: "
                                  f"{exc}; it ran in one transaction, so none of it stayed applied: fix it "
                                  "and run sqlgen again") from None

    def _precondition_failed(self, file: str, precondition, command: str) -> str:
        """The one line for a check that rows break, counted in the transaction it failed in."""
        count_sql, sample_sql = preconditions.queries(precondition, SAMPLE_ROWS)
        try:
            count = self._query(count_sql)[0][0]
            samples = [row[:1] for row in self._query(sample_sql)]
        except Exception:
            count, samples = None, []
        return failure_message(file, precondition.violation, count, samples, precondition.key, command, True)

    def _record_failure(self, version: int, name: str, facts: FileFacts, direction: str, error: str) -> None:
        """The migration rolled back: record that it failed and that nothing of it stayed."""
        try:
            self.connection.execute("BEGIN IMMEDIATE")
            if direction == "up":
                self.connection.execute(tracking.failed_row(self.table, version, name, facts.checksum, facts.count,
                                                            error))
            else:
                self.connection.execute(
                    f"UPDATE {q(self.table)} SET \"state\" = 'revert_failed', \"error\" = ? WHERE \"version\" = ?",
                    (error, version))
            self.connection.execute("COMMIT")
        except Exception:
            self._rollback()

    def _rollback(self) -> None:
        try:
            if self.connection.in_transaction:
                self.connection.execute("ROLLBACK")
        except Exception:
            pass


def _timestamp(value):
    """SQLite keeps times as text; what does not read as one is left as it is (and refused)."""
    if isinstance(value, str):
        try:
            return datetime.strptime(value, "%Y-%m-%d %H:%M:%S.%f")
        except ValueError:
            return value
    return value


def _count(n: int) -> str:
    return f"{n} statement" + ("" if n == 1 else "s")
