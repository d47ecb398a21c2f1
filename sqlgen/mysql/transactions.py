"""Which statements InnoDB can roll back: a file of only these runs in one transaction."""

from __future__ import annotations

import re
from dataclasses import replace

from ..migrations import FIRST_WORD, WHOLLY_VERSIONED
from ..splitter import PIN_ESCAPES, assignments
from .dialect import READING
from .preconditions import is_precondition

TRANSACTIONAL = frozenset({"insert", "update", "delete", "replace", "select", "with", "set", "do", "values", "table"})
# What a SET assignment may name to end, start or shape transactions itself.
_TRANSACTION_CONTROL = re.compile(
    r"\s*(?:(?:session|global|local)\s+)?(?:@@(?:session\.|global\.|local\.)?)?"
    r"(?:transaction|autocommit|tx_isolation|transaction_isolation|completion_type)\b", re.I)
_SET_WORD = re.compile(r"(?:/\*!\d*\s*)?set\s+", re.I)


def is_transactional(text: str) -> bool:
    versioned = WHOLLY_VERSIONED.fullmatch(text)
    if versioned:
        # What the server runs is inside; code after another */ would be read differently.
        return "*/" not in versioned.group(1) and "/*" not in versioned.group(1) and is_transactional(versioned.group(1))
    match = FIRST_WORD.match(text)
    return bool(match) and match.group(1).lower() in TRANSACTIONAL and not _controls_transactions(text)


def _controls_transactions(text: str) -> bool:
    """A SET any of whose assignments ends, starts or shapes transactions (`SET @a = 1, autocommit = 0`)."""
    prefix = _SET_WORD.match(text)
    return bool(prefix) and any(_TRANSACTION_CONTROL.match(part) for part in assignments(text[prefix.end():]))


# --- How the runner may treat a statement in a file's session ------------------------------

# DDL: commits what came before and itself at once. A temporary table does neither, and one named
# like the tracking table would take the runner's own records (the word may hide in /*! */).
_DDL = re.compile(r"\s*(?:create|alter|drop|rename|truncate)\b", re.I)
_TEMPORARY = re.compile(r"\btemporary\b", re.I)
_NAME = r"(?:`(?:[^`]|``)+`|[\w$]+)"
# DML that writes one table of the session's database (besides what triggers write).
_ONE_TABLE_DML = re.compile(
    r"\s*(?:(?:insert|replace)\s+(?:(?:low_priority|delayed|high_priority|ignore)\s+)*(?:into\s+)?" + _NAME +
    r"\s*(?:\(|values?\b|select\b|set\b|with\b|$)"
    r"|update\s+(?:(?:low_priority|ignore)\s+)*" + _NAME + r"\s+set\b"
    r"|delete\s+(?:(?:low_priority|quick|ignore)\s+)*from\s+" + _NAME +
    r"\s*(?:where\b|order\b|limit\b|returning\b|$))",
    re.I)
# SET assignments that shape only how this session reads and checks statements. Not time_zone:
# the runner's records take their times from the session. Not a character set but utf8mb4's, in
# which sqlgen reads what the server says.
_PLAIN_SET = re.compile(
    r"\s*(?:names\s+(?:'?utf8mb4'?|\"utf8mb4\")(?:\s+collate\s+'?\w+'?)?\s*$|@(?!@)|"
    r"(?:(?:session|local)\s+|@@(?:session\.|local\.)?)?(?:foreign_key_checks|unique_checks)\s*(?:=|:=))", re.I)
# A quoted string or name, to look at the code around them.
_QUOTED = re.compile(r"'(?:[^'\\]|\\.|'')*'|\"(?:[^\"\\]|\\.|\"\")*\"|`(?:[^`]|``)*`", re.S)


def calls_or_reads(text: str) -> bool:
    """A parenthesis outside quotes: a function call or a subquery, which may read the data or
    change it (a stored function can), so running it again is not running the same thing; or
    a sequence's next value, which each run takes anew."""
    code = _QUOTED.sub("", text)
    return "(" in code or bool(_SEQUENCE_VALUE.search(code))


_SEQUENCE_VALUE = re.compile(r"\b(?:next|previous)\s+value\s+for\b", re.I)


# --- What a statement leaves in its session ---------------------------------------------------------

# A SET of the session's own state (names, a session variable, a user variable): it leaves nothing
# once the file's session ends. A GLOBAL or PERSIST assignment anywhere in it does.
_SESSION_SET = re.compile(r"\s*set\s+(?:names|character\s+set|charset|session|local|@@session\.|@@local\.|@(?!@)|"
                          r"sql_mode|time_zone|foreign_key_checks|unique_checks|autocommit)\b", re.I)
_LASTING_SCOPE = re.compile(r"\b(?:global|persist|persist_only)\b|@@global\.", re.I)
_ASSIGNS_A_VARIABLE = re.compile(r"\binto\s+@|@[\w$.]+\s*:=", re.I)
_RUNS_SAVED_CODE = re.compile(r"\s*(?:call|execute|prepare)\b", re.I)
_CREATE = re.compile(r"\s*create\b", re.I)


def _sets_the_session(text: str) -> bool:
    return bool(_SESSION_SET.match(text)) and not _LASTING_SCOPE.search(text)


_PIN = " ".join(PIN_ESCAPES.lower().split())


