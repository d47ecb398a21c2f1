"""The diff is a pure function of two Schemas: no server needed."""

from __future__ import annotations

from dataclasses import replace

from sqlgen.diff import diff
from sqlgen.mysql import rules
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
    RenameIndex,
    invert,
)
from sqlgen.schema import Column, ForeignKey, Index, IndexPart, Schema, Table, TableOptions

MYSQL_RULES = rules()

OPTIONS = TableOptions(engine="InnoDB", collation="utf8mb4_general_ci")
ID = Column("id", "int", nullable=False, autoincrement=True)


def table(name, *columns, pk=("id",), indexes=(), fks=(), options=OPTIONS):
    return Table(name, (ID, *columns), pk, tuple(indexes), tuple(fks), options)


def index(name, *columns, unique=False, auto=False):
    return Index(name, tuple(IndexPart(c) for c in columns), unique=unique, auto_named=auto)


def fk(name, columns, ref_table, ref_columns=("id",), auto=False, **actions):
    return ForeignKey(name, tuple(columns), ref_table, tuple(ref_columns), auto_named=auto, **actions)


USER = table("user", Column("name", "varchar(50)"))
USER_ID = Column("user_id", "int")


def changes_of(operations, table_name):
    return [c for op in operations if isinstance(op, AlterTable) and op.table == table_name for c in op.changes]


def test_identical_schemas_give_no_operations():
    schema = Schema((USER, table("post", USER_ID, fks=[fk("post_ibfk_1", ["user_id"], "user")])))
    assert diff(schema, schema) == []


def test_parents_are_created_before_children_and_dropped_after():
    post = table("post", USER_ID, fks=[fk("fk_post_user", ["user_id"], "user")])
    comment = table("comment", Column("post_id", "int"), fks=[fk("fk_comment_post", ["post_id"], "post")])
    operations = diff(Schema(), Schema((comment, post, USER)))
    assert [op.table.name for op in operations] == ["user", "post", "comment"]
    assert all(isinstance(op, CreateTable) and not op.without_fks for op in operations)
    down = invert(operations)
    assert [(type(op), op.table.name) for op in down] == [
        (DropTable, "comment"), (DropTable, "post"), (DropTable, "user")]


def test_created_table_gets_the_index_innodb_would_make_for_its_key():
    post = table("post", USER_ID, fks=[fk("post_ibfk_1", ["user_id"], "user", auto=True)])
    [create] = diff(Schema((USER,)), Schema((USER, post)))
    assert create.table.index("user_id").columns == ("user_id",)


def test_a_cycle_is_broken_by_adding_one_key_after_both_tables():
    a = table("a", Column("b_id", "int"), fks=[fk("fk_a_b", ["b_id"], "b")])
    b = table("b", Column("a_id", "int"), fks=[fk("fk_b_a", ["a_id"], "a")])
    operations = diff(Schema(), Schema((a, b)))
    assert [type(op) for op in operations] == [CreateTable, CreateTable, AlterTable]
    first, _, add = operations
    assert first.table.name == "a" and first.without_fks == ("fk_a_b",)
    assert isinstance(add.changes[0], AddForeignKey) and add.changes[0].fk.name == "fk_a_b"
    # Undo: the key goes first, then the tables, children first.
    down = invert(operations)
    assert isinstance(down[0], AlterTable) and isinstance(down[0].changes[0], DropForeignKey)
    assert [op.table.name for op in down[1:]] == ["b", "a"]


def test_foreign_key_is_dropped_before_the_index_it_used():
    old_post = table("post", USER_ID, indexes=[index("ix_post_user_id", "user_id")],
                     fks=[fk("post_ibfk_1", ["user_id"], "user")])
    new_post = table("post", USER_ID)
    operations = diff(Schema((USER, old_post)), Schema((USER, new_post)))
    kinds = [type(c) for op in operations for c in op.changes]
    assert kinds == [DropForeignKey, DropIndex]
    assert operations[0] is not operations[1], "separate statements, key first"


