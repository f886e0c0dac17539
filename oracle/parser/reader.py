"""The trace reader: bytes in, validated events out, one generation at a time.

Mirrors ``internal/trace/reader.go``.  A v1 trace (Go 1.11 to 1.21) is parsed whole by
:mod:`oracle.parser.tracev1` when the reader is built (every v1 error comes from the
constructor, as from Go's ``NewReader``) and converted to v2 events one at a time by
:mod:`oracle.parser.convert`; see :meth:`Reader._next_v1`.

Theory of operation
-------------------
The reader glues the pipeline together.  It buffers one generation (:mod:`oracle.parser.generation`),
keeps one cursor per M over that generation's event batches (:mod:`oracle.parser.batchcursor`),
and repeatedly offers the earliest pending event to the scheduler model
(:class:`oracle.parser.order.Ordering`), which either accepts it into its output queue or says "not
yet".  Only when every M of a generation is exhausted is the next generation read, so memory
is bounded by the largest generation, not by the trace.

Each call to :meth:`Reader.read_event` runs Go's algorithm, whose numbered steps are kept in
the code:

(1) Read in all the batches for the next generation from the stream.
  (a) Use the size field in the header to quickly find all batches.
(2) Parse out the strings, stacks, CPU samples, and timestamp conversion data.
(3) Group each event batch by M, sorted by timestamp. (batchCursor contains the groups.)
(4) Organize batchCursors in a min-heap, ordered by the timestamp of the next event for each M.
(5) Try to advance the next event for the M at the top of the min-heap.
  (a) On success, select that M.
  (b) On failure, sort the min-heap and try to advance other Ms. Select the first M that
      advances.
  (c) If there's nothing left to advance, goto (1).
(6) Select the latest event for the selected M and get it ready to be returned.
(7) Read the next event for the selected M and update the min-heap.
(8) Return the selected event, goto (5) on the next call.

What the caller sees, exactly as from Go's ``ReadEvent``:

* A ``Sync`` event opens every generation (carrying its table) and a final ``Sync`` with no
  table closes the trace; they are numbered from 1.
* CPU samples are interleaved by time: one is emitted when it is strictly earlier than the
  frontier's first event.
* Every emitted event (Syncs and samples included) has its table IDs checked and is then forced
  strictly after the previous one (``time = last + 1`` if needed).
* Errors surface lazily.  A generation that fails to load is announced by a table-less
  ``Sync`` and the error comes on the next call, and again on every later call.  An event that
  fails to decode on the M that just advanced hides the advanced event: the error is returned
  instead, and that event would be the next one returned if the caller went on.
* The end of the trace is :class:`EOFError`.  Go's bare ``io.EOF`` escaping a table section is
  an end of trace too (see :class:`oracle.parser.generation.BareEOFError`).
"""

from __future__ import annotations

import os
from typing import BinaryIO, Final, Iterator

from mypy_extensions import mypyc_attr

from oracle.parser.base import BaseEvent, CPUSample, EvTable, freq_mul, wrap_int64
from oracle.parser.batch import ByteSource
from oracle.parser.convert import V1Converter
from oracle.parser.batchcursor import (
    BatchCursor,
    heap_insert,
    heap_remove,
    heap_update,
    timed_nargs,
)
from oracle.parser.errors import TraceError
from oracle.parser.event import TABLE_ID_ARGS, Event, new_event, sync_event, validate_table_ids
from oracle.parser.generation import (
    BareEOFError,
    Generation,
    SpilledBatch,
    read_generation,
    read_generation_with_spill,
)
from oracle.parser.gosort import sort_func_by_key
from oracle.parser.order import Ordering, dump_ordering
from oracle.parser.releases import Release, release
from oracle.parser.tracev1.parser import parse as parse_v1
from oracle.parser.tracev2 import SPECS, EventType
from oracle.parser.version import Version, read_header, read_header_bytes

__all__ = ["Reader", "UnsupportedTraceError", "read_all"]

