"""Models SQLAlchemy takes and the server refuses: refused at generate in one line naming the
column or table, nothing written. The same columns at the limit are taken, and built."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from sqlalchemy.dialects import mysql

from sqlgen import commands
from sqlgen.errors import SqlgenError
from sqlgen.mysql.declare import declared_schema
from sqlgen.mysql.dialect import ServerInfo
from support import Output, execute, make_config

MARIADB = ServerInfo("mariadb", (10, 11, 19), "10.11.19-MariaDB", database="app",
                     charset_collations={"utf8mb4": "utf8mb4_general_ci", "latin1": "latin1_swedish_ci",
                                         "utf8mb3": "utf8mb3_general_ci", "latin2": "latin2_general_ci",
                                         "cp1251": "cp1251_general_ci"})
MYSQL = ServerInfo("mysql", (8, 0, 36), "8.0.36", database="app",
                   charset_collations={"utf8mb4": "utf8mb4_0900_ai_ci", "latin1": "latin1_swedish_ci",
                                       "utf8mb3": "utf8mb3_general_ci"})

# name -> (columns of table t, what the one line says)
REFUSED = {
    "decimal_precision": (lambda: [sa.Column("x", sa.Numeric(70, 2))], "column t.x: DECIMAL(70,2) cannot be built: DECIMAL takes at most 65 digits"),
    "decimal_scale_over_precision": (lambda: [sa.Column("x", sa.Numeric(5, 6))], "column t.x: DECIMAL(5,6) cannot be built"),
    "varchar_utf8mb4": (lambda: [sa.Column("x", sa.String(16384))], "a VARCHAR in utf8mb4 takes at most 16383 characters"),
    "varchar_huge": (lambda: [sa.Column("x", sa.String(70000))], "column t.x: VARCHAR(70000)"),
    "varchar_utf8mb3": (lambda: [sa.Column("x", mysql.VARCHAR(21846, charset="utf8mb3"))], "a VARCHAR in utf8mb3 takes at most 21845"),
    "char": (lambda: [sa.Column("x", sa.CHAR(256))], "CHAR takes at most 255 characters"),
    "binary": (lambda: [sa.Column("x", sa.BINARY(300))], "BINARY takes at most 255 bytes"),
    "varbinary": (lambda: [sa.Column("x", sa.VARBINARY(65533))], "VARBINARY takes at most 65532 bytes"),
    "bit": (lambda: [sa.Column("x", mysql.BIT(65))], "BIT takes at most 64 bits"),
    "fractional_seconds": (lambda: [sa.Column("x", mysql.DATETIME(fsp=7))], "DATETIME keeps at most 6 fractional digits"),
    "time_fraction": (lambda: [sa.Column("x", mysql.TIME(fsp=9))], "TIME keeps at most 6 fractional digits"),
    "empty_enum": (lambda: [sa.Column("x", sa.Enum(name="e"))], "an ENUM needs at least one value"),
    "set_of_65": (lambda: [sa.Column("x", mysql.SET(*[f"v{n}" for n in range(65)]))], "a SET takes at most 64 values"),
    "row": (lambda: [sa.Column(f"c{n}", sa.String(2000)) for n in range(9)], "table t: its row takes at least"),
    "row_one_byte_over": (lambda: [sa.Column("a", sa.String(10000)), sa.Column("b", sa.String(6382))],
                          "table t: its row takes at least 65537 bytes"),
    "row_of_chars": (lambda: [sa.Column(f"c{n}", sa.CHAR(255)) for n in range(65)], "table t: its row takes at least"),
    "default_too_long": (lambda: [sa.Column("x", sa.String(3), server_default="abcd")], "the default 'abcd' is longer than VARCHAR(3)"),
    "default_not_a_number": (lambda: [sa.Column("x", sa.Integer, server_default="abc")], "the default 'abc' is not a number"),
    "enum_same_value_but_for_case": (lambda: [sa.Column("x", sa.Enum("a", "A", name="e"))],
                                     "column t.x: the ENUM holds 'a' and 'A', which the server takes for one value"),
    "set_same_value_twice": (lambda: [sa.Column("x", mysql.SET("a", "b", "a"))], "the SET holds 'a' and 'a'"),
    "int_default_out_of_range": (lambda: [sa.Column("x", sa.Integer, server_default="3000000000")],
                                 "column t.x: the default 3000000000 is outside INT (-2147483648 to 2147483647)"),
    "unsigned_default_below_zero": (lambda: [sa.Column("x", mysql.INTEGER(unsigned=True), server_default="-1")],
                                    "the default -1 is outside INT UNSIGNED (0 to 4294967295)"),
    "column_comment_too_long": (lambda: [sa.Column("x", sa.Integer, comment="c" * 1025)],
                                "column t.x: its comment has 1025 characters, and the server keeps at most 1024"),
    "default_empty_text": (lambda: [sa.Column("x", sa.Integer, server_default=sa.text(""))],
                           "the default of t.x is empty (server_default=text(''))"),
    "default_blank_text": (lambda: [sa.Column("x", sa.String(5), server_default=sa.text("  "))],
                           "the default of t.x is empty"),
}
# At the limit, with the table's `id int` (4 bytes) and a byte of NULL flags per 8 nullable
# columns: taken, and the server builds them (one more byte, and it refuses: error 1118).
TAKEN = {
    "enum_case_under_a_binary_collation": lambda: [sa.Column("x", mysql.ENUM("a", "A", collation="utf8mb4_bin"))],
    "int_default_at_its_limits": lambda: [sa.Column("x", sa.Integer, server_default="-2147483648"),
                                          sa.Column("y", mysql.INTEGER(unsigned=True), server_default="4294967295")],
    "comment_at_its_limit": lambda: [sa.Column("x", sa.Integer, comment="c" * 1024)],
    "decimal": lambda: [sa.Column("x", sa.Numeric(65, 30))],
    "varchar_utf8mb4": lambda: [sa.Column("x", sa.String(16382))],
    "varchar_latin1": lambda: [sa.Column("x", mysql.VARCHAR(65528, charset="latin1"))],
    "char": lambda: [sa.Column("x", sa.CHAR(255)), sa.Column("y", sa.BINARY(255))],
    "varbinary": lambda: [sa.Column("x", sa.VARBINARY(65528))],
    "bit": lambda: [sa.Column("x", mysql.BIT(64)), sa.Column("y", mysql.DATETIME(fsp=6))],
    "set_of_64": lambda: [sa.Column("x", mysql.SET(*[f"v{n}" for n in range(64)]))],
    "row_at_the_limit": lambda: [sa.Column("a", sa.String(10000)), sa.Column("b", sa.String(6381))],
    "chars_at_the_limit": lambda: [sa.Column(f"c{n}", sa.CHAR(255)) for n in range(64)],
    "many_texts": lambda: [sa.Column("a", sa.String(16200))] + [sa.Column(f"t{n}", sa.Text) for n in range(14)],
    "defaults": lambda: [sa.Column("x", sa.String(3), server_default="abc"), sa.Column("n", sa.Integer, server_default="42")],
}


def metadata_of(columns) -> sa.MetaData:
    """Table t: an `id int` key and the columns `columns()` makes (fresh ones each time)."""
    metadata = sa.MetaData()
    sa.Table("t", metadata, sa.Column("id", sa.Integer, primary_key=True), *columns(), mysql_charset="utf8mb4")
    return metadata


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_what_the_server_refuses_is_refused_in_one_line(name):
    columns, message = REFUSED[name]
    with pytest.raises(SqlgenError) as failure:
        declared_schema(metadata_of(columns), MARIADB, "sqlgen_version")
    assert message in str(failure.value) and "\n" not in str(failure.value), str(failure.value)


@pytest.mark.parametrize("name", sorted(TAKEN))
def test_what_the_server_builds_at_its_limits_is_taken(name):
    for server in (MARIADB, MYSQL):
        declared_schema(metadata_of(TAKEN[name]), server, "sqlgen_version")


def test_decimal_scale_differs_by_flavour():
    def columns():
        return [sa.Column("x", sa.Numeric(65, 31))]
    declared_schema(metadata_of(columns), MARIADB, "sqlgen_version")  # MariaDB takes 38 digits after the point
    with pytest.raises(SqlgenError, match="DECIMAL takes at most 30 digits after the point on mysql"):
        declared_schema(metadata_of(columns), MYSQL, "sqlgen_version")


# --- Against the real server: it agrees -----------------------------------------------------------

@pytest.mark.mysql
@pytest.mark.parametrize("name", sorted(REFUSED))
def test_generate_refuses_and_writes_nothing_where_create_all_fails(scratch, tmp_path, monkeypatch, name):
    import sys
    import types

    columns, message = REFUSED[name]
    module = types.ModuleType(f"limit_models_{name}")
    module.metadata = metadata_of(columns)
    monkeypatch.setitem(sys.modules, module.__name__, module)
    db = scratch.new()
    with pytest.raises(Exception):  # the server refuses it too
        module.metadata.create_all(sa.create_engine(str(db.render_as_string(hide_password=False))))
    directory = tmp_path / "migrations"
    with pytest.raises(SqlgenError, match=re.escape(message)):
        commands.generate(make_config(db, f"{module.__name__}:metadata", directory), "x", echo=Output())
    assert not list(directory.glob("*.sql")) if directory.exists() else True


@pytest.mark.mysql
@pytest.mark.parametrize("name", sorted(TAKEN))
def test_columns_at_the_limit_are_generated_and_built(scratch, tmp_path, monkeypatch, name):
    import sys
    import types

    module = types.ModuleType(f"limit_taken_{name}")
    module.metadata = metadata_of(TAKEN[name])
    monkeypatch.setitem(sys.modules, module.__name__, module)
    db = scratch.new()
    config = make_config(db, f"{module.__name__}:metadata", tmp_path / "migrations")
    commands.generate(config, "x", echo=Output())
    commands.upgrade(config, echo=Output())
    assert execute(db, "SHOW TABLES LIKE 't'")[0] == [("t",)]


# --- Foreign keys InnoDB cannot make ------------------------------------------------------------------

def _pair(parent_key, child_column, parent_extra=lambda: ()):
    def build():
        metadata = sa.MetaData()
        sa.Table("p", metadata, sa.Column("id", sa.Integer, primary_key=True), parent_key(), *parent_extra())
        sa.Table("c", metadata, sa.Column("id", sa.Integer, primary_key=True), child_column(),
                 sa.ForeignKeyConstraint(["r"], ["p.k"], name="fk_c_p"))
        return metadata
    return build


FOREIGN_REFUSED = {
    "integer_size": (_pair(lambda: sa.Column("k", sa.Integer, unique=True), lambda: sa.Column("r", sa.BigInteger)),
                     "foreign key fk_c_p of table c: c.r (bigint) cannot reference p.k (int)"),
    "integer_sign": (_pair(lambda: sa.Column("k", mysql.INTEGER(unsigned=True), unique=True),
                           lambda: sa.Column("r", sa.Integer)), "the same integer type and sign"),
    "collation": (_pair(lambda: sa.Column("k", sa.String(10, collation="utf8mb4_bin"), unique=True),
                        lambda: sa.Column("r", sa.String(10, collation="utf8mb4_general_ci"))),
                  "the same collation on both sides"),
    "no_index": (_pair(lambda: sa.Column("k", sa.Integer), lambda: sa.Column("r", sa.Integer)),
                 "p has no index that begins with (k)"),
    "index_not_leading": (_pair(lambda: sa.Column("k", sa.Integer), lambda: sa.Column("r", sa.Integer),
                                lambda: [sa.Column("z", sa.Integer), sa.Index("ix_zk", "z", "k")]),
                          "p has no index that begins with (k)"),
}
FOREIGN_TAKEN = {
    "string_lengths": _pair(lambda: sa.Column("k", sa.String(10), unique=True), lambda: sa.Column("r", sa.String(20))),
    "char_and_varchar": _pair(lambda: sa.Column("k", sa.CHAR(10), unique=True), lambda: sa.Column("r", sa.String(10))),
    "decimal_scales": _pair(lambda: sa.Column("k", sa.Numeric(10, 2), unique=True),
                            lambda: sa.Column("r", sa.Numeric(10, 3))),
    "plain_index": _pair(lambda: sa.Column("k", sa.Integer, index=True), lambda: sa.Column("r", sa.Integer)),
    "leading_of_two": _pair(lambda: sa.Column("k", sa.Integer), lambda: sa.Column("r", sa.Integer),
                            lambda: [sa.Column("z", sa.Integer), sa.UniqueConstraint("k", "z")]),
}


@pytest.mark.parametrize("name", sorted(FOREIGN_REFUSED))
def test_a_foreign_key_innodb_cannot_make_is_refused(name):
    build, message = FOREIGN_REFUSED[name]
    with pytest.raises(SqlgenError, match=re.escape(message)):
        declared_schema(build(), MARIADB, "sqlgen_version")


@pytest.mark.parametrize("name", sorted(FOREIGN_TAKEN))
def test_a_foreign_key_innodb_makes_is_taken(name):
    declared_schema(FOREIGN_TAKEN[name](), MARIADB, "sqlgen_version")


@pytest.mark.mysql
@pytest.mark.parametrize("name", sorted(FOREIGN_REFUSED) + sorted(FOREIGN_TAKEN))
def test_the_server_agrees_about_foreign_keys(scratch, name):
    build = FOREIGN_REFUSED[name][0] if name in FOREIGN_REFUSED else FOREIGN_TAKEN[name]
    engine = sa.create_engine(str(scratch.new().render_as_string(hide_password=False)))
    try:
        if name in FOREIGN_REFUSED:
            with pytest.raises(sa.exc.OperationalError, match="errno: 150"):
                build().create_all(engine)
        else:
            build().create_all(engine)
    finally:
        engine.dispose()


# --- Keys longer than InnoDB keeps ----------------------------------------------------------------------

def _keyed(build):
    metadata = sa.MetaData()
    sa.Table("k", metadata, sa.Column("id", sa.Integer, primary_key=True), *build(),
             mysql_charset="utf8mb4")
    return metadata


def test_mariadb_makes_a_long_plain_key_on_a_prefix_and_sqlgen_declares_it_so():
    schema, notes = declared_schema(_keyed(lambda: [sa.Column("a", sa.String(1000)), sa.Index("ix_a", "a")]),
                                    MARIADB, "sqlgen_version")
    [index] = schema.table("k").indexes
    assert index.parts[0].length == 768
    assert "the server makes index k.ix_a on the first 768 characters of a: a key takes at most 3072 bytes on InnoDB" in notes


@pytest.mark.parametrize("server, build, message", [
    (MARIADB, lambda: [sa.Column("a", sa.String(700)), sa.Column("b", sa.String(700)), sa.Index("ix_ab", "a", "b")],
     "index k.ix_ab: its key would take 5600 bytes"),
    (MYSQL, lambda: [sa.Column("a", sa.String(1000)), sa.Index("ix_a", "a")], "index k.ix_a: its key would take 4000"),
    (MYSQL, lambda: [sa.Column("a", sa.String(1000), unique=True)], "index k.a: its key would take 4000"),
])
def test_a_key_the_server_cannot_shorten_is_refused(server, build, message):
    with pytest.raises(SqlgenError, match=re.escape(message)):
        declared_schema(_keyed(build), server, "sqlgen_version")


def test_a_long_unique_key_stays_whole_on_mariadb():  # MariaDB 10.4+ keeps it as a hash
    schema, _ = declared_schema(_keyed(lambda: [sa.Column("a", sa.String(1000), unique=True)]), MARIADB,
                                "sqlgen_version")
    assert schema.table("k").indexes[0].parts[0].length is None


LONG_KEYS = sa.MetaData()
sa.Table("long_keys", LONG_KEYS, sa.Column("id", sa.Integer, primary_key=True),
         sa.Column("a", sa.String(1000)), sa.Column("b", sa.String(900)), sa.Column("u", sa.String(1000), unique=True),
         sa.Index("ix_long_a", "a"), sa.Index("ix_long_b", "b", mysql_length=850), mysql_charset="utf8mb4")


def converges_both_ways(metadata, name, scratch, run_client, tmp_path, monkeypatch) -> str:
    """On create_all's database generate finds nothing; from an empty one it makes what create_all
    makes, and then finds nothing. The up file's text, for what it says."""
    import sys
    import types

    from support import assert_same_schema, create_all, snapshot

    module = types.ModuleType(name)
    module.metadata = metadata
    monkeypatch.setitem(sys.modules, name, module)
    made = scratch.new()
    create_all(metadata, made)
    out = Output()
    commands.generate(make_config(made, f"{name}:metadata", tmp_path / "made"), "x", echo=out)
    assert out.lines[-1] == "No changes detected", out.text
    db = scratch.new()
    config = make_config(db, f"{name}:metadata", tmp_path / "m")
    up, _ = commands.generate(config, "both ways", echo=Output()).paths
    run_client(db, up)
    assert_same_schema(snapshot(db, generated_names=False), snapshot(made, generated_names=False))
    again = Output()
    commands.generate(config, "again", echo=again)
    assert again.lines[-1] == "No changes detected", again.text
    return up.read_text()


