"""The ``fuzz`` subcommand: a time- or count-bounded differential campaign.

``gotrace-oracle fuzz [--time S | --max-examples N] [--jobs N] [--engine hypothesis|atheris]
[--seed S] [--report FILE.json] [--no-minimize] [--go VERSION]`` runs the campaign of
:mod:`oracle.campaign.checker`: ``--jobs`` worker processes, each with its own Go helper, generate
traces from the strategies' model (valid ones and mutants), run each through the reference
parser and Go's, and save every divergence that the corpus does not already know under
``corpus/findings/<signature>/`` (minimized unless ``--no-minimize``).  A live progress line
goes to stderr; the summary to stdout; ``--report`` writes the JSON report atomically.

Exit status: 0 when no new divergence was found, 1 when one was (or a worker failed), 2 on a
usage error.  SIGINT/SIGTERM end the campaign early with the same summary and report; every
finding is already on disk by then.  Known signatures (earlier findings, regressions,
documented Go bugs) are counted, not reported as new, so rerunning resumes from the corpus.

``--go VERSION`` runs another release's parser, but the reference parser always behaves as
the pinned Go 1.27.3: against an older release, every behaviour that changed since (the bugs
fixed later, listed in ``docs/go-findings.md``, and API changes) shows up as a divergence.
Use ``conform`` for multi-toolchain checks; ``fuzz --go`` is for hunting in one release.

``--engine atheris`` hands the whole run to :func:`oracle.campaign.atheris_engine.run_campaign`, which
reuses :class:`~oracle.campaign.checker.CaseChecker`, :func:`~oracle.campaign.checker.write_report` and
:func:`~oracle.campaign.checker.format_summary`.

The CLI registers this module through ``SUBCOMMAND_MODULES`` (:func:`register`);
``python -m oracle.campaign.hypothesis_engine`` runs it standalone (:func:`main`).
"""

from __future__ import annotations

import argparse
import importlib
import secrets
import sys
from pathlib import Path
from typing import Any, Sequence

__all__ = ["cmd_fuzz", "main", "register"]

_ENGINES = ("hypothesis", "atheris")


def _positive_float(s: str) -> float:
    try:
        v = float(s)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {s!r}") from None
    if not v > 0:
        raise argparse.ArgumentTypeError(f"must be positive, got {s}")
    return v


def _positive_int(s: str) -> int:
    try:
        v = int(s)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an integer: {s!r}") from None
    if v < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {s}")
    return v


def _nonnegative_int(s: str) -> int:
    try:
        v = int(s)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an integer: {s!r}") from None
    if v < 0:
        raise argparse.ArgumentTypeError(f"must be at least 0, got {s}")
    return v


def cmd_fuzz(args: argparse.Namespace) -> int:
    """Entry point of ``gotrace-oracle fuzz``."""
    from oracle.campaign import checker as campaign
    from oracle.cli.app import EXIT_FINDING, EXIT_OK, UsageError, helper_binary

    if args.engine == "atheris":
        try:
            engine = importlib.import_module("oracle.campaign.atheris_engine")
        except ImportError as e:
            raise UsageError(f"--engine atheris is not available: {e}") from None
        status: int = engine.run_campaign(args)
        return status
    if args.max_examples is not None and args.time is not None:
        raise UsageError("give --time or --max-examples, not both")
    time_limit = args.time if args.time is not None else (60.0 if args.max_examples is None else None)
    if args.corpus is not None and not args.corpus.is_dir():
        raise UsageError(f"--corpus {args.corpus}: not a directory")
    binary, version = helper_binary(args)
    seed = args.seed if args.seed is not None else str(secrets.randbelow(10**9))
    config = campaign.CampaignConfig(
        go_binary=binary, go_version=version, corpus=args.corpus, jobs=args.jobs,
        time_limit=time_limit, max_examples=args.max_examples, seed=seed,
        minimize=not args.no_minimize, minimize_seconds=args.minimize_seconds,
        timeout=args.timeout, python_timeout=args.python_timeout,
        gen=campaign.GenParams(max_events=args.max_events, max_generations=args.max_generations,
                               versions=campaign.versions_for(version), mutants=args.mutants),
        engine="hypothesis", progress=not args.quiet,
    )
    report = campaign.run_campaign(config)
    # The report first: a closed stdout must not cost it.
    if args.report is not None:
        try:
            campaign.write_report(args.report, report)
        except OSError as e:
            print(campaign.format_summary(report), flush=True)
            raise UsageError(f"--report {args.report}: {e.strerror or e}") from None
    print(campaign.format_summary(report), flush=True)
    return EXIT_FINDING if report["divergences"] or report["worker_errors"] else EXIT_OK


