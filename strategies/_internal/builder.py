"""A testgen-style trace model: generations, batches and events, and their two wire forms.

Mirrors what ``internal/trace/internal/testgen`` (``Trace``, ``Generation``, ``Batch``) does
for Go's hand-written test traces, but as plain data that generators fill in and mutators
edit.

Theory of operation
-------------------
A :class:`Trace` is the header version plus a flat list of *items* in file order: each item is
a :class:`Batch` (an ``EventBatch``, or an ``ExperimentalBatch`` when ``exp`` is set) or an
:data:`END_OF_GENERATION` marker.  A batch holds its header fields and its body as a list of
:class:`Ev` records, which are exactly the wire events: a type byte and the uvarint arguments
in spec order (``dt`` first for timed events; a ``Stack`` carries its ``4 * nframes`` frame
fields after ``id, nframes``; a ``String`` carries its bytes in ``data``).  An experimental
batch's body is opaque ``data`` instead.

Nothing here validates the trace: the model (:mod:`strategies._internal.model`) is what makes
it legal, and the mutators (:mod:`strategies._internal.mutations`) break it on purpose.  This
is the generator's view (batches know their ``role``, events are mutable); both wire forms are
written by the one raw-trace model, :mod:`oracle.parser.rawtrace`, which :meth:`Trace.to_raw`
fills in.  It computes every batch's ``size`` from its encoded body (unless ``size`` is
forced), so sizes are always exact:

* :meth:`Trace.to_binary` encodes with the *full* event table, as the runtime does, so a
  ``go 1.23`` trace may carry AllocFree events.  Varints are minimal unless asked otherwise:
  ``pad_sizes`` writes every batch size in 10 bytes like the runtime
  (``traceBuf.varintReserve``), and ``pad_args`` widens every event argument to that many
  bytes (non-minimal encodings are legal for Go's decoders).
* :meth:`Trace.to_text` writes Go's raw text format, the form ``testtrace`` files use.  Text
  always means minimal varints (Go's text-to-binary writer cannot express padding), so its
  batch sizes are the minimal body sizes.  The text writer only knows the header version's
  prefix of the event table; a trace that uses an event beyond it (AllocFree events in a
  ``go 1.23`` trace) has no text form and :meth:`Trace.to_text` returns ``None``.

Each trace carries an :class:`Expectation`: success for traces built by the model, failure
with a reason (and, when the mutation pins it down, an error-text pattern) for mutations known
to break a trace, and "unknown" for everything else, where only the differential oracle can
decide.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from enum import Enum
from typing import Final

from oracle.parser.raw import RawEvent
from oracle.parser.rawtrace import (
    EVENT_BATCH,
    EXPERIMENTAL_BATCH,
    FULL_VERSION,
    RawBatch,
    RawTrace,
    encode,
    encode_events,
    text_events,
    to_text,
)
from oracle.parser.tracev2 import SPECS
from oracle.parser.version import Version, write_header

__all__ = [
    "END_OF_GENERATION",
    "NO_THREAD",
    "Batch",
    "EndOfGeneration",
    "Ev",
    "Expectation",
    "Item",
    "Outcome",
    "Trace",
    "encode_batch_body",
]

#: ``trace.NoThread`` (and NoProc, NoGoroutine) on the wire: -1 as a uint64.
NO_THREAD: Final = (1 << 64) - 1

@dataclass(slots=True)
class Ev:
    """One wire event of a batch body: type byte, uvarint args, optional data trailer.

    ``args`` may be longer or shorter than the spec says only in mutated traces; the encoder
    writes exactly what is there.
    """

    typ: int
    args: list[int]
    data: bytes | None = None

    def copy(self) -> Ev:
        """An independent copy (mutators edit events in place)."""
        return Ev(self.typ, list(self.args), self.data)

    @property
    def ev(self) -> int:
        """The type byte under the raw model's name (:class:`oracle.parser.rawtrace.WireEvent`)."""
        return self.typ


