"""Time the pure-Python raw decoding of a binary trace and print one JSON line.

Usage: ``python bench/raw_decode.py TRACE [--repeat N]``.

The measured work is what Go's ``raw.Reader`` loop does (header plus every event up to
``io.EOF``), starting from the bytes already in memory, so the number pairs directly with a Go
benchmark of ``raw.NewReader(bytes.NewReader(data))`` + ``ReadEvent`` until EOF.  The best of
``--repeat`` runs is reported: ``bytes``, ``events``, ``seconds``, ``mb_per_s`` (10**6 bytes),
``events_per_s``, and ``error`` (Go's text when the trace ends with an error other than EOF).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from oracle.parser.errors import TraceError
from oracle.parser.raw import RawReader


def decode_once(data: bytes) -> tuple[int, float, str | None]:
    """Decode every event once; returns (events, seconds, error text or None)."""
    start = time.perf_counter()
    reader = RawReader(data)
    count = 0
    error = None
    try:
        count = len(reader.read_all())
    except TraceError as e:
        error = e.message
    return count, time.perf_counter() - start, error


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("trace", type=Path)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    data = args.trace.read_bytes()
    best: tuple[int, float, str | None] | None = None
    for _ in range(max(1, args.repeat)):
        result = decode_once(data)
        if best is None or result[1] < best[1]:
            best = result
    assert best is not None
    events, seconds, error = best
    print(
        json.dumps(
            {
                "impl": "python-raw",
                "trace": str(args.trace),
                "bytes": len(data),
                "events": events,
                "seconds": round(seconds, 6),
                "mb_per_s": round(len(data) / seconds / 1e6, 3),
                "events_per_s": round(events / seconds),
                "error": error,
                "python": sys.version.split()[0],
            }
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
