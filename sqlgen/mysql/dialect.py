"""MySQL and MariaDB knowledge in one place.

Type synonyms, default normalisation, character sets, quoting and the rules
InnoDB applies on its own (implicit foreign-key indexes). Both the declared
schema (compiled from the models) and the reflected schema (read from
information_schema) pass through the same normalisers, so that two columns
that are the same on the server compare equal.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from decimal import Decimal, InvalidOperation

from ..diff import Rules
from ..errors import SqlgenError


@dataclass(frozen=True)
class ServerInfo:
    flavour: str  # "mysql" or "mariadb"
    version: tuple[int, ...]
    version_string: str
    database: str = ""
    default_engine: str = "InnoDB"
    default_collation: str = "utf8mb4_general_ci"
    # charset -> its default collation, from information_schema.CHARACTER_SETS.
    charset_collations: dict[str, str] = field(default_factory=dict, compare=False)
    sql_mode: str = ""
    lower_case_table_names: int = 0

    @property
    def is_mariadb(self) -> bool:
        return self.flavour == "mariadb"

    @property
    def label(self) -> str:
        return f"{self.flavour} {self.version_string}"

    @property
    def backslash_escapes(self) -> bool:
        return "NO_BACKSLASH_ESCAPES" not in self.sql_mode.upper()

    @property
    def supports_rename_index(self) -> bool:
        return self.version >= ((10, 5, 2) if self.is_mariadb else (5, 7))

    @property
    def supports_descending_indexes(self) -> bool:
        # Older servers accept DESC and silently build an ascending index.
        return self.version >= ((10, 8) if self.is_mariadb else (8, 0))

    def default_collation_of(self, charset: str) -> str:
        charset = CHARSET_ALIASES.get(charset.lower(), charset.lower())
        try:
            return self.charset_collations[charset]
        except KeyError:
            raise SqlgenError(
                f"unknown character set {charset!r} on this server; "
                "check the charset in the models"
            ) from None


# --- Types -----------------------------------------------------------------

# Spellings that name the same server type. Keys and values are lowercase.
TYPE_SYNONYMS = {
    "integer": "int",
    "int4": "int",
    "int1": "tinyint",
    "int2": "smallint",
    "int3": "mediumint",
    "middleint": "mediumint",
    "int8": "bigint",
    "bool": "tinyint",
    "boolean": "tinyint",
    "numeric": "decimal",
    "dec": "decimal",
    "fixed": "decimal",
    "real": "double",
    "double precision": "double",
    "float4": "float",
    "float8": "double",
    "character": "char",
    "nchar": "char",
    "national char": "char",
    "character varying": "varchar",
    "nvarchar": "varchar",
    "national varchar": "varchar",
    "long": "mediumtext",
    "long varchar": "mediumtext",
    "long varbinary": "mediumblob",
}

INTEGER_TYPES = frozenset({"tinyint", "smallint", "mediumint", "int", "bigint"})
NUMERIC_TYPES = INTEGER_TYPES | {"decimal", "float", "double"}
STRING_TYPES = frozenset(
    {"char", "varchar", "tinytext", "text", "mediumtext", "longtext", "enum", "set"}
)
FRACTIONAL_TIME_TYPES = frozenset({"datetime", "timestamp", "time"})

# Arguments the server fills in when none are given.
DEFAULT_ARGUMENTS = {
    "decimal": "10,0",
    "char": "1",
    "binary": "1",
    "bit": "1",
}

# BOOL and BOOLEAN are TINYINT(1); the synonym alone would lose the width.
FORCED_ARGUMENTS = {"bool": "1", "boolean": "1"}

# TEXT(n)/BLOB(n) become the smallest type holding n bytes.
SIZED_FAMILIES = {
    "text": (("tinytext", 255), ("text", 65535), ("mediumtext", 16777215), ("longtext", None)),
    "blob": (("tinyblob", 255), ("blob", 65535), ("mediumblob", 16777215), ("longblob", None)),
}

# Bytes per character, for TEXT(n).
CHARSET_MAX_BYTES = {
    "utf8mb4": 4, "utf8mb3": 3, "utf8": 3, "ucs2": 2, "utf16": 4, "utf16le": 4,
    "utf32": 4, "latin1": 1, "ascii": 1, "binary": 1, "gbk": 2, "big5": 2,
    "sjis": 2, "ujis": 3, "euckr": 2, "gb2312": 2, "cp932": 2, "eucjpms": 3,
}

CHARSET_ALIASES = {"utf8": "utf8mb3"}

ENGINE_NAMES = {
    name.lower(): name
    for name in ("InnoDB", "MyISAM", "MEMORY", "Aria", "ARCHIVE", "CSV", "BLACKHOLE",
                 "MRG_MyISAM", "FEDERATED", "ROCKSDB", "NDBCLUSTER", "CONNECT", "S3")
}


@dataclass(frozen=True)
class ParsedType:
    type: str  # canonical, e.g. "int unsigned", "varchar(50)"
    charset: str | None = None
    collation: str | None = None

    @property
    def base(self) -> str:
        return type_base(self.type)


def type_base(canonical: str) -> str:
    return re.split(r"[\s(]", canonical, maxsplit=1)[0]


_TYPE_HEAD = re.compile(r"\s*((?:national\s+|long\s+)?[a-z_][a-z0-9_]*(?:\s+(?:precision|varying))?)", re.I)


def _scan_parens(text: str, start: int) -> int:
    """Index just past the ')' matching the '(' at `start`, honouring quotes."""
    depth, i, quote = 0, start, None
    while i < len(text):
        ch = text[i]
        if quote:
            if ch == "\\" and quote != "`":
                i += 1
            elif ch == quote:
                if text[i + 1 : i + 2] == quote:
                    i += 1
                else:
                    quote = None
        elif ch in "'\"`":
            quote = ch
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    raise ValueError(f"unbalanced parentheses in type {text!r}")


def parse_string_list(text: str) -> list[str]:
    """Values of an ENUM/SET argument list: 'a','b''c' -> ["a", "b'c"]."""
    values, i = [], 0
    while i < len(text):
        ch = text[i]
        if ch in "'\"":
            value, i = _read_quoted(text, i)
            values.append(value)
        elif ch in ", \t\n":
            i += 1
        else:
            raise ValueError(f"unexpected {ch!r} in value list {text!r}")
    return values


_ESCAPES = {"0": "\0", "b": "\b", "n": "\n", "r": "\r", "t": "\t", "Z": "\x1a"}


def _read_quoted(text: str, start: int, backslash: bool = True) -> tuple[str, int]:
    quote, out, i = text[start], [], start + 1
    while i < len(text):
        ch = text[i]
        if ch == "\\" and backslash and i + 1 < len(text):
            out.append(_ESCAPES.get(text[i + 1], text[i + 1]))
            i += 2
        elif ch == quote:
            if text[i + 1 : i + 2] == quote:
                out.append(quote)
                i += 2
            else:
                return "".join(out), i + 1
        else:
            out.append(ch)
            i += 1
    raise ValueError(f"unterminated string in {text!r}")


@lru_cache(maxsize=4096)  # schemas repeat a few dozen spellings thousands of times
def parse_type(text: str, charset_of_table: str = "utf8mb4") -> ParsedType:
    """Normalise a type as SQLAlchemy compiles it or information_schema shows it."""
    match = _TYPE_HEAD.match(text)
    if not match:
        raise ValueError(f"cannot read type {text!r}")
    written = " ".join(match.group(1).lower().split())
    pos = match.end()
    args = None
    rest_start = pos
    stripped = text[pos:].lstrip()
    if stripped.startswith("("):
        open_at = len(text) - len(stripped)
        close_at = _scan_parens(text, open_at)
        args = text[open_at + 1 : close_at - 1].strip()
        rest_start = close_at
    words = _modifier_words(text[rest_start:])

    base = TYPE_SYNONYMS.get(written, written)
    if written in FORCED_ARGUMENTS:
        args = FORCED_ARGUMENTS[written]

    unsigned = "unsigned" in words
    zerofill = "zerofill" in words
    charset = _word_after(words, ("character", "set")) or _word_after(words, ("charset",))
    collation = _word_after(words, ("collate",))
    if "binary" in words and base in STRING_TYPES:
        collation = collation or f"{charset or charset_of_table}_bin"

    args = _normalise_arguments(base, args, charset or charset_of_table)
    if base in SIZED_FAMILIES and args is not None:
        base = _sized_type(base, int(args), charset or charset_of_table)
        args = None
    if base == "float" and args is not None and "," not in args:
        # FLOAT(p) is FLOAT for p <= 24, DOUBLE above.
        base = "float" if int(args) <= 24 else "double"
        args = None

    canonical = base if args is None else f"{base}({args})"
    if unsigned or zerofill:
        canonical += " unsigned"
    if zerofill:
        canonical += " zerofill"
    return ParsedType(
        canonical,
        CHARSET_ALIASES.get(charset.lower(), charset.lower()) if charset else None,
        collation.lower() if collation else None,
    )


def _modifier_words(text: str) -> list[str]:
    words = []
    for token in re.findall(r"`[^`]*`|\"[^\"]*\"|'[^']*'|[^\s=]+", text):
        words.append(token.strip("`\"'").lower())
    return words


def _word_after(words: list[str], keys: tuple[str, ...]) -> str | None:
    for i in range(len(words) - len(keys)):
        if tuple(words[i : i + len(keys)]) == keys:
            return words[i + len(keys)]
    return None


def _normalise_arguments(base: str, args: str | None, charset: str) -> str | None:
    if args is not None:
        if base in ("enum", "set"):
            return ",".join(quote_string(value) for value in parse_string_list(args))
        args = ",".join(part.strip() for part in args.split(","))
    if base in INTEGER_TYPES:
        # Display widths are cosmetic (and gone in MySQL 8.0.19+), except
        # TINYINT(1), which both servers keep because it spells Boolean.
        return "1" if base == "tinyint" and args == "1" else None
    if base == "year":
        return None
    if base in FRACTIONAL_TIME_TYPES and args == "0":
        return None
    if base == "decimal" and args is not None and "," not in args:
        return f"{args},0"
    if args is None:
        return DEFAULT_ARGUMENTS.get(base)
    return args


def _sized_type(family: str, length: int, charset: str) -> str:
    size = length * (CHARSET_MAX_BYTES.get(charset, 4) if family == "text" else 1)
    for name, limit in SIZED_FAMILIES[family]:
        if limit is None or size <= limit:
            return name
    raise AssertionError("unreachable")


def is_numeric(canonical_type: str) -> bool:
    return type_base(canonical_type) in NUMERIC_TYPES


def is_textual(canonical_type: str) -> bool:
    return type_base(canonical_type) in STRING_TYPES


def takes_collation(canonical_type: str) -> bool:
    """Only character types carry a collation (JSON is always utf8mb4_bin)."""
    return is_textual(canonical_type)


INTEGER_BITS = {"tinyint": 8, "smallint": 16, "mediumint": 24, "int": 32, "bigint": 64}
# Families where a later member holds everything an earlier one does.
WIDENING = (
    ("float", "double"),
    ("tinytext", "text", "mediumtext", "longtext"),
    ("tinyblob", "blob", "mediumblob", "longblob"),
    ("char", "varchar", "tinytext", "text", "mediumtext", "longtext"),
    ("binary", "varbinary", "tinyblob", "blob", "mediumblob", "longblob"),
    ("date", "datetime"),
    ("json", "longtext"),
    ("longtext", "json"),
)


def types_narrow(old: str, new: str) -> bool:
    """True when `new` may not hold every value `old` holds."""
    old_base, new_base = type_base(old), type_base(new)
    if old_base in INTEGER_BITS and new_base in INTEGER_BITS:
        (old_low, old_high), (new_low, new_high) = _integer_range(old), _integer_range(new)
        return new_low > old_low or new_high < old_high
    if old_base == new_base == "decimal":
        (old_p, old_s), (new_p, new_s) = _numbers(old)[:2], _numbers(new)[:2]
        return new_s < old_s or new_p - new_s < old_p - old_s or ("unsigned" in new and "unsigned" not in old)
    if old_base == new_base and old_base in ("enum", "set"):
        old_values = parse_string_list(old[old.index("(") + 1: old.rindex(")")])
        new_values = parse_string_list(new[new.index("(") + 1: new.rindex(")")])
        return new_values[: len(old_values)] != old_values
    if old_base == new_base:
        # Same type: a length or fractional-seconds precision may shrink.
        return (_first_number(new) or 0) < (_first_number(old) or 0)
    for family in WIDENING:
        if old_base in family and new_base in family:
            if family.index(new_base) < family.index(old_base):
                return True
            # char(n) -> varchar(m): lengths still count.
            old_len, new_len = _first_number(old), _first_number(new)
            return old_len is not None and new_len is not None and new_len < old_len
    return True


def _integer_range(canonical: str) -> tuple[int, int]:
    bits = INTEGER_BITS[type_base(canonical)]
    if "unsigned" in canonical:
        return 0, 2 ** bits - 1
    return -(2 ** (bits - 1)), 2 ** (bits - 1) - 1


def _numbers(text: str) -> tuple[int, ...]:
    return tuple(int(n) for n in re.findall(r"\d+", text))


def _first_number(text: str) -> int | None:
    match = re.search(r"\((\d+)", text)
    return int(match.group(1)) if match else None


# --- Defaults --------------------------------------------------------------

_CURRENT_TIMESTAMP = re.compile(
    r"^(?:current_timestamp|localtime|localtimestamp|now)\s*(?:\(\s*(\d*)\s*\))?$", re.I
)
_NUMBER = re.compile(r"^[+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?$", re.I)
_INTRODUCER = re.compile(r"^_[a-z0-9]+(?=')", re.I)
_ON_UPDATE = re.compile(r"\s+on\s+update\s+", re.I)


def current_timestamp(text: str) -> str | None:
    """'now()', 'current_timestamp(3)'... -> 'CURRENT_TIMESTAMP[(n)]', else None."""
    match = _CURRENT_TIMESTAMP.match(text.strip())
    if not match or (text.strip().lower().startswith("now") and "(" not in text):
        return None
    precision = match.group(1)
    return f"CURRENT_TIMESTAMP({precision})" if precision and precision != "0" else "CURRENT_TIMESTAMP"


def split_on_update(text: str) -> tuple[str, str | None]:
    """Split 'CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP' as SQLAlchemy users write it."""
    cut = _find_outside_quotes(text, _ON_UPDATE)
    if cut is None:
        return text, None
    start, end = cut
    return text[:start], text[end:].strip()


def _find_outside_quotes(text: str, pattern: re.Pattern) -> tuple[int, int] | None:
    quote = None
    for i, ch in enumerate(text):
        if quote:
            if ch == quote:
                quote = None
            continue
        if ch in "'\"`":
            quote = ch
            continue
        match = pattern.match(text, i)
        if match:
            return match.start(), match.end()
    return None


def _strip_outer_parens(text: str) -> str:
    text = text.strip()
    while text.startswith("(") and text.endswith(")"):
        try:
            if _scan_parens(text, 0) != len(text):
                break
        except ValueError:
            break
        text = text[1:-1].strip()
    return text


def normalize_default(text: str | None, column_type: str, server: ServerInfo) -> str | None:
    """Canonical DDL text of a default written in SQL literal syntax.

    This is the form SQLAlchemy compiles and MariaDB 10.2.7+ reports:
    strings quoted, numbers bare, functions as calls. None means no default.
    """
    if text is None:
        return None
    value = _strip_outer_parens(text)
    if value.upper() == "NULL":
        return None
    timestamp = current_timestamp(value)
    if timestamp:
        return timestamp
    value = _INTRODUCER.sub("", value)
    if value[:1] in ("'", '"'):
        try:
            literal, end = _read_quoted(value, 0, server.backslash_escapes)
        except ValueError:
            literal, end = None, -1
        if end == len(value):
            return literal_default(literal, column_type, server)
    if value.lower() in ("true", "false"):
        return literal_default("1" if value.lower() == "true" else "0", column_type, server)
    if _NUMBER.match(value):
        return literal_default(value, column_type, server)
    if re.match(r"^(?:b'[01]*'|x'[0-9a-f]*'|0x[0-9a-f]+)$", value, re.I):
        return value[0].lower() + value[1:].lower() if value[:2].lower() != "0x" else value.lower()
    return "(" + _canonical_expression(value) + ")"


def literal_default(value: str, column_type: str, server: ServerInfo) -> str:
    """A literal default value rendered for a column of `column_type`."""
    if is_numeric(column_type):
        try:
            number = Decimal(value.strip())
        except InvalidOperation:
            return quote_string(value, server.backslash_escapes)
        if number == number.to_integral_value():
            return str(int(number))
        return format(number.normalize(), "f")
    return quote_string(value, server.backslash_escapes)


# Spellings of the same function inside expressions, as MariaDB prints them back.
FUNCTION_SYNONYMS = {
    "now": "current_timestamp",
    "localtime": "current_timestamp",
    "localtimestamp": "current_timestamp",
    "current_date": "curdate",
    "current_time": "curtime",
}
# Functions that may be written without parentheses.
_BARE_FUNCTIONS = ("current_timestamp", "current_date", "current_time", "current_user",
                   "localtime", "localtimestamp", "utc_timestamp", "utc_date", "utc_time")
_FUNCTION_CALL = re.compile(r"\b([a-z_][a-z0-9_]*)(\s*\()?", re.I)


def _canonical_expression(text: str) -> str:
    """Lowercase and tighten an expression outside its quoted parts, with one
    spelling per function (now() is current_timestamp())."""
    out, i = [], 0
    while i < len(text):
        ch = text[i]
        if ch in "'\"":
            _, end = _read_quoted(text, i)
            out.append(text[i:end])
            i = end
        elif ch == "`":
            end = text.index("`", i + 1) + 1
            out.append(text[i:end])
            i = end
        else:
            end = i
            while end < len(text) and text[end] not in "'\"`":
                end += 1
            out.append(_canonical_code(text[i:end]))
            i = end
    return "".join(out).strip()


def _canonical_code(code: str) -> str:
    code = " ".join(code.lower().split())
    code = re.sub(r"\s*([(),])\s*", r"\1", code)

    def call(match: re.Match) -> str:
        name, paren = match.group(1), match.group(2)
        if not paren and name not in _BARE_FUNCTIONS:
            return match.group(0)
        return FUNCTION_SYNONYMS.get(name, name) + ("(" if paren else "()")

    return _FUNCTION_CALL.sub(call, code)


def reflected_default_mysql(raw: str | None, extra: str, column_type: str,
                            server: ServerInfo) -> str | None:
    """MySQL 8 reports literals unquoted and marks expressions DEFAULT_GENERATED."""
    if raw is None:
        return None
    if type_base(column_type) in ("datetime", "timestamp") and current_timestamp(raw):
        return current_timestamp(raw)  # MySQL 5.7 and 8.0 before 8.0.13 do not say DEFAULT_GENERATED
    if "default_generated" in extra.lower():
        return current_timestamp(raw) or "(" + _canonical_expression(_strip_outer_parens(raw)) + ")"
    if type_base(column_type) == "bit" or raw.lower().startswith(("b'", "0x")):
        return normalize_default(raw, column_type, server)
    return literal_default(raw, column_type, server)


# --- Quoting ---------------------------------------------------------------

def quote_identifier(name: str) -> str:
    return "`" + name.replace("`", "``") + "`"


def quote_string(value: str, backslash_escapes: bool = True) -> str:
    if backslash_escapes:
        # \r as an escape: the client would drop a raw carriage return reading the file.
        value = value.replace("\\", "\\\\").replace("\0", "\\0").replace("\r", "\\r").replace("\x1a", "\\Z")
    return "'" + value.replace("'", "''") + "'"


MYSQL_RULES = Rules(implicit_fk_indexes=True, takes_collation=lambda column_type: takes_collation(column_type))
