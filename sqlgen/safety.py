"""Text that reaches a migration file from outside: the models, options, the database.

A DBA trusts that a comment is a comment and a statement is what it looks like.
Three guards keep it so, whatever a name, a value or an option holds:

- `printable()` shows a value inside a `-- ` comment or a one-line summary with
  every line break and control character escaped (`\\n`), so no value can end its
  comment, and none can make a line look other than it is.
- `check_name()` refuses names the server cannot store, or no reviewer can read.
- `check_expression()` takes one SQL expression and nothing more: no `;`, no
  comment, no unbalanced quote or parenthesis, no client command outside string
  literals.

Nothing here knows a dialect; each dialect passes its own rules.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from .errors import SqlgenError

# Line breaks of every kind, other control characters, and the characters that
# reorder or hide text when shown (bidirectional overrides, the byte-order mark).
# ... and lone surrogates, which are not text at all (an undecodable byte in an argument).
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff"
                     "\ud800-\udfff]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t", "\v": "\\v", "\f": "\\f", "\0": "\\0"}


def _escape(match: re.Match) -> str:
    char = match.group()
    if char in _NAMED:
        return _NAMED[char]
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text) -> str:
    """`text` on one line, safe inside a comment: line breaks and control
    characters appear escaped (`\\n`, `\\x85`, `\\u2028`)."""
    text = str(text)
    return _UNSAFE.sub(_escape, text) if _UNSAFE.search(text) else text


def has_unsafe_characters(text: str) -> bool:
    return _UNSAFE.search(text) is not None


# --- Names -------------------------------------------------------------------------

@dataclass(frozen=True)
class NameRules:
    """What a dialect's server accepts in a name."""

    max_length: int | None = None  # in characters
    trailing_space: bool = True  # may a name end with a space?
    supplementary: bool = True  # characters beyond U+FFFF (emoji)?
    server: str = "the server"  # for messages: who refuses


_SUPPLEMENTARY = re.compile("[\U00010000-\U0010ffff]")


def check_name(name, kind: str, owner: str | None = None, rules: NameRules = NameRules()) -> None:
    """Refuse a name the server cannot store or a reviewer cannot read, in one
    line naming the object. `kind` is e.g. "column", `owner` e.g. "table post"."""
    where = f" of {owner}" if owner else ""
    if not isinstance(name, str) or not name:
        raise SqlgenError(f"a {kind}{where} has an empty name; give it a name")
    shown = f"{kind} {name!r}{where}"
    found = _UNSAFE.search(name)
    if found:
        raise SqlgenError(f"{shown}: its name holds a line break or control character ({_escape(found)}); "
                          "rename it (such names cannot be reviewed, and sqlgen does not write them)")
    if not unicodedata.is_normalized("NFC", name):
        raise SqlgenError(f"{shown}: its name is not in Unicode normal form NFC, so it looks exactly like another "
                          f"name ({unicodedata.normalize('NFC', name)!r}) but is not; rename it, written composed (NFC)")
    if not rules.trailing_space and name != name.rstrip():
        raise SqlgenError(f"{shown}: its name ends with a space, which {rules.server} refuses; rename it")
    if not rules.supplementary and _SUPPLEMENTARY.search(name):
        raise SqlgenError(f"{shown}: its name holds a character beyond U+FFFF (such as an emoji), which "
                          f"{rules.server} refuses in names; rename it")
    if rules.max_length is not None and len(name) > rules.max_length:
        raise SqlgenError(f"{shown}: its name is {len(name)} characters long and {rules.server} allows "
                          f"{rules.max_length}; give it a shorter name")


# --- Expressions -------------------------------------------------------------------

@dataclass(frozen=True)
class ExpressionRules:
    """How a dialect's SQL quotes and comments."""

    quotes: str = "'\"`"
    closers: tuple[tuple[str, str], ...] = ()  # quotes that close with another character, e.g. ("[", "]")
    backslash_escapes: str = "'\""  # quotes inside which a backslash escapes the next character
    hash_comments: bool = False  # `#` starts a comment
    dash_comment_needs_space: bool = True  # `--` starts a comment only before a space (MySQL)
    backslash_outside_quotes: bool = False  # a backslash outside quotes is harmless (not a client command)
    identifier_quotes: str = "`"  # which of `quotes` (and every closer) quote a name rather than a string


def check_expression(text: str, what: str, *rules: ExpressionRules) -> None:
    """Refuse `text` unless it is one SQL expression under each of `rules` (a dialect
    may read quotes more than one way): nothing outside string literals may end the
    statement, start a comment, reach the client, or close the parenthesis the
    expression is written in."""
    for each in rules or (ExpressionRules(),):
        problem = expression_problem(str(text), each)
        if problem:
            raise SqlgenError(f"{what} is not one SQL expression: it holds {problem} ({text!r}); "
                              "write a single expression, with any such text inside a string literal")


