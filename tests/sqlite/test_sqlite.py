"""SQLite end to end, on real database files: no server needed.

Each change kind: create_all the "before" models, generate, upgrade with the
runner, compare with create_all of "after" (through PRAGMAs), generate again
finds nothing, downgrade brings back "before". Changes ALTER TABLE cannot make
go through the rebuild procedure, which keeps rows and foreign keys.
"""

from __future__ import annotations

import itertools
import re
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


def models_config(tmp_path, db, tables: str):
    """The config of a models module in tmp_path whose MetaData holds `tables`
    (sa.Table(...) lines, `metadata` and `sa` in scope)."""
    module = f"sqlite_test_models_{next(_MODULE_NUMBERS)}"  # new each time: imports stay cached
    (tmp_path / f"{module}.py").write_text("import sqlalchemy as sa\nmetadata = sa.MetaData()\n" + tables + "\n")
    return make_config(sqlite_url(db), f"{module}:metadata", tmp_path / "m", root=tmp_path)


_MODULE_NUMBERS = itertools.count(1)


def query(path, sql: str) -> list[tuple]:
    connection = sqlite3.connect(path)
    try:
        rows = connection.execute(sql).fetchall()
        connection.commit()
        return rows
    finally:
        connection.close()


@pytest.mark.parametrize("case", SQLITE_CASES)
def test_change_kind_round_trip_on_sqlite(case, tmp_path):
    db = tmp_path / "app.db"
    # Fresh models: create_all on another dialect may have marked the shared ones.
    create_all(getattr(change_kinds, case)(False), db)
    before = sqlite_snapshot(db)
    config = sqlite_config(db, f"change_kinds:{case}__after", tmp_path / "migrations")
    result = commands.generate(config, case, echo=Output())
    assert result.paths, f"{case}: nothing generated"
    commands.upgrade(config, echo=Output())

    expected = tmp_path / "expected.db"
    create_all(getattr(change_kinds, case)(True), expected)
    assert sqlite_snapshot(db) == sqlite_snapshot(expected)
    again = Output()
    commands.generate(config, "again", echo=again)
    assert again.lines[-1] == "No changes detected", again.text
    assert query(db, "PRAGMA foreign_key_check") == []

    commands.downgrade(config, "base", echo=Output())
    assert sqlite_snapshot(db) == before


def evolution(step: int) -> sa.MetaData:
    """A parent and a child with a key, changed in ways ALTER TABLE cannot follow on SQLite."""
    m = sa.MetaData()
    parent = [sa.Column("id", sa.Integer, primary_key=True),
              sa.Column("name", sa.String(50), nullable=step >= 2)]
    if step >= 2:
        parent.insert(1, sa.Column("code", sa.String(10), nullable=False, server_default="x"))
    extra = [sa.UniqueConstraint("code", "name", name="uq_parent_code_name")] if step >= 4 else []
    sa.Table("parent", m, *parent, *extra)
    child = [sa.Column("id", sa.Integer, primary_key=True),
             sa.Column("parent_id", sa.ForeignKey("parent.id", ondelete="CASCADE"), nullable=False)]
    if step < 5:
        child.append(sa.Column("note", sa.String(200) if step >= 3 else sa.Text))
    if step >= 2:
        child.append(sa.Index("ix_child_parent", "parent_id"))
    if step == 3 or step == 4:
        child.append(sa.CheckConstraint("length(note) < 100", name="ck_child_note"))
    sa.Table("child", m, *child)
    return m


def test_rebuilds_keep_rows_and_foreign_keys_and_converge(tmp_path, monkeypatch):
    db = tmp_path / "app.db"
    directory = tmp_path / "migrations"
    snapshots = {0: sqlite_snapshot(db) if db.exists() else None}
    for step in range(1, 6):
        setattr(change_kinds, f"evolution_{step}", evolution(step))
        config = sqlite_config(db, f"change_kinds:evolution_{step}", directory)
        out = Output()
        assert commands.generate(config, f"step {step}", echo=out).paths, out.text
        commands.upgrade(config, echo=Output())
        again = Output()
        commands.generate(config, "again", echo=again)
        assert again.lines == ["No changes detected"], f"step {step}: {again.text}"
        expected = tmp_path / f"expected{step}.db"
        create_all(evolution(step), expected)
        assert sqlite_snapshot(db) == sqlite_snapshot(expected)
        snapshots[step] = sqlite_snapshot(db)
        if step == 1:
            connection = sqlite3.connect(db)
            connection.execute("INSERT INTO parent (id, name) VALUES (1, 'ann')")
            connection.execute("INSERT INTO child (id, parent_id, note) VALUES (10, 1, 'hello')")
            connection.commit()
            connection.close()
        # Rows survive every rebuild, and the key still holds them together.
        assert query(db, "SELECT id, name FROM parent") == [(1, "ann")]
        assert query(db, "SELECT id, parent_id FROM child") == [(10, 1)]
        assert query(db, "PRAGMA foreign_key_check") == []
    connection = sqlite3.connect(db)
    connection.execute("PRAGMA foreign_keys = ON")
    connection.execute("DELETE FROM parent WHERE id = 1")
    connection.commit()
    assert connection.execute("SELECT COUNT(*) FROM child").fetchone() == (0,), "ON DELETE CASCADE survived"
    connection.close()
    config = sqlite_config(db, "change_kinds:evolution_5", directory)
    for step in range(4, 0, -1):
        commands.downgrade(config, str(step), echo=Output())
        assert sqlite_snapshot(db) == snapshots[step]
    up = (directory / "0002_step_2.up.sql").read_text()
    assert 'INSERT INTO "_sqlgen_new_parent"' in up and "WARNING table-rebuild parent:" in up


