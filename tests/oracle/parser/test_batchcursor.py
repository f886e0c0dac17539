"""Tests for oracle.parser.batchcursor: event decoding, per-step times, and Go's exact heap moves."""

from __future__ import annotations

import random
import zlib

import pytest

from oracle.parser.base import BaseEvent
from oracle.parser.batch import Batch
from oracle.parser.batchcursor import (
    MAX_TIME,
    BatchCursor,
    heap_insert,
    heap_remove,
    heap_update,
    read_timed_base_event,
)
from oracle.parser.errors import TraceError
from oracle.parser.tracev2 import EventType
from oracle.parser.uvarint import put_uvarint

_U64 = (1 << 64) - 1


def ev(typ: int, *vals: int) -> bytes:
    """One wire event: type byte then uvarints (dt first)."""
    return bytes((typ,)) + b"".join(put_uvarint(v) for v in vals)


def batch(time: int, *events: bytes, m: int = 1) -> Batch:
    return Batch(m=m, time=time, data=b"".join(events))


# --- Decoding. -------------------------------------------------------------------------------


def test_decodes_args_and_dt() -> None:
    e = BaseEvent(0, 0)
    data = ev(EventType.GoCreate, 300, 7, 1 << 40, 2)
    n, dt = read_timed_base_event(data, 0, e)
    assert (n, dt) == (len(data), 300)
    assert e.typ == EventType.GoCreate
    assert e.args[:3] == [7, 1 << 40, 2]


def test_decode_at_offset_and_unused_args_keep_stale_values() -> None:
    # Go reuses the cursor's event struct: slots an event does not use keep old values.
    e = BaseEvent(0, 0, [9, 9, 9, 9])
    data = b"\xff" + ev(EventType.ProcStop, 1)
    n, dt = read_timed_base_event(data, 1, e)
    assert (n, dt) == (2, 1)
    assert e.args == [9, 9, 9, 9]


@pytest.mark.parametrize(
    ("data", "msg"),
    [
        (bytes([137]), "found invalid event type: 137"),
        (bytes([255, 0]), "found invalid event type: 255"),
        (bytes([0]), "found event without a timestamp: type=0"),
        (bytes([EventType.EventBatch, 1]), "found event without a timestamp: type=1"),
        (bytes([EventType.Sync]), "found event without a timestamp: type=50"),
        (bytes([EventType.EndOfGeneration]), "found event without a timestamp: type=52"),
        (bytes([100]), "found event without a timestamp: type=100"),
        (bytes([EventType.ProcStop]), "found invalid uvarint for timestamp"),
        (bytes([EventType.ProcStop, 0x80]), "found invalid uvarint for timestamp"),
        (bytes([EventType.ProcStop]) + b"\xff" * 9 + b"\x02", "found invalid uvarint for timestamp"),
        (bytes([EventType.ProcStart, 1]), "found invalid uvarint"),
        (bytes([EventType.ProcStart, 1, 2, 0x80]), "found invalid uvarint"),
        (bytes([EventType.ProcStart, 1, 2]) + b"\xff" * 10, "found invalid uvarint"),
    ],
)
def test_decode_errors(data: bytes, msg: str) -> None:
    with pytest.raises(TraceError) as ei:
        read_timed_base_event(data, 0, BaseEvent(0, 0))
    assert ei.value.message == msg


def test_experimental_events_decode_in_any_version() -> None:
    e = BaseEvent(0, 0)
    read_timed_base_event(ev(EventType.HeapObjectAlloc, 1, 2, 3), 0, e)
    assert e.typ == EventType.HeapObjectAlloc and e.args[:2] == [2, 3]


def test_type_is_set_before_spec_check() -> None:
    # Go writes e.typ before rejecting an untimed type; a later dump shows it.
    e = BaseEvent(EventType.GoStart, 0)
    with pytest.raises(TraceError):
        read_timed_base_event(bytes([EventType.Stacks]), 0, e)
    assert e.typ == EventType.Stacks


# --- Cursor. ---------------------------------------------------------------------------------


def test_times_convert_per_step() -> None:
    # 1 tick = 2/3 ns.  Per step: int(2*2/3)=1, then +int(2*2/3)=1 per event.  Converting the
    # tick sum instead would give int(6*2/3)=4 for the third event, not 3.
    freq = 2.0 / 3.0
    b = batch(2, ev(EventType.ProcStop, 2), ev(EventType.ProcStop, 2), ev(EventType.ProcStop, 2))
    bc = BatchCursor(m=1)
    times = []
    while bc.next_event([b], freq):
        times.append(bc.ev.time)
    assert times == [1 + 1, 1 + 1 + 1, 1 + 1 + 1 + 1]


