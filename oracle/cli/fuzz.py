"""``gotrace-oracle fuzz``: a time- or count-bounded differential campaign.

``gotrace-oracle fuzz [--time S | --max-examples N] [--jobs N] [--engine hypothesis|atheris]
[--seed S] [--report FILE.json] [--no-minimize] [--go VERSION]`` runs one of the two engines
(:mod:`oracle.campaign.hypothesis_engine`, :mod:`oracle.campaign.atheris_engine`): ``--jobs``
worker processes, each with its own Go helper, run cases through the reference parser and
Go's, and save every divergence that the corpus does not already know under
``corpus/findings/<signature>/`` (minimized unless ``--no-minimize``).  A live progress line
goes to stderr; the summary to stdout; ``--report`` writes the JSON report atomically.

Exit status: 0 when no new divergence was found, 1 when one was (or a worker failed), 2 on a
usage error (output paths are checked before the campaign starts), 128 + the signal when
SIGINT (130) or SIGTERM (143) ended the campaign early, with the same summary and report;
every finding is already on disk by then.

libFuzzer conventions: ``--time`` takes ``30s``, ``5m`` or ``1000x``; with ``--engine atheris``,
``CORPUS_DIR...`` are libFuzzer corpus directories, the first of which keeps and grows what the
workers evolve; ``--merge OUT [IN...]`` minimizes a corpus (:mod:`oracle.campaign.
libfuzzer_target`); findings are also written as ``findings/crash-<sha1>``.  ``--html FILE``
writes the report as a page (:mod:`oracle.campaign.html`).  Known signatures (earlier findings, regressions,
documented Go bugs) are counted, not reported as new, so rerunning resumes from the corpus.

``--go VERSION`` runs another release's parser, and the reference follows that release's
semantics when it reproduces the release (:data:`oracle.parser.releases.RELEASES`); against
any other release it behaves as the pinned Go 1.27.3, so every behaviour that changed since
(the bugs fixed later, listed in ``docs/go-findings.md``, and API changes) shows up as a
divergence.

``--go V1,V2,...`` (or ``--go all``) is a cross-release campaign
(:mod:`oracle.campaign.crossrelease`): each case goes through every listed release's parser,
the reference is checked against each release it reproduces, and adjacent releases are
compared with each other; an undocumented behaviour change between two releases is a
``release-change:<old>-><new>:...`` finding.  ``--replay FILE`` checks one input that way
(no campaign, nothing saved): the replay command of such findings.

This module turns the command line into the engines' typed configurations; no
``argparse.Namespace`` goes below the CLI.
"""

from __future__ import annotations

import argparse
import secrets
import signal
import sys
from pathlib import Path
from typing import Any

from oracle.campaign import atheris_engine, hypothesis_engine
from oracle.campaign.html import campaign_html
from oracle.campaign.report import CampaignReport, format_summary, write_json_atomic, write_text_atomic
from oracle.campaign.sources import default_corpus_root
from oracle.cli.exits import EXIT_FINDING, EXIT_OK, UsageError
from oracle.cli.options import (
    Budget,
    add_go_options,
    check_output,
    duration,
    go_releases,
    helper_binary,
    load_one,
    nonnegative_int,
    positive_float,
    positive_int,
    release_helper,
)

__all__ = ["ENGINES", "cmd_fuzz", "register"]

ENGINES = ("hypothesis", "atheris")


def _budget(args: argparse.Namespace) -> tuple[float | None, int | None]:
    """``(seconds, cases)`` of ``--time`` (``30s``, ``5m``, ``1000x``) or ``--max-examples``;
    60 seconds when neither is given."""
    budget: Budget | None = args.time
    if budget is not None:
        return budget.seconds, budget.runs
    return (60.0 if args.max_examples is None else None), args.max_examples


def _go_list(args: argparse.Namespace) -> list[str] | None:
    """The releases of a cross-release ``--go`` list (two or more), or None for one release
    (which then stays in ``args.go``: the single-release path, unchanged)."""
    spec: str | None = args.go
    if spec is None or ("," not in spec and spec.strip() != "all"):
        return None
    releases = go_releases(spec)
    if len(releases) == 1:
        args.go = releases[0]
        return None
    if args.goroot is not None:
        raise UsageError("--goroot names one toolchain; a --go list takes releases only")
    return releases


