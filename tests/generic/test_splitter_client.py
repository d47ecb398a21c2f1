"""sqlgen reads a file the way the real clients do: a differential test against `mariadb`.

Each input either reads the same both ways (the statements sqlgen's splitter
gives are the ones the client sends, as `mariadb -vv` echoes them), or sqlgen
refuses it, where the clients read it in a way sqlgen does not follow. For the
refused inputs that matter most, the test also shows what the client would have
run (a `DROP TABLE sentinel`), so a refusal here is never a nicety.

The cases are the classes an adversarial review found: the order in which the
client looks for backslashes, the delimiter, comments and quotes; when `--` is
a comment; the client's whitespace; DELIMITER's arguments; sql_mode; versioned
comments and hints; the sqlite3 shell's own rules.
"""

from __future__ import annotations

import re
import shutil
import sqlite3
import subprocess

import pytest

from sqlgen.errors import SqlgenError
from sqlgen import dialects
from sqlgen.splitter import Splitter, lines_of
from support import execute

pytestmark = pytest.mark.mysql

DROP = "DROP TABLE sentinel"


def ours(sql: str, dialect: str = "mysql", sql_mode: str = "") -> tuple[list[str], list]:
    """The statements sqlgen's splitter reads, and what it refuses."""
    splitter = Splitter("case.sql", dialects.get(dialect).reading, strict=False, sql_mode=sql_mode)
    found = []
    try:
        for number, line in enumerate(lines_of(sql), 1):
            found += [statement.text for statement in splitter.feed(line, number)]
        found += [statement.text for statement in splitter.close()]
    except SqlgenError as exc:
        return found, [str(exc)]
    return found, splitter.refused


class Client:
    """The real client in batch mode, on a scratch database holding a sentinel."""

    def __init__(self, url, binary: str, folder):
        self.url, self.binary, self.folder = url, binary, folder

    @property
    def database(self) -> str:
        return self.url.database

    def __call__(self, sql: str) -> list[str]:
        """The statements the client sent for `sql`, as -vv echoes them."""
        url = self.url
        execute(url, "DROP TABLE IF EXISTS sentinel", "CREATE TABLE sentinel (id int)")
        args = [self.binary, "-vv", "--force", f"--host={url.host or '127.0.0.1'}", f"--port={url.port or 3306}",
                f"--user={url.username or 'root'}", url.database]
        done = subprocess.run(args, input=sql.encode(), capture_output=True, timeout=60, cwd=self.folder)
        return re.findall(r"^-{14}\n(.*?)\n-{14}\n", done.stdout.decode(errors="replace"), re.S | re.M)


@pytest.fixture
def client(scratch, mariadb_client, tmp_path):
    return Client(scratch.new(), mariadb_client, tmp_path)


