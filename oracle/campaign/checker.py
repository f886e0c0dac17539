"""One case through both parsers: compare, classify, keep what is new.

The campaign engines (:mod:`oracle.campaign.hypothesis_engine`, :mod:`oracle.campaign.atheris_engine`)
run one :class:`CaseChecker` per worker process; this module is what they share.

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
``k``-th mutant; :func:`case_for_seed` rebuilds a case from it.  Every
:class:`CaseChecker.check` runs both parsers, compares (:func:`oracle.diff.compare`) and
classifies the comparison:

* agreement (including ``unsupported``: v1 traces are out of scope) is only counted;
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

Timeouts.  Python gets ``python_timeout`` seconds per parse, enforced with ``SIGALRM``
(``signal.setitimer``) in the worker's main thread: the handler raises a private
``BaseException`` that the parser's ``except Exception`` cannot swallow, which becomes
``Status.TIMEOUT`` and so ``python-timeout``.  (Off the main thread there is no Python timeout.)
Go's timeout is the helper's: a request that outlives it kills the helper, a helper that dies
mid-request is a crash; both become ``go-crash`` findings and the next request starts a fresh
helper.
"""

from __future__ import annotations

import signal
import threading
import time
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from types import FrameType
from typing import Any, Final, Literal, Protocol, TypeVar, cast

from oracle.parser.canonical import dump_trace
from oracle.diff.compare import Comparison, Verdict, compare
from oracle.diff.impls.go import outcome_from_helper, request_parse
from oracle.diff.impls.python import PythonImpl
from oracle.diff.outcome import Outcome, Status
from oracle.harness.helper import GoHelper, HelperResult

__all__ = [
    "CaseChecker",
    "CaseStats",
    "FindingStoreLike",
    "Impl",
    "NewFinding",
    "WorkerMessage",
]

_T = TypeVar("_T")

#: Signature prefix of a Go request that timed out: never minimized (each probe would hang).
_GO_TIMEOUT_PREFIX: Final = "go-crash:timeout"
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


def _dump_bytes(data: bytes) -> bytes:
    """The reference parser's canonical JSON lines, as the Go helper writes them."""
    text = "\n".join(dump_trace(data))
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
        self._py: Impl = py_impl if py_impl is not None else PythonImpl()
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
            return self._timed(_dump_bytes, data)
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
        return compare(py, go), py, go, py.status.value, go.status.value

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


