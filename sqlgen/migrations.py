"""The migrations directory: file names, numbering and writing new pairs."""

from __future__ import annotations

import hashlib
import re
import stat
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from .errors import SqlgenError

if TYPE_CHECKING:
    from .splitter import Reading

# [0-9], not \d: \d also matches other scripts' digits ('١٢٣٤'), which int() reads as a version.
FILE_NAME = re.compile(r"^(?P<version>[0-9]{4,})_(?P<slug>[a-z0-9_]+)\.(?P<direction>up|down)\.sql$")
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


def pairs_allowing_duplicates(directory: Path) -> list[Migration]:
    """The folder's up/down pairs by version and slug, two pairs of one version included (after a
    merge of two branches: what sqlgen renumber mends)."""
    found: dict[tuple[int, str], dict[str, Path]] = {}
    for path in sorted(directory.iterdir()) if directory.is_dir() else ():
        match = FILE_NAME.match(path.name)
        if match and path.is_file():
            found.setdefault((int(match["version"]), match["slug"]), {})[match["direction"]] = path
    return [Migration(version, slug, paths.get("up") or paths["down"].with_name(f"{version:04d}_{slug}.up.sql"),
                      paths.get("down"))
            for (version, slug), paths in sorted(found.items())]


def scan(directory: Path) -> list[Migration]:
    """The migrations in `directory`, in order. A broken directory is an error."""
    try:
        if not directory.exists():
            return []
    except OSError as exc:  # e.g. a path through a file, or too long
        raise SqlgenError(f"cannot read the migrations folder {directory}: {exc.strerror}; point --dir at a folder") \
            from None
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
        not_a_file = _not_a_regular_file(path)
        if not_a_file:
            # Reading a pipe waits for a writer and a device may never end: refuse it instead.
            raise SqlgenError(f"{path} {not_a_file}, not a regular file as a migration must be; replace it with "
                              "the file itself, or move it out of the folder")
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


def _not_a_regular_file(path: Path) -> str | None:
    """What `path` is, when it is not a regular file (a symbolic link counts as what it points at)."""
    verb = "points at" if path.is_symlink() else "is"
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        return "is a symbolic link to nothing"
    except OSError as exc:
        return f"cannot be read ({exc.strerror})"
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return f"{verb} a folder"
    if stat.S_ISFIFO(mode):
        return f"{verb} a named pipe"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return f"{verb} a device"
    return f"{verb} a socket"


def make_folder(directory: Path) -> None:
    """Create the migrations folder if needed; a path that cannot be one is one clear line."""
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise SqlgenError(f"{directory} is a file, not a folder; point --dir at the migrations folder") from None
    except NotADirectoryError:
        raise SqlgenError(f"cannot create the migrations folder {directory}: a part of that path is a file; "
                          "point --dir at a folder") from None
    except OSError as exc:
        raise SqlgenError(f"cannot create the migrations folder {directory}: {exc.strerror}; point --dir at a "
                          "folder you can write to") from None


def next_version(migrations: list[Migration]) -> int:
    return max((m.version for m in migrations), default=0) + 1


def write_pair(directory: Path, name: str, up_text: str, down_text: str) -> tuple[Path, Path]:
    """Write both files, or neither: never leave half a pair behind."""
    make_folder(directory)
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
        raise SqlgenError(f"cannot write to {directory}: {exc.strerror}; nothing was written") from None
    return up_path, down_path


# --- What a file holds ----------------------------------------------------------

FIRST_WORD = re.compile(r"([A-Za-z]+)")
# A statement that is one versioned comment (`/*!40101 SET ... */`, as mysqldump writes them).
WHOLLY_VERSIONED = re.compile(r"/\*M?!\d*\s*(.*)\*/", re.S)
_RECORDED_CHECKSUM = re.compile(r"'([0-9a-f]{64})'")


_ALLOW = re.compile(r"[ \t]*--[ \t]*sqlgen:[ \t]*allow[ \t]+([a-z-]+)(?:[ \t]+([^\s;]+))?", re.I)


