"""The differential campaign: generate cases, check each against Go, keep what is new.

Theory of operation
===================

A campaign is a parent process and ``jobs`` worker processes (``multiprocessing`` with the
``spawn`` start method, so that no helper pipe, lock or signal handler leaks across a fork).

Workers.  Each worker owns one :class:`CaseChecker`, which owns one persistent Go helper
(:class:`oracle.harness.helper.GoHelper`).  It generates cases with the strategies' forward model
through the Hypothesis-free path (``RandomChooser`` over a ``random.Random`` seeded by a string),
in *families*: one valid trace drawn with ``draw_valid``, then ``mutants`` mutants of it made by
``mutate`` (so with the default of 3 a quarter of the cases are valid, three quarters mutated;
drawing a valid trace costs about twice as much as mutating one).  Every case has a seed string,
``"<seed>:<job>:<i>"`` for the valid trace of family ``i`` and ``"<seed>:<job>:<i>:<k>"`` for its
``k``-th mutant; then ``v1_mutants`` byte mutants of real v1 traces
(:func:`oracle.campaign.sources.v1_mutant`, seeds ``"<seed>:<job>:<i>:v1:<k>"``) when the release
reads every trace version.  :func:`case_for_seed` rebuilds a case from its seed.  Every
:class:`CaseChecker.check` runs both parsers, compares (:func:`oracle.diff.compare`) and
classifies the comparison:

* agreement is only counted (for v1 inputs, Go's chance order of equal timestamps is
  tolerated and Go is asked again before a disagreement counts: ``_V1_RETRIES``);
* a divergence whose signature the corpus already knows (``FindingStore.is_known``: recorded
  findings, regressions and the documented Go bugs) or that is documented nondeterminism
  (``oracle.campaign.findings.is_known_nondeterminism``) is counted as *known*;
* any other divergence is *new*: saved at once through the store (an atomic directory rename),
  then minimized (when enabled, within a time budget) and saved again, the store keeping the
  smaller repro.  Saving before minimizing means a worker killed mid-minimization loses nothing.

The checker's fast path: when both sides are the real parsers, the Python side writes its
canonical JSON lines (:func:`oracle.parser.canonical.dump_trace`) and Go's helper returns its own; both
writers produce byte-identical lines (``docs/canonical-json.md``), so equal bytes with no
``panics`` key and a normal terminal record are agreement, without decoding either side.  Any
other pair goes through the full path (:class:`~oracle.diff.impls.PythonImpl`, the decoded Go
outcome, :func:`~oracle.diff.compare`), which decides every verdict.  About 97% of generated
cases take the fast path.

Timeouts.  Python gets ``python_timeout`` seconds per parse, enforced with ``SIGALRM``
(``signal.setitimer``) in the worker's main thread: the handler raises a private
``BaseException`` that the parser's ``except Exception`` cannot swallow, which becomes
``Status.TIMEOUT`` and so ``python-timeout``.  (Off the main thread there is no Python timeout.)
Go's timeout is the helper's: a request that outlives it kills the helper, a helper that dies
mid-request is a crash; both become ``go-crash`` findings and the next request starts a fresh
helper.

Parent.  Workers stream messages on a ``multiprocessing.Queue``: a cumulative
:class:`CaseStats` snapshot about four times a second, each new finding as it is saved, and a
final snapshot.  The parent sums the latest snapshot of each worker, prints a live progress
line (self-overwriting on a terminal, one line every 10 s otherwise), stops the workers at the
time limit (``--max-examples`` is split between the workers, which stop by themselves), and
returns the report (:func:`write_report` writes it atomically, :func:`format_summary` renders
it).  SIGINT and SIGTERM only set a flag: the parent then stops the workers the same way, waits
for their final snapshots (killing stragglers after a grace period), and reports as usual.
Workers ignore SIGINT (a terminal's Ctrl-C reaches the whole process group), and so do their Go
helpers, which inherit the ignored disposition.

Resume.  "New" means new to the corpus: a second campaign over the same corpus reports a
finding saved by the first as known, so campaigns resume from ``corpus/`` without any state
of their own.
"""

