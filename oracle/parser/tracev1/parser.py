"""The v1 trace parser (Go 1.11 to 1.21 traces): bytes after the header in, a sorted,
validated event list out.

Mirrors ``internal/trace/internal/tracev1/parser.go`` function by function (the shared
declarations are in :mod:`oracle.parser.tracev1.events`).  Go's comments are kept where they
explain an algorithm step.

Theory of operation
-------------------
Unlike v2, a v1 trace is not split into generations: Go reads all of it into memory and parses it
in four passes (:meth:`Parser.parse`):

1. :meth:`Parser.collect_batches_and_cpu_samples` records where each P's batches start and
   parses the CPU samples;
2. :meth:`Parser.parse_event_batches` decodes the batches and merges them into one stream that
   respects the goroutine sequence numbers (:mod:`oracle.parser.tracev1.order`);
3. ticks become nanoseconds, and timer unblocks and syscall exits move to fake Ps;
4. :meth:`Parser.post_process_trace` checks the scheduling state machine.

Every error is returned by ``Parse`` (so by ``NewReader``), before the first event.

Go's value types and pointers are kept apart with care: ``gdesc``/``pdesc`` are copied out of
their maps, changed, and stored back only where Go stores them back (whether a key *exists*
is observable: ``g %d already exists``); ``*Event`` pointers are references to one
:class:`V1Event`, whose later mutations they see, as in Go.

Go reads its uvarints with ``binary.Uvarint`` over the rest of the data; a bare ``io.EOF``
(end of data at an event boundary, and one path that skips a UserLog string) ends a read loop
silently, where a wrapped EOF is an error.  :class:`_EOF` models the bare one.
"""

from __future__ import annotations

from typing import Final, cast

from oracle.parser.base import float_to_int64, wrap_int64
from oracle.parser.errors import TraceError
from oracle.parser.gosort import sort_func_by_key
from oracle.parser.gostrconv import quote
from oracle.parser.tracev1.events import (
    EVENT_DESCRIPTIONS,
    GCP,
    NETPOLL_P,
    PROFILE_P,
    SYSCALL_P,
    TIMER_P,
    EvBatch,
    EvCount,
    EvCPUSample,
    EvFrequency,
    EvGCDone,
    EvGCMarkAssistDone,
    EvGCMarkAssistStart,
    EvGCStart,
    EvGCSweepDone,
    EvGCSweepStart,
    EvGoBlock,
    EvGoBlockCond,
    EvGoBlockGC,
    EvGoBlockNet,
    EvGoBlockRecv,
    EvGoBlockSelect,
    EvGoBlockSend,
    EvGoBlockSync,
    EvGoCreate,
    EvGoEnd,
    EvGoInSyscall,
    EvGoPreempt,
    EvGoSched,
    EvGoSleep,
    EvGoStart,
    EvGoStartLabel,
    EvGoStartLocal,
    EvGoStop,
    EvGoSysBlock,
    EvGoSysCall,
    EvGoSysExit,
    EvGoSysExitLocal,
    EvGoUnblock,
    EvGoUnblockLocal,
    EvGoWaiting,
    EvNone,
    EvProcStart,
    EvProcStop,
    EvStack,
    EvString,
    EvSTWDone,
    EvSTWStart,
    EvTimerGoroutine,
    EvUserLog,
    EvUserRegion,
    EvUserTaskCreate,
    EvUserTaskEnd,
    V1Event,
    wrap_i32,
)
from oracle.parser.tracev1.order import (
    GState,
    OrderEvent,
    heap_pop,
    heap_push,
    state_transition,
    transition,
    transition_ready,
)
from oracle.parser.uvarint import uvarint
from oracle.parser.version import Version

__all__ = ["ERR_TIME_ORDER", "GO_SMALL_MAP_ORDERS", "Events", "Frame", "Trace", "parse"]

_U64: Final = (1 << 64) - 1
_MAX_INT32: Final = (1 << 31) - 1
_MAX_INT: Final = (1 << 63) - 1
_MAX_UINT_S: Final = str(_U64)

ERR_TIME_ORDER: Final = "time stamps out of order"
_ERR_MALFORMED_VARINT: Final = "malformatted base-128 varint"
_UNEXPECTED_EOF: Final = "unexpected EOF"

#: readRawEvent flags.
_SKIP_ARGS: Final = 1
_SKIP_STRINGS: Final = 2
_INLINE_ARGS: Final = 3

_STACK_FRAMES_LIMIT: Final = 1000
_STRING_LIMIT: Final = 1_000_000
_ARG_BYTES_LIMIT: Final = 2048


class _EOF(Exception):
    """A bare ``io.EOF`` from ``readRawEvent``: the read loop ends without an error."""


