"""Which MySQL/MariaDB changes depend on the data, and the query that finds the rows that break
each (written into files by sqlgen.mysql.preconditions)."""

from __future__ import annotations

import re

from .. import ops
from ..preconditions import Precondition
from ..schema import Column, IndexPart, Schema, Table
from . import types
from .dialect import quote_identifier as q, quote_string


def preconditions(operations: list, schema: Schema | None, sample: int = 0) -> list[Precondition]:
    """The checks for `operations` run against `schema` (the database before them), in order.
    `sample`: a table of more rows (as the server estimates them) is checked on that many only."""
    if schema is None:
        return []
    names = _OldNames(operations)
    created = {op.table.name for op in operations if isinstance(op, ops.CreateTable)}
    # Columns the file adds, by table: on the rows as they are, they do not exist yet.
    added_to: dict[str, dict] = {}
    for operation in operations:
        if isinstance(operation, ops.AlterTable):
            added_to.setdefault(operation.table, {}).update(
                {c.column.name: c.column for c in operation.changes if isinstance(c, ops.AddColumn)})
    # Columns the file changes (type, collation), by table and their old name: a key over them
    # compares the new values.
    changed: dict[str, dict] = {}
    dropped_indexes: dict[str, set] = {}
    for operation in operations:
        if isinstance(operation, ops.AlterTable):
            for change in operation.changes:
                if isinstance(change, ops.ModifyColumn):
                    changed.setdefault(names.table(operation.table), {})[
                        names.column(operation.table, change.old.name)] = change.new
                elif isinstance(change, ops.DropIndex):
                    dropped_indexes.setdefault(names.table(operation.table), set()).add(change.index.name)
    result: list[Precondition] = []
    for operation in operations:
        if not isinstance(operation, ops.AlterTable):
            continue
        table = schema.table(names.table(operation.table))
        if table is None:
            continue
        added = added_to.get(operation.table, {})
        new_values = changed.get(table.name, {})
        for change in operation.changes:
            if isinstance(change, ops.ModifyColumn):
                name = names.column(operation.table, change.old.name)
                result += _column_checks(table, name, change.old, change.new, sample)
                # A unique key kept over a column whose values change must still hold on the new values.
                for index in table.indexes:
                    if (index.unique and name in index.columns and index.name not in dropped_indexes.get(table.name, ())
                            and _compares_otherwise(table.column(name), change.new, table)):
                        result += _unique_check(table, table.name, index.name, index.parts, {}, _OldNames([]),
                                                sample, new_values)
                if name in table.primary_key and _compares_otherwise(table.column(name), change.new, table):
                    result += _unique_check(table, table.name, "PRIMARY", [IndexPart(c) for c in table.primary_key],
                                            {}, _OldNames([]), sample, new_values)
            elif isinstance(change, ops.AddIndex) and change.index.unique:
                if not any(i.unique and i.same_shape(change.index) for i in table.indexes) or any(
                        names.column(operation.table, c) in new_values for c in change.index.columns if c):
                    result += _unique_check(table, operation.table, change.index.name, change.index.parts,
                                            added, names, sample, new_values)
            elif isinstance(change, ops.AddPrimaryKey):
                if table.primary_key != change.columns:
                    result += _primary_key_checks(table, operation.table, change.columns, added, names, sample)
            elif isinstance(change, ops.AddForeignKey):
                if not any(fk.same_target(change.fk) for fk in table.foreign_keys):
                    result += _foreign_key_check(table, operation.table, change.fk, added, names,
                                                 schema, created, sample, added_to)
            elif isinstance(change, ops.AddCheck):
                result += _check_check(table, operation.table, change.check, added, names, sample)
    unique = []
    for precondition in result:  # the same check from two changes (NOT NULL, and the primary key)
        if precondition not in unique:
            unique.append(precondition)
    return unique


def _compares_otherwise(old: Column | None, new: Column, table: Table) -> bool:
    """Whether a key compares the column's new values otherwise than its old ones."""
    return old is not None and (types.type_base(old.type) != types.type_base(new.type)
                                or _collation(old, table) != _collation(new, table))