from __future__ import annotations

import contextlib
import functools
import json
import math
import multiprocessing
import os
import queue as queue_mod
import random
import shutil
import signal
import sys
import tempfile
import threading
import time
import traceback
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from types import FrameType
from typing import Any, Final, Protocol, TextIO, TypeVar, cast

from oracle.parser.canonical import dump_trace
from oracle.diff.compare import Comparison, Verdict, compare, ties_possible
from oracle.diff.impls.go import outcome_from_helper, request_parse
from oracle.diff.impls.python import PythonImpl
from oracle.diff.outcome import Outcome, Status
from oracle.campaign.sources import v1_mutant
from oracle.parser.releases import reproduced
from oracle.parser.tracev1.parser import GO_SMALL_MAP_ORDERS
from oracle.harness.helper import GoHelper, HelperResult

__all__ = [
    "CampaignConfig",
    "Case",
    "CaseChecker",
    "CaseStats",
    "FindingStoreLike",
    "GenParams",
    "Impl",
    "NewFinding",
    "case_for_seed",
    "default_checker",
    "family",
    "format_summary",
    "run_campaign",
    "write_report",
]

_T = TypeVar("_T")

#: Signature prefix of a Go request that timed out: never minimized (each probe would hang).
_GO_TIMEOUT_PREFIX: Final = "go-crash:timeout"
#: How many more times Go is asked about a v1 trace on which it disagreed with the reference
#: (its v1 answers depend on map iteration order; see oracle.diff.compare.same_up_to_ties).
_V1_RETRIES: Final = 4
_GO125: Final = 25
#: The seed component that marks a v1 mutant case (``<seed>:<job>:<i>:v1:<k>``).
_V1_TAG: Final = "v1"
_EOF_LINE: Final = b'{"end":"EOF"}\n'
_ERROR_LINE: Final = b'{"end":"error",'


# --- the pieces a checker is made of -------------------------------------------------------


class Impl(Protocol):
    """A parser implementation: trace bytes in, :class:`Outcome` out (never raises)."""

    @property
    def name(self) -> str:
        """The implementation's name, as recorded in outcomes."""
        ...

    def run(self, data: bytes) -> Outcome:
        """Parse ``data`` completely."""
        ...


class FindingStoreLike(Protocol):
    """What the checker needs of :class:`oracle.campaign.findings.FindingStore`."""

    def is_known(self, signature: str) -> bool:
        """Whether the corpus already records this signature."""
        ...

    def save(
        self, data: bytes, comparison: Comparison, left: Outcome, right: Outcome, *,
        toolchain: str, mutations: list[str], seed: str | None, minimized: bytes | None,
    ) -> Path:
        """Save a finding atomically; return its directory."""
        ...


def _dump_bytes(data: bytes, go: str | None = None) -> bytes:
    """The reference parser's canonical JSON lines, as the Go helper writes them."""
    text = "\n".join(dump_trace(data, go=go))
    return text.encode("utf-8", "surrogateescape") + b"\n"


class _PythonTimeout(BaseException):
    """Raised by the SIGALRM handler; a BaseException so that ``except Exception`` misses it."""


def _on_alarm(signum: int, frame: FrameType | None) -> None:
    raise _PythonTimeout


class _HelperGo:
    """Go's parser through a :class:`GoHelper` the checker owns; also exposes raw output.

    :meth:`run` is :meth:`oracle.diff.impls.GoImpl.run` on the checker's own helper;
    :meth:`request` is the raw answer, used by the checker's fast path.
    """

    def __init__(self, helper: GoHelper, version: str) -> None:
        self.helper = helper
        self.name = f"go{version}"

    def request(self, data: bytes) -> HelperResult:
        """Run mode ``parse``; a broken protocol is reported as a crash, never raised."""
        return request_parse(self.helper, data)

    def outcome(self, res: HelperResult) -> Outcome:
        """The :class:`Outcome` for a raw answer."""
        return outcome_from_helper(self.name, res)

    def run(self, data: bytes) -> Outcome:
        """Parse ``data`` with Go."""
        return self.outcome(self.request(data))


