"""Connecting to MySQL and MariaDB: URLs read without SQLAlchemy, sessions opened
directly with PyMySQL."""

from __future__ import annotations

import re
from contextlib import contextmanager
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path

from ..database import Database, _is_port, _is_secret_key, invalid_url, mask_url, reason, url_parts
from ..errors import SqlgenError

# Server and client error codes worth a sentence of their own.
CONNECT_ERRORS = {
    1044: "access denied to the database for this user; grant access or use another user",
    1045: "access denied; check the user name and password in the URL",
    1698: "access denied; check the user name and password in the URL",  # an unknown user, no password given
    1049: "unknown database; create it first (CREATE DATABASE ...) or fix the URL",
    2003: "cannot reach the server; is it running, and are host and port right?",
    2005: "unknown host; check the host name in the URL",
    2013: "lost connection while connecting; check host, port and TLS settings",
}


@dataclass(frozen=True)
class MysqlUrl:
    """A MySQL or MariaDB URL, read without importing SQLAlchemy (a third of a
    second at every start); it offers the few methods sqlgen uses of SQLAlchemy's URL."""

    drivername: str
    username: str | None
    password: str | None
    host: str | None
    port: int | None
    database: str | None
    query: tuple[tuple[str, str], ...] = ()

    def get_backend_name(self) -> str:
        return self.drivername.split("+")[0]

    def get_driver_name(self) -> str:
        return self.drivername.partition("+")[2]

    def set(self, **changes) -> "MysqlUrl":
        return replace(self, **changes)

    def render_as_string(self, hide_password: bool = True) -> str:
        from urllib.parse import quote, urlencode

        text = f"{self.drivername}://"
        if self.username is not None:
            text += quote(self.username, safe="")
            if self.password is not None:
                text += ":" + ("***" if hide_password else quote(self.password, safe=""))
            text += "@"
        if self.host:
            text += f"[{self.host}]" if ":" in self.host else self.host
        if self.port is not None:
            text += f":{self.port}"
        text += "/" + quote(self.database or "", safe="")
        query = [(key, "***" if hide_password and _is_secret_key(key) else value) for key, value in self.query]
        return text + (f"?{urlencode(query, safe='*')}" if query else "")


def parse_url(url: str) -> MysqlUrl:
    from urllib.parse import parse_qsl, unquote

    match = url_parts(url)
    backend = match["scheme"].split("+")[0]
    if backend not in ("mysql", "mariadb"):  # sqlgen.dialects routes only these here
        raise SqlgenError(f"unsupported database {backend!r} in {mask_url(url)!r}: expected mysql+pymysql://...")
    host = match["ipv6"] or match["host"]
    if host and "@" in host:
        raise SqlgenError(
            f"invalid database URL {mask_url(url)!r}: it has more than one '@'; "
            "write an '@' inside the password as %40"
        )
    port = _port(match["port"], url)
    drivername = match["scheme"]
    if "+" not in drivername:
        # A bare mysql:// would need MySQLdb; PyMySQL ships with sqlgen.
        drivername = f"{backend}+pymysql"
    return MysqlUrl(
        drivername=drivername,
        username=unquote(match["username"]) if match["username"] is not None else None,
        password=unquote(match["password"]) if match["password"] is not None else None,
        host=host,
        port=port,
        database=unquote(match["database"]) if match["database"] else None,
        query=tuple(parse_qsl(match["query"] or "", keep_blank_values=True)),
    )


def _port(text: str | None, url: str) -> int | None:
    if not text:
        return None
    if not re.fullmatch(r"[0-9]+", text):
        raise invalid_url(url)
    if not _is_port(text):  # PyMySQL would take port 0 for its default, 3306
        raise SqlgenError(f"invalid port in the database URL {mask_url(url)!r}: a port is a number from 1 to 65535")
    return int(text)


def describe(parsed: MysqlUrl) -> str:
    host = parsed.host or "localhost"
    where = f"{host}:{parsed.port}" if parsed.port else host
    return f"{where} (database {parsed.database!r})" if parsed.database else where


