"""What a file says is what runs: tracking blocks, client commands, acknowledgements, templates.

- The tracking blocks hold only what sqlgen writes for the file: anything else is
  named by status, verify, lint and sql, and upgrade refuses the file before any of it runs.
- A client command sqlgen cannot run as the mysql client (or the sqlite3 shell) does
  is refused before the first statement, and lint reports it as an error; the real
  client is run on the same file to show it is one.
- A custom template cannot let the message (or anything) out of a comment.
Each case checks that a sentinel table survives with its rows.
"""

from __future__ import annotations

import itertools
import re
import shutil
import subprocess
import uuid

import pytest
from click.testing import CliRunner

from sqlgen import commands
from sqlgen.cli import main
from sqlgen.errors import SqlgenError
from support import Output, execute, hand_written, make_config, snapshot, sqlite_url

_MODULES = itertools.count(1)


def models_module(tmp_path, body: str) -> str:
    module = f"file_safety_models_{next(_MODULES)}_{uuid.uuid4().hex[:6]}"
    (tmp_path / f"{module}.py").write_text("import sqlalchemy as sa\nmetadata = sa.MetaData()\n"
                                           'sa.Table("sentinel", metadata, sa.Column("id", sa.Integer, '
                                           'primary_key=True, autoincrement=False))\n' + body)
    return f"{module}:metadata"


def sentinel(url) -> None:
    execute(url, "CREATE TABLE sentinel (id int PRIMARY KEY)", "INSERT INTO sentinel VALUES (1), (2)")


@pytest.fixture
def twin_dbs(scratch):
    """Two databases with a sentinel each: one for sqlgen's runner, one for the client."""
    found = scratch.new(), scratch.new()
    for url in found:
        sentinel(url)
    return found


def sentinel_rows(url) -> list:
    return execute(url, "SELECT id FROM sentinel ORDER BY id")[0]


def tables(url) -> set[str]:
    """The tables of a database, but the (possibly empty) tracking table."""
    found = {row[0] for row in execute(url, "SHOW TABLES")[0]}
    if "sqlgen_version" in found and execute(url, "SELECT COUNT(*) FROM sqlgen_version")[0] == [(0,)]:
        found.discard("sqlgen_version")  # created before planning; no migration recorded in it
    return found


def invoke(*args):
    return CliRunner().invoke(main, [str(arg) for arg in args])


def one_error_line(result, *words: str) -> str:
    assert result.exit_code == 1, result.output
    lines = [line for line in result.output.splitlines() if line]
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.output
    assert "Traceback" not in result.output
    for word in words:
        assert word in lines[0], lines[0]
    return lines[0]


# --- Tracking blocks -----------------------------------------------------------------

@pytest.fixture
def generated(scratch_db, tmp_path):
    """A generated pair creating table `added`, against a database with a sentinel."""
    sentinel(scratch_db)
    models = models_module(tmp_path, 'sa.Table("added", metadata, sa.Column("id", sa.Integer, primary_key=True))\n')
    config = make_config(scratch_db, models, tmp_path / "migrations", root=tmp_path)
    up, down = commands.generate(config, "add", echo=Output()).paths
    return config, up, down


def _insert_after(path, marker: str, text: str) -> None:
    content = path.read_text()
    at = content.index(marker) + len(marker)
    path.write_text(content[:at] + text + content[at:])


def assert_refused_everywhere(config, path, problem: str) -> None:
    """upgrade (or downgrade), status, verify, lint and sql each name the problem; nothing ran."""
    url = config.url
    out = Output()
    assert commands.status(config, echo=out) == 1
    assert any(problem in line and path.name in line for line in out.lines), out.text
    out = Output()
    assert commands.verify(config, echo=out) == 1
    assert any("unsafe to run" in line and path.name in line for line in out.lines), out.text
    out = Output()
    assert commands.lint(config, (str(path),), echo=out) == 1
    assert any(path.name in line and "ERROR tracking-block" in line for line in out.lines), out.text
    with pytest.raises(SqlgenError, match="nothing was printed"):
        commands.sql(config, "0:1" if ".up." in path.name else "1:0", echo=Output())
    result = invoke("--url", url, "--dir", config.directory, "status")
    assert result.exit_code == 1 and problem in result.output