def _collation(column: Column, table: Table) -> str | None:
    if not types.takes_collation(column.type):
        return None
    return column.collation or table.options.collation


def _as_new(column: str, old: Column | None, new: Column | None, table: Table) -> str:
    """The column's value as the change makes it, to compare as a key does afterwards."""
    c = q(column)
    if new is None or old is None:
        return c
    if types.takes_collation(new.type):
        collation = _collation(new, table)
        if collation and collation != _collation(old, table):
            return f"CONVERT({c} USING {collation.split('_')[0]}) COLLATE {collation}"
        return c
    base = types.type_base(new.type)
    if base in types.INTEGER_BITS:
        return f"CAST({c} AS {'UNSIGNED' if 'unsigned' in new.type else 'SIGNED'})"
    if base == "decimal":
        precision, scale = (types._numbers(new.type) + (10, 0))[:2]
        return f"CAST({c} AS DECIMAL({precision},{scale}))"
    if base in ("date", "datetime", "time"):
        return f"CAST({c} AS {base.upper()})"
    return c


class _OldNames:
    """The names a table or column had before the file's renames: the checks run before them."""

    def __init__(self, operations: list):
        self.tables = {op.new_name: op.old_name for op in operations if isinstance(op, ops.RenameTable)}
        self.columns: dict[tuple[str, str], str] = {}
        for op in operations:
            if isinstance(op, ops.AlterTable):
                for change in op.changes:
                    if isinstance(change, ops.RenameColumn):
                        self.columns[(op.table, change.new_name)] = change.old.name

    def table(self, name: str) -> str:
        return self.tables.get(name, name)

    def column(self, table: str, name: str) -> str:
        return self.columns.get((table, name), name)


def _key(table: Table, fallback: str, alias: str = "") -> str:
    """The select item that names a row, labelled: its primary key, else the checked column."""
    if len(table.primary_key) == 1:
        return f"{alias}{q(table.primary_key[0])} AS {q(table.primary_key[0])}"
    if table.primary_key:
        label = "(" + ", ".join(table.primary_key) + ")"
        listed = ", ".join(alias + q(c) for c in table.primary_key)
        return f"CONCAT('(', CONCAT_WS(', ', {listed}), ')') AS {q(label)}"
    return f"{alias}{q(fallback)} AS {q(fallback)}"


def _sampled(table: Table, sample: int) -> bool:
    return bool(sample) and table.rows is not None and table.rows > sample


def _source(table: Table, sample: int, alias: str = "") -> str:
    """What a check reads FROM: the table, or its first `sample` rows when it has more."""
    if _sampled(table, sample):
        return f"(SELECT * FROM {q(table.name)} LIMIT {sample}) AS {alias or q(table.name)}"
    return q(table.name) + (f" AS {alias}" if alias else "")


def _reads(table: Table, columns: tuple[str, ...], sample: int = 0) -> str:
    """What a check on `columns` reads: an index that starts with them (InnoDB's secondary
    indexes hold the primary key too), else every row; on a big table, a sample said as such."""
    if _sampled(table, sample):
        return (f"reads {sample} of about {table.rows} rows of {table.name} (precondition_sample): the others are "
                "not checked, and the change may still fail on them")
    for index in table.indexes:
        if index.columns[: len(columns)] == columns and all(p.length is None for p in index.parts[: len(columns)]):
            return f"reads index {index.name} of {table.name}, not its rows"
    if table.primary_key[: len(columns)] == columns:
        return f"reads {table.name} in primary key order"
    return f"reads every row of {table.name}"


def _reads_all(table: Table, sample: int) -> str:
    """What a check of the whole table reads: every row, or its sample."""
    return _reads(table, (), sample) if _sampled(table, sample) else f"reads every row of {table.name}"


def _rows(table: Table, column: str, condition: str, sample: int) -> str:
    key = _key(table, column)
    # Each name once: the count and the sample read these rows as a derived table.
    items = key if key.endswith(f" AS {q(column)}") else f"{key}, {q(column)}"
    return f"SELECT {items} FROM {_source(table, sample)} WHERE {condition}"


