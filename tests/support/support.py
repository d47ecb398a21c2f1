"""Helpers for tests that talk to the real MariaDB server."""

from __future__ import annotations

import os
import re
import uuid
from pathlib import Path

import sqlalchemy as sa

from sqlgen.config import Config

DEFAULT_URL = "mysql+pymysql://root@127.0.0.1:3306/"
SCRATCH_PREFIX = "sqlgen_test_"


def server_url() -> sa.engine.URL:
    return sa.engine.make_url(os.environ.get("SQLGEN_TEST_MYSQL_URL", DEFAULT_URL))


def engine_for(url) -> sa.engine.Engine:
    return sa.create_engine(url, poolclass=sa.pool.NullPool)


class Scratch:
    """Creates uniquely named databases and drops every one of them afterwards."""

    def __init__(self, base: sa.engine.URL):
        self.base = base
        self.names: list[str] = []

    def new(self) -> sa.engine.URL:
        name = f"{SCRATCH_PREFIX}{uuid.uuid4().hex[:12]}"
        engine = engine_for(self.base.set(database=None))
        with engine.connect() as connection:
            connection.exec_driver_sql(
                f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci"
            )
        engine.dispose()
        self.names.append(name)
        return self.base.set(database=name)

    def drop_all(self) -> None:
        engine = engine_for(self.base.set(database=None))
        with engine.connect() as connection:
            for name in self.names:
                connection.exec_driver_sql(f"DROP DATABASE IF EXISTS `{name}`")
        engine.dispose()
        self.names.clear()


def url_text(url: sa.engine.URL) -> str:
    return url.render_as_string(hide_password=False)


def create_all(metadata: sa.MetaData, url) -> None:
    engine = engine_for(url)
    metadata.create_all(engine)
    engine.dispose()


def execute(url, *statements: str) -> list:
    engine = engine_for(url)
    results = []
    with engine.begin() as connection:
        for statement in statements:
            result = connection.exec_driver_sql(statement)
            results.append(result.fetchall() if result.returns_rows else None)
    engine.dispose()
    return results


SNAPSHOT_QUERIES = {
    "tables": """
        SELECT TABLE_NAME, TABLE_TYPE, ENGINE, TABLE_COLLATION, TABLE_COMMENT
          FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE()""",
    "columns": """
        SELECT TABLE_NAME, COLUMN_NAME, ORDINAL_POSITION, COLUMN_TYPE, IS_NULLABLE, COLUMN_DEFAULT,
               EXTRA, COLUMN_COMMENT, CHARACTER_SET_NAME, COLLATION_NAME, GENERATION_EXPRESSION
          FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE()""",
    "indexes": """
        SELECT TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX, COLUMN_NAME, NON_UNIQUE, SUB_PART, INDEX_TYPE, COLLATION
          FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE()""",
    "foreign_keys": """
        SELECT k.TABLE_NAME, k.CONSTRAINT_NAME, k.ORDINAL_POSITION, k.COLUMN_NAME,
               k.REFERENCED_TABLE_NAME, k.REFERENCED_COLUMN_NAME, r.UPDATE_RULE, r.DELETE_RULE
          FROM information_schema.KEY_COLUMN_USAGE k
          JOIN information_schema.REFERENTIAL_CONSTRAINTS r
            ON r.CONSTRAINT_SCHEMA = k.CONSTRAINT_SCHEMA AND r.CONSTRAINT_NAME = k.CONSTRAINT_NAME
           AND r.TABLE_NAME = k.TABLE_NAME
         WHERE k.TABLE_SCHEMA = DATABASE()""",
    "checks": """
        SELECT TABLE_NAME, CONSTRAINT_NAME, CHECK_CLAUSE
          FROM information_schema.CHECK_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = DATABASE()""",
}


