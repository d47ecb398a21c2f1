"""The command layer: one function per CLI command, each taking a Config.

Functions print through `echo` so tests and other front ends can capture the
output, raise SqlgenError for anything the user must fix, and return the exit
code where a command reports rather than acts (status, verify).
"""

from __future__ import annotations

import threading
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

from . import dialects
from .config import Config
from .errors import SqlgenError
from .safety import check_name, printable

Echo = Callable[[str], None]
DEFAULT_LOCK_TIMEOUT = 60.0


# --- generate ----------------------------------------------------------------------

@dataclass
class GenerateResult:
    summary: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    up_text: str = ""
    down_text: str = ""
    paths: tuple[Path, ...] = ()


def generate(config: Config, message: str, *, dry_run: bool = False, empty: bool = False,
             renames: tuple[str, ...] = (), ask: Callable[[str], bool] | None = None,
             verify: bool | None = None, echo: Echo = print) -> GenerateResult:
    """Diff the models against the database and write the next up/down pair.

    `renames` ("table:new", "table.column:new") keep data under a new name;
    `ask`, when given, is asked about each likely rename the diff finds;
    `verify` (default: the config's) proves the pair on a scratch database
    first, and nothing is written unless it holds.
    """
    from . import migrations
    from .lint import review_lines
    from .writer import MigrationText

    dialect = _dialect(config)
    existing = migrations.scan(config.directory)
    version = migrations.next_version(existing)
    name = f"{version:04d}_{migrations.slugify(message)}"
    result = GenerateResult()
    text = MigrationText(
        version=version,
        message=message,
        created=datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC"),
        models=config.models or "(none)",
        dialect="",
        server="",
        up_file=f"{name}.up.sql",
        down_file=f"{name}.down.sql",
    )

    if empty:
        text.dialect = dialect
        text.server = "not checked (generate --empty)"
    else:
        chosen = parse_renames(renames)
        for table, column, new in chosen:
            check_name(new, "new name", f"--rename {table}{'.' + column if column else ''}",
                       dialects.module(dialect).NAME_RULES)
            # The tracking table is left out of every diff: a table renamed onto it would
            # vanish from sqlgen's sight (and SQLite, like some MySQL servers, ignores case).
            if column is None and new.lower() == config.version_table.lower():
                raise SqlgenError(f"--rename {table}:{new}: {new!r} is the tracking table sqlgen records migrations "
                                  "in (the version_table setting); rename the table to another name")
        plan = _plan(config, dialect, chosen)
        if ask is not None:
            plan = _ask_about_renames(plan, ask)
        result.notes = [printable(note) for note in plan.notes]
        for note in result.notes:
            echo(f"note: {note}")
        if not plan.operations:
            echo("No changes detected")
            return result
        text.dialect, text.server = plan.server.flavour, plan.server.version_string
        text.up_blocks, up_findings = plan.blocks(plan.operations, plan.current)
        text.down_blocks, down_findings = plan.blocks(plan.inverse, plan.target)
        text.up_review, text.down_review = review_lines(up_findings), review_lines(down_findings)
        result.summary = [printable(line) for op in plan.operations for line in op.summaries()]

    sql_mode = "" if empty else plan.server.sql_mode  # how the files will be read: the server's mode
    result.up_text, result.down_text = _with_tracking_blocks(text, config, name, dialect, sql_mode)
    if (config.verify if verify is None else verify) and not empty:
        # Only a header comment changes: statements and checksums stay as verified.
        text.verified = _verify(config, dialect, plan, existing, name, result.up_text, result.down_text)
        result.up_text, result.down_text = text.render(config.templates)
        echo(f"Verified on a scratch database: {printable(text.verified)}")
    _check_layout(text, result.up_text, result.down_text, dialect, sql_mode)
    if dry_run:
        for line in result.summary:
            echo(line)
        echo(f"-- ==> {text.up_file} (dry run, not written) <==")
        echo(result.up_text)
        echo(f"-- ==> {text.down_file} (dry run, not written) <==")
        echo(result.down_text)
        return result

    result.paths = migrations.write_pair(config.directory, name, result.up_text, result.down_text)
    try:
        dialects.record(config.directory, dialect)
    except OSError as exc:
        raise SqlgenError(f"wrote {_shown(result.paths[0])} and its down file, but not {dialects.MARKER} in "
                          f"{_shown(config.directory)} ({exc.strerror}); write '{dialect}' into it by hand") from None
    for line in result.summary:
        echo(line)
    echo(f"Wrote {_shown(result.paths[0])}")
    echo(f"Wrote {_shown(result.paths[1])}")
    return result


