"""sqlgen lint on MariaDB: every code on hand-written and generated files, acknowledgements, exit codes."""

from __future__ import annotations

import re

import pytest
from click.testing import CliRunner

import change_kinds
import lint_models
from sqlgen import commands
from sqlgen.cli import main
from sqlgen.dialects import connect
from sqlgen.dialects import get as dialect_named
from sqlgen.lint import CODES, lint_file
from sqlgen.mysql.dialect import server_info
from sqlgen.mysql.reflect import reflect
from support import Output, Scratch, create_all, make_config, url_text

MYSQL = dialect_named("mysql")

pytestmark = pytest.mark.mysql

SETUP = (
    "CREATE TABLE parent (id int PRIMARY KEY) ENGINE=InnoDB",
    """CREATE TABLE account (
         id int NOT NULL AUTO_INCREMENT PRIMARY KEY,
         bio varchar(200) NULL,
         code varchar(120) NULL,
         kind enum('a','b','c') NULL,
         note varchar(20) NULL,
         total int GENERATED ALWAYS AS (char_length(note) * 2) STORED,
         half int GENERATED ALWAYS AS (char_length(code)) VIRTUAL,
         parent_id int NULL,
         CONSTRAINT fk_parent FOREIGN KEY (parent_id) REFERENCES parent (id),
         CONSTRAINT ck_note CHECK (char_length(note) > 0)
       ) ENGINE=InnoDB""",
    "CREATE TABLE log (id int PRIMARY KEY, msg text) ENGINE=InnoDB",
)

# (code, statement of a hand-written file, target) against the tables above on MariaDB 10.11.
HAND_WRITTEN = [
    ("drop-table", "DROP TABLE log;", "log"),
    ("drop-sequence", "DROP SEQUENCE IF EXISTS numbers, `other_seq`;", "other_seq"),
    ("drop-column", "ALTER TABLE account DROP COLUMN bio;", "account.bio"),
    ("drop-generated", "ALTER TABLE `account` DROP `total`;", "account.total"),
    ("truncate", "TRUNCATE TABLE log;", "log"),
    ("narrow-type", "ALTER TABLE account MODIFY code varchar(50) NULL;", "account.code"),
    ("not-null", "ALTER TABLE account MODIFY COLUMN note varchar(20) NOT NULL;", "account.note"),
    ("not-null", "ALTER TABLE log ADD COLUMN level int NOT NULL;", "log.level"),
    ("unique", "CREATE UNIQUE INDEX uq_code ON account (code);", "account.uq_code"),
    ("unique", "ALTER TABLE account ADD UNIQUE KEY uq_note (note);", "account.uq_note"),
    ("enum-values", "ALTER TABLE account MODIFY kind enum('a','c') NULL;", "account.kind"),
    ("enum-values", "ALTER TABLE account MODIFY kind enum('c','b','a') NULL;", "account.kind"),
    ("drop-foreign-key", "ALTER TABLE account DROP FOREIGN KEY fk_parent;", "account.fk_parent"),
    ("drop-check", "ALTER TABLE account DROP CONSTRAINT ck_note;", "account.ck_note"),
    ("drop-primary-key", "ALTER TABLE log DROP PRIMARY KEY;", "log"),
    ("add-foreign-key", "ALTER TABLE log ADD CONSTRAINT fk_log FOREIGN KEY (id) REFERENCES parent (id);",
     "log.fk_log"),
    ("add-check", "ALTER TABLE log ADD CONSTRAINT ck_msg CHECK (msg <> '');", "log.ck_msg"),
    ("rename", "RENAME TABLE log TO journal;", "log"),
    ("rename", "ALTER TABLE account RENAME COLUMN bio TO about;", "account.bio"),
    ("rename", "ALTER TABLE account CHANGE bio about varchar(200) NULL;", "account.bio"),
    ("table-copy", "ALTER TABLE log ENGINE=MyISAM;", "log"),
    ("table-copy", "ALTER TABLE account MODIFY code int NULL;", "account"),
    ("table-rebuild", "ALTER TABLE log FORCE;", "log"),
    ("table-rebuild", "ALTER TABLE account MODIFY note varchar(20) NOT NULL;", "account"),
    ("blocks-writes", "CREATE FULLTEXT INDEX ft_msg ON log (msg);", "log"),
    ("delete-all", "DELETE FROM log;", "log"),
    ("delete-all", "UPDATE log SET msg = '';", "log"),
]
# Statements the server runs in place (INSTANT or INPLACE without a rebuild): nothing to report.
QUIET = [
    "ALTER TABLE account ADD COLUMN added int NULL;",
    "ALTER TABLE account ADD COLUMN added int NULL AFTER bio;",
    "ALTER TABLE account DROP COLUMN half;",  # virtual: no data
    "ALTER TABLE account MODIFY code varchar(150) NULL;",  # longer, same 2-byte length prefix
    "ALTER TABLE account MODIFY kind enum('a','b','c','d') NULL;",  # a value added at the end
    "CREATE INDEX ix_note ON account (note);",
    "ALTER TABLE account COMMENT = 'people';",
    "DELETE FROM log WHERE id = 1;",
]


