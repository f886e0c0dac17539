"""Go parser bugs found by this project: each minimized repro in corpus/go-findings/ still shows
the behaviour documented in docs/go-findings.md, in Go's parser and in the Python mirror.

For every repro (Go's raw text format): (a) the text converts to the same binary in Python and in
Go's ``internal/trace/raw``; (b) the pinned Go's canonical ``parse`` dump shows the documented
behaviour (an accessor's ``panics`` entry, an error, a record); (c) ``oracle.parser.canonical`` shows the
same thing, and for deterministic findings the whole dump equals Go's; (d) (slow) every supported
Go release shows the behaviour exactly when the docs list it as affected.

The table :data:`FINDINGS` is the single source of the slugs, accessors, messages and affected
releases; keep it in step with docs/go-findings.md (checked by :func:`test_docs_cover_findings`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from oracle.parser import raw
from oracle.parser.canonical import dump_trace
from oracle.harness.helper import GoHelper, helper_for, parse_json_lines

ROOT = Path(__file__).resolve().parent.parent
FINDINGS_DIR = ROOT / "corpus" / "go-findings"
DOC = ROOT / "docs" / "go-findings.md"

PINNED = "1.27.3"
RELEASES = ("1.22.10", "1.23.9", "1.24.11", "1.25.5", "1.26.6", "1.27.3")
ALL = frozenset(RELEASES)

Records = list[dict[str, Any]]


def _panics(accessor: str, message: str) -> Callable[[Records], bool]:
    """Some record's ``panics`` maps ``accessor`` to a message fully matching ``message``."""
    rx = re.compile(message)

    def check(recs: Records) -> bool:
        return any(
            (msg := r.get("panics", {}).get(accessor)) is not None and rx.fullmatch(msg) is not None
            for r in recs
        )

    return check


def _error(message: str) -> Callable[[Records], bool]:
    """The terminal record is an error whose text matches ``message`` (searched)."""
    rx = re.compile(message)

    def check(recs: Records) -> bool:
        end = recs[-1] if recs else {}
        return end.get("end") == "error" and rx.search(end.get("error", "")) is not None

    return check


def _sweep_scope_from_ctx(recs: Records) -> bool:
    """The GCSweepActive range's scope is the (absent) context P, not its argument P 3."""
    return any(r.get("kind") == "RangeActive" and r["range"]["scope"]["id"] == -1 for r in recs)


def _promoted_thread(recs: Records) -> int:
    """Thread of the promoted ProcSyscallAbandoned status (the last StateTransition)."""
    return int([r for r in recs if r.get("kind") == "StateTransition"][-1]["m"])


def _without_thread(recs: Records) -> Records:
    return [{k: v for k, v in r.items() if k != "m"} for r in recs]


_BAD_STACK = re.compile(r"^found invalid func string ID \d+ for stack (\d+)$")


def _bad_stack(recs: Records) -> int:
    """The stack named by the terminal stack-validation error."""
    m = _BAD_STACK.match(recs[-1].get("error", ""))
    assert m is not None, recs[-1]
    return int(m.group(1))


def _without_error(recs: Records) -> Records:
    return recs[:-1] + [{"end": recs[-1]["end"]}]


@dataclass(frozen=True)
class Nondeterminism:
    """How a nondeterministic finding varies between runs of Go's parser."""

    #: The part of a dump that varies (the promoted event's thread, the named stack, ...).
    observe: Callable[[Records], int]
    #: Every value Go has been seen to produce.
    choices: frozenset[int]
    #: Python's deterministic choice among them.
    python_choice: int
    #: The dump with the varying part removed (equal in Go and Python).
    strip: Callable[[Records], Records]


@dataclass(frozen=True)
class Finding:
    slug: str
    #: Releases that show the behaviour (the others must not).
    affected: frozenset[str]
    #: Does a canonical dump show the behaviour?  (None for nondeterministic findings.)
    shows: Callable[[Records], bool] | None
    #: For panic findings: the accessor and a regexp fully matching the panic message.
    accessor: str | None = None
    message: str | None = None
    #: For nondeterministic findings: what varies.
    nondet: Nondeterminism | None = None


def _panic_finding(slug: str, affected: frozenset[str], accessor: str, message: str) -> Finding:
    return Finding(slug, affected, _panics(accessor, message), accessor, message)


