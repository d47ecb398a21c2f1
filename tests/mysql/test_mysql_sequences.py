"""Sequences on MariaDB: declared as create_all makes them, reflected, created, changed and
dropped by generate; the same files by hand give the same; what the server refuses is
refused at generate in one line."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

import sequence_models
from sqlgen import commands
from sqlgen.diff import diff
from sqlgen.errors import SqlgenError
from sqlgen.mysql import sequences
from sqlgen.mysql.declare import declared_schema
from sqlgen.mysql.dialect import ServerInfo
from sqlgen.ops import AlterSequence, AlterTable, CreateSequence, CreateTable, DropSequence, DropTable, invert
from sqlgen.schema import Schema, Sequence, Table, Column
from support import Output, assert_same_schema, create_all, execute, make_config, snapshot

MARIADB = ServerInfo("mariadb", (10, 11, 19), "10.11.19-MariaDB", database="app",
                     charset_collations={"utf8mb4": "utf8mb4_general_ci"})


def options_of(url) -> dict[str, tuple]:
    """Every sequence's options, read from its own row."""
    names = [row[0] for row in execute(url, "SELECT TABLE_NAME FROM information_schema.TABLES WHERE "
                                            "TABLE_SCHEMA = DATABASE() AND TABLE_TYPE = 'SEQUENCE'")[0]]
    result = {}
    for name in names:
        rows = execute(url, f"SELECT start_value, increment, minimum_value, maximum_value, cache_size, cycle_option "
                            f"FROM `{name}`")[0]
        result[name] = tuple(rows[0])
    return result


def schema_of(url, exclude=("sqlgen_version",)) -> dict:
    """The snapshot, with the database's own name taken out of the defaults that call its sequences."""
    own = f"`{url.database}`."
    return {part: [tuple(v.replace(own, "") if isinstance(v, str) else v for v in row) for row in rows]
            for part, rows in snapshot(url, exclude=exclude).items()}


def models(step: int) -> str:
    return f"sequence_models:step_{step}"


# --- Without a server ----------------------------------------------------------------

@pytest.mark.parametrize("kwargs, expected", [
    ({}, (1, 1, 1, 2**63 - 2, 1000, False)),
    ({"increment": -1}, (-1, -1, -(2**63) + 1, -1, 1000, False)),
    ({"increment": -3, "nominvalue": True, "nomaxvalue": True}, (2**63 - 2, -3, 1, 2**63 - 2, 1000, False)),
    ({"minvalue": 5}, (5, 1, 5, 2**63 - 2, 1000, False)),
    ({"increment": -2, "maxvalue": 50}, (50, -2, -(2**63) + 1, 50, 1000, False)),
    ({"start": 0, "minvalue": -4, "cache": 0, "cycle": True}, (0, 1, -4, 2**63 - 2, 0, True)),
])
def test_what_the_models_leave_out_is_what_the_server_fills_in(kwargs, expected):
    sequence = sequences.declared(sa.Sequence("s", **kwargs), "s", "sequence s")
    assert (sequence.start, sequence.increment, sequence.minimum, sequence.maximum, sequence.cache,
            sequence.cycle) == expected


@pytest.mark.parametrize("kwargs, message", [
    ({"start": 0}, "sequence s cannot be created: it starts at 0, outside MINVALUE 1 to MAXVALUE"),
    ({"minvalue": 10, "maxvalue": 10}, "its MINVALUE 10 is not below its MAXVALUE 10"),
    ({"maxvalue": 2**63 - 1}, "its values must lie strictly between"),
    ({"minvalue": -(2**63)}, "its values must lie strictly between"),
    ({"start": 2**64}, "its start 18446744073709551616 does not fit in a signed 64-bit integer"),
    ({"cache": -1}, "its CACHE -1 is out of range"),
    ({"increment": -1, "start": 5}, "it starts at 5, outside MINVALUE"),
    ({"start": "1"}, "its start is '1', not a whole number"),
    ({"cache": 2.5}, "its cache is 2.5, not a whole number"),
])
def test_options_the_server_refuses_are_refused_in_one_line(kwargs, message):
    metadata = sa.MetaData()
    sa.Sequence("s", metadata=metadata, **kwargs)
    with pytest.raises(SqlgenError, match=message.replace("(", r"\(")) as caught:
        declared_schema(metadata, MARIADB, "sqlgen_version")
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize("build, message", [
    (lambda m: (sa.Sequence("thing", metadata=m),
                sa.Table("thing", m, sa.Column("id", sa.Integer, primary_key=True))),
     "the models declare a table and a sequence both named 'thing'"),
    (lambda m: (sa.Table("a", m, sa.Column("id", sa.Integer, sa.Sequence("s", start=1), primary_key=True)),
                sa.Table("b", m, sa.Column("id", sa.Integer, sa.Sequence("s", start=2), primary_key=True))),
     "sequence s is declared more than once, with different options"),
    (lambda m: sa.Sequence("s", schema="elsewhere", metadata=m), "lives in another database"),
    (lambda m: sa.Sequence("SQLGEN_version", metadata=m), "which sqlgen uses to track migrations"),
    (lambda m: sa.Sequence("s" * 65, metadata=m), "sequence"),
    (lambda m: sa.Sequence("ends ", metadata=m), "ends with a space"),
])
def test_sequences_the_server_cannot_make_are_refused(build, message):
    metadata = sa.MetaData()
    build(metadata)
    with pytest.raises(SqlgenError, match=message):
        declared_schema(metadata, MARIADB, "sqlgen_version")