def acknowledgements(directives) -> set[tuple[str, str | None]]:
    """(code, target) pairs allowed by `-- sqlgen: allow CODE [TARGET]` comment lines;
    `directives` are the file's line-start comments (FileFacts.directives), so the
    same words inside a string literal acknowledge nothing."""
    found = set()
    for _, comment in directives:
        match = _ALLOW.match(comment)
        if match:
            found.add((match.group(1).lower(), match.group(2)))
    return found


@dataclass(frozen=True)
class FileProblem:
    """Something that makes a file unsafe to run; `kind` is its lint code."""

    line: int
    kind: str  # "client-command" or "tracking-block"
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


KEPT_BODY_CHARS = 1 << 20  # a file's statements up to this size stay in memory after its facts are read


@dataclass(frozen=True)
class FileFacts:
    checksum: str  # sha256 of the statements, tracking blocks and comments excluded
    count: int  # statements, tracking blocks excluded
    transactional: bool  # only statements `rolls_back` takes (False when read without that predicate)
    tracked: bool  # carries sqlgen:tracking blocks
    recorded_checksum: str | None  # the checksum its tracking block records
    final_delimiter: str = ";"  # in force at the end of the file
    unterminated: bool = False  # the last statement has no delimiter
    # What makes the file unsafe to run, one "line N: ..." each: client commands sqlgen
    # cannot run, tracking blocks that hold other statements than sqlgen writes.
    problems: tuple[FileProblem, ...] = ()
    # Whether `sqlgen rehash` can repair the tracking blocks (nothing in them but sqlgen's own, edited).
    rehashable: bool = True
    # Line-start `--` comments naming `sqlgen:` (line, text): acknowledgements, markers.
    directives: tuple[tuple[int, str], ...] = ()
    # The statements themselves, kept for a small file so that the runner need not read it again.
    body: tuple | None = field(default=None, compare=False, repr=False)


class Checksum:
    """sha256 over a sequence of statements; a prefix gives the progress checksum."""

    def __init__(self):
        self._hash = hashlib.sha256()

    def add(self, text: str) -> None:
        from .splitter import checksum_key

        self._hash.update(checksum_key(text).encode("utf-8") + b"\0")

    def hexdigest(self) -> str:
        return self._hash.hexdigest()


def body_statements(path: Path, reading: Reading, strict: bool = True, sql_mode: str | None = ""):
    """The statements a runner executes from `path`, numbered from 1. A client command
    sqlgen cannot run raises SqlgenError (with `strict=False` it is skipped: lint reports it)."""
    from .splitter import Splitter

    number = 0
    splitter = Splitter(path.name, reading, strict=strict, sql_mode=sql_mode)
    try:
        with open_migration(path) as handle:
            for line_number, line in enumerate(handle, 1):
                for statement in splitter.feed(line, line_number):
                    if not statement.tracking:
                        number += 1
                        yield number, statement
            for statement in splitter.close():
                if not statement.tracking:
                    number += 1
                    yield number, statement
    except UnicodeDecodeError as exc:
        raise _not_text(path, exc) from None
    except OSError as exc:
        raise SqlgenError(f"cannot read {path}: {exc.strerror}") from None


def facts(path: Path, reading: Reading, expected_tracking: tuple[str, str] | None = None,
          sql_mode: str | None = "", rolls_back: Callable[[str], bool] | None = None) -> FileFacts:
    """Read a migration file once, streaming, and summarise it. `expected_tracking`
    is what its tracking blocks must hold (rendered with CHECKSUM_PLACEHOLDER and
    TOTAL_PLACEHOLDER); `sql_mode` is the session's when the file starts."""
    try:
        with open_migration(path) as handle:
            return facts_of_lines(handle, path.name, reading, expected_tracking, sql_mode, rolls_back)
    except UnicodeDecodeError as exc:
        raise _not_text(path, exc) from None
    except OSError as exc:
        raise SqlgenError(f"cannot read {path}: {exc.strerror}") from None


def _not_text(path: Path, exc: UnicodeDecodeError) -> SqlgenError:
    return SqlgenError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start}); migration files are UTF-8 SQL")


def open_migration(path: Path):
    """Open a migration file as the client reads it: lines broken at LF only (the
    splitter drops a byte-order mark at the start, as the client does)."""
    return path.open(encoding="utf-8", newline="\n")


