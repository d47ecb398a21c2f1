"""The command line through click's CliRunner: help, output and every bad input.

Bad input must give one line saying what is wrong and what to do, exit code 1,
no traceback (unless -v) and never the password.
"""

from __future__ import annotations

import os
import textwrap
import uuid
from pathlib import Path

import pytest
from click.testing import CliRunner

from sqlgen import __version__
from sqlgen.cli import main
from support import engine_for, url_text

MODELS = """
    import sqlalchemy as sa
    metadata = sa.MetaData()
    sa.Table("user", metadata, sa.Column("id", sa.Integer, primary_key=True), sa.Column("name", sa.String(50)))
    """
PASSWORD = "s3cret-Pw"
MISSING_DATABASE = "sqlgen_test_no_such_database"


@pytest.fixture
def project(tmp_path, monkeypatch):
    """A project folder with a models module, as the current directory."""
    monkeypatch.chdir(tmp_path)
    for variable in ("SQLGEN_URL", "SQLGEN_MODELS", "SQLGEN_DIR"):
        monkeypatch.delenv(variable, raising=False)
    (tmp_path / "app_models.py").write_text(textwrap.dedent(MODELS))
    return tmp_path


def invoke(*args):
    return CliRunner().invoke(main, list(args))


def assert_clean_error(result, message: str):
    assert result.exit_code == 1, result.output
    lines = [line for line in result.output.splitlines() if line]
    assert len(lines) == 1, result.output
    assert lines[0].startswith("Error: ") and message in lines[0], lines[0]
    assert "Traceback" not in result.output
    assert PASSWORD not in result.output


COMMANDS = ["generate", "upgrade", "downgrade", "current", "history", "status", "stamp", "sql", "verify", "rehash",
            "preflight", "baseline", "renumber"]


@pytest.mark.parametrize("args", [["--help"], ["-h"], *[[command, "--help"] for command in COMMANDS]])
def test_help(args):
    result = invoke(*args)
    assert result.exit_code == 0
    assert "Usage: " in result.output


def test_every_command_is_listed_and_documented():
    listed = invoke("--help").output
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    for command in COMMANDS:
        assert f"  {command} " in listed
        assert f"### `sqlgen {command}" in readme, f"README lacks a section for {command}"


def test_help_lists_the_options_and_commands():
    result = invoke("--help")
    for word in ("--url", "--models", "--dir", "--verbose", "generate"):
        assert word in result.output
    generate_help = invoke("generate", "--help").output
    for word in ("--message", "--dry-run", "--empty"):
        assert word in generate_help


def test_version():
    result = invoke("--version")
    assert result.exit_code == 0 and __version__ in result.output


@pytest.mark.mysql
def test_generate_writes_the_pair_and_summarises(project, scratch_db):
    result = invoke("--url", url_text(scratch_db), "--models", "app_models:metadata", "generate", "-m", "create user")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "+ table user",
        "Wrote migrations/0001_create_user.up.sql",
        "Wrote migrations/0001_create_user.down.sql",
    ]
    assert "CREATE TABLE `user`" in (project / "migrations" / "0001_create_user.up.sql").read_text()


@pytest.mark.mysql
def test_generate_reads_the_config_file_and_environment(project, scratch_db, monkeypatch):
    (project / "sqlgen.toml").write_text('models = "app_models:metadata"\ndirectory = "db"\n')
    monkeypatch.setenv("SQLGEN_URL", url_text(scratch_db))
    result = invoke("generate", "-m", "first", "--dry-run")
    assert result.exit_code == 0, result.output
    assert "CREATE TABLE `user`" in result.output and not (project / "db").exists()


@pytest.mark.mysql
def test_no_changes_detected(project, scratch_db):
    engine = engine_for(scratch_db)
    with engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE user (id INT NOT NULL AUTO_INCREMENT PRIMARY KEY, name VARCHAR(50))")
    engine.dispose()
    result = invoke("--url", url_text(scratch_db), "--models", "app_models:metadata", "generate", "-m", "x")
    assert result.exit_code == 0
    assert result.output == "No changes detected\n"
    assert not (project / "migrations").exists()