def test_cursor_walks_batches_and_skips_empty_ones() -> None:
    bs = [
        Batch(m=1, time=100, data=b""),
        batch(100, ev(EventType.ProcStop, 5)),
        Batch(m=1, time=7, data=b""),
        batch(1000, ev(EventType.ProcStop, 1), ev(EventType.ProcStop, 1)),
    ]
    bc = BatchCursor(m=1)
    got = []
    while bc.next_event(bs, 1.0):
        got.append(bc.ev.time)
    assert got == [105, 1001, 1002]
    assert bc.idx == len(bs)
    assert not bc.next_event(bs, 1.0)


def test_zero_time_restarts_from_batch_base() -> None:
    # Go's quirk: lastTs == 0 means "not initialised", even mid-batch.  Base 2**63 ticks and
    # dt 2**63 both convert to int64 min (out of range), and their sum wraps to exactly 0; the
    # next event then starts again from the batch base (int64 min) instead of from 0.
    b = batch(1 << 63, ev(EventType.ProcStop, 1 << 63), ev(EventType.ProcStop, 5))
    bc = BatchCursor(m=1)
    assert bc.next_event([b], 1.0) and bc.ev.time == 0
    assert bc.next_event([b], 1.0) and bc.ev.time == -(1 << 63) + 5


def test_nonfinite_freq_gives_int64_min() -> None:
    # Frequency 0 on the wire gives +Inf ns per tick; Go's float->int64 on amd64 yields int64
    # min for Inf and NaN (0 * Inf), and the add wraps.
    b = batch(5, ev(EventType.ProcStop, 0), ev(EventType.ProcStop, 1))
    bc = BatchCursor(m=1)
    assert bc.next_event([b], float("inf"))
    # lastTs = int64min (5*Inf); dt 0 -> NaN -> int64min; sum wraps to 0.
    assert bc.ev.time == 0
    assert bc.next_event([b], float("inf"))
    # lastTs was 0, so it restarts at int64min; plus int64min wraps to 0 again.
    assert bc.ev.time == 0


def test_time_addition_wraps_int64() -> None:
    b = batch((1 << 63) - 10, ev(EventType.ProcStop, 0), ev(EventType.ProcStop, 20))
    bc = BatchCursor(m=1)
    bc.next_event([b], 1.0)
    # float64(2**63 - 10) rounds to 2**63, which is out of int64 range: int64 min.
    assert bc.ev.time == -(1 << 63)
    bc.next_event([b], 1.0)
    assert bc.ev.time == -(1 << 63) + 20


def test_decode_error_propagates_and_keeps_position() -> None:
    b = batch(1, ev(EventType.ProcStop, 1), bytes([EventType.ProcStart, 1]))
    bc = BatchCursor(m=1)
    assert bc.next_event([b], 1.0)
    with pytest.raises(TraceError, match="found invalid uvarint"):
        bc.next_event([b], 1.0)
    assert bc.data_off == 2


def test_compare() -> None:
    a, b = BatchCursor(m=1), BatchCursor(m=2)
    a.ev.time, b.ev.time = 1, 2
    assert (a.compare(b), b.compare(a), a.compare(a)) == (-1, 1, 0)


# --- Heap. -----------------------------------------------------------------------------------


def _mk(t: int, m: int = 0) -> BatchCursor:
    bc = BatchCursor(m=m)
    bc.ev.time = t
    return bc