_I64_MAX: Final = (1 << 63) - 1
_I64_MIN: Final = -(1 << 63)
_EV_CPU_SAMPLE: Final = int(EventType.CPUSample)
_V1_VERSIONS: Final = frozenset((Version.Go111, Version.Go119, Version.Go121))

TraceSource = bytes | bytearray | memoryview | str | os.PathLike[str] | BinaryIO


@mypyc_attr(native_class=False)  # its base, TraceError, has __slots__ (stays interpreted)
class UnsupportedTraceError(TraceError):
    """A valid header for a trace format the selected semantics cannot read.

    Kept for API compatibility: the reference now reads every version Go 1.27.3 reads, so the
    reader itself no longer raises it.  The differential engine still classifies it as
    "unsupported" instead of comparing it with Go's output.
    """

    def __init__(self, version: Version) -> None:
        super().__init__(f"unsupported trace version go 1.{int(version)}")
        self.version = version


class Reader:
    """Reads a trace and yields its events in Go's order (``Reader``).

    ``source`` is the whole trace as bytes, a path, or a binary stream (read incrementally).
    Construction reads and checks the header (``NewReader``); :meth:`read_event` returns one
    event per call (``ReadEvent``), raising :class:`EOFError` at the end and
    :class:`TraceError` for a broken trace.  Iterating yields events until the end.
    """

    __slots__ = (
        "_version",
        "_src",
        "_owned",
        "_last_ts",
        "_gen",
        "_frontier",
        "_cpu_samples",
        "_cpu_idx",
        "_order",
        "_queue",
        "_syncs",
        "_read_gen_err",
        "_done",
        "_spill",
        "_spill_err",
        "_spill_err_sync",
        "_v1",
        "_release",
        "_emitted_sync",
        "_nargs",
        "_frontier_rotation",
    )

    def __init__(
        self,
        source: TraceSource,
        *,
        go: str | Release | None = None,
        chunk_size: int = 1 << 20,
        v1_proc_rotation: int = 0,
        frontier_rotation: int = 0,
    ) -> None:
        """Mirrors NewReader (reader.go): read the header and set up the v2 state.

        ``go`` selects the Go release whose parser to reproduce (``"1.26.6"``; default the
        pinned 1.27.3); :class:`oracle.parser.releases.UnsupportedReleaseError` for a release
        the reference does not reproduce.

        ``v1_proc_rotation`` only matters for v1 traces, whose conversion Go starts from a map's
        order: it selects one of Go's possible orders
        (:data:`oracle.parser.tracev1.parser.GO_SMALL_MAP_ORDERS`); 0 is the default one.
        ``frontier_rotation`` likewise, for the releases that build each generation's frontier
        in map order (Go 1.23: ``Release.frontier_in_batch_order`` off): the Ms are taken
        from that rotation of their first-batch order, for every generation.
        """
        rel = release(go)
        owned: BinaryIO | None = None
        if isinstance(source, (bytes, bytearray, memoryview)):
            data = bytes(source)
            v, n = read_header_bytes(data)
            src = ByteSource(data, chunk_size)
            src.advance(n)
        else:
            stream: BinaryIO
            if isinstance(source, (str, os.PathLike)):
                owned = stream = open(source, "rb")  # noqa: SIM115 - closed by close()/EOF
            else:
                stream = source
            try:
                v = read_header(stream)
            except BaseException:
                if owned is not None:
                    owned.close()
                raise
            src = ByteSource(stream, chunk_size)

        if not rel.reads_version(v):
            # This release's version.ReadHeader does not know the version (yet, or any more:
            # 1.22 reads no v1 trace).
            if owned is not None:
                owned.close()
            raise TraceError(f"unknown or unsupported trace version go 1.{int(v)}")
        src.end_of_generation_marker = rel.end_of_generation_marker
        src.experimental_batches = rel.experimental_batches
        if not rel.experimental_batches:
            src.batch_type_error = lambda typ: (
                f"expected batch event (EventBatch), got {rel.event_name(v, typ)}"
            )
        elif not rel.event_names_by_version:
            src.batch_type_error = lambda typ: f"expected batch event, got {rel.event_name(v, typ)}"
        self._v1: V1Converter | None = None
        if v in _V1_VERSIONS:
            # tracev1.Parse reads the rest of the input whole, and fails here or never.
            try:
                if isinstance(source, (bytes, bytearray, memoryview)):
                    rest = data[n:]
                    del data
                else:
                    rest = stream.read()
            finally:
                if owned is not None:
                    owned.close()
                    owned = None
            self._v1 = V1Converter(parse_v1(rest, v, proc_rotation=v1_proc_rotation))
            self._v1.evt.release = rel
            del rest

        self._version: Version = v
        self._release = rel
        self._src = src
        self._owned = owned
        self._last_ts = 0
        self._gen: Generation | None = None
        self._frontier: list[BatchCursor] = []
        self._cpu_samples: list[CPUSample] = []
        self._cpu_idx = 0  # Go re-slices cpuSamples; we advance an index instead
        self._order = Ordering(v, rel)
        self._queue = self._order.queue
        self._syncs = 0
        self._read_gen_err: TraceError | None = None
        self._done = False
        # Spill state (traces before Go 1.26): the next generation's first batch, an error
        # met while reading it, and whether the Sync announcing that error was emitted.
        self._spill: SpilledBatch | None = None
        self._spill_err: TraceError | None = None
        self._spill_err_sync = False
        # Go 1.24 and older (Release.sync_opens_generation off): whether the Sync closing the
        # current generation was emitted; true at first, as there is none to close yet.
        self._emitted_sync = True
        self._nargs = timed_nargs(rel.specs)
        self._frontier_rotation = 0 if rel.frontier_in_batch_order else frontier_rotation

    @property
    def version(self) -> Version:
        """The trace's header version."""
        return self._version

    def close(self) -> None:
        """Close the file opened for a path source (streams passed in stay open)."""
        if self._owned is not None:
            self._owned.close()
            self._owned = None

    def __enter__(self) -> Reader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __iter__(self) -> Iterator[Event]:
        return self

    def __next__(self) -> Event:
        """The next event; :class:`StopIteration` at the end (see :meth:`read_event`).

        The common case of ReadEvent's body is spelled out here, to save calls per event:
        nothing is queued, no CPU sample is pending and the head of the frontier advances
        (5a).  Everything else goes through :meth:`_next`, the whole body, which makes the
        same checks in the same order.
        """
        if self._done:
            raise StopIteration
        if self._v1 is not None:
            return self._next_v1(self._v1)
        queue = self._queue
        frontier = self._frontier
        if not queue and frontier and self._cpu_idx == len(self._cpu_samples):
            # (5) Try to advance the head of the frontier, which has the minimum timestamp.
            bc = frontier[0]
            g = self._gen
            assert g is not None
            evt = g.ev_table
            if self._order.advance(bc.ev, evt, bc.m, g.gen):
                # (7) Read the M's next event and restore the heap (see _try_advance).
                if bc.next_event(g.batches[bc.m], evt.sync.freq):
                    # heap_update(frontier, 0), skipped when it is a no-op: the root is not
                    # later than either child (sift-down keeps the root on ties).
                    t = bc.ev.time
                    n = len(frontier)
                    if (n > 1 and frontier[1].ev.time < t) or (n > 2 and frontier[2].ev.time < t):
                        heap_update(frontier, 0)
                else:
                    heap_remove(frontier, 0)
            else:
                self._advance_rest(g)
            # (6) and (8): the advanced event is now in the ordering's queue.
            ev = queue.popleft()
        else:
            try:
                ev = self._next()
            except BareEOFError:
                raise StopIteration from None

        # The body of Go's deferred function in ReadEvent.  Post-process every returned event:
        # IDs must resolve in its table (the table says which types name none), and times are
        # made strictly increasing (int64 wraparound as in Go, though no real trace gets
        # there).
        base = ev.base
        if TABLE_ID_ARGS[base.typ] is not None:
            validate_table_ids(ev)
        last = self._last_ts
        if base.time <= last:
            base.time = last + 1 if last != _I64_MAX else _I64_MIN
        self._last_ts = base.time
        return ev

    def read_event(self) -> Event:
        """Return the next event; :class:`EOFError` at the end, :class:`TraceError` if broken.

        Mirrors (*Reader).ReadEvent (reader.go).  The work is done by :meth:`__next__`, so that
        iterating, the common way to read a trace, costs one call per event: :meth:`_next` is
        the body of ReadEvent, and its deferred post-processing (table ID validation and the
        strictly-increasing time fix-up) runs in :meth:`__next__` after it.
        """
        try:
            return self.__next__()
        except StopIteration:
            raise EOFError from None

    def _next_v1(self, conv: V1Converter) -> Event:
        """ReadEvent's v1 branch: a Sync, the converted events, a final Sync.

        Nothing else of ReadEvent applies (no table-ID validation, no time fix-up but the
        converter's own).  A conversion error does not end the trace: like Go, the next call
        goes on with the next event.
        """
        if not self._release.sync_opens_generation:
            # Go 1.24 and older: the converted events and nothing else.
            ev1 = conv.next()
            if ev1 is None:
                self._done = True
                raise StopIteration
            return ev1
        if self._syncs == 0:
            # Always emit a sync event first, if we have any events at all.
            ts = conv.peek_time()
            if ts is not None:
                self._syncs += 1
                return sync_event(conv.evt, wrap_int64(ts - 1), self._syncs)
        ev = conv.next()
        if ev is None:
            # Always emit a sync event at the end.
            self._done = True
            self._syncs += 1
            return sync_event(None, wrap_int64(conv.last_ts + 1), self._syncs)
        return ev

    def _next(self) -> Event:
        """The body of ReadEvent before its deferred post-processing."""
        # Consume any events in the ordering first.
        queue = self._queue
        if queue:
            return queue.popleft()

        frontier = self._frontier
        cpu_pending = self._cpu_idx < len(self._cpu_samples)
        # Check if we need to refresh the generation: (5c) nothing left, goto (1).
        if not frontier and not cpu_pending:
            if not self._release.sync_opens_generation:
                closing = self._next_gen_closing_sync()
                if closing is not None:
                    return closing
                # A new generation is installed: go on in this same call, as Go 1.24 does.
                cpu_pending = self._cpu_idx < len(self._cpu_samples)
            elif self._version < Version.Go126:
                return self._next_gen_with_spill()
            else:
                return self._next_gen_v126()

        g = self._gen
        assert g is not None

        # Inject a CPU sample if it comes strictly before the frontier's next event.
        if cpu_pending:
            s = self._cpu_samples[self._cpu_idx]
            if not frontier or s.time < frontier[0].ev.time:
                self._cpu_idx += 1
                return _cpu_sample_event(s, g.ev_table)

        # (5) Try to advance the head of the frontier, which has the minimum timestamp.  This
        # is by far the most common case (and __next__ handles it without calling us when no
        # CPU sample is pending).
        if not frontier:
            raise TraceError(
                f"broken trace: frontier is empty:\n[gen={g.gen}]\n\n"
                f"{_dump_frontier(frontier)}\n{dump_ordering(self._order)}\n"
            )
        if not self._try_advance(g, 0):
            self._advance_rest(g)

        # (6) and (8): the advanced event is now in the ordering's queue.
        if not queue:
            raise RuntimeError("invariant violation: advance successful, but queue is empty")
        return queue.popleft()

    def _next_gen_v126(self) -> Event:
        """Load the next Go 1.26+ generation (or end, or announce its error) and open it."""
        if self._read_gen_err is not None:
            raise self._read_gen_err
        # Nothing reads the finished generation any more; dropping it before reading the
        # next keeps memory at one generation (Go overwrites r.gen only afterwards).
        self._gen = None
        try:
            # (1) and (2).
            gen = read_generation(self._src, self._version)
        except TraceError as err:
            # Emit the Sync for the current (failed) generation first; the error is
            # returned by the next call, and by every call after that.
            self._read_gen_err = err
            self._gen = None
            self._syncs += 1
            return sync_event(None, self._last_ts, self._syncs)
        return self._install_gen(gen)

    def _advance_rest(self, g: Generation) -> None:
        """(5b) The head of the frontier cannot advance: advance the first other M that can.

        Sorting keeps the heap property (a sorted array is a min-heap); Go sorts with an
        unstable sort, so cursors with equal times are tried in pdqsort's order.  Index 0 is
        not retried.  Raises the ``failed to advance`` error when no M can advance.
        """
        frontier = self._frontier
        sort_func_by_key(frontier, _cursor_time)
        for i in range(1, len(frontier)):
            if self._try_advance(g, i):
                return
        raise TraceError(
            f"broken trace: failed to advance: frontier:\n[gen={g.gen}]\n\n"
            f"{_dump_frontier(frontier)}\n{dump_ordering(self._order)}\n"
        )

    def _try_advance(self, g: Generation, i: int) -> bool:
        """Offer frontier[i]'s event to the ordering; on success refill that cursor.

        The ``tryAdvance`` closure of ReadEvent (reader.go).
        """
        frontier = self._frontier
        bc = frontier[i]
        if not self._order.advance(bc.ev, g.ev_table, bc.m, g.gen):
            return False

        # (7) Read the M's next event.  A decode error is raised now, although the event just
        # advanced sits in the queue: Go reports the error first, and so do we.
        if bc.next_event(g.batches[bc.m], g.ev_table.sync.freq):
            heap_update(frontier, i)
        else:
            # This M has no more events in this generation.
            heap_remove(frontier, i)
        return True

    def _next_gen_closing_sync(self) -> Event | None:
        """Go 1.24 and older: close the finished generation with a Sync, or load the next one.

        Mirrors the refresh step of ReadEvent in reader.go of Go 1.24.11 (lines 116-159,
        :attr:`oracle.parser.releases.Release.sync_opens_generation` off): a Sync carrying the
        finished generation's table (its time, the last event's, is made later by the
        post-processing); then a deferred read error, or the end of the trace; otherwise the
        next generation is read and installed and ``None`` tells the caller to go on in the
        same call.  Load errors and first-event decode errors are raised as they come.
        """
        if not self._emitted_sync:
            self._emitted_sync = True
            assert self._gen is not None
            return sync_event(self._gen.ev_table, self._last_ts, 0)
        if self._spill_err is not None:
            raise self._spill_err
        if self._gen is not None and self._spill is None:
            self._done = True
            self.close()
            raise BareEOFError()
        self._gen = None
        gen, self._spill, self._spill_err = read_generation_with_spill(
            self._src, self._spill, self._version,
            sync_batch_events=self._release.sync_batch_events,
            spill_error_deferred=self._release.spill_error_deferred,
            frames_by_pc=self._release.frames_by_pc,
        )
        self._gen = gen
        gen.ev_table.release = self._release
        self._cpu_samples = gen.cpu_samples
        self._cpu_idx = 0
        self._fill_frontier(gen)
        self._emitted_sync = False
        return None

    def _fill_frontier(self, gen: Generation) -> None:
        """(3) and (4): one cursor per M, in order of the M's first batch, each primed with its
        first event, in a min-heap.  A decode error in a first event is raised."""
        freq = gen.ev_table.sync.freq
        ms = gen.batch_ms
        k = self._frontier_rotation
        if 0 < k < len(ms):
            # Go 1.23 iterates the map gen.batches: up to 8 Ms fill one bucket in insertion
            # order and iteration starts at a random one of its 8 slots (a rotation).
            ms = ms[k:] + ms[:k]
        for m in ms:
            bc = BatchCursor(m=m, nargs=self._nargs)
            if not bc.next_event(gen.batches[m], freq):
                # Only empty batches for this M.
                continue
            heap_insert(self._frontier, bc)

    def _next_gen_with_spill(self) -> Event:
        """Load the next pre-1.26 generation, handling the spilled batch and spill errors.

        Mirrors (*Reader).nextGenWithSpill (reader.go).
        """
        if self._version >= Version.Go126:
            raise TraceError("internal error: nextGenWithSpill called for Go 1.26+ trace")
        if self._spill_err is not None:
            if self._spill_err_sync:
                raise self._spill_err
            self._spill_err_sync = True
            self._syncs += 1
            return sync_event(None, self._last_ts, self._syncs)
        if self._gen is not None and self._spill is None:
            # A generation was read before and no batch of a next one was seen: this is the
            # end of the trace.  Emit the final Sync.
            self._done = True
            self._syncs += 1
            return sync_event(None, self._last_ts, self._syncs)

        # (1) and (2).  As above, the finished generation is released first.
        self._gen = None
        try:
            gen, self._spill, self._spill_err = read_generation_with_spill(
                self._src, self._spill, self._version,
                sync_batch_events=self._release.sync_batch_events,
                spill_error_deferred=self._release.spill_error_deferred,
                frames_by_pc=self._release.frames_by_pc,
            )
        except TraceError as err:
            gen, self._spill, self._spill_err = None, None, err
        if gen is None:
            self._gen = None
            self._spill_err_sync = True
            self._syncs += 1
            return sync_event(None, self._last_ts, self._syncs)
        return self._install_gen(gen)

    def _install_gen(self, gen: Generation | None) -> Event:
        """Make ``gen`` current, build its frontier and return its opening Sync.

        Mirrors (*Reader).installGen (reader.go); ``None`` means the trace ended cleanly.
        """
        if gen is None:
            self._gen = None
            self._done = True
            self._syncs += 1
            self.close()
            return sync_event(None, self._last_ts, self._syncs)
        self._gen = gen
        gen.ev_table.release = self._release

        # Reset CPU samples cursor.
        self._cpu_samples = gen.cpu_samples
        self._cpu_idx = 0

        # A decode error in a first event is returned instead of the Sync.
        self._fill_frontier(gen)
        freq = gen.ev_table.sync.freq
        self._syncs += 1

        # Always emit a sync event at the beginning of the generation.
        return sync_event(gen.ev_table, freq_mul(freq, gen.min_ts), self._syncs)


