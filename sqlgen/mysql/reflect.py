"""Read a MySQL/MariaDB database into a Schema.

A fixed handful of bulk information_schema queries covers the whole database,
so the number of round trips does not grow with the number of tables (a remote
server with 2,000 tables costs the same seven queries as one with two). MariaDB's
sequences take one query more, for all of them, when there are any.
"""

from __future__ import annotations

import re
from collections import defaultdict

from ..schema import Check, Column, ForeignKey, Generated, Index, IndexPart, Schema, Table, TableOptions
from . import expressions, sequences, types
from .dialect import READ_PLAINLY, ServerInfo

TABLES_SQL = """
SELECT TABLE_NAME, TABLE_TYPE, ENGINE, TABLE_COLLATION, TABLE_COMMENT, CREATE_OPTIONS, TABLE_ROWS
  FROM information_schema.TABLES
 WHERE TABLE_SCHEMA = DATABASE()
"""

COLUMNS_SQL = """
SELECT TABLE_NAME, COLUMN_NAME, COLUMN_DEFAULT, IS_NULLABLE, COLUMN_TYPE,
       COLLATION_NAME, EXTRA, COLUMN_COMMENT, GENERATION_EXPRESSION
  FROM information_schema.COLUMNS
 WHERE TABLE_SCHEMA = DATABASE()
 ORDER BY TABLE_NAME, ORDINAL_POSITION
"""

INDEXES_SQL = """
SELECT TABLE_NAME, INDEX_NAME, NON_UNIQUE, COLUMN_NAME, SUB_PART, INDEX_TYPE, COLLATION, {expression}
  FROM information_schema.STATISTICS
 WHERE TABLE_SCHEMA = DATABASE()
 ORDER BY TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX
"""

FOREIGN_KEYS_SQL = """
SELECT k.TABLE_NAME, k.CONSTRAINT_NAME, k.COLUMN_NAME, k.REFERENCED_TABLE_SCHEMA,
       k.REFERENCED_TABLE_NAME, k.REFERENCED_COLUMN_NAME, r.UPDATE_RULE, r.DELETE_RULE
  FROM information_schema.KEY_COLUMN_USAGE k
  JOIN information_schema.REFERENTIAL_CONSTRAINTS r
    ON r.CONSTRAINT_SCHEMA = k.CONSTRAINT_SCHEMA
   AND r.CONSTRAINT_NAME = k.CONSTRAINT_NAME
   AND r.TABLE_NAME = k.TABLE_NAME
 WHERE k.TABLE_SCHEMA = DATABASE() AND k.REFERENCED_TABLE_NAME IS NOT NULL
 ORDER BY k.TABLE_NAME, k.CONSTRAINT_NAME, k.ORDINAL_POSITION
"""

# MariaDB names CHECK constraints per table, so it needs the table in the join;
# MySQL 8's CHECK_CONSTRAINTS has no TABLE_NAME column.
CHECKS_SQL = """
SELECT tc.TABLE_NAME, cc.CONSTRAINT_NAME, cc.CHECK_CLAUSE, {level}
  FROM information_schema.TABLE_CONSTRAINTS tc
  JOIN information_schema.CHECK_CONSTRAINTS cc
    ON cc.CONSTRAINT_SCHEMA = tc.CONSTRAINT_SCHEMA
   AND cc.CONSTRAINT_NAME = tc.CONSTRAINT_NAME {same_table}
 WHERE tc.TABLE_SCHEMA = DATABASE() AND tc.CONSTRAINT_TYPE = 'CHECK'
"""

OTHER_OBJECTS_SQL = """
SELECT 'trigger', CONCAT(TRIGGER_NAME, ' on ', EVENT_OBJECT_TABLE) FROM information_schema.TRIGGERS
 WHERE TRIGGER_SCHEMA = DATABASE()
UNION ALL SELECT LOWER(ROUTINE_TYPE), ROUTINE_NAME FROM information_schema.ROUTINES
 WHERE ROUTINE_SCHEMA = DATABASE()
UNION ALL SELECT 'event', EVENT_NAME FROM information_schema.EVENTS WHERE EVENT_SCHEMA = DATABASE()
"""

_ON_UPDATE_EXTRA = re.compile(r"on update (\w+(?:\(\d*\))?)", re.I)


