"""Time `sqlgen upgrade` against dbmate and the `mariadb` client applying the same SQL.

    bench/install_peers.sh                      # dbmate into bench/.peers/ (once)
    python bench/bench_runner.py [--repeat 3] [--part all|small|data] [--big-mb 100 | --no-big]
                                 [--no-single-row] [--profile] [--json results.json] [--check]

Part A, "many small migrations": 300 migrations, each a CREATE TABLE of a few
columns plus a CREATE INDEX, generated deterministically in each tool's format:
sqlgen files `0001_t0001.up.sql`/`.down.sql` run by `sqlgen upgrade`, dbmate files
`20200101000001_t0001.sql` (`-- migrate:up` / `-- migrate:down`) run by
`dbmate --no-dump-schema up`, and the same 600 statements in one file piped to the
`mariadb` client (plus, as a secondary row, one client process per file). The
migration tools also keep their tracking tables; the client keeps none.

Part B, "one large data migration": one table, then a data file of 50,000 rows
(about 5 MB) whose strings hold '' and \\' quotes, `--`, `/* */`, `#` and `;`.
Main shape: extended INSERTs of 100 rows (500 statements, one line each, like
mysqldump); secondary shape: one INSERT per row (50,000 statements). sqlgen runs
0001 (the table) and 0002 (the data) with `sqlgen upgrade`; the client reads the
same two files as one stream. Both must end with 50,000 rows and the same
CHECKSUM TABLE, and the first rows are compared with the generator's values.
The 100 MB variant (1,000,000 rows) measures sqlgen alone, for its peak memory.

Every run starts from a fresh, empty database `sqlgen_bench_<random>`, dropped
afterwards. Each measured command runs as a child process, timed by wall clock;
its peak memory is the maximum resident set size GNU time (`/usr/bin/time -f %M`)
reports for it. The tables show the median (and min) of --repeat runs, and
ratios to the peers measured in the same run. Server: SQLGEN_TEST_MYSQL_URL
(default mysql+pymysql://root@127.0.0.1:3306/).

Targets (PASS/FAIL lines; --check exits 1 on a FAIL): part A sqlgen <= 1.3 x
client (one stream) and <= 1.0 x dbmate; part B sqlgen <= 1.0 x client on the
extended INSERTs; the 100 MB file applied in <= 150 MiB peak RSS.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator
from urllib.parse import quote, unquote, urlsplit

HERE = Path(__file__).resolve().parent
DBMATE = HERE / ".peers" / "bin" / "dbmate"
GNU_TIME = "/usr/bin/time"  # GNU time, for the peak RSS of a command (apt install time)
DEFAULT_SERVER = "mysql+pymysql://root@127.0.0.1:3306/"
MIB = 1024 * 1024

SMALL_MIGRATIONS = 300
DATA_ROWS = 50_000
ROWS_PER_INSERT = 100
BIG_ROWS_PER_MB = 10_000  # about 100 bytes a row


# --- Server and scratch databases ------------------------------------------------------

@dataclass(frozen=True)
class Server:
    host: str
    port: int
    user: str
    password: str

    @classmethod
    def from_url(cls, url: str) -> "Server":
        parts = urlsplit(url)
        return cls(parts.hostname or "127.0.0.1", parts.port or 3306,
                   unquote(parts.username or "root"), unquote(parts.password or ""))

    def _userinfo(self) -> str:
        password = f":{quote(self.password, safe='')}" if self.password else ""
        return f"{quote(self.user, safe='')}{password}"

    def sqlgen_url(self, database: str) -> str:
        return f"mysql+pymysql://{self._userinfo()}@{self.host}:{self.port}/{database}"

    def dbmate_url(self, database: str) -> str:
        return f"mysql://{self._userinfo()}@{self.host}:{self.port}/{database}"

    def client(self, database: str) -> list[str]:
        command = ["mariadb", "-h", self.host, "-P", str(self.port), "-u", self.user]
        if self.password:
            command.append(f"-p{self.password}")
        return command + [database]

    def query(self, sql: str, database: str | None = None) -> list[tuple]:
        import pymysql

        connection = pymysql.connect(host=self.host, port=self.port, user=self.user,
                                     password=self.password, database=database, autocommit=True)
        try:
            with connection.cursor() as cursor:
                cursor.execute(sql)
                return list(cursor.fetchall())
        finally:
            connection.close()


def server_from_env() -> Server:
    return Server.from_url(os.environ.get("SQLGEN_TEST_MYSQL_URL", DEFAULT_SERVER))


@contextmanager
def scratch_database(server: Server) -> Iterator[str]:
    """A fresh empty database named sqlgen_bench_<random>, always dropped afterwards."""
    name = f"sqlgen_bench_{uuid.uuid4().hex[:12]}"
    server.query(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci")
    try:
        yield name
    finally:
        server.query(f"DROP DATABASE IF EXISTS `{name}`")


# --- Measuring child processes ------------------------------------------------------------

@dataclass
class Run:
    seconds: float
    max_rss_kib: int


def measure(command: list[str], stdin: Path | None = None, cwd: Path | None = None) -> Run:
    """Run `command` to completion: its wall time and peak RSS. Fails loudly.

    The peak RSS comes from GNU time (`/usr/bin/time -f %M`), not from os.wait4 on
    our own child: a child started by vfork/exec inherits this process's high-water
    RSS as its floor, so wait4 would report at least the benchmark's own size.
    """
    env = {key: value for key, value in os.environ.items() if not key.startswith("SQLGEN_")}
    with tempfile.TemporaryDirectory() as scratch, tempfile.TemporaryFile() as output, \
            (stdin.open("rb") if stdin else open(os.devnull, "rb")) as source:
        rss_file = Path(scratch) / "rss"
        start = time.perf_counter()
        process = subprocess.Popen([GNU_TIME, "-f", "%M", "-o", str(rss_file), *command], stdin=source,
                                   stdout=output, stderr=subprocess.STDOUT, cwd=cwd, env=env)
        returncode = process.wait()
        seconds = time.perf_counter() - start
        if returncode != 0:
            output.seek(0)
            text = output.read().decode("utf-8", "replace")
            raise SystemExit(f"command failed ({returncode}): {' '.join(command)}\n{text[-3000:]}")
        max_rss_kib = int(rss_file.read_text().split()[-1])
    return Run(seconds, max_rss_kib)


@dataclass
class Result:
    """The runs of one tool on one workload."""
    label: str
    runs: list[Run] = field(default_factory=list)

    @property
    def median(self) -> float:
        return statistics.median(run.seconds for run in self.runs)

    @property
    def best(self) -> float:
        return min(run.seconds for run in self.runs)

    @property
    def peak_mib(self) -> float:
        return max(run.max_rss_kib for run in self.runs) / 1024

    def as_json(self) -> dict:
        return {"label": self.label, "median_s": round(self.median, 4), "min_s": round(self.best, 4),
                "runs_s": [round(run.seconds, 4) for run in self.runs], "peak_rss_mib": round(self.peak_mib, 1)}


def print_table(title: str, results: list[Result], peers: dict[str, Result]) -> None:
    """Median and min wall time, peak RSS, and the ratio of each median to each peer's."""
    print(f"\n{title}")
    ratio_heads = "".join(f"  {'x ' + name:>10}" for name in peers)
    print(f"  {'tool':<34}  {'median s':>9}  {'min s':>8}  {'peak MiB':>8}{ratio_heads}")
    for result in results:
        ratios = "".join(f"  {result.median / peer.median:>10.2f}" for peer in peers.values())
        print(f"  {result.label:<34}  {result.median:>9.3f}  {result.best:>8.3f}  {result.peak_mib:>8.1f}{ratios}")


