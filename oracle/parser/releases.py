"""Which Go release's parser the reference reproduces: a table of small behaviour switches.

The reference follows one code path; where Go releases differ, the code asks the
:class:`Release` record of the selected release instead of copying the parser.  The default
is the pinned Go 1.27.3.

A release is listed in :data:`RELEASES` only once the reference reproduces it *exactly*: its
verdicts, error texts and ``Event.String()`` output, checked against that release's own parser
through the helper (``tests/oracle/parser/test_releases.py``).  The others raise
:class:`UnsupportedReleaseError` rather than answer with another release's semantics.

Known so far, from ``diff`` of ``$GOROOT/src/internal/trace`` between releases:

* 1.26.6 -> 1.27.3: ``tracev2.ProcStatus.String`` learnt ``SyscallAbandoned`` (it said ``Bad``;
  docs/go-findings.md finding 10), and ``MakeStack`` pre-sizes a slice (not observable by a
  reader).  Nothing else in the reader, the v1 converter or the event API changed.
* 1.22 to 1.25 differ in the reader, the generation and batch reading, the ordering and the
  event API (about 1,100 changed lines from 1.25.5, 2,900 from 1.24.11); not reproduced yet.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from oracle.parser.tracev2 import ProcStatus

__all__ = ["CURRENT", "RELEASES", "Release", "UnsupportedReleaseError", "release", "reproduced"]


class UnsupportedReleaseError(ValueError):
    """The caller asked for a Go release whose parser the reference does not reproduce."""


@dataclass(frozen=True, slots=True)
class Release:
    """One Go release's parser behaviour, as switches read by the shared code path."""

    version: str
    #: ``tracev2.ProcStatus.String()`` by status value (``Bad`` where the release has no case).
    proc_status_names: tuple[str, ...]

    @property
    def minor(self) -> int:
        return int(self.version.split(".")[1])


_PROC_STATUS_NAMES_127: Final = tuple(str(s) for s in ProcStatus)
_PROC_STATUS_NAMES_126: Final = tuple(
    "Bad" if s is ProcStatus.SyscallAbandoned else str(s) for s in ProcStatus
)

#: The releases the reference reproduces, by version.
RELEASES: Final[dict[str, Release]] = {
    "1.27.3": Release("1.27.3", _PROC_STATUS_NAMES_127),
    "1.26.6": Release("1.26.6", _PROC_STATUS_NAMES_126),
}

#: The pinned release: the default semantics.
CURRENT: Final = RELEASES["1.27.3"]


def release(go: str | Release | None) -> Release:
    """The :class:`Release` for ``go`` (a version like ``"1.26.6"``; None: the pinned one)."""
    if go is None:
        return CURRENT
    if isinstance(go, Release):
        return go
    r = RELEASES.get(go)
    if r is None:
        raise UnsupportedReleaseError(
            f"the reference does not reproduce Go {go}'s parser; it reproduces "
            f"{', '.join(sorted(RELEASES))}"
        )
    return r


def reproduced(version: str) -> str | None:
    """``version`` if the reference reproduces it, else None (the pinned semantics).

    For the differential commands: against a reproduced release they compare with that
    release's semantics; against any other, with the pinned one (documented differences then
    show up, as before release switches existed).
    """
    return version if version in RELEASES else None
