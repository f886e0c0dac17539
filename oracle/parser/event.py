"""The public event API: ``Event`` and everything its accessors return.

Mirrors the parsing side of ``internal/trace/event.go`` (Go 1.27).

Theory of operation
-------------------
An :class:`Event` is a thin view over three things the pipeline already has: the generation's
:class:`~oracle.parser.base.EvTable` (strings, stacks, PCs, clock data), the scheduling context the
ordering code decided the event ran in, and the decoded wire record
(:class:`~oracle.parser.base.BaseEvent`).  Nothing is decoded eagerly.  Each accessor interprets the
wire record on demand, exactly the way Go's does, including the places where the ordering code
has *smuggled* extra information into spare argument slots (a ProcStatus event's old state, a
ProcSteal's pre-steal status, a TaskEnd's parent and type, an STWEnd's kind string).  The
spare slots start after the event's declared arguments; :func:`_extra_index` gives that
offset, as Go's ``baseEvent.extra`` does.

What kind of event a wire type becomes is one table, :data:`TYPE_TO_KIND` (Go's
``tracev2Type2Kind``), indexed by the type byte; the pseudo type :data:`EV_SYNC` (255, Go's
``evSync``) marks the synthesized Sync events.

Go's accessors *panic* on some inputs that the parser lets through (an unknown experiment ID
in ``Sync``, a ProcStatus status of 257 in ``StateTransition``, an STWEnd whose kind string is
not in this generation's table, a CPU sample's unvalidated stack ID).  We raise
:class:`~oracle.parser.errors.GoPanic` there, with Go's panic text (``fmt.Sprint``
of the recovered value), never :class:`~oracle.parser.errors.TraceError`: a panic is a bug in Go's
parser and the differential engine reports it as such.

Strings come from the table as ``str`` in the surrogateescape convention; the ``go_string``
renderings therefore also return such ``str``: encode with ``"surrogateescape"`` to get Go's
exact bytes.

``Stack``/``StackFrame`` are defined in :mod:`oracle.parser.resources` (a ``StateTransition`` holds a
stack, and imports only run leftwards) and re-exported here, as is ``GoPanic`` from
:mod:`oracle.parser.errors`.  The module also holds ``GoTime``, the part of Go's ``time.Time`` that a
clock snapshot exposes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum
from typing import Callable, Final

from oracle.parser.releases import CURRENT as CURRENT_RELEASE, Release
from oracle.parser.base import NO_CTX, BaseEvent, EvTable, SchedCtx, as_int64, freq_mul, wrap_int64
from oracle.parser.errors import GoPanic, TraceError
from oracle.parser.gostrconv import quote
from oracle.parser.resources import (
    GO_STATE_NAMES,
    NIL_DEREF,
    PROC_STATE_NAMES,
    NO_STACK,
    GoState,
    ProcState,
    ResourceID,
    ResourceKind,
    Stack,
    StackFrame,
    StateTransition,
    make_go_state_transition,
    make_proc_state_transition,
    must_get_string,
    print_stack,
)
from oracle.parser.tracev2 import EXPERIMENTS, MAX_TIMED_EVENT_ARGS, SPECS, EventType, GoStatus, ProcStatus
from oracle.parser.value import Value, string_value, uint64_value, value_as_string

__all__ = [
    "BACKGROUND_TASK",
    "KIND_NAMES",
    "EV_SYNC",
    "NO_STACK",
    "NO_TASK",
    "TABLE_ID_ARGS",
    "TYPE_TO_KIND",
    "ClockSnapshot",
    "Event",
    "EventKind",
    "ExperimentalBatch",
    "ExperimentalEvent",
    "GoPanic",
    "GoTime",
    "Label",
    "Log",
    "Metric",
    "Range",
    "RangeAttribute",
    "Region",
    "Stack",
    "StackFrame",
    "Sync",
    "Task",
    "go_unix",
    "new_event",
    "new_event_copying_base",
    "sync_event",
    "validate_table_ids",
]

#: ``trace.NoTask`` and ``trace.BackgroundTask``.
NO_TASK: Final = (1 << 64) - 1
BACKGROUND_TASK: Final = 0

#: Go's ``evSync``: ``^tracev2.EventType(0)``, the type byte of synthesized Sync events.
EV_SYNC: Final = 0xFF


def _index_panic(index: int, length: int) -> GoPanic:
    """The runtime panic of an out-of-range index into a Go array or slice."""
    return GoPanic(f"runtime error: index out of range [{index}] with length {length}")


class EventKind(IntEnum):
    """What an event means to a user (``trace.EventKind``); ``str()`` is Go's ``String()``."""

    Bad = 0
    Sync = 1
    Metric = 2
    Label = 3
    StackSample = 4
    RangeBegin = 5
    RangeActive = 6
    RangeEnd = 7
    TaskBegin = 8
    TaskEnd = 9
    RegionBegin = 10
    RegionEnd = 11
    Log = 12
    StateTransition = 13
    Experimental = 14

    def __str__(self) -> str:
        return self.name

    def __format__(self, spec: str) -> str:
        return format(self.name, spec)


#: ``EventKind.String()`` by value (a tuple lookup instead of Python-level enum code).
KIND_NAMES: Final[tuple[str, ...]] = tuple(k.name for k in EventKind)


