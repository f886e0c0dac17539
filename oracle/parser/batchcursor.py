"""Per-M cursors over event batches, and the min-heap that orders them.

Mirrors ``internal/trace/batchcursor.go``.

Theory of operation
-------------------
Every M (OS thread) writes its own batches, and within one M events are in time order.  The
reader merges the Ms with one :class:`BatchCursor` per M: the cursor walks that M's batches and
always holds the M's next undelivered event, decoded, in ``ev``.  Decoding is lazy, one event
ahead, so a malformed event is only noticed when its M gets that far (and Go reports it then,
even if the event before it was already accepted; the reader keeps that behaviour).

Event times are built the way Go builds them, one delta at a time: the first event of a batch
starts from the batch's base timestamp, every event adds its own ``dt``, and each conversion
from ticks to nanoseconds is a separate float64 multiplication truncated to int64, summed with
int64 wraparound.  Converting the tick *sum* instead would round differently.

The cursors form the reader's *frontier*, a binary min-heap on the next event's time.  The heap
functions are Go's own (not :mod:`heapq`): the exact sift rules decide which of two cursors with
equal times ends up on top, and that choice is visible in the output order.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final

from oracle.parser.base import BaseEvent, freq_mul
from oracle.parser.batch import Batch
from oracle.parser.errors import TraceError
from oracle.parser.tracev2 import SPECS, EventSpec
from oracle.parser.uvarint import put_uvarint, uvarint

__all__ = [
    "MAX_TIME",
    "BatchCursor",
    "encode_timed_event",
    "heap_insert",
    "heap_remove",
    "heap_update",
    "read_timed_base_event",
]

#: Go's ``maxTime`` (``Time(math.MaxInt64)``).
MAX_TIME: Final = (1 << 63) - 1
_I64_MIN: Final = -(1 << 63)
_I64_LIMIT: Final = 1 << 63
_TWO64: Final = 1 << 64
_F_I64_LIMIT: Final = 9223372036854775808.0

#: :func:`timed_nargs` of a type past the release's table (``found invalid event type``).
_PAST_TABLE: Final = -2


def timed_nargs(specs: tuple[EventSpec, ...]) -> tuple[int, ...]:
    """Per type byte (all 256): how many arguments follow ``dt``, or -1 when the type is not a
    timed event (no arguments or not flagged as timed), -2 when it is past the table; a plain
    event batch may contain neither.  One lookup accepts a type in :meth:`BatchCursor.next_event`.

    ``specs`` is a release's event table (``Release.specs``); tables are cached by identity.
    """
    table = _NARGS_CACHE.get(id(specs))
    if table is None or table[0] is not specs:
        nargs = tuple(
            len(s.args) - 1 if (len(s.args) != 0 and s.is_timed_event) else -1 for s in specs
        )
        table = _NARGS_CACHE[id(specs)] = (specs, nargs + (_PAST_TABLE,) * (256 - len(specs)))
    return table[1]


_NARGS_CACHE: dict[int, tuple[tuple[EventSpec, ...], tuple[int, ...]]] = {}
#: :func:`timed_nargs` of the pinned table.
_FAST_NARGS: Final[tuple[int, ...]] = timed_nargs(SPECS)


class _Slow(Exception):
    """Internal: the inline decoder met something it leaves to the exact decoder."""


@dataclass(slots=True)
class BatchCursor:
    """Position in one M's batches plus that M's next decoded event (``batchCursor``).

    ``ev`` is reused for every event of the M, exactly like Go's by-value field: argument slots
    an event does not use keep whatever the previous event left there.  Consumers that keep an
    event must copy it (the ordering does).
    """

    m: int
    last_ts: int = 0
    idx: int = 0  # next batch
    data_off: int = 0  # next byte in that batch
    ev: BaseEvent = field(default_factory=lambda: BaseEvent(typ=0, time=0))
    #: The selected release's :func:`timed_nargs` (Go 1.24 and older lack ClockSnapshot).
    nargs: tuple[int, ...] = _FAST_NARGS

    def next_event(self, batches: list[Batch], freq: float) -> bool:
        """Decode the M's next event into ``ev``; ``False`` when the M has no more events.

        Mirrors (*batchCursor).nextEvent (batchcursor.go), with readTimedBaseEvent inlined for
        the common case: a known timed type whose varints all end inside the batch within nine
        bytes.  Anything else (including every error) is decoded again from the event's first
        byte by :func:`read_timed_base_event`, the exact port.  The inline decoder only writes
        argument slots with the values the exact one writes there too, so the result, partial
        writes on errors included, is Go's.
        """
        idx = self.idx
        off = self.data_off
        n = len(batches)
        if idx == n:
            return False
        batch = batches[idx]
        data = batch.data
        if len(data) == off:
            # Step over finished (or empty) batches; every new batch restarts the time base.
            self.data_off = off = 0
            self.last_ts = 0
            while True:
                idx += 1
                self.idx = idx
                if idx == n:
                    return False
                batch = batches[idx]
                data = batch.data
                if len(data) != 0:
                    break

        # Go tests for 0 rather than for "new batch", so an event whose time happens to be 0
        # also makes the next event restart from the batch's base time; we do the same.
        last_ts = self.last_ts
        if last_ts == 0:
            last_ts = self.last_ts = freq_mul(freq, batch.time)

        e = self.ev
        try:
            typ = data[off]
            nargs = self.nargs[typ]
            if nargs < 0:
                raise _Slow
            p = off + 1
            # The time delta, then the arguments: one-byte varints dominate real traces.
            tsdiff = data[p]
            p += 1
            if tsdiff >= 0x80:
                tsdiff &= 0x7F
                s = 7
                while True:
                    b = data[p]
                    p += 1
                    if b < 0x80:
                        break
                    tsdiff |= (b & 0x7F) << s
                    s += 7
                    if s > 56:  # a tenth byte: let the exact decoder judge overflow
                        raise _Slow
                tsdiff |= b << s
            args = e.args
            i = 0
            while i < nargs:
                x = data[p]
                p += 1
                if x >= 0x80:
                    x &= 0x7F
                    s = 7
                    while True:
                        b = data[p]
                        p += 1
                        if b < 0x80:
                            break
                        x |= (b & 0x7F) << s
                        s += 7
                        if s > 56:
                            raise _Slow
                    x |= b << s
                args[i] = x
                i += 1
            e.typ = typ
            nbytes = p - off
        except (IndexError, _Slow):
            nbytes, tsdiff = read_timed_base_event(data, off, e, self.nargs)

        # freq.mul(tsdiff) + lastTs, as float64 -> int64 (amd64 rules) and a wrapping add.
        d = tsdiff * freq
        t = (int(d) if -_F_I64_LIMIT <= d < _F_I64_LIMIT else _I64_MIN) + last_ts
        if not _I64_MIN <= t < _I64_LIMIT:
            t = ((t + _I64_LIMIT) % _TWO64) - _I64_LIMIT
        e.time = t
        self.last_ts = t
        self.data_off = off + nbytes
        return True

    def compare(self, a: BatchCursor) -> int:
        """Mirrors (*batchCursor).compare (batchcursor.go): ``cmp.Compare`` of event times."""
        x, y = self.ev.time, a.ev.time
        return -1 if x < y else (1 if x > y else 0)


def read_timed_base_event(
    b: bytes, off: int, e: BaseEvent, nargs_table: tuple[int, ...] = _FAST_NARGS
) -> tuple[int, int]:
    """Decode the timed event at ``b[off:]`` into ``e``; return ``(bytes used, raw dt)``.

    Mirrors readTimedBaseEvent (batchcursor.go).  Only the shape is checked (a known, timed
    type and well-formed varints); the meaning of the arguments is the ordering's business.
    ``e`` is updated in Go's order, so a failure leaves it partially written, as in Go.
    """
    typ = b[off]
    nargs = nargs_table[typ]
    if nargs == _PAST_TABLE:
        raise TraceError(f"found invalid event type: {typ}")
    e.typ = typ

    if nargs < 0:
        raise TraceError(f"found event without a timestamp: type={typ}")
    end = len(b)
    p = off + 1

    # The time delta.  One-byte varints dominate real traces, hence the inline fast path.
    if p < end and b[p] < 0x80:
        ts = b[p]
        p += 1
    else:
        ts, nb = uvarint(b, p, end)
        if nb <= 0:
            raise TraceError("found invalid uvarint for timestamp")
        p += nb

    # The remaining arguments.
    args = e.args
    for i in range(nargs):
        if p < end and b[p] < 0x80:
            args[i] = b[p]
            p += 1
        else:
            arg, nb = uvarint(b, p, end)
            if nb <= 0:
                raise TraceError("found invalid uvarint")
            args[i] = arg
            p += nb
    return p - off, ts


def encode_timed_event(typ: int, dt: int, *args: int) -> bytes:
    """The wire form of one timed event (type byte, ``dt``, arguments); the inverse of
    :func:`read_timed_base_event`."""
    return bytes((typ,)) + put_uvarint(dt) + b"".join(put_uvarint(a) for a in args)


def heap_insert(heap: list[BatchCursor], bc: BatchCursor) -> None:
    """Add ``bc`` to the min-heap in place. Mirrors heapInsert (batchcursor.go)."""
    heap.append(bc)
    _heap_sift_up(heap, len(heap) - 1)


def heap_update(heap: list[BatchCursor], i: int) -> None:
    """Restore the heap after ``heap[i]``'s time changed. Mirrors heapUpdate (batchcursor.go)."""
    # Sifting the root up is a no-op, and the root is what the reader updates nearly always.
    if i != 0 and _heap_sift_up(heap, i) != i:
        return
    _heap_sift_down(heap, i)


