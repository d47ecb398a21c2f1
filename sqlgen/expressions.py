"""The canonical key of an SQL expression, the same for every dialect.

Both sides of a diff hold CHECK conditions, generated columns, expression
index parts and expression defaults as written or as the database prints them
back; what they compare is this key. A dialect turns its own spelling into the
key's notation first (SQLite's double-quoted names become backquoted ones) and
says whether its strings take backslash escapes.

The notation is MySQL's: backquoted names, string literals with backslash
escapes, names quoted when MySQL or MariaDB reserve them. The key is still
valid SQL there, and sqlgen writes it for MySQL expression defaults.
"""

from __future__ import annotations

import re

_TOKEN = re.compile(
    r"""(?P<bits>b'[01]*'|x'[0-9a-f]*'|0x[0-9a-f]+\b)"""
    r"""|(?P<string>_[a-z0-9]+(?=')|'(?:[^'\\]|\\.|'')*'|"(?:[^"\\]|\\.|"")*")"""
    r"""|(?P<quoted>`(?:[^`]|``)*`)"""
    r"""|(?P<word>[A-Za-z0-9_$.@]+)"""
    r"""|(?P<op><=>|<>|!=|>=|<=|:=|<<|>>|&&|\|\||->>|->|\S)""",
    re.S | re.I,
)
# Quoted text read to its end without giving back (a quote left open is a quote alone), and parentheses.
# (Python 3.10 has no possessive quantifiers: a lookahead then a backreference takes the same text
# without giving any back.)
_QUOTED_OR_PAREN = re.compile(r"""'(?=((?:[^'\\]|\\.|'')*))\1'|"(?=((?:[^"\\]|\\.|"")*))\2"|`(?=((?:[^`]|``)*))\3`"""
                              r"""|['"`]|[()]""", re.S)
_PLAIN_IDENTIFIER = re.compile(r"[a-z_][a-z0-9_$]*")
OPERATOR_SYNONYMS = {"!=": "<>"}
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
# What a backslash followed by these letters stands for (any other character stands for itself),
# and how the key writes those characters back.
_ESCAPES = {"0": "\0", "b": "\b", "n": "\n", "r": "\r", "t": "\t", "Z": "\x1a"}
_WRITTEN = str.maketrans({"\\": "\\\\", **{char: "\\" + letter for letter, char in _ESCAPES.items()}})
# A whole string literal: a doubled quote stands for one, and with backslash escapes a backslash
# takes the next character.
_LITERAL = {
    ("'", True): re.compile(r"'(?=((?:[^'\\]|\\.|'')*))\1'", re.S),
    ('"', True): re.compile(r'"(?=((?:[^"\\]|\\.|"")*))\1"', re.S),
    ("'", False): re.compile(r"'(?=((?:[^']|'')*))\1'", re.S),
    ('"', False): re.compile(r'"(?=((?:[^"]|"")*))\1"', re.S),
}
_ESCAPE_OR_DOUBLED = {"'": re.compile(r"\\(.)|''", re.S), '"': re.compile(r'\\(.)|""', re.S)}