# (id, input): read the same by sqlgen and the client.
AGREE = [
    ("plain", "SELECT 1;\nCREATE TABLE t1 (id int);\n"),
    ("quotes-backslashes-doubling", "SELECT 'it''s', 'a\\'b', \"c\\\"d\", `e``f`, 'g;h';\nSELECT 2;\n"),
    ("string-across-lines", "SELECT 'a\n;b';\nSELECT 2;\n"),
    ("dash-dash-after-a-delimiter-is-a-comment", f"SELECT 1;--'\n{DROP}; -- ';\n"),
    ("dash-dash-after-a-comment-is-a-comment", "/* c */--x\nSELECT 1;\n"),
    ("dash-dash-after-clear-is-a-comment", "SELECT 9 \\c--x\nSELECT 1;\n"),
    ("dash-dash-in-an-expression", "SELECT 1--1;\nSELECT 2 --\x1f; SELECT 3;\n"),
    ("dash-dash-at-the-end-of-the-file", "SELECT 1 --"),
    ("hash-comment", "SELECT 1 # ;x\n;\n"),
    ("block-comment", "SELECT /* ; */ 1;\n"),
    ("versioned-comment", "SELECT 1 /*!50000 + 1 */;\n/*M!100100 SELECT 2 */;\n"),
    ("hint-after-the-first-word-is-a-comment", "SELECT /*+ MAX_EXECUTION_TIME(1) */ 1;\n"),
    ("go-and-ego", "SELECT 1\\g SELECT 2\\G\n"),
    ("null-shorthand", "SELECT \\N;\n"),
    ("trailing-backslash", "SELECT 1 \\\n;\nSELECT 2;\n"),
    ("delimiter", "DELIMITER $$\nCREATE PROCEDURE p() BEGIN SELECT 1; END$$\nDELIMITER ;\nDROP PROCEDURE p;\n"),
    ("quoted-delimiter", "DELIMITER '//'\nSELECT 1//\n\\d ;\nSELECT 2;\n"),
    ("crlf", "SELECT 1;\r\nSELECT 'a\r\nb';\r\n"),
    ("lone-cr", "SELECT 'a\rb';\n"),
    ("one-bom", "\ufeffSELECT 1;\n"),
    ("second-bom-is-text", "\ufeff\ufeffSELECT 1;\n"),
    ("non-client-whitespace-is-text", "\xa0SELECT 1;\n\x1cSELECT 2;\n"),
    ("not-ascii-delimiter", "DEL\u0130M\u0130TER //\nSELECT 1;\n"),
    ("use", "use {db}\nSELECT 1;\nUSE `{db}`;\nSELECT 2;\n"),
    ("display-commands", "warnings\nnowarning\nrehash\nnotee\nnopager\nSELECT 1;\n"),
    ("no-backslash-escapes-followed", "/*!40101 SET sql_mode='NO_BACKSLASH_ESCAPES' */;\nSELECT 'a\\';\n"
                                      f"SELECT 'x'; {DROP};\n"),
    ("sql-mode-words-in-a-string", "SET @x='sql_mode NO_BACKSLASH_ESCAPES';\nSELECT 'a\\'';\nSELECT 2;\n"),
    ("dump-style-sql-mode", "/*!40101 SET @OLD_SQL_MODE=@@SQL_MODE, SQL_MODE='NO_AUTO_VALUE_ON_ZERO' */;\n"
                            "SELECT 'a\\'b';\n/*!40101 SET SQL_MODE=@OLD_SQL_MODE */;\n"),
    # Round two of the review: where the client looks at a character again.
    ("slash-star-slash-inside-a-comment", f"SELECT 1 /* x /*/ + ' */ ; {DROP}; -- '\n"),
    ("three-dashes", f"SELECT 1 --- '\n1; {DROP}; -- '\n"),
    ("star-slash-star", f"SELECT 2 */* ' */ 3; {DROP}; -- '\n"),
    ("star-slash-star-after-a-versioned-comment", "SELECT 2 /*!50000 * 3 */*/* c */ 4;\n"),
    ("trailing-backslash-keeps-the-line-break", "SELECT 1 OR\\\n1;\nSELECT 2;\n"),
    ("null-shorthand-after-a-comment", "SELECT 1/**/\\N;\nSELECT 1 /**/\\N;\n"),
    ("pending-space-after-a-comment-crosses-the-delimiter", "SELECT 1/**/;SELECT 2;\n"),
    ("dump-routine-in-a-versioned-comment", "DELIMITER ;;\n/*!50003 CREATE PROCEDURE p() BEGIN SELECT 1; END */;;\n"
                                            "DELIMITER ;\nDROP PROCEDURE p;\n"),
    ("sql-mode-after-an-escaped-quote", f"SET @x='\\'', sql_mode='NO_BACKSLASH_ESCAPES';\nSELECT 'a\\'; {DROP}; -- '\n"),
    ("slash-delimiter-and-comments", "DELIMITER //\nSELECT 1 /* c *///\nSELECT 2 */ 3//\nDELIMITER ;\n"),
]


@pytest.mark.parametrize("label, sql", AGREE, ids=[label for label, _ in AGREE])
def test_sqlgen_reads_a_file_as_the_client_does(client, label, sql):
    sql = sql.replace("{db}", client.database)
    found, refused = ours(sql)
    assert not refused, refused
    # The client runs `use` itself (COM_INIT_DB), which -vv does not echo; sqlgen sends it as USE.
    # It may send a statement with a leading space (where a comment ended the one before): the
    # server reads it the same.
    sent = [text.lstrip(" ") for text in client(sql)]
    assert [text for text in found if not text.lower().startswith("use ")] == sent