def test_missing_url(project):
    assert_clean_error(invoke("--models", "app_models:metadata", "generate"), "no database URL")


@pytest.mark.mysql
def test_unreachable_server_names_host_and_database(project, mysql_server):
    url = f"mysql+pymysql://root:{PASSWORD}@127.0.0.1:1/blogdb"
    result = invoke("--url", url, "--models", "app_models:metadata", "generate")
    assert_clean_error(result, "cannot connect to 127.0.0.1:1 (database 'blogdb'): cannot reach the server")


@pytest.mark.mysql
def test_wrong_password(project, mysql_server):
    url = mysql_server.set(password=PASSWORD, database="anydb")
    result = invoke("--url", url_text(url), "--models", "app_models:metadata", "generate")
    host = f"{mysql_server.host}:{mysql_server.port or 3306}" if mysql_server.port else mysql_server.host
    assert_clean_error(result, f"cannot connect to {host} (database 'anydb'): access denied")


@pytest.fixture
def password_user(scratch_db):
    """A throwaway account with a password, allowed on the scratch database only."""
    name = f"sqlgen_test_{uuid.uuid4().hex[:8]}"
    admin = engine_for(scratch_db)
    with admin.begin() as connection:
        connection.exec_driver_sql(f"CREATE USER '{name}'@'%%' IDENTIFIED BY '{PASSWORD}'")
        connection.exec_driver_sql(f"GRANT ALL ON `{scratch_db.database}`.* TO '{name}'@'%%'")
        # Allowed on a database that does not exist, so the server says "unknown database".
        connection.exec_driver_sql(f"GRANT ALL ON `{MISSING_DATABASE}`.* TO '{name}'@'%%'")
    yield scratch_db.set(username=name, password=PASSWORD)
    with admin.begin() as connection:
        connection.exec_driver_sql(f"DROP USER '{name}'@'%%'")
    admin.dispose()


@pytest.mark.mysql
def test_unknown_database(project, password_user):
    url = password_user.set(database=MISSING_DATABASE)
    result = invoke("--url", url_text(url), "--models", "app_models:metadata", "generate")
    assert_clean_error(result, f"(database '{MISSING_DATABASE}'): unknown database; create it first")


@pytest.mark.mysql
def test_password_user_works_and_is_never_printed(project, password_user):
    result = invoke("--url", url_text(password_user), "--models", "app_models:metadata", "generate", "--dry-run")
    assert result.exit_code == 0, result.output
    assert PASSWORD not in result.output


def test_invalid_url_is_masked(project):
    result = invoke("--url", f"mysql+pymysql://root:{PASSWORD}@host:notaport/db", "--models", "m:x", "generate")
    assert_clean_error(result, "invalid database URL 'mysql+pymysql://root:***@host:notaport/db'")


def test_unsupported_backend(project):
    result = invoke("--url", f"postgresql://u:{PASSWORD}@h/db", "--models", "app_models:metadata", "generate")
    assert_clean_error(result, "unsupported database 'postgresql'")


def test_models_module_that_fails_to_import(project):
    (project / "broken_models.py").write_text("import sqlalchemy\nraise ValueError('DATABASE_URL is not set')\n")
    result = invoke("--url", f"mysql+pymysql://root:{PASSWORD}@127.0.0.1/x", "--models", "broken_models:Base",
                    "generate")
    assert_clean_error(result, "cannot import models module 'broken_models': ValueError: DATABASE_URL is not set")
    assert "broken_models.py, line 2" in result.output


def test_missing_attribute_lists_candidates(project):
    result = invoke("--url", f"mysql+pymysql://root:{PASSWORD}@127.0.0.1/x", "--models", "app_models:Base",
                    "generate")
    assert_clean_error(result, "module 'app_models' has no attribute 'Base'; candidates: metadata (MetaData)")


