"""The example blog's migrations in migrations/ are sqlgen's own output, and stay so.

The test regenerates every step from scratch against a fresh database and
compares the files with the committed ones, ignoring the creation time and
the server build. After an intended change to the output, refresh them with
SQLGEN_UPDATE_GOLDEN=1 and review the diff.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from sqlgen import commands
from sqlgen.migrations import scan
from support import Output, make_config

pytestmark = pytest.mark.mysql

ROOT = Path(__file__).resolve().parents[2]
MIGRATIONS = ROOT / "migrations"
# (models, message) of each committed migration, in order.
STEPS = [
    ("examples.blog.models_v1:Base", "create users and posts"),
    ("examples.blog.models:Base", "add tags, comments and user emails"),
]
VOLATILE = re.compile(r"^-- (Created|Server): .*$", re.M)


def stable(text: str) -> str:
    return VOLATILE.sub(lambda m: f"-- {m.group(1)}: ...", text)


def test_committed_example_migrations_are_regenerated_identically(scratch_db, run_client, tmp_path):
    update = os.environ.get("SQLGEN_UPDATE_GOLDEN") == "1"
    directory = tmp_path / "migrations"
    for models, message in STEPS:
        config = make_config(scratch_db, models, directory, root=ROOT)
        result = commands.generate(config, message, echo=Output())
        assert result.paths, f"{models}: nothing generated"
        run_client(scratch_db, result.paths[0])
    config = make_config(scratch_db, STEPS[-1][0], directory, root=ROOT)
    out = Output()
    commands.generate(config, "done", echo=out)
    assert out.lines == ["No changes detected"]

    generated = {path.name: path.read_text() for path in sorted(directory.glob("*.sql"))}
    assert (directory / "DIALECT").read_text() == "mysql\n"
    if update:
        for path in MIGRATIONS.glob("*.sql"):
            path.unlink()
        for name, text in generated.items():
            (MIGRATIONS / name).write_text(text)
        (MIGRATIONS / "DIALECT").write_text("mysql\n")
    committed = {path.name: path.read_text() for path in sorted(MIGRATIONS.glob("*.sql"))}
    assert sorted(committed) == sorted(generated)
    for name in generated:
        assert stable(committed[name]) == stable(generated[name]), f"migrations/{name} drifted"


def test_example_migrations_directory_is_well_formed():
    assert (MIGRATIONS / "DIALECT").read_text() == "mysql\n", "the folder records its dialect"
    assert [m.name for m in scan(MIGRATIONS)] == ["0001_create_users_and_posts", "0002_add_tags_comments_and_user_emails"]
