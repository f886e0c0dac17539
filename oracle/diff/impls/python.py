"""The reference implementation: :class:`oracle.Reader` plus the canonical dumper."""

from __future__ import annotations

import traceback
from typing import Any

from oracle.parser import canonical
from oracle.diff.outcome import Outcome, Status
from oracle.parser.errors import TraceError
from oracle.parser.reader import Reader, UnsupportedTraceError

__all__ = ["PythonImpl"]


class PythonImpl:
    """Runs the pure-Python parser in this process."""

    name = "python"

    def __init__(self, go: str | None = None) -> None:
        """``go``: the Go release whose parser to reproduce (default the pinned one)."""
        self.go = go

    def run(self, data: bytes, *, v1_proc_rotation: int = 0) -> Outcome:
        """Parse ``data`` completely; never raises (any exception becomes an outcome).

        ``v1_proc_rotation``: for a v1 trace, which of Go's possible map orders to follow
        (see :class:`oracle.parser.reader.Reader`).
        """
        records: list[dict[str, Any]] = []
        try:
            for i, ev in enumerate(Reader(data, go=self.go, v1_proc_rotation=v1_proc_rotation)):
                records.append(canonical.event_record(i, ev))
        except UnsupportedTraceError as e:
            return Outcome(self.name, Status.UNSUPPORTED, tuple(records), e.message)
        except TraceError as e:
            return Outcome(self.name, Status.REJECTED, tuple(records), e.message)
        except Exception as e:  # noqa: BLE001 - any other exception is a finding, not a crash
            return Outcome(
                self.name, Status.EXCEPTION, tuple(records),
                f"{type(e).__name__}: {e}", traceback.format_exc(),
            )
        return Outcome(self.name, Status.ACCEPTED, tuple(records))
