"""Defects found on ordinary paths (issue 12, point 6), one test each.

Unwritable outputs fail before any work, with one line and exit 2; ``conform --corpus`` is
used; outside a checkout the corpus is ``./corpus`` and the commands say so; the replay command
of ``repro.txt`` works as printed; ``diff DIR`` skips ``manifest.jsonl``; ``parse -`` with
standard input closed is a usage error; SIGINT keeps partial results and exits 130;
``--version`` exists.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from oracle.campaign import sources
from oracle.campaign.findings import finding_files, write_finding_dir
from oracle.cli.app import main, version_line
from oracle.cli.exits import EXIT_INTERRUPTED
from oracle.diff.compare import compare
from oracle.diff.impls import GoImpl, PythonImpl
from oracle.parser.inputs import load

from tests.oracle.cli.test_cli import assert_one_line_error, run_cli

ROOT = Path(__file__).resolve().parents[3]
SEED = sorted((ROOT / "corpus" / "seeds").glob("*.trace"))[0]
TRUNCATED_GO_FINDING = ROOT / "corpus" / "go-findings" / "sync-unknown-experiment.txt"


# --- Unwritable output paths: checked before any work -----------------------------------------


def _blocked(tmp_path: Path, name: str) -> Path:
    """A path nobody can create, root included: its parent is a regular file."""
    wall = tmp_path / "a-file"
    wall.write_text("")
    return wall / name


OUTPUT_CASES: dict[str, list[str]] = {
    "fuzz --report": ["fuzz", "--time", "600", "--report", "{out}"],
    "diff --report": ["diff", str(SEED), "--report", "{out}"],
    "conform --json": ["conform", "--count", "5000", "--json", "{out}"],
    "conform --junit": ["conform", "--count", "5000", "--junit", "{out}"],
    "coverage --json": ["coverage", "--json", "{out}"],
    "minimize --out": ["minimize", str(SEED), "--out", "{out}"],
    "generate --out": ["generate", "--count", "1", "--out", "{out}"],
}


@pytest.mark.parametrize("argv", OUTPUT_CASES.values(), ids=OUTPUT_CASES.keys())
def test_unwritable_output_fails_before_any_work(tmp_path: Path, argv: list[str]) -> None:
    out = _blocked(tmp_path, "out.json")
    t0 = time.monotonic()
    proc = run_cli(*(a.replace("{out}", str(out)) for a in argv))
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert_one_line_error(proc)
    assert str(out) in proc.stderr and "not a directory" in proc.stderr
    assert proc.stdout == ""  # nothing ran: no "ok", no summary
    assert time.monotonic() - t0 < 30  # a 10-minute campaign was not run first


def test_an_output_that_is_a_directory_is_refused(tmp_path: Path) -> None:
    proc = run_cli("diff", str(SEED), "--report", str(tmp_path))
    assert proc.returncode == 2 and "is a directory" in proc.stderr
    assert_one_line_error(proc)


# --- The corpus: --corpus is used; outside a checkout it is ./corpus, and said ----------------


def _corpus_with_two_seeds(root: Path) -> Path:
    (root / "seeds").mkdir(parents=True)
    for p in sorted((ROOT / "corpus" / "seeds").glob("*.trace"))[:2]:
        (root / "seeds" / p.name).write_bytes(p.read_bytes())
    return root


def test_conform_replays_the_corpus_it_is_given(
        tmp_path: Path, pinned_helper: Path, capsys: pytest.CaptureFixture[str]) -> None:
    corpus = _corpus_with_two_seeds(tmp_path / "mine")
    js = tmp_path / "c.json"
    assert main(["conform", "--count", "0", "--no-testdata", "-q", "--corpus", str(corpus),
                 "--json", str(js)]) == 0
    assert json.loads(js.read_text())["cases"] == 2
    assert f"corpus {corpus}: 2 cases" in capsys.readouterr().out


def test_conform_corpus_must_exist(tmp_path: Path) -> None:
    proc = run_cli("conform", "--corpus", str(tmp_path / "nope"), "--count", "0")
    assert proc.returncode == 2 and "--corpus" in proc.stderr
    assert_one_line_error(proc)


@pytest.fixture
def outside_checkout(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """As after a non-editable ``pip install``: the package is not in a checkout, and the
    working directory is the user's."""
    site = tmp_path / "site-packages"
    site.mkdir()
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.setattr(sources, "_CHECKOUT", site)
    monkeypatch.chdir(work)
    return work