def test_a_migration_that_breaks_a_key_is_rolled_back(tmp_path):
    db = tmp_path / "app.db"
    directory = tmp_path / "migrations"
    directory.mkdir()
    (directory / "0001_tables.up.sql").write_text(
        "CREATE TABLE p (id INTEGER PRIMARY KEY);\nCREATE TABLE c (id INTEGER PRIMARY KEY, "
        "p_id INTEGER REFERENCES p (id));\n")
    (directory / "0001_tables.down.sql").write_text("DROP TABLE c;\nDROP TABLE p;\n")
    (directory / "0002_orphan.up.sql").write_text("INSERT INTO c VALUES (1, 99);\n")
    (directory / "0002_orphan.down.sql").write_text("DELETE FROM c;\n")
    config = sqlite_config(db, None, directory)
    with pytest.raises(SqlgenError, match=r"version 2: the migration breaks a foreign key \(c row 1 points at a "
                                          r"missing p row"):
        commands.upgrade(config, echo=Output())
    assert query(db, "SELECT COUNT(*) FROM c") == [(0,)]
    assert query(db, "SELECT version, state FROM sqlgen_version ORDER BY version") == [(1, "applied"), (2, "failed")]


def test_files_run_by_hand_with_the_sqlite3_shell(tmp_path):
    import shutil
    import subprocess

    shell = shutil.which("sqlite3")
    if shell is None:
        pytest.fail("the sqlite3 shell is not installed (apt-get install sqlite3)")
    db = tmp_path / "app.db"
    directory = tmp_path / "migrations"
    for step in (1, 2, 3):
        setattr(change_kinds, f"evolution_{step}", evolution(step))
        by_runner = tmp_path / "runner.db"
        config = sqlite_config(by_runner, f"change_kinds:evolution_{step}", directory)
        commands.generate(config, f"step {step}", echo=Output())
        commands.upgrade(config, echo=Output())
    for path in sorted(directory.glob("*.up.sql")):
        with path.open("rb") as handle:
            result = subprocess.run([shell, "-bail", str(db)], stdin=handle, capture_output=True)
        assert result.returncode == 0, result.stderr.decode()
    assert sqlite_snapshot(db) == sqlite_snapshot(tmp_path / "runner.db")
    assert query(db, "SELECT version, state FROM sqlgen_version") == [(1, "applied"), (2, "applied"), (3, "applied")]
    config = sqlite_config(db, "change_kinds:evolution_3", directory)
    out = Output()
    commands.current(config, echo=out)
    assert out.lines == ["3 0003_step_3"]
    # A down file run by hand for a version that is not applied stops before changing anything.
    commands.downgrade(config, "2", echo=Output())
    at_two = sqlite_snapshot(db)
    with (directory / "0003_step_3.down.sql").open("rb") as handle:
        result = subprocess.run([shell, "-bail", str(db)], stdin=handle, capture_output=True)
    assert result.returncode != 0 and b"NOT NULL constraint failed" in result.stderr
    assert sqlite_snapshot(db) == at_two, "nothing changed"
    # The sql command's script, run by hand, does what upgrade does.
    script = tmp_path / "up.sql"
    script_out = Output()
    commands.sql(config, "2:3", echo=script_out)
    script.write_text(script_out.text + "\n")
    with script.open("rb") as handle:
        result = subprocess.run([shell, "-bail", str(db)], stdin=handle, capture_output=True)
    assert result.returncode == 0, result.stderr.decode()
    assert sqlite_snapshot(db) == sqlite_snapshot(tmp_path / "runner.db")


def test_the_dialect_of_a_migrations_folder_is_guarded(tmp_path):
    db = tmp_path / "app.db"
    config = sqlite_config(db, "change_kinds:create_table__after", tmp_path / "migrations")
    commands.generate(config, "first", echo=Output())
    assert (tmp_path / "migrations" / "DIALECT").read_text() == "sqlite\n"
    mysql = make_config("mysql+pymysql://root@127.0.0.1:1/x", "change_kinds:create_table__after",
                        tmp_path / "migrations")
    for command in (commands.generate, commands.upgrade, commands.status):
        with pytest.raises(SqlgenError, match="holds sqlite migrations, but the database is mysql"):
            command(mysql, echo=Output()) if command is not commands.generate else command(mysql, "x", echo=Output())


