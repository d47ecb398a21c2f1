"""Issue 15, what the server adjusts silently: every warning the server gives during create_all of
the test models is accounted for.

create_all runs with a listener that asks SHOW WARNINGS after each statement. For every warning,
generate from an empty database must converge (after the up file, generate finds nothing, and the
schema is what create_all made) and one of its notes must name the table, column or index and say
what the server does; or the warning is in ALLOWED, with the reason it needs no note and a check
of the file that shows it. A warning neither accounts for fails the test, with its text.

Adjustments the server makes without a warning (a default rounded, an ENUM default spelled as
its member...) are in ADJUSTED too: each must converge and be noted the same way.
"""

from __future__ import annotations

import re
import sys
import types
from dataclasses import dataclass

import pytest
import sqlalchemy as sa
from sqlalchemy import Column, Integer, String, text
from sqlalchemy.dialects import mysql

import identity_models
from sqlgen import commands
from sqlgen.errors import SqlgenError
from sqlgen.mysql.declare import declared_schema
from support import Output, assert_same_schema, engine_for, make_config, snapshot
from test_mysql_limits import LONG_KEYS, MARIADB, REVIEWED, TAKEN, metadata_of
from test_property_mysql import VOCABULARY, build


# --- What the server says, and how each is accounted for ------------------------------------------

@dataclass(frozen=True)
class Noted:
    """A warning generate notes: `note(table, index, match)` is a pattern one note must begin with."""
    code: int
    message: str
    note: object


@dataclass(frozen=True)
class Allowed:
    """A warning that needs no note: why, and a check of the up file that shows it."""
    code: int
    message: str
    reason: str
    shown_by: object


@dataclass(frozen=True)
class Refused:
    """A warning about models generate refuses in one line: nothing is written, so nothing adjusted."""
    code: int
    message: str
    refusal: object


ACCOUNTED = [
    Noted(1071, r"Specified key was too long; max key length is (\d+) bytes",
          lambda table, index, m: rf"the server makes index {table}\.{index} on the first \d+ (characters|bytes) "
                                  rf"of \w+: a key takes at most {m[1]} bytes on \w+"),
    Noted(1265, r"Data truncated for column '(\w+)' at row \d+",
          lambda table, index, m: rf"the server stores the default .+ of {table}\.{m[1]} as .+: .+"),
    Noted(1831, r"Duplicate index `(\w+)`\. This is deprecated and will be disallowed in a future release",
          lambda table, index, m: rf"index {table}\.(\w+ duplicates index {table}\.{m[1]}|{m[1]} duplicates index "
                                  rf"{table}\.\w+) \(the same key on .+\): the server makes both"),
    Refused(1246, r"Converting column '(\w+)' from VARCHAR to TEXT",
            lambda table, index, m: rf"column {table}\.{m[1]}: VARCHAR\(\d+\) cannot be built"),
]
ALLOWED = [
    Allowed(1287, r"'YEAR\(2\)' is deprecated and will be removed in a future release\. Please use YEAR\(4\) instead",
            "create_all writes YEAR(2); sqlgen never does (it writes YEAR, and a note says so), so the file gives "
            "no such warning",
            lambda up: not re.search(r"year\s*\(\s*2\s*\)", up, re.I)),
]


# --- Models that make the server adjust ------------------------------------------------------------

