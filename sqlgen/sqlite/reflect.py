"""Read a SQLite database into a Schema.

The PRAGMA table-valued functions joined with sqlite_master give every
table's columns, indexes and keys in one query each, whatever the number of
tables; names, checks and collations come from the stored CREATE TABLE text.
"""

from __future__ import annotations

import sqlite3
from collections import defaultdict

from ..schema import Check, Column, ForeignKey, Generated, Index, IndexPart, Schema, Table, TableOptions
from .dialect import ServerInfo, expression_key, normalize_action, normalize_default, normalize_type
from .parse import parse_create_table

TABLES_SQL = """
SELECT type, name, tbl_name, sql FROM sqlite_master
 WHERE name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY type, name
"""
COLUMNS_SQL = """
SELECT m.name, p.cid, p.name, p.type, p."notnull", p.dflt_value, p.pk, p.hidden
  FROM sqlite_master m JOIN pragma_table_xinfo(m.name) p
 WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite\\_%' ESCAPE '\\'
 ORDER BY m.name, p.cid
"""
INDEXES_SQL = """
SELECT m.name, il.name, il."unique", il.origin, il.partial, ii.seqno, ii.cid, ii.name, ii."desc"
  FROM sqlite_master m JOIN pragma_index_list(m.name) il JOIN pragma_index_xinfo(il.name) ii
 WHERE m.type = 'table' AND ii."key" = 1
 ORDER BY m.name, il.name, ii.seqno
"""
FOREIGN_KEYS_SQL = """
SELECT m.name, f.id, f.seq, f."table", f."from", f."to", f.on_update, f.on_delete
  FROM sqlite_master m JOIN pragma_foreign_key_list(m.name) f
 WHERE m.type = 'table'
 ORDER BY m.name, f.id, f.seq
"""


def server_info(connection) -> ServerInfo:
    database = connection.engine.url.database or ":memory:"
    return ServerInfo(tuple(sqlite3.sqlite_version_info), sqlite3.sqlite_version, database)


def reflect(connection, server: ServerInfo, exclude: frozenset[str] = frozenset()) -> Schema:
    rows = {name: [tuple(row) for row in connection.exec_driver_sql(sql)]
            for name, sql in (("objects", TABLES_SQL), ("columns", COLUMNS_SQL),
                              ("indexes", INDEXES_SQL), ("foreign_keys", FOREIGN_KEYS_SQL))}
    return build(rows, exclude)


def build(rows: dict[str, list[tuple]], exclude: frozenset[str] = frozenset()) -> Schema:
    tables, triggers, unmanaged, views, index_sql = {}, defaultdict(list), [], [], {}
    for kind, name, table_name, sql in rows["objects"]:
        if kind == "table" and name not in exclude:
            tables[name] = sql
        elif kind == "index" and sql:
            index_sql[name] = sql
        elif kind == "trigger":
            triggers[table_name].append(sql)
            unmanaged.append(("trigger", f"{name} on {table_name}"))
        elif kind == "view":
            views.append(sql)
            unmanaged.append(("view", name))
    columns = _by_table(rows["columns"], tables)
    indexes = _by_table(rows["indexes"], tables)
    keys = _by_table(rows["foreign_keys"], tables)
    result = []
    for name in sorted(tables):
        text = parse_create_table(tables[name])
        table_indexes, primary_key = _indexes(indexes[name], text, columns[name], unmanaged, name)
        rowid_alias = _rowid_alias(columns[name])
        result.append(Table(
            name=name,
            columns=tuple(_column(row, text, rowid_alias) for row in columns[name]),
            primary_key=primary_key,
            indexes=table_indexes,
            foreign_keys=_foreign_keys(name, keys[name], text),
            options=TableOptions(),
            checks=_checks(name, text),
            dependents=tuple(_index_sql(indexes[name], index_sql)) + tuple(triggers[name]),
        ))
    return Schema(tables=tuple(result), unmanaged=tuple(sorted(unmanaged)), views=tuple(views))


def _index_sql(rows, index_sql: dict[str, str]) -> list[str]:
    """CREATE INDEX statements of the partial and expression indexes sqlgen does not model."""
    names = dict.fromkeys(name for name, _, _, partial, _, cid, _, _ in rows if partial or cid == -2)
    return [index_sql[name] for name in names if name in index_sql]


