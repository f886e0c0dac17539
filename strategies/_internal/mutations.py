"""Named structural and byte-level mutations of a valid trace.

Theory of operation
-------------------
:data:`MUTATIONS` maps a name to an operator ``op(ch, trace) -> bool`` that edits a
:class:`~strategies._internal.builder.Trace` in place and says whether it found something to
change (a trace without CPU samples cannot have one corrupted).  Operators are chosen per
example through swarm :class:`FeatureFlags` (which shrink open), so each example uses its own
subset of the registry, and applied in sequence; the names applied are recorded in
``trace.mutations``.

Structural operators edit the batches and events, so the result still has exact batch sizes
(unless the operator's point is a wrong size) and a text form when the version can express
it.  The byte-level operators (``byte_*`` and ``truncate_bytes``) work on the encoded binary
and freeze it in ``trace.raw_bytes``; they always run after the structural ones.

The *reading-path* operators (:data:`READING_PATH_MUTATIONS`, in their own block below) aim
at the error paths of Go's ``ReadEvent`` that need a specific situation: most inject a small
scenario on fresh resources.  They run last among the structural operators, and
:data:`READING_PATH_TARGETS` lists the Go outcomes each exists to provoke.

This module is the one mutation registry.  Beside :data:`MUTATIONS` it serves the raw-level
operators of :mod:`strategies._internal.rawmutations` (:data:`RAW_MUTATIONS`, names
``raw_*``), which edit the raw-trace model (:mod:`oracle.parser.rawtrace`) and so work on any
trace that decodes, not only on generated ones: the atheris engine's mutator draws them
(:func:`mutate_raw`).  :func:`mutate` applies them to a generated trace too when they are
named, between the structural and the byte-level ones, freezing the result in
``trace.raw_bytes``; its default pool is :data:`MUTATIONS`.

Most mutated traces carry :meth:`Expectation.unknown`: whether a change breaks the trace
depends on what else is in it, and the differential oracle (Go vs. the reference parser)
decides.  A few operators pin the outcome down when they are the only mutation, and set a
failure expectation with Go's error text as a pattern (see :data:`EXPECTED_FAILURES`).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Final

from oracle.parser.rawtrace import decode, encode
from oracle.parser.tracev2 import (
    ALLOC_FREE,
    MAX_BATCH_SIZE,
    MAX_EVENT_TRAILER_DATA_SIZE,
    MAX_FRAMES_PER_STACK,
    SPECS,
    EventType,
    GoStatus,
    ProcStatus,
)
from oracle.parser.tracev2.spec import arg_type
from oracle.parser.uvarint import VarintError, put_uvarint
from oracle.parser.version import Version

from strategies._internal.builder import (
    END_OF_GENERATION,
    NO_THREAD,
    Batch,
    EndOfGeneration,
    Ev,
    Expectation,
    Trace,
    encode_batch_body,
)
from strategies._internal.choices import Chooser
from strategies._internal.featureflags import FeatureFlags
from strategies._internal.bytemutations import BYTE_OPERATORS, ByteOperator
from strategies._internal.rawmutations import RAW_MUTATIONS, RawMutation, mutate_raw

__all__ = [
    "BYTE_MUTATIONS",
    "EXPECTED_FAILURES",
    "HEAP_MUTATIONS",
    "HEAP_MUTATION_RULES",
    "MUTATIONS",
    "RAW_MUTATIONS",
    "Mutation",
    "RawMutation",
    "mutate",
    "mutate_raw",
]

E = EventType
Mutation = Callable[[Chooser, Trace], bool]

_U64: Final = (1 << 64) - 1
_GO_WAITING: Final = int(GoStatus.Waiting)
#: Values that sit on interesting boundaries of uint64 arguments.
_INTERESTING: Final = (0, 1, 2, 3, 4, 5, 127, 128, 255, 256, 257, 1 << 31, 1 << 32, (1 << 63) - 1,
                       1 << 63, _U64 - 1, _U64)


# --- helpers -------------------------------------------------------------------------------


def _event_batches(tr: Trace, role: str | None = None) -> list[Batch]:
    return [b for b in tr.batches() if b.exp is None and (role is None or b.role == role)]


def _events(tr: Trace, pred: Callable[[Ev], bool] | None = None,
            roles: tuple[str, ...] = ("events", "status")) -> list[tuple[Batch, int]]:
    out = []
    for b in tr.batches():
        if b.exp is None and b.role in roles:
            for i, e in enumerate(b.events):
                if pred is None or pred(e):
                    out.append((b, i))
    return out


def _pick(ch: Chooser, xs: list[tuple[Batch, int]]) -> tuple[Batch, int] | None:
    return xs[ch.int(0, len(xs) - 1)] if xs else None


def _args_of_type(e: Ev, *types: str) -> list[int]:
    """Indices into ``e.args`` whose spec argument has one of ``types``."""
    if e.typ >= len(SPECS):
        return []
    names = SPECS[e.typ].args
    return [i for i, n in enumerate(names) if i < len(e.args) and arg_type(n) in types and n != "dt"]


def _ids_in(tr: Trace, *types: str) -> list[int]:
    vals: set[int] = set()
    for b, i in _events(tr):
        e = b.events[i]
        for j in _args_of_type(e, *types):
            vals.add(e.args[j])
    return sorted(vals)


def _other_value(ch: Chooser, old: int, pool: list[int]) -> int:
    k = ch.int(0, 3)
    if k == 0 and pool:
        return pool[ch.int(0, len(pool) - 1)]
    if k == 1:
        return (old + ch.pick((1, -1, 2))) & _U64
    return ch.pick(_INTERESTING)


def _mutate_arg(ch: Chooser, tr: Trace, types: tuple[str, ...], pool_types: tuple[str, ...] | None = None,
                roles: tuple[str, ...] = ("events", "status")) -> bool:
    cands = _events(tr, lambda e: bool(_args_of_type(e, *types)), roles)
    hit = _pick(ch, cands)
    if hit is None:
        return False
    b, i = hit
    e = b.events[i]
    idx = _args_of_type(e, *types)
    j = idx[ch.int(0, len(idx) - 1)]
    pool = _ids_in(tr, *(pool_types or types))
    new = _other_value(ch, e.args[j], pool)
    if new == e.args[j]:
        new = (new + 1) & _U64
    e.args[j] = new
    return True


def _insert_item(ch: Chooser, tr: Trace, item: Batch | EndOfGeneration) -> None:
    tr.items.insert(ch.int(0, len(tr.items)), item)


def _gen_items(tr: Trace) -> list[int]:
    return sorted({b.gen for b in tr.batches()})


# --- event-level operators ---------------------------------------------------------------


def drop_event(ch: Chooser, tr: Trace) -> bool:
    """Remove one event from an event batch."""
    hit = _pick(ch, _events(tr))
    if hit is None:
        return False
    b, i = hit
    del b.events[i]
    return True


def drop_status(ch: Chooser, tr: Trace) -> bool:
    """Remove one ``ProcStatus``/``GoStatus``/``GoStatusStack`` event."""
    kinds = {int(E.ProcStatus), int(E.GoStatus), int(E.GoStatusStack)}
    hit = _pick(ch, _events(tr, lambda e: e.typ in kinds))
    if hit is None:
        return False
    b, i = hit
    del b.events[i]
    return True


def duplicate_event(ch: Chooser, tr: Trace) -> bool:
    """Repeat one event right after itself."""
    hit = _pick(ch, _events(tr))
    if hit is None:
        return False
    b, i = hit
    b.events.insert(i + 1, b.events[i].copy())
    return True


def swap_events(ch: Chooser, tr: Trace) -> bool:
    """Swap two neighbouring events of a batch."""
    hit = _pick(ch, [(b, i) for b, i in _events(tr) if i + 1 < len(b.events)])
    if hit is None:
        return False
    b, i = hit
    b.events[i], b.events[i + 1] = b.events[i + 1], b.events[i]
    return True


def move_event(ch: Chooser, tr: Trace) -> bool:
    """Move one event to another batch (any batch, structural ones included)."""
    hit = _pick(ch, _events(tr))
    targets = _event_batches(tr)
    if hit is None or len(targets) < 2:
        return False
    b, i = hit
    e = b.events.pop(i)
    t = targets[ch.int(0, len(targets) - 1)]
    t.events.insert(ch.int(0, len(t.events)), e)
    return True


def change_event_type(ch: Chooser, tr: Trace) -> bool:
    """Give an event another timed type with the same number of arguments."""
    hit = _pick(ch, _events(tr))
    if hit is None:
        return False
    b, i = hit
    e = b.events[i]
    same = [t for t, s in enumerate(SPECS) if s.is_timed_event and len(s.args) == len(e.args) and t != e.typ]
    if not same:
        return False
    e.typ = same[ch.int(0, len(same) - 1)]
    return True


def bad_event_type(ch: Chooser, tr: Trace) -> bool:
    """Insert an event whose type byte is invalid, untimed, or structural, into an event batch."""
    bs = _event_batches(tr, "events")
    if not bs:
        return False
    b = bs[ch.int(0, len(bs) - 1)]
    typ = ch.pick((137, 200, 255, 0, 2, 4, 8, 49, 50, 52, 53, 127, int(E.ClockSnapshot)))
    nargs = len(SPECS[typ].args) if typ < len(SPECS) else 0
    b.events.insert(ch.int(0, len(b.events)), Ev(typ, [1] * max(nargs, 1)))
    return True


#: Timed event types the ordering has a handler for (what ``insert_event`` draws from).
_ORDERED_TYPES: Final = tuple(
    t for t, s in enumerate(SPECS) if s.is_timed_event and t != E.ClockSnapshot
)


def _pool(tr: Trace, typ: str) -> list[int]:
    """IDs of one argument type already in the trace (plus a fresh one)."""
    vals = _ids_in(tr, typ)
    return vals + [(max(vals) + 1) if vals else 1]


def insert_event(ch: Chooser, tr: Trace) -> bool:
    """Insert a plausible event of any ordered type at any point of an M's batches.

    Arguments come from the IDs already in the trace (Gs, Ps, Ms, sequence numbers, strings,
    stacks, tasks), so the event usually *almost* fits: this is what reaches the ordering's
    per-state checks (wrong context, wrong status, wrong sequence, unknown resource).
    """
    bs = _event_batches(tr, "events") or _event_batches(tr)
    if not bs:
        return False
    b = bs[ch.int(0, len(bs) - 1)]
    typ = _ORDERED_TYPES[ch.int(0, len(_ORDERED_TYPES) - 1)]
    args = [ch.pick((1, 1, 0))]
    for name in SPECS[typ].args[1:]:
        t = arg_type(name)
        if t in ("g", "p", "m", "task", "string", "stack", "seq"):
            pool = _pool(tr, t)
            if t == "m":
                pool.append(_U64)
            if t == "seq":
                pool += [0, 1, 2]
            args.append(pool[ch.int(0, len(pool) - 1)])
        elif t in ("pstatus", "gstatus"):
            args.append(ch.int(0, 4))
        else:
            args.append(ch.int(0, 9))
    b.events.insert(ch.int(0, len(b.events)), Ev(typ, args))
    return True


def wrong_arg(ch: Chooser, tr: Trace) -> bool:
    """Set any argument of any event (dt included) to a boundary value."""
    hit = _pick(ch, _events(tr))
    if hit is None:
        return False
    b, i = hit
    e = b.events[i]
    if not e.args:
        return False
    j = ch.int(0, len(e.args) - 1)
    e.args[j] = _other_value(ch, e.args[j], [])
    return True


def truncate_args(ch: Chooser, tr: Trace) -> bool:
    """Drop trailing arguments of an event (or add a surplus one)."""
    hit = _pick(ch, _events(tr, lambda e: bool(e.args)))
    if hit is None:
        return False
    b, i = hit
    e = b.events[i]
    if ch.chance(0.5):
        e.args.append(ch.pick(_INTERESTING))
    else:
        del e.args[ch.int(0, len(e.args) - 1):]
    return True


def wrong_seq(ch: Chooser, tr: Trace) -> bool:
    """Change a P, G or GC sequence number."""
    return _mutate_arg(ch, tr, ("seq",))


def wrong_status(ch: Chooser, tr: Trace) -> bool:
    """Change a G or P status argument (including values that only fit after uint8 truncation)."""
    cands = _events(tr, lambda e: bool(_args_of_type(e, "pstatus", "gstatus")))
    hit = _pick(ch, cands)
    if hit is None:
        return False
    b, i = hit
    e = b.events[i]
    j = _args_of_type(e, "pstatus", "gstatus")[0]
    new = ch.pick((0, 1, 2, 3, 4, 5, 255, 256 + e.args[j], 257, 260, _U64))
    if new == e.args[j]:
        new = (new + 1) % 5
    e.args[j] = new
    return True


def wrong_goroutine(ch: Chooser, tr: Trace) -> bool:
    """Change a goroutine ID argument."""
    return _mutate_arg(ch, tr, ("g",))


def wrong_proc(ch: Chooser, tr: Trace) -> bool:
    """Change a P ID argument."""
    return _mutate_arg(ch, tr, ("p",))


def wrong_thread(ch: Chooser, tr: Trace) -> bool:
    """Change an M ID argument (``ProcSteal``'s victim, ``GoStatus``'s thread)."""
    return _mutate_arg(ch, tr, ("m",))


def wrong_task(ch: Chooser, tr: Trace) -> bool:
    """Change a task ID argument (conflicting or unknown tasks, parents)."""
    return _mutate_arg(ch, tr, ("task",))


def wrong_string_ref(ch: Chooser, tr: Trace) -> bool:
    """Make an event refer to another (maybe undefined) string ID."""
    return _mutate_arg(ch, tr, ("string",))


def wrong_stack_ref(ch: Chooser, tr: Trace) -> bool:
    """Make an event refer to another (maybe undefined) stack ID."""
    return _mutate_arg(ch, tr, ("stack",))


def wrong_timestamp(ch: Chooser, tr: Trace) -> bool:
    """Change an event's time delta: zero, huge (wrapping), or a batch's base time."""
    if ch.chance(0.3):
        bs = tr.batches()
        if not bs:
            return False
        b = bs[ch.int(0, len(bs) - 1)]
        b.time = ch.pick((0, 1, b.time + 1000, (1 << 63) - 1, 1 << 63, _U64))
        return True
    hit = _pick(ch, _events(tr, lambda e: e.typ < len(SPECS) and SPECS[e.typ].is_timed_event and bool(e.args)))
    if hit is None:
        return False
    b, i = hit
    b.events[i].args[0] = ch.pick((0, 0, 1 << 40, (1 << 63) - 1, 1 << 63, _U64))
    return True


# --- table operators -----------------------------------------------------------------------


def duplicate_string_id(ch: Chooser, tr: Trace) -> bool:
    """Define a string ID twice (or define the reserved ID 0)."""
    bs = _event_batches(tr, "strings")
    if not bs:
        return False
    b = bs[ch.int(0, len(bs) - 1)]
    ids = [e.args[0] for e in b.events if e.typ == E.String and e.args]
    sid = ch.pick(ids) if ids and ch.chance(0.7) else 0
    b.events.insert(ch.int(1, len(b.events)), Ev(int(E.String), [sid], b"dup"))
    return True


def duplicate_stack_id(ch: Chooser, tr: Trace) -> bool:
    """Define a stack ID twice (or define the reserved ID 0)."""
    bs = _event_batches(tr, "stacks")
    if not bs:
        return False
    b = bs[ch.int(0, len(bs) - 1)]
    stacks = [e for e in b.events if e.typ == E.Stack]
    if not stacks:
        return False
    src = stacks[ch.int(0, len(stacks) - 1)].copy()
    if ch.chance(0.3):
        src.args[0] = 0
    b.events.insert(ch.int(1, len(b.events)), src)
    return True


def oversized_string(ch: Chooser, tr: Trace) -> bool:
    """A string longer than ``MaxEventTrailerDataSize`` (1024 bytes)."""
    bs = _event_batches(tr, "strings")
    if not bs:
        return False
    b = bs[ch.int(0, len(bs) - 1)]
    b.events.append(Ev(int(E.String), [1 << 20], b"y" * (MAX_EVENT_TRAILER_DATA_SIZE + ch.int(1, 64))))
    return True


def oversized_stack(ch: Chooser, tr: Trace) -> bool:
    """A stack with more than ``MaxFramesPerStack`` (128) frames."""
    bs = _event_batches(tr, "stacks") or _event_batches(tr, "strings")
    if not bs:
        return False
    b = bs[ch.int(0, len(bs) - 1)]
    if b.role != "stacks":
        nb = Batch(b.gen, NO_THREAD, b.time, [Ev(int(E.Stacks), [])], role="stacks")
        tr.items.insert(tr.items.index(b), nb)
        b = nb
    n = MAX_FRAMES_PER_STACK + ch.int(1, 4)
    args = [1 << 20, n]
    for k in range(n):
        args += [0x600000 + k, 0, 0, k]
    b.events.append(Ev(int(E.Stack), args))
    return True


def bad_frame(ch: Chooser, tr: Trace) -> bool:
    """Point a stack frame's func/file at an undefined string, or cut a stack short."""
    hit = _pick(ch, _events(tr, lambda e: e.typ == E.Stack and len(e.args) >= 6, ("stacks",)))
    if hit is None:
        return False
    b, i = hit
    e = b.events[i]
    k = ch.int(0, 2)
    if k == 0:
        # Index by the frames actually present: an earlier mutation may have changed nframes.
        frames = (len(e.args) - 2) // 4
        e.args[2 + 4 * ch.int(0, frames - 1) + ch.int(1, 2)] = 1 << 30
    elif k == 1:
        e.args[1] += 1  # claims one frame more than it has: the reader runs into the next event
    else:
        e.args[2] = ch.pick((0, 1, 0xDEAD))  # a PC no other stack gives frame info for
    return True