def _charset(column: Column, table: Table) -> str | None:
    collation = column.collation or table.options.collation
    return collation.split("_")[0] if collation else None


def _column_checks(table: Table, name: str, old: Column, new: Column, sample: int) -> list[Precondition]:
    """NOT NULL over NULLs, and a type that may not hold every value of the old one."""
    result = []
    target = f"{table.name}.{name}"
    c = q(name)
    reads = _reads(table, (name,), sample)

    def add(condition: str, violation: str) -> None:
        result.append(Precondition(target, f"rows of {table.name} have {violation}",
                                   _rows(table, name, condition, sample), reads))

    if old.nullable and not new.nullable and new.generated is None:
        add(f"{c} IS NULL", f"{name} NULL")
    if old.type != new.type or _charset(old, table) != _charset(new, table):
        for condition, violation in _value_checks(c, name, old, new, table):
            if condition is None:
                result.append(Precondition(target, violation, None))
            else:
                add(condition, violation)
    return result


_TEXT_BYTES = {"tinytext": 255, "text": 65535, "mediumtext": 16777215, "tinyblob": 255, "blob": 65535,
               "mediumblob": 16777215}
_BINARY = frozenset({"binary", "varbinary", "tinyblob", "blob", "mediumblob", "longblob"})
_CHARACTER = frozenset({"char", "varchar", "tinytext", "text", "mediumtext", "longtext"})
_WHOLE = r"'^[[:space:]]*[-+]?[0-9]+[[:space:]]*$'"
_NUMBER = r"'^[[:space:]]*[-+]?([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][-+]?[0-9]+)?[[:space:]]*$'"
_FLOAT_EXACT = {"float": 2 ** 24, "double": 2 ** 53}
_DATE = r"[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}"
_CLOCK = r"[0-9]{1,2}:[0-9]{1,2}(:[0-9]{1,2}([.][0-9]{1,6})?)?"
_TEMPORAL_TEXT = {
    "date": (f"'^[[:space:]]*{_DATE}[[:space:]]*$'", "DATE"),
    "datetime": (f"'^[[:space:]]*{_DATE}([ T]{_CLOCK})?[[:space:]]*$'", "DATETIME(6)"),
    "timestamp": (f"'^[[:space:]]*{_DATE}([ T]{_CLOCK})?[[:space:]]*$'", "DATETIME(6)"),
    "time": ("'^[[:space:]]*-?[0-9]{1,3}:[0-9]{1,2}(:[0-9]{1,2}([.][0-9]{1,6})?)?[[:space:]]*$'", "TIME(6)"),
}