@pytest.mark.mysql
def test_a_statement_added_inside_a_tracking_block_is_refused_before_anything_runs(generated, scratch_db):
    config, up, _ = generated
    _insert_after(up, "CURRENT_USER());\n", "DROP TABLE sentinel;\n")
    with pytest.raises(SqlgenError) as caught:
        commands.upgrade(config, echo=Output())
    message = str(caught.value)
    assert "a statement sqlgen did not write stands inside a tracking block" in message
    assert "`DROP TABLE sentinel`" in message and "nothing was run" in message
    assert sentinel_rows(scratch_db) == [(1,), (2,)]
    assert tables(scratch_db) == {"sentinel"}, "nothing ran and nothing was recorded"
    assert_refused_everywhere(config, up, "a statement sqlgen did not write")
    # Rewriting the blocks would silently drop the statement: rehash leaves that to a person.
    with pytest.raises(SqlgenError, match="nothing was rewritten"):
        commands.rehash(config, echo=Output())
    assert "DROP TABLE sentinel;" in up.read_text()


@pytest.mark.mysql
@pytest.mark.parametrize("edit", ["state", "version", "table", "moved-closing-block", "emptied-block"])
def test_an_edited_tracking_block_is_refused_and_rehash_restores_it(generated, scratch_db, run_client, edit):
    config, up, down = generated
    text = up.read_text()
    if edit == "state":  # by hand the row would read applied before anything ran
        text = text.replace("'running', 0,", "'applied', 0,", 1)
    elif edit == "version":  # a file renumbered by hand keeps its old version in the block
        text = text.replace("VALUES (1, '0001_add'", "VALUES (7, '0001_add'", 1)
    elif edit == "table":
        text = text.replace("INSERT INTO `sqlgen_version`", "INSERT INTO `other_version`", 1)
    elif edit == "moved-closing-block":
        closing = text[text.rindex("-- sqlgen:tracking begin"):]
        text = text[:text.rindex("-- sqlgen:tracking begin")]
        end_of_opening = text.index("-- sqlgen:tracking end\n") + len("-- sqlgen:tracking end\n")
        text = text[:end_of_opening] + "\n" + closing + text[end_of_opening:]  # before the first change
    else:
        text = re.sub(r"(-- sqlgen:tracking begin\n)UPDATE[^;]*;\n", r"\1", text, count=1)
    assert text != up.read_text()
    up.write_text(text)
    with pytest.raises(SqlgenError, match="nothing was run"):
        commands.upgrade(config, echo=Output())
    assert "added" not in tables(scratch_db)
    out = Output()
    assert commands.status(config, echo=out) == 1 and "run sqlgen rehash" in out.text
    commands.rehash(config, echo=Output())
    assert commands.status(config, echo=Output()) == 1  # pending, nothing unsafe left
    out = Output()
    commands.status(config, echo=out)
    assert "attention" not in out.text, out.text
    run_client(scratch_db, up)  # by hand now records exactly what the runner would
    assert execute(scratch_db, "SELECT version, name, state FROM sqlgen_version")[0] == [(1, "0001_add", "applied")]
    assert sentinel_rows(scratch_db) == [(1,), (2,)]


@pytest.mark.mysql
def test_a_down_file_with_a_foreign_statement_in_its_block_is_refused(generated, scratch_db):
    config, up, down = generated
    commands.upgrade(config, echo=Output())
    _insert_after(down, "`started_at` = NOW(6), `applied_at` = NULL,\n  `execution_ms` = NULL, "
                        "`progress_checksum` = NULL, `error` = NULL\nWHERE `version` = 1;\n",
                  "DROP TABLE sentinel;\n")
    with pytest.raises(SqlgenError, match="nothing was run"):
        commands.downgrade(config, "base", echo=Output())
    assert "added" in tables(scratch_db) and sentinel_rows(scratch_db) == [(1,), (2,)]
    assert_refused_everywhere(config, down, "a statement sqlgen did not write")


@pytest.mark.mysql
def test_markers_inside_a_string_literal_are_data(twin_dbs, tmp_path, run_client):
    """`-- sqlgen:tracking begin` inside a string is no block: the runner and the client agree."""
    db, twin = twin_dbs
    config = make_config(db, None, tmp_path / "m")
    up = hand_written(config, "CREATE TABLE note (id int PRIMARY KEY, t text);\nINSERT INTO note VALUES (1, "
                              "'\n-- sqlgen:tracking begin\nDROP TABLE sentinel;\n-- sqlgen:tracking end\n');")
    commands.upgrade(config, echo=Output())
    run_client(twin, up)
    for url in (db, twin):
        stored = execute(url, "SELECT t FROM note")[0][0][0]
        assert "DROP TABLE sentinel;" in stored and sentinel_rows(url) == [(1,), (2,)]
    query = "SELECT version, checksum, state, statements_total FROM sqlgen_version"
    assert execute(db, query)[0] == execute(twin, query)[0]
    assert commands.status(config, echo=Output()) == 0


