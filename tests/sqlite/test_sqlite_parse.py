"""sqlgen/sqlite/parse.py on hand-written CREATE TABLE texts, without a database.

SQLite keeps names, CHECK conditions, collations and generation expressions
only in the stored CREATE TABLE text, exactly as it was written: with any of
its four quotes, comments, and constraints in any order.
"""

from __future__ import annotations

import pytest

from sqlgen.sqlite.parse import parse_create_table, unquote, without_comments


@pytest.mark.parametrize(("written", "name"), [
    ("plain", "plain"),
    ('"we""ird"', 'we"ird'),
    ("`back``tick`", "back`tick"),
    ("[sp ace]", "sp ace"),
    ('"a,b (c)"', "a,b (c)"),
])
def test_column_names_in_every_identifier_quote(written, name):
    text = parse_create_table(f"CREATE TABLE t ({written} TEXT COLLATE NOCASE, other INT)")
    assert list(text.columns) == [name, "other"]
    assert text.columns[name].collation == "NOCASE"


def test_a_single_quoted_column_name_is_an_identifier():
    text = parse_create_table("CREATE TABLE t ('a' TEXT COLLATE NOCASE CHECK (a <> ''), b INT)")
    assert list(text.columns) == ["a", "b"]
    assert text.columns["a"].collation == "NOCASE"


def test_single_quoted_names_in_a_table_constraint_are_identifiers():
    text = parse_create_table("CREATE TABLE t (b INT, CONSTRAINT 'uq_b' UNIQUE ('b'))")
    assert text.uniques == [("uq_b", ("b",))]


def test_a_bare_non_ascii_column_name_is_read_whole():
    text = parse_create_table("CREATE TABLE t (éa TEXT COLLATE NOCASE, b INT)")
    assert list(text.columns) == ["éa", "b"]


def test_the_column_list_starts_at_the_first_parenthesis_outside_quotes_and_comments():
    text = parse_create_table('CREATE TABLE IF NOT EXISTS [odd(name] -- (not here\n /* ( */ ("x(" INT)')
    assert list(text.columns) == ["x("]


def test_what_follows_the_column_list_is_not_a_column():
    text = parse_create_table("CREATE TABLE t (a INTEGER PRIMARY KEY, b TEXT) WITHOUT ROWID, STRICT")
    assert list(text.columns) == ["a", "b"]


def test_commas_and_parentheses_in_comments_and_strings_do_not_split_items():
    text = parse_create_table(
        "CREATE TABLE t (\n"
        "  a INT, -- b INT, (\n"
        "  /* c INT, ) */ d TEXT DEFAULT 'x, (y' CHECK (d <> ','),\n"
        "  e INT\n"
        ")"
    )
    assert list(text.columns) == ["a", "d", "e"]
    assert text.columns["d"].checks == [(None, "d <> ','")]


@pytest.mark.parametrize(("definition", "expression", "stored"), [
    ("b INT GENERATED ALWAYS AS (a * 2) STORED", "a * 2", True),
    ("b INT GENERATED ALWAYS AS (a * 2) VIRTUAL", "a * 2", False),
    ("b INT AS (abs(a))", "abs(a)", False),  # VIRTUAL is the default
    ("b AS (a || '-)' || a) STORED", "a || '-)' || a", True),  # no type at all
    ("b INT AS (a + 1 -- one\n) STORED NOT NULL", "a + 1", True),
])
def test_generated_columns(definition, expression, stored):
    columns = parse_create_table(f"CREATE TABLE t (a INT, {definition})").columns
    assert (columns["b"].generated, columns["b"].stored) == (expression, stored)
    assert columns["a"].generated is None


def test_a_default_expression_is_skipped_whole():
    # CAST(... AS ...) inside a DEFAULT is not a generated column, nor does it end the column.
    column = parse_create_table("CREATE TABLE t (a TEXT DEFAULT (CAST(1 AS TEXT)) COLLATE \"NoCase\")").columns["a"]
    assert column.generated is None
    assert column.collation == "NoCase"  # as written; reflection normalises its case


