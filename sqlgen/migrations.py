"""The migrations directory: file names, numbering and writing new pairs."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from .errors import SqlgenError

FILE_NAME = re.compile(r"^(?P<version>\d{4,})_(?P<slug>[a-z0-9_]+)\.(?P<direction>up|down)\.sql$")
SLUG_LENGTH = 48


@dataclass(frozen=True)
class Migration:
    version: int
    slug: str
    up: Path
    down: Path | None

    @property
    def name(self) -> str:
        return f"{self.version:04d}_{self.slug}"


def slugify(message: str) -> str:
    """Lowercase ASCII words joined by '_', at most 48 characters."""
    text = unicodedata.normalize("NFKD", message).encode("ascii", "ignore").decode("ascii")
    text = re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")
    text = text[:SLUG_LENGTH].rstrip("_")
    return text or "migration"


def scan(directory: Path) -> list[Migration]:
    """The migrations in `directory`, in order. A broken directory is an error."""
    if not directory.exists():
        return []
    if not directory.is_dir():
        raise SqlgenError(f"{directory} is not a directory; point --dir at the migrations folder")
    found: dict[int, dict[str, tuple[str, Path]]] = {}
    for path in sorted(directory.iterdir()):
        if not path.name.endswith(".sql"):
            continue
        match = FILE_NAME.match(path.name)
        if not match:
            raise SqlgenError(
                f"{path}: cannot read the version from this name; "
                "migration files are named NNNN_slug.up.sql and NNNN_slug.down.sql"
            )
        version, slug, direction = int(match["version"]), match["slug"], match["direction"]
        pair = found.setdefault(version, {})
        if direction in pair or any(other_slug != slug for other_slug, _ in pair.values()):
            other = next(iter(pair.values()))[1]
            raise SqlgenError(f"{path}: version {version} is used twice (also {other.name}); renumber one of them")
        pair[direction] = (slug, path)
    migrations = []
    for version in sorted(found):
        pair = found[version]
        if "up" not in pair:
            raise SqlgenError(f"{pair['down'][1]}: has no matching .up.sql file")
        if "down" not in pair:
            raise SqlgenError(f"{pair['up'][1]}: has no matching .down.sql file; add one (it may be empty)")
        migrations.append(Migration(version, pair["up"][0], pair["up"][1], pair["down"][1]))
    return migrations


def next_version(migrations: list[Migration]) -> int:
    return max((m.version for m in migrations), default=0) + 1


def write_pair(directory: Path, name: str, up_text: str, down_text: str) -> tuple[Path, Path]:
    """Write both files, or neither: never leave half a pair behind."""
    directory.mkdir(parents=True, exist_ok=True)
    up_path = directory / f"{name}.up.sql"
    down_path = directory / f"{name}.down.sql"
    for path in (up_path, down_path):
        if path.exists():
            raise SqlgenError(f"{path} already exists; nothing was written")
    try:
        up_path.write_text(up_text, encoding="utf-8")
        down_path.write_text(down_text, encoding="utf-8")
    except OSError as exc:
        up_path.unlink(missing_ok=True)
        down_path.unlink(missing_ok=True)
        raise SqlgenError(f"cannot write to {directory}: {exc.strerror}") from None
    return up_path, down_path
