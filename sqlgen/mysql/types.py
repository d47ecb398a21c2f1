"""MySQL and MariaDB column types: one canonical spelling per server type.

Type rules are tables (synonyms, default arguments, sizes) so that the type
SQLAlchemy compiles and the COLUMN_TYPE information_schema reports normalise
to the same text, e.g. INTEGER and int(11) are both "int".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from .dialect import CHARSET_ALIASES, quote_string

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

# The display width ZEROFILL pads to when none is given (unsigned, as ZEROFILL implies).
ZEROFILL_WIDTHS = {"tinyint": 3, "smallint": 5, "mediumint": 8, "int": 10, "bigint": 20}
# The display width the server gives an integer type written without one: (signed, unsigned).
_DEFAULT_WIDTHS = {"tinyint": (4, 3), "smallint": (6, 5), "mediumint": (9, 8), "int": (11, 10), "bigint": (20, 20)}

# Type words that stand for a character set.
CHARSET_WORDS = {"ascii": "latin1", "unicode": "ucs2"}

# What character types become in the binary character set.
BINARY_EQUIVALENTS = {"char": "binary", "varchar": "varbinary", "tinytext": "tinyblob", "text": "blob",
                      "mediumtext": "mediumblob", "longtext": "longblob"}

# BOOL and BOOLEAN are TINYINT(1); the synonym alone would lose the width.
FORCED_ARGUMENTS = {"bool": "1", "boolean": "1"}

# TEXT(n)/BLOB(n) become the smallest type holding n bytes.
SIZED_FAMILIES = {
    "text": (("tinytext", 255), ("text", 65535), ("mediumtext", 16777215), ("longtext", None)),
    "blob": (("tinyblob", 255), ("blob", 65535), ("mediumblob", 16777215), ("longblob", None)),
}

# Bytes per character at most (information_schema.CHARACTER_SETS.MAXLEN of MariaDB 10.11 and MySQL 8),
# for TEXT(n) and the server's limits; "utf8" is utf8mb3's old name.
CHARSET_MAX_BYTES = {
    "armscii8": 1, "ascii": 1, "big5": 2, "binary": 1, "cp1250": 1, "cp1251": 1, "cp1256": 1, "cp1257": 1,
    "cp850": 1, "cp852": 1, "cp866": 1, "cp932": 2, "dec8": 1, "eucjpms": 3, "euckr": 2, "gb18030": 4,
    "gb2312": 2, "gbk": 2, "geostd8": 1, "greek": 1, "hebrew": 1, "hp8": 1, "keybcs2": 1, "koi8r": 1,
    "koi8u": 1, "latin1": 1, "latin2": 1, "latin5": 1, "latin7": 1, "macce": 1, "macroman": 1, "sjis": 2,
    "swe7": 1, "tis620": 1, "ucs2": 2, "ujis": 3, "utf16": 4, "utf16le": 4, "utf32": 4, "utf8mb3": 3,
    "utf8": 3, "utf8mb4": 4,
}


@dataclass(frozen=True)
class ParsedType:
    type: str  # canonical, e.g. "int unsigned", "varchar(50)"
    charset: str | None = None
    collation: str | None = None
    # The type with the display width it was written with, where the canonical form drops one
    # ("smallint(5)"): written into DDL as create_all writes it, never compared.
    display: str | None = None

    @property
    def base(self) -> str:
        return type_base(self.type)


@lru_cache(maxsize=4096)
def type_base(canonical: str) -> str:
    return re.split(r"[\s(]", canonical, maxsplit=1)[0]


# ENUM and SET values are numbered by their position: between them and a number, the server
# converts through that position, never through the text ('20', the second member, becomes 2;
# 2 becomes the second member, whatever it reads).
_BY_POSITION = frozenset({"enum", "set"})
_NUMBER_TYPES = NUMERIC_TYPES | {"bit", "year"}


def converts_by_position(old_type: str, new_type: str) -> bool:
    """Whether MODIFY from `old_type` to `new_type` maps ENUM/SET members to and from their
    positions instead of their text."""
    old, new = type_base(old_type), type_base(new_type)
    return (old in _BY_POSITION and new in _NUMBER_TYPES) or (old in _NUMBER_TYPES and new in _BY_POSITION)


_TYPE_HEAD = re.compile(r"\s*((?:national\s+|long\s+)?[a-z_][a-z0-9_]*(?:\s+(?:precision|varying))?)", re.I)


def scan_parens(text: str, start: int) -> int:
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
            value, i = read_quoted(text, i)
            values.append(value)
        elif ch in ", \t\n":
            i += 1
        else:
            raise ValueError(f"unexpected {ch!r} in value list {text!r}")
    return values


_ESCAPES = {"0": "\0", "b": "\b", "n": "\n", "r": "\r", "t": "\t", "Z": "\x1a"}


def read_quoted(text: str, start: int, backslash: bool = True) -> tuple[str, int]:
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
        close_at = scan_parens(text, open_at)
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
    if base in STRING_TYPES and not charset:
        # NATIONAL/NCHAR, ASCII and UNICODE are charsets spelled as type words.
        charset = next((CHARSET_WORDS[word] for word in words if word in CHARSET_WORDS), None)
        if written.startswith("national") or written in ("nchar", "nvarchar"):
            charset = "utf8mb3"
    if "binary" in words and base in STRING_TYPES:
        collation = collation or f"{charset or charset_of_table}_bin"
    effective_charset = (charset or (collation.split("_")[0] if collation else None) or charset_of_table).lower()
    if effective_charset == "binary" and base in BINARY_EQUIVALENTS:
        # Character types in the binary character set are the byte-string types.
        base, charset, collation = BINARY_EQUIVALENTS[base], None, None

    width = args.strip() if base in INTEGER_TYPES and args is not None and args.strip().isdigit() else None
    args = _normalise_arguments(base, args, effective_charset, zerofill)
    if base in SIZED_FAMILIES and args is not None:
        base = _sized_type(base, int(args), effective_charset)
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
    display = None
    if width is not None and args is None and int(width) not in (0, _DEFAULT_WIDTHS[base][unsigned]):
        display = f"{base}({int(width)})" + (" unsigned" if unsigned else "")
    return ParsedType(
        canonical,
        CHARSET_ALIASES.get(charset.lower(), charset.lower()) if charset else None,
        collation.lower() if collation else None,
        display,
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


_NUMBERS = re.compile(r"\d+(?:,\d+)?")


def _normalise_arguments(base: str, args: str | None, charset: str, zerofill: bool = False) -> str | None:
    if args is not None:
        if base in ("enum", "set"):
            return ",".join(quote_string(value) for value in parse_string_list(args))
        args = ",".join(part.strip() for part in args.split(","))
        if not _NUMBERS.fullmatch(args):  # a length, a precision and scale: nothing else reaches the DDL
            raise ValueError(f"{base} takes one or two numbers in its parentheses, not ({args})")
    if base in INTEGER_TYPES:
        if zerofill:
            # ZEROFILL pads to the display width, so there it counts.
            return args or str(ZEROFILL_WIDTHS[base])
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
