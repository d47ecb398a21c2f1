"""MySQL and MariaDB: server facts, types, expressions, reflection, declaration, rendering.

The runner's commands need only the server facts, the tracking SQL and the
runner; the rest is imported when a command first uses it, so that `sqlgen
upgrade` or `current` start without loading the diff, the renderer or SQLAlchemy.
"""

from functools import lru_cache

from ..splitter import PIN_ESCAPES as PIN
from . import tracking
from .dialect import NAME_RULES, NOT_TABLES, WRITTEN_RULES, server_info

NAME = "mysql"
# Every file talks utf8mb4, whatever the client's own setting.
PREAMBLE = ["SET NAMES utf8mb4;"]
# sqlgen renders no comment inside a statement (the server prints reflected expressions
# without theirs), so each rendered statement must read back exactly as written.
COPIES_COMMENTS = False
# Put after the preamble of a file holding a backslash: sqlgen writes literals with escapes
# (sqlgen.splitter follows it, as the client does).
PIN_ESCAPES = PIN + ";"


def rules(server=None):
    """How the diff treats MySQL (the same for every server version)."""
    return _rules()


@lru_cache(maxsize=None)
def _rules():
    from ..diff import Rules
    from .dialect import reported_text
    from .types import takes_collation

    # InnoDB creates an index for a foreign key that has none and refuses to drop one a key needs.
    return Rules(implicit_fk_indexes=True, takes_collation=takes_collation, reported_text=reported_text)


def reflect(connection, server, exclude: frozenset[str] = frozenset()):
    from .reflection import reflect as read

    return read(connection, server, exclude)


def render(operation, server) -> str:
    from .rendering import render as write

    return write(operation, server)


def declared_schema(metadata, server, version_table: str):
    """The models as a Schema (SQLAlchemy is imported here)."""
    from .declare import declared_schema as declare

    return declare(metadata, server, version_table)


def make_runner(database, connection, server, version_table: str, echo):
    from ..runner import Runner

    return Runner(connection.dbapi_connection, database.session, server, version_table, echo)


# The interface every dialect package offers (see sqlgen.dialects).
__all__ = ["COPIES_COMMENTS", "PIN_ESCAPES", "NAME", "NAME_RULES", "NOT_TABLES", "PREAMBLE", "WRITTEN_RULES", "declared_schema", "reflect", "render", "make_runner", "rules",
           "server_info", "tracking"]