def _hypothesis_config(args: argparse.Namespace, binary: Path, version: str,
                       seed: str, releases: tuple[tuple[str, Path], ...] = (),
                       ) -> hypothesis_engine.CampaignConfig:
    time_limit, max_examples = _budget(args)
    return hypothesis_engine.CampaignConfig(
        go_binary=binary, go_version=version, releases=releases, corpus=args.corpus, jobs=args.jobs,
        time_limit=time_limit, max_examples=max_examples, seed=seed,
        minimize=not args.no_minimize, minimize_seconds=args.minimize_seconds,
        timeout=args.timeout, python_timeout=args.python_timeout,
        strings_every=args.strings_every, max_findings=args.max_findings,
        gen=hypothesis_engine.GenParams(
            max_events=args.max_events, max_generations=args.max_generations,
            versions=hypothesis_engine.versions_for(version), mutants=args.mutants,
            v1_mutants=hypothesis_engine.v1_mutants_for(version)),
        engine="hypothesis", progress=not args.quiet,
    )


def _atheris_config(args: argparse.Namespace, binary: Path, version: str,
                    seed: str) -> atheris_engine.AtherisConfig:
    seconds, max_examples = _budget(args)
    return atheris_engine.AtherisConfig(
        jobs=args.jobs, seconds=seconds, max_examples=max_examples, seed=seed,
        instrument=args.instrument, minimize=not args.no_minimize, quiet=args.quiet,
        corpus_root=args.corpus, generated=args.generated_seeds,
        binary=binary, version=version, timeout=args.timeout,
        python_timeout=args.python_timeout, corpus_dirs=tuple(args.corpus_dirs),
        strings_every=args.strings_every, max_findings=args.max_findings,
    )


def cmd_fuzz(args: argparse.Namespace) -> int:
    """Entry point of ``gotrace-oracle fuzz``."""
    if args.max_examples is not None and args.time is not None:
        raise UsageError("give --time or --max-examples, not both")
    if args.merge:
        return _merge(args)
    releases = _go_list(args)
    if args.replay is not None and releases is None:
        raise UsageError("--replay checks an input against a --go list of two or more "
                         "releases; against one release, use gotrace-oracle diff --go VERSION")
    if releases is not None and args.engine != "hypothesis":
        raise UsageError("a --go list (cross-release campaign) runs with --engine hypothesis")
    if args.corpus_dirs and args.engine != "atheris":
        raise UsageError("CORPUS_DIR is a libFuzzer corpus: give --engine atheris")
    for d in args.corpus_dirs:
        check_output(d, "CORPUS_DIR", directory=True)
    if args.corpus is not None and not args.corpus.is_dir():
        raise UsageError(f"--corpus {args.corpus}: not a directory")
    check_output(args.report, "--report")
    check_output(args.html, "--html")
    corpus = args.corpus if args.corpus is not None else default_corpus_root()
    check_output(corpus / "findings", "--corpus", directory=True)
    if args.engine == "atheris":
        import importlib.util

        if importlib.util.find_spec("atheris") is None:
            raise UsageError("--engine atheris needs atheris: pip install 'gotrace-oracle[fuzz]'")
    helpers: tuple[tuple[str, Path], ...] = ()
    if releases is not None:
        helpers = tuple((v, release_helper(v)[0]) for v in releases)
        version, binary = helpers[-1]
        if args.replay is not None:
            return _replay(args, helpers, corpus)
    else:
        binary, version = helper_binary(args)
    if not args.quiet:
        print(f"fuzz: corpus {corpus}; new findings go to {corpus / 'findings'}",
              file=sys.stderr, flush=True)
    report: CampaignReport
    if args.engine == "atheris":
        seed = args.seed if args.seed is not None else "0"
        report = atheris_engine.run_campaign(_atheris_config(args, binary, version, seed))
    else:
        seed = args.seed if args.seed is not None else str(secrets.randbelow(10**9))
        report = hypothesis_engine.run_campaign(
            _hypothesis_config(args, binary, version, seed, helpers))
    # The report first: a closed stdout must not cost it.
    if args.report is not None:
        try:
            write_json_atomic(args.report, report.to_json())
        except OSError as e:
            print(format_summary(report), flush=True)
            raise UsageError(f"--report {args.report}: {e.strerror or e}") from None
    if args.html is not None:
        try:
            write_text_atomic(args.html, campaign_html(report))
        except OSError as e:
            print(format_summary(report), flush=True)
            raise UsageError(f"--html {args.html}: {e.strerror or e}") from None
    print(format_summary(report), flush=True)
    if report.interrupted:  # as shells report it: 128 + the signal (130 for SIGINT)
        return 128 + signal.Signals[report.interrupted].value
    return EXIT_FINDING if report.found_something else EXIT_OK


