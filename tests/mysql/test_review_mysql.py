"""Review safety on MariaDB: renames that keep data, the check command, lint and --verify."""

from __future__ import annotations

import json
import os
import re
import sys

import pytest
from click.testing import CliRunner

import change_kinds
from sqlgen import commands
from sqlgen.cli import main
from sqlgen.errors import SqlgenError
import support
from support import Output, assert_same_schema, create_all, execute, make_config, snapshot, url_text

pytestmark = pytest.mark.mysql


def test_rename_hints_keep_the_rows(scratch_db, run_client, tmp_path):
    create_all(change_kinds.renamed__before, scratch_db)
    execute(scratch_db, "INSERT INTO account VALUES (1, 'hello')", "INSERT INTO person VALUES (7, 1)")
    before = snapshot(scratch_db)
    config = make_config(scratch_db, "change_kinds:renamed__after", tmp_path / "m")
    out = Output()
    result = commands.generate(config, "rename", renames=("account.bio:about", "person:member"), echo=out)
    assert out.lines[:2] == ["~ table person renamed to member", "~ column account.bio renamed to about"]
    assert "RENAME TABLE `person` TO `member`;" in result.up_text
    assert "RENAME COLUMN `bio` TO `about`" in result.up_text
    assert "DROP" not in result.up_text.split("-- sqlgen:tracking end", 1)[1].split("-- sqlgen:tracking begin")[0]
    run_client(scratch_db, result.paths[0])
    assert execute(scratch_db, "SELECT id, about FROM account")[0] == [(1, "hello")]
    assert execute(scratch_db, "SELECT id, account_id FROM member")[0] == [(7, 1)]
    again = Output()
    commands.generate(config, "again", echo=again)
    assert again.lines == ["No changes detected"]
    run_client(scratch_db, result.paths[1])
    assert_same_schema(snapshot(scratch_db), before)
    assert execute(scratch_db, "SELECT bio FROM account")[0] == [("hello",)]


def test_without_a_hint_it_is_a_flagged_drop_and_add(scratch_db, tmp_path):
    create_all(change_kinds.renamed__before, scratch_db)
    config = make_config(scratch_db, "change_kinds:renamed__after", tmp_path / "m")
    result = commands.generate(config, "no hint", dry_run=True, echo=Output())
    assert "DESTRUCTIVE drop-column account.bio:" in result.up_text


def test_asking_about_likely_renames(scratch_db, tmp_path):
    create_all(change_kinds.renamed__before, scratch_db)
    config = make_config(scratch_db, "change_kinds:renamed__after", tmp_path / "m")
    questions = []

    def ask(question: str) -> bool:
        questions.append(question)
        return "column" in question  # yes to the column, no to the table

    result = commands.generate(config, "asked", dry_run=True, ask=ask, echo=Output())
    assert questions == [
        "Did you rename table person to member (same definition)? Renaming keeps the data",
        "Did you rename column account.bio to account.about (same definition)? Renaming keeps the data",
    ]
    assert "RENAME COLUMN `bio` TO `about`" in result.up_text
    assert "DROP TABLE `person`" in result.up_text


def test_bad_rename_hints(scratch_db, tmp_path):
    create_all(change_kinds.renamed__before, scratch_db)
    config = make_config(scratch_db, "change_kinds:renamed__after", tmp_path / "m")
    with pytest.raises(SqlgenError, match="the database has no such column"):
        commands.generate(config, "x", renames=("account.nope:about",), echo=Output())
    with pytest.raises(SqlgenError, match="write TABLE:NEW or TABLE.COLUMN:NEW"):
        commands.generate(config, "x", renames=("account.bio",), echo=Output())


def on_a_terminal(extra_args: list[str], url, directory, answers: list[bytes]) -> str:
    """Run `sqlgen generate` on a pseudo-terminal, answering each [y/N] question in turn."""
    import pty

    tests = os.path.dirname(os.path.abspath(support.__file__))  # where the model sets are
    args = [sys.executable, "-m", "sqlgen", "--url", url_text(url), "--models", "change_kinds:renamed__after",
            "--dir", str(directory), "generate", "-m", "renamed", *extra_args]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([tests, *sys.path])}
    pid, fd = pty.fork()
    if pid == 0:  # the child: sqlgen on a terminal
        os.chdir(tests)
        os.execvpe(args[0], args, env)
    output = b""
    pending = iter(answers)
    while True:
        try:
            chunk = os.read(fd, 1024)
        except OSError:
            break
        if not chunk:
            break
        output += chunk
        if chunk.rstrip().endswith(b"[y/N]:"):
            os.write(fd, next(pending))
    os.waitpid(pid, 0)
    return output.decode()


def test_the_interactive_prompt_on_a_terminal(scratch_db, tmp_path):
    """Driven through a pseudo-terminal, as a developer would answer it."""
    create_all(change_kinds.renamed__before, scratch_db)
    text = on_a_terminal([], scratch_db, tmp_path / "m", [b"n\n", b"y\n"])
    assert "Did you rename table person to member" in text
    assert "Did you rename column account.bio to account.about" in text
    up = next((tmp_path / "m").glob("*.up.sql")).read_text()
    assert "RENAME COLUMN `bio` TO `about`" in up and "DROP TABLE `person`" in up


def test_no_input_never_asks_even_on_a_terminal(scratch_db, tmp_path):
    create_all(change_kinds.renamed__before, scratch_db)
    text = on_a_terminal(["--no-input"], scratch_db, tmp_path / "m", [])
    assert "Did you rename" not in text
    up = next((tmp_path / "m").glob("*.up.sql")).read_text()
    assert "DROP COLUMN `bio`" in up


