"""What MySQL and MariaDB refuse to build, known before a file is written.

SQLAlchemy takes `String(70000)` or `Numeric(70, 2)`; the server refuses the
CREATE TABLE, and a migration would stop part-way. Each rule below is a table
of the server's limits (checked against MariaDB 10.11 and the MySQL manual),
and a column or table past one is refused at generate, naming it. The row
size check is a lower bound (BLOB and TEXT columns count their least): it never
refuses a table the server would build; `generate --verify` stays the full proof.
"""

from __future__ import annotations

import re

from ..errors import SqlgenError
from .dialect import ServerInfo
from .types import CHARSET_MAX_BYTES, type_base

# Longest length each type takes, in its own unit.
LENGTH_LIMITS = {
    "char": (255, "characters"),
    "binary": (255, "bytes"),
    "varbinary": (65532, "bytes"),
    "bit": (64, "bits"),
}
VARCHAR_BYTES = 65535  # a VARCHAR's length times its character set's longest character
DECIMAL_PRECISION = 65
DECIMAL_SCALE = {"mariadb": 38, "mysql": 30}
FRACTIONAL_DIGITS = 6  # of TIME, DATETIME and TIMESTAMP
SET_MEMBERS = 64
ENUM_MEMBERS = 65535
ROW_BYTES = 65535  # the row, BLOB and TEXT columns but their pointers aside

# Bytes each type takes in a row at least (a lower bound: never more than the server counts).
FIXED_BYTES = {
    "tinyint": 1, "smallint": 2, "mediumint": 3, "int": 4, "bigint": 8, "float": 4, "double": 8,
    "date": 3, "year": 1, "time": 3, "datetime": 5, "timestamp": 4, "bool": 1, "boolean": 1,
    "uuid": 16, "inet4": 4, "inet6": 16,
    "tinyblob": 9, "blob": 9, "mediumblob": 9, "longblob": 9,
    "tinytext": 9, "text": 9, "mediumtext": 9, "longtext": 9, "json": 9,
}
_DECIMAL_LEFTOVER = (0, 1, 1, 2, 2, 3, 3, 4, 4)  # bytes of 0-8 decimal digits beyond whole groups of 9
_FSP_BYTES = (0, 1, 1, 2, 2, 3, 3)
_ARGUMENTS = re.compile(r"\(([^)]*)\)")


COMMENT_CHARACTERS = {"column": 1024, "table": 2048}  # errors 1629 and 1628


def check_table(table: str, columns, table_charset: str, server: ServerInfo, table_collation: str | None = None,
                comment: str | None = None) -> None:
    """Refuse, in one line naming table.column, what the server would not build."""
    row = 0
    nullable = 0
    for column in columns:
        where = f"{table}.{column.name}"
        charset = _charset_of(column.collation, table_charset, server)
        row += _check_column(where, column.type, charset, server)
        _check_default(where, column.type, column.default)
        _check_number_default(where, column.type, column.default)
        _check_members(where, column.type, column.collation or table_collation)
        _check_comment(f"column {where}", column.comment, COMMENT_CHARACTERS["column"])
        nullable += bool(column.nullable)
    _check_comment(f"table {table}", comment, COMMENT_CHARACTERS["table"])
    row += (nullable + 7) // 8
    if row > ROW_BYTES:
        raise SqlgenError(
            f"table {table}: its row takes at least {row} bytes, and the server takes at most {ROW_BYTES} (BLOB and "
            "TEXT columns aside): make some of its VARCHAR or CHAR columns TEXT, or shorter")