# --- Client commands ----------------------------------------------------------------------

# (command line, what the real client does with it that shows it is a command, or None)
REFUSED = [
    ("system touch {marker}", "marker"),
    ("system touch {marker};", "marker"),
    ("SYSTEM touch {marker}", "marker"),
    ("/* first */ system touch {marker};", "marker"),
    ("SELECT 1 \\! touch {marker}\n;", "marker"),
    ("\\! touch {marker}", "marker"),
    ("quit", "stops"),
    ("\\q", "stops"),
    ("exit", "stops"),
    ("source {other}", "reads"),
    ("\\. {other}", "reads"),
    ("tee {marker}", None),  # the client ignores tee in batch mode; sqlgen refuses it all the same
    ("\\T {marker}", None),
    ("pager cat", None),
    ("charset latin1", None),
    ("connect", None),
    ("sandbox", None),
    ("SELECT 1 \\x;", None),
    ("SELECT 1 \\w;", None),
    ("use 'elsewhere'", None),
    ("QUIT;", None),
]


@pytest.fixture
def hand_file(scratch, tmp_path):
    """A database with a sentinel, and a function writing an empty-generated file with a body."""
    db = scratch.new()
    sentinel(db)
    config = make_config(db, None, tmp_path / "m")

    def write(body: str):
        for path in config.directory.glob("*.sql"):
            path.unlink()
        return hand_written(config, body)

    return db, config, write


@pytest.mark.mysql
@pytest.mark.parametrize("line, shows", REFUSED, ids=[line for line, _ in REFUSED])
def test_a_client_command_sqlgen_cannot_run_is_refused_before_the_first_statement(hand_file, scratch, run_client,
                                                                                  tmp_path, line, shows):
    db, config, write = hand_file
    marker, other = tmp_path / "marker", tmp_path / "other.sql"
    other.write_text("CREATE TABLE from_other (id int);\n")
    command = line.format(marker=marker, other=other)
    up = write(f"CREATE TABLE first (id int);\n{command}\nCREATE TABLE last (id int);")
    with pytest.raises(SqlgenError, match="nothing was run") as caught:
        commands.upgrade(config, echo=Output())
    assert "client command" in str(caught.value) or "not SQL" in str(caught.value)
    assert tables(db) == {"sentinel"}, "nothing may run, not even the statement before the command"
    assert not marker.exists()
    out = Output()
    assert commands.lint(config, (str(up),), echo=out) == 1
    assert "ERROR client-command" in out.text
    assert commands.status(config, echo=Output()) == 1
    if shows:  # the real client reads it as a command: sqlgen's reading is the client's
        twin = scratch.new()
        sentinel(twin)
        run_client(twin, up, check=False)
        found = tables(twin)
        if shows == "marker":
            assert marker.exists(), found
        elif shows == "stops":
            assert "first" in found and "last" not in found
        else:
            assert "from_other" in found
        assert sentinel_rows(twin) == [(1,), (2,)]
    assert sentinel_rows(db) == [(1,), (2,)]


SUPPORTED = [
    "CREATE TABLE a (id int)\\g\nCREATE TABLE b (id int)\\G",
    "CREATE TABLE a (id int);\nCREATE TABLE dropped (id int) \\c\nCREATE TABLE b (id int);",
    "warnings\nnowarning\nstatus\nprint\nrehash\nnotee\nnopager\nCREATE TABLE a (id int);\nCREATE TABLE b (id int);",
    "use {db}\nCREATE TABLE a (id int);\nUSE `{db}`;\nCREATE TABLE b (id int);",
    "DELIMITER $$\nCREATE TABLE a (id int)$$\n\\d ;\nCREATE TABLE b (id int);",
]