class Frame:
    """``tracev1.Frame``: a PC and the string IDs of its function and file."""

    __slots__ = ("pc", "fn", "file", "line")

    def __init__(self, pc: int, fn: int, file: int, line: int) -> None:
        self.pc = pc
        self.fn = fn
        self.file = file
        self.line = line  # Go's int(line): int64 wraparound of the wire value


class Events:
    """``tracev1.Events``: the parsed events, consumed front to back by the converter.

    Go keeps them in 32 MiB buckets and drops each bucket once it is consumed; here a list
    whose consumed slots are cleared (set to ``None``) as :meth:`pop` passes them, so a caller
    that does not keep the converted events holds only the unconsumed rest.
    """

    __slots__ = ("_items", "_off")

    def __init__(self, items: list[V1Event | None]) -> None:
        self._items = items
        self._off = 0

    def __len__(self) -> int:
        return len(self._items) - self._off

    def ptr(self, i: int) -> V1Event:
        ev = self._items[i + self._off]
        assert ev is not None
        return ev

    def pop(self) -> V1Event | None:
        """The next event, or ``None`` at the end (Go's ``Pop`` returning ``false``)."""
        if self._off == len(self._items):
            return None
        ev = self._items[self._off]
        self._items[self._off] = None
        self._off += 1
        return ev

    def peek(self) -> V1Event | None:
        if self._off == len(self._items):
            return None
        return self._items[self._off]

    def iter_rest(self) -> _RestIter:
        """The unconsumed events in order, without copying (``Events.All``)."""
        return _RestIter(self._items, self._off)


class _RestIter:
    """Iterates the unconsumed events without copying the list (``Events.All``)."""

    __slots__ = ("_items", "_i")

    def __init__(self, items: list[V1Event | None], off: int) -> None:
        self._items = items
        self._i = off

    def __iter__(self) -> _RestIter:
        return self

    def __next__(self) -> V1Event:
        if self._i >= len(self._items):
            raise StopIteration
        ev = self._items[self._i]
        self._i += 1
        assert ev is not None
        return ev


class Trace:
    """``tracev1.Trace``: the result of :func:`parse`."""

    __slots__ = ("version", "events", "stacks", "pcs", "strings", "inline_strings")

    def __init__(
        self,
        version: Version,
        events: Events,
        stacks: dict[int, list[int]],
        pcs: dict[int, Frame],
        strings: dict[int, str],
        inline_strings: list[str],
    ) -> None:
        self.version = version
        self.events = events
        self.stacks = stacks
        self.pcs = pcs
        self.strings = strings
        self.inline_strings = inline_strings


class _RawEvent:
    """``rawEvent``: one event as read from the wire, before interpretation."""

    __slots__ = ("typ", "args", "sargs", "batch_pid", "batch_offset")

    def __init__(self) -> None:
        self.typ = EvNone
        self.args: list[int] = []
        self.sargs: list[str] = []
        self.batch_pid = 0
        self.batch_offset = 0

    def arg_num(self) -> int:
        """Mirrors ``(*rawEvent).argNum``: arguments including timestamp and stack."""
        desc = EVENT_DESCRIPTIONS[self.typ]
        if self.typ == EvStack:
            return len(self.args)
        narg = len(desc.args)
        if desc.stack:
            narg += 1
        if self.typ in (EvBatch, EvFrequency, EvTimerGoroutine):
            return narg
        return narg + 1  # timestamp


class _Proc:
    """``proc``: one P's remaining events in its current batch."""

    __slots__ = ("pid", "events", "done")

    def __init__(self, pid: int, events: list[V1Event] | None = None) -> None:
        self.pid = pid
        self.events: list[V1Event] = events if events is not None else []
        self.done = False


class _BatchOffset:
    """``batchOffset``: where a batch starts and how many events it holds."""

    __slots__ = ("offset", "num_events")

    def __init__(self, offset: int) -> None:
        self.offset = offset
        self.num_events = 0


class _GDesc:
    """``gdesc`` in postProcessTrace (a value type: copy it before changing it)."""

    __slots__ = ("state", "ev", "ev_start", "ev_create", "ev_mark_assist")

    def __init__(self, state: int = 0, ev: V1Event | None = None, ev_create: V1Event | None = None) -> None:
        self.state = state
        self.ev = ev
        self.ev_start: V1Event | None = None
        self.ev_create = ev_create
        self.ev_mark_assist: V1Event | None = None

    def copy(self) -> _GDesc:
        c = _GDesc(self.state, self.ev, self.ev_create)
        c.ev_start = self.ev_start
        c.ev_mark_assist = self.ev_mark_assist
        return c


class _PDesc:
    """``pdesc`` in postProcessTrace (a value type)."""

    __slots__ = ("running", "g", "ev_sweep")

    def __init__(self) -> None:
        self.running = False
        self.g = 0
        self.ev_sweep: V1Event | None = None

    def copy(self) -> _PDesc:
        c = _PDesc()
        c.running = self.running
        c.g = self.g
        c.ev_sweep = self.ev_sweep
        return c


