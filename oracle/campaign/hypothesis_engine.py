"""The Hypothesis-model engine: worker processes draw cases from the strategies' model.

Theory of operation
===================

A campaign is a parent process and ``jobs`` worker processes (``multiprocessing`` with the
``spawn`` start method, so that no helper pipe, lock or signal handler leaks across a fork).
Each worker owns one :class:`~oracle.campaign.checker.CaseChecker` (and so one Go helper). It
generates cases with the strategies' forward model through the Hypothesis-free path
(``RandomChooser`` over a ``random.Random`` seeded by a string), in *families*: one valid trace
drawn with ``draw_valid``, then ``mutants`` mutants of it made by ``mutate`` (with the default
of 3 a quarter of the cases are valid, three quarters mutated; drawing a valid trace costs about
twice as much as mutating one).  Every case has a seed string, ``"<seed>:<job>:<i>"`` for the
valid trace of family ``i`` and ``"<seed>:<job>:<i>:<k>"`` for its ``k``-th mutant; then
``v1_mutants`` byte mutants of real v1 traces (:func:`oracle.campaign.sources.v1_mutant`, seeds
``"<seed>:<job>:<i>:v1:<k>"``) when the reference reproduces the release's v1 reading;
:func:`case_for_seed` rebuilds a case from it.

Parent.  Workers stream messages on a ``multiprocessing.Queue``: a cumulative
:class:`CaseStats` snapshot about four times a second, each new finding as it is saved, and a
final snapshot.  The parent sums the latest snapshot of each worker, prints a live progress
line (self-overwriting on a terminal, one line every 10 s otherwise), stops the workers at the
time limit (``--max-examples`` is split between the workers, which stop by themselves), and
returns the :class:`~oracle.campaign.report.CampaignReport`.  SIGINT and SIGTERM only set a flag: the parent then stops the workers the same way, waits
for their final snapshots (killing stragglers after a grace period), and reports as usual.
Workers ignore SIGINT (a terminal's Ctrl-C reaches the whole process group), and so do their Go
helpers, which inherit the ignored disposition.

Resume.  "New" means new to the corpus: a second campaign over the same corpus reports a
finding saved by the first as known, so campaigns resume from ``corpus/`` without any state
of their own.

Workers' messages are typed (:class:`~oracle.campaign.checker.WorkerMessage`).  The command
line (``gotrace-oracle fuzz``) lives in :mod:`oracle.cli.fuzz`; this module takes a typed
:class:`CampaignConfig` and never sees ``argparse``.
"""

from __future__ import annotations

import contextlib
import math
import multiprocessing
import os
import queue as queue_mod
import random
import signal
import sys
import threading
import time
import traceback
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from types import FrameType
from typing import Any, Final, TextIO

from oracle.campaign.checker import (
    CampaignChecker,
    CaseChecker,
    CaseStats,
    NewFinding,
    WorkerMessage,
    freeze_startup_objects,
)
from oracle.campaign.progress import Progress
from oracle.campaign.report import CampaignReport, GeneratorInfo, Timeline, build_report
from oracle.campaign.sources import v1_mutant

#: The seed component that marks a v1 mutant case (``<seed>:<job>:<i>:v1:<k>``).
_V1_TAG: Final = "v1"

__all__ = [
    "CampaignConfig",
    "Case",
    "GenParams",
    "case_for_seed",
    "default_checker",
    "family",
    "run_campaign",
    "v1_mutants_for",
    "versions_for",
]


@dataclass(frozen=True, slots=True)
class GenParams:
    """How cases are generated: model size, trace versions, mutants per valid trace."""

    max_events: int = 40
    max_generations: int = 2
    versions: tuple[int, ...] | None = None  # trace versions (22, 23, 25, 26); None: all
    mutants: int = 3
    #: Byte mutants of real v1 traces per family (oracle.campaign.sources.v1_mutant).
    v1_mutants: int = 1


@dataclass(frozen=True, slots=True)
class Case:
    """One generated input: bytes, the mutations applied, and the seed that rebuilds it."""

    data: bytes
    mutations: tuple[str, ...]
    seed: str


def _model(params: GenParams) -> tuple[Any, Any]:
    from strategies import trace_params

    return trace_params(versions=params.versions, max_events=params.max_events,
                        max_generations=params.max_generations)


