"""Preconditions on MariaDB: a migration never stops half-way because of the data.

For each kind of change that depends on the rows, a migration of several tables where the
risky change is not first: with rows that do not fit, neither the runner nor the real
mariadb client changes any table, and the runner's one line names the table, the column
and the number of rows; once the data is fixed, a plain `sqlgen upgrade` applies the same
file. The same for down files.
"""

from __future__ import annotations

import itertools
from decimal import Decimal

import pytest

from sqlgen import commands
from sqlgen.errors import SqlgenError
from support import Output, execute, make_config, snapshot

pytestmark = pytest.mark.mysql
_MODULES = itertools.count()

HEAD = """import sqlalchemy as sa
from sqlalchemy.dialects import mysql
metadata = sa.MetaData()
sa.Table("author", metadata, sa.Column("id", sa.Integer, primary_key=True, autoincrement=False))
sa.Table("aaa", metadata, sa.Column("id", sa.Integer, primary_key=True, autoincrement=False){aaa})
"""


def source(columns: str, later: bool) -> str:
    """The models: `account` with `columns`; `later` adds a table and a column that come first in the file."""
    text = HEAD.format(aaa=', sa.Column("note", sa.String(10))' if later else "")
    text += f'sa.Table("account", metadata, sa.Column("id", sa.Integer, primary_key=True, autoincrement=False), {columns})\n'
    if later:
        text += 'sa.Table("audit", metadata, sa.Column("id", sa.Integer, primary_key=True))\n'
    return text


def module(tmp_path, text: str) -> str:
    name = f"precondition_models_{next(_MODULES)}"
    (tmp_path / f"{name}.py").write_text(text)
    return f"{name}:metadata"