class DirectConnection:
    """A PyMySQL connection offering the few methods sqlgen uses of an SQLAlchemy one.

    SQLAlchemy's engine sends eight statements on its first connection (version,
    isolation level, sql_mode, ...) and a ROLLBACK when each connection closes;
    sqlgen reads the server facts it needs in one query of its own, so on a
    remote server the saved round trips are most of a `generate`.
    """

    def __init__(self, dbapi_connection, batches: bool = False):
        self.dbapi_connection = dbapi_connection
        self.batches = batches  # opened to take several statements in one round trip

    def exec_driver_sql(self, sql: str, parameters=None):
        cursor = self.dbapi_connection.cursor()
        cursor.execute(sql, parameters)
        return _Result(cursor)

    def exec_batch(self, statements: list[str]) -> list[list[tuple]]:
        """The rows of each statement: all sent in one round trip on a connection opened
        with `batches=True`, one by one otherwise. The server runs, and counts, each one."""
        cursor = self.dbapi_connection.cursor()
        if not self.batches:
            results = []
            for statement in statements:
                cursor.execute(statement)
                results.append(list(cursor.fetchall()))
            return results
        cursor.execute(";\n".join(statements))
        results = [list(cursor.fetchall())]
        while cursor.nextset():
            results.append(list(cursor.fetchall()))
        return results

    def commit(self) -> None:
        self.dbapi_connection.commit()

    def close(self) -> None:
        self.dbapi_connection.close()


class _Result:
    def __init__(self, cursor):
        self._cursor = cursor

    def fetchall(self) -> list[tuple]:
        return list(self._cursor.fetchall())

    def first(self):
        return self._cursor.fetchone()


@dataclass
class MysqlDatabase(Database):
    """Sessions are PyMySQL connections opened directly with `connect_args`."""

    connect_args: dict

    def connect(self, batches: bool = False):
        """A connection with `exec_driver_sql` and `exec_batch` (in one round trip with
        `batches`); failures become one clear SqlgenError."""
        return DirectConnection(self._open(batches), batches)

    def file_session(self):
        """A fresh DB-API connection for the runner's file sessions, which send several
        statements in one packet (as the mysql client allows too)."""
        return self._open(batches=True)

    def _open(self, batches: bool = False):
        import pymysql
        from pymysql.constants import CLIENT

        args = dict(self.connect_args)
        if batches:  # only sqlgen's own queries: migration files are always sent one statement at a time
            args["client_flag"] = args.get("client_flag", 0) | CLIENT.MULTI_STATEMENTS
        try:
            return _connection_class()(**args)
        except pymysql.err.MySQLError as exc:
            raise self.cannot_connect(describe_error(exc)) from None
        except (TypeError, ValueError, AttributeError) as exc:
            raise self.cannot_connect(f"invalid connection option ({exc})") from None
        except OSError as exc:  # the TLS files or cipher of the URL's ssl_* options, as a rule
            what = "setting up TLS from the URL's ssl_* options failed: " if "ssl" in self.connect_args else ""
            raise self.cannot_connect(f"{what}{exc}") from None


@contextmanager
def open_database(url: str):
    parsed = parse_url(url)
    yield MysqlDatabase(describe(parsed), _pymysql_args(parsed, url))


def is_driver_error(exc) -> bool:
    """An error of the server or of PyMySQL (or SQLAlchemy's wrapping of one)."""
    import sys

    import pymysql

    if isinstance(exc, pymysql.err.MySQLError):
        return True
    sqlalchemy_exc = sys.modules.get("sqlalchemy.exc")  # loaded if the models were
    return sqlalchemy_exc is not None and isinstance(exc, sqlalchemy_exc.DBAPIError)


def describe_error(exc) -> str:
    return reason(exc, CONNECT_ERRORS)