def _value_checks(c: str, name: str, old: Column, new: Column, table: Table) -> list[tuple[str | None, str]]:
    """(condition on the old value, what the rows that meet it have) for each way `new` may not
    hold a value of `old`; a condition of None: the conversion cannot be checked beforehand."""
    ob, nb = types.type_base(old.type), types.type_base(new.type)
    checks: list[tuple[str | None, str]] = []
    if ob in ("enum", "set") and nb == ob:
        removed = [v for v in _members(old.type) if v not in _members(new.type)]
        if removed:
            shown = ", ".join(quote_string(v) for v in removed)
            if ob == "enum":
                # A value the new ENUM holds under the column's collation is kept ('Old' becomes
                # 'old' under _ci): the server compares, so the check compares the same way.
                # ('' is also the value a non-strict server stores for an invalid one; the server
                # keeps it as it is, unless '' was a member the new ENUM drops.)
                kept = ", ".join(quote_string(v) for v in _members(new.type))
                invalid = "" if "" in removed else f" AND {c} <> ''"
                checks.append((f"{_as_new(name, old, new, table)} NOT IN ({kept}){invalid}",
                               f"{name} set to a value the new ENUM drops ({shown})"))
            else:
                found = " OR ".join(f"FIND_IN_SET({quote_string(v)}, {c})" for v in removed)
                checks.append((found, f"{name} holding a member the new SET drops ({shown})"))
        return checks
    if nb in ("enum", "set"):
        members = _members(new.type)
        if nb == "enum":
            shown = ", ".join(quote_string(v) for v in members)
            checks.append((f"{c} NOT IN ({shown})", f"{name} set to a value the ENUM does not have"))
        else:
            checks.append((None, f"{name} becomes a SET: values that are not its members fail or are dropped"))
        return checks
    if nb in _CHARACTER:
        old_charset, new_charset = _charset(old, table), _charset(new, table)
        if ob in _CHARACTER and old_charset and new_charset and old_charset != new_charset:
            checks.append((f"BINARY CONVERT(CONVERT({c} USING {new_charset}) USING {old_charset}) <> BINARY {c}",
                           f"{name} holding characters {new_charset} cannot store"))
        length = _length(new.type)
        if nb in ("char", "varchar") and length is not None:
            if not (ob in _CHARACTER and not types.types_narrow(old.type, new.type)):
                checks.append((f"CHAR_LENGTH({c}) > {length}", f"{name} longer than {length} characters"))
        elif nb in _TEXT_BYTES:
            limit = _TEXT_BYTES[nb]
            if not (ob in _CHARACTER and not types.types_narrow(old.type, new.type) and old_charset == new_charset):
                checks.append((f"OCTET_LENGTH(CONVERT({c} USING {new_charset or 'utf8mb4'})) > {limit}",
                               f"{name} longer than {limit} bytes"))
        return checks
    if nb in _BINARY:
        length = _length(new.type) if nb in ("binary", "varbinary") else _TEXT_BYTES.get(nb)
        if length is not None and (types.types_narrow(old.type, new.type) or ob not in _BINARY):
            checks.append((f"OCTET_LENGTH({c}) > {length}", f"{name} longer than {length} bytes"))
        return checks
    if nb in types.INTEGER_BITS:
        low, high = types._integer_range(new.type)
        if ob in _CHARACTER or ob in ("enum", "set"):
            checks.append((f"NOT ({c} REGEXP {_WHOLE})", f"{name} that is not a whole number"))
            checks.append((f"{c} REGEXP {_WHOLE} AND CAST({c} AS DECIMAL(65,0)) NOT BETWEEN {low} AND {high}",
                           f"{name} outside {low} to {high}"))
        elif ob in types.NUMERIC_TYPES or ob in ("bit", "year"):
            if types.types_narrow(old.type, new.type) or ob not in types.INTEGER_BITS:
                checks.append((f"{c} NOT BETWEEN {low} AND {high}", f"{name} outside {low} to {high}"))
            if ob in ("decimal", "float", "double"):
                checks.append((f"{c} <> ROUND({c})", f"{name} with a fraction, which {new.type} would round"))
        else:
            checks.append((None, f"{name} changes from {old.type} to {new.type}, which sqlgen cannot check "
                                 "beforehand: the statement may fail on rows"))
        return checks
    if nb == "decimal":
        precision, scale = (types._numbers(new.type) + (10, 0))[:2]
        whole = "1" + "0" * (precision - scale)
        numeric = ob in types.NUMERIC_TYPES or ob in ("bit", "year")
        if ob in _CHARACTER:
            checks.append((f"NOT ({c} REGEXP {_NUMBER})", f"{name} that is not a number"))
            value = f"CAST({c} AS DOUBLE)"
        elif numeric:
            value = c
        else:
            return [(None, f"{name} changes from {old.type} to {new.type}, which sqlgen cannot check "
                           "beforehand: the statement may fail on rows")]
        if ob in _CHARACTER or types.types_narrow(old.type, new.type) or ob != "decimal":
            checks.append((f"ABS(ROUND({value}, {scale})) >= {whole}",
                           f"{name} too large for {new.type}"))
            if "unsigned" in new.type:
                checks.append((f"{value} < 0", f"{name} below 0, which {new.type} cannot hold"))
            old_scale = (types._numbers(old.type) + (0, 0))[1] if ob == "decimal" else None
            if ob in ("float", "double"):
                # As the server prints a binary float (0.1, not 0.100000001): the digits it converts.
                printed = f"CAST(CAST({c} AS CHAR) AS DECIMAL(65,30))"
                checks.append((f"{printed} <> ROUND({printed}, {scale})",
                               f"{name} with more than {scale} decimal places, which {new.type} would round"))
            elif ob in _CHARACTER or (old_scale is not None and old_scale > scale):
                checks.append((f"{value} <> ROUND({value}, {scale})",
                               f"{name} with more than {scale} decimal places, which {new.type} would round"))
        return checks
    if nb in ("float", "double"):
        if ob in _CHARACTER:
            checks.append((f"NOT ({c} REGEXP {_NUMBER})", f"{name} that is not a number"))
        elif ob in types.INTEGER_BITS or ob == "decimal":
            exact = _FLOAT_EXACT[nb]
            if ob != "decimal" and (types.INTEGER_BITS[ob] if ob in types.INTEGER_BITS else 64) <= exact.bit_length() - 1:
                return checks
            checks.append((f"ABS({c}) > {exact}", f"{name} beyond the {exact.bit_length() - 1} bits {nb.upper()} "
                                                   "holds exactly"))
        elif ob == "double" and nb == "float":
            checks.append((None, f"{name} becomes FLOAT, which keeps about 7 significant digits of each value: "
                                 "the others are lost, and sqlgen does not refuse the change for that"))
        return checks
    if nb == "date" and ob in ("datetime", "timestamp"):
        checks.append((f"{c} <> DATE({c})", f"{name} with a time of day, which DATE drops"))
        return checks
    if nb in ("datetime", "timestamp", "time") and ob == nb:
        digits = _length(new.type) or 0
        if digits < (_length(old.type) or 0):
            checks.append((f"MICROSECOND({c}) % {10 ** (6 - digits)} <> 0",
                           f"{name} with fractions of a second {new.type} would round"))
        return checks
    if nb == "timestamp" and ob in ("datetime", "date"):
        # The range is in UTC; the session's time zone turns each value into it (UNIX_TIMESTAMP).
        checks.append((f"{c} IS NOT NULL AND COALESCE(UNIX_TIMESTAMP({c}), 0) NOT BETWEEN 1 AND 2147483647",
                       f"{name} outside the TIMESTAMP range (1970 to 2038 UTC)"))
        return checks
    if nb in ("date", "datetime", "timestamp", "time") and ob in _CHARACTER:
        # CAST takes '2020-01-01x' with only a warning, and ALTER TABLE refuses it: the text must read
        # as the type in full.
        pattern, cast = _TEMPORAL_TEXT[nb]
        checks.append((f"{c} IS NOT NULL AND (NOT ({c} REGEXP {pattern}) OR CAST({c} AS {cast}) IS NULL)",
                       f"{name} that is not a {nb.upper()} written as YYYY-MM-DD[ hh:mm:ss]"
                       if nb != "time" else f"{name} that is not a TIME written as hh:mm[:ss]"))
        return checks
    if nb == "json":
        checks.append((f"NOT JSON_VALID({c})", f"{name} that is not valid JSON"))
        return checks
    if types.types_narrow(old.type, new.type):
        checks.append((None, f"{name} changes from {old.type} to {new.type}, which sqlgen cannot check beforehand: "
                             "the statement may fail on rows"))
    return checks


