"""Turn SQLAlchemy models into the Schema they declare on SQLite.

Types, defaults, checks and generation expressions are compiled by
SQLAlchemy's SQLite dialect, exactly as `create_all` writes them.
"""

from __future__ import annotations

import re

import sqlalchemy as sa
from sqlalchemy.exc import CompileError

from ..errors import SqlgenError
from ..declaration import check_table_names, column_name_of, created_by_create_all, run_create_listeners
from ..safety import check_action, check_expression, check_name
from ..schema import Check, Column, ForeignKey, Generated, Index, IndexPart, Schema, Table, TableOptions
from .dialect import (EXPRESSION_RULES, NAME_RULES, REBUILD_PREFIX, ServerInfo, check_type, expression_key,
                      normalize_action, normalize_default, normalize_type)

_COLLATE = re.compile(r"\s+COLLATE\s+(\"[^\"]+\"|\w+)\s*$", re.I)
KNOWN_TABLE_OPTIONS = frozenset({"autoincrement"})


def sa_dialect():
    from sqlalchemy.dialects.sqlite import pysqlite

    return pysqlite.dialect()


def declared_schema(metadata: sa.MetaData, server: ServerInfo, version_table: str) -> tuple[Schema, list[str]]:
    dialect = sa_dialect()
    ddl = dialect.ddl_compiler(dialect, None)
    notes: list[str] = run_create_listeners(metadata, dialect)
    tables = []
    commented = False
    for table in metadata.tables.values():
        if table.schema is not None:
            raise SqlgenError(f"table {table.schema}.{table.name} lives in another schema; "
                              "sqlgen manages the one SQLite database of the URL")
        check_table_names(table, lambda item: _name(item, dialect), NAME_RULES)
        if table.name.lower() == version_table.lower():  # SQLite's names ignore letter case
            raise SqlgenError(f"the models declare a table named {table.name!r}, which sqlgen uses to track "
                              "migrations; set version_table to another name in the config")
        if table.name.lower().startswith(REBUILD_PREFIX.lower()):
            raise SqlgenError(f"the models declare a table named {table.name!r}; on SQLite names starting with "
                              f"{REBUILD_PREFIX} are where sqlgen rebuilds a table; rename it")
        commented = commented or table.comment is not None or any(c.comment for c in table.columns)
        tables.append(_table(table, dialect, ddl, notes))
    if commented:
        notes.append("not compared: comments (SQLite keeps none)")
    return Schema(tables=tuple(sorted(tables, key=lambda t: t.name))), notes


def _compile(ddl, element, where: str) -> str:
    try:
        text = ddl.sql_compiler.process(element, include_table=False, literal_binds=True)
    except CompileError as exc:
        raise SqlgenError(f"cannot render {where}: {exc}") from None
    check_expression(text, where, EXPRESSION_RULES)
    return text


def _name(constraint, dialect) -> str | None:
    if constraint.name is None:
        return None
    return dialect.identifier_preparer.format_constraint(constraint, _alembic_quote=False)


def _table(table: sa.Table, dialect, ddl, notes: list[str]) -> Table:
    options = {key.partition("_")[2]: value for key, value in table.dialect_kwargs.items()
               if key.startswith("sqlite_") and value is not None}
    for option in sorted(set(options) - KNOWN_TABLE_OPTIONS):
        notes.append(f"not compared: table option {option} on {table.name}")
    autoincrement = bool(options.get("autoincrement"))
    columns = tuple(_column(column, dialect, ddl, autoincrement) for column in table.columns)
    indexes = []
    for constraint in table._sorted_constraints:
        if (isinstance(constraint, sa.UniqueConstraint) and not isinstance(constraint, sa.PrimaryKeyConstraint)
                and created_by_create_all(constraint, ddl)):
            name = _name(constraint, dialect)
            parts = tuple(IndexPart(column.name) for column in constraint.columns)
            indexes.append(Index(name or f"sqlite_autoindex_{table.name}_{len(indexes) + 1}", parts, unique=True,
                                 auto_named=name is None, constraint=True))
    for index in (index for index in table.indexes if created_by_create_all(index, ddl)):
        name = _name(index, dialect)
        if name is None:
            raise SqlgenError(f"cannot render an unnamed index on {table.name}: give it a name")
        if index.dialect_options["sqlite"].get("where") is not None:
            raise SqlgenError(f"cannot render index {table.name}.{name}: partial indexes are not supported yet")
        parts = []
        for expression in index.expressions:
            descending = False
            if isinstance(expression, sa.sql.elements.UnaryExpression) and expression.modifier in (
                    sa.sql.operators.desc_op, sa.sql.operators.asc_op):
                descending = expression.modifier is sa.sql.operators.desc_op
                expression = expression.element
            column = column_name_of(expression, table)
            if column is None:
                raise SqlgenError(f"cannot render index {table.name}.{name}: expression indexes are not "
                                  "supported on SQLite yet")
            parts.append(IndexPart(column, None, descending))
        indexes.append(Index(name, tuple(parts), unique=bool(index.unique)))
    pk = table.primary_key
    return Table(
        name=table.name,
        columns=columns,
        primary_key=tuple(column.name for column in pk.columns),
        indexes=tuple(sorted(indexes, key=lambda index: index.name)),
        foreign_keys=_foreign_keys(table, dialect, ddl),
        options=TableOptions(),
        checks=_checks(table, dialect, ddl),
    )