@pytest.mark.mysql
def test_construct_that_cannot_be_rendered_names_table_and_column(project, scratch_db):
    (project / "bad_models.py").write_text(textwrap.dedent("""
        import sqlalchemy as sa
        metadata = sa.MetaData()
        sa.Table("user", metadata, sa.Column("id", sa.Integer, primary_key=True), sa.Column("nick", sa.String()))
        """))
    url = url_text(scratch_db)
    result = invoke("--url", url, "--models", "bad_models:metadata", "generate")
    assert_clean_error(result, "cannot render user.nick: VARCHAR requires a length on dialect mysql")


def test_verbose_shows_the_traceback(project):
    result = invoke("-v", "--models", "app_models:metadata", "generate")
    assert result.exit_code == 1
    assert "Traceback" in result.output and "no database URL" in result.output


def test_empty_needs_no_database(project):
    result = invoke("--url", "mysql+pymysql://nobody@127.0.0.1:1/x", "generate", "--empty", "-m", "backfill")
    assert result.exit_code == 0, result.output
    text = (project / "migrations" / "0001_backfill.up.sql").read_text()
    assert "-- Dialect:    mysql" in text and "Write the statements of this migration here" in text


@pytest.mark.mysql
def test_runner_commands_through_the_cli(project, scratch_db):
    migrations = project / "migrations"
    migrations.mkdir()
    (migrations / "0001_first.up.sql").write_text("CREATE TABLE first (id int PRIMARY KEY);\n")
    (migrations / "0001_first.down.sql").write_text("DROP TABLE first;\n")
    (migrations / "0002_second.up.sql").write_text("CREATE TABLE second (id int PRIMARY KEY);\n")
    (migrations / "0002_second.down.sql").write_text("DROP TABLE second;\n")
    url = url_text(scratch_db)
    status = invoke("--url", url, "status")
    assert status.exit_code == 1 and "pending:   2 (0001_first, 0002_second)" in status.output
    result = invoke("--url", url, "upgrade", "1")
    assert result.exit_code == 0 and result.output.startswith("applied 0001_first (1 statement, ")
    assert invoke("--url", url, "current").output == "1 0001_first\n"
    history = invoke("--url", url, "history").output.splitlines()
    assert history[1].split()[:3] == ["0001", "0001_first", "applied"] and history[2].split()[2] == "pending"
    script = invoke("--url", url, "sql")
    assert script.exit_code == 0 and "CREATE TABLE second" in script.output and "CREATE TABLE first" not in script.output
    offline = invoke("--url", "mysql+pymysql://nobody@127.0.0.1:1/x", "sql", "--offline", "2:0")
    assert offline.exit_code == 0 and offline.output.index("DROP TABLE second") < offline.output.index("DROP TABLE first")
    assert invoke("--url", url, "upgrade").exit_code == 0
    assert invoke("--url", url, "verify").exit_code == 0
    assert invoke("--url", url, "status").exit_code == 0
    assert invoke("--url", url, "downgrade", "-1").output.startswith("reverted 0002_second")
    assert invoke("--url", url, "stamp", "head").exit_code == 0
    assert invoke("--url", url, "current").output == "2 0002_second\n"
    (migrations / "0002_second.up.sql").write_text("CREATE TABLE second (id bigint PRIMARY KEY);\n")
    verify = invoke("--url", url, "verify")
    assert verify.exit_code == 1 and "changed since applied: migrations/0002_second.up.sql" in verify.output
    rehash = invoke("rehash", "1")
    assert rehash.exit_code == 0 and "updated migrations/0001_first.up.sql" in rehash.output
    assert "-- sqlgen:tracking begin" in (migrations / "0001_first.up.sql").read_text()


def test_an_unencoded_at_sign_in_the_password_is_explained_not_leaked(project):
    result = invoke("--url", "mysql+pymysql://root:Sek@r1tPW@127.0.0.1:3306/db", "current")
    assert_clean_error(result, "it has more than one '@'; write an '@' inside the password as %40")
    assert "r1tPW" not in result.output and "Sek" not in result.output


