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
* 1.25.5 -> 1.26.6: trace version Go126 (an explicit end-of-generation marker, read by
  ``readBatch`` for every version), and in the event API finding 9's fix, the transition stack
  of ``GoStatusStack``, ``String()``'s order of ``Resource``/``Reason`` and RFC3339Nano wall
  times.  The rest of the 1,100 changed lines are a refactoring of the spill path (same
  behaviour for Go122-Go125 traces) and the new ``MakeEvent`` API.  The v1 code is identical.
* 1.22 to 1.24 differ much more (Sync placement, timestamps, CPU samples, ordering rework in
  1.23 and 1.25, the ``oldtrace`` v1 package; 2,900 changed lines from 1.24.11): not reproduced.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from oracle.parser.tracev2 import ProcStatus
from oracle.parser.version import Version

__all__ = ["CURRENT", "RELEASES", "Release", "UnsupportedReleaseError", "release", "reproduced"]


class UnsupportedReleaseError(ValueError):
    """The caller asked for a Go release whose parser the reference does not reproduce."""


@dataclass(frozen=True, slots=True)
class Release:
    """One Go release's parser behaviour, as switches read by the shared code path."""

    version: str
    #: ``tracev2.ProcStatus.String()`` by status value (``Bad`` where the release has no case).
    proc_status_names: tuple[str, ...]
    #: The newest trace version ``version.ReadHeader`` accepts (``Current``).
    max_trace_version: Version = Version.Go126
    #: ``readBatch`` reads a lone ``EndOfGeneration`` byte as a marker batch (1.26+); before,
    #: it is ``expected batch event, got event N``.
    end_of_generation_marker: bool = True
    #: ``Range().Scope`` of ``GCSweepActive`` names the P in its argument (1.26+); before, the
    #: context P (docs/go-findings.md finding 9).
    sweep_active_scope_from_arg: bool = True
    #: ``StateTransition().Stack`` of ``GoStatus``/``GoStatusStack`` is the event's stack
    #: (1.26+); before, none.
    go_status_transition_stack: bool = True
    #: ``Event.String()`` of a transition prints ``Resource=%s Reason=%q`` before the
    #: resource's states (up to 1.25), instead of ``Reason=%q`` after them (1.26+).
    transition_string_resource_first: bool = False
    #: ``Event.String()`` of a Sync prints the clock snapshot's wall time with
    #: ``time.RFC3339Nano`` (1.26+); before, ``time.RFC3339``.
    sync_wall_nanos: bool = True

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
    "1.25.5": Release(
        "1.25.5",
        _PROC_STATUS_NAMES_126,
        max_trace_version=Version.Go125,
        end_of_generation_marker=False,
        sweep_active_scope_from_arg=False,
        go_status_transition_stack=False,
        transition_string_resource_first=True,
        sync_wall_nanos=False,
    ),
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