def bad_section_event(ch: Chooser, tr: Trace) -> bool:
    """Put a foreign event into a strings, stacks, CPU-sample or sync batch."""
    bs = [b for b in _event_batches(tr) if b.role in ("strings", "stacks", "cpu", "sync", "frequency")]
    if not bs:
        return False
    b = bs[ch.int(0, len(bs) - 1)]
    typ = ch.pick((int(E.String), int(E.Stack), int(E.CPUSample), int(E.Frequency), int(E.ProcStop),
                   int(E.ClockSnapshot), 0, 99))
    n = len(SPECS[typ].args) if typ < len(SPECS) else 0
    b.events.insert(ch.int(1, max(1, len(b.events))), Ev(typ, [1] * n, b"s" if typ == E.String else None))
    return True


def cut_section_body(ch: Chooser, tr: Trace) -> bool:
    """Cut a strings, stacks, CPU-sample or sync batch's body inside an event (exact size)."""
    bs = [b for b in _event_batches(tr) if b.role in ("strings", "stacks", "cpu", "sync", "frequency")
          and b.events]
    if not bs:
        return False
    b = bs[ch.int(0, len(bs) - 1)]
    body = encode_batch_body(b.events)
    if len(body) < 2:
        return False
    b.body = body[: ch.int(1, len(body) - 1)]
    return True


def overlong_varint(ch: Chooser, tr: Trace) -> bool:
    """Replace one byte of a batch body with an 11-byte (overflowing) or cut varint."""
    bs = [b for b in _event_batches(tr) if b.events]
    if not bs:
        return False
    b = bs[ch.int(0, len(bs) - 1)]
    body = b.body if b.body is not None else encode_batch_body(b.events)
    if len(body) < 2:
        return False
    i = ch.int(1, len(body) - 1)
    bad = b"\xff" * 10 + b"\x01" if ch.chance(0.5) else b"\xff\xff\x7f\x02"
    b.body = body[:i] + (bad if ch.chance(0.7) else b"\x80") + body[i + 1:]
    return True


def varint_tenth_byte(ch: Chooser, tr: Trace) -> bool:
    """Re-encode one argument as a 10-byte uvarint whose last byte is 2-127.

    ``binary.Uvarint`` accepts a tenth byte of 0 or 1 and reports overflow above: a decoder
    that only checks the continuation bit, or that stops at 64 bits of shift, misses this
    boundary, which random byte edits almost never hit (it needs nine continuation bytes).
    """
    hit = _pick(ch, _events(tr, lambda e: bool(e.args),
                            ("events", "status", "strings", "stacks", "cpu", "sync", "frequency")))
    if hit is None:
        return False
    b, i = hit
    if b.body is not None:
        return False  # already cut or corrupted: argument offsets are unknown
    from strategies._internal.builder import encode_batch_body

    def arg(a: int) -> bytes:
        return encode_batch_body([Ev(0, [a])])[1:]

    e = b.events[i]
    j = ch.int(0, len(e.args) - 1)
    ev = encode_batch_body([e])
    at = 1 + sum(len(arg(a)) for a in e.args[:j])
    ten = bytes(0x80 | ch.int(0, 127) for _ in range(9)) + bytes((ch.int(2, 127),))
    ev = ev[:at] + ten + ev[at + len(arg(e.args[j])):]
    b.body = encode_batch_body(b.events[:i]) + ev + encode_batch_body(b.events[i + 1:])
    return True


def gostart_waiting(ch: Chooser, tr: Trace) -> bool:
    """A ``GoStart`` aimed at a goroutine that is Waiting, with the sequence number that would
    otherwise fit: just before a ``GoUnblock`` of it (same sequence number), or after a
    ``GoStatus`` that declares it Waiting (sequence number 1).

    ``advanceGoStart`` checks the status and the sequence number together; with the number
    right, only the status check stands between the event and acceptance.
    """
    cands = _events(tr, lambda e: e.typ == E.GoUnblock and len(e.args) >= 3)
    cands += _events(tr, lambda e: e.typ == E.GoStatus and len(e.args) >= 4
                     and e.args[3] == _GO_WAITING)
    hit = _pick(ch, cands)
    if hit is None:
        return False
    b, i = hit
    e = b.events[i]
    if e.typ == E.GoUnblock:
        b.events.insert(i, Ev(int(E.GoStart), [ch.pick((0, 1)), e.args[1], e.args[2]]))
    else:
        b.events.insert(ch.int(i + 1, len(b.events)), Ev(int(E.GoStart), [1, e.args[1], 1]))
    return True


def cut_after_tables(ch: Chooser, tr: Trace) -> bool:
    """Go 1.26 format: end the trace inside a generation, after its sync and table batches
    (strings, stacks, CPU samples, experimental data) and before its first event batch.

    The generation's batches are regrouped tables-first, as a runtime may flush them, so the
    cut leaves a generation that has everything but events and no ``EndOfGeneration``.
    """
    if tr.version < Version.Go126:
        return False
    gens = sorted({it.gen for it in tr.items if isinstance(it, Batch)})
    if not gens:
        return False
    g = gens[ch.int(0, len(gens) - 1)]
    mine = [(k, it) for k, it in enumerate(tr.items) if isinstance(it, Batch) and it.gen == g]
    head = [b for _, b in mine if b.role in ("sync", "frequency")]
    tables = [b for _, b in mine if b.role not in ("sync", "frequency", "events", "status")]
    if not tables:
        return False
    tr.items[mine[0][0]:] = head + tables
    return True


