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
import threading
import time
from contextlib import closing, contextmanager
from typing import Callable, Iterator

from ..errors import SqlgenError
from ..history import Entry, Row, Step, read_row
from ..migrations import Checksum, FileFacts, body_statements
from . import tracking
from .dialect import READING
from .transactions import is_transactional

PROGRESS_INTERVAL = 1.0  # seconds between progress records of statements that roll back
READ_AHEAD_CHARS = 256 * 1024  # statements split ahead of the server, handed over in batches of this size


class StatementFailed(SqlgenError):
    """A statement of a migration file failed on the server."""

    def __init__(self, file: str, number: int, total: int, line: int, exc):
        code, message = _server_error(exc)
        error = f"error {code}: {message}" if code else message
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
        self.echo = echo
        control.autocommit(True)

    # --- Reading ---------------------------------------------------------------

    def _query(self, sql: str, args=None) -> list[tuple]:
        with self.control.cursor() as cursor:
            cursor.execute(sql, args)
            return list(cursor.fetchall())

    def table_exists(self) -> bool:
        return bool(self._query(tracking.table_exists(), (self.table,))[0][0])

    def rows(self) -> list[Row]:
        import pymysql

        if not self.table_exists():
            return []
        try:
            found = self._query(tracking.select_rows(self.table))
        except pymysql.err.OperationalError as exc:
            if exc.args[0] != 1054:  # unknown column: a table sqlgen did not make
                raise
            raise SqlgenError(f"the tracking table {self.table!r} has the wrong shape ({exc.args[1]}): sqlgen did not "
                              "make it. Rename it, or set version_table to another name") from None
        return [read_row(row, self.table) for row in found]

    def ensure_table(self) -> None:
        _send(self.control, tracking.create_table(self.table))

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

    def upgrade(self, step: Step) -> None:
        entry, facts = step.entry, step.entry.facts
        path = entry.migration.up
        version, name = entry.version, entry.name
        started = time.monotonic()
        if facts.transactional and not step.resume_from and self._all_tables_innodb():
            start = (tracking.up_start(self.table, version, name, facts.checksum, facts.count) if entry.row is None
                     else tracking.restart_up(self.table, version, name, facts.checksum, facts.count))
            self._run_transaction(
                path, facts, start, tracking.up_end(self.table, version),
                lambda error: tracking.failed_row(self.table, version, name, facts.checksum, facts.count, error),
                "upgrade",
            )
        else:
            self._check_prefix(path, step.resume_from, entry.row.progress_checksum if entry.row else None)
            if entry.row is None:
                _send(self.control, tracking.up_start(self.table, version, name, facts.checksum, facts.count))
            else:
                _send(self.control, tracking.restart_up(self.table, version, name, facts.checksum, facts.count))
                if step.resume_from:
                    self.echo(f"resuming {name} at statement {step.resume_from + 1} of {facts.count}")
            self._run_statements(path, facts, step.resume_from, version, "failed", "upgrade")
            _send(self.control, tracking.up_end(self.table, version))
        seconds = time.monotonic() - started
        self.echo(f"applied {name} ({_count(facts.count)}, {seconds:.2f} s)")

    def downgrade(self, step: Step, down_facts: FileFacts) -> None:
        entry = step.entry
        path = entry.migration.down
        version, name = entry.version, entry.name
        started = time.monotonic()
        self._check_prefix(path, step.resume_from, entry.row.progress_checksum)
        start = (tracking.restart_down(self.table, version, down_facts.checksum, down_facts.count)
                 if entry.row.state == "revert_failed"
                 else tracking.down_start(self.table, version, down_facts.checksum, down_facts.count))
        if down_facts.transactional and not step.resume_from and self._all_tables_innodb():
            # The row changes in the file's own transaction: if the run dies, the server rolls both
            # back, and the row still says what the database holds.
            self._run_transaction(
                path, down_facts, start, tracking.down_end(self.table, version),
                lambda error: tracking.failed(self.table, version, "revert_failed", 0, None, error),
                "downgrade",
            )
        else:
            _send(self.control, start)
            if step.resume_from:
                self.echo(f"resuming the down file of {name} at statement {step.resume_from + 1} of {down_facts.count}")
            self._run_statements(path, down_facts, step.resume_from, version, "revert_failed", "downgrade")
            _send(self.control, tracking.down_end(self.table, version))
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

    def _all_tables_innodb(self) -> bool:
        """One transaction can undo a file only if every table it may touch is InnoDB. Asked
        for each file as it starts: an earlier file of the same run may have made a MyISAM table."""
        others = self._query(
            "SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() "
            "AND TABLE_TYPE = 'BASE TABLE' AND ENGINE <> 'InnoDB'"
        )[0][0]
        return not others

    def _run_transaction(self, path, facts: FileFacts, start: str | None, end: str,
                         failed: Callable[[str], str], command: str) -> None:
        """A file of rollback-able statements: all of it and its tracking row, or nothing."""
        with self.open_session() as session:
            session.autocommit(True)
            session.begin()
            try:
                if start:
                    _send(session, start)
                with closing(_statements(path, self.server.sql_mode)) as statements:
                    for number, statement in statements:
                        self._execute(session, path.name, number, facts.count, statement)
                _send(session, end)
                session.commit()
            except StatementFailed as failure:
                _rollback(session)
                self._record(failed(failure.server_error), failure)
                raise SqlgenError(f"{failure}; it ran in one transaction, so none of it stayed applied: "
                                  f"fix it and run sqlgen {command} again") from None
            except BaseException:
                _rollback(session)
                raise

    def _run_statements(self, path, facts: FileFacts, skip: int, version: int, failed_state: str,
                        command: str) -> None:
        progress = Checksum()
        recorded_at = time.monotonic()
        with self.open_session() as session:
            session.autocommit(True)
            number = 0
            lasting = 0  # statements run that leave something once the session ends
            only_ddl = True  # then no transaction can be open at the end: no need to ask
            with closing(_statements(path, self.server.sql_mode)) as statements:
                for number, statement in statements:
                    only_ddl = only_ddl and bool(_COMMITS_ON_ITS_OWN.match(statement.text))
                    if number > skip:
                        try:
                            self._execute(session, path.name, number, facts.count, statement)
                        except StatementFailed as failure:
                            done = number - 1
                            self._record(tracking.failed(self.table, version, failed_state, done,
                                                         progress.hexdigest(), failure.server_error), failure)
                            kept = (f"{_first(done)} stayed applied (MySQL commits DDL at once)" if lasting else
                                    f"{_first(done)} only set the session, so nothing of it stayed applied" if done
                                    else "no statement of it ran")
                            raise SqlgenError(
                                f"{failure}; {kept}. Fix the statement and run sqlgen {command} again to resume "
                                f"from statement {number}, or repair by hand and run sqlgen stamp"
                            ) from None
                    progress.add(statement.text)
                    lasting += not _only_sets_the_session(statement.text)
                    # After the last statement the closing record follows at once.
                    if number > skip and number < facts.count and (
                            not is_transactional(statement.text)
                            or time.monotonic() - recorded_at >= PROGRESS_INTERVAL):
                        _send(self.control, tracking.progress(self.table, version, number, progress.hexdigest()))
                        recorded_at = time.monotonic()
            if not only_ddl and _in_transaction(session):
                # The client would roll this back when its session ends; so does sqlgen, and says so.
                _rollback(session)
                _send(self.control, tracking.failed(self.table, version, "running", number, None,
                                                    "left a transaction open; it was rolled back"))
                raise SqlgenError(
                    f"{path.name} left a transaction open (no COMMIT after START TRANSACTION or SET autocommit=0); "
                    "it was rolled back, as the client does when its session ends. Check what stayed applied, "
                    "add the COMMIT, and record the result with sqlgen stamp"
                )

    def _check_prefix(self, path, skip: int, recorded: str | None) -> None:
        """Before resuming, the statements that already ran must be the same as in the file."""
        if not skip:
            return
        prefix = Checksum()
        for number, statement in body_statements(path, READING, sql_mode=self.server.sql_mode):
            if number > skip:
                break
            prefix.add(statement.text)
        if prefix.hexdigest() != recorded:
            raise SqlgenError(
                f"{path.name}: {_first(skip)} ran before the failure, but changed in the file since; "
                f"restore {'it' if skip == 1 else 'them'} so the run can resume after "
                f"{'it' if skip == 1 else 'them'}, or repair the database by hand and run sqlgen stamp"
            )

    def _execute(self, session, file: str, number: int, total: int, statement) -> None:
        import pymysql

        _check_reading(session, file, number, total, statement)
        try:
            with session.cursor() as cursor:
                cursor.execute(statement.text)
                warnings = cursor.warning_count
                while cursor.nextset():  # CALL may return several result sets
                    pass
        except pymysql.err.MySQLError as exc:
            raise StatementFailed(file, number, total, statement.line, exc) from None
        if warnings:
            for level, code, message in session.show_warnings() or ():
                self.echo(f"{level.lower()}: {file}, line {statement.line}, statement {number}: {code} {message}")

    def _record(self, sql: str, failure: StatementFailed) -> None:
        try:
            _send(self.control, sql)
        except Exception as exc:  # e.g. the connection is gone
            raise SqlgenError(f"{failure}; recording the failure in {self.table} failed too: {exc}") from None