def test_init_scaffolds_and_never_overwrites(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from sqlgen.cli import main

    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["init"])
    assert result.exit_code == 0, result.output
    config = (tmp_path / "sqlgen.toml").read_text()
    assert 'url = "sqlite:///app.db"' in config and "# url = \"mysql+pymysql://" in config
    assert "# url = \"mariadb+pymysql://" in config and 'models = "app.models:Base"' in config
    assert (tmp_path / "migrations" / "up.sql.j2").read_text().startswith("-- sqlgen migration")
    again = CliRunner().invoke(main, ["init"])
    assert again.exit_code == 1
    assert "nothing written: sqlgen.toml, migrations/up.sql.j2, migrations/down.sql.j2 already exist" in again.output
    project = tmp_path / "project"
    project.mkdir()
    (project / "pyproject.toml").write_text('[project]\nname = "app"\n')
    result = CliRunner().invoke(main, ["init", str(project)])
    assert result.exit_code == 0, result.output
    assert '[tool.sqlgen]\n# sqlgen settings' in (project / "pyproject.toml").read_text()
    assert not (project / "sqlgen.toml").exists()
    assert "already exist" in CliRunner().invoke(main, ["init", str(project)]).output


def test_init_then_the_whole_loop(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from sqlgen.cli import main

    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    assert runner.invoke(main, ["init"]).exit_code == 0
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "__init__.py").write_text("")
    (tmp_path / "app" / "models.py").write_text(
        "from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column\n"
        "class Base(DeclarativeBase):\n    pass\n"
        "class Note(Base):\n    __tablename__ = 'note'\n    id: Mapped[int] = mapped_column(primary_key=True)\n"
        "    text: Mapped[str]\n")
    for args in (["generate", "-m", "notes"], ["upgrade"], ["status"], ["downgrade", "base"], ["upgrade"]):
        result = runner.invoke(main, args)
        assert result.exit_code == 0, (args, result.output)
    assert "-- sqlgen migration 0001 (up): notes" in (tmp_path / "migrations" / "0001_notes.up.sql").read_text()
    assert query(tmp_path / "app.db", "SELECT version FROM sqlgen_version") == [(1,)]


def _review(text: str) -> set[tuple[str, str]]:
    import re

    return {(line.split(" ")[4], line.split(" ")[5].rstrip(":")) for line in text.splitlines()
            if re.match(r"--   (DESTRUCTIVE|WARNING) ", line)}


def test_lint_sees_what_a_rebuild_loses(tmp_path):
    import lint_models

    db = tmp_path / "app.db"
    create_all(lint_models.sqlite_rebuild(False), db)
    lint_models.sqlite_rebuild__after = lint_models.sqlite_rebuild(True)
    config = sqlite_config(db, "lint_models:sqlite_rebuild__after", tmp_path / "m")
    result = commands.generate(config, "rebuild", echo=Output())
    assert _review(result.up_text) == {
        ("drop-table", "gone"), ("drop-column", "item.b"), ("table-rebuild", "item"), ("not-null", "item.a"),
        ("not-null", "item.n"), ("drop-foreign-key", "item.fk_parent"), ("drop-check", "item.ck_a"),
        ("unique", "item.uq_a"),
    }
    # The stored generated column g becomes a plain one: its values are copied, not lost.
    assert 'INSERT INTO "_sqlgen_new_item" ("id", "a", "g", "parent_id") SELECT' in result.up_text
    assert ("add-check", "item.ck_a") in _review(result.down_text)
    out = Output()
    assert commands.lint(config, echo=out) == 1
    path = result.paths[0]
    path.write_text(path.read_text() + "-- sqlgen: allow drop-table gone\n-- sqlgen: allow drop-column item.b\n")
    out = Output()
    assert commands.lint(config, echo=out) == 0, out.lines
    assert out.lines[-1] == "1 file(s): 0 destructive finding(s) not allowed, 6 warning(s), 2 allowed"


def test_a_stored_generated_column_made_plain_keeps_its_values(tmp_path):
    import lint_models

    db = tmp_path / "app.db"
    create_all(lint_models.generated_made_plain(False), db)
    query(db, "INSERT INTO item (id) VALUES (4)")
    config = sqlite_config(db, "lint_models:generated_made_plain__after", tmp_path / "m")
    result = commands.generate(config, "plain g", echo=Output())
    assert _review(result.up_text) == {("table-rebuild", "item")}  # nothing lost, nothing to allow
    commands.upgrade(config, echo=Output())
    assert query(db, "SELECT id, g FROM item") == [(4, 5)]
    query(db, "INSERT INTO item (id, g) VALUES (9, 1)")  # a plain column now
    assert query(db, "SELECT g FROM item WHERE id = 9") == [(1,)]


