"""The tracking table in MySQL's and MariaDB's words (see sqlgen.tracking).

The blocks of a file record the migration the way the runner does, so a file
run by hand with the mysql client records it too. MySQL commits DDL at once,
so the runner also records how far a file got (progress, failed): a failed
file resumes from the statement that failed.
"""

from __future__ import annotations

from ..tracking import TrackingSQL, file_block
from .dialect import quote_identifier as q, quote_string

NOW = "NOW(6)"
BY = "CURRENT_USER()"
SQL = TrackingSQL(q, quote_string, now=NOW, by=BY, upsert="ON DUPLICATE KEY UPDATE", inserted_value="VALUES({})")


def create_table(table: str, runner_columns: bool = False) -> str:
    """The files' CREATE TABLE IF NOT EXISTS of the tracking table; with `runner_columns`, the
    runner's own columns too, at the end, as add_runner_columns adds them to a table made by hand."""
    sql = _create_table(table)
    if runner_columns:
        own = "".join(f"  {q(name)} {definition},\n" for name, definition in RUNNER_COLUMNS.items())
        sql = sql.replace("  PRIMARY KEY (`version`)", own + "  PRIMARY KEY (`version`)", 1)
    return sql


def _create_table(table: str) -> str:
    return f"""CREATE TABLE IF NOT EXISTS {q(table)} (
  `version` int NOT NULL COMMENT 'NNNN of NNNN_name.up.sql',
  `name` varchar(255) NOT NULL,
  `checksum` char(64) NOT NULL COMMENT 'sha256 of the up file''s statements',
  `state` varchar(16) NOT NULL COMMENT 'running, applied, failed, reverting or revert_failed',
  `statements_applied` int NOT NULL DEFAULT 0 COMMENT 'statements of the running file that completed',
  `statements_total` int NOT NULL,
  `progress_checksum` char(64) NULL COMMENT 'sha256 of the statements that completed, to resume safely',
  `down_checksum` char(64) NULL COMMENT 'sha256 of the down file''s statements while it runs',
  `started_at` datetime(6) NOT NULL,
  `applied_at` datetime(6) NULL,
  `execution_ms` bigint NULL,
  `applied_by` varchar(255) NOT NULL,
  `error` text NULL,
  PRIMARY KEY (`version`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COMMENT='sqlgen: migrations applied to this database'"""


up_start = SQL.up_start


def up_end(table: str, version: int, released: bool = False) -> str:
    """`released`: the runner's own end, which also clears the columns only it writes."""
    return SQL.update(
        table, version,
        dict(state="'applied'", statements_applied="`statements_total`"),
        dict(applied_at=NOW, execution_ms="TIMESTAMPDIFF(MICROSECOND, `started_at`, NOW(6)) DIV 1000"),
        dict(progress_checksum="NULL", error="NULL"),
        *([dict(connection_id="NULL", in_doubt="NULL")] if released else []),
    )


down_start = SQL.down_start


def down_guard(table: str, version: int) -> str:
    """Fails (error 1242) unless the version is recorded: plain SQL has no IF outside
    stored programs on MySQL, but a subquery of two rows stops the client."""
    return (
        f"SET @sqlgen_guard = (SELECT 1 UNION ALL SELECT 1 FROM DUAL WHERE NOT EXISTS (SELECT 1 FROM {q(table)}\n"
        f"  WHERE `version` = {version} AND `state` IN ('applied', 'reverting', 'revert_failed')))"
    )


down_end = SQL.down_end


# What the opening blocks say to whoever runs the file by hand.
UP_NOTE = """(records this migration in {table} when the file is run by hand;
-- sqlgen upgrade skips these lines and records it the same way. A "Duplicate entry"
-- error here means version {version} is already recorded: see sqlgen status.)"""
DOWN_NOTE = """(marks version {version} as being undone in {table} when the file is
-- run by hand; sqlgen downgrade skips these lines and records it the same way. A
-- "Subquery returns more than 1 row" error here means version {version} is not applied:
-- nothing was changed.)"""


def file_blocks(direction: str, table: str, version: int, name: str, checksum: str,
                total: int) -> tuple[str, str]:
    """The tracking blocks that open and close a migration file."""
    if direction == "up":
        opening = file_block(UP_NOTE.format(table=q(table), version=version),
                             [create_table(table), up_start(table, version, name, checksum, total)])
        return opening, file_block("", [up_end(table, version)])
    opening = file_block(DOWN_NOTE.format(table=q(table), version=version),
                         [down_guard(table, version), down_start(table, version, checksum, total)])
    return opening, file_block("", [down_end(table, version)])


