"""The atheris engine of ``gotrace-oracle fuzz``: libFuzzer drives the differential check.

Theory of operation
-------------------
The Hypothesis-model engine (:mod:`oracle.campaign.hypothesis_engine`) *generates* traces from the strategies' model.
This engine instead lets libFuzzer, through atheris, *evolve* a corpus of binary traces.  It
has three parts, following wasmtime's split of generators, mutators and oracles:

1. **The target** (:func:`_Worker.test_one_input`, a few lines).  libFuzzer hands it bytes; it
   runs the differential check of :class:`oracle.campaign.checker.CaseChecker` (the Python parser and
   Go's real ``internal/trace`` through the persistent helper, compared into a closed
   :class:`~oracle.diff.compare.Verdict`; new findings are minimized and saved by the
   checker's :class:`~oracle.campaign.findings.FindingStore`).  The check never raises on a bad trace;
   if the *engine* raises, that is recorded as an ``error`` and the case is skipped, so
   libFuzzer never mistakes a harness bug for a crash of the target.

2. **The structure-aware mutator** (:class:`~oracle.campaign.atheris_mutators.StructureAwareMutator`,
   in its own module): libFuzzer's byte mutations most of the time, otherwise named raw-level
   and strategies-level operators whose names reach the finding's ``mutations``.

3. **The campaign** (:func:`run_campaign` with an :class:`AtherisConfig`, called by
   ``gotrace-oracle fuzz --engine atheris``, :mod:`oracle.cli.fuzz`).  ``atheris.Fuzz()`` never returns (libFuzzer exits the process), so each of the
   ``--jobs`` workers is a subprocess (``python -c <bootstrap> worker ...``), in its own
   session, with its own Go helper.  The parent prepares one seed directory (the traces of
   ``corpus/seeds``, the ``repro.trace`` of every regression, and a few hundred generated
   traces), a shared libFuzzer queue directory (so that with ``--instrument`` the workers pick
   up each other's discoveries, like libFuzzer's own ``-jobs``), and one JSON-lines file per
   worker.  A worker appends to its file: a ``start`` record, a cumulative ``stats`` snapshot
   at most every :data:`STATS_INTERVAL` seconds, a ``finding`` record as soon as the checker
   saved a new finding, ``error`` records, and a final ``done`` snapshot.  The parent tails the
   files for the live progress line (exec/s, go accept/reject mix, divergences by signature)
   and aggregates the last snapshot of every worker into the typed
   :class:`~oracle.campaign.report.CampaignReport`.  The records are
   :class:`~oracle.campaign.checker.WorkerMessage` values as JSON lines.

Stopping.  A worker stops itself, writing its ``done`` record and leaving with ``os._exit``,
when its time budget (``--time``) or its share of ``--max-examples`` is used up, or when it
gets SIGTERM or SIGINT: libFuzzer's own handlers are switched off (``-handle_term=0
-handle_int=0``) and Python's set a flag that the next call of the target sees.  libFuzzer's
``-max_total_time`` and ``-runs`` stay as backstops.  libFuzzer's per-input timer is off
(``-timeout=0``) because it would share SIGALRM with the checker's Python timeout; a hang of
either parser is the checker's business (``python-timeout``, ``go-crash:timeout``).  The
parent, on SIGINT or SIGTERM, forwards SIGTERM to the workers, waits for their ``done``
records, and still writes the summary and the report.  Findings are saved by the workers as
they occur (atomically, by the store), so an interrupted campaign loses none.

Feedback.  libFuzzer keeps an input only when it shows a coverage feature it has not seen.
Without instrumentation atheris reports none, and libFuzzer would drop every seed and mutate
one empty input forever (nearly every input rejected at the header; ``docs/benchmarks.md``,
"atheris throughput", has the figure).  So by default
each worker reserves a block of libFuzzer counters (:class:`Feedback`) and hits them with
cheap *semantic features* of each case (:func:`features`: both outcomes with the divergence
signature, the trace version, and, read off the canonical JSON lines the check already
produced, where the parsers stopped (the last record, numbers blanked), how many events they
got through, pairs of consecutive event kinds and the state transitions).

Throughput.  Every exec is a full differential check, so its cost is the Python parse plus
a round trip to the Go helper; the engine keeps its own share small.  libFuzzer's
``-max_len`` is :data:`MAX_LEN` (a parse costs about linearly in what it gets through, and
the real seeds, several KB each, would otherwise dominate), the generated seeds are small
(:data:`GENERATED_MAX_EVENTS`), the structure-aware path runs for a quarter of the mutations
and remembers its decodes, the features cost a few regex scans instead of a decode, and the
objects built at start-up are frozen out of the cyclic collector's sight.

Instrumentation.  ``--instrument`` (``AtherisConfig.instrument``) instead loads the parser under
``atheris.instrument_imports``, so libFuzzer is guided by the parser's branch coverage; that
makes a Python parse several times slower, so it is off by default (``docs/benchmarks.md``,
"atheris throughput", has the numbers).
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import math
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
import traceback
import zlib
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from types import FrameType
from typing import Any, Final, Literal, Protocol

from oracle.campaign.atheris_mutators import StructureAwareMutator, generated_seeds
from oracle.campaign.checker import CaseChecker, CaseStats, NewFinding, WorkerMessage, freeze_startup_objects
from oracle.campaign.progress import Progress
from oracle.campaign.report import CampaignReport, Timeline, WorkerRate, build_report
from oracle.campaign.sources import default_corpus_root
from oracle.diff.compare import Comparison
from oracle.parser.errors import TraceError
from oracle.parser.raw import RawReader
from oracle.parser.rawtrace import HEADER_LEN
from oracle.parser.tracev2 import EventType
from oracle.parser.version import V2_VERSIONS, write_header

__all__ = [
    "ENGINE",
    "AtherisConfig",
    "Feedback",
    "STATS_INTERVAL",
    "WorkerConfig",
    "changed_key",
    "features",
    "main",
    "make_checker",
    "prepare_seeds",
    "run_campaign",
    "worker_main",
]

#: The ``engine`` value of the report.
ENGINE: Final = "atheris"

#: Seconds between two cumulative ``stats`` records of a worker.
STATS_INTERVAL: Final = 0.25

#: How many traces the strategies generate into the seed corpus (2/3 valid, 1/3 mutated).
DEFAULT_GENERATED_SEEDS: Final = 300


#: libFuzzer's ``-max_len``: the largest input it makes (bigger seeds are cut to it when
#: loaded).  A parse costs about linearly in the events it gets through, so big inputs
#: would dominate the run (a mutant of a 10 KB real trace costs ~10 ms, ~40 small ones).
MAX_LEN: Final = 2048


#: Extra seconds libFuzzer's own ``-max_total_time`` allows beyond the worker's budget.
_BACKSTOP_SECONDS: Final = 30

#: How long the parent waits for workers to finish after the budget or a signal.
_GRACE_SECONDS: Final = 20.0


# --- Feedback without instrumentation ---------------------------------------------------------


#: The version feature of each well-formed v2 header (a v1 or odd header gives feature 1).
_HEADER_FEATURES: Final[Mapping[bytes, int]] = {write_header(v): 2 + int(v) for v in V2_VERSIONS}
#: An event record of the canonical JSON lines: its kind.
_KIND: Final = re.compile(rb'"kind":"(\w+)","time"')
#: A state transition of the canonical JSON lines: its resource kind, from and to states.
_TRANSITION: Final = re.compile(
    rb'"transition":\{"resource":\{"kind":"(\w+)".*?"from":"(\w+)","to":"(\w+)"')
#: Runs of digits, blanked out of the last record (an error text names IDs and offsets).
_DIGITS: Final = re.compile(rb"[0-9]+")


def features(data: bytes, signature: str, python: str, go: str,
             output: bytes | None = None) -> Iterator[int]:
    """Cheap "semantic coverage" of one case, as integers for :class:`Feedback`.

    libFuzzer keeps an input in its corpus only when it shows a feature it has not seen;
    without instrumentation there are none, and it would mutate one empty input forever.
    These features stand in for coverage.  Always: the outcome (both statuses and the
    signature of a divergence) and the trace version (or a bad header).  Then, when the
    Python parser's canonical JSON lines of the case are at hand (``output``, which the
    checker keeps; on the fast path they are byte-identical to Go's), features of what the
    parsers made of the input, read from those lines with a few C-speed regex scans and no
    decoding: the last record with its numbers blanked (for a rejected trace, the error text,
    i.e. where and why the parsers stopped), the number of events (in buckets), each pair of
    consecutive event kinds, and each state transition (resource kind, from, to).  Without
    ``output``, a raw decode of the input stands in: each pair of consecutive raw event
    types, where the raw reader stopped (in buckets) and how many batches there were.
    """
    yield zlib.crc32(f"{python}|{go}|{signature}".encode())
    if output is not None:
        yield _HEADER_FEATURES.get(data[:HEADER_LEN], 1)
        nl = output.rfind(b"\n", 0, len(output) - 1)
        yield (6 << 28) | (zlib.crc32(_DIGITS.sub(b"", output[nl + 1:])) & 0xFFFFFFF)
        kinds = _KIND.findall(output)
        yield (7 << 28) | len(kinds).bit_length()
        crc = zlib.crc32
        for a, b in set(zip([b"", *kinds], kinds)):
            yield (8 << 28) | (crc(b, crc(a)) & 0xFFFFFFF)
        for t in set(_TRANSITION.findall(output)):
            yield (9 << 28) | (crc(b"|".join(t)) & 0xFFFFFFF)
        return
    try:
        reader = RawReader(data)
    except TraceError:
        yield 1
        return
    v = int(reader.version)
    yield 2 + v
    prev = 0
    n = 0
    batches = 0
    try:
        for ev in reader:
            t = ev.ev
            yield (v << 20) | (prev << 10) | t
            if t == EventType.EventBatch:
                batches += 1
            prev = t
            n += 1
        yield (3 << 28) | (v << 8) | min(n, 255).bit_length()
    except TraceError:
        yield (4 << 28) | (v << 16) | (prev << 8) | min(n, 255).bit_length()
    yield (5 << 28) | min(batches, 1023).bit_length()


class Feedback:
    """A block of libFuzzer counters reserved from atheris, hit by :func:`features`."""

    def __init__(self, atheris: Any, size: int = 1 << 16) -> None:
        self._atheris = atheris
        self._base: int = atheris._reserve_counter()
        for _ in range(size - 1):
            atheris._reserve_counter()
        self._size = size

    def hit(self, keys: Iterator[int]) -> None:
        """Count each feature once for this input."""
        # Looked up per call: atheris rebinds its functions when Fuzz() loads libFuzzer.
        base, size, trace = self._base, self._size, self._atheris._trace_branch
        for k in set(keys):
            # Fold the high bits in: the features keep their kind there ((6 << 28) | ...).
            trace(base + (k ^ (k >> 16) ^ (k >> 32)) % size)


# --- The worker ---------------------------------------------------------------------------------


class _Checker(Protocol):
    """What the worker needs of :class:`oracle.campaign.checker.CaseChecker`."""

    @property
    def stats(self) -> CaseStats: ...

    def check(self, data: bytes, *, mutations: Sequence[str] = (),
              seed: str | None = None) -> Comparison: ...

    def close(self) -> None: ...


class _Recorder:
    """Appends a worker's JSON-lines records: one ``write`` and a flush per record, so the
    parent never sees half a record except at the very end of the file."""

    def __init__(self, path: Path) -> None:
        self._f = open(path, "a", encoding="utf-8")

    def write(self, record: WorkerMessage | Mapping[str, Any]) -> None:
        obj = record.to_json() if isinstance(record, WorkerMessage) else record
        self._f.write(json.dumps(obj, default=str) + "\n")
        self._f.flush()

    def close(self) -> None:
        self._f.close()


@dataclass
class WorkerConfig:
    """A worker's command line, parsed."""

    job: int
    seed: str
    out: Path
    go_binary: Path
    go_version: str
    corpus_root: Path | None = None
    seconds: float | None = None
    runs: int | None = None
    minimize: bool = True
    timeout: float = 10.0
    python_timeout: float = 10.0
    strings_every: int = 1
    generated: int = DEFAULT_GENERATED_SEEDS
    instrument: bool = False
    libfuzzer: list[str] = field(default_factory=list)


