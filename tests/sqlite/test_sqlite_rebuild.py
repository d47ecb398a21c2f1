"""Table rebuilds on SQLite, planned and rendered without a database.

SQLite's ALTER TABLE adds a column at the end, drops a plain one and renames;
anything else rebuilds the table: create the new one, copy the rows with
INSERT ... SELECT, drop the old one, rename the new one. Foreign keys are off
for the whole migration (a rebuild drops a referenced table) and checked
before the commit.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from sqlgen.diff import diff
from sqlgen.ops import (
    AddCheck,
    AddColumn,
    AddForeignKey,
    AddIndex,
    AddPrimaryKey,
    AlterTable,
    DropCheck,
    DropColumn,
    DropForeignKey,
    DropIndex,
    DropPrimaryKey,
    ModifyColumn,
    RebuildTable,
    RenameColumn,
    RenameIndex,
)
from sqlgen.schema import Check, Column, ForeignKey, Generated, Index, IndexPart, Schema, Table
from sqlgen.sqlite import rules, tracking
from sqlgen.sqlite.dialect import ServerInfo
from sqlgen.sqlite.render import needs_rebuild, render

SERVER = ServerInfo((3, 45, 0), "3.45.0", "app.db")
BEFORE_DROP_COLUMN = ServerInfo((3, 34, 1), "3.34.1", "app.db")  # DROP COLUMN came in 3.35

ID = Column("id", "INTEGER", nullable=False)
A = Column("a", "TEXT")
BASE = Table("t", (ID, A), primary_key=("id",))


def plus(column: Column, **changes) -> Table:
    """BASE with `column` added at the end (and any other field replaced)."""
    return replace(BASE, columns=BASE.columns + (column,), **changes)


# --- Which changes need a rebuild --------------------------------------------

@pytest.mark.parametrize("column", [
    Column("b", "TEXT"),
    Column("b", "TEXT", nullable=False, default="'x'"),
    Column("b", "TEXT", collation="NOCASE"),
    Column("b", "INTEGER", generated=Generated("id+1", False, "id + 1")),
], ids=["nullable", "not_null_with_constant_default", "collation", "virtual_generated"])
def test_a_column_alter_table_can_add_and_drop_at_the_end_needs_no_rebuild(column):
    check = needs_rebuild(SERVER)
    new = plus(column)
    assert check(BASE, new, [AddColumn(column, "a", 2)]) is False
    assert check(new, BASE, [DropColumn(column, "a", 2)]) is False


@pytest.mark.parametrize(("column", "table_changes"), [
    (Column("b", "TEXT", nullable=False), {}),  # existing rows would need a value
    (Column("b", "TEXT", default="lower('X')"), {}),  # not a constant
    (Column("b", "TEXT", default="CURRENT_TIMESTAMP"), {}),
    (Column("b", "INTEGER", generated=Generated("id+1", True, "id + 1")), {}),
    (Column("b", "TEXT"), {"indexes": (Index("ix_b", (IndexPart("b"),)),)}),
    (Column("b", "TEXT"), {"checks": (Check("ck_b", "b<>''", "b <> ''"),)}),
    (Column("b", "INTEGER"), {"foreign_keys": (ForeignKey("fk_b", ("b",), "other", ("id",)),)}),
], ids=["not_null_without_default", "expression_default", "current_timestamp", "stored_generated", "indexed",
        "in_a_check", "in_a_foreign_key"])
def test_a_column_alter_table_cannot_add_or_drop_needs_a_rebuild(column, table_changes):
    check = needs_rebuild(SERVER)
    new = plus(column, **table_changes)
    assert check(BASE, new, [AddColumn(column, "a", 2)]) is True
    assert check(new, BASE, [DropColumn(column, "a", 2)]) is True


def test_a_column_not_at_the_end_needs_a_rebuild():
    # ADD COLUMN appends: the column would land in the wrong place, and its drop could not be undone.
    b = Column("b", "TEXT")
    middle = Table("t", (ID, b, A), primary_key=("id",))
    check = needs_rebuild(SERVER)
    assert check(BASE, middle, [AddColumn(b, "id", 1)]) is True
    assert check(middle, BASE, [DropColumn(b, "id", 1)]) is True


def test_several_columns_at_the_end_need_no_rebuild():
    b, c = Column("b", "TEXT"), Column("c", "TEXT")
    new = Table("t", (ID, A, b, c), primary_key=("id",))
    check = needs_rebuild(SERVER)
    assert check(BASE, new, [AddColumn(b, "a", 2), AddColumn(c, "b", 3)]) is False
    assert check(new, BASE, [DropColumn(b, "a", 2), DropColumn(c, "b", 3)]) is False


def test_before_sqlite_3_35_adding_a_column_needs_a_rebuild_too():
    # Its down step would need DROP COLUMN, which that SQLite lacks.
    b = Column("b", "TEXT")
    check = needs_rebuild(BEFORE_DROP_COLUMN)
    assert check(BASE, plus(b), [AddColumn(b, "a", 2)]) is True
    assert check(plus(b), BASE, [DropColumn(b, "a", 2)]) is True


PLAIN = Index("ix_a", (IndexPart("a"),))
UNIQUE_CONSTRAINT = Index("uq_a", (IndexPart("a"),), unique=True, constraint=True)


@pytest.mark.parametrize(("change", "rebuild"), [
    (RenameColumn(A, "z"), False),
    (AddIndex(PLAIN), False),
    (DropIndex(PLAIN), False),
    (RenameIndex(PLAIN, Index("ix_a2", PLAIN.parts)), False),
    (AddIndex(replace(PLAIN, unique=True)), False),  # a unique CREATE INDEX is still its own statement
    # A UNIQUE constraint is part of CREATE TABLE.
    (AddIndex(UNIQUE_CONSTRAINT), True),
    (DropIndex(UNIQUE_CONSTRAINT), True),
    (RenameIndex(UNIQUE_CONSTRAINT, Index("uq_a2", UNIQUE_CONSTRAINT.parts, unique=True)), True),
    (ModifyColumn(A, Column("a", "TEXT", nullable=False)), True),
    (AddCheck(Check("ck", "a<>''", "a <> ''")), True),
    (DropCheck(Check("ck", "a<>''", "a <> ''")), True),
    (AddPrimaryKey(("a",)), True),
    (DropPrimaryKey(("id",)), True),
    (AddForeignKey(ForeignKey("fk", ("a",), "other", ("id",))), True),
    (DropForeignKey(ForeignKey("fk", ("a",), "other", ("id",))), True),
], ids=lambda value: type(value).__name__ if not isinstance(value, bool) else str(value))
def test_which_changes_need_a_rebuild(change, rebuild):
    assert needs_rebuild(SERVER)(BASE, BASE, [change]) is rebuild


def test_one_change_that_needs_a_rebuild_rebuilds_the_whole_set():
    b = Column("b", "TEXT")
    changes = [AddColumn(b, "a", 2), AddIndex(PLAIN), AddCheck(Check("ck", "a<>''", "a <> ''"))]
    assert needs_rebuild(SERVER)(BASE, plus(b), changes) is True


def test_the_dialect_rules_plan_a_rebuild_by_server_version():
    b = Column("b", "TEXT")
    current, target = Schema((BASE,)), Schema((plus(b),))
    assert diff(current, target, rules(SERVER)) == [AlterTable("t", (AddColumn(b, "a", 2),))]
    (operation,) = diff(current, target, rules(BEFORE_DROP_COLUMN))
    assert isinstance(operation, RebuildTable)
    assert (operation.old, operation.new, operation.changes) == (BASE, plus(b), (AddColumn(b, "a", 2),))


# --- What a rebuild copies ---------------------------------------------------

def _copy(statements: list[str]) -> str:
    (insert,) = [statement for statement in statements if statement.startswith("INSERT INTO")]
    return insert


def test_rows_are_copied_for_the_columns_both_tables_have():
    old = Table("t", (ID, A, Column("gone", "TEXT")), primary_key=("id",))
    new = Table("t", (ID, Column("fresh", "TEXT"), Column("a", "TEXT", nullable=False, default="''")),
                primary_key=("id",))
    assert _copy(render(RebuildTable(old, new, ()), SERVER)) == \
        'INSERT INTO "_sqlgen_new_t" ("id", "a") SELECT "id", "a" FROM "t"'


def test_a_generated_column_is_computed_by_the_new_table_not_copied():
    plain = plus(Column("g", "TEXT"))
    generated = plus(Column("g", "TEXT", generated=Generated("upper(a)", True, "upper(a)")))
    # SQLite refuses a value for a generated column: it computes them all.
    assert _copy(render(RebuildTable(plain, generated, ()), SERVER)) == \
        'INSERT INTO "_sqlgen_new_t" ("id", "a") SELECT "id", "a" FROM "t"'
    # Made a plain column, it keeps the values it had.
    assert _copy(render(RebuildTable(generated, plain, ()), SERVER)) == \
        'INSERT INTO "_sqlgen_new_t" ("id", "a", "g") SELECT "id", "a", "g" FROM "t"'


def test_the_new_table_is_filled_before_the_old_one_is_dropped_and_takes_its_name():
    new = plus(Column("b", "TEXT", nullable=False))
    statements = render(RebuildTable(BASE, new, ()), SERVER)
    assert statements[0].startswith('CREATE TABLE "_sqlgen_new_t" (')
    assert statements[1:] == [
        'INSERT INTO "_sqlgen_new_t" ("id", "a") SELECT "id", "a" FROM "t"',
        'DROP TABLE "t"',
        "PRAGMA legacy_alter_table = ON",
        'ALTER TABLE "_sqlgen_new_t" RENAME TO "t"',
        "PRAGMA legacy_alter_table = OFF",
    ]


def test_autoincrement_keeps_its_counter_across_a_rebuild():
    counted = Table("t", (Column("id", "INTEGER", nullable=False, autoincrement=True), A), primary_key=("id",))
    statements = render(RebuildTable(counted, replace(counted, columns=counted.columns + (Column("b", "TEXT"),)),
                                     ()), SERVER)
    insert = statements.index('INSERT INTO "_sqlgen_new_t" ("id", "a") SELECT "id", "a" FROM "t"')
    assert statements[insert + 1:insert + 4] == [
        "DELETE FROM sqlite_sequence WHERE name = '_sqlgen_new_t'",
        "INSERT INTO sqlite_sequence (name, seq) SELECT '_sqlgen_new_t', seq FROM sqlite_sequence WHERE name = 't'",
        'DROP TABLE "t"',
    ]
    # Without AUTOINCREMENT on both sides there is no counter to carry over.
    assert not any("sqlite_sequence" in statement for statement in render(RebuildTable(counted, BASE, ()), SERVER))


def test_indexes_triggers_and_views_are_restored_after_the_rename():
    trigger = "CREATE TRIGGER t_audit AFTER UPDATE ON t BEGIN SELECT 1; END"
    partial = "CREATE INDEX ix_partial ON t (a) WHERE a IS NOT NULL"
    old = replace(BASE, indexes=(PLAIN,), dependents=(partial, trigger))
    new = replace(plus(Column("b", "TEXT", nullable=False)), indexes=(PLAIN, UNIQUE_CONSTRAINT))
    views = ('CREATE VIEW "v one" AS SELECT a FROM t', "CREATE TEMP VIEW [v2] AS SELECT * FROM [T]",
             "CREATE VIEW v_other AS SELECT 1 FROM t_other")
    statements = render(RebuildTable(old, new, (), views), SERVER)
    after_rename = statements[statements.index("PRAGMA legacy_alter_table = OFF") + 1:]
    assert after_rename == [
        # The UNIQUE constraint is inside the new CREATE TABLE: only the plain index is created again.
        'CREATE INDEX "ix_a" ON "t" ("a")',
        partial,
        trigger,
        '-- the view v one must still work: this fails if the change broke it\nSELECT * FROM "v one" LIMIT 0',
        '-- the view v2 must still work: this fails if the change broke it\nSELECT * FROM "v2" LIMIT 0',
    ]
    assert 'CONSTRAINT "uq_a" UNIQUE ("a")' in statements[0]


def test_a_view_reading_a_table_whose_name_holds_a_quote_is_checked():
    old = Table('we"ird', (ID, A), primary_key=("id",))
    new = replace(old, columns=(ID, Column("a", "TEXT", nullable=False)))
    statements = render(RebuildTable(old, new, (), ('CREATE VIEW v AS SELECT a FROM "we""ird"',)), SERVER)
    assert statements[-1].endswith('SELECT * FROM "v" LIMIT 0')


# --- Foreign keys ------------------------------------------------------------

def test_a_rebuild_leaves_foreign_keys_to_the_migration_s_transaction():
    # PRAGMA foreign_keys is a no-op inside a transaction: switching it is the file's job, not the rebuild's.
    parent = Table("parent", (ID,), primary_key=("id",))
    child = Table("child", (ID, Column("parent_id", "INTEGER")), primary_key=("id",),
                  foreign_keys=(ForeignKey("fk_parent", ("parent_id",), "parent", ("id",), on_delete="CASCADE",
                                           on_update="NO ACTION"),))
    parent_rebuild = render(RebuildTable(parent, replace(parent, columns=(ID, Column("name", "TEXT", nullable=False))),
                                         ()), SERVER)
    child_rebuild = render(RebuildTable(replace(child, foreign_keys=()), child, ()), SERVER)
    assert not any("foreign_keys" in statement.lower() for statement in parent_rebuild + child_rebuild)
    # The new table declares the key in its own CREATE TABLE: no statement adds it on its own.
    assert child_rebuild[0].endswith(
        '  CONSTRAINT "fk_parent" FOREIGN KEY ("parent_id") REFERENCES "parent" ("id") ON DELETE CASCADE\n)')


@pytest.mark.parametrize("direction", ["up", "down"])
def test_a_file_runs_with_foreign_keys_off_and_checks_them_before_commit(direction):
    opening, closing = tracking.file_blocks(direction, "sqlgen_version", 3, "add_posts", "0" * 64, 5)
    opening_lines, closing_lines = opening.splitlines(), closing.splitlines()
    # Switched off before BEGIN: inside the transaction SQLite would ignore it.
    assert opening_lines.index("PRAGMA foreign_keys = OFF;") < opening_lines.index("BEGIN;")
    guard = tracking.FOREIGN_KEY_GUARD + ";"
    assert "pragma_foreign_key_check" in guard
    assert closing_lines.index(guard) < closing_lines.index("COMMIT;") < closing_lines.index(
        "PRAGMA foreign_keys = ON;")
