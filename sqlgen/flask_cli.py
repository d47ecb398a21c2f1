"""`flask sqlgen ...`: every sqlgen command for the current Flask app, with no code change.

Flask finds this group through the `flask.commands` entry point. The app is found the Flask
way (--app, FLASK_APP, a create_app factory); its Flask-SQLAlchemy extension gives the models
(the db) and the database URL (its engine's, so a relative SQLite path means the instance
folder, as Flask-SQLAlchemy means it). Settings come from the options, the SQLGEN_*
environment variables, the app's SQLGEN_* config keys and the SqlGen extension, then
sqlgen.toml, as for `sqlgen` itself.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import click
from sqlalchemy import MetaData

from .cli import Context, main
from .config import ENVIRONMENT, KNOWN_KEYS
from .errors import SqlgenError

EXTENSION = "sqlgen"  # app.extensions[EXTENSION]: the SqlGen extension's settings
DEFAULT = "default"  # --bind's name for the app's default database


class SqlGen:
    """Settings in code, in the style of Flask-Migrate's Migrate(app, db):

        SqlGen(app, db, directory="migrations", exclude=["legacy_*"])

    Any sqlgen setting may be given (directory, version_table, templates, verify, verify_url,
    precondition_sample, exclude); `db` defaults to the app's Flask-SQLAlchemy extension."""

    def __init__(self, app=None, db=None, **settings):
        unknown = sorted(set(settings) - set(KNOWN_KEYS) - {"url", "models"})
        if unknown:
            raise TypeError(f"SqlGen() got an unknown setting {unknown[0]!r}; known: {', '.join(KNOWN_KEYS)}")
        self.db, self.settings = db, settings
        if app is not None:
            self.init_app(app, db)

    def init_app(self, app, db=None) -> None:
        self.db = db if db is not None else self.db
        app.extensions[EXTENSION] = self


