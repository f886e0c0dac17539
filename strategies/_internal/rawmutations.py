"""Named mutations of the raw-trace model (:class:`oracle.parser.rawtrace.RawTrace`).

Theory of operation
-------------------
The operators in :mod:`strategies._internal.mutations` edit a generated
:class:`~strategies._internal.builder.Trace`, which knows what each batch is for.  The ones
here edit any trace that decodes into the raw-trace model: a real trace, a corpus entry, or an
input a fuzzer has already mangled.  They drop, duplicate, swap or move events and batches,
change arguments, generation numbers, event types and string data, insert events and truncate
at a boundary; the model then re-encodes every batch with its size recomputed, so the edit
reaches the parser's later stages instead of dying in the batch reader.  One operator,
``raw_stale_size``, leaves a size off by a little on purpose (:data:`INCONSISTENT`).

Each operator ``op(ch, rt) -> bool`` edits ``rt`` in place and says whether it found
something to edit.  They are registered by name in :data:`RAW_MUTATIONS`, which
:mod:`strategies._internal.mutations` serves beside its own registry; the names are recorded
in findings, so they stay stable.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

from oracle.parser.raw import RawEvent
from oracle.parser.rawtrace import FULL_VERSION, RawBatch, RawTrace
from oracle.parser.tracev2 import EventSpec

from strategies._internal.choices import Chooser

__all__ = ["INCONSISTENT", "RAW_MUTATIONS", "RawMutation", "mutate_raw"]

#: An operator on the raw-trace model.
RawMutation = Callable[[Chooser, RawTrace], bool]

_U64: Final = (1 << 64) - 1

#: Values that break parsers: boundaries of the widths Go narrows IDs and states to.
_BOUNDARY: Final[tuple[int, ...]] = (
    0, 1, 2, 3, 7, 8, 0x7F, 0x80, 0xFF, 0x100, 0x101, 0xFFFF, 0x10000, 0x7FFFFFFF, 0x80000000,
    0xFFFFFFFF, 0x100000000, (1 << 63) - 1, 1 << 63, _U64,
)

#: Bit widths of a fresh random argument value.
_RANDOM_WIDTHS: Final = (4, 8, 16, 32, 64)

#: Replacement string data: invalid UTF-8, a lone lead byte, a line separator (which Go's
#: ``strconv.Quote`` escapes), NUL, and a long string.
_ODD_DATA: Final = (b"\xff\xfe", b"\xc0", "\u2028".encode(), b"\x00", b"a" * 300)


def _interesting(ch: Chooser, rt: RawTrace, old: int) -> int:
    """A replacement for the argument value ``old``: a neighbour, a boundary, or a value seen
    elsewhere in the trace (IDs, timestamps and string IDs are shared between events)."""
    r = ch.int(0, 99)
    if r < 30:
        return max(0, min(_U64, old + ch.pick((-2, -1, 1, 2))))
    if r < 55:
        return ch.pick(_BOUNDARY)
    if r < 85 and rt.batches:
        b = ch.pick(rt.batches)
        pool = [a for e in b.events for a in e.args] or list(_head(b))
        if pool:
            return ch.pick(pool)
    return ch.int(0, (1 << ch.pick(_RANDOM_WIDTHS)) - 1)


def _head(b: RawBatch) -> tuple[int, ...]:
    """A batch's header fields (none for ``EndOfGeneration``)."""
    return () if b.generation() is None else (b.gen, b.m, b.time)


def _event_batches(rt: RawTrace) -> list[RawBatch]:
    return [b for b in rt.batches if b.is_event_batch]


def _pick_event_batch(ch: Chooser, rt: RawTrace) -> RawBatch | None:
    bs = _event_batches(rt)
    return ch.pick(bs) if bs else None


def _pick_event(ch: Chooser, rt: RawTrace) -> tuple[RawBatch, int] | None:
    nonempty = [b for b in rt.batches if b.events]
    if not nonempty:
        return None
    b = ch.pick(nonempty)
    return b, ch.int(0, len(b.events) - 1)


def raw_drop_event(ch: Chooser, rt: RawTrace) -> bool:
    """Remove one event."""
    p = _pick_event(ch, rt)
    if p is None:
        return False
    b, i = p
    del b.events[i]
    return True


