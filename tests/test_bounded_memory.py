"""Every command reads its input as a stream: big inputs run under a memory cap.

Each command runs in a subprocess whose data limit (``RLIMIT_DATA``, which counts the heap and
private mappings but not the Go runtime's address-space reservations, so the Go helper it
starts runs under the same cap) is far below the input's size.  A command that read the file
whole, or built a whole dump, would fail with ``MemoryError`` or be killed.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from oracle.harness import realtraces

CAP = 256 << 20
GIB = 1 << 30

_RUN = """
import resource, sys
resource.setrlimit(resource.RLIMIT_DATA, ({cap}, {cap}))
from oracle.cli.app import main
sys.exit(main(sys.argv[1:]))
"""


def _run(*args: str, cap: int = CAP, quiet: bool = False) -> subprocess.CompletedProcess[str]:
    """Run the CLI under the cap; ``quiet``: its output goes to /dev/null, not to our memory."""
    return subprocess.run([sys.executable, "-c", _RUN.format(cap=cap), *args],
                          stdout=subprocess.DEVNULL if quiet else subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True, timeout=600, check=False)


@pytest.fixture(scope="module")
def zeros(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A sparse 1 GiB file of zeros: not a trace."""
    p = tmp_path_factory.mktemp("big") / "zeros.bin"
    with open(p, "wb") as f:
        f.truncate(GIB)
    return p


@pytest.fixture(scope="module")
def header_then_zeros(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A valid Go 1.26 header followed by 1 GiB of zeros (sparse)."""
    p = tmp_path_factory.mktemp("big") / "header.bin"
    with open(p, "wb") as f:
        f.write(b"go 1.26 trace\x00\x00\x00")
        f.truncate(GIB)
    return p


@pytest.fixture(scope="module")
def many_strings(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """64 MB of valid raw events: a Go 1.26 header and 64k String events of 1 KB."""
    p = tmp_path_factory.mktemp("big") / "strings.bin"
    event = b"\x05\x01\xe8\x07" + b"x" * 1000  # String id=1, 1000 data bytes
    with open(p, "wb") as f:
        f.write(b"go 1.26 trace\x00\x00\x00")
        block = event * 1000
        for _ in range(64):
            f.write(block)
    return p


NOT_A_TRACE = "bad file format: not a Go execution trace?"


@pytest.mark.parametrize("cmd", [["parse"], ["parse", "--format", "json"],
                                 ["parse", "--format", "summary"], ["raw"], ["raw", "--format", "json"]])
def test_a_1gb_non_trace_is_rejected_after_its_header(zeros: Path, cmd: list[str]) -> None:
    proc = _run(*cmd, str(zeros))
    assert proc.returncode == 1, proc.stderr
    assert NOT_A_TRACE in proc.stdout


@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["text", "json"])
def test_raw_streams_64mb_of_events_under_a_smaller_cap(many_strings: Path, fmt: str) -> None:
    # The cap is below the input's size; the interpreter and the CLI's imports take ~40 MB of it.
    proc = _run("raw", "--format", fmt, str(many_strings), cap=48 << 20, quiet=True)
    assert proc.returncode == 0, proc.stderr


def test_parse_streams_past_a_valid_header(header_then_zeros: Path) -> None:
    proc = _run("parse", "--format", "json", str(header_then_zeros))
    assert proc.returncode == 1, proc.stderr
    assert '"end":"error"' in proc.stdout.splitlines()[-1]


@pytest.mark.parametrize("which", ["zeros", "header_then_zeros"])
def test_diff_agrees_on_1gb_inputs_under_the_cap(which: str, request: pytest.FixtureRequest) -> None:
    path: Path = request.getfixturevalue(which)
    proc = _run("diff", "-q", str(path))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "agree 1" in proc.stdout


def test_matrix_streams_a_1gb_input_cell_by_cell(header_then_zeros: Path) -> None:
    proc = _run("matrix", "-q", "--go", "1.27.3", str(header_then_zeros))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "rejected" in proc.stdout and "reference disagrees in 0 cells" in proc.stdout


def test_minimize_does_not_load_an_input_with_nothing_to_minimize(zeros: Path, tmp_path: Path) -> None:
    proc = _run("minimize", str(zeros), "--out", str(tmp_path / "f"))
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "nothing to minimize" in proc.stdout


@pytest.mark.slow
def test_diff_and_parse_on_a_real_trace_under_the_cap() -> None:
    # A real 1 MB trace has about 200k events: whole canonical dumps of it took over 1 GB.
    path = realtraces.large_trace(1 << 20)
    proc = _run("diff", "-q", str(path))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "agree 1" in proc.stdout
    proc = _run("parse", "--format", "summary", str(path))
    assert proc.returncode == 0, proc.stdout + proc.stderr
