"""MySQL 8 forms of information_schema, from fixtures (only MariaDB runs here).

MySQL 8 reports literal defaults unquoted and marks expression defaults
DEFAULT_GENERATED, uses utf8mb4_0900_ai_ci, writes no integer display widths,
wraps CHECK clauses in parentheses with charset introducers, and has
functional indexes. The reflected schema built from those rows must equal the
schema the same models declare for MySQL 8: no false diffs.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects import mysql

from sqlgen.diff import diff
from sqlgen.mysql import rules
from sqlgen.mysql.declare import declared_schema
from sqlgen.mysql.dialect import ServerInfo
from sqlgen.mysql.reflect import build
from sqlgen.mysql.render import render
from sqlgen.ops import AlterTable, CreateTable, DropCheck
from sqlgen.schema import Check

MYSQL_RULES = rules()

MYSQL8 = ServerInfo(
    "mysql", (8, 0, 36), "8.0.36", database="app", default_collation="utf8mb4_0900_ai_ci",
    charset_collations={"utf8mb4": "utf8mb4_0900_ai_ci", "latin1": "latin1_swedish_ci", "utf8mb3": "utf8mb3_general_ci"},
)
COLLATION = "utf8mb4_0900_ai_ci"


def models() -> sa.MetaData:
    m = sa.MetaData()
    sa.Table(
        "user", m,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(50), nullable=False),
        sa.Column("status", sa.String(20), nullable=False, server_default="draft"),
        sa.Column("quote", sa.String(20), server_default="it's"),
        sa.Column("flag", sa.Boolean, server_default=sa.true()),
        sa.Column("score", sa.Numeric(10, 2), server_default="0"),
        sa.Column("created", sa.DateTime, nullable=False, server_default=sa.func.now()),
        sa.Column("updated", mysql.TIMESTAMP(fsp=3),
                  server_default=sa.text("CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3)")),
        sa.Column("payload", sa.JSON),
        sa.Column("uid", sa.String(36), server_default=sa.text("(uuid())")),
        sa.Column("big", mysql.BIGINT(unsigned=True)),
        sa.Column("kind", sa.Enum("a", "b", name="kind"), server_default="a"),
        sa.Column("total", sa.Integer, sa.Computed("id + 1")),
        sa.Column("price", sa.Integer),
        sa.CheckConstraint("price >= 0"),
        sa.CheckConstraint("status IN ('draft', 'live')", name="ck_user_status"),
        sa.Index("ix_user_lower_name", sa.func.lower(sa.column("name"))),
        sa.Index("ix_user_created", sa.desc("created")),
        mysql_engine="InnoDB",
    )
    sa.Table(
        "post", m,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("user.id", ondelete="CASCADE"), nullable=False),
        sa.Column("title", sa.String(200), sa.CheckConstraint("title <> ''")),
    )
    return m


def column(table, name, default, nullable, column_type, collation=None, extra="", comment="", generation=""):
    return (table, name, default, nullable, column_type, collation, extra, comment, generation)


ROWS = {
    "tables": [
        ("user", "BASE TABLE", "InnoDB", COLLATION, "", ""),
        ("post", "BASE TABLE", "InnoDB", COLLATION, "", ""),
        ("sqlgen_version", "BASE TABLE", "InnoDB", COLLATION, "", ""),
    ],
    "columns": [
        column("post", "id", None, "NO", "int", extra="auto_increment"),
        column("post", "user_id", None, "NO", "int"),
        column("post", "title", None, "YES", "varchar(200)", COLLATION),
        column("user", "id", None, "NO", "int", extra="auto_increment"),
        column("user", "name", None, "NO", "varchar(50)", COLLATION),
        column("user", "status", "draft", "NO", "varchar(20)", COLLATION),
        column("user", "quote", "it's", "YES", "varchar(20)", COLLATION),
        column("user", "flag", "1", "YES", "tinyint(1)"),
        column("user", "score", "0.00", "YES", "decimal(10,2)"),
        column("user", "created", "CURRENT_TIMESTAMP", "NO", "datetime", extra="DEFAULT_GENERATED"),
        column("user", "updated", "CURRENT_TIMESTAMP(3)", "YES", "timestamp(3)",
               extra="DEFAULT_GENERATED on update CURRENT_TIMESTAMP(3)"),
        column("user", "payload", None, "YES", "json"),
        column("user", "uid", "uuid()", "YES", "varchar(36)", COLLATION, extra="DEFAULT_GENERATED"),
        column("user", "big", None, "YES", "bigint unsigned"),
        column("user", "kind", "a", "YES", "enum('a','b')", COLLATION),
        column("user", "total", None, "YES", "int", extra="VIRTUAL GENERATED", generation="(`id` + 1)"),
        column("user", "price", None, "YES", "int"),
    ],
    "indexes": [
        ("post", "PRIMARY", 0, "id", None, "BTREE", "A", None),
        ("post", "user_id", 1, "user_id", None, "BTREE", "A", None),
        ("user", "PRIMARY", 0, "id", None, "BTREE", "A", None),
        ("user", "ix_user_created", 1, "created", None, "BTREE", "D", None),
        ("user", "ix_user_lower_name", 1, None, None, "BTREE", "A", "lower(`name`)"),
    ],
    "foreign_keys": [
        ("post", "post_ibfk_1", "user_id", "app", "user", "id", "RESTRICT", "CASCADE"),
    ],
    "checks": [
        ("post", "post_chk_1", "(`title` <> _utf8mb4'')", None),
        ("user", "user_chk_1", "(`price` >= 0)", None),
        ("user", "ck_user_status", "(`status` in (_utf8mb4'draft',_utf8mb4'live'))", None),
    ],
    "other": [],
}


def test_mysql8_forms_reflect_to_what_the_models_declare():
    reflected = build(ROWS, MYSQL8, exclude=frozenset({"sqlgen_version"}))
    declared, notes = declared_schema(models(), MYSQL8, "sqlgen_version")
    assert notes == []
    assert diff(reflected, declared, MYSQL_RULES) == []


def test_mysql8_reflected_details():
    user = build(ROWS, MYSQL8).table("user")
    assert user.column("name").collation is None, "utf8mb4_0900_ai_ci is the table's default"
    assert user.column("status").default == "'draft'"
    assert user.column("flag").default == "1" and user.column("score").default == "0"
    assert user.column("created").default == "CURRENT_TIMESTAMP"
    assert user.column("updated").on_update == "CURRENT_TIMESTAMP(3)"
    assert user.column("uid").default == "(uuid())"
    assert user.column("payload").type == "json"
    assert user.column("big").type == "bigint unsigned"
    assert user.column("total").generated.key == "id+1"
    assert user.index("ix_user_lower_name").parts[0].expression_key == "lower(name)"
    assert {check.name: check.key for check in user.checks} == {
        "user_chk_1": "price>=0", "ck_user_status": "status in('draft','live')"}


def test_changes_render_for_mysql8():
    declared, _ = declared_schema(models(), MYSQL8, "sqlgen_version")
    [create_user] = [op for op in diff(build({**ROWS, "tables": [], "columns": [], "indexes": [], "foreign_keys": [],
                                                "checks": []}, MYSQL8), declared, MYSQL_RULES)
                     if isinstance(op, CreateTable) and op.table.name == "user"]
    text = render(create_user, MYSQL8)
    assert "KEY `ix_user_lower_name` ((lower(name)))" in text
    assert "KEY `ix_user_created` (`created` DESC)" in text
    assert "`total` int AS (id + 1) VIRTUAL NULL" in text, "MySQL takes NULL on generated columns"
    assert "`price` int NULL CHECK (price >= 0)" not in text and "CHECK (price >= 0)" in text


def test_drop_check_syntax_follows_the_version():
    drop = AlterTable("user", (DropCheck(Check("user_chk_1", "price>=0", "`price` >= 0")),))
    assert render(drop, MYSQL8).endswith("DROP CONSTRAINT `user_chk_1`")
    old = ServerInfo("mysql", (8, 0, 17), "8.0.17", database="app")
    assert render(drop, old).endswith("DROP CHECK `user_chk_1`")
