"""The tracking table on SQLite, and the statements that keep it.

The same rows as on MySQL (see sqlgen.mysql.tracking), in SQLite's words:
timestamps as text from strftime(), no users. A file's opening block also
switches foreign keys off and begins the transaction; its closing block checks
the foreign keys, and rolls everything back if one is broken, before it
commits. Run files by hand with `sqlite3 -bail app.db < file.sql` so the
client stops at the first error.
"""

from __future__ import annotations

from .dialect import quote_identifier as q, quote_string

NOW = "strftime('%Y-%m-%d %H:%M:%f', 'now')"
BY = "'sqlite'"
GUARD = '"sqlgen_guard"'


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


def up_start(table: str, version: int, name: str, checksum: str, total: int) -> str:
    return (
        f'INSERT INTO {q(table)} ("version", "name", "checksum", "state", "statements_applied", '
        f'"statements_total", "started_at", "applied_by")\n'
        f"VALUES ({version}, {quote_string(name)}, '{checksum}', 'running', 0, {total}, {NOW}, {BY})"
    )


def up_end(table: str, version: int) -> str:
    return (
        f"UPDATE {q(table)} SET \"state\" = 'applied', \"statements_applied\" = \"statements_total\",\n"
        f"  \"applied_at\" = {NOW},\n"
        f"  \"execution_ms\" = CAST((julianday('now') - julianday(\"started_at\")) * 86400000 AS INTEGER),\n"
        f"  \"progress_checksum\" = NULL, \"error\" = NULL\n"
        f"WHERE \"version\" = {version}"
    )


def down_guard(table: str, version: int) -> str:
    """Rolls the transaction back unless the version is recorded as applied."""
    return (
        f"INSERT INTO {GUARD} SELECT (SELECT 1 FROM {q(table)} WHERE \"version\" = {version}\n"
        f"  AND \"state\" IN ('applied', 'reverting', 'revert_failed'))"
    )


def down_start(table: str, version: int, down_checksum: str, total: int) -> str:
    return (
        f"UPDATE {q(table)} SET \"state\" = 'reverting', \"statements_applied\" = 0, \"statements_total\" = {total},\n"
        f"  \"down_checksum\" = '{down_checksum}', \"started_at\" = {NOW}, \"applied_at\" = NULL,\n"
        f"  \"execution_ms\" = NULL, \"progress_checksum\" = NULL, \"error\" = NULL\n"
        f"WHERE \"version\" = {version}"
    )


def down_end(table: str, version: int) -> str:
    return f'DELETE FROM {q(table)} WHERE "version" = {version}'


GUARD_TABLE = f'CREATE TEMP TABLE IF NOT EXISTS {GUARD} ("ok" INTEGER NOT NULL ON CONFLICT ROLLBACK)'
# A broken foreign key makes the NOT NULL guard roll the whole migration back.
FOREIGN_KEY_GUARD = (f"INSERT INTO {GUARD} SELECT CASE WHEN EXISTS (SELECT 1 FROM pragma_foreign_key_check) "
                     "THEN NULL ELSE 1 END")