def test_lint_on_a_hand_written_sqlite_file(tmp_path):
    import lint_models as models
    from click.testing import CliRunner

    from sqlgen.cli import main

    db = tmp_path / "app.db"
    create_all(models.sqlite_rebuild(False), db)
    path = tmp_path / "0001_by_hand.up.sql"
    path.write_text("-- by hand\nDROP TABLE gone;\nALTER TABLE item DROP COLUMN b;\n"
                    "ALTER TABLE item RENAME COLUMN a TO aa;\nALTER TABLE parent RENAME TO mother;\n"
                    "CREATE UNIQUE INDEX uq_aa ON item (aa);\nDELETE FROM item;\nUPDATE item SET aa = 'x';\n"
                    "DELETE FROM item WHERE id = 1;\n")
    args = ["--url", sqlite_url(db), "--dir", str(tmp_path / "m"), "lint", str(path)]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 1, result.output
    found = [line.split(": ")[1] for line in result.output.splitlines() if "0001_by_hand.up.sql:" in line]
    assert found == ["DESTRUCTIVE drop-table gone", "DESTRUCTIVE drop-column item.b", "WARNING rename item.a",
                     "WARNING rename parent", "WARNING unique item.uq_aa", "WARNING delete-all item",
                     "WARNING delete-all item"]
    assert "0001_by_hand.up.sql:3: DESTRUCTIVE drop-column item.b: drops column item.b and its data" in result.output
    path.write_text("-- sqlgen: allow drop-table gone\n-- sqlgen: allow drop-column item.b\n" + path.read_text())
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    assert "allowed drop-table gone" in result.output


def test_verify_on_sqlite_uses_a_temporary_file(tmp_path, monkeypatch):
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    db = tmp_path / "app.db"
    config = sqlite_config(db, "change_kinds:add_column__before", tmp_path / "m")
    out = Output()
    commands.generate(config, "start", verify=True, echo=out)
    assert next(line for line in out.lines if line.startswith("Verified")).startswith(
        "Verified on a scratch database: yes, on sqlite 3.")
    commands.upgrade(config, echo=Output())
    config = sqlite_config(db, "change_kinds:add_column__after", tmp_path / "m")
    out = Output()
    result = commands.generate(config, "add", verify=True, echo=out)
    verified = next(line for line in out.lines if line.startswith("Verified"))
    assert verified.endswith("(replayed 1 migration(s), then this up and down)")
    assert "-- Verified:   yes, on sqlite 3." in result.up_text
    assert list((tmp_path / "tmp").iterdir()) == []  # the scratch file and folders are gone


@pytest.mark.parametrize("verify_url, found", [
    ("mysql+pymysql://u:s3cret@127.0.0.1:1/x", "mysql"),
    ("mariadb+pymysql://u:s3cret@127.0.0.1:1/x", "mysql"),
])
def test_a_verify_url_of_another_dialect_is_refused_before_anything_is_written(tmp_path, verify_url, found):
    """The scratch database must be of the migrations' dialect: another server's would prove nothing
    (and reading its URL as this dialect's would connect somewhere else)."""
    import dataclasses

    config = dataclasses.replace(sqlite_config(tmp_path / "app.db", "change_kinds:add_column__before",
                                               tmp_path / "m"), verify_url=verify_url)
    with pytest.raises(SqlgenError) as refused:
        commands.generate(config, "start", verify=True, echo=Output())
    assert str(refused.value) == (f"verify_url {verify_url.replace('s3cret', '***')!r} is a {found} database, but the "
                                  "migrations are for sqlite; point verify_url at a sqlite server, or leave it out")
    assert not (tmp_path / "m").exists() or not list((tmp_path / "m").glob("*.sql"))


def test_a_rebuild_keeps_every_check_of_a_column_and_triggers_both_ways(tmp_path):
    """Also the partial and expression indexes made by hand, which sqlgen does not model."""
    import lint_models

    db = tmp_path / "app.db"
    create_all(lint_models.two_column_checks(False), db)
    query(db, "CREATE INDEX pidx ON t (a) WHERE a > 10")
    query(db, "CREATE INDEX eidx ON t (lower(b))")
    query(db, "CREATE TRIGGER t_ins AFTER INSERT ON t BEGIN INSERT INTO log (msg) VALUES ('added'); END")
    before = sqlite_snapshot(db)
    config = sqlite_config(db, "lint_models:two_column_checks__after", tmp_path / "m")
    result = commands.generate(config, "widen b", echo=Output())
    # Both checks stay on the column (create_all writes a column's checks in set order).
    assert re.search(r'"a" INTEGER CHECK \(a [<>] \d+\) CHECK \(a [<>] \d+\),', result.up_text)
    assert "CHECK (a > 0)" in result.up_text and "CHECK (a < 100)" in result.up_text
    commands.upgrade(config, echo=Output())
    hand_made = "SELECT name, sql FROM sqlite_master WHERE name IN ('pidx', 'eidx') ORDER BY name"
    assert query(db, hand_made) == [("eidx", "CREATE INDEX eidx ON t (lower(b))"),
                                    ("pidx", "CREATE INDEX pidx ON t (a) WHERE a > 10")]
    again = Output()
    commands.generate(config, "again", echo=again)
    assert "No changes detected" in again.lines
    with pytest.raises(sqlite3.IntegrityError, match="CHECK constraint failed"):
        query(db, "INSERT INTO t (a) VALUES (0)")
    commands.downgrade(config, "base", echo=Output())
    assert sqlite_snapshot(db) == before
    assert len(query(db, hand_made)) == 2
    query(db, "INSERT INTO t (a) VALUES (5)")
    assert query(db, "SELECT msg FROM log") == [("added",)]  # the trigger came back with the table