def _members(column_type: str) -> list[str]:
    return types.parse_string_list(column_type[column_type.index("(") + 1: column_type.rindex(")")])


def _length(column_type: str) -> int | None:
    return types._first_number(column_type)


def _key_parts(parts, table: Table, table_name: str, added: dict, names: _OldNames, new_values: dict):
    """The GROUP BY items of a key over the rows as the change makes them: a new column holds one
    value on every row (left out), NULL on every row or a value of its own on each
    (AUTO_INCREMENT): the key then cannot repeat (None, None). A new column whose values are
    computed (generated, or a function's default) cannot be checked beforehand (None, [])."""
    items, columns = [], []
    for part in parts:
        if part.column is None:
            items.append(f"({part.expression})")
            continue
        if part.column in added:
            column = added[part.column]
            if column.autoincrement or (column.default is None and column.nullable and column.generated is None):
                return None, None
            if column.generated is not None or (column.default or "").startswith("("):
                return None, []
            continue
        old = names.column(table_name, part.column)
        value = _as_new(old, table.column(old), new_values.get(old), table)
        items.append(f"LEFT({value}, {part.length})" if part.length else value)
        columns.append(old)
    return items, columns


def _unique_check(table: Table, table_name: str, index_name: str, parts, added: dict,
                  names: _OldNames, sample: int, new_values: dict | None = None) -> list[Precondition]:
    target = f"{table.name}.{index_name}"
    items, columns = _key_parts(parts, table, table_name, added, names, new_values or {})
    if items is None:
        return [] if columns is None else [Precondition(
            target, f"the unique key {index_name} takes a column the migration adds with computed values, which "
                    "sqlgen cannot check beforehand: the statement may fail on duplicates", None)]
    if not items:
        return [Precondition(target, f"all rows of {table.name} take one value in the new unique key {index_name}, "
                                     "and there is more than one row",
                             f"SELECT COUNT(*) AS `rows` FROM {_source(table, sample)} HAVING COUNT(*) > 1",
                             f"counts the rows of {table.name}")]
    listed = ", ".join(items)
    not_null = " AND ".join(f"{q(column)} IS NOT NULL" for column in columns) or "TRUE"
    shown = ", ".join(columns) if columns else listed
    label = q(shown) if len(items) == 1 else q("(" + shown + ")")
    value = items[0] if len(items) == 1 else f"CONCAT('(', CONCAT_WS(', ', {listed}), ')')"
    return [Precondition(target, f"values of {shown} in {table.name} appear more than once (as the column's "
                                 f"collation compares them), which the unique key {index_name} refuses",
                         f"SELECT {value} AS {label}, COUNT(*) AS `sqlgen_count` FROM {_source(table, sample)} WHERE {not_null} "
                         f"GROUP BY {listed} HAVING COUNT(*) > 1",
                         _reads(table, tuple(columns), sample))]


