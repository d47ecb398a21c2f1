"""What create_all decides per dialect while it runs, and sqlgen must decide the same way:
before_create listeners, after_create listeners it does not run, a nullable primary key."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from sqlgen import commands
from sqlgen.errors import SqlgenError
from sqlgen.mysql.declare import declared_schema as mysql_declared
from sqlgen.mysql.dialect import ServerInfo
from sqlgen.sqlite.declare import declared_schema as sqlite_declared
from sqlgen.sqlite.dialect import ServerInfo as SqliteInfo
from support import Output, create_all, make_config

MARIADB = ServerInfo("mariadb", (10, 11, 19), "10.11.19-MariaDB", database="app",
                     charset_collations={"utf8mb4": "utf8mb4_general_ci"})


def listened_models() -> sa.MetaData:
    """A table whose before_create listener shortens a column on MySQL only (as rucio's does)."""
    metadata = sa.MetaData()
    table = sa.Table("quarantined", metadata, sa.Column("id", sa.Integer, primary_key=True),
                     sa.Column("path", sa.String(1024)))

    @sa.event.listens_for(table, "before_create")
    def shorten(target, connection, **kw):
        if connection.dialect.name == "mysql":
            target.c.path.type = sa.String(255)

    return metadata


def test_a_before_create_listener_changes_the_table_as_in_create_all():
    schema, notes = mysql_declared(listened_models(), MARIADB, "sqlgen_version")
    assert schema.table("quarantined").column("path").type == "varchar(255)"
    assert notes == []


def test_a_before_create_listener_is_asked_with_the_dialect_of_the_target():
    schema, _ = sqlite_declared(listened_models(), SqliteInfo((3, 40, 1), "3.40.1", "app.db"), "sqlgen_version")
    assert schema.table("quarantined").column("path").type == "VARCHAR(1024)"


def test_a_before_create_listener_of_the_metadata_runs_too():
    metadata = sa.MetaData()
    sa.Table("t", metadata, sa.Column("id", sa.Integer, primary_key=True))

    @sa.event.listens_for(metadata, "before_create")
    def add_comment(target, connection, tables=(), **kw):
        for table in tables:
            table.comment = f"made on {connection.dialect.name}"

    schema, _ = mysql_declared(metadata, MARIADB, "sqlgen_version")
    assert schema.table("t").options.comment == "made on mysql"


@pytest.mark.parametrize("listener, message", [
    (lambda target, connection, **kw: connection.execute(sa.text("SET @x = 1")),
     "a before_create listener of table t runs SQL (SET @x = 1) when create_all makes it"),
    (lambda target, connection, **kw: connection.exec_driver_sql("CREATE TABLE x (a int)"),
     "runs SQL (CREATE TABLE x (a int))"),
    (lambda target, connection, **kw: 1 / 0, "failed when sqlgen ran it as create_all would (ZeroDivisionError"),
])
def test_a_before_create_listener_that_runs_sql_or_fails_is_refused_in_one_line(listener, message):
    metadata = sa.MetaData()
    table = sa.Table("t", metadata, sa.Column("id", sa.Integer, primary_key=True))
    sa.event.listen(table, "before_create", listener)
    with pytest.raises(SqlgenError, match=message.replace("(", r"\(").replace(")", r"\)")) as caught:
        mysql_declared(metadata, MARIADB, "sqlgen_version")
    assert "\n" not in str(caught.value)


def test_after_create_listeners_that_would_run_here_are_named_in_a_note():
    metadata = sa.MetaData()
    table = sa.Table("t", metadata, sa.Column("id", sa.Integer, primary_key=True))
    sa.event.listen(table, "after_create", sa.DDL("CREATE INDEX pg ON t (id)").execute_if(dialect="postgresql"))
    _, notes = mysql_declared(metadata, MARIADB, "sqlgen_version")
    assert notes == []  # a DDL() for another dialect is not run by create_all either
    sa.event.listen(table, "after_create", sa.DDL("INSERT INTO t VALUES (1)").execute_if(dialect="mysql"))
    sa.event.listen(table, "after_create", lambda target, connection, **kw: None)
    _, notes = mysql_declared(metadata, MARIADB, "sqlgen_version")
    assert notes == ["not run: 2 after_create listener(s) of table t; what they do when create_all makes it is not "
                     "in the migration (write it in a migration of its own: sqlgen generate --empty)"]


def test_a_primary_key_column_declared_nullable_is_not_null_as_the_server_makes_it():
    metadata = sa.MetaData()
    sa.Table("encryption", metadata, sa.Column("encryption_id", sa.String(36), primary_key=True, nullable=True))
    sa.Table("zone", metadata, sa.Column("name", sa.String(255), nullable=True), sa.PrimaryKeyConstraint("name"))
    schema, _ = mysql_declared(metadata, MARIADB, "sqlgen_version")
    assert not schema.table("encryption").column("encryption_id").nullable
    assert not schema.table("zone").column("name").nullable


NULLABLE_KEYS = '''
import sqlalchemy as sa
metadata = sa.MetaData()
sa.Table("encryption", metadata, sa.Column("encryption_id", sa.String(36), primary_key=True, nullable=True))
sa.Table("zone", metadata, sa.Column("name", sa.String(255), nullable=True), sa.PrimaryKeyConstraint("name"),
         sa.Column("kind", sa.String(10), nullable=True, primary_key=True))
quarantined = sa.Table("quarantined", metadata, sa.Column("id", sa.Integer, primary_key=True),
                       sa.Column("path", sa.String(1024)))

@sa.event.listens_for(sa.Table, "before_create")  # on every table, as rucio declares it
def shorten(target, connection, **kw):
    if connection.dialect.name == "mysql" and target.name == "quarantined":
        target.c.path.type = sa.String(255)
'''


@pytest.mark.mysql
def test_such_models_converge_from_create_all_and_from_empty(scratch, tmp_path, monkeypatch):
    import importlib
    import sys

    (tmp_path / "keys_and_listeners.py").write_text(NULLABLE_KEYS)
    monkeypatch.syspath_prepend(str(tmp_path))
    made = scratch.new()
    create_all(importlib.import_module("keys_and_listeners").metadata, made)
    sys.modules.pop("keys_and_listeners")  # sqlgen imports the models afresh, as in its own process
    out = Output()
    commands.generate(make_config(made, "keys_and_listeners:metadata", tmp_path / "m1"), "x", echo=out)
    assert out.lines == ["No changes detected"], out.text

    empty = scratch.new()
    config = make_config(empty, "keys_and_listeners:metadata", tmp_path / "m2")
    commands.generate(config, "x", echo=Output())
    commands.upgrade(config, echo=Output())
    again = Output()
    commands.generate(config, "again", echo=again)
    assert again.lines == ["No changes detected"], again.text
