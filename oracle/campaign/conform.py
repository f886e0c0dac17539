"""The ``conform`` subcommand: the CI conformance check of the reference parser against Go.

Theory of operation
-------------------
``gotrace-oracle conform [--go 1.25.5,1.27.3] [--count N] [--seed S] [--junit F] [--json F]``
runs one fixed, reproducible set of inputs through the reference parser and through the Go
helper of each requested toolchain, and fails (exit 1) on any *unexpected* divergence.  The
inputs, the same for every toolchain:

* **Go's testdata** from the *pinned* GOROOT: ``testdata/tests/*.test`` and the
  ``testdata/fuzz/FuzzReader`` seeds (the reference parser implements the pinned semantics, so
  the pinned release's tests are the ones that define it);
* **the corpus replay**: every ``corpus/seeds`` file and every ``corpus/regressions/<slug>/``
  finding (its ``repro.trace``);
* **generated traces**: ``--count`` valid and ``--count`` mutated traces drawn from the
  strategies' model with a seeded ``random.Random`` (``RandomChooser``), so a run is
  reproducible from ``--seed``.

Each (input, toolchain) pair is one *case*, classified as:

``agree``
    same events, verdict and error text;
``known``
    a divergence that is Go's fault by the record (:meth:`oracle.campaign.findings.FindingStore.
    is_known_go_bug`: a ``corpus/go-findings`` signature, one of Go's documented
    nondeterministic results, or a finding classified ``go-bug``); untriaged findings and
    fixed reference-parser bugs are *not* known here, so their return fails the check;
``expected``
    (only for releases the reference does not reproduce, today 1.22) a documented *version
    difference*: the reference then follows Go 1.27.3, and such a release differs in ways
    listed in
    :data:`VERSION_DIFFERENCES` (docs/go-findings.md "Fixed in later releases", and the
    per-release changes of the trace-format digest);
``unsupported``
    outside the reference parser's scope (v1 traces);
``fail``
    anything else: an unexpected divergence, which makes the run fail.

For the pinned toolchain, and every release the reference reproduces
(:data:`oracle.parser.releases.RELEASES`: 1.23.9 to 1.27.3), the comparison is exact (up to
the order Go 1.23 gives Ms whose events tie, :func:`oracle.diff.compare.ties_possible`),
against that release's semantics, and nothing is ``expected``.  For 1.22 the event
*streams* are not comparable (Sync events moved from the end to the start of each generation
in 1.25, timestamps are derived differently, CPU samples are emitted elsewhere) and neither is
which error a broken trace reports first (ordering was reworked in 1.23 and 1.25), so for them
only the accept/reject verdict and Go's accessor panics are compared
(:func:`project_outcomes`).

Outputs: a summary line per toolchain on stdout, a JUnit XML file (``--junit``: one
``testsuite`` per toolchain, one ``testcase`` per input; failures carry the signature and the
details; ``expected`` and ``unsupported`` cases are ``skipped``), and a JSON summary
(``--json``).  Exit status 0 when there is no unexpected divergence, 1 otherwise, 2 on usage
errors.
"""

from __future__ import annotations

import json
import re
import time
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from oracle.campaign.sources import (
    Input,
    corpus_inputs,
    generated_inputs,
    go_testdata_inputs,
)
from oracle.campaign.report import write_text_atomic
from oracle.harness import toolchain
from oracle.diff.compare import MAP_ORDER_RETRIES, Comparison, compare, ties_possible
from oracle.diff.outcome import Outcome, Status
from oracle.parser.releases import reproduced

if TYPE_CHECKING:
    from oracle.campaign.findings import FindingStore

__all__ = [
    "VERSION_DIFFERENCES",
    "Case",
    "ConformResult",
    "Input",
    "VersionDifference",
    "classify",
    "collect_inputs",
    "expected_difference",
    "predates_format",
    "project_outcomes",
    "run_conform",
    "write_junit",
]

PINNED: Final = "1.27.3"


@dataclass(frozen=True, slots=True)
class VersionDifference:
    """A documented way Go releases up to ``max_minor`` differ from the pinned parser."""

    max_minor: int  # the last affected minor release (1.<max_minor>)
    pattern: str  # regular expression matched (re.match) against the signature
    reason: str  # where it is documented
    python_error: str | None = None  # and, if set, matched (re.match) against Python's error


