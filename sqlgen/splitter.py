"""Split SQL files into statements exactly as the mariadb client and the sqlite3 shell do.

The MySQL/MariaDB reading follows the client's own, step by step (client/mysql.cc
of MariaDB 10.x, batch mode: read_and_execute, add_line, find_command, get_arg):

- A line that starts a statement is first checked for a named client command
  (`use db`, `system ...`, `quit`, `DELIMITER xx`), unless it holds `\\g` or the
  delimiter; a statement whose first word names a command is one at its delimiter.
- Within a line, in the client's order: a backslash command outside quotes
  (`\\g`, `\\G` and the delimiter end a statement, `\\c` discards it, `\\N` is NULL),
  then the delimiter, then `#` and `-- ` comments (`--` followed by any
  character while nothing of the statement is read yet), then `/* */` comments
  (`/*! */` and `/*M! */` are code the server runs; `/*+ */` hints are comments, as
  the mariadb client drops them), then quotes.
- Quotes: '', "" and ``, doubled quotes, and backslash escapes as the session's
  sql_mode says (NO_BACKSLASH_ESCAPES, ANSI_QUOTES). The mode is followed
  through the file from the server's own; a `SET sql_mode` sqlgen cannot
  evaluate makes any backslash in a later string refused.
- Whitespace is the client's: space, tab, LF, VT, FF, CR. A byte-order mark is
  dropped at the very start only, CRLF reads as LF, a NUL stops the client.

Client commands that only change what the client shows are no-ops, `use db` is
sent as `USE db`, `DELIMITER xx` is followed; any other is refused, and so is
whatever the clients read in more than one way (a `/*!` inside a comment, a
comment inside a `/*! */`, an optimizer hint before a statement's first word, a
DELIMITER line not in its simple form, a line starting `delimiter` inside a
statement): a file holding one must not run, by sqlgen or by hand.

The sqlite3 shell's reading: dot-commands at the left margin (refused), `#`
lines at the left margin (comments), a line of only `go` or `/` ending a
statement, `[names]` spanning lines, triggers ending at `END;`.

The splitter streams: it reads a file line by line and yields one statement at
a time, so a data migration of hundreds of MB never sits in memory at once.
Regular expressions consume whole quoted strings and runs of plain text in C;
Python only steps from one special character to the next.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Callable, Iterable, Iterator

from .errors import SqlgenError
from .safety import printable

@dataclass(frozen=True)
class Reading:
    """How a dialect's command-line client cuts a file into statements; each dialect's
    `dialect.py` names the one its files are run with (READING)."""

    client: str  # the client, as the docs name it
    shell_style: bool  # the sqlite3 shell's reading (see above), else the mysql client's
    # Statements that may stand before a file's opening tracking block because they leave
    # nothing behind (the preamble, read-only preconditions): a file run by hand that stops
    # among them has changed nothing and recorded nothing. None: nothing may lead.
    may_lead: Callable[[str], bool] | None = None


TRACKING_BEGIN = "-- sqlgen:tracking begin"
TRACKING_END = "-- sqlgen:tracking end"

WHITESPACE = " \t\n\v\f\r"  # the client's my_isspace()
_TRAILING = "".join(chr(code) for code in range(33)) + "\x7f"  # what the client trims off a statement's end
_SHELL_WHITESPACE = " \t\n\f\r"

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
# Commands that change only what the client shows: alone on their line, sqlgen does
# what the client does, nothing.
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
    "resetconnection": "it resets the session",
    "delimiter": "sqlgen takes DELIMITER in its simple form only: DELIMITER and one delimiter of 1 to 15 "
                 "ASCII characters, without quotes, backslashes, spaces, '#', '-' or '*', alone on its line",
    "use": "sqlgen takes USE with one plain or backquoted database name only",
}
_BACKSLASH_COMMANDS = {
    "?": "help", "C": "charset", "c": "clear", "r": "connect", "d": "delimiter", "e": "edit", "G": "ego",
    "q": "quit", "g": "go", "h": "help", "n": "nopager", "t": "notee", "w": "nowarning", "P": "pager",
    "p": "print", "R": "prompt", "#": "rehash", "-": "sandbox", ".": "source", "s": "status", "!": "system",
    "T": "tee", "u": "use", "W": "warnings", "x": "resetconnection",
}
# `use db` as the client reads it, and as the server reads USE: one plain or backquoted name.
_USE_ARGUMENT = re.compile(r"(?:`[^`]+`|[A-Za-z0-9_$]+)[ \t\n\v\f\r]*")
_COMMAND_WORD = re.compile(r"[^ \t]*")
# DELIMITER in the one form every client reads the same way.
_DELIMITER_TOKEN = r"[^ \t\n\v\f\r'\"`\\]{1,15}"
_SIMPLE_DELIMITER_LINE = re.compile(rf"""(?:delimiter|\\d)[ \t\v\f]+(?:({_DELIMITER_TOKEN})|'({_DELIMITER_TOKEN})'"""
                                    rf"""|"({_DELIMITER_TOKEN})"|`({_DELIMITER_TOKEN})`)[ \n]*""", re.I | re.A)
# In a delimiter these would meet the client's comment marks, which it reads in another order.
_NOT_IN_DELIMITERS = "#-*"

# Quoted strings, unrolled so that a long literal costs no regex stack per character.
_QUOTED = {
    (True, "'"): r"'[^'\\]*(?:(?:\\.|'')[^'\\]*)*'",
    (True, '"'): r'"[^"\\]*(?:(?:\\.|"")[^"\\]*)*"',
    (False, "'"): r"'[^']*(?:''[^']*)*'",
    (False, '"'): r'"[^"]*(?:""[^"]*)*"',
    (False, "`"): r"`[^`]*(?:``[^`]*)*`",
    (False, "["): r"\[[^\]]*\]",
}
# Inside a comment the client looks for "*/", but a "/*" takes its star with it: "/*/" closes nothing.
_IN_COMMENT = re.compile(r"/\*|\*/")


@lru_cache(maxsize=None)
def _quote_end(backslash: bool, quote: str) -> re.Pattern:
    """The rest of a string whose opening quote is already consumed."""
    return re.compile(_QUOTED[backslash, quote][len(re.escape(quote)) if quote == "[" else 1:], re.S)


@lru_cache(maxsize=64)
def _special(delimiter: str, single: bool, double: bool) -> re.Pattern:
    """What may start something other than plain text, in the client's order: a
    backslash, the delimiter, comments, then quotes (a string that closes on the
    same line is taken whole, in one step)."""
    whole = "|".join((_QUOTED[single, "'"], _QUOTED[double, '"'], _QUOTED[False, "`"]))
    return re.compile(r"\\.?|" + re.escape(delimiter) + r"""|#|--|/\*|\*/|""" + whole + r"""|['"`]""", re.S)


