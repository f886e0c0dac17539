"""The cross-release matrix (oracle.campaign.matrix, oracle.cli.matrix)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from oracle.campaign.matrix import build_matrix, cell_of, matrix_html, matrix_json, stream_cell
from oracle.diff.compare import ties_possible
from oracle.diff.outcome import Outcome, Status

ROOT = Path(__file__).resolve().parents[3]
REC = {"i": 0, "kind": "Sync", "time": 1}
OK = Outcome("go", Status.ACCEPTED, (REC,))
BAD = Outcome("go", Status.REJECTED, (), "broken")
OLD = Outcome("go", Status.REJECTED, (), "unknown or unsupported trace version go 1.26")
PANICS = Outcome("go", Status.ACCEPTED, ({**REC, "panics": {"Sync": "boom"}},))


class Fixed:
    def __init__(self, by_input: dict[bytes, Outcome]) -> None:
        self.by_input = by_input

    def run(self, data: bytes) -> Outcome:
        return self.by_input[data]


def test_cells_classify_go_and_check_the_reference() -> None:
    assert cell_of(OK, None, b"x").label == "accepted (1)" and cell_of(OK, None, b"x").reference == "n/a"
    assert cell_of(OLD, None, b"x").verdict == "unsupported"
    assert cell_of(PANICS, PANICS, b"x").verdict == "panic" and cell_of(PANICS, PANICS, b"x").reference == "agree"
    c = cell_of(BAD, OK, b"x")
    assert c.verdict == "rejected" and c.detail == "broken" and c.reference == "disagree" and c.signature


def test_matrix_marks_rows_where_releases_disagree() -> None:
    inputs = [("a", b"a"), ("b", b"b")]
    go = {"1.22.10": Fixed({b"a": OLD, b"b": BAD}), "1.27.3": Fixed({b"a": OK, b"b": BAD})}
    ref = {"1.27.3": Fixed({b"a": OK, b"b": OK})}
    m = build_matrix(inputs, list(go), go.__getitem__, ref.get)
    assert [r.releases_disagree for r in m.rows] == [True, False]
    assert m.reference_disagreements == 1  # input b under 1.27.3
    j = matrix_json(m)
    assert j["summary"] == {"inputs": 2, "rows_where_releases_disagree": 1, "reference_disagreements": 1}
    page = matrix_html(m)
    assert page.startswith("<!DOCTYPE html>") and "class='differ'" in page
    assert "http" not in page and "<script" not in page  # self-contained


def test_matrix_command_on_real_releases(tmp_path: Path, pinned_helper: Path) -> None:
    out = tmp_path / "m.json"
    page = tmp_path / "m.html"
    proc = subprocess.run(
        [sys.executable, "-m", "oracle", "matrix", "--go", "1.26.6,1.27.3", "--json", str(out),
         "--html", str(page), str(ROOT / "corpus" / "go-findings" / "abandoned-status-named-bad.txt"),
         str(ROOT / "corpus" / "go-findings" / "v1-gocreate-unknown-stack.trace")],
        capture_output=True, text=True, env={"TZ": "UTC", "PATH": "/usr/bin:/bin"},
    )
    assert proc.returncode == 0, proc.stderr
    j = json.loads(out.read_text())
    rows = {Path(r["input"]).name: r for r in j["rows"]}
    bad = rows["abandoned-status-named-bad.txt"]
    assert bad["releases_disagree"]  # "Bad" in 1.26, "SyscallAbandoned" in 1.27 (finding 10)
    assert {c["reference"] for c in bad["cells"].values()} == {"agree"}
    v1 = rows["v1-gocreate-unknown-stack.trace"]["cells"]
    assert v1["1.27.3"]["verdict"] == "panic" and v1["1.27.3"]["reference"] == "agree"
    assert page.read_text().count("<tr") == 3


@pytest.mark.slow
def test_matrix_on_testdata_corpus_and_generated_traces() -> None:
    """The CI matrix: Go's testdata, the corpus and generated traces, every reproduced release.

    The reference must agree with each release in every cell (Go's own panics mirrored).
    """
    from oracle.campaign.hypothesis_engine import GenParams, family
    from oracle.diff.impls import GoImpl, PythonImpl
    from oracle.harness.helper import helper_for
    from oracle.parser.inputs import expand_paths, load
    from oracle.parser.releases import RELEASES
    from tests.conftest import go_testdata_dir

    paths = [str(go_testdata_dir() / "tests"), str(go_testdata_dir() / "fuzz" / "FuzzReader"),
             str(ROOT / "corpus" / "seeds"), str(ROOT / "corpus" / "go-findings")]
    inputs = [(p, load(p).data) for p in expand_paths(paths) if "random" not in p]
    for i in range(10):
        inputs += [(c.seed, c.data) for c in family(f"matrix:{i}", GenParams(max_events=30))]
    releases = sorted(RELEASES)
    gos = {r: GoImpl(helper_for(r), r) for r in releases}
    try:
        m = build_matrix(inputs, releases, gos.__getitem__, lambda r: PythonImpl(r))
    finally:
        for g in gos.values():
            g.close()
    bad = [(r.name, rel, c.signature) for r in m.rows for rel, c in r.cells.items() if c.reference != "agree"]
    assert not bad
    assert m.rows_where_releases_disagree > 0  # liveness: the releases do differ somewhere


def test_matrix_refuses_big_v1_traces(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Go reads a v1 trace whole, so a big one is a one-line usage error before any Go runs,
    pointing at ``diff``."""
    from oracle.cli.app import main
    from oracle.cli.matrix import MAX_INPUT_BYTES

    big = tmp_path / "big.trace"
    with open(big, "wb") as f:
        f.write(b"go 1.21 trace\x00\x00\x00")
        f.truncate(MAX_INPUT_BYTES + 1)  # sparse: no memory, no disk
    assert main(["matrix", str(big), "--go", "1.27.3"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "diff --go VER" in err


def test_streamed_cells_equal_whole_cells(tmp_path: Path) -> None:
    """:func:`stream_cell` (bounded memory, for big traces) gives the very cell
    :func:`cell_of` gives from whole outcomes, on Go's testdata, its fuzz seeds and the corpus'
    v2 inputs, for a release the reference reproduces and for one it may not."""
    from oracle.diff.impls import GoImpl, PythonImpl
    from oracle.harness.helper import helper_for
    from oracle.parser.inputs import expand_paths, load
    from oracle.parser.releases import reproduced
    from tests.conftest import go_testdata_dir

    paths = [str(go_testdata_dir() / "tests"), str(go_testdata_dir() / "fuzz" / "FuzzReader"),
             str(ROOT / "corpus" / "go-findings")]
    inputs = [(p, load(p).data) for p in expand_paths(paths) if "random" not in p]
    inputs = [(p, d) for p, d in inputs if not ties_possible(d)]
    files = []
    for i, (_, data) in enumerate(inputs):
        f = tmp_path / f"{i}.trace"
        f.write_bytes(data)
        files.append(f)
    verdicts = set()
    for rel in ("1.27.3", "1.24.11"):
        binary = helper_for(rel)
        sem = reproduced(rel)
        with GoImpl(binary, rel) as go:
            ref = PythonImpl(sem) if sem is not None else None
            for (name, data), f in zip(inputs, files):
                whole = cell_of(go.run(data), None if ref is None else ref.run(data), data)
                streamed = stream_cell(binary, f, sem, checked=ref is not None, idle_timeout=20)
                assert streamed == whole, (rel, name)
                verdicts.add(whole.verdict)
    assert {"accepted", "rejected", "panic", "unsupported"} <= verdicts