#: Documented version differences between older releases and the pinned Go 1.27.3, by the
#: signature they produce in a comparison with the reference parser.  "§9" is the per-release
#: list in the trace-format digest; numbers are docs/go-findings.md findings.
VERSION_DIFFERENCES: Final[tuple[VersionDifference, ...]] = (
    # The reference reproduces 1.23.9 to 1.26.6 (oracle/parser/releases.py): their
    # differences from 1.27.3 are only "expected" for the release before, 1.22.
    VersionDifference(22, r"error-text-mismatch:inconsistent status for proc N: old \w+ vs\. new Bad$",
                      "finding 10: ProcSyscallAbandoned printed as Bad (fixed in 1.27)"),
    VersionDifference(22, r"error-text-mismatch:inconsistent status for proc N: old Bad vs\. ",
                      "finding 10: ProcSyscallAbandoned printed as Bad (fixed in 1.27)"),
    VersionDifference(22, r"event-mismatch:Range(Begin|Active|End):range\.scope",
                      "finding 9: GCSweep range scope from the context P (fixed in 1.26)"),
    VersionDifference(22, r"event-mismatch:StateTransition:transition\.stack",
                      "§9 1.26: GoStatusStack gives StateTransition.Stack from 1.26 on"),
    VersionDifference(22, r"(event-mismatch|error-text-mismatch):",
                      "§9 1.26: the new readGeneration rejects generation number 0 "
                      "(seen with mutated generation numbers)",
                      python_error=r"invalid generation number 0$"),
    VersionDifference(22, r"verdict-mismatch:only-go-rejects:broken trace: frontier is empty",
                      "finding 7: empty generation rejected (fixed in 1.25)"),
    VersionDifference(22, r"verdict-mismatch:only-python-rejects:(found multiple frequency events"
                      r"|expected frequency or clock snapshot event)",
                      "§9 1.25: new Sync batch; older releases read clock batches differently"),
    VersionDifference(22, r"error-text-mismatch:expected batch event",
                      "§9 1.22/1.25: batch-type error text changed"),
    VersionDifference(22, r"go-panic:StateTransition:runtime error: index out of range",
                      "finding 6: GoStatus uint8 truncation panic (fixed in 1.24)"),
    VersionDifference(22, r"error-text-mismatch:failed to read full batch",
                      "finding 8: spill read error reported first (fixed in 1.23)"),
    VersionDifference(22, r"verdict-mismatch:",
                      "§9 1.22: no spill-error tolerance, fatal read errors"),
)


def expected_difference(
    minor: int, signature: str, python_error: str | None = None
) -> VersionDifference | None:
    """The documented version difference explaining ``signature`` on Go 1.<minor>, if any."""
    if minor >= _minor(PINNED):
        return None
    for d in VERSION_DIFFERENCES:
        if minor > d.max_minor or not re.match(d.pattern, signature):
            continue
        if d.python_error is None or re.match(d.python_error, python_error or ""):
            return d
    return None


#: First release whose ``Event.String()`` layout is the reference's.
_STRINGS_SINCE: Final = 26


def project_outcomes(left: Outcome, right: Outcome, minor: int) -> tuple[Outcome, Outcome]:
    """The parts of Python's (``left``) and Go 1.<minor>'s (``right``) outcomes that are
    comparable.

    From 1.26 on, everything, ``Event.String()`` included; on 1.25 everything but
    ``String()``, whose layout changed in 1.26.  Before 1.25, only the verdict (accept or reject) and Go's
    accessor panics: the event streams differ by design (see the module docstring), and so
    does which error a broken trace reports first (ordering was reworked in 1.23 and 1.25).
    Records are dropped, except Go's records carrying a ``panics`` key, and when both sides
    reject, their error texts are not compared (a one-sided rejection keeps its text, which
    names the finding in the signature).
    """
    if minor >= _STRINGS_SINCE:
        return left, right
    if minor >= 25:
        # Go 1.25's String() prints a transition as "Resource=Proc(0) Reason=... ProcID=0 A->B"
        # where 1.26 on (and the reference) print "ProcID=0 A->B Reason=...".
        return replace(left, strings=None), replace(right, strings=None)
    both_reject = left.status is Status.REJECTED and right.status is Status.REJECTED
    lerr = "rejected" if both_reject else left.error
    rerr = "rejected" if both_reject else right.error
    return (
        Outcome(left.impl, left.status, (), lerr, left.detail),
        Outcome(right.impl, right.status, tuple(r for r in right.records if "panics" in r),
                rerr, right.detail),
    )


