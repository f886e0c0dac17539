"""One case through both parsers: compare, classify, keep what is new.

The campaign engines (:mod:`oracle.campaign.hypothesis_engine`, :mod:`oracle.campaign.atheris_engine`)
run one :class:`CaseChecker` per worker process; this module is what they share.

Theory of operation
===================

A campaign is a parent process and ``jobs`` worker processes (``multiprocessing`` with the
``spawn`` start method, so that no helper pipe, lock or signal handler leaks across a fork).

Workers.  Each worker owns one :class:`CaseChecker`, which owns one persistent Go helper
(:class:`oracle.harness.helper.GoHelper`).  Its engine feeds it cases (:mod:`oracle.campaign.hypothesis_engine` draws them in families
from the strategies' model, with byte mutants of real v1 traces).  Every
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
outcome, :func:`~oracle.diff.compare`), which decides every verdict.  Most generated
cases take the fast path (``docs/benchmarks.md``, "Differential throughput", has the share).

``Event.String()`` is the second oracle: on every ``strings_every``-th case (default: every
case) the Python side also renders each event with ``go_string()`` in the same pass
(:func:`oracle.parser.canonical.dump_and_strings`) and Go answers the ``parse-string`` mode, its
canonical lines followed by its ``go-string`` lines, in one request; the fast path compares both
parts as bytes.  Texts that differ where the events agree are a ``string-mismatch``
finding, minimized like any other (the minimizer's runs always include ``String()``).
``docs/benchmarks.md`` gives the throughput cost.

Timeouts.  Python gets ``python_timeout`` seconds per parse, enforced with ``SIGALRM``
(``signal.setitimer``) in the worker's main thread: the handler raises a private
``BaseException`` that the parser's ``except Exception`` cannot swallow, which becomes
``Status.TIMEOUT`` and so ``python-timeout``.  (Off the main thread there is no Python timeout.)
Go's timeout is the helper's: a request that outlives it kills the helper, a helper that dies
mid-request is a crash; both become ``go-crash`` findings and the next request starts a fresh
helper.
"""

from __future__ import annotations

import functools
import gc
import signal
import threading
import time
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from types import FrameType
from typing import Any, Final, Literal, Protocol, TypeVar, cast

from oracle.parser.canonical import dump_and_strings
from oracle.parser.event import Event
from oracle.diff.compare import Comparison, Verdict, compare, ties_possible
from oracle.diff.impls.go import outcome_from_helper, request_parse
from oracle.diff.impls.python import PythonImpl
from oracle.diff.outcome import Outcome, Status
from oracle.parser.releases import CURRENT, reproduced
from oracle.parser.tracev1.parser import GO_SMALL_MAP_ORDERS
from oracle.harness.helper import GoHelper, HelperResult
from oracle.heap.campaign import (
    HEAP_ERROR,
    HEAP_NONE,
    HEAP_TIMEOUT,
    HEAP_UNEXPECTED,
    HeapCaseVerdict,
    heap_verdict,
    verdict_of,
)
from oracle.heap.replay import RELEVANT_TYPES, HeapReplay

__all__ = [
    "CampaignChecker",
    "CaseChecker",
    "CaseStats",
    "FindingStoreLike",
    "Impl",
    "NewFinding",
    "WorkerMessage",
    "freeze_startup_objects",
]

_T = TypeVar("_T")

#: Signature prefix of a Go request that timed out: never minimized (each probe would hang).
_GO_TIMEOUT_PREFIX: Final = "go-crash:timeout"
#: How many more times Go is asked about a v1 trace on which it disagreed with the reference
#: (its v1 answers depend on map iteration order; see oracle.diff.compare.same_up_to_ties).
_V1_RETRIES: Final = 4
_EOF_LINE: Final = b'{"end":"EOF"}\n'
_ERROR_LINE: Final = b'{"end":"error",'


# --- the pieces a checker is made of -------------------------------------------------------


def freeze_startup_objects() -> None:
    """Move everything a worker built before its first case (modules, the strategies'
    models, the checker) out of the cyclic collector's sight, so that the collections a
    campaign triggers stay cheap (both engines call it once, then check cases)."""
    gc.collect()
    gc.freeze()


class Impl(Protocol):
    """A parser implementation: trace bytes in, :class:`Outcome` out (never raises)."""

    @property
    def name(self) -> str:
        """The implementation's name, as recorded in outcomes."""
        ...

    def run(self, data: bytes) -> Outcome:
        """Parse ``data`` completely."""
        ...