_G_DEAD: Final = 0
_G_RUNNABLE: Final = 1
_G_RUNNING: Final = 2
_G_WAITING: Final = 3

_GO_BLOCKING: Final = frozenset(
    (EvGoSleep, EvGoBlock, EvGoBlockSend, EvGoBlockRecv, EvGoBlockSelect, EvGoBlockSync,
     EvGoBlockCond, EvGoBlockNet, EvGoBlockGC)
)
_CLEARS_LAST_G: Final = frozenset(
    (EvGoEnd, EvGoStop, EvGoSched, EvGoPreempt, EvGoSleep, EvGoBlock, EvGoBlockSend,
     EvGoBlockRecv, EvGoBlockSelect, EvGoBlockSync, EvGoBlockCond, EvGoBlockNet, EvGoSysBlock,
     EvGoBlockGC)
)
_LOCAL_TO_GLOBAL: Final = {
    EvGoStartLocal: EvGoStart,
    EvGoUnblockLocal: EvGoUnblock,
    EvGoSysExitLocal: EvGoSysExit,
}


#: How many orders of the Ps Go's map iteration can produce for a small map: a map of at most 8
#: entries is one swiss-table group, filled in insertion order, and iteration starts at a
#: random one of its 8 slots and wraps around.  So Go's order is one of the 8 rotations of
#: insertion order (slots left empty only repeat a rotation).  Bigger maps have more orders.
GO_SMALL_MAP_ORDERS: Final = 8


def parse(data: bytes, ver: Version, *, proc_rotation: int = 0) -> Trace:
    """Mirrors ``Parse``: ``data`` is everything after the header, read to the end.

    ``proc_rotation`` picks which of Go's possible map orders of the Ps to follow (see
    :data:`GO_SMALL_MAP_ORDERS`); 0, the default, is insertion order.
    """
    return Parser(data, ver, proc_rotation).parse()


