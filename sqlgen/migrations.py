"""The migrations directory: file names, numbering and writing new pairs."""

from __future__ import annotations

import hashlib
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
        """The file name without .up.sql, e.g. 0002_add_tags."""
        return self.up.name[: -len(".up.sql")]


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
        if version == 0:
            raise SqlgenError(f"{path}: versions start at 1 (0 means \"nothing applied\"); renumber this file")
        pair = found.setdefault(version, {})
        if direction in pair or any(other_slug != slug for other_slug, _ in pair.values()):
            other = next(iter(pair.values()))[1]
            raise SqlgenError(f"{path}: version {version} is used twice (also {other.name}); renumber one of them")
        pair[direction] = (slug, path)
    versions = sorted(found)
    for previous, version in zip(versions, versions[1:]):
        if version != previous + 1:
            path = found[version].get("up", found[version].get("down"))[1]
            gap = f"version {previous + 1} is" if version == previous + 2 else \
                f"versions {previous + 1}-{version - 1} are"
            raise SqlgenError(
                f"{path}: version {version} follows {previous}; {gap} missing (restore the missing file(s) or renumber this one)"
            )
    migrations = []
    for version in versions:
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


# --- What a file holds ----------------------------------------------------------

# Statements that InnoDB can roll back; a file of only these runs in one transaction.
TRANSACTIONAL = frozenset({"insert", "update", "delete", "replace", "select", "with", "set", "do", "values", "table"})
_FIRST_WORD = re.compile(r"(?:/\*.*?\*/\s*)*([A-Za-z]+)", re.S)
# SET statements that end, start or shape transactions themselves.
_TRANSACTION_CONTROL = re.compile(
    r"set\s+(?:(?:session|global|local)\s+)?(?:@@(?:session\.|global\.|local\.)?)?"
    r"(?:transaction|autocommit|tx_isolation|transaction_isolation|completion_type)\b", re.I)
_RECORDED_CHECKSUM = re.compile(r"'([0-9a-f]{64})'")


@dataclass(frozen=True)
class FileFacts:
    checksum: str  # sha256 of the statements, tracking blocks and comments excluded
    count: int  # statements, tracking blocks excluded
    transactional: bool  # only statements InnoDB can roll back
    tracked: bool  # carries sqlgen:tracking blocks
    recorded_checksum: str | None  # the checksum its tracking block records
    final_delimiter: str = ";"  # in force at the end of the file
    unterminated: bool = False  # the last statement has no delimiter


class Checksum:
    """sha256 over a sequence of statements; a prefix gives the progress checksum."""

    def __init__(self):
        self._hash = hashlib.sha256()

    def add(self, text: str) -> None:
        from .splitter import checksum_key

        self._hash.update(checksum_key(text).encode("utf-8") + b"\0")

    def hexdigest(self) -> str:
        return self._hash.hexdigest()


def is_transactional(text: str) -> bool:
    match = _FIRST_WORD.match(text)
    return bool(match) and match.group(1).lower() in TRANSACTIONAL and not _TRANSACTION_CONTROL.match(text)


def body_statements(path: Path, dialect: str = "mysql"):
    """The statements a runner executes from `path`, numbered from 1."""
    from .splitter import split

    number = 0
    with open_migration(path) as handle:
        for statement in split(handle, path.name, dialect):
            if not statement.tracking:
                number += 1
                yield number, statement


def facts(path: Path, dialect: str = "mysql") -> FileFacts:
    """Read a migration file once, streaming, and summarise it."""
    try:
        with open_migration(path) as handle:
            return facts_of_lines(handle, path.name, dialect)
    except UnicodeDecodeError as exc:
        raise SqlgenError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except OSError as exc:
        raise SqlgenError(f"cannot read {path}: {exc.strerror}") from None


def open_migration(path: Path):
    """Open a migration file as the client reads it: a BOM dropped, lines broken at LF only."""
    return path.open(encoding="utf-8-sig", newline="\n")


def read_migration(path: Path) -> str:
    try:
        with open_migration(path) as handle:
            return handle.read()
    except UnicodeDecodeError as exc:
        raise SqlgenError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except OSError as exc:
        raise SqlgenError(f"cannot read {path}: {exc.strerror}") from None


def facts_of_lines(lines, name: str, dialect: str = "mysql") -> FileFacts:
    from .splitter import Splitter

    checksum = Checksum()
    count = 0
    transactional = True
    tracked = False
    recorded = None
    splitter = Splitter(name, dialect)

    def take(statement) -> None:
        nonlocal count, transactional, tracked, recorded
        if statement.tracking:
            tracked = True
            found = _RECORDED_CHECKSUM.search(statement.text)
            recorded = recorded or (found.group(1) if found else None)
            return
        count += 1
        checksum.add(statement.text)
        transactional = transactional and is_transactional(statement.text)

    for number, line in enumerate(lines, 1):
        for statement in splitter.feed(line, number):
            take(statement)
    unterminated = False
    for statement in splitter.close():
        take(statement)
        unterminated = True
    return FileFacts(checksum.hexdigest(), count, transactional and count > 0, tracked, recorded,
                     splitter.delimiter, unterminated)


def with_tracking(text: str, opening: str, closing: str, dialect: str = "mysql") -> str:
    """`text` with its tracking blocks replaced by (or given) `opening` and `closing`.

    The closing block is preceded by what it needs to run: the delimiter that
    ends an unterminated last statement, and `DELIMITER ;` if another one is
    in force.
    """
    from .splitter import TRACKING_BEGIN, TRACKING_END

    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    spans, start = [], None
    for i, line in enumerate(lines):
        if line.startswith(TRACKING_BEGIN) and start is None:
            start = i
        elif line.startswith(TRACKING_END) and start is not None:
            spans.append((start, i))
            start = None
    if len(spans) == 2 and not _has_statements(lines[:spans[0][0]], dialect) and \
            not _has_statements(lines[spans[1][1] + 1:], dialect):
        (a, b), (c, d) = spans
        body = lines[b + 1:c]
        tail = _closing_needs(lines[:c], dialect)
        lines = lines[:a] + opening.split("\n") + body + tail + closing.split("\n") + lines[d + 1:]
        return "\n".join(lines) + "\n"
    for a, b in reversed(spans):
        del lines[a:b + 1]
    header = 0
    while header < len(lines) and (lines[header].startswith(("--", "#")) or not lines[header].strip()):
        header += 1
    top, body = lines[:header], lines[header:]
    while top and not top[-1].strip():
        top.pop()
    while body and not body[-1].strip():
        body.pop()
    body += _closing_needs(body, dialect)
    parts = ["\n".join(top)] if top else []
    parts.append(opening)
    if body:
        parts.append("\n".join(body))
    parts.append(closing)
    return "\n\n".join(parts) + "\n"


def _has_statements(lines: list[str], dialect: str) -> bool:
    return facts_of_lines((line + "\n" for line in lines), "<file>", dialect).count > 0


def _closing_needs(lines: list[str], dialect: str) -> list[str]:
    found = facts_of_lines((line + "\n" for line in lines), "<file>", dialect)
    needs = [found.final_delimiter] if found.unterminated else []
    if found.final_delimiter != ";":
        needs.append("DELIMITER ;")
    return needs