def register(subparsers: Any) -> None:
    """Add the ``fuzz`` subcommand to the CLI's subparsers."""
    from oracle.cli.app import add_go_options

    s = subparsers.add_parser(
        "fuzz", help="the main job: a bounded differential campaign against Go's parser",
        description="Generate traces from the strategies' model (valid ones and mutants), run "
        "each through the reference parser and Go's internal/trace, and save every divergence "
        "the corpus does not know yet under corpus/findings/<signature>/ (minimized). Prints "
        "live progress on stderr and a summary on stdout. Exit 0 when nothing new was found, "
        "1 when something was, 2 on usage errors.",
    )
    lim = s.add_mutually_exclusive_group()
    lim.add_argument("--time", type=_positive_float, default=None, metavar="S",
                     help="run for S seconds (default 60 unless --max-examples is given)")
    lim.add_argument("--max-examples", type=_positive_int, default=None, metavar="N",
                     help="check N cases in total, then stop")
    s.add_argument("--jobs", type=_positive_int, default=2, metavar="N",
                   help="worker processes, each with its own Go helper (default 2)")
    s.add_argument("--engine", choices=_ENGINES, default="hypothesis",
                   help="hypothesis: the strategies' model and mutations (default); atheris: "
                   "libFuzzer with a structure-aware mutator")
    s.add_argument("--seed", default=None,
                   help="campaign seed (default: random; recorded in the report and findings)")
    s.add_argument("--report", type=Path, default=None, metavar="FILE.json",
                   help="write the JSON report here (atomically)")
    s.add_argument("--no-minimize", action="store_true", help="save new findings unminimized")
    s.add_argument("--minimize-seconds", type=_positive_float, default=30.0, metavar="S",
                   help="time budget to minimize one finding (default 30)")
    s.add_argument("--corpus", type=Path, default=None, metavar="DIR",
                   help="corpus root holding findings/ and regressions/ (default: the "
                   "repository's corpus/)")
    s.add_argument("--timeout", type=_positive_float, default=10.0, metavar="S",
                   help="seconds Go may take per case before the helper is restarted (default 10)")
    s.add_argument("--python-timeout", type=_positive_float, default=10.0, metavar="S",
                   help="seconds the reference parser may take per case (default 10)")
    g = s.add_argument_group("generator")
    g.add_argument("--max-events", type=_nonnegative_int, default=40, metavar="N",
                   help="simulation steps per generation (default 40: small traces, fast cases)")
    g.add_argument("--max-generations", type=_positive_int, default=2, metavar="N",
                   help="generations per trace (default 2)")
    g.add_argument("--mutants", type=_nonnegative_int, default=3, metavar="K",
                   help="mutants checked per valid trace (default 3: 25%% valid, 75%% mutated)")
    s.add_argument("--instrument", action="store_true",
                   help="atheris engine only: guide libFuzzer by the parser's branch coverage "
                   "(slower per case)")
    s.add_argument("-q", "--quiet", action="store_true", help="no progress line")
    add_go_options(s)
    s.set_defaults(func=cmd_fuzz)


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``fuzz`` standalone (``python -m oracle.campaign.hypothesis_engine``), with the CLI's error handling."""
    from oracle.cli.app import EXIT_OK, EXIT_USAGE, UsageError

    parser = argparse.ArgumentParser(prog="gotrace-oracle")
    register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["fuzz", *(sys.argv[1:] if argv is None else argv)])
    try:
        status: int = args.func(args)
        return status
    except UsageError as e:
        print(f"gotrace-oracle: {e}", file=sys.stderr)
        return EXIT_USAGE
    except BrokenPipeError:
        return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
