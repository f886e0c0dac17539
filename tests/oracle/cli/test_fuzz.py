"""Tests of oracle.cli.fuzz: the ``fuzz`` subcommand's options, dispatch, exit status and report."""

from __future__ import annotations

import argparse
import json
import re
import signal
import sys
from pathlib import Path

import pytest

from oracle.campaign.report import CampaignReport
from oracle.cli import app
from oracle.cli import fuzz
from oracle.cli.exits import EXIT_INTERRUPTED
from oracle.cli.options import Budget
from tests._terminal_support import signal_once_seen


def main(argv: list[str]) -> int:
    """``gotrace-oracle fuzz ARGV...``, with the CLI's error handling."""
    return app.main(["fuzz", *argv])


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="gotrace-oracle")
    fuzz.register(p.add_subparsers(dest="command", required=True))
    return p


def test_register_defaults() -> None:
    args = _parser().parse_args(["fuzz"])
    assert args.func is fuzz.cmd_fuzz
    assert (args.time, args.max_examples, args.jobs, args.engine) == (None, None, 2, "hypothesis")
    assert (args.seed, args.report, args.no_minimize, args.go) == (None, None, False, None)
    assert (args.max_events, args.max_generations, args.mutants) == (40, 2, 3)


def test_register_options() -> None:
    args = _parser().parse_args([
        "fuzz", "--time", "60", "--jobs", "3", "--engine", "atheris", "--seed", "42",
        "--report", "r.json", "--no-minimize", "--go", "1.25.5", "--max-events", "10",
    ])
    assert (args.time, args.jobs, args.engine, args.seed) == (Budget(seconds=60.0), 3, "atheris", "42")
    assert args.report == Path("r.json") and args.no_minimize and args.go == "1.25.5"


@pytest.mark.parametrize("argv", [
    ["--time", "5", "--max-examples", "3"],  # one limit only
    ["--time", "0"],
    ["--jobs", "0"],
    ["--max-examples", "x"],
    ["--engine", "afl"],
])
def test_register_rejects_bad_options(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as e:
        _parser().parse_args(["fuzz", *argv])
    assert e.value.code == 2


def test_atheris_engine_is_dispatched(monkeypatch: pytest.MonkeyPatch, pinned_helper: Path) -> None:
    seen: list[object] = []

    def run_campaign(config: object) -> CampaignReport:
        seen.append(config)
        return CampaignReport.from_json({"cases": 0, "seconds": 1.0, "engine": "atheris",
                                         "worker_errors": ["stub"]})

    monkeypatch.setattr(fuzz.atheris_engine, "run_campaign", run_campaign)
    assert main(["--engine", "atheris", "--time", "1", "--seed", "5"]) == 1
    assert seen and isinstance(seen[0], fuzz.atheris_engine.AtherisConfig)
    assert seen[0].seed == "5" and seen[0].seconds == 1.0


def test_bad_corpus_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--max-examples", "1", "--corpus", str(tmp_path / "missing")]) == 2
    assert "not a directory" in capsys.readouterr().err


def test_fuzz_runs_and_writes_the_report(pinned_helper: Path, tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    report_path = tmp_path / "out" / "report.json"
    status = main(["--max-examples", "200", "--jobs", "2", "--seed", "3", "-q",
                        "--corpus", str(corpus), "--report", str(report_path),
                        "--max-events", "20"])
    out = capsys.readouterr().out
    assert status == 0, out
    report = json.loads(report_path.read_text())
    assert report["cases"] == 200 and report["seed"] == "3" and report["jobs"] == 2
    assert report["engine"] == "hypothesis" and report["toolchain"] == "1.27.3"
    assert report["divergences"] == [] and isinstance(report["known"], int)
    assert report["cases_per_second"] > 0 and report["seconds"] > 0
    assert "fuzz: 200 cases" in out and "new divergences: 0" in out


_CASES_SEEN = re.compile(rb"\] [1-9][0-9,]* cases")


def test_sigint_ends_a_real_campaign_with_a_report(pinned_helper: Path, tmp_path: Path) -> None:
    """``fuzz`` end to end in a subprocess: Ctrl-C stops it early with the summary and report.

    Its stderr is a terminal, so the progress line updates every 0.25 s: the signal goes as
    soon as the first cases are checked, however long the start-up takes on a busy machine.
    """
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    report_path = tmp_path / "report.json"
    rc, out, progress = signal_once_seen(
        [sys.executable, "-m", "oracle", "fuzz", "--time", "120", "--jobs", "2", "--seed", "9",
         "--corpus", str(corpus), "--report", str(report_path), "--max-events", "20"],
        _CASES_SEEN, signal.SIGINT)
    assert rc == EXIT_INTERRUPTED, progress  # the README's table: 130
    report = json.loads(report_path.read_text())
    assert report["interrupted"] == "SIGINT" and report["cases"] > 0
    assert report["seconds"] < 60
    assert b"interrupted by SIGINT" in out


@pytest.mark.parametrize("text,budget", [
    ("30s", Budget(seconds=30.0)), ("5m", Budget(seconds=300.0)), ("1h", Budget(seconds=3600.0)),
    ("250ms", Budget(seconds=0.25)), ("45", Budget(seconds=45.0)), ("1000x", Budget(runs=1000)),
])
def test_time_takes_go_and_libfuzzer_durations(text: str, budget: Budget) -> None:
    assert _parser().parse_args(["fuzz", "--time", text]).time == budget


@pytest.mark.parametrize("text", ["0x", "0s", "5 minutes", "1.5x", "-3s", "x"])
def test_bad_durations_are_usage_errors(text: str) -> None:
    with pytest.raises(SystemExit) as e:
        _parser().parse_args(["fuzz", "--time", text])
    assert e.value.code == 2


def test_time_in_cases_is_a_case_budget(monkeypatch: pytest.MonkeyPatch, pinned_helper: Path) -> None:
    seen: list[object] = []

    def run_campaign(config: object) -> CampaignReport:
        seen.append(config)
        return CampaignReport.from_json({"cases": 0, "seconds": 1.0, "engine": "atheris"})

    monkeypatch.setattr(fuzz.atheris_engine, "run_campaign", run_campaign)
    assert main(["--engine", "atheris", "--time", "500x", "-q"]) == 0
    cfg = seen[0]
    assert isinstance(cfg, fuzz.atheris_engine.AtherisConfig)
    assert (cfg.seconds, cfg.max_examples) == (None, 500)


def test_corpus_dirs_are_for_the_atheris_engine(tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--time", "1s", str(tmp_path)]) == 2
    assert "--engine atheris" in capsys.readouterr().err
