"""Import the project's models and find their MetaData.

`models` is `package.module:attr`, where attr is a MetaData, a classic
`declarative_base()` class, a 2.0 `DeclarativeBase` subclass, a
Flask-SQLAlchemy `db`, or `SQLModel`. Without `:attr` the module must hold
exactly one of those.
"""

from __future__ import annotations

import importlib
import sys
import traceback
from pathlib import Path

from .errors import SqlgenError


def load_metadata(spec: str, root: Path):
    module_name, _, attr = spec.partition(":")
    module_name = module_name.strip()
    if not module_name or (":" in spec and not attr.strip()):
        raise SqlgenError(f"models {spec!r} is not of the form package.module:attr")
    module = _import(module_name, root)
    if attr:
        attr = attr.strip()
        if not hasattr(module, attr):
            raise SqlgenError(
                f"module {module_name!r} has no attribute {attr!r}; " + _candidates_text(module)
            )
        metadata = as_metadata(getattr(module, attr))
        refuse_binds(getattr(module, attr), metadata, spec)
        if metadata is None:
            kind = type(getattr(module, attr)).__name__
            raise SqlgenError(
                f"{spec} is a {kind}, not a MetaData, declarative base, Flask-SQLAlchemy db or SQLModel; "
                + _candidates_text(module)
            )
        return metadata
    found = _candidates(module)
    for name, _, metadata in found:
        refuse_binds(getattr(module, name), metadata, f"{module_name}:{name}")
    distinct = {id(metadata): metadata for _, _, metadata in found}
    if len(distinct) == 1:
        return next(iter(distinct.values()))
    if not distinct:
        raise SqlgenError(f"module {module_name!r} defines no MetaData, declarative base, Flask-SQLAlchemy db or SQLModel")
    names = ", ".join(name for name, _, _ in found)
    raise SqlgenError(f"module {module_name!r} holds several models' MetaData ({names}); name one as {module_name}:attr")


def _import(module_name: str, root: Path):
    root_text = str(root)
    if root_text not in sys.path[:1]:
        sys.path.insert(0, root_text)
    try:
        return importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name and (module_name == exc.name or module_name.startswith(exc.name + ".")):
            raise SqlgenError(
                f"cannot import models module {module_name!r}: no module named {exc.name!r} "
                f"(searched from {root}); check models and the folder you run sqlgen in"
            ) from None
        raise SqlgenError(f"cannot import models module {module_name!r}: {_short(exc)}") from exc
    except (Exception, SystemExit) as exc:
        raise SqlgenError(f"cannot import models module {module_name!r}: {_short(exc)}") from exc


def _short(exc: BaseException) -> str:
    """The error and the line of the user's code that raised it."""
    message = f"{type(exc).__name__}: {exc}".splitlines()[0]
    if isinstance(exc, SyntaxError) and exc.filename:
        return f"{message.split(' (')[0]} ({exc.filename}, line {exc.lineno})"
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if "importlib" not in f.filename]
    if frames:
        return f"{message} ({frames[-1].filename}, line {frames[-1].lineno})"
    return message


def refuse_binds(value, metadata, spec: str) -> None:
    """Flask-SQLAlchemy binds keep tables in other databases: their tables are not in the default
    database's MetaData (version 3: db.metadatas[key]; version 2: tables marked with a bind_key).
    A migration of the default database alone would leave them out, or put them where they do
    not belong: refused in one line until sqlgen migrates each bind."""
    keys = set()
    metadatas = getattr(value, "metadatas", None)
    if isinstance(metadatas, dict):
        keys |= {key for key, other in metadatas.items() if key is not None and getattr(other, "tables", None)}
    if metadata is not None:
        keys |= {table.info["bind_key"] for table in metadata.tables.values()
                 if table.info.get("bind_key") is not None}
    if keys:
        shown = ", ".join(sorted(map(str, keys)))
        raise SqlgenError(f"{spec} has models in Flask-SQLAlchemy binds ({shown}) besides the default database; "
                          "sqlgen migrates one database per migrations folder: run flask sqlgen, which migrates "
                          "every bind in its own folder, or give sqlgen one database's MetaData (for a bind, a "
                          "module with metadata = db.metadatas['<bind>'], its own --dir and that bind's --url)")


def as_metadata(value):
    """The MetaData behind a models object, or None."""
    from sqlalchemy import MetaData

    if isinstance(value, MetaData):
        return value
    try:
        metadata = getattr(value, "metadata", None)
    except Exception:
        return None
    return metadata if isinstance(metadata, MetaData) else None


def _describe(value) -> str:
    from sqlalchemy import MetaData

    if isinstance(value, MetaData):
        return "MetaData"
    if isinstance(value, type):
        return "SQLModel" if value.__name__ == "SQLModel" else "declarative base"
    if type(value).__name__ == "SQLAlchemy":
        return "Flask-SQLAlchemy db"
    return type(value).__name__


def _candidates(module) -> list[tuple[str, str, object]]:
    found = []
    for name, value in sorted(vars(module).items()):
        if name.startswith("__") or type(value).__name__ == "module":
            continue
        metadata = as_metadata(value)
        if metadata is None:
            continue
        # Mapped classes carry their base's MetaData too; list only the base.
        if isinstance(value, type) and any(as_metadata(base) is metadata for base in value.__mro__[1:]):
            continue
        found.append((name, _describe(value), metadata))
    return found


def _candidates_text(module) -> str:
    found = _candidates(module)
    if not found:
        return "it defines no MetaData, declarative base, Flask-SQLAlchemy db or SQLModel"
    return "candidates: " + ", ".join(f"{name} ({kind})" for name, kind, _ in found)
