"""Replay corpus/seeds and corpus/regressions against the pinned Go.

* ``corpus/seeds``: every file (detected by content: binary, text, .test txtar, Go fuzz corpus)
  must agree with Go; a ``.test`` file's own expectation (SUCCESS / FAILURE regexp) must hold
  as well.
* ``corpus/regressions``: one directory per classified finding (``repro.trace`` plus
  ``metadata.json``, as written by ``gotrace-oracle minimize`` / ``oracle.campaign.findings``).  Each
  must now agree, unless it is a known Go finding (a documented Go bug's signature, or
  ``"classification": "go-bug"`` in its metadata): then it must still show exactly its recorded
  signature, so that a Go fix (or a change on our side) is noticed.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from oracle.diff import Verdict, compare
from oracle.diff.compare import Comparison
from oracle.diff.impls import GoImpl, PythonImpl
from oracle.campaign.findings import GO_BUG, KNOWN_NONDETERMINISM, is_known_go_signature
from oracle.harness.helper import helper_for
from oracle.parser.inputs import load

ROOT = Path(__file__).resolve().parent.parent
SEEDS = sorted(
    p for p in (ROOT / "corpus" / "seeds").rglob("*") if p.is_file() and not p.name.startswith(".")
)
REGRESSIONS = sorted(
    d for d in (ROOT / "corpus" / "regressions").glob("*")
    if d.is_dir() and not d.name.startswith(".")
)


@pytest.fixture(scope="module")
def go_impl() -> Iterator[GoImpl]:
    with GoImpl(helper_for(), "pinned") as impl:
        yield impl


def test_corpus_has_seeds_from_every_release() -> None:
    names = [p.name for p in SEEDS]
    for v in ("1.22.10", "1.23.9", "1.24.11", "1.25.5", "1.26.6", "1.27.3"):
        assert any(n.startswith(f"go{v}-") for n in names), v
    assert any("allocfree" in n for n in names)


@pytest.mark.parametrize("path", SEEDS, ids=[str(p.relative_to(ROOT / "corpus")) for p in SEEDS])
def test_corpus_file_agrees_with_go(go_impl: GoImpl, path: Path) -> None:
    inp = load(path)
    left, right = PythonImpl().run(inp.data), go_impl.run(inp.data)
    c = compare(left, right)
    assert c.verdict is Verdict.AGREE, (c.signature, c.index, c.field, c.left, c.right)
    if inp.expectation is not None:
        assert inp.expectation.check(left.error), left.error


def test_regressions_are_finding_directories() -> None:
    """Only finding directories (and dotfiles such as .gitkeep) live in corpus/regressions."""
    for p in (ROOT / "corpus" / "regressions").iterdir():
        if p.name.startswith("."):
            continue
        assert p.is_dir(), f"{p.name}: expected a finding directory (repro.trace + metadata.json)"
        assert (p / "repro.trace").is_file() and (p / "metadata.json").is_file(), p.name


def _is_go_finding(meta: dict[str, object]) -> bool:
    sig = str(meta.get("signature", ""))
    return meta.get("classification") == GO_BUG or is_known_go_signature(sig)


def check_regression(directory: Path, go: GoImpl, *, attempts: int = 5) -> Comparison:
    """Replay one regression directory; return the last comparison (or fail).

    A known Go finding must show its recorded signature.  Go's documented nondeterministic
    results (:data:`oracle.campaign.findings.KNOWN_NONDETERMINISM`) show up only in some runs, so up to
    ``attempts`` runs are made, and agreement on every run is accepted for them.
    """
    meta = json.loads((directory / "metadata.json").read_text(encoding="utf-8"))
    data = (directory / "repro.trace").read_bytes()
    py = PythonImpl()
    c = compare(py.run(data), go.run(data))
    if not _is_go_finding(meta):
        assert c.verdict is Verdict.AGREE, (directory.name, c.signature, c.index, c.field)
        return c
    recorded = meta["signature"]
    for _ in range(attempts - 1):
        if not c.agree:
            break
        c = compare(py.run(data), go.run(data))
    flaky = any(recorded.startswith(prefix) for _, prefix in KNOWN_NONDETERMINISM)
    assert c.signature == recorded or (c.agree and flaky), (
        f"{directory.name}: known Go finding now shows {c.signature!r}, recorded {recorded!r}")
    return c


@pytest.mark.parametrize("directory", REGRESSIONS, ids=[d.name for d in REGRESSIONS])
def test_regression_replays(go_impl: GoImpl, directory: Path) -> None:
    check_regression(directory, go_impl)


def test_check_regression_on_synthetic_findings(go_impl: GoImpl, tmp_path: Path) -> None:
    """The replay logic itself, on a known Go finding and on a (fixed) agreeing one."""
    go_dir = tmp_path / "go"
    go_dir.mkdir()
    data = load(ROOT / "corpus" / "go-findings" / "sync-unknown-experiment.txt").data
    (go_dir / "repro.trace").write_bytes(data)
    sig = "go-panic:Sync:runtime error: index out of range [N] with length N"
    (go_dir / "metadata.json").write_text(json.dumps({"signature": sig, "verdict": "go-panic"}))
    assert check_regression(go_dir, go_impl).signature == sig

    fixed = tmp_path / "fixed"
    fixed.mkdir()
    (fixed / "repro.trace").write_bytes(
        load(ROOT / "corpus" / "go-findings" / "syscallend-says-not-running.txt").data)
    (fixed / "metadata.json").write_text(json.dumps(
        {"signature": "error-text-mismatch:x", "classification": "fixed"}))
    assert check_regression(fixed, go_impl).verdict is Verdict.AGREE

    wrong = tmp_path / "wrong"
    wrong.mkdir()
    (wrong / "repro.trace").write_bytes(data)
    (wrong / "metadata.json").write_text(json.dumps({"signature": "error-text-mismatch:x"}))
    with pytest.raises(AssertionError):
        check_regression(wrong, go_impl)