@pytest.fixture(scope="module")
def database(mysql_server):
    """One database holding the tables above, and its reflected schema and server."""
    made = Scratch(mysql_server)
    url = made.new()
    from support import execute

    execute(url, *SETUP)
    with connect(url_text(url)) as connection:
        server = server_info(connection)
        schema = reflect(connection, server, frozenset({"sqlgen_version"}))
    yield url, schema, server
    made.drop_all()


def _pairs(findings, acknowledged=None):
    return [(f.code, f.target) for f in findings if acknowledged is None or f.acknowledged == acknowledged]


@pytest.mark.parametrize("code, statement, target", HAND_WRITTEN,
                         ids=[f"{code}:{statement[:30]}" for code, statement, _ in HAND_WRITTEN])
def test_each_code_on_a_hand_written_file(database, tmp_path, code, statement, target):
    _, schema, server = database
    path = tmp_path / "0001_by_hand.up.sql"
    path.write_text(f"-- written by hand\n\n{statement}\n")
    findings = lint_file(path, MYSQL, schema, server)
    assert (code, target) in _pairs(findings), findings
    assert all(finding.line == 3 for finding in findings)
    # The documented comment accepts exactly that finding.
    path.write_text(f"-- sqlgen: allow {code} {target}\n{statement}\n")
    assert (code, target) in _pairs(lint_file(path, MYSQL, schema, server), acknowledged=True)
    path.write_text(f"-- sqlgen: allow {code} someone.else\n{statement}\n")
    assert (code, target) in _pairs(lint_file(path, MYSQL, schema, server), acknowledged=False)


def test_every_code_is_covered_and_documented():
    import pathlib

    covered = {code for code, _, _ in HAND_WRITTEN} | {"change-type"}  # change-type: test_offline_lint
    covered |= {"client-command", "tracking-block"}  # errors, never acknowledged: tests/generic/test_file_safety.py
    assert covered == set(CODES)
    readme = (pathlib.Path(__file__).resolve().parents[2] / "README.md").read_text()
    for code in CODES:
        assert f"`{code}`" in readme, f"{code} is not in the README's table of lint codes"


@pytest.mark.parametrize("statement", QUIET)
def test_changes_made_in_place_are_not_reported(database, tmp_path, statement):
    _, schema, server = database
    path = tmp_path / "0001_quiet.up.sql"
    path.write_text(statement + "\n")
    assert lint_file(path, MYSQL, schema, server) == []


def test_the_algorithm_depends_on_the_server_version(database, tmp_path):
    """A column dropped or added in the middle is INSTANT on MariaDB 10.4+, a rebuild on 10.3."""
    from dataclasses import replace

    _, schema, server = database
    path = tmp_path / "0001_v.up.sql"
    path.write_text("ALTER TABLE account ADD COLUMN added int NULL AFTER bio;\n")
    assert lint_file(path, MYSQL, schema, server) == []
    old = replace(server, version=(10, 3, 39), version_string="10.3.39-MariaDB")
    findings = lint_file(path, MYSQL, schema, old)
    assert _pairs(findings) == [("table-rebuild", "account")]
    assert "ALGORITHM=INPLACE" in findings[0].message and "10.3.39" in findings[0].message
    mysql57 = replace(server, flavour="mysql", version=(5, 7, 44), version_string="5.7.44")
    assert _pairs(lint_file(path, MYSQL, schema, mysql57)) == [("table-rebuild", "account")]
    mysql8 = replace(server, flavour="mysql", version=(8, 0, 36), version_string="8.0.36")
    assert lint_file(path, MYSQL, schema, mysql8) == []


def test_an_explicit_algorithm_is_not_reported_as_a_silent_copy(database, tmp_path):
    _, schema, server = database
    path = tmp_path / "0001_a.up.sql"
    path.write_text("ALTER TABLE log ENGINE=MyISAM, ALGORITHM=INPLACE;\n")
    assert lint_file(path, MYSQL, schema, server) == []  # the server refuses rather than copy


def test_offline_lint_cannot_tell_narrowing(tmp_path):
    path = tmp_path / "0001_offline.up.sql"
    path.write_text("ALTER TABLE account MODIFY code varchar(50) NULL;\nDROP TABLE log;\n")
    result = CliRunner().invoke(main, ["--dir", str(tmp_path), "lint", "--offline", str(path)])
    assert result.exit_code == 1, result.output
    assert "note: without the database, narrowing and the server's algorithms are not judged" in result.output
    assert re.search(r"0001_offline.up.sql:1: WARNING change-type account.code: ", result.output)
    assert re.search(r"0001_offline.up.sql:2: DESTRUCTIVE drop-table log: ", result.output)


