"""Connecting to the database, with errors that name the server and hide the password."""

from __future__ import annotations

import re
from contextlib import contextmanager
from dataclasses import dataclass

from .errors import SqlgenError

MYSQL_BACKENDS = ("mysql", "mariadb")
# Server and client error codes worth a sentence of their own.
CONNECT_ERRORS = {
    1044: "access denied to the database for this user; grant access or use another user",
    1045: "access denied; check the user name and password in the URL",
    1049: "unknown database; create it first (CREATE DATABASE ...) or fix the URL",
    2003: "cannot reach the server; is it running, and are host and port right?",
    2005: "unknown host; check the host name in the URL",
    2013: "lost connection while connecting; check host, port and TLS settings",
}


def mask_url(url: str) -> str:
    """The URL with its password replaced by ***, even when it does not parse
    (an unencoded '@' in the password included)."""
    return re.sub(r"(://[^:/@]*:).*@", r"\1***@", url)


def parse_url(url: str):
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError) as exc:
        raise SqlgenError(
            f"invalid database URL {mask_url(url)!r}: expected e.g. mysql+pymysql://user:password@host/dbname"
        ) from exc
    if parsed.host and "@" in parsed.host:
        raise SqlgenError(
            f"invalid database URL {mask_url(url)!r}: it has more than one '@'; "
            "write an '@' inside the password as %40"
        )
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        return parsed
    if backend not in MYSQL_BACKENDS:
        raise SqlgenError(
            f"unsupported database {backend!r} in {mask_url(url)!r}: sqlgen supports MySQL, MariaDB "
            "(mysql+pymysql://...) and SQLite (sqlite:///app.db)"
        )
    if "+" not in parsed.drivername:
        # A bare mysql:// would need MySQLdb; PyMySQL ships with sqlgen.
        parsed = parsed.set(drivername=f"{backend}+pymysql")
    return parsed


def describe(parsed) -> str:
    if parsed.get_backend_name() == "sqlite":
        return f"the SQLite database {parsed.database or ':memory:'!r}"
    host = parsed.host or "localhost"
    where = f"{host}:{parsed.port}" if parsed.port else host
    return f"{where} (database {parsed.database!r})" if parsed.database else where


@dataclass
class Database:
    """An engine plus what error messages may say about it (never the password)."""

    engine: object
    where: str
    password: str | None

    def connect(self):
        """An SQLAlchemy connection; failures become one clear SqlgenError."""
        from sqlalchemy.exc import DBAPIError

        try:
            return self.engine.connect()
        except DBAPIError as exc:
            raise self._cannot_connect(_reason(exc, self.password)) from None
        except (TypeError, ValueError, AttributeError) as exc:
            raise self._cannot_connect(f"invalid connection option ({exc})") from None

    @contextmanager
    def session(self):
        """A fresh DB-API connection (a new server session), closed afterwards."""
        from sqlalchemy.exc import DBAPIError

        try:
            connection = self.engine.raw_connection()
        except DBAPIError as exc:
            raise self._cannot_connect(_reason(exc, self.password)) from None
        try:
            yield connection.driver_connection
        finally:
            close_quietly(connection)

    def _cannot_connect(self, reason: str) -> SqlgenError:
        return SqlgenError(f"cannot connect to {self.where}: {reason}")


@contextmanager
def database(url: str):
    from sqlalchemy import create_engine
    from sqlalchemy.exc import NoSuchModuleError
    from sqlalchemy.pool import NullPool

    parsed = parse_url(url)
    connect_args = {} if parsed.get_backend_name() == "sqlite" else {"connect_timeout": 10}
    try:
        engine = create_engine(parsed, poolclass=NullPool, connect_args=connect_args)
    except NoSuchModuleError as exc:
        raise SqlgenError(f"unsupported driver in {mask_url(url)!r}: {exc}") from None
    except ImportError as exc:
        raise SqlgenError(f"the driver for {parsed.drivername} is not installed: {exc}") from None
    except (TypeError, ValueError, AttributeError) as exc:
        raise SqlgenError(f"invalid option in the database URL {mask_url(url)!r}: {exc}") from None
    try:
        yield Database(engine, describe(parsed), parsed.password)
    finally:
        engine.dispose()


@contextmanager
def connect(url: str):
    """A connection to the database; failures, also of the queries run on it, become one clear SqlgenError."""
    from sqlalchemy.exc import DBAPIError

    with database(url) as db:
        connection = db.connect()
        try:
            yield connection
        except DBAPIError as exc:
            raise SqlgenError(f"database error on {db.where}: {_reason(exc, db.password)}") from None
        finally:
            close_quietly(connection)


def close_quietly(connection) -> None:
    try:
        connection.close()
    except Exception:  # the session may already be gone; nothing is left to keep
        pass


def _reason(exc, password) -> str:
    original = getattr(exc, "orig", exc)
    args = getattr(original, "args", ())
    code = args[0] if args and isinstance(args[0], int) else None
    message = str(args[1]) if len(args) > 1 else str(original)
    if password:
        message = message.replace(str(password), "***")
    reason = CONNECT_ERRORS.get(code)
    if reason:
        return f"{reason} (server said: {message})"
    return message