@dataclass(slots=True)
class Batch:
    """One batch: header fields and body.

    ``exp`` set makes it an ``ExperimentalBatch`` whose body is ``data`` (``events`` unused);
    otherwise it is an ``EventBatch`` whose body is ``events``.  ``size`` forces the header's
    size field (mutations only); ``None`` means the exact body size.  ``role`` says what the
    batch is for (``events``, ``sync``, ``frequency``, ``strings``, ``stacks``, ``cpu``,
    ``exp-info``, ``exp-types``, ``status``), for mutators and readers of examples; the wire
    does not carry it.  ``body``, when set, replaces the encoded body bytes of an
    ``EventBatch`` (mutations that cut or corrupt a body inside an event).
    """

    gen: int
    m: int
    time: int
    events: list[Ev] = field(default_factory=list)
    exp: int | None = None
    data: bytes = b""
    size: int | None = None
    role: str = "events"
    body: bytes | None = None

    def copy(self) -> Batch:
        """A deep copy (events included)."""
        return Batch(self.gen, self.m, self.time, [e.copy() for e in self.events], self.exp,
                     self.data, self.size, self.role, self.body)


class EndOfGeneration:
    """The lone ``EndOfGeneration`` byte (Go 1.26 format)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "END_OF_GENERATION"


#: The single :class:`EndOfGeneration` instance.
END_OF_GENERATION: Final = EndOfGeneration()

#: One entry of :attr:`Trace.items`: a batch or the end-of-generation marker.
Item = Batch | EndOfGeneration


class Outcome(str, Enum):
    """What a trace's builder expects Go's parser to do with it."""

    SUCCESS = "success"
    FAILURE = "failure"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class Expectation:
    """testgen's ``ExpectSuccess``/``ExpectFailure``, plus "unknown" for mutated traces.

    ``reason`` explains a failure expectation; ``pattern``, when set, is a regular expression
    the error text must match (searched, as Go's ``.test`` files do).
    """

    outcome: Outcome
    reason: str = ""
    pattern: str | None = None

    @classmethod
    def success(cls) -> Expectation:
        """The trace must parse."""
        return cls(Outcome.SUCCESS)

    @classmethod
    def failure(cls, reason: str, pattern: str | None = None) -> Expectation:
        """The trace must be rejected (with an error matching ``pattern``, when given)."""
        return cls(Outcome.FAILURE, reason, pattern)

    @classmethod
    def unknown(cls, reason: str = "") -> Expectation:
        """No claim; the differential oracle decides."""
        return cls(Outcome.UNKNOWN, reason)


def encode_batch_body(events: list[Ev], pad_args: int = 0) -> bytes:
    """The body bytes of an ``EventBatch``: each event's type byte, args and data trailer."""
    return encode_events(events, pad_args)


@dataclass(slots=True)
class Trace:
    """A whole trace: version, header override, items in file order, and bookkeeping.

    ``header`` replaces the canonical ``go 1.NN trace\\0\\0\\0`` header when set (mutations).
    ``tail`` is raw bytes appended after the last item (mutations).  ``features`` are the
    swarm features the generator enabled, ``mutations`` the names of the mutations applied,
    in order.  ``pad_sizes``/``pad_args`` choose the binary encoding (see the module notes).
    ``raw_bytes`` replaces the whole binary form: byte-level mutations set it, after which
    the structured items no longer describe the bytes.
    """

    version: Version
    items: list[Item] = field(default_factory=list)
    expectation: Expectation = field(default_factory=Expectation.success)
    header: bytes | None = None
    tail: bytes = b""
    features: frozenset[str] = frozenset()
    mutations: tuple[str, ...] = ()
    pad_sizes: bool = False
    pad_args: int = 0
    raw_bytes: bytes | None = None
    seed_info: str = ""

    # --- inspection -------------------------------------------------------------------------

    def batches(self) -> list[Batch]:
        """Every batch, in file order."""
        return [it for it in self.items if isinstance(it, Batch)]

    def event_counts(self) -> Counter[str]:
        """How many events of each type name the batches hold (experimental bodies excluded)."""
        c: Counter[str] = Counter()
        for b in self.batches():
            if b.exp is None:
                for e in b.events:
                    c[SPECS[e.typ].name if e.typ < len(SPECS) and SPECS[e.typ].name else str(e.typ)] += 1
        return c

    def num_events(self) -> int:
        """The number of events in all event batches."""
        return sum(len(b.events) for b in self.batches() if b.exp is None)

    def generations(self) -> list[int]:
        """The distinct generation numbers, in order of first appearance."""
        seen: dict[int, None] = {}
        for b in self.batches():
            seen.setdefault(b.gen, None)
        return list(seen)

    def copy(self) -> Trace:
        """A deep copy (mutators work on copies)."""
        return Trace(
            self.version,
            [it.copy() if isinstance(it, Batch) else it for it in self.items],
            self.expectation, self.header, self.tail, self.features, self.mutations,
            self.pad_sizes, self.pad_args, self.raw_bytes, self.seed_info,
        )

    # --- wire forms -------------------------------------------------------------------------

    def to_raw(self, *, encoded_bodies: bool = False) -> RawTrace:
        """The trace in the raw-trace model (:mod:`oracle.parser.rawtrace`), which writes both
        wire forms.  A batch's forced ``body`` becomes the model's undecodable ``rest``.

        ``encoded_bodies`` puts every event batch's body into ``rest`` already encoded (with
        ``pad_args``) instead of converting its events to raw records: the binary form needs
        no more, and that keeps :meth:`to_binary` as cheap as the generator needs it.
        """
        v = self.version
        new = tuple.__new__  # RawEvent(...) without the keyword-argument machinery
        batches: list[RawBatch] = []
        for it in self.items:
            if not isinstance(it, Batch):
                batches.append(RawBatch.end_of_generation())
            elif it.exp is not None:
                batches.append(RawBatch(EXPERIMENTAL_BATCH, it.gen, it.m, it.time, [], it.data,
                                        it.exp, it.size))
            elif it.body is not None or encoded_bodies:
                body = it.body if it.body is not None else encode_events(it.events, self.pad_args)
                batches.append(RawBatch(EVENT_BATCH, it.gen, it.m, it.time, [], body,
                                        size=it.size))
            else:
                batches.append(RawBatch(EVENT_BATCH, it.gen, it.m, it.time,
                                        [new(RawEvent, (v, e.typ, tuple(e.args), e.data))
                                         for e in it.events], size=it.size))
        header = self.header if self.header is not None else write_header(v)
        return RawTrace(v, header, batches, self.tail)

    def to_binary(self) -> bytes:
        """The trace as Go reads it (see the module notes for the varint options)."""
        if self.raw_bytes is not None:
            return self.raw_bytes
        return encode(self.to_raw(encoded_bodies=True), pad_sizes=self.pad_sizes,
                      pad_args=self.pad_args)

    @property
    def data(self) -> bytes:
        """The binary form (:meth:`to_binary`), for tools that take any value with ``data``."""
        return self.to_binary()

    def raw_events(self) -> list[RawEvent] | None:
        """The trace as :class:`oracle.parser.raw.RawEvent` records (the text form), or ``None``
        when the version's event-table prefix cannot express it (or it is byte-mutated)."""
        return None if self.raw_bytes is not None else text_events(self.to_raw())

    def to_text(self) -> str | None:
        """Go's raw text format (minimal varints), or ``None`` when not expressible."""
        return None if self.raw_bytes is not None else to_text(self.to_raw())

    def describe(self) -> str:
        """A one-paragraph summary for test failure messages."""
        counts = self.event_counts()
        return (
            f"Trace(version=Go1.{int(self.version)}, gens={self.generations()}, "
            f"batches={len(self.batches())}, events={sum(counts.values())}, "
            f"mutations={list(self.mutations)}, expectation={self.expectation.outcome.value}"
            f"{': ' + self.expectation.reason if self.expectation.reason else ''}, "
            f"pad_sizes={self.pad_sizes}, pad_args={self.pad_args})"
        )
