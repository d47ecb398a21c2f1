"""Turn SQLAlchemy models into the Schema they declare on a given MySQL server.

Types and defaults are compiled by SQLAlchemy's own MySQL dialect, exactly as
`create_all` would emit them, then normalised by the same rules as the
reflected side. Whatever cannot be expressed is refused with the table and
column named, never skipped.
"""

from __future__ import annotations

import re

import sqlalchemy as sa
from sqlalchemy.exc import CompileError

from ..errors import SqlgenError
from ..declaration import check_table_names, column_name_of, created_by_create_all, run_create_listeners
from ..safety import check_action, check_expression, check_name
from ..schema import Check, Column, ForeignKey, Generated, Index, IndexPart, Schema, Table, TableOptions
from . import dialect as my, expressions, limits, sequences, types
from .dialect import EXPRESSION_RULES, NAME_RULES, reported_text
from .dialect import ServerInfo
from .reflect import normalize_action, written_action

CHARSET_OPTIONS = ("charset", "default_charset", "character_set", "default_character_set")
COLLATION_OPTIONS = ("collate", "default_collate")
# Engines that keep foreign keys; the others silently ignore them.
FOREIGN_KEY_ENGINES = frozenset({"innodb", "ndbcluster", "ndb"})
# Table options sqlgen compares; any other mysql_* option is reported, not hidden.
KNOWN_TABLE_OPTIONS = frozenset(("engine", "comment") + CHARSET_OPTIONS + COLLATION_OPTIONS)
# The values the server takes for options sqlgen checks but does not compare.
ROW_FORMATS = frozenset({"default", "dynamic", "fixed", "compressed", "redundant", "compact", "page"})
INDEX_USING = frozenset({"btree", "hash", "rtree"})
_WORD = re.compile(r"[A-Za-z0-9_]+")


def _expression(text: str, what: str) -> str:
    check_expression(text, what, *EXPRESSION_RULES)
    return text


def _option_word(value, what: str) -> str:
    """An engine, character set or collation name: one word, written into DDL bare."""
    text = str(value)
    if not _WORD.fullmatch(text):
        raise SqlgenError(f"{what} is {text!r}, which is not a name the server knows; fix the option")
    return text


def sa_dialect(server: ServerInfo):
    """A SQLAlchemy MySQL dialect set up as if connected to `server`.

    paramstyle "named" keeps literal '%' single: PyMySQL's default "format"
    style makes SQLAlchemy write '100%%' in defaults and ENUM values.
    """
    from sqlalchemy.dialects.mysql import pymysql

    dialect = pymysql.dialect(paramstyle="named")
    dialect.server_version_info = server.version
    dialect._set_mariadb(server.is_mariadb, server.version)
    dialect._casing = server.lower_case_table_names
    try:
        # The version-dependent flags SQLAlchemy sets when it connects (native UUID, ...).
        (dialect._initialize_mariadb if server.is_mariadb else dialect._initialize_mysql)(None)
    except Exception:  # SQLAlchemy 2.0 has no such hooks; what create_all would do there is its default,
        # except whether defaults may be expressions, which older 2.0 releases keep as a plain attribute.
        if not isinstance(getattr(type(dialect), "_support_default_function", None), property):
            dialect._support_default_function = server.is_mariadb or server.version >= (8, 0, 13)
        dialect.supports_sequences = server.is_mariadb and server.version >= (10, 3)
    return dialect


def declared_schema(metadata: sa.MetaData, server: ServerInfo, version_table: str) -> tuple[Schema, list[str]]:
    """The Schema the models declare, and notes on what was not compared."""
    dialect = sa_dialect(server)
    ddl = dialect.ddl_compiler(dialect, None)
    notes: list[str] = run_create_listeners(metadata, dialect)
    tables = []
    for table in metadata.tables.values():
        check_table_names(table, lambda item: _name(item, dialect), NAME_RULES)
        if table.schema not in (None, server.database):
            raise SqlgenError(
                f"table {table.schema}.{table.name} lives in another database; "
                "sqlgen manages the one database named in the URL"
            )
        # Letter case too: with lower_case_table_names 1 or 2 the server takes them for one table.
        if table.name.lower() == version_table.lower():
            raise SqlgenError(
                f"the models declare a table named {table.name!r}, which sqlgen uses to track "
                "migrations; set version_table to another name in the config"
            )
        tables.append(_table(table, server, dialect, ddl, notes))
    declared_sequences = _sequences(metadata, dialect, server, notes)
    taken = {table.name.lower() for table in tables}
    for sequence in declared_sequences:
        if sequence.name.lower() == version_table.lower():
            raise SqlgenError(f"the models declare a sequence named {sequence.name!r}, which sqlgen uses to track "
                              "migrations; set version_table to another name in the config")
        if sequence.name.lower() in taken:
            raise SqlgenError(f"the models declare a table and a sequence both named {sequence.name!r}; on "
                              f"{server.label} a sequence is a table, so one of them needs another name")
    limits.check_foreign_keys(tables)
    return Schema(tables=tuple(sorted(tables, key=lambda t: t.name)), sequences=declared_sequences), notes


