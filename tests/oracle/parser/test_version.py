"""Tests for oracle.parser.version: the per-version tables and Go's lenient header scan.

The header table below was produced by running Go 1.27.3's own ``version.ReadHeader`` on a
``bufio.Reader`` (tests/data/rawprobe, mode ``header``); each row is
``(input, version or None, Go's error text or None, bytes consumed on success)``.
"""

from __future__ import annotations

import io

import pytest
from hypothesis import given
from hypothesis import strategies as st

from oracle.parser.errors import TraceError
from oracle.parser.tracev2 import SPECS, EventType
from oracle.parser.version import (
    CURRENT,
    V2_VERSIONS,
    Version,
    read_header,
    read_header_bytes,
    write_header,
)

# fmt: off
GO_HEADER_CASES: list[tuple[bytes, int | None, str | None, int | None]] = [
    (b'go 1.22 trace\x00\x00\x00', 22, None, 16),
    (b'go 1.23 trace\x00\x00\x00', 23, None, 16),
    (b'go 1.25 trace\x00\x00\x00', 25, None, 16),
    (b'go 1.26 trace\x00\x00\x00', 26, None, 16),
    (b'go 1.11 trace\x00\x00\x00', 11, None, 16),
    (b'go 1.19 trace\x00\x00\x00', 19, None, 16),
    (b'go 1.21 trace\x00\x00\x00', 21, None, 16),
    (b'go 1.22 trace\x00\x00\x00\x01\x02rest', 22, None, 16),
    (b'go 1.24 trace\x00\x00\x00', None, 'unknown or unsupported trace version go 1.24', None),
    (b'go 1.27 trace\x00\x00\x00', None, 'unknown or unsupported trace version go 1.27', None),
    (b'go 1.0 trace\x00\x00\x00', None, 'unknown or unsupported trace version go 1.0', None),
    (b'go 1.4294967295 trace\x00\x00\x00', None, 'unknown or unsupported trace version go 1.4294967295', None),
    (b'go 1.4294967296 trace\x00\x00\x00', None, 'bad file format: not a Go execution trace?', None),
    (b'go 1.4294967318 trace\x00\x00\x00', None, 'bad file format: not a Go execution trace?', None),
    (b'go 1.18446744073709551615 trace\x00\x00\x00', None, 'bad file format: not a Go execution trace?', None),
    (b'go 1.18446744073709551616 trace\x00\x00\x00', None, 'bad file format: not a Go execution trace?', None),
    (b'go 1.000000000000000000000000022 trace\x00\x00\x00', 22, None, 41),
    (b'go 1.026 trace\x00\x00\x00', 26, None, 17),
    (b'go  1.22 trace\x00\x00\x00', 22, None, 17),
    (b'go\t1.22 trace\x00\x00\x00', 22, None, 16),
    (b'go\x0b1.22\x0ctrace\x00\x00\x00', 22, None, 16),
    (b'go\r1.22\rtrace\x00\x00\x00', 22, None, 16),
    (b'go\n1.22 trace\x00\x00\x00', None, 'bad file format: not a Go execution trace?', None),
    (b'go \n1.22 trace\x00\x00\x00', None, 'bad file format: not a Go execution trace?', None),
    (b'go\r\n1.22 trace\x00\x00\x00', None, 'bad file format: not a Go execution trace?', None),
    (b'go 1. 22 trace\x00\x00\x00', 22, None, 17),
    (b'go 1.\t\t22 trace\x00\x00\x00', 22, None, 18),
    (b'go 1.\n22 trace\x00\x00\x00', None, 'bad file format: not a Go execution trace?', None),
    (b'go 1.\r\n22 trace\x00\x00\x00', None, 'bad file format: not a Go execution trace?', None),
    (b'go 1.\r22 trace\x00\x00\x00', 22, None, 17),
    (b'go 1.22\ntrace\x00\x00\x00', None, 'bad file format: not a Go execution trace?', None),
    (b'go 1.22trace\x00\x00\x00', None, 'bad file format: not a Go execution trace?', None),
    (b'go1.22 trace\x00\x00\x00', None, 'bad file format: not a Go execution trace?', None),
    (b'go 1.+22 trace\x00\x00\x00', None, 'bad file format: not a Go execution trace?', None),
    (b'go 1.-22 trace\x00\x00\x00', None, 'bad file format: not a Go execution trace?', None),
    (b'go 1.0x16 trace\x00\x00\x00', None, 'bad file format: not a Go execution trace?', None),
    (b'go 1.2_2 trace\x00\x00\x00', None, 'bad file format: not a Go execution trace?', None),
    (b'go 1.22  \t trace\x00\x00\x00', 22, None, 19),
    (b'go 1.22 trace\x00\x00', None, 'bad file format: not a Go execution trace?', None),
    (b'go 1.22 trace\x00', None, 'bad file format: not a Go execution trace?', None),
    (b'go 1.22 trace', None, 'bad file format: not a Go execution trace?', None),
    (b'go 1.22 ', None, 'bad file format: not a Go execution trace?', None),
    (b'go 1.22', None, 'bad file format: not a Go execution trace?', None),
    (b'go 1.', None, 'bad file format: not a Go execution trace?', None),
    (b'go ', None, 'bad file format: not a Go execution trace?', None),
    (b'go', None, 'bad file format: not a Go execution trace?', None),
    (b'g', None, 'bad file format: not a Go execution trace?', None),
    (b'', None, 'bad file format: not a Go execution trace?', None),
    (b'Go 1.22 trace\x00\x00\x00', None, 'bad file format: not a Go execution trace?', None),
    (b'go 2.22 trace\x00\x00\x00', None, 'bad file format: not a Go execution trace?', None),
    (b'go 1.22 Trace\x00\x00\x00', None, 'bad file format: not a Go execution trace?', None),
    (b'go 1.22 trace\x00\x00\x01', None, 'bad file format: not a Go execution trace?', None),
    (b' go 1.22 trace\x00\x00\x00', None, 'bad file format: not a Go execution trace?', None),
    (b'go\xc2\xa01.22\xc2\xa0trace\x00\x00\x00', 22, None, 18),
    (b'go\xc2\x851.22 trace\x00\x00\x00', 22, None, 17),
    (b'go\xe3\x80\x801.22 trace\x00\x00\x00', 22, None, 18),
    (b'go\xe2\x80\x8a1.22 trace\x00\x00\x00', 22, None, 18),
    (b'go\xe2\x80\xa81.22 trace\x00\x00\x00', 22, None, 18),
    (b'go\xe1\x9a\x801.22 trace\x00\x00\x00', 22, None, 18),
    (b'go\xe2\x80\x8b1.22 trace\x00\x00\x00', None, 'bad file format: not a Go execution trace?', None),
    (b'go\xa01.22 trace\x00\x00\x00', None, 'bad file format: not a Go execution trace?', None),
    (b'go\x851.22 trace\x00\x00\x00', None, 'bad file format: not a Go execution trace?', None),
    (b'go\xc21.22 trace\x00\x00\x00', None, 'bad file format: not a Go execution trace?', None),
    (b'go \xff1.22 trace\x00\x00\x00', None, 'bad file format: not a Go execution trace?', None),
    (b'go 1.\xc2\xa022 trace\x00\x00\x00', 22, None, 18),
    (b'go 1.\xe3\x80\x8022\xe3\x80\x80trace\x00\x00\x00', 22, None, 21),
    (b'go 1.\xef\xbc\x92\xef\xbc\x92 trace\x00\x00\x00', None, 'bad file format: not a Go execution trace?', None),
    (b'go 1.22\x1ctrace\x00\x00\x00', None, 'bad file format: not a Go execution trace?', None),
    (b'go\x1c1.22 trace\x00\x00\x00', None, 'bad file format: not a Go execution trace?', None),
    (b'go 1.22 \x00trace\x00\x00\x00', None, 'bad file format: not a Go execution trace?', None),
    (b'go 1.22 trace\x00\x00\x00go 1.22 trace\x00\x00\x00', 22, None, 16),
    (b'go 1.22\xc2\xa0 \xc2\xa0trace\x00\x00\x00', 22, None, 20),
    (b'go 1.22\xe2\x80 trace\x00\x00\x00', None, 'bad file format: not a Go execution trace?', None),
    (b'go 1.22 trace\x00\x00\x00\xc2', 22, None, 16),
    (b'go 1. trace\x00\x00\x00', None, 'bad file format: not a Go execution trace?', None),
    (b'go 1.\x00 trace\x00\x00\x00', None, 'bad file format: not a Go execution trace?', None),
    (b'go  \r \t 1. \t 0022 \r trace\x00\x00\x00', 22, None, 28),
    (b'go 1.22 \x00\x00\x00', None, 'bad file format: not a Go execution trace?', None),
    (b'go 1.22\r\ntrace\x00\x00\x00', None, 'bad file format: not a Go execution trace?', None),
    (b'go 1. \r22 trace\x00\x00\x00', 22, None, 18),
    (b'go 1.22\x00trace\x00\x00\x00', None, 'bad file format: not a Go execution trace?', None),
    (b'go 1.25 trace\x00\x00\x00', 25, None, 16),
    (b'go 1.99 trace\x00\x00\x00', None, 'unknown or unsupported trace version go 1.99', None),
    (b'go 1.20 trace\x00\x00\x00', None, 'unknown or unsupported trace version go 1.20', None),
    (b'go 1.22\xc2', None, 'bad file format: not a Go execution trace?', None),
]
# fmt: on


