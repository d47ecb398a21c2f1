"""sqlgen baseline on MariaDB: a database another tool built becomes version 1 of a new folder,
recorded as applied without running anything; the file rebuilds the same schema by hand, and
generate then finds exactly what differs between the models and the database."""

from __future__ import annotations

from pathlib import Path

import pytest

from sqlgen import commands
from sqlgen.errors import SqlgenError
from support import Output, assert_same_schema, create_all, execute, make_config, snapshot

pytestmark = pytest.mark.mysql
ROOT = Path(__file__).resolve().parents[2]
OTHERS = ("sqlgen_version", "alembic_version", "legacy_audit")


def adopted(db) -> None:
    """The blog's tables as create_all (Alembic, Flask-Migrate) made them, with rows, plus what
    another tool and a legacy application left."""
    from sqlgen.models import load_metadata

    create_all(load_metadata("examples.blog.models:Base", ROOT), db)  # (the repository's root onto sys.path)
    execute(db, "INSERT INTO user (id, name, email) VALUES (1, 'ann', 'ann@example.com')",
            "CREATE TABLE alembic_version (version_num varchar(32) NOT NULL PRIMARY KEY)",
            "INSERT INTO alembic_version VALUES ('4f2a91c')",
            "CREATE TABLE legacy_audit (id int PRIMARY KEY, note text)", "INSERT INTO legacy_audit VALUES (1, 'keep')")


def test_baseline_records_the_schema_as_version_1_and_generate_then_finds_nothing(scratch, run_client, tmp_path):
    db, by_hand = scratch.new(), scratch.new()
    adopted(db)
    before = snapshot(db, exclude=("sqlgen_version",))
    directory = tmp_path / "migrations"
    config = make_config(db, "examples.blog.models:Base", directory, root=ROOT, exclude=("legacy_*",))
    out = Output()
    result = commands.baseline(config, echo=out)
    assert "Recorded version 1 (0001_existing_schema) as applied without running it" in out.lines, out.lines
    assert any("not compared: table alembic_version" in line for line in out.lines)
    up, down = result.paths
    text = up.read_text()
    assert "legacy_audit" not in text and "alembic_version" not in text
    assert "Models:     (none: the database as it was, sqlgen baseline)" in text
    # Nothing ran: the same tables and rows, and version 1 is applied.
    assert snapshot(db, exclude=("sqlgen_version",)) == before
    assert execute(db, "SELECT id, name FROM user")[0] == [(1, "ann")]
    assert execute(db, "SELECT version, name, state FROM sqlgen_version")[0] == [(1, "0001_existing_schema",
                                                                                  "applied")]
    status = Output()
    assert commands.status(config, echo=status) == 0 and "status:    up to date" in status.lines

    # generate finds exactly the difference between the models and the database: none.
    again = Output()
    commands.generate(config, "nothing", echo=again)
    assert again.lines[-1] == "No changes detected", again.text

    # By hand on an empty database, the file builds the same schema and records version 1 the same way.
    run_client(by_hand, up)
    assert_same_schema(snapshot(by_hand, exclude=OTHERS), snapshot(db, exclude=OTHERS))
    assert execute(by_hand, "SELECT version, name, checksum, state FROM sqlgen_version")[0] == \
        execute(db, "SELECT version, name, checksum, state FROM sqlgen_version")[0]
    # Its down file drops what it made, and is flagged as dropping data.
    assert "DESTRUCTIVE drop-table" in down.read_text()
    run_client(by_hand, down)
    assert execute(by_hand, "SHOW TABLES")[0] == [("sqlgen_version",)]


def test_baseline_refuses_a_folder_that_has_migrations_and_a_database_with_nothing_to_manage(scratch, tmp_path):
    db = scratch.new()
    directory = tmp_path / "migrations"
    config = make_config(db, None, directory)
    with pytest.raises(SqlgenError, match="the database holds no table sqlgen would manage: there is nothing to "
                                          "baseline; start with sqlgen generate"):
        commands.baseline(config, echo=Output())
    assert not directory.exists() or not list(directory.glob("*.sql"))
    adopted(db)
    commands.baseline(config, echo=Output())
    with pytest.raises(SqlgenError, match=r"already holds migrations \(0001_existing_schema\); baseline starts a "
                                          r"folder on a database another tool built"):
        commands.baseline(config, echo=Output())
    assert len(list(directory.glob("*.sql"))) == 2