def _replay(args: argparse.Namespace, helpers: tuple[tuple[str, Path], ...], corpus: Path) -> int:
    """``fuzz --go V1,V2 --replay FILE``: one input through the cross-release checks; prints
    each release's answer, the reference's verdicts and each pair's; nothing is saved.  Exit 1
    when something is new to the corpus."""
    from oracle.campaign.crossrelease import CrossReleaseChecker, ReadOnlyStore, answer
    from oracle.campaign.findings import known_release_change
    from oracle.diff.impls.go import outcome_from_helper
    from oracle.diff.outcome import Outcome

    inp = load_one(args.replay)
    with CrossReleaseChecker(helpers, ReadOnlyStore(corpus), timeout=args.timeout,
                             python_timeout=args.python_timeout, minimize=False) as checker:
        checker.check(inp.data)
        st = checker.stats
        print(f"replay: {inp.name} against " + ", ".join(f"go{r}" for r, _ in helpers))
        for lane in checker.lanes:
            go = lane.last_go
            assert go is not None
            name = lane.go_version
            outcome = go if isinstance(go, Outcome) else outcome_from_helper(
                f"go{name}", go, strings=lane.last_strings)
            ref = st.lanes[name].verdicts
            said = ("reference " + ", ".join(ref)) if ref else "reference not checked"
            print(f"  go{name}: {answer(outcome) or 'unsupported trace version'} ({said})")
        new = set(st.new_signatures)
        for name, lane_stats in st.lanes.items():
            for sig in lane_stats.signatures:
                k = known_release_change(sig)
                why = ("NEW" if sig in new else
                       f"known: docs/go-findings.md finding {k.finding}" if k is not None else "known")
                print(f"  {name}: {sig}  [{why}]")
        if not st.signatures:
            print("  every release agrees with the reference and with its neighbours")
    return EXIT_FINDING if st.new else EXIT_OK


def _merge(args: argparse.Namespace) -> int:
    """``fuzz --merge DIR...``: libFuzzer's ``-merge=1`` with the target's features."""
    from oracle.campaign.libfuzzer_target import merge

    dirs: list[Path] = args.corpus_dirs
    if not dirs:
        raise UsageError("--merge needs corpus directories: OUT [IN...] (one: minimize in place)")
    for d in dirs[1:] if len(dirs) > 1 else dirs:
        if not d.is_dir():
            raise UsageError(f"--merge: {d}: not a directory")
    check_output(dirs[0], "--merge", directory=True)
    import importlib.util

    if importlib.util.find_spec("atheris") is None:
        raise UsageError("--merge needs atheris: pip install 'gotrace-oracle[fuzz]'")
    _, version = helper_binary(args)
    result = merge(dirs[0], dirs[1:], go=version, corpus_root=args.corpus)
    if result.returncode != 0:
        print(result.log[-4000:], file=sys.stderr)
        raise UsageError(f"--merge: libFuzzer exited with status {result.returncode}")
    print(f"merge: {result.inputs} inputs -> {result.kept} in {dirs[0]}")
    return EXIT_OK


