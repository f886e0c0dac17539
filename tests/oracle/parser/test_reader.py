"""Tests for oracle.parser.reader: the numbered algorithm, Sync numbering, lazy errors, sources.

Most tests build small binary traces by hand.  The algorithm tests swap the real ordering for
:class:`_ScriptedOrdering`, a subclass whose ``advance`` accepts or refuses events by a script,
so that frontier order, CPU sample injection and error surfacing can be tested without
constructing scheduler-valid event sequences.  End-to-end behaviour with the real ordering is
covered by Go's own test traces (all of them, against their expectations) and by the real
AllocFree events below, which the real ordering always accepts on an M.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest

from oracle.parser.base import NO_THREAD, BaseEvent, EvTable, SchedCtx
from oracle.parser.batchcursor import encode_timed_event as tev
from oracle.parser.errors import TraceError
from oracle.parser.event import Event, EventKind
from oracle.parser.generation import encode_cpu_samples, encode_stacks, encode_strings, encode_sync
from oracle.parser.order import Ordering
from oracle.parser.rawtrace import encode_batch, encode_end_of_generation
from oracle.parser.reader import Reader, UnsupportedTraceError, read_all
from oracle.parser.tracev2 import EventType
from oracle.parser.version import Version, write_header

EOG = encode_end_of_generation()
SPAN_FREE = EventType.SpanFree  # [dt, id]: accepted by the real ordering whenever there is an M


def sync_batch(ver: Version, gen: int = 1, time: int = 10, freq: int = 1_000_000_000) -> bytes:
    clock = (1, 99, 1700000000, 5) if ver >= Version.Go125 else None
    return encode_batch(gen, NO_THREAD, time, encode_sync(ver, freq, clock))


def spans(gen: int, m: int, time: int, *pairs: tuple[int, int]) -> bytes:
    """An event batch of SpanFree events given as (dt, id) pairs."""
    return encode_batch(gen, m, time, b"".join(tev(SPAN_FREE, dt, id_) for dt, id_ in pairs))


def trace(ver: Version, *parts: bytes) -> bytes:
    return write_header(ver) + b"".join(parts)


def drain(r: Reader) -> tuple[list[Event], TraceError | None]:
    out: list[Event] = []
    while True:
        try:
            out.append(r.read_event())
        except EOFError:
            return out, None
        except TraceError as e:
            return out, e


def summary(evs: list[Event]) -> list[tuple[str, int, int]]:
    """(kind, time, sync N or span id) per event."""
    out = []
    for e in evs:
        if e.kind == EventKind.Sync:
            out.append(("Sync", e.time, e.base.args[0]))
        elif e.kind == EventKind.StackSample:
            out.append(("Sample", e.time, e.base.args[0]))
        else:
            out.append((EventType(e.base.typ).name, e.time, e.base.args[0]))
    return out


class _ScriptedOrdering(Ordering):
    """An ordering that refuses events whose first argument is in ``blocked`` and records tries."""

    def __init__(self, blocked: set[int] | None = None) -> None:
        super().__init__(Version.Go126)
        self.blocked = set() if blocked is None else blocked
        self.tries: list[tuple[int, int]] = []

    def advance(self, ev: BaseEvent, evt: EvTable, m: int, gen: int) -> bool:
        self.tries.append((m, ev.args[0]))
        if ev.args[0] in self.blocked:
            return False
        self.queue.append(Event(evt, SchedCtx(-1, -1, m), BaseEvent(ev.typ, ev.time, ev.args.copy())))
        return True


def scripted(data: bytes, blocked: set[int] | None = None) -> tuple[Reader, _ScriptedOrdering]:
    r = Reader(data)
    o = _ScriptedOrdering(blocked)
    r._order = o  # noqa: SLF001 - test seam
    r._queue = o.queue  # noqa: SLF001
    return r, o


# --- Basic flow with the real ordering. ------------------------------------------------------


def test_go126_two_generations() -> None:
    data = trace(
        Version.Go126,
        sync_batch(Version.Go126, 1, time=100),
        spans(1, 1, 100, (5, 1), (5, 2)),
        spans(1, 2, 102, (1, 3)),
        EOG,
        sync_batch(Version.Go126, 2, time=200),
        spans(2, 1, 200, (1, 4)),
        EOG,
    )
    evs, err = read_all(data)
    assert err is None
    assert summary(evs) == [
        ("Sync", 100, 1),
        ("SpanFree", 103, 3),
        ("SpanFree", 105, 1),
        ("SpanFree", 110, 2),
        ("Sync", 200, 2),
        ("SpanFree", 201, 4),
        ("Sync", 202, 3),  # final Sync: lastTs (201) fixed up to 202
    ]
    assert evs[0].table is not None and evs[-1].table is None
    assert [e.thread for e in evs[1:4]] == [2, 1, 1]


def test_eof_repeats_after_the_end() -> None:
    r = Reader(trace(Version.Go126))
    ev = r.read_event()
    # Header-only Go 1.26 trace: a lone final Sync at lastTs (0) + 1.
    assert (ev.kind, ev.time, ev.base.args[0], ev.table) == (EventKind.Sync, 1, 1, None)
    for _ in range(3):
        with pytest.raises(EOFError):
            r.read_event()


def test_header_only_old_trace_needs_a_frequency() -> None:
    evs, err = read_all(trace(Version.Go123))
    assert summary(evs) == [("Sync", 1, 1)]
    assert err is not None and err.message == "no frequency event found"


def test_sync_time_is_freq_times_min_ts_and_timestamps_are_fixed_up() -> None:
    # 2 ns per tick.  Events on M 1 all have dt 0: equal times become last+1.
    data = trace(
        Version.Go126,
        sync_batch(Version.Go126, time=50, freq=500_000_000),
        spans(1, 1, 60, (0, 1), (0, 2), (0, 3)),
        EOG,
    )
    evs, _ = read_all(data)
    assert [e.time for e in evs] == [100, 120, 121, 122, 123]


def test_events_before_the_sync_time_are_pushed_after_it() -> None:
    data = trace(Version.Go126, sync_batch(Version.Go126, time=50), spans(1, 1, 10, (1, 1)), EOG)
    evs, _ = read_all(data)
    # minTs is 10 (the event batch), so the Sync is at 10 and the event at 11.
    assert [e.time for e in evs] == [10, 11, 12]


def test_spill_generations_and_final_sync() -> None:
    data = trace(
        Version.Go123,
        spans(1, 1, 10, (1, 1)),
        sync_batch(Version.Go123, 1, time=5),
        spans(2, 1, 20, (1, 2)),
        sync_batch(Version.Go123, 2, time=30),
    )
    evs, err = read_all(data)
    assert err is None
    # Gen 2's minTs is its spilled first batch's time (20), then 30 is not smaller.
    assert summary(evs) == [("Sync", 5, 1), ("SpanFree", 11, 1), ("Sync", 20, 2), ("SpanFree", 21, 2), ("Sync", 22, 3)]


def test_spill_error_comes_after_the_generation_and_a_sync() -> None:
    data = trace(
        Version.Go123,
        sync_batch(Version.Go123, 1),
        spans(1, 1, 10, (1, 1)),
        b"\x01\x02\x01",  # the next batch is cut short
    )
    r = Reader(data)
    evs, err = drain(r)
    assert summary(evs) == [("Sync", 10, 1), ("SpanFree", 11, 1), ("Sync", 12, 2)]
    assert err is not None and err.message == "error reading batch timestamp: EOF"
    # Sticky.
    with pytest.raises(TraceError, match="error reading batch timestamp"):
        r.read_event()


def test_fatal_spill_path_error_is_preceded_by_a_nil_sync() -> None:
    data = trace(Version.Go123, sync_batch(Version.Go123, 1), spans(3, 1, 1, (1, 1)))
    r = Reader(data)
    evs, err = drain(r)
    assert summary(evs) == [("Sync", 1, 1)] and evs[0].table is None
    assert err is not None and err.message == "generations out of order"
    with pytest.raises(TraceError, match="generations out of order"):
        r.read_event()


def test_go126_generation_error_after_good_generation() -> None:
    data = trace(
        Version.Go126,
        sync_batch(Version.Go126, 1),
        spans(1, 1, 10, (1, 1)),
        EOG,
        sync_batch(Version.Go126, 2),
        spans(2, 1, 20, (1, 2)),
    )
    r = Reader(data)
    evs, err = drain(r)
    assert summary(evs) == [("Sync", 10, 1), ("SpanFree", 11, 1), ("Sync", 12, 2)]
    assert evs[-1].table is None
    assert err is not None and err.message == "incomplete generation found; trace likely truncated"
    with pytest.raises(TraceError, match="incomplete generation"):
        r.read_event()


@pytest.mark.parametrize("ver", [Version.Go123, Version.Go126])
def test_bare_eof_from_a_section_is_a_clean_end(ver: Version) -> None:
    # A strings section with a dangling String byte: Go's addStrings returns io.EOF itself.
    parts = [sync_batch(ver, 1), spans(1, 1, 10, (1, 1)), encode_batch(1, NO_THREAD, 0, b"\x04\x05")]
    if ver >= Version.Go126:
        parts.append(EOG)
    r = Reader(trace(ver, *parts))
    evs, err = drain(r)
    assert err is None
    assert summary(evs) == [("Sync", 1, 1)] and evs[0].table is None
    with pytest.raises(EOFError):
        r.read_event()


def test_eof_after_only_structural_batches_is_clean_for_go126() -> None:
    data = trace(Version.Go126, sync_batch(Version.Go126, 1), spans(1, 1, 10, (1, 1)), EOG, sync_batch(Version.Go126, 2))
    evs, err = read_all(data)
    assert err is None
    assert summary(evs)[-1] == ("Sync", 12, 2)


def test_decode_error_in_first_event_replaces_the_sync() -> None:
    data = trace(Version.Go126, sync_batch(Version.Go126), encode_batch(1, 1, 1, b"\x00"), EOG)
    evs, err = read_all(data)
    assert evs == []
    assert err is not None and err.message == "found event without a timestamp: type=0"


def test_decode_error_hides_the_advanced_event() -> None:
    data = trace(
        Version.Go126,
        sync_batch(Version.Go126),
        encode_batch(1, 1, 10, tev(SPAN_FREE, 1, 1) + bytes([SPAN_FREE, 1])),
        EOG,
    )
    r = Reader(data)
    assert r.read_event().kind == EventKind.Sync
    with pytest.raises(TraceError) as ei:
        r.read_event()
    assert ei.value.message == "found invalid uvarint"
    # Like Go, the advanced event is still queued and comes out if the caller insists.
    ev = r.read_event()
    assert (ev.base.typ, ev.base.args[0]) == (SPAN_FREE, 1)


def test_table_id_validation_error() -> None:
    data = trace(
        Version.Go126,
        sync_batch(Version.Go126),
        encode_batch(1, NO_THREAD, 0, encode_stacks([(1, [])])),
        spans(1, 1, 10, (1, 1)),
        EOG,
    )
    r, _ = scripted(data)
    r.read_event()
    # Rewrite the pending event into a ProcsChange naming stack 9, which does not exist.
    bc = r._frontier[0]  # noqa: SLF001
    bc.ev.typ = EventType.ProcsChange
    bc.ev.args[:2] = [4, 9]
    with pytest.raises(TraceError) as ei:
        r.read_event()
    assert ei.value.message == "found invalid stack ID 9 for event ProcsChange"


# --- The frontier, with a scripted ordering. -------------------------------------------------


def test_head_refused_then_the_rest_is_tried_in_time_order() -> None:
    data = trace(
        Version.Go126,
        sync_batch(Version.Go126, time=1),
        spans(1, 1, 10, (0, 100)),  # time 10, blocked
        spans(1, 2, 30, (0, 30)),
        spans(1, 3, 20, (0, 20)),
        EOG,
    )
    r, o = scripted(data, blocked={100})
    r.read_event()  # Sync
    ev = r.read_event()
    assert (ev.thread, ev.base.args[0]) == (3, 20)
    assert o.tries == [(1, 100), (3, 20)]


def test_nothing_advances_is_a_broken_trace() -> None:
    data = trace(Version.Go126, sync_batch(Version.Go126, time=1), spans(1, 1, 10, (0, 7)), spans(1, 2, 12, (3, 8)), EOG)
    r, _ = scripted(data, blocked={7, 8})
    r.read_event()
    with pytest.raises(TraceError) as ei:
        r.read_event()
    assert ei.value.message == (
        "broken trace: failed to advance: frontier:\n[gen=1]\n\n"
        "M 1 [SpanFree time=10 id=7]\nM 2 [SpanFree time=15 id=8]\n"
        "\n\n\n\nGC 0 Undetermined\n\n"
    )


def test_frontier_sort_uses_gos_unstable_order() -> None:
    # 15 Ms with many equal times.  When the head is refused, Go sorts the frontier with an
    # unstable sort and tries indices 1.. in that order; a stable sort would try another M.
    times = [4, 4, 2, 0, 3, 0, 4, 0, 1, 1, 3, 1, 2, 2, 0]
    ms = range(1, len(times) + 1)
    data = trace(
        Version.Go126,
        sync_batch(Version.Go126, time=1),
        *(spans(1, m, 10 + t, (0, m)) for m, t in zip(ms, times)),
        EOG,
    )
    r, o = scripted(data)
    r.read_event()
    heap = list(r._frontier)  # noqa: SLF001
    from oracle.parser.gosort import sort_func_by_key

    want = list(heap)
    sort_func_by_key(want, lambda bc: bc.ev.time)
    stable = sorted(heap, key=lambda bc: bc.ev.time)
    k = next(i for i in range(1, len(want)) if want[i] is not stable[i] and want[i] is not heap[0])
    target = want[k].m
    o.blocked = set(ms) - {target}
    ev = r.read_event()
    assert ev.thread == target
    assert [m for m, _ in o.tries] == [heap[0].m] + [bc.m for bc in want[1 : k + 1]]


def test_cpu_samples_are_injected_strictly_before() -> None:
    data = trace(
        Version.Go126,
        sync_batch(Version.Go126, time=1),
        encode_batch(1, NO_THREAD, 1, encode_cpu_samples([(30, 1, 0, 0, 0), (10, 1, 0, 0, 0), (50, 1, 0, 0, 0)])),
        spans(1, 1, 10, (0, 1), (20, 2)),
        EOG,
    )
    evs, err = read_all(data)
    assert err is None
    # Samples tie with both events: the event goes first (strict <).  The sample at 50
    # outlives every M and is emitted before the generation is left.
    assert summary(evs) == [
        ("Sync", 1, 1),
        ("SpanFree", 10, 1),
        ("Sample", 11, 0),
        ("SpanFree", 30, 2),
        ("Sample", 31, 0),
        ("Sample", 50, 0),
        ("Sync", 51, 2),
    ]
    sample = evs[2]
    assert sample.ctx == SchedCtx(g=-1, p=0, m=1)


def test_generation_with_only_cpu_samples() -> None:
    data = trace(Version.Go126, sync_batch(Version.Go126, time=1), encode_batch(1, NO_THREAD, 1, encode_cpu_samples([(5, 2, 3, 4, 0)])), EOG)
    evs, err = read_all(data)
    assert err is None and summary(evs) == [("Sync", 1, 1), ("Sample", 5, 0), ("Sync", 6, 2)]


# --- Construction and sources. ---------------------------------------------------------------


@pytest.mark.parametrize("ver", [Version.Go111, Version.Go119, Version.Go121])
def test_v1_is_parsed_at_construction(ver: Version) -> None:
    """v1 traces are read whole by NewReader: their errors come from the constructor."""
    with pytest.raises(TraceError) as ei:
        Reader(write_header(ver) + b"\x00")
    assert ei.value.message == "unknown event type 0"
    assert not isinstance(ei.value, UnsupportedTraceError)
    with pytest.raises(TraceError) as ei:
        Reader(write_header(ver))
    assert ei.value.message == "no EvFrequency event"


@pytest.mark.parametrize(
    ("data", "msg"),
    [
        (b"", "bad file format: not a Go execution trace?"),
        (b"go 1.26 trac", "bad file format: not a Go execution trace?"),
        (b"go 1.24 trace\x00\x00\x00", "unknown or unsupported trace version go 1.24"),
    ],
)
def test_header_errors(data: bytes, msg: str) -> None:
    with pytest.raises(TraceError) as ei:
        Reader(data)
    assert ei.value.message == msg


def test_sources_are_equivalent(tmp_path: Path) -> None:
    data = trace(
        Version.Go126,
        *(
            part
            for g in range(1, 4)
            for part in (
                sync_batch(Version.Go126, g, time=g * 100),
                encode_batch(g, NO_THREAD, 0, encode_strings([(1, "s" * 1000)])),
                *(spans(g, m, g * 100 + m, *((1, i) for i in range(6000))) for m in range(3)),
                EOG,
            )
        ),
    )
    p = tmp_path / "t.trace"
    p.write_bytes(data)
    want = summary(read_all(data)[0])
    assert len(want) == 3 * (1 + 3 * 6000) + 1
    for src in (str(p), p, io.BytesIO(data), memoryview(data), bytearray(data)):
        assert summary(read_all(src)[0]) == want
    with Reader(p) as r:
        assert summary(list(r)) == want
    small = Reader(io.BytesIO(data), chunk_size=1)
    assert summary(list(small)) == want


def test_iteration_stops_at_eof_and_raises_trace_errors() -> None:
    assert len(list(Reader(trace(Version.Go126)))) == 1
    with pytest.raises(TraceError, match="no frequency"):
        list(Reader(trace(Version.Go123)))


# --- Go's own test traces. -------------------------------------------------------------------


def test_go_testdata(go_test_file: Path) -> None:
    """Each of Go's ``testdata/tests/*.test`` (read from the pinned GOROOT): its expectation
    holds, times strictly increase and Sync events count generations from 1."""
    from oracle.parser import raw

    text = go_test_file.read_text("utf-8", "surrogateescape")
    parts = re.split(r"^-- (\S+) --\n", text, flags=re.M)
    files = dict(zip(parts[1::2], parts[2::2]))
    expect = files["expect"].splitlines()[0] if files["expect"].strip() else "SUCCESS"
    evs, err = read_all(raw.text_to_binary(files["trace"]))
    if expect.startswith("SUCCESS"):
        assert err is None, err
        assert evs[-1].kind == EventKind.Sync and evs[-1].table is None
    else:
        import ast

        rx = ast.literal_eval(expect[len("FAILURE ") :])
        assert err is not None and re.search(rx, err.message), (rx, err)
    times = [e.time for e in evs]
    assert times == sorted(set(times))  # strictly increasing
    syncs = [e.base.args[0] for e in evs if e.kind == EventKind.Sync]
    assert syncs == list(range(1, len(syncs) + 1))


def test_queue_is_drained_first() -> None:
    r, o = scripted(trace(Version.Go126, sync_batch(Version.Go126), spans(1, 1, 10, (1, 1)), EOG))
    r.read_event()
    o.queue.append(Event(None, SchedCtx(), BaseEvent(EventType.SpanFree, 0, [42, 0, 0, 0])))
    o.queue.append(Event(None, SchedCtx(), BaseEvent(EventType.SpanFree, 0, [43, 0, 0, 0])))
    ev = r.read_event()
    assert ev.base.args[0] == 42 and ev.time == 11  # fixed up after the Sync at 10
    assert o.tries == []
    # Queued events come out first in first-out order, before the batches are touched again.
    assert r.read_event().base.args[0] == 43 and o.tries == [] and not o.queue
    assert r.read_event().base.args[0] == 1 and o.tries == [(1, 1)]
