"""What each SQLite statement risks.

SQLite changes most things by rebuilding a table: create a new one, copy the
rows, drop the old one, rename the new one into place. Dropping the old table
is then not a loss, but every column the copy leaves out is, and so is every
key or CHECK the new table no longer has. A rebuild is recognised by its copy
(INSERT INTO new SELECT … FROM old) followed by DROP TABLE old; the new
table's definition is read by SQLite itself, in a private in-memory database,
and compared with the current one.
"""

from __future__ import annotations

import re
import sqlite3

from ..lint import CODES, Finding
from .dialect import REBUILD_PREFIX
from .parse import unquote

_TOKEN = re.compile(
    r"""(?P<string>'(?:[^']|'')*')"""
    r"""|(?P<ident>"(?:[^"]|"")*"|`(?:[^`]|``)*`|\[[^\]]*\])"""
    r"""|(?P<word>[A-Za-z0-9_$.]+)"""
    r"""|(?P<op>\S)""",
    re.S,
)


def analyse(statements, schema, server) -> list[Finding]:
    findings: list[Finding] = []
    creates: dict[str, str] = {}  # table -> its CREATE TABLE text, for tables this file creates
    copies: dict[str, tuple[str, list[str]]] = {}  # new table -> (table its rows come from, columns copied)
    rebuilt: set[str] = set()  # new tables that replace a dropped one: renaming them is part of the rebuild
    replaced: set[str] = set()  # tables rebuilt: their unique indexes are created again, not added

    for statement in statements:
        tokens = [(m.lastgroup, m.group()) for m in _TOKEN.finditer(statement.text)]
        words = [value.lower() if kind == "word" else value for kind, value in tokens]
        if not words:
            continue

        def add(code: str, target: str, message: str | None = None) -> None:
            findings.append(Finding(code, target, message or CODES[code][1], statement.line))

        def name(i: int) -> str:
            return unquote(tokens[i][1]) if i < len(tokens) else ""

        if words[0] == "create" and "table" in words[1:4]:
            at = words.index("table") + 1
            if words[at:at + 3] == ["if", "not", "exists"]:
                at += 3
            creates[name(at)] = statement.text
        elif words[:3] == ["create", "unique", "index"] and "on" in words:
            at = words.index("on") + 1
            table = name(at)
            columns = tuple(unquote(value) for kind, value in tokens[at + 1:] if kind in ("ident", "word")
                            and value.lower() not in ("asc", "desc", "collate"))
            old = schema.table(table) if schema is not None and table in replaced else None
            if old is None or not any(index.unique and index.columns == columns for index in old.indexes):
                index = name(words.index("index") + 1)
                add("unique", f"{table}.{index}", f"adds unique index {index} on {table}: the statement fails on "
                                                  "duplicates")
        elif words[:2] == ["insert", "into"] and "select" in words and "from" in words:
            target = name(2)
            source = name(len(words) - 1 - words[::-1].index("from") + 1)
            columns = [unquote(value) for kind, value in tokens[3:words.index("select")]
                       if kind in ("ident", "word")]
            copies[target] = (source, columns)
        elif words[:2] == ["drop", "table"]:
            at = 4 if words[2:4] == ["if", "exists"] else 2
            dropped = name(at)
            new = next((new for new, (source, _) in copies.items() if source == dropped), None)
            if new is None:
                add("drop-table", dropped, f"drops table {dropped} and every row in it")
            else:
                rebuilt.add(new)
                replaced.add(dropped)
                add("table-rebuild", dropped, f"rebuilds table {dropped}: its rows are copied into a new table; "
                                              "other writers wait until the migration commits")
                old = schema.table(dropped) if schema is not None else None
                _compare_rebuild(dropped, old, creates.get(new), copies[new][1], add)
        elif words[:2] == ["alter", "table"]:
            table = name(2)
            if words[3:5] == ["rename", "to"]:
                # A rename only in letter case goes through a REBUILD_PREFIX name: reported once.
                new_name = name(5)[len(REBUILD_PREFIX):] if name(5).startswith(REBUILD_PREFIX) else name(5)
                if table not in rebuilt and not table.startswith(REBUILD_PREFIX):
                    add("rename", table, f"renames table {table} to {new_name}: code that still uses the old "
                                         "name breaks")
            elif words[3] == "rename":
                at = 5 if words[4] == "column" else 4
                add("rename", f"{table}.{name(at)}", f"renames {table}.{name(at)} to {name(at + 2)}: code that "
                                                     "still uses the old name breaks")
            elif words[3] == "drop":
                column_name = name(5 if words[4] == "column" else 4)
                old = schema.table(table) if schema is not None else None
                _dropped_column(table, column_name, old.column(column_name) if old else None, add)
        elif words[0] in ("delete", "update") and "where" not in words:
            target = name(2) if words[0] == "delete" else name(1)
            add("delete-all", target, f"{words[0].upper()} without WHERE touches every row of {target}")
    return findings