# (name, columns before, columns after, rows that do not fit, the fix, what the one line says)
CASES = [
    ("narrower-varchar", 'sa.Column("code", sa.String(20))', 'sa.Column("code", sa.String(8))',
     "INSERT INTO account (id, code) VALUES (1, 'ok'), (2, 'much too long'), (7, 'also too long')",
     "UPDATE account SET code = LEFT(code, 8)", "2 rows of account have code longer than 8 characters (id 2, 7)"),
    ("charset", 'sa.Column("code", sa.String(20))', 'sa.Column("code", mysql.VARCHAR(20, charset="latin1"))',
     "INSERT INTO account (id, code) VALUES (1, 'plain'), (3, '日本')",
     "UPDATE account SET code = 'fixed' WHERE id = 3", "1 row of account has code holding characters latin1 cannot store (id 3)"),
    ("integer-range", 'sa.Column("qty", sa.Integer)', 'sa.Column("qty", sa.SmallInteger)',
     "INSERT INTO account (id, qty) VALUES (1, 5), (4, 70000), (5, -40000)",
     "UPDATE account SET qty = 0 WHERE ABS(qty) > 32000", "2 rows of account have qty outside -32768 to 32767 (id 4, 5)"),
    ("unsigned", 'sa.Column("qty", sa.Integer)', 'sa.Column("qty", mysql.INTEGER(unsigned=True))',
     "INSERT INTO account (id, qty) VALUES (1, 5), (6, -1)",
     "UPDATE account SET qty = 1 WHERE qty < 0", "1 row of account has qty outside 0 to 4294967295 (id 6)"),
    ("decimal-range", 'sa.Column("price", sa.Numeric(10, 3))', 'sa.Column("price", sa.Numeric(5, 1))',
     "INSERT INTO account (id, price) VALUES (1, 1.5), (8, 123456.5), (9, 9999.96)",
     "UPDATE account SET price = 1.5", "2 rows of account have price too large for decimal(5,1) (id 8, 9)"),
    ("decimal-scale", 'sa.Column("price", sa.Numeric(10, 3))', 'sa.Column("price", sa.Numeric(10, 1))',
     "INSERT INTO account (id, price) VALUES (1, 1.5), (8, 2.25)",
     "UPDATE account SET price = ROUND(price, 1)", "1 row of account has price with more than 1 decimal places"),
    ("date", 'sa.Column("at", sa.DateTime)', 'sa.Column("at", sa.Date)',
     "INSERT INTO account (id, at) VALUES (1, '2020-01-01'), (2, '2020-01-02 10:30:00')",
     "UPDATE account SET at = DATE(at)", "1 row of account has at with a time of day, which DATE drops (id 2)"),
    ("not-null", 'sa.Column("code", sa.String(20))', 'sa.Column("code", sa.String(20), nullable=False)',
     "INSERT INTO account (id, code) VALUES (1, 'x'), (2, NULL)",
     "UPDATE account SET code = '' WHERE code IS NULL", "1 row of account has code NULL (id 2)"),
    ("unique-under-collation", 'sa.Column("email", sa.String(50))', 'sa.Column("email", sa.String(50), unique=True)',
     "INSERT INTO account (id, email) VALUES (1, 'a@x'), (2, 'A@X'), (3, NULL), (4, NULL)",
     "UPDATE account SET email = 'b@x' WHERE id = 2",
     "1 value of email in account appears more than once (as the column's collation compares them)"),
    ("foreign-key", 'sa.Column("author_id", sa.Integer)', 'sa.Column("author_id", sa.Integer, sa.ForeignKey("author.id"))',
     "INSERT INTO author VALUES (1); INSERT INTO account (id, author_id) VALUES (1, 1), (2, NULL), (3, 99)",
     "UPDATE account SET author_id = 1 WHERE id = 3",
     "1 row of account has author_id with no matching author.id, which the foreign key"),
    ("check", 'sa.Column("qty", sa.Integer)', 'sa.Column("qty", sa.Integer), sa.CheckConstraint("qty >= 0", name="qty_positive")',
     "INSERT INTO account (id, qty) VALUES (1, 0), (2, -4), (3, NULL)",
     "UPDATE account SET qty = 0 WHERE qty < 0", "1 row of account has values breaking CHECK qty_positive (qty >= 0) (id 2)"),
    ("enum-value-removed", 'sa.Column("state", sa.Enum("new", "old", "gone"))', 'sa.Column("state", sa.Enum("new", "old"))',
     "INSERT INTO account (id, state) VALUES (1, 'new'), (2, 'gone')",
     "UPDATE account SET state = 'old' WHERE state = 'gone'", "1 row of account has state set to a value the new ENUM drops ('gone')"),
    ("set-member-removed", 'sa.Column("tags", mysql.SET("a", "b", "c"))', 'sa.Column("tags", mysql.SET("a", "b"))',
     "INSERT INTO account (id, tags) VALUES (1, 'a,b'), (2, 'a,c'), (3, 'c')",
     "UPDATE account SET tags = 'a'", "2 rows of account have tags holding a member the new SET drops ('c')"),
    ("text-to-integer", 'sa.Column("ref", sa.String(10))', 'sa.Column("ref", sa.Integer)',
     "INSERT INTO account (id, ref) VALUES (1, '12'), (2, 'abc'), (3, '')",
     "UPDATE account SET ref = '0' WHERE ref NOT REGEXP '^[0-9]+$'", "2 rows of account have ref that is not a whole number"),
    ("text-to-date", 'sa.Column("at", sa.String(30))', 'sa.Column("at", sa.Date)',
     "INSERT INTO account (id, at) VALUES (1, '2020-01-01'), (2, '2020-01-01x'), (3, NULL)",
     "UPDATE account SET at = '2020-01-02' WHERE id = 2", "1 row of account has at that is not a DATE"),
    ("unique-with-a-new-collation", 'sa.Column("code", sa.String(20, collation="utf8mb4_bin"))',
     'sa.Column("code", sa.String(20, collation="utf8mb4_general_ci"), unique=True)',
     "INSERT INTO account (id, code) VALUES (1, 'a'), (2, 'A')", "UPDATE account SET code = 'b' WHERE id = 2",
     "1 value of code in account appears more than once"),
    ("kept-unique-with-a-new-collation", 'sa.Column("code", sa.String(20, collation="utf8mb4_bin"), unique=True)',
     'sa.Column("code", sa.String(20, collation="utf8mb4_general_ci"), unique=True)',
     "INSERT INTO account (id, code) VALUES (1, 'a'), (2, 'A')", "UPDATE account SET code = 'b' WHERE id = 2",
     "1 value of code in account appears more than once"),
    ("unique-with-a-new-type", 'sa.Column("ref", sa.String(10), unique=True)', 'sa.Column("ref", sa.Integer, unique=True)',
     "INSERT INTO account (id, ref) VALUES (1, '1'), (2, '01'), (3, '2')", "UPDATE account SET ref = '5' WHERE id = 2",
     "1 value of ref in account appears more than once"),
    ("new-column-key-default", 'sa.Column("x", sa.Integer)',
     'sa.Column("x", sa.Integer), sa.Column("author_id", sa.Integer, sa.ForeignKey("author.id"), nullable=False, '
     'server_default="7")',
     "INSERT INTO author VALUES (1); INSERT INTO account (id) VALUES (1), (2)", "INSERT INTO author VALUES (7)",
     "all rows of account take author_id = 7 (its default), which no author.id matches"),
    ("backslash-in-the-file", r'sa.Column("path", sa.String(20), server_default="C:\\tmp")',
     r'sa.Column("path", sa.String(8), server_default="C:\\tmp")',
     "INSERT INTO account (id, path) VALUES (1, 'C:\\\\a\\\\long\\\\path')",
     "UPDATE account SET path = 'C:'", "1 row of account has path longer than 8 characters (id 1)"),
    ("text-to-enum", 'sa.Column("state", sa.String(10))', 'sa.Column("state", sa.Enum("new", "old"))',
     "INSERT INTO account (id, state) VALUES (1, 'new'), (2, 'weird')",
     "UPDATE account SET state = 'new' WHERE id = 2", "1 row of account has state set to a value the ENUM does not have"),
]