def _build_type_to_kind() -> tuple[EventKind, ...]:
    """Go's ``tracev2Type2Kind`` array: 256 entries, ``Bad`` for every unlisted type."""
    k = EventKind
    t = EventType
    entries = {
        t.CPUSample: k.StackSample,
        t.ProcsChange: k.Metric,
        t.ProcStart: k.StateTransition,
        t.ProcStop: k.StateTransition,
        t.ProcSteal: k.StateTransition,
        t.ProcStatus: k.StateTransition,
        t.GoCreate: k.StateTransition,
        t.GoCreateSyscall: k.StateTransition,
        t.GoStart: k.StateTransition,
        t.GoDestroy: k.StateTransition,
        t.GoDestroySyscall: k.StateTransition,
        t.GoStop: k.StateTransition,
        t.GoBlock: k.StateTransition,
        t.GoUnblock: k.StateTransition,
        t.GoSyscallBegin: k.StateTransition,
        t.GoSyscallEnd: k.StateTransition,
        t.GoSyscallEndBlocked: k.StateTransition,
        t.GoStatus: k.StateTransition,
        t.STWBegin: k.RangeBegin,
        t.STWEnd: k.RangeEnd,
        t.GCActive: k.RangeActive,
        t.GCBegin: k.RangeBegin,
        t.GCEnd: k.RangeEnd,
        t.GCSweepActive: k.RangeActive,
        t.GCSweepBegin: k.RangeBegin,
        t.GCSweepEnd: k.RangeEnd,
        t.GCMarkAssistActive: k.RangeActive,
        t.GCMarkAssistBegin: k.RangeBegin,
        t.GCMarkAssistEnd: k.RangeEnd,
        t.HeapAlloc: k.Metric,
        t.HeapGoal: k.Metric,
        t.GoLabel: k.Label,
        t.UserTaskBegin: k.TaskBegin,
        t.UserTaskEnd: k.TaskEnd,
        t.UserRegionBegin: k.RegionBegin,
        t.UserRegionEnd: k.RegionEnd,
        t.UserLog: k.Log,
        t.GoSwitch: k.StateTransition,
        t.GoSwitchDestroy: k.StateTransition,
        t.GoCreateBlocked: k.StateTransition,
        t.GoStatusStack: k.StateTransition,
        t.Span: k.Experimental,
        t.SpanAlloc: k.Experimental,
        t.SpanFree: k.Experimental,
        t.HeapObject: k.Experimental,
        t.HeapObjectAlloc: k.Experimental,
        t.HeapObjectFree: k.Experimental,
        t.GoroutineStack: k.Experimental,
        t.GoroutineStackAlloc: k.Experimental,
        t.GoroutineStackFree: k.Experimental,
    }
    table = [k.Bad] * 256
    for typ, kind in entries.items():
        table[typ] = kind
    table[EV_SYNC] = k.Sync
    return tuple(table)


#: ``tracev2Type2Kind``, indexed by type byte (``EV_SYNC`` included).
TYPE_TO_KIND: Final[tuple[EventKind, ...]] = _build_type_to_kind()

#: ``tracev2GoStatus2GoState`` (index = wire GoStatus; ``Bad`` maps to the zero GoState).
_GO_STATUS_TO_STATE: Final[tuple[GoState, ...]] = (
    GoState.Undetermined,
    GoState.Runnable,  # GoStatus.Runnable
    GoState.Running,  # GoStatus.Running
    GoState.Syscall,  # GoStatus.Syscall
    GoState.Waiting,  # GoStatus.Waiting
)
#: ``tracev2ProcStatus2ProcState`` (Syscall counts as Running, SyscallAbandoned as Idle).
_PROC_STATUS_TO_STATE: Final[tuple[ProcState, ...]] = (
    ProcState.Undetermined,
    ProcState.Running,  # ProcStatus.Running
    ProcState.Idle,  # ProcStatus.Idle
    ProcState.Running,  # ProcStatus.Syscall
    ProcState.Idle,  # ProcStatus.SyscallAbandoned
)
assert _GO_STATUS_TO_STATE[GoStatus.Syscall] is GoState.Syscall
assert _PROC_STATUS_TO_STATE[ProcStatus.SyscallAbandoned] is ProcState.Idle

_NUM_SPECS: Final = len(SPECS)
#: Per type: first spare ("extra") arg slot, i.e. ``len(spec.Args) - 1`` (``baseEvent.extra``).
_EXTRA_INDEX: Final[tuple[int, ...]] = tuple(max(len(s.args) - 1, 0) for s in SPECS)
#: Per type: arg slots holding stack IDs / string IDs (spec indices minus the peeled-off dt).
_STACK_ARGS: Final[tuple[tuple[int, ...], ...]] = tuple(
    tuple(i - 1 for i in s.stack_ids) for s in SPECS
)
_STRING_ARGS: Final[tuple[tuple[int, ...], ...]] = tuple(
    tuple(i - 1 for i in s.string_ids) for s in SPECS
)
_MAIN_STACK_ARG: Final[tuple[int, ...]] = tuple(
    s.stack_ids[0] - 1 if s.stack_ids else -1 for s in SPECS
)


def _extra_index(typ: int) -> int:
    """Where ``baseEvent.extra`` starts for ``typ`` (only Go122's layout exists)."""
    if typ >= _NUM_SPECS:
        raise _index_panic(typ, _NUM_SPECS)
    return _EXTRA_INDEX[typ]


# ---------------------------------------------------------------------------------------------
# Wall-clock times (the sliver of Go's time package that ClockSnapshot exposes).
#
# A clock snapshot carries a wall-clock reading as raw (sec, nsec) uvarints, which Go turns into
# time.Unix(int64(sec), int64(nsec)).  Users see it as Wall.Unix()/Wall.Nanosecond() and, in
# String(), as Wall.Format(time.RFC3339Nano).  Python's datetime covers years 1..9999 only,
# while a fuzzed trace can hold any int64, so we copy Go's arithmetic operation by operation:
# time.Unix's nsec normalisation with int64 wraparound, and the calendar computation on
# *unsigned* 64-bit "absolute" seconds (Go 1.27 time.go: absDays.split, absYday.split,
# absSeconds.clock; format.go: appendInt, appendNano), which yields garbage-but-deterministic
# dates for out-of-range instants.  The local zone is taken to be UTC (the Go helper runs with
# TZ=UTC), so the zone is always "Z".


