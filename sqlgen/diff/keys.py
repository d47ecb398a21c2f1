"""Indexes and foreign keys, changed together.

Where the dialect's rules say `implicit_fk_indexes`, the server creates an
index for a foreign key that has none and refuses to drop an index a key still
needs. So an index a remaining key needs is never dropped,
an index the server made by itself for a key is never reported, and a key
that no index serves is written out with the index the server would make.
"""

from __future__ import annotations

from dataclasses import replace

from .. import ops
from ..schema import ForeignKey, Index, IndexPart, Table
from .core import Rules, take_first


def index_changes(old: Table, new: Table, changes: list, kept_fks: list[ForeignKey],
                  implicit_fk_indexes: bool, recreated: set[str] = frozenset()) -> tuple[list[Index], list[Index]]:
    """Append index changes; return the indexes the table has afterwards, and
    among them those kept only because a foreign key needs them.

    `kept_fks` stay in place through the ALTER, so each must still have an
    index serving it when the statement ends.
    """
    remaining = list(old.indexes)
    final, added = _matched_indexes(new, remaining, changes, recreated)
    final += _added_indexes(added, final + remaining, changes)
    implicit = _kept_for_keys(remaining, new, final, implicit_fk_indexes, changes)
    final += implicit
    for fk in kept_fks:
        if not _served(fk.columns, old.primary_key, list(old.indexes)):
            continue  # nothing served it before: nothing to keep serving
        index = _support_index(fk, new.primary_key, final, implicit_fk_indexes)
        if index is not None:
            changes.append(ops.AddIndex(index))
            final.append(index)
    return final, implicit


def _matched_indexes(new: Table, remaining: list[Index], changes: list,
                     recreated: set[str]) -> tuple[list[Index], list[Index]]:
    """Take from `remaining` the indexes the new table keeps, appending the
    changes they need; return those kept and the new ones to add."""
    final: list[Index] = []
    added: list[Index] = []
    renamed: list[tuple[Index, Index]] = []
    unmatched_named = []
    for index in (index for index in new.indexes if not index.auto_named):
        match = take_first(remaining, lambda i, name=index.name: i.name == name)
        if match is None:
            unmatched_named.append(index)
        elif match.same_shape(index) and not recreated & set(index.columns):
            final.append(match)
        else:
            changes += [ops.DropIndex(match), ops.AddIndex(index)]
            final.append(index)
    for index in (index for index in new.indexes if index.auto_named):
        # The server chose this index's name; any name will do.
        match = take_first(remaining, lambda i, want=index: i.same_shape(want))
        if match is None:
            added.append(index)
        elif recreated & set(index.columns):
            # Its column is dropped and added back: so is the index.
            changes += [ops.DropIndex(match), ops.AddIndex(replace(index, name=match.name))]
            final.append(match)
        else:
            final.append(match)
    for index in unmatched_named:
        match = take_first(remaining, lambda i, want=index: i.same_shape(want))
        if match is None:
            added.append(index)
        else:
            renamed.append((match, index))
            final.append(index)
    changes += [ops.RenameIndex(old_index, new_index) for old_index, new_index in renamed]
    return final, added


def _added_indexes(added: list[Index], present: list[Index], changes: list) -> list[Index]:
    """Append the new indexes, an unnamed one renamed off the names `present` and earlier ones take."""
    taken = {index.name.lower() for index in present + added if not index.auto_named}
    result = []
    for index in added:
        if index.auto_named and index.name.lower() in taken:
            # Keep a still-present index's name free: as the server would.
            index = replace(index, name=_free_name(index.parts[0].column, taken))
        taken.add(index.name.lower())
        changes.append(ops.AddIndex(index))
        result.append(index)
    return result