@pytest.mark.mysql
@pytest.mark.parametrize("body", SUPPORTED, ids=["go", "clear", "display", "use", "delimiter"])
def test_the_client_commands_sqlgen_takes_run_the_same_both_ways(hand_file, scratch, run_client, body):
    db, config, write = hand_file
    twin = scratch.new()
    sentinel(twin)
    up = write(body.format(db=db.database))
    commands.upgrade(config, echo=Output())
    text = up.read_text().replace(db.database, twin.database)
    copy = up.with_name("twin.sql")
    copy.write_text(text)
    run_client(twin, copy)
    copy.unlink()
    assert tables(db) == tables(twin) == {"sentinel", "a", "b", "sqlgen_version"}
    query = "SELECT version, checksum, state, statements_total FROM sqlgen_version"
    if "use" not in body:  # the USE names the database itself, so the twin's checksum differs
        assert execute(db, query)[0] == execute(twin, query)[0]
    assert sentinel_rows(db) == sentinel_rows(twin) == [(1,), (2,)]


@pytest.mark.mysql
def test_an_acknowledgement_inside_a_string_literal_accepts_nothing(hand_file):
    db, config, write = hand_file
    execute(db, "CREATE TABLE doomed (id int)")
    up = write("INSERT INTO sentinel VALUES (3), (4);\nSELECT '\n-- sqlgen: allow drop-table doomed\n';\n"
               "DROP TABLE doomed;")
    out = Output()
    assert commands.lint(config, (str(up),), echo=out) == 1
    assert "DESTRUCTIVE drop-table doomed" in out.text and "allowed" not in out.text.split("\n")[0]


# --- SQLite: dot-commands and # comment lines, as the sqlite3 shell reads them ---------------

@pytest.mark.parametrize("line", [".shell touch {marker}", ".system touch {marker}", ".output {marker}",
                                  ".once {marker}", ".read {other}", ".bail off", "  .shell touch {marker}"])
