"""Models with sequences (MariaDB 10.3+), in three steps: created, changed, partly dropped."""

from __future__ import annotations

import sqlalchemy as sa


def build(step: int) -> sa.MetaData:
    metadata = sa.MetaData()
    # Declared on the key, as Flask-AppBuilder declares one on every table: it replaces AUTO_INCREMENT.
    ticket = sa.Sequence("ticket_id_seq", metadata=metadata)
    sa.Table("ticket", metadata, sa.Column("id", sa.Integer, ticket, primary_key=True),
             sa.Column("title", sa.String(40)))
    # One sequence feeding a default in two tables, given with every option.
    options = dict(start=100, increment=5, minvalue=50, maxvalue=10**6, cache=20, cycle=True)
    if step >= 2:
        options.update(increment=7, maxvalue=10**7, cache=0, cycle=None)  # cycle=False: create_all writes NO CYCLE, which MariaDB refuses
    order_number = sa.Sequence("order_number", metadata=metadata, **options)
    sa.Table("invoice", metadata, sa.Column("id", sa.Integer, primary_key=True),
             sa.Column("number", sa.BigInteger, server_default=order_number.next_value()))
    sa.Table("refund", metadata, sa.Column("id", sa.Integer, primary_key=True),
             sa.Column("number", sa.BigInteger, server_default=sa.text("NEXT VALUE FOR order_number")))
    # Counting down, and NO MINVALUE / NO MAXVALUE (which MariaDB takes as the positive defaults).
    sa.Sequence("countdown", increment=-1, metadata=metadata)
    if step < 3:
        sa.Sequence("unbounded", increment=3, nominvalue=True, nomaxvalue=True, metadata=metadata)
    if step >= 2:
        sa.Sequence("later", start=-5, minvalue=-10, metadata=metadata)
    return metadata


step_1, step_2, step_3 = build(1), build(2), build(3)
