"""Findings: slugs, known signatures, nondeterminism, and the atomic store (oracle/findings.py)."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from oracle.diff.compare import Comparison, Verdict, compare
from oracle.diff.impls import GoImpl, PythonImpl
from oracle.diff.outcome import Outcome, Status
from oracle.campaign.findings import (
    GO_BUG,
    KNOWN_GO_SIGNATURES,
    FindingStore,
    is_known_go_signature,
    is_known_nondeterminism,
    render_repro_text,
    signature_slug,
)
from oracle.harness.helper import helper_for
from oracle.parser.inputs import load

ROOT = Path(__file__).resolve().parents[3]
GO_FINDINGS = ROOT / "corpus" / "go-findings"


@pytest.fixture(scope="module")
def go() -> Iterator[GoImpl]:
    with GoImpl(helper_for(), "1.27.3") as impl:
        yield impl


# --- signature_slug --------------------------------------------------------------------------


@pytest.mark.parametrize("sig", [
    "agree",
    "go-panic:Sync:runtime error: index out of range [N] with length N",
    "event-mismatch:StateTransition:transition.stack[].func",
    "error-text-mismatch:" + "x" * 500,
    "python-exception:KeyError: 'é/../..'",
    "",
])
def test_slug_is_safe_readable_and_stable(sig: str) -> None:
    slug = signature_slug(sig)
    assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*-[0-9a-f]{10}", slug), slug
    assert len(slug) <= 71
    assert slug == signature_slug(sig)


def test_slug_keeps_a_readable_prefix_and_separates_long_signatures() -> None:
    assert signature_slug("go-panic:Sync:boom").startswith("go-panic-sync-boom-")
    a, b = "error-text-mismatch:" + "x" * 100 + "a", "error-text-mismatch:" + "x" * 100 + "b"
    assert signature_slug(a) != signature_slug(b)
    # Slugs name directories in the corpus, so their definition must never change.
    assert signature_slug("agree") == "agree-" + hashlib.sha1(b"agree").hexdigest()[:10]


# --- known signatures ------------------------------------------------------------------------


def test_known_go_signatures_match_the_go_findings_repros(go: GoImpl) -> None:
    """The table is what the repros produce against the pinned Go (how it was derived)."""
    py = PythonImpl()
    for known in KNOWN_GO_SIGNATURES:
        # Text repros, or binary ones where the text format cannot hold the trace (v1).
        (path,) = [p for p in GO_FINDINGS.glob(f"{known.slug}.*") if p.suffix in (".txt", ".trace")]
        data = load(path).data
        c = compare(py.run(data), go.run(data))
        assert c.signature.startswith(known.prefix), (known, c.signature)
        assert is_known_go_signature(c.signature)


def test_every_pinned_go_finding_is_known_or_agrees(go: GoImpl) -> None:
    """No corpus/go-findings repro would be reported as new by a campaign."""
    py = PythonImpl()
    store = FindingStore(ROOT / "corpus")
    for path in sorted([*GO_FINDINGS.glob("*.txt"), *GO_FINDINGS.glob("*.trace")]):
        data = load(path).data
        for _ in range(5 if "random" in path.name else 1):
            c = compare(py.run(data), go.run(data))
            assert c.agree or store.is_known_comparison(c), (path.name, c)


def test_unrelated_signatures_are_not_known() -> None:
    assert not is_known_go_signature("go-panic:Log:boom")
    assert not is_known_go_signature("event-mismatch:StateTransition:m")
    assert not FindingStore(Path("/nonexistent")).is_known("verdict-mismatch:only-go-rejects:x")


def _st(m: int, kind: str = "Proc", g: int = -1) -> dict[str, object]:
    return {"i": 3, "kind": "StateTransition", "time": 5, "m": m, "p": 0, "g": g, "stack": None,
            "transition": {"resource": {"kind": kind, "id": 0}, "from": "Running",
                           "to": "Running", "reason": "", "stack": None}}


def test_nondeterministic_promoted_thread_is_known() -> None:
    c = Comparison(Verdict.EVENT_MISMATCH, "event-mismatch:StateTransition:m", 3, "m", _st(2), _st(1))
    assert is_known_nondeterminism(c)
    other = dict(_st(1), time=6)
    assert not is_known_nondeterminism(
        Comparison(Verdict.EVENT_MISMATCH, "event-mismatch:StateTransition:m", 3, "m", _st(2), other))
    assert not is_known_nondeterminism(
        Comparison(Verdict.EVENT_MISMATCH, "event-mismatch:StateTransition:m", 3, "m",
                   _st(2, "Goroutine"), _st(1, "Goroutine")))
    # The picked M brings its goroutine along (order.go:222): an atheris campaign saw Go pick
    # the M whose goroutine was in a syscall (m 900000, g 900000) against (900001, -1).
    assert is_known_nondeterminism(Comparison(
        Verdict.EVENT_MISMATCH, "event-mismatch:StateTransition:m", 3, "m", _st(2), _st(1, g=7)))


def test_nondeterministic_promoted_thread_in_string_is_known() -> None:
    """Finding 5 as Event.String() shows it: the Proc transition's first line names another M."""
    line = "M={} P=2 G=-1 StateTransition Time=12345 ProcID=3 Syscall->Idle Reason=\"\""
    sig = "string-mismatch:StateTransition"
    c = Comparison(Verdict.STRING_MISMATCH, sig, 4, "String()", line.format(1), line.format(7))
    assert is_known_nondeterminism(c)
    other = line.format(7).replace("Time=12345", "Time=12346")
    assert not is_known_nondeterminism(
        Comparison(Verdict.STRING_MISMATCH, sig, 4, "String()", line.format(1), other))
    assert is_known_nondeterminism(Comparison(
        Verdict.STRING_MISMATCH, sig, 4, "String()", line.format(1), line.format(7).replace("G=-1", "G=9")))
    goroutine = "M={} P=2 G=5 StateTransition Time=12345 GoID=5 Running->Waiting Reason=\"\""
    assert not is_known_nondeterminism(
        Comparison(Verdict.STRING_MISMATCH, sig, 4, "String()", goroutine.format(1), goroutine.format(7)))