# (id, input, whether the client would run DROP TABLE sentinel from it)
REFUSED = [
    ("hint-before-a-command", "/*+ hint */\nsystem echo pwned;\nSELECT 1;\n", False),
    ("delimiter-that-starts-a-comment", f"DELIMITER #\nSELECT 1# {DROP}#\n", True),
    ("delimiter-dash-dash", f"DELIMITER --\nSELECT 1-- {DROP}--\n", True),
    ("delimiter-block-comment", f"DELIMITER /*\nSELECT 1/* {DROP}/*\n", True),
    ("delimiter-with-a-quote", "DELIMITER \"'x\"\nSELECT 1'x\nSELECT 2'x\n", False),
    ("short-delimiter-with-more-on-its-line", f"\\d // {DROP}//\nSELECT 1//\n", True),
    ("delimiter-empty-quotes", f'DELIMITER ""x {DROP};\nSELECT 1;\n', False),
    ("delimiter-with-a-tab", f"DELIMITER ;\tSELECT\t'\nSELECT 1;\tSELECT\t' {DROP};\tSELECT\t'\n", True),
    ("delimiter-backslash", "DELIMITER $\\\nSELECT 1;\n", False),
    ("delimiter-too-long", "DELIMITER abcdefghijklmnopq\nSELECT 1abcdefghijklmnopq\n", False),
    ("delimiter-alone", "DELIMITER\nSELECT 1;\n", False),
    ("delimiter-line-inside-a-statement", "DELETE FROM sentinel WHERE 'note:\ndelimiter' <> '' -\n- 0\n;\n", False),
    ("ansi-quotes-with-a-backslash", f"SET sql_mode='ANSI_QUOTES';\nSELECT \"a\\\" ; {DROP}; -- \";\n", True),
    ("sql-mode-from-a-variable", f"SET @m='NO_BACKSLASH_ESCAPES';\nSET sql_mode=@m;\nSELECT 'a\\' ; {DROP}; -- ';\n",
     True),
    ("sql-mode-from-an-expression", f"SET sql_mode=CONCAT(@@sql_mode, ',NO_BACKSLASH_ESCAPES');\n"
                                    f"SELECT 'a\\' ; {DROP}; -- ';\n", True),
    ("versioned-inside-a-comment", f"SELECT 1 /* see /*! x */ , ' */; {DROP}; -- ';\n", True),
    ("comment-inside-a-versioned-comment", "SELECT 1 /*! + 1 /* x */ + 2 */;\n", False),
    ("nul", "SELECT 1;\n-- \x00\nSELECT 2;\n", False),
    ("unknown-backslash-command", "SELECT 1 \\x;\n", False),
    ("system", "system echo hello\nSELECT 1;\n", False),
    ("system-at-its-delimiter", "SELECT 1; system echo hello;\n", False),
    ("quit", "SELECT 1;\nquit\nSELECT 2;\n", False),
    # Round two of the review.
    ("delimiter-dash", f"DELIMITER -\n-- {DROP} -\n", True),
    ("delimiter-star", f"DELIMITER *\nSELECT 2 /*!50000 + 1 */ *\n{DROP} *\n", True),
    ("multibyte-delimiter", "CREATE TABLE sentinel\u00e9 (id int);\nDELIMITER \u00e9\nDROP TABLE sentinel\u00e9\n", False),
    ("long-multibyte-delimiter", "DELIMITER $" + "\u00e9" * 8 + "\nSELECT 1$" + "\u00e9" * 8 + "\nSELECT 2;\n", False),
    ("multibyte-after-a-comment", "CREATE TABLE sentinel\u00e9 (id int);\nUPDATE sentinel/**/\u00e9 SET id = 0;\n", False),
    ("versioned-comment-open-past-the-delimiter", f"SELECT 1 /*!50000 , 2 ; /* c */ SELECT 3;\n"
                                                  f"SELECT '*/ {DROP}; -- ';\n", True),
    ("sql-mode-set-by-execute-immediate", "/*!50000 EXECUTE IMMEDIATE 'SET sql_mode=\\'NO_BACKSLASH_ESCAPES\\'' */;\n"
                                          f"SELECT 'a\\'; {DROP}; -- '\n", True),
    ("sql-mode-set-by-a-built-statement", "EXECUTE IMMEDIATE CONCAT('SET sql', '_mode=''NO_BACKSLASH_ESCAPES''');\n"
                                          f"SELECT 'a\\'; {DROP}; -- '\n", True),
]


@pytest.mark.parametrize("label, sql, drops", REFUSED, ids=[label for label, _, _ in REFUSED])
def test_what_the_clients_read_otherwise_is_refused(client, label, sql, drops):
    _, refused = ours(sql)
    assert refused, f"sqlgen should refuse {sql!r}"
    if drops:
        assert any(text.strip() == DROP for text in client(sql)), "the client would have dropped the sentinel"


def test_a_procedure_that_sets_sql_mode_makes_a_later_backslash_refused(client):
    """A routine that runs SET sql_mode leaves the server's NO_BACKSLASH_ESCAPES flag, which
    the client reads, set after it returns: after a CALL sqlgen no longer knows the reading."""
    execute(client.url, "CREATE PROCEDURE p() SET sql_mode = 'NO_BACKSLASH_ESCAPES'")
    sql = f"CALL p();\nSELECT 'a\\' , '#'; {DROP}; -- '\n"
    _, refused = ours(sql)
    assert refused and "backslash" in refused[0][1]
    assert any(text.strip() == DROP for text in client(sql)), "the client would have dropped the sentinel"


# --- The sqlite3 shell ---------------------------------------------------------------------------

