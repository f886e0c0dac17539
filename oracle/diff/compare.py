"""Pure comparison of two outcomes into a closed set of verdicts.

The left side is always the reference under test (Python) and the right side Go.  Every pair of
outcomes maps to exactly one :class:`Verdict`; a verdict plus a normalized location forms the
*signature* that deduplicates findings across a campaign (two traces that break the same
``fmt.Errorf`` the same way are one finding).

The only normalizations of Go's output are documented ones: for
``broken trace: failed to advance`` errors (and Go 1.22-1.24's ``broken trace: frontier is
empty``, which dumps the same state) only the first line is compared, because Go prints the
rest of that message by iterating maps; and for v1 traces (``ties=True``), whose conversion
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

from oracle.diff.outcome import End, Outcome, Status
from oracle.parser.errors import TraceError
from oracle.parser.releases import RELEASES
from oracle.parser.version import read_header_bytes

__all__ = [
    "MAX_TIE_WINDOW",
    "AccessorPanic",
    "Comparison",
    "Divergence",
    "Verdict",
    "compare",
    "decide",
    "error_format",
    "first_difference",
    "missing_record",
    "same_up_to_ties",
    "record_divergence",
    "string_mismatch",
    "strings_text",
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
    STRING_MISMATCH = "string-mismatch"  # same events, different Event.String() text
    #: Two Go releases answer differently (cross-release campaigns: the left side is the older
    #: release, the right side the newer; oracle.campaign.crossrelease).
    RELEASE_CHANGE = "release-change"


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
#: Errors whose text after the first line is dumpOrdering's output, printed in Go's map order.
_MAP_ORDER_PREFIXES: Final = (_ADVANCE_PREFIX, "broken trace: frontier is empty")
_NUMBER: Final = re.compile(r"-?\b(?:0x[0-9a-fA-F]+|\d+)\b")


def normalize_error(msg: str) -> str:
    """The part of an error message that must match exactly."""
    if msg.startswith(_MAP_ORDER_PREFIXES):
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


#: How many more times to run Go on an input whose answer depends on its map order
#: (:func:`ties_possible`) before a difference counts: the reference gives one of Go's answers,
#: which a 2-M Go 1.23 frontier, for one, matches about every other run.
MAP_ORDER_RETRIES: Final = 8


def ties_possible(data: bytes, go: str | None = None) -> bool:
    """Whether Go may order ``data``'s events by chance: it is a v1 trace (Go 1.11 to 1.21),
    or ``go`` (the release whose semantics the reference follows) builds each generation's
    frontier in map order (Go 1.22 and 1.23: ``Release.frontier_in_batch_order`` off), so Ms whose
    next events have equal times take turns by chance."""
    try:
        v, _ = read_header_bytes(data)
    except TraceError:
        return False
    if not v.is_v2:
        return True
    rel = RELEASES.get(go) if go is not None else None
    return rel is not None and not rel.frontier_in_batch_order


#: :func:`_tie_keys` of the last few outcomes, by ``id`` (each entry keeps its outcome alive,
#: so an ``id`` cannot be reused while it is cached): a v1 retry compares every reference
#: answer with every Go answer, and the keys cost a ``json.dumps`` per record.
_TIE_KEYS: dict[int, tuple[Outcome, list[tuple[str, int]]]] = {}
_TIE_KEYS_MAX: Final = 32


def _tie_keys(o: Outcome) -> list[tuple[str, int]]:
    hit = _TIE_KEYS.get(id(o))
    if hit is not None and hit[0] is o:
        return hit[1]
    out = []
    for r in o.records:
        d = {k: v for k, v in r.items() if k not in ("i", "time")}
        out.append((json.dumps(d, sort_keys=True), int(r.get("time", 0))))
    if len(_TIE_KEYS) >= _TIE_KEYS_MAX:
        _TIE_KEYS.clear()
    _TIE_KEYS[id(o)] = (o, out)
    return out


@dataclass(frozen=True, slots=True)
class Divergence:
    """The first pair of event records that differ (one side may have no record there)."""

    index: int
    field: str  # dotted path of the first differing field, or "<missing record>"
    left: dict[str, Any] | None
    right: dict[str, Any] | None

    @property
    def kind(self) -> str:
        """The event kind there, Go's record first."""
        for rec in (self.right, self.left):
            if rec is not None:
                return str(rec.get("kind", "?"))
        return "?"

    def comparison(self) -> Comparison:
        """This divergence as an ``event-mismatch``."""
        return Comparison(
            Verdict.EVENT_MISMATCH, f"event-mismatch:{self.kind}:{_strip_indices(self.field)}",
            index=self.index, field=self.field, left=self.left, right=self.right,
        )


def record_divergence(index: int, left: dict[str, Any], right: dict[str, Any]) -> Divergence | None:
    """The divergence of two records at ``index``, or None if they are equal.

    ``==`` first: it settles equal records in C, where :func:`first_difference` walks every
    field in Python (most of the comparisons a v1 retry makes).  It is exact here because the
    canonical schema gives each key one JSON type, so ``==`` cannot take ``true`` for ``1``.
    """
    if left == right:
        return None
    d = first_difference(left, right)
    return None if d is None else Divergence(index, d, left, right)


def missing_record(index: int, left: dict[str, Any] | None, right: dict[str, Any] | None) -> Divergence:
    """One side stopped at ``index`` where the other still has a record."""
    return Divergence(index, "<missing record>", left, right)