def config_for(tmp_path, db, models: str | None, folder: str = "migrations"):
    return make_config(db, models, tmp_path / folder, root=tmp_path)


def up_to_version_1(tmp_path, db, before: str, rows: str, folder: str = "migrations"):
    config = config_for(tmp_path, db, module(tmp_path, source(before, later=False)), folder)
    commands.generate(config, "start", echo=Output())
    commands.upgrade(config, echo=Output())
    for statement in rows.split("; "):
        execute(db, statement)
    return config


def without_tracking(url) -> dict:
    return snapshot(url, exclude=("sqlgen_version",))


def data(url) -> list:
    return execute(url, "SELECT * FROM account ORDER BY id")[0]


@pytest.mark.parametrize("name, before, after, rows, fix, message", CASES, ids=[case[0] for case in CASES])
def test_rows_that_do_not_fit_stop_the_file_before_any_change(scratch, run_client, tmp_path, name, before, after,
                                                              rows, fix, message):
    db = scratch.new()
    config = up_to_version_1(tmp_path, db, before, rows)
    config = config_for(tmp_path, db, module(tmp_path, source(after, later=True)))
    result = commands.generate(config, "tighten", echo=Output())
    up = result.paths[0]
    text = up.read_text()
    assert text.index("CREATE TABLE `audit`") < text.index("ALTER TABLE `account`")  # the risky change is not first
    assert text.index("sqlgen_precondition") < text.index("CREATE TABLE `audit`")
    # Every check leads the file, before the opening tracking block (each calls only built-ins).
    assert text.rindex("sqlgen_precondition") < text.index("-- sqlgen:tracking begin"), text
    schema, before_rows = without_tracking(db), data(db)

    # By hand: the client stops at the check, which stands before the tracking block: no table
    # changed, the tracking table included, so status says the file is simply pending.
    by_hand = scratch.new()
    up_to_version_1(tmp_path, by_hand, before, rows, folder="by_hand")
    tracked = execute(by_hand, "SELECT * FROM sqlgen_version")[0]
    ran = run_client(by_hand, up, check=False)
    assert ran.returncode == 1 and b"Subquery returns more than 1 row" in ran.stderr, ran.stderr
    assert without_tracking(by_hand) == schema and data(by_hand) == before_rows
    assert execute(by_hand, "SELECT * FROM sqlgen_version")[0] == tracked
    by_hand_config = config_for(tmp_path, by_hand, None)  # the same files
    status = Output()
    commands.status(by_hand_config, echo=status)
    assert "current:   at version 1" in status.text and "pending:   1" in status.text, status.text
    assert "running" not in status.text and "by hand" not in status.text, status.text

    # The runner: one line naming the table, the column and the rows; nothing changed, not recorded.
    with pytest.raises(SqlgenError) as failed:
        commands.upgrade(config, echo=Output())
    line = str(failed.value)
    assert line.startswith(f"{up.name}: precondition failed before any change: ") and message in line, line
    assert line.endswith("fix them, then run sqlgen upgrade again") and "\n" not in line
    assert without_tracking(db) == schema and data(db) == before_rows
    status = Output()
    commands.status(config, echo=status)
    assert "current:   at version 1" in status.text and "precondition failed" in status.text

    # Fixed, the same file goes through with a plain upgrade, and the models are met.
    execute(db, fix)
    commands.upgrade(config, echo=Output())
    assert execute(db, "SELECT version, state FROM sqlgen_version ORDER BY version")[0] == [(1, "applied"),
                                                                                              (2, "applied")]
    again = Output()
    commands.generate(config, "again", echo=again)
    assert again.lines[-1] == "No changes detected", again.text

    # After the client stopped at the check: the rows fixed, a plain upgrade runs the same file.
    execute(by_hand, fix)
    commands.upgrade(by_hand_config, echo=Output())
    assert execute(by_hand, "SELECT version, state FROM sqlgen_version ORDER BY version")[0] == [(1, "applied"),
                                                                                                   (2, "applied")]
    assert without_tracking(by_hand) == without_tracking(db)