@dataclass
class Verdicts:
    lines: list[dict] = field(default_factory=list)

    def target(self, name: str, value: float, limit: float, unit: str = "x") -> None:
        ok = value <= limit
        self.lines.append({"target": name, "value": round(value, 3), "limit": limit, "pass": ok})
        print(f"{'PASS' if ok else 'FAIL'}: {name}: {value:.2f}{unit} (target <= {limit:g}{unit})")

    @property
    def failed(self) -> bool:
        return not all(line["pass"] for line in self.lines)


def sqlgen_command(sqlgen: str, url: str, directory: Path) -> list[str]:
    return [sqlgen, "--url", url, "--dir", str(directory), "upgrade"]


def source_state() -> str:
    """The commit measured, and whether sqlgen/ had uncommitted changes."""
    def git(*command: str) -> str:
        result = subprocess.run(["git", *command], cwd=HERE.parent, capture_output=True, text=True)
        return result.stdout.strip() if result.returncode == 0 else ""

    commit = git("rev-parse", "--short", "HEAD") or "unknown"
    dirty = git("status", "--porcelain", "--", "sqlgen")
    return f"{commit}{' + uncommitted changes in sqlgen/' if dirty else ''}"


def find_sqlgen() -> str:
    beside = Path(sys.executable).with_name("sqlgen")
    found = str(beside) if beside.exists() else shutil.which("sqlgen")
    if not found:
        raise SystemExit("sqlgen is not installed in this Python environment (pip install -e .)")
    return found