def test_outside_a_checkout_the_corpus_is_the_working_directorys(
        outside_checkout: Path, pinned_helper: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from oracle.campaign.findings import FindingStore

    assert sources.default_corpus_root() == outside_checkout / "corpus"
    assert FindingStore().findings_dir == outside_checkout / "corpus" / "findings"
    # No ./corpus: conform says so and runs without one, instead of silently dropping it.
    assert main(["conform", "--count", "0", "--no-testdata", "-q"]) == 0
    assert f"no corpus at {outside_checkout / 'corpus'}" in capsys.readouterr().err
    # With ./corpus: it is used, and named.
    _corpus_with_two_seeds(outside_checkout / "corpus")
    assert main(["conform", "--count", "0", "--no-testdata", "-q"]) == 0
    assert f"corpus {outside_checkout / 'corpus'}: 2 cases" in capsys.readouterr().out


# --- repro.txt: the replay command it prints works -------------------------------------------


def _replay_command(finding: Path) -> list[str]:
    text = (finding / "repro.txt").read_text(encoding="utf-8", errors="surrogateescape")
    m = re.search(r"^# Replay \(in this directory\): gotrace-oracle (.*?)(?:   \(or .*\))?$",
                  text, re.M)
    assert m is not None, text
    return shlex.split(m.group(1))


@pytest.mark.parametrize("cut", [0, 7], ids=["exact-text-form", "hex-dump-only"])
def test_repro_txt_replay_command_works(tmp_path: Path, go_helper: Any, pinned_helper: Path,
                                        monkeypatch: pytest.MonkeyPatch, cut: int,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    data = load(TRUNCATED_GO_FINDING).data
    data = data[:-cut] if cut else data  # a truncated trace has no exact text form
    with GoImpl(pinned_helper, "1.27.3") as go:
        left, right = PythonImpl().run(data), go.run(data)
    files = finding_files(data, compare(left, right), left, right, toolchain="1.27.3")
    write_finding_dir(tmp_path / "finding", files)
    monkeypatch.chdir(tmp_path / "finding")
    status = main(_replay_command(tmp_path / "finding"))
    out = capsys.readouterr()
    assert status in (0, 1) and "error" not in out.err, out
    assert "diff: 1 inputs" in out.out


# --- diff DIR, parse - ------------------------------------------------------------------------


def test_diff_dir_does_not_count_the_manifest(tmp_path: Path, pinned_helper: Path) -> None:
    assert main(["generate", "--count", "2", "--out", str(tmp_path), "-q"]) == 0
    assert (tmp_path / "manifest.jsonl").is_file()
    traces = [p for p in tmp_path.iterdir() if p.name != "manifest.jsonl"]
    proc = run_cli("diff", "-q", str(tmp_path))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert f"diff: {len(traces)} inputs" in proc.stdout and "input errors" not in proc.stdout


def test_parse_stdin_closed_is_a_usage_error() -> None:
    cmd = f"exec {shlex.quote(sys.executable)} -m oracle parse - <&-"
    proc = subprocess.run(["sh", "-c", cmd], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr and "standard input is closed" in proc.stderr


# --- SIGINT keeps partial results and exits 130 ----------------------------------------------


def _interrupt_go_after(monkeypatch: pytest.MonkeyPatch, calls: int) -> None:
    """Make the ``calls``-th Go run raise KeyboardInterrupt, as SIGINT would."""
    real = GoImpl.run
    seen = {"n": 0}

    def run(self: GoImpl, data: bytes) -> Any:
        seen["n"] += 1
        if seen["n"] == calls:
            raise KeyboardInterrupt
        return real(self, data)

    monkeypatch.setattr(GoImpl, "run", run)


def test_conform_interrupted_keeps_the_cases_done(
        tmp_path: Path, pinned_helper: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    _interrupt_go_after(monkeypatch, 4)
    js, junit = tmp_path / "c.json", tmp_path / "c.xml"
    status = main(["conform", "--count", "50", "--no-testdata", "-q", "--json", str(js),
                   "--junit", str(junit)])
    assert status == EXIT_INTERRUPTED
    summary = json.loads(js.read_text())
    assert summary["interrupted"] and summary["cases"] == 3 and not summary["ok"]
    assert junit.is_file()
    assert "conform: INTERRUPTED: 3 cases" in capsys.readouterr().out


def test_diff_interrupted_keeps_the_inputs_done(
        tmp_path: Path, pinned_helper: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    # diff streams each input through its own helper run: interrupt the third input's.
    from oracle.cli import diff as diff_cmd

    real = diff_cmd._diff_one
    seen = {"n": 0}

    def one(*args: Any, **kw: Any) -> None:
        seen["n"] += 1
        if seen["n"] == 3:
            raise KeyboardInterrupt
        real(*args, **kw)

    monkeypatch.setattr(diff_cmd, "_diff_one", one)
    seeds = sorted((ROOT / "corpus" / "seeds").glob("*.trace"))[:6]
    report = tmp_path / "r.json"
    assert main(["diff", "-q", "--report", str(report), *map(str, seeds)]) == EXIT_INTERRUPTED
    data = json.loads(report.read_text())
    assert data["interrupted"] and data["inputs"] == 2 and data["of"] == 6
    assert "diff: 2 inputs of 6 (interrupted)" in capsys.readouterr().out


def test_diff_sigint_for_real(tmp_path: Path, pinned_helper: Path) -> None:
    """A real SIGINT to a running ``diff``: summary and report of what was done, status 130."""
    assert main(["generate", "--count", "300", "--out", str(tmp_path / "in"), "-q"]) == 0
    report = tmp_path / "r.json"
    proc = subprocess.Popen(
        [sys.executable, "-m", "oracle", "diff", "-v", "-q", "--report", str(report),
         str(tmp_path / "in")],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1", "TZ": "UTC"})
    assert proc.stdout is not None
    oks = 0
    for line in proc.stdout:  # the second "ok" line: the first input is counted by then
        oks += line.startswith("ok")
        if oks == 2:
            break
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == EXIT_INTERRUPTED, err
    assert "(interrupted)" in out and "Traceback" not in err
    data = json.loads(report.read_text())
    assert data["interrupted"] and 1 <= data["inputs"] < data["of"]


def test_readme_lists_exit_status_130() -> None:
    table = (ROOT / "README.md").read_text().split("Exit status is the same", 1)[1]
    assert re.search(r"^\| 130 \| Interrupted", table, re.M)


# --- --version -------------------------------------------------------------------------------


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as e:
        main(["--version"])
    assert e.value.code == 0
    out = capsys.readouterr().out.strip()
    assert out == version_line()
    assert re.fullmatch(
        r"gotrace-oracle \d+\.\d+\.\d+\S* \(parser: (pure Python|compiled \([0-9a-f]{16}\)); .*\)", out
    )
    from oracle.parser import compiled

    assert ("pure Python" in out) == (compiled.implementation() == "pure")
