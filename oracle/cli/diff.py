"""``gotrace-oracle diff``: the reference parser against Go's on every input, divergences shown."""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

from oracle.campaign.progress import Progress
from oracle.campaign.report import write_json_atomic
from oracle.campaign.sources import go_testdata_paths
from oracle.cli.exits import EXIT_FINDING, EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE, UsageError
from oracle.cli.options import add_go_options, check_output, helper_binary, toolchain_for
from oracle.diff import compare
from oracle.diff.impls import GoImpl, PythonImpl
from oracle.harness import realtraces
from oracle.parser.inputs import InputError, TraceInput, expand_paths, load

__all__ = ["cmd_diff", "register"]


def _diff_inputs(args: argparse.Namespace) -> list[str]:
    paths = list(expand_paths(args.paths))
    if args.testdata:
        paths += map(str, go_testdata_paths(toolchain_for(args).goroot))
    if args.real_traces:
        for v in args.real_traces.split(","):
            paths += [str(t.path) for t in realtraces.real_traces(None if v == "pinned" else v)]
    if not paths:
        raise UsageError("diff: no inputs (give paths, --testdata or --real-traces)")
    return paths


def cmd_diff(args: argparse.Namespace) -> int:
    """Parse each input with the reference parser and with Go; report every divergence.

    SIGINT stops after the current input: the summary and ``--report`` cover the inputs done
    so far, and the exit status is 130.
    """
    check_output(args.report, "--report")
    paths = _diff_inputs(args)
    binary, version = helper_binary(args)
    py = PythonImpl()
    counts: Counter[str] = Counter()
    verdicts: Counter[str] = Counter()
    findings: list[dict[str, Any]] = []
    t0 = time.perf_counter()
    done = 0
    interrupted = False
    progress = Progress(enabled=not args.quiet and len(paths) > 1, tty_interval=0.0,
                        prefix="diff: ")
    try:
        with GoImpl(binary, version, timeout=args.timeout) as go:
            for path in paths:
                _diff_one(args, path, py, go, counts, verdicts, findings, progress)
                done += 1
                progress.update(f"[{done}/{len(paths)}] findings: {len(findings)}")
    except KeyboardInterrupt:
        interrupted = True
    progress.clear()
    secs = time.perf_counter() - t0
    print(
        f"diff: {done} inputs{f' of {len(paths)} (interrupted)' if interrupted else ''} "
        f"against go{version} in {secs:.1f}s: "
        + ", ".join(f"{k} {v}" for k, v in sorted(counts.items()))
        + f"; Go verdicts: " + ", ".join(f"{k} {v}" for k, v in sorted(verdicts.items()))
    )
    if args.report:
        try:
            write_json_atomic(args.report, {
                "inputs": done, "of": len(paths), "interrupted": interrupted,
                "seconds": round(secs, 3), "go": version,
                "counts": dict(counts), "findings": findings,
            })
        except OSError as e:
            raise UsageError(f"--report {args.report}: {e.strerror or e}") from None
    if interrupted:
        return EXIT_INTERRUPTED
    if counts["input errors"]:
        return EXIT_USAGE if not findings else EXIT_FINDING
    return EXIT_FINDING if findings else EXIT_OK


def _diff_one(args: argparse.Namespace, path: str, py: PythonImpl, go: GoImpl,
              counts: Counter[str], verdicts: Counter[str], findings: list[dict[str, Any]],
              progress: Progress) -> None:
    """Compare one input, counting it and printing it if it diverges (or with ``-v``)."""
    try:
        inp = load(path)
    except InputError as e:
        progress.clear()
        print(f"error: {e}", file=sys.stderr)
        counts["input errors"] += 1
        return
    left, right = py.run(inp.data), go.run(inp.data)
    c = compare(left, right)
    counts[c.verdict.value] += 1
    verdicts[right.verdict] += 1
    if not c.agree:
        findings.append(_finding_json(inp, c, left, right))
        progress.clear()
        _print_divergence(inp, c, left, right)
    elif args.verbose:
        progress.clear()
        print(f"ok    {inp.name}: {len(right.records)} events, Go {right.verdict}s")


def _finding_json(inp: TraceInput, c: Any, left: Any, right: Any) -> dict[str, Any]:
    return {
        "input": inp.name, "verdict": c.verdict.value, "signature": c.signature,
        "index": c.index, "field": c.field,
        "python": {"status": left.status.value, "error": left.error, "detail": left.detail},
        "go": {"status": right.status.value, "error": right.error, "detail": right.detail},
    }


def _print_divergence(inp: TraceInput, c: Any, left: Any, right: Any) -> None:
    print(f"DIFF  {inp.name}: {c.verdict.value} [{c.signature}]")
    if c.verdict.value == "go-panic" and c.field and c.field.startswith("panics."):
        accessor = c.field.removeprefix("panics.")
        mirrored = c.index < len(left.records) and left.records[c.index] == right.records[c.index]
        print(f"      Go panicked in {accessor}() at event #{c.index}: {c.right}")
        print("      python mirrors it (GoPanic in the same accessor)" if mirrored
              else "      python differs at that event:")
        if mirrored:
            return
    if c.index is not None:
        if c.field and not c.field.startswith("panics."):
            print(f"      first differing event: #{c.index}, field {c.field}")
        for side, o in (("python", left), ("go", right)):
            rec = o.records[c.index] if c.index < len(o.records) else None
            print(f"      {side:<6} {json.dumps(rec, separators=(',', ':')) if rec else '(no event)'}")
    for side, o in (("python", left), ("go", right)):
        end = o.error if o.error is not None else "EOF"
        print(f"      {side:<6} {o.verdict}: {end.splitlines()[0] if end else end}")
        if o.status.value in ("exception", "panic") and o.detail:
            print("      " + o.detail.strip().replace("\n", "\n      "))


def register(subparsers: Any) -> None:
    """Add the ``diff`` subcommand."""
    s = subparsers.add_parser(
        "diff", help="compare the reference parser with Go's on inputs",
        description="Parse each input with the Python reference parser and with Go's "
        "internal/trace; exit 0 when every input agrees (same events, verdict and error text), "
        "otherwise print each divergence (first differing event and field) and exit 1.",
    )
    s.add_argument("paths", nargs="*", help="trace files or directories")
    s.add_argument("--testdata", action="store_true",
                   help="add the toolchain's testdata/tests/*.test and FuzzReader seeds")
    s.add_argument("--real-traces", metavar="VERSIONS", default=None,
                   help="add real traces written by these Go releases (comma-separated, or "
                   "'pinned'), built and cached on demand")
    s.add_argument("--timeout", type=float, default=20.0,
                   help="seconds Go may take per input (default 20)")
    s.add_argument("--report", type=Path, default=None, help="write a JSON report here")
    s.add_argument("-v", "--verbose", action="store_true", help="also list agreeing inputs")
    s.add_argument("-q", "--quiet", action="store_true", help="no progress line")
    add_go_options(s)
    s.set_defaults(func=cmd_diff)
