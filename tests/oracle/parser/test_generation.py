"""Tests for oracle.parser.generation: both loaders' edge cases and every table section's errors."""

from __future__ import annotations

from functools import partial

import pytest

from oracle.parser.base import NO_GOROUTINE, NO_THREAD, DataTable, Frame, SchedCtx, StackRecord, SyncData
from oracle.parser.batch import Batch, ByteSource
from oracle.parser.batchcursor import encode_timed_event as tev
from oracle.parser.errors import TraceError
from oracle.parser.generation import (
    BareEOFError,
    Generation,
    SpilledBatch,
    add_cpu_samples,
    add_stacks,
    add_strings,
    encode_cpu_samples,
    encode_stacks,
    encode_strings,
    encode_sync,
    fix_up_cpu_samples,
    process_batch,
    read_generation,
    read_generation_with_spill,
    set_sync_batch,
    validate_stack_strings,
)
from oracle.parser.rawtrace import encode_batch, encode_end_of_generation
from oracle.parser.tracev2 import EventType
from oracle.parser.version import Version

EOG = encode_end_of_generation()
CLOCK = (1, 1000, 1700000000, 5)


def sync126(gen: int = 1, time: int = 10, freq: int | None = 1_000_000_000, clock: tuple[int, int, int, int] | None = CLOCK) -> bytes:
    return encode_batch(gen, NO_THREAD, time, encode_sync(Version.Go126, freq, clock))


def events(gen: int, m: int, time: int, *evs: bytes) -> bytes:
    return encode_batch(gen, m, time, b"".join(evs))


PROC_STOP = tev(EventType.ProcStop, 1)


def _read126(data: bytes) -> Generation | None:
    return read_generation(ByteSource(data), Version.Go126)


def _raises(msg: str, fn: object, *args: object) -> TraceError:
    with pytest.raises(TraceError) as ei:
        fn(*args)  # type: ignore[operator]
    assert ei.value.message == msg
    return ei.value


# --- read_generation (Go 1.26+). -------------------------------------------------------------


def test_read_generation_collects_everything() -> None:
    data = (
        events(3, 5, 50, PROC_STOP)
        + sync126(3, time=40)
        + encode_batch(3, NO_THREAD, 0, encode_strings([(1, "main"), (2, b"f\xffile")]))
        + encode_batch(3, NO_THREAD, 0, encode_stacks([(1, [(0x10, 1, 2, 7)])]))
        + events(3, 2, 30, PROC_STOP)
        + events(3, 5, 60, PROC_STOP)
        + encode_batch(3, NO_THREAD, 0, b"opaque", exp=1)
        + EOG
        + b"\xffnext generation is not read"
    )
    src = ByteSource(data)
    g = read_generation(src, Version.Go126)
    assert g is not None
    assert g.gen == 3
    assert g.batch_ms == [5, 2]
    assert [b.time for b in g.batches[5]] == [50, 60]
    # minTs: 50, then 40, then the table batches' time 0 takes over, and a 0 does not stick:
    # the next batch (30) replaces it.
    assert g.min_ts == 0  # the experimental batch (time 0) comes last
    assert g.freq == 1.0
    assert g.ev_table.sync.has_clock_snapshot and g.ev_table.sync.snap_time == 41
    assert g.ev_table.strings.get(2) == ("f\udcffile", True)
    assert g.ev_table.pcs[0x10] == Frame(0x10, 1, 2, 7)
    assert g.ev_table.exp_batches == {1: [(NO_THREAD, b"opaque")]}
    assert src.offset == len(data) - len(b"\xffnext generation is not read")


@pytest.mark.parametrize(
    ("times", "want"),
    [([0, 5], 5), ([5, 0], 0), ([7, 3, 9], 3), ([0, 0, 4], 4), ([4, 0, 0, 2], 2)],
)
def test_min_ts_zero_does_not_stick(times: list[int], want: int) -> None:
    data = b"".join(events(1, 1, t, PROC_STOP) for t in times) + sync126(time=times[-1]) + EOG
    g = _read126(data)
    assert g is not None and g.min_ts == want


