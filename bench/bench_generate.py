"""Time "is the database up to date?" with sqlgen and with Alembic, on loopback and at 1 ms latency.

    python bench/bench_generate.py [--tables 500 2000] [--repeat 3] [--networks loopback 1ms]
                                   [--delay-ms 1] [--json results.json]

What it measures. For each table count, a scratch database `sqlgen_bench_<random>` is built with
SQLAlchemy's create_all from the deterministic schema of bench/schema_gen.py (8-16 varied columns
per table, indexes, a foreign key to an earlier table), so it matches the models exactly. Then, on
each network, each tool is run `--repeat` times as a subprocess, the two tools taking turns:

- sqlgen:  `python -m sqlgen --url URL --models bench_models:metadata --dir DIR generate --dry-run`,
           which must print "No changes detected";
- alembic: `python -m alembic check` in a folder holding a minimal Alembic environment (alembic.ini,
           env.py in online mode with target_metadata from the same bench_models module,
           compare_type=True, compare_server_default=True, and an empty versions folder), which
           must print "No new upgrade operations detected.".

Both import the same models, so the wall time of each includes starting Python, importing
SQLAlchemy and building the models as well as reflecting and comparing. Any difference a tool
reports on this up-to-date schema is a spurious one: it is printed in the "result" column and
the JSON, never hidden.

Networks: "loopback" connects to the server directly; "1ms" connects through
bench/latency_proxy.py, which delays every chunk by --delay-ms in each direction (about 2 ms more
per round trip; the measured extra round-trip time is printed).

Statements: the server's `Questions` counter (SHOW GLOBAL STATUS) is read before and after each
run on a separate direct connection; the difference, less the reading query itself (calibrated by
two readings in a row), is what the tool sent. Nothing else may use the server meanwhile: before
each run the benchmark waits (up to 10 minutes) until no other client has been connected or
sending for a second; runs started on a busy server and other clients seen around a run are
reported, and the smallest count of the repeats is kept.

Alembic creates its `alembic_version` table on its first run; the benchmark creates that table
(empty, as Alembic would) before each Alembic run and drops it afterwards, outside the measured
window, so that sqlgen always sees exactly the models' tables.

The report is a table (median and min wall time, statements, result per tables x network x tool),
the sqlgen/alembic ratios per (tables, network), sqlgen's growth from the smallest to the largest
table count, and the targets of issue 7 as PASS/FAIL lines. Scratch databases are dropped at the
end, also on failure. Server: SQLGEN_TEST_MYSQL_URL (default mysql+pymysql://root@127.0.0.1:3306/).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pymysql
import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent))
from latency_proxy import latency_proxy  # noqa: E402
from schema_gen import MODULE_NAME, build_metadata, write_models_module  # noqa: E402

DEFAULT_URL = "mysql+pymysql://root@127.0.0.1:3306/"
SQLGEN_IN_SYNC = "No changes detected"
ALEMBIC_IN_SYNC = "No new upgrade operations detected."
ALEMBIC_DIFFS = "New upgrade operations detected"
RUN_TIMEOUT = 1800  # seconds for one run of one tool
QUIET_TIMEOUT = 600  # seconds to wait for other clients of the server to finish before a run
TOOLS = ("sqlgen", "alembic")

ALEMBIC_INI = """\
[alembic]
script_location = %(here)s/alembic
"""

ALEMBIC_ENV = """\
import os
import sys

import sqlalchemy as sa
from alembic import context

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from {module} import metadata

engine = sa.create_engine(os.environ["BENCH_DB_URL"], poolclass=sa.pool.NullPool)
with engine.connect() as connection:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        compare_type=True,
        compare_server_default=True,
    )
    with context.begin_transaction():
        context.run_migrations()