def _cursor_time(bc: BatchCursor) -> int:
    """The key of (*batchCursor).compare."""
    return bc.ev.time


def _cpu_sample_event(s: CPUSample, table: EvTable) -> Event:
    """A CPU sample as an event. Mirrors (cpuSample).asEvent (base.go)."""
    return new_event(table, s.ctx, BaseEvent(_EV_CPU_SAMPLE, s.time, [s.stack, 0, 0, 0]))


def _dump_frontier(frontier: list[BatchCursor]) -> str:
    """Mirrors dumpFrontier (reader.go): one line per cursor with its pending event."""
    parts: list[str] = []
    for bc in frontier:
        spec = SPECS[bc.ev.typ]
        parts.append(f"M {bc.m} [{spec.name} time={bc.ev.time}")
        for i, arg in enumerate(spec.args[1:]):
            parts.append(f" {arg}={bc.ev.args[i]}")
        parts.append("]\n")
    return "".join(parts)


def read_all(
    source: TraceSource, *, go: str | Release | None = None
) -> tuple[list[Event], TraceError | None]:
    """Every event of a trace and the error that ended it (``None`` for a clean end).

    A convenience for tests and tools; keeps the whole trace in memory.
    """
    events: list[Event] = []
    r = Reader(source, go=go)
    try:
        while True:
            try:
                events.append(r.read_event())
            except EOFError:
                return events, None
            except TraceError as err:
                return events, err
    finally:
        r.close()

