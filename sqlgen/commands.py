"""The command layer: one function per CLI command, each taking a Config.

Functions print through `echo` so tests and other front ends can capture the
output, raise SqlgenError for anything the user must fix, and return the exit
code where a command reports rather than acts (status, verify).
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

from . import dialects
from .blocks import check_pair_layout, expected_tracking, expected_tracking_of, fresh_text, with_tracking_blocks
from .config import Config
from .errors import SqlgenError
from .plan import ask_about_renames, make_baseline, make_plan
from .proof import prove
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


def baseline(config: Config, message: str = "existing schema", *, dry_run: bool = False,
             echo: Echo = print) -> GenerateResult:
    """Start a folder on a database that exists: version 1 is its schema as it is (CREATE
    statements in dependency order, a down file that drops them), recorded as applied without
    running it."""
    from . import migrations

    found = migrations.scan(config.directory)
    if found:
        raise SqlgenError(f"{_shown(config.directory)} already holds migrations ({found[0].name}"
                          f"{', ...' if len(found) > 1 else ''}); baseline starts a folder on a database another "
                          "tool built. Here, generate the next migration, or record a version as applied with "
                          "sqlgen stamp")
    rows = list(_recorded_rows(config, echo).values())
    if rows:
        raise SqlgenError(f"the database already records sqlgen migrations ({printable(rows[0].name)}"
                          f"{', ...' if len(rows) > 1 else ''}): baseline is for a database no sqlgen folder "
                          f"describes yet. Point --dir at the folder that made them (not {_shown(config.directory)})")
    result = generate(config, message, dry_run=dry_run, echo=echo, _baseline=True)
    if not dry_run and result.paths:
        stamp(config, "1", echo=lambda line: None)
        echo(f"Recorded version 1 ({result.paths[0].name[:-len('.up.sql')]}) as applied without running it")
        if config.models and config.column_order:
            # Where the models order columns otherwise than the database, say what would help.
            for note in make_plan(config, _dialect(config)).notes:
                if "column_order = false" in note:
                    echo(f"note: {note}")
    return result


def generate(config: Config, message: str, *, dry_run: bool = False, empty: bool = False,
             renames: tuple[str, ...] = (), ask: Callable[[str], bool] | None = None,
             verify: bool | None = None, allow_pending: bool = False, allow_drop_all: bool = False,
             echo: Echo = print, _baseline: bool = False) -> GenerateResult:
    """Diff the models against the database and write the next up/down pair.

    `renames` ("table:new", "table.column:new") keep data under a new name;
    `ask`, when given, is asked about each likely rename the diff finds;
    `verify` (default: the config's) proves the pair on a scratch database
    first, and nothing is written unless it holds. `allow_pending` writes a migration while
    others of the folder are not applied; `allow_drop_all` one that drops most of the tables.
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
        models="(none: the database as it was, sqlgen baseline)" if _baseline else config.models or "(none)",
        dialect="",
        server="",
        notice_lines=dialect.notice,
        up_file=f"{name}.up.sql",
        down_file=f"{name}.down.sql",
    )

    if empty:
        # As the folder's generated files name it (mariadb or mysql), where they do.
        text.dialect = dialects.flavour_in_headers(config.directory) or dialect.name
        text.server = "not checked (generate --empty)"
    else:
        chosen = parse_renames(renames)
        for table, column, new in chosen:
            check_name(new, "new name", f"--rename {table}{'.' + column if column else ''}",
                       dialect.name_rules)
            # The tracking table is left out of every diff: a table renamed onto it would
            # vanish from sqlgen's sight (and SQLite, like some MySQL servers, ignores case).
            if column is None and new.lower() == config.version_table.lower():
                raise SqlgenError(f"--rename {table}:{new}: {new!r} is the tracking table sqlgen records migrations "
                                  "in (the version_table setting); rename the table to another name")
        if _baseline:
            plan = make_baseline(config, dialect)
            if not plan.operations:
                raise SqlgenError("the database holds no table sqlgen would manage: there is nothing to baseline; "
                                  "start with sqlgen generate")
        else:
            plan = make_plan(config, dialect, chosen)
            if not allow_drop_all:
                _refuse_dropping_most(config, plan)
        if ask is not None:
            if plan.operations and not allow_pending:
                _refuse_unapplied(config, dialect, existing, echo)  # before any question is asked
            plan = ask_about_renames(plan, ask)
        result.notes = [printable(note) for note in plan.notes]
        for note in result.notes:
            echo(f"note: {note}")
        if not plan.operations:
            echo("No changes detected")
            return result
        text.dialect, text.server = plan.server.flavour, plan.server.version_string
        text.up_leading, text.up_blocks, up_findings = plan.blocks(plan.operations, plan.current)
        text.down_leading, text.down_blocks, down_findings = plan.blocks(plan.inverse, plan.target)
        text.up_review, text.down_review = review_lines(up_findings), review_lines(down_findings)
        result.summary = [printable(line) for op in plan.operations for line in op.summaries()]

        if not _baseline and not allow_pending:
            _refuse_unapplied(config, dialect, existing, echo)

    sql_mode = "" if empty else plan.server.sql_mode  # how the files will be read: the server's mode
    result.up_text, result.down_text = with_tracking_blocks(text, config, name, dialect, sql_mode)
    if (config.verify if verify is None else verify) and not empty:
        # Only a header comment changes: statements and checksums stay as verified.
        text.verified = prove(config, plan, existing, name, result.up_text, result.down_text, upgrade, downgrade)
        result.up_text, result.down_text = text.render(config.templates)
        echo(f"Verified on a scratch database: {printable(text.verified)}")
    check_pair_layout(text, result.up_text, result.down_text, dialect.reading, sql_mode)
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
        dialects.record(config.directory, dialect.name)
    except OSError as exc:
        raise SqlgenError(f"wrote {_shown(result.paths[0])} and its down file, but not {dialects.MARKER} in "
                          f"{_shown(config.directory)} ({exc.strerror}); write '{dialect.name}' into it by hand") from None
    for line in result.summary:
        echo(line)
    echo(f"Wrote {_shown(result.paths[0])}")
    echo(f"Wrote {_shown(result.paths[1])}")
    return result


