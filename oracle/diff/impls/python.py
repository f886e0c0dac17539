"""The reference implementation: :class:`oracle.Reader` plus the canonical dumper."""

from __future__ import annotations

from dataclasses import replace

from oracle.diff.outcome import Outcome, Status, outcome_of
from oracle.parser.canonical import go_string_lines
from oracle.diff.stream import python_records

__all__ = ["PythonImpl"]


class PythonImpl:
    """Runs the pure-Python parser in this process."""

    name = "python"

    def __init__(self, go: str | None = None, *, strings: bool = False) -> None:
        """``go``: the Go release whose parser to reproduce (default the pinned one)."""
        self.go = go
        #: Also produce ``Event.String()`` of every event (:attr:`Outcome.strings`).
        self.strings = strings

    def run(self, data: bytes, *, v1_proc_rotation: int = 0, frontier_rotation: int = 0) -> Outcome:
        """Parse ``data`` completely; never raises (any exception becomes an outcome).

        ``v1_proc_rotation`` (a v1 trace's Ps) and ``frontier_rotation`` (Go 1.23's frontier):
        which of Go's possible map orders to follow (see :class:`oracle.parser.reader.Reader`).
        """
        o = outcome_of(self.name, python_records(data, go=self.go, v1_proc_rotation=v1_proc_rotation,
                                                 frontier_rotation=frontier_rotation))
        if self.strings and o.status in (Status.ACCEPTED, Status.REJECTED):
            try:
                text = "".join(s + "\n" for s in go_string_lines(data, go=self.go))
            except Exception:  # noqa: BLE001 - the records' outcome already says it
                return o
            return replace(o, strings=text.encode("utf-8", "surrogateescape"))
        return o
