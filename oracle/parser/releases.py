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
* 1.24.11 -> 1.25.5 (2,900 changed lines, most of them the renames ``event/go122`` ->
  ``tracev2`` and ``oldtrace`` -> ``tracev1``, and the testgen package): the Sync rework (a
  Sync now opens each generation at its earliest batch time and a final one closes the trace,
  a load error is announced by a Sync, v1 traces get Syncs; before, a Sync closed each
  generation and an empty one was finding 7's ``frontier is empty``), the ``Sync()`` accessor
  and Go125's Sync batches with clock snapshots (the wire types Sync, ClockSnapshot and
  EndOfGeneration are new to the table), ``setSyncBatch`` replacing ``parseFreq``,
  version-aware event names in errors (``go122.EventString`` before), the experimental-event
  API (``ArgNames``/``Args``/``Data`` before, ``Experiment``/``ArgValue`` and batches on the
  Sync after) and ``Value.String``.  Each is one switch below (docs/go-findings.md 25 and 26
  describe two of them as the cross-release campaigns saw them).  Not observable by a reader:
  ``minTs`` (only feeds the new opening Sync), ``CPUSample``'s ``StackIDs`` (validation reads
  ``args[3]``, always the valid ID 0), the ``schedReqs`` renames, ``hasRange`` via
  ``slices.Contains``, the raw reader/writer (version prefixes: only for text traces).  The v1
  parser is identical but for ``Events.Peek``; the converter is identical, only the reader
  around it changed (no Syncs in 1.24).  Differential: Go 1.24.11's testdata (20 tests, 17
  seeds, 12 v1 traces), the corpus, its 32 real traces and generated/mutated campaigns agree.
* 1.23.9 -> 1.24.11 (457 changed lines): the GoStatus old state packed into ``args[2]``
  (finding 6's fix) and the frontier built in the order of each M's first batch instead of
  Go's map order (docs/go-findings.md finding 24); each is one switch.  Not observable: ``maxArgs`` 6 -> 5 (the extra slot
  only held the old state), ``Stack.Frames`` becoming an ``iter.Seq`` (the helper adapts),
  ``raw.Event.EncodedSize``, comments.  Go 1.23's map order makes its own answers vary from
  run to run wherever two Ms' next events have equal times (the same input gives different
  event orders, and sometimes different threads for the same transitions): the reference
  takes the first-batch order, one of Go's possible ones (``Reader(frontier_rotation=k)``
  follows the others for up to 8 Ms), and the differential compares 1.23 up to ties
  (:func:`oracle.diff.compare.ties_possible`) and asks Go again on a difference.
  Differential: Go 1.23.9's testdata, the corpus and its 32 real traces agree that way.
* 1.22.10 -> 1.23.9 (the parser moved from ``internal/trace/v2`` to ``internal/trace``;
  about 2,200 changed lines in the reader, most of them the ordering's switch becoming a table
  of handlers that push onto a queue): v1 support (``oldtrace`` and the converter; 1.22's
  ``ReadHeader`` knows only Go122, so v1 and Go123+ headers get ``unknown or unsupported
  trace version go 1.N``), trace version Go123 with its events (``GoSwitch``,
  ``GoSwitchDestroy``, ``GoCreateBlocked``, ``GoStatusStack``) and experimental batches and
  events (``ExperimentalBatch`` with its experiment byte, the AllocFree events from 128, the
  ``Experimental`` kind and accessor); before, the table ends at ``UserLog``, so later types
  are ``found invalid event type: N`` and ``readBatch`` says ``expected batch event
  (EventBatch), got <name>`` (finding 23), a spill read error is kept until the current
  generation is done (finding 8's fix), one PC table per generation (finding 29), and the
  queue puts ``GoDestroySyscall``'s synthesized ``ProcSteal`` first (finding 31, 1.22's
  ``extraEvent`` came after).  Each is one switch below.  Not observable by a reader:
  ``maxArgs`` 5 -> 6 (the extra slot is for ``GoStatusStack``), ``CPUSample``'s spec argument
  names (the wire order, read by ``addCPUSamples``, is the same), ``Advance`` updating the M's
  state only on success where 1.22's deferred update also wrote the unchanged state back on
  "not yet" and errors, the handlers' check order (unchanged, case by case), the frontier's
  map order (as in 1.23).  Differential: Go 1.22.10's own testdata (19 tests, 16 seeds), the
  pinned testdata, the corpus, its 30 real traces, the v1 testdata and the Go 1.21.13
  runtime's traces (rejected alike), and generated/mutated campaigns agree.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cached_property
from typing import Final

from oracle.parser.tracev2 import SPECS, EventSpec, EventType, ProcStatus
from oracle.parser.version import Version

