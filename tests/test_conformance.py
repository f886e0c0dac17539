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

from oracle.parser import canonical
from oracle.harness.helper import GoHelper
from oracle.parser.inputs import load
from oracle.parser.reader import Reader
from oracle.harness.realtraces import RealTrace
from oracle.parser.txtar import read_test_file
from oracle.parser.raw import text_to_binary


def assert_same_as_go(helper: GoHelper, data: bytes) -> None:
    """Python's ``parse`` and ``go-string`` outputs equal the Go helper's, byte for byte."""
    go_json = helper.request("parse", data)
    assert go_json.outcome == "ok", (go_json.panic, go_json.stderr)
    py_json = "".join(line + "\n" for line in canonical.dump_trace(data)).encode()
    if py_json != go_json.output:
        # Show the first differing line rather than two huge blobs.
        for i, (a, b) in enumerate(zip(py_json.split(b"\n"), go_json.output.split(b"\n"))):
            assert a == b, f"line {i} differs:\npython: {a!r}\ngo:     {b!r}"
        assert py_json == go_json.output
    go_text = helper.request("go-string", data)
    assert go_text.outcome == "ok", (go_text.panic, go_text.stderr)
    py_text = "".join(line + "\n" for line in canonical.go_string_lines(data)).encode()
    assert py_text == go_text.output


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