def _statements(path, sql_mode: str) -> Iterator:
    """The numbered statements of a file, read from the session's sql_mode; a large one is
    split in a second thread meanwhile."""
    statements = body_statements(path, READING, sql_mode=sql_mode)
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
    ready: queue.Queue = queue.Queue(2)
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


_NO_BACKSLASH_ESCAPES = 0x0200  # SERVER_STATUS_NO_BACKSLASH_ESCAPES, which the mysql client reads by


def _check_reading(session, file: str, number: int, total: int, statement) -> None:
    """The client reads backslashes as the server's status flag says after the statement
    before: a routine or trigger that runs SET sql_mode can leave it other than the file
    shows. Where that changes how a statement holding a backslash reads, it does not run."""
    if statement.escapes is None or "\\" not in statement.text:
        return
    flag_says_escapes = not (getattr(session, "server_status", 0) or 0) & _NO_BACKSLASH_ESCAPES
    if flag_says_escapes != statement.escapes:
        now = "on" if statement.escapes else "off"
        raise StatementFailed(file, number, total, statement.line, SqlgenError(
            None, f"the server reports NO_BACKSLASH_ESCAPES {now} here (a routine or trigger run by a statement "
                  "before it set sql_mode), so the mysql client would read this statement's backslashes otherwise "
                  "than sqlgen; it did not run. Write its strings without backslashes, or set sql_mode in the file "
                  "before it"))


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


# Statements that commit whatever came before and open no transaction themselves.
# A SET of the session's own state (names, a session variable, a user variable): it leaves nothing
# once the file's session ends. A GLOBAL or PERSIST assignment anywhere in it does.
_SESSION_SET = re.compile(r"\s*set\s+(?:names|character\s+set|charset|session|local|@@session\.|@@local\.|@(?!@)|"
                          r"sql_mode|time_zone|foreign_key_checks|unique_checks)\b", re.I)
_LASTING_SCOPE = re.compile(r"\b(?:global|persist|persist_only)\b|@@global\.", re.I)


def _only_sets_the_session(text: str) -> bool:
    return bool(_SESSION_SET.match(text)) and not _LASTING_SCOPE.search(text)


_COMMITS_ON_ITS_OWN = re.compile(r"\s*(?:create|alter|drop|rename|truncate)\b|\s*set\s+names\b", re.I)


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
