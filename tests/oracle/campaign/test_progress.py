"""Tests of oracle.campaign.progress (the one progress line) and the engines' progress text."""

from __future__ import annotations

from oracle.campaign.checker import CaseStats
from oracle.campaign.hypothesis_engine import _progress_line
from oracle.campaign.progress import Progress


def test_progress_line_on_a_terminal_and_in_a_log() -> None:
    import io

    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    st = CaseStats(cases=100)
    st.go.update({"accepted": 25, "rejected": 75})
    st.signatures["go-panic:x"] = 3
    line = _progress_line(2.0, st, {})
    assert "100 cases, 50/s" in line and "accept 25%" in line and "go-panic:x x3" in line
    tty = Tty()
    p = Progress(tty, enabled=True)
    p.update(line, force=True)
    p.clear()
    assert tty.getvalue().startswith("\r") and tty.getvalue().endswith("\r\033[K")
    log = io.StringIO()
    p = Progress(log, enabled=True, interval=10)
    p.update(line, force=True)
    p.update(line)  # too soon: not printed
    assert log.getvalue() == line + "\n"
