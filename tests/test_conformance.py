"""Conformance: the reference parser against Go 1.27.3's own, event for event.

Every input is parsed by the pinned Go (through the helper) and by Python, and both the
canonical JSON dump and the ``Event.String()`` text must be identical byte for byte:

* Go's ``testdata/tests/*.test`` and its FuzzReader seeds (the tests' own expectations are
  checked in tests/oracle/parser/test_reader.py);
* real traces written by the runtimes of every supported release, 1.22.10 to 1.27.3 (installed
  on demand and cached), each scenario plain and with ``GODEBUG=traceallocfree=1``; several
  scenarios span multiple generations.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from oracle.harness.helper import GoHelper
from oracle.parser.inputs import load
from oracle.parser.reader import Reader
from oracle.harness.realtraces import RealTrace
from oracle.parser.txtar import read_test_file
from oracle.parser.raw import text_to_binary
from tests._go_support import assert_same_as_go


def test_go_test_file_matches_go(go_helper: GoHelper, go_test_file: Path) -> None:
    _, text = read_test_file(go_test_file)
    assert_same_as_go(go_helper, text_to_binary(text))


def test_go_fuzz_seed_matches_go(go_helper: GoHelper, go_fuzz_seed: Path) -> None:
    # v1 seeds are here too (their outputs are deterministic); tests/oracle/parser/test_tracev1.py
    # covers v1 inputs on which Go is not.
    assert_same_as_go(go_helper, load(go_fuzz_seed).data)


@pytest.mark.slow
def test_real_trace_matches_go(go_helper: GoHelper, any_real_trace: RealTrace) -> None:
    assert_same_as_go(go_helper, any_real_trace.path.read_bytes())


def test_fixture_set_covers_multiple_generations() -> None:
    from oracle.harness.realtraces import real_traces

    multigen = [t for t in real_traces() if t.scenario == "multigen"]
    assert multigen
    for t in multigen:
        syncs = sum(1 for ev in Reader(t.path.read_bytes()) if str(ev.kind) == "Sync")
        assert syncs >= 3, f"{t.name}: only {syncs} Sync events"