def predates_format(right: Outcome, minor: int) -> bool:
    """Whether Go 1.<minor> rejected the trace only because its header is a newer format."""
    return (
        minor < _minor(PINNED)
        and right.status is Status.REJECTED
        and (right.error or "").startswith("unknown or unsupported trace version")
    )


# --- Inputs ----------------------------------------------------------------------------------


def collect_inputs(*, count: int, seed: int, testdata: bool = True, corpus: Path | None = None,
                   generated: bool = True) -> list[Input]:
    """Every input of a run, in a fixed order: Go's testdata of the pinned toolchain, the
    seeds and regressions of the ``corpus`` directory (none when ``None``: the caller decides
    where the corpus is, and says so), then ``count`` valid and ``count`` mutated traces."""
    out: list[Input] = []
    if testdata:
        out += go_testdata_inputs(toolchain.pinned().goroot)[0]
    if corpus is not None:
        out += corpus_inputs(corpus, ("seeds", "regressions"))[0]
    if generated:
        out += generated_inputs(count, seed)
    return out


# --- Running ---------------------------------------------------------------------------------


@dataclass(slots=True)
class Case:
    """One input against one toolchain."""

    input: str
    group: str
    toolchain: str
    status: str  # agree, known, expected, unsupported, fail
    signature: str
    reason: str | None = None
    details: dict[str, Any] | None = None
    seconds: float = 0.0


@dataclass(slots=True)
class ConformResult:
    """The cases of a whole run."""

    cases: list[Case] = field(default_factory=list)
    seconds: float = 0.0
    interrupted: bool = False  # ended early by SIGINT: the cases are those done by then

    @property
    def failures(self) -> list[Case]:
        """The unexpected divergences."""
        return [c for c in self.cases if c.status == "fail"]

    def summary(self) -> dict[str, Any]:
        """The JSON summary (also written by ``--json``)."""
        by_tc: dict[str, dict[str, Any]] = {}
        for c in self.cases:
            t = by_tc.setdefault(c.toolchain, {"cases": 0, "counts": Counter(), "signatures": Counter()})
            t["cases"] += 1
            t["counts"][c.status] += 1
            if c.status != "agree":
                t["signatures"][f"{c.status}: {c.signature}"] += 1
        return {
            "ok": not self.failures and not self.interrupted,
            "interrupted": self.interrupted,
            "cases": len(self.cases),
            "seconds": round(self.seconds, 3),
            "toolchains": {
                k: {"cases": v["cases"], "counts": dict(v["counts"]),
                    "signatures": dict(v["signatures"].most_common())}
                for k, v in by_tc.items()
            },
            "failures": [
                {"input": c.input, "toolchain": c.toolchain, "signature": c.signature,
                 "details": c.details}
                for c in self.failures
            ],
        }


def classify(c: Comparison, minor: int, store: FindingStore,
             python_error: str | None = None) -> tuple[str, str | None]:
    """``(status, reason)`` of one comparison on Go 1.<minor> (see the module docstring);
    ``python_error`` is the reference parser's error text, if it rejected the trace."""
    if c.verdict.value == "agree":
        return "agree", None
    if c.verdict.value == "unsupported":
        return "unsupported", "outside the reference parser's scope"
    if store.is_known_go_bug(c):
        return "known", "documented Go bug (docs/go-findings.md)"
    d = expected_difference(minor, c.signature, python_error)
    if d is not None:
        return "expected", d.reason
    return "fail", None


def _details(c: Comparison, left: Outcome, right: Outcome) -> dict[str, Any]:
    return {
        "verdict": c.verdict.value, "index": c.index, "field": c.field,
        "python": {"status": left.status.value, "error": left.error,
                   "record": c.left if isinstance(c.left, dict) else None},
        "go": {"status": right.status.value, "error": right.error,
               "record": c.right if isinstance(c.right, dict) else None},
    }


def _minor(version: str) -> int:
    return int(version.split(".")[1])