def _recorded_rows(config: Config, echo: Echo) -> dict:
    """The tracking rows by version; none where the database does not exist yet (a SQLite file
    not made), which this never creates."""
    try:
        _dialect(config).refuse_missing(config.require_url())
    except SqlgenError:
        return {}
    with _session(config, echo, folder=False) as (runner, _):
        return {row.version: row for row in runner.rows()}


def _refuse_unapplied(config: Config, dialect, existing, echo: Echo) -> None:
    """generate compares the models with the database and numbers the new file after the
    folder's: the folder and the tracking rows must agree, every migration of the folder applied."""
    rows = _recorded_rows(config, echo)
    if not rows and not existing:
        return
    files = {m.version: m for m in existing}
    where = _shown(config.directory)
    for version, row in sorted(rows.items()):
        migration = files.get(version)
        if migration is None or migration.name != row.name:
            has = f"its file of that number is {migration.name}" if migration else "it has no file of that number"
            raise SqlgenError(
                f"the database records version {version} as {printable(row.name)} ({row.state}), but {where} does not "
                f"hold that migration ({has}): a migration of another branch or folder? generate would number "
                f"the new one against the wrong history. Bring its files into {where} (or check --dir), then "
                "generate again")
    waiting = [m for m in existing if m.version not in rows or rows[m.version].state != "applied"]
    if not waiting:
        return
    unfinished = [m for m in waiting if m.version in rows]
    if unfinished:
        row = rows[unfinished[0].version]
        raise SqlgenError(f"{unfinished[0].name} is recorded as {row.state} in this database; finish or undo it "
                          "first (sqlgen status says how), then generate: generate compares the models with the "
                          "database, so a new migration now would be made against a half-done one")
    first = waiting[0].name
    what = (f"{first} is" if len(waiting) == 1 else
            f"{len(waiting)} migrations ({first} to {waiting[-1].name}) are")
    raise SqlgenError(f"{what} not applied to this database yet; generate compares the models with the "
                      "database, so the new migration would make the same changes again. Run sqlgen upgrade "
                      f"first (or delete the pending files to make them again; --allow-pending writes it anyway)")


def _refuse_dropping_most(config: Config, plan) -> None:
    """Models that declare no table, or whose migration would drop more than half of the
    database's tables, are most often models whose modules were never imported."""
    from . import ops

    existing = plan.current.table_names()
    dropped = sorted(op.table.name for op in plan.operations if isinstance(op, ops.DropTable))
    if not existing or (plan.target.tables and len(dropped) * 2 <= len(existing)):
        return
    shown = ", ".join(dropped[:5]) + (", ..." if len(dropped) > 5 else "")
    what = ("declare no table (or exclude leaves none of theirs)" if not plan.target.tables else
            f"would drop {len(dropped)} of the database's {len(existing)} tables")
    raise SqlgenError(
        f"the models ({config.models}) {what}: the migration would drop {shown}. No models were imported? Check "
        "that the models' modules are imported where the models are (a model class is known only once its module "
        "is imported); to drop them on purpose, pass --allow-drop-all")


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


