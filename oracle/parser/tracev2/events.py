"""The wire event table: every event type, its arguments and flags, as data.

Mirrors ``internal/trace/tracev2/events.go`` of the pinned Go (see ``GO_REVISION``).  This
module and the ordering dispatch table in :mod:`oracle.parser.order` are the only places that hold
per-event knowledge; everything else is driven by them.

The table is indexed by the event-type byte and has 137 entries.  Trace versions see
prefixes of it (:mod:`oracle.parser.version`); note that Go's *parser* decodes every v2 trace with the
full table and only its raw reader/writer honour the per-version prefix.
"""

from __future__ import annotations

from enum import IntEnum
from typing import Final

from oracle.parser.tracev2.spec import EventSpec

__all__ = [
    "ALLOC_FREE",
    "EXPERIMENTS",
    "GO_REVISION",
    "MAX_BATCH_SIZE",
    "MAX_EVENT",
    "MAX_EVENT_TRAILER_DATA_SIZE",
    "MAX_EXPERIMENTAL_EVENT",
    "MAX_FRAMES_PER_STACK",
    "MAX_TIMED_EVENT_ARGS",
    "NO_EXPERIMENT",
    "NUM_EVENTS",
    "SPECS",
    "EventType",
    "GoStatus",
    "ProcStatus",
    "is_experimental",
]

#: The Go release whose ``internal/trace`` this package mirrors; the single place it is named.
GO_REVISION: Final = "go1.27.3"

#: Experiment IDs and their names (``tracev2.Experiments()``), indexed by ID.
NO_EXPERIMENT: Final = 0
ALLOC_FREE: Final = 1
EXPERIMENTS: Final[tuple[str, ...]] = ("None", "AllocFree")


class EventType(IntEnum):
    """Wire event type bytes (``tracev2.Ev*`` without the ``Ev`` prefix)."""

    NONE = 0  # unused (EvNone; renamed because None is a Python keyword)
    EventBatch = 1  # start of per-M batch of events [generation, M ID, timestamp, batch length]
    Stacks = 2  # start of a section of the stack table [...EvStack]
    Stack = 3  # stack table entry [ID, ...{PC, func string ID, file string ID, line #}]
    Strings = 4  # start of a section of the string dictionary [...EvString]
    String = 5  # string dictionary entry [ID, length, string]
    CPUSamples = 6  # start of a section of CPU samples [...EvCPUSample]
    CPUSample = 7  # CPU profiling sample [timestamp, M ID, P ID, goroutine ID, stack ID]
    Frequency = 8  # timestamp units per sec [freq]
    ProcsChange = 9  # current value of GOMAXPROCS [timestamp, GOMAXPROCS, stack ID]
    ProcStart = 10  # start of P [timestamp, P ID, P seq]
    ProcStop = 11  # stop of P [timestamp]
    ProcSteal = 12  # P was stolen [timestamp, P ID, P seq, M ID]
    ProcStatus = 13  # P status at the start of a generation [timestamp, P ID, status]
    GoCreate = 14  # goroutine creation [timestamp, new goroutine ID, new stack ID, stack ID]
    GoCreateSyscall = 15  # goroutine appears in syscall (cgo callback) [timestamp, new goroutine ID]
    GoStart = 16  # goroutine starts running [timestamp, goroutine ID, goroutine seq]
    GoDestroy = 17  # goroutine ends [timestamp]
    GoDestroySyscall = 18  # goroutine ends in syscall (cgo callback) [timestamp]
    GoStop = 19  # goroutine yields its time, but is runnable [timestamp, reason, stack ID]
    GoBlock = 20  # goroutine blocks [timestamp, reason, stack ID]
    GoUnblock = 21  # goroutine is unblocked [timestamp, goroutine ID, goroutine seq, stack ID]
    GoSyscallBegin = 22  # syscall enter [timestamp, P seq, stack ID]
    GoSyscallEnd = 23  # syscall exit [timestamp]
    GoSyscallEndBlocked = 24  # syscall exit and it blocked at some point [timestamp]
    GoStatus = 25  # goroutine status at the start of a generation [timestamp, goroutine ID, M ID, status]
    STWBegin = 26  # STW start [timestamp, kind, stack ID]
    STWEnd = 27  # STW done [timestamp]
    GCActive = 28  # GC active [timestamp, seq]
    GCBegin = 29  # GC start [timestamp, seq, stack ID]
    GCEnd = 30  # GC done [timestamp, seq]
    GCSweepActive = 31  # GC sweep active [timestamp, P ID]
    GCSweepBegin = 32  # GC sweep start [timestamp, stack ID]
    GCSweepEnd = 33  # GC sweep done [timestamp, swept bytes, reclaimed bytes]
    GCMarkAssistActive = 34  # GC mark assist active [timestamp, goroutine ID]
    GCMarkAssistBegin = 35  # GC mark assist start [timestamp, stack ID]
    GCMarkAssistEnd = 36  # GC mark assist done [timestamp]
    HeapAlloc = 37  # gcController.heapLive change [timestamp, heap alloc in bytes]
    HeapGoal = 38  # gcController.heapGoal() change [timestamp, heap goal in bytes]
    GoLabel = 39  # apply string label to current running goroutine [timestamp, label string ID]
    UserTaskBegin = 40  # trace.NewTask [timestamp, internal task ID, internal parent task ID, name string ID, stack ID]
    UserTaskEnd = 41  # end of a task [timestamp, internal task ID, stack ID]
    UserRegionBegin = 42  # trace.{Start,With}Region [timestamp, internal task ID, name string ID, stack ID]
    UserRegionEnd = 43  # trace.{End,With}Region [timestamp, internal task ID, name string ID, stack ID]
    UserLog = 44  # trace.Log [timestamp, internal task ID, key string ID, value string ID, stack]
    GoSwitch = 45  # goroutine switch (coroswitch) [timestamp, goroutine ID, goroutine seq]
    GoSwitchDestroy = 46  # goroutine switch and destroy [timestamp, goroutine ID, goroutine seq]
    GoCreateBlocked = 47  # goroutine creation (starts blocked) [timestamp, new goroutine ID, new stack ID, stack ID]
    GoStatusStack = 48  # goroutine status at the start of a generation, with a stack [timestamp, goroutine ID, M ID, status, stack ID]
    ExperimentalBatch = 49  # start of extra data [experiment ID, generation, M ID, timestamp, batch length, batch data...]
    Sync = 50  # start of a sync batch [...EvFrequency|EvClockSnapshot]
    ClockSnapshot = 51  # snapshot of trace, mono and wall clocks [timestamp, mono, sec, nsec]
    EndOfGeneration = 52  #
    # Experimental events (AllocFree), after the MaxEvent sentinel 127.
    Span = 128  # heap span exists [timestamp, id, npages, type/class]
    SpanAlloc = 129  # heap span alloc [timestamp, id, npages, type/class]
    SpanFree = 130  # heap span free [timestamp, id]
    HeapObject = 131  # heap object exists [timestamp, id, type]
    HeapObjectAlloc = 132  # heap object alloc [timestamp, id, type]
    HeapObjectFree = 133  # heap object free [timestamp, id]
    GoroutineStack = 134  # stack exists [timestamp, id, order]
    GoroutineStackAlloc = 135  # stack alloc [timestamp, id, order]
    GoroutineStackFree = 136  # stack free [timestamp, id]