@lru_cache(maxsize=64)
def _plain_run(delimiter: str, single: bool, double: bool) -> re.Pattern:
    """Code and whole quoted strings up to the next thing that is not plain text:
    one match in C takes a row of an INSERT, however many strings it holds."""
    follows = {"-": ["-"], "/": [r"\*"], "*": ["/"], "\\": [""], "#": [""]}  # "" = never plain
    follows.setdefault(delimiter[0], []).append(re.escape(delimiter[1:]))
    excluded = "".join(re.escape(char) for char in "'\"`" + "".join(follows))
    pieces = [f"[^{excluded}]+", _QUOTED[single, "'"], _QUOTED[double, '"'], _QUOTED[False, "`"]]
    pieces += [f"{re.escape(char)}(?!{'|'.join(after)})" for char, after in follows.items() if "" not in after]
    return re.compile("(?:" + "|".join(pieces) + ")+", re.S)


# The sqlite3 shell: no backslash escapes, [names] quoted too, -- always a
# comment, no # comments but at the left margin.
_SHELL_SPECIAL = re.compile(
    "|".join(_QUOTED[False, quote] for quote in "'\"`[") + r"""|['"`\[]|--|/\*|;""", re.S)
_TRIGGER = re.compile(r"(?:explain[ \t\n\f\r]+(?:query[ \t\n\f\r]+plan[ \t\n\f\r]+)?)?create[ \t\n\f\r]+"
                      r"(?:temp[ \t\n\f\r]+|temporary[ \t\n\f\r]+)?trigger\b", re.I | re.A)
_TRIGGER_END = re.compile(r";[ \t\n\f\r]*end[ \t\n\f\r]*$", re.I)  # sqlite3_complete(): "; END" then the ";"
# The shell's "go" or "/" line: the word, then only whitespace and whole comments.
_SHELL_TERMINATOR = re.compile(r"[ \t\n\v\f\r]*(?:/|go)(?:[ \t\n\v\f\r]+|/\*.*?\*/)*(?:--[^\n]*)?\n?",
                                re.I | re.A | re.S)

# SET statements that change the session's sql_mode, and how.
_SET = re.compile(r"(?:/\*M?!\d*[ \t\n\v\f\r]*)?set[ \t\n\v\f\r]+", re.I | re.A)
_MODE_VALUE = re.compile(r"""'([^'\\]*)'|"([^"\\]*)\"""", re.S)
# Combination modes that include ANSI_QUOTES.
_ANSI_MODES = frozenset({"ANSI_QUOTES", "ANSI", "ORACLE", "DB2", "POSTGRESQL", "MSSQL", "MAXDB"})


