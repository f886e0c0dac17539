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
from oracle.diff.compare import Comparison, Verdict
from oracle.diff.outcome import End, Outcome, Status
from oracle.diff.compare import ties_possible
from oracle.diff.stream import (
    StreamComparison,
    go_side,
    header_of,
    python_side,
    whole_comparison,
)
from oracle.parser.releases import reproduced
from oracle.harness import realtraces
from oracle.harness.helper import HelperStream
from oracle.parser.inputs import InputError, expand_paths, open_input

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
    """Stream each input through the reference parser and Go's, record by record; report
    the first divergence of each (every one with ``--all``).

    SIGINT stops after the current input: the summary and ``--report`` cover the inputs done
    so far, and the exit status is 130.
    """
    check_output(args.report, "--report")
    paths = _diff_inputs(args)
    binary, version = helper_binary(args)
    counts: Counter[str] = Counter()
    verdicts: Counter[str] = Counter()
    findings: list[dict[str, Any]] = []
    t0 = time.perf_counter()
    done = 0
    interrupted = False
    progress = Progress(enabled=not args.quiet and len(paths) > 1, tty_interval=0.0,
                        prefix="diff: ")
    try:
        for path in paths:
            _diff_one(args, path, binary, version, counts, verdicts, findings, progress)
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
        + "; Go verdicts: " + ", ".join(f"{k} {v}" for k, v in sorted(verdicts.items()))
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


def _diff_one(args: argparse.Namespace, path: str, binary: Path, version: str, counts: Counter[str],
              verdicts: Counter[str], findings: list[dict[str, Any]], progress: Progress) -> None:
    """Compare one input as both sides stream it, counting it and printing its divergences
    as they come (never kept: ``--all`` stays in bounded memory), or it with ``-v``."""
    try:
        inp = open_input(path)
    except InputError as e:
        progress.clear()
        print(f"error: {e}", file=sys.stderr)
        counts["input errors"] += 1
        return
    semantics = reproduced(version)
    if ties_possible(header_of(inp.source), semantics):
        _diff_whole(args, inp.name, inp.source, binary, semantics, counts, verdicts, findings)
        return
    with HelperStream(binary, "parse", inp.source, idle_timeout=args.timeout) as go:
        sc = StreamComparison(python_side(inp.source, go=semantics), go_side(go), every=args.all)
        first: Comparison | None = None
        count = 0
        for c in sc:
            progress.clear()
            if first is None:
                print(f"DIFF  {inp.name}:")
                first = c
            count += 1
            _print_divergence(c, first=count == 1)
            if not args.all:
                break
    # Stopped early, the first divergence is the verdict; run to the end, the closing one.
    verdict = sc.final if sc.final is not None else first
    assert verdict is not None
    counts[verdict.verdict.value] += 1
    if sc.right_end is not None:
        verdicts[_verdict(sc.right_end)] += 1
    if first is not None:
        findings.append(_finding_json(inp.name, verdict, first, count, sc.left_end, sc.right_end))
        _print_ends(sc)
    elif args.verbose:
        progress.clear()
        print(f"ok    {inp.name}: {sc.right_count} events, Go "
              f"{_verdict(sc.right_end) if sc.right_end else '?'}s")


def _diff_whole(args: argparse.Namespace, name: str, source: Path | bytes, binary: Path,
                semantics: str | None, counts: Counter[str], verdicts: Counter[str],
                findings: list[dict[str, Any]]) -> None:
    """A v1 input: both outcomes whole, Go's chance order of equal timestamps tolerated."""
    c, left, right = whole_comparison(binary, source, idle_timeout=args.timeout, go=semantics)
    counts[c.verdict.value] += 1
    verdicts[right.verdict] += 1
    if not c.agree:
        print(f"DIFF  {name}:")
        _print_divergence(c, first=True)
        findings.append(_finding_json(name, c, c, 1, left.end, right.end))
    elif args.verbose:
        print(f"ok    {name}: {len(right.records)} events, Go {right.verdict}s (v1, ties tolerated)")


def _verdict(end: End) -> str:
    return Outcome("", end.status).verdict


def _end_json(end: End | None) -> dict[str, Any] | None:
    if end is None:
        return None  # not reached: the comparison stopped at its first divergence
    return {"status": end.status.value, "error": end.error, "detail": end.detail}


def _finding_json(name: str, c: Comparison, first: Comparison, count: int,
                  left_end: End | None, right_end: End | None) -> dict[str, Any]:
    """One input's finding: its verdict (the closing one when the run went to the end), its
    first divergence and how many divergences were reported."""
    return {
        "input": name, "verdict": c.verdict.value, "signature": c.signature,
        "index": first.index, "field": first.field, "divergences": count,
        "python": _end_json(left_end), "go": _end_json(right_end),
    }


def _record(rec: Any) -> str:
    return json.dumps(rec, separators=(",", ":"), ensure_ascii=False) if rec else "(no event)"


def _print_divergence(c: Comparison, *, first: bool) -> None:
    print(f"      {c.verdict.value} [{c.signature}]")
    if c.verdict is Verdict.GO_PANIC and c.field and c.field.startswith("panics."):
        print(f"      Go panicked in {c.field.removeprefix('panics.')}() at event #{c.index}: {c.right}")
        return
    if c.verdict is Verdict.EVENT_MISMATCH:
        print(f"      {'first ' if first else ''}differing event: #{c.index}, field {c.field}")
        print(f"      python {_record(c.left)}")
        print(f"      go     {_record(c.right)}")


def _print_ends(sc: StreamComparison) -> None:
    for side, end in (("python", sc.left_end), ("go", sc.right_end)):
        if end is None:
            continue
        text = end.error if end.error is not None else "EOF"
        print(f"      {side:<6} {_verdict(end)}: {text.splitlines()[0] if text else text}")
        if end.status in (Status.EXCEPTION, Status.PANIC) and end.detail:
            print("      " + end.detail.strip().replace("\n", "\n      "))


def register(subparsers: Any) -> None:
    """Add the ``diff`` subcommand."""
    s = subparsers.add_parser(
        "diff", help="compare the reference parser with Go's on inputs",
        description="Parse each input with the Python reference parser and with Go's "
        "internal/trace, both streaming, compared event by event in bounded memory; exit 0 "
        "when every input agrees (same events, verdict and error text), otherwise print the "
        "first divergence of each input (first differing event and field; --all: every one "
        "and the closing verdict) and exit 1.",
    )
    s.add_argument("paths", nargs="*", help="trace files or directories")
    s.add_argument("--testdata", action="store_true",
                   help="add the toolchain's testdata/tests/*.test and FuzzReader seeds")
    s.add_argument("--real-traces", metavar="VERSIONS", default=None,
                   help="add real traces written by these Go releases (comma-separated, or "
                   "'pinned'), built and cached on demand")
    s.add_argument("--timeout", type=float, default=20.0,
                   help="seconds Go may go without producing an event before it counts as "
                   "hung (default 20); a big trace that keeps advancing never times out")
    s.add_argument("--all", action="store_true",
                   help="report every divergent event and the closing verdict (default: stop "
                   "each input at its first divergence)")
    s.add_argument("--report", type=Path, default=None, help="write a JSON report here")
    s.add_argument("-v", "--verbose", action="store_true", help="also list agreeing inputs")
    s.add_argument("-q", "--quiet", action="store_true", help="no progress line")
    add_go_options(s)
    s.set_defaults(func=cmd_diff)