def _sequences(metadata: sa.MetaData, dialect, server: ServerInfo, notes: list[str]) -> tuple:
    """The sequences create_all makes: those of the metadata and of column defaults (MariaDB
    10.3+; SQLAlchemy creates them even when `optional`). Elsewhere, a note for each."""
    found: dict[str, list[tuple[sa.Sequence, str]]] = {}
    for sequence in metadata._sequences.values():
        found.setdefault(sequence.name, []).append((sequence, f"sequence {sequence.name}"))
    for table in metadata.tables.values():
        for column in table.columns:
            if isinstance(column.default, sa.Sequence):
                found.setdefault(column.default.name, []).append(
                    (column.default, f"sequence {column.default.name} of {table.name}.{column.name}"))
    if not dialect.supports_sequences:
        for name in sorted(found):
            # A column's sequence is in the metadata too: named once, with its column where it has one.
            places = [where for _, where in found[name] if " of " in where] or [found[name][0][1]]
            notes += [f"{server.label} has no sequences: the {where} is not created, "
                      + ("and the column counts by itself (AUTO_INCREMENT where it is the key), as create_all makes it"
                         if " of " in where else "as create_all leaves it out")
                      for where in places]
        return ()
    result = []
    for name in sorted(found):
        check_name(name, "sequence", rules=NAME_RULES)
        made = set()
        for sequence, where in found[name]:
            if sequence.schema not in (None, server.database):
                raise SqlgenError(f"{where} lives in another database ({sequence.schema}); "
                                  "sqlgen manages the one database named in the URL")
            made.add(sequences.declared(sequence, _table_name(name, server), where))
        if len(made) > 1:
            raise SqlgenError(f"sequence {name} is declared more than once, with different options; "
                              "declare it once and use that object everywhere")
        result.append(made.pop())
    return tuple(result)


def _table_name(name: str, server: ServerInfo) -> str:
    # With lower_case_table_names=1 the server stores every table name lowercase.
    return name.lower() if server.lower_case_table_names == 1 else name


def _table(table: sa.Table, server: ServerInfo, dialect, ddl, notes: list[str]) -> Table:
    options = _options(table, server, notes)
    collation = options.collation
    charset = collation.split("_")[0]
    columns = tuple(_column(column, server, dialect, ddl, collation, charset, notes) for column in table.columns)
    limits.check_table(table.name, columns, charset, server, collation, options.comment)
    lossy = [(f"column {table.name}.{c.name}", c.comment) for c in columns if c.comment] + \
        [(f"table {table.name}", options.comment)] * bool(options.comment)
    for where, comment in lossy:
        if reported_text(comment) != comment:
            notes.append(f"the server keeps comments in utf8mb3: the comment of {where} is stored as "
                         f"{reported_text(comment)!r}")
    pk = table.primary_key
    pk_columns = pk.columns_autoinc_first if pk._implicit_generated else list(pk.columns)
    primary_key = tuple(column.name for column in pk_columns)
    indexes = _indexes(table, dialect, server, {column.name: column.type for column in columns}, ddl)
    foreign_keys = _foreign_keys(table, server, dialect, ddl)
    indexes = limits.fit_keys(table.name, indexes, columns, charset, server, notes, options.engine)
    if foreign_keys and options.engine.lower() not in FOREIGN_KEY_ENGINES:
        notes.append(f"not created: the foreign keys of {table.name}, whose {options.engine} engine keeps none")
        indexes = _key_indexes(foreign_keys, primary_key, indexes)
        foreign_keys = ()
    return Table(
        name=_table_name(table.name, server),
        columns=columns,
        primary_key=primary_key,
        indexes=indexes,
        foreign_keys=foreign_keys,
        options=options,
        checks=_checks(table, server, dialect, ddl),
    )


