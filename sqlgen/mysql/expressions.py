"""Defaults and SQL expressions, normalised so both sides of a diff agree.

The models' defaults come as SQLAlchemy compiles them; the database's as
MariaDB (quoted literals, `current_timestamp()`) or MySQL 8 (bare literals,
DEFAULT_GENERATED) report them. Each becomes one canonical DDL text; an
expression default becomes the canonical key of its expression (sqlgen.expressions,
re-exported here as expression_key).
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from ..expressions import expression_key, single_quoted, strip_outer_parens
from .dialect import ServerInfo, quote_string
from .types import read_quoted, is_numeric, type_base

_CURRENT_TIMESTAMP = re.compile(
    r"^(?:current_timestamp|localtime|localtimestamp|now)\s*(?:\(\s*(\d*)\s*\))?$", re.I
)
_NUMBER = re.compile(r"^[+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?$", re.I)
_INTRODUCER = re.compile(r"^_[a-z0-9]+(?=')", re.I)
_ON_UPDATE = re.compile(r"\s+on\s+update\s+", re.I)


def reserved_words(server: ServerInfo) -> frozenset:
    """The words the server's flavour reserves (SQLAlchemy's lists, which its compiler quotes by)."""
    from sqlalchemy.dialects.mysql.reserved_words import RESERVED_WORDS_MARIADB, RESERVED_WORDS_MYSQL

    return frozenset(RESERVED_WORDS_MARIADB if server.is_mariadb else RESERVED_WORDS_MYSQL)


# Operators the server reads as words, and prints back so (`a || b` is stored as `a or b`): in the
# default sql_mode `||` is OR (PIPES_AS_CONCAT, as in ANSI, makes it CONCAT: see portable()).
WORD_OPERATORS = {"||": "or", "&&": "and"}


def key(text: str, server: ServerInfo) -> str:
    """The canonical key of an expression on this server (sqlgen.expressions.expression_key)."""
    return expression_key(text, reserved=reserved_words(server), word_operators=WORD_OPERATORS)


# In an expression as the default sql_mode reads it: whole '' strings, "" strings, `names`, and ||.
_MODE_DEPENDENT = re.compile(r"""'(?:[^'\\]|\\.|'')*'|(?P<double>"(?:[^"\\]|\\.|"")*")|`(?:[^`]|``)*`"""
                             r"""|(?P<pipes>[ \t]*\|\|[ \t]*)""", re.S)


def portable(text: str) -> str:
    """An expression (CHECK, generated column, index part) as the server's default sql_mode reads
    it, spelled so that every session reads it so: a "" string, a name under ANSI_QUOTES, becomes a
    '' one; `||`, CONCAT under PIPES_AS_CONCAT (ANSI, ORACLE...), becomes OR. Its '' strings
    stay as they are: a file holding a backslash reads it as an escape whatever the session's
    NO_BACKSLASH_ESCAPES (sqlgen.splitter.PIN_ESCAPES)."""
    if '"' not in text and "||" not in text:
        return text
    return _MODE_DEPENDENT.sub(_portable_token, text)


def _portable_token(match: re.Match) -> str:
    if match.group("double") is not None:
        return single_quoted(match.group())
    if match.group("pipes") is not None:
        return " OR "
    return match.group()


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


def normalize_default(text: str | None, column_type: str, server: ServerInfo) -> str | None:
    """Canonical DDL text of a default written in SQL literal syntax.

    This is the form SQLAlchemy compiles and MariaDB 10.2.7+ reports:
    strings quoted, numbers bare, functions as calls. None means no default.
    """
    if text is None:
        return None
    value = strip_outer_parens(text)
    if value.upper() == "NULL":
        return None
    timestamp = current_timestamp(value)
    if timestamp:
        return timestamp
    value = _INTRODUCER.sub("", value)
    if value[:1] in ("'", '"'):
        try:
            literal, end = read_quoted(value, 0)  # SQLAlchemy and the server write escapes
        except ValueError:
            literal, end = None, -1
        if end == len(value):
            return literal_default(literal, column_type, server)
    if value.lower() in ("true", "false"):
        return literal_default("1" if value.lower() == "true" else "0", column_type, server)
    if _NUMBER.match(value):
        return literal_default(value, column_type, server)
    if re.fullmatch(r"b'[01]*'", value, re.I):
        return literal_default(value, column_type, server) if type_base(column_type) == "bit" else value.lower()
    if re.match(r"^(?:x'[0-9a-f]*'|0x[0-9a-f]+)$", value, re.I):
        return value[0].lower() + value[1:].lower() if value[:2].lower() != "0x" else value.lower()
    return "(" + key(value, server) + ")"