class CampaignChecker(Protocol):
    """What a campaign worker drives: :class:`CaseChecker`, or a cross-release campaign's
    :class:`oracle.campaign.crossrelease.CrossReleaseChecker`."""

    stats: CaseStats

    def check(self, data: bytes, *, mutations: Sequence[str] = (), seed: str | None = None) -> object:
        """Check one case; count it in :attr:`stats` and keep what is new."""
        ...

    def close(self) -> None:
        """Stop the helpers."""
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
    return dump_and_strings(data, go=go, strings=False)[0]


class _SharedHeap:
    """The heap oracle's replay of one case, fed by the differential's parse
    (:meth:`CaseChecker._python_lines`).  A bug in the replay must not break the parse it
    rides on: the first exception is kept as the case's ``heap-error`` and feeding stops."""

    __slots__ = ("replay", "error", "timed_out")

    def __init__(self) -> None:
        self.replay: HeapReplay | None = HeapReplay(max_examples=0, top=0)
        self.error: str | None = None
        self.timed_out = False

    def observe(self, i: int, ev: Event) -> None:
        """Feed event number ``i`` (never raises)."""
        if self.replay is None:
            return
        try:
            self.replay.observe(i, ev)
        except Exception as e:  # noqa: BLE001 - reported as heap-error
            self.error = f"{type(e).__name__}: {e}"
            self.replay = None


class _PythonTimeout(BaseException):
    """Raised by the SIGALRM handler; a BaseException so that ``except Exception`` misses it."""


def _on_alarm(signum: int, frame: FrameType | None) -> None:
    raise _PythonTimeout


class _HelperGo:
    """Go's parser through a :class:`GoHelper` the checker owns; also exposes raw output.

    :meth:`run` is :meth:`oracle.diff.impls.GoImpl.run` (``String()`` included, so that the
    minimizer reproduces string mismatches) on the checker's own helper; :meth:`request` is the
    raw answer, used by the checker's fast path.
    """

    def __init__(self, helper: GoHelper, version: str) -> None:
        self.helper = helper
        self.name = f"go{version}"

    def request(self, data: bytes, strings: bool) -> HelperResult:
        """Run mode ``parse`` or ``parse-string``; a broken protocol is reported as a crash."""
        return request_parse(self.helper, data, strings=strings)

    def outcome(self, res: HelperResult, strings: bool) -> Outcome:
        """The :class:`Outcome` for a raw answer."""
        return outcome_from_helper(self.name, res, strings=strings)

    def run(self, data: bytes) -> Outcome:
        """Parse ``data`` with Go."""
        return self.outcome(self.request(data, True), True)


class _TimedPython:
    """An :class:`Impl` view of the checker's Python side, with its timeout applied."""

    name = "python"

    def __init__(self, checker: CaseChecker) -> None:
        self._checker = checker

    def run(self, data: bytes) -> Outcome:
        """Parse ``data`` with the reference parser under the checker's timeout."""
        return self._checker._run_python(data, True)


# --- statistics ----------------------------------------------------------------------------


