"""Pure comparison of two outcomes into a closed set of verdicts.

The left side is always the reference under test (Python) and the right side Go.  Every pair of
outcomes maps to exactly one :class:`Verdict`; a verdict plus a normalized location forms the
*signature* that deduplicates findings across a campaign (two traces that break the same
``fmt.Errorf`` the same way are one finding).

The only normalizations of Go's output are documented ones: for
``broken trace: failed to advance`` errors only the first line is compared, because Go prints
the rest of that message by iterating maps; and for v1 traces (``ties=True``), whose conversion
Go starts from a map's key order, events with equal timestamps may come in another order
(:func:`same_up_to_ties`).
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Any, Final

from oracle.diff.outcome import Outcome, Status
from oracle.parser.errors import TraceError
from oracle.parser.version import read_header_bytes

__all__ = [
    "MAX_TIE_WINDOW",
    "Comparison",
    "Verdict",
    "compare",
    "error_format",
    "first_difference",
    "same_up_to_ties",
    "ties_possible",
]


class Verdict(str, Enum):
    """The closed set of results of comparing two outcomes."""

    AGREE = "agree"
    VERDICT_MISMATCH = "verdict-mismatch"  # one side accepts, the other rejects
    ERROR_TEXT_MISMATCH = "error-text-mismatch"  # both reject, different messages
    EVENT_MISMATCH = "event-mismatch"  # same verdict, different events
    GO_PANIC = "go-panic"  # Go panicked in ReadEvent or an accessor
    GO_CRASH = "go-crash"  # the Go process died or timed out
    PYTHON_EXCEPTION = "python-exception"  # an exception other than TraceError escaped
    PYTHON_TIMEOUT = "python-timeout"
    UNSUPPORTED = "unsupported"  # outside the reference parser's scope (v1 traces)


@dataclass(frozen=True, slots=True)
class Comparison:
    """A verdict with where it happened and a signature for deduplication."""

    verdict: Verdict
    signature: str
    index: int | None = None  # first differing event record
    field: str | None = None  # dotted path of the first differing field
    left: Any = None
    right: Any = None

    @property
    def agree(self) -> bool:
        """Whether this comparison is not a finding."""
        return self.verdict in (Verdict.AGREE, Verdict.UNSUPPORTED)


_ADVANCE_PREFIX: Final = "broken trace: failed to advance"
_NUMBER: Final = re.compile(r"-?\b(?:0x[0-9a-fA-F]+|\d+)\b")


def normalize_error(msg: str) -> str:
    """The part of an error message that must match exactly."""
    if msg.startswith(_ADVANCE_PREFIX):
        return msg.split("\n", 1)[0]
    return msg


def error_format(msg: str) -> str:
    """An approximation of the ``fmt.Errorf`` format behind a message: numbers become ``N``.

    Used only for signatures, so that "invalid status for proc 3: 9" and "... proc 4: 7" are
    one finding.
    """
    first = msg.split("\n", 1)[0]
    return _NUMBER.sub("N", first)[:160]


def first_difference(a: Any, b: Any, path: str = "") -> str | None:
    """Dotted path of the first difference between two JSON values, or None if equal."""
    if type(a) is not type(b):
        return path or "."
    if isinstance(a, dict):
        for k in list(a) + [k for k in b if k not in a]:
            if k not in a or k not in b:
                return f"{path}.{k}" if path else k
            d = first_difference(a[k], b[k], f"{path}.{k}" if path else k)
            if d is not None:
                return d
        return None
    if isinstance(a, list):
        for i, (x, y) in enumerate(zip(a, b)):
            d = first_difference(x, y, f"{path}[{i}]")
            if d is not None:
                return d
        if len(a) != len(b):
            return f"{path}[{min(len(a), len(b))}]"
        return None
    return None if a == b else (path or ".")


#: The longest run of reordered events :func:`same_up_to_ties` accepts.
MAX_TIE_WINDOW: Final = 64


def same_up_to_ties(left: Sequence[tuple[str, int]], right: Sequence[tuple[str, int]]) -> str | None:
    """``None`` if two event sequences are equal up to Go's v1 tie order, else why not.

    Each event is ``(everything but its time and index, time)``.  Go 1.27.3 converts a v1
    trace starting from a Go map's key order (``allProcs`` in tracev1's
    ``parseEventBatches``; ``createdPreInit`` in tracev1.go), so two runs of Go on one file
    order events of equal timestamps differently, and the converter's "strictly increasing"
    fix-up then hands the times out in that order.  Accepted: the same sequence of times, and
    the same events in consecutive windows that are permutations of each other, none longer
    than :data:`MAX_TIE_WINDOW`.
    """
    if len(left) != len(right):
        return f"{len(left)} events vs {len(right)}"
    for i, (x, y) in enumerate(zip(left, right)):
        if x[1] != y[1]:
            return f"time of event {i} differs: {x[1]} vs {y[1]}"
    diff: Counter[str] = Counter()
    start = 0
    for i, (x, y) in enumerate(zip(left, right)):
        diff[x[0]] += 1
        diff[y[0]] -= 1
        for k in (x[0], y[0]):
            if k in diff and diff[k] == 0:
                del diff[k]
        if not diff:
            if i + 1 - start > MAX_TIE_WINDOW:
                return f"events {start}..{i} are a permutation longer than {MAX_TIE_WINDOW}"
            start = i + 1
    if diff:
        return f"events from {start} on are not a reordering of each other"
    return None


def ties_possible(data: bytes) -> bool:
    """Whether Go may order ``data``'s events by chance: it is a v1 trace (Go 1.11 to 1.21)."""
    try:
        v, _ = read_header_bytes(data)
    except TraceError:
        return False
    return not v.is_v2