def test_clean_end_cases() -> None:
    assert _read126(b"") is None
    # Only structural batches before EOF: silently dropped, a clean end.
    assert _read126(sync126() + encode_batch(1, NO_THREAD, 0, encode_strings([(1, "x")]))) is None
    assert _read126(encode_batch(1, NO_THREAD, 0, b"x", exp=1)) is None


@pytest.mark.parametrize(
    ("data", "msg"),
    [
        (sync126() + events(1, 1, 1, PROC_STOP), "incomplete generation found; trace likely truncated"),
        # Even an event batch with an empty body counts as an event batch.
        (events(1, 1, 1), "incomplete generation found; trace likely truncated"),
        (EOG, "no frequency event found"),
        (sync126(freq=None) + EOG, "no frequency event found"),
        (sync126(clock=None) + EOG, "no clock snapshot event found"),
        (sync126(gen=0), "invalid generation number 0"),
        (sync126() + events(2, 1, 1, PROC_STOP), "broken trace: missing end-of-generation event, or generations are interleaved"),
        (sync126() + events(1, 1, 1, PROC_STOP) + b"\x01\x01\x01", "error reading batch timestamp: EOF"),
        (sync126() + b"\x07", "expected batch event, got event 7"),
        (
            # (An unknown PC cannot happen from the wire: every frame read defines its PC.)
            sync126() + encode_batch(1, NO_THREAD, 0, encode_stacks([(1, [(5, 3, 0, 0)])])) + EOG,
            "found invalid func string ID 3 for stack 1",
        ),
    ],
)
def test_read_generation_errors(data: bytes, msg: str) -> None:
    _raises(msg, _read126, data)


def test_event_batch_starting_with_eog_byte_ends_the_generation() -> None:
    # Classification is by first byte, so an EventBatch whose body starts with 52 is taken as
    # the end marker (and its generation number is still recorded if it came first).
    data = sync126() + events(1, 1, 1, PROC_STOP) + events(1, 1, 1, bytes([EventType.EndOfGeneration]))
    g = _read126(data)
    assert g is not None and g.batch_ms == [1]


def test_first_eog_then_generation_number_is_zero() -> None:
    # The marker's gen (0) initialises g.gen; the generation is then empty.
    _raises("no frequency event found", _read126, EOG + sync126())


def test_generation_numbers_are_not_checked_across_generations() -> None:
    src = ByteSource(sync126(gen=5) + EOG + sync126(gen=2) + EOG)
    g1 = read_generation(src, Version.Go126)
    g2 = read_generation(src, Version.Go126)
    assert g1 is not None and g2 is not None and (g1.gen, g2.gen) == (5, 2)


def test_loader_version_guards() -> None:
    _raises("internal error: readGeneration called for <1.26 trace", read_generation, ByteSource(b""), Version.Go125)
    _raises(
        "internal error: readGenerationWithSpill called for Go 1.26+ trace",
        read_generation_with_spill,
        ByteSource(b""),
        None,
        Version.Go126,
    )


# --- read_generation_with_spill (before Go 1.26). --------------------------------------------


def freq_batch(gen: int, time: int = 0) -> bytes:
    return encode_batch(gen, NO_THREAD, time, encode_sync(Version.Go123, 1_000_000_000))


def test_spill_hands_over_the_next_generations_first_batch() -> None:
    data = freq_batch(1) + events(1, 1, 9, PROC_STOP) + events(2, 3, 7, PROC_STOP) + freq_batch(2, 100) + events(2, 4, 1, PROC_STOP)
    src = ByteSource(data)
    g1, spill, err = read_generation_with_spill(src, None, Version.Go123)
    assert (g1.gen, g1.batch_ms, err) == (1, [1], None)
    assert spill == SpilledBatch(2, Batch(m=3, time=7, data=PROC_STOP))
    g2, spill2, err2 = read_generation_with_spill(src, spill, Version.Go123)
    # The spilled batch comes first and sets minTs (then 100 is not smaller, 1 is).
    assert (g2.gen, g2.batch_ms, g2.min_ts, spill2, err2) == (2, [3, 4], 1, None, None)


