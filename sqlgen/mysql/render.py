"""Render operations as MySQL/MariaDB statements.

Functions here return strings; only the runner executes anything. Statements
carry no trailing semicolon: the migration writer adds it.
"""

from __future__ import annotations

from dataclasses import replace

from ..ops import (
    AddCheck,
    AddColumn,
    AddForeignKey,
    AddIndex,
    AddPrimaryKey,
    AlterSequence,
    AlterTable,
    CreateSequence,
    CreateTable,
    DropCheck,
    DropColumn,
    DropForeignKey,
    DropIndex,
    DropPrimaryKey,
    DropSequence,
    DropTable,
    ModifyColumn,
    Operation,
    RenameColumn,
    RenameIndex,
    RenameTable,
    SetTableOptions,
)
from ..schema import Column, ForeignKey, Index, Table, TableOptions
from ..errors import SqlgenError
from . import sequences, types
from .dialect import ServerInfo, quote_identifier as q, quote_string
from .expressions import portable  # expressions that read the same under every sql_mode

INDENT = "  "


def render(operation: Operation, server: ServerInfo) -> str:
    if isinstance(operation, CreateTable):
        return create_table(operation.table, server, skip_fks=operation.without_fks)
    if isinstance(operation, DropTable):
        return f"DROP TABLE {q(operation.table.name)}"
    if isinstance(operation, RenameTable):
        return f"RENAME TABLE {q(operation.old_name)} TO {q(operation.new_name)}"
    if isinstance(operation, AlterTable):
        for change in operation.changes:
            if isinstance(change, ModifyColumn):
                _refuse_conversion_by_position(operation.table, change)
        clauses = [clause for change in operation.changes for clause in _clauses(change, server)]
        return f"ALTER TABLE {q(operation.table)}\n" + ",\n".join(INDENT + c for c in clauses)
    if isinstance(operation, CreateSequence):
        return sequences.create(operation.sequence)
    if isinstance(operation, AlterSequence):
        return sequences.alter(operation.old, operation.new)
    if isinstance(operation, DropSequence):
        return sequences.drop(operation.sequence)
    raise TypeError(f"cannot render {operation!r}")


def _refuse_conversion_by_position(table: str, change: ModifyColumn) -> None:
    old, new = change.old.type, change.new.type
    if not types.converts_by_position(old, new):
        return
    numbering = {"enum": ("position", "(1, 2, ...)", "2 becomes its second member"),
                 "set": ("bits", "(1, 2, 4, ...)", "3 becomes its first two members")}
    if types.type_base(old) in numbering:
        kind, numbers, _ = numbering[types.type_base(old)]
        what = f"stores each value's {kind} in the {types.type_base(old).upper()} {numbers}, not the number it reads as"
    else:
        kind, _, example = numbering[types.type_base(new)]
        what = f"reads each number as {kind} of the {types.type_base(new).upper()} ({example}), not as text"
    raise SqlgenError(f"{table}.{change.new.name}: changing {old} to {new} {what}, silently; make the column a "
                      f"VARCHAR in one migration, then {new} in the next (sqlgen checks the rows of each step "
                      "before it runs)")


def create_table(table: Table, server: ServerInfo, skip_fks: tuple[str, ...] = ()) -> str:
    # A column's own unnamed check stays on the column, where the server names it after the column.
    inline = {check.column: check for check in table.checks if check.column and check.auto_named}
    lines = [column_definition(column, server) + (f" CHECK ({portable(inline[column.name].expression)})"
                                                  if column.name in inline else "")
             for column in table.columns]
    if table.primary_key:
        lines.append(f"PRIMARY KEY {_column_list(table.primary_key)}")
    for index in table.indexes:
        lines.append(_index_definition(index, inline=True))
    for fk in table.foreign_keys:
        if fk.name not in skip_fks:
            lines.append(_foreign_key_definition(fk))
    for check in table.checks:
        if check.column and check.auto_named:
            continue
        # A check the server names is written without a name, as create_all writes it.
        name = "" if check.auto_named else f"CONSTRAINT {q(check.name)} "
        lines.append(f"{name}CHECK ({portable(check.expression)})")
    body = ",\n".join(INDENT + line for line in lines)
    return f"CREATE TABLE {q(table.name)} (\n{body}\n) {_table_options(table.options, server)}"


def column_definition(column: Column, server: ServerInfo) -> str:
    # A display width as the models wrote it, where the server keeps one (MySQL 8.0.19+ drops them).
    keeps_widths = server.is_mariadb or server.version < (8, 0, 19)
    parts = [q(column.name), column.display_type if column.display_type and keeps_widths else column.type]
    if column.collation:
        parts.append(f"COLLATE {column.collation}")
    if column.generated is not None:
        generated = column.generated
        parts.append(f"AS ({portable(generated.expression)}) {'STORED' if generated.stored else 'VIRTUAL'}")
        if not server.is_mariadb:  # MariaDB takes no NULL/NOT NULL here
            parts.append("NULL" if column.nullable else "NOT NULL")
        if column.comment is not None:
            parts.append(f"COMMENT {quote_string(column.comment)}")
        return " ".join(parts)
    parts.append("NULL" if column.nullable else "NOT NULL")
    if column.default is not None:
        parts.append(f"DEFAULT {column.default}")
    if column.on_update is not None:
        parts.append(f"ON UPDATE {column.on_update}")
    if column.autoincrement:
        parts.append("AUTO_INCREMENT")
    if column.comment is not None:
        parts.append(f"COMMENT {quote_string(column.comment)}")
    return " ".join(parts)


