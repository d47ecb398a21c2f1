"""Connecting to the database, with errors that name the server and hide the password."""

from __future__ import annotations

import re
from contextlib import contextmanager

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
    """The URL with its password replaced by ***, even when it does not parse."""
    return re.sub(r"(://[^:/@]*:)[^@]*@", r"\1***@", url)


def parse_url(url: str):
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError) as exc:
        raise SqlgenError(
            f"invalid database URL {mask_url(url)!r}: expected e.g. mysql+pymysql://user:password@host/dbname"
        ) from exc
    backend = parsed.get_backend_name()
    if backend not in MYSQL_BACKENDS:
        raise SqlgenError(
            f"unsupported database {backend!r} in {mask_url(url)!r}: sqlgen supports MySQL and MariaDB "
            "(mysql+pymysql://...)"
        )
    if "+" not in parsed.drivername:
        # A bare mysql:// would need MySQLdb; PyMySQL ships with sqlgen.
        parsed = parsed.set(drivername=f"{backend}+pymysql")
    return parsed


def describe(parsed) -> str:
    host = parsed.host or "localhost"
    where = f"{host}:{parsed.port}" if parsed.port else host
    return f"{where} (database {parsed.database!r})" if parsed.database else where


@contextmanager
def connect(url: str):
    """A connection to the database; failures become one clear SqlgenError."""
    from sqlalchemy import create_engine
    from sqlalchemy.exc import DBAPIError, NoSuchModuleError
    from sqlalchemy.pool import NullPool

    parsed = parse_url(url)
    where = describe(parsed)
    try:
        engine = create_engine(parsed, poolclass=NullPool, connect_args={"connect_timeout": 10})
    except NoSuchModuleError as exc:
        raise SqlgenError(f"unsupported driver in {mask_url(url)!r}: {exc}") from None
    except ImportError as exc:
        raise SqlgenError(f"the driver for {parsed.drivername} is not installed: {exc}") from None
    try:
        connection = engine.connect()
    except DBAPIError as exc:
        raise SqlgenError(f"cannot connect to {where}: {_reason(exc, parsed)}") from None
    try:
        yield connection
    finally:
        connection.close()
        engine.dispose()


def _reason(exc, parsed) -> str:
    original = getattr(exc, "orig", exc)
    args = getattr(original, "args", ())
    code = args[0] if args and isinstance(args[0], int) else None
    message = str(args[1]) if len(args) > 1 else str(original)
    if parsed.password:
        message = message.replace(str(parsed.password), "***")
    reason = CONNECT_ERRORS.get(code)
    if reason:
        return f"{reason} (server said: {message})"
    return message