def _column(column: sa.Column, dialect, ddl, table_autoincrement: bool) -> Column:
    where = f"{column.table.name}.{column.name}"
    try:
        type_text = dialect.type_compiler_instance.process(column.type, type_expression=column)
    except CompileError as exc:
        raise SqlgenError(f"cannot render {where}: {exc}") from None
    collation = None
    match = _COLLATE.search(type_text)
    if match:
        collation = match.group(1).strip('"').upper()
        check_name(collation, "collation", f"column {where!r}", NAME_RULES)
        type_text = type_text[: match.start()]
    generated = None
    if column.computed is not None:
        expression = _compile(ddl, column.computed.sqltext, f"the generated column {where}")
        generated = Generated(expression_key(expression), column.computed.persisted is True, expression)
    try:
        default_text = ddl.get_column_default_string(column)
    except CompileError as exc:
        raise SqlgenError(f"cannot render the default of {where}: {exc}") from None
    if default_text is not None and not isinstance(column.server_default.arg, str):  # a string is quoted
        check_expression(default_text, f"the default of {where}", EXPRESSION_RULES)
    default = normalize_default(default_text)
    autoincrement = table_autoincrement and column is column.table._autoincrement_column
    return Column(
        name=column.name,
        type=check_type(normalize_type(type_text), where),
        nullable=bool(column.nullable),
        default=default,
        autoincrement=autoincrement,
        collation=collation,
        generated=generated,
    )


def _foreign_keys(table: sa.Table, dialect, ddl) -> tuple[ForeignKey, ...]:
    result = []
    for number, constraint in enumerate(
            (c for c in table._sorted_constraints
             if isinstance(c, sa.ForeignKeyConstraint) and created_by_create_all(c, ddl)), 1):
        name = _name(constraint, dialect)
        shown = f"the foreign key {name!r}" if name else "a foreign key"
        check_action(constraint.ondelete, f"ON DELETE of {shown} of table {table.name!r}")
        check_action(constraint.onupdate, f"ON UPDATE of {shown} of table {table.name!r}")
        result.append(ForeignKey(
            name=name or f"{table.name}_fk_{number}",
            columns=tuple(element.parent.name for element in constraint.elements),
            ref_table=constraint.referred_table.name,
            ref_columns=tuple(element.column.name for element in constraint.elements),
            on_delete=normalize_action(constraint.ondelete),
            on_update=normalize_action(constraint.onupdate),
            auto_named=name is None,
        ))
    return tuple(sorted(result, key=lambda fk: fk.name))


def _checks(table: sa.Table, dialect, ddl) -> tuple[Check, ...]:
    # A table's CHECK only where create_all emits it (column-level ones it always emits).
    found = [(constraint, None) for constraint in table._sorted_constraints
             if isinstance(constraint, sa.CheckConstraint) and created_by_create_all(constraint, ddl)]
    for column in table.columns:
        # column.constraints is a set: take the checks in the order they were written.
        found += [(constraint, column.name) for constraint in sorted(
            (c for c in column.constraints if isinstance(c, sa.CheckConstraint)),
            key=lambda c: getattr(c, "_creation_order", 0))]
    result = []
    for number, (constraint, column) in enumerate(found, 1):
        expression = _compile(ddl, constraint.sqltext, f"a CHECK constraint of {table.name}")
        name = _name(constraint, dialect)
        result.append(Check(name or f"{table.name}_check_{number}", expression_key(expression), expression,
                            auto_named=name is None, column=column))
    return tuple(sorted(result, key=lambda check: check.name))