def test_sqlite_dot_commands_are_refused_before_the_first_statement(tmp_path, line):
    db = tmp_path / "app.db"
    config = make_config(sqlite_url(db), None, tmp_path / "m")
    marker, other = tmp_path / "marker", tmp_path / "other.sql"
    other.write_text("CREATE TABLE from_other (id);\n")
    up = hand_written(config, f"CREATE TABLE first (id);\n{line.format(marker=marker, other=other)}\n"
                              "CREATE TABLE last (id);")
    with pytest.raises(SqlgenError, match="nothing was run"):
        commands.upgrade(config, echo=Output())
    import sqlite3

    names = {row[0] for row in sqlite3.connect(db).execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert names <= {"sqlgen_version"}
    assert not marker.exists()
    out = Output()
    assert commands.lint(config, (str(up),), echo=out) == 1 and "ERROR client-command" in out.text
    if not line.startswith(" ") and "bail" not in line:  # the shell reads it as its command
        shell = tmp_path / "shell.db"
        with open(up, "rb") as handle:
            subprocess.run([shutil.which("sqlite3"), "-bail", str(shell)], stdin=handle, capture_output=True,
                           cwd=tmp_path, timeout=60)
        assert marker.exists() or "from_other" in {row[0] for row in sqlite3.connect(shell).execute(
            "SELECT name FROM sqlite_master")}


def test_sqlite_hash_lines_are_comments_as_in_the_shell(tmp_path):
    import sqlite3

    db, shell = tmp_path / "app.db", tmp_path / "shell.db"
    config = make_config(sqlite_url(db), None, tmp_path / "m")
    up = hand_written(config, "# DROP TABLE x;\nCREATE TABLE a (id);\n#CREATE TABLE never (id);")
    commands.upgrade(config, echo=Output())
    with open(up, "rb") as handle:
        done = subprocess.run([shutil.which("sqlite3"), "-bail", str(shell)], stdin=handle, capture_output=True,
                              timeout=60)
    assert done.returncode == 0, done.stderr

    def names(path):
        return {row[0] for row in sqlite3.connect(path).execute("SELECT name FROM sqlite_master WHERE type='table'")}

    assert names(db) == names(shell) == {"a", "sqlgen_version"}


def test_sqlite_a_foreign_statement_in_a_tracking_block_is_refused(tmp_path):
    import sqlite3

    db = tmp_path / "app.db"
    connection = sqlite3.connect(db)
    connection.execute("CREATE TABLE sentinel (id INTEGER PRIMARY KEY)")
    connection.execute("INSERT INTO sentinel VALUES (1)")
    connection.commit()
    connection.close()
    models = models_module(tmp_path, 'sa.Table("added", metadata, sa.Column("id", sa.Integer, primary_key=True))\n')
    config = make_config(sqlite_url(db), models, tmp_path / "m", root=tmp_path)
    up, _ = commands.generate(config, "add", echo=Output()).paths
    _insert_after(up, "'running', 0, 1, strftime('%Y-%m-%d %H:%M:%f', 'now'), 'sqlite');\n", 'DROP TABLE "sentinel";\n')
    with pytest.raises(SqlgenError, match="a statement sqlgen did not write"):
        commands.upgrade(config, echo=Output())
    assert sqlite3.connect(db).execute("SELECT id FROM sentinel").fetchall() == [(1,)]


# --- Templates --------------------------------------------------------------------------------

ESCAPING_TEMPLATES = {
    "block-comment": ("/* {{ title }} */\n{% for block in blocks %}\n{{ block }}\n{% endfor %}\n", "*/ DROP TABLE sentinel; /*"),
    "bare": ("{{ title }}\n{% for block in blocks %}\n{{ block }}\n{% endfor %}\n", "DROP TABLE sentinel;"),
    "marker": ("-- {{ title }}\n{{ tracking_begin }}\n{% for block in blocks %}\n{{ block }}\n{% endfor %}\n"
               "{{ tracking_end }}\n", "sqlgen:tracking begin"),
    "acknowledgement": ("-- {{ title }}\n{{ tracking_begin }}\n{% for block in blocks %}\n{{ block }}\n{% endfor %}\n"
                        "{{ tracking_end }}\n", "sqlgen: allow drop-table sentinel"),
    "drops-a-block": ("-- {{ title }}\n{{ tracking_begin }}\n{{ tracking_end }}\n", "x"),
}


@pytest.mark.mysql
@pytest.mark.parametrize("label", list(ESCAPING_TEMPLATES))
def test_a_template_cannot_let_text_out_of_a_comment(scratch_db, tmp_path, label):
    template, message = ESCAPING_TEMPLATES[label]
    sentinel(scratch_db)
    folder = tmp_path / "templates"
    folder.mkdir()
    (folder / "up.sql.j2").write_text(template)
    models = models_module(tmp_path, 'sa.Table("added", metadata, sa.Column("id", sa.Integer, primary_key=True))\n')
    config = make_config(scratch_db, models, tmp_path / "m", root=tmp_path, templates=folder)
    with pytest.raises(SqlgenError, match="does not say what runs") as caught:
        commands.generate(config, message, echo=Output())
    assert "Nothing was written" in str(caught.value)
    assert not (tmp_path / "m").exists()
    assert sentinel_rows(scratch_db) == [(1,), (2,)]


TEMPLATE_ERRORS = {
    "raises": ("{{ 1 / 0 }}", "ZeroDivisionError"),
    "sandbox": ("{{ ''.__class__.__mro__[1].__subclasses__() }}", "unsafe"),
    "undefined": ("{{ no_such_variable }}", "no_such_variable"),
    "syntax": ("{% for %}", "line 1"),
}


@pytest.mark.parametrize("label", list(TEMPLATE_ERRORS) + ["not-utf8"])
def test_a_template_that_fails_is_one_line(tmp_path, monkeypatch, label):
    monkeypatch.chdir(tmp_path)
    folder = tmp_path / "templates"
    folder.mkdir()
    if label == "not-utf8":
        (folder / "up.sql.j2").write_bytes(b"-- caf\xe9 {{ title }}\n")
        expected = "not UTF-8"
    else:
        template, expected = TEMPLATE_ERRORS[label]
        (folder / "up.sql.j2").write_text(template)
    (tmp_path / "sqlgen.toml").write_text('url = "sqlite:///app.db"\ntemplates = "templates"\n')
    result = invoke("generate", "--empty", "-m", "x")
    one_error_line(result, "up.sql.j2", expected)
    assert not (tmp_path / "migrations").exists() or not list((tmp_path / "migrations").glob("*.sql"))


# --- Tracking rows sqlgen never writes, and other bad input of the runner commands -----------

@pytest.mark.mysql
@pytest.mark.parametrize("tamper, words", [
    ("UPDATE sqlgen_version SET started_at = '0000-00-00 00:00:00'", ("version 1", "zero date")),
    ("UPDATE sqlgen_version SET state = 'done'", ("version 1", "'done'")),
    ("UPDATE sqlgen_version SET checksum = 'x'", ("version 1", "checksum")),
    ("ALTER TABLE sqlgen_version DROP COLUMN down_checksum", ("wrong shape", "down_checksum")),
])
@pytest.mark.parametrize("command", ["status", "history", "current", "upgrade", "verify"])
def test_a_tracking_row_sqlgen_never_wrote_is_named(generated, tamper, words, command):
    config, _, _ = generated
    commands.upgrade(config, echo=Output())
    execute(config.url, "SET SESSION sql_mode = ''", tamper)
    result = invoke("--url", config.url, "--dir", config.directory, command)
    one_error_line(result, "sqlgen_version", *words)


@pytest.mark.mysql
def test_the_error_column_is_shown_escaped(generated):
    config, _, _ = generated
    commands.upgrade(config, echo=Output())
    execute(config.url, "UPDATE sqlgen_version SET state = 'failed', statements_applied = 1, "
                        "error = 'boom\\nDROP TABLE sentinel;\\r\\u2028' WHERE version = 1")
    execute(config.url, "UPDATE sqlgen_version SET error = CONCAT('boom', CHAR(10), 'DROP TABLE sentinel;', "
                        "CHAR(13), _utf8mb4 x'e280a8') WHERE version = 1")
    out = Output()
    commands.status(config, echo=out)
    line = next(line for line in out.lines if "boom" in line)
    assert "boom\\nDROP TABLE sentinel;\\r\\u2028" in line
    out = Output()
    commands.history_(config, echo=out)
    assert all("\r" not in line and "\u2028" not in line for line in out.lines)


@pytest.mark.parametrize("command", ["status", "upgrade", "current", "history", "verify", "sql", "rehash"])
def test_a_migrations_folder_that_does_not_exist_is_an_error_not_up_to_date(tmp_path, monkeypatch, command):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "app.db").touch()
    args = ["--url", "sqlite:///app.db", "--dir", "does-not-exist", command]
    one_error_line(invoke(*args), "does-not-exist", "does not exist")