def expression_problem(text: str, rules: ExpressionRules) -> str | None:
    closers = dict(rules.closers)
    depth, i, end = 0, 0, len(text)
    if "\0" in text:
        return "a NUL character, which the mysql client refuses"
    if "\r\n" in text:
        return "a carriage return before a line feed, which the clients drop when they read a file (write CHAR(13))"
    while i < end:
        char = text[i]
        if char in rules.quotes or char in closers:
            close = closers.get(char, char)
            i = _after_quote(text, i + 1, close, char in rules.backslash_escapes)
            if i < 0:
                return f"an unclosed {char}"
            continue
        pair = text[i:i + 2]
        if char == ";":
            return "a ';'"
        if pair == "--" and (not rules.dash_comment_needs_space or i + 2 == end or text[i + 2] <= " "):
            return "a comment (--)"
        if char == "#" and rules.hash_comments:
            return "a comment (#)"
        if pair == "/*":
            return "a comment (/*)"
        if pair == "*/":
            return "the end of a comment (*/)"
        if char == "\\" and not rules.backslash_outside_quotes:
            return "a backslash outside a string literal, which the mysql client reads as a command"
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth < 0:
                return "a ')' that closes more than it opened"
        i += 1
    return "an unclosed (" if depth else None


def _after_quote(text: str, i: int, close: str, backslash: bool) -> int:
    """The index after the quote closing at or after `i`, or -1."""
    end = len(text)
    while i < end:
        char = text[i]
        if backslash and char == "\\":
            i += 2
            continue
        if char == close:
            if text[i + 1:i + 2] == close:  # a doubled quote stands for itself
                i += 2
                continue
            return i + 1
        i += 1
    return -1


def unreadable_text(statement: str, rules: ExpressionRules) -> str | None:
    """What in a statement, as written, no reviewer could read for what it is, or None.

    A name may hold no line break, tab or other control character, no character
    that reorders or hides text, and must be in Unicode normal form NFC (a
    decomposed name looks exactly like another). A string literal or the text
    between tokens may break lines and hold tabs, and nothing else unreadable.
    """
    closers = dict(rules.closers)
    i, end = 0, len(statement)
    while i < end:
        char = statement[i]
        pair = statement[i:i + 2]
        if char in rules.quotes or char in closers:
            close = closers.get(char, char)
            after = _after_quote(statement, i + 1, close, char in rules.backslash_escapes)
            if after < 0:
                return None  # the splitter names an unclosed quote
            inside = statement[i + 1:after - 1]
            if char in rules.identifier_quotes or char in closers:
                found = _UNSAFE.search(inside)
                if found:
                    return (f"the name {printable(statement[i:after])} holds a line break or control "
                            f"character ({_escape(found)})")
                if not unicodedata.is_normalized("NFC", inside):
                    return (f"the name {printable(statement[i:after])} is not in Unicode normal form NFC, so it "
                            "looks exactly like another name")
            else:
                found = _UNSAFE.search(inside.replace("\n", "").replace("\t", ""))
                if found:
                    return f"a string holds a character a reviewer cannot see or that reorders text ({_escape(found)})"
            i = after
            continue
        dash = pair == "--" and (not rules.dash_comment_needs_space or statement[i + 2:i + 3] <= " ")
        if dash or (char == "#" and rules.hash_comments) or pair == "/*":
            close = statement.find("*/", i + 2) if pair == "/*" else statement.find("\n", i)
            after = end if close < 0 else close + (2 if pair == "/*" else 0)
            found = _UNSAFE.search(statement[i:after].replace("\n", "").replace("\t", ""))
            if found:
                return f"a comment holds a character a reviewer cannot see or that reorders text ({_escape(found)})"
            i = after
            continue
        if char not in "\n\t" and _UNSAFE.match(char):
            return f"it holds a character a reviewer cannot see or that reorders text ({_escape(_UNSAFE.match(char))})"
        i += 1
    return None


# --- Referential actions -------------------------------------------------------------

REFERENTIAL_ACTIONS = ("CASCADE", "SET NULL", "SET DEFAULT", "RESTRICT", "NO ACTION")


def check_action(value, what: str) -> None:
    """ON DELETE / ON UPDATE take one of the five referential actions, nothing else."""
    if value is None:
        return
    if not isinstance(value, str) or " ".join(value.upper().split()) not in REFERENTIAL_ACTIONS:
        raise SqlgenError(f"{what} is {value!r}; it must be one of {', '.join(REFERENTIAL_ACTIONS)}")