@pytest.mark.parametrize(("definition", "autoincrement"), [
    ("id INTEGER PRIMARY KEY AUTOINCREMENT", True),
    ("id INTEGER PRIMARY KEY ASC ON CONFLICT ROLLBACK AUTOINCREMENT", True),
    ("id INTEGER PRIMARY KEY", False),
])
def test_autoincrement(definition, autoincrement):
    assert parse_create_table(f"CREATE TABLE t ({definition})").columns["id"].autoincrement is autoincrement


def test_column_checks_keep_their_name_and_condition_without_comments():
    text = parse_create_table(
        "CREATE TABLE t (\n"
        "  a INT CHECK (a > 0 /* positive */ AND a < 9) CONSTRAINT [ck a] CHECK ( a <> ')' ),\n"
        "  b INT CONSTRAINT nn NOT NULL CHECK (b > 0)\n"
        ")"
    )
    assert text.columns["a"].checks == [(None, "a > 0   AND a < 9"), ("ck a", "a <> ')'")]
    # A constraint name belongs to the one constraint that follows it.
    assert text.columns["b"].checks == [(None, "b > 0")]


def test_column_unique_and_references_keep_their_constraint_names():
    text = parse_create_table(
        "CREATE TABLE t (\n"
        "  p INT CONSTRAINT fk_p REFERENCES parent (id) ON DELETE SET DEFAULT,\n"
        "  u INT CONSTRAINT \"uq u\" UNIQUE,\n"
        "  q INT REFERENCES parent (id) UNIQUE\n"
        ")"
    )
    assert (text.columns["p"].foreign_key_name, text.columns["p"].unique_name) == ("fk_p", None)
    assert (text.columns["u"].foreign_key_name, text.columns["u"].unique_name) == (None, "uq u")
    assert (text.columns["q"].foreign_key_name, text.columns["q"].unique_name) == (None, None)


def test_table_constraints():
    text = parse_create_table(
        "CREATE TABLE t (\n"
        "  p INT, u TEXT, `b``q` INT,\n"
        "  CONSTRAINT \"pk\" PRIMARY KEY (`b``q`),\n"
        "  CONSTRAINT ck2 CHECK (u <> '') ,\n"
        "  CHECK (p IS NOT NULL -- required\n  ),\n"
        "  UNIQUE (u COLLATE NOCASE, p DESC),\n"
        "  CONSTRAINT [uq two] UNIQUE (\"p\"),\n"
        "  CONSTRAINT [fk two] FOREIGN KEY (p, [u]) REFERENCES other (a, b),\n"
        "  FOREIGN KEY (`b``q`) REFERENCES other (c)\n"
        ")"
    )
    assert list(text.columns) == ["p", "u", "b`q"]
    assert text.checks == [("ck2", "u <> ''"), (None, "p IS NOT NULL")]
    assert text.uniques == [(None, ("u", "p")), ("uq two", ("p",))]
    assert text.foreign_keys == [("fk two", ("p", "u")), (None, ("b`q",))]


def test_quoted_names_that_look_like_keywords_are_columns():
    text = parse_create_table('CREATE TABLE t ("check" INT CHECK ("check" > 0), [unique] TEXT, `foreign` INT)')
    assert list(text.columns) == ["check", "unique", "foreign"]
    assert text.checks == [] and text.uniques == [] and text.foreign_keys == []
    assert text.columns["check"].checks == [(None, '"check" > 0')]


@pytest.mark.parametrize(("written", "name"), [
    ("name", "name"),
    ('"a""b"', 'a"b'),
    ('"a b"', "a b"),
    ("`a``b`", "a`b"),
    ("[a b]", "a b"),
    ("[a\"b]", 'a"b'),  # brackets have no escape: other quotes are plain characters inside
    ('"[x]"', "[x]"),
])
def test_unquote(written, name):
    assert unquote(written) == name


@pytest.mark.parametrize(("text", "expected"), [
    ("a -- note\nb", "a  \nb"),  # the line break that ends the comment stays
    ("a /* x */ b", "a   b"),
    ("a /* unterminated", "a  "),
    ("1 -- to the end", "1  "),
    ("'-- not' \"/* not */\" `--` [/*]", "'-- not' \"/* not */\" `--` [/*]"),
    ("'it''s' -- it's", "'it''s'  "),
])
def test_without_comments(text, expected):
    assert without_comments(text) == expected