# --- Part A: many small migrations --------------------------------------------------------

def small_migration(n: int) -> tuple[str, str]:
    """Up and down SQL of migration n: a table of a few columns and one index."""
    table = f"t{n:04d}"
    extra = ("`code` char(8) NOT NULL", "`price` decimal(10,2) DEFAULT NULL", "`flag` tinyint(1) NOT NULL DEFAULT 0")
    up = (
        f"CREATE TABLE `{table}` (\n"
        f"  `id` int NOT NULL AUTO_INCREMENT,\n"
        f"  `name` varchar(100) NOT NULL,\n"
        f"  {extra[n % 3]},\n"
        f"  `created_at` datetime NOT NULL DEFAULT CURRENT_TIMESTAMP,\n"
        f"  PRIMARY KEY (`id`)\n"
        f") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;\n"
        f"\n"
        f"CREATE INDEX `ix_{table}_name` ON `{table}` (`name`);\n"
    )
    down = f"DROP TABLE `{table}`;\n"
    return up, down


def write_small_migrations(root: Path, count: int) -> dict[str, Path]:
    """The same migrations in each tool's layout under `root`."""
    sqlgen_dir = root / "sqlgen" / "migrations"
    dbmate_dir = root / "dbmate" / "db" / "migrations"
    client_dir = root / "client"
    for folder in (sqlgen_dir, dbmate_dir, client_dir):
        folder.mkdir(parents=True)
    (sqlgen_dir / "DIALECT").write_text("mysql\n")
    ups = []
    for n in range(1, count + 1):
        up, down = small_migration(n)
        ups.append(up)
        (sqlgen_dir / f"{n:04d}_t{n:04d}.up.sql").write_text(up)
        (sqlgen_dir / f"{n:04d}_t{n:04d}.down.sql").write_text(down)
        (dbmate_dir / f"{20200101000000 + n}_t{n:04d}.sql").write_text(
            f"-- migrate:up\n{up}\n-- migrate:down\n{down}")
    (client_dir / "all.sql").write_text("\n".join(ups))
    return {"sqlgen": sqlgen_dir, "dbmate": dbmate_dir, "client": client_dir / "all.sql"}


def table_count(server: Server, database: str) -> int:
    """Tables t0001... in `database` (the tools' tracking tables not counted)."""
    return server.query("SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() "
                        "AND TABLE_NAME REGEXP '^t[0-9]+$'", database)[0][0]


