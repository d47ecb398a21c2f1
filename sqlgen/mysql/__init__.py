"""MySQL and MariaDB: server facts, types, expressions, reflection, declaration, rendering."""

from ..diff import Rules
from . import tracking
from .dialect import reported_text
from .reflect import NOT_TABLES, reflect, server_info
from .render import render
from .types import takes_collation

NAME = "mysql"
# Every file talks utf8mb4, whatever the client's own setting.
PREAMBLE = ["SET NAMES utf8mb4;"]

# InnoDB creates an index for a foreign key that has none and refuses to drop one a key needs.
MYSQL_RULES = Rules(implicit_fk_indexes=True, takes_collation=takes_collation, reported_text=reported_text)


def declared_schema(metadata, server, version_table: str):
    """The models as a Schema. SQLAlchemy is imported here, not at start-up:
    the runner's commands never need it."""
    from .declare import declared_schema as declare

    return declare(metadata, server, version_table)


def rules(server) -> Rules:
    return MYSQL_RULES


def make_runner(database, connection, server, version_table: str, echo):
    from ..runner import Runner

    return Runner(connection.dbapi_connection, database.session, server, version_table, echo)

# The interface every dialect package offers (see sqlgen.dialects).
__all__ = ["MYSQL_RULES", "NAME", "NOT_TABLES", "PREAMBLE", "declared_schema", "reflect", "render", "make_runner", "rules", "server_info", "tracking"]
