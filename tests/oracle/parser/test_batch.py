"""Tests for oracle.parser.batch: batch framing, Go's exact error texts, classification, ByteSource."""

from __future__ import annotations

import io

import pytest

from oracle.parser.base import NO_THREAD
from oracle.parser.batch import Batch, ByteSource, read_batch
from oracle.parser.errors import TraceError
from oracle.parser.rawtrace import encode_batch, encode_end_of_generation
from oracle.parser.tracev2 import MAX_BATCH_SIZE, EventType
from oracle.parser.version import Version


class _Trickle(io.RawIOBase):
    """A stream that hands out at most ``n`` bytes per read, like a pipe."""

    def __init__(self, data: bytes, n: int = 1) -> None:
        self._data = data
        self._pos = 0
        self._n = n

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        k = self._n if size < 0 else min(size, self._n)
        out = self._data[self._pos : self._pos + k]
        self._pos += len(out)
        return out


def _sources(data: bytes) -> list[ByteSource]:
    """The same input as bytes, as a normal stream and as a byte-at-a-time stream."""
    return [ByteSource(data), ByteSource(io.BytesIO(data)), ByteSource(_Trickle(data))]


def _read_all(src: ByteSource) -> list[tuple[Batch, int]]:
    out = []
    while (res := read_batch(src)) is not None:
        out.append(res)
    return out


def test_round_trip_event_and_experimental_batches() -> None:
    data = (
        encode_batch(1, 7, 100, b"\x0b\x01")
        + encode_batch(1, NO_THREAD, 5, b"abc", exp=1)
        + encode_end_of_generation()
        + encode_batch(2, 2**64 - 2, 2**64 - 1, b"")
    )
    for src in _sources(data):
        got = _read_all(src)
        assert got == [
            (Batch(m=7, time=100, data=b"\x0b\x01"), 1),
            (Batch(m=-1, time=5, data=b"abc", exp=1), 1),
            (Batch(m=-1, time=0, data=bytes([EventType.EndOfGeneration])), 0),
            (Batch(m=-2, time=2**64 - 1, data=b""), 2),
        ]
        assert src.offset == len(data)


def test_experimental_batch_with_experiment_zero_is_a_plain_batch() -> None:
    res = read_batch(ByteSource(encode_batch(3, 1, 1, b"\x04", exp=0)))
    assert res is not None
    b, gen = res
    assert b.exp == 0 and gen == 3
    assert b.is_strings_batch()


@pytest.mark.parametrize(
    "data",
    [b"", bytes([EventType.ExperimentalBatch])],
    ids=["empty", "after-experimental-type-byte"],
)
def test_bare_eof(data: bytes) -> None:
    for src in _sources(data):
        assert read_batch(src) is None


@pytest.mark.parametrize(
    ("data", "msg"),
    [
        (b"\x00", "expected batch event, got event 0"),
        (b"\x02", "expected batch event, got event 2"),
        (b"\x32", "expected batch event, got event 50"),
        (b"\xff", "expected batch event, got event 255"),
        (b"\x01", "error reading batch gen: EOF"),
        (b"\x31\x01", "error reading batch gen: EOF"),
        (b"\x01\x80", "error reading batch gen: unexpected EOF"),
        (b"\x01" + b"\xff" * 9 + b"\x02", "error reading batch gen: binary: varint overflows a 64-bit integer"),
        (b"\x01" + b"\xff" * 10, "error reading batch gen: binary: varint overflows a 64-bit integer"),
        (b"\x01\x01", "error reading batch M ID: EOF"),
        (b"\x01\x01\x81", "error reading batch M ID: unexpected EOF"),
        (b"\x01\x01\x01", "error reading batch timestamp: EOF"),
        (b"\x01\x01\x01\x01", "error reading batch size: EOF"),
        (b"\x01\x01\x01\x01\xff", "error reading batch size: unexpected EOF"),
        (b"\x01\x01\x01\x01\x81\x80\x04", "invalid batch size 65537, maximum is 65536"),
        (b"\x01\x01\x01\x01\x05abc", "failed to read full batch: read 3 but wanted 5"),
        (b"\x01\x01\x01\x01\x05", "failed to read full batch: read 0 but wanted 5"),
    ],
)
def test_errors(data: bytes, msg: str) -> None:
    for src in _sources(data):
        with pytest.raises(TraceError) as ei:
            read_batch(src)
        assert ei.value.message == msg


def test_max_batch_size_is_allowed_and_padded_sizes_work() -> None:
    body = bytes(MAX_BATCH_SIZE)
    # The runtime pads the size field to 10 bytes.
    data = b"\x01\x01\x02\x03" + bytes([0x80, 0x80, 0x84, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00]) + body
    for src in _sources(data):
        res = read_batch(src)
        assert res is not None
        assert res[0].data == body and res[0].m == 2 and res[0].time == 3


def test_stream_window_slides_over_many_batches() -> None:
    bodies = [bytes([i % 251]) * (MAX_BATCH_SIZE - i) for i in range(40)]
    data = b"".join(encode_batch(1, i, i, b) for i, b in enumerate(bodies))
    src = ByteSource(io.BytesIO(data), chunk_size=1)
    got = _read_all(src)
    assert [b.data for b, _ in got] == bodies


@pytest.mark.parametrize(
    ("first", "ver", "kind"),
    [
        (EventType.Strings, Version.Go122, "strings"),
        (EventType.Stacks, Version.Go126, "stacks"),
        (EventType.CPUSamples, Version.Go123, "cpu"),
        (EventType.Frequency, Version.Go123, "sync"),
        (EventType.Frequency, Version.Go125, "events"),
        (EventType.Sync, Version.Go125, "sync"),
        (EventType.Sync, Version.Go126, "sync"),
        (EventType.Sync, Version.Go123, "events"),
        (EventType.EndOfGeneration, Version.Go126, "eog"),
        (EventType.GoStart, Version.Go126, "events"),
    ],
)
def test_classification(first: int, ver: Version, kind: str) -> None:
    b = Batch(m=1, time=0, data=bytes([first, 0]))
    got = {
        "strings": b.is_strings_batch(),
        "stacks": b.is_stacks_batch(),
        "cpu": b.is_cpu_samples_batch(),
        "sync": b.is_sync_batch(ver),
        "eog": b.is_end_of_generation(),
    }
    assert [k for k, v in got.items() if v] == ([] if kind == "events" else [kind])
    # An experimental batch is never classified by its first byte.
    b.exp = 1
    assert not any(
        (b.is_strings_batch(), b.is_stacks_batch(), b.is_cpu_samples_batch(), b.is_sync_batch(ver), b.is_end_of_generation())
    )


def test_empty_body_is_nothing_special() -> None:
    b = Batch(m=1, time=0, data=b"")
    assert not any(
        (b.is_strings_batch(), b.is_stacks_batch(), b.is_cpu_samples_batch(), b.is_sync_batch(Version.Go126), b.is_end_of_generation())
    )


def test_byte_source_primitives() -> None:
    for src in _sources(b"\x05\x80\x01rest"):
        assert src.read_byte() == 5
        assert src.read_uvarint() == 128
        assert src.read_up_to(10) == b"rest"
        assert src.read_byte() is None
        assert src.read_up_to(3) == b""
