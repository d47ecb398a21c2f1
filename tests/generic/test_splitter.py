"""Splitting statements as the mysql client does: no server needed.

tests/mysql/test_runner_mysql.py runs the same trap files through the real client and
the runner and compares what the server received.
"""

from __future__ import annotations

import io

import pytest

from sqlgen.errors import SqlgenError
from sqlgen.migrations import facts_of_lines, with_tracking
from sqlgen.mysql.transactions import is_transactional
from sqlgen.mysql.transactions import FILE_READING as MYSQL_CLIENT
from sqlgen.splitter import split, split_text
from sqlgen.sqlite.dialect import READING as SQLITE3_SHELL


def texts(sql: str) -> list[str]:
    return [statement.text for statement in split_text(sql, MYSQL_CLIENT)]


@pytest.mark.parametrize(
    "sql, expected",
    [
        ("SELECT 1; SELECT 2;", ["SELECT 1", "SELECT 2"]),
        ("SELECT 1", ["SELECT 1"]),  # the last statement needs no delimiter
        ("SELECT ';'; SELECT \";\";", ["SELECT ';'", 'SELECT ";"']),
        ("SELECT 'it''s;';", ["SELECT 'it''s;'"]),
        ("SELECT 'a\\';b';", ["SELECT 'a\\';b'"]),
        ('SELECT "a\\";b", "x""y;";', ['SELECT "a\\";b", "x""y;"']),
        ("SELECT `a;b`, `x``;y`;", ["SELECT `a;b`, `x``;y`"]),
        ("SELECT `a\\`;", ["SELECT `a\\`"]),  # no backslash escapes in backticks
        ("SELECT 1; -- comment; SELECT 2\nSELECT 3;", ["SELECT 1", "SELECT 3"]),
        ("SELECT 1 # comment; still comment\n;", ["SELECT 1"]),
        ("SELECT 1--1;", ["SELECT 1--1"]),  # '--' without a space is not a comment
        ("SELECT 1 /* a; b */ + 2;", ["SELECT 1  + 2"]),
        ("SELECT 1 /* multi\nline; */ ;", ["SELECT 1"]),
        ("/*!40101 SET @a = 1 */;", ["/*!40101 SET @a = 1 */"]),
        # mysqldump puts DELIMITER ;; around a routine in /*! */, whose ';' are its own.
        ("DELIMITER ;;\n/*!50003 CREATE PROCEDURE p() BEGIN SELECT 1; END */;;\nDELIMITER ;\n",
         ["/*!50003 CREATE PROCEDURE p() BEGIN SELECT 1; END */"]),
        # Inside a comment a '/*' takes its star: '/*/' closes nothing.
        ("SELECT 1 /* x /*/ ; */ + 2;", ["SELECT 1  + 2"]),
        # '--' and '*/' that are no comment marks: the client looks at their second character again.
        ("SELECT 1 --- c\n- 1;", ["SELECT 1 -\n- 1"]),
        ("SELECT 2 */* c */ 3;", ["SELECT 2 * 3"]),
        # A backslash ending a line: the client drops it and keeps the line break.
        ("SELECT 1 OR\\\n1;", ["SELECT 1 OR\n1"]),
        # The space where a comment was goes before \N's next character, never before \N.
        ("SELECT 1/**/\\N;", ["SELECT 1\\N"]),
        # A dropped /* */ comment leaves a space where the words would touch, as the client does.
        ("SELECT 'a'/* c */'b';", ["SELECT 'a' 'b'"]),
        ("DROP/**/TABLE t;", ["DROP TABLE t"]),
        ("SELECT 'x' /* c */ 'y';", ["SELECT 'x'  'y'"]),
        ("SELECT 1 /* c */\n+ 2;", ["SELECT 1 \n+ 2"]),
        # Optimizer hints are kept verbatim: a quote inside is not a string.
        # The mariadb client drops optimizer hints like any comment (test_splitter_client.py).
        ("INSERT /*+ don't */ INTO t VALUES (1);", ["INSERT  INTO t VALUES (1)"]),
        # Lines starting with -- between statements are comments, space or not.
        ("-----------\n--TODO: later\n  --indented\nSELECT 1;", ["SELECT 1"]),
        ("SELECT 1\\g SELECT 2\\G SELECT 3;", ["SELECT 1", "SELECT 2", "SELECT 3"]),
        ("SELECT oops\\c SELECT 2;", ["SELECT 2"]),
        ("SELECT \\N;", ["SELECT \\N"]),
        ("SELECT /*+ MAX_EXECUTION_TIME(1) */ 1;", ["SELECT  1"]),
        ("SELECT '-- not; a comment', '/* nor */', '#this';", ["SELECT '-- not; a comment', '/* nor */', '#this'"]),
        ("INSERT INTO t VALUES ('line1\nline2;\n');", ["INSERT INTO t VALUES ('line1\nline2;\n')"]),
        ("SELECT 'DELIMITER //';\nSELECT 2;", ["SELECT 'DELIMITER //'", "SELECT 2"]),
        (";;  ;\n", []),
        ("-- only a comment\n/* and another */\n", []),
        ("SELECT 'café ☕;';", ["SELECT 'café ☕;'"]),
    ],
)
def test_client_splitting_rules(sql, expected):
    assert texts(sql) == expected


