"""What every dialect reads the same way from SQLAlchemy models.

Dialect packages declare their Schema from the models; the parts that do not
depend on the dialect live here: which column an index part names, and the
check of every name of a table against the dialect's name rules.
"""

from __future__ import annotations

from typing import Callable

import sqlalchemy as sa

from .errors import SqlgenError
from .safety import NameRules, check_name

_KINDS = {sa.Index: "index", sa.UniqueConstraint: "unique constraint", sa.ForeignKeyConstraint: "foreign key",
          sa.CheckConstraint: "check constraint"}


def check_table_names(table: sa.Table, name_of: Callable, rules: NameRules) -> None:
    """Every name of a table, checked before anything is rendered; `name_of` gives the
    name create_all would use for a constraint or index (None when the server picks it)."""
    check_name(table.name, "table", rules=rules)
    owner = f"table {table.name!r}"
    seen: dict[str, str] = {}
    for column in table.columns:
        check_name(column.name, "column", owner, rules)
        # Both dialects take column names without regard to letter case.
        other = seen.setdefault(column.name.lower(), column.name)
        if other != column.name:
            raise SqlgenError(f"{owner} has the columns {other!r} and {column.name!r}, which the server takes for one "
                              "name (letter case does not count); rename one")
    for item in list(table.constraints) + list(table.indexes):
        name = None if isinstance(item, sa.PrimaryKeyConstraint) else name_of(item)
        if name is not None:
            check_name(name, _KINDS.get(type(item), "constraint"), owner, rules)


def column_name_of(expression, table: sa.Table) -> str | None:
    """The table column an index part names, or None for an expression."""
    if isinstance(expression, sa.Column) and expression.table is table:  # also a Column given a key=
        return expression.name
    if isinstance(expression, sa.sql.elements._textual_label_reference):  # sa.desc("name")
        name = expression.element
    elif isinstance(expression, sa.sql.elements.ColumnClause):
        name = expression.name
    else:
        return None
    return name if name in table.c else None
