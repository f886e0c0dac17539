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
``fail``
    anything else: an unexpected divergence, which makes the run fail.

Every release ``conform`` runs against is one the reference reproduces
(:data:`oracle.parser.releases.RELEASES`: 1.22.10 to 1.27.3, every release that can run the
helper), and the comparison is against that release's own semantics and exact (up to the order
Go 1.22 and 1.23 give Ms whose events tie, :func:`oracle.diff.compare.ties_possible`, where Go
is asked again): events, verdict, error text and ``Event.String()``.  A release the reference
does not reproduce is refused (:class:`oracle.parser.releases.UnsupportedReleaseError`) rather
than compared with another release's semantics.  So there is no "expected" class of
divergence: a trace of a format the release is too old for is rejected by the reference with
the release's own text too (``unknown or unsupported trace version go 1.N``), and a
documented release difference (docs/go-findings.md "Fixed in later releases") is reproduced by
a release switch.

Outputs: a summary line per toolchain on stdout, a JUnit XML file (``--junit``: one
``testsuite`` per toolchain, one ``testcase`` per input; failures carry the signature and the
details, known Go bugs a ``system-out`` line), and a JSON summary (``--json``).  Exit status 0
when there is no unexpected divergence, 1 otherwise, 2 on usage errors.
"""

from __future__ import annotations

import json
import time
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
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
from oracle.diff.outcome import Outcome
from oracle.parser.releases import release

if TYPE_CHECKING:
    from oracle.campaign.findings import FindingStore

__all__ = [
    "Case",
    "ConformResult",
    "Input",
    "classify",
    "collect_inputs",
    "run_conform",
    "write_junit",
]

PINNED: Final = "1.27.3"


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
    status: str  # agree, known, fail
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


def classify(c: Comparison, store: FindingStore) -> tuple[str, str | None]:
    """``(status, reason)`` of one comparison (see the module docstring)."""
    if c.verdict.value == "agree":
        return "agree", None
    if store.is_known_go_bug(c):
        return "known", "documented Go bug (docs/go-findings.md)"
    return "fail", None


def _details(c: Comparison, left: Outcome, right: Outcome) -> dict[str, Any]:
    return {
        "verdict": c.verdict.value, "index": c.index, "field": c.field,
        "python": {"status": left.status.value, "error": left.error,
                   "record": c.left if isinstance(c.left, dict) else None},
        "go": {"status": right.status.value, "error": right.error,
               "record": c.right if isinstance(c.right, dict) else None},
    }


def run_conform(
    inputs: Sequence[Input],
    toolchains: Sequence[tuple[str, Path]],
    *,
    store: FindingStore,
    timeout: float = 20.0,
    progress: Callable[[str], None] | None = None,
) -> ConformResult:
    """Run every input against every ``(version, helper binary)``; Python runs once per input
    and release.

    Every version must be one the reference reproduces
    (:class:`oracle.parser.releases.UnsupportedReleaseError` otherwise, before anything runs).
    ``progress`` receives a status line after each case.  An interrupt (SIGINT) ends the run
    early but keeps the cases done so far: the result says ``interrupted`` and the caller
    still writes its summary, JUnit and JSON files.
    """
    from oracle.diff.impls import GoImpl, PythonImpl

    for version, _ in toolchains:
        release(version)
    t0 = time.perf_counter()
    # Python runs once per input and release, with that release's semantics; Event.String()
    # is compared as well as the events.
    by_semantics: dict[str, list[Outcome]] = {}
    result = ConformResult()
    total = len(inputs) * len(toolchains)
    try:
        for version, binary in toolchains:
            semantics = version
            py = PythonImpl(semantics, strings=True)
            python_outcomes = by_semantics.setdefault(semantics, [])  # filled on first use
            with GoImpl(binary, version, timeout=timeout, strings=True) as go:
                for i, inp in enumerate(inputs):
                    t = time.perf_counter()
                    if i == len(python_outcomes):
                        python_outcomes.append(py.run(inp.data))
                    left = python_outcomes[i]
                    right = go.run(inp.data)
                    ties = ties_possible(inp.data, semantics)
                    c = compare(left, right, ties=ties)
                    # Where Go orders by chance (v1; Go 1.22 and 1.23's frontier), ask it
                    # again: the reference gives one of its possible answers.
                    for _ in range(MAP_ORDER_RETRIES if ties else 0):
                        if c.agree:
                            break
                        right = go.run(inp.data)
                        c = compare(left, right, ties=True)
                    status, reason = classify(c, store)
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
            time=f"{sum(c.seconds for c in cases):.3f}",
        )
        for c in cases:
            tc = ET.SubElement(suite, "testcase", classname=f"go{version}.{c.group}",
                               name=c.input, time=f"{c.seconds:.4f}")
            if c.status == "fail":
                fail = ET.SubElement(tc, "failure", message=c.signature, type="divergence")
                fail.text = json.dumps(c.details, indent=1, ensure_ascii=False)
            elif c.status == "known":
                out = ET.SubElement(tc, "system-out")
                out.text = f"known: {c.signature} ({c.reason})"
    xml = ET.tostring(suites, encoding="utf-8", xml_declaration=True)
    write_text_atomic(path, xml.decode("utf-8") + "\n")


