"""Tables sqlgen leaves alone: those the `exclude` patterns name, and the tracking tables of
other migration tools, which a database adopted from them still holds."""

from __future__ import annotations

from dataclasses import replace
from fnmatch import fnmatchcase

from .schema import Schema

# Other tools' tracking tables, by their default names. Left out unless the models declare one.
OTHER_TOOLS = {
    "alembic_version": "Alembic (and Flask-Migrate)",
    "flyway_schema_history": "Flyway",
    "databasechangelog": "Liquibase",
    "databasechangeloglock": "Liquibase",
    "schema_migrations": "dbmate, golang-migrate or Rails",
    "atlas_schema_revisions": "Atlas",
}


def leave_out(current: Schema, target: Schema, patterns: tuple[str, ...],
              case_insensitive: bool = False) -> tuple[Schema, Schema, list[str]]:
    """`current` and `target` without the tables sqlgen must not compare, create or drop, and
    one note for each table left out. `case_insensitive`: the database takes names that differ
    only in letter case for one table (SQLite), so a table left out on one side is left out in
    every spelling on the other."""
    notes: list[str] = []
    key = str.lower if case_insensitive else (lambda name: name)
    declared = {key(name) for name in target.table_names()}
    existing = {key(name) for name in current.table_names()}

    def pattern_of(name: str) -> str | None:
        return next((pattern for pattern in patterns if fnmatchcase(name, pattern)), None)

    skipped: set[str] = set()
    for name in sorted(set(current.table_names()) | set(target.table_names())):
        pattern = pattern_of(name)
        if pattern is not None:
            where = ("in the models and the database" if key(name) in declared and key(name) in existing
                     else "in the models" if key(name) in declared else "in the database")
            notes.append(f"excluded: table {name} ({where}; pattern {pattern!r}): never compared, created or dropped")
            skipped.add(key(name))
        elif key(name) in OTHER_TOOLS and key(name) not in declared:
            notes.append(f"not compared: table {name}, the tracking table of {OTHER_TOOLS[key(name)]}; sqlgen never "
                         "drops it")
            skipped.add(key(name))
    if not skipped:
        return current, target, notes
    left = _without(target, skipped, key)
    for table in left.tables:
        for fk in table.foreign_keys:
            if key(fk.ref_table) in skipped:
                notes.append(f"foreign key of {table.name} references the excluded table {fk.ref_table}: sqlgen "
                             "does not check it against that table; the server does when the migration runs")
    return _without(current, skipped, key), left, notes


def _without(schema: Schema, names: set[str], key) -> Schema:
    return replace(schema, tables=tuple(table for table in schema.tables if key(table.name) not in names))