def _dropped_column(table: str, name: str, column, add) -> None:
    if column is not None and column.generated is not None:
        if column.generated.stored:
            add("drop-generated", f"{table}.{name}", f"drops stored generated column {table}.{name}")
        return
    add("drop-column", f"{table}.{name}", f"drops column {table}.{name} and its data")


def _compare_rebuild(table_name: str, old, create_text: str | None, copied: list[str], add) -> None:
    """Report what the rebuilt table loses or newly demands, compared with the current one."""
    if old is None or create_text is None:
        return  # without the database (or the new definition) nothing more can be told
    new = _read_table(create_text)
    if new is None:
        return
    for column in old.columns:
        if column.name in copied:
            replacement = new.column(column.name)
            if replacement is not None and column.nullable and not replacement.nullable:
                add("not-null", f"{table_name}.{column.name}", f"makes {table_name}.{column.name} NOT NULL: the "
                                                               "copy fails if a row holds NULL")
            continue
        replacement = new.column(column.name)
        if replacement is not None and replacement.generated is not None:
            continue  # computed again from the copied columns
        _dropped_column(table_name, column.name, column, add)
    for column in new.columns:
        if old.column(column.name) is None and not column.nullable and column.default is None \
                and column.generated is None:
            add("not-null", f"{table_name}.{column.name}", f"adds NOT NULL column {table_name}.{column.name} "
                                                           "without a default: the copy fails if the table has rows")
    if old.primary_key and tuple(old.primary_key) != tuple(new.primary_key):
        add("drop-primary-key", table_name, f"drops the primary key of {table_name}")
    if new.primary_key and tuple(old.primary_key) != tuple(new.primary_key):
        add("unique", table_name, f"adds a primary key to {table_name}: the copy fails on duplicates or NULLs")
    for fk in old.foreign_keys:
        if not any(fk.same_shape(other) for other in new.foreign_keys):
            add("drop-foreign-key", f"{table_name}.{fk.name}", f"drops foreign key {fk.name} of {table_name}: rows "
                                                               "may now point at missing parents")
    new_checks = {check.key for check in new.checks}
    for check in old.checks:
        if check.key not in new_checks:
            add("drop-check", f"{table_name}.{check.name}", f"drops CHECK {check.name} of {table_name}: rows it "
                                                            "kept out can come in")
    old_checks = {check.key for check in old.checks}
    for check in new.checks:
        if check.key not in old_checks:
            add("add-check", f"{table_name}.{check.name}", f"adds CHECK {check.name} to {table_name}: the copy "
                                                           "fails if rows break it")
    for index in new.indexes:
        if index.unique and not any(index.same_shape(other) and other.unique for other in old.indexes):
            add("unique", f"{table_name}.{index.name}", f"adds unique constraint {index.name} on {table_name} "
                                                        f"({', '.join(index.columns)}): the copy fails on duplicates")


def _read_table(create_text: str):
    """The table a CREATE TABLE statement makes, as SQLite itself reads it; None if it cannot."""
    from .reflect import build, COLUMNS_SQL, FOREIGN_KEYS_SQL, INDEXES_SQL, TABLES_SQL

    memory = sqlite3.connect(":memory:")
    try:
        memory.execute(create_text)
        schema = build({key: memory.execute(sql).fetchall() for key, sql in (
            ("objects", TABLES_SQL), ("columns", COLUMNS_SQL), ("indexes", INDEXES_SQL),
            ("foreign_keys", FOREIGN_KEYS_SQL))})
    except (sqlite3.Error, ValueError):
        return None
    finally:
        memory.close()
    return schema.tables[0] if schema.tables else None
