"""The scheduler state machine that validates events and puts them in a legal order.

Mirrors ``internal/trace/order.go`` of the pinned Go, function by function.

Theory of operation
-------------------
Each M (thread) writes its own stream of events; the reader merges those streams.  Timestamps
alone cannot be trusted to interleave them, so the reader offers the earliest pending event of
each M to :meth:`Ordering.advance`, which replays a model of the Go scheduler:

* ``g_states`` / ``p_states`` / ``m_states`` hold what we know about each goroutine, proc and
  thread: wire status, a per-generation sequence counter (:class:`SeqCounter`), and for G and P
  the "special ranges" in flight (STW, mark assist, sweep) and a G's user regions.
* An event whose preconditions are not met *yet* (the goroutine it starts has not been unblocked
  on another M, a sequence number is ahead, ...) makes its handler return ``None``: the reader
  then tries another M.  An event that can never be valid raises :class:`TraceError`.
* An event that can proceed updates the model and is appended, as a public
  :class:`~oracle.parser.event.Event`, to the FIFO ``queue``.  A few handlers queue more than one event
  (GoSwitch, GoDestroySyscall) or rewrite argument slots so that the public API can later report
  information only the model knows (old states, the STW kind, a task's parent and name).  Each
  such rewrite goes through one named ``_smuggle_*`` / ``_rewrite_*`` helper below.

The scheduling context (:class:`~oracle.parser.base.SchedCtx`, the G/P/M an event ran on) is the one
the M had *before* the event; the handler returns the context the M has *after* it, and
``advance`` stores that into the M's state.  A handler therefore returns ``SchedCtx`` when it
advanced and ``None`` when it cannot advance yet; this replaces Go's ``(schedCtx, bool, error)``.

Per-event knowledge lives only in :data:`ORDERING_DISPATCH` (semantics) and
:mod:`oracle.parser.tracev2` (wire format).

Places where Go's behaviour is not deterministic or not obvious, and what we do:

* Go keeps its states in maps.  Only two places iterate them: the ProcSyscallAbandoned
  promotion in :meth:`Ordering.advance_proc_status` (which M holds the proc; the *last* match
  in iteration order wins) and :func:`dump_ordering` (the ``broken trace`` error dump).  We
  iterate in insertion order (Python ``dict``), which is one of the orders Go may pick.
* IDs are decoded like Go: ``GoID``/``ProcID``/``ThreadID`` are the int64 reinterpretation of
  the uint64 wire value (:func:`~oracle.parser.base.as_int64`), ``TaskID`` and string IDs stay uint64,
  and status arguments are truncated to ``uint8`` before they are checked.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from enum import IntEnum
from typing import Callable, Final, NamedTuple

from mypy_extensions import mypyc_attr

from oracle.parser.releases import CURRENT, Release
from oracle.parser.base import (
    BACKGROUND_TASK,
    NO_CTX,
    NO_GOROUTINE,
    NO_PROC,
    NO_TASK,
    NO_THREAD,
    U64_MASK,
    BaseEvent,
    EvTable,
    SchedCtx,
    as_int64,
    as_uint64,
    sched_ctx,
)
from oracle.parser.errors import TraceError
from oracle.parser.event import Event, new_event
from oracle.parser.resources import GoState, ProcState
from oracle.parser.tracev2 import MAX_TIMED_EVENT_ARGS, SPECS, EventType, GoStatus, ProcStatus
from oracle.parser.version import Version

__all__ = [
    "ORDERING_DISPATCH",
    "USER_GO_REQS",
    "Constraint",
    "GCState",
    "GState",
    "MState",
    "Ordering",
    "OrderingHandler",
    "PState",
    "RangeType",
    "SchedReqs",
    "SeqCounter",
    "TaskState",
    "UserRegion",
    "dump_ordering",
    "make_event",
    "make_range_type",
    "make_seq",
    "validate_ctx",
]

# ---------------------------------------------------------------------------------------------
# Public-API states (GoState / ProcState, resources.go) by wire status: Go's
# tracev2GoStatus2GoState / tracev2ProcStatus2ProcState (event.go).  Their length (5) is the
# bound Go checks a status against, so the wire status Bad (0) is *accepted* and maps to the
# array's zero value, Undetermined.  Ordering smuggles these values into status events.
# ---------------------------------------------------------------------------------------------

_GO_STATUS_TO_STATE: Final[tuple[int, ...]] = (
    int(GoState.Undetermined),  # GoBad: zero value of the Go array
    int(GoState.Runnable),  # GoRunnable
    int(GoState.Running),  # GoRunning
    int(GoState.Syscall),  # GoSyscall
    int(GoState.Waiting),  # GoWaiting
)
_PROC_STATUS_TO_STATE: Final[tuple[int, ...]] = (
    int(ProcState.Undetermined),  # ProcBad: zero value of the Go array
    int(ProcState.Running),  # ProcRunning
    int(ProcState.Idle),  # ProcIdle
    int(ProcState.Running),  # ProcSyscall
    int(ProcState.Idle),  # ProcSyscallAbandoned
)
_GO_UNDETERMINED: Final = int(GoState.Undetermined)
_PROC_UNDETERMINED: Final = int(ProcState.Undetermined)
_PROC_NOT_EXIST: Final = int(ProcState.NotExist)
_PROC_RUNNING: Final = int(ProcState.Running)
_PROC_IDLE: Final = int(ProcState.Idle)

# Event types compared in handlers, as plain ints (an IntEnum member lookup and comparison
# costs several times more).
_EV_GO_CREATE_BLOCKED: Final = int(EventType.GoCreateBlocked)
_EV_GO_DESTROY: Final = int(EventType.GoDestroy)
_EV_GO_STOP: Final = int(EventType.GoStop)
_EV_GO_BLOCK: Final = int(EventType.GoBlock)
_EV_GO_SWITCH: Final = int(EventType.GoSwitch)
_EV_GO_SWITCH_DESTROY: Final = int(EventType.GoSwitchDestroy)
_EV_STW_BEGIN: Final = int(EventType.STWBegin)
_EV_STW_END: Final = int(EventType.STWEnd)
_EV_GO_START: Final = int(EventType.GoStart)
_EV_GO_UNBLOCK: Final = int(EventType.GoUnblock)
_EV_GO_CREATE: Final = int(EventType.GoCreate)
#: The AllocFree experiment's types (Span .. GoroutineStackFree) are consecutive.
_EV_ALLOC_FREE_FIRST: Final = int(EventType.Span)
_EV_ALLOC_FREE_LAST: Final = int(EventType.GoroutineStackFree)

# Wire statuses as plain ints: states store ints (fast comparisons), and error text goes
# through GoStatus(...)/ProcStatus(...) whose str() is Go's String().
_G_RUNNABLE: Final = int(GoStatus.Runnable)
_G_RUNNING: Final = int(GoStatus.Running)
_G_SYSCALL: Final = int(GoStatus.Syscall)
_G_WAITING: Final = int(GoStatus.Waiting)
_P_RUNNING: Final = int(ProcStatus.Running)
_P_IDLE: Final = int(ProcStatus.Idle)
_P_SYSCALL: Final = int(ProcStatus.Syscall)
_P_SYSCALL_ABANDONED: Final = int(ProcStatus.SyscallAbandoned)


# ---------------------------------------------------------------------------------------------
# Scheduling requirements.
# ---------------------------------------------------------------------------------------------


class Constraint(IntEnum):
    """How an event relates to one scheduling resource (``constraint``)."""

    MUST_NOT_HAVE = 0
    MAY_HAVE = 1
    MUST_HAVE = 2


class SchedReqs(NamedTuple):
    """Constraints on the M, P and G of an event's context (``schedReqs``)."""

    m: Constraint
    p: Constraint
    g: Constraint


# validate_ctx's fast path relies on "none" being the same value for all three resources.
assert (NO_GOROUTINE, NO_PROC, NO_THREAD) == (-1, -1, -1)

_MUST_NOT: Final = Constraint.MUST_NOT_HAVE
_MAY: Final = Constraint.MAY_HAVE
_MUST: Final = Constraint.MUST_HAVE

#: Events that run user code, or nearly so: M, P and G all required (``userGoReqs``).
USER_GO_REQS: Final = SchedReqs(m=_MUST, p=_MUST, g=_MUST)
# The other requirement sets Go spells inline; built once here so handlers do not allocate.
_REQS_PROC_START: Final = SchedReqs(m=_MUST, p=_MUST_NOT, g=_MAY)
_REQS_PROC_STOP: Final = SchedReqs(m=_MUST, p=_MUST, g=_MAY)
_REQS_PROC_STEAL: Final = SchedReqs(m=_MUST, p=_MAY, g=_MAY)
_REQS_GO_CREATE: Final = SchedReqs(m=_MUST, p=_MUST, g=_MAY)
_REQS_GO_START: Final = SchedReqs(m=_MUST, p=_MUST, g=_MUST_NOT)
_REQS_GO_SYSCALL_END_BLOCKED: Final = SchedReqs(m=_MUST, p=_MAY, g=_MUST)
_REQS_GO_CREATE_SYSCALL: Final = SchedReqs(m=_MUST, p=_MAY, g=_MUST_NOT)
_REQS_GO_DESTROY_SYSCALL: Final = SchedReqs(m=_MUST, p=_MAY, g=_MUST)
_REQS_HEAP_METRIC: Final = SchedReqs(m=_MUST, p=_MUST, g=_MAY)
_REQS_GC_SWEEP: Final = SchedReqs(m=_MUST, p=_MUST, g=_MAY)
_REQS_ALLOC_FREE: Final = SchedReqs(m=_MUST, p=_MAY, g=_MAY)