def test_the_console_command_keeps_exit_codes_and_output_while_leaving_at_once(tmp_path):
    """`sqlgen` skips Python's slow teardown (os._exit), so it must flush and pass the code on itself."""
    import subprocess
    import sys

    env = {key: value for key, value in os.environ.items() if not key.startswith("SQLGEN_")}
    ok = subprocess.run([sys.executable, "-m", "sqlgen", "--help"], cwd=tmp_path, env=env,
                        capture_output=True, text=True)
    assert ok.returncode == 0 and "Usage:" in ok.stdout and "generate" in ok.stdout
    bad = subprocess.run([sys.executable, "-m", "sqlgen", "current"], cwd=tmp_path, env=env,
                         capture_output=True, text=True)
    assert bad.returncode == 1
    assert bad.stderr.strip() == 'Error: no database URL: pass --url, set SQLGEN_URL, or add url = "..." to sqlgen.toml'
    usage = subprocess.run([sys.executable, "-m", "sqlgen", "nonsense"], cwd=tmp_path, env=env,
                           capture_output=True, text=True)
    assert usage.returncode == 2 and "No such command 'nonsense'" in usage.stderr


def test_the_console_command_still_runs_exit_handlers(tmp_path):
    """Leaving with os._exit must not lose what others registered (coverage data, a models module's handlers)."""
    import subprocess
    import sys

    script = ("import atexit, sys\natexit.register(print, 'handler ran')\n"
              "from sqlgen.cli import console\nsys.argv = ['sqlgen', '--version']\nconsole()\n")
    result = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True)
    assert result.returncode == 0
    assert result.stdout.splitlines()[-1] == "handler ran"


SQLITE = "sqlite:///app.db"
UPGRADE_TARGETS = "use a version number, head or +N (the next N)"
DOWNGRADE_TARGETS = "use a version number, base (or 0) or -N (undo the last N)"
VERSIONS = "use a number, head or base"


@pytest.fixture
def applied(project):
    """The project with two SQLite migrations, the first one applied."""
    migrations = project / "migrations"
    migrations.mkdir()
    for version, table in ((1, "first"), (2, "second")):
        (migrations / f"000{version}_{table}.up.sql").write_text(f"CREATE TABLE {table} (id INTEGER PRIMARY KEY);\n")
        (migrations / f"000{version}_{table}.down.sql").write_text(f"DROP TABLE {table};\n")
    assert invoke("--url", SQLITE, "upgrade", "1").exit_code == 0
    return project


def test_preflight_on_sqlite_checks_the_pending_file_and_exits_0(applied):
    result = invoke("--url", SQLITE, "preflight")
    assert result.exit_code == 0, result.output
    assert result.output == "Preflight: 0 of 0 check(s) fail in 1 pending file(s)\n"
    assert invoke("--url", SQLITE, "current").output == "1 0001_first\n"  # nothing applied


@pytest.mark.parametrize("args, message", [
    # A target of the other command: the error lists only this command's targets.
    (["downgrade", "HEAD"], f"cannot read the target 'head' of sqlgen downgrade: {DOWNGRADE_TARGETS}"),
    (["downgrade", "+1"], f"cannot read the target '+1' of sqlgen downgrade: {DOWNGRADE_TARGETS}"),
    (["upgrade", "base"], f"cannot read the target 'base' of sqlgen upgrade: {UPGRADE_TARGETS}"),
    (["preflight", "base"], f"cannot read the target 'base' of sqlgen upgrade: {UPGRADE_TARGETS}"),
    # Digits of other scripts: str.isdigit() takes them, int() reads '١' as 1 and fails on '²'.
    (["upgrade", "\u0662"], f"cannot read the target '\u0662' of sqlgen upgrade: {UPGRADE_TARGETS}"),
    (["upgrade", "\u00b2"], f"cannot read the target '\u00b2' of sqlgen upgrade: {UPGRADE_TARGETS}"),
    (["upgrade", "+\u0661"], f"cannot read the target '+\u0661' of sqlgen upgrade: {UPGRADE_TARGETS}"),
    (["downgrade", "\u0660"], f"cannot read the target '\u0660' of sqlgen downgrade: {DOWNGRADE_TARGETS}"),
    (["downgrade", "-\u00b9"], f"cannot read the target '-\u00b9' of sqlgen downgrade: {DOWNGRADE_TARGETS}"),
    (["stamp", "\u0662"], f"cannot read the version '\u0662': {VERSIONS}"),
    (["stamp", "\u00b2"], f"cannot read the version '\u00b2': {VERSIONS}"),
    (["sql", "1:\u0662"], f"cannot read the version '\u0662': {VERSIONS}"),
    (["sql", "\u0661:2"], f"cannot read the version '\u0661': {VERSIONS}"),
])
def test_a_target_the_command_cannot_take_is_one_line_and_changes_nothing(applied, args, message):
    result = invoke("--url", SQLITE, *args)
    assert_clean_error(result, message)
    assert result.output == f"Error: {message}\n"
    assert invoke("--url", SQLITE, "current").output == "1 0001_first\n"