@dataclass(frozen=True, slots=True)
class AccessorPanic:
    """A Go record with a ``panics`` object: an accessor panicked on that event."""

    index: int
    accessor: str
    message: Any

    @classmethod
    def of(cls, index: int, record: dict[str, Any]) -> AccessorPanic | None:
        """The first panicking accessor of ``record``, if any."""
        panics = record.get("panics")
        if not panics:
            return None
        accessor, msg = next(iter(panics.items()))
        return cls(index, accessor, msg)

    def comparison(self) -> Comparison:
        """This panic as a ``go-panic`` finding."""
        return Comparison(
            Verdict.GO_PANIC, f"go-panic:{self.accessor}:{error_format(str(self.message))}",
            index=self.index, field=f"panics.{self.accessor}", right=self.message,
        )


def compare(left: Outcome, right: Outcome, *, ties: bool = False) -> Comparison:
    """Compare the reference (left, Python) with Go (right).

    ``ties``: the input is a v1 trace, whose events Go orders by chance where timestamps tie;
    records equal up to that (:func:`same_up_to_ties`) count as equal, and the
    ``Event.String()`` texts, which follow the same order, are then not compared.
    """
    go_panic = None
    for i, r in enumerate(right.records):
        if "panics" in r and (go_panic := AccessorPanic.of(i, r)) is not None:
            break
    div: Divergence | None = None
    for i, (a, b) in enumerate(zip(left.records, right.records)):
        if (div := record_divergence(i, a, b)) is not None:
            break
    if div is None and len(left.records) != len(right.records):
        n = min(len(left.records), len(right.records))
        div = missing_record(n, _at(left, n), _at(right, n))
    reordered = False
    if div is not None and ties and same_up_to_ties(_tie_keys(left), _tie_keys(right)) is None:
        div, reordered = None, True
    c = decide(left.end, right.end, len(right.records), go_panic, div)
    if c.verdict is Verdict.AGREE and not reordered and left.strings is not None \
            and right.strings is not None and strings_text(left.strings) != strings_text(right.strings):
        return string_mismatch(left, right)
    return c


def strings_text(text: bytes) -> bytes:
    """The part of a ``go-string`` text that must match: every event's text, then the
    terminal line's first line, with an ``ERROR:`` line reduced to ``ERROR:``.

    The error's text is the records' comparison's business (with its normalization and its
    known nondeterminism: Go validates stacks in map order, so two runs can name different
    stacks), and the rest of a ``failed to advance`` message is printed in Go's map order.
    A ``PANIC:`` line is kept: ``String()`` panicking is this comparison's business."""
    lines = text.split(b"\n")
    for i, line in enumerate(lines):
        if line == b"EOF" or line.startswith(_TERMINAL):
            last = b"ERROR:" if line.startswith(b"ERROR: ") else line
            return b"\n".join([*lines[:i], last])
    return text


def string_mismatch(left: Outcome, right: Outcome) -> Comparison:
    """The ``string-mismatch`` of two outcomes whose ``Event.String()`` texts differ.

    Every event's text starts with a line ``M=...``; counting those before the first differing
    line gives the event, whose kind is the signature's location (a wrong ``Log`` line is one
    finding however many logs a trace has)."""
    assert left.strings is not None and right.strings is not None
    a, b = strings_text(left.strings).split(b"\n"), strings_text(right.strings).split(b"\n")
    n = next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
    index = sum(1 for line in b[:n + 1] if line.startswith(b"M=")) - 1
    here = [lines[n] for lines in (a, b) if n < len(lines)]
    kind = "?"
    if index < 0 or any(line == b"EOF" or line.startswith(_TERMINAL) for line in here):
        kind = "terminal"
    elif index < len(right.records):
        kind = str(right.records[index].get("kind", "?"))
    return Comparison(Verdict.STRING_MISMATCH, f"string-mismatch:{kind}",
                      index=max(index, 0), field="String()", left=_line(a, n), right=_line(b, n))


_TERMINAL: Final = (b"ERROR: ", b"PANIC: ")


def _line(lines: list[bytes], n: int) -> str | None:
    return lines[n].decode("utf-8", "replace") if n < len(lines) else None


def _at(o: Outcome, i: int) -> dict[str, Any] | None:
    return o.records[i] if i < len(o.records) else None


def decide(left: End, right: End, right_count: int, go_panic: AccessorPanic | None,
           div: Divergence | None) -> Comparison:
    """The verdict, from how both sides ended, Go's first accessor panic and the first
    divergent record: all a comparison needs, so whole outcomes (:func:`compare`) and
    streams (:mod:`oracle.diff.stream`) decide alike."""
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
            index=right_count, right=right.error,
        )
    if right.status in (Status.CRASH, Status.TIMEOUT):
        return Comparison(
            Verdict.GO_CRASH, f"go-crash:{right.status.value}:{error_format(right.error or '')}",
            right=right.error,
        )
    if go_panic is not None:
        return go_panic.comparison()
    if left.status is not right.status:
        rejecting = left if left.status is Status.REJECTED else right
        side = "python" if rejecting is left else "go"
        return Comparison(
            Verdict.VERDICT_MISMATCH,
            f"verdict-mismatch:only-{side}-rejects:{error_format(rejecting.error or '')}",
            index=div.index if div else None, field=div.field if div else None,
            left=left.error, right=right.error,
        )
    if div is not None:
        return div.comparison()
    if left.status is Status.REJECTED:
        le, ri = normalize_error(left.error or ""), normalize_error(right.error or "")
        if le != ri:
            return Comparison(
                Verdict.ERROR_TEXT_MISMATCH, f"error-text-mismatch:{error_format(right.error or '')}",
                left=left.error, right=right.error,
            )
    return Comparison(Verdict.AGREE, "agree")


def _strip_indices(field: str) -> str:
    return re.sub(r"\[\d+\]", "[]", field)