def reflect(connection, server: ServerInfo, exclude: frozenset[str] = frozenset()) -> Schema:
    """Reflect every base table of the connection's database, minus `exclude`."""
    return build(fetch(connection, server), server, exclude)


def fetch(connection, server: ServerInfo) -> dict[str, list[tuple]]:
    """The information_schema rows a Schema is built from: one query per kind of object."""
    rows = {
        "tables": TABLES_SQL,
        "columns": COLUMNS_SQL,
        "indexes": INDEXES_SQL.format(expression="EXPRESSION" if _has_expression_indexes(server) else "NULL"),
        "foreign_keys": FOREIGN_KEYS_SQL,
        "other": OTHER_OBJECTS_SQL,
    }
    if server.version >= ((10, 2) if server.is_mariadb else (8, 0, 16)):
        if server.is_mariadb:
            rows["checks"] = CHECKS_SQL.format(same_table="AND cc.TABLE_NAME = tc.TABLE_NAME", level="cc.LEVEL")
        else:
            rows["checks"] = CHECKS_SQL.format(same_table="", level="NULL")
    # Read in the default sql_mode, in the same round trip: information_schema prints expressions
    # in the reading session's notation ("name" under ANSI_QUOTES).
    plainly, restored = READ_PLAINLY
    result = dict(zip(rows, connection.exec_batch([plainly, *rows.values(), restored])[1:-1]))
    result.setdefault("checks", [])
    # A sequence's options are in its own row: one more round trip, only when there are sequences.
    names = sorted(name for name, kind, *_ in result["tables"] if kind == "SEQUENCE")
    result["sequences"] = []
    if names:
        values = connection.exec_batch([sequences.values_sql(names)])[0]
        result["sequences"] = [(names[number], *options) for number, *options in values]
    return result


def _has_expression_indexes(server: ServerInfo) -> bool:
    return not server.is_mariadb and server.version >= (8, 0, 13)


def build(rows: dict[str, list[tuple]], server: ServerInfo, exclude: frozenset[str] = frozenset()) -> Schema:
    """A Schema from information_schema rows (as `fetch` returns them): no connection here."""
    tables = {}
    unmanaged = []
    for name, kind, engine, collation, comment, create_options, *estimate in rows["tables"]:
        if name in exclude:
            continue
        if kind == "SEQUENCE":
            continue
        if kind != "BASE TABLE":
            unmanaged.append((kind.lower(), name))
            continue
        if "partitioned" in (create_options or "").lower():
            unmanaged.append(("partitioning of table", name))
        tables[name] = (engine, collation, comment, int(estimate[0]) if estimate and estimate[0] is not None else None)

    columns = _by_table(rows["columns"], tables, keep_table=True)
    json_checks, checks = _checks(rows["checks"], server)
    unmanaged += [(kind, name) for kind, name in rows["other"]]
    indexes = _by_table(rows["indexes"], tables)
    foreign_keys = _by_table(rows["foreign_keys"], tables)

    result = []
    for name in sorted(tables):
        engine, collation, comment, estimate = tables[name]
        table_collation = (collation or server.default_collation).lower()
        charset = table_collation.split("_")[0]
        cols = [_column(row, server, table_collation, charset, (name, row[1]) in json_checks)
                for row in columns[name]]
        primary_key, table_indexes = _indexes(indexes[name], server)
        result.append(
            Table(
                name=name,
                columns=tuple(cols),
                primary_key=primary_key,
                indexes=table_indexes,
                foreign_keys=_foreign_keys(foreign_keys[name], server.database),
                options=TableOptions(engine=engine, collation=table_collation, comment=comment or None),
                checks=tuple(sorted(checks.get(name, ()), key=lambda check: check.name)),
                rows=estimate,
            )
        )
    found = tuple(sequences.reflected(name, options) for name, *options in sorted(rows.get("sequences", ()))
                  if name not in exclude)
    return Schema(tables=tuple(result), sequences=found, unmanaged=tuple(sorted(unmanaged)))


def _by_table(rows: list[tuple], tables, keep_table: bool = False) -> dict[str, list[tuple]]:
    grouped = defaultdict(list)
    for row in rows:
        if row[0] in tables:
            grouped[row[0]].append(row if keep_table else row[1:])
    return grouped


