"""The dialect's rules, the generic matcher, and the changes inside one table.

Columns, the primary key, CHECK constraints and table options are compared here;
indexes and foreign keys depend on each other and live in `keys`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from itertools import count
from typing import Callable

from .. import ops
from ..schema import Column, Table


def numbered_name(stem: str, taken: set[str]) -> str:
    """`<stem><n>` with the lowest n not taken."""
    return next(name for n in count(1) if (name := f"{stem}{n}") not in taken)


def numbered_foreign_key_name(table: str, taken: set[str]) -> str:
    """`<table>_fk_<n>` with the lowest n no key of the table has."""
    return numbered_name(f"{table}_fk_", taken)


@dataclass(frozen=True)
class Rules:
    """What the diff must know of the dialect."""

    # The server creates an index for a foreign key that has none, and refuses
    # to drop an index a foreign key needs.
    implicit_fk_indexes: bool = True
    # Whether a column of this (canonical) type has a collation.
    takes_collation: Callable[[str], bool] = lambda column_type: False
    # A comment or default as the server reports it back (some servers report
    # 4-byte characters as '?'); compared in that form.
    reported_text: Callable[[str], str] = lambda text: text
    # Foreign keys live inside CREATE TABLE and cannot be added or dropped on
    # their own: they change with the table, never in phases.
    inline_foreign_keys: bool = False
    # Whether these changes need the table rebuilt rather than altered.
    needs_rebuild: Callable[[Table, Table, list], bool] | None = None
    # Whether table names that differ only in letter case name one table (a
    # server that follows a setting reports names as stored: leave it False).
    case_insensitive_tables: bool = False
    # The name for an unnamed foreign key added to a table, given the key
    # names the table has then: the one the server would give it.
    foreign_key_name: Callable[[str, set[str]], str] = numbered_foreign_key_name
    # Whether a column standing elsewhere in the table than in the models is moved there (the
    # column_order setting: a database another tool built holds its added columns at the end).
    column_order: bool = True

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


def take_first(items: list, predicate):
    """Remove from `items` the first one `predicate` accepts and return it (None if none does)."""
    for item in items:
        if predicate(item):
            items.remove(item)
            return item
    return None


def column_retyped(old: Column, old_table: Table, new: Column, new_table: Table, rules: Rules) -> bool:
    """Whether a change to this column stops foreign keys from using it meanwhile."""
    return old.type != new.type or collation(old, old_table, rules) != collation(new, new_table, rules)


def collation(column: Column, table: Table, rules: Rules) -> str | None:
    """The column's effective collation: its own, else its table's."""
    if not rules.takes_collation(column.type):
        return None
    return column.collation or table.options.collation


def column_changes(old: Table, new: Table, rules: Rules) -> list:
    changes = []
    new_names = set(new.column_names())
    for position, column in enumerate(old.columns):
        if column.name not in new_names:
            changes.append(ops.DropColumn(column, old.column_before(column.name), position))
    moved = _moved_columns(old, new) if rules.column_order else set()
    for position, column in enumerate(new.columns):
        before = old.column(column.name)
        if before is None:
            changes.append(ops.AddColumn(column, new.column_before(column.name), position))
        else:
            changes += _kept_column_changes(old, new, before, column, position, column.name in moved, rules)
    return changes


def _kept_column_changes(old: Table, new: Table, before: Column, column: Column, position: int, moved: bool,
                         rules: Rules) -> list:
    """The changes to a column both tables have, at `position` in the new one."""
    name = column.name
    if _must_recreate(before, column):
        # A server cannot MODIFY a column into a generated one, nor switch VIRTUAL and
        # STORED: drop it and add it back in the same statement.
        return [ops.DropColumn(before, old.column_before(name), old.position(name)),
                ops.AddColumn(column, new.column_before(name), position)]
    old_collation, new_collation = collation(before, old, rules), collation(column, new, rules)
    move = None
    if moved:
        move = ops.Move(new.column_before(name), position, old.column_before(name), old.position(name))
    if rules.reported(before) == rules.reported(column) and old_collation == new_collation and not move:
        return []
    if old_collation != new_collation:
        # The table's default collation changes too: spell both out.
        before = replace(before, collation=old_collation)
        column = replace(column, collation=new_collation)
    return [ops.ModifyColumn(before, column, move)]


def _must_recreate(old: Column, new: Column) -> bool:
    if new.generated is None:
        return False
    return old.generated is None or old.generated.stored != new.generated.stored


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


def primary_key_changes(old: Table, new: Table) -> list:
    if old.primary_key == new.primary_key:
        return []
    changes = []
    if old.primary_key:
        changes.append(ops.DropPrimaryKey(old.primary_key))
    if new.primary_key:
        changes.append(ops.AddPrimaryKey(new.primary_key))
    return changes


def check_changes(old: Table, new: Table) -> list:
    """CHECK constraints: matched by name, or by condition when the server named them."""
    remaining = list(old.checks)
    changes, added = [], []
    for check in sorted(new.checks, key=lambda check: check.auto_named):
        if check.auto_named:
            match = take_first(remaining, lambda c, want=check: c.key == want.key)
        else:
            match = take_first(remaining, lambda c, name=check.name: c.name == name)
        if match is None:
            added.append(check)
        elif match.key != check.key:
            changes += [ops.DropCheck(match), ops.AddCheck(check)]
    changes += [ops.DropCheck(check) for check in remaining]
    taken = {check.name.lower() for check in old.checks} - {c.check.name.lower() for c in changes
                                                            if isinstance(c, ops.DropCheck)}
    taken |= {check.name.lower() for check in new.checks if not check.auto_named}
    for check in added:
        if check.auto_named and check.name.lower() in taken:
            check = replace(check, name=_free_numbered(check.name, taken))
        taken.add(check.name.lower())
        changes.append(ops.AddCheck(check))
    return changes


def _free_numbered(name: str, taken: set[str]) -> str:
    """`name` with its trailing number raised until no other constraint has it."""
    stem = name.rstrip("0123456789")
    n = int(name[len(stem):] or 1)
    while f"{stem}{n}".lower() in taken:
        n += 1
    return f"{stem}{n}"


def option_changes(old: Table, new: Table, rules: Rules) -> list:
    if rules.reported(old.options) == rules.reported(new.options):
        return []
    return [ops.SetTableOptions(old.options, new.options)]