def read_migration(path: Path) -> str:
    try:
        with open_migration(path) as handle:
            return handle.read()
    except UnicodeDecodeError as exc:
        raise _not_text(path, exc) from None
    except OSError as exc:
        raise SqlgenError(f"cannot read {path}: {exc.strerror}") from None


def facts_of_lines(lines, name: str, reading: Reading, expected_tracking: tuple[str, str] | None = None,
                   sql_mode: str | None = "", rolls_back: Callable[[str], bool] | None = None) -> FileFacts:
    """What a file holds; `rolls_back` tells the statements a transaction can undo (the
    dialect's), and a file of only those is `transactional`."""
    reader = FactsReader(name, reading, expected_tracking, sql_mode, rolls_back)
    for _ in reader.statements(lines):
        pass
    return reader.facts()


class FactsReader:
    """Reads a file's statements and its facts in one pass: `statements(lines)` yields the
    numbered body statements as they are read (what a runner executes), and once it is
    exhausted `facts()` sums the file up. `refused` grows as the splitter meets what sqlgen
    cannot run, so a runner reading as it goes can stop there."""

    def __init__(self, name: str, reading: Reading, expected_tracking: tuple[str, str] | None = None,
                 sql_mode: str | None = "", rolls_back: Callable[[str], bool] | None = None, keep: bool = True):
        from .splitter import Splitter

        self.reading, self.expected_tracking, self.rolls_back = reading, expected_tracking, rolls_back
        self.checksum = Checksum()
        self.count = 0
        self.transactional = rolls_back is not None
        self.recorded = None
        self.splitter = Splitter(name, reading, strict=False, sql_mode=sql_mode)
        self.tracking: list = []  # the tracking statements
        self.body_lines: list[int] = []  # first and last line of the body statements
        self.first_lasting: int | None = None  # line of the first body statement that may not lead the file
        self.body: list | None = [] if keep else None
        self.kept_chars = 0
        self.unterminated = False

    @property
    def refused(self) -> list:
        return self.splitter.refused

    def statements(self, lines):
        splitter = self.splitter
        for number, line in enumerate(lines, 1):
            for statement in splitter.feed(line, number):
                if self._take(statement):
                    yield self.count, statement
        for statement in splitter.close():
            self.unterminated = True
            if self._take(statement):
                yield self.count, statement

    def _take(self, statement) -> bool:
        if statement.tracking:
            self.tracking.append(statement)
            found = _RECORDED_CHECKSUM.search(statement.text)
            self.recorded = self.recorded or (found.group(1) if found else None)
            return False
        self.count += 1
        if self.body is not None:
            self.kept_chars += len(statement.text)
            self.body.append(statement)
            if self.kept_chars > KEPT_BODY_CHARS:
                self.body = None
        self.body_lines[1:] = [statement.line]
        if len(self.body_lines) == 1:
            self.body_lines.insert(0, statement.line)
        if self.first_lasting is None and not (self.reading.may_lead and self.reading.may_lead(statement.text)):
            self.first_lasting = statement.line
        self.checksum.add(statement.text)
        self.transactional = self.transactional and self.rolls_back(statement.text)
        return True

    def facts(self) -> FileFacts:
        splitter = self.splitter
        problems = [FileProblem(line, "client-command", message) for line, message in splitter.refused]
        layout = _tracking_problems(splitter.markers, self.tracking, self.body_lines, self.first_lasting,
                                    self.expected_tracking, self.reading)
        return FileFacts(self.checksum.hexdigest(), self.count, self.transactional and self.count > 0,
                         bool(self.tracking or splitter.markers), self.recorded, splitter.delimiter, self.unterminated,
                         tuple(problems + layout.problems), layout.rehashable, tuple(splitter.directives),
                         None if self.body is None else tuple(self.body))


# --- Tracking blocks hold only what sqlgen writes ------------------------------------

CHECKSUM_PLACEHOLDER = "sqlgen_checksum_placeholder"
TOTAL_PLACEHOLDER = "sqlgen_total_placeholder"


@dataclass
class _Layout:
    problems: list[FileProblem]
    rehashable: bool = True

    def add(self, line: int, message: str) -> None:
        self.problems.append(FileProblem(line, "tracking-block", message))


