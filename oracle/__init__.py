"""gotrace-oracle: an independent, pure-Python reference implementation of Go's
``internal/trace`` parser, and the machinery to hold it against Go's own.

The public API mirrors Go's: :class:`Reader` yields :class:`Event` values whose accessors
(``kind``, ``time``, ``goroutine``, ``proc``, ``thread``, ``stack``, ``metric()``,
``state_transition()``, ...) return the same data as Go 1.27.3's, and :class:`TraceError` is
the only exception a trace can cause, with Go's exact error text.  Everything here works
without Go installed; only :mod:`oracle.diff` and the ``gotrace-oracle diff`` command run Go.

:func:`check` is the one exception to "the parser only": ``oracle.check(data)`` runs the
differential check against Go (:mod:`oracle.diff.check`).  It is imported on first use
(:func:`__getattr__`), so ``import oracle`` stays the parser alone: no Go, no harness.
"""

from __future__ import annotations

import types as _types
import typing as _typing

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

if _typing.TYPE_CHECKING:
    from oracle.diff.check import check

#: Public names imported on first use, by the module that defines them.
_LAZY = {"check": "oracle.diff.check"}


def __getattr__(name: str) -> _typing.Any:
    """Import a :data:`_LAZY` name on first use (PEP 562)."""
    if name in _LAZY:
        import importlib

        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'oracle' has no attribute {name!r}")


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
    "check",
]

# The public names are exactly the re-exports and the lazy names: importing the package also
# binds its subpackages (``oracle.parser``, ...) as attributes, and those are not API.
_public = {
    name for name, value in globals().items()
    if not name.startswith("_") and not isinstance(value, _types.ModuleType)
} - {"annotations"} | set(_LAZY)
assert set(__all__) == _public, sorted(set(__all__) ^ _public)
del _public
