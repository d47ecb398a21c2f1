"""The `sqlgen` command line: thin click wrappers over sqlgen.commands.

Only click is imported at start-up; each command imports what it needs, so
`sqlgen --help` stays fast.
"""

from __future__ import annotations

import os
import sys
import traceback
from functools import partial

import click

from . import __version__


class Context:
    def __init__(self, url, models, directory, verbose, exclude=()):
        self.options = dict(url=url, models=models, directory=directory, exclude=tuple(exclude))
        self.verbose = verbose

    def config(self):
        from .config import load_config

        return load_config(**self.options, verbose=self.verbose)


def json_option(function):
    return click.option("--json", "as_json", is_flag=True,
                        help="Print the result as JSON on stdout, for CI; an error too: {\"error\": ...}, exit 1.")(function)


def run_json(ctx: click.Context, command, *args, native: bool = True, **kwargs):
    """`run` for --json: the command's own JSON document (`native`), or its messages collected
    into {"messages": [...], "exit_code": n}; an error as {"error": "..."} on stdout, exit 1."""
    import json

    lines: list[str] = []
    try:
        if native:
            code = run(ctx, command, *args, as_json=True, **kwargs)
        else:
            code = run(ctx, command, *args, echo=lines.append, **kwargs)
            click.echo(json.dumps({"messages": lines, "exit_code": code or 0}))
    except click.ClickException as exc:
        click.echo(json.dumps({"error": exc.format_message(), **({"messages": lines} if lines else {})}))
        ctx.exit(1)
    return code


def run(ctx: click.Context, command, *args, **kwargs):
    """Call a command-layer function; turn errors into one clean line."""
    from .errors import SqlgenError

    state: Context = ctx.find_object(Context)
    if not state.verbose:
        # SQLAlchemy logs a traceback when it resets a connection the server dropped;
        # the error sqlgen reports says it in one line.
        import logging

        logging.getLogger("sqlalchemy").addHandler(logging.NullHandler())
    try:
        config = state.config()
        kwargs.setdefault("echo", click.echo)
        return command(config, *args, **kwargs)
    except SqlgenError as exc:
        _show_traceback(state)
        raise click.ClickException(_one_line(str(exc))) from None
    except (click.ClickException, click.exceptions.Exit, click.Abort):
        raise
    except BrokenPipeError:  # e.g. `sqlgen sql | head`: stop quietly
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        sys.exit(1)
    except Exception as exc:  # a bug in sqlgen: still no traceback unless asked
        _show_traceback(state)
        if state.verbose:
            raise click.ClickException(_one_line(f"unexpected error: {exc}")) from None
        raise click.ClickException(
            _one_line(f"unexpected error: {type(exc).__name__}: {exc} (run with -v for the traceback)")
        ) from None


def _show_traceback(state: Context) -> None:
    """Under -v, the traceback of the error being handled, with every URL in it masked."""
    if state.verbose:
        from .database import mask_text

        click.echo(mask_text(traceback.format_exc()), err=True, nl=False)


def _one_line(message: str) -> str:
    """The error line: on one line, with any URL or secret option in it masked.

    The sources mask URLs already; this is the defence in depth. The password is
    never replaced as a substring: a short one would mangle every word containing it.
    """
    from .database import mask_text

    return mask_text(" ".join(message.split("\n")))


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--url", metavar="URL", help="Database URL, e.g. mysql+pymysql://user:pw@host/db [env SQLGEN_URL].")
@click.option("--models", metavar="MODULE:ATTR", help="Where the models are, e.g. app.models:Base [env SQLGEN_MODELS].")
@click.option("--dir", "directory", metavar="DIR", help="Migrations directory (default: migrations) [env SQLGEN_DIR].")
@click.option("--exclude", multiple=True, metavar="PATTERN",
              help="Tables never compared, created or dropped, as glob patterns (repeatable), e.g. 'legacy_*' "
                   "[env SQLGEN_EXCLUDE, comma-separated].")
@click.option("-v", "--verbose", is_flag=True, help="Show tracebacks on errors.")
@click.option("-C", "chdir", metavar="DIR", type=click.Path(exists=True, file_okay=False),
              help="Run as if started in DIR (like git -C).")
