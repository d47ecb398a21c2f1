"""A migration means the same under every sql_mode that changes how SQL text reads (issue 15).

The models (tests/support/sql_mode_models.py) hold text whose reading depends on the
session's sql_mode: defaults, ENUM and SET values and comments with backslashes, quotes,
double quotes, backticks, line breaks, tabs, carriage returns, a literal `\\n`, `%` and
`_`; CHECKs and generated columns whose string literals hold '' and a line break and a
backslash escape, a double-quoted string and `||`; names that need quoting. One default is
`x\\'; DROP TABLE sentinel; -- `, which ends its statement early if a backslash were
written for one reading and read with the other.

For each session sql_mode (the server's default, NO_BACKSLASH_ESCAPES, ANSI_QUOTES, ANSI,
NO_BACKSLASH_ESCAPES + ANSI_QUOTES; sqlgen's sessions take it from the URL's init_command,
the client's from --init-command) and for a private server started with a global mode:

1. generate from an empty database under that mode;
2. apply the up file with sqlgen's runner there, and by hand with the real mariadb client
   (its session in the same mode) to a second fresh database;
3. both store byte for byte what create_all stores under the default mode
   (information_schema: COLUMN_DEFAULT, COLUMN_TYPE, COLUMN_COMMENT, CHECK_CLAUSE,
   GENERATION_EXPRESSION, TABLE_COMMENT), the sentinel table keeps its rows, generate finds
   nothing left to do, and the runner and the client record the same tracking row;
4. a second migration drops the table: its down file rebuilds it from what the database
   reports, and both ways store the same text again;
5. `sqlgen sql 0:1`, run by hand in one client session on an empty database, does the same;
6. the down file, both ways, brings back the start.

A file generated under one mode and applied under another means the same too.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from urllib.parse import quote

import pytest
import sqlalchemy as sa

import sql_mode_models
from faults import PrivateServer
from sqlgen import commands
from sqlgen.mysql.dialect import READING, ServerInfo
from sqlgen.mysql.expressions import key, portable
from sqlgen.splitter import PIN_ESCAPES, Splitter, lines_of
from support import Output, assert_same_schema, execute, make_config, snapshot, url_text

pytestmark = pytest.mark.mysql

MODELS = "sql_mode_models:metadata"
DROPPED = "sql_mode_models:sentinel_only"
TABLE = "we\"ird`na'me %_"
SENTINEL_ROWS = [(1, "keep"), (2, "me")]
# The modes added to the server's default one, by label.
MODES = {
    "default": (),
    "no_backslash_escapes": ("NO_BACKSLASH_ESCAPES",),
    "ansi_quotes": ("ANSI_QUOTES",),
    "ansi": ("ANSI",),
    "no_backslash_escapes+ansi_quotes": ("NO_BACKSLASH_ESCAPES", "ANSI_QUOTES"),
}
TRACKING_COLUMNS = "version, name, checksum, state, statements_applied, statements_total"
# What the comparison must cover, byte for byte (on top of the snapshot's other columns).
TEXT_SQL = {
    "columns": ("SELECT TABLE_NAME, COLUMN_NAME, HEX(COLUMN_DEFAULT), HEX(COLUMN_TYPE), HEX(COLUMN_COMMENT), "
               "HEX(GENERATION_EXPRESSION) FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() "
               "AND TABLE_NAME <> 'sqlgen_version' ORDER BY TABLE_NAME, COLUMN_NAME", 4),
    "checks": ("SELECT CONSTRAINT_NAME, HEX(CHECK_CLAUSE) FROM information_schema.CHECK_CONSTRAINTS "
              "WHERE CONSTRAINT_SCHEMA = DATABASE() ORDER BY CONSTRAINT_NAME", 1),
    "tables": ("SELECT TABLE_NAME, HEX(TABLE_COMMENT) FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() "
              "AND TABLE_NAME <> 'sqlgen_version' ORDER BY TABLE_NAME", 1),
}


def session_mode(base: str, extra: tuple[str, ...]) -> str:
    return ",".join([word for word in base.split(",") if word] + list(extra))


def with_mode(url, mode: str | None) -> str:
    """`url` whose sessions start in `mode` (None: the server's own)."""
    text = url if isinstance(url, str) else url_text(url)
    if mode is None:
        return text
    return text + "?init_command=" + quote(f"SET SESSION sql_mode = '{mode}'", safe="")


class Place:
    """Where the databases live: the shared server (a session mode on top of its default), or a
    private one started with a global mode. `mode` is what sessions are set to (None: the server's)."""

    def __init__(self, make_db, mode: str | None, default_mode: str):
        self.make_db, self.mode, self.default_mode = make_db, mode, default_mode
        self.readers = {}

    def new(self):
        db = self.make_db()
        # The test's own sessions (setup, snapshots, create_all) are in the default mode.
        # (Without TLS: PyMySQL reads the system's CA files for every connection otherwise, half the run.)
        url = self.readers[db.database] = db.update_query_dict({
            "init_command": f"SET SESSION sql_mode = '{self.default_mode}'", "ssl_disabled": "1"})
        execute(url, "CREATE TABLE sentinel (id int PRIMARY KEY, v varchar(20))",
                "INSERT INTO sentinel VALUES (1, 'keep'), (2, 'me')")
        return db

    def url(self, db, mode: str | None = ...) -> str:
        return with_mode(db, self.mode if mode is ... else mode)

    def client(self, client_binary: str, db, path: Path, mode: str | None = ...) -> None:
        """The file through the real client, its session in `mode` (default: the place's)."""
        db = sa.engine.make_url(db) if isinstance(db, str) else db
        mode = self.mode if mode is ... else mode
        args = [client_binary, f"--host={db.host or '127.0.0.1'}", f"--port={db.port or 3306}",
                f"--user={db.username or 'root'}"]
        if mode is not None:
            args.append(f"--init-command=SET SESSION sql_mode = '{mode}'")
        with open(path, "rb") as handle:
            result = subprocess.run([*args, db.database], stdin=handle, capture_output=True, timeout=120,
                                    env=dict(os.environ))
        assert result.returncode == 0, f"mariadb client failed on {path.name}: {result.stderr.decode()}"

    def reference(self):
        """A fresh database holding what create_all makes under the server's default sql_mode."""
        db = self.new()
        engine = sa.create_engine(self.read(db), poolclass=sa.pool.NullPool, connect_args={
            "init_command": f"SET SESSION sql_mode = '{self.default_mode}'"})
        sql_mode_models.metadata.create_all(engine, tables=[sql_mode_models.metadata.tables[TABLE]])
        engine.dispose()
        return db

    def read(self, db):
        return self.readers[db.database]


def stored_text(url) -> dict[str, list]:
    """The stored text as bytes (read as HEX(), so nothing is decoded on the way), in a session of the
    default mode."""
    return {name: [tuple(value if index < len(row) - count else None if value is None else bytes.fromhex(value)
                         for index, value in enumerate(row))
                   for row in execute(url, sql)[0]]
            for name, (sql, count) in TEXT_SQL.items()}


def assert_intact(place: Place, *dbs) -> None:
    for db in dbs:
        assert execute(place.read(db), "SELECT id, v FROM sentinel ORDER BY id")[0] == SENTINEL_ROWS, db


def assert_converged(place: Place, directory: Path, *dbs, mode: str | None = ...) -> None:
    """generate finds nothing to do (with a later file pending, it would refuse to write one)."""
    for db in dbs:
        config = make_config(place.url(db, mode), MODELS, directory)
        out = Output()
        result = commands.generate(config, "nothing left", echo=out)
        assert out.lines == ["No changes detected"], f"{db}: {out.text}"
        assert result.paths == ()


def tracking_rows(place: Place, db) -> list:
    return execute(place.read(db), f"SELECT {TRACKING_COLUMNS} FROM sqlgen_version ORDER BY version")[0]


def round_trip(place: Place, client_binary: str, tmp_path: Path, apply_mode: str | None = ...) -> None:
    """Generate under the place's mode, apply both ways under `apply_mode` (default: the same)."""
    directory = tmp_path / "migrations"
    runner_db, client_db, reference = place.new(), place.new(), place.reference()
    start = snapshot(place.read(runner_db))
    config = make_config(place.url(runner_db), MODELS, directory)
    out = Output()
    result = commands.generate(config, "hostile text", echo=out)
    assert len(result.paths) == 2, out.text
    up, down = result.paths
    assert "DROP TABLE sentinel" in result.up_text  # the payload is there, inside its literal
    assert PIN_ESCAPES in result.up_text  # the file holds backslashes: it reads them as escapes, in any mode

    applying = make_config(place.url(runner_db, apply_mode), MODELS, directory)
    commands.upgrade(applying, echo=Output())
    place.client(client_binary, client_db, up, apply_mode)
    assert_intact(place, runner_db, client_db)

    expected, expected_text = snapshot(place.read(reference)), stored_text(place.read(reference))
    for db in (runner_db, client_db):
        assert_same_schema(snapshot(place.read(db)), expected)
        assert stored_text(place.read(db)) == expected_text, db
    assert tracking_rows(place, runner_db) == tracking_rows(place, client_db)
    assert [row[3] for row in tracking_rows(place, runner_db)] == ["applied"]
    assert_converged(place, directory, runner_db, client_db, mode=apply_mode)
    if apply_mode is not ...:
        assert_converged(place, directory, runner_db, client_db)  # and under the mode it was generated in

    # Dropping the table: the down file rebuilds it from what the database reports (under the
    # generating session's mode), and must store the same text again.
    dropping = make_config(place.url(runner_db), DROPPED, directory)
    out = Output()
    result = commands.generate(dropping, "drop it", echo=out)
    assert len(result.paths) == 2, out.text
    drop_up, drop_down = result.paths
    assert "DROP TABLE sentinel" in result.down_text
    for path, run in ((drop_up, lambda: commands.upgrade(applying, echo=Output())),
                      (drop_down, lambda: commands.downgrade(applying, "1", echo=Output()))):
        run()
        place.client(client_binary, client_db, path, apply_mode)
        assert_intact(place, runner_db, client_db)
        assert tracking_rows(place, runner_db) == tracking_rows(place, client_db)
    for db in (runner_db, client_db):
        assert_same_schema(snapshot(place.read(db)), expected)
        assert stored_text(place.read(db)) == expected_text, db
    assert_converged(place, directory, runner_db, client_db, mode=apply_mode)

    # `sqlgen sql 0:1`: the script a DBA runs by hand, in one client session, on an empty database.
    script_db = place.new()
    script = Output()
    commands.sql(make_config(place.url(script_db, apply_mode), MODELS, directory), "0:1", echo=script)
    (tmp_path / "script.sql").write_text(script.text + "\n", encoding="utf-8")
    place.client(client_binary, script_db, tmp_path / "script.sql", apply_mode)
    assert_intact(place, script_db)
    assert_same_schema(snapshot(place.read(script_db)), snapshot(place.read(runner_db)))
    assert stored_text(place.read(script_db)) == expected_text
    assert tracking_rows(place, script_db) == [row for row in tracking_rows(place, runner_db) if row[3] == "applied"]

    commands.downgrade(applying, "base", echo=Output())
    place.client(client_binary, client_db, down, apply_mode)
    assert_intact(place, runner_db, client_db)
    for db in (runner_db, client_db):
        assert_same_schema(snapshot(place.read(db)), start)
    assert tracking_rows(place, runner_db) == tracking_rows(place, client_db) == []


@pytest.fixture(scope="module")
def default_mode(mysql_server):
    engine = sa.create_engine(mysql_server, poolclass=sa.pool.NullPool)
    with engine.connect() as connection:
        mode = connection.exec_driver_sql("SELECT @@GLOBAL.sql_mode").scalar()
    engine.dispose()
    return mode


@pytest.fixture
def shared(scratch, default_mode):
    def place(extra: tuple[str, ...]) -> Place:
        return Place(scratch.new, session_mode(default_mode, extra) if extra else None, default_mode)

    return place


@pytest.mark.parametrize("label", list(MODES))
def test_a_session_mode_changes_nothing(label, shared, mariadb_client, tmp_path):
    round_trip(shared(MODES[label]), mariadb_client, tmp_path)


@pytest.mark.parametrize("label", list(MODES))
def test_verify_proves_the_pair_in_the_session_mode(label, scratch, default_mode, tmp_path):
    """generate --verify replays the pair on a scratch database whose sessions are in the same mode."""
    db = scratch.new()
    mode = session_mode(default_mode, MODES[label]) if MODES[label] else None
    out = Output()
    result = commands.generate(make_config(with_mode(db, mode), MODELS, tmp_path / "m"), "hostile", verify=True,
                               echo=out)
    assert len(result.paths) == 2, out.text
    assert "Verified:   yes" in result.up_text


@pytest.mark.parametrize("generated_in, applied_in", [
    ("default", "no_backslash_escapes+ansi_quotes"),
    ("no_backslash_escapes", "ansi"),
    ("ansi", "default"),
    ("no_backslash_escapes+ansi_quotes", "no_backslash_escapes"),
    ("ansi_quotes", "no_backslash_escapes"),
])
def test_a_file_means_the_same_under_another_mode(generated_in, applied_in, shared, default_mode, mariadb_client,
                                                  tmp_path):
    place = shared(MODES[generated_in])
    round_trip(place, mariadb_client, tmp_path,
               apply_mode=session_mode(default_mode, MODES[applied_in]) if MODES[applied_in] else None)


# --- A server whose own (global) sql_mode is not the default ----------------------------------

PRIVATE_MODE = "STRICT_TRANS_TABLES,NO_ENGINE_SUBSTITUTION,NO_BACKSLASH_ESCAPES,ANSI"


@pytest.fixture(scope="module")
def private_server(tmp_path_factory, default_mode):
    if shutil.which("mariadbd") is None:
        pytest.skip("mariadbd is not installed")
    server = PrivateServer(tmp_path_factory.mktemp("sql-mode-server"), options=[f"--sql-mode={PRIVATE_MODE}"])
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def private(private_server, default_mode):
    made = []

    def new():
        name = f"sqlgen_test_mode_{len(made)}"
        private_server.query(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci")
        made.append(name)
        return sa.engine.make_url(private_server.url(name))

    yield Place(new, None, default_mode)
    for name in made:
        private_server.query(f"DROP DATABASE IF EXISTS `{name}`")


def test_a_server_mode_changes_nothing(private, private_server, mariadb_client, tmp_path):
    words = set(private_server.query("SELECT @@GLOBAL.sql_mode")[0][0].split(","))
    assert {"NO_BACKSLASH_ESCAPES", "ANSI_QUOTES", "PIPES_AS_CONCAT"} <= words
    round_trip(private, mariadb_client, tmp_path)


def test_a_file_from_a_server_mode_runs_the_same_in_the_default_mode(private, mariadb_client, tmp_path):
    round_trip(private, mariadb_client, tmp_path, apply_mode=private.default_mode)


# --- Without a server: the pieces the round trips rest on ------------------------------------


# SQL text as written, and as portable() writes it.
PORTABLE_CASES = [
    ('a = "x"', "a = 'x'"),
    ('a = "it\'s ""q"" \\\\"', "a = 'it''s \"q\" \\\\'"),
    ("a = 1 || b = 2", "a = 1 OR b = 2"),
    ("a||b", "a OR b"),
    # What reads the same in every mode stays as written: '' strings (with "" or || inside) and names.
    ("a = 'say \"hi\" || ''x'''", "a = 'say \"hi\" || ''x'''"),
    ("`a\"b` = 'it\\'s \"q\"'", "`a\"b` = 'it\\'s \"q\"'"),
    ("concat(`x`, 'a\nb')", "concat(`x`, 'a\nb')"),
]


@pytest.mark.parametrize("written, expected", PORTABLE_CASES)
def test_expressions_are_written_in_a_spelling_every_mode_reads_alike(written, expected):
    assert portable(written) == expected


def test_or_written_as_pipes_is_the_or_the_server_prints_back():
    server = ServerInfo("mariadb", (10, 11), "10.11")
    assert key("`a` > 0 || b && c", server) == key("a > 0 or `b` and c", server) == "a>0 or b and c"
    assert key("'x||y'", server) == "'x||y'"  # inside a string it is text


def test_parts_of_a_file_are_read_on_in_the_mode_the_parts_before_them_leave():
    """After PIN_ESCAPES a part is read with escapes, even if the session started without them:
    'it\\'s; x' is one string, not one that ends at the backslash."""
    splitter = Splitter("<part>", READING, sql_mode="STRICT_TRANS_TABLES,NO_BACKSLASH_ESCAPES,ANSI_QUOTES")
    for number, line in enumerate(lines_of(PIN_ESCAPES + ";\n"), 1):
        list(splitter.feed(line, number))
    list(splitter.close())
    assert splitter.sql_mode == "ANSI_QUOTES,STRICT_TRANS_TABLES"
    after = Splitter("<part>", READING, sql_mode=splitter.sql_mode)
    text = "SELECT 'it\\'s; x';\n"
    found = [statement for number, line in enumerate(lines_of(text), 1) for statement in after.feed(line, number)]
    assert [statement.text for statement in found] == ["SELECT 'it\\'s; x'"]
