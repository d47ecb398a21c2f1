"""Every change kind, end to end against MariaDB with the real client.

For each case in change_kinds.py:
1. create_all the "before" models in a scratch database;
2. sqlgen generates the pair for the "after" models;
3. the up file is applied by hand with the `mariadb` client;
4. the schema equals create_all of "after" in a fresh database
   (compared through information_schema, not SQL text);
5. generating again finds no changes;
6. the down file, applied by hand, brings back the "before" schema exactly.
"""

from __future__ import annotations

import pytest

import change_kinds
import identity_models
from sqlgen import commands
from sqlgen.errors import SqlgenError
from sqlgen.migrations import facts
from sqlgen.mysql.dialect import READING as MYSQL_CLIENT
from support import Output, assert_same_schema, create_all, execute, make_config, snapshot

pytestmark = pytest.mark.mysql


@pytest.mark.parametrize("case", change_kinds.CASES)
def test_change_kind_round_trip(case, scratch, run_client, tmp_path):
    db = scratch.new()
    create_all(getattr(change_kinds, f"{case}__before"), db)
    before = snapshot(db)
    config = make_config(db, f"change_kinds:{case}__after", tmp_path / "migrations")

    out = Output()
    result = commands.generate(config, f"apply {case}", echo=out)
    assert len(result.paths) == 2, out.text
    up, down = result.paths
    assert up.name == f"0001_apply_{case}.up.sql"
    assert result.summary, "a change must be summarised on the terminal"

    run_client(db, up)
    expected = scratch.new()
    create_all(getattr(change_kinds, f"{case}__after"), expected)
    assert_same_schema(snapshot(db, generated_names=False), snapshot(expected, generated_names=False))

    again = Output()
    second = commands.generate(config, "nothing left", echo=again)
    assert again.lines == ["No changes detected"], again.text
    assert second.paths == ()

    run_client(db, down)
    assert_same_schema(snapshot(db), before)


def test_rows_survive_a_column_change(scratch, run_client, tmp_path):
    db = scratch.new()
    create_all(change_kinds.column_type__before, db)
    execute(db, "INSERT INTO item (id, code, amount, counter, notes, flag) VALUES (1, 'abc', 12.5, 7, 'n', 1)")
    config = make_config(db, "change_kinds:column_type__after", tmp_path / "m")
    up, down = commands.generate(config, "widen", echo=Output()).paths
    assert "WARNING narrow-type item.code: narrows item.code from varchar(120) to varchar(50)" in down.read_text()
    assert "WARNING narrow-type item.code" not in up.read_text()
    run_client(db, up)
    assert execute(db, "SELECT id, code, amount, counter, notes, flag FROM item")[0] == [
        (1, "abc", pytest.approx(12.5), 7, "n", 1)
    ]
    run_client(db, down)
    assert execute(db, "SELECT code, counter FROM item")[0] == [("abc", 7)]


def test_referenced_column_change_keeps_rows_and_key(scratch, run_client, tmp_path):
    db = scratch.new()
    create_all(change_kinds.referenced_column_type__before, db)
    execute(db, "INSERT INTO user (id, name) VALUES (1, 'ann')", "INSERT INTO post (id, user_id) VALUES (10, 1)")
    config = make_config(db, "change_kinds:referenced_column_type__after", tmp_path / "m")
    result = commands.generate(config, "bigint ids", echo=Output())
    up_text = result.up_text
    # The key is dropped before the column changes and re-added after them.
    assert up_text.index("DROP FOREIGN KEY") < up_text.index("MODIFY COLUMN `id` bigint")
    assert up_text.index("MODIFY COLUMN `user_id` bigint") < up_text.index("ADD CONSTRAINT")
    run_client(db, result.paths[0])
    assert execute(db, "SELECT id, user_id FROM post")[0] == [(10, 1)]
    execute(db, "DELETE FROM user WHERE id = 1")
    assert execute(db, "SELECT COUNT(*) FROM post")[0] == [(0,)], "ON DELETE CASCADE must survive"


