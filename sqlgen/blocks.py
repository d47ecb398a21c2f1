"""Tracking blocks: what sqlgen writes into a migration file to record it, and what
a file's blocks must hold to be run."""

from __future__ import annotations

from pathlib import Path

from .config import Config
from .errors import SqlgenError


def with_tracking_blocks(text, config: Config, name: str, dialect, sql_mode: str | None) -> tuple[str, str]:
    """Render the pair, then again with tracking blocks recording its statements.

    The blocks are left out of the checksum, so the first rendering tells what
    they must record.
    """
    tracking = dialect.tracking
    up, down = text.render(config.templates)
    up_facts, down_facts = (_laid_out_facts(content, file_name, dialect.reading, sql_mode)
                            for content, file_name in ((up, text.up_file), (down, text.down_file)))
    table = config.version_table
    text.up_tracking = tracking.file_blocks("up", table, text.version, name, up_facts.checksum, up_facts.count)
    text.down_tracking = tracking.file_blocks("down", table, text.version, name, down_facts.checksum,
                                              down_facts.count)
    return text.render(config.templates)


def check_pair_layout(text, up: str, down: str, reading, sql_mode: str | None) -> None:
    """After the templates: each file holds exactly the statements sqlgen wrote, in
    order, tracking blocks where they belong, and no comment lets text out."""
    from .migrations import check_layout

    check_layout(up, text.up_file, reading,
                 [*text.up_leading, text.up_tracking[0], *text.up_blocks, text.up_tracking[1]], sql_mode)
    check_layout(down, text.down_file, reading,
                 [*text.down_leading, text.down_tracking[0], *text.down_blocks, text.down_tracking[1]], sql_mode)


def _laid_out_facts(content: str, file_name: str, reading, sql_mode: str | None):
    from .migrations import escaped_layout, facts_of_lines
    from .splitter import lines_of

    try:
        return facts_of_lines(lines_of(content), file_name, reading, sql_mode=sql_mode)
    except SqlgenError as exc:  # e.g. a marker's words in the message, laid out on a comment line of its own
        raise escaped_layout(file_name, str(exc).split("; ")[0]) from None


def expected_tracking_of(path: Path, dialect, config: Config):
    """What the tracking blocks of a migration file must hold; None for a file not named as a migration."""
    from .migrations import FILE_NAME, Migration

    match = FILE_NAME.fullmatch(path.name)
    if not match:
        return None
    migration = Migration(int(match["version"]), match["slug"], path.with_name(path.name.replace(".down.", ".up.")),
                          None)
    return expected_tracking(dialect, config.version_table, migration, match["direction"])


def expected_tracking(dialect, table: str, migration, direction: str) -> tuple[str, str]:
    """The tracking blocks sqlgen writes for a file, its checksum and count left open."""
    from .migrations import CHECKSUM_PLACEHOLDER, TOTAL_PLACEHOLDER

    return dialect.tracking.file_blocks(direction, table, migration.version, migration.name, CHECKSUM_PLACEHOLDER,
                                        TOTAL_PLACEHOLDER)


def fresh_text(text: str, config: Config, migration, direction: str, dialect, sql_mode: str | None = "") -> str:
    """The file's text with tracking blocks recording exactly its statements."""
    from . import migrations
    from .splitter import lines_of

    path = migration.up if direction == "up" else migration.down
    facts = migrations.facts_of_lines(lines_of(text), path.name, dialect.reading, sql_mode=sql_mode)
    opening, closing = dialect.tracking.file_blocks(
        direction, config.version_table, migration.version, migration.name, facts.checksum, facts.count)
    return migrations.with_tracking(text, opening, closing, dialect.reading, sql_mode)