_SPEC_ENTRIES: Final[dict[EventType, EventSpec]] = {
    EventType.EventBatch: EventSpec(name='EventBatch', args=('gen', 'm', 'time', 'size')),
    EventType.Stacks: EventSpec(name='Stacks'),
    EventType.Stack: EventSpec(name='Stack', args=('id', 'nframes'), is_stack=True),
    EventType.Strings: EventSpec(name='Strings'),
    EventType.String: EventSpec(name='String', args=('id',), has_data=True),
    EventType.CPUSamples: EventSpec(name='CPUSamples'),
    EventType.CPUSample: EventSpec(name='CPUSample', args=('time', 'm', 'p', 'g', 'stack'), stack_ids=(4,)),
    EventType.Frequency: EventSpec(name='Frequency', args=('freq',)),
    EventType.ExperimentalBatch: EventSpec(name='ExperimentalBatch', args=('exp', 'gen', 'm', 'time'), has_data=True),
    EventType.Sync: EventSpec(name='Sync'),
    EventType.EndOfGeneration: EventSpec(name='EndOfGeneration'),
    EventType.ProcsChange: EventSpec(name='ProcsChange', args=('dt', 'procs_value', 'stack'), stack_ids=(2,), is_timed_event=True),
    EventType.ProcStart: EventSpec(name='ProcStart', args=('dt', 'p', 'p_seq'), is_timed_event=True),
    EventType.ProcStop: EventSpec(name='ProcStop', args=('dt',), is_timed_event=True),
    EventType.ProcSteal: EventSpec(name='ProcSteal', args=('dt', 'p', 'p_seq', 'm'), is_timed_event=True),
    EventType.ProcStatus: EventSpec(name='ProcStatus', args=('dt', 'p', 'pstatus'), is_timed_event=True),
    EventType.GoCreate: EventSpec(name='GoCreate', args=('dt', 'new_g', 'new_stack', 'stack'), stack_ids=(3, 2), is_timed_event=True),
    EventType.GoCreateSyscall: EventSpec(name='GoCreateSyscall', args=('dt', 'new_g'), is_timed_event=True),
    EventType.GoStart: EventSpec(name='GoStart', args=('dt', 'g', 'g_seq'), is_timed_event=True),
    EventType.GoDestroy: EventSpec(name='GoDestroy', args=('dt',), is_timed_event=True),
    EventType.GoDestroySyscall: EventSpec(name='GoDestroySyscall', args=('dt',), is_timed_event=True),
    EventType.GoStop: EventSpec(name='GoStop', args=('dt', 'reason_string', 'stack'), string_ids=(1,), stack_ids=(2,), is_timed_event=True),
    EventType.GoBlock: EventSpec(name='GoBlock', args=('dt', 'reason_string', 'stack'), string_ids=(1,), stack_ids=(2,), is_timed_event=True),
    EventType.GoUnblock: EventSpec(name='GoUnblock', args=('dt', 'g', 'g_seq', 'stack'), stack_ids=(3,), is_timed_event=True),
    EventType.GoSyscallBegin: EventSpec(name='GoSyscallBegin', args=('dt', 'p_seq', 'stack'), stack_ids=(2,), is_timed_event=True),
    EventType.GoSyscallEnd: EventSpec(name='GoSyscallEnd', args=('dt',), start_ev=EventType.GoSyscallBegin, is_timed_event=True),
    EventType.GoSyscallEndBlocked: EventSpec(name='GoSyscallEndBlocked', args=('dt',), start_ev=EventType.GoSyscallBegin, is_timed_event=True),
    EventType.GoStatus: EventSpec(name='GoStatus', args=('dt', 'g', 'm', 'gstatus'), is_timed_event=True),
    EventType.STWBegin: EventSpec(name='STWBegin', args=('dt', 'kind_string', 'stack'), string_ids=(1,), stack_ids=(2,), is_timed_event=True),
    EventType.STWEnd: EventSpec(name='STWEnd', args=('dt',), start_ev=EventType.STWBegin, is_timed_event=True),
    EventType.GCActive: EventSpec(name='GCActive', args=('dt', 'gc_seq'), start_ev=EventType.GCBegin, is_timed_event=True),
    EventType.GCBegin: EventSpec(name='GCBegin', args=('dt', 'gc_seq', 'stack'), stack_ids=(2,), is_timed_event=True),
    EventType.GCEnd: EventSpec(name='GCEnd', args=('dt', 'gc_seq'), start_ev=EventType.GCBegin, is_timed_event=True),
    EventType.GCSweepActive: EventSpec(name='GCSweepActive', args=('dt', 'p'), start_ev=EventType.GCSweepBegin, is_timed_event=True),
    EventType.GCSweepBegin: EventSpec(name='GCSweepBegin', args=('dt', 'stack'), stack_ids=(1,), is_timed_event=True),
    EventType.GCSweepEnd: EventSpec(name='GCSweepEnd', args=('dt', 'swept_value', 'reclaimed_value'), start_ev=EventType.GCSweepBegin, is_timed_event=True),
    EventType.GCMarkAssistActive: EventSpec(name='GCMarkAssistActive', args=('dt', 'g'), start_ev=EventType.GCMarkAssistBegin, is_timed_event=True),
    EventType.GCMarkAssistBegin: EventSpec(name='GCMarkAssistBegin', args=('dt', 'stack'), stack_ids=(1,), is_timed_event=True),
    EventType.GCMarkAssistEnd: EventSpec(name='GCMarkAssistEnd', args=('dt',), start_ev=EventType.GCMarkAssistBegin, is_timed_event=True),
    EventType.HeapAlloc: EventSpec(name='HeapAlloc', args=('dt', 'heapalloc_value'), is_timed_event=True),
    EventType.HeapGoal: EventSpec(name='HeapGoal', args=('dt', 'heapgoal_value'), is_timed_event=True),
    EventType.GoLabel: EventSpec(name='GoLabel', args=('dt', 'label_string'), string_ids=(1,), is_timed_event=True),
    EventType.UserTaskBegin: EventSpec(name='UserTaskBegin', args=('dt', 'task', 'parent_task', 'name_string', 'stack'), string_ids=(3,), stack_ids=(4,), is_timed_event=True),
    EventType.UserTaskEnd: EventSpec(name='UserTaskEnd', args=('dt', 'task', 'stack'), stack_ids=(2,), is_timed_event=True),
    EventType.UserRegionBegin: EventSpec(name='UserRegionBegin', args=('dt', 'task', 'name_string', 'stack'), string_ids=(2,), stack_ids=(3,), is_timed_event=True),
    EventType.UserRegionEnd: EventSpec(name='UserRegionEnd', args=('dt', 'task', 'name_string', 'stack'), string_ids=(2,), stack_ids=(3,), start_ev=EventType.UserRegionBegin, is_timed_event=True),
    EventType.UserLog: EventSpec(name='UserLog', args=('dt', 'task', 'key_string', 'value_string', 'stack'), string_ids=(2, 3), stack_ids=(4,), is_timed_event=True),
    EventType.GoSwitch: EventSpec(name='GoSwitch', args=('dt', 'g', 'g_seq'), is_timed_event=True),
    EventType.GoSwitchDestroy: EventSpec(name='GoSwitchDestroy', args=('dt', 'g', 'g_seq'), is_timed_event=True),
    EventType.GoCreateBlocked: EventSpec(name='GoCreateBlocked', args=('dt', 'new_g', 'new_stack', 'stack'), stack_ids=(3, 2), is_timed_event=True),
    EventType.GoStatusStack: EventSpec(name='GoStatusStack', args=('dt', 'g', 'm', 'gstatus', 'stack'), stack_ids=(4,), is_timed_event=True),
    EventType.ClockSnapshot: EventSpec(name='ClockSnapshot', args=('dt', 'mono', 'sec', 'nsec'), is_timed_event=True),
    EventType.Span: EventSpec(name='Span', args=('dt', 'id', 'npages_value', 'kindclass'), is_timed_event=True, experiment=ALLOC_FREE),
    EventType.SpanAlloc: EventSpec(name='SpanAlloc', args=('dt', 'id', 'npages_value', 'kindclass'), is_timed_event=True, experiment=ALLOC_FREE),
    EventType.SpanFree: EventSpec(name='SpanFree', args=('dt', 'id'), is_timed_event=True, experiment=ALLOC_FREE),
    EventType.HeapObject: EventSpec(name='HeapObject', args=('dt', 'id', 'type'), is_timed_event=True, experiment=ALLOC_FREE),
    EventType.HeapObjectAlloc: EventSpec(name='HeapObjectAlloc', args=('dt', 'id', 'type'), is_timed_event=True, experiment=ALLOC_FREE),
    EventType.HeapObjectFree: EventSpec(name='HeapObjectFree', args=('dt', 'id'), is_timed_event=True, experiment=ALLOC_FREE),
    EventType.GoroutineStack: EventSpec(name='GoroutineStack', args=('dt', 'id', 'order'), is_timed_event=True, experiment=ALLOC_FREE),
    EventType.GoroutineStackAlloc: EventSpec(name='GoroutineStackAlloc', args=('dt', 'id', 'order'), is_timed_event=True, experiment=ALLOC_FREE),
    EventType.GoroutineStackFree: EventSpec(name='GoroutineStackFree', args=('dt', 'id'), is_timed_event=True, experiment=ALLOC_FREE),
}

