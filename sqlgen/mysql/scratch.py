"""Scratch databases for `generate --verify` on MySQL/MariaDB: created empty on the
server of the given URL (the project's own, or `verify_url`) under a unique name, with
the character set and collation of the URL's database so that defaults compare the
same; always dropped."""

from __future__ import annotations

import os
import secrets
from contextlib import contextmanager

from ..database import close_quietly
from ..errors import SqlgenError
from .connection import open_database, parse_url

PREFIX = "sqlgen_verify_"


@contextmanager
def scratch_database(url: str):
    """Yield the URL of a new, empty database; drop it afterwards, whatever happened."""
    parsed = parse_url(url)
    name = f"{PREFIX}{os.getpid()}_{secrets.token_hex(4)}"
    with open_database(parsed.set(database=None).render_as_string(hide_password=False)) as db:
        connection = db.connect()
        try:
            charset, collation = _defaults_of(connection, parsed.database)
            connection.exec_driver_sql(f"CREATE DATABASE `{name}` CHARACTER SET {charset} COLLATE {collation}")
        except Exception as exc:
            raise SqlgenError(f"cannot create a scratch database on {db.where} for --verify: "
                              f"{getattr(exc, 'orig', exc)}; grant CREATE and DROP, or set verify_url") from None
        finally:
            close_quietly(connection)
        try:
            yield parsed.set(database=name).render_as_string(hide_password=False)
        finally:
            # A fresh session: the verification may have lost its own.
            connection = db.connect()
            try:
                connection.exec_driver_sql(f"DROP DATABASE IF EXISTS `{name}`")
            finally:
                close_quietly(connection)


def _defaults_of(connection, name: str | None) -> tuple[str, str]:
    row = None
    if name:
        row = connection.exec_driver_sql(
            "SELECT DEFAULT_CHARACTER_SET_NAME, DEFAULT_COLLATION_NAME FROM information_schema.SCHEMATA "
            "WHERE SCHEMA_NAME = %s", (name,)).first()
    if row is None:
        row = connection.exec_driver_sql("SELECT @@character_set_server, @@collation_server").first()
    return row[0], row[1]
