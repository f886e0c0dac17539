"""The pytest plugin and ``oracle.check`` (oracle/diff/pytest_plugin.py, oracle/diff/check.py).

The plugin is exercised as users get it: pytest in a subprocess, loading it through the
``pytest11`` entry point of the installed package, on files outside our test tree.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import settings

import oracle
from oracle.diff.check import GoParser, check, trace_text
from oracle.parser.inputs import load

ROOT = Path(__file__).resolve().parents[3]
EXAMPLE = ROOT / "docs" / "example_gotrace_test.py"
SYNC_PANIC = ROOT / "corpus" / "go-findings" / "sync-unknown-experiment.txt"
SEED = sorted((ROOT / "corpus" / "seeds").glob("*.trace"))[0]


def run_pytest(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-p", "no:xdist", *args],
        capture_output=True, text=True, cwd=cwd, timeout=300,
        env={**os.environ, "TZ": "UTC", "HYPOTHESIS_PROFILE": ""})


def test_docs_example_runs_as_it_stands(pinned_helper: Path) -> None:
    proc = run_pytest(str(EXAMPLE), "-q", cwd=ROOT)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "4 passed" in proc.stdout


def test_oracle_check_is_public_and_says_whether_they_agree(pinned_helper: Path) -> None:
    assert "check" in oracle.__all__ and oracle.check is check
    assert check(load(SEED).data).agree
    c = oracle.check(load(SYNC_PANIC).data)
    assert not c.agree and c.signature.startswith("go-panic:Sync:")


FAILING = '''
from hypothesis import given, settings
from strategies import traces

def test_pinned(go_trace_parser):
    assert go_trace_parser.version == "{version}"

def test_known_go_bug(go_trace_parser):
    go_trace_parser.assert_agrees(open({path!r}, "rb").read())

@settings(database=None, max_examples=5)
@given(traces(max_events=10))
def test_property_fails(go_trace_parser, trace):
    assert len(trace.to_binary()) < 0
'''


def test_assert_agrees_explains_and_generated_traces_print_as_text(
        tmp_path: Path, pinned_helper: Path) -> None:
    (tmp_path / "sync.trace").write_bytes(load(SYNC_PANIC).data)
    (tmp_path / "test_user.py").write_text(
        FAILING.format(version="1.27.3", path=str(tmp_path / "sync.trace")))
    proc = run_pytest("-q", "test_user.py", cwd=tmp_path)
    out = proc.stdout
    assert proc.returncode == 1, out + proc.stderr
    assert "1 passed" in out and "2 failed" in out  # test_pinned passes
    # The divergence: verdict, first differing event, the trace as text.
    assert "disagree: go-panic" in out and "first differing event: #" in out
    assert "trace (Go's raw text format):" in out and "ExperimentalBatch exp=2" in out
    # The falsifying example is a short text trace, not a dump of the model's fields.
    assert re.search(r"(Falsifying example|Failing test case): test_property_fails", out)
    assert re.search(r"trace=Trace\(version=Go1\.\d+, .*\):\n.*Trace Go1\.", out)
    assert "items=[" not in out


def test_gotrace_go_option_picks_the_release(tmp_path: Path) -> None:
    (tmp_path / "test_v.py").write_text(
        "def test_v(go_trace_parser):\n    assert go_trace_parser.version == '1.25.5'\n")
    proc = run_pytest("-q", "--gotrace-go", "1.25.5", "test_v.py", cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_plugin_registers_hypothesis_profiles(tmp_path: Path) -> None:
    assert settings.get_profile("gotrace-ci").derandomize
    (tmp_path / "test_p.py").write_text(
        "from hypothesis import settings\n"
        "def test_p():\n    assert settings.default.derandomize and settings.default.deadline is None\n")
    proc = run_pytest("-q", "--hypothesis-profile", "gotrace-ci", "test_p.py", cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_trace_text_falls_back_to_hex() -> None:
    assert trace_text(load(SYNC_PANIC).data).startswith("Trace Go1.23\n")
    assert trace_text(b"not a trace").startswith("(no text form: ")


def test_go_parser_is_a_context_manager(pinned_helper: Path) -> None:
    with GoParser() as p:
        assert p.compare(load(SEED).data).agree


@pytest.mark.parametrize("profile", ["ci", "dev"])
def test_our_profiles_are_the_plugins(profile: str) -> None:
    ours, plugin = settings.get_profile(profile), settings.get_profile(f"gotrace-{profile}")
    assert (ours.max_examples, ours.derandomize) == (plugin.max_examples, plugin.derandomize)
