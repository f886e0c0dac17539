"""Run a command and report its wall time and the peak RSS of its whole process tree.

``diff`` is two processes (the reference parser and Go's helper), so ``/usr/bin/time`` on the
parent alone would miss half the memory.  This samples ``/proc/<pid>/status`` of the command and
all its descendants every 50 ms and keeps the largest *sum*: the tree's peak, which is what the
streaming targets of ``docs/benchmarks.md`` bound.

    python bench/tree_rss.py [--json] -- gotrace-oracle diff big.trace
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path


def _children(pid: int) -> list[int]:
    out: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            out += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            pass
    return out


def _rss_kib(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def tree_rss_kib(root: int) -> int:
    """The summed RSS of ``root`` and all its descendants, in KiB."""
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        total += _rss_kib(pid)
        todo += _children(pid)
    return total


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--json", action="store_true", help="print one JSON object")
    ap.add_argument("cmd", nargs=argparse.REMAINDER)
    args = ap.parse_args()
    cmd = args.cmd[1:] if args.cmd[:1] == ["--"] else args.cmd
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak = 0
    samples: list[int] = []
    while proc.poll() is None:
        rss = tree_rss_kib(proc.pid)
        peak = max(peak, rss)
        samples.append(rss)
        time.sleep(0.05)
    secs = time.perf_counter() - t0
    err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
    # Memory growth: the peak of the last third of the run against the peak of the middle third.
    third = max(1, len(samples) // 3)
    mid, last = max(samples[third:2 * third] or [0]), max(samples[2 * third:] or [0])
    res = {"cmd": cmd, "exit": proc.returncode, "seconds": round(secs, 1),
           "peak_tree_rss_mib": round(peak / 1024, 1), "mid_third_peak_mib": round(mid / 1024, 1),
           "last_third_peak_mib": round(last / 1024, 1), "stderr_tail": err[-300:]}
    print(json.dumps(res) if args.json else "\n".join(f"{k}: {v}" for k, v in res.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
