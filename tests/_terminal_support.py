"""Reading a child process's terminal output in tests (its stderr on a pty, so that its
progress line updates several times a second and a test can act on what it shows)."""

from __future__ import annotations

import os
import pty
import re
import select
import signal
import subprocess
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


def signal_once_seen(cmd: list[str], until: re.Pattern[bytes], sig: signal.Signals, *,
                     timeout: float = 60) -> tuple[int, bytes, str]:
    """Run ``cmd`` with its stderr on a terminal, send ``sig`` once its output matches
    ``until`` (however long start-up takes), and return ``(returncode, stdout, terminal)``.

    The terminal is drained to the end, so the process never blocks writing its progress.
    """
    master, slave = pty.openpty()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=slave)
    os.close(slave)
    try:
        seen = read_terminal(master, timeout, until=until)
        assert proc.poll() is None, seen
        proc.send_signal(sig)
        seen += read_terminal(master, 30)
        out, _ = proc.communicate(timeout=30)
    finally:
        os.close(master)
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    return proc.returncode, out, seen