def test_lint_offline_on_a_binary_file_is_one_line(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "blob.sql").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\xff\xfe")
    one_error_line(invoke("lint", "--offline", "blob.sql"), "blob.sql", "not UTF-8")


@pytest.mark.parametrize("where", ["under-a-file", "not-writable"])
def test_a_dir_that_cannot_hold_migrations_is_one_line(tmp_path, monkeypatch, where):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "afile").write_text("x")
    folder = "afile/migrations" if where == "under-a-file" else "/sys/sqlgen_cannot_write_here"
    result = invoke("--url", "sqlite:///app.db", "--dir", folder, "generate", "--empty", "-m", "x")
    one_error_line(result, "migrations folder" if where == "under-a-file" else "sqlgen_cannot_write_here")


@pytest.mark.parametrize("tamper, words", [
    ("UPDATE sqlgen_version SET started_at = 'yesterday'", ("version 1", "not both dates")),
    ("UPDATE sqlgen_version SET state = 'done'", ("version 1", "'done'")),
    ("UPDATE sqlgen_version SET checksum = 'one'", ("'one'", "checksum")),
    ("ALTER TABLE sqlgen_version DROP COLUMN down_checksum", ("wrong shape", "down_checksum")),
])
def test_sqlite_a_tracking_row_sqlgen_never_wrote_is_named(tmp_path, monkeypatch, tamper, words):
    import sqlite3

    monkeypatch.chdir(tmp_path)
    config = make_config(sqlite_url(tmp_path / "app.db"), None, tmp_path / "m")
    commands.generate(config, "empty", empty=True, echo=Output())
    commands.upgrade(config, echo=Output())
    connection = sqlite3.connect(tmp_path / "app.db")
    connection.execute(tamper)
    connection.commit()
    connection.close()
    for command in ("status", "history", "upgrade"):
        one_error_line(invoke("--url", f"sqlite:///{tmp_path / 'app.db'}", "--dir", tmp_path / "m", command),
                       "sqlgen_version", *words)


# --- Found by the adversarial review ------------------------------------------------------------

@pytest.mark.mysql
@pytest.mark.parametrize("template, message", [
    ("/* sqlgen migration {{ version }} (up): {{ title }} */\n{{ tracking_begin }}\n{% for block in blocks %}\n"
     "{{ block }}\n{% endfor %}\n{{ tracking_end }}\n", "notes /*! see */ -- */ DROP TABLE sentinel; /*"),
    ("-- {{ title }}\n{{ tracking_begin }}\n{% for block in blocks %}\n{{ block[:-1] }}--\x1c; DROP TABLE sentinel;\n;"
     "\n{% endfor %}\n{{ tracking_end }}\n", "x"),
])
def test_a_template_cannot_hide_a_statement_from_the_runner(scratch_db, tmp_path, template, message):
    sentinel(scratch_db)
    folder = tmp_path / "templates"
    folder.mkdir()
    (folder / "up.sql.j2").write_text(template)
    models = models_module(tmp_path, 'sa.Table("added", metadata, sa.Column("id", sa.Integer, primary_key=True))\n')
    config = make_config(scratch_db, models, tmp_path / "m", root=tmp_path, templates=folder)
    with pytest.raises(SqlgenError, match="does not say what runs"):
        commands.generate(config, message, echo=Output())
    assert not (tmp_path / "m").exists()