@pytest.mark.mysql
def test_long_keys_converge_both_ways(scratch, run_client, tmp_path, monkeypatch):
    up = converges_both_ways(LONG_KEYS, "long_key_models", scratch, run_client, tmp_path, monkeypatch)
    assert "`a`(768)" in up  # the file says what the server does


def test_mysql_has_no_sequences_and_says_so_in_one_line():
    metadata = sa.MetaData()
    sa.Table("numbered", metadata, sa.Column("id", sa.Integer, sa.Sequence("numbered_seq"), primary_key=True))
    schema, notes = declared_schema(metadata, MYSQL, "sqlgen_version")
    assert notes == ["mysql 8.0.36 has no sequences: the sequence numbered_seq of numbered.id is not created, and "
                     "the column counts by itself (AUTO_INCREMENT where it is the key), as create_all makes it"]
    assert schema.table("numbered").column("id").autoincrement


# --- Found by a review: models the server builds, which must be taken and converge ----------------------

REVIEWED = sa.MetaData()
sa.Table("one_byte", REVIEWED, sa.Column("id", sa.Integer, primary_key=True), sa.Column("x", sa.String(20000)),
         mysql_charset="latin2")
sa.Table("one_byte_key", REVIEWED, sa.Column("id", sa.Integer, primary_key=True), sa.Column("a", sa.String(500)),
         sa.Column("b", sa.String(500)), sa.Column("c", sa.String(1000)), sa.Index("ix_ab", "a", "b"),
         sa.Index("ix_c", "c"), mysql_charset="cp1251")
