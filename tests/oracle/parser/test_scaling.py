"""Memory and time: streaming one generation at a time, and no super-linear blow-ups.

Two properties of the reference parser that a fuzzer or a user with a big trace relies on:

* Memory is bounded by the largest generation, not by the file: a 200 MB trace, produced on
  the fly by a stream so it never exists in memory or on disk, parses with a small peak.
* Adversarial shapes (many Ms, equal timestamps, huge sparse IDs, long frame lists) scale
  linearly.  The cost is measured as the number of Python function calls the parse makes
  (cProfile's count), not as time: it is deterministic, immune to machine load, and the
  parser is pure Python, so its algorithmic cost shows up in it (the frontier sort, the heap
  and the tables are all Python code).  Parsing 4x the input must cost under 5x the calls; a
  quadratic algorithm would cost about 16x.  Each case builds valid traces that Go accepts
  too (checked against the helper at a smaller size).
"""

from __future__ import annotations

import cProfile
import io
import pstats
import tracemalloc
from typing import Callable

import pytest

from oracle.harness.helper import GoHelper
from oracle.parser.generation import encode_stacks, encode_strings, encode_sync
from oracle.parser.rawtrace import encode_batch, encode_end_of_generation
from oracle.parser.reader import Reader
from oracle.parser.tracev2 import EventType, GoStatus, ProcStatus
from oracle.parser.uvarint import put_uvarint
from oracle.parser.version import Version, write_header

NO_M = (1 << 64) - 1
V = Version.Go126


def ev(typ: int, dt: int, *args: int) -> bytes:
    """One timed event: type byte, dt, args (minimal varints)."""
    return bytes((typ,)) + put_uvarint(dt) + b"".join(put_uvarint(a) for a in args)


def sync_batch(gen: int, t: int = 1000) -> bytes:
    return encode_batch(gen, NO_M, t, encode_sync(V, clock=(1, 1, 1_700_000_000, 0)))


def count_events(data: bytes | io.RawIOBase) -> int:
    n = 0
    for _ in Reader(data):
        n += 1
    return n


# --- streaming ---------------------------------------------------------------------------------


