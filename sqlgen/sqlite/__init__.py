"""SQLite: reflection, declaration, rendering (with table rebuilds) and its runner.

The package offers one thing, DIALECT (sqlgen.contract). SQLAlchemy (the
declaration), the diff and the renderer are imported when a command first uses
them, as in sqlgen.mysql.
"""

from ..contract import Dialect
from ..database import reason
from . import connection, preconditions, tracking
from .dialect import EXPRESSION_RULES as WRITTEN_RULES
from .dialect import NAME_RULES, READING
from .reflect import server_info
from .scratch import scratch_database

def rules(server):
    """How the diff treats SQLite on this version (which changes need a table rebuild)."""
    from ..diff import Rules
    from ..diff.core import numbered_foreign_key_name
    from .render import needs_rebuild

    # An unnamed key added later is named as SQLite's reflection names it: <table>_fk_<n>.
    return Rules(implicit_fk_indexes=False, takes_collation=lambda column_type: True,
                 inline_foreign_keys=True, needs_rebuild=needs_rebuild(server), case_insensitive_tables=True,
                 foreign_key_name=numbered_foreign_key_name)


def _reflect(connection, server, exclude: frozenset[str] = frozenset()):
    from .reflect import reflect

    return reflect(connection, server, exclude)


def _render(operation, server) -> list[str]:
    from .render import render

    return render(operation, server)


def _declared_schema(metadata, server, version_table: str):
    from .declare import declared_schema

    return declared_schema(metadata, server, version_table)


def _make_runner(database, connection, server, version_table: str, echo):
    from .runner import Runner

    return Runner(connection.connection.dbapi_connection, server, version_table, echo)


def _lint(statements, schema, server):
    from .lint import analyse

    return analyse(statements, schema, server)


DIALECT = Dialect(
    name="sqlite",
    preamble=(),
    pin_escapes=None,  # SQLite has no backslash escapes
    # A rebuild copies the database's own SQL text (a trigger, a CHECK), comments included; the
    # shell hands them to SQLite, which ignores them.
    copies_comments=True,
    name_rules=NAME_RULES,
    written_rules=WRITTEN_RULES,
    not_tables=frozenset({"trigger", "partial or expression index"}),  # kinds not named like a table
    notice=("This file runs in one transaction: if a statement fails, none of it stays",
            "applied."),
    by_hand=("-- Run it with the sqlite3 shell, stopping at the first error: sqlite3 -bail {database} < this_file.sql",
             "app.db"),
    reading=READING,
    rolls_back=None,  # the runner runs every file in one transaction whatever it holds
    lint=_lint,
    parse_url=connection.parse_url,
    relative_url=connection.relative_url,
    adopt_url=lambda url: (url, []),  # a Flask-SQLAlchemy engine's SQLite URL is already absolute
    open_database=connection.open_database,
    is_driver_error=connection.is_driver_error,
    describe_error=reason,
    refuse_missing=connection.refuse_missing,
    refuse_transient=connection.refuse_transient,
    database_key=connection.database_key,
    reading_url=connection.reading_url,
    scratch_database=scratch_database,
    server_info=server_info,
    reflect=_reflect,
    declared_schema=_declared_schema,
    rules=rules,
    render=_render,
    preconditions=preconditions.preconditions,
    render_precondition=preconditions.render,
    read_precondition=preconditions.read,
    precondition_sql=preconditions.queries,
    tracking=tracking,
    make_runner=_make_runner,
)
