"""Speed of trace generation (issue: strategies, item 7): median time per typical example.

Two paths are timed:

* ``model``: the strategies' model driven by a seeded ``random.Random`` (``RandomChooser``),
  as the ``generate`` subcommand uses it: simulation, table interning, batch assembly, and the
  binary encoding (``Trace.to_binary``).  This is the cost of the generator itself.
* ``hypothesis``: ``strategies.traces()`` drawn by Hypothesis' engine (``hypothesis.find`` with
  a predicate that never holds, no shrinking), which adds Hypothesis' per-draw bookkeeping;
  reported as a mean, since the engine does not expose per-example times.

Usage: ``.venv/bin/python bench/generate.py [--count N] [--max-events E]``.
"""

from __future__ import annotations

import argparse
import statistics
import time

from hypothesis import HealthCheck, Phase, find, settings
from hypothesis.errors import NoSuchExample

from strategies import RandomChooser, draw_valid, trace_params, traces


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--count", type=int, default=500)
    ap.add_argument("--max-events", type=int, default=200, help="steps per generation")
    ap.add_argument("--hypothesis-count", type=int, default=200)
    a = ap.parse_args()

    vs, template = trace_params(max_events=a.max_events, min_generations=3, max_generations=3)
    times: list[float] = []
    events: list[int] = []
    for seed in range(a.count):
        t0 = time.perf_counter()
        tr = draw_valid(RandomChooser(seed), vs, template)
        tr.to_binary()
        times.append(time.perf_counter() - t0)
        events.append(tr.num_events())
    med_ev = statistics.median(events)
    print(f"model (RandomChooser): {a.count} examples, median {med_ev:.0f} events "
          f"(p10 {sorted(events)[a.count // 10]}, p90 {sorted(events)[9 * a.count // 10]})")
    print(f"  median {statistics.median(times) * 1e3:.2f} ms/example, "
          f"p90 {sorted(times)[9 * a.count // 10] * 1e3:.2f} ms, "
          f"{statistics.median(t / max(e, 1) for t, e in zip(times, events)) * 1e6:.1f} us/event")

    n = 0
    sizes: list[int] = []

    def never(tr: object) -> bool:
        nonlocal n
        n += 1
        sizes.append(tr.num_events())  # type: ignore[attr-defined]
        return False

    s = settings(max_examples=a.hypothesis_count, phases=[Phase.generate], database=None,
                 deadline=None, suppress_health_check=list(HealthCheck))
    strat = traces(max_events=a.max_events, min_generations=3, max_generations=3)
    t0 = time.perf_counter()
    try:
        find(strat, never, settings=s)
    except NoSuchExample:
        pass
    dt = time.perf_counter() - t0
    print(f"hypothesis (traces() via find): {n} examples, median {statistics.median(sizes):.0f} "
          f"events, mean {dt / max(n, 1) * 1e3:.2f} ms/example (engine overhead included)")


if __name__ == "__main__":
    main()
