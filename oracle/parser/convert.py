"""Conversion of parsed v1 traces (Go 1.11 to 1.21) to v2 events.

Mirrors ``internal/trace/tracev1.go`` (``traceV1Converter``).  Most v1 events have a direct v2
equivalent, at worst with reordered arguments.  Some need context: the first ``Gomaxprocs``
ends the trace's initialisation and turns goroutines created before it into ``GoStatus``
events; ``GoSysCall``, an instant in v1, becomes a 1 ns ``GoSyscallBegin``/``GoSyscallEnd``
pair unless the goroutine's next event is ``GoSysBlock``; ``GoStartLabel`` becomes ``GoStart``
plus ``GoLabel``.  The whole v1 trace is one generation sharing one table.

The converter's events bypass the v2 reader's checks: no table-ID validation, and the
strictly-increasing time fix-up is the converter's own (:meth:`V1Converter.next`).

Go nondeterminism, reproduced by choice: ``createdPreInit`` is a Go map, so the ``GoStatus``
events for goroutines still runnable at the first ``Gomaxprocs`` come out in random order in
Go (with times ``t, t+1, ...`` handed out in that order).  We emit them in creation order.
"""

from __future__ import annotations

from typing import Final

from oracle.parser.base import (
    NO_CTX,
    NO_GOROUTINE,
    NO_TASK,
    NO_THREAD,
    BaseEvent,
    EvTable,
    Frame,
    StackRecord,
    as_int64,
    as_uint64,
    sched_ctx,
    wrap_int64,
)
from oracle.parser.errors import TraceError
from oracle.parser.event import Event, new_event
from oracle.parser.tracev1 import events as v1
from oracle.parser.tracev1.events import EVENT_DESCRIPTIONS, V1Event, stw_reason
from oracle.parser.tracev1.parser import Events, Trace
from oracle.parser.tracev2 import MAX_TIMED_EVENT_ARGS, SPECS, EventType, GoStatus, ProcStatus

__all__ = ["V1Converter"]

_U64: Final = (1 << 64) - 1
_NARGS: Final = MAX_TIMED_EVENT_ARGS - 1

# Builtin strings: block reasons, then STW kinds (the s* constants of tracev1.go), in order.
_BUILTINS: Final[tuple[str, ...]] = (
    "forever",
    "preempted",
    "runtime.Gosched",
    "sleep",
    "chan send",
    "chan receive",
    "network",
    "sync",
    "sync.(*Cond).Wait",
    "select",
    "",
    "GC mark assist wait for work",
    # STW kinds, indexed by sSTWUnknown + STWReason.
    "",
    "GC mark termination",
    "GC sweep termination",
    "write heap dump",
    "goroutine profile",
    "goroutine profile cleanup",
    "all goroutine stack trace",
    "read mem stats",
    "AllThreadsSyscall",
    "GOMAXPROCS",
    "start trace",
    "stop trace",
    "CountPagesInUse (test)",
    "ReadMetricsSlow (test)",
    "ReadMemStatsSlow (test)",
    "PageCachePagesLeaked (test)",
    "ResetDebugLog (test)",
)
S_FOREVER, S_PREEMPTED, S_GOSCHED, S_SLEEP, S_CHAN_SEND, S_CHAN_RECV, S_NETWORK = range(7)
S_SYNC, S_SYNC_COND, S_SELECT, S_EMPTY, S_MARK_ASSIST_WAIT, S_STW_UNKNOWN = range(7, 13)
S_LAST: Final = len(_BUILTINS)

