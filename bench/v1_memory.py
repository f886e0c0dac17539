"""Peak memory of reading a v1 trace: the reference against Go 1.27.3, in one run.

A v1 trace (Go 1.11 to 1.21) is not split into generations: Go's ``tracev1.Parse`` reads the
whole input and materializes every event before ``NewReader`` returns, and so does the
reference (``oracle.parser.tracev1``).  This script measures what that costs on both sides:
the peak resident set of a process that reads the trace to the end (events are dropped as
they are read), minus the same process's peak on a 2 KB v1 trace, so start-up and imports
cancel out.  It needs ``/usr/bin/time``.

    .venv/bin/python bench/v1_memory.py [--size BYTES]

The traces: Go's largest v1 testdata file and one written by the Go 1.21.13 runtime's
``large`` tracegen scenario (``--size``, default 4 MB; cached).
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from pathlib import Path

from oracle.harness import realtraces, toolchain
from oracle.harness.helper import helper_for

_PY = """
import sys
from oracle.parser.reader import Reader
n = 0
for _ in Reader(sys.argv[1]):
    n += 1
print(n)
"""


def peak_kb(cmd: list[str], stdin: Path | None = None) -> tuple[int, str]:
    """(max RSS in KiB, stdout) of a command run under /usr/bin/time."""
    with open(stdin or "/dev/null", "rb") as f:
        p = subprocess.run(["/usr/bin/time", "-f", "%M", *cmd], stdin=f, capture_output=True,
                           text=True, check=True)
    return int(p.stderr.strip().splitlines()[-1]), p.stdout


def go_peak_heap_mb(helper: str, trace: Path) -> int:
    """Go's largest heap (MB, from ``GODEBUG=gctrace=1``) while ``bench-parse`` reads ``trace``.

    bench-parse repeats its pass for a second, and the RSS of a garbage-collected process says
    more about GOGC than about the parser; the heap sizes the collector reports are closer to
    what one pass needs.
    """
    with open(trace, "rb") as f:
        p = subprocess.run([helper, "bench-parse", "-"], stdin=f, capture_output=True, text=True,
                           check=True, env={"GODEBUG": "gctrace=1", "PATH": "/usr/bin:/bin"})
    sizes = [int(x) for m in re.finditer(r"(\d+)->(\d+)->(\d+) MB", p.stderr) for x in m.groups()]
    return max(sizes, default=0)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size", type=int, default=4 << 20)
    args = ap.parse_args()
    testdata = toolchain.pinned().goroot / "src/internal/trace/internal/tracev1/testdata"
    tiny = testdata / "user_task_region_1_21_good"
    traces = [testdata / "stress_1_11_good",
              realtraces.large_trace(args.size, version=realtraces.V1_RUNTIME_VERSIONS[0])]
    helper = str(helper_for())
    py_base, _ = peak_kb([sys.executable, "-c", _PY, str(tiny)])
    print(f"baseline: Python peak RSS {py_base / 1024:.1f} MiB on {tiny.name}; "
          f"Go peak heap {go_peak_heap_mb(helper, tiny)} MB on it (one 32 MiB event bucket per parse)")
    print("| trace | bytes | events | Python peak RSS - base | Python bytes/event | Go peak heap | Python / Go |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for t in traces:
        py, out = peak_kb([sys.executable, "-c", _PY, str(t)])
        go_mb = go_peak_heap_mb(helper, t)
        dpy = (py - py_base) * 1024
        print(f"| {t.name} | {t.stat().st_size:,} | {int(out):,} | {dpy / 2**20:.1f} MiB "
              f"| {dpy / int(out):.0f} | {go_mb} MB | {dpy / (go_mb * 1e6):.1f}x |")


if __name__ == "__main__":
    main()
