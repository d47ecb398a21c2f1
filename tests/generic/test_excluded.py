"""Tables sqlgen leaves alone (sqlgen.excluded): `exclude` patterns and other tools' tracking
tables are neither compared, created nor dropped, and each is named once in a note."""

from __future__ import annotations

import sqlite3
import textwrap

import pytest
from click.testing import CliRunner

from sqlgen.cli import main
from sqlgen.diff import diff
from sqlgen.excluded import OTHER_TOOLS, leave_out
from sqlgen.mysql import rules
from sqlgen.schema import Column, Schema, Table, TableOptions
from support import execute, url_text

OPTIONS = TableOptions(engine="InnoDB", collation="utf8mb4_general_ci")


def table(name: str, *extra: str) -> Table:
    columns = (Column("id", "int", nullable=False),) + tuple(Column(c, "int") for c in extra)
    return Table(name, columns, ("id",), options=OPTIONS)


def test_excluded_and_other_tools_tables_are_left_out_of_both_sides():
    current = Schema((table("user"), table("legacy_orders"), table("alembic_version"), table("flyway_schema_history"),
                      table("legacy_kept", "a")))
    target = Schema((table("user", "email"), table("legacy_kept", "b"), table("legacy_new")))
    now, wanted, notes = leave_out(current, target, ("legacy_*",))
    assert now.table_names() == ("user",) and wanted.table_names() == ("user",)
    assert notes == [
        "not compared: table alembic_version, the tracking table of Alembic (and Flask-Migrate); sqlgen never drops it",
        "not compared: table flyway_schema_history, the tracking table of Flyway; sqlgen never drops it",
        "excluded: table legacy_kept (in the models and the database; pattern 'legacy_*'): never compared, created "
        "or dropped",
        "excluded: table legacy_new (in the models; pattern 'legacy_*'): never compared, created or dropped",
        "excluded: table legacy_orders (in the database; pattern 'legacy_*'): never compared, created or dropped",
    ]
    summaries = [line for op in diff(now, wanted, rules()) for line in op.summaries()]
    assert summaries == ["+ column user.email"], summaries


def test_every_other_tools_table_is_kept_out_of_a_drop():
    current = Schema(tuple(table(name) for name in OTHER_TOOLS))
    now, wanted, notes = leave_out(current, Schema(), ())
    assert now.tables == () and len(notes) == len(OTHER_TOOLS)
    assert diff(now, wanted, rules()) == []


def test_a_tracking_table_of_another_tool_declared_in_the_models_is_compared_as_any_other():
    current = Schema((table("alembic_version"),))
    target = Schema((table("alembic_version", "extra"),))
    now, wanted, notes = leave_out(current, target, ())
    assert notes == [] and now == current and wanted == target


def test_patterns_match_whole_names_and_letter_case():
    current = Schema((table("Legacy_a"), table("legacy_a"), table("my_legacy_a")))
    now, _, notes = leave_out(current, Schema(), ("legacy_*",))
    assert now.table_names() == ("Legacy_a", "my_legacy_a") and len(notes) == 1


# --- On real databases, through the CLI ------------------------------------------------------
MODELS = """
    import sqlalchemy as sa
    metadata = sa.MetaData()
    sa.Table("user", metadata, sa.Column("id", sa.Integer, primary_key=True), sa.Column("name", sa.String(50)),
             sa.Column("email", sa.String(80)))
    sa.Table("legacy_new", metadata, sa.Column("id", sa.Integer, primary_key=True))
    """
LEGACY = ["CREATE TABLE user (id int PRIMARY KEY AUTO_INCREMENT, name varchar(50))",
          "CREATE TABLE legacy_orders (id int PRIMARY KEY)", "INSERT INTO legacy_orders VALUES (7)",
          "CREATE TABLE alembic_version (version_num varchar(32) NOT NULL PRIMARY KEY)",
          "INSERT INTO alembic_version VALUES ('1a2b3c')",
          "CREATE TABLE schema_migrations (version varchar(128) PRIMARY KEY)",
          "CREATE TABLE flyway_schema_history (installed_rank int PRIMARY KEY)"]


def sqlgen(folder, url: str, *args):
    result = CliRunner().invoke(main, ["-C", str(folder), "--url", url, "--models", "adopted_models:metadata", *args])
    assert "Traceback" not in result.output, result.output
    return result


@pytest.fixture
def adopted(tmp_path, monkeypatch):
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delenv("SQLGEN_EXCLUDE", raising=False)
    (tmp_path / "adopted_models.py").write_text(textwrap.dedent(MODELS))
    return tmp_path


