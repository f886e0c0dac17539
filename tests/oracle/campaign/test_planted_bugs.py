"""The campaign finds bugs planted in a copy of the reference, String() bugs included.

A campaign that compared only the canonical dump let a ``Log`` message printed without quotes
survive 60 s of fuzzing.  Here the package is copied to a temporary directory, bugs are
planted in the copy's source (each edit must apply, so a refactor cannot silently disarm the
test), and ``fuzz`` runs with the copy first on ``PYTHONPATH`` (its spawned workers inherit it)
for at most 60 s, stopping as soon as it has as many new findings as bugs were planted (with
this seed that takes about a second).  Every planted bug must show up as a new finding.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path


ROOT = Path(__file__).resolve().parents[3]

#: Signature prefix a bug must be found under -> (file, original text, planted text).
PLANTED = {
    "string-mismatch:Log": (
        "oracle/parser/event.py", "Message={quote(lg.message)}", "Message={lg.message}",
    ),
    "string-mismatch:Region": (
        "oracle/parser/event.py", "Type={quote(rg.type)}", "Type={rg.type}",
    ),
}


def _planted_copy(dest: Path) -> Path:
    src = dest / "src"
    for d in ("oracle", "strategies", "go-harness"):
        shutil.copytree(ROOT / d, src / d, ignore=shutil.ignore_patterns("__pycache__"))
    for _, (rel, old, new) in PLANTED.items():
        f = src / rel
        text = f.read_text()
        assert text.count(old) == 1, f"planting in {rel}: {old!r} not found once"
        f.write_text(text.replace(old, new))
    return src


def test_fuzz_finds_every_planted_bug_within_60s(tmp_path: Path) -> None:
    src = _planted_copy(tmp_path)
    corpus = tmp_path / "corpus"
    shutil.copytree(ROOT / "corpus", corpus)  # known Go bugs stay known
    env = {**os.environ, "PYTHONPATH": str(src)}
    where = subprocess.run([sys.executable, "-c", "import oracle; print(oracle.__file__)"],
                           env=env, cwd=tmp_path, capture_output=True, text=True, check=True)
    assert where.stdout.strip().startswith(str(src)), where.stdout
    report = tmp_path / "report.json"
    proc = subprocess.run(
        [sys.executable, "-m", "oracle", "fuzz", "--time", "60", "--jobs", "1", "--seed", "planted",
         "--corpus", str(corpus), "--report", str(report), "--no-minimize", "-q",
         "--max-findings", str(len(PLANTED))],
        env=env, cwd=tmp_path, capture_output=True, text=True, timeout=240, check=False,
    )
    assert proc.returncode == 1, proc.stdout + proc.stderr
    found = {d["signature"] for d in json.loads(report.read_text())["divergences"]}
    for prefix in PLANTED:
        assert any(s.startswith(prefix) for s in found), (prefix, found)