def changed_key(counter: Counter[str], before: Mapping[str, int]) -> str:
    """The key whose count differs from ``before`` (the status one case added), or ``""``:
    with the checker's counters before and after a case, that case's status."""
    for k, n in counter.items():
        if before.get(k, 0) != n:
            return k
    return ""


class _Worker:
    """One libFuzzer process: the target, and the bookkeeping around the checker."""

    def __init__(self, cfg: WorkerConfig, mutator: StructureAwareMutator,
                 recorder: _Recorder) -> None:
        self.cfg = cfg
        self.mutator = mutator
        self.recorder = recorder
        self.checker: _Checker | None = None
        self.feedback: Feedback | None = None
        self.seed_label = f"atheris:{cfg.seed}:{cfg.job}"
        self.started = time.monotonic()
        self.deadline = self.started + cfg.seconds if cfg.seconds is not None else None
        self.errors = 0
        self.stop_requested = False
        self._reported = 0
        self._next_stats = self.started + STATS_INTERVAL

    def request_stop(self, signum: int, frame: FrameType | None) -> None:
        """SIGTERM/SIGINT handler: stop at the next call of the target."""
        self.stop_requested = True

    def should_stop(self) -> bool:
        """Whether the budget is used up or a stop was requested (also polled by the
        checker's minimizer, so that a stopping worker is not held up by it)."""
        if self.stop_requested:
            return True
        if self.cfg.runs is not None and self._cases() + self.errors >= self.cfg.runs:
            return True
        return self.deadline is not None and time.monotonic() >= self.deadline

    def _cases(self) -> int:
        return self.checker.stats.cases if self.checker is not None else 0

    def test_one_input(self, data: bytes) -> None:
        """The libFuzzer target: one differential check."""
        assert self.checker is not None
        if self.should_stop():
            self.finish()
        st = self.checker.stats
        py_before, go_before = dict(st.python), dict(st.go)
        try:
            c = self.checker.check(data, mutations=self.mutator.mutations_for(data),
                                   seed=self.seed_label)
            if self.feedback is not None:
                self.feedback.hit(features(data, c.signature, changed_key(st.python, py_before),
                                           changed_key(st.go, go_before),
                                           getattr(self.checker, "last_output", None)))
        except Exception:  # noqa: BLE001 - an engine bug must not look like a target crash
            self.errors += 1
            self.recorder.write(WorkerMessage(
                "error", self.cfg.job,
                error=traceback.format_exc() + f"input (hex, first 4 KiB): {data[:4096].hex()}"))
        self._report_findings()
        now = time.monotonic()
        if now >= self._next_stats:
            self._next_stats = now + STATS_INTERVAL
            self.recorder.write(self.snapshot("stats"))
        if self.should_stop():
            self.finish()

    def _report_findings(self) -> None:
        """A ``finding`` record for each finding the checker saved since the last call."""
        assert self.checker is not None
        new = self.checker.stats.new
        for f in new[self._reported:]:
            self.recorder.write(WorkerMessage("finding", self.cfg.job, finding=f))
        self._reported = len(new)

    def snapshot(self, kind: Literal["stats", "done"]) -> WorkerMessage:
        """A cumulative ``stats`` (or final ``done``) record."""
        assert self.checker is not None
        return WorkerMessage(kind, self.cfg.job, stats=self.checker.stats,
                             seconds=time.monotonic() - self.started,
                             mutator=dict(self.mutator.paths))

    def finish(self) -> None:
        """Write the final record and leave the process (libFuzzer's loop never returns)."""
        try:
            self._report_findings()
            self.recorder.write(self.snapshot("done"))
            self.recorder.close()
            if self.checker is not None:
                self.checker.close()
        finally:
            os._exit(0)