def _tracking_problems(markers, tracking, body_lines, first_lasting, expected, reading: Reading) -> _Layout:
    """Where the tracking blocks stand and what they hold, against what sqlgen writes:
    one block before every statement of the file but those that may lead it (SETs of the
    session and read-only checks, `Reading.may_lead`), one after, each exactly sqlgen's."""
    layout = _Layout([])
    if not markers and not tracking:
        return layout  # a hand-written file: the runner records it all the same
    for line, kind, inside in markers:
        if inside:
            layout.add(line, "a sqlgen:tracking marker inside a statement; move it between statements, "
                             "or run sqlgen rehash")
    begins = [line for line, kind, _ in markers if kind == "begin"]
    ends = [line for line, kind, _ in markers if kind == "end"]
    if len(begins) != 2 or len(ends) != 2 or not begins[0] < ends[0] < begins[1] < ends[1]:
        layout.add((begins or ends)[0], f"sqlgen writes two tracking blocks, one before the file's statements and "
                                        f"one after; this file has {len(begins)}: run sqlgen rehash")
        layout.rehashable = not tracking or _all_known(tracking, expected, reading)
        return layout
    if body_lines and body_lines[-1] > begins[1]:
        layout.add(begins[1], "a statement of the file stands after its last tracking block; the tracking blocks "
                              "must come first and last: run sqlgen rehash")
    elif first_lasting is not None and first_lasting < ends[0]:
        layout.add(first_lasting, "a statement stands before the file's first tracking block that may change "
                                  "something, or how the file is recorded, before the file is recorded as started "
                                  "by hand (only SET NAMES utf8mb4, the escape pin and read-only checks may come "
                                  "first): move it below the block, or run sqlgen rehash")
    if expected is None:
        return layout
    blocks = ([s for s in tracking if s.line < begins[1]], [s for s in tracking if s.line > begins[1]])
    for found, wanted in zip(blocks, _expected_statements(expected, reading)):
        for statement, pattern in zip(found, wanted):
            if not pattern.fullmatch(_key(statement.text)):
                layout.add(statement.line, "this statement in a tracking block is not the one sqlgen writes for "
                                           "this file, so by hand the file would record something else than sqlgen "
                                           "upgrade does: run sqlgen rehash")
                break
        extra = found[len(wanted):]
        if extra:
            layout.rehashable = False
            layout.add(extra[0].line, f"a statement sqlgen did not write stands inside a tracking block "
                                      f"({shown_statement(extra[0].text)}): by hand the client runs it, sqlgen upgrade "
                                      "skips it; move it out of the block (or delete it), then run sqlgen rehash")
        elif len(found) < len(wanted):
            layout.add(found[-1].line if found else begins[0], "a tracking block lacks statements sqlgen writes: "
                                                               "run sqlgen rehash")
    return layout


def _all_known(tracking, expected, reading: Reading) -> bool:
    """Every tracking statement is one of sqlgen's own (perhaps edited): rehash may replace them."""
    if expected is None:
        return False
    patterns = [pattern for block in _expected_statements(expected, reading) for pattern in block]
    return len(tracking) <= len(patterns)


def _expected_statements(expected: tuple[str, str], reading: Reading) -> tuple[list, list]:
    from .splitter import split_text

    return tuple([_pattern(statement.text) for statement in split_text(block, reading, "<tracking>")]
                 for block in expected)


def _pattern(text: str) -> re.Pattern:
    escaped = re.escape(_key(text))
    escaped = escaped.replace(re.escape(CHECKSUM_PLACEHOLDER), "[0-9a-f]{64}")
    return re.compile(escaped.replace(re.escape(TOTAL_PLACEHOLDER), "[0-9]+"))


def _key(text: str) -> str:
    from .splitter import checksum_key

    return checksum_key(text)


def shown_statement(text: str, limit: int = 60) -> str:
    """A statement on one line, in backticks, cut to `limit` characters: for messages."""
    from .safety import printable

    text = printable(" ".join(text.split()))
    return "`" + (text if len(text) <= limit else text[: limit - 3] + "...") + "`"