def test_spill_error_is_deferred_once_the_generation_started() -> None:
    data = freq_batch(1) + events(1, 1, 9, PROC_STOP) + b"\x01\x02\x01\x01\x09abc"
    g, spill, err = read_generation_with_spill(ByteSource(data), None, Version.Go123)
    assert g.gen == 1 and spill is None
    assert err is not None and err.message == "failed to read full batch: read 3 but wanted 9"


def test_spill_error_is_fatal_at_once_in_go_1_22() -> None:
    """``spill_error_deferred=False`` (Go 1.22, finding 8): the generation is lost."""
    data = freq_batch(1) + events(1, 1, 9, PROC_STOP) + b"\x01\x02\x01\x01\x09abc"
    _raises("failed to read full batch: read 3 but wanted 9",
            partial(read_generation_with_spill, spill_error_deferred=False),
            ByteSource(data), None, Version.Go122)


def test_spill_error_before_the_generation_started_is_fatal() -> None:
    _raises("expected batch event, got event 9", read_generation_with_spill, ByteSource(b"\x09"), None, Version.Go123)


@pytest.mark.parametrize(
    ("ver", "data", "msg"),
    [
        (Version.Go123, b"", "no frequency event found"),
        (Version.Go123, events(1, 1, 1, PROC_STOP), "no frequency event found"),
        (Version.Go123, freq_batch(1) + events(3, 1, 1), "generations out of order"),
        (Version.Go123, freq_batch(2) + events(1, 1, 1), "generations out of order"),
        (Version.Go123, freq_batch(1) + events(0, 1, 1), "invalid generation number 0"),
        (Version.Go123, freq_batch(1) + EOG, "invalid generation number 0"),
        (
            Version.Go123,
            freq_batch(1) + events(1, 1, 1, bytes([EventType.EndOfGeneration])),
            "internal error: unexpectedly processing EndOfGeneration; broken trace?",
        ),
        (Version.Go125, encode_batch(1, NO_THREAD, 0, encode_sync(Version.Go125, 10)), "no clock snapshot event found"),
        # A <1.25-style frequency batch is an event batch in a 1.25 trace.
        (Version.Go125, freq_batch(1), "no frequency event found"),
    ],
)
def test_spill_errors(ver: Version, data: bytes, msg: str) -> None:
    _raises(msg, read_generation_with_spill, ByteSource(data), None, ver)


def test_spill_go125_with_clock() -> None:
    data = encode_batch(1, NO_THREAD, 3, encode_sync(Version.Go125, 10, (4, 5, 6, 7)))
    g, spill, err = read_generation_with_spill(ByteSource(data), None, Version.Go125)
    assert g.ev_table.sync == SyncData(freq=1.0 / (10 / 1e9), has_clock_snapshot=True, snap_time=7, snap_mono=5, snap_wall_sec=6, snap_wall_nsec=7)


# --- Strings. --------------------------------------------------------------------------------


def _strings(body: bytes) -> DataTable[str]:
    t: DataTable[str] = DataTable("", "string")
    add_strings(t, Batch(m=-1, time=0, data=body))
    return t


def test_strings_any_bytes_round_trip() -> None:
    raw = bytes(range(256)) * 4
    t = _strings(encode_strings([(1, raw), (3, b""), (9, "héllo")]))
    s, ok = t.get(1)
    assert ok and s.encode("utf-8", "surrogateescape") == raw
    assert t.get(3) == ("", True) and t.get(9) == ("héllo", True)


@pytest.mark.parametrize(
    ("body", "msg"),
    [
        (b"\x04\x06", "expected string event, got 6"),
        (b"\x04\x05\x01\x80", "unexpected EOF"),
        (b"\x04\x05\x01\x81\x08", "invalid string size 1025, maximum is 1024"),
        (b"\x04\x05\x01\x05ab", "failed to read full string: read 2 but wanted 5"),
        (encode_strings([(0, "x")]), "multiple strings with the same ID: id=0, new=x, existing="),
        (encode_strings([(4, "a"), (4, "b")]), "multiple strings with the same ID: id=4, new=b, existing=a"),
    ],
)
def test_strings_errors(body: bytes, msg: str) -> None:
    err = _raises(msg, _strings, body)
    assert not isinstance(err, BareEOFError)