def expression_key(text: str, backslash_escapes: bool = True, reserved: frozenset | None = None,
                   word_operators: dict[str, str] | None = None) -> str:
    """One spelling of an SQL expression, however it was written or printed back:
    lowercase outside quotes, no backticks around plain names, no spaces but
    between words, one name per function (now() is current_timestamp()), no
    charset introducers, and string literals in one quoting (the server prints
    `'a\\nb'` for a literal written with a line break). Still valid SQL, so it is
    also what sqlgen writes. `reserved`: the words the server reflected reserves, which
    keep their backticks (MySQL 8 reserves `grouping`, MariaDB does not); by default any
    word either reserves. `word_operators`: operators the dialect reads as a word and prints
    back so (MySQL: `||` is OR, `&&` is AND)."""
    if reserved is None:
        from sqlalchemy.dialects.mysql.reserved_words import RESERVED_WORDS_MARIADB, RESERVED_WORDS_MYSQL

        reserved = RESERVED_WORDS_MYSQL | RESERVED_WORDS_MARIADB
    tokens: list[tuple[str, str]] = []
    # MySQL 8 wraps CHECK clauses and generation expressions in parentheses.
    for match in _TOKEN.finditer(strip_outer_parens(text)):
        kind, value = match.lastgroup, match.group()
        if kind == "bits":
            # b'101', x'05' and 0x05 are the same bytes; MariaDB prints them as 0x05.
            kind, value = "word", _hex_literal(value)
        elif kind == "string":
            if value.startswith("_"):
                continue  # _utf8mb4'x' is 'x'
            value = _canonical_string(value, backslash_escapes)
        elif kind == "quoted":
            name = value[1:-1].replace("``", "`").lower()
            if _PLAIN_IDENTIFIER.fullmatch(name) and name not in reserved:
                kind, value = "word", name
            else:
                value = "`" + name.replace("`", "``") + "`"
        elif kind == "word":
            value = value.lower()
        elif word_operators and value in word_operators:
            kind, value = "word", word_operators[value]
        else:
            value = OPERATOR_SYNONYMS.get(value, value)
        tokens.append((kind, value))
    tokens = _function_spellings(tokens)
    out = []
    previous = None
    for kind, value in tokens:
        if previous is not None and (
            (previous[0] != "op" and kind != "op")  # words and strings stay apart
            # never write a comment mark: "--", "/*", "*/" (nor "#", which no expression holds)
            or (previous[1][-1:], value[:1]) in (("-", "-"), ("/", "*"), ("*", "/"))
        ):
            out.append(" ")
        out.append(value)
        previous = (kind, value)
    return "".join(out)


def strip_outer_parens(text: str) -> str:
    """`((a + 1))` -> `a + 1`: the parentheses that enclose all of the text (quotes honoured)."""
    text = text.strip()
    while text.startswith("(") and text.endswith(")") and _closed_at_end(text):
        text = text[1:-1].strip()
    return text


def _closed_at_end(text: str) -> bool:
    """Whether the '(' that starts `text` is closed by its last character."""
    depth = 0
    for match in _QUOTED_OR_PAREN.finditer(text):
        token = match.group()
        if token == "(":
            depth += 1
        elif token == ")":
            depth -= 1
            if depth == 0:
                return match.end() == len(text)
        elif len(token) == 1:
            return False  # a quote left open runs to the end
    return False


def _canonical_string(literal: str, backslash_escapes: bool) -> str:
    """A quoted literal in the key's quoting; text that is not one whole literal stays as it is."""
    quote = literal[0]
    match = _LITERAL[quote, backslash_escapes].fullmatch(literal)
    if not match:
        return literal
    if backslash_escapes:
        value = _ESCAPE_OR_DOUBLED[quote].sub(_unescape, match.group(1))
    else:
        value = match.group(1).replace(quote * 2, quote)
    return "'" + value.translate(_WRITTEN).replace("'", "''") + "'"


def single_quoted(literal: str, backslash_escapes: bool = True) -> str:
    """A whole '' or "" string literal as the key writes it: in '' with backslash escapes."""
    return _canonical_string(literal, backslash_escapes)


def _unescape(match: re.Match) -> str:
    escaped = match.group(1)
    return match.group()[0] if escaped is None else _ESCAPES.get(escaped, escaped)


def _hex_literal(text: str) -> str:
    text = text.lower()
    if text.startswith("b'"):
        bits = text[2:-1] or "0"
        digits = max(1, (len(bits) + 7) // 8) * 2
        return "0x" + format(int(bits, 2), f"0{digits}x")
    digits = text[2:-1] if text.startswith("x'") else text[2:]
    return "0x" + (digits if len(digits) % 2 == 0 else "0" + digits)


def _function_spellings(tokens: list[tuple[str, str]]) -> list[tuple[str, str]]:
    result = []
    for i, (kind, value) in enumerate(tokens):
        called = i + 1 < len(tokens) and tokens[i + 1] == ("op", "(")
        if kind == "word" and (called or value in _BARE_FUNCTIONS):
            result.append((kind, FUNCTION_SYNONYMS.get(value, value)))
            if not called:
                result += [("op", "("), ("op", ")")]
            continue
        result.append((kind, value))
    return result
