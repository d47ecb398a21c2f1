"""Scratch databases for `generate --verify` on SQLite: a file in a temporary folder."""

from __future__ import annotations

import tempfile
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def scratch_database(url: str):
    """Yield the URL of a new, empty database file; remove it afterwards, whatever happened."""
    with tempfile.TemporaryDirectory(prefix="sqlgen-verify-") as folder:
        yield f"sqlite:///{Path(folder) / 'scratch.db'}"
