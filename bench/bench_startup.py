"""Time how long sqlgen takes to start: `sqlgen --help` and `sqlgen current`.

    python bench/bench_startup.py [--repeat 10] [--importtime [N]] [--no-mysql] [--json results.json] [--check]

Each command runs as a subprocess, --repeat times after one untimed warm-up
(interleaved, so drift hits every row alike); the table shows the median and
min wall time and the ratio to `python -c pass` on the same interpreter.

- `python -c pass`, `python -c "import click"` and `python -c "import sqlalchemy"`:
  the floor, and what the two big imports cost;
- `sqlgen --help`: only click should be imported;
- `sqlgen current` against a scratch MariaDB database `sqlgen_bench_<random>`
  holding the tracking table (one migration applied first with `sqlgen upgrade`),
  dropped at the end; server from SQLGEN_TEST_MYSQL_URL (default
  mysql+pymysql://root@127.0.0.1:3306/); --no-mysql skips it;
- `sqlgen current` against a SQLite file made the same way.

--importtime [N] also prints the N (default 15) slowest imports of `sqlgen --help`
and of each `sqlgen current`, from `python -X importtime`.

Target (PASS/FAIL; --check exits 1 on a FAIL): `sqlgen --help` <= 150 ms.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_runner import finish, find_sqlgen, scratch_database, server_from_env, source_state  # noqa: E402

HELP_TARGET_S = 0.150
MIGRATION_UP = "CREATE TABLE `t` (`id` int NOT NULL, PRIMARY KEY (`id`));\n"
MIGRATION_DOWN = "DROP TABLE `t`;\n"


@dataclass
class Case:
    label: str
    command: list[str]
    cwd: Path
    times: list[float] = field(default_factory=list)

    @property
    def median(self) -> float:
        return statistics.median(self.times)


def clean_env() -> dict:
    return {key: value for key, value in os.environ.items() if not key.startswith("SQLGEN_")}


def run(command: list[str], cwd: Path) -> float:
    """Wall time of one run; a failure stops the benchmark."""
    start = time.perf_counter()
    result = subprocess.run(command, cwd=cwd, env=clean_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    seconds = time.perf_counter() - start
    if result.returncode != 0:
        raise SystemExit(f"command failed ({result.returncode}): {' '.join(command)}\n{result.stdout}{result.stderr}")
    return seconds


def one_migration(folder: Path, dialect: str) -> Path:
    migrations = folder / f"migrations_{dialect}"
    migrations.mkdir()
    (migrations / "DIALECT").write_text(dialect + "\n")
    (migrations / "0001_create_t.up.sql").write_text(MIGRATION_UP)
    (migrations / "0001_create_t.down.sql").write_text(MIGRATION_DOWN)
    return migrations


def current_case(sqlgen: str, label: str, url: str, migrations: Path, folder: Path) -> Case:
    """`sqlgen current` on a database where the one migration is applied."""
    run([sqlgen, "--url", url, "--dir", str(migrations), "upgrade"], folder)
    command = [sqlgen, "--url", url, "--dir", str(migrations), "current"]
    output = subprocess.run(command, cwd=folder, env=clean_env(), capture_output=True, text=True).stdout
    if not output.startswith("1 0001_create_t"):
        raise SystemExit(f"unexpected output of {' '.join(command)}: {output!r}")
    return Case(label, command, folder)


def measure(cases: list[Case], repeat: int) -> None:
    for case in cases:  # warm-up: page cache and .pyc files
        run(case.command, case.cwd)
    for _ in range(repeat):
        for case in cases:
            case.times.append(run(case.command, case.cwd))


def print_table(cases: list[Case], floor: Case) -> None:
    print(f"  {'command':<44}  {'median ms':>9}  {'min ms':>7}  {'x python -c pass':>16}")
    for case in cases:
        print(f"  {case.label:<44}  {case.median * 1000:>9.1f}  {min(case.times) * 1000:>7.1f}  "
              f"{case.median / floor.median:>16.2f}")


def import_times(label: str, command: list[str], cwd: Path, top: int) -> list[tuple[int, int, str]]:
    """(self us, cumulative us, module) of the slowest imports of `command`, by cumulative time."""
    result = subprocess.run([sys.executable, "-X", "importtime", *command], cwd=cwd, env=clean_env(),
                            capture_output=True, text=True)
    rows = []
    for line in result.stderr.splitlines():
        if not line.startswith("import time:") or "self [us]" in line:
            continue
        self_us, cumulative_us, name = line[len("import time:"):].split("|")
        rows.append((int(self_us), int(cumulative_us), name.rstrip()))
    total = sum(self_us for self_us, _, _ in rows)
    rows.sort(key=lambda row: row[1], reverse=True)
    print(f"\n  python -X importtime {label}: {len(rows)} modules, {total / 1000:.1f} ms of imports; "
          f"slowest by cumulative time:")
    print(f"  {'cumul. ms':>9}  {'self ms':>7}  module (indented by depth)")
    for self_us, cumulative_us, name in rows[:top]:
        print(f"  {cumulative_us / 1000:>9.1f}  {self_us / 1000:>7.1f}  {name}")
    return rows[:top]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    parser.add_argument("--repeat", type=int, default=10, help="timed runs per command (median reported)")
    parser.add_argument("--importtime", type=int, nargs="?", const=15, default=0, metavar="N",
                        help="also print the N slowest imports (default 15)")
    parser.add_argument("--no-mysql", dest="mysql", action="store_false", help="skip `sqlgen current` on MariaDB")
    parser.add_argument("--sqlgen", default=None, help="the sqlgen command (default: beside this Python)")
    parser.add_argument("--json", metavar="PATH", help="write the results as JSON")
    parser.add_argument("--check", action="store_true", help="exit 1 when the target is missed")
    args = parser.parse_args()

    sqlgen = args.sqlgen or find_sqlgen()
    python = sys.executable
    source = source_state()
    print(f"Python {sys.version.split()[0]} ({python}); sqlgen {sqlgen} at {source}; {os.cpu_count()} CPU(s); "
          f"{args.repeat} run(s) each")
    with tempfile.TemporaryDirectory(prefix="sqlgen_bench_") as name:
        folder = Path(name)
        floor = Case("python -c pass", [python, "-c", "pass"], folder)
        cases = [
            floor,
            Case("python -c 'import click'", [python, "-c", "import click"], folder),
            Case("python -c 'import sqlalchemy'", [python, "-c", "import sqlalchemy"], folder),
            Case("sqlgen --help", [sqlgen, "--help"], folder),
        ]
        help_case = cases[-1]
        sqlite_migrations = one_migration(folder, "sqlite")
        sqlite_case = current_case(sqlgen, "sqlgen current (SQLite file)", f"sqlite:///{folder / 'app.db'}",
                                   sqlite_migrations, folder)
        cases.append(sqlite_case)
        with ExitStack() as stack:
            if args.mysql:
                server = server_from_env()
                database = stack.enter_context(scratch_database(server))
                cases.append(current_case(sqlgen, "sqlgen current (MariaDB, tracking table)",
                                          server.sqlgen_url(database), one_migration(folder, "mysql"), folder))
            measure(cases, args.repeat)
            print_table(cases, floor)
            if args.importtime:
                import_times("sqlgen --help", help_case.command, folder, args.importtime)
                for case in cases[cases.index(sqlite_case):]:
                    import_times(case.label, case.command, folder, args.importtime)

    ok = help_case.median <= HELP_TARGET_S
    print(f"{'PASS' if ok else 'FAIL'}: sqlgen --help: {help_case.median * 1000:.0f} ms "
          f"(target <= {HELP_TARGET_S * 1000:.0f} ms)")
    finish(args, {
        "python": sys.version.split()[0], "source": source, "repeat": args.repeat,
        "commands": [{"label": case.label, "median_ms": round(case.median * 1000, 2),
                      "min_ms": round(min(case.times) * 1000, 2),
                      "runs_ms": [round(t * 1000, 2) for t in case.times]} for case in cases],
        "targets": [{"target": "sqlgen --help", "value_ms": round(help_case.median * 1000, 1),
                     "limit_ms": HELP_TARGET_S * 1000, "pass": ok}],
    }, ok)


if __name__ == "__main__":
    main()