def family(base: str, params: GenParams, model: tuple[Any, Any] | None = None) -> list[Case]:
    """The valid trace seeded by ``base`` and its ``params.mutants`` mutants."""
    from strategies import RandomChooser, draw_valid, mutate

    vs, template = model if model is not None else _model(params)
    tr = draw_valid(RandomChooser(random.Random(base)), vs, template)
    cases = [Case(tr.to_binary(), (), base)]
    for k in range(params.mutants):
        s = f"{base}:{k}"
        m = mutate(RandomChooser(random.Random(s)), tr)
        cases.append(Case(m.to_binary(), tuple(m.mutations), s))
    # v1 mutants only where the caller asks (v1_mutants_for: releases the reference reproduces).
    for k in range(params.v1_mutants):
        s = f"{base}:{_V1_TAG}:{k}"
        data, mutations = v1_mutant(s)
        cases.append(Case(data, mutations, s))
    return cases


def case_for_seed(seed: str, params: GenParams | None = None) -> Case:
    """Rebuild the case a campaign generated under ``seed`` (with the same ``params``)."""
    from strategies import RandomChooser, draw_valid, mutate

    p = params or GenParams()
    vs, template = _model(p)
    parts = seed.split(":")
    if len(parts) >= 2 and parts[-2] == _V1_TAG:
        data, mutations = v1_mutant(seed)
        return Case(data, mutations, seed)
    if len(parts) < 4:
        tr = draw_valid(RandomChooser(random.Random(seed)), vs, template)
        return Case(tr.to_binary(), (), seed)
    base = ":".join(parts[:-1])
    tr = draw_valid(RandomChooser(random.Random(base)), vs, template)
    m = mutate(RandomChooser(random.Random(seed)), tr)
    return Case(m.to_binary(), tuple(m.mutations), seed)


def versions_for(go_version: str) -> tuple[int, ...] | None:
    """Trace versions a toolchain can read (None: all of them)."""
    from oracle.parser.version import V2_VERSIONS

    try:
        minor = int(go_version.split(".")[1])
    except (IndexError, ValueError):
        return None
    vs = tuple(int(v) for v in V2_VERSIONS if int(v) <= minor)
    return vs if vs and len(vs) < len(V2_VERSIONS) else None


def v1_mutants_for(go_version: str, default: int = 1) -> int:
    """Byte mutants of real v1 traces per family against a toolchain: ``default`` where the
    reference reproduces the release and the release reads v1 traces (converted without Sync
    events by 1.23 and 1.24, with them from 1.25), else 0: the pinned semantics would differ
    on every one of them, and Go 1.22 rejects each at its header (a check conform and the
    release tests make once, not a case source)."""
    from oracle.parser.releases import RELEASES, reproduced
    from oracle.parser.version import Version

    rel = reproduced(go_version)
    return default if rel is not None and RELEASES[rel].reads_version(Version.Go121) else 0


@dataclass(frozen=True, slots=True)
class CampaignConfig:
    """Everything a campaign and its workers need (picklable, for ``spawn``)."""

    go_binary: Path
    go_version: str
    corpus: Path | None = None  # FindingStore root; None: the repository's corpus/
    jobs: int = 2
    time_limit: float | None = 60.0
    max_examples: int | None = None
    seed: str = "0"
    minimize: bool = True
    minimize_seconds: float = 30.0
    timeout: float = 10.0
    python_timeout: float = 10.0
    strings_every: int = 1  # compare Event.String() on every N-th case (0: never)
    #: Stop once this many new findings were received (None: run the whole budget).
    max_findings: int | None = None
    gen: GenParams = GenParams()
    engine: str = "hypothesis"
    #: A cross-release campaign (oracle.campaign.crossrelease): every release's version and
    #: Go helper, oldest first (``go_binary``/``go_version`` are then the newest's).  Empty:
    #: one release.
    releases: tuple[tuple[str, Path], ...] = ()
    #: Builds a worker's checker: ``(config, job, should_stop) -> CampaignChecker`` (module
    #: level, so that it pickles).
    checker_factory: Callable[[CampaignConfig, int, Callable[[], bool]], CampaignChecker] | None = None
    progress: bool = True
    stats_interval: float = 0.25
    grace: float | None = None  # seconds to wait for workers after stopping; None: timeout + 5


def default_checker(config: CampaignConfig, job: int,
                    should_stop: Callable[[], bool]) -> CampaignChecker:
    """The real checker: Go helper, reference parser, the corpus' finding store (with several
    releases, one of each per release: :class:`oracle.campaign.crossrelease.CrossReleaseChecker`)."""
    from oracle.campaign.findings import FindingStore

    store = FindingStore(config.corpus) if config.corpus is not None else FindingStore()
    if config.releases:
        from oracle.campaign.crossrelease import CrossReleaseChecker

        return CrossReleaseChecker(
            config.releases, store, timeout=config.timeout, python_timeout=config.python_timeout,
            minimize=config.minimize, minimize_seconds=config.minimize_seconds,
            should_stop=should_stop, strings_every=config.strings_every)
    return CaseChecker(
        config.go_binary, config.go_version, store, timeout=config.timeout,
        python_timeout=config.python_timeout, minimize=config.minimize,
        minimize_seconds=config.minimize_seconds, should_stop=should_stop,
        strings_every=config.strings_every,
    )


