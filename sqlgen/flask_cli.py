"""`flask sqlgen ...`: every sqlgen command for the current Flask app, with no code change.

Flask finds this group through the `flask.commands` entry point. The app is found the Flask
way (--app, FLASK_APP, a create_app factory); its Flask-SQLAlchemy extension gives the models
(the db) and the database URL (its engine's, so a relative SQLite path means the instance
folder, as Flask-SQLAlchemy means it). Settings come from the options, the SQLGEN_*
environment variables, the app's SQLGEN_* config keys and the SqlGen extension, then
sqlgen.toml, as for `sqlgen` itself.
"""

from __future__ import annotations

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

    def __init__(self, app, directory, verbose, exclude):
        super().__init__(None, None, directory, verbose, exclude)
        self.options = {"directory": directory, "exclude": tuple(exclude)}  # the app gives the URL and models
        self.app = app

    def config(self):
        from dataclasses import replace

        from . import dialects
        from .config import load_config

        app = self.app
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
        url = settings.pop("url", None)
        notes: list[str] = []
        if url is None:
            url = db.engine.url.render_as_string(hide_password=False)
            url, notes = dialects.for_url(url).adopt_url(url)
        config = load_config(**self.options, verbose=self.verbose, url=url, app_settings=settings)
        for note in notes:
            click.echo(f"note: {note}", err=True)
        return replace(config, metadata=db.metadata, models=f"{app.import_name} (flask sqlgen: the app's db)")


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

    info = ctx.ensure_object(ScriptInfo)
    try:
        app = info.load_app()
    except click.ClickException:
        raise
    except Exception as exc:  # the app's own import error: one line, as Flask would say it
        raise click.ClickException(f"cannot load the Flask app: {type(exc).__name__}: {exc}") from None
    ctx.with_resource(app.app_context())
    ctx.obj = FlaskContext(app, directory, verbose, exclude)


for _name, _command in main.commands.items():
    cli.add_command(_command, _name)
