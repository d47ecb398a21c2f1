"""The MySQL or MariaDB server a schema is read from or written for, and quoting.

The rest of the dialect's knowledge lives beside it: types.py (type synonyms
and sizes), expressions.py (defaults and expressions), reflect.py, declare.py
and render.py. Both the declared schema (compiled from the models) and the
reflected schema (read from information_schema) pass through the same
normalisers, so two columns that are the same on the server compare equal.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..errors import SqlgenError
from ..safety import ExpressionRules, NameRules
from ..splitter import Reading


@dataclass(frozen=True)
class ServerInfo:
    flavour: str  # "mysql" or "mariadb"
    version: tuple[int, ...]
    version_string: str
    database: str = ""
    default_engine: str = "InnoDB"
    default_collation: str = "utf8mb4_general_ci"
    # charset -> its default collation, from information_schema.CHARACTER_SETS.
    charset_collations: dict[str, str] = field(default_factory=dict, compare=False)
    sql_mode: str = ""
    lower_case_table_names: int = 0
    # collation -> its character set (None for MariaDB 11's charset-free names), and
    # engine (lowercase) -> SUPPORT, from information_schema; empty when not read.
    collations: dict[str, str | None] = field(default_factory=dict, compare=False)
    engines: dict[str, str] = field(default_factory=dict, compare=False)

    @property
    def is_mariadb(self) -> bool:
        return self.flavour == "mariadb"

    @property
    def label(self) -> str:
        return f"{self.flavour} {self.version_string}"

    @property
    def supports_rename_column(self) -> bool:
        return self.version >= ((10, 5, 2) if self.is_mariadb else (8, 0, 3))

    @property
    def supports_rename_index(self) -> bool:
        return self.version >= ((10, 5, 2) if self.is_mariadb else (5, 7))

    @property
    def supports_descending_indexes(self) -> bool:
        # Older servers accept DESC and silently build an ascending index.
        return self.version >= ((10, 8) if self.is_mariadb else (8, 0))

    def default_collation_of(self, charset: str) -> str:
        charset = CHARSET_ALIASES.get(charset.lower(), charset.lower())
        try:
            return self.charset_collations[charset]
        except KeyError:
            raise SqlgenError(
                f"unknown character set {charset!r} on this server; "
                "check the charset in the models"
            ) from None


CHARSET_ALIASES = {"utf8": "utf8mb3"}

# What the server takes in a name: 64 characters, no trailing space, nothing beyond U+FFFF.
READING = Reading("mariadb", shell_style=False)  # how the mysql or mariadb client cuts a file (see FILE_READING)
NAME_RULES = NameRules(max_length=64, trailing_space=False, supplementary=False, server="MySQL and MariaDB")
# A server may run with or without NO_BACKSLASH_ESCAPES, and the client follows it:
# an expression must be one expression either way.
EXPRESSION_RULES = (ExpressionRules(hash_comments=True), ExpressionRules(hash_comments=True, backslash_escapes=""))
# How a file sqlgen wrote reads: literals with escapes (a file holding one pins that reading).
WRITTEN_RULES = EXPRESSION_RULES[0]

ENGINE_NAMES = {
    name.lower(): name
    for name in ("InnoDB", "MyISAM", "MEMORY", "Aria", "ARCHIVE", "CSV", "BLACKHOLE",
                 "MRG_MyISAM", "FEDERATED", "ROCKSDB", "NDBCLUSTER", "CONNECT", "S3")
}


def quote_identifier(name: str) -> str:
    return "`" + name.replace("`", "``") + "`"


# How a string literal's special characters are written: on one line, nothing a client
# drops (a CR) or refuses (a NUL). A file that holds a backslash says it reads it as an escape
# (PIN_ESCAPES), and the server prints literals back so (`'a\\\\b'`) whatever its sql_mode.
_ESCAPED = {"\\": "\\\\", "\0": "\\0", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b", "\x1a": "\\Z"}
_TO_ESCAPE = re.compile("[\\\\\0\n\r\t\b\x1a]")


def quote_string(value: str) -> str:
    value = _TO_ESCAPE.sub(lambda match: _ESCAPED[match.group()], value)
    return "'" + value.replace("'", "''") + "'"


_FOUR_BYTE = re.compile("[\U00010000-\U0010FFFF]")


def reported_text(text: str) -> str:
    """Comments and defaults as information_schema shows them: utf8mb3, so any
    4-byte character (emoji) reads back as '?'."""
    return _FOUR_BYTE.sub("?", text)


# Around the reading of information_schema: the session's sql_mode set aside, so that expressions
# are printed as the default mode writes them (ANSI_QUOTES prints `"name"` for `name`), then put back.
READ_PLAINLY = ("SET @sqlgen_sql_mode = @@SESSION.sql_mode, SESSION sql_mode = ''",
                "SET SESSION sql_mode = @sqlgen_sql_mode")

SERVER_SQL = """
SELECT VERSION(), DATABASE(), @@default_storage_engine, @@sql_mode,
       @@lower_case_table_names,
       (SELECT DEFAULT_COLLATION_NAME FROM information_schema.SCHEMATA
         WHERE SCHEMA_NAME = DATABASE())
"""

# Character sets with their default collation, collations with their character set, and
# engines with their support: what a model's options are checked against.
CHARSETS_SQL = """
SELECT 'charset', CHARACTER_SET_NAME, DEFAULT_COLLATE_NAME FROM information_schema.CHARACTER_SETS
UNION ALL SELECT 'collation', COLLATION_NAME, CHARACTER_SET_NAME FROM information_schema.COLLATIONS
UNION ALL SELECT 'engine', ENGINE, SUPPORT FROM information_schema.ENGINES
"""

# Kinds of unmanaged objects that are not tables: a model table may not share a name
# with anything else.
NOT_TABLES = frozenset({"trigger", "procedure", "function", "event", "partitioning of table"})


def server_info(connection) -> ServerInfo:
    facts, charset_rows = connection.exec_batch([SERVER_SQL, CHARSETS_SQL])
    version, database, engine, sql_mode, lower_case, collation = facts[0]
    if not database:
        raise SqlgenError("the database URL names no database; add one, e.g. mysql+pymysql://user@host/mydb")
    flavour = "mariadb" if "mariadb" in version.lower() else "mysql"
    numbers = tuple(int(n) for n in re.findall(r"\d+", version.split("-")[0])[:3])
    charsets, collations, engines = {}, {}, {}
    for kind, name, value in charset_rows:
        if kind == "charset":
            charsets[name.lower()] = value.lower()
        elif kind == "collation":
            collations[name.lower()] = value.lower() if value else None
        else:
            engines[name.lower()] = (value or "").upper()
    return ServerInfo(
        flavour=flavour,
        version=numbers,
        version_string=version,
        database=database,
        default_engine=engine,
        default_collation=collation.lower(),
        charset_collations=charsets,
        sql_mode=sql_mode or "",
        lower_case_table_names=int(lower_case),
        collations=collations,
        engines=engines,
    )
