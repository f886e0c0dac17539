"""One call from trace bytes to a heap verdict: what ``heap`` and the fuzz campaign use.

:func:`check_trace` reads the trace with the reference parser and replays every event, in
Reader order, into :class:`oracle.heap.replay.HeapReplay`.  A trace the parser rejects is
still replayed up to the error (the events before it are real), and the verdict says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from oracle.heap.replay import HeapReplay, HeapResult
from oracle.parser.errors import GoPanic, TraceError
from oracle.parser.reader import Reader

__all__ = ["HeapStatus", "HeapVerdict", "check_trace", "status_of"]


class HeapStatus(Enum):
    """The heap oracle's verdict class, separate from the differential verdicts."""

    NO_ALLOCFREE = "no-allocfree"  # nothing to check
    CONSISTENT = "consistent"  # AllocFree data, no rule broken
    VIOLATIONS = "violations"  # at least one rule broken


@dataclass(frozen=True, slots=True)
class HeapVerdict:
    """The verdict, the replay result, and the parser's error if the trace was rejected."""

    status: HeapStatus
    result: HeapResult
    parse_error: str | None

    @property
    def violated_rules(self) -> tuple[str, ...]:
        """Names of the rules with at least one violation."""
        return self.result.violated_rules


def check_trace(
    data: bytes, *, release: str | None = None, max_examples: int = 5, top: int = 10
) -> HeapVerdict:
    """Replay ``data`` (a binary trace) and judge its AllocFree content."""
    replay = HeapReplay(release=release, max_examples=max_examples, top=top)
    err: str | None = None
    try:
        replay.run(Reader(data))
    except (TraceError, GoPanic) as e:
        err = str(e)
    result = replay.finish()
    return HeapVerdict(status_of(result), result, err)


def status_of(result: HeapResult) -> HeapStatus:
    """The verdict class of a finished replay (``check_trace``'s, or a replay another parse
    fed: the fuzz campaign's)."""
    if not result.has_allocfree:
        return HeapStatus.NO_ALLOCFREE
    if result.total_violations:
        return HeapStatus.VIOLATIONS
    return HeapStatus.CONSISTENT