def _verify(config: Config, dialect_name: str, plan: "_Plan", existing, name: str, up_text: str,
            down_text: str) -> str:
    """Prove the new pair on a scratch database; return what the header records.

    Replays the existing migrations, checks that they give the schema the pair
    was computed against, applies the up file (the models must then match) and
    the down file (the schema must be as before). The scratch database is
    dropped whatever happens.
    """
    import shutil
    import tempfile

    from .database import connect
    from .scratch import scratch_database

    dialect = plan.dialect
    previous = str(existing[-1].version) if existing else "base"
    quiet: Echo = lambda line: None  # noqa: E731

    def failed(what: str) -> SqlgenError:
        return SqlgenError(f"--verify failed on a scratch database, nothing written: {what}")

    def differences(current, target, server) -> list[str]:
        operations = _diff_or_explain(current, target, dialect.rules(server), ())
        return [line for operation in operations for line in operation.summaries()]

    with tempfile.TemporaryDirectory(prefix="sqlgen-verify-") as folder:
        folder = Path(folder)
        for migration in existing:
            shutil.copy(migration.up, folder / migration.up.name)
            shutil.copy(migration.down, folder / migration.down.name)
        (folder / f"{name}.up.sql").write_text(up_text, encoding="utf-8")
        (folder / f"{name}.down.sql").write_text(down_text, encoding="utf-8")
        with scratch_database(config.verify_url or config.require_url(), dialect_name) as url:
            scratch = replace(config, url=url, directory=folder)

            def reflect():
                with connect(url) as connection:
                    server = dialect.server_info(connection)
                    return dialect.reflect(connection, server, frozenset({config.version_table})), server

            def run(step, target: str, what: str) -> None:
                try:
                    step(scratch, target, echo=quiet)
                except SqlgenError as exc:
                    raise failed(f"{what}: {exc}") from None

            if existing:
                run(upgrade, previous, f"replaying the {len(existing)} existing migration(s) failed")
            before, server = reflect()
            drift = differences(before, plan.current, server)
            if drift:
                raise failed(f"the {len(existing)} existing migration(s) do not build the database this pair was "
                             f"computed against ({'; '.join(drift[:5])}); bring them together first "
                             "(sqlgen status, sqlgen check)")
            run(upgrade, "head", f"the up file {name}.up.sql failed")
            target, _ = dialect.declared_schema(plan.metadata, server, config.version_table)
            after, _ = reflect()
            left = differences(after, target, server)
            if left:
                raise failed(f"after {name}.up.sql the schema still differs from the models (still to do: "
                             f"{'; '.join(left[:5])})")
            run(downgrade, previous, f"the down file {name}.down.sql failed")
            restored, _ = reflect()
            changed = differences(restored, before, server)
            if changed:
                raise failed(f"after {name}.down.sql the schema differs from before the up file: "
                             f"{'; '.join(changed[:5])}")
    when = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")
    return f"yes, on {server.label}, {when} (replayed {len(existing)} migration(s), then this up and down)"


def _with_tracking_blocks(text, config: Config, name: str, dialect: str, sql_mode: str | None) -> tuple[str, str]:
    """Render the pair, then again with tracking blocks recording its statements.

    The blocks are left out of the checksum, so the first rendering tells what
    they must record.
    """
    tracking = dialects.module(dialect).tracking
    up, down = text.render(config.templates)
    up_facts, down_facts = (_laid_out_facts(content, file_name, dialect, sql_mode)
                            for content, file_name in ((up, text.up_file), (down, text.down_file)))
    table = config.version_table
    text.up_tracking = tracking.file_blocks("up", table, text.version, name, up_facts.checksum, up_facts.count)
    text.down_tracking = tracking.file_blocks("down", table, text.version, name, down_facts.checksum,
                                              down_facts.count)
    return text.render(config.templates)


def _check_layout(text, up: str, down: str, dialect: str, sql_mode: str | None) -> None:
    """After the templates: each file holds exactly the statements sqlgen wrote, in
    order, tracking blocks where they belong, and no comment lets text out."""
    from .migrations import check_layout

    check_layout(up, text.up_file, dialect, [text.up_tracking[0], *text.up_blocks, text.up_tracking[1]], sql_mode)
    check_layout(down, text.down_file, dialect, [text.down_tracking[0], *text.down_blocks, text.down_tracking[1]],
                 sql_mode)


def _laid_out_facts(content: str, file_name: str, dialect: str, sql_mode: str | None):
    from .migrations import escaped_layout, facts_of_lines
    from .splitter import lines_of

    try:
        return facts_of_lines(lines_of(content), file_name, dialect, sql_mode=sql_mode)
    except SqlgenError as exc:  # e.g. a marker's words in the message, laid out on a comment line of its own
        raise escaped_layout(file_name, str(exc).split("; ")[0]) from None


