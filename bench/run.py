"""Benchmarks of the reference implementation against Go, measured as ratios in one run.

``make bench`` runs this.  Each row times Python and Go on the *same* input in the *same*
run and reports the ratio, because absolute numbers on shared CI machines mean little:

* ``raw``: decoding every raw event (``oracle.parser.raw.RawReader`` vs Go's ``raw.Reader`` loop).
* ``parse``: the full parser (``oracle.Reader`` vs Go's ``trace.Reader.ReadEvent`` loop), in
  this process's implementation.
* first, the implementation table: Go's ``ReadEvent`` loop, the pure-Python parser and the
  compiled (mypyc) one, each Python side in its own process (``bench/impl_worker.py`` with
  ``GOTRACE_ORACLE_IMPL=pure`` / ``=compiled``), plus their ``Event.String()`` rates.

Inputs are real traces of about 10 MB written by the pinned runtime (plain and with
``GODEBUG=traceallocfree=1``), built and cached by :mod:`oracle.harness.realtraces`.  Go's side runs
in the helper's ``bench-raw``/``bench-parse`` modes, which time the loop in-process (at least
one second of repetitions), so process start-up is not counted on either side.  Python's
side reports the best of ``--repeat`` runs.
"""

from __future__ import annotations

import argparse
import gc
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Callable

from oracle.harness import realtraces

from oracle.harness import toolchain
from oracle.parser.errors import TraceError
from oracle.parser.raw import RawReader
from oracle.parser.reader import Reader


def python_raw(data: bytes) -> int:
    """Decode every raw event; the count."""
    return len(RawReader(data).read_all())


def python_parse(data: bytes) -> int:
    """Run the full parser to the end; the count of events."""
    n = 0
    for _ in Reader(data):
        n += 1
    return n


def best_of(repeat: int, f: Callable[[bytes], int], data: bytes) -> tuple[int, float]:
    best = float("inf")
    count = 0
    for _ in range(repeat):
        gc.collect()
        t0 = time.perf_counter()
        count = f(data)
        best = min(best, time.perf_counter() - t0)
    return count, best