def corrupt_cpu_sample(ch: Chooser, tr: Trace) -> bool:
    """Change a CPU sample's time, M, P, G or stack."""
    hit = _pick(ch, _events(tr, lambda e: e.typ == E.CPUSample, ("cpu",)))
    if hit is None:
        return False
    b, i = hit
    e = b.events[i]
    j = ch.int(0, len(e.args) - 1)
    e.args[j] = _other_value(ch, e.args[j], [])
    return True


# --- sync operators ------------------------------------------------------------------------


def _sync_events(tr: Trace, typ: EventType) -> list[tuple[Batch, int]]:
    return _events(tr, lambda e: e.typ == typ, ("sync", "frequency"))


def drop_frequency(ch: Chooser, tr: Trace) -> bool:
    """Remove a generation's ``Frequency``."""
    hit = _pick(ch, _sync_events(tr, E.Frequency))
    if hit is None:
        return False
    b, i = hit
    del b.events[i]
    return True


def duplicate_frequency(ch: Chooser, tr: Trace) -> bool:
    """Repeat a generation's ``Frequency`` (in its batch, or as a second sync batch)."""
    hit = _pick(ch, _sync_events(tr, E.Frequency))
    if hit is None:
        return False
    b, i = hit
    e = b.events[i].copy()
    if ch.chance(0.5):
        e.args[0] = ch.pick((0, 1, 1_000_000_000))
    b.events.insert(i + 1, e)
    return True


def drop_clock_snapshot(ch: Chooser, tr: Trace) -> bool:
    """Remove a generation's ``ClockSnapshot`` (Go 1.25+)."""
    hit = _pick(ch, _sync_events(tr, E.ClockSnapshot))
    if hit is None:
        return False
    b, i = hit
    del b.events[i]
    return True


def duplicate_clock_snapshot(ch: Chooser, tr: Trace) -> bool:
    """Repeat a generation's ``ClockSnapshot``."""
    hit = _pick(ch, _sync_events(tr, E.ClockSnapshot))
    if hit is None:
        return False
    b, i = hit
    b.events.insert(i + 1, b.events[i].copy())
    return True


def wrong_sync_kind(ch: Chooser, tr: Trace) -> bool:
    """Start a sync batch with the other era's marker (``Sync`` vs. lone ``Frequency``)."""
    bs = [b for b in _event_batches(tr) if b.role in ("sync", "frequency")]
    if not bs:
        return False
    b = bs[ch.int(0, len(bs) - 1)]
    if b.events and b.events[0].typ == E.Sync:
        del b.events[0]
    else:
        b.events.insert(0, Ev(int(E.Sync), []))
    return True


# --- batch and generation operators ------------------------------------------------------


def drop_batch(ch: Chooser, tr: Trace) -> bool:
    """Remove one batch."""
    bs = tr.batches()
    if not bs:
        return False
    tr.items.remove(bs[ch.int(0, len(bs) - 1)])
    return True


def duplicate_batch(ch: Chooser, tr: Trace) -> bool:
    """Repeat one batch right after itself."""
    bs = tr.batches()
    if not bs:
        return False
    b = bs[ch.int(0, len(bs) - 1)]
    tr.items.insert(tr.items.index(b) + 1, b.copy())
    return True


def swap_batches(ch: Chooser, tr: Trace) -> bool:
    """Swap two neighbouring items (batches or end-of-generation markers)."""
    if len(tr.items) < 2:
        return False
    i = ch.int(0, len(tr.items) - 2)
    tr.items[i], tr.items[i + 1] = tr.items[i + 1], tr.items[i]
    return True


def move_batch(ch: Chooser, tr: Trace) -> bool:
    """Move one batch anywhere (possibly into another generation)."""
    bs = tr.batches()
    if len(tr.items) < 2 or not bs:
        return False
    b = bs[ch.int(0, len(bs) - 1)]
    tr.items.remove(b)
    tr.items.insert(ch.int(0, len(tr.items)), b)
    return True


def merge_batches(ch: Chooser, tr: Trace) -> bool:
    """Append one event batch's events to another's (other M, maybe other generation)."""
    bs = _event_batches(tr)
    if len(bs) < 2:
        return False
    a = bs[ch.int(0, len(bs) - 1)]
    b = bs[ch.int(0, len(bs) - 1)]
    if a is b:
        return False
    a.events.extend(b.events)
    tr.items.remove(b)
    return True


def wrong_batch_thread(ch: Chooser, tr: Trace) -> bool:
    """Change a batch's M (to another M, to no thread, or from no thread to an M)."""
    bs = tr.batches()
    if not bs:
        return False
    b = bs[ch.int(0, len(bs) - 1)]
    ms = sorted({x.m for x in bs})
    b.m = ch.pick(ms + [NO_THREAD, 0, 12345])
    return True


def wrong_batch_size(ch: Chooser, tr: Trace) -> bool:
    """Make a batch's size field disagree with its body."""
    bs = tr.batches()
    if not bs:
        return False
    b = bs[ch.int(0, len(bs) - 1)]
    real = len(b.data) if b.exp is not None else len(encode_batch_body(b.events))
    b.size = max(0, real + ch.pick((-1, 1, -3, 5, 1000)))
    return True


def oversized_batch(ch: Chooser, tr: Trace) -> bool:
    """A batch whose size exceeds ``MaxBatchSize`` (or a body exactly at it)."""
    bs = tr.batches()
    if not bs:
        return False
    b = bs[ch.int(0, len(bs) - 1)]
    if ch.chance(0.7):
        b.size = MAX_BATCH_SIZE + ch.int(1, 1 << 20)
    else:
        # A real 64 KiB strings batch: exactly at the limit (legal) or one byte over.
        over = ch.int(0, 1)
        strings = Batch(b.gen, NO_THREAD, b.time, [Ev(int(E.Strings), [])], role="strings")
        body = 1
        sid = 1 << 24
        while body < MAX_BATCH_SIZE - 1100:
            strings.events.append(Ev(int(E.String), [sid], b"z" * 1000))
            sid += 1
            body += 1 + 4 + 2 + 1000
        rest = MAX_BATCH_SIZE + over - body - 1 - 4 - 2
        strings.events.append(Ev(int(E.String), [sid], b"z" * rest))
        tr.items.insert(tr.items.index(b), strings)
    return True


def change_generation(ch: Chooser, tr: Trace) -> bool:
    """Change a batch's generation number (0, a neighbour, far away)."""
    bs = tr.batches()
    if not bs:
        return False
    b = bs[ch.int(0, len(bs) - 1)]
    b.gen = ch.pick((0, b.gen + 1, max(b.gen - 1, 0), b.gen + 5, _U64))
    return True


def renumber_generations(ch: Chooser, tr: Trace) -> bool:
    """Renumber whole generations (gaps, repeats, decreasing numbers)."""
    gens = _gen_items(tr)
    if not gens:
        return False
    g = gens[ch.int(0, len(gens) - 1)]
    new = ch.pick((g + 1, g + 3, gens[0], max(g - 1, 1), 1 << 40))
    for b in tr.batches():
        if b.gen == g:
            b.gen = new
    return True


def drop_end_of_generation(ch: Chooser, tr: Trace) -> bool:
    """Remove an ``EndOfGeneration`` marker."""
    idx = [i for i, it in enumerate(tr.items) if isinstance(it, EndOfGeneration)]
    if not idx:
        return False
    del tr.items[idx[ch.int(0, len(idx) - 1)]]
    return True


def insert_end_of_generation(ch: Chooser, tr: Trace) -> bool:
    """Insert an extra ``EndOfGeneration`` anywhere (also into pre-1.26 traces)."""
    _insert_item(ch, tr, END_OF_GENERATION)
    return True


def unknown_experiment(ch: Chooser, tr: Trace) -> bool:
    """An experimental batch with an experiment ID Go does not know (or exp 0)."""
    gens = _gen_items(tr)
    if not gens:
        return False
    exp = ch.pick((2, 3, 127, 128, 255, 0))
    g = gens[ch.int(0, len(gens) - 1)]
    body = b"" if exp == 0 else bytes(ch.int(0, 255) for _ in range(ch.int(0, 8)))
    b = Batch(g, NO_THREAD, 1, exp=exp, data=body, role="exp-unknown")
    if exp == 0:
        b.data = bytes((int(E.Strings), int(E.String), 7, 1, ord("q")))
    pos = [i for i, it in enumerate(tr.items) if isinstance(it, Batch) and it.gen == g]
    tr.items.insert(pos[-1] + 1 if pos else 0, b)
    return True


def corrupt_experimental_batch(ch: Chooser, tr: Trace) -> bool:
    """Change an AllocFree batch's bytes or experiment ID (the parser never decodes them)."""
    bs = [b for b in tr.batches() if b.exp is not None]
    if not bs:
        return False
    b = bs[ch.int(0, len(bs) - 1)]
    if ch.chance(0.3):
        b.exp = ch.pick((0, 2, 255, ALLOC_FREE))
    else:
        b.data = b.data[: ch.int(0, len(b.data))] + bytes(ch.int(0, 255) for _ in range(ch.int(0, 3)))
    return True


# --- semantic AllocFree heap operators ------------------------------------------------------
#
# The model writes a consistent heap (model.py, docs/allocfree.md).  Each operator below breaks
# exactly one heap rule of oracle.heap (named in HEAP_MUTATION_RULES; strategies may not import
# oracle.heap, so the names are strings, checked by tests/strategies/test_heap_model.py).  The
# trace stays one Go's parser accepts: the parser never validates AllocFree content.

_HEAP_ALLOCS: Final = {int(E.SpanAlloc): "Span", int(E.HeapObjectAlloc): "HeapObject",
                       int(E.GoroutineStackAlloc): "GoroutineStack"}
_HEAP_FREES: Final = {int(E.SpanFree): int(E.SpanAlloc), int(E.HeapObjectFree): int(E.HeapObjectAlloc),
                      int(E.GoroutineStackFree): int(E.GoroutineStackAlloc)}
_SNAPSHOT_OF: Final = {int(E.SpanAlloc): int(E.Span), int(E.HeapObjectAlloc): int(E.HeapObject),
                       int(E.GoroutineStackAlloc): int(E.GoroutineStack)}
_PAGE_OBJECTS: Final = 8192 // 8  # object IDs per page (model's pageSize / minHeapAlign)


def _heap_events(tr: Trace, *types: int) -> list[tuple[Batch, int]]:
    """The heap mutations' targets: whole events of ``types`` (an earlier mutation of the same
    case, ``truncate_args``, may have cut one short, and the heap operators read its ID)."""
    return _events(tr, lambda e: e.typ in types and len(e.args) == len(SPECS[e.typ].args),
                   roles=("events",))


def _insert_after(b: Batch, i: int, e: Ev) -> None:
    """Insert ``e`` right after event ``i`` (dt 0: same timestamp, same M, so right after)."""
    e.args[0] = 0
    b.events.insert(i + 1, e)


def _double_alloc(typ: E) -> Mutation:
    def op(ch: Chooser, tr: Trace) -> bool:
        hit = _pick(ch, _heap_events(tr, int(typ), _SNAPSHOT_OF[int(typ)]))
        if hit is None:
            return False
        b, i = hit
        e = b.events[i].copy()
        e.typ = int(typ)
        _insert_after(b, i, e)
        return True

    op.__doc__ = f"Allocate a live {_HEAP_ALLOCS[int(typ)]} ID again right after its allocation."
    return op


