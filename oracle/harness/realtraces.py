"""Real execution traces, written by real Go runtimes, built and cached on demand.

The ground truth for both the raw layer and the parser is what actual runtimes write.  The
Go program in ``oracle/programs/tracegen`` runs one small workload per scenario (scheduler
churn, GC, tasks/regions/logs, syscalls, CPU profiling, ``iter.Pull`` coroutines, the flight
recorder, cgo callbacks from C threads, several generations, and a large trace for
benchmarks).  :func:`real_traces` builds it with a given toolchain, runs every scenario that
toolchain supports, each plain and with ``GODEBUG=traceallocfree=1``, and caches the results
under the user cache directory keyed by toolchain version and program source hash, so a test
session pays for it once per machine.  The heap scenarios (tiny, largeobj, stacks, manygc,
heapgens, groundtruth, hdrfree, deadg) serve the AllocFree heap oracle; ``groundtruth`` also writes
the addresses of its objects next to the trace (:meth:`RealTrace.side_file`).

Builds and runs are serialized with a lock file, so pytest-xdist workers can ask for the same
set at the same time.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from oracle.harness import toolchain

__all__ = [
    "HEAP_SCENARIOS",
    "PROGRAM_DIR",
    "V1_RUNTIME_VERSIONS",
    "RealTrace",
    "cached_real_traces",
    "large_trace",
    "real_traces",
    "tracegen_binary",
]

PROGRAM_DIR: Final = Path(__file__).parent / "programs" / "tracegen"

#: Runtimes that write v1 traces (Go 1.21 is the last), for the v1 conformance fixtures.  Their
#: ``cgo`` trace (callbacks from C threads) is one Go's own parser rejects.
V1_RUNTIME_VERSIONS: Final = ("1.21.13",)

#: The Go version in tracegen's go.mod; older toolchains (Go 1.21, writing v1 traces) build a
#: copy whose go.mod names their own version.
_GO_MOD_MINOR: Final = 22
#: The first runtime with ``GODEBUG=traceallocfree`` (v2 tracer): older ones get no AllocFree
#: variant, which would be the same trace again.
_ALLOCFREE_MINOR: Final = 22

#: Scenarios that are only for benchmarks, not for the per-toolchain fixture set.
_BENCH_ONLY: Final = frozenset({"large"})

#: The heap workloads (programs/tracegen/heap.go), for the AllocFree heap oracle's tests.  GC
#: heavy, so their traces are large and vary with the machine's load (runtime.GC and the
#: background sweeper yield in loops); the generic real-trace fixtures (tests/conftest.py)
#: leave them out.
HEAP_SCENARIOS: Final = frozenset(
    {"tiny", "largeobj", "stacks", "manygc", "heapgens", "groundtruth", "hdrfree", "deadg"}
)

#: Scenarios that run over several generations (shortened with traceadvanceperiod).
_MULTI_GENERATION: Final = frozenset({"multigen", "heapgens"})


@dataclass(frozen=True, slots=True)
class RealTrace:
    """One trace file written by a real Go runtime."""

    scenario: str
    allocfree: bool
    go_version: str
    path: Path

    @property
    def name(self) -> str:
        """A stable, readable identifier such as ``go1.27.3/gc-allocfree``."""
        suffix = "-allocfree" if self.allocfree else ""
        return f"go{self.go_version}/{self.scenario}{suffix}"

    @property
    def side_file(self) -> Path:
        """Where a scenario's ground-truth record goes (``<trace>.objects``), if it writes one."""
        return self.path.with_name(self.path.name + ".objects")


def _source_hash() -> str:
    h = hashlib.sha256()
    for p in sorted(PROGRAM_DIR.iterdir()):
        if p.is_file():
            h.update(p.name.encode())
            h.update(p.read_bytes())
    return h.hexdigest()[:16]


def _work_dir(tc: toolchain.Toolchain) -> Path:
    d = toolchain.cache_dir() / "realtraces" / f"go{tc.version}-{_source_hash()}"
    d.mkdir(parents=True, exist_ok=True)
    return d


def tracegen_binary(tc: toolchain.Toolchain) -> Path:
    """Build (once) and return the tracegen program for ``tc``."""
    work = _work_dir(tc)
    exe = work / "tracegen"
    if exe.exists():
        return exe
    with toolchain.locked(f"realtraces-{work.name}"):
        if exe.exists():
            return exe
        with tempfile.TemporaryDirectory(dir=work) as tmp:
            src = Path(tmp) / "src"
            shutil.copytree(PROGRAM_DIR, src)
            if tc.minor < _GO_MOD_MINOR:
                # go.mod says "go 1.22", which older toolchains refuse to build; the
                # scenarios that need newer APIs are gated by build tags instead.
                gomod = src / "go.mod"
                gomod.write_text(gomod.read_text().replace(f"go 1.{_GO_MOD_MINOR}", f"go 1.{tc.minor}"))
            out = Path(tmp) / "tracegen"
            proc = subprocess.run(
                [str(tc.go), "build", "-o", str(out), "."],
                cwd=src,
                env=toolchain.go_env(tc, cgo=shutil.which("gcc") is not None),
                capture_output=True,
                text=True,
            )
            if proc.returncode != 0:
                raise toolchain.ToolchainError(
                    f"building tracegen with Go {tc.version} failed:\n{proc.stderr.strip()}"
                )
            os.replace(out, exe)
    return exe


