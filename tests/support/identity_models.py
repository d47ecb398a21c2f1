"""Models that exercise every type, default, index, key and option sqlgen compares.

`create_all` of these, then `sqlgen generate` with the same models, must find
nothing: every spelling difference between what SQLAlchemy writes and what the
server reports back is normalised away.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy import Column, ForeignKey, ForeignKeyConstraint, Index, Integer, MetaData, String, Table, text
from sqlalchemy.dialects import mysql
from sqlalchemy.types import UserDefinedType


class Point(UserDefinedType):
    cache_ok = True

    def get_col_spec(self, **kw):
        return "POINT"


metadata = MetaData()

Table(
    "generic_types",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("small", sa.SmallInteger),
    Column("big", sa.BigInteger, nullable=False),
    Column("flag", sa.Boolean),
    Column("name", String(50)),
    Column("uname", sa.Unicode(40)),
    Column("body", sa.Text),
    Column("ubody", sa.UnicodeText),
    Column("short_text", sa.Text(200)),
    Column("blob", sa.LargeBinary),
    Column("sized_blob", sa.LargeBinary(70000)),
    Column("amount", sa.Numeric(12, 3)),
    Column("plain_numeric", sa.Numeric),
    Column("ratio", sa.Float),
    Column("precise", sa.Float(53)),
    Column("double", sa.Double),
    Column("created", sa.DateTime),
    Column("created_tz", sa.DateTime(timezone=True)),
    Column("day", sa.Date),
    Column("at", sa.Time),
    Column("duration", sa.Interval),
    Column("kind", sa.Enum("small", "large", "it's", name="kind")),
    Column("kind_text", sa.Enum("a", "bb", native_enum=False)),
    Column("payload", sa.JSON),
    Column("token", sa.Uuid),
    Column("token_text", sa.Uuid(as_uuid=False)),
    Column("pickled", sa.PickleType),
)

Table(
    "mysql_types",
    metadata,
    Column("id", mysql.BIGINT(unsigned=True), primary_key=True),
    Column("tiny", mysql.TINYINT(unsigned=True)),
    Column("tiny1", mysql.TINYINT(1)),
    Column("small", mysql.SMALLINT(display_width=4, zerofill=True)),
    Column("medium", mysql.MEDIUMINT),
    Column("int11", mysql.INTEGER(display_width=11)),
    Column("dec", mysql.DECIMAL(8, 2, unsigned=True)),
    Column("flt", mysql.FLOAT(7, 3)),
    Column("dbl", mysql.DOUBLE(10, 2)),
    Column("bit1", mysql.BIT),
    Column("bit8", mysql.BIT(8)),
    Column("code", mysql.CHAR(3)),
    Column("latin", mysql.VARCHAR(20, charset="latin1")),
    Column("binary_collated", mysql.VARCHAR(20, collation="utf8mb4_bin")),
    Column("bin_flag", mysql.VARCHAR(20, binary=True)),
    Column("nchar", mysql.NCHAR(5)),
    Column("nvarchar", mysql.NVARCHAR(5)),
    Column("national", mysql.VARCHAR(5, national=True)),
    Column("ascii", mysql.CHAR(5, ascii=True)),
    Column("tiny_text", mysql.TINYTEXT),
    Column("medium_text", mysql.MEDIUMTEXT),
    Column("long_text", mysql.LONGTEXT(collation="utf8mb4_unicode_ci")),
    Column("latin_text", mysql.TEXT(100, charset="latin1")),
    Column("tiny_blob", mysql.TINYBLOB),
    Column("medium_blob", mysql.MEDIUMBLOB),
    Column("long_blob", mysql.LONGBLOB),
    Column("fixed", mysql.BINARY(16)),
    Column("varbin", mysql.VARBINARY(32)),
    Column("time3", mysql.TIME(fsp=3)),
    Column("dt6", mysql.DATETIME(fsp=6)),
    Column("ts3", mysql.TIMESTAMP(fsp=3), nullable=True),
    Column("year", mysql.YEAR),
    Column("choice", mysql.ENUM("x", "y''z", "with space")),
    Column("tags", mysql.SET("a", "b", "c")),
    Column("doc", mysql.JSON),
)

Table(
    "defaults",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("s", String(40), server_default="it's \\ fine"),
    Column("empty", String(10), server_default=""),
    Column("accent", String(20), server_default="café"),
    Column("pct", String(10), server_default="100%"),
    Column("i", Integer, server_default=text("0")),
    Column("neg", Integer, server_default=text("-5")),
    Column("quoted_number", Integer, server_default="42"),
    Column("d", sa.Numeric(10, 2), server_default=text("1.50")),
    Column("d0", sa.Numeric(10, 2), server_default="0"),
    Column("f", sa.Float, server_default=text("2.5")),
    Column("yes", sa.Boolean, server_default=sa.true()),
    Column("no", sa.Boolean, server_default=sa.false()),
    Column("one", sa.Boolean, server_default=text("1")),
    Column("now1", sa.DateTime, server_default=sa.func.now()),
    Column("now2", sa.DateTime, server_default=text("CURRENT_TIMESTAMP")),
    Column("now3", mysql.DATETIME(fsp=3), server_default=text("CURRENT_TIMESTAMP(3)")),
    Column("upd", mysql.TIMESTAMP(fsp=6), server_default=text("CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6)")),
    Column("upd2", sa.DateTime, server_default=text("CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP")),
    Column("day", sa.Date, server_default="2020-01-02"),
    Column("moment", sa.DateTime, server_default="2020-01-02 03:04:05"),
    Column("day_as_moment", sa.DateTime, server_default="2020-01-02"),
    Column("clock", sa.Time, server_default="01:02:03"),
    Column("bits", mysql.BIT(3), server_default=text("b'101'")),
    Column("bit_zero", mysql.BIT(1), server_default=text("0")),
    Column("choice", sa.Enum("a", "b", name="choice"), server_default="b"),
    Column("tags", mysql.SET("a", "b", "c"), server_default="a,c"),
    Column("uid", String(36), server_default=text("(uuid())")),
    Column("sum", Integer, server_default=text("(1 + 2)")),
    Column("joined", String(20), server_default=text("(concat('a', 'b'))")),
    Column("yr", String(10), server_default=text("(date_format(now(), '%Y'))")),
    Column("nothing", String(10), server_default=text("NULL")),
)

parent = Table(
    "parent",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("code", String(10), nullable=False),
    Column("region", Integer, nullable=False),
    sa.UniqueConstraint("code", "region", name="uq_parent_code_region"),
    comment="Parent's \"table\"",
)

Table(
    "child",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("parent_id", ForeignKey("parent.id", ondelete="CASCADE", onupdate="CASCADE"), nullable=False),
    Column("other_parent_id", ForeignKey("parent.id", ondelete="SET NULL")),
    Column("strict_parent_id", ForeignKey("parent.id", ondelete="NO ACTION", name="fk_child_strict")),
    Column("code", String(10)),
    Column("region", Integer),
    Column("manager_id", ForeignKey("child.id")),
    Column("title", String(200)),
    Column("note", sa.Text),
    Column("location", Point, nullable=False),
    ForeignKeyConstraint(["code", "region"], ["parent.code", "parent.region"], name="fk_child_parent_code"),
    Index("ix_child_title_prefix", "title", mysql_length=20),
    Index("ix_child_title_full", "title", mysql_length=200),
    Index("ix_child_note_prefix", "note", mysql_length=10),
    Index("ft_child_note", "note", mysql_prefix="FULLTEXT"),
    Index("sp_child_location", "location", mysql_prefix="SPATIAL"),
    Index("ix_child_region_desc", "region", sa.desc("title")),
    Index("ux_child_title", "title", "region", unique=True),
    comment="Children",
)

Table(
    "latin_table",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(20)),
    Column("utf", String(20, collation="utf8mb4_general_ci")),
    Column("body", sa.Text),
    mysql_charset="latin1",
)

Table(
    "utf8_table",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(20)),
    mysql_charset="utf8",
    mysql_collate="utf8_unicode_ci",
)

Table(
    "binary_table",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("raw", String(10)),
    mysql_charset="binary",
)

Table(
    "myisam_table",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("parent_id", ForeignKey("parent.id")),
    Column("body", sa.Text),
    mysql_engine="MyISAM",
)

Table(
    "comments",
    metadata,
    Column("id", Integer, primary_key=True, comment="The id; it's \\ unique"),
    Column("note", String(20), comment="Café ☕"),
    Column("crlf", String(20), comment="line one\r\nline two"),
    comment="Table comment with 'quotes' and \\ backslash",
)

Table(
    "reserved",
    metadata,
    Column("order", Integer, primary_key=True),
    Column("key", String(10)),
    Column("group", String(10), index=True),
    Column("select", String(10), unique=True),
    Index("index", "key"),
)

Table(
    "unusual",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("emoji_default", String(20), server_default="smile 😀"),
    Column("emoji_comment", String(20), comment="rocket 🚀 launch"),
    Column("tight_sum", Integer, server_default=text("(1+2)")),
    Column("today", sa.Date, server_default=text("(CURRENT_DATE)")),
    Column("padded_day", sa.Date, server_default="2020-1-2"),
    Column("fraction", mysql.DATETIME(fsp=3), server_default="2020-01-02 03:04:05"),
    Column("rounded", sa.Numeric(10, 2), server_default="1.005"),
    Column("set_order", mysql.SET("a", "b", "c"), server_default="c,a"),
    Column("bit_text", mysql.BIT(4), server_default=text("5")),
    Column("price", sa.Numeric(10, 2), sa.CheckConstraint("price >= 0")),
    Column("doubled", sa.Numeric(10, 2), sa.Computed("price * 2")),
    Column("stored_label", String(30), sa.Computed("concat('#', tight_sum)", persisted=True)),
    Column("active", sa.Boolean(create_constraint=True, name="ck_unusual_active")),
    sa.CheckConstraint("tight_sum BETWEEN 0 AND 100", name="ck_unusual_sum"),
    sa.CheckConstraint("bit_text <> b'0'"),
    comment="emoji 🎉 table",
)