sa.Table("fk_a", REVIEWED, sa.Column("id", sa.Integer, primary_key=True))
sa.Table("fk_b", REVIEWED, sa.Column("id", sa.Integer, primary_key=True),
         sa.Column("a_id", sa.Integer, sa.ForeignKey("fk_a.id")), sa.Column("x", sa.Integer, index=True))
sa.Table("fk_c", REVIEWED, sa.Column("id", sa.Integer, primary_key=True),
         sa.Column("b_a_id", sa.Integer, sa.ForeignKey("fk_b.a_id")),  # indexed only by fk_b's own foreign key
         sa.Column("x", sa.Integer), sa.Column("bid", sa.Integer),
         sa.ForeignKeyConstraint(["x", "bid"], ["fk_b.x", "fk_b.id"]))  # index (x) ends with the primary key
sa.Table("char_default", REVIEWED, sa.Column("id", sa.Integer, primary_key=True),
         sa.Column("y", sa.CHAR(2), server_default="ab "), sa.Column("z", sa.CHAR(3), server_default="ab "))
sa.Table("binary_key", REVIEWED, sa.Column("id", sa.Integer, primary_key=True), sa.Column("b", sa.VARBINARY(4000)),
         sa.Index("ix_binary_b", "b"), mysql_charset="utf8mb4")
