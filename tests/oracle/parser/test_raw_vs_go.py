"""The Python raw layer against Go's ``internal/trace/raw``, through the Go helper.

(a) Python's raw binary reader prints exactly what Go's raw reader prints (the ``raw`` JSON
lines of docs/canonical-json.md), on Go's own conformance traces and on real traces written by
the pinned runtime; (b) the text format round-trips, and each direction of conversion gives
Go's bytes.
"""

from __future__ import annotations

from pathlib import Path

from oracle.parser import canonical

from oracle.parser import raw
from oracle.harness.helper import GoHelper
from oracle.harness.realtraces import RealTrace
from oracle.parser.txtar import read_test_file


def go_output(helper: GoHelper, mode: str, payload: bytes) -> bytes:
    res = helper.request(mode, payload)
    assert res.outcome == "ok", (res.outcome, res.panic, res.stderr)
    return res.output


def test_go_test_file_raw_matches_go(go_helper: GoHelper, go_test_file: Path) -> None:
    _, text = read_test_file(go_test_file)
    binary = raw.text_to_binary(text)
    assert binary == go_output(go_helper, "to-binary", text)
    assert canonical.raw_json_bytes(binary) == go_output(go_helper, "raw", binary)


def test_go_test_file_round_trips(go_helper: GoHelper, go_test_file: Path) -> None:
    _, text = read_test_file(go_test_file)
    binary = raw.text_to_binary(text)
    canonical_text = raw.binary_to_text(binary)
    assert canonical_text.encode() == go_output(go_helper, "to-text", binary)
    # text -> binary -> text reaches a fixed point; binary -> text -> binary is the identity.
    assert raw.text_to_binary(canonical_text) == binary
    assert raw.binary_to_text(raw.text_to_binary(canonical_text)) == canonical_text


def test_real_trace_raw_matches_go(go_helper: GoHelper, real_trace: RealTrace) -> None:
    data = real_trace.path.read_bytes()
    assert canonical.raw_json_bytes(data) == go_output(go_helper, "raw", data)


def test_real_trace_round_trips(go_helper: GoHelper, real_trace: RealTrace) -> None:
    data = real_trace.path.read_bytes()
    text = raw.binary_to_text(data)
    assert text.encode() == go_output(go_helper, "to-text", data)
    binary = raw.text_to_binary(text)
    assert binary == go_output(go_helper, "to-binary", text.encode())
    # The runtime pads batch sizes to 10 bytes; the writer emits minimal varints, so the
    # binary differs in framing bytes only and reads back to the same events.
    assert raw.read_raw(binary) == raw.read_raw(data)
    assert raw.binary_to_text(binary) == text