def go_bench(helper: Path, mode: str, path: Path) -> dict[str, Any]:
    proc = subprocess.run([str(helper), mode, str(path)], capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise SystemExit(f"bench: Go {mode} failed: {proc.stderr.strip()}")
    result: dict[str, Any] = json.loads(proc.stdout)
    return result


def impl_bench(path: Path, impl: str, repeat: int, string_events: int) -> dict[str, Any] | None:
    """Time one parser implementation on ``path`` in its own process (``bench/impl_worker.py``);
    ``None`` when that implementation is not there (no compiled build)."""
    import os

    env = {**os.environ, "GOTRACE_ORACLE_IMPL": impl}
    proc = subprocess.run(
        [sys.executable, str(Path(__file__).with_name("impl_worker.py")), str(path),
         "--repeat", str(repeat), "--string-events", str(string_events)],
        capture_output=True, text=True, env=env, check=False)
    if proc.returncode != 0:
        if impl == "compiled" and "no compiled build" in proc.stderr:
            return None
        raise SystemExit(f"bench: {impl} parser failed on {path}: {proc.stderr.strip()[-500:]}")
    result: dict[str, Any] = json.loads(proc.stdout)
    return result


def impls_table(size: int, repeat: int, string_events: int) -> list[dict[str, Any]]:
    """The implementations side by side: Go's ReadEvent loop, the pure-Python parser and the
    compiled (mypyc) one, on the scheduler-heavy and the AllocFree-heavy trace, one run."""
    helper = toolchain.build_helper(toolchain.pinned())
    rows: list[dict[str, Any]] = []
    for allocfree, label in ((False, "scheduler-heavy"), (True, "AllocFree-heavy")):
        path = realtraces.large_trace(size, allocfree=allocfree)
        go = go_bench(helper, "bench-parse", path)
        go_rate = go["events"] * go["iterations"] / go["seconds"]
        row: dict[str, Any] = {"trace": f"{label} {path.stat().st_size / 1e6:.1f} MB",
                               "events": go["events"], "go_events_per_s": round(go_rate)}
        for impl in ("pure", "compiled"):
            r = impl_bench(path, impl, repeat, string_events)
            if r is None:
                row[impl] = None
                continue
            if r["events"] != go["events"]:
                raise SystemExit(f"bench: {impl} read {r['events']} events of {path}, Go {go['events']}")
            rate = r["events"] / r["seconds"]
            row[impl] = {"impl": r["impl"], "events_per_s": round(rate),
                         "go_over": round(go_rate / rate, 1),
                         "string_events_per_s": round(r["string_events"] / r["string_seconds"])}
        rows.append(row)
        print(f"{row['trace']:>24} go {row['go_events_per_s']:>12,} ev/s  " + "  ".join(
            f"{impl} {row[impl]['events_per_s']:>10,} ev/s (Go/{impl} {row[impl]['go_over']}x)"
            if row[impl] else f"{impl} n/a" for impl in ("pure", "compiled")), file=sys.stderr)
    return rows


def print_impls_table(rows: list[dict[str, Any]], string_events: int) -> None:
    def cell(r: dict[str, Any] | None, key: str, fmt: str) -> str:
        return "n/a" if r is None else format(r[key], fmt)

    print("| trace | events | Go events/s | pure events/s | compiled events/s | Go / pure | "
          f"Go / compiled | String() pure | String() compiled |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        p, c = r["pure"], r["compiled"]
        print(f"| {r['trace']} | {r['events']:,} | {r['go_events_per_s']:,} | "
              f"{cell(p, 'events_per_s', ',')} | {cell(c, 'events_per_s', ',')} | "
              f"{cell(p, 'go_over', '')}x | {cell(c, 'go_over', '')}x | "
              f"{cell(p, 'string_events_per_s', ',')} | {cell(c, 'string_events_per_s', ',')} |")
    impl = next((r["compiled"]["impl"] for r in rows if r["compiled"]), "no compiled build")
    print(f"\n(String() columns: events/s of `ev.go_string()` over the first {string_events:,} "
          f"events; compiled = {impl})")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description="Python vs Go, as ratios measured in one run.")
    p.add_argument("--size", type=int, default=10 << 20, help="trace size in bytes (10 MB)")
    p.add_argument("--repeat", type=int, default=3, help="Python runs per row (best is kept)")
    p.add_argument("--json", type=Path, default=None, help="also write the rows here")
    p.add_argument("--impls-only", action="store_true",
                   help="only the table of implementations (pure, compiled, Go)")
    p.add_argument("--string-events", type=int, default=200_000,
                   help="events whose String() the implementation table times")
    args = p.parse_args(argv)

    impl_rows = impls_table(args.size, args.repeat, args.string_events)
    print_impls_table(impl_rows, args.string_events)
    print()
    if args.impls_only:
        if args.json:
            args.json.write_text(json.dumps({"impls": impl_rows}, indent=1) + "\n")
        return 0

    helper = toolchain.build_helper(toolchain.pinned())
    rows: list[dict[str, Any]] = []
    for allocfree in (False, True):
        path = realtraces.large_trace(args.size, allocfree=allocfree)
        data = path.read_bytes()
        label = "AllocFree" if allocfree else "plain"
        for what, mode, f in (("raw", "bench-raw", python_raw), ("parse", "bench-parse", python_parse)):
            try:
                n, secs = best_of(args.repeat, f, data)
            except TraceError as e:
                raise SystemExit(f"bench: Python rejected {path}: {e.message}") from None
            go = go_bench(helper, mode, path)
            go_rate = go["events"] * go["iterations"] / go["seconds"]
            py_rate = n / secs
            rows.append({
                "trace": f"{label} {len(data) / 1e6:.1f} MB", "what": what, "events": n,
                "python_events_per_s": round(py_rate), "go_events_per_s": round(go_rate),
                "python_mb_per_s": round(len(data) / secs / 1e6, 2),
                "go_over_python": round(go_rate / py_rate, 1),
            })
            r = rows[-1]
            print(f"{r['trace']:>18} {what:<6} python {r['python_events_per_s']:>10,} ev/s  "
                  f"go {r['go_events_per_s']:>12,} ev/s  Go/Python = {r['go_over_python']}x",
                  file=sys.stderr)

    print("| trace | loop | events | Python events/s | Go events/s | Go / Python |")
    print("|---|---|---:|---:|---:|---:|")
    for r in rows:
        print(f"| {r['trace']} | {r['what']} | {r['events']:,} | {r['python_events_per_s']:,} | "
              f"{r['go_events_per_s']:,} | {r['go_over_python']}x |")
    if args.json:
        args.json.write_text(json.dumps({"impls": impl_rows, "rows": rows}, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
