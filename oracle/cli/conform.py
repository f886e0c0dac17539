"""``gotrace-oracle conform``: the CI conformance check (see docs/ci.md)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from oracle.campaign.conform import PINNED, collect_inputs, run_conform, write_junit
from oracle.campaign.findings import FindingStore
from oracle.campaign.progress import Progress
from oracle.campaign.report import write_json_atomic
from oracle.campaign.sources import default_corpus_root
from oracle.cli.exits import EXIT_FINDING, EXIT_INTERRUPTED, EXIT_OK, UsageError
from oracle.cli.options import check_output, go_releases
from oracle.harness import toolchain
from oracle.parser.releases import UnsupportedReleaseError, release

__all__ = ["cmd_conform", "register"]


def cmd_conform(args: argparse.Namespace) -> int:
    """Entry point of ``gotrace-oracle conform``."""
    if args.count < 0:
        raise UsageError(f"--count must be at least 0, got {args.count}")
    check_output(args.junit, "--junit")
    check_output(args.json, "--json")
    versions = go_releases(args.go or PINNED)
    toolchains: list[tuple[str, Path]] = []
    for v in versions:
        if int(v.split(".")[1]) < 22:
            raise UsageError(f"--go {v}: releases before 1.22 have no v2 trace parser")
        try:
            release(v)
        except UnsupportedReleaseError as e:
            raise UsageError(f"--go {v}: {e}") from None
        try:
            tc = toolchain.ensure(None if v == PINNED else v)
            binary = toolchain.build_helper(tc)
        except toolchain.ToolchainError as e:
            raise UsageError(f"--go {v}: {str(e).splitlines()[0]}") from None
        toolchains.append((tc.version, binary))
    corpus = _corpus_root(args.corpus)
    inputs = collect_inputs(count=args.count, seed=args.seed, testdata=not args.no_testdata,
                            corpus=corpus)
    if corpus is not None:
        n = sum(i.group == "corpus" for i in inputs)
        print(f"conform: corpus {corpus}: {n} cases; findings are judged against it")
    store = FindingStore(corpus if corpus is not None else default_corpus_root())
    progress = Progress(enabled=not args.quiet, prefix="conform: ")
    try:
        result = run_conform(inputs, toolchains, store=store, timeout=args.timeout,
                             progress=progress.update)
    finally:
        progress.clear()
    summary = result.summary()
    for version, t in summary["toolchains"].items():
        counts = ", ".join(f"{k} {v}" for k, v in sorted(t["counts"].items()))
        print(f"conform go{version}: {t['cases']} cases: {counts}")
        if args.verbose:
            for sig, n in t["signatures"].items():
                print(f"    {n:5d}  {sig}")
    for c in result.failures[:50]:
        d = c.details or {}
        print(f"FAIL  go{c.toolchain} {c.input}: {c.signature.splitlines()[0]}")
        if d.get("field"):
            print(f"      first difference: event #{d.get('index')}, field {d.get('field')}")
        for side in ("python", "go"):
            s = d.get(side) or {}
            end = (s.get("error") or "EOF").splitlines()[0]
            print(f"      {side:<6} {s.get('status')}: {end}"[:300])
    if len(result.failures) > 50:
        print(f"... and {len(result.failures) - 50} more failures")
    # The files first: the verdict line must not claim "ok" for a run whose outputs failed.
    try:
        if args.junit:
            write_junit(result, args.junit)
        if args.json:
            write_json_atomic(args.json, summary)
    except OSError as e:
        raise UsageError(f"conform: cannot write {e.filename or 'output'}: "
                         f"{e.strerror or e}") from None
    verdict = "INTERRUPTED" if result.interrupted else "ok" if summary["ok"] else "FAILED"
    print(f"conform: {verdict}: {len(result.cases)} cases, "
          f"{len(result.failures)} unexpected divergences in {result.seconds:.1f}s")
    if result.interrupted:
        return EXIT_INTERRUPTED
    return EXIT_OK if summary["ok"] else EXIT_FINDING


def _corpus_root(option: Path | None) -> Path | None:
    """The corpus to replay: ``--corpus`` (which must exist), else the default location if it
    exists there (said on stderr when it does not: after a plain ``pip install`` the default is
    ``./corpus`` in the working directory, not a folder inside site-packages)."""
    if option is not None:
        if not option.is_dir():
            raise UsageError(f"--corpus {option}: not a directory")
        return option
    root = default_corpus_root()
    if root.is_dir():
        return root
    print(f"conform: no corpus at {root}; running without one (give --corpus DIR)",
          file=sys.stderr)
    return None


def register(subparsers: Any) -> None:
    """Add the ``conform`` subcommand to the CLI's subparsers."""
    s = subparsers.add_parser(
        "conform", help="CI conformance check: testdata, corpus and generated traces vs Go",
        description="Run Go's testdata (from the pinned GOROOT), the corpus (seeds and "
        "regressions) and --count valid plus --count mutated generated traces through the "
        "reference parser, under each requested release's semantics, and that release's Go "
        "toolchain. Divergences that are documented Go bugs are 'known'. Exit 1 on any other "
        "divergence. See docs/ci.md.",
    )
    s.add_argument("--go", default=None, metavar="all|V1,V2",
                   help=f"comma-separated Go releases, or all of them (default: the pinned {PINNED})")
    s.add_argument("--count", type=int, default=1000,
                   help="generated traces: this many valid plus this many mutated (default 1000)")
    s.add_argument("--seed", type=int, default=0, help="seed of the generated traces (default 0)")
    s.add_argument("--junit", type=Path, default=None, help="write JUnit XML here")
    s.add_argument("--json", type=Path, default=None, help="write the JSON summary here")
    s.add_argument("--timeout", type=float, default=20.0, help="seconds Go may take per input")
    s.add_argument("--no-testdata", action="store_true", help="leave out Go's testdata")
    s.add_argument("--corpus", type=Path, default=None,
                   help="corpus directory whose seeds and regressions are replayed (default: the "
                   "repository's corpus/ in a checkout, else ./corpus; said on stdout)")
    s.add_argument("-v", "--verbose", action="store_true",
                   help="list the signatures of non-agreeing cases per toolchain")
    s.add_argument("-q", "--quiet", action="store_true", help="no progress line")
    s.set_defaults(func=cmd_conform)