class _TimedPython:
    """An :class:`Impl` view of the checker's Python side, with its timeout applied."""

    name = "python"

    def __init__(self, checker: CaseChecker) -> None:
        self._checker = checker

    def run(self, data: bytes) -> Outcome:
        """Parse ``data`` with the reference parser under the checker's timeout."""
        return self._checker._run_python(data)


# --- statistics ----------------------------------------------------------------------------


@dataclass(slots=True)
class NewFinding:
    """A divergence new to the corpus, as first saved by a checker."""

    signature: str
    verdict: str
    repro: str  # the finding's directory
    seed: str | None
    mutations: list[str]


@dataclass(slots=True)
class CaseStats:
    """Counters of one checker (cumulative); :meth:`merge` sums workers'."""

    cases: int = 0
    verdicts: Counter[str] = field(default_factory=Counter)
    go: Counter[str] = field(default_factory=Counter)  # by Status value
    python: Counter[str] = field(default_factory=Counter)
    signatures: Counter[str] = field(default_factory=Counter)  # divergent cases by signature
    new: list[NewFinding] = field(default_factory=list)
    known_cases: int = 0
    known_signatures: Counter[str] = field(default_factory=Counter)
    fast_path: int = 0
    minimize_errors: int = 0
    seconds_python: float = 0.0
    seconds_go: float = 0.0
    seconds_minimize: float = 0.0

    @property
    def go_accepted(self) -> int:
        """Cases Go accepted."""
        return self.go[Status.ACCEPTED.value]

    @property
    def go_rejected(self) -> int:
        """Cases Go rejected."""
        return self.go[Status.REJECTED.value]

    @property
    def new_signatures(self) -> list[str]:
        """Signatures of the new findings, in the order they were found."""
        return [f.signature for f in self.new]

    @property
    def known(self) -> int:
        """How many distinct known signatures were seen again."""
        return len(self.known_signatures)

    def to_json(self) -> dict[str, Any]:
        """A JSON-able snapshot (what workers send to the parent)."""
        # Not dataclasses.asdict: it rebuilds a Counter from (key, value) pairs, counting them.
        out: dict[str, Any] = {}
        for k in self.__dataclass_fields__:
            v = getattr(self, k)
            if isinstance(v, Counter):
                out[k] = dict(v)
            elif k == "new":
                out[k] = [asdict(f) for f in v]
            else:
                out[k] = v
        return out

    @classmethod
    def from_json(cls, obj: Mapping[str, Any]) -> CaseStats:
        """Inverse of :meth:`to_json`."""
        s = cls()
        for k, v in obj.items():
            cur = getattr(s, k)
            if isinstance(cur, Counter):
                setattr(s, k, Counter(v))
            elif k == "new":
                s.new = [NewFinding(**f) for f in v]
            else:
                setattr(s, k, v)
        return s

    def merge(self, other: CaseStats) -> None:
        """Add ``other``'s counters to these."""
        self.cases += other.cases
        self.known_cases += other.known_cases
        self.fast_path += other.fast_path
        self.minimize_errors += other.minimize_errors
        self.seconds_python += other.seconds_python
        self.seconds_go += other.seconds_go
        self.seconds_minimize += other.seconds_minimize
        for name in ("verdicts", "go", "python", "signatures", "known_signatures"):
            getattr(self, name).update(getattr(other, name))
        self.new.extend(other.new)


# --- the checker ---------------------------------------------------------------------------


