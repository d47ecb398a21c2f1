"""Model pairs whose migrations carry every lint code generation can produce.

`risky` loses data and tightens columns; `reshaped` moves a primary key,
drops a stored generated column and adds a FULLTEXT index.
"""

from __future__ import annotations

from sqlalchemy import CheckConstraint, Column, Computed, Enum, ForeignKey, Index, Integer, MetaData, String, Table, Text


def risky(after: bool) -> MetaData:
    m = MetaData()
    Table("parent", m, Column("id", Integer, primary_key=True))
    if after:
        Table("account", m, Column("id", Integer, primary_key=True), Column("code", String(50), unique=True),
              Column("kind", Enum("a", "c")), Column("note", String(20), nullable=False),
              Column("extra", Integer, nullable=False), Column("parent_id", Integer))
    else:
        Table("account", m, Column("id", Integer, primary_key=True), Column("bio", String(200)),
              Column("code", String(120)), Column("kind", Enum("a", "b", "c")), Column("note", String(20)),
              Column("parent_id", Integer, ForeignKey("parent.id", name="fk_parent")),
              CheckConstraint("char_length(note) > 0", name="ck_note"))
        Table("old", m, Column("id", Integer, primary_key=True))
    return m


def reshaped(after: bool) -> MetaData:
    m = MetaData()
    if after:
        Table("entry", m, Column("id", Integer, nullable=False), Column("code", String(20), primary_key=True),
              Column("body", Text), Index("ft_body", "body", mysql_prefix="FULLTEXT"))
    else:
        Table("entry", m, Column("id", Integer, primary_key=True, autoincrement=False),
              Column("code", String(20), nullable=False), Column("body", Text),
              Column("total", Integer, Computed("char_length(code)", persisted=True)))
    return m


risky__before, risky__after = risky(False), risky(True)
reshaped__before, reshaped__after = reshaped(False), reshaped(True)


def sqlite_rebuild(after: bool) -> MetaData:
    """Changes SQLite makes by rebuilding `item`; `gone` is dropped."""
    from sqlalchemy import UniqueConstraint

    m = MetaData()
    Table("parent", m, Column("id", Integer, primary_key=True))
    if after:
        Table("item", m, Column("id", Integer, primary_key=True), Column("a", String(20), nullable=False),
              Column("g", Integer), Column("parent_id", Integer), Column("n", Integer, nullable=False),
              UniqueConstraint("a", name="uq_a"))
    else:
        Table("item", m, Column("id", Integer, primary_key=True), Column("a", String(10)), Column("b", String(10)),
              Column("g", Integer, Computed("id + 1", persisted=True)),
              Column("parent_id", Integer, ForeignKey("parent.id", name="fk_parent")),
              CheckConstraint("length(a) < 9", name="ck_a"))
        Table("gone", m, Column("id", Integer, primary_key=True))
    return m


def generated_made_plain(after: bool) -> MetaData:
    m = MetaData()
    Table("item", m, Column("id", Integer, primary_key=True),
          Column("g", Integer) if after else Column("g", Integer, Computed("id + 1", persisted=True)))
    return m


generated_made_plain__before, generated_made_plain__after = generated_made_plain(False), generated_made_plain(True)


def two_column_checks(after: bool) -> MetaData:
    """A type change rebuilds the table on SQLite: both unnamed checks on `a` must survive it."""
    m = MetaData()
    Table("t", m, Column("id", Integer, primary_key=True),
          Column("a", Integer, CheckConstraint("a > 0"), CheckConstraint("a < 100")),
          Column("b", String(20 if after else 10)))
    Table("log", m, Column("id", Integer, primary_key=True), Column("msg", Text))
    return m


two_column_checks__before, two_column_checks__after = two_column_checks(False), two_column_checks(True)


def generated_dependency(after: bool) -> MetaData:
    """`g` is computed from `b`: dropping both must drop `g` first, on the way up and down."""
    m = MetaData()
    Table("t", m, Column("id", Integer, primary_key=True), Column("a", Integer),
          *([] if after else [Column("b", Integer), Column("g", Integer, Computed("b + 1"))]))
    return m


def autoincrement_rebuild(after: bool) -> MetaData:
    from sqlalchemy import BigInteger

    m = MetaData()
    Table("t", m, Column("id", Integer, primary_key=True), Column("a", BigInteger if after else Integer),
          sqlite_autoincrement=True)
    return m


generated_dependency__before, generated_dependency__after = generated_dependency(False), generated_dependency(True)
autoincrement_rebuild__after = autoincrement_rebuild(True)


def spaced_names() -> MetaData:
    from sqlalchemy import UniqueConstraint

    m = MetaData()
    Table("p", m, Column("id", Integer, primary_key=True), Column("my col", String(10)),
          UniqueConstraint("my col", name="u1"))
    Table("c", m, Column("id", Integer, primary_key=True), Column("p id", Integer, ForeignKey("p.id", name="fk1")))
    return m


spaced_names__models = spaced_names()
