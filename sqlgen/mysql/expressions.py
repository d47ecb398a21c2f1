"""Defaults and SQL expressions, normalised so both sides of a diff agree.

The models' defaults come as SQLAlchemy compiles them; the database's as
MariaDB (quoted literals, `current_timestamp()`) or MySQL 8 (bare literals,
DEFAULT_GENERATED) report them. Each becomes one canonical DDL text.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from .dialect import ServerInfo, quote_string
from .types import read_quoted, scan_parens, is_numeric, type_base

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
            if scan_parens(text, 0) != len(text):
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
            literal, end = read_quoted(value, 0, server.backslash_escapes)
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
            _, end = read_quoted(text, i)
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
