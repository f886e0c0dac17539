"""Every rule of the table is triggered by a minimal event sequence, and only that rule."""

from __future__ import annotations


import pytest

from _heapsupport import INFO, ev, info_batch, types_batch
from oracle.heap import rules as R
from oracle.heap.batches import TypeRecord
from oracle.heap.replay import HeapReplay
from oracle.parser.tracev2 import EventType as T

T_SMALL = TypeRecord(7, 0x1000, 24, 8, "main.small")
T_HUGE = TypeRecord(8, 0x2000, 100, 0, "main.huge")
PAGE = INFO.page_size // INFO.min_heap_align  # object IDs per page


def kc(size_class: int, noscan: bool = True) -> int:
    """An in-use span's type/class argument (traceSpanTypeAndClass)."""
    return ((size_class << 1) | int(noscan)) << 1


MANUAL = 1  # a manual (stack) span


def replay(*events: tuple[T, tuple[int, ...]], gens: int = 1) -> HeapReplay:
    r = HeapReplay()
    r.begin_generation([info_batch(), types_batch(T_SMALL, T_HUGE)])
    for typ, args in events:
        r.feed(ev(typ, *args))
    return r


# A valid base: span 10 (1 page, class 3 = 24 bytes), an object in it, a stack.
BASE = (
    (T.Span, (10, 1, kc(3))),
    (T.HeapObject, (10 * PAGE, 7)),
    (T.GoroutineStack, (400, 12)),
    (T.SpanAlloc, (20, 2, kc(0, noscan=False))),
    (T.HeapObjectAlloc, (20 * PAGE, 8)),
    (T.HeapObjectAlloc, (10 * PAGE + 3, 7)),
    (T.HeapObjectFree, (10 * PAGE + 3,)),
    (T.GoroutineStackAlloc, (500, 13)),
    (T.GoroutineStackFree, (500,)),
    (T.HeapObjectFree, (20 * PAGE,)),
    (T.SpanFree, (20,)),
)

CASES: dict[str, tuple[tuple[T, tuple[int, ...]], ...]] = {
    R.SPAN_ALLOC_LIVE: ((T.SpanAlloc, (10, 1, kc(3))),),
    R.HEAP_OBJECT_ALLOC_LIVE: ((T.HeapObjectAlloc, (10 * PAGE, 7)),),
    R.STACK_ALLOC_LIVE: ((T.GoroutineStackAlloc, (400, 12)),),
    R.SPAN_FREE_UNKNOWN: ((T.SpanFree, (11,)),),
    R.HEAP_OBJECT_FREE_UNKNOWN: ((T.HeapObjectFree, (10 * PAGE + 6,)),),
    R.STACK_FREE_UNKNOWN: ((T.GoroutineStackFree, (401,)),),
    R.SPAN_FREED_WITH_LIVE_OBJECTS: ((T.SpanFree, (10,)),),
    R.OBJECT_OUTSIDE_SPAN: ((T.HeapObjectAlloc, (99 * PAGE, 0)),),
    R.OBJECT_OFF_BOUNDARY: ((T.HeapObjectAlloc, (10 * PAGE + 1, 0)),),
    R.TYPE_TOO_LARGE: ((T.HeapObjectAlloc, (10 * PAGE + 6, 8)),),
    R.UNKNOWN_TYPE: ((T.HeapObjectAlloc, (10 * PAGE + 6, 9)),),
    R.SPAN_OVERLAP: ((T.SpanAlloc, (9, 2, kc(3))),),
    R.SPAN_BAD_CLASS: ((T.SpanAlloc, (30, 1, kc(68))),),
    R.STACK_OVERLAP: ((T.GoroutineStackAlloc, (399, 13)),),
    R.STACK_BAD_ORDER: ((T.GoroutineStackAlloc, (600, 0)),),
    R.LATE_SNAPSHOT: ((T.Span, (40, 1, MANUAL)),),
}


