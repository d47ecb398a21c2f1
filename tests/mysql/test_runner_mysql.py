"""The runner against MariaDB, and the same files run by hand with the real client."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from sqlgen import commands
from sqlgen.errors import SqlgenError
from support import Output, execute, make_config, snapshot, url_text

pytestmark = pytest.mark.mysql
SQL = Path(__file__).parent / "sql"


def write(directory: Path, version: int, slug: str, up: str, down: str = "") -> tuple[Path, Path]:
    directory.mkdir(parents=True, exist_ok=True)
    up_path = directory / f"{version:04d}_{slug}.up.sql"
    down_path = directory / f"{version:04d}_{slug}.down.sql"
    up_path.write_text(textwrap.dedent(up).lstrip())
    down_path.write_text(textwrap.dedent(down).lstrip())
    return up_path, down_path


def tables(url) -> list[str]:
    return sorted(row[0] for row in execute(url, "SHOW TABLES")[0] if row[0] != "sqlgen_version")


def tracking_rows(url) -> list[tuple]:
    return execute(url, "SELECT version, name, checksum, state, statements_applied, statements_total, "
                        "progress_checksum, error FROM sqlgen_version ORDER BY version")[0]


def run(config, function, *args, **kwargs) -> Output:
    out = Output()
    result = function(config, *args, echo=out, **kwargs)
    out.result = result
    return out


@pytest.fixture
def four(tmp_path, scratch_db):
    """Four migrations creating t1..t4, each dropped by its down file."""
    directory = tmp_path / "migrations"
    for n in range(1, 5):
        write(directory, n, f"create_t{n}", f"CREATE TABLE t{n} (id int PRIMARY KEY);\n", f"DROP TABLE t{n};\n")
    return make_config(scratch_db, None, directory)


def current_version(config) -> str:
    return run(config, commands.current).lines[0]


def test_every_target_form_in_order(four, scratch_db):
    config = four
    assert current_version(config) == "0 (no migration applied)"
    assert run(config, commands.upgrade, "1").lines[0].startswith("applied 0001_create_t1 (1 statement")
    assert tables(scratch_db) == ["t1"]
    out = run(config, commands.upgrade, "+2")
    assert [line.split()[1] for line in out.lines[:2]] == ["0002_create_t2", "0003_create_t3"]
    assert current_version(config) == "3 0003_create_t3"
    run(config, commands.upgrade)  # head
    assert tables(scratch_db) == ["t1", "t2", "t3", "t4"]
    assert run(config, commands.upgrade).lines == ["Nothing to apply: at version 4 (0004_create_t4)"]
    run(config, commands.downgrade, "-1")
    assert current_version(config) == "3 0003_create_t3"
    out = run(config, commands.downgrade, "1")
    assert [line.split()[1] for line in out.lines[:2]] == ["0003_create_t3", "0002_create_t2"]
    assert tables(scratch_db) == ["t1"]
    run(config, commands.upgrade, "head")
    run(config, commands.downgrade, "base")
    assert tables(scratch_db) == [] and current_version(config) == "0 (no migration applied)"
    run(config, commands.upgrade, "2")
    run(config, commands.downgrade, "0")
    assert tracking_rows(scratch_db) == []


@pytest.mark.parametrize(
    "function, target, message",
    [
        (commands.upgrade, "9", "there is no version 9; the last one is 4"),
        (commands.upgrade, "1", "version 1 is below the current version 2; use sqlgen downgrade 1"),
        (commands.downgrade, "3", "version 3 is above the current version 2; use sqlgen upgrade 3"),
        (commands.upgrade, "next", "cannot read the target 'next'"),
    ],
)
def test_bad_targets(four, function, target, message):
    run(four, commands.upgrade, "2")
    with pytest.raises(SqlgenError, match=message):
        run(four, function, target)


def trap_migrations(directory: Path) -> None:
    write(directory, 1, "traps", (SQL / "traps.up.sql").read_text(), "DROP TABLE trap;\n")
    write(directory, 2, "routines", (SQL / "routines.up.sql").read_text(), (SQL / "routines.down.sql").read_text())


def routines(url) -> list[tuple]:
    return execute(
        url,
        "SELECT ROUTINE_NAME, ROUTINE_TYPE, ROUTINE_DEFINITION FROM information_schema.ROUTINES "
        "WHERE ROUTINE_SCHEMA = DATABASE() ORDER BY 1",
        "SELECT TRIGGER_NAME, ACTION_STATEMENT FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = DATABASE()",
    )


def test_trap_files_leave_the_same_data_by_runner_and_by_hand(scratch, run_client, tmp_path):
    """Quotes, comments, versioned comments and DELIMITER blocks split exactly like the client."""
    directory = tmp_path / "migrations"
    trap_migrations(directory)
    by_runner, by_hand = scratch.new(), scratch.new()
    config = make_config(by_runner, None, directory)
    run(config, commands.upgrade)
    for path in sorted(directory.glob("*.up.sql")):
        run_client(by_hand, path)
    runner_rows = execute(by_runner, "SELECT id, s FROM trap ORDER BY id")[0]
    assert runner_rows == execute(by_hand, "SELECT id, s FROM trap ORDER BY id")[0]
    assert len(runner_rows) >= 20
    assert routines(by_runner) == routines(by_hand)
    assert len(routines(by_runner)[0]) == 2 and routines(by_runner)[1]
    # The trigger defined between DELIMITER lines fires.
    assert execute(by_runner, "SELECT s FROM trap WHERE id = 1000")[0] == [("set by trigger; really",)]
    # The runner ran the plain files and recorded each once.
    assert [row[:2] for row in tracking_rows(by_runner)] == [(1, "0001_traps"), (2, "0002_routines")]
    run(config, commands.downgrade, "base")
    assert tables(by_runner) == [] and routines(by_runner)[0] == []


def tracked_pair(directory: Path, config) -> None:
    """Two migrations that fail if run twice, with tracking blocks like generated files."""
    write(directory, 1, "users", "CREATE TABLE users (id int PRIMARY KEY);\nINSERT INTO users VALUES (1);\n",
          "DROP TABLE users;\n")
    write(directory, 2, "posts", "CREATE TABLE posts (id int PRIMARY KEY, user_id int);\n", "DROP TABLE posts;\n")
    run(config, commands.rehash)


def comparable(rows: list[tuple]) -> list[tuple]:
    return [row[:6] for row in rows]


def test_up_by_hand_then_runner(scratch_db, run_client, tmp_path):
    directory = tmp_path / "migrations"
    config = make_config(scratch_db, None, directory)
    tracked_pair(directory, config)
    run_client(scratch_db, directory / "0001_users.up.sql")
    assert current_version(config) == "1 0001_users"
    out = run(config, commands.upgrade)
    assert [line.split()[1] for line in out.lines if line.startswith("applied")] == ["0002_posts"]
    assert [row[3] for row in tracking_rows(scratch_db)] == ["applied", "applied"]


def test_by_hand_and_runner_leave_the_same_rows(scratch, run_client, tmp_path):
    directory = tmp_path / "migrations"
    by_runner, by_hand = scratch.new(), scratch.new()
    config = make_config(by_runner, None, directory)
    tracked_pair(directory, config)
    run(config, commands.upgrade)
    for path in sorted(directory.glob("*.up.sql")):
        run_client(by_hand, path)
    assert comparable(tracking_rows(by_hand)) == comparable(tracking_rows(by_runner))
    assert snapshot(by_hand) == snapshot(by_runner)
    # The runner adds two columns of its own to the table (a file run by hand makes it without
    # them); once a file is done they hold nothing, so the rows are the same.
    runner_only = {"connection_id", "in_doubt"}
    assert ([column for column in snapshot(by_hand, exclude=())["columns"]] ==
            [column for column in snapshot(by_runner, exclude=())["columns"] if column[1] not in runner_only])
    assert execute(by_runner, "SELECT connection_id, in_doubt FROM sqlgen_version")[0] == [(None, None)] * 2


def test_runner_then_down_by_hand(scratch_db, run_client, tmp_path):
    directory = tmp_path / "migrations"
    config = make_config(scratch_db, None, directory)
    tracked_pair(directory, config)
    run(config, commands.upgrade)
    run_client(scratch_db, directory / "0002_posts.down.sql")
    assert current_version(config) == "1 0001_users"
    assert tables(scratch_db) == ["users"]
    assert run(config, commands.upgrade).lines[0].startswith("applied 0002_posts")


def test_sql_output_run_by_hand_equals_upgrade(scratch, run_client, tmp_path):
    directory = tmp_path / "migrations"
    trap_migrations(directory)
    by_runner, by_hand = scratch.new(), scratch.new()
    run(make_config(by_runner, None, directory), commands.upgrade)
    script = tmp_path / "upgrade.sql"
    script.write_text("\n".join(run(make_config(by_hand, None, directory), commands.sql, offline=True).lines) + "\n")
    run_client(by_hand, script)
    assert comparable(tracking_rows(by_hand)) == comparable(tracking_rows(by_runner))
    assert snapshot(by_hand) == snapshot(by_runner)
    assert routines(by_hand) == routines(by_runner)
    down = tmp_path / "down.sql"
    config = make_config(by_hand, None, directory)
    down.write_text("\n".join(run(config, commands.sql, "0").lines) + "\n")  # from current (2) down to 0
    run_client(by_hand, down)
    assert tables(by_hand) == [] and tracking_rows(by_hand) == []


def test_failure_part_way_then_resume_after_the_fix(scratch_db, tmp_path):
    directory = tmp_path / "migrations"
    up, _ = write(directory, 1, "three_steps", """
        CREATE TABLE a (id int PRIMARY KEY);
        -- the next statement names a table that does not exist
        ALTER TABLE missing ADD COLUMN x int;
        CREATE TABLE c (id int PRIMARY KEY);
        """, "DROP TABLE c;\nDROP TABLE a;\n")
    config = make_config(scratch_db, None, directory)
    with pytest.raises(SqlgenError) as failure:
        run(config, commands.upgrade)
    message = str(failure.value)
    assert message.startswith("0001_three_steps.up.sql, line 3, statement 2 of 3: error 1146: Table")
    assert "statement 1 stayed applied" in message and "resume from statement 2" in message
    assert tables(scratch_db) == ["a"]
    [row] = tracking_rows(scratch_db)
    assert row[3:6] == ("failed", 1, 3) and "statement 2 (line 3): error 1146" in row[7]

    # Unchanged file: the failed statement changed nothing, so it is simply tried again (here it
    # fails again); statement 1 never runs twice (CREATE TABLE a would fail).
    with pytest.raises(SqlgenError, match="statement 2 of 3: error 1146.*statement 1 stayed applied.*resume from "
                                          "statement 2"):
        run(config, commands.upgrade)
    assert tables(scratch_db) == ["a"]
    assert run(config, commands.status).result == 1

    # Changing a statement that already ran: refuse.
    up.write_text(up.read_text().replace("CREATE TABLE a (id int PRIMARY KEY)", "CREATE TABLE a (id bigint PRIMARY KEY)"))
    with pytest.raises(SqlgenError, match="statement 1 ran before the failure, but changed in the file"):
        run(config, commands.upgrade)

    # Fixed: resume from statement 2; statement 1 (CREATE TABLE a) must not run again.
    up.write_text(up.read_text().replace("bigint", "int").replace("ALTER TABLE missing", "ALTER TABLE a"))
    out = run(config, commands.upgrade)
    assert out.lines[0] == "resuming 0001_three_steps at statement 2 of 3"
    assert tables(scratch_db) == ["a", "c"]
    [row] = tracking_rows(scratch_db)
    assert row[3:6] == ("applied", 3, 3) and row[7] is None
    assert run(config, commands.verify).result == 0


def test_transactional_file_that_fails_leaves_nothing(scratch_db, tmp_path):
    directory = tmp_path / "migrations"
    write(directory, 1, "table", "CREATE TABLE t (id int PRIMARY KEY);\n", "DROP TABLE t;\n")
    up, _ = write(directory, 2, "rows", """
        INSERT INTO t VALUES (1);
        INSERT INTO t VALUES (2);
        INSERT INTO t VALUES (1);
        """, "DELETE FROM t;\n")
    config = make_config(scratch_db, None, directory)
    with pytest.raises(SqlgenError, match=r"statement 3 of 3: error 1062.*none of it stayed applied"):
        run(config, commands.upgrade)
    assert execute(scratch_db, "SELECT COUNT(*) FROM t")[0] == [(0,)]
    assert tracking_rows(scratch_db)[1][3:5] == ("failed", 0)
    up.write_text(up.read_text().replace("VALUES (1);\n", "VALUES (3);\n", 2).replace("VALUES (3);", "VALUES (1);", 1))
    run(config, commands.upgrade)
    assert sorted(execute(scratch_db, "SELECT id FROM t")[0]) == [(1,), (2,), (3,)]


def test_applied_file_edited_afterwards_is_refused(four, scratch_db):
    config = four
    run(config, commands.upgrade, "2")
    path = config.directory / "0002_create_t2.up.sql"
    path.write_text("-- a comment changes nothing\n" + path.read_text())
    assert run(config, commands.verify).result == 0
    path.write_text(path.read_text().replace("id int", "id bigint"))
    with pytest.raises(SqlgenError, match=r"0002_create_t2.up.sql changed since applied"):
        run(config, commands.upgrade)
    out = run(config, commands.verify)
    assert out.result == 1 and any("0002_create_t2.up.sql" in line for line in out.lines)
    status = run(config, commands.status)
    assert status.result == 1 and "attention: 0002_create_t2 changed since applied" in status.lines
    assert tables(scratch_db) == ["t1", "t2"], "nothing ran"


def test_database_ahead_of_the_files(four, scratch_db):
    config = four
    run(config, commands.upgrade)
    (config.directory / "0004_create_t4.up.sql").unlink()
    (config.directory / "0004_create_t4.down.sql").unlink()
    with pytest.raises(SqlgenError, match=r"the database has version\(s\) 4 \(0004_create_t4\) that are not in"):
        run(config, commands.upgrade)
    assert run(config, commands.verify).result == 1
    status = run(config, commands.status)
    assert status.result == 1 and any("0004_create_t4 applied in the database, missing on disk" in line
                                      for line in status.lines)


def test_interrupted_by_hand_run_is_explained_then_stamped(scratch_db, run_client, tmp_path):
    directory = tmp_path / "migrations"
    config = make_config(scratch_db, None, directory)
    write(directory, 1, "half", "CREATE TABLE h (id int PRIMARY KEY);\nALTER TABLE nope ADD x int;\n", "DROP TABLE h;\n")
    run(config, commands.rehash)
    result = run_client(scratch_db, directory / "0001_half.up.sql", check=False)
    assert result.returncode != 0
    assert tracking_rows(scratch_db)[0][3] == "running"
    with pytest.raises(SqlgenError, match=r"0001_half was started .* did not finish .* sqlgen stamp 1 \(applied\)"):
        run(config, commands.upgrade)
    execute(scratch_db, "DROP TABLE h")
    run(config, commands.stamp, "0")
    assert tracking_rows(scratch_db) == []


def test_stamp_records_without_running(four, scratch_db):
    run(four, commands.stamp, "3")
    assert tables(scratch_db) == []
    assert [row[:5] for row in tracking_rows(scratch_db)][2][3] == "applied"
    history = run(four, commands.history_).lines
    assert "applied (stamped)" in history[3] and history[4].split()[2] == "pending"
    run(four, commands.stamp, "head")
    assert len(tracking_rows(scratch_db)) == 4
    run(four, commands.stamp, "base")
    assert tracking_rows(scratch_db) == []
    with pytest.raises(SqlgenError, match="there is no migration with version 7"):
        run(four, commands.stamp, "7")


def test_current_history_and_status_output(four, scratch_db):
    run(four, commands.upgrade, "2")
    assert current_version(four) == "2 0002_create_t2"
    lines = run(four, commands.history_).lines
    assert lines[0].split() == ["version", "name", "state", "started", "took", "by"]
    assert lines[1].split()[:3] == ["0001", "0001_create_t1", "applied"]
    assert lines[3].split() == ["0003", "0003_create_t3", "pending"]
    status = run(four, commands.status)
    assert status.result == 1
    assert status.lines[1:3] == ["current:   at version 2 (0002_create_t2)",
                                 "pending:   2 (0003_create_t3, 0004_create_t4)"]
    run(four, commands.upgrade)
    status = run(four, commands.status)
    assert status.result == 0 and status.lines[-1] == "status:    up to date"


def cli(*args, cwd: Path, timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "sqlgen", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=timeout, env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)})


def test_two_concurrent_upgrades_take_turns(scratch_db, tmp_path):
    directory = tmp_path / "migrations"
    write(directory, 1, "slow", "CREATE TABLE slow (id int PRIMARY KEY);\nDO SLEEP(2);\n", "DROP TABLE slow;\n")
    args = ["--url", url_text(scratch_db), "--dir", str(directory), "upgrade"]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    processes = [subprocess.Popen([sys.executable, "-m", "sqlgen", *args], cwd=tmp_path, env=env, text=True,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE) for _ in range(2)]
    outputs = [process.communicate(timeout=60) for process in processes]
    assert [process.returncode for process in processes] == [0, 0], outputs
    text = "".join(out + err for out, err in outputs)
    assert text.count("applied 0001_slow") == 1, text
    assert "Nothing to apply: at version 1 (0001_slow)" in text
    assert "waiting up to 60 s for another sqlgen run" in text
    assert len(tracking_rows(scratch_db)) == 1


def test_lock_timeout_gives_a_clear_message(scratch_db, tmp_path):
    import sqlalchemy as sa

    directory = tmp_path / "migrations"
    write(directory, 1, "t", "CREATE TABLE t (id int PRIMARY KEY);\n", "DROP TABLE t;\n")
    holder = sa.create_engine(scratch_db, poolclass=sa.pool.NullPool)
    with holder.connect() as connection:
        name = f"sqlgen:{scratch_db.database}:sqlgen_version"
        assert connection.exec_driver_sql(f"SELECT GET_LOCK('{name}', 1)").scalar() == 1
        result = cli("--url", url_text(scratch_db), "--dir", str(directory), "upgrade", "--lock-timeout", "1",
                     cwd=tmp_path)
    holder.dispose()
    assert result.returncode == 1
    assert "still holds the migration lock on database" in result.stderr
    assert "Traceback" not in result.stderr
    assert tables(scratch_db) == []


@pytest.mark.parametrize(
    "files, message",
    [
        (["0001_a.up.sql", "0001_a.down.sql", "0001_b.up.sql", "0001_b.down.sql"], "version 1 is used twice"),
        (["0001_a.up.sql", "0001_a.down.sql", "0003_c.up.sql", "0003_c.down.sql"],
         "0003_c.up.sql: version 3 follows 1; version 2 is missing (restore"),
        (["0001_a.up.sql", "0001_a.down.sql", "2_b.up.sql"], "2_b.up.sql: cannot read the version"),
        (["0001_a.up.sql"], "0001_a.up.sql: has no matching .down.sql"),
    ],
)
def test_broken_directory_is_one_line_naming_the_file(scratch_db, tmp_path, files, message):
    directory = tmp_path / "migrations"
    directory.mkdir()
    for name in files:
        (directory / name).write_text("SELECT 1;\n")
    result = cli("--url", url_text(scratch_db), "--dir", str(directory), "upgrade", cwd=tmp_path)
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: ") and message in lines[0], result.stderr


def test_down_failure_then_resume(scratch_db, tmp_path):
    directory = tmp_path / "migrations"
    _, down = write(directory, 1, "two_tables", "CREATE TABLE a (id int PRIMARY KEY);\nCREATE TABLE b (id int PRIMARY KEY);\n",
                    "DROP TABLE b;\nDROP TABLE missing;\nDROP TABLE a;\n")
    config = make_config(scratch_db, None, directory)
    run(config, commands.upgrade)
    with pytest.raises(SqlgenError, match=r"0001_two_tables.down.sql, line 2, statement 2 of 3: error 1051"):
        run(config, commands.downgrade, "base")
    [row] = tracking_rows(scratch_db)
    assert row[3:5] == ("revert_failed", 1)
    assert tables(scratch_db) == ["a"]
    # Tried again unchanged: it fails again, and DROP TABLE b does not run twice.
    with pytest.raises(SqlgenError, match=r"statement 2 of 3: error 1051.*statement 1 stayed applied"):
        run(config, commands.downgrade, "base")
    assert "current:   at version 1 (0001_two_tables)" in run(config, commands.status).lines
    with pytest.raises(SqlgenError, match="the down file of 0001_two_tables failed at statement 2"):
        run(config, commands.upgrade)
    down.write_text(down.read_text().replace("DROP TABLE missing;\n", "DROP TABLE IF EXISTS missing;\n"))
    out = run(config, commands.downgrade, "base")
    assert out.lines[0] == "resuming the down file of 0001_two_tables at statement 2 of 3"
    assert tables(scratch_db) == [] and tracking_rows(scratch_db) == []


def test_warnings_from_the_server_are_shown(scratch_db, tmp_path):
    directory = tmp_path / "migrations"
    write(directory, 1, "warn", "CREATE TABLE IF NOT EXISTS w (id int PRIMARY KEY);\nCREATE TABLE IF NOT EXISTS w (id int);\n",
          "DROP TABLE w;\n")
    out = run(make_config(scratch_db, None, directory), commands.upgrade)
    assert "note: 0001_warn.up.sql, line 2, statement 2: 1050 Table 'w' already exists" in out.lines


def test_status_flags_a_pending_file_edited_after_generate(scratch_db, tmp_path):
    directory = tmp_path / "migrations"
    config = make_config(scratch_db, None, directory)
    up, _ = write(directory, 1, "t", "CREATE TABLE t (id int PRIMARY KEY);\n", "DROP TABLE t;\n")
    run(config, commands.rehash)
    assert not any("edited after" in line for line in run(config, commands.status).lines)
    up.write_text(up.read_text().replace("id int", "id bigint"))
    status = run(config, commands.status)
    assert "attention: 0001_t.up.sql was edited after it was generated; run sqlgen rehash 1" in status.lines[3]
    run(config, commands.rehash, ("1",))
    assert not any("edited after" in line for line in run(config, commands.status).lines)


def test_resume_never_runs_a_statement_twice_even_if_the_file_became_dml_only(scratch_db, tmp_path):
    directory = tmp_path / "migrations"
    write(directory, 1, "table", "CREATE TABLE t (id int AUTO_INCREMENT PRIMARY KEY, v int);\n", "DROP TABLE t;\n")
    up, _ = write(directory, 2, "rows", "INSERT INTO t (v) VALUES (10);\nUPDATE t SET v = v + 1;\n"
                                        "ALTER TABLE t ADD INDEX (nope);\n", "DELETE FROM t;\n")
    config = make_config(scratch_db, None, directory)
    with pytest.raises(SqlgenError, match="statement 3 of 3"):
        run(config, commands.upgrade)
    up.write_text("INSERT INTO t (v) VALUES (10);\nUPDATE t SET v = v + 1;\n")
    assert run(config, commands.upgrade).lines[0] == "resuming 0002_rows at statement 3 of 2"
    assert execute(scratch_db, "SELECT id, v FROM t")[0] == [(1, 11)]


def test_each_file_runs_in_its_own_session(scratch, tmp_path):
    db, other = scratch.new(), scratch.new()
    directory = tmp_path / "migrations"
    write(directory, 1, "elsewhere", f"CREATE TABLE t (a int);\nUSE `{other.database}`;\nCREATE TABLE o (a int);\n"
                                     "SET foreign_key_checks = 0;\n", "DROP TABLE t;\n")
    write(directory, 2, "here", "CREATE TABLE t2 (a int);\nSELECT @@foreign_key_checks INTO @checks;\n",
          "DROP TABLE t2;\n")
    run(make_config(db, None, directory), commands.upgrade)
    assert tables(db) == ["t", "t2"] and tables(other) == ["o"]
    assert [row[:4:3] for row in tracking_rows(db)] == [(1, "applied"), (2, "applied")]


def test_a_transaction_left_open_is_rolled_back_and_reported(scratch_db, tmp_path):
    directory = tmp_path / "migrations"
    write(directory, 1, "table", "CREATE TABLE t (id int PRIMARY KEY) ENGINE=InnoDB;\n", "DROP TABLE t;\n")
    write(directory, 2, "open", "SET autocommit = 0;\nINSERT INTO t VALUES (1);\nINSERT INTO t VALUES (2);\n",
          "DELETE FROM t;\n")
    config = make_config(scratch_db, None, directory)
    with pytest.raises(SqlgenError, match="0002_open.up.sql left a transaction open"):
        run(config, commands.upgrade)
    assert execute(scratch_db, "SELECT COUNT(*) FROM t")[0] == [(0,)]
    assert tracking_rows(scratch_db)[1][3] == "running"


def test_explicit_transactions_and_lock_tables_in_a_file(scratch_db, tmp_path):
    directory = tmp_path / "migrations"
    write(directory, 1, "table", "CREATE TABLE t (id int PRIMARY KEY);\n", "DROP TABLE t;\n")
    write(directory, 2, "explicit", "SET TRANSACTION ISOLATION LEVEL SERIALIZABLE;\nSTART TRANSACTION;\n"
                                    "INSERT INTO t VALUES (1);\nCOMMIT;\nLOCK TABLES t WRITE;\n"
                                    "INSERT INTO t VALUES (2);\nUNLOCK TABLES;\n", "DELETE FROM t;\n")
    run(make_config(scratch_db, None, directory), commands.upgrade)
    assert execute(scratch_db, "SELECT id FROM t ORDER BY id")[0] == [(1,), (2,)]
    assert [row[3:6] for row in tracking_rows(scratch_db)][1] == ("applied", 7, 7)


def test_dml_on_a_myisam_table_is_not_promised_a_rollback(scratch_db, tmp_path):
    directory = tmp_path / "migrations"
    write(directory, 1, "table", "CREATE TABLE m (id int PRIMARY KEY) ENGINE=MyISAM;\n", "DROP TABLE m;\n")
    write(directory, 2, "rows", "INSERT INTO m VALUES (1);\nINSERT INTO m VALUES (1);\n", "DELETE FROM m;\n")
    config = make_config(scratch_db, None, directory)
    # MyISAM keeps what a failing statement wrote before the error: it is in doubt, never retried blindly.
    with pytest.raises(SqlgenError, match="statement 2 of 2: error 1062.*may have done part of its work.*"
                                          "statement 1 stayed applied.*--resume-at 2.*--resume-after 2"):
        run(config, commands.upgrade)
    assert execute(scratch_db, "SELECT COUNT(*) FROM m")[0] == [(1,)]
    assert tracking_rows(scratch_db)[1][3:5] == ("failed", 1)
    with pytest.raises(SqlgenError, match="stopped at statement 2 .*whether that statement took effect is unknown"):
        run(config, commands.upgrade)


def test_a_down_file_run_by_hand_for_a_version_not_applied_changes_nothing(scratch_db, run_client, tmp_path):
    directory = tmp_path / "migrations"
    config = make_config(scratch_db, None, directory)
    write(directory, 1, "table", "CREATE TABLE t (id int PRIMARY KEY);\nINSERT INTO t VALUES (1);\n",
          "DROP TABLE t;\n")
    write(directory, 2, "more", "INSERT INTO t VALUES (2);\n", "DELETE FROM t;\n")
    run(config, commands.rehash)
    run(config, commands.upgrade, "1")
    result = run_client(scratch_db, directory / "0002_more.down.sql", check=False)
    assert result.returncode != 0 and b"Subquery returns more than 1 row" in result.stderr
    assert execute(scratch_db, "SELECT id FROM t")[0] == [(1,)]


def test_plus_zero_and_unknown_downgrade_targets(four, scratch_db):
    run(four, commands.upgrade, "1")
    assert run(four, commands.upgrade, "+0").lines == ["Nothing to apply: at version 1 (0001_create_t1)"]
    with pytest.raises(SqlgenError, match="there is no version 7 to return to"):
        run(four, commands.downgrade, "7")


def test_stamp_keeps_the_record_of_migrations_that_really_ran(four, scratch_db):
    run(four, commands.upgrade, "2")
    before = execute(scratch_db, "SELECT version, started_at, execution_ms FROM sqlgen_version")[0]
    run(four, commands.stamp, "3")
    after = execute(scratch_db, "SELECT version, started_at, execution_ms FROM sqlgen_version ORDER BY version")[0]
    assert after[:2] == before and after[2][0] == 3 and after[2][2] is None
    history = run(four, commands.history_).lines
    assert history[1].split()[2] == "applied" and "applied (stamped)" in history[3]


def test_a_temporary_table_of_one_file_never_reaches_the_next(scratch_db, tmp_path):
    """However it is written: the next file's INSERT must reach the real table."""
    write(tmp_path, 1, "temp", "CREATE TABLE audit (id INT PRIMARY KEY);\n"
          "CREATE\n  /* spaced */ TEMPORARY TABLE audit_backup (id INT, note VARCHAR(20));\n"
          "INSERT INTO audit_backup VALUES (1, 'scratch');\n", "DROP TABLE audit;\n")
    write(tmp_path, 2, "real", "CREATE TABLE audit_backup (id INT, note VARCHAR(20));\n"
          "INSERT INTO audit_backup VALUES (42, 'real data');\n", "DROP TABLE audit_backup;\n")
    run(make_config(scratch_db, None, tmp_path), commands.upgrade, "head")
    assert execute(scratch_db, "SELECT id, note FROM audit_backup")[0] == [(42, "real data")]


