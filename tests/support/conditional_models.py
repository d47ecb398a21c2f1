"""Models whose DDL SQLAlchemy decides per dialect: create_all on MySQL/MariaDB emits some of it
and not the rest, and sqlgen must declare exactly what create_all emits."""

import sqlalchemy as sa

metadata = sa.MetaData()

parent = sa.Table("cond_parent", metadata, sa.Column("id", sa.Integer, primary_key=True))

sa.Table(
    "cond_child", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    # Native ENUM and BOOL here: the CHECK these types can carry is for other servers.
    sa.Column("status", sa.Enum("new", "done", name="status", create_constraint=True), nullable=False),
    sa.Column("flag", sa.Boolean(create_constraint=True), nullable=False),
    sa.Column("options", sa.Text),
    sa.Column("amount", sa.Integer),
    sa.Column("parent_id", sa.Integer),
    sa.Column("code", sa.String(20)),
    # Oracle-only: emitted by create_all on Oracle alone; on MySQL it would be a syntax error.
    sa.CheckConstraint("options IS JSON", name="ck_options_json").ddl_if(dialect="oracle"),
    sa.CheckConstraint("amount >= 0", name="ck_amount_mysql").ddl_if(dialect="mysql"),
    sa.CheckConstraint("amount < 1000000", name="ck_amount_never").ddl_if(
        callable_=lambda ddl, target, bind, **kw: False),
    sa.UniqueConstraint("code", name="uq_code_pg").ddl_if(dialect="postgresql"),
    sa.ForeignKeyConstraint(["parent_id"], ["cond_parent.id"], name="fk_parent_pg").ddl_if(dialect="postgresql"),
    sa.Index("ix_code_pg", "code").ddl_if(dialect="postgresql"),
    sa.Index("ix_amount_mysql", "amount").ddl_if(dialect="mysql"),
)


# Column names MySQL 8 reserves and MariaDB does not: MariaDB prints them back in backticks.
flavour_words = sa.MetaData()
sa.Table(
    "flavour_words", flavour_words,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("grouping", sa.Integer),
    sa.Column("rank", sa.Integer),
    sa.Column("stored", sa.Integer),
    sa.Column("next_rank", sa.Integer, sa.Computed("rank + 1")),
    sa.CheckConstraint("grouping > 0 AND stored < 10", name="ck_words"),
    sa.CheckConstraint("`rank` <> 3", name="ck_rank_quoted"),
)
