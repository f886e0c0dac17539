"""The v1 event vocabulary: event types, their descriptions, and the parsed event record.

Mirrors the declarations of ``internal/trace/internal/tracev1/parser.go`` that the rest of the
package shares (``Event``, ``EventType``/``Ev*``, ``EventDescriptions``, ``Event.String``, the
fake P identifiers, ``STWReason``).  Go keeps them in parser.go; they live in their own module
here only because Python cannot have :mod:`.order` and :mod:`.parser` import each other.

Go's field types are kept as value ranges: ``ts`` is an int64 (``Timestamp``), ``g`` and
``args`` are uint64s, ``stk`` a uint32, ``p`` an int32, ``typ`` a uint8.  Every store into a
field goes through the wrap helpers below, exactly where Go converts.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from oracle.parser.version import Version

__all__ = [
    "EVENT_DESCRIPTIONS",
    "EventDesc",
    "FAKE_P",
    "GCP",
    "NETPOLL_P",
    "NUM_STW_REASONS",
    "PROFILE_P",
    "SYSCALL_P",
    "TIMER_P",
    "V1Event",
    "stw_reason",
    "wrap_i32",
]

def wrap_i32(x: int) -> int:
    """``int32(x)`` of any Go integer."""
    x &= 0xFFFFFFFF
    return x - (1 << 32) if x >> 31 else x


# Event types in the trace (a verbatim copy of runtime/trace.go's list in Go).
EvNone: Final = 0
EvBatch: Final = 1
EvFrequency: Final = 2
EvStack: Final = 3
EvGomaxprocs: Final = 4
EvProcStart: Final = 5
EvProcStop: Final = 6
EvGCStart: Final = 7
EvGCDone: Final = 8
EvSTWStart: Final = 9
EvSTWDone: Final = 10
EvGCSweepStart: Final = 11
EvGCSweepDone: Final = 12
EvGoCreate: Final = 13
EvGoStart: Final = 14
EvGoEnd: Final = 15
EvGoStop: Final = 16
EvGoSched: Final = 17
EvGoPreempt: Final = 18
EvGoSleep: Final = 19
EvGoBlock: Final = 20
EvGoUnblock: Final = 21
EvGoBlockSend: Final = 22
EvGoBlockRecv: Final = 23
EvGoBlockSelect: Final = 24
EvGoBlockSync: Final = 25
EvGoBlockCond: Final = 26
EvGoBlockNet: Final = 27
EvGoSysCall: Final = 28
EvGoSysExit: Final = 29
EvGoSysBlock: Final = 30
EvGoWaiting: Final = 31
EvGoInSyscall: Final = 32
EvHeapAlloc: Final = 33
EvHeapGoal: Final = 34
EvTimerGoroutine: Final = 35
EvFutileWakeup: Final = 36
EvString: Final = 37
EvGoStartLocal: Final = 38
EvGoUnblockLocal: Final = 39
EvGoSysExitLocal: Final = 40
EvGoStartLabel: Final = 41
EvGoBlockGC: Final = 42
EvGCMarkAssistStart: Final = 43
EvGCMarkAssistDone: Final = 44
EvUserTaskCreate: Final = 45
EvUserTaskEnd: Final = 46
EvUserRegion: Final = 47
EvUserLog: Final = 48
EvCPUSample: Final = 49
EvCount: Final = 50

# Special P identifiers.
FAKE_P: Final = 1000000
TIMER_P: Final = 1000001  # contains timer unblocks
NETPOLL_P: Final = 1000002  # contains network unblocks
SYSCALL_P: Final = 1000003  # contains returns from syscalls
GCP: Final = 1000004  # contains GC state
PROFILE_P: Final = 1000005  # contains recording of CPU profile samples


@dataclass(frozen=True, slots=True)
class EventDesc:
    """One entry of ``EventDescriptions``."""

    name: str = ""
    min_version: int = 0
    stack: bool = False
    args: tuple[str, ...] = ()
    sargs: tuple[str, ...] = ()


_D = EventDesc
_DESCS: Final[dict[int, EventDesc]] = {
    EvNone: _D("None", 5, False, ()),
    EvBatch: _D("Batch", 5, False, ("p", "ticks")),
    EvFrequency: _D("Frequency", 5, False, ("freq",)),
    EvStack: _D("Stack", 5, False, ("id", "siz")),
    EvGomaxprocs: _D("Gomaxprocs", 5, True, ("procs",)),
    EvProcStart: _D("ProcStart", 5, False, ("thread",)),
    EvProcStop: _D("ProcStop", 5, False, ()),
    EvGCStart: _D("GCStart", 5, True, ("seq",)),
    EvGCDone: _D("GCDone", 5, False, ()),
    EvSTWStart: _D("GCSTWStart", 5, False, ("kindid",), ("kind",)),
    EvSTWDone: _D("GCSTWDone", 5, False, ()),
    EvGCSweepStart: _D("GCSweepStart", 5, True, ()),
    EvGCSweepDone: _D("GCSweepDone", 5, False, ("swept", "reclaimed")),
    EvGoCreate: _D("GoCreate", 5, True, ("g", "stack")),
    EvGoStart: _D("GoStart", 5, False, ("g", "seq")),
    EvGoEnd: _D("GoEnd", 5, False, ()),
    EvGoStop: _D("GoStop", 5, True, ()),
    EvGoSched: _D("GoSched", 5, True, ()),
    EvGoPreempt: _D("GoPreempt", 5, True, ()),
    EvGoSleep: _D("GoSleep", 5, True, ()),
    EvGoBlock: _D("GoBlock", 5, True, ()),
    EvGoUnblock: _D("GoUnblock", 5, True, ("g", "seq")),
    EvGoBlockSend: _D("GoBlockSend", 5, True, ()),
    EvGoBlockRecv: _D("GoBlockRecv", 5, True, ()),
    EvGoBlockSelect: _D("GoBlockSelect", 5, True, ()),
    EvGoBlockSync: _D("GoBlockSync", 5, True, ()),
    EvGoBlockCond: _D("GoBlockCond", 5, True, ()),
    EvGoBlockNet: _D("GoBlockNet", 5, True, ()),
    EvGoSysCall: _D("GoSysCall", 5, True, ()),
    EvGoSysExit: _D("GoSysExit", 5, False, ("g", "seq", "ts")),
    EvGoSysBlock: _D("GoSysBlock", 5, False, ()),
    EvGoWaiting: _D("GoWaiting", 5, False, ("g",)),
    EvGoInSyscall: _D("GoInSyscall", 5, False, ("g",)),
    EvHeapAlloc: _D("HeapAlloc", 5, False, ("mem",)),
    EvHeapGoal: _D("HeapGoal", 5, False, ("mem",)),
    EvTimerGoroutine: _D("TimerGoroutine", 5, False, ("g",)),
    EvFutileWakeup: _D("FutileWakeup", 5, False, ()),
    EvString: _D("String", 7, False, ()),
    EvGoStartLocal: _D("GoStartLocal", 7, False, ("g",)),
    EvGoUnblockLocal: _D("GoUnblockLocal", 7, True, ("g",)),
    EvGoSysExitLocal: _D("GoSysExitLocal", 7, False, ("g", "ts")),
    EvGoStartLabel: _D("GoStartLabel", 8, False, ("g", "seq", "labelid"), ("label",)),
    EvGoBlockGC: _D("GoBlockGC", 8, True, ()),
    EvGCMarkAssistStart: _D("GCMarkAssistStart", 9, True, ()),
    EvGCMarkAssistDone: _D("GCMarkAssistDone", 9, False, ()),
    EvUserTaskCreate: _D("UserTaskCreate", 11, True, ("taskid", "pid", "typeid"), ("name",)),
    EvUserTaskEnd: _D("UserTaskEnd", 11, True, ("taskid",)),
    EvUserRegion: _D("UserRegion", 11, True, ("taskid", "mode", "typeid"), ("name",)),
    EvUserLog: _D("UserLog", 11, True, ("id", "keyid"), ("category", "message")),
    EvCPUSample: _D("CPUSample", 19, True, ("ts", "p", "g")),
}

#: ``EventDescriptions``: a 256-entry table; types without an entry have the zero description.
EVENT_DESCRIPTIONS: Final[tuple[EventDesc, ...]] = tuple(_DESCS.get(i, _D()) for i in range(256))


class V1Event:
    """One parsed v1 event (``tracev1.Event``); mutable, and shared by reference like ``*Event``."""

    __slots__ = ("ts", "g", "args", "stk", "p", "typ")

    def __init__(self, typ: int = EvNone, p: int = 0, g: int = 0) -> None:
        self.ts = 0  # int64, nanoseconds once Parse is done
        self.g = g  # uint64
        self.args = [0, 0, 0, 0]  # [4]uint64
        self.stk = 0  # uint32
        self.p = p  # int32
        self.typ = typ  # uint8

    def copy(self) -> V1Event:
        """A value copy (Go copies ``Event`` structs on assignment)."""
        e = V1Event(self.typ, self.p, self.g)
        e.ts = self.ts
        e.args = self.args.copy()
        e.stk = self.stk
        return e

    def __str__(self) -> str:
        """Mirrors ``(*Event).String``."""
        desc = EVENT_DESCRIPTIONS[self.typ]
        parts = [f"{self.ts} {desc.name} p={self.p} g={self.g} stk={self.stk}"]
        for i, a in enumerate(desc.args):
            parts.append(f" {a}={self.args[i]}")
        return "".join(parts)

    def __repr__(self) -> str:
        return f"V1Event({self})"


NUM_STW_REASONS: Final = 17
_STW_UNKNOWN: Final = 0


def stw_reason(version: Version, kind_id: int) -> int:
    """Mirrors ``(*Trace).STWReason``: the runtime's STW reason for a GCSTWStart kind ID."""
    if version < 21:
        if kind_id in (0, 1):
            return kind_id + 1
        return _STW_UNKNOWN
    if version == 21:
        if kind_id < NUM_STW_REASONS:
            return kind_id
        return _STW_UNKNOWN
    return _STW_UNKNOWN
