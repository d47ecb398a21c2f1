"""The proof of a new pair on a scratch database (`generate --verify`): the existing
migrations replayed, then the new up and down files, each step compared with what it
must give. Not to be confused with `sqlgen verify`, which checks applied files' checksums."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

from .config import Config
from .errors import SqlgenError
from .plan import Plan, diff_or_explain

Echo = Callable[[str], None]


def prove(config: Config, plan: Plan, existing, name: str, up_text: str, down_text: str,
          upgrade: Callable, downgrade: Callable) -> str:
    """Prove the new pair on a scratch database; return what the header records.

    Replays the existing migrations, checks that they give the schema the pair
    was computed against, applies the up file (the models must then match) and
    the down file (the schema must be as before). The scratch database is
    dropped whatever happens.
    """
    import shutil
    import tempfile

    from .dialects import connect

    dialect = plan.dialect
    previous = str(existing[-1].version) if existing else "base"
    quiet: Echo = lambda line: None  # noqa: E731

    def failed(what: str) -> SqlgenError:
        return SqlgenError(f"--verify failed on a scratch database, nothing written: {what}")

    def differences(current, target, server) -> list[str]:
        from .excluded import leave_out

        rules = replace(dialect.rules(server), column_order=config.column_order)
        current, target, _ = leave_out(current, target, config.exclude, rules.case_insensitive_tables)
        operations = diff_or_explain(current, target, rules, ())
        return [line for operation in operations for line in operation.summaries()]

    with tempfile.TemporaryDirectory(prefix="sqlgen-verify-") as folder:
        folder = Path(folder)
        for migration in existing:
            shutil.copy(migration.up, folder / migration.up.name)
            shutil.copy(migration.down, folder / migration.down.name)
        (folder / f"{name}.up.sql").write_text(up_text, encoding="utf-8")
        (folder / f"{name}.down.sql").write_text(down_text, encoding="utf-8")
        with dialect.scratch_database(_scratch_server(config, dialect)) as url:
            scratch = replace(config, url=url, directory=folder)

            def reflect():
                with connect(url) as connection:
                    server = dialect.server_info(connection)
                    return dialect.reflect(connection, server, frozenset({config.version_table})), server

            def run(step, target: str, what: str) -> None:
                try:
                    step(scratch, target, echo=quiet)
                except SqlgenError as exc:
                    raise failed(f"{what}: {exc}") from None

            if existing:
                run(upgrade, previous, f"replaying the {len(existing)} existing migration(s) failed")
            before, server = reflect()
            drift = differences(before, plan.current, server)
            if drift:
                raise failed(f"the {len(existing)} existing migration(s) do not build the database this pair was "
                             f"computed against ({'; '.join(drift[:5])}); bring them together first "
                             "(sqlgen status, sqlgen check)")
            run(upgrade, "head", f"the up file {name}.up.sql failed")
            target, _ = dialect.declared_schema(plan.metadata, server, config.version_table)
            after, _ = reflect()
            left = differences(after, target, server)
            if left:
                raise failed(f"after {name}.up.sql the schema still differs from the models (still to do: "
                             f"{'; '.join(left[:5])})")
            run(downgrade, previous, f"the down file {name}.down.sql failed")
            restored, _ = reflect()
            changed = differences(restored, before, server)
            if changed:
                raise failed(f"after {name}.down.sql the schema differs from before the up file: "
                             f"{'; '.join(changed[:5])}")
    when = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")
    return f"yes, on {server.label}, {when} (replayed {len(existing)} migration(s), then this up and down)"


def _scratch_server(config: Config, dialect) -> str:
    """The URL whose server holds the scratch database: verify_url, which must be of the
    migrations' own dialect, or the project's URL."""
    from . import dialects
    from .database import mask_url

    if not config.verify_url:
        return config.require_url()
    found = dialects.backend(config.verify_url)
    if found != dialect.name:
        raise SqlgenError(f"verify_url {mask_url(config.verify_url)!r} is a {found} database, but the migrations are "
                          f"for {dialect.name}; point verify_url at a {dialect.name} server, or leave it out")
    return config.verify_url
