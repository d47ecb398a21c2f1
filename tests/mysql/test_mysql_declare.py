"""What the models declare, normalised for a given server: no server needed."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy.dialects import mysql

from sqlgen.errors import SqlgenError
from sqlgen.mysql.declare import declared_schema
from sqlgen.mysql.dialect import ServerInfo
from sqlgen.schema import IndexPart

SERVER = ServerInfo(
    "mariadb", (10, 11, 19), "10.11.19-MariaDB", database="app",
    charset_collations={"utf8mb4": "utf8mb4_general_ci", "latin1": "latin1_swedish_ci", "utf8mb3": "utf8mb3_general_ci"},
)


def declare(*tables_of_metadata, server=SERVER):
    metadata = sa.MetaData()
    for build in tables_of_metadata:
        build(metadata)
    schema, notes = declared_schema(metadata, server, "sqlgen_version")
    return schema, notes


def test_types_are_compiled_by_the_dialect_and_normalised():
    schema, _ = declare(lambda m: sa.Table(
        "t", m,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("flag", sa.Boolean, nullable=False),
        sa.Column("name", sa.String(50)),
        sa.Column("price", sa.Numeric(10, 2)),
        sa.Column("data", sa.JSON),
        sa.Column("uid", sa.Uuid),
        sa.Column("kind", sa.Enum("a", "b", name="kind")),
        sa.Column("big", mysql.BIGINT(unsigned=True)),
    ))
    table = schema.table("t")
    # MariaDB 10.7+ has a UUID type; SQLAlchemy uses it from 2.1 on (2.0 writes CHAR(32)), and
    # sqlgen declares what the installed SQLAlchemy's create_all would make.
    uuid_type = "uuid" if tuple(int(n) for n in sa.__version__.split(".")[:2]) >= (2, 1) else "char(32)"
    assert [(c.name, c.type) for c in table.columns] == [
        ("id", "int"), ("flag", "tinyint(1)"), ("name", "varchar(50)"), ("price", "decimal(10,2)"),
        ("data", "json"), ("uid", uuid_type), ("kind", "enum('a','b')"), ("big", "bigint unsigned"),
    ]
    assert table.column("id").autoincrement and not table.column("id").nullable
    assert not table.column("flag").nullable and table.column("name").nullable


def test_collation_follows_the_table_unless_the_column_says_otherwise():
    schema, _ = declare(lambda m: sa.Table(
        "t", m,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("plain", sa.String(5)),
        sa.Column("binary", sa.String(5, collation="utf8mb4_bin")),
        sa.Column("latin", mysql.VARCHAR(5, charset="latin1")),
        mysql_charset="latin1",
    ))
    table = schema.table("t")
    assert table.options.collation == "latin1_swedish_ci"
    assert table.column("plain").collation is None
    assert table.column("binary").collation == "utf8mb4_bin"
    assert table.column("latin").collation is None, "same as the table's default"


def test_server_defaults_and_on_update():
    schema, _ = declare(lambda m: sa.Table(
        "t", m,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("s", sa.String(5), server_default="it's"),
        sa.Column("n", sa.Integer, server_default=sa.text("0")),
        sa.Column("b", sa.Boolean, server_default=sa.true()),
        sa.Column("created", sa.DateTime, server_default=sa.func.now()),
        sa.Column("updated", sa.DateTime, server_default=sa.text("CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP")),
    ))
    table = schema.table("t")
    assert table.column("s").default == "'it''s'"
    assert table.column("n").default == "0"
    assert table.column("b").default == "1"
    assert table.column("created").default == "CURRENT_TIMESTAMP"
    assert (table.column("updated").default, table.column("updated").on_update) == (
        "CURRENT_TIMESTAMP", "CURRENT_TIMESTAMP")


def test_unnamed_constraints_get_the_names_the_server_would_give():
    def build(m):
        sa.Table("user", m, sa.Column("id", sa.Integer, primary_key=True))
        sa.Table(
            "post", m,
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("slug", sa.String(20), unique=True),
            sa.Column("a", sa.Integer, sa.ForeignKey("user.id")),
            sa.Column("b", sa.Integer, sa.ForeignKey("user.id", name="fk_b")),
            sa.Column("c", sa.Integer, sa.ForeignKey("user.id", ondelete="no action")),
            sa.UniqueConstraint("slug", "a"),
            sa.Index("ix_post_a", "a", mysql_length=None),
        )

    schema, _ = declare(build)
    post = schema.table("post")
    uniques = sorted((i.name, i.columns, i.auto_named) for i in post.indexes if i.unique)
    # SQLAlchemy writes the table-level constraint first; the server names in that order.
    assert uniques == [("slug", ("slug", "a"), True), ("slug_2", ("slug",), True)]
    fks = {fk.name: fk for fk in post.foreign_keys}
    assert set(fks) == {"post_ibfk_1", "post_ibfk_2", "fk_b"}
    assert fks["post_ibfk_2"].on_delete == "RESTRICT" and fks["post_ibfk_2"].auto_named
    assert not fks["fk_b"].auto_named


def test_index_options():
    schema, _ = declare(lambda m: sa.Table(
        "t", m,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("title", sa.String(200)),
        sa.Column("body", sa.Text),
        sa.Index("ix_title", "title", mysql_length=10),
        sa.Index("ft_body", "body", mysql_prefix="FULLTEXT"),
        sa.Index("ix_desc", sa.desc("title")),
    ))
    table = schema.table("t")
    assert table.index("ix_title").parts == (IndexPart("title", 10),)
    assert table.index("ft_body").kind == "FULLTEXT"
    assert table.index("ix_desc").parts == (IndexPart("title", descending=True),)
    old = ServerInfo("mariadb", (10, 6, 0), "10.6.0-MariaDB", database="app")
    schema, _ = declare(lambda m: sa.Table("t", m, sa.Column("id", sa.Integer, primary_key=True),
                                           sa.Index("ix", sa.desc("id"))), server=old)
    assert schema.table("t").index("ix").parts == (IndexPart("id"),), "DESC is ignored before 10.8"


def test_composite_primary_key_puts_the_autoincrement_column_first():
    schema, _ = declare(lambda m: sa.Table(
        "t", m,
        sa.Column("tenant", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    ))
    assert schema.table("t").primary_key == ("id", "tenant")


@pytest.mark.parametrize(
    "column, message",
    [
        (sa.Column("x", sa.String()), "cannot render t.x: VARCHAR requires a length on dialect mysql"),
        (sa.Column("x", sa.Integer, sa.Identity()), "cannot render t.x: MySQL has no IDENTITY"),
        (sa.Column("x", sa.DateTime, server_default=sa.text("now() ON UPDATE uuid()")),
         "ON UPDATE takes CURRENT_TIMESTAMP"),
    ],
)
def test_constructs_that_cannot_be_rendered_name_table_and_column(column, message):
    with pytest.raises(SqlgenError, match=message):
        declare(lambda m: sa.Table("t", m, sa.Column("id", sa.Integer, primary_key=True), column))


def test_check_constraints_and_generated_columns():
    schema, _ = declare(lambda m: sa.Table(
        "t", m,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("price", sa.Integer, sa.CheckConstraint("price >= 0")),
        sa.Column("total", sa.Integer, sa.Computed("id + price", persisted=True)),
        sa.Column("flag", sa.Boolean(create_constraint=True, name="ck_flag")),
        sa.CheckConstraint("`id` > 0", name="ck_positive"),
        sa.CheckConstraint("price != 5"),
    ))
    table = schema.table("t")
    assert sorted((c.name, c.key, c.auto_named) for c in table.checks) == [
        ("CONSTRAINT_1", "price<>5", True),
        ("ck_flag", "flag in(0,1)", False),
        ("ck_positive", "id>0", False),
        ("price", "price>=0", True),  # MariaDB names a column's check after the column
    ]
    assert table.column("total").generated.key == "id+price" and table.column("total").generated.stored


def test_expression_index_is_refused():
    with pytest.raises(SqlgenError, match="cannot render index t.ix_lower: expression indexes need MySQL 8.0.13"):
        declare(lambda m: sa.Table("t", m, sa.Column("id", sa.Integer, primary_key=True),
                                   sa.Column("name", sa.String(5)),
                                   sa.Index("ix_lower", sa.func.lower(sa.column("name")))))


def test_unknown_table_options_are_noted():
    _, notes = declare(lambda m: sa.Table("t", m, sa.Column("id", sa.Integer, primary_key=True),
                                          mysql_row_format="DYNAMIC"))
    assert notes == ["not compared: table option ROW_FORMAT on t"]


@pytest.mark.parametrize("name", ["sqlgen_version", "SQLGEN_Version"])  # one table with lower_case_table_names
def test_version_table_name_is_reserved(name):
    with pytest.raises(SqlgenError, match="sqlgen uses to track migrations"):
        declare(lambda m: sa.Table(name, m, sa.Column("id", sa.Integer, primary_key=True)))


@pytest.mark.parametrize("digits", ["\u00b2", "\u0661"])  # str.isdigit() takes both; int() fails or reads 1
def test_numbers_are_ascii_digits(digits):
    with pytest.raises(SqlgenError, match=f"mysql_length '{digits}' is not a number of characters"):
        declare(lambda m: sa.Index("ix", sa.Table("t", m, sa.Column("id", sa.Integer, primary_key=True),
                                                  sa.Column("c", sa.String(50))).c.c, mysql_length=digits))
    schema, _ = declare(lambda m: sa.Table("t", m, sa.Column("id", sa.Integer, primary_key=True),
                                           sa.Column("b", mysql.BIT(8), server_default=digits)))
    assert schema.table("t").column("b").default == f"'{digits}'", "a string, not the bits of a number"


def test_tables_in_another_database_are_refused():
    with pytest.raises(SqlgenError, match="lives in another database"):
        declare(lambda m: sa.Table("t", m, sa.Column("id", sa.Integer, primary_key=True), schema="other"))


def test_only_the_ddl_create_all_emits_for_this_server_is_declared():
    """_create_rule (an Enum's or a Boolean's CHECK, for servers without the native type) and
    ddl_if() (another dialect named, or a callable saying no) decide as in create_all."""
    import conditional_models

    schema, _ = declared_schema(conditional_models.metadata, SERVER, "sqlgen_version")
    table = schema.table("cond_child")
    # The Boolean's CHECK stays: SQLAlchemy's MySQL dialect has no native boolean, and create_all
    # emits CHECK (flag IN (0, 1)), which MariaDB names CONSTRAINT_1.
    assert [check.name for check in table.checks] == ["ck_amount_mysql", "CONSTRAINT_1"]
    assert sorted(index.name for index in table.indexes) == ["ix_amount_mysql"]
    assert table.foreign_keys == ()