def validate_ctx(ctx: SchedCtx, reqs: SchedReqs) -> None:
    """Raise unless ``ctx`` meets ``reqs``, checking M, then P, then G.

    Mirrors validateCtx (order.go).
    """
    # Fast path for the most common requirements: with all three resources required, the
    # context is valid exactly when none of its IDs is "none" (-1 for G, P and M alike).
    if reqs is USER_GO_REQS and -1 not in ctx:
        return
    g, p, m = ctx
    req_m, req_p, req_g = reqs
    if req_m == _MUST and m == NO_THREAD:
        raise TraceError("expected a thread but didn't have one")
    elif req_m == _MUST_NOT and m != NO_THREAD:
        raise TraceError("expected no thread but had one")

    if req_p == _MUST and p == NO_PROC:
        raise TraceError("expected a proc but didn't have one")
    elif req_p == _MUST_NOT and p != NO_PROC:
        raise TraceError("expected no proc but had one")

    if req_g == _MUST and g == NO_GOROUTINE:
        raise TraceError("expected a goroutine but didn't have one")
    elif req_g == _MUST_NOT and g != NO_GOROUTINE:
        raise TraceError("expected no goroutine but had one")


# ---------------------------------------------------------------------------------------------
# Sequence counters, ranges, regions, per-resource state.
# ---------------------------------------------------------------------------------------------


class SeqCounter(NamedTuple):
    """A resource's sequence number, local to a generation (``seqCounter``).

    Immutable, as Go copies it by value: code replaces a resource's counter, never mutates it.
    """

    gen: int
    seq: int

    def succeeds(self, b: SeqCounter) -> bool:
        """Whether ``self`` immediately follows ``b``: same generation, ``seq`` one higher.

        Mirrors (seqCounter).succeeds (order.go), including uint64 wraparound of ``b.seq+1``.
        """
        return self.gen == b.gen and self.seq == ((b.seq + 1) & U64_MASK)

    def __str__(self) -> str:
        # Mirrors (seqCounter).String: "%d (gen=%d)".
        return f"{self.seq} (gen={self.gen})"


def make_seq(gen: int, seq: int) -> SeqCounter:
    """Mirrors makeSeq (order.go)."""
    return _tuple_new(_SEQ_COUNTER, (gen, seq))  # SeqCounter(gen, seq), minus NamedTuple's overhead


# Final, so that the compiled build keeps these in C statics instead of looking the names up
# in the module's dict on every call (per-event code builds a SchedCtx or SeqCounter).
_tuple_new: Final = tuple.__new__
_SCHED_CTX: Final = SchedCtx
_SEQ_COUNTER: Final = SeqCounter
_I64_SIGN: Final = 1 << 63
_TWO64: Final = 1 << 64


class GCState(IntEnum):
    """What we know of the GC mark phase (``gcState``)."""

    UNDETERMINED = 0
    NOT_RUNNING = 1
    RUNNING = 2

    def __str__(self) -> str:
        # Mirrors (gcState).String.
        return _GC_STATE_NAMES[self]


_GC_STATE_NAMES: Final = ("Undetermined", "NotRunning", "Running")


class UserRegion(NamedTuple):
    """An active user region on a goroutine (``userRegion``).

    The name is the resolved string, not its ID: IDs change between generations.
    """

    task_id: int
    name: str

    def __str__(self) -> str:
        # %v of the Go struct: "{<taskID> <name>}".
        return f"{{{self.task_id} {self.name}}}"


class RangeType(NamedTuple):
    """A kind of special time range: its Begin event type plus a subtype (``rangeType``).

    ``desc`` is the STW kind string ID for STW ranges and 0 otherwise.
    """

    typ: int
    desc: int

    def __str__(self) -> str:
        # %v of the Go struct; EventType has no String method, so both fields print as numbers.
        return f"{{{self.typ} {self.desc}}}"


def make_range_type(typ: int, desc: int) -> RangeType:
    """Key a range by its Begin event type, whichever of Begin/Active/End we hold.

    Mirrors makeRangeType (order.go).
    """
    styp = SPECS[typ].start_ev
    if styp != EventType.NONE:
        typ = styp
    return RangeType(typ, desc)


def _go_v_range_list(ranges: list[RangeType]) -> str:
    """``%v`` of a Go ``[]rangeType``: ``[{35 0} {26 5}]``."""
    return "[" + " ".join(str(r) for r in ranges) + "]"


class _RangeState:
    """The special ranges in flight on a goroutine or proc (``rangeState``).

    A mixin: :class:`GState` and :class:`PState` supply the ``in_flight`` slot, as Go embeds
    ``rangeState`` in both.
    """

    __slots__ = ()
    in_flight: list[RangeType]

    def begin_range(self, typ: RangeType) -> None:
        """Start a range; the identical (type, desc) pair must not be in flight.

        Mirrors (*rangeState).beginRange (order.go).
        """
        if self.has_range(typ):
            raise TraceError(
                "discovered event already in-flight for when starting event "
                f"{SPECS[typ.typ].name}"
            )
        self.in_flight.append(typ)

    def active_range(self, typ: RangeType, is_initial_gen: bool) -> None:
        """Record (first generation) or confirm (later ones) a range that was already running.

        Mirrors (*rangeState).activeRange (order.go).
        """
        if is_initial_gen:
            if self.has_range(typ):
                raise TraceError(f"found named active range already in first gen: {typ}")
            self.in_flight.append(typ)
        elif not self.has_range(typ):
            raise TraceError(
                f"resource is missing active range: {SPECS[typ.typ].name} "
                f"{_go_v_range_list(self.in_flight)}"
            )

    def has_range(self, typ: RangeType) -> bool:
        """Mirrors (*rangeState).hasRange (order.go): exact (type, desc) membership."""
        return typ in self.in_flight

    def end_range(self, typ: int) -> int:
        """End the first in-flight range with ``typ``'s start type, whatever its desc.

        Returns the desc of the range that ended.  Removal is Go's swap-remove, which reorders
        the remaining entries; that order is visible in later ``resource is missing active
        range`` messages, so we copy it.

        Mirrors (*rangeState).endRange (order.go).
        """
        st = SPECS[typ].start_ev
        in_flight = self.in_flight
        idx = -1
        for i, r in enumerate(in_flight):
            if r.typ == st:
                idx = i
                break
        if idx < 0:
            raise TraceError(f"tried to end event {SPECS[st].name}, but not in-flight")
        desc = in_flight[idx].desc
        in_flight[idx], in_flight[-1] = in_flight[-1], in_flight[idx]
        in_flight.pop()
        return desc


@mypyc_attr(serializable=True)  # tests deep-copy states (compiled build)
@dataclass(slots=True)
class GState(_RangeState):
    """What we know about one goroutine (``gState``); ``status`` is a wire GoStatus."""

    id: int
    status: int
    seq: SeqCounter
    #: Active user regions, innermost last.
    regions: list[UserRegion] = field(default_factory=list)
    in_flight: list[RangeType] = field(default_factory=list)

    def begin_region(self, r: UserRegion) -> None:
        """Mirrors (*gState).beginRegion (order.go): push, never fails."""
        self.regions.append(r)

    def end_region(self, r: UserRegion) -> None:
        """Pop the innermost region, which must be ``r``; tolerate an empty stack.

        The stack is empty when the region began before tracing started.

        Mirrors (*gState).endRegion (order.go).
        """
        if not self.regions:
            return
        nxt = self.regions[-1]
        if nxt != r:
            raise TraceError(
                f"misuse of region in goroutine {self.id}: region end {r} when the "
                f"inner-most active region start event is {nxt}"
            )
        self.regions.pop()


@mypyc_attr(serializable=True)  # tests deep-copy states (compiled build)
@dataclass(slots=True)
class PState(_RangeState):
    """What we know about one proc (``pState``); ``status`` is a wire ProcStatus."""

    id: int
    status: int
    seq: SeqCounter
    in_flight: list[RangeType] = field(default_factory=list)


class MState:
    """The goroutine and proc currently bound to one thread (``mState``).

    Go stores ``g`` and ``p``.  We store the thread's whole scheduling context ``ctx`` =
    ``(g, p, m)``, because that is what :meth:`Ordering.advance` hands every handler and gets
    back from it: the per-event path then reads and writes one tuple instead of building one.
    ``g`` and ``p`` stay readable and writable as properties; writing one rebuilds ``ctx``.
    ``ctx.m`` is always the thread's own ID.
    """

    __slots__ = ("ctx",)

    def __init__(self, g: int, p: int, m: int) -> None:
        self.ctx: SchedCtx = sched_ctx(g, p, m)

    @property
    def g(self) -> int:
        """The goroutine running on the thread (``NO_GOROUTINE`` if none)."""
        return self.ctx.g

    @g.setter
    def g(self, g: int) -> None:
        self.ctx = sched_ctx(g, self.ctx.p, self.ctx.m)

    @property
    def p(self) -> int:
        """The proc the thread holds (``NO_PROC`` if none)."""
        return self.ctx.p

    @p.setter
    def p(self, p: int) -> None:
        self.ctx = sched_ctx(self.ctx.g, p, self.ctx.m)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, MState):
            return NotImplemented
        return self.ctx == other.ctx

    __hash__ = None  # type: ignore[assignment]  # mutable, like the dataclass it replaces

    def __reduce__(self) -> tuple[type[MState], tuple[int, int, int]]:
        # For copy/pickle: explicit, because the compiled build's generic state misses ctx.
        g, p, m = self.ctx
        return MState, (g, p, m)

    def __repr__(self) -> str:
        g, p, m = self.ctx
        return f"MState(g={g}, p={p}, m={m})"


