"""Apply migration files to a database and keep the tracking table in step.

files -> statements (sqlgen.splitter) -> database + tracking table.

- A file holding only statements InnoDB can roll back runs in one transaction,
  with its tracking row, so a failure leaves nothing behind.
- Any other file runs statement by statement, and the tracking row records
  each completed statement with a checksum of what ran. A failure is recorded
  with the statement's number and the server's error; after the file is fixed,
  the run resumes at that statement if the statements before it are unchanged.
- The files' own tracking blocks are skipped: the runner sends the same
  tracking statements itself, so a file applied by hand and a file applied by
  sqlgen leave the same row.
- Two runners on one database take turns through a server-side lock.
"""

from __future__ import annotations

import time
from contextlib import contextmanager
from typing import Callable

from .errors import SqlgenError
from .history import Entry, Row, Step
from .migrations import Checksum, FileFacts, body_statements
from .mysql import tracking


class StatementFailed(SqlgenError):
    """A statement of a migration file failed on the server."""

    def __init__(self, file: str, number: int, total: int, line: int, exc):
        code, message = _server_error(exc)
        error = f"error {code}: {message}" if code else message
        self.server_error = f"statement {number} (line {line}): {error}"
        super().__init__(f"{file}, line {line}, statement {number} of {total}: {error}")