def test_baseline_dry_run_writes_and_records_nothing(scratch, tmp_path):
    db = scratch.new()
    adopted(db)
    directory = tmp_path / "migrations"
    out = Output()
    commands.baseline(make_config(db, None, directory), dry_run=True, echo=out)
    assert "CREATE TABLE `user` (" in out.text and not list(directory.glob("*.sql"))
    assert "sqlgen_version" not in [row[0] for row in execute(db, "SHOW TABLES")[0]]


def test_column_order_false_stops_moving_columns_another_tool_appended(scratch, run_client, tmp_path):
    """Alembic adds a column at the end of its table; the models declare it in the middle. With
    column_order on, generate moves it (a table copy) and says the setting would help; with it
    off, positions are not compared, and a new column still goes where the models put it."""
    db = scratch.new()
    execute(db, "CREATE TABLE user (id int NOT NULL AUTO_INCREMENT PRIMARY KEY, email varchar(80), "
                "created_at datetime, name varchar(50) NOT NULL) DEFAULT CHARSET=utf8mb4")
    (tmp_path / "ordered.py").write_text(
        "import sqlalchemy as sa\nmetadata = sa.MetaData()\n"
        "sa.Table('user', metadata, sa.Column('id', sa.Integer, primary_key=True), "
        "sa.Column('name', sa.String(50), nullable=False), sa.Column('email', sa.String(80)), "
        "sa.Column('created_at', sa.DateTime))\n")
    directory = tmp_path / "migrations"
    ordered = make_config(db, "ordered:metadata", directory, root=tmp_path)
    said = Output()
    commands.baseline(ordered, echo=said)
    assert any("column_order = false stops comparing positions" in line for line in said.lines), said.lines
    out = Output()
    moving = commands.generate(ordered, "moves", dry_run=True, echo=out)
    assert any("column_order = false stops comparing positions" in line for line in out.lines), out.lines
    assert any("moved after" in line for line in moving.summary), moving.summary

    unordered = make_config(db, "ordered:metadata", directory, root=tmp_path, column_order=False)
    out = Output()
    commands.generate(unordered, "nothing", echo=out)
    assert out.lines[-1] == "No changes detected", out.text

    # A new column in the models, between name and email: added after name, and nothing moves.
    (tmp_path / "ordered2.py").write_text((tmp_path / "ordered.py").read_text().replace(
        "sa.Column('email', sa.String(80))", "sa.Column('nick', sa.String(20)), sa.Column('email', sa.String(80))"))
    grown = make_config(db, "ordered2:metadata", directory, root=tmp_path, column_order=False)
    result = commands.generate(grown, "nick", echo=Output())
    assert result.summary == ["+ column user.nick"], result.summary
    assert "ADD COLUMN `nick` varchar(20) NULL AFTER `name`" in result.up_text
    run_client(db, result.paths[0])
    # The others stay where the other tool put them; nick follows name, as in the models.
    assert [row[0] for row in execute(db, "SELECT COLUMN_NAME FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = "
                                          "DATABASE() AND TABLE_NAME = 'user' ORDER BY ORDINAL_POSITION")[0]] == \
        ["id", "email", "created_at", "name", "nick"]
    out = Output()
    commands.generate(grown, "again", echo=out)
    assert out.lines[-1] == "No changes detected", out.text



ALEMBIC_BUILT = """
import sqlalchemy as sa
metadata = sa.MetaData()
sa.Table("author", metadata, sa.Column("id", sa.Integer, primary_key=True),
         sa.Column("name", sa.String(50), nullable=False), sa.Column("email", sa.String(120)),
         sa.Column("joined", sa.DateTime){more})
sa.Table("post", metadata, sa.Column("id", sa.Integer, primary_key=True),
         sa.Column("author_id", sa.Integer, sa.ForeignKey("author.id"), nullable=False),
         sa.Column("title", sa.String(200), nullable=False))
"""


