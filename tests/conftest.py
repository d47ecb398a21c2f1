"""Shared fixtures: scratch MariaDB databases, the real client binary, config objects.

Tests that need the server use the `mysql_url` / `scratch_db` fixtures. When the
server cannot be reached they skip locally, but with CI=true they fail: a CI
run must never pass by skipping its database tests.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent
SUPPORT = TESTS / "support"  # shared helpers and model sets, imported by name
sys.path.insert(0, str(SUPPORT))

from support import Scratch, server_url  # noqa: E402


def _in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def _unavailable(reason: str):
    if _in_ci():
        pytest.fail(f"{reason} (CI=true: database tests must not be skipped)", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def mysql_server():
    """The test server's base URL, checked once per session."""
    import sqlalchemy as sa

    url = server_url()
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool, connect_args={"connect_timeout": 5})
    try:
        with engine.connect() as connection:
            connection.exec_driver_sql("SELECT 1")
    except Exception as exc:  # noqa: BLE001 - any failure means "unreachable"
        _unavailable(f"MySQL/MariaDB test server unreachable at {url.render_as_string(hide_password=True)}: {exc}")
    finally:
        engine.dispose()
    return url


@pytest.fixture
def scratch(mysql_server):
    """A factory of scratch databases, all dropped at the end of the test."""
    made = Scratch(mysql_server)
    yield made
    made.drop_all()


@pytest.fixture
def scratch_db(scratch):
    """The URL of one fresh, empty database."""
    return scratch.new()


@pytest.fixture(scope="session")
def mariadb_client():
    """Path of the real `mariadb` (or `mysql`) command-line client."""
    for name in ("mariadb", "mysql"):
        path = shutil.which(name)
        if path:
            return path
    _unavailable("the mariadb/mysql client binary is not installed (apt-get install mariadb-client)")


@pytest.fixture
def run_client(mariadb_client):
    """Run a SQL file through the real client, as a DBA would by hand."""

    def run(url, path: Path, check: bool = True) -> subprocess.CompletedProcess:
        args = [mariadb_client, f"--host={url.host or '127.0.0.1'}", f"--port={url.port or 3306}",
                f"--user={url.username or 'root'}", url.database]
        env = dict(os.environ)
        if url.password:
            env["MYSQL_PWD"] = str(url.password)
        with open(path, "rb") as handle:
            result = subprocess.run(args, stdin=handle, capture_output=True, env=env, timeout=120)
        if check and result.returncode != 0:
            raise AssertionError(f"mariadb client failed on {path.name}: {result.stderr.decode()}")
        return result

    return run


@pytest.fixture
def unique_name():
    return f"t{uuid.uuid4().hex[:8]}"