def _parse_worker_args(argv: Sequence[str]) -> WorkerConfig:
    p = argparse.ArgumentParser(prog="python -m oracle.campaign.atheris_engine worker")
    p.add_argument("--job", type=int, default=0)
    p.add_argument("--seed", default="0")
    p.add_argument("--out", type=Path, required=True, help="JSON-lines records file (appended)")
    p.add_argument("--go-binary", type=Path, required=True)
    p.add_argument("--go-version", required=True)
    p.add_argument("--corpus-root", type=Path, default=None)
    p.add_argument("--time", type=float, default=None)
    p.add_argument("--runs", type=int, default=None)
    p.add_argument("--no-minimize", action="store_true")
    p.add_argument("--timeout", type=float, default=10.0, help="Go helper timeout (s)")
    p.add_argument("--python-timeout", type=float, default=10.0)
    p.add_argument("--strings-every", type=int, default=1)
    p.add_argument("--generated", type=int, default=DEFAULT_GENERATED_SEEDS,
                   help="generated seeds to rebuild as strategies models")
    p.add_argument("--instrument", action="store_true",
                   help="(recorded only: instrumentation happens in the bootstrap)")
    p.add_argument("libfuzzer", nargs="*", help="libFuzzer flags and corpus directories")
    a = p.parse_args(list(argv))
    return WorkerConfig(
        job=a.job, seed=a.seed, out=a.out, go_binary=a.go_binary, go_version=a.go_version,
        corpus_root=a.corpus_root, seconds=a.time, runs=a.runs, minimize=not a.no_minimize,
        timeout=a.timeout, python_timeout=a.python_timeout, strings_every=a.strings_every,
        generated=a.generated,
        instrument=a.instrument, libfuzzer=list(a.libfuzzer),
    )


