"""The raw-trace model: a trace as header, batches of raw events, and an unframeable tail.

One batched raw view of a trace, shared by everything that takes traces apart and puts them
back together: the strategies' builder (which fills it in from its generator view), the
minimizer (which drops and simplifies pieces of it) and the atheris mutator (which edits it
through the strategies' raw-level mutations).  Nothing here validates a trace; the parser does
that.

Theory of operation
-------------------
:func:`decode` cuts batches out of the bytes after the header exactly as Go's ``readBatch``
(batch.go) does: an ``EventBatch`` (uvarints gen, M, time, size, then ``size`` body bytes),
an ``ExperimentalBatch`` (the same after one raw experiment *byte*), or the lone
``EndOfGeneration`` byte.  So the model agrees with the parser on where batches start and end,
whatever a raw reader would make of the bytes.  An event batch's body is then decoded into
:class:`~oracle.parser.raw.RawEvent` records with the *full* event table (the newest version's,
of which every older table is a prefix: the runtimes of Go 1.23 to 1.25 write experimental
events, types 128 and up, that their own version's table does not list); the body bytes after
the last whole event are kept as ``rest``.  An experimental batch's body is opaque and kept
whole as ``rest``.  The first bytes that do not frame as a batch, and everything after them,
are the ``tail``.

:func:`encode` writes the header bytes as decoded, each batch with its size field recomputed
from the encoded body (so dropping or adding an event never leaves a lying header behind),
and the tail.  A batch whose ``size`` is set keeps that value instead (a mutation that wants a
stale or wrong size).  Varints are minimal unless asked otherwise: ``pad_sizes`` writes every
batch size in 10 bytes as the runtime does (``traceBuf.varintReserve``), and ``pad_args``
widens every other field to that many bytes (non-minimal encodings are legal for Go's
decoders).  An event is written with exactly the arguments it holds, so a mutation can give
an event too few or too many.

:func:`to_text` gives Go's raw text form (the form ``testtrace`` files use) when the trace has
one: the canonical header, no tail, no undecodable rest, and only events that the header
version's table can express with exactly their spec's arguments.  :func:`decode_text` reads
that form back (``text_to_binary`` then :func:`decode`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Final, Protocol

from oracle.parser.errors import TraceError
from oracle.parser.raw import RawEvent, RawReader, TextWriter, text_to_binary
from oracle.parser.tracev2 import SPECS, EventType
from oracle.parser.uvarint import VarintError, put_uvarint, put_uvarint_padded, read_uvarint
from oracle.parser.version import V2_VERSIONS, Version, read_header_bytes, write_header

__all__ = [
    "FULL_VERSION",
    "HEADER_LEN",
    "RawBatch",
    "RawTrace",
    "WireEvent",
    "decode",
    "decode_text",
    "encode",
    "encode_batch",
    "encode_end_of_generation",
    "encode_events",
    "text_events",
    "to_text",
]

EVENT_BATCH: Final = int(EventType.EventBatch)
EXPERIMENTAL_BATCH: Final = int(EventType.ExperimentalBatch)
END_OF_GENERATION: Final = int(EventType.EndOfGeneration)

_U64: Final = (1 << 64) - 1

#: The newest version: its event table is the whole table, of which every older version's is
#: a prefix.  Batch bodies are decoded with it (see the module notes).
FULL_VERSION: Final = max(V2_VERSIONS)
_FULL_HEADER: Final = write_header(FULL_VERSION)

#: The length of a well-formed header (``go 1.NN trace\x00\x00\x00``).
HEADER_LEN: Final = len(_FULL_HEADER)

#: Each well-formed v2 header and its version: the usual header is recognised without
#: scanning it the way Go's ``fmt.Fscanf`` does.
_V2_HEADERS: Final[Mapping[bytes, Version]] = {write_header(v): v for v in V2_VERSIONS}

#: Type bytes whose events carry a data trailer (full table).
_HAS_DATA: Final[frozenset[int]] = frozenset(i for i, s in enumerate(SPECS) if s.has_data)

#: The size field's width with ``pad_sizes`` (``traceBuf.varintReserve``).
_PADDED_SIZE_WIDTH: Final = 10


@dataclass(slots=True)
class RawBatch:
    """One batch, framed as ``readBatch`` frames it.

    ``kind`` is the batch type byte: ``EventBatch``, ``ExperimentalBatch`` (whose experiment
    byte is ``exp``) or ``EndOfGeneration`` (a lone byte: no other field is written).  ``gen``,
    ``m`` and ``time`` are the header's uvarints as on the wire (``m`` unsigned: "no M" is
    ``2**64-1``).  ``events`` are the raw events of an event batch's body and ``rest`` the body
    bytes after them (all of an experimental batch's body).  ``size`` forces the header's size
    field; ``None`` means the exact size of the encoded body.
    """

    kind: int
    gen: int = 0
    m: int = 0
    time: int = 0
    events: list[RawEvent] = field(default_factory=list)
    rest: bytes = b""
    exp: int = 0
    size: int | None = None

    @classmethod
    def end_of_generation(cls) -> RawBatch:
        """The ``EndOfGeneration`` marker (Go 1.26 format)."""
        return cls(END_OF_GENERATION)

    @property
    def is_event_batch(self) -> bool:
        """An ``EventBatch`` (its body is ``events`` then ``rest``)."""
        return self.kind == EVENT_BATCH

    @property
    def is_experimental(self) -> bool:
        """An ``ExperimentalBatch`` (its body is the opaque ``rest``)."""
        return self.kind == EXPERIMENTAL_BATCH

    def generation(self) -> int | None:
        """The header's ``gen`` field; ``None`` for ``EndOfGeneration``."""
        return None if self.kind == END_OF_GENERATION else self.gen

    def body(self, pad_args: int = 0) -> bytes:
        """The encoded body: events then ``rest``."""
        return encode_events(self.events, pad_args) + self.rest if self.events else self.rest

    def copy(self) -> RawBatch:
        """A copy whose event list can be edited independently (events are immutable)."""
        return RawBatch(self.kind, self.gen, self.m, self.time, list(self.events), self.rest,
                        self.exp, self.size)


@dataclass(slots=True)
class RawTrace:
    """A whole trace: version, the header bytes, batches in file order, and the tail."""

    version: Version
    header: bytes
    batches: list[RawBatch] = field(default_factory=list)
    tail: bytes = b""

    @classmethod
    def empty(cls, version: Version) -> RawTrace:
        """A trace of ``version`` with the canonical header and nothing else."""
        return cls(version, write_header(version))

    def copy(self) -> RawTrace:
        """A copy whose batches can be edited independently."""
        return RawTrace(self.version, self.header, [b.copy() for b in self.batches], self.tail)

    def num_events(self) -> int:
        """Events in all event batches."""
        return sum(len(b.events) for b in self.batches)


# --- decoding ---------------------------------------------------------------------------------


def _decode_body(reader: RawReader, start: int, end: int) -> tuple[list[RawEvent], int]:
    """The whole raw events of the body at reader offsets ``[start, end)``, and the offset where
    the undecodable rest begins.  An event that runs past ``end`` is not in the body."""
    events: list[RawEvent] = []
    reader.pos = start
    while start < end:
        try:
            ev = reader.read_event()
        except (EOFError, TraceError):
            break
        if reader.pos > end:
            break
        events.append(ev)
        start = reader.pos
    return events, start


def decode(data: bytes) -> RawTrace | None:
    """The model of a binary trace; ``None`` when the header does not read or is not v2."""
    known = _V2_HEADERS.get(data[:HEADER_LEN])
    if known is not None:
        version, pos = known, HEADER_LEN
    else:
        try:
            version, pos = read_header_bytes(data)
        except TraceError:
            return None
        if not version.is_v2:
            return None
    rt = RawTrace(version, data[:pos])
    # One reader over the whole input with the full table's header in front; reader offsets
    # are input offsets plus ``shift``.
    if data.startswith(_FULL_HEADER):
        reader, shift = RawReader(data), 0
    else:
        reader, shift = RawReader(_FULL_HEADER + data[pos:]), HEADER_LEN - pos
    n = len(data)
    while pos < n:
        start = pos
        kind = data[pos]
        pos += 1
        if kind == END_OF_GENERATION:
            rt.batches.append(RawBatch.end_of_generation())
            continue
        try:
            if kind != EVENT_BATCH and kind != EXPERIMENTAL_BATCH:
                raise ValueError("not a batch")
            exp = 0
            if kind == EXPERIMENTAL_BATCH:
                if pos >= n:
                    raise ValueError("no experiment byte")
                exp = data[pos]
                pos += 1
            gen, pos = read_uvarint(data, pos)
            m, pos = read_uvarint(data, pos)
            ts, pos = read_uvarint(data, pos)
            size, pos = read_uvarint(data, pos)
            if size > n - pos:
                raise ValueError("short body")
        except (ValueError, VarintError):
            rt.tail = data[start:]
            break
        end = pos + size
        if kind == EVENT_BATCH:
            events, rest = _decode_body(reader, pos + shift, end + shift)
            rt.batches.append(RawBatch(kind, gen, m, ts, events, data[rest - shift : end]))
        else:
            rt.batches.append(RawBatch(kind, gen, m, ts, [], data[pos:end], exp))
        pos = end
    return rt


def decode_text(text: bytes | str) -> RawTrace:
    """The model of a trace in Go's raw text form; raises :class:`TraceError` like Go's
    text reader."""
    rt = decode(text_to_binary(text))
    assert rt is not None  # the text writer always writes a v2 header
    return rt


# --- encoding ---------------------------------------------------------------------------------


#: Encodings of the uvarints below 128: most arguments (event types, small IDs, deltas).
_SMALL: Final[tuple[bytes, ...]] = tuple(bytes((i,)) for i in range(0x80))


def _uv(x: int, width: int) -> bytes:
    """A uvarint of ``x`` (taken mod 2**64), at least ``width`` bytes wide when ``width``."""
    x &= _U64
    if x < 0x80 and width <= 1:
        return _SMALL[x]
    if width:
        n = len(put_uvarint(x))
        if width > n:
            return put_uvarint_padded(x, width)
    return put_uvarint(x)


class WireEvent(Protocol):
    """What :func:`encode_events` reads of an event: a :class:`RawEvent`, or a generator's own
    mutable event record with the same three fields."""

    @property
    def ev(self) -> int: ...

    @property
    def args(self) -> Sequence[int]: ...

    @property
    def data(self) -> bytes | None: ...


def encode_events(events: Iterable[WireEvent], pad_args: int = 0) -> bytes:
    """The wire form of events: type byte, the arguments present, and a data trailer for an
    event that has data or whose type has one (full table)."""
    out = bytearray()
    append = out.append
    for e in events:
        typ = e.ev
        append(typ & 0xFF)
        data = e.data
        if pad_args:
            for a in e.args:
                out += _uv(a, pad_args)
        else:
            for a in e.args:
                if 0 <= a < 0x80:
                    append(a)
                else:
                    out += put_uvarint(a & _U64)
        if data is not None or typ in _HAS_DATA:
            d = data or b""
            out += _uv(len(d), pad_args)
            out += d
    return bytes(out)


def encode_batch(gen: int, m: int, time: int, body: bytes, exp: int | None = None, *,
                 size: int | None = None, pad_sizes: bool = False, pad_args: int = 0) -> bytes:
    """The wire form of one batch: the inverse of ``readBatch``.

    ``m`` may be given as int64 (``NO_THREAD``) or uint64.  ``exp`` not ``None`` writes an
    ``ExperimentalBatch`` with that experiment byte (0 is legal on the wire and reads back as
    a plain batch).  ``size`` overrides the size field (to build broken traces).
    """
    out = bytearray()
    if exp is None:
        out.append(EVENT_BATCH)
    else:
        out.append(EXPERIMENTAL_BATCH)
        out.append(exp & 0xFF)
    out += _uv(gen, pad_args)
    out += _uv(m, pad_args)
    out += _uv(time, pad_args)
    out += _uv(len(body) if size is None else size, _PADDED_SIZE_WIDTH if pad_sizes else 0)
    out += body
    return bytes(out)


def encode_end_of_generation() -> bytes:
    """The lone ``EndOfGeneration`` byte that closes a generation in Go 1.26+ traces."""
    return bytes((END_OF_GENERATION,))


def encode(rt: RawTrace, *, pad_sizes: bool = False, pad_args: int = 0) -> bytes:
    """The binary trace: header bytes, batches (sizes exact unless forced), tail."""
    out = bytearray(rt.header)
    for b in rt.batches:
        if b.kind == END_OF_GENERATION:
            out.append(END_OF_GENERATION)
            continue
        out += encode_batch(b.gen, b.m, b.time, b.body(pad_args),
                            b.exp if b.kind == EXPERIMENTAL_BATCH else None,
                            size=b.size, pad_sizes=pad_sizes, pad_args=pad_args)
    out += rt.tail
    return bytes(out)


# --- text -------------------------------------------------------------------------------------


def _text_event(v: Version, e: RawEvent) -> RawEvent | None:
    """``e`` in ``v``'s table, when the text form can express it exactly."""
    specs = v.specs()
    if not 0 < e.ev < len(specs) or not specs[e.ev].name:
        return None
    spec = specs[e.ev]
    if spec.is_stack:
        if len(e.args) < 2 or len(e.args) != 2 + 4 * e.args[1]:
            return None
    elif len(e.args) != len(spec.args):
        return None
    if spec.has_data:
        if not e.data:
            return None  # an empty trailer does not round-trip through text
    elif e.data is not None:
        return None
    if any(not 0 <= a <= _U64 for a in e.args):
        return None
    return e if e.version is v else e._replace(version=v)


def text_events(rt: RawTrace) -> list[RawEvent] | None:
    """The trace as the raw events of its text form, or ``None`` when the text form cannot
    express it (see the module notes)."""
    v = rt.version
    if rt.tail or rt.header != write_header(v):
        return None
    nspecs = len(v.specs())
    out: list[RawEvent] = []
    for b in rt.batches:
        if b.kind == END_OF_GENERATION:
            if END_OF_GENERATION >= nspecs:
                return None
            out.append(RawEvent(v, END_OF_GENERATION, ()))
            continue
        head = (b.gen, b.m, b.time)
        if any(not 0 <= x <= _U64 for x in head):
            return None
        if b.kind == EXPERIMENTAL_BATCH:
            if EXPERIMENTAL_BATCH >= nspecs or not 0 <= b.exp < 0x80:
                return None
            if b.size is not None and b.size != len(b.rest):
                return None
            out.append(RawEvent(v, EXPERIMENTAL_BATCH, (b.exp, *head), b.rest or None))
            continue
        if b.rest:
            return None
        events: list[RawEvent] = []
        for e in b.events:
            te = _text_event(v, e)
            if te is None:
                return None
            events.append(te)
        size = len(encode_events(b.events)) if b.size is None else b.size
        out.append(RawEvent(v, EVENT_BATCH, (*head, size)))
        out += events
    return out


def to_text(rt: RawTrace) -> str | None:
    """Go's raw text form (minimal varints), or ``None`` when not expressible."""
    evs = text_events(rt)
    if evs is None:
        return None
    w = TextWriter(rt.version)
    for e in evs:
        w.write_event(e)
    return w.getvalue()