def _primary_key_checks(table: Table, table_name: str, columns: tuple[str, ...], added: dict,
                        names: _OldNames, sample: int) -> list[Precondition]:
    result = []
    for column in columns:
        if column in added:
            continue
        old = names.column(table_name, column)
        current = table.column(old)
        if current is not None and current.nullable:
            result.append(Precondition(f"{table.name}.{old}", f"rows of {table.name} have {old} NULL, which the "
                                                              "primary key refuses",
                                       _rows(table, old, f"{q(old)} IS NULL", sample), _reads(table, (old,), sample)))
    return result + _unique_check(table, table_name, "PRIMARY", [IndexPart(c) for c in columns], added, names,
                                  sample)


def _foreign_key_check(table: Table, table_name: str, fk, added: dict, names: _OldNames, schema: Schema,
                       created: set, sample: int, added_to: dict) -> list[Precondition]:
    if fk.ref_schema is not None:
        return []
    target = f"{table.name}.{fk.name}"
    new = [column for column in fk.columns if column in added]
    if new:
        return _new_column_key(table, fk, [added[column] for column in new], len(new) == len(fk.columns), names,
                               schema, created, sample, target)
    columns = [names.column(table_name, column) for column in fk.columns]
    present = " AND ".join(f"c.{q(column)} IS NOT NULL" for column in columns)
    key = _key(table, columns[0], "c.")
    selected = ", ".join([key] + [f"c.{q(column)}" for column in columns if not key.endswith(f" AS {q(column)}")])
    ref_table = names.table(fk.ref_table)
    parent = schema.table(ref_table)
    shown = f"{fk.ref_table}.({', '.join(fk.ref_columns)})" if len(fk.ref_columns) > 1 else \
        f"{fk.ref_table}.{fk.ref_columns[0]}"
    violation = f"rows of {table.name} have {', '.join(columns)} with no matching {shown}, which the foreign key " \
                f"{fk.name} refuses"
    parent_added = added_to.get(fk.ref_table, {})
    if any(column in parent_added for column in fk.ref_columns):
        if not all(parent_added[c].default is None and parent_added[c].nullable for c in fk.ref_columns
                   if c in parent_added):
            return [Precondition(target, f"the foreign key {fk.name} points at {shown}, which the migration adds with "
                                         "a default, so sqlgen cannot check it beforehand: the statement may fail "
                                         "on rows", None)]
        parent = None  # the parent's new column is NULL on every row: nothing matches it yet
    if parent is None or fk.ref_table in created:
        # The parent is new (or its column is), so nothing matches: every row with a value breaks the key.
        return [Precondition(target, violation, f"SELECT {selected} FROM {_source(table, sample, 'c')} WHERE {present}",
                             _reads_all(table, sample))]
    ref_columns = [names.column(fk.ref_table, column) for column in fk.ref_columns]
    match = " AND ".join(f"p.{q(r)} = c.{q(column)}" for r, column in zip(ref_columns, columns))
    return [Precondition(target, violation,
                         f"SELECT {selected} FROM {_source(table, sample, 'c')} WHERE {present} AND NOT EXISTS "
                         f"(SELECT 1 FROM {q(parent.name)} AS p WHERE {match})",
                         _reads_all(table, sample)
                         + f", and looks each up in {parent.name}")]