@dataclass(slots=True)
class NewFinding:
    """A divergence new to the corpus, as first saved by a checker."""

    signature: str
    verdict: str
    repro: str  # the finding's directory
    seed: str | None
    mutations: list[str]
    #: Cross-release campaigns (oracle.campaign.crossrelease): the release whose reference
    #: comparison found it, or ``"<old>-><new>"`` for a release change; and the one command
    #: that replays it (with the ``--go`` list).  None in single-release campaigns.
    release: str | None = None
    command: str | None = None


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
    mutations: Counter[str] = field(default_factory=Counter)  # cases by applied mutation name
    fast_path: int = 0
    strings_checked: int = 0  # cases whose Event.String() texts were compared too
    minimize_errors: int = 0
    seconds_python: float = 0.0
    seconds_go: float = 0.0
    seconds_minimize: float = 0.0
    # The AllocFree heap oracle (oracle.heap.campaign): verdict class -> cases, rule -> cases,
    # and the seeds of the first cases judged heap-unexpected or heap-error.
    heap: Counter[str] = field(default_factory=Counter)
    heap_rules: Counter[str] = field(default_factory=Counter)
    heap_samples: list[str] = field(default_factory=list)
    seconds_heap: float = 0.0
    #: Cross-release campaigns: the counters of each release (reference vs that release's Go,
    #: or Go alone) and of each compared pair ``"<old>-><new>"`` (Go vs Go); empty otherwise.
    lanes: dict[str, CaseStats] = field(default_factory=dict)

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
            elif k == "lanes":
                out[k] = {name: lane.to_json() for name, lane in v.items()}
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
            elif k == "lanes":
                s.lanes = {name: cls.from_json(lane) for name, lane in v.items()}
            else:
                setattr(s, k, v)
        return s

    def merge(self, other: CaseStats) -> None:
        """Add ``other``'s counters to these."""
        self.cases += other.cases
        self.known_cases += other.known_cases
        self.fast_path += other.fast_path
        self.strings_checked += other.strings_checked
        self.minimize_errors += other.minimize_errors
        self.seconds_python += other.seconds_python
        self.seconds_go += other.seconds_go
        self.seconds_minimize += other.seconds_minimize
        self.seconds_heap += other.seconds_heap
        for name in ("verdicts", "go", "python", "signatures", "known_signatures", "heap", "heap_rules",
                     "mutations"):
            getattr(self, name).update(getattr(other, name))
        self.new.extend(other.new)
        self.heap_samples.extend(other.heap_samples[: max(0, 10 - len(self.heap_samples))])
        for name, lane in other.lanes.items():
            self.lanes.setdefault(name, CaseStats()).merge(lane)


