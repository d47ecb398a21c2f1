"""Rendering operations as MySQL text, checked against golden files in tests/mysql/golden/.

The golden files are the review surface: they show exactly what a DBA reads.
After an intended change, regenerate them with SQLGEN_UPDATE_GOLDEN=1 and
review the diff.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from sqlgen.errors import SqlgenError
from sqlgen.mysql.dialect import ServerInfo
from sqlgen.mysql.render import column_definition, create_table, render
from sqlgen.ops import (
    AddColumn,
    AddForeignKey,
    AddIndex,
    AddPrimaryKey,
    AlterTable,
    CreateTable,
    DropColumn,
    DropForeignKey,
    DropIndex,
    DropPrimaryKey,
    DropTable,
    ModifyColumn,
    RenameIndex,
    SetTableOptions,
    invert,
)
from sqlgen.schema import Column, ForeignKey, Index, IndexPart, Table, TableOptions

GOLDEN = Path(__file__).parent / "golden"
MARIADB = ServerInfo("mariadb", (10, 11, 19), "10.11.19-MariaDB", database="app")
OLD_MARIADB = ServerInfo("mariadb", (10, 4, 0), "10.4.0-MariaDB", database="app")
OPTIONS = TableOptions(engine="InnoDB", collation="utf8mb4_general_ci")


def check_golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if os.environ.get("SQLGEN_UPDATE_GOLDEN") == "1":
        path.parent.mkdir(exist_ok=True)
        path.write_text(text)
    assert path.exists(), f"{path} is missing; run with SQLGEN_UPDATE_GOLDEN=1 and review it"
    assert text == path.read_text()


ORDER = Table(
    "order",
    (
        Column("id", "bigint unsigned", nullable=False, autoincrement=True),
        Column("key", "varchar(40)", nullable=False, collation="utf8mb4_bin", comment="it's the \\key"),
        Column("group", "enum('a','b''c')", default="'a'"),
        Column("total", "decimal(10,2)", nullable=False, default="0"),
        Column("created_at", "datetime(3)", nullable=False, default="CURRENT_TIMESTAMP(3)",
               on_update="CURRENT_TIMESTAMP(3)"),
        Column("user_id", "int"),
        Column("note", "text"),
    ),
    ("id",),
    (
        Index("key", (IndexPart("key"),), unique=True, auto_named=True),
        Index("ix_order_group_total", (IndexPart("group"), IndexPart("total", descending=True))),
        Index("ix_note", (IndexPart("note", length=20),)),
        Index("ft_note", (IndexPart("note"),), kind="FULLTEXT"),
    ),
    (ForeignKey("order_ibfk_1", ("user_id",), "user", ("id",), on_delete="SET NULL", auto_named=True),),
    TableOptions(engine="InnoDB", collation="utf8mb4_general_ci", comment="Orders 'placed'"),
)


def migration_text(operations, server=MARIADB) -> str:
    up = [render(op, server) + ";" for op in operations]
    down = [render(op, server) + ";" for op in invert(operations)]
    return "-- up\n" + "\n\n".join(up) + "\n\n-- down\n" + "\n\n".join(down) + "\n"


def test_create_table_golden():
    check_golden("create_table.sql", migration_text([CreateTable(ORDER)]))


def test_alter_table_every_clause_golden():
    old_email = Column("email", "varchar(50)")
    new_email = Column("email", "varchar(120)", nullable=False, default="''", comment="login")
    user_fk = ForeignKey("fk_order_user", ("user_id",), "user", ("id",), on_delete="CASCADE", on_update="CASCADE")
    operations = [
        AlterTable("order", (DropForeignKey(ORDER.foreign_keys[0]),)),
        AlterTable("order", (
            AddColumn(Column("status", "varchar(20)", nullable=False, default="'new'"), "total", 4),
            AddColumn(Column("first", "int"), None, 0),
            DropColumn(Column("legacy", "tinyint(1)", nullable=False, default="1"), "note", 7),
            ModifyColumn(old_email, new_email),
            AddIndex(Index("ix_order_status", (IndexPart("status"),))),
            DropIndex(ORDER.indexes[2]),
            RenameIndex(Index("old_name", (IndexPart("total"),)), Index("ix_total", (IndexPart("total"),))),
            DropPrimaryKey(("id",)),
            AddPrimaryKey(("id", "user_id")),
            SetTableOptions(OPTIONS, TableOptions(engine="InnoDB", collation="utf8mb4_bin", comment="new")),
        )),
        AlterTable("order", (AddForeignKey(user_fk, Index("fk_order_user", (IndexPart("user_id"),))),)),
    ]
    check_golden("alter_table.sql", migration_text(operations))


def test_drop_table_restores_everything_reflected():
    check_golden("drop_table.sql", migration_text([DropTable(ORDER)]))


def test_rename_index_falls_back_to_drop_and_add_on_old_servers():
    change = RenameIndex(Index("a", (IndexPart("x"),)), Index("b", (IndexPart("x"),)))
    assert render(AlterTable("t", (change,)), OLD_MARIADB) == (
        "ALTER TABLE `t`\n  DROP INDEX `a`,\n  ADD INDEX `b` (`x`)")


def test_column_definition_quotes_and_escapes():
    column = Column("select", "varchar(5)", default="'it''s'", comment="back\\slash 'and' quote")
    assert column_definition(column, MARIADB) == (
        "`select` varchar(5) NULL DEFAULT 'it''s' COMMENT 'back\\\\slash ''and'' quote'")
    # Literals are written with escapes whatever the server's sql_mode: the file pins it (PIN_ESCAPES).
    no_backslash = ServerInfo("mysql", (8, 0, 36), "8.0.36", sql_mode="NO_BACKSLASH_ESCAPES")
    assert column_definition(column, no_backslash).endswith("COMMENT 'back\\\\slash ''and'' quote'")


def test_create_table_without_deferred_keys():
    text = create_table(ORDER, MARIADB, skip_fks=("order_ibfk_1",))
    assert "FOREIGN KEY" not in text


@pytest.mark.parametrize("name", ["create_table.sql", "alter_table.sql", "drop_table.sql"])
def test_golden_files_are_plain_statements(name):
    """Every golden statement ends with ';' and no line starts a statement with a comment marker."""
    text = (GOLDEN / name).read_text()
    blocks = [b for b in text.split("\n\n") if b.strip() and not b.startswith("--")]
    assert all(block.rstrip().endswith(";") for block in blocks)


@pytest.mark.parametrize("old, new", [
    ("enum('10','20','abc')", "int"), ("enum('1','2')", "decimal(5,1)"), ("set('1','2')", "bigint unsigned"),
    ("enum('2020','2021')", "year"), ("enum('a','b')", "bit(8)"), ("enum('1.5')", "double"),
    ("int", "enum('a','b')"), ("tinyint(1)", "enum('0','1')"), ("decimal(5,1)", "set('1.0','2.0')"),
])
def test_a_change_between_enum_and_a_number_is_refused_since_the_server_converts_positions(old, new):
    change = AlterTable("account", (ModifyColumn(Column("state", old), Column("state", new)),))
    with pytest.raises(SqlgenError) as refused:
        render(change, MARIADB)
    line = str(refused.value)
    assert line.startswith(f"account.state: changing {old} to {new} ") and ("position" in line or "bits" in line), line
    assert ("(1, 2, 4, ...)" in line or "first two members" in line) == ("set" in old + new), line
    assert line.endswith("sqlgen checks the rows of each step before it runs)") and "\n" not in line


@pytest.mark.parametrize("old, new", [
    ("enum('10','20')", "varchar(2)"), ("varchar(2)", "enum('10','20')"), ("enum('2020-01-01')", "date"),
    ("varchar(10)", "int"), ("enum('a')", "enum('a','b')"), ("int", "bigint"),
])
def test_conversions_through_text_are_rendered(old, new):
    change = AlterTable("account", (ModifyColumn(Column("state", old), Column("state", new)),))
    assert render(change, MARIADB) == f"ALTER TABLE `account`\n  MODIFY COLUMN `state` {new} NULL"
