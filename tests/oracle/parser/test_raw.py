"""Tests for oracle.parser.raw: binary and text readers/writers against Go's own raw package.

Expected values were produced by Go 1.27.3's ``internal/trace/raw`` through
tests/data/rawprobe (modes ``binary`` and ``text``): event ``String()`` forms, the final error
text, and whether that error was the bare ``io.EOF``.
"""

from __future__ import annotations

import hashlib
import io
import random
from typing import Any
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from oracle.parser.errors import TraceError
from oracle.parser.raw import (
    RawEvent,
    RawReader,
    RawWriter,
    TextReader,
    TextWriter,
    binary_to_text,
    event_names,
    parse_text,
    read_raw,
    text_to_binary,
    write_raw,
)
from oracle.parser.tracev2 import SPECS, EventType
from oracle.parser.txtar import read_test_file
from oracle.parser.version import V2_VERSIONS, Version, write_header
from tests.conftest import go_test_files


def _drain_binary(data: bytes) -> tuple[list[RawEvent], str, bool]:
    """Events, final error text, and whether it was Go's bare io.EOF, via read_event."""
    events: list[RawEvent] = []
    try:
        reader = RawReader(data)
    except TraceError as e:
        return events, e.message, False
    while True:
        try:
            events.append(reader.read_event())
        except EOFError:
            return events, "EOF", True
        except TraceError as e:
            return events, e.message, False


def _drain_binary_iter(data: bytes) -> tuple[list[RawEvent], str, bool]:
    """The same through iteration (the batched fast path)."""
    events: list[RawEvent] = []
    try:
        reader = RawReader(data)
        for ev in reader:
            events.append(ev)
    except TraceError as e:
        return events, e.message, False
    return events, "EOF", True


def _drain_text(data: bytes) -> tuple[list[RawEvent], str]:
    events: list[RawEvent] = []
    try:
        reader = TextReader(data)
    except TraceError as e:
        return events, e.message
    while True:
        try:
            events.append(reader.read_event())
        except EOFError:
            return events, "EOF"
        except TraceError as e:
            return events, e.message


# --- Binary reader vs Go ----------------------------------------------------------------------