@pytest.mark.parametrize(
    ("data", "version", "err", "consumed"), GO_HEADER_CASES, ids=[repr(c[0]) for c in GO_HEADER_CASES]
)
def test_read_header_bytes_matches_go(
    data: bytes, version: int | None, err: str | None, consumed: int | None
) -> None:
    if err is None:
        assert read_header_bytes(data) == (version, consumed)
    else:
        with pytest.raises(TraceError) as info:
            read_header_bytes(data)
        assert info.value.message == err


@pytest.mark.parametrize(
    ("data", "version", "err", "consumed"), GO_HEADER_CASES, ids=[repr(c[0]) for c in GO_HEADER_CASES]
)
def test_read_header_stream_consumes_exactly_the_header(
    data: bytes, version: int | None, err: str | None, consumed: int | None
) -> None:
    stream = io.BytesIO(data)
    if err is None:
        assert consumed is not None
        assert read_header(stream) == version
        assert stream.tell() == consumed
        assert stream.read() == data[consumed:]
    else:
        with pytest.raises(TraceError) as info:
            read_header(stream)
        assert info.value.message == err


class _Trickle(io.RawIOBase):
    """A stream that hands out one byte per read, like a slow pipe."""

    def __init__(self, data: bytes) -> None:
        self._data = data
        self._pos = 0

    def readable(self) -> bool:
        return True

    def readinto(self, b: bytearray) -> int:  # type: ignore[override]
        if self._pos >= len(self._data) or len(b) == 0:
            return 0
        b[0] = self._data[self._pos]
        self._pos += 1
        return 1