@pytest.mark.parametrize("up_to", ["__after", "__before"])
def test_generated_columns_are_dropped_before_what_they_use(tmp_path, up_to):
    """Both directions: dropping b and g (computed from b), and adding them, then undoing it."""
    import lint_models

    db = tmp_path / "app.db"
    start = lint_models.generated_dependency(up_to == "__before")
    create_all(start, db)
    before = sqlite_snapshot(db)
    config = sqlite_config(db, f"lint_models:generated_dependency{up_to}", tmp_path / "m")
    commands.generate(config, "change", echo=Output())
    commands.upgrade(config, echo=Output())
    again = Output()
    commands.generate(config, "again", echo=again)
    assert "No changes detected" in again.lines
    commands.downgrade(config, "base", echo=Output())
    assert sqlite_snapshot(db) == before


def test_a_rebuild_keeps_the_autoincrement_counter(tmp_path):
    import lint_models

    db = tmp_path / "app.db"
    create_all(lint_models.autoincrement_rebuild(False), db)
    query(db, "INSERT INTO t (a) VALUES (1), (2), (3)")
    query(db, "DELETE FROM t WHERE id = 3")
    config = sqlite_config(db, "lint_models:autoincrement_rebuild__after", tmp_path / "m")
    result = commands.generate(config, "bigger a", echo=Output())
    assert "_sqlgen_new_t" in result.up_text  # a rebuild
    commands.upgrade(config, echo=Output())
    query(db, "INSERT INTO t (a) VALUES (9)")
    assert query(db, "SELECT id FROM t WHERE a = 9") == [(4,)]  # 3 was used once: never again
    commands.downgrade(config, "base", echo=Output())
    query(db, "INSERT INTO t (a) VALUES (10)")
    assert query(db, "SELECT id FROM t WHERE a = 10") == [(5,)]


def test_a_model_table_named_like_a_view_is_refused(tmp_path):
    db = tmp_path / "app.db"
    query(db, "CREATE VIEW t AS SELECT 1 AS one")
    config = sqlite_config(db, "lint_models:generated_dependency__after", tmp_path / "m")
    with pytest.raises(SqlgenError, match="the models declare a table 't', but the database has a view of that name"):
        commands.generate(config, "t", echo=Output())


def test_reading_commands_never_create_a_missing_database_file(tmp_path):
    db = tmp_path / "typo.db"
    config = sqlite_config(db, None, tmp_path / "m")
    for command in (commands.status, commands.current, commands.history_, commands.verify):
        with pytest.raises(SqlgenError, match=r"typo.db does not exist; sqlgen upgrade creates it"):
            command(config, echo=Output())
    assert not db.exists()


def test_a_file_that_is_not_a_database_is_one_clear_error(tmp_path):
    db = tmp_path / "app.db"
    db.write_bytes(b"this is not sqlite" * 100)
    config = sqlite_config(db, "lint_models:generated_dependency__after", tmp_path / "m")
    with pytest.raises(SqlgenError, match=r"^database error on the SQLite database .*: file is not a database"):
        commands.generate(config, "x", echo=Output())


def test_a_folder_without_its_marker_keeps_the_dialect_its_headers_name(tmp_path):
    db = tmp_path / "app.db"
    directory = tmp_path / "m"
    config = sqlite_config(db, "lint_models:generated_dependency__after", directory)
    commands.generate(config, "start", echo=Output())
    (directory / "DIALECT").unlink()
    up = next(directory.glob("*.up.sql"))
    original = up.read_text()
    up.write_text(original.replace("CREATE TABLE", "CREATE  TABLE"))  # an edit: rehash rewrites the blocks
    commands.rehash(make_config(None, None, directory), echo=Output())
    assert '"sqlgen_version"' in up.read_text() and "`sqlgen_version`" not in up.read_text()


def test_named_keys_on_columns_with_spaces_converge(tmp_path):
    import lint_models

    db = tmp_path / "app.db"
    create_all(lint_models.spaced_names(), db)
    out = Output()
    commands.generate(sqlite_config(db, "lint_models:spaced_names__models", tmp_path / "m"), "none", echo=out)
    assert out.lines[-1] == "No changes detected", out.lines


def test_comments_inside_a_hand_written_create_table_are_not_read_as_sql(tmp_path):
    """SQLite keeps a CREATE TABLE as written, comments included, in a database sqlgen adopts."""
    db = tmp_path / "app.db"
    query(db, "CREATE TABLE t (\n"
              "  id INTEGER NOT NULL PRIMARY KEY, -- the id, unique\n"
              "  b VARCHAR(10) CONSTRAINT uq_b UNIQUE -- must be unique, constraint\n"
              "  /* a block, check (x) */, c INTEGER CHECK (c > 0) -- positive\n"
              ")")
    config = models_config(
        tmp_path, db,
        "sa.Table('t', metadata, sa.Column('id', sa.Integer, primary_key=True), sa.Column('b', sa.String(10)),\n"
        "         sa.Column('c', sa.Integer, sa.CheckConstraint('c > 0')), sa.UniqueConstraint('b', name='uq_b'))\n")
    out = Output()
    commands.generate(config, "adopt", dry_run=True, echo=out)
    assert out.lines == ["No changes detected"]