def test_lint_command_exit_codes_and_acknowledgement(database, tmp_path):
    url, _, _ = database
    path = tmp_path / "0001_hand.up.sql"
    path.write_text("ALTER TABLE account DROP COLUMN bio, MODIFY code varchar(50) NULL;\n")
    args = ["--url", url_text(url), "--dir", str(tmp_path), "lint", str(path)]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 1
    assert "0001_hand.up.sql:1: DESTRUCTIVE drop-column account.bio: drops column account.bio and its data" \
        in result.output
    assert result.output.rstrip().endswith("1 destructive finding(s) not allowed, 2 warning(s), 0 allowed; "
                                           "accept one with a line `-- sqlgen: allow CODE TARGET` in the file")
    path.write_text("-- sqlgen: allow drop-column account.bio\n" + path.read_text())
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    assert "allowed drop-column account.bio" in result.output
    assert "WARNING narrow-type account.code" in result.output  # warnings never fail the run
    # A code alone accepts it on every target.
    path.write_text("-- sqlgen: allow drop-column\nALTER TABLE account DROP COLUMN bio, DROP COLUMN note;\n")
    assert CliRunner().invoke(main, args).exit_code == 0
    missing = CliRunner().invoke(main, ["--url", url_text(url), "--dir", str(tmp_path), "lint", "nope.sql"])
    assert missing.exit_code == 1 and "nope.sql: no such file" in missing.output


def _review_notes(text: str) -> list[str]:
    return [line[5:] for line in text.splitlines() if re.match(r"--   (DESTRUCTIVE|WARNING) ", line)]


def _codes(lines: list[str]) -> set[tuple[str, str]]:
    return {(line.split(" ")[1], line.split(" ")[2].rstrip(":")) for line in lines}


def test_generated_files_carry_review_notes_and_lint_agrees(scratch_db, tmp_path, run_client):
    create_all(lint_models.risky__before, scratch_db)
    directory = tmp_path / "m"
    config = make_config(scratch_db, "lint_models:risky__after", directory)
    result = commands.generate(config, "tighten", echo=Output())
    up = _review_notes(result.up_text)
    assert _codes(up) == {
        ("drop-table", "old"), ("drop-column", "account.bio"), ("drop-foreign-key", "account.fk_parent"),
        ("drop-check", "account.ck_note"), ("narrow-type", "account.code"), ("enum-values", "account.kind"),
        ("not-null", "account.note"), ("not-null", "account.extra"), ("unique", "account.code"),
        ("table-copy", "account"),
    }
    assert "expected ALGORITHM=COPY on mariadb 10." in "\n".join(up)
    # Each statement carries its own flags right above it.
    assert "-- DESTRUCTIVE drop-table old: drops table old and every row in it\nDROP TABLE `old`;" in result.up_text
    assert _codes(_review_notes(result.down_text)) >= {("add-check", "account.ck_note"),
                                                       ("add-foreign-key", "account.fk_parent"),
                                                       ("drop-column", "account.extra")}

    # sqlgen lint on the pending file finds what the header says, and fails until allowed.
    out = Output()
    assert commands.lint(config, echo=out) == 1
    found = [line.split(": ", 1)[1] for line in out.lines if re.match(r".*\.up\.sql:\d+: ", line)]
    assert sorted(found) == sorted(up)
    path = result.paths[0]
    path.write_text(path.read_text() + "-- sqlgen: allow drop-table old\n-- sqlgen: allow drop-column account.bio\n")
    out = Output()
    assert commands.lint(config, echo=out) == 0
    assert out.lines[-1] == "1 file(s): 0 destructive finding(s) not allowed, 8 warning(s), 2 allowed"
    # The comments change no statement: the file still runs and records itself.
    run_client(scratch_db, path)
    out = Output()
    assert commands.lint(config, echo=out) == 0 and out.lines == ["Nothing to lint: no migration is pending"]


def test_generated_review_notes_for_keys_generated_columns_and_fulltext(scratch_db, tmp_path):
    create_all(lint_models.reshaped__before, scratch_db)
    config = make_config(scratch_db, "lint_models:reshaped__after", tmp_path / "m")
    result = commands.generate(config, "reshape", dry_run=True, echo=Output())
    up = _codes(_review_notes(result.up_text))
    assert {("drop-primary-key", "entry"), ("unique", "entry"), ("drop-generated", "entry.total"),
            ("blocks-writes", "entry"), ("table-copy", "entry")} <= up, up


def test_generated_rename_is_flagged(scratch_db, tmp_path):
    create_all(change_kinds.renamed__before, scratch_db)
    config = make_config(scratch_db, "change_kinds:renamed__after", tmp_path / "m")
    result = commands.generate(config, "rename", dry_run=True, renames=("account.bio:about", "person:member"),
                               echo=Output())
    assert _codes(_review_notes(result.up_text)) == {("rename", "person"), ("rename", "account.bio")}
