"""Time sqlgen's statement splitter against sqlparse.split on the same SQL text.

    python bench/bench_split.py [--repeat 5] [--sqlparse-mb 1.0] [--json results.json] [--check]

The text is bench_runner.py's part B data migration (50,000 rows, about 5.6 MB:
strings holding '' and \\' quotes, `--`, `/* */`, `#` and `;`), in three shapes:
extended INSERTs of 100 rows on one line each (mysqldump style, the main shape
and the one the target applies to), the same INSERTs with one row per line,
and one INSERT per row. No string ends in a backslash here: sqlparse reads
`\\'` at the end of a string as an escaped quote and runs on into the next
statement (the script shows what it makes of the runner's exact file).

For each shape, in this process, median of --repeat runs:
- sqlgen `split_text` on the whole text, and the streaming `split` over the
  lines of the same text in a file (what `sqlgen upgrade` reads);
- `split_text` and `sqlparse.split` on the same slice of whole statements of
  about --sqlparse-mb MB (sqlparse reads well under 1 MB/s).
Both must find the same statements in the slice (count and text, sqlparse's
trailing ';' aside), or the script stops. Speed is in MB/s (10^6 bytes of
UTF-8); the ratio is sqlgen's MB/s over sqlparse's on the slice.

Target (PASS/FAIL; --check exits 1 on a FAIL): sqlgen >= 30 x sqlparse on the
main shape.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_runner import (DATA_ROWS, finish, ROWS_PER_INSERT, TRICKY_NO_TRAILING_BACKSLASH,  # noqa: E402
                          data_statements, source_state)

TARGET_RATIO = 30.0


@dataclass(frozen=True)
class Shape:
    name: str
    rows_per_insert: int
    row_per_line: bool = False

    def statements(self) -> list[str]:
        return list(data_statements(DATA_ROWS, self.rows_per_insert, row_per_line=self.row_per_line,
                                    tricky=TRICKY_NO_TRAILING_BACKSLASH))


SHAPES = [
    Shape(f"extended INSERTs of {ROWS_PER_INSERT} rows, one line each", ROWS_PER_INSERT),
    Shape(f"extended INSERTs of {ROWS_PER_INSERT} rows, one row per line", ROWS_PER_INSERT, row_per_line=True),
    Shape("one INSERT per row", 1),
]


def timed(function: Callable[[], object], repeat: int) -> tuple[float, object]:
    """Median wall time of `repeat` calls, and the last call's result."""
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def sqlgen_split_text(text: str) -> list[str]:
    from sqlgen import dialects
    from sqlgen.splitter import split_text

    return [statement.text for statement in split_text(text, dialects.get("mysql").reading)]


def sqlgen_split_file(path: Path) -> int:
    from sqlgen import dialects
    from sqlgen.migrations import open_migration
    from sqlgen.splitter import split

    with open_migration(path) as handle:
        return sum(1 for _ in split(handle, dialects.get("mysql").reading, path.name))


def sqlparse_split(text: str) -> list[str]:
    import sqlparse

    return [statement for statement in sqlparse.split(text) if statement.strip()]


def leading_slice(statements: list[str], megabytes: float) -> list[str]:
    """The first whole statements holding at most `megabytes` MB (at least one)."""
    taken, size = [], 0
    for statement in statements:
        size += len(statement.encode("utf-8"))
        if taken and size > megabytes * 1e6:
            break
        taken.append(statement)
    return taken


def same_statements(ours: list[str], theirs: list[str]) -> str | None:
    """Why the two splits differ, or None."""
    if len(ours) != len(theirs):
        return f"sqlgen found {len(ours)} statements, sqlparse {len(theirs)}"
    for number, (a, b) in enumerate(zip(ours, theirs), 1):
        if a != b.strip().removesuffix(";").rstrip():
            return f"statement {number} differs:\n  sqlgen   {a[:200]!r}\n  sqlparse {b[:200]!r}"
    return None


