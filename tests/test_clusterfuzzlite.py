"""The ClusterFuzzLite project (.clusterfuzzlite/): what can be tested without its Docker image.

``build.sh`` runs in a clean directory holding only the repository's files (OSS-Fuzz's ``$SRC``,
``$OUT``, ``$WORK`` conventions), and the target it produces runs its seed corpus under
libFuzzer's flags: ``-runs=0`` (replay), ``-fork``, ``-merge``.  The PyInstaller packaging of
the real image (``compile_python_fuzzer``) is the one step left untested here.
"""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

pytest.importorskip("atheris")

ROOT = Path(__file__).resolve().parent.parent
CFL = ROOT / ".clusterfuzzlite"


def _repository_files() -> list[str]:
    out = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
                         cwd=ROOT, capture_output=True, check=True).stdout
    return [f for f in out.decode().split("\0") if f and (ROOT / f).exists()]


def test_project_files() -> None:
    assert (CFL / "project.yaml").read_text().splitlines()[-1] == "language: python"
    docker = (CFL / "Dockerfile").read_text()
    assert "FROM gcr.io/oss-fuzz-base/base-builder-python" in docker
    assert "COPY .clusterfuzzlite/build.sh $SRC/" in docker
    assert os.access(CFL / "build.sh", os.X_OK)


@pytest.mark.slow
def test_build_sh_in_a_clean_directory_and_the_target_under_libfuzzer_flags(
        tmp_path: Path, pinned_helper: Path) -> None:
    src = tmp_path / "src" / "gotrace-oracle"
    src.mkdir(parents=True)
    files = _repository_files()
    subprocess.run(["cp", "-a", "--parents", "-t", str(src), *files], cwd=ROOT, check=True)
    out, work = tmp_path / "out", tmp_path / "work"
    env = {**os.environ, "SRC": str(tmp_path / "src"), "OUT": str(out), "WORK": str(work),
           "PYTHON": sys.executable, "GOTRACE_SITE": str(work / "site")}
    env.pop("PYTHONPATH", None)
    build = subprocess.run(["bash", str(src / ".clusterfuzzlite" / "build.sh")], env=env,
                           cwd=tmp_path, capture_output=True, text=True, timeout=900)
    assert build.returncode == 0, build.stdout + build.stderr
    assert {p.name for p in out.iterdir()} == {
        "differential", "gotrace-helper", "differential_seed_corpus.zip"}
    corpus = tmp_path / "corpus"
    with zipfile.ZipFile(out / "differential_seed_corpus.zip") as z:
        z.extractall(corpus)
    seeds = len(list(corpus.iterdir()))
    assert seeds >= 10

    def target(*args: str) -> subprocess.CompletedProcess[str]:
        run_env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
        run_env["GOTRACE_ORACLE_CORPUS"] = str(tmp_path / "known")
        return subprocess.run([str(out / "differential"), *args], cwd=tmp_path, env=run_env,
                              capture_output=True, text=True, timeout=300,
                              stdin=subprocess.DEVNULL)

    # The built target replays its seed corpus under libFuzzer's flags.  Fork mode and merging
    # run the same target code: tests/oracle/campaign/test_libfuzzer_target.py covers those.
    replay = target(str(corpus), "-runs=0")
    assert replay.returncode == 0, replay.stderr[-3000:]
    assert "INITED" in replay.stderr and "Done " in replay.stderr
    # The target ran the copy build.sh installed, with the helper it shipped.
    probe = subprocess.run(
        [sys.executable, "-c", "import oracle; print(oracle.__file__)"],
        env={**os.environ, "PYTHONPATH": str(work / "site")}, capture_output=True, text=True,
        cwd=tmp_path)
    assert probe.stdout.startswith(str(work / "site"))
    assert f"GOTRACE_ORACLE_HELPER=\"$(dirname \"$0\")/gotrace-helper\"" in (
        out / "differential").read_text()