def test_an_open_transaction_is_caught_even_when_the_last_statement_returns_rows(scratch_db, tmp_path):
    """The server's status in a result set's last packet is not kept by PyMySQL: sqlgen asks."""
    write(tmp_path, 1, "probe", """
        CREATE TABLE probe (v VARCHAR(10));
        DELIMITER //
        CREATE FUNCTION backfill() RETURNS INT MODIFIES SQL DATA BEGIN INSERT INTO probe VALUES ('x'); RETURN 1; END//
        DELIMITER ;
        """, "DROP FUNCTION backfill;\nDROP TABLE probe;\n")
    write(tmp_path, 2, "open", "SET autocommit = 0;\nSELECT backfill();\n", "DELETE FROM probe;\n")
    config = make_config(scratch_db, None, tmp_path)
    with pytest.raises(SqlgenError, match="0002_open.up.sql left a transaction open"):
        commands.upgrade(config, echo=Output())
    assert execute(scratch_db, "SELECT COUNT(*) FROM probe")[0] == [(0,)]
    rows = tracking_rows(scratch_db)
    assert [row[3] for row in rows] == ["applied", "running"]  # what stayed applied is for a person to judge
    assert rows[1][7] == "left a transaction open; it was rolled back"


def test_a_trigger_that_sets_sql_mode_stops_the_run_before_a_statement_read_otherwise(scratch, run_client,
                                                                                         tmp_path):
    """A trigger that runs SET sql_mode leaves the server's NO_BACKSLASH_ESCAPES flag on, and the
    client reads the next statement by it: by hand the string ends early and the DROP runs. The
    runner sees the same flag, stops before that statement, records where, and after the fix
    resumes without running anything twice."""
    setup = ("CREATE TABLE log (id int)", "CREATE TABLE notes (v varchar(20))",
             "CREATE TABLE sentinel (id int)", "INSERT INTO sentinel VALUES (1)",
             "CREATE TRIGGER trg BEFORE INSERT ON log FOR EACH ROW SET @@session.sql_mode = 'NO_BACKSLASH_ESCAPES'")
    runner_db, client_db = scratch.new(), scratch.new()
    for url in (runner_db, client_db):
        execute(url, *setup)
    directory = tmp_path / "migrations"
    up, _ = write(directory, 1, "notes", """
        CREATE TABLE before_it (id int PRIMARY KEY);
        INSERT INTO log VALUES (1);
        INSERT INTO notes SELECT 'a\\' , '#'; DROP TABLE sentinel; -- ';
        """, "DROP TABLE before_it;\n")
    run_client(client_db, up, check=False)
    assert execute(client_db, "SHOW TABLES LIKE 'sentinel'")[0] == [], "by hand the DROP runs"

    config = make_config(runner_db, None, directory)
    with pytest.raises(SqlgenError) as failure:
        run(config, commands.upgrade)
    message = str(failure.value)
    assert message.startswith("0001_notes.up.sql, line 3, statement 3 of 3:") and "\n" not in message
    assert "NO_BACKSLASH_ESCAPES on" in message and "statements 1-2 stayed applied" in message
    assert execute(runner_db, "SELECT id FROM sentinel")[0] == [(1,)]
    assert execute(runner_db, "SELECT count(*) FROM notes")[0] == [(0,)]
    [row] = tracking_rows(runner_db)
    assert row[3:6] == ("failed", 2, 3) and "NO_BACKSLASH_ESCAPES" in row[7]
    status = run(config, commands.status)
    assert status.result == 1 and "failed" in status.text

    up.write_text(up.read_text().replace("'a\\' , '#'; DROP TABLE sentinel; -- '", "'a'' , #'"))
    out = run(config, commands.upgrade)
    assert out.lines[0] == "resuming 0001_notes at statement 3 of 3"
    assert execute(runner_db, "SELECT count(*) FROM log")[0] == [(1,)], "statement 2 ran twice"
    assert execute(runner_db, "SELECT v FROM notes")[0] == [("a' , #",)]
    assert tracking_rows(runner_db)[0][3:6] == ("applied", 3, 3)
    assert run(config, commands.status).result == 0