# (input, Go's event strings, Go's final error, error is io.EOF)
# fmt: off
GO_BINARY_CASES: list[tuple[bytes, list[str], str, bool]] = [
    (b'go 1.22 trace\x00\x00\x00', [], 'EOF', True),
    (b'go 1.22 trace\x00\x00\x00\x00', [], 'invalid event type: 0', False),
    (b'go 1.22 trace\x00\x00\x002', [], 'invalid event type: 50', False),
    (b'go 1.22 trace\x00\x00\x001', [], 'invalid event type: 49', False),
    (b'go 1.23 trace\x00\x00\x001\x01\x02\x03\x04\x02ab', ['ExperimentalBatch exp=1 gen=2 m=3 time=4\n\tdata="ab"'], 'EOF', True),
    (b'go 1.23 trace\x00\x00\x00\x80', [], 'invalid event type: 128', False),
    (b'go 1.25 trace\x00\x00\x00\x80\x01\x02\x03\x04\x05', [], 'invalid event type: 128', False),
    (b'go 1.26 trace\x00\x00\x00\x80\x01\x02\x03\x04', ['Span dt=1 id=2 npages_value=3 kindclass=4'], 'EOF', True),
    (b'go 1.26 trace\x00\x00\x004', ['EndOfGeneration'], 'EOF', True),
    (b'go 1.25 trace\x00\x00\x004', [], 'invalid event type: 52', False),
    (b'go 1.25 trace\x00\x00\x003\x01\x02\x03\x04', ['ClockSnapshot dt=1 mono=2 sec=3 nsec=4'], 'EOF', True),
    (b'go 1.22 trace\x00\x00\x00\x10\x01\x02\x03', ['GoStart dt=1 g=2 g_seq=3'], 'EOF', True),
    (b'go 1.22 trace\x00\x00\x00\x10\x01\x02', [], 'EOF', True),
    (b'go 1.22 trace\x00\x00\x00\x10', [], 'EOF', True),
    (b'go 1.22 trace\x00\x00\x00\x10\x01\x02\x83', [], 'unexpected EOF', False),
    (b'go 1.22 trace\x00\x00\x00\x10\x01\x02\x83\x80', [], 'unexpected EOF', False),
    (b'go 1.22 trace\x00\x00\x00\x10\x85\x80\x80\x80\x80\x80\x80\x80\x80\x00\x02\x03', ['GoStart dt=5 g=2 g_seq=3'], 'EOF', True),
    (b'go 1.22 trace\x00\x00\x00\x10\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01\x02\x03', ['GoStart dt=18446744073709551615 g=2 g_seq=3'], 'EOF', True),
    (b'go 1.22 trace\x00\x00\x00\x10\xff\xff\xff\xff\xff\xff\xff\xff\xff\x02\x02\x03', [], 'binary: varint overflows a 64-bit integer', False),
    (b'go 1.22 trace\x00\x00\x00\x10\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\x02\x03', [], 'binary: varint overflows a 64-bit integer', False),
    (b'go 1.22 trace\x00\x00\x00\x10\x80\x80\x80\x80\x80\x80\x80\x80\x80\x00\x02\x03', ['GoStart dt=0 g=2 g_seq=3'], 'EOF', True),
    (b'go 1.22 trace\x00\x00\x00\x10\xff\xff\xff\xff\xff\xff\xff\xff\x7f\x02\x03', ['GoStart dt=9223372036854775807 g=2 g_seq=3'], 'EOF', True),
    (b'go 1.22 trace\x00\x00\x00\x10\xff\xff\xff\xff\xff\xff\xff\xff\xff', [], 'unexpected EOF', False),
    (b'go 1.22 trace\x00\x00\x00\x05\x01\x00', ['String id=1'], 'EOF', True),
    (b'go 1.22 trace\x00\x00\x00\x05\x01\x00\x10\x01\x02\x03', ['String id=1', 'GoStart dt=1 g=2 g_seq=3'], 'EOF', True),
    (b'go 1.22 trace\x00\x00\x00\x05\x01\x03ab', [], 'EOF', True),
    (b'go 1.22 trace\x00\x00\x00\x05\x01\x03abc\x0b\x07', ['String id=1\n\tdata="abc"', 'ProcStop dt=7'], 'EOF', True),
    (b'go 1.22 trace\x00\x00\x00\x05\x01\x03', [], 'EOF', True),
    (b'go 1.22 trace\x00\x00\x00\x05\x01', [], 'EOF', True),
    (b'go 1.22 trace\x00\x00\x00\x05\x01\x83', [], 'unexpected EOF', False),
    (b'go 1.22 trace\x00\x00\x00\x05\x01\x80\x80\x80\x80\x80\x80\x80\x80\x80\x01\x0b\x01', ['String id=1', 'ProcStop dt=1'], 'EOF', True),
    (b'go 1.22 trace\x00\x00\x00\x05\x01\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01xyz', ['String id=1'], 'invalid event type: 120', False),
    (b'go 1.22 trace\x00\x00\x00\x05\x01\xff\xff\xff\xff\xff\xff\xff\xff\x7fxyz', [], 'EOF', True),
    (b'go 1.22 trace\x00\x00\x00\x03\x01\x00', ['Stack id=1 nframes=0'], 'EOF', True),
    (b'go 1.22 trace\x00\x00\x00\x03\x01\x01\x01\x02\x03\x04', ['Stack id=1 nframes=1\n\tpc=1 func=2 file=3 line=4'], 'EOF', True),
    (b'go 1.22 trace\x00\x00\x00\x03\x01\x02\x01\x02\x03\x04', [], 'EOF', True),
    (b'go 1.22 trace\x00\x00\x00\x03\x01\x02\x01\x02\x03\x04\x05', [], 'EOF', True),
    (b'go 1.22 trace\x00\x00\x00\x03\x01\x80\x80\x80\x80\x80\x80\x80\x80\x80\x01\x0b\x01', ['Stack id=1 nframes=9223372036854775808', 'ProcStop dt=1'], 'EOF', True),
    (b'go 1.22 trace\x00\x00\x00\x03\x01\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01', ['Stack id=1 nframes=18446744073709551615'], 'EOF', True),
    (b'go 1.22 trace\x00\x00\x00\x03\x01\x80\x80\x80\x80\x80\x80\x80\x80@\x01\x02\x03\x04\x05', [], 'EOF', True),
    (b'go 1.22 trace\x00\x00\x00\x03\x01\x01\x01\x02\x03', [], 'EOF', True),
    (b'go 1.22 trace\x00\x00\x00\x03\x01\x01\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01\x80\x80\x80\x80\x80\x80\x80\x80\x80\x01\x00\x00', ['Stack id=1 nframes=1\n\tpc=18446744073709551615 func=9223372036854775808 file=0 line=0'], 'EOF', True),
    (b'go 1.22 trace\x00\x00\x00\x01\x01\x02\x03\x04\x10\x01\x02\x03\x0b\x05\x04\x05\x01\x01a\x02', ['EventBatch gen=1 m=2 time=3 size=4', 'GoStart dt=1 g=2 g_seq=3', 'ProcStop dt=5', 'Strings', 'String id=1\n\tdata="a"', 'Stacks'], 'EOF', True),
    (b'go 1.22 trace\x00\x00\x002', [], 'invalid event type: 50', False),
    (b'go 1.22 trace\x00\x00\x001', [], 'invalid event type: 49', False),
    (b'go 1.23 trace\x00\x00\x002', [], 'invalid event type: 50', False),
    (b'go 1.25 trace\x00\x00\x004', [], 'invalid event type: 52', False),
    (b'go 1.25 trace\x00\x00\x003\x01\x02\x03\x04', ['ClockSnapshot dt=1 mono=2 sec=3 nsec=4'], 'EOF', True),
    (b'go 1.22 trace\x00\x00\x00\xff', [], 'invalid event type: 255', False),
    (b'go 1.26 trace\x00\x00\x00\x89\x01', [], 'invalid event type: 137', False),
    (b'go 1.26 trace\x00\x00\x00\x88\x01\x02', ['GoroutineStackFree dt=1 id=2'], 'EOF', True),
    (b'go 1.21 trace\x00\x00\x00\x01', [], 'invalid event type: 1', False),
    (b'go 1.21 trace\x00\x00\x00', [], 'EOF', True),
    (b'go 1.24 trace\x00\x00\x00\x01', [], 'unknown or unsupported trace version go 1.24', False),
    (b'nope', [], 'bad file format: not a Go execution trace?', False),
    (b'', [], 'bad file format: not a Go execution trace?', False),
    (b'go 1.26 trace\x00\x00\x00\x02\x04\x0624', ['Stacks', 'Strings', 'CPUSamples', 'Sync', 'EndOfGeneration'], 'EOF', True),
]
# fmt: on


@pytest.mark.parametrize("drain", [_drain_binary, _drain_binary_iter])
@pytest.mark.parametrize(("data", "events", "err", "is_eof"), GO_BINARY_CASES)
def test_binary_reader_matches_go(
    drain: object, data: bytes, events: list[str], err: str, is_eof: bool
) -> None:
    got, got_err, got_eof = drain(data)  # type: ignore[operator]
    assert [e.go_string() for e in got] == events
    assert (got_err, got_eof) == (err, is_eof)


def _go122_create_trace() -> bytes:
    test = next(p for p in go_test_files() if p.stem == "go122-go-create-without-running-g")
    return text_to_binary(read_test_file(test)[1])


