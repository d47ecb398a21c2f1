"""MySQL and MariaDB: server facts, types, expressions, reflection, declaration, rendering.

The package offers one thing, DIALECT (sqlgen.contract). The runner's commands
need only the server facts, the tracking SQL and the runner; the rest is imported
when a command first uses it, so that `sqlgen upgrade` or `current` start without
loading the diff, the renderer or SQLAlchemy.
"""

from functools import lru_cache

from ..contract import Dialect
from ..splitter import PIN_ESCAPES as PIN
from . import connection, preconditions, tracking
from .dialect import NAME_RULES, NOT_TABLES, WRITTEN_RULES, server_info
from .transactions import FILE_READING, is_transactional

def rules(server=None):
    """How the diff treats MySQL (the same for every server version)."""
    return _rules()


@lru_cache(maxsize=None)
def _rules():
    from ..diff import Rules
    from ..diff.core import numbered_name
    from .dialect import reported_text
    from .types import takes_collation

    # InnoDB creates an index for a foreign key that has none and refuses to drop one a key needs;
    # it names an unnamed key <table>_ibfk_<n>.
    return Rules(implicit_fk_indexes=True, takes_collation=takes_collation, reported_text=reported_text,
                 foreign_key_name=lambda table, taken: numbered_name(f"{table}_ibfk_", taken))


def _reflect(connection, server, exclude: frozenset[str] = frozenset()):
    from .reflect import reflect as read

    return read(connection, server, exclude)


def _render(operation, server) -> str:
    from .render import render as write

    return write(operation, server)


def _declared_schema(metadata, server, version_table: str):
    """The models as a Schema (SQLAlchemy is imported here)."""
    from .declare import declared_schema as declare

    return declare(metadata, server, version_table)


def _make_runner(database, connection, server, version_table: str, echo):
    from .runner import Runner

    return Runner(connection.dbapi_connection, database.file_session, server, version_table, echo)


def _lint(statements, schema, server):
    from .lint import analyse

    return analyse(statements, schema, server)


def _preconditions(operations, schema, sample: int = 0):
    from .checks import preconditions as checks

    return checks(operations, schema, sample)


def _scratch_database(url: str):
    from .scratch import scratch_database as scratch

    return scratch(url)


def _as_given(url: str, base) -> str:
    """A server URL means the same wherever the config file is."""
    return url


def _no_check(url: str) -> None:
    """A server database is never created by sqlgen: connecting names one that is missing."""


DIALECT = Dialect(
    name="mysql",
    preamble=("SET NAMES utf8mb4;",),  # every file talks utf8mb4, whatever the client's own setting
    # After the preamble of a file holding a backslash: sqlgen writes literals with escapes
    # (sqlgen.splitter follows it, as the client does).
    pin_escapes=PIN + ";",
    # sqlgen renders no comment inside a statement (the server prints reflected expressions
    # without theirs), so each rendered statement must read back exactly as written.
    copies_comments=False,
    name_rules=NAME_RULES,
    written_rules=WRITTEN_RULES,
    not_tables=NOT_TABLES,
    notice=("MySQL and MariaDB commit each DDL statement on its own: if a statement",
            "fails, the statements before it stay applied."),
    by_hand=("-- Run it with the mysql or mariadb client, e.g. mariadb {database} < this_file.sql", "DBNAME"),
    reading=FILE_READING,
    rolls_back=is_transactional,
    lint=_lint,
    parse_url=connection.parse_url,
    relative_url=_as_given,
    adopt_url=connection.adopt_url,
    open_database=connection.open_database,
    is_driver_error=connection.is_driver_error,
    describe_error=connection.describe_error,
    refuse_missing=_no_check,
    refuse_transient=lambda url: None,  # a server database outlives its connections
    database_key=connection.database_key,
    reading_url=lambda url: (url, None),  # a server database: connecting names one that is missing
    scratch_database=_scratch_database,
    server_info=server_info,
    reflect=_reflect,
    declared_schema=_declared_schema,
    rules=rules,
    render=_render,
    preconditions=_preconditions,
    render_precondition=preconditions.render,
    read_precondition=preconditions.read,
    precondition_sql=preconditions.queries,
    tracking=tracking,
    make_runner=_make_runner,
)