def test_the_same_sequence_on_two_columns_is_one_sequence():
    metadata = sa.MetaData()
    shared = sa.Sequence("shared")
    sa.Table("a", metadata, sa.Column("id", sa.Integer, shared, primary_key=True))
    sa.Table("b", metadata, sa.Column("id", sa.Integer, shared, primary_key=True))
    schema, notes = declared_schema(metadata, MARIADB, "sqlgen_version")
    assert [s.name for s in schema.sequences] == ["shared"] and notes == []
    assert not schema.table("a").column("id").autoincrement  # the sequence counts, as in create_all


def test_before_mariadb_10_3_there_are_no_sequences_and_it_says_so():
    old = ServerInfo("mariadb", (10, 2, 44), "10.2.44-MariaDB", database="app",
                     charset_collations={"utf8mb4": "utf8mb4_general_ci"})
    metadata = sa.MetaData()
    sa.Sequence("alone", metadata=metadata)
    sa.Table("t", metadata, sa.Column("id", sa.Integer, sa.Sequence("t_seq"), primary_key=True))
    schema, notes = declared_schema(metadata, old, "sqlgen_version")
    assert schema.sequences == ()
    assert notes == ["mariadb 10.2.44-MariaDB has no sequences: the sequence alone is not created, as create_all leaves it out",
                     "mariadb 10.2.44-MariaDB has no sequences: the sequence t_seq of t.id is not created, and the column "
                     "counts by itself (AUTO_INCREMENT where it is the key), as create_all makes it"]


def test_rendered_with_only_what_the_server_would_not_fill_in():
    s = sequences.declared(sa.Sequence("s"), "s", "sequence s")
    assert sequences.create(s) == "CREATE SEQUENCE `s`"
    down = sequences.declared(sa.Sequence("d", increment=-2, cycle=False), "d", "sequence d")
    assert sequences.create(down) == "CREATE SEQUENCE `d` INCREMENT BY -2"  # never NO CYCLE, which MariaDB refuses
    looped = sequences.declared(sa.Sequence("l", start=4, minvalue=2, cycle=True, cache=0), "l", "sequence l")
    assert sequences.create(looped) == "CREATE SEQUENCE `l` START WITH 4 MINVALUE 2 CACHE 0 CYCLE"
    assert sequences.alter(looped, s) == "ALTER SEQUENCE `s` START WITH 1 MINVALUE 1 CACHE 1000 NOCYCLE"