# For every prefix of that trace's binary form: (number of events, error, is io.EOF).
GO_PREFIX_RESULTS: list[tuple[int, str, bool]] = [
    (0, 'bad file format: not a Go execution trace?', False),
    (0, 'bad file format: not a Go execution trace?', False),
    (0, 'bad file format: not a Go execution trace?', False),
    (0, 'bad file format: not a Go execution trace?', False),
    (0, 'bad file format: not a Go execution trace?', False),
    (0, 'bad file format: not a Go execution trace?', False),
    (0, 'bad file format: not a Go execution trace?', False),
    (0, 'bad file format: not a Go execution trace?', False),
    (0, 'bad file format: not a Go execution trace?', False),
    (0, 'bad file format: not a Go execution trace?', False),
    (0, 'bad file format: not a Go execution trace?', False),
    (0, 'bad file format: not a Go execution trace?', False),
    (0, 'bad file format: not a Go execution trace?', False),
    (0, 'bad file format: not a Go execution trace?', False),
    (0, 'bad file format: not a Go execution trace?', False),
    (0, 'bad file format: not a Go execution trace?', False),
    (0, 'EOF', True),
    (0, 'EOF', True),
    (0, 'EOF', True),
    (0, 'EOF', True),
    (0, 'EOF', True),
    (1, 'EOF', True),
    (1, 'EOF', True),
    (1, 'EOF', True),
    (1, 'EOF', True),
    (2, 'EOF', True),
    (2, 'EOF', True),
    (2, 'EOF', True),
    (2, 'EOF', True),
    (2, 'EOF', True),
    (3, 'EOF', True),
    (3, 'EOF', True),
    (3, 'EOF', True),
    (3, 'EOF', True),
    (4, 'EOF', True),
    (4, 'EOF', True),
    (4, 'EOF', True),
    (4, 'EOF', True),
    (5, 'EOF', True),
    (5, 'EOF', True),
    (5, 'EOF', True),
    (5, 'unexpected EOF', False),
    (5, 'unexpected EOF', False),
    (5, 'unexpected EOF', False),
    (5, 'unexpected EOF', False),
    (5, 'unexpected EOF', False),
    (5, 'unexpected EOF', False),
    (5, 'unexpected EOF', False),
    (5, 'unexpected EOF', False),
    (5, 'unexpected EOF', False),
    (5, 'EOF', True),
    (5, 'EOF', True),
    (6, 'EOF', True),
    (6, 'EOF', True),
    (6, 'unexpected EOF', False),
    (6, 'unexpected EOF', False),
    (6, 'unexpected EOF', False),
    (7, 'EOF', True),
    (7, 'EOF', True),
    (7, 'EOF', True),
    (7, 'unexpected EOF', False),
    (7, 'unexpected EOF', False),
    (7, 'unexpected EOF', False),
    (7, 'unexpected EOF', False),
    (7, 'unexpected EOF', False),
    (7, 'unexpected EOF', False),
    (7, 'unexpected EOF', False),
    (7, 'unexpected EOF', False),
    (7, 'unexpected EOF', False),
    (7, 'EOF', True),
    (7, 'EOF', True),
    (8, 'EOF', True),
    (9, 'EOF', True),
    (9, 'EOF', True),
    (9, 'EOF', True),
    (9, 'unexpected EOF', False),
    (9, 'unexpected EOF', False),
    (9, 'unexpected EOF', False),
    (9, 'unexpected EOF', False),
    (9, 'unexpected EOF', False),
    (9, 'unexpected EOF', False),
    (9, 'unexpected EOF', False),
    (9, 'unexpected EOF', False),
    (9, 'unexpected EOF', False),
    (9, 'EOF', True),
    (9, 'EOF', True),
    (10, 'EOF', True),
    (11, 'EOF', True),
    (11, 'EOF', True),
    (11, 'EOF', True),
    (11, 'EOF', True),
    (11, 'EOF', True),
    (11, 'EOF', True),
    (11, 'EOF', True),
    (11, 'EOF', True),
    (11, 'EOF', True),
    (11, 'EOF', True),
    (11, 'EOF', True),
    (12, 'EOF', True),
]


def test_binary_reader_every_prefix_matches_go() -> None:
    full = _go122_create_trace()
    assert len(GO_PREFIX_RESULTS) == len(full) + 1
    for i, want in enumerate(GO_PREFIX_RESULTS):
        for drain in (_drain_binary, _drain_binary_iter):
            events, err, is_eof = drain(full[:i])
            assert (len(events), err, is_eof) == want, (i, drain.__name__)


# Random byte mutations of the same trace (seeded below): (number of events, error, io.EOF).
GO_MUTATION_RESULTS: list[tuple[int, str, bool]] = [
    (9, 'invalid event type: 0', False),
    (12, 'EOF', True),
    (11, 'EOF', True),
    (12, 'EOF', True),
    (5, 'invalid event type: 255', False),
    (7, 'invalid event type: 214', False),
    (11, 'invalid event type: 157', False),
    (5, 'invalid event type: 0', False),
    (11, 'invalid event type: 119', False),
    (6, 'EOF', True),
    (9, 'binary: varint overflows a 64-bit integer', False),
    (6, 'invalid event type: 168', False),
    (1, 'invalid event type: 215', False),
    (5, 'invalid event type: 0', False),
    (12, 'EOF', True),
    (12, 'EOF', True),
    (12, 'EOF', True),
    (5, 'invalid event type: 0', False),
    (5, 'invalid event type: 255', False),
    (4, 'invalid event type: 0', False),
    (11, 'EOF', True),
    (6, 'EOF', True),
    (6, 'invalid event type: 255', False),
    (5, 'invalid event type: 255', False),
    (4, 'invalid event type: 214', False),
    (6, 'invalid event type: 168', False),
    (0, 'invalid event type: 52', False),
    (3, 'invalid event type: 0', False),
    (6, 'invalid event type: 168', False),
    (5, 'invalid event type: 255', False),
    (4, 'invalid event type: 245', False),
    (9, 'binary: varint overflows a 64-bit integer', False),
    (5, 'invalid event type: 0', False),
    (6, 'invalid event type: 168', False),
    (6, 'EOF', True),
    (12, 'EOF', True),
    (5, 'binary: varint overflows a 64-bit integer', False),
    (5, 'invalid event type: 0', False),
    (12, 'EOF', True),
    (12, 'EOF', True),
    (9, 'invalid event type: 0', False),
    (5, 'invalid event type: 244', False),
    (9, 'invalid event type: 0', False),
    (12, 'EOF', True),
    (10, 'invalid event type: 79', False),
    (9, 'binary: varint overflows a 64-bit integer', False),
    (12, 'EOF', True),
    (5, 'binary: varint overflows a 64-bit integer', False),
    (12, 'EOF', True),
    (11, 'invalid event type: 119', False),
    (5, 'invalid event type: 76', False),
    (11, 'invalid event type: 61', False),
    (12, 'EOF', True),
    (6, 'invalid event type: 97', False),
    (7, 'invalid event type: 226', False),
    (11, 'invalid event type: 104', False),
    (9, 'invalid event type: 200', False),
    (2, 'invalid event type: 219', False),
    (9, 'invalid event type: 0', False),
    (5, 'invalid event type: 255', False),
    (12, 'EOF', True),
    (12, 'EOF', True),
    (2, 'invalid event type: 163', False),
    (10, 'invalid event type: 119', False),
    (5, 'binary: varint overflows a 64-bit integer', False),
    (5, 'invalid event type: 255', False),
    (7, 'invalid event type: 253', False),
    (5, 'binary: varint overflows a 64-bit integer', False),
    (5, 'binary: varint overflows a 64-bit integer', False),
    (10, 'invalid event type: 173', False),
    (1, 'invalid event type: 66', False),
    (6, 'EOF', True),
    (7, 'invalid event type: 214', False),
    (6, 'EOF', True),
    (12, 'EOF', True),
    (5, 'invalid event type: 0', False),
    (9, 'invalid event type: 0', False),
    (5, 'invalid event type: 0', False),
    (5, 'invalid event type: 0', False),
    (12, 'EOF', True),
    (7, 'invalid event type: 214', False),
    (0, 'invalid event type: 228', False),
    (5, 'binary: varint overflows a 64-bit integer', False),
    (12, 'EOF', True),
    (6, 'invalid event type: 168', False),
    (11, 'invalid event type: 119', False),
    (4, 'invalid event type: 45', False),
    (12, 'EOF', True),
    (12, 'EOF', True),
    (1, 'invalid event type: 74', False),
    (12, 'EOF', True),
    (12, 'EOF', True),
    (9, 'invalid event type: 0', False),
    (11, 'invalid event type: 119', False),
    (10, 'invalid event type: 0', False),
    (12, 'EOF', True),
    (12, 'EOF', True),
    (11, 'invalid event type: 119', False),
    (6, 'invalid event type: 245', False),
    (2, 'invalid event type: 101', False),
    (12, 'EOF', True),
    (10, 'invalid event type: 0', False),
    (6, 'EOF', True),
    (5, 'invalid event type: 255', False),
    (2, 'invalid event type: 107', False),
    (9, 'binary: varint overflows a 64-bit integer', False),
    (3, 'invalid event type: 143', False),
    (11, 'invalid event type: 119', False),
    (5, 'invalid event type: 255', False),
    (6, 'EOF', True),
    (12, 'EOF', True),
    (8, 'invalid event type: 0', False),
    (4, 'invalid event type: 214', False),
    (11, 'EOF', True),
    (10, 'invalid event type: 204', False),
    (9, 'binary: varint overflows a 64-bit integer', False),
    (11, 'invalid event type: 104', False),
    (11, 'invalid event type: 119', False),
    (7, 'invalid event type: 185', False),
    (5, 'invalid event type: 255', False),
]


