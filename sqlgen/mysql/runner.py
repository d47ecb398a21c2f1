"""Apply migration files to a database and keep the tracking table in step.

files -> statements (sqlgen.splitter) -> database + tracking table.

- Each file runs in a fresh server session, as it would with the client:
  a `USE`, `SET` or `LOCK TABLES` in one file never leaks into the next, and
  the tracking table is always written in the database of the URL.
- A file holding only statements InnoDB can roll back runs in one transaction,
  with its tracking row, so a failure leaves nothing behind.
- Any other file runs statement by statement. A second session (which also
  holds the lock) records progress: after every statement that commits on its
  own (DDL), and at least once a second otherwise. A failure is recorded with
  the number of statements done, a checksum of them and the server's error;
  after the file is fixed, the run resumes at the failed statement if the
  statements before it are unchanged.
- The files' own tracking blocks are skipped: the runner sends the same
  tracking statements itself, so a file applied by hand and a file applied by
  sqlgen leave the same row.
- Two runners on one database take turns through a server-side lock.
"""

from __future__ import annotations

import queue
import re
import sys
import threading
import time
from contextlib import closing, contextmanager
from dataclasses import dataclass
from typing import Callable, Iterator

from ..database import close_quietly
from ..errors import SqlgenError
from ..history import UNFINISHED, Entry, Row, Step, read_row
from ..migrations import Checksum, FileFacts, body_statements, shown_statement
from . import preconditions, tracking
from ..preconditions import SAMPLE_ROWS, failure_message
from ..progress import Progress
from .transactions import FILE_READING, is_transactional, kind, only_sets_the_session, session_state_lost, unwrapped

PROGRESS_INTERVAL = 1.0  # seconds between progress records of statements that roll back
TRACKING_LOCK_WAIT = 60  # seconds the tracking session waits for a lock before the run stops
READ_AHEAD_CHARS = 256 * 1024  # statements split ahead of the server, handed over in batches of this size
# A data file run while it is read goes to the server in packets of up to this many characters
# (and an eighth of the server's max_allowed_packet; at most PACKET_STATEMENTS statements): a round
# trip per packet, not per statement. A longer statement goes alone.
PACKET_CHARS = 512 * 1024
PACKET_STATEMENTS = 1000
READ_AHEAD_BATCHES = 8  # at most this many batches split ahead (a few MB in memory)


class StatementFailed(SqlgenError):
    """A statement of a migration file failed on the server."""

    def __init__(self, file: str, number: int, total: int, line: int, exc):
        code, message = _server_error(exc)
        error = f"error {code}: {message}" if code else message
        self.exc = exc
        self.number, self.line = number, line
        self.server_error = f"statement {number} (line {line}): {error}"
        super().__init__(f"{file}, line {line}, statement {number} of {total}: {error}")


