"""The one contract between generic code and a dialect, and which dialect a URL or a
migrations folder needs.

Each dialect package (`sqlgen/mysql`, `sqlgen/sqlite`) exports one `Dialect`
(sqlgen.contract) as `DIALECT`. Generic code asks only that object; this is the only generic module that
knows dialect names. A third dialect is a new package plus one line in `_PACKAGES`.
"""

from __future__ import annotations

import importlib
import re
from contextlib import contextmanager
from pathlib import Path

from .contract import Dialect
from .errors import SqlgenError

MARKER = "DIALECT"  # a file in the migrations folder naming the dialect its files are written in
# Each dialect's package; imported when first asked for, so that a command loads one dialect only.
_PACKAGES = {"mysql": "sqlgen.mysql", "sqlite": "sqlgen.sqlite"}
NAMES = tuple(_PACKAGES)
# The URL schemes' backends (the part before any +driver), by dialect.
_BACKENDS = {"mysql": "mysql", "mariadb": "mysql", "sqlite": "sqlite"}
DEFAULT = "mysql"  # a folder that records none, read without a database (lint --offline, sql --offline)


def get(name: str) -> Dialect:
    package = _PACKAGES.get(name)
    if package is None:
        raise SqlgenError(f"unsupported dialect {name!r}")
    return importlib.import_module(package).DIALECT


def backend(url: str) -> str:
    """The name of the dialect a database URL needs; an invalid URL is refused here."""
    from .database import mask_url, url_parts

    scheme = url_parts(url)["scheme"].split("+")[0]
    if scheme not in _BACKENDS:
        raise SqlgenError(
            f"unsupported database {scheme!r} in {mask_url(url)!r}: sqlgen supports MySQL, MariaDB "
            "(mysql+pymysql://...) and SQLite (sqlite:///app.db)"
        )
    name = _BACKENDS[scheme]
    get(name).parse_url(url)  # a bad URL is refused here, before any user code runs
    return name


def for_url(url: str) -> Dialect:
    return get(backend(url))


def parse_url(url: str):
    return for_url(url).parse_url(url)


def relative_url(url: str, base: Path) -> str:
    """A URL from a config file as the dialect reads it there (SQLite: a file beside the config);
    a URL of no known dialect is left for parse_url to refuse."""
    match = re.match(r"\s*([A-Za-z][\w+.-]*)://", url)
    name = _BACKENDS.get(match.group(1).split("+")[0]) if match else None
    return get(name).relative_url(url, base) if name else url


def database_key(url: str) -> tuple:
    """What tells two URLs apart as databases: the dialect's, from the URL's parts."""
    match = re.match(r"\s*([A-Za-z][\w+.-]*)://", url)
    name = _BACKENDS.get(match.group(1).split("+")[0]) if match else None
    return get(name).database_key(url) if name else (url,)


def refuse_transient(url: str) -> None:
    """A database that vanishes when sqlgen's connection ends (in-memory SQLite) would hold
    nothing a migration applied: refused, whatever the command."""
    match = re.match(r"\s*([A-Za-z][\w+.-]*)://", url)
    name = _BACKENDS.get(match.group(1).split("+")[0]) if match else None
    if name:
        get(name).refuse_transient(url)


@contextmanager
def connect(url: str, batches: bool = False):
    """A connection to the database; failures, also of the queries run on it, become one clear SqlgenError.
    `batches`: queries of sqlgen's own may be sent several in one round trip (`exec_batch`), where the
    dialect can."""
    from .database import close_quietly

    dialect = for_url(url)
    with dialect.open_database(url) as db:
        connection = db.connect(batches)
        try:
            yield connection
        except Exception as exc:
            if not dialect.is_driver_error(exc):
                raise
            raise SqlgenError(f"database error on {db.where}: {dialect.describe_error(exc)}") from None
        finally:
            close_quietly(connection)


def recorded(directory: Path) -> str | None:
    path = directory / MARKER
    if not path.is_file():
        return _from_headers(directory)
    expected = f"it should say one of {', '.join(NAMES)}"
    try:
        name = path.read_bytes().decode("utf-8").strip().lower()
    except UnicodeDecodeError:
        raise SqlgenError(f"{path} is not a text file naming a dialect (it is not UTF-8); {expected}") from None
    except OSError as exc:
        raise SqlgenError(f"cannot read {path}: {exc.strerror}") from None
    if name not in NAMES:
        # repr shows control characters escaped; a long file is cut short.
        shown = repr(name) if len(name) <= 40 else f"{name[:40]!r}..."
        raise SqlgenError(f"{path} names an unknown dialect {shown}; {expected}")
    return name


def _from_headers(directory: Path) -> str | None:
    """The dialect the files' headers name (`-- Dialect: sqlite`), for a folder without its marker."""
    found = _header_dialect(directory, newest_first=False)
    return _BACKENDS[found] if found else None


_HEADER = re.compile(r"--\s*Dialect:\s*(mysql|mariadb|sqlite)\b", re.I)


def flavour_in_headers(directory: Path) -> str | None:
    """The dialect as the latest file's header names it (mariadb, mysql, sqlite), for a file
    written without the database (generate --empty) to say the same."""
    return _header_dialect(directory, newest_first=True)


def _header_dialect(directory: Path, newest_first: bool) -> str | None:
    for path in sorted(directory.glob("*.up.sql"), reverse=newest_first) if directory.is_dir() else ():
        if not path.is_file():  # a pipe or a device would never end: scanning the folder names it
            continue
        try:
            with path.open(encoding="utf-8", errors="replace") as handle:
                head = [next(handle, "") for _ in range(30)]
        except OSError:
            continue
        for line in head:
            match = _HEADER.match(line)
            if match:
                return match.group(1).lower()
    return None


def of_folder(directory: Path) -> str:
    """The dialect a migrations folder records, or the default one."""
    return recorded(directory) or DEFAULT


def check(directory: Path, name: str) -> None:
    """Refuse to mix dialects in one migrations folder."""
    found = recorded(directory)
    if found is not None and found != name:
        raise SqlgenError(
            f"{directory} holds {found} migrations, but the database is {name}; "
            f"use a separate migrations folder per dialect (--dir)"
        )


def record(directory: Path, name: str) -> None:
    if not (directory / MARKER).is_file():
        directory.mkdir(parents=True, exist_ok=True)
        (directory / MARKER).write_text(name + "\n", encoding="utf-8")