def bench_shape(shape: Shape, repeat: int, sqlparse_repeat: int, sqlparse_mb: float, folder: Path) -> dict:
    statements = shape.statements()
    text = "".join(statements)
    size = len(text.encode("utf-8"))
    path = folder / "data.sql"
    path.write_text(text, encoding="utf-8")

    full_s, full = timed(lambda: sqlgen_split_text(text), repeat)
    assert len(full) == len(statements), f"{shape.name}: sqlgen found {len(full)} of {len(statements)} statements"
    stream_s, streamed = timed(lambda: sqlgen_split_file(path), repeat)
    assert streamed == len(statements), f"{shape.name}: streaming split found {streamed} of {len(statements)}"

    part = leading_slice(statements, sqlparse_mb)
    part_text = "".join(part)
    part_size = len(part_text.encode("utf-8"))
    ours_s, ours = timed(lambda: sqlgen_split_text(part_text), repeat)
    theirs_s, theirs = timed(lambda: sqlparse_split(part_text), sqlparse_repeat)
    problem = same_statements(ours, theirs)
    if problem:
        raise SystemExit(f"{shape.name}: the splitters disagree on the slice: {problem}")
    assert len(ours) == len(part)

    return {
        "shape": shape.name, "bytes": size, "statements": len(statements),
        "sqlgen_split_text_s": full_s, "sqlgen_split_text_mb_s": size / 1e6 / full_s,
        "sqlgen_split_stream_s": stream_s, "sqlgen_split_stream_mb_s": size / 1e6 / stream_s,
        "slice_bytes": part_size, "slice_statements": len(part),
        "slice_sqlgen_s": ours_s, "slice_sqlgen_mb_s": part_size / 1e6 / ours_s,
        "slice_sqlparse_s": theirs_s, "slice_sqlparse_mb_s": part_size / 1e6 / theirs_s,
        "ratio": theirs_s / ours_s,
    }


def print_results(results: list[dict]) -> None:
    print(f"  {'text':<48}  {'splitter':<28}  {'MB':>5}  {'stmts':>6}  {'median s':>8}  {'MB/s':>6}  {'x sqlparse':>10}")
    for r in results:
        rows = [
            ("sqlgen split_text", r["bytes"], r["statements"], r["sqlgen_split_text_s"], ""),
            ("sqlgen split (file, stream)", r["bytes"], r["statements"], r["sqlgen_split_stream_s"], ""),
            ("sqlgen split_text (slice)", r["slice_bytes"], r["slice_statements"], r["slice_sqlgen_s"],
             f"{r['ratio']:.1f}"),
            ("sqlparse.split (slice)", r["slice_bytes"], r["slice_statements"], r["slice_sqlparse_s"], "1.0"),
        ]
        for i, (name, size, count, seconds, ratio) in enumerate(rows):
            label = r["shape"] if i == 0 else ""
            print(f"  {label:<48}  {name:<28}  {size / 1e6:>5.2f}  {count:>6}  {seconds:>8.3f}  "
                  f"{size / 1e6 / seconds:>6.2f}  {ratio:>10}")


def sqlparse_on_runner_file(megabytes: float) -> str:
    """What sqlparse makes of the runner's exact data (with values ending in a backslash)."""
    statements = leading_slice(list(data_statements(DATA_ROWS, ROWS_PER_INSERT)), megabytes)
    found = len(sqlparse_split("".join(statements)))
    return (f"note: on the runner's exact data file (values ending in a backslash), the first "
            f"{len(statements)} statements are {found} statement(s) to sqlparse")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    parser.add_argument("--repeat", type=int, default=5, help="runs of sqlgen's splitter (median reported)")
    parser.add_argument("--sqlparse-repeat", type=int, default=3, help="runs of sqlparse.split")
    parser.add_argument("--sqlparse-mb", type=float, default=1.0, help="size of the slice both splitters read")
    parser.add_argument("--main-only", action="store_true", help="only the main shape")
    parser.add_argument("--json", metavar="PATH", help="write the results as JSON")
    parser.add_argument("--check", action="store_true", help="exit 1 when the target is missed")
    args = parser.parse_args()

    import sqlparse

    source = source_state()
    print(f"sqlgen.splitter ({source}) vs sqlparse {sqlparse.__version__}, Python {sys.version.split()[0]}")
    results = []
    with tempfile.TemporaryDirectory(prefix="sqlgen_bench_") as folder:
        for shape in SHAPES[:1] if args.main_only else SHAPES:
            results.append(bench_shape(shape, args.repeat, args.sqlparse_repeat, args.sqlparse_mb, Path(folder)))
    print_results(results)
    print(sqlparse_on_runner_file(args.sqlparse_mb))

    main_ratio = results[0]["ratio"]
    ok = main_ratio >= TARGET_RATIO
    print(f"{'PASS' if ok else 'FAIL'}: split_text / sqlparse.split on {results[0]['shape']}: "
          f"{main_ratio:.1f}x (target >= {TARGET_RATIO:g}x)")
    finish(args, {"source": source, "sqlparse": sqlparse.__version__, "shapes": results,
                  "targets": [{"target": "split_text / sqlparse.split", "value": round(main_ratio, 2),
                               "limit": TARGET_RATIO, "pass": ok}]}, ok)


if __name__ == "__main__":
    main()