class Runner:
    def __init__(self, control, open_session, server, version_table: str, echo: Callable[[str], None]):
        """`control` is the session that holds the lock and records progress;
        `open_session()` gives a fresh session for each migration file."""
        self.control = control
        self.open_session = open_session
        self.server = server
        self.database = server.database
        self.table = version_table
        self.progress = Progress(echo)
        self.echo = self.progress.saying(echo)  # a message first wipes a progress line on the terminal
        control.autocommit(True)
        self.control_id = control.thread_id()
        self._spare = None  # a file session to reuse

    # --- Reading ---------------------------------------------------------------

    def _query(self, sql: str, args=None) -> list[tuple]:
        with self.control.cursor() as cursor:
            cursor.execute(sql, args)
            return list(cursor.fetchall())

    def read_only(self, queries: list[str], setup: list[str] = ()) -> list[list[tuple]]:
        """The rows of each query, read in a read-only transaction (`sqlgen preflight`), after those
        `setup` statements that only set the session (a file's SET NAMES, its escape pin)."""
        with self.control.cursor() as cursor:
            for sql in setup:
                if only_sets_the_session(sql):
                    cursor.execute(sql)
            cursor.execute("START TRANSACTION READ ONLY")
            try:
                results = []
                for sql in queries:
                    cursor.execute(sql)
                    results.append(list(cursor.fetchall()))
                return results
            finally:
                cursor.execute("ROLLBACK")

    def _columns(self) -> set[str]:
        return {str(found[0]).lower() for found in self._query(tracking.table_columns(), (self.table,))}

    def table_exists(self) -> bool:
        return bool(self._columns())

    def rows(self) -> list[Row]:
        """The tracking rows, with the runner's own columns where the table has them (a table
        a file run by hand made has not): one query, a second only for such a table."""
        import pymysql

        for runner_columns in (True, False):
            try:
                found = self._query(tracking.select_rows(self.table, runner_columns))
                return [read_row(row, self.table) for row in found]
            except pymysql.err.MySQLError as exc:
                code = exc.args[0] if exc.args else None
                if code == 1146:  # no such table: nothing recorded yet
                    return []
                if code != 1054:  # unknown column
                    raise
                missing = exc.args[1]
        raise SqlgenError(f"the tracking table {self.table!r} has the wrong shape ({missing}): sqlgen did not make "
                          "it. Rename it, or set version_table to another name")

    def ensure_table(self) -> None:
        """The tracking table, with the columns only the runner writes (a file run by hand
        makes the table without them)."""
        import pymysql

        columns = self._columns()
        if not columns:  # made whole at once: one DDL statement rather than two
            _send(self.control, tracking.create_table(self.table, runner_columns=True))
            columns = self._columns()  # (or made meanwhile by a file run by hand, without them)
        missing = [name for name in tracking.RUNNER_COLUMNS if name not in columns]
        if missing:
            try:
                _send(self.control, tracking.add_runner_columns(self.table, missing))
            except pymysql.err.OperationalError as exc:
                if exc.args[0] != 1060:  # a concurrent run added them first
                    raise

    def lock_holder(self) -> int | None:
        """The connection of a sqlgen run applying migrations right now, if any."""
        return self._query("SELECT IS_USED_LOCK(%s)", (self._lock_name(),))[0][0]

    def _lock_name(self) -> str:
        return f"sqlgen:{self.database}:{self.table}"[:64]

    # --- Locking -----------------------------------------------------------------

    @contextmanager
    def locked(self, timeout: float):
        """Hold the server-side lock that makes concurrent runs take turns."""
        name = self._lock_name()
        # While a file runs, this session may sit idle for as long as a statement takes: the
        # server must not close it (wait_timeout), which would release the lock.
        # Its own writes wait at most a minute for a lock: a file that holds one on the tracking
        # table (FLUSH TABLES WITH READ LOCK) stops the run instead of hanging it.
        _send(self.control, f"SET SESSION wait_timeout = 31536000, lock_wait_timeout = {TRACKING_LOCK_WAIT}, "
                            f"innodb_lock_wait_timeout = {TRACKING_LOCK_WAIT}")
        got = self._query("SELECT GET_LOCK(%s, 0)", (name,))[0][0]
        holder = None
        if got != 1:
            holder = self.lock_holder()
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
            try:
                self._query("SELECT RELEASE_LOCK(%s)", (name,))
            except Exception:  # the session is gone, and the lock with it; keep the real error
                pass

    # --- Running -----------------------------------------------------------------

    # A large pending file is read as it runs (commands read its facts only when this is True).
    reads_as_it_runs = True

    def upgrade(self, step: Step) -> None:
        facts = step.entry.facts
        self.progress.start(step.entry.migration.up.name, facts.count if facts else 0)
        try:
            self._upgrade(step)
        finally:
            self.progress.done()

    def _upgrade(self, step: Step) -> None:
        entry, facts = step.entry, step.entry.facts
        path = entry.migration.up
        version, name = entry.version, entry.name
        started = time.monotonic()
        if facts is None:  # not read yet: a large pending file
            facts = self._upgrade_as_read(step)
            if facts is not None:
                self.echo(f"applied {name} ({_count(facts.count)}, {time.monotonic() - started:.2f} s)")
                return
            facts = self._read_facts(entry.migration, "up")
            if facts.problems:
                raise SqlgenError(f"{path.name}, {facts.problems[0]}; nothing of it was run")
        start = (tracking.up_start(self.table, version, name, facts.checksum, facts.count) if entry.row is None
                 else tracking.restart_up(self.table, version, name, facts.checksum, facts.count))
        if facts.transactional and not step.resume_from and self._all_tables_innodb(path.name):
            self._run_transaction(
                path, facts, start, tracking.up_end(self.table, version),
                lambda error: tracking.failed_row(self.table, version, name, facts.checksum, facts.count, error),
                "upgrade",
            )
        else:
            self._check_prefix(path, step, entry.row.progress_checksum if entry.row else None)
            if step.resume_from:
                self.echo(f"resuming {name} at statement {step.resume_from + 1} of {facts.count}")
            FileRun(self, path, facts, version, "failed", "upgrade", step.resume_from).run(
                start, [tracking.up_end(self.table, version, released=True)])
        seconds = time.monotonic() - started
        self.echo(f"applied {name} ({_count(facts.count)}, {seconds:.2f} s)")

    def _read_facts(self, migration, direction: str) -> FileFacts:
        from ..blocks import expected_tracking
        from ..migrations import facts

        path = migration.up if direction == "up" else migration.down
        return facts(path, FILE_READING, expected_tracking(self.dialect, self.table, migration, direction),
                     self.server.sql_mode, is_transactional)

    def _upgrade_as_read(self, step: Step) -> FileFacts | None:
        """Run a pending file while reading it, in one transaction with its tracking row, as
        long as it holds only statements InnoDB rolls back: the facts (checksum, count, what
        sqlgen refuses) are summed up as it goes, and the row is written at the end. Anything
        else rolls it all back, and None says: read it whole first, then run it as any other.
        Reading a large data file once instead of twice is most of its cost."""
        from ..blocks import expected_tracking
        from ..migrations import FactsReader, open_migration

        entry = step.entry
        path, version, name = entry.migration.up, entry.version, entry.name
        if entry.row is not None or not self._all_tables_innodb(path.name):
            return None
        reader = FactsReader(path.name, FILE_READING, expected_tracking(self.dialect, self.table, entry.migration, "up"),
                             self.server.sql_mode, is_transactional, keep=False)
        session = self.open_session()
        try:
            session.autocommit(True)
            session.begin()
            try:
                with session.cursor() as cursor:  # a packet stays well within what the server takes
                    cursor.execute("SELECT @@max_allowed_packet")
                    budget = min(PACKET_CHARS, int(cursor.fetchone()[0]) // 8)
                with open_migration(path) as handle, closing(read_ahead(reader.statements(handle))) as statements:
                    packet, size = [], 0
                    for number, statement in statements:
                        if reader.refused or not is_transactional(statement.text):
                            _rollback(session)
                            return None
                        if packet and size + len(statement.text) > budget:
                            self._execute_many(session, path.name, packet)
                            packet, size = [], 0
                        packet.append((number, statement))
                        size += len(statement.text)
                        if len(packet) >= PACKET_STATEMENTS:
                            self._execute_many(session, path.name, packet)
                            packet, size = [], 0
                    self._execute_many(session, path.name, packet)
            except UnicodeDecodeError:
                _rollback(session)
                return None  # said in full by the whole read
            except StatementFailed as failure:
                if _is_lost(failure.exc):
                    self.wait_until_gone(session.thread_id(), path.name, failure.number)
                broken = _broken_precondition(getattr(failure, "statement", None), failure)
                if broken is not None:
                    message = failure_message(path.name, broken.violation, *_rows_breaking(session, broken),
                                              "upgrade", True)
                    _rollback(session)
                    facts = self._read_facts(entry.migration, "up")
                    self._record(tracking.failed_row(self.table, version, name, facts.checksum, facts.count,
                                                     f"statement {failure.number}: {message.split(': ', 1)[1]}"),
                                 failure)
                    raise SqlgenError(message) from None
                _rollback(session)
                facts = self._read_facts(entry.migration, "up")
                failure = StatementFailed(path.name, failure.number, facts.count, failure.line, failure.exc)
                self._record(tracking.failed_row(self.table, version, name, facts.checksum, facts.count,
                                                 failure.server_error), failure)
                raise SqlgenError(f"{failure}; it ran in one transaction, so none of it stayed applied: fix the "
                                  "cause (the statement, or the data it failed on) and run sqlgen upgrade again"
                                  ) from None
            facts = reader.facts()
            if facts.problems:
                _rollback(session)
                raise SqlgenError(f"{path.name}, {facts.problems[0]}; nothing of it was run (it ran in one "
                                  "transaction, rolled back)")
            _send(session, tracking.up_start(self.table, version, name, facts.checksum, facts.count))
            _send(session, tracking.up_end(self.table, version))
            session.commit()
            return facts
        except BaseException:
            _rollback(session)
            raise
        finally:
            close_quietly(session)

    def downgrade(self, step: Step, down_facts: FileFacts) -> None:
        self.progress.start(step.entry.migration.down.name, down_facts.count)
        try:
            self._downgrade(step, down_facts)
        finally:
            self.progress.done()

    def _downgrade(self, step: Step, down_facts: FileFacts) -> None:
        entry = step.entry
        path = entry.migration.down
        version, name = entry.version, entry.name
        started = time.monotonic()
        start = (tracking.down_start(self.table, version, down_facts.checksum, down_facts.count)
                 if entry.row.state == "applied"
                 else tracking.restart_down(self.table, version, down_facts.checksum, down_facts.count))
        if down_facts.transactional and not step.resume_from and self._all_tables_innodb(path.name):
            # The row changes in the file's own transaction: if the run dies, the server rolls both
            # back, and the row still says what the database holds.
            self._run_transaction(
                path, down_facts, start, tracking.down_end(self.table, version),
                lambda error: tracking.failed(self.table, version, "revert_failed", 0, None, error),
                "downgrade",
            )
        else:
            self._check_prefix(path, step, entry.row.progress_checksum if entry.row.state != "applied" else None)
            if step.resume_from:
                self.echo(f"resuming the down file of {name} at statement {step.resume_from + 1} of {down_facts.count}")
            FileRun(self, path, down_facts, version, "revert_failed", "downgrade", step.resume_from).run(
                start, [tracking.down_end(self.table, version)])
        seconds = time.monotonic() - started
        self.echo(f"reverted {name} ({_count(down_facts.count)}, {seconds:.2f} s)")

    def stamp(self, entries: list[Entry], version: int) -> None:
        """Record exactly the migrations up to `version` as applied, running nothing.

        Rows of migrations that really ran stay as they are (a changed checksum is
        brought up to date); the others are recorded as stamped.
        """
        _send(self.control, tracking.unstamp_above(self.table, version))
        for entry in entries:
            if entry.version > version or entry.migration is None:
                continue
            facts = entry.facts
            if entry.applied:
                if entry.changed:
                    _send(self.control, tracking.new_checksum(self.table, entry.version, facts.checksum, facts.count))
                continue
            _send(self.control, tracking.stamp_row(self.table, entry.version, entry.name, facts.checksum, facts.count))
            _send(self.control, tracking.release(self.table, entry.version))

    def sessions(self):
        """What the server runs now, taken before the tracking rows are read: a file session
        gone by then has written all it ever will, so the rows read afterwards are final for it."""
        now, uptime = self._query("SELECT NOW(6), (SELECT VARIABLE_VALUE FROM information_schema.GLOBAL_STATUS "
                                  "WHERE VARIABLE_NAME = 'UPTIME')")[0]
        running = {found[0]: found for found in self._query(
            "SELECT ID, TIME, COMMAND, INFO, DB, USER FROM information_schema.PROCESSLIST "
            "WHERE ID <> CONNECTION_ID()")}
        return now, float(uptime or 0), running

    def live_sessions(self, rows: list[Row], snapshot) -> dict[int, "LiveSession"]:
        """The sessions that may still run a statement of an unfinished row, by version (from
        `sessions()`, taken before `rows` were read):
        - a sqlgen run's file session, named in the row; a connection id from before the
          server last started is not asked about (ids start again from 1);
        - for a row written by a file run by hand, which names no connection, any session of
          the same user running a statement in this database: it may be that client."""
        if snapshot is None:  # no row was unfinished
            return {}
        now, uptime, running = snapshot
        own = {self.control_id} | ({self._spare.thread_id()} if self._spare is not None else set())
        live = {}
        for row in rows:
            if row.state not in UNFINISHED:
                continue
            if row.connection_id is not None:
                found = running.get(row.connection_id)
                if found is not None and (now - row.started_at).total_seconds() <= uptime + 1:
                    live[row.version] = LiveSession(row.connection_id, int(found[1] or 0), found[2], found[3])
                continue
            user = row.applied_by.rpartition("@")[0]
            for found in running.values():
                if (found[0] not in own and found[2] == "Query" and found[3] and found[4] == self.database
                        and found[5] == user):
                    live[row.version] = LiveSession(found[0], int(found[1] or 0), found[2], found[3], by_hand=True)
                    break
        return live

    def take_session(self):
        """A session for the next file: the one the last file used, reset by the server to what
        a new connection has (COM_RESET_CONNECTION: no variables, temporary tables, locks or
        transaction), or a new one."""
        spare, self._spare = self._spare, None
        if spare is not None:
            try:
                spare.reset_session()
                return spare
            except Exception:  # an old server, or the session is gone: a new connection does
                close_quietly(spare)
        return self.open_session()

    def keep_session(self, session) -> bool:
        if self._spare is not None or not hasattr(session, "reset_session"):
            return False
        self._spare = session
        return True

    def close(self) -> None:
        spare, self._spare = self._spare, None
        if spare is not None:
            close_quietly(spare)

    def _all_tables_innodb(self, file: str = "", number: int = 1) -> bool:
        """One transaction can undo a file only if every table it may touch is InnoDB. Asked
        for each file as it starts: an earlier file of the same run may have made a MyISAM table."""
        others = self._control(
            # Every kind of table (MariaDB calls a system-versioned one SYSTEM VERSIONED, a sequence
            # SEQUENCE), views aside.
            "SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() "
            "AND TABLE_TYPE NOT IN ('VIEW', 'SYSTEM VIEW') AND (ENGINE IS NULL OR ENGINE <> 'InnoDB')",
            "before", file, number)[0][0]
        return not others

    def _run_transaction(self, path, facts: FileFacts, start: str | None, end: str,
                         failed: Callable[[str], str], command: str) -> None:
        """A file of rollback-able statements: all of it and its tracking row, or nothing."""
        session = self.open_session()
        try:
            session.autocommit(True)
            session.begin()
            try:
                if start:
                    _send(session, start)
                current = None
                with closing(_statements(path, self.server.sql_mode, facts)) as statements:
                    for number, statement in statements:
                        current = statement
                        self._execute(session, path.name, number, facts.count, statement)
                _send(session, end)
                session.commit()
            except StatementFailed as failure:
                if _is_lost(failure.exc):
                    # The server ends the statement, then rolls the transaction back: only then is
                    # "none of it stayed" true.
                    self.wait_until_gone(session.thread_id(), path.name, failure.number)
                broken = _broken_precondition(current, failure)
                if broken is not None:
                    message = failure_message(path.name, broken.violation, *_rows_breaking(session, broken),
                                              command, True)
                    _rollback(session)
                    self._record(failed(f"statement {failure.number}: {message.split(': ', 1)[1]}"), failure)
                    raise SqlgenError(message) from None
                _rollback(session)
                self._record(failed(failure.server_error), failure)
                raise SqlgenError(f"{failure}; it ran in one transaction, so none of it stayed applied: "
                                  f"fix the cause (the statement, or the data it failed on) and run sqlgen "
                                  f"{command} again") from None
            except BaseException:
                _rollback(session)
                raise
        finally:
            close_quietly(session)

    def _check_prefix(self, path, step: Step, recorded: str | None) -> None:
        """Before resuming, the statements that already ran must be the same as in the file.
        Past what the row records (--resume-after), the DBA's look stands for the record."""
        checked = min(step.resume_from, step.recorded)
        if not step.resume_from:
            return
        prefix = Checksum()
        for number, statement in body_statements(path, FILE_READING, sql_mode=self.server.sql_mode):
            if number > step.resume_from:
                break
            lost = session_state_lost(statement.text)
            if lost:
                # The resumed file runs in a new session, which gets the SETs before the failure
                # again; this statement's part of the session it cannot get back the same.
                raise SqlgenError(
                    f"{path.name}: statement {number}, before where the run would resume, {lost} "
                    f"({shown_statement(statement.text)}); a new session cannot get that back the same, so sqlgen "
                    "does not resume this file. Finish it by hand in one session, then record the result with sqlgen "
                    "stamp")
            if number <= checked:
                prefix.add(statement.text)
        if checked and prefix.hexdigest() != recorded:
            raise SqlgenError(
                f"{path.name}: {_first(checked)} ran before the failure, but changed in the file since; "
                f"restore {'it' if checked == 1 else 'them'} so the run can resume after "
                f"{'it' if checked == 1 else 'them'}, or repair the database by hand and run sqlgen stamp"
            )

    def _execute(self, session, file: str, number: int, total: int, statement) -> None:
        import pymysql

        self.progress.tick(number)
        _check_reading(session, file, number, total, statement)
        try:
            with session.cursor() as cursor:
                cursor.execute(statement.text)
                warnings = cursor.warning_count
                while cursor.nextset():  # CALL may return several result sets
                    pass
        except pymysql.err.MySQLError as exc:
            failure = StatementFailed(file, number, total, statement.line, exc)
            failure.statement = statement
            raise failure from None
        if warnings:
            self._show_warnings(session, file, number, statement)

    def _execute_many(self, session, file: str, packet: list) -> None:
        """Statements of one transaction, several to a packet, each followed by SHOW WARNINGS:
        the server runs them in order and stops at the first error, so the replies tell which
        failed, and what each warned of. A statement the server would read otherwise than the
        file (backslashes, see _check_reading) after the one before it fails the file, which
        the caller rolls back whole."""
        import pymysql

        if len(packet) <= 1:
            for number, statement in packet:
                self._execute(session, file, number, 0, statement)
            return
        self.progress.tick(packet[0][0])
        _check_reading(session, file, packet[0][0], 0, packet[0][1])
        items = [item for _, statement in packet for item in (statement.text, "SHOW WARNINGS")]
        received = 0  # replies read: two per statement
        try:
            with session.cursor() as cursor:
                cursor.execute(";\n".join(items))
                while True:
                    number, statement = packet[received // 2]
                    if received % 2 == 0:
                        warned = cursor.warning_count
                    else:
                        if warned:
                            for level, code, message in cursor.fetchall():
                                self.echo(f"{level.lower()}: {file}, line {statement.line}, statement {number}: "
                                          f"{code} {message}")
                        if received // 2 + 1 < len(packet):  # the next one, already sent
                            following, next_statement = packet[received // 2 + 1]
                            _check_reading(session, file, following, 0, next_statement, sent=True)
                    received += 1
                    if received == len(items) or not cursor.nextset():
                        break
        except pymysql.err.MySQLError as exc:
            number, statement = packet[min(received // 2, len(packet) - 1)]
            if received % 2 == 0 and exc.args and exc.args[0] == 1064:
                exc = self._parse_error_alone(session, statement, exc)
            failure = StatementFailed(file, number, 0, statement.line, exc)
            failure.statement = statement
            raise failure from None

    def _parse_error_alone(self, session, statement, exc):
        """The server quotes a syntax error's context up to the end of the packet: alone, the
        statement gives the message the client gives. It never ran, and runs alone inside a
        transaction rolled back at once, so that nothing of it can stay."""
        import pymysql

        try:
            _rollback(session)
            session.begin()
            with session.cursor() as cursor:
                cursor.execute(statement.text)
        except pymysql.err.MySQLError as alone:
            if alone.args and alone.args[0] == 1064:
                return alone
        finally:
            _rollback(session)
        return exc

    def _show_warnings(self, session, file: str, number: int, statement) -> None:
        for level, code, message in session.show_warnings() or ():
            self.echo(f"{level.lower()}: {file}, line {statement.line}, statement {number}: {code} {message}")

    def _record(self, sql: str, failure) -> None:
        try:
            _send(self.control, sql)
        except Exception as exc:  # e.g. the connection is gone
            raise SqlgenError(f"{failure}; recording the failure in {self.table} failed too ({_reason(exc)}); "
                              "run sqlgen status to see what the database records") from None

    def _control(self, sql: str, what: str, file: str, number: int):
        """A statement on the tracking session, whose loss names the file and the statement."""
        import pymysql

        try:
            return self._query(sql)
        except Exception as exc:
            if not _is_lost(exc):
                if isinstance(exc, pymysql.err.MySQLError):
                    raise SqlgenError(
                        f"{file}: sqlgen could not record its progress {what} statement {number} ({_reason(exc)}); "
                        "a statement of the file may hold a lock the tracking table needs (FLUSH TABLES WITH READ "
                        "LOCK, LOCK TABLES): sqlgen stopped, and its session with its locks is gone. Run sqlgen "
                        "status to see what is recorded") from None
                raise
            raise SqlgenError(
                f"{file}: the tracking session was lost {what} statement {number} ({_reason(exc)}), and with it "
                "the migration lock; sqlgen stopped. Run sqlgen status to see what is recorded, then sqlgen "
                "upgrade or downgrade again") from None

    def wait_until_gone(self, connection_id: int, file: str, number: int) -> None:
        """Wait while the server still runs the statement of a session whose connection was lost:
        only once it ends is what it did final."""
        waited = 0.0
        told = False
        while self._control(f"SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE ID = {int(connection_id)}",
                            "while waiting on", file, number)[0][0]:
            if waited >= 1 and not told:
                self.echo(f"the connection running statement {number} of {file} was lost, but the server still runs "
                          f"it (connection {connection_id}); waiting for it to end (KILL QUERY {connection_id} "
                          "stops it)")
                told = True
            time.sleep(0.1)
            waited += 0.1


@dataclass(frozen=True)
class LiveSession:
    """A session the server still runs that may be running a file: a sqlgen run's file session
    left behind, or (`by_hand`) a session of the user who started a file by hand."""

    connection_id: int
    seconds: int
    command: str
    statement: str | None
    by_hand: bool = False


class FileRun:
    """One migration file in one session, with its tracking records.

    While the session stays plain (only DDL, one-table DML and SETs of names,
    checks and user variables, each read under the delimiter ';'), the records
    go in the same packet as the statement they follow or precede, and change
    the row in the file's own session:
    - before a statement that commits on its own, the row says it may be running
      (`in_doubt`), so that after a lost connection or a killed sqlgen the
      statement whose outcome nobody knows is named, never counted one way or
      the other; right after it, in the same packet, the row counts it;
    - DML statements in a row (InnoDB only) run in one transaction with the
      record of their count, committed at least once a second: whatever
      happens, the row and the data commit together, so the count is exact.
    The server runs a packet's statements in order and stops at the first error,
    so a record after a statement runs only if the statement succeeded.
    Anything else (transactions, LOCK TABLES, USE, sql_mode, CALL, ...) turns
    the rest of the file to statement-by-statement runs recorded from the
    runner's own session, each statement announced as in doubt before it runs.
    """

    def __init__(self, runner: Runner, path, facts: FileFacts, version: int, failed_state: str, command: str,
                 skip: int):
        self.runner, self.path, self.facts, self.version = runner, path, facts, version
        self.failed_state, self.command, self.skip = failed_state, command, skip
        self.file = path.name
        self.checksum = Checksum()
        self.digests: dict[int, str | None] = {0: None}  # progress checksum after n statements, where recorded
        self.done = skip  # statements applied once what was sent commits
        self.committed = skip  # statements known applied and committed
        self.plain = True
        self.lead: list[str] = []  # the runner's statements for the front of the next packet
        self.row_done: int | None = None  # what the row will say once the packets sent commit (None: not claimed)
        self.row_doubt: int | None = None
        self.batch_open = False  # a transaction of DML statements is open
        self.batch_started = 0.0
        self.batch_base = skip
        self.innodb: bool | None = None  # whether every table is InnoDB, asked when DML comes
        self.lasting = 0  # statements run that leave something once the session ends
        self.in_trx_base: int | None = None  # statements before a transaction the file opened itself

    # --- Records -------------------------------------------------------------------

    def _sql(self, sql: str) -> str:
        return tracking.in_database(sql, self.runner.database, self.runner.table)

    def _mark(self, done: int, doubt: int | None) -> str:
        claim = self.row_done is None
        self.row_done, self.row_doubt = done, doubt
        return self._sql(tracking.mark(self.runner.table, self.version, done, self.digests.get(done), doubt, claim))

    def _digest_here(self, number: int) -> None:
        self.digests[number] = self.checksum.hexdigest()
        if len(self.digests) > 4096:  # the row never goes back before what is committed
            floor = min(self.committed, self.batch_base, self.row_done or 0)
            self.digests = {n: d for n, d in self.digests.items() if n >= floor}

    # --- Running -------------------------------------------------------------------

    def run(self, start: str, end: list[str]) -> None:
        runner = self.runner
        session = runner.take_session()
        kept = False
        try:
            session.autocommit(True)
            self.connection_id = session.thread_id()
            self.session = session
            setup = getattr(session, "pending_setup", None) or []  # what a reset session still needs set
            session.pending_setup = []
            self.lead = [*setup, tracking.lock_guard(runner._lock_name(), runner.control_id), self._sql(start)]
            self.end = [self._sql(sql) for sql in end]
            waiting = None  # each statement is sent once the one after it is known
            with closing(_statements(self.path, runner.server.sql_mode, self.facts)) as statements:
                for number, statement in statements:
                    if number <= self.skip:
                        self._skipped(number, statement)
                        continue
                    if waiting is not None:
                        self._statement(*waiting, statement)
                    waiting = (number, statement)
            try:
                if waiting is not None:
                    self._statement(*waiting, None)
                else:
                    self._finish_empty()
            except _FinishedOnTheServer:
                return
            # A session that stayed plain never left its database: the next file may reuse it.
            kept = self.plain and runner.keep_session(session)
        finally:
            if not kept:
                close_quietly(session)

    def _skipped(self, number: int, statement) -> None:
        """A statement that ran before the failure: a SET of the session (or USE) runs again,
        since the new session must read the rest as the old one did; the rest stays done.
        (Runner._check_prefix has refused a SET that cannot be run again to the same effect.)"""
        self._flush_lead()  # the row is this session's before anything runs
        self.checksum.add(statement.text)
        self._digest_here(number)
        kind = _kind(statement)
        if kind == "other":
            self.plain = False
        if preconditions.is_precondition(statement.text):
            # Checked again while nothing has changed yet: the rows may have changed since. (After a
            # change, the names it reads may be gone, and the change it guards is made.)
            if not self.lasting:
                try:
                    self.runner._execute(self.session, self.file, number, self.facts.count, statement)
                except StatementFailed as failure:
                    self.done = number - 1  # only SETs and checks before it: the run resumes at this check
                    self._failed(number, statement, "session", False, failure)
            return
        replay = only_sets_the_session(statement.text) or bool(_USE.match(unwrapped(statement.text)))
        self.lasting += kind != "session" and not replay
        if kind == "session" or replay:
            self.runner._execute(self.session, self.file, number, self.facts.count, statement)

    def _statement(self, number: int, statement, following) -> None:
        kind = _kind(statement) if self.plain else "other"
        if self.plain and kind == "other":
            self._leave_plain()
        self.checksum.add(statement.text)
        self._digest_here(number)
        if not self.plain:
            self._statement_alone(number, statement)
            if following is None:
                self._finish_alone()
            return
        if kind == "dml" and self.innodb is None:
            self.innodb = self.runner._all_tables_innodb(self.file, number)
        batched = kind == "dml" and self.innodb
        lead = self._lead(number, kind, batched)
        in_batch = self.batch_open  # (the trail closes it, if the statement succeeds)
        trail = self._trail(number, kind, batched, following)
        self._send(lead, trail, number, statement, kind, in_batch)
        if kind == "ddl":
            self.innodb = None  # it may have made a table of another engine
        self.done = number
        if not self.batch_open:
            self.committed = number
        self.lasting += kind != "session"

    def _lead(self, number: int, kind: str, batched: bool) -> list[str]:
        """What must commit before statement `number` starts."""
        records, self.lead = self.lead, []
        if batched:
            if self.batch_open:
                return records
            if self.row_done != number - 1 or self.row_doubt is not None:
                records.append(self._mark(number - 1, None))
            self.batch_open, self.batch_started, self.batch_base = True, time.monotonic(), number - 1
            return _together(records) + ["START TRANSACTION"]
        doubt = None if kind == "session" else number
        if self.batch_open:
            self.batch_open = False
            return records + [self._mark(number - 1, doubt), "COMMIT"]
        if self.row_done != number - 1 or self.row_doubt != doubt:
            records.append(self._mark(number - 1, doubt))
        return _together(records)

    def _trail(self, number: int, kind: str, batched: bool, following) -> list[str]:
        """What the server runs right after statement `number` succeeds: the count of a batch it
        closes, or after the last statement the end of the file. Never a mark of the statement
        after it: the server goes on with a packet after its client is gone, and the next
        statement, not sent, must not be named as in doubt."""
        if following is None:
            records = ([self._mark(number, None)] if self.batch_open else []) + self.end
            self.row_done = self.facts.count
            if self.batch_open:
                self.batch_open = False
                return records + ["COMMIT"]
            return _together(records)
        if batched and (_kind(following) != "dml" or time.monotonic() - self.batch_started >= PROGRESS_INTERVAL):
            self.batch_open = False
            return [self._mark(number, None), "COMMIT"]
        return []

    def _send(self, lead: list[str], trail: list[str], number: int, statement, kind: str, in_batch: bool) -> None:
        """One packet: what must come first, the statement, its warnings, and what follows it."""
        import pymysql

        self.runner.progress.tick(number)
        try:
            _check_reading(self.session, self.file, number, self.facts.count, statement)
        except StatementFailed as failure:
            if lead:
                self._send_own(lead, number)
            self._failed(number, statement, "session", in_batch, failure)
        items = lead + [statement.text] + (["SHOW WARNINGS"] if trail else []) + trail
        position = len(lead)  # of the statement among the results
        received = 0
        warnings, shown = 0, ()
        try:
            with self.session.cursor() as cursor:
                cursor.execute(";\n".join(items))
                while True:
                    if received == position:
                        warnings = cursor.warning_count
                    elif received == position + 1 and trail:
                        shown = cursor.fetchall()
                    received += 1
                    if received == len(items) or not cursor.nextset():
                        break
                while cursor.nextset():  # a statement the server read as several (never under ';')
                    pass
        except UnicodeDecodeError:
            # What the server sent is not text in the session's character set (a file that
            # changed it): the rest of the replies cannot be read, so the session goes, and what
            # committed is taken from the row as after a lost connection.
            if received > position:
                self.done = number
                if not in_batch:
                    self.committed = number
            close_quietly(self.session)
            self._lost(number, SqlgenError(None, "the server's reply is not text sqlgen can read in the file's "
                                                 "character set (use SET NAMES utf8mb4)"))
        except pymysql.err.MySQLError as exc:
            if received > position:
                self.done = number
                if not in_batch:
                    self.committed = number
            if _is_lost(exc):
                self._lost(number, exc)
            if received == position and exc.args and exc.args[0] == 1064:
                exc = self._parse_error_alone(statement, exc)
            if received > position:  # the statement ran; a record after it failed
                self._own_failed(number + 1, exc, ran=number)
            if received < position:  # one of sqlgen's own statements failed: the statement did not run
                self._own_failed(number, exc)
            self._failed(number, statement, kind, in_batch, StatementFailed(
                self.file, number, self.facts.count, statement.line, exc))
        if warnings:
            rows = shown if trail else (self.session.show_warnings() or ())
            for level, code, message in rows:
                self.runner.echo(f"{level.lower()}: {self.file}, line {statement.line}, statement {number}: "
                                 f"{code} {message}")

    def _parse_error_alone(self, statement, exc):
        """The server quotes a syntax error's context up to the end of the packet, sqlgen's own
        statements included: the statement alone gives the message the client gives. A
        statement the server cannot parse never ran, so sending it again runs nothing."""
        import pymysql

        try:
            with self.session.cursor() as cursor:
                cursor.execute(statement.text)
        except pymysql.err.MySQLError as alone:
            if alone.args and alone.args[0] == 1064:
                return alone
        return exc

    def _statement_alone(self, number: int, statement) -> None:
        """Outside a plain session: the statement alone, recorded from the runner's session."""
        self._flush_lead()
        runner = self.runner
        sets_only = only_sets_the_session(statement.text)
        if not sets_only:
            recorded = self.done if self.in_trx_base is None else self.in_trx_base
            # Inside the file's own transaction a statement InnoDB rolls back goes with it if the
            # session dies, so it is not in doubt: the row says where that transaction began.
            # What may commit it (COMMIT, DDL, ...) is in doubt.
            rolls_back = self.in_trx_base is not None and is_transactional(statement.text) and self._innodb(number)
            runner._control(tracking.mark(runner.table, self.version, recorded, self.digests.get(recorded),
                                          None if rolls_back else number), "before", self.file, number)
        try:
            runner._execute(self.session, self.file, number, self.facts.count, statement)
        except StatementFailed as failure:
            if _is_lost(failure.exc):
                self._lost(number, failure.exc)
            self._failed(number, statement, _kind(statement), False, failure)
        except UnicodeDecodeError:  # its warnings, in a character set the file set: it ran
            if self.in_trx_base is None:
                self.done = self.committed = number
            close_quietly(self.session)
            self._lost(number, SqlgenError(None, "the server's reply is not text sqlgen can read in the file's "
                                                 "character set (use SET NAMES utf8mb4)"))
        if _kind(statement) == "ddl":
            self.innodb = None  # it may have made a table of another engine
        in_trx = bool((getattr(self.session, "server_status", 0) or 0) & _IN_TRANSACTION)
        if in_trx and self.in_trx_base is None:
            self.in_trx_base = self.done
        elif not in_trx:
            self.in_trx_base = None
        self.done = number
        if self.in_trx_base is None:
            self.committed = number
        self.lasting += not sets_only

    def _innodb(self, number: int) -> bool:
        if self.innodb is None:
            self.innodb = self.runner._all_tables_innodb(self.file, number)
        return self.innodb

    def _leave_plain(self) -> None:
        """From here on the file's session may hold locks, transactions or another database: the
        runner's records go through its own session."""
        records, self.lead = self.lead, []
        if self.batch_open or self.row_done != self.done or self.row_doubt is not None:
            records.append(self._mark(self.done, None))
        records = records + ["COMMIT"] if self.batch_open else _together(records)
        self.batch_open = False
        if records:
            self._send_own(records, self.done + 1)
        self.committed = self.done
        self.plain = False

    def _flush_lead(self) -> None:
        """Send what waits to lead a packet (the start of the file) on its own."""
        if self.lead:
            records = _together(self.lead + [self._mark(self.done, None)])
            self.lead = []
            self._send_own(records, self.done + 1)

    def _send_own(self, items: list[str], number: int) -> None:
        import pymysql

        try:
            with self.session.cursor() as cursor:
                cursor.execute(";\n".join(items))
                while cursor.nextset():
                    pass
        except pymysql.err.MySQLError as exc:
            if _is_lost(exc):
                self._lost(number, exc)
            self._own_failed(number, exc)

    def _finish_empty(self) -> None:
        """Nothing (more) to run: only the records."""
        if self.plain:
            records = self.lead + ([self._mark(self.done, None)] if self.row_done is None else []) + self.end
            self.lead = []
            self._send_own(_together(records), self.facts.count)
        else:
            self._finish_alone()

    def _finish_alone(self) -> None:
        self._flush_lead()
        runner = self.runner
        if self.lasting and _in_transaction(self.session):
            # The client would roll this back when its session ends; so does sqlgen, and says so.
            _rollback(self.session)
            recorded = self.in_trx_base if self.in_trx_base is not None else self.done
            runner._record(tracking.failed(runner.table, self.version, "running", recorded,
                                           self.digests.get(recorded), "left a transaction open; it was rolled back"),
                           self.file)
            raise SqlgenError(
                f"{self.file} left a transaction open (no COMMIT after START TRANSACTION or SET autocommit=0); "
                "it was rolled back, as the client does when its session ends. Check what stayed applied, "
                "add the COMMIT, and record the result with sqlgen stamp"
            )
        for sql in self.end:
            runner._control(sql, "after", self.file, self.facts.count)

    # --- Failures ---------------------------------------------------------------------

    def _failed(self, number: int, statement, kind: str, in_batch: bool, failure: StatementFailed) -> None:
        """A server error on statement `number`: record how far the file got, and whether the
        failed statement may have left something (then it is in doubt, and is not retried blindly).
        `in_batch`: it ran in a transaction of DML statements."""
        runner = self.runner
        applied = self.done
        if in_batch:
            # InnoDB undid the statement; the DML before it in the batch commits with its record,
            # unless the error (a deadlock) rolled the whole transaction back.
            if _in_transaction(self.session):
                try:
                    self._send_own([self._mark(number - 1, None), "COMMIT"], number)
                    applied = number - 1
                except _Recorded:
                    raise
                except SqlgenError:
                    applied = self.batch_base
            else:
                applied = self.batch_base
        elif not self.plain and self.in_trx_base is not None:
            _rollback(self.session)
            applied = self.in_trx_base
        if kind == "dml" and self.innodb is None:
            self.innodb = runner._all_tables_innodb(self.file, number)
        doubt = None if _changes_nothing_on_failure(kind, statement.text, in_batch, self.innodb, runner.server) \
            else number
        broken = _broken_precondition(statement, failure)
        if broken is not None:
            message = failure_message(self.file, broken.violation, *_rows_breaking(self.session, broken), self.command,
                                      self.lasting == 0)
            if not self.lasting:
                # Nothing before it stays once the session ends: the next run starts the file over,
                # every check again (the file may have been edited or made again meanwhile).
                applied = 0
            runner._record(tracking.failed(runner.table, self.version, self.failed_state, applied,
                                           self.digests.get(applied),
                                           f"statement {number}: {message.split(': ', 1)[1]}", None), failure)
            raise SqlgenError(message) from None
        runner._record(tracking.failed(runner.table, self.version, self.failed_state, applied,
                                       self.digests.get(applied), failure.server_error, doubt), failure)
        if doubt:
            raise SqlgenError(
                f"{failure}; it may have done part of its work before it failed, and "
                f"{_kept(applied, self.lasting > 0)}. "
                f"Check what it did, then run sqlgen {self.command} --resume-at {applied + 1} to run it again, or "
                f"sqlgen {self.command} --resume-after {number} to go on after it") from None
        raise SqlgenError(
            f"{failure}; {_kept(applied, self.lasting > 0)}. Fix the cause (the statement, or the data it failed "
            f"on) and run sqlgen {self.command} again to resume from statement {applied + 1}, or repair by hand "
            "and run sqlgen stamp") from None

    def _own_failed(self, number: int, exc, ran: int | None = None) -> None:
        code, message = _server_error(exc)
        if code == 1242 and ran is None:
            raise SqlgenError(
                f"{self.file}: sqlgen no longer holds the migration lock (its tracking session was cut), so it "
                f"stopped before statement {number}; run sqlgen status, then sqlgen {self.command} again") from None
        runner = self.runner
        if ran is not None:  # say what is true through the runner's own session, if it can
            runner._record(tracking.failed(runner.table, self.version, self.failed_state, ran, self.digests.get(ran),
                                           f"recording statement {ran} failed: error {code}: {message}"),
                           f"{self.file}: statement {ran} ran, but recording it failed (error {code}: {message})")
        raise SqlgenError(f"{self.file}: recording progress in {runner.table} "
                          f"{'after statement ' + str(ran) if ran else 'before statement ' + str(number)} failed "
                          f"(error {code}: {message}); sqlgen stopped. Run sqlgen status, then sqlgen "
                          f"{self.command} again") from None

    def _lost(self, number: int, exc) -> None:
        """The file's session was lost: wait until the server has ended its statement, then
        take what the row says (its records commit with what they count) with what sqlgen
        itself saw complete."""
        runner = self.runner
        runner.wait_until_gone(self.connection_id, self.file, number)
        rows = {row.version: row for row in runner.rows()}
        row = rows.get(self.version)
        up = self.failed_state == "failed"
        if (row is not None and row.state == "applied") if up else row is None:
            # The server ran the rest of the packet after the client was gone: its end record, too.
            runner.echo(f"note: the connection was lost at statement {number} of {self.file} "
                        f"({_reason(exc)}), but the server finished the file and recorded it")
            raise _FinishedOnTheServer()
        if row is None or row.state not in UNFINISHED:
            # The record that starts the file never committed: the row is as before.
            raise _Recorded(
                f"{self.file}: the connection was lost before statement {number} ({_reason(exc)}); nothing "
                f"{'of it' if not self.skip else 'more of the file'} ran. Run sqlgen {self.command} again") from None
        applied = max(row.statements_applied, self.committed)
        doubt = row.in_doubt if row.in_doubt is not None and row.in_doubt > applied else None
        error = f"statement {number}: the connection was lost ({_reason(exc)})"
        runner._record(tracking.failed(runner.table, self.version, self.failed_state, applied,
                                       self.digests.get(applied), error, doubt), f"{self.file}: {error}")
        if doubt:
            raise _Recorded(
                f"{self.file}: the connection was lost while statement {doubt} ran ({_reason(exc)}); the server "
                f"finished it, but whether it took effect is unknown, and {_kept(applied, True)}. Check it, then run "
                f"sqlgen {self.command} --resume-after {doubt} if it took effect, or --resume-at {applied + 1} if not"
            ) from None
        raise _Recorded(
            f"{self.file}: the connection was lost at statement {number} ({_reason(exc)}); the records commit "
            f"with what they count, so this is exact: {_kept(applied, True)}. Run sqlgen {self.command} again to "
            f"resume from statement {applied + 1}") from None


def _broken_precondition(statement, failure: StatementFailed):
    """The precondition a statement that failed is, when it failed because rows break it."""
    if statement is None or _server_error(failure.exc)[0] != preconditions.FAILED_CODE:
        return None
    return preconditions.read(statement.text)


def _rows_breaking(session, precondition) -> tuple[int | None, list, str]:
    """(how many rows break it, a few of them, what their first value names), asked in the
    file's session, which reads the tables as the statement did (nothing shown if that fails)."""
    count_sql, sample_sql = preconditions.queries(precondition, SAMPLE_ROWS)
    try:
        with session.cursor() as cursor:
            cursor.execute(count_sql)
            count = cursor.fetchone()[0]
            cursor.execute(sample_sql)
            samples = [row[:1] for row in cursor.fetchall()]
        return count, samples, precondition.key
    except Exception:  # the session or the query failed: the violation is still true
        return None, [], ""


class _Recorded(SqlgenError):
    """A failure whose truth is already in the tracking row."""


class _FinishedOnTheServer(Exception):
    """The file's session was lost after the server had run its last statement and end record."""


def _together(records: list[str]) -> list[str]:
    """The runner's records, committed as one when there are several: one commit, not one each."""
    writes = sum(record.startswith(("INSERT", "UPDATE", "DELETE")) for record in records)
    return ["START TRANSACTION", *records, "COMMIT"] if writes > 1 else list(records)


def _kind(statement) -> str:
    return kind(statement.text) if statement.single else "other"


def _changes_nothing_on_failure(kind: str, text: str, batched: bool, innodb: bool | None, server) -> bool:
    """Whether a statement that failed with a server error left nothing behind. (A SET of the
    session leaves nothing once the session ends, whatever it set before failing.)"""
    if kind == "session" or batched or only_sets_the_session(text):
        return True
    if kind == "ddl":
        # DDL is atomic but for these: MariaDB drops the tables (views...) of DROP TABLE a, b it
        # finds, then fails on the rest; CREATE OR REPLACE drops the old object before it fails;
        # DROP DATABASE drops its tables one by one.
        return not _PARTIAL_DDL.match(text)
    return kind == "dml" and bool(innodb)


_PARTIAL_DDL = re.compile(r"\s*(?:create\s+or\s+replace\b|drop\s+(?:database|schema)\b|drop\b[^;]*,)", re.I | re.S)
_USE = re.compile(r"\s*use\s", re.I)
_IN_TRANSACTION = 0x0001  # SERVER_STATUS_IN_TRANS
_LOST_CODES = frozenset({2006, 2013, 2014, 2055})


def _is_lost(exc) -> bool:
    import pymysql

    if isinstance(exc, pymysql.err.InterfaceError):
        return True
    args = getattr(exc, "args", ())
    return bool(args) and args[0] in _LOST_CODES


def _reason(exc) -> str:
    code, message = _server_error(exc)
    return f"error {code}: {message}" if code else message


def _kept(applied: int, lasting: bool) -> str:
    if not applied:
        return "no statement of it ran"
    return (f"{_first(applied)} stayed applied" if lasting else
            f"{_first(applied)} only set the session, so nothing of it stayed applied")


def _statements(path, sql_mode: str, facts: FileFacts | None = None) -> Iterator:
    """The numbered statements of a file, read from the session's sql_mode: those kept when its
    facts were read, or read again (a large file is split in a second thread meanwhile)."""
    if facts is not None and facts.body is not None and not facts.problems:
        return (item for item in enumerate(facts.body, 1))
    statements = body_statements(path, FILE_READING, sql_mode=sql_mode)
    return read_ahead(statements) if path.stat().st_size > READ_AHEAD_CHARS else statements


def read_ahead(statements: Iterator, batch_chars: int = READ_AHEAD_CHARS) -> Iterator:
    """Yield what `statements` yields (numbered statements), split in a second thread.

    While the server runs one batch (PyMySQL waits for it without holding the
    GIL) the next batch is read and split, so a large data file costs about the
    server's time rather than the server's plus the splitter's. Batches of about
    `batch_chars` characters keep the hand-over cheap for files of many tiny
    statements, and memory bounded for files of huge ones. Errors of
    `statements` are raised where they occur in the sequence.
    """
    ready: queue.Queue = queue.Queue(READ_AHEAD_BATCHES)
    stop = threading.Event()

    def put(item) -> bool:
        while not stop.is_set():
            try:
                ready.put(item, timeout=0.05)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        batch, size = [], 0
        try:
            for item in statements:
                batch.append(item)
                size += len(item[1].text)
                if size >= batch_chars:
                    if not put((batch, None)):
                        return
                    batch, size = [], 0
            put((batch, StopIteration()))
        except BaseException as exc:  # handed to the consumer, raised there
            put((batch, exc))
        finally:
            close = getattr(statements, "close", None)
            if close:
                close()

    thread = threading.Thread(target=produce, name="sqlgen-read-ahead", daemon=True)
    # The thread that waits on the server must get the interpreter back at once when the reply
    # comes, not after the splitting thread's time slice (5 ms by default): a slice per statement.
    switch = sys.getswitchinterval()
    sys.setswitchinterval(min(switch, 0.0002))
    thread.start()
    try:
        while True:
            batch, error = ready.get()
            yield from batch
            if isinstance(error, StopIteration):
                return
            if error is not None:
                raise error
    finally:
        stop.set()
        thread.join()
        sys.setswitchinterval(switch)


_NO_BACKSLASH_ESCAPES = 0x0200  # SERVER_STATUS_NO_BACKSLASH_ESCAPES, which the mysql client reads by


def _check_reading(session, file: str, number: int, total: int, statement, sent: bool = False) -> None:
    """The client reads backslashes as the server's status flag says after the statement
    before: a routine or trigger that runs SET sql_mode can leave it other than the file
    shows. Where that changes how a statement holding a backslash reads, it does not run
    (`sent`: it was sent in one packet with the statement before, in a transaction that is
    then rolled back whole)."""
    if statement.escapes is None or "\\" not in statement.text:
        return
    flag_says_escapes = not (getattr(session, "server_status", 0) or 0) & _NO_BACKSLASH_ESCAPES
    if flag_says_escapes != statement.escapes:
        now = "on" if statement.escapes else "off"
        raise StatementFailed(file, number, total, statement.line, SqlgenError(
            None, f"the server reports NO_BACKSLASH_ESCAPES {now} here (a routine or trigger run by a statement "
                  "before it set sql_mode), so the mysql client would read this statement's backslashes otherwise "
                  f"than sqlgen; {'it ran in the transaction sqlgen then rolled back' if sent else 'it did not run'}. "
                  "Write its strings without backslashes, or set sql_mode in the file before it"))


def _send(session, sql: str) -> None:
    with session.cursor() as cursor:
        cursor.execute(sql)


def _in_transaction(session) -> bool:
    """Whether the session has a transaction open. Asked, not read from the last reply:
    PyMySQL keeps the server's status only from replies without rows."""
    try:
        with session.cursor() as cursor:
            cursor.execute("SELECT @@in_transaction")
            return bool(cursor.fetchone()[0])
    except Exception:
        return False


def _rollback(session) -> None:
    try:
        session.rollback()
    except Exception:
        pass


def _server_error(exc) -> tuple[int | None, str]:
    args = getattr(exc, "args", ())
    code = args[0] if args and isinstance(args[0], int) else None
    message = str(args[1]) if len(args) > 1 else str(exc)
    if not message and code in (0, None):
        message = "the connection to the server was lost"
    return code or None, message


def _count(n: int) -> str:
    return f"{n} statement" + ("" if n == 1 else "s")


def _first(n: int) -> str:
    return "statement 1" if n == 1 else f"statements 1-{n}"