def _check_heap(heap: list[BatchCursor]) -> None:
    for i in range(1, len(heap)):
        assert heap[(i - 1) // 2].compare(heap[i]) <= 0, [c.ev.time for c in heap]


def test_heap_port_of_go_test_heap() -> None:
    """Port of TestHeap (batchcursor_test.go)."""
    heap: list[BatchCursor] = []
    _check_heap(heap)
    heap_insert(heap, _mk(5))
    _check_heap(heap)
    for i in range(-20, 20):
        heap_insert(heap, _mk(i))
        _check_heap(heap)

    for i in range(len(heap)):
        if heap[i].ev.time == 5:
            heap[i].ev.time = -21
            heap_update(heap, i)
            break
    _check_heap(heap)
    assert heap[0].ev.time == -21

    heap[0].ev.time = -22
    heap_update(heap, 0)
    _check_heap(heap)
    assert heap[0].ev.time == -22

    heap[-1].ev.time = 21
    heap_update(heap, len(heap) - 1)
    _check_heap(heap)
    assert heap[-1].ev.time == 21

    heap[-1].ev.time = 7
    heap_update(heap, len(heap) - 1)
    _check_heap(heap)
    assert heap[-1].ev.time != 21

    for i in range(len(heap)):
        if heap[i].ev.time == 5:
            heap_remove(heap, i)
            break
    _check_heap(heap)
    assert all(c.ev.time != 5 for c in heap)

    heap_remove(heap, len(heap) - 1)
    _check_heap(heap)

    removed = []
    for _ in range(len(heap)):
        removed.append(heap[0])
        heap_remove(heap, 0)
        _check_heap(heap)
    times = [c.ev.time for c in removed]
    assert times == sorted(times)


def test_ties_keep_the_earlier_cursor_on_top() -> None:
    heap: list[BatchCursor] = []
    for m in range(5):
        heap_insert(heap, _mk(3, m))
    assert [c.m for c in heap] == [0, 1, 2, 3, 4]
    # Removing the root: the last element is swapped in and sifts down; on a tie min3 keeps it.
    heap_remove(heap, 0)
    assert [c.m for c in heap] == [4, 1, 2, 3]


def test_remove_bubbles_to_root_ignoring_times() -> None:
    heap: list[BatchCursor] = []
    for m, t in enumerate([1, 2, 3, 4, 5, 6]):
        heap_insert(heap, _mk(t, m))
    heap_remove(heap, 4)  # time 5, child of index 1
    # Path 4 -> 1 -> 0 is rotated first: [5,1,3,4,2,6] by time; then root swaps with the last
    # (6) and sifts down.
    assert [c.ev.time for c in heap] == [1, 2, 3, 4, 6]
    assert [c.m for c in heap] == [0, 1, 2, 3, 5]


def test_min3_with_max_time() -> None:
    heap = [_mk(MAX_TIME, 0), _mk(MAX_TIME, 1)]
    heap_update(heap, 0)
    assert [c.m for c in heap] == [0, 1]


class _SplitMix64:
    def __init__(self, seed: int) -> None:
        self.s = seed

    def next(self) -> int:
        self.s = (self.s + 0x9E3779B97F4A7C15) & _U64
        z = self.s
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _U64
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _U64
        return z ^ (z >> 31)


def _heap_trace(c: int) -> str:
    """Transcription of the Go test that produced GO_HEAP_CRCS (see below)."""
    r = _SplitMix64(c)
    heap: list[BatchCursor] = []
    next_m = 0
    span = 1 + r.next() % 6
    out: list[str] = []
    for _ in range(80):
        k = r.next() % 10
        if k < 5 or not heap:
            heap_insert(heap, _mk(r.next() % span, next_m))
            next_m += 1
        elif k < 8:
            i = r.next() % len(heap)
            heap[i].ev.time = r.next() % span
            heap_update(heap, i)
        else:
            i = r.next() % len(heap)
            heap_remove(heap, i)
        out.append("".join(f"{bc.m}:{bc.ev.time}," for bc in heap))
        out.append(";")
    return "".join(out)


#: Produced by a throwaway internal test in a GOROOT copy of Go 1.27.3 (package trace):
#: 300 cases of 80 random heapInsert/heapUpdate/heapRemove operations on cursors with few
#: distinct times (so ties are everywhere), printing per case the CRC-32 of the sequence of
#: heap layouts "m:time," after every operation.  Any difference in sift/tie behaviour changes
#: the layout sequence.
GO_HEAP_CRCS = " ".join([
    "ff284b2d 685b8929 23301062 270edb0e a1d756ef c5afa178 6469cb78 96e31cbf f4b90bde 2d720c0c 6989f607",
    "9eed7a9f adfe1d72 54b9c09a 2fd15bd8 f4d8a956 73ba3211 15fbf52d 62d092a7 abf1f315 debf3924 5212875d",
    "4b332a20 33e20e44 c8364a08 0b93ca24 b422162e a67829f4 6444d1c4 07a3259f a33558d9 aa8ece4b 1e9e871b",
    "fb79aeb0 9708f71f 3ce6bd4b 1b3b6e0c 9e44a250 b45b32eb 4ac9fd92 d1c4f601 01badcc8 deeefbac 0acc4e40",
    "4d13c31b f9c3a707 a5736eec 7c5a3193 19a1bb72 4939acdc 1b53c4c2 2e6dbbfe afb9b981 29989a36 0bcbcd5f",
    "858bf197 ad78cfad 7ffb1479 caed4ce1 ad1bf6e5 e90a8250 01f113aa 4ce92810 a5fe823f d38e47a0 59980aaf",
    "30e91c2d 14374321 017d611f 8744e008 45ba94ca 6acbff2b 045ee91c a8b2b135 4473ef17 16e64ba3 6ec2aa40",
    "3716faaf 4d1c2739 0e740c7d 264c2524 8ed99d50 10f62ec5 d710ab27 e62ea1f7 0670fb3d fc4e6957 5c76fb4d",
    "d2080bd7 4cc8b0fc 54ba9536 835a5ce2 6c4450fa 26088aef 3c12ec86 467013ba d216ea5a 357b8119 25f553af",
    "4f8dea7e 482cc071 790de778 1c2cbd98 57a3f90a 343023ec d4f19d13 dcbe1e9b c5ac84ec 96b87408 c767b69a",
    "f064b4fc f17efda7 2662e23d 5aac40ae 4c697dca f082d359 a49d0c7e 3ae1bc90 ad9264b8 963b3e9d 46ea3c0d",
    "120fc54b baca90cc ed2e1944 4b51abcc a6552528 48d6ce5d 3804954a c8e5af95 289f187b fe3545d8 eeae675a",
    "5f4176ee 1d143b33 08230106 8cea0b81 7eb3df9a 2255558e 502314fe f5fb144f fd6cbcbd fc42681f fe3fcbe3",
    "b484872a f0804e38 04a2ae00 d11fceda cf9bfcb5 800f2af7 2b17783a d67829e0 6dd8469c 2d81de9c f489c39f",
    "b17e855a 6ee9d8d0 2fabe6bf f1f873df 0f3ea08c 2ac884bb b3c5309c e6d9a997 bd4e4308 f836b8d9 0428dcad",
    "34bef39c c25c4971 da257dde 4cb479c1 db87d335 a062b867 2f4cf72c c4e5aace 7954485a 925efaa0 448b4a2a",
    "1bf1a47b ab94b878 5a9ca6a3 a84eccc3 61943b1c 51546692 08ab9bf6 6a28d7ed 1e178507 66c9a6ac baf10392",
    "dee21604 ec526b01 a62a180e d5480b7f bea032be ebd137b4 559bf594 b1f0b4c3 195b497c ed89371e 9e4a22d8",
    "9d9c9251 d0b3af52 d7279173 b775fa70 1f037078 33352385 2a770f61 4e892f9d dcccd02d ca052e7a 3ad1da39",
    "d7eef94e a3b5af65 5e94d42c b97896a8 313c0053 30617b14 64e6c89f d89457bc da8289c5 3cd9f5c1 2de58cbe",
    "8d6f9fb4 4c28caf1 a9021c9b 27d778bf 23901f2c 69124cb4 d825f69f 03d470d9 99912838 a00b50b6 750ccd28",
    "3c8fa132 8474d665 0d9b9b57 6bc00eba 622404fe d1e156f0 cf9e359c b595d846 721a46e2 fc9c4be2 51215b98",
    "b9683b4e b4ee6ed3 bf8844c9 30bc8886 680c7a1b 710e1567 c3571032 2f2955e8 8ea7b0dc d92f6d92 20cf2ceb",
    "323e9675 68355c69 dc2173d2 486711a0 d4db50ff 320db002 52ca23c4 11c60eda 194c73a2 2bb5635b 81b6248a",
    "04775c8b 60be3864 b9c9c38e b78c0374 426fc996 14c95546 d23af722 2a331f40 4a8854b9 dfc03c6c 8f9ab14d",
    "c7c9242e 7ab98ae6 1a81312d 6b6f0427 35d0c067 d189adf0 49ce7d0f 03dc6dcd 3f85e001 8d2437d7 f1a24cd4",
    "c52f0961 74bf20b1 8ad4e6fd 70ee1eec 63f59820 b166cc77 1af88e44 a527dc1d 5085a021 6952ed8f 13564fb2",
    "ccb30b73 9bdf21e0 6e06cda6",
]).split()


def test_heap_moves_match_go_exactly() -> None:
    assert len(GO_HEAP_CRCS) == 300
    bad = [
        c
        for c, want in enumerate(GO_HEAP_CRCS)
        if f"{zlib.crc32(_heap_trace(c).encode()):08x}" != want
    ]
    assert bad == []


def test_heap_random_invariants() -> None:
    rnd = random.Random(5)
    heap: list[BatchCursor] = []
    for step in range(2000):
        op = rnd.randrange(3)
        if op == 0 or not heap:
            heap_insert(heap, _mk(rnd.randrange(10), step))
        elif op == 1:
            i = rnd.randrange(len(heap))
            heap[i].ev.time = rnd.randrange(10)
            heap_update(heap, i)
        else:
            heap_remove(heap, rnd.randrange(len(heap)))
        _check_heap(heap)
