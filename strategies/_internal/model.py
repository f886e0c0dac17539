"""A forward simulation of Ms, Ps and Gs that emits only legal trace events.

Theory of operation
-------------------
The model mirrors what the Go runtime's tracer writes (``runtime/trace*.go``), reduced to the
states the parser tracks (``internal/trace/order.go``):

* an **M** (thread) may hold a P and a G;
* a **P** is ``idle``, ``running`` (held by an M), ``syscall`` (held by an M whose G is in a
  syscall) or ``abandoned`` (its M left Go while in a syscall);
* a **G** is ``runnable``, ``running`` or ``syscall`` (on an M), or ``waiting``;
* plus the GC cycle and its sequence number, in-flight ranges (STW, mark assists on Gs,
  sweeps on Ps), user tasks and per-G region stacks, and the AllocFree heap.

Each *step* picks an M, lists the actions legal for that M's current state (the table in
:meth:`Model._actions`), and performs one.  An action updates the state and appends events to
that M's event list in the current generation, each with an absolute timestamp from one
global clock.  Because the clock only moves forward, Go's reader (a min-heap over the Ms'
next events) meets the events in exactly the order the model made them, which the model knows
to be legal.

Two deliberate departures from "one strictly increasing clock" exercise the reader's harder
paths without making a trace illegal:

* **Ties** (feature ``ties``): consecutive events on different Ms may share a timestamp, when
  the later one either touches none of the resources (G, P, M, GC, task) the earlier ones
  touched, so the two commute, or is *gated* on every shared resource (a sequence number or
  state the parser waits for, such as ``GoStart`` after ``GoUnblock``), so the parser's
  "not ready, try the next M" path puts them back in order.  Ties are only used with at most
  12 Ms, where Go's frontier sort is a stable insertion sort.
* **Lazy statuses** (feature ``lazy_status``): after the first generation, the runtime only
  writes a G's or P's status event when it first touches it in the new generation; the model
  can do the same, emitting the status right before the first event whose sequence number
  needs it.  Otherwise all statuses are written at the start of each generation.

Generation boundaries follow ``traceAdvance``: the sync batch (or the lone Frequency batch
before Go 1.25), status events (which reset sequence numbers), ``*Active`` events for ranges
and GC cycles that are in flight, per-generation string and stack tables built by interning
(``testgen``'s ``Generation.String``/``Stack``), CPU samples, AllocFree info and type tables,
and ``EndOfGeneration`` for Go 1.26.  Feature ``empty_batches`` adds an event batch with no
events for an otherwise idle M, which the reader must skip.  STW ranges are closed before a generation ends: an
``STWEnd`` whose begin is in an earlier generation makes Go's ``Range()`` panic
(docs/go-findings.md, finding 3), which valid traces must not trigger.

Every decision comes from a :class:`~strategies._internal.choices.Chooser`, phrased so that the
smallest answer is the simplest trace; the swarm :class:`FeatureFlags` decide which kinds of
events an example may contain at all.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Final

from oracle.parser.tracev2 import (
    ALLOC_FREE,
    MAX_BATCH_SIZE,
    MAX_EVENT_TRAILER_DATA_SIZE,
    EventType,
    GoStatus,
    ProcStatus,
)
from oracle.parser.uvarint import put_uvarint
from oracle.parser.version import Version

from strategies._internal.builder import (
    END_OF_GENERATION,
    NO_THREAD,
    Batch,
    Ev,
    Expectation,
    Item,
    Trace,
)
from strategies._internal.choices import Chooser
from strategies._internal.featureflags import FeatureFlags

__all__ = ["FEATURES", "FREQUENCY", "Model", "ModelParams", "build_trace"]

E = EventType

#: The runtime's trace clock rate on most platforms: 64 ns per tick.
FREQUENCY: Final = 15625000

#: Swarm features the model understands (each example enables a random subset).
FEATURES: Final[tuple[str, ...]] = (
    "create", "block", "stop", "destroy", "syscalls", "steal", "self_steal", "cgo", "coro",
    "gc", "sweep", "assist", "stw", "heap", "procs_change", "labels", "tasks", "regions",
    "logs", "cpu_samples", "stacks", "status_stack", "ties", "lazy_status", "split_batches",
    "shuffle_batches", "nothread_status", "initial_world", "grow_procs", "odd_frequency",
    "split_sync", "gen_gaps", "sparse_ids", "allocfree", "batch_time_slack", "region_end_unknown",
    "task_end_unknown", "big_tables", "empty_batches",
)

# Model states (strings keep examples readable in failure output).
IDLE, RUNNING, SYSCALL, ABANDONED = "idle", "running", "syscall", "abandoned"
RUNNABLE, WAITING = "runnable", "waiting"

_FUNCS: Final[tuple[tuple[str, str], ...]] = (
    ("main.main", "/src/main.go"),
    ("main.worker", "/src/main.go"),
    ("main.(*server).handle", "/src/server.go"),
    ("runtime.gopark", "/goroot/src/runtime/proc.go"),
    ("runtime.chanrecv1", "/goroot/src/runtime/chan.go"),
    ("runtime.selectgo", "/goroot/src/runtime/select.go"),
    ("syscall.Syscall", "/goroot/src/syscall/syscall_linux.go"),
    ("runtime.mallocgc", "/goroot/src/runtime/malloc.go"),
    ("runtime.gcBgMarkWorker", "/goroot/src/runtime/mgc.go"),
    ("sync.(*Mutex).Lock", "/goroot/src/sync/mutex.go"),
    ("net/http.(*conn).serve", "/goroot/src/net/http/server.go"),
    ("runtime/trace.(*Task).End", "/goroot/src/runtime/trace/annotation.go"),
)
_BLOCK_REASONS: Final = ("chan receive", "select", "sleep", "sync", "network", "GC background sweeper wait",
                         "system goroutine wait", "forever", "chan send", "wait for debug call")
_STOP_REASONS: Final = ("preempted", "yield", "")
_STW_KINDS: Final = ("GC mark termination", "GC sweep termination", "GOMAXPROCS", "start trace",
                     "read mem stats", "goroutine profile")
_LABELS: Final = ("GC (dedicated)", "GC (fractional)", "GC (idle)", "label", "")
_TASK_NAMES: Final = ("request", "batch job", "tâche", "")
_REGION_NAMES: Final = ("decode", "encode", "db query", "")
_LOG_KEYS: Final = ("category", "", "http")
_LOG_VALUES: Final = ("hello", "", "multi\nline", "\u2028quoted\"")
_TYPE_NAMES: Final = ("main.node", "[]uint8", "runtime.g", "*main.T", "map.bucket[string]int")

#: AllocFree info batch values (1.27/linux-amd64 shape).
_MIN_PAGE_HEAP_ADDR: Final = 0xC000000000
_PAGE_SIZE: Final = 8192
_MIN_HEAP_ALIGN: Final = 8
_FIXED_STACK: Final = 2048
#: The first byte of an AllocFree experimental batch (runtime/traceallocfree.go).
_ALLOC_FREE_TYPES_BATCH: Final = 0
_ALLOC_FREE_INFO_BATCH: Final = 1

# Batch assembly (:meth:`Model._assemble`).
#: Chance that an event starts a new batch of its M (feature ``split_batches``).
_SPLIT_BATCH_CHANCE: Final = 0.08
#: How far before its first event a batch's base time may lie (feature ``batch_time_slack``);
#: without the feature it is one tick before.
_MAX_BATCH_TIME_SLACK: Final = 3
#: Table batches (stacks, strings) are split once their estimated size passes this: a quarter
#: of ``MaxBatchSize``, so that the estimate below, an upper bound, can never reach the limit.
_TABLE_BATCH_SPLIT: Final = MAX_BATCH_SIZE // 4
#: Upper bound on the uvarint bytes of a table argument (IDs, PCs, lines: all below 2**28).
_ARG_BYTES_BOUND: Final = 4
#: Estimated bytes of a ``Stack`` event beyond its arguments (type byte, and one spare).
_STACK_OVERHEAD: Final = 2
#: Upper bound on the bytes of a ``String`` event beyond its data: type byte, ID, and the
#: length (at most ``MaxEventTrailerDataSize``, so at most 2 bytes; one spare).
_STRING_OVERHEAD: Final = 1 + _ARG_BYTES_BOUND + 3
#: Plausible readings for the ``ClockSnapshot`` of a Go 1.25+ sync batch: a monotonic clock
#: in nanoseconds that advances with the trace's ticks at the default :data:`FREQUENCY`, and a
#: wall clock (Unix seconds in 2026, one second per generation, a fixed or drawn nanosecond).
_CLOCK_MONO_BASE: Final = 887436309391
_CLOCK_SEC_BASE: Final = 1795631794
_CLOCK_NSEC: Final = 720477562
_NS_PER_TICK: Final = 1_000_000_000 // FREQUENCY
#: The largest time delta of a ``ClockSnapshot`` from its sync batch's base time.
_MAX_CLOCK_DT: Final = 50
#: Element sizes of the size classes the model uses (runtime/sizeclasses.go class_to_size,
#: the same in 1.23-1.27; tests/strategies/test_heap_model.py compares them with
#: oracle.heap.sizeclasses).  Class 1 (8 bytes) is left out so that an object ID + 1 is
#: never an element boundary (the off-boundary mutation relies on it); 0 is a large span.
_CLASS_TO_SIZE: Final[dict[int, int]] = {2: 16, 3: 24, 4: 32, 5: 48, 6: 64, 10: 128, 18: 256, 32: 1024}
_SIZE_CLASSES: Final = (0, *_CLASS_TO_SIZE)
#: First stack ID (in fixedStack units): stacks get their own address range.
_STACK_REGION: Final = 1 << 24
#: The resource every heap event touches, so that heap events never share a timestamp.
_HEAP_RES: Final = frozenset({("HEAP", 0)})


@dataclass(frozen=True, slots=True)
class ModelParams:
    """Bounds for one generated trace (validated by the public strategies)."""

    version: Version = Version.Go126
    max_ms: int = 3
    max_ps: int = 3
    max_gs: int = 6
    max_generations: int = 3
    max_events: int = 120  # steps per generation
    allocfree: bool | None = None  # None: a swarm feature
    features: frozenset[str] | None = None  # None: all of FEATURES may be enabled
    min_generations: int = 1
    min_events: int = 0


@dataclass(slots=True)
class MState:
    """A thread: the P and G it holds (``None`` when it holds none)."""

    id: int
    p: int | None = None
    g: int | None = None


@dataclass(slots=True)
class PState:
    """A P as the parser sees it, plus its holder and status-emission bookkeeping."""

    id: int
    status: str = IDLE
    seq: int = 0
    m: int | None = None
    sweeping: bool = False
    status_gen: int = -1


@dataclass(slots=True)
class GState:
    """A goroutine: status, sequence number, M, ranges and regions."""

    id: int
    status: str = RUNNABLE
    seq: int = 0
    m: int | None = None
    cgo: bool = False
    stw: bool = False
    assist: bool = False
    regions: list[tuple[int, str]] = field(default_factory=list)
    status_gen: int = -1


class _GenTables:
    """Per-generation string and stack tables, filled by interning (testgen style)."""

    __slots__ = ("strings", "stacks", "next_string", "next_stack", "sparse", "ch", "types", "pcs")

    def __init__(self, ch: Chooser, sparse: bool) -> None:
        self.strings: dict[bytes, int] = {}
        self.stacks: dict[tuple[tuple[int, int, int, int], ...], int] = {}
        self.next_string = 1
        self.next_stack = 1
        self.sparse = sparse
        self.ch = ch
        self.types: dict[int, int] = {}  # type address -> per-generation type ID
        self.pcs: set[int] = set()

    def string(self, s: str | bytes) -> int:
        """The ID of ``s`` in this generation (0 for the empty string)."""
        b = s.encode() if isinstance(s, str) else s
        if not b:
            return 0
        sid = self.strings.get(b)
        if sid is None:
            sid = self.next_string
            self.next_string += self.ch.int(1, 3) if self.sparse else 1
            self.strings[b] = sid
        return sid

    def stack(self, frames: tuple[tuple[int, str, str, int], ...]) -> int:
        """The ID of a stack given as (pc, func, file, line) frames (0 when empty)."""
        if not frames:
            return 0
        key = tuple((pc, self.string(fn), self.string(fl), line) for pc, fn, fl, line in frames)
        sid = self.stacks.get(key)
        if sid is None:
            sid = self.next_stack
            self.next_stack += self.ch.int(1, 3) if self.sparse else 1
            self.stacks[key] = sid
        return sid


_PSTATUS: Final = {IDLE: ProcStatus.Idle, RUNNING: ProcStatus.Running, SYSCALL: ProcStatus.Syscall,
                   ABANDONED: ProcStatus.SyscallAbandoned}
_GSTATUS: Final = {RUNNABLE: GoStatus.Runnable, RUNNING: GoStatus.Running, SYSCALL: GoStatus.Syscall,
                   WAITING: GoStatus.Waiting}

#: Resource keys for tie checks.
Res = tuple[str, int]


class Model:
    """The simulation.  Construct, then call :meth:`run` to get a :class:`Trace`."""

    def __init__(self, ch: Chooser, params: ModelParams) -> None:
        self.ch = ch
        self.params = params
        v = params.version
        off: set[str] = set()
        if params.features is not None:
            off |= set(FEATURES) - params.features
        if v < Version.Go123:
            off |= {"coro", "status_stack", "allocfree"}
        if v < Version.Go125:
            off.add("split_sync")
        if v < Version.Go126:
            off.add("gen_gaps")
        if params.allocfree is False:
            off.add("allocfree")
        self.flags = FeatureFlags(ch, forced_off=off)
        self.version = v
        self.allocfree = (params.allocfree is True and v >= Version.Go123) or self.on("allocfree")
        self.counts: Counter[str] = Counter()

        self.ms: list[MState] = []
        self.ps: dict[int, PState] = {}
        self.gs: dict[int, GState] = {}
        self.next_g = 1
        self.next_p = 0
        self.next_task = 1
        self.tasks: dict[int, int] = {}  # active task -> parent
        self.gc = "undetermined"  # or "running" / "off"
        self.gc_seq = 0
        self.gc_seen = False  # any GC event in the initial generation yet

        self.now = 1000 + ch.int(0, 1000)
        self.gen = 0
        self.gen_index = 0
        self.tables = _GenTables(ch, False)
        self.events: dict[int, list[tuple[int, Ev]]] = {}
        self.m_order: list[int] = []
        self.last_m_time: dict[int, int] = {}
        self.tie_group: list[tuple[int, frozenset[Res]]] = []
        self.tie_ok = False
        self.items: list[Item] = []
        self.samples: list[tuple[int, int, int, int, int]] = []

        # Stacks: a small pool of frame lists, drawn once per trace, shared by all gens.
        self.stack_pool: list[tuple[tuple[int, str, str, int], ...]] = [()]
        if self.on("stacks"):
            for _ in range(ch.int(1, 5)):
                depth = ch.int(1, 4)
                frames = []
                for _ in range(depth):
                    fi = ch.int(0, len(_FUNCS) - 1)
                    fn, fl = _FUNCS[fi]
                    # One PC per function keeps per-PC frame info consistent (Go dedupes it).
                    frames.append((0x401000 + 0x40 * fi, fn, fl, 10 + fi))
                self.stack_pool.append(tuple(frames))
            if self.on("big_tables") and ch.chance(0.1):
                big = tuple((0x500000 + 0x40 * i, f"f{i}", "/big.go", i) for i in range(128))
                self.stack_pool.append(big)
        # AllocFree heap.
        # A consistent heap (oracle.heap's rules, docs/allocfree.md): spans are carved from a
        # bump page allocator (span ID = page index), objects sit on element boundaries of
        # in-use spans, stacks come from their own region; all heap events touch one resource
        # so that they never tie (ties may reorder them).
        self.spans: dict[int, tuple[int, int, int]] = {}  # id -> npages, kindclass, elemsize
        self.span_slots: dict[int, set[int]] = {}  # in-use span -> used slot indexes
        self.objects: dict[int, int] = {}  # object ID -> span ID
        self.gstacks: dict[int, int] = {}  # stack ID -> order
        self.next_page = 16
        self.next_stack_unit = _STACK_REGION
        self.heap_started = False
        self.types_global: list[tuple[int, int, int, str]] = [
            (0x4A0000 + 0x20 * i, 8 << i, (8 << i) // 2, n) for i, n in enumerate(_TYPE_NAMES)
        ]

    # --- small helpers ------------------------------------------------------------------

    def on(self, feature: str) -> bool:
        """Whether the swarm feature is enabled for this example."""
        return self.flags.is_enabled(feature)

    def stack(self) -> int:
        """A stack ID for an event (0 most often)."""
        if len(self.stack_pool) == 1:
            return 0
        return self.tables.stack(self.stack_pool[self.ch.int(0, len(self.stack_pool) - 1)])

    def string(self, options: tuple[str, ...]) -> int:
        """The ID of one of ``options`` (drawn) in this generation's string table."""
        return self.tables.string(options[self.ch.int(0, len(options) - 1)])

    def emit(self, m: int, typ: EventType, args: list[int], res: frozenset[Res] = frozenset(),
             gated: frozenset[Res] = frozenset()) -> None:
        """Append one event of type ``typ`` (``args`` without ``dt``) to M ``m``.

        ``res`` are the resources the event touches besides its M and the M's P and G;
        ``gated`` those on which the parser makes it wait (see the module notes on ties).
        """
        ms = self._m(m) if m != NO_THREAD else None
        touched: set[Res] = set(res)
        touched.add(("M", m))
        if ms is not None:
            if ms.p is not None:
                touched.add(("P", ms.p))
            if ms.g is not None:
                touched.add(("G", ms.g))
        fres = frozenset(touched)
        t = self.now
        tie = False
        if self.tie_ok and self.tie_group and self.ch.chance(0.3):
            tie = all(m2 != m and (fres & r2) <= gated for m2, r2 in self.tie_group)
        if tie:
            self.tie_group.append((m, fres))
        else:
            t = self.now = self.now + (1 if not self._varied_dt else self.ch.pick(_DTS))
            self.tie_group = [(m, fres)]
        lst = self.events.get(m)
        if lst is None:
            lst = self.events[m] = []
            self.m_order.append(m)
        lst.append((t, Ev(int(typ), [0, *args])))
        self.counts[typ.name] += 1

    def _m(self, mid: int) -> MState:
        for ms in self.ms:
            if ms.id == mid:
                return ms
        raise KeyError(mid)

    # --- status events ------------------------------------------------------------------

    def p_status(self, m: int, p: PState, status: str | None = None) -> None:
        """Emit ``ProcStatus`` for ``p`` on M ``m`` and reset its sequence number."""
        st = _PSTATUS[status or p.status]
        self.emit(m, E.ProcStatus, [p.id, int(st)], frozenset({("P", p.id)}))
        p.seq = 0
        p.status_gen = self.gen

    def g_status(self, m: int, g: GState) -> None:
        """Emit ``GoStatus`` (or ``GoStatusStack``) for ``g`` on M ``m``."""
        gm = g.m if g.status in (RUNNING, SYSCALL) and g.m is not None else NO_THREAD
        res: set[Res] = {("G", g.id)}
        if g.status == SYSCALL and g.m is not None:
            res.add(("M", g.m))
        if self.on("status_stack") and g.status != RUNNING and self.ch.chance(0.5):
            self.emit(m, E.GoStatusStack, [g.id, gm, int(_GSTATUS[g.status]), self.stack()], frozenset(res))
        else:
            self.emit(m, E.GoStatus, [g.id, gm, int(_GSTATUS[g.status])], frozenset(res))
        g.seq = 0
        g.status_gen = self.gen

    def need_p(self, m: int, p: PState) -> None:
        """Lazy mode: make sure ``p`` has a status in this generation before a seq event."""
        if p.status_gen == self.gen:
            return
        if p.status == SYSCALL and p.m != m:
            # Another M talks about a P in a syscall: the runtime writes SyscallAbandoned,
            # which the parser promotes (and attributes to the holder M).
            self.emit(m, E.ProcStatus, [p.id, int(ProcStatus.SyscallAbandoned)],
                      frozenset({("P", p.id), ("M", p.m if p.m is not None else -1)}))
            p.seq = 0
            p.status_gen = self.gen
            return
        self.p_status(m, p)

    def need_g(self, m: int, g: GState) -> None:
        """Lazy mode: make sure ``g`` has a status in this generation before a seq event."""
        if g.status_gen != self.gen:
            self.g_status(m, g)

    # --- the run ------------------------------------------------------------------------

    def run(self) -> Trace:
        """Simulate every generation and return the assembled trace."""
        ch = self.ch
        p = self.params
        n_ms = ch.int(1, p.max_ms)
        self.ms = [MState(i) for i in range(n_ms)]
        n_ps = ch.int(1, p.max_ps)
        for _ in range(n_ps):
            self._new_p()
        self._varied_dt = ch.chance(0.5)
        self.tie_ok = n_ms <= 12 and self.on("ties")
        n_gens = ch.int(p.min_generations, p.max_generations)
        gen = 1
        if self.on("gen_gaps") and ch.chance(0.3):
            gen = ch.pick((1, 2, 7, 1 << 32))
        freq = FREQUENCY
        if self.on("odd_frequency") and ch.chance(0.3):
            # Only rates with an exact ns-per-tick: per-delta float rounding must not reorder
            # events of different Ms (0, which Go does not reject, makes every time equal).
            freq = ch.pick((FREQUENCY, 1_000_000_000, 1_000_000, 2, 1))
        self.freq = freq
        for gi in range(n_gens):
            self.gen_index = gi
            self._generation(gen, first=gi == 0)
            if self.version >= Version.Go126 and self.on("gen_gaps") and ch.chance(0.3):
                gen += ch.pick((1, 2, 5))
            else:
                gen += 1
        tr = Trace(self.version, self.items, Expectation.success())
        tr.features = self.flags.enabled
        return tr

    def _cur_g(self, ms: MState) -> GState:
        """The G running on ``ms``: actions that need one are only chosen when it has one."""
        assert ms.g is not None, f"M {ms.id} runs no G"
        return self.gs[ms.g]

    def _cur_p(self, ms: MState) -> PState:
        """The P ``ms`` holds: actions that need one are only chosen when it holds one."""
        assert ms.p is not None, f"M {ms.id} holds no P"
        return self.ps[ms.p]

    def _new_p(self) -> PState:
        p = PState(self.next_p)
        self.next_p += 1
        self.ps[p.id] = p
        return p

    def _new_g(self, status: str) -> GState:
        g = GState(self.next_g, status)
        self.next_g += 1
        self.gs[g.id] = g
        return g

    def _generation(self, gen: int, first: bool) -> None:
        ch = self.ch
        self.gen = gen
        self.tables = _GenTables(ch, self.on("sparse_ids"))
        self.events = {}
        self.m_order = []
        self.samples = []
        self.tie_group = []
        start = self.now + 1
        self.now += ch.int(1, 50)
        if first:
            self._initial_world()
        else:
            self._gen_start_statuses()
        steps = ch.int(self.params.min_events, self.params.max_events)
        for _ in range(steps):
            self._step()
        self._gen_end()
        self._assemble(gen, start, first)

    # --- generation start -------------------------------------------------------------

    def _any_m(self) -> int:
        """An M to write a status event on: a real M, or the no-thread pseudo-M."""
        if self.on("nothread_status") and self.ch.chance(0.3):
            return NO_THREAD
        return self.ms[self.ch.int(0, len(self.ms) - 1)].id

    def _initial_world(self) -> None:
        """Gen 1: maybe a world already running at trace start, described by status events."""
        ch = self.ch
        ps = list(self.ps.values())
        world = self.on("initial_world") and ch.chance(0.8)
        if not world:
            # A trace started with every P idle (still described: Ps need a status).
            for p in ps:
                self.p_status(self._any_m(), p)
            return
        free_ps = list(ps)
        for ms in self.ms:
            kind = ch.int(0, 4)
            if kind == 0 or (kind in (1, 2, 3) and not free_ps):
                continue  # idle M
            if kind == 4:
                if not (self.on("syscalls") and self._g_room()):
                    continue
                # A bare M in a syscall (its P long gone, or a cgo callback thread).
                g = self._new_g(SYSCALL)
                g.m, ms.g = ms.id, g.id
                g.cgo = self.on("cgo") and ch.chance(0.5)
                if ms.id in self.events or ch.chance(0.5):
                    self.g_status(ms.id, g)
                else:
                    # "Sitting in syscall": another M reports it.  Only while this M has not
                    # written anything: the parser creates an M's state on its first event,
                    # and then expects the reported G to be bound to it already.
                    self.g_status(self._other_m(ms.id), g)
                continue
            p = free_ps.pop(ch.int(0, len(free_ps) - 1))
            p.m, ms.p = ms.id, p.id
            if kind == 3 and self.on("syscalls") and self._g_room():
                p.status = SYSCALL
                g = self._new_g(SYSCALL)
                g.m, ms.g = ms.id, g.id
                self.p_status(ms.id, p)
                self.g_status(ms.id, g)
                continue
            p.status = RUNNING
            self.p_status(ms.id, p)
            if kind == 2 and self._g_room():
                g = self._new_g(RUNNING)
                g.m, ms.g = ms.id, g.id
                self.g_status(ms.id, g)
        for p in free_ps:
            if self.on("steal") and ch.chance(0.15):
                p.status = ABANDONED
            self.p_status(self._any_m(), p)
        for _ in range(ch.int(0, max(0, self.params.max_gs - len(self.gs)))):
            g = self._new_g(ch.pick((RUNNABLE, WAITING)))
            self.g_status(self._any_m(), g)
        if self.on("gc") and ch.chance(0.4):
            self.gc = "running"
            self.gc_seq = ch.int(1, 9)
            self.emit(self._any_m(), E.GCActive, [self.gc_seq], frozenset({("GC", 0)}))
        if self.on("sweep"):
            for p in self.ps.values():
                if p.status in (RUNNING, IDLE) and ch.chance(0.2):
                    p.sweeping = True
                    self.emit(self._any_m(), E.GCSweepActive, [p.id], frozenset({("P", p.id)}))
        if self.on("assist"):
            for g in self.gs.values():
                if g.status != SYSCALL and ch.chance(0.2):
                    g.assist = True
                    self.emit(self._any_m(), E.GCMarkAssistActive, [g.id], frozenset({("G", g.id)}))

    def _other_m(self, mid: int) -> int:
        others = [m.id for m in self.ms if m.id != mid]
        if not others or (self.on("nothread_status") and self.ch.chance(0.3)):
            return NO_THREAD
        return others[self.ch.int(0, len(others) - 1)]

    def _g_room(self) -> bool:
        return len(self.gs) < self.params.max_gs

    def _gen_start_statuses(self) -> None:
        """Later generations: statuses (eager or lazy) and ``*Active`` events."""
        ch = self.ch
        if self.on("grow_procs") and ch.chance(0.3) and len(self.ps) < self.params.max_ps + 2:
            p = self._new_p()
            self.p_status(self._any_m(), p)  # a new P after gen 1: NotExist -> Idle
        lazy = self.on("lazy_status") and ch.chance(0.7)
        if not lazy:
            for ms in self.ms:
                if ms.p is not None and self.ps[ms.p].status_gen != self.gen:
                    p = self.ps[ms.p]
                    thief = NO_THREAD
                    if p.status == SYSCALL and self.on("steal") and ch.chance(0.3):
                        thief = self._other_m(ms.id)
                    if thief != NO_THREAD:
                        # Another M reports the P as abandoned (promoted to Syscall), and may
                        # steal it right away: the generation-boundary steal.
                        self.need_p(thief, p)
                        if ch.chance(0.6) and self._m(thief).p is None and self._m(thief).g is None:
                            self._steal(self._m(thief), p)
                    else:
                        self.p_status(ms.id, p)
                if ms.g is not None:
                    g = self.gs[ms.g]
                    if g.status == SYSCALL and ms.p is None and ch.chance(0.5):
                        self.g_status(self._other_m(ms.id), g)
                    else:
                        self.g_status(ms.id, g)
            for p in self.ps.values():
                if p.status_gen != self.gen:
                    self.p_status(self._any_m(), p)
            for g in self.gs.values():
                if g.status_gen != self.gen and g.status in (RUNNABLE, WAITING):
                    self.g_status(self._any_m(), g)
        # Ranges and the GC cycle in flight.
        if self.gc == "running" and ch.chance(0.7):
            users = [ms for ms in self.ms if self._user(ms)]
            if users:
                ms = users[ch.int(0, len(users) - 1)]
                self.gc_seq += 1
                self.emit(ms.id, E.GCActive, [self.gc_seq], frozenset({("GC", 0)}), frozenset({("GC", 0)}))
        for p in self.ps.values():
            if p.sweeping and ch.chance(0.7):
                self.emit(self._any_m(), E.GCSweepActive, [p.id], frozenset({("P", p.id)}))
        for g in self.gs.values():
            if g.assist and ch.chance(0.7):
                self.emit(self._any_m(), E.GCMarkAssistActive, [g.id], frozenset({("G", g.id)}))

    def _user(self, ms: MState) -> bool:
        """Whether ``ms`` runs user code (holds a running P and a running G)."""
        return (ms.p is not None and ms.g is not None and self.ps[ms.p].status == RUNNING
                and self.gs[ms.g].status == RUNNING)

    # --- steps --------------------------------------------------------------------------

    def _step(self) -> None:
        ch = self.ch
        ms = self.ms[ch.int(0, len(self.ms) - 1)]
        acts = self._actions(ms)
        if not acts:
            return
        acts[ch.int(0, len(acts) - 1)](ms)

    def _actions(self, ms: MState) -> list[Callable[[MState], None]]:
        """The legal actions for M ``ms`` in its current state."""
        on = self.on
        acts: list[Callable[[MState], None]] = []
        p = self.ps[ms.p] if ms.p is not None else None
        g = self.gs[ms.g] if ms.g is not None else None
        if self.allocfree:
            acts.append(self._alloc_free)
        if p is None and g is None:
            if any(q.status == IDLE for q in self.ps.values()):
                acts.append(self._proc_start)
            if on("steal") and any(q.status in (SYSCALL, ABANDONED) and q.m != ms.id for q in self.ps.values()):
                acts.append(self._steal_any)
            if on("cgo") and self._g_room():
                acts.append(self._cgo_create)
            return acts
        if p is not None and p.status == RUNNING and (g is None or g.status == RUNNING):
            # Scheduling or user code on a P.
            acts.append(self._heap)
            if on("create") and self._g_room():
                acts.append(self._go_create)
            if on("block") and any(x.status == WAITING for x in self.gs.values()):
                acts.append(self._unblock)
            if on("sweep"):
                acts.append(self._sweep)
            if g is None:
                if any(x.status == RUNNABLE for x in self.gs.values()):
                    acts.append(self._go_start)
                    acts.append(self._go_start)
                acts.append(self._proc_stop)
                return acts
            # User code.
            if not g.stw:
                if on("stop"):
                    acts.append(self._go_stop)
                if on("block"):
                    acts.append(self._go_block)
                if on("destroy"):
                    acts.append(self._go_destroy)
                if on("syscalls"):
                    acts.append(self._syscall_begin)
                if on("coro") and any(x.status == WAITING for x in self.gs.values()):
                    acts.append(self._go_switch)
            if on("stw"):
                acts.append(self._stw)
            if on("gc"):
                acts.append(self._gc)
            if on("assist"):
                acts.append(self._assist)
            if on("procs_change"):
                acts.append(self._procs_change)
            if on("labels"):
                acts.append(self._label)
            if on("tasks"):
                acts.append(self._task)
            if on("regions"):
                acts.append(self._region)
            if on("logs"):
                acts.append(self._log)
            return acts
        if g is not None and g.status == SYSCALL:
            if p is not None and p.status == SYSCALL:
                acts.append(self._syscall_end)
                if g.cgo or on("cgo"):
                    acts.append(self._destroy_syscall)
                if on("self_steal"):
                    acts.append(self._self_steal)
            elif p is None:
                acts.append(self._syscall_end_blocked)
                if any(q.status == IDLE for q in self.ps.values()):
                    acts.append(self._proc_start)  # reacquire a P on the way out
                if g.cgo:
                    acts.append(self._destroy_syscall)
            else:  # reacquired P, G still in syscall
                acts.append(self._syscall_end_blocked)
        return acts

    # Procs.

    def _proc_start(self, ms: MState) -> None:
        idle = [q for q in self.ps.values() if q.status == IDLE]
        p = idle[self.ch.int(0, len(idle) - 1)]
        if self._lazy_needed():
            self.need_p(ms.id, p)
        p.seq += 1
        self.emit(ms.id, E.ProcStart, [p.id, p.seq], frozenset({("P", p.id)}), frozenset({("P", p.id)}))
        p.status, p.m, ms.p = RUNNING, ms.id, p.id

    def _lazy_needed(self) -> bool:
        return self.gen_index > 0

    def _proc_stop(self, ms: MState) -> None:
        assert ms.p is not None
        p = self.ps[ms.p]
        self.emit(ms.id, E.ProcStop, [])
        p.status, p.m, ms.p = IDLE, None, None

    def _steal_any(self, ms: MState) -> None:
        victims = [q for q in self.ps.values() if q.status in (SYSCALL, ABANDONED) and q.m != ms.id]
        p = victims[self.ch.int(0, len(victims) - 1)]
        if self._lazy_needed():
            self.need_p(ms.id, p)
        self._steal(ms, p)

    def _steal(self, ms: MState, p: PState) -> None:
        """``ProcSteal`` of a P in a syscall (from its M) or abandoned."""
        p.seq += 1
        victim = p.m if p.status == SYSCALL and p.m is not None else NO_THREAD
        if victim == NO_THREAD and self.ch.chance(0.5):
            victim = self.ms[self.ch.int(0, len(self.ms) - 1)].id  # ignored for abandoned Ps
        res = {("P", p.id)}
        gated: frozenset[Res] = frozenset()
        if p.status == SYSCALL and p.m is not None:
            # Waits for the victim's GoSyscallBegin (status and sequence number); an
            # abandoned P's steal waits for nothing, so it must not tie with what abandoned it.
            res.add(("Steal", p.m))
            gated = frozenset(res)
        self.emit(ms.id, E.ProcSteal, [p.id, p.seq, victim], frozenset(res), gated)
        if p.status == SYSCALL and p.m is not None:
            self._m(p.m).p = None
        p.status, p.m = IDLE, None

    def _self_steal(self, ms: MState) -> None:
        assert ms.p is not None
        p = self.ps[ms.p]
        if self._lazy_needed():
            self.need_p(ms.id, p)
        p.seq += 1
        self.emit(ms.id, E.ProcSteal, [p.id, p.seq, ms.id], frozenset({("P", p.id)}), frozenset({("P", p.id)}))
        p.status, p.m, ms.p = IDLE, None, None

    # Goroutines.

    def _go_create(self, ms: MState) -> None:
        blocked = self.on("coro") and self.ch.chance(0.3)
        g = self._new_g(WAITING if blocked else RUNNABLE)
        g.status_gen = self.gen  # GoCreate sets the seq in this generation
        typ = E.GoCreateBlocked if blocked else E.GoCreate
        self.emit(ms.id, typ, [g.id, self.stack(), self.stack()], frozenset({("G", g.id)}))

    def _cgo_create(self, ms: MState) -> None:
        g = self._new_g(SYSCALL)
        g.cgo, g.m, g.status_gen = True, ms.id, self.gen
        self.emit(ms.id, E.GoCreateSyscall, [g.id], frozenset({("G", g.id)}))
        ms.g = g.id

    def _go_start(self, ms: MState) -> None:
        rs = [x for x in self.gs.values() if x.status == RUNNABLE]
        g = rs[self.ch.int(0, len(rs) - 1)]
        if self._lazy_needed():
            self.need_g(ms.id, g)
        g.seq += 1
        self.emit(ms.id, E.GoStart, [g.id, g.seq], frozenset({("G", g.id)}), frozenset({("G", g.id)}))
        g.status, g.m, ms.g = RUNNING, ms.id, g.id

    def _unblock(self, ms: MState) -> None:
        ws = [x for x in self.gs.values() if x.status == WAITING]
        g = ws[self.ch.int(0, len(ws) - 1)]
        if self._lazy_needed():
            self.need_g(ms.id, g)
        g.seq += 1
        self.emit(ms.id, E.GoUnblock, [g.id, g.seq, self.stack()], frozenset({("G", g.id)}),
                  frozenset({("G", g.id)}))
        g.status = RUNNABLE

    def _go_stop(self, ms: MState) -> None:
        g = self._cur_g(ms)
        self.emit(ms.id, E.GoStop, [self.string(_STOP_REASONS), self.stack()])
        g.status, g.m, ms.g = RUNNABLE, None, None

    def _go_block(self, ms: MState) -> None:
        g = self._cur_g(ms)
        self.emit(ms.id, E.GoBlock, [self.string(_BLOCK_REASONS), self.stack()])
        g.status, g.m, ms.g = WAITING, None, None

    def _go_destroy(self, ms: MState) -> None:
        g = self.gs.pop(self._cur_g(ms).id)
        self.emit(ms.id, E.GoDestroy, [])
        ms.g = None
        self._drop_g(g)

    def _drop_g(self, g: GState) -> None:
        g.status = "dead"

    def _go_switch(self, ms: MState) -> None:
        cur = self._cur_g(ms)
        ws = [x for x in self.gs.values() if x.status == WAITING]
        nxt = ws[self.ch.int(0, len(ws) - 1)]
        if self._lazy_needed():
            self.need_g(ms.id, nxt)
        nxt.seq += 1
        destroy = self.on("destroy") and self.ch.chance(0.3)
        typ = E.GoSwitchDestroy if destroy else E.GoSwitch
        self.emit(ms.id, typ, [nxt.id, nxt.seq], frozenset({("G", nxt.id)}), frozenset({("G", nxt.id)}))
        if destroy:
            del self.gs[cur.id]
        else:
            cur.status, cur.m = WAITING, None
        nxt.status, nxt.m, ms.g = RUNNING, ms.id, nxt.id

    # Syscalls.

    def _syscall_begin(self, ms: MState) -> None:
        p = self._cur_p(ms)
        g = self._cur_g(ms)
        if self._lazy_needed():
            self.need_p(ms.id, p)
        p.seq += 1
        self.emit(ms.id, E.GoSyscallBegin, [p.seq, self.stack()])
        p.status, g.status = SYSCALL, SYSCALL

    def _syscall_end(self, ms: MState) -> None:
        p = self._cur_p(ms)
        g = self._cur_g(ms)
        self.emit(ms.id, E.GoSyscallEnd, [])
        p.status, g.status = RUNNING, RUNNING

    def _syscall_end_blocked(self, ms: MState) -> None:
        g = self._cur_g(ms)
        # Gated on this M's P leaving the syscall state (stolen), hence ("M", self).
        self.emit(ms.id, E.GoSyscallEndBlocked, [], frozenset({("Steal", ms.id)}),
                  frozenset({("Steal", ms.id)}))
        g.status, g.m, ms.g = RUNNABLE, None, None

    def _destroy_syscall(self, ms: MState) -> None:
        g = self.gs.pop(self._cur_g(ms).id)
        self.emit(ms.id, E.GoDestroySyscall, [])
        ms.g = None
        if ms.p is not None:
            p = self.ps[ms.p]
            p.status, p.m, ms.p = ABANDONED, None, None
        self._drop_g(g)

    # GC, ranges and metrics.

    def _stw(self, ms: MState) -> None:
        g = self._cur_g(ms)
        if g.stw:
            self.emit(ms.id, E.STWEnd, [])
        else:
            self.emit(ms.id, E.STWBegin, [self.string(_STW_KINDS), self.stack()])
        g.stw = not g.stw

    def _gc(self, ms: MState) -> None:
        if self.gc == "running":
            self.gc_seq += 1
            self.emit(ms.id, E.GCEnd, [self.gc_seq], frozenset({("GC", 0)}), frozenset({("GC", 0)}))
            self.gc = "off"
        else:
            if self.gc == "undetermined":
                self.gc_seq = self.ch.int(1, 5)
            else:
                self.gc_seq += 1
            self.emit(ms.id, E.GCBegin, [self.gc_seq, self.stack()], frozenset({("GC", 0)}),
                      frozenset({("GC", 0)}))
            self.gc = "running"

    def _assist(self, ms: MState) -> None:
        g = self._cur_g(ms)
        if g.assist:
            self.emit(ms.id, E.GCMarkAssistEnd, [])
        else:
            self.emit(ms.id, E.GCMarkAssistBegin, [self.stack()])
        g.assist = not g.assist

    def _sweep(self, ms: MState) -> None:
        p = self._cur_p(ms)
        if p.sweeping:
            self.emit(ms.id, E.GCSweepEnd, [self.ch.int(0, 1 << 20), self.ch.int(0, 1 << 16)])
        else:
            self.emit(ms.id, E.GCSweepBegin, [self.stack()])
        p.sweeping = not p.sweeping

    def _heap(self, ms: MState) -> None:
        if not self.on("heap"):
            return
        typ = E.HeapAlloc if self.ch.chance(0.7) else E.HeapGoal
        self.emit(ms.id, typ, [(1 << 21) + 8192 * self.ch.int(0, 4096)])

    def _procs_change(self, ms: MState) -> None:
        self.emit(ms.id, E.ProcsChange, [self.ch.int(1, len(self.ps) + 1), self.stack()])

    def _label(self, ms: MState) -> None:
        self.emit(ms.id, E.GoLabel, [self.string(_LABELS)])

    def _task(self, ms: MState) -> None:
        ch = self.ch
        if self.tasks and ch.chance(0.5):
            ids = list(self.tasks)
            tid = ids[ch.int(0, len(ids) - 1)]
            del self.tasks[tid]
            self.emit(ms.id, E.UserTaskEnd, [tid, self.stack()], frozenset({("T", tid)}))
            return
        if self.on("task_end_unknown") and ch.chance(0.1):
            tid = self.next_task
            self.next_task += 1
            self.emit(ms.id, E.UserTaskEnd, [tid, self.stack()], frozenset({("T", tid)}))
            return
        tid = self.next_task
        self.next_task += 1
        parent = 0
        if self.tasks and ch.chance(0.5):
            ids = list(self.tasks)
            parent = ids[ch.int(0, len(ids) - 1)]
        self.tasks[tid] = parent
        res = frozenset({("T", tid), ("T", parent)})
        self.emit(ms.id, E.UserTaskBegin, [tid, parent, self.string(_TASK_NAMES), self.stack()], res)

    def _task_ref(self) -> int:
        if self.tasks and self.ch.chance(0.7):
            ids = list(self.tasks)
            return ids[self.ch.int(0, len(ids) - 1)]
        return 0

    def _region(self, ms: MState) -> None:
        g = self._cur_g(ms)
        ch = self.ch
        if g.regions and ch.chance(0.5):
            tid, name = g.regions.pop()
            self.emit(ms.id, E.UserRegionEnd, [tid, self.tables.string(name), self.stack()],
                      frozenset({("T", tid)}))
            return
        if not g.regions and self.on("region_end_unknown") and ch.chance(0.1):
            # Ending a region that began before the trace: ignored by the parser.
            self.emit(ms.id, E.UserRegionEnd, [0, self.string(_REGION_NAMES), self.stack()])
            return
        tid = self._task_ref()
        name = _REGION_NAMES[ch.int(0, len(_REGION_NAMES) - 1)]
        g.regions.append((tid, name))
        self.emit(ms.id, E.UserRegionBegin, [tid, self.tables.string(name), self.stack()],
                  frozenset({("T", tid)}))

    def _log(self, ms: MState) -> None:
        tid = self._task_ref()
        self.emit(ms.id, E.UserLog, [tid, self.string(_LOG_KEYS), self.string(_LOG_VALUES), self.stack()],
                  frozenset({("T", tid)}))

    # AllocFree.

    def _alloc_free(self, ms: MState) -> None:
        ch = self.ch
        self._heap_start(ms.id)
        k = ch.int(0, 5)
        if k == 0:
            self._new_span(ms.id, E.SpanAlloc)
        elif k == 1 and self.spans:
            ids = sorted(self.spans)
            self._free_span(ms.id, ids[ch.int(0, len(ids) - 1)])
        elif k == 2:
            self._new_object(ms.id, E.HeapObjectAlloc)
        elif k == 3 and self.objects:
            ids = sorted(self.objects)
            self._free_object(ms.id, ids[ch.int(0, len(ids) - 1)])
        elif k == 4:
            self._new_stack(ms.id, E.GoroutineStackAlloc)
        elif self.gstacks:
            ids = sorted(self.gstacks)
            sid = ids[ch.int(0, len(ids) - 1)]
            del self.gstacks[sid]
            self._heap_emit(ms.id, E.GoroutineStackFree, [sid])

    def _heap_emit(self, m: int, typ: EventType, args: list[int]) -> None:
        self.emit(m, typ, args, _HEAP_RES)

    def _heap_start(self, m: int) -> None:
        """The snapshot comes first: before any alloc or free, in the first generation."""
        if not self.heap_started:
            self.heap_started = True
            if self.gen_index == 0:
                self._allocfree_snapshot(m)

    def _new_span(self, m: int, typ: EventType) -> int:
        ch = self.ch
        if ch.chance(0.15):
            npages, kindclass, elem = ch.int(1, 4), 1, 0  # a manual span (stacks etc.)
        else:
            sc = ch.pick(_SIZE_CLASSES)
            npages = ch.int(1, 8) if sc == 0 else ch.int(1, 2)
            elem = npages * _PAGE_SIZE if sc == 0 else _CLASS_TO_SIZE[sc]
            kindclass = (sc << 1 | ch.int(0, 1)) << 1
        sid = self.next_page
        self.next_page += npages + ch.int(0, 2)
        self.spans[sid] = (npages, kindclass, elem)
        if kindclass != 1:
            self.span_slots[sid] = set()
        self._heap_emit(m, typ, [sid, npages, kindclass])
        return sid

    def _free_span(self, m: int, sid: int) -> None:
        """Sweep-like: the span's live objects are freed first, then the span."""
        for oid in sorted(o for o, s2 in self.objects.items() if s2 == sid):
            self._free_object(m, oid)
        del self.spans[sid]
        self.span_slots.pop(sid, None)
        self._heap_emit(m, E.SpanFree, [sid])

    def _new_object(self, m: int, typ: EventType) -> None:
        ch = self.ch
        free = [sid for sid, used in self.span_slots.items()
                if len(used) < self.spans[sid][0] * _PAGE_SIZE // self.spans[sid][2]]
        span_typ = E.Span if typ == E.HeapObject else E.SpanAlloc
        sid = free[ch.int(0, len(free) - 1)] if free and ch.chance(0.8) else self._new_span(m, span_typ)
        if sid not in self.span_slots:  # a manual span was drawn
            return
        npages, _, elem = self.spans[sid]
        used = self.span_slots[sid]
        slot = next(i for i in range(npages * _PAGE_SIZE // elem) if i not in used)
        used.add(slot)
        oid = (sid * _PAGE_SIZE + slot * elem) // _MIN_HEAP_ALIGN
        self.objects[oid] = sid
        self._heap_emit(m, typ, [oid, self._type_id(elem)])

    def _free_object(self, m: int, oid: int) -> None:
        sid = self.objects.pop(oid)
        elem = self.spans[sid][2]
        self.span_slots[sid].discard((oid * _MIN_HEAP_ALIGN - sid * _PAGE_SIZE) // elem)
        self._heap_emit(m, E.HeapObjectFree, [oid])

    def _new_stack(self, m: int, typ: EventType) -> None:
        size = _FIXED_STACK << self.ch.int(0, 3)
        sid = self.next_stack_unit
        self.next_stack_unit += size // _FIXED_STACK + self.ch.int(0, 1)
        order = size.bit_length()
        self.gstacks[sid] = order
        self._heap_emit(m, typ, [sid, order])

    def _type_id(self, elem: int) -> int:
        """A type ID (in this generation's table) of a type that fits ``elem``; 0 = no type."""
        ch = self.ch
        fits = [t for t in self.types_global if t[1] <= elem]
        if not fits or ch.chance(0.1):
            return 0
        addr = fits[ch.int(0, len(fits) - 1)][0]
        tid = self.tables.types.get(addr)
        if tid is None:
            tid = self.tables.types[addr] = len(self.tables.types) + 1
        return tid

    def _allocfree_snapshot(self, m: int) -> None:
        """First generation: the "exists" events of ``traceSnapshotMemory``."""
        ch = self.ch
        for _ in range(ch.int(0, 3)):
            self._new_span(m, E.Span)
        for _ in range(ch.int(0, 3)):
            self._new_object(m, E.HeapObject)
        for _ in range(ch.int(0, 2)):
            self._new_stack(m, E.GoroutineStack)

    # --- generation end and assembly ----------------------------------------------------

    def _gen_end(self) -> None:
        """Close STW ranges (see module notes) and draw CPU samples."""
        for ms in self.ms:
            if ms.g is not None:
                g = self.gs[ms.g]
                if g.stw:
                    self.emit(ms.id, E.STWEnd, [])
                    g.stw = False
        if self.on("cpu_samples"):
            ch = self.ch
            for _ in range(ch.int(0, 4)):
                ms = self.ms[ch.int(0, len(self.ms) - 1)]
                t = self.now - ch.int(0, 40)
                self.samples.append((t, ms.id, ms.p if ms.p is not None else NO_THREAD,
                                     ms.g if ms.g is not None else 0, self.stack()))
        if self.allocfree and self.gen_index == 0 and self.ms:
            # Snapshot events appear at the start of the first generation, before any alloc
            # or free: at the first heap action, or here if there was none (the parser only
            # needs an M).
            self._heap_start(self.ms[0].id)

    def _assemble(self, gen: int, start: int, first: bool) -> None:
        """Lower this generation's events and tables into batches in file order."""
        ch = self.ch
        v = self.version
        gen_items: list[Batch] = []
        # Per-M event batches.
        per_m: list[list[Batch]] = []
        split = self.on("split_batches")
        slack = self.on("batch_time_slack")
        for m in self.m_order:
            evs = self.events[m]
            batches: list[Batch] = []
            cur: Batch | None = None
            prev = 0
            for t, e in evs:
                if cur is None or (split and ch.chance(_SPLIT_BATCH_CHANCE)):
                    bt = t - (ch.int(0, _MAX_BATCH_TIME_SLACK) if slack else 1)
                    if cur is not None and bt < prev:
                        bt = prev
                    cur = Batch(gen, m, max(bt, 0), [], role="events")
                    batches.append(cur)
                    prev = cur.time
                e.args[0] = t - prev
                prev = t
                cur.events.append(e)
            per_m.append(batches)
        if self.on("empty_batches") and ch.chance(0.3):
            # An event batch with no events, for an M with nothing else in this generation:
            # legal, and Go's reader skips the M when it sets up the frontier (reader.go).
            idle = [ms.id for ms in self.ms if ms.id not in self.events] or [len(self.ms) + 64]
            per_m.append([Batch(gen, idle[ch.int(0, len(idle) - 1)], start, [], role="events")])
        if self.on("shuffle_batches"):
            # Interleave, keeping each M's batches in order.
            queues = [list(b) for b in per_m if b]
            while queues:
                i = ch.int(0, len(queues) - 1)
                gen_items.append(queues[i].pop(0))
                if not queues[i]:
                    queues.pop(i)
        else:
            for b in per_m:
                gen_items.extend(b)
        end = self.now + 1
        structural: list[Batch] = []
        # CPU samples.
        if self.samples:
            samples = [Ev(int(E.CPUSample), [t, m, p, g, stk]) for t, m, p, g, stk in self.samples]
            structural.append(Batch(gen, NO_THREAD, end, [Ev(int(E.CPUSamples), [])] + samples, role="cpu"))
        # Stack table (frames reference strings, so build it before the string table).
        if self.tables.stacks:
            cur = Batch(gen, NO_THREAD, end, [Ev(int(E.Stacks), [])], role="stacks")
            structural.append(cur)
            size = 0
            for key, sid in self.tables.stacks.items():
                args = [sid, len(key)]
                for fr in key:
                    args.extend(fr)
                if size > _TABLE_BATCH_SPLIT:
                    cur = Batch(gen, NO_THREAD, end, [Ev(int(E.Stacks), [])], role="stacks")
                    structural.append(cur)
                    size = 0
                cur.events.append(Ev(int(E.Stack), args))
                size += _ARG_BYTES_BOUND * len(args) + _STACK_OVERHEAD
        # AllocFree experimental batches.
        exp_batches: list[Batch] = []
        if self.allocfree:
            if first:
                body = bytes((_ALLOC_FREE_INFO_BATCH,)) + b"".join(put_uvarint(x) for x in (
                    _MIN_PAGE_HEAP_ADDR, _PAGE_SIZE, _MIN_HEAP_ALIGN, _FIXED_STACK))
                exp_batches.append(Batch(gen, NO_THREAD, start, exp=ALLOC_FREE, data=body, role="exp-info"))
            if self.tables.types:
                recs = bytearray((_ALLOC_FREE_TYPES_BATCH,))
                by_addr = {t[0]: t for t in self.types_global}
                for addr, tid in self.tables.types.items():
                    _, size, ptr, name = by_addr[addr]
                    nb = name.encode()
                    recs += put_uvarint(tid) + put_uvarint(addr) + put_uvarint(size) + put_uvarint(ptr)
                    recs += put_uvarint(len(nb)) + nb
                exp_batches.append(Batch(gen, NO_THREAD, end, exp=ALLOC_FREE, data=bytes(recs), role="exp-types"))
        # String table (last: everything above may have interned strings).
        if self.tables.strings:
            cur = Batch(gen, NO_THREAD, end, [Ev(int(E.Strings), [])], role="strings")
            structural.append(cur)
            size = 0
            for s, sid in self.tables.strings.items():
                if size > _TABLE_BATCH_SPLIT:
                    cur = Batch(gen, NO_THREAD, end, [Ev(int(E.Strings), [])], role="strings")
                    structural.append(cur)
                    size = 0
                cur.events.append(Ev(int(E.String), [sid], s))
                size += len(s) + _STRING_OVERHEAD
            if self.on("big_tables") and ch.chance(0.1):
                big = b"x" * MAX_EVENT_TRAILER_DATA_SIZE  # exactly the limit is allowed
                cur.events.append(Ev(int(E.String), [self.tables.next_string], big))
                self.tables.next_string += 1
        structural.extend(exp_batches)
        # Sync data.
        sync_batches: list[Batch] = []
        if v >= Version.Go125:
            mono = _CLOCK_MONO_BASE + start * _NS_PER_TICK
            sec = _CLOCK_SEC_BASE + self.gen_index
            nsec = ch.int(0, 999_999_999) if ch.chance(0.5) else _CLOCK_NSEC
            dt = ch.int(1, _MAX_CLOCK_DT)
            freq_ev = Ev(int(E.Frequency), [self.freq])
            clock_ev = Ev(int(E.ClockSnapshot), [dt, mono, sec, nsec])
            bt = max(start - dt, 0)
            if self.on("split_sync") and ch.chance(0.3):
                sync_batches.append(Batch(gen, NO_THREAD, bt, [Ev(int(E.Sync), []), freq_ev], role="sync"))
                sync_batches.append(Batch(gen, NO_THREAD, bt, [Ev(int(E.Sync), []), clock_ev], role="sync"))
            else:
                pair = [freq_ev, clock_ev] if ch.chance(0.7) else [clock_ev, freq_ev]
                sync_batches.append(Batch(gen, NO_THREAD, bt, [Ev(int(E.Sync), []), *pair], role="sync"))
        else:
            sync_batches.append(Batch(gen, NO_THREAD, end, [Ev(int(E.Frequency), [self.freq])], role="frequency"))
        if self.on("shuffle_batches"):
            items = list(gen_items)
            for sb in structural + (sync_batches if v < Version.Go125 else []):
                items.insert(ch.int(0, len(items)), sb)
            if v >= Version.Go125:
                items = sync_batches + items
        else:
            items = sync_batches + gen_items + structural if v >= Version.Go125 else gen_items + sync_batches + structural
        self.items.extend(items)
        if v >= Version.Go126:
            self.items.append(END_OF_GENERATION)


_DTS: Final = (1, 1, 1, 2, 3, 5, 8, 13, 40, 100, 1000)


def build_trace(ch: Chooser, params: ModelParams) -> Trace:
    """Run the model with ``ch`` and ``params``; returns a trace Go's parser accepts."""
    model = Model(ch, params)
    tr = model.run()
    tr.pad_sizes = ch.chance(0.3)
    tr.pad_args = ch.pick((0, 0, 0, 0, 2, 10)) if ch.chance(0.1) else 0
    return tr
