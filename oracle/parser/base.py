"""Shared vocabulary of the parser pipeline: IDs, times, tables, the base event record.

Mirrors ``internal/trace/base.go`` (plus the small types that Go declares next to their first
user: ``schedCtx`` from order.go, ``timestamp`` from batch.go, ``sync`` from generation.go and
the resource ID types from resources.go).  Everything here is plain data; no module below
:mod:`oracle.parser.reader` keeps parse state outside the objects defined here.

Go's unsigned wire values are Python ints in ``[0, 2**64)``; Go's signed IDs (``GoID``,
``ProcID``, ``ThreadID``) and ``Time`` are ints in the int64 range.  Conversions between the two
go through :func:`as_int64` / :func:`as_uint64` so that Go's two's-complement wraparound is
copied in one place (a wire ``m`` of ``2**64-1`` is ``NO_THREAD``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Final, Generic, Iterator, NamedTuple, NewType, TypeVar

from oracle.parser.errors import TraceError
from oracle.parser.releases import CURRENT, Release
from oracle.parser.tracev2 import MAX_TIMED_EVENT_ARGS

__all__ = [
    "BACKGROUND_TASK",
    "NO_CTX",
    "NO_GOROUTINE",
    "NO_PROC",
    "NO_TASK",
    "NO_THREAD",
    "U64_MASK",
    "BaseEvent",
    "CPUSample",
    "DataTable",
    "EvTable",
    "Frame",
    "GoID",
    "ProcID",
    "SchedCtx",
    "StackRecord",
    "SyncData",
    "TaskID",
    "ThreadID",
    "as_int64",
    "as_uint64",
    "float_to_int64",
    "freq_mul",
    "sched_ctx",
    "wrap_int64",
]

GoID = NewType("GoID", int)
ProcID = NewType("ProcID", int)
ThreadID = NewType("ThreadID", int)
TaskID = NewType("TaskID", int)

NO_GOROUTINE: Final = GoID(-1)
NO_PROC: Final = ProcID(-1)
NO_THREAD: Final = ThreadID(-1)
#: ``trace.NoTask`` (``TaskID(^uint64(0))``) and ``trace.BackgroundTask``.
NO_TASK: Final = TaskID((1 << 64) - 1)
BACKGROUND_TASK: Final = TaskID(0)

U64_MASK: Final = (1 << 64) - 1
_I64_MIN: Final = -(1 << 63)
_I64_SIGN: Final = 1 << 63
_TWO64: Final = 1 << 64


def as_int64(x: int) -> int:
    """Reinterpret a uint64 wire value as Go's int64 (``GoID(x)``, ``ThreadID(x)``, ...)."""
    return x - _TWO64 if x & _I64_SIGN else x


def as_uint64(x: int) -> int:
    """Reinterpret an int64 as uint64 (``uint64(id)`` in Go)."""
    return x & U64_MASK


def wrap_int64(x: int) -> int:
    """Wrap an arbitrary int to int64 the way Go's int64 addition overflows."""
    x &= U64_MASK
    return x - _TWO64 if x & _I64_SIGN else x


def float_to_int64(x: float) -> int:
    """Go's ``int64(f)`` on amd64: truncate toward zero; NaN and out-of-range give int64 min.

    The amd64 CVTTSD2SQ instruction returns the "integer indefinite" 0x8000000000000000 for
    every value it cannot represent; the pinned oracle runs on amd64, so we copy it.
    """
    if math.isnan(x) or x >= 9223372036854775808.0 or x < -9223372036854775808.0:
        return _I64_MIN
    return int(x)


def freq_mul(ns_per_tick: float, ticks: int) -> int:
    """``frequency.mul``: ``Time(float64(t) * float64(f))`` for a uint64 timestamp ``t``."""
    return float_to_int64(float(ticks) * ns_per_tick)


class SchedCtx(NamedTuple):
    """The G/P/M an event ran on (``schedCtx``); ``-1`` means none.

    A tuple because Go passes ``schedCtx`` by value: ordering code derives new contexts with
    ``ctx._replace(p=NO_PROC)`` and can never alias an M's state into a queued event.
    """

    g: int = NO_GOROUTINE
    p: int = NO_PROC
    m: int = NO_THREAD


#: The context of events that ran on no M (``schedCtx{NoGoroutine, NoProc, NoThread}``).
NO_CTX: Final = SchedCtx()

# Final: C statics in the compiled build, not a lookup in the module's dict per call.
_tuple_new: Final = tuple.__new__
_SCHED_CTX: Final = SchedCtx