FINDINGS: tuple[Finding, ...] = (
    # Open bugs: accessor panics in the pinned Go.
    _panic_finding(
        "sync-unknown-experiment", frozenset({"1.25.5", "1.26.6", "1.27.3"}),
        "Sync", r"runtime error: index out of range \[2\] with length 2",
    ),
    _panic_finding(
        "procstatus-uint8-truncation", ALL,
        "StateTransition", r"runtime error: index out of range \[257\] with length 5",
    ),
    _panic_finding(
        "stwend-kind-string-across-generations", ALL,
        "Range", r"expected id 1 in string table",
    ),
    _panic_finding(
        "cpusample-invalid-stack-id", ALL,
        "Stack", r"expected id 5 in trace\.stack table",
    ),
    # Open bugs: nondeterminism.
    Finding(
        "abandoned-promotion-random-m", ALL, None,
        nondet=Nondeterminism(_promoted_thread, frozenset({1, 2}), 2, _without_thread),
    ),
    Finding(
        "stack-validation-random-order", ALL, None,
        nondet=Nondeterminism(_bad_stack, frozenset({1000, 5000, 9000}), 1000, _without_error),
    ),
    # Fixed in later releases.
    _panic_finding(
        "gostatus-uint8-truncation", frozenset({"1.22.10", "1.23.9"}),
        "StateTransition", r"runtime error: index out of range \[258\] with length 5",
    ),
    Finding(
        "empty-generation-frontier-empty", frozenset({"1.22.10", "1.23.9", "1.24.11"}),
        _error(r"^broken trace: frontier is empty:\n\[gen=1\]"),
    ),
    Finding(
        "spill-error-before-first-generation", frozenset({"1.22.10"}),
        _error(r"^failed to read full batch: read 0 but wanted 50$"),
    ),
    Finding(
        "gcsweepactive-scope", frozenset({"1.22.10", "1.23.9", "1.24.11", "1.25.5"}),
        _sweep_scope_from_ctx,
    ),
    # Cosmetic.
    Finding(
        "abandoned-status-named-bad", ALL - {"1.27.3"},
        _error(r"^inconsistent status for proc 0: old Idle vs\. new Bad$"),
    ),
    Finding(
        "syscallend-says-not-running", ALL,
        _error(r"^GoSyscallEnd event for goroutine that's not Running$"),
    ),
)

#: Go's less likely choices each come up with probability of about 1/8 per run or more (see
#: the docs), so 100 runs all giving the same answer has probability below (7/8)**100 < 2e-6.
NONDET_MAX_RUNS = 100

BY_SLUG = {f.slug: f for f in FINDINGS}


def _text(slug: str) -> str:
    return (FINDINGS_DIR / f"{slug}.txt").read_text()


def _binary(slug: str) -> bytes:
    return raw.text_to_binary(_text(slug))


def _go_records(helper: GoHelper, data: bytes) -> Records:
    res = helper.request("parse", data)
    assert res.outcome == "ok", (res.outcome, res.panic, res.stderr)
    return parse_json_lines(res.output)


def _py_records(data: bytes) -> Records:
    return [json.loads(line) for line in dump_trace(data)]


def _nondet_values(helper: GoHelper, data: bytes, nondet: Nondeterminism) -> set[int]:
    """What Go produces over repeated runs, stopping once two results differ."""
    seen: set[int] = set()
    for _ in range(NONDET_MAX_RUNS):
        seen.add(nondet.observe(_go_records(helper, data)))
        if len(seen) > 1:
            break
    return seen


finding_params = pytest.mark.parametrize("finding", FINDINGS, ids=[f.slug for f in FINDINGS])


def test_corpus_matches_table() -> None:
    on_disk = {p.stem for p in FINDINGS_DIR.glob("*.txt")}
    assert on_disk == set(BY_SLUG)


def test_docs_cover_findings() -> None:
    doc = DOC.read_text()
    for f in FINDINGS:
        assert f"corpus/go-findings/{f.slug}.txt" in doc, f.slug
        if f.message is not None:
            # The documented panic message (with concrete numbers) appears in the docs.
            assert any(re.fullmatch(f.message, m) for m in re.findall(r"`([^`\n]+)`", doc)), f.slug


@finding_params
def test_repro_is_commented_text_that_go_converts(go_helper: GoHelper, finding: Finding) -> None:
    text = _text(finding.slug)
    assert text.startswith("# "), "each repro starts with comment lines saying what it shows"
    binary = raw.text_to_binary(text)
    res = go_helper.request("to-binary", text.encode())
    assert res.outcome == "ok" and res.exit == 0, (res.outcome, res.stderr)
    assert res.output == binary


@finding_params
def test_pinned_go_shows_finding(go_helper: GoHelper, finding: Finding) -> None:
    data = _binary(finding.slug)
    if finding.nondet is not None:
        seen = _nondet_values(go_helper, data, finding.nondet)
        assert len(seen) > 1 and seen <= finding.nondet.choices, f"Go's result did not vary: {seen}"
        return
    assert finding.shows is not None
    assert finding.shows(_go_records(go_helper, data)) == (PINNED in finding.affected)


@finding_params
def test_python_mirrors_pinned_go(go_helper: GoHelper, finding: Finding) -> None:
    data = _binary(finding.slug)
    py = _py_records(data)
    if finding.nondet is not None:
        nd = finding.nondet
        # Deterministic in Python (the choice is documented with the finding).
        assert nd.observe(py) == nd.python_choice
        assert _py_records(data) == py
        # Apart from the varying part, Go agrees.
        go = _go_records(go_helper, data)
        assert nd.observe(go) in nd.choices
        assert nd.strip(py) == nd.strip(go)
        return
    assert finding.shows is not None
    assert finding.shows(py) == (PINNED in finding.affected)
    assert py == _go_records(go_helper, data)


@pytest.mark.slow
@finding_params
@pytest.mark.parametrize("release", RELEASES)
def test_release_shows_finding_iff_affected(finding: Finding, release: str) -> None:
    data = _binary(finding.slug)
    with GoHelper(helper_for(release)) as helper:
        if finding.nondet is not None:
            # Releases that reject the header cannot show it; all of these repros use Go1.22.
            seen = _nondet_values(helper, data, finding.nondet)
            assert len(seen) > 1 and seen <= finding.nondet.choices
            return
        assert finding.shows is not None
        assert finding.shows(_go_records(helper, data)) == (release in finding.affected)
