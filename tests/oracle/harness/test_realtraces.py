"""The real-trace fixtures really exercise what their scenarios are for (oracle/realtraces.py).

A workload that silently stops producing its events (a runtime change, a too-short run) would
quietly weaken every test that uses the fixtures, so each scenario is checked for its
signature events in the traces of every supported release that has it.
"""

from __future__ import annotations

from collections import Counter

import pytest

from oracle import EventKind, Reader
from oracle.parser.raw import RawReader
from oracle.harness.realtraces import RealTrace, real_traces

VERSIONS = ("1.22.10", "1.23.9", "1.24.11", "1.25.5", "1.26.6", "1.27.3")

#: Scenario -> raw event names that must occur in its trace.
SIGNATURE_EVENTS = {
    "churn": {"ProcsChange", "GoCreate", "GoBlock", "GoUnblock", "ProcStop"},
    "gc": {"GCBegin", "GCEnd", "GCSweepBegin", "HeapAlloc", "STWBegin"},
    "annotations": {"UserTaskBegin", "UserTaskEnd", "UserRegionBegin", "UserRegionEnd", "UserLog"},
    "syscalls": {"GoSyscallBegin", "GoSyscallEnd"},
    "cpuprofile": {"CPUSample"},
    "iterpull": {"GoSwitch", "GoSwitchDestroy", "GoCreateBlocked"},
    "cgo": {"GoCreateSyscall", "GoDestroySyscall"},
    "flightrec": {"GoStatus", "ProcStatus"},
    "multigen": {"GoCreate"},
    # Heap workloads for the AllocFree heap oracle (tests/oracle/heap).
    "tiny": {"GCBegin", "GCEnd"},
    "largeobj": {"GCBegin", "GCEnd"},
    "stacks": {"GoCreate", "GCBegin"},
    "manygc": {"GCBegin", "GCEnd"},
    "heapgens": {"GCBegin"},
    "groundtruth": {"GCBegin", "GCEnd"},
    "hdrfree": {"GCBegin"},
    "deadg": {"GCBegin"},
}
ALLOCFREE_EVENTS = {"HeapObjectAlloc", "SpanAlloc", "GoroutineStackAlloc"}


def raw_names(t: RealTrace) -> Counter[str]:
    """Event names as the raw reader sees them with the full event table.

    Go's raw reader uses the header version's table, which lacks the experimental events that
    1.23-1.25 runtimes write; the flat raw layout does not depend on the version otherwise, so
    the header is relabelled as go 1.26 to decode everything.
    """
    data = t.path.read_bytes()
    assert data[:5] == b"go 1." and data[7:16] == b" trace\x00\x00\x00"
    r = RawReader(b"go 1.26" + data[7:])
    return Counter(r.specs[ev.ev].name for ev in r.read_all())


@pytest.mark.parametrize("version", VERSIONS)
def test_every_scenario_shows_its_events(version: str) -> None:
    traces = real_traces(version)
    scenarios = {t.scenario for t in traces}
    minor = int(version.split(".")[1])
    expected = set(SIGNATURE_EVENTS) - ({"iterpull"} if minor < 23 else set()) - (
        {"flightrec"} if minor < 25 else set()
    )
    assert scenarios == expected
    for t in traces:
        names = raw_names(t)
        missing = SIGNATURE_EVENTS[t.scenario] - set(names)
        assert not missing, f"{t.name}: no {sorted(missing)}"
        if t.allocfree and minor >= 23:  # Go 1.22's runtime ignores traceallocfree
            assert ALLOCFREE_EVENTS <= set(names), f"{t.name}: no AllocFree events"
            if t.scenario != "flightrec":  # see test_flight_recorder_still_drops_...
                assert names["ExperimentalBatch"] > 0


def test_cpu_samples_become_stack_samples() -> None:
    t = next(t for t in real_traces() if t.scenario == "cpuprofile" and not t.allocfree)
    kinds = Counter(ev.kind for ev in Reader(t.path))
    assert kinds[EventKind.StackSample] > 0


@pytest.mark.parametrize("version", ["1.25.5", "1.26.6", "1.27.3"])
def test_flight_recorder_still_drops_experimental_batches(version: str) -> None:
    """Go finding 13 (docs/go-findings.md): runtime/trace's flight recorder misparses every
    ExperimentalBatch header and silently drops the batch, so AllocFree snapshots carry
    events but neither the info batch nor the type tables.  When Go fixes this, this test
    fails: update the docs and turn it around."""
    t = next(t for t in real_traces(version) if t.scenario == "flightrec" and t.allocfree)
    names = raw_names(t)
    assert ALLOCFREE_EVENTS & set(names)
    assert names["ExperimentalBatch"] == 0
    streamed = next(t for t in real_traces(version) if t.scenario == "gc" and t.allocfree)
    assert raw_names(streamed)["ExperimentalBatch"] > 0
