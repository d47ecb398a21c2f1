"""SQLite rendering of each operation kind, as exact text, without a database.

The end-to-end tests (tests/sqlite/test_sqlite.py) run these statements on real files;
these pin the text itself, so a change to sqlgen/sqlite/render.py shows up here
first, as a reviewer would read it in a migration file.
"""

from __future__ import annotations

import pytest

from sqlgen.ops import (
    AddCheck,
    AddColumn,
    AddForeignKey,
    AddIndex,
    AddPrimaryKey,
    AlterTable,
    CreateTable,
    DropColumn,
    DropIndex,
    DropTable,
    ModifyColumn,
    RebuildTable,
    RenameColumn,
    RenameIndex,
    RenameTable,
    invert,
)
from sqlgen.schema import Check, Column, ForeignKey, Generated, Index, IndexPart, Table
from sqlgen.sqlite.dialect import ServerInfo
from sqlgen.sqlite.render import column_definition, render

SERVER = ServerInfo((3, 45, 0), "3.45.0", "app.db")

ID = Column("id", "INTEGER", nullable=False)
NICK = Column("nick", "TEXT")
IX_NICK = Index("ix_nick", (IndexPart("nick"),))


def user_table() -> Table:
    return Table(
        "user",
        (
            Column("id", "INTEGER", nullable=False, autoincrement=True),
            Column("name", "VARCHAR(50)", nullable=False, default="'x'", collation="NOCASE"),
            Column("age", "INTEGER"),
        ),
        primary_key=("id",),
        indexes=(
            Index("ix_user_age", (IndexPart("age", descending=True),)),
            Index("uq_user_name", (IndexPart("name"),), unique=True, constraint=True),
        ),
        foreign_keys=(ForeignKey("fk_user_team", ("age",), "team", ("id",), on_delete="CASCADE",
                                 on_update="NO ACTION"),),
        checks=(
            Check("user_check_1", "age>0", "age > 0", auto_named=True, column="age"),
            Check("ck_user_age", "age<200", "age < 200"),
        ),
    )


def sql(operation) -> list[str]:
    return render(operation, SERVER)


# --- CREATE TABLE / DROP TABLE -----------------------------------------------

def test_create_table_puts_every_constraint_inside_and_plain_indexes_after():
    assert sql(CreateTable(user_table())) == [
        'CREATE TABLE "user" (\n'
        '  "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,\n'
        '  "name" VARCHAR(50) DEFAULT \'x\' NOT NULL COLLATE "NOCASE",\n'
        '  "age" INTEGER CHECK (age > 0),\n'
        '  CONSTRAINT "ck_user_age" CHECK (age < 200),\n'
        '  CONSTRAINT "uq_user_name" UNIQUE ("name"),\n'
        '  CONSTRAINT "fk_user_team" FOREIGN KEY ("age") REFERENCES "team" ("id") ON DELETE CASCADE\n'
        ")",
        'CREATE INDEX "ix_user_age" ON "user" ("age" DESC)',
    ]


def test_create_table_without_autoincrement_declares_the_primary_key_as_a_table_constraint():
    table = Table("membership", (Column("user_id", "INTEGER", nullable=False),
                                 Column("team_id", "INTEGER", nullable=False)), primary_key=("user_id", "team_id"))
    assert sql(CreateTable(table)) == [
        'CREATE TABLE "membership" (\n'
        '  "user_id" INTEGER NOT NULL,\n'
        '  "team_id" INTEGER NOT NULL,\n'
        '  PRIMARY KEY ("user_id", "team_id")\n'
        ")"
    ]


def test_unnamed_constraints_are_written_without_a_name_and_no_action_is_left_implicit():
    table = Table(
        "post",
        (ID, Column("author_id", "INTEGER"), Column("slug", "TEXT"), Column("code", "TEXT")),
        primary_key=("id",),
        indexes=(
            Index("post_slug_key", (IndexPart("slug"),), unique=True, auto_named=True, constraint=True),
            # SQLite's own name for a UNIQUE constraint's index is not a constraint name.
            Index("sqlite_autoindex_post_2", (IndexPart("code"),), unique=True, constraint=True),
        ),
        foreign_keys=(ForeignKey("post_fk_1", ("author_id",), "user", ("id",), on_delete="NO ACTION",
                                 on_update="NO ACTION", auto_named=True),),
    )
    assert sql(CreateTable(table)) == [
        'CREATE TABLE "post" (\n'
        '  "id" INTEGER NOT NULL,\n'
        '  "author_id" INTEGER,\n'
        '  "slug" TEXT,\n'
        '  "code" TEXT,\n'
        '  PRIMARY KEY ("id"),\n'
        '  UNIQUE ("slug"),\n'
        '  UNIQUE ("code"),\n'
        '  FOREIGN KEY ("author_id") REFERENCES "user" ("id")\n'
        ")"
    ]