@dataclass(frozen=True)
class Statement:
    text: str  # as sent to the server: comments removed, no delimiter
    line: int  # 1-based line where the statement starts
    tracking: bool = False  # inside a sqlgen:tracking block
    # Whether a backslash in '' was read as an escape (None: not known, or no such reading), so the
    # runner can check the server's own NO_BACKSLASH_ESCAPES flag, which the client follows.
    escapes: bool | None = None
    # Read under the delimiter ';': then the server, too, reads the text as one statement, and
    # the runner may send its own statements in the same packet.
    single: bool = False


_KEY_QUOTED = re.compile("(" + "|".join(_QUOTED[True, quote] for quote in "'\"") + "|" + _QUOTED[False, "`"] + ")",
                         re.S)
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


# The statement sqlgen puts at the start of a file holding a backslash: from there the
# session reads a backslash as an escape, as sqlgen writes literals, whatever the server's
# or the client's NO_BACKSLASH_ESCAPES (its other modes stay as they were).
PIN_ESCAPES = "SET SESSION sql_mode = REPLACE(@@SESSION.sql_mode, 'NO_BACKSLASH_ESCAPES', '')"
_PIN_KEY = " ".join(PIN_ESCAPES.lower().split())


def mode_words(sql_mode: str | None) -> frozenset[str] | None:
    return None if sql_mode is None else frozenset(word.strip().upper() for word in sql_mode.split(","))


def mode_escapes(words: frozenset[str] | None, pinned: bool = False) -> tuple[bool | None, bool | None]:
    """Whether a backslash escapes inside '' and inside "" under sql_mode `words` (None: the
    mode is not known, or the clients differ: a backslash there is refused); `pinned`: after
    PIN_ESCAPES, which turns NO_BACKSLASH_ESCAPES off and leaves the rest."""
    if words is None:
        return (True, None) if pinned else (None, None)
    backslash = pinned or "NO_BACKSLASH_ESCAPES" not in words
    if not words & _ANSI_MODES:
        return backslash, backslash
    # With ANSI_QUOTES "" quotes a name: the mariadb client reads no escape in it, the mysql one does.
    return backslash, (False if not backslash else None)


def escape_reading(sql_mode: str | None) -> str | None:
    """The sql_mode a file is read in once PIN_ESCAPES has run (None when not known)."""
    words = mode_words(sql_mode)
    return None if words is None else ",".join(sorted(words - {"NO_BACKSLASH_ESCAPES"}))