def test_delimiter_command():
    sql = """
DELIMITER //
CREATE TRIGGER t BEFORE INSERT ON x FOR EACH ROW
BEGIN
  SET NEW.a = ';'; -- still inside
END//
delimiter $$
CREATE FUNCTION f() RETURNS INT DETERMINISTIC BEGIN RETURN 1; END $$
DELIMITER ;
SELECT f();
"""
    statements = split_text(sql, MYSQL_CLIENT)
    assert [s.text.split()[0:2] for s in statements] == [["CREATE", "TRIGGER"], ["CREATE", "FUNCTION"], ["SELECT", "f()"]]
    assert statements[0].text.endswith("END") and "SET NEW.a = ';';" in statements[0].text
    assert [s.line for s in statements] == [3, 8, 10]


@pytest.mark.parametrize("sql, match", [
    ("SELECT 1 /*!50000 , 2 ; */ SELECT 3;", "ends inside a /\\*! \\*/ comment"),
    ("DELIMITER -\n-- DROP TABLE sentinel -\n", "DELIMITER in its simple form"),
    ("DELIMITER *\nSELECT 2 *\n", "DELIMITER in its simple form"),
    ("DELIMITER #\nSELECT 2 #\n", "DELIMITER in its simple form"),
    ("DELIMITER é\nDROP TABLE sentinelé\n", "DELIMITER in its simple form"),
    ("UPDATE sentinel/**/é SET id = 0;", "non-ASCII character right after a /\\* \\*/ comment"),
    ("SELECT 1/**/;é;", "non-ASCII character right after"),
    ("SELECT 1 /* /*! */ 2;", "'/\\*!' inside a comment"),
])
def test_what_the_client_reads_another_way_is_refused(sql, match):
    with pytest.raises(SqlgenError, match=match):
        split_text(sql, MYSQL_CLIENT)


@pytest.mark.parametrize("sql, after", [
    ("CALL p();", None), ("/*!50000 EXECUTE IMMEDIATE 'SET sql_mode=\\'x\\'' */;", None),
    ("EXECUTE IMMEDIATE CONCAT('SET sql', '_mode=1');", None), ("SET @x = '\\'', sql_mode = 'ANSI_QUOTES';", "ANSI_QUOTES"),
    ("SET GLOBAL max_connections = 100, sql_mode = 'NO_BACKSLASH_ESCAPES';", ""),
    ("SET GLOBAL max_connections = 100, SESSION sql_mode = 'NO_BACKSLASH_ESCAPES';", "NO_BACKSLASH_ESCAPES"),
    ("SET GLOBAL max_connections = 100, @@sql_mode = 'NO_BACKSLASH_ESCAPES';", None),
    ("SELECT 1 AS `call`;", ""), ("SELECT 'execute';", ""),
])
def test_the_sql_mode_is_followed_only_as_far_as_it_is_known(sql, after):
    from sqlgen.splitter import Splitter

    splitter = Splitter("f.sql", MYSQL_CLIENT, sql_mode="")
    list(splitter.feed(sql + "\n", 1))
    assert splitter.mode == (None if after is None else frozenset(after.split(",")))


def test_a_delimiter_line_inside_a_statement_is_refused():
    # The client does not read it as a command there, and joins it to the next line without its
    # line break: `- 1\ndelimiter x -\n- 2` would reach the server as a comment.
    with pytest.raises(SqlgenError, match="joins it to the next line"):
        split_text("SELECT 1,\nDELIMITER //\n;", MYSQL_CLIENT)