def make_checker(cfg: WorkerConfig, should_stop: Callable[[], bool]) -> _Checker:
    """The worker's :class:`oracle.campaign.checker.CaseChecker`, with its own Go helper and the
    corpus' :class:`oracle.campaign.findings.FindingStore`."""
    from oracle.campaign.findings import FindingStore

    store = FindingStore(cfg.corpus_root) if cfg.corpus_root is not None else FindingStore()
    return CaseChecker(cfg.go_binary, cfg.go_version, store, timeout=cfg.timeout,
                       python_timeout=cfg.python_timeout, minimize=cfg.minimize,
                       should_stop=should_stop, strings_every=cfg.strings_every,
                       valid_unless_mutated=False)


def worker_main(argv: Sequence[str], *,
                checker_factory: Callable[[WorkerConfig, Callable[[], bool]], _Checker]
                = make_checker) -> int:
    """Run one libFuzzer worker; does not return once libFuzzer starts (the process exits)."""
    atheris: Any = importlib.import_module("atheris")  # untyped; imported here, not at load
    cfg = _parse_worker_args(argv)
    recorder = _Recorder(cfg.out)
    models = {tr.to_binary(): tr for tr in generated_seeds(cfg.seed, cfg.generated)}
    # Look ``Mutate`` up at each call: atheris replaces the module attribute when Fuzz() loads
    # libFuzzer, and the function bound before that refuses to run.
    mutator = StructureAwareMutator(lambda data, n: bytes(atheris.Mutate(data, n)), models=models)
    worker = _Worker(cfg, mutator, recorder)
    worker.checker = checker_factory(cfg, worker.should_stop)
    if not cfg.instrument:
        worker.feedback = Feedback(atheris)
    signal.signal(signal.SIGTERM, worker.request_stop)
    signal.signal(signal.SIGINT, worker.request_stop)
    recorder.write({"type": "start", "job": cfg.job, "pid": os.getpid(),
                    "instrument": cfg.instrument, "models": len(models)})
    libfuzzer_argv = [sys.argv[0] or "atheris-worker", *_libfuzzer_flags(cfg), *cfg.libfuzzer]
    atheris.Setup(libfuzzer_argv, worker.test_one_input, custom_mutator=mutator)
    freeze_startup_objects()
    atheris.Fuzz()
    return 0  # not reached