def test_restrict_is_written_out_because_sqlite_does_not_treat_it_as_no_action():
    table = Table("post", (ID, Column("author_id", "INTEGER")),
                  foreign_keys=(ForeignKey("fk_author", ("author_id",), "user", ("id",)),))  # RESTRICT both
    assert ('CONSTRAINT "fk_author" FOREIGN KEY ("author_id") REFERENCES "user" ("id") '
            "ON DELETE RESTRICT ON UPDATE RESTRICT") in sql(CreateTable(table))[0]


def test_unnamed_column_checks_stay_on_their_column_in_sqlite_numbering_order():
    table = Table("t", (Column("a", "INTEGER"),), checks=(
        Check("t_check_10", "a<>10", "a <> 10", auto_named=True, column="a"),
        Check("t_check_2", "a<>2", "a <> 2", auto_named=True, column="a"),
    ))
    assert sql(CreateTable(table)) == ['CREATE TABLE "t" (\n  "a" INTEGER CHECK (a <> 2) CHECK (a <> 10)\n)']


def test_identifiers_are_double_quoted_with_embedded_quotes_doubled():
    table = Table('we"ird', (Column('a"b', "TEXT"),), indexes=(Index('ix"1', (IndexPart('a"b'),)),))
    assert sql(CreateTable(table)) == [
        'CREATE TABLE "we""ird" (\n  "a""b" TEXT\n)',
        'CREATE INDEX "ix""1" ON "we""ird" ("a""b")',
    ]


def test_drop_table():
    assert sql(DropTable(user_table())) == ['DROP TABLE "user"']


@pytest.mark.parametrize(("column", "expected"), [
    (Column("n", "INTEGER", default="0"), '"n" INTEGER DEFAULT 0'),
    (Column("n", "REAL", default="-1.5e3"), '"n" REAL DEFAULT -1.5e3'),
    (Column("s", "TEXT", default="'it''s'"), '"s" TEXT DEFAULT \'it\'\'s\''),
    (Column("at", "TEXT", default="CURRENT_TIMESTAMP"), '"at" TEXT DEFAULT CURRENT_TIMESTAMP'),
    # An expression must be parenthesised, or SQLite refuses it.
    (Column("s", "TEXT", default="lower('X')"), '"s" TEXT DEFAULT (lower(\'X\'))'),
    (Column("s", "TEXT", nullable=False, collation="BINARY"), '"s" TEXT NOT NULL COLLATE "BINARY"'),
    (Column("g", "INTEGER", generated=Generated("a*2", False, "a * 2")),
     '"g" INTEGER GENERATED ALWAYS AS (a * 2) VIRTUAL'),
    (Column("g", "INTEGER", generated=Generated("a*2", True, "a * 2")),
     '"g" INTEGER GENERATED ALWAYS AS (a * 2) STORED'),
])
def test_column_definition(column, expected):
    assert column_definition(column) == expected


# --- ALTER TABLE -------------------------------------------------------------

@pytest.mark.parametrize(("change", "expected"), [
    (AddColumn(NICK, "age", 3), ['ALTER TABLE "user" ADD COLUMN "nick" TEXT']),
    (DropColumn(NICK, "age", 3), ['ALTER TABLE "user" DROP COLUMN "nick"']),
    (RenameColumn(NICK, "nickname"), ['ALTER TABLE "user" RENAME COLUMN "nick" TO "nickname"']),
    (AddIndex(IX_NICK), ['CREATE INDEX "ix_nick" ON "user" ("nick")']),
    (AddIndex(Index("uq_nick", (IndexPart("nick"), IndexPart("id", descending=True)), unique=True)),
     ['CREATE UNIQUE INDEX "uq_nick" ON "user" ("nick", "id" DESC)']),
    (DropIndex(IX_NICK), ['DROP INDEX "ix_nick"']),
    # SQLite has no RENAME INDEX.
    (RenameIndex(IX_NICK, Index("ix_user_nick", IX_NICK.parts)),
     ['DROP INDEX "ix_nick"', 'CREATE INDEX "ix_user_nick" ON "user" ("nick")']),
], ids=["add_column", "drop_column", "rename_column", "add_index", "add_unique_index", "drop_index",
        "rename_index"])
