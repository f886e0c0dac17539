"""Comparing the two parsers record by record, as both produce them, in bounded memory.

:func:`oracle.diff.compare.compare` takes two whole :class:`~oracle.diff.outcome.Outcome` values,
which for a trace of hundreds of MB means two dumps of millions of records held at once.  Here
each side is a stream instead: the reference parser's records come from
:func:`python_side` (an :class:`oracle.parser.reader.Reader` over a file or stream), Go's from
:func:`go_side` (the helper's ``stream parse`` mode, :class:`oracle.harness.helper.HelperStream`,
writing a line per ``ReadEvent``).  :class:`StreamComparison` pulls one record from each in
turn and keeps only what the verdict depends on (:func:`oracle.diff.compare.decide`): how each
side ended, the number of Go records, Go's first accessor panic and the first divergent record.
So its closing :attr:`StreamComparison.final` is exactly ``compare()``'s verdict and signature
for the same two parses, with memory independent of the trace's length.

Equal records are recognised without decoding: both writers produce byte-identical lines
(``docs/canonical-json.md``), so only lines whose bytes differ, or Go lines that may carry a
``panics`` object, are decoded.

Iterating a :class:`StreamComparison` yields each divergence as soon as it is seen (every
differing record, Go's accessor panics, the first missing record) and then, if the closing
verdict is a finding, that verdict.  A caller that wants only the first divergence stops
iterating (``diff`` does by default); its verdict is then that of the first divergent record,
which can differ from the closing one (a record mismatch found before a Python exception, say).
"""

from __future__ import annotations

import json
import traceback
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Final

from oracle.diff.compare import (
    AccessorPanic,
    Comparison,
    Divergence,
    compare,
    decide,
    missing_record,
    record_divergence,
    ties_possible,
)
from oracle.diff.outcome import End, Outcome, Status, end_of_record, outcome_of
from oracle.harness.helper import HelperStream
from oracle.parser import canonical
from oracle.parser.errors import TraceError
from oracle.parser.reader import Reader, TraceSource, UnsupportedTraceError

__all__ = [
    "PyRecord",
    "StreamComparison",
    "go_side",
    "header_of",
    "python_records",
    "python_side",
    "stream_compare",
    "whole_comparison",
]

_END: Final = b'{"end":'
_PANICS: Final = b'"panics":'
#: Ends that decide the verdict before any record does (see ``decide``).
_FAILED: Final = frozenset({Status.UNSUPPORTED, Status.EXCEPTION, Status.TIMEOUT, Status.PANIC,
                            Status.CRASH})

#: One record of the reference parser: its canonical line (no newline) and its value.
PyRecord = tuple[bytes, dict[str, Any]]


def python_records(source: TraceSource, *, go: str | None = None, v1_proc_rotation: int = 0,
                   frontier_rotation: int = 0) -> Iterator[dict[str, Any] | End]:
    """The reference parser's canonical records, then how it ended.

    This is :class:`~oracle.diff.impls.PythonImpl`'s one definition of a Python outcome: a
    ``TraceError`` rejects, an :class:`UnsupportedTraceError` is out of scope, anything else
    that escapes (``GoPanic`` included: Go would not panic in ``ReadEvent`` where we do) is an
    exception.  ``go``, ``v1_proc_rotation`` and ``frontier_rotation`` are
    :class:`~oracle.parser.reader.Reader`'s: the release to reproduce, and which of Go's map
    orders to follow (the Ps of a v1 trace; Go 1.23's frontier).
    """
    i = 0
    try:
        for ev in Reader(source, go=go, v1_proc_rotation=v1_proc_rotation,
                         frontier_rotation=frontier_rotation):
            yield canonical.event_record(i, ev)
            i += 1
    except UnsupportedTraceError as e:
        yield End(Status.UNSUPPORTED, e.message)
        return
    except TraceError as e:
        yield End(Status.REJECTED, e.message)
        return
    except Exception as e:  # noqa: BLE001 - any other exception is a finding, not a crash
        yield End(Status.EXCEPTION, f"{type(e).__name__}: {e}", traceback.format_exc())
        return
    yield End(Status.ACCEPTED)


def python_side(source: TraceSource, *, go: str | None = None) -> Iterator[PyRecord | End]:
    """:func:`python_records` with each record's canonical line, as the helper writes it."""
    dumps = canonical.dumps_record
    for rec in python_records(source, go=go):
        if isinstance(rec, End):
            yield rec
            return
        yield dumps(rec).encode("utf-8", "surrogateescape"), rec


def go_side(stream: HelperStream) -> Iterator[bytes | End]:
    """Go's canonical lines from a ``stream parse`` run, then how it ended.

    Mirrors :func:`oracle.diff.impls.go.outcome_from_helper`: the terminal record ends the
    parse; a panic that escaped the mode, a crash or a lack of progress end it otherwise.
    """
    lines = stream.lines()
    for line in lines:
        if line.startswith(_END):
            for _ in lines:  # nothing follows a terminal record; let the helper exit
                pass
            yield end_of_record(json.loads(line))
            return
        if line:
            yield line
    res = stream.result
    assert res is not None
    if res.outcome == "panic":
        yield End(Status.PANIC, res.panic, res.stack)
    elif res.outcome in ("crash", "timeout"):
        status = Status.TIMEOUT if res.outcome == "timeout" else Status.CRASH
        yield End(status, res.outcome, res.stderr)
    else:
        yield End(Status.CRASH, "output ended without a terminal record")


