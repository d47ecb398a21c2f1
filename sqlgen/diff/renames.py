"""Renames: those the user declared, those only of letter case, and likely ones to suggest.

A renamed table or column keeps its data under the new name instead of being
dropped and added.
"""

from __future__ import annotations

from dataclasses import replace

from .. import ops
from ..schema import Schema, Table
from .core import Rules

# (table, column or None, new name): names are the database's.
Rename = tuple[str, str | None, str]


def case_only_renames(current: Schema, target: Schema, renames, rules: Rules) -> tuple[Rename, ...]:
    """Names that differ only in letter case, which a server may take for one name
    (columns; with `case_insensitive_tables`, tables too): dropping the one and
    adding the other would lose the data, so they are renamed."""
    declared = {(table, column) for table, column, _ in renames}
    renamed_tables = {table: new for table, column, new in renames if column is None}
    found: list[Rename] = []
    if rules.case_insensitive_tables:
        gone = [t.name for t in current.tables if target.table(t.name) is None and (t.name, None) not in declared]
        for old_name, new_name in _same_but_case(gone, [t.name for t in target.tables
                                                         if current.table(t.name) is None]):
            found.append((old_name, None, new_name))
            renamed_tables[old_name] = new_name
    for table in current.tables:
        other = target.table(renamed_tables.get(table.name, table.name))
        if other is None:
            continue
        gone = [c.name for c in table.columns if other.column(c.name) is None and (table.name, c.name) not in declared]
        added = [c.name for c in other.columns if table.column(c.name) is None]
        found += [(table.name, old_name, new_name) for old_name, new_name in _same_but_case(gone, added)]
    return tuple(found)


def _same_but_case(gone: list[str], added: list[str]) -> list[tuple[str, str]]:
    """Pairs of a gone and an added name equal but for letter case, where the match is unique."""
    pairs = []
    for name in gone:
        same = [other for other in added if other.lower() == name.lower()]
        if len(same) == 1:
            pairs.append((name, same[0]))
    return pairs


def apply_renames(current: Schema, renames) -> tuple[Schema, list[ops.Operation]]:
    """`current` as it is after the renames, and the statements that do them.

    Raises ValueError naming what does not exist.
    """
    tables = {table.name: table for table in current.tables}
    operations: list[ops.Operation] = []
    renamed_tables = _rename_tables(tables, renames, operations)
    for table_name, column, new in renames:
        if column is not None:
            _rename_one_column(tables, renamed_tables.get(table_name, table_name), table_name, column, new,
                               operations)
    for other in list(tables.values()):
        keys = tuple(replace(fk, ref_table=renamed_tables.get(fk.ref_table, fk.ref_table)) for fk in other.foreign_keys)
        tables[other.name] = replace(other, foreign_keys=keys)
    return replace(current, tables=tuple(tables[name] for name in sorted(tables))), operations


def _rename_tables(tables: dict[str, Table], renames, operations: list) -> dict[str, str]:
    """Rename the tables in `tables` and append the statements; return old name -> new name."""
    renamed_tables = {}
    for table_name, column, new in renames:
        if column is not None:
            continue
        if table_name not in tables:
            raise ValueError(f"cannot rename table {table_name!r}: the database has no such table")
        if new in tables:
            raise ValueError(f"cannot rename table {table_name!r} to {new!r}: that table exists already")
        tables[new] = replace(tables.pop(table_name), name=new)
        renamed_tables[table_name] = new
        operations.append(ops.RenameTable(table_name, new))
    return renamed_tables


def _rename_one_column(tables: dict[str, Table], name: str, table_name: str, column: str, new: str,
                       operations: list) -> None:
    """Rename `column` of table `name` (declared as `table_name`) and the keys that point at it."""
    table = tables.get(name)
    if table is None or table.column(column) is None:
        raise ValueError(f"cannot rename column {table_name}.{column}: the database has no such column")
    if table.column(new) is not None:
        raise ValueError(f"cannot rename column {table_name}.{column} to {new!r}: that column exists already")
    operations.append(ops.AlterTable(name, (ops.RenameColumn(table.column(column), new),)))
    tables[name] = _rename_column(table, column, new)
    for other in list(tables.values()):
        keys = tuple(replace(fk, ref_columns=tuple(new if c == column else c for c in fk.ref_columns))
                     if fk.ref_table == name else fk for fk in other.foreign_keys)
        tables[other.name] = replace(other, foreign_keys=keys)


def _rename_column(table: Table, old: str, new: str) -> Table:
    def swap(names):
        return tuple(new if name == old else name for name in names)

    return replace(
        table,
        columns=tuple(replace(c, name=new) if c.name == old else c for c in table.columns),
        primary_key=swap(table.primary_key),
        indexes=tuple(replace(i, parts=tuple(replace(p, column=new) if p.column == old else p for p in i.parts))
                      for i in table.indexes),
        foreign_keys=tuple(replace(fk, columns=swap(fk.columns)) for fk in table.foreign_keys),
    )


def rename_candidates(operations: list[ops.Operation]) -> list[Rename]:
    """Likely renames, Django style: a dropped and an added column (or table) of the same definition."""
    found = []
    dropped = {op.table.name: op.table for op in operations if isinstance(op, ops.DropTable)}
    for op in operations:
        if isinstance(op, ops.CreateTable):
            for name, table in dropped.items():
                if table.columns == op.table.columns and table.primary_key == op.table.primary_key:
                    found.append((name, None, op.table.name))
                    break
        changes = getattr(op, "changes", ())
        added = [c.column for c in changes if isinstance(c, ops.AddColumn)]
        for change in changes:
            if isinstance(change, ops.DropColumn):
                match = next((a for a in added if replace(change.column, name=a.name) == a), None)
                if match is not None:
                    added.remove(match)
                    found.append((op.table if isinstance(op, ops.AlterTable) else op.new.name, change.column.name,
                                  match.name))
    return found