def bench_small(server: Server, sqlgen: str, repeat: int, count: int, verdicts: Verdicts) -> dict:
    with tempfile.TemporaryDirectory(prefix="sqlgen_bench_") as folder:
        paths = write_small_migrations(Path(folder), count)
        sqlgen_up_files = sorted(paths["sqlgen"].glob("*.up.sql"))
        results = {name: Result(label) for name, label in [
            ("sqlgen", "sqlgen upgrade"),
            ("dbmate", "dbmate up"),
            ("client", "mariadb < one file"),
            ("client_per_file", f"mariadb, {count} processes"),
        ]}
        for _ in range(repeat):
            for name, result in results.items():  # interleaved, so drift hits every tool alike
                with scratch_database(server) as database:
                    if name == "sqlgen":
                        run = measure(sqlgen_command(sqlgen, server.sqlgen_url(database), paths["sqlgen"]),
                                      cwd=Path(folder))
                    elif name == "dbmate":
                        run = measure([str(DBMATE), "--url", server.dbmate_url(database), "--migrations-dir",
                                       str(paths["dbmate"]), "--no-dump-schema", "up"], cwd=Path(folder))
                    elif name == "client":
                        run = measure(server.client(database), stdin=paths["client"])
                    else:
                        runs = [measure(server.client(database), stdin=path) for path in sqlgen_up_files]
                        run = Run(sum(r.seconds for r in runs), max(r.max_rss_kib for r in runs))
                    found = table_count(server, database)
                    if found != count:
                        raise SystemExit(f"{result.label}: expected {count} tables, found {found}")
                    result.runs.append(run)
    peers = {"client": results["client"], "dbmate": results["dbmate"]}
    print_table(f"Part A: {count} small migrations (CREATE TABLE + CREATE INDEX each), {repeat} run(s)",
                list(results.values()), peers)
    verdicts.target("A sqlgen / client (one stream)", results["sqlgen"].median / results["client"].median, 1.3)
    verdicts.target("A sqlgen / dbmate", results["sqlgen"].median / results["dbmate"].median, 1.0)
    return {name: result.as_json() for name, result in results.items()}


# --- Part B: one large data migration ----------------------------------------------------

TABLE_SQL = """CREATE TABLE `big` (
  `id` int NOT NULL,
  `name` varchar(100) NOT NULL,
  `body` varchar(255) NOT NULL,
  `note` varchar(100) DEFAULT NULL,
  `amount` decimal(12,2) NOT NULL,
  `created` datetime NOT NULL,
  PRIMARY KEY (`id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
"""
COLUMNS = "(`id`, `name`, `body`, `note`, `amount`, `created`)"

WORDS = ["alpha", "beta", "gamma", "delta", "omega", "zeta", "kappa", "sigma", "lorem", "ipsum", "data", "row"]
TRICKY = ["O'Brien", "it's", "-- not a comment", "/* not a comment */", "a; b", "end;", "#hash", "say \"hi\"",
          "back\\slash", "'quoted'", ";--", "*/ odd /*", "x';", "c:\\dir\\"]
# sqlparse reads \\' at the end of a string as an escaped quote and runs on to the next quote,
# so the text bench_split.py gives it has no value ending in a backslash (same random sequence).
TRICKY_NO_TRAILING_BACKSLASH = [text.rstrip("\\") for text in TRICKY]


def row_values(rng: random.Random, row_id: int, tricky: list[str] = TRICKY) -> tuple:
    """One row's values, as Python objects (what the table must hold afterwards)."""
    def text(words: int) -> str:
        parts = [rng.choice(WORDS) for _ in range(words)]
        parts.insert(rng.randrange(len(parts) + 1), rng.choice(tricky))
        return " ".join(parts)

    note = None if row_id % 10 == 0 else text(1)
    amount = f"{rng.randrange(10_000_000) / 100:.2f}"
    created = f"2024-{1 + row_id % 12:02d}-{1 + row_id % 28:02d} {row_id % 24:02d}:{row_id % 60:02d}:{(row_id * 7) % 60:02d}"
    return row_id, text(2), text(4), note, amount, created


def sql_literal(value, rng: random.Random) -> str:
    """A MySQL literal: strings escape ' either by doubling it or with a backslash, at random."""
    if value is None:
        return "NULL"
    if isinstance(value, int):
        return str(value)
    escaped = value.replace("\\", "\\\\")
    escaped = escaped.replace("'", "''") if rng.random() < 0.5 else escaped.replace("'", "\\'")
    return f"'{escaped}'"