@pytest.mark.parametrize("setting, rename", [
    ("", "legacy:sqlgen_version"),
    ("", "legacy:SQLGEN_Version"),
    ('version_table = "schema_log"\n', "legacy:Schema_LOG"),
])
def test_a_table_renamed_onto_the_tracking_table_is_refused(project, setting, rename):
    import sqlite3

    (project / "sqlgen.toml").write_text(f'url = "{SQLITE}"\nmodels = "app_models:metadata"\n' + setting)
    connection = sqlite3.connect(project / "app.db")
    connection.execute("CREATE TABLE legacy (id INTEGER PRIMARY KEY)")
    connection.close()
    new = rename.split(":")[1]
    result = invoke("generate", "-m", "rename", "--rename", rename)
    assert_clean_error(result, f"--rename {rename}: {new!r} is the tracking table sqlgen records migrations in "
                               "(the version_table setting); rename the table to another name")
    assert not (project / "migrations").exists()


def test_a_model_table_named_like_the_tracking_table_in_another_letter_case_is_refused(project):
    (project / "case_models.py").write_text(
        "import sqlalchemy as sa\nmetadata = sa.MetaData()\n"
        "sa.Table('SQLGEN_Version', metadata, sa.Column('id', sa.Integer, primary_key=True))\n")
    result = invoke("--url", SQLITE, "--models", "case_models:metadata", "generate", "-m", "clash")
    assert_clean_error(result, "the models declare a table named 'SQLGEN_Version', which sqlgen uses to track "
                               "migrations; set version_table to another name in the config")
    assert not (project / "migrations").exists()


@pytest.mark.parametrize("command", ["upgrade", "downgrade"])
def test_resume_options_are_refused_in_one_line_where_nothing_stopped(project, command):
    """--resume-at/--resume-after settle a file that stopped at a statement in doubt: with none,
    one line says so (a SQLite database: no server needed); both at once is a usage error."""
    url = f"sqlite:///{project / 'app.db'}"
    migrations = project / "migrations"
    migrations.mkdir()
    (migrations / "DIALECT").write_text("sqlite\n")
    (migrations / "0001_t.up.sql").write_text("CREATE TABLE t (id INTEGER PRIMARY KEY);\n")
    (migrations / "0001_t.down.sql").write_text("DROP TABLE t;\n")
    assert invoke("--url", url, "--dir", str(migrations), "upgrade").exit_code == 0
    target = "head" if command == "upgrade" else "base"
    assert_clean_error(invoke("--url", url, "--dir", str(migrations), command, target, "--resume-at", "2"),
                       "--resume-at applies to a")
    both = invoke("--url", url, "--dir", str(migrations), command, target, "--resume-at", "1", "--resume-after", "1")
    assert both.exit_code == 2 and "use --resume-at or --resume-after, not both" in both.output
    assert invoke("--url", url, "--dir", str(migrations), command, "--help").output.count("--resume-a") == 2