def heap_remove(heap: list[BatchCursor], i: int) -> None:
    """Remove ``heap[i]`` in place. Mirrors heapRemove (batchcursor.go).

    Go first bubbles the element to the root *regardless of times*, then swaps it with the last
    element and sifts that down.  This differs from the textbook removal and moves other
    cursors around, so it is copied step for step.
    """
    while i > 0:
        parent = (i - 1) // 2
        heap[parent], heap[i] = heap[i], heap[parent]
        i = parent
    last = len(heap) - 1
    heap[0], heap[last] = heap[last], heap[0]
    heap.pop()
    _heap_sift_down(heap, 0)


def _heap_sift_up(heap: list[BatchCursor], i: int) -> int:
    """Mirrors heapSiftUp (batchcursor.go): move up while the parent is strictly later."""
    while i > 0:
        parent = (i - 1) // 2
        if not heap[parent].ev.time > heap[i].ev.time:
            break
        heap[parent], heap[i] = heap[i], heap[parent]
        i = parent
    return i


def _heap_sift_down(heap: list[BatchCursor], i: int) -> int:
    """Mirrors heapSiftDown (batchcursor.go), with its helper min3 inlined.

    min3(heap, i, 2i+1, 2i+2) is the index of the earliest of the three cursors that exist,
    the first one on ties (a missing ``i`` counts as ``MAX_TIME``).
    """
    n = len(heap)
    while True:
        m = i
        min_t = heap[i].ev.time if i < n else MAX_TIME
        c = 2 * i + 1
        if c < n:
            t = heap[c].ev.time
            if t < min_t:
                min_t = t
                m = c
            c += 1
            if c < n and heap[c].ev.time < min_t:
                m = c
        if m == i:
            break
        heap[i], heap[m] = heap[m], heap[i]
        i = m
    return i
