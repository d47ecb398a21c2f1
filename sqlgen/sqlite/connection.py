"""Connecting to SQLite: through an SQLAlchemy engine on the file of the URL."""

from __future__ import annotations

import re
import unicodedata
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from ..database import Database, close_quietly, invalid_url, mask_url, reason, url_parts
from ..errors import SqlgenError


_SCHEME = re.compile(r"sqlite(\+\w+)?")


def relative_url(url: str, base: Path) -> str:
    """sqlite:///app.db in a config file means app.db beside the file, wherever sqlgen runs."""
    from urllib.parse import unquote

    scheme, separator, rest = url.partition(":///")
    if not separator or not _SCHEME.fullmatch(scheme) or rest.startswith(("/", "file:")) \
            or unquote(rest.split("?")[0]) in ("", ":memory:") or any(unicodedata.category(char) == "Cc" for char in url):
        return url  # absolute, a URI filename, in memory, or for parse_url to refuse
    path, _, query = rest.partition("?")
    return f"{scheme}:///{(base / path).resolve()}" + (f"?{query}" if query else "")


def parse_url(url: str):
    """SQLAlchemy's URL object (SQLite is loaded through SQLAlchemy anyway)."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    url_parts(url)  # the checks every URL gets
    try:
        return make_url(url)
    except (ArgumentError, ValueError):
        raise invalid_url(url) from None


def describe(parsed) -> str:
    return f"the SQLite database {parsed.database or ':memory:'!r}"


@dataclass
class SqliteDatabase(Database):
    engine: object

    def connect(self, batches: bool = False):
        """An SQLAlchemy connection (`batches` means nothing here); failures become one clear SqlgenError."""
        from sqlalchemy.exc import DBAPIError

        try:
            return self.engine.connect()
        except DBAPIError as exc:
            raise self.cannot_connect(reason(exc)) from None
        except (TypeError, ValueError, AttributeError) as exc:
            raise self.cannot_connect(f"invalid connection option ({exc})") from None

    @contextmanager
    def session(self):
        """A fresh DB-API connection, closed afterwards."""
        from sqlalchemy.exc import DBAPIError

        try:
            connection = self.engine.raw_connection()
        except DBAPIError as exc:
            raise self.cannot_connect(reason(exc)) from None
        try:
            yield connection.driver_connection
        finally:
            close_quietly(connection)


@contextmanager
def open_database(url: str):
    from sqlalchemy import create_engine
    from sqlalchemy.exc import NoSuchModuleError
    from sqlalchemy.pool import NullPool

    parsed = parse_url(url)
    try:
        engine = create_engine(parsed, poolclass=NullPool)
    except NoSuchModuleError as exc:
        raise SqlgenError(f"unsupported driver in {mask_url(url)!r}: {exc}") from None
    except ImportError as exc:
        raise SqlgenError(f"the driver for {parsed.drivername} is not installed: {exc}") from None
    except (TypeError, ValueError, AttributeError) as exc:
        raise SqlgenError(f"invalid option in the database URL {mask_url(url)!r}: {exc}") from None
    try:
        yield SqliteDatabase(describe(parsed), engine)
    finally:
        engine.dispose()


def is_driver_error(exc) -> bool:
    """SQLAlchemy's wrapping of an error of sqlite3 (the runner's own sessions raise sqlite3's)."""
    import sqlite3
    import sys

    sqlalchemy_exc = sys.modules.get("sqlalchemy.exc")
    return isinstance(exc, sqlite3.Error) or (sqlalchemy_exc is not None and isinstance(exc, sqlalchemy_exc.DBAPIError))


def database_key(url: str) -> tuple:
    from urllib.parse import unquote

    database = unquote(parse_url(url).database or "")
    path = database[len("file:"):].split("?", 1)[0] if database.startswith("file:") else database
    try:
        return ("sqlite", str(Path(path).resolve()))
    except OSError:
        return ("sqlite", path)


def refuse_transient(url: str) -> None:
    from urllib.parse import unquote

    parsed = parse_url(url)
    database = unquote(parsed.database or "")
    plain = unquote(unquote(url)).lower()
    path = database[len("file:"):].split("?", 1)[0] if database.startswith("file:") else database
    if path in ("", ":memory:") or "mode=memory" in plain or "vfs=memdb" in plain:
        raise SqlgenError(f"{mask_url(url)!r} is an in-memory SQLite database, which vanishes when sqlgen's "
                          "connection ends: nothing a migration applied would stay. Give a file (sqlite:///app.db)")


def reading_url(url: str) -> tuple[str, str | None]:
    """generate and check read a SQLite file that does not exist yet as an empty database, and
    never create it (upgrade does)."""
    try:
        refuse_missing(url)
    except SqlgenError:
        path = parse_url(url).database
        return "sqlite://", (f"the SQLite database {path} does not exist yet: compared as an empty database "
                             "(sqlgen upgrade creates it)")
    return url, None


def refuse_missing(url: str) -> None:
    """Commands other than upgrade and stamp never create the database file."""
    path = parse_url(url).database
    if path and path != ":memory:" and not path.startswith("file:") and not Path(path).exists():
        raise SqlgenError(f"the SQLite database {path} does not exist; sqlgen upgrade creates it "
                          "(or fix the url setting)")
