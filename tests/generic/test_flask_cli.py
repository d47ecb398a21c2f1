"""`flask sqlgen ...` (sqlgen.flask_cli), run through Flask's own CLI as a user runs it: the app
found the Flask way, the URL and models from its Flask-SQLAlchemy db, SQLite in the instance
folder, settings from the app's config and the SqlGen extension, binds refused in one line."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from support import execute, url_text

APP = '''
    from flask import Flask
    from flask_sqlalchemy import SQLAlchemy

    db = SQLAlchemy()


    def create_app():
        app = Flask(__name__)
        app.config["SQLALCHEMY_DATABASE_URI"] = {uri!r}
        app.config.update({config})
        db.init_app(app)
        from . import models  # noqa: F401
        {extension}
        return app
'''
MODELS = '''
    from . import db


    class User(db.Model):
        id = db.Column(db.Integer, primary_key=True)
        name = db.Column(db.String(50), nullable=False)
        {more}
'''


def flask_binary() -> str:
    found = shutil.which("flask", path=os.path.dirname(sys.executable)) or shutil.which("flask")
    assert found, "Flask's CLI (flask) is not installed beside this Python"
    return found


def make_app(folder: Path, uri: str, config: str = "", extension: str = "", more: str = "") -> Path:
    package = folder / "blogapp"
    package.mkdir(parents=True, exist_ok=True)
    (package / "__init__.py").write_text(textwrap.dedent(APP).format(uri=uri, config=config or "{}",
                                                                     extension=extension))
    (package / "models.py").write_text(textwrap.dedent(MODELS).format(more=more))
    return folder


def flask(folder: Path, *args: str, app: str | None = "blogapp", env: dict | None = None):
    environment = {key: value for key, value in os.environ.items() if not key.startswith(("SQLGEN_", "FLASK_"))}
    environment.update(env or {})
    command = [flask_binary()] + (["--app", app] if app else []) + ["sqlgen", *args]
    result = subprocess.run(command, cwd=folder, capture_output=True, text=True, env=environment, timeout=120)
    assert "Traceback" not in result.stdout + result.stderr, result.stdout + result.stderr
    return result


def test_flask_sqlgen_runs_every_step_on_the_apps_sqlite_database_in_its_instance_folder(tmp_path):
    folder = make_app(tmp_path, "sqlite:///app.db")
    listed = flask(folder, "--help")
    for command in ("generate", "upgrade", "downgrade", "status", "history", "check", "lint", "sql", "stamp",
                    "verify", "rehash", "preflight", "current", "init"):
        assert f"  {command} " in listed.stdout, listed.stdout
    made = flask(folder, "generate", "-m", "users")
    assert made.returncode == 0, made.stderr
    assert "+ table user" in made.stdout and (folder / "migrations" / "0001_users.up.sql").exists()
    assert "Models:     blogapp (flask sqlgen: the app's db)" in (folder / "migrations" / "0001_users.up.sql").read_text()
    assert flask(folder, "upgrade").returncode == 0
    # Flask-SQLAlchemy's reading of a relative SQLite path: the instance folder, never ./app.db.
    assert (folder / "instance" / "app.db").exists() and not (folder / "app.db").exists()
    with sqlite3.connect(folder / "instance" / "app.db") as connection:
        assert [row[0] for row in connection.execute("SELECT version FROM sqlgen_version")] == [1]
    status = flask(folder, "status")
    assert status.returncode == 0 and "status:    up to date" in status.stdout, status.stdout
    assert flask(folder, "check").returncode == 0
    assert not (folder / "app.db").exists()

    # The models change; the next migration, its down file, and back.
    make_app(folder, "sqlite:///app.db", more="email = db.Column(db.String(80))")
    assert flask(folder, "generate", "-m", "email").returncode == 0
    assert flask(folder, "upgrade").returncode == 0
    assert flask(folder, "downgrade", "1").returncode == 0
    assert "pending:   1 (0002_email)" in flask(folder, "status").stdout


def test_the_app_is_found_through_flask_app_and_a_bad_app_is_one_line(tmp_path):
    folder = make_app(tmp_path, "sqlite:///app.db")
    found = flask(folder, "generate", "-m", "users", app=None, env={"FLASK_APP": "blogapp:create_app()"})
    assert found.returncode == 0, found.stderr
    (folder / "blogapp" / "models.py").write_text("from . import db\nraise RuntimeError('models are broken')\n")
    broken = flask(folder, "status")
    assert broken.returncode != 0 and "models are broken" in broken.stderr, broken.stderr


def test_settings_from_the_app_config_and_the_sqlgen_extension(tmp_path):
    folder = make_app(tmp_path, "sqlite:///app.db", config='{"SQLGEN_DIR": "db/migrations", '
                                                           '"SQLGEN_EXCLUDE": ["legacy_*"]}')
    (folder / "instance").mkdir()
    with sqlite3.connect(folder / "instance" / "app.db") as connection:
        connection.execute("CREATE TABLE legacy_orders (id INTEGER PRIMARY KEY)")
    made = flask(folder, "generate", "-m", "users")
    assert made.returncode == 0, made.stderr
    assert (folder / "db" / "migrations" / "0001_users.up.sql").exists()
    assert "note: excluded: table legacy_orders" in made.stdout and "legacy_orders" not in (
        folder / "db" / "migrations" / "0001_users.down.sql").read_text()

    # The extension's settings, in the style of Migrate(app, db); the option still wins.
    other = make_app(tmp_path / "other", "sqlite:///app.db", extension=(
        "from sqlgen.flask_cli import SqlGen\n    SqlGen(app, db, directory='schema', version_table='schema_log')"))
    assert flask(other, "generate", "-m", "users").returncode == 0
    assert (other / "schema" / "0001_users.up.sql").exists()
    assert flask(other, "upgrade").returncode == 0
    with sqlite3.connect(other / "instance" / "app.db") as connection:
        assert [row[0] for row in connection.execute("SELECT version FROM schema_log")] == [1]
    assert flask(other, "--dir", "elsewhere", "generate", "--empty", "-m", "x").returncode == 0
    assert (other / "elsewhere" / "0001_x.up.sql").exists()


ENTRY = ("\n\nclass Entry(db.Model):\n    __bind_key__ = 'logs'\n    id = db.Column(db.Integer, primary_key=True)\n"
         "    what = db.Column(db.String(200))")


def tables_of(path: Path) -> list[str]:
    with sqlite3.connect(path) as connection:
        return sorted(row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'"))


def test_every_bind_gets_its_own_folder_tracking_table_and_database(tmp_path):
    folder = make_app(tmp_path, "sqlite:///app.db", more=ENTRY,
                      config='{"SQLALCHEMY_BINDS": {"logs": "sqlite:///logs.db", "unused": "sqlite:///unused.db"}}')
    made = flask(folder, "generate", "-m", "start")
    assert made.returncode == 0, made.stderr
    assert "== default ==" in made.stdout and "== bind logs ==" in made.stdout, made.stdout
    assert "note: bind unused: no model uses it; sqlgen leaves its database alone" in made.stderr
    assert (folder / "migrations" / "0001_start.up.sql").exists()
    assert "CREATE TABLE \"entry\"" in (folder / "migrations" / "logs" / "0001_start.up.sql").read_text()
    assert "entry" not in (folder / "migrations" / "0001_start.up.sql").read_text()
    assert flask(folder, "upgrade").returncode == 0
    instance = folder / "instance"
    assert tables_of(instance / "app.db") == ["sqlgen_version", "user"]
    assert tables_of(instance / "logs.db") == ["entry", "sqlgen_version"]
    assert not (instance / "unused.db").exists() or tables_of(instance / "unused.db") == []
    status = flask(folder, "status")
    assert status.stdout.count("status:    up to date") == 2, status.stdout
    assert flask(folder, "check").returncode == 0

    # One database by name; a command that must not guess asks for it.
    only = flask(folder, "--bind", "logs", "status")
    assert "== " not in only.stdout and "logs.db" in only.stdout, only.stdout
    refused = flask(folder, "downgrade", "base")
    assert refused.returncode == 1 and "name the database downgrade acts on with flask sqlgen --bind NAME" in \
        refused.stderr, refused.stderr
    assert flask(folder, "--bind", "logs", "downgrade", "base").returncode == 0
    assert tables_of(instance / "logs.db") == ["sqlgen_version"] and "user" in tables_of(instance / "app.db")
    assert flask(folder, "--bind", "default", "downgrade", "-1").returncode == 0  # a target, not an option
    assert tables_of(instance / "app.db") == ["sqlgen_version"]
    assert flask(folder, "check").returncode == 1  # both behind their models again
    assert flask(folder, "upgrade").returncode == 0 and flask(folder, "check").returncode == 0
    unknown = flask(folder, "--bind", "nope", "status")
    assert unknown.returncode == 1 and "the app has no such bind; its databases are default, logs, unused" in \
        unknown.stderr, unknown.stderr


def test_two_of_the_apps_databases_in_one_are_refused(tmp_path):
    folder = make_app(tmp_path, "sqlite:///app.db", more=ENTRY, config='{"SQLALCHEMY_BINDS": {"logs": "sqlite:///app.db"}}')
    refused = flask(folder, "generate", "-m", "start")
    assert refused.returncode == 1 and "the app's databases default and logs are one database" in refused.stderr, \
        refused.stderr
    assert not (folder / "migrations").exists()


def test_an_app_without_flask_sqlalchemy_is_one_line(tmp_path):
    package = tmp_path / "bare"
    package.mkdir()
    (package / "__init__.py").write_text("from flask import Flask\n\ndef create_app():\n    return Flask(__name__)\n")
    refused = flask(tmp_path, "status", app="bare")
    assert refused.returncode == 1 and "has no Flask-SQLAlchemy extension" in refused.stderr, refused.stderr


@pytest.mark.mysql
def test_flask_sqlgen_on_mariadb_with_another_driver_and_engine_options_in_the_url(scratch_db, tmp_path,
                                                                                 run_client):
    uri = url_text(scratch_db).replace("mysql+pymysql://", "mysql+mysqldb://") + "?charset=utf8mb4&pool_recycle=280"
    folder = make_app(tmp_path, uri)
    (folder / "blogapp" / "__init__.py").write_text((folder / "blogapp" / "__init__.py").read_text().replace(
        "    db.init_app(app)", "    app.config['SQLALCHEMY_ENGINE_OPTIONS'] = {'module': __import__('pymysql')}\n"
                               "    db.init_app(app)"))
    made = flask(folder, "generate", "-m", "users")
    assert made.returncode == 0, made.stderr
    assert "note: the app's URL names the driver mysqldb; sqlgen connects through PyMySQL" in made.stderr
    assert "note: ignored the option(s) pool_recycle of the app's URL" in made.stderr
    run_client(scratch_db, folder / "migrations" / "0001_users.up.sql")  # by hand, as a DBA would
    status = flask(folder, "status")
    assert "status:    up to date" in status.stdout, status.stdout + status.stderr
    assert execute(scratch_db, "SELECT version, state FROM sqlgen_version")[0] == [(1, "applied")]
    assert scratch_db.password is None or scratch_db.password not in made.stdout + made.stderr


def test_flask_sqlgen_edges_a_user_meets(tmp_path):
    # A command's help needs no loadable app.
    assert flask(tmp_path, "generate", "--help", app="nowhere").returncode == 0
    # init makes the folder only: the app gives the database and the models.
    folder = make_app(tmp_path / "a", "sqlite:///app.db")
    made = flask(folder, "init")
    assert made.returncode == 0 and (folder / "migrations").is_dir() and not (folder / "sqlgen.toml").exists()
    # An app that fails to load: one line, its secret masked.
    broken = make_app(tmp_path / "b", "sqlite:///app.db")
    (broken / "blogapp" / "models.py").write_text("raise RuntimeError('cannot reach mysql://u:s3cretpw@h/db')\n")
    failed = flask(broken, "status")
    lines = [line for line in failed.stderr.splitlines() if line.strip()]
    assert failed.returncode == 1 and len(lines) == 1 and "s3cretpw" not in failed.stderr, failed.stderr
    # App config read as settings: a false given as text is false, a bad exclude is one line.
    quiet = make_app(tmp_path / "c", "sqlite:///app.db", config='{"SQLGEN_VERIFY": "false"}')
    assert "Verified" not in flask(quiet, "generate", "-m", "users").stdout
    bad = make_app(tmp_path / "d", "sqlite:///app.db", config='{"SQLGEN_EXCLUDE": [1, 2]}')
    refused = flask(bad, "generate", "-m", "users")
    assert refused.returncode == 1 and "exclude is a list of glob patterns" in refused.stderr, refused.stderr
    # An in-memory database: refused, no file made.
    memory = make_app(tmp_path / "e", "sqlite:///:memory:")
    gone = flask(memory, "upgrade")
    assert gone.returncode == 1 and "in-memory SQLite database" in gone.stderr, gone.stderr
    assert not any(path.name.startswith(":") for path in memory.iterdir())


def test_the_environment_url_wins_over_the_apps_and_tls_options_are_never_dropped(tmp_path):
    folder = make_app(tmp_path, "mysql+mysqldb://u@127.0.0.1/db?ssl_mode=REQUIRED")
    (folder / "blogapp" / "__init__.py").write_text((folder / "blogapp" / "__init__.py").read_text().replace(
        "    db.init_app(app)", "    app.config['SQLALCHEMY_ENGINE_OPTIONS'] = {'module': __import__('pymysql')}\n"
                               "    db.init_app(app)"))
    refused = flask(folder, "generate", "--dry-run")
    assert refused.returncode == 1 and "has the option 'ssl_mode', which sqlgen does not take" in refused.stderr, \
        refused.stderr
    own = tmp_path / "own.db"
    chosen = flask(folder, "generate", "-m", "users", env={"SQLGEN_URL": f"sqlite:///{own}"})
    assert chosen.returncode == 0, chosen.stderr
    assert 'CREATE TABLE "user"' in next((folder / "migrations").glob("0001_*.up.sql")).read_text()


def test_the_environment_applies_to_binds_but_for_the_default_databases_url_and_models(tmp_path):
    folder = make_app(tmp_path, "sqlite:///app.db", more=ENTRY, config='{"SQLALCHEMY_BINDS": {"logs": "sqlite:///logs.db"}}')
    (folder / "instance").mkdir()
    with sqlite3.connect(folder / "instance" / "logs.db") as connection:
        connection.execute("CREATE TABLE legacy_old (id INTEGER PRIMARY KEY)")
    made = flask(folder, "--bind", "logs", "generate", "--dry-run", env={"SQLGEN_EXCLUDE": "legacy_*"})
    assert made.returncode == 0 and "legacy_old" not in made.stdout.split("note:")[-1].split("\n", 1)[-1], made.stdout
    assert 'DROP TABLE "legacy_old"' not in made.stdout


def test_an_unknown_sqlgen_key_in_the_app_config_is_one_line(tmp_path):
    folder = make_app(tmp_path, "sqlite:///app.db", config='{"SQLGEN_EXCLUDES": ["legacy_*"]}')
    refused = flask(folder, "status")
    assert refused.returncode == 1 and "the app's config has SQLGEN_EXCLUDES, which is no sqlgen setting" in \
        refused.stderr, refused.stderr


@pytest.mark.parametrize("logs", ["sqlite:///app.db", "sqlite:///./app.db", "sqlite:///../instance/app.db"])
def test_one_database_named_two_ways_is_still_one(tmp_path, logs):
    folder = make_app(tmp_path, "sqlite:///app.db", more=ENTRY, config='{"SQLALCHEMY_BINDS": {"logs": "%s"}}' % logs)
    refused = flask(folder, "generate", "-m", "start")
    assert refused.returncode == 1 and "the app's databases default and logs are one database" in refused.stderr, \
        refused.stderr


def test_a_bind_must_name_a_folder_and_a_bind_with_tls_connect_args_is_refused(tmp_path):
    odd = make_app(tmp_path / "a", "sqlite:///app.db", config='{"SQLALCHEMY_BINDS": {"../out": "sqlite:///o.db"}}')
    refused = flask(odd, "status")
    assert refused.returncode == 1 and "cannot name a migrations folder" in refused.stderr, refused.stderr
    secure = make_app(tmp_path / "b", "sqlite:///app.db", more=ENTRY, config=(
        '{"SQLALCHEMY_BINDS": {"logs": {"url": "sqlite:///logs.db", "connect_args": {"ssl": {"ca": "/x"}}}}}'))
    refused = flask(secure, "--bind", "logs", "status")
    assert refused.returncode == 1 and "connect_args 'ssl'" in refused.stderr, refused.stderr


def test_json_with_binds_keeps_stdout_to_the_documents(tmp_path):
    import json

    folder = make_app(tmp_path, "sqlite:///app.db", more=ENTRY, config='{"SQLALCHEMY_BINDS": {"logs": "sqlite:///logs.db"}}')
    assert flask(folder, "generate", "-m", "start").returncode == 0
    assert flask(folder, "upgrade").returncode == 0
    status = flask(folder, "status", "--json")
    documents = [json.loads(line) for line in status.stdout.splitlines() if line.strip()]
    assert len(documents) == 2 and all(document["up_to_date"] for document in documents), status.stdout
    assert "== bind logs ==" in status.stderr