def test_line_numbers_point_at_the_first_line_of_each_statement():
    sql = "-- header\n\nSELECT 1;\n/* c */ SELECT\n  2;\n\n\n   SELECT 3"
    assert [s.line for s in split_text(sql, MYSQL_CLIENT)] == [3, 4, 8]


def test_unterminated_quote_and_comment_name_the_line():
    with pytest.raises(SqlgenError, match=r"f.sql, line 2: the ' quote opened here is never closed"):
        split_text("SELECT 1;\nSELECT 'oops;\n", MYSQL_CLIENT, "f.sql")
    with pytest.raises(SqlgenError, match=r"line 1: the /\* comment opened here is never closed"):
        split_text("/* never closed\nSELECT 1;", MYSQL_CLIENT)


def test_client_commands_the_runner_cannot_follow_are_refused():
    with pytest.raises(SqlgenError, match="client command 'source'"):
        split_text("source other.sql\n", MYSQL_CLIENT, "f.sql")


def test_tracking_blocks_are_marked():
    sql = "-- sqlgen:tracking begin\nINSERT INTO v VALUES (1);\n-- sqlgen:tracking end\nSELECT 1;\n"
    assert [(s.text, s.tracking) for s in split_text(sql, MYSQL_CLIENT)] == [("INSERT INTO v VALUES (1)", True), ("SELECT 1", False)]


def test_streams_without_holding_the_file():
    """A generator over lines: statements come out before the input is exhausted."""
    consumed = []

    def lines():
        for i in range(1000):
            consumed.append(i)
            yield f"INSERT INTO t VALUES ({i}, 'x;y');\n"

    iterator = split(lines(), MYSQL_CLIENT)
    next(iterator)
    assert len(consumed) == 1


def test_facts_checksum_ignores_comments_and_tracking_blocks():
    one = "-- a\nSELECT 1;\n-- sqlgen:tracking begin\nINSERT INTO v VALUES (1);\n-- sqlgen:tracking end\n"
    two = "/* other comment */ SELECT 1; # trailing\n"
    first, second = facts_of_lines(io.StringIO(one), "a", MYSQL_CLIENT), facts_of_lines(io.StringIO(two), "b", MYSQL_CLIENT)
    assert first.checksum == second.checksum and first.count == second.count == 1
    assert first.tracked and not second.tracked
    assert facts_of_lines(io.StringIO("SELECT 2;"), "c", MYSQL_CLIENT).checksum != first.checksum


@pytest.mark.parametrize(
    "sql, transactional",
    [
        ("INSERT INTO t VALUES (1); UPDATE t SET a = 2; DELETE FROM t;", True),
        ("SET @x = 1; INSERT INTO t SELECT * FROM u;", True),
        ("INSERT INTO t VALUES (1); ALTER TABLE t ADD COLUMN b int;", False),
        ("SET TRANSACTION ISOLATION LEVEL SERIALIZABLE; INSERT INTO t VALUES (1);", False),
        ("SET autocommit = 0; INSERT INTO t VALUES (1); COMMIT;", False),
        ("START TRANSACTION; INSERT INTO t VALUES (1); COMMIT;", False),
        ("CREATE TABLE t (a int);", False),
        ("", False),
        # What a versioned comment holds runs: a CREATE in one commits, wherever it stands.
        ("/*!40101 SET NAMES utf8mb4 */; INSERT INTO t VALUES (1);", True),
        ("/*!50000 CREATE TABLE x (id int) */; INSERT INTO t VALUES (1);", False),
        ("/*!50000 CREATE TABLE x (id int) */ INSERT INTO t VALUES (1);", False),
        ("/*!40101 SET @a = 1 */ /*!50000 DROP TABLE t */;", False),
        ("/*M!100000 SET autocommit = 0 */; INSERT INTO t VALUES (1);", False),
    ],
)
def test_transactional_files(sql, transactional):
    assert facts_of_lines(io.StringIO(sql), "f", MYSQL_CLIENT, rolls_back=is_transactional).transactional is transactional


