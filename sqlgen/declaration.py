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


def created_by_create_all(item, ddl) -> bool:
    """Whether create_all makes this constraint or index for the dialect of the DDL compiler
    `ddl`, inline or by a later ALTER, as SQLAlchemy decides: a constraint's _create_rule (an
    Enum's CHECK is only for servers without a native ENUM) and ddl_if(); an index's ddl_if()."""
    from sqlalchemy.sql.ddl import AddConstraint, CreateConstraint, CreateIndex

    rule = getattr(item, "_create_rule", None)
    # An AddConstraint (create_all's ALTER for a use_alter foreign key) leaves its own rule on the
    # constraint, saying "not inside CREATE TABLE": the constraint is still made.
    added = any(isinstance(getattr(rule, attribute, None), AddConstraint) for attribute in ("__self__", "target"))
    if rule is not None and not added and not rule(ddl):
        return False
    condition = getattr(item, "_ddl_if", None)
    if condition is None:
        return True
    element = CreateConstraint(item) if isinstance(item, sa.Constraint) else CreateIndex(item)
    try:
        # No connection here: a callable that asks its `bind` gets one that knows the dialect.
        return bool(condition._should_execute(element, item, _Bind(ddl.dialect), compiler=ddl))
    except Exception as exc:  # a callable that needs a live connection, or fails
        raise SqlgenError(f"the ddl_if() condition of {type(item).__name__.lower()} {item.name!r} failed when "
                          f"asked without a connection ({type(exc).__name__}: {exc}); decide by its dialect "
                          "argument instead") from None


def run_create_listeners(metadata: sa.MetaData, dialect) -> list[str]:
    """Run the models' before_create listeners as create_all would on this dialect, since they
    may change a table before it is made (a type per dialect, say), and say which after_create
    listeners sqlgen does not run. Returns the notes."""
    notes = []
    bind = _Bind(dialect)
    tables = list(metadata.tables.values())
    targets = [(metadata, "the models' MetaData", {"tables": tables})] + [
        (table, f"table {table.name}", {}) for table in tables]
    for target, where, extra in targets:
        listeners = list(target.dispatch.before_create)
        if listeners:
            try:
                target.dispatch.before_create(target, bind, checkfirst=False, _ddl_runner=None,
                                              _is_metadata_operation=True, **extra)
            except _WouldRunSql as exc:
                raise SqlgenError(f"a before_create listener of {where} runs SQL ({exc}) when create_all makes it; "
                                  "sqlgen plans without running anything: move that SQL into a migration "
                                  "(sqlgen generate --empty)") from None
            except SqlgenError:
                raise
            except Exception as exc:
                raise SqlgenError(f"a before_create listener of {where} failed when sqlgen ran it as create_all "
                                  f"would ({type(exc).__name__}: {exc}); make it depend only on the dialect") from None
        # A DDL() listener says for which dialects it runs; any other listener may run SQL here.
        after = sum(1 for listener in target.dispatch.after_create
                    if not hasattr(listener, "_should_execute") or _runs_here(listener, target, bind))
        if after:
            notes.append(f"not run: {after} after_create listener(s) of {where}; what they do when create_all makes "
                         "it is not in the migration (write it in a migration of its own: sqlgen generate --empty)")
    return notes


def _runs_here(ddl_element, target, bind) -> bool:
    try:
        return bool(ddl_element._should_execute(target, bind))
    except Exception:
        return True


class _WouldRunSql(Exception):
    pass


class _Bind:
    """What a ddl_if() callable or a before_create listener may ask of its connection when
    sqlgen decides without one: the dialect, but nothing run."""

    def __init__(self, dialect):
        self.dialect = dialect
        self.engine = self

    def _refuse(self, statement, *args, **kwargs):
        raise _WouldRunSql(" ".join(str(statement).split())[:80])

    execute = exec_driver_sql = scalar = scalars = _refuse
