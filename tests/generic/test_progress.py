"""Progress of a long file (sqlgen.progress): a line every few seconds, or one terminal line
updated in place, never for a file that ends within a second."""

from __future__ import annotations

import io

from sqlgen import progress as progress_module
from sqlgen.progress import Progress


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_quick_file_shows_nothing(monkeypatch):
    lines, clock = [], [100.0]
    monkeypatch.setattr(progress_module.time, "monotonic", lambda: clock[0])
    shown = Progress(lines.append, io.StringIO())
    shown.start("0001_a.up.sql", 3)
    for number in (1, 2, 3):
        clock[0] += 0.2
        shown.tick(number)
    shown.done()
    assert lines == []


def test_without_a_terminal_a_line_every_few_seconds(monkeypatch):
    lines, clock = [], [100.0]
    monkeypatch.setattr(progress_module.time, "monotonic", lambda: clock[0])
    shown = Progress(lines.append, io.StringIO())
    shown.start("0002_load.up.sql", 3003)
    for number in range(1, 3004):
        clock[0] += 0.005  # 15 s in all
        shown.tick(number)
    shown.done()
    assert [line.rsplit(", ", 1)[1] for line in lines] == ["5 s", "10 s", "15 s"], lines
    assert all(line.startswith("0002_load.up.sql: statement ") and " of 3003, " in line for line in lines), lines
    numbers = [int(line.split("statement ")[1].split(" ")[0]) for line in lines]
    assert [round(number, -2) for number in numbers] == [1000, 2000, 3000], numbers


def test_on_a_terminal_one_line_updated_in_place_then_wiped(monkeypatch):
    clock = [100.0]
    monkeypatch.setattr(progress_module.time, "monotonic", lambda: clock[0])
    terminal = Terminal()
    lines = []
    shown = Progress(lines.append, terminal)
    shown.start("0002_load.up.sql", 0)  # the count not known yet: a file read as it runs
    for number in range(1, 400):
        clock[0] += 0.01
        shown.tick(number)
    shown.done()
    written = terminal.getvalue()
    assert lines == [] and written.count("\r") > 2 and "statement 100, 1 s" in written
    assert " of " not in written and written.endswith("\r\x1b[K")


def test_a_message_wipes_the_terminals_progress_line_first(monkeypatch):
    clock = [100.0]
    monkeypatch.setattr(progress_module.time, "monotonic", lambda: clock[0])
    terminal, lines = Terminal(), []
    shown = Progress(lambda line: lines.append((terminal.getvalue(), line)), terminal)
    say = shown.saying(shown.echo)
    shown.start("0002_load.up.sql", 10)
    clock[0] += 2
    shown.tick(5)
    say("applied 0002_load")
    written, line = lines[0]
    assert written.endswith("\r\x1b[K") and line == "applied 0002_load"