@dataclass
class _Plan:
    dialect: object  # the dialect's package
    server: object
    operations: list
    inverse: list
    notes: list[str]
    current: object = None
    target: object = None
    renames: tuple = ()
    metadata: object = None

    def with_renames(self, renames: tuple) -> "_Plan":
        from .ops import invert

        operations = _diff_or_explain(self.current, self.target, self.dialect.rules(self.server), renames)
        return replace(self, operations=operations, inverse=invert(operations), renames=renames)

    def blocks(self, operations, schema) -> tuple[list[str], list]:
        """Each operation's statements, flagged with what `sqlgen lint` finds in them.

        `schema` is the database the statements run against: it tells a
        narrowing MODIFY from a widening one, and which columns a rebuild drops.
        """
        from .lint import lint_statements
        from .splitter import Statement

        from .migrations import check_statement
        from .splitter import escape_reading

        rendered = [self.dialect.render(operation, self.server) for operation in operations]
        rendered = [[statements] if isinstance(statements, str) else statements for statements in rendered]
        # A file holding a backslash reads it as an escape, as sqlgen writes it, whatever the session's mode.
        pinned = self.dialect.PIN_ESCAPES is not None and any("\\" in text for group in rendered for text in group)
        reading = escape_reading(self.server.sql_mode) if pinned else self.server.sql_mode
        for operation, statements in zip(operations, rendered):
            for statement in statements:
                # Whatever a name, value or option holds, each statement runs as exactly itself.
                check_statement(statement, self.dialect.NAME, operation.summaries()[:1], reading,
                                exact=not self.dialect.COPIES_COMMENTS, rules=self.dialect.WRITTEN_RULES)
        # Each statement carries its operation's number as its line, to put the findings back.
        findings = lint_statements([Statement(text, number) for number, group in enumerate(rendered)
                                    for text in group], self.dialect.NAME, schema, self.server)
        blocks = list(self.dialect.PREAMBLE) + ([self.dialect.PIN_ESCAPES] if pinned else [])
        for number, statements in enumerate(rendered):
            lines = ["-- " + printable(finding.describe()) for finding in findings if finding.line == number]
            lines.append(";\n\n".join(statements) + ";")
            blocks.append("\n".join(lines))
        return blocks, findings


def parse_renames(specs: tuple[str, ...]) -> tuple[tuple[str, str | None, str], ...]:
    """ "table:new" and "table.column:new" as (table, column or None, new)."""
    result = []
    for spec in specs:
        old, sep, new = spec.partition(":")
        table, _, column = old.partition(".")
        if not sep or not table or not new or "." in new or (old.count(".") > 1):
            raise SqlgenError(f"cannot read --rename {spec!r}: write TABLE:NEW or TABLE.COLUMN:NEW")
        result.append((table, column or None, new))
    return tuple(result)


def _ask_about_renames(plan: _Plan, ask: Callable[[str], bool]) -> _Plan:
    from .diff import rename_candidates

    chosen = list(plan.renames)
    for table, column, new in rename_candidates(plan.operations):
        what = f"column {table}.{column} to {table}.{new}" if column else f"table {table} to {new}"
        if ask(f"Did you rename {what} (same definition)? Renaming keeps the data"):
            chosen.append((table, column, new))
    return plan if len(chosen) == len(plan.renames) else plan.with_renames(tuple(chosen))


def _diff_or_explain(current, target, rules, renames) -> list:
    from .diff import diff

    try:
        return diff(current, target, rules, renames)
    except ValueError as exc:
        raise SqlgenError(str(exc)) from None


def _plan(config: Config, dialect_name: str, renames: tuple = ()) -> _Plan:
    """Load the models, reflect the database and diff them."""
    import gc

    # Models, reflected and declared schemas are hundreds of thousands of objects made
    # at once, none of them garbage; the cycle collector would walk them again and again
    # (a fifth of the time at 500 tables).
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _plan_uncollected(config, dialect_name, renames)
    finally:
        if collecting:
            gc.enable()


def _plan_uncollected(config: Config, dialect_name: str, renames: tuple) -> _Plan:
    from .models import load_metadata
    from .ops import invert

    dialect = dialects.module(dialect_name)
    url = config.require_url()
    reflection = _Reflection(url, dialect, frozenset({config.version_table}))
    reflection.start()  # connects and reads the server's facts meanwhile
    try:
        metadata = load_metadata(config.require_models(), config.root)
    finally:
        # Only now the schema: importing the models may itself touch the database.
        reflection.models_loaded.set()
    server = reflection.server_facts()
    target, notes = dialect.declared_schema(metadata, server, config.version_table)
    current = reflection.schema()
    for kind, name in target.unmanaged:
        if (kind, name) not in current.unmanaged:
            raise SqlgenError(f"the models use the {kind} {name!r}, which sqlgen does not create; create it "
                              f"by hand (CREATE SEQUENCE `{name.replace('`', '``')}`) or in a migration of its own "
                              "(sqlgen generate --empty), then generate again")
    for kind, name in current.unmanaged:
        if kind not in dialect.NOT_TABLES and name in target.table_names():
            raise SqlgenError(f"the models declare a table {name!r}, but the database has a {kind} of that name, "
                              "which sqlgen does not manage; rename one of them")
    notes += [f"not compared: {kind} {name}" for kind, name in current.unmanaged]
    operations = _diff_or_explain(current, target, dialect.rules(server), renames)
    return _Plan(dialect, server, operations, invert(operations), notes, current, target, renames, metadata)


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
        from .database import connect

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


