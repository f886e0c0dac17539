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

    def __init__(self, *, strings: bool = False) -> None:
        #: Also produce ``Event.String()`` of every event (:attr:`Outcome.strings`).
        self.strings = strings

    def run(self, data: bytes) -> Outcome:
        """Parse ``data`` completely; never raises (any exception becomes an outcome)."""
        records: list[dict[str, Any]] = []
        for rec in python_records(data):
            if isinstance(rec, End):
                strings = None
                if self.strings and rec.status in (Status.ACCEPTED, Status.REJECTED):
                    try:
                        text = "".join(s + "\n" for s in go_string_lines(data))
                        strings = text.encode("utf-8", "surrogateescape")
                    except Exception:  # noqa: BLE001 - the records' outcome already says it
                        strings = None
                return Outcome(self.name, rec.status, tuple(records), rec.error, rec.detail,
                               strings)
            records.append(rec)
        raise AssertionError("python_records ends with an End")
