"""Split SQL files into statements exactly as the mysql/mariadb client does.

- `DELIMITER xx` (or `\\d xx`) lines change the statement terminator (triggers,
  procedures); `\\g` and `\\G` end a statement too, `\\c` discards it.
- Every other client command is recognised where the client recognises it: a
  named command alone on a line that starts a statement (`use db`, `system ...`,
  `quit`), a statement whose first word is a command name (`system ...;`), and
  a backslash command anywhere outside quotes (`\\!`, `\\q`, `\\.`). Those
  that only change the client's display are no-ops; `use db` is run as `USE db`;
  any other is refused (a file holding one must not run, by sqlgen or by hand).
  The sqlite3 shell's dot-commands are refused the same way.
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
from .safety import printable

TRACKING_BEGIN = "-- sqlgen:tracking begin"
TRACKING_END = "-- sqlgen:tracking end"

_DELIMITER_COMMAND = re.compile(r"[ \t]*(?:delimiter|\\d)[ \t]+(\S+)", re.I)
_SQL_MODE = re.compile(r"set\b.*\bsql_mode\b", re.I | re.S)

# The mysql and mariadb clients' named commands (MariaDB 10.x and MySQL 8 together),
# and whether each takes an argument: a named command with arguments is one only
# if it takes them.
CLIENT_COMMANDS = {
    "?": True, "charset": True, "clear": False, "connect": True, "delimiter": True, "edit": False, "ego": False,
    "exit": False, "go": False, "help": True, "nopager": False, "notee": False, "nowarning": False,
    "pager": True, "print": False, "prompt": True, "quit": False, "rehash": False, "sandbox": False,
    "source": True, "status": False, "system": True, "tee": True, "use": True, "warnings": False,
    "resetconnection": False, "query_attributes": True, "ssl_session_data_print": True,
}
# Commands that change only what the client shows: sqlgen can do what the client does, nothing.
DISPLAY_COMMANDS = frozenset({"?", "clear", "ego", "go", "help", "nopager", "notee", "nowarning", "print",
                              "prompt", "rehash", "status", "warnings"})
# Why the others cannot run the same way under sqlgen.
_REFUSED_WHY = {
    "system": "it runs a shell command", "quit": "it stops the client, so by hand the rest of the file never runs",
    "exit": "it stops the client, so by hand the rest of the file never runs",
    "source": "it reads another file; put that file's statements here instead",
    "connect": "it reconnects, which drops the session's state", "tee": "it writes the client's output to a file",
    "pager": "it sends the client's output to a program", "charset": "it changes how the client reads the file",
    "edit": "it opens an editor", "sandbox": "it changes what the client allows",
    "resetconnection": "it resets the session", "delimiter": "it needs a delimiter after it",
    "use": "sqlgen takes USE with one plain or backquoted database name only",
}
_BACKSLASH_COMMANDS = {
    "?": "help", "C": "charset", "c": "clear", "r": "connect", "d": "delimiter", "e": "edit", "G": "ego",
    "q": "quit", "g": "go", "h": "help", "n": "nopager", "t": "notee", "w": "nowarning", "P": "pager",
    "p": "print", "R": "prompt", "#": "rehash", "-": "sandbox", ".": "source", "s": "status", "!": "system",
    "T": "tee", "u": "use", "W": "warnings", "x": "resetconnection",
}
# `use db` as the client reads it, and as the server reads USE: one plain or backquoted name.
_USE_ARGUMENT = re.compile(r"(?:`[^`]+`|[A-Za-z0-9_$]+)\s*")
_COMMAND_WORD = re.compile(r"[^ \t]*")

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
    return re.compile(whole + r"""|['"`#]|--(?=\s)|/\*|\\.?|""" + re.escape(delimiter), re.S)


@lru_cache(maxsize=64)
def _plain_run(delimiter: str, backslash: bool) -> re.Pattern:
    """Code and whole quoted strings up to the next thing that is not plain text:
    one match in C takes a row of an INSERT, however many strings it holds."""
    starts = {"-": ["-\\s"], "/": ["\\*"], "\\": [""]}  # what follows each special start ("" = always)
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
    """Feed it lines; it yields statements as they complete.

    A client command sqlgen cannot run as the client does raises SqlgenError, or
    with `strict=False` is listed in `refused` (line, message) and skipped. Every
    line-start `--` comment naming `sqlgen:` is listed in `directives`
    (line, comment), and the tracking markers in `markers` (line, "begin"/"end",
    whether a statement was in progress).
    """

    def __init__(self, name: str, dialect: str = "mysql", strict: bool = True):
        self.name = name
        self.strict = strict
        self.refused: list[tuple[int, str]] = []
        self.directives: list[tuple[int, str]] = []
        self.markers: list[tuple[int, str, bool]] = []
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
        if not self.quote and not self.in_comment and not self.in_hint and not self.has_text:
            # A line that starts a statement: where the client looks for its own commands.
            taken = self._sqlite_line(line, number) if self.sqlite else self._client_line(line, number)
            if taken is not None:
                if taken is not True:
                    yield taken
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
                self._line_comment(line[match.start():], number, not line[:match.start()].strip())
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
            elif token[0] == "\\" and not self.sqlite:
                if token == "\\c":
                    self.parts, self.has_text = [], False
                elif token == "\\N":  # the client's NULL
                    self._text(token, number)
                elif token in ("\\g", "\\G"):  # sent as it is: never read as a named command
                    statement = self._finish(by_delimiter=False)
                    if statement:
                        yield statement
                else:
                    self._backslash(token, number)
                    if token[1:] in ("q", "."):
                        return  # the client stops, or reads another file: the rest of the line is its argument
            elif self.sqlite and self._inside_trigger():
                self._text(token, number)  # a ';' inside CREATE TRIGGER ... END
            else:  # the delimiter
                statement = self._finish()
                if statement:
                    yield statement

    def _client_line(self, line: str, number: int):
        """A statement-starting line as the mysql client reads it: a DELIMITER command,
        a comment line, or a named client command. Returns True when the line is
        taken, a Statement for `use db`, None when it is SQL."""
        command = _DELIMITER_COMMAND.match(line)
        if command:
            self._set_delimiter(command.group(1))
            return True
        stripped = line.lstrip()
        body = stripped.rstrip("\n")
        word = _COMMAND_WORD.match(body).group().lower()
        takes = CLIENT_COMMANDS.get(word)
        # The client's own rule: a line holding \g or the delimiter is read as SQL, and
        # the delimiter decides at the end of the statement.
        if takes is not None and "\\g" not in body and self.delimiter not in body:
            argument = body[len(word):].strip()
            if not argument or takes:
                return self._named_command(word, argument, body, number)
        if stripped.startswith(("--", "#")):
            self._line_comment(stripped, number, True)
            return True
        return None

    def _named_command(self, word: str, argument: str, body: str, number: int):
        if word in DISPLAY_COMMANDS:
            return True  # changes only what the client prints
        if word == "use" and _USE_ARGUMENT.fullmatch(argument):
            return Statement(body.strip(), number, self.tracking)
        self._refuse(number, word, _REFUSED_WHY.get(word, "sqlgen cannot do what it does"))
        return True

    def _sqlite_line(self, line: str, number: int):
        """A statement-starting line as the sqlite3 shell reads it: a dot-command, or a
        `#` comment line (at the left margin only)."""
        stripped = line.lstrip()
        if stripped.startswith("."):
            word = printable(stripped.split(None, 1)[0])
            self._fail(number, f"the sqlite3 shell command '{word}' cannot be run by sqlgen as the shell runs it; "
                               "remove it (migration files hold SQL only)")
            return True
        if line.startswith("#"):
            return True
        return None

    def _backslash(self, token: str, number: int) -> None:
        command = _BACKSLASH_COMMANDS.get(token[1:])
        if command is None:
            shown = printable(token) if token[1:].strip() else "\\"
            self._fail(number, f"'{shown}' outside quotes is not SQL: the mysql client stops the file there "
                               "(an unknown client command); write it inside a string literal")
        else:
            self._refuse(number, token, _REFUSED_WHY.get(command, f"it is the client's {command!r} command, "
                                                                  "and sqlgen runs SQL only"))

    def _refuse(self, number: int, word: str, why: str) -> None:
        self._fail(number, f"the client command '{printable(word)}' cannot be run by sqlgen as the client runs it "
                           f"({why}); remove it (migration files hold SQL only)")

    def _fail(self, number: int, message: str) -> None:
        if self.strict:
            raise SqlgenError(f"{self.name}, line {number}: {message}")
        self.refused.append((number, message))

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

    def _line_comment(self, comment: str, number: int, line_start: bool) -> None:
        """A `--` or `#` comment; only one that starts its line can be a sqlgen directive."""
        if not line_start or "sqlgen:" not in comment.lower():
            return
        self.directives.append((number, comment.rstrip("\n")))
        if comment.startswith(TRACKING_BEGIN):
            self.markers.append((number, "begin", self.has_text))
            self.tracking, self.tracking_line = True, number
        elif comment.startswith(TRACKING_END):
            self.markers.append((number, "end", self.has_text))
            self.tracking = False

    def _finish(self, by_delimiter: bool = True) -> Statement | None:
        text = "".join(self.parts).strip()
        self.parts = []
        self.has_text = False
        self.need_space = False
        if not text:
            return None
        if by_delimiter and not self.sqlite:
            # At its delimiter the client reads a statement whose first word names a command as that command.
            word = _COMMAND_WORD.match(text).group().lower()
            if word in CLIENT_COMMANDS and not (word == "use" and _USE_ARGUMENT.fullmatch(text[3:].strip())):
                self._refuse(self.start_line, word, _REFUSED_WHY.get(word, "the client reads this statement as "
                                                                           "its own command"))
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
        statement = self._finish(by_delimiter=False)  # at the end of input the client sends what is left as SQL
        if self.tracking:
            raise SqlgenError(
                f"{self.name}, line {self.tracking_line}: '{TRACKING_BEGIN}' has no '{TRACKING_END}' line "
                "after it; restore it, or run sqlgen rehash"
            )
        if statement:
            yield statement


def split(lines: Iterable[str], name: str = "<sql>", dialect: str = "mysql") -> Iterator[Statement]:
    """Statements of `lines` (strings ending in newlines, e.g. an open text file);
    a client command sqlgen cannot run raises SqlgenError."""
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
