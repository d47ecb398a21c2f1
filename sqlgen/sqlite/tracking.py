"""The tracking table in SQLite's words (see sqlgen.tracking).

The same rows as on MySQL: timestamps as text from strftime(), no users. A
file's opening block also switches foreign keys off and begins the
transaction; its closing block checks the foreign keys, and rolls everything
back if one is broken, before it commits. Run files by hand with
`sqlite3 -bail app.db < file.sql` so the client stops at the first error.
"""

from __future__ import annotations

from ..tracking import TrackingSQL, file_block
from .dialect import quote_identifier as q, quote_string

NOW = "strftime('%Y-%m-%d %H:%M:%f', 'now')"
BY = "'sqlite'"
GUARD = '"sqlgen_guard"'
SQL = TrackingSQL(q, quote_string, now=NOW, by=BY, upsert='ON CONFLICT ("version") DO UPDATE SET',
                  inserted_value="excluded.{}")


def create_table(table: str) -> str:
    return f"""CREATE TABLE IF NOT EXISTS {q(table)} (
  "version" INTEGER NOT NULL PRIMARY KEY,
  "name" VARCHAR(255) NOT NULL,
  "checksum" CHAR(64) NOT NULL,
  "state" VARCHAR(16) NOT NULL,
  "statements_applied" INTEGER NOT NULL DEFAULT 0,
  "statements_total" INTEGER NOT NULL,
  "progress_checksum" CHAR(64),
  "down_checksum" CHAR(64),
  "started_at" VARCHAR(26) NOT NULL,
  "applied_at" VARCHAR(26),
  "execution_ms" INTEGER,
  "applied_by" VARCHAR(255) NOT NULL,
  "error" TEXT
)"""


up_start = SQL.up_start


def up_end(table: str, version: int) -> str:
    return SQL.update(
        table, version,
        dict(state="'applied'", statements_applied='"statements_total"'),
        dict(applied_at=NOW),
        dict(execution_ms="CAST((julianday('now') - julianday(\"started_at\")) * 86400000 AS INTEGER)"),
        dict(progress_checksum="NULL", error="NULL"),
    )


def down_guard(table: str, version: int) -> str:
    """Rolls the transaction back unless the version is recorded as applied."""
    return (
        f"INSERT INTO {GUARD} SELECT (SELECT 1 FROM {q(table)} WHERE \"version\" = {version}\n"
        f"  AND \"state\" IN ('applied', 'reverting', 'revert_failed'))"
    )


down_start = SQL.down_start
down_end = SQL.down_end

GUARD_TABLE = f'CREATE TEMP TABLE IF NOT EXISTS {GUARD} ("ok" INTEGER NOT NULL ON CONFLICT ROLLBACK)'
# A broken foreign key makes the NOT NULL guard roll the whole migration back.
FOREIGN_KEY_GUARD = (f"INSERT INTO {GUARD} SELECT CASE WHEN EXISTS (SELECT 1 FROM pragma_foreign_key_check) "
                     "THEN NULL ELSE 1 END")
# What an opening block starts with: the file runs in one transaction, foreign keys off.
_BEGIN = ("PRAGMA foreign_keys = OFF", "BEGIN", GUARD_TABLE)
_COMMIT = ("COMMIT", "PRAGMA foreign_keys = ON")

# What the blocks say to whoever runs the file by hand.
UP_NOTE = """(records this migration in {table} and runs it in one transaction when
-- the file is run by hand: use sqlite3 -bail; sqlgen upgrade skips these lines and does
-- the same itself. A UNIQUE constraint error here means version {version} is already recorded.)"""
DOWN_NOTE = """(marks version {version} as being undone in {table} and runs the file in one
-- transaction when it is run by hand: use sqlite3 -bail. A NOT NULL constraint error here
-- means version {version} is not applied: nothing was changed.)"""
CLOSING_NOTE = """(a "NOT NULL constraint failed: sqlgen_guard.ok" error here means a foreign key is
-- broken, by this file or before it: PRAGMA foreign_key_check lists the rows; nothing was applied.)"""


def file_blocks(direction: str, table: str, version: int, name: str, checksum: str,
                total: int) -> tuple[str, str]:
    if direction == "up":
        opening = file_block(UP_NOTE.format(table=q(table), version=version),
                             [*_BEGIN, create_table(table), up_start(table, version, name, checksum, total)])
        last = up_end(table, version)
    else:
        opening = file_block(DOWN_NOTE.format(table=q(table), version=version),
                             [*_BEGIN, down_guard(table, version), down_start(table, version, checksum, total)])
        last = down_end(table, version)
    return opening, file_block(CLOSING_NOTE, [FOREIGN_KEY_GUARD, last, *_COMMIT])


# --- Statements only the runner sends ---------------------------------------------

select_rows = SQL.select_rows


def restart_up(table: str, version: int, name: str, checksum: str, total: int) -> str:
    return SQL.update(table, version, dict(name=quote_string(name), checksum=f"'{checksum}'", state="'running'",
                                           statements_total=total, started_at=NOW, error="NULL"))


def failed_row(table: str, version: int, name: str, checksum: str, total: int, error: str,
               state: str = "failed") -> str:
    return SQL.insert(table, SQL.new_row(version, name, checksum, state, 0, total, error=quote_string(error)),
                      dict(state=SQL.inserted("state"), statements_applied=0, progress_checksum="NULL",
                           error=SQL.inserted("error")))


stamp_row = SQL.stamp_row
new_checksum = SQL.new_checksum
unstamp_above = SQL.unstamp_above
