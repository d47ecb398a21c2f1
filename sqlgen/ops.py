"""Operations: what a migration does, each with its exact inverse.

A migration is a list of statements (`CreateTable`, `DropTable`, `AlterTable`).
An `AlterTable` holds the clauses (`Change`s) applied to one table in one
statement, so MySQL copies or rebuilds that table at most once and the clauses
succeed or fail together.

Every operation carries the full state it replaces, taken from reflection, so
that `inverse()` can rebuild it: a dropped column comes back with its type,
default, comment and position. The down file is the inverses of the up
operations, in reverse order.

Nothing here renders SQL; see the dialect's render module.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from .schema import Check, Column, ForeignKey, Index, Sequence, Table, TableOptions


# --- Clauses of ALTER TABLE ----------------------------------------------------

@dataclass(frozen=True)
class AddColumn:
    column: Column
    after: str | None  # None: FIRST
    position: int  # index in the table once the statement has run
    order = 50

    def inverse(self) -> DropColumn:
        return DropColumn(self.column, self.after, self.position)

    def summary(self, table: str) -> str:
        return f"+ column {table}.{self.column.name}"


@dataclass(frozen=True)
class DropColumn:
    column: Column
    after: str | None  # where it stood, for the inverse
    position: int
    order = 30

    def inverse(self) -> AddColumn:
        return AddColumn(self.column, self.after, self.position)

    def summary(self, table: str) -> str:
        return f"- column {table}.{self.column.name}"


@dataclass(frozen=True)
class Move:
    """Where a column goes (and stood): AFTER a column, or FIRST when None."""

    after: str | None
    position: int
    old_after: str | None
    old_position: int

    def inverse(self) -> Move:
        return Move(self.old_after, self.old_position, self.after, self.position)


@dataclass(frozen=True)
class ModifyColumn:
    old: Column
    new: Column
    move: Move | None = None

    @property
    def order(self) -> int:
        # A moved column is placed among the added ones, in the table's final order.
        return 50 if self.move else 40

    @property
    def position(self) -> int:
        return self.move.position if self.move else 0

    def inverse(self) -> ModifyColumn:
        return ModifyColumn(self.new, self.old, self.move.inverse() if self.move else None)

    def summary(self, table: str) -> str:
        changes = describe_column_change(self.old, self.new) if self.old != self.new else []
        if self.move:
            changes.append(f"moved after {self.move.after}" if self.move.after else "moved first")
        return f"~ column {table}.{self.new.name}: " + ", ".join(changes)


@dataclass(frozen=True)
class RenameColumn:
    old: Column  # its definition, needed by MySQL before 8.0.3 (CHANGE COLUMN)
    new_name: str
    order = 1

    def inverse(self) -> RenameColumn:
        return RenameColumn(replace(self.old, name=self.new_name), self.old.name)

    def summary(self, table: str) -> str:
        return f"~ column {table}.{self.old.name} renamed to {self.new_name}"


@dataclass(frozen=True)
class AddIndex:
    index: Index
    order = 70

    def inverse(self) -> DropIndex:
        return DropIndex(self.index)

    def summary(self, table: str) -> str:
        return f"+ {describe_index(self.index)} {self.index.name} on {table} ({', '.join(self.index.columns)})"


@dataclass(frozen=True)
class DropIndex:
    index: Index
    order = 10

    def inverse(self) -> AddIndex:
        return AddIndex(self.index)

    def summary(self, table: str) -> str:
        return f"- {describe_index(self.index)} {self.index.name} on {table}"


@dataclass(frozen=True)
class RenameIndex:
    old: Index
    new: Index
    order = 15

    def inverse(self) -> RenameIndex:
        return RenameIndex(self.new, self.old)

    def summary(self, table: str) -> str:
        return f"~ index {table}.{self.old.name} renamed to {self.new.name}"


@dataclass(frozen=True)
class AddCheck:
    check: Check
    order = 85

    def inverse(self) -> DropCheck:
        return DropCheck(self.check)

    def summary(self, table: str) -> str:
        return f"+ check {table}.{self.check.name}: {self.check.expression}"


@dataclass(frozen=True)
class DropCheck:
    check: Check
    order = 5

    def inverse(self) -> AddCheck:
        return AddCheck(self.check)

    def summary(self, table: str) -> str:
        return f"- check {table}.{self.check.name}"


@dataclass(frozen=True)
class DropPrimaryKey:
    columns: tuple[str, ...]
    order = 20

    def inverse(self) -> AddPrimaryKey:
        return AddPrimaryKey(self.columns)

    def summary(self, table: str) -> str:
        return f"- primary key {table} ({', '.join(self.columns)})"


@dataclass(frozen=True)
class AddPrimaryKey:
    columns: tuple[str, ...]
    order = 60

    def inverse(self) -> DropPrimaryKey:
        return DropPrimaryKey(self.columns)

    def summary(self, table: str) -> str:
        return f"+ primary key {table} ({', '.join(self.columns)})"


@dataclass(frozen=True)
class DropForeignKey:
    fk: ForeignKey
    # An index created with the key (see AddForeignKey), dropped with it.
    index: Index | None = None
    # False when the key is dropped only to be re-added around a column change.
    announce: bool = True
    order = 0

    def inverse(self) -> AddForeignKey:
        return AddForeignKey(self.fk, self.index, self.announce)

    def summary(self, table: str) -> str | None:
        return f"- foreign key {table}.{self.fk.name}" if self.announce else None


@dataclass(frozen=True)
class AddForeignKey:
    fk: ForeignKey
    # InnoDB needs an index on the key's columns and creates one silently when
    # none exists. sqlgen creates it explicitly instead, so the down file can
    # drop it by a name known in advance.
    index: Index | None = None
    announce: bool = True
    order = 80

    def inverse(self) -> DropForeignKey:
        return DropForeignKey(self.fk, self.index, self.announce)

    def summary(self, table: str) -> str | None:
        if not self.announce:
            return None
        fk = self.fk
        return (f"+ foreign key {table}.{fk.name} ({', '.join(fk.columns)}) → "
                f"{fk.ref_table} ({', '.join(fk.ref_columns)})")


@dataclass(frozen=True)
class SetTableOptions:
    old: TableOptions
    new: TableOptions
    order = 90

    def inverse(self) -> SetTableOptions:
        return SetTableOptions(self.new, self.old)

    def summary(self, table: str) -> str:
        changed = []
        for name in ("engine", "collation", "comment"):
            old, new = getattr(self.old, name), getattr(self.new, name)
            if old != new:
                changed.append(f"{name} {_shown(old)} → {_shown(new)}")
        return f"~ table {table}: " + ", ".join(changed)


Change = (AddColumn | DropColumn | ModifyColumn | RenameColumn | AddIndex | DropIndex | RenameIndex | AddCheck | DropCheck
          | DropPrimaryKey | AddPrimaryKey | DropForeignKey | AddForeignKey | SetTableOptions)


def clause_order(change: Change) -> tuple:
    """The order of clauses inside one ALTER TABLE.

    Added columns go in their final order so each AFTER names a column that
    already exists at that point.
    """
    return (change.order, getattr(change, "position", 0))


# --- Statements --------------------------------------------------------------

@dataclass(frozen=True)
class CreateTable:
    table: Table
    # Foreign keys left out of CREATE TABLE and added by a later statement
    # (cycles, or keys on columns changed in the same migration).
    without_fks: tuple[str, ...] = ()

    def inverse(self) -> DropTable:
        return DropTable(self.table, self.without_fks)

    def summaries(self) -> list[str]:
        return [f"+ table {self.table.name}"]


@dataclass(frozen=True)
class DropTable:
    table: Table  # full reflected state, so the inverse can recreate it
    without_fks: tuple[str, ...] = ()

    def inverse(self) -> CreateTable:
        return CreateTable(self.table, self.without_fks)

    def summaries(self) -> list[str]:
        return [f"- table {self.table.name}"]


@dataclass(frozen=True)
class AlterTable:
    table: str
    changes: tuple[Change, ...]

    def __post_init__(self):
        object.__setattr__(self, "changes", tuple(sorted(self.changes, key=clause_order)))

    def inverse(self) -> AlterTable:
        return AlterTable(self.table, tuple(change.inverse() for change in self.changes))

    def summaries(self) -> list[str]:
        lines = (change.summary(self.table) for change in self.changes)
        return [line for line in lines if line]


@dataclass(frozen=True)
class RenameTable:
    old_name: str
    new_name: str

    def inverse(self) -> RenameTable:
        return RenameTable(self.new_name, self.old_name)

    def summaries(self) -> list[str]:
        return [f"~ table {self.old_name} renamed to {self.new_name}"]


@dataclass(frozen=True)
class RebuildTable:
    """Changes the database cannot make with ALTER TABLE (SQLite): a new table is
    created, the rows copied over, the old table dropped and the new one renamed."""

    old: Table
    new: Table
    changes: tuple[Change, ...]
    views: tuple[str, ...] = ()  # CREATE VIEW statements that must keep working

    def inverse(self) -> RebuildTable:
        # The rebuild re-created the old table's triggers and unmanaged indexes (the models declare
        # none): undoing it must too.
        return RebuildTable(replace(self.new, dependents=self.old.dependents), self.old,
                            tuple(change.inverse() for change in self.changes), self.views)

    def summaries(self) -> list[str]:
        return AlterTable(self.new.name, self.changes).summaries()


@dataclass(frozen=True)
class CreateSequence:
    sequence: Sequence

    def inverse(self) -> DropSequence:
        return DropSequence(self.sequence)

    def summaries(self) -> list[str]:
        return [f"+ sequence {self.sequence.name}"]


@dataclass(frozen=True)
class DropSequence:
    sequence: Sequence  # as reflected: its inverse creates it again (at its start, not where it had got to)

    def inverse(self) -> CreateSequence:
        return CreateSequence(self.sequence)

    def summaries(self) -> list[str]:
        return [f"- sequence {self.sequence.name}"]


@dataclass(frozen=True)
class AlterSequence:
    old: Sequence
    new: Sequence

    def inverse(self) -> AlterSequence:
        return AlterSequence(self.new, self.old)

    def changed(self) -> tuple[str, ...]:
        return tuple(name for name in Sequence.OPTIONS if getattr(self.old, name) != getattr(self.new, name))

    def summaries(self) -> list[str]:
        shown = ", ".join(f"{name} {getattr(self.old, name)} → {getattr(self.new, name)}" for name in self.changed())
        return [f"~ sequence {self.new.name}: {shown}"]


Operation = (CreateTable | DropTable | AlterTable | RebuildTable | RenameTable | CreateSequence | DropSequence
             | AlterSequence)


def invert(operations: list[Operation]) -> list[Operation]:
    """The operations that undo `operations`, in the order they must run."""
    return [operation.inverse() for operation in reversed(operations)]


# --- Descriptions ------------------------------------------------------------

def describe_index(index: Index) -> str:
    if index.kind:
        return f"{index.kind.lower()} index"
    return "unique index" if index.unique else "index"


def describe_column_change(old: Column, new: Column) -> list[str]:
    changes = []
    if old.type != new.type:
        changes.append(f"{old.type} → {new.type}")
    if old.nullable != new.nullable:
        changes.append("NULL → NOT NULL" if old.nullable else "NOT NULL → NULL")
    if old.default != new.default:
        changes.append(f"default {_shown(old.default)} → {_shown(new.default)}")
    if old.on_update != new.on_update:
        changes.append(f"on update {_shown(old.on_update)} → {_shown(new.on_update)}")
    if old.autoincrement != new.autoincrement:
        changes.append("auto_increment " + ("removed" if old.autoincrement else "added"))
    if old.comment != new.comment:
        changes.append(f"comment {_shown(old.comment)} → {_shown(new.comment)}")
    if old.collation != new.collation:
        changes.append(f"collation {_shown(old.collation)} → {_shown(new.collation)}")
    if old.generated != new.generated:
        changes.append(f"generated {_generated(old)} → {_generated(new)}")
    return changes or ["definition"]


def _generated(column: Column) -> str:
    generated = column.generated
    if generated is None:
        return "none"
    return f"AS ({_shown(generated.expression)}) {'STORED' if generated.stored else 'VIRTUAL'}"


def _shown(value: str | None) -> str:
    if value is None:
        return "none"
    return value if len(value) <= 40 else value[:37] + "..."
