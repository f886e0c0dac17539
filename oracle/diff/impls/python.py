"""The reference implementation: :class:`oracle.Reader` plus the canonical dumper."""

from __future__ import annotations

from typing import Any

from oracle.diff.outcome import End, Outcome, Status
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
        records: list[dict[str, Any]] = []
        for rec in python_records(data, go=self.go, v1_proc_rotation=v1_proc_rotation,
                                  frontier_rotation=frontier_rotation):
            if isinstance(rec, End):
                strings = None
                if self.strings and rec.status in (Status.ACCEPTED, Status.REJECTED):
                    try:
                        text = "".join(s + "\n" for s in go_string_lines(data, go=self.go))
                        strings = text.encode("utf-8", "surrogateescape")
                    except Exception:  # noqa: BLE001 - the records' outcome already says it
                        strings = None
                return Outcome(self.name, rec.status, tuple(records), rec.error, rec.detail,
                               strings)
            records.append(rec)
        raise AssertionError("python_records ends with an End")