def test_generate_refuses_to_write_a_migration_while_another_is_not_applied(project):
    """A second generate before upgrade would write the same change twice."""
    import sqlite3

    sqlite3.connect(project / "app.db").close()  # the app's database, empty
    url = f"sqlite:///{project / 'app.db'}"
    first = invoke("--url", url, "--models", "app_models:metadata", "generate", "-m", "users")
    assert first.exit_code == 0, first.output
    again = invoke("--url", url, "--models", "app_models:metadata", "generate", "-m", "users again")
    assert_clean_error(again, "0001_users is not applied to this database yet; generate compares the models with "
                              "the database, so the new migration would make the same changes again. Run sqlgen "
                              "upgrade first")
    anyway = invoke("--url", url, "--models", "app_models:metadata", "generate", "--allow-pending", "-m", "again")
    assert anyway.exit_code == 0 and (project / "migrations" / "0002_again.up.sql").exists(), anyway.output
    for path in (project / "migrations").glob("0002_*"):
        path.unlink()
    assert sorted(p.name for p in (project / "migrations").glob("*.sql")) == ["0001_users.down.sql",
                                                                           "0001_users.up.sql"]
    assert invoke("--url", url, "upgrade").exit_code == 0
    after = invoke("--url", url, "--models", "app_models:metadata", "generate", "-m", "nothing")
    assert after.exit_code == 0 and "No changes detected" in after.output


def test_generate_refuses_models_that_declare_no_table_against_a_database_that_has_some(project):
    """A models module whose model modules were never imported: the migration would drop everything."""
    url = f"sqlite:///{project / 'app.db'}"
    assert invoke("--url", url, "--models", "app_models:metadata", "generate", "-m", "users").exit_code == 0
    assert invoke("--url", url, "upgrade").exit_code == 0
    (project / "empty_models.py").write_text("import sqlalchemy as sa\nmetadata = sa.MetaData()\n")
    refused = invoke("--url", url, "--models", "empty_models:metadata", "generate", "-m", "oops")
    assert_clean_error(refused, "the models (empty_models:metadata) declare no table (or exclude leaves none of "
                                "theirs): the migration would drop user. No models were imported?")
    assert len(list((project / "migrations").glob("*.sql"))) == 2
    allowed = invoke("--url", url, "--models", "empty_models:metadata", "generate", "--allow-drop-all", "-m", "drop")
    assert allowed.exit_code == 0 and "- table user" in allowed.output, allowed.output


def test_generate_refuses_a_migration_that_drops_more_than_half_of_the_tables(project):
    import sqlite3

    path = project / "app.db"
    with sqlite3.connect(path) as connection:
        for name in ("a", "b", "c"):
            connection.execute(f"CREATE TABLE {name} (id INTEGER PRIMARY KEY)")
    url = f"sqlite:///{path}"
    assert invoke("--url", url, "baseline").exit_code == 0
    (project / "one_left.py").write_text('import sqlalchemy as sa\nmetadata = sa.MetaData()\n'
                                         'sa.Table("a", metadata, sa.Column("id", sa.Integer, primary_key=True))\n')
    refused = invoke("--url", url, "--models", "one_left:metadata", "generate", "-m", "drop two")
    assert_clean_error(refused, "would drop 2 of the database's 3 tables: the migration would drop b, c")
    allowed = invoke("--url", url, "--models", "one_left:metadata", "generate", "--allow-drop-all", "-m", "drop two")
    assert allowed.exit_code == 0 and "- table b" in allowed.output, allowed.output
    for path in (project / "migrations").glob("0002_*"):
        path.unlink()
    # One of three is not more than half: no refusal.
    (project / "two_left.py").write_text('import sqlalchemy as sa\nmetadata = sa.MetaData()\n' + "".join(
        f'sa.Table("{name}", metadata, sa.Column("id", sa.Integer, primary_key=True))\n' for name in ("a", "b")))
    kept = invoke("--url", url, "--models", "two_left:metadata", "generate", "-m", "drop c")
    assert kept.exit_code == 0 and "- table c" in kept.output, kept.output


