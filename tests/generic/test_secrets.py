"""Passwords are never printed: not in errors, not under -v, not in the files written.

Every URL form that holds a password (in the URL's user part, in a query option
named like a secret, or before a missing '@host') is tried from every source
(--url, SQLGEN_URL, sqlgen.toml, and verify_url for generate --verify) with the
commands that read it, with and without -v, against a port where nothing
listens and against the real server with a wrong password.

A one-letter password shows that the password is masked as a part of the URL,
not replaced as a substring of the output: the messages for "e" must be the
very same as for a long password, every other "e" intact.
"""

from __future__ import annotations

import json
import re
import textwrap
import uuid

import pytest
from click.testing import CliRunner

from sqlgen import commands
from sqlgen.cli import main
from sqlgen.database import mask_text, mask_url
from sqlgen.dialects import parse_url
from sqlgen.errors import SqlgenError
from support import engine_for, url_text

PASSWORD = "Hunter2xyz"
SHORT = "e"
UNREACHABLE = "127.0.0.1:1"
DATABASE = "sqlgen_test_no_such_database"  # never created: a connection that gets in fails on it
MODELS = """
    import sqlalchemy as sa
    metadata = sa.MetaData()
    sa.Table("user", metadata, sa.Column("id", sa.Integer, primary_key=True), sa.Column("name", sa.String(50)))
    """

# {user}, {password} and {where} (host:port) are filled in by each test.
FORMS = {
    "user part": "mysql+pymysql://{user}:{password}@{where}/" + DATABASE,
    "user part, unencoded @": "mysql+pymysql://{user}:{password}@x@{where}/" + DATABASE,
    "user part, options": "mariadb://{user}:{password}@{where}/" + DATABASE + "?charset=utf8mb4",
    "passwd option": "mysql+pymysql://{user}@{where}/" + DATABASE + "?passwd={password}",
    "password option": "mysql+pymysql://{user}@{where}/" + DATABASE + "?charset=utf8mb4&password={password}",
    "pwd option": "mysql+pymysql://{user}@{where}/" + DATABASE + "?pwd={password}",
    "PWD option": "mysql+pymysql://{user}@{where}/" + DATABASE + "?PWD={password}",
    "PassWord option": "mysql+pymysql://{user}@{where}/" + DATABASE + "?PassWord={password}",
    "ssl_key_password option": "mysql+pymysql://{user}@{where}/" + DATABASE + "?ssl_key_password={password}",
    "percent-encoded option name": "mysql+pymysql://{user}@{where}/" + DATABASE + "?%70asswd={password}",
    "token option": "mysql+pymysql://{user}@{where}/" + DATABASE + "?auth_token={password}",
    "secret option": "mysql+pymysql://{user}@{where}/" + DATABASE + "?client_secret={password}",
    "no @host": "mysql+pymysql://{user}:{password}/" + DATABASE,
    "no @host, bare": "mysql://{user}:{password}",
    "no @host, options": "mariadb://{user}:{password}?charset=utf8mb4",
}
COMMANDS = [["generate", "-m", "x"], ["upgrade"], ["status"], ["check"], ["sql"], ["verify"], ["current"]]
SOURCES = ["--url", "SQLGEN_URL", "sqlgen.toml"]


@pytest.fixture
def project(tmp_path, monkeypatch):
    """A project with a models module and an empty migrations folder, as the current directory."""
    monkeypatch.chdir(tmp_path)
    for variable in ("SQLGEN_URL", "SQLGEN_MODELS", "SQLGEN_DIR", "SQLGEN_VERIFY_URL"):
        monkeypatch.delenv(variable, raising=False)
    (tmp_path / "app_models.py").write_text(textwrap.dedent(MODELS))
    (tmp_path / "migrations").mkdir()
    return tmp_path


def write_config(project, **settings) -> None:
    settings.setdefault("models", "app_models:metadata")
    (project / "sqlgen.toml").write_text("".join(f"{key} = {json.dumps(value)}\n" for key, value in settings.items()))


def invoke_from(project, source: str, url: str, args: list[str], verbose: bool):
    """Run one command with the URL from `source`."""
    flags = ["-v"] if verbose else []
    env = {"SQLGEN_URL": url} if source == "SQLGEN_URL" else None
    write_config(project, **({"url": url} if source == "sqlgen.toml" else {}))
    options = ["--url", url] if source == "--url" else []
    return CliRunner(env=env).invoke(main, [*flags, *options, *args])


def assert_hidden(result, password: str, verbose: bool) -> None:
    """An error, in one line (and a traceback under -v), without the password."""
    output = result.output
    assert result.exit_code == 1, output
    if password != SHORT:
        assert password not in output, output
    lines = [line for line in output.splitlines() if line.strip()]
    assert lines[-1].startswith("Error: "), output
    assert ("Traceback" in output) == verbose, output
    if not verbose:
        assert len(lines) == 1, output
    # Masking leaves *** where a password or option value was, never inside a word.
    assert not re.search(r"\w\*\*\*|\*\*\*\w", output), output


