"""The pure data model of a database schema.

Both sides of a diff are expressed in these frozen dataclasses: the schema the
models declare and the schema reflected from the database. Nothing here knows
about SQLAlchemy or a connection, so the diff and the renderers can be tested
without a server.

Values are stored already normalised for the target dialect (types and
defaults by ``sqlgen.mysql.types`` and ``sqlgen.mysql.expressions``, or by
``sqlgen.sqlite.dialect``; expressions by their key, ``sqlgen.expressions``), so
equality of two objects means "the same on the server".
"""

from __future__ import annotations

from functools import cached_property
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Generated:
    """A computed column: AS (expression) VIRTUAL or STORED."""

    key: str  # the expression in one canonical spelling: what is compared
    stored: bool = False
    expression: str = field(default="", compare=False)  # as written or reported: what is rendered


@dataclass(frozen=True)
class Column:
    name: str
    # Canonical lowercase DDL type, e.g. "varchar(50)", "int unsigned", "json".
    type: str
    nullable: bool = True
    # Canonical DDL text of the default, e.g. "'abc'", "0", "CURRENT_TIMESTAMP",
    # "(uuid())"; None means no default.
    default: str | None = None
    # e.g. "CURRENT_TIMESTAMP(3)" for ON UPDATE CURRENT_TIMESTAMP(3).
    on_update: str | None = None
    autoincrement: bool = False
    comment: str | None = None
    # None means "the table's default collation".
    collation: str | None = None
    generated: Generated | None = None
    # The type as written where it carries a display width the canonical type drops ("smallint(5)"):
    # what the DDL says, never compared.
    display_type: str | None = field(default=None, compare=False)


@dataclass(frozen=True)
class IndexPart:
    column: str | None  # None for an expression part (MySQL 8 functional index)
    length: int | None = None  # prefix length, e.g. 10 for `name`(10)
    descending: bool = False
    expression_key: str | None = None  # the expression in one canonical spelling: compared
    expression: str | None = field(default=None, compare=False)  # as written or reported: rendered


@dataclass(frozen=True)
class Index:
    name: str
    parts: tuple[IndexPart, ...]
    unique: bool = False
    kind: str | None = None  # "FULLTEXT" or "SPATIAL"; None for a B-tree index
    # True when the models gave no name and the server will pick one.
    # Such an index matches a reflected one of the same shape whatever its name.
    auto_named: bool = field(default=False, compare=False)
    # SQLite: a UNIQUE table constraint (part of CREATE TABLE) rather than CREATE INDEX.
    constraint: bool = field(default=False, compare=False)

    @property
    def columns(self) -> tuple[str, ...]:
        return tuple(part.column for part in self.parts)

    def same_shape(self, other: Index) -> bool:
        return (self.parts, self.unique, self.kind) == (other.parts, other.unique, other.kind)


@dataclass(frozen=True)
class ForeignKey:
    name: str
    columns: tuple[str, ...]
    ref_table: str
    ref_columns: tuple[str, ...]
    # Canonical actions: RESTRICT stands for both RESTRICT and NO ACTION.
    on_delete: str = "RESTRICT"
    on_update: str = "RESTRICT"
    ref_schema: str | None = None
    auto_named: bool = field(default=False, compare=False)
    # The actions as written, where that differs (NO ACTION): rendered, not compared.
    on_delete_written: str | None = field(default=None, compare=False)
    on_update_written: str | None = field(default=None, compare=False)

    def same_target(self, other: ForeignKey) -> bool:
        return (self.columns, self.ref_schema, self.ref_table, self.ref_columns) == (
            other.columns,
            other.ref_schema,
            other.ref_table,
            other.ref_columns,
        )

    def same_shape(self, other: ForeignKey) -> bool:
        return self.same_target(other) and (self.on_delete, self.on_update) == (
            other.on_delete,
            other.on_update,
        )


@dataclass(frozen=True)
class Check:
    name: str
    key: str  # the condition in one canonical spelling: what is compared
    expression: str = field(default="", compare=False)  # as written or reported: what is rendered
    # True when the models gave no name and the server picks one.
    auto_named: bool = field(default=False, compare=False)
    # The column it is declared on, for a column-level check.
    column: str | None = field(default=None, compare=False)


@dataclass(frozen=True)
class TableOptions:
    """Options of CREATE TABLE; None means "the database default"."""

    engine: str | None = None
    collation: str | None = None
    comment: str | None = None


@dataclass(frozen=True)
class Table:
    name: str
    columns: tuple[Column, ...]
    primary_key: tuple[str, ...] = ()
    indexes: tuple[Index, ...] = ()
    foreign_keys: tuple[ForeignKey, ...] = ()
    options: TableOptions = TableOptions()
    checks: tuple[Check, ...] = ()
    # SQLite: what a rebuild drops with the table and must create again, as SQL: the CREATE
    # statements of its triggers and of the partial and expression indexes sqlgen does not model.
    dependents: tuple[str, ...] = field(default=(), compare=False)
    # The server's estimate of its rows, when reflected (information_schema.TABLES.TABLE_ROWS).
    rows: int | None = field(default=None, compare=False)

    def column(self, name: str) -> Column | None:
        for column in self.columns:
            if column.name == name:
                return column
        return None

    def column_names(self) -> tuple[str, ...]:
        return tuple(column.name for column in self.columns)

    def position(self, name: str) -> int:
        return self.column_names().index(name)

    def column_before(self, name: str) -> str | None:
        """The column that precedes `name`, or None when it comes first."""
        index = self.position(name)
        return self.columns[index - 1].name if index else None

    def index(self, name: str) -> Index | None:
        for index in self.indexes:
            if index.name == name:
                return index
        return None


@dataclass(frozen=True)
class Sequence:
    """A sequence (MariaDB 10.3+), every option as the server holds it: what the models
    leave out is filled in with the server's default, so equal objects mean the same."""

    name: str
    start: int
    increment: int
    minimum: int
    maximum: int
    cache: int
    cycle: bool = False
    # Where a reflected sequence has got to (the next value it has not handed out or cached yet).
    next_value: int | None = field(default=None, compare=False)

    OPTIONS = ("increment", "start", "minimum", "maximum", "cache", "cycle")  # in the order they are written


@dataclass(frozen=True)
class Schema:
    tables: tuple[Table, ...] = ()
    sequences: tuple[Sequence, ...] = ()
    # Objects present in the database that sqlgen does not manage, e.g.
    # ("view", "active_users"). Reported, never touched.
    unmanaged: tuple[tuple[str, str], ...] = ()
    # SQLite: CREATE VIEW statements, which a table rebuild must leave working.
    views: tuple[str, ...] = field(default=(), compare=False)

    def table(self, name: str) -> Table | None:
        return self._by_name.get(name)

    @cached_property
    def _by_name(self) -> dict[str, Table]:
        # Diffing looks tables up by name thousands of times; the first of a name wins.
        return {table.name: table for table in reversed(self.tables)}

    def table_names(self) -> tuple[str, ...]:
        return tuple(table.name for table in self.tables)

    def sequence(self, name: str) -> Sequence | None:
        return next((sequence for sequence in self.sequences if sequence.name == name), None)
