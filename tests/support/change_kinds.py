"""Model pairs, one per change kind sqlgen must handle: `<case>__before` and `<case>__after`.

Each case is a function of `after` (False for the starting models, True for the
edited ones) returning a MetaData. The integration tests create the "before"
schema with create_all, let sqlgen generate the migration to "after", and check
the result against create_all of "after".
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    MetaData,
    Numeric,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects import mysql


def _user(metadata: MetaData, *extra) -> Table:
    return Table("user", metadata, Column("id", Integer, primary_key=True), Column("name", String(50)), *extra)


def create_table(after: bool) -> MetaData:
    m = MetaData()
    _user(m)
    if after:
        Table(
            "post",
            m,
            Column("id", Integer, primary_key=True),
            Column("user_id", ForeignKey("user.id", ondelete="CASCADE"), nullable=False),
            Column("title", String(200), nullable=False, comment="Shown in lists"),
            Column("slug", String(100), unique=True),
            Column("body", Text),
            Column("created_at", DateTime, server_default=sa.func.now(), nullable=False),
            Index("ix_post_created_at", "created_at"),
            comment="Blog posts",
        )
    return m


def drop_table(after: bool) -> MetaData:
    return create_table(not after)


def add_column(after: bool) -> MetaData:
    m = MetaData()
    columns = [Column("id", Integer, primary_key=True), Column("name", String(50))]
    if after:
        columns.insert(1, Column("email", String(120), nullable=False, server_default=""))
        columns.append(Column("bio", Text, comment="About me"))
        columns.append(Column("score", Numeric(10, 2), server_default=text("0")))
    Table("user", m, *columns)
    return m


def drop_column(after: bool) -> MetaData:
    return add_column(not after)


def column_type(after: bool) -> MetaData:
    m = MetaData()
    Table(
        "item",
        m,
        Column("id", Integer, primary_key=True),
        Column("code", String(120 if after else 50)),
        Column("amount", Numeric(12, 4) if after else Numeric(10, 2)),
        Column("counter", BigInteger if after else Integer),
        Column("notes", mysql.MEDIUMTEXT if after else Text),
        Column("flag", mysql.TINYINT(unsigned=True) if after else Boolean),
    )
    return m


def nullability(after: bool) -> MetaData:
    m = MetaData()
    Table(
        "item",
        m,
        Column("id", Integer, primary_key=True),
        Column("a", String(20), nullable=after),
        Column("b", String(20), nullable=not after, server_default="x"),
    )
    return m


def server_default(after: bool) -> MetaData:
    m = MetaData()
    Table(
        "item",
        m,
        Column("id", Integer, primary_key=True),
        Column("added", String(20), server_default="it's" if after else None),
        Column("changed", Integer, server_default=text("7" if after else "3")),
        Column("removed", String(20), server_default=None if after else "gone"),
        Column("stamp", DateTime, server_default=sa.func.now() if after else None),
        Column("updated", DateTime, server_default=text("CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP") if after else None),
        Column("enabled", Boolean, server_default=sa.true() if after else sa.false()),
        Column("ratio", Numeric(5, 2), server_default=text("1.50") if after else None),
    )
    return m


def autoincrement(after: bool) -> MetaData:
    m = MetaData()
    Table("item", m, Column("id", Integer, primary_key=True, autoincrement=after), Column("name", String(20)))
    return m


def column_comment(after: bool) -> MetaData:
    m = MetaData()
    Table(
        "item",
        m,
        Column("id", Integer, primary_key=True),
        Column("a", String(20), comment="it's a \\ 'quoted' comment" if after else None),
        Column("b", String(20), comment="new text" if after else "old text"),
        Column("c", String(20), comment=None if after else "to remove"),
        Column("d", String(20), comment="windows\r\nline end" if after else None,
               server_default="tab\there" if after else None),
    )
    return m


def table_comment(after: bool) -> MetaData:
    m = MetaData()
    Table("a", m, Column("id", Integer, primary_key=True), comment="Reviewer's \"notes\"" if after else None)
    Table("b", m, Column("id", Integer, primary_key=True), comment="new" if after else "old")
    Table("c", m, Column("id", Integer, primary_key=True), comment=None if after else "gone")
    return m


def plain_index(after: bool) -> MetaData:
    m = MetaData()
    Table(
        "item",
        m,
        Column("id", Integer, primary_key=True),
        Column("a", String(20), index=after),
        Column("b", String(20), index=not after),
        Column("c", String(20)),
        Index("ix_item_changed", "c" if after else "a"),
    )
    return m


def unique_index(after: bool) -> MetaData:
    m = MetaData()
    Table(
        "item",
        m,
        Column("id", Integer, primary_key=True),
        Column("email", String(120)),
        Column("code", String(20)),
        *([Index("uix_item_email", "email", unique=True)] if after else [Index("uix_item_code", "code", unique=True)]),
    )
    return m


def composite_index(after: bool) -> MetaData:
    m = MetaData()
    Table(
        "item",
        m,
        Column("id", Integer, primary_key=True),
        Column("a", String(20)),
        Column("b", String(20)),
        Column("c", Integer),
        Index("ix_item_ab", *(("b", "a") if after else ("a", "b"))),
        *([Index("ix_item_abc", "a", "b", "c")] if after else []),
    )
    return m


def unique_constraint(after: bool) -> MetaData:
    m = MetaData()
    Table(
        "item",
        m,
        Column("id", Integer, primary_key=True),
        Column("sku", String(20), unique=after),
        Column("a", String(20)),
        Column("b", String(20)),
        # Two unnamed uniques starting with the same column: the server names them.
        *([UniqueConstraint("a", "b", name="uq_item_a_b"), UniqueConstraint("sku", "a")] if after else []),
    )
    return m


def foreign_key(after: bool) -> MetaData:
    m = MetaData()
    _user(m)
    Table(
        "post",
        m,
        Column("id", Integer, primary_key=True),
        Column("user_id", Integer, ForeignKey("user.id", ondelete="CASCADE", onupdate="CASCADE") if after else None),
        Column("editor_id", Integer, *([] if after else [ForeignKey("user.id")])),
        Column("reviewer_id", Integer, ForeignKey("user.id", ondelete="SET NULL" if after else None, name="fk_post_reviewer")),
    )
    return m


def primary_key(after: bool) -> MetaData:
    m = MetaData()
    Table(
        "membership",
        m,
        Column("user_id", Integer, nullable=False, autoincrement=False),
        Column("group_id", Integer, nullable=False, autoincrement=False),
        Column("role", String(20)),
        PrimaryKeyConstraint(*(("user_id", "group_id") if after else ("user_id",))),
    )
    return m


def reserved_words(after: bool) -> MetaData:
    m = MetaData()
    Table("key", m, Column("id", Integer, primary_key=True))
    columns = [
        Column("id", Integer, primary_key=True),
        Column("key", ForeignKey("key.id")),
        Column("group", String(20), index=True),
        Column("select", String(20), server_default="`quoted`"),
    ]
    if after:
        columns.append(Column("desc", String(20), comment="`back` 'ticks'"))
    Table("order", m, *columns, Index("index", "select"))
    return m


def fk_cycle(after: bool) -> MetaData:
    m = MetaData()
    _user(m)
    if after:
        Table(
            "team",
            m,
            Column("id", Integer, primary_key=True),
            Column("captain_id", Integer, ForeignKey("player.id", use_alter=True, name="fk_team_captain")),
        )
        Table(
            "player",
            m,
            Column("id", Integer, primary_key=True),
            Column("team_id", Integer, ForeignKey("team.id")),
            Column("user_id", Integer, ForeignKey("user.id")),
        )
    return m


def fk_and_its_index(after: bool) -> MetaData:
    """Drop a key and the index it used; change an index a remaining key needs."""
    m = MetaData()
    _user(m)
    Table(
        "post",
        m,
        Column("id", Integer, primary_key=True),
        Column("user_id", Integer, *([] if after else [ForeignKey("user.id")])),
        Column("editor_id", Integer, ForeignKey("user.id")),
        Column("rank", Integer),
        Index("ix_post_user_id", "user_id") if not after else Index("ix_post_rank", "rank"),
        Index("ix_post_editor", *(("editor_id", "rank") if after else ("editor_id",))),
    )
    return m


def referenced_column_type(after: bool) -> MetaData:
    """user.id INT -> BIGINT while post.user_id points at it."""
    m = MetaData()
    id_type = BigInteger if after else Integer
    Table("user", m, Column("id", id_type, primary_key=True), Column("name", String(50)))
    Table(
        "post",
        m,
        Column("id", Integer, primary_key=True),
        Column("user_id", id_type, ForeignKey("user.id", ondelete="CASCADE")),
    )
    return m


def collation(after: bool) -> MetaData:
    m = MetaData()
    Table(
        "item",
        m,
        Column("id", Integer, primary_key=True),
        Column("code", String(20, collation="utf8mb4_bin" if after else None)),
        Column("legacy", mysql.VARCHAR(20, charset="latin1" if after else "utf8mb4")),
    )
    return m


def json_column(after: bool) -> MetaData:
    m = MetaData()
    columns = [Column("id", Integer, primary_key=True)]
    if after:
        columns.append(Column("payload", sa.JSON))
    Table("event", m, *columns)
    return m


def percent_signs(after: bool) -> MetaData:
    m = MetaData()
    columns = [Column("id", Integer, primary_key=True)]
    if after:
        columns += [
            Column("pct", String(20), server_default="100%"),
            Column("kind", sa.Enum("50%", "x", name="kind")),
            Column("year", String(10), server_default=text("(date_format(now(), '%Y'))")),
        ]
    Table("item", m, *columns)
    return m


def uuid_column(after: bool) -> MetaData:
    m = MetaData()
    Table("item", m, Column("id", Integer, primary_key=True), *([Column("token", sa.Uuid)] if after else []))
    return m


def _parent(m: MetaData, *extra) -> Table:
    return Table("p", m, Column("id", Integer, primary_key=True), *extra)


def fk_unique_removed(after: bool) -> MetaData:
    """One-to-one becomes one-to-many: the unique index goes, the key keeps an index."""
    m = MetaData()
    _parent(m)
    Table("c", m, Column("id", Integer, primary_key=True), Column("pid", Integer, ForeignKey("p.id"), unique=not after))
    return m


def fk_index_repurposed(after: bool) -> MetaData:
    """The only index on a key's column moves to another column."""
    m = MetaData()
    _parent(m)
    Table("c", m, Column("id", Integer, primary_key=True), Column("pid", Integer, ForeignKey("p.id")),
          Column("other", Integer), Column("x", Integer),
          Index("ix_pid", "other" if after else "pid"),
          Index("ix_pair", *(("other", "pid") if after else ("pid", "other"))))
    return m