def data_statements(rows: int, rows_per_insert: int, seed: int = 7, *, row_per_line: bool = False,
                    tricky: list[str] = TRICKY) -> Iterator[str]:
    """INSERT statements holding `rows` rows, deterministic for a seed. Each is one line
    ending in ';\\n' (like mysqldump), or with `row_per_line` one line per row."""
    rng = random.Random(seed)
    separator = ",\n" if row_per_line else ","
    batch: list[str] = []
    for row_id in range(1, rows + 1):
        values = row_values(rng, row_id, tricky)
        literals = [value if i == 4 else sql_literal(value, rng) for i, value in enumerate(values)]  # amount: a number
        batch.append("(" + ",".join(literals) + ")")
        if len(batch) == rows_per_insert:
            yield f"INSERT INTO `big` {COLUMNS} VALUES {separator.join(batch)};\n"
            batch = []
    if batch:
        yield f"INSERT INTO `big` {COLUMNS} VALUES {separator.join(batch)};\n"


def expected_rows(count: int, seed: int = 7) -> list[tuple]:
    """The first `count` rows the generator writes, for checking what the table holds."""
    rng = random.Random(seed)
    rows = []
    for row_id in range(1, count + 1):
        values = row_values(rng, row_id)
        for i, value in enumerate(values):  # advance the generator as data_statements does
            if i != 4:
                sql_literal(value, rng)
        rows.append(values)
    return rows


def data_text(rows: int = DATA_ROWS, rows_per_insert: int = ROWS_PER_INSERT, seed: int = 7, **shape) -> str:
    """The part B data file as one string (see data_statements for `shape`)."""
    return "".join(data_statements(rows, rows_per_insert, seed, **shape))


def write_data_migrations(folder: Path, rows: int, rows_per_insert: int) -> dict[str, Path]:
    """0001 creates the table, 0002 inserts the rows; plus both as one stream for the client."""
    migrations = folder / "migrations"
    migrations.mkdir(parents=True)
    (migrations / "DIALECT").write_text("mysql\n")
    (migrations / "0001_create_big.up.sql").write_text(TABLE_SQL)
    (migrations / "0001_create_big.down.sql").write_text("DROP TABLE `big`;\n")
    data = migrations / "0002_load_big.up.sql"
    with data.open("w", encoding="utf-8") as handle:
        for statement in data_statements(rows, rows_per_insert):
            handle.write(statement)
    (migrations / "0002_load_big.down.sql").write_text("DELETE FROM `big`;\n")
    stream = folder / "client.sql"
    with stream.open("wb") as out:
        for path in (migrations / "0001_create_big.up.sql", data):
            with path.open("rb") as source:
                shutil.copyfileobj(source, out, 1 << 20)
    return {"migrations": migrations, "data": data, "client": stream}


def table_state(server: Server, database: str, check_first: int = 50) -> tuple[int, int]:
    """Row count and CHECKSUM TABLE of `big`; the first rows must equal the generator's."""
    count = server.query("SELECT COUNT(*) FROM `big`", database)[0][0]
    checksum = server.query("CHECKSUM TABLE `big`", database)[0][1]
    got = server.query(f"SELECT id, name, body, note, CAST(amount AS CHAR), "
                       f"DATE_FORMAT(created, '%Y-%m-%d %H:%i:%s') FROM `big` ORDER BY id LIMIT {check_first}",
                       database)
    want = expected_rows(min(check_first, count))
    if [tuple(row) for row in got] != want:
        bad = next(i for i, (a, b) in enumerate(zip(got, want)) if tuple(a) != b)
        raise SystemExit(f"row {bad + 1} differs from what the file says:\n  got  {got[bad]}\n  want {want[bad]}")
    return count, checksum


