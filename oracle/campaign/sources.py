"""Where campaign cases come from: Go's own testdata, the corpus, and generated traces.

One copy of each lookup: the conformance check, the coverage measurement and the engines'
seed corpora all read their inputs through here.
"""

from __future__ import annotations

import functools
import random
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Final

__all__ = ["V1_SEED_MAX_BYTES", "default_corpus_root", "v1_mutant", "v1_seed_traces"]

#: The checkout this package runs from, if it runs from one (editable install or the tree).
_CHECKOUT = Path(__file__).resolve().parents[2]


def default_corpus_root() -> Path:
    """The corpus folder to use when the command line names none.

    Inside a checkout it is the repository's ``corpus/``; after a non-editable install the
    package lives in site-packages, where findings must never be written, so it is
    ``./corpus`` in the working directory instead.
    """
    if (_CHECKOUT / "pyproject.toml").is_file() and (_CHECKOUT / "corpus").is_dir():
        return _CHECKOUT / "corpus"
    return Path.cwd() / "corpus"


# --- v1 mutants ------------------------------------------------------------------------------
#
# Mutants of real v1 traces (Go 1.11 to 1.21): Go's v1 testdata from the pinned GOROOT and the
# traces the Go 1.21.13 runtime writes (oracle.harness.realtraces).  The strategies model only
# v2 traces, so these are byte-level mutants, made after the header so they stay v1 inputs.

#: Only small traces: the v1 parser reads a whole trace before its first event, so a case costs
#: time in proportion to its size.
V1_SEED_MAX_BYTES: Final = 12 * 1024


@functools.cache
def v1_seed_traces() -> tuple[bytes, ...]:
    """The real v1 traces mutants are made from, in a fixed order (cached per process).

    Go's v1 testdata, plus Go 1.21.13's traces if they were already produced (by the test suite
    or ``oracle.harness.realtraces.real_traces("1.21.13")``): a campaign never waits for a
    toolchain download.
    """
    from oracle.harness import realtraces, toolchain

    traces: list[tuple[str, bytes]] = []
    testdata = toolchain.pinned().goroot / "src" / "internal" / "trace" / "internal" / "tracev1" / "testdata"
    for p in sorted(testdata.iterdir()):
        if p.stat().st_size <= V1_SEED_MAX_BYTES:
            traces.append((p.name, p.read_bytes()))
    for v in realtraces.V1_RUNTIME_VERSIONS:
        for t in realtraces.cached_real_traces(v):
            traces.append((t.name, t.path.read_bytes()))
    return tuple(data for _, data in traces if len(data) <= V1_SEED_MAX_BYTES)


def _flip_bit(rng: random.Random, b: bytearray, lo: int) -> str:
    i = rng.randrange(lo, len(b))
    bit = rng.randrange(8)
    b[i] ^= 1 << bit
    return f"flip-bit@{i}.{bit}"


def _set_byte(rng: random.Random, b: bytearray, lo: int) -> str:
    i = rng.randrange(lo, len(b))
    b[i] = rng.choice((0, 1, 0x3F, 0x40, 0x7F, 0x80, 0xC0, 0xFF, rng.randrange(256)))
    return f"set-byte@{i}={b[i]}"


def _delete_range(rng: random.Random, b: bytearray, lo: int) -> str:
    i = rng.randrange(lo, len(b))
    n = rng.randint(1, min(16, len(b) - i))
    del b[i : i + n]
    return f"delete@{i}+{n}"


def _duplicate_range(rng: random.Random, b: bytearray, lo: int) -> str:
    i = rng.randrange(lo, len(b))
    n = rng.randint(1, min(64, len(b) - i))
    j = rng.randrange(lo, len(b) + 1)
    b[j:j] = b[i : i + n]
    return f"duplicate@{i}+{n}->{j}"


def _truncate(rng: random.Random, b: bytearray, lo: int) -> str:
    i = rng.randrange(lo, len(b))
    del b[i:]
    return f"truncate@{i}"


#: The byte mutations, by name; each returns its description.
_V1_MUTATIONS: Final[tuple[Callable[[random.Random, bytearray, int], str], ...]] = (
    _flip_bit, _set_byte, _set_byte, _delete_range, _duplicate_range, _truncate,
)


def v1_mutant(seed: str, traces: Sequence[bytes] | None = None) -> tuple[bytes, tuple[str, ...]]:
    """A mutant of one real v1 trace, fully determined by ``seed``: ``(bytes, mutations)``.

    One to four byte mutations after the 16-byte header (``go 1.NN trace`` and three NULs).
    """
    pool = v1_seed_traces() if traces is None else traces
    rng = random.Random(seed)
    i = rng.randrange(len(pool))
    b = bytearray(pool[i])
    done = [f"v1-seed#{i}"]
    for _ in range(rng.randint(1, 4)):
        if len(b) <= _V1_HEADER_LEN:
            break
        done.append(rng.choice(_V1_MUTATIONS)(rng, b, _V1_HEADER_LEN))
    return bytes(b), tuple(done)


_V1_HEADER_LEN: Final = 16
