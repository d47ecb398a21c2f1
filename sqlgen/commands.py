"""The command layer: one function per CLI command, each taking a Config.

Functions print through `echo` so tests and other front ends can capture the
output; they raise SqlgenError for anything the user must fix.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

from .config import Config
from .errors import SqlgenError

Echo = Callable[[str], None]


@dataclass
class GenerateResult:
    summary: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    up_text: str = ""
    down_text: str = ""
    paths: tuple[Path, ...] = ()


def generate(config: Config, message: str, *, dry_run: bool = False, empty: bool = False,
             echo: Echo = print) -> GenerateResult:
    """Diff the models against the database and write the next up/down pair."""
    from . import migrations
    from .writer import MigrationText

    existing = migrations.scan(config.directory)
    version = migrations.next_version(existing)
    name = f"{version:04d}_{migrations.slugify(message)}"
    result = GenerateResult()
    text = MigrationText(
        version=version,
        message=message,
        created=datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC"),
        models=config.models or "(none)",
        dialect="",
        server="",
        up_file=f"{name}.up.sql",
        down_file=f"{name}.down.sql",
    )

    if empty:
        from .database import parse_url

        text.dialect = parse_url(config.url).get_backend_name() if config.url else "(no database configured)"
        text.server = "not checked (generate --empty)"
    else:
        plan = _plan(config)
        result.notes = plan.notes
        for note in plan.notes:
            echo(f"note: {note}")
        if not plan.operations:
            echo("No changes detected")
            return result
        text.dialect, text.server = plan.server.flavour, plan.server.version_string
        text.up_blocks = plan.blocks(plan.operations)
        text.down_blocks = plan.blocks(plan.inverse)
        result.summary = [line for op in plan.operations for line in op.summaries()]

    result.up_text, result.down_text = text.render(config.templates)
    if dry_run:
        for line in result.summary:
            echo(line)
        echo(f"-- ==> {text.up_file} (dry run, not written) <==")
        echo(result.up_text)
        echo(f"-- ==> {text.down_file} (dry run, not written) <==")
        echo(result.down_text)
        return result

    result.paths = migrations.write_pair(config.directory, name, result.up_text, result.down_text)
    for line in result.summary:
        echo(line)
    echo(f"Wrote {_shown(result.paths[0])}")
    echo(f"Wrote {_shown(result.paths[1])}")
    return result


@dataclass
class _Plan:
    server: object
    operations: list
    inverse: list
    notes: list[str]

    def blocks(self, operations) -> list[str]:
        from .mysql.render import render

        blocks = ["SET NAMES utf8mb4;"]
        for operation in operations:
            lines = [f"-- {risk.level}: {risk.message}" for risk in operation.risks()]
            lines.append(render(operation, self.server) + ";")
            blocks.append("\n".join(lines))
        return blocks


def _plan(config: Config) -> _Plan:
    """Load the models, reflect the database and diff them."""
    from .database import connect, parse_url
    from .diff import diff
    from .models import load_metadata
    from .mysql.declare import declared_schema
    from .mysql.dialect import MYSQL_RULES
    from .mysql.reflect import reflect, server_info
    from .ops import invert

    url = config.require_url()
    parse_url(url)  # a bad URL is reported before any user code is imported
    metadata = load_metadata(config.require_models(), config.root)
    with connect(url) as connection:
        server = server_info(connection)
        current = reflect(connection, server, exclude=frozenset({config.version_table}))
    target, notes = declared_schema(metadata, server, config.version_table)
    notes += [f"not compared: {kind} {name}" for kind, name in current.unmanaged]
    operations = diff(current, target, MYSQL_RULES)
    return _Plan(server, operations, invert(operations), notes)


def _shown(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)