# Down files: (name, columns before, columns after, rows added once upgraded, the fix, what the line says)
DOWN_CASES = [
    ("widening", 'sa.Column("code", sa.String(8))', 'sa.Column("code", sa.String(20))',
     "INSERT INTO account (id, code) VALUES (1, 'ok'), (2, 'longer than eight')",
     "UPDATE account SET code = 'short' WHERE id = 2", "1 row of account has code longer than 8 characters (id 2)"),
    ("foreign-key-dropped", 'sa.Column("author_id", sa.Integer, sa.ForeignKey("author.id"))',
     'sa.Column("author_id", sa.Integer)',
     "INSERT INTO account (id, author_id) VALUES (1, 42)", "DELETE FROM account WHERE id = 1",
     "1 row of account has author_id with no matching author.id"),
    ("made-nullable", 'sa.Column("code", sa.String(8), nullable=False)', 'sa.Column("code", sa.String(8))',
     "INSERT INTO account (id, code) VALUES (1, NULL)", "UPDATE account SET code = 'x'",
     "1 row of account has code NULL (id 1)"),
    ("enum-widened", 'sa.Column("state", sa.Enum("new", "old"))', 'sa.Column("state", sa.Enum("new", "old", "gone"))',
     "INSERT INTO account (id, state) VALUES (1, 'gone')", "UPDATE account SET state = 'old'",
     "1 row of account has state set to a value the new ENUM drops ('gone')"),
]


@pytest.mark.parametrize("name, before, after, rows, fix, message", DOWN_CASES, ids=[case[0] for case in DOWN_CASES])
def test_a_down_file_cannot_undo_while_rows_do_not_fit(scratch, run_client, tmp_path, name, before, after, rows, fix,
                                                        message):
    db = scratch.new()
    up_to_version_1(tmp_path, db, before, "SELECT 1")
    config = config_for(tmp_path, db, module(tmp_path, source(after, later=True)))
    down = commands.generate(config, "widen", echo=Output()).paths[1]
    assert down.read_text().rindex("sqlgen_precondition") < down.read_text().index("-- sqlgen:tracking begin")
    commands.upgrade(config, echo=Output())
    for statement in rows.split("; "):
        execute(db, statement)
    schema, rows_now = without_tracking(db), data(db)

    # By hand, on a copy in the same state: the client stops at the check, no table changed.
    by_hand = scratch.new()
    up_to_version_1(tmp_path, by_hand, before, "SELECT 1", folder="by_hand")
    commands.upgrade(config_for(tmp_path, by_hand, None), echo=Output())
    for statement in rows.split("; "):
        execute(by_hand, statement)
    tracked = execute(by_hand, "SELECT * FROM sqlgen_version")[0]
    ran = run_client(by_hand, down, check=False)
    assert ran.returncode == 1 and b"Subquery returns more than 1 row" in ran.stderr, ran.stderr
    assert without_tracking(by_hand) == schema
    assert execute(by_hand, "SELECT * FROM sqlgen_version")[0] == tracked  # version 2 still plainly applied

    with pytest.raises(SqlgenError) as failed:
        commands.downgrade(config, "1", echo=Output())
    line = str(failed.value)
    assert line.startswith(f"{down.name}: precondition failed before any change: ") and message in line, line
    assert line.endswith("fix them, then run sqlgen downgrade again")
    assert without_tracking(db) == schema and data(db) == rows_now
    current = Output()
    commands.current(config, echo=current)
    assert "2" in current.lines[0], current.text  # version 2 is intact, and says so

    execute(db, fix)
    commands.downgrade(config, "1", echo=Output())
    assert execute(db, "SELECT version, state FROM sqlgen_version")[0] == [(1, "applied")]
    back = Output()
    commands.generate(config_for(tmp_path, db, module(tmp_path, source(before, later=False)), "other"), "x", echo=back)
    assert back.lines[-1] == "No changes detected", back.text

    # By hand, the client stopped at the check: fixed, a plain downgrade runs the same down file.
    execute(by_hand, fix)
    commands.downgrade(config_for(tmp_path, by_hand, None), "1", echo=Output())
    assert execute(by_hand, "SELECT version, state FROM sqlgen_version")[0] == [(1, "applied")]
    assert without_tracking(by_hand) == without_tracking(db)