def _libfuzzer_seed(seed: str, job: int) -> int:
    """libFuzzer's ``-seed`` for a campaign seed string and a job: positive (0 would mean
    "random"), stable, different per job."""
    return int.from_bytes(hashlib.sha1(f"{seed}:{job}".encode()).digest()[:4], "big") % (1 << 31) + 1


def _libfuzzer_flags(cfg: WorkerConfig) -> list[str]:
    """The libFuzzer options every worker runs with (see the module notes)."""
    flags = [
        f"-seed={_libfuzzer_seed(cfg.seed, cfg.job)}",
        "-timeout=0", "-handle_term=0", "-handle_int=0",
        "-print_final_stats=0", "-rss_limit_mb=4096", f"-max_len={MAX_LEN}",
    ]
    if cfg.seconds is not None:
        flags.append(f"-max_total_time={int(cfg.seconds) + _BACKSTOP_SECONDS}")
    if cfg.runs is not None:
        flags.append(f"-runs={cfg.runs * 4 + 1000}")
    return flags


#: The worker's entry code: the parser is imported under atheris' instrumentation when asked
#: (``--instrument`` in argv), which must happen before anything imports ``oracle``.
_BOOTSTRAP: Final = """\
import sys
if "--instrument" in sys.argv:
    import atheris
    with atheris.instrument_imports(include=["oracle"], exclude=[
            "oracle.campaign", "oracle.harness", "oracle.cli", "oracle.diff.minimize"]):
        import oracle, oracle.parser.raw, oracle.parser.canonical
from oracle.campaign.atheris_engine import worker_main
sys.exit(worker_main(sys.argv[1:]))
"""