def _by_table(rows, tables) -> dict[str, list[tuple]]:
    grouped = defaultdict(list)
    for row in rows:
        if row[0] in tables:
            grouped[row[0]].append(row[1:])
    return grouped


def _rowid_alias(column_rows) -> str | None:
    """The INTEGER PRIMARY KEY column, if any: it is the rowid, never NULL, though
    PRAGMA table_info reports it nullable unless NOT NULL was written."""
    keys = [row for row in column_rows if row[5]]
    if len(keys) == 1 and (keys[0][2] or "").strip().upper() == "INTEGER":
        return keys[0][1]
    return None


def _column(row, text, rowid_alias: str | None) -> Column:
    _, name, declared_type, notnull, default, _, hidden = row
    notnull = notnull or name == rowid_alias
    parsed = text.columns.get(name)
    generated = None
    if hidden in (2, 3) and parsed is not None and parsed.generated is not None:
        generated = Generated(expression_key(parsed.generated), hidden == 3, parsed.generated)
    return Column(
        name=name,
        type=normalize_type(declared_type or ""),
        nullable=not notnull,
        default=normalize_default(default),
        autoincrement=bool(parsed and parsed.autoincrement),
        collation=(parsed.collation.upper() if parsed and parsed.collation else None),
        generated=generated,
    )


def _indexes(rows, text, column_rows, unmanaged, table_name) -> tuple[tuple[Index, ...], tuple[str, ...]]:
    parts, shapes = defaultdict(list), {}
    for name, unique, origin, partial, _, cid, column, descending in rows:
        if partial or cid == -2:
            unmanaged.append(("partial or expression index", f"{table_name}.{name}"))
            shapes[name] = None
            continue
        parts[name].append(IndexPart(column, None, bool(descending)))
        shapes.setdefault(name, (bool(unique), origin))
    primary_key = tuple(row[1] for row in sorted(column_rows, key=lambda row: row[5]) if row[5])
    unique_names = {columns: name for name, columns in text.uniques}
    for column in text.columns.values():
        if column.unique_name:
            unique_names[(column.name,)] = column.unique_name
    indexes = []
    for name, (unique, origin) in ((n, s) for n, s in shapes.items() if s is not None):
        if origin == "pk":
            continue
        columns = tuple(part.column for part in parts[name])
        constraint = origin == "u"
        # A UNIQUE constraint's index is sqlite_autoindex_T_N; its name, if any, is in the SQL.
        shown = unique_names.get(columns) or name if constraint else name
        indexes.append(Index(shown, tuple(parts[name]), unique=unique, constraint=constraint))
    return tuple(sorted(indexes, key=lambda index: index.name)), primary_key


def _foreign_keys(table: str, rows, text) -> tuple[ForeignKey, ...]:
    grouped = defaultdict(list)
    for row in rows:
        grouped[row[0]].append(row)
    names = {columns: name for name, columns in text.foreign_keys}
    for column in text.columns.values():
        if column.foreign_key_name:
            names[(column.name,)] = column.foreign_key_name
    result = []
    for number, (_, members) in enumerate(sorted(grouped.items()), 1):
        columns = tuple(row[3] for row in members)
        _, _, ref_table, _, _, on_update, on_delete = members[0]
        name = names.get(columns)
        result.append(ForeignKey(
            name=name or f"{table}_fk_{number}",
            columns=columns,
            ref_table=ref_table,
            ref_columns=tuple(row[4] for row in members),
            on_delete=normalize_action(on_delete),
            on_update=normalize_action(on_update),
            auto_named=name is None,
        ))
    return tuple(sorted(result, key=lambda fk: fk.name))


def _checks(table: str, text) -> tuple[Check, ...]:
    found = [(name, condition, None) for name, condition in text.checks]
    for column in text.columns.values():
        found += [(name, condition, column.name) for name, condition in column.checks]
    result = []
    for number, (name, condition, column) in enumerate(found, 1):
        result.append(Check(name or f"{table}_check_{number}", expression_key(condition), condition,
                            auto_named=name is None, column=column))
    return tuple(sorted(result, key=lambda check: check.name))