@pytest.mark.parametrize("body", [b"\x04\x05", b"\x04\x05\x01"])
def test_strings_bare_eof(body: bytes) -> None:
    # A section ending right where a varint starts: Go returns io.EOF itself.
    with pytest.raises(BareEOFError) as ei:
        _strings(body)
    assert ei.value.message == "EOF"


def test_string_of_max_size() -> None:
    assert _strings(encode_strings([(1, b"a" * 1024)])).get(1) == ("a" * 1024, True)


# --- Stacks. ---------------------------------------------------------------------------------


def _stacks(body: bytes, pcs: dict[int, Frame] | None = None) -> DataTable[StackRecord]:
    t: DataTable[StackRecord] = DataTable(StackRecord(()), "trace.stack")
    add_stacks(t, {} if pcs is None else pcs, Batch(m=-1, time=0, data=body))
    return t


def test_stacks_first_frame_per_pc_wins() -> None:
    pcs: dict[int, Frame] = {}
    t = _stacks(encode_stacks([(1, [(0xA, 1, 2, 3), (0xB, 4, 5, 6)]), (2, [(0xA, 7, 8, 9)]), (3, [])]), pcs)
    assert t.get(2) == (StackRecord((0xA,)), True)
    assert t.get(3) == (StackRecord(()), True)
    assert pcs == {0xA: Frame(0xA, 1, 2, 3), 0xB: Frame(0xB, 4, 5, 6)}


def test_stacks_keep_their_own_frames_in_go_1_22() -> None:
    """``frames_by_pc=False`` (Go 1.22, finding 29): no PC table; each stack its frames, all
    validated; a duplicate ID prints them as Go 1.22's ``%#v`` of a ``trace.frame``."""
    t: DataTable[StackRecord] = DataTable(StackRecord(()), "trace.stack")
    pcs: dict[int, Frame] = {}
    body = encode_stacks([(1, [(0xA, 1, 0, 3)]), (2, [(0xA, 0, 2, 0)])])
    add_stacks(t, pcs, Batch(m=-1, time=0, data=body), frames_by_pc=False)
    assert pcs == {}
    assert t.get(2) == (StackRecord((0xA,), (Frame(0xA, 0, 2, 0),)), True)
    strings: DataTable[str] = DataTable("", "string")
    strings.insert(1, "f")
    _raises("found invalid file string ID 2 for stack 2", validate_stack_strings, t, strings, pcs)
    _raises("multiple trace.stacks with the same ID: id=1, "
            "new=\ttrace.frame{pc:0x10, funcID:0x0, fileID:0xff, line:0x0}\n, "
            "existing=\ttrace.frame{pc:0xa, funcID:0x1, fileID:0x0, line:0x3}\n",
            partial(add_stacks, frames_by_pc=False), t, pcs,
            Batch(m=-1, time=0, data=encode_stacks([(1, [(16, 0, 255, 0)])])))


@pytest.mark.parametrize(
    ("body", "msg"),
    [
        (b"\x02\x05", "expected stack event, got 5"),
        (b"\x02\x03\x01\x81\x01", "invalid stack size 129, maximum is 128"),
        (b"\x02\x03\x07\x01", "reading frame 1's PC for stack 7: EOF"),
        (b"\x02\x03\x07\x02\x01\x01\x01\x01\x80", "reading frame 2's PC for stack 7: unexpected EOF"),
        (b"\x02\x03\x07\x01\x01", "reading frame 1's funcID for stack 7: EOF"),
        (b"\x02\x03\x07\x01\x01\x01", "reading frame 1's fileID for stack 7: EOF"),
        (b"\x02\x03\x07\x01\x01\x01\x01", "reading frame 1's line for stack 7: EOF"),
        (b"\x02\x03\x07\x01\x01\x01\x01" + b"\xff" * 10, "reading frame 1's line for stack 7: binary: varint overflows a 64-bit integer"),
        (encode_stacks([(0, [(1, 0, 0, 0)])]), "multiple trace.stacks with the same ID: id=0, new=\t0x1\n, existing="),
        (encode_stacks([(2, []), (2, [(16, 0, 0, 0)])]), "multiple trace.stacks with the same ID: id=2, new=\t0x10\n, existing="),
    ],
)
def test_stacks_errors(body: bytes, msg: str) -> None:
    _raises(msg, _stacks, body)


