"""SQLite: the database file, quoting and normalisation rules.

SQLite keeps a column's type and default as they were written, so both sides
of a diff normalise little: spacing, letter case and outer parentheses.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..errors import SqlgenError
from ..expressions import expression_key as _canonical_key
from ..safety import ExpressionRules, NameRules
from ..splitter import Reading
from .parse import _TOKEN, without_comments

READING = Reading("sqlite3", shell_style=True)  # files run in the sqlite3 shell
NAME_RULES = NameRules(server="SQLite")
# SQLite's quotes: '', "", ``, [] and no backslash escapes; `--` is always a comment.
EXPRESSION_RULES = ExpressionRules(closers=(("[", "]"),), backslash_escapes="", dash_comment_needs_space=False,
                                   backslash_outside_quotes=True, identifier_quotes="\"`")
# A column type as SQLite takes it: words, then up to two signed numbers in parentheses.
_TYPE = re.compile(r"(?:[A-Z_][A-Z0-9_]*(?: [A-Z_][A-Z0-9_]*)*(?:\([+-]?\d+(?:,[+-]?\d+)?\))?)?")


@dataclass(frozen=True)
class ServerInfo:
    version: tuple[int, ...]
    version_string: str
    database: str  # the file
    flavour: str = "sqlite"
    sql_mode: str = ""  # SQLite has none; the splitter reads every file the same way

    @property
    def label(self) -> str:
        return f"sqlite {self.version_string}"

    @property
    def supports_drop_column(self) -> bool:
        return self.version >= (3, 35)


def quote_identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def quote_string(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def normalize_type(text: str) -> str:
    """`NUMERIC(10, 2)` and `numeric(10,2)` are one type."""
    text = " ".join(text.upper().split())
    return re.sub(r"\s*([(),])\s*", r"\1", text).rstrip()


def check_type(text: str, where: str) -> str:
    """A declared type is written into CREATE TABLE bare: words and numbers only."""
    if not _TYPE.fullmatch(text):
        raise SqlgenError(f"cannot render {where}: the type {text!r} is not one SQLite can be given (words, then "
                          "up to two numbers in parentheses); fix the column's type")
    return text


_LITERAL = re.compile(
    r"""^(?:'(?:[^']|'')*'|[+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?|null|true|false|x'[0-9a-f]*'"""
    r"""|current_timestamp|current_date|current_time)$""",
    re.I,
)


def normalize_default(text: str | None) -> str | None:
    """A default as SQLite reports it: without its outer parentheses, nor comments (SQLite
    reports `DEFAULT (1 -- one\\n)` as `1 -- one`, without the line break ending the comment)."""
    if text is None:
        return None
    text = without_comments(text).strip()
    while text.startswith("(") and text.endswith(")") and _balanced(text[1:-1]):
        text = text[1:-1].strip()
    if text.upper() == "NULL":
        return None
    if re.fullmatch(r"current_(timestamp|date|time)", text, re.I):
        return text.upper()
    return text


def render_default(default: str) -> str:
    """A literal is written bare; an expression goes in parentheses."""
    return default if _LITERAL.match(default) else f"({default})"


def _balanced(text: str) -> bool:
    depth = 0
    for kind, value in ((m.lastgroup, m.group()) for m in _TOKEN.finditer(text)):
        if value == "(":
            depth += 1
        elif value == ")":
            depth -= 1
            if depth < 0:
                return False
    return depth == 0


def expression_key(text: str) -> str:
    """One spelling of a condition or expression (see sqlgen.expressions): double-quoted
    and bracketed names are identifiers in SQLite, written in the key's backquotes."""
    converted = []
    for match in _TOKEN.finditer(text):
        value = match.group()
        if match.lastgroup == "ident":
            from .parse import unquote

            value = "`" + unquote(value).replace("`", "``") + "`"
        converted.append(value)
    return _canonical_key(" ".join(converted), backslash_escapes=False)  # SQLite has no escapes


def normalize_action(rule: str | None) -> str:
    """SQLite reports NO ACTION when none was given."""
    return " ".join((rule or "NO ACTION").upper().split())


# A table rebuild creates the new table under this prefix, then renames it.
REBUILD_PREFIX = "_sqlgen_new_"