def _clauses(change, server: ServerInfo) -> list[str]:
    if isinstance(change, AddColumn):
        place = f"AFTER {q(change.after)}" if change.after else "FIRST"
        return [f"ADD COLUMN {column_definition(change.column, server)} {place}"]
    if isinstance(change, DropColumn):
        return [f"DROP COLUMN {q(change.column.name)}"]
    if isinstance(change, RenameColumn):
        if server.supports_rename_column:
            return [f"RENAME COLUMN {q(change.old.name)} TO {q(change.new_name)}"]
        renamed = replace(change.old, name=change.new_name)
        return [f"CHANGE COLUMN {q(change.old.name)} {column_definition(renamed, server)}"]
    if isinstance(change, ModifyColumn):
        clause = f"MODIFY COLUMN {column_definition(change.new, server)}"
        if change.move:
            clause += f" AFTER {q(change.move.after)}" if change.move.after else " FIRST"
        return [clause]
    if isinstance(change, AddIndex):
        return ["ADD " + _index_definition(change.index, inline=False)]
    if isinstance(change, DropIndex):
        return [f"DROP INDEX {q(change.index.name)}"]
    if isinstance(change, RenameIndex):
        if server.supports_rename_index:
            return [f"RENAME INDEX {q(change.old.name)} TO {q(change.new.name)}"]
        return [f"DROP INDEX {q(change.old.name)}", "ADD " + _index_definition(change.new, inline=False)]
    if isinstance(change, AddCheck):
        return [f"ADD CONSTRAINT {q(change.check.name)} CHECK ({portable(change.check.expression)})"]
    if isinstance(change, DropCheck):
        # MySQL 8.0.16-8.0.18 know only DROP CHECK.
        keyword = "CHECK" if not server.is_mariadb and server.version < (8, 0, 19) else "CONSTRAINT"
        return [f"DROP {keyword} {q(change.check.name)}"]
    if isinstance(change, DropPrimaryKey):
        return ["DROP PRIMARY KEY"]
    if isinstance(change, AddPrimaryKey):
        return [f"ADD PRIMARY KEY {_column_list(change.columns)}"]
    if isinstance(change, DropForeignKey):
        clauses = [f"DROP FOREIGN KEY {q(change.fk.name)}"]
        if change.index is not None:
            clauses.append(f"DROP INDEX {q(change.index.name)}")
        return clauses
    if isinstance(change, AddForeignKey):
        clauses = []
        if change.index is not None:
            clauses.append("ADD " + _index_definition(change.index, inline=False))
        clauses.append("ADD " + _foreign_key_definition(change.fk))
        return clauses
    if isinstance(change, SetTableOptions):
        return _option_clauses(change.old, change.new, server)
    raise TypeError(f"cannot render {change!r}")


def _index_definition(index: Index, inline: bool) -> str:
    if index.kind:
        keyword = f"{index.kind} {'KEY' if inline else 'INDEX'}"
    elif index.unique:
        keyword = "UNIQUE KEY" if inline else "UNIQUE INDEX"
    else:
        keyword = "KEY" if inline else "INDEX"
    parts = []
    for part in index.parts:
        text = q(part.column) if part.column is not None else f"({portable(part.expression)})"
        if part.length:
            text += f"({part.length})"
        if part.descending:
            text += " DESC"
        parts.append(text)
    # In CREATE TABLE an index the server names is written without a name,
    # exactly as SQLAlchemy's create_all writes it.
    name = "" if inline and index.auto_named else f" {q(index.name)}"
    return f"{keyword}{name} ({', '.join(parts)})"


def _foreign_key_definition(fk: ForeignKey) -> str:
    ref_table = q(fk.ref_table) if fk.ref_schema is None else f"{q(fk.ref_schema)}.{q(fk.ref_table)}"
    text = f"FOREIGN KEY {_column_list(fk.columns)} REFERENCES {ref_table} {_column_list(fk.ref_columns)}"
    on_delete = fk.on_delete_written or fk.on_delete
    on_update = fk.on_update_written or fk.on_update
    if on_delete != "RESTRICT":  # the server's default, never written by create_all either
        text += f" ON DELETE {on_delete}"
    if on_update != "RESTRICT":
        text += f" ON UPDATE {on_update}"
    return f"CONSTRAINT {q(fk.name)} {text}"


def _table_options(options: TableOptions, server: ServerInfo) -> str:
    parts = []
    if options.engine:
        parts.append(f"ENGINE={options.engine}")
    if options.collation:
        parts.append(f"DEFAULT CHARSET={_charset(options.collation)} COLLATE={options.collation}")
    if options.comment is not None:
        parts.append(f"COMMENT={quote_string(options.comment)}")
    return " ".join(parts)


def _option_clauses(old: TableOptions, new: TableOptions, server: ServerInfo) -> list[str]:
    clauses = []
    if old.engine != new.engine:
        clauses.append(f"ENGINE={new.engine}")
    if old.collation != new.collation:
        clauses.append(f"DEFAULT CHARSET={_charset(new.collation)} COLLATE={new.collation}")
    if old.comment != new.comment:
        clauses.append(f"COMMENT={quote_string(new.comment or '')}")
    return clauses


def _charset(collation: str) -> str:
    return collation.split("_", 1)[0]


def _column_list(columns) -> str:
    return "(" + ", ".join(q(column) for column in columns) + ")"
