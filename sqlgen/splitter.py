"""Split SQL files into statements exactly as the mysql/mariadb client does.

- `DELIMITER xx` (or `\\d xx`) lines change the statement terminator (triggers,
  procedures); `\\g` and `\\G` end a statement too, `\\c` discards it.
- `-- ` and `#` comments run to the end of the line, and a line starting with
  `--` between statements is a comment even without the space. `/* */`
  comments may span lines; the client drops them, leaving a space where one
  is needed to keep the words apart. Comments never reach the server.
- `/*! ... */` and `/*M! ... */` versioned comments are kept (the server runs
  them) and read as code. `/*+ ... */` optimizer hints are kept verbatim.
- Single, double and backtick quotes, with backslash escapes (not in
  backticks, and not after `SET sql_mode` turns on NO_BACKSLASH_ESCAPES) and
  doubled quotes; a delimiter inside quotes or comments ends nothing.
- A byte-order mark is ignored and CRLF line ends read as LF, as the client
  reads them; a lone CR inside a string stays.

The splitter streams: it reads a file line by line and yields one statement at
a time, so a data migration of hundreds of MB never sits in memory at once.
Regular expressions consume whole quoted strings and runs of plain text in C;
Python only steps from one special character to the next.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable, Iterator

from .errors import SqlgenError

TRACKING_BEGIN = "-- sqlgen:tracking begin"
TRACKING_END = "-- sqlgen:tracking end"

_DELIMITER_COMMAND = re.compile(r"[ \t]*(?:delimiter|\\d)[ \t]+(\S+)", re.I)
_CLIENT_COMMANDS = re.compile(r"[ \t]*(source|\\\.)[ \t]", re.I)
_SQL_MODE = re.compile(r"set\b.*\bsql_mode\b", re.I | re.S)

# Quoted strings, unrolled so that a long literal costs no regex stack per character.
_QUOTED = {
    (True, "'"): r"'[^'\\]*(?:(?:\\.|'')[^'\\]*)*'",
    (True, '"'): r'"[^"\\]*(?:(?:\\.|"")[^"\\]*)*"',
    (False, "'"): r"'[^']*(?:''[^']*)*'",
    (False, '"'): r'"[^"]*(?:""[^"]*)*"',
    (True, "`"): r"`[^`]*(?:``[^`]*)*`",
    (False, "`"): r"`[^`]*(?:``[^`]*)*`",
}
_BLOCK_END = re.compile(r"\*/")


@lru_cache(maxsize=None)
def _quote_end(backslash: bool, quote: str) -> re.Pattern:
    """The rest of a string whose opening quote is already consumed."""
    return re.compile(_QUOTED[backslash, quote][1:], re.S)


@lru_cache(maxsize=64)
def _special(delimiter: str, backslash: bool) -> re.Pattern:
    """What may start something other than plain text. A quoted string that
    closes on the same line is taken whole, in one step."""
    whole = "|".join(_QUOTED[backslash, quote] for quote in "'\"`")
    return re.compile(whole + r"""|['"`#]|--(?=\s)|/\*|\\[gGc]|""" + re.escape(delimiter), re.S)


@lru_cache(maxsize=64)
def _plain_run(delimiter: str, backslash: bool) -> re.Pattern:
    """Code and whole quoted strings up to the next thing that is not plain text:
    one match in C takes a row of an INSERT, however many strings it holds."""
    starts = {"-": ["-\\s"], "/": ["\\*"], "\\": ["[gGc]"]}  # what follows each special start
    first, rest = delimiter[0], delimiter[1:]
    if first in "'\"`#" or not rest:
        starts.setdefault(first, []).append("")  # never plain
    else:
        starts.setdefault(first, []).append(re.escape(rest))
    plain = "".join(re.escape(c) for c in starts)
    pieces = [f"[^'\"`#{plain}]+"] + [_QUOTED[backslash, quote] for quote in "'\"`"]
    pieces += [f"{re.escape(c)}(?!{'|'.join(follows)})" for c, follows in starts.items() if "" not in follows]
    return re.compile("(?:" + "|".join(pieces) + ")+", re.S)


# The sqlite3 shell: no backslash escapes, [names] quoted too, -- always a
# comment, no # comments and no client commands.
_SQLITE_SPECIAL = re.compile(
    "|".join(_QUOTED[False, quote] for quote in "'\"`") + r"""|\[[^\]]*\]|['"`]|--|/\*|;""", re.S)
_TRIGGER = re.compile(r"create\s+(?:temp\s+|temporary\s+)?trigger\b", re.I)
_TRIGGER_END = re.compile(r";\s*end\s*$", re.I)  # sqlite3_complete(): "; END" then the ";"


@dataclass(frozen=True)
class Statement:
    text: str  # as sent to the server: comments removed, no delimiter
    line: int  # 1-based line where the statement starts
    tracking: bool = False  # inside a sqlgen:tracking block


_KEY_QUOTED = re.compile("(" + "|".join(_QUOTED[True, quote] for quote in "'\"`") + ")", re.S)
_KEY_SPACE = re.compile(r"\s+")
_KEY_GLUE = "\0"  # joins the code between quoted strings, so that one pass in C keys it all


def checksum_key(text: str) -> str:
    """The statement as checksums see it: outside quotes, whitespace runs become
    one space and vanish around ( ) and , so re-indenting, re-wrapping or
    dropping a comment inside a statement changes nothing."""
    pieces = _KEY_QUOTED.split(text)  # code, quoted, code, quoted, ..., code
    if _KEY_GLUE in text:
        pieces[::2] = [_key_code(code) for code in pieces[::2]]
    else:
        pieces[::2] = _key_code(_KEY_GLUE.join(pieces[::2])).split(_KEY_GLUE)
    return "".join(pieces).strip()


def _key_code(code: str) -> str:
    code = _KEY_SPACE.sub(" ", code)
    for mark in "(),":  # after the line above, at most one space stands on either side
        code = code.replace(" " + mark, mark).replace(mark + " ", mark)
    return code


class Splitter:
    """Feed it lines; it yields statements as they complete."""

    def __init__(self, name: str, dialect: str = "mysql"):
        self.name = name
        self.sqlite = dialect == "sqlite"
        self.delimiter = ";"
        self.backslash = not self.sqlite
        self.special = self.run = None
        self._follow_mode()
        self.parts: list[str] = []
        self.has_text = False
        self.need_space = False  # a /* */ comment just ended
        self.start_line = 0
        self.quote: str | None = None
        self.quote_line = 0
        self.in_comment = False
        self.in_hint = False
        self.comment_line = 0
        self.tracking = False
        self.tracking_line = 0
        self.statement_tracking = False

    def feed(self, line: str, number: int) -> Iterator[Statement]:
        if line.endswith("\r\n"):
            line = line[:-2] + "\n"
        if number == 1:
            line = line.lstrip("\ufeff")
        pos, end = 0, len(line)
        if not self.quote and not self.in_comment and not self.in_hint and not self.has_text and not self.sqlite:
            command = _DELIMITER_COMMAND.match(line)
            if command:
                self._set_delimiter(command.group(1))
                return
            if _CLIENT_COMMANDS.match(line):
                raise SqlgenError(
                    f"{self.name}, line {number}: the client command {line.split()[0]!r} is not supported; "
                    "inline that file instead"
                )
            stripped = line.lstrip()
            if stripped.startswith(("--", "#")):
                self._line_comment(stripped, number)
                return
        while pos < end:
            if self.quote:
                match = _quote_end(self.backslash, self.quote).match(line, pos)
                if not match:
                    self.parts.append(line[pos:])
                    return
                self.parts.append(line[pos:match.end()])
                pos = match.end()
                self.quote = None
                continue
            if self.in_comment or self.in_hint:
                match = _BLOCK_END.search(line, pos)
                if not match:
                    if self.in_hint:
                        self.parts.append(line[pos:])
                    return
                if self.in_hint:
                    self.parts.append(line[pos:match.end()])
                else:
                    self.need_space = True
                pos = match.end()
                self.in_comment = self.in_hint = False
                continue
            if self.run:
                run = self.run.match(line, pos)
                if run:
                    self._text(line[pos:run.end()], number)
                    pos = run.end()
                    if pos == end:
                        return
            match = self.special.search(line, pos)
            if not match:
                self._text(line[pos:], number)
                return
            if match.start() > pos:
                self._text(line[pos:match.start()], number)
            token = match.group()
            pos = match.end()
            if len(token) > 1 and token[0] in "'\"`[":
                self._text(token, number)  # a whole quoted string
            elif token in ("'", '"', "`"):
                self._text(token, number)
                self.quote, self.quote_line = token, number
            elif token in ("--", "#"):
                self._line_comment(line[match.start():], number)
                if self.has_text:
                    self.parts.append("\n")
                return
            elif token == "/*":
                if line.startswith("+", pos):  # an optimizer hint: kept, verbatim
                    self._text(token, number)
                    self.in_hint, self.comment_line = True, number
                elif line.startswith(("!", "M!"), pos):  # versioned comment: code the server runs
                    self._text(token, number)
                else:
                    self.in_comment, self.comment_line = True, number
            elif token == "\\c":
                self.parts, self.has_text = [], False
            elif self.sqlite and self._inside_trigger():
                self._text(token, number)  # a ';' inside CREATE TRIGGER ... END
            else:  # the delimiter, \g or \G
                statement = self._finish()
                if statement:
                    yield statement

    def _inside_trigger(self) -> bool:
        """Like sqlite3_complete(): a trigger's body ends at END, not at its first ';'."""
        text = "".join(self.parts).lstrip()
        return bool(_TRIGGER.match(text)) and not _TRIGGER_END.search(text)

    def _follow_mode(self) -> None:
        """The patterns for the delimiter and escaping in force."""
        if self.sqlite:
            self.special, self.run = _SQLITE_SPECIAL, None
        else:
            self.special = _special(self.delimiter, self.backslash)
            self.run = _plain_run(self.delimiter, self.backslash)

    def _set_delimiter(self, token: str) -> None:
        if len(token) > 1 and token[0] == token[-1] and token[0] in "'\"`":
            token = token[1:-1]
        self.delimiter = token
        self._follow_mode()

    def _text(self, text: str, number: int) -> None:
        if self.need_space:
            self.need_space = False
            if not text[:1].isspace():
                text = " " + text
        if not self.has_text:
            if text.isspace():
                return
            self.has_text = True
            self.start_line = number
            self.statement_tracking = self.tracking
            text = text.lstrip()
        self.parts.append(text)

    def _line_comment(self, comment: str, number: int) -> None:
        if comment.startswith(TRACKING_BEGIN):
            self.tracking, self.tracking_line = True, number
        elif comment.startswith(TRACKING_END):
            self.tracking = False

    def _finish(self) -> Statement | None:
        text = "".join(self.parts).strip()
        self.parts = []
        self.has_text = False
        self.need_space = False
        if not text:
            return None
        if not self.sqlite and _SQL_MODE.match(text):
            # The client follows the server: NO_BACKSLASH_ESCAPES changes how strings end.
            self.backslash = "NO_BACKSLASH_ESCAPES" not in text.upper()
            self._follow_mode()
        return Statement(text, self.start_line, self.statement_tracking)

    def close(self) -> Iterator[Statement]:
        if self.quote:
            raise SqlgenError(f"{self.name}, line {self.quote_line}: the {self.quote} quote opened here is never closed")
        if self.in_comment or self.in_hint:
            raise SqlgenError(f"{self.name}, line {self.comment_line}: the /* comment opened here is never closed")
        statement = self._finish()
        if self.tracking:
            raise SqlgenError(
                f"{self.name}, line {self.tracking_line}: '{TRACKING_BEGIN}' has no '{TRACKING_END}' line "
                "after it; restore it, or run sqlgen rehash"
            )
        if statement:
            yield statement


def split(lines: Iterable[str], name: str = "<sql>", dialect: str = "mysql") -> Iterator[Statement]:
    """Statements of `lines` (strings ending in newlines, e.g. an open text file)."""
    splitter = Splitter(name, dialect)
    for number, line in enumerate(lines, 1):
        yield from splitter.feed(line, number)
    yield from splitter.close()


def split_text(text: str, name: str = "<sql>", dialect: str = "mysql") -> list[Statement]:
    return list(split(lines_of(text), name, dialect))


def lines_of(text: str) -> list[str]:
    """Lines as the client reads them: broken at LF only, so a lone CR or a form
    feed inside a string stays where it is."""
    lines = text.split("\n")
    last = lines.pop()
    return [line + "\n" for line in lines] + ([last] if last else [])