def test_with_tracking_replaces_blocks_in_place_or_adds_them():
    generated = "-- head\n\n-- sqlgen:tracking begin\nOLD;\n-- sqlgen:tracking end\n\nSELECT 1;\n\n" \
                "-- sqlgen:tracking begin\nOLD2;\n-- sqlgen:tracking end\n"
    opening = "-- sqlgen:tracking begin\nNEW;\n-- sqlgen:tracking end"
    closing = "-- sqlgen:tracking begin\nNEW2;\n-- sqlgen:tracking end"
    assert with_tracking(generated, opening, closing, MYSQL_CLIENT) == generated.replace("OLD;", "NEW;").replace("OLD2;", "NEW2;")
    hand_written = "-- my data fix\n-- by ann\n\nUPDATE t SET a = 1;\n"
    assert with_tracking(hand_written, opening, closing, MYSQL_CLIENT) == (
        "-- my data fix\n-- by ann\n\n" + opening + "\n\nUPDATE t SET a = 1;\n\n" + closing + "\n")


def test_quoted_and_short_delimiter_commands():
    assert texts("DELIMITER '$$'\nSELECT 1$$\n\\d ;\nSELECT 2;") == ["SELECT 1", "SELECT 2"]


def test_no_backslash_escapes_set_in_the_file_changes_how_strings_end():
    sql = "SET sql_mode = 'NO_BACKSLASH_ESCAPES';\nSELECT 'C:\\';\nSET sql_mode = '';\nSELECT 'it\\'s';"
    assert texts(sql) == ["SET sql_mode = 'NO_BACKSLASH_ESCAPES'", "SELECT 'C:\\'", "SET sql_mode = ''",
                          "SELECT 'it\\'s'"]


def test_bom_crlf_and_lone_carriage_returns():
    assert texts("\ufeffSELECT 1;\r\nSELECT 'a\r\nb';\r\n") == ["SELECT 1", "SELECT 'a\nb'"]
    assert texts("SELECT 'a\rb\x0cc';") == ["SELECT 'a\rb\x0cc'"]


def test_a_tracking_block_without_its_end_is_an_error():
    with pytest.raises(SqlgenError, match=r"f.sql, line 1: '-- sqlgen:tracking begin' has no '-- sqlgen:tracking end'"):
        split_text("-- sqlgen:tracking begin\nINSERT INTO v VALUES (1);\nSELECT 1;\n", MYSQL_CLIENT, "f.sql")


def test_whitespace_and_comments_inside_statements_do_not_change_the_checksum():
    one = "CREATE TABLE t (\n  a int, -- the a\n  b int /* the b */\n);"
    two = "CREATE TABLE t (a int,\n\n       b int);"
    first, second = facts_of_lines(io.StringIO(one), "a", MYSQL_CLIENT), facts_of_lines(io.StringIO(two), "b", MYSQL_CLIENT)
    assert first.checksum == second.checksum
    changed = facts_of_lines(io.StringIO("CREATE TABLE t (a int, b bigint);"), "c", MYSQL_CLIENT)
    assert changed.checksum != first.checksum
    in_string = facts_of_lines(io.StringIO("SELECT 'a  b';"), "d", MYSQL_CLIENT)
    assert in_string.checksum != facts_of_lines(io.StringIO("SELECT 'a b';"), "e", MYSQL_CLIENT).checksum


def test_a_long_string_literal_is_cheap():
    import tracemalloc

    text = "INSERT INTO t VALUES ('" + "x" * 5_000_000 + "');\n"
    tracemalloc.start()
    [statement] = split(io.StringIO(text), MYSQL_CLIENT)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert len(statement.text) == 5_000_025
    assert peak < 60_000_000, f"{peak / 1e6:.0f} MB to split a 5 MB literal"


def test_sqlite_trigger_bodies_end_like_sqlite3_complete():
    """A CASE ... END inside a trigger does not end it: only '; END ;' does, as in the sqlite3 shell."""
    import sqlite3

    script = ("CREATE TRIGGER t_upd AFTER UPDATE ON t BEGIN\n"
              "  UPDATE log SET msg = CASE WHEN new.a > 5 THEN 'big' ELSE 'small' END;\n"
              "  INSERT INTO log (msg) VALUES ('two; END');\n"
              "END;\n"
              "SELECT 1;\n")
    statements = [s.text for s in split(io.StringIO(script), SQLITE3_SHELL, "t.sql")]
    assert len(statements) == 2 and statements[1] == "SELECT 1"
    assert statements[0].endswith("END") and sqlite3.complete_statement(statements[0] + ";")
    assert not sqlite3.complete_statement(statements[0].rsplit("END", 1)[0])