def _kept_for_keys(remaining: list[Index], new: Table, final: list[Index], implicit_fk_indexes: bool,
                   changes: list) -> list[Index]:
    """Of the indexes the new table lacks, those a foreign key still needs; drop the others."""
    implicit = []
    columns = set(new.column_names())
    for index in remaining:
        # An index the server could have made for a foreign key: plain, on columns that stay.
        plain = not index.unique and index.kind is None and set(index.columns) <= columns
        needed = implicit_fk_indexes and plain and any(
            _serves(index, fk.columns) and not _served(fk.columns, new.primary_key, final)
            for fk in new.foreign_keys
        )
        if needed:
            implicit.append(index)
        else:
            changes.append(ops.DropIndex(index))
    return implicit


def pair_foreign_keys(old: Table, new: Table, retyped: set):
    """Match declared keys with reflected ones.

    Returns (pairs, dropped, kept): `pairs` are (reflected or None, declared)
    keys to add, `dropped` the reflected keys to drop first, `kept` the
    declared keys that stay in place untouched.
    """
    remaining = list(old.foreign_keys)
    pairs, kept = [], []
    for fk in sorted(new.foreign_keys, key=lambda fk: fk.auto_named):
        if fk.auto_named:
            # The server named it: match by what it does, keep the server's name.
            match = (take_first(remaining, lambda f, want=fk: f.same_shape(want))
                     or take_first(remaining, lambda f, want=fk: f.same_target(want)))
            if match is not None:
                fk = replace(fk, name=match.name)
        else:
            match = take_first(remaining, lambda f, name=fk.name: f.name == name)
        if match is not None and match.same_shape(fk) and not _uses_retyped(match, old.name, retyped):
            kept.append(fk)
        else:
            pairs.append((match, fk))
    dropped = [match for match, _ in pairs if match is not None] + remaining
    return pairs, dropped, kept


def foreign_key_changes(old: Table, new: Table, pairs, dropped: list[ForeignKey], final_indexes: list[Index],
                        implicit: list[Index], rules: Rules) -> tuple[list, list]:
    """The keys to add and the keys to drop, each with the index that goes with it."""
    # A name is free once its key is dropped, which happens before any key is added.
    taken = {fk.name for fk in old.foreign_keys} - {fk.name for fk in dropped}
    taken |= {fk.name for fk in new.foreign_keys if not fk.auto_named}
    taken |= {fk.name for match, fk in pairs if match is not None}
    moved: dict[str, Index] = {}
    add_fks, drop_fks = [], []
    for match, fk in pairs:
        announce = match is None or not match.same_shape(fk)  # else only re-added around a column change
        if match is None and fk.auto_named:
            fk = replace(fk, name=rules.foreign_key_name(new.name, taken))
            taken.add(fk.name)
        index = _moved_index(fk, implicit, old.foreign_keys, dropped, moved)
        if index is None:
            index = _support_index(fk, new.primary_key, final_indexes, rules.implicit_fk_indexes)
            if index is not None:
                final_indexes.append(index)
        add_fks.append(ops.AddForeignKey(fk, index, announce))
        if match is not None:
            drop_fks.append(ops.DropForeignKey(match, moved.get(match.name), announce))
    remaining = [fk for fk in dropped if all(fk is not match for match, _ in pairs)]
    drop_fks += [ops.DropForeignKey(fk, moved.get(fk.name)) for fk in remaining]
    return add_fks, drop_fks


def _moved_index(fk: ForeignKey, implicit: list[Index], old_fks, dropped: list[ForeignKey],
                 moved: dict[str, Index]) -> Index | None:
    """The index the server made for a dropped key, when a re-added key reuses it.

    Re-adding a named key would make the server replace that index by one named
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
    """Whether the key uses, or points at, a (table, column) in `retyped`."""
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


def with_support_indexes(table: Table, implicit_fk_indexes: bool) -> Table:
    """The table with an explicit index for each foreign key that no index serves.

    The server would create them silently, under the same names; writing them
    out makes the file say exactly what the server will build.
    """
    indexes = list(table.indexes)
    for fk in table.foreign_keys:
        index = _support_index(fk, table.primary_key, indexes, implicit_fk_indexes)
        if index is not None:
            indexes.append(index)
    return replace(table, indexes=tuple(indexes))


def _serves(index: Index, columns: tuple[str, ...]) -> bool:
    """The server can use the index for a foreign key on `columns`."""
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