def test_a_myisam_table_made_by_an_earlier_file_of_the_same_run_is_seen(scratch_db, tmp_path):
    """The engines are asked as each file starts: a transactional file that ran first, then a file
    making a MyISAM table, then DML on it that fails part way. Nothing is promised a rollback the
    engine cannot give, the count is right, and the fixed file resumes without running a row twice."""
    execute(scratch_db, "CREATE TABLE note (id int PRIMARY KEY) ENGINE=InnoDB")
    directory = tmp_path / "migrations"
    write(directory, 1, "note", "INSERT INTO note VALUES (1);\n", "DELETE FROM note WHERE id = 1;\n")
    write(directory, 2, "table", "CREATE TABLE m (id int PRIMARY KEY) ENGINE=MyISAM;\n", "DROP TABLE m;\n")
    _, down = write(directory, 3, "rows", "INSERT INTO m VALUES (1);\nINSERT INTO m VALUES (1);\n", "DELETE FROM m;\n")
    config = make_config(scratch_db, None, directory)
    with pytest.raises(SqlgenError, match="statement 2 of 2: error 1062.*may have done part of its work.*"
                                          "statement 1 stayed applied.*--resume-at 2"):
        run(config, commands.upgrade)
    assert tracking_rows(scratch_db)[2][3:5] == ("failed", 1)
    status = run(config, commands.status)
    assert "current:   at version 2 (0002_table)" in status.lines
    assert any("0003_rows stopped at statement 2, which may or may not have taken effect" in line
               for line in status.lines)
    (directory / "0003_rows.up.sql").write_text("INSERT INTO m VALUES (1);\nINSERT INTO m VALUES (2);\n")
    out = run(config, commands.upgrade, resume=("at", 2))
    assert "resuming 0003_rows at statement 2 of 2" in out.lines
    assert execute(scratch_db, "SELECT id FROM m ORDER BY id")[0] == [(1,), (2,)]
    assert run(config, commands.status).lines[-1] == "status:    up to date"