def test_sequences_come_before_the_tables_that_use_them_and_go_after():
    sequence = Sequence("s", 1, 1, 1, 2**63 - 2, 1000)
    table = Table("t", (Column("id", "int", nullable=False, default="(nextval(`s`))"),), ("id",))
    old_table = Table("old", (Column("id", "int", nullable=False),), ("id",))
    old_sequence = Sequence("old_s", 1, 1, 1, 2**63 - 2, 1000)
    changed = Sequence("kept", 1, 1, 1, 2**63 - 2, 1000)
    # A kept table whose default stops taking old_s: the sequence goes only after that ALTER.
    user = Table("user", (Column("id", "int", nullable=False, default="(nextval(`old_s`))"),), ("id",))
    plain = Table("user", (Column("id", "int", nullable=False),), ("id",))
    current = Schema(tables=(old_table, user), sequences=(changed, old_sequence))
    target = Schema(tables=(table, plain), sequences=(Sequence("kept", 1, 2, 1, 2**63 - 2, 1000), sequence))
    operations = diff(current, target)
    assert [type(op) for op in operations] == [DropTable, AlterSequence, CreateSequence, CreateTable, AlterTable,
                                               DropSequence]
    assert operations[1].changed() == ("increment",)
    # Undone, the sequence comes back before the table's default takes it again.
    assert [type(op) for op in invert(operations)] == [CreateSequence, AlterTable, DropTable, DropSequence,
                                                       AlterSequence, CreateTable]
    assert invert(operations)[0].sequence == old_sequence  # the drop's inverse is the sequence as it was
    assert diff(target, target) == []
    # A sequence whose name a new table takes goes before it.
    renamed = diff(Schema(sequences=(old_sequence,)), Schema(tables=(Table("old_s", (Column("id", "int"),)),)))
    assert [type(op) for op in renamed] == [DropSequence, CreateTable]


def test_defaults_that_take_a_next_value_read_the_same_both_ways():
    assert sequences.calls_in("NEXT VALUE FOR s", "app") == "nextval(s)"
    assert sequences.calls_in("(nextval(`app`.`s`) + 1)", "app") == "(nextval(`s`) + 1)"
    assert sequences.calls_in("PREVIOUS VALUE FOR `app`.s", "app") == "lastval(s)"
    assert sequences.calls_in("nextval(`other`.`s`)", "app") == "nextval(`other`.`s`)"  # another database's stays
    assert sequences.calls_in("'NEXT VALUE FOR s'", "app") == "'NEXT VALUE FOR s'"  # text is text


# --- On MariaDB ------------------------------------------------------------------------

@pytest.mark.mysql
def test_create_all_then_generate_finds_nothing(scratch, tmp_path):
    for step in (1, 3):
        db = scratch.new()
        create_all(getattr(sequence_models, f"step_{step}"), db)
        out = Output()
        commands.generate(make_config(db, models(step), tmp_path / f"m{step}"), "x", echo=out)
        assert out.lines == ["No changes detected"], out.text


@pytest.mark.mysql
def test_sequences_round_trip_through_the_runner_and_the_client(scratch, run_client, tmp_path):
    db = scratch.new()
    config = make_config(db, models(1), tmp_path / "m")
    steps = {}
    for step in (1, 2, 3):
        config = make_config(db, models(step), tmp_path / "m")
        result = commands.generate(config, f"step {step}", echo=Output())
        steps[step] = result.paths
        if step == 2:
            # The invoices already numbered: a changed sequence goes on from where it is.
            execute(db, "INSERT INTO invoice (id) VALUES (1), (2)")
        commands.upgrade(config, echo=Output())
        again = Output()
        commands.generate(config, "again", echo=again)
        assert again.lines[-1] == "No changes detected", f"step {step}:\n{again.text}"
        if step in (1, 3):
            fresh = scratch.new()
            create_all(getattr(sequence_models, f"step_{step}"), fresh)
            assert options_of(db) == options_of(fresh)
            assert_same_schema(schema_of(db, exclude=("sqlgen_version",)), schema_of(fresh))
    up2 = steps[2][0].read_text()
    assert "ALTER SEQUENCE `order_number` INCREMENT BY 7 MAXVALUE 10000000 CACHE 0 NOCYCLE" in up2
    assert "CREATE SEQUENCE `later` START WITH -5 MINVALUE -10" in up2
    up3 = steps[3][0].read_text()
    assert "-- DESTRUCTIVE drop-sequence unbounded" in up3 and "DROP SEQUENCE `unbounded`" in up3
    assert execute(db, "SELECT number FROM invoice ORDER BY id")[0] == [(100,), (105,)]
    # Not started over: it goes on past the 20 values (100, 105, ... 195) its cache had taken.
    assert execute(db, "SELECT NEXTVAL(order_number)")[0] == [(200,)]

    lint = Output()
    assert commands.lint(config, (str(steps[3][0]),), echo=lint) == 1
    assert "drop-sequence unbounded" in lint.text

    # Down to nothing: every sequence goes.
    commands.downgrade(config, "base", echo=Output())
    assert options_of(db) == {}
    assert execute(db, "SHOW TABLES")[0] == [("sqlgen_version",)]

    # The same files by hand, in order, give the same sequences and tracking rows.
    by_hand = scratch.new()
    for step in (1, 2, 3):
        run_client(by_hand, steps[step][0])
    replayed = scratch.new()
    for step in (1, 2, 3):
        commands.upgrade(make_config(replayed, models(3), tmp_path / "m"), f"{step}", echo=Output())
    assert options_of(by_hand) == options_of(replayed) == options_of(scratch_create_all(scratch, 3))
    rows = "SELECT version, name, checksum, state FROM sqlgen_version ORDER BY version"
    assert execute(by_hand, rows)[0] == execute(replayed, rows)[0]
    for step in (3, 2, 1):
        run_client(by_hand, steps[step][1])
    assert options_of(by_hand) == {}


