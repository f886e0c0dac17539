"""The CI conformance check (oracle/conform.py): classification, projection, outputs, CLI."""

from __future__ import annotations

import argparse
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from oracle.campaign.sources import default_corpus_root
from oracle.campaign.conform import (
    VERSION_DIFFERENCES,
    Case,
    ConformResult,
    Input,
    classify,
    collect_inputs,
    expected_difference,
    predates_format,
    project_outcomes,
    run_conform,
    write_junit,
)
from oracle.diff.compare import Comparison, Verdict, compare
from oracle.diff.outcome import Outcome, Status
from oracle.campaign.findings import FindingStore
from oracle.harness.helper import helper_for
from oracle.cli.conform import register
from oracle.parser.inputs import load

ROOT = Path(__file__).resolve().parents[3]
GO_FINDINGS = ROOT / "corpus" / "go-findings"
REC = {"i": 0, "kind": "Sync", "time": 1, "m": -1, "p": -1, "g": -1, "stack": None,
       "sync": {"n": 1, "clock": None, "experimental_batches": None}}


def test_version_differences_apply_only_to_older_releases() -> None:
    # 1.23 to 1.26 are reproduced by the reference (oracle/parser/releases.py): their
    # differences are expected only from releases compared under the pinned semantics.
    sig = "event-mismatch:RangeActive:range.scope.id"
    assert expected_difference(22, sig) is not None
    assert expected_difference(23, sig) is None
    assert expected_difference(24, sig) is None
    assert expected_difference(25, sig) is None
    assert expected_difference(27, sig) is None
    bad = "error-text-mismatch:inconsistent status for proc N: old Idle vs. new Bad"
    assert expected_difference(22, bad) is not None and expected_difference(26, bad) is None
    assert expected_difference(22, "error-text-mismatch:whatever") is None
    gen0 = "error-text-mismatch:no frequency event found"
    assert expected_difference(22, gen0, "invalid generation number 0") is not None
    assert expected_difference(22, gen0, "something else") is None
    assert all(d.max_minor < 27 and d.reason for d in VERSION_DIFFERENCES)


def test_projection_before_1_25_keeps_verdicts_and_go_panics() -> None:
    left = Outcome("python", Status.REJECTED, (REC,), "a")
    right = Outcome("go1.24.11", Status.REJECTED, (REC, {**REC, "panics": {"Sync": "x"}}), "b")
    pl, pr = project_outcomes(left, right, 24)
    assert pl.records == () and pr.records == ({**REC, "panics": {"Sync": "x"}},)
    assert compare(Outcome("p", Status.REJECTED, (), "a"), Outcome("g", Status.REJECTED, (), "b")).verdict \
        is Verdict.ERROR_TEXT_MISMATCH
    both = project_outcomes(Outcome("python", Status.REJECTED, (), "a"),
                            Outcome("g", Status.REJECTED, (), "b"), 24)
    assert compare(*both).verdict is Verdict.AGREE
    one = project_outcomes(Outcome("python", Status.ACCEPTED, (REC,)),
                           Outcome("g", Status.REJECTED, (), "boom"), 23)
    assert compare(*one).signature == "verdict-mismatch:only-go-rejects:boom"
    assert project_outcomes(left, right, 25) == (left, right)


def test_predates_format() -> None:
    r = Outcome("g", Status.REJECTED, (), "unknown or unsupported trace version go 1.26")
    assert predates_format(r, 25) and not predates_format(r, 27)


def test_classify(tmp_path: Path) -> None:
    store = FindingStore(tmp_path)
    known = Comparison(Verdict.GO_PANIC, "go-panic:Sync:runtime error: index out of range [N] with length N")
    assert classify(known, 27, store)[0] == "known"
    assert classify(Comparison(Verdict.AGREE, "agree"), 27, store) == ("agree", None)
    assert classify(Comparison(Verdict.UNSUPPORTED, "unsupported"), 27, store)[0] == "unsupported"
    scope = Comparison(Verdict.EVENT_MISMATCH, "event-mismatch:RangeActive:range.scope.id")
    assert classify(scope, 22, store)[0] == "expected"
    assert classify(scope, 23, store)[0] == "fail"
    assert classify(scope, 24, store)[0] == "fail"
    assert classify(scope, 25, store)[0] == "fail"
    assert classify(scope, 27, store)[0] == "fail"
    # A recorded but untriaged (or fixed) finding still fails: conform wants Go's fault only.
    d = tmp_path / "findings" / "x"
    d.mkdir(parents=True)
    (d / "metadata.json").write_text(json.dumps({"signature": scope.signature}))
    assert classify(scope, 27, FindingStore(tmp_path))[0] == "fail"
    (d / "metadata.json").write_text(json.dumps({"signature": scope.signature,
                                                  "classification": "go-bug"}))
    assert classify(scope, 27, FindingStore(tmp_path))[0] == "known"


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


def test_junit_reports_failures_and_skips(tmp_path: Path) -> None:
    result = ConformResult([
        Case("a", "generated", "1.25.5", "fail", "event-mismatch:X:y", None, {"index": 1}),
        Case("b", "generated", "1.25.5", "expected", "event-mismatch:RangeActive:range.scope.id", "finding 9"),
        Case("c", "generated", "1.25.5", "agree", "agree"),
    ], 1.0)
    path = tmp_path / "j.xml"
    write_junit(result, path)
    suite = ET.parse(path).getroot().find("testsuite")
    assert suite is not None and suite.get("failures") == "1" and suite.get("skipped") == "1"
    cases = suite.findall("testcase")
    fail = cases[0].find("failure")
    assert fail is not None and fail.get("message") == "event-mismatch:X:y"
    assert cases[1].find("skipped") is not None and not result.summary()["ok"]


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