def register(subparsers: Any) -> None:
    """Add the ``fuzz`` subcommand to the CLI's subparsers."""
    s = subparsers.add_parser(
        "fuzz", help="the main job: a bounded differential campaign against Go's parser",
        description="Generate traces from the strategies' model (valid ones and mutants), run "
        "each through the reference parser and Go's internal/trace, and save every divergence "
        "the corpus does not know yet under corpus/findings/<signature>/ (minimized). Prints "
        "live progress on stderr and a summary on stdout. Exit 0 when nothing new was found, "
        "1 when something was, 2 on usage errors, 130 when interrupted.",
    )
    lim = s.add_mutually_exclusive_group()
    lim.add_argument("--time", type=duration, default=None, metavar="DURATION",
                     help="how long to run, as go test -fuzztime takes it: 30s, 5m, 1h, a "
                     "number of seconds, or 1000x for a number of cases (default 60s unless "
                     "--max-examples is given)")
    lim.add_argument("--max-examples", type=positive_int, default=None, metavar="N",
                     help="check N cases in total, then stop")
    s.add_argument("corpus_dirs", nargs="*", type=Path, metavar="CORPUS_DIR",
                   help="atheris engine: libFuzzer corpus directories; the first keeps and "
                   "grows the evolved corpus between runs (like libFuzzer's CORPUS_DIR)")
    s.add_argument("--merge", action="store_true",
                   help="minimize a corpus instead of fuzzing, like libFuzzer's -merge=1: "
                   "CORPUS_DIR... is OUT IN...; with one directory, minimize it in place")
    s.add_argument("--jobs", type=positive_int, default=2, metavar="N",
                   help="worker processes, each with its own Go helper (default 2)")
    s.add_argument("--engine", choices=ENGINES, default="hypothesis",
                   help="hypothesis: the strategies' model and mutations (default); atheris: "
                   "libFuzzer with a structure-aware mutator")
    s.add_argument("--seed", default=None,
                   help="campaign seed (default: random; recorded in the report and findings)")
    s.add_argument("--report", type=Path, default=None, metavar="FILE.json",
                   help="write the JSON report here (atomically)")
    s.add_argument("--html", type=Path, default=None, metavar="FILE.html",
                   help="write a self-contained HTML page: cases/s and verdicts over time, "
                   "findings with their repro commands, the mutation mix")
    s.add_argument("--max-findings", type=positive_int, default=None, metavar="N",
                   help="stop early once N new findings were saved (default: run the whole "
                   "budget; libFuzzer stops at its first crash, this is the same with N=1)")
    s.add_argument("--no-minimize", action="store_true", help="save new findings unminimized")
    s.add_argument("--minimize-seconds", type=positive_float, default=30.0, metavar="S",
                   help="time budget to minimize one finding (default 30)")
    s.add_argument("--corpus", type=Path, default=None, metavar="DIR",
                   help="corpus root holding findings/ and regressions/ (default: the "
                   "repository's corpus/ in a checkout, else ./corpus)")
    s.add_argument("--timeout", type=positive_float, default=10.0, metavar="S",
                   help="seconds Go may take per case before the helper is restarted (default 10)")
    s.add_argument("--python-timeout", type=positive_float, default=10.0, metavar="S",
                   help="seconds the reference parser may take per case (default 10)")
    s.add_argument("--strings-every", type=nonnegative_int, default=1, metavar="N",
                   help="compare Event.String() as well as the events on every N-th case "
                   "(default 1: every case; 0: never; see docs/benchmarks.md for the cost)")
    g = s.add_argument_group("generator")
    g.add_argument("--max-events", type=nonnegative_int, default=40, metavar="N",
                   help="simulation steps per generation (default 40: small traces, fast cases)")
    g.add_argument("--max-generations", type=positive_int, default=2, metavar="N",
                   help="generations per trace (default 2)")
    g.add_argument("--mutants", type=nonnegative_int, default=3, metavar="K",
                   help="mutants checked per valid trace (default 3: 25%% valid, 75%% mutated)")
    s.add_argument("--instrument", action="store_true",
                   help="atheris engine only: guide libFuzzer by the parser's branch coverage "
                   "(slower per case)")
    s.add_argument("--generated-seeds", type=nonnegative_int,
                   default=atheris_engine.DEFAULT_GENERATED_SEEDS, metavar="N",
                   help="atheris engine only: strategies traces added to the seed corpus "
                   f"(default {atheris_engine.DEFAULT_GENERATED_SEEDS})")
    s.add_argument("--replay", default=None, metavar="FILE",
                   help="with a --go list: check this one input against every listed release "
                   "(and the reference) as a campaign would, print what differs and whether "
                   "the corpus knows it, save nothing; exit 1 if something is new")
    s.add_argument("-q", "--quiet", action="store_true", help="no progress line")
    add_go_options(s, more="; a comma list (1.22.10,1.24.11,1.27.3) or 'all' runs a "
                   "cross-release campaign: every case through every listed release, the "
                   "reference checked against each release it reproduces (the others take part "
                   "in the Go-vs-Go comparison only), adjacent releases compared, an "
                   "undocumented change between them saved as a release-change finding")
    s.set_defaults(func=cmd_fuzz)