def test_baseline_on_a_sqlite_database_then_generate_finds_nothing(project):
    import sqlite3

    path = project / "app.db"
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE user (id INTEGER NOT NULL PRIMARY KEY, name VARCHAR(50))")
        connection.execute("INSERT INTO user VALUES (1, 'ann')")
    url = f"sqlite:///{path}"
    made = invoke("--url", url, "baseline")
    assert made.exit_code == 0, made.output
    assert "Recorded version 1 (0001_existing_schema) as applied without running it" in made.output
    status = invoke("--url", url, "status")
    assert "status:    up to date" in status.output, status.output
    again = invoke("--url", url, "--models", "app_models:metadata", "generate", "-m", "x")
    assert again.exit_code == 0 and "No changes detected" in again.output, again.output
    assert_clean_error(invoke("--url", url, "baseline"), "already holds migrations (0001_existing_schema)")
    with sqlite3.connect(path) as connection:
        assert connection.execute("SELECT * FROM user").fetchall() == [(1, "ann")]


def test_check_and_generate_never_create_a_sqlite_file_that_does_not_exist(project):
    url = f"sqlite:///{project / 'new.db'}"
    checked = invoke("--url", url, "--models", "app_models:metadata", "check")
    assert checked.exit_code == 1 and "does not exist yet: compared as an empty database" in checked.output
    assert invoke("--url", url, "--models", "app_models:metadata", "generate", "--dry-run").exit_code == 0
    assert not (project / "new.db").exists()
    assert invoke("--url", url, "--models", "app_models:metadata", "generate", "-m", "users").exit_code == 0
    assert not (project / "new.db").exists()
    assert invoke("--url", url, "upgrade").exit_code == 0 and (project / "new.db").exists()


def test_generate_refuses_when_the_database_records_a_migration_the_folder_does_not_hold(project):
    """Another branch's 0002 applied to the database: a new 0002 here would take its number, and a
    stamp would then record a migration that never ran."""
    url = f"sqlite:///{project / 'app.db'}"
    assert invoke("--url", url, "--models", "app_models:metadata", "generate", "-m", "users").exit_code == 0
    assert invoke("--url", url, "upgrade").exit_code == 0
    other = project / "other_branch"
    other.mkdir()
    for path in (project / "migrations").iterdir():
        (other / path.name).write_text(path.read_text())
    assert invoke("--url", url, "--dir", str(other), "generate", "--empty", "-m", "tags").exit_code == 0
    assert invoke("--url", url, "--dir", str(other), "upgrade").exit_code == 0
    (project / "aged_models.py").write_text((project / "app_models.py").read_text().replace(
        'sa.Column("name", sa.String(50))', 'sa.Column("name", sa.String(50)), sa.Column("age", sa.Integer)'))
    refused = invoke("--url", url, "--models", "aged_models:metadata", "generate", "-m", "age")
    assert_clean_error(refused, "the database records version 2 as 0002_tags (applied), but migrations does not "
                                "hold that migration (it has no file of that number)")
    assert sorted(p.name for p in (project / "migrations").glob("*.sql")) == ["0001_users.down.sql",
                                                                           "0001_users.up.sql"]


def test_generate_refuses_while_a_migration_is_recorded_as_failed(project):
    url = f"sqlite:///{project / 'app.db'}"
    assert invoke("--url", url, "--models", "app_models:metadata", "generate", "-m", "users").exit_code == 0
    up = project / "migrations" / "0001_users.up.sql"
    up.write_text(up.read_text().replace('CREATE TABLE "user"', 'CREATE TABLE "user" bogus'))
    assert invoke("--url", url, "rehash").exit_code == 0
    assert invoke("--url", url, "upgrade").exit_code == 1
    refused = invoke("--url", url, "--models", "app_models:metadata", "generate", "-m", "again")
    assert_clean_error(refused, "0001_users is recorded as failed in this database; finish or undo it first")


@pytest.mark.parametrize("url", ["sqlite://", "sqlite:///:memory:", "sqlite:///%3Amemory%3A",
                                 "sqlite:///file:shared?mode=memory&cache=shared&uri=true"])