def test_a_hand_written_integer_primary_key_without_not_null_is_not_a_change(tmp_path):
    """INTEGER PRIMARY KEY is the rowid: never NULL, whatever PRAGMA table_info says."""
    db = tmp_path / "app.db"
    query(db, "CREATE TABLE t (id integer primary key, name TEXT)")
    config = models_config(
        tmp_path, db,
        "sa.Table('t', metadata, sa.Column('id', sa.Integer, primary_key=True), sa.Column('name', sa.Text))\n")
    out = Output()
    commands.generate(config, "adopt", dry_run=True, echo=out)
    assert out.lines == ["No changes detected"]


def test_a_model_table_named_like_a_rebuild_table_is_refused(tmp_path):
    db = tmp_path / "app.db"
    query(db, "CREATE TABLE t (id INTEGER NOT NULL PRIMARY KEY)")
    config = models_config(
        tmp_path, db,
        "sa.Table('t', metadata, sa.Column('id', sa.Integer, primary_key=True))\n"
        "sa.Table('_sqlgen_new_t', metadata, sa.Column('id', sa.Integer, primary_key=True))\n")
    with pytest.raises(SqlgenError, match="names starting with _sqlgen_new_ are where sqlgen rebuilds a table"):
        commands.generate(config, "clash", echo=Output())


def test_a_column_renamed_only_in_letter_case_keeps_its_data(tmp_path):
    db = tmp_path / "app.db"
    query(db, 'CREATE TABLE t (id INTEGER NOT NULL PRIMARY KEY, "Name" VARCHAR(20))')
    query(db, "INSERT INTO t VALUES (1, 'kept')")
    config = models_config(
        tmp_path, db,
        "sa.Table('t', metadata, sa.Column('id', sa.Integer, primary_key=True), sa.Column('name', sa.String(20)))\n")
    out = Output()
    result = commands.generate(config, "lower case", echo=out)
    assert "~ column t.Name renamed to name" in out.lines
    assert "DROP COLUMN" not in result.up_text
    commands.upgrade(config, echo=Output())
    assert query(db, "SELECT id, name FROM t") == [(1, "kept")]
    assert 'CREATE TABLE t (id INTEGER NOT NULL PRIMARY KEY, "name" VARCHAR(20))' in \
        query(db, "SELECT sql FROM sqlite_master WHERE name = 't'")[0][0]
    again = Output()
    commands.generate(config, "again", dry_run=True, echo=again)
    assert again.lines == ["No changes detected"]
    commands.downgrade(config, "base", echo=Output())
    assert '"Name" VARCHAR(20)' in query(db, "SELECT sql FROM sqlite_master WHERE name = 't'")[0][0]
    assert query(db, "SELECT * FROM t") == [(1, "kept")]


def test_a_rebuild_that_breaks_a_view_stops_and_leaves_nothing(tmp_path):
    """The legacy rename keeps views in place unchecked: the file queries each view of the table."""
    db = tmp_path / "app.db"
    query(db, "CREATE TABLE t (id INTEGER NOT NULL PRIMARY KEY, a VARCHAR(10), b INTEGER)")
    query(db, "INSERT INTO t VALUES (1, 'x', 2)")
    query(db, "CREATE VIEW v AS SELECT id, b FROM t")
    before = sqlite_snapshot(db)
    config = models_config(
        tmp_path, db,
        "sa.Table('t', metadata, sa.Column('id', sa.Integer, primary_key=True), sa.Column('a', sa.String(20)))\n")
    result = commands.generate(config, "drop b", echo=Output())
    assert '-- the view v must still work: this fails if the change broke it\nSELECT * FROM "v" LIMIT 0;' \
        in result.up_text
    with pytest.raises(SqlgenError, match="no such column: b; it ran in one transaction, so none of it stayed"):
        commands.upgrade(config, echo=Output())
    assert sqlite_snapshot(db) == before
    assert query(db, "SELECT * FROM v") == [(1, 2)]


def test_keys_broken_before_the_migration_are_blamed_on_the_database_not_the_migration(tmp_path):
    db = tmp_path / "app.db"
    query(db, "CREATE TABLE p (id INTEGER PRIMARY KEY)")
    query(db, "CREATE TABLE c (id INTEGER PRIMARY KEY, p_id INTEGER REFERENCES p (id))")
    query(db, "INSERT INTO c VALUES (2, 99)")  # foreign keys are off by default in SQLite
    directory = tmp_path / "migrations"
    directory.mkdir()
    (directory / "0001_other.up.sql").write_text("CREATE TABLE other (id INTEGER PRIMARY KEY);\n")
    (directory / "0001_other.down.sql").write_text("DROP TABLE other;\n")
    config = sqlite_config(db, None, directory)
    with pytest.raises(SqlgenError, match=r"version 1: the database already breaks a foreign key before this "
                                          r"migration \(c row 2 points at a missing p row, and 0 more\); delete"):
        commands.upgrade(config, echo=Output())
    assert query(db, "SELECT name FROM sqlite_master WHERE name = 'other'") == []
    query(db, "DELETE FROM c")
    commands.upgrade(config, echo=Output())
    assert query(db, "SELECT version, state FROM sqlgen_version") == [(1, "applied")]