def test_a_failure_after_statements_that_only_set_the_session_says_nothing_stayed(scratch_db, tmp_path):
    directory = tmp_path / "migrations"
    write(directory, 1, "bad", "SET NAMES utf8mb4;\nSET @note = 'x';\nALTER TABLE missing ADD COLUMN x int;\n")
    config = make_config(scratch_db, None, directory)
    with pytest.raises(SqlgenError) as failure:
        run(config, commands.upgrade)
    message = str(failure.value)
    assert "statement 3 of 3: error 1146" in message
    assert "statements 1-2 only set the session, so nothing of it stayed applied" in message
    assert "stayed applied (MySQL commits DDL at once)" not in message


def _running(url, text: str) -> bool:
    quoted = "'" + text.replace("'", "''") + "'"
    rows = execute(url, f"SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE INFO = {quoted}")[0]
    return rows[0][0] > 0


def test_a_transactional_down_file_killed_mid_run_leaves_its_version_applied(scratch_db, tmp_path):
    """kill -9 of sqlgen while a down file of only DML runs: the server rolls the file back, and the
    tracking row, changed in that same transaction, still says the version is applied. Status tells
    the truth, and the plain downgrade it advises completes the run, running the file once."""
    import time

    execute(scratch_db, "CREATE TABLE log (what varchar(20)) ENGINE=InnoDB")
    directory = tmp_path / "migrations"
    write(directory, 1, "t", "CREATE TABLE t (id int PRIMARY KEY);\n", "DROP TABLE t;\n")
    _, down = write(directory, 2, "rows", "INSERT INTO t VALUES (2);\n",
                    "INSERT INTO log VALUES ('down');\nDELETE FROM t WHERE id = 2;\nSELECT SLEEP(3);\n")
    config = make_config(scratch_db, None, directory)
    run(config, commands.upgrade)
    args = ["--url", url_text(scratch_db), "--dir", str(directory), "downgrade", "1"]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    process = subprocess.Popen([sys.executable, "-m", "sqlgen", *args], cwd=tmp_path, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 30
    while not _running(scratch_db, "SELECT SLEEP(3)"):
        assert process.poll() is None and time.monotonic() < deadline, "the down file never reached its SLEEP"
        time.sleep(0.05)
    process.kill()
    process.wait(timeout=30)
    status = run(config, commands.status)
    assert "current:   at version 2 (0002_rows)" in status.lines, status.lines
    assert not any("reverting" in line or "attention" in line for line in status.lines), status.lines
    assert [row[3] for row in tracking_rows(scratch_db)] == ["applied", "applied"]
    while _running(scratch_db, "SELECT SLEEP(3)"):  # the server ends the orphaned statement, rolling it back
        time.sleep(0.1)
    assert execute(scratch_db, "SELECT COUNT(*) FROM log")[0] == [(0,)]
    out = run(config, commands.downgrade, "1")
    assert any(line.startswith("reverted 0002_rows (3 statements") for line in out.lines), out.lines
    assert execute(scratch_db, "SELECT what FROM log")[0] == [("down",)], "the down file ran exactly once"
    assert execute(scratch_db, "SELECT id FROM t")[0] == []
    assert current_version(config) == "1 0001_t"


# --- A large pending file is read as it runs ---------------------------------------------------

def _large_inserts(first: int, count: int, per_row: str = "x" * 2000) -> str:
    """Statements enough for a file above the size up to which facts keep statements in memory."""
    return "".join(f"INSERT INTO big VALUES ({first + n}, '{per_row}');\n" for n in range(count))


def test_a_large_file_of_dml_runs_once_while_it_is_read(scratch_db, tmp_path):
    from sqlgen import migrations
    from sqlgen.mysql.dialect import READING

    execute(scratch_db, "CREATE TABLE big (id int PRIMARY KEY, body text) ENGINE=InnoDB")
    directory = tmp_path / "migrations"
    up, _ = write(directory, 1, "load", _large_inserts(1, 700), "DELETE FROM big;\n")
    assert up.stat().st_size > migrations.KEPT_BODY_CHARS
    config = make_config(scratch_db, None, directory)
    out = run(config, commands.upgrade)
    assert any(line.startswith("applied 0001_load (700 statements") for line in out.lines), out.lines
    assert execute(scratch_db, "SELECT COUNT(*) FROM big")[0] == [(700,)]
    [row] = tracking_rows(scratch_db)
    assert row[3:6] == ("applied", 700, 700)
    assert row[2] == migrations.facts(up, READING).checksum  # summed up as it ran, the same as read whole
    assert run(config, commands.status).lines[-1] == "status:    up to date"


def test_a_large_file_that_is_not_all_dml_is_read_first_then_run_once(scratch_db, tmp_path):
    execute(scratch_db, "CREATE TABLE big (id int PRIMARY KEY, body text) ENGINE=InnoDB")
    directory = tmp_path / "migrations"
    body = _large_inserts(1, 400) + "CREATE TABLE marker (id int);\n" + _large_inserts(1000, 400)
    write(directory, 1, "mixed", body, "DROP TABLE marker;\nDELETE FROM big;\n")
    config = make_config(scratch_db, None, directory)
    out = run(config, commands.upgrade)
    assert any(line.startswith("applied 0001_mixed (801 statements") for line in out.lines), out.lines
    assert execute(scratch_db, "SELECT COUNT(*), COUNT(DISTINCT id) FROM big")[0] == [(800, 800)]
    assert tracking_rows(scratch_db)[0][3:6] == ("applied", 801, 801)


def test_a_large_file_refused_at_its_end_leaves_nothing(scratch_db, tmp_path):
    """What sqlgen refuses is found only at the end of a file read as it runs: all of it rolls back."""
    execute(scratch_db, "CREATE TABLE big (id int PRIMARY KEY, body text) ENGINE=InnoDB")
    directory = tmp_path / "migrations"
    write(directory, 1, "load", _large_inserts(1, 700) + "source other.sql\n", "DELETE FROM big;\n")
    config = make_config(scratch_db, None, directory)
    with pytest.raises(SqlgenError, match="0001_load.up.sql, line 701.*nothing of it was run"):
        run(config, commands.upgrade)
    assert execute(scratch_db, "SELECT COUNT(*) FROM big")[0] == [(0,)]
    assert tracking_rows(scratch_db) == []


def test_a_large_file_failing_part_way_leaves_nothing_and_names_its_total(scratch_db, tmp_path):
    execute(scratch_db, "CREATE TABLE big (id int PRIMARY KEY, body text) ENGINE=InnoDB")
    directory = tmp_path / "migrations"
    up, _ = write(directory, 1, "load", _large_inserts(1, 400) + _large_inserts(400, 300), "DELETE FROM big;\n")
    config = make_config(scratch_db, None, directory)
    with pytest.raises(SqlgenError, match=r"line 401, statement 401 of 700: error 1062.*none of it stayed applied"):
        run(config, commands.upgrade)
    assert execute(scratch_db, "SELECT COUNT(*) FROM big")[0] == [(0,)]
    assert tracking_rows(scratch_db)[0][3:6] == ("failed", 0, 700)
    up.write_text(_large_inserts(1, 400) + _large_inserts(401, 300))
    run(config, commands.upgrade)
    assert execute(scratch_db, "SELECT COUNT(*) FROM big")[0] == [(700,)]


# --- What an adversarial review of the file-session records found --------------------------------

def _status(config) -> list[str]:
    return run(config, commands.status).lines


def test_a_resume_past_a_statement_that_leaves_the_plain_session_still_records_its_start(scratch_db, tmp_path):
    directory = tmp_path / "migrations"
    up, _ = write(directory, 1, "a", "CREATE TABLE a (id int);\nANALYZE TABLE a;\nCREATE TABLE b (id int) bogus;\n"
                                     "CREATE TABLE c (id int);\n", "SELECT 1;\n")
    config = make_config(scratch_db, None, directory)
    with pytest.raises(SqlgenError):
        run(config, commands.upgrade)
    up.write_text(up.read_text().replace(" bogus", ""))
    run(config, commands.upgrade, resume=("at", 3))
    assert _status(config)[-1] == "status:    up to date"
    assert tables(scratch_db) == ["a", "b", "c"]


def test_a_system_versioned_myisam_table_is_never_promised_a_rollback(scratch_db, tmp_path):
    execute(scratch_db, "CREATE TABLE h (id int) ENGINE=MyISAM WITH SYSTEM VERSIONING")
    directory = tmp_path / "migrations"
    write(directory, 1, "rows", "INSERT INTO h VALUES (10), (11);\nINSERT INTO h VALUES (12), (10), (x);\n",
          "DELETE FROM h;\n")
    config = make_config(scratch_db, None, directory)
    with pytest.raises(SqlgenError) as failure:
        run(config, commands.upgrade)
    assert "none of it stayed applied" not in str(failure.value)
    assert "statement 1 stayed applied" in str(failure.value)


@pytest.mark.parametrize("setup, statement", [
    ("CREATE TABLE keep (id int) ENGINE=InnoDB; INSERT INTO keep VALUES (1)",
     "CREATE OR REPLACE TABLE keep (id int) SELECT 'x' AS id"),
    ("CREATE TABLE a1 (id int)", "DROP TABLES a1, b1"),
    ("CREATE TABLE a1 (id int); CREATE VIEW v1 AS SELECT 1 AS x", "DROP VIEW v1, v2"),
])
def test_ddl_that_may_fail_half_way_is_in_doubt_not_retried(scratch_db, tmp_path, setup, statement):
    execute(scratch_db, *setup.split("; "))
    directory = tmp_path / "migrations"
    write(directory, 1, "x", f"CREATE TABLE before1 (id int);\n{statement};\nCREATE TABLE after1 (id int);\n",
          "SELECT 1;\n")
    config = make_config(scratch_db, None, directory)
    with pytest.raises(SqlgenError, match="may have done part of its work.*--resume-at 2"):
        run(config, commands.upgrade)
    with pytest.raises(SqlgenError, match="whether that statement took effect is unknown"):
        run(config, commands.upgrade)


def test_a_resume_runs_the_versioned_sets_before_it_again(scratch_db, tmp_path):
    execute(scratch_db, "CREATE TABLE t (id int AUTO_INCREMENT PRIMARY KEY, name varchar(10)) ENGINE=InnoDB")
    directory = tmp_path / "migrations"
    up, _ = write(directory, 1, "a", "/*!40101 SET SQL_MODE='NO_AUTO_VALUE_ON_ZERO' */;\n"
                                     "CREATE TABLE extra (id int) bogus_option;\nINSERT INTO t VALUES (0, 'zero');\n",
                  "SELECT 1;\n")
    config = make_config(scratch_db, None, directory)
    with pytest.raises(SqlgenError):
        run(config, commands.upgrade)
    up.write_text(up.read_text().replace(" bogus_option", ""))
    run(config, commands.upgrade)
    assert execute(scratch_db, "SELECT id, name FROM t")[0] == [(0, "zero")]


@pytest.mark.parametrize("setting", ["SET @max = (SELECT COALESCE(MAX(id), 0) FROM t)", "SET @n = next_n()"])
def test_a_set_from_the_data_or_a_function_is_never_run_again_on_resume(scratch_db, tmp_path, setting):
    execute(scratch_db, "CREATE TABLE t (id int) ENGINE=InnoDB", "CREATE TABLE audit (id int) ENGINE=InnoDB",
            "CREATE FUNCTION next_n() RETURNS int MODIFIES SQL DATA BEGIN INSERT INTO audit VALUES (1); "
            "RETURN 7; END")
    directory = tmp_path / "migrations"
    up, _ = write(directory, 1, "a", f"{setting};\nCREATE TABLE extra (id int) bogus_option;\n"
                                     "INSERT INTO t SELECT @max;\n", "SELECT 1;\n")
    config = make_config(scratch_db, None, directory)
    with pytest.raises(SqlgenError) as failure:
        run(config, commands.upgrade)
    assert "only set the session" not in str(failure.value)
    audit = execute(scratch_db, "SELECT COUNT(*) FROM audit")[0]
    up.write_text(up.read_text().replace(" bogus_option", ""))
    with pytest.raises(SqlgenError, match="sets the session from a function or a query.*does not resume"):
        run(config, commands.upgrade)
    assert execute(scratch_db, "SELECT COUNT(*) FROM audit")[0] == audit, "the function ran again"
    assert execute(scratch_db, "SHOW TABLES LIKE 'extra'")[0] == []


def test_resume_options_reach_no_further_than_the_statement_in_doubt(scratch_db, tmp_path):
    execute(scratch_db, "CREATE TABLE t0 (id int) ENGINE=MyISAM")
    directory = tmp_path / "migrations"
    write(directory, 1, "a", "CREATE TABLE a (id int);\nANALYZE TABLE a;\nDROP TABLES a, missing;\n"
                             "CREATE TABLE c (id int);\n", "SELECT 1;\n")
    config = make_config(scratch_db, None, directory)
    with pytest.raises(SqlgenError, match="--resume-at 3"):
        run(config, commands.upgrade)
    for resume in (("at", 4), ("after", 4), ("at", 2), ("after", 1)):
        with pytest.raises(SqlgenError, match=f"--resume-{resume[0]} {resume[1]} does not fit"):
            run(config, commands.upgrade, resume=resume)
    assert tables(scratch_db) == ["t0"]  # MariaDB dropped a before it failed on the missing table
    run(config, commands.upgrade, resume=("after", 3))
    assert tables(scratch_db) == ["c", "t0"]


def test_a_file_that_sets_its_time_zone_keeps_the_times_of_its_record(scratch_db, tmp_path):
    directory = tmp_path / "migrations"
    write(directory, 1, "a", "SET time_zone = '-11:00';\nCREATE TABLE a (id int);\n", "DROP TABLE a;\n")
    write(directory, 2, "b", "SET time_zone = '+13:00';\nCREATE TABLE b (id int);\n", "DROP TABLE b;\n")
    config = make_config(scratch_db, None, directory)
    run(config, commands.upgrade)
    rows = execute(scratch_db, "SELECT execution_ms, TIMESTAMPDIFF(SECOND, started_at, applied_at) "
                               "FROM sqlgen_version ORDER BY version")[0]
    assert all(0 <= ms < 60_000 and 0 <= seconds < 60 for ms, seconds in rows), rows


def test_the_lock_holds_while_a_long_file_runs_past_wait_timeout(scratch_db, tmp_path):
    directory = tmp_path / "migrations"
    write(directory, 1, "a", "CREATE TABLE a (id int);\n"
                             "CREATE TABLE slow AS SELECT seq FROM seq_1_to_30 WHERE SLEEP(0.1) = 0;\n", "SELECT 1;\n")
    write(directory, 2, "b", "CREATE TABLE b (id int);\n", "SELECT 1;\n")
    config = make_config(f"{url_text(scratch_db)}?init_command=SET%20wait_timeout%3D1", None, directory)
    run(config, commands.upgrade)
    assert tables(scratch_db) == ["a", "b", "slow"]


def test_a_temporary_table_named_like_the_tracking_table_never_takes_the_records(scratch_db, tmp_path):
    directory = tmp_path / "migrations"
    columns = ("version int primary key, name varchar(255), checksum char(64), state varchar(16), "
               "statements_applied int, statements_total int, progress_checksum char(64), down_checksum char(64), "
               "started_at datetime(6), applied_at datetime(6), execution_ms bigint, applied_by varchar(255), "
               "error text, connection_id bigint, in_doubt int")
    write(directory, 1, "x", f"CREATE TABLE x1 (id int);\nCREATE /*! TEMPORARY */ TABLE sqlgen_version ({columns});\n"
                             "CREATE TABLE after1 (id int);\n", "SELECT 1;\n")
    config = make_config(scratch_db, None, directory)
    run(config, commands.upgrade)
    assert _status(config)[-1] == "status:    up to date"


def test_a_syntax_error_is_reported_as_the_client_reports_it(scratch_db, tmp_path):
    directory = tmp_path / "migrations"
    write(directory, 1, "a", "CREATE TABLE a (id int) bogus;\nCREATE TABLE b (id int);\n", "SELECT 1;\n")
    config = make_config(scratch_db, None, directory)
    with pytest.raises(SqlgenError) as failure:
        run(config, commands.upgrade)
    message = str(failure.value)
    assert "error 1064" in message and "sqlgen_version" not in message and "SHOW WARNINGS" not in message, message
    assert message.endswith("near '' at line 1; no statement of it ran. Fix the cause (the statement, or the data "
                            "it failed on) and run sqlgen upgrade again to resume from statement 1, or repair by "
                            "hand and run sqlgen stamp"), message


def test_warnings_in_another_character_set_end_in_one_clear_line(scratch_db, tmp_path):
    execute(scratch_db, "CREATE TABLE t (`café` varchar(2)) ENGINE=InnoDB")
    directory = tmp_path / "migrations"
    write(directory, 1, "a", "SET NAMES latin1;\nINSERT IGNORE INTO t VALUES ('abcdef');\nCREATE TABLE after1 (id int);\n",
          "SELECT 1;\n")
    config = make_config(scratch_db, None, directory)
    with pytest.raises(SqlgenError, match="not text sqlgen can read.*SET NAMES utf8mb4"):
        run(config, commands.upgrade)
    assert execute(scratch_db, "SELECT COUNT(*) FROM t")[0] == [(1,)]
    run(config, commands.upgrade)  # the row says statement 2 ran: the rest follows, once
    assert execute(scratch_db, "SELECT COUNT(*) FROM t")[0] == [(1,)]
    assert _status(config)[-1] == "status:    up to date"


def test_a_large_file_sent_several_statements_to_a_packet_says_each_ones_warnings(scratch_db, tmp_path):
    """Statements of a large data file go to the server many to a packet: the warnings of one in
    the middle are still told with its own number and line, and nothing is told twice."""
    execute(scratch_db, "CREATE TABLE big (id int PRIMARY KEY, body text) ENGINE=InnoDB")
    directory = tmp_path / "migrations"
    body = _large_inserts(1, 300) + "INSERT IGNORE INTO big VALUES (5, 'again');\n" + _large_inserts(301, 300)
    write(directory, 1, "load", body, "DELETE FROM big;\n")
    out = run(make_config(scratch_db, None, directory), commands.upgrade)
    warned = [line for line in out.lines if line.startswith("warning:")]
    assert warned == ["warning: 0001_load.up.sql, line 301, statement 301: 1062 Duplicate entry '5' for key "
                      "'PRIMARY'"], out.lines
    assert execute(scratch_db, "SELECT COUNT(*) FROM big")[0] == [(600,)]


def test_a_syntax_error_in_the_middle_of_a_packet_is_reported_as_the_client_reports_it(scratch_db, tmp_path,
                                                                                     run_client):
    execute(scratch_db, "CREATE TABLE big (id int PRIMARY KEY, body text) ENGINE=InnoDB")
    directory = tmp_path / "migrations"
    body = _large_inserts(1, 300) + "INSERT INTO big VALUES (9999, 'x') oops;\n" + _large_inserts(301, 300)
    up, _ = write(directory, 1, "load", body, "DELETE FROM big;\n")
    with pytest.raises(SqlgenError) as failed:
        run(make_config(scratch_db, None, directory), commands.upgrade)
    line = str(failed.value)
    assert "line 301, statement 301 of 601: error 1064" in line and "near 'oops' at line 1" in line, line
    assert "INSERT INTO big VALUES (301" not in line  # the statements after it in its packet are not quoted
    assert execute(scratch_db, "SELECT COUNT(*) FROM big")[0] == [(0,)]
    by_hand = run_client(scratch_db, up, check=False)
    assert b"near 'oops' at line 1" in by_hand.stderr, by_hand.stderr


def test_a_large_file_whose_statements_fill_their_last_packet_exactly_runs_to_its_end(scratch_db, tmp_path,
                                                                                    monkeypatch):
    """A file of exactly k packets' worth of statements: the last packet is full, nothing is left."""
    from sqlgen.mysql import runner as runner_module

    monkeypatch.setattr(runner_module, "PACKET_STATEMENTS", 100)
    execute(scratch_db, "CREATE TABLE big (id int PRIMARY KEY, body text) ENGINE=InnoDB")
    directory = tmp_path / "migrations"
    write(directory, 1, "load", _large_inserts(1, 600), "DELETE FROM big;\n")
    out = run(make_config(scratch_db, None, directory), commands.upgrade)
    assert any(line.startswith("applied 0001_load (600 statements") for line in out.lines), out.lines
    assert execute(scratch_db, "SELECT COUNT(*) FROM big")[0] == [(600,)]


def test_a_file_that_sets_names_gbk_to_hide_a_statement_is_refused_before_anything_runs(scratch, tmp_path,
                                                                                       run_client):
    """In gbk the last byte of '中' takes the backslash after it, so the quote that follows ends the
    string for the server: the DELETE that the client and sqlgen read inside a string runs."""
    hidden = "SET NAMES gbk;\nSET @x = '中\\'; DELETE FROM sentinel; SET @y = 1 /* ' */;\nSET NAMES utf8mb4;\n"
    by_runner, by_hand = scratch.new(), scratch.new()
    for db in (by_runner, by_hand):
        execute(db, "CREATE TABLE sentinel (id int PRIMARY KEY)")
        execute(db, "INSERT INTO sentinel VALUES (1), (2)")
    directory = tmp_path / "migrations"
    up, _ = write(directory, 1, "hidden", hidden + "CREATE TABLE t (id int);\n", "DROP TABLE t;\n")
    config = make_config(by_runner, None, directory)
    with pytest.raises(SqlgenError, match=r"0001_hidden.up.sql, line 1: .*SET NAMES gbk.* migration files talk "
                                          r"utf8mb4 .*nothing was run"):
        run(config, commands.upgrade)
    assert execute(by_runner, "SELECT COUNT(*) FROM sentinel")[0] == [(2,)] and tables(by_runner) == ["sentinel"]
    assert run_status_code(config) == 1
    # What the refusal guards against: by hand, the client runs the hidden DELETE.
    run_client(by_hand, up, check=False)
    assert execute(by_hand, "SELECT COUNT(*) FROM sentinel")[0] == [(0,)]


def run_status_code(config) -> int:
    return commands.status(config, echo=Output())


@pytest.mark.parametrize("failing", ["SET SESSION time_zone = '+14:00'", "SET @a = 1, SESSION time_zone = 'nowhere'",
                                     "SET SESSION sql_mode = 'NO_SUCH_MODE'"])
def test_a_session_set_that_fails_left_nothing_so_a_plain_rerun_retries_it(scratch_db, tmp_path, failing):
    directory = tmp_path / "migrations"
    up, _ = write(directory, 1, "tz", f"SET NAMES utf8mb4;\n{failing};\nCREATE TABLE t6 (id int);\n", "DROP TABLE t6;\n")
    config = make_config(scratch_db, None, directory)
    with pytest.raises(SqlgenError) as failed:
        run(config, commands.upgrade)
    line = str(failed.value)
    assert "statement 1 only set the session, so nothing of it stayed applied" in line, line
    assert "--resume-after" not in line and "may have done part of its work" not in line, line
    up.write_text("SET NAMES utf8mb4;\nSET SESSION time_zone = '+13:00';\nCREATE TABLE t6 (id int);\n")
    out = run(config, commands.upgrade)
    assert any(line.startswith("applied 0001_tz") for line in out.lines), out.lines
    assert tables(scratch_db) == ["t6"]


def test_a_precondition_in_a_large_data_file_is_reported_as_a_precondition(scratch_db, tmp_path):
    execute(scratch_db, "CREATE TABLE big (id int PRIMARY KEY, body text) ENGINE=InnoDB")
    execute(scratch_db, "INSERT INTO big VALUES (-6, 'bad')")
    check = ("SELECT 'rows of big have a negative id' AS `sqlgen_precondition` FROM DUAL\n WHERE (SELECT 1 UNION ALL "
             "SELECT 1 FROM DUAL WHERE EXISTS (SELECT id AS `id` FROM big WHERE id < 0)) IS NULL;\n")
    directory = tmp_path / "migrations"
    write(directory, 1, "load", _large_inserts(1, 300) + check + _large_inserts(301, 300), "DELETE FROM big;\n")
    with pytest.raises(SqlgenError) as failed:
        run(make_config(scratch_db, None, directory), commands.upgrade)
    line = str(failed.value)
    assert line.startswith("0001_load.up.sql: precondition failed") and "1 row of big has a negative id (id -6)" \
        in line, line
    assert execute(scratch_db, "SELECT COUNT(*) FROM big")[0] == [(1,)]
