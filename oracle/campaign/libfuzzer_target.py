"""The differential check as a plain libFuzzer target, for libFuzzer's own command line.

``python fuzz_targets/differential.py CORPUS [libFuzzer flags]`` (or ``python -m
oracle.campaign.libfuzzer_target ...``) runs the check under atheris the way any libFuzzer
target runs: libFuzzer owns the command line (``-max_total_time=60``, ``-runs=0`` to replay a
corpus, ``-fork=N``, ``-merge=1 OUT IN...``, ``-artifact_prefix=...``), grows the first corpus
directory, and treats a *new* divergence as a crash: the target raises
:class:`NewDivergence`, so libFuzzer writes ``crash-<sha1>`` and exits non-zero, which is what
OSS-Fuzz and ClusterFuzzLite report.  Documented Go bugs, Go's documented nondeterminism and
findings already in the corpus are not crashes: a fuzzer that stopped on a known bug would
find nothing else.  The finding is also saved in the findings store, like a campaign's.

Settings that libFuzzer's command line cannot carry come from the environment:
``GOTRACE_ORACLE_GO`` (a Go release; default the pinned one), ``GOTRACE_ORACLE_HELPER`` (a
prebuilt Go helper of the pinned Go, as a packaged target ships it) and
``GOTRACE_ORACLE_CORPUS`` (the corpus root whose findings are known and where new ones are
saved; default :func:`~oracle.campaign.sources.default_corpus_root`).

The uninstrumented parser gives libFuzzer no coverage, so the target feeds it the engine's
semantic features (:class:`~oracle.campaign.atheris_engine.Feedback`) and mutates with the
structure-aware mutator, as ``fuzz --engine atheris`` does.  libFuzzer's ``-fork`` and
``-merge`` re-run ``argv[0]`` as a program; a Python script is not one, so argv[0] is replaced
by a small launcher script that runs this same interpreter (:func:`launcher`).
"""

from __future__ import annotations

import hashlib
import importlib
import os
import shutil
import stat
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from oracle.campaign.atheris_engine import MAX_LEN, Feedback, changed_key, features
from oracle.campaign.atheris_mutators import StructureAwareMutator, generated_seeds
from oracle.campaign.checker import CaseChecker
from oracle.campaign.findings import FindingStore
from oracle.campaign.sources import default_corpus_root
from oracle.harness import toolchain

__all__ = ["DEFAULT_FLAGS", "SHIPPED_HELPER", "MergeResult", "NewDivergence", "launcher", "main",
           "merge"]

#: libFuzzer flags the target starts with; the command line's own come after and win.
#: ``-max_len``: see :data:`oracle.campaign.atheris_engine.MAX_LEN`.
DEFAULT_FLAGS: Final = (f"-max_len={MAX_LEN}", "-rss_limit_mb=4096")

#: This module's name for ``python -m`` (``__name__`` is ``__main__`` when it runs that way).
MODULE: Final = "oracle.campaign.libfuzzer_target"

#: Strategies traces rebuilt as models for the structure-aware mutator.
_MODELS: Final = 100


class NewDivergence(Exception):
    """A divergence the corpus does not know: the crash libFuzzer reports."""