class TaskState(NamedTuple):
    """An active user task (``taskState``): its name and parent, for the matching TaskEnd."""

    name: str
    parent_id: int


# ---------------------------------------------------------------------------------------------
# Argument smuggling.  Go rewrites slots of the event being queued so that the public Event can
# later report facts only the ordering knows.  "extra" slots start right after the event's own
# arguments: index len(spec.args) - 1 (dt is not stored), as (*baseEvent).extra(Go122) computes.
# ---------------------------------------------------------------------------------------------


def _extra_index(typ: EventType) -> int:
    """First spare argument slot of ``typ`` (``(*baseEvent).extra(version.Go122)``)."""
    return len(SPECS[typ].args) - 1


_PROC_STATUS_EXTRA: Final = _extra_index(EventType.ProcStatus)
_PROC_STEAL_EXTRA: Final = _extra_index(EventType.ProcSteal)
_USER_TASK_END_EXTRA: Final = _extra_index(EventType.UserTaskEnd)


def _smuggle_proc_status_old_state(ev: BaseEvent, old_state: int) -> None:
    """Store the proc's public old state (a ProcState) in ProcStatus's extra slot."""
    ev.args[_PROC_STATUS_EXTRA] = old_state


def _rewrite_proc_status(ev: BaseEvent, status: int) -> None:
    """Replace ProcStatus's status argument (ProcSyscallAbandoned promotion/pass-through).

    Only these two cases rewrite it: elsewhere the *untruncated* wire value stays in ``args[1]``.
    """
    ev.args[1] = status


def _smuggle_proc_steal_old_status(ev: BaseEvent, old_status: int) -> None:
    """Store the stolen proc's wire status before the steal in ProcSteal's extra slot."""
    ev.args[_PROC_STEAL_EXTRA] = old_status


def _smuggle_go_status_transition(
    ev: BaseEvent, old_state: int, status: int, packed: bool = True
) -> None:
    """Pack ``old_state << 32 | status`` into GoStatus's status slot (``args[2]``).

    ``old_state`` is a public GoState, ``status`` the uint8-truncated wire GoStatus.  Go 1.23
    and older (``packed`` off, :attr:`Release.go_status_packed`) keep the wire ``args[2]`` as
    it is and the old state in an extra slot; here it rides above the uint64 instead
    (``old_state << 64 | args[2]``), since our events have no fifth argument slot.
    """
    if packed:
        ev.args[2] = (old_state << 32) | status
    else:
        ev.args[2] = (old_state << 64) | ev.args[2]


def _rewrite_task_parent_none(ev: BaseEvent) -> None:
    """Replace a UserTaskBegin parent of 0 (the background task) by NoTask."""
    ev.args[1] = NO_TASK


def _smuggle_task_end_info(ev: BaseEvent, parent_id: int, name_extra_id: int) -> None:
    """Store the ended task's parent and name (an *extra* string ID) in UserTaskEnd's extras.

    The name is interned in the current generation's extra strings because the task may have
    begun in an earlier generation whose string table is gone.
    """
    i = _USER_TASK_END_EXTRA
    ev.args[i] = parent_id
    ev.args[i + 1] = name_extra_id


def _smuggle_stw_kind(ev: BaseEvent, desc: int) -> None:
    """Store the STW kind string ID of the matching STWBegin in STWEnd's ``args[0]``.

    Go uses ``args[0]`` rather than an extra slot so that STWBegin and STWEnd read alike.
    """
    ev.args[0] = desc


def make_event(table: EvTable | None, ctx: SchedCtx, typ: int, time: int, *args: int) -> Event:
    """Build a synthesized event; unused argument slots are 0.

    Mirrors makeEvent (order.go).
    """
    a = [0] * (MAX_TIMED_EVENT_ARGS - 1)
    a[: len(args)] = args
    return new_event(table, ctx, BaseEvent(typ, time, a))


def _queued(evt: EvTable, ctx: SchedCtx, ev: BaseEvent) -> Event:
    """The event to queue for ``ev``, Go's ``Event{table: evt, ctx: ctx, base: *ev}``.

    The base is copied (Go copies the struct), so later rewrites of ``ev`` by the reader or
    cursor cannot reach an event that is already queued.  (A function, not an alias of
    :func:`~oracle.parser.event.new_event_copying_base`: the mypyc build calls a module-level
    function natively, a function stored in a variable generically.)
    """
    return Event(evt, ctx, BaseEvent(ev.typ, ev.time, ev.args.copy()))


# ---------------------------------------------------------------------------------------------
# The ordering.
# ---------------------------------------------------------------------------------------------