def test_preflight_reports_every_check_of_the_pending_files_and_changes_nothing(scratch, tmp_path):
    import json

    from click.testing import CliRunner

    from sqlgen.cli import main
    from support import url_text

    db = scratch.new()
    before = 'sa.Column("code", sa.String(20)), sa.Column("email", sa.String(50)), sa.Column("author_id", sa.Integer)'
    after = ('sa.Column("code", sa.String(8), nullable=False), sa.Column("email", sa.String(50), unique=True), '
             'sa.Column("author_id", sa.Integer, sa.ForeignKey("author.id"))')
    up_to_version_1(tmp_path, db, before, "INSERT INTO author VALUES (1); INSERT INTO account VALUES "
                                          "(1, 'A-1', 'ann@x', 1), (2, 'B-2-LEGACY', 'bob@x', 1), (7, 'C-7-LEGACY', 'Ann@X', 3)")
    config = config_for(tmp_path, db, module(tmp_path, source(after, later=True)))
    commands.generate(config, "tighten", echo=Output())
    schema, rows = without_tracking(db), data(db)

    out = Output()
    assert commands.preflight(config, echo=out) == 1
    assert out.lines[0].endswith(": ok: no rows of account have code NULL")
    assert "FAILS: 2 rows of account have code longer than 8 characters (id 2, 7)" in out.lines[1]
    assert "FAILS: 1 value of email in account appears more than once" in out.lines[2] and "'ann@x'" in out.lines[2]
    assert "FAILS: 1 row of account has author_id with no matching author.id" in out.lines[3] and "(id 7)" in out.lines[3]
    assert out.lines[-1] == "Preflight: 3 of 4 check(s) fail in 1 pending file(s); fix those rows, then run sqlgen preflight again"
    assert without_tracking(db) == schema and data(db) == rows
    assert execute(db, "SELECT COUNT(*) FROM sqlgen_version WHERE version = 2")[0] == [(0,)]  # nothing recorded

    out = Output()
    commands.preflight(config, as_json=True, echo=out)
    report = json.loads(out.text)
    assert (report["checks"], report["failing"], report["pending"]) == (4, 3, ["0002_tighten.up.sql"])
    longer = report["files"][0]["checks"][1]
    assert (longer["rows"], longer["key"], longer["sample"]) == (2, "id", ["2", "7"])

    cli = CliRunner().invoke(main, ["--url", url_text(db), "--dir", str(tmp_path / "migrations"), "preflight", "2"])
    assert cli.exit_code == 1 and "FAILS" in cli.output and "Traceback" not in cli.output

    execute(db, "UPDATE account SET code = LEFT(code, 8), email = CONCAT(id, email), author_id = 1")
    out = Output()
    assert commands.preflight(config, echo=out) == 0
    assert out.lines[-1] == "Preflight: 0 of 4 check(s) fail in 1 pending file(s)"
    commands.upgrade(config, echo=Output())
    out = Output()
    assert commands.preflight(config, echo=out) == 0 and out.lines == ["Nothing to check: at version 2 (0002_tighten)"]


HAND_CHECK = """SET NAMES utf8mb4;
SELECT 'rows of ledger have a negative amount; refund them first' AS `sqlgen_precondition` FROM DUAL
 WHERE (SELECT 1 UNION ALL SELECT 1 FROM DUAL WHERE EXISTS (
  SELECT id AS `entry`, amount FROM ledger WHERE amount < 0)) IS NULL;
CREATE TABLE ledger_archive (id int PRIMARY KEY);
ALTER TABLE ledger MODIFY amount int unsigned NOT NULL;"""


def test_a_hand_written_precondition_is_run_and_reported_the_same_way(scratch, run_client, tmp_path):
    from support import hand_written

    db, by_hand = scratch.new(), scratch.new()
    for url in (db, by_hand):
        execute(url, "CREATE TABLE ledger (id int PRIMARY KEY, amount int NOT NULL)",
                "INSERT INTO ledger VALUES (1, 5), (2, -3), (3, -1), (4, 0)")
    config = config_for(tmp_path, db, None)
    up = hand_written(config, HAND_CHECK)
    ran = run_client(by_hand, up, check=False)
    assert ran.returncode == 1 and b"Subquery returns more than 1 row" in ran.stderr
    assert execute(by_hand, "SHOW TABLES LIKE 'ledger_archive'")[0] == []

    with pytest.raises(SqlgenError, match=r"^0001_by_hand.up.sql: precondition failed before any change: 2 rows of "
                                          r"ledger have a negative amount; refund them first \(entry 2, 3\); fix them, "
                                          r"then run sqlgen upgrade again$"):
        commands.upgrade(config, echo=Output())
    assert execute(db, "SHOW TABLES LIKE 'ledger_archive'")[0] == []
    out = Output()
    assert commands.preflight(config, echo=out) == 1 and "FAILS: 2 rows of ledger" in out.text

    execute(db, "UPDATE ledger SET amount = 0 WHERE amount < 0")
    commands.upgrade(config, echo=Output())
    assert execute(db, "SELECT state FROM sqlgen_version")[0] == [("applied",)]
    assert execute(db, "SELECT COUNT(*) FROM ledger_archive")[0] == [(0,)]