def sched_ctx(g: int, p: int, m: int) -> SchedCtx:
    """``SchedCtx(g, p, m)`` at half the cost of the NamedTuple constructor (per-event code)."""
    return _tuple_new(_SCHED_CTX, (g, p, m))


class BaseEvent:
    """An event as decoded from the wire, minus ``dt`` (``baseEvent``).

    ``args`` always has ``MAX_TIMED_EVENT_ARGS - 1`` slots; unused trailing slots are 0.  The
    ordering code writes synthesized values into spare slots ("extra" args) the way Go does;
    see the helpers in :mod:`oracle.parser.order`.

    A plain class with an explicit ``__init__`` (and the ``__eq__``/``__repr__`` the dataclass
    it replaces had) because one is built per event: a dataclass's generated ``__init__`` stays
    interpreted in the mypyc build.
    """

    __slots__ = ("typ", "time", "args")

    typ: int
    time: int
    args: list[int]

    def __init__(self, typ: int, time: int, args: list[int] | None = None) -> None:
        self.typ = typ
        self.time = time
        self.args = [0] * (MAX_TIMED_EVENT_ARGS - 1) if args is None else args

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, BaseEvent):
            return NotImplemented
        return (self.typ, self.time, self.args) == (other.typ, other.time, other.args)

    __hash__ = None  # type: ignore[assignment]  # mutable, like the dataclass it replaces

    def __repr__(self) -> str:
        return f"BaseEvent(typ={self.typ!r}, time={self.time!r}, args={self.args!r})"


@dataclass(frozen=True, slots=True)
class Frame:
    """One stack-table frame (``frame``): PC plus string IDs of func and file, and line."""

    pc: int
    func_id: int
    file_id: int
    line: int


@dataclass(frozen=True, slots=True)
class StackRecord:
    """A stack-table entry (``stack``): just PCs; frames are looked up per PC.

    Go 1.22 kept each stack's own frames instead (``frames``; ``None`` from 1.23 on, see
    :attr:`oracle.parser.releases.Release.frames_by_pc`).
    """

    pcs: tuple[int, ...]
    frames: tuple[Frame, ...] | None = None

    def __str__(self) -> str:
        # Go's stack.String(): "\t%#v\n" per PC, and %#v of a uint64 is 0x-prefixed hex; in
        # 1.22 per frame, a struct: trace.frame{pc:0x.., funcID:0x.., fileID:0x.., line:0x..}.
        if self.frames is not None:
            return "".join(
                f"\ttrace.frame{{pc:{f.pc:#x}, funcID:{f.func_id:#x}, fileID:{f.file_id:#x}, "
                f"line:{f.line:#x}}}\n"
                for f in self.frames
            )
        return "".join(f"\t{pc:#x}\n" for pc in self.pcs)


_E = TypeVar("_E")


class DataTable(Generic[_E]):
    """ID -> data map with Go's ``dataTable`` semantics (``base.go``).

    ID 0 is always present and maps to the zero value (``""`` or the empty stack), so it can
    never be defined by the trace.  ``compactify`` does not change lookups; it decides the order
    of :meth:`items`, which matters because stack validation reports the *first* bad stack:
    Go walks a dense table in ID order and a sparse one in Go map order (random; we use
    insertion order there and record that as a nondeterminism of Go's parser).

    ``entries`` holds the IDs the trace defined (never 0).  It is read directly by per-event
    code that cannot afford a method call per lookup; everything else should use the methods.
    """

    __slots__ = ("entries", "_dense", "_zero", "_type_name")

    def __init__(self, zero: _E, type_name: str) -> None:
        self.entries: dict[int, _E] = {}
        self._dense = False
        self._zero = zero
        self._type_name = type_name  # Go's %T of the element: "string" or "trace.stack"

    def insert(self, id_: int, data: _E) -> None:
        """Add ``id_``; a duplicate (including ID 0) is the error Go reports."""
        if id_ == 0 or id_ in self.entries:
            existing = self._zero if id_ == 0 else self.entries[id_]
            raise TraceError(
                f"multiple {self._type_name}s with the same ID: id={id_}, "
                f"new={_go_v(data)}, existing={_go_v(existing)}"
            )
        self.entries[id_] = data

    def append(self, data: _E) -> int:
        """Add ``data`` under the next free ID (``len + 1``), as Go's ``append`` does."""
        id_ = len(self.entries) + 1
        self.entries[id_] = data
        return id_

    def compactify(self) -> None:
        """Mirror Go's decision whether the table becomes dense (only affects iteration order)."""
        if not self.entries or self._dense:
            return
        max_id = max(self.entries)
        min_id = min(self.entries)
        n = len(self.entries)
        if max_id >= (1 << 63) - 1:
            return
        if max_id - min_id > max(n, 2 * n):
            return
        if min_id > n:
            return
        self._dense = True

    def get(self, id_: int) -> tuple[_E, bool]:
        """``(data, ok)``; ID 0 is always ``(zero, True)``."""
        if id_ == 0:
            return self._zero, True
        d = self.entries.get(id_, _MISSING)
        if d is _MISSING:
            return self._zero, False
        return d, True  # type: ignore[return-value]

    def __contains__(self, id_: int) -> bool:
        return id_ == 0 or id_ in self.entries

    def items(self) -> Iterator[tuple[int, _E]]:
        """Entries in Go's ``forEach`` order (dense: by ID; sparse: Go map order, see class doc)."""
        if self._dense:
            return iter(sorted(self.entries.items()))
        return iter(list(self.entries.items()))

    def __len__(self) -> int:
        return len(self.entries)


