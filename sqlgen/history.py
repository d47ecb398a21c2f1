"""Where a database stands: migration files on disk against rows of the tracking table.

Pure functions over data: no connection here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from .errors import SqlgenError
from .migrations import FileFacts, Migration, shown_statement


@dataclass(frozen=True)
class Row:
    version: int
    name: str
    checksum: str
    state: str
    statements_applied: int
    statements_total: int
    progress_checksum: str | None
    down_checksum: str | None
    started_at: datetime | None
    applied_at: datetime | None
    execution_ms: int | None
    applied_by: str
    error: str | None
    # Only the MySQL runner writes these two (a table made by a file run by hand gets them from the
    # runner's next run): the server connection of the session that ran the file, and the last
    # statement that may have taken effect beyond statements_applied (NULL: none did).
    connection_id: int | None = None
    in_doubt: int | None = None

    @property
    def doubt(self) -> int | None:
        """The statement whose outcome nobody knows, if any."""
        return self.in_doubt if self.in_doubt is not None and self.in_doubt > self.statements_applied else None


STATES = ("running", "applied", "failed", "reverting", "revert_failed")
UNFINISHED = ("running", "reverting")  # a file may be running right now
_HEX = re.compile(r"[0-9a-f]{64}")


def read_row(values, table: str) -> Row:
    """A tracking row as the database holds it, checked: a row sqlgen never writes
    (another tool's table, an edit by hand) is named, never guessed at."""
    values = tuple(values)
    if len(values) not in (13, 15):
        raise _foreign(table, f"rows of {len(values)} columns where sqlgen writes 13 or 15")
    row = Row(*values)
    version = row.version
    problem = None
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        problem = f"a version {version!r}, which is not a number from 1 up"
    elif not isinstance(row.name, str) or not isinstance(row.applied_by, str):
        problem = "no name or no user"
    elif row.state not in STATES:
        problem = f"the state {row.state!r}, which sqlgen never writes (it writes {', '.join(STATES)})"
    elif not isinstance(row.checksum, str) or not _HEX.fullmatch(row.checksum):
        problem = f"the checksum {row.checksum!r}, which is not a sha256 in hex"
    elif not all(value is None or (isinstance(value, str) and _HEX.fullmatch(value))
                 for value in (row.progress_checksum, row.down_checksum)):
        problem = f"the checksums {row.progress_checksum!r} and {row.down_checksum!r}, which are not sha256s in hex"
    elif not all(isinstance(n, int) and n >= 0 for n in (row.statements_applied, row.statements_total)):
        problem = f"statement counts {row.statements_applied!r} of {row.statements_total!r}"
    elif not isinstance(row.started_at, datetime) or not isinstance(row.applied_at, (datetime, type(None))):
        problem = f"the times {row.started_at!r} and {row.applied_at!r}, which are not both dates (a zero date?)"
    elif row.execution_ms is not None and not isinstance(row.execution_ms, int):
        problem = f"the duration {row.execution_ms!r}"
    elif not all(value is None or (isinstance(value, int) and value >= 0)
                 for value in (row.connection_id, row.in_doubt)):
        problem = f"the connection {row.connection_id!r} and statement in doubt {row.in_doubt!r}"
    if problem:
        shown = f"version {version}" if isinstance(version, int) else "a row"
        raise _foreign(table, f"{shown} with {problem}", f" WHERE `version` = {version}"
                       if isinstance(version, int) else "")
    return row


def _foreign(table: str, what: str, where: str = "") -> SqlgenError:
    from .safety import printable

    return SqlgenError(f"the tracking table {printable(table)!r} holds {printable(what)}: sqlgen did not write "
                       f"it. Fix or delete that row by hand (SELECT * FROM {printable(table)}{where}), or if the "
                       "table belongs to another tool, set version_table to another name")


@dataclass(frozen=True)
class Entry:
    version: int
    migration: Migration | None  # None: recorded in the database, missing on disk
    facts: FileFacts | None  # of the up file
    row: Row | None  # None: never started
    down_facts: FileFacts | None = None  # read only when a down file is about to run
    # The row's file session, when the server still runs it though no sqlgen run holds the lock
    # (the run was killed): its connection id, seconds in its state, command and statement.
    live: object | None = None

    @property
    def name(self) -> str:
        return self.migration.name if self.migration else self.row.name

    @property
    def applied(self) -> bool:
        return self.row is not None and self.row.state == "applied"

    @property
    def changed(self) -> bool:
        """Applied, but the up file's statements differ from what ran."""
        return self.applied and self.facts is not None and self.facts.checksum != self.row.checksum

    @property
    def interrupted(self) -> bool:
        """Started by a sqlgen run that stopped without recording an end (killed, or its server
        died); a run by hand names no connection."""
        return self.row is not None and self.row.state in UNFINISHED and self.row.connection_id is not None

    @property
    def stale_tracking(self) -> bool:
        """Pending, and its tracking block records other statements than the file holds
        (edited after generate): run by hand, it would record the wrong checksum."""
        facts = self.facts
        return (self.row is None and facts is not None and facts.recorded_checksum is not None
                and facts.recorded_checksum != facts.checksum)

    @property
    def state(self) -> str:
        if self.migration is None:
            return "missing"
        if self.row is None:
            return "pending"
        if self.changed:
            return "changed"
        return self.row.state

    def describe(self) -> str:
        """The state in words, for history and status."""
        row = self.row
        state = self.state
        if state == "missing":
            return f"applied in the database, missing on disk (state {row.state})"
        if state == "pending":
            return "pending"
        if state == "changed":
            return "changed since applied"
        if state == "applied":
            return "applied (stamped)" if row.execution_ms is None else "applied"
        done = f"{row.statements_applied} of {row.statements_total} statements done"
        down = "down " if state in ("reverting", "revert_failed") else ""
        if self.live is not None:
            live = self.live
            if getattr(live, "by_hand", False):
                return (f"{down}started by hand, not finished, and a session of the same user is running a "
                        f"statement in this database (connection {live.connection_id}, {live.seconds} s): it may "
                        "be that client")
            return (f"{down}still running on the server: connection {live.connection_id} has been in state "
                    f"{live.command} for {live.seconds} s ({done})")
        if row.doubt is not None:
            return (f"{down}stopped at statement {row.doubt}, which may or may not have taken effect ({done}); "
                    f"check it, then sqlgen {'downgrade' if down else 'upgrade'} --resume-after {row.doubt} or "
                    f"--resume-at {row.statements_applied + 1}")
        if self.interrupted:
            return f"{down}interrupted, resumes at statement {row.statements_applied + 1} ({done})"
        if state in ("failed", "revert_failed") and row.statements_applied == 0:
            # A file run in one transaction: the error names the statement; nothing stayed.
            return ("down failed" if state == "revert_failed" else "failed") + ", nothing of it applied"
        if state == "failed":
            return f"failed at statement {row.statements_applied + 1} ({done})"
        if state == "revert_failed":
            return f"down failed at statement {row.statements_applied + 1} ({done})"
        # Run by hand (or by a sqlgen before 0.2): the client records nothing between statements.
        may = (f"any of its {row.statements_total} statements may have run" if not row.statements_applied else
               f"{row.statements_applied} recorded as done, any after them may have run")
        if state == "reverting":
            return f"down started by hand, not finished ({may})"
        return f"started by hand, not finished ({may})"


def assess(migrations: list[Migration], facts: dict[int, FileFacts], rows: list[Row],
           down_facts: dict[int, FileFacts] | None = None, live: dict | None = None) -> list[Entry]:
    """`live`: by version, the file sessions the server still runs (Runner.live_sessions)."""
    by_version = {row.version: row for row in rows}
    down_facts = down_facts or {}
    live = live or {}
    entries = [Entry(m.version, m, facts.get(m.version), by_version.pop(m.version, None), down_facts.get(m.version),
                     live.get(m.version)) for m in migrations]
    entries += [Entry(row.version, None, None, row, live=live.get(row.version)) for row in by_version.values()]
    return sorted(entries, key=lambda entry: entry.version)


# A version whose down file started but did not finish is still there: it stays current.
_CURRENT_STATES = ("applied", "reverting", "revert_failed")


def current(entries: list[Entry]) -> Entry | None:
    """The highest migration that is applied, counting one whose down file failed or stopped."""
    applied = [entry for entry in entries if entry.row is not None and entry.row.state in _CURRENT_STATES]
    return applied[-1] if applied else None


def attention(entries: list[Entry]) -> list[Entry]:
    """Entries that need someone to act: anything but applied."""
    return [entry for entry in entries if entry.state != "applied"]


# --- Planning upgrades and downgrades ---------------------------------------------

@dataclass(frozen=True)
class Step:
    entry: Entry
    resume_from: int = 0  # statements already done (a failed file being resumed)
    recorded: int = 0  # of those, the ones the row records (the rest: --resume-after)


# How a run resumes a file whose row names a statement in doubt: ("at", N) runs statement N again,
# ("after", N) takes it as done.
Resume = tuple[str, int]


def _names(entries: list[Entry]) -> str:
    return ", ".join(entry.name for entry in entries)


def check_consistent(entries: list[Entry], directory: str) -> None:
    """Refuse when the database and the files disagree in a way only a person can settle."""
    missing = [entry for entry in entries if entry.migration is None]
    if missing:
        versions = ", ".join(str(entry.version) for entry in missing)
        raise SqlgenError(
            f"the database has version(s) {versions} ({_names(missing)}) that are not in {directory} "
            "(applied from another branch?); sqlgen will not guess: bring those files back, "
            "or downgrade them from where they exist"
        )


def check_unchanged(entries: list[Entry]) -> None:
    changed = [entry for entry in entries if entry.changed]
    if changed:
        files = ", ".join(f"{entry.name}.up.sql" for entry in changed)
        raise SqlgenError(
            f"{files} changed since applied; restore the file(s), or if the database already matches them, "
            f"record that with sqlgen stamp {current(entries).version}"
        )


def plan_upgrade(entries: list[Entry], target: str, directory: str, resume: Resume | None = None) -> list[Step]:
    check_consistent(entries, directory)
    check_unchanged(entries)
    top = current(entries)
    top_version = top.version if top else 0
    steps: list[Step] = []
    for entry in entries:
        row = entry.row
        if row is None or row.state == "applied":
            continue
        if row.state == "failed" or (row.state == "running" and entry.interrupted):
            steps.append(_resume_step(entry, "up", resume))
            resume = None
            continue
        if row.state == "running" and resume is not None:  # run by hand and stopped: on the DBA's word
            steps.append(_resume_step(entry, "up", resume))
            resume = None
            continue
        raise SqlgenError(_unfinished(entry))
    if resume is not None:
        raise SqlgenError(f"--resume-{resume[0]} applies to a file that stopped part-way, and no file did; "
                          "run sqlgen upgrade without it")
    pending = [entry for entry in entries if entry.row is None]
    early = [entry for entry in pending if entry.version < top_version]
    if early:
        raise SqlgenError(
            f"{_names(early)} is pending but version {top_version} is already applied; migrations run in order: "
            "renumber it after the last one, or apply it by hand and record that with sqlgen stamp"
        )
    steps += [Step(entry) for entry in pending]
    last = entries[-1].version if entries else 0
    goal = _upgrade_goal(target, steps, top_version, last)
    return [step for step in steps if step.entry.version <= goal]


def _upgrade_goal(target: str, steps: list[Step], top_version: int, last: int) -> int:
    target = target.strip().lower()
    if target == "head":
        return last
    if target.startswith("+"):
        count = _number(target[1:], target, "upgrade")
        if count == 0:
            return top_version
        return steps[count - 1].entry.version if count <= len(steps) else last
    goal = _number(target, target, "upgrade")
    if goal > last:
        raise SqlgenError(f"there is no version {goal}; the last one is {last}")
    if goal < top_version:
        raise SqlgenError(f"version {goal} is below the current version {top_version}; use sqlgen downgrade {goal}")
    return goal


def plan_downgrade(entries: list[Entry], target: str, directory: str, resume: Resume | None = None) -> list[Step]:
    check_consistent(entries, directory)
    steps: list[Step] = []
    for entry in reversed(entries):
        row = entry.row
        if row is None:
            continue
        if row.state == "revert_failed" or (row.state == "reverting" and (entry.interrupted or resume is not None)):
            steps.append(_resume_step(entry, "down", resume))
            resume = None
        elif row.state == "applied":
            steps.append(Step(entry))
        else:
            raise SqlgenError(_unfinished(entry))
    if resume is not None:
        raise SqlgenError(f"--resume-{resume[0]} applies to a down file that stopped part-way, and none did; "
                          "run sqlgen downgrade without it")
    top = current(entries)
    top_version = max((step.entry.version for step in steps), default=0)
    target = target.strip().lower()
    if target in ("base", "0"):
        goal = 0
    elif target.startswith("-"):
        count = _number(target[1:], target, "downgrade")
        goal = steps[count].entry.version if count < len(steps) else 0
    else:
        goal = _number(target, target, "downgrade")
        known = {entry.version for entry in entries}
        if goal not in known:
            raise SqlgenError(f"there is no version {goal} to return to; use a version from sqlgen history, or base")
        if goal > top_version:
            current_version = top.version if top else 0
            raise SqlgenError(f"version {goal} is above the current version {current_version}; "
                              f"use sqlgen upgrade {goal}")
    return [step for step in steps if step.entry.version > goal]


# What each command's TARGET may be: a target of the other command is named as wrong here.
_TARGETS = {"upgrade": "a version number, head or +N (the next N)",
            "downgrade": "a version number, base (or 0) or -N (undo the last N)"}


def _number(text: str, target: str, command: str) -> int:
    # ASCII digits only: str.isdigit() also takes '²' (which int() refuses) and '١' (which int() reads as 1).
    if not (text.isascii() and text.isdigit()):
        raise SqlgenError(f"cannot read the target {target!r} of sqlgen {command}: use {_TARGETS[command]}")
    return int(text)


def _resume_step(entry: Entry, direction: str, resume: Resume | None) -> Step:
    """Where a file that stopped part-way goes on. A statement that failed with a server error
    and changed nothing runs again, unchanged or fixed; one whose outcome is unknown needs the
    DBA's word (`resume`); one the server still runs is waited for."""
    row = entry.row
    done = row.statements_applied
    file = f"{entry.name}.{direction}.sql"
    command = "upgrade" if direction == "up" else "downgrade"
    if entry.live is not None:
        live = entry.live
        running = f"{' running ' + shown_statement(live.statement, 80) if live.statement else ''}"
        if getattr(live, "by_hand", False):
            raise SqlgenError(
                f"{file} was started by hand and did not finish, and connection {live.connection_id}, of the same "
                f"user, has been running a statement in this database for {live.seconds} s{running}: if it is "
                f"the client running the file, wait for it to end, or stop it with KILL {live.connection_id}; "
                f"then run sqlgen {command} --resume-after K again")
        raise SqlgenError(
            f"{file} is still running on the server, though no sqlgen run holds the migration lock (the run "
            f"that started it was stopped, or lost its own session): connection {live.connection_id} has been "
            f"in state {live.command} for {live.seconds} s{running}. Wait for it to end, or stop it with "
            f"KILL {live.connection_id}, then run sqlgen {command} again")
    total = row.statements_total
    if resume is None:
        if row.doubt is not None:
            raise SqlgenError(
                f"{file} stopped at statement {row.doubt} ({row.error or 'the run was interrupted'}), and whether "
                f"that statement took effect is unknown; {_done(done)}. Check it, then run sqlgen {command} "
                f"--resume-after {row.doubt} if it took effect, or sqlgen {command} --resume-at {done + 1} if not")
        return Step(entry, done, done)
    how, number = resume
    skip = number if how == "after" else number - 1
    # Only the statement in doubt is the DBA's to settle; a file run by hand records no progress,
    # so there any statement may be where it stopped.
    last = row.doubt if row.doubt is not None else total if not _by_runner(entry) else done + 1
    low, high = (done, last) if how == "after" else (done + 1, min(last, total))
    if not low <= number <= high:
        span = f"statement {low}" if low == high else f"a statement from {low} to {high}"
        why = (f"statement {row.doubt} is the one in doubt" if row.doubt is not None else
               "no statement of it is in doubt" if _by_runner(entry) else "it was run by hand")
        raise SqlgenError(
            f"--resume-{how} {number} does not fit {file}: {_done(done)} (recorded) of its {total}, and {why}; "
            f"use {span}")
    return Step(entry, skip, done)


def _by_runner(entry: Entry) -> bool:
    """Recorded by the runner, which counts every statement: a failed row, or one with a connection."""
    return entry.row.state in ("failed", "revert_failed") or entry.row.connection_id is not None


def _done(done: int) -> str:
    return "no statement of it is recorded as done" if not done else (
        f"{'statement 1 is' if done == 1 else f'statements 1-{done} are'} done")


def _unfinished(entry: Entry) -> str:
    row = entry.row
    if row.state == "revert_failed":
        return (
            f"the down file of {entry.name} failed at statement {row.statements_applied + 1} "
            f"({row.error or 'no error recorded'}); fix it and run sqlgen downgrade again, or repair the database "
            f"by hand and record the result with sqlgen stamp {entry.version} or sqlgen stamp {entry.version - 1}"
        )
    if row.state == "failed":
        return (
            f"{entry.name} failed at statement {row.statements_applied + 1} ({row.error or 'no error recorded'}); "
            f"finish it first: fix the file and run sqlgen upgrade, or repair the database by hand and record "
            f"the result with sqlgen stamp {entry.version} or sqlgen stamp {entry.version - 1}"
        )
    which = "its down file" if row.state == "reverting" else "its up file"
    command = "downgrade" if row.state == "reverting" else "upgrade"
    return (
        f"{entry.name} was started at {row.started_at:%Y-%m-%d %H:%M:%S} by {row.applied_by} and did not finish "
        f"({which} was run by hand, and the client records nothing between statements: {row.statements_applied} "
        f"of {row.statements_total} statements are recorded as done, any after them may have run). Make sure "
        f"the client has stopped and check the schema; then, if statements 1-K took effect, run sqlgen {command} "
        f"--resume-after K to run the rest, or finish it by hand and record the result with sqlgen stamp "
        f"{entry.version} (applied) or sqlgen stamp {entry.version - 1} (not applied)"
    )