# --- The campaign (parent) ----------------------------------------------------------------------


@dataclass
class _Tail:
    """Reads the complete lines appended to one worker's records file since the last call."""

    path: Path
    offset: int = 0
    pending: bytes = b""

    def read(self) -> Iterator[WorkerMessage]:
        try:
            with open(self.path, "rb") as f:
                f.seek(self.offset)
                chunk = f.read()
        except FileNotFoundError:
            return
        self.offset += len(chunk)
        lines = (self.pending + chunk).split(b"\n")
        self.pending = lines.pop()
        for line in lines:
            if line.strip():
                try:
                    obj = json.loads(line)
                except json.JSONDecodeError:
                    continue
                if obj.get("type") != "start":  # the start record is for the logs only
                    yield WorkerMessage.from_json(obj)


@dataclass
class _Aggregate:
    """What the parent knows: the last snapshot per worker, findings, engine errors."""

    snapshots: dict[int, WorkerMessage] = field(default_factory=dict)
    done: set[int] = field(default_factory=set)
    findings: dict[str, NewFinding] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)

    def add(self, msg: WorkerMessage) -> None:
        """Take one record of a worker's file."""
        if msg.stats is not None:
            self.snapshots[msg.job] = msg
            if msg.kind == "done":
                self.done.add(msg.job)
                for f in msg.stats.new:
                    self.findings.setdefault(f.signature, f)
        elif msg.kind == "finding" and msg.finding is not None:
            self.findings.setdefault(msg.finding.signature, msg.finding)
        elif msg.kind == "error":
            self.errors.append(f"job {msg.job}: {(msg.error or '').strip()}")

    def stats(self) -> CaseStats:
        """All workers' checker statistics, summed."""
        total = CaseStats()
        for snap in self.snapshots.values():
            assert snap.stats is not None
            total.merge(snap.stats)
        return total

    def mutator(self) -> Counter[str]:
        """How often each mutator path ran, over all workers."""
        c: Counter[str] = Counter()
        for snap in self.snapshots.values():
            c.update(snap.mutator or {})
        return c

    def rates(self) -> dict[int, WorkerRate]:
        """Each worker's cases and own elapsed seconds."""
        return {j: WorkerRate(s.stats.cases if s.stats else 0, s.seconds or 0.0)
                for j, s in sorted(self.snapshots.items())}

    def exec_per_second(self) -> float:
        """The workers' own rates summed: the steady exec/s, without the start-up (seed
        generation, helper launch) that the campaign's wall clock includes."""
        return sum(r.exec_per_second for r in self.rates().values())


def _progress_line(agg: _Aggregate, elapsed: float) -> str:
    st = agg.stats()
    judged = st.go_accepted + st.go_rejected
    acc = 100.0 * st.go_accepted / judged if judged else 0.0
    parts = [f"[{elapsed:5.0f}s] {st.cases:,} execs, {agg.exec_per_second():,.0f} exec/s",
             f"go accept {acc:.0f}% reject {100 - acc:.0f}%" if judged else "go -",
             f"new {len(agg.findings)}, known {st.known}"]
    top = sorted(((n, s) for s, n in st.signatures.items()), reverse=True)[:3]
    if top:
        parts.append("; ".join(f"{s[:60]} x{n}" for n, s in top))
    return " | ".join(parts)


def prepare_seeds(dest: Path, *, seed: str, generated: int,
                  corpus_dirs: Sequence[Path] = ()) -> int:
    """Fill ``dest`` with the seed corpus; returns the number of files.

    The ``*.trace`` files under each of ``corpus_dirs`` (``corpus/seeds`` and the
    ``repro.trace`` of ``corpus/regressions/*/``) and ``generated`` strategies traces.  Files
    are named by content hash, as libFuzzer names its own.
    """
    dest.mkdir(parents=True, exist_ok=True)
    blobs: list[bytes] = []
    for d in corpus_dirs:
        if d.is_dir():
            blobs.extend(p.read_bytes() for p in sorted(d.rglob("*.trace")))
    blobs.extend(tr.to_binary() for tr in generated_seeds(seed, generated))
    names = set()
    for b in blobs:
        name = hashlib.sha1(b).hexdigest()
        if name not in names:
            names.add(name)
            (dest / name).write_bytes(b)
    return len(names)