@pytest.mark.parametrize("command", [["upgrade"], ["generate", "-m", "x"], ["status"], ["stamp", "1"]])
def test_an_in_memory_sqlite_database_is_refused_since_nothing_would_stay_applied(project, url, command):
    result = invoke("--url", url, "--models", "app_models:metadata", *command)
    assert_clean_error(result, "is an in-memory SQLite database, which vanishes when sqlgen's connection ends")
    assert not any(path.name.startswith((":memory:", "%3A", "file:")) for path in project.iterdir())


def test_json_outputs_parse_errors_included(project):
    import json

    url = f"sqlite:///{project / 'app.db'}"
    assert invoke("--url", url, "--models", "app_models:metadata", "generate", "-m", "users").exit_code == 0
    missing = invoke("--url", url, "status", "--json")
    assert missing.exit_code == 1 and "does not exist" in json.loads(missing.output)["error"]
    upgraded = invoke("--url", url, "upgrade", "--json")
    assert upgraded.exit_code == 0
    document = json.loads(upgraded.output)
    assert document["exit_code"] == 0 and len(document["messages"]) == 2, document
    assert document["messages"][0].startswith("applied 0001_users (1 statement")
    assert document["messages"][1] == "Database is now at version 1 (0001_users)"
    status = json.loads(invoke("--url", url, "status", "--json").output)
    assert status["current"] == {"version": 1, "name": "0001_users"} and status["up_to_date"] is True
    assert status["pending"] == [] and status["attention"] == []
    current = json.loads(invoke("--url", url, "current", "--json").output)
    assert current == {"version": 1, "name": "0001_users", "unfinished": []}
    [entry] = json.loads(invoke("--url", url, "history", "--json").output)["migrations"]
    assert (entry["version"], entry["state"], entry["statements_total"]) == (1, "applied", 1)
    linted = invoke("--url", url, "lint", "--json", str(project / "migrations" / "0001_users.down.sql"))
    report = json.loads(linted.output)
    assert linted.exit_code == 1 and report["exit_code"] == 1
    assert any("DESTRUCTIVE drop-table user" in line for line in report["messages"]), report
    for command in (["check", "--json"], ["preflight", "--json"]):  # an error is JSON there too
        broken = invoke("--url", url, "--models", "no_such_module:metadata", *command) if command[0] == "check" \
            else invoke("--url", url, "--dir", str(project / "nowhere"), *command)
        assert broken.exit_code == 1 and set(json.loads(broken.output)) == {"error"}, broken.output
    bad = invoke("--url", url, "downgrade", "7", "--json")
    assert bad.exit_code == 1 and json.loads(bad.output) == {
        "error": "there is no version 7 to return to; use a version from sqlgen history, or base"}
    down = invoke("--url", url, "downgrade", "base", "--json")
    assert down.exit_code == 0 and json.loads(down.output)["messages"][-1].startswith("Database is now at version 0")
    behind = json.loads(invoke("--url", url, "status", "--json").output)
    assert [item["name"] for item in behind["pending"]] == ["0001_users"] and behind["up_to_date"] is False


def test_sql_says_to_run_the_script_on_this_database(project):
    url = f"sqlite:///{project / 'my app.db'}"
    assert invoke("--url", url, "--models", "app_models:metadata", "generate", "-m", "users").exit_code == 0
    script = invoke("--url", url, "sql", "0:1")
    assert script.exit_code == 0, script.output
    assert f"sqlite3 -bail '{project / 'my app.db'}' < this_file.sql" in script.output.splitlines()[1]


@pytest.mark.parametrize("url", ["sqlite:///file::memory:?uri=true", "sqlite:///file:?uri=true",
                                 "sqlite:///file:db?uri=true&vfs=memdb", "sqlite:///file:%3Amemory%3A?uri=true",
                                 "sqlite:///file:x?mode=%6demory&uri=true"])
def test_in_memory_sqlite_in_uri_forms_is_refused_too(project, url):
    assert_clean_error(invoke("--url", url, "upgrade"), "is an in-memory SQLite database")