def fk_index_column_dropped(after: bool) -> MetaData:
    """Indexes that served a key lose a column."""
    m = MetaData()
    _parent(m)
    columns = [Column("id", Integer, primary_key=True), Column("pid", Integer, ForeignKey("p.id")),
               Column("qid", Integer, ForeignKey("p.id"))]
    if not after:
        columns += [Column("x", Integer), UniqueConstraint("pid", "x"), Index("ix_qid_x", "qid", "x")]
    Table("c", m, *columns)
    return m


def fk_unique_to_index(after: bool) -> MetaData:
    m = MetaData()
    _parent(m)
    Table("c", m, Column("id", Integer, primary_key=True), Column("pid", Integer, ForeignKey("p.id")),
          Column("x", Integer),
          Index("uq", "x") if after else UniqueConstraint("pid", "x", name="uq"))
    return m


def new_key_to_new_unique(after: bool) -> MetaData:
    """A new table's key points at a unique column added in the same migration."""
    m = MetaData()
    _parent(m, *([Column("code", String(10), unique=True)] if after else []))
    if after:
        Table("c", m, Column("id", Integer, primary_key=True), Column("pcode", String(10), ForeignKey("p.code")))
    return m


def primary_key_served_a_key(after: bool) -> MetaData:
    m = MetaData()
    _parent(m)
    Table("c", m, Column("x", Integer, nullable=False, autoincrement=False),
          Column("y", Integer, nullable=after, autoincrement=False),
          PrimaryKeyConstraint(*(("x",) if after else ("y", "x"))), ForeignKeyConstraint(["y"], ["p.id"]))
    return m