def test_an_alembic_built_database_is_adopted_baseline_then_nothing_then_exactly_the_change(scratch, tmp_path,
                                                                                          run_client):
    """Alembic appended email and joined to author after its first revision; alembic_version and a
    legacy table stay; baseline, then generate finds nothing, then one model change is exactly it."""
    db = scratch.new()
    execute(db, "CREATE TABLE author (id int NOT NULL AUTO_INCREMENT PRIMARY KEY, name varchar(50) NOT NULL) "
                "DEFAULT CHARSET=utf8mb4",
            "CREATE TABLE post (id int NOT NULL AUTO_INCREMENT PRIMARY KEY, author_id int NOT NULL, "
            "title varchar(200) NOT NULL, FOREIGN KEY (author_id) REFERENCES author (id)) DEFAULT CHARSET=utf8mb4",
            "ALTER TABLE author ADD COLUMN joined datetime NULL",  # Alembic's ALTERs append at the end
            "ALTER TABLE author ADD COLUMN email varchar(120) NULL",
            "CREATE TABLE alembic_version (version_num varchar(32) NOT NULL PRIMARY KEY)",
            "INSERT INTO alembic_version VALUES ('e1f0c2d4a9b8')",
            "CREATE TABLE legacy_report (id int PRIMARY KEY, body text)", "INSERT INTO legacy_report VALUES (1, 'x')",
            "INSERT INTO author (name, email) VALUES ('ann', 'ann@example.com')")
    (tmp_path / "alembic_models.py").write_text(ALEMBIC_BUILT.replace("{more}", ""))
    directory = tmp_path / "migrations"
    config = make_config(db, "alembic_models:metadata", directory, root=tmp_path, exclude=("legacy_*",),
                         column_order=False)
    said = Output()
    commands.baseline(config, echo=said)
    assert any(line.startswith("Recorded version 1") for line in said.lines), said.lines
    nothing = Output()
    commands.generate(config, "nothing", echo=nothing)
    assert nothing.lines[-1] == "No changes detected", nothing.text

    (tmp_path / "alembic_models2.py").write_text(ALEMBIC_BUILT.replace(
        "{more}", ', sa.Column("bio", sa.Text)'))
    changed = make_config(db, "alembic_models2:metadata", directory, root=tmp_path, exclude=("legacy_*",),
                          column_order=False)
    result = commands.generate(changed, "bio", echo=Output())
    assert result.summary == ["+ column author.bio"], result.summary
    run_client(db, result.paths[0])
    assert commands.status(changed, echo=Output()) == 0
    assert execute(db, "SELECT version_num FROM alembic_version")[0] == [("e1f0c2d4a9b8",)]
    assert execute(db, "SELECT body FROM legacy_report")[0] == [("x",)]
    assert execute(db, "SELECT name, email FROM author")[0] == [("ann", "ann@example.com")]
    last = Output()
    commands.generate(changed, "again", echo=last)
    assert last.lines[-1] == "No changes detected", last.text


def test_baseline_refuses_a_database_sqlgen_already_tracks(scratch, tmp_path):
    db = scratch.new()
    adopted(db)
    commands.baseline(make_config(db, None, tmp_path / "first"), echo=Output())
    with pytest.raises(SqlgenError, match=r"the database already records sqlgen migrations \(0001_existing_schema\)"
                                          r": baseline is for a database no sqlgen folder describes yet"):
        commands.baseline(make_config(db, None, tmp_path / "wrong_folder"), echo=Output())
    assert not (tmp_path / "wrong_folder").exists() or not list((tmp_path / "wrong_folder").glob("*.sql"))