SQLITE_AGREE = [
    ("bracket-names-across-lines", f"SELECT 1 AS [a'\n], 2; {DROP}; -- ';\n",
     ["SELECT 1 AS [a'\n], 2", DROP]),
    ("go-ends-a-statement", "CREATE TABLE t1 (id int)\ngo\nCREATE TABLE t2 (id int);\n",
     ["CREATE TABLE t1 (id int)", "CREATE TABLE t2 (id int)"]),
    ("slash-ends-a-statement", "CREATE TABLE t1 (id int)\n/\n", ["CREATE TABLE t1 (id int)"]),
    ("hash-line-is-a-comment", "# DROP TABLE x;\nCREATE TABLE t1 (id int);\n", ["CREATE TABLE t1 (id int)"]),
    ("explain-trigger", "EXPLAIN CREATE TRIGGER tr AFTER INSERT ON t BEGIN SELECT 1; END;\n",
     ["EXPLAIN CREATE TRIGGER tr AFTER INSERT ON t BEGIN SELECT 1; END"]),
    ("go-with-a-whole-comment-after-it", f"INSERT INTO t VALUES (1)\ngo /**/\n{DROP};\n",
     ["INSERT INTO t VALUES (1)", DROP]),
    ("slash-with-comments-after-it", f"INSERT INTO t VALUES (1)\n/ /* x */ -- y\n{DROP};\n",
     ["INSERT INTO t VALUES (1)", DROP]),
]


@pytest.mark.parametrize("label, sql, expected", SQLITE_AGREE, ids=[label for label, _, _ in SQLITE_AGREE])
def test_sqlgen_reads_a_sqlite_file_as_the_shell_does(tmp_path, label, sql, expected):
    found, refused = ours(sql, "sqlite")
    assert not refused and found == expected
    # The shell on the same input: a DROP it reads is a DROP it runs.
    db = tmp_path / "shell.db"
    connection = sqlite3.connect(db)
    connection.executescript("CREATE TABLE sentinel (id int); CREATE TABLE t (id int);")
    connection.close()
    subprocess.run([shutil.which("sqlite3"), str(db)], input=sql.encode(), capture_output=True, timeout=60)
    tables = {row[0] for row in sqlite3.connect(db).execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert ("sentinel" in tables) == (DROP not in expected)
    assert ("t1" in tables) == any("t1" in statement for statement in expected)


def test_sqlite_control_characters_reach_sqlite(tmp_path):
    """The shell hands SQLite a statement's control characters, which it refuses: so must sqlgen."""
    sql = f"{DROP}\x01;\n"
    assert ours(sql, "sqlite") == ([f"{DROP}\x01"], [])
    db = tmp_path / "shell.db"
    sqlite3.connect(db).executescript("CREATE TABLE sentinel (id int);")
    done = subprocess.run([shutil.which("sqlite3"), str(db)], input=sql.encode(), capture_output=True, timeout=60)
    assert b"unrecognized token" in done.stderr
    assert sqlite3.connect(db).execute("SELECT count(*) FROM sqlite_master WHERE name = 'sentinel'").fetchone() == (1,)


def test_sqlite_go_after_a_dash_comment_is_refused(tmp_path):
    """The shell tests 'SQL so far' plus ';' for completeness: after a -- comment that ';' is in
    the comment, so go does not end the statement there, where sqlgen would have."""
    sql = f"{DROP} -- note\ngo\n"
    _, refused = ours(sql, "sqlite")
    assert refused and "'go'" in refused[0][1]
    db = tmp_path / "shell.db"
    sqlite3.connect(db).executescript("CREATE TABLE sentinel (id int);")
    subprocess.run([shutil.which("sqlite3"), str(db)], input=sql.encode(), capture_output=True, timeout=60)
    assert sqlite3.connect(db).execute("SELECT count(*) FROM sqlite_master WHERE name = 'sentinel'").fetchone() == (1,)


@pytest.mark.parametrize("sql", [
    "CREATE TABLE t1 (id int)\ngo\n.shell touch pwned\n;\n",
    "CREATE TABLE [a'\nb] (id int);\n.shell touch pwned\nSELECT 1 AS [x'];\n",
    "SELECT 1;\n.read other.sql\n",
])
def test_sqlite_dot_commands_found_where_the_shell_finds_them_are_refused(tmp_path, sql):
    _, refused = ours(sql, "sqlite")
    assert refused and "sqlite3 shell command" in refused[0][1]
    subprocess.run([shutil.which("sqlite3"), str(tmp_path / "x.db")], input=sql.encode(), capture_output=True,
                   timeout=60, cwd=tmp_path)
    assert (tmp_path / "pwned").exists() or ".read" in sql  # the shell ran it: a real command