@dataclass(frozen=True)
class AtherisConfig:
    """An atheris campaign's settings (the command line builds it: :mod:`oracle.cli.fuzz`).

    ``binary``/``version`` name the Go helper already built; ``corpus_root`` is the corpus
    (default :func:`~oracle.campaign.sources.default_corpus_root`); ``generated`` how many
    strategies traces join the seeds."""

    jobs: int
    seconds: float | None
    max_examples: int | None
    seed: str
    instrument: bool
    minimize: bool
    quiet: bool
    corpus_root: Path | None
    generated: int
    binary: Path
    version: str
    timeout: float = 10.0
    python_timeout: float = 10.0
    #: libFuzzer corpus directories (``fuzz CORPUS_DIR...``): the first one keeps what the
    #: workers evolve (instead of a temporary queue), the others are read as seeds too.
    corpus_dirs: tuple[Path, ...] = ()
    strings_every: int = 1
    #: Stop the workers once this many new findings were reported (None: the whole budget).
    max_findings: int | None = None

    def runs(self, job: int) -> int | None:
        """Job ``job``'s share of ``max_examples``."""
        if self.max_examples is None:
            return None
        n, r = divmod(self.max_examples, self.jobs)
        return n + (1 if job < r else 0)


def run_campaign(config: AtherisConfig) -> CampaignReport:
    """Run the workers to the end (budget or signal) and return the report.

    Prints the progress to stderr; the caller writes the report and prints the summary.
    Raises :class:`ImportError` when atheris is missing."""
    if importlib.util.find_spec("atheris") is None:
        raise ImportError("--engine atheris needs atheris: pip install 'gotrace-oracle[fuzz]'")
    if config.jobs < 1:
        raise ValueError(f"jobs must be at least 1, got {config.jobs}")
    with tempfile.TemporaryDirectory(prefix="gotrace-atheris-") as work:
        return _run(config, Path(work))


def _worker_command(opts: AtherisConfig, job: int, out: Path, dirs: Sequence[Path]) -> list[str]:
    """The command line of worker ``job``: the bootstrap, its options, libFuzzer's corpus."""
    cmd = [sys.executable, "-c", _BOOTSTRAP, "--job", str(job), "--seed", opts.seed,
           "--out", str(out), "--go-binary", str(opts.binary), "--go-version", opts.version,
           "--generated", str(opts.generated), "--timeout", repr(opts.timeout),
           "--python-timeout", repr(opts.python_timeout),
           "--strings-every", str(opts.strings_every)]
    if opts.corpus_root is not None:
        cmd += ["--corpus-root", str(opts.corpus_root)]
    if opts.seconds is not None:
        cmd += ["--time", repr(float(opts.seconds))]
    runs = opts.runs(job)
    if runs is not None:
        cmd += ["--runs", str(runs)]
    if not opts.minimize:
        cmd.append("--no-minimize")
    if opts.instrument:
        cmd.append("--instrument")
    return [*cmd, "--", *map(str, dirs)]


