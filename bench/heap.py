"""Cost of the AllocFree heap checker against a plain parse of the same trace.

    .venv/bin/python bench/heap.py [--repeat N]

For AllocFree-heavy real traces written by the pinned runtime (tracegen scenarios ``tiny``,
``gc``, ``manygc``, and the 10 MB ``large`` AllocFree trace of bench/run.py), measures in one
run, best of ``--repeat``: the reference parser alone (``for ev in Reader(data)``), the parser
feeding the heap replay (what ``gotrace-oracle heap`` and ``oracle.heap.check_trace`` do), and
Go's ``ReadEvent`` loop (helper ``bench-parse``) for scale.  The overhead is
(parse + check) / parse - 1; the target is at most 30% (docs/benchmarks.md).
"""

from __future__ import annotations

import argparse
import gc
import sys
import time
from pathlib import Path
from typing import Callable

sys.path.insert(0, str(Path(__file__).resolve().parent))

from run import go_bench  # noqa: E402

from oracle.harness import realtraces  # noqa: E402
from oracle.harness.helper import helper_for  # noqa: E402
from oracle.heap.replay import HeapReplay  # noqa: E402
from oracle.parser.reader import Reader  # noqa: E402


def parse_only(data: bytes) -> int:
    n = 0
    for _ in Reader(data):
        n += 1
    return n


def parse_and_check(data: bytes) -> int:
    r = HeapReplay()
    r.run(Reader(data))
    return r.finish().events


def best_of(repeat: int, f: Callable[[bytes], int], data: bytes) -> tuple[int, float]:
    best = float("inf")
    n = 0
    for _ in range(repeat):
        gc.collect()
        t0 = time.perf_counter()
        n = f(data)
        best = min(best, time.perf_counter() - t0)
    return n, best


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args(argv)
    helper = helper_for()
    traces = {t.scenario: t.path for t in realtraces.real_traces() if t.allocfree}
    paths = [(s, traces[s]) for s in ("tiny", "gc", "manygc")]
    paths.append(("large", realtraces.large_trace(allocfree=True)))
    print("| trace | size | events | AllocFree events | parse ev/s | parse+check ev/s | overhead | Go parse ev/s |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for name, path in paths:
        data = path.read_bytes()
        n, t_parse = best_of(args.repeat, parse_only, data)
        n2, t_check = best_of(args.repeat, parse_and_check, data)
        assert n == n2
        r = HeapReplay()
        for ev in Reader(data):
            r.feed(ev)
        naf = r.n_allocfree
        go = go_bench(helper, "bench-parse", path)
        go_rate = go["events"] * go["iterations"] / go["seconds"]
        print(f"| {name}-allocfree | {len(data) / 1e6:.2f} MB | {n:,} | {naf:,} | {n / t_parse:,.0f} | "
              f"{n / t_check:,.0f} | {t_check / t_parse - 1:+.0%} | {go_rate:,.0f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
