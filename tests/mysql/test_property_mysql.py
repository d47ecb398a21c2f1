"""Property test: for random models built from the type, default, index and key
vocabulary, `generate` against a database made by `create_all` of the same
models finds nothing. Hypothesis shrinks any failure to a small case."""

from __future__ import annotations

import os
import sys
import types

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, reject, settings
from hypothesis import strategies as st
from sqlalchemy.dialects import mysql

from sqlgen import commands
from support import Output, create_all, make_config

pytestmark = pytest.mark.mysql

MODULE = types.ModuleType("property_models")
sys.modules["property_models"] = MODULE

# (type factory, indexable, candidate server defaults)
VOCABULARY = {
    "int": (lambda: sa.Integer(), True, [None, sa.text("0"), sa.text("-1"), "7"]),
    "bigint": (lambda: sa.BigInteger(), True, [None, sa.text("0")]),
    "smallint": (lambda: sa.SmallInteger(), True, [None, sa.text("3")]),
    "unsigned": (lambda: mysql.INTEGER(unsigned=True), True, [None, sa.text("1")]),
    "bool": (lambda: sa.Boolean(), True, [None, sa.true(), sa.false()]),
    "varchar": (lambda: sa.String(40), True, [None, "x", "it's", ""]),
    "char": (lambda: sa.CHAR(4), True, [None, "abcd"]),
    "text": (lambda: sa.Text(), False, [None]),
    "decimal": (lambda: sa.Numeric(10, 2), True, [None, "1.5", sa.text("0")]),
    "float": (lambda: sa.Float(), True, [None, sa.text("2.5")]),
    "datetime": (lambda: sa.DateTime(), True, [None, sa.func.now(), "2020-01-02 03:04:05"]),
    "date": (lambda: sa.Date(), True, [None, "2020-01-02"]),
    "time": (lambda: sa.Time(), True, [None, "01:02:03"]),
    "enum": (lambda: sa.Enum("a", "b", "c", name="e"), True, [None, "b"]),
    "json": (lambda: sa.JSON(), False, [None]),
    "blob": (lambda: sa.LargeBinary(), False, [None]),
    "timestamp": (lambda: mysql.TIMESTAMP(fsp=3), True, [None, sa.text("CURRENT_TIMESTAMP(3)")]),
}

column_spec = st.fixed_dictionaries({
    "kind": st.sampled_from(sorted(VOCABULARY)),
    "nullable": st.booleans(),
    "default": st.integers(0, 3),
    "comment": st.sampled_from([None, "a comment", "it's quoted"]),
})
table_spec = st.fixed_dictionaries({
    "columns": st.lists(column_spec, min_size=1, max_size=6),
    "indexes": st.lists(st.tuples(st.lists(st.integers(0, 5), min_size=1, max_size=3, unique=True), st.booleans()),
                        max_size=3),
    "parents": st.lists(st.tuples(st.integers(0, 5), st.sampled_from([None, "CASCADE", "SET NULL", "NO ACTION"])),
                        max_size=2),
    "charset": st.sampled_from([None, "latin1"]),
    "comment": st.sampled_from([None, "table comment"]),
})


def build(specs: list[dict]) -> sa.MetaData:
    metadata = sa.MetaData()
    for number, spec in enumerate(specs):
        columns = [sa.Column("id", sa.Integer, primary_key=True)]
        indexable = []
        for position, column in enumerate(spec["columns"]):
            factory, can_index, defaults = VOCABULARY[column["kind"]]
            default = defaults[column["default"] % len(defaults)]
            name = f"c{position}"
            columns.append(sa.Column(name, factory(), nullable=column["nullable"] or default is None,
                                     server_default=default, comment=column["comment"]))
            if can_index:
                indexable.append(name)
        extra = []
        for i, (picks, unique) in enumerate(spec["indexes"]):
            chosen = list(dict.fromkeys(indexable[p % len(indexable)] for p in picks)) if indexable else []
            if chosen:
                extra.append(sa.Index(f"ix_t{number}_{i}", *chosen, unique=unique))
        for i, (parent, on_delete) in enumerate(spec["parents"][:number]):
            target = f"t{parent % number}"
            columns.append(sa.Column(f"p{i}", sa.Integer, sa.ForeignKey(f"{target}.id", ondelete=on_delete)))
        options = {"comment": spec["comment"]}
        if spec["charset"]:
            options["mysql_charset"] = spec["charset"]
        sa.Table(f"t{number}", metadata, *columns, *extra, **options)
    return metadata


@settings(max_examples=int(os.environ.get("SQLGEN_PROPERTY_EXAMPLES", "30")), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(table_spec, min_size=1, max_size=4))
def test_generate_finds_nothing_after_create_all(scratch, tmp_path, specs):
    metadata = build(specs)
    db = scratch.new()
    try:
        create_all(metadata, db)
    except sa.exc.OperationalError:
        reject()  # a combination the server itself rejects (e.g. key too long): not a case
    MODULE.metadata = metadata
    out = Output()
    commands.generate(make_config(db, "property_models:metadata", tmp_path / "m"), "x", echo=out)
    # Notes say what the server adjusts (a duplicate index, a default rounded...); nothing else is found.
    assert out.lines[-1] == "No changes detected" and all(line.startswith("note: ") for line in out.lines[:-1]), \
        out.text