def _godebug(tc: toolchain.Toolchain, scenario: str, allocfree: bool) -> str:
    parts = []
    if allocfree:
        parts.append("traceallocfree=1")
    if scenario in _MULTI_GENERATION and _supports_advance_period(tc):
        parts.append("traceadvanceperiod=50000000")
    return ",".join(parts)


def _supports_advance_period(tc: toolchain.Toolchain) -> bool:
    """Whether the runtime reads ``GODEBUG=traceadvanceperiod`` (shorter generations)."""
    runtime1 = tc.goroot / "src" / "runtime" / "runtime1.go"
    return "traceadvanceperiod" in runtime1.read_text(errors="replace")


def _run(exe: Path, scenario: str, out: Path, env: dict[str, str]) -> None:
    proc = subprocess.run(
        [str(exe), scenario, str(out)], env=env, capture_output=True, text=True, timeout=120
    )
    if proc.returncode != 0:
        raise toolchain.ToolchainError(
            f"tracegen {scenario} failed (exit {proc.returncode}): {proc.stderr.strip()}"
        )


def real_traces(version: str | None = None) -> list[RealTrace]:
    """Every scenario's trace for a toolchain (pinned by default), plain and AllocFree.

    Results are cached; the first call per toolchain builds the program and runs all
    scenarios (a few seconds, ``multigen`` being the longest).
    """
    tc = toolchain.ensure(version, for_helper=False)
    exe = tracegen_binary(tc)
    work = _work_dir(tc)
    manifest = work / "manifest.json"
    if not manifest.exists():
        with toolchain.locked(f"realtraces-{work.name}"):
            if not manifest.exists():
                _produce(tc, exe, work, manifest)
    entries = json.loads(manifest.read_text())
    return [
        RealTrace(e["scenario"], e["allocfree"], tc.version, work / e["file"]) for e in entries
    ]


def cached_real_traces(version: str) -> list[RealTrace]:
    """:func:`real_traces` for ``version`` if they were already produced, else ``[]``.

    Never installs, builds or runs anything: for callers (campaigns) that must not stall on a
    first-time toolchain download.
    """
    work = toolchain.cache_dir() / "realtraces" / f"go{version}-{_source_hash()}"
    manifest = work / "manifest.json"
    if not manifest.is_file():
        return []
    entries = json.loads(manifest.read_text())
    return [RealTrace(e["scenario"], e["allocfree"], version, work / e["file"]) for e in entries]


def _produce(tc: toolchain.Toolchain, exe: Path, work: Path, manifest: Path) -> None:
    listing = subprocess.run([str(exe), "list"], capture_output=True, text=True, check=True)
    entries = []
    for scenario in listing.stdout.split():
        if scenario in _BENCH_ONLY:
            continue
        for allocfree in (False, True) if tc.minor >= _ALLOCFREE_MINOR else (False,):
            name = f"{scenario}{'-allocfree' if allocfree else ''}.trace"
            env = dict(os.environ, GODEBUG=_godebug(tc, scenario, allocfree))
            _run(exe, scenario, work / name, env)
            entries.append({"scenario": scenario, "allocfree": allocfree, "file": name})
    tmp = manifest.with_suffix(".tmp")
    tmp.write_text(json.dumps(entries, indent=1))
    os.replace(tmp, manifest)


def large_trace(size: int = 10 << 20, *, allocfree: bool = False, version: str | None = None) -> Path:
    """A trace of at least ``size`` bytes of scheduler traffic, for benchmarks (cached)."""
    tc = toolchain.ensure(version, for_helper=False)
    exe = tracegen_binary(tc)
    work = _work_dir(tc)
    out = work / f"large-{size}{'-allocfree' if allocfree else ''}.trace"
    if out.exists():
        return out
    with toolchain.locked(f"realtraces-{work.name}"):
        if not out.exists():
            tmp = out.with_suffix(".tmp")
            env = dict(
                os.environ,
                GODEBUG="traceallocfree=1" if allocfree else "",
                TRACEGEN_BYTES=str(size),
                TRACEGEN_OUT=str(tmp),
            )
            _run(exe, "large", tmp, env)
            os.replace(tmp, out)
    return out