def _checks(rows: list[tuple], server: ServerInfo) -> tuple[set[tuple[str, str]], dict[str, list[Check]]]:
    """(table, column) pairs whose MariaDB JSON check is present, and the other checks by table.

    MariaDB stores JSON as LONGTEXT plus CHECK (json_valid(`col`)) named after
    the column; together they are the JSON type, never a diff.
    """
    json, other = set(), defaultdict(list)
    for table, name, clause, level in rows:
        if server.is_mariadb and re.fullmatch(r"json_valid\(`" + re.escape(name.replace("`", "``")) + r"`\)",
                                              clause.strip()):
            json.add((table, name))
        else:
            # MariaDB names a column's own check after the column.
            column = name if level == "Column" else None
            other[table].append(Check(name, expressions.key(clause, server), clause.strip(), column=column))
    return json, other


def _column(row, server: ServerInfo, table_collation: str, charset: str, is_json: bool) -> Column:
    _, name, default, nullable, column_type, collation, extra, comment, expression = row
    extra = extra or ""
    generated = None
    kind = re.search(r"\b(virtual|stored|persistent) generated\b", extra, re.I)
    if kind and expression:
        generated = Generated(expressions.key(expression, server), kind.group(1).lower() != "virtual",
                              expression.strip())
        default = None
    parsed = types.parse_type(column_type, charset)
    canonical = parsed.type
    if is_json and canonical == "longtext":
        canonical = "json"
    if server.is_mariadb:
        default = expressions.normalize_default(default and sequences.calls_in(default, server.database), canonical,
                                                server)
    else:
        default = expressions.reflected_default_mysql(default, extra, canonical, server)
    on_update = _ON_UPDATE_EXTRA.search(extra)
    collation = (collation or "").lower()
    return Column(
        name=name,
        type=canonical,
        nullable=nullable == "YES",
        default=default,
        on_update=expressions.current_timestamp(on_update.group(1)) if on_update else None,
        autoincrement="auto_increment" in extra.lower(),
        comment=comment or None,
        collation=collation if types.takes_collation(canonical) and collation != table_collation else None,
        generated=generated,
        display_type=parsed.display if canonical == parsed.type else None,
    )


def _indexes(rows, server: ServerInfo) -> tuple[tuple[str, ...], tuple[Index, ...]]:
    primary_key: tuple[str, ...] = ()
    parts = defaultdict(list)
    shapes = {}
    for name, non_unique, column, sub_part, index_type, collation, expression in rows:
        if name == "PRIMARY":
            primary_key += (column,)
            continue
        kind = index_type.upper() if index_type.upper() in ("FULLTEXT", "SPATIAL") else None
        # MariaDB reports a SUB_PART of 32 for SPATIAL indexes; they take no prefix.
        length = int(sub_part) if sub_part and kind != "SPATIAL" else None
        if column is None and expression:  # MySQL 8 functional key part
            part = IndexPart(None, None, collation == "D", expressions.key(expression, server), expression)
        else:
            part = IndexPart(column, length, collation == "D")
        parts[name].append(part)
        shapes[name] = (not int(non_unique), kind)
    indexes = tuple(
        Index(name, tuple(parts[name]), unique=shapes[name][0], kind=shapes[name][1]) for name in sorted(parts)
    )
    return primary_key, indexes


def _foreign_keys(rows, database: str) -> tuple[ForeignKey, ...]:
    grouped: dict[str, list] = defaultdict(list)
    for row in rows:
        grouped[row[0]].append(row)
    result = []
    for name, members in sorted(grouped.items()):
        _, _, ref_schema, ref_table, _, update_rule, delete_rule = members[0]
        result.append(
            ForeignKey(
                name=name,
                columns=tuple(row[1] for row in members),
                ref_table=ref_table,
                ref_columns=tuple(row[4] for row in members),
                on_delete=normalize_action(delete_rule),
                on_update=normalize_action(update_rule),
                on_delete_written=written_action(delete_rule),
                on_update_written=written_action(update_rule),
                ref_schema=None if ref_schema == database else ref_schema,
            )
        )
    return tuple(result)


def written_action(rule: str | None) -> str | None:
    """NO ACTION when it was spelled so: equal to RESTRICT, but reported as written."""
    return "NO ACTION" if rule and " ".join(rule.upper().split()) == "NO ACTION" else None


def normalize_action(rule: str | None) -> str:
    # MySQL treats NO ACTION as RESTRICT and reports RESTRICT when none is given.
    rule = " ".join((rule or "RESTRICT").upper().split())
    return "RESTRICT" if rule == "NO ACTION" else rule