@click.version_option(__version__, prog_name="sqlgen")
@click.pass_context
def main(ctx: click.Context, url, models, directory, exclude, verbose, chdir):
    """Turn SQLAlchemy model edits into plain SQL migrations for SQLite, MySQL and MariaDB.

    Settings come from the options above, then SQLGEN_* environment variables,
    then sqlgen.toml or [tool.sqlgen] in pyproject.toml.
    """
    if chdir:
        os.chdir(chdir)
    ctx.obj = Context(url, models, directory, verbose, exclude)


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON, for CI.")
@click.pass_context
def check(ctx, as_json):
    """Compare the models with the database: exit 0 when they agree, 1 when not."""
    from . import commands

    ctx.exit(run_json(ctx, commands.check) if as_json else run(ctx, commands.check))


@main.command()
@click.argument("directory", required=False, type=click.Path(file_okay=False))
@click.pass_context
def init(ctx, directory):
    """Start a project: a config file (SQLite by default) and a migrations folder with its templates."""
    from . import commands

    run(ctx, commands.init, directory)


@main.command()
@click.option("-m", "--message", default="", help="What the migration does; also names the files.")
@click.option("--dry-run", is_flag=True, help="Print both files instead of writing them.")
@click.option("--empty", is_flag=True, help="Write an empty pair to fill in by hand (no database needed).")
@click.option("--rename", "renames", multiple=True, metavar="OLD:NEW",
              help="Rename instead of drop and add: TABLE:NEW or TABLE.COLUMN:NEW (repeatable).")
@click.option("--no-input", is_flag=True, help="Never ask about likely renames.")
@click.option("--verify/--no-verify", default=None,
              help="Prove the pair on a scratch database before writing it (config: verify = true).")
@click.option("--allow-pending", is_flag=True,
              help="Write the migration even though others of the folder are not applied to the database.")
@click.option("--allow-drop-all", is_flag=True,
              help="Write the migration even though it drops more than half of the tables (or all).")
@click.pass_context
def generate(ctx, message, dry_run, empty, renames, no_input, verify, allow_pending, allow_drop_all):
    """Diff the models against the database and write the next up/down pair."""
    from . import commands

    # On a terminal, ask about a dropped and an added column of the same definition.
    ask = None if no_input or not sys.stdin.isatty() else (lambda question: click.confirm(question, default=False))
    run(ctx, commands.generate, message, dry_run=dry_run, empty=empty, renames=renames, ask=ask, verify=verify,
        allow_pending=allow_pending, allow_drop_all=allow_drop_all)


@main.command()
@click.option("-m", "--message", default="existing schema", show_default=True, help="What version 1 is called.")
@click.option("--dry-run", is_flag=True, help="Print both files instead of writing them; record nothing.")
@click.pass_context
def baseline(ctx, message, dry_run):
    """Start a migrations folder on a database another tool built: version 1 is the schema as
    it is, recorded as applied without running any SQL."""
    from . import commands

    run(ctx, commands.baseline, message, dry_run=dry_run)


@main.command()
@click.argument("names", nargs=-1, metavar="[NNNN_NAME...]")
@click.pass_context
def renumber(ctx, names):
    """After merging two branches that each added a version: move the migrations this database
    has not applied (or those named) after the others, renaming them and rewriting their
    tracking blocks."""
    from . import commands

    run(ctx, commands.renumber, tuple(names))


@main.command()
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False))
@click.option("--offline", is_flag=True, help="Do not ask the database (FILES are then required).")
@json_option
@click.pass_context
def lint(ctx, files, offline, as_json):
    """Report what migration files risk (default: the pending ones); exit 1 on a destructive finding.

    Accept a finding with a line in the file: -- sqlgen: allow drop-column account.bio
    """
    from . import commands

    if as_json:
        ctx.exit(run_json(ctx, commands.lint, tuple(files), offline=offline, native=False))
    ctx.exit(run(ctx, commands.lint, tuple(files), offline=offline))


# SQLite's busy timeout is a 32-bit count of milliseconds; a longer wait would silently become none.
MAX_LOCK_TIMEOUT = 2_147_483


def _check_lock_timeout(ctx, param, value: float) -> float:
    """Refuse a wait that is negative, not a number or endless; exit 1 like any other bad input
    (click.BadParameter would exit 2, the code of a command-line usage error)."""
    if not 0 <= value <= MAX_LOCK_TIMEOUT:  # False for nan too
        raise click.ClickException(f"invalid --lock-timeout {value:g}: give the seconds to wait, "
                                   f"from 0 to {MAX_LOCK_TIMEOUT}")
    return value


def lock_timeout_option(function):
    return click.option(
        "--lock-timeout", type=float, default=60.0, show_default=True, metavar="SECONDS",
        callback=_check_lock_timeout, help="How long to wait for another sqlgen run on the same database.",
    )(function)