# name -> (the columns of table `name`, fresh ones each call; what its note says)
ADJUSTED = {
    "dec_rounded": (lambda: [Column("x", sa.Numeric(10, 2), server_default="1.005")],
                    "the server stores the default '1.005' of dec_rounded.x as 1.01: DECIMAL(10,2) keeps 2 digits"),
    "dec_whole": (lambda: [Column("x", sa.Numeric(10), server_default=text("2.5"))],
                  "of dec_whole.x as 3: DECIMAL(10,0) keeps 0 digits"),
    "int_rounded": (lambda: [Column("x", Integer, server_default="1.5"),
                             Column("y", Integer, server_default=text("-2.5"))],
                    "the server stores the default '1.5' of int_rounded.x as 2: INT keeps whole numbers"),
    "float_scaled": (lambda: [Column("x", mysql.FLOAT(7, 3), server_default=text("1.2345")),
                      Column("y", mysql.DOUBLE(10, 2), server_default="2.555"),
                      Column("z", mysql.FLOAT(5, 1), server_default=text("0.25"))],
                     "the server stores the default 1.2345 of float_scaled.x as 1.234: FLOAT(7,3) keeps 3 digits"),
    "date_cut": (lambda: [Column("x", sa.Date, server_default="2020-01-02 03:04:05")],
                 "the server stores the default '2020-01-02 03:04:05' of date_cut.x as '2020-01-02': a DATE keeps "
                 "no time of day"),
    "fraction_cut": (lambda: [Column("x", sa.DateTime, server_default="2020-01-02 03:04:05.678"),
                      Column("y", mysql.TIME(fsp=1), server_default="01:02:03.45")],
                     "of fraction_cut.x as '2020-01-02 03:04:05': DATETIME keeps no fractional digits"),
    "char_spaces": (lambda: [Column("x", sa.CHAR(5), server_default="ab  ")],
                    "the server stores the default 'ab  ' of char_spaces.x as 'ab': a CHAR loses its trailing spaces"),
    "enum_spelled": (lambda: [Column("x", sa.Enum("a", "b", name="e"), server_default="B"),
                      Column("y", mysql.SET("a", "b"), server_default="B,a")],
                     "the server stores the default 'B' of enum_spelled.x as 'b': the ENUM spells it as its member"),
    "enum_spaces": (lambda: [Column("x", mysql.ENUM("a ", "b"), server_default="a "),
                             Column("y", mysql.SET("a ", "b"))],
                    "the server makes enum_spaces.x enum('a','b'): an ENUM loses the trailing spaces of its values"),
    "year_digits": (lambda: [Column("x", mysql.YEAR, server_default="20"), Column("y", mysql.YEAR, server_default="0"),
                     Column("z", mysql.YEAR, server_default=text("75"))],
                    "the server stores the default '20' of year_digits.x as '2020': a YEAR reads two digits"),
    "bit_text": (lambda: [Column("x", mysql.BIT(8), server_default="a"), Column("y", mysql.BIT(8), server_default="5")],
                 "the server stores the default 'a' of bit_text.x as b'1100001': a quoted default on a BIT is the "
                 "bytes of its text"),
    "binary_padded": (lambda: [Column("x", mysql.BINARY(4), server_default="ab")],
                      "the server stores the default 'ab' of binary_padded.x as 'ab\\0\\0': BINARY(4) pads it"),
    "now_precision": (lambda: [Column("x", sa.DateTime, server_default=text("CURRENT_TIMESTAMP(3)")),
                       Column("y", mysql.TIMESTAMP(fsp=3), nullable=True,
                              server_default=text("CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP"))],
                      "the server stores the default CURRENT_TIMESTAMP(3) of now_precision.x as CURRENT_TIMESTAMP: "
                      "it takes the fractional digits of DATETIME"),
    "same_index": (lambda: [Column("x", Integer), Column("y", String(20)), sa.Index("ix_same_a", "x"),
                    sa.Index("ix_same_b", "x"), sa.UniqueConstraint("y", name="uq_same_1"),
                    sa.UniqueConstraint("y", name="uq_same_2")],
                   "index same_index.ix_same_b duplicates index same_index.ix_same_a (the same key on x): the server "
                   "makes both"),
    "long_text_key": (lambda: [Column("x", sa.Text), Column("b", sa.LargeBinary),
                               Column("l", mysql.VARCHAR(4000, charset="latin1")),
                       sa.Index("ix_text_x", "x", mysql_length=1000), sa.Index("ix_text_b", "b", mysql_length=4000),
                       sa.Index("ix_text_l", "l")],
                      "the server makes index long_text_key.ix_text_x on the first 768 characters of x"),
    "year_two": (lambda: [Column("x", mysql.YEAR(2))],
                 "year_two.x is declared YEAR(2), which the server deprecates (note 1287) and sqlgen writes as YEAR"),
}


def adjusted(names=None) -> sa.MetaData:
    metadata = sa.MetaData()
    for name in names or ADJUSTED:
        columns, _ = ADJUSTED[name]
        sa.Table(name, metadata, Column("id", Integer, primary_key=True), *columns(),
                 mysql_charset="utf8mb4")
    return metadata


def property_sample() -> sa.MetaData:
    """A fixed sample of the property test's models: every type with every candidate default, nullable
    and not, indexed twice alike (as random models often are), in both character sets."""
    specs = []
    for number, kind in enumerate(sorted(VOCABULARY)):
        defaults = len(VOCABULARY[kind][2])
        specs.append({
            "columns": [{"kind": kind, "nullable": bool(n % 2), "default": n, "comment": "it's quoted" if n else None}
                        for n in range(defaults)],
            "indexes": [([0], False), ([0], False), ([1, 0], True), ([1, 0], True)],
            "parents": [(number - 1, "CASCADE")] if number else [],
            "charset": "latin1" if number % 2 else None,
            "comment": "table comment",
        })
    return build(specs)


