"""Dynamically typed values carried by metrics, range attributes and experimental events.

Mirrors ``internal/trace/value.go``.  Go packs a ``Value`` as a kind plus either a scalar or a
string pointer; we keep the kind and a Python payload (``int`` for ``ValueUint64``, ``str`` in
the surrogateescape convention of :class:`oracle.parser.base.EvTable` for ``ValueString``).  The
zero ``Value()`` is ``ValueBad``, like Go's zero value.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

from oracle.parser.errors import GoPanic
from oracle.parser.gostrconv import go_bytes

__all__ = ["Value", "ValueKind", "string_value", "uint64_value", "value_as_string"]


class ValueKind(IntEnum):
    """The type of a :class:`Value` (``trace.ValueKind``)."""

    Bad = 0
    Uint64 = 1
    String = 2


@dataclass(frozen=True, slots=True)
class Value:
    """A dynamically typed trace value (``trace.Value``); build with the module functions."""

    kind: ValueKind = ValueKind.Bad
    scalar: int = 0
    string: str = ""

    def uint64(self) -> int:
        """Mirrors ``(Value).Uint64``; Go panics for other kinds (:class:`GoPanic`)."""
        if self.kind != ValueKind.Uint64:
            raise GoPanic("Uint64 called on Value of a different Kind")
        return self.scalar

    def go_string(self) -> str:
        """Mirrors ``(Value).String``: the string itself, ``Value{Uint64(N)}`` or ``Value{Bad}``."""
        if self.kind == ValueKind.String:
            return self.string
        if self.kind == ValueKind.Uint64:
            return f"Value{{Uint64({self.scalar})}}"
        return "Value{Bad}"

    def __str__(self) -> str:
        return self.go_string()


def value_as_string(v: Value) -> str:
    """Mirrors Go 1.22-1.24's ``valueAsString`` (value.go:43-51 in 1.24.11), what their
    ``Event.String()`` printed before ``Value.String`` existed: ``Uint64(N)`` or ``Bad``."""
    if v.kind == ValueKind.Uint64:
        return f"Uint64({v.scalar})"
    return "Bad"


def uint64_value(x: int) -> Value:
    """Mirrors ``Uint64Value``."""
    return Value(ValueKind.Uint64, x)


def string_value(s: str) -> Value:
    """Mirrors ``StringValue``; ``scalar`` holds the byte length, as Go's does."""
    return Value(ValueKind.String, len(go_bytes(s)), s)