class FlaskContext(Context):
    """The settings of the current app, for the commands of sqlgen.cli."""

    def __init__(self, info, directory, verbose, exclude, bind=None):
        super().__init__(None, None, directory, verbose, exclude)
        self.options = {"directory": directory, "exclude": tuple(exclude)}  # the app gives the URL and models
        self.info, self.app = info, None
        # The database the next config() is for: None, the default; else a bind's key.
        self.chosen = None if bind in (None, DEFAULT) else bind
        self.bind_given = bind is not None
        self.bind = self.chosen

    def db(self):
        app = self.load_app()
        extension = app.extensions.get(EXTENSION)
        db = (extension.db if extension is not None and extension.db is not None
              else app.extensions.get("sqlalchemy"))
        if db is None:
            raise SqlgenError(f"the Flask app {app.import_name!r} has no Flask-SQLAlchemy extension "
                              "(app.extensions['sqlalchemy']); call db.init_app(app) in it, or run sqlgen "
                              "with --url and --models instead")
        return db

    def binds(self) -> list[str]:
        """The app's binds (SQLALCHEMY_BINDS), besides its default database."""
        binds = sorted(key for key in self.load_app().config.get("SQLALCHEMY_BINDS") or {} if key is not None)
        for key in binds:  # each names a folder under the migrations folder
            if not isinstance(key, str) or key == DEFAULT or not _BIND_NAME.fullmatch(key):
                raise SqlgenError(f"the app's bind {key!r} cannot name a migrations folder: give binds names of "
                                  f"letters, digits, '_' and '-' (and none called {DEFAULT!r})")
        return binds

    def databases(self) -> list[str | None]:
        """The databases a command acts on: the one --bind names, else the default and every bind
        (a bind that no model uses is named in a note and left alone)."""
        binds = self.binds()
        if self.bind_given:
            if self.chosen is not None and self.chosen not in binds:
                raise SqlgenError(f"--bind {self.chosen}: the app has no such bind; its databases are "
                                  f"{', '.join([DEFAULT, *binds])}")
            return [self.chosen]
        metadatas = getattr(self.db(), "metadatas", {}) or {}
        used = [key for key in binds if key in metadatas and metadatas[key].tables]
        for key in binds:
            if key not in used:
                click.echo(f"note: bind {key}: no model uses it; sqlgen leaves its database alone", err=True)
        return [None, *used]

    def load_app(self):
        """The app, loaded when a command first needs it (a command's --help does not), its app
        context kept for the rest of the command."""
        if self.app is None:
            try:
                app = self.info.load_app()
            except Exception as exc:  # the app's own error: one line (its traceback under -v)
                message = exc.format_message() if isinstance(exc, click.ClickException) else \
                    f"{type(exc).__name__}: {exc}"
                lines = [line.strip() for line in str(message).splitlines() if line.strip()]
                shown = lines[0] if len(lines) < 2 else f"{lines[0]} {lines[-1]}"
                raise SqlgenError(f"cannot load the Flask app: {shown}") from exc
            click.get_current_context().find_root().with_resource(app.app_context())
            self.app = app
        return self.app

    def config(self):
        from dataclasses import replace

        from .config import load_config

        app, db, key = self.load_app(), self.db(), self.bind
        extension = app.extensions.get(EXTENSION)
        self._refuse_shared_databases(db)
        # The app's config keys: the environment variables' names (SQLGEN_DIR, ...), or SQLGEN_<SETTING>.
        known = {ENVIRONMENT.get(key, f"SQLGEN_{key.upper()}") for key in KNOWN_KEYS} | \
            {f"SQLGEN_{key.upper()}" for key in KNOWN_KEYS}
        unknown = sorted(name for name in app.config if name.startswith("SQLGEN_") and name not in known)
        if unknown:
            raise SqlgenError(f"the app's config has {unknown[0]}, which is no sqlgen setting; the settings are "
                              f"{', '.join(sorted(known))}")
        settings = {key: app.config.get(ENVIRONMENT.get(key, ""), app.config.get(f"SQLGEN_{key.upper()}"))
                    for key in KNOWN_KEYS}
        if extension is not None:
            settings.update({key: value for key, value in extension.settings.items() if value is not None})
        notes: list[str] = []
        if key is not None:
            # A bind: its own engine, models and folder (migrations/<bind>); the settings that name
            # the default database's do not apply to it.
            settings.update(url=None, models=None)
            settings["url"], notes = self._engine_url(db, key)
            base = (self.options["directory"] or os.environ.get(ENVIRONMENT["directory"]) or settings.get("directory")
                    or "migrations")
            environ = {name: value for name, value in os.environ.items()
                       if name not in (ENVIRONMENT["url"], ENVIRONMENT["models"], ENVIRONMENT["directory"])}
            config = load_config(directory=str(Path(str(base)) / key), exclude=self.options["exclude"],
                                 verbose=self.verbose, app_settings=settings, environ=environ)
            metadata = db.metadatas.get(key) if getattr(db, "metadatas", None) else None
            for note in notes:
                click.echo(f"note: {note}", err=True)
            return replace(config, metadata=metadata if metadata is not None else MetaData(),
                           models=f"{app.import_name} (flask sqlgen: the app's db, bind {key})")
        if not settings.get("url") and not os.environ.get(ENVIRONMENT["url"]):
            settings["url"], notes = self._engine_url(db, None)
        models = settings.get("models")  # the app may name its models module; else its db
        config = load_config(**self.options, verbose=self.verbose, app_settings=settings)
        for note in notes:
            click.echo(f"note: {note}", err=True)
        if models:
            return config
        return replace(config, metadata=db.metadata, models=f"{app.import_name} (flask sqlgen: the app's db)")

    def _refuse_shared_databases(self, db) -> None:
        """Two of the app's databases in one (or SQLGEN_URL naming a bind's): each would see the
        other's tables as its own to drop. Compared as the server and database they name, not as
        written (localhost and 127.0.0.1, a default port, mysql and mariadb alike)."""
        from . import dialects

        urls = {key: engine.url.render_as_string(hide_password=False)
                for key, engine in (getattr(db, "engines", None) or {}).items()}
        given = os.environ.get(ENVIRONMENT["url"]) or self.app.config.get(ENVIRONMENT["url"])
        if given:
            urls[None] = given
        seen: dict = {}
        for key, url in urls.items():
            where = dialects.database_key(url)
            if where in seen:
                names = sorted((DEFAULT if name is None else name for name in (seen[where], key)),
                               key=lambda name: (name != DEFAULT, name))
                raise SqlgenError(f"the app's databases {names[0]} and {names[1]} are one database "
                                  f"({' '.join(str(part) for part in where if part)}); sqlgen would take each "
                                  "one's tables for the other's to drop. Give each bind its own database")
            seen[where] = key

    def _engine_url(self, db, key: str | None) -> tuple[str, list[str]]:
        """The URL of the app's engine for `key` (None: the default), as sqlgen takes it (see
        Dialect.adopt_url)."""
        from . import dialects

        try:
            engine = db.engine if key is None else db.engines[key]
        except (KeyError, RuntimeError) as exc:
            what = "default database (SQLALCHEMY_DATABASE_URI" if key is None else f"bind {key} (SQLALCHEMY_BINDS"
            raise SqlgenError(f"the Flask app {self.app.import_name!r} has no {what}; {type(exc).__name__}: "
                              f"{exc}); set it, or set SQLGEN_URL") from None
        options = self.app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {}
        if key is not None:  # a bind given as a dict carries its own engine options
            bind = (self.app.config.get("SQLALCHEMY_BINDS") or {}).get(key)
            options = bind if isinstance(bind, dict) else options
        connect_args = options.get("connect_args") or {} if isinstance(options, dict) else {}
        secure = [key for key in connect_args if any(word in str(key).lower() for word in ("ssl", "tls", "cert", "auth"))]
        if secure:
            raise SqlgenError(f"the app connects with connect_args {secure[0]!r} (SQLALCHEMY_ENGINE_OPTIONS), which "
                              "sqlgen does not take: its own sessions would be less secure. Set SQLGEN_URL to the "
                              "app's URL with sqlgen's TLS options (ssl_ca, ssl_verify_cert, ...)")
        url, notes = dialects.for_url(str(engine.url)).adopt_url(engine.url.render_as_string(hide_password=False))
        if connect_args:
            notes.append(f"the app's connect_args ({', '.join(map(str, connect_args))}) are not used: sqlgen opens "
                         "its own sessions; give what they set in SQLGEN_URL's options")
        return url, notes

