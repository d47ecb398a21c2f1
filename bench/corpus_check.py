"""Run sqlgen's round trip, and Alembic's autogenerate, on a local corpus of real model sets.

    python bench/corpus_check.py SETS.json [--url mysql+pymysql://root@127.0.0.1:3306/]
                                 [--only NAME ...] [--out DIR] [--json FILE] [--keep]

SETS.json (or .toml) lists the model sets, each a name, the `module:attr` of its MetaData (or
declarative base, Flask-SQLAlchemy db...) and the folders to put on sys.path (the first is also
sqlgen's `root`, the folder models are imported from). Relative folders are relative to the file.
`repo`, `commit` and `models_path` are optional and only shown:

    {"sets": [{"name": "cinder", "models": "load:metadata", "path": ["cinder"],
               "repo": "openstack/cinder", "commit": "ab09bc3...", "models_path": "cinder/db/models.py"}]}

For each set, on scratch databases `sqlgen_corpus_<name>_<random>_{a,b}` of the server of --url
(made utf8mb4 / utf8mb4_general_ci unless the set gives "charset" and "collation"):

  (a) create_all into database A; `sqlgen generate` against A must find nothing ("No changes detected");
  (b) from the empty database B, `generate`, then `upgrade`; B's schema (information_schema: tables
      with engine, collation and comment; columns with type, default, nullability, extra, character
      set, collation and order; indexes; foreign keys; CHECK constraints) must equal A's. Names
      InnoDB generates for unnamed foreign keys (`t_ibfk_2`) are blurred to `t_ibfk_#`;
  (c) `generate` against B again finds nothing;
  (d) `downgrade base` leaves B empty but for the tracking table;
  (e) Alembic's compare_metadata (compare_type=True, compare_server_default=True) against A: every
      operation it proposes on that up-to-date database is spurious, counted by kind.

Each of create_all, sqlgen and Alembic runs in a fresh Python process of its own, so that a
project's create_all event hooks (which may change the models while they run) reach neither the
tool nor the other side. sqlgen is driven through its Python API (sqlgen.commands with a Config).
Nothing here needs the network beyond the database server.

The result is one Markdown table row per set; --out DIR keeps, per set, the generated files and
every differing line; --json writes the full results. Scratch databases are dropped at the end
(also after a failure) unless --keep.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

DEFAULT_URL = os.environ.get("SQLGEN_TEST_MYSQL_URL", "mysql+pymysql://root@127.0.0.1:3306/")
PREFIX = "sqlgen_corpus_"
HERE = Path(__file__).resolve()
TRACKING = "sqlgen_version"

SNAPSHOT_QUERIES = {
    "tables": """
        SELECT TABLE_NAME, TABLE_TYPE, ENGINE, TABLE_COLLATION, TABLE_COMMENT
          FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE()""",
    "columns": """
        SELECT TABLE_NAME, COLUMN_NAME, ORDINAL_POSITION, COLUMN_TYPE, IS_NULLABLE, COLUMN_DEFAULT,
               EXTRA, COLUMN_COMMENT, CHARACTER_SET_NAME, COLLATION_NAME, GENERATION_EXPRESSION
          FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE()""",
    "indexes": """
        SELECT TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX, COLUMN_NAME, NON_UNIQUE, SUB_PART, INDEX_TYPE, COLLATION
          FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE()""",
    "foreign_keys": """
        SELECT k.TABLE_NAME, k.CONSTRAINT_NAME, k.ORDINAL_POSITION, k.COLUMN_NAME,
               k.REFERENCED_TABLE_NAME, k.REFERENCED_COLUMN_NAME, r.UPDATE_RULE, r.DELETE_RULE
          FROM information_schema.KEY_COLUMN_USAGE k
          JOIN information_schema.REFERENTIAL_CONSTRAINTS r
            ON r.CONSTRAINT_SCHEMA = k.CONSTRAINT_SCHEMA AND r.CONSTRAINT_NAME = k.CONSTRAINT_NAME
           AND r.TABLE_NAME = k.TABLE_NAME
         WHERE k.TABLE_SCHEMA = DATABASE()""",
    "checks": """
        SELECT TABLE_NAME, CONSTRAINT_NAME, CHECK_CLAUSE
          FROM information_schema.CHECK_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = DATABASE()""",
}


# --- the set list ------------------------------------------------------------------------------

def read_sets(path: Path) -> list[dict]:
    data = path.read_bytes()
    if path.suffix == ".toml":
        try:
            import tomllib
        except ImportError:  # pragma: no cover - Python 3.10
            import tomli as tomllib
        loaded = tomllib.loads(data.decode())
    else:
        loaded = json.loads(data)
    sets = loaded["sets"] if isinstance(loaded, dict) else loaded
    base = path.resolve().parent
    result = []
    for entry in sets:
        if not re.fullmatch(r"[A-Za-z0-9_-]{1,30}", entry["name"]):
            raise SystemExit(f"{path}: set name {entry['name']!r}: use 1-30 letters, digits, - or _")
        paths = entry.get("path", [])
        paths = [paths] if isinstance(paths, str) else paths
        entry = dict(entry, path=[str((base / p).resolve()) for p in paths])
        entry["root"] = str((base / entry["root"]).resolve()) if entry.get("root") else (entry["path"] or [str(base)])[0]
        result.append(entry)
    return result


# --- databases ---------------------------------------------------------------------------------

def engine_for(url):
    import sqlalchemy as sa

    return sa.create_engine(url, poolclass=sa.pool.NullPool)


def server_url(url: str, database: str | None):
    import sqlalchemy as sa

    return sa.engine.make_url(url).set(database=database)


def url_text(url) -> str:
    return url.render_as_string(hide_password=False)


def create_database(base_url: str, name: str, charset: str, collation: str) -> None:
    assert name.startswith(PREFIX)
    engine = engine_for(server_url(base_url, None))
    with engine.connect() as connection:
        connection.exec_driver_sql(f"CREATE DATABASE `{name}` CHARACTER SET {charset} COLLATE {collation}")
    engine.dispose()


def drop_database(base_url: str, name: str) -> None:
    assert name.startswith(PREFIX)
    engine = engine_for(server_url(base_url, None))
    with engine.connect() as connection:
        connection.exec_driver_sql(f"DROP DATABASE IF EXISTS `{name}`")
    engine.dispose()


def snapshot(url) -> dict[str, list[tuple]]:
    """The schema as sorted information_schema rows, the tracking table left out."""
    engine = engine_for(url)
    result = {}
    with engine.connect() as connection:
        for part, sql in SNAPSHOT_QUERIES.items():
            rows = [tuple(row) for row in connection.exec_driver_sql(sql) if row[0] != TRACKING]
            if part == "foreign_keys":
                rows = [(row[0], re.sub(r"_ibfk_\d+$", "_ibfk_#", row[1]), *row[2:]) for row in rows]
            result[part] = sorted(rows, key=lambda row: tuple("" if v is None else str(v) for v in row))
    engine.dispose()
    return result


def table_names(url) -> list[str]:
    engine = engine_for(url)
    with engine.connect() as connection:
        names = [row[0] for row in connection.exec_driver_sql(
            "SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() ORDER BY 1")]
    engine.dispose()
    return names


def schema_differences(actual: dict, expected: dict) -> list[str]:
    """Lines naming each row of one snapshot missing from the other, by table and part."""
    lines = []
    for part in expected:
        missing = [row for row in expected[part] if row not in actual[part]]
        extra = [row for row in actual[part] if row not in expected[part]]
        by_table = collections.defaultdict(lambda: ([], []))
        for row in missing:
            by_table[(row[0], row[1] if part != "tables" else "")][0].append(row)
        for row in extra:
            by_table[(row[0], row[1] if part != "tables" else "")][1].append(row)
        for key in sorted(by_table):
            want, got = by_table[key]
            for row in want:
                lines.append(f"{part}: create_all has {row}")
            for row in got:
                lines.append(f"{part}: sqlgen made {row}")
    return lines


# --- the workers (each in a fresh process) ----------------------------------------------------

def _prepare_path(entry: dict) -> None:
    for folder in reversed(entry["path"]):
        if folder not in sys.path:
            sys.path.insert(0, folder)


def _load(entry: dict):
    from sqlgen.models import load_metadata

    _prepare_path(entry)
    return load_metadata(entry["models"], Path(entry["root"]))


def worker_create_all(entry: dict, urls: list[str]) -> dict:
    import warnings

    metadata = _load(entry)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for url in urls:
            engine = engine_for(url)
            metadata.create_all(engine)
            engine.dispose()
    return {"tables": len(metadata.tables)}


class _Echo:
    def __init__(self):
        self.lines: list[str] = []

    def __call__(self, text: str = "") -> None:
        self.lines.extend(str(text).splitlines() or [""])


def _config(entry: dict, url: str, directory: Path):
    from sqlgen.config import Config

    return Config(url=url, models=entry["models"], directory=directory, version_table=TRACKING,
                  templates=None, root=Path(entry["root"]))


def _generate_check(entry: dict, url: str, directory: Path, out: Path | None, label: str) -> dict:
    """generate --dry-run: pass when it finds nothing, else the changes (or the error) it gives."""
    from sqlgen import commands
    from sqlgen.errors import SqlgenError

    echo = _Echo()
    try:
        result = commands.generate(_config(entry, url, directory), "corpus check", dry_run=True, echo=echo)
    except SqlgenError as exc:
        return {"ok": False, "error": str(exc), "lines": [f"Error: {exc}"]}
    notes = [line for line in echo.lines if line.startswith("note: ")]
    if not result.summary:
        if "No changes detected" in echo.lines:
            return {"ok": True, "notes": notes}
        return {"ok": False, "lines": echo.lines[-3:] or ["(generate said nothing)"], "notes": notes}
    if out is not None:
        (out / f"{label}.up.sql").write_text(result.up_text)
        (out / f"{label}.down.sql").write_text(result.down_text)
    return {"ok": False, "lines": result.summary, "notes": notes}


def worker_sqlgen(entry: dict, url_a: str, url_b: str, out: str | None) -> dict:
    from sqlgen import commands
    from sqlgen.errors import SqlgenError

    _prepare_path(entry)
    out_dir = Path(out) if out else None
    work = Path(tempfile.mkdtemp(prefix="sqlgen_corpus_"))
    checks: dict[str, dict] = {}

    # (a) the create_all database is up to date
    checks["a"] = _generate_check(entry, url_a, work / "a_migrations", out_dir, "a_proposed")
    checks["a"]["notes"] = checks["a"].get("notes", [])

    # (b) from empty: generate, upgrade, compare with create_all
    directory = out_dir / "migrations" if out_dir else work / "b_migrations"
    config = _config(entry, url_b, directory)
    echo = _Echo()
    try:
        generated = commands.generate(config, "initial", echo=echo)
        if not generated.paths:
            checks["b"] = {"ok": False, "lines": ["generate from an empty database wrote nothing: "
                                                  + " / ".join(echo.lines[-3:])]}
        else:
            commands.upgrade(config, echo=echo)
    except SqlgenError as exc:
        checks["b"] = {"ok": False, "lines": [f"Error: {exc}"], "error": str(exc)}
    except Exception as exc:  # a crash is a result too
        checks["b"] = {"ok": False, "lines": [f"crash: {type(exc).__name__}: {exc}".splitlines()[0]]}
    if "b" not in checks:
        differences = schema_differences(snapshot(url_b), snapshot(url_a))
        checks["b"] = {"ok": not differences, "lines": differences}

        # (c) generate again finds nothing
        checks["c"] = _generate_check(entry, url_b, directory, out_dir, "c_proposed")

        # (d) downgrade base leaves only the tracking table
        try:
            commands.downgrade(config, "base", echo=_Echo())
            left = [name for name in table_names(url_b) if name != TRACKING]
            checks["d"] = {"ok": not left, "lines": [f"tables left after downgrade base: {', '.join(left)}"] if left else []}
        except SqlgenError as exc:
            checks["d"] = {"ok": False, "lines": [f"Error: {exc}"], "error": str(exc)}
    return {"checks": checks}


def worker_sqlgen_unbuildable(entry: dict, url_b: str, out: str | None) -> dict:
    """When create_all itself fails: generate from empty must refuse, naming the problem."""
    from sqlgen import commands
    from sqlgen.errors import SqlgenError

    _prepare_path(entry)
    directory = Path(out) / "migrations" if out else Path(tempfile.mkdtemp(prefix="sqlgen_corpus_"))
    config = _config(entry, url_b, directory)
    try:
        generated = commands.generate(config, "initial", echo=_Echo())
    except SqlgenError as exc:
        return {"checks": {"r": {"ok": True, "lines": [f"refused: {exc}"]}}}
    try:
        commands.upgrade(config, echo=_Echo())
    except SqlgenError as exc:
        return {"checks": {"r": {"ok": False, "lines": [
            f"wrote {generated.paths[0].name}, which upgrade fails on: {exc}"]}}}
    return {"checks": {"r": {"ok": False, "lines": [
        f"wrote {generated.paths[0].name}, which upgrade applied although create_all fails"]}}}


def _op_kind(diff) -> str:
    return diff[0] if isinstance(diff, tuple) else str(diff)


def worker_alembic(entry: dict, url_a: str) -> dict:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    metadata = _load(entry)
    engine = engine_for(url_a)
    ops = []
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={
            "compare_type": True,
            "compare_server_default": True,
            "include_object": lambda obj, name, type_, reflected, compare_to: not (type_ == "table" and name == TRACKING),
        })
        for diff in compare_metadata(context, metadata):
            for one in (diff if isinstance(diff, list) else [diff]):
                ops.append(one)
    engine.dispose()
    kinds = collections.Counter(_op_kind(op) for op in ops)
    return {"count": len(ops), "kinds": dict(kinds), "ops": [repr(op)[:300] for op in ops]}


WORKERS = {"create_all": worker_create_all, "sqlgen": worker_sqlgen, "alembic": worker_alembic,
           "sqlgen_unbuildable": worker_sqlgen_unbuildable}


def run_worker(kind: str, *args, timeout: float = 900) -> dict:
    """Run one worker in a fresh Python process; its result (or its failure) as a dict."""
    payload = json.dumps({"kind": kind, "args": args})
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(HERE.parent.parent), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    try:
        done = subprocess.run([sys.executable, str(HERE), "--worker"], input=payload, capture_output=True,
                              text=True, timeout=timeout, env=env)
    except subprocess.TimeoutExpired:
        return {"failed": f"{kind}: timed out after {timeout:.0f} s"}
    marker = "\n@@RESULT@@ "
    if done.returncode != 0 or marker not in "\n" + done.stdout:
        lines = done.stderr.strip().splitlines() or ["(no output)"]
        raised = [line for line in lines if re.match(r"[\w.]*(Error|Exception|Exit)\b", line)]
        tail = (raised or lines)[-1][:400]
        return {"failed": f"{kind}: {tail}", "stderr": done.stderr[-4000:]}
    return json.loads(("\n" + done.stdout).rsplit(marker, 1)[1])


def worker_main() -> None:
    request = json.loads(sys.stdin.read())
    result = WORKERS[request["kind"]](*request["args"])
    sys.stdout.write("\n@@RESULT@@ " + json.dumps(result, default=str) + "\n")


# --- one set -------------------------------------------------------------------------------------

def check_set(entry: dict, base_url: str, out: Path | None, keep: bool) -> dict:
    tag = f"{PREFIX}{entry['name'].lower().replace('-', '_')}_{uuid.uuid4().hex[:6]}"
    names = {"a": f"{tag}_a", "b": f"{tag}_b"}
    charset, collation = entry.get("charset", "utf8mb4"), entry.get("collation", "utf8mb4_general_ci")
    urls = {key: url_text(server_url(base_url, name)) for key, name in names.items()}
    set_out = None
    if out is not None:
        set_out = out / entry["name"]
        if set_out.exists():
            for path in sorted(set_out.rglob("*"), reverse=True):
                path.unlink() if path.is_file() else path.rmdir()
        (set_out / "migrations").mkdir(parents=True)
    result = {"name": entry["name"], "repo": entry.get("repo", ""), "commit": entry.get("commit", ""),
              "models_path": entry.get("models_path", ""), "tables": None}
    started = time.monotonic()
    try:
        for name in names.values():
            create_database(base_url, name, charset, collation)
        made = run_worker("create_all", entry, [urls["a"]])
        if "failed" in made:
            # The models cannot be built on this server: sqlgen must refuse them at generate.
            result["create_all_failed"] = made["failed"]
            result["stderr"] = made.get("stderr", "")
            result["sqlgen"] = run_worker("sqlgen_unbuildable", entry, urls["b"], str(set_out) if set_out else None)
            return result
        result["tables"] = made["tables"]
        result["sqlgen"] = run_worker("sqlgen", entry, urls["a"], urls["b"], str(set_out) if set_out else None)
        result["alembic"] = run_worker("alembic", entry, urls["a"])
    finally:
        if not keep:
            for name in names.values():
                drop_database(base_url, name)
        result["seconds"] = round(time.monotonic() - started, 1)
        if set_out is not None:
            (set_out / "result.json").write_text(json.dumps(result, indent=2, default=str))
    return result


# --- the report ----------------------------------------------------------------------------------

CHECK_NAMES = {
    "r": "(r) models create_all cannot build: generate must refuse them",
    "a": "(a) create_all, then generate",
    "b": "(b) generate + upgrade from empty = create_all",
    "c": "(c) generate again",
    "d": "(d) downgrade base",
}


def sqlgen_cell(result: dict) -> str:
    if "failed" in result:
        return f"not run: {result['failed']}"
    sqlgen = result["sqlgen"]
    if "failed" in sqlgen:
        return f"crashed: {sqlgen['failed']}"
    if "create_all_failed" in result:
        check = sqlgen["checks"]["r"]
        verdict = "pass (refused)" if check["ok"] else "FAIL"
        return (f"create_all fails (`{_cell_text(result['create_all_failed'], 100)}`); "
                f"{verdict}: `{_cell_text(check['lines'][0])}`")
    failed = [(key, check) for key, check in sqlgen["checks"].items() if not check["ok"]]
    if not failed:
        return "pass (a b c d)"
    parts = []
    for key, check in failed:
        first = (check.get("lines") or ["?"])[0]
        more = len(check.get("lines", [])) - 1
        parts.append(f"{key}: `{_cell_text(first)}`" + (f" (+{more} more)" if more > 0 else ""))
    return "FAIL " + "; ".join(parts)


def alembic_cell(result: dict) -> str:
    alembic = result.get("alembic")
    if not alembic:
        return "not run"
    if "failed" in alembic:
        return f"crashed: {_cell_text(alembic['failed'])}"
    if not alembic["count"]:
        return "0"
    kinds = ", ".join(f"{kind} {n}" for kind, n in sorted(alembic["kinds"].items(), key=lambda kv: (-kv[1], kv[0])))
    return f"{alembic['count']} ({kinds})"


def _cell_text(text: str, limit: int = 160) -> str:
    text = text.replace("|", "\\|").replace("`", "'")
    return text if len(text) <= limit else text[:limit - 1] + "…"


def report(results: list[dict]) -> str:
    lines = ["| set | tables | sqlgen | Alembic spurious ops |", "| --- | --- | --- | --- |"]
    for result in results:
        lines.append(f"| {result['name']} | {result['tables'] if result['tables'] is not None else '-'} | "
                     f"{sqlgen_cell(result)} | {alembic_cell(result)} |")
    passed = sum(1 for r in results if "sqlgen" in r and "checks" in r["sqlgen"]
                 and all(c["ok"] for c in r["sqlgen"]["checks"].values()))
    total_ops = sum(r["alembic"]["count"] for r in results if r.get("alembic") and "count" in r["alembic"])
    lines.append("")
    refused = sum(1 for r in results if "create_all_failed" in r and "checks" in r.get("sqlgen", {})
                  and all(c["ok"] for c in r["sqlgen"]["checks"].values()))
    lines.append(f"sqlgen: {passed} of {len(results)} sets pass ({passed - refused} all four checks, {refused} by "
                 f"refusing models create_all cannot build); Alembic: {total_ops} spurious operation(s) over "
                 f"{sum(1 for r in results if r.get('alembic') and 'count' in r['alembic'])} sets it could compare")
    return "\n".join(lines)


def details(results: list[dict], limit: int = 8) -> str:
    lines = []
    for result in results:
        sqlgen = result.get("sqlgen") or {}
        for key, check in sqlgen.get("checks", {}).items():
            if not check["ok"]:
                lines.append(f"{result['name']} {CHECK_NAMES[key]}:")
                lines += [f"    {line}" for line in check["lines"][:limit]]
                if len(check["lines"]) > limit:
                    lines.append(f"    ... {len(check['lines']) - limit} more")
        if "failed" in sqlgen:
            lines.append(f"{result['name']} sqlgen crashed: {sqlgen['failed']}")
        if "failed" in result:
            lines.append(f"{result['name']} not run: {result['failed']}")
        if "create_all_failed" in result:
            lines.append(f"{result['name']} create_all failed: {result['create_all_failed']}")
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("sets", type=Path, help="JSON or TOML file listing the model sets")
    parser.add_argument("--url", default=DEFAULT_URL, help="server URL (its database part is ignored)")
    parser.add_argument("--only", nargs="*", default=None, help="run only these sets")
    parser.add_argument("--out", type=Path, help="keep per-set files (generated migrations, differences) here")
    parser.add_argument("--json", type=Path, help="write all results here")
    parser.add_argument("--keep", action="store_true", help="keep the scratch databases")
    args = parser.parse_args(argv)

    sets = read_sets(args.sets)
    if args.only:
        unknown = set(args.only) - {entry["name"] for entry in sets}
        if unknown:
            parser.error(f"no such set: {', '.join(sorted(unknown))}")
        sets = [entry for entry in sets if entry["name"] in args.only]
    results = []
    for entry in sets:
        print(f"... {entry['name']}", file=sys.stderr, flush=True)
        results.append(check_set(entry, args.url, args.out, args.keep))
    print(report(results))
    more = details(results)
    if more:
        print("\nFirst differing lines per failed check:\n" + more)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, default=str))
    return 0


if __name__ == "__main__":
    if sys.argv[1:] == ["--worker"]:
        worker_main()
    else:
        sys.exit(main())
