"""Loading one generation: buffering its batches and decoding its tables.

Mirrors ``internal/trace/generation.go``.

Theory of operation
-------------------
A trace is a sequence of *generations*.  Everything an event refers to (strings, stacks, the
tick frequency, the clock snapshot) lives in tables of the event's own generation, and those
tables may appear anywhere among the generation's batches, even after the events that use
them.  So the reader buffers a whole generation before it emits any of its events: this module
reads batches until the generation ends, decodes the structural ones into an
:class:`~oracle.parser.base.EvTable` and keeps the event batches, grouped by M in the order each M first
appeared, for :mod:`oracle.parser.batchcursor` to decode lazily.

How a generation ends depends on the header version:

* Go 1.26+ (:func:`read_generation`): an explicit ``EndOfGeneration`` byte.  Reaching the end
  of input first is a truncated trace if any event batch was buffered, and otherwise (nothing,
  or only table batches) a clean end of the trace.
* Earlier versions (:func:`read_generation_with_spill`): the first batch of the *next*
  generation.  That batch has already been read when we notice, so it is handed back
  ("spilled") and becomes the first batch of the next call.  A read error after the generation
  has started is tolerated and handed back too ("spill error"): the generation read so far is
  still delivered, and the reader reports the error only after its events.

After the batches are in, both loaders check that the clock data is present, decide the table
layouts (``compactify``), validate every stack against the PC and string tables, and convert the
CPU samples' tick times to nanoseconds before sorting them with Go's exact (unstable) sort.

Errors inside table sections are returned by Go *unwrapped*, including a bare ``io.EOF`` when a
section ends exactly where a varint should start.  Go's reader passes that ``io.EOF`` on to its
caller, who takes it as a normal end of the trace; we raise :class:`BareEOFError` for it so the
reader can do the same.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final, Iterable, Sequence

from mypy_extensions import mypyc_attr

from oracle.parser.base import (
    NO_GOROUTINE,
    CPUSample,
    DataTable,
    EvTable,
    Frame,
    SchedCtx,
    StackRecord,
    SyncData,
    as_int64,
    freq_mul,
)
from oracle.parser.batch import Batch, ByteSource, read_batch
from oracle.parser.errors import TraceError
from oracle.parser.gosort import sort_func_by_key
from oracle.parser.tracev2 import (
    MAX_EVENT_TRAILER_DATA_SIZE,
    MAX_FRAMES_PER_STACK,
    NO_EXPERIMENT,
    EventType,
)
from oracle.parser.uvarint import VarintError, put_uvarint, read_uvarint
from oracle.parser.version import Version

__all__ = [
    "BareEOFError",
    "Generation",
    "SpilledBatch",
    "add_cpu_samples",
    "add_experimental_batch",
    "add_stacks",
    "add_strings",
    "encode_cpu_samples",
    "encode_stacks",
    "encode_strings",
    "encode_sync",
    "fix_up_cpu_samples",
    "process_batch",
    "read_generation",
    "read_generation_with_spill",
    "set_sync_batch",
    "validate_stack_strings",
]

_U64: Final = (1 << 64) - 1
_EV_STRINGS: Final = int(EventType.Strings)
_EV_STRING: Final = int(EventType.String)
_EV_STACKS: Final = int(EventType.Stacks)
_EV_STACK: Final = int(EventType.Stack)
_EV_CPU_SAMPLES: Final = int(EventType.CPUSamples)
_EV_CPU_SAMPLE: Final = int(EventType.CPUSample)
_EV_SYNC: Final = int(EventType.Sync)
_EV_FREQUENCY: Final = int(EventType.Frequency)
_EV_CLOCK_SNAPSHOT: Final = int(EventType.ClockSnapshot)


@mypyc_attr(native_class=False)  # its base, TraceError, has __slots__ (stays interpreted)
class BareEOFError(TraceError):
    """Go's bare ``io.EOF`` escaping a table section: the caller treats it as end of trace.

    It is a :class:`TraceError` only so that code which merely propagates errors needs no
    special case; :class:`oracle.parser.reader.Reader` turns it into a clean end (``EOFError``).
    """

    def __init__(self) -> None:
        super().__init__("EOF")


def _bare(err: VarintError) -> TraceError:
    """A ``ReadUvarint`` error returned as is (Go's ``return err``), keeping ``io.EOF`` special."""
    if err.is_eof:
        return BareEOFError()
    return TraceError(err.message)


@dataclass(slots=True)
class Generation:
    """All the data of one generation, without any parse state (``generation``).

    ``batches`` maps each M to its event batches in file order; ``batch_ms`` lists the Ms in
    the order of their first event batch, which is the order the reader builds its frontier in.
    ``min_ts`` is in raw ticks; ``cpu_samples`` are already in nanoseconds and sorted.
    """

    gen: int = 0
    ev_table: EvTable = field(default_factory=EvTable)
    batches: dict[int, list[Batch]] = field(default_factory=dict)
    batch_ms: list[int] = field(default_factory=list)
    cpu_samples: list[CPUSample] = field(default_factory=list)
    min_ts: int = 0

    @property
    def freq(self) -> float:
        """Nanoseconds per tick (Go's embedded ``g.freq``); 0 until a Frequency event is seen."""
        return self.ev_table.sync.freq


@dataclass(frozen=True, slots=True)
class SpilledBatch:
    """The first batch of the next generation, read while finishing this one (``spilledBatch``).

    Only used for traces older than Go 1.26, which have no end-of-generation marker.
    """

    gen: int
    batch: Batch


def read_generation(r: ByteSource, ver: Version) -> Generation | None:
    """Read one Go 1.26+ generation, up to its ``EndOfGeneration``; ``None`` at end of trace.

    Mirrors readGeneration (generation.go).
    """
    if ver < Version.Go126:
        raise TraceError("internal error: readGeneration called for <1.26 trace")
    g = Generation()

    while True:
        res = read_batch(r)
        if res is None:
            # End of input.  Buffered event batches mean we lost the generation's tail; with
            # only table batches (or nothing) read, Go calls it a clean end and drops them.
            if len(g.batches) != 0:
                raise TraceError("incomplete generation found; trace likely truncated")
            return None
        b, gen = res
        if g.gen == 0:
            # The first batch names the generation (even the end marker, whose gen is 0).
            g.gen = gen
        if b.is_end_of_generation():
            break
        if gen == 0:
            # The runtime never writes generation 0; it is the marker's sentinel.
            raise TraceError(f"invalid generation number {gen}")
        if gen != g.gen:
            raise TraceError(
                "broken trace: missing end-of-generation event, or generations are interleaved"
            )
        # Go's quirk, kept: a minimum of 0 does not stick, the next batch replaces it.
        if g.min_ts == 0 or b.time < g.min_ts:
            g.min_ts = b.time
        process_batch(g, b, ver, end_of_generation_marker=r.end_of_generation_marker)

    if g.freq == 0:
        raise TraceError("no frequency event found")
    if not g.ev_table.sync.has_clock_snapshot:
        raise TraceError("no clock snapshot event found")
    _finish(g)
    return g


def read_generation_with_spill(
    r: ByteSource,
    spill: SpilledBatch | None,
    ver: Version,
    *,
    sync_batch_events: bool = True,
    spill_error_deferred: bool = True,
    frames_by_pc: bool = True,
) -> tuple[Generation, SpilledBatch | None, TraceError | None]:
    """Read one pre-1.26 generation, which ends where the next one's first batch appears.

    Mirrors readGenerationWithSpill (generation.go).  Returns the generation, the next
    generation's first batch (``None`` at the end of input) and a deferred read error (Go's
    non-nil ``err`` returned *with* a valid generation).  Errors that lose the generation are
    raised instead, and so is every read error with ``spill_error_deferred=False`` (Go 1.22,
    :attr:`oracle.parser.releases.Release.spill_error_deferred`).  ``frames_by_pc=False``:
    Go 1.22's per-stack frames (:func:`add_stacks`).
    """
    if ver >= Version.Go126:
        raise TraceError("internal error: readGenerationWithSpill called for Go 1.26+ trace")
    g = Generation()

    # The spilled batch is real data of this generation, and fixes its number and minTs.
    if spill is not None:
        g.gen = spill.gen
        g.min_ts = spill.batch.time
        process_batch(
            g, spill.batch, ver, end_of_generation_marker=r.end_of_generation_marker,
            sync_batch_events=sync_batch_events, frames_by_pc=frames_by_pc,
        )
        spill = None

    spill_err: TraceError | None = None
    while True:
        try:
            res = read_batch(r)
        except TraceError as err:
            if g.gen != 0 and spill_error_deferred:
                # Probably the next generation's first batch was cut short: deliver what we
                # have and report the error afterwards.
                spill_err = err
                break
            raise
        if res is None:
            break
        b, gen = res
        if gen == 0:
            raise TraceError(f"invalid generation number {gen}")
        if g.gen == 0:
            g.gen = gen
        if gen == g.gen + 1:
            # Go compares without uint64 wraparound; so do we (Python ints do not wrap).
            spill = SpilledBatch(gen=gen, batch=b)
            break
        if gen != g.gen:
            # Fatal, even though this generation might be complete: batches from mixed
            # generations mean this one probably cannot be parsed correctly either.
            raise TraceError("generations out of order")
        if g.min_ts == 0 or b.time < g.min_ts:
            g.min_ts = b.time
        process_batch(
            g, b, ver, end_of_generation_marker=r.end_of_generation_marker,
            sync_batch_events=sync_batch_events, frames_by_pc=frames_by_pc,
        )

    if g.freq == 0:
        raise TraceError("no frequency event found")
    if ver >= Version.Go125 and not g.ev_table.sync.has_clock_snapshot:
        raise TraceError("no clock snapshot event found")
    _finish(g)
    return g, spill, spill_err


def _finish(g: Generation) -> None:
    """The common tail of both loaders: table layout, stack validation, CPU sample times."""
    # Batch order is trusted, not validated against timestamps: partial-order sequence
    # numbers, checked by the ordering, are the real authority and catch a bad order.
    evt = g.ev_table
    evt.stacks.compactify()
    evt.strings.compactify()
    validate_stack_strings(evt.stacks, evt.strings, evt.pcs)
    g.cpu_samples = fix_up_cpu_samples(g.cpu_samples, g.freq)


def process_batch(
    g: Generation,
    b: Batch,
    ver: Version,
    *,
    end_of_generation_marker: bool = True,
    sync_batch_events: bool = True,
    frames_by_pc: bool = True,
) -> None:
    """Route a batch to its table, or keep it as one of its M's event batches.

    Mirrors processBatch (generation.go).  The checks run in Go's order: the kind of a batch is
    decided by its first body byte only when it is not experimental, and the clock-data check
    depends on the version, so an unexpected first byte silently makes an event batch (which
    then fails when its events are decoded).
    """
    if b.is_strings_batch():
        add_strings(g.ev_table.strings, b)
    elif b.is_stacks_batch():
        add_stacks(g.ev_table.stacks, g.ev_table.pcs, b, frames_by_pc=frames_by_pc)
    elif b.is_cpu_samples_batch():
        add_cpu_samples(g.cpu_samples, b)
    elif b.is_sync_batch(ver):
        set_sync_batch(g.ev_table.sync, b, ver, events=sync_batch_events)
    elif b.exp != NO_EXPERIMENT:
        add_experimental_batch(g.ev_table.exp_batches, b)
    elif end_of_generation_marker and b.is_end_of_generation():
        # Go 1.26+ only (Release.end_of_generation_marker); before, such a batch is an M's
        # event batch like any other, and its first event fails to decode later.
        raise TraceError("internal error: unexpectedly processing EndOfGeneration; broken trace?")
    else:
        per_m = g.batches.get(b.m)
        if per_m is None:
            g.batch_ms.append(b.m)
            g.batches[b.m] = [b]
        else:
            per_m.append(b)


def validate_stack_strings(
    stacks: DataTable[StackRecord], strings: DataTable[str], frames: dict[int, Frame]
) -> None:
    """Check that every PC of every stack has a frame whose strings exist.

    Mirrors validateStackStrings (generation.go).  Stacks are visited in the table's ``forEach``
    order and the first problem wins, so with several bad stacks *which* error is reported
    depends on that order (see :class:`oracle.parser.base.DataTable`).  A Go 1.22 stack has
    its own frames, each of them checked (v2/generation.go:159-177 in 1.22.10).
    """
    for id_, stk in stacks.items():
        if stk.frames is not None:
            for own in stk.frames:
                if own.func_id not in strings:
                    raise TraceError(f"found invalid func string ID {own.func_id} for stack {id_}")
                if own.file_id not in strings:
                    raise TraceError(f"found invalid file string ID {own.file_id} for stack {id_}")
            continue
        for pc in stk.pcs:
            frame = frames.get(pc)
            if frame is None:
                raise TraceError(f"found unknown pc {pc:x} for stack {id_}")
            if frame.func_id not in strings:
                raise TraceError(f"found invalid func string ID {frame.func_id} for stack {id_}")
            if frame.file_id not in strings:
                raise TraceError(f"found invalid file string ID {frame.file_id} for stack {id_}")


def add_strings(string_table: DataTable[str], b: Batch) -> None:
    """Decode a strings section into ``string_table``.

    Mirrors addStrings (generation.go).  String bytes are arbitrary; they are stored as ``str``
    decoded with ``surrogateescape`` so that every byte sequence survives (see ``EvTable``).
    """
    if not b.is_strings_batch():
        raise TraceError("internal error: addStrings called on non-string batch")
    data = b.data
    end = len(data)
    # The section byte itself (guaranteed by the classification above).
    if end == 0 or data[0] != _EV_STRINGS:
        raise TraceError("missing strings batch header")
    pos = 1

    while pos != end:
        ev = data[pos]
        pos += 1
        if ev != _EV_STRING:
            raise TraceError(f"expected string event, got {ev}")

        try:
            id_, pos = read_uvarint(data, pos, end)
        except VarintError as err:
            raise _bare(err) from None
        try:
            length, pos = read_uvarint(data, pos, end)
        except VarintError as err:
            raise _bare(err) from None
        if length > MAX_EVENT_TRAILER_DATA_SIZE:
            raise TraceError(
                f"invalid string size {length}, maximum is {MAX_EVENT_TRAILER_DATA_SIZE}"
            )

        # io.CopyN semantics: take what is there, then complain if it was short.
        n = min(length, end - pos)
        raw = data[pos : pos + n]
        pos += n
        if n != length:
            raise TraceError(f"failed to read full string: read {n} but wanted {length}")

        string_table.insert(id_, raw.decode("utf-8", "surrogateescape"))


def add_stacks(
    stack_table: DataTable[StackRecord], pcs: dict[int, Frame], b: Batch, *,
    frames_by_pc: bool = True,
) -> None:
    """Decode a stacks section into ``stack_table``, recording each PC's frame once.

    Mirrors addStacks (generation.go).  Frames are keyed by PC for the whole generation and the
    first frame seen for a PC wins: later frames with the same PC but different func/file/line
    are dropped unchecked, exactly as Go does.  With ``frames_by_pc=False`` (Go 1.22) each
    stack keeps its own frames and ``pcs`` is left alone.
    """
    if not b.is_stacks_batch():
        raise TraceError("internal error: addStacks called on non-stacks batch")
    data = b.data
    end = len(data)
    if end == 0 or data[0] != _EV_STACKS:
        raise TraceError("missing stacks batch header")
    pos = 1

    while pos != end:
        ev = data[pos]
        pos += 1
        if ev != _EV_STACK:
            raise TraceError(f"expected stack event, got {ev}")

        try:
            id_, pos = read_uvarint(data, pos, end)
        except VarintError as err:
            raise _bare(err) from None
        try:
            n_frames, pos = read_uvarint(data, pos, end)
        except VarintError as err:
            raise _bare(err) from None
        if n_frames > MAX_FRAMES_PER_STACK:
            raise TraceError(f"invalid stack size {n_frames}, maximum is {MAX_FRAMES_PER_STACK}")

        frames: list[int] = []
        own: list[Frame] = []
        for i in range(n_frames):
            # Each frame is four varints: pc, func string ID, file string ID, line.
            try:
                pc, pos = read_uvarint(data, pos, end)
            except VarintError as err:
                raise TraceError(f"reading frame {i + 1}'s PC for stack {id_}: {err}") from None
            try:
                func_id, pos = read_uvarint(data, pos, end)
            except VarintError as err:
                raise TraceError(f"reading frame {i + 1}'s funcID for stack {id_}: {err}") from None
            try:
                file_id, pos = read_uvarint(data, pos, end)
            except VarintError as err:
                raise TraceError(f"reading frame {i + 1}'s fileID for stack {id_}: {err}") from None
            try:
                line, pos = read_uvarint(data, pos, end)
            except VarintError as err:
                raise TraceError(f"reading frame {i + 1}'s line for stack {id_}: {err}") from None
            frames.append(pc)
            if not frames_by_pc:
                own.append(Frame(pc=pc, func_id=func_id, file_id=file_id, line=line))
            elif pc not in pcs:
                pcs[pc] = Frame(pc=pc, func_id=func_id, file_id=file_id, line=line)

        stack_table.insert(id_, StackRecord(tuple(frames), None if frames_by_pc else tuple(own)))


def add_cpu_samples(samples: list[CPUSample], b: Batch) -> None:
    """Append the samples of a CPU-samples section to ``samples`` (times still in ticks).

    Mirrors addCPUSamples (generation.go).  Go returns the extended slice; appending in place
    is the same thing here.  A sample's goroutine 0 means "no goroutine".
    """
    if not b.is_cpu_samples_batch():
        raise TraceError("internal error: addCPUSamples called on non-CPU-sample batch")
    data = b.data
    end = len(data)
    if end == 0 or data[0] != _EV_CPU_SAMPLES:
        raise TraceError("missing CPU samples batch header")
    pos = 1

    while pos != end:
        ev = data[pos]
        pos += 1
        if ev != _EV_CPU_SAMPLE:
            raise TraceError(f"expected CPU sample event, got {ev}")
        try:
            # Wire order: timestamp (absolute ticks), M, P, G, stack.
            ts, pos = read_uvarint(data, pos, end)
            m, pos = read_uvarint(data, pos, end)
            p, pos = read_uvarint(data, pos, end)
            g, pos = read_uvarint(data, pos, end)
            s, pos = read_uvarint(data, pos, end)
        except VarintError as err:
            raise _bare(err) from None
        goid = NO_GOROUTINE if g == 0 else as_int64(g)
        samples.append(CPUSample(ctx=SchedCtx(g=goid, p=as_int64(p), m=as_int64(m)), time=ts, stack=s))


def set_sync_batch(s: SyncData, b: Batch, ver: Version, *, events: bool = True) -> None:
    """Decode the clock data (frequency, clock snapshot) of a sync batch into ``s``.

    Mirrors setSyncBatch (generation.go).  Go 1.25+ sync batches open with a ``Sync`` byte and
    may carry a ``ClockSnapshot``; older ones are a bare ``Frequency`` event.  Duplicates are
    errors even across several sync batches of one generation, because ``s`` is shared.
    ``events=False`` is Go 1.24's ``parseFreq`` instead
    (:attr:`oracle.parser.releases.Release.sync_batch_events`).
    """
    if not b.is_sync_batch(ver):
        raise TraceError("internal error: setSyncBatch called on non-sync batch")
    data = b.data
    end = len(data)
    pos = 0
    if ver >= Version.Go125:
        if end == 0 or data[0] != _EV_SYNC:
            raise TraceError("missing sync batch header")
        pos = 1

    if not events:
        # Go 1.24 and older: processBatch's parseFreq.  The value after the first byte is all
        # that is read (the rest of the batch is ignored), and a duplicate is only noticed
        # once that value has been read.
        try:
            f, _ = read_uvarint(data, 1, end)
        except VarintError as err:
            raise _bare(err) from None
        if s.freq != 0:
            raise TraceError("found multiple frequency events")
        s.freq = _ns_per_tick(f)
        return

    last_ts = b.time
    while pos != end:
        ev = data[pos]
        pos += 1
        if ev == _EV_FREQUENCY:
            if s.freq != 0:
                raise TraceError("found multiple frequency events")
            try:
                f, pos = read_uvarint(data, pos, end)
            except VarintError as err:
                raise _bare(err) from None
            s.freq = _ns_per_tick(f)
        elif ev == _EV_CLOCK_SNAPSHOT and ver >= Version.Go125:
            if s.has_clock_snapshot:
                raise TraceError("found multiple clock snapshot events")
            s.has_clock_snapshot = True
            try:
                tdiff, pos = read_uvarint(data, pos, end)
                last_ts = (last_ts + tdiff) & _U64
                s.snap_time = last_ts
                mono, pos = read_uvarint(data, pos, end)
                s.snap_mono = mono
                sec, pos = read_uvarint(data, pos, end)
                nsec, pos = read_uvarint(data, pos, end)
            except VarintError as err:
                raise _bare(err) from None
            # time.Unix(int64(sec), int64(nsec)); normalisation is the Event's business.
            s.snap_wall_sec = as_int64(sec)
            s.snap_wall_nsec = as_int64(nsec)
        else:
            raise TraceError(f"expected frequency or clock snapshot event, got {ev}")


def _ns_per_tick(f: int) -> float:
    """Ticks per second -> nanoseconds per tick, in float64 like Go (f == 0 gives +Inf, which
    Go accepts: only an exact 0 means "missing")."""
    per_ns = float(f) / 1e9
    return 1.0 / per_ns if per_ns != 0.0 else float("inf")


def add_experimental_batch(exp_batches: dict[int, list[tuple[int, bytes]]], b: Batch) -> None:
    """File an experimental batch, uninterpreted, under its experiment ID.

    Mirrors addExperimentalBatch (generation.go).
    """
    if b.exp == NO_EXPERIMENT:
        raise TraceError("internal error: addExperimentalBatch called on non-experimental batch")
    exp_batches.setdefault(b.exp, []).append((b.m, b.data))


def fix_up_cpu_samples(samples: list[CPUSample], freq: float) -> list[CPUSample]:
    """Convert sample times from ticks to nanoseconds and sort them as Go does.

    Mirrors fixUpCPUSamples (generation.go).  Go sorts with ``slices.SortFunc`` on the time
    alone, which is unstable, so samples with equal times come out in pdqsort's order; we use
    the exact port in :mod:`oracle.parser.gosort`.
    """
    fixed = [
        CPUSample(ctx=s.ctx, time=freq_mul(freq, s.time), stack=s.stack) for s in samples
    ]
    sort_func_by_key(fixed, _sample_time)
    return fixed


def _sample_time(s: CPUSample) -> int:
    return s.time


# ---------------------------------------------------------------------------------------------
# Writers: the inverse of the section decoders above (batch bodies, minimal varints).  Used to
# build traces in tests and strategies; the runtime writes the same layouts.
# ---------------------------------------------------------------------------------------------


def encode_strings(strings: Iterable[tuple[int, bytes | str]]) -> bytes:
    """The body of a strings batch: ``Strings`` then ``String id len bytes`` per entry."""
    out = bytearray((_EV_STRINGS,))
    for id_, s in strings:
        raw = s.encode("utf-8", "surrogateescape") if isinstance(s, str) else s
        out.append(_EV_STRING)
        out += put_uvarint(id_)
        out += put_uvarint(len(raw))
        out += raw
    return bytes(out)


def encode_stacks(stacks: Iterable[tuple[int, Sequence[tuple[int, int, int, int]]]]) -> bytes:
    """The body of a stacks batch; frames are ``(pc, func string ID, file string ID, line)``."""
    out = bytearray((_EV_STACKS,))
    for id_, frames in stacks:
        out.append(_EV_STACK)
        out += put_uvarint(id_)
        out += put_uvarint(len(frames))
        for frame in frames:
            for v in frame:
                out += put_uvarint(v)
    return bytes(out)


def encode_cpu_samples(samples: Iterable[tuple[int, int, int, int, int]]) -> bytes:
    """The body of a CPU samples batch; samples are ``(ticks, m, p, g, stack ID)``, uint64."""
    out = bytearray((_EV_CPU_SAMPLES,))
    for sample in samples:
        out.append(_EV_CPU_SAMPLE)
        for v in sample:
            out += put_uvarint(v & _U64)
    return bytes(out)


def encode_sync(
    ver: Version, freq: int | None = 15625000, clock: tuple[int, int, int, int] | None = None
) -> bytes:
    """The body of a sync batch for ``ver``: Frequency (if given) then ClockSnapshot (if given).

    ``clock`` is ``(dt, mono, sec, nsec)``.  Go 1.25+ bodies open with the ``Sync`` byte; older
    ones are just the Frequency event (and cannot hold a clock snapshot).
    """
    out = bytearray()
    if ver >= Version.Go125:
        out.append(_EV_SYNC)
    if freq is not None:
        out.append(_EV_FREQUENCY)
        out += put_uvarint(freq)
    if clock is not None:
        out.append(_EV_CLOCK_SNAPSHOT)
        for v in clock:
            out += put_uvarint(v)
    return bytes(out)
