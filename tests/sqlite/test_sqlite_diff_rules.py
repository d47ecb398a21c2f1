"""The diff under SQLite's rules: schema pairs in, operations out, no database.

SQLite differs from MySQL in what the diff must know: table names differing
only in letter case are one table, foreign keys live inside CREATE TABLE (so
they change with their table, never on their own), nothing creates indexes for
foreign keys behind sqlgen's back, and every column can take a collation.
Where it helps, the same pair is diffed under the default (MySQL-like) rules
to show the SQLite rule is what makes the difference.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from sqlgen.diff import Rules, diff, rename_candidates
from sqlgen.ops import (
    AddColumn,
    AddForeignKey,
    AddIndex,
    AlterTable,
    CreateTable,
    DropColumn,
    DropForeignKey,
    DropIndex,
    DropTable,
    ModifyColumn,
    RebuildTable,
    RenameColumn,
    RenameTable,
    invert,
)
from sqlgen.schema import Check, Column, ForeignKey, Index, IndexPart, Schema, Table
from sqlgen.sqlite import rules
from sqlgen.sqlite.dialect import ServerInfo
from sqlgen.sqlite.render import render

SERVER = ServerInfo((3, 45, 0), "3.45.0", "app.db")
SQLITE = rules(SERVER)

ID = Column("id", "INTEGER", nullable=False)
PARENT = Table("parent", (ID, Column("name", "TEXT")), primary_key=("id",))
# As SQLite reflects an unnamed key, and as the models declare one.
PARENT_KEY = ForeignKey("child_fk_1", ("parent_id",), "parent", ("id",), on_delete="NO ACTION",
                        on_update="NO ACTION", auto_named=True)
CHILD = Table("child", (ID, Column("parent_id", "INTEGER")), primary_key=("id",), foreign_keys=(PARENT_KEY,))


def sqlite_diff(current: tuple[Table, ...], target: tuple[Table, ...], **kwargs):
    return diff(Schema(current), Schema(target), SQLITE, **kwargs)


def test_the_rules_sqlite_gives_the_diff():
    assert SQLITE.implicit_fk_indexes is False
    assert SQLITE.inline_foreign_keys is True
    assert SQLITE.case_insensitive_tables is True
    assert SQLITE.needs_rebuild is not None
    # Any column can take a collation in SQLite, whatever its declared type.
    assert all(SQLITE.takes_collation(column_type) for column_type in ("TEXT", "INTEGER", "BLOB", "NUMERIC", ""))


def test_no_difference_no_operation():
    schema = (CHILD, PARENT)
    assert sqlite_diff(schema, schema) == []


# --- Tables ------------------------------------------------------------------

def test_new_tables_are_created_parents_first_with_their_keys_inline_and_no_added_index():
    assert sqlite_diff((), (CHILD, PARENT)) == [CreateTable(PARENT), CreateTable(CHILD)]
    # MySQL's rules add the index InnoDB would otherwise create for the key.
    (_, mysql_child) = diff(Schema(), Schema((CHILD, PARENT)), Rules())
    assert [index.columns for index in mysql_child.table.indexes] == [("parent_id",)]


def test_dropped_tables_go_children_first():
    assert sqlite_diff((CHILD, PARENT), ()) == [DropTable(CHILD), DropTable(PARENT)]


def test_a_table_renamed_only_in_letter_case_is_renamed_not_dropped():
    renamed = replace(PARENT, name="Parent")
    operations = sqlite_diff((PARENT,), (renamed,))
    assert operations == [RenameTable("parent", "Parent")]
    assert render(operations[0], SERVER) == ['ALTER TABLE "parent" RENAME TO "_sqlgen_new_Parent"',
                                             'ALTER TABLE "_sqlgen_new_Parent" RENAME TO "Parent"']
    # Where names are case sensitive the data would be dropped with the old table.
    assert [type(op) for op in diff(Schema((PARENT,)), Schema((renamed,)), Rules())] == [DropTable, CreateTable]


def test_keys_naming_a_table_renamed_in_letter_case_follow_it():
    old_child = replace(CHILD, foreign_keys=(replace(PARENT_KEY, ref_table="Parent"),))
    assert sqlite_diff((old_child, replace(PARENT, name="Parent")), (CHILD, PARENT)) == [
        RenameTable("Parent", "parent")]


def test_a_column_renamed_only_in_letter_case_is_renamed():
    target = replace(PARENT, columns=(ID, Column("Name", "TEXT")))
    assert sqlite_diff((PARENT,), (target,)) == [AlterTable("parent", (RenameColumn(PARENT.columns[1], "Name"),))]


# --- Columns and what ALTER TABLE can do ---------------------------------------

def test_a_nullable_column_added_at_the_end_is_altered_in_place():
    bio = Column("bio", "TEXT")
    target = replace(PARENT, columns=PARENT.columns + (bio,))
    assert sqlite_diff((PARENT,), (target,)) == [AlterTable("parent", (AddColumn(bio, "name", 2),))]


def test_a_column_dropped_from_the_middle_rebuilds_the_table_and_keeps_the_views():
    three = replace(PARENT, columns=(ID, Column("name", "TEXT"), Column("bio", "TEXT")))
    target = replace(PARENT, columns=(ID, Column("bio", "TEXT")))
    views = ("CREATE VIEW v AS SELECT bio FROM parent",)
    operations = diff(Schema((three,), views=views), Schema((target,)), SQLITE)
    assert operations == [RebuildTable(three, target, (DropColumn(three.columns[1], "id", 1),), views)]


def test_a_declared_rename_comes_first_and_the_rebuild_sees_the_renamed_column():
    three = replace(PARENT, columns=(ID, Column("name", "TEXT"), Column("bio", "TEXT")))
    target = replace(PARENT, columns=(ID, Column("bio", "TEXT"), Column("title", "TEXT")))
    rename, rebuild = sqlite_diff((three,), (target,), renames=(("parent", "name", "title"),))
    assert rename == AlterTable("parent", (RenameColumn(three.columns[1], "title"),))
    assert isinstance(rebuild, RebuildTable)
    assert rebuild.old.column_names() == ("id", "title", "bio")
    assert rebuild.new == target
    # The data of "title" is copied: the rename kept it.
    assert 'INSERT INTO "_sqlgen_new_parent" ("id", "bio", "title") SELECT "id", "bio", "title" FROM "parent"' \
        in render(rebuild, SERVER)


def test_a_dropped_and_added_column_of_one_definition_is_a_rename_candidate():
    three = replace(PARENT, columns=(ID, Column("name", "TEXT"), Column("bio", "TEXT")))
    target = replace(PARENT, columns=(ID, Column("bio", "TEXT"), Column("title", "TEXT")))
    assert rename_candidates(sqlite_diff((three,), (target,))) == [("parent", "name", "title")]


@pytest.mark.parametrize("column_type", ["TEXT", "INTEGER"])
def test_a_collation_change_is_a_column_change_that_rebuilds(column_type):
    old = Table("t", (ID, Column("c", column_type)), primary_key=("id",))
    new = Table("t", (ID, Column("c", column_type, collation="NOCASE")), primary_key=("id",))
    assert sqlite_diff((old,), (new,)) == [RebuildTable(old, new, (ModifyColumn(old.columns[1], new.columns[1]),))]
    assert sqlite_diff((new,), (new,)) == []


def test_an_unnamed_check_matches_whatever_number_sqlite_gave_it():
    check = Check("parent_check_1", "length(name)>0", "length(name) > 0", auto_named=True, column="name")
    reflected = replace(PARENT, checks=(replace(check, name="parent_check_7"),))
    assert sqlite_diff((reflected,), (replace(PARENT, checks=(check,)),)) == []


# --- Indexes -------------------------------------------------------------------

def test_a_plain_index_is_created_in_place_but_a_unique_constraint_rebuilds():
    plain = Index("ix_name", (IndexPart("name"),))
    assert sqlite_diff((PARENT,), (replace(PARENT, indexes=(plain,)),)) == [AlterTable("parent", (AddIndex(plain),))]
    constraint = Index("uq_name", (IndexPart("name"),), unique=True, constraint=True)
    target = replace(PARENT, indexes=(constraint,))
    assert sqlite_diff((PARENT,), (target,)) == [RebuildTable(PARENT, target, (AddIndex(constraint),))]


def test_an_index_on_a_foreign_key_column_is_not_kept_for_the_key():
    indexed = replace(CHILD, indexes=(Index("ix_parent_id", (IndexPart("parent_id"),)),))
    assert sqlite_diff((indexed, PARENT), (CHILD, PARENT)) == [
        AlterTable("child", (DropIndex(indexed.indexes[0]),))]
    # MySQL's rules keep it: InnoDB needs an index for the key.
    assert diff(Schema((indexed, PARENT)), Schema((CHILD, PARENT)), Rules()) == []


# --- Foreign keys ----------------------------------------------------------------

def test_a_key_added_to_a_table_rebuilds_it_with_the_key_inline():
    keyless = replace(CHILD, foreign_keys=())
    (operation,) = sqlite_diff((keyless, PARENT), (CHILD, PARENT))
    assert isinstance(operation, RebuildTable)
    assert (operation.old, operation.new) == (keyless, CHILD)
    assert [type(change) for change in operation.changes] == [AddForeignKey]
    assert operation.changes[0].index is None  # nothing to create for it
    assert 'FOREIGN KEY ("parent_id") REFERENCES "parent" ("id")' in render(operation, SERVER)[0]


def test_a_new_unnamed_key_keeps_its_sqlite_name():
    (operation,) = sqlite_diff((replace(CHILD, foreign_keys=()), PARENT), (CHILD, PARENT))
    assert operation.summaries() == ["+ foreign key child.child_fk_1 (parent_id) → parent (id)"]


def test_a_changed_key_action_rebuilds_the_table():
    cascading = replace(CHILD, foreign_keys=(replace(PARENT_KEY, on_delete="CASCADE"),))
    (operation,) = sqlite_diff((CHILD, PARENT), (cascading, PARENT))
    assert operation == RebuildTable(CHILD, cascading, (DropForeignKey(PARENT_KEY),
                                                       AddForeignKey(cascading.foreign_keys[0])))
    assert 'REFERENCES "parent" ("id") ON DELETE CASCADE' in render(operation, SERVER)[0]


def test_retyping_a_referenced_column_leaves_the_referencing_table_alone():
    retyped = replace(PARENT, columns=(Column("id", "BIGINT", nullable=False), PARENT.columns[1]))
    assert sqlite_diff((CHILD, PARENT), (CHILD, retyped)) == [
        RebuildTable(PARENT, retyped, (ModifyColumn(PARENT.columns[0], retyped.columns[0]),))]
    # MySQL's rules drop the key around the change and add it back.
    mysql = diff(Schema((CHILD, PARENT)), Schema((CHILD, retyped)), Rules())
    assert [op.table for op in mysql] == ["child", "parent", "child"]


# --- Down --------------------------------------------------------------------------

def test_the_down_step_undoes_the_diff_in_reverse_order():
    keyless = replace(CHILD, foreign_keys=(), columns=CHILD.columns + (Column("note", "TEXT"),))
    current, target = (keyless, PARENT), (CHILD, replace(PARENT, name="Parent"))
    up = sqlite_diff(current, target)
    assert [type(op) for op in up] == [RenameTable, RebuildTable]
    down = invert(up)
    assert [type(op) for op in down] == [RebuildTable, RenameTable]
    assert (down[0].old, down[0].new, down[1]) == (CHILD, keyless, RenameTable("Parent", "parent"))
    # Statement for statement what the diff back renders, in the opposite order of operations.
    back = [render(op, SERVER) for op in sqlite_diff(target, current)]
    assert [render(op, SERVER) for op in down] == back[::-1]