def test_index_a_remaining_foreign_key_needs_is_kept():
    old_post = table("post", USER_ID, indexes=[index("ix_post_user_id", "user_id")],
                     fks=[fk("post_ibfk_1", ["user_id"], "user")])
    new_post = table("post", USER_ID, fks=[fk("post_ibfk_1", ["user_id"], "user")])
    assert diff(Schema((USER, old_post)), Schema((USER, new_post))) == []


def test_index_replaced_by_one_that_still_serves_the_key_is_dropped():
    old_post = table("post", USER_ID, Column("rank", "int"), indexes=[index("user_id", "user_id")],
                     fks=[fk("post_ibfk_1", ["user_id"], "user")])
    new_post = replace(old_post, indexes=(index("ix_user_rank", "user_id", "rank"),))
    changes = changes_of(diff(Schema((USER, old_post)), Schema((USER, new_post))), "post")
    assert {type(c) for c in changes} == {AddIndex, DropIndex}


def test_innodb_index_for_a_key_is_never_reported():
    reflected = table("post", USER_ID, indexes=[index("user_id", "user_id")],
                      fks=[fk("post_ibfk_1", ["user_id"], "user")])
    declared = table("post", USER_ID, fks=[fk("post_ibfk_1", ["user_id"], "user", auto=True)])
    assert diff(Schema((USER, reflected)), Schema((USER, declared))) == []


def test_new_key_on_an_existing_table_gets_an_explicit_index_and_a_free_name():
    old_post = table("post", USER_ID, Column("editor_id", "int"), indexes=[index("editor_id", "editor_id")],
                     fks=[fk("post_ibfk_1", ["editor_id"], "user")])
    new_post = replace(old_post, foreign_keys=(
        fk("post_ibfk_1", ["editor_id"], "user", auto=True),
        fk("post_ibfk_2", ["user_id"], "user", auto=True, on_delete="CASCADE"),
    ))
    [add] = changes_of(diff(Schema((USER, old_post)), Schema((USER, new_post)), MYSQL_RULES), "post")
    assert isinstance(add, AddForeignKey)
    assert add.fk.name == "post_ibfk_2" and add.fk.on_delete == "CASCADE"
    assert add.index == index("user_id", "user_id")
    # Its inverse drops the same key and index.
    assert add.inverse() == DropForeignKey(add.fk, add.index)


def test_unnamed_unique_matches_the_servers_name():
    reflected = table("user", Column("email", "varchar(50)"), indexes=[index("email", "email", unique=True)])
    declared = table("user", Column("email", "varchar(50)"), indexes=[index("email", "email", unique=True, auto=True)])
    assert diff(Schema((reflected,)), Schema((declared,))) == []
    renamed = replace(declared, indexes=(index("uq_user_email", "email", unique=True),))
    [change] = changes_of(diff(Schema((reflected,)), Schema((renamed,))), "user")
    assert isinstance(change, RenameIndex)


def test_dropped_column_comes_back_with_its_definition_and_place():
    email = Column("email", "varchar(120)", nullable=False, default="''", comment="login")
    old = table("user", email, Column("name", "varchar(50)"))
    new = table("user", Column("name", "varchar(50)"))
    operations = diff(Schema((old,)), Schema((new,)))
    assert changes_of(operations, "user") == [DropColumn(email, "id", 1)]
    [undo] = invert(operations)
    assert undo.changes == (AddColumn(email, "id", 1),)


def test_added_columns_keep_the_declared_order():
    old = table("user", Column("name", "varchar(50)"))
    new = table("user", Column("a", "int"), Column("name", "varchar(50)"), Column("b", "int"))
    changes = changes_of(diff(Schema((old,)), Schema((new,))), "user")
    assert [(c.column.name, c.after) for c in changes] == [("a", "id"), ("b", "name")]