def test_a_table_renamed_only_in_letter_case_keeps_its_rows(tmp_path):
    """SQLite takes `Item` and `item` for one table and refuses that rename: two steps."""
    db = tmp_path / "app.db"
    query(db, 'CREATE TABLE "Item" (id INTEGER NOT NULL PRIMARY KEY, "Name" VARCHAR(20))')
    query(db, "INSERT INTO Item VALUES (1, 'kept')")
    config = models_config(
        tmp_path, db,
        "sa.Table('item', metadata, sa.Column('id', sa.Integer, primary_key=True), sa.Column('name', sa.String(20)))\n")
    out = Output()
    result = commands.generate(config, "lower case", echo=out)
    assert "DROP TABLE" not in result.up_text and "DROP COLUMN" not in result.up_text
    first = result.up_text.index('ALTER TABLE "Item" RENAME TO "_sqlgen_new_item";')
    assert result.up_text.index('ALTER TABLE "_sqlgen_new_item" RENAME TO "item";') > first
    assert "-- WARNING rename Item: renames table Item to item:" in result.up_text
    assert "WARNING rename _sqlgen_new_item" not in result.up_text
    commands.upgrade(config, echo=Output())
    assert query(db, "SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'item'") == [("item",)]
    assert query(db, "SELECT id, name FROM item") == [(1, "kept")]
    again = Output()
    commands.generate(config, "again", dry_run=True, echo=again)
    assert again.lines == ["No changes detected"]
    commands.downgrade(config, "base", echo=Output())
    assert query(db, "SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'item'") == [("Item",)]
    assert query(db, 'SELECT * FROM "Item"') == [(1, "kept")]


def test_a_tracking_table_named_with_a_double_quote_is_quoted_in_every_statement(tmp_path):
    """version_table may hold a `"` (it is a readable name): the runner and the files quote it, so
    it cannot end the name early, whichever statement it is in, the failure record included."""
    import dataclasses
    import shutil
    import subprocess

    shell = shutil.which("sqlite3")
    if shell is None:
        pytest.fail("the sqlite3 shell is not installed (apt-get install sqlite3)")
    table = 'log "x"; DROP TABLE sentinel; --'
    quoted = '"' + table.replace('"', '""') + '"'
    db, by_hand = tmp_path / "app.db", tmp_path / "hand.db"
    for path in (db, by_hand):
        query(path, "CREATE TABLE sentinel (id INTEGER NOT NULL PRIMARY KEY)")
    config = dataclasses.replace(models_config(
        tmp_path, db,
        "sa.Table('sentinel', metadata, sa.Column('id', sa.Integer, primary_key=True))\n"
        "sa.Table('t', metadata, sa.Column('id', sa.Integer, primary_key=True))\n"), version_table=table)
    up, down = commands.generate(config, "first", echo=Output()).paths
    commands.upgrade(config, echo=Output())
    assert query(db, f"SELECT version, state FROM {quoted}") == [(1, "applied")]
    for path in (up, down):
        with path.open("rb") as handle:
            result = subprocess.run([shell, "-bail", str(by_hand)], stdin=handle, capture_output=True, timeout=60)
        assert result.returncode == 0, result.stderr.decode()
    assert query(by_hand, f"SELECT * FROM {quoted}") == []
    # A down file that fails is rolled back and its failure recorded in that same table.
    query(db, "CREATE TABLE child (id INTEGER PRIMARY KEY, t_id INTEGER REFERENCES t (id))")
    query(db, "INSERT INTO t VALUES (1)")
    query(db, "INSERT INTO child VALUES (1, 1)")
    with pytest.raises(SqlgenError, match="the migration breaks a foreign key"):
        commands.downgrade(config, "base", echo=Output())
    assert query(db, f"SELECT version, state FROM {quoted}") == [(1, "revert_failed")]
    query(db, "DROP TABLE child")
    commands.downgrade(config, "base", echo=Output())
    assert query(db, f"SELECT * FROM {quoted}") == []
    for path in (db, by_hand):
        assert query(path, "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name") == [
            (table,), ("sentinel",)]