@mypyc_attr(allow_interpreted_subclasses=True)  # tests subclass it (compiled build)
class Ordering:
    """Emulated scheduler state, validating events and queueing them in a valid order.

    Mirrors ``ordering`` (order.go).  The output FIFO is the public attribute ``queue`` (a
    ``deque``; Go's ring buffer); :meth:`queue_empty` / :meth:`queue_pop` wrap it.  States are
    ``dict``s in insertion order where Go uses (randomly iterated) maps.
    """

    __slots__ = (
        "trace_ver",
        "g_states",
        "p_states",
        "m_states",
        "active_tasks",
        "gc_seq",
        "gc_state",
        "initial_gen",
        "queue",
        "proc_status_names",
        "release",
    )

    def __init__(self, trace_ver: Version, rel: Release = CURRENT) -> None:
        #: The trace's version; only used to name event types in error messages.
        self.trace_ver: Version = trace_ver
        #: The selected release's ``ProcStatus.String()``, for every error that prints a status.
        self.proc_status_names = rel.proc_status_names
        #: The selected release, for how its errors name event types (:meth:`ev_name`).
        self.release = rel
        self.g_states: dict[int, GState] = {}
        self.p_states: dict[int, PState] = {}
        self.m_states: dict[int, MState] = {}
        self.active_tasks: dict[int, TaskState] = {}
        self.gc_seq: int = 0
        self.gc_state: GCState = GCState.UNDETERMINED
        #: Generation of the first event ever offered to advance (0 = none yet).
        self.initial_gen: int = 0
        self.queue: deque[Event] = deque()

    def advance(self, ev: BaseEvent, evt: EvTable, m: int, gen: int) -> bool:
        """Try to move ``ev``, the next event of thread ``m``, into the queue.

        Returns True when it advanced (the queue then holds at least one event), False when
        it cannot advance yet (the caller should try other threads' events); raises
        :class:`TraceError` when the trace is broken.  ``m`` is a ThreadID (int64, ``-1`` for
        events on no thread); ``gen`` must not decrease across calls.

        Side effect even when not advancing: the first event seen for an M creates its
        (empty) state, which later ProcSteal and GoStatus(Syscall) checks can observe.

        Mirrors (*ordering).Advance (order.go).
        """
        if self.initial_gen == 0:
            self.initial_gen = gen

        ms: MState | None
        if m == NO_THREAD:
            ms = None
            cur_ctx = NO_CTX
        else:
            ms = self.m_states.get(m)
            if ms is None:
                ms = self.m_states[m] = MState(NO_GOROUTINE, NO_PROC, m)
            cur_ctx = ms.ctx  # Go's schedCtx{G: ms.g, P: ms.p, M: m}

        # ORDERING_DISPATCH defines the handler of every type.  The commonest types call
        # theirs directly: in the mypyc build a direct call is native, a call through the
        # table a generic Python call.  (test_order.py checks each against the table.)
        typ = ev.typ
        new_ctx: SchedCtx | None
        if typ == _EV_GO_START:
            new_ctx = self.advance_go_start(ev, evt, m, gen, cur_ctx)
        elif typ == _EV_GO_STOP or typ == _EV_GO_BLOCK or typ == _EV_GO_DESTROY:
            new_ctx = self.advance_go_stop_exec(ev, evt, m, gen, cur_ctx)
        elif typ == _EV_GO_UNBLOCK:
            new_ctx = self.advance_go_unblock(ev, evt, m, gen, cur_ctx)
        elif typ == _EV_GO_CREATE:
            new_ctx = self.advance_go_create(ev, evt, m, gen, cur_ctx)
        elif _EV_ALLOC_FREE_FIRST <= typ <= _EV_ALLOC_FREE_LAST:
            new_ctx = self.advance_alloc_free(ev, evt, m, gen, cur_ctx)
        else:
            f = ORDERING_DISPATCH.get(typ)
            if f is None:
                raise TraceError(f"bad event type found while ordering: {typ}")
            new_ctx = f(self, ev, evt, m, gen, cur_ctx)
        if new_ctx is None:
            return False
        if ms is not None:
            # Go's "ms.g, ms.p = newCtx.G, newCtx.P": every handler derives the context it
            # returns from cur_ctx, keeping M, so storing the tuple is the same update.
            ms.ctx = new_ctx
        return True

    def queue_empty(self) -> bool:
        """Whether no event is waiting in the output queue."""
        return not self.queue

    def queue_pop(self) -> Event:
        """Remove and return the oldest queued event; IndexError if empty (check first).

        Mirrors (*ordering).Next (order.go).
        """
        return self.queue.popleft()

    def ev_name(self, typ: int) -> str:
        """Mirrors (*ordering).evName: the event name used in errors.

        Version-aware from Go 1.25; ``go122.EventString`` before (see
        :attr:`oracle.parser.releases.Release.event_names_by_version`).
        """
        return self.release.event_name(self.trace_ver, typ)

    # --- Procs. ---------------------------------------------------------------------------

    def advance_proc_status(
        self, ev: BaseEvent, evt: EvTable, m: int, gen: int, cur_ctx: SchedCtx
    ) -> SchedCtx | None:
        """A proc's status at the start of a generation; always advances.

        Mirrors (*ordering).advanceProcStatus (order.go).
        """
        pid = as_int64(ev.args[0])
        status = ev.args[1] & 0xFF  # tracev2.ProcStatus is a uint8
        if status >= len(_PROC_STATUS_TO_STATE):
            raise TraceError(f"invalid status for proc {pid}: {status}")
        old_state = _PROC_STATUS_TO_STATE[status]
        s = self.p_states.get(pid)
        if s is not None:
            if status == _P_SYSCALL_ABANDONED and s.status == _P_SYSCALL:
                # Abandoned while we still know the P is in a syscall: nothing is lost, so
                # report it as the Syscall status it really is (Running -> Running).
                old_state = _PROC_RUNNING
                _rewrite_proc_status(ev, _P_SYSCALL)
            elif status == _P_SYSCALL_ABANDONED and s.status == _P_SYSCALL_ABANDONED:
                # Still abandoned: the P's M is unknown and the API shows it as idle.
                old_state = _PROC_IDLE
                _rewrite_proc_status(ev, _P_SYSCALL_ABANDONED)
            elif s.status != status:
                raise TraceError(
                    f"inconsistent status for proc {pid}: old {self.proc_status_names[s.status]} "
                    f"vs. new {self.proc_status_names[status]}"
                )
            s.seq = make_seq(gen, 0)  # Reset seq.
        else:
            self.p_states[pid] = PState(pid, status, make_seq(gen, 0))
            if gen == self.initial_gen:
                old_state = _PROC_UNDETERMINED
            else:
                old_state = _PROC_NOT_EXIST
        _smuggle_proc_status_old_state(ev, old_state)

        # A running (or syscalling) P is bound to the thread that reports it.
        new_ctx = cur_ctx
        if status == _P_RUNNING or status == _P_SYSCALL:
            new_ctx = sched_ctx(cur_ctx.g, pid, cur_ctx.m)
        # A promoted Abandoned status is a Running -> Running transition of a P that is about
        # to be stolen, probably reported by another thread.  Emit it in the context of the
        # thread the P is bound to.  Go searches a map and keeps the last match; we search in
        # insertion order, so the most recently created matching M wins.
        if status == _P_SYSCALL_ABANDONED and old_state == _PROC_RUNNING:
            found = False
            for mid, ms in self.m_states.items():
                if ms.p == pid:
                    cur_ctx = sched_ctx(ms.g, pid, mid)
                    found = True
            if not found:
                raise TraceError(
                    f"failed to find sched context for proc {pid} that's about to be stolen"
                )
        self.queue.append(_queued(evt, cur_ctx, ev))
        return new_ctx

    def advance_proc_start(
        self, ev: BaseEvent, evt: EvTable, m: int, gen: int, cur_ctx: SchedCtx
    ) -> SchedCtx | None:
        """A thread acquires an idle proc; waits for the P's status and sequence.

        Mirrors (*ordering).advanceProcStart (order.go).
        """
        pid = as_int64(ev.args[0])
        seq = make_seq(gen, ev.args[1])

        # Not ready if the P is unknown, not idle, out of sequence, or if this M still holds a
        # P (it is in a syscall and has not yet seen that P stolen).
        state = self.p_states.get(pid)
        if (
            state is None
            or state.status != _P_IDLE
            or not seq.succeeds(state.seq)
            or cur_ctx.p != NO_PROC
        ):
            return None
        # A goroutine may be present: one returning from a syscall.
        validate_ctx(cur_ctx, _REQS_PROC_START)
        state.status = _P_RUNNING
        state.seq = seq
        self.queue.append(_queued(evt, cur_ctx, ev))
        return sched_ctx(cur_ctx.g, pid, cur_ctx.m)

    def advance_proc_stop(
        self, ev: BaseEvent, evt: EvTable, m: int, gen: int, cur_ctx: SchedCtx
    ) -> SchedCtx | None:
        """A thread gives up its own proc; always advanceable, so no sequence number.

        Mirrors (*ordering).advanceProcStop (order.go).
        """
        state = self.p_states.get(cur_ctx.p)
        if state is None:
            raise TraceError(
                f"event {self.ev_name(ev.typ)} for proc ({cur_ctx.p}) that doesn't exist"
            )
        if state.status != _P_RUNNING and state.status != _P_SYSCALL:
            raise TraceError(
                f"{self.ev_name(ev.typ)} event for proc that's not "
                f"{ProcStatus.Running} or {ProcStatus.Syscall}"
            )
        validate_ctx(cur_ctx, _REQS_PROC_STOP)
        state.status = _P_IDLE
        self.queue.append(_queued(evt, cur_ctx, ev))
        return sched_ctx(cur_ctx.g, NO_PROC, cur_ctx.m)

    def advance_proc_steal(
        self, ev: BaseEvent, evt: EvTable, m: int, gen: int, cur_ctx: SchedCtx
    ) -> SchedCtx | None:
        """A thread takes a proc away from a thread stuck in a syscall (or from itself).

        Mirrors (*ordering).advanceProcSteal (order.go).
        """
        pid = as_int64(ev.args[0])
        seq = make_seq(gen, ev.args[1])
        state = self.p_states.get(pid)
        if (
            state is None
            or (state.status != _P_SYSCALL and state.status != _P_SYSCALL_ABANDONED)
            or not seq.succeeds(state.seq)
        ):
            return None
        validate_ctx(cur_ctx, _REQS_PROC_STEAL)
        # The public event must read Idle -> Idle for an abandoned P, not Running -> Idle, so
        # record which status let it advance.  (The stealing M may hold another P already,
        # which is why this P is never bound to it.)
        old_status = state.status
        _smuggle_proc_steal_old_status(ev, old_status)

        state.status = _P_IDLE
        state.seq = seq

        # Abandoned: the victim M is unknown to us and may have moved on; leave Ms alone.
        if old_status == _P_SYSCALL_ABANDONED:
            self.queue.append(_queued(evt, cur_ctx, ev))
            return cur_ctx

        mid = as_int64(ev.args[2])  # The M we're stealing from.

        if mid == cur_ctx.m:
            # Self-steal: behaves like ProcStop.
            if cur_ctx.p != pid:
                raise TraceError(
                    f"tried to self-steal proc {pid} (thread {mid}), but got proc "
                    f"{cur_ctx.p} instead"
                )
            self.queue.append(_queued(evt, cur_ctx, ev))
            return sched_ctx(cur_ctx.g, NO_PROC, cur_ctx.m)

        victim = self.m_states.get(mid)
        if victim is None:
            raise TraceError(f"stole proc from non-existent thread {mid}")
        if victim.p != pid:
            raise TraceError(
                f"tried to steal proc {pid} from thread {mid}, but got proc {victim.p} instead"
            )
        # The victim is in a syscall and its GoSyscallEndBlocked waits for exactly this.
        victim.p = NO_PROC
        self.queue.append(_queued(evt, cur_ctx, ev))
        return cur_ctx

    # --- Goroutines. ----------------------------------------------------------------------

    def advance_go_status(
        self, ev: BaseEvent, evt: EvTable, m: int, gen: int, cur_ctx: SchedCtx
    ) -> SchedCtx | None:
        """A goroutine's status at the start of a generation (GoStatus, GoStatusStack).

        Mirrors (*ordering).advanceGoStatus (order.go).
        """
        gid = as_int64(ev.args[0])
        mid = as_int64(ev.args[1])
        status = ev.args[2] & 0xFF  # tracev2.GoStatus is a uint8

        if status >= len(_GO_STATUS_TO_STATE):
            raise TraceError(f"invalid status for goroutine {gid}: {status}")
        old_state = _GO_STATUS_TO_STATE[status]
        s = self.g_states.get(gid)
        if s is not None:
            if s.status != status:
                raise TraceError(
                    f"inconsistent status for goroutine {gid}: old {GoStatus(s.status)} "
                    f"vs. new {GoStatus(status)}"
                )
            s.seq = make_seq(gen, 0)  # Reset seq.
        elif gen == self.initial_gen:
            self.g_states[gid] = GState(gid, status, make_seq(gen, 0))
            old_state = _GO_UNDETERMINED
        else:
            raise TraceError(
                "found goroutine status for new goroutine after the first generation: "
                f"id={gid} status={GoStatus(status)}"
            )
        _smuggle_go_status_transition(ev, old_state, status, self.release.go_status_packed)

        new_ctx = cur_ctx
        if status == _G_RUNNING:
            # A running goroutine is bound to the reporting thread (the m argument is ignored).
            new_ctx = sched_ctx(gid, cur_ctx.p, cur_ctx.m)
        elif status == _G_SYSCALL:
            if mid == NO_THREAD:
                raise TraceError(f"found goroutine {gid} in syscall without a thread")
            if mid == cur_ctx.m:
                # In a syscall on this very thread: bind it.  After the first generation
                # the binding must already be known from an earlier status.
                if gen != self.initial_gen and cur_ctx.g != gid:
                    raise TraceError(
                        f"inconsistent thread for syscalling goroutine {gid}: thread has "
                        f"goroutine {cur_ctx.g}"
                    )
                new_ctx = sched_ctx(gid, cur_ctx.p, cur_ctx.m)
            else:
                # Blocked in a syscall on another thread for the whole generation (so that
                # thread has no P).  Only the queued event's context changes: it is shown on
                # the named thread; the reporting thread's own state is untouched.
                ms = self.m_states.get(mid)
                if ms is not None:
                    # Seen before: the goroutine must be the one we saw enter the syscall
                    # there, and this is a Syscall -> Syscall event on that G.
                    if ms.g != gid:
                        raise TraceError(
                            f"inconsistent thread for syscalling goroutine {gid}: thread has "
                            f"goroutine {ms.g}"
                        )
                    cur_ctx = sched_ctx(ms.g, cur_ctx.p, mid)
                else:
                    # Unseen: the goroutine sat in a syscall there since before the trace.
                    # This event is the binding, so the "before" context keeps its G.
                    self.m_states[mid] = MState(gid, NO_PROC, mid)
                    cur_ctx = sched_ctx(cur_ctx.g, cur_ctx.p, mid)
        self.queue.append(_queued(evt, cur_ctx, ev))
        return new_ctx

    def advance_go_create(
        self, ev: BaseEvent, evt: EvTable, m: int, gen: int, cur_ctx: SchedCtx
    ) -> SchedCtx | None:
        """A goroutine is created (GoCreate, GoCreateBlocked) on a running P.

        Mirrors (*ordering).advanceGoCreate (order.go).  :func:`validate_ctx` is only called
        when it would fail (no P or no M; the G may be anything).
        """
        if cur_ctx.p == NO_PROC or cur_ctx.m == NO_THREAD:
            validate_ctx(cur_ctx, _REQS_GO_CREATE)
        # The creator, if any, must be running.
        g_states = self.g_states
        state = g_states.get(cur_ctx.g)
        if state is not None and state.status != _G_RUNNING:
            raise TraceError(
                f"{self.ev_name(ev.typ)} event for goroutine that's not {GoState.Running}"
            )
        newgid = as_int64(ev.args[0])
        if newgid in g_states:
            raise TraceError(f"tried to create goroutine ({newgid}) that already exists")
        status = _G_WAITING if ev.typ == _EV_GO_CREATE_BLOCKED else _G_RUNNABLE
        g_states[newgid] = GState(newgid, status, _tuple_new(_SEQ_COUNTER, (gen, 0)))
        self.queue.append(_queued(evt, cur_ctx, ev))
        return cur_ctx

    def advance_go_stop_exec(
        self, ev: BaseEvent, evt: EvTable, m: int, gen: int, cur_ctx: SchedCtx
    ) -> SchedCtx | None:
        """The running goroutine destroys itself, yields or blocks (GoDestroy/GoStop/GoBlock).

        Always advanceable: a running goroutine is bound to its thread.

        Mirrors (*ordering).advanceGoStopExec (order.go).  As frequent as GoStart; likewise
        :func:`validate_ctx` is only called when it would fail (some ID is "none", -1).
        """
        if -1 in cur_ctx:
            validate_ctx(cur_ctx, USER_GO_REQS)
        g, p, m = cur_ctx
        state = self.g_states.get(g)
        if state is None:
            raise TraceError(
                f"event {self.ev_name(ev.typ)} for goroutine ({g}) that doesn't exist"
            )
        if state.status != _G_RUNNING:
            raise TraceError(
                f"{self.ev_name(ev.typ)} event for goroutine that's not {GoState.Running}"
            )
        new_ctx = cur_ctx
        typ = ev.typ
        if typ == _EV_GO_DESTROY:
            del self.g_states[g]
            new_ctx = _tuple_new(_SCHED_CTX, (NO_GOROUTINE, p, m))  # sched_ctx, inlined
        elif typ == _EV_GO_STOP:
            state.status = _G_RUNNABLE
            new_ctx = _tuple_new(_SCHED_CTX, (NO_GOROUTINE, p, m))
        elif typ == _EV_GO_BLOCK:
            state.status = _G_WAITING
            new_ctx = _tuple_new(_SCHED_CTX, (NO_GOROUTINE, p, m))
        self.queue.append(_queued(evt, cur_ctx, ev))
        return new_ctx

    def advance_go_start(
        self, ev: BaseEvent, evt: EvTable, m: int, gen: int, cur_ctx: SchedCtx
    ) -> SchedCtx | None:
        """A runnable goroutine starts running; waits for its status and sequence.

        Mirrors (*ordering).advanceGoStart (order.go).  The most frequent event with GoStop,
        so helpers are inlined: :func:`~oracle.parser.base.as_int64`, :func:`make_seq` followed by
        :meth:`SeqCounter.succeeds`, :func:`validate_ctx` (called only when it would fail) and
        :func:`~oracle.parser.base.sched_ctx`.
        """
        args = ev.args
        gid = args[0]
        if gid & _I64_SIGN:
            gid -= _TWO64
        seq = args[1]
        state = self.g_states.get(gid)
        if (
            state is None
            or state.status != _G_RUNNABLE
            or state.seq.gen != gen
            or seq != ((state.seq.seq + 1) & U64_MASK)
        ):
            return None
        g, p, m = cur_ctx
        if g != NO_GOROUTINE or p == NO_PROC or m == NO_THREAD:
            validate_ctx(cur_ctx, _REQS_GO_START)
        state.status = _G_RUNNING
        state.seq = _tuple_new(_SEQ_COUNTER, (gen, seq))
        self.queue.append(_queued(evt, cur_ctx, ev))
        return _tuple_new(_SCHED_CTX, (gid, p, m))

    def advance_go_unblock(
        self, ev: BaseEvent, evt: EvTable, m: int, gen: int, cur_ctx: SchedCtx
    ) -> SchedCtx | None:
        """A waiting goroutine (named by the event, not the context) becomes runnable.

        Anything may unblock a goroutine (even sysmon, with no P), so the context is not
        checked at all.

        Mirrors (*ordering).advanceGoUnblock (order.go), with the helpers inlined as in
        :meth:`advance_go_start`.
        """
        args = ev.args
        gid = args[0]
        if gid & _I64_SIGN:
            gid -= _TWO64
        seq = args[1]
        state = self.g_states.get(gid)
        if (
            state is None
            or state.status != _G_WAITING
            or state.seq.gen != gen
            or seq != ((state.seq.seq + 1) & U64_MASK)
        ):
            return None
        state.status = _G_RUNNABLE
        state.seq = _tuple_new(_SEQ_COUNTER, (gen, seq))
        self.queue.append(_queued(evt, cur_ctx, ev))
        return cur_ctx

    def advance_go_switch(
        self, ev: BaseEvent, evt: EvTable, m: int, gen: int, cur_ctx: SchedCtx
    ) -> SchedCtx | None:
        """Coroutine switch (GoSwitch, GoSwitchDestroy): three events in one.

        Queues, all at the event's time: the switch itself (read by the API as an unblock of
        the next goroutine); a synthesized GoBlock (reason 0, stack 0) or GoDestroy for the
        current goroutine; a synthesized GoStart of the next goroutine, in a context with no
        goroutine.  The current goroutine must be running (errors are checked first); the
        next one's status and sequence are a readiness gate, as for GoStart.

        Mirrors (*ordering).advanceGoSwitch (order.go).
        """
        validate_ctx(cur_ctx, USER_GO_REQS)
        cur_g_state = self.g_states.get(cur_ctx.g)
        if cur_g_state is None:
            raise TraceError(
                f"event {self.ev_name(ev.typ)} for goroutine ({cur_ctx.g}) that doesn't exist"
            )
        if cur_g_state.status != _G_RUNNING:
            raise TraceError(
                f"{self.ev_name(ev.typ)} event for goroutine that's not {GoState.Running}"
            )
        nextg = as_int64(ev.args[0])
        seq = make_seq(gen, ev.args[1])  # seq is for nextg, not cur_ctx.g.
        next_g_state = self.g_states.get(nextg)
        if (
            next_g_state is None
            or next_g_state.status != _G_WAITING
            or not seq.succeeds(next_g_state.seq)
        ):
            return None
        queue = self.queue
        queue.append(_queued(evt, cur_ctx, ev))

        typ = ev.typ
        if typ == _EV_GO_SWITCH:
            cur_g_state.status = _G_WAITING
            # Go leaves a TODO to emit a real reason; the reason string ID is 0 ("").
            queue.append(make_event(evt, cur_ctx, EventType.GoBlock, ev.time, 0, 0))
        elif typ == _EV_GO_SWITCH_DESTROY:
            del self.g_states[cur_ctx.g]
            queue.append(make_event(evt, cur_ctx, EventType.GoDestroy, ev.time))
        next_g_state.status = _G_RUNNING
        next_g_state.seq = seq

        start_ctx = sched_ctx(NO_GOROUTINE, cur_ctx.p, cur_ctx.m)
        queue.append(
            make_event(evt, start_ctx, EventType.GoStart, ev.time, as_uint64(nextg), ev.args[1])
        )
        return sched_ctx(nextg, cur_ctx.p, cur_ctx.m)

    def advance_go_syscall_begin(
        self, ev: BaseEvent, evt: EvTable, m: int, gen: int, cur_ctx: SchedCtx
    ) -> SchedCtx | None:
        """The running goroutine enters a syscall; its P follows it into ProcSyscall.

        The P sequence number on this event only disambiguates which syscall a later
        ProcSteal steals from; the P is running here, so a wrong number is fatal rather than
        a reason to wait.

        Mirrors (*ordering).advanceGoSyscallBegin (order.go).
        """
        validate_ctx(cur_ctx, USER_GO_REQS)
        state = self.g_states.get(cur_ctx.g)
        if state is None:
            raise TraceError(
                f"event {self.ev_name(ev.typ)} for goroutine ({cur_ctx.g}) that doesn't exist"
            )
        if state.status != _G_RUNNING:
            raise TraceError(
                f"{self.ev_name(ev.typ)} event for goroutine that's not {GoState.Running}"
            )
        state.status = _G_SYSCALL
        p_state = self.p_states.get(cur_ctx.p)
        if p_state is None:
            raise TraceError(
                f"uninitialized proc {cur_ctx.p} found during {self.ev_name(ev.typ)}"
            )
        p_state.status = _P_SYSCALL
        p_seq = make_seq(gen, ev.args[0])
        if not p_seq.succeeds(p_state.seq):
            raise TraceError(
                f"failed to advance {self.ev_name(ev.typ)}: can't make sequence: "
                f"{p_state.seq} -> {p_seq}"
            )
        p_state.seq = p_seq
        self.queue.append(_queued(evt, cur_ctx, ev))
        return cur_ctx

    def advance_go_syscall_end(
        self, ev: BaseEvent, evt: EvTable, m: int, gen: int, cur_ctx: SchedCtx
    ) -> SchedCtx | None:
        """The goroutine returns from a syscall without having lost its P.

        Always advanceable: it happens on the thread that began the syscall.

        Mirrors (*ordering).advanceGoSyscallEnd (order.go).
        """
        validate_ctx(cur_ctx, USER_GO_REQS)
        state = self.g_states.get(cur_ctx.g)
        if state is None:
            raise TraceError(
                f"event {self.ev_name(ev.typ)} for goroutine ({cur_ctx.g}) that doesn't exist"
            )
        if state.status != _G_SYSCALL:
            # Go's message names Running although the check is for Syscall.
            raise TraceError(
                f"{self.ev_name(ev.typ)} event for goroutine that's not {GoState.Running}"
            )
        state.status = _G_RUNNING

        p_state = self.p_states.get(cur_ctx.p)
        if p_state is None:
            raise TraceError(
                f"uninitialized proc {cur_ctx.p} found during {self.ev_name(ev.typ)}"
            )
        if p_state.status != _P_SYSCALL:
            raise TraceError(
                f"expected proc {cur_ctx.p} in state {ProcStatus.Syscall}, but got "
                f"{self.proc_status_names[p_state.status]} instead"
            )
        p_state.status = _P_RUNNING
        self.queue.append(_queued(evt, cur_ctx, ev))
        return cur_ctx

    def advance_go_syscall_end_blocked(
        self, ev: BaseEvent, evt: EvTable, m: int, gen: int, cur_ctx: SchedCtx
    ) -> SchedCtx | None:
        """The goroutine returns from a syscall during which it lost its P.

        Not ready while this thread still holds a P in ProcSyscall: the event says that P
        will be taken (ProcStop or ProcSteal) first.  Holding a P in another state is fine: the
        thread may have acquired a new one already.

        Mirrors (*ordering).advanceGoSyscallEndBlocked (order.go).
        """
        if cur_ctx.p != NO_PROC:
            p_state = self.p_states.get(cur_ctx.p)
            if p_state is None:
                raise TraceError(
                    f"uninitialized proc {cur_ctx.p} found during {self.ev_name(ev.typ)}"
                )
            if p_state.status == _P_SYSCALL:
                return None
        validate_ctx(cur_ctx, _REQS_GO_SYSCALL_END_BLOCKED)
        state = self.g_states.get(cur_ctx.g)
        if state is None:
            raise TraceError(
                f"event {self.ev_name(ev.typ)} for goroutine ({cur_ctx.g}) that doesn't exist"
            )
        if state.status != _G_SYSCALL:
            raise TraceError(
                f"{self.ev_name(ev.typ)} event for goroutine that's not {GoState.Running}"
            )
        state.status = _G_RUNNABLE
        self.queue.append(_queued(evt, cur_ctx, ev))
        return sched_ctx(NO_GOROUTINE, cur_ctx.p, cur_ctx.m)

    def advance_go_create_syscall(
        self, ev: BaseEvent, evt: EvTable, m: int, gen: int, cur_ctx: SchedCtx
    ) -> SchedCtx | None:
        """A goroutine appears, already in a syscall, for a cgo callback; it binds to the M.

        Mirrors (*ordering).advanceGoCreateSyscall (order.go).
        """
        validate_ctx(cur_ctx, _REQS_GO_CREATE_SYSCALL)
        newgid = as_int64(ev.args[0])
        if newgid in self.g_states:
            raise TraceError(
                f"tried to create goroutine ({newgid}) in syscall that already exists"
            )
        self.g_states[newgid] = GState(newgid, _G_SYSCALL, make_seq(gen, 0))
        self.queue.append(_queued(evt, cur_ctx, ev))
        return sched_ctx(newgid, cur_ctx.p, cur_ctx.m)

    def advance_go_destroy_syscall(
        self, ev: BaseEvent, evt: EvTable, m: int, gen: int, cur_ctx: SchedCtx
    ) -> SchedCtx | None:
        """A cgo-callback goroutine disappears; the thread also lets go of any P it holds.

        The thread ID may be reused by the OS, and a new M with the same ID must not appear
        to own (or steal back from itself) this P.  So a held P (which must be in ProcSyscall)
        becomes ProcSyscallAbandoned, and a synthesized self-ProcSteal of it, carrying old
        status ProcSyscall, is queued *before* the GoDestroySyscall itself.

        Mirrors (*ordering).advanceGoDestroySyscall (order.go).
        """
        validate_ctx(cur_ctx, _REQS_GO_DESTROY_SYSCALL)
        state = self.g_states.get(cur_ctx.g)
        if state is None:
            raise TraceError(
                f"event {self.ev_name(ev.typ)} for goroutine ({cur_ctx.g}) that doesn't exist"
            )
        if state.status != _G_SYSCALL:
            raise TraceError(
                f"{self.ev_name(ev.typ)} event for goroutine that's not {GoState.Syscall}"
            )
        del self.g_states[cur_ctx.g]
        new_ctx = sched_ctx(NO_GOROUTINE, cur_ctx.p, cur_ctx.m)

        if cur_ctx.p != NO_PROC:
            p_state = self.p_states.get(cur_ctx.p)
            if p_state is None:
                raise TraceError(
                    f"found invalid proc {cur_ctx.p} during {self.ev_name(ev.typ)}"
                )
            if p_state.status != _P_SYSCALL:
                raise TraceError(
                    f"proc {cur_ctx.p} in unexpected state {self.proc_status_names[p_state.status]} "
                    f"during {self.ev_name(ev.typ)}"
                )
            # See Go's go122-create-syscall-reuse-thread-id test.
            p_state.status = _P_SYSCALL_ABANDONED
            new_ctx = sched_ctx(new_ctx.g, NO_PROC, new_ctx.m)

            extra = make_event(evt, cur_ctx, EventType.ProcSteal, ev.time, as_uint64(cur_ctx.p))
            _smuggle_proc_steal_old_status(extra.base, _P_SYSCALL)
            if not self.release.destroy_syscall_steal_first:
                # Go 1.22: the steal is the ordering's extraEvent, returned after the event.
                self.queue.append(_queued(evt, cur_ctx, ev))
                self.queue.append(extra)
                return new_ctx
            self.queue.append(extra)
        self.queue.append(_queued(evt, cur_ctx, ev))
        return new_ctx

    # --- Annotations. ---------------------------------------------------------------------

    def advance_user_task_begin(
        self, ev: BaseEvent, evt: EvTable, m: int, gen: int, cur_ctx: SchedCtx
    ) -> SchedCtx | None:
        """A user task begins.

        Tasks need no Begin to be referenced and may End many times, and IDs may be reused
        after an End, so the only check is that an active ID does not begin again.  The task
        is recorded *before* the context is validated (Go's order, kept).

        Mirrors (*ordering).advanceUserTaskBegin (order.go).
        """
        id_ = ev.args[0]
        if id_ in self.active_tasks:
            raise TraceError(f"task ID conflict: {id_}")
        # The parent is not validated: we may know nothing about it.  0 means "no parent"
        # here, not the background task (that convention only applies to regions).
        parent_id = ev.args[1]
        if parent_id == BACKGROUND_TASK:
            parent_id = NO_TASK
            _rewrite_task_parent_none(ev)

        name_id = ev.args[2]
        name, ok = evt.strings.get(name_id)
        if not ok:
            raise TraceError(f"invalid string ID {name_id} for {ev.typ} event")
        self.active_tasks[id_] = TaskState(name, parent_id)
        validate_ctx(cur_ctx, USER_GO_REQS)
        self.queue.append(_queued(evt, cur_ctx, ev))
        return cur_ctx

    def advance_user_task_end(
        self, ev: BaseEvent, evt: EvTable, m: int, gen: int, cur_ctx: SchedCtx
    ) -> SchedCtx | None:
        """A user task ends; it carries away the parent and name recorded at its Begin.

        An End for an unknown task gets NoTask and "" instead.  Both happen before the
        context is validated (Go's order, kept).

        Mirrors (*ordering).advanceUserTaskEnd (order.go).
        """
        id_ = ev.args[0]
        ts = self.active_tasks.get(id_)
        if ts is not None:
            _smuggle_task_end_info(ev, ts.parent_id, evt.add_extra_string(ts.name))
            del self.active_tasks[id_]
        else:
            _smuggle_task_end_info(ev, NO_TASK, evt.add_extra_string(""))
        validate_ctx(cur_ctx, USER_GO_REQS)
        self.queue.append(_queued(evt, cur_ctx, ev))
        return cur_ctx

    def advance_user_region_begin(
        self, ev: BaseEvent, evt: EvTable, m: int, gen: int, cur_ctx: SchedCtx
    ) -> SchedCtx | None:
        """A user region begins on the running goroutine.

        Mirrors (*ordering).advanceUserRegionBegin (order.go).
        """
        validate_ctx(cur_ctx, USER_GO_REQS)
        tid = ev.args[0]
        name_id = ev.args[1]
        name, ok = evt.strings.get(name_id)
        if not ok:
            raise TraceError(f"invalid string ID {name_id} for {ev.typ} event")
        g_state = self.g_states.get(cur_ctx.g)
        if g_state is None:
            raise TraceError(
                "encountered EvUserRegionBegin without known state for current goroutine "
                f"{cur_ctx.g}"
            )
        g_state.begin_region(UserRegion(tid, name))
        self.queue.append(_queued(evt, cur_ctx, ev))
        return cur_ctx

    def advance_user_region_end(
        self, ev: BaseEvent, evt: EvTable, m: int, gen: int, cur_ctx: SchedCtx
    ) -> SchedCtx | None:
        """A user region ends on the running goroutine; it must be the innermost one.

        Mirrors (*ordering).advanceUserRegionEnd (order.go).
        """
        validate_ctx(cur_ctx, USER_GO_REQS)
        tid = ev.args[0]
        name_id = ev.args[1]
        name, ok = evt.strings.get(name_id)
        if not ok:
            raise TraceError(f"invalid string ID {name_id} for {ev.typ} event")
        g_state = self.g_states.get(cur_ctx.g)
        if g_state is None:
            raise TraceError(
                "encountered EvUserRegionEnd without known state for current goroutine "
                f"{cur_ctx.g}"
            )
        g_state.end_region(UserRegion(tid, name))
        self.queue.append(_queued(evt, cur_ctx, ev))
        return cur_ctx

    def advance_annotation(
        self, ev: BaseEvent, evt: EvTable, m: int, gen: int, cur_ctx: SchedCtx
    ) -> SchedCtx | None:
        """Instantaneous events that need a running goroutine (ProcsChange, GoLabel, UserLog).

        Mirrors (*ordering).advanceAnnotation (order.go).
        """
        validate_ctx(cur_ctx, USER_GO_REQS)
        self.queue.append(_queued(evt, cur_ctx, ev))
        return cur_ctx

    # --- GC events. -----------------------------------------------------------------------
    #
    # The mark phase has sequence numbers at both ends because GCBegin and GCEnd may be on
    # different threads: the explicit edge keeps a GCEnd from being paired with the wrong
    # cycle's GCBegin when timestamps are badly off.

    def advance_gc_active(
        self, ev: BaseEvent, evt: EvTable, m: int, gen: int, cur_ctx: SchedCtx
    ) -> SchedCtx | None:
        """GC was already running when the generation started.

        In the first generation it must be the first GC event and is not context-checked;
        later it must be the next cycle number while GC is running.

        Mirrors (*ordering).advanceGCActive (order.go).
        """
        seq = ev.args[0]
        if gen == self.initial_gen:
            if self.gc_state != GCState.UNDETERMINED:
                raise TraceError("GCActive in the first generation isn't first GC event")
            self.gc_seq = seq
            self.gc_state = GCState.RUNNING
            self.queue.append(_queued(evt, cur_ctx, ev))
            return cur_ctx
        if seq != ((self.gc_seq + 1) & U64_MASK):
            return None  # Not this GC cycle yet.
        if self.gc_state != GCState.RUNNING:
            raise TraceError("encountered GCActive while GC was not in progress")
        self.gc_seq = seq
        validate_ctx(cur_ctx, USER_GO_REQS)
        self.queue.append(_queued(evt, cur_ctx, ev))
        return cur_ctx

    def advance_gc_begin(
        self, ev: BaseEvent, evt: EvTable, m: int, gen: int, cur_ctx: SchedCtx
    ) -> SchedCtx | None:
        """A GC mark phase begins; the first GC event ever seen sets the cycle number.

        Mirrors (*ordering).advanceGCBegin (order.go).
        """
        seq = ev.args[0]
        if self.gc_state == GCState.UNDETERMINED:
            self.gc_seq = seq
            self.gc_state = GCState.RUNNING
            self.queue.append(_queued(evt, cur_ctx, ev))
            return cur_ctx
        if seq != ((self.gc_seq + 1) & U64_MASK):
            return None  # Not this GC cycle yet.
        if self.gc_state == GCState.RUNNING:
            raise TraceError("encountered GCBegin while GC was already in progress")
        self.gc_seq = seq
        self.gc_state = GCState.RUNNING
        validate_ctx(cur_ctx, USER_GO_REQS)
        self.queue.append(_queued(evt, cur_ctx, ev))
        return cur_ctx

    def advance_gc_end(
        self, ev: BaseEvent, evt: EvTable, m: int, gen: int, cur_ctx: SchedCtx
    ) -> SchedCtx | None:
        """A GC mark phase ends; it must be the next cycle number while GC runs.

        Mirrors (*ordering).advanceGCEnd (order.go).
        """
        seq = ev.args[0]
        if seq != ((self.gc_seq + 1) & U64_MASK):
            return None  # Not this GC cycle yet.
        if self.gc_state == GCState.NOT_RUNNING:
            raise TraceError("encountered GCEnd when GC was not in progress")
        if self.gc_state == GCState.UNDETERMINED:
            raise TraceError("encountered GCEnd when GC was in an undetermined state")
        self.gc_seq = seq
        self.gc_state = GCState.NOT_RUNNING
        validate_ctx(cur_ctx, USER_GO_REQS)
        self.queue.append(_queued(evt, cur_ctx, ev))
        return cur_ctx

    def advance_heap_metric(
        self, ev: BaseEvent, evt: EvTable, m: int, gen: int, cur_ctx: SchedCtx
    ) -> SchedCtx | None:
        """Heap metrics (HeapAlloc, HeapGoal): need a P, not a goroutine.

        Mirrors (*ordering).advanceHeapMetric (order.go).
        """
        validate_ctx(cur_ctx, _REQS_HEAP_METRIC)
        self.queue.append(_queued(evt, cur_ctx, ev))
        return cur_ctx

    def advance_gc_sweep_begin(
        self, ev: BaseEvent, evt: EvTable, m: int, gen: int, cur_ctx: SchedCtx
    ) -> SchedCtx | None:
        """Sweeping begins on the thread's P (a range bound to the P).

        ``p_states[cur_ctx.p]`` always exists here: a thread only ever holds a P that a
        ProcStatus or ProcStart registered (Go would nil-dereference otherwise).

        Mirrors (*ordering).advanceGCSweepBegin (order.go).
        """
        validate_ctx(cur_ctx, _REQS_GC_SWEEP)
        self.p_states[cur_ctx.p].begin_range(make_range_type(ev.typ, 0))
        self.queue.append(_queued(evt, cur_ctx, ev))
        return cur_ctx

    def advance_gc_sweep_active(
        self, ev: BaseEvent, evt: EvTable, m: int, gen: int, cur_ctx: SchedCtx
    ) -> SchedCtx | None:
        """A P was already sweeping when the generation started; the P is named by the event.

        Not context-checked, like GCMarkAssistActive: the runtime could one day let a P block
        mid-sweep.

        Mirrors (*ordering).advanceGCSweepActive (order.go).
        """
        pid = as_int64(ev.args[0])
        p_state = self.p_states.get(pid)
        if p_state is None:
            raise TraceError(f"encountered GCSweepActive for unknown proc {pid}")
        p_state.active_range(make_range_type(ev.typ, 0), gen == self.initial_gen)
        self.queue.append(_queued(evt, cur_ctx, ev))
        return cur_ctx

    def advance_gc_sweep_end(
        self, ev: BaseEvent, evt: EvTable, m: int, gen: int, cur_ctx: SchedCtx
    ) -> SchedCtx | None:
        """Sweeping ends on the thread's P.

        Mirrors (*ordering).advanceGCSweepEnd (order.go).
        """
        validate_ctx(cur_ctx, _REQS_GC_SWEEP)
        self.p_states[cur_ctx.p].end_range(ev.typ)
        self.queue.append(_queued(evt, cur_ctx, ev))
        return cur_ctx

    def advance_go_range_begin(
        self, ev: BaseEvent, evt: EvTable, m: int, gen: int, cur_ctx: SchedCtx
    ) -> SchedCtx | None:
        """A goroutine-bound range begins (STWBegin keyed by its kind, GCMarkAssistBegin).

        Mirrors (*ordering).advanceGoRangeBegin (order.go).
        """
        validate_ctx(cur_ctx, USER_GO_REQS)
        desc = 0
        if ev.typ == _EV_STW_BEGIN:
            desc = ev.args[0]
        g_state = self.g_states.get(cur_ctx.g)
        if g_state is None:
            raise TraceError(
                f"encountered event of type {ev.typ} without known state for current "
                f"goroutine {cur_ctx.g}"
            )
        g_state.begin_range(make_range_type(ev.typ, desc))
        self.queue.append(_queued(evt, cur_ctx, ev))
        return cur_ctx

    def advance_go_range_active(
        self, ev: BaseEvent, evt: EvTable, m: int, gen: int, cur_ctx: SchedCtx
    ) -> SchedCtx | None:
        """A goroutine (named by the event) was already in a range (GCMarkAssistActive).

        Like GoStatus it may name a goroutine that is not running, so the context is not
        checked.

        Mirrors (*ordering).advanceGoRangeActive (order.go).
        """
        gid = as_int64(ev.args[0])
        g_state = self.g_states.get(gid)
        if g_state is None:
            raise TraceError(f"uninitialized goroutine {gid} found during {self.ev_name(ev.typ)}")
        g_state.active_range(make_range_type(ev.typ, 0), gen == self.initial_gen)
        self.queue.append(_queued(evt, cur_ctx, ev))
        return cur_ctx

    def advance_go_range_end(
        self, ev: BaseEvent, evt: EvTable, m: int, gen: int, cur_ctx: SchedCtx
    ) -> SchedCtx | None:
        """A goroutine-bound range ends (STWEnd, GCMarkAssistEnd); STWEnd learns its kind.

        Mirrors (*ordering).advanceGoRangeEnd (order.go).
        """
        validate_ctx(cur_ctx, USER_GO_REQS)
        g_state = self.g_states.get(cur_ctx.g)
        if g_state is None:
            raise TraceError(
                f"encountered event of type {ev.typ} without known state for current "
                f"goroutine {cur_ctx.g}"
            )
        desc = g_state.end_range(ev.typ)
        if ev.typ == _EV_STW_END:
            _smuggle_stw_kind(ev, desc)
        self.queue.append(_queued(evt, cur_ctx, ev))
        return cur_ctx

    # --- Experimental events. -------------------------------------------------------------

    def advance_alloc_free(
        self, ev: BaseEvent, evt: EvTable, m: int, gen: int, cur_ctx: SchedCtx
    ) -> SchedCtx | None:
        """AllocFree experiment events: need a thread, maybe a P or goroutine.

        Mirrors (*ordering).advanceAllocFree (order.go).
        """
        validate_ctx(cur_ctx, _REQS_ALLOC_FREE)
        self.queue.append(_queued(evt, cur_ctx, ev))
        return cur_ctx


