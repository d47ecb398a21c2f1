"""The contract a dialect package fulfils: one `Dialect`, exported as `DIALECT`.

It lives apart from sqlgen.dialects (which imports the packages) so that a
package can build its instance without importing the module that looks it up.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import ModuleType
from typing import TYPE_CHECKING, Callable

if TYPE_CHECKING:
    from .safety import ExpressionRules, NameRules
    from .splitter import Reading


@dataclass(frozen=True)
class Dialect:
    """Everything generic code may ask of a dialect."""

    name: str  # as the DIALECT marker and the files' headers write it
    # Writing files
    preamble: tuple[str, ...]  # statements every file starts with
    pin_escapes: str | None  # put after the preamble of a file holding a backslash (None: no escapes)
    copies_comments: bool  # rendered statements may carry the database's own comments
    name_rules: NameRules  # what a name must be for the server to store it
    written_rules: ExpressionRules  # how a rendered statement is read back (quotes, comments)
    not_tables: frozenset[str]  # reflected kinds of objects not named like a table
    notice: tuple[str, ...]  # the header's word on what a failed statement leaves applied
    # The line of `sqlgen sql` telling how to run the script by hand: a template naming
    # {database}, and what it says when the database is not known
    by_hand: tuple[str, str]
    # Reading files
    reading: Reading  # how the dialect's command-line client cuts a file into statements
    # Statements a transaction can undo: a file of only these runs in one (None: the runner runs
    # every file in one transaction whatever it holds).
    rolls_back: Callable[[str], bool] | None
    lint: Callable  # (statements, schema, server) -> findings
    # The database
    parse_url: Callable  # url -> URL object (database, drivername, render_as_string ...)
    relative_url: Callable  # (url, folder) -> the URL a config file in that folder means
    # A URL from another tool's configuration (a Flask app's): (the URL sqlgen takes for it, notes)
    adopt_url: Callable[[str], tuple[str, list[str]]]
    open_database: Callable  # url -> context manager of a Database
    is_driver_error: Callable[[BaseException], bool]
    describe_error: Callable[[BaseException], str]  # the driver's message, masked, with advice where known
    refuse_missing: Callable[[str], None]  # url -> raise when a command must not create the database
    refuse_transient: Callable[[str], None]  # url -> raise for a database that vanishes with its connection
    database_key: Callable[[str], tuple]  # url -> the server and database it names, as comparable parts
    # url -> (the URL to read the schema from without creating the database, a note or None): a
    # SQLite file that does not exist yet reads as an empty database, and stays uncreated
    reading_url: Callable[[str], tuple[str, str | None]]
    scratch_database: Callable  # url -> context manager of a new, empty database's URL (dropped after)
    server_info: Callable  # connection -> the server facts
    reflect: Callable  # (connection, server, exclude) -> Schema
    # The models and the diff
    declared_schema: Callable  # (metadata, server, version_table) -> (Schema, notes)
    rules: Callable  # server -> diff Rules
    render: Callable  # (operation, server) -> SQL text
    # Preconditions (sqlgen.preconditions): the checks a file runs before it changes anything
    preconditions: Callable  # (operations, schema the file runs against, sample rows or 0) -> [Precondition]
    render_precondition: Callable  # Precondition -> its comments and statement (a comment alone: not checked)
    read_precondition: Callable  # statement text -> the Precondition it is, or None
    precondition_sql: Callable  # (Precondition, limit) -> (query counting its rows, query listing `limit` of them)
    # Running files
    tracking: ModuleType  # the tracking table's SQL (file_blocks, up_start, ...)
    make_runner: Callable  # (database, connection, server, version_table, echo) -> runner