__all__ = ["CURRENT", "RELEASES", "Release", "UnsupportedReleaseError", "release", "reproduced"]


class UnsupportedReleaseError(ValueError):
    """The caller asked for a Go release whose parser the reference does not reproduce."""


#: Wire types Go 1.25 added to the event table (tracev2/events.go:86-92 in 1.25.5): the
#: ``Sync`` batch header, the ``ClockSnapshot`` event and the reserved ``EndOfGeneration``.
_ADDED_IN_125: Final = frozenset((EventType.Sync, EventType.ClockSnapshot, EventType.EndOfGeneration))


@dataclass(frozen=True)
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
    #: The event table knows ``Sync``, ``ClockSnapshot`` and ``EndOfGeneration`` (1.25+).
    #: Before (the list ends at EvExperimentalBatch, event/go122/event.go:80 in 1.24.11) their
    #: entries are blank, so a
    #: ClockSnapshot in an event batch is ``found event without a timestamp: type=51``.
    wire_sync_events: bool = True
    #: Errors name wire event types with ``Version.EventName`` (1.25+: the version's prefix of
    #: the table, ``Invalid(N)`` past it or in a gap; version/version.go:46-58 in 1.25.5).
    #: Before, with ``go122.EventString`` over the whole table (event/go122/event.go:112 in
    #: 1.24.11: a blank name in a gap, so a Go122 trace's GoSwitch is named), and
    #: ``readBatch`` says ``expected batch event, got <name>`` instead of ``got event N``
    #: (batch.go:56 in 1.24.11, batch.go:58 in 1.25.5).
    event_names_by_version: bool = True
    #: A Sync event opens every generation (time: the generation's earliest batch), a final
    #: one closes the trace, a load error is announced by a table-less Sync, and v1 traces get
    #: a first and a last Sync (1.25+; reader.go:77-187 in 1.25.5).  Before, a Sync *closes*
    #: each generation (time: the last event's, then made strictly later), errors come
    #: unannounced, an empty generation is ``broken trace: frontier is empty``, and v1 traces
    #: have no Sync at all (reader.go:71-159, the Sync at 120, in 1.24.11).
    sync_opens_generation: bool = True
    #: ``Event.Sync()`` exists (N, clock snapshot, experimental batches) and ``String()`` prints
    #: ``N=`` (1.25+; event.go:665-717 in 1.25.5).  Before there is no accessor.
    sync_api: bool = True
    #: ``ExperimentalEvent`` has ``Experiment``, ``Args`` (names) and ``ArgValue`` and
    #: ``String()`` prints ``Args=[name=value, ...]`` (1.25+; event.go:312, 867 in 1.25.5).
    #: Before it has ``ArgNames``, raw ``Args`` and ``Data`` (the generation's batches of its
    #: experiment), printed ``ArgNames=[..] Args=[..]`` (event.go:312, 808 in 1.24.11).
    experimental_arg_values: bool = True
    #: Metric and range-attribute values print with ``Value.String`` (``Value{Uint64(N)}``,
    #: 1.25+; value.go:50 in 1.25.5); before with ``valueAsString`` (``Uint64(N)``, value.go:47
    #: in 1.24.11).
    value_string_method: bool = True
    #: A sync (frequency) batch is read event by event, the duplicate check before the value
    #: and any other event an error (``setSyncBatch``, 1.25+; generation.go:435 in 1.25.5).
    #: Before, ``parseFreq`` reads the one value after the first byte, ignores the rest of the
    #: batch, and checks for a duplicate afterwards (generation.go:156-164, 422 in 1.24.11).
    sync_batch_events: bool = True
    #: The ordering packs a GoStatus's old state and uint8 status into ``args[2]`` and
    #: ``StateTransition`` unpacks them (1.24+; order.go:380 and event.go:652-654 in 1.24.11).
    #: Before, the old state goes to an extra slot and ``StateTransition`` indexes its table
    #: with the wire ``args[2]``, so gstatus 258 panics (finding 6; order.go:380 and
    #: event.go:651 in 1.23.9).
    go_status_packed: bool = True
    #: ``ReadEvent`` builds the frontier in the order each M's first batch appeared (1.24+;
    #: reader.go:145 in 1.24.11).  Before, in Go's map order of ``gen.batches`` (reader.go:145
    #: in 1.23.9); the reference takes the first-appearance order, one of Go's possible ones.
    frontier_in_batch_order: bool = True
    #: The oldest trace version ``version.ReadHeader`` accepts.  1.23+ read v1 traces too
    #: (Go111, Go119, Go121: version/version.go:19-33 in 1.23.9); 1.22 knows only Go122
    #: (v2/version/version.go:18-25 in 1.22.10), so ``ReadHeader`` (:48-49) says ``unknown or
    #: unsupported trace version go 1.N`` for any other header, v1 ones included.
    min_trace_version: Version = Version.Go111
    #: The event table has Go 1.23's additions: ``GoSwitch``, ``GoSwitchDestroy``,
    #: ``GoCreateBlocked``, ``GoStatusStack``, ``ExperimentalBatch`` (45-49) and the AllocFree
    #: experimental events from 128 (event/go122/event.go:71-109 in 1.23.9).  Before, the
    #: table ends at ``UserLog`` (v2/event/go122/event.go:68 in 1.22.10): an event batch
    #: holding a later type is ``found invalid event type: N`` (v2/batchcursor.go:70-72), and
    #: ``go122.EventString`` names it ``Invalid(N)``.
    go123_events: bool = True
    #: ``readBatch`` accepts ``ExperimentalBatch`` and reads its experiment byte, and says
    #: ``expected batch event, got <name>`` for any other type (batch.go:55-67 in 1.23.9).
    #: Before, only ``EventBatch``, with ``expected batch event (EventBatch), got <name>``
    #: (v2/batch.go:52-53 in 1.22.10); docs/go-findings.md finding 23.
    experimental_batches: bool = True
    #: A read error in the batch after the current generation's first one is kept and
    #: returned after that generation's events (``spillErr``: generation.go:64-78, 135 and
    #: reader.go:122-124, 134-139 in 1.23.9).  Before, it is returned at once and the
    #: generation is lost (v2/generation.go:64-66, v2/reader.go:108-111 in 1.22.10;
    #: docs/go-findings.md finding 8).
    spill_error_deferred: bool = True
    #: Frames are resolved through one PC table per generation, the first frame given for a
    #: PC winning, and only that frame's strings are validated (generation.go:324-333,
    #: 179-200 and event.go:273-274 in 1.23.9; docs/go-findings.md finding 29).  Before, each
    #: stack keeps its own frames, every frame is validated, and a duplicate stack ID prints
    #: them as ``trace.frame{...}`` (v2/generation.go:159-177, 295-300, v2/base.go:243-261
    #: and v2/event.go:267 in 1.22.10).
    frames_by_pc: bool = True
    #: The self-``ProcSteal`` synthesized for a ``GoDestroySyscall`` that holds a P is queued
    #: before the event (order.go:775-779 in 1.23.9).  Before, the event comes first and the
    #: steal is ``o.extraEvent``, returned by the next ``ReadEvent`` (v2/order.go:586-596 and
    #: v2/reader.go:89 in 1.22.10; docs/go-findings.md finding 31).
    destroy_syscall_steal_first: bool = True

    @property
    def minor(self) -> int:
        return int(self.version.split(".")[1])

    @cached_property
    def specs(self) -> tuple[EventSpec, ...]:
        """The release's event table (the pinned one, with the entries it lacks blanked, and
        cut after ``UserLog`` before 1.23)."""
        if not self.go123_events:
            return SPECS[: EventType.UserLog + 1]
        if self.wire_sync_events:
            return SPECS
        return tuple(EventSpec() if i in _ADDED_IN_125 else s for i, s in enumerate(SPECS))

    def reads_version(self, ver: Version) -> bool:
        """Whether the release's ``version.ReadHeader`` accepts a header of version ``ver``."""
        return self.min_trace_version <= ver <= self.max_trace_version

    def event_name(self, ver: Version, typ: int) -> str:
        """How the release's errors name wire type ``typ`` in a trace of version ``ver``."""
        if self.event_names_by_version:
            return ver.event_name(typ)
        specs = self.specs
        return specs[typ].name if typ < len(specs) else f"Invalid({typ})"


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
# Each older release: the next newer one's record with the switches it predates turned off.
RELEASES["1.24.11"] = replace(
    RELEASES["1.25.5"],
    version="1.24.11",
    max_trace_version=Version.Go123,
    wire_sync_events=False,
    event_names_by_version=False,
    sync_opens_generation=False,
    sync_api=False,
    experimental_arg_values=False,
    value_string_method=False,
    sync_batch_events=False,
)
RELEASES["1.23.9"] = replace(
    RELEASES["1.24.11"], version="1.23.9", go_status_packed=False, frontier_in_batch_order=False
)
RELEASES["1.22.10"] = replace(
    RELEASES["1.23.9"],
    version="1.22.10",
    max_trace_version=Version.Go122,
    min_trace_version=Version.Go122,
    go123_events=False,
    experimental_batches=False,
    spill_error_deferred=False,
    frames_by_pc=False,
    destroy_syscall_steal_first=False,
)

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