def _checks(table: sa.Table, server: ServerInfo, dialect, ddl) -> tuple[Check, ...]:
    """CHECK constraints, named as the server will name those the models leave unnamed:
    CONSTRAINT_1, CONSTRAINT_2... on MariaDB (a column-level check takes the column's
    name), <table>_chk_1, <table>_chk_2... on MySQL, in CREATE TABLE order."""
    found = []
    for column in table.columns:
        found += [(constraint, column.name) for constraint in column.constraints
                  if isinstance(constraint, sa.CheckConstraint)]
    # A table's CHECK only where create_all emits it (column-level ones it always emits): not an
    # Enum's where the type is native, nor one whose ddl_if() names another dialect.
    found += [(constraint, None) for constraint in table._sorted_constraints
              if isinstance(constraint, sa.CheckConstraint) and created_by_create_all(constraint, ddl)]
    result, unnamed = [], 0
    for constraint, column_name in found:
        try:
            expression = ddl.sql_compiler.process(constraint.sqltext, include_table=False, literal_binds=True)
        except CompileError as exc:
            raise SqlgenError(f"cannot render a CHECK constraint of {table.name}: {exc}") from None
        _expression(expression, f"a CHECK constraint of table {table.name!r}")
        name = _name(constraint, dialect)
        auto = name is None
        if auto:
            unnamed += column_name is None or not server.is_mariadb
            if server.is_mariadb:
                name = column_name or f"CONSTRAINT_{unnamed}"
            else:
                name = f"{_table_name(table.name, server)}_chk_{unnamed}"
        result.append(Check(name, expressions.key(expression, server), expression, auto_named=auto,
                            column=column_name))
    return tuple(result)


def _key_indexes(foreign_keys, primary_key, indexes: tuple[Index, ...]) -> tuple[Index, ...]:
    """The indexes a FOREIGN KEY clause still creates on an engine that keeps no keys."""
    result = list(indexes)
    for fk in foreign_keys:
        covered = primary_key[: len(fk.columns)] == fk.columns or any(
            index.columns[: len(fk.columns)] == fk.columns and index.kind is None for index in result)
        if not covered:
            taken = {index.name.lower() for index in result}
            name = fk.name if not fk.auto_named else _free_name(fk.columns[0], taken)
            result.append(Index(name, tuple(IndexPart(c) for c in fk.columns), auto_named=fk.auto_named))
    return tuple(sorted(result, key=lambda index: index.name))


def _options(table: sa.Table, server: ServerInfo, notes: list[str]) -> TableOptions:
    values = {}
    for key, value in table.dialect_kwargs.items():
        prefix, _, option = key.partition("_")
        if prefix in ("mysql", "mariadb") and value is not None:
            values[option.lower()] = value
    for option in sorted(set(values) - KNOWN_TABLE_OPTIONS):
        notes.append(f"not compared: table option {option.upper()} on {table.name}")
    where = f"table {table.name!r}"
    if "row_format" in values and str(values["row_format"]).lower() not in ROW_FORMATS:
        raise SqlgenError(f"{where}: ROW_FORMAT {str(values['row_format'])!r} is not one the server takes "
                          f"({', '.join(sorted(f.upper() for f in ROW_FORMATS))}); fix mysql_row_format")
    engine = _engine(_option_word(values.get("engine") or server.default_engine, f"the engine of {where}"),
                     where, server)
    collation = next((values[o] for o in COLLATION_OPTIONS if o in values), None)
    charset = next((values[o] for o in CHARSET_OPTIONS if o in values), None)
    if charset is not None:
        charset = _option_word(charset, f"the character set of {where}")
    if collation is not None:
        collation = _known_collation(_option_word(collation, f"the collation of {where}"), charset, where, server)
    if collation is None and charset is not None:
        collation = server.default_collation_of(str(charset))
    return TableOptions(
        engine=my.ENGINE_NAMES.get(engine.lower(), engine),
        collation=_canonical_collation(collation) or server.default_collation,
        comment=table.comment or None,
    )