def test_binary_reader_mutations_match_go() -> None:
    full = _go122_create_trace()
    rng = random.Random(7)
    for i, want in enumerate(GO_MUTATION_RESULTS):
        b = bytearray(full)
        for _ in range(rng.randint(1, 4)):
            b[rng.randrange(16, len(b))] = rng.randrange(256)
        for drain in (_drain_binary, _drain_binary_iter):
            events, err, is_eof = drain(bytes(b))
            assert (len(events), err, is_eof) == want, (i, drain.__name__)


def test_binary_reader_position_after_error_follows_go() -> None:
    h = write_header(Version.Go122)
    reader = RawReader(h + b"\x00\x10\x01\x02\x03")
    with pytest.raises(TraceError, match="invalid event type: 0"):
        reader.read_event()
    # Go consumed the bad type byte; reading on decodes the next event.
    assert reader.read_event() == RawEvent(Version.Go122, EventType.GoStart, (1, 2, 3))
    reader = RawReader(h + b"\x10\x01\x82")
    with pytest.raises(TraceError, match="unexpected EOF"):
        reader.read_event()
    assert reader.pos == len(h) + 3


def test_binary_reader_inputs() -> None:
    data = write_header(Version.Go125) + b"\x0b\x05"
    want = [RawEvent(Version.Go125, EventType.ProcStop, (5,))]
    assert read_raw(data) == (Version.Go125, want)
    assert read_raw(io.BytesIO(data)) == (Version.Go125, want)
    assert read_raw(bytearray(data)) == (Version.Go125, want)
    assert RawReader(memoryview(data)).read_all() == want


def test_binary_reader_path(tmp_path: Path) -> None:
    p = tmp_path / "t.trace"
    p.write_bytes(write_header(Version.Go126) + b"\x34")
    assert read_raw(p) == (Version.Go126, [RawEvent(Version.Go126, EventType.EndOfGeneration, ())])
    assert read_raw(str(p))[0] is Version.Go126


def test_read_all_raises_trace_errors() -> None:
    with pytest.raises(TraceError, match="invalid event type: 0"):
        RawReader(write_header(Version.Go122) + b"\x0b\x05\x00").read_all()


# --- Text reader vs Go ------------------------------------------------------------------------

