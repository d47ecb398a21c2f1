"""SQLite: reflection, declaration, rendering (with table rebuilds) and its runner."""

from ..diff import Rules
from . import tracking
from .declare import declared_schema
from .dialect import EXPRESSION_RULES as WRITTEN_RULES
from .dialect import NAME_RULES
from .reflect import reflect, server_info
from .render import needs_rebuild, render

NAME = "sqlite"
PREAMBLE: list[str] = []
# A rebuild copies the database's own SQL text (a trigger, a CHECK), comments included; the
# shell hands them to SQLite, which ignores them.
COPIES_COMMENTS = True
PIN_ESCAPES = None  # SQLite has no backslash escapes
NOT_TABLES = frozenset({"trigger", "partial or expression index"})  # kinds not named like a table


def rules(server) -> Rules:
    return Rules(implicit_fk_indexes=False, takes_collation=lambda column_type: True,
                 inline_foreign_keys=True, needs_rebuild=needs_rebuild(server), case_insensitive_tables=True)


def make_runner(database, connection, server, version_table: str, echo):
    from .runner import SqliteRunner

    return SqliteRunner(connection.connection.dbapi_connection, server, version_table, echo)

# The interface every dialect package offers (see sqlgen.dialects).
__all__ = ["COPIES_COMMENTS", "PIN_ESCAPES", "NAME", "NAME_RULES", "NOT_TABLES", "PREAMBLE", "WRITTEN_RULES", "declared_schema", "reflect", "render", "make_runner", "rules", "server_info", "tracking"]