@lru_cache(maxsize=None)
def _connection_class():
    """PyMySQL's connection, with its default TLS context made once per process, and only
    when a server offers TLS.

    Without TLS options PyMySQL prefers TLS, and builds a fresh default context
    for every connection by reading the system's CA files: some 20 ms each, most
    of the cost of the fresh session sqlgen opens for each migration file, and
    spent even on servers that offer no TLS at all.
    """
    import pymysql

    base = pymysql.connections.Connection

    class Connection(base):
        shared_tls = None  # that default context, made at most once per process

        @property
        def ctx(self):
            if self._ctx is _DEFAULT_TLS:
                if Connection.shared_tls is None:
                    Connection.shared_tls = base._create_ssl_ctx(self, {})
                self._ctx = Connection.shared_tls
            return self._ctx

        @ctx.setter
        def ctx(self, value):
            self._ctx = value

        def _create_ssl_ctx(self, sslp):
            return _DEFAULT_TLS if sslp == {} else base._create_ssl_ctx(self, sslp)

        def reset_session(self) -> None:
            """COM_RESET_CONNECTION, then what connect() sets: a session like a new
            connection's, for one round trip instead of a handshake."""
            self._execute_command(_COM_RESET_CONNECTION, b"")
            self._read_ok_packet()
            # What connect() sends, left for the session's first packet (`pending_setup`): the
            # character set (checked by PyMySQL when it connected), sql_mode and init_command.
            collation = getattr(self, "collation", None)  # PyMySQL 1.1+ keeps it
            setup = [f"SET NAMES {self.charset}" + (f" COLLATE {collation}" if collation else "")]
            if self.sql_mode is not None:
                setup.append("SET sql_mode=" + self.escape(self.sql_mode))
            if self.init_command is not None:
                setup.append(self.init_command)
            self.pending_setup = setup

    return Connection


_COM_RESET_CONNECTION = 0x1F  # MySQL 5.7.3+, MariaDB 10.2.4+; PyMySQL names no such command
_DEFAULT_TLS = object()  # stands for PyMySQL's default context until a server asks for TLS

# The URL options sqlgen passes on to PyMySQL, by kind. The TLS ones are gathered into
# PyMySQL's ssl settings, so that they combine (a CA with host name checks, a client
# certificate with verification).
_TEXT_OPTIONS = frozenset({"charset", "collation", "unix_socket", "bind_address", "init_command", "program_name"})
# Whole-number options and their ranges, checked here: PyMySQL refuses a zero timeout, the socket one
# past C's time limits, the server's max_allowed_packet is 1 KiB to 1 GiB, and PyMySQL packs
# client_flag as a signed 32-bit number.
_A_YEAR = 365 * 24 * 3600
_INT_OPTIONS = {"connect_timeout": (1, _A_YEAR), "read_timeout": (1, _A_YEAR), "write_timeout": (1, _A_YEAR),
                "max_allowed_packet": (1024, 1 << 30), "client_flag": (0, (1 << 31) - 1)}
_BOOL_OPTIONS = frozenset({"compress", "local_infile", "binary_prefix", "ssl_disabled", "ssl_check_hostname",
                           "ssl_verify_cert", "ssl_verify_identity"})
_TLS_FILES = {"ssl_ca": "ca", "ssl_capath": "capath", "ssl_cert": "cert", "ssl_key": "key",
              "ssl_key_password": "password", "ssl_cipher": "cipher"}
_IN_THE_URL = frozenset({"host", "port", "user", "username", "password", "passwd", "database", "db"})
_TRUE, _FALSE = ("1", "true", "yes", "on"), ("0", "false", "no", "off")


def database_key(url: str) -> tuple:
    parsed = parse_url(url)
    socket = dict(parsed.query).get("unix_socket")
    host = (parsed.host or "localhost").lower()
    local = host in ("localhost", "127.0.0.1", "::1", "[::1]")
    return ("mysql", socket or ("local" if local else host), None if socket else parsed.port or 3306,
            parsed.database)


def adopt_url(url: str) -> tuple[str, list[str]]:
    """An application's URL as sqlgen takes it: through PyMySQL whatever driver it names, and
    without the options that configure the application's own engine (pool_recycle, ...)."""
    from urllib.parse import urlencode

    parsed = parse_url(url)
    notes = []
    scheme, rest = url.split("://", 1)
    backend = scheme.split("+")[0]
    if parsed.get_driver_name() != "pymysql":
        notes.append(f"the app's URL names the driver {parsed.get_driver_name()}; sqlgen connects through PyMySQL")
    known = _TEXT_OPTIONS | _INT_OPTIONS.keys() | _BOOL_OPTIONS | _TLS_FILES.keys()
    security = [key for key, _ in parsed.query if key not in known and _SECURITY.match(key)]
    if security:
        # Leaving out what makes the app's connection secure would connect with less: refused.
        raise SqlgenError(f"the app's database URL has the option {security[0]!r}, which sqlgen does not take: it "
                          "cannot make its own sessions as secure from it. Set SQLGEN_URL to the same URL with "
                          "sqlgen's TLS options (ssl_ca, ssl_verify_cert, ssl_verify_identity, ...: see "
                          "Configuration in the README)")
    kept = [(key, value) for key, value in parsed.query if key in known]
    ignored = [key for key, _ in parsed.query if key not in known]
    if ignored:
        notes.append(f"ignored the option(s) {', '.join(ignored)} of the app's URL: they configure its engine, "
                     "not the sessions sqlgen opens")
    location = rest.split("?", 1)[0]
    return f"{backend}+pymysql://{location}" + (f"?{urlencode(kept)}" if kept else ""), notes