def scratch_create_all(scratch, step: int):
    fresh = scratch.new()
    create_all(getattr(sequence_models, f"step_{step}"), fresh)
    return fresh


@pytest.mark.mysql
def test_a_sequence_made_by_hand_is_adopted_and_one_not_modelled_is_dropped_with_a_flag(scratch, tmp_path):
    db = scratch.new()
    execute(db, "CREATE SEQUENCE ticket_id_seq", "CREATE SEQUENCE legacy_seq START WITH 40")
    metadata_module = models(1)
    out = Output()
    result = commands.generate(make_config(db, metadata_module, tmp_path / "m"), "adopt", echo=out)
    assert "+ sequence ticket_id_seq" not in out.text and "- sequence legacy_seq" in out.text
    up, down = (path.read_text() for path in result.paths)
    assert "DROP SEQUENCE `legacy_seq`" in up
    assert "CREATE SEQUENCE `legacy_seq` START WITH 40 MINVALUE 40" not in down  # start only: min stays 1
    assert "CREATE SEQUENCE `legacy_seq` START WITH 40" in down


@pytest.mark.mysql
def test_a_range_that_leaves_the_sequence_behind_restarts_it_past_its_values_or_is_refused(scratch, tmp_path,
                                                                                         monkeypatch):
    monkeypatch.syspath_prepend(str(tmp_path))
    db = scratch.new()
    # Never used: each has got to its start (1, -1), below the new MINVALUE (above the new MAXVALUE).
    execute(db, "CREATE SEQUENCE m_seq", "CREATE SEQUENCE d_seq INCREMENT BY -1")

    def models(name: str, m: str, d: str) -> str:
        (tmp_path / f"{name}.py").write_text("import sqlalchemy as sa\nmetadata = sa.MetaData()\n"
                                             f"sa.Sequence('m_seq', metadata=metadata{m})\n"
                                             f"sa.Sequence('d_seq', increment=-1, metadata=metadata{d})\n")
        return f"{name}:metadata"

    raised = make_config(db, models("raised", ", start=1000, minvalue=1000", ", start=-1000, maxvalue=-1000"),
                         tmp_path / "m")
    result = commands.generate(raised, "raise", echo=Output())
    up = result.paths[0].read_text()
    assert "ALTER SEQUENCE `m_seq` START WITH 1000 MINVALUE 1000 RESTART WITH 1000" in up
    assert "ALTER SEQUENCE `d_seq` START WITH -1000 MAXVALUE -1000 RESTART WITH -1000" in up
    commands.upgrade(raised, echo=Output())
    assert execute(db, "SELECT NEXTVAL(m_seq), NEXTVAL(d_seq)")[0] == [(1000, -1000)]
    again = Output()
    commands.generate(raised, "again", echo=again)
    assert again.lines == ["No changes detected"]
    commands.downgrade(raised, "0", echo=Output())  # the old range holds where it has got to

    execute(db, "ALTER SEQUENCE m_seq RESTART WITH 500")
    lowered = make_config(db, models("lowered", ", maxvalue=100", ""), tmp_path / "m")
    with pytest.raises(SqlgenError, match=r"^sequence m_seq has already reached 500, past its new MAXVALUE 100") as caught:
        commands.generate(lowered, "lower", echo=Output())
    assert "\n" not in str(caught.value)
    assert sorted(p.name for p in (tmp_path / "m").glob("*.sql")) == ["0001_raise.down.sql", "0001_raise.up.sql"]