class Runner:
    def __init__(self, dbapi, server, version_table: str, echo: Callable[[str], None]):
        self.dbapi = dbapi
        self.server = server
        self.database = server.database
        self.table = version_table
        self.echo = echo
        dbapi.autocommit(True)

    # --- Reading ---------------------------------------------------------------

    def _query(self, sql: str, args=None) -> list[tuple]:
        with self.dbapi.cursor() as cursor:
            cursor.execute(sql, args)
            return list(cursor.fetchall())

    def table_exists(self) -> bool:
        return bool(self._query(tracking.table_exists(), (self.table,))[0][0])

    def rows(self) -> list[Row]:
        if not self.table_exists():
            return []
        return [Row(*row) for row in self._query(tracking.select_rows(self.table))]

    def ensure_table(self) -> None:
        self._send(tracking.create_table(self.table))

    # --- Locking -----------------------------------------------------------------

    @contextmanager
    def locked(self, timeout: float):
        """Hold the server-side lock that makes concurrent runs take turns."""
        name = f"sqlgen:{self.database}:{self.table}"[:64]
        got = self._query("SELECT GET_LOCK(%s, 0)", (name,))[0][0]
        holder = None
        if got != 1:
            holder = self._query("SELECT IS_USED_LOCK(%s)", (name,))[0][0]
            self.echo(f"waiting up to {timeout:g} s for another sqlgen run (connection {holder}) to finish ...")
            got = self._query("SELECT GET_LOCK(%s, %s)", (name, timeout))[0][0]
        if got != 1:
            raise SqlgenError(
                f"another sqlgen run (connection {holder}) still holds the migration lock on database "
                f"{self.database!r} after {timeout:g} s; try again when it has finished (--lock-timeout to wait longer)"
            )
        try:
            yield
        finally:
            self._query("SELECT RELEASE_LOCK(%s)", (name,))

    # --- Running -----------------------------------------------------------------

    def upgrade(self, step: Step) -> None:
        entry, facts = step.entry, step.entry.facts
        path = entry.migration.up
        version, name = entry.version, entry.name
        started = time.monotonic()
        if facts.transactional:
            self._run_transaction(entry, facts)
        else:
            self._check_prefix(path, step.resume_from, entry.row.progress_checksum if entry.row else None)
            if entry.row is None:
                self._send(tracking.up_start(self.table, version, name, facts.checksum, facts.count))
            else:
                self._send(tracking.restart_up(self.table, version, name, facts.checksum, facts.count))
                if step.resume_from:
                    self.echo(f"resuming {name} at statement {step.resume_from + 1} of {facts.count}")
            self._run_statements(path, facts, step.resume_from, version, "failed", "upgrade")
            self._send(tracking.up_end(self.table, version))
        seconds = time.monotonic() - started
        self.echo(f"applied {name} ({_count(facts.count)}, {seconds:.2f} s)")

    def downgrade(self, step: Step, down_facts: FileFacts) -> None:
        entry = step.entry
        path = entry.migration.down
        version, name = entry.version, entry.name
        started = time.monotonic()
        self._check_prefix(path, step.resume_from, entry.row.progress_checksum)
        if entry.row.state == "revert_failed":
            self._send(tracking.restart_down(self.table, version, down_facts.checksum, down_facts.count))
            if step.resume_from:
                self.echo(f"resuming the down file of {name} at statement {step.resume_from + 1} of {down_facts.count}")
        else:
            self._send(tracking.down_start(self.table, version, down_facts.checksum, down_facts.count))
        if down_facts.transactional and not step.resume_from:
            self._run_down_transaction(entry, down_facts)
        else:
            self._run_statements(path, down_facts, step.resume_from, version, "revert_failed", "downgrade")
            self._send(tracking.down_end(self.table, version))
        seconds = time.monotonic() - started
        self.echo(f"reverted {name} ({_count(down_facts.count)}, {seconds:.2f} s)")

    def stamp(self, entries: list[Entry], version: int) -> None:
        """Record exactly the migrations up to `version` as applied, running nothing."""
        self._send(tracking.unstamp_above(self.table, version))
        for entry in entries:
            if entry.version <= version and entry.migration is not None:
                facts = entry.facts
                self._send(tracking.stamp_row(self.table, entry.version, entry.name, facts.checksum, facts.count))

    def _run_transaction(self, entry: Entry, facts: FileFacts) -> None:
        """A file of rollback-able statements: all of it and its row, or nothing."""
        version, name = entry.version, entry.name
        self.dbapi.begin()
        try:
            if entry.row is None:
                self._send(tracking.up_start(self.table, version, name, facts.checksum, facts.count))
            else:
                self._send(tracking.restart_up(self.table, version, name, facts.checksum, facts.count))
            for number, statement in body_statements(entry.migration.up):
                self._execute(entry.migration.up.name, number, facts.count, statement)
            self._send(tracking.up_end(self.table, version))
            self.dbapi.commit()
        except StatementFailed as failure:
            self._rollback()
            self._record(tracking.failed_row(self.table, version, name, facts.checksum, facts.count,
                                             failure.server_error), failure)
            raise SqlgenError(f"{failure}; it ran in one transaction, so none of it stayed applied: "
                              "fix it and run sqlgen upgrade again") from None
        except BaseException:
            self._rollback()
            raise

    def _run_down_transaction(self, entry: Entry, facts: FileFacts) -> None:
        version = entry.version
        self.dbapi.begin()
        try:
            for number, statement in body_statements(entry.migration.down):
                self._execute(entry.migration.down.name, number, facts.count, statement)
            self._send(tracking.down_end(self.table, version))
            self.dbapi.commit()
        except StatementFailed as failure:
            self._rollback()
            self._record(tracking.failed(self.table, version, "revert_failed", failure.server_error), failure)
            raise SqlgenError(f"{failure}; it ran in one transaction, so none of it stayed applied: "
                              "fix it and run sqlgen downgrade again") from None
        except BaseException:
            self._rollback()
            raise

    def _run_statements(self, path, facts: FileFacts, skip: int, version: int, failed_state: str,
                        command: str) -> None:
        progress = Checksum()
        for number, statement in body_statements(path):
            if number > skip:
                try:
                    self._execute(path.name, number, facts.count, statement)
                except StatementFailed as failure:
                    self._record(tracking.failed(self.table, version, failed_state, failure.server_error), failure)
                    done = number - 1
                    kept = f"{_first(done)} stayed applied (MySQL commits DDL at once)" if done else \
                        "no statement of it ran"
                    raise SqlgenError(
                        f"{failure}; {kept}. Fix the statement and run sqlgen {command} again to resume "
                        f"from statement {number}, or repair by hand and run sqlgen stamp"
                    ) from None
            progress.add(statement.text)
            if number > skip:
                self._send(tracking.progress(self.table, version, number, progress.hexdigest()))

    def _check_prefix(self, path, skip: int, recorded: str | None) -> None:
        """Before resuming, the statements that already ran must be the same as in the file."""
        if not skip:
            return
        prefix = Checksum()
        for number, statement in body_statements(path):
            if number > skip:
                break
            prefix.add(statement.text)
        if prefix.hexdigest() != recorded:
            raise SqlgenError(
                f"{path.name}: {_first(skip)} ran before the failure, but changed in the file "
                "since; restore them so the run can resume after them, or repair the database by hand and "
                "run sqlgen stamp"
            )

    def _execute(self, file: str, number: int, total: int, statement) -> None:
        import pymysql

        try:
            with self.dbapi.cursor() as cursor:
                cursor.execute(statement.text)
                warnings = cursor.warning_count
        except pymysql.err.MySQLError as exc:
            raise StatementFailed(file, number, total, statement.line, exc) from None
        if warnings:
            for level, code, message in self.dbapi.show_warnings() or ():
                self.echo(f"{level.lower()}: {file}, line {statement.line}, statement {number}: {code} {message}")

    def _send(self, sql: str) -> None:
        with self.dbapi.cursor() as cursor:
            cursor.execute(sql)

    def _record(self, sql: str, failure: StatementFailed) -> None:
        try:
            self._send(sql)
        except Exception as exc:  # e.g. the connection is gone
            raise SqlgenError(f"{failure}; recording the failure in {self.table} failed too: {exc}") from None

    def _rollback(self) -> None:
        try:
            self.dbapi.rollback()
        except Exception:
            pass


def _server_error(exc) -> tuple[int | None, str]:
    args = getattr(exc, "args", ())
    code = args[0] if args and isinstance(args[0], int) else None
    message = str(args[1]) if len(args) > 1 else str(exc)
    return code, message


def _count(n: int) -> str:
    return f"{n} statement" + ("" if n == 1 else "s")



def _first(n: int) -> str:
    return "statement 1" if n == 1 else f"statements 1-{n}"