def long_convention_names(after: bool) -> MetaData:
    m = MetaData(naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    })
    Table("parent_table_with_a_rather_long_name", m, Column("id", Integer, primary_key=True))
    if after:
        Table(
            "child_table_with_a_rather_long_name_too", m,
            Column("id", Integer, primary_key=True),
            Column("parent_table_with_a_rather_long_name_id", Integer,
                   ForeignKey("parent_table_with_a_rather_long_name.id"), index=True),
            Column("another_really_quite_long_column_name_here", String(20), unique=True),
        )
    return m


def column_order(after: bool) -> MetaData:
    """Columns move: each migrated table ends in the models' order, as create_all makes it."""
    m = MetaData()
    names = ["c", "a", "e", "d", "b"] if after else ["a", "b", "c", "d"]
    Table("item", m, Column("id", Integer, primary_key=True),
          *[Column(name, String(10), comment=f"column {name}") for name in names])
    Table("first", m, *[Column(name, Integer, primary_key=name == "id") for name in
                        (["x", "id", "y"] if after else ["id", "x", "y"])])
    return m


def check_constraints(after: bool) -> MetaData:
    m = MetaData()
    Table(
        "item", m,
        Column("id", Integer, primary_key=True),
        Column("price", Integer),
        Column("qty", Integer),
        Column("status", String(10)),
        sa.CheckConstraint("price >= 0" if after else "price > 0", name="ck_item_price"),
        *([sa.CheckConstraint("status IN ('new', 'done')"), sa.CheckConstraint("qty < 1000", name="ck_item_qty")]
          if after else [sa.CheckConstraint("qty >= 0")]),
    )
    Table("flag", m, Column("id", Integer, primary_key=True),
          Column("on", sa.Boolean(create_constraint=after, name="ck_flag_on")))
    return m