#: v1 blocking events that become ``GoBlock``/``GoStop`` with a builtin reason string.
_BLOCK_REASON: Final[dict[int, tuple[int, int]]] = {
    v1.EvGoStop: (EventType.GoBlock, S_FOREVER),
    v1.EvGoSched: (EventType.GoStop, S_GOSCHED),
    v1.EvGoPreempt: (EventType.GoStop, S_PREEMPTED),
    v1.EvGoSleep: (EventType.GoBlock, S_SLEEP),
    v1.EvGoBlock: (EventType.GoBlock, S_EMPTY),
    v1.EvGoBlockSend: (EventType.GoBlock, S_CHAN_SEND),
    v1.EvGoBlockRecv: (EventType.GoBlock, S_CHAN_RECV),
    v1.EvGoBlockSelect: (EventType.GoBlock, S_SELECT),
    v1.EvGoBlockSync: (EventType.GoBlock, S_SYNC),
    v1.EvGoBlockCond: (EventType.GoBlock, S_SYNC_COND),
    v1.EvGoBlockNet: (EventType.GoBlock, S_NETWORK),
    v1.EvGoBlockGC: (EventType.GoBlock, S_MARK_ASSIST_WAIT),
}

#: v1 events that map to one v2 type with the v1 arguments unchanged.
_DIRECT: Final[dict[int, int]] = {
    v1.EvGCStart: EventType.GCBegin,
    v1.EvGCDone: EventType.GCEnd,
    v1.EvGCSweepStart: EventType.GCSweepBegin,
    v1.EvGCSweepDone: EventType.GCSweepEnd,
    v1.EvGoEnd: EventType.GoDestroy,
    v1.EvGoUnblock: EventType.GoUnblock,
    v1.EvGoSysExit: EventType.GoSyscallEndBlocked,
    v1.EvHeapAlloc: EventType.HeapAlloc,
    v1.EvHeapGoal: EventType.HeapGoal,
    v1.EvGCMarkAssistStart: EventType.GCMarkAssistBegin,
    v1.EvGCMarkAssistDone: EventType.GCMarkAssistEnd,
}


class _Skip(Exception):
    """``errSkip``: the v1 event produces no event of its own."""


