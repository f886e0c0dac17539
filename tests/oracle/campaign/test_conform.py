"""The CI conformance check (oracle/conform.py): classification, projection, outputs, CLI."""

from __future__ import annotations

import argparse
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from oracle.campaign.sources import default_corpus_root
from oracle.campaign.conform import (
    Case,
    ConformResult,
    Input,
    classify,
    collect_inputs,
    run_conform,
    write_junit,
)
from oracle.diff.compare import Comparison, Verdict
from oracle.campaign.findings import FindingStore
from oracle.harness.helper import helper_for
from oracle.cli.conform import register
from oracle.parser.inputs import load

ROOT = Path(__file__).resolve().parents[3]
GO_FINDINGS = ROOT / "corpus" / "go-findings"
REC = {"i": 0, "kind": "Sync", "time": 1, "m": -1, "p": -1, "g": -1, "stack": None,
       "sync": {"n": 1, "clock": None, "experimental_batches": None}}


def test_classify(tmp_path: Path) -> None:
    store = FindingStore(tmp_path)
    known = Comparison(Verdict.GO_PANIC, "go-panic:Sync:runtime error: index out of range [N] with length N")
    assert classify(known, store)[0] == "known"
    assert classify(Comparison(Verdict.AGREE, "agree"), store) == ("agree", None)
    # Every release is compared under its own semantics: a documented release difference is
    # reproduced by a switch, so a divergence that is not a known Go bug fails.
    scope = Comparison(Verdict.EVENT_MISMATCH, "event-mismatch:RangeActive:range.scope.id")
    assert classify(scope, store)[0] == "fail"
    # A recorded but untriaged (or fixed) finding still fails: conform wants Go's fault only.
    d = tmp_path / "findings" / "x"
    d.mkdir(parents=True)
    (d / "metadata.json").write_text(json.dumps({"signature": scope.signature}))
    assert classify(scope, FindingStore(tmp_path))[0] == "fail"
    (d / "metadata.json").write_text(json.dumps({"signature": scope.signature,
                                                  "classification": "go-bug"}))
    assert classify(scope, FindingStore(tmp_path))[0] == "known"


def test_inputs_are_reproducible_and_cover_every_group() -> None:
    a = collect_inputs(count=5, seed=3, corpus=default_corpus_root())
    b = collect_inputs(count=5, seed=3, corpus=default_corpus_root())
    assert [(i.name, i.data) for i in a] == [(i.name, i.data) for i in b]
    groups = {i.group for i in a}
    assert groups == {"testdata", "corpus", "generated"}
    assert len({i.name for i in a}) == len(a)
    assert sum(i.group == "generated" for i in a) == 10
    assert any(i.mutations for i in a if i.group == "generated")


def test_run_against_pinned_go_and_outputs(tmp_path: Path) -> None:
    inputs = [Input(p.stem, "corpus", load(p).data) for p in sorted(GO_FINDINGS.glob("*.txt"))]
    inputs += [i for i in collect_inputs(count=20, seed=1, testdata=False) if i.group == "generated"]
    result = run_conform(inputs, [("1.27.3", helper_for())], store=FindingStore(tmp_path))
    assert len(result.cases) == len(inputs)
    statuses = {c.input: c.status for c in result.cases}
    assert statuses["sync-unknown-experiment"] == "known"
    assert statuses["syscallend-says-not-running"] == "agree"
    assert not result.failures, result.failures
    junit = tmp_path / "c.xml"
    write_junit(result, junit)
    root = ET.parse(junit).getroot()
    suite = root.find("testsuite")
    assert suite is not None and suite.get("name") == "go1.27.3"
    assert int(suite.get("tests", "0")) == len(inputs) and suite.get("failures") == "0"
    summary = result.summary()
    assert summary["ok"] and summary["toolchains"]["1.27.3"]["cases"] == len(inputs)


def test_run_against_go_1_22_uses_its_semantics(tmp_path: Path) -> None:
    """Go 1.22's documented differences (findings 6, 8, 9, 10, the v1 and Go123+ headers it
    cannot read) agree under 1.22.10's semantics: nothing is left to excuse."""
    inputs = [Input(p.stem, "corpus", load(p).data) for p in sorted(GO_FINDINGS.glob("*.txt"))]
    inputs.append(Input("go123-header", "corpus", b"go 1.23 trace\x00\x00\x00"))
    inputs.append(Input("v1-header", "corpus", b"go 1.21 trace\x00\x00\x00"))
    result = run_conform(inputs, [("1.22.10", helper_for("1.22.10"))],
                         store=FindingStore(tmp_path))
    statuses = {c.input: c.status for c in result.cases}
    assert statuses["spill-error-before-first-generation"] == "agree"
    assert statuses["gcsweepactive-scope"] == "agree"
    assert statuses["go123-header"] == statuses["v1-header"] == "agree"
    assert statuses["gostatus-uint8-truncation"] == "known"
    assert set(statuses.values()) <= {"agree", "known"}, result.failures


def test_run_refuses_a_release_it_does_not_reproduce(tmp_path: Path) -> None:
    from oracle.parser.releases import UnsupportedReleaseError

    with pytest.raises(UnsupportedReleaseError):
        run_conform([], [("1.24.5", tmp_path / "no-helper")], store=FindingStore(tmp_path))


def test_junit_reports_failures_and_known_bugs(tmp_path: Path) -> None:
    result = ConformResult([
        Case("a", "generated", "1.25.5", "fail", "event-mismatch:X:y", None, {"index": 1}),
        Case("b", "generated", "1.25.5", "known", "go-panic:Sync:x", "documented Go bug"),
        Case("c", "generated", "1.25.5", "agree", "agree"),
    ], 1.0)
    path = tmp_path / "j.xml"
    write_junit(result, path)
    suite = ET.parse(path).getroot().find("testsuite")
    assert suite is not None and suite.get("failures") == "1" and suite.get("skipped") is None
    cases = suite.findall("testcase")
    fail = cases[0].find("failure")
    assert fail is not None and fail.get("message") == "event-mismatch:X:y"
    out = cases[1].find("system-out")
    assert out is not None and out.text == "known: go-panic:Sync:x (documented Go bug)"
    assert cases[2].find("failure") is None and not result.summary()["ok"]


def _run(*argv: str) -> int:
    p = argparse.ArgumentParser()
    register(p.add_subparsers())
    args = p.parse_args(["conform", *argv])
    return int(args.func(args))


def test_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    junit, js = tmp_path / "c.xml", tmp_path / "c.json"
    assert _run("--count", "10", "--junit", str(junit), "--json", str(js), "-q") == 0
    out = capsys.readouterr().out
    assert "conform go1.27.3:" in out and "conform: ok" in out
    summary = json.loads(js.read_text())
    assert summary["ok"] and summary["cases"] > 20
    assert ET.parse(junit).getroot().tag == "testsuites"


def test_cli_usage_errors() -> None:
    from oracle.cli.exits import UsageError

    with pytest.raises(UsageError):
        _run("--count", "-1")
    with pytest.raises(UsageError):
        _run("--go", "1.21.0")
    # A release the reference does not reproduce is refused before anything is installed.
    with pytest.raises(UsageError, match="does not reproduce Go 1.24.5"):
        _run("--go", "1.24.5")
    # The --go list is fuzz's and matrix's: "all", or versions, checked before any install.
    with pytest.raises(UsageError, match="is not a Go release like"):
        _run("--go", "1.27.3,latest")
    with pytest.raises(UsageError, match="no release"):
        _run("--go", " , ")