class Parser:
    """``parser``: the state of one :func:`parse` call."""

    def __init__(self, data: bytes, ver: Version, proc_rotation: int = 0) -> None:
        self.ver = ver
        self.proc_rotation = proc_rotation
        self.data = data
        self.off = 0
        self.strings: dict[int, str] = {}
        self.inline_strings: list[str] = []
        self.inline_strings_mapping: dict[str, int] = {}
        # Map from Ps to their batch offsets.
        self.batch_offsets: dict[int, list[_BatchOffset]] = {}
        self.stacks: dict[int, list[int]] = {}
        self.ticks_per_sec = 0
        self.pcs: dict[int, Frame] = {}
        self.cpu_samples: list[V1Event] = []
        self.timer_goids: set[int] = set()
        # State for parseEvent.
        self.last_ts = 0
        self.last_g = 0
        # Map from Ps to the last Gs that ran on them.
        self.last_gs: dict[int, int] = {}
        self.last_p = 0

    # --- parse ------------------------------------------------------------------------------

    def parse(self) -> Trace:
        """Mirrors ``(*parser).parse``: parse, post-process and verify the trace."""
        try:
            self.collect_batches_and_cpu_samples()
            events = self.parse_event_batches()
            if self.ticks_per_sec == 0:
                raise TraceError("no EvFrequency event")

            if events:
                # Translate cpu ticks to real time.
                min_ts = events[0].ts
                # Use floating point to avoid integer overflows.
                freq = 1e9 / float(self.ticks_per_sec)
                timer_goids = self.timer_goids
                for ev in events:
                    ev.ts = float_to_int64(float(wrap_int64(ev.ts - min_ts)) * freq)
                    # Move timers and syscalls to separate fake Ps.
                    if ev.g in timer_goids and ev.typ == EvGoUnblock:
                        ev.p = TIMER_P
                    if ev.typ == EvGoSysExit:
                        ev.p = SYSCALL_P

            self.post_process_trace(events)
        finally:
            self.data = b""
        return Trace(
            self.ver,
            Events(cast(list[V1Event | None], events)),  # no copy: the list is handed over
            self.stacks,
            self.pcs,
            self.strings,
            self.inline_strings,
        )

    # --- pass 2: merge the batches ----------------------------------------------------------

    def parse_event_batches(self) -> list[V1Event]:
        """Mirrors ``parseEventBatches``: merge per-P batches into one consistent stream.

        Events within a batch are in order; the merge repeatedly takes, of the first unmerged
        event of every P (the frontier), the earliest one whose goroutine-sequence dependencies
        are satisfied.  This forms a consistent stream even if timestamps are wrong.
        """
        # Re-sort CPU samples by the timestamp captured in the signal handler (an unstable
        # pdqsort in Go, reproduced move for move).
        sort_func_by_key(self.cpu_samples, _event_ts)

        # Go ranges over the batchOffsets map here: the order is Go's map order.  We take
        # insertion order, rotated by proc_rotation slots of an 8-slot group.
        pids = list(self.batch_offsets)
        if self.proc_rotation and pids:
            slots = max(GO_SMALL_MAP_ORDERS, len(pids))
            r = self.proc_rotation % slots
            pids = [p for p in pids[r:]] + pids[:r] if r < len(pids) else pids
        all_procs = [_Proc(pid) for pid in pids]
        all_procs.append(_Proc(PROFILE_P, self.cpu_samples))

        events: list[V1Event] = []
        gs: dict[int, GState] = {}
        frontier: list[OrderEvent] = []

        available = list(all_procs)
        while True:
            i = 0
            while i < len(available):
                proc = available[i]
                exhausted = False
                while not proc.events:
                    # Call loadBatch in a loop because sometimes batches are empty.
                    try:
                        proc.events = self.load_batch(proc.pid)
                    except _EOF:
                        # This P has no more events.
                        proc.done = True
                        available[i], available[-1] = available[-1], available[i]
                        available.pop()
                        exhausted = True
                        break
                if exhausted:
                    # We swapped the element at i with another proc: look at the index again.
                    continue

                ev = proc.events[0]
                g, init, _ = state_transition(ev)
                if not transition_ready(g, gs.get(g, _ZERO_G), init):
                    i += 1
                    continue
                del proc.events[0]
                available[i], available[-1] = available[-1], available[i]
                available.pop()
                heap_push(frontier, OrderEvent(ev, proc))
                # We swapped the element at i with another proc: look at the index again.

            if not frontier:
                for p in all_procs:
                    if not p.done:
                        raise TraceError("no consistent ordering of events possible")
                break
            f = heap_pop(frontier)

            # stateTransition is a pure function: computing it again is what Go does.
            g, init, nxt = state_transition(f.ev)

            # Get rid of "Local" events, they are intended merely for ordering.
            glob = _LOCAL_TO_GLOBAL.get(f.ev.typ)
            if glob is not None:
                f.ev.typ = glob
            events.append(f.ev)

            transition(gs, g, init, nxt)
            available.append(cast(_Proc, f.proc))

        # At this point we have a consistent stream of events.  Make sure time stamps respect
        # the ordering.
        for k in range(len(events) - 1, 0, -1):
            if events[k].ts < events[k - 1].ts:
                raise TraceError(ERR_TIME_ORDER)

        # Give EvGoSysExit events their real timestamps (ev.Args[2], acquired long before the
        # event was emitted).  Doing it only now avoids misplacing them in the merge.
        last_sys_block: dict[int, int] = {}
        for ev in events:
            t = ev.typ
            if t == EvGoSysBlock or t == EvGoInSyscall:
                last_sys_block[ev.g] = ev.ts
            elif t == EvGoSysExit:
                ts = wrap_int64(ev.args[2])
                if ts == 0:
                    continue
                block = last_sys_block.get(ev.g, 0)
                if block == 0:
                    raise TraceError("stray syscall exit")
                if ts < block:
                    raise TraceError(ERR_TIME_ORDER)
                ev.ts = ts
        events.sort(key=_event_ts)  # sort.Stable
        return events

    # --- pass 1: index the batches ----------------------------------------------------------

    def collect_batches_and_cpu_samples(self) -> None:
        """Mirrors ``collectBatchesAndCPUSamples``: record batch offsets, parse CPU samples."""
        raw = _RawEvent()
        cur_p = 0
        while True:
            try:
                self.read_raw_event(_SKIP_ARGS | _SKIP_STRINGS, raw)
            except _EOF:
                break
            if raw.typ == EvNone:
                continue

            if raw.typ == EvBatch:
                self.batch_offsets.setdefault(raw.batch_pid, []).append(_BatchOffset(raw.batch_offset))
                cur_p = raw.batch_pid

            batches = self.batch_offsets.get(cur_p)
            if not batches:
                raise TraceError(
                    f"read event {raw.typ} with current P of {cur_p}, but P has no batches yet"
                )
            batches[-1].num_events += 1

            if raw.typ == EvCPUSample:
                e = V1Event(raw.typ)
                arg_offset = 1
                narg = raw.arg_num()
                if len(raw.args) != narg:
                    raise TraceError(
                        f"CPU sample has wrong number of arguments: want {narg}, got {len(raw.args)}"
                    )
                for i in range(arg_offset, narg):
                    if i == narg - 1:
                        e.stk = raw.args[i] & 0xFFFFFFFF
                    else:
                        e.args[i - arg_offset] = raw.args[i]
                e.ts = wrap_int64(e.args[0])
                e.p = wrap_i32(e.args[1])
                e.g = e.args[2]
                e.args[0] = 0
                # CPU samples are written by a separate worker after some delay; they stay in
                # their own batch until the merge, re-sorted by the signal handler's timestamp.
                self.cpu_samples.append(e)

    # --- the wire ---------------------------------------------------------------------------

    def _read_val(self) -> int:
        """Mirrors ``readVal``: a uvarint at the offset, or ``errMalformedVarint``."""
        v, n = uvarint(self.data, self.off)
        if n <= 0:
            raise TraceError(_ERR_MALFORMED_VARINT)
        self.off += n
        return v

    def _discard(self, n: int) -> bool:
        if n > _MAX_INT:
            return False
        noff = self.off + n
        if noff > len(self.data):
            return False
        self.off = noff
        return True

    def _read_full(self, n: int) -> bytes:
        """Mirrors ``readFull``; note that it fails at the end of data even for ``n == 0``."""
        if self.off >= len(self.data) or self.off + n > len(self.data):
            raise TraceError(f"failed to read trace: {_UNEXPECTED_EOF}")
        buf = self.data[self.off : self.off + n]
        self.off += n
        return buf

    def read_raw_event(self, flags: int, ev: _RawEvent) -> None:
        """Mirrors ``readRawEvent``: read one raw event into ``ev``; :class:`_EOF` at the end.

        Errors that Go wraps with ``failed to read trace: %w`` or ``failed to read event %d
        argument: %w`` get the same texts; the "failed to read trace" errors of readFull are
        raised by :meth:`_read_full` with the wrapper already applied.
        """
        data = self.data
        # Read event type and number of arguments (1 byte).
        if self.off >= len(data):
            raise _EOF
        b = data[self.off]
        self.off += 1
        typ = b & 0x3F
        # Most events have a timestamp before the arguments, so 1 is added: narg == 4 is the
        # largest count that is not length-prefixed.
        narg = (b >> 6) + 1
        if typ == EvNone or typ >= EvCount or EVENT_DESCRIPTIONS[typ].min_version > self.ver:
            raise TraceError(f"unknown event type {typ}")

        if typ == EvString:
            if flags & _SKIP_STRINGS:
                # String dictionary entry [ID, length, string].
                self._read_val()
                ln = self._read_val()
                if not self._discard(ln):
                    raise TraceError("failed to read trace: EOF")
            else:
                id_ = self._read_val()
                if id_ == 0:
                    raise TraceError("string has invalid id 0")
                if self.strings.get(id_, "") != "":
                    raise TraceError(f"string has duplicate id {id_}")
                ln = self._read_val()
                if ln == 0:
                    raise TraceError("string has invalid length 0")
                if ln > _STRING_LIMIT:
                    raise TraceError(f"string has too large length {ln}")
                buf = self._read_full(ln)
                self.strings[id_] = _go_string(buf)
            ev.typ = EvNone
            return

        if typ == EvBatch:
            if narg != 2:
                raise TraceError(f"EvBatch has wrong number of arguments: got {narg}, want 2")
            # -1 because we've already read the first byte of the batch.
            off = self.off - 1
            pid = self._read_val()
            if pid != _U64 and pid > _MAX_INT32:
                raise TraceError(f"processor ID {pid} is larger than maximum of {_MAX_UINT_S}")
            pid32 = -1 if pid == _U64 else pid
            v = self._read_val()
            ev.typ = EvBatch
            ev.args = [pid, v]
            ev.sargs = []
            ev.batch_pid = pid32
            ev.batch_offset = off
            return

        ev.typ = typ
        ev.args = args = []
        ev.sargs = []
        ev.batch_pid = 0
        ev.batch_offset = 0
        if narg <= _INLINE_ARGS:
            for _ in range(narg):
                v, n = uvarint(data, self.off)
                if n <= 0:
                    raise TraceError(f"failed to read event {typ} argument: {_ERR_MALFORMED_VARINT}")
                self.off += n
                if not flags & _SKIP_ARGS:
                    args.append(v)
            return

        # More than inlineArgs args: the first value is the length of the event in bytes.
        v, n = uvarint(data, self.off)
        if n <= 0:
            raise TraceError(f"failed to read event {typ} argument: {_ERR_MALFORMED_VARINT}")
        self.off += n
        if v > _ARG_BYTES_LIMIT:
            raise TraceError(
                f"failed to read event {typ} argument: length-prefixed argument too big: "
                f"{v} bytes, limit is {_ARG_BYTES_LIMIT}"
            )
        if not flags & _SKIP_ARGS or typ == EvCPUSample:
            buf = self._read_full(v)
            pos = 0
            while pos < len(buf):
                x, n = uvarint(buf, pos)
                if n <= 0:
                    raise TraceError(_ERR_MALFORMED_VARINT)
                pos += n
                args.append(x)
        elif not self._discard(v):
            raise TraceError("failed to read trace: EOF")
        if typ == EvUserLog:
            # EvUserLog records are followed by a value string.
            if not flags & _SKIP_ARGS:
                ev.sargs.append(self._read_str())
            else:
                ln = self._read_val()
                if not self._discard(ln):
                    raise _EOF

    def load_batch(self, pid: int) -> list[V1Event]:
        """Mirrors ``loadBatch``: the events of ``pid``'s next batch; :class:`_EOF` if none."""
        offsets = self.batch_offsets.get(pid)
        if not offsets:
            raise _EOF
        offset = offsets.pop(0).offset
        self.off = offset

        events: list[V1Event] = []
        got_header = False
        raw = _RawEvent()
        while True:
            try:
                self.read_raw_event(0, raw)
            except _EOF:
                break
            if raw.typ == EvNone or raw.typ == EvCPUSample:
                continue
            if raw.typ == EvBatch:
                if got_header:
                    break
                got_header = True
            ev = self.parse_event(raw)
            if ev is not None:
                events.append(ev)
        return events

    def _read_str(self) -> str:
        """Mirrors ``readStr``."""
        sz = self._read_val()
        if sz == 0:
            return ""
        if sz > _STRING_LIMIT:
            raise TraceError(f"string is too large (len={sz})")
        return _go_string(self._read_full(sz))

    # --- events -----------------------------------------------------------------------------

    def parse_event(self, raw: _RawEvent) -> V1Event | None:
        """Mirrors ``parseEvent``: interpret a raw event; ``None`` where Go leaves EvNone."""
        desc = EVENT_DESCRIPTIONS[raw.typ]
        if desc.name == "":
            raise TraceError(f"missing description for event type {raw.typ}")
        narg = raw.arg_num()
        args = raw.args
        if len(args) != narg:
            raise TraceError(f"{desc.name} has wrong number of arguments: want {narg}, got {len(args)}")
        typ = raw.typ
        if typ == EvBatch:
            self.last_gs[self.last_p] = self.last_g
            if args[0] != _U64 and args[0] > _MAX_INT32:
                raise TraceError(f"processor ID {args[0]} is larger than maximum of {_MAX_INT32}")
            self.last_p = -1 if args[0] == _U64 else args[0]
            self.last_g = self.last_gs.get(self.last_p, 0)
            self.last_ts = wrap_int64(args[1])
            return None
        if typ == EvFrequency:
            self.ticks_per_sec = wrap_int64(args[0])
            if self.ticks_per_sec <= 0:
                # Most likely tick skew on different CPUs.
                raise TraceError(ERR_TIME_ORDER)
            return None
        if typ == EvTimerGoroutine:
            self.timer_goids.add(args[0])
            return None
        if typ == EvStack:
            if len(args) < 2:
                raise TraceError(f"EvStack has wrong number of arguments: want at least 2, got {len(args)}")
            size = args[1]
            if size > _STACK_FRAMES_LIMIT:
                raise TraceError(f"EvStack has bad number of frames: {size}")
            want = 2 + 4 * size
            if len(args) != want:
                raise TraceError(f"EvStack has wrong number of arguments: want {want}, got {len(args)}")
            id_ = args[0] & 0xFFFFFFFF
            if id_ != 0 and size > 0:
                stk = [0] * size
                pcs = self.pcs
                for i in range(size):
                    pc = args[2 + i * 4]
                    stk[i] = pc
                    if pc not in pcs:
                        pcs[pc] = Frame(pc, args[3 + i * 4], args[4 + i * 4], wrap_int64(args[5 + i * 4]))
                self.stacks[id_] = stk
            return None
        if typ == EvCPUSample:
            # Parsed during the indexing step; they do not strictly belong to the batch.
            return None

        ev = V1Event(typ, self.last_p, self.last_g)
        ev.ts = wrap_int64(self.last_ts + args[0])
        self.last_ts = ev.ts
        evargs = ev.args
        for i in range(1, narg):
            if i == narg - 1 and desc.stack:
                ev.stk = args[i] & 0xFFFFFFFF
            else:
                evargs[i - 1] = args[i]
        if typ in (EvGoStart, EvGoStartLocal, EvGoStartLabel):
            self.last_g = evargs[0]
            ev.g = self.last_g
        elif typ in _CLEARS_LAST_G:
            self.last_g = 0
        elif typ in (EvGoSysExit, EvGoWaiting, EvGoInSyscall):
            ev.g = evargs[0]
        elif typ == EvUserLog:
            # Args 0: taskID, 1: keyID, 2: stackID, 3: messageID; raw.sargs 0: message.
            msg = raw.sargs[0]
            sid = self.inline_strings_mapping.get(msg)
            if sid is None:
                sid = len(self.inline_strings)
                self.inline_strings_mapping[msg] = sid
                self.inline_strings.append(msg)
            evargs[3] = sid
        return ev

    # --- pass 4: verify ---------------------------------------------------------------------

    def post_process_trace(self, events: list[V1Event]) -> None:
        """Mirrors ``postProcessTrace``: inter-event verification.

        The result is consistent: a P does not run two Gs at once, a G is blocked before it is
        unblocked, and so on.
        """
        gs: dict[int, _GDesc] = {0: _GDesc(_G_RUNNING)}
        ps: dict[int, _PDesc] = {}
        tasks: dict[int, V1Event] = {}  # task id to task creation events
        active_regions: dict[int, list[V1Event]] = {}  # goroutine id to stack of regions
        ev_gc: V1Event | None = None
        ev_stw: V1Event | None = None
        stacks = self.stacks

        def get_g(k: int) -> _GDesc:
            d = gs.get(k)
            return _GDesc() if d is None else d.copy()

        def get_p(k: int) -> _PDesc:
            d = ps.get(k)
            return _PDesc() if d is None else d.copy()

        def check_running(p: _PDesc, g: _GDesc, ev: V1Event, allow_g0: bool) -> None:
            name = EVENT_DESCRIPTIONS[ev.typ].name
            if g.state != _G_RUNNING:
                raise TraceError(f"g {ev.g} is not running while {name} (time {ev.ts})")
            if p.g != ev.g:
                raise TraceError(f"p {ev.p} is not running g {ev.g} while {name} (time {ev.ts})")
            if not allow_g0 and ev.g == 0:
                raise TraceError(f"g 0 did {name} (time {ev.ts})")

        for ev in events:
            t = ev.typ
            if t == EvProcStart:
                p = get_p(ev.p)
                if p.running:
                    raise TraceError(f"p {ev.p} is running before start (time {ev.ts})")
                p.running = True
                ps[ev.p] = p
            elif t == EvProcStop:
                p = get_p(ev.p)
                if not p.running:
                    raise TraceError(f"p {ev.p} is not running before stop (time {ev.ts})")
                if p.g != 0:
                    raise TraceError(f"p {ev.p} is running a goroutine {p.g} during stop (time {ev.ts})")
                p.running = False
                ps[ev.p] = p
            elif t == EvGCStart:
                if ev_gc is not None:
                    raise TraceError(f"previous GC is not ended before a new one (time {ev.ts})")
                ev_gc = ev
                # Attribute this to the global GC state.
                ev.p = GCP
            elif t == EvGCDone:
                if ev_gc is None:
                    raise TraceError(f"bogus GC end (time {ev.ts})")
                ev_gc = None
            elif t == EvSTWStart:
                if ev_stw is not None:
                    raise TraceError(f"previous STW is not ended before a new one (time {ev.ts})")
                ev_stw = ev
            elif t == EvSTWDone:
                if ev_stw is None:
                    raise TraceError(f"bogus STW end (time {ev.ts})")
                ev_stw = None
            elif t == EvGCSweepStart:
                p = get_p(ev.p)
                if p.ev_sweep is not None:
                    raise TraceError(f"previous sweeping is not ended before a new one (time {ev.ts})")
                p.ev_sweep = ev
                ps[ev.p] = p
            elif t == EvGCMarkAssistStart:
                g = get_g(ev.g)
                if g.ev_mark_assist is not None:
                    raise TraceError(f"previous mark assist is not ended before a new one (time {ev.ts})")
                g.ev_mark_assist = ev
                gs[ev.g] = g
            elif t == EvGCMarkAssistDone:
                # Mark assists can be in progress when a goroutine starts tracing: no error.
                g = get_g(ev.g)
                g.ev_mark_assist = None
                gs[ev.g] = g
            elif t == EvGCSweepDone:
                p = get_p(ev.p)
                if p.ev_sweep is None:
                    raise TraceError(f"bogus sweeping end (time {ev.ts})")
                p.ev_sweep = None
                ps[ev.p] = p
            elif t == EvGoWaiting or t == EvGoInSyscall:
                g = get_g(ev.g)
                if g.state != _G_RUNNABLE:
                    which = "EvGoWaiting" if t == EvGoWaiting else "EvGoInSyscall"
                    raise TraceError(f"g {ev.g} is not runnable before {which} (time {ev.ts})")
                g.state = _G_WAITING
                g.ev = ev
                gs[ev.g] = g
            elif t == EvGoCreate:
                g = get_g(ev.g)
                p = get_p(ev.p)
                check_running(p, g, ev, True)
                if ev.args[0] in gs:
                    raise TraceError(f"g {ev.args[0]} already exists (time {ev.ts})")
                gs[ev.args[0]] = _GDesc(_G_RUNNABLE, ev, ev)
            elif t == EvGoStart or t == EvGoStartLabel:
                g = get_g(ev.g)
                p = get_p(ev.p)
                if g.state != _G_RUNNABLE:
                    raise TraceError(f"g {ev.g} is not runnable before start (time {ev.ts})")
                if p.g != 0:
                    raise TraceError(
                        f"p {ev.p} is already running g {p.g} while start g {ev.g} (time {ev.ts})"
                    )
                g.state = _G_RUNNING
                g.ev_start = ev
                p.g = ev.g
                if g.ev_create is not None:
                    ev.stk = g.ev_create.args[1] & 0xFFFFFFFF
                    g.ev_create = None
                g.ev = None
                gs[ev.g] = g
                ps[ev.p] = p
            elif t == EvGoEnd or t == EvGoStop:
                g = get_g(ev.g)
                p = get_p(ev.p)
                check_running(p, g, ev, False)
                g.ev_start = None
                g.state = _G_DEAD
                p.g = 0
                if t == EvGoEnd:  # flush all active regions
                    active_regions.pop(ev.g, None)
                gs[ev.g] = g
                ps[ev.p] = p
            elif t == EvGoSched or t == EvGoPreempt:
                g = get_g(ev.g)
                p = get_p(ev.p)
                check_running(p, g, ev, False)
                g.state = _G_RUNNABLE
                g.ev_start = None
                p.g = 0
                g.ev = ev
                gs[ev.g] = g
                ps[ev.p] = p
            elif t == EvGoUnblock:
                g = get_g(ev.g)
                p = get_p(ev.p)
                if g.state != _G_RUNNING:
                    raise TraceError(f"g {ev.g} is not running while unpark (time {ev.ts})")
                if ev.p != TIMER_P and p.g != ev.g:
                    raise TraceError(f"p {ev.p} is not running g {ev.g} while unpark (time {ev.ts})")
                g1 = get_g(ev.args[0])
                if g1.state != _G_WAITING:
                    raise TraceError(f"g {ev.args[0]} is not waiting before unpark (time {ev.ts})")
                if g1.ev is not None and g1.ev.typ == EvGoBlockNet:
                    ev.p = NETPOLL_P
                g1.state = _G_RUNNABLE
                g1.ev = ev
                gs[ev.args[0]] = g1
            elif t == EvGoSysCall:
                g = get_g(ev.g)
                p = get_p(ev.p)
                check_running(p, g, ev, False)
                g.ev = ev
                gs[ev.g] = g
            elif t == EvGoSysBlock:
                g = get_g(ev.g)
                p = get_p(ev.p)
                check_running(p, g, ev, False)
                g.state = _G_WAITING
                g.ev_start = None
                p.g = 0
                gs[ev.g] = g
                ps[ev.p] = p
            elif t == EvGoSysExit:
                g = get_g(ev.g)
                if g.state != _G_WAITING:
                    raise TraceError(f"g {ev.g} is not waiting during syscall exit (time {ev.ts})")
                g.state = _G_RUNNABLE
                g.ev = ev
                gs[ev.g] = g
            elif t in _GO_BLOCKING:
                g = get_g(ev.g)
                p = get_p(ev.p)
                check_running(p, g, ev, False)
                g.state = _G_WAITING
                g.ev = ev
                g.ev_start = None
                p.g = 0
                gs[ev.g] = g
                ps[ev.p] = p
            elif t == EvUserTaskCreate:
                taskid = ev.args[0]
                prev = tasks.get(taskid)
                if prev is not None:
                    raise TraceError(
                        f"task id conflicts (id:{taskid}), {quote(str(ev))} vs {quote(str(prev))}"
                    )
                tasks[taskid] = ev
            elif t == EvUserTaskEnd:
                tasks.pop(ev.args[0], None)
            elif t == EvUserRegion:
                mode = ev.args[1]
                regions = active_regions.get(ev.g, [])
                if mode == 0:  # region start
                    active_regions[ev.g] = regions + [ev]  # push
                elif mode == 1:  # region end
                    n = len(regions)
                    if n > 0:  # matching region start event is in the trace
                        s = regions[n - 1]
                        if s.args[0] != ev.args[0] or s.args[2] != ev.args[2]:
                            raise TraceError(
                                f"misuse of region in goroutine {ev.g}: span end {quote(str(ev))} "
                                f"when the inner-most active span start event is {quote(str(s))}"
                            )
                        if n > 1:
                            active_regions[ev.g] = regions[: n - 1]
                        else:
                            del active_regions[ev.g]
                else:
                    raise TraceError(f"invalid user region mode: {quote(str(ev))}")

            if ev.stk != 0 and not stacks.get(ev.stk):
                # Events must not refer to stacks that don't exist or that have no frames.
                ev.stk = 0


_ZERO_G: Final = GState()


def _event_ts(ev: V1Event) -> int:
    return ev.ts


def _go_string(b: bytes) -> str:
    """Go's ``string(buf)``: any bytes, kept losslessly (see :class:`oracle.parser.base.EvTable`)."""
    return b.decode("utf-8", "surrogateescape")