def _engine(engine: str, where: str, server: ServerInfo) -> str:
    """An engine the server has (when it said which)."""
    if server.engines and server.engines.get(engine.lower()) not in ("YES", "DEFAULT"):
        usable = sorted(name for name, support in server.engines.items() if support in ("YES", "DEFAULT"))
        state = "is disabled on" if engine.lower() in server.engines else "does not exist on"
        raise SqlgenError(f"{where}: the engine {engine!r} {state} {server.label} (it has "
                          f"{', '.join(my.ENGINE_NAMES.get(e, e) for e in usable)}); fix mysql_engine")
    return engine


def _known_collation(collation: str, charset: str | None, where: str, server: ServerInfo) -> str:
    """A collation the server has, of the character set given with it (when the server said which)."""
    name = _canonical_collation(collation)
    if not server.collations:
        return collation
    known = name in server.collations or (
        "_" in name and server.collations.get(name.split("_", 1)[1], "") is None)  # MariaDB 11: uca1400_ai_ci
    if not known:
        raise SqlgenError(f"{where}: the collation {collation!r} does not exist on {server.label}; fix the "
                          "collation (SHOW COLLATION lists them)")
    of = server.collations.get(name) or name.split("_", 1)[0]
    if charset is not None and my.CHARSET_ALIASES.get(charset.lower(), charset.lower()) != of:
        raise SqlgenError(f"{where}: the collation {collation!r} belongs to the character set {of!r}, not "
                          f"{charset!r}; give a collation of {charset!r} or leave it out")
    return collation


def _canonical_collation(collation) -> str | None:
    if collation is None:
        return None
    collation = str(collation).lower()
    charset, _, rest = collation.partition("_")
    return f"{my.CHARSET_ALIASES.get(charset, charset)}_{rest}" if rest else collation


def _column(column: sa.Column, server: ServerInfo, dialect, ddl, table_collation: str, charset: str,
            notes: list[str] | None = None) -> Column:
    where = f"{column.table.name}.{column.name}"
    generated = None
    if column.computed is not None:
        try:
            expression = ddl.sql_compiler.process(column.computed.sqltext, include_table=False, literal_binds=True)
        except CompileError as exc:
            raise SqlgenError(f"cannot render {where}: {exc}") from None
        _expression(expression, f"the generated column {where}")
        generated = Generated(expressions.key(expression, server), column.computed.persisted is True,
                              expression)
    if column.identity is not None:
        raise SqlgenError(f"cannot render {where}: MySQL has no IDENTITY columns; use autoincrement=True")
    try:
        type_text = dialect.type_compiler_instance.process(column.type, type_expression=column)
    except CompileError as exc:
        raise SqlgenError(f"cannot render {where}: {exc}") from None
    try:
        parsed = types.parse_type(type_text, charset)
    except ValueError as exc:
        raise SqlgenError(f"cannot render {where}: {exc}") from None

    autoincrement = (
        column is column.table._autoincrement_column
        and column.server_default is None
        # A Sequence on MariaDB 10.3+ replaces AUTO_INCREMENT, as in create_all.
        and not (dialect.supports_sequences and isinstance(column.default, sa.Sequence) and not column.default.optional)
    )
    default = on_update = text = None
    if not autoincrement:
        try:
            text = ddl.get_column_default_string(column)
        except CompileError as exc:
            raise SqlgenError(f"cannot render the default of {where}: {exc}") from None
        if text is not None:
            if not isinstance(column.server_default.arg, str):  # a plain string is quoted by SQLAlchemy
                if not text.strip():
                    raise SqlgenError(f"the default of {where} is empty (server_default=text('')): create_all would "
                                      "write DEFAULT with nothing after it, which the server refuses; give a value, "
                                      "e.g. server_default='' for an empty string")
                _expression(text, f"the default of {where}")
            text, on_update_text = expressions.split_on_update(text)
            default = expressions.normalize_default(sequences.calls_in(text, server.database), parsed.type, server)
            if on_update_text is not None:
                on_update = expressions.current_timestamp(on_update_text)
                if on_update is None:
                    raise SqlgenError(
                        f"cannot render {where}: ON UPDATE takes CURRENT_TIMESTAMP only, got {on_update_text!r}"
                    )

    collation = parsed.collation
    if collation is not None:
        collation = _known_collation(_option_word(collation, f"the collation of {where}"), parsed.charset,
                                     f"column {where}", server)
    if collation is None and parsed.charset is not None:
        collation = server.default_collation_of(_option_word(parsed.charset, f"the character set of {where}"))
    collation = _canonical_collation(collation)
    if not types.takes_collation(parsed.type) or collation == table_collation:
        collation = None
    # What the server stores instead of what the models wrote (rounded, cut, padded...): declared so, and noted.
    notes = [] if notes is None else notes
    column_type = limits.stored_type(where, type_text, parsed.type, notes)
    default, on_update = limits.stored_column(where, column_type, text, default, on_update,
                                              collation or table_collation, server, notes)
    return Column(
        name=column.name,
        type=column_type,
        # MariaDB takes no NULL/NOT NULL on a generated column: it is always nullable there. A primary
        # key column is NOT NULL whatever the models say (create_all writes neither; MySQL refuses NULL).
        nullable=(bool(column.nullable) and not column.primary_key) or (generated is not None and server.is_mariadb),
        default=default,
        on_update=on_update,
        autoincrement=autoincrement,
        comment=column.comment or None,
        collation=collation,
        generated=generated,
        display_type=parsed.display if column_type == parsed.type else None,
    )