def _dialect(config: Config, guard: bool = True) -> str:
    """The dialect of the database, or of the migrations folder when no database is set.

    A folder holds the migrations of one dialect: using it with another is refused.
    """
    if config.url:
        name = dialects.backend(config.url)  # a bad URL is reported before any user code runs
        if guard:
            dialects.check(config.directory, name)
    else:
        name = dialects.recorded(config.directory) or "mysql"
    # Its name goes into every file's tracking statements and comments.
    check_name(config.version_table, "tracking table (the version_table setting)",
               rules=dialects.module(name).NAME_RULES)
    return name


# --- check ---------------------------------------------------------------------------

def check(config: Config, *, as_json: bool = False, echo: Echo = print) -> int:
    """Compare the models with the database: 0 when they agree, 1 when they differ."""
    import json

    dialect = _dialect(config, guard=False)  # compares models and database only: no migrations folder
    plan = _plan(config, dialect)
    changes = [{"change": printable(line), "statement": type(op).__name__}
               for op in plan.operations for line in op.summaries()]
    notes = [printable(note) for note in plan.notes]
    if as_json:
        echo(json.dumps({
            "in_sync": not plan.operations,
            "database": plan.server.label,
            "changes": changes,
            "risks": [{"level": finding.level, "code": finding.code, "target": printable(finding.target),
                       "message": printable(finding.message)}
                      for finding in plan.blocks(plan.operations, plan.current)[1]],
            "notes": notes,
        }, indent=2))
    else:
        for note in notes:
            echo(f"note: {note}")
        for change in changes:
            echo(change["change"])
        echo("The database matches the models" if not plan.operations else
             f"The database differs from the models: {len(changes)} change(s); "
             "sqlgen generate writes the migration")
    return 1 if plan.operations else 0


# --- lint ----------------------------------------------------------------------------

def lint(config: Config, files: tuple[str, ...] = (), *, offline: bool = False, echo: Echo = print) -> int:
    """Report what the files risk; 1 when a destructive finding is not allowed in its file.

    With a database the analysis knows the current columns and the server's
    version; every pending file is judged against the database as it is now.
    """
    from .database import connect
    from .lint import lint_file

    name = _dialect(config)
    dialect = dialects.module(name)
    paths = [Path(file) for file in files]
    for path in paths:
        if not path.is_file():
            raise SqlgenError(f"{path}: no such file; name migration files, or none to lint the pending ones")
    schema = server = None
    if not offline and config.url:
        if not paths:
            with _session(config, echo) as (runner, found):
                paths = [entry.migration.up for entry in _entries(runner, found) if entry.state == "pending"]
        with connect(config.url) as connection:
            server = dialect.server_info(connection)
            schema = dialect.reflect(connection, server, frozenset({config.version_table}))
    elif not paths:
        raise SqlgenError("no database to tell which migrations are pending: set a URL (--url or sqlgen.toml), "
                          "or name the files to lint")
    if not paths:
        echo("Nothing to lint: no migration is pending")
        return 0
    # Every file is read before anything is printed: a file that cannot be read is one line.
    found = [(path, lint_file(path, name, schema, server, _expected_tracking_of(path, name, config)))
             for path in paths]
    if schema is None:
        echo("note: without the database, narrowing and the server's algorithms are not judged")
    errors = blocking = warnings = allowed = 0
    for path, findings in found:
        for finding in findings:
            where = f"{_shown(path)}:{finding.line}"
            if finding.acknowledged:
                allowed += 1
                echo(f"{where}: allowed {finding.code} {printable(finding.target)}")
                continue
            echo(f"{where}: {printable(finding.describe())}")
            if finding.level == "error":
                errors += 1
            elif finding.blocking:
                blocking += 1
            else:
                warnings += 1
    fix = "; errors cannot be allowed: fix the file" if errors else ""
    accept = "; accept one with a line `-- sqlgen: allow CODE TARGET` in the file" if blocking else ""
    echo(f"{len(paths)} file(s): " + (f"{errors} error(s), " if errors else "") +
         f"{blocking} destructive finding(s) not allowed, {warnings} warning(s), {allowed} allowed{accept}{fix}")
    return 1 if blocking or errors else 0


