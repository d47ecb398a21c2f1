"""SQLite end to end, on real database files: no server needed.

Each change kind: create_all the "before" models, generate, upgrade with the
runner, compare with create_all of "after" (through PRAGMAs), generate again
finds nothing, downgrade brings back "before". Changes ALTER TABLE cannot make
go through the rebuild procedure, which keeps rows and foreign keys.
"""

from __future__ import annotations

import sqlite3

import pytest
import sqlalchemy as sa

import change_kinds
from sqlgen import commands
from sqlgen.errors import SqlgenError
from support import Output, make_config, sqlite_snapshot, sqlite_url

SQLITE_CASES = [
    "create_table", "drop_table", "add_column", "drop_column", "nullability", "plain_index",
    "unique_index", "composite_index", "unique_constraint", "foreign_key", "primary_key", "reserved_words",
    "fk_cycle", "fk_and_its_index", "referenced_column_type", "json_column", "uuid_column", "fk_unique_removed",
    "fk_index_repurposed", "fk_index_column_dropped", "fk_unique_to_index", "new_key_to_new_unique",
    "primary_key_served_a_key", "long_convention_names", "column_order", "check_constraints",
]


def create_all(metadata: sa.MetaData, path) -> None:
    engine = sa.create_engine(sqlite_url(path))
    metadata.create_all(engine)
    engine.dispose()


def sqlite_config(path, models, directory):
    return make_config(sqlite_url(path), models, directory)


def query(path, sql: str) -> list[tuple]:
    connection = sqlite3.connect(path)
    try:
        return connection.execute(sql).fetchall()
    finally:
        connection.close()


@pytest.mark.parametrize("case", SQLITE_CASES)
def test_change_kind_round_trip_on_sqlite(case, tmp_path):
    db = tmp_path / "app.db"
    create_all(getattr(change_kinds, f"{case}__before"), db)
    before = sqlite_snapshot(db)
    config = sqlite_config(db, f"change_kinds:{case}__after", tmp_path / "migrations")
    result = commands.generate(config, case, echo=Output())
    assert result.paths, f"{case}: nothing generated"
    commands.upgrade(config, echo=Output())

    expected = tmp_path / "expected.db"
    create_all(getattr(change_kinds, f"{case}__after"), expected)
    assert sqlite_snapshot(db) == sqlite_snapshot(expected)
    again = Output()
    commands.generate(config, "again", echo=again)
    assert again.lines[-1] == "No changes detected", again.text
    assert query(db, "PRAGMA foreign_key_check") == []

    commands.downgrade(config, "base", echo=Output())
    assert sqlite_snapshot(db) == before