def test_on_a_big_table_a_sampled_check_says_what_it_reads(scratch, tmp_path):
    import dataclasses

    db = scratch.new()
    up_to_version_1(tmp_path, db, 'sa.Column("code", sa.String(20))', "SELECT 1")
    execute(db, "INSERT INTO account (id, code) SELECT seq, 'fine' FROM seq_1_to_400",
            "UPDATE account SET code = 'much too long' WHERE id IN (3, 390)", "ANALYZE TABLE account")
    config = dataclasses.replace(config_for(tmp_path, db, module(tmp_path, source('sa.Column("code", sa.String(8))',
                                                                                 later=False))),
                                 precondition_sample=100)
    up = commands.generate(config, "tighten", echo=Output()).paths[0].read_text()
    assert "(SELECT * FROM `account` LIMIT 100) AS `account`" in up
    assert "reads 100 of about" in up and "(precondition_sample): the others are not checked" in " ".join(
        line.removeprefix("-- ") for line in up.splitlines())
    out = Output()
    assert commands.preflight(config, echo=out) == 1
    assert "FAILS: 1 row of account has code longer than 8 characters (id 3) (on a sample of 100 rows)" in out.text
    with pytest.raises(SqlgenError, match=r"precondition failed before any change: 1 row of account has code "
                                          r"longer than 8 characters \(id 3\)"):
        commands.upgrade(config, echo=Output())
    execute(db, "UPDATE account SET code = 'ok' WHERE id = 3")
    # Row 390 is past the sample: the check passes, and the server refuses the change itself, changing nothing.
    with pytest.raises(SqlgenError, match="Data truncated for column 'code' at row 390; statements 1-2 only set the session"):
        commands.upgrade(config, echo=Output())
    assert execute(db, "SELECT CHARACTER_MAXIMUM_LENGTH FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = "
                       "DATABASE() AND TABLE_NAME = 'account' AND COLUMN_NAME = 'code'")[0] == [(20,)]


def test_checks_of_keys_the_change_makes_unique_by_itself_never_refuse(scratch, tmp_path):
    """An AUTO_INCREMENT primary key added to rows, a FLOAT made DECIMAL, a DOUBLE made FLOAT,
    and a narrowed primary key: the server takes them, and so do the checks (or they are only noted)."""
    db = scratch.new()
    execute(db, "CREATE TABLE nokey (v int, w int)", "INSERT INTO nokey VALUES (1, 1), (1, 1)",
            "CREATE TABLE coded (code varchar(20) PRIMARY KEY, f float, d double)",
            "INSERT INTO coded VALUES ('a', 0.1, 1.5), ('b', 12.34, 2.25), ('much too long', 1, 1)")
    models = module(tmp_path, "import sqlalchemy as sa\nmetadata = sa.MetaData()\n"
                              "sa.Table('nokey', metadata, sa.Column('id', sa.Integer, primary_key=True), "
                              "sa.Column('v', sa.Integer), sa.Column('w', sa.Integer))\n"
                              "sa.Table('coded', metadata, sa.Column('code', sa.String(8), primary_key=True), "
                              "sa.Column('f', sa.Numeric(6, 2)), sa.Column('d', sa.Float))\n")
    config = config_for(tmp_path, db, models)
    up = commands.generate(config, "keys", echo=Output()).paths[0].read_text()
    assert "becomes FLOAT, which keeps about 7 significant digits" in up  # noted, not refused
    with pytest.raises(SqlgenError, match=r"1 row of coded has code longer than 8 characters \(code 'much too long'\)"):
        commands.upgrade(config, echo=Output())
    execute(db, "UPDATE coded SET code = 'c' WHERE code = 'much too long'")
    commands.upgrade(config, echo=Output())
    assert execute(db, "SELECT id FROM nokey ORDER BY id")[0] == [(1,), (2,)]
    assert execute(db, "SELECT f FROM coded ORDER BY code")[0] == [(Decimal("0.10"),), (Decimal("12.34"),),
                                                                   (Decimal("1.00"),)]