@pytest.mark.mysql
def test_a_comment_the_client_reads_otherwise_in_a_tracking_block_is_refused(generated, scratch_db, run_client):
    config, up, _ = generated
    _insert_after(up, "CURRENT_USER());\n", "/* see ticket /*! 42 */ -- */ DROP TABLE sentinel;\n")
    with pytest.raises(SqlgenError, match="nothing was run"):
        commands.upgrade(config, echo=Output())
    out = Output()
    assert commands.status(config, echo=out) == 1 and "'/*!' inside a comment" in out.text
    assert sentinel_rows(scratch_db) == [(1,), (2,)]


@pytest.mark.mysql
@pytest.mark.parametrize("first, second", [
    ("SET sql_mode = 'NO_BACKSLASH_ESCAPES';", "SELECT 'a\\'; DROP TABLE sentinel; -- ';"),
    ("USE mysql;", "CREATE TABLE added (id int);"),
    ("SET foreign_key_checks = 0;", "CREATE TABLE added (id int);"),
    ("CREATE TEMPORARY TABLE scratch (id int);", "CREATE TABLE added (id int);"),
    ("START TRANSACTION;\nINSERT INTO sentinel VALUES (3);", "CREATE TABLE added (id int);"),
    # Anything not known to leave the session as it found it, however it is spelled.
    ("SELECT GET_LOCK('held', 0);", "CREATE TABLE added (id int);"),
    ("SELECT 1 INTO @leaked;", "CREATE TABLE added (id int);"),
    ("UPDATE sentinel SET id = (@n := id) WHERE id = 1;", "CREATE TABLE added (id int);"),
    ("CREATE OR REPLACE TEMPORARY TABLE scratch (id int);", "CREATE TABLE added (id int);"),
    ("/*!40101 SET @OLD_MODE = @@sql_mode */;", "CREATE TABLE added (id int);"),
    ("PREPARE s FROM 'SELECT 1';", "CREATE TABLE added (id int);"),
    ("CALL mysql.no_such_procedure();", "CREATE TABLE added (id int);"),
    ("HANDLER sentinel OPEN;", "CREATE TABLE added (id int);"),
    ("LOCK TABLE sentinel READ;", "CREATE TABLE added (id int);"),
    ("BACKUP STAGE START;", "CREATE TABLE added (id int);"),
    # ... and a file that reads what the one before left.
    ("INSERT INTO sentinel VALUES (3);", "INSERT INTO sentinel VALUES (LAST_INSERT_ID() + 10);"),
])
def test_sql_does_not_print_files_whose_session_state_would_reach_the_next(scratch, tmp_path, run_client, first,
                                                                           second):
    db = scratch.new()
    sentinel(db)
    config = make_config(db, None, tmp_path / "m")
    for message, body in (("one", first), ("two", second)):
        hand_written(config, body, message)
    with pytest.raises(SqlgenError, match="one at a time"):
        commands.sql(config, "0:2", echo=Output())
    printed = Output()
    commands.sql(config, "0:1", echo=printed)  # each file on its own is fine
    assert "0001_one.up.sql" in printed.text


@pytest.mark.mysql
def test_sql_prints_files_that_leave_the_session_as_they_found_it_as_one_script(scratch, tmp_path, run_client):
    db, by_runner = scratch.new(), scratch.new()
    for url in (db, by_runner):
        sentinel(url)
    config = make_config(db, None, tmp_path / "m")
    bodies = ["CREATE TABLE a (id int PRIMARY KEY, note varchar(40) DEFAULT '@not_a_variable := 1');",
              "INSERT INTO a (id) SELECT id FROM sentinel;\nUPDATE a SET note = 'x' WHERE id = 1;",
              "/*!40101 INSERT INTO a VALUES (3, 'versioned') */;\nSELECT COUNT(*) FROM a;\nALTER TABLE a ADD b int;"]
    for number, body in enumerate(bodies, 1):
        hand_written(config, body, f"step {number}")
    printed = Output()
    commands.sql(config, "0:3", echo=printed, offline=True)
    script = tmp_path / "all.sql"
    script.write_text("\n".join(printed.lines) + "\n")
    run_client(db, script)
    commands.upgrade(make_config(by_runner, None, tmp_path / "m"), echo=Output())
    assert snapshot(db) == snapshot(by_runner)
    assert execute(db, "SELECT id, note FROM a ORDER BY id")[0] == [(1, "x"), (2, "@not_a_variable := 1"),
                                                                    (3, "versioned")]