@pytest.mark.mysql
def test_an_adopted_database_keeps_its_legacy_and_other_tools_tables(adopted, scratch_db, run_client, monkeypatch):
    for statement in LEGACY:
        execute(scratch_db, statement)
    url = url_text(scratch_db)
    plain = sqlgen(adopted, url, "generate", "--dry-run")
    assert "- table legacy_orders" in plain.output  # unmodelled and not excluded: proposed, and flagged
    for name in ("alembic_version", "schema_migrations", "flyway_schema_history"):
        assert f"note: not compared: table {name}, the tracking table of" in plain.output
        assert f"- table {name}" not in plain.output and f"DROP TABLE `{name}`" not in plain.output

    monkeypatch.setenv("SQLGEN_EXCLUDE", "legacy_*")
    # The option wins over the environment: with another pattern, legacy_orders is proposed.
    other = sqlgen(adopted, url, "--exclude", "other_*", "generate", "--dry-run")
    assert "- table legacy_orders" in other.output and "+ table legacy_new" in other.output
    made = sqlgen(adopted, url, "generate", "-m", "email")
    assert made.exit_code == 0, made.output
    assert "note: excluded: table legacy_orders (in the database; pattern 'legacy_*')" in made.output
    assert "note: excluded: table legacy_new (in the models; pattern 'legacy_*')" in made.output
    up = next((adopted / "migrations").glob("0001_*.up.sql"))
    text = up.read_text()
    assert "legacy_" not in text and "alembic_version" not in text and "`email`" in text
    run_client(scratch_db, up)  # by hand, as a DBA would
    assert sqlgen(adopted, url, "check").exit_code == 0
    assert execute(scratch_db, "SELECT * FROM legacy_orders")[0] == [(7,)]
    assert execute(scratch_db, "SELECT * FROM alembic_version")[0] == [("1a2b3c",)]
    down = next((adopted / "migrations").glob("0001_*.down.sql"))
    assert "legacy_" not in down.read_text()
    assert sqlgen(adopted, url, "downgrade", "base").exit_code == 0
    assert execute(scratch_db, "SELECT * FROM legacy_orders")[0] == [(7,)]


def test_sqlite_an_alembic_database_keeps_alembic_version_and_excluded_tables(adopted):
    path = adopted / "app.db"
    with sqlite3.connect(path) as connection:
        connection.executescript("CREATE TABLE user (id INTEGER PRIMARY KEY, name VARCHAR(50));"
                                 "CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL PRIMARY KEY);"
                                 "INSERT INTO alembic_version VALUES ('1a2b3c');"
                                 "CREATE TABLE legacy_orders (id INTEGER PRIMARY KEY); INSERT INTO legacy_orders VALUES (7);")
    url = f"sqlite:///{path}"
    made = sqlgen(adopted, url, "--exclude", "legacy_*", "generate", "-m", "email")
    assert made.exit_code == 0, made.output
    assert sqlgen(adopted, url, "--exclude", "legacy_*", "upgrade").exit_code == 0
    assert sqlgen(adopted, url, "--exclude", "legacy_*", "check").exit_code == 0
    with sqlite3.connect(path) as connection:
        assert connection.execute("SELECT * FROM alembic_version").fetchall() == [("1a2b3c",)]
        assert connection.execute("SELECT * FROM legacy_orders").fetchall() == [(7,)]
        assert "legacy_new" not in [row[0] for row in connection.execute("SELECT name FROM sqlite_master")]


def test_on_a_database_that_ignores_letter_case_an_excluded_table_is_left_out_in_every_spelling():
    """SQLite takes Audit and audit for one table: excluding the models' Audit must not drop audit."""
    current = Schema((table("audit"), table("user")))
    target = Schema((table("Audit", "x"), table("user")))
    now, wanted, _ = leave_out(current, target, ("Audit",), case_insensitive=True)
    assert now.table_names() == ("user",) and wanted.table_names() == ("user",)
    assert diff(now, wanted, rules()) == []
    kept, _, _ = leave_out(current, target, ("Audit",), case_insensitive=False)
    assert kept.table_names() == ("audit", "user")  # on a server that tells them apart, audit is another table


def test_a_foreign_key_to_an_excluded_table_is_noted():
    from dataclasses import replace as with_keys

    from sqlgen.schema import ForeignKey

    child = with_keys(table("orders", "user_id"), foreign_keys=(ForeignKey("fk_user", ("user_id",), "legacy_users",
                                                                           ("id",)),))
    _, _, notes = leave_out(Schema((table("legacy_users"),)), Schema((child, table("legacy_users"))), ("legacy_*",))
    assert any("foreign key of orders references the excluded table legacy_users" in note for note in notes), notes


@pytest.mark.mysql
def test_verify_proves_a_pair_with_the_same_exclusions(adopted, scratch_db, monkeypatch):
    execute(scratch_db, "CREATE TABLE legacy_orders (id int PRIMARY KEY)")
    monkeypatch.setenv("SQLGEN_EXCLUDE", "legacy_*")
    made = sqlgen(adopted, url_text(scratch_db), "generate", "-m", "users", "--verify")
    assert made.exit_code == 0 and "Verified on a scratch database" in made.output, made.output
    assert "legacy_" not in next((adopted / "migrations").glob("0001_*.up.sql")).read_text()
