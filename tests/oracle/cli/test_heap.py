"""``gotrace-oracle heap``: summary, --json, --plot, --top and exit statuses."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from oracle.cli.app import main
from oracle.harness.realtraces import real_traces
from oracle.heap.rules import RULE_NAMES


def _trace(scenario: str, allocfree: bool) -> Path:
    return next(t.path for t in real_traces() if t.scenario == scenario and t.allocfree == allocfree)


def test_violations_summary_and_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "h.json"
    assert main(["heap", str(_trace("hdrfree", True)), "--json", str(out), "--top", "3"]) == 1
    text = capsys.readouterr().out
    assert "HeapObject:free-unknown: 1  (causes: malloc-header: 1)" in text
    assert "top types by live bytes:" in text and "spans " in text and "stacks " in text
    doc = json.loads(out.read_text())
    assert set(doc) >= {"violations", "examples", "summary"}
    assert list(doc["violations"]) == list(RULE_NAMES)  # every rule, zeros included
    assert doc["violations"]["HeapObject:off-boundary"] == 1
    ex = next(e for e in doc["examples"] if e["rule"] == "HeapObject:free-unknown")
    assert {"index", "time", "m", "g", "ids", "addresses", "type_name", "cause"} <= set(ex)
    assert doc["summary"]["objects"]["allocated"] > 0 and doc["summary"]["info"]["page_size"] == 8192
    assert len(doc["summary"]["top_live_types"]) <= 3


def test_no_allocfree_data_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["heap", str(_trace("gc", False))]) == 0
    assert "no AllocFree data" in capsys.readouterr().out


def test_consistent_trace_exits_0(tmp_path: Path) -> None:
    from strategies import RandomChooser, draw_valid, trace_params

    vs, template = trace_params(versions=[26], allocfree=True, max_events=60)
    p = tmp_path / "gen.trace"
    p.write_bytes(draw_valid(RandomChooser(5), vs, template).to_binary())
    assert main(["heap", str(p)]) == 0


def test_usage_and_io_errors_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    t = str(_trace("hdrfree", True))
    assert main(["heap", str(tmp_path / "missing.trace")]) == 2
    assert main(["heap", t, "--plot", str(tmp_path / "x.pdf")]) == 2
    assert main(["heap", t, "--release", "1.99"]) == 2
    assert main(["heap", t, "--json", str(tmp_path / "no" / "dir.json")]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 4 and "Traceback" not in err


def test_plot(tmp_path: Path) -> None:
    """matplotlib comes with the ``plot`` extra, which ``make setup`` installs."""
    for suffix in (".png", ".svg"):
        out = tmp_path / f"heap{suffix}"
        assert main(["heap", str(_trace("gc", True)), "--plot", str(out)]) == 1
        assert out.stat().st_size > 5000
