"""gotrace-oracle: an independent, pure-Python reference implementation of Go's
``internal/trace`` parser, and the machinery to hold it against Go's own.

The public API mirrors Go's: :class:`Reader` yields :class:`Event` values whose accessors
(``kind``, ``time``, ``goroutine``, ``proc``, ``thread``, ``stack``, ``metric()``,
``state_transition()``, ...) return the same data as Go 1.27.3's, and :class:`TraceError` is
the only exception a trace can cause, with Go's exact error text.  Everything here works
without Go installed; only :mod:`oracle.diff` and the ``gotrace-oracle diff`` command run Go.
"""

from __future__ import annotations

import types as _types

from oracle.parser.errors import GoPanic, TraceError
from oracle.parser.event import (
    BACKGROUND_TASK,
    NO_STACK,
    NO_TASK,
    ClockSnapshot,
    Event,
    EventKind,
    ExperimentalBatch,
    ExperimentalEvent,
    Label,
    Log,
    Metric,
    Range,
    RangeAttribute,
    Region,
    Stack,
    StackFrame,
    Sync,
    Task,
)
from oracle.parser.reader import Reader, UnsupportedTraceError
from oracle.parser.resources import GoState, ProcState, ResourceID, ResourceKind, StateTransition
from oracle.parser.value import Value, ValueKind
from oracle.parser.version import Version

__all__ = [
    "BACKGROUND_TASK",
    "NO_STACK",
    "NO_TASK",
    "ClockSnapshot",
    "Event",
    "EventKind",
    "ExperimentalBatch",
    "ExperimentalEvent",
    "GoPanic",
    "GoState",
    "Label",
    "Log",
    "Metric",
    "ProcState",
    "Range",
    "RangeAttribute",
    "Reader",
    "Region",
    "ResourceID",
    "ResourceKind",
    "Stack",
    "StackFrame",
    "StateTransition",
    "Sync",
    "Task",
    "TraceError",
    "UnsupportedTraceError",
    "Value",
    "ValueKind",
    "Version",
]

# The public names are exactly the re-exports: importing the package also binds its
# subpackages (``oracle.parser``, ...) as attributes, and those are not API.
_public = {
    name for name, value in globals().items()
    if not name.startswith("_") and not isinstance(value, _types.ModuleType)
} - {"annotations"}
assert set(__all__) == _public, sorted(set(__all__) ^ _public)
del _public