#: Sentinel just below the experimental event range (``tracev2.MaxEvent``).
MAX_EVENT: Final = 127
#: One past the last experimental event (``tracev2.MaxExperimentalEvent``).
MAX_EXPERIMENTAL_EVENT: Final = 137
#: One past the last non-experimental event (``tracev2.NumEvents``).
NUM_EVENTS: Final = 53
#: Maximum number of arguments of a timed event, ``dt`` included.
MAX_TIMED_EVENT_ARGS: Final = 5
#: Largest batch body, in bytes; exactly this many is allowed.
MAX_BATCH_SIZE: Final = 64 << 10
#: Largest stack, in frames.
MAX_FRAMES_PER_STACK: Final = 128
#: Largest event trailer (string data), in bytes.
MAX_EVENT_TRAILER_DATA_SIZE: Final = 1 << 10

_TYPE_VALUES: Final = frozenset(int(t) for t in EventType)

#: The full table, indexed by type byte; gaps are empty specs, as in Go's array literal.
SPECS: Final[tuple[EventSpec, ...]] = tuple(
    _SPEC_ENTRIES.get(EventType(i), EventSpec()) if i in _TYPE_VALUES else EventSpec()
    for i in range(MAX_EXPERIMENTAL_EVENT)
)


def is_experimental(typ: int) -> bool:
    """Whether ``typ`` is in the experimental range (``EventType.Experimental``)."""
    return MAX_EVENT < typ < MAX_EXPERIMENTAL_EVENT


class GoStatus(IntEnum):
    """Goroutine status as written on the wire (``tracev2.GoStatus``)."""

    Bad = 0
    Runnable = 1
    Running = 2
    Syscall = 3
    Waiting = 4

    def __str__(self) -> str:
        return self.name


class ProcStatus(IntEnum):
    """Proc status as written on the wire (``tracev2.ProcStatus``)."""

    Bad = 0
    Running = 1
    Idle = 2
    Syscall = 3
    SyscallAbandoned = 4

    def __str__(self) -> str:
        return self.name
