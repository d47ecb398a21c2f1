"""The tracking table `sqlgen_version` and the statements that keep it.

The same statement texts go into the generated files (so a DBA running a file
with the mysql client records it) and are executed by the runner (which skips
the files' own tracking blocks). Either way the table ends up with the same
row.

One row per migration that has started: `state` is `running` while it runs,
`applied` once done, `failed` when a statement failed (with the number of
statements that ran and the error), `reverting` while its down file runs and
`revert_failed` when that failed. The row disappears when the down file has
run to the end.
"""

from __future__ import annotations

from .dialect import quote_identifier as q, quote_string

def create_table(table: str) -> str:
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


def up_start(table: str, version: int, name: str, checksum: str, total: int) -> str:
    return (
        f"INSERT INTO {q(table)} (`version`, `name`, `checksum`, `state`, `statements_applied`, "
        f"`statements_total`, `started_at`, `applied_by`)\n"
        f"VALUES ({version}, {quote_string(name)}, '{checksum}', 'running', 0, {total}, NOW(6), CURRENT_USER())"
    )


def up_end(table: str, version: int) -> str:
    return (
        f"UPDATE {q(table)} SET `state` = 'applied', `statements_applied` = `statements_total`,\n"
        f"  `applied_at` = NOW(6), `execution_ms` = TIMESTAMPDIFF(MICROSECOND, `started_at`, NOW(6)) DIV 1000,\n"
        f"  `progress_checksum` = NULL, `error` = NULL\n"
        f"WHERE `version` = {version}"
    )


def down_start(table: str, version: int, down_checksum: str, total: int) -> str:
    return (
        f"UPDATE {q(table)} SET `state` = 'reverting', `statements_applied` = 0, `statements_total` = {total},\n"
        f"  `down_checksum` = '{down_checksum}', `started_at` = NOW(6), `applied_at` = NULL,\n"
        f"  `execution_ms` = NULL, `progress_checksum` = NULL, `error` = NULL\n"
        f"WHERE `version` = {version}"
    )


def down_guard(table: str, version: int) -> str:
    """Fails (error 1242) unless the version is recorded: plain SQL has no IF outside
    stored programs on MySQL, but a subquery of two rows stops the client."""
    return (
        f"SET @sqlgen_guard = (SELECT 1 UNION ALL SELECT 1 FROM DUAL WHERE NOT EXISTS (SELECT 1 FROM {q(table)}\n"
        f"  WHERE `version` = {version} AND `state` IN ('applied', 'reverting', 'revert_failed')))"
    )


def down_end(table: str, version: int) -> str:
    return f"DELETE FROM {q(table)} WHERE `version` = {version}"


def file_blocks(direction: str, table: str, version: int, name: str, checksum: str,
                total: int) -> tuple[str, str]:
    """The tracking blocks that open and close a migration file."""
    begin = "-- sqlgen:tracking begin"
    end = "-- sqlgen:tracking end"
    if direction == "up":
        opening = "\n".join([
            f"{begin} (records this migration in {q(table)} when the file is run by hand;",
            "-- sqlgen upgrade skips these lines and records it the same way. A \"Duplicate entry\"",
            f"-- error here means version {version} is already recorded: see sqlgen status.)",
            create_table(table) + ";",
            up_start(table, version, name, checksum, total) + ";",
            end,
        ])
        closing = "\n".join([begin, up_end(table, version) + ";", end])
    else:
        opening = "\n".join([
            f"{begin} (marks version {version} as being undone in {q(table)} when the file is",
            "-- run by hand; sqlgen downgrade skips these lines and records it the same way. A",
            f"-- \"Subquery returns more than 1 row\" error here means version {version} is not applied:",
            "-- nothing was changed.)",
            down_guard(table, version) + ";",
            down_start(table, version, checksum, total) + ";",
            end,
        ])
        closing = "\n".join([begin, down_end(table, version) + ";", end])
    return opening, closing


# --- Statements only the runner sends ---------------------------------------------