def with_tracking(text: str, opening: str, closing: str, reading: Reading, sql_mode: str | None = "") -> str:
    """`text` with its tracking blocks replaced by (or given) `opening` and `closing`.

    The closing block is preceded by what it needs to run: the delimiter that
    ends an unterminated last statement, and `DELIMITER ;` if another one is
    in force.
    """
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    spans = _tracking_spans(lines, reading, sql_mode)
    if len(spans) == 2 and not _has_lasting_statements(lines[:spans[0][0]], reading, sql_mode) and \
            not _has_statements(lines[spans[1][1] + 1:], reading, sql_mode):
        (a, b), (c, d) = spans
        body = lines[b + 1:c]
        tail = _closing_needs(lines[:c], reading, sql_mode)
        lines = lines[:a] + opening.split("\n") + body + tail + closing.split("\n") + lines[d + 1:]
        return "\n".join(lines) + "\n"
    for a, b in reversed(spans):
        del lines[a:b + 1]
    header = 0
    while header < len(lines) and (lines[header].startswith(("--", "#")) or not lines[header].strip()):
        header += 1
    header = _after_leading(lines, header, reading, sql_mode)
    top, body = lines[:header], lines[header:]
    while top and not top[-1].strip():
        top.pop()
    while body and not body[-1].strip():
        body.pop()
    body += _closing_needs(body, reading, sql_mode)
    parts = ["\n".join(top)] if top else []
    parts.append(opening)
    if body:
        parts.append("\n".join(body))
    parts.append(closing)
    return "\n\n".join(parts) + "\n"


def _after_leading(lines: list[str], header: int, reading: Reading, sql_mode: str | None) -> int:
    """Where the opening block goes: after the statements that may lead the file (SET NAMES and
    the read-only checks, see Reading.may_lead), above the comment lines of the first one that
    may not; with none of those, after the header."""
    if reading.may_lead is None:
        return header
    reader = FactsReader("<file>", reading, sql_mode=sql_mode, keep=False)
    for _ in reader.statements(line + "\n" for line in lines):
        if reader.first_lasting is not None:
            break
    if reader.first_lasting is None or reader.first_lasting - 1 <= header:
        return header
    place = reader.first_lasting - 1
    while place > header and lines[place - 1].startswith(("--", "#")):
        place -= 1
    return place


def _tracking_spans(lines: list[str], reading: Reading, sql_mode: str | None) -> list[tuple[int, int]]:
    """(begin, end) line indexes of the tracking blocks: real comment lines only, never
    a marker's words inside a string literal."""
    from .splitter import Splitter

    splitter = Splitter("<file>", reading, strict=False, sql_mode=sql_mode)
    for number, line in enumerate(lines, 1):
        for _ in splitter.feed(line + "\n", number):
            pass
    spans, start = [], None
    for line, kind, _ in splitter.markers:
        if kind == "begin" and start is None:
            start = line - 1
        elif kind == "end" and start is not None:
            spans.append((start, line - 1))
            start = None
    return spans


def _has_lasting_statements(lines: list[str], reading: Reading, sql_mode: str | None) -> bool:
    """Whether `lines` hold a statement that may not lead a file (see Reading.may_lead)."""
    reader = FactsReader("<file>", reading, sql_mode=sql_mode, keep=False)
    for _ in reader.statements(line + "\n" for line in lines):
        if reader.first_lasting is not None:
            return True
    return False


def _has_statements(lines: list[str], reading: Reading, sql_mode: str | None) -> bool:
    return facts_of_lines((line + "\n" for line in lines), "<file>", reading, sql_mode=sql_mode).count > 0


def _closing_needs(lines: list[str], reading: Reading, sql_mode: str | None) -> list[str]:
    found = facts_of_lines((line + "\n" for line in lines), "<file>", reading, sql_mode=sql_mode)
    needs = [found.final_delimiter] if found.unterminated else []
    if found.final_delimiter != ";":
        needs.append("DELIMITER ;")
    return needs


# --- What sqlgen writes is what runs ----------------------------------------------

_SURROGATE = re.compile("[\ud800-\udfff]")