# name -> (metadata, the session's sql_mode for create_all or None, whether create_all's schema is what the file
# makes). YEAR(2) is the one difference: sqlgen writes YEAR, and says so.
MODEL_SETS = {
    "identity": (lambda: identity_models.metadata, None, True),
    "property_sample": (property_sample, None, True),
    "reviewed": (lambda: REVIEWED, None, True),
    "long_keys": (lambda: LONG_KEYS, None, True),
    "adjusted": (lambda: adjusted([name for name in ADJUSTED if name != "year_two"]), None, True),
    "year_two": (lambda: adjusted(["year_two"]), None, False),
    "non_strict": (lambda: metadata_of(lambda: [Column("x", String(20000))]), "", None),
    **{f"taken_{name}": (lambda name=name: metadata_of(TAKEN[name]), None, True) for name in sorted(TAKEN)},
}


# --- Collecting the warnings ---------------------------------------------------------------------------

_CREATE_TABLE = re.compile(r"^\s*CREATE\s+TABLE\s+`?(\w+)", re.I)
_CREATE_INDEX = re.compile(r"^\s*CREATE\s+(?:UNIQUE\s+|FULLTEXT\s+|SPATIAL\s+)?INDEX\s+`?(\w+)`?\s+ON\s+`?(\w+)", re.I)


@dataclass(frozen=True)
class ServerWarning:
    level: str
    code: int
    message: str
    table: str | None
    index: str | None
    statement: str

    def __str__(self):
        return f"{self.level} {self.code}: {self.message} (during {self.statement.strip().splitlines()[0]})"


def warnings_of_create_all(metadata: sa.MetaData, url, sql_mode: str | None = None) -> list[ServerWarning]:
    """create_all on `url`, and every warning the server gave, with the table (and index) of its statement."""
    engine = engine_for(url)
    found: list[ServerWarning] = []

    @sa.event.listens_for(engine, "connect")
    def session(dbapi_connection, record):
        if sql_mode is not None:
            with dbapi_connection.cursor() as cursor:
                cursor.execute("SET SESSION sql_mode = %s", (sql_mode,))

    @sa.event.listens_for(engine, "after_cursor_execute")
    def after(connection, cursor, statement, parameters, context, executemany):
        cursor.execute("SHOW WARNINGS")  # the same session, right after the statement
        table = index = None
        if match := _CREATE_TABLE.match(statement):
            table = match[1]
        elif match := _CREATE_INDEX.match(statement):
            index, table = match[1], match[2]
        found.extend(ServerWarning(level, int(code), message, table, index, statement)
                     for level, code, message in cursor.fetchall())

    try:
        metadata.create_all(engine)
    finally:
        engine.dispose()
    return found


def _rule(warning: ServerWarning):
    for rule in ACCOUNTED + ALLOWED:
        match = re.fullmatch(rule.message, warning.message)
        if rule.code == warning.code and match:
            return rule, match
    return None, None


def _generate_from_empty(metadata, name, scratch, tmp_path, monkeypatch):
    """generate on an empty database, its up file run, generate again: (notes, up text, error, database)."""
    module = types.ModuleType(name)
    module.metadata = metadata
    monkeypatch.setitem(sys.modules, name, module)
    db = scratch.new()
    config = make_config(db, f"{name}:metadata", tmp_path / name)
    try:
        result = commands.generate(config, "from empty", echo=Output())
    except SqlgenError as exc:
        return [], "", str(exc), db
    commands.upgrade(config, echo=Output())
    again = Output()
    commands.generate(config, "again", echo=again)
    assert again.lines[-1] == "No changes detected", f"{name} does not converge:\n{again.text}"
    return result.notes, result.up_text, None, db


