"""Replay of AllocFree events into a model of spans, heap objects and goroutine stacks.

Events are fed in the order the reader yields them (:class:`oracle.parser.reader.Reader`).
Sync events bring each generation's experimental batches: the info batch (first generation
only) fixes how IDs become addresses, the type batches give that generation's type table.
The model keeps plain dicts of ints on the hot path, because the checker must cost little
next to a parse (docs/benchmarks.md):

* ``spans``: span ID -> ``(npages, elemsize, in_use, flags)``; a span ID is its page index from
  ``minPageHeapAddr`` (traceSpanID), so ``pages`` maps every page index to its span ID;
* ``objects``: object ID -> span ID (``-1`` outside every span); an object ID times
  ``minHeapAlign`` is its offset from ``minPageHeapAddr`` (traceHeapObjectID);
* ``stacks``: stack ID -> order; ``stack_units`` maps every ``fixedStack`` unit of a live
  stack to its ID (traceGoroutineStackID), size ``2^(order-1)`` (traceCompressStackSize).

Each violation is counted under its rule (:mod:`oracle.heap.rules`); the first few of each
rule are kept as :class:`Violation` examples.  A violation never stops the replay: the event
is applied anyway (a double alloc replaces the old entry, a free of an unknown ID is
ignored), as a debugger of the allocator would want to see what comes after.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Final, Iterable

from oracle.heap import rules as R
from oracle.heap.batches import ALLOCFREE, AllocFreeBatchError, HeapInfo, TypeRecord, decode_generation
from oracle.heap.sizeclasses import MALLOC_HEADER_SIZE, MIN_SIZE_FOR_MALLOC_HEADER, TINY_SIZE_CLASS, class_to_size
from oracle.parser.event import EV_SYNC, Event
from oracle.parser.tracev2 import EventType

__all__ = [
    "ALLOCFREE_TYPES",
    "RELEVANT_TYPES",
    "HeapReplay",
    "HeapResult",
    "KindStats",
    "Violation",
    "replay_events",
]

_T = EventType
ALLOCFREE_TYPES: Final = frozenset(
    int(t)
    for t in (
        _T.Span, _T.SpanAlloc, _T.SpanFree, _T.HeapObject, _T.HeapObjectAlloc,
        _T.HeapObjectFree, _T.GoroutineStack, _T.GoroutineStackAlloc, _T.GoroutineStackFree,
    )
)  # fmt: skip
_SNAPSHOTS: Final = frozenset((int(_T.Span), int(_T.HeapObject), int(_T.GoroutineStack)))
_HEAP_ALLOC: Final = int(_T.HeapAlloc)
#: The wire types :meth:`HeapReplay.feed` acts on: the AllocFree events (its handlers), Sync
#: and the HeapAlloc metric; every other event only advances the event index.
RELEVANT_TYPES: Final = ALLOCFREE_TYPES | {EV_SYNC, _HEAP_ALLOC}
#: Largest plausible stack order: 2^47 bytes is the whole user address space.
_MAX_STACK_ORDER: Final = 48
_U64: Final = (1 << 64) - 1
#: Intervals longer than this many units are kept in a list, not unit by unit.
BIG_INTERVAL: Final = 4096
#: One live-bytes sample every this many heap-object events (for the plot).
_SAMPLE_EVERY: Final = 64
#: Span flags in the ``spans`` records: a tiny-allocator span, a small scan span.
_TINY_SPAN: Final = 1
_SCAN_SPAN: Final = 2


@dataclass(frozen=True, slots=True)
class Violation:
    """One broken rule at one event: where (index in Reader order, time, M, G) and what."""

    rule: str
    index: int
    time: int
    m: int
    g: int
    event: str
    ids: tuple[int, ...]
    addresses: tuple[int, ...]
    type_name: str | None
    cause: str | None
    detail: str


@dataclass(slots=True)
class KindStats:
    """Allocated, freed and live counts and bytes of one resource kind."""

    allocated: int = 0
    allocated_bytes: int = 0
    freed: int = 0
    freed_bytes: int = 0
    live: int = 0
    live_bytes: int = 0
    snapshot: int = 0


@dataclass(frozen=True, slots=True)
class HeapResult:
    """What a replay found: counts per rule (every rule), examples, and the heap's summary."""

    has_allocfree: bool
    events: int
    allocfree_events: int
    generations: int
    info: HeapInfo | None
    violations: dict[str, int]
    causes: dict[str, dict[str, int]]
    examples: tuple[Violation, ...]
    spans: KindStats
    objects: KindStats
    stacks: KindStats
    top_live_types: tuple[tuple[str, int, int], ...]  # name, live objects, live bytes
    top_alloc_types: tuple[tuple[str, int, int], ...]  # name, allocations, bytes
    live_by_size_class: dict[int, int]
    timeline: tuple[tuple[int, int], ...]  # (time, live object bytes)
    heap_alloc_metric: tuple[tuple[int, int], ...]  # (time, HeapAlloc metric)

    @property
    def total_violations(self) -> int:
        """Violations of every rule together."""
        return sum(self.violations.values())

    @property
    def violated_rules(self) -> tuple[str, ...]:
        """Names of the rules with at least one violation."""
        return tuple(k for k, v in self.violations.items() if v)