def bench_data_shape(server: Server, sqlgen: str, repeat: int, rows: int, rows_per_insert: int,
                     title: str, checksums: set) -> dict[str, Result]:
    with tempfile.TemporaryDirectory(prefix="sqlgen_bench_") as folder:
        paths = write_data_migrations(Path(folder), rows, rows_per_insert)
        size = paths["data"].stat().st_size
        statements = -(-rows // rows_per_insert)
        results = {"sqlgen": Result("sqlgen upgrade"), "client": Result("mariadb < same file")}
        for _ in range(repeat):
            for name, result in results.items():
                with scratch_database(server) as database:
                    if name == "sqlgen":
                        run = measure(sqlgen_command(sqlgen, server.sqlgen_url(database), paths["migrations"]),
                                      cwd=Path(folder))
                    else:
                        run = measure(server.client(database), stdin=paths["client"])
                    count, checksum = table_state(server, database)
                    if count != rows:
                        raise SystemExit(f"{result.label}: expected {rows} rows, found {count}")
                    checksums.add(checksum)
                    result.runs.append(run)
        if len(checksums) != 1:
            raise SystemExit(f"CHECKSUM TABLE differs between runs: {sorted(checksums)}")
        print_table(f"{title}: {rows:,} rows in {statements:,} INSERTs, {size / 1e6:.1f} MB, {repeat} run(s)",
                    list(results.values()), {"client": results["client"]})
        print(f"  both: {rows:,} rows, CHECKSUM TABLE {next(iter(checksums))}; "
              f"sqlgen {size / 1e6 / results['sqlgen'].median:.1f} MB/s, client {size / 1e6 / results['client'].median:.1f} MB/s")
    return results


def bench_big(server: Server, sqlgen: str, megabytes: int, verdicts: Verdicts) -> dict:
    rows = megabytes * BIG_ROWS_PER_MB
    with tempfile.TemporaryDirectory(prefix="sqlgen_bench_") as folder:
        paths = write_data_migrations(Path(folder), rows, ROWS_PER_INSERT)
        size = paths["data"].stat().st_size
        result = Result("sqlgen upgrade")
        with scratch_database(server) as database:
            result.runs.append(measure(sqlgen_command(sqlgen, server.sqlgen_url(database), paths["migrations"]),
                                       cwd=Path(folder)))
            count = server.query("SELECT COUNT(*) FROM `big`", database)[0][0]
        if count != rows:
            raise SystemExit(f"big file: expected {rows} rows, found {count}")
    print(f"\nPart B, big file: {rows:,} rows in {rows // ROWS_PER_INSERT:,} INSERTs, {size / MIB:.0f} MiB, 1 run")
    print(f"  sqlgen upgrade: {result.median:.1f} s ({size / 1e6 / result.median:.1f} MB/s), "
          f"peak RSS {result.peak_mib:.1f} MiB")
    verdicts.target(f"B sqlgen peak RSS on {size / MIB:.0f} MiB", result.peak_mib, 150, " MiB")
    return {"rows": rows, "bytes": size, **result.as_json()}


def bench_data(server: Server, sqlgen: str, repeat: int, single_row: bool, big_mb: int | None,
               verdicts: Verdicts) -> dict:
    checksums: set = set()  # every shape holds the same rows, so one checksum for all
    out = {}
    main = bench_data_shape(server, sqlgen, repeat, DATA_ROWS, ROWS_PER_INSERT,
                            f"Part B: data migration, extended INSERTs of {ROWS_PER_INSERT} rows", checksums)
    out["extended"] = {name: result.as_json() for name, result in main.items()}
    verdicts.target("B sqlgen / client (extended INSERTs)", main["sqlgen"].median / main["client"].median, 1.0)
    if single_row:
        single = bench_data_shape(server, sqlgen, repeat, DATA_ROWS, 1,
                                  "Part B (secondary): one INSERT per row", checksums)
        out["single_row"] = {name: result.as_json() for name, result in single.items()}
    if big_mb:
        out["big"] = bench_big(server, sqlgen, big_mb, verdicts)
    return out


# --- Profile -----------------------------------------------------------------------------

def profile_upgrade(server: Server, title: str, write: Callable[[Path], Path], top: int = 20) -> None:
    """cProfile of `sqlgen upgrade` (in a child Python) on the migrations `write(folder)` makes."""
    import pstats

    with tempfile.TemporaryDirectory(prefix="sqlgen_bench_") as folder:
        migrations = write(Path(folder))
        output = Path(folder) / "upgrade.prof"
        with scratch_database(server) as database:
            # The click group itself (not `-m sqlgen`, whose console entry leaves with os._exit
            # before cProfile could write its file).
            program = Path(folder) / "run_sqlgen.py"
            program.write_text("import sys\nfrom sqlgen.cli import main\n"
                               "main(sys.argv[1:], prog_name='sqlgen', standalone_mode=False)\n")
            measure([sys.executable, "-m", "cProfile", "-o", str(output), str(program),
                     "--url", server.sqlgen_url(database), "--dir", str(migrations), "upgrade"], cwd=Path(folder))
        print(f"\ncProfile of sqlgen upgrade, {title}: top {top} by own time, then by cumulative time")
        stats = pstats.Stats(str(output), stream=sys.stdout)
        stats.strip_dirs().sort_stats("tottime").print_stats(top)
        stats.sort_stats("cumulative").print_stats(top)


# --- Main ---------------------------------------------------------------------------------

def compile_sqlgen() -> None:
    """sqlgen's bytecode, as a regular install has it (an editable one has none; where
    PYTHONDONTWRITEBYTECODE is set, every run would compile its source again)."""
    import compileall

    import sqlgen

    compileall.compile_dir(str(Path(sqlgen.__file__).parent), quiet=1)


def main() -> None:
    compile_sqlgen()
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    parser.add_argument("--repeat", type=int, default=3, help="runs per tool and workload (median reported)")
    parser.add_argument("--part", choices=["all", "small", "data"], default="all")
    parser.add_argument("--migrations", type=int, default=SMALL_MIGRATIONS, help="part A: number of migrations")
    parser.add_argument("--no-single-row", dest="single_row", action="store_false",
                        help="part B: skip the one-INSERT-per-row variant")
    parser.add_argument("--big-mb", type=int, default=100, help="part B: size of the memory run (default 100)")
    parser.add_argument("--no-big", dest="big_mb", action="store_const", const=0, help="part B: skip the memory run")
    parser.add_argument("--profile", action="store_true", help="also cProfile sqlgen upgrade on the parts run")
    parser.add_argument("--sqlgen", default=None, help="the sqlgen command (default: beside this Python)")
    parser.add_argument("--json", metavar="PATH", help="write the results as JSON")
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args()

    server = server_from_env()
    sqlgen = args.sqlgen or find_sqlgen()
    if args.part in ("all", "small") and not DBMATE.exists():
        raise SystemExit(f"{DBMATE} is missing: run bench/install_peers.sh first")
    version = server.query("SELECT VERSION()")[0][0]
    source = source_state()
    print(f"server {version} at {server.host}:{server.port}; sqlgen {sqlgen} at {source}; {os.cpu_count()} CPU(s)")

    verdicts = Verdicts()
    results: dict = {"server": version, "source": source, "repeat": args.repeat}
    if args.part in ("all", "small"):
        results["small"] = bench_small(server, sqlgen, args.repeat, args.migrations, verdicts)
    if args.part in ("all", "data"):
        results["data"] = bench_data(server, sqlgen, args.repeat, args.single_row, args.big_mb, verdicts)
    if args.profile and args.part in ("all", "small"):
        profile_upgrade(server, f"part A ({args.migrations} small migrations)",
                        lambda folder: write_small_migrations(folder, args.migrations)["sqlgen"])
    if args.profile and args.part in ("all", "data"):
        profile_upgrade(server, "part B (extended INSERTs)",
                        lambda folder: write_data_migrations(folder, DATA_ROWS, ROWS_PER_INSERT)["migrations"])
    results["targets"] = verdicts.lines
    finish(args, results, not verdicts.failed)


def finish(args, payload: dict, passed: bool) -> None:
    """Write the results where --json says, and exit 1 under --check when a target is missed."""
    if args.json:
        Path(args.json).write_text(json.dumps(payload, indent=2) + "\n")
        print(f"wrote {args.json}")
    if args.check and not passed:
        sys.exit(1)


if __name__ == "__main__":
    main()