def _expected_tracking_of(path: Path, dialect: str, config: Config):
    """What the tracking blocks of a migration file must hold; None for a file not named as a migration."""
    from .migrations import FILE_NAME, Migration

    match = FILE_NAME.fullmatch(path.name)
    if not match:
        return None
    migration = Migration(int(match["version"]), match["slug"], path.with_name(path.name.replace(".down.", ".up.")),
                          None)
    return _expected_tracking(dialect, config.version_table, migration, match["direction"])


# --- init ----------------------------------------------------------------------------

CONFIG_TEMPLATE = """\
# sqlgen settings. Command-line options and SQLGEN_* environment variables win over these.
url = "sqlite:///app.db"  # a SQLite file beside this one: nothing to install
# url = "mysql+pymysql://user:password@127.0.0.1:3306/app"      # MySQL
# url = "mariadb+pymysql://user:password@127.0.0.1:3306/app"    # MariaDB
models = "app.models:Base"  # package.module:attr of your models (MetaData, declarative base, db, SQLModel)
directory = "migrations"
templates = "migrations"    # the up.sql.j2 and down.sql.j2 there lay out each new file
"""


def init(config: Config, directory: str | None = None, *, echo: Echo = print) -> None:
    """Scaffold a config file and a migrations folder holding the templates."""
    from .writer import TEMPLATE_NAMES

    root = Path(directory or ".").resolve()
    pyproject = root / "pyproject.toml"
    use_pyproject = pyproject.is_file()
    config_file = pyproject if use_pyproject else root / "sqlgen.toml"
    migrations_dir = root / "migrations"
    templates = [migrations_dir / name for name in TEMPLATE_NAMES.values()]
    existing = [path for path in templates if path.exists()]
    if use_pyproject:
        if "[tool.sqlgen]" in pyproject.read_text(encoding="utf-8", errors="replace"):
            existing.insert(0, pyproject)
    elif config_file.exists():
        existing.insert(0, config_file)
    if existing:
        shown = ", ".join(_shown(path) + (" ([tool.sqlgen])" if path == pyproject else "") for path in existing)
        verb = "exists" if len(existing) == 1 else "exist"
        raise SqlgenError(f"nothing written: {shown} already {verb}; remove or rename to start afresh")

    try:
        _write_project(root, pyproject, use_pyproject, config_file, migrations_dir, templates, echo)
    except OSError as exc:
        raise SqlgenError(f"cannot write the project into {_shown(root)}: {exc.strerror} "
                          f"({exc.filename}); choose a folder you can write to") from None


def _write_project(root: Path, pyproject: Path, use_pyproject: bool, config_file: Path, migrations_dir: Path,
                   templates: list[Path], echo: Echo) -> None:
    from .writer import builtin_templates

    root.mkdir(parents=True, exist_ok=True)
    if use_pyproject:
        text = pyproject.read_text(encoding="utf-8")
        with pyproject.open("a", encoding="utf-8") as handle:
            handle.write(("" if text.endswith("\n") else "\n") + "\n[tool.sqlgen]\n" + CONFIG_TEMPLATE)
        echo(f"Added [tool.sqlgen] to {_shown(pyproject)}")
    else:
        config_file.write_text(CONFIG_TEMPLATE, encoding="utf-8")
        echo(f"Created {_shown(config_file)}")
    migrations_dir.mkdir(exist_ok=True)
    for path in templates:
        path.write_text((builtin_templates() / path.name).read_text(encoding="utf-8"), encoding="utf-8")
        echo(f"Created {_shown(path)}")
    echo(f"Next: set models in {config_file.name}, then run sqlgen generate -m \"first migration\"")


# --- The runner's commands -----------------------------------------------------------

@contextmanager
def _session(config: Config, echo: Echo, create: bool = False):
    """A runner on a live connection, plus the migrations on disk.

    Only `create` sessions (upgrade, stamp) may create a SQLite file that does not exist yet.
    """
    from . import migrations
    from .database import close_quietly, database, parse_url

    name = _dialect(config)
    dialect = dialects.module(name)
    url = config.require_url()
    if name == "sqlite" and not create:
        path = parse_url(url).database
        if path and path != ":memory:" and not path.startswith("file:") and not Path(path).exists():
            raise SqlgenError(f"the SQLite database {path} does not exist; sqlgen upgrade creates it "
                              "(or fix the url setting)")
    found = migrations.scan(_existing_folder(config))
    with database(url) as db:
        connection = db.connect()
        try:
            server = dialect.server_info(connection)
            connection.commit()
            runner = dialect.make_runner(db, connection, server, config.version_table, echo)
            runner.dialect = name
            yield runner, found
        except SqlgenError:
            raise
        except Exception as exc:
            if not _is_database_error(exc):
                raise
            # Failures of the migrations' own statements are reported by the runner;
            # this is the connection or the tracking table failing.
            raise SqlgenError(f"database error on {db.where}: {_mysql_error(exc)}") from None
        finally:
            close_quietly(connection)