@pytest.mark.mysql
@pytest.mark.parametrize("name", sorted(MODEL_SETS))
def test_every_warning_of_create_all_is_accounted_for(scratch, tmp_path, monkeypatch, name):
    build_metadata, sql_mode, same_schema = MODEL_SETS[name]
    made = scratch.new()
    found = warnings_of_create_all(build_metadata(), made, sql_mode)
    notes, up, refusal, db = _generate_from_empty(build_metadata(), f"warned_{name}", scratch, tmp_path, monkeypatch)
    if refusal is None and same_schema:
        assert_same_schema(snapshot(db, generated_names=False), snapshot(made, generated_names=False))
    unaccounted = []
    for warning in found:
        rule, match = _rule(warning)
        if rule is None:
            unaccounted.append(f"unknown warning: {warning}")
        elif isinstance(rule, Allowed):
            if refusal is not None or not rule.shown_by(up):
                unaccounted.append(f"allowed ({rule.reason}), but the file does not show it: {warning}")
        elif isinstance(rule, Refused):
            if refusal is None or not re.search(rule.refusal(warning.table, warning.index, match), refusal):
                unaccounted.append(f"expected generate to refuse, got {refusal!r}: {warning}")
        else:
            pattern = rule.note(warning.table, warning.index, match)
            if refusal is not None:
                unaccounted.append(f"generate refused ({refusal}): {warning}")
            elif not any(re.match(pattern, note) for note in notes):
                near = [note for note in notes if f"{warning.table}." in note]
                unaccounted.append(f"no note matches {pattern!r}: {warning}; the notes on {warning.table}: {near}")
    assert not unaccounted, "\n".join(unaccounted)


@pytest.mark.mysql
def test_the_sets_provoke_every_kind_of_warning(scratch):
    """The models above do make the server warn, each kind of ACCOUNTED and ALLOWED at least once."""
    codes = set()
    for name, (build_metadata, sql_mode, _) in MODEL_SETS.items():
        codes |= {warning.code for warning in warnings_of_create_all(build_metadata(), scratch.new(), sql_mode)}
    assert codes == {rule.code for rule in ACCOUNTED + ALLOWED}


def test_an_unknown_warning_is_not_accounted_for():
    warning = ServerWarning("Warning", 9999, "Something new", "t", None, "CREATE TABLE t (x int)")
    assert _rule(warning) == (None, None)


# --- Adjustments without a warning: converge, and noted ----------------------------------------------

@pytest.mark.parametrize("name", sorted(ADJUSTED))
def test_what_the_server_adjusts_is_noted_at_generate(name):
    _, note = ADJUSTED[name]
    _, notes = declared_schema(adjusted([name]), MARIADB, "sqlgen_version")
    assert any(note in line for line in notes), notes


@pytest.mark.mysql
@pytest.mark.parametrize("name", sorted(ADJUSTED))
def test_what_the_server_adjusts_converges_and_is_noted(scratch, tmp_path, monkeypatch, name):
    _, note = ADJUSTED[name]
    made = scratch.new()
    engine = engine_for(made)
    adjusted([name]).create_all(engine)
    engine.dispose()
    notes, up, refusal, db = _generate_from_empty(adjusted([name]), f"adjusted_{name}", scratch, tmp_path, monkeypatch)
    assert refusal is None, refusal
    assert any(note in line for line in notes), notes
    if name != "year_two":
        assert_same_schema(snapshot(db, generated_names=False), snapshot(made, generated_names=False))


def test_notes_name_what_the_server_stores():
    """Spelling alone is no adjustment: '2020-1-2', a SET in another order, a BIT as a number are not noted."""
    metadata = sa.MetaData()
    sa.Table("plain", metadata, Column("id", Integer, primary_key=True),
             Column("d", sa.Date, server_default="2020-1-2"),
             Column("dt", mysql.DATETIME(fsp=3), server_default="2020-01-02"),
             Column("s", mysql.SET("a", "b", "c"), server_default="c,a"),
             Column("b", mysql.BIT(4), server_default=text("5")),
             Column("n", sa.Numeric(10, 2), server_default="1.50"), Column("i", Integer, server_default=text("1e1")),
             Column("c", sa.CHAR(3), server_default="ab"),
             Column("e", sa.Enum("a", "B", name="e2"), server_default="B"),
             Column("bin", mysql.ENUM("a", "b", collation="utf8mb4_bin"), server_default="a"))
    _, notes = declared_schema(metadata, MARIADB, "sqlgen_version")
    assert notes == []


def test_mysql_keeps_current_timestamp_as_written():
    """Only MariaDB gives CURRENT_TIMESTAMP the column's digits (MySQL refuses a mismatch)."""
    from test_mysql_limits import MYSQL

    metadata = sa.MetaData()
    sa.Table("t", metadata, Column("id", Integer, primary_key=True),
             Column("x", mysql.TIMESTAMP(fsp=3), server_default=text("CURRENT_TIMESTAMP(3)")))
    _, notes = declared_schema(metadata, MYSQL, "sqlgen_version")
    assert notes == []
