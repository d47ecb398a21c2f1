"""MySQL/MariaDB normalisation rules: no server needed."""

from __future__ import annotations

import pytest

from sqlgen.mysql.dialect import ServerInfo, quote_identifier, quote_string
from sqlgen.mysql.expressions import current_timestamp, normalize_default, reflected_default_mysql, split_on_update
from sqlgen.mysql.types import parse_type, types_narrow

MARIADB = ServerInfo("mariadb", (10, 11, 19), "10.11.19-MariaDB", database="app")
MYSQL8 = ServerInfo("mysql", (8, 0, 36), "8.0.36", database="app", default_collation="utf8mb4_0900_ai_ci")


@pytest.mark.parametrize(
    "written, canonical",
    [
        # SQLAlchemy's compiled spelling vs information_schema.COLUMN_TYPE
        ("INTEGER", "int"),
        ("int(11)", "int"),
        ("int", "int"),  # MySQL 8.0.19+: no display width
        # ZEROFILL pads to the display width, so there the width counts.
        ("INTEGER(11) UNSIGNED ZEROFILL", "int(11) unsigned zerofill"),
        ("int(10) unsigned zerofill", "int(10) unsigned zerofill"),
        ("INTEGER UNSIGNED ZEROFILL", "int(10) unsigned zerofill"),
        ("SMALLINT ZEROFILL", "smallint(5) unsigned zerofill"),
        ("NATIONAL VARCHAR(5)", "varchar(5)"),
        ("INTEGER UNSIGNED", "int unsigned"),
        ("bigint(20) unsigned", "bigint unsigned"),
        ("BIGINT", "bigint"),
        ("SMALLINT", "smallint"),
        ("smallint(6)", "smallint"),
        ("MEDIUMINT", "mediumint"),
        ("BOOL", "tinyint(1)"),
        ("BOOLEAN", "tinyint(1)"),
        ("tinyint(1)", "tinyint(1)"),
        ("TINYINT", "tinyint"),
        ("tinyint(4)", "tinyint"),
        ("NUMERIC(10, 2)", "decimal(10,2)"),
        ("decimal(10,2)", "decimal(10,2)"),
        ("NUMERIC", "decimal(10,0)"),
        ("DECIMAL(8)", "decimal(8,0)"),
        ("FLOAT", "float"),
        ("FLOAT(53)", "double"),
        ("FLOAT(10)", "float"),
        ("FLOAT(7, 3)", "float(7,3)"),
        ("DOUBLE", "double"),
        ("DOUBLE PRECISION", "double"),
        ("REAL", "double"),
        ("VARCHAR(50)", "varchar(50)"),
        ("varchar(50)", "varchar(50)"),
        ("CHAR", "char(1)"),
        ("CHAR(3)", "char(3)"),
        ("TEXT", "text"),
        ("TEXT(1000)", "text"),
        ("TEXT(60)", "tinytext"),
        ("TEXT(20000)", "mediumtext"),
        ("BLOB(70000)", "mediumblob"),
        ("LONGTEXT", "longtext"),
        ("DATETIME", "datetime"),
        ("DATETIME(6)", "datetime(6)"),
        ("TIMESTAMP(3)", "timestamp(3)"),
        ("TIME(0)", "time"),
        ("YEAR", "year"),
        ("year(4)", "year"),
        ("BIT", "bit(1)"),
        ("BIT(8)", "bit(8)"),
        ("BINARY(16)", "binary(16)"),
        ("VARBINARY(16)", "varbinary(16)"),
        ("JSON", "json"),
        ("ENUM('a','b')", "enum('a','b')"),
        ("ENUM('x','y''z')", "enum('x','y''z')"),
        ("enum('x','y''z')", "enum('x','y''z')"),
        ("ENUM('A','b c', 'with,comma')", "enum('A','b c','with,comma')"),
        ("SET('a','b')", "set('a','b')"),
    ],
)
def test_type_spellings_normalise_to_one_form(written, canonical):
    assert parse_type(written).type == canonical


