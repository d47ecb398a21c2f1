"""Render operations as SQLite statements.

SQLite's ALTER TABLE can add a column at the end, drop a plain one, and
rename; indexes have their own CREATE and DROP. Any other change rebuilds the
table the way the SQLite documentation describes: create the new table, copy
the rows, drop the old table, rename the new one, and recreate its indexes
and triggers. Views keep working across the rename. Foreign keys are switched
off for the migration and checked before it commits (see tracking.py).
"""

from __future__ import annotations

import re

from ..ops import (
    AddColumn,
    AddIndex,
    AlterTable,
    CreateTable,
    DropColumn,
    DropIndex,
    DropTable,
    Operation,
    RebuildTable,
    RenameColumn,
    RenameIndex,
    RenameTable,
)
from ..safety import printable
from ..schema import Column, ForeignKey, Index, Table
from .dialect import REBUILD_PREFIX, ServerInfo, quote_identifier as q, quote_string, render_default

INDENT = "  "


def render(operation: Operation, server: ServerInfo) -> list[str]:
    """The statements of one operation, without their semicolons."""
    if isinstance(operation, CreateTable):
        return [create_table(operation.table)] + [create_index(operation.table.name, index)
                                                  for index in operation.table.indexes if not index.constraint]
    if isinstance(operation, DropTable):
        return [f"DROP TABLE {q(operation.table.name)}"]
    if isinstance(operation, RenameTable):
        if operation.old_name.lower() == operation.new_name.lower():
            # SQLite refuses a new name equal but for letter case: two steps.
            step = REBUILD_PREFIX + operation.new_name
            return [f"ALTER TABLE {q(operation.old_name)} RENAME TO {q(step)}",
                    f"ALTER TABLE {q(step)} RENAME TO {q(operation.new_name)}"]
        return [f"ALTER TABLE {q(operation.old_name)} RENAME TO {q(operation.new_name)}"]
    if isinstance(operation, AlterTable):
        # A generated column goes before the columns it is computed from: SQLite refuses the other order.
        changes = sorted(operation.changes, key=lambda change: not (isinstance(change, DropColumn)
                                                                    and change.column.generated is not None))
        return [statement for change in changes for statement in _alter(operation.table, change)]
    if isinstance(operation, RebuildTable):
        return rebuild(operation.old, operation.new, operation.views)
    raise TypeError(f"cannot render {operation!r}")


def create_table(table: Table, as_name: str | None = None) -> str:
    # Unnamed column checks stay on their column, in their original order: SQLite numbers them so.
    inline: dict[str, list] = {}
    for check in sorted((c for c in table.checks if c.column and c.auto_named), key=_check_number):
        inline.setdefault(check.column, []).append(check)
    lines = []
    for column in table.columns:
        text = column_definition(column)
        if column.autoincrement:
            text += " PRIMARY KEY AUTOINCREMENT"
        for check in inline.get(column.name, ()):
            text += f" CHECK ({check.expression})"
        lines.append(text)
    if table.primary_key and not any(column.autoincrement for column in table.columns):
        lines.append(f"PRIMARY KEY {_columns(table.primary_key)}")
    for check in table.checks:
        if check.column and check.auto_named:
            continue
        label = "" if check.auto_named else f"CONSTRAINT {q(check.name)} "
        lines.append(f"{label}CHECK ({check.expression})")
    for index in table.indexes:
        if index.constraint:
            label = "" if index.auto_named or index.name.startswith("sqlite_autoindex_") else \
                f"CONSTRAINT {q(index.name)} "
            lines.append(f"{label}UNIQUE {_columns(index.columns)}")
    for fk in table.foreign_keys:
        lines.append(_foreign_key(fk))
    body = ",\n".join(INDENT + line for line in lines)
    return f"CREATE TABLE {q(as_name or table.name)} (\n{body}\n)"


def _autoincrement(table: Table) -> bool:
    return any(column.autoincrement for column in table.columns)


def _check_number(check) -> int:
    digits = check.name[len(check.name.rstrip("0123456789")):]
    return int(digits) if digits else 0


def column_definition(column: Column) -> str:
    parts = [q(column.name), column.type]
    if column.default is not None:
        parts.append(f"DEFAULT {render_default(column.default)}")
    if not column.nullable:
        parts.append("NOT NULL")
    if column.collation:
        parts.append(f"COLLATE {q(column.collation)}")
    if column.generated is not None:
        parts.append(f"GENERATED ALWAYS AS ({column.generated.expression})"
                     f"{' STORED' if column.generated.stored else ' VIRTUAL'}")
    return " ".join(parts)


def create_index(table: str, index: Index) -> str:
    parts = ", ".join(q(part.column) + (" DESC" if part.descending else "") for part in index.parts)
    return f"CREATE {'UNIQUE ' if index.unique else ''}INDEX {q(index.name)} ON {q(table)} ({parts})"