def test_names_written_in_single_quotes_or_bare_non_ascii_reflect_whole(tmp_path):
    """SQLite takes 'a' where a name is expected, and any non-ASCII letter in a bare name: a table
    made by hand that way reads as what the models declare, collations, checks and key names kept."""
    db = tmp_path / "app.db"
    query(db, "CREATE TABLE t (id INTEGER NOT NULL PRIMARY KEY, 'a' TEXT COLLATE NOCASE, éa TEXT COLLATE NOCASE, "
              "b INTEGER, CONSTRAINT 'ck_b' CHECK (b > 0), CONSTRAINT 'uq_b' UNIQUE ('b'))")
    config = models_config(tmp_path, db, (
        "sa.Table('t', metadata, sa.Column('id', sa.Integer, primary_key=True, autoincrement=False),\n"
        "         sa.Column('a', sa.Text(collation='NOCASE')), sa.Column('éa', sa.Text(collation='NOCASE')),\n"
        "         sa.Column('b', sa.Integer), sa.CheckConstraint('b > 0', name='ck_b'),\n"
        "         sa.UniqueConstraint('b', name='uq_b'))"))
    out = Output()
    assert commands.check(config, echo=out) == 0, out.lines
    assert out.lines[-1] == "The database matches the models"


def test_only_the_ddl_create_all_emits_on_sqlite_is_declared(tmp_path):
    """On SQLite an Enum keeps its CHECK (no native ENUM), and ddl_if() naming MySQL drops a
    constraint or an index, as create_all does: generate on create_all's database finds nothing."""
    import conditional_models

    db = tmp_path / "cond.db"
    engine = sa.create_engine(f"sqlite:///{db}")
    conditional_models.metadata.create_all(engine)
    engine.dispose()
    out = Output()
    commands.generate(make_config(sqlite_url(db), "conditional_models:metadata", tmp_path / "m"), "x", echo=out)
    assert out.lines[-1] == "No changes detected", out.text


@pytest.mark.parametrize("after, rows, fix, message", [
    ('sa.Column("code", sa.String(20), nullable=False), sa.Column("qty", sa.Integer)',
     "INSERT INTO account VALUES (1, 'a', 1), (2, NULL, 1), (3, NULL, 2)", "UPDATE account SET code = 'x'",
     "2 rows of account have code NULL (id 2, 3)"),
    ('sa.Column("code", sa.String(20), unique=True), sa.Column("qty", sa.Integer)',
     "INSERT INTO account VALUES (1, 'a', 1), (2, 'a', 1), (3, NULL, 2), (4, NULL, 2)",
     "UPDATE account SET code = 'b' WHERE id = 2", "1 value of code in account appears more than once"),
    ('sa.Column("code", sa.String(20), index=True, unique=True), sa.Column("qty", sa.Integer)',
     "INSERT INTO account VALUES (1, 'a', 1), (2, 'a', 1), (3, 'a', 2)",
     "UPDATE account SET code = id", "1 value of code in account appears more than once"),
    ('sa.Column("code", sa.String(20)), sa.Column("qty", sa.Integer), sa.CheckConstraint("qty >= 0", name="positive")',
     "INSERT INTO account VALUES (1, 'a', -1), (2, 'b', NULL)", "UPDATE account SET qty = 0",
     "1 row of account has values breaking CHECK positive (qty >= 0) (id 1)"),
])
def test_a_precondition_that_rows_break_is_named_and_nothing_is_applied(tmp_path, after, rows, fix, message):
    db = tmp_path / "app.db"
    directory = tmp_path / "migrations"
    head = "import sqlalchemy as sa\nmetadata = sa.MetaData()\n"
    before_name, after_name = f"before_{tmp_path.name}", f"after_{tmp_path.name}"  # modules are imported once
    (tmp_path / f"{before_name}.py").write_text(
        head + 'sa.Table("account", metadata, sa.Column("id", sa.Integer, primary_key=True), '
               'sa.Column("code", sa.String(20)), sa.Column("qty", sa.Integer))\n')
    (tmp_path / f"{after_name}.py").write_text(
        head + f'sa.Table("account", metadata, sa.Column("id", sa.Integer, primary_key=True), {after})\n'
               'sa.Table("audit", metadata, sa.Column("id", sa.Integer, primary_key=True))\n')
    config = make_config(sqlite_url(db), f"{before_name}:metadata", directory, root=tmp_path)
    commands.generate(config, "start", echo=Output())
    commands.upgrade(config, echo=Output())
    query(db, rows)
    config = make_config(sqlite_url(db), f"{after_name}:metadata", directory, root=tmp_path)
    up = commands.generate(config, "tighten", echo=Output()).paths[0]
    before = sqlite_snapshot(db)
    with pytest.raises(SqlgenError) as failed:
        commands.upgrade(config, echo=Output())
    assert str(failed.value) == (f"{up.name}: precondition failed before any change: {message}"
                                 + str(failed.value).split(message, 1)[1])
    assert str(failed.value).endswith("; fix them, then run sqlgen upgrade again")
    assert sqlite_snapshot(db) == before
    assert query(db, "SELECT version, state FROM sqlgen_version ORDER BY version") == [(1, "applied"), (2, "failed")]
    query(db, fix)
    commands.upgrade(config, echo=Output())
    assert query(db, "SELECT version, state FROM sqlgen_version ORDER BY version") == [(1, "applied"), (2, "applied")]