"""

ALEMBIC_VERSION_TABLE = (
    "CREATE TABLE `{database}`.`alembic_version` (`version_num` VARCHAR(32) NOT NULL, "
    "CONSTRAINT `alembic_version_pkc` PRIMARY KEY (`version_num`))"
)


@dataclass
class Measurement:
    tables: int
    network: str
    tool: str
    times: list[float] = field(default_factory=list)
    statements: list[int] = field(default_factory=list)
    in_sync: bool = True
    diffs: str = ""  # what the tool reported when it found differences
    other_clients: int = 0  # most other client connections seen around a run
    noisy: int = 0  # runs started while other clients were still busy on the server

    @property
    def median(self) -> float:
        return statistics.median(self.times)

    @property
    def min(self) -> float:
        return min(self.times)

    @property
    def statements_sent(self) -> int:
        return min(self.statements)


# -- the server -----------------------------------------------------------------------------------

class Server:
    """A direct connection to the server, for reading its `Questions` counter and admin work."""

    def __init__(self, url: sa.engine.URL) -> None:
        self.connection = pymysql.connect(host=url.host or "127.0.0.1", port=url.port or 3306,
                                          user=url.username or "root", password=url.password or "",
                                          autocommit=True)
        first = self.questions()
        self.reading_cost = self.questions() - first  # what one reading adds to the counter

    def query(self, sql: str) -> list[tuple]:
        with self.connection.cursor() as cursor:
            cursor.execute(sql)
            return list(cursor.fetchall())

    def questions(self) -> int:
        return int(self.query("SHOW GLOBAL STATUS LIKE 'Questions'")[0][1])

    def other_clients(self) -> int:
        return int(self.query(
            "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE ID <> CONNECTION_ID() "
            "AND COMMAND NOT IN ('Daemon', 'Binlog Dump') AND USER NOT IN ('system user', 'event_scheduler')"
        )[0][0])

    def wait_for_quiet(self, timeout: float, settle: float = 1.0) -> bool:
        """Wait until no other client is connected or sending for `settle` seconds; False on timeout.

        Another client's statements would be counted as the tool's, and its load would slow the
        tool down: the benchmark waits for them to end rather than measure alongside them.
        """
        deadline = time.monotonic() + timeout
        while True:
            start = self.questions()
            clients = self.other_clients()
            time.sleep(settle)
            # the readings themselves: this one, other_clients(), and the next reading
            quiet = clients == 0 and self.other_clients() == 0 and self.questions() - start <= 3 * self.reading_cost
            if quiet:
                return True
            if time.monotonic() > deadline:
                return False

    def version(self) -> str:
        return str(self.query("SELECT VERSION()")[0][0])

    def close(self) -> None:
        self.connection.close()


@contextlib.contextmanager
def scratch_database(server: Server, base: sa.engine.URL, count: int) -> Iterator[sa.engine.URL]:
    """A database `sqlgen_bench_<random>` holding the schema of `count` tables; dropped at the end."""
    name = f"sqlgen_bench_{uuid.uuid4().hex[:12]}"
    server.query(f"CREATE DATABASE `{name}`")
    try:
        url = base.set(database=name)
        engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
        try:
            build_metadata(count).create_all(engine)
        finally:
            engine.dispose()
        yield url
    finally:
        server.query(f"DROP DATABASE IF EXISTS `{name}`")


@contextlib.contextmanager
def alembic_version_table(server: Server, database: str) -> Iterator[None]:
    """The empty `alembic_version` table Alembic expects, only while Alembic runs."""
    server.query(ALEMBIC_VERSION_TABLE.format(database=database))
    try:
        yield
    finally:
        server.query(f"DROP TABLE IF EXISTS `{database}`.`alembic_version`")


# -- the tools ------------------------------------------------------------------------------------

def write_alembic_env(folder: Path) -> None:
    """A minimal Alembic environment in folder, next to bench_models.py."""
    (folder / "alembic" / "versions").mkdir(parents=True)
    (folder / "alembic.ini").write_text(ALEMBIC_INI)
    (folder / "alembic" / "env.py").write_text(ALEMBIC_ENV.format(module=MODULE_NAME))


def tool_command(tool: str, url: str, folder: Path) -> list[str]:
    if tool == "sqlgen":
        return [sys.executable, "-m", "sqlgen", "--url", url, "--models", f"{MODULE_NAME}:metadata",
                "--dir", str(folder / "migrations"), "generate", "--dry-run"]
    return [sys.executable, "-m", "alembic", "check"]


def judge(tool: str, result: subprocess.CompletedProcess) -> str | None:
    """None when the tool found the database up to date, else the differences it reported.

    Raises RuntimeError when the tool failed for another reason.
    """
    out, err = result.stdout.strip(), result.stderr.strip()
    if tool == "sqlgen":
        if result.returncode == 0 and out == SQLGEN_IN_SYNC:
            return None
        if result.returncode == 0:
            return out
    else:
        if result.returncode == 0 and ALEMBIC_IN_SYNC in out:
            return None
        if ALEMBIC_DIFFS in err:
            return err
    raise RuntimeError(f"{tool} failed (exit {result.returncode}):\n{out}\n{err}")


def run_once(tool: str, url: sa.engine.URL, folder: Path, server: Server, measurement: Measurement) -> None:
    """One timed run of tool, adding its time, statements and verdict to measurement."""
    rendered = url.render_as_string(hide_password=False)
    command = tool_command(tool, rendered, folder)
    env = {**os.environ, "BENCH_DB_URL": rendered}
    quiet = server.wait_for_quiet(QUIET_TIMEOUT)
    others = server.other_clients()
    before = server.questions()
    start = time.perf_counter()
    result = subprocess.run(command, cwd=folder, env=env, capture_output=True, text=True, timeout=RUN_TIMEOUT)
    elapsed = time.perf_counter() - start
    sent = server.questions() - before - server.reading_cost
    measurement.times.append(elapsed)
    measurement.statements.append(sent)
    measurement.other_clients = max(measurement.other_clients, others, server.other_clients())
    measurement.noisy += not quiet
    diffs = judge(tool, result)
    if diffs is not None:
        measurement.in_sync = False
        measurement.diffs = diffs


def round_trip_ms(url: sa.engine.URL, samples: int = 200) -> float:
    """Median time of a `SELECT 1` round trip on an open connection to url, in ms."""
    connection = pymysql.connect(host=url.host, port=url.port, user=url.username or "root",
                                 password=url.password or "", autocommit=True)
    try:
        with connection.cursor() as cursor:
            times = []
            for _ in range(samples + 20):
                start = time.perf_counter()
                cursor.execute("SELECT 1")
                cursor.fetchall()
                times.append(time.perf_counter() - start)
        return statistics.median(times[20:]) * 1000
    finally:
        connection.close()


# -- the benchmark --------------------------------------------------------------------------------

@contextlib.contextmanager
def network_url(network: str, url: sa.engine.URL, delay_ms: float) -> Iterator[sa.engine.URL]:
    """url itself on loopback, or url through a latency proxy started for the block."""
    if network == "loopback":
        yield url
        return
    # the block stops the proxy; its own idle stop must outlast a wait for a quiet server
    with latency_proxy(delay_ms=delay_ms, target=(url.host or "127.0.0.1", url.port or 3306),
                       idle_timeout=QUIET_TIMEOUT + RUN_TIMEOUT, max_lifetime=24 * 3600) as port:
        yield url.set(host="127.0.0.1", port=port)


def measure_table_count(count: int, args: argparse.Namespace, server: Server, base: sa.engine.URL,
                        rtts: dict[str, float], results: list[Measurement]) -> None:
    """Measure both tools on every network at count tables, appending to results."""
    print(f"# {count} tables: building the scratch database...", file=sys.stderr, flush=True)
    with scratch_database(server, base, count) as url, tempfile.TemporaryDirectory() as temp:
        folder = Path(temp)
        write_models_module(folder, count)
        write_alembic_env(folder)
        for network in args.networks:
            if network != "loopback" and args.proxy_max_tables is not None and count > args.proxy_max_tables:
                print(f"# {count} tables, {network}: skipped (--proxy-max-tables {args.proxy_max_tables})",
                      file=sys.stderr, flush=True)
                continue
            with network_url(network, url, args.delay_ms) as target:
                rtts.setdefault(network, round_trip_ms(target))
                pair = {tool: Measurement(count, network, tool) for tool in TOOLS}
                results.extend(pair.values())
                for n in range(args.repeat):
                    for tool in TOOLS:
                        guard = (alembic_version_table(server, url.database) if tool == "alembic"
                                 else contextlib.nullcontext())
                        with guard:
                            run_once(tool, target, folder, server, pair[tool])
                        print(f"# {count} tables, {network}, {tool}: run {n + 1}/{args.repeat}: "
                              f"{pair[tool].times[-1]:.3f} s, {pair[tool].statements[-1]} statements",
                              file=sys.stderr, flush=True)


def find(results: list[Measurement], tables: int, network: str, tool: str) -> Measurement | None:
    return next((m for m in results if (m.tables, m.network, m.tool) == (tables, network, tool)), None)


def ratio(results: list[Measurement], tables: int, network: str) -> float | None:
    ours, theirs = find(results, tables, network, "sqlgen"), find(results, tables, network, "alembic")
    return ours.median / theirs.median if ours and theirs else None


def growth(results: list[Measurement], network: str) -> tuple[int, int, float] | None:
    """(small, large, time(large) / time(small)) for sqlgen, or None with fewer than two counts."""
    measured = sorted(m.tables for m in results if m.network == network and m.tool == "sqlgen")
    if len(measured) < 2:
        return None
    small, large = measured[0], measured[-1]
    return small, large, find(results, large, network, "sqlgen").median / find(results, small, network, "sqlgen").median


def target_checks(results: list[Measurement], args: argparse.Namespace) -> list[dict]:
    """The targets of issue 7, each with its measured value and PASS, FAIL or SKIP."""
    slow = args.networks[1] if len(args.networks) > 1 else "1ms"
    checks = []

    def check(name: str, value: float | None, limit: float) -> None:
        status = "SKIP" if value is None else ("PASS" if value <= limit else "FAIL")
        checks.append({"check": name, "value": value, "limit": limit, "status": status})

    check("sqlgen/alembic time, loopback, 500 tables", ratio(results, 500, "loopback"), 0.5)
    check(f"sqlgen/alembic time, {slow}, 500 tables", ratio(results, 500, slow), 0.25)
    sqlgen_statements = [m.statements_sent for m in results if m.tool == "sqlgen"]
    check("sqlgen statements (most of any run)", max(sqlgen_statements) if sqlgen_statements else None, 20)
    grown = growth(results, "loopback")
    if grown:
        small, large, value = grown
        check(f"sqlgen growth {large} vs {small} tables, loopback (linear = {large / small:.1f})",
              value, large / small)
    else:
        check("sqlgen growth, loopback", None, 4.0)
    return checks


def print_report(results: list[Measurement], checks: list[dict], rtts: dict[str, float], server_version: str) -> None:
    print(f"server {server_version}; SELECT 1 round trip: "
          + ", ".join(f"{network} {ms:.3f} ms" for network, ms in rtts.items()))
    print()
    print(f"{'tables':>6}  {'network':<8}  {'tool':<14}  {'median s':>8}  {'min s':>7}  {'statements':>10}  result")
    for m in results:
        result = "in sync" if m.in_sync else "DIFFS: " + " ".join(m.diffs.split())[:200]
        if len(set(m.statements)) > 1 or m.other_clients or m.noisy:
            result += (f" (statements varied {min(m.statements)}-{max(m.statements)}; other clients seen: "
                       f"{m.other_clients}; runs started on a busy server: {m.noisy})")
        print(f"{m.tables:>6}  {m.network:<8}  {m.tool:<14}  {m.median:>8.3f}  {m.min:>7.3f}  "
              f"{m.statements_sent:>10}  {result}")
        if m.tool == "alembic":
            ours = find(results, m.tables, m.network, "sqlgen")
            print(f"{m.tables:>6}  {m.network:<8}  {'sqlgen/alembic':<14}  {ours.median / m.median:>8.2f}  "
                  f"{ours.min / m.min:>7.2f}  {ours.statements_sent / max(m.statements_sent, 1):>10.3f}")
    for network in dict.fromkeys(m.network for m in results):
        grown = growth(results, network)
        if grown:
            small, large, value = grown
            print(f"sqlgen growth {large} vs {small} tables, {network}: {value:.2f}x (linear = {large / small:.1f}x)")
    print()
    for c in checks:
        value = "n/a" if c["value"] is None else f"{c['value']:.3g}"
        print(f"{c['status']}  {c['check']}: {value} (target <= {c['limit']:g})")


def write_json(path: str, results: list[Measurement], checks: list[dict], rtts: dict[str, float],
               server_version: str, args: argparse.Namespace) -> None:
    document = {
        "benchmark": "generate",
        "date": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
        "server": server_version,
        "python": sys.version.split()[0],
        "settings": {"tables": args.tables, "repeat": args.repeat, "networks": args.networks,
                     "delay_ms": args.delay_ms},
        "round_trip_ms": rtts,
        "results": [{**asdict(m), "median": m.median, "min": m.min, "statements_sent": m.statements_sent}
                    for m in results],
        "ratios": [{"tables": m.tables, "network": m.network, "time": ratio(results, m.tables, m.network),
                    "statements": find(results, m.tables, m.network, "sqlgen").statements_sent
                    / max(m.statements_sent, 1)}
                   for m in results if m.tool == "alembic"],
        "checks": checks,
    }
    Path(path).write_text(json.dumps(document, indent=2) + "\n")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tables", type=int, nargs="+", default=[500, 2000], help="table counts (default 500 2000)")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each tool per case (default 3)")
    parser.add_argument("--networks", nargs="+", choices=["loopback", "1ms"], default=["loopback", "1ms"],
                        help="direct, and/or through the latency proxy (default both)")
    parser.add_argument("--delay-ms", type=float, default=1.0, help="proxy delay per direction (default 1)")
    parser.add_argument("--proxy-max-tables", type=int, default=None,
                        help="skip the proxy network above this many tables (default: never skip)")
    parser.add_argument("--json", metavar="PATH", help="also write the results as JSON to PATH")
    args = parser.parse_args()
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    args.tables = sorted(set(args.tables))
    return args


def main() -> None:
    args = parse_args()
    base = sa.engine.make_url(os.environ.get("SQLGEN_TEST_MYSQL_URL", DEFAULT_URL)).set(database=None)
    server = Server(base)
    results: list[Measurement] = []
    rtts: dict[str, float] = {}
    version = server.version()
    try:
        for count in args.tables:
            measure_table_count(count, args, server, base, rtts, results)
    except BaseException:
        results = [m for m in results if m.times]
        if results:
            print("Interrupted; the runs measured so far:", file=sys.stderr)
            print_report(results, target_checks(results, args), rtts, version)
        raise
    finally:
        server.close()
    checks = target_checks(results, args)
    print_report(results, checks, rtts, version)
    if args.json:
        write_json(args.json, results, checks, rtts, version, args)


if __name__ == "__main__":
    main()