def test_renumber_after_a_merge_of_two_branches_then_runner_and_client_record_it_alike(scratch, tmp_path,
                                                                                     run_client):
    """main and a feature branch each added version 2. After the merge the folder holds two; the
    shared database has main's. renumber moves the branch's after it; the runner and, on a copy,
    the client then record the same row, and generate finds nothing."""
    import shutil

    from support import make_config as configured

    base = ('import sqlalchemy as sa\nmetadata = sa.MetaData()\n'
            'sa.Table("author", metadata, sa.Column("id", sa.Integer, primary_key=True){author})\n'
            '{more}')
    shared, copy = scratch.new(), scratch.new()
    main_dir, branch_dir = tmp_path / "main", tmp_path / "branch"

    def models(name: str, author: str = "", more: str = "") -> str:
        (tmp_path / f"{name}.py").write_text(base.format(author=author, more=more))
        return f"{name}:metadata"

    one = models("v1")
    commands.generate(configured(shared, one, main_dir, root=tmp_path), "start", echo=Output())
    shutil.copytree(main_dir, branch_dir)
    commands.upgrade(configured(shared, one, main_dir), echo=Output())
    commands.upgrade(configured(copy, one, main_dir), echo=Output())
    # main: a column, applied to both databases; the branch: a table, made against another database.
    on_main = models("v_main", author=', sa.Column("email", sa.String(80))')
    commands.generate(configured(shared, on_main, main_dir, root=tmp_path), "email", echo=Output())
    commands.upgrade(configured(shared, on_main, main_dir), echo=Output())
    run_client(copy, main_dir / "0002_email.up.sql")
    branch_db = scratch.new()
    commands.upgrade(configured(branch_db, one, branch_dir), echo=Output())
    on_branch = models("v_branch", more='sa.Table("tag", metadata, sa.Column("id", sa.Integer, primary_key=True))\n')
    commands.generate(configured(branch_db, on_branch, branch_dir, root=tmp_path), "tags", echo=Output())
    for path in branch_dir.glob("0002_tags.*"):
        shutil.copy(path, main_dir / path.name)  # the merge

    merged = make_config(shared, None, main_dir)
    with pytest.raises(SqlgenError, match="version 2 is used twice"):
        commands.status(merged, echo=Output())
    out = Output()
    commands.renumber(merged, echo=out)
    assert out.lines == ["renumbered 0002_tags to 0003_tags"], out.lines
    text = (main_dir / "0003_tags.up.sql").read_text()
    assert "VALUES (3, '0003_tags'" in text and "sqlgen migration 0003 (up)" in text and "0002_tags" not in text
    assert "Undo with:  0003_tags.down.sql" in text
    status = Output()
    commands.status(merged, echo=status)
    assert "pending:   1 (0003_tags)" in status.lines and not any("attention" in line for line in status.lines)

    commands.upgrade(merged, echo=Output())
    run_client(copy, main_dir / "0003_tags.up.sql")  # by hand on the other database
    columns = "version, name, checksum, state, statements_applied, statements_total"
    assert execute(shared, f"SELECT {columns} FROM sqlgen_version ORDER BY version")[0] == \
        execute(copy, f"SELECT {columns} FROM sqlgen_version ORDER BY version")[0]
    assert [row[:2] for row in execute(shared, "SELECT version, name FROM sqlgen_version ORDER BY version")[0]] == \
        [(1, "0001_start"), (2, "0002_email"), (3, "0003_tags")]
    both = models("v_both", author=', sa.Column("email", sa.String(80))',
                  more='sa.Table("tag", metadata, sa.Column("id", sa.Integer, primary_key=True))\n')
    done = Output()
    commands.generate(configured(shared, both, main_dir, root=tmp_path), "nothing", echo=done)
    assert done.lines[-1] == "No changes detected", done.text
    # With nothing to mend, renumber says so; a migration that ran is never moved.
    again = Output()
    commands.renumber(merged, echo=again)
    assert again.lines == ["Nothing to renumber: every version is used once"]
    with pytest.raises(SqlgenError, match="0002_email is recorded in this database"):
        commands.renumber(merged, ("0002_email",), echo=Output())
