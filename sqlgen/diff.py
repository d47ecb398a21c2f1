"""Compare two Schemas and plan the statements that turn one into the other.

`diff(current, target)` is a pure function. The statements come in an order
MySQL accepts:

1. drop foreign keys that go away or change, and those on columns about to
   change type (MySQL refuses to change a column a foreign key uses);
2. drop tables, children before parents;
3. create tables, parents before children (keys inside a cycle come later);
4. alter each remaining table in one statement: columns, primary key, indexes,
   options;
5. add foreign keys: new ones, changed ones, and those dropped in step 1.

An index that a remaining foreign key needs is never dropped (MySQL error
1553); an index InnoDB made by itself for a foreign key is never reported.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, replace
from typing import Callable

from .ops import (
    AddCheck,
    AddColumn,
    AddForeignKey,
    AddIndex,
    AddPrimaryKey,
    AlterTable,
    CreateTable,
    DropCheck,
    DropColumn,
    DropForeignKey,
    DropIndex,
    DropPrimaryKey,
    DropTable,
    ModifyColumn,
    Move,
    Operation,
    RebuildTable,
    RenameColumn,
    RenameIndex,
    RenameTable,
    SetTableOptions,
)
from .schema import Column, ForeignKey, Index, IndexPart, Schema, Table


@dataclass(frozen=True)
class Rules:
    """What the diff must know of the dialect."""

    # InnoDB creates an index for a foreign key that has none, and refuses to
    # drop an index a foreign key needs.
    implicit_fk_indexes: bool = True
    # Whether a column of this (canonical) type has a collation.
    takes_collation: Callable[[str], bool] = lambda column_type: False
    # A comment or default as the server reports it back (MySQL and MariaDB
    # report 4-byte characters as '?'); compared in that form.
    reported_text: Callable[[str], str] = lambda text: text
    # Foreign keys live inside CREATE TABLE and cannot be added or dropped on
    # their own (SQLite): they change with the table, never in phases.
    inline_foreign_keys: bool = False
    # Whether these changes need the table rebuilt rather than altered (SQLite).
    needs_rebuild: Callable[[Table, Table, list], bool] | None = None
    # Whether table names differ only in letter case name one table (SQLite; MySQL follows
    # lower_case_table_names and reports names as stored).
    case_insensitive_tables: bool = False

    def reported(self, item):
        """A Column or TableOptions with its comment and default as reported."""
        changes = {}
        for name in ("comment", "default"):
            value = getattr(item, name, None)
            if value is not None:
                reported = self.reported_text(value)
                if reported != value:
                    changes[name] = reported
        return replace(item, **changes) if changes else item


def diff(current: Schema, target: Schema, rules: Rules = Rules(),
         renames: tuple[tuple[str, str | None, str], ...] = ()) -> list[Operation]:
    """The operations that turn `current` into `target`.

    `renames` are (table, column or None, new name) the user declared: the
    table or column keeps its data under the new name instead of being
    dropped and added. Names are the database's.
    """
    renames = tuple(renames) + _case_only_renames(current, target, renames, rules)
    current, rename_operations = apply_renames(current, renames)
    return rename_operations + _diff(current, target, rules)


def _case_only_renames(current: Schema, target: Schema, renames, rules: Rules) -> tuple[tuple, ...]:
    """Names that differ only in letter case, which MySQL (columns) and SQLite (tables
    too) take for one name: dropping the one and adding the other would lose the data,
    so they are renamed."""
    declared = {(table, column) for table, column, _ in renames}
    renamed_tables = {table: new for table, column, new in renames if column is None}
    found: list[tuple] = []
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


def apply_renames(current: Schema, renames) -> tuple[Schema, list[Operation]]:
    """`current` as it is after the renames, and the statements that do them.

    Raises ValueError naming what does not exist.
    """
    tables = {table.name: table for table in current.tables}
    operations: list[Operation] = []
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
        operations.append(RenameTable(table_name, new))
    for table_name, column, new in renames:
        if column is None:
            continue
        name = renamed_tables.get(table_name, table_name)
        table = tables.get(name)
        if table is None or table.column(column) is None:
            raise ValueError(f"cannot rename column {table_name}.{column}: the database has no such column")
        if table.column(new) is not None:
            raise ValueError(f"cannot rename column {table_name}.{column} to {new!r}: that column exists already")
        operations.append(AlterTable(name, (RenameColumn(table.column(column), new),)))
        tables[name] = _rename_column(table, column, new)
        for other in list(tables.values()):
            keys = tuple(replace(fk, ref_columns=tuple(new if c == column else c for c in fk.ref_columns))
                         if fk.ref_table == name else fk for fk in other.foreign_keys)
            tables[other.name] = replace(other, foreign_keys=keys)
    for other in list(tables.values()):
        keys = tuple(replace(fk, ref_table=renamed_tables.get(fk.ref_table, fk.ref_table)) for fk in other.foreign_keys)
        tables[other.name] = replace(other, foreign_keys=keys)
    return replace(current, tables=tuple(tables[name] for name in sorted(tables))), operations


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


def rename_candidates(operations: list[Operation]) -> list[tuple[str, str | None, str]]:
    """Likely renames, Django style: a dropped and an added column (or table) of the same definition."""
    from .ops import AddColumn as Add, DropColumn as Drop

    found = []
    dropped = {op.table.name: op.table for op in operations if isinstance(op, DropTable)}
    for op in operations:
        if isinstance(op, CreateTable):
            for name, table in dropped.items():
                if table.columns == op.table.columns and table.primary_key == op.table.primary_key:
                    found.append((name, None, op.table.name))
                    break
        changes = getattr(op, "changes", ())
        added = [c.column for c in changes if isinstance(c, Add)]
        for change in changes:
            if isinstance(change, Drop):
                match = next((a for a in added if replace(change.column, name=a.name) == a), None)
                if match is not None:
                    added.remove(match)
                    found.append((op.table if isinstance(op, AlterTable) else op.new.name, change.column.name,
                                  match.name))
    return found


def _diff(current: Schema, target: Schema, rules: Rules) -> list[Operation]:
    implicit_fk_indexes = rules.implicit_fk_indexes
    current_names, target_names = set(current.table_names()), set(target.table_names())
    dropped = [current.table(name) for name in sorted(current_names - target_names)]
    created = [target.table(name) for name in sorted(target_names - current_names)]
    kept = [(current.table(name), target.table(name)) for name in sorted(current_names & target_names)]

    retyped = set() if rules.inline_foreign_keys else {
        (old.name, column.name)
        for old, new in kept
        for column in old.columns
        if (new_column := new.column(column.name)) and _retyped(column, old, new_column, new, rules)
    }
    plans = [_plan_table(old, new, retyped, rules) for old, new in kept]

    drop_fks: dict[str, list] = defaultdict(list)
    add_fks: dict[str, list] = defaultdict(list)
    for plan in plans:
        if rules.inline_foreign_keys:
            plan.changes += plan.drop_fks + plan.add_fks  # part of the table's own change
        else:
            drop_fks[plan.name] += plan.drop_fks
            add_fks[plan.name] += plan.add_fks

    if rules.inline_foreign_keys:
        # Keys are declared inside CREATE TABLE and checked only when rows change: any order works.
        return _inline_plan(current, dropped, created, kept, plans, rules)

    drop_order, cycle_fks = _creation_order(dropped, retyped=set())
    for table in dropped:
        drop_fks[table.name] += [DropForeignKey(fk, announce=False)
                                 for fk in table.foreign_keys if fk.name in cycle_fks[table.name]]

    create_order, deferred_fks = _creation_order(created, _touched(plans) | retyped)
    create_order = [_with_support_indexes(table, implicit_fk_indexes) for table in create_order]
    for table in create_order:
        # Part of creating the table: the "+ table" line already says so.
        add_fks[table.name] += [AddForeignKey(fk, announce=False)
                                for fk in table.foreign_keys if fk.name in deferred_fks[table.name]]

    operations: list[Operation] = []
    operations += [AlterTable(name, tuple(changes)) for name, changes in sorted(drop_fks.items()) if changes]
    operations += [DropTable(table, tuple(sorted(cycle_fks[table.name]))) for table in reversed(drop_order)]
    operations += [CreateTable(table, tuple(sorted(deferred_fks[table.name]))) for table in create_order]
    operations += [AlterTable(plan.name, tuple(plan.changes)) for plan in plans if plan.changes]
    operations += [AlterTable(name, tuple(changes)) for name, changes in sorted(add_fks.items()) if changes]
    return operations


def _inline_plan(current: Schema, dropped, created, kept, plans, rules: Rules) -> list[Operation]:
    operations: list[Operation] = [DropTable(table) for table in reversed(_creation_order(dropped, set())[0])]
    operations += [CreateTable(table) for table in _creation_order(created, set())[0]]
    tables = dict((new.name, (old, new)) for old, new in kept)
    for plan in plans:
        if not plan.changes:
            continue
        old, new = tables[plan.name]
        if rules.needs_rebuild and rules.needs_rebuild(old, new, plan.changes):
            operations.append(RebuildTable(old, new, tuple(plan.changes), current.views))
        else:
            operations.append(AlterTable(plan.name, tuple(plan.changes)))
    return operations


def _retyped(old: Column, old_table: Table, new: Column, new_table: Table, rules: Rules) -> bool:
    """Whether a change to this column stops foreign keys from using it meanwhile."""
    return old.type != new.type or _collation(old, old_table, rules) != _collation(new, new_table, rules)


def _collation(column: Column, table: Table, rules: Rules) -> str | None:
    """The column's effective collation: its own, else its table's."""
    if not rules.takes_collation(column.type):
        return None
    return column.collation or table.options.collation


@dataclass
class _TablePlan:
    name: str
    changes: list = field(default_factory=list)
    drop_fks: list = field(default_factory=list)
    add_fks: list = field(default_factory=list)


def _plan_table(old: Table, new: Table, retyped: set, rules: Rules) -> _TablePlan:
    implicit_fk_indexes = rules.implicit_fk_indexes
    plan = _TablePlan(new.name)
    plan.changes += _column_changes(old, new, rules)

    if old.primary_key != new.primary_key:
        if old.primary_key:
            plan.changes.append(DropPrimaryKey(old.primary_key))
        if new.primary_key:
            plan.changes.append(AddPrimaryKey(new.primary_key))

    plan.changes += _check_changes(old, new)
    pairs, dropped, kept = _pair_foreign_keys(old, new, retyped)
    recreated = {c.column.name for c in plan.changes if isinstance(c, AddColumn) and old.column(c.column.name)}
    final_indexes, implicit = _index_changes(old, new, plan.changes, kept, implicit_fk_indexes, recreated)
    _foreign_key_changes(old, new, plan, pairs, dropped, final_indexes, implicit, implicit_fk_indexes)

    if rules.reported(old.options) != rules.reported(new.options):
        plan.changes.append(SetTableOptions(old.options, new.options))
    return plan


def _touched(plans: list[_TablePlan]) -> set[tuple[str, str]]:
    """(table, column) pairs a kept table's ALTER changes: columns added or
    modified, or covered by an index or primary key that changes. A new table's
    foreign key to one of them must wait for that ALTER."""
    touched = set()
    for plan in plans:
        for change in plan.changes:
            if isinstance(change, (AddColumn, ModifyColumn)):
                columns = [getattr(change, "column", None) or change.new]
                touched.update((plan.name, column.name) for column in columns)
            elif isinstance(change, (AddIndex, DropIndex)):
                touched.update((plan.name, column) for column in change.index.columns)
            elif isinstance(change, RenameIndex):
                touched.update((plan.name, column) for column in change.new.columns)
            elif isinstance(change, (AddPrimaryKey, DropPrimaryKey)):
                touched.update((plan.name, column) for column in change.columns)
    return touched


def _column_changes(old: Table, new: Table, rules: Rules) -> list:
    changes = []
    old_names, new_names = set(old.column_names()), set(new.column_names())
    moved = _moved_columns(old, new)
    for position, column in enumerate(old.columns):
        if column.name not in new_names:
            changes.append(DropColumn(column, old.column_before(column.name), position))
    for position, column in enumerate(new.columns):
        if column.name not in old_names:
            changes.append(AddColumn(column, new.column_before(column.name), position))
            continue
        before = old.column(column.name)
        old_collation, new_collation = _collation(before, old, rules), _collation(column, new, rules)
        move = None
        if column.name in moved:
            move = Move(new.column_before(column.name), position, old.column_before(column.name),
                        old.position(column.name))
        if _must_recreate(before, column):
            # MySQL cannot MODIFY a column into a generated one, nor switch VIRTUAL and
            # STORED: drop it and add it back in the same statement.
            changes.append(DropColumn(before, old.column_before(column.name), old.position(column.name)))
            changes.append(AddColumn(column, new.column_before(column.name), position))
            continue
        if rules.reported(before) != rules.reported(column) or old_collation != new_collation or move:
            if old_collation != new_collation:
                # The table's default collation changes too: spell both out.
                before = replace(before, collation=old_collation)
                column = replace(column, collation=new_collation)
            changes.append(ModifyColumn(before, column, move))
    return changes


def _must_recreate(old: Column, new: Column) -> bool:
    if new.generated is None:
        return False
    return old.generated is None or old.generated.stored != new.generated.stored


def _check_changes(old: Table, new: Table) -> list:
    """CHECK constraints: matched by name, or by condition when the server named them."""
    remaining = list(old.checks)
    changes, added = [], []

    def take(predicate):
        for check in remaining:
            if predicate(check):
                remaining.remove(check)
                return check
        return None

    for check in sorted(new.checks, key=lambda check: check.auto_named):
        if check.auto_named:
            match = take(lambda c, want=check: c.key == want.key)
        else:
            match = take(lambda c, name=check.name: c.name == name)
        if match is None:
            added.append(check)
        elif match.key != check.key:
            changes += [DropCheck(match), AddCheck(check)]
    changes += [DropCheck(check) for check in remaining]
    taken = {check.name.lower() for check in old.checks} - {c.check.name.lower() for c in changes
                                                            if isinstance(c, DropCheck)}
    taken |= {check.name.lower() for check in new.checks if not check.auto_named}
    for check in added:
        if check.auto_named and check.name.lower() in taken:
            check = replace(check, name=_free_numbered(check.name, taken))
        taken.add(check.name.lower())
        changes.append(AddCheck(check))
    return changes


def _free_numbered(name: str, taken: set[str]) -> str:
    """`name` with its trailing number raised until no other constraint has it."""
    stem = name.rstrip("0123456789")
    n = int(name[len(stem):] or 1)
    while f"{stem}{n}".lower() in taken:
        n += 1
    return f"{stem}{n}"


def _moved_columns(old: Table, new: Table) -> set[str]:
    """Columns to move so the table ends in the models' order: all but a longest
    run that is already in order (a longest common subsequence)."""
    kept_old = [name for name in old.column_names() if new.column(name) is not None]
    kept_new = [name for name in new.column_names() if old.column(name) is not None]
    if kept_old == kept_new:
        return set()
    lengths = [[0] * (len(kept_new) + 1) for _ in range(len(kept_old) + 1)]
    for i in range(len(kept_old) - 1, -1, -1):
        for j in range(len(kept_new) - 1, -1, -1):
            lengths[i][j] = (lengths[i + 1][j + 1] + 1 if kept_old[i] == kept_new[j]
                             else max(lengths[i + 1][j], lengths[i][j + 1]))
    staying, i, j = set(), 0, 0
    while i < len(kept_old) and j < len(kept_new):
        if kept_old[i] == kept_new[j]:
            staying.add(kept_old[i])
            i, j = i + 1, j + 1
        elif lengths[i + 1][j] >= lengths[i][j + 1]:
            i += 1
        else:
            j += 1
    return set(kept_new) - staying


def _index_changes(old: Table, new: Table, changes: list, kept_fks: list[ForeignKey],
                   implicit_fk_indexes: bool, recreated: set[str] = frozenset()) -> tuple[list[Index], list[Index]]:
    """Append index changes; return the indexes the table has afterwards, and
    among them those kept only because a foreign key needs them.

    `kept_fks` stay in place through the ALTER, so each must still have an
    index serving it when the statement ends (else MySQL error 1553).
    """
    remaining = list(old.indexes)
    final: list[Index] = []
    added: list[Index] = []
    renamed: list[tuple[Index, Index]] = []

    def take(predicate) -> Index | None:
        for index in remaining:
            if predicate(index):
                remaining.remove(index)
                return index
        return None

    named = [index for index in new.indexes if not index.auto_named]
    unnamed = [index for index in new.indexes if index.auto_named]
    unmatched_named = []
    for index in named:
        match = take(lambda i, name=index.name: i.name == name)
        if match is None:
            unmatched_named.append(index)
        elif match.same_shape(index) and not recreated & set(index.columns):
            final.append(match)
        else:
            changes += [DropIndex(match), AddIndex(index)]
            final.append(index)
    for index in unnamed:
        # The server chose this index's name; any name will do.
        match = take(lambda i, want=index: i.same_shape(want))
        if match is None:
            added.append(index)
        elif recreated & set(index.columns):
            # Its column is dropped and added back: so is the index.
            changes += [DropIndex(match), AddIndex(replace(index, name=match.name))]
            final.append(match)
        else:
            final.append(match)
    for index in unmatched_named:
        match = take(lambda i, want=index: i.same_shape(want))
        if match is None:
            added.append(index)
        else:
            renamed.append((match, index))
            final.append(index)

    for old_index, new_index in renamed:
        changes.append(RenameIndex(old_index, new_index))

    taken = {index.name.lower() for index in final + remaining + added if not index.auto_named}
    for index in added:
        if index.auto_named and index.name.lower() in taken:
            # Keep a still-present index's name free: as the server would.
            index = replace(index, name=_free_name(index.parts[0].column, taken))
        taken.add(index.name.lower())
        changes.append(AddIndex(index))
        final.append(index)

    implicit = []
    columns = set(new.column_names())
    for index in remaining:
        # An index InnoDB could have made for a foreign key: plain, on columns that stay.
        plain = not index.unique and index.kind is None and set(index.columns) <= columns
        needed = implicit_fk_indexes and plain and any(
            _serves(index, fk.columns) and not _served(fk.columns, new.primary_key, final)
            for fk in new.foreign_keys
        )
        if needed:
            implicit.append(index)  # InnoDB's own index for a foreign key: keep it
        else:
            changes.append(DropIndex(index))
    final += implicit
    for fk in kept_fks:
        if not _served(fk.columns, old.primary_key, list(old.indexes)):
            continue  # nothing served it before (not InnoDB): nothing to keep serving
        index = _support_index(fk, new.primary_key, final, implicit_fk_indexes)
        if index is not None:
            changes.append(AddIndex(index))
            final.append(index)
    return final, implicit


def _pair_foreign_keys(old: Table, new: Table, retyped: set):
    """Match declared keys with reflected ones.

    Returns (pairs, dropped, kept): `pairs` are (reflected or None, declared)
    keys to add, `dropped` the reflected keys to drop first, `kept` the
    declared keys that stay in place untouched.
    """
    remaining = list(old.foreign_keys)

    def take(predicate) -> ForeignKey | None:
        for fk in remaining:
            if predicate(fk):
                remaining.remove(fk)
                return fk
        return None

    pairs, kept = [], []
    for fk in sorted(new.foreign_keys, key=lambda fk: fk.auto_named):
        if fk.auto_named:
            # The server named it: match by what it does, keep the server's name.
            match = take(lambda f, want=fk: f.same_shape(want)) or take(lambda f, want=fk: f.same_target(want))
            if match is not None:
                fk = replace(fk, name=match.name)
        else:
            match = take(lambda f, name=fk.name: f.name == name)
        if match is not None and match.same_shape(fk) and not _uses_retyped(match, old.name, retyped):
            kept.append(fk)
        else:
            pairs.append((match, fk))
    dropped = [match for match, _ in pairs if match is not None] + remaining
    return pairs, dropped, kept


def _foreign_key_changes(old: Table, new: Table, plan: _TablePlan, pairs, dropped: list[ForeignKey],
                         final_indexes: list[Index], implicit: list[Index], implicit_fk_indexes: bool) -> None:
    # A name is free once its key is dropped, which happens before any key is added.
    taken = {fk.name for fk in old.foreign_keys} - {fk.name for fk in dropped}
    taken |= {fk.name for fk in new.foreign_keys if not fk.auto_named}
    taken |= {fk.name for match, fk in pairs if match is not None}
    moved: dict[str, Index] = {}
    for match, fk in pairs:
        announce = match is None or not match.same_shape(fk)  # else only re-added around a column change
        if match is None and fk.auto_named:
            fk = replace(fk, name=_free_fk_name(new.name, taken))
            taken.add(fk.name)
        index = _moved_index(fk, implicit, old.foreign_keys, dropped, moved)
        if index is None:
            index = _support_index(fk, new.primary_key, final_indexes, implicit_fk_indexes)
            if index is not None:
                final_indexes.append(index)
        plan.add_fks.append(AddForeignKey(fk, index, announce))
        if match is not None:
            plan.drop_fks.append(DropForeignKey(match, moved.get(match.name), announce))
    remaining = [fk for fk in dropped if all(fk is not match for match, _ in pairs)]
    plan.drop_fks += [DropForeignKey(fk, moved.get(fk.name)) for fk in remaining]


def _moved_index(fk: ForeignKey, implicit: list[Index], old_fks, dropped: list[ForeignKey],
                 moved: dict[str, Index]) -> Index | None:
    """The index InnoDB made for a dropped key, when a re-added key reuses it.

    Re-adding a named key would make MariaDB replace that index by one named
    after the key; dropping it with the old key and creating it explicitly with
    the new one keeps its name and the file predictable.
    """
    for index in implicit:
        if index in moved.values() or not _serves(index, fk.columns):
            continue
        users = [old_fk for old_fk in old_fks if _serves(index, old_fk.columns)]
        if users and all(user in dropped for user in users):
            moved[users[0].name] = index
            if fk.auto_named or fk.name == users[0].name:
                return index
            # A key renamed by the models: its index takes the new name, as create_all gives it.
            return replace(index, name=fk.name)
    return None


def _uses_retyped(fk: ForeignKey, table: str, retyped: set) -> bool:
    return any((table, column) in retyped for column in fk.columns) or (
        fk.ref_schema is None and any((fk.ref_table, column) in retyped for column in fk.ref_columns)
    )


def _support_index(fk: ForeignKey, primary_key: tuple[str, ...], indexes: list[Index],
                   implicit_fk_indexes: bool) -> Index | None:
    """The index to create with a foreign key that no existing index serves."""
    if not implicit_fk_indexes or _served(fk.columns, primary_key, indexes):
        return None
    taken = {index.name.lower() for index in indexes}
    name = fk.name if not fk.auto_named and fk.name.lower() not in taken else _free_name(fk.columns[0], taken)
    return Index(name, tuple(IndexPart(column) for column in fk.columns))


def _with_support_indexes(table: Table, implicit_fk_indexes: bool) -> Table:
    """The table with an explicit index for each foreign key that no index serves.

    InnoDB would create them silently, under the same names; writing them out
    makes the file say exactly what the server will build.
    """
    indexes = list(table.indexes)
    for fk in table.foreign_keys:
        index = _support_index(fk, table.primary_key, indexes, implicit_fk_indexes)
        if index is not None:
            indexes.append(index)
    return replace(table, indexes=tuple(indexes))


def _serves(index: Index, columns: tuple[str, ...]) -> bool:
    """InnoDB can use the index for a foreign key on `columns`."""
    if index.kind is not None or len(index.parts) < len(columns):
        return False
    return all(part.column == column and part.length is None for part, column in zip(index.parts, columns))


def _served(columns: tuple[str, ...], primary_key: tuple[str, ...], indexes: list[Index]) -> bool:
    if primary_key[: len(columns)] == columns:
        return True
    return any(_serves(index, columns) for index in indexes)


def _free_name(base: str, taken: set[str]) -> str:
    name, n = base, 2
    while name.lower() in taken:
        name, n = f"{base}_{n}", n + 1
    return name


def _free_fk_name(table: str, taken: set[str]) -> str:
    n = 1
    while f"{table}_ibfk_{n}" in taken:
        n += 1
    return f"{table}_ibfk_{n}"


def _creation_order(tables: list[Table], retyped: set) -> tuple[list[Table], dict[str, set[str]]]:
    """Tables with parents first, and per table the keys to add afterwards.

    Keys that close a cycle, or that point at a column changing type in this
    migration, cannot be declared inside CREATE TABLE.
    """
    by_name = {table.name: table for table in tables}
    deferred: dict[str, set[str]] = defaultdict(set)
    waiting: dict[str, set[str]] = {}
    for table in tables:
        waiting[table.name] = set()
        for fk in table.foreign_keys:
            if fk.ref_schema is None and any((fk.ref_table, c) in retyped for c in fk.ref_columns):
                deferred[table.name].add(fk.name)
            elif fk.ref_schema is None and fk.ref_table in by_name and fk.ref_table != table.name:
                waiting[table.name].add(fk.ref_table)
    order: list[Table] = []
    done: set[str] = set()
    pending = sorted(by_name)
    while pending:
        ready = next((name for name in pending if waiting[name] <= done), None)
        if ready is None:
            # A cycle: create its first table now and add its keys later.
            ready = pending[0]
            for fk in by_name[ready].foreign_keys:
                if fk.ref_table in waiting[ready] - done:
                    deferred[ready].add(fk.name)
        pending.remove(ready)
        done.add(ready)
        order.append(by_name[ready])
    return order, deferred