def _quota(config: CampaignConfig, job: int) -> int | None:
    if config.max_examples is None:
        return None
    n, r = divmod(config.max_examples, config.jobs)
    return n + (1 if job < r else 0)


def _worker_main(job: int, config: CampaignConfig, q: Any, stop: Any) -> None:
    """A worker process: generate and check cases until told to stop or out of quota."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    factory = config.checker_factory or default_checker
    try:
        checker = factory(config, job, stop.is_set)
    except Exception:  # noqa: BLE001 - reported to the parent, which decides the exit status
        q.put(WorkerMessage("error", job, error=traceback.format_exc()))
        q.put(WorkerMessage("done", job, stats=CaseStats()))
        return
    quota = _quota(config, job)
    model = _model(config.gen)
    freeze_startup_objects()
    gen_errors, first_gen_error = 0, None
    parent = os.getppid()
    last_sent = time.monotonic()
    st = checker.stats
    try:
        i = 0
        while not stop.is_set() and (quota is None or st.cases < quota):
            try:
                cases = family(f"{config.seed}:{job}:{i}", config.gen, model)
            except Exception:  # noqa: BLE001 - a generator bug: count it, keep fuzzing
                gen_errors += 1
                first_gen_error = first_gen_error or f"seed {config.seed}:{job}:{i}\n" + traceback.format_exc()
                cases = []
            i += 1
            for case in cases:
                if stop.is_set() or (quota is not None and st.cases >= quota):
                    break
                n_new = len(st.new)
                checker.check(case.data, mutations=case.mutations, seed=case.seed)
                for f in st.new[n_new:]:
                    q.put(WorkerMessage("finding", job, finding=f))
                now = time.monotonic()
                if now - last_sent >= config.stats_interval:
                    q.put(WorkerMessage("stats", job, stats=st))
                    last_sent = now
                    if os.getppid() != parent:  # orphaned (the parent was killed): stop
                        stop.set()
    except Exception:  # noqa: BLE001
        q.put(WorkerMessage("error", job, error=traceback.format_exc()))
    finally:
        checker.close()
        q.put(WorkerMessage("done", job, stats=st, generator_errors=gen_errors,
                            generator_error_sample=first_gen_error))


def _progress_line(elapsed: float, stats: CaseStats, new: Mapping[str, NewFinding]) -> str:
    rate = stats.cases / elapsed if elapsed > 0 else 0.0
    judged = stats.go_accepted + stats.go_rejected
    acc = 100.0 * stats.go_accepted / judged if judged else 0.0
    known = {s: n for s, n in stats.known_signatures.items() if s not in new}
    parts = [
        f"[{elapsed:5.0f}s] {stats.cases:,} cases, {rate:,.0f}/s",
        f"go accept {acc:.0f}% reject {100 - acc:.0f}%" if judged else "go -",
        f"new {len(new)}, known {len(known)}",
    ]
    top = [(n, s) for s, n in stats.signatures.items()]
    top.sort(reverse=True)
    if top:
        parts.append("; ".join(f"{s[:60]} x{n}" for n, s in top[:3]))
    return " | ".join(parts)


@contextlib.contextmanager
def _stop_signals(flag: list[int]) -> Iterator[None]:
    """SIGINT/SIGTERM append their number to ``flag`` instead of killing (main thread only)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum: int, frame: FrameType | None) -> None:
        flag.append(signum)

    old = {s: signal.signal(s, handler) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for s, h in old.items():
            signal.signal(s, h)


@contextlib.contextmanager
def _sigint_ignored() -> Iterator[None]:
    """Ignore SIGINT while starting workers: spawned children (and their Go helpers) inherit
    the ignored disposition, so a terminal's Ctrl-C reaches only the parent's handler."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    old = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, old)


@contextlib.contextmanager
def _package_path_first() -> Iterator[None]:
    """Put the directory this package was imported from first on ``sys.path`` while workers
    start: ``spawn`` children get the parent's ``sys.path`` and import the package afresh, and
    a directory earlier on it may hold a namespace package of the same name (pytest puts
    ``tests/``, with its mirror ``tests/oracle/``, first), which would shadow the package
    behind an editable install's import hook."""
    root = str(Path(__file__).resolve().parents[2])
    sys.path.insert(0, root)
    try:
        yield
    finally:
        sys.path.remove(root)


def run_campaign(config: CampaignConfig, *, err: TextIO | None = None) -> CampaignReport:
    """Run a campaign to its limit (or a signal) and return the report."""
    err = err if err is not None else sys.stderr
    if config.jobs < 1:
        raise ValueError("jobs must be at least 1")
    ctx = multiprocessing.get_context("spawn")
    q: Any = ctx.Queue()
    stop: Any = ctx.Event()
    progress = Progress(err, enabled=config.progress)
    timeline = Timeline()
    grace = config.grace if config.grace is not None else config.timeout + 5.0
    signals: list[int] = []
    snapshots: dict[int, CaseStats] = {}
    new: dict[str, NewFinding] = {}
    worker_errors: list[str] = []
    gen_errors = 0
    gen_error_sample: str | None = None
    done: set[int] = set()
    first_stats: float | None = None
    started = datetime.now(timezone.utc)
    t0 = time.monotonic()
    deadline = t0 + config.time_limit if config.time_limit is not None else math.inf
    stopped_at: float | None = None

    def total() -> CaseStats:
        agg = CaseStats()
        for s in snapshots.values():
            agg.merge(s)
        return agg

    def handle(msg: WorkerMessage) -> None:
        nonlocal first_stats, gen_errors, gen_error_sample
        job = msg.job
        if msg.stats is not None:
            snapshots[job] = msg.stats
            if first_stats is None and msg.stats.cases:
                first_stats = time.monotonic()
        if msg.kind == "finding" and msg.finding is not None:
            new.setdefault(msg.finding.signature, msg.finding)
        elif msg.kind == "error":
            worker_errors.append(f"job {job}: {msg.error}")
        elif msg.kind == "done":
            done.add(job)
            gen_errors += msg.generator_errors
            gen_error_sample = gen_error_sample or msg.generator_error_sample
            for f in snapshots[job].new:
                new.setdefault(f.signature, f)

    procs = [ctx.Process(target=_worker_main, args=(job, config, q, stop), name=f"fuzz-{job}",
                         daemon=True) for job in range(config.jobs)]
    with _stop_signals(signals):
        with _sigint_ignored(), _package_path_first():
            for p in procs:
                p.start()
        try:
            while len(done) < len(procs):
                now = time.monotonic()
                enough = config.max_findings is not None and len(new) >= config.max_findings
                if stopped_at is None and (signals or now >= deadline or enough):
                    stop.set()
                    stopped_at = now
                if stopped_at is not None and now - stopped_at > grace:
                    break
                try:
                    handle(q.get(timeout=0.1))
                except queue_mod.Empty:
                    if all(not p.is_alive() for p in procs):
                        break  # every worker is gone; whatever they sent has been read
                stats_now = total()
                timeline.add(now - t0, stats_now, len(new))
                progress.update(_progress_line(now - t0, stats_now, new))
        finally:
            stop.set()
            # Drain what is left (a worker's last messages may still be in flight), then reap.
            drain_until = time.monotonic() + 2.0
            while len(done) < len(procs) and time.monotonic() < drain_until:
                try:
                    handle(q.get(timeout=0.05))
                except queue_mod.Empty:
                    if all(not p.is_alive() for p in procs):
                        break
            for p in procs:
                p.join(timeout=0.5)
                if p.is_alive():
                    p.terminate()
                    p.join(timeout=2)
                if p.exitcode not in (0, None) and (job := procs.index(p)) not in done:
                    worker_errors.append(f"job {job}: exited with status {p.exitcode}")
            progress.clear()
            q.close()
            q.join_thread()
    seconds = time.monotonic() - t0
    stats = total()
    return build_report(
        stats, new, engine=config.engine, seconds=seconds, started=started,
        toolchain=(",".join(r for r, _ in config.releases) if config.releases
                   else config.go_version), seed=config.seed, jobs=config.jobs,
        time_limit=config.time_limit, max_examples=config.max_examples,
        minimize=config.minimize, signals=signals, worker_errors=worker_errors,
        timeline=timeline,
        generator=GeneratorInfo(config.gen.max_events, config.gen.max_generations,
                                config.gen.versions, config.gen.mutants),
        startup_seconds=round(first_stats - t0, 3) if first_stats else None,
        generator_errors=gen_errors, generator_error_sample=gen_error_sample)
