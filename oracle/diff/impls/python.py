"""The reference implementation: :class:`oracle.Reader` plus the canonical dumper."""

from __future__ import annotations

from typing import Any

from oracle.diff.outcome import End, Outcome
from oracle.diff.stream import python_records

__all__ = ["PythonImpl"]


class PythonImpl:
    """Runs the pure-Python parser in this process."""

    name = "python"

    def run(self, data: bytes) -> Outcome:
        """Parse ``data`` completely; never raises (any exception becomes an outcome)."""
        records: list[dict[str, Any]] = []
        for rec in python_records(data):
            if isinstance(rec, End):
                return Outcome(self.name, rec.status, tuple(records), rec.error, rec.detail)
            records.append(rec)
        raise AssertionError("python_records ends with an End")