def _existing_folder(config: Config) -> Path:
    """The migrations folder, which must exist: a mistyped --dir must not read as "nothing to do"."""
    if not config.directory.exists():
        raise SqlgenError(f"the migrations folder {_shown(config.directory)} does not exist; check --dir or the "
                          "directory setting (sqlgen generate creates it)")
    return config.directory


def _is_database_error(exc) -> bool:
    import sqlite3

    import pymysql

    return isinstance(exc, (pymysql.err.MySQLError, sqlite3.Error))


def _entries(runner, found, with_down: bool = False, known=None):
    """The history of `found` against the tracking table; `known` reuses an
    earlier call's entries instead of reading every file again."""
    from . import history, migrations

    dialect = runner.dialect

    def read(migration, direction: str):
        path = migration.up if direction == "up" else migration.down
        return migrations.facts(path, dialect, _expected_tracking(dialect, runner.table, migration, direction),
                                runner.server.sql_mode)

    if known is not None:
        facts = {entry.version: entry.facts for entry in known if entry.migration is not None}
    else:
        facts = {m.version: read(m, "up") for m in found}
    rows = runner.rows()
    down_facts = {}
    if with_down:
        applied = {row.version for row in rows}
        down_facts = {m.version: read(m, "down") for m in found if m.version in applied}
    return history.assess(found, facts, rows, down_facts)


def _expected_tracking(dialect: str, table: str, migration, direction: str) -> tuple[str, str]:
    """The tracking blocks sqlgen writes for a file, its checksum and count left open."""
    from .migrations import CHECKSUM_PLACEHOLDER, TOTAL_PLACEHOLDER

    return dialects.module(dialect).tracking.file_blocks(direction, table, migration.version, migration.name,
                                                          CHECKSUM_PLACEHOLDER, TOTAL_PLACEHOLDER)


def _refuse_unsafe(files, what: str = "nothing was run") -> None:
    """Refuse, before anything runs, files that hold what sqlgen cannot run as the client would."""
    for path, facts in files:
        if facts is not None and facts.problems:
            more = len(facts.problems) - 1
            rest = f" (and {more} more: sqlgen lint {_shown(path)} lists them)" if more else ""
            raise SqlgenError(f"{_shown(path)}, {facts.problems[0]}{rest}; {what}")


def upgrade(config: Config, target: str = "head", *, lock_timeout: float = DEFAULT_LOCK_TIMEOUT,
            echo: Echo = print) -> None:
    from . import history

    with _session(config, echo, create=True) as (runner, found):
        runner.ensure_table()
        with runner.locked(lock_timeout):
            entries = _entries(runner, found)
            steps = history.plan_upgrade(entries, target, _shown(config.directory))
            if not steps:
                echo(f"Nothing to apply: {_at(history.current(entries))}")
                return
            _refuse_unsafe((step.entry.migration.up, step.entry.facts) for step in steps)
            for step in steps:
                runner.upgrade(step)
            echo(f"Database is now {_at(history.current(_entries(runner, found, known=entries)))}")


def downgrade(config: Config, target: str, *, lock_timeout: float = DEFAULT_LOCK_TIMEOUT,
              echo: Echo = print) -> None:
    from . import history

    with _session(config, echo) as (runner, found):
        if not runner.table_exists():
            echo("Nothing to revert: no migration is recorded in this database")
            return
        with runner.locked(lock_timeout):
            entries = _entries(runner, found, with_down=True)
            steps = history.plan_downgrade(entries, target, _shown(config.directory))
            if not steps:
                echo(f"Nothing to revert: {_at(history.current(entries))}")
                return
            _refuse_unsafe((step.entry.migration.down, step.entry.down_facts) for step in steps)
            for step in steps:
                runner.downgrade(step, step.entry.down_facts)
            echo(f"Database is now {_at(history.current(_entries(runner, found, known=entries)))}")


def current(config: Config, *, echo: Echo = print) -> None:
    from . import history

    with _session(config, echo) as (runner, found):
        entries = _entries(runner, found)
    top = history.current(entries)
    echo(f"{top.version} {printable(top.name)}" if top else "0 (no migration applied)")
    for entry in entries:
        if entry.row is not None and entry.row.state != "applied":
            echo(f"note: {printable(entry.name)} {entry.describe()}; see sqlgen status")