def raw_duplicate_event(ch: Chooser, rt: RawTrace) -> bool:
    """Repeat one event anywhere in its batch."""
    p = _pick_event(ch, rt)
    if p is None:
        return False
    b, i = p
    b.events.insert(ch.int(0, len(b.events)), b.events[i])
    return True


def raw_swap_events(ch: Chooser, rt: RawTrace) -> bool:
    """Swap two events of a batch, usually neighbours."""
    cands = [b for b in rt.batches if len(b.events) >= 2]
    if not cands:
        return False
    ev = ch.pick(cands).events
    i = ch.int(0, len(ev) - 2)
    j = i + 1 if ch.chance(0.7) else ch.int(0, len(ev) - 1)
    ev[i], ev[j] = ev[j], ev[i]
    return True


def raw_move_event(ch: Chooser, rt: RawTrace) -> bool:
    """Move one event into any event batch."""
    p = _pick_event(ch, rt)
    targets = _event_batches(rt)
    if p is None or not targets:
        return False
    b, i = p
    e = b.events.pop(i)
    dst = ch.pick(targets)
    dst.events.insert(ch.int(0, len(dst.events)), e)
    return True


def raw_drop_batch(ch: Chooser, rt: RawTrace) -> bool:
    """Remove one batch (or ``EndOfGeneration``), keeping at least one."""
    if len(rt.batches) < 2:
        return False
    del rt.batches[ch.int(0, len(rt.batches) - 1)]
    return True


def raw_duplicate_batch(ch: Chooser, rt: RawTrace) -> bool:
    """Repeat one batch anywhere."""
    if not rt.batches:
        return False
    b = ch.pick(rt.batches).copy()
    rt.batches.insert(ch.int(0, len(rt.batches)), b)
    return True


def raw_swap_batches(ch: Chooser, rt: RawTrace) -> bool:
    """Swap two batches."""
    n = len(rt.batches)
    if n < 2:
        return False
    i = ch.int(0, n - 1)
    j = ch.int(0, n - 2)
    j += j >= i  # any other index
    rt.batches[i], rt.batches[j] = rt.batches[j], rt.batches[i]
    return True


def raw_change_arg(ch: Chooser, rt: RawTrace) -> bool:
    """Change one argument of an event, or a batch's gen, M or time."""
    cands: list[tuple[RawBatch, int | None]] = []
    for b in rt.batches:
        cands.extend((b, i) for i, e in enumerate(b.events) if e.args)
        if b.is_event_batch:
            cands.append((b, None))
    if not cands:
        return False
    b, i = ch.pick(cands)
    if i is None:
        # The size field is recomputed on encoding; edit gen, m or time instead.
        head = [b.gen, b.m, b.time]
        k = ch.int(0, 2)
        head[k] = _interesting(ch, rt, head[k])
        b.gen, b.m, b.time = head
        return True
    e = b.events[i]
    args = list(e.args)
    k = ch.int(0, len(args) - 1)
    args[k] = _interesting(ch, rt, args[k])
    b.events[i] = e._replace(args=tuple(args))
    return True


def raw_change_gen(ch: Chooser, rt: RawTrace) -> bool:
    """Give an event batch another generation number."""
    b = _pick_event_batch(ch, rt)
    if b is None:
        return False
    gen = b.gen
    other = _pick_event_batch(ch, rt)
    assert other is not None
    b.gen = ch.pick((gen + 1, max(0, gen - 1), other.gen, 0, gen + 2, 1 << 63))
    return True


def _same_layout(specs: tuple[EventSpec, ...], e: RawEvent) -> list[int]:
    """Other named types whose events are written like ``e``'s."""
    spec = specs[e.ev]
    return [
        t for t, s in enumerate(specs)
        if t and t != e.ev and s.name and len(s.args) == len(spec.args)
        and s.is_stack == spec.is_stack and s.has_data == spec.has_data
    ]


def raw_change_type(ch: Chooser, rt: RawTrace) -> bool:
    """Give an event another type with the same wire layout."""
    p = _pick_event(ch, rt)
    if p is None:
        return False
    b, i = p
    e = b.events[i]
    types = _same_layout(FULL_VERSION.specs(), e)
    if not types:
        return False
    b.events[i] = e._replace(ev=ch.pick(types))
    return True