def _dialect(config: Config, guard: bool = True):
    """The dialect of the database, or of the migrations folder when no database is set.

    A folder holds the migrations of one dialect: using it with another is refused.
    """
    if config.url:
        name = dialects.backend(config.url)  # a bad URL is reported before any user code runs
        if guard:
            dialects.check(config.directory, name)
    else:
        name = dialects.of_folder(config.directory)
    # Its name goes into every file's tracking statements and comments.
    check_name(config.version_table, "tracking table (the version_table setting)",
               rules=dialects.get(name).name_rules)
    return dialects.get(name)


# --- check ---------------------------------------------------------------------------

def check(config: Config, *, as_json: bool = False, echo: Echo = print) -> int:
    """Compare the models with the database: 0 when they agree, 1 when they differ."""
    import json

    dialect = _dialect(config, guard=False)  # compares models and database only: no migrations folder
    plan = make_plan(config, dialect)
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
                      for finding in plan.blocks(plan.operations, plan.current)[2]],
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
    from .dialects import connect
    from .lint import lint_file

    dialect = _dialect(config)
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
    found = [(path, lint_file(path, dialect, schema, server, expected_tracking_of(path, dialect, config)))
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
def _session(config: Config, echo: Echo, create: bool = False, folder: bool = True):
    """A runner on a live connection, plus the migrations on disk (`folder`: which must exist).

    Only `create` sessions (upgrade, stamp) may create a SQLite file that does not exist yet.
    """
    from . import migrations
    from .database import close_quietly

    dialect = _dialect(config)
    url = config.require_url()
    if not create:
        dialect.refuse_missing(url)
    found = migrations.scan(_existing_folder(config)) if folder else []
    with dialect.open_database(url) as db:
        connection = db.connect()
        try:
            server = dialect.server_info(connection)
            connection.commit()
            runner = dialect.make_runner(db, connection, server, config.version_table, echo)
            runner.dialect = dialect
            try:
                yield runner, found
            finally:
                close_quietly(runner)
        except SqlgenError:
            raise
        except Exception as exc:
            if not dialect.is_driver_error(exc):
                raise
            # Failures of the migrations' own statements are reported by the runner;
            # this is the connection or the tracking table failing.
            raise SqlgenError(f"database error on {db.where}: {_database_error(exc)}") from None
        finally:
            close_quietly(connection)


def _existing_folder(config: Config) -> Path:
    """The migrations folder, which must exist: a mistyped --dir must not read as "nothing to do"."""
    if not config.directory.exists():
        raise SqlgenError(f"the migrations folder {_shown(config.directory)} does not exist; check --dir or the "
                          "directory setting (sqlgen generate creates it)")
    return config.directory


def _entries(runner, found, with_down: bool = False, known=None, lazy: bool = False):
    """The history of `found` against the tracking table; `known` reuses an
    earlier call's entries instead of reading every file again. `lazy`: the up file of
    a large pending migration is left unread (facts None) where the runner reads it as
    it runs."""
    from . import history, migrations

    dialect = runner.dialect

    def read(migration, direction: str):
        path = migration.up if direction == "up" else migration.down
        return migrations.facts(path, dialect.reading, expected_tracking(dialect, runner.table, migration, direction),
                                runner.server.sql_mode, dialect.rolls_back)

    rows = runner.rows()
    sessions = None
    if any(row.state in history.UNFINISHED for row in rows):
        # What the server runs, then the rows again: a session gone by then has written all it
        # ever will, so those rows are final for it (see Runner.sessions).
        sessions = runner.sessions()
        rows = runner.rows()
    if known is not None:
        facts = {entry.version: entry.facts for entry in known if entry.migration is not None}
    else:
        recorded = {row.version for row in rows}
        unread = (lambda m: m.version not in recorded and _large(m.up)) if lazy and runner.reads_as_it_runs else None
        facts = {m.version: None if unread and unread(m) else read(m, "up") for m in found}
    down_facts = {}
    if with_down:
        applied = {row.version for row in rows}
        down_facts = {m.version: read(m, "down") for m in found if m.version in applied}
    return history.assess(found, facts, rows, down_facts, runner.live_sessions(rows, sessions))


def _large(path: Path) -> bool:
    from .migrations import KEPT_BODY_CHARS

    try:
        return path.stat().st_size > KEPT_BODY_CHARS
    except OSError:
        return False  # said by the read


def _by_hand(config: Config, dialect) -> str:
    """How to run the script by hand, naming this database where the URL says which."""
    import shlex

    template, unknown = dialect.by_hand
    try:
        database = dialect.parse_url(config.url).database if config.url else None
    except SqlgenError:
        database = None
    return template.format(database=printable(shlex.quote(database)) if database else unknown)


def _refuse_unsafe(files, what: str = "nothing was run") -> None:
    """Refuse, before anything runs, files that hold what sqlgen cannot run as the client would."""
    for path, facts in files:
        if facts is not None and facts.problems:
            more = len(facts.problems) - 1
            rest = f" (and {more} more: sqlgen lint {_shown(path)} lists them)" if more else ""
            raise SqlgenError(f"{_shown(path)}, {facts.problems[0]}{rest}; {what}")


def upgrade(config: Config, target: str = "head", *, lock_timeout: float = DEFAULT_LOCK_TIMEOUT,
            resume=None, echo: Echo = print) -> None:
    from . import history

    with _session(config, echo, create=True) as (runner, found):
        runner.ensure_table()
        with runner.locked(lock_timeout):
            entries = _entries(runner, found, lazy=True)
            steps = history.plan_upgrade(entries, target, _shown(config.directory), resume)
            if not steps:
                echo(f"Nothing to apply: {_at(history.current(entries))}")
                return
            _refuse_unsafe((step.entry.migration.up, step.entry.facts) for step in steps)
            for step in steps:
                runner.upgrade(step)
            echo(f"Database is now {_at(history.current(_entries(runner, found, known=entries)))}")


def downgrade(config: Config, target: str, *, lock_timeout: float = DEFAULT_LOCK_TIMEOUT,
              resume=None, echo: Echo = print) -> None:
    from . import history

    with _session(config, echo) as (runner, found):
        if not runner.table_exists():
            echo("Nothing to revert: no migration is recorded in this database")
            return
        runner.ensure_table()
        with runner.locked(lock_timeout):
            entries = _entries(runner, found, with_down=True)
            steps = history.plan_downgrade(entries, target, _shown(config.directory), resume)
            if not steps:
                echo(f"Nothing to revert: {_at(history.current(entries))}")
                return
            _refuse_unsafe((step.entry.migration.down, step.entry.down_facts) for step in steps)
            for step in steps:
                runner.downgrade(step, step.entry.down_facts)
            echo(f"Database is now {_at(history.current(_entries(runner, found, known=entries)))}")


def preflight(config: Config, target: str = "head", *, as_json: bool = False, echo: Echo = print) -> int:
    """Run the preconditions of the files `sqlgen upgrade TARGET` would apply, changing nothing:
    0 when every check passes, 1 when rows break one or one could not run."""
    import json

    from . import history, migrations
    from .preconditions import SAMPLE_ROWS, failure_message

    report, failing, unchecked, total = [], 0, 0, 0
    with _session(config, echo) as (runner, found):
        entries = _entries(runner, found)
        steps = history.plan_upgrade(entries, target, _shown(config.directory))
        dialect = runner.dialect
        for step in steps:
            path = step.entry.migration.up
            checks, before = [], []
            for number, statement in migrations.body_statements(path, dialect.reading,
                                                                sql_mode=runner.server.sql_mode):
                precondition = dialect.read_precondition(statement.text)
                if precondition is None:
                    before.append(statement.text)
                    continue
                total += 1
                where = f"{path.name}, line {statement.line}"
                violation = printable(precondition.violation)
                check = {"statement": number, "line": statement.line, "violation": violation,
                         "key": printable(precondition.key)}
                try:
                    # In the file's reading: the SETs before the check (SET NAMES, the escape pin) first.
                    counts, samples = runner.read_only(list(dialect.precondition_sql(precondition, SAMPLE_ROWS)),
                                                       setup=before)
                except Exception as exc:
                    if not dialect.is_driver_error(exc):
                        raise
                    unchecked += 1
                    check.update(unchecked=True, error=printable(dialect.describe_error(exc)))
                    checks.append(check)
                    if not as_json:
                        echo(f"{where}: not checked: it could not run ({check['error']}); an earlier pending file "
                             "may change what it reads")
                    continue
                count = counts[0][0]
                failing += bool(count)
                check.update(rows=count, sample=[printable(str(row[0])) for row in samples[:SAMPLE_ROWS]] if count
                             else [], sampled_rows=precondition.sample)
                checks.append(check)
                if as_json:
                    continue
                on = f" (on a sample of {precondition.sample} rows)" if precondition.sample else ""
                if count:
                    echo(failure_message(where, precondition.violation, count, [row[:1] for row in samples],
                                         precondition.key, "preflight", True)
                         .replace(": precondition failed before any change: ", ": FAILS: ")
                         .removesuffix("; fix them, then run sqlgen preflight again") + on)
                else:
                    echo(f"{where}: ok{on}: " + (f"no {violation}" if violation.startswith(("rows ", "values ")) else
                                                 f"none found ({violation})"))
            report.append({"file": path.name, "checks": checks})
    if as_json:
        echo(json.dumps({"pending": [entry["file"] for entry in report], "checks": total, "failing": failing,
                         "unchecked": unchecked, "files": report}, indent=2))
    elif not steps:
        echo(f"Nothing to check: {_at(history.current(entries))}")
    else:
        echo(f"Preflight: {failing} of {total} check(s) fail"
             + (f", {unchecked} could not run" if unchecked else "") + f" in {len(steps)} pending file(s)"
             + ("; fix those rows, then run sqlgen preflight again" if failing else ""))
    return 1 if failing or unchecked else 0


def _entry_json(entry) -> dict:
    """One migration's state, for --json."""
    row = entry.row
    return {"version": entry.version, "name": entry.name, "state": entry.state, "describe": entry.describe(),
            "statements_applied": row.statements_applied if row else None,
            "statements_total": row.statements_total if row else None,
            "in_doubt": getattr(row, "in_doubt", None) if row else None,
            "started_at": _when(row.started_at) if row else None,
            "applied_at": _when(row.applied_at) if row and row.applied_at else None,
            "execution_ms": row.execution_ms if row else None, "applied_by": row.applied_by if row else None,
            "error": row.error if row else None}


def _version_json(entry) -> dict:
    return {"version": entry.version, "name": entry.name} if entry else {"version": 0, "name": None}


def current(config: Config, *, as_json: bool = False, echo: Echo = print) -> None:
    import json

    from . import history

    with _session(config, echo) as (runner, found):
        entries = _entries(runner, found)
    top = history.current(entries)
    unfinished = [entry for entry in entries if entry.row is not None and entry.row.state != "applied"]
    if as_json:
        echo(json.dumps({**_version_json(top), "unfinished": [_entry_json(entry) for entry in unfinished]}))
        return
    echo(f"{top.version} {printable(top.name)}" if top else "0 (no migration applied)")
    for entry in unfinished:
        echo(f"note: {printable(entry.name)} {entry.describe()}; see sqlgen status")


def history_(config: Config, *, as_json: bool = False, echo: Echo = print) -> None:
    import json

    with _session(config, echo) as (runner, found):
        entries = _entries(runner, found)
    if as_json:
        echo(json.dumps({"migrations": [_entry_json(entry) for entry in entries]}))
        return
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


def status(config: Config, *, as_json: bool = False, echo: Echo = print) -> int:
    """Print where the database stands; 1 when anything needs attention."""
    from . import history

    with _session(config, echo) as (runner, found):
        entries = _entries(runner, found, with_down=True)
        database = f"{printable(runner.database)} ({printable(runner.server.label)})"
        holder = runner.lock_holder()
    top = history.current(entries)
    if as_json:
        return _status_json(entries, top, runner, holder, echo)
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


def _status_json(entries, top, runner, holder, echo: Echo) -> int:
    import json

    from . import history

    pending = [entry for entry in entries if entry.state == "pending"]
    problems = [entry for entry in history.attention(entries) if entry.state != "pending"]
    stale = [entry for entry in entries if entry.stale_tracking]
    unsafe = _unsafe_files(entries)
    code = 1 if pending or problems or stale or unsafe else 0
    echo(json.dumps({
        "database": runner.database, "server": runner.server.label, "running_connection": holder,
        "current": _version_json(top), "pending": [_entry_json(entry) for entry in pending],
        "attention": [_entry_json(entry) for entry in problems],
        "edited_after_generate": [entry.name for entry in stale],
        "unsafe_files": [{"file": str(path), "problem": str(problem)} for path, problem in unsafe],
        "up_to_date": code == 0,
    }))
    return code


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


def renumber(config: Config, names: tuple[str, ...] = (), *, echo: Echo = print) -> None:
    """After a merge of two branches that each added a version: move this branch's migrations
    (the ones the database has not applied, or those named) after the others, renaming their
    files and rewriting their tracking blocks and headers."""
    import re

    from . import migrations

    folder = _existing_folder(config)
    pairs = migrations.pairs_allowing_duplicates(folder)
    dialect = _dialect(config)
    rows = _recorded_rows(config, echo) if config.url else {}
    by_version: dict[int, list] = {}
    for pair in pairs:
        by_version.setdefault(pair.version, []).append(pair)
    if names:
        wanted = {name.removesuffix(".up.sql").removesuffix(".down.sql") for name in names}
        moving = [pair for pair in pairs if pair.name in wanted or pair.slug in wanted]
        unknown = wanted - {pair.name for pair in moving} - {pair.slug for pair in moving}
        if unknown:
            raise SqlgenError(f"no migration {sorted(unknown)[0]!r} in {_shown(folder)}; name one as NNNN_slug")
    else:
        moving = []
        for version, shared in sorted(by_version.items()):
            if len(shared) < 2:
                continue
            recorded = rows.get(version)
            stays = [pair for pair in shared if recorded is not None and pair.name == recorded.name]
            if not stays:
                raise SqlgenError(f"version {version} is used by {' and '.join(pair.name for pair in shared)}, and "
                                  "this database records neither: name the ones to move after the others "
                                  f"(sqlgen renumber {shared[-1].name})")
            moving += [pair for pair in shared if pair not in stays]
        if not moving:
            echo("Nothing to renumber: every version is used once")
            return
    for pair in moving:
        row = rows.get(pair.version)
        if row is not None and row.name == pair.name:
            raise SqlgenError(f"{pair.name} is recorded in this database ({row.state}): a migration that ran keeps "
                              "its number; move the other one")
    staying = [pair for pair in pairs if pair not in moving]
    next_version = max((pair.version for pair in staying), default=0) + 1
    for pair in moving:
        new = migrations.Migration(next_version, pair.slug, folder / f"{next_version:04d}_{pair.slug}.up.sql",
                                   folder / f"{next_version:04d}_{pair.slug}.down.sql")
        for direction, old_path, new_path in (("up", pair.up, new.up), ("down", pair.down, new.down)):
            if old_path is None or not old_path.exists():
                continue
            if new_path.exists():
                raise SqlgenError(f"{_shown(new_path)} exists already; nothing more was renamed")
            text = migrations.read_migration(old_path)
            # The header names the file, its partner and its version; comments only (the checksum
            # leaves them out).
            lines = [re.sub(rf"\b{re.escape(pair.name)}\b", new.name,
                            line.replace(f"migration {pair.version:04d} (", f"migration {next_version:04d} ("))
                     if line.startswith("--") else line for line in text.split("\n")]
            fresh = fresh_text("\n".join(lines), config, new, direction, dialect)
            new_path.write_text(fresh, encoding="utf-8")
            old_path.unlink()
        echo(f"renumbered {pair.name} to {new.name}")
        next_version += 1


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
        entry.migration.down, runner.dialect.reading, expected_tracking(runner.dialect, runner.table, entry.migration, "down"),
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
            facts = migrations.facts(path, dialect.reading, expected_tracking(dialect, config.version_table, migration,
                                                                       direction))
            if not facts.rehashable:
                # Rewriting the blocks would drop a statement someone put there: a person decides.
                problem = next(p for p in facts.problems if p.kind == "tracking-block")
                raise SqlgenError(f"{_shown(path)}, {problem}; nothing was rewritten")
            fresh = fresh_text(text, config, migration, direction, dialect)
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
    _refuse_unsafe(((path, migrations.facts(path, dialect.reading, expected_tracking(
        dialect, config.version_table, migration, direction), sql_mode)) for migration, path in files),
        "nothing was printed: fix the file, or run sqlgen rehash where that says so")
    texts = [(path, fresh_text(migrations.read_migration(path), config, migration, direction, dialect, sql_mode))
             for migration, path in files]
    script = [f"-- sqlgen: {'upgrade' if up else 'downgrade'} from version {start} to {end}"]
    script.append(_by_hand(config, dialect))
    for path, text in texts:
        script += ["", f"-- ==> {path.name} <==", text.removeprefix("\ufeff").rstrip("\n")]
    migrations.check_one_session(texts, "\n".join(script) + "\n", dialect.reading, sql_mode)
    for line in script:
        echo(line)


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


def _database_error(exc) -> str:
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