def test_character_set_and_collation_are_split_off():
    parsed = parse_type("VARCHAR(20) CHARACTER SET latin1 COLLATE latin1_bin")
    assert (parsed.type, parsed.charset, parsed.collation) == ("varchar(20)", "latin1", "latin1_bin")
    parsed = parse_type('VARCHAR(50) COLLATE "utf8mb4_bin"')
    assert (parsed.type, parsed.collation) == ("varchar(50)", "utf8mb4_bin")
    assert parse_type("VARCHAR(5) CHARACTER SET utf8").charset == "utf8mb3"


def test_charset_words_and_the_binary_charset():
    assert parse_type("NATIONAL CHAR(5)").charset == "utf8mb3"
    assert parse_type("NCHAR(5)").charset == "utf8mb3"
    assert parse_type("CHAR(5) ASCII").charset == "latin1"
    assert parse_type("VARCHAR(5) UNICODE").charset == "ucs2"
    assert parse_type("VARCHAR(10)", "binary").type == "varbinary(10)"
    assert parse_type("TEXT", "binary").type == "blob"
    assert parse_type("TEXT(100) COLLATE latin1_bin").type == "tinytext", "sized by the column's own charset"


def test_text_length_depends_on_bytes_per_character():
    assert parse_type("TEXT(100)", "latin1").type == "tinytext"
    assert parse_type("TEXT(100)", "utf8mb4").type == "text"


@pytest.mark.parametrize(
    "written, column_type, canonical",
    [
        (None, "int", None),
        ("NULL", "varchar(5)", None),
        ("'abc'", "varchar(5)", "'abc'"),
        ("'ab''c'", "varchar(5)", "'ab''c'"),
        ("'a\\\\b'", "varchar(5)", "'a\\\\b'"),
        ('"abc"', "varchar(5)", "'abc'"),
        ("_utf8mb4'abc'", "varchar(5)", "'abc'"),
        ("0", "int", "0"),
        ("'0'", "int", "0"),
        ("'7'", "int", "7"),
        ("0.00", "decimal(10,2)", "0"),
        ("1.50", "decimal(5,2)", "1.5"),
        ("'1.50'", "decimal(5,2)", "1.5"),
        ("-1", "int", "-1"),
        ("(-1)", "int", "-1"),
        ("0", "varchar(5)", "'0'"),
        ("true", "tinyint(1)", "1"),
        ("false", "tinyint(1)", "0"),
        ("now()", "datetime", "CURRENT_TIMESTAMP"),
        ("(now())", "datetime", "CURRENT_TIMESTAMP"),
        ("CURRENT_TIMESTAMP", "datetime", "CURRENT_TIMESTAMP"),
        ("current_timestamp()", "datetime", "CURRENT_TIMESTAMP"),
        ("current_timestamp(3)", "datetime(3)", "CURRENT_TIMESTAMP(3)"),
        ("CURRENT_TIMESTAMP(3)", "datetime(3)", "CURRENT_TIMESTAMP(3)"),
        ("localtimestamp", "datetime", "CURRENT_TIMESTAMP"),
        ("b'101'", "bit(3)", "b'101'"),
        ("(UUID())", "char(36)", "(uuid())"),
        ("uuid()", "char(36)", "(uuid())"),
        ("concat('A', 'B')", "varchar(5)", "(concat('A','B'))"),
        ("date_format(now(), '%Y')", "varchar(5)", "(date_format(current_timestamp(),'%Y'))"),
        ("(1+2)", "int", "(1+2)"),
        ("1 + 2", "int", "(1+2)"),
        ("`a` - -1", "int", "(a- -1)"),
        ("'2020-01-02'", "datetime", "'2020-01-02 00:00:00'"),
        ("'2020-1-2'", "date", "'2020-01-02'"),
        ("'2020-01-02 03:04:05.123'", "datetime(6)", "'2020-01-02 03:04:05.123000'"),
        ("'01:02:03'", "time(3)", "'01:02:03.000'"),
        ("0", "bit(1)", "b'0'"),
        ("5", "bit(4)", "b'101'"),
        ("b'0101'", "bit(4)", "b'101'"),
        ("'1.005'", "decimal(10,2)", "1.01"),
        ("'c,a'", "set('a','b','c')", "'a,c'"),
        ("CURRENT_DATE", "date", "(curdate())"),
        ("curdate()", "date", "(curdate())"),
    ],
)
def test_defaults_normalise_across_spellings(written, column_type, canonical):
    assert normalize_default(written, column_type, MARIADB) == canonical