def is_escape_pin(text: str) -> bool:
    """The SET sqlgen writes at the top of a file holding a backslash (sqlgen.splitter.PIN_ESCAPES):
    it reads only the session's own sql_mode, so a new session runs it to the same effect."""
    return " ".join(text.lower().split()) == _PIN


def only_sets_the_session(text: str) -> bool:
    """A SET that leaves nothing once the session ends, and that a new session can run again to
    the same effect: no function call or subquery (a stored function may write, a subquery reads
    data that may have changed since), but for sqlgen's own escape pin."""
    text = unwrapped(text)
    return is_escape_pin(text) or (_sets_the_session(text) and not calls_or_reads(text))


def session_state_lost(text: str) -> str | None:
    """What a statement sets in its session that running the SETs before a resume point again
    in a new session does not give back, if anything."""
    text = unwrapped(text)
    if is_escape_pin(text):
        return None
    if _sets_the_session(text) and calls_or_reads(text):
        return "sets the session from a function or a query"
    if _CREATE.match(text) and _TEMPORARY.search(text[:300]):
        return "makes a temporary table, which only its session saw"
    if _RUNS_SAVED_CODE.match(text):
        return "runs a procedure or a prepared statement, which may set the session"
    if not _SET_WORD.match(text) and _ASSIGNS_A_VARIABLE.search(_QUOTED.sub("''", text)):
        return "sets a user variable from a query"
    return None


def unwrapped(text: str) -> str:
    """What the server runs of a statement written wholly inside /*! */ (as mysqldump writes them)."""
    versioned = WHOLLY_VERSIONED.fullmatch(text)
    if versioned and "*/" not in versioned.group(1) and "/*" not in versioned.group(1):
        return versioned.group(1).strip()
    return text


def kind(text: str) -> str:
    """How the runner may send a statement read under the delimiter ';' in a session it keeps
    plain (sqlgen.mysql.runner):
    - "ddl": commits on its own;
    - "dml": writes one table of the session's database, so it can share a transaction with
      the runner's record of it;
    - "session": sets only what the session reads and checks statements with;
    - "other": anything else (transactions, LOCK TABLES, USE, sql_mode, CALL, ...), after which
      the runner keeps its records in its own session.
    A precondition (sqlgen.mysql.preconditions) reads and leaves nothing: "session"."""
    if _DDL.match(text):
        return "other" if _TEMPORARY.search(text[:300]) else "ddl"
    if _ONE_TABLE_DML.match(text):
        return "dml"
    if is_precondition(text):
        return "session"
    prefix = _SET_WORD.match(text)
    if (prefix and not text.startswith("/*") and not calls_or_reads(text)
            and all(_PLAIN_SET.match(part) for part in assignments(text[prefix.end():]))):
        return "session"
    return "other"


def leaves_nothing(text: str) -> bool:
    """What may stand before a file's opening tracking block: sqlgen's own SET NAMES utf8mb4 and
    escape pin, and preconditions that call only built-in functions. By hand, the client may
    stop at one before the tracking block has recorded anything, and nothing has changed; and
    none of them changes how the tracking statements that follow record (another SET, of the
    time zone or the storage engine, would: it goes after the block)."""
    return bool(_OWN_PREAMBLE.fullmatch(text)) or is_escape_pin(text) or (
        is_precondition(text) and only_reads(text))


_OWN_PREAMBLE = re.compile(r"set\s+names\s+utf8mb4", re.I)
# The functions a precondition may call and still only read: those sqlgen's checks use, and
# other built-ins of the same kind. A stored function (any other name, a qualified or quoted
# one) may write, and so may a sequence's next value.
READ_ONLY_FUNCTIONS = frozenset("""
    abs cast ceil ceiling char char_length character_length coalesce concat concat_ws convert count date
    datediff datetime day decimal exists floor find_in_set greatest hex if ifnull in instr isnull json_extract
    json_valid lcase least left length locate lower ltrim microsecond mod month not nullif octet_length
    position replace right round rtrim sign substr substring time timestamp trim truncate ucase unix_timestamp
    upper year and or is on using values binary
""".split())
_CALL = re.compile(r"(`(?:[^`]|``)+`|[\w$]+)?(\s*\.\s*(?:`(?:[^`]|``)+`|[\w$]+))?\s*\(")
_STRING = re.compile(r"'(?:[^'\\]|\\.|'')*'|\"(?:[^\"\\]|\\.|\"\")*\"", re.S)


def only_reads(text: str) -> bool:
    """Whether every call in `text` (strings aside) is of a built-in read-only function."""
    code = _STRING.sub("''", text)
    if _SEQUENCE_VALUE.search(code):
        return False
    for match in _CALL.finditer(code):
        name, qualified = match.group(1), match.group(2)
        if qualified or (name is not None and (name.startswith("`") or name.lower() not in READ_ONLY_FUNCTIONS
                                               and not _KEYWORD_BEFORE_PARENTHESIS.fullmatch(name))):
            return False
    return True


# Words a parenthesis follows that are no call: a subquery, a list, a type's size.
_KEYWORD_BEFORE_PARENTHESIS = re.compile(
    r"select|from|where|having|exists|in|as|all|union|by|between|like|regexp|rlike|when|then|else|"
    r"signed|unsigned|integer|double|float|varchar|char|nchar|binary|date|datetime|time|decimal|json|is|null", re.I)


# How a migration file reads (the client's cutting, READING), and what may lead its opening
# tracking block: the reading of the dialect's contract and of the runner.
FILE_READING = replace(READING, may_lead=leaves_nothing)