def _check_column(where: str, column_type: str, charset: str, server: ServerInfo) -> int:
    """Check one column; its bytes in a row, at least."""
    base = type_base(column_type)
    numbers = _numbers(column_type)
    length = numbers[0] if numbers else None
    refuse = _refuser(where, column_type)
    if base in LENGTH_LIMITS and length is not None:
        limit, unit = LENGTH_LIMITS[base]
        if length > limit:
            refuse(f"{base.upper()} takes at most {limit} {unit}" + (
                "; use VARBINARY or BLOB" if base == "binary" else
                "; use VARCHAR or TEXT" if base == "char" else "; use BLOB" if base == "varbinary" else ""))
    if base == "varchar" and length is not None and charset in CHARSET_MAX_BYTES:
        most = VARCHAR_BYTES // CHARSET_MAX_BYTES[charset]
        if length > most:
            refuse(f"a VARCHAR in {charset} takes at most {most} characters ({VARCHAR_BYTES} bytes); use TEXT, or a "
                   "shorter length")
    if base == "decimal" and numbers:
        precision, scale = numbers[0], (numbers[1] if len(numbers) > 1 else 0)
        most_scale = DECIMAL_SCALE["mariadb" if server.is_mariadb else "mysql"]
        if precision > DECIMAL_PRECISION:
            refuse(f"DECIMAL takes at most {DECIMAL_PRECISION} digits")
        if scale > most_scale:
            refuse(f"DECIMAL takes at most {most_scale} digits after the point on {server.flavour}")
        if scale > precision:
            refuse("the digits after the point outnumber all the digits")
    if base in ("time", "datetime", "timestamp") and length is not None and length > FRACTIONAL_DIGITS:
        refuse(f"{base.upper()} keeps at most {FRACTIONAL_DIGITS} fractional digits")
    if base in ("enum", "set"):
        members = _members(column_type)
        if not members:
            refuse(f"an {base.upper()} needs at least one value")
        if base == "set" and len(members) > SET_MEMBERS:
            refuse(f"a SET takes at most {SET_MEMBERS} values")
        if base == "enum" and len(members) > ENUM_MEMBERS:
            refuse(f"an ENUM takes at most {ENUM_MEMBERS} values")
        return 1 if base == "enum" else max(1, (len(members) + 7) // 8)
    return _row_bytes(base, numbers, charset)


_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?", re.I)


def _check_default(where: str, column_type: str, default: str | None) -> None:
    """A literal default the column cannot hold: longer than its length, or no number for a number."""
    if not default or not default.startswith("'"):
        return
    from .types import INTEGER_TYPES, read_quoted

    value, end = read_quoted(default, 0)
    if end != len(default):
        return
    base = type_base(column_type)
    numbers = _numbers(column_type)
    if base == "char":
        value = value.rstrip(" ")  # the server drops a CHAR's trailing spaces
    if base in ("char", "varchar", "binary", "varbinary") and numbers and len(value) > numbers[0]:
        raise SqlgenError(f"column {where}: the default {default} is longer than {column_type.upper()} holds; "
                          "shorten it, or widen the column")
    if (base in INTEGER_TYPES or base in ("decimal", "float", "double")) and not _NUMBER.fullmatch(value.strip()):
        raise SqlgenError(f"column {where}: the default {default} is not a number, and {column_type.upper()} holds "
                          "only numbers; give a number")


def _check_number_default(where: str, column_type: str, default: str | None) -> None:
    """A number default out of the integer type's range (error 1067)."""
    from decimal import Decimal, InvalidOperation

    from .types import INTEGER_BITS, _integer_range

    if not default or type_base(column_type) not in INTEGER_BITS or not _NUMBER.fullmatch(default.strip("'")):
        return
    try:
        value = Decimal(default.strip("'"))
    except InvalidOperation:
        return
    low, high = _integer_range(column_type)
    if not low <= value <= high:
        raise SqlgenError(f"column {where}: the default {default} is outside {column_type.upper()} ({low} to {high}), "
                          "which the server refuses; give a default it holds, or widen the column")


def _check_members(where: str, column_type: str, collation: str | None) -> None:
    """An ENUM or SET value twice, as the column's collation compares them (error 1291)."""
    base = type_base(column_type)
    if base not in ("enum", "set"):
        return
    from .types import parse_string_list

    exact = collation is not None and (collation.endswith(("_bin", "_cs")) or collation == "binary")
    seen: dict[str, str] = {}
    for value in parse_string_list(column_type[column_type.index("(") + 1: column_type.rindex(")")]):
        key = value.rstrip(" ") if exact else value.rstrip(" ").casefold()
        if key in seen:
            raise SqlgenError(f"column {where}: the {base.upper()} holds {seen[key]!r} and {value!r}, which the server "
                              f"takes for one value{'' if exact else ' (letter case and trailing spaces do not count)'}"
                              "; remove one")
        seen[key] = value


def _check_comment(where: str, comment: str | None, limit: int) -> None:
    if comment is not None and len(comment) > limit:
        raise SqlgenError(f"{where}: its comment has {len(comment)} characters, and the server keeps at most {limit}; "
                          "shorten it")


def _row_bytes(base: str, numbers: tuple[int, ...], charset: str) -> int:
    width = CHARSET_MAX_BYTES.get(charset, 1)  # a character set not known: its least, never more
    if base in ("varchar", "varbinary") and numbers:
        bytes_ = numbers[0] * (width if base == "varchar" else 1)
        return bytes_ + (1 if bytes_ < 256 else 2)
    if base == "char" and numbers:
        return numbers[0] * width
    if base == "binary" and numbers:
        return numbers[0]
    if base == "bit":
        return ((numbers[0] if numbers else 1) + 7) // 8
    if base == "decimal":
        precision, scale = (numbers + (10, 0))[:2] if len(numbers) < 2 else numbers[:2]
        whole = max(precision - scale, 0)
        return (whole // 9) * 4 + _DECIMAL_LEFTOVER[whole % 9] + (scale // 9) * 4 + _DECIMAL_LEFTOVER[scale % 9]
    if base in ("time", "datetime", "timestamp"):
        fsp = min(numbers[0], FRACTIONAL_DIGITS) if numbers else 0
        return FIXED_BYTES[base] + _FSP_BYTES[fsp]
    return FIXED_BYTES.get(base, 0)


def _refuser(where: str, column_type: str):
    def refuse(why: str) -> None:
        raise SqlgenError(f"column {where}: {column_type.upper()} cannot be built: {why}")
    return refuse


def _numbers(column_type: str) -> tuple[int, ...]:
    found = _ARGUMENTS.search(column_type)
    if not found or type_base(column_type) in ("enum", "set"):
        return ()
    return tuple(int(part) for part in found.group(1).split(",") if part.strip().isdigit())


def _members(column_type: str) -> list[str]:
    from .types import parse_string_list

    start = column_type.find("(")
    if start < 0:
        return []
    body = column_type[start + 1: column_type.rfind(")")]
    return parse_string_list(body) if body.strip() else []


def _charset_of(collation: str | None, table_charset: str, server: ServerInfo) -> str:
    if not collation:
        return table_charset
    return server.collations.get(collation) or collation.split("_", 1)[0]


# --- Foreign keys InnoDB cannot make (errno 150) ---------------------------------------------------

def check_foreign_keys(tables) -> None:
    """A foreign key whose target is in the models: InnoDB needs an index beginning with the
    columns it references, integer columns of the same type and sign on both sides, and text
    columns of the same collation (other differences, lengths among them, it takes)."""
    from .types import INTEGER_TYPES, is_textual

    by_name = {table.name.lower(): table for table in tables}
    for table in tables:
        for fk in table.foreign_keys:
            target = by_name.get(fk.ref_table.lower())
            if target is None:
                continue
            shown = f"foreign key {fk.name} of table {table.name}"
            wanted = tuple(name.lower() for name in fk.ref_columns)
            primary = tuple(name.lower() for name in target.primary_key)
            # InnoDB makes an index for each foreign key that has none, and ends every secondary
            # index with the primary key's columns: a reference may use either.
            secondary = [tuple((part.column or "").lower() for part in index.parts)
                         for index in target.indexes if index.kind is None and not any(
                             part.length or part.column is None for part in index.parts)]
            secondary += [tuple(name.lower() for name in other.columns) for other in target.foreign_keys]
            leading = [primary] + [columns + tuple(name for name in primary if name not in columns)
                                   for columns in secondary]
            if not any(columns[:len(wanted)] == wanted for columns in leading):
                raise SqlgenError(
                    f"{shown}: {target.name} has no index that begins with ({', '.join(fk.ref_columns)}), which "
                    "InnoDB needs to reference them; index those columns (a unique key or the primary key, as "
                    "a rule)")
            for name, ref_name in zip(fk.columns, fk.ref_columns):
                column, ref = table.column(name), target.column(ref_name)
                if column is None or ref is None:
                    continue
                mine, theirs = column.type, ref.type
                if type_base(mine) in INTEGER_TYPES or type_base(theirs) in INTEGER_TYPES:
                    if (type_base(mine), "unsigned" in mine) != (type_base(theirs), "unsigned" in theirs):
                        raise SqlgenError(
                            f"{shown}: {table.name}.{name} ({mine}) cannot reference {target.name}.{ref_name} "
                            f"({theirs}): InnoDB needs the same integer type and sign on both sides")
                elif is_textual(mine) and is_textual(theirs):
                    mine_collation = column.collation or table.options.collation
                    their_collation = ref.collation or target.options.collation
                    if mine_collation != their_collation:
                        raise SqlgenError(
                            f"{shown}: {table.name}.{name} ({mine_collation}) cannot reference "
                            f"{target.name}.{ref_name} ({their_collation}): InnoDB needs the same collation on "
                            "both sides")


# --- Keys longer than InnoDB keeps --------------------------------------------------------------------

KEY_BYTES = 3072  # InnoDB's longest key (DYNAMIC and COMPRESSED rows, the default)
# The longest key of each engine that shortens a long one-column key to a prefix, by itself.
ENGINE_KEY_BYTES = {"innodb": KEY_BYTES, "myisam": 1000, "aria": 2300, "memory": 3072}
_BINARY_TYPES = frozenset({"binary", "varbinary", "tinyblob", "blob", "mediumblob", "longblob"})
_TEXT_BYTES = {"tinytext": 255, "text": 65535, "mediumtext": 16777215, "longtext": 4294967295,
               "tinyblob": 255, "blob": 65535, "mediumblob": 16777215, "longblob": 4294967295}


def fit_keys(table: str, indexes, columns, table_charset: str, server: ServerInfo, notes: list[str],
             engine: str = "innodb"):
    """Indexes as the server makes them. MariaDB makes a plain one-column index whose key would be
    longer than 3072 bytes on a prefix of the column, with only a note: declared so, it converges,
    and the file says what the server does. A longer key it cannot shorten is refused."""
    from dataclasses import replace

    limit = ENGINE_KEY_BYTES.get(engine.lower())
    if limit is None:
        _same_indexes(table, indexes, notes)
        return tuple(indexes)
    by_name = {column.name: column for column in columns}
    result = []
    for index in indexes:
        if index.kind is not None:
            result.append(index)
            continue
        sizes = [_part_bytes(part, by_name.get(part.column), table_charset, server) for part in index.parts]
        if None in sizes or sum(sizes) <= limit or (index.unique and server.is_mariadb):
            # (a character set not known; or a long unique key, which MariaDB keeps as a hash)
            result.append(index)
            continue
        where = f"index {table}.{index.name}"
        if len(index.parts) == 1 and not index.unique and server.is_mariadb:
            part = index.parts[0]
            column = by_name[part.column]
            width = _width(column, table_charset, server)
            length = limit // width
            unit = "bytes" if type_base(column.type) in _BINARY_TYPES else "characters"
            notes.append(f"the server makes {where} on the first {length} {unit} of {part.column}: a key takes "
                         f"at most {limit} bytes on {engine}")
            result.append(replace(index, parts=(replace(part, length=length),)))
            continue
        raise SqlgenError(f"{where}: its key would take {sum(sizes)} bytes, and the server takes at most {limit}; "
                          "index a prefix of its text columns (mysql_length), or fewer columns")
    _same_indexes(table, result, notes)
    return tuple(result)


def _width(column, table_charset: str, server: ServerInfo) -> int | None:
    if type_base(column.type) in _BINARY_TYPES:
        return 1
    return CHARSET_MAX_BYTES.get(_charset_of(column.collation, table_charset, server))


def _part_bytes(part, column, table_charset: str, server: ServerInfo) -> int | None:
    """The bytes of one key part at most; None when the character set is not known."""
    if column is None or part.column is None:
        return 0
    base = type_base(column.type)
    width = _width(column, table_charset, server)
    if width is None:
        return None
    numbers = _numbers(column.type)
    if base in ("varchar", "char", "varbinary", "binary"):
        units = min(part.length or numbers[0], numbers[0]) if numbers else (part.length or 0)
        return units * width
    if base in _TEXT_BYTES:
        return part.length * width if part.length else _TEXT_BYTES[base]
    return 0


def _same_indexes(table: str, indexes, notes: list[str]) -> None:
    """Two indexes of the same kind on the same key parts: the server makes both, with a note
    (1831) that a duplicate index is deprecated. The file says so."""
    seen = {}
    for index in indexes:
        shape = (bool(index.unique), index.kind, index.parts)
        if any(part.column is None for part in index.parts):
            continue
        if shape in seen:
            columns = ", ".join(part.column + (f"({part.length})" if part.length else "") for part in index.parts)
            notes.append(f"index {table}.{index.name} duplicates index {table}.{seen[shape]} (the same key on "
                         f"{columns}): the server makes both, and notes that a duplicate index is deprecated; "
                         "drop one of them")
        else:
            seen[shape] = index.name


# --- What the server stores instead of what was asked -------------------------------------------

def stored_column(where: str, column_type: str, written: str | None, default: str | None,
                  on_update: str | None, collation: str | None, server: ServerInfo,
                  notes: list[str]) -> tuple[str | None, str | None]:
    """A column's default and ON UPDATE as the server stores them, from what the models wrote
    (`written`, as SQLAlchemy compiles it) and its canonical form (`default`). Where the server
    changes the value (rounds it, cuts it, pads it, spells it as the ENUM does), the declared
    default is the stored one, so generate converges, and a note says what the server does."""
    from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

    from .dialect import quote_string
    from .types import INTEGER_TYPES, read_quoted

    base = type_base(column_type)
    numbers = _numbers(column_type)
    if base in ("datetime", "timestamp") and server.is_mariadb:
        # MariaDB gives CURRENT_TIMESTAMP the column's fractional digits, whatever was asked.
        default = _timestamp_as_stored(where, "default", column_type, default, notes)
        on_update = _timestamp_as_stored(where, "ON UPDATE", column_type, on_update, notes)
    asked = _written_value(written) if written is not None and default is not None else None
    if asked is None:
        return default, on_update
    quoted = _written_value_quoted(written)
    value = read_quoted(default, 0)[0] if default.startswith("'") else default
    try:
        number = Decimal(asked.strip())
        number = number if number.is_finite() else None
    except InvalidOperation:
        number = None
    stored, why = None, None  # stored: the canonical default text the server keeps
    if base in INTEGER_TYPES and number is not None and number != number.to_integral_value():
        stored = str(int(number.quantize(Decimal(1), rounding=ROUND_HALF_UP)))
        why = f"{column_type.upper()} keeps whole numbers, rounded half away from zero"
    elif base == "decimal" and number is not None and Decimal(value) != number:
        stored, why = default, f"{column_type.upper()} keeps {numbers[1] if len(numbers) > 1 else 0} digits " \
                               "after the point, rounded half away from zero"
    elif base in ("float", "double") and number is not None and len(numbers) == 2:
        scale = numbers[1]
        rounded = Decimal("%.*f" % (scale, round(float(number) * 10 ** scale) / 10 ** scale))
        if rounded != number:
            stored = str(int(rounded)) if rounded == rounded.to_integral_value() else format(rounded.normalize(), "f")
            why = f"{column_type.upper()} keeps {scale} digits after the point, rounded as a binary number"
    elif base in ("date", "datetime", "timestamp", "time") and _temporal_parts(asked) != _temporal_parts(value):
        stored = default
        why = "a DATE keeps no time of day" if base == "date" else \
            f"{column_type.upper()} keeps {numbers[0] if numbers else 'no'} fractional digits of seconds"
    elif base == "char" and asked != value and asked.rstrip(" ") == value:
        stored, why = default, "a CHAR loses its trailing spaces"
    elif base in ("enum", "set") and _case_insensitive(collation):
        member, why = _as_members(asked, column_type, base)
        stored = quote_string(member)
    elif base == "year" and re.fullmatch(r"\d{1,2}", asked.strip()) and (int(asked) or quoted):
        year = int(asked)
        stored, why = quote_string(str(year + (2000 if year < 70 else 1900))), \
            "a YEAR reads two digits as 1970 to 2069"
    elif base == "binary" and numbers and asked.isascii() and len(asked) < numbers[0]:
        stored, why = quote_string(asked.ljust(numbers[0], "\0")), f"{column_type.upper()} pads it with zero bytes"
    elif base == "bit" and quoted and asked:
        bits = int.from_bytes(asked.encode("utf-8"), "big")
        if bits.bit_length() <= (numbers or (1,))[0] and default != f"b'{bits:b}'":
            stored, why = f"b'{bits:b}'", "a quoted default on a BIT is the bytes of its text"
    if why is None:
        return default, on_update
    notes.append(f"the server stores the default {written.strip()} of {where} as {_shown(stored)}: {why}")
    return stored, on_update


def stored_type(where: str, written_type: str, column_type: str, notes: list[str]) -> str:
    """A column's type as the server makes it, where that is not what the models wrote; noted."""
    base = type_base(column_type)
    if base == "year" and re.fullmatch(r"\s*year\s*\(\s*2\s*\).*", written_type, re.I | re.S):
        notes.append(f"{where} is declared YEAR(2), which the server deprecates (note 1287) and sqlgen writes as "
                     "YEAR (four digits), taking an existing YEAR(2) for it; declare YEAR")
    if base in ("enum", "set"):
        from .dialect import quote_string

        members = _members(column_type)
        if any(member != member.rstrip(" ") for member in members):
            stored = f"{base}({','.join(quote_string(member.rstrip(' ')) for member in members)})"
            kind = "an ENUM" if base == "enum" else "a SET"
            notes.append(f"the server makes {where} {_shown(stored)}: {kind} loses the trailing spaces of its values")
            return stored + column_type[column_type.rindex(")") + 1:]
    return column_type


def _shown(text: str) -> str:
    return text.replace("\0", "\\0")


def _written_value(written: str) -> str | None:
    """The literal the models wrote, unquoted; None for anything else."""
    from ..expressions import strip_outer_parens
    from .types import read_quoted

    text = strip_outer_parens(written.strip())
    text = re.sub(r"^_[a-z0-9]+(?=')", "", text, flags=re.I)
    if text[:1] in ("'", '"'):
        try:
            value, end = read_quoted(text, 0)
        except ValueError:
            return None
        return value if end == len(text) else None
    return text if re.fullmatch(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?", text, re.I) else None


def _written_value_quoted(written: str) -> bool:
    from ..expressions import strip_outer_parens

    return re.sub(r"^_[a-z0-9]+(?=')", "", strip_outer_parens(written.strip()), flags=re.I)[:1] in ("'", '"')


_TEMPORAL_NUMBER = re.compile(r"\d+(?:\.\d+)?")


def _temporal_parts(value: str) -> tuple:
    """A date or time's numbers, trailing zeros aside: '2020-1-2' and '2020-01-02 00:00:00.000' agree."""
    from decimal import Decimal

    parts = [Decimal(part) for part in _TEMPORAL_NUMBER.findall(value)]
    while parts and parts[-1] == 0:
        parts.pop()
    return tuple(parts)


def _case_insensitive(collation: str | None) -> bool:
    return bool(collation) and not collation.lower().endswith(("_bin", "_cs")) and collation.lower() != "binary"


def _as_members(asked: str, column_type: str, base: str) -> tuple[str, str | None]:
    """An ENUM or SET default spelled as the type's members, which the server compares in the
    column's collation (letter case and trailing spaces aside)."""
    members = _members(column_type)
    wanted = [asked] if base == "enum" else [item for item in asked.split(",") if item]

    def member(item):
        if item in members:
            return item
        found = [m for m in members if m.lower().rstrip(" ") == item.lower().rstrip(" ")]
        return found[0] if len(found) == 1 else None

    chosen = [member(item) for item in wanted]
    if None in chosen or chosen == wanted:
        return asked, None
    stored = ",".join(m for m in members if m in chosen) if base == "set" else chosen[0]
    return stored, f"the {base.upper()} spells it as its member"


def _timestamp_as_stored(where: str, what: str, column_type: str, value: str | None, notes: list[str]):
    if value is None or not value.upper().startswith("CURRENT_TIMESTAMP"):
        return value
    fsp = (_numbers(column_type) or (0,))[0]
    stored = f"CURRENT_TIMESTAMP({fsp})" if fsp else "CURRENT_TIMESTAMP"
    if stored != value:
        notes.append(f"the server stores the {what} {value} of {where} as {stored}: it takes the fractional "
                     f"digits of {column_type.upper()}")
    return stored