class CaseChecker:
    """Runs one case through both parsers, compares, and keeps new findings.

    ``go_impl``/``py_impl`` replace the real implementations (dependency injection for tests
    and other harnesses); without them the checker starts its own Go helper from
    ``go_binary`` and uses :class:`PythonImpl`, which enables the fast path.  ``should_stop``
    is polled during minimization so that a stopping campaign is not held up by it.
    """

    def __init__(
        self,
        go_binary: Path,
        go_version: str,
        store: FindingStoreLike,
        *,
        timeout: float = 10.0,
        python_timeout: float = 10.0,
        minimize: bool = True,
        minimize_seconds: float = 30.0,
        go_impl: Impl | None = None,
        py_impl: Impl | None = None,
        should_stop: Callable[[], bool] | None = None,
    ) -> None:
        self.go_version = go_version
        self.store = store
        self.python_timeout = python_timeout
        self.minimize = minimize
        self.minimize_seconds = minimize_seconds
        self.stats = CaseStats()
        self._should_stop = should_stop or (lambda: False)
        self._helper: GoHelper | None = None
        self._fast_go: _HelperGo | None = None
        self._go: Impl
        if go_impl is None:
            self._helper = GoHelper(go_binary, timeout=timeout)
            self._fast_go = _HelperGo(self._helper, go_version)
            self._go = self._fast_go
        else:
            self._go = go_impl
        #: The release whose semantics the reference follows: Go's, when it is reproduced.
        self._semantics = reproduced(go_version)
        self._py: Impl = py_impl if py_impl is not None else PythonImpl(self._semantics)
        self._fast = go_impl is None and py_impl is None
        self._timed_py = _TimedPython(self)
        self._saved: set[str] = set()
        #: Python's canonical JSON lines of the last :meth:`check` (equal to Go's output when
        #: the fast path agreed), or None when they were not produced; for cheap feedback.
        self.last_output: bytes | None = None
        # SIGALRM only works in the main thread; elsewhere Python runs without a timeout.
        self._alarm = (
            python_timeout > 0 and hasattr(signal, "setitimer")
            and threading.current_thread() is threading.main_thread()
        )
        self._old_alarm: Any = None
        if self._alarm:
            self._old_alarm = signal.signal(signal.SIGALRM, _on_alarm)

    # --- lifecycle ---

    @property
    def go_pid(self) -> int | None:
        """Process ID of the Go helper, when the checker owns one and it is running."""
        return self._helper.pid if self._helper is not None else None

    def close(self) -> None:
        """Stop the Go helper and restore the SIGALRM handler."""
        if self._helper is not None:
            self._helper.close()
        close = getattr(self._go, "close", None)
        if self._helper is None and callable(close):
            close()
        if self._alarm:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, self._old_alarm)
            self._alarm = False

    def __enter__(self) -> CaseChecker:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- running the two sides ---

    def _timed(self, fn: Callable[[bytes], _T], data: bytes) -> _T:
        """``fn(data)`` under the Python timeout (raises :class:`_PythonTimeout`)."""
        if not self._alarm:
            return fn(data)
        signal.setitimer(signal.ITIMER_REAL, self.python_timeout)
        try:
            return fn(data)
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)

    def _timeout_outcome(self) -> Outcome:
        return Outcome(self._py.name, Status.TIMEOUT, (), f"no result in {self.python_timeout:g} s")

    def _run_python(self, data: bytes) -> Outcome:
        """The Python outcome, with ``Status.TIMEOUT`` when it runs out of time."""
        try:
            return self._timed(self._py.run, data)
        except _PythonTimeout:
            return self._timeout_outcome()

    def _python_lines(self, data: bytes) -> bytes | Outcome | None:
        """Python's canonical JSON lines; an Outcome on timeout; None if anything raised."""
        try:
            return self._timed(functools.partial(_dump_bytes, go=self._semantics), data)
        except _PythonTimeout:
            return self._timeout_outcome()
        except Exception:  # noqa: BLE001 - the full path reports it as an outcome
            return None

    def _compare(self, data: bytes) -> tuple[Comparison, Outcome | None, Outcome | None, str, str]:
        """(comparison, python outcome, go outcome, python status, go status).

        Outcomes are None only on the fast path, where both sides agree."""
        st = self.stats
        t0 = time.perf_counter()
        py: Outcome | None = None
        lines: bytes | Outcome | None = None
        if self._fast:
            lines = self._python_lines(data)
            if isinstance(lines, Outcome):
                py = lines
            self.last_output = lines if isinstance(lines, bytes) else None
        else:
            py = self._run_python(data)
            self.last_output = None
        t1 = time.perf_counter()
        st.seconds_python += t1 - t0
        if self._fast_go is not None:
            res = self._fast_go.request(data)
            t2 = time.perf_counter()
            st.seconds_go += t2 - t1
            if (isinstance(lines, bytes) and res.outcome == "ok" and res.output == lines
                    and b'"panics":' not in lines):
                if lines.endswith(_EOF_LINE):
                    st.fast_path += 1
                    return Comparison(Verdict.AGREE, "agree"), None, None, "accepted", "accepted"
                if lines[lines.rfind(b"\n", 0, -1) + 1:].startswith(_ERROR_LINE):
                    st.fast_path += 1
                    return Comparison(Verdict.AGREE, "agree"), None, None, "rejected", "rejected"
            go = self._fast_go.outcome(res)
        else:
            go = self._go.run(data)
            st.seconds_go += time.perf_counter() - t1
        if py is None:
            t3 = time.perf_counter()
            py = self._run_python(data)
            st.seconds_python += time.perf_counter() - t3
        ties = ties_possible(data)
        c = compare(py, go, ties=ties)
        if ties and not c.agree:
            alt = self._v1_alternative(data, py, go)
            if alt is not None:
                return alt
        return c, py, go, py.status.value, go.status.value

    def _v1_alternative(
        self, data: bytes, py: Outcome, go: Outcome
    ) -> tuple[Comparison, Outcome, Outcome, str, str] | None:
        """An agreeing pair for a v1 trace under another of Go's map orders, if there is one.

        Go's v1 answer (its error, and beyond what ``compare(ties=True)`` tolerates, its
        events) depends on the order its map iteration picked.  Go is asked again
        (``_V1_RETRIES``), and the reference is run under each of Go's other possible orders of
        the Ps (``GO_SMALL_MAP_ORDERS`` rotations); any agreeing pair means the reference
        produced one of Go's possible answers.
        """
        gos = [go]
        for _ in range(_V1_RETRIES):
            again = self._go.run(data)
            if compare(py, again, ties=True).agree:
                return compare(py, again, ties=True), py, again, py.status.value, again.status.value
            gos.append(again)
        if not isinstance(self._py, PythonImpl):
            return None
        for r in range(1, GO_SMALL_MAP_ORDERS):
            try:
                alt = self._timed(functools.partial(self._py.run, v1_proc_rotation=r), data)
            except _PythonTimeout:
                return None
            for g in gos:
                c = compare(alt, g, ties=True)
                if c.agree:
                    return c, alt, g, alt.status.value, g.status.value
        return None

    # --- the public step ---

    def check(self, data: bytes, *, mutations: Sequence[str] = (), seed: str | None = None) -> Comparison:
        """Check one case: compare, count, and save it if it is a new divergence."""
        c, py, go, py_status, go_status = self._compare(data)
        st = self.stats
        st.cases += 1
        st.verdicts[c.verdict.value] += 1
        st.go[go_status] += 1
        st.python[py_status] += 1
        if c.agree:
            return c
        assert py is not None and go is not None
        st.signatures[c.signature] += 1
        if c.signature in self._saved:
            return c
        if self._is_known(c):
            st.known_cases += 1
            st.known_signatures[c.signature] += 1
            return c
        self._saved.add(c.signature)
        path = self._save(data, c, py, go, list(mutations), seed)
        st.new.append(NewFinding(c.signature, c.verdict.value, str(path), seed, list(mutations)))
        return c

    def _is_known(self, c: Comparison) -> bool:
        from oracle.campaign.findings import is_known_nondeterminism

        return is_known_nondeterminism(c) or self.store.is_known(c.signature)

    def _save(self, data: bytes, c: Comparison, py: Outcome, go: Outcome,
              mutations: list[str], seed: str | None) -> Path:
        """Save the finding as found, then (maybe) minimized; return its directory."""
        toolchain = self.go_version
        path = self.store.save(data, c, py, go, toolchain=toolchain, mutations=mutations,
                               seed=seed, minimized=None)
        if not self.minimize or c.verdict is Verdict.PYTHON_TIMEOUT \
                or c.signature.startswith(_GO_TIMEOUT_PREFIX):
            return path
        t0 = time.perf_counter()
        try:
            small = self._minimized(data, c)
        except Exception:  # noqa: BLE001 - a minimizer bug must not cost the finding
            self.stats.minimize_errors += 1
            return path
        finally:
            self.stats.seconds_minimize += time.perf_counter() - t0
        if small is None or len(small) >= len(data):
            return path
        last = self.last_output
        c2, py2, go2, _, _ = self._compare(small)
        self.last_output = last
        if c2.signature != c.signature or py2 is None or go2 is None:
            return path  # flaky: keep the original
        return self.store.save(data, c2, py2, go2, toolchain=toolchain, mutations=mutations,
                               seed=seed, minimized=small)

    def _minimized(self, data: bytes, c: Comparison) -> bytes | None:
        from oracle.diff.minimize import minimize, signature_predicate

        pred = signature_predicate(c.signature, cast(Any, self._go), cast(Any, self._timed_py))
        stop = self._should_stop

        def keep(candidate: bytes) -> bool:
            return not stop() and pred(candidate)

        return minimize(data, keep, deadline=time.monotonic() + self.minimize_seconds)