@pytest.mark.mysql
def test_a_set_that_turns_autocommit_off_among_other_assignments_is_no_transaction(twin_dbs, tmp_path, run_client):
    db, twin = twin_dbs
    config = make_config(db, None, tmp_path / "m")
    up = hand_written(config, "INSERT INTO sentinel VALUES (3);\nSET @note = 'batch 2', autocommit = 0;\n"
                              "INSERT INTO sentinel VALUES (4);")
    with pytest.raises(SqlgenError, match="left a transaction open"):
        commands.upgrade(config, echo=Output())
    run_client(twin, up, check=False)
    assert sentinel_rows(db) == sentinel_rows(twin) == [(1,), (2,), (3,)]  # the open one rolled back, both ways


def test_a_message_with_an_undecodable_byte_is_written_escaped(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = invoke("--url", "sqlite:///app.db", "generate", "--empty", "-m", "bad \udcff byte")
    assert result.exit_code == 0, result.output
    text = next((tmp_path / "migrations").glob("*.up.sql")).read_text(encoding="utf-8")
    assert "bad \\udcff byte" in text


def _sqlgen_in_a_child(tmp_path, *args) -> subprocess.CompletedProcess:
    """sqlgen in a child process that cannot hang the suite (a timeout) nor eat its memory (1 GiB)."""
    import os
    import resource
    import sys

    def limit_memory():
        resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))

    env = {key: value for key, value in os.environ.items() if not key.startswith("SQLGEN_")}
    return subprocess.run([sys.executable, "-m", "sqlgen", "--url", "sqlite:///app.db", *args], cwd=tmp_path,
                          env=env, capture_output=True, text=True, timeout=60, preexec_fn=limit_memory)


@pytest.mark.parametrize("kind, shown", [("fifo", "is a named pipe"), ("dev-zero", "points at a device"),
                                         ("folder", "is a folder")])
@pytest.mark.parametrize("command", [["upgrade"], ["status"], ["lint"], ["generate", "--empty", "-m", "x"]])
def test_a_migration_name_on_what_is_not_a_regular_file_is_one_line_not_a_hang(tmp_path, kind, shown, command):
    """Reading a named pipe waits for a writer and /dev/zero never ends: each is named instead.
    The folder has no DIALECT file, so the dialect is read from the files' headers first."""
    import os

    folder = tmp_path / "migrations"
    folder.mkdir()
    (folder / "0001_a.up.sql").write_text("CREATE TABLE a (id INTEGER PRIMARY KEY);\n")
    (folder / "0001_a.down.sql").write_text("DROP TABLE a;\n")
    (folder / "0002_b.down.sql").write_text("DROP TABLE b;\n")
    hostile = folder / "0002_b.up.sql"
    if kind == "fifo":
        os.mkfifo(hostile)
    elif kind == "dev-zero":
        hostile.symlink_to("/dev/zero")
    else:
        hostile.mkdir()
    (tmp_path / "app.db").touch()  # an empty file is an empty SQLite database
    result = _sqlgen_in_a_child(tmp_path, *command)
    assert result.returncode == 1, result.stdout + result.stderr
    assert result.stdout == "" and result.stderr.splitlines() == [
        f"Error: {folder.resolve() / hostile.name} {shown}, not a regular file as a migration must be; replace it with the file itself, "
        "or move it out of the folder"]


def test_a_migration_file_may_be_a_symbolic_link_to_a_regular_file(tmp_path):
    folder = tmp_path / "migrations"
    folder.mkdir()
    (tmp_path / "kept.up.sql").write_text("CREATE TABLE a (id INTEGER PRIMARY KEY);\n")
    (folder / "0001_a.up.sql").symlink_to(tmp_path / "kept.up.sql")
    (folder / "0001_a.down.sql").write_text("DROP TABLE a;\n")
    result = _sqlgen_in_a_child(tmp_path, "upgrade")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("applied 0001_a (1 statement, ")
