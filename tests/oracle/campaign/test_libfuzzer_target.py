"""libFuzzer conventions (oracle/campaign/libfuzzer_target.py, fuzz_targets/differential.py,
``fuzz CORPUS_DIR... [--merge]``): a standalone target under libFuzzer's own flags, a corpus
that persists and grows, merging, and crash artifacts."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from oracle.campaign.libfuzzer_target import launcher, merge
from oracle.cli.app import main

pytest.importorskip("atheris")  # the [fuzz] extra; `make setup` installs it

ROOT = Path(__file__).resolve().parents[3]
TARGET = ROOT / "fuzz_targets" / "differential.py"
SEEDS = sorted((ROOT / "corpus" / "seeds").glob("generated-*.trace"))[:8]


def _corpus(d: Path) -> Path:
    d.mkdir(parents=True)
    for p in SEEDS:
        shutil.copy(p, d / p.name)
    return d


def run_target(*args: str, cwd: Path, go: str = "", known: Path | None = None,
               timeout: float = 180, helper: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "GOTRACE_ORACLE_GO": go,
           "GOTRACE_ORACLE_CORPUS": str(known or cwd / "known")}
    if helper is not None:
        env["GOTRACE_ORACLE_HELPER"] = str(helper)
    return subprocess.run([sys.executable, str(TARGET), *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=timeout,
                          stdin=subprocess.DEVNULL)


def test_the_target_is_a_standalone_script() -> None:
    assert os.access(TARGET, os.X_OK)
    assert TARGET.read_text().startswith("#!/usr/bin/env python3\n")


def test_launcher_runs_this_interpreter(tmp_path: Path) -> None:
    script = launcher([sys.executable, "-c", "import sys; print(sys.executable, sys.argv[1:])"])
    out = subprocess.run([str(script), "a b", "c"], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == f"{sys.executable} ['a b', 'c']"
    assert launcher([sys.executable, "-c", "import sys; print(sys.executable, sys.argv[1:])"]) == script


def test_replay_fork_and_merge_under_libfuzzer_flags(tmp_path: Path, pinned_helper: Path) -> None:
    corpus = _corpus(tmp_path / "corpus")
    # -runs=0: replay the corpus and stop.
    replay = run_target(str(corpus), "-runs=0", cwd=tmp_path)
    assert replay.returncode == 0, replay.stderr[-3000:]
    assert f"INITED" in replay.stderr and "Done " in replay.stderr
    # -fork=2 -max_total_time: fuzz in child processes; the corpus directory grows.
    fork = run_target(str(corpus), "-fork=2", "-max_total_time=3", cwd=tmp_path)
    assert fork.returncode == 0, fork.stderr[-3000:]
    assert "-fork=2: fuzzing in separate process" in fork.stderr
    grown = len(list(corpus.iterdir()))
    assert grown > len(SEEDS)
    # -merge=1: the inputs that add features, into a new directory.
    small = tmp_path / "small"
    small.mkdir()
    m = run_target("-merge=1", str(small), str(corpus), cwd=tmp_path)
    assert m.returncode == 0, m.stderr[-3000:]
    assert 0 < len(list(small.iterdir())) <= grown


@pytest.mark.slow
def test_a_new_divergence_is_a_crash_with_an_artifact(tmp_path: Path, pinned_helper: Path) -> None:
    # Go 1.22's helper passed off as the pinned one (GOTRACE_ORACLE_HELPER, taken as built with
    # the pinned Go): Go 1.22 puts Sync events at the end of a generation, the pinned semantics
    # at its start, so every trace diverges, and nothing in an empty corpus knows that
    # signature.  (Every release that runs the helper is reproduced, so --go alone would agree.)
    from oracle.harness.helper import helper_for

    corpus = _corpus(tmp_path / "corpus")
    (tmp_path / "art").mkdir()
    proc = run_target(str(corpus), "-runs=0", "-artifact_prefix=art/", cwd=tmp_path,
                      helper=helper_for("1.22.10"))
    assert proc.returncode != 0
    assert "NewDivergence: " in proc.stdout + proc.stderr
    [artifact] = (tmp_path / "art").iterdir()
    assert artifact.name.startswith("crash-") and len(artifact.name) == len("crash-") + 40
    findings = tmp_path / "known" / "findings"
    assert any(p.is_dir() for p in findings.iterdir())  # saved like a campaign's finding
    assert any(p.name.startswith("crash-") for p in findings.iterdir())


def test_fuzz_keeps_and_grows_a_persistent_corpus(tmp_path: Path, pinned_helper: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    kept = tmp_path / "kept"
    argv = ["fuzz", "--engine", "atheris", "--jobs", "1", "--time", "400x", "--seed", "1",
            "--generated-seeds", "20", "-q", "--corpus", str(_corpus(tmp_path / "c")), str(kept)]
    assert main(argv) == 0, capsys.readouterr()
    first = {p.name for p in kept.iterdir()}
    assert first  # what libFuzzer kept is there after the run ...
    assert main(argv) == 0
    assert first <= {p.name for p in kept.iterdir()}  # ... and is read, kept and grown next time


def test_fuzz_merge_minimizes_a_corpus(tmp_path: Path, pinned_helper: Path,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    big = _corpus(tmp_path / "big")
    for p in SEEDS:  # duplicates under other names add no features
        shutil.copy(p, big / f"copy-{p.name}")
    out = tmp_path / "out"
    assert main(["fuzz", "--merge", str(out), str(big)]) == 0
    kept = len(list(out.iterdir()))
    assert 0 < kept <= len(SEEDS)
    assert f"merge: {2 * len(SEEDS)} inputs -> {kept} in {out}" in capsys.readouterr().out
    # One directory: minimized in place.
    assert main(["fuzz", "--merge", str(big)]) == 0
    assert len(list(big.iterdir())) <= len(SEEDS)
    result = merge(out, [], corpus_root=tmp_path / "known")
    assert result.returncode == 0 and result.kept == kept


def test_fuzz_merge_needs_directories(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["fuzz", "--merge"]) == 2
    assert "--merge needs corpus directories" in capsys.readouterr().err