_SECURITY = re.compile(r"ssl|tls|auth|plugin|passw|secure|cert|key", re.I)


def _pymysql_args(parsed: MysqlUrl, url: str) -> dict:
    """PyMySQL's keyword arguments for a URL (?charset=..., ?ssl_ca=... and friends included)."""
    if parsed.get_driver_name() != "pymysql":
        raise SqlgenError(f"unsupported driver {parsed.drivername!r} in {mask_url(url)!r}: sqlgen talks to "
                          "MySQL and MariaDB through PyMySQL; write mysql+pymysql://...")
    kwargs: dict = {"host": parsed.host or "localhost", "user": parsed.username, "password": parsed.password or "",
                    "database": parsed.database}
    if parsed.port is not None:
        kwargs["port"] = parsed.port
    tls: dict = {}
    for key, value in parsed.query:
        where = f"in the database URL {mask_url(url)!r}"
        if key in _IN_THE_URL:
            raise SqlgenError(f"option {key!r} {where}: write it in the URL itself (user:password@host:port/database)")
        if key not in _TEXT_OPTIONS | _INT_OPTIONS.keys() | _BOOL_OPTIONS | _TLS_FILES.keys():
            raise SqlgenError(f"unknown option {key!r} {where}: sqlgen takes charset, collation, unix_socket, "
                              "connect_timeout, read_timeout, write_timeout, compress, local_infile and the ssl_* "
                              "options (see Configuration in the README)")
        try:
            value = _option_value(key, value)
        except ValueError as exc:
            raise SqlgenError(f"invalid option {key} {where}: {exc}") from None
        if key in _TLS_FILES:
            tls[_TLS_FILES[key]] = value
        elif key == "ssl_check_hostname":
            tls["check_hostname"] = value
        elif key == "ssl_verify_cert":
            tls["verify_mode"] = value
        elif key == "ssl_verify_identity":
            if value:
                tls["check_hostname"] = tls["verify_mode"] = True
        else:
            kwargs[key] = value
    if tls and not kwargs.get("ssl_disabled"):
        kwargs["ssl"] = tls  # PyMySQL then requires TLS, as asked
    kwargs.setdefault("connect_timeout", 10)
    # Every file says SET NAMES utf8mb4 itself; sqlgen's own queries read utf8mb4 too.
    kwargs.setdefault("charset", "utf8mb4")
    kwargs["autocommit"] = True
    return kwargs


def _option_value(key: str, value: str):
    if key in _INT_OPTIONS:
        low, high = _INT_OPTIONS[key]
        if not re.fullmatch(r"\s*[0-9]+\s*", value) or not low <= int(value) <= high:
            raise ValueError(f"expected a whole number from {low} to {high}, not {value!r}")
        return int(value)
    if key in _BOOL_OPTIONS:
        if value.lower() not in _TRUE + _FALSE:
            raise ValueError(f"expected true or false, not {value!r}")
        return value.lower() in _TRUE
    if key == "charset":
        from pymysql.charset import charset_by_name

        if charset_by_name(value) is None:
            raise ValueError(f"unknown character set {value!r}")
    if key == "collation" and not re.fullmatch(r"[A-Za-z0-9_]{1,64}", value):
        # PyMySQL sends it inside SET NAMES as it is, in sessions that take several statements.
        raise ValueError(f"expected a collation name such as utf8mb4_unicode_ci, not {value!r}")
    if key == "init_command" and not re.fullmatch(r"[ \t]*set[ \t]+[^;\n\r\0]+", value, re.I):
        # A USE would run every file (and generate --verify's scratch work) in another database.
        raise ValueError("expected one SET statement, e.g. SET time_zone = '+00:00' (no ';', no USE or other "
                         "statement)")
    if key in ("ssl_ca", "ssl_cert", "ssl_key") and not Path(value).is_file():
        raise ValueError(f"no such file: {value}")
    return value