class Splitter:
    """Feed it lines; it yields statements as they complete.

    Something sqlgen cannot run as the client does (a client command, a reading
    the clients disagree on) raises SqlgenError, or with `strict=False` is listed
    in `refused` (line, message) and skipped. Every line-start `--` comment naming
    `sqlgen:` is listed in `directives` (line, comment), and the tracking markers
    in `markers` (line, "begin"/"end", whether a statement was in progress).
    `sql_mode` is the session's when the file starts (None: not known).
    """

    def __init__(self, name: str, reading: "Reading", strict: bool = True, sql_mode: str | None = ""):
        self.name = name
        self.strict = strict
        self.refused: list[tuple[int, str]] = []
        self.directives: list[tuple[int, str]] = []
        self.markers: list[tuple[int, str, bool]] = []
        self.shell = reading.shell_style
        # What ends a statement's text: the shell hands SQLite the rest, control characters included.
        self.whitespace = _SHELL_WHITESPACE if self.shell else WHITESPACE
        self.trailing = _SHELL_WHITESPACE if self.shell else _TRAILING
        self.delimiter = ";"
        self.escapes: dict[str, bool | None] = {"'": False, '"': False, "`": False, "[": False}
        self.special = self.run = None
        self._set_mode("" if self.shell else sql_mode)
        self.parts: list[str] = []
        self.has_text = False
        self.need_space = False  # a /* */ comment just ended
        self.resume: int | None = None
        self.dash_tail = False  # SQLite: the last line read ends in a -- comment  # where _scan goes on when a token is taken one character short
        self.start_line = 0
        self.quote: str | None = None
        self.quote_line = 0
        self.in_comment = False
        self.in_versioned = False  # inside /*! ... */, code the server runs
        self.comment_line = 0
        self.tracking = False
        self.tracking_line = 0
        self.statement_tracking = False

    @property
    def sql_mode(self) -> str | None:
        """The session's sql_mode as the lines so far leave it (None: not known): a splitter started
        in it reads what follows as this one does (after PIN_ESCAPES, without NO_BACKSLASH_ESCAPES)."""
        if self.shell:
            return ""
        return None if self.mode is None else ",".join(sorted(self.mode))

    def feed(self, line: str, number: int) -> Iterator[Statement]:
        if line.endswith("\r\n"):
            line = line[:-2] + "\n"
        if number == 1 and line.startswith("\ufeff"):  # the client skips one byte-order mark, at the start
            line = line[1:]
        if "\0" in line:
            self._fail(number, "a NUL character: the mysql client stops the file at this line")
            line = line.replace("\0", "")
        if not self.quote and not self.in_comment:
            if not self.has_text:
                # A line that starts a statement: where the client looks for its own commands.
                taken = self._shell_line(line, number) if self.shell else self._client_line(line, number)
                if taken is not None:
                    if taken is not True:
                        yield taken
                    return
            elif self.shell and _SHELL_TERMINATOR.fullmatch(line) and not self._inside_trigger():
                if self.dash_tail:
                    self._fail(number, "a 'go' or '/' line right after a line ending in a -- comment: the sqlite3 "
                                       "shell then does not end the statement there; end it with ';'")
                statement = self._finish()  # the shell's "go" or "/" line ends the statement
                if statement:
                    yield statement
                return
        # Not read as a command here, a line starting with "delimiter" that ends outside quotes
        # joins the next one without its line break.
        joined = not self.shell and not self.in_comment and line[:9].lower() == "delimiter"
        self.dash_tail = False
        yield from self._scan(line, number)
        if joined and not (self.quote or self.in_comment):
            self._fail(number, "a line starting with 'delimiter' inside a statement: the mysql client joins it to "
                               "the next line without its line break; reword or re-wrap it")

    def _scan(self, line: str, number: int) -> Iterator[Statement]:
        """The rest of a line, special token by special token."""
        pos, end = 0, len(line)
        while pos < end:
            if self.quote:
                match = _quote_end(self._escaping(self.quote), self.quote).match(line, pos)
                if not match:
                    self._quoted(line[pos:], self.quote, number)
                    self.parts.append(line[pos:])
                    return
                self._quoted(line[pos:match.end()], self.quote, number)
                self.parts.append(line[pos:match.end()])
                pos = match.end()
                self.quote = None
                continue
            if self.in_comment:
                match = _IN_COMMENT.search(line, pos)
                while match and match.group() == "/*" and not self.shell:
                    if line.startswith(("!", "M!"), match.end()):
                        self._fail(number, "'/*!' inside a comment: the mysql client then ends the comment at a "
                                           "later '*/' than the server does; remove one of them")
                    match = _IN_COMMENT.search(line, match.end())
                while match and match.group() == "/*":  # SQLite: nothing nests, "*/" ends it
                    match = _IN_COMMENT.search(line, match.start() + 1)
                if not match:
                    return
                self.need_space = True
                pos = match.end()
                self.in_comment = False
                continue
            if self.run and not self.in_versioned:  # inside /*! */ every string is looked at
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
            if self.shell:
                statement = self._shell_token(token, line, match, number)
                if statement is False:
                    return
            else:
                statement = self._mysql_token(token, line, match, number)
                if statement is False:
                    return
                if self.resume is not None:  # the token's second character is looked at again
                    pos, self.resume = self.resume, None
            if statement:
                yield statement

    # --- The client's reading of one special token -----------------------------------

    def _mysql_token(self, token: str, line: str, match: re.Match, number: int):
        """Returns a finished Statement, None, or False when the rest of the line is taken."""
        if token[0] == "\\":
            return self._backslash(token, number)
        if token == self.delimiter:
            return self._finish()
        if token == "#" or (token == "--" and (not self.has_text or match.end() == len(line)
                                                or line[match.end()] in WHITESPACE)):
            self._line_comment(line[match.start():], number, not line[:match.start()].strip(WHITESPACE))
            if self.has_text:
                self.parts.append("\n")
            return False
        if token in ("--", "*/"):
            # Not a comment mark here (1--1, 2*/*...*/3), or the end of a /*! */ comment: the client
            # takes the first character alone and looks at the second again, which may start a comment.
            self._text(token[0], number)
            self.resume = match.start() + 1
            self.in_versioned = self.in_versioned and token == "--"
        elif token == "/*":
            self._comment_start(line, match.end(), number)
        elif len(token) > 1:
            self._quoted(token, token[0], number)
            self._text(token, number)  # a whole quoted string
        else:
            self._text(token, number)
            self.quote, self.quote_line = token, number
        return None

    def _shell_token(self, token: str, line: str, match: re.Match, number: int):
        if token == "--":
            self.dash_tail = True  # the shell tests "SQL so far;" for completeness: this ';' would be in the comment
            self._line_comment(line[match.start():], number, not line[:match.start()].strip(WHITESPACE))
            if self.has_text:
                self.parts.append("\n")
            return False
        if token == "/*":
            self.in_comment, self.comment_line = True, number
        elif len(token) > 1 and token[0] in "'\"`[":
            self._text(token, number)
        elif token in ("'", '"', "`", "["):
            self._text(token, number)
            self.quote, self.quote_line = token, number
        elif self._inside_trigger():
            self._text(token, number)  # a ';' inside CREATE TRIGGER ... END
        else:
            return self._finish()
        return None

    def _comment_start(self, line: str, at: int, number: int) -> None:
        if self.in_versioned:
            self._fail(number, "a comment inside a /*! */ comment: the mysql client and the server end it at "
                               "different places; remove it")
        if line.startswith("+", at) and not self.has_text:
            # The mariadb client drops an optimizer hint as a comment, the mysql one keeps it: before
            # a statement's first word that changes which line starts a statement.
            self._fail(number, "an optimizer hint /*+ */ before a statement's first word: the mysql and mariadb "
                               "clients read what follows differently; move it after the first word")
        if line.startswith(("!", "M!"), at):  # a versioned comment: code the server runs
            self._text("/*", number)
            self.in_versioned = True
        else:
            self.in_comment, self.comment_line = True, number

    def _backslash(self, token: str, number: int):
        """A backslash outside quotes, as the client reads it."""
        char = token[1:]
        if char in ("", "\n"):
            if char and self.has_text:
                self.parts.append("\n")  # at the end of a line the client drops it, and keeps the line break
            return None
        if char == "c":
            self.parts, self.has_text = [], False
        elif char == "N":  # the client's NULL
            self._text(token, number)
        elif char in ("g", "G"):  # sent as it is: never read as a named command
            return self._finish(by_delimiter=False)
        else:
            command = _BACKSLASH_COMMANDS.get(char)
            if command is None:
                self._fail(number, f"'{printable(token)}' outside quotes is not SQL: the mysql client stops the "
                                   "file there (an unknown client command); write it inside a string literal")
            else:
                self._refuse(number, token, "sqlgen takes \\d alone on its line only" if char == "d" else
                             _REFUSED_WHY.get(command, f"it is the client's {command!r} command, and sqlgen "
                                                       "runs SQL only"))
            if char in ("q", "."):
                return False  # the client stops, or reads another file: the rest of the line is its argument
        return None

    # --- Lines that start a statement -------------------------------------------------

    def _client_line(self, line: str, number: int):
        """A statement-starting line as the client's find_command() reads it: a named
        command, or a comment line. True when the line is taken, a Statement for
        `use db`, None when it is SQL."""
        name = line.lstrip(WHITESPACE)
        body = name.rstrip("\n")
        word = _COMMAND_WORD.match(body).group()
        lowered = word.lower() if word.isascii() else ""  # the client compares names in latin1
        if lowered in ("delimiter", "\\d"):
            return self._delimiter_line(body, number)
        takes = CLIENT_COMMANDS.get(lowered)
        # The client's own rule: a line holding \g or the delimiter is read as SQL, and
        # the delimiter decides at the end of the statement.
        if takes is not None and "\\g" not in body and self.delimiter not in body:
            argument = body[len(word):].strip(WHITESPACE)
            if not argument:
                return self._named_command(lowered, body, number)
            if takes:
                if lowered == "use" and _USE_ARGUMENT.fullmatch(argument):
                    return Statement(body.strip(WHITESPACE), number, self.tracking)
                self._refuse(number, word, _REFUSED_WHY.get(lowered, "sqlgen cannot do what it does"))
                return True
        if name.startswith(("--", "#")):
            self._line_comment(name, number, True)
            return True
        return None

    def _delimiter_line(self, body: str, number: int):
        match = _SIMPLE_DELIMITER_LINE.fullmatch(body.lstrip(WHITESPACE))
        delimiter = next((group for group in match.groups() if group), "") if match else ""
        # A non-ASCII delimiter: the client copies a multibyte character whole, never matching it.
        if not match or "\\g" in body or not delimiter.isascii() or any(c in delimiter for c in _NOT_IN_DELIMITERS):
            self._refuse(number, body.split()[0] if body.split() else "delimiter", _REFUSED_WHY["delimiter"])
            return True
        self.delimiter = delimiter
        self._follow_mode()
        return True

    def _named_command(self, word: str, body: str, number: int):
        if word in DISPLAY_COMMANDS:
            return True  # changes only what the client prints
        self._refuse(number, word, _REFUSED_WHY.get(word, "sqlgen cannot do what it does"))
        return True

    def _shell_line(self, line: str, number: int):
        """A statement-starting line as the sqlite3 shell reads it: a dot-command, a `#`
        comment line (at the left margin only), or a lone `go` or `/`."""
        stripped = line.lstrip(WHITESPACE)
        if stripped.startswith("."):
            word = printable(stripped.split(None, 1)[0])
            self._fail(number, f"the sqlite3 shell command '{word}' cannot be run by sqlgen as the shell runs it; "
                               "remove it (migration files hold SQL only)")
            return True
        if line.startswith("#") or _SHELL_TERMINATOR.fullmatch(line):
            return True
        return None

    # --- Statement text -----------------------------------------------------------------

    def _quoted(self, text: str, quote: str, number: int) -> None:
        """A quoted string (or its part on one line): a backslash in it is refused where the
        reading depends on an sql_mode sqlgen cannot tell, and a `*/` inside /*! */, where a
        server that skips the comment ends it."""
        if self.in_versioned and "*/" in text:
            self._fail(number, "'*/' inside a string inside a /*! */ comment: a server that skips the comment "
                               "(an older version) ends it there, and runs what follows; remove it")
        if self.escapes.get(quote, False) is None and "\\" in text:
            self._fail(number, f"a backslash inside {quote}{quote} where the file's sql_mode cannot be told (a "
                               "SET sql_mode sqlgen cannot evaluate, or ANSI_QUOTES, which the clients read "
                               "differently): write SET sql_mode = '...' with its value, or avoid the backslash")

    def _escaping(self, quote: str) -> bool:
        return self.escapes.get(quote) is not False

    def _set_mode(self, sql_mode: str | None, pinned: bool = False) -> None:
        """The session's sql_mode from here on (None: not known); `pinned`: PIN_ESCAPES ran."""
        if not self.shell:
            words = mode_words(sql_mode)
            self.mode = words - {"NO_BACKSLASH_ESCAPES"} if pinned and words is not None else words
            single, double = mode_escapes(self.mode, pinned)
            self.escapes = {"'": single, '"': double, "`": False}
        self._follow_mode()

    def _follow_mode(self) -> None:
        """The patterns for the delimiter and escaping in force; no fast path while a
        backslash in a string must be looked at."""
        if self.shell:
            self.special, self.run = _SHELL_SPECIAL, None
            return
        single, double = self._escaping("'"), self._escaping('"')
        self.special = _special(self.delimiter, single, double)
        known = None not in (self.escapes["'"], self.escapes['"'])
        self.run = _plain_run(self.delimiter, single, double) if known else None

    def _inside_trigger(self) -> bool:
        """Like sqlite3_complete(): a trigger's body ends at END, not at its first ';'."""
        text = "".join(self.parts).lstrip(_SHELL_WHITESPACE)
        return bool(_TRIGGER.match(text)) and not _TRIGGER_END.search(text)

    def _text(self, text: str, number: int) -> None:
        if self.need_space and not text.startswith("\\N"):  # the client copies \N without the space
            # The client puts a space where a comment was before the next single-byte character;
            # a multibyte one it copies whole first, gluing it to the text before the comment.
            if not text[:1].isascii() and not self.shell:
                self._fail(number, "a non-ASCII character right after a /* */ comment: the mysql client joins it to "
                                   "the text before the comment (a different name); put a space after the comment")
            self.need_space = False
            if text[:1] not in WHITESPACE:
                text = " " + text
        if not self.has_text:
            if not text.strip(self.whitespace):
                return
            self.has_text = True
            self.start_line = number
            self.statement_tracking = self.tracking
            text = text.lstrip(self.whitespace)
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
        text = "".join(self.parts).lstrip(self.whitespace).rstrip(self.trailing)
        self.parts = []
        self.has_text = False
        if self.in_versioned:
            self._fail(self.start_line, "a statement ends inside a /*! */ comment: the mysql client and the server "
                                        "read the rest of the line differently; close the comment before the end")
        self.in_versioned = False  # (a pending space after a comment stays: the client keeps it too)
        if not text:
            return None
        escapes = None if self.shell else self.escapes.get("'")
        if not self.shell:
            if by_delimiter:
                # At its delimiter the client reads a statement whose first word names a command as that command.
                word = _COMMAND_WORD.match(text).group().lower()
                if word in CLIENT_COMMANDS and not (word == "use" and
                                                    _USE_ARGUMENT.fullmatch(text[3:].strip(WHITESPACE))):
                    self._refuse(self.start_line, word, _REFUSED_WHY.get(word, "the client reads this statement "
                                                                               "as its own command"))
                    return None
            self._follow_sql_mode(text)
            self._refuse_unsafe_character_set(text)
        return Statement(text, self.start_line, self.statement_tracking, escapes, self.delimiter == ";")

    def _refuse_unsafe_character_set(self, text: str) -> None:
        """The server reads the bytes of the statements after a SET NAMES in that character set. In
        big5, gbk, sjis, cp932 and gb18030 a character's second byte may be a backslash or a quote,
        so what the client and sqlgen read as a string's end may not be one to the server; and a
        value sqlgen cannot tell may be one of them."""
        folded = text.casefold()
        if not ("names" in folded or "char" in folded) or not _SETS_SOMETHING.match(text):
            return
        # Strings blanked in place: a keyword inside one is no keyword; its value is read from the text.
        blanked = _ANY_STRING.sub(lambda m: m.group()[0] + "x" * (len(m.group()) - 2) + m.group()[-1], text)
        for keyword in _CLIENT_CHARSET.finditer(blanked):
            match = _CLIENT_CHARSET.match(text, keyword.start())
            name = (match.group(2) if match.group(1) else match.group(3) or "").lower()
            if name in _UNSAFE_CLIENT_CHARSETS or not name or name == "default":
                shown = printable(" ".join(text.split())[:60])
                self._fail(self.start_line, f"`{shown}` sets the character set the server reads the file's "
                                            f"statements in to {name or 'a value sqlgen cannot tell'}"
                                            f"{', in which a character may end in the byte of a backslash or a quote' if name in _UNSAFE_CLIENT_CHARSETS else ''}"
                                            ", so the server may read what follows otherwise than the mysql client "
                                            "and sqlgen do; migration files talk utf8mb4 (sqlgen sends them as UTF-8): "
                                            "remove it")
                return

    def _follow_sql_mode(self, text: str) -> None:
        """The client follows the session's sql_mode as the server reports it after each
        statement; sqlgen follows a plain SET of it it can evaluate, and after anything else
        that names sql_mode (or may set it: EXECUTE) knows it no more."""
        # One pass in C first: a data statement of kilobytes names neither (casefold() keeps every
        # letter the patterns below take for s, q, l, ..., as 'ſ' for 's').
        folded = text.casefold()
        if ("execute" in folded or "call" in folded) and _RUNS_OTHER_CODE.search(text) and \
                _RUNS_OTHER_CODE.search(_KEY_QUOTED.sub("''", text)):
            self._set_mode(None)  # a prepared statement or a procedure may set anything
            return
        if "sql_mode" not in folded or not _MENTIONS_MODE.search(text) or not _MENTIONS_MODE.search(_code_of(text)):
            return
        if " ".join(text.lower().split()) == _PIN_KEY:
            self._set_mode(None if self.mode is None else ",".join(self.mode), pinned=True)
            return
        mode = _plain_set_mode(text, self.mode, self._escaping("'"), self._escaping('"'))
        self._set_mode(mode if mode is not _UNKNOWN else None)

    def _refuse(self, number: int, word: str, why: str) -> None:
        self._fail(number, f"the client command '{printable(word)}' cannot be run by sqlgen as the client runs it "
                           f"({why}); remove it (migration files hold SQL only)")

    def _fail(self, number: int, message: str) -> None:
        if self.strict:
            raise SqlgenError(f"{self.name}, line {number}: {message}")
        self.refused.append((number, message))

    def close(self) -> Iterator[Statement]:
        if self.quote:
            raise SqlgenError(f"{self.name}, line {self.quote_line}: the {self.quote} quote opened here is never "
                              "closed")
        if self.in_comment:
            raise SqlgenError(f"{self.name}, line {self.comment_line}: the /* comment opened here is never closed")
        statement = self._finish(by_delimiter=False)  # at the end of input the client sends what is left as SQL
        if self.tracking:
            raise SqlgenError(
                f"{self.name}, line {self.tracking_line}: '{TRACKING_BEGIN}' has no '{TRACKING_END}' line "
                "after it; restore it, or run sqlgen rehash"
            )
        if statement:
            yield statement