def test_the_plain_text_fast_path_splits_exactly_like_the_step_by_step_scan(monkeypatch):
    """The run pattern that takes code and whole strings in one match is only a
    shortcut: on random mixes of quotes, comments, escapes, delimiters and
    sql_mode changes it must give the same statements (or the same error)."""
    import random

    from sqlgen import splitter

    pieces = ["'", '"', "`", "--", "-- ", "-", "#", "/*", "*/", "/*!", "/*+", "\\", "\\g", "\\G", "\\c", ";",
              ";;", "$$", "//", "\n", " ", "\t", "a", "b1", "(", ")", ",", "\\g\nDELIMITER $$\n", "\\g\nDELIMITER ;\n",
              "\\g\ndelimiter //\n", "\\g\nDELIMITER ;;\n", "\nDELIMITER ;\n", "SET sql_mode='NO_BACKSLASH_ESCAPES';", "SET sql_mode='';",
              "\r\n", "''", "\\'", '\\"']
    rng = random.Random(11)
    texts = ["".join(rng.choice(pieces) for _ in range(rng.randint(0, 30))) for _ in range(30000)]

    def outcome(text):
        try:
            return split_text(text, MYSQL_CLIENT)
        except SqlgenError as exc:
            return str(exc)

    fast = [outcome(text) for text in texts]
    monkeypatch.setattr(splitter, "_plain_run", lambda *patterns_of: None)
    assert [outcome(text) for text in texts] == fast
    assert sum(isinstance(result, list) and len(result) > 1 for result in fast) > 1000  # the mixes do split


CHECK = ("SELECT 'rows of t have a NULL' AS `sqlgen_precondition` FROM DUAL\n WHERE (SELECT 1 UNION ALL SELECT 1 "
         "FROM DUAL WHERE EXISTS (SELECT id FROM t WHERE a IS NULL)) IS NULL;")
OPENING = "-- sqlgen:tracking begin\nINSERT INTO v VALUES (1);\n-- sqlgen:tracking end"
CLOSING = "-- sqlgen:tracking begin\nUPDATE v SET s = 1;\n-- sqlgen:tracking end"


def layout_problems(text: str, reading=MYSQL_CLIENT) -> list[tuple[int, str]]:
    return [(p.line, p.message) for p in facts_of_lines(io.StringIO(text), "f.sql", reading).problems
            if p.kind == "tracking-block"]


@pytest.mark.parametrize("leading", [
    "SET NAMES utf8mb4;",
    "SET NAMES utf8mb4;\n" + CHECK,
    "set  names\n  UTF8MB4;\nSET SESSION sql_mode = REPLACE(@@SESSION.sql_mode, 'NO_BACKSLASH_ESCAPES', '');\n" + CHECK,
    CHECK + "\n" + CHECK.replace("a IS NULL", "CHAR_LENGTH(`b`) > 8 OR ABS(c) > 2 OR CAST(d AS DECIMAL(5,1)) <> d"),
])
def test_only_session_sets_and_read_only_checks_may_lead_the_opening_block(leading):
    """By hand the client may stop at a check before the file is recorded: what comes before the
    opening block must change nothing."""
    text = f"-- head\n\n{leading}\n\n{OPENING}\n\nALTER TABLE t MODIFY a int NOT NULL;\n\n{CLOSING}\n"
    assert layout_problems(text) == []


@pytest.mark.parametrize("lasting", [
    "DELETE FROM t WHERE a IS NULL;",
    "CREATE TABLE x (id int);",
    "SET GLOBAL max_connections = 10;",
    "SET @n = (SELECT COUNT(*) FROM t);",  # reads the data: not a SET a new session repeats alike
    "SELECT 'x' AS `sqlgen_precondition` FROM DUAL WHERE (SELECT 1) IS NULL; DROP TABLE t;",
    "SELECT 1 INTO @one;",
    # SETs that change how the tracking statements after them record, or what they create
    "SET SESSION time_zone = '+13:00';", "SET SESSION enforce_storage_engine = MyISAM;", "SET autocommit = 0;",
    "SET SESSION foreign_key_checks = 0;", "/*!40101 SET NAMES utf8mb4 */;", "SET NAMES gbk;",
    "SET @x = NEXT VALUE FOR s;",
    # checks that call what may write: a stored function, qualified or quoted, or a sequence
    CHECK.replace("a IS NULL", "evil(a)"), CHECK.replace("a IS NULL", "app.evil(a)"),
    CHECK.replace("a IS NULL", "`evil` (a)"), CHECK.replace("a IS NULL", "a = NEXT VALUE FOR s"),
    CHECK.replace("a IS NULL", "a = nextval(s)"), CHECK.replace("a IS NULL", "SLEEP(a)"),
])
def test_a_statement_that_may_change_something_before_the_opening_block_is_a_layout_problem(lasting):
    text = f"SET NAMES utf8mb4;\n{CHECK}\n{lasting}\n\n{OPENING}\n\nALTER TABLE t MODIFY a int;\n\n{CLOSING}\n"
    problems = layout_problems(text)
    assert len(problems) == 1 and "stands before the file's first tracking block" in problems[0][1], problems
    assert problems[0][0] >= 3  # the line of the statement, not of the block


