"""Time `sqlgen generate` on an up-to-date schema and count the statements it sends.

    python bench/generate_scale.py [--tables 100 500] [--repeat 5]

Builds a deterministic schema of N tables (8-16 columns of varied types, one or
two indexes, a foreign key to an earlier table) with SQLAlchemy's create_all in
a scratch database, then runs `sqlgen generate --dry-run` as a subprocess, which
must answer "No changes detected". Reports the median wall time and the number
of statements the server received (its `Questions` counter, read before and
after, minus the two reads themselves). The scratch database is dropped at the
end. Server: SQLGEN_TEST_MYSQL_URL (default mysql+pymysql://root@127.0.0.1:3306/).

Comparisons with Alembic and others come with the speed benchmarks (issue 7).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import sqlalchemy as sa

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


def questions(engine) -> int:
    with engine.connect() as connection:
        return int(connection.exec_driver_sql("SHOW GLOBAL STATUS LIKE 'Questions'").fetchone()[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tables", type=int, nargs="+", default=[100, 500])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    base = sa.engine.make_url(os.environ.get("SQLGEN_TEST_MYSQL_URL", "mysql+pymysql://root@127.0.0.1:3306/"))
    admin = sa.create_engine(base.set(database=None), poolclass=sa.pool.NullPool)
    print(f"{'tables':>6}  {'median s':>9}  {'min s':>7}  {'statements':>10}")
    for count in args.tables:
        name = f"sqlgen_bench_{uuid.uuid4().hex[:8]}"
        with admin.connect() as connection:
            connection.exec_driver_sql(f"CREATE DATABASE `{name}`")
        try:
            url = base.set(database=name)
            engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
            metadata = build_metadata(count)
            metadata.create_all(engine)
            with tempfile.TemporaryDirectory() as folder:
                module = Path(folder) / "bench_models.py"
                module.write_text(
                    f"import sys\nsys.path.insert(0, {str(Path(__file__).parent)!r})\n"
                    f"from generate_scale import build_metadata\nmetadata = build_metadata({count})\n"
                )
                command = [sys.executable, "-m", "sqlgen", "--url", url.render_as_string(hide_password=False),
                           "--models", "bench_models:metadata", "--dir", str(Path(folder) / "m"),
                           "generate", "--dry-run"]
                times, sent = [], []
                for _ in range(args.repeat):
                    before = questions(admin)
                    start = time.perf_counter()
                    result = subprocess.run(command, cwd=folder, capture_output=True, text=True)
                    times.append(time.perf_counter() - start)
                    sent.append(questions(admin) - before - 1)  # minus the first SHOW STATUS itself
                    if result.stdout.strip() != "No changes detected":
                        raise SystemExit(f"expected no changes, got:\n{result.stdout}{result.stderr}")
            print(f"{count:>6}  {statistics.median(times):>9.3f}  {min(times):>7.3f}  {statistics.median(sent):>10.0f}")
            engine.dispose()
        finally:
            with admin.connect() as connection:
                connection.exec_driver_sql(f"DROP DATABASE IF EXISTS `{name}`")
    admin.dispose()


if __name__ == "__main__":
    main()