def test_a_key_to_a_parent_column_the_migration_adds(scratch, tmp_path):
    db = scratch.new()
    execute(db, "CREATE TABLE parent (id int PRIMARY KEY)", "CREATE TABLE child (id int PRIMARY KEY, ref varchar(5))",
            "INSERT INTO parent VALUES (1)", "INSERT INTO child VALUES (1, 'x'), (2, NULL)")
    models = module(tmp_path, "import sqlalchemy as sa\nmetadata = sa.MetaData()\n"
                              "sa.Table('parent', metadata, sa.Column('id', sa.Integer, primary_key=True, "
                              "autoincrement=False), sa.Column('code', sa.String(5), unique=True))\n"
                              "sa.Table('child', metadata, sa.Column('id', sa.Integer, primary_key=True, "
                              "autoincrement=False), sa.Column('ref', sa.String(5), sa.ForeignKey('parent.code')))\n")
    config = config_for(tmp_path, db, models)
    commands.generate(config, "code", echo=Output())
    with pytest.raises(SqlgenError, match=r"1 row of child has ref with no matching parent.code.* \(id 1\)"):
        commands.upgrade(config, echo=Output())
    execute(db, "UPDATE child SET ref = NULL")
    commands.upgrade(config, echo=Output())


def test_a_file_of_rows_only_reports_its_check_the_same_way(scratch, tmp_path):
    from support import hand_written

    db = scratch.new()
    execute(db, "CREATE TABLE ledger (id int PRIMARY KEY, amount int NOT NULL)",
            "CREATE TABLE archive (id int PRIMARY KEY, amount int NOT NULL)", "INSERT INTO ledger VALUES (1, -2), (2, 4)")
    config = config_for(tmp_path, db, None)
    hand_written(config, "INSERT INTO archive SELECT * FROM ledger WHERE amount > 0;\n"
                         "SELECT 'rows of ledger have a negative amount' AS `sqlgen_precondition` FROM DUAL\n"
                         " WHERE (SELECT 1 UNION ALL SELECT 1 FROM DUAL WHERE EXISTS (\n"
                         "  SELECT id AS id FROM ledger WHERE amount < 0)) IS NULL;\n"
                         "DELETE FROM ledger WHERE amount > 0;")
    with pytest.raises(SqlgenError, match=r"^0001_by_hand.up.sql: precondition failed before any change: 1 row of "
                                          r"ledger has a negative amount \(id 1\); fix them"):
        commands.upgrade(config, echo=Output())
    assert execute(db, "SELECT COUNT(*) FROM archive")[0] == [(0,)]  # one transaction: rolled back
    execute(db, "UPDATE ledger SET amount = 3 WHERE amount < 0")
    commands.upgrade(config, echo=Output())
    assert execute(db, "SELECT COUNT(*) FROM archive")[0] == [(2,)] and execute(db, "SELECT COUNT(*) FROM ledger")[0] == [(0,)]


def test_preflight_says_which_checks_cannot_run_before_the_files_ahead_of_them(scratch, tmp_path):
    import json

    from support import hand_written

    db = scratch.new()
    config = config_for(tmp_path, db, None)
    execute(db, "CREATE TABLE account (id int PRIMARY KEY, code varchar(20))", "INSERT INTO account VALUES (1, 'x')")
    hand_written(config, "ALTER TABLE account ADD COLUMN extra varchar(20);", "extra")
    hand_written(config, "SELECT 'rows of account have extra longer than 5 characters' AS `sqlgen_precondition` "
                         "FROM DUAL WHERE (SELECT 1 UNION ALL SELECT 1 FROM DUAL WHERE EXISTS (\n"
                         "  SELECT id AS id FROM account WHERE CHAR_LENGTH(extra) > 5)) IS NULL;\n"
                         "SELECT 'rows of account have code NULL' AS `sqlgen_precondition` FROM DUAL WHERE (SELECT 1 "
                         "UNION ALL SELECT 1 FROM DUAL WHERE EXISTS (\n  SELECT id AS id FROM account WHERE code IS "
                         "NULL)) IS NULL;\nALTER TABLE account MODIFY extra varchar(5), MODIFY code varchar(20) NOT NULL;",
                 "narrow")
    out = Output()
    assert commands.preflight(config, echo=out) == 1
    assert "0002_narrow.up.sql, line" in out.lines[0] and ": not checked: it could not run (" in out.lines[0]
    assert "Unknown column 'extra'" in out.lines[0] and "an earlier pending file may change what it reads" in out.lines[0]
    assert out.lines[1].endswith(": ok: no rows of account have code NULL")
    assert out.lines[-1] == "Preflight: 0 of 2 check(s) fail, 1 could not run in 2 pending file(s)"
    report = Output()
    assert commands.preflight(config, as_json=True, echo=report) == 1
    parsed = json.loads(report.text)
    assert (parsed["failing"], parsed["unchecked"], parsed["pending"]) == (0, 1, ["0001_extra.up.sql", "0002_narrow.up.sql"])
    assert parsed["files"][1]["checks"][0]["unchecked"] is True
    commands.upgrade(config, echo=Output())  # the checks were only read: both files still apply