def _indexes(table: sa.Table, dialect, server: ServerInfo, column_types: dict[str, str], ddl) -> tuple[Index, ...]:
    used = {"primary"}
    result = []
    # Unnamed unique constraints get their name from the server, in CREATE TABLE
    # order: the first column's name, then name_2, name_3... when taken.
    for constraint in table._sorted_constraints:
        if (isinstance(constraint, sa.UniqueConstraint) and not isinstance(constraint, sa.PrimaryKeyConstraint)
                and created_by_create_all(constraint, ddl)):
            given = _name(constraint, dialect)
            named = given is not None
            name = given if named else _free_name(list(constraint.columns)[0].name, used)
            if named and name.lower() in used:
                raise SqlgenError(f"unique constraint {name!r} of table {table.name!r}: the table already has an "
                                  "index or key of that name (PRIMARY is the primary key's, and letter case does not "
                                  "count); rename it")
            used.add(name.lower())
            parts = tuple(IndexPart(column.name) for column in constraint.columns)
            result.append(Index(name, parts, unique=True, auto_named=not named))
    for index in sorted((index for index in table.indexes if created_by_create_all(index, ddl)), key=lambda i: str(i.name)):
        name = _name(index, dialect)
        if name is None:
            raise SqlgenError(f"cannot render an unnamed index on {table.name}: give it a name")
        if name.lower() in used:  # PRIMARY, or a name taken already: letter case does not count
            raise SqlgenError(f"index {name!r} of table {table.name!r}: the table already has an index or key of "
                              "that name (PRIMARY is the primary key's, and letter case does not count); rename it")
        used.add(name.lower())
        result.append(
            Index(name, _index_parts(table, index, dialect, server, column_types, ddl), unique=bool(index.unique), kind=_index_kind(index, dialect))
        )
    return tuple(sorted(result, key=lambda i: i.name))


def _free_name(base: str, used: set[str]) -> str:
    name, n = base, 2
    while name.lower() in used:
        name, n = f"{base}_{n}", n + 1
    return name


def _name(constraint, dialect) -> str | None:
    """The name create_all gives a constraint or index: naming conventions applied,
    long names shortened as SQLAlchemy does; None when the server picks it."""
    if constraint.name is None:
        return None
    return dialect.identifier_preparer.format_constraint(constraint, _alembic_quote=False)


def _index_parts(table: sa.Table, index: sa.Index, dialect, server: ServerInfo,
                 column_types: dict[str, str], ddl) -> tuple[IndexPart, ...]:
    where = f"index {table.name}.{index.name}"
    length = _prefix_lengths(index.get_dialect_option(dialect, "length"), where)
    using = index.get_dialect_option(dialect, "using")
    if using is not None and str(using).lower() not in INDEX_USING:
        raise SqlgenError(f"{where}: USING {str(using)!r} is not one the server takes (BTREE, HASH, RTREE); "
                          "fix mysql_using")
    if index.get_dialect_option(dialect, "with_parser"):
        raise SqlgenError(f"cannot render index {table.name}.{index.name}: WITH PARSER is not supported")
    parts = []
    for expression in index.expressions:
        descending = False
        if isinstance(expression, sa.sql.elements.UnaryExpression) and expression.modifier in (
            sa.sql.operators.desc_op,
            sa.sql.operators.asc_op,
        ):
            descending = expression.modifier is sa.sql.operators.desc_op
            expression = expression.element
        name = column_name_of(expression, table)
        if name is None:
            parts.append(_expression_part(table, index, expression, descending, server, ddl))
            continue
        part_length = length.get(name) if isinstance(length, dict) else length
        full = _full_length(column_types[name])
        if part_length and full is not None and int(part_length) >= full:
            part_length = None  # a "prefix" as long as the column is the whole column to the server
        descending = descending and server.supports_descending_indexes
        parts.append(IndexPart(name, int(part_length) if part_length else None, descending))
    return tuple(parts)