def literal_default(value: str, column_type: str, server: ServerInfo) -> str:
    """A literal default value rendered for a column of `column_type`, the way the
    server stores it: numbers at the column's scale, dates padded, bits as b'...'."""
    base = type_base(column_type)
    if base == "bit":
        number = _bit_value(value)
        if number is not None:
            return f"b'{number:b}'"
    if is_numeric(column_type):
        try:
            number = Decimal(value.strip())
        except InvalidOperation:
            return quote_string(value)
        if base == "decimal":
            scale = int(re.search(r",(\d+)\)", column_type).group(1))
            number = number.quantize(Decimal(1).scaleb(-scale), rounding=ROUND_HALF_UP)
        if number == number.to_integral_value():
            return str(int(number))
        return format(number.normalize(), "f")
    if base in TEMPORAL_FORMATS:
        value = _temporal(value, base, column_type)
    elif base == "set":
        value = _set_in_type_order(value, column_type)
    elif base == "char":
        value = value.rstrip(" ")  # the server keeps a CHAR without its trailing spaces
    return quote_string(value)


def _bit_value(value: str) -> int | None:
    value = value.strip().lower()
    if re.fullmatch(r"b'[01]*'", value):
        return int(value[2:-1] or "0", 2)
    if value.isascii() and value.isdigit():  # not '²' (int() refuses it) nor '١' (int() reads 1)
        return int(value)
    return None


_DATE = r"(\d{1,4})-(\d{1,2})-(\d{1,2})"
_TIME = r"(-?\d{1,3}):(\d{1,2}):(\d{1,2})(?:\.(\d{1,6}))?"
TEMPORAL_FORMATS = {
    "date": re.compile(_DATE + r"(?:[ T].*)?"),
    "datetime": re.compile(_DATE + r"(?:[ T]" + _TIME + ")?"),
    "timestamp": re.compile(_DATE + r"(?:[ T]" + _TIME + ")?"),
    "time": re.compile(_TIME),
}


def _temporal(value: str, base: str, column_type: str) -> str:
    """'2020-1-2' on a DATETIME(3) is stored as '2020-01-02 00:00:00.000'."""
    match = TEMPORAL_FORMATS[base].fullmatch(value.strip())
    if not match:
        return value
    fsp = int(re.search(r"\((\d)\)", column_type).group(1)) if "(" in column_type else 0
    parts = match.groups()
    if base == "date":
        year, month, day = parts[:3]
        return f"{int(year):04d}-{int(month):02d}-{int(day):02d}"
    if base == "time":
        hours, minutes, seconds, fraction = parts
        text = f"{int(hours):02d}:{int(minutes):02d}:{int(seconds):02d}"
    else:
        year, month, day, hours, minutes, seconds, fraction = parts
        text = (f"{int(year):04d}-{int(month):02d}-{int(day):02d} "
                f"{int(hours or 0):02d}:{int(minutes or 0):02d}:{int(seconds or 0):02d}")
    if fsp:
        text += "." + (fraction or "")[:fsp].ljust(fsp, "0")
    return text


def _set_in_type_order(value: str, column_type: str) -> str:
    """A SET default lists its members in the order the type declares them."""
    from .types import parse_string_list

    members = parse_string_list(column_type[column_type.index("(") + 1: column_type.rindex(")")])
    chosen = {member for member in value.split(",") if member}
    if not chosen <= set(members):
        return value
    return ",".join(member for member in members if member in chosen)


def reflected_default_mysql(raw: str | None, extra: str, column_type: str,
                            server: ServerInfo) -> str | None:
    """MySQL 8 reports literals unquoted and marks expressions DEFAULT_GENERATED."""
    if raw is None:
        return None
    if type_base(column_type) in ("datetime", "timestamp") and current_timestamp(raw):
        return current_timestamp(raw)  # MySQL 5.7 and 8.0 before 8.0.13 do not say DEFAULT_GENERATED
    if "default_generated" in extra.lower():
        return current_timestamp(raw) or "(" + key(strip_outer_parens(raw), server) + ")"
    if type_base(column_type) == "bit" or raw.lower().startswith(("b'", "0x")):
        return normalize_default(raw, column_type, server)
    return literal_default(raw, column_type, server)