class StreamComparison:
    """Compares a :func:`python_side` stream (left) with a :func:`go_side` stream (right).

    Iterate it to run the comparison (see the module docstring for what it yields); afterwards
    :attr:`final` is the closing :class:`Comparison`, ``compare()``'s for the same parses.
    ``every``: yield every differing record, not only the first one.
    """

    def __init__(self, left: Iterator[PyRecord | End], right: Iterator[bytes | End], *,
                 every: bool = False) -> None:
        self._left = left
        self._right = right
        self._every = every
        self.left_end: End | None = None
        self.right_end: End | None = None
        self.left_count = 0
        self.right_count = 0
        self.go_panic: AccessorPanic | None = None
        self.divergence: Divergence | None = None
        self.final: Comparison | None = None

    def __iter__(self) -> Iterator[Comparison]:
        left, right = self._left, self._right
        i = 0
        lrec: PyRecord | End = next(left)
        rrec: bytes | End = next(right)
        # Both sides have a record at i.
        while not isinstance(lrec, End) and not isinstance(rrec, End):
            line, value = lrec
            if _PANICS in rrec or line != rrec:
                yield from self._pair(i, value, json.loads(rrec))
            i += 1
            lrec = next(left)
            rrec = next(right)
        self.left_count = self.right_count = i
        # At most one side goes on: count (and for Go, check) its extra records.
        # A side that ended by failing (Python raising, Go panicking, crashing or hanging) makes
        # the verdict whatever the records say: its missing records are not reported.
        if not isinstance(lrec, End):
            found = list(self._diverge(missing_record(i, lrec[1], None)))
            if not (isinstance(rrec, End) and rrec.status in _FAILED):
                yield from found
            n = i
            while not isinstance(lrec, End):
                n += 1
                lrec = next(left)
            self.left_count = n
        elif not isinstance(rrec, End):
            # Python stopped short by failing (or on a v1 trace, out of scope): Go's records
            # are counted, not reported.
            quiet = lrec.status in _FAILED
            found = list(self._diverge(missing_record(i, None, json.loads(rrec))))
            n = i
            while not isinstance(rrec, End):
                if _PANICS in rrec:
                    found += self._check_panic(n, json.loads(rrec))
                if found and not quiet:
                    yield from found
                found = []
                n += 1
                rrec = next(right)
            self.right_count = n
        assert isinstance(lrec, End) and isinstance(rrec, End)
        self.left_end, self.right_end = lrec, rrec
        final = self.final = decide(lrec, rrec, self.right_count, self.go_panic, self.divergence)
        seen = [x.comparison() for x in (self.go_panic, self.divergence) if x is not None]
        if not final.agree and final not in seen:
            yield final

    def _pair(self, i: int, lval: dict[str, Any], rval: dict[str, Any]) -> Iterator[Comparison]:
        if "panics" in rval:
            yield from self._check_panic(i, rval)
        d = record_divergence(i, lval, rval)
        if d is not None:
            yield from self._diverge(d)

    def _check_panic(self, i: int, rval: dict[str, Any]) -> Iterator[Comparison]:
        if self.go_panic is None and (p := AccessorPanic.of(i, rval)) is not None:
            self.go_panic = p
            yield p.comparison()

    def _diverge(self, d: Divergence) -> Iterator[Comparison]:
        first = self.divergence is None
        if first:
            self.divergence = d
        if first or self._every:
            yield d.comparison()


def header_of(source: Path | bytes) -> bytes:
    """The first bytes of a trace, enough for :func:`oracle.diff.compare.ties_possible`."""
    if isinstance(source, bytes):
        return source[:_HEADER_PEEK]
    with open(source, "rb") as f:
        return f.read(_HEADER_PEEK)


_HEADER_PEEK: Final = 64


def whole_comparison(binary: Path, source: Path | bytes, *, idle_timeout: float,
                     go: str | None = None) -> tuple[Comparison, Outcome, Outcome]:
    """Both outcomes whole, compared with Go's v1 tie order tolerated (``ties=True``).

    For v1 traces only: Go orders their events of equal timestamps by chance
    (:func:`oracle.diff.compare.same_up_to_ties`), which a record-by-record comparison cannot
    tolerate.  Memory: Go reads a whole v1 trace before its first event too, so neither side
    is bounded by less than the trace here (docs/v1-traces.md)."""
    left = outcome_of("python", python_records(source, go=go))
    with HelperStream(binary, "parse", source, idle_timeout=idle_timeout) as stream:
        right = outcome_of("go", (x if isinstance(x, End) else json.loads(x) for x in go_side(stream)))
    return compare(left, right, ties=True), left, right


def stream_compare(binary: Path, source: Path | bytes, *, idle_timeout: float,
                   every: bool = False, go: str | None = None) -> Comparison:
    """The closing verdict of one trace (a path is streamed by both sides), Go run by the
    helper ``binary`` with ``idle_timeout`` seconds of allowed silence; ``go`` is the
    release whose semantics the reference follows.  A v1 trace is compared whole
    (:func:`whole_comparison`)."""
    if ties_possible(header_of(source), go):
        return whole_comparison(binary, source, idle_timeout=idle_timeout, go=go)[0]
    with HelperStream(binary, "parse", source, idle_timeout=idle_timeout) as helper:
        sc = StreamComparison(python_side(source, go=go), go_side(helper), every=every)
        for _ in sc:
            pass
    assert sc.final is not None
    return sc.final