def test_check_exit_codes_and_json(scratch_db, tmp_path):
    config = make_config(scratch_db, "change_kinds:create_table__after", tmp_path / "m")
    out = Output()
    assert commands.check(config, echo=out) == 1
    assert "+ table post" in out.lines and out.lines[-1].startswith("The database differs from the models")
    create_all(change_kinds.create_table__after, scratch_db)
    out = Output()
    assert commands.check(config, echo=out) == 0
    assert out.lines == ["The database matches the models"]
    execute(scratch_db, "ALTER TABLE post DROP COLUMN body")
    out = Output()
    assert commands.check(config, as_json=True, echo=out) == 1
    report = json.loads(out.text)
    assert report["in_sync"] is False
    assert report["changes"] == [{"change": "+ column post.body", "statement": "AlterTable"}]
    assert report["database"].startswith("mariadb")
    result = CliRunner().invoke(main, ["--url", url_text(scratch_db), "--models", "change_kinds:create_table__after",
                                       "check", "--json"])
    assert result.exit_code == 1 and json.loads(result.output)["in_sync"] is False


def _scratch_databases(url) -> list[str]:
    rows = execute(url, "SELECT SCHEMA_NAME FROM information_schema.SCHEMATA "
                        "WHERE LEFT(SCHEMA_NAME, 14) = 'sqlgen_verify_'")
    return [row[0] for row in rows[0]]


def test_verify_proves_the_pair_and_records_it(scratch_db, tmp_path):
    directory = tmp_path / "m"
    before = _scratch_databases(scratch_db)
    first = make_config(scratch_db, "change_kinds:drop_column__before", directory)
    out = Output()
    commands.generate(first, "start", verify=True, echo=out)
    assert out.lines[0].startswith("Verified on a scratch database: yes, on mariadb 10.")
    assert "(replayed 0 migration(s), then this up and down)" in out.lines[0]
    commands.upgrade(first, echo=Output())
    second = make_config(scratch_db, "change_kinds:drop_column__after", directory, verify=True)  # the config key
    result = commands.generate(second, "drop email", echo=Output())
    for text in (result.up_text, result.down_text):
        verified = next(line for line in text.splitlines() if line.startswith("-- Verified:"))
        assert re.fullmatch(r"-- Verified:   yes, on mariadb 10\.\S+, \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC "
                            r"\(replayed 1 migration\(s\), then this up and down\)", verified), verified
    assert _scratch_databases(scratch_db) == before
    # The verified files are what runs: the recorded checksums match the statements.
    out = Output()
    assert commands.status(second, echo=out) == 1 and "pending:   1 (0002_drop_email)" in out.lines


def test_a_sqlite_verify_url_is_refused_on_mysql(scratch_db, tmp_path):
    """Read as a MySQL URL, sqlite:///x.db would have made the scratch database on localhost:3306."""
    directory = tmp_path / "m"
    before = _scratch_databases(scratch_db)
    config = make_config(scratch_db, "change_kinds:drop_column__before", directory,
                         verify_url=f"sqlite:///{tmp_path / 'scratch.db'}")
    with pytest.raises(SqlgenError, match=r"^verify_url 'sqlite:///.*scratch\.db' is a sqlite database, but the "
                                          r"migrations are for mysql; point verify_url at a mysql server"):
        commands.generate(config, "start", verify=True, echo=Output())
    assert not directory.exists() or not list(directory.glob("*.sql"))
    assert not (tmp_path / "scratch.db").exists() and _scratch_databases(scratch_db) == before


def test_verify_failing_writes_nothing_and_leaves_no_scratch_database(scratch_db, tmp_path):
    """A template that leaves out the last statement: the up file no longer reaches the models."""
    from sqlgen.writer import builtin_templates

    create_all(change_kinds.create_table__before, scratch_db)
    templates = tmp_path / "templates"
    templates.mkdir()
    broken = (builtin_templates() / "up.sql.j2").read_text().replace("{% for block in blocks %}",
                                                                      "{% for block in blocks[:-1] %}")
    (templates / "up.sql.j2").write_text(broken)
    directory = tmp_path / "m"
    before = _scratch_databases(scratch_db)
    config = make_config(scratch_db, "change_kinds:create_table__after", directory, templates=templates)
    # The database was made by create_all, not by migrations: verification says so first.
    with pytest.raises(SqlgenError, match=r"--verify failed on a scratch database, nothing written: the 0 existing "
                                          r"migration\(s\) do not build the database this pair was computed against"):
        commands.generate(config, "post", verify=True, echo=Output())
    execute(scratch_db, "DROP TABLE `user`")
    with pytest.raises(SqlgenError, match=r"nothing written: after 0001_post.up.sql the schema still differs from "
                                          r"the models \(still to do: \+ table post\)"):
        commands.generate(config, "post", verify=True, echo=Output())
    assert not directory.exists() or not list(directory.glob("*.sql"))
    assert _scratch_databases(scratch_db) == before
    # Through the CLI: one line, exit 1.
    (tmp_path / "sqlgen.toml").write_text(f'url = "{url_text(scratch_db)}"\nmodels = "change_kinds:create_table__after"\n'
                                          'templates = "templates"\nverify = true\n')
    result = CliRunner().invoke(main, ["-C", str(tmp_path), "--dir", str(directory), "generate", "-m", "post"])
    assert result.exit_code == 1 and result.output.startswith("Error: --verify failed")
    assert _scratch_databases(scratch_db) == before