def _prefix_lengths(length, where: str):
    """mysql_length: a number of characters, or one per column; nothing else reaches the DDL."""
    def number(value):
        text = str(value).strip()
        # ASCII digits only: str.isdigit() also takes '²' (which int() refuses) and '١' (read as 1).
        if isinstance(value, bool) or not (text.isascii() and text.isdigit()) or int(text) == 0:
            raise SqlgenError(f"{where}: mysql_length {value!r} is not a number of characters; give a whole number "
                              "above 0, or a dict of them by column name")
        return int(text)

    if length is None:
        return None
    if isinstance(length, dict):
        return {column: number(value) for column, value in length.items()}
    return number(length)


def _expression_part(table, index, expression, descending: bool, server: ServerInfo, ddl) -> IndexPart:
    if server.is_mariadb or server.version < (8, 0, 13):
        raise SqlgenError(
            f"cannot render index {table.name}.{index.name}: expression indexes need MySQL 8.0.13 or later "
            f"({server.label} has none); index a generated column instead"
        )
    try:
        text = ddl.sql_compiler.process(expression, include_table=False, literal_binds=True)
    except CompileError as exc:
        raise SqlgenError(f"cannot render index {table.name}.{index.name}: {exc}") from None
    _expression(text, f"an expression of index {table.name}.{index.name}")
    return IndexPart(None, None, descending and server.supports_descending_indexes,
                     expressions.key(text, server), text)


def _full_length(column_type: str) -> int | None:
    """The length of a fixed- or variable-length string column, else None."""
    if types.type_base(column_type) in ("char", "varchar", "binary", "varbinary"):
        return int(column_type[column_type.index("(") + 1: column_type.index(")")])
    return None


def _index_kind(index: sa.Index, dialect) -> str | None:
    prefix = index.get_dialect_option(dialect, "prefix")
    if prefix is None:
        return None
    kind = str(prefix).upper()
    if kind not in ("FULLTEXT", "SPATIAL"):
        raise SqlgenError(f"cannot render index {index.table.name}.{index.name}: unknown prefix {prefix!r}")
    return kind


def _foreign_keys(table: sa.Table, server: ServerInfo, dialect, ddl) -> tuple[ForeignKey, ...]:
    result = []
    generated = 0
    # Unnamed foreign keys are numbered by InnoDB in CREATE TABLE order.
    for constraint in table._sorted_constraints:
        if not isinstance(constraint, sa.ForeignKeyConstraint) or not created_by_create_all(constraint, ddl):
            continue
        given = _name(constraint, dialect)
        named = given is not None
        if not named:
            generated += 1
        shown = f"the foreign key {given!r} of table {table.name!r}" if named else \
            f"a foreign key of table {table.name!r}"
        check_action(constraint.ondelete, f"ON DELETE of {shown}")
        check_action(constraint.onupdate, f"ON UPDATE of {shown}")
        referred = constraint.referred_table
        result.append(
            ForeignKey(
                name=given if named else f"{_table_name(table.name, server)}_ibfk_{generated}",
                columns=tuple(element.parent.name for element in constraint.elements),
                ref_table=_table_name(referred.name, server),
                ref_columns=tuple(element.column.name for element in constraint.elements),
                on_delete=normalize_action(constraint.ondelete),
                on_update=normalize_action(constraint.onupdate),
                on_delete_written=written_action(constraint.ondelete),
                on_update_written=written_action(constraint.onupdate),
                ref_schema=None if referred.schema in (None, server.database) else referred.schema,
                auto_named=not named,
            )
        )
    return tuple(sorted(result, key=lambda fk: fk.name))