def test_destructive_statements_are_flagged_in_the_file(scratch, tmp_path):
    db = scratch.new()
    create_all(change_kinds.drop_column__before, db)
    config = make_config(db, "change_kinds:drop_column__after", tmp_path / "m")
    result = commands.generate(config, "drop", echo=Output())
    lines = result.up_text.splitlines()
    flagged = [i for i, line in enumerate(lines) if line.startswith("-- DESTRUCTIVE drop-column user.email:")]
    assert flagged, result.up_text
    # The flag sits in the comment block right above its ALTER TABLE.
    following = lines[flagged[0]:]
    assert next(line for line in following if not line.startswith("--")) == "ALTER TABLE `user`"


def test_dry_run_prints_both_files_and_writes_nothing(scratch, tmp_path):
    db = scratch.new()
    config = make_config(db, "change_kinds:create_table__after", tmp_path / "m")
    out = Output()
    result = commands.generate(config, "first", dry_run=True, echo=out)
    assert result.paths == ()
    assert not (tmp_path / "m").exists()
    assert "CREATE TABLE `post` (" in out.text
    assert "DROP TABLE `post`;" in out.text
    assert "+ table post" in out.lines


def test_empty_writes_a_pair_without_statements(tmp_path):
    config = make_config(None, None, tmp_path / "m")
    result = commands.generate(config, "backfill emails", empty=True, echo=Output())
    up, down = result.paths
    assert up.name == "0001_backfill_emails.up.sql" and down.name == "0001_backfill_emails.down.sql"
    assert facts(up, MYSQL_CLIENT).count == 0 and facts(down, MYSQL_CLIENT).count == 0
    assert facts(up, MYSQL_CLIENT).tracked, "even an empty pair records itself when run by hand"


def test_numbering_continues_after_the_highest_version(scratch, tmp_path):
    db = scratch.new()
    directory = tmp_path / "m"
    directory.mkdir()
    for name in ("0001_a", "0002_b"):
        (directory / f"{name}.up.sql").write_text("SELECT 1;\n")
        (directory / f"{name}.down.sql").write_text("SELECT 1;\n")
    config = make_config(db, "change_kinds:create_table__after", directory)
    commands.upgrade(config, echo=Output())
    up, _ = commands.generate(config, "Add Posts & Users!", echo=Output()).paths
    assert up.name == "0003_add_posts_users.up.sql"


def test_message_cannot_escape_its_comment(scratch, run_client, tmp_path):
    db = scratch.new()
    create_all(change_kinds.create_table__before, db)
    config = make_config(db, "change_kinds:create_table__after", tmp_path / "m")
    message = "line one */ DROP DATABASE x; --\r\nsecond line /* \\G\n'; DROP TABLE user; -- "
    up, down = commands.generate(config, message, echo=Output()).paths
    text = up.read_text()
    header = text.split("\n\n", 1)[0]
    assert all(line.startswith("--") for line in header.splitlines()), header
    run_client(db, up)
    run_client(db, down)
    assert execute(db, "SHOW TABLES")[0] == [("sqlgen_version",), ("user",)]
    assert execute(db, "SELECT COUNT(*) FROM sqlgen_version")[0] == [(0,)]


def test_objects_sqlgen_does_not_manage_are_noted_once_and_left_alone(scratch, tmp_path):
    db = scratch.new()
    create_all(change_kinds.create_table__after, db)
    execute(
        db,
        "CREATE VIEW recent_posts AS SELECT id, title FROM post",
        "CREATE TRIGGER post_title BEFORE INSERT ON post FOR EACH ROW SET NEW.title = TRIM(NEW.title)",
        "CREATE PROCEDURE touch_posts() SELECT 1",
    )
    out = Output()
    commands.generate(make_config(db, "change_kinds:create_table__after", tmp_path / "m"), "x", echo=out)
    assert sorted(out.lines) == sorted([
        "note: not compared: procedure touch_posts",
        "note: not compared: trigger post_title on post",
        "note: not compared: view recent_posts",
        "No changes detected",
    ])