_UNKNOWN = object()
_SINGLE_QUOTED = re.compile(_QUOTED[True, "'"], re.S)
_MENTIONS_MODE = re.compile("sql_mode", re.I)
# A SET, also inside a versioned comment; what sets the character set the server reads in, and its value.
_SETS_SOMETHING = re.compile(r"\s*(?:/\*M?!\d*\s*)?set\b", re.I)
_CLIENT_CHARSET = re.compile(r"\b(?:names|character\s+set|charset|character_set_client|character_set_connection)\b"
                             r"\s*(?::?=\s*)?(?:(['\"`])(\w*)\1|(\w+)|)", re.I | re.A)
_UNSAFE_CLIENT_CHARSETS = frozenset({"big5", "cp932", "gb18030", "gbk", "sjis"})
_ANY_STRING = re.compile(r"'(?:[^'\\]|\\.|'')*'|\"(?:[^\"\\]|\\.|\"\")*\"", re.S)
# Statements that run code the file does not show (EXECUTE, EXECUTE IMMEDIATE, CALL): after
# one, the client may read the session's sql_mode as that code left it.
_RUNS_OTHER_CODE = re.compile(r"\b(?:execute|call)\b", re.I | re.A)
_SCOPE_WORD = re.compile(r"(global|session|local)[ \t\n\v\f\r]+", re.I | re.A)
_MODE_NAME = re.compile(r"(?:(global|session|local)[ \t\n\v\f\r]+|@@(global|session|local)\.|@@)?sql_mode", re.I | re.A)


