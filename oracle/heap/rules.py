"""The AllocFree heap rules: one table, each rule with its meaning and the runtime lines behind it.

Rule names are ``<Resource>:<what>``.  The first seven are the issue's basic live-set rules
and keep exactly these names and semantics; the others are the richer checks.  Line numbers
refer to the Go 1.27.3 sources (``$GOROOT/src/runtime``); docs/allocfree.md gives the lines of
every release from 1.23.9 on.  The replay (:mod:`oracle.heap.replay`) refers to rules only
through the constants below, and a report lists every rule of :data:`RULES`, including those
never violated.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

__all__ = [
    "BAD_BATCH",
    "BASIC_RULES",
    "CAUSES",
    "HEAP_OBJECT_ALLOC_LIVE",
    "HEAP_OBJECT_FREE_UNKNOWN",
    "LATE_SNAPSHOT",
    "NO_INFO",
    "OBJECT_OFF_BOUNDARY",
    "OBJECT_OUTSIDE_SPAN",
    "RULES",
    "RULE_NAMES",
    "Rule",
    "SPAN_ALLOC_LIVE",
    "SPAN_BAD_CLASS",
    "SPAN_FREED_WITH_LIVE_OBJECTS",
    "SPAN_FREE_UNKNOWN",
    "SPAN_OVERLAP",
    "STACK_ALLOC_LIVE",
    "STACK_BAD_ORDER",
    "STACK_FREE_UNKNOWN",
    "STACK_OVERLAP",
    "MALLOC_HEADER",
    "GSIGNAL_STACK",
    "NO_BATCHES",
    "SNAPSHOT_RACE",
    "STACKLESS_G",
    "TINY_SUBOBJECT",
    "TRY_ACQUIRE_DROP",
    "TYPE_TOO_LARGE",
    "UNKNOWN_TYPE",
]


@dataclass(frozen=True, slots=True)
class Rule:
    """One named check: what it means and where in the runtime it comes from."""

    name: str
    doc: str
    runtime: str


SPAN_ALLOC_LIVE: Final = "Span:alloc-live"
HEAP_OBJECT_ALLOC_LIVE: Final = "HeapObject:alloc-live"
STACK_ALLOC_LIVE: Final = "GoroutineStack:alloc-live"
SPAN_FREE_UNKNOWN: Final = "Span:free-unknown"
HEAP_OBJECT_FREE_UNKNOWN: Final = "HeapObject:free-unknown"
STACK_FREE_UNKNOWN: Final = "GoroutineStack:free-unknown"
SPAN_FREED_WITH_LIVE_OBJECTS: Final = "Span:freed-with-live-objects"
OBJECT_OUTSIDE_SPAN: Final = "HeapObject:outside-span"
OBJECT_OFF_BOUNDARY: Final = "HeapObject:off-boundary"
TYPE_TOO_LARGE: Final = "HeapObject:type-too-large"
UNKNOWN_TYPE: Final = "HeapObject:unknown-type"
SPAN_OVERLAP: Final = "Span:overlap"
SPAN_BAD_CLASS: Final = "Span:bad-class"
STACK_OVERLAP: Final = "GoroutineStack:overlap"
STACK_BAD_ORDER: Final = "GoroutineStack:bad-order"
LATE_SNAPSHOT: Final = "AllocFree:late-snapshot"
NO_INFO: Final = "AllocFree:no-info"
BAD_BATCH: Final = "AllocFree:bad-batch"

_ALLOC = "traceallocfree.go SpanExists/SpanAlloc 93-100, HeapObjectExists/Alloc 115-124, "
_ALLOC += "GoroutineStackExists/Alloc 137-146"

RULES: Final[tuple[Rule, ...]] = (
    Rule(
        SPAN_ALLOC_LIVE,
        "A Span or SpanAlloc event whose span ID is already live.",
        "mheap.go allocSpan 1418-1423 traces a span once it leaves the page heap; "
        "traceallocfree.go traceSnapshotMemory 55-60 lists each non-dead span once",
    ),
    Rule(
        HEAP_OBJECT_ALLOC_LIVE,
        "A HeapObject or HeapObjectAlloc event whose object ID is already live.",
        "malloc.go postMallocgcDebug 1831-1837 (every mallocgc); traceSnapshotMemory 67-75",
    ),
    Rule(
        STACK_ALLOC_LIVE,
        "A GoroutineStack or GoroutineStackAlloc event whose stack ID is already live.",
        "stack.go stackalloc 432-437; traceSnapshotMemory 79-81",
    ),
    Rule(
        SPAN_FREE_UNKNOWN,
        "A SpanFree event whose span ID is not live.",
        "mheap.go freeSpan 1660-1665 and freeManual 1703-1708",
    ),
    Rule(
        HEAP_OBJECT_FREE_UNKNOWN,
        "A HeapObjectFree event whose object ID is not live.",
        "mgcsweep.go sweep 618-630: an object allocated (index < freeindex or alloc bit set) "
        "and unmarked",
    ),
    Rule(
        STACK_FREE_UNKNOWN,
        "A GoroutineStackFree event whose stack ID is not live.",
        "stack.go stackfree 485-490",
    ),
    Rule(
        SPAN_FREED_WITH_LIVE_OBJECTS,
        "A SpanFree whose address range still holds live objects; those objects die with "
        "the span (they are counted freed).",
        "mgcsweep.go sweep 618-630 frees dead objects before freeSpan (mgcsweep.go, "
        "mheap.go 1657) returns the span",
    ),
    Rule(
        OBJECT_OUTSIDE_SPAN,
        "A heap object whose address is in no live in-use span (or in a manual span).",
        "traceHeapObjectID 132-134; objects are carved from mSpanInUse spans (mcache.go "
        "nextFree, mheap.go allocSpan)",
    ),
    Rule(
        OBJECT_OFF_BOUNDARY,
        "A heap object not on an element boundary of its span, or past its last element.",
        "traceSnapshotMemory 71 (x = s.base() + i*s.elemsize); mgcsweep.go 626-628",
    ),
    Rule(
        TYPE_TOO_LARGE,
        "A heap object whose type (from its generation's type table) is larger than the "
        "element size of its span class.",
        "sizeclasses.go class_to_size; tracetype.go dumpTypesRec 69 writes typ.Size()",
    ),
    Rule(
        UNKNOWN_TYPE,
        "A non-zero type ID missing from the type table of the event's generation.",
        "traceevent.go rtype 98 (typeTab[gen%2].put); trace.go traceAdvance 757 dumps "
        "typeTab[gen%2] for that generation",
    ),
    Rule(
        SPAN_OVERLAP,
        "A span whose pages overlap a live span.",
        "traceSpanID 108-110: span ID = (base - minPageHeapAddr) / pageSize, npages pages",
    ),
    Rule(
        SPAN_BAD_CLASS,
        "An in-use span whose size class is not in the release's size-class table.",
        "traceSpanTypeAndClass 85-90 (spanclass << 1); mheap.go makeSpanClass; "
        "sizeclasses.go _NumSizeClasses",
    ),
    Rule(
        STACK_OVERLAP,
        "A goroutine stack overlapping a live goroutine stack.",
        "traceGoroutineStackID 154-156; stack.go stackalloc hands out disjoint stacks",
    ),
    Rule(
        STACK_BAD_ORDER,
        "A stack order giving no power-of-two size of at least fixedStack: order 0 (an empty "
        "stack), 2^(order-1) < fixedStack, or order > 48.",
        "traceCompressStackSize 159-164 (order = Len64(size)); stack.go stackalloc rounds "
        "to a power of two >= fixedStack",
    ),
    Rule(
        LATE_SNAPSHOT,
        "A snapshot event (Span, HeapObject, GoroutineStack) outside the start of the first "
        "generation: in a later generation, or after an alloc or free event.",
        "trace.go StartTrace 436-439: traceSnapshotMemory runs once, world stopped, in "
        "firstGen",
    ),
    Rule(
        NO_INFO,
        "AllocFree events in a generation while no info batch has been seen, so no ID can be "
        "turned into an address (counted once per such generation).",
        "traceSnapshotMemory 29-46 writes the info batch into firstGen before any event",
    ),
    Rule(
        BAD_BATCH,
        "An AllocFree experimental batch that does not decode (oracle.heap.batches).",
        "traceallocfree.go 16-46; tracetype.go 38-83",
    ),
)

#: The seven basic live-set rules, in the issue's order.
BASIC_RULES: Final = tuple(r.name for r in RULES[:7])
RULE_NAMES: Final = tuple(r.name for r in RULES)

#: Known causes a violation may carry: why the runtime wrote it (see docs/allocfree.md).
TINY_SUBOBJECT: Final = "tiny-subobject"
MALLOC_HEADER: Final = "malloc-header"
TRY_ACQUIRE_DROP: Final = "try-acquire-drop"
NO_BATCHES: Final = "no-batches"
STACKLESS_G: Final = "stackless-g"
SNAPSHOT_RACE: Final = "snapshot-race"
GSIGNAL_STACK: Final = "gsignal-stack"
CAUSES: Final[dict[str, str]] = {
    SNAPSHOT_RACE: (
        "the object was listed by the snapshot, then its HeapObjectAlloc came: mallocgcLarge "
        "releases the M (malloc.go 1757) and zeroes large objects preemptibly "
        "(memclrNoHeapPointersChunked, 1769, 'a possible preemption point') before "
        "postMallocgcDebug traces the allocation (1834), so StartTrace's stop-the-world can "
        "snapshot the object in between (docs/go-findings.md)"
    ),
    GSIGNAL_STACK: (
        "a stack freed by an M with no goroutine: mexit frees the M's signal stack "
        "(proc.go 2028, stackfree(mp.gsignal.stack)); gsignal goroutines are not in allgs, so "
        "an M created before the trace started has a signal stack the snapshot never lists "
        "(heuristic: a GoroutineStackFree of an unknown ID with G = -1)"
    ),
    STACKLESS_G: (
        "the snapshot lists every goroutine (forEachGRace, traceallocfree.go 79-81), also dead "
        "ones whose stack was freed (stack.lo = stack.hi = 0): traceCompressStackSize(0) is 0 "
        "(0 & (0-1) == 0 passes the power-of-two check) and the ID (0 - minPageHeapAddr) / "
        "fixedStack wraps, the same for every such goroutine (docs/go-findings.md)"
    ),
    NO_BATCHES: (
        "the trace carries AllocFree events but no AllocFree batch at all (no info, no type "
        "table); the flight recorder loses them: runtime/trace batch.go readBatch (1.25-1.27) "
        "reads an ExperimentalBatch header without skipping its experiment byte, fails with "
        "'expected complete batch' and the batch is dropped (docs/go-findings.md)"
    ),
    TRY_ACQUIRE_DROP: (
        "Go 1.23 only: span and stack events are written with traceTryAcquire (1.23.9 "
        "mheap.go 1371/1559/1598, stack.go 419/469), which returns !ok when the M already "
        "holds a trace locker, so the alloc or free is silently dropped; 1.24 uses "
        "traceAcquire (docs/go-findings.md)"
    ),
    MALLOC_HEADER: (
        "an object with a malloc header (scan objects > 512 bytes in small size classes): "
        "mallocgcSmallScanHeader returns the slot base + gc.MallocHeaderSize (malloc.go "
        "1640) and postMallocgcDebug traces that address (malloc.go 1834), while sweep "
        "and the snapshot trace the slot base (mgcsweep.go 626, traceallocfree.go 71): the "
        "alloc ID is one more than the free ID (docs/go-findings.md)"
    ),
    TINY_SUBOBJECT: (
        "a tiny allocation packed into an existing 16-byte tiny block: mallocgcTiny returns "
        "c.tiny+off (malloc.go 1273) and postMallocgcDebug traces it (malloc.go 1834), but "
        "sweep frees only whole slots (mgcsweep.go 628)"
    ),
}