def file_blocks(direction: str, table: str, version: int, name: str, checksum: str,
                total: int) -> tuple[str, str]:
    begin = "-- sqlgen:tracking begin"
    end = "-- sqlgen:tracking end"
    if direction == "up":
        opening = "\n".join([
            f"{begin} (records this migration in {q(table)} and runs it in one transaction when",
            "-- the file is run by hand: use sqlite3 -bail; sqlgen upgrade skips these lines and does",
            f"-- the same itself. A UNIQUE constraint error here means version {version} is already recorded.)",
            "PRAGMA foreign_keys = OFF;",
            "BEGIN;",
            GUARD_TABLE + ";",
            create_table(table) + ";",
            up_start(table, version, name, checksum, total) + ";",
            end,
        ])
        closing_rows = [FOREIGN_KEY_GUARD + ";", up_end(table, version) + ";"]
    else:
        opening = "\n".join([
            f"{begin} (marks version {version} as being undone in {q(table)} and runs the file in one",
            "-- transaction when it is run by hand: use sqlite3 -bail. A NOT NULL constraint error here",
            f"-- means version {version} is not applied: nothing was changed.)",
            "PRAGMA foreign_keys = OFF;",
            "BEGIN;",
            GUARD_TABLE + ";",
            down_guard(table, version) + ";",
            down_start(table, version, checksum, total) + ";",
            end,
        ])
        closing_rows = [FOREIGN_KEY_GUARD + ";", down_end(table, version) + ";"]
    closing = "\n".join([
        f"{begin} (a \"NOT NULL constraint failed: sqlgen_guard.ok\" error here means a foreign key is",
        "-- broken, by this file or before it: PRAGMA foreign_key_check lists the rows; nothing was applied.)",
        *closing_rows, "COMMIT;", "PRAGMA foreign_keys = ON;", end,
    ])
    return opening, closing


# --- Statements only the runner sends ---------------------------------------------

COLUMNS = ("version", "name", "checksum", "state", "statements_applied", "statements_total", "progress_checksum",
           "down_checksum", "started_at", "applied_at", "execution_ms", "applied_by", "error")

def select_rows(table: str) -> str:
    return f'SELECT {", ".join(q(column) for column in COLUMNS)} FROM {q(table)} ORDER BY "version"'


def restart_up(table: str, version: int, name: str, checksum: str, total: int) -> str:
    return (
        f"UPDATE {q(table)} SET \"name\" = {quote_string(name)}, \"checksum\" = '{checksum}', "
        f"\"state\" = 'running', \"statements_total\" = {total}, \"started_at\" = {NOW}, \"error\" = NULL "
        f"WHERE \"version\" = {version}"
    )


def failed_row(table: str, version: int, name: str, checksum: str, total: int, error: str,
               state: str = "failed") -> str:
    return (
        f'INSERT INTO {q(table)} ("version", "name", "checksum", "state", "statements_applied", '
        f'"statements_total", "started_at", "applied_by", "error")\n'
        f"VALUES ({version}, {quote_string(name)}, '{checksum}', '{state}', 0, {total}, {NOW}, {BY}, "
        f"{quote_string(error)})\n"
        f"ON CONFLICT (\"version\") DO UPDATE SET \"state\" = excluded.\"state\", \"statements_applied\" = 0, "
        f"\"progress_checksum\" = NULL, \"error\" = excluded.\"error\""
    )


def stamp_row(table: str, version: int, name: str, checksum: str, total: int) -> str:
    return (
        f'INSERT INTO {q(table)} ("version", "name", "checksum", "state", "statements_applied", '
        f'"statements_total", "started_at", "applied_at", "applied_by")\n'
        f"VALUES ({version}, {quote_string(name)}, '{checksum}', 'applied', {total}, {total}, {NOW}, {NOW}, {BY})\n"
        f"ON CONFLICT (\"version\") DO UPDATE SET \"name\" = excluded.\"name\", \"checksum\" = excluded.\"checksum\", "
        f"\"state\" = 'applied', \"statements_applied\" = excluded.\"statements_total\", "
        f"\"statements_total\" = excluded.\"statements_total\", \"progress_checksum\" = NULL, "
        f"\"down_checksum\" = NULL, \"applied_at\" = {NOW}, \"execution_ms\" = NULL, \"error\" = NULL"
    )


def new_checksum(table: str, version: int, checksum: str, total: int) -> str:
    return (f"UPDATE {q(table)} SET \"checksum\" = '{checksum}', \"statements_total\" = {total} "
            f"WHERE \"version\" = {version}")


def unstamp_above(table: str, version: int) -> str:
    return f'DELETE FROM {q(table)} WHERE "version" > {version}'
