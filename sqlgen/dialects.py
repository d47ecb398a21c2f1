"""Which dialect a database URL needs, and which one a migrations folder was made for."""

from __future__ import annotations

import re
from pathlib import Path

from .errors import SqlgenError

MARKER = "DIALECT"  # a file in the migrations folder naming the dialect its files are written in
NAMES = ("mysql", "sqlite")


def backend(url: str) -> str:
    from .database import parse_url

    name = parse_url(url).get_backend_name()
    return "mysql" if name in ("mysql", "mariadb") else name


def module(name: str):
    """The package that holds a dialect: reflect, declared_schema, render, rules, tracking, runner."""
    if name == "mysql":
        from . import mysql

        return mysql
    if name == "sqlite":
        from . import sqlite

        return sqlite
    raise SqlgenError(f"unsupported dialect {name!r}")


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
    for path in sorted(directory.glob("*.up.sql")) if directory.is_dir() else ():
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
                return "sqlite" if match.group(1).lower() == "sqlite" else "mysql"
    return None


_HEADER = re.compile(r"--\s*Dialect:\s*(mysql|mariadb|sqlite)\b", re.I)


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
