"""The ``minimize`` subcommand (oracle/cli/minimize.py): finding directories, exit statuses,
usage errors."""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path

import pytest

from oracle.cli.exits import UsageError
from oracle.cli.minimize import register
from oracle.parser.inputs import load

ROOT = Path(__file__).resolve().parents[3]
GO_FINDINGS = ROOT / "corpus" / "go-findings"


def _junk(seed: int, n: int = 300) -> bytes:
    r = random.Random(seed)
    return bytes(r.randrange(256) for _ in range(n))


# --- the subcommand --------------------------------------------------------------------------


def _run(*argv: str) -> int:
    p = argparse.ArgumentParser()
    register(p.add_subparsers())
    args = p.parse_args(["minimize", *argv])
    return int(args.func(args))


def test_cli_minimizes_a_trace_file_into_a_finding_dir(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    case = tmp_path / "case.trace"
    case.write_bytes(load(GO_FINDINGS / "sync-unknown-experiment.txt").data + _junk(5))
    out = tmp_path / "out"
    assert _run(str(case), "--out", str(out), "-q", "--deadline", "30") == 0
    meta = json.loads((out / "metadata.json").read_text())
    assert meta["signature"].startswith("go-panic:Sync:")
    assert meta["toolchain"] == "1.27.3" and meta["minimize"]["calls"] > 0
    assert (out / "original.trace").read_bytes() == case.read_bytes()
    assert load(out / "repro.txt").data == (out / "repro.trace").read_bytes()
    assert len((out / "repro.trace").read_bytes()) < 64
    assert "->" in capsys.readouterr().out

    # A finding directory is a valid CASE too: its metadata gives the signature.
    again = tmp_path / "again"
    assert _run(str(out), "--out", str(again), "-q") == 0
    assert json.loads((again / "metadata.json").read_text())["signature"] == meta["signature"]


def test_cli_agreeing_case_exits_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    case = GO_FINDINGS / "syscallend-says-not-running.txt"
    assert _run(str(case), "--out", str(tmp_path / "x"), "-q") == 1
    assert "no divergence" in capsys.readouterr().out
    assert not (tmp_path / "x").exists()
    sig = "go-panic:Sync:nope"
    assert _run(str(case), "--signature", sig, "--out", str(tmp_path / "x"), "-q") == 1


def test_cli_usage_errors(tmp_path: Path) -> None:
    with pytest.raises(UsageError):
        _run(str(tmp_path / "missing.trace"))
    with pytest.raises(UsageError):
        _run(str(tmp_path), "--out", str(tmp_path / "o"))  # a directory without metadata.json
    with pytest.raises(UsageError):
        _run(str(GO_FINDINGS / "sync-unknown-experiment.txt"), "--deadline", "0")