class IntervalMap:
    """Which live span (or stack) owns each page (or stack unit).

    Small intervals map every unit in a dict (a lookup is one ``dict.get``); intervals of more
    than :data:`BIG_INTERVAL` units (huge spans, or hostile sizes such as 2^60 pages) are kept
    in a list and scanned, so no input makes the replay loop over its size.
    """

    __slots__ = ("small", "big")

    def __init__(self) -> None:
        self.small: dict[int, int] = {}
        self.big: list[tuple[int, int, int]] = []  # (start, end, owner)

    def get(self, unit: int) -> int:
        """The owner of ``unit``, or -1."""
        o = self.small.get(unit)
        if o is not None:
            return o
        for start, end, owner in self.big:
            if start <= unit < end:
                return owner
        return -1

    def add(self, start: int, n: int, owner: int) -> int:
        """Map ``n`` units from ``start`` to ``owner``; returns an owner it overlapped, or -1."""
        end = start + n
        overlap = -1
        for s0, e0, o in self.big:
            if s0 < end and start < e0:
                overlap = o
                break
        small = self.small
        if n > BIG_INTERVAL:
            if overlap < 0:
                for u, o in small.items():
                    if start <= u < end:
                        overlap = o
                        break
            self.big.append((start, end, owner))
            return overlap
        for u in range(start, end):
            o2 = small.get(u)
            if o2 is not None and overlap < 0:
                overlap = o2
            small[u] = owner
        return overlap

    def remove(self, start: int, n: int, owner: int) -> None:
        """Unmap what ``add(start, n, owner)`` mapped (units since taken by others stay)."""
        if n > BIG_INTERVAL:
            self.big = [b for b in self.big if b != (start, start + n, owner)]
            return
        small = self.small
        for u in range(start, start + n):
            if small.get(u) == owner:
                del small[u]