# (input, Go's event strings, Go's final error)
# fmt: off
GO_TEXT_CASES: list[tuple[bytes, list[str], str]] = [
    (b'', [], 'EOF'),
    (b'\n\n', [], 'EOF'),
    (b'# comment\n', [], 'EOF'),
    (b'Trace', [], 'failed to parse header Go version'),
    (b'Trace Go1.22', [], 'EOF'),
    (b'Trace Go1.22 x\n', [], 'encountered unexpected non-space at the end of the header: " x"'),
    (b'Trace Go1.22 #c\n', [], 'encountered unexpected non-space at the end of the header: " #c"'),
    (b'Trace Go1.22 \t \xe3\x80\x80\n', [], 'EOF'),
    (b'Trace Go1.23\n', [], 'EOF'),
    (b'Trace Go1.24\n', [], 'unknown or unsupported Go version 1.24'),
    (b'Trace Go1.x\n', [], 'failed to parse header Go version: strconv.ParseUint: parsing "x": invalid syntax'),
    (b'Trace Go1.\n', [], 'failed to parse header Go version: strconv.ParseUint: parsing "": invalid syntax'),
    (b'Trace Go1.-1\n', [], 'failed to parse header Go version: strconv.ParseUint: parsing "-1": invalid syntax'),
    (b'Trace Go1.+22\n', [], 'failed to parse header Go version: strconv.ParseUint: parsing "+22": invalid syntax'),
    (b'Trace Go1.022\n', [], 'EOF'),
    (b'Trace Go1.4294967318\n', [], 'EOF'),
    (b'Trace Go1.18446744073709551616\n', [], 'failed to parse header Go version: strconv.ParseUint: parsing "18446744073709551616": value out of range'),
    (b'Trace Go1.99999999999999999999x\n', [], 'failed to parse header Go version: strconv.ParseUint: parsing "99999999999999999999x": value out of range'),
    (b'Trace Go2.22\n', [], 'failed to parse header Go version'),
    (b'trace Go1.22\n', [], 'failed to parse header'),
    (b'Trace\tGo1.22\r\n', [], 'EOF'),
    (b'  # x\n\n  Trace Go1.22\n', [], 'EOF'),
    (b'#Trace Go1.22\nTrace Go1.26\n', [], 'EOF'),
    (b'Trace Go1.21\nEventBatch gen=1 m=0 time=0 size=0\n', [], 'unidentified event: EventBatch'),
    (b'Trace Go1.11\n', [], 'EOF'),
    (b'Trace Go1.22\nBogus\n', [], 'unidentified event: Bogus'),
    (b'Trace Go1.22\nEventBatch gen=1 m=2 time=3 size=4\n', ['EventBatch gen=1 m=2 time=3 size=4'], 'EOF'),
    (b'Trace Go1.22\nEventBatch gen=1 m=2 time=3\n', [], 'reading args for EventBatch: no argument'),
    (b'Trace Go1.22\nEventBatch gen=1 m=2 time=3 size=4 extra=5\n', [], 'reading args for EventBatch: encountered unexpected non-space at the end of an event: " extra=5"'),
    (b'Trace Go1.22\nEventBatch gen=1 m=2 time=3 size=4 # c\n', [], 'reading args for EventBatch: encountered unexpected non-space at the end of an event: " # c"'),
    (b'Trace Go1.22\nEventBatch gen=1 m=2 time=3 size=4#c\n', [], 'reading args for EventBatch: encountered unexpected non-space at the end of an event: "#c"'),
    (b'Trace Go1.22\nEventBatch gen=1 m=2 time=x size=4\n', [], 'reading args for EventBatch: failed to parse argument value "x" for arg "time"'),
    (b'Trace Go1.22\nEventBatch gen=1 m=2 tim=3 size=4\n', [], 'reading args for EventBatch: expected argument "time", but got "tim"'),
    (b'Trace Go1.22\nEventBatch gen=1 m=2 tim=x size=4\n', [], 'reading args for EventBatch: failed to parse argument value "x" for arg "tim"'),
    (b'Trace Go1.22\nEventBatch gen=1 m=2 time size=4\n', [], 'reading args for EventBatch: malformed argument: "time"'),
    (b'Trace Go1.22\nEventBatch gen=1 m=2 time= size=4\n', [], 'reading args for EventBatch: failed to parse argument value "" for arg "time"'),
    (b'Trace Go1.22\nEventBatch gen=1 m=2 time=18446744073709551615 size=4\n', ['EventBatch gen=1 m=2 time=18446744073709551615 size=4'], 'EOF'),
    (b'Trace Go1.22\nEventBatch gen=1 m=2 time=18446744073709551616 size=4\n', [], 'reading args for EventBatch: failed to parse argument value "18446744073709551616" for arg "time"'),
    (b'Trace Go1.22\nEventBatch gen=1 m=2 time=99999999999999999999x size=4\n', [], 'reading args for EventBatch: failed to parse argument value "99999999999999999999x" for arg "time"'),
    (b'Trace Go1.22\nEventBatch gen=1 m=2 time=+3 size=4\n', [], 'reading args for EventBatch: failed to parse argument value "+3" for arg "time"'),
    (b'Trace Go1.22\nEventBatch gen=1 m=2 time=0x3 size=4\n', [], 'reading args for EventBatch: failed to parse argument value "0x3" for arg "time"'),
    (b'Trace Go1.22\nEventBatch gen=1 m=2 time=1_0 size=4\n', [], 'reading args for EventBatch: failed to parse argument value "1_0" for arg "time"'),
    (b'Trace Go1.22\nEventBatch gen=1 m=2 time==3 size=4\n', [], 'reading args for EventBatch: failed to parse argument value "=3" for arg "time"'),
    (b'Trace Go1.22\nEventBatch\xc2\xa0gen=1\xe2\x80\x83m=2\xc2\x85time=3\xe3\x80\x80size=4\n', ['EventBatch gen=1 m=2 time=3 size=4'], 'EOF'),
    (b'Trace Go1.22\nEventBatch gen=1\x1cm=2 time=3 size=4\n', [], 'reading args for EventBatch: failed to parse argument value "1\\x1cm=2" for arg "gen"'),
    (b'Trace Go1.22\nEventBatch gen=\xff m=2 time=3 size=4\n', [], 'reading args for EventBatch: failed to parse argument value "\\xff" for arg "gen"'),
    (b'Trace Go1.22\nEven\xfftBatch gen=1 m=2 time=3 size=4\n', [], 'unidentified event: Even\udcfftBatch'),
    (b'Trace Go1.22\nEventBatch gen=1 m=2 time=3 size=4\r\n  \r\n# x\nStrings\n', ['EventBatch gen=1 m=2 time=3 size=4', 'Strings'], 'EOF'),
    (b'Trace Go1.22\nString id=1\n', [], 'unexpected EOF while reading data for String: args=[1]'),
    (b'Trace Go1.22\nString id=1\ndata="hi"\n', ['String id=1\n\tdata="hi"'], 'EOF'),
    (b'Trace Go1.22\nString id=1\n\tdata = "hi" \n', ['String id=1\n\tdata="hi"'], 'EOF'),
    (b'Trace Go1.22\nString id=1\ndata=`raw\\n`\n', ['String id=1\n\tdata="raw\\\\n"'], 'EOF'),
    (b"Trace Go1.22\nString id=1\ndata='x'\n", ['String id=1\n\tdata="x"'], 'EOF'),
    (b"Trace Go1.22\nString id=1\ndata='xy'\n", [], 'failed to parse data: "data=\'xy\'": invalid syntax'),
    (b'Trace Go1.22\nString id=1\ndata=""\n', ['String id=1\n\tdata=""'], 'EOF'),
    (b'Trace Go1.22\nString id=1\ndata="\\xff\\u00e9\\U0001F600\\000\\a\\t"\n', ['String id=1\n\tdata="\\xffé😀\\x00\\a\\t"'], 'EOF'),
    (b'Trace Go1.22\nString id=1\ndata=hi\n', [], 'failed to parse data: "data=hi": invalid syntax'),
    (b'Trace Go1.22\nString id=1\ndat="hi"\n', [], 'malformed data: "dat=\\"hi\\""'),
    (b'Trace Go1.22\nString id=1\nx data="hi"\n', [], 'malformed data: "x data=\\"hi\\""'),
    (b'Trace Go1.22\nString id=1\n"data"="x"\n', [], 'malformed data: "\\"data\\"=\\"x\\""'),
    (b'Trace Go1.22\nString id=1\ndata="a" "b"\n', [], 'failed to parse data: "data=\\"a\\" \\"b\\"": invalid syntax'),
    (b'Trace Go1.22\nString id=1\ndata="a\n', [], 'failed to parse data: "data=\\"a": invalid syntax'),
    (b'Trace Go1.22\nString id=1\ndata="\\q"\n', [], 'failed to parse data: "data=\\"\\\\q\\"": invalid syntax'),
    (b'Trace Go1.22\nString id=1\ndata="#"\n', ['String id=1\n\tdata="#"'], 'EOF'),
    (b'Trace Go1.22\nString id=1\n# c\ndata="ok"\n', ['String id=1\n\tdata="ok"'], 'EOF'),
    (b'Trace Go1.22\nString id=1\nString id=2\ndata="a"\n', [], 'malformed data: "String id=2"'),
    (b'Trace Go1.22\nString id=1\ndata="\xc3\xa9\xe2\x80\x8b"\n', ['String id=1\n\tdata="é\\u200b"'], 'EOF'),
    (b"Trace Go1.22\nString id=1\ndata='\\''\n", ['String id=1\n\tdata="\'"'], 'EOF'),
    (b'Trace Go1.22\nString id=1\ndata="\\\'"\n', [], 'failed to parse data: "data=\\"\\\\\'\\"": invalid syntax'),
    (b'Trace Go1.22\nString id=1\ndata=`a\rb`\n', ['String id=1\n\tdata="ab"'], 'EOF'),
    (b'Trace Go1.22\nStack id=1 nframes=0\n', ['Stack id=1 nframes=0'], 'EOF'),
    (b'Trace Go1.22\nStack id=1 nframes=1\n', [], 'unexpected EOF while reading stack: args=[1 1]'),
    (b'Trace Go1.22\nStack id=1 nframes=2\n\tpc=1 func=2 file=3 line=4\n', [], 'unexpected EOF while reading stack: args=[1 2 1 2 3 4]'),
    (b'Trace Go1.22\nStack id=1 nframes=1\n\tpc=1 func=2 file=3\n', [], 'no argument'),
    (b'Trace Go1.22\nStack id=1 nframes=1\n\tpc=1 func=2 file=3 line=4 x\n', [], 'encountered unexpected non-space at the end of an event: " x"'),
    (b'Trace Go1.22\nStack id=1 nframes=1\n\tpc=1 func=2 fil=3 line=4\n', [], 'expected argument "file", but got "fil"'),
    (b'Trace Go1.22\nStack id=1 nframes=1\n\tpc=1 func=2 file=x line=4\n', [], 'failed to parse argument value "x" for arg "file"'),
    (b'Trace Go1.22\nStack id=1 nframes=18446744073709551615\n', ['Stack id=1 nframes=18446744073709551615'], 'EOF'),
    (b'Trace Go1.22\nStack id=1 nframes=9223372036854775808\nStrings\n', ['Stack id=1 nframes=9223372036854775808', 'Strings'], 'EOF'),
    (b'Trace Go1.22\nStack id=1 n=1\n', [], 'reading args for Stack: expected argument "nframes", but got "n"'),
    (b'Trace Go1.22\nStack id=1\n', [], 'reading args for Stack: no argument'),
    (b'Trace Go1.22\nStack id=1 nframes=1\n\tpc=18446744073709551615 func=2 file=3 line=4\nStrings\n', ['Stack id=1 nframes=1\n\tpc=18446744073709551615 func=2 file=3 line=4', 'Strings'], 'EOF'),
    (b'Trace Go1.23\nExperimentalBatch exp=1 gen=2 m=3 time=4\ndata="\\x00\\x01"\n', ['ExperimentalBatch exp=1 gen=2 m=3 time=4\n\tdata="\\x00\\x01"'], 'EOF'),
    (b'Trace Go1.25\nSpan dt=1 id=2 npages_value=3 kindclass=4\n', [], 'unidentified event: Span'),
    (b'Trace Go1.26\nSpan dt=1 id=2 npages_value=3 kindclass=4\nEndOfGeneration\n', ['Span dt=1 id=2 npages_value=3 kindclass=4', 'EndOfGeneration'], 'EOF'),
    (b'Trace Go1.22\nGoSwitch dt=1 g=2 g_seq=3\n', [], 'unidentified event: GoSwitch'),
    (b'Trace Go1.22\nGoStart dt=1 g=2 g_seq=3\r\n', ['GoStart dt=1 g=2 g_seq=3'], 'EOF'),
    (b'Trace Go1.22\nGoStart dt=1 g=2 g_seq=3', ['GoStart dt=1 g=2 g_seq=3'], 'EOF'),
    (b'Trace Go1.22\nGoStart dt=1 g=2 g_seq=3\rGoStop\n', [], 'reading args for GoStart: encountered unexpected non-space at the end of an event: "\\rGoStop"'),
    (b'Trace Go1.22\nProcStop dt=5 # comment\n', [], 'reading args for ProcStop: encountered unexpected non-space at the end of an event: " # comment"'),
    (b'Trace Go1.22\nProcStop dt=5#\n', [], 'reading args for ProcStop: encountered unexpected non-space at the end of an event: "#"'),
    (b'Trace Go1.22\nProcStop\n', [], 'reading args for ProcStop: no argument'),
    (b'Trace Go1.22\nStrings x\n', [], 'reading args for Strings: encountered unexpected non-space at the end of an event: " x"'),
    (b'Trace Go1.22\nStrings #x\n', [], 'reading args for Strings: encountered unexpected non-space at the end of an event: " #x"'),
    (b'Trace Go1.22\n  Strings  \n', ['Strings'], 'EOF'),
    (b'Trace Go1.22\nStrings\x00\n', [], 'unidentified event: Strings\x00'),
]
# fmt: on