class V1Converter:
    """``traceV1Converter``: yields the v2 events of a parsed v1 trace, one at a time."""

    def __init__(self, pr: Trace) -> None:
        """Mirrors ``(*traceV1Converter).init`` (its impossible errors raise too)."""
        self.trace_version = pr.version
        self.pre_init = True
        self.created_pre_init: dict[int, None] = {}
        self.evt = evt = EvTable()
        self.events: Events = pr.events
        self.extra: list[Event] = []
        self.tasks: dict[int, tuple[str, int]] = {}  # task ID -> (name, parent ID)
        self.seen_procs: set[int] = set()
        self.last_ts = -1
        self.proc_ms: dict[int, int] = {}
        self.last_stw_reason = 0

        # Convert trace v1's Strings map to our dataTable.
        max_id = 0
        for id_, s in pr.strings.items():
            evt.strings.insert(id_, s)
            if id_ > max_id:
                max_id = id_
        pr.strings = {}

        # Add the strings used for UserLog: inline in v1, they get IDs after the table's.
        if max_id + len(pr.inline_strings) > _U64:
            raise TraceError("trace contains too many strings")
        self.inline_to_string_id: list[int] = []
        for i, s in enumerate(pr.inline_strings):
            nid = max_id + 1 + i
            self.inline_to_string_id.append(nid)
            evt.strings.insert(nid, s)
        max_id += len(pr.inline_strings)
        pr.inline_strings = []

        # Add strings that the converter emits explicitly.
        if max_id + S_LAST > _U64:
            raise TraceError("trace contains too many strings")
        self.builtin_to_string_id = [max_id + 1 + c for c in range(S_LAST)]
        for c, s in enumerate(_BUILTINS):
            evt.strings.insert(max_id + 1 + c, s)
        evt.strings.compactify()

        # Convert stacks.
        for sid, stk in pr.stacks.items():
            evt.stacks.insert(sid, StackRecord(tuple(stk)))
        for pc, f in pr.pcs.items():
            evt.pcs[pc] = Frame(pc, f.fn, f.file, as_uint64(f.line))
        pr.stacks = {}
        pr.pcs = {}
        evt.stacks.compactify()

    def peek_time(self) -> int | None:
        """The time of the next unconverted v1 event (``events.Peek``), if any."""
        ev = self.events.peek()
        return None if ev is None else ev.ts

    def next(self) -> Event | None:
        """Mirrors ``next``: the next event, ``None`` at the end (Go's ``io.EOF``).

        A conversion error consumes its v1 event: the next call goes on with the one after.
        """
        while True:
            if self.extra:
                ev = self.extra.pop(0)
            else:
                oev = self.events.pop()
                if oev is None:
                    return None
                try:
                    ev = self.convert_event(oev)
                except _Skip:
                    continue
            # Two events may not share a timestamp in the new API, but GoStatus events can.
            base = ev.base
            if base.time <= self.last_ts:
                base.time = wrap_int64(self.last_ts + 1)
            self.last_ts = base.time
            return ev

    def _event(self, ctx_g: int, ctx_p: int, ctx_m: int, typ: int, time: int, args: list[int]) -> Event:
        return new_event(self.evt, sched_ctx(ctx_g, ctx_p, ctx_m), BaseEvent(typ, time, args))

    def convert_event(self, ev: V1Event) -> Event:
        """Mirrors ``convertEvent``: the first v2 event for ``ev`` (more go to ``extra``)."""
        mapped_args = ev.args.copy()  # copy(mappedArgs[:], ev.Args[:]): 4 slots each
        t = ev.typ
        bid = self.builtin_to_string_id
        direct = _DIRECT.get(t)
        block = _BLOCK_REASON.get(t)
        if direct is not None:
            mapped_type = direct
        elif block is not None:
            mapped_type = block[0]
            mapped_args = [bid[block[1]], ev.stk, 0, 0]
        elif t == v1.EvGomaxprocs:
            mapped_type = EventType.ProcsChange
            if self.pre_init:
                # The first EvGomaxprocs ends trace initialization: every goroutine that existed
                # when tracing started has been seen.  Those that got neither GoWaiting,
                # GoInSyscall nor GoStart were _Gidle or _Grunnable.
                self.pre_init = False
                for gid in self.created_pre_init:
                    self.extra.append(
                        new_event(
                            self.evt,
                            NO_CTX,
                            BaseEvent(EventType.GoStatus, ev.ts, [gid, _U64, GoStatus.Runnable, 0]),
                        )
                    )
                self.created_pre_init = {}
                raise _Skip
        elif t == v1.EvProcStart:
            self.proc_ms[ev.p] = as_int64(ev.args[0])
            if ev.p in self.seen_procs:
                mapped_type = EventType.ProcStart
                mapped_args = [as_uint64(ev.p), 0, 0, 0]
            else:
                self.seen_procs.add(ev.p)
                mapped_type = EventType.ProcStatus
                mapped_args = [as_uint64(ev.p), ProcStatus.Running, 0, 0]
        elif t == v1.EvProcStop:
            if ev.p in self.seen_procs:
                mapped_type = EventType.ProcStop
                mapped_args = [as_uint64(ev.p), 0, 0, 0]
            else:
                self.seen_procs.add(ev.p)
                mapped_type = EventType.ProcStatus
                mapped_args = [as_uint64(ev.p), ProcStatus.Idle, 0, 0]
        elif t == v1.EvSTWStart:
            sid = bid[S_STW_UNKNOWN + stw_reason(self.trace_version, ev.args[0])]
            self.last_stw_reason = sid
            mapped_type = EventType.STWBegin
            mapped_args = [sid, 0, 0, 0]
        elif t == v1.EvSTWDone:
            mapped_type = EventType.STWEnd
            mapped_args = [self.last_stw_reason, 0, 0, 0]
        elif t == v1.EvGoCreate:
            if self.pre_init:
                self.created_pre_init[ev.args[0]] = None
                raise _Skip
            mapped_type = EventType.GoCreate
        elif t == v1.EvGoStart:
            if self.pre_init:
                mapped_type = EventType.GoStatus
                mapped_args = [ev.args[0], _U64, GoStatus.Running, 0]
                self.created_pre_init.pop(ev.args[0], None)
            else:
                mapped_type = EventType.GoStart
        elif t == v1.EvGoStartLabel:
            g, p, m = as_int64(ev.g), ev.p, self.proc_ms.get(ev.p, 0)
            self.extra = [self._event(g, p, m, EventType.GoLabel, ev.ts, [ev.args[2], 0, 0, 0])]
            return self._event(g, p, m, EventType.GoStart, ev.ts, mapped_args)
        elif t == v1.EvGoSysCall:
            # The next event of the same G tells whether the syscall blocked: GoSysBlock if it
            # did, anything else (or the end of the trace) if it did not.
            blocked = False
            for nev in self.events.iter_rest():
                if nev.g != ev.g:
                    continue
                blocked = nev.typ == v1.EvGoSysBlock
                break
            if blocked:
                mapped_type = EventType.GoSyscallBegin
                mapped_args = [0, ev.stk, 0, 0]
            else:
                # An instantaneous syscall: a begin/end pair 1 ns apart.
                g, p, m = as_int64(ev.g), ev.p, self.proc_ms.get(ev.p, 0)
                out1 = self._event(g, p, m, EventType.GoSyscallBegin, ev.ts, [0, ev.stk, 0, 0])
                out2 = self._event(g, p, m, EventType.GoSyscallEnd, wrap_int64(ev.ts + 1), [0, 0, 0, 0])
                self.extra.append(out2)
                return out1
        elif t == v1.EvGoSysBlock:
            raise _Skip
        elif t == v1.EvGoWaiting or t == v1.EvGoInSyscall:
            mapped_type = EventType.GoStatus
            # GoInSyscall does not know the syscall's thread: NoThread is all we can say.
            status = GoStatus.Waiting if t == v1.EvGoWaiting else GoStatus.Syscall
            mapped_args = [ev.args[0], _U64, status, 0]
            self.created_pre_init.pop(ev.args[0], None)
        elif t == v1.EvUserTaskCreate:
            mapped_type = EventType.UserTaskBegin
            parent = ev.args[1]
            if parent == 0:
                parent = NO_TASK
            mapped_args = [ev.args[0], parent, ev.args[2], ev.stk]
            name, _ = self.evt.strings.get(ev.args[2])
            self.tasks[ev.args[0]] = (name, ev.args[1])
        elif t == v1.EvUserTaskEnd:
            mapped_type = EventType.UserTaskEnd
            # Event.Task expects the parent and name smuggled in extra args and extra strings.
            ts = self.tasks.pop(ev.args[0], None)
            if ts is not None:
                mapped_args = [ev.args[0], ev.args[1], ts[1], self.evt.add_extra_string(ts[0])]
            else:
                mapped_args = [ev.args[0], ev.args[1], NO_TASK, self.evt.add_extra_string("")]
        elif t == v1.EvUserRegion:
            mapped_type = 0  # EvNone, for a mode other than 0 or 1 (postProcessTrace forbids it)
            if ev.args[1] == 0:
                mapped_type = EventType.UserRegionBegin
            elif ev.args[1] == 1:
                mapped_type = EventType.UserRegionEnd
            mapped_args = [ev.args[0], ev.args[2], ev.stk, 0]
        elif t == v1.EvUserLog:
            mapped_type = EventType.UserLog
            mapped_args = [ev.args[0], ev.args[1], self.inline_to_string_id[ev.args[3]], ev.stk]
        elif t == v1.EvCPUSample:
            mapped_type = EventType.CPUSample
            # A v2 CPUSample's args (after the timestamp) are stack, M, P, G; Go 1.21's samples
            # had no M.
            mapped_args = [ev.stk, _U64, as_uint64(ev.p), ev.g]
        else:
            raise TraceError(f"unexpected event type {t}")

        if EVENT_DESCRIPTIONS[t].stack:
            stack_ids = SPECS[mapped_type].stack_ids
            if stack_ids:
                mapped_args[stack_ids[0] - 1] = ev.stk

        m = NO_THREAD
        if ev.p != -1 and t != v1.EvCPUSample:
            m = self.proc_ms.get(ev.p, NO_THREAD)
        if t == v1.EvProcStop:
            self.proc_ms.pop(ev.p, None)
        g = as_int64(ev.g)
        if g == 0:
            g = NO_GOROUTINE
        return self._event(g, ev.p, m, mapped_type, ev.ts, mapped_args)
