"""Tests for oracle.parser.uvarint: Go's encoding/binary uvarint semantics, by property."""

from __future__ import annotations

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from oracle.parser.uvarint import (
    ERR_OVERFLOW,
    MAX_VARINT_LEN64,
    VarintError,
    put_uvarint,
    put_uvarint_padded,
    read_uvarint,
    uvarint,
)

u64 = st.integers(0, 2**64 - 1)


def _reference_uvarint(b: bytes) -> tuple[int, int]:
    """An independent transcription of ``binary.Uvarint`` for cross-checking."""
    x = 0
    s = 0
    for i, c in enumerate(b):
        if i == MAX_VARINT_LEN64:
            return 0, -(i + 1)
        if c < 0x80:
            if i == MAX_VARINT_LEN64 - 1 and c > 1:
                return 0, -(i + 1)
            return x | c << s, i + 1
        x |= (c & 0x7F) << s
        s += 7
    return 0, 0


@given(u64)
def test_minimal_round_trip(x: int) -> None:
    b = put_uvarint(x)
    assert len(b) == max(1, (x.bit_length() + 6) // 7)
    assert b[-1] < 0x80 and all(c >= 0x80 for c in b[:-1])
    assert uvarint(b) == (x, len(b))
    assert read_uvarint(b, 0) == (x, len(b))


@given(u64, st.data())
def test_padded_round_trip(x: int, data: st.DataObject) -> None:
    n = len(put_uvarint(x))
    width = data.draw(st.integers(n, MAX_VARINT_LEN64))
    b = put_uvarint_padded(x, width)
    assert len(b) == width
    assert uvarint(b + b"\x7f") == (x, width)
    assert read_uvarint(b"\x00" + b, 1) == (x, width + 1)


def test_padded_rejects_bad_width() -> None:
    with pytest.raises(ValueError):
        put_uvarint_padded(1 << 20, 2)
    with pytest.raises(ValueError):
        put_uvarint_padded(1, 11)


@given(st.binary(max_size=14))
def test_uvarint_matches_reference(b: bytes) -> None:
    assert uvarint(b) == _reference_uvarint(b)


@given(st.binary(max_size=14), st.integers(0, 3))
@example(b"\x80" * 10, 0)  # ten continuation bytes: overflow for ReadUvarint, "more" for Uvarint
def test_read_uvarint_agrees_with_uvarint(b: bytes, pos: int) -> None:
    buf = b"\x80" * pos + b  # junk before pos must be ignored
    value, n = uvarint(b)
    if n > 0:
        assert read_uvarint(buf, pos) == (value, pos + n)
        return
    with pytest.raises(VarintError) as info:
        read_uvarint(buf, pos)
    e = info.value
    if n < 0 or len(b) >= MAX_VARINT_LEN64:
        # Uvarint asks for more bytes after ten continuation bytes; ReadUvarint stops there.
        assert e.message == ERR_OVERFLOW
        assert e.pos == pos + (min(-n, MAX_VARINT_LEN64) if n < 0 else MAX_VARINT_LEN64)
    elif not b:
        assert e.message == "EOF" and e.is_eof and e.pos == pos
    else:
        assert e.message == "unexpected EOF" and not e.is_eof
        assert e.pos == pos + len(b)


@given(st.binary(min_size=1, max_size=12), st.integers(0, 12))
def test_end_limits_reading(b: bytes, end: int) -> None:
    end = min(end, len(b))
    assert uvarint(b, 0, end) == uvarint(b[:end])


@pytest.mark.parametrize(
    ("b", "want"),
    [
        (b"\xff" * 9 + b"\x01", (2**64 - 1, 10)),
        (b"\xff" * 9 + b"\x02", (0, -10)),
        (b"\x80" * 10 + b"\x00", (0, -11)),
        (b"\x80" * 9 + b"\x00", (0, 10)),  # padded zero
        (b"\x80", (0, 0)),
        (b"", (0, 0)),
    ],
)
def test_uvarint_edges(b: bytes, want: tuple[int, int]) -> None:
    assert uvarint(b) == want
