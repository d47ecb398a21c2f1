"""Progress of a long migration file: a 3,000-statement file must not run for seconds in silence.

On a terminal, one line on stderr updated in place (statement N of M and the time so far), shown
once a file has run a second and wiped when it ends; otherwise, a line every few seconds through
the command's own output.
"""

from __future__ import annotations

import sys
import time
from typing import Callable

QUIET_FIRST = 1.0  # seconds a file runs before anything is shown
LIVE_EVERY = 0.25  # seconds between updates of the terminal's line
LINE_EVERY = 5.0  # seconds between lines elsewhere


class Progress:
    def __init__(self, echo: Callable[[str], None], stream=None):
        self.echo = echo
        self.stream = stream if stream is not None else sys.stderr
        try:
            self.live = bool(self.stream.isatty())
        except (AttributeError, ValueError):
            self.live = False
        self.file, self.total, self.started, self.last, self.shown = None, 0, 0.0, 0.0, False

    def start(self, file: str, total: int = 0) -> None:
        """A file begins (`total`: its statements, 0 while unknown)."""
        self.file, self.total, self.shown = file, total, False
        self.started = self.last = time.monotonic()

    def tick(self, number: int) -> None:
        """Statement `number` of the file is about to run."""
        if self.file is None:
            return
        now = time.monotonic()
        if now - self.started < QUIET_FIRST or now - self.last < (LIVE_EVERY if self.live else LINE_EVERY):
            return
        self.last = now
        text = f"{self.file}: statement {number}" + (f" of {self.total}" if self.total else "") + \
            f", {now - self.started:.0f} s"
        if self.live:
            self.stream.write("\r" + text + "\x1b[K")
            self.stream.flush()
            self.shown = True
        else:
            self.echo(text)

    def saying(self, echo: Callable[[str], None]) -> Callable[[str], None]:
        """`echo`, wiping the terminal's progress line before each message."""
        def say(line: str) -> None:
            self.clear()
            echo(line)
        return say

    def clear(self) -> None:
        if self.live and self.shown:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
            self.shown = False

    def done(self) -> None:
        self.clear()
        self.file = None