def _run(opts: AtherisConfig, work: Path) -> CampaignReport:
    """Prepare the seeds, run the workers to the end, and build the report."""
    started = datetime.now(timezone.utc)
    t0 = time.monotonic()
    signals: list[int] = []

    def on_signal(signum: int, frame: FrameType | None) -> None:
        signals.append(signum)

    # From the start: a signal while the seeds are prepared (seconds, on a busy machine) still
    # ends the run with a report.
    old = {s: signal.signal(s, on_signal) for s in (signal.SIGINT, signal.SIGTERM)}
    procs: list[subprocess.Popen[bytes]] = []
    tails: list[_Tail] = []
    agg = _Aggregate()
    timeline = Timeline()
    nseeds = 0
    try:
        seeds_dir = work / "seeds"
        queue = opts.corpus_dirs[0] if opts.corpus_dirs else work / "queue"
        queue.mkdir(parents=True, exist_ok=True)
        corpus = opts.corpus_root if opts.corpus_root is not None else default_corpus_root()
        nseeds = prepare_seeds(seeds_dir, seed=opts.seed, generated=opts.generated,
                               corpus_dirs=(corpus / "seeds", corpus / "regressions"))
        if not opts.quiet:
            budget = f"{opts.seconds:g} s" if opts.seconds is not None else f"{opts.max_examples} execs"
            kept = f", corpus {queue}" if opts.corpus_dirs else ""
            print(f"[atheris] {opts.jobs} job(s), go {opts.version}, {nseeds} seeds{kept}, "
                  f"{'instrumented' if opts.instrument else 'uninstrumented'}, {budget}",
                  file=sys.stderr)
        for job in range(opts.jobs if not signals else 0):
            out = work / f"job-{job}.jsonl"
            with open(work / f"job-{job}.log", "wb") as logf:
                procs.append(subprocess.Popen(
                    _worker_command(opts, job, out, (queue, *opts.corpus_dirs[1:], seeds_dir)),
                    stdin=subprocess.DEVNULL, stdout=logf, stderr=subprocess.STDOUT,
                    start_new_session=True,  # a terminal's Ctrl-C reaches only the parent
                ))
            tails.append(_Tail(out))
        _supervise(procs, tails, agg, started=t0, seconds=opts.seconds, quiet=opts.quiet,
                   signals=signals, timeline=timeline, max_findings=opts.max_findings)
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.wait()
        for s, h in old.items():
            signal.signal(s, h)
    for t in tails:
        for rec in t.read():
            agg.add(rec)
    worker_errors = list(agg.errors)
    for job, p in enumerate(procs):
        if job not in agg.done:
            log = (work / f"job-{job}.log").read_text(errors="replace")[-2000:]
            worker_errors.append(f"job {job}: exited with status {p.returncode} without a "
                                 f"final record; its log ends:\n{log}")
    return build_report(
        agg.stats(), agg.findings, engine=ENGINE, seconds=time.monotonic() - t0,
        started=started, toolchain=opts.version, seed=opts.seed, jobs=opts.jobs,
        time_limit=opts.seconds, max_examples=opts.max_examples, minimize=opts.minimize,
        signals=signals, worker_errors=worker_errors, timeline=timeline,
        instrument=opts.instrument,
        seeds=nseeds, mutator=dict(sorted(agg.mutator().items())), workers=agg.rates())


def _supervise(procs: Sequence[subprocess.Popen[bytes]], tails: Sequence[_Tail],
               agg: _Aggregate, *, started: float, seconds: float | None, quiet: bool,
               signals: Sequence[int], timeline: Timeline | None = None,
               max_findings: int | None = None) -> None:
    """Tail the workers' records until all have exited, printing progress.  On a signal,
    when a worker overruns its budget or once ``max_findings`` new findings are in, SIGTERM
    the workers (they report and exit); SIGKILL after a grace period."""
    progress = Progress(enabled=not quiet, interval=10.0, tty_interval=1.0)
    terminated_at: float | None = None
    overrun = started + seconds + _GRACE_SECONDS if seconds is not None else math.inf
    while any(p.poll() is None for p in procs):
        time.sleep(0.1)
        for t in tails:
            for rec in t.read():
                agg.add(rec)
        now = time.monotonic()
        enough = max_findings is not None and len(agg.findings) >= max_findings
        if terminated_at is None and (signals or now > overrun or enough):
            terminated_at = now
            for p in procs:
                if p.poll() is None:
                    p.send_signal(signal.SIGTERM)
        if terminated_at is not None and now > terminated_at + _GRACE_SECONDS:
            for p in procs:
                if p.poll() is None:
                    p.kill()
        if timeline is not None:
            timeline.add(now - started, agg.stats(), len(agg.findings))
        progress.update(_progress_line(agg, now - started))
    progress.clear()


# --- Command line --------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m oracle.campaign.atheris_engine worker ...``: one uninstrumented worker
    (campaigns start workers through :data:`_BOOTSTRAP`; ``gotrace-oracle fuzz --engine
    atheris`` runs a whole campaign)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] != ["worker"]:
        print("usage: python -m oracle.campaign.atheris_engine worker ARGS "
              "(a campaign is: gotrace-oracle fuzz --engine atheris)", file=sys.stderr)
        return 2
    return worker_main(argv[1:])


if __name__ == "__main__":
    sys.exit(main())