def _free_unknown(typ: E) -> Mutation:
    def op(ch: Chooser, tr: Trace) -> bool:
        alloc = _HEAP_FREES[int(typ)]
        hits = _heap_events(tr, alloc, _SNAPSHOT_OF[alloc])
        hit = _pick(ch, hits)
        if hit is None:
            return False
        b, i = hit
        # An ID no event of the trace ever allocates: far past every allocated one.
        top = max(bb.events[j].args[1] for bb, j in hits)
        _insert_after(b, i, Ev(int(typ), [0, top + (1 << 30) + ch.int(0, 7)]))
        return True

    op.__doc__ = f"Free an ID of kind {_HEAP_ALLOCS[_HEAP_FREES[int(typ)]]} that was never allocated."
    return op


def heap_span_freed_with_objects(ch: Chooser, tr: Trace) -> bool:
    """Free the span of a heap object right after the object's allocation."""
    hit = _pick(ch, _heap_events(tr, int(E.HeapObjectAlloc), int(E.HeapObject)))
    if hit is None:
        return False
    b, i = hit
    _insert_after(b, i, Ev(int(E.SpanFree), [0, b.events[i].args[1] // _PAGE_OBJECTS]))
    return True


def heap_object_outside_span(ch: Chooser, tr: Trace) -> bool:
    """Move a heap object far away from every span."""
    hit = _pick(ch, _heap_events(tr, int(E.HeapObjectAlloc), int(E.HeapObject)))
    if hit is None:
        return False
    b, i = hit
    e = b.events[i].copy()
    e.typ = int(E.HeapObjectAlloc)
    e.args[1] = (1 << 40) + ch.int(0, 1 << 20)
    _insert_after(b, i, e)
    return True


def heap_object_off_boundary(ch: Chooser, tr: Trace) -> bool:
    """Allocate an object 8 bytes into a live object's slot (no element is 8 bytes)."""
    hit = _pick(ch, _heap_events(tr, int(E.HeapObjectAlloc), int(E.HeapObject)))
    if hit is None:
        return False
    b, i = hit
    e = b.events[i].copy()
    e.typ = int(E.HeapObjectAlloc)
    e.args[1] += 1
    _insert_after(b, i, e)
    return True


def _type_records(data: bytes) -> list[list[int | bytes]]:
    """The records of an AllocFree types batch body (kind byte 0), as the runtime writes them."""
    from oracle.parser.uvarint import read_uvarint

    out: list[list[int | bytes]] = []
    pos = 1
    while pos < len(data):
        rec: list[int | bytes] = []
        for _ in range(5):
            v, pos = read_uvarint(data, pos)
            rec.append(v)
        n = int(rec[4])
        rec.append(data[pos : pos + n])
        pos += n
        out.append(rec)
    return out


def heap_type_too_large(ch: Chooser, tr: Trace) -> bool:
    """Make every type of one generation's type table 1 GiB big."""
    bs = [b for b in tr.batches() if b.exp == ALLOC_FREE and b.data[:1] == b"\x00" and len(b.data) > 1]
    if not bs or not _heap_events(tr, int(E.HeapObjectAlloc), int(E.HeapObject)):
        return False
    from oracle.parser.uvarint import put_uvarint

    b = bs[ch.int(0, len(bs) - 1)]
    try:
        records = _type_records(b.data)
    except VarintError:
        return False  # an earlier mutation of the case (corrupt_experimental_batch) broke it
    out = bytearray(b"\x00")
    for tid, addr, _, _, n, name in records:
        out += b"".join(put_uvarint(int(x)) for x in (tid, addr, 1 << 30, 0, n)) + bytes(name)
    b.data = bytes(out)
    return True


def heap_unknown_type(ch: Chooser, tr: Trace) -> bool:
    """Give a heap object a type ID that is in no type table."""
    hit = _pick(ch, _heap_events(tr, int(E.HeapObjectAlloc), int(E.HeapObject)))
    if hit is None:
        return False
    b, i = hit
    b.events[i].args[2] = (1 << 40) + ch.int(0, 99)
    return True


def heap_overlapping_spans(ch: Chooser, tr: Trace) -> bool:
    """Allocate a span that starts one page before a live span and covers it."""
    hit = _pick(ch, _heap_events(tr, int(E.SpanAlloc), int(E.Span)))
    if hit is None:
        return False
    b, i = hit
    _, sid, npages, kc = b.events[i].args[:4]
    _insert_after(b, i, Ev(int(E.SpanAlloc), [0, max(sid - 1, 0) if sid else sid, npages + 2, kc]))
    return True


def heap_overlapping_stacks(ch: Chooser, tr: Trace) -> bool:
    """Allocate a stack that starts one unit before a live stack and covers it."""
    hit = _pick(ch, _heap_events(tr, int(E.GoroutineStackAlloc), int(E.GoroutineStack)))
    if hit is None:
        return False
    b, i = hit
    _, sid, order = b.events[i].args[:3]
    _insert_after(b, i, Ev(int(E.GoroutineStackAlloc), [0, sid - 1, order + 1]))
    return True


def heap_bad_stack_order(ch: Chooser, tr: Trace) -> bool:
    """A stack of order 0 (no size) or of a size below fixedStack."""
    hit = _pick(ch, _heap_events(tr, int(E.GoroutineStackAlloc), int(E.GoroutineStack)))
    if hit is None:
        return False
    b, i = hit
    b.events[i].args[2] = ch.pick((0, 1, 11))
    return True


def heap_span_bad_class(ch: Chooser, tr: Trace) -> bool:
    """An in-use span of a size class past the end of the size-class table."""
    hit = _pick(ch, _heap_events(tr, int(E.SpanAlloc), int(E.Span)))
    if hit is None:
        return False
    b, i = hit
    b.events[i].args[3] = (ch.int(68, 127) << 1) << 1
    return True


def heap_late_snapshot(ch: Chooser, tr: Trace) -> bool:
    """A snapshot (Span) event right after an alloc or free event."""
    dyn = (*_HEAP_ALLOCS, *_HEAP_FREES)
    hit = _pick(ch, _heap_events(tr, *dyn))
    if hit is None:
        return False
    b, i = hit
    _insert_after(b, i, Ev(int(E.Span), [0, (1 << 40) + ch.int(0, 99), 1, 1]))
    return True


def heap_drop_info(ch: Chooser, tr: Trace) -> bool:
    """Remove the AllocFree info batch (events keep coming)."""
    info = [i for i, it in enumerate(tr.items) if isinstance(it, Batch) and it.exp == ALLOC_FREE
            and it.data[:1] == b"\x01"]
    if not info or not _heap_events(tr, *_HEAP_ALLOCS, *_SNAPSHOT_OF.values()):
        return False
    del tr.items[info[ch.int(0, len(info) - 1)]]
    return True


def heap_bad_info_batch(ch: Chooser, tr: Trace) -> bool:
    """Cut the info batch short, so it no longer decodes."""
    bs = [b for b in tr.batches() if b.exp == ALLOC_FREE and b.data[:1] == b"\x01"]
    if not bs:
        return False
    b = bs[ch.int(0, len(bs) - 1)]
    b.data = b.data[: ch.int(1, len(b.data) - 1)]
    return True


#: Semantic heap mutations, each named for the oracle.heap rule it breaks.
HEAP_MUTATIONS: Final[dict[str, Mutation]] = {
    "heap_double_span_alloc": _double_alloc(E.SpanAlloc),
    "heap_double_object_alloc": _double_alloc(E.HeapObjectAlloc),
    "heap_double_stack_alloc": _double_alloc(E.GoroutineStackAlloc),
    "heap_free_unknown_span": _free_unknown(E.SpanFree),
    "heap_free_unknown_object": _free_unknown(E.HeapObjectFree),
    "heap_free_unknown_stack": _free_unknown(E.GoroutineStackFree),
    "heap_span_freed_with_objects": heap_span_freed_with_objects,
    "heap_object_outside_span": heap_object_outside_span,
    "heap_object_off_boundary": heap_object_off_boundary,
    "heap_type_too_large": heap_type_too_large,
    "heap_unknown_type": heap_unknown_type,
    "heap_overlapping_spans": heap_overlapping_spans,
    "heap_span_bad_class": heap_span_bad_class,
    "heap_overlapping_stacks": heap_overlapping_stacks,
    "heap_bad_stack_order": heap_bad_stack_order,
    "heap_late_snapshot": heap_late_snapshot,
    "heap_drop_info": heap_drop_info,
    "heap_bad_info_batch": heap_bad_info_batch,
}

#: The oracle.heap rule each heap mutation breaks (the liveness test checks it does).
HEAP_MUTATION_RULES: Final[dict[str, str]] = {
    "heap_double_span_alloc": "Span:alloc-live",
    "heap_double_object_alloc": "HeapObject:alloc-live",
    "heap_double_stack_alloc": "GoroutineStack:alloc-live",
    "heap_free_unknown_span": "Span:free-unknown",
    "heap_free_unknown_object": "HeapObject:free-unknown",
    "heap_free_unknown_stack": "GoroutineStack:free-unknown",
    "heap_span_freed_with_objects": "Span:freed-with-live-objects",
    "heap_object_outside_span": "HeapObject:outside-span",
    "heap_object_off_boundary": "HeapObject:off-boundary",
    "heap_type_too_large": "HeapObject:type-too-large",
    "heap_unknown_type": "HeapObject:unknown-type",
    "heap_overlapping_spans": "Span:overlap",
    "heap_span_bad_class": "Span:bad-class",
    "heap_overlapping_stacks": "GoroutineStack:overlap",
    "heap_bad_stack_order": "GoroutineStack:bad-order",
    "heap_late_snapshot": "AllocFree:late-snapshot",
    "heap_drop_info": "AllocFree:no-info",
    "heap_bad_info_batch": "AllocFree:bad-batch",
}


# --- whole-trace operators ----------------------------------------------------------------


def header_variant(ch: Chooser, tr: Trace) -> bool:
    """Another header: spacing and zero variants Go's Fscanf accepts, other versions, junk."""
    v = int(tr.version)
    tr.header = ch.pick((
        f"go  1.{v} trace\x00\x00\x00".encode(),
        f"go\t1.{v} trace\x00\x00\x00".encode(),
        f"go 1.0{v} trace\x00\x00\x00".encode(),
        f"go 1. {v} trace\x00\x00\x00".encode(),
        f"go1.{v} trace\x00\x00\x00".encode(),
        f"go 1.{v} trace\x00\x00".encode(),
        f"go 1.{v} trace\x00\x00\x01".encode(),
        b"go 1.22 trace\x00\x00\x00", b"go 1.23 trace\x00\x00\x00", b"go 1.25 trace\x00\x00\x00",
        b"go 1.26 trace\x00\x00\x00", b"go 1.24 trace\x00\x00\x00", b"go 1.27 trace\x00\x00\x00",
        b"go 1.21 trace\x00\x00\x00", b"go 1.4294967296 trace\x00\x00\x00", b"",
        b"go 1.-26 trace\x00\x00\x00", b"GO 1.26 trace\x00\x00\x00",
    ))
    return True


def truncate(ch: Chooser, tr: Trace) -> bool:
    """Cut the trace at an item boundary, an event boundary, or inside an event."""
    if not tr.items:
        return False
    k = ch.int(0, 2)
    if k == 0:
        del tr.items[ch.int(0, len(tr.items) - 1):]
        return True
    hit = _pick(ch, _events(tr, None, ("events", "status", "strings", "stacks", "cpu", "sync", "frequency")))
    if hit is None:
        return False
    b, i = hit
    cut = b.events[: i + (k == 2)]
    if k == 2 and cut and cut[-1].args:
        cut[-1] = Ev(cut[-1].typ, cut[-1].args[: ch.int(0, len(cut[-1].args) - 1)])
    b.events = cut
    idx = tr.items.index(b)
    del tr.items[idx + 1:]
    b.size = None
    return True


def append_junk(ch: Chooser, tr: Trace) -> bool:
    """Bytes after the last item: a stray event type, a partial batch header, zeros."""
    tr.tail = ch.pick((b"\x00", b"\x01", b"\x01\x01", b"\x31", b"\x31\x01", b"\x34", b"\x02\x00",
                       b"\x01\x01\xff\xff\xff\xff\xff\xff\xff\xff\xff\x7f"))
    return True


# --- byte-level operators -----------------------------------------------------------------


def _freeze(tr: Trace) -> bytearray:
    if tr.raw_bytes is None:
        tr.raw_bytes = tr.to_binary()
    return bytearray(tr.raw_bytes)


def _on_bytes(op: ByteOperator) -> Mutation:
    """A byte-level operator of :mod:`strategies._internal.bytemutations` as a mutation of a
    generated trace: it edits the binary form, frozen in ``raw_bytes``."""

    def mutation(ch: Chooser, tr: Trace) -> bool:
        data = _freeze(tr)
        if not op(ch, data, 0):
            return False
        tr.raw_bytes = bytes(data)
        return True

    mutation.__name__ = mutation.__qualname__ = op.__name__
    mutation.__doc__ = op.__doc__
    return mutation


# --- reading-path operators (issue 10, point 6) --------------------------------------------
#
# Each operator below aims at one or a few statements of Go's reading path (base.go, batch.go,
# batchcursor.go, generation.go, order.go, reader.go) that the operators above reach only by
# luck, if at all: mostly error returns that need a *specific* situation, not just a broken
# value.  Most of them inject a small *scenario*: a script of events on fresh Ms, Ps, Gs and
# tasks (IDs far above anything the model or the other operators use), so the situation does
# not depend on what the base trace happens to contain.  A scenario runs either as a prefix of
# the first generation (new batches whose timestamps come before every event of the base, so
# Go orders them first and the initial generation still accepts statuses for new resources)
# or as a new generation appended to the trace (for the checks that only apply after the
# first generation).  READING_PATH_TARGETS lists, per operator, the Go error texts it exists
# to provoke; tests/strategies/test_mutations.py checks each of them against Go.

FREQUENCY_V1: Final = 15625000
"""A clock rate for events the operators below write (ticks per second)."""


_FRESH: Final = 900_000
"""First ID of the fresh Ms, Ps, Gs and tasks that scenarios use (far above the model's)."""

#: Symbolic names a scenario script may use for its resources and the no-thread M.
_SYMBOLS: Final = {**{f"M{i}": _FRESH + i for i in range(3)}, **{f"P{i}": _FRESH + i for i in range(3)},
                   **{f"G{i}": _FRESH + i for i in range(3)}, "T0": _FRESH, "NT": NO_THREAD}

Script = list[tuple[str, EventType, dict[str, int | str]]]
"""A scenario: ``(m, event type, {spec argument name: value})`` in the order Go must meet them;
``m`` and string values are symbols (``M0``, ``P1``, ``G0``, ``NT``...), missing arguments 0."""


def _script_batches(script: Script, gen: int) -> list[Batch]:
    """One batch per M of ``script``, with timestamps 2, 3, ... in script order (batch time 1)."""
    batches: dict[str, Batch] = {}
    last: dict[str, int] = {}
    for t, (m, typ, named) in enumerate(script, start=2):
        b = batches.get(m)
        if b is None:
            b = batches[m] = Batch(gen, _SYMBOLS[m], 1, [], role="events")
            last[m] = 1
        args = [t - last[m]]
        for name in SPECS[typ].args[1:]:
            v = named.get(name, 0)
            args.append(_SYMBOLS[v] if isinstance(v, str) else v)
        b.events.append(Ev(int(typ), args))
        last[m] = t
    return list(batches.values())


def _inject_prefix(tr: Trace, script: Script) -> bool:
    """Run ``script`` before everything else in the first generation."""
    bs = tr.batches()
    if not bs:
        return False
    first = bs[0]
    idx = tr.items.index(first)
    tr.items[idx:idx] = _script_batches(script, first.gen)
    return True


def _append_generation(tr: Trace, script: Script) -> bool:
    """Run ``script`` in a new generation after the last one (its sync batches copied)."""
    bs = tr.batches()
    if not bs:
        return False
    last = bs[-1].gen
    sync = [b.copy() for b in bs if b.gen == last and b.role in ("sync", "frequency")]
    if not sync:
        return False
    gen = last + 1
    for b in sync:
        b.gen = gen
    tr.items.extend([*sync, *_script_batches(script, gen)])
    if tr.version >= Version.Go126:
        tr.items.append(END_OF_GENERATION)
    return True


_RUNNING: Final = int(GoStatus.Running)
_SYSCALL_G: Final = int(GoStatus.Syscall)

#: M0 and M1 both run G0 (two GoStatus events bind it to both, which Go accepts in the first
#: generation), each with its own P.
_G_ON_TWO_MS: Final[Script] = [
    ("M0", E.ProcStatus, {"p": "P0", "pstatus": int(ProcStatus.Running)}),
    ("M0", E.GoStatus, {"g": "G0", "m": "M0", "gstatus": _RUNNING}),
    ("M1", E.ProcStatus, {"p": "P1", "pstatus": int(ProcStatus.Running)}),
    ("M1", E.GoStatus, {"g": "G0", "m": "M1", "gstatus": _RUNNING}),
]
#: The same with G0 in a syscall on both Ms; ``M0`` keeps a P only when the victim needs one.
_G_IN_SYSCALL_ON_TWO_MS: Final[Script] = [
    ("M0", E.GoStatus, {"g": "G0", "m": "M0", "gstatus": _SYSCALL_G}),
    ("M1", E.ProcStatus, {"p": "P1", "pstatus": int(ProcStatus.Syscall)}),
    ("M1", E.GoStatus, {"g": "G0", "m": "M1", "gstatus": _SYSCALL_G}),
]
_P0_FOR_M0: Final[Script] = [("M0", E.ProcStatus, {"p": "P0", "pstatus": int(ProcStatus.Syscall)})]

#: (setup, what M1 does to G0, what M0 then does, Go's error) for goroutine_on_two_threads.
_SHARED_G_VARIANTS: Final[tuple[tuple[Script, EventType, EventType, dict[str, int | str], str], ...]] = (
    (_G_ON_TWO_MS, E.GoDestroy, E.GoStop, {}, r"^event GoStop for goroutine \(\d+\) that doesn't exist$"),
    (_G_ON_TWO_MS, E.GoBlock, E.GoBlock, {}, r"^GoBlock event for goroutine that's not Running$"),
    (_G_ON_TWO_MS, E.GoDestroy, E.GoSwitch, {"g": "G1", "g_seq": 1},
     r"^event GoSwitch for goroutine \(\d+\) that doesn't exist$"),
    (_G_ON_TWO_MS, E.GoBlock, E.GoSwitch, {"g": "G1", "g_seq": 1},
     r"^GoSwitch event for goroutine that's not Running$"),
    (_G_ON_TWO_MS, E.GoDestroy, E.GoSyscallBegin, {"p_seq": 1},
     r"^event GoSyscallBegin for goroutine \(\d+\) that doesn't exist$"),
    (_G_ON_TWO_MS, E.GoBlock, E.GoSyscallBegin, {"p_seq": 1},
     r"^GoSyscallBegin event for goroutine that's not Running$"),
    (_G_ON_TWO_MS, E.GoBlock, E.GoCreate, {"new_g": "G1"}, r"^GoCreate event for goroutine that's not Running$"),
    (_G_ON_TWO_MS, E.GoDestroy, E.UserRegionBegin, {},
     r"^encountered EvUserRegionBegin without known state for current goroutine \d+$"),
    (_G_ON_TWO_MS, E.GoDestroy, E.UserRegionEnd, {},
     r"^encountered EvUserRegionEnd without known state for current goroutine \d+$"),
    (_G_ON_TWO_MS, E.GoDestroy, E.GCMarkAssistBegin, {},
     r"^encountered event of type 35 without known state for current goroutine \d+$"),
    (_G_ON_TWO_MS, E.GoDestroy, E.STWEnd, {},
     r"^encountered event of type 27 without known state for current goroutine \d+$"),
    (_P0_FOR_M0 + _G_IN_SYSCALL_ON_TWO_MS, E.GoDestroySyscall, E.GoSyscallEnd, {},
     r"^event GoSyscallEnd for goroutine \(\d+\) that doesn't exist$"),
    (_G_IN_SYSCALL_ON_TWO_MS, E.GoDestroySyscall, E.GoSyscallEndBlocked, {},
     r"^event GoSyscallEndBlocked for goroutine \(\d+\) that doesn't exist$"),
    (_G_IN_SYSCALL_ON_TWO_MS, E.GoDestroySyscall, E.GoDestroySyscall, {},
     r"^event GoDestroySyscall for goroutine \(\d+\) that doesn't exist$"),
    (_G_IN_SYSCALL_ON_TWO_MS, E.GoSyscallEnd, E.GoDestroySyscall, {},
     r"^GoDestroySyscall event for goroutine that's not Syscall$"),
)


def goroutine_on_two_threads(ch: Chooser, tr: Trace) -> bool:
    """Bind one new goroutine to two Ms, let one M end or block it, then use it on the other.

    Reaches the "goroutine that doesn't exist" / "not Running" / "without known state" checks
    of every handler that takes the current goroutine from the M (order.go), which a trace
    can only reach when two Ms claim the same G.
    """
    setup, kill, victim, args, _ = _SHARED_G_VARIANTS[ch.int(0, len(_SHARED_G_VARIANTS) - 1)]
    return _inject_prefix(tr, [*setup, ("M1", kill, {}), ("M0", victim, args)])


#: M0 runs G0 on P0 and enters a syscall (P0 is then in ProcSyscall, sequence number 1).
_P0_IN_SYSCALL: Final[Script] = [
    ("M0", E.ProcStatus, {"p": "P0", "pstatus": int(ProcStatus.Running)}),
    ("M0", E.GoStatus, {"g": "G0", "m": "M0", "gstatus": _RUNNING}),
    ("M0", E.GoSyscallBegin, {"p_seq": 1}),
]

#: (script, Go's error or None for a legal scenario) for the proc operators.
_PROC_VARIANTS: Final[dict[str, tuple[tuple[Script, str | None], ...]]] = {
    "misdirected_proc_steal": (
        ([*_P0_IN_SYSCALL, ("NT", E.ProcSteal, {"p": "P0", "p_seq": 2, "m": "M0"})],
         r"^expected a thread but didn't have one$"),
        ([*_P0_IN_SYSCALL, ("M1", E.ProcSteal, {"p": "P0", "p_seq": 2, "m": "M1"})],
         r"^tried to self-steal proc \d+ \(thread \d+\), but got proc -1 instead$"),
        ([*_P0_IN_SYSCALL, ("M2", E.ProcStatus, {"p": "P1", "pstatus": int(ProcStatus.Idle)}),
          ("M1", E.ProcSteal, {"p": "P0", "p_seq": 2, "m": "M2"})],
         r"^tried to steal proc \d+ from thread \d+, but got proc -1 instead$"),
    ),
    "proc_on_two_threads": (
        # M1 claims M0's P (same status, so Go accepts it) and stops it under M0's syscall.
        ([*_P0_IN_SYSCALL, ("M1", E.ProcStatus, {"p": "P0", "pstatus": int(ProcStatus.Syscall)}),
          ("M1", E.ProcStop, {}), ("M0", E.GoSyscallEnd, {})],
         r"^expected proc \d+ in state Syscall, but got Idle instead$"),
        ([*_P0_IN_SYSCALL, ("M1", E.ProcStatus, {"p": "P0", "pstatus": int(ProcStatus.Syscall)}),
          ("M1", E.ProcStop, {}), ("M0", E.ProcStop, {})],
         r"^ProcStop event for proc that's not Running or Syscall$"),
        # A ProcStatus for the ID that means "no P" makes a state Go then finds for an M
        # that holds no P.
        ([("M0", E.ProcStatus, {"p": NO_THREAD, "pstatus": int(ProcStatus.Running)}),
          ("M0", E.ProcStop, {})],
         r"^expected a proc but didn't have one$"),
    ),
    "abandoned_proc_status": (
        # Legal: another M reports M0's P as abandoned; Go promotes it back to Syscall and
        # finds the M that holds it (as the runtime's generation-boundary steal does).
        ([*_P0_IN_SYSCALL, ("M1", E.ProcStatus, {"p": "P0", "pstatus": int(ProcStatus.SyscallAbandoned)}),
          ("M1", E.ProcSteal, {"p": "P0", "p_seq": 1, "m": "M0"}), ("M0", E.GoSyscallEndBlocked, {})],
         None),
        # No M holds the P: its Syscall status came from the no-thread M.
        ([("NT", E.ProcStatus, {"p": "P0", "pstatus": int(ProcStatus.Syscall)}),
          ("M0", E.ProcStatus, {"p": "P0", "pstatus": int(ProcStatus.SyscallAbandoned)})],
         r"^failed to find sched context for proc \d+ that's about to be stolen$"),
    ),
}


def _proc_operator(name: str) -> Mutation:
    def op(ch: Chooser, tr: Trace) -> bool:
        variants = _PROC_VARIANTS[name]
        return _inject_prefix(tr, variants[ch.int(0, len(variants) - 1)][0])

    op.__name__ = name
    return op


misdirected_proc_steal = _proc_operator("misdirected_proc_steal")
misdirected_proc_steal.__doc__ = """A ProcSteal from the no-thread M, from the thief itself, or
naming an M that does not hold the P (the three context checks of ``advanceProcSteal``)."""
proc_on_two_threads = _proc_operator("proc_on_two_threads")
proc_on_two_threads.__doc__ = """Two Ms claim one P, or an M claims the no-P ID: ProcStop and
GoSyscallEnd then meet a P in the wrong state (``advanceProcStop``, ``advanceGoSyscallEnd``)."""
abandoned_proc_status = _proc_operator("abandoned_proc_status")
abandoned_proc_status.__doc__ = """A ``SyscallAbandoned`` status for a P in a syscall: promoted
and bound to the M that holds it (legal), or with no M holding it (an error)."""

#: A running goroutine on M0 (first generation).
_USER_M0_FIRST: Final[Script] = [
    ("M0", E.ProcStatus, {"p": "P0", "pstatus": int(ProcStatus.Running)}),
    ("M0", E.GoStatus, {"g": "G0", "m": "M0", "gstatus": _RUNNING}),
]

#: (script, Go's error) for event_in_wrong_context: each event meets a context (M, P, G and
#: their states) that one specific check rejects.
_CONTEXT_VARIANTS: Final[tuple[tuple[Script, str], ...]] = (
    ([("NT", E.ProcStatus, {"p": "P0", "pstatus": int(ProcStatus.Idle)}),
      ("NT", E.ProcStart, {"p": "P0", "p_seq": 1})], r"^expected a thread but didn't have one$"),
    ([*_P0_IN_SYSCALL, ("M1", E.ProcSteal, {"p": "P0", "p_seq": 2, "m": "M2"})],
     r"^stole proc from non-existent thread \d+$"),
    ([("M0", E.GoStatus, {"g": "G0", "m": "NT", "gstatus": _SYSCALL_G})],
     r"^found goroutine \d+ in syscall without a thread$"),
    ([("M1", E.GoStatus, {"g": "G1", "m": "M1", "gstatus": _SYSCALL_G}),
      ("M0", E.GoStatus, {"g": "G0", "m": "M1", "gstatus": _SYSCALL_G})],
     r"^inconsistent thread for syscalling goroutine \d+: thread has goroutine \d+$"),
    ([("M0", E.ProcStatus, {"p": "P0", "pstatus": int(ProcStatus.Running)}), ("M0", E.GoSyscallEndBlocked, {})],
     r"^expected a goroutine but didn't have one$"),
    ([("M0", E.ProcStatus, {"p": "P0", "pstatus": int(ProcStatus.Running)}),
      ("M0", E.GoStatus, {"g": "G0", "m": "M0", "gstatus": _RUNNING}), ("M0", E.GoSyscallEndBlocked, {})],
     r"^GoSyscallEndBlocked event for goroutine that's not Running$"),
    ([("M0", E.GoDestroySyscall, {})], r"^expected a goroutine but didn't have one$"),
    ([("M0", E.ProcStatus, {"p": "P0", "pstatus": int(ProcStatus.Running)}),
      ("M0", E.GoStatus, {"g": "G0", "m": "M0", "gstatus": _SYSCALL_G}), ("M0", E.GoDestroySyscall, {})],
     r"^proc \d+ in unexpected state Running during GoDestroySyscall$"),
    ([("NT", E.GCBegin, {"gc_seq": 5}), ("M1", E.GCEnd, {"gc_seq": 6})], r"^expected a proc but didn't have one$"),
    ([("M0", E.GCSweepBegin, {})], r"^expected a proc but didn't have one$"),
    ([("M0", E.GCSweepActive, {"p": "P2"})], r"^encountered GCSweepActive for unknown proc \d+$"),
    ([("M0", E.ProcStatus, {"p": "P0", "pstatus": int(ProcStatus.Running)}),
      ("M0", E.GoStatus, {"g": "G0", "m": "M0", "gstatus": _RUNNING}),
      ("M0", E.STWBegin, {}), ("M0", E.STWBegin, {})],
     r"^discovered event already in-flight for when starting event STWBegin$"),
    ([("M0", E.ProcStatus, {"p": "P0", "pstatus": int(ProcStatus.Running)}),
      ("M0", E.GoStatus, {"g": "G0", "m": "M0", "gstatus": _RUNNING}), ("M0", E.GoSyscallEnd, {})],
     r"^GoSyscallEnd event for goroutine that's not Running$"),
    ([("M0", E.GoStatus, {"g": "G0", "m": "NT", "gstatus": int(GoStatus.Runnable)}),
      ("M1", E.GoCreateSyscall, {"new_g": "G0"})],
     r"^tried to create goroutine \(\d+\) in syscall that already exists$"),
    ([("M0", E.UserTaskEnd, {"task": "T0"})], r"^expected a proc but didn't have one$"),
    ([("M0", E.UserTaskBegin, {"task": "T0"})], r"^expected a proc but didn't have one$"),
    # Active-range events: twice in the first generation, for an unknown G, and after the
    # first generation for a G that has no such range.
    ([("M0", E.ProcStatus, {"p": "P0", "pstatus": int(ProcStatus.Running)}),
      ("NT", E.GCSweepActive, {"p": "P0"}), ("NT", E.GCSweepActive, {"p": "P0"})],
     r"^found named active range already in first gen: "),
    ([("NT", E.GCMarkAssistActive, {"g": "G2"})], r"^uninitialized goroutine \d+ found during GCMarkAssistActive$"),
    ([("M0", E.GoLabel, {})], r"^expected a proc but didn't have one$"),
    ([("M0", E.ProcStatus, {"p": "P0", "pstatus": int(ProcStatus.Running)}),
      ("M0", E.GCSweepBegin, {}), ("M0", E.GCSweepBegin, {})],
     r"^discovered event already in-flight for when starting event GCSweepBegin$"),
    ([*_USER_M0_FIRST, ("M0", E.GoSyscallBegin, {"p_seq": 5})],
     r"^failed to advance GoSyscallBegin: can't make sequence: "),
)


#: After the first generation: an assist reported active for a G that never began one.
_MISSING_ACTIVE_RANGE: Final[Script] = [("M0", E.ProcStatus, {"p": "P0", "pstatus": int(ProcStatus.Running)}),
                                        ("M0", E.GoCreate, {"new_g": "G0"}),
                                        ("NT", E.GCMarkAssistActive, {"g": "G0"})]


def event_in_wrong_context(ch: Chooser, tr: Trace) -> bool:
    """An event on an M whose P, G or their states one specific check of order.go rejects (a
    steal naming an unseen thread, a syscall status without a thread, a sweep without a P,
    a range begun twice or active without a begin...)."""
    k = ch.int(0, len(_CONTEXT_VARIANTS) + 1)
    if k == len(_CONTEXT_VARIANTS):
        return _append_generation(tr, _MISSING_ACTIVE_RANGE)
    if k > len(_CONTEXT_VARIANTS):
        # A timed event that has no place in an event batch (Go 1.25+: older versions reject
        # the type while reading the batch).
        return tr.version >= Version.Go125 and _inject_prefix(tr, [("M0", E.ClockSnapshot, {})])
    return _inject_prefix(tr, _CONTEXT_VARIANTS[k][0])


_USER_M0: Final = _USER_M0_FIRST
#: The same after the first generation, where a new G needs a GoCreate rather than a status.
_USER_M0_LATER: Final[Script] = [
    ("M0", E.ProcStatus, {"p": "P0", "pstatus": int(ProcStatus.Running)}),
    ("M0", E.GoCreate, {"new_g": "G0"}),
    ("M0", E.GoStart, {"g": "G0", "g_seq": 1}),
]

_UNDEFINED_STRING: Final = 1 << 30


def user_annotation_misuse(ch: Chooser, tr: Trace) -> bool:
    """A task ID begun twice, a region ended with another task, or a region end whose name
    string is undefined (``advanceUserTaskBegin``, ``endRegion``, ``advanceUserRegionEnd``)."""
    k = ch.int(0, 3)
    if k == 3:
        tail: Script = [("M0", E.UserRegionBegin, {"name_string": _UNDEFINED_STRING})]
    elif k == 0:
        tail = [("M0", E.UserTaskBegin, {"task": "T0"}), ("M0", E.UserTaskBegin, {"task": "T0"})]
    elif k == 1:
        tail = [("M0", E.UserRegionBegin, {}), ("M0", E.UserRegionEnd, {"task": "T0"})]
    else:
        tail = [("M0", E.UserRegionEnd, {"name_string": _UNDEFINED_STRING})]
    return _inject_prefix(tr, [*_USER_M0, *tail])


_GC_TYPES: Final = frozenset({int(E.GCActive), int(E.GCBegin), int(E.GCEnd)})


def gc_cycle_misuse(ch: Chooser, tr: Trace) -> bool:
    """GC cycle events in an impossible order or context: two GCActive (or two GCBegin) in the
    first generation, GCEnd after GCEnd, GCBegin off a goroutine, and (appended after the base,
    stripped of its GC cycle events) GCActive after GCEnd or off a goroutine in a later
    generation."""
    k = ch.int(0, 7)
    if k == 6:
        return _inject_prefix(tr, [("NT", E.GCEnd, {"gc_seq": 1})])
    if k == 0:
        return _inject_prefix(tr, [("NT", E.GCActive, {"gc_seq": 5}), ("NT", E.GCActive, {"gc_seq": 6})])
    if k == 1:
        return _inject_prefix(tr, [("NT", E.GCBegin, {"gc_seq": 5}), ("NT", E.GCBegin, {"gc_seq": 6})])
    if k == 2:
        return _inject_prefix(tr, [*_USER_M0, ("M0", E.GCBegin, {"gc_seq": 5}), ("M0", E.GCEnd, {"gc_seq": 6}),
                                   ("M0", E.GCEnd, {"gc_seq": 7})])
    if k == 3:
        return _inject_prefix(tr, [*_USER_M0, ("M0", E.GCBegin, {"gc_seq": 5}), ("M0", E.GCEnd, {"gc_seq": 6}),
                                   ("M1", E.GCBegin, {"gc_seq": 7})])
    # The GC state at the end of the base must be "undetermined": drop its GC cycle events
    # (nothing else depends on them, so the base stays valid).
    for b in _event_batches(tr):
        b.events = [e for e in b.events if e.typ not in _GC_TYPES]
    if k == 4:
        return _append_generation(tr, [*_USER_M0_LATER, ("M0", E.GCBegin, {"gc_seq": 5}),
                                       ("M0", E.GCEnd, {"gc_seq": 6}), ("M0", E.GCActive, {"gc_seq": 7})])
    if k == 7:
        return _append_generation(tr, [("NT", E.GCActive, {"gc_seq": 9})])  # no such cycle: stuck
    return _append_generation(tr, [("NT", E.GCBegin, {"gc_seq": 5}), ("M1", E.GCActive, {"gc_seq": 6})])


def late_goroutine_status(ch: Chooser, tr: Trace) -> bool:
    """After the first generation: a status for a goroutine Go has never seen, or a G in a
    syscall claimed by a second M (``advanceGoStatus``)."""
    if ch.chance(0.5):
        return _append_generation(tr, [("M0", E.GoStatus, {"g": "G0", "m": "NT",
                                                           "gstatus": int(GoStatus.Runnable)})])
    return _append_generation(tr, [("M0", E.GoCreateSyscall, {"new_g": "G0"}),
                                   ("M1", E.GoStatus, {"g": "G0", "m": "M1", "gstatus": _SYSCALL_G})])


def batch_time_backwards(ch: Chooser, tr: Trace) -> bool:
    """Legal: an M whose second batch starts earlier than its first one ends, while another M's
    event waits on the first.  When the first batch's event lets the waiting one advance, the
    M's next event is earlier than the rest of the frontier and Go's heap sifts it up
    (``heapUpdate`` in batchcursor.go), which ordered timestamps never need."""
    bs = tr.batches()
    if not bs:
        return False
    gen = bs[0].gen
    idle = int(ProcStatus.Idle)
    waiting = Batch(gen, _SYMBOLS["M0"], 9, [Ev(int(E.ProcStart), [1, _SYMBOLS["P0"], 1])])
    late = Batch(gen, _SYMBOLS["M1"], 19, [Ev(int(E.ProcStatus), [1, _SYMBOLS["P0"], idle])])
    early = Batch(gen, _SYMBOLS["M1"], ch.int(1, 5), [Ev(int(E.ProcStatus), [1, _SYMBOLS["P1"], idle])])
    idx = tr.items.index(bs[0])
    tr.items[idx:idx] = [waiting, late, early]
    return True


#: The table events cut_table_event_field cuts short, as (batch role, batch header event,
#: event type, a complete event's arguments, fields before the cut): every field of a
#: stack's first frame, a CPU sample, a string header (and its data), Frequency and
#: ClockSnapshot.
_TABLE_CUTS: Final[tuple[tuple[str, EventType, EventType, tuple[int, ...], int], ...]] = (
    *(("stacks", E.Stacks, E.Stack, (1 << 20, 1, 0xFEED80, 0, 0, 7), k) for k in range(6)),
    *(("cpu", E.CPUSamples, E.CPUSample, (5000, 0, 0, 1, 0), k) for k in range(5)),
    *(("strings", E.Strings, E.String, (1 << 20, 3), k) for k in range(3)),  # 2: no data
    ("sync", E.Sync, E.Frequency, (FREQUENCY_V1,), 0),
    *(("sync", E.Sync, E.ClockSnapshot, (1, 2, 3, 4), k) for k in range(4)),
)


def cut_table_event_field(ch: Chooser, tr: Trace) -> bool:
    """A new strings, stacks, CPU-sample or sync batch (first in the first generation, exact
    size) whose one event ends right before one of its fields, or inside it: each field's
    read error in generation.go."""
    bs = tr.batches()
    if not bs:
        return False
    if ch.chance(0.1):
        # An event batch whose one event's timestamp delta is cut short (batchcursor.go).
        cut = bytes([int(E.ProcStop), 0x80])
        tr.items.insert(tr.items.index(bs[0]), Batch(bs[0].gen, _FRESH, bs[0].time, [], body=cut))
        return True
    cuts = [c for c in _TABLE_CUTS if c[2] != E.ClockSnapshot or tr.version >= Version.Go125]
    role, header, typ, args, k = cuts[ch.int(0, len(cuts) - 1)]
    body = bytearray()
    if not (role == "sync" and tr.version < Version.Go125):
        body.append(int(header))  # before Go 1.25, a lone Frequency event is the sync batch
    body.append(int(typ))
    body += b"".join(put_uvarint(a) for a in args[:k])
    if ch.chance(0.2):
        body.append(0x80)  # a varint cut short: "unexpected EOF" instead of a bare io.EOF
    b = Batch(bs[0].gen, NO_THREAD, bs[0].time, [], role=role, body=bytes(body))
    tr.items.insert(tr.items.index(bs[0]), b)
    return True


def cut_batch_header(ch: Chooser, tr: Trace) -> bool:
    """End the trace inside a batch header: after its type byte, gen, M or timestamp, or with an
    overlong varint there (batch.go's header read errors); or right before a batch."""
    bs = tr.batches()
    if not bs:
        return False
    b = bs[ch.int(0, len(bs) - 1)]
    del tr.items[tr.items.index(b):]
    k = ch.pick((0, 3, 0, 3, 1, 2, -1, -2))  # gen and size are the reads nothing else cuts
    if k == -2:
        return True  # no header at all: from Go 1.26 on, a generation without its end
    if k < 0:
        tr.tail = bytes([int(E.ExperimentalBatch)])  # cut before the experiment byte
        return True
    head = bytes([int(E.EventBatch)]) + b"".join(put_uvarint(x & _U64) for x in (b.gen, b.m, b.time)[:k])
    tr.tail = head + (b"\xff" * 10 + b"\x01" if ch.chance(0.3) else b"")
    return True


def generation_marker_misuse(ch: Chooser, tr: Trace) -> bool:
    """Misuse of what delimits generations: from Go 1.26 on, a batch of generation 0 (the
    runtime's sentinel); before, an event batch whose body starts with the
    ``EndOfGeneration`` byte, which those versions hand to the batch processor."""
    if tr.version >= Version.Go126:
        bs = tr.batches()
        if not bs:
            return False
        bs[ch.int(0, len(bs) - 1)].gen = 0
        return True
    es = _event_batches(tr, "events")
    if not es:
        return False
    es[ch.int(0, len(es) - 1)].events.insert(0, Ev(int(E.EndOfGeneration), []))
    return True


def sparse_table_ids(ch: Chooser, tr: Trace) -> bool:
    """Table IDs that keep Go's tables sparse: a string or stack ID of 2^63 or more (too large
    to compact), or a far-away stack whose frame names an undefined string (validated while
    walking the sparse table)."""
    k = ch.int(0, 3)
    role = "strings" if k == 0 else "stacks"
    bs = _event_batches(tr, role)
    if bs:
        b = bs[ch.int(0, len(bs) - 1)]
    else:
        first = tr.batches()
        if not first:
            return False
        b = Batch(first[0].gen, NO_THREAD, first[0].time,
                  [Ev(int(E.Strings if k == 0 else E.Stacks), [])], role=role)
        tr.items.insert(tr.items.index(first[0]), b)
    if k == 0:
        b.events.append(Ev(int(E.String), [ch.pick(((1 << 63) + 5, _U64 - 1))], b"sparse"))
    elif k == 1:
        b.events.append(Ev(int(E.Stack), [ch.pick(((1 << 63) + 5, _U64 - 1)), 1, 0xFEED00, 0, 0, 1]))
    else:
        func, file = (_UNDEFINED_STRING, 0) if k == 2 else (0, _UNDEFINED_STRING)
        b.events.append(Ev(int(E.Stack), [1 << 40, 1, 0xFEED40 + k, func, file, 1]))
    return True


def _v1_event(typ: int, *args: int) -> bytes:
    """One event of the pre-Go 1.22 format (up to 3 inline arguments)."""
    return bytes([typ | ((len(args) - 1) << 6)]) + b"".join(put_uvarint(a) for a in args)


def go121_trace(ch: Chooser, tr: Trace) -> bool:
    """Replace the trace with a small valid trace of the old (v1, Go 1.11-1.21) format, which Go
    converts event by event in reader.go; sometimes ending in an event the converter rejects.

    The reference parser reports v1 traces as unsupported, so the differential only checks
    that it says so; the point is Go's v1 branch of ``ReadEvent``.
    """
    ver = ch.pick((21, 19, 11))
    out = bytearray(f"go 1.{ver} trace\x00\x00\x00".encode())
    out += bytes([0x41]) + put_uvarint(0) + put_uvarint(1)  # EvBatch p=0 ticks=1
    out += bytes([0x02]) + put_uvarint(FREQUENCY_V1)  # EvFrequency
    out += _v1_event(4, 1, ch.int(1, 8), 0)  # EvGomaxprocs: the end of the initial state
    for _ in range(ch.int(0, 3)):
        out += _v1_event(5, 1, ch.int(0, 9))  # EvProcStart [ts, thread]
        out += _v1_event(6, 1)  # EvProcStop [ts]
    if ch.chance(0.3):
        out += _v1_event(36, 1)  # EvFutileWakeup: "unexpected event type 36" in the converter
    tr.raw_bytes = bytes(out)
    return True

#: The reading-path operators, by name (merged into STRUCTURAL_MUTATIONS).
READING_PATH_MUTATIONS: Final[dict[str, Mutation]] = {
    "goroutine_on_two_threads": goroutine_on_two_threads,
    "misdirected_proc_steal": misdirected_proc_steal,
    "proc_on_two_threads": proc_on_two_threads,
    "abandoned_proc_status": abandoned_proc_status,
    "user_annotation_misuse": user_annotation_misuse,
    "gc_cycle_misuse": gc_cycle_misuse,
    "late_goroutine_status": late_goroutine_status,
    "cut_table_event_field": cut_table_event_field,
    "cut_batch_header": cut_batch_header,
    "generation_marker_misuse": generation_marker_misuse,
    "event_in_wrong_context": event_in_wrong_context,
    "sparse_table_ids": sparse_table_ids,
    "go121_trace": go121_trace,
    "batch_time_backwards": batch_time_backwards,
}

#: Their weights: about one per target statement group, so that 1,000 mutated examples try
#: every variant several times (see docs/benchmarks.md, "Reading-path coverage").
READING_PATH_WEIGHTS: Final[dict[str, int]] = {
    "goroutine_on_two_threads": 7, "misdirected_proc_steal": 2, "proc_on_two_threads": 2,
    "abandoned_proc_status": 2, "user_annotation_misuse": 2, "gc_cycle_misuse": 3,
    "late_goroutine_status": 2, "cut_table_event_field": 4, "cut_batch_header": 2,
    "generation_marker_misuse": 2, "event_in_wrong_context": 8,
}

ACCEPTED: Final = "<accepted>"
"""In :data:`READING_PATH_TARGETS`: a variant that Go accepts."""

_EOF: Final = r"(?:unexpected )?EOF"

#: Per reading-path operator, the outcomes it exists to provoke in Go when applied alone to a
#: valid trace: Go error patterns, or :data:`ACCEPTED`.  Each must occur (liveness test).
READING_PATH_TARGETS: Final[dict[str, tuple[str, ...]]] = {
    "goroutine_on_two_threads": tuple(v[4] for v in _SHARED_G_VARIANTS),
    **{name: tuple(ACCEPTED if err is None else err for _, err in variants)
       for name, variants in _PROC_VARIANTS.items()},
    "user_annotation_misuse": (
        r"^task ID conflict: \d+$",
        r"^misuse of region in goroutine \d+: region end \{\d+ \} when the inner-most active "
        r"region start event is \{0 \}$",
        r"^invalid string ID 1073741824 for 43 event$",
        r"^invalid string ID 1073741824 for 42 event$",
    ),
    "gc_cycle_misuse": (
        r"^GCActive in the first generation isn't first GC event$",
        r"^encountered GCBegin while GC was already in progress$",
        r"^encountered GCEnd when GC was not in progress$",
        r"^encountered GCActive while GC was not in progress$",
        r"^expected a proc but didn't have one$",
        r"^encountered GCEnd when GC was in an undetermined state$",
        r"^broken trace: failed to advance",
    ),
    "late_goroutine_status": (
        r"^found goroutine status for new goroutine after the first generation: id=\d+ status=Runnable$",
        r"^inconsistent thread for syscalling goroutine \d+: thread has goroutine -1$",
    ),
    "cut_table_event_field": (
        # A cut right before a uvarint makes Go's table reader return a bare io.EOF, which
        # ReadEvent's callers take for the end of the trace: Go "accepts" the trace's prefix.
        ACCEPTED,
        r"^unexpected EOF$",
        r"^found invalid uvarint for timestamp$",
        r"^failed to read full string: read 0 but wanted 3$",
        rf"^reading frame 1's fileID for stack \d+: {_EOF}$",
        rf"^reading frame 1's line for stack \d+: {_EOF}$",
    ),
    "cut_batch_header": (
        rf"^error reading batch gen: (?:{_EOF}|binary: varint overflows a 64-bit integer)$",
        rf"^error reading batch size: (?:{_EOF}|binary: varint overflows a 64-bit integer)$",
        r"^incomplete generation found; trace likely truncated$",
    ),
    "generation_marker_misuse": (
        r"^invalid generation number 0$",
        r"^internal error: unexpectedly processing EndOfGeneration; broken trace\?$",
    ),
    "event_in_wrong_context": (*dict.fromkeys(err for _, err in _CONTEXT_VARIANTS),
                               r"^resource is missing active range: GCMarkAssistBegin \[\]$",
                               r"^bad event type found while ordering: 51$"),
    "sparse_table_ids": (ACCEPTED, r"^found invalid func string ID 1073741824 for stack 1099511627776$",
                         r"^found invalid file string ID 1073741824 for stack 1099511627776$"),
    "go121_trace": (ACCEPTED, r"^unexpected event type 36$"),
    "batch_time_backwards": (ACCEPTED,),
}

# --- end of reading-path operators ---------------------------------------------------------


#: Structural mutations, by name.  Order matters for shrinking only: earlier names are the
#: shrink targets of a mutation choice.
STRUCTURAL_MUTATIONS: Final[dict[str, Mutation]] = {
    "drop_event": drop_event,
    "drop_status": drop_status,
    "duplicate_event": duplicate_event,
    "swap_events": swap_events,
    "move_event": move_event,
    "change_event_type": change_event_type,
    "bad_event_type": bad_event_type,
    "insert_event": insert_event,
    "gostart_waiting": gostart_waiting,
    "wrong_arg": wrong_arg,
    "truncate_args": truncate_args,
    "wrong_seq": wrong_seq,
    "wrong_status": wrong_status,
    "wrong_goroutine": wrong_goroutine,
    "wrong_proc": wrong_proc,
    "wrong_thread": wrong_thread,
    "wrong_task": wrong_task,
    "wrong_string_ref": wrong_string_ref,
    "wrong_stack_ref": wrong_stack_ref,
    "wrong_timestamp": wrong_timestamp,
    "duplicate_string_id": duplicate_string_id,
    "duplicate_stack_id": duplicate_stack_id,
    "oversized_string": oversized_string,
    "oversized_stack": oversized_stack,
    "bad_frame": bad_frame,
    "bad_section_event": bad_section_event,
    "cut_section_body": cut_section_body,
    "overlong_varint": overlong_varint,
    "varint_tenth_byte": varint_tenth_byte,
    "corrupt_cpu_sample": corrupt_cpu_sample,
    "drop_frequency": drop_frequency,
    "duplicate_frequency": duplicate_frequency,
    "drop_clock_snapshot": drop_clock_snapshot,
    "duplicate_clock_snapshot": duplicate_clock_snapshot,
    "wrong_sync_kind": wrong_sync_kind,
    "drop_batch": drop_batch,
    "duplicate_batch": duplicate_batch,
    "swap_batches": swap_batches,
    "move_batch": move_batch,
    "merge_batches": merge_batches,
    "wrong_batch_thread": wrong_batch_thread,
    "wrong_batch_size": wrong_batch_size,
    "oversized_batch": oversized_batch,
    "change_generation": change_generation,
    "renumber_generations": renumber_generations,
    "drop_end_of_generation": drop_end_of_generation,
    "insert_end_of_generation": insert_end_of_generation,
    "unknown_experiment": unknown_experiment,
    "corrupt_experimental_batch": corrupt_experimental_batch,
    "header_variant": header_variant,
    "truncate": truncate,
    "cut_after_tables": cut_after_tables,
    "append_junk": append_junk,
    **HEAP_MUTATIONS,
    **READING_PATH_MUTATIONS,
}

#: Byte-level mutations, applied after every structural one.
BYTE_MUTATIONS: Final[dict[str, Mutation]] = {
    name: _on_bytes(BYTE_OPERATORS[name])
    for name in ("byte_flip", "byte_insert", "byte_delete", "truncate_bytes")
}

#: Every mutation of a generated trace, by name (the default pool of :func:`mutate`).
MUTATIONS: Final[dict[str, Mutation]] = {**STRUCTURAL_MUTATIONS, **BYTE_MUTATIONS}


def _apply_raw(op: RawMutation, ch: Chooser, tr: Trace) -> bool:
    """Apply a raw-level operator to ``tr`` through the raw-trace model, freezing the result
    in ``raw_bytes`` (the generator's view no longer describes it)."""
    rt = tr.to_raw() if tr.raw_bytes is None else decode(tr.raw_bytes)
    if rt is None or not op(ch, rt):
        return False
    tr.raw_bytes = encode(rt, pad_sizes=tr.pad_sizes, pad_args=tr.pad_args)
    return True


def _apply(name: str, ch: Chooser, tr: Trace) -> bool:
    """Apply the named operator of either registry to ``tr``."""
    raw = RAW_MUTATIONS.get(name)
    return _apply_raw(raw, ch, tr) if raw is not None else MUTATIONS[name](ch, tr)


def _stage(name: str) -> int:
    """When a named operator runs: structural, then raw-level, then byte-level.  The
    reading-path operators come last among the structural ones, so that the others do not
    edit their scenarios."""
    return 3 if name in BYTE_MUTATIONS else 2 if name in RAW_MUTATIONS else 1 if name in READING_PATH_MUTATIONS else 0

#: Relative weights of the operators that reach the ordering's per-state checks best (the
#: rest weigh 1): most mutations break a trace before its events are ordered at all.
WEIGHTS: Final[dict[str, int]] = {
    "insert_event": 8, "drop_event": 2, "drop_status": 2, "move_event": 2, "swap_events": 2,
    "wrong_seq": 2, "wrong_status": 2, "wrong_goroutine": 2, "wrong_proc": 2, "wrong_thread": 2,
    "change_event_type": 2,
    **READING_PATH_WEIGHTS,
}

#: Mutations whose outcome is certain when applied alone to a valid trace: (reason, pattern).
EXPECTED_FAILURES: Final[dict[str, tuple[str, str]]] = {
    "oversized_string": ("a string over 1024 bytes", r"^invalid string size \d+, maximum is 1024$"),
    "oversized_stack": ("a stack over 128 frames", r"^invalid stack size \d+, maximum is 128$"),
    "drop_frequency": ("a generation without Frequency", r"^no frequency event found$"),
    "duplicate_frequency": ("two Frequency events in a generation", r"^found multiple frequency events$"),
    "drop_clock_snapshot": ("a generation without ClockSnapshot", r"^no clock snapshot event found$"),
    "duplicate_clock_snapshot": ("two ClockSnapshots in a generation",
                                 r"^found multiple clock snapshot events$"),
}


#: Every operator's name, the default pool of :func:`mutate`.
_ALL_NAMES: Final = tuple(MUTATIONS)


@functools.lru_cache(maxsize=64)
def _weighted(names: tuple[str, ...]) -> tuple[str, ...]:
    """``names``, each repeated by its weight (:data:`WEIGHTS`)."""
    return tuple(name for name in names for _ in range(WEIGHTS.get(name, 1)))


#: Misses in a row after which :func:`_swarm_choices` decides every flag at once.
_MAX_MISSES: Final = 64


def _swarm_choices(ch: Chooser, flags: FeatureFlags, pool: tuple[str, ...], n: int) -> list[str]:
    """``n`` names drawn by weight from the names of ``pool`` that ``flags`` enables (from the
    whole pool when it enables none), asking ``flags`` only about names that were drawn.

    Rejection sampling: a name drawn by weight from the whole pool and kept only if enabled is
    a draw by weight from the enabled names, so the choice has the distribution of drawing
    from the enabled list, without deciding all ~150 flags of every mutant first (that was
    most of a mutant's cost).  After :data:`_MAX_MISSES` misses in a row, every flag is
    decided and the rest drawn from the enabled list, which covers a pool none of is on."""
    weighted = _weighted(pool)
    chosen: list[str] = []
    misses = 0
    while len(chosen) < n:
        name = weighted[ch.int(0, len(weighted) - 1)]
        if flags.is_enabled(name):
            chosen.append(name)
            misses = 0
            continue
        misses += 1
        if misses > _MAX_MISSES:
            enabled = _weighted(tuple(x for x in pool if flags.is_enabled(x)) or pool)
            chosen += [enabled[ch.int(0, len(enabled) - 1)] for _ in range(n - len(chosen))]
    return chosen


def mutate(ch: Chooser, tr: Trace, names: tuple[str, ...] | None = None, max_mutations: int = 3) -> Trace:
    """A mutated copy of ``tr``: between 1 and ``max_mutations`` operators from ``names``
    (default: :data:`MUTATIONS`; raw-level names are accepted too), chosen through swarm
    flags; records them in ``mutations``."""
    pool = tuple(names) if names is not None else _ALL_NAMES
    flags = FeatureFlags(ch)
    out = tr.copy()
    chosen = _swarm_choices(ch, flags, pool, ch.int(1, max_mutations))
    # Structural edits first: raw-level and byte-level ones freeze the binary.
    chosen.sort(key=_stage)
    applied: list[str] = []
    for name in chosen:
        if _apply(name, ch, out):
            applied.append(name)
    if not applied:
        fallback = "byte_flip" if "byte_flip" in pool or names is None else pool[0]
        if _apply(fallback, ch, out):
            applied.append(fallback)
    out.mutations = tuple(applied)
    if (len(applied) == 1 and applied[0] in EXPECTED_FAILURES
            and (applied[0] != "duplicate_frequency" or tr.version >= Version.Go125)):
        reason, pattern = EXPECTED_FAILURES[applied[0]]
        out.expectation = Expectation.failure(reason, pattern)
    else:
        out.expectation = Expectation.unknown("mutated: " + ", ".join(applied))
    return out