@pytest.mark.parametrize(("data", "events", "err"), GO_TEXT_CASES)
def test_text_reader_matches_go(data: bytes, events: list[str], err: str) -> None:
    got, got_err = _drain_text(data)
    assert [e.go_string() for e in got] == events
    assert got_err == err


_H = b"Trace Go1.22\nString id=1\n"


@pytest.mark.parametrize(
    ("data", "n_events", "err"),
    [
        # bufio.Scanner's 64 KiB buffer: the line plus its terminator must fit (verified in Go).
        (_H + b"x" * 70000 + b"\n", 0, "bufio.Scanner: token too long"),
        (_H + b'data="' + b"a" * 65528 + b'"\n', 1, "EOF"),
        (_H + b'data="' + b"a" * 65529 + b'"\n', 0, "bufio.Scanner: token too long"),
        (_H + b'data="' + b"a" * 65528 + b'"', 1, "EOF"),
        (_H + b'data="' + b"a" * 65529 + b'"', 0, "bufio.Scanner: token too long"),
        (_H + b'data="' + b"a" * 65527 + b'"\r\n', 1, "EOF"),
        (_H + b'data="' + b"a" * 65528 + b'"\r\n', 0, "bufio.Scanner: token too long"),
    ],
)
def test_text_reader_line_limit_matches_go(data: bytes, n_events: int, err: str) -> None:
    got, got_err = _drain_text(data)
    assert (len(got), got_err) == (n_events, err)