def test_nondeterministic_stack_validation_error_is_known() -> None:
    sig = "error-text-mismatch:found invalid func string ID N for stack N"
    c = Comparison(Verdict.ERROR_TEXT_MISMATCH, sig, left="found invalid func string ID 7 for stack 1000",
                   right="found invalid file string ID 9 for stack 5000")
    assert is_known_nondeterminism(c)
    c2 = Comparison(Verdict.ERROR_TEXT_MISMATCH, sig, left="found invalid func string ID 7 for stack 1000",
                    right="something else")
    assert not is_known_nondeterminism(c2)


# --- the store -------------------------------------------------------------------------------

SYNC = {"i": 0, "kind": "Sync", "time": 1, "m": -1, "p": -1, "g": -1, "stack": None,
        "sync": {"n": 1, "clock": None, "experimental_batches": None}}


def _finding(sig: str = "go-panic:Sync:boom") -> tuple[Comparison, Outcome, Outcome]:
    left = Outcome("python", Status.ACCEPTED, (SYNC,))
    right = Outcome("go1.27.3", Status.ACCEPTED, ({**SYNC, "panics": {"Sync": "boom"}},))
    return Comparison(Verdict.GO_PANIC, sig, index=0, field="panics.Sync", right="boom"), left, right


def _trace() -> bytes:
    return load(GO_FINDINGS / "sync-unknown-experiment.txt").data