def test_a_model_table_named_like_a_view_is_refused(scratch, tmp_path):
    db = scratch.new()
    create_all(change_kinds.create_table__before, db)
    execute(db, "CREATE VIEW post AS SELECT id FROM user")
    with pytest.raises(SqlgenError, match="the models declare a table 'post', but the database has a view of that name"):
        commands.generate(make_config(db, "change_kinds:create_table__after", tmp_path / "m"), "x", echo=Output())


IDENTITY_NOTES = [
    "note: not created: the foreign keys of myisam_table, whose MyISAM engine keeps none",
    "note: the server stores the default '1.005' of unusual.rounded as 1.01: DECIMAL(10,2) keeps 2 digits after the "
    "point, rounded half away from zero",
    "note: the server keeps comments in utf8mb3: the comment of column unusual.emoji_comment is stored as "
    "'rocket ? launch'",
    "note: the server keeps comments in utf8mb3: the comment of table unusual is stored as 'emoji ? table'",
]


def test_create_all_then_generate_finds_nothing(scratch, tmp_path):
    """Every type, default, index, key and option sqlgen compares, as create_all writes them."""
    db = scratch.new()
    create_all(identity_models.metadata, db)
    out = Output()
    commands.generate(make_config(db, "identity_models:metadata", tmp_path / "m"), "x", echo=out)
    assert out.lines == IDENTITY_NOTES + ["No changes detected"]


def test_every_construct_round_trips_from_an_empty_database(scratch, run_client, tmp_path):
    db = scratch.new()
    config = make_config(db, "identity_models:metadata", tmp_path / "m")
    up, down = commands.generate(config, "everything", echo=Output()).paths
    run_client(db, up)
    expected = scratch.new()
    create_all(identity_models.metadata, expected)
    assert_same_schema(snapshot(db, generated_names=False), snapshot(expected, generated_names=False))
    again = Output()
    commands.generate(config, "again", echo=again)
    assert again.lines[-1] == "No changes detected", again.text
    run_client(db, down)
    assert execute(db, "SHOW TABLES")[0] == [("sqlgen_version",)]


def test_partitioning_is_noted_and_kept(scratch, tmp_path):
    db = scratch.new()
    create_all(change_kinds.log_table, db)
    execute(db, "ALTER TABLE log PARTITION BY HASH(id) PARTITIONS 2")
    out = Output()
    commands.generate(make_config(db, "change_kinds:log_table", tmp_path / "m"), "x", echo=out)
    assert out.lines == ["note: not compared: partitioning of table log", "No changes detected"]


def test_a_column_renamed_only_in_letter_case_keeps_its_data(scratch, run_client, tmp_path):
    """MySQL takes `Name` and `name` for one column: a rename, never DROP + ADD."""
    db = scratch.new()
    execute(db, "CREATE TABLE t (id INT NOT NULL PRIMARY KEY, `Name` VARCHAR(20)) "
                "ENGINE=InnoDB DEFAULT CHARSET=utf8mb4", "INSERT INTO t VALUES (1, 'kept')")
    (tmp_path / "cased_models.py").write_text(
        "import sqlalchemy as sa\nmetadata = sa.MetaData()\n"
        "sa.Table('t', metadata, sa.Column('id', sa.Integer, primary_key=True, autoincrement=False),\n"
        "         sa.Column('name', sa.String(20)), mysql_engine='InnoDB', mysql_charset='utf8mb4')\n")
    config = make_config(db, "cased_models:metadata", tmp_path / "m", root=tmp_path)
    out = Output()
    up, down = commands.generate(config, "lower case", echo=out).paths
    assert "~ column t.Name renamed to name" in out.lines
    assert "DROP COLUMN" not in up.read_text()
    run_client(db, up)
    assert execute(db, "SELECT COLUMN_NAME FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() "
                       "AND TABLE_NAME = 't' ORDER BY ORDINAL_POSITION")[0] == [("id",), ("name",)]
    assert execute(db, "SELECT * FROM t")[0] == [(1, "kept")]
    again = Output()
    commands.generate(config, "again", dry_run=True, echo=again)
    assert again.lines == ["No changes detected"]
    run_client(db, down)
    assert execute(db, "SELECT COLUMN_NAME FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() "
                       "AND TABLE_NAME = 't' ORDER BY ORDINAL_POSITION")[0] == [("id",), ("Name",)]


