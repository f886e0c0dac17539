"""Bad input is never a crash: only ``TraceError`` (or a mirrored ``GoPanic``) escapes.

h11's rule: if the parser raises anything else, that's a bug in the parser.  Arbitrary bytes,
arbitrary bytes behind every valid header, and byte-level mutations (flips, inserts, deletes,
truncations) of real traces and Go's test traces are parsed to the end, calling every accessor
through the canonical dump.  A chunking test checks that how the input arrives (one buffer, or a
stream handing out one byte per read) does not change the result.
"""

from __future__ import annotations

import io
from functools import lru_cache
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from oracle.parser import canonical
from oracle.parser.raw import text_to_binary
from oracle.parser.txtar import read_test_file

HEADERS = [f"go 1.{v} trace\x00\x00\x00".encode() for v in (22, 23, 25, 26)]


def parse_fully(data: bytes) -> list[str]:
    """The canonical dump; only the parser's own error types may stop it."""
    return list(canonical.dump_trace(data))


@lru_cache(maxsize=1)
def seed_traces() -> tuple[bytes, ...]:
    """Small valid traces to mutate: Go's test traces and the small real ones."""
    from oracle.harness.realtraces import real_traces
    from oracle.harness.toolchain import pinned

    tests_dir = pinned().goroot / "src" / "internal" / "trace" / "testdata" / "tests"
    seeds = [text_to_binary(read_test_file(p)[1]) for p in sorted(tests_dir.glob("*.test"))]
    seeds += [t.path.read_bytes() for t in real_traces() if t.path.stat().st_size < 20_000]
    return tuple(seeds)


@given(st.binary(max_size=2048))
def test_arbitrary_bytes(data: bytes) -> None:
    lines = parse_fully(data)
    assert lines[-1].startswith('{"end":')


@given(st.sampled_from(HEADERS), st.binary(max_size=4096))
def test_arbitrary_bytes_after_a_valid_header(header: bytes, body: bytes) -> None:
    lines = parse_fully(header + body)
    assert lines[-1].startswith('{"end":')


@st.composite
def mutated(draw: st.DrawFn) -> bytes:
    """A seed trace with a few byte-level edits."""
    data = bytearray(draw(st.sampled_from(seed_traces())))
    for _ in range(draw(st.integers(1, 8))):
        op = draw(st.sampled_from(["flip", "set", "insert", "delete", "truncate"]))
        if not data:
            break
        i = draw(st.integers(0, len(data) - 1))
        if op == "flip":
            data[i] ^= 1 << draw(st.integers(0, 7))
        elif op == "set":
            data[i] = draw(st.sampled_from([0, 1, 0x7F, 0x80, 0xFF, draw(st.integers(0, 255))]))
        elif op == "insert":
            data[i:i] = draw(st.binary(min_size=1, max_size=12))
        elif op == "delete":
            del data[i : i + draw(st.integers(1, 12))]
        else:
            del data[i:]
    return bytes(data)


@settings(max_examples=400)
@given(mutated())
def test_mutated_traces(data: bytes) -> None:
    lines = parse_fully(data)
    assert lines[-1].startswith('{"end":')


class OneByteReader(io.RawIOBase):
    """A stream that hands out at most one byte per read call."""

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


@settings(max_examples=60)
@given(st.one_of(st.sampled_from(seed_traces()), mutated()))
def test_chunking_does_not_change_the_result(data: bytes) -> None:
    whole = parse_fully(data)
    streamed = list(canonical.dump_trace(OneByteReader(data)))
    assert streamed == whole


def test_seed_set_is_not_empty() -> None:
    assert len(seed_traces()) >= 20
    assert all(isinstance(s, bytes) and s for s in seed_traces())


def test_paths_are_accepted_too(tmp_path: Path) -> None:
    p = tmp_path / "t.trace"
    p.write_bytes(seed_traces()[0])
    assert list(canonical.dump_trace(p)) == parse_fully(seed_traces()[0])