def _random_event(ch: Chooser, rt: RawTrace) -> RawEvent:
    """An event of any type of the trace's version, with plausible arguments."""
    specs = rt.version.specs()
    t = ch.pick([t for t, s in enumerate(specs) if t and s.name])
    spec = specs[t]
    args = [_interesting(ch, rt, ch.int(0, 7)) for _ in spec.args]
    data: bytes | None = None
    if spec.is_stack:
        nframes = ch.int(0, 2)
        args[-1] = nframes
        args += [_interesting(ch, rt, ch.int(0, 7)) for _ in range(4 * nframes)]
    if spec.has_data:
        data = ch.pick((b"", b"main", b"runtime.gopark", ch.bytes(4, 4)))
    return RawEvent(FULL_VERSION, t, tuple(args), data or None)


def raw_insert_event(ch: Chooser, rt: RawTrace) -> bool:
    """Insert an event of any type into an event batch."""
    b = _pick_event_batch(ch, rt)
    if b is None:
        return False
    b.events.insert(ch.int(0, len(b.events)), _random_event(ch, rt))
    return True


def raw_change_data(ch: Chooser, rt: RawTrace) -> bool:
    """Flip a bit of, cut, double, swap or replace an event's data trailer."""
    cands = [(b, i) for b in rt.batches for i, e in enumerate(b.events) if e.data is not None]
    if not cands:
        return False
    b, i = ch.pick(cands)
    e = b.events[i]
    d = e.data or b""
    r = ch.int(0, 99)
    if r < 25 and d:
        k = ch.int(0, len(d) - 1)
        d = d[:k] + bytes((d[k] ^ (1 << ch.int(0, 7)),)) + d[k + 1:]
    elif r < 45:
        d = d[: ch.int(0, len(d))]
    elif r < 60:
        d = d + d
    elif r < 80:
        c, k = ch.pick(cands)
        d = c.events[k].data or b""
    else:
        d = ch.pick(_ODD_DATA)
    b.events[i] = e._replace(data=d or None)
    return True


def raw_truncate(ch: Chooser, rt: RawTrace) -> bool:
    """Cut the trace after a batch, maybe inside its events; the tail goes too."""
    if rt.num_events() < 2:
        return False
    k = ch.int(0, len(rt.batches) - 1)
    del rt.batches[k + 1:]
    last = rt.batches[k]
    if last.events and ch.chance(0.5):
        del last.events[ch.int(0, len(last.events) - 1):]
    rt.tail = b""
    return True


def raw_stale_size(ch: Chooser, rt: RawTrace) -> bool:
    """Leave an event batch's size field off by a little."""
    b = _pick_event_batch(ch, rt)
    if b is None:
        return False
    b.size = max(0, len(b.body()) + ch.pick((-3, -2, -1, 1, 2, 3)))
    return True


#: The raw-level operators by name.
RAW_MUTATIONS: Final[dict[str, RawMutation]] = {
    "raw_drop_event": raw_drop_event,
    "raw_duplicate_event": raw_duplicate_event,
    "raw_swap_events": raw_swap_events,
    "raw_move_event": raw_move_event,
    "raw_drop_batch": raw_drop_batch,
    "raw_duplicate_batch": raw_duplicate_batch,
    "raw_swap_batches": raw_swap_batches,
    "raw_change_arg": raw_change_arg,
    "raw_change_gen": raw_change_gen,
    "raw_change_type": raw_change_type,
    "raw_insert_event": raw_insert_event,
    "raw_change_data": raw_change_data,
    "raw_truncate": raw_truncate,
    "raw_stale_size": raw_stale_size,
}

#: Operators that make a trace inconsistent at the batch level (left out when a caller asks
#: for batch-consistent output).
INCONSISTENT: Final = frozenset({"raw_stale_size"})


def mutate_raw(ch: Chooser, rt: RawTrace, *, max_ops: int = 3,
               consistent: bool = False) -> list[str]:
    """Apply one to ``max_ops`` operators of :data:`RAW_MUTATIONS` to ``rt`` in place and
    return the names of those that applied; ``consistent`` leaves out :data:`INCONSISTENT`."""
    names = [n for n in RAW_MUTATIONS if not (consistent and n in INCONSISTENT)]
    applied: list[str] = []
    for _ in range(ch.int(1, max_ops)):
        name = ch.pick(names)
        if RAW_MUTATIONS[name](ch, rt):
            applied.append(name)
    return applied