def test_alter_table_clause(change, expected):
    assert sql(AlterTable("user", (change,))) == expected


@pytest.mark.parametrize(("old", "new", "expected"), [
    ("post", "article", ['ALTER TABLE "post" RENAME TO "article"']),
    # SQLite refuses a name equal but for letter case: through a temporary name.
    ("post", "Post", ['ALTER TABLE "post" RENAME TO "_sqlgen_new_Post"',
                      'ALTER TABLE "_sqlgen_new_Post" RENAME TO "Post"']),
])
def test_rename_table(old, new, expected):
    assert sql(RenameTable(old, new)) == expected


def test_an_index_is_dropped_before_its_column_and_created_after_it():
    # SQLite refuses to drop an indexed column, and cannot index one not yet added.
    assert sql(AlterTable("user", (DropColumn(NICK, "age", 3), DropIndex(IX_NICK)))) == [
        'DROP INDEX "ix_nick"', 'ALTER TABLE "user" DROP COLUMN "nick"']
    assert sql(AlterTable("user", (AddIndex(IX_NICK), AddColumn(NICK, "age", 3)))) == [
        'ALTER TABLE "user" ADD COLUMN "nick" TEXT', 'CREATE INDEX "ix_nick" ON "user" ("nick")']


def test_a_generated_column_is_dropped_before_the_column_it_reads():
    shout = Column("shout", "TEXT", generated=Generated("upper(nick)", False, "upper(nick)"))
    drops = (DropColumn(NICK, "age", 3), DropColumn(shout, "nick", 4))
    assert sql(AlterTable("user", drops)) == ['ALTER TABLE "user" DROP COLUMN "shout"',
                                              'ALTER TABLE "user" DROP COLUMN "nick"']
    assert sql(invert([AlterTable("user", drops)])[0]) == [
        'ALTER TABLE "user" ADD COLUMN "nick" TEXT',
        'ALTER TABLE "user" ADD COLUMN "shout" TEXT GENERATED ALWAYS AS (upper(nick)) VIRTUAL',
    ]


@pytest.mark.parametrize("change", [
    ModifyColumn(NICK, Column("nick", "TEXT", nullable=False)),
    AddCheck(Check("ck", "nick<>''", "nick <> ''")),
    AddPrimaryKey(("nick",)),
    AddForeignKey(ForeignKey("fk", ("nick",), "other", ("id",))),
], ids=lambda change: type(change).__name__)
def test_changes_alter_table_cannot_make_are_refused_not_rendered_wrongly(change):
    with pytest.raises(TypeError, match="needs a rebuild"):
        sql(AlterTable("user", (change,)))


def test_an_unknown_operation_is_refused():
    with pytest.raises(TypeError, match="cannot render"):
        sql(object())


# --- Rebuild -----------------------------------------------------------------

def test_rebuild_follows_the_sqlite_procedure():
    old = Table("post", (ID, Column("title", "TEXT"), Column("n", "INTEGER")), primary_key=("id",),
                indexes=(Index("ix_title", (IndexPart("title"),)),),
                dependents=("CREATE TRIGGER trg AFTER INSERT ON post BEGIN SELECT 1; END",))
    new = Table("post", (ID, Column("title", "TEXT", nullable=False, default="''"), Column("body", "TEXT")),
                primary_key=("id",), indexes=(Index("ix_title", (IndexPart("title"),)),))
    changes = (ModifyColumn(old.columns[1], new.columns[1]), DropColumn(old.columns[2], "title", 2),
               AddColumn(new.columns[2], "title", 2))
    views = ('CREATE VIEW "v_post" AS SELECT title FROM post', "CREATE VIEW v_other AS SELECT 1 FROM postage")
    assert sql(RebuildTable(old, new, changes, views)) == [
        'CREATE TABLE "_sqlgen_new_post" (\n'
        '  "id" INTEGER NOT NULL,\n'
        '  "title" TEXT DEFAULT \'\' NOT NULL,\n'
        '  "body" TEXT,\n'
        '  PRIMARY KEY ("id")\n'
        ")",
        'INSERT INTO "_sqlgen_new_post" ("id", "title") SELECT "id", "title" FROM "post"',
        'DROP TABLE "post"',
        "PRAGMA legacy_alter_table = ON",
        'ALTER TABLE "_sqlgen_new_post" RENAME TO "post"',
        "PRAGMA legacy_alter_table = OFF",
        'CREATE INDEX "ix_title" ON "post" ("title")',
        "CREATE TRIGGER trg AFTER INSERT ON post BEGIN SELECT 1; END",
        '-- the view v_post must still work: this fails if the change broke it\nSELECT * FROM "v_post" LIMIT 0',
    ]