def test_valid_base_has_no_violation() -> None:
    r = replay(*BASE)
    res = r.finish()
    assert res.total_violations == 0, res.examples
    assert (res.objects.snapshot, res.objects.allocated, res.objects.freed, res.objects.live) == (1, 2, 2, 1)
    assert (res.spans.live, res.stacks.live) == (1, 1)
    assert res.objects.live_bytes == 24 and res.spans.freed_bytes == 2 * INFO.page_size


def test_every_rule_has_a_case() -> None:
    assert set(CASES) | {R.NO_INFO, R.BAD_BATCH} == set(R.RULE_NAMES)
    assert R.BASIC_RULES == (
        "Span:alloc-live", "HeapObject:alloc-live", "GoroutineStack:alloc-live",
        "Span:free-unknown", "HeapObject:free-unknown", "GoroutineStack:free-unknown",
        "Span:freed-with-live-objects",
    )  # fmt: skip


@pytest.mark.parametrize("rule", sorted(CASES))
def test_rule_triggers(rule: str) -> None:
    r = replay(*BASE, *CASES[rule])
    res = r.finish()
    assert {k: v for k, v in res.violations.items() if v} == {rule: 1}, res.examples
    (ex,) = res.examples
    assert ex.rule == rule and ex.index == len(BASE)


def test_freed_with_live_objects_kills_them() -> None:
    res = replay(*BASE, (T.SpanFree, (10,)), (T.HeapObjectFree, (10 * PAGE,))).finish()
    assert res.violations[R.SPAN_FREED_WITH_LIVE_OBJECTS] == 1
    assert res.violations[R.HEAP_OBJECT_FREE_UNKNOWN] == 1  # it died with the span
    assert res.objects.live == 0


def test_no_info_once_per_generation_and_bad_batch() -> None:
    r = HeapReplay()
    r.begin_generation([])
    r.feed(ev(T.SpanAlloc, 1, 1, kc(3)))
    r.feed(ev(T.SpanAlloc, 2, 1, kc(3)))
    r.begin_generation([b"\x07"])
    r.feed(ev(T.SpanFree, 1))
    res = r.finish()
    assert res.violations[R.NO_INFO] == 2 and res.violations[R.BAD_BATCH] == 1
    assert res.causes[R.NO_INFO] == {R.NO_BATCHES: 1}  # the first generation had no batch at all
    assert "unknown AllocFree batch kind 7" in next(v.detail for v in res.examples if v.rule == R.BAD_BATCH)


def test_snapshot_in_a_later_generation_is_late() -> None:
    r = replay(*BASE[:3])
    r.begin_generation([types_batch(T_SMALL)])
    r.feed(ev(T.HeapObject, 10 * PAGE + 3, 7))
    assert r.finish().violations[R.LATE_SNAPSHOT] == 1


def test_type_tables_are_per_generation() -> None:
    r = replay(*BASE[:1])
    r.begin_generation([types_batch(T_HUGE)])  # T_SMALL (7) is not in generation 2's table
    r.feed(ev(T.HeapObjectAlloc, 10 * PAGE + 3, 7))
    res = r.finish()
    assert res.violations[R.UNKNOWN_TYPE] == 1


def test_causes_malloc_header_and_tiny() -> None:
    # A scan span of 1024-byte elements: the runtime traces alloc at slot+8, free at slot.
    hdr = 50 * PAGE + 1
    r = replay(
        (T.SpanAlloc, (50, 1, kc(32, noscan=False))),
        (T.HeapObjectAlloc, (hdr, 7)),
        (T.HeapObjectFree, (50 * PAGE,)),
        (T.HeapObjectAlloc, (hdr, 7)),
        (T.SpanFree, (50,)),
        # A tiny block (class 2, noscan): sub-objects at +4 (same ID) and +8 (off boundary).
        (T.SpanAlloc, (60, 1, kc(2))),
        (T.HeapObjectAlloc, (60 * PAGE, 0)),
        (T.HeapObjectAlloc, (60 * PAGE, 0)),
        (T.HeapObjectAlloc, (60 * PAGE + 1, 0)),
    )
    res = r.finish()
    assert res.causes == {
        R.OBJECT_OFF_BOUNDARY: {R.MALLOC_HEADER: 2, R.TINY_SUBOBJECT: 1},
        R.HEAP_OBJECT_FREE_UNKNOWN: {R.MALLOC_HEADER: 1},
        R.HEAP_OBJECT_ALLOC_LIVE: {R.MALLOC_HEADER: 1, R.TINY_SUBOBJECT: 1},
        R.SPAN_FREED_WITH_LIVE_OBJECTS: {R.MALLOC_HEADER: 1},
    }


