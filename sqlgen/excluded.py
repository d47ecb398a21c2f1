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


def leave_out(current: Schema, target: Schema, patterns: tuple[str, ...]) -> tuple[Schema, Schema, list[str]]:
    """`current` and `target` without the tables sqlgen must not compare, create or drop, and
    one note for each table left out."""
    notes: list[str] = []
    declared = set(target.table_names())

    def pattern_of(name: str) -> str | None:
        return next((pattern for pattern in patterns if fnmatchcase(name, pattern)), None)

    skipped: set[str] = set()
    for name in sorted(set(current.table_names()) | declared):
        pattern = pattern_of(name)
        if pattern is not None:
            where = ("in the models and the database" if name in declared and current.table(name)
                     else "in the models" if name in declared else "in the database")
            notes.append(f"excluded: table {name} ({where}; pattern {pattern!r}): never compared, created or dropped")
            skipped.add(name)
        elif name in OTHER_TOOLS and name not in declared:
            notes.append(f"not compared: table {name}, the tracking table of {OTHER_TOOLS[name]}; sqlgen never "
                         "drops it")
            skipped.add(name)
    if not skipped:
        return current, target, notes
    return _without(current, skipped), _without(target, skipped), notes


def _without(schema: Schema, names: set[str]) -> Schema:
    return replace(schema, tables=tuple(table for table in schema.tables if table.name not in names))