def rebuild(old: Table, new: Table, views: tuple[str, ...] = ()) -> list[str]:
    """The SQLite documentation's procedure for changes ALTER TABLE cannot make.

    The views that read the table are queried at the end: the legacy rename
    leaves them in place unchecked, and a view that reads a dropped column must
    stop the migration (and roll it back) rather than stay broken."""
    temporary = REBUILD_PREFIX + new.name
    # A generated column of the old table can be read: its values are kept when it becomes a plain one.
    copied = [column.name for column in new.columns
              if old.column(column.name) is not None and column.generated is None]
    names = ", ".join(q(name) for name in copied)
    statements = [
        create_table(new, temporary),
        f"INSERT INTO {q(temporary)} ({names}) SELECT {names} FROM {q(old.name)}",
    ]
    if _autoincrement(old) and _autoincrement(new):
        # AUTOINCREMENT never reuses an id: the new table takes over the old one's counter.
        statements += [
            f"DELETE FROM sqlite_sequence WHERE name = {quote_string(temporary)}",
            f"INSERT INTO sqlite_sequence (name, seq) SELECT {quote_string(temporary)}, seq FROM sqlite_sequence "
            f"WHERE name = {quote_string(old.name)}",
        ]
    statements += [
        f"DROP TABLE {q(old.name)}",
        # The legacy rename leaves views and other tables' keys pointing at the name, as wanted.
        "PRAGMA legacy_alter_table = ON",
        f"ALTER TABLE {q(temporary)} RENAME TO {q(new.name)}",
        "PRAGMA legacy_alter_table = OFF",
    ]
    statements += [create_index(new.name, index) for index in new.indexes if not index.constraint]
    statements += list(old.dependents)
    statements += [f"-- the view {printable(name)} must still work: this fails if the change broke it\n"
                   f"SELECT * FROM {q(name)} LIMIT 0" for name in _views_reading(views, old.name, new.name)]
    return statements


_VIEW_NAME = re.compile(r"""\s*create\s+(?:temp\s+|temporary\s+)?view\s+(?:if\s+not\s+exists\s+)?"""
                        r"""("(?:[^"]|"")*"|`(?:[^`]|``)*`|\[[^\]]*\]|[\w$]+)""", re.I)


def _spellings(name: str) -> set[str]:
    """How SQL can write a name inside each kind of quotes (a quote in it doubled)."""
    return {name, name.replace('"', '""'), name.replace("`", "``"), name.replace("'", "''")}


def _views_reading(views: tuple[str, ...], *tables: str) -> list[str]:
    """Names of the views whose SQL names one of `tables`."""
    from .parse import unquote

    names = []
    for sql in views:
        match = _VIEW_NAME.match(sql)
        if match and any(re.search(rf"(?<![\w$]){re.escape(spelling)}(?![\w$])", sql, re.I)
                         for table in tables for spelling in _spellings(table)):
            names.append(unquote(match.group(1)))
    return names


def _alter(table: str, change) -> list[str]:
    if isinstance(change, AddColumn):
        return [f"ALTER TABLE {q(table)} ADD COLUMN {column_definition(change.column)}"]
    if isinstance(change, DropColumn):
        return [f"ALTER TABLE {q(table)} DROP COLUMN {q(change.column.name)}"]
    if isinstance(change, RenameColumn):
        return [f"ALTER TABLE {q(table)} RENAME COLUMN {q(change.old.name)} TO {q(change.new_name)}"]
    if isinstance(change, AddIndex):
        return [create_index(table, change.index)]
    if isinstance(change, DropIndex):
        return [f"DROP INDEX {q(change.index.name)}"]
    if isinstance(change, RenameIndex):
        return [f"DROP INDEX {q(change.old.name)}", create_index(table, change.new)]
    raise TypeError(f"SQLite cannot ALTER {change!r}; it needs a rebuild")


def _foreign_key(fk: ForeignKey) -> str:
    text = f"FOREIGN KEY {_columns(fk.columns)} REFERENCES {q(fk.ref_table)} {_columns(fk.ref_columns)}"
    if fk.on_delete != "NO ACTION":
        text += f" ON DELETE {fk.on_delete}"
    if fk.on_update != "NO ACTION":
        text += f" ON UPDATE {fk.on_update}"
    return text if fk.auto_named else f"CONSTRAINT {q(fk.name)} {text}"


def _columns(names) -> str:
    return "(" + ", ".join(q(name) for name in names) + ")"


def needs_rebuild(server: ServerInfo):
    """Whether a set of changes to a table (and their inverse) needs a rebuild."""

    def check(old: Table, new: Table, changes: list) -> bool:
        added = {c.column.name for c in changes if isinstance(c, AddColumn)}
        dropped = {c.column.name for c in changes if isinstance(c, DropColumn)}
        for change in changes:
            if isinstance(change, RenameColumn):
                continue
            if isinstance(change, (AddIndex, DropIndex)) and not change.index.constraint:
                continue
            if isinstance(change, RenameIndex) and not change.old.constraint and not change.new.constraint:
                continue
            # Added and dropped columns: the down file must be able to undo them by ALTER too.
            if isinstance(change, AddColumn) and server.supports_drop_column and \
                    _alterable(change.column, new, added):
                continue
            if isinstance(change, DropColumn) and server.supports_drop_column and \
                    _alterable(change.column, old, dropped):
                continue
            return True
        return False

    return check


def _alterable(column: Column, table: Table, moving: set[str]) -> bool:
    """ALTER TABLE ADD/DROP COLUMN can handle it: at the end of the table, not
    part of a key, index or check, a constant default, not a stored expression."""
    after = table.column_names()[table.position(column.name):]
    if not set(after) <= moving:
        return False
    if column.name in table.primary_key or column.autoincrement:
        return False
    if any(column.name in index.columns for index in table.indexes):
        return False
    if any(column.name in fk.columns for fk in table.foreign_keys):
        return False
    if any(column.name in check.key for check in table.checks):
        return False
    if column.generated is not None and column.generated.stored:
        return False
    if column.default is not None and render_default(column.default).startswith(("(", "CURRENT")):
        return False
    return column.nullable or column.default is not None
