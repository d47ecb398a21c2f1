"""A deterministic, varied schema of N tables for the benchmarks.

`build_metadata(count, seed=7)` returns a SQLAlchemy MetaData of tables `t0000`, `t0001`, ...:
an integer primary key, then 7-15 columns of varied types (strings of several lengths, integers,
big integers, booleans, decimals, dates, datetimes, text), some NOT NULL, some with a server
default, a table comment, an index on `c0`, a composite index on half of the tables, and a
foreign key `parent_id` to an earlier table (every table but the first). The same count and seed
always give the same schema.

`write_models_module(folder, count)` writes `bench_models.py` into folder, a module whose
`metadata` attribute is that schema, so sqlgen (`--models bench_models:metadata`) and an Alembic
env.py (`from bench_models import metadata`) can import the very same models.
"""

from __future__ import annotations

import random
from pathlib import Path

import sqlalchemy as sa

MODULE_NAME = "bench_models"

INDEXABLE = [
    lambda r: sa.String(r.choice([20, 50, 120])),
    lambda r: sa.Integer(),
    lambda r: sa.DateTime(),
]
TYPES = INDEXABLE + [
    lambda r: sa.String(255),
    lambda r: sa.BigInteger(),
    lambda r: sa.Boolean(),
    lambda r: sa.Numeric(10, 2),
    lambda r: sa.DateTime(),
    lambda r: sa.Text(),
    lambda r: sa.Date(),
]


def build_metadata(count: int, seed: int = 7) -> sa.MetaData:
    """The schema of `count` tables; deterministic for a given (count, seed)."""
    rng = random.Random(seed)
    metadata = sa.MetaData()
    for n in range(count):
        columns = [sa.Column("id", sa.Integer, primary_key=True)]
        for c in range(rng.randint(7, 15)):
            column_type = rng.choice(INDEXABLE if c < 3 else TYPES)(rng)
            default = sa.text("0") if isinstance(column_type, (sa.Integer, sa.Boolean)) and rng.random() < 0.3 else None
            columns.append(sa.Column(f"c{c}", column_type, nullable=rng.random() < 0.5, server_default=default))
        if n:
            columns.append(sa.Column("parent_id", sa.Integer, sa.ForeignKey(f"t{rng.randrange(n):04d}.id")))
        table = sa.Table(f"t{n:04d}", metadata, *columns, comment=f"table {n}")
        sa.Index(f"ix_t{n:04d}_c0", table.c.c0)
        if rng.random() < 0.5:
            sa.Index(f"ix_t{n:04d}_c1_c2", table.c.c1, table.c.c2)
    return metadata


def write_models_module(folder: str | Path, count: int, seed: int = 7) -> Path:
    """Write `bench_models.py` into folder, with `metadata = build_metadata(count, seed)`.

    The module finds this file through an absolute path, so it imports from any working
    directory; put folder on sys.path (or run the tool with folder as its working directory).
    """
    path = Path(folder) / f"{MODULE_NAME}.py"
    path.write_text(
        "import sys\n"
        f"sys.path.insert(0, {str(Path(__file__).resolve().parent)!r})\n"
        "from schema_gen import build_metadata\n"
        f"metadata = build_metadata({int(count)}, seed={int(seed)})\n"
    )
    return path
