"""One side of ``bench/run.py``'s implementation table: time the parser in this process.

``GOTRACE_ORACLE_IMPL`` (set by the caller) picks the pure or the compiled parser; the first
thing printed is which one actually runs, so a missing build cannot pass for a compiled row.
Prints one JSON object: ``impl``, ``events``, ``seconds`` (best of ``--repeat`` full loops
``for ev in Reader(data): pass``) and ``string_events``/``string_seconds`` (one loop calling
``ev.go_string()`` on the first ``--string-events`` events).
"""

from __future__ import annotations

import argparse
import gc
import itertools
import json
import os
import sys
import time
from pathlib import Path

os.environ["TZ"] = "UTC"


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("trace", type=Path)
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--string-events", type=int, default=200_000)
    args = p.parse_args()
    from oracle.parser import compiled
    from oracle.parser.reader import Reader

    data = args.trace.read_bytes()
    best = float("inf")
    n = 0
    for _ in range(args.repeat):
        gc.collect()
        t0 = time.perf_counter()
        n = 0
        for _ev in Reader(data):
            n += 1
        best = min(best, time.perf_counter() - t0)
    gc.collect()
    t0 = time.perf_counter()
    ns = 0
    for ev in itertools.islice(Reader(data), args.string_events):
        ev.go_string()
        ns += 1
    ssecs = time.perf_counter() - t0
    print(json.dumps({"impl": compiled.implementation(), "events": n, "seconds": best,
                      "string_events": ns, "string_seconds": ssecs}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