def test_inverse_of_the_inverse_is_the_plan():
    old = table("user", Column("email", "varchar(50)"), indexes=[index("ix_email", "email")])
    new = table("user", Column("email", "varchar(120)", nullable=False), Column("bio", "text"))
    post = table("post", USER_ID, fks=[fk("fk_post_user", ["user_id"], "user", on_delete="CASCADE")])
    operations = diff(Schema((old,)), Schema((new, post)))
    assert invert(invert(operations)) == operations


def test_restrict_and_no_action_are_the_same():
    from sqlgen.mysql.reflect import normalize_action

    assert normalize_action("NO ACTION") == normalize_action("RESTRICT") == normalize_action(None) == "RESTRICT"
    assert normalize_action("set null") == "SET NULL"


def test_changing_a_referenced_column_moves_the_key_around_it():
    post = table("post", USER_ID, indexes=[index("user_id", "user_id")],
                 fks=[fk("post_ibfk_1", ["user_id"], "user")])
    user = table("user")
    wider = Column("id", "bigint", nullable=False, autoincrement=True)
    new_user = replace(user, columns=(wider,))
    new_post = replace(post, columns=(ID, replace(USER_ID, type="bigint")), indexes=())
    operations = diff(Schema((post, user)), Schema((new_post, new_user)))
    first, *middle, last = operations
    assert first.changes == (DropForeignKey(post.foreign_keys[0], post.indexes[0], announce=False),)
    assert {type(c) for op in middle for c in op.changes} == {ModifyColumn}
    assert last.changes == (AddForeignKey(post.foreign_keys[0], post.indexes[0], announce=False),)
    # Not a change of the models: only the column changes are announced.
    assert [line for op in operations for line in op.summaries()] == [
        "~ column post.user_id: int → bigint", "~ column user.id: int → bigint"]


def test_table_collation_change_spells_out_column_collations():
    latin = TableOptions(engine="InnoDB", collation="latin1_swedish_ci")
    old = table("t", Column("name", "varchar(5)"), Column("n", "int"))
    new = replace(old, options=latin)
    changes = changes_of(diff(Schema((old,)), Schema((new,)), MYSQL_RULES), "t")
    modify = [c for c in changes if isinstance(c, ModifyColumn)]
    assert [(c.old.collation, c.new.collation) for c in modify] == [("utf8mb4_general_ci", "latin1_swedish_ci")]


def test_unmanaged_objects_are_carried_not_diffed():
    current = Schema((USER,), unmanaged=(("view", "active_users"),))
    assert diff(current, Schema((USER,))) == []


def test_a_column_renamed_only_in_letter_case_is_renamed_not_dropped():
    """MySQL and SQLite take `Name` and `name` for one column: drop + add would lose its data."""
    from sqlgen.ops import RenameColumn

    old = Table("t", (Column("id", "int", nullable=False), Column("Name", "varchar(50)")), ("id",))
    new = Table("t", (Column("id", "int", nullable=False), Column("name", "varchar(50)")), ("id",))
    operations = diff(Schema((old,)), Schema((new,)), MYSQL_RULES)
    changes = [change for operation in operations for change in getattr(operation, "changes", ())]
    assert [(type(change), change.old.name, change.new_name) for change in changes] == [
        (RenameColumn, "Name", "name")]


def test_the_expression_key_keeps_backticks_only_on_the_reflected_flavours_reserved_words():
    from sqlgen.mysql.dialect import ServerInfo
    from sqlgen.mysql.expressions import key

    mariadb = ServerInfo("mariadb", (10, 11, 19), "10.11.19-MariaDB")
    mysql8 = ServerInfo("mysql", (8, 0, 36), "8.0.36")
    assert key("`grouping` > 0", mariadb) == key("grouping > 0", mariadb) == "grouping>0"
    assert key("`grouping` > 0", mysql8) == "`grouping`>0"
    assert key("`position` > 0", mariadb) == "`position`>0"  # MariaDB's own reserved word
    assert key("`position` > 0", mysql8) == "position>0"