@dataclass(slots=True)
class HeapReplay:
    """Incremental replay: :meth:`feed` every event in Reader order, then :meth:`finish`."""

    release: str | None = None
    max_examples: int = 5
    top: int = 10
    # --- state (plain ints and dicts) ---
    index: int = -1
    gen: int = 0
    first_gen: int = 0
    seen_dynamic: bool = False
    info: HeapInfo | None = None
    types: dict[int, TypeRecord] = field(default_factory=dict)
    spans: dict[int, tuple[int, int, bool, int]] = field(default_factory=dict)
    pages: IntervalMap = field(default_factory=IntervalMap)
    span_objects: dict[int, set[int]] = field(default_factory=dict)
    span_class: dict[int, int] = field(default_factory=dict)  # in-use span -> size class
    objects: dict[int, int] = field(default_factory=dict)
    object_meta: dict[int, tuple[str, int]] = field(default_factory=dict)  # id -> type, bytes
    flagged: dict[int, str] = field(default_factory=dict)
    snapshot_objects: set[int] = field(default_factory=set)
    stacks: dict[int, int] = field(default_factory=dict)
    stack_units: IntervalMap = field(default_factory=IntervalMap)
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(R.RULE_NAMES, 0))
    causes: dict[str, dict[str, int]] = field(default_factory=dict)
    examples: list[Violation] = field(default_factory=list)
    no_info_gens: set[int] = field(default_factory=set)
    saw_batches: bool = False
    n_allocfree: int = 0
    span_stats: KindStats = field(default_factory=KindStats)
    obj_stats: KindStats = field(default_factory=KindStats)
    stack_stats: KindStats = field(default_factory=KindStats)
    alloc_by_type: dict[str, list[int]] = field(default_factory=dict)
    timeline: list[tuple[int, int]] = field(default_factory=list)
    heap_alloc: list[tuple[int, int]] = field(default_factory=list)
    live_obj_bytes: int = 0
    n_obj_events: int = 0
    last_sampled: int = 0
    sample_step: int = 64 << 10
    _ev: Event | None = None
    _table: tuple[int, ...] = ()
    _handlers: dict[int, Callable[[list[int]], None]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._table = class_to_size(self.release)
        self._handlers = {
            int(_T.Span): self._span,
            int(_T.SpanAlloc): self._span,
            int(_T.SpanFree): self._span_free,
            int(_T.HeapObject): self._object,
            int(_T.HeapObjectAlloc): self._object,
            int(_T.HeapObjectFree): self._object_free,
            int(_T.GoroutineStack): self._stack,
            int(_T.GoroutineStackAlloc): self._stack,
            int(_T.GoroutineStackFree): self._stack_free,
        }

    # ------------------------------------------------------------------ feeding

    def feed(self, ev: Event) -> None:
        """Apply one event (any kind; only Sync, HeapAlloc and AllocFree events matter)."""
        self.index += 1
        base = ev.base
        typ = base.typ
        h = self._handlers.get(typ)
        if h is not None:
            self._ev = ev
            self.n_allocfree += 1
            if typ in _SNAPSHOTS:
                if self.gen != self.first_gen or self.seen_dynamic:
                    self._violate(R.LATE_SNAPSHOT, (base.args[0],), (), None, None, "")
            else:
                self.seen_dynamic = True
            if self.info is None and self.gen not in self.no_info_gens:
                self.no_info_gens.add(self.gen)
                self._violate(R.NO_INFO, (), (), None, self._no_batches(), f"generation {self.gen}")
            h(base.args)
        elif typ == EV_SYNC:
            self._sync(ev)
        elif typ == _HEAP_ALLOC:
            self.heap_alloc.append((base.time, base.args[0]))

    def observe(self, i: int, ev: Event) -> None:
        """:meth:`feed` event number ``i`` (0-based) of a parse that hands over only the events
        of :data:`RELEVANT_TYPES` (the fuzz campaign's parse, shared with the differential):
        the events in between only advance the index, as in :meth:`run`."""
        self.index = i - 1
        self.feed(ev)

    def run(self, events: Iterable[Event]) -> None:
        """:meth:`feed` every event of ``events``, with the common case spelled out.

        Most events of a trace are scheduler events (type < 128, not HeapAlloc): they only
        advance the event index, without a method call each (docs/benchmarks.md).
        """
        feed = self.feed
        heap_alloc = _HEAP_ALLOC
        skipped = 0
        for ev in events:
            typ = ev.base.typ
            if typ < 128 and typ != heap_alloc:
                skipped += 1
                continue
            self.index += skipped
            skipped = 0
            feed(ev)
        self.index += skipped

    def _sync(self, ev: Event) -> None:
        batches = ev.sync().experimental_batches or {}
        self._ev = ev
        self.begin_generation([b.data for b in batches.get(ALLOCFREE, ())])

    def begin_generation(self, data: list[bytes]) -> None:
        """Start a generation whose AllocFree batch bodies are ``data`` (what a Sync brings)."""
        self.gen += 1
        if self.first_gen == 0:
            self.first_gen = self.gen
        self.types = {}
        if not data:
            return
        self.saw_batches = True
        try:
            gd = decode_generation(self.gen, data)
        except AllocFreeBatchError as e:
            self._violate(R.BAD_BATCH, (), (), None, None, e.message)
            return
        if gd.info is not None:
            self.info = gd.info
        self.types = gd.type_table()

    # ------------------------------------------------------------------ violations

    def _violate(
        self,
        rule: str,
        ids: tuple[int, ...],
        addrs: tuple[int, ...],
        type_name: str | None,
        cause: str | None,
        detail: str,
    ) -> None:
        self.counts[rule] += 1
        if cause is not None:
            c = self.causes.setdefault(rule, {})
            c[cause] = c.get(cause, 0) + 1
        if sum(1 for v in self.examples if v.rule == rule) < self.max_examples:
            ev = self._ev
            if ev is None:
                when, m, g, name = 0, -1, -1, "Sync"
            else:
                when, m, g = ev.time, ev.thread, ev.goroutine
                name = "Sync" if ev.base.typ == EV_SYNC else EventType(ev.base.typ).name
            self.examples.append(
                Violation(rule, self.index, when, m, g, name, ids, addrs, type_name, cause, detail)
            )

    def _no_batches(self) -> str | None:
        return None if self.saw_batches else R.NO_BATCHES

    def _drop_cause(self) -> str | None:
        """Go 1.23 traced spans and stacks with traceTryAcquire, which drops reentrant events."""
        return R.TRY_ACQUIRE_DROP if self.release == "1.23" else None

    def _addr(self, id_: int, unit: int) -> tuple[int, ...]:
        info = self.info
        # Addresses are uintptr: the runtime's ID arithmetic wraps (see STACKLESS_G).
        return () if info is None else ((info.min_page_heap_addr + id_ * unit) & _U64,)

    # ------------------------------------------------------------------ spans

    def _span(self, args: list[int]) -> None:
        id_, npages, kc = args[0], args[1], args[2]
        info = self.info
        psize = info.page_size if info is not None else 0
        if id_ in self.spans:
            self._violate(R.SPAN_ALLOC_LIVE, (id_,), self._addr(id_, psize), None,
                          self._drop_cause(), "")  # fmt: skip
            self._drop_span(id_, counted=False)
        in_use = kc & 1 == 0
        flags = 0
        elem = npages * psize
        if in_use:
            sc = kc >> 2
            noscan = kc & 2 != 0
            if sc == TINY_SIZE_CLASS and noscan:
                flags = _TINY_SPAN
            elif not noscan and sc != 0:
                flags = _SCAN_SPAN
            if sc >= len(self._table):
                self._violate(R.SPAN_BAD_CLASS, (id_,), self._addr(id_, psize), None, None,
                              f"size class {sc}")  # fmt: skip
            elif sc != 0:
                elem = self._table[sc]
        overlap = self.pages.add(id_, npages, id_)
        if overlap >= 0:
            self._violate(R.SPAN_OVERLAP, (id_, overlap), self._addr(id_, psize), None, None,
                          f"{npages} pages overlap span {overlap}")  # fmt: skip
        self.spans[id_] = (npages, elem, in_use, flags)
        if in_use:
            self.span_class[id_] = kc >> 2
        st = self.span_stats
        if self._ev is not None and self._ev.base.typ == _T.Span:
            st.snapshot += 1
        else:
            st.allocated += 1
            st.allocated_bytes += npages * psize
        st.live += 1
        st.live_bytes += npages * psize

    def _drop_span(self, id_: int, *, counted: bool) -> None:
        npages = self.spans.pop(id_)[0]
        self.span_class.pop(id_, None)
        self.pages.remove(id_, npages, id_)
        info = self.info
        nbytes = npages * (info.page_size if info is not None else 0)
        st = self.span_stats
        st.live -= 1
        st.live_bytes -= nbytes
        if counted:
            st.freed += 1
            st.freed_bytes += nbytes

    def _span_free(self, args: list[int]) -> None:
        id_ = args[0]
        psize = self.info.page_size if self.info is not None else 0
        if id_ not in self.spans:
            self._violate(R.SPAN_FREE_UNKNOWN, (id_,), self._addr(id_, psize), None,
                          self._drop_cause(), "")  # fmt: skip
            return
        objs = self.span_objects.pop(id_, None)
        if objs:
            first = min(objs)
            align = self.info.min_heap_align if self.info is not None else 0
            fl = self.flagged
            why = {fl.get(o) for o in objs}
            self._violate(
                R.SPAN_FREED_WITH_LIVE_OBJECTS, (id_, first), self._addr(id_, psize),
                self.object_meta.get(first, ("", 0))[0], "+".join(sorted(why)) if None not in why else None,  # type: ignore[arg-type]
                f"{len(objs)} live objects die with the span; first at "
                f"{self._addr(first, align)[0]:#x}" if self.info is not None else "",
            )  # fmt: skip
            for o in objs:
                self._kill_object(o)
        self._drop_span(id_, counted=True)

    # ------------------------------------------------------------------ objects

    def _object(self, args: list[int]) -> None:
        id_, typ = args[0], args[1]
        info = self.info
        rec = self.types.get(typ) if typ else None
        tname = rec.name if rec is not None else ("<no type>" if typ == 0 else f"<type {typ}>")
        objects = self.objects
        span_id = -1
        elem = 0
        cause: str | None = None
        addr: tuple[int, ...] = ()
        if info is not None:
            off = id_ * info.min_heap_align
            pages = self.pages
            span_id = pages.small.get(off // info.page_size, -1)
            if span_id < 0 and pages.big:
                span_id = pages.get(off // info.page_size)
            sp = self.spans.get(span_id) if span_id >= 0 else None
            addr = ((info.min_page_heap_addr + off) & _U64,)
            if sp is None or not sp[2]:
                self._violate(R.OBJECT_OUTSIDE_SPAN, (id_,), addr, tname, None,
                              "in a manual (non-heap) span" if sp is not None else "")  # fmt: skip
                span_id = -1
            else:
                npages, elem, _, flags = sp
                rel = off - span_id * info.page_size
                span_bytes = npages * info.page_size
                if flags == _TINY_SPAN:
                    cause = R.TINY_SUBOBJECT
                elif (flags == _SCAN_SPAN and elem > MIN_SIZE_FOR_MALLOC_HEADER
                      and rel % elem == MALLOC_HEADER_SIZE):  # fmt: skip
                    cause = R.MALLOC_HEADER
                if rel % elem != 0 or rel + elem > span_bytes:
                    self._violate(R.OBJECT_OFF_BOUNDARY, (id_, span_id), addr, tname, cause,
                                  f"offset {rel} in span of element size {elem}")  # fmt: skip
                    if cause is not None:
                        self.flagged[id_] = cause
                else:
                    cause = cause if cause == R.TINY_SUBOBJECT else None
                if rec is not None and rec.size > elem:
                    self._violate(R.TYPE_TOO_LARGE, (id_, typ), addr, tname, None,
                                  f"type size {rec.size} > element size {elem}")  # fmt: skip
        if typ != 0 and rec is None:
            self._violate(R.UNKNOWN_TYPE, (id_, typ), addr, tname, self._no_batches(),
                          f"type ID {typ} not in generation {self.gen}'s table")  # fmt: skip
        ev = self._ev
        is_snapshot = ev is not None and ev.base.typ == _T.HeapObject
        if id_ in objects:
            prev = self.flagged.get(id_)
            if prev != R.MALLOC_HEADER and not is_snapshot and id_ in self.snapshot_objects:
                prev = R.SNAPSHOT_RACE  # listed by the snapshot, its alloc event written after
            self._violate(R.HEAP_OBJECT_ALLOC_LIVE, (id_,), addr, tname,
                          prev if prev in (R.MALLOC_HEADER, R.SNAPSHOT_RACE) else cause, "")  # fmt: skip
            self._kill_object(id_)
            if cause is not None and id_ not in self.flagged:
                self.flagged[id_] = cause
        objects[id_] = span_id
        if span_id >= 0:
            so = self.span_objects.get(span_id)
            if so is None:
                so = self.span_objects[span_id] = set()
            so.add(id_)
        self.object_meta[id_] = (tname, elem)
        st = self.obj_stats
        if is_snapshot:
            self.snapshot_objects.add(id_)
            st.snapshot += 1
        else:
            st.allocated += 1
            st.allocated_bytes += elem
            a = self.alloc_by_type.get(tname)
            if a is None:
                self.alloc_by_type[tname] = [1, elem]
            else:
                a[0] += 1
                a[1] += elem
        st.live += 1
        st.live_bytes += elem
        self.live_obj_bytes += elem
        self._sample()

    def _sample(self) -> None:
        """A (time, live bytes) point for the plot: every _SAMPLE_EVERY-th object alloc or
        free, and whenever live bytes moved by 1/64 (at least 64 KiB) since the last point, so
        that a single large object shows."""
        self.n_obj_events += 1
        live = self.live_obj_bytes
        d = live - self.last_sampled
        if (self.n_obj_events % _SAMPLE_EVERY == 0 or d > self.sample_step or -d > self.sample_step) \
                and self._ev is not None:
            self.timeline.append((self._ev.time, live))
            self.last_sampled = live
            self.sample_step = max(64 << 10, live >> 6)

    def _kill_object(self, id_: int) -> int:
        span_id = self.objects.pop(id_)
        if span_id >= 0:
            so = self.span_objects.get(span_id)
            if so is not None:
                so.discard(id_)
        nbytes = self.object_meta.pop(id_)[1]
        if self.flagged:
            self.flagged.pop(id_, None)
        if self.snapshot_objects:
            self.snapshot_objects.discard(id_)
        st = self.obj_stats
        st.live -= 1
        st.live_bytes -= nbytes
        st.freed += 1
        st.freed_bytes += nbytes
        self.live_obj_bytes -= nbytes
        self._sample()
        return nbytes

    def _object_free(self, args: list[int]) -> None:
        id_ = args[0]
        if id_ not in self.objects:
            align = self.info.min_heap_align if self.info is not None else 0
            # The slot-base free of a malloc-header object traced at base+8 (one ID up).
            nxt = id_ + MALLOC_HEADER_SIZE // align if align else id_ + 1
            cause = None
            if nxt in self.objects and (self.info is None or self.flagged.get(nxt) == R.MALLOC_HEADER):
                cause = R.MALLOC_HEADER
                self.flagged[nxt] = R.MALLOC_HEADER
            self._violate(R.HEAP_OBJECT_FREE_UNKNOWN, (id_,), self._addr(id_, align),
                          self.object_meta[nxt][0] if cause else None, cause, "")  # fmt: skip
            return
        self._kill_object(id_)

    # ------------------------------------------------------------------ stacks

    def _stack(self, args: list[int]) -> None:
        id_, order = args[0], args[1]
        info = self.info
        fixed = info.fixed_stack if info is not None else 0
        addr = self._addr(id_, fixed)
        size = 1 << (order - 1) if 0 < order <= _MAX_STACK_ORDER else 0
        # A snapshot of a goroutine without a stack (stack.lo = hi = 0): order 0, address 0.
        stackless = order == 0 and addr == (0,) and self._ev is not None and self._ev.base.typ == _T.GoroutineStack
        if size == 0 or (info is not None and size < fixed):
            self._violate(R.STACK_BAD_ORDER, (id_,), addr, None,
                          R.STACKLESS_G if stackless else None, f"order {order}")  # fmt: skip
        if id_ in self.stacks:
            self._violate(R.STACK_ALLOC_LIVE, (id_,), addr, None,
                          R.STACKLESS_G if stackless and self.stacks[id_] == 0 else self._drop_cause(), "")  # fmt: skip
            self._drop_stack(id_, counted=False)
        units = max(1, size // fixed) if fixed and size else 1
        overlap = self.stack_units.add(id_, units, id_)
        if overlap >= 0:
            self._violate(R.STACK_OVERLAP, (id_, overlap), addr, None, None,
                          f"{size} bytes overlap stack {overlap}")  # fmt: skip
        self.stacks[id_] = order
        st = self.stack_stats
        if self._ev is not None and self._ev.base.typ == _T.GoroutineStack:
            st.snapshot += 1
        else:
            st.allocated += 1
            st.allocated_bytes += size
        st.live += 1
        st.live_bytes += size

    def _drop_stack(self, id_: int, *, counted: bool) -> None:
        order = self.stacks.pop(id_)
        size = 1 << (order - 1) if 0 < order <= _MAX_STACK_ORDER else 0
        fixed = self.info.fixed_stack if self.info is not None else 0
        units = max(1, size // fixed) if fixed and size else 1
        self.stack_units.remove(id_, units, id_)
        st = self.stack_stats
        st.live -= 1
        st.live_bytes -= size
        if counted:
            st.freed += 1
            st.freed_bytes += size

    def _stack_free(self, args: list[int]) -> None:
        id_ = args[0]
        if id_ not in self.stacks:
            fixed = self.info.fixed_stack if self.info is not None else 0
            cause = self._drop_cause()
            if cause is None and self._ev is not None and self._ev.goroutine == -1:
                cause = R.GSIGNAL_STACK  # mexit frees its gsignal stack, never in the snapshot
            self._violate(R.STACK_FREE_UNKNOWN, (id_,), self._addr(id_, fixed), None, cause, "")
            return
        self._drop_stack(id_, counted=True)

    # ------------------------------------------------------------------ result

    @property
    def has_allocfree(self) -> bool:
        """Whether the events so far had AllocFree content (events, or a Sync's batches)."""
        return self.n_allocfree > 0 or self.info is not None

    def finish(self) -> HeapResult:
        """The result so far (the replay may go on being fed afterwards)."""
        live_types: dict[str, list[int]] = {}
        by_class: dict[int, int] = {}
        for oid, (name, nbytes) in self.object_meta.items():
            lt = live_types.get(name)
            if lt is None:
                live_types[name] = [1, nbytes]
            else:
                lt[0] += 1
                lt[1] += nbytes
            sc = self.span_class.get(self.objects[oid], -1)  # -1: outside every span
            by_class[sc] = by_class.get(sc, 0) + nbytes
        top_live = sorted(live_types.items(), key=lambda kv: (-kv[1][1], kv[0]))[: self.top]
        top_alloc = sorted(self.alloc_by_type.items(), key=lambda kv: (-kv[1][0], kv[0]))[: self.top]
        return HeapResult(
            has_allocfree=self.has_allocfree,
            events=self.index + 1,
            allocfree_events=self.n_allocfree,
            generations=self.gen,
            info=self.info,
            violations=dict(self.counts),
            causes={k: dict(v) for k, v in self.causes.items()},
            examples=tuple(sorted(self.examples, key=lambda v: (R.RULE_NAMES.index(v.rule), v.index))),
            spans=_copy(self.span_stats),
            objects=_copy(self.obj_stats),
            stacks=_copy(self.stack_stats),
            top_live_types=tuple((n, c, b) for n, (c, b) in top_live),
            top_alloc_types=tuple((n, c, b) for n, (c, b) in top_alloc),
            live_by_size_class=dict(sorted(by_class.items())),
            timeline=tuple(self.timeline)
            + (((self._ev.time, self.live_obj_bytes),) if self._ev is not None else ()),
            heap_alloc_metric=tuple(self.heap_alloc),
        )


def _copy(s: KindStats) -> KindStats:
    return KindStats(s.allocated, s.allocated_bytes, s.freed, s.freed_bytes, s.live, s.live_bytes,
                     s.snapshot)  # fmt: skip


def replay_events(events: Iterable[Event], *, release: str | None = None, max_examples: int = 5,
                  top: int = 10) -> HeapResult:  # fmt: skip
    """Replay a whole event sequence (Reader order) and return the result."""
    r = HeapReplay(release=release, max_examples=max_examples, top=top)
    r.run(events)
    return r.finish()