@pytest.mark.parametrize("body", [b"\x02\x03", b"\x02\x03\x01"])
def test_stacks_bare_eof(body: bytes) -> None:
    with pytest.raises(BareEOFError):
        _stacks(body)


def test_validate_stack_strings() -> None:
    strings: DataTable[str] = DataTable("", "string")
    strings.insert(1, "f")
    stacks: DataTable[StackRecord] = DataTable(StackRecord(()), "trace.stack")
    stacks.insert(1, StackRecord((0xABC,)))
    pcs = {0xABC: Frame(0xABC, 1, 0, 1)}
    validate_stack_strings(stacks, strings, pcs)  # string 0 is always valid
    _raises("found unknown pc abc for stack 1", validate_stack_strings, stacks, strings, {})
    _raises("found invalid func string ID 2 for stack 1", validate_stack_strings, stacks, strings, {0xABC: Frame(0xABC, 2, 3, 1)})
    _raises("found invalid file string ID 3 for stack 1", validate_stack_strings, stacks, strings, {0xABC: Frame(0xABC, 1, 3, 1)})


def test_validation_reports_the_first_stack_in_dense_order() -> None:
    strings: DataTable[str] = DataTable("", "string")
    stacks: DataTable[StackRecord] = DataTable(StackRecord(()), "trace.stack")
    stacks.insert(2, StackRecord((2,)))
    stacks.insert(1, StackRecord((1,)))
    stacks.compactify()
    _raises("found unknown pc 1 for stack 1", validate_stack_strings, stacks, strings, {})


# --- CPU samples. ----------------------------------------------------------------------------


def test_cpu_samples_decode_and_sort() -> None:
    samples: list = []
    body = encode_cpu_samples([(30, 1, 2, 0, 4), (10, 2**64 - 1, 2**64 - 1, 9, 0)])
    add_cpu_samples(samples, Batch(m=-1, time=0, data=body))
    assert [(s.time, s.ctx, s.stack) for s in samples] == [
        (30, SchedCtx(g=NO_GOROUTINE, p=2, m=1), 4),
        (10, SchedCtx(g=9, p=-1, m=-1), 0),
    ]
    fixed = fix_up_cpu_samples(samples, 2.0)
    assert [s.time for s in fixed] == [20, 60]


def test_cpu_samples_tie_order_is_pdqsort() -> None:
    # 13 samples with equal times: Go's unstable sort permutes them; this order was printed by
    # slices.SortFunc on 13 equal keys (insertion sort handles <= 12, so 13 is the first size
    # where pdqsort's partitioning shows).
    samples: list = []
    add_cpu_samples(samples, Batch(m=-1, time=0, data=encode_cpu_samples([(5, i, 0, 0, i) for i in range(13)])))
    fixed = fix_up_cpu_samples(samples, 1.0)
    from oracle.parser.gosort import sort_func_by_key

    idx = list(range(13))
    sort_func_by_key(idx, lambda i: 0)
    assert [s.stack for s in fixed] == idx


@pytest.mark.parametrize(
    ("body", "exc", "msg"),
    [
        (b"\x06\x05", TraceError, "expected CPU sample event, got 5"),
        (b"\x06\x07", BareEOFError, "EOF"),
        (b"\x06\x07\x01\x01\x01\x01", BareEOFError, "EOF"),
        (b"\x06\x07\x01\x01\x01\x01\x80", TraceError, "unexpected EOF"),
    ],
)
def test_cpu_samples_errors(body: bytes, exc: type, msg: str) -> None:
    with pytest.raises(exc) as ei:
        add_cpu_samples([], Batch(m=-1, time=0, data=body))
    assert ei.value.message == msg


