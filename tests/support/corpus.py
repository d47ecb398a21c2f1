"""A shop whose models evolve over many steps, for the round-trip corpus test.

`build(n)` gives the models at step n. Each step changes something sqlgen must
get right (types, defaults, indexes, keys, checks, generated columns, options,
column order, primary keys...). `ROWS[n]` are inserted after step n, and
`PROBES[n]` must keep answering the same from then on: data survives.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy import Column, ForeignKey, ForeignKeyConstraint, Index, Integer, MetaData, String, Table, text
from sqlalchemy.dialects import mysql

STEPS = 17


def build(step: int) -> MetaData:
    m = MetaData()
    _customer(m, step)
    _product(m, step)
    if step >= 2:
        _order(m, step)
    if step >= 13 and step < 17:
        Table("category", m, Column("id", Integer, primary_key=True), Column("name", String(50), nullable=False),
              Column("parent_id", ForeignKey("category.id")))
    return m


def _customer(m: MetaData, step: int) -> None:
    id_type = sa.BigInteger if step >= 7 else Integer
    columns = [Column("id", id_type, primary_key=True)]
    email = Column("email", String(100), nullable=False, unique=step < 9)
    name = Column("name", String(50), nullable=False, index=step >= 3)
    if step >= 3:
        phone = Column("phone", String(20), nullable=step < 16, server_default="" if step >= 16 else None,
                       comment="With country code" if step >= 16 else None)
        # Step 10 moves the phone after the name.
        columns += [email, phone, name] if step < 10 else [email, name, phone]
    else:
        columns += [email, name]
    if 3 <= step < 12:
        columns.append(Column("legacy_code", String(10)))
    if step >= 12:
        columns.append(Column("nickname", String(30)))
    if step >= 13:
        columns.append(Column("referred_by", id_type, ForeignKey("customer.id", ondelete="SET NULL")))
    extra = []
    if step >= 9:
        extra.append(sa.UniqueConstraint("email", "name", name="uq_customer_email_name"))
    options = {}
    if step >= 3:
        options["comment"] = "People who order" if step < 16 else "People who order things"
    if step >= 11:
        options["mysql_collate"] = "utf8mb4_unicode_ci"
    Table("customer", m, *columns, *extra, **options)


def _product(m: MetaData, step: int) -> None:
    price = Column("price", sa.Numeric(12 if step >= 4 else 10, 2), nullable=False, server_default=text("0"))
    title = Column("title", String(200 if step >= 4 else 100), nullable=False)
    columns = [Column("id", Integer, primary_key=True), Column("sku", String(8), nullable=False, unique=True)]
    columns += [price, title] if step >= 10 else [title, price]
    if step >= 4:
        columns.append(Column("attributes", sa.JSON))
    if step >= 9:
        columns.append(Column("description", sa.Text))
    if step >= 13:
        columns.append(Column("category_id", ForeignKey("category.id", ondelete="SET NULL")
                              if step < 17 else Integer))
    extra = []
    if step >= 8:
        extra.append(sa.CheckConstraint("price >= 0" if step < 17 else "price >= 0 AND price < 100000",
                                        name="ck_product_price"))
    if step >= 9:
        extra += [Index("ix_product_title", "title", mysql_length=20),
                  Index("ft_product_description", "description", mysql_prefix="FULLTEXT")]
    Table("product", m, *columns, *extra)


def _order(m: MetaData, step: int) -> None:
    customer_type = sa.BigInteger if step >= 7 else Integer
    columns = [
        Column("id", Integer, primary_key=True),
        Column("customer_id", customer_type, nullable=step >= 14),
    ]
    if step >= 5:
        statuses = ("new", "paid", "shipped") if step >= 6 else ("new", "paid")
        columns += [
            Column("status", sa.Enum(*statuses, name="status"), nullable=False, server_default="new"),
            Column("created_at", sa.DateTime, nullable=False, server_default=sa.func.now()),
            Column("updated_at", mysql.TIMESTAMP(fsp=3),
                   server_default=text("CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3)")),
        ]
    if step >= 6:
        columns.append(Column("flags", mysql.SET("gift", "rush")))
    on_delete = "SET NULL" if step >= 14 else "CASCADE"
    Table("order", m, *columns,
          ForeignKeyConstraint(["customer_id"], ["customer.id"], ondelete=on_delete,
                               name="fk_order_customer" if step >= 14 else None))
    line = [
        Column("order_id", Integer, nullable=False),
        Column("product_id", Integer, nullable=False),
        Column("qty", Integer, nullable=False, server_default=text("1")),
    ]
    if step >= 15:
        line.insert(0, Column("id", Integer, primary_key=True, autoincrement=True))
    if step >= 8:
        line += [Column("unit_price", sa.Numeric(12, 2), nullable=False, server_default=text("0")),
                 Column("line_total", sa.Numeric(14, 2), sa.Computed("qty * unit_price", persisted=True))]
    keys = [
        ForeignKeyConstraint(["order_id"], ["order.id"], ondelete="CASCADE"),
        ForeignKeyConstraint(["product_id"], ["product.id"], ondelete="CASCADE" if step >= 14 else None),
    ]
    if step >= 15:
        keys.append(sa.UniqueConstraint("order_id", "product_id", name="uq_line_order_product"))
    else:
        keys.append(sa.PrimaryKeyConstraint("order_id", "product_id"))
    Table("order_line", m, *line, *keys, comment="One product in an order")


# Rows inserted right after a step, and queries whose answers must survive every later step.
ROWS = {
    1: ["INSERT INTO customer (id, email, name) VALUES (1, 'ann@example.com', 'Ann')",
        "INSERT INTO product (id, sku, title, price) VALUES (1, 'TEA00001', 'Green tea', 2.50)"],
    2: ["INSERT INTO `order` (id, customer_id) VALUES (10, 1)",
        "INSERT INTO order_line (order_id, product_id, qty) VALUES (10, 1, 3)"],
    3: ["UPDATE customer SET phone = '+44 1', legacy_code = 'OLD' WHERE id = 1"],
    4: ["UPDATE product SET attributes = '{\"organic\": true}' WHERE id = 1"],
    6: ["UPDATE `order` SET status = 'shipped', flags = 'gift' WHERE id = 10"],
    8: ["UPDATE order_line SET unit_price = 2.50 WHERE order_id = 10"],
}
PROBES = {
    1: [("SELECT name, email FROM customer WHERE id = 1", [("Ann", "ann@example.com")]),
        ("SELECT sku, title, price FROM product WHERE id = 1", [("TEA00001", "Green tea", 2.5)])],
    2: [("SELECT customer_id, qty FROM `order` JOIN order_line ON order_id = `order`.id", [(1, 3)])],
    3: [("SELECT phone FROM customer WHERE id = 1", [("+44 1",)])],
    4: [("SELECT JSON_EXTRACT(attributes, '$.organic') FROM product WHERE id = 1", [("true",)])],
    6: [("SELECT status, flags FROM `order` WHERE id = 10", [("shipped", "gift")])],
    8: [("SELECT line_total FROM order_line WHERE order_id = 10", [(7.5,)])],
}