def test_read_header_from_trickling_stream() -> None:
    data = b"go\xe3\x80\x801.\t0026 trace\x00\x00\x00\x01"
    stream = _Trickle(data)
    assert read_header(stream) is Version.Go126  # type: ignore[arg-type]
    assert stream.read(10) == b"\x01"


def test_read_header_bytes_offset() -> None:
    data = b"junk" + write_header(Version.Go125) + b"\x05"
    assert read_header_bytes(data, 4) == (Version.Go125, 16)


@pytest.mark.parametrize("v", list(Version))
def test_write_header_round_trips(v: Version) -> None:
    data = write_header(v)
    assert data == b"go 1.%d trace\x00\x00\x00" % int(v)
    assert read_header_bytes(data + b"\xff") == (v, len(data))


@given(st.binary(max_size=40))
def test_read_header_never_raises_anything_else(data: bytes) -> None:
    try:
        v, n = read_header_bytes(data)
    except TraceError:
        return
    assert 0 < n <= len(data)
    assert data[n - 3 : n] == b"\x00\x00\x00"
    assert v in set(Version)


@given(
    st.sampled_from(list(Version)),
    st.sampled_from([" ", "\t", "  ", "\r", "\v\f", "\u00a0", "\u3000", "\u2028 "]),
    st.sampled_from(["", " ", "\t", "\u0085"]),
    st.integers(0, 5),
    st.sampled_from([" ", "\u2000", "\t \r"]),
    st.binary(max_size=8),
)
def test_lenient_headers_are_accepted(
    v: Version, sp1: str, sp2: str, zeros: int, sp3: str, tail: bytes
) -> None:
    header = f"go{sp1}1.{sp2}{'0' * zeros}{int(v)}{sp3}trace\x00\x00\x00".encode()
    assert read_header_bytes(header + tail) == (v, len(header))


