"""Wire-format tables of the v2 trace (mirrors Go's ``internal/trace/tracev2``)."""

from __future__ import annotations

from oracle.parser.tracev2.events import *  # noqa: F403
from oracle.parser.tracev2.events import __all__ as _events_all
from oracle.parser.tracev2.spec import ARG_TYPES, EventSpec, arg_type

__all__ = [*_events_all, "ARG_TYPES", "EventSpec", "arg_type"]
