"""The shape of one wire event's specification.

Mirrors ``EventSpec`` in Go's ``internal/trace/tracev2/spec.go``.  The table of specs itself is
data in :mod:`oracle.parser.tracev2.events`; this module only defines the record and the argument
naming rules that the rest of the project (raw text format, experimental ``ArgValue``, test
generators) relies on.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

__all__ = ["ARG_TYPES", "EventSpec", "arg_type"]

#: Valid argument type suffixes (``tracev2.EventArgTypes``).  An argument name is
#: ``<name>`` or ``<name>_<type>``; untyped arguments are plain uint64s.
ARG_TYPES: Final[tuple[str, ...]] = (
    "seq",
    "pstatus",
    "gstatus",
    "g",
    "m",
    "p",
    "string",
    "stack",
    "value",
    "task",
)


@dataclass(frozen=True, slots=True)
class EventSpec:
    """How one event type is laid out on the wire and how the parser treats it.

    ``args`` includes ``dt`` as its first element for timed events, exactly like Go's table;
    ``string_ids`` and ``stack_ids`` index into ``args``.  ``stack_ids[0]``, when present, is
    the event's own stack (Go relies on that order for ``Event.Stack``).
    """

    name: str = ""
    args: tuple[str, ...] = ()
    string_ids: tuple[int, ...] = ()
    stack_ids: tuple[int, ...] = ()
    start_ev: int = 0
    is_timed_event: bool = False
    has_data: bool = False
    is_stack: bool = False
    experiment: int = 0


def arg_type(name: str) -> str:
    """The type part of an argument name (``p_seq`` -> ``seq``; ``g`` -> ``g``).

    Mirrors the convention documented on ``EventSpec.Args``: the last ``_``-separated part is
    the type when present, else the whole name is both name and type.
    """
    _, sep, typ = name.rpartition("_")
    return typ if sep else name
