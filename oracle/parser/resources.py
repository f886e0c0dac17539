"""Resources that have a state machine (goroutines, procs, threads) and their transitions.

Mirrors ``internal/trace/resources.go``.  The ID types themselves (``GoID``, ``ProcID``,
``ThreadID`` and their ``-1`` sentinels) live in :mod:`oracle.parser.base` because the whole pipeline
uses them; this module holds the public, user-facing vocabulary: ``GoState``, ``ProcState``,
``ResourceKind``, ``ResourceID`` and ``StateTransition``.

Go stores a transition's states as raw ``uint8`` values, and the parser can produce values
that are not named states (a ``ProcStatus`` event's old state is whatever ``uint8`` the ordering
code smuggled in).  Go prints those as ``Bad``.  To keep that observable, the enums here accept
any ``uint8``: unnamed values become pseudo-members whose ``str()`` is ``Bad`` while their
``int()`` is the raw value.

Where Go panics (asking a goroutine transition for proc states, say) we raise
:class:`oracle.parser.errors.GoPanic` with Go's message.

:class:`Stack` and :class:`StackFrame` are declared in Go's event.go, but a
``StateTransition`` holds a ``Stack`` and imports only run leftwards (resources before event),
so they live here; :mod:`oracle.parser.event` re-exports them.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from typing import Any, Final, Iterator

from oracle.parser.base import EvTable, Frame
from oracle.parser.errors import GoPanic

__all__ = [
    "GO_STATE_NAMES",
    "NIL_DEREF",
    "PROC_STATE_NAMES",
    "RESOURCE_KIND_NAMES",
    "NO_STACK",
    "GoState",
    "ProcState",
    "ResourceID",
    "ResourceKind",
    "Stack",
    "StackFrame",
    "StateTransition",
    "must_get_string",
    "print_stack",
    "make_go_state_transition",
    "make_proc_state_transition",
    "make_resource_id",
]


class _Uint8Enum(IntEnum):
    """An IntEnum that, like a Go ``uint8`` named type, can hold unnamed values.

    Unnamed values print as ``Bad`` (every ``String`` method in resources.go ends with
    ``return "Bad"``).
    """

    @classmethod
    def _missing_(cls, value: object) -> Any:
        if not isinstance(value, int) or not 0 <= value <= 0xFF:
            return None
        pseudo = int.__new__(cls, value)
        pseudo._name_ = "Bad"
        pseudo._value_ = value
        return pseudo

    def __str__(self) -> str:
        return self._name_

    def __format__(self, spec: str) -> str:
        return format(str(self), spec)


class GoState(_Uint8Enum):
    """State of a goroutine (``trace.GoState``); ``str()`` is Go's ``String()``."""

    Undetermined = 0  # nothing is known about the goroutine
    NotExist = 1
    Runnable = 2
    Running = 3
    Waiting = 4
    Syscall = 5

    def executing(self) -> bool:
        """Mirrors ``(GoState).Executing``: running or in a syscall, i.e. bound to an M."""
        return self == GoState.Running or self == GoState.Syscall


class ProcState(_Uint8Enum):
    """State of a proc (``trace.ProcState``); ``str()`` is Go's ``String()``."""

    Undetermined = 0
    NotExist = 1
    Running = 2
    Idle = 3

    def executing(self) -> bool:
        """Mirrors ``(ProcState).Executing``."""
        return self == ProcState.Running


class ResourceKind(_Uint8Enum):
    """Kind of resource a :class:`ResourceID` names (``trace.ResourceKind``)."""

    None_ = 0
    Goroutine = 1
    Proc = 2
    Thread = 3

    def __str__(self) -> str:
        # "None" is a Python keyword, hence the member name None_.  (No super().__str__():
        # mypyc cannot compile super() inside an IntEnum subclass.)
        return "None" if self._value_ == 0 else self._name_