@dataclass(frozen=True, slots=True)
class WorkerMessage:
    """What a campaign worker tells its parent: a cumulative statistics snapshot (``stats``),
    a finding as soon as it is saved (``finding``), an engine error (``error``), and a final
    snapshot with the generator's error count (``done``).  The Hypothesis-model engine sends
    these over a ``multiprocessing`` queue; the atheris engine writes them as JSON lines."""

    kind: Literal["stats", "finding", "error", "done"]
    job: int
    stats: CaseStats | None = None
    finding: NewFinding | None = None
    error: str | None = None
    generator_errors: int = 0
    generator_error_sample: str | None = None
    #: The atheris engine's extras: the worker's own elapsed seconds and its mutator counts.
    seconds: float | None = None
    mutator: Mapping[str, int] | None = None

    def to_json(self) -> dict[str, Any]:
        """A JSON-able record."""
        out: dict[str, Any] = {"type": self.kind, "job": self.job}
        if self.stats is not None:
            out["stats"] = self.stats.to_json()
        if self.finding is not None:
            out["finding"] = asdict(self.finding)
        if self.error is not None:
            out["traceback"] = self.error
        if self.kind == "done":
            out["generator_errors"] = self.generator_errors
            out["generator_error_sample"] = self.generator_error_sample
        if self.seconds is not None:
            out["seconds"] = self.seconds
        if self.mutator is not None:
            out["mutator"] = dict(self.mutator)
        return out

    @classmethod
    def from_json(cls, obj: Mapping[str, Any]) -> WorkerMessage:
        """Inverse of :meth:`to_json`."""
        st, f = obj.get("stats"), obj.get("finding")
        return cls(
            kind=obj["type"], job=int(obj.get("job", 0)),
            stats=CaseStats.from_json(st) if st is not None else None,
            finding=NewFinding(**f) if f is not None else None,
            error=obj.get("traceback"),
            generator_errors=int(obj.get("generator_errors") or 0),
            generator_error_sample=obj.get("generator_error_sample"),
            seconds=obj.get("seconds"), mutator=obj.get("mutator"),
        )


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
        strings_every: int = 1,
        valid_unless_mutated: bool = True,
        heap: bool = True,
    ) -> None:
        self.go_version = go_version
        #: Whether :meth:`check` runs the heap oracle too (a cross-release campaign runs it
        #: once per case, not once per release).
        self.heap = heap
        #: Whether a case checked without mutations is a valid generated trace (the heap
        #: oracle's ``heap-unexpected``); False for inputs of unknown provenance (atheris).
        self.valid_unless_mutated = valid_unless_mutated
        #: Compare ``Event.String()`` too on every ``strings_every``-th case (0: never).  Only
        #: the real implementations have it; injected ones compare the canonical dump only.
        self.strings_every = strings_every
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
        self._py_strings: Impl | None = (PythonImpl(self._semantics, strings=True)
                                         if py_impl is None else None)
        self._fast = go_impl is None and py_impl is None
        #: The heap oracle reads the case from the differential's parse (see _heap_observer).
        self._heap_shares_parse = self._fast and self._semantics in (None, CURRENT.version)
        self._shared_heap: _SharedHeap | None = None
        self._timed_py = _TimedPython(self)
        self._saved: set[str] = set()
        self._last_strings = False  # whether the last _compare checked String() too
        #: Python's canonical JSON lines of the last :meth:`check` (equal to Go's output when
        #: the fast path agreed), or None when they were not produced; for cheap feedback.
        self.last_output: bytes | None = None
        #: Go's answer in the last :meth:`check`: the helper's raw answer on the fast path (so
        #: that a cross-release campaign compares releases' bytes before decoding anything),
        #: else the outcome that was compared.
        self.last_go: HelperResult | Outcome | None = None
        #: Whether the last :meth:`check` asked for ``Event.String()`` too.
        self.last_strings = False
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

    def _run_python(self, data: bytes, strings: bool) -> Outcome:
        """The Python outcome, with ``Status.TIMEOUT`` when it runs out of time."""
        impl = self._py_strings if strings and self._py_strings is not None else self._py
        try:
            return self._timed(impl.run, data)
        except _PythonTimeout:
            return self._timeout_outcome()

    def _python_lines(self, data: bytes, strings: bool) -> tuple[bytes, bytes] | Outcome | None:
        """Python's canonical JSON lines and ``String()`` lines (empty unless ``strings``); an
        Outcome on timeout; None if anything raised.

        When the heap oracle can share this parse (:meth:`_heap_observer`), the parse feeds
        its replay as it goes: one parse per case instead of two."""
        observe = self._heap_observer()
        try:
            return self._timed(functools.partial(
                dump_and_strings, go=self._semantics, strings=strings, observe=observe,
                observe_types=RELEVANT_TYPES), data)
        except _PythonTimeout:
            if self._shared_heap is not None:
                self._shared_heap.timed_out = True
            return self._timeout_outcome()
        except Exception:  # noqa: BLE001 - the full path reports it as an outcome
            self._shared_heap = None  # judged by its own parse instead
            return None

    def _heap_observer(self) -> Callable[[int, Event], None] | None:
        """A fresh replay for this case's heap verdict, fed by the differential's own parse,
        when that parse reads the events the heap oracle reads (the pinned release's: other
        releases place Sync events differently, so their cases keep a parse of their own)."""
        self._shared_heap = None
        if not self.heap or not self._heap_shares_parse:
            return None
        shared = self._shared_heap = _SharedHeap()
        return shared.observe

    def _compare(self, data: bytes, strings: bool | None = None,
                 ) -> tuple[Comparison, Outcome | None, Outcome | None, str, str]:
        """(comparison, python outcome, go outcome, python status, go status).

        Outcomes are None only on the fast path, where both sides agree."""
        st = self.stats
        every = self.strings_every
        if strings is None:
            strings = every > 0 and st.cases % every == 0
        strings = strings and self._fast
        self._last_strings = strings
        t0 = time.perf_counter()
        py: Outcome | None = None
        out: tuple[bytes, bytes] | Outcome | None = None
        if self._fast:
            out = self._python_lines(data, strings)
            if isinstance(out, Outcome):
                py = out
            self.last_output = out[0] if isinstance(out, tuple) else None
        else:
            self._shared_heap = None
            py = self._run_python(data, False)
            self.last_output = None
        t1 = time.perf_counter()
        st.seconds_python += t1 - t0
        if self._fast_go is not None:
            res = self._fast_go.request(data, strings)
            self.last_go = res
            t2 = time.perf_counter()
            st.seconds_go += t2 - t1
            if isinstance(out, tuple) and res.outcome == "ok" and b'"panics":' not in out[0]:
                lines, text = out
                if res.output.startswith(lines) and res.output[len(lines):] == text:
                    if lines.endswith(_EOF_LINE):
                        st.fast_path += 1
                        return Comparison(Verdict.AGREE, "agree"), None, None, "accepted", "accepted"
                    if lines[lines.rfind(b"\n", 0, -1) + 1:].startswith(_ERROR_LINE):
                        st.fast_path += 1
                        return Comparison(Verdict.AGREE, "agree"), None, None, "rejected", "rejected"
            go = self._fast_go.outcome(res, strings)
        else:
            go = self._go.run(data)
            self.last_go = go
            st.seconds_go += time.perf_counter() - t1
        if py is None:
            t3 = time.perf_counter()
            py = self._run_python(data, strings)
            st.seconds_python += time.perf_counter() - t3
        ties = ties_possible(data, self._semantics)
        c = compare(py, go, ties=ties)
        # A Go panic is a finding in whatever order Go's map handed out the events, and no
        # order makes it agree: looking for one would only cost a dozen parses per case.
        if ties and not c.agree and c.verdict is not Verdict.GO_PANIC:
            alt = self._v1_alternative(data, py, go)
            if alt is not None:
                self.last_go = alt[2]
                return alt
        return c, py, go, py.status.value, go.status.value

    def _v1_alternative(
        self, data: bytes, py: Outcome, go: Outcome
    ) -> tuple[Comparison, Outcome, Outcome, str, str] | None:
        """An agreeing pair for a v1 trace (or, under Go 1.23's semantics, any trace: its
        frontier is built in map order) under another of Go's map orders, if there is one.

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
        # A v1 trace's Ps, or (Go 1.23, a v2 trace) each generation's Ms in the frontier.
        v1 = ties_possible(data)
        for r in range(1, GO_SMALL_MAP_ORDERS):
            run = (functools.partial(self._py.run, v1_proc_rotation=r) if v1
                   else functools.partial(self._py.run, frontier_rotation=r))
            try:
                alt = self._timed(run, data)
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
        st.strings_checked += self._last_strings
        self.last_strings = self._last_strings
        st.verdicts[c.verdict.value] += 1
        st.go[go_status] += 1
        st.python[py_status] += 1
        st.mutations.update(mutations or ("(none)",))
        if self.heap:
            self._check_heap(data, mutations, seed)
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

    def _check_heap(self, data: bytes, mutations: Sequence[str], seed: str | None,
                    into: CaseStats | None = None) -> None:
        """The extra oracle: the AllocFree heap rules (oracle.heap.campaign), its own verdicts
        (counted in ``into``, by default this checker's statistics)."""
        st = into if into is not None else self.stats
        t0 = time.perf_counter()
        shared, self._shared_heap = self._shared_heap, None
        if shared is not None:
            hv = self._shared_verdict(shared, mutations)
        else:
            try:
                hv = self._timed(lambda d: heap_verdict(
                    d, mutations, valid_unless_mutated=self.valid_unless_mutated), data)
            except _PythonTimeout:
                hv = HeapCaseVerdict(HEAP_TIMEOUT)
        st.seconds_heap += time.perf_counter() - t0
        st.heap[hv.verdict] += 1
        st.heap_rules.update(hv.rules)
        if hv.verdict in (HEAP_UNEXPECTED, HEAP_ERROR, HEAP_TIMEOUT) and len(st.heap_samples) < 10:
            st.heap_samples.append(f"{hv.verdict} seed={seed} {hv.error or ','.join(hv.rules)}")

    def _shared_verdict(self, shared: _SharedHeap, mutations: Sequence[str]) -> HeapCaseVerdict:
        """The heap verdict of a replay the differential's parse fed."""
        if shared.timed_out:
            return HeapCaseVerdict(HEAP_TIMEOUT)
        if shared.replay is None:
            return HeapCaseVerdict(HEAP_ERROR, (), shared.error)
        if not shared.replay.has_allocfree:
            return HeapCaseVerdict(HEAP_NONE)  # verdict_of's answer, without building the result
        try:
            return verdict_of(shared.replay.finish(), mutations,
                              valid_unless_mutated=self.valid_unless_mutated)
        except Exception as e:  # noqa: BLE001 - a bug in the oracle must not stop a campaign
            return HeapCaseVerdict(HEAP_ERROR, (), f"{type(e).__name__}: {e}")

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
        c2, py2, go2, _, _ = self._compare(small, strings=True)
        self.last_output = last
        if c2.signature != c.signature or py2 is None or go2 is None:
            return path  # flaky: keep the original
        return self.store.save(data, c2, py2, go2, toolchain=toolchain, mutations=mutations,
                               seed=seed, minimized=small)

    def _minimized(self, data: bytes, c: Comparison) -> bytes | None:
        from oracle.diff.minimize import minimize, signature_predicate

        pred = signature_predicate(c.signature, cast(Any, self._go), cast(Any, self._timed_py),
                                   self._semantics)
        stop = self._should_stop

        def keep(candidate: bytes) -> bool:
            return not stop() and pred(candidate)

        return minimize(data, keep, deadline=time.monotonic() + self.minimize_seconds)


