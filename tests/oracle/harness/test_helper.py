"""The go-harness helper and its Python client (oracle.harness.helper)."""

from __future__ import annotations

import json
import re
import signal
import threading
import time
from pathlib import Path

import pytest

from oracle.harness import toolchain
from oracle.harness.helper import GoHelper, HelperResult, parse_json_lines, run_once


def _test_files() -> list[Path]:
    root = toolchain.pinned().goroot / "src" / "internal" / "trace" / "testdata" / "tests"
    return sorted(root.glob("*.test"))


def _txtar(path: Path) -> dict[str, bytes]:
    """The files of a txtar archive (Go's testdata/tests/*.test format)."""
    files: dict[str, bytes] = {}
    name = None
    for line in path.read_bytes().splitlines(keepends=True):
        if m := re.fullmatch(rb"-- (.+) --\r?\n?", line):
            name = m.group(1).decode()
            files[name] = b""
        elif name is not None:
            files[name] += line
    return files


def _to_binary(helper: GoHelper, text: bytes) -> bytes:
    res = helper.request("to-binary", text)
    assert (res.outcome, res.exit, res.stderr) == ("ok", 0, "")
    return res.output


def test_ping(go_helper: GoHelper) -> None:
    assert go_helper.request("ping") == HelperResult("ok", b"pong\n", 0, None, None, "")


@pytest.mark.slow
def test_many_tiny_requests(go_helper: GoHelper) -> None:
    start = time.monotonic()
    go_helper.start()
    pid = go_helper.pid
    for i in range(10_000):
        if i % 2:
            res = go_helper.request("ping")
            assert res.output == b"pong\n"
        else:
            res = go_helper.request("parse", b"go 1.26 trace\0\0\0")
            assert res.exit == 0 and parse_json_lines(res.output)[-1] == {"end": "EOF"}
    assert go_helper.pid == pid, "the helper was restarted"
    assert time.monotonic() - start < 120


def test_injected_panic_is_recovered(go_helper: GoHelper) -> None:
    go_helper.start()
    pid = go_helper.pid
    res = go_helper.request("panic")
    assert (res.outcome, res.exit, res.panic, res.output) == ("panic", 3, "injected panic", b"")
    assert res.stack is not None and "goroutine " in res.stack
    assert go_helper.request("ping").output == b"pong\n"
    assert go_helper.pid == pid


def test_unknown_mode(go_helper: GoHelper) -> None:
    res = go_helper.request("no-such-mode", b"x")
    assert (res.outcome, res.exit) == ("ok", 2)
    assert "unknown mode" in res.stderr


def test_hang_times_out_and_restarts(pinned_helper: Path) -> None:
    with GoHelper(pinned_helper, timeout=30) as helper:
        assert helper.request("ping").outcome == "ok"
        first = helper.pid
        t0 = time.monotonic()
        res = helper.request("hang", timeout=0.5)
        assert res.outcome == "timeout" and res.exit is None
        assert time.monotonic() - t0 < 10
        assert helper.pid is None  # killed; restarted lazily
        assert helper.request("ping").output == b"pong\n"
        assert helper.pid != first and helper.starts == 2


def test_killed_mid_request_is_a_crash(pinned_helper: Path) -> None:
    with GoHelper(pinned_helper, timeout=60) as helper:
        helper.start()
        killer = threading.Timer(0.3, helper.send_signal, args=(signal.SIGKILL,))
        killer.start()
        res = helper.request("hang")
        killer.join()
        assert res.outcome == "crash" and res.exit == -signal.SIGKILL
        assert helper.request("ping").output == b"pong\n"
        assert helper.starts == 2