for engine, width in (("MyISAM", 300), ("Aria", 600), ("MEMORY", 1000)):
    sa.Table(f"long_{engine.lower()}", REVIEWED, sa.Column("id", sa.Integer, primary_key=True),
             sa.Column("x", sa.String(width)), sa.Index(f"ix_{engine.lower()}_x", "x"), mysql_engine=engine,
             mysql_charset="utf8mb4")
bound = sa.Table("bound", REVIEWED, sa.Column("id", sa.Integer, primary_key=True), sa.Column("c", sa.Integer))
sa.Index("ix_bound_c", bound.c.c).ddl_if(callable_=lambda ddl, target, bind, **kw: bind.dialect.name == "mysql")


def test_reviewed_models_are_taken():
    declared_schema(REVIEWED, MARIADB, "sqlgen_version")


@pytest.mark.mysql
def test_reviewed_models_converge_both_ways(scratch, run_client, tmp_path, monkeypatch):
    converges_both_ways(REVIEWED, "reviewed_limit_models", scratch, run_client, tmp_path, monkeypatch)


def test_a_table_comment_over_2048_characters_is_refused():
    metadata = sa.MetaData()
    sa.Table("t", metadata, sa.Column("id", sa.Integer, primary_key=True), comment="c" * 2049)
    with pytest.raises(SqlgenError, match="table t: its comment has 2049 characters, and the server keeps at most 2048"):
        declared_schema(metadata, MARIADB, "sqlgen_version")