def test_text_reader_scanner_error_is_sticky() -> None:
    reader = TextReader(_H + b"x" * 70000 + b"\n")
    for _ in range(2):
        with pytest.raises(TraceError, match="token too long"):
            reader.read_event()


def test_text_reader_inputs(tmp_path: Path) -> None:
    text = "Trace Go1.26\nString id=1\n\tdata=\"\\xff\u00e9\"\n"
    want = (Version.Go126, [RawEvent(Version.Go126, EventType.String, (1,), b"\xff\xc3\xa9")])
    assert parse_text(text) == want
    assert parse_text(text.encode()) == want
    assert list(TextReader(io.StringIO(text))) == want[1]
    assert list(TextReader(io.BytesIO(text.encode()))) == want[1]
    p = tmp_path / "t.txt"
    p.write_text(text)
    assert list(TextReader(p)) == want[1]


def test_event_names_later_duplicate_wins() -> None:
    names = event_names(Version.Go126.specs())
    assert names["GoStart"] == EventType.GoStart
    assert names["Span"] == 128
    assert "Span" not in event_names(Version.Go125.specs())
    # All unnamed slots collapse onto the last one, as in Go's map.
    assert names[""] == max(i for i, s in enumerate(SPECS) if s.name == "")


# --- Go's test traces -------------------------------------------------------------------------

# sha256 of the wire bytes Go's testtrace.ParseFile builds from each test's text (raw.Writer).
GO_TEST_BINARY_SHA256: dict[str, str] = {
    "go122-annotations-stress": "6fb4a1e3b2ba9d0647648e5d328dfa369f133442c80ddf55a7b4db584f4d18b8",
    "go122-annotations": "b59c26f4937418a743f96df82ca86201bcc7aa197540e9d4dfe307474bf53b03",
    "go122-confuse-seq-across-generations": "c61d8d2c0287384cfe2a801494acf1ad03b163634cbeb2d84c8551f9ce672743",
    "go122-create-syscall-reuse-thread-id": "69ae309957c90b6c7ed579b7bf29b8bf20ec429b9bfe43629f730efc3fd26662",
    "go122-create-syscall-with-p": "e086fa9d9b1139fdff719916364c329d3db9eff545bfc80302e9d4cd951f9311",
    "go122-fail-first-gen-first": "20e0e657e38e5a76b1ab088b2ddfb26e44a65f2526554c4b800b4d72e6f4c538",
    "go122-gc-stress": "754fd4af96fb95681afe4b3157fd3e51aa32d20ddb75723b2a7962966ce59330",
    "go122-go-create-without-running-g": "0b31267c3d1992f14ccf1ee9cf7f2f620ca2fb7cffb205f825c3b16de841e9ec",
    "go122-syscall-steal-proc-ambiguous": "806728b14c570be9d9f0fe454d8a7dff546f27688f2eae7bdefdd348ddba1cd5",
    "go122-syscall-steal-proc-gen-boundary-bare-m": "44fb158069f5fbe4556d4065594484e10386ab091550eb71a994251901592ed0",
    "go122-syscall-steal-proc-gen-boundary-reacquire-new-proc-bare-m": "0bf819ae81303f36397e9f4d5609ace17713c63b310f4abd3a4bb3f6811dc40b",
    "go122-syscall-steal-proc-gen-boundary-reacquire-new-proc": "ddd9bae6f49fc62a6ecb35e1434713afbe047bd70c6b3447ca6a7bcc7f5cb50f",
    "go122-syscall-steal-proc-gen-boundary": "10281337b7f850c4a3fcbb83bbcd9b489740812de268f5a850b437e3653eaf39",
    "go122-syscall-steal-proc-reacquire-new-proc-bare-m": "19dd51c3810507652d6dca8044decbb3b600d4810f9fd1d55d36a3700ad19fa4",
    "go122-syscall-steal-proc-reacquire-new-proc": "638211218fdeba7daebee1e2b54f7ad6774d4856778020e0d7e7ec9fd9e00b38",
    "go122-syscall-steal-proc-self": "73aa37521c30a275c16283b1716af8b5bcacc2497a9df5e3bd78434f6548f6f8",
    "go122-syscall-steal-proc-simple-bare-m": "1cc4ba40f37a87156349ebc98b4019e8ce9e818765c825fb523e778c2d66cfa5",
    "go122-syscall-steal-proc-simple": "815a0f1c6f31e0da345ee72152d3ae96da1c5abf884be495a9b8cdac07e1c991",
    "go122-syscall-steal-proc-sitting-in-syscall": "d5739f8aac95e75a98d58da823f7090e0c3992b3e0b6e93bf5809846d8d895a0",
    "go122-task-across-generations": "58941979d1f70f2efe3458dbad95e1537dbf1ffac335cd7dc891ea6b7cf2e10c",
    "go123-sync": "b3c12aa5d8c679e37cbb939f78b5a6289f947763a79aac5f0038a1aa3985e051",
    "go125-sync": "4c556548cd3e5d7bd930a7b13f0d2862e5cabe679cfa1f63dfd2ed46f00862d4",
}


def test_every_go_test_file_is_covered() -> None:
    assert sorted(p.stem for p in go_test_files()) == sorted(GO_TEST_BINARY_SHA256)


