"""Go's own ``internal/trace`` tests, run with extra testdata files.

``gotrace-oracle export`` writes findings in the forms Go's test machinery reads: a
``testdata/tests/*.test`` file for ``TestReaderGolden`` (``TestTestdata`` in older releases)
and a ``testdata/fuzz/FuzzReader`` seed.  Proving that they work means running ``go test`` with
them in place, without touching the toolchain: the files go into a hard-linked copy of GOROOT
(``cp -al``: new files land in copied directories, never in the original), kept at a stable
path in the cache so that Go's build cache is reused and only the first run compiles.  The copy
is locked while files are added, tested and removed again.  The test binary is built once per
call and run once per pattern.
"""

from __future__ import annotations

import subprocess
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from oracle.harness import toolchain

__all__ = ["GoTestRun", "golden_test_name", "run_trace_tests", "trace_package"]


@dataclass(frozen=True, slots=True)
class GoTestRun:
    """One ``go test`` run: its command, exit status and combined output."""

    command: tuple[str, ...]
    returncode: int
    output: str


def trace_package(goroot: Path) -> str:
    """The import path of the v2 trace parser in ``goroot`` (Go 1.22 kept it under ``v2``)."""
    v2 = goroot / "src" / "internal" / "trace" / "v2"
    return "internal/trace/v2" if (v2 / "testdata" / "tests").is_dir() else "internal/trace"


def golden_test_name(goroot: Path) -> str:
    """The test that runs ``testdata/tests/*.test``: ``TestReaderGolden`` (renamed from
    ``TestTestdata``, which some releases still use)."""
    pkg = goroot / "src" / trace_package(goroot)
    for f in sorted(pkg.glob("*_test.go")):
        if "func TestReaderGolden(" in f.read_text(encoding="utf-8", errors="replace"):
            return "TestReaderGolden"
    return "TestTestdata"


def run_trace_tests(tc: toolchain.Toolchain, files: Mapping[str, bytes], runs: Sequence[str],
                    *, timeout: float = 600.0) -> list[GoTestRun]:
    """Go's tests of the trace package of ``tc`` with ``files`` added: the test binary is
    built once (``go test -c``), then run once per ``-test.run`` pattern in ``runs`` (a panic
    ends a test binary, so findings that panic each need a run of their own).

    ``files`` maps paths relative to the package's ``testdata`` directory (``tests/x.test``,
    ``fuzz/FuzzReader/<hash>``) to their contents.
    """
    with toolchain.locked(f"gotest-{tc.version}"):
        goroot = toolchain.linked_goroot(tc, "gotest")
        pkg = trace_package(goroot)
        pkg_dir = goroot / "src" / pkg
        added: list[Path] = []
        try:
            for rel, content in files.items():
                dest = pkg_dir / "testdata" / rel
                if dest.exists():  # a file of Go's own (a hard link): never write through it
                    raise toolchain.ToolchainError(f"{dest} already exists in Go's testdata")
                dest.parent.mkdir(parents=True, exist_ok=True)
                dest.write_bytes(content)
                added.append(dest)
            with tempfile.TemporaryDirectory(prefix="gotrace-gotest-") as tmp:
                binary = Path(tmp) / "trace.test"
                build = (str(goroot / "bin" / "go"), "test", "-c", "-o", str(binary), pkg)
                env = toolchain.go_env(tc, goroot)
                proc = subprocess.run(build, cwd=goroot / "src", env=env, capture_output=True,
                                      text=True, timeout=timeout)
                if proc.returncode != 0:
                    raise toolchain.ToolchainError(
                        f"go test -c {pkg} failed:\n{proc.stdout}{proc.stderr}")
                return [_run(binary, pattern, pkg_dir, env, timeout) for pattern in runs]
        finally:
            for p in added:
                p.unlink(missing_ok=True)


def _run(binary: Path, pattern: str, cwd: Path, env: dict[str, str],
         timeout: float) -> GoTestRun:
    """One run of a test binary, in the package directory (tests read ``./testdata``)."""
    cmd = (str(binary), "-test.v", "-test.count=1", "-test.run", pattern,
           "-test.timeout", f"{int(timeout)}s")
    try:
        proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True,
                              timeout=timeout + 30)
    except subprocess.TimeoutExpired as e:
        raise toolchain.ToolchainError(f"{binary.name} -test.run {pattern}: timed out after "
                                       f"{e.timeout}s") from None
    return GoTestRun(cmd, proc.returncode, proc.stdout + proc.stderr)