def launcher(command: Sequence[str]) -> Path:
    """An executable script that runs ``command`` (this interpreter and its arguments) with the
    arguments it is given, for libFuzzer's argv[0]: ``-fork`` and ``-merge`` re-run it."""
    body = "#!/bin/sh\nexec " + " ".join(_sh_quote(c) for c in command) + ' "$@"\n'
    d = toolchain.cache_dir() / "launchers"
    d.mkdir(parents=True, exist_ok=True)
    path = d / f"target-{hashlib.sha1(body.encode()).hexdigest()[:12]}"
    if not path.is_file() or path.read_text() != body:
        tmp = path.with_name(f".{path.name}.{os.getpid()}")
        tmp.write_text(body)
        tmp.chmod(tmp.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
        tmp.replace(path)
    return path


def _sh_quote(s: str) -> str:
    return "'" + s.replace("'", "'\\''") + "'"


#: The prebuilt helper's file name beside a packaged target (``.clusterfuzzlite/build.sh``
#: ships one: the fuzzing machines have no Go toolchain).
SHIPPED_HELPER: Final = "gotrace-helper"


def _helper(argv0: str) -> tuple[Path, str]:
    """The Go helper and its Go version: ``GOTRACE_ORACLE_HELPER`` or a :data:`SHIPPED_HELPER`
    beside ``argv0`` (both built with the pinned Go), else built for ``GOTRACE_ORACLE_GO``."""
    shipped = os.environ.get("GOTRACE_ORACLE_HELPER") or Path(argv0).resolve().parent / SHIPPED_HELPER
    if Path(shipped).is_file():
        return Path(shipped), toolchain.PINNED_VERSION
    tc = toolchain.ensure(os.environ.get("GOTRACE_ORACLE_GO") or None)
    return toolchain.build_helper(tc), tc.version


def main(argv: Sequence[str], *, command: Sequence[str] | None = None) -> int:
    """Run the target under libFuzzer; ``argv`` is libFuzzer's (``argv[0]`` then flags and
    corpus directories), ``command`` how to start this target again (default: this module)."""
    atheris: Any = importlib.import_module("atheris")
    binary, version = _helper(argv[0])
    root = Path(os.environ.get("GOTRACE_ORACLE_CORPUS") or default_corpus_root())
    # libFuzzer's -timeout owns SIGALRM here, so the checker sets no Python timer of its own.
    checker = CaseChecker(binary, version, FindingStore(root), python_timeout=0,
                          minimize=False)
    models = {tr.to_binary(): tr for tr in generated_seeds("libfuzzer", _MODELS)}
    mutator = StructureAwareMutator(lambda data, n: bytes(atheris.Mutate(data, n)), models=models)
    feedback = Feedback(atheris)

    def test_one_input(data: bytes) -> None:
        st = checker.stats
        new, py_before, go_before = len(st.new), dict(st.python), dict(st.go)
        c = checker.check(data, mutations=mutator.mutations_for(data), seed="libfuzzer")
        feedback.hit(features(data, c.signature, changed_key(st.python, py_before),
                              changed_key(st.go, go_before), checker.last_output))
        if len(st.new) > new:
            f = st.new[-1]
            raise NewDivergence(f"{f.signature} (saved as {f.repro})")

    start = list(command) if command is not None else [sys.executable, "-m", MODULE]
    args = [str(launcher(start)), *DEFAULT_FLAGS, *argv[1:]]
    atheris.Setup(args, test_one_input, custom_mutator=mutator)
    atheris.Fuzz()
    return 0  # not reached: libFuzzer exits the process


@dataclass(frozen=True, slots=True)
class MergeResult:
    """What ``-merge=1`` did: libFuzzer's exit status, files read and kept, and its log."""

    returncode: int
    inputs: int
    kept: int
    log: str


def _files(d: Path) -> list[Path]:
    return [p for p in d.iterdir() if p.is_file() and not p.name.startswith(".")]


def merge(out: Path, inputs: Sequence[Path], *, go: str | None = None,
          corpus_root: Path | None = None) -> MergeResult:
    """libFuzzer's ``-merge=1 OUT IN...`` with this target: the inputs of ``inputs`` that add
    features OUT does not have yet are copied into ``out``.  With no ``inputs``, ``out`` is
    minimized in place (merged into a fresh directory that then replaces its files)."""
    out.mkdir(parents=True, exist_ok=True)
    in_place = not inputs
    target = Path(tempfile.mkdtemp(prefix=".merge-", dir=out.parent)) if in_place else out
    sources = [out] if in_place else list(inputs)
    env = {**os.environ, "GOTRACE_ORACLE_GO": go or "",
           "GOTRACE_ORACLE_CORPUS": str(corpus_root) if corpus_root else ""}
    try:
        proc = subprocess.run(
            [sys.executable, "-m", MODULE, "-merge=1", str(target), *map(str, sources)],
            env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True, check=False)
        n_in = sum(len(_files(d)) for d in sources)
        if in_place and proc.returncode == 0:
            for p in _files(out):
                p.unlink()
            for p in _files(target):
                os.replace(p, out / p.name)
        return MergeResult(proc.returncode, n_in, len(_files(out)), proc.stdout + proc.stderr)
    finally:
        if in_place:
            shutil.rmtree(target, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