def _names(enum: type[_Uint8Enum]) -> tuple[str, ...]:
    """``String()`` of every uint8 value of ``enum``, by value: ``str()`` of an enum member
    runs Python-level enum code, which dominates ``Event.String()`` even compiled; a tuple
    lookup does not."""
    names = ["Bad"] * 256
    for m in enum:
        names[m.value] = str(m)
    return tuple(names)


#: ``GoState.String()``, ``ProcState.String()`` and ``ResourceKind.String()`` by value.
GO_STATE_NAMES: Final = _names(GoState)
PROC_STATE_NAMES: Final = _names(ProcState)
RESOURCE_KIND_NAMES: Final = _names(ResourceKind)


def _panic(msg: str) -> GoPanic:
    return GoPanic(msg)


#: Go's panic text for a method call through a nil ``*evTable``.
NIL_DEREF: Final = "runtime error: invalid memory address or nil pointer dereference"


def must_get_string(table: EvTable | None, id_: int) -> str:
    """``table.strings.mustGet(id)``: Go panics on a missing ID (or a nil table)."""
    if table is None:
        raise GoPanic(NIL_DEREF)
    s, ok = table.strings.get(id_)
    if not ok:
        raise GoPanic(f"expected id {id_} in string table")
    return s


@dataclass(frozen=True, slots=True)
class StackFrame:
    """One frame of a :class:`Stack` (``trace.StackFrame``)."""

    pc: int
    func: str
    file: str
    line: int


@dataclass(frozen=True, slots=True, eq=False, repr=False)
class Stack:
    """A handle to a stack in a generation's table (``trace.Stack``).

    Equality is Go's struct equality: same table *object* and same ID.  So ``NO_STACK`` (no
    table, ID 0) differs from a real table's ID 0, which is how Go tells "no stack" from "an
    empty stack" (a CPU sample or a goroutine creation with stack ID 0).
    """

    table: EvTable | None
    id: int

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Stack):
            return NotImplemented
        return self.table is other.table and self.id == other.id

    def __hash__(self) -> int:
        return hash((id(self.table), self.id))

    def frames(self) -> Iterator[StackFrame]:
        """Mirrors ``(Stack).Frames``; panics (lazily, like Go's iterator) on a missing stack ID.

        A PC without a frame record yields the zero frame (PC 0, empty names), as Go's map
        lookup does.
        """
        if self.id == 0:
            return
        table = self.table
        if table is None:
            raise GoPanic(NIL_DEREF)
        stk, ok = table.stacks.get(self.id)
        if not ok:
            raise GoPanic(f"expected id {self.id} in trace.stack table")
        # Go 1.22 kept each stack's own frames (Release.frames_by_pc off); later releases look
        # each PC up in the generation's frame table.
        pcs = table.pcs
        frames = stk.frames
        if frames is None:
            frames = tuple(pcs.get(pc, _ZERO_FRAME) for pc in stk.pcs)
        for f in frames:
            yield StackFrame(
                f.pc,
                must_get_string(table, f.func_id),
                must_get_string(table, f.file_id),
                f.line,
            )

    def __iter__(self) -> Iterator[StackFrame]:
        return self.frames()

    def go_string(self) -> str:
        """Mirrors ``(Stack).String``."""
        return print_stack("", self.frames())

    def __str__(self) -> str:
        return self.go_string()

    def __repr__(self) -> str:
        return "NO_STACK" if self.table is None and self.id == 0 else f"Stack(id={self.id})"


_ZERO_FRAME: Final = Frame(0, 0, 0, 0)

#: ``trace.NoStack``.
NO_STACK: Final = Stack(None, 0)


def print_stack(prefix: str, frames: Iterator[StackFrame]) -> str:
    """Mirrors ``printStack``: two lines per frame, each starting with ``prefix``."""
    return "".join(
        f"{prefix}{f.func} @ 0x{f.pc:x}\n{prefix}\t{f.file}:{f.line}\n" for f in frames
    )