@pytest.mark.parametrize("collation, kept", [("utf8mb4_general_ci", True), ("utf8mb4_bin", False)])
def test_an_enum_value_that_only_changes_case_is_kept_where_the_collation_says_so(scratch, tmp_path, collation,
                                                                                 kept):
    """Under _ci the server maps 'Old' onto 'old', so the check lets the file through; under _bin
    'Old' is dropped, and the check stops the file before any change."""
    db = scratch.new()
    before = f'sa.Column("kind", mysql.ENUM("new", "Old", collation="{collation}"))'
    after = f'sa.Column("kind", mysql.ENUM("new", "old", collation="{collation}"))'
    up_to_version_1(tmp_path, db, before, "INSERT INTO account (id, kind) VALUES (1, 'new'), (2, 'Old'), (3, NULL)")
    config = config_for(tmp_path, db, module(tmp_path, source(after, later=True)))
    commands.generate(config, "lower", echo=Output())
    schema = without_tracking(db)
    if kept:
        commands.upgrade(config, echo=Output())
        assert execute(db, "SELECT id, kind FROM account ORDER BY id")[0] == [(1, "new"), (2, "old"), (3, None)]
        return
    with pytest.raises(SqlgenError, match=r"1 row of account has kind set to a value the new ENUM drops \('Old'\)"):
        commands.upgrade(config, echo=Output())
    assert without_tracking(db) == schema


def test_the_server_converts_enum_positions_to_numbers_so_generate_refuses_that_change(scratch, tmp_path):
    from click.testing import CliRunner

    from sqlgen.cli import main
    from support import url_text

    db = scratch.new()
    # What the refusal rests on: MariaDB turns '20', the second member, into 2, and 2 into 'b'.
    execute(db, "CREATE TABLE probe (id int PRIMARY KEY, e enum('10','20'), n int)")
    execute(db, "INSERT INTO probe VALUES (1, '20', 2)")
    execute(db, "ALTER TABLE probe MODIFY e int, MODIFY n enum('a','b')")
    assert execute(db, "SELECT e, n FROM probe")[0] == [(2, "b")]
    execute(db, "DROP TABLE probe")

    up_to_version_1(tmp_path, db, 'sa.Column("state", sa.Enum("10", "20", name="st"))',
                    "INSERT INTO account (id, state) VALUES (1, '20')")
    config = config_for(tmp_path, db, module(tmp_path, source('sa.Column("state", sa.Integer)', later=True)))
    before = sorted(p.name for p in (tmp_path / "migrations").iterdir())
    cli = CliRunner().invoke(main, ["--url", url_text(db), "--dir", str(tmp_path / "migrations"), "--models",
                                    config.models, "-C", str(tmp_path), "generate", "-m", "number"])
    assert cli.exit_code == 1 and "Traceback" not in cli.output, cli.output
    assert cli.output.strip().splitlines() == [
        "Error: account.state: changing enum('10','20') to int stores each value's position in the ENUM (1, 2, ...), "
        "not the number it reads as, silently; make the column a VARCHAR in one migration, then int in the next "
        "(sqlgen checks the rows of each step before it runs)"], cli.output
    assert sorted(p.name for p in (tmp_path / "migrations").iterdir()) == before  # nothing written

    # The two steps it advises go through, and keep the number each value reads as.
    commands.generate(config_for(tmp_path, db, module(tmp_path, source('sa.Column("state", sa.String(2))',
                                                                        later=True))), "text", echo=Output())
    commands.upgrade(config, echo=Output())
    commands.generate(config, "number", echo=Output())
    commands.upgrade(config, echo=Output())
    assert execute(db, "SELECT state FROM account")[0] == [(20,)]