def test_a_statement_after_the_closing_block_is_still_a_layout_problem():
    problems = layout_problems(f"{OPENING}\nSELECT 1;\n{CLOSING}\nSET NAMES utf8mb4;\n")
    assert len(problems) == 1 and "after its last tracking block" in problems[0][1]


def test_on_sqlite_nothing_may_lead_the_opening_block():
    text = ("SELECT 'x' AS \"sqlgen_precondition\"\n WHERE abs(-9223372036854775807 - EXISTS (SELECT 1)) < 0;\n"
            f"{OPENING}\nSELECT 1;\n{CLOSING}\n")
    assert len(layout_problems(text, SQLITE3_SHELL)) == 1


def test_rehash_keeps_leading_checks_before_the_opening_block_and_moves_the_block_above_a_change():
    generated = f"-- head\n\nSET NAMES utf8mb4;\n\n{CHECK}\n\n{OPENING.replace('(1)', '(0)')}\n\nSELECT 1;\n\n{CLOSING}\n"
    assert with_tracking(generated, OPENING, CLOSING, MYSQL_CLIENT) == generated.replace("(0)", "(1)")
    edited = generated.replace("SET NAMES utf8mb4;", "SET NAMES utf8mb4;\nDELETE FROM t;")
    fixed = with_tracking(edited, OPENING, CLOSING, MYSQL_CLIENT)
    assert fixed.index(OPENING) < fixed.index("DELETE FROM t") and layout_problems(fixed) == []


@pytest.mark.parametrize("sql", [
    "SET NAMES gbk;", "SET NAMES 'big5';", "/*!40101 SET NAMES sjis */;", "SET CHARACTER SET cp932;",
    "SET SESSION character_set_client = `gb18030`;", "SET @@session.character_set_client='gbk';",
    "SET STATEMENT character_set_client=gbk FOR SELECT 1;", "SET character_set_client = @cs;", "SET NAMES DEFAULT;",
    "SET @a = 1, NAMES gbk;",
])
def test_a_set_of_a_character_set_whose_characters_may_end_in_a_backslash_is_refused(sql):
    """In gbk, '中\\'' is one character and a quote: the server would end the string where the client
    and sqlgen do not (a DELETE hidden after it would run)."""
    problems = facts_of_lines(io.StringIO(sql), "f.sql", MYSQL_CLIENT).problems
    assert len(problems) == 1 and "migration files talk utf8mb4" in problems[0].message, problems


@pytest.mark.parametrize("sql", [
    "SET NAMES utf8mb4;", "SET NAMES latin1;", "SET NAMES utf8mb4 COLLATE utf8mb4_bin;", "SET @x = 'names gbk';",
    "ALTER TABLE t CONVERT TO CHARACTER SET gbk;", "CREATE TABLE t (a text) CHARSET=big5;",
    "INSERT INTO t VALUES ('SET NAMES gbk');",
])
def test_other_character_sets_and_mere_mentions_are_read_as_usual(sql):
    assert facts_of_lines(io.StringIO(sql), "f.sql", MYSQL_CLIENT).problems == ()


def test_tracking_blocks_added_to_a_hand_written_file_come_after_its_set_names_and_checks():
    """sqlgen rehash and sqlgen sql: by hand, a check of the file that fails then records nothing."""
    hand = f"-- my fix\n\nSET NAMES utf8mb4;\n\n-- first\n{CHECK}\n\n-- now change it\nALTER TABLE t MODIFY a int;\n"
    added = with_tracking(hand, OPENING, CLOSING, MYSQL_CLIENT)
    assert added.index(CHECK) < added.index(OPENING) < added.index("-- now change it") < added.index(CLOSING)
    assert layout_problems(added) == []
    assert with_tracking(added, OPENING, CLOSING, MYSQL_CLIENT) == added  # and it stays so
