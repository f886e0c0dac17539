"""Tests of oracle.campaign.crossrelease: ``fuzz --go V1,V2,...`` (cross-release campaigns).

The ``--go`` list, the Go-vs-Go classification on hand-made outcomes, the known release
changes (matched on the release interval), the documented changes' repros recognised as
known by real releases, and one short real campaign over two releases.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from oracle.campaign.checker import CaseStats, NewFinding
from oracle.campaign.crossrelease import (
    CrossReleaseChecker,
    ReadOnlyStore,
    answer,
    comparable,
    parse_go_list,
    release_change,
)
from oracle.campaign.findings import (
    KNOWN_RELEASE_CHANGES,
    FindingStore,
    is_known_go_signature,
    known_release_change,
)
from oracle.campaign.html import campaign_html
from oracle.campaign.hypothesis_engine import CampaignConfig, GenParams, run_campaign
from oracle.campaign.report import CampaignReport, format_summary
from oracle.cli import app
from oracle.diff.compare import Verdict
from oracle.diff.outcome import Outcome, Status
from oracle.harness.helper import helper_for
from oracle.harness.toolchain import SUPPORTED_VERSIONS
from oracle.parser import raw
from oracle.parser.releases import reproduced

ROOT = Path(__file__).resolve().parents[3]
GO_FINDINGS = ROOT / "corpus" / "go-findings"


# --- the --go list -------------------------------------------------------------------------


def test_go_list_sorted_and_deduplicated() -> None:
    assert parse_go_list("1.27.3, 1.22.10,go1.24.11,1.27.3", SUPPORTED_VERSIONS) == [
        "1.22.10", "1.24.11", "1.27.3"]
    assert parse_go_list("all", SUPPORTED_VERSIONS) == list(SUPPORTED_VERSIONS)


@pytest.mark.parametrize("spec", [",", "1.24.11,latest", "2.0.1,1.22.10", "1.x.3"])
def test_go_list_rejects_bad_lists(spec: str) -> None:
    with pytest.raises(ValueError):
        parse_go_list(spec, SUPPORTED_VERSIONS)


@pytest.mark.parametrize("argv", [
    ["--go", "1.24.11,bogus"],
    ["--go", "1.24.11,1.25.5", "--engine", "atheris"],
    ["--go", "1.24.11,1.25.5", "--goroot", "/nonexistent"],
    ["--replay", "x.trace"],  # --replay needs a list
])
def test_cli_usage_errors(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert app.main(["fuzz", *argv]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err  # one line


def test_replay_names_the_documented_finding(capsys: pytest.CaptureFixture[str]) -> None:
    repro = GO_FINDINGS / "empty-generation-frontier-empty.txt"
    assert app.main(["fuzz", "--go", "1.24.11,1.25.5", "--replay", str(repro)]) == 0
    out = capsys.readouterr().out
    assert "go1.24.11: rejected: broken trace: frontier is empty:" in out
    assert "1.24.11->1.25.5: release-change:1.24.11->1.25.5:" in out
    assert "[known: docs/go-findings.md finding 7]" in out


# --- classification on hand-made outcomes ----------------------------------------------------


def _rec(i: int, kind: str = "StateTransition", time: int = 10, m: int = 1, **extra: Any) -> dict[str, Any]:
    return {"i": i, "kind": kind, "time": time, "m": m, "p": 0, "g": 1, **extra}


def _acc(*records: dict[str, Any], strings: bytes | None = None) -> Outcome:
    return Outcome("go", Status.ACCEPTED, tuple(records), None, strings=strings)


def _rej(error: str, *records: dict[str, Any]) -> Outcome:
    return Outcome("go", Status.REJECTED, tuple(records), error)


def test_answers() -> None:
    assert answer(_acc(_rec(0))) == "accepted"
    assert answer(_rej("invalid status for proc 3: 9")) == "rejected: invalid status for proc N: N"
    assert answer(_acc(_rec(0, panics={"Sync": "index out of range [2] with length 2"}))) \
        == "accessor-panic Sync: index out of range [N] with length N"
    assert answer(Outcome("go", Status.PANIC, (), "nil map")) == "panic: nil map"
    assert answer(_rej("unknown or unsupported trace version go 1.26")) is None


def test_different_answers_are_a_change() -> None:
    c = release_change("1.24.11", _rej("broken trace: frontier is empty:\n[gen=1]"),
                       "1.25.5", _acc(_rec(0, "Sync")))
    assert c is not None and c.verdict is Verdict.RELEASE_CHANGE
    assert c.signature == ("release-change:1.24.11->1.25.5:rejected: broken trace: frontier is "
                           "empty: => accepted")


def test_numbers_alone_are_no_change() -> None:
    assert release_change("1.26.6", _rej("bad proc 3"), "1.27.3", _rej("bad proc 4")) is None


def test_events_compared_within_one_layout_only() -> None:
    a = _acc(_rec(0, transition={"stack": None}))
    b = _acc(_rec(0, transition={"stack": [{"pc": 1}]}))
    c = release_change("1.25.5", a, "1.26.6", b)
    assert c is not None and c.signature == \
        "release-change:1.25.5->1.26.6:events:StateTransition:transition.stack"
    # 1.24 and 1.25 write different layouts (Sync moved): only answers are compared.
    assert not comparable("1.24.11", "1.25.5") and comparable("1.22.10", "1.24.11")
    assert release_change("1.24.11", a, "1.25.5", b) is None


def test_strings_compared_within_one_string_layout() -> None:
    a = _acc(_rec(0), strings=b"M=1 P=0 G=1 StateTransition A\nEOF\n")
    b = _acc(_rec(0), strings=b"M=1 P=0 G=1 StateTransition B\nEOF\n")
    c = release_change("1.26.6", a, "1.27.3", b)
    assert c is not None and c.signature == "release-change:1.26.6->1.27.3:strings:StateTransition"
    assert release_change("1.25.5", a, "1.26.6", b) is None  # 1.26 changed String()'s layout


def test_equal_timestamps_in_chance_order_up_to_1_23() -> None:
    x, y = _rec(0, "Log", time=5, m=1), _rec(1, "Metric", time=5, m=2)
    swapped = [dict(y, i=0), dict(x, i=1)]
    assert release_change("1.22.10", _acc(x, y), "1.23.9", _acc(*swapped)) is None
    c = release_change("1.25.5", _acc(x, y), "1.26.6", _acc(*swapped))
    assert c is not None and c.signature.endswith(":events:Metric:kind")  # the newer side's kind


def test_same_panic_is_no_change_and_nondeterminism_is_none() -> None:
    p = _rec(0, panics={"Range": "expected id 1 in string table"})
    assert release_change("1.26.6", _acc(p), "1.27.3", _acc(dict(p))) is None
    # Finding 5: a Proc transition's M is Go's random pick.
    t = {"resource": {"kind": "Proc", "id": 0}}
    assert release_change("1.26.6", _acc(_rec(0, m=1, transition=t)),
                          "1.27.3", _acc(_rec(0, m=2, transition=t))) is None


def test_unsupported_version_takes_no_part() -> None:
    assert release_change("1.22.10", _rej("unknown or unsupported trace version go 1.23"),
                          "1.23.9", _acc(_rec(0))) is None


# --- what the corpus knows ---------------------------------------------------------------------


def test_known_changes_match_on_the_release_interval() -> None:
    what = "rejected: broken trace: frontier is empty: => accepted"
    for pair in ("1.24.11->1.25.5", "1.22.10->1.27.3", "1.23.9->1.25.5"):
        k = known_release_change(f"release-change:{pair}:{what}")
        assert k is not None and k.finding == 7, pair
    # Outside the interval: 1.25 is not in (1.25, 1.27].
    assert known_release_change(f"release-change:1.25.5->1.27.3:{what}") is None
    assert known_release_change("release-change:1.26.6->1.27.3:accepted => rejected: x") is None
    assert is_known_go_signature(f"release-change:1.24.11->1.25.5:{what}")
    assert not is_known_go_signature("release-change:1.26.6->1.27.3:accepted => rejected: x")


def test_store_knows_documented_changes_and_recorded_ones(tmp_path: Path) -> None:
    store = FindingStore(tmp_path)
    assert store.is_known("release-change:1.25.5->1.26.6:events:RangeActive:range.scope.id")
    assert not store.is_known("release-change:1.25.5->1.26.6:events:Log:kind")


def test_known_changes_have_repros_and_doc_sections() -> None:
    doc = (ROOT / "docs" / "go-findings.md").read_text()
    for k in KNOWN_RELEASE_CHANGES:
        assert f"### {k.finding}." in doc, k
        if k.slug is not None:
            assert (GO_FINDINGS / f"{k.slug}.txt").is_file(), k.slug


def _documented_repros() -> list[tuple[str, int]]:
    return sorted({(k.slug, k.since) for k in KNOWN_RELEASE_CHANGES if k.slug is not None})


@pytest.fixture(scope="module")
def all_releases() -> list[tuple[str, Path]]:
    return [(v, helper_for(v)) for v in SUPPORTED_VERSIONS]


def test_documented_release_changes_are_known(all_releases: list[tuple[str, Path]]) -> None:
    """Every documented change's repro, run through every release, shows only known
    release changes, among them the documented one at its release."""
    with CrossReleaseChecker(all_releases, ReadOnlyStore(Path("/nonexistent")),
                             minimize=False) as checker:
        for slug, since in _documented_repros():
            data = raw.text_to_binary((GO_FINDINGS / f"{slug}.txt").read_text())
            n_new, pairs = len(checker.stats.new), checker.stats.lanes
            before = {name: dict(s.known_signatures) for name, s in pairs.items() if "->" in name}
            checker.check(data)
            assert [f.signature for f in checker.stats.new[n_new:]
                    if f.release and "->" in f.release] == [], slug
            seen = {sig for name, s in pairs.items() if "->" in name
                    for sig, n in s.known_signatures.items() if n > before.get(name, {}).get(sig, 0)}
            assert any((k := known_release_change(sig)) is not None and k.since == since
                       and k.slug == slug for sig in seen), (slug, seen)


# --- statistics and a real campaign ----------------------------------------------------------


def test_lanes_survive_json_and_merge() -> None:
    a = CaseStats(cases=2)
    a.lanes["1.25.5"] = CaseStats(cases=2)
    a.lanes["1.25.5"].verdicts["agree"] = 2
    a.lanes["1.24.11->1.25.5"] = CaseStats(cases=2, new=[NewFinding("s", "release-change", "d", None, [],
                                                                   release="1.24.11->1.25.5", command="c")])
    b = CaseStats.from_json(json.loads(json.dumps(a.to_json())))
    assert b.lanes["1.24.11->1.25.5"].new[0].command == "c"
    b.merge(a)
    assert b.lanes["1.25.5"].verdicts["agree"] == 4 and b.cases == 4


def test_short_campaign_over_two_releases(tmp_path: Path) -> None:
    releases = ("1.24.11", "1.25.5")
    config = CampaignConfig(
        go_binary=helper_for(releases[-1]), go_version=releases[-1],
        releases=tuple((v, helper_for(v)) for v in releases), corpus=tmp_path, jobs=1,
        time_limit=None, max_examples=12, seed="3", minimize=False, progress=False,
        gen=GenParams(max_events=10, max_generations=1, mutants=2, v1_mutants=0))
    report = run_campaign(config)
    assert report.cases == 12 and not report.worker_errors
    assert report.toolchain == "1.24.11,1.25.5"
    out = report.to_json()
    assert set(out["releases"]) == set(releases) and set(out["release_pairs"]) == {"1.24.11->1.25.5"}
    for v in releases:
        lane = out["releases"][v]
        assert lane["cases"] == 12 and sum(lane["go"].values()) == 12
        assert lane["reference"] is (reproduced(v) is not None)
        # A release the reference does not reproduce has no reference verdicts.
        assert (sum(lane["verdicts"].values()) == 12) is lane["reference"]
    pair = out["release_pairs"]["1.24.11->1.25.5"]
    assert sum(pair["verdicts"].values()) == pair["cases"] <= 12
    assert out["findings_by_class"] == report.findings_by_class
    for d in out["divergences"]:
        assert d["release"] in (*releases, "1.24.11->1.25.5") and "--go" in d["command"]
    back = CampaignReport.from_json(out)
    assert back.to_json()["release_pairs"] == out["release_pairs"]
    summary = format_summary(report)
    assert "release pairs (Go vs Go):" in summary and "1.24.11->1.25.5:" in summary
    if reproduced("1.24.11") is None:
        assert "go1.24.11: Go-vs-Go only" in summary
    page = campaign_html(report)
    assert "Release pairs (Go vs Go)" in page and "1.24.11-&gt;1.25.5" in page