#: A handler: ``(ordering, ev, evt, m, gen, cur_ctx) -> new ctx | None`` (``orderingHandleFunc``).
OrderingHandler = Callable[[Ordering, BaseEvent, EvTable, int, int, SchedCtx], SchedCtx | None]

#: Event type -> handler, the ordering semantics of every timed event (``orderingDispatch``).
#: Types absent here (ClockSnapshot, and all non-timed types) are "bad event type" errors.
ORDERING_DISPATCH: Final[dict[int, OrderingHandler]] = {
    # Procs.
    EventType.ProcsChange: Ordering.advance_annotation,
    EventType.ProcStart: Ordering.advance_proc_start,
    EventType.ProcStop: Ordering.advance_proc_stop,
    EventType.ProcSteal: Ordering.advance_proc_steal,
    EventType.ProcStatus: Ordering.advance_proc_status,
    # Goroutines.
    EventType.GoCreate: Ordering.advance_go_create,
    EventType.GoCreateSyscall: Ordering.advance_go_create_syscall,
    EventType.GoStart: Ordering.advance_go_start,
    EventType.GoDestroy: Ordering.advance_go_stop_exec,
    EventType.GoDestroySyscall: Ordering.advance_go_destroy_syscall,
    EventType.GoStop: Ordering.advance_go_stop_exec,
    EventType.GoBlock: Ordering.advance_go_stop_exec,
    EventType.GoUnblock: Ordering.advance_go_unblock,
    EventType.GoSyscallBegin: Ordering.advance_go_syscall_begin,
    EventType.GoSyscallEnd: Ordering.advance_go_syscall_end,
    EventType.GoSyscallEndBlocked: Ordering.advance_go_syscall_end_blocked,
    EventType.GoStatus: Ordering.advance_go_status,
    # STW.
    EventType.STWBegin: Ordering.advance_go_range_begin,
    EventType.STWEnd: Ordering.advance_go_range_end,
    # GC events.
    EventType.GCActive: Ordering.advance_gc_active,
    EventType.GCBegin: Ordering.advance_gc_begin,
    EventType.GCEnd: Ordering.advance_gc_end,
    EventType.GCSweepActive: Ordering.advance_gc_sweep_active,
    EventType.GCSweepBegin: Ordering.advance_gc_sweep_begin,
    EventType.GCSweepEnd: Ordering.advance_gc_sweep_end,
    EventType.GCMarkAssistActive: Ordering.advance_go_range_active,
    EventType.GCMarkAssistBegin: Ordering.advance_go_range_begin,
    EventType.GCMarkAssistEnd: Ordering.advance_go_range_end,
    EventType.HeapAlloc: Ordering.advance_heap_metric,
    EventType.HeapGoal: Ordering.advance_heap_metric,
    # Annotations.
    EventType.GoLabel: Ordering.advance_annotation,
    EventType.UserTaskBegin: Ordering.advance_user_task_begin,
    EventType.UserTaskEnd: Ordering.advance_user_task_end,
    EventType.UserRegionBegin: Ordering.advance_user_region_begin,
    EventType.UserRegionEnd: Ordering.advance_user_region_end,
    EventType.UserLog: Ordering.advance_annotation,
    # Coroutines. Added in Go 1.23.
    EventType.GoSwitch: Ordering.advance_go_switch,
    EventType.GoSwitchDestroy: Ordering.advance_go_switch,
    EventType.GoCreateBlocked: Ordering.advance_go_create,
    # GoStatus event with a stack. Added in Go 1.23.
    EventType.GoStatusStack: Ordering.advance_go_status,
    # Experimental events.
    # Experimental heap span events. Added in Go 1.23.
    EventType.Span: Ordering.advance_alloc_free,
    EventType.SpanAlloc: Ordering.advance_alloc_free,
    EventType.SpanFree: Ordering.advance_alloc_free,
    # Experimental heap object events. Added in Go 1.23.
    EventType.HeapObject: Ordering.advance_alloc_free,
    EventType.HeapObjectAlloc: Ordering.advance_alloc_free,
    EventType.HeapObjectFree: Ordering.advance_alloc_free,
    # Experimental goroutine stack events. Added in Go 1.23.
    EventType.GoroutineStack: Ordering.advance_alloc_free,
    EventType.GoroutineStackAlloc: Ordering.advance_alloc_free,
    EventType.GoroutineStackFree: Ordering.advance_alloc_free,
}


def dump_ordering(order: Ordering) -> str:
    """The state dump embedded in ``broken trace`` errors.

    Go iterates its maps here, so only the first line of such an error is stable across Go
    runs; we print states in insertion order.

    Mirrors dumpOrdering (order.go).
    """
    parts: list[str] = []
    for gid, gs in order.g_states.items():
        parts.append(f"G {gid} [status={GoStatus(gs.status)} seq={gs.seq}]\n")
    parts.append("\n")
    for pid, ps in order.p_states.items():
        parts.append(f"P {pid} [status={order.proc_status_names[ps.status]} seq={ps.seq}]\n")
    parts.append("\n")
    for mid, ms in order.m_states.items():
        parts.append(f"M {mid} [g={ms.g} p={ms.p}]\n")
    parts.append("\n")
    parts.append(f"GC {order.gc_seq} {order.gc_state}\n")
    return "".join(parts)