# --- Statements only the runner sends ---------------------------------------------

# Columns only the runner writes, added by it to a table a file run by hand made: which server
# connection runs the file, and which statement may have taken effect without being counted.
RUNNER_COLUMNS = {
    "connection_id": "bigint NULL COMMENT 'server connection of the session running the file, to ask whether it still runs'",
    "in_doubt": "int NULL COMMENT 'last statement that may have taken effect beyond statements_applied'",
}


def table_columns() -> str:
    """The tracking table's columns (none: no table)."""
    return ("SELECT COLUMN_NAME FROM information_schema.COLUMNS "
            "WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = %s")


def add_runner_columns(table: str, missing) -> str:
    return f"ALTER TABLE {q(table)} " + ", ".join(f"ADD COLUMN {q(name)} {RUNNER_COLUMNS[name]}" for name in missing)


def select_rows(table: str, runner_columns: bool) -> str:
    sql = SQL.select_rows(table)
    if runner_columns:
        sql = sql.replace(" FROM ", ", " + ", ".join(q(name) for name in RUNNER_COLUMNS) + " FROM ", 1)
    return sql


def in_database(sql: str, database: str, table: str) -> str:
    """`sql` naming the tracking table of `database`, whatever the session's default database
    is by then. Every tracking statement names its table before any column."""
    return sql.replace(q(table), f"{q(database)}.{q(table)}", 1)


def mark(table: str, version: int, applied: int, progress_checksum: str | None, in_doubt: int | None,
         claim: bool = False) -> str:
    """How far the file got, and which statement is about to run without a record that commits
    with it; `claim` also names the session's connection as the one running the file."""
    checksum = f"'{progress_checksum}'" if progress_checksum else "NULL"
    values = dict(statements_applied=applied, progress_checksum=checksum, in_doubt=_number(in_doubt))
    if claim:
        values["connection_id"] = "CONNECTION_ID()"
    return SQL.update(table, version, values)


def release(table: str, version: int) -> str:
    """No session runs the file any more (applied, failed, or stamped)."""
    return SQL.update(table, version, dict(connection_id="NULL", in_doubt="NULL"))


def lock_guard(lock: str, holder: int) -> str:
    """Fails (error 1242) unless connection `holder` holds the migration lock: a file
    session checks, in the packet that starts a file, that the run still holds it."""
    return (f"SET @sqlgen_lock = (SELECT 1 UNION ALL SELECT 1 FROM DUAL "
            f"WHERE NOT IS_USED_LOCK({quote_string(lock)}) <=> {int(holder)})")


def _number(value: int | None) -> str:
    return "NULL" if value is None else str(int(value))


def restart_up(table: str, version: int, name: str, checksum: str, total: int) -> str:
    """Take up a row left by a failed up file, keeping its progress."""
    return SQL.update(table, version, dict(name=quote_string(name), checksum=f"'{checksum}'", state="'running'",
                                           statements_total=total, started_at=NOW, applied_by=BY, error="NULL"))


def restart_down(table: str, version: int, down_checksum: str, total: int) -> str:
    """Take up a row left by a failed down file, keeping its progress."""
    return SQL.update(table, version, dict(down_checksum=f"'{down_checksum}'", state="'reverting'",
                                           statements_total=total, started_at=NOW, error="NULL"))


def failed(table: str, version: int, state: str, applied: int, progress_checksum: str | None, error: str,
           in_doubt: int | None = None) -> str:
    """Record where a file stopped: how many statements completed, a checksum of them, and the
    statement whose outcome is unknown, if any."""
    checksum = f"'{progress_checksum}'" if progress_checksum else "NULL"
    return SQL.update(table, version, dict(state=f"'{state}'", statements_applied=applied,
                                           progress_checksum=checksum, error=quote_string(error)),
                      dict(in_doubt=_number(in_doubt), connection_id="NULL"))


new_checksum = SQL.new_checksum


def failed_row(table: str, version: int, name: str, checksum: str, total: int, error: str) -> str:
    """Record a transactional migration that failed and was rolled back entirely."""
    return SQL.insert(table, SQL.new_row(version, name, checksum, "failed", 0, total, error=quote_string(error)),
                      dict(state="'failed'", statements_applied=0, progress_checksum="NULL",
                           error=SQL.inserted("error")))


stamp_row = SQL.stamp_row
unstamp_above = SQL.unstamp_above