def history_(config: Config, *, echo: Echo = print) -> None:
    with _session(config, echo) as (runner, found):
        entries = _entries(runner, found)
    if not entries:
        echo(f"No migrations in {_shown(config.directory)} and none recorded in the database")
        return
    rows = [("version", "name", "state", "started", "took", "by")]
    for entry in entries:
        row = entry.row
        took = "" if row is None or row.execution_ms is None else f"{row.execution_ms / 1000:.2f} s"
        started = "" if row is None else _when(row.started_at)
        by = "" if row is None else row.applied_by
        rows.append((f"{entry.version:04d}", entry.name, entry.describe(), started, took, by))
    for line in _table(rows):
        echo(line)


def status(config: Config, *, echo: Echo = print) -> int:
    """Print where the database stands; 1 when anything needs attention."""
    from . import history

    with _session(config, echo) as (runner, found):
        entries = _entries(runner, found, with_down=True)
        database = f"{printable(runner.database)} ({printable(runner.server.label)})"
        holder = runner.lock_holder()
    top = history.current(entries)
    echo(f"database:  {database}")
    if holder is not None:
        echo(f"running:   a sqlgen run (connection {holder}) is applying migrations right now")
    echo(f"current:   {_at(top)}")
    pending = [e for e in entries if e.state == "pending"]
    echo(f"pending:   {len(pending)}" + (f" ({', '.join(e.name for e in pending)})" if pending else ""))
    problems = [e for e in history.attention(entries) if e.state != "pending"]
    for entry in problems:
        detail = f": {entry.row.error}" if entry.row and entry.row.error and entry.state != "changed" else ""
        echo(f"attention: {printable(entry.name)} {entry.describe()}{printable(detail)}")
    stale = [entry for entry in entries if entry.stale_tracking]
    for entry in stale:
        echo(f"attention: {entry.name}.up.sql was edited after it was generated; run sqlgen rehash "
             f"{entry.version} before running it by hand, so it records what it holds")
    unsafe = _unsafe_files(entries)
    for path, problem in unsafe:
        echo(f"attention: {_shown(path)}, {problem}")
    if not pending and not problems and not stale and not unsafe:
        echo("status:    up to date")
    return 1 if pending or problems or stale or unsafe else 0


def _unsafe_files(entries) -> list[tuple[Path, object]]:
    """(file, first problem) of each file read that sqlgen would refuse to run."""
    found = []
    for entry in entries:
        if entry.migration is None:
            continue
        for path, facts in ((entry.migration.up, entry.facts), (entry.migration.down, entry.down_facts)):
            if facts is not None and facts.problems:
                found.append((path, facts.problems[0]))
    return found


def stamp(config: Config, version: str, *, lock_timeout: float = DEFAULT_LOCK_TIMEOUT, echo: Echo = print) -> None:
    with _session(config, echo, create=True) as (runner, found):
        goal = _version_number(version, found)
        runner.ensure_table()
        with runner.locked(lock_timeout):
            entries = _entries(runner, found)
            runner.stamp(entries, goal)
    name = next((m.name for m in found if m.version == goal), None)
    echo(f"Recorded version {goal}" + (f" ({name})" if name else "") +
         " as current without running any SQL")


def verify(config: Config, *, echo: Echo = print) -> int:
    from dataclasses import replace as with_facts

    from . import migrations

    with _session(config, echo) as (runner, found):
        entries = _entries(runner, found)
    bad = 0
    for entry in entries:
        if entry.changed:
            echo(f"changed since applied: {_shown(entry.migration.up)}")
            bad += 1
        elif entry.migration is None:
            echo(f"missing on disk: version {entry.version} ({printable(entry.row.name)}) is recorded in the database")
            bad += 1
    # Every file, down files included, must hold only what sqlgen can run as the client does.
    read = [with_facts(entry, down_facts=migrations.facts(
        entry.migration.down, runner.dialect, _expected_tracking(runner.dialect, runner.table, entry.migration, "down"),
        runner.server.sql_mode)) for entry in entries if entry.migration]
    for path, problem in _unsafe_files(read):
        echo(f"unsafe to run: {_shown(path)}, {problem}")
        bad += 1
    checked = sum(1 for entry in entries if entry.applied)
    if bad:
        echo(f"{bad} problem(s) among {checked} applied migration(s)")
        return 1
    echo(f"All {checked} applied migration(s) match their files")
    return 0


def rehash(config: Config, versions: tuple[str, ...] = (), *, echo: Echo = print) -> None:
    """Rewrite the tracking blocks of edited files so they record what the files now hold."""
    from . import migrations

    found = migrations.scan(_existing_folder(config))
    dialect = _dialect(config)
    wanted = {_version_number(v, found) for v in versions} if versions else {m.version for m in found}
    for migration in found:
        if migration.version not in wanted:
            continue
        for direction, path in (("up", migration.up), ("down", migration.down)):
            text = migrations.read_migration(path)
            facts = migrations.facts(path, dialect, _expected_tracking(dialect, config.version_table, migration,
                                                                       direction))
            if not facts.rehashable:
                # Rewriting the blocks would drop a statement someone put there: a person decides.
                problem = next(p for p in facts.problems if p.kind == "tracking-block")
                raise SqlgenError(f"{_shown(path)}, {problem}; nothing was rewritten")
            fresh = _fresh_text(text, config, migration, direction, dialect)
            if fresh != text:
                path.write_text(fresh, encoding="utf-8")
                echo(f"updated {_shown(path)}")


