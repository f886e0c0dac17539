"""Tests of oracle.campaign.report: the typed report, its JSON round trip, atomic writing, summary."""

from __future__ import annotations

import json
from pathlib import Path

from oracle.campaign.report import CampaignReport, format_summary, write_json_atomic


def test_write_report_is_atomic_and_summary_renders(tmp_path: Path) -> None:
    report = {
        "cases": 10, "seconds": 2.0, "cases_per_second": 5.0, "engine": "hypothesis",
        "jobs": 2, "toolchain": "1.27.3", "seed": "1", "go": {"accepted": 4, "rejected": 6},
        "verdicts": {"agree": 9, "go-panic": 1},
        "divergences": [{"signature": "go-panic:x", "class": "go-panic", "repro": "/r",
                         "cases": 1, "seed": None, "mutations": []}],
        "known": 0, "known_cases": 0, "known_signatures": {}, "interrupted": "SIGINT",
        "worker_errors": [], "generator_errors": 0,
    }
    typed = CampaignReport.from_json(report)
    out = tmp_path / "sub" / "report.json"
    write_json_atomic(out, typed.to_json())
    write_json_atomic(out, typed.to_json())
    written = json.loads(out.read_text())
    assert {k: written[k] for k in report} == report
    assert CampaignReport.from_json(written) == typed
    assert [p.name for p in out.parent.iterdir()] == ["report.json"]
    text = format_summary(typed)
    assert "10 cases" in text and "go-panic:x" in text and "SIGINT" in text