def resume_options(function):
    function = click.option(
        "--resume-after", type=click.IntRange(min=0), metavar="N", default=None,
        help="For a file stopped at a statement whose outcome is unknown: take statements 1-N as done.",
    )(function)
    return click.option(
        "--resume-at", type=click.IntRange(min=1), metavar="N", default=None,
        help="For a file stopped at a statement whose outcome is unknown: run it again from statement N.",
    )(function)


def _resume(resume_at, resume_after):
    if resume_at is not None and resume_after is not None:
        raise click.UsageError("use --resume-at or --resume-after, not both")
    if resume_at is not None:
        return ("at", resume_at)
    return None if resume_after is None else ("after", resume_after)


@main.command()
@click.argument("target", default="head")
@lock_timeout_option
@resume_options
@json_option
@click.pass_context
def upgrade(ctx, target, lock_timeout, resume_at, resume_after, as_json):
    """Apply pending migrations up to TARGET: head (default), a version, or +N."""
    from . import commands

    (partial(run_json, native=False) if as_json else run)(ctx, commands.upgrade, target, lock_timeout=lock_timeout,
                                                          resume=_resume(resume_at, resume_after))


@main.command(context_settings={"ignore_unknown_options": True})  # so that -1 is a target
@click.argument("target")
@lock_timeout_option
@resume_options
@json_option
@click.pass_context
def downgrade(ctx, target, lock_timeout, resume_at, resume_after, as_json):
    """Revert migrations until TARGET is current: a version, -N, or base (0)."""
    from . import commands

    (partial(run_json, native=False) if as_json else run)(ctx, commands.downgrade, target, lock_timeout=lock_timeout,
                                                          resume=_resume(resume_at, resume_after))


@main.command()
@click.argument("target", default="head")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON, for CI.")
@click.pass_context
def preflight(ctx, target, as_json):
    """Run the preconditions of the pending files up to TARGET (default head), changing nothing:
    exit 1 when rows break one, or one could not run."""
    from . import commands

    ctx.exit(run_json(ctx, commands.preflight, target) if as_json else run(ctx, commands.preflight, target))


@main.command()
@json_option
@click.pass_context
def current(ctx, as_json):
    """Show the current version and its name."""
    from . import commands

    (run_json if as_json else run)(ctx, commands.current)


@main.command()
@json_option
@click.pass_context
def history(ctx, as_json):
    """List every migration with its state, when it ran and how long it took."""
    from . import commands

    (run_json if as_json else run)(ctx, commands.history_)


@main.command()
@json_option
@click.pass_context
def status(ctx, as_json):
    """Summarise what needs attention; exit 1 if anything does (pending included)."""
    from . import commands

    ctx.exit((run_json if as_json else run)(ctx, commands.status))


@main.command()
@click.argument("version")
@lock_timeout_option
@click.pass_context
def stamp(ctx, version, lock_timeout):
    """Record VERSION (a number, head or base) as current without running SQL."""
    from . import commands

    run(ctx, commands.stamp, version, lock_timeout=lock_timeout)


@main.command()
@click.argument("span", required=False, metavar="[[FROM:]TO]")
@click.option("--offline", is_flag=True, help="Do not ask the database; FROM defaults to 0.")
@click.pass_context
def sql(ctx, span, offline):
    """Print the script a DBA runs by hand, tracking statements included.

    TO defaults to head and FROM to the database's current version. A FROM
    above TO gives the down script.
    """
    from . import commands

    run(ctx, commands.sql, span, offline=offline)


@main.command()
@click.pass_context
def verify(ctx):
    """Check applied migrations against their files; exit 1 on any mismatch."""
    from . import commands

    ctx.exit(run(ctx, commands.verify))


@main.command()
@click.argument("versions", nargs=-1)
@click.pass_context
def rehash(ctx, versions):
    """Refresh the tracking statements of edited files (all, or VERSIONS)."""
    from . import commands

    run(ctx, commands.rehash, tuple(versions))


def console() -> None:
    """The `sqlgen` command: run it, then leave at once.

    Python would spend about a quarter of a second at exit freeing the objects
    of a large set of models one by one; the files are written and closed, the
    connections closed, so there is nothing left to tidy. Exit handlers still run.
    """
    try:
        main()
        code = 0
    except SystemExit as exc:
        code = exc.code
    if code is not None and not isinstance(code, int):
        print(code, file=sys.stderr)
        code = 1
    import atexit

    atexit._run_exitfuncs()  # what others registered still runs (coverage data, the models' own handlers)
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # e.g. `sqlgen history | head`: the reader has gone
            pass
    os._exit(code or 0)


if __name__ == "__main__":  # pragma: no cover
    console()