@dataclass(frozen=True, slots=True)
class ResourceID:
    """A resource of some kind plus its int64 ID (``trace.ResourceID``).

    ``id`` is Go's unexported field; it is public here because the canonical JSON dump (and
    the Go helper, through reflection) shows it even for ``ResourceNone``.
    """

    kind: ResourceKind = ResourceKind.None_
    id: int = 0

    def goroutine(self) -> int:
        """Mirrors ``(ResourceID).Goroutine``; panics unless the kind is Goroutine."""
        if self.kind != ResourceKind.Goroutine:
            raise _panic(f"attempted to get GoID from {self.kind} resource ID")
        return self.id

    def proc(self) -> int:
        """Mirrors ``(ResourceID).Proc``; panics unless the kind is Proc."""
        if self.kind != ResourceKind.Proc:
            raise _panic(f"attempted to get ProcID from {self.kind} resource ID")
        return self.id

    def thread(self) -> int:
        """Mirrors ``(ResourceID).Thread``; panics unless the kind is Thread."""
        if self.kind != ResourceKind.Thread:
            raise _panic(f"attempted to get ThreadID from {self.kind} resource ID")
        return self.id

    def go_string(self) -> str:
        """Mirrors ``(ResourceID).String``: ``None`` or ``Kind(id)``."""
        name = RESOURCE_KIND_NAMES[self.kind]
        if self.kind == ResourceKind.None_:
            return name
        return f"{name}({self.id})"

    def __str__(self) -> str:
        return self.go_string()


def make_resource_id(kind: ResourceKind, id_: int) -> ResourceID:
    """Mirrors ``MakeResourceID``; Python has no generic over ID types, so the kind is explicit."""
    return ResourceID(kind, id_)


@dataclass(frozen=True, slots=True)
class StateTransition:
    """A state change of one resource (``trace.StateTransition``).

    ``old_state``/``new_state`` are the raw ``uint8`` values Go keeps; read them through
    :meth:`goroutine` or :meth:`proc`, which type them by the resource kind.  ``stack`` is the
    stack of the *transitioning* resource (for a goroutine creation: the new goroutine's start
    stack), distinct from the event's own stack.
    """

    resource: ResourceID
    reason: str
    stack: Stack
    old_state: int
    new_state: int

    def goroutine(self) -> tuple[GoState, GoState]:
        """Mirrors ``(StateTransition).Goroutine``: ``(from, to)``; panics for non-goroutines."""
        if self.resource.kind != ResourceKind.Goroutine:
            raise _panic("Goroutine called on non-Goroutine state transition")
        return GoState(self.old_state), GoState(self.new_state)

    def proc(self) -> tuple[ProcState, ProcState]:
        """Mirrors ``(StateTransition).Proc``: ``(from, to)``; panics for non-procs."""
        if self.resource.kind != ResourceKind.Proc:
            raise _panic("Proc called on non-Proc state transition")
        return ProcState(self.old_state), ProcState(self.new_state)


def make_go_state_transition(
    id_: int, from_: int, to: int, reason: str = "", stack: Stack = NO_STACK
) -> StateTransition:
    """Mirrors ``MakeGoStateTransition`` (states truncated to ``uint8`` like Go's conversion).

    Go fills ``Reason`` and ``Stack`` by assignment afterwards; the transition is immutable
    here, so they are optional arguments.
    """
    return StateTransition(
        ResourceID(ResourceKind.Goroutine, id_), reason, stack, from_ & 0xFF, to & 0xFF
    )


def make_proc_state_transition(
    id_: int, from_: int, to: int, reason: str = "", stack: Stack = NO_STACK
) -> StateTransition:
    """Mirrors ``MakeProcStateTransition``; see :func:`make_go_state_transition`."""
    return StateTransition(
        ResourceID(ResourceKind.Proc, id_), reason, stack, from_ & 0xFF, to & 0xFF
    )
