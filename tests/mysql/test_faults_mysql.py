"""Real faults while migrations run: connections cut by a loopback proxy, kill -9 of sqlgen, and
kill -9 of a private MariaDB server, which is then restarted.

Every case ends with the three checks: no statement ran twice (the data is exactly what the
files make), status and history told the truth at each step, and the one command sqlgen
advised completes the run.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from faults import CuttingProxy, PrivateServer, wait_for

pytestmark = pytest.mark.mysql

SLOW_ROWS = "SELECT seq FROM seq_1_to_150 WHERE SLEEP(0.02) = 0"  # 150 rows in about 3 s: long enough to look at it while it runs


@pytest.fixture(scope="module")
def server(tmp_path_factory, mysql_server):
    made = PrivateServer(tmp_path_factory.mktemp("private_mariadb"))
    made.start()
    yield made
    made.stop()


@pytest.fixture
def database(server):
    name = f"sqlgen_fault_{uuid.uuid4().hex[:10]}"
    if server.process is None:
        server.start()
    server.query(f"CREATE DATABASE `{name}`")
    yield name
    if server.process is None:
        server.start()
    server.query(f"DROP DATABASE IF EXISTS `{name}`")


@pytest.fixture
def proxy(server):
    made = CuttingProxy(server.port)
    yield made
    made.close()


def write(directory: Path, version: int, slug: str, up: str, down: str = "SELECT 1;\n") -> Path:
    directory.mkdir(exist_ok=True)
    (directory / "DIALECT").write_text("mysql\n")
    path = directory / f"{version:04d}_{slug}.up.sql"
    path.write_text(up)
    (directory / f"{version:04d}_{slug}.down.sql").write_text(down)
    return path


def sqlgen(url: str, directory: Path, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "sqlgen", "--url", url, "--dir", str(directory), *args],
                          capture_output=True, text=True, timeout=timeout, cwd=directory.parent, env=_env())


def start_sqlgen(url: str, directory: Path, *args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "sqlgen", "--url", url, "--dir", str(directory), *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=directory.parent,
                            env=_env())


def upgrade_until_slow(server: PrivateServer, url: str, directory: Path, what: str) -> subprocess.Popen:
    """`sqlgen upgrade` in a process of its own, returned once the server runs its slow statement."""
    process = start_sqlgen(url, directory, "upgrade")
    wait_for(lambda: running(server, "SLEEP(0.02)"), what=what)
    return process


def kill_upgrade_during_slow(server: PrivateServer, url: str, directory: Path, what: str) -> None:
    """kill -9 of `sqlgen upgrade` while the server runs its slow statement."""
    process = upgrade_until_slow(server, url, directory, what)
    process.kill()
    process.wait(30)


def _env() -> dict:
    return {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}


def running(server: PrivateServer, fragment: str) -> list[tuple]:
    quoted = "'%" + fragment.replace("'", "''") + "%'"
    return server.query("SELECT ID, TIME FROM information_schema.PROCESSLIST "
                        f"WHERE INFO LIKE {quoted} AND INFO NOT LIKE '%PROCESSLIST%'")


def one_line_error(result: subprocess.CompletedProcess) -> str:
    assert result.returncode == 1, (result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: ") and "Traceback" not in result.stderr, result.stderr
    return lines[0]


def status_lines(url: str, directory: Path) -> list[str]:
    return sqlgen(url, directory, "status").stdout.splitlines()


def history_of(url: str, directory: Path, version: int) -> str:
    [line] = [line for line in sqlgen(url, directory, "history").stdout.splitlines()
              if line.startswith(f"{version:04d} ")]
    return line


def tracking(server, database) -> list[tuple]:
    return server.query("SELECT version, state, statements_applied, statements_total, in_doubt, connection_id "
                        "FROM sqlgen_version ORDER BY version", database)


# --- 1. A lost connection is never taken for a failed statement --------------------------------

def test_file_session_cut_during_dml_is_exact_and_the_rerun_runs_it_once(server, database, proxy, tmp_path):
    """The cut comes while statement 1, a long INSERT ... SELECT, runs. The server goes on with it
    and with the record sent after it, which commit together: sqlgen waits for the server to end the
    session, then says exactly what is applied, and the rerun runs only the rest."""
    server.query("CREATE TABLE t (n int NOT NULL) ENGINE=InnoDB", database)
    directory = tmp_path / "migrations"
    write(directory, 1, "load", f"INSERT INTO t (n) {SLOW_ROWS};\nCREATE TABLE after_load (id int);\n")
    process = upgrade_until_slow(server, server.url(database, proxy.port), directory, "the INSERT to run")
    proxy.cut(proxy.count() - 1)  # the file's session: the runner's own session connected first
    stdout, stderr = process.communicate(timeout=60)
    message = one_line_error(subprocess.CompletedProcess([], process.returncode, stdout, stderr))
    assert "the connection was lost at statement 1" in message, message
    assert "statement 1 stayed applied" in message and "sqlgen upgrade again to resume from statement 2" in message
    assert server.query("SELECT COUNT(*) FROM t", database) == [(150,)]
    assert tracking(server, database)[0][1:5] == ("failed", 1, 2, None)
    assert "failed at statement 2 (1 of 2 statements done)" in history_of(server.url(database), directory, 1)
    assert not server.query("SHOW TABLES LIKE 'after_load'", database)

    result = sqlgen(server.url(database), directory, "upgrade")
    assert result.returncode == 0, result.stderr
    assert "resuming 0001_load at statement 2 of 2" in result.stdout
    assert server.query("SELECT COUNT(*), COUNT(DISTINCT n) FROM t", database) == [(150, 150)]
    assert status_lines(server.url(database), directory)[-1] == "status:    up to date"


def test_file_session_cut_inside_a_batch_counts_what_committed(server, database, proxy, tmp_path):
    """Statements 1 and 2 are quick DML, statement 3 a slow one, all in one batch: after the cut at
    3 the count says exactly which committed, whatever the server did; the rerun runs only the rest."""
    server.query("CREATE TABLE t (n int NOT NULL) ENGINE=InnoDB", database)
    directory = tmp_path / "migrations"
    write(directory, 1, "load", "INSERT INTO t VALUES (-1);\nINSERT INTO t VALUES (-2);\n"
                                f"INSERT INTO t (n) {SLOW_ROWS};\nCREATE TABLE after_load (id int);\n")
    process = upgrade_until_slow(server, server.url(database, proxy.port), directory, "the INSERT to run")
    proxy.cut(proxy.count() - 1)
    stdout, stderr = process.communicate(timeout=60)
    message = one_line_error(subprocess.CompletedProcess([], process.returncode, stdout, stderr))
    [row] = tracking(server, database)
    done = row[2]
    assert row[1] == "failed" and row[4] is None and done in (0, 3), row
    assert server.query("SELECT COUNT(*) FROM t", database) == [({0: 0, 3: 152}[done],)], message
    assert sqlgen(server.url(database), directory, "upgrade").returncode == 0
    assert server.query("SELECT COUNT(*), COUNT(DISTINCT n) FROM t", database) == [(152, 152)]


def test_file_session_cut_during_ddl_names_the_statement_in_doubt(server, database, proxy, tmp_path):
    """A DDL statement commits on its own: once its connection is lost, nobody knows whether it took
    effect. sqlgen says so everywhere, refuses a plain rerun, and the advised command completes."""
    directory = tmp_path / "migrations"
    write(directory, 1, "tables", f"CREATE TABLE a (id int);\nCREATE TABLE slow AS {SLOW_ROWS};\n"
                                  "CREATE TABLE c (id int);\n")
    process = upgrade_until_slow(server, server.url(database, proxy.port), directory,
                                 "the CREATE TABLE ... SELECT to run")
    proxy.cut(proxy.count() - 1)
    stdout, stderr = process.communicate(timeout=60)
    message = one_line_error(subprocess.CompletedProcess([], process.returncode, stdout, stderr))
    assert "while statement 2 ran" in message and "whether it took effect is unknown" in message, message
    assert "--resume-after 2" in message and "--resume-at 2" in message
    url = server.url(database)
    assert tracking(server, database)[0][1:5] == ("failed", 1, 3, 2)
    assert any("stopped at statement 2, which may or may not have taken effect (1 of 3 statements done)" in line
               for line in status_lines(url, directory))
    refused = one_line_error(sqlgen(url, directory, "upgrade"))
    assert "whether that statement took effect is unknown" in refused and "--resume-after 2" in refused
    # The DBA looks, and tells sqlgen what happened.
    made = bool(server.query("SHOW TABLES LIKE 'slow'", database))
    result = sqlgen(url, directory, "upgrade", "--resume-after" if made else "--resume-at", "2")
    assert result.returncode == 0, result.stderr
    assert sorted(row[0] for row in server.query("SHOW TABLES", database)) == ["a", "c", "slow", "sqlgen_version"]
    assert server.query("SELECT COUNT(*) FROM slow", database) == [(150,)]
    assert status_lines(url, directory)[-1] == "status:    up to date"


def test_read_timeout_loses_the_connection_not_the_truth(scratch_db, tmp_path):
    """`?read_timeout=1` drops the session while the server goes on: the same as a cut."""
    from support import execute, url_text

    execute(scratch_db, "CREATE TABLE t (n int NOT NULL) ENGINE=InnoDB")
    directory = tmp_path / "migrations"
    write(directory, 1, "load", f"CREATE TABLE marker (id int);\nINSERT INTO t (n) {SLOW_ROWS};\n")
    write(directory, 2, "more", f"INSERT INTO t (n) {SLOW_ROWS};\nCREATE TABLE more (id int);\n")
    url = url_text(scratch_db)
    # The last statement of 0001 and the end record after it run on the server all the same.
    result = sqlgen(url + "?read_timeout=1", directory, "upgrade")
    assert "the connection was lost at statement 2 of 0001_load.up.sql" in result.stdout
    assert "but the server finished the file and recorded it" in result.stdout
    message = one_line_error(result)
    assert "0002_more.up.sql: the connection was lost at statement 1" in message, message
    assert "statement 1 stayed applied" in message and "resume from statement 2" in message
    assert execute(scratch_db, "SELECT COUNT(*) FROM t")[0] == [(300,)]
    assert sqlgen(url, directory, "upgrade").returncode == 0
    assert execute(scratch_db, "SELECT COUNT(*) FROM t")[0] == [(300,)]
    assert execute(scratch_db, "SHOW TABLES LIKE 'more'")[0] == [("more",)]


def test_a_lost_transactional_file_waits_for_the_server_before_saying_nothing_stayed(scratch_db, tmp_path):
    from support import execute, url_text

    execute(scratch_db, "CREATE TABLE t (n int NOT NULL) ENGINE=InnoDB")
    directory = tmp_path / "migrations"
    write(directory, 1, "load", f"INSERT INTO t VALUES (-1);\nINSERT INTO t (n) {SLOW_ROWS};\n")
    url = url_text(scratch_db)
    message = one_line_error(sqlgen(url + "?read_timeout=1", directory, "upgrade"))
    assert "none of it stayed applied" in message, message
    assert execute(scratch_db, "SELECT COUNT(*) FROM t")[0] == [(0,)]  # true when said: the server had ended it
    assert sqlgen(url, directory, "upgrade").returncode == 0
    assert execute(scratch_db, "SELECT COUNT(*) FROM t")[0] == [(151,)]


# --- 3. kill -9 of sqlgen: the statement in flight is seen, and never started twice -------------

def test_killed_sqlgen_while_dml_runs(server, database, tmp_path):
    server.query("CREATE TABLE t (n int NOT NULL) ENGINE=InnoDB", database)
    directory = tmp_path / "migrations"
    write(directory, 1, "load", f"CREATE TABLE marker (id int);\nINSERT INTO t (n) {SLOW_ROWS};\n"
                                "CREATE TABLE after_load (id int);\n")
    url = server.url(database)
    kill_upgrade_during_slow(server, url, directory, "the INSERT to run")
    [(connection, _)] = running(server, "SLEEP(0.02)")
    lines = status_lines(url, directory)
    assert any(f"still running on the server: connection {connection}" in line for line in lines), lines
    refused = one_line_error(sqlgen(url, directory, "upgrade"))
    assert "is still running on the server" in refused and f"KILL {connection}" in refused, refused
    wait_for(lambda: not running(server, "SLEEP(0.02)"), what="the orphaned INSERT to end")
    # The server went on with the packet: the INSERT and the record after it commit together.
    [row] = tracking(server, database)
    done = row[2]
    assert row[1] == "running" and row[4] is None and done in (1, 2), row
    assert server.query("SELECT COUNT(*) FROM t", database) == [({1: 0, 2: 150}[done],)]
    lines = status_lines(url, directory)
    assert any(f"interrupted, resumes at statement {done + 1} ({done} of 3 statements done)" in line
               for line in lines), lines
    result = sqlgen(url, directory, "upgrade")
    assert result.returncode == 0, result.stderr
    assert f"resuming 0001_load at statement {done + 1} of 3" in result.stdout
    assert server.query("SELECT COUNT(*) FROM t", database) == [(150,)]
    assert status_lines(url, directory)[-1] == "status:    up to date"


def test_killed_sqlgen_while_ddl_runs(server, database, tmp_path):
    directory = tmp_path / "migrations"
    write(directory, 1, "tables", f"CREATE TABLE a (id int);\nCREATE TABLE slow AS {SLOW_ROWS};\n"
                                  "CREATE TABLE c (id int);\n")
    url = server.url(database)
    kill_upgrade_during_slow(server, url, directory, "the CREATE TABLE ... SELECT to run")
    assert any("still running on the server" in line for line in status_lines(url, directory))
    wait_for(lambda: not running(server, "SLEEP(0.02)"), what="the orphaned statement to end")
    lines = status_lines(url, directory)
    assert any("stopped at statement 2, which may or may not have taken effect" in line for line in lines), lines
    refused = one_line_error(sqlgen(url, directory, "upgrade"))
    assert "--resume-after 2" in refused
    made = bool(server.query("SHOW TABLES LIKE 'slow'", database))
    result = sqlgen(url, directory, "upgrade", "--resume-after" if made else "--resume-at", "2")
    assert result.returncode == 0, result.stderr
    assert server.query("SELECT COUNT(*) FROM slow", database) == [(150,)]
    assert status_lines(url, directory)[-1] == "status:    up to date"


# --- A killed server --------------------------------------------------------------------------

def test_killed_server_mid_file_then_restart(server, database, tmp_path):
    """kill -9 of mariadbd while a file of many DML statements runs: after the restart the row
    says exactly what committed (the records commit with the rows), and a plain upgrade finishes."""
    server.query("CREATE TABLE t (n int NOT NULL) ENGINE=InnoDB", database)
    directory = tmp_path / "migrations"
    body = "CREATE TABLE marker (id int);\n" + "".join(
        f"INSERT INTO t (n) SELECT seq + {1000 * k} FROM seq_1_to_20 WHERE SLEEP(0.005) = 0;\n" for k in range(40))
    write(directory, 1, "load", body)
    url = server.url(database)
    process = start_sqlgen(url, directory, "upgrade")
    wait_for(lambda: server.query("SELECT statements_applied FROM sqlgen_version", database)[0][0] > 2
             if server.query(f"SHOW TABLES FROM `{database}` LIKE 'sqlgen_version'") and
             server.query("SELECT COUNT(*) FROM sqlgen_version", database)[0][0] else False,
             what="a batch to commit")
    time.sleep(0.3)
    server.kill()
    stdout, stderr = process.communicate(timeout=60)
    one_line_error(subprocess.CompletedProcess([], process.returncode, stdout, stderr))
    server.start()
    [row] = tracking(server, database)
    done = row[2]
    assert row[1] == "running" and row[4] is None, row
    assert server.query("SELECT COUNT(*) FROM t", database) == [(20 * (done - 1),)]
    lines = status_lines(url, directory)
    assert any(f"interrupted, resumes at statement {done + 1}" in line for line in lines), lines
    result = sqlgen(url, directory, "upgrade")
    assert result.returncode == 0, result.stderr
    assert server.query("SELECT COUNT(*), COUNT(DISTINCT n) FROM t", database) == [(800, 800)]
    assert status_lines(url, directory)[-1] == "status:    up to date"


# --- 6. The tracking session cut ----------------------------------------------------------------

def test_tracking_session_cut_names_the_file_and_stops(server, database, proxy, tmp_path):
    server.query("CREATE TABLE t (n int NOT NULL) ENGINE=InnoDB", database)
    directory = tmp_path / "migrations"
    write(directory, 1, "load", f"CREATE TABLE marker (id int);\nINSERT INTO t (n) {SLOW_ROWS};\n")
    write(directory, 2, "next", "CREATE TABLE second (id int);\n")
    process = upgrade_until_slow(server, server.url(database, proxy.port), directory, "the INSERT to run")
    proxy.cut(0)  # the runner's own session, which holds the lock
    stdout, stderr = process.communicate(timeout=60)
    message = one_line_error(subprocess.CompletedProcess([], process.returncode, stdout, stderr))
    assert "0002_next.up.sql" in message and "no longer holds the migration lock" in message, message
    url = server.url(database)
    assert [row[1] for row in tracking(server, database)] == ["applied"]
    assert server.query("SELECT COUNT(*) FROM t", database) == [(150,)]
    assert "pending:   1 (0002_next)" in status_lines(url, directory)
    assert sqlgen(url, directory, "upgrade").returncode == 0
    assert server.query("SELECT COUNT(*) FROM t", database) == [(150,)]


# --- 8. A failure caused by the data is retried once the data is fixed ------------------------------

def test_down_file_failing_on_data_is_retried_unchanged_after_the_fix(scratch_db, tmp_path):
    from support import execute, url_text

    directory = tmp_path / "migrations"
    write(directory, 1, "t", "CREATE TABLE t (id int PRIMARY KEY, code varchar(3));\n", "DROP TABLE t;\n")
    write(directory, 2, "widen", "SET NAMES utf8mb4;\nALTER TABLE t MODIFY code varchar(20);\n",
          "SET NAMES utf8mb4;\nALTER TABLE t MODIFY code varchar(3);\n")
    url = url_text(scratch_db)
    assert sqlgen(url, directory, "upgrade").returncode == 0
    execute(scratch_db, "INSERT INTO t VALUES (1, 'abc'), (2, 'toolong')")
    message = one_line_error(sqlgen(url, directory, "downgrade", "1"))
    assert "statement 2 of 2: error 1265" in message, message
    assert "statement 1 only set the session, so nothing of it stayed applied" in message
    assert "DDL at once" not in message
    lines = status_lines(url, directory)
    assert "current:   at version 2 (0002_widen)" in lines, lines
    execute(scratch_db, "UPDATE t SET code = 'too' WHERE id = 2")
    result = sqlgen(url, directory, "downgrade", "1")
    assert result.returncode == 0, result.stderr
    assert "current:   at version 1 (0001_t)" in status_lines(url, directory)
    assert execute(scratch_db, "SELECT code FROM t ORDER BY id")[0] == [("abc",), ("too",)]


# --- 4. A file run by hand, its client killed ------------------------------------------------------

def test_killed_client_by_hand_is_told_truthfully_and_finished_with_resume_after(scratch_db, mariadb_client,
                                                                                  tmp_path):
    """The client records nothing between statements: status says any statement may have run, and
    after a look, --resume-after K runs the rest, once."""
    from support import execute, url_text

    directory = tmp_path / "migrations"
    up = write(directory, 1, "tables", f"CREATE TABLE a (id int);\nCREATE TABLE slow AS {SLOW_ROWS};\n"
                                       "CREATE TABLE c (id int);\n", "DROP TABLE c;\nDROP TABLE slow;\nDROP TABLE a;\n")
    url = url_text(scratch_db)
    assert sqlgen(url, directory, "rehash").returncode == 0  # the file's tracking blocks, as generate writes them
    with open(up, "rb") as handle:
        client = subprocess.Popen([mariadb_client, "--host=127.0.0.1", f"--port={scratch_db.port or 3306}",
                                   "--user=root", scratch_db.database], stdin=handle,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE)

    def slow_running() -> bool:
        return bool(execute(scratch_db, "SELECT ID FROM information_schema.PROCESSLIST WHERE INFO LIKE "
                                        "'%%SLEEP(0.02)%%' AND INFO NOT LIKE '%%PROCESSLIST%%'")[0])

    wait_for(slow_running, what="the client to reach the slow statement")
    client.kill()
    client.wait(30)
    # The client is gone, its statement is not: a session of the same user runs in the database.
    lines = status_lines(url, directory)
    assert any("a session of the same user is running a statement in this database" in line for line in lines), lines
    refused = one_line_error(sqlgen(url, directory, "upgrade", "--resume-after", "2"))
    assert "if it is the client running the file, wait for it to end, or stop it with KILL" in refused, refused
    wait_for(lambda: not slow_running(), what="the orphaned statement to end")
    lines = status_lines(url, directory)
    assert any("started by hand, not finished (any of its 3 statements may have run)" in line for line in lines), lines
    refused = one_line_error(sqlgen(url, directory, "upgrade"))
    assert "run by hand" in refused and "--resume-after K" in refused, refused
    assert sorted(row[0] for row in execute(scratch_db, "SHOW TABLES")[0]) == ["a", "slow", "sqlgen_version"]
    result = sqlgen(url, directory, "upgrade", "--resume-after", "2")
    assert result.returncode == 0, result.stderr
    assert sorted(row[0] for row in execute(scratch_db, "SHOW TABLES")[0]) == ["a", "c", "slow", "sqlgen_version"]
    assert execute(scratch_db, "SELECT COUNT(*) FROM slow")[0] == [(150,)]
    assert status_lines(url, directory)[-1] == "status:    up to date"



# --- Found by a second fault campaign ----------------------------------------------------------------

def test_a_killed_run_seen_only_as_it_ends_is_never_resumed_from_the_old_row(server, database, tmp_path,
                                                                           monkeypatch):
    """The server ends the orphaned statement (committing its count) after the next run has read
    the row and while it reads the files: the sessions are asked before the row is read, so the
    orphan counts as running, and nothing runs twice."""
    from sqlgen import commands, migrations
    from support import Output, make_config

    server.query("CREATE TABLE t (n int NOT NULL) ENGINE=InnoDB", database)
    directory = tmp_path / "migrations"
    write(directory, 1, "load", f"CREATE TABLE m (id int);\nINSERT INTO t (n) {SLOW_ROWS};\n"
                                "CREATE TABLE after_load (id int);\n")
    url = server.url(database)
    kill_upgrade_during_slow(server, url, directory, "the INSERT to run")
    reading = migrations.facts

    def read_slowly(*args, **kwargs):  # the orphan ends while the files are read
        wait_for(lambda: not running(server, "SLEEP(0.02)"), what="the orphaned INSERT to end")
        return reading(*args, **kwargs)

    monkeypatch.setattr(migrations, "facts", read_slowly)
    config = make_config(url, None, directory)
    with pytest.raises(Exception, match="is still running on the server"):
        commands.upgrade(config, echo=Output())
    monkeypatch.setattr(migrations, "facts", reading)
    commands.upgrade(config, echo=Output())
    assert server.query("SELECT COUNT(*), COUNT(DISTINCT n) FROM t", database) == [(150, 150)]


def test_a_fault_inside_the_files_own_transaction_resumes_at_its_start(scratch_db, tmp_path):
    """Statements inside the file's START TRANSACTION roll back with it when the session dies: they
    are not in doubt, and the run resumes at the START TRANSACTION, losing nothing."""
    from support import execute, url_text

    execute(scratch_db, "CREATE TABLE t (n int NOT NULL) ENGINE=InnoDB")
    directory = tmp_path / "migrations"
    write(directory, 1, "trx", f"CREATE TABLE a (id int);\nSTART TRANSACTION;\nINSERT INTO t VALUES (-1);\n"
                               f"INSERT INTO t (n) {SLOW_ROWS};\nCOMMIT;\nCREATE TABLE b (id int);\n")
    url = url_text(scratch_db)
    message = one_line_error(sqlgen(url + "?read_timeout=1", directory, "upgrade"))
    assert "the connection was lost at statement 4" in message and "resume from statement 2" in message, message
    assert execute(scratch_db, "SELECT COUNT(*) FROM t")[0] == [(0,)]
    assert sqlgen(url, directory, "upgrade").returncode == 0
    assert execute(scratch_db, "SELECT COUNT(*), SUM(n < 0) FROM t")[0] == [(151, 1)]


@pytest.mark.parametrize("first, why", [
    ("SELECT MAX(n) INTO @m FROM t", "sets a user variable from a query"),
    ("SELECT @m := MAX(n) FROM t", "sets a user variable from a query"),
    ("CREATE TEMPORARY TABLE tmp AS SELECT n FROM t", "makes a temporary table"),
])
def test_a_resume_after_session_state_a_new_session_cannot_get_back_is_refused(scratch_db, tmp_path, first, why):
    from support import execute, url_text

    execute(scratch_db, "CREATE TABLE t (n int NOT NULL) ENGINE=InnoDB", "INSERT INTO t VALUES (41)")
    directory = tmp_path / "migrations"
    write(directory, 1, "a", f"{first};\nCREATE TABLE slow AS {SLOW_ROWS};\nINSERT INTO t VALUES (42);\n")
    url = url_text(scratch_db)
    one_line_error(sqlgen(url + "?read_timeout=1", directory, "upgrade"))
    refused = one_line_error(sqlgen(url, directory, "upgrade", "--resume-after", "2"))
    assert why in refused and "does not resume this file" in refused, refused
    assert execute(scratch_db, "SELECT COUNT(*) FROM t")[0] == [(1,)]


def test_a_file_holding_a_global_read_lock_stops_the_run_instead_of_hanging_it(server, database, tmp_path,
                                                                               monkeypatch):
    """FLUSH TABLES WITH READ LOCK in a file blocks the tracking session's own writes: they wait a
    bounded time, then the run stops, naming the file, and its session and lock are gone."""
    from sqlgen import commands
    from sqlgen.mysql import runner
    from support import Output, make_config

    monkeypatch.setattr(runner, "TRACKING_LOCK_WAIT", 2)
    directory = tmp_path / "migrations"
    write(directory, 1, "a", "CREATE TABLE a (id int);\nFLUSH TABLES WITH READ LOCK;\nDO SLEEP(0.1);\n"
                             "UNLOCK TABLES;\nCREATE TABLE b (id int);\n")
    config = make_config(server.url(database), None, directory)
    started = time.monotonic()
    with pytest.raises(Exception, match="could not record its progress before statement 3.*FLUSH TABLES WITH READ"):
        commands.upgrade(config, echo=Output())
    assert time.monotonic() - started < 30
    server.query("CREATE TABLE probe (id int)", database)  # writes work again: the lock went with the session
