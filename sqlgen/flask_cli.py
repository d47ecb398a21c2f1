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

import click

from .cli import Context, main
from .config import ENVIRONMENT, KNOWN_KEYS
from .errors import SqlgenError

EXTENSION = "sqlgen"  # app.extensions[EXTENSION]: the SqlGen extension's settings


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

    def __init__(self, info, directory, verbose, exclude):
        super().__init__(None, None, directory, verbose, exclude)
        self.options = {"directory": directory, "exclude": tuple(exclude)}  # the app gives the URL and models
        self.info, self.app = info, None

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

        app = self.load_app()
        extension = app.extensions.get(EXTENSION)
        db = (extension.db if extension is not None and extension.db is not None
              else app.extensions.get("sqlalchemy"))
        if db is None:
            raise SqlgenError(f"the Flask app {app.import_name!r} has no Flask-SQLAlchemy extension "
                              "(app.extensions['sqlalchemy']); call db.init_app(app) in it, or run sqlgen "
                              "with --url and --models instead")
        from .models import refuse_binds

        refuse_binds(db, db.metadata, f"the app's db ({app.import_name})")
        # The app's config keys: the environment variables' names (SQLGEN_DIR, ...), or SQLGEN_<SETTING>.
        settings = {key: app.config.get(ENVIRONMENT.get(key, ""), app.config.get(f"SQLGEN_{key.upper()}"))
                    for key in KNOWN_KEYS}
        if extension is not None:
            settings.update({key: value for key, value in extension.settings.items() if value is not None})
        notes: list[str] = []
        if not settings.get("url") and not os.environ.get(ENVIRONMENT["url"]):
            settings["url"], notes = self._engine_url(db)
        models = settings.get("models")  # the app may name its models module; else its db
        config = load_config(**self.options, verbose=self.verbose, app_settings=settings)
        for note in notes:
            click.echo(f"note: {note}", err=True)
        if models:
            return config
        return replace(config, metadata=db.metadata, models=f"{app.import_name} (flask sqlgen: the app's db)")

    def _engine_url(self, db) -> tuple[str, list[str]]:
        """The URL of the app's default engine, as sqlgen takes it (see Dialect.adopt_url)."""
        from . import dialects

        try:
            engine = db.engine
        except (KeyError, RuntimeError) as exc:
            raise SqlgenError(f"the Flask app {self.app.import_name!r} has no default database "
                              f"(SQLALCHEMY_DATABASE_URI; {type(exc).__name__}: {exc}); set it, or set SQLGEN_URL"
                              ) from None
        options = self.app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {}
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
@click.option("-v", "--verbose", is_flag=True, help="Show tracebacks on errors.")
@click.pass_context
def cli(ctx: click.Context, directory, exclude, verbose):
    from flask.cli import ScriptInfo

    ctx.obj = FlaskContext(ctx.ensure_object(ScriptInfo), directory, verbose, exclude)


for _name, _command in main.commands.items():
    if _name != "init":
        cli.add_command(_command, _name)


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