def test_ddl_create_all_decides_per_dialect_converges_both_ways(scratch, run_client, tmp_path):
    """Conditional DDL (an Enum's CHECK, ddl_if() on constraints and indexes): on a database made by
    create_all generate finds nothing, and from an empty one it makes what create_all makes."""
    import conditional_models

    made = scratch.new()
    create_all(conditional_models.metadata, made)
    out = Output()
    commands.generate(make_config(made, "conditional_models:metadata", tmp_path / "made"), "x", echo=out)
    assert out.lines == ["No changes detected"], out.text

    db = scratch.new()
    config = make_config(db, "conditional_models:metadata", tmp_path / "m")
    up, _ = commands.generate(config, "conditional", echo=Output()).paths
    assert "IS JSON" not in up.read_text()
    run_client(db, up)
    assert_same_schema(snapshot(db, generated_names=False), snapshot(made, generated_names=False))
    again = Output()
    commands.generate(config, "again", echo=again)
    assert again.lines[-1] == "No changes detected", again.text


def test_names_reserved_by_the_other_flavour_only_converge(scratch, tmp_path):
    """`grouping`, `rank` and `stored` are reserved by MySQL 8, not by MariaDB, which prints them
    back in backticks: the key follows the words of the server reflected."""
    import conditional_models

    made = scratch.new()
    create_all(conditional_models.flavour_words, made)
    out = Output()
    commands.generate(make_config(made, "conditional_models:flavour_words", tmp_path / "m"), "x", echo=out)
    assert out.lines == ["No changes detected"], out.text


WIDTHS = """
import sqlalchemy as sa
from sqlalchemy.dialects import mysql
metadata = sa.MetaData()
sa.Table("w", metadata, sa.Column("id", mysql.INTEGER(11, unsigned=True), primary_key=True),
         sa.Column("s", mysql.SMALLINT(5)), sa.Column("i", mysql.INTEGER(4)), sa.Column("t", mysql.TINYINT(0, unsigned=True)),
         sa.Column("b", mysql.TINYINT(1)), sa.Column("z", mysql.INTEGER(4, zerofill=True)), sa.Column("n", sa.Integer))
"""


def test_display_widths_are_written_as_create_all_writes_them_and_never_compared(scratch, tmp_path, monkeypatch):
    """MariaDB keeps a display width in COLUMN_TYPE (smallint(5)): written as the models give it,
    the schema is create_all's; a width alone is never a change."""
    import importlib

    (tmp_path / "width_models.py").write_text(WIDTHS)
    monkeypatch.syspath_prepend(str(tmp_path))
    made, empty = scratch.new(), scratch.new()
    create_all(importlib.import_module("width_models").metadata, made)
    config = make_config(empty, "width_models:metadata", tmp_path / "m", root=tmp_path)
    up = commands.generate(config, "w", echo=Output()).paths[0].read_text()
    assert "`s` smallint(5) NULL" in up and "`n` int NULL" in up and "`t` tinyint unsigned NULL" in up
    commands.upgrade(config, echo=Output())
    assert_same_schema(snapshot(empty, generated_names=False), snapshot(made, generated_names=False))
    execute(made, "ALTER TABLE w MODIFY s smallint(3)")
    out = Output()
    commands.generate(make_config(made, "width_models:metadata", tmp_path / "m2", root=tmp_path), "x", echo=out)
    assert out.lines == ["No changes detected"]


def test_an_empty_pair_names_the_dialect_as_the_generated_files_do(scratch, tmp_path):
    db = scratch.new()
    config = make_config(db, "change_kinds:create_table__after", tmp_path / "m")
    generated = commands.generate(config, "first", echo=Output()).paths[0].read_text()
    flavour = next(line for line in generated.splitlines() if line.startswith("-- Dialect:"))
    commands.upgrade(config, echo=Output())
    empty = commands.generate(config, "by hand", empty=True, echo=Output()).paths[0].read_text()
    assert next(line for line in empty.splitlines() if line.startswith("-- Dialect:")) == flavour
