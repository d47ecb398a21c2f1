"""The generate pipeline: models -> declared Schema; database -> reflected Schema;
diff -> operations -> rendered statements, each checked and flagged with lint's findings.

Commands take a Plan and lay it out as files (sqlgen.blocks, sqlgen.writer).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, replace
from typing import Callable

from .config import Config
from .errors import SqlgenError
from .safety import printable


@dataclass
class Plan:
    dialect: object  # the dialect (sqlgen.contract.Dialect)
    server: object
    operations: list
    inverse: list
    notes: list[str]
    current: object = None
    target: object = None
    renames: tuple = ()
    metadata: object = None
    precondition_sample: int = 0  # rows a precondition reads of a bigger table (0: every row)
    column_order: bool = True  # the setting: columns standing elsewhere than in the models are moved

    def rules(self):
        return replace(self.dialect.rules(self.server), column_order=self.column_order)

    def with_renames(self, renames: tuple) -> "Plan":
        from .ops import invert

        operations = diff_or_explain(self.current, self.target, self.rules(), renames)
        return replace(self, operations=operations, inverse=invert(operations), renames=renames)

    def blocks(self, operations, schema) -> tuple[list[str], list[str], list]:
        """(leading, blocks, findings): each operation's statements in `blocks`, flagged with
        what `sqlgen lint` finds in them.

        `leading` holds the preamble and the read-only checks of the rows, for the front of
        the file, before its opening tracking block where the dialect allows it: by hand, a
        check that fails then stops the file before anything is recorded or changed. (Where
        it does not, they lead `blocks`.)

        `schema` is the database the statements run against: it tells a
        narrowing MODIFY from a widening one, and which columns a rebuild drops.
        """
        from .lint import lint_statements
        from .splitter import Statement

        from .migrations import check_statement
        from .splitter import escape_reading, split_text

        rendered = [self.dialect.render(operation, self.server) for operation in operations]
        rendered = [[statements] if isinstance(statements, str) else statements for statements in rendered]
        # Read-only checks of the rows the changes depend on, written before the first change.
        checks = [(self.dialect.render_precondition(p), p)
                  for p in self.dialect.preconditions(operations, schema, self.precondition_sample)]
        # A file holding a backslash reads it as an escape, as sqlgen writes it, whatever the session's mode.
        pinned = self.dialect.pin_escapes is not None and (
            any("\\" in text for group in rendered for text in group)
            or any("\\" in (statement or "") for (_, statement), _ in checks))
        mode = escape_reading(self.server.sql_mode) if pinned else self.server.sql_mode
        for operation, statements in zip(operations, rendered):
            for statement in statements:
                # Whatever a name, value or option holds, each statement runs as exactly itself.
                check_statement(statement, self.dialect.reading, operation.summaries()[:1], mode,
                                exact=not self.dialect.copies_comments, rules=self.dialect.written_rules)
        # Each statement carries its operation's number as its line, to put the findings back.
        findings = lint_statements([Statement(text, number) for number, group in enumerate(rendered)
                                    for text in group], self.dialect.lint, schema, self.server)
        leading = list(self.dialect.preamble) + ([self.dialect.pin_escapes] if pinned else [])
        for (comment, statement), precondition in checks:
            if statement is not None:
                check_statement(statement, self.dialect.reading, [f"precondition {precondition.target}"], mode,
                                exact=not self.dialect.copies_comments, rules=self.dialect.written_rules)
            leading.append(comment + (f"\n{statement};" if statement is not None else ""))
        blocks = []
        for number, statements in enumerate(rendered):
            lines = ["-- " + printable(finding.describe()) for finding in findings if finding.line == number]
            lines.append(";\n\n".join(statements) + ";")
            blocks.append("\n".join(lines))
        may_lead = self.dialect.reading.may_lead
        if may_lead is None:
            return [], leading + blocks, findings
        # (Should a check read as one that may not lead, it and those after it follow the block.)
        first_not = next((i for i, block in enumerate(leading) if not all(
            may_lead(statement.text) for statement in split_text(block, self.dialect.reading, "<check>"))), None)
        if first_not is not None:
            return leading[:first_not], leading[first_not:] + blocks, findings
        return leading, blocks, findings


def ask_about_renames(plan: Plan, ask: Callable[[str], bool]) -> Plan:
    from .diff import rename_candidates

    chosen = list(plan.renames)
    for table, column, new in rename_candidates(plan.operations):
        what = f"column {table}.{column} to {table}.{new}" if column else f"table {table} to {new}"
        if ask(f"Did you rename {what} (same definition)? Renaming keeps the data"):
            chosen.append((table, column, new))
    return plan if len(chosen) == len(plan.renames) else plan.with_renames(tuple(chosen))


def diff_or_explain(current, target, rules, renames) -> list:
    from .diff import diff

    try:
        return diff(current, target, rules, renames)
    except ValueError as exc:
        raise SqlgenError(str(exc)) from None


def make_plan(config: Config, dialect, renames: tuple = ()) -> Plan:
    """Load the models, reflect the database and diff them."""
    import gc

    # Models, reflected and declared schemas are hundreds of thousands of objects made
    # at once, none of them garbage; the cycle collector would walk them again and again
    # (a fifth of the time at 500 tables).
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _plan_uncollected(config, dialect, renames)
    finally:
        if collecting:
            gc.enable()


def _plan_uncollected(config: Config, dialect, renames: tuple) -> Plan:
    from .excluded import leave_out
    from .models import load_metadata
    from .ops import invert

    url, missing = dialect.reading_url(config.require_url())
    reflection = _Reflection(url, dialect, frozenset({config.version_table}))
    reflection.start()  # connects and reads the server's facts meanwhile
    try:
        metadata = config.metadata if config.metadata is not None else load_metadata(config.require_models(),
                                                                                      config.root)
    finally:
        # Only now the schema: importing the models may itself touch the database.
        reflection.models_loaded.set()
    server = reflection.server_facts()
    target, notes = dialect.declared_schema(metadata, server, config.version_table)
    notes = ([missing] if missing else []) + notes
    current = reflection.schema()
    rules = replace(dialect.rules(server), column_order=config.column_order)
    current, target, left_out = leave_out(current, target, config.exclude, rules.case_insensitive_tables)
    notes += left_out
    for kind, name in current.unmanaged:
        if kind not in dialect.not_tables and name in target.table_names():
            raise SqlgenError(f"the models declare a table {name!r}, but the database has a {kind} of that name, "
                              "which sqlgen does not manage; rename one of them")
    notes += [f"not compared: {kind} {name}" for kind, name in current.unmanaged]
    operations = diff_or_explain(current, target, rules, renames)
    moves = [op for op in operations if any(getattr(change, "move", None) for change in getattr(op, "changes", ()))]
    if moves and config.column_order:
        notes.append(f"{len(moves)} table(s) get columns moved to the models' order, each a table copy "
                     f"({', '.join(sorted({getattr(op, 'table', None) or op.new.name for op in moves})[:5])}); "
                     "on a database another tool built, "
                     "which appends added columns, column_order = false stops comparing positions")
    return Plan(dialect, server, operations, invert(operations), notes, current, target, renames, metadata,
                config.precondition_sample, config.column_order)


def make_baseline(config: Config, dialect) -> Plan:
    """The database as it is, as a plan from nothing: CREATE statements in dependency order,
    and their inverse, the DROPs (sqlgen baseline). The models are not read."""
    from .excluded import leave_out
    from .ops import invert
    from .schema import Schema

    url, _ = dialect.reading_url(config.require_url())
    reflection = _Reflection(url, dialect, frozenset({config.version_table}))
    reflection.start()
    reflection.models_loaded.set()
    server = reflection.server_facts()
    current, _, notes = leave_out(reflection.schema(), Schema(), config.exclude,
                                  dialect.rules(server).case_insensitive_tables)
    notes += [f"not in the baseline: {kind} {name}, which sqlgen does not manage" for kind, name in current.unmanaged]
    operations = diff_or_explain(Schema(), replace(current, unmanaged=()), dialect.rules(server), ())
    return Plan(dialect, server, operations, invert(operations), notes, Schema(), current, (), None,
                config.precondition_sample)


class _Reflection(threading.Thread):
    """Reads the database in a second thread: the server's facts while the models
    import, the schema once they have (importing them may touch the database) while
    they are read into a Schema. On a remote server the round trips then cost
    little; the schema's queries go in one round trip."""

    def __init__(self, url: str, dialect, exclude: frozenset[str]):
        super().__init__(name="sqlgen-reflect", daemon=True)
        self.url, self.dialect, self.exclude = url, dialect, exclude
        self.server = self.current = self.error = None
        self.server_known = threading.Event()
        self.models_loaded = threading.Event()

    def run(self) -> None:
        from .dialects import connect

        try:
            with connect(self.url, batches=True) as connection:
                self.server = self.dialect.server_info(connection)
                self.server_known.set()
                self.models_loaded.wait()
                self.current = self.dialect.reflect(connection, self.server, self.exclude)
        except BaseException as exc:  # raised in the main thread by server_facts() or schema()
            self.error = exc
        finally:
            self.server_known.set()

    def server_facts(self):
        self.server_known.wait()
        if self.server is None:
            raise self.error
        return self.server

    def schema(self):
        self.join()
        if self.error is not None:
            raise self.error
        return self.current