def test_version_prefixes() -> None:
    assert Version.Go122.specs() == SPECS[: EventType.UserLog + 1]
    assert Version.Go123.specs() == SPECS[: EventType.ExperimentalBatch + 1]
    assert Version.Go125.specs() == SPECS[: EventType.ClockSnapshot + 1]
    assert Version.Go126.specs() == SPECS
    assert Version.Go121.specs() == ()
    assert CURRENT is Version.Go126
    assert V2_VERSIONS == (Version.Go122, Version.Go123, Version.Go125, Version.Go126)


def test_event_name() -> None:
    assert Version.Go122.event_name(EventType.GoStart) == "GoStart"
    assert Version.Go122.event_name(EventType.GoSwitch) == f"Invalid({int(EventType.GoSwitch)})"
    assert Version.Go126.event_name(0) == "Invalid(0)"
    assert Version.Go126.event_name(128) == "Span"
    assert Version.Go125.event_name(128) == "Invalid(128)"
    assert Version.Go119.event_name(3) == "<v1 trace event type>"


@given(st.binary(min_size=1, max_size=6))
def test_header_rune_decoding_matches_go_decoder(data: bytes) -> None:
    """The header scanner decodes runes like utf8.DecodeRune (cross-checked with gostrconv)."""
    from oracle.parser.gostrconv import decode_rune
    from oracle.parser.version import _HeaderScanner

    buf = bytearray()

    def fill(n: int) -> None:
        buf.extend(data[len(buf) : n])

    scanner = _HeaderScanner(buf, fill)
    pos = 0
    while pos < len(data):
        r = scanner.get_rune()
        want, width = decode_rune(data, pos)
        assert (r, scanner.pos) == (want, pos + width)
        pos += width
    assert scanner.get_rune() == -1


@given(st.text("0123456789", min_size=1, max_size=12), st.sampled_from([b"", b" ", b"x", b"\x00", b"\n"]),
       st.binary(max_size=8))
def test_plain_header_fast_path_is_the_scanner(digits: str, sep: bytes, tail: bytes) -> None:
    """read_header_bytes answers headers spelled the plain way without scanning; its answer
    (version or error, bytes consumed) must be the scanner's (read_header on a stream)."""
    data = b"go 1." + digits.encode() + b" trace\x00\x00\x00" + sep + tail
    stream = io.BytesIO(data)
    try:
        want: object = (read_header(stream), stream.tell())
    except TraceError as e:
        want = str(e)
    try:
        got: object = read_header_bytes(data)
    except TraceError as e:
        got = str(e)
    assert got == want