def _new_column_key(table: Table, fk, new: list, whole: bool, names: _OldNames, schema: Schema, created: set,
                    sample: int, target: str) -> list[Precondition]:
    """A foreign key on a column the migration adds: every row takes its default (NULL: nothing
    to check), which the parent must hold when the table has rows."""
    if all(column.default is None and column.nullable for column in new):
        return []
    column = new[0]
    value = column.default
    if value is None and not column.nullable:  # NOT NULL without a default: the type's own zero value
        value = "0" if types.is_numeric(column.type) else ("''" if types.is_textual(column.type) else None)
    if not whole or len(fk.columns) > 1 or value is None or value.startswith("("):
        return [Precondition(target, f"the foreign key {fk.name} takes a column the migration adds, whose value "
                                     "sqlgen cannot check beforehand: the statement may fail on rows", None)]
    parent = schema.table(names.table(fk.ref_table))
    shown = f"{fk.ref_table}.{fk.ref_columns[0]}"
    violation = (f"all rows of {table.name} take {column.name} = {value} (its default), which no {shown} matches, "
                 f"and the foreign key {fk.name} refuses that")
    if parent is None or fk.ref_table in created:
        exists = "FALSE"
    else:
        exists = (f"EXISTS (SELECT 1 FROM {q(parent.name)} WHERE "
                  f"{q(names.column(fk.ref_table, fk.ref_columns[0]))} = {value})")
    return [Precondition(target, violation,
                         f"SELECT COUNT(*) AS `rows` FROM {_source(table, sample)} HAVING COUNT(*) > 0 AND NOT {exists}",
                         f"counts the rows of {table.name}")]


_WORD = re.compile(r"`((?:[^`]|``)+)`|\b([A-Za-z_$][\w$]*)\b")


def _check_check(table: Table, table_name: str, check, added: dict, names: _OldNames,
                 sample: int) -> list[Precondition]:
    from .expressions import portable  # read the same under every sql_mode, as render writes it
    target = f"{table.name}.{check.name}"
    renamed = {new for (t, new) in names.columns if t == table_name}
    words = {m.group(1).replace("``", "`") if m.group(1) is not None else m.group(2)
             for m in _WORD.finditer(re.sub(r"'(?:[^'\\]|\\.|'')*'", "''", check.expression))}
    if {w.lower() for w in words} & {n.lower() for n in set(added) | renamed}:
        return [Precondition(target, f"CHECK {check.name} names columns this migration adds or renames, so the "
                                     "rows cannot be checked beforehand: the statement may fail on rows", None)]
    key = _key(table, table.columns[0].name)
    return [Precondition(target, f"rows of {table.name} have values breaking CHECK {check.name} ({check.expression})",
                         f"SELECT {key} FROM {_source(table, sample)} WHERE NOT ({portable(check.expression)})",
                         _reads_all(table, sample))]