def _tie_keys(o: Outcome) -> list[tuple[str, int]]:
    out = []
    for r in o.records:
        d = {k: v for k, v in r.items() if k not in ("i", "time")}
        out.append((json.dumps(d, sort_keys=True), int(r.get("time", 0))))
    return out


def _panicking_record(o: Outcome) -> tuple[int, dict[str, Any]] | None:
    for i, r in enumerate(o.records):
        if "panics" in r:
            return i, r
    return None


def compare(left: Outcome, right: Outcome, *, ties: bool = False) -> Comparison:
    """Compare the reference (left, Python) with Go (right).

    ``ties``: the input is a v1 trace, whose events Go orders by chance where timestamps tie;
    records equal up to that (:func:`same_up_to_ties`) count as equal.
    """
    if left.status is Status.UNSUPPORTED:
        return Comparison(Verdict.UNSUPPORTED, "unsupported", left=left.error)
    if left.status is Status.EXCEPTION:
        return Comparison(
            Verdict.PYTHON_EXCEPTION, f"python-exception:{error_format(left.error or '')}",
            left=left.error,
        )
    if left.status is Status.TIMEOUT:
        return Comparison(Verdict.PYTHON_TIMEOUT, "python-timeout")
    if right.status is Status.PANIC:
        return Comparison(
            Verdict.GO_PANIC, f"go-panic:readevent:{error_format(right.error or '')}",
            index=len(right.records), right=right.error,
        )
    if right.status in (Status.CRASH, Status.TIMEOUT):
        return Comparison(
            Verdict.GO_CRASH, f"go-crash:{right.status.value}:{error_format(right.error or '')}",
            right=right.error,
        )
    pr = _panicking_record(right)
    if pr is not None:
        i, rec = pr
        accessor, msg = next(iter(rec["panics"].items()))
        return Comparison(
            Verdict.GO_PANIC, f"go-panic:{accessor}:{error_format(str(msg))}",
            index=i, field=f"panics.{accessor}", right=msg,
        )

    # Find the first differing record, if any.
    index: int | None = None
    field: str | None = None
    for i, (a, b) in enumerate(zip(left.records, right.records)):
        d = first_difference(a, b)
        if d is not None:
            index, field = i, d
            break
    if index is None and len(left.records) != len(right.records):
        index, field = min(len(left.records), len(right.records)), "<missing record>"
    if index is not None and ties and same_up_to_ties(_tie_keys(left), _tie_keys(right)) is None:
        index = field = None

    if left.status is not right.status:
        rejecting = left if left.status is Status.REJECTED else right
        side = "python" if rejecting is left else "go"
        return Comparison(
            Verdict.VERDICT_MISMATCH,
            f"verdict-mismatch:only-{side}-rejects:{error_format(rejecting.error or '')}",
            index=index, field=field, left=left.error, right=right.error,
        )
    if index is not None:
        kind = _kind_at(left, right, index)
        return Comparison(
            Verdict.EVENT_MISMATCH, f"event-mismatch:{kind}:{_strip_indices(field or '')}",
            index=index, field=field,
            left=left.records[index] if index < len(left.records) else None,
            right=right.records[index] if index < len(right.records) else None,
        )
    if left.status is Status.REJECTED:
        le, ri = normalize_error(left.error or ""), normalize_error(right.error or "")
        if le != ri:
            return Comparison(
                Verdict.ERROR_TEXT_MISMATCH, f"error-text-mismatch:{error_format(right.error or '')}",
                left=left.error, right=right.error,
            )
    return Comparison(Verdict.AGREE, "agree")


def _kind_at(left: Outcome, right: Outcome, index: int) -> str:
    for o in (right, left):
        if index < len(o.records):
            return str(o.records[index].get("kind", "?"))
    return "?"


def _strip_indices(field: str) -> str:
    return re.sub(r"\[\d+\]", "[]", field)