def test_save_writes_a_complete_replayable_finding(tmp_path: Path) -> None:
    store = FindingStore(tmp_path)
    c, left, right = _finding()
    data = _trace()
    d = store.save(data + b"\x00" * 10, c, left, right, toolchain="1.27.3",
                   mutations=["unknown_experiment"], seed="s1", minimized=data)
    assert d == tmp_path / "findings" / signature_slug(c.signature)
    assert sorted(p.name for p in d.iterdir()) == [
        "metadata.json", "original.trace", "repro.trace", "repro.txt"]
    assert (d / "repro.trace").read_bytes() == data
    assert (d / "original.trace").read_bytes() == data + b"\x00" * 10
    meta = json.loads((d / "metadata.json").read_text())
    assert meta["signature"] == c.signature and meta["verdict"] == "go-panic"
    assert meta["toolchain"] == "1.27.3" and meta["mutations"] == ["unknown_experiment"]
    assert meta["seed"] == "s1" and meta["minimized"] is True
    assert meta["go"]["record_at_difference"]["panics"] == {"Sync": "boom"}
    assert meta["python"]["status"] == "accepted"
    # repro.txt: header comments, then Go's text format converting back to the same bytes.
    text = (d / "repro.txt").read_text()
    assert text.startswith("# Finding: go-panic:Sync:boom\n")
    assert "# Toolchain: go1.27.3" in text and "# Go:     accepted, 1 events" in text
    assert load(d / "repro.txt").data == data
    # No temporary directories are left behind.
    assert [p.name for p in (tmp_path / "findings").iterdir() if p.name.startswith(".tmp")] == []
    # Beside the folder, the input as found, under libFuzzer's crash artifact name.
    crash = store.crash_path(data + b"\x00" * 10)
    assert crash.parent == d.parent and re.fullmatch(r"crash-[0-9a-f]{40}", crash.name)
    assert crash.read_bytes() == data + b"\x00" * 10


def test_save_keeps_the_smaller_repro_and_updates_known(tmp_path: Path) -> None:
    store = FindingStore(tmp_path)
    c, left, right = _finding()
    data = _trace()
    assert not store.is_known(c.signature)
    d = store.save(data, c, left, right, toolchain="1.27.3", mutations=[], seed=None,
                   minimized=None)
    assert store.is_known(c.signature)
    store.save(data + b"\x01" * 5, c, left, right, toolchain="1.27.3", mutations=[], seed=None,
               minimized=None)
    assert (d / "repro.trace").read_bytes() == data
    store.save(data, c, left, right, toolchain="1.27.3", mutations=[], seed=None,
               minimized=data[:-3])
    assert (d / "repro.trace").read_bytes() == data[:-3]
    # A fresh store reads it back from disk.
    assert FindingStore(tmp_path).known_signatures() == {c.signature}


def test_regressions_are_known_and_classification_decides_go_bug(tmp_path: Path) -> None:
    for name, sig, cls in (("a", "verdict-mismatch:only-go-rejects:x", GO_BUG),
                           ("b", "verdict-mismatch:only-python-rejects:y", "fixed")):
        d = tmp_path / "regressions" / name
        d.mkdir(parents=True)
        (d / "metadata.json").write_text(json.dumps({"signature": sig, "classification": cls}))
    store = FindingStore(tmp_path)
    assert store.known_signatures() == {"verdict-mismatch:only-go-rejects:x",
                                        "verdict-mismatch:only-python-rejects:y"}
    go_bug = Comparison(Verdict.VERDICT_MISMATCH, "verdict-mismatch:only-go-rejects:x")
    fixed = Comparison(Verdict.VERDICT_MISMATCH, "verdict-mismatch:only-python-rejects:y")
    assert store.is_known_go_bug(go_bug) and not store.is_known_go_bug(fixed)
    assert store.is_known_comparison(fixed)


def test_repro_text_without_a_text_form_is_a_commented_hex_dump() -> None:
    text = render_repro_text(b"go 1.23 trace\x00\x00\x00\xff\xfe", ["Finding: x"])
    lines = text.splitlines()
    assert all(line.startswith("#") for line in lines)
    assert "no exact text form" in text and "ff fe" in text
    text2 = render_repro_text(b"garbage", ["Finding: x"])
    assert "raw reader rejects it" in text2