class GeneratedTrace(io.RawIOBase):
    """A Go126 trace of ``generations`` generations of about ``gen_bytes`` each, made on demand.

    Each generation holds a sync batch, experimental batches of opaque data (cheap to parse,
    expensive to keep) and one M's batch with a ProcStatus event.
    """

    def __init__(self, generations: int, gen_bytes: int) -> None:
        self._remaining = generations
        self._gen = 0
        self._gen_bytes = gen_bytes
        self._buf = memoryview(write_header(V))
        self.produced = 0

    def readable(self) -> bool:
        return True

    def _next_generation(self) -> bytes:
        self._gen += 1
        g = self._gen
        parts = [sync_batch(g, 1000 * g)]
        chunk = bytes(range(256)) * 200  # 51,200 bytes per experimental batch
        for _ in range(max(1, self._gen_bytes // len(chunk))):
            parts.append(encode_batch(g, NO_M, 1000 * g, chunk, exp=1))
        parts.append(encode_batch(g, 1, 1000 * g + 1, ev(EventType.ProcStatus, 1, 0, ProcStatus.Idle)))
        parts.append(encode_end_of_generation())
        return b"".join(parts)

    def readinto(self, b: bytearray) -> int:  # type: ignore[override]
        if not self._buf:
            if self._remaining == 0:
                return 0
            self._remaining -= 1
            self._buf = memoryview(self._next_generation())
        n = min(len(b), len(self._buf))
        b[:n] = self._buf[:n]
        self._buf = self._buf[n:]
        self.produced += n
        return n


@pytest.mark.slow
def test_200mb_trace_streams_in_memory_bounded_by_a_generation() -> None:
    stream = GeneratedTrace(generations=200, gen_bytes=1 << 20)
    tracemalloc.start()
    try:
        n = count_events(stream)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert stream.produced > 200e6
    assert n == 200 * 2 + 1  # a Sync and a ProcStatus per generation, plus the final Sync
    # One generation is ~1 MB of batches; allow generous slack for buffers and tables.
    assert peak < 16 << 20, f"peak {peak / 1e6:.1f} MB while streaming {stream.produced / 1e6:.0f} MB"


# --- adversarial shapes -------------------------------------------------------------------------


def many_ms(n: int) -> bytes:
    """n Ms, each with one batch holding a ProcStatus, all at the same timestamp."""
    parts = [write_header(V), sync_batch(1)]
    for i in range(n):
        parts.append(encode_batch(1, i + 1, 2000, ev(EventType.ProcStatus, 0, i, ProcStatus.Idle)))
    parts.append(encode_end_of_generation())
    return b"".join(parts)


def equal_timestamps(n: int) -> bytes:
    """n goroutine status events with dt=0 spread over 8 Ms (every time equal)."""
    per_m: dict[int, list[bytes]] = {m: [] for m in range(1, 9)}
    for g in range(n):
        per_m[g % 8 + 1].append(ev(EventType.GoStatus, 0, g + 1, NO_M, GoStatus.Waiting))
    parts = [write_header(V), sync_batch(1)]
    for m, evs in per_m.items():
        # Keep batches under the 64 KiB limit.
        for k in range(0, len(evs), 4000):
            parts.append(encode_batch(1, m, 2000, b"".join(evs[k : k + 4000])))
    parts.append(encode_end_of_generation())
    return b"".join(parts)


def huge_ids(n: int) -> bytes:
    """Sparse string/stack tables with IDs near 2**64 and goroutines with huge IDs."""
    big = 1 << 63
    strings = [(big + 2 * i + 1, f"s{i}") for i in range(2 * n)]
    stacks = [(big + i, [(0x1000 + i, big + 4 * i + 1, big + 4 * i + 3, i)]) for i in range(n)]
    parts = [write_header(V), sync_batch(1)]
    parts += _chunked_section(encode_strings, strings, 2000)
    parts += _chunked_section(encode_stacks, stacks, 1000)
    evs = [ev(EventType.GoStatusStack, 0, big + 7 * i, NO_M, GoStatus.Waiting, big + i) for i in range(n)]
    for k in range(0, n, 1000):
        parts.append(encode_batch(1, 1, 2000, b"".join(evs[k : k + 1000])))
    parts.append(encode_end_of_generation())
    return b"".join(parts)


def long_frame_lists(n: int) -> bytes:
    """n stacks of 128 distinct frames each, each used by one goroutine status event."""
    strings = [(1, "main.f"), (2, "/src/main.go")]
    stacks = [(i + 1, [(0x100000 + 128 * i + j, 1, 2, j) for j in range(128)]) for i in range(n)]
    parts = [write_header(V), sync_batch(1)]
    parts += _chunked_section(encode_strings, strings, 10)
    parts += _chunked_section(encode_stacks, stacks, 20)
    evs = [ev(EventType.GoStatusStack, 0, i + 1, NO_M, GoStatus.Waiting, i + 1) for i in range(n)]
    for k in range(0, n, 2000):
        parts.append(encode_batch(1, 1, 2000, b"".join(evs[k : k + 2000])))
    parts.append(encode_end_of_generation())
    return b"".join(parts)


def _chunked_section(encode: Callable[[list], bytes], items: list, per_batch: int) -> list[bytes]:  # type: ignore[type-arg]
    return [
        encode_batch(1, NO_M, 1000, encode(items[k : k + per_batch]))
        for k in range(0, len(items), per_batch)
    ]


CASES = {
    "many-Ms": (many_ms, 2_000),
    "equal-timestamps": (equal_timestamps, 10_000),
    "huge-ids": (huge_ids, 4_000),
    "long-frame-lists": (long_frame_lists, 400),
}


def call_count(data: bytes) -> int:
    """Python function calls made while parsing ``data`` to the end (deterministic)."""
    prof = cProfile.Profile()
    prof.enable()
    try:
        count_events(data)
    finally:
        prof.disable()
    return int(pstats.Stats(prof).total_calls)  # type: ignore[attr-defined]


@pytest.mark.parametrize("case", CASES)
def test_adversarial_case_is_accepted_by_go_and_python(go_helper: GoHelper, case: str) -> None:
    build, n = CASES[case]
    data = build(n // 4)
    res = go_helper.request("parse", data)
    assert res.outcome == "ok" and res.output.endswith(b'{"end":"EOF"}\n'), res.output[-300:]
    assert count_events(data) == res.output.count(b"\n") - 1


@pytest.mark.slow
@pytest.mark.parametrize("case", CASES)
def test_adversarial_case_scales_linearly(case: str) -> None:
    build, n = CASES[case]
    small, large = call_count(build(n)), call_count(build(4 * n))
    assert large < 5 * small, f"{case}: {small} calls for n={n}, {large} for 4n ({large / small:.1f}x)"