@pytest.mark.parametrize("path", go_test_files(), ids=lambda p: p.stem)
def test_go_test_file_round_trips(path: Path) -> None:
    _, text = read_test_file(path)
    version, events = parse_text(text)
    binary = text_to_binary(text)
    assert hashlib.sha256(binary).hexdigest() == GO_TEST_BINARY_SHA256[path.stem]
    # binary -> events is the text's events.
    assert read_raw(binary) == (version, events)
    # text -> binary -> text re-reads to the same events.
    text2 = binary_to_text(binary)
    assert parse_text(text2) == (version, events)
    # binary -> text -> binary is the identity (the writer's varints are minimal).
    assert text_to_binary(text2) == binary
    assert write_raw(version, events) == binary
    # The canonical text is a fixed point.
    assert binary_to_text(text_to_binary(text2)) == text2
    assert sum(e.encoded_size() for e in events) == len(binary) - len(write_header(version))


# --- Writers ----------------------------------------------------------------------------------


def _events_for(version: Version) -> st.SearchStrategy[RawEvent]:
    specs = version.specs()
    valid = [i for i in range(1, len(specs)) if specs[i].name]
    u64 = st.one_of(st.integers(0, 300), st.integers(0, 2**64 - 1))

    @st.composite
    def event(draw: st.DrawFn) -> RawEvent:
        ev = draw(st.sampled_from(valid))
        spec = specs[ev]
        args = [draw(u64) for _ in spec.args]
        data = None
        if spec.is_stack:
            nframes = draw(st.integers(0, 3))
            args[1] = nframes
            args += [draw(u64) for _ in range(4 * nframes)]
        if spec.has_data:
            data = draw(st.binary(min_size=1, max_size=20))
        return RawEvent(version, ev, tuple(args), data)

    return event()


@st.composite
def _traces(draw: st.DrawFn) -> tuple[Version, list[RawEvent]]:
    version = draw(st.sampled_from(V2_VERSIONS))
    return version, draw(st.lists(_events_for(version), max_size=12))


@settings(max_examples=200)
@given(_traces())
def test_writer_reader_round_trip(trace: tuple[Version, list[RawEvent]]) -> None:
    version, events = trace
    binary = write_raw(version, events)
    assert read_raw(binary) == (version, events)
    # RawWriter(RawReader(x)) == x for minimal-varint input.
    assert write_raw(*read_raw(binary)) == binary
    text_w = TextWriter(version)
    for e in events:
        text_w.write_event(e)
    text = text_w.getvalue()
    assert parse_text(text) == (version, events)
    assert text_to_binary(text) == binary
    assert binary_to_text(binary) == text


def test_writers_reject_version_mismatch() -> None:
    ev = RawEvent(Version.Go122, EventType.ProcStop, (1,))
    with pytest.raises(ValueError, match=r"mismatched version between writer \(go 1.26\) and event \(go 1.22\)"):
        RawWriter(Version.Go126).write_event(ev)
    with pytest.raises(ValueError, match="mismatched version"):
        TextWriter(Version.Go126).write_event(ev)


def test_writer_quirks_follow_go() -> None:
    w = RawWriter(Version.Go122)
    # Surplus args of a non-stack event are dropped; missing data is a zero length.
    w.write_event(RawEvent(Version.Go122, EventType.ProcStop, (1, 2, 3)))
    w.write_event(RawEvent(Version.Go122, EventType.String, (7,), None))
    assert w.getvalue() == write_header(Version.Go122) + b"\x0b\x01" + b"\x05\x07\x00"
    # Reading it back: an empty trailer is Go's nil slice, so data is None and the text form
    # has no data line, which the text reader then cannot read back.
    events = read_raw(w.getvalue())[1]
    assert events[1] == RawEvent(Version.Go122, EventType.String, (7,), None)
    assert events[1].go_string() == "String id=7"
    with pytest.raises(TraceError, match="unexpected EOF while reading data for String"):
        parse_text(binary_to_text(w.getvalue()))
    with pytest.raises(ValueError):
        w.write_event(RawEvent(Version.Go122, EventType.GoStart, (1,)))


def test_writer_to_stream() -> None:
    out = io.BytesIO()
    w = RawWriter(Version.Go123, out)
    w.write_event(RawEvent(Version.Go123, EventType.ExperimentalBatch, (1, 2, 3, 4), b"xy"))
    assert out.getvalue() == write_header(Version.Go123) + b"\x31\x01\x02\x03\x04\x02xy"
    s = io.StringIO()
    tw = TextWriter(Version.Go123, s)
    tw.write_event(RawEvent(Version.Go123, EventType.ExperimentalBatch, (1, 2, 3, 4), b"x\n"))
    assert s.getvalue() == 'Trace Go1.23\nExperimentalBatch exp=1 gen=2 m=3 time=4\n\tdata="x\\n"\n'


def test_go_string_and_encoded_size() -> None:
    st_ev = RawEvent(Version.Go126, EventType.Stack, (1, 2, 10, 11, 12, 13, 20, 21, 22, 23))
    assert st_ev.go_string() == (
        "Stack id=1 nframes=2\n\tpc=10 func=11 file=12 line=13\n\tpc=20 func=21 file=22 line=23"
    )
    assert st_ev.encoded_size() == 11
    big = RawEvent(Version.Go126, EventType.ProcStop, (2**64 - 1,))
    assert big.go_string() == "ProcStop dt=18446744073709551615"
    assert big.encoded_size() == 11
    s = RawEvent(Version.Go126, EventType.String, (3,), b"\x00\xe2\x80\x8b\xff")
    assert s.go_string() == 'String id=3\n\tdata="\\x00\\u200b\\xff"'
    assert s.encoded_size() == 1 + 1 + 1 + 5


# --- RawStreamReader: the same events and errors through a window ---------------------------


def _raw_outcome(reader_factory: Any) -> tuple[list[Any], str | None]:
    events: list[Any] = []
    try:
        reader = reader_factory()
        for ev in reader:
            events.append(ev)
    except TraceError as e:
        return events, e.message
    return events, None


def test_stream_reader_matches_in_memory_reader_at_every_window_size() -> None:
    import io

    from oracle.campaign.sources import corpus_inputs, generated_inputs, go_testdata_inputs
    from oracle.harness import toolchain
    from oracle.parser.raw import RawStreamReader

    inputs = go_testdata_inputs(toolchain.pinned().goroot)[0] + corpus_inputs()[0]
    inputs += list(generated_inputs(30, "raw-stream"))
    compared = 0
    for inp in inputs:
        whole = _raw_outcome(lambda: RawReader(inp.data))
        for chunk in (1, 7, 4096):
            streamed = _raw_outcome(lambda: RawStreamReader(io.BytesIO(inp.data), chunk=chunk))
            assert streamed == whole, (inp.name, chunk)
        compared += 1
    assert compared > 100