def snapshot(url, exclude=("sqlgen_version",), generated_names: bool = True) -> dict[str, list[tuple]]:
    """The database's schema as sorted information_schema rows (not SQL text).

    With generated_names=False, the names InnoDB generates for unnamed foreign
    keys (`post_ibfk_2`) are blurred to `post_ibfk_#`: they are not part of the
    models, and sqlgen keeps an existing key's name instead of dropping and
    re-adding the key just to renumber it.
    """
    engine = engine_for(url)
    result = {}
    with engine.connect() as connection:
        for name, sql in SNAPSHOT_QUERIES.items():
            rows = [tuple(row) for row in connection.exec_driver_sql(sql) if row[0] not in exclude]
            if name == "foreign_keys" and not generated_names:
                rows = [(row[0], re.sub(r"_ibfk_\d+$", "_ibfk_#", row[1]), *row[2:]) for row in rows]
            result[name] = sorted(rows, key=lambda row: tuple("" if v is None else str(v) for v in row))
    engine.dispose()
    return result


def assert_same_schema(actual: dict, expected: dict) -> None:
    """Compare two snapshots and print only the rows that differ."""
    problems = []
    for part in expected:
        missing = [row for row in expected[part] if row not in actual[part]]
        extra = [row for row in actual[part] if row not in expected[part]]
        for row in missing:
            problems.append(f"{part}: expected {row}")
        for row in extra:
            problems.append(f"{part}: unexpected {row}")
    assert not problems, "schemas differ:\n" + "\n".join(problems)


def make_config(url, models: str | None, directory: Path, root: Path | None = None, **extra) -> Config:
    return Config(
        url=(url if isinstance(url, str) else url_text(url)) if url is not None else None,
        models=models,
        directory=directory,
        version_table=extra.pop("version_table", "sqlgen_version"),
        templates=extra.pop("templates", None),
        root=root or Path(__file__).resolve().parent,
        **extra,
    )


class Output:
    """Collects what a command prints."""

    def __init__(self):
        self.lines: list[str] = []

    def __call__(self, text: str = "") -> None:
        self.lines.extend(str(text).splitlines() or [""])

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


def sqlite_snapshot(path: Path, exclude=("sqlgen_version",)) -> dict[str, list[tuple]]:
    """A SQLite database's schema from its PRAGMAs (not the CREATE TABLE text):
    columns, indexes, foreign keys and CHECK conditions."""
    import sqlite3

    from sqlgen.sqlite.dialect import expression_key
    from sqlgen.sqlite.parse import parse_create_table

    connection = sqlite3.connect(path)
    tables = [(name, sql) for name, sql in connection.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
        if name not in exclude]
    result = {"columns": [], "indexes": [], "foreign_keys": [], "checks": []}
    for name, sql in tables:
        for cid, column, kind, notnull, default, pk, hidden in connection.execute(
                "SELECT * FROM pragma_table_xinfo(?)", (name,)):
            default = default.strip("()") if default else default
            result["columns"].append((name, cid, column, kind.upper().replace(", ", ","), notnull, default, pk, hidden))
        for _, index, unique, origin, partial in connection.execute("SELECT * FROM pragma_index_list(?)", (name,)):
            columns = tuple(row[2] for row in connection.execute("SELECT * FROM pragma_index_info(?)", (index,)))
            shown = "autoindex" if index.startswith("sqlite_autoindex_") else index
            result["indexes"].append((name, shown, unique, origin, partial, columns))
        for row in connection.execute("SELECT * FROM pragma_foreign_key_list(?)", (name,)):
            result["foreign_keys"].append((name, *row[1:]))
        parsed = parse_create_table(sql)
        checks = [condition for _, condition in parsed.checks]
        checks += [condition for column in parsed.columns.values() for _, condition in column.checks]
        result["checks"] += [(name, expression_key(condition)) for condition in checks]
    connection.close()
    return {part: sorted(rows, key=lambda row: tuple(str(v) for v in row)) for part, rows in result.items()}


def hand_written(config: Config, body: str, message: str = "by hand") -> Path:
    """A new migration (generate --empty) holding `body`, its tracking blocks brought up to date."""
    from sqlgen import commands

    commands.generate(config, message, empty=True, echo=Output())
    up = sorted(config.directory.glob("*.up.sql"))[-1]
    up.write_text(up.read_text().replace("-- Write the statements of this migration here", body + "\n-- x"))
    commands.rehash(config, echo=Output())
    return up