def check_statement(statement: str, reading: Reading, what: list[str], sql_mode: str | None = "",
                    exact: bool = True, rules=None) -> None:
    """A rendered statement must split into exactly one statement: nothing in a name,
    a value or an option may end it early, start another, or reach the client; and,
    `exact`, read back exactly as written (no comment mark inside it). Under `rules`
    (the dialect's quoting), a reviewer can read every name and value in it."""
    from .safety import printable, unreadable_text
    from .splitter import Splitter, lines_of

    splitter = Splitter("<statement>", reading, strict=False, sql_mode=sql_mode)
    found = []
    for number, line in enumerate(lines_of(statement + ";\n"), 1):
        found += [s.text for s in splitter.feed(line, number)]
    try:
        found += [s.text for s in splitter.close()]
    except SqlgenError as exc:
        found.append(str(exc))
    shown = printable(what[0]) if what else "a statement"
    if _SURROGATE.search(statement):
        raise SqlgenError(f"cannot write the statement for {shown}: a name or value in it holds a lone surrogate "
                          "(an undecodable byte), which is not text; fix the value. Nothing was written")
    for raw, why in (("\r\n", "a carriage return before a line feed, which the mysql client and the sqlite3 "
                               "shell drop when they read a file"),
                     ("\0", "a NUL character, which the mysql client refuses in a file")):
        if raw in statement:
            raise SqlgenError(f"cannot write the statement for {shown}: a name or value in it holds {why}, so the "
                              "file could not say it; rename it, or change the value. Nothing was written")
    lines = statement.split("\n")
    while lines and lines[0].startswith("-- "):  # a note sqlgen puts before the statement itself
        lines.pop(0)
    if len(found) != 1 or splitter.refused or (exact and found[0] != "\n".join(lines).strip()):
        raise SqlgenError(f"cannot write the statement for {shown}: it would not run as one statement as written "
                          f"({shown_statement(statement)}); a name, value or option (in the models or the database) holds "
                          "SQL text. Nothing was written")
    unreadable = rules is not None and unreadable_text("\n".join(lines), rules)
    if unreadable:
        raise SqlgenError(f"cannot write the statement for {shown}: {unreadable}, so no reviewer could read the file "
                          "for what it does; rename it (in the models, or in the database first if it is there), or "
                          "change the value. Nothing was written")


def check_layout(text: str, file_name: str, reading: Reading, parts: list[str], sql_mode: str | None = "") -> None:
    """`text`, laid out by a template, holds exactly the statements of `parts` in
    order (tracking blocks included), no client command and no acknowledgement."""
    from .splitter import Splitter, lines_of

    def statements(source: str, name: str, mode: str | None = sql_mode):
        splitter = Splitter(name, reading, strict=False, sql_mode=mode)
        found = []
        for number, line in enumerate(lines_of(source), 1):
            found += splitter.feed(line, number)
        try:
            found += splitter.close()
        except SqlgenError as exc:
            raise escaped_layout(file_name, str(exc)) from None
        return found, splitter

    expected, mode = [], sql_mode
    for part in filter(None, parts):
        # Each part is read on in the sql_mode the parts before it leave (after PIN_ESCAPES: with escapes).
        found, part_splitter = statements(part, "<part>", mode)
        expected += [(s.text, s.tracking) for s in found]
        mode = part_splitter.sql_mode
    found, splitter = statements(text, file_name)
    for position, statement in enumerate(found):
        if position >= len(expected) or (statement.text, statement.tracking) != expected[position]:
            raise escaped_layout(file_name, f"line {statement.line} holds {shown_statement(statement.text)}, which sqlgen did not "
                                      "write there")
    if len(found) < len(expected):
        raise escaped_layout(file_name, f"the statement {shown_statement(expected[len(found)][0])} sqlgen wrote is not in it")
    if splitter.refused:
        line, message = splitter.refused[0]
        raise escaped_layout(file_name, f"line {line}: {message}")
    if acknowledgements(splitter.directives):
        line = next(line for line, comment in splitter.directives if acknowledgements([(line, comment)]))
        raise escaped_layout(file_name, f"line {line} reads as a lint acknowledgement (`-- sqlgen: allow ...`), which "
                                  "sqlgen never writes; reword the message (-m)")


def escaped_layout(file_name: str, what: str) -> SqlgenError:
    return SqlgenError(f"{file_name} as laid out by the template does not say what runs: {what}. A template or a "
                       "value (the message, a name) lets text out of a comment; fix the template or the message. "
                       "Nothing was written")