def select_rows(table: str) -> str:
    return (
        "SELECT `version`, `name`, `checksum`, `state`, `statements_applied`, `statements_total`, "
        f"`progress_checksum`, `down_checksum`, `started_at`, `applied_at`, `execution_ms`, `applied_by`, `error` "
        f"FROM {q(table)} "
        "ORDER BY `version`"
    )


def table_exists() -> str:
    return ("SELECT COUNT(*) FROM information_schema.TABLES "
            "WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = %s")


def restart_up(table: str, version: int, name: str, checksum: str, total: int) -> str:
    """Take up a row left by a failed up file, keeping its progress."""
    return (
        f"UPDATE {q(table)} SET `name` = {quote_string(name)}, `checksum` = '{checksum}', `state` = 'running', "
        f"`statements_total` = {total}, `started_at` = NOW(6), `applied_by` = CURRENT_USER(), `error` = NULL "
        f"WHERE `version` = {version}"
    )


def restart_down(table: str, version: int, down_checksum: str, total: int) -> str:
    """Take up a row left by a failed down file, keeping its progress."""
    return (
        f"UPDATE {q(table)} SET `down_checksum` = '{down_checksum}', `state` = 'reverting', "
        f"`statements_total` = {total}, `started_at` = NOW(6), `error` = NULL WHERE `version` = {version}"
    )


def progress(table: str, version: int, applied: int, progress_checksum: str) -> str:
    return (
        f"UPDATE {q(table)} SET `statements_applied` = {applied}, `progress_checksum` = '{progress_checksum}' "
        f"WHERE `version` = {version}"
    )


def failed(table: str, version: int, state: str, applied: int, progress_checksum: str | None, error: str) -> str:
    """Record where a file stopped: how many statements completed, and a checksum of them."""
    checksum = f"'{progress_checksum}'" if progress_checksum else "NULL"
    return (
        f"UPDATE {q(table)} SET `state` = '{state}', `statements_applied` = {applied}, "
        f"`progress_checksum` = {checksum}, `error` = {quote_string(error)} WHERE `version` = {version}"
    )


def new_checksum(table: str, version: int, checksum: str, total: int) -> str:
    """Bring the checksum of an applied migration up to date (sqlgen stamp after a fix by hand)."""
    return (f"UPDATE {q(table)} SET `checksum` = '{checksum}', `statements_total` = {total} "
            f"WHERE `version` = {version}")


def failed_row(table: str, version: int, name: str, checksum: str, total: int, error: str) -> str:
    """Record a transactional migration that failed and was rolled back entirely."""
    return (
        f"INSERT INTO {q(table)} (`version`, `name`, `checksum`, `state`, `statements_applied`, "
        f"`statements_total`, `started_at`, `applied_by`, `error`)\n"
        f"VALUES ({version}, {quote_string(name)}, '{checksum}', 'failed', 0, {total}, NOW(6), CURRENT_USER(), "
        f"{quote_string(error)})\n"
        f"ON DUPLICATE KEY UPDATE `state` = 'failed', `statements_applied` = 0, `progress_checksum` = NULL, "
        f"`error` = VALUES(`error`)"
    )


def stamp_row(table: str, version: int, name: str, checksum: str, total: int) -> str:
    """Record a migration as applied without running it (execution_ms stays NULL)."""
    return (
        f"INSERT INTO {q(table)} (`version`, `name`, `checksum`, `state`, `statements_applied`, "
        f"`statements_total`, `started_at`, `applied_at`, `applied_by`)\n"
        f"VALUES ({version}, {quote_string(name)}, '{checksum}', 'applied', {total}, {total}, NOW(6), NOW(6), "
        f"CURRENT_USER())\n"
        f"ON DUPLICATE KEY UPDATE `name` = VALUES(`name`), `checksum` = VALUES(`checksum`), `state` = 'applied', "
        f"`statements_applied` = VALUES(`statements_total`), `statements_total` = VALUES(`statements_total`), "
        f"`progress_checksum` = NULL, `down_checksum` = NULL, `applied_at` = NOW(6), `execution_ms` = NULL, "
        f"`error` = NULL"
    )


def unstamp_above(table: str, version: int) -> str:
    return f"DELETE FROM {q(table)} WHERE `version` > {version}"
