"""`diff(current, target)`: the statements that turn one Schema into the other, in order.

`diff` is a pure function. Unless the rules put foreign keys inside CREATE
TABLE, the statements come in an order a server checking keys accepts:

1. drop foreign keys that go away or change, and those on columns about to
   change type (a server may refuse to change a column a foreign key uses);
2. drop tables, children before parents;
3. create and change sequences, then create tables, parents before children
   (keys inside a cycle come later);
4. alter each remaining table in one statement: columns, primary key, indexes,
   options;
5. add foreign keys: new ones, changed ones, and those dropped in step 1;
6. drop sequences that go away, once no table's default takes their values.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from .. import ops
from ..schema import Schema, Table
from .core import Rules, check_changes, column_changes, column_retyped, option_changes, primary_key_changes
from .keys import foreign_key_changes, index_changes, pair_foreign_keys, with_support_indexes
from .renames import Rename, apply_renames, case_only_renames


def diff(current: Schema, target: Schema, rules: Rules = Rules(), renames: tuple[Rename, ...] = ()) -> list[ops.Operation]:
    """The operations that turn `current` into `target`.

    `renames` are (table, column or None, new name) the user declared: the
    table or column keeps its data under the new name instead of being
    dropped and added. Names are the database's.
    """
    renames = tuple(renames) + case_only_renames(current, target, renames, rules)
    current, rename_operations = apply_renames(current, renames)
    return rename_operations + _diff(current, target, rules)


@dataclass
class _TablePlan:
    name: str
    changes: list = field(default_factory=list)
    drop_fks: list = field(default_factory=list)
    add_fks: list = field(default_factory=list)


def _diff(current: Schema, target: Schema, rules: Rules) -> list[ops.Operation]:
    current_names, target_names = set(current.table_names()), set(target.table_names())
    dropped = [current.table(name) for name in sorted(current_names - target_names)]
    created = [target.table(name) for name in sorted(target_names - current_names)]
    kept = [(current.table(name), target.table(name)) for name in sorted(current_names & target_names)]
    retyped = set() if rules.inline_foreign_keys else _retyped_columns(kept, rules)
    plans = [_plan_table(old, new, retyped, rules) for old, new in kept]
    sequences = _sequence_changes(current, target)
    if rules.inline_foreign_keys:
        # Keys are declared inside CREATE TABLE and checked only when rows change: any order works.
        for plan in plans:
            plan.changes += plan.drop_fks + plan.add_fks  # part of the table's own change
        return _inline_plan(current, dropped, created, kept, plans, rules, sequences)
    return _phased_plan(dropped, created, retyped, plans, rules, sequences)


def _sequence_changes(current: Schema, target: Schema) -> tuple[list, list]:
    """(sequences to drop, sequences to create or change): by name. A table's default may
    take their next value, so sequences are made before any table changes, and dropped after."""
    dropped = [ops.DropSequence(sequence) for sequence in current.sequences if target.sequence(sequence.name) is None]
    created = []
    for sequence in target.sequences:
        old = current.sequence(sequence.name)
        if old is None:
            created.append(ops.CreateSequence(sequence))
        elif old != sequence:
            created.append(ops.AlterSequence(old, sequence))
    return dropped, created


def _retyped_columns(kept: list[tuple[Table, Table]], rules: Rules) -> set[tuple[str, str]]:
    """(table, column) pairs whose change stops foreign keys from using them meanwhile."""
    return {
        (old.name, column.name)
        for old, new in kept
        for column in old.columns
        if (new_column := new.column(column.name)) and column_retyped(column, old, new_column, new, rules)
    }


def _phased_plan(dropped: list[Table], created: list[Table], retyped: set, plans: list[_TablePlan],
                 rules: Rules, sequences: tuple[list, list] = ([], [])) -> list[ops.Operation]:
    """The statements in the five steps of the module's docstring."""
    drop_fks: dict[str, list] = defaultdict(list)
    add_fks: dict[str, list] = defaultdict(list)
    for plan in plans:
        drop_fks[plan.name] += plan.drop_fks
        add_fks[plan.name] += plan.add_fks

    drop_order, cycle_fks = _creation_order(dropped, retyped=set())
    for table in dropped:
        drop_fks[table.name] += [ops.DropForeignKey(fk, announce=False)
                                 for fk in table.foreign_keys if fk.name in cycle_fks[table.name]]

    create_order, deferred_fks = _creation_order(created, _touched(plans) | retyped)
    create_order = [with_support_indexes(table, rules.implicit_fk_indexes) for table in create_order]
    for table in create_order:
        # Part of creating the table: the "+ table" line already says so.
        add_fks[table.name] += [ops.AddForeignKey(fk, announce=False)
                                for fk in table.foreign_keys if fk.name in deferred_fks[table.name]]

    operations: list[ops.Operation] = []
    operations += [ops.AlterTable(name, tuple(changes)) for name, changes in sorted(drop_fks.items()) if changes]
    operations += [ops.DropTable(table, tuple(sorted(cycle_fks[table.name]))) for table in reversed(drop_order)]
    # A sequence that gives its name to a new table goes first (on MariaDB a sequence is a table).
    new_names = {table.name.lower() for table in created}
    early = [op for op in sequences[0] if op.sequence.name.lower() in new_names]
    operations += early + sequences[1]
    operations += [ops.CreateTable(table, tuple(sorted(deferred_fks[table.name]))) for table in create_order]
    operations += [ops.AlterTable(plan.name, tuple(plan.changes)) for plan in plans if plan.changes]
    operations += [ops.AlterTable(name, tuple(changes)) for name, changes in sorted(add_fks.items()) if changes]
    return operations + [op for op in sequences[0] if op not in early]


