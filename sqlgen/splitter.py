"""Split SQL files into statements exactly as the mysql/mariadb client does.

- `DELIMITER xx` lines change the statement terminator (triggers, procedures).
- `-- ` and `#` comments run to the end of the line; `/* */` comments may span
  lines. Comments are dropped from the statement text, like the client does.
- `/*! ... */` versioned comments and `/*+ ... */` optimizer hints are kept:
  the server executes them.
- Single, double and backtick quotes, with backslash escapes (not in
  backticks) and doubled quotes; a delimiter inside quotes or comments does
  not end a statement.

The splitter streams: it reads a file line by line and yields one statement at
a time, so a data migration of hundreds of MB never sits in memory at once.
Regular expressions consume whole quoted strings and runs of plain text in C;
Python only steps from one special character to the next.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable, Iterator

from .errors import SqlgenError

TRACKING_BEGIN = "-- sqlgen:tracking begin"
TRACKING_END = "-- sqlgen:tracking end"

_DELIMITER_COMMAND = re.compile(r"[ \t]*delimiter[ \t]+(\S+)", re.I)
_CLIENT_COMMANDS = re.compile(r"[ \t]*(source|\\\.)[ \t]", re.I)
_QUOTE_END = {
    "'": re.compile(r"(?:[^'\\]|\\.|'')*'", re.S),
    '"': re.compile(r'(?:[^"\\]|\\.|"")*"', re.S),
    "`": re.compile(r"(?:[^`]|``)*`", re.S),
}
_BLOCK_END = re.compile(r"\*/")


@dataclass(frozen=True)
class Statement:
    text: str  # as sent to the server: comments removed, no delimiter
    line: int  # 1-based line where the statement starts
    tracking: bool = False  # inside a sqlgen:tracking block


_WHOLE_QUOTES = r"""'(?:[^'\\]|\\.|'')*'|"(?:[^"\\]|\\.|"")*"|`(?:[^`]|``)*`"""


def _special(delimiter: str) -> re.Pattern:
    """What may start something other than plain text. A quoted string that
    closes on the same line is taken whole, in one step."""
    return re.compile(_WHOLE_QUOTES + r"""|['"`#]|--(?=\s)|/\*|\*/|""" + re.escape(delimiter), re.S)


class Splitter:
    """Feed it lines; it yields statements as they complete."""

    def __init__(self, name: str):
        self.name = name
        self.delimiter = ";"
        self.special = _special(";")
        self.parts: list[str] = []
        self.has_text = False
        self.start_line = 0
        self.quote: str | None = None
        self.quote_line = 0
        self.in_comment = False
        self.comment_line = 0
        self.in_kept_comment = False  # inside /*! ... */ or /*+ ... */
        self.tracking = False
        self.statement_tracking = False

    def feed(self, line: str, number: int) -> Iterator[Statement]:
        pos, end = 0, len(line)
        if not self.quote and not self.in_comment and not self.has_text:
            command = _DELIMITER_COMMAND.match(line)
            if command:
                self.delimiter = command.group(1)
                self.special = _special(self.delimiter)
                return
            if _CLIENT_COMMANDS.match(line):
                raise SqlgenError(
                    f"{self.name}, line {number}: the client command {line.split()[0]!r} is not supported; "
                    "inline that file instead"
                )
        while pos < end:
            if self.quote:
                match = _QUOTE_END[self.quote].match(line, pos)
                if not match:
                    self.parts.append(line[pos:])
                    return
                self.parts.append(line[pos:match.end()])
                pos = match.end()
                self.quote = None
                continue
            if self.in_comment:
                match = _BLOCK_END.search(line, pos)
                if not match:
                    return
                pos = match.end()
                self.in_comment = False  # dropped without a trace, as the client does
                continue
            match = self.special.search(line, pos)
            if not match:
                self._text(line[pos:], number)
                return
            if match.start() > pos:
                self._text(line[pos:match.start()], number)
            token = match.group()
            pos = match.end()
            if len(token) > 1 and token[0] in "'\"`":
                self._text(token, number)  # a whole quoted string
            elif token in ("'", '"', "`"):
                self._text(token, number)
                self.quote, self.quote_line = token, number
            elif token in ("--", "#"):
                self._line_comment(line[match.start():])
                if self.has_text:
                    self.parts.append("\n")
                return
            elif token == "/*":
                if line.startswith(("!", "+", "M!"), pos):
                    self._text(token, number)
                    self.in_kept_comment = True
                else:
                    self.in_comment, self.comment_line = True, number
            elif token == "*/":
                self._text(token, number)
                self.in_kept_comment = False
            elif self.in_kept_comment:
                self._text(token, number)  # a delimiter inside /*! */ is code, not an end
            else:
                statement = self._finish()
                if statement:
                    yield statement

    def _text(self, text: str, number: int) -> None:
        if not self.has_text:
            if text.isspace():
                return
            self.has_text = True
            self.start_line = number
            self.statement_tracking = self.tracking
        self.parts.append(text)

    def _line_comment(self, comment: str) -> None:
        if comment.startswith(TRACKING_BEGIN):
            self.tracking = True
        elif comment.startswith(TRACKING_END):
            self.tracking = False

    def _finish(self) -> Statement | None:
        text = "".join(self.parts).strip()
        self.parts = []
        self.has_text = False
        return Statement(text, self.start_line, self.statement_tracking) if text else None

    def close(self) -> Iterator[Statement]:
        if self.quote:
            raise SqlgenError(f"{self.name}, line {self.quote_line}: the {self.quote} quote opened here is never closed")
        if self.in_comment:
            raise SqlgenError(f"{self.name}, line {self.comment_line}: the /* comment opened here is never closed")
        statement = self._finish()
        if statement:
            yield statement


def split(lines: Iterable[str], name: str = "<sql>") -> Iterator[Statement]:
    """Statements of `lines` (strings ending in newlines, e.g. an open text file)."""
    splitter = Splitter(name)
    for number, line in enumerate(lines, 1):
        yield from splitter.feed(line, number)
    yield from splitter.close()


def split_text(text: str, name: str = "<sql>") -> list[Statement]:
    return list(split(text.splitlines(keepends=True), name))

