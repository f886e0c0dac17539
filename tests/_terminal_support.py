"""Reading a child process's terminal output in tests (its stderr on a pty, so that its
progress line updates several times a second and a test can act on what it shows)."""

from __future__ import annotations

import os
import re
import select
import time


def read_terminal(fd: int, timeout: float, until: re.Pattern[bytes] | None = None) -> str:
    """What a process writes to the terminal ``fd``: until ``until`` matches, or else to its
    end (EOF), or ``timeout`` seconds."""
    seen = b""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if select.select([fd], [], [], 0.5)[0]:
            try:
                chunk = os.read(fd, 4096)
            except OSError:  # EIO: the process closed the terminal
                break
            if not chunk:
                break
            seen += chunk
            if until is not None and until.search(seen):
                break
    return seen.decode(errors="replace")