def _inline_plan(current: Schema, dropped, created, kept, plans, rules: Rules,
                 sequences: tuple[list, list] = ([], [])) -> list[ops.Operation]:
    operations: list[ops.Operation] = [ops.DropTable(table) for table in reversed(_creation_order(dropped, set())[0])]
    operations += sequences[1]
    operations += [ops.CreateTable(table) for table in _creation_order(created, set())[0]]
    tables = dict((new.name, (old, new)) for old, new in kept)
    for plan in plans:
        if not plan.changes:
            continue
        old, new = tables[plan.name]
        if rules.needs_rebuild and rules.needs_rebuild(old, new, plan.changes):
            operations.append(ops.RebuildTable(old, new, tuple(plan.changes), current.views))
        else:
            operations.append(ops.AlterTable(plan.name, tuple(plan.changes)))
    return operations


def _plan_table(old: Table, new: Table, retyped: set, rules: Rules) -> _TablePlan:
    plan = _TablePlan(new.name)
    plan.changes += column_changes(old, new, rules)
    plan.changes += primary_key_changes(old, new)
    plan.changes += check_changes(old, new)
    pairs, dropped, kept = pair_foreign_keys(old, new, retyped)
    recreated = {c.column.name for c in plan.changes if isinstance(c, ops.AddColumn) and old.column(c.column.name)}
    final_indexes, implicit = index_changes(old, new, plan.changes, kept, rules.implicit_fk_indexes, recreated)
    plan.add_fks, plan.drop_fks = foreign_key_changes(old, new, pairs, dropped, final_indexes, implicit, rules)
    plan.changes += option_changes(old, new, rules)
    return plan


def _touched(plans: list[_TablePlan]) -> set[tuple[str, str]]:
    """(table, column) pairs a kept table's ALTER changes: columns added or
    modified, or covered by an index or primary key that changes. A new table's
    foreign key to one of them must wait for that ALTER."""
    touched = set()
    for plan in plans:
        for change in plan.changes:
            if isinstance(change, (ops.AddColumn, ops.ModifyColumn)):
                columns = [getattr(change, "column", None) or change.new]
                touched.update((plan.name, column.name) for column in columns)
            elif isinstance(change, (ops.AddIndex, ops.DropIndex)):
                touched.update((plan.name, column) for column in change.index.columns)
            elif isinstance(change, ops.RenameIndex):
                touched.update((plan.name, column) for column in change.new.columns)
            elif isinstance(change, (ops.AddPrimaryKey, ops.DropPrimaryKey)):
                touched.update((plan.name, column) for column in change.columns)
    return touched


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