def test_run_once_outcomes(pinned_helper: Path) -> None:
    assert run_once(pinned_helper, "ping", b"") == HelperResult("ok", b"pong\n", 0)
    res = run_once(pinned_helper, "panic", b"")
    assert (res.outcome, res.exit, res.panic) == ("panic", 3, "injected panic")
    assert res.stack is not None and res.stack.startswith("goroutine ")
    res = run_once(pinned_helper, "hang", b"", timeout=0.5)
    assert res.outcome == "timeout"
    res = run_once(pinned_helper, "parse", b"not a trace")
    assert (res.outcome, res.exit) == ("ok", 1)
    assert parse_json_lines(res.output) == [{"end": "error", "error": "bad file format: not a Go execution trace?"}]


@pytest.mark.parametrize("test_file", _test_files(), ids=lambda p: p.stem)
def test_oneshot_and_serve_agree_on_go_testdata(
    go_helper: GoHelper, pinned_helper: Path, test_file: Path
) -> None:
    files = _txtar(test_file)
    text = files["trace"]
    binary = _to_binary(go_helper, text)
    assert run_once(pinned_helper, "to-binary", text) == HelperResult("ok", binary, 0)

    for mode, payload in [("parse", binary), ("raw", binary), ("go-string", binary),
                          ("to-text", binary), ("raw-text", text)]:
        served = go_helper.request(mode, payload)
        once = run_once(pinned_helper, mode, payload)
        assert served.outcome == once.outcome == "ok", mode
        assert served.output == once.output, mode
        assert served.exit == once.exit, mode

    # raw on the binary and raw-text on its text source see the same events.
    assert go_helper.request("raw", binary).output == go_helper.request("raw-text", text).output

    # The parse outcome is the one Go's own test expects.
    records = parse_json_lines(go_helper.request("parse", binary).output)
    expect = files.get("expect", b"").decode().strip().splitlines()
    end = records[-1]
    if not expect or expect[0].startswith("SUCCESS"):
        assert end == {"end": "EOF"}
    else:
        verdict, _, pattern = expect[0].partition(" ")
        assert verdict == "FAILURE" and end["end"] == "error"
        assert re.search(json.loads(pattern), end["error"])

    # The records are exactly what Python's json module would write for them.
    for line in go_helper.request("parse", binary).output.splitlines():
        assert json.dumps(json.loads(line), ensure_ascii=False, separators=(",", ":")).encode() == line


def test_accessor_panic_is_recorded(go_helper: GoHelper) -> None:
    # An experimental batch of an unknown experiment makes Sync() panic (a Go bug).
    text = b"""Trace Go1.25
EventBatch gen=1 m=18446744073709551615 time=9 size=16
Sync
Frequency freq=1000000000
ClockSnapshot dt=1 mono=99 sec=1740755049 nsec=123
ExperimentalBatch exp=7 gen=1 m=18446744073709551615 time=12
data="hi"
EventBatch gen=1 m=1 time=15 size=4
ProcStatus dt=1 p=0 pstatus=1
"""
    res = go_helper.request("parse", _to_binary(go_helper, text))
    assert (res.outcome, res.exit) == ("ok", 0)
    first = parse_json_lines(res.output)[0]
    assert first["kind"] == "Sync" and "sync" not in first
    assert "index out of range" in first["panics"]["Sync"]
    assert list(first)[-1] == "panics"


def test_invalid_utf8_is_hex(go_helper: GoHelper) -> None:
    res = go_helper.request("raw-text", b'Trace Go1.22\nStrings\nString id=1\ndata="\\xff"\n')
    records = parse_json_lines(res.output)
    assert records[0] == {"version": 22}
    assert records[2] == {"type": 5, "name": "String", "args": [1], "data": "ff"}
    assert records[-1] == {"end": "EOF"}
    bad = go_helper.request("parse", b"go 1.99 trace\0\0\0")
    assert parse_json_lines(bad.output) == [{"end": "error", "error": "unknown or unsupported trace version go 1.99"}]


def test_to_text_error_keeps_partial_output(go_helper: GoHelper) -> None:
    binary = _to_binary(go_helper, b"Trace Go1.22\nStrings\n")
    res = go_helper.request("to-text", binary + b"\xff")
    assert res.exit == 1
    assert res.output == b"Trace Go1.22\nStrings\nERROR: invalid event type: 255\n"
