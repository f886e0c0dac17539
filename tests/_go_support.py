"""Byte-for-byte comparison of the reference's outputs with a Go helper's, in one parse each.

The conformance sweeps compare both oracles, the canonical JSON dump and ``Event.String()``,
on every input.  Each side produces both from a single parse (the helper's ``parse-string``
mode, :func:`oracle.parser.canonical.dump_and_strings`), which halves the cost of the sweeps
over real traces against two requests and two Python parses per input.
"""

from __future__ import annotations

from dataclasses import dataclass

from oracle.diff.outcome import split_parse_string
from oracle.harness.helper import GoHelper
from oracle.parser import canonical


@dataclass(frozen=True)
class BothOutputs:
    """One input's ``parse`` and ``go-string`` outputs from each side."""

    py_json: bytes
    py_text: bytes
    go_json: bytes
    go_text: bytes


def both_outputs(helper: GoHelper, data: bytes, *, go: str | None = None) -> BothOutputs:
    """Both sides' outputs on ``data``; ``go`` selects the reference's release semantics."""
    res = helper.request("parse-string", data)
    assert res.outcome == "ok", (res.panic, res.stderr)
    go_json, go_text = split_parse_string(res.output)
    assert go_text is not None, res.output[-500:]
    py_json, py_text = canonical.dump_and_strings(data, go=go)
    return BothOutputs(py_json, py_text, go_json, go_text)


def assert_same_as_go(helper: GoHelper, data: bytes, *, go: str | None = None) -> None:
    """Python's ``parse`` and ``go-string`` outputs equal the Go helper's, byte for byte."""
    out = both_outputs(helper, data, go=go)
    for what, py, gone in (("parse", out.py_json, out.go_json),
                           ("go-string", out.py_text, out.go_text)):
        if py != gone:
            # Show the first differing line rather than two huge blobs.
            for i, (a, b) in enumerate(zip(py.split(b"\n"), gone.split(b"\n"))):
                assert a == b, f"{what}: line {i} differs:\npython: {a!r}\ngo:     {b!r}"
            assert py == gone, f"{what}: {len(py)} vs {len(gone)} bytes"
