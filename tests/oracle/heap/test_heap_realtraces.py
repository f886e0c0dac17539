"""The heap checker on real AllocFree traces of every release: every violation is explained.

Real runtimes are not deterministic (GC timing, tiny-block packing, scheduling), so exact
counts differ between runs of the same scenario.  What is pinned per release is therefore
(a) the exact set of (rule, cause) classes a release may show; a violation outside it, or
without a cause, fails the test, and (b) exact counts where the workload is deterministic
(``hdrfree``, go-findings 15).  docs/allocfree.md explains every class.
"""

from __future__ import annotations

from collections import Counter

import pytest

from oracle.harness.realtraces import RealTrace, real_traces
from oracle.heap import rules as R
from oracle.heap.check import HeapStatus, check_trace

HEAP_OBJ_CLASSES = {
    (R.HEAP_OBJECT_ALLOC_LIVE, R.MALLOC_HEADER),
    (R.HEAP_OBJECT_FREE_UNKNOWN, R.MALLOC_HEADER),
    (R.OBJECT_OFF_BOUNDARY, R.MALLOC_HEADER),
    (R.SPAN_FREED_WITH_LIVE_OBJECTS, R.MALLOC_HEADER),
}
TINY_CLASSES = {
    (R.HEAP_OBJECT_ALLOC_LIVE, R.TINY_SUBOBJECT),
    (R.OBJECT_OFF_BOUNDARY, R.TINY_SUBOBJECT),
    (R.SPAN_FREED_WITH_LIVE_OBJECTS, R.TINY_SUBOBJECT),
}
DROP_CLASSES = {
    (rule, R.TRY_ACQUIRE_DROP)
    for rule in (R.SPAN_ALLOC_LIVE, R.SPAN_FREE_UNKNOWN, R.STACK_ALLOC_LIVE, R.STACK_FREE_UNKNOWN)
}
FLIGHTREC_CLASSES = {(R.NO_INFO, R.NO_BATCHES), (R.UNKNOWN_TYPE, R.NO_BATCHES)}
#: Races and leftovers of starting a trace in a running program (seen in Go's own AllocFree
#: test programs, docs/allocfree.md section 7); possible in any tracegen scenario too.
START_CLASSES = {
    (R.HEAP_OBJECT_ALLOC_LIVE, R.SNAPSHOT_RACE),
    (R.STACK_BAD_ORDER, R.STACKLESS_G),
    (R.STACK_ALLOC_LIVE, R.STACKLESS_G),
}

GSIGNAL_CLASSES = {(R.STACK_FREE_UNKNOWN, R.GSIGNAL_STACK)}  # 1.23 attributes these to drops

#: Release -> every (rule, cause) a real trace of it may show (pinned; docs/allocfree.md).
ALLOWED = {
    "1.23.9": HEAP_OBJ_CLASSES | DROP_CLASSES | START_CLASSES,  # tiny sub-objects are not traced
    "1.24.11": HEAP_OBJ_CLASSES | TINY_CLASSES | START_CLASSES | GSIGNAL_CLASSES,
    "1.25.5": HEAP_OBJ_CLASSES | TINY_CLASSES | FLIGHTREC_CLASSES | START_CLASSES | GSIGNAL_CLASSES,
    "1.26.6": HEAP_OBJ_CLASSES | TINY_CLASSES | FLIGHTREC_CLASSES | START_CLASSES | GSIGNAL_CLASSES,
    "1.27.3": HEAP_OBJ_CLASSES | TINY_CLASSES | FLIGHTREC_CLASSES | START_CLASSES | GSIGNAL_CLASSES,
}


def release(t: RealTrace) -> str:
    return ".".join(t.go_version.split(".")[:2])


def classes(t: RealTrace) -> Counter[tuple[str, str | None]]:
    v = check_trace(t.path.read_bytes(), release=release(t))
    assert v.parse_error is None
    out: Counter[tuple[str, str | None]] = Counter()
    for rule, n in v.result.violations.items():
        if not n:
            continue
        by_cause = v.result.causes.get(rule, {})
        for cause, k in by_cause.items():
            for part in cause.split("+"):
                out[(rule, part)] += k
        if n - sum(by_cause.values()):
            out[(rule, None)] += n - sum(by_cause.values())
    return out


@pytest.mark.slow
@pytest.mark.parametrize("version", sorted(ALLOWED))
def test_every_violation_is_explained(version: str) -> None:
    seen: Counter[tuple[str, str | None]] = Counter()
    for t in real_traces(version):
        if not t.allocfree:
            continue
        got = classes(t)
        unexplained = {k: n for k, n in got.items() if k not in ALLOWED[version]}
        assert not unexplained, f"{t.name}: {unexplained}"
        if t.scenario == "hdrfree":  # deterministic: one object with a malloc header
            # (1.23 may also drop a stack event of the runtime's own goroutines: finding 17.)
            assert {k: n for k, n in got.items() if k not in DROP_CLASSES} == {
                (R.HEAP_OBJECT_FREE_UNKNOWN, R.MALLOC_HEADER): 1,
                (R.OBJECT_OFF_BOUNDARY, R.MALLOC_HEADER): 1,
            }, t.name
        if t.scenario == "deadg":  # go-findings 18, deterministic: 20 dead goroutines
            assert got[(R.STACK_BAD_ORDER, R.STACKLESS_G)] >= 20, t.name
        if t.scenario == "iterpull" or (t.scenario == "stacks" and version != "1.23.9"):
            assert not got.keys() - HEAP_OBJ_CLASSES - TINY_CLASSES, t.name
        seen += got
    # The findings really show on every release they are listed for.
    assert (R.HEAP_OBJECT_FREE_UNKNOWN, R.MALLOC_HEADER) in seen
    assert ((R.OBJECT_OFF_BOUNDARY, R.TINY_SUBOBJECT) in seen) == (version != "1.23.9")
    if version >= "1.25":
        assert (R.UNKNOWN_TYPE, R.NO_BATCHES) in seen


@pytest.mark.slow
def test_go_1_22_writes_no_allocfree_data() -> None:
    for t in real_traces("1.22.10"):
        assert check_trace(t.path.read_bytes()).status is HeapStatus.NO_ALLOCFREE, t.name


def test_plain_traces_have_no_allocfree_data() -> None:
    for t in real_traces():
        if not t.allocfree:
            assert check_trace(t.path.read_bytes()).status is HeapStatus.NO_ALLOCFREE, t.name


def test_summary_of_a_real_trace_adds_up() -> None:
    t = next(t for t in real_traces() if t.scenario == "largeobj" and t.allocfree)
    r = check_trace(t.path.read_bytes()).result
    for k in (r.spans, r.objects, r.stacks):
        assert k.snapshot + k.allocated - k.freed == k.live >= 0
    assert r.objects.allocated_bytes > 2 * 16 * (33 << 10)  # the workload's large objects
    assert r.spans.freed > 0 and r.stacks.snapshot > 0 and r.info is not None
    assert r.timeline and r.heap_alloc_metric
    assert sum(r.live_by_size_class.values()) == r.objects.live_bytes
    assert r.live_by_size_class.get(0, 0) >= 33 << 10  # large objects live in size class 0