def test_try_acquire_cause_only_for_go_1_23() -> None:
    # (The bare test events run on no goroutine, so 1.24+ sees an exiting M's gsignal stack.)
    for release, want in (("1.23", {R.TRY_ACQUIRE_DROP: 1}), ("1.24", {R.GSIGNAL_STACK: 1})):
        r = HeapReplay(release=release)
        r.begin_generation([info_batch()])
        r.feed(ev(T.GoroutineStackFree, 5))
        assert r.finish().causes.get(R.STACK_FREE_UNKNOWN) == want


def test_rule_table_is_documented() -> None:
    from pathlib import Path

    doc = (Path(__file__).resolve().parents[3] / "docs" / "allocfree.md").read_text()
    for rule in R.RULES:
        assert f"`{rule.name}`" in doc, rule.name
        assert rule.doc and rule.runtime
    for cause in R.CAUSES:
        assert f"`{cause}`" in doc, cause


@pytest.mark.parametrize("npages", [1 << 62, 5000])
def test_huge_spans_and_stacks_cost_nothing_and_still_overlap(npages: int) -> None:
    """Hostile sizes (2^62 pages, order 48) are intervals, never loops over their size."""
    r = replay(
        (T.SpanAlloc, (100, npages, kc(0))),
        (T.SpanAlloc, (100 + 4999, 1, kc(3))),
        (T.HeapObjectAlloc, (100 * PAGE, 0)),
        (T.GoroutineStackAlloc, (1 << 30, 48)),
        (T.GoroutineStackAlloc, ((1 << 30) + 7, 12)),
        (T.SpanFree, (100,)),
        (T.GoroutineStackFree, (1 << 30,)),
        (T.GoroutineStackAlloc, ((1 << 30) + 9, 12)),
    )
    res = r.finish()
    assert res.violations[R.SPAN_OVERLAP] == 1 and res.violations[R.STACK_OVERLAP] == 1
    assert res.violations[R.OBJECT_OFF_BOUNDARY] == 0 and res.violations[R.OBJECT_OUTSIDE_SPAN] == 0
    assert res.violations[R.SPAN_FREED_WITH_LIVE_OBJECTS] == 1
    assert not r.pages.big and len(r.stack_units.big) == 0


def test_start_of_trace_causes() -> None:
    """Causes seen in Go's own AllocFree test programs (docs/allocfree.md section 7)."""
    wrap = (1 << 64) - INFO.min_page_heap_addr  # address 0 as the runtime computes the ID
    stackless = wrap // INFO.fixed_stack
    r = replay(
        (T.GoroutineStack, (stackless, 0)),
        (T.GoroutineStack, (stackless, 0)),
        (T.HeapObject, (10 * PAGE, 0)),
        (T.SpanAlloc, (10, 1, kc(3))),
    )
    # A goroutine without a stack, twice; then the snapshot's object allocated "again".
    r.feed(ev(T.HeapObjectAlloc, 10 * PAGE, 0))
    r.feed(ev(T.GoroutineStackFree, 77))  # G = -1: an exiting M's gsignal stack
    res = r.finish()
    assert res.causes[R.STACK_BAD_ORDER] == {R.STACKLESS_G: 2}
    assert res.causes[R.STACK_ALLOC_LIVE] == {R.STACKLESS_G: 1}
    assert res.causes[R.HEAP_OBJECT_ALLOC_LIVE] == {R.SNAPSHOT_RACE: 1}
    assert res.causes[R.STACK_FREE_UNKNOWN] == {R.GSIGNAL_STACK: 1}
    assert next(v for v in res.examples if v.rule == R.STACK_BAD_ORDER).addresses == (0,)