def sql(config: Config, span: str | None = None, *, offline: bool = False, echo: Echo = print) -> None:
    """Print the script a DBA runs by hand to move between two versions."""
    from . import history, migrations

    found = migrations.scan(_existing_folder(config))
    dialect = _dialect(config)
    start_text, _, end_text = (span or "").rpartition(":")
    end = _version_number(end_text or "head", found)
    sql_mode = ""  # without the database, files are read in the server's default sql_mode
    if start_text:
        start = _version_number(start_text, found)
    elif offline:
        start = 0
    else:
        try:
            with _session(config, echo) as (runner, _):
                top = history.current(_entries(runner, found))
                sql_mode = runner.server.sql_mode
        except SqlgenError as exc:
            raise SqlgenError(f"{exc}; to print the script without the database, give FROM (e.g. 2:{end_text or 'head'})"
                              " or pass --offline to start from 0") from None
        start = top.version if top else 0
    if start == end:
        echo(f"-- Nothing to do: from version {start} to {end}.")
        return
    up = end > start
    chosen = [m for m in found if (start < m.version <= end if up else end < m.version <= start)]
    if not up:
        chosen.reverse()
    direction = "up" if up else "down"
    files = [(migration, migration.up if up else migration.down) for migration in chosen]
    _refuse_unsafe(((path, migrations.facts(path, dialect, _expected_tracking(
        dialect, config.version_table, migration, direction), sql_mode)) for migration, path in files),
        "nothing was printed: fix the file, or run sqlgen rehash where that says so")
    texts = [(path, _fresh_text(migrations.read_migration(path), config, migration, direction, dialect, sql_mode))
             for migration, path in files]
    script = [f"-- sqlgen: {'upgrade' if up else 'downgrade'} from version {start} to {end}"]
    if dialect == "sqlite":
        script.append("-- Run it with the sqlite3 shell, stopping at the first error: sqlite3 -bail app.db < "
                      "this_file.sql")
    else:
        script.append("-- Run it with the mysql or mariadb client, e.g. mariadb DBNAME < this_file.sql")
    for path, text in texts:
        script += ["", f"-- ==> {path.name} <==", text.removeprefix("\ufeff").rstrip("\n")]
    migrations.check_one_session(texts, "\n".join(script) + "\n", dialect, sql_mode)
    for line in script:
        echo(line)


def _fresh_text(text: str, config: Config, migration, direction: str, dialect: str, sql_mode: str | None = "") -> str:
    """The file's text with tracking blocks recording exactly its statements."""
    from . import migrations
    from .splitter import lines_of

    path = migration.up if direction == "up" else migration.down
    facts = migrations.facts_of_lines(lines_of(text), path.name, dialect, sql_mode=sql_mode)
    opening, closing = dialects.module(dialect).tracking.file_blocks(
        direction, config.version_table, migration.version, migration.name, facts.checksum, facts.count)
    return migrations.with_tracking(text, opening, closing, dialect, sql_mode)


def _version_number(text: str, found) -> int:
    text = text.strip().lower()
    last = found[-1].version if found else 0
    if text == "head":
        return last
    if text in ("base", "0"):
        return 0
    if not (text.isascii() and text.isdigit()):  # str.isdigit() also takes '²' and '١'
        raise SqlgenError(f"cannot read the version {text!r}: use a number, head or base")
    version = int(text)
    if version not in {m.version for m in found}:
        raise SqlgenError(f"there is no migration with version {version} (the last one is {last})")
    return version


def _mysql_error(exc) -> str:
    args = getattr(exc, "args", ())
    return f"error {args[0]}: {args[1]}" if len(args) > 1 else str(exc)


def _at(entry) -> str:
    return f"at version {entry.version} ({entry.name})" if entry else "at version 0 (no migration applied)"


def _when(moment) -> str:
    """A tracking row's time; a zero date (which the server may hold) reads as such."""
    return f"{moment:%Y-%m-%d %H:%M:%S}" if isinstance(moment, datetime) else printable(moment or "unknown")


def _table(rows: list[tuple[str, ...]]) -> list[str]:
    rows = [tuple(printable(cell) for cell in row) for row in rows]  # tracking rows may hold any text
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return ["  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip() for row in rows]


def _shown(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)