# --- case generation -----------------------------------------------------------------------


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
    # v1 mutants only for releases whose semantics the reference reproduces (1.25 and later:
    # their versions include 25, or are all of them); 1.22 rejects v1 input outright and
    # 1.23/1.24 read it with the older oldtrace package.
    reproduced_release = params.versions is None or _GO125 in params.versions
    for k in range(params.v1_mutants if reproduced_release else 0):
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


# --- the campaign --------------------------------------------------------------------------


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
    gen: GenParams = GenParams()
    engine: str = "hypothesis"
    #: Builds a worker's checker: ``(config, job, should_stop) -> CaseChecker`` (module level,
    #: so that it pickles).
    checker_factory: Callable[[CampaignConfig, int, Callable[[], bool]], CaseChecker] | None = None
    progress: bool = True
    stats_interval: float = 0.25
    grace: float | None = None  # seconds to wait for workers after stopping; None: timeout + 5


def default_checker(config: CampaignConfig, job: int, should_stop: Callable[[], bool]) -> CaseChecker:
    """The real checker: Go helper, reference parser, the corpus' finding store."""
    from oracle.campaign.findings import FindingStore

    store = FindingStore(config.corpus) if config.corpus is not None else FindingStore()
    return CaseChecker(
        config.go_binary, config.go_version, store, timeout=config.timeout,
        python_timeout=config.python_timeout, minimize=config.minimize,
        minimize_seconds=config.minimize_seconds, should_stop=should_stop,
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
        q.put(("error", job, traceback.format_exc()))
        q.put(("done", job, CaseStats().to_json(), 0, None))
        return
    quota = _quota(config, job)
    model = _model(config.gen)
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
                    q.put(("finding", job, asdict(f)))
                now = time.monotonic()
                if now - last_sent >= config.stats_interval:
                    q.put(("stats", job, st.to_json()))
                    last_sent = now
                    if os.getppid() != parent:  # orphaned (the parent was killed): stop
                        stop.set()
    except Exception:  # noqa: BLE001
        q.put(("error", job, traceback.format_exc()))
    finally:
        checker.close()
        q.put(("done", job, st.to_json(), gen_errors, first_gen_error))


class _Progress:
    """The live status line: self-overwriting on a terminal, a line per ``interval`` otherwise."""

    def __init__(self, stream: TextIO, *, enabled: bool, interval: float = 10.0) -> None:
        self.stream = stream
        self.enabled = enabled
        self.tty = enabled and stream.isatty()
        self.interval = 0.25 if self.tty else interval
        self._last = time.monotonic()
        self._shown = False

    def update(self, line: str, *, force: bool = False) -> None:
        """Show ``line`` if it is time to."""
        if not self.enabled:
            return
        now = time.monotonic()
        if not force and now - self._last < self.interval:
            return
        self._last = now
        if self.tty:
            width = shutil.get_terminal_size((100, 20)).columns
            self.stream.write("\r" + line[: width - 1] + "\033[K")
            self._shown = True
        else:
            self.stream.write(line + "\n")
        self.stream.flush()

    def clear(self) -> None:
        """Remove the status line from a terminal."""
        if self._shown:
            self.stream.write("\r\033[K")
            self.stream.flush()
            self._shown = False


def _progress_line(elapsed: float, stats: CaseStats, new: Mapping[str, Any]) -> str:
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


def run_campaign(config: CampaignConfig, *, err: TextIO | None = None) -> dict[str, Any]:
    """Run a campaign to its limit (or a signal) and return the report."""
    err = err if err is not None else sys.stderr
    if config.jobs < 1:
        raise ValueError("jobs must be at least 1")
    ctx = multiprocessing.get_context("spawn")
    q: Any = ctx.Queue()
    stop: Any = ctx.Event()
    progress = _Progress(err, enabled=config.progress)
    grace = config.grace if config.grace is not None else config.timeout + 5.0
    signals: list[int] = []
    snapshots: dict[int, CaseStats] = {}
    new: dict[str, dict[str, Any]] = {}
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

    def handle(msg: tuple[Any, ...]) -> None:
        nonlocal first_stats, gen_errors, gen_error_sample
        kind, job = msg[0], msg[1]
        if kind in ("stats", "done"):
            snapshots[job] = CaseStats.from_json(msg[2])
            if first_stats is None and snapshots[job].cases:
                first_stats = time.monotonic()
        if kind == "finding":
            f = msg[2]
            new.setdefault(f["signature"], f)
        elif kind == "error":
            worker_errors.append(f"job {job}: {msg[2]}")
        elif kind == "done":
            done.add(job)
            gen_errors += msg[3]
            gen_error_sample = gen_error_sample or msg[4]
            for f in snapshots[job].new:
                new.setdefault(f.signature, asdict(f))

    procs = [ctx.Process(target=_worker_main, args=(job, config, q, stop), name=f"fuzz-{job}",
                         daemon=True) for job in range(config.jobs)]
    with _stop_signals(signals):
        with _sigint_ignored():
            for p in procs:
                p.start()
        try:
            while len(done) < len(procs):
                now = time.monotonic()
                if stopped_at is None and (signals or now >= deadline):
                    stop.set()
                    stopped_at = now
                if stopped_at is not None and now - stopped_at > grace:
                    break
                try:
                    handle(q.get(timeout=0.1))
                except queue_mod.Empty:
                    if all(not p.is_alive() for p in procs):
                        break  # every worker is gone; whatever they sent has been read
                progress.update(_progress_line(now - t0, total(), new))
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
    return _report(config, stats, new, seconds, started, signals, worker_errors,
                   gen_errors, gen_error_sample, (first_stats - t0) if first_stats else None)


def _report(config: CampaignConfig, stats: CaseStats, new: Mapping[str, Mapping[str, Any]],
            seconds: float, started: datetime, signals: Sequence[int], worker_errors: list[str],
            gen_errors: int, gen_error_sample: str | None, startup: float | None) -> dict[str, Any]:
    """The campaign report (the keys ``make fuzz``'s consumers rely on come first)."""
    known = {s: n for s, n in sorted(stats.known_signatures.items()) if s not in new}
    divergences = [
        {"signature": sig, "class": f["verdict"], "repro": f["repro"],
         "cases": stats.signatures.get(sig, 1), "seed": f["seed"], "mutations": f["mutations"]}
        for sig, f in new.items()
    ]
    return {
        "cases": stats.cases,
        "seconds": round(seconds, 3),
        "cases_per_second": round(stats.cases / seconds, 1) if seconds > 0 else 0.0,
        "divergences": divergences,
        "known": len(known),
        "known_cases": sum(known.values()),
        "known_signatures": known,
        "verdicts": dict(sorted(stats.verdicts.items())),
        "go": dict(sorted(stats.go.items())),
        "python": dict(sorted(stats.python.items())),
        "engine": config.engine,
        "toolchain": config.go_version,
        "seed": config.seed,
        "jobs": config.jobs,
        "limit": {"time": config.time_limit, "max_examples": config.max_examples},
        "generator": {"max_events": config.gen.max_events,
                      "max_generations": config.gen.max_generations,
                      "versions": list(config.gen.versions) if config.gen.versions else None,
                      "mutants_per_valid": config.gen.mutants},
        "minimize": config.minimize,
        "interrupted": signal.Signals(signals[0]).name if signals else None,
        "started": started.isoformat(timespec="seconds"),
        "startup_seconds": round(startup, 3) if startup is not None else None,
        "fast_path_cases": stats.fast_path,
        "minimize_errors": stats.minimize_errors,
        "cpu_seconds": {"python": round(stats.seconds_python, 3), "go": round(stats.seconds_go, 3),
                        "minimize": round(stats.seconds_minimize, 3)},
        "generator_errors": gen_errors,
        "generator_error_sample": gen_error_sample,
        "worker_errors": worker_errors,
    }


def write_report(path: Path | str, report: Mapping[str, Any]) -> None:
    """Write ``report`` as JSON atomically: a temporary file in the same directory, fsync,
    rename over ``path``."""
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{p.name}.", suffix=".tmp", dir=p.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(report, f, indent=1, ensure_ascii=False)
            f.write("\n")
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, p)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def format_summary(report: Mapping[str, Any]) -> str:
    """A human-readable summary of a report (what ``fuzz`` prints at the end)."""
    lines = [
        f"fuzz: {report['cases']:,} cases in {report['seconds']:.1f} s "
        f"({report['cases_per_second']:,.0f}/s); engine {report.get('engine', '?')}, "
        f"{report.get('jobs', '?')} jobs, go {report.get('toolchain', '?')}, "
        f"seed {report.get('seed', '?')}"
        + (f"; interrupted by {report['interrupted']}" if report.get("interrupted") else ""),
    ]
    go = report.get("go") or {}
    if go:
        lines.append("  go: " + ", ".join(f"{n:,} {k}" for k, n in go.items()))
    verdicts = report.get("verdicts") or {}
    if verdicts:
        lines.append("  verdicts: " + ", ".join(f"{k} {n:,}" for k, n in verdicts.items()))
    divs = report.get("divergences") or []
    lines.append(f"  new divergences: {len(divs)}")
    for d in divs:
        lines.append(f"    [{d['class']}] {d['signature']}  ({d.get('cases', 1)} cases)")
        lines.append(f"      repro: {d['repro']}")
    known = report.get("known_signatures") or {}
    lines.append(f"  known signatures seen again: {report.get('known', len(known))}"
                 f" ({report.get('known_cases', sum(known.values())):,} cases)")
    for sig, n in known.items():
        lines.append(f"    {sig}  x{n}")
    if report.get("minimize_errors"):
        lines.append(f"  minimizer errors: {report['minimize_errors']} (findings kept unminimized)")
    if report.get("generator_errors"):
        lines.append(f"  generator errors: {report['generator_errors']} (first below)")
        lines.append("    " + str(report.get("generator_error_sample") or "").strip().replace("\n", "\n    "))
    for e in report.get("worker_errors") or []:
        lines.append("  worker error: " + str(e).strip().replace("\n", "\n    "))
    return "\n".join(lines)