@click.group("sqlgen", help="sqlgen migrations of this app's Flask-SQLAlchemy database: plain SQL files "
                            "a DBA can read and run by hand (see sqlgen --help).")
@click.option("--dir", "directory", metavar="DIR", help="Migrations directory (default: migrations) [env and app config "
                                                       "SQLGEN_DIR].")
@click.option("--exclude", multiple=True, metavar="PATTERN",
              help="Tables never compared, created or dropped (glob, repeatable) [env SQLGEN_EXCLUDE, app config "
                   "SQLGEN_EXCLUDE].")
@click.option("--bind", metavar="NAME", help=f"One database of the app: {DEFAULT!r} or a bind's name (default: "
                                              "generate, upgrade and the reports act on every one).")
@click.option("-v", "--verbose", is_flag=True, help="Show tracebacks on errors.")
@click.pass_context
def cli(ctx: click.Context, directory, exclude, bind, verbose):
    from flask.cli import ScriptInfo

    ctx.obj = FlaskContext(ctx.ensure_object(ScriptInfo), directory, verbose, exclude, bind)


# Commands run on each of the app's databases in turn; the others on one, which --bind names
# when the app has binds (a downgrade or a stamp of "whichever" would be a guess).
_BIND_NAME = re.compile(r"[A-Za-z0-9_-]+")
EACH_DATABASE = ("generate", "upgrade", "status", "current", "history", "check", "lint", "verify", "preflight")


def _per_database(command: click.Command) -> click.Command:
    each = command.name in EACH_DATABASE

    @click.pass_context
    def callback(ctx, **params):
        state = ctx.find_object(FlaskContext)
        try:
            keys = state.databases() if each else [state.chosen]
            if not each and state.binds() and not state.bind_given:
                raise SqlgenError(f"the app has binds ({', '.join(state.binds())}): name the database "
                                  f"{command.name} acts on with flask sqlgen --bind NAME {command.name} "
                                  f"({DEFAULT!r} or a bind)")
        except SqlgenError as exc:
            from .cli import _one_line, _show_traceback

            _show_traceback(state)
            raise click.ClickException(_one_line(str(exc))) from None
        code = 0
        for key in keys:
            state.bind = key
            if len(keys) > 1:  # on stderr: stdout stays the command's own (its --json document)
                click.echo(f"== {DEFAULT if key is None else 'bind ' + key} ==", err="as_json" in params
                           and params["as_json"])
            try:
                ctx.invoke(command, **params)
            except click.exceptions.Exit as done:
                code = max(code, done.exit_code)
        if code:
            ctx.exit(code)

    return click.Command(command.name, params=command.params, callback=callback, help=command.help,
                         short_help=command.short_help, epilog=command.epilog,
                         context_settings=command.context_settings)  # (downgrade -1: a target, not an option)


for _name, _command in main.commands.items():
    if _name != "init":
        cli.add_command(_per_database(_command), _name)


@cli.command("init")
@click.pass_context
def init(ctx):
    """Make the migrations folder; the app gives the database and the models (settings: SQLGEN_*
    config keys, or SqlGen(app, db, ...))."""
    from .cli import run

    def make(config, echo):
        if config.directory.exists():
            echo(f"{config.directory} exists already")
            return
        config.directory.mkdir(parents=True)
        echo(f"Created {config.directory}; next: flask sqlgen generate -m \"first migration\"")

    run(ctx, make)
