"""The command line: exit statuses, one-line errors, no tracebacks (oracle/cli.py)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from oracle.cli.app import build_parser, main
from oracle.harness.helper import GoHelper


def run_cli(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[str]:
    """Run ``python -m oracle`` as a user would; stdin is passed as raw bytes."""
    proc = subprocess.run(
        [sys.executable, "-m", "oracle", *args],
        input=stdin if stdin is not None else b"",
        capture_output=True,
        env={**os.environ, "TZ": "UTC"},
        timeout=300,
    )
    return subprocess.CompletedProcess(
        proc.args, proc.returncode,
        proc.stdout.decode("utf-8", "surrogateescape"), proc.stderr.decode("utf-8", "surrogateescape"),
    )


def assert_one_line_error(proc: subprocess.CompletedProcess[str]) -> None:
    assert "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1, proc.stderr


def test_every_subcommand_has_help(capsys: pytest.CaptureFixture[str]) -> None:
    parser = build_parser()
    subparsers = next(a for a in parser._actions if a.dest == "command")
    names = list(subparsers.choices)  # type: ignore[union-attr]
    assert {"parse", "diff", "raw", "setup", "fuzz"} <= set(names)
    for name in names:
        with pytest.raises(SystemExit) as e:
            main([name, "--help"])
        assert e.value.code == 0
        out = capsys.readouterr().out
        assert out.startswith("usage: gotrace-oracle " + name)


def test_missing_file_is_a_usage_error(tmp_path: Path) -> None:
    proc = run_cli("parse", str(tmp_path / "nope.trace"))
    assert proc.returncode == 2
    assert_one_line_error(proc)
    assert "nope.trace" in proc.stderr


def test_directory_is_a_usage_error(tmp_path: Path) -> None:
    proc = run_cli("parse", str(tmp_path))
    assert proc.returncode == 2
    assert_one_line_error(proc)
    assert "is a directory" in proc.stderr


def test_unreadable_file_is_a_usage_error(tmp_path: Path) -> None:
    # Permission bits do not stop root (CI runs as root), so make reading fail another way:
    # a file whose read() fails with EIO, and, for non-root users, a mode-000 file.
    proc = run_cli("parse", "/proc/self/mem")
    assert proc.returncode == 2
    assert_one_line_error(proc)
    if os.geteuid() != 0:
        p = tmp_path / "secret.trace"
        p.write_bytes(b"go 1.26 trace\x00\x00\x00")
        p.chmod(0)
        proc = run_cli("parse", str(p))
        assert proc.returncode == 2
        assert_one_line_error(proc)


def test_unreadable_path_component_is_a_usage_error(tmp_path: Path) -> None:
    # Works as root too: a path through a regular file cannot be opened (ENOTDIR).
    f = tmp_path / "file"
    f.write_bytes(b"")
    proc = run_cli("parse", str(f / "child.trace"))
    assert proc.returncode == 2
    assert_one_line_error(proc)


@pytest.mark.parametrize("fmt", ["go", "json", "summary"])
def test_empty_file_is_a_rejected_trace(tmp_path: Path, fmt: str) -> None:
    p = tmp_path / "empty.trace"
    p.write_bytes(b"")
    proc = run_cli("parse", "--format", fmt, str(p))
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    assert "bad file format: not a Go execution trace?" in proc.stdout


def test_non_trace_is_a_rejected_trace_with_go_text(tmp_path: Path) -> None:
    p = tmp_path / "elf"
    p.write_bytes(b"\x7fELF\x02\x01\x01" + bytes(100))
    proc = run_cli("parse", str(p))
    assert proc.returncode == 1
    assert proc.stdout == "ERROR: bad file format: not a Go execution trace?\n"


def test_unknown_version_is_rejected_with_go_text() -> None:
    proc = run_cli("parse", "-", stdin=b"go 1.99 trace\x00\x00\x00")
    assert proc.returncode == 1
    assert proc.stdout == "ERROR: unknown or unsupported trace version go 1.99\n"


def test_header_only_go126_trace_is_accepted() -> None:
    # A header-only Go126 trace yields Sync(N=1) then EOF (format digest, section 5).
    proc = run_cli("parse", "-", stdin=b"go 1.26 trace\x00\x00\x00")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.splitlines()[-1] == "EOF"


def test_bad_usage_exits_2() -> None:
    proc = run_cli("parse", "--format", "nope", "x")
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr


# --- parse output formats against Go, and diff ---------------------------------------------------

GO_TESTS = "src/internal/trace/testdata/tests"


def go_test_path(name: str) -> Path:
    from oracle.harness.toolchain import pinned

    return pinned().goroot / GO_TESTS / f"{name}.test"


@pytest.mark.parametrize("name,status", [("go122-annotations", 0), ("go122-fail-first-gen-first", 1)])
def test_parse_formats_match_the_go_helper(go_helper: GoHelper, name: str, status: int) -> None:
    from oracle.parser.inputs import load

    data = load(go_test_path(name)).data
    for fmt, mode in (("go", "go-string"), ("json", "parse")):
        proc = run_cli("parse", "--format", fmt, str(go_test_path(name)))
        assert proc.returncode == status, proc.stderr
        assert proc.stdout.encode("utf-8", "surrogateescape") == go_helper.request(mode, data).output
    proc = run_cli("parse", "--format", "summary", str(go_test_path(name)))
    assert proc.returncode == status
    assert ("verdict: accepted" if status == 0 else "verdict: rejected: ") in proc.stdout


def test_parse_reads_standard_input_in_text_format() -> None:
    from oracle.parser.txtar import read_test_file

    _, text = read_test_file(go_test_path("go122-annotations"))
    proc = run_cli("parse", "-", stdin=text)
    assert proc.returncode == 0
    assert proc.stdout.splitlines()[-1] == "EOF"


def test_diff_agrees_on_go_testdata(tmp_path: Path) -> None:
    report = tmp_path / "report.json"
    proc = run_cli("diff", "-q", "--testdata", "--report", str(report))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "agree" in proc.stdout.splitlines()[-1]
    import json

    data = json.loads(report.read_text())
    assert data["findings"] == [] and data["inputs"] >= 39


def _diff_with_pinned_semantics(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
                                *argv: str) -> tuple[int, str]:
    """``diff --go 1.22.10`` with the reference held to the pinned semantics: every release
    that runs the helper is reproduced, so the divergence these reporting tests need is made
    by comparing Go 1.22 (a Sync at the end of each generation) with the pinned reference (a
    Sync at its start), which diverges on any trace."""
    import oracle.cli.diff

    monkeypatch.setattr(oracle.cli.diff, "reproduced", lambda version: None)
    code = main(["diff", "-q", "--go", "1.22.10", *argv])
    return code, capsys.readouterr().out


@pytest.mark.slow
def test_diff_reports_first_differing_event_and_exits_1(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    code, out = _diff_with_pinned_semantics(monkeypatch, capsys,
                                            str(go_test_path("go122-annotations")))
    assert code == 1, out
    assert "DIFF" in out and "event-mismatch" in out
    assert "first differing event: #0, field kind" in out
    assert "python {" in out and "go     {" in out


@pytest.mark.slow
def test_diff_agrees_with_go_1_22_under_its_semantics() -> None:
    proc = run_cli("diff", "-q", "--go", "1.22.10", str(go_test_path("go122-annotations")))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "agree 1" in proc.stdout and "DIFF" not in proc.stdout


@pytest.mark.slow
def test_diff_all_reports_every_divergent_event_then_the_closing_verdict(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    report = tmp_path / "r.json"
    code, out = _diff_with_pinned_semantics(monkeypatch, capsys, "--all", "--report",
                                            str(report), str(go_test_path("go122-annotations")))
    assert code == 1, out
    assert out.count("first differing event: #0,") == 1
    assert "differing event: #1, field" in out
    (finding,) = json.loads(report.read_text())["findings"]
    assert finding["divergences"] > 2 and finding["index"] == 0
    # Run to the end, both sides' ends are known and reported.
    assert finding["python"]["status"] == "accepted" and finding["go"] is not None


def test_diff_and_parse_stream_a_binary_trace_from_stdin() -> None:
    from oracle.parser.inputs import load

    data = load(go_test_path("go122-annotations")).data
    proc = run_cli("diff", "-q", "-", stdin=data)
    assert proc.returncode == 0 and "agree 1" in proc.stdout, proc.stdout + proc.stderr
    proc = run_cli("parse", "--format", "summary", "-", stdin=data)
    assert proc.returncode == 0 and f"({len(data)} bytes, binary)" in proc.stdout


def test_diff_without_inputs_is_a_usage_error() -> None:
    proc = run_cli("diff")
    assert proc.returncode == 2
    assert_one_line_error(proc)


def test_diff_compares_v1_inputs_whole(tmp_path: Path, pinned_helper: Path,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    """v1 inputs take the whole-outcome path (Go orders their equal timestamps by chance): an
    agreeing Go testdata trace, and a Go finding (an accessor panic) reported like any other."""
    from oracle.harness.toolchain import pinned

    root = Path(__file__).resolve().parents[3]
    good = pinned().goroot / "src/internal/trace/internal/tracev1/testdata/user_task_region_1_21_good"
    bug = root / "corpus" / "go-findings" / "v1-label-unknown-string.trace"
    report = tmp_path / "r.json"
    assert main(["diff", "-v", "-q", "--report", str(report), str(good), str(bug)]) == 1
    out = capsys.readouterr().out
    assert "(v1, ties tolerated)" in out and "go-panic:Label:expected id N in string table" in out
    [finding] = json.loads(report.read_text())["findings"]
    assert finding["input"] == str(bug) and finding["verdict"] == "go-panic"
    assert finding["field"] == "panics.Label" and finding["divergences"] == 1
    assert finding["go"]["status"] == finding["python"]["status"] == "accepted"