_MISSING: Final = object()


def _go_v(x: object) -> str:
    """``%v`` of a table element: strings verbatim, stacks via their ``String`` method."""
    return x if isinstance(x, str) else str(x)


@dataclass(slots=True)
class SyncData:
    """Per-generation clock data (Go's ``sync`` struct in generation.go)."""

    freq: float = 0.0  # ns per tick; 0 means "no frequency event found"
    has_clock_snapshot: bool = False
    snap_time: int = 0  # raw ticks
    snap_mono: int = 0
    snap_wall_sec: int = 0  # time.Unix(sec, nsec) arguments, already int64-cast
    snap_wall_nsec: int = 0


@dataclass(slots=True)
class EvTable:
    """Everything a generation's events refer to (``evTable``).

    Strings are ``str`` when the bytes are valid UTF-8 and otherwise the raw ``bytes`` would
    be lost, so the string table stores them as Python ``str`` decoded with
    ``surrogateescape``: every byte sequence round-trips, and JSON/quoting code can recover the
    original bytes with ``s.encode("utf-8", "surrogateescape")``.
    """

    sync: SyncData = field(default_factory=SyncData)
    strings: DataTable[str] = field(default_factory=lambda: DataTable("", "string"))
    stacks: DataTable[StackRecord] = field(
        default_factory=lambda: DataTable(StackRecord(()), "trace.stack")
    )
    pcs: dict[int, Frame] = field(default_factory=dict)
    extra_strings: list[str] = field(default_factory=list)
    extra_string_ids: dict[str, int] = field(default_factory=dict)
    #: Experimental batches by experiment ID, in file order: ``(thread, data)`` pairs.
    exp_batches: dict[int, list[tuple[int, bytes]]] = field(default_factory=dict)
    #: The Go release whose event API the table's events follow (set by the reader).
    release: Release = CURRENT
    #: ``printStack("\t", ...)`` of each stack ID, as ``Event.String()`` prints it: filled on
    #: first use (a generation's tables are complete before its first event), because a
    #: generation's events print the same few stacks over and over.
    stack_text: dict[int, str] = field(default_factory=dict)
    #: The canonical dump's frames list of each stack ID (``canonical.stack_json``), cached
    #: for the same reason; records share these lists, so they are read-only.
    stack_json: dict[int, list[Any]] = field(default_factory=dict)
    #: And the JSON text of those lists (``canonical.event_line``).
    stack_json_text: dict[int, str] = field(default_factory=dict)

    def add_extra_string(self, s: str) -> int:
        """Intern a string that is not in the trace's table (``addExtraString``); "" is 0."""
        if s == "":
            return 0
        id_ = self.extra_string_ids.get(s)
        if id_ is not None:
            return id_
        self.extra_strings.append(s)
        id_ = len(self.extra_strings)
        self.extra_string_ids[s] = id_
        return id_

    def get_extra_string(self, id_: int) -> str:
        """The string for an ``add_extra_string`` ID; 0 is ""."""
        return "" if id_ == 0 else self.extra_strings[id_ - 1]


@dataclass(frozen=True, slots=True)
class CPUSample:
    """A CPU profile sample, kept apart from the M streams (``cpuSample``)."""

    ctx: SchedCtx
    time: int
    stack: int