def test_rebuild_inverse_restores_the_old_definition_and_its_triggers():
    trigger = "CREATE TRIGGER trg AFTER DELETE ON post BEGIN SELECT 1; END"
    old = Table("post", (ID, Column("title", "TEXT")), primary_key=("id",), dependents=(trigger,))
    new = Table("post", (ID, Column("title", "TEXT", nullable=False)), primary_key=("id",))
    operation = RebuildTable(old, new, (ModifyColumn(old.columns[1], new.columns[1]),))
    down = invert([operation])
    assert len(down) == 1 and isinstance(down[0], RebuildTable)
    assert sql(down[0]) == [
        'CREATE TABLE "_sqlgen_new_post" (\n  "id" INTEGER NOT NULL,\n  "title" TEXT,\n  PRIMARY KEY ("id")\n)',
        'INSERT INTO "_sqlgen_new_post" ("id", "title") SELECT "id", "title" FROM "post"',
        'DROP TABLE "post"',
        "PRAGMA legacy_alter_table = ON",
        'ALTER TABLE "_sqlgen_new_post" RENAME TO "post"',
        "PRAGMA legacy_alter_table = OFF",
        trigger,
    ]


# --- Inverses ----------------------------------------------------------------

@pytest.mark.parametrize(("operation", "expected_down"), [
    (CreateTable(Table("tag", (ID, Column("label", "TEXT")), primary_key=("id",),
                       indexes=(Index("ix_tag_label", (IndexPart("label"),)),))),
     ['DROP TABLE "tag"']),
    (DropTable(Table("tag", (ID, Column("label", "TEXT")), primary_key=("id",),
                     indexes=(Index("ix_tag_label", (IndexPart("label"),)),))),
     ['CREATE TABLE "tag" (\n  "id" INTEGER NOT NULL,\n  "label" TEXT,\n  PRIMARY KEY ("id")\n)',
      'CREATE INDEX "ix_tag_label" ON "tag" ("label")']),
    (RenameTable("post", "article"), ['ALTER TABLE "article" RENAME TO "post"']),
    (AlterTable("user", (AddColumn(NICK, "age", 3),)), ['ALTER TABLE "user" DROP COLUMN "nick"']),
    (AlterTable("user", (DropColumn(Column("nick", "TEXT", default="'?'"), "age", 3),)),
     ['ALTER TABLE "user" ADD COLUMN "nick" TEXT DEFAULT \'?\'']),
    (AlterTable("user", (RenameColumn(NICK, "nickname"),)),
     ['ALTER TABLE "user" RENAME COLUMN "nickname" TO "nick"']),
    (AlterTable("user", (AddIndex(IX_NICK),)), ['DROP INDEX "ix_nick"']),
    (AlterTable("user", (DropIndex(IX_NICK),)), ['CREATE INDEX "ix_nick" ON "user" ("nick")']),
    (AlterTable("user", (RenameIndex(IX_NICK, Index("ix_user_nick", IX_NICK.parts)),)),
     ['DROP INDEX "ix_user_nick"', 'CREATE INDEX "ix_nick" ON "user" ("nick")']),
], ids=["create_table", "drop_table", "rename_table", "add_column", "drop_column", "rename_column",
        "add_index", "drop_index", "rename_index"])
def test_inverse_renders_the_undo(operation, expected_down):
    (down,) = invert([operation])
    assert sql(down) == expected_down
    # Undoing the undo is the original operation again.
    assert sql(invert([down])[0]) == sql(operation)


def test_invert_undoes_a_migration_in_reverse_order():
    up = [RenameTable("post", "article"), AlterTable("article", (AddColumn(NICK, "body", 2),))]
    assert [statement for operation in invert(up) for statement in sql(operation)] == [
        'ALTER TABLE "article" DROP COLUMN "nick"',
        'ALTER TABLE "article" RENAME TO "post"',
    ]