def _code_of(text: str) -> str:
    """A statement without its '' strings (names, quoted or not, stay: `sql_mode` counts)."""
    return _SINGLE_QUOTED.sub("''", text)


def _plain_set_mode(text: str, current: frozenset[str] | None, single: bool = True, double: bool = True):
    """The session's sql_mode after `text`, a statement naming sql_mode: the value of a plain
    `SET [SESSION] sql_mode = 'literal'` (in a /*! */ comment or among other assignments),
    the current one when only the global mode is set, else _UNKNOWN."""
    prefix = _SET.match(text)
    if not prefix or text[prefix.end():prefix.end() + 9].lower() == "statement":
        return _UNKNOWN  # SET STATEMENT leaves the client's reading of the next line stale
    body = text[prefix.end():]
    if text.startswith("/*"):
        # /*M! runs on MariaDB only, /*!NNNNN from version NNNNN on: only what every server
        # sqlgen takes runs (5.7 and up) is known to run.
        version = re.match(r"/\*!(\d*)", text)
        body = body.rstrip(WHITESPACE)
        if not version or (version.group(1) and int(version.group(1)) > 50700) or not body.endswith("*/"):
            return _UNKNOWN
        body = body[:-2]
    mode = None if current is None else ",".join(current)
    carried = "session"  # SET GLOBAL a = 1, b = 2 sets both globally
    for assignment in assignments(body, single, double):
        left, equals, right = assignment.partition("=")
        left = left.strip(WHITESPACE).removesuffix(":").strip(WHITESPACE)
        scope_word = _SCOPE_WORD.match(left)
        if scope_word:
            carried = scope_word.group(1).lower()
        target = _MODE_NAME.fullmatch(left)
        if target is None:
            if not _MENTIONS_MODE.search(left) or (left.startswith("@") and not left.startswith("@@")):
                continue  # another variable (a user variable may well be named @OLD_SQL_MODE)
            return _UNKNOWN  # sql_mode spelled some other way: `sql_mode`, @@session . sql_mode
        if not equals:
            return _UNKNOWN
        scope = (target.group(1) or target.group(2) or "").lower()
        if not scope and left.startswith("@@") and carried == "global":
            return _UNKNOWN  # whether @@sql_mode after SET GLOBAL names the session's: not sure
        if (scope or carried) == "global":
            continue  # the session keeps its own
        value = _MODE_VALUE.fullmatch(right.strip(WHITESPACE))
        if value is None:
            return _UNKNOWN
        mode = value.group(1) if value.group(1) is not None else value.group(2)
    return mode