@pytest.mark.parametrize(
    "raw, extra, column_type, canonical",
    [
        # MySQL 8 reports literals unquoted and expressions as DEFAULT_GENERATED.
        (None, "", "varchar(5)", None),
        ("abc", "", "varchar(5)", "'abc'"),
        ("it's", "", "varchar(5)", "'it''s'"),
        ("0", "", "int", "0"),
        ("0.00", "", "decimal(10,2)", "0"),
        ("CURRENT_TIMESTAMP", "DEFAULT_GENERATED", "datetime", "CURRENT_TIMESTAMP"),
        ("CURRENT_TIMESTAMP(3)", "DEFAULT_GENERATED on update CURRENT_TIMESTAMP(3)", "datetime(3)",
         "CURRENT_TIMESTAMP(3)"),
        ("uuid()", "DEFAULT_GENERATED", "char(36)", "(uuid())"),
        ("b'101'", "", "bit(3)", "b'101'"),
        # MySQL 5.7: no DEFAULT_GENERATED, still CURRENT_TIMESTAMP
        ("CURRENT_TIMESTAMP", "on update CURRENT_TIMESTAMP", "timestamp", "CURRENT_TIMESTAMP"),
        ("CURRENT_TIMESTAMP", "", "varchar(20)", "'CURRENT_TIMESTAMP'"),
    ],
)
def test_mysql8_reflected_defaults(raw, extra, column_type, canonical):
    assert reflected_default_mysql(raw, extra, column_type, MYSQL8) == canonical


def test_mysql8_and_mariadb_spellings_of_one_default_agree():
    assert reflected_default_mysql("draft", "", "varchar(20)", MYSQL8) == normalize_default(
        "'draft'", "varchar(20)", MARIADB
    )


def test_on_update_is_split_from_the_default():
    assert split_on_update("CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP") == (
        "CURRENT_TIMESTAMP", "CURRENT_TIMESTAMP")
    assert split_on_update("'x on update y'") == ("'x on update y'", None)
    assert current_timestamp("now(6)") == "CURRENT_TIMESTAMP(6)"
    assert current_timestamp("now") is None
    assert current_timestamp("uuid()") is None


def test_quoting():
    assert quote_identifier("order") == "`order`"
    assert quote_identifier("we`ird") == "`we``ird`"
    assert quote_string("it's") == "'it''s'"
    assert quote_string("a\\b") == "'a\\\\b'"
    # One line, and nothing a client drops (a CR before an LF) or refuses (a NUL): a file holding
    # a backslash says it reads escapes (PIN_ESCAPES), whatever the server's sql_mode.
    assert quote_string("a\r\nb\tc\0d") == "'a\\r\\nb\\tc\\0d'"


@pytest.mark.parametrize(
    "old, new, narrows",
    [
        ("varchar(120)", "varchar(50)", True),
        ("varchar(50)", "varchar(120)", False),
        ("bigint", "int", True),
        ("int", "bigint", False),
        ("int", "int unsigned", True),
        ("decimal(10,2)", "decimal(12,4)", False),
        ("decimal(10,2)", "decimal(10,1)", True),
        ("mediumtext", "text", True),
        ("text", "longtext", False),
        ("enum('a','b')", "enum('a','b','c')", False),
        ("enum('a','b')", "enum('b','a')", True),
        ("varchar(50)", "text", False),
        ("datetime", "date", True),
        ("date", "datetime", False),
        ("datetime(6)", "datetime", True),
        ("datetime", "datetime(3)", False),
        ("int unsigned", "bigint", False),
        ("int unsigned", "int", True),
        ("tinyint(1)", "int", False),
        ("float", "double", False),
        ("double", "float", True),
        ("json", "longtext", False),
        ("char(10)", "varchar(10)", False),
        ("varchar(10)", "char(5)", True),
        ("text", "varchar(200)", True),
        ("int", "varchar(20)", True),
    ],
)
def test_narrowing(old, new, narrows):
    assert types_narrow(old, new) is narrows