# What a file may hold and leave the session as it found it, for the next file of one script:
# DDL on real tables, DML and queries, grants and table maintenance, and sqlgen's own SET
# statements. Anything else (SET, USE, LOCK, PREPARE, CALL, HANDLER, XA, a temporary table...)
# may leave something behind, and is refused.
_NEUTRAL_WORDS = frozenset({"create", "alter", "drop", "rename", "truncate", "insert", "update", "delete", "replace",
                            "select", "with", "values", "table", "do", "grant", "revoke", "analyze", "optimize",
                            "check", "repair"})
_TEMPORARY = re.compile(r"(?:create|drop)\s+(?:or\s+replace\s+)?temporary\b", re.I)
# Session state a statement sets or takes even so: a user variable, an assignment, a named lock.
_SETS_STATE = re.compile(r"@(?!@)|:=|\b(?:get_lock|set_config)\s*\(", re.I)
# What a statement reads of the session the file before it left.
_READS_STATE = re.compile(r"\b(?:last_insert_id|row_count|found_rows)\s*\(", re.I)
_SQLGENS_OWN_SET = re.compile(r"set\s+(?:names\s+utf8mb4\s*$|@sqlgen_guard\s*=)", re.I)


def _leaves_session_state(statement: str) -> bool:
    from .splitter import _KEY_QUOTED, _PIN_KEY

    if _SQLGENS_OWN_SET.match(statement) or " ".join(statement.lower().split()) == _PIN_KEY:
        return False
    versioned = WHOLLY_VERSIONED.fullmatch(statement)
    if versioned and "*/" not in versioned.group(1) and "/*" not in versioned.group(1):
        return _leaves_session_state(versioned.group(1))
    word = FIRST_WORD.match(statement)
    code = _KEY_QUOTED.sub("''", statement)  # strings and quoted names say nothing of the session
    return (not word or word.group(1).lower() not in _NEUTRAL_WORDS or bool(_TEMPORARY.match(statement))
            or bool(_SETS_STATE.search(code)))


_TRANSACTION_START = re.compile(r"(?:start\s+transaction|begin)\b", re.I)
_TRANSACTION_END = re.compile(r"(?:commit|rollback|end)\b", re.I)


def check_one_session(files: list[tuple[Path, str]], script: str, reading: Reading, sql_mode: str | None) -> None:
    """Files printed as one script run in one client session, where the runner gives each
    a fresh one: refuse what one file leaves in the session for the next (a USE, a SET,
    a temporary table, a lock), or a script that reads otherwise than its files."""
    from .splitter import Splitter, lines_of

    def statements(text: str, name: str):
        splitter = Splitter(name, reading, strict=False, sql_mode=sql_mode)
        found = []
        for number, line in enumerate(lines_of(text), 1):
            found += [statement.text for statement in splitter.feed(line, number)]
        found += [statement.text for statement in splitter.close()]
        return found, splitter.refused

    from .splitter import _KEY_QUOTED

    expected = []
    for position, (path, text) in enumerate(files):
        found, _ = statements(text, path.name)
        if position < len(files) - 1:
            leaking, open_transaction = None, None
            for statement in found:
                if _TRANSACTION_START.match(statement):
                    open_transaction = statement
                elif _TRANSACTION_END.match(statement):
                    open_transaction = None
                elif leaking is None and _leaves_session_state(statement):
                    leaking = statement
            leaking = leaking or open_transaction
            if leaking is not None:
                raise SqlgenError(f"{path.name} holds {shown_statement(leaking)}, whose effect may reach the next file in "
                                  "one script (the runner gives each file a fresh session); print and run the files "
                                  "one at a time (sqlgen sql FROM:TO for each), or use sqlgen upgrade")
        reads_state = next((s for s in found if _READS_STATE.search(_KEY_QUOTED.sub("''", s))), None) if position else None
        if reads_state is not None:
            raise SqlgenError(f"{path.name} holds {shown_statement(reads_state)}, which reads what the file before it left in the "
                              "session when run in one script (the runner gives each file a fresh session); print "
                              "and run the files one at a time (sqlgen sql FROM:TO for each), or use sqlgen upgrade")
        expected += found
    found, refused = statements(script, "<script>")
    if found != expected or refused:
        raise SqlgenError("the files read differently when printed as one script (a DELIMITER or sql_mode one "
                          "leaves in force); print and run them one at a time, or use sqlgen upgrade")