def assignments(body: str, single: bool = True, double: bool = True) -> list[str]:
    """The comma-separated assignments of a SET, commas in quotes and parentheses left alone;
    `single`, `double`: whether a backslash escapes inside '' and "" (as the session reads them)."""
    found, depth, quote, start, escaped = [], 0, None, 0, False
    for position, char in enumerate(body):
        if escaped:
            escaped = False
        elif quote:
            if char == "\\" and ((quote == "'" and single) or (quote == '"' and double)):
                escaped = True
            else:
                quote = None if char == quote else quote
        elif char in "'\"`":
            quote = char
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == "," and depth == 0:
            found.append(body[start:position])
            start = position + 1
    return found + [body[start:]]


def split(lines: Iterable[str], reading: Reading, name: str = "<sql>", sql_mode: str | None = "") -> Iterator[Statement]:
    """Statements of `lines` (strings ending in newlines, e.g. an open text file);
    something sqlgen cannot run as the client does raises SqlgenError."""
    splitter = Splitter(name, reading, sql_mode=sql_mode)
    for number, line in enumerate(lines, 1):
        yield from splitter.feed(line, number)
    yield from splitter.close()


def split_text(text: str, reading: Reading, name: str = "<sql>", sql_mode: str | None = "") -> list[Statement]:
    return list(split(lines_of(text), reading, name, sql_mode))


def lines_of(text: str) -> list[str]:
    """Lines as the client reads them: broken at LF only, so a lone CR or a form
    feed inside a string stays where it is."""
    lines = text.split("\n")
    last = lines.pop()
    return [line + "\n" for line in lines] + ([last] if last else [])