def run_conform(
    inputs: Sequence[Input],
    toolchains: Sequence[tuple[str, Path]],
    *,
    store: FindingStore,
    timeout: float = 20.0,
    progress: Callable[[str], None] | None = None,
) -> ConformResult:
    """Run every input against every ``(version, helper binary)``; Python runs once per input.

    ``progress`` receives a status line after each case.  An interrupt (SIGINT) ends the run
    early but keeps the cases done so far: the result says ``interrupted`` and the caller
    still writes its summary, JUnit and JSON files.
    """
    from oracle.diff.impls import GoImpl, PythonImpl

    t0 = time.perf_counter()
    # Python runs once per input and semantics: the release's own where the reference
    # reproduces it (then the comparison is exact), else the pinned one; Event.String() is
    # compared as well as the events.
    by_semantics: dict[str | None, list[Outcome]] = {}
    result = ConformResult()
    total = len(inputs) * len(toolchains)
    try:
        for version, binary in toolchains:
            minor = _minor(version)
            semantics = reproduced(version)
            py = PythonImpl(semantics, strings=True)
            python_outcomes = by_semantics.setdefault(semantics, [])  # filled on first use
            with GoImpl(binary, version, timeout=timeout, strings=True) as go:
                for i, inp in enumerate(inputs):
                    t = time.perf_counter()
                    if i == len(python_outcomes):
                        python_outcomes.append(py.run(inp.data))
                    left = python_outcomes[i]
                    right = go.run(inp.data)
                    if semantics is not None:
                        ties = ties_possible(inp.data, semantics)
                        c = compare(left, right, ties=ties)
                        # Where Go orders by chance (v1; Go 1.23's frontier), ask it again:
                        # the reference gives one of its possible answers.
                        for _ in range(MAP_ORDER_RETRIES if ties else 0):
                            if c.agree:
                                break
                            right = go.run(inp.data)
                            c = compare(left, right, ties=True)
                    else:
                        c = compare(*project_outcomes(left, right, minor))
                    status, reason = classify(c, minor, store, left.error)
                    if status == "fail" and predates_format(right, minor):
                        status, reason = "expected", "the release predates the trace's format version"
                    result.cases.append(Case(
                        inp.name, inp.group, version, status, c.signature, reason,
                        _details(c, left, right) if status != "agree" else None,
                        time.perf_counter() - t,
                    ))
                    if progress is not None:
                        progress(f"[go{version}] {len(result.cases)}/{total} cases, "
                                 f"{len(result.failures)} failures")
    except KeyboardInterrupt:
        result.interrupted = True
    result.seconds = time.perf_counter() - t0
    return result


def write_junit(result: ConformResult, path: Path) -> None:
    """JUnit XML: one ``testsuite`` per toolchain, one ``testcase`` per input (atomically)."""
    suites = ET.Element("testsuites", name="gotrace-oracle conform",
                        tests=str(len(result.cases)), failures=str(len(result.failures)),
                        time=f"{result.seconds:.3f}")
    by_tc: dict[str, list[Case]] = {}
    for c in result.cases:
        by_tc.setdefault(c.toolchain, []).append(c)
    for version, cases in by_tc.items():
        suite = ET.SubElement(
            suites, "testsuite", name=f"go{version}", tests=str(len(cases)),
            failures=str(sum(c.status == "fail" for c in cases)),
            skipped=str(sum(c.status in ("expected", "unsupported") for c in cases)),
            time=f"{sum(c.seconds for c in cases):.3f}",
        )
        for c in cases:
            tc = ET.SubElement(suite, "testcase", classname=f"go{version}.{c.group}",
                               name=c.input, time=f"{c.seconds:.4f}")
            if c.status == "fail":
                fail = ET.SubElement(tc, "failure", message=c.signature, type="divergence")
                fail.text = json.dumps(c.details, indent=1, ensure_ascii=False)
            elif c.status in ("expected", "unsupported"):
                ET.SubElement(tc, "skipped", message=f"{c.status}: {c.signature} ({c.reason})")
            elif c.status == "known":
                out = ET.SubElement(tc, "system-out")
                out.text = f"known: {c.signature} ({c.reason})"
    xml = ET.tostring(suites, encoding="utf-8", xml_declaration=True)
    write_text_atomic(path, xml.decode("utf-8") + "\n")