def outputs_for(project, source: str, url_of, password: str) -> list[str]:
    """What every command prints, with and without -v, for the URL of `password`."""
    outputs = []
    for verbose in (False, True):
        for args in COMMANDS:
            result = invoke_from(project, source, url_of(password), args, verbose)
            assert_hidden(result, password, verbose)
            outputs.append(result.output)
    return outputs


def assert_same_for_a_short_password(project, source, url_of) -> list[str]:
    long_outputs = outputs_for(project, source, url_of, PASSWORD)
    assert outputs_for(project, source, url_of, SHORT) == long_outputs
    return long_outputs


CONNECTING = ("user part", "user part, options")  # the forms that get as far as the server


@pytest.mark.parametrize("source", SOURCES)
@pytest.mark.parametrize("form", FORMS)
def test_unreachable_server(project, form, source):
    def url_of(password):
        return FORMS[form].format(user="root", password=password, where=UNREACHABLE)

    outputs = assert_same_for_a_short_password(project, source, url_of)
    if form in CONNECTING:
        assert all("cannot reach the server" in output for output in outputs), outputs


@pytest.mark.mysql
@pytest.mark.parametrize("source", SOURCES)
@pytest.mark.parametrize("form", FORMS)
def test_wrong_password_on_the_real_server(project, mysql_server, form, source):
    where = f"{mysql_server.host or '127.0.0.1'}:{mysql_server.port or 3306}"

    def url_of(password):
        return FORMS[form].format(user=mysql_server.username or "root", password=password, where=where)

    outputs = assert_same_for_a_short_password(project, source, url_of)
    if form in CONNECTING:
        assert all("access denied; check the user name and password" in output for output in outputs), outputs


@pytest.mark.mysql
@pytest.mark.parametrize("source", ["sqlgen.toml", "SQLGEN_VERIFY_URL"])
@pytest.mark.parametrize("where", ["unreachable", "real server"])
@pytest.mark.parametrize("form", FORMS)
def test_verify_url(project, mysql_server, scratch_db, form, where, source):
    """generate --verify reads the database from url, then opens verify_url for its scratch database."""
    server = UNREACHABLE if where == "unreachable" else f"{mysql_server.host}:{mysql_server.port or 3306}"
    url = url_text(scratch_db)

    def run(password: str, verbose: bool):
        # A user that does not exist: verify_url never gets in, even on a server that offers TLS.
        verify_url = FORMS[form].format(user="sqlgen_test_nobody", password=password, where=server)
        args = [*(["-v"] if verbose else []), "generate", "--verify", "-m", "x"]
        if source == "sqlgen.toml":
            write_config(project, url=url, verify_url=verify_url)
            return CliRunner().invoke(main, args)
        write_config(project, url=url)
        return CliRunner(env={"SQLGEN_VERIFY_URL": verify_url}).invoke(main, args)

    for verbose in (False, True):
        long, short = run(PASSWORD, verbose), run(SHORT, verbose)
        assert_hidden(long, PASSWORD, verbose)
        assert_hidden(short, SHORT, verbose)
        assert short.output == long.output
    assert not list((project / "migrations").glob("*.sql"))


def test_a_short_password_leaves_every_other_word_alone(project):
    result = CliRunner().invoke(main, ["--url", f"mysql+pymysql://root:{SHORT}@{UNREACHABLE}/blogdb", "current"])
    assert result.output.startswith(
        "Error: cannot connect to 127.0.0.1:1 (database 'blogdb'): cannot reach the server; is it running, and are "
        "host and port right? (server said: Can't connect to MySQL server on '127.0.0.1' (")
    assert "*" not in result.output


# --- Defence in depth: whatever a message or a traceback quotes is masked ----------------

@pytest.mark.parametrize("raised", [SqlgenError, ValueError])
@pytest.mark.parametrize("verbose", [False, True])
def test_a_message_quoting_a_url_or_a_secret_option_is_masked(project, monkeypatch, raised, verbose):
    def fails(config, echo):
        raise raised(f"see mysql://app:{PASSWORD}@db/x and 'mysql://app:{PASSWORD}' and passwd={PASSWORD}\n"
                     f"ssl_key_password='{PASSWORD}' for the user 'app'@'db' (using password: YES)")

    monkeypatch.setattr(commands, "current", fails)
    result = CliRunner().invoke(main, [*(["-v"] if verbose else []), "current"])
    assert result.exit_code == 1
    assert PASSWORD not in result.output
    assert ("Traceback" in result.output) == verbose
    assert "see mysql://app:***@db/x and 'mysql://app:***' and passwd=*** ssl_key_password=*** for the user " \
           "'app'@'db' (using password: YES)" in result.output