# --- Sync batches. ---------------------------------------------------------------------------


def _sync(body: bytes, ver: Version, time: int = 0, s: SyncData | None = None) -> SyncData:
    s = SyncData() if s is None else s
    set_sync_batch(s, Batch(m=-1, time=time, data=body), ver)
    return s


def test_sync_decoding() -> None:
    s = _sync(encode_sync(Version.Go126, 15625000, (10, 99, 2**64 - 1, 2**63)), Version.Go126, time=2**64 - 5)
    assert s.freq == 64.0
    # The snapshot tick time wraps as a uint64.
    assert s.snap_time == 5 and s.snap_mono == 99
    assert (s.snap_wall_sec, s.snap_wall_nsec) == (-1, -(2**63))
    # Clock snapshot first is fine too.
    s2 = _sync(bytes([EventType.Sync, EventType.ClockSnapshot, 1, 2, 3, 4, EventType.Frequency, 1]), Version.Go125, time=1)
    assert s2.snap_time == 2 and s2.freq == 1.0 / (1 / 1e9) == 999999999.9999999
    # Frequency 0 is not "missing": it is +Inf ns per tick.
    assert _sync(encode_sync(Version.Go123, 0), Version.Go123).freq == float("inf")


@pytest.mark.parametrize(
    ("body", "ver", "msg"),
    [
        (encode_sync(Version.Go123, 1) + b"\x08\x01", Version.Go123, "found multiple frequency events"),
        (encode_sync(Version.Go126, None, CLOCK) + encode_sync(Version.Go126, None, CLOCK)[1:], Version.Go126, "found multiple clock snapshot events"),
        (encode_sync(Version.Go123, 1) + b"\x33\x01\x01\x01\x01", Version.Go123, "expected frequency or clock snapshot event, got 51"),
        (b"\x32\x32", Version.Go125, "expected frequency or clock snapshot event, got 50"),
        (b"\x32\x08\x80", Version.Go125, "unexpected EOF"),
    ],
)
def test_sync_errors(body: bytes, ver: Version, msg: str) -> None:
    _raises(msg, _sync, body, ver)


@pytest.mark.parametrize("body", [b"\x08", b"\x32\x33\x01\x01\x01"])
def test_sync_bare_eof(body: bytes) -> None:
    ver = Version.Go123 if body[0] == 8 else Version.Go126
    with pytest.raises(BareEOFError):
        _sync(body, ver)


def test_duplicate_frequency_across_sync_batches() -> None:
    g = Generation()
    process_batch(g, Batch(m=-1, time=0, data=encode_sync(Version.Go126, 5)), Version.Go126)
    _raises("found multiple frequency events", process_batch, g, Batch(m=-1, time=0, data=encode_sync(Version.Go126, 5)), Version.Go126)


def test_process_batch_routes_experimental_batches_first() -> None:
    g = Generation()
    # An experimental batch whose body looks like a strings section is still experimental.
    process_batch(g, Batch(m=3, time=0, data=encode_strings([(1, "x")]), exp=7), Version.Go126)
    assert g.ev_table.exp_batches == {7: [(3, encode_strings([(1, "x")]))]}
    assert len(g.ev_table.strings) == 0


def test_sparse_stack_table_reports_the_first_bad_stack_in_file_order() -> None:
    # Go walks a sparse table in Go map order, so with several bad stacks its error names a
    # random one (observed: 30 runs of Go 1.27.3 on this input named stacks 1000, 5000 and
    # 9000).  We use insertion order, i.e. the first bad stack in the file.
    data = (
        sync126()
        + encode_batch(
            1,
            NO_THREAD,
            1,
            encode_stacks([(1000, [(1, 7, 0, 0)]), (5000, [(2, 8, 0, 0)]), (9000, [(3, 9, 0, 0)])]),
        )
        + EOG
    )
    _raises("found invalid func string ID 7 for stack 1000", _read126, data)
