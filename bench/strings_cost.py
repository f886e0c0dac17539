"""The cost of checking ``Event.String()`` in campaigns, per case, in one process.

Campaign throughput on a shared machine swings with the load; this times the checker alone on
one fixed set of generated cases (the fuzz engine's families: a valid trace and 3 mutants),
with ``strings_every`` 0 (canonical dump only), 4 and 1 (every case), alternating and keeping
the best of ``--repeat`` runs of each, so the ratios hold even when absolute rates drift.

    python bench/strings_cost.py [--cases 400] [--repeat 3]
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from pathlib import Path

from oracle.campaign.checker import CaseChecker
from oracle.campaign.findings import FindingStore
from oracle.harness.helper import helper_for
from strategies import RandomChooser, draw_valid, mutate, trace_params


def _cases(n: int) -> list[bytes]:
    versions, template = trace_params(max_events=40)
    out: list[bytes] = []
    i = 0
    while len(out) < n:
        ch = RandomChooser(random.Random(f"strings-cost:{i}"))
        tr = draw_valid(ch, versions, template)
        out.append(tr.to_binary())
        out += [mutate(ch, tr).to_binary() for _ in range(3)]
        i += 1
    return out[:n]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cases", type=int, default=400)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    cases = _cases(args.cases)
    binary = helper_for()
    best: dict[int, float] = {}
    with tempfile.TemporaryDirectory() as d:
        store = FindingStore(Path(d))
        for _ in range(args.repeat):
            for every in (0, 4, 1):
                with CaseChecker(binary, "1.27.3", store, minimize=False, strings_every=every) as c:
                    c.check(cases[0])  # start the helper outside the timing
                    t0 = time.perf_counter()
                    for data in cases:
                        c.check(data)
                    secs = time.perf_counter() - t0
                best[every] = min(best.get(every, secs), secs)
    base = best[0]
    for every in (0, 4, 1):
        print(f"strings_every={every}: {len(cases) / best[every]:7.0f} cases/s "
              f"({best[every] / len(cases) * 1e3:.3f} ms/case, x{best[every] / base:.2f} of dump only)")


if __name__ == "__main__":
    main()