def generated_columns(after: bool) -> MetaData:
    m = MetaData()
    Table(
        "item", m,
        Column("id", Integer, primary_key=True),
        Column("a", Integer),
        Column("b", Integer),
        Column("total", Integer, sa.Computed("a + b + 1" if after else "a + b")),
        Column("doubled", Integer, sa.Computed("a * 2", persisted=not after)),
        Column("c", Integer, *([sa.Computed("a * 3", persisted=True)] if after else [])),
        *([Column("label", String(30), sa.Computed("concat('#', id)"))] if after else []),
        Index("ix_item_total", "total"),
        Index("ix_item_doubled", "doubled"),
    )
    return m


def table_options(after: bool) -> MetaData:
    m = MetaData()
    Table("archive", m, Column("id", Integer, primary_key=True), Column("body", Text),
          mysql_engine="InnoDB" if after else "MyISAM", mysql_charset="latin1" if after else "utf8mb4",
          comment="kept forever" if after else None)
    return m


CASES = [
    "create_table", "drop_table", "add_column", "drop_column", "column_type", "nullability",
    "server_default", "autoincrement", "column_comment", "table_comment", "plain_index",
    "unique_index", "composite_index", "unique_constraint", "foreign_key", "primary_key",
    "reserved_words", "fk_cycle", "fk_and_its_index", "referenced_column_type", "collation",
    "json_column", "percent_signs", "uuid_column", "fk_unique_removed", "fk_index_repurposed",
    "fk_index_column_dropped", "fk_unique_to_index", "new_key_to_new_unique", "primary_key_served_a_key",
    "long_convention_names", "column_order", "check_constraints", "generated_columns", "table_options",
]

for _case in CASES:
    globals()[f"{_case}__before"] = globals()[_case](False)
    globals()[f"{_case}__after"] = globals()[_case](True)

log_table = MetaData()
Table("log", log_table, Column("id", Integer, primary_key=True), Column("at", sa.Date))


def renamed(after: bool) -> MetaData:
    """account.bio becomes account.about and the table person becomes member: same definitions."""
    m = MetaData()
    Table("account", m, Column("id", Integer, primary_key=True),
          Column("about" if after else "bio", String(200), comment="shown on the profile"),
          Index("ix_account_text", "about" if after else "bio"))
    Table("member" if after else "person", m, Column("id", Integer, primary_key=True),
          Column("account_id", Integer, ForeignKey("account.id")))
    return m


renamed__before, renamed__after = renamed(False), renamed(True)
