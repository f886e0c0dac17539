"""Trace versions, their event tables, and the file header.

Mirrors ``internal/trace/version/version.go``.  A version maps to a *prefix* of the full event
table.  Only the raw reader/writer and error-message names use that prefix; the parser decodes
every v2 trace with the full table (see ``docs`` and the format digest, section 1).
"""

from __future__ import annotations

from enum import IntEnum
from typing import Final

from oracle.tracev2 import SPECS, EventSpec, EventType

__all__ = ["CURRENT", "V2_VERSIONS", "Version"]


class Version(IntEnum):
    """A trace format version, named after the Go release that introduced it."""

    Go111 = 11  # v1
    Go119 = 19  # v1
    Go121 = 21  # v1
    Go122 = 22  # v2
    Go123 = 23  # v2 (also written by Go 1.24)
    Go125 = 25  # v2
    Go126 = 26  # v2 (also written by Go 1.27)

    def specs(self) -> tuple[EventSpec, ...]:
        """The per-version prefix of the event table; empty for v1 versions."""
        return _VERSION_SPECS[self]

    def event_name(self, typ: int) -> str:
        """Mirrors ``Version.EventName``: the spec name, or ``Invalid(N)`` past the prefix."""
        s = _VERSION_SPECS[self]
        if not s:
            return "<v1 trace event type>"
        if typ < len(s) and s[typ].name != "":
            return s[typ].name
        return f"Invalid({typ})"

    @property
    def is_v2(self) -> bool:
        """Whether this version uses the v2 (generational) format this project implements."""
        return self >= Version.Go122

    def __str__(self) -> str:
        return str(int(self))


_VERSION_SPECS: Final[dict[Version, tuple[EventSpec, ...]]] = {
    Version.Go111: (),
    Version.Go119: (),
    Version.Go121: (),
    Version.Go122: SPECS[: EventType.UserLog + 1],
    Version.Go123: SPECS[: EventType.ExperimentalBatch + 1],
    Version.Go125: SPECS[: EventType.ClockSnapshot + 1],
    Version.Go126: SPECS,
}

#: The newest version Go 1.27.3 writes and reads.
CURRENT: Final = Version.Go126
#: Versions of the v2 format, oldest first.
V2_VERSIONS: Final[tuple[Version, ...]] = tuple(v for v in Version if v.is_v2)
