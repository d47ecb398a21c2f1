"""Read what SQLite keeps only in a table's CREATE TABLE text.

PRAGMA table_xinfo, index_list and foreign_key_list give columns, indexes and
keys, but not constraint names, CHECK conditions, collations, generation
expressions or AUTOINCREMENT. Those come from the CREATE TABLE statement
stored in sqlite_master, split here into its column definitions and table
constraints.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_TOKEN = re.compile(
    r"""(?P<string>'(?:[^']|'')*')"""
    r"""|(?P<ident>"(?:[^"]|"")*"|`(?:[^`]|``)*`|\[[^\]]*\])"""
    r"""|(?P<comment>--[^\n]*|/\*.*?(?:\*/|$))"""  # kept by SQLite in a hand-written CREATE TABLE
    r"""|(?P<word>[A-Za-z0-9_$.\u0080-\U0010ffff]+)"""  # SQLite takes any non-ASCII character in a name
    r"""|(?P<op>\S)""",
    re.S,
)
# Words that end a column's type and start its constraints.
_COLUMN_CONSTRAINT = {"constraint", "primary", "not", "null", "unique", "check", "default", "collate",
                      "references", "generated", "as"}
_TABLE_CONSTRAINT = {"constraint", "primary", "unique", "check", "foreign"}


@dataclass
class ColumnText:
    name: str
    collation: str | None = None
    generated: str | None = None  # the expression
    stored: bool = False
    autoincrement: bool = False
    checks: list[tuple[str | None, str]] = field(default_factory=list)  # (name, condition)
    unique_name: str | None = None
    foreign_key_name: str | None = None


@dataclass
class TableText:
    columns: dict[str, ColumnText] = field(default_factory=dict)
    checks: list[tuple[str | None, str]] = field(default_factory=list)
    uniques: list[tuple[str | None, tuple[str, ...]]] = field(default_factory=list)
    foreign_keys: list[tuple[str | None, tuple[str, ...]]] = field(default_factory=list)


def unquote(identifier: str) -> str:
    if identifier[:1] in "\"`" and identifier[-1:] == identifier[:1]:
        return identifier[1:-1].replace(identifier[0] * 2, identifier[0])
    if identifier[:1] == "[" and identifier[-1:] == "]":
        return identifier[1:-1]
    return identifier


def unquote_name(text: str) -> str:
    """A name where SQLite expects one: quoted any of its ways, 'single quotes' included
    (SQLite reads a string there as the name)."""
    if len(text) >= 2 and text[0] == text[-1] == "'":
        return text[1:-1].replace("''", "'")
    return unquote(text)


def without_comments(text: str) -> str:
    """`text` with each comment outside quotes made a space. An expression cut out of a
    CREATE TABLE (or a default SQLite reports) can end in a `-- ` comment whose line break
    was left behind: written back, it would swallow the rest of the statement."""
    return _TOKEN.sub(lambda match: " " if match.lastgroup == "comment" else match.group(), text)


def parse_create_table(sql: str) -> TableText:
    tokens = [_Token(m.lastgroup, m.group(), m.start(), m.end(), sql) for m in _TOKEN.finditer(sql)
              if m.lastgroup != "comment"]
    start = next(i for i, token in enumerate(tokens) if token[:2] == ("op", "("))
    result = TableText()
    for item in _split_items(tokens[start + 1:], sql):
        words = [value.lower() if kind == "word" else None for kind, value in item]
        if words and words[0] in _TABLE_CONSTRAINT:
            _table_constraint(item, words, result)
        elif item:
            column = _column(item, words)
            result.columns[column.name] = column
    return result


class _Token(tuple):
    """(kind, value) that also knows where it stands in the SQL text."""

    def __new__(cls, kind, value, start, end, sql):
        token = super().__new__(cls, (kind, value))
        token.start, token.end, token.sql = start, end, sql
        return token


def _split_items(tokens, sql) -> list[list[tuple[str, str]]]:
    """The comma-separated items between the outer parentheses."""
    items, current, depth = [], [], 0
    for token in tokens:
        kind, value = token
        if value == "(":
            depth += 1
        elif value == ")":
            if depth == 0:
                break
            depth -= 1
        elif value == "," and depth == 0:
            items.append(current)
            current = []
            continue
        current.append(token)
    items.append(current)
    return items


def _parenthesised(item, start: int) -> tuple[str, int]:
    """The text inside the parentheses opening at item[start], as written but without
    comments, and the index after them."""
    depth = 0
    for i in range(start, len(item)):
        value = item[i][1]
        if value == "(":
            depth += 1
        elif value == ")":
            depth -= 1
            if depth == 0:
                opening, closing = item[start], item[i]
                return without_comments(opening.sql[opening.end:closing.start]).strip(), i + 1
    return "", len(item)


def _names(text: str) -> tuple[str, ...]:
    """Column names of a column list: the first token of each item, quoted names whole."""
    names, first = [], True
    for match in _TOKEN.finditer(text):
        if match.group() == ",":
            first = True
        elif first and match.lastgroup in ("ident", "word", "string"):
            names.append(unquote_name(match.group()))
            first = False
    return tuple(names)


def _table_constraint(item, words, result: TableText) -> None:
    name = None
    i = 0
    if words[0] == "constraint":
        name, i = unquote_name(item[1][1]), 2
    kind = words[i]
    if kind == "check":
        condition, _ = _parenthesised(item, i + 1)
        result.checks.append((name, condition))
    elif kind == "unique":
        columns, _ = _parenthesised(item, i + 1)
        result.uniques.append((name, _names(columns)))
    elif kind == "foreign":
        columns, _ = _parenthesised(item, i + 2)
        result.foreign_keys.append((name, _names(columns)))


def _column(item, words) -> ColumnText:
    column = ColumnText(unquote_name(item[0][1]))
    i = 1
    while i < len(item) and words[i] not in _COLUMN_CONSTRAINT:
        i += 1
    name = None
    while i < len(item):
        word = words[i]
        if word == "constraint":
            name, i = unquote_name(item[i + 1][1]), i + 2
            continue
        if word == "collate":
            column.collation, i = unquote_name(item[i + 1][1]), i + 2
        elif word == "check":
            condition, i = _parenthesised(item, i + 1)
            column.checks.append((name, condition))
        elif word in ("generated", "as"):
            while words[i] != "as":
                i += 1
            column.generated, i = _parenthesised(item, i + 1)
            if i < len(item) and words[i] in ("stored", "virtual"):
                column.stored, i = words[i] == "stored", i + 1
        elif word == "autoincrement":
            column.autoincrement, i = True, i + 1
        elif word == "unique":
            column.unique_name, i = name, i + 1
        elif word == "references":
            column.foreign_key_name, i = name, i + 1
        elif word == "default" and i + 1 < len(item) and item[i + 1][1] == "(":
            _, i = _parenthesised(item, i + 1)
        else:
            i += 1
        name = None
    return column
