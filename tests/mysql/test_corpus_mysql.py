"""The round-trip corpus: a shop's models evolve over many steps (tests/support/corpus.py).

At each step: generate, then upgrade with the runner; generate again finds
nothing; the schema equals a fresh create_all of the same models (through
information_schema, column order included); rows inserted at earlier steps
survive. Then downgrade step by step, checking each earlier schema. Finally
the same files, applied by hand with the mariadb client into a fresh
database, give the same schema and tracking rows again.
"""

from __future__ import annotations

import sys

import pytest

import corpus
from sqlgen import commands
from support import Output, assert_same_schema, create_all, execute, make_config, snapshot

pytestmark = pytest.mark.mysql


def models_module(step: int) -> str:
    """A `module:attr` for the models at `step` (attributes made on first use)."""
    name = f"step_{step:02d}"
    if not hasattr(corpus, name):
        setattr(corpus, name, corpus.build(step))
    return f"corpus:{name}"


def expected_schema(scratch, step: int) -> dict:
    fresh = scratch.new()
    if step:
        create_all(corpus.build(step), fresh)
    return snapshot(fresh, generated_names=False)


def check_probes(db, up_to: int) -> None:
    for step in range(1, up_to + 1):
        for query, answer in corpus.PROBES.get(step, []):
            rows = [tuple(float(v) if hasattr(v, "as_integer_ratio") and not isinstance(v, int) else v for v in row)
                    for row in execute(db, query)[0]]
            assert rows == answer, f"after step {up_to}: {query} gave {rows}, expected {answer}"


def test_corpus_round_trip(scratch, run_client, tmp_path):
    db = scratch.new()
    directory = tmp_path / "migrations"
    snapshots = {0: snapshot(db, generated_names=False)}
    for step in range(1, corpus.STEPS + 1):
        config = make_config(db, models_module(step), directory)
        out = Output()
        result = commands.generate(config, f"step {step}", echo=out)
        assert result.paths, f"step {step} generated nothing: {out.text}"
        commands.upgrade(config, echo=Output())

        again = Output()
        commands.generate(config, "again", echo=again)
        assert again.lines[-1] == "No changes detected", f"step {step} did not converge:\n{again.text}"

        snapshots[step] = snapshot(db, generated_names=False)
        assert_same_schema(snapshots[step], expected_schema(scratch, step))

        for statement in corpus.ROWS.get(step, []):
            execute(db, statement)
        check_probes(db, step)

    # Going down narrows types and enums again: the rows that use what goes away would
    # make MySQL refuse (strict mode), as it should. Survival was checked on the way up.
    execute(db, "DELETE FROM order_line", "DELETE FROM `order`", "DELETE FROM product", "DELETE FROM customer")
    config = make_config(db, models_module(corpus.STEPS), directory)
    for step in range(corpus.STEPS - 1, -1, -1):
        commands.downgrade(config, str(step), echo=Output())
        assert_same_schema(snapshot(db, generated_names=False), snapshots[step])

    by_hand = scratch.new()
    for path in sorted(directory.glob("*.up.sql")):
        run_client(by_hand, path)
    assert_same_schema(snapshot(by_hand, generated_names=False), expected_schema(scratch, corpus.STEPS))
    rows = execute(by_hand, "SELECT version, name, state FROM sqlgen_version ORDER BY version")[0]
    assert rows == [(n, path.name[:-len(".up.sql")], "applied")
                    for n, path in enumerate(sorted(directory.glob("*.up.sql")), 1)]


def test_corpus_covers_at_least_fifteen_steps():
    assert corpus.STEPS >= 15
    assert "corpus" in sys.modules
