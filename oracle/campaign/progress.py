"""The one live progress line every long command shows on stderr.

On a terminal the line overwrites itself (at most every ``tty_interval`` seconds, cut to the
terminal's width); elsewhere (CI logs, pipes) a full line is written every ``interval``
seconds, so a log shows that a long run is alive without drowning in updates.  ``clear``
removes a terminal line before other output is printed.
"""

from __future__ import annotations

import shutil
import sys
import time
from typing import TextIO

__all__ = ["Progress"]


class Progress:
    """A status line on ``stream``; silent when not ``enabled``."""

    def __init__(self, stream: TextIO | None = None, *, enabled: bool = True,
                 interval: float = 10.0, tty_interval: float = 0.25, prefix: str = "") -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = enabled
        self.tty = enabled and self.stream.isatty()
        self.interval = tty_interval if self.tty else interval
        self.prefix = prefix
        self._last = time.monotonic()
        self._shown = False

    def update(self, line: str, *, force: bool = False) -> None:
        """Show ``line`` if it is time to (always with ``force``)."""
        if not self.enabled:
            return
        now = time.monotonic()
        if not force and now - self._last < self.interval:
            return
        self._last = now
        line = self.prefix + line
        if self.tty:
            width = shutil.get_terminal_size((100, 20)).columns
            self.stream.write("\r" + line[: width - 1] + "\033[K")
            self._shown = True
        else:
            self.stream.write(line + "\n")
        self.stream.flush()

    __call__ = update

    def clear(self) -> None:
        """Remove the status line from a terminal."""
        if self._shown:
            self.stream.write("\r\033[K")
            self.stream.flush()
            self._shown = False