def test_the_traceback_is_masked_too(project):
    (project / "leaky_models.py").write_text(
        f"raise RuntimeError('cannot reach mysql+pymysql://app:{PASSWORD}@db.internal/app?token={PASSWORD}')\n")
    result = CliRunner().invoke(main, ["-v", "--url", "mysql://root@127.0.0.1:1/x", "--models", "leaky_models:Base",
                                       "generate"])
    assert result.exit_code == 1 and "Traceback" in result.output
    assert PASSWORD not in result.output
    assert "mysql+pymysql://app:***@db.internal/app?token=***" in result.output


@pytest.mark.parametrize("url, shown", [
    (f"mysql+pymysql://root:{PASSWORD}@h:3306/db", "mysql+pymysql://root:***@h:3306/db"),
    (f"mysql+pymysql://root:{PASSWORD}@x@h/db", "mysql+pymysql://root:***@h/db"),
    (f"mysql+pymysql://root@{PASSWORD}@h/db", "mysql+pymysql://root@***@h/db"),
    (f"mysql+pymysql://root:{PASSWORD}/db", "mysql+pymysql://root:***/db"),
    (f"mysql://root:{PASSWORD}", "mysql://root:***"),
    (f"mysql://root:{PASSWORD}?charset=x", "mysql://root:***?charset=x"),
    ("mysql://root:99999", "mysql://root:***"),  # no port, so a password
    ("mysql://db.internal:3306/app", "mysql://db.internal:3306/app"),
    ("mysql://[::1]:3306/app", "mysql://[::1]:3306/app"),
    (f"mysql://h/db?passwd={PASSWORD}&charset=x", "mysql://h/db?passwd=***&charset=x"),
    (f"mysql://h/db?Password={PASSWORD}", "mysql://h/db?Password=***"),
    (f"mysql://h/db?PWD={PASSWORD}", "mysql://h/db?PWD=***"),
    (f"mysql://h/db?ssl_key_password={PASSWORD}", "mysql://h/db?ssl_key_password=***"),
    (f"mysql://h/db?%70asswd={PASSWORD}", "mysql://h/db?%70asswd=***"),
    (f"mysql://h/db?access_token={PASSWORD}&my_secret={PASSWORD}", "mysql://h/db?access_token=***&my_secret=***"),
    (f"sqlite:///app.db?password={PASSWORD}", "sqlite:///app.db?password=***"),
    ("sqlite:///C:/app.db", "sqlite:///C:/app.db"),
])
def test_mask_url(url, shown):
    assert mask_url(url) == shown
    assert mask_text(f"in '{url}': no") == f"in '{shown}': no"


def test_the_example_url_of_the_messages_is_left_as_it_is():
    text = "expected e.g. mysql+pymysql://user:password@host/dbname"
    assert mask_text(text) == text


def test_a_parsed_url_hides_its_password_and_secret_options():
    url = parse_url(f"mysql+pymysql://u:{PASSWORD}@h/db?charset=utf8mb4&ssl_key_password={PASSWORD}")
    assert url.render_as_string() == "mysql+pymysql://u:***@h/db?charset=utf8mb4&ssl_key_password=***"
    assert PASSWORD in url.render_as_string(hide_password=False)


# --- A working password, on the real server: never in the output nor in the files -------

@pytest.fixture(params=[PASSWORD, SHORT], ids=["long password", "one-letter password"])
def password_user(request, scratch_db):
    """A throwaway account with a password, allowed on the scratch database only."""
    name = f"sqlgen_test_{uuid.uuid4().hex[:8]}"
    admin = engine_for(scratch_db)
    with admin.begin() as connection:
        connection.exec_driver_sql(f"CREATE USER '{name}'@'%%' IDENTIFIED BY '{request.param}'")
        connection.exec_driver_sql(f"GRANT ALL ON `{scratch_db.database}`.* TO '{name}'@'%%'")
    yield scratch_db.set(username=name, password=request.param)
    with admin.begin() as connection:
        connection.exec_driver_sql(f"DROP USER '{name}'@'%%'")
    admin.dispose()


@pytest.mark.mysql
@pytest.mark.parametrize("source", SOURCES)
def test_a_working_password_is_never_printed_nor_written(project, password_user, source):
    password, url = password_user.password, url_text(password_user)
    outputs = []
    for args in (["generate", "-m", "create user", "--dry-run"], ["generate", "-m", "create user"], ["upgrade"],
                 ["status"], ["check"], ["sql", "0:1"], ["verify"], ["current"], ["history"]):
        result = invoke_from(project, source, url, args, verbose=False)
        assert result.exit_code == 0, result.output
        outputs.append(result.output)
    assert "Wrote migrations/0001_create_user.up.sql\n" in outputs[1]
    assert outputs[-2] == "1 0001_create_user\n"
    written = [path for path in (project / "migrations").iterdir()]
    assert {path.name for path in written} >= {"0001_create_user.up.sql", "0001_create_user.down.sql", "DIALECT"}
    if password == PASSWORD:
        assert not any(PASSWORD in output for output in outputs)
        assert not any(PASSWORD in path.read_text() for path in written)