_U64: Final = (1 << 64) - 1
_U32: Final = (1 << 32) - 1
_SECONDS_PER_DAY: Final = 86400
_ABSOLUTE_YEARS: Final = 292277022400
_MARCH_THRU_DECEMBER: Final = 31 + 30 + 31 + 30 + 31 + 31 + 30 + 31 + 30 + 31
# Go's untyped constant -(absoluteYears*365.2425 + marchThruDecember) * secondsPerDay is exact;
# absoluteYears is a multiple of 400, so the integer form below is too.
_INTERNAL_TO_ABSOLUTE: Final = (
    _ABSOLUTE_YEARS // 400 * 146097 + _MARCH_THRU_DECEMBER
) * _SECONDS_PER_DAY
_UNIX_TO_INTERNAL: Final = (1969 * 365 + 1969 // 4 - 1969 // 100 + 1969 // 400) * _SECONDS_PER_DAY
_UNIX_TO_ABSOLUTE: Final = _UNIX_TO_INTERNAL + _INTERNAL_TO_ABSOLUTE


@dataclass(frozen=True, slots=True)
class GoTime:
    """A ``time.Time`` made by ``time.Unix``: normalised Unix seconds and nanoseconds.

    ``sec`` is what ``Unix()`` returns and ``nsec`` what ``Nanosecond()`` returns (always in
    ``[0, 1e9)``).
    """

    sec: int
    nsec: int

    def unix(self) -> int:
        """``(Time).Unix``."""
        return self.sec

    def nanosecond(self) -> int:
        """``(Time).Nanosecond``."""
        return self.nsec

    def format_rfc3339(self) -> str:
        """``t.Format(time.RFC3339)`` in UTC (``appendFormatRFC3339(b, nanos=false)``)."""
        return self._format_rfc3339(nanos=False)

    def format_rfc3339nano(self) -> str:
        """``t.Format(time.RFC3339Nano)`` in UTC (``appendFormatRFC3339(b, nanos=true)``)."""
        return self._format_rfc3339(nanos=True)

    def _format_rfc3339(self, *, nanos: bool) -> str:
        abs_sec = wrap_int64(self.sec + _UNIX_TO_ABSOLUTE) & _U64
        year, month, day = _date(abs_sec // _SECONDS_PER_DAY)
        s = abs_sec % _SECONDS_PER_DAY
        hour = s // 3600
        s -= hour * 3600
        minute = s // 60
        s -= minute * 60
        return (
            f"{_append_int(year, 4)}-{_append_int(month, 2)}-{_append_int(day, 2)}"
            f"T{_append_int(hour, 2)}:{_append_int(minute, 2)}:{_append_int(s, 2)}"
            f"{_nano(self.nsec) if nanos else ''}Z"
        )

    def __str__(self) -> str:
        return self.format_rfc3339nano()


def go_unix(sec: int, nsec: int) -> GoTime:
    """Mirrors ``time.Unix(sec, nsec)`` for int64 arguments, including its int64 wraparound."""
    if nsec < 0 or nsec >= 1_000_000_000:
        n = _trunc_div(nsec, 1_000_000_000)
        sec = wrap_int64(sec + n)
        nsec -= n * 1_000_000_000
        if nsec < 0:
            nsec += 1_000_000_000
            sec = wrap_int64(sec - 1)
    # unixTime stores sec+unixToInternal and Unix() subtracts it again: with int64 wrapping
    # both ways that round-trips exactly, so keeping the normalised sec is enough.
    return GoTime(sec, nsec)


def _trunc_div(a: int, b: int) -> int:
    """Go's integer division (truncates toward zero)."""
    q = abs(a) // abs(b)
    return q if (a >= 0) == (b >= 0) else -q


def _date(days: int) -> tuple[int, int, int]:
    """``absDays.date``: year, month, day from unsigned absolute days."""
    # absDays.split
    d = (4 * days + 3) & _U64
    century = d // 146097
    cd = ((d % 146097) & _U32) | 3
    prod = 2939745 * cd  # bits.Mul32
    cyear = prod >> 32
    ayday = (prod & _U32) // 2939745 // 4
    # absYday.split
    m = (2141 * ayday + 197913) & _U32
    amonth = m >> 16
    day = 1 + (m & 0xFFFF) // 2141
    jan_feb = 1 if ayday >= _MARCH_THRU_DECEMBER else 0
    year = wrap_int64(((century * 100) & _U64) - _ABSOLUTE_YEARS)
    year = wrap_int64(year + cyear + jan_feb)
    month = amonth - jan_feb * 12
    return year, month, day


def _append_int(x: int, width: int) -> str:
    """``appendInt`` in format.go: optional ``-``, then ``|x|`` zero-padded to ``width``."""
    if x < 0:
        return "-" + str(-x).rjust(width, "0")
    return str(x).rjust(width, "0")


def _nano(nsec: int) -> str:
    """``appendNano`` for ``stdFracSecond9`` (the ``.999999999`` of RFC3339Nano)."""
    if nsec == 0:
        return ""
    return ("." + _append_int(nsec, 9)).rstrip("0")


# ---------------------------------------------------------------------------------------------
# Per-kind details.


@dataclass(frozen=True, slots=True)
class Metric:
    """Details of a Metric event (``trace.Metric``)."""

    name: str
    value: Value


@dataclass(frozen=True, slots=True)
class Label:
    """Details of a Label event (``trace.Label``)."""

    label: str
    resource: ResourceID


@dataclass(frozen=True, slots=True)
class Range:
    """Details of a RangeBegin/Active/End event (``trace.Range``)."""

    name: str
    scope: ResourceID


@dataclass(frozen=True, slots=True)
class RangeAttribute:
    """An attribute of a completed range (``trace.RangeAttribute``)."""

    name: str
    value: Value


@dataclass(frozen=True, slots=True)
class Task:
    """Details of a TaskBegin/End event (``trace.Task``); IDs are uint64."""

    id: int
    parent: int
    type: str


@dataclass(frozen=True, slots=True)
class Region:
    """Details of a RegionBegin/End event (``trace.Region``)."""

    task: int
    type: str


@dataclass(frozen=True, slots=True)
class Log:
    """Details of a Log event (``trace.Log``)."""

    task: int
    category: str
    message: str


@dataclass(frozen=True, slots=True)
class ClockSnapshot:
    """Near-simultaneous trace, monotonic and wall clock readings (``trace.ClockSnapshot``)."""

    trace: int
    wall: GoTime
    mono: int


@dataclass(frozen=True, slots=True)
class ExperimentalBatch:
    """Unparsed experimental data written by one thread (``trace.ExperimentalBatch``)."""

    thread: int
    data: bytes


@dataclass(frozen=True, slots=True)
class Sync:
    """Details of a Sync event (``trace.Sync``).

    ``experimental_batches`` is ``None`` where Go's map is nil (a Sync without a table) and a
    dict (possibly empty) otherwise; Go's map has no order, ours is the table's order.
    """

    n: int
    clock_snapshot: ClockSnapshot | None
    experimental_batches: dict[str, list[ExperimentalBatch]] | None


@dataclass(frozen=True, slots=True)
class ExperimentalEvent:
    """A raw view of an experimental event (``trace.ExperimentalEvent``)."""

    name: str
    experiment: str
    args: tuple[str, ...]
    table: EvTable | None = field(repr=False, compare=False)
    arg_values: tuple[int, ...] = field()

    def arg_value(self, i: int) -> Value:
        """Mirrors ``(ExperimentalEvent).ArgValue``: a string for ``*string`` args, else uint64."""
        if i < 0 or i >= len(self.args):
            raise GoPanic(
                f"experimental event argument index {i} out of bounds [0, {len(self.args)})"
            )
        if self.args[i].endswith("string"):
            return string_value(must_get_string(self.table, self.arg_values[i]))
        return uint64_value(self.arg_values[i])


# ---------------------------------------------------------------------------------------------
# Event.


class Event:
    """A single trace event (``trace.Event``): table, scheduling context and wire record.

    ``kind``, ``time``, ``goroutine``, ``proc``, ``thread`` and ``stack`` are properties; the
    per-kind details are methods (they can be costly, and Go's panic on a wrong kind).

    A plain class with ``__slots__`` and an explicit ``__init__`` rather than a frozen
    dataclass: the parser builds one per event, and a dataclass's generated ``__init__`` stays
    interpreted (and stores through ``object.__setattr__``) even in the mypyc build
    (README, "Compiled build").  Treat it as immutable all the same.
    """

    __slots__ = ("table", "ctx", "base")

    table: EvTable | None
    ctx: SchedCtx
    base: BaseEvent

    def __init__(self, table: EvTable | None, ctx: SchedCtx, base: BaseEvent) -> None:
        self.table = table
        self.ctx = ctx
        self.base = base

    @property
    def kind(self) -> EventKind:
        """Mirrors ``(Event).Kind``."""
        return TYPE_TO_KIND[self.base.typ]

    @property
    def time(self) -> int:
        """Mirrors ``(Event).Time``: nanoseconds, int64."""
        return self.base.time

    @property
    def goroutine(self) -> int:
        """Mirrors ``(Event).Goroutine``: the goroutine running *before* the event, or -1."""
        return self.ctx.g

    @property
    def proc(self) -> int:
        """Mirrors ``(Event).Proc``."""
        return self.ctx.p

    @property
    def thread(self) -> int:
        """Mirrors ``(Event).Thread``."""
        return self.ctx.m

    @property
    def stack(self) -> Stack:
        """Mirrors ``(Event).Stack``: the stack of the current execution context.

        CPU samples keep their raw stack ID even when it is 0 (an empty, non-``NO_STACK``
        stack); every other event maps ID 0 to ``NO_STACK``.
        """
        typ = self.base.typ
        if typ == EV_SYNC:
            return NO_STACK
        if typ == EventType.CPUSample:
            return Stack(self.table, self.base.args[0])
        if typ >= _NUM_SPECS:
            raise _index_panic(typ, _NUM_SPECS)
        i = _MAIN_STACK_ARG[typ]
        if i < 0:
            return NO_STACK
        id_ = self.base.args[i]
        if id_ == 0:
            return NO_STACK
        return Stack(self.table, id_)

    def metric(self) -> Metric:
        """Mirrors ``(Event).Metric``."""
        if self.kind != EventKind.Metric:
            raise GoPanic("Metric called on non-Metric event")
        name = _METRIC_NAMES.get(self.base.typ)
        if name is None:
            raise GoPanic(
                "internal error: unexpected wire-format event type for Metric kind: "
                f"{self.base.typ}"
            )
        return Metric(name, uint64_value(self.base.args[0]))

    def label(self) -> Label:
        """Mirrors ``(Event).Label``: the label applies to the running goroutine."""
        if self.kind != EventKind.Label:
            raise GoPanic("Label called on non-Label event")
        if self.base.typ != EventType.GoLabel:
            raise GoPanic(
                "internal error: unexpected wire-format event type for Label kind: "
                f"{self.base.typ}"
            )
        return Label(
            must_get_string(self.table, self.base.args[0]),
            ResourceID(ResourceKind.Goroutine, self.ctx.g),
        )

    def range(self) -> Range:
        """Mirrors ``(Event).Range``.

        STWEnd reads its kind string from ``args[0]``, where the ordering code put the kind of
        the matching STWBegin (possibly from an earlier generation, hence possibly missing
        from this table: Go panics then).
        """
        kind = self.kind
        if kind not in (EventKind.RangeBegin, EventKind.RangeActive, EventKind.RangeEnd):
            raise GoPanic("Range called on non-Range event")
        typ = self.base.typ
        t = EventType
        if typ == t.STWBegin or typ == t.STWEnd:
            name = "stop-the-world (" + must_get_string(self.table, self.base.args[0]) + ")"
            return Range(name, ResourceID(ResourceKind.Goroutine, self.ctx.g))
        if typ in (t.GCBegin, t.GCActive, t.GCEnd):
            return Range("GC concurrent mark phase", ResourceID(ResourceKind.None_, 0))
        if typ in (t.GCSweepBegin, t.GCSweepActive, t.GCSweepEnd):
            from_arg = typ == t.GCSweepActive and _release_of(self).sweep_active_scope_from_arg
            pid = as_int64(self.base.args[0]) if from_arg else self.ctx.p
            return Range("GC incremental sweep", ResourceID(ResourceKind.Proc, pid))
        if typ in (t.GCMarkAssistBegin, t.GCMarkAssistActive, t.GCMarkAssistEnd):
            gid = as_int64(self.base.args[0]) if typ == t.GCMarkAssistActive else self.ctx.g
            return Range("GC mark assist", ResourceID(ResourceKind.Goroutine, gid))
        raise GoPanic(f"internal error: unexpected wire-event type for Range kind: {typ}")

    def range_attributes(self) -> list[RangeAttribute] | None:
        """Mirrors ``(Event).RangeAttributes``: only GCSweepEnd has any; ``None`` is Go's nil."""
        if self.kind != EventKind.RangeEnd:
            raise GoPanic("Range called on non-Range event")
        if self.base.typ != EventType.GCSweepEnd:
            return None
        args = self.base.args
        return [
            RangeAttribute("bytes swept", uint64_value(args[0])),
            RangeAttribute("bytes reclaimed", uint64_value(args[1])),
        ]

    def task(self) -> Task:
        """Mirrors ``(Event).Task``; a TaskEnd's parent and type were smuggled in by ordering."""
        kind = self.kind
        if kind != EventKind.TaskBegin and kind != EventKind.TaskEnd:
            raise GoPanic("Task called on non-Task event")
        args = self.base.args
        typ = self.base.typ
        if typ == EventType.UserTaskBegin:
            parent = args[1]
            type_ = must_get_string(self.table, args[2])
        elif typ == EventType.UserTaskEnd:
            x = _extra_index(typ)
            parent = args[x]
            type_ = _get_extra_string(self.table, args[x + 1])
        else:
            raise GoPanic(
                f"internal error: unexpected wire-format event type for Task kind: {typ}"
            )
        return Task(args[0], parent, type_)

    def region(self) -> Region:
        """Mirrors ``(Event).Region``."""
        kind = self.kind
        if kind != EventKind.RegionBegin and kind != EventKind.RegionEnd:
            raise GoPanic("Region called on non-Region event")
        typ = self.base.typ
        if typ != EventType.UserRegionBegin and typ != EventType.UserRegionEnd:
            raise GoPanic(
                f"internal error: unexpected wire-format event type for Region kind: {typ}"
            )
        return Region(self.base.args[0], must_get_string(self.table, self.base.args[1]))

    def log(self) -> Log:
        """Mirrors ``(Event).Log``."""
        if self.kind != EventKind.Log:
            raise GoPanic("Log called on non-Log event")
        if self.base.typ != EventType.UserLog:
            raise GoPanic(
                f"internal error: unexpected wire-format event type for Log kind: {self.base.typ}"
            )
        args = self.base.args
        return Log(
            args[0],
            must_get_string(self.table, args[1]),
            must_get_string(self.table, args[2]),
        )

    def state_transition(self) -> StateTransition:
        """Mirrors ``(Event).StateTransition``.

        Old states the wire does not carry were smuggled in by the ordering code: a
        ProcStatus's old ``ProcState`` in its first spare slot, a ProcSteal's pre-steal
        ``ProcStatus`` likewise, and a GoStatus's old ``GoState`` in the high 32 bits of
        ``args[2]``.
        """
        if self.kind != EventKind.StateTransition:
            raise GoPanic("StateTransition called on non-StateTransition event")
        handler = _TRANSITIONS.get(self.base.typ)
        if handler is None:
            raise GoPanic(
                "internal error: unexpected wire-format event type for StateTransition kind: "
                f"{self.base.typ}"
            )
        return handler(self)

    def sync(self) -> Sync:
        """Mirrors ``(Event).Sync``; an unknown experiment ID in the table makes Go panic."""
        if self.kind != EventKind.Sync:
            raise GoPanic("Sync called on non-Sync event")
        n = as_int64(self.base.args[0])
        table = self.table
        if table is None:
            return Sync(n, None, None)
        batches: dict[str, list[ExperimentalBatch]] = {}
        for exp, bs in table.exp_batches.items():
            if not 0 <= exp < len(EXPERIMENTS):
                raise _index_panic(exp, len(EXPERIMENTS))
            batches[EXPERIMENTS[exp]] = [ExperimentalBatch(t, d) for t, d in bs]
        clock = None
        sd = table.sync
        if sd.has_clock_snapshot:
            clock = ClockSnapshot(
                freq_mul(sd.freq, sd.snap_time),
                go_unix(sd.snap_wall_sec, sd.snap_wall_nsec),
                sd.snap_mono,
            )
        return Sync(n, clock, batches)

    def experimental(self) -> ExperimentalEvent:
        """Mirrors ``(Event).Experimental``."""
        if self.kind != EventKind.Experimental:
            raise GoPanic("Experimental called on non-Experimental event")
        spec = SPECS[self.base.typ]
        names = spec.args[1:]
        if spec.experiment >= len(EXPERIMENTS):
            raise _index_panic(spec.experiment, len(EXPERIMENTS))
        return ExperimentalEvent(
            spec.name,
            EXPERIMENTS[spec.experiment],
            names,
            self.table,
            tuple(self.base.args[: len(names)]),
        )

    def experimental_data(self) -> list[ExperimentalBatch] | None:
        """Go 1.22-1.24's ``ExperimentalEvent.Data.Batches``: the generation's batches of the
        event's experiment (``None`` for none), which Go 1.25 moved to ``Sync()``
        (event.go:664-672 in 1.24.11; :attr:`Release.experimental_arg_values`)."""
        if self.kind != EventKind.Experimental:
            raise GoPanic("Experimental called on non-Experimental event")
        table = self.table
        bs = None if table is None else table.exp_batches.get(SPECS[self.base.typ].experiment)
        return None if bs is None else [ExperimentalBatch(t, d) for t, d in bs]

    @property
    def release(self) -> Release:
        """The Go release whose event API this event follows (see :func:`_release_of`)."""
        return _release_of(self)

    def go_string(self) -> str:
        """Mirrors ``(Event).String`` (Go 1.27), wall times in UTC.

        Kept quirks: a Metric's value prints as ``Value{Uint64(N)}`` (Go computes a quoted
        form and then ignores it), and a transition or sample whose stack handle is an empty
        non-``NO_STACK`` stack prints a bare ``TransitionStack=`` / ``Stack=`` header.
        """
        parts = [
            f"M={self.ctx.m} P={self.ctx.p} G={self.ctx.g}",
            f" {KIND_NAMES[self.kind]} Time={self.base.time}",
        ]
        kind = self.kind
        k = EventKind
        rel = _release_of(self)
        # Go 1.24 and older print values with valueAsString (Release.value_string_method).
        value_str: Callable[[Value], str] = str if rel.value_string_method else value_as_string
        if kind == k.Metric:
            m = self.metric()
            parts.append(f" Name={quote(m.name)} Value={value_str(m.value)}")
        elif kind == k.Label:
            lb = self.label()
            parts.append(f" Label={quote(lb.label)} Resource={lb.resource.go_string()}")
        elif kind in (k.RangeBegin, k.RangeActive, k.RangeEnd):
            r = self.range()
            parts.append(f" Name={quote(r.name)} Scope={r.scope.go_string()}")
            if kind == k.RangeEnd:
                attrs = self.range_attributes() or []
                inner = " ".join(f"{quote(a.name)}={value_str(a.value)}" for a in attrs)
                parts.append(f" Attributes=[{inner}]")
        elif kind in (k.TaskBegin, k.TaskEnd):
            t = self.task()
            parts.append(f" ID={t.id} Parent={t.parent} Type={quote(t.type)}")
        elif kind in (k.RegionBegin, k.RegionEnd):
            rg = self.region()
            parts.append(f" Task={rg.task} Type={quote(rg.type)}")
        elif kind == k.Log:
            lg = self.log()
            parts.append(
                f" Task={lg.task} Category={quote(lg.category)} Message={quote(lg.message)}"
            )
        elif kind == k.StateTransition:
            s = self.state_transition()
            if rel.transition_string_resource_first:
                parts.append(f" Resource={s.resource.go_string()} Reason={quote(s.reason)}")
            rk = s.resource.kind
            if rk == ResourceKind.Goroutine:
                old, new = s.goroutine()
                parts.append(f" GoID={s.resource.goroutine()} {GO_STATE_NAMES[old]}->{GO_STATE_NAMES[new]}")
            elif rk == ResourceKind.Proc:
                pold, pnew = s.proc()
                parts.append(f" ProcID={s.resource.proc()} {PROC_STATE_NAMES[pold]}->{PROC_STATE_NAMES[pnew]}")
            if not rel.transition_string_resource_first:
                parts.append(f" Reason={quote(s.reason)}")
            if s.stack != NO_STACK:
                parts.append("\nTransitionStack=\n")
                parts.append(_stack_text(s.stack))
        elif kind == k.Experimental:
            x = self.experimental()
            if rel.experimental_arg_values:
                inner = ", ".join(f"{a}={x.arg_value(i)}" for i, a in enumerate(x.args))
                parts.append(f" Name={x.name} Args=[{inner}]")
            else:
                # Go 1.24 and older: " Name=%s ArgNames=%v Args=%v" of the raw arguments.
                parts.append(
                    f" Name={x.name} ArgNames=[{' '.join(x.args)}] "
                    f"Args=[{' '.join(str(a) for a in x.arg_values)}]"
                )
        elif kind == k.Sync and rel.sync_api:
            sy = self.sync()
            parts.append(f" N={sy.n}")
            c = sy.clock_snapshot
            if c is not None:
                wall = (c.wall.format_rfc3339nano() if rel.sync_wall_nanos
                        else c.wall.format_rfc3339())
                parts.append(f" Trace={c.trace} Mono={c.mono} Wall={wall}")
        stk = self.stack
        if stk != NO_STACK:
            parts.append("\nStack=\n")
            parts.append(_stack_text(stk))
        return "".join(parts)

    def __str__(self) -> str:
        return self.go_string()

    def __repr__(self) -> str:
        # The table is a whole generation's worth of data: leave it out.
        typ = self.base.typ
        name = "Sync" if typ == EV_SYNC else SPECS[typ].name if typ < _NUM_SPECS else str(typ)
        return (
            f"Event({name or typ}, time={self.base.time}, ctx={tuple(self.ctx)}, "
            f"args={self.base.args})"
        )


_METRIC_NAMES: Final[dict[int, str]] = {
    EventType.ProcsChange: "/sched/gomaxprocs:threads",
    EventType.HeapAlloc: "/memory/classes/heap/objects:bytes",
    EventType.HeapGoal: "/gc/heap/goal:bytes",
}


def _stack_text(stk: Stack) -> str:
    """``printStack("\t", stk.Frames())``, from the table's cache (a stack that panics is
    not cached: it panics again on every use, as in Go)."""
    table = stk.table
    if table is None:
        return print_stack("\t", stk.frames())
    text = table.stack_text.get(stk.id)
    if text is None:
        text = table.stack_text[stk.id] = print_stack("\t", stk.frames())
    return text


def _release_of(e: Event) -> Release:
    """The release whose event API ``e`` follows (its table's; the pinned one without)."""
    return e.table.release if e.table is not None else CURRENT_RELEASE


def _get_extra_string(table: EvTable | None, id_: int) -> str:
    """``evTable.getExtraString``: 0 is ""; an ID the table never issued is Go's index panic."""
    if id_ == 0:
        return ""
    if table is None:
        raise GoPanic(NIL_DEREF)
    n = len(table.extra_strings)
    if id_ - 1 >= n:
        raise _index_panic(id_ - 1, n)
    return table.extra_strings[id_ - 1]


# ---------------------------------------------------------------------------------------------
# StateTransition per wire type (the cases of Go's switch, one function each).


def _st_proc_start(e: Event) -> StateTransition:
    return make_proc_state_transition(as_int64(e.base.args[0]), ProcState.Idle, ProcState.Running)


def _st_proc_stop(e: Event) -> StateTransition:
    return make_proc_state_transition(e.ctx.p, ProcState.Running, ProcState.Idle)


def _st_proc_steal(e: Event) -> StateTransition:
    # A steal from a SyscallAbandoned P lost the P's real state; Go calls it Idle -> Idle.
    before = ProcState.Running
    if e.base.args[_extra_index(e.base.typ)] & 0xFF == ProcStatus.SyscallAbandoned:
        before = ProcState.Idle
    return make_proc_state_transition(as_int64(e.base.args[0]), before, ProcState.Idle)


def _st_proc_status(e: Event) -> StateTransition:
    args = e.base.args
    status = args[1]
    if status >= len(_PROC_STATUS_TO_STATE):
        # The ordering code range-checks the uint8-truncated status; the accessor indexes
        # with the full uint64 (e.g. 257), so Go panics here.
        raise _index_panic(status, len(_PROC_STATUS_TO_STATE))
    old = args[_extra_index(e.base.typ)] & 0xFF
    return make_proc_state_transition(as_int64(args[0]), old, _PROC_STATUS_TO_STATE[status])


def _st_go_create(e: Event) -> StateTransition:
    to = GoState.Waiting if e.base.typ == EventType.GoCreateBlocked else GoState.Runnable
    # The new goroutine's start stack, raw: ID 0 is an empty stack, not NO_STACK.
    return make_go_state_transition(
        as_int64(e.base.args[0]), GoState.NotExist, to, stack=Stack(e.table, e.base.args[1])
    )


def _st_go_create_syscall(e: Event) -> StateTransition:
    return make_go_state_transition(as_int64(e.base.args[0]), GoState.NotExist, GoState.Syscall)


def _st_go_start(e: Event) -> StateTransition:
    return make_go_state_transition(as_int64(e.base.args[0]), GoState.Runnable, GoState.Running)


def _st_go_destroy(e: Event) -> StateTransition:
    return make_go_state_transition(e.ctx.g, GoState.Running, GoState.NotExist)


def _st_go_destroy_syscall(e: Event) -> StateTransition:
    return make_go_state_transition(e.ctx.g, GoState.Syscall, GoState.NotExist)


def _st_go_stop(e: Event) -> StateTransition:
    reason = must_get_string(e.table, e.base.args[0])
    return make_go_state_transition(
        e.ctx.g, GoState.Running, GoState.Runnable, reason=reason, stack=e.stack
    )


def _st_go_block(e: Event) -> StateTransition:
    reason = must_get_string(e.table, e.base.args[0])
    return make_go_state_transition(
        e.ctx.g, GoState.Running, GoState.Waiting, reason=reason, stack=e.stack
    )


def _st_go_unblock(e: Event) -> StateTransition:
    # GoSwitch and GoSwitchDestroy first unblock the goroutine they name, just like GoUnblock.
    return make_go_state_transition(as_int64(e.base.args[0]), GoState.Waiting, GoState.Runnable)


def _st_go_syscall_begin(e: Event) -> StateTransition:
    return make_go_state_transition(e.ctx.g, GoState.Running, GoState.Syscall, stack=e.stack)


def _st_go_syscall_end(e: Event) -> StateTransition:
    return make_go_state_transition(e.ctx.g, GoState.Syscall, GoState.Running)


def _st_go_syscall_end_blocked(e: Event) -> StateTransition:
    return make_go_state_transition(e.ctx.g, GoState.Syscall, GoState.Runnable)


def _st_go_status(e: Event) -> StateTransition:
    packed = e.base.args[2]
    if _release_of(e).go_status_packed:
        old, to = packed >> 32, packed & 0xFFFFFFFF
    else:
        # Go 1.23: the wire status, not its uint8 the ordering accepted, indexes the table
        # (finding 6: gstatus 258 panics).
        old, to = packed >> 64, packed & 0xFFFFFFFFFFFFFFFF
    if to >= len(_GO_STATUS_TO_STATE):
        raise _index_panic(to, len(_GO_STATUS_TO_STATE))
    # The event's own stack only from Go 1.26 on (Release.go_status_transition_stack).
    stack = e.stack if _release_of(e).go_status_transition_stack else NO_STACK
    return make_go_state_transition(as_int64(e.base.args[0]), old, _GO_STATUS_TO_STATE[to], stack=stack)


_TRANSITIONS: Final[dict[int, Callable[[Event], StateTransition]]] = {
    EventType.ProcStart: _st_proc_start,
    EventType.ProcStop: _st_proc_stop,
    EventType.ProcSteal: _st_proc_steal,
    EventType.ProcStatus: _st_proc_status,
    EventType.GoCreate: _st_go_create,
    EventType.GoCreateBlocked: _st_go_create,
    EventType.GoCreateSyscall: _st_go_create_syscall,
    EventType.GoStart: _st_go_start,
    EventType.GoDestroy: _st_go_destroy,
    EventType.GoDestroySyscall: _st_go_destroy_syscall,
    EventType.GoStop: _st_go_stop,
    EventType.GoBlock: _st_go_block,
    EventType.GoUnblock: _st_go_unblock,
    EventType.GoSwitch: _st_go_unblock,
    EventType.GoSwitchDestroy: _st_go_unblock,
    EventType.GoSyscallBegin: _st_go_syscall_begin,
    EventType.GoSyscallEnd: _st_go_syscall_end,
    EventType.GoSyscallEndBlocked: _st_go_syscall_end_blocked,
    EventType.GoStatus: _st_go_status,
    EventType.GoStatusStack: _st_go_status,
}


# ---------------------------------------------------------------------------------------------
# Parser-side helpers.


#: Per type byte (all 256): ``None`` when the event names no table IDs (and for ``EV_SYNC``),
#: otherwise the arg slots of its stack IDs and of its string IDs.  Types past the spec table,
#: which Go's validateTableIDs indexes out of range, get ``((), ())``: not ``None``, so the
#: reader calls :func:`validate_table_ids`, which raises Go's panic for them.  (It tests the
#: type, not the entry's identity: the mypyc build unboxes fixed-length tuples, so an ``is``
#: check against a tuple constant would silently never match there.)
_TABLE_ID_ARGS: Final[tuple[tuple[tuple[int, ...], tuple[int, ...]] | None, ...]] = tuple(
    None
    if t == EV_SYNC or (t < _NUM_SPECS and not _STACK_ARGS[t] and not _STRING_ARGS[t])
    else (_STACK_ARGS[t], _STRING_ARGS[t]) if t < _NUM_SPECS
    else ((), ())
    for t in range(256)
)
#: Per type byte: ``None`` when :func:`validate_table_ids` has nothing to check for it, so
#: that the reader can skip the call.
TABLE_ID_ARGS: Final = _TABLE_ID_ARGS


def validate_table_ids(ev: Event) -> None:
    """Mirrors ``(Event).validateTableIDs``: every stack and string ID the event names exists.

    Stacks are checked before strings, each in spec order, and the first miss is the error.
    (Frame strings were validated when the stack table was read.)  This runs for every event
    the reader returns, so it looks the IDs up in the tables' dicts directly (ID 0, which
    every table holds implicitly, never reaches the dict test).
    """
    base = ev.base
    typ = base.typ
    if typ >= _NUM_SPECS and typ != EV_SYNC:
        raise _index_panic(typ, _NUM_SPECS)
    id_args = _TABLE_ID_ARGS[typ]
    if id_args is None:
        return
    table = ev.table
    if table is None:
        raise GoPanic(NIL_DEREF)
    args = base.args
    stack_args, string_args = id_args
    if stack_args:
        stacks = table.stacks.entries
        for i in stack_args:
            id_ = args[i]
            if id_ and id_ not in stacks:
                raise TraceError(f"found invalid stack ID {id_} for event {SPECS[typ].name}")
    if string_args:
        strings = table.strings.entries
        for i in string_args:
            id_ = args[i]
            if id_ and id_ not in strings:
                raise TraceError(f"found invalid string ID {id_} for event {SPECS[typ].name}")


def new_event(table: EvTable | None, ctx: SchedCtx, base: BaseEvent) -> Event:
    """``Event(table, ctx, base)``, for the parser's per-event paths."""
    return Event(table, ctx, base)


def new_event_copying_base(table: EvTable | None, ctx: SchedCtx, base: BaseEvent) -> Event:
    """``Event(table, ctx, copy of base)``: Go's ``Event{table: t, ctx: c, base: *b}``.

    The ordering queues one of these per event, hence the single call.
    """
    return Event(table, ctx, BaseEvent(base.typ, base.time, base.args.copy()))


def sync_event(table: EvTable | None, ts: int, n: int) -> Event:
    """Mirrors ``syncEvent``: a synthesized Sync event with no scheduling context."""
    args = [0] * (MAX_TIMED_EVENT_ARGS - 1)
    args[0] = n
    return new_event(table, NO_CTX, BaseEvent(EV_SYNC, ts, args))
