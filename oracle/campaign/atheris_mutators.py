"""The atheris engine's structure-aware mutator (libFuzzer's ``LLVMFuzzerCustomMutator``).

Three times in four (:data:`BYTE_SHARE`) it defers to libFuzzer's own byte mutations
(``atheris.Mutate``), which cost next to nothing.  Otherwise it works on the *raw* layer: the
input is decoded with :class:`oracle.parser.raw.RawReader` into events, grouped into batches
by the ``EventBatch`` headers' ``size`` (what Go's ``readBatch`` does), edited by one to three
named operators (:data:`RAW_MUTATIONS`: drop, duplicate, swap or move events and batches,
change arguments, generation numbers, event types and string data, insert events, truncate at
a boundary), and re-encoded with every batch size recomputed, so the edit reaches the parser's
later stages instead of dying in the batch reader.  (One operator, ``raw_stale_size``, leaves
a size off by a little on purpose.)  An input the raw reader cannot decode at all goes to the
byte mutations.  For the generated seeds, whose strategies model (:class:`strategies.Trace`)
each worker rebuilds deterministically, the mutator may instead apply the strategies' own
named mutations (:func:`strategies.mutate`).  The names of the operators that produced an
input are passed to the checker as the finding's ``mutations``.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from oracle.parser.errors import TraceError
from oracle.parser.raw import RawEvent, RawReader
from oracle.parser.tracev2 import EventSpec, EventType
from oracle.parser.uvarint import put_uvarint
from oracle.parser.version import V2_VERSIONS, Version, write_header

if TYPE_CHECKING:
    from strategies import Trace

__all__ = [
    "BYTE_SHARE",
    "GENERATED_MAX_EVENTS",
    "HEADER_LEN",
    "LIBFUZZER",
    "RAW_MUTATIONS",
    "RawBatch",
    "RawTrace",
    "StructureAwareMutator",
    "decode",
    "encode",
    "generated_seeds",
    "mutate_raw",
]


#: ``max_events`` of the generated seeds: small traces keep exec/s up (a valid trace of 40
#: model events already makes some 200 parsed events; a parse costs about linearly in them).
GENERATED_MAX_EVENTS: Final = 20


#: Share of mutator calls that go to libFuzzer's byte mutations (the rest is structure-aware,
#: which costs a decode and an encode; see ``docs/benchmarks.md``, "atheris throughput").
BYTE_SHARE: Final = 0.75


#: How many decoded inputs the mutator remembers.
DECODE_CACHE: Final = 4096


@dataclass(slots=True)
class RawBatch:
    """One ``EventBatch`` (``header``) with the raw events its ``size`` covers.

    ``header`` is None for a top-level event outside any batch (an ``ExperimentalBatch``,
    whose payload is its data trailer, or an event where a batch header should be).
    ``size_delta`` is added to the recomputed size when encoding (0: a consistent batch).
    """

    header: RawEvent | None
    events: list[RawEvent]
    size_delta: int = 0

    def copy(self) -> RawBatch:
        """A copy whose event list can be edited independently."""
        return RawBatch(self.header, list(self.events), self.size_delta)


@dataclass(slots=True)
class RawTrace:
    """A binary trace as the raw layer sees it: version, batches, undecodable rest."""

    version: Version
    batches: list[RawBatch]
    tail: bytes = b""

    def num_events(self) -> int:
        """Events in all batches, headers included."""
        return sum(len(b.events) + (b.header is not None) for b in self.batches)


#: The newest version: its event table is the whole table, of which every older version's is
#: a prefix.  The mutator decodes and encodes events with it, because the raw reader's
#: per-version tables of Go 1.23 to 1.25 stop before the experimental events (types 128 and
#: up, e.g. the AllocFree ones) that those traces carry inside their batches.
#: Each well-formed v2 header and its version.
_V2_HEADERS: Final[Mapping[bytes, Version]] = {write_header(v): v for v in V2_VERSIONS}

_FULL: Final = max(V2_VERSIONS)


_FULL_HEADER: Final = write_header(_FULL)


#: The length of a well-formed header (``go 1.NN trace\x00\x00\x00``).
HEADER_LEN: Final = 16


def decode(data: bytes) -> RawTrace | None:
    """Group the raw events of ``data`` into batches; None when the header does not read or
    names a v1 trace.

    Events are decoded with the full event table (see :data:`_FULL`), one at a time so that
    their offsets are known, and go to the preceding ``EventBatch`` while they start within
    its ``size`` bytes, measured on the input: writers pad varints (Go's runtime pads batch
    sizes, the strategies pad many arguments), so re-encoded sizes would not do.  Whatever
    the raw reader could not decode (from the first bad or truncated event on) becomes
    ``tail``.
    """
    shift = 0
    known = _V2_HEADERS.get(data[:HEADER_LEN])
    if known is not None:  # the usual header: read it once, with the full table
        version = known
        reader = RawReader(data if known is _FULL else _FULL_HEADER + data[HEADER_LEN:])
    else:
        try:
            reader = RawReader(data)
        except TraceError:
            return None
        version = reader.version
        if not version.is_v2:
            return None
        if version is not _FULL:
            shift = len(_FULL_HEADER) - reader.pos
            reader = RawReader(_FULL_HEADER + data[reader.pos:])
    rt = RawTrace(version, [])
    current: RawBatch | None = None
    end = 0  # offset where the current batch's content ends
    while True:
        start = reader.pos
        try:
            ev = reader.read_event()
        except (EOFError, TraceError):
            rt.tail = data[start - shift:]
            return rt
        if current is not None and start < end:
            current.events.append(ev)
        elif ev.ev == EventType.EventBatch and len(ev.args) == 4:
            current = RawBatch(ev, [])
            end = reader.pos + ev.args[3]
            rt.batches.append(current)
        else:
            current = None
            rt.batches.append(RawBatch(None, [ev]))


#: Encodings of the uvarints below 128: most arguments (event types, small IDs, deltas).
_SMALL_UVARINTS: Final[tuple[bytes, ...]] = tuple(bytes((i,)) for i in range(128))


def _encode_event(specs: tuple[EventSpec, ...], e: RawEvent, out: bytearray) -> None:
    """Append ``e`` in the wire format, as :meth:`RawWriter.write_event` writes it (surplus
    arguments of a non-stack event dropped, a data event without data gets length 0)."""
    spec = specs[e.ev]
    out.append(e.ev)
    for a in e.args if spec.is_stack else e.args[:len(spec.args)]:
        out += _SMALL_UVARINTS[a] if a < 128 else put_uvarint(a)
    if spec.has_data:
        d = e.data or b""
        out += put_uvarint(len(d))
        out += d


def encode(rt: RawTrace) -> bytes:
    """The binary form of ``rt``, with minimal varints and every batch size recomputed
    (plus the batch's ``size_delta``, clamped at 0); ``tail`` is appended verbatim."""
    specs = _FULL.specs()
    out = bytearray(write_header(rt.version))
    content = bytearray()
    for b in rt.batches:
        content.clear()
        for e in b.events:
            _encode_event(specs, e, content)
        if b.header is not None:
            size = max(0, len(content) + b.size_delta)
            _encode_event(specs, b.header._replace(args=(*b.header.args[:3], size)), out)
        out += content
    out += rt.tail
    return bytes(out)


#: Values that break parsers: boundaries of the widths Go narrows IDs and states to.
_BOUNDARY: Final[tuple[int, ...]] = (
    0, 1, 2, 3, 7, 8, 0x7F, 0x80, 0xFF, 0x100, 0x101, 0xFFFF, 0x10000, 0x7FFFFFFF, 0x80000000,
    0xFFFFFFFF, 0x100000000, (1 << 63) - 1, 1 << 63, (1 << 64) - 1,
)


def _interesting(rng: random.Random, rt: RawTrace, old: int) -> int:
    """A replacement for the argument value ``old``: a neighbour, a boundary, or a value seen
    elsewhere in the trace (IDs, timestamps and string IDs are shared between events)."""
    r = rng.random()
    if r < 0.3:
        return max(0, min((1 << 64) - 1, old + rng.choice((-2, -1, 1, 2))))
    if r < 0.55:
        return rng.choice(_BOUNDARY)
    if r < 0.85:
        b = rng.choice(rt.batches)
        pool = [a for e in b.events for a in e.args] or list(b.header.args if b.header else ())
        if pool:
            return rng.choice(pool)
    return rng.getrandbits(rng.choice((4, 8, 16, 32, 64)))


def _nonempty(rt: RawTrace) -> list[int]:
    return [i for i, b in enumerate(rt.batches) if b.events]


def _pick_event(rng: random.Random, rt: RawTrace) -> tuple[RawBatch, int] | None:
    idx = _nonempty(rt)
    if not idx:
        return None
    b = rt.batches[rng.choice(idx)]
    return b, rng.randrange(len(b.events))


def _op_drop_event(rng: random.Random, rt: RawTrace) -> bool:
    p = _pick_event(rng, rt)
    if p is None:
        return False
    b, i = p
    del b.events[i]
    return True


def _op_duplicate_event(rng: random.Random, rt: RawTrace) -> bool:
    p = _pick_event(rng, rt)
    if p is None:
        return False
    b, i = p
    b.events.insert(rng.randrange(len(b.events) + 1), b.events[i])
    return True


def _op_swap_events(rng: random.Random, rt: RawTrace) -> bool:
    idx = [i for i, b in enumerate(rt.batches) if len(b.events) >= 2]
    if not idx:
        return False
    ev = rt.batches[rng.choice(idx)].events
    i = rng.randrange(len(ev) - 1)
    j = i + 1 if rng.random() < 0.7 else rng.randrange(len(ev))
    ev[i], ev[j] = ev[j], ev[i]
    return True


def _op_move_event(rng: random.Random, rt: RawTrace) -> bool:
    p = _pick_event(rng, rt)
    targets = [b for b in rt.batches if b.header is not None]
    if p is None or not targets:
        return False
    b, i = p
    e = b.events.pop(i)
    dst = rng.choice(targets)
    dst.events.insert(rng.randrange(len(dst.events) + 1), e)
    return True


def _op_drop_batch(rng: random.Random, rt: RawTrace) -> bool:
    if len(rt.batches) < 2:
        return False
    del rt.batches[rng.randrange(len(rt.batches))]
    return True


def _op_duplicate_batch(rng: random.Random, rt: RawTrace) -> bool:
    if not rt.batches:
        return False
    b = rng.choice(rt.batches).copy()
    rt.batches.insert(rng.randrange(len(rt.batches) + 1), b)
    return True


def _op_swap_batches(rng: random.Random, rt: RawTrace) -> bool:
    n = len(rt.batches)
    if n < 2:
        return False
    i, j = rng.sample(range(n), 2)
    rt.batches[i], rt.batches[j] = rt.batches[j], rt.batches[i]
    return True


def _op_change_arg(rng: random.Random, rt: RawTrace) -> bool:
    cands: list[tuple[RawBatch, int | None]] = []
    for b in rt.batches:
        cands.extend((b, i) for i, e in enumerate(b.events) if e.args)
        if b.header is not None:
            cands.append((b, None))
    if not cands:
        return False
    b, i = rng.choice(cands)
    e = b.header if i is None else b.events[i]
    assert e is not None
    # A header's size argument is recomputed on encoding; edit gen, m or time instead.
    k = rng.randrange(3 if i is None else len(e.args))
    args = list(e.args)
    args[k] = _interesting(rng, rt, args[k])
    new = e._replace(args=tuple(args))
    if i is None:
        b.header = new
    else:
        b.events[i] = new
    return True


def _op_change_gen(rng: random.Random, rt: RawTrace) -> bool:
    headers = [b for b in rt.batches if b.header is not None]
    if not headers:
        return False
    b = rng.choice(headers)
    assert b.header is not None
    gen = b.header.args[0]
    other = rng.choice(headers).header
    assert other is not None
    new = rng.choice((gen + 1, max(0, gen - 1), other.args[0], 0, gen + 2, 1 << 63))
    b.header = b.header._replace(args=(new, *b.header.args[1:]))
    return True


def _same_layout(specs: tuple[EventSpec, ...], e: RawEvent) -> list[int]:
    spec = specs[e.ev]
    return [
        t for t, s in enumerate(specs)
        if t and t != e.ev and s.name and len(s.args) == len(spec.args)
        and s.is_stack == spec.is_stack and s.has_data == spec.has_data
    ]


def _op_change_type(rng: random.Random, rt: RawTrace) -> bool:
    p = _pick_event(rng, rt)
    if p is None:
        return False
    b, i = p
    e = b.events[i]
    types = _same_layout(_FULL.specs(), e)
    if not types:
        return False
    b.events[i] = e._replace(ev=rng.choice(types))
    return True


def _random_event(rng: random.Random, rt: RawTrace) -> RawEvent:
    specs = rt.version.specs()
    t = rng.choice([t for t, s in enumerate(specs) if t and s.name])
    spec = specs[t]
    args = [_interesting(rng, rt, rng.randrange(8)) for _ in spec.args]
    data: bytes | None = None
    if spec.is_stack:
        nframes = rng.randrange(3)
        args[-1] = nframes
        args += [_interesting(rng, rt, rng.randrange(8)) for _ in range(4 * nframes)]
    if spec.has_data:
        data = rng.choice((b"", b"main", b"runtime.gopark", bytes(rng.randrange(256) for _ in range(4))))
    return RawEvent(_FULL, t, tuple(args), data or None)


def _op_insert_event(rng: random.Random, rt: RawTrace) -> bool:
    targets = [b for b in rt.batches if b.header is not None]
    if not targets:
        return False
    b = rng.choice(targets)
    b.events.insert(rng.randrange(len(b.events) + 1), _random_event(rng, rt))
    return True


def _op_change_data(rng: random.Random, rt: RawTrace) -> bool:
    cands = [(b, i) for b in rt.batches for i, e in enumerate(b.events) if e.data is not None]
    if not cands:
        return False
    b, i = rng.choice(cands)
    e = b.events[i]
    d = e.data or b""
    r = rng.random()
    if r < 0.25 and d:
        k = rng.randrange(len(d))
        d = d[:k] + bytes((d[k] ^ (1 << rng.randrange(8)),)) + d[k + 1:]
    elif r < 0.45:
        d = d[: rng.randrange(len(d) + 1)]
    elif r < 0.6:
        d = d + d
    elif r < 0.8:
        d = rng.choice([c.events[k].data for c, k in cands]) or b""
    else:
        d = rng.choice((b"\xff\xfe", b"\xc0", "\u2028".encode(), b"\x00", b"a" * 300))
    b.events[i] = e._replace(data=d or None)
    return True


def _op_truncate(rng: random.Random, rt: RawTrace) -> bool:
    if rt.num_events() < 2:
        return False
    k = rng.randrange(len(rt.batches))
    del rt.batches[k + 1:]
    last = rt.batches[k]
    if last.events and rng.random() < 0.5:
        del last.events[rng.randrange(len(last.events)):]
    rt.tail = b""
    return True


def _op_stale_size(rng: random.Random, rt: RawTrace) -> bool:
    headers = [b for b in rt.batches if b.header is not None]
    if not headers:
        return False
    rng.choice(headers).size_delta = rng.choice((-3, -2, -1, 1, 2, 3))
    return True


#: The raw-level operators by name: each edits a :class:`RawTrace` in place and returns
#: whether it could apply (the trace had something to edit).
RAW_MUTATIONS: Final[Mapping[str, Callable[[random.Random, RawTrace], bool]]] = {
    "raw_drop_event": _op_drop_event,
    "raw_duplicate_event": _op_duplicate_event,
    "raw_swap_events": _op_swap_events,
    "raw_move_event": _op_move_event,
    "raw_drop_batch": _op_drop_batch,
    "raw_duplicate_batch": _op_duplicate_batch,
    "raw_swap_batches": _op_swap_batches,
    "raw_change_arg": _op_change_arg,
    "raw_change_gen": _op_change_gen,
    "raw_change_type": _op_change_type,
    "raw_insert_event": _op_insert_event,
    "raw_change_data": _op_change_data,
    "raw_truncate": _op_truncate,
    "raw_stale_size": _op_stale_size,
}


#: Operators that make a trace inconsistent at the batch level (excluded when a test asks
#: for batch-consistent output).
_INCONSISTENT: Final = frozenset({"raw_stale_size"})


def mutate_raw(rng: random.Random, rt: RawTrace, *, max_ops: int = 3,
               consistent: bool = False) -> list[str]:
    """Apply one to ``max_ops`` operators of :data:`RAW_MUTATIONS` to ``rt`` in place and
    return the names of those that applied; ``consistent`` skips ``raw_stale_size``."""
    names = [n for n in RAW_MUTATIONS if not (consistent and n in _INCONSISTENT)]
    applied: list[str] = []
    for _ in range(rng.randint(1, max_ops)):
        name = rng.choice(names)
        if RAW_MUTATIONS[name](rng, rt):
            applied.append(name)
    return applied


#: ``atheris.Mutate``'s shape: ``(data, max_size) -> bytes``.
ByteMutate = Callable[[bytes, int], bytes]


#: The ``mutations`` name recorded for libFuzzer's byte mutations.
LIBFUZZER: Final = "libfuzzer"


class StructureAwareMutator:
    """libFuzzer's custom mutator: ``mutator(data, max_size, seed) -> bytes``.

    With probability ``byte_share`` (or when the raw reader cannot decode the input) it calls
    ``byte_mutate`` (``atheris.Mutate`` in a worker).  Otherwise, for a generated seed found in
    ``models``, half of the time it applies :func:`strategies.mutate` to the seed's model; else
    it decodes the input (:func:`decode`, remembered for the last :data:`DECODE_CACHE`
    inputs), applies :func:`mutate_raw` and re-encodes it (:func:`encode`).  The output
    never exceeds ``max_size``; every choice is drawn from
    ``random.Random(seed)``, so for a given ``seed`` (and a deterministic ``byte_mutate``) the
    output is a function of the input.  :meth:`mutations_for` gives the operator names behind
    the last output, which the target passes on to the checker.
    """

    def __init__(self, byte_mutate: ByteMutate, *, byte_share: float = BYTE_SHARE,
                 models: Mapping[bytes, Trace] | None = None) -> None:
        self._byte_mutate = byte_mutate
        self._byte_share = byte_share
        self._models: Mapping[bytes, Trace] = models or {}
        self._last: tuple[bytes, tuple[str, ...]] = (b"", ())
        self._decoded: dict[bytes, RawTrace | None] = {}
        #: How often each path ran: ``libfuzzer``, ``raw``, ``strategies``.
        self.paths: Counter[str] = Counter()

    def __call__(self, data: bytes, max_size: int, seed: int) -> bytes:
        rng = random.Random(seed)
        out: bytes | None = None
        names: tuple[str, ...] = (LIBFUZZER,)
        if rng.random() >= self._byte_share:
            model = self._models.get(data)
            if model is not None and rng.random() < 0.5:
                out, names = self._strategies(rng, model)
                self.paths["strategies"] += 1
            else:
                rt = self._decode(data)
                if rt is not None and rt.batches:
                    applied = mutate_raw(rng, rt)
                    if applied:
                        out, names = encode(rt), tuple(applied)
                        self.paths["raw"] += 1
        if out is None:
            out = self._byte_mutate(data, max_size)
            self.paths["libfuzzer"] += 1
        out = out[:max_size]
        self._last = (out, names)
        return out

    def _decode(self, data: bytes) -> RawTrace | None:
        """:func:`decode` of ``data``, remembered for the next :data:`DECODE_CACHE` distinct
        inputs (libFuzzer mutates the same corpus entries again and again); a fresh copy
        each time, since the operators edit it in place."""
        cache = self._decoded
        if data in cache:
            rt = cache[data]
        else:
            rt = cache[data] = decode(data)
            if len(cache) > DECODE_CACHE:
                del cache[next(iter(cache))]
        if rt is None:
            return None
        return RawTrace(rt.version, [b.copy() for b in rt.batches], rt.tail)

    @staticmethod
    def _strategies(rng: random.Random, model: Trace) -> tuple[bytes, tuple[str, ...]]:
        from strategies import RandomChooser, mutate

        tr = mutate(RandomChooser(rng), model)
        return tr.to_binary(), tuple(tr.mutations)

    def mutations_for(self, data: bytes) -> tuple[str, ...]:
        """The operator names behind ``data`` if it is the last output, else ``()``."""
        out, names = self._last
        return names if data == out else ()


def generated_seeds(seed: str, count: int) -> list[Trace]:
    """``count`` small traces from the strategies' model, two valid for one mutated; the same
    ``seed`` gives the same traces (each worker rebuilds them for :class:`StructureAwareMutator`)."""
    from strategies import RandomChooser, draw_valid, mutate, trace_params

    versions, template = trace_params(max_events=GENERATED_MAX_EVENTS)
    out: list[Trace] = []
    for i in range(count):
        ch = RandomChooser(random.Random(f"gotrace-oracle:atheris:{seed}:{i}"))
        tr = draw_valid(ch, versions, template)
        out.append(mutate(ch, tr) if i % 3 == 2 else tr)
    return out
