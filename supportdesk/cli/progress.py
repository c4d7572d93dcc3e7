"""Progress of a long command on stderr: a bar redrawn in place on a terminal, plain
lines (one per table, then one for the files) when stderr is a file or a pipe."""

from __future__ import annotations

import sys
from typing import TextIO


class ProgressReport:
    """Callable as ``progress(what, done, total)`` by the backup functions."""

    WIDTH = 30

    def __init__(self, verb: str, stream: TextIO | None = None) -> None:
        self.verb = verb
        self.stream = stream or sys.stderr
        self.terminal = self.stream.isatty()
        self._last: str | None = None
        self._last_line = ""

    def __call__(self, what: str, done: int, total: int) -> None:
        if self.terminal:
            filled = self.WIDTH * done // total if total else self.WIDTH
            bar = "#" * filled + "-" * (self.WIDTH - filled)
            line = f"\r{self.verb} [{bar}] {done}/{total} {what}"
            self.stream.write(line.ljust(len(self._last_line)))
            self._last_line = line
        elif what != self._last and self._last is not None:
            self.stream.write(self._last_line + "\n")
        self._last = what
        if not self.terminal:
            self._last_line = f"supportdesk: {self.verb}: {what} ({done}/{total})"
        self.stream.flush()

    def close(self) -> None:
        """End the bar's line, or print the last table's line."""
        if self._last is not None:
            self.stream.write("\n" if self.terminal else self._last_line + "\n")
            self.stream.flush()
