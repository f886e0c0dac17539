"""Tests for oracle.parser.canonical: the canonical JSON records, byte for byte with the Go helper.

* unit tests of the encodings (trace strings, values, resources, stacks, JSON escaping);
* the hand-built events of ``_event_cases.CASES``: the record must equal, byte for byte, what
  the Go helper's ``eventRecord`` wrote for the same event built inside Go 1.27.3, panics
  included;
* (slow) whole traces: ``dump_trace`` against the helper's ``parse`` mode.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import _event_cases as cases  # tests/oracle/parser is on sys.path (rootdir-relative test modules)
from oracle.parser.base import BaseEvent, EvTable, SchedCtx
from oracle.parser.canonical import (
    dump_events,
    dumps_record,
    event_record,
    resource_json,
    stack_json,
    terminal_record,
    tstr,
    value_json,
)
from oracle.parser.errors import GoPanic, TraceError
from oracle.parser.event import NO_STACK, Event, Stack, sync_event
from oracle.parser.gostrconv import go_bytes
from oracle.parser.resources import ResourceID, ResourceKind
from oracle.parser.tracev2 import EventType as T
from oracle.parser.value import Value, string_value, uint64_value

# --- encodings ---------------------------------------------------------------------------------


def test_tstr() -> None:
    assert tstr("plain") == "plain"
    assert tstr("日本") == "日本"
    assert tstr("a\udcffb") == {"hex": "61ff62"}  # invalid UTF-8 (surrogateescape form)
    assert tstr(b"\xed\xa0\x80") == {"hex": "eda080"}  # an encoded surrogate is invalid
    assert tstr(b"ok") == "ok"
    assert tstr("") == ""


def test_value_resource_stack_json() -> None:
    assert value_json(uint64_value(2**64 - 1)) == {"u64": 2**64 - 1}
    assert value_json(string_value("x\udc80")) == {"str": {"hex": "7880"}}
    assert value_json(Value()) == {"bad": True}
    assert resource_json(ResourceID()) == {"kind": "None", "id": 0}
    assert resource_json(ResourceID(ResourceKind.Proc, -1)) == {"kind": "Proc", "id": -1}
    assert stack_json(NO_STACK) is None
    assert stack_json(Stack(EvTable(), 0)) == []


@pytest.mark.parametrize(
    ("s", "want"),
    [
        ('"\\', '"\\"\\\\"'),
        ("\n\r\t\b\f", '"\\n\\r\\t\\b\\f"'),
        ("\x00\x01\x1f", '"\\u0000\\u0001\\u001f"'),
        ("\x7f\u2028\u2029<>&é", '"\x7f\u2028\u2029<>&é"'),  # all raw: no HTML/JS escaping
        ("\U0001f600", '"\U0001f600"'),
    ],
)
def test_json_string_escaping_matches_the_helper(s: str, want: str) -> None:
    # The helper's appendString (go-harness/jsonw.go) escapes only '"', '\\' and C0 controls.
    assert dumps_record(s) == want


def _go_append_string(b: bytes) -> bytes:
    """A transcription of the helper's appendString, for the property test below."""
    out = bytearray(b'"')
    for c in b:
        if c in (0x22, 0x5C):
            out += bytes((0x5C, c))
        elif c == 0x0A:
            out += b"\\n"
        elif c == 0x0D:
            out += b"\\r"
        elif c == 0x09:
            out += b"\\t"
        elif c == 0x08:
            out += b"\\b"
        elif c == 0x0C:
            out += b"\\f"
        elif c < 0x20:
            out += b"\\u00%02x" % c
        else:
            out.append(c)
    return bytes(out + b'"')


@given(st.text())
def test_json_strings_match_the_helper_writer(s: str) -> None:
    rec = tstr(s)
    if isinstance(rec, str):
        assert dumps_record(rec).encode() == _go_append_string(s.encode())


_JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.text() | st.floats(allow_nan=False),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4),
    max_leaves=20,
)


@given(_JSON_VALUES)
def test_record_writer_is_json_dumps(v: Any) -> None:
    """The records' direct writer gives ``json.dumps``' bytes for every JSON value."""
    assert dumps_record(v) == json.dumps(v, ensure_ascii=False, separators=(",", ":"))


def test_record_key_order_and_compactness() -> None:
    e = Event(None, SchedCtx(1, 2, 3), BaseEvent(T.GoDestroy, 5, [0, 0, 0, 0]))
    rec = event_record(4, e)
    assert list(rec) == ["i", "kind", "time", "m", "p", "g", "stack", "transition"]
    assert dumps_record(rec) == (
        '{"i":4,"kind":"StateTransition","time":5,"m":3,"p":2,"g":1,"stack":null,'
        '"transition":{"resource":{"kind":"Goroutine","id":1},"from":"Running",'
        '"to":"NotExist","reason":"","stack":null}}'
    )


def test_kinds_without_payload() -> None:
    rec = event_record(0, Event(EvTable(), SchedCtx(), BaseEvent(T.NONE, 1, [0, 0, 0, 0])))
    assert list(rec) == ["i", "kind", "time", "m", "p", "g", "stack"]
    rec = event_record(0, Event(EvTable(), SchedCtx(), BaseEvent(T.CPUSample, 1, [0, 0, 0, 0])))
    assert rec["kind"] == "StackSample" and rec["stack"] == []


def test_panics_are_recorded_per_accessor() -> None:
    e = Event(EvTable(), SchedCtx(), BaseEvent(T.CPUSample, 1, [7, 0, 0, 0]))
    rec = event_record(0, e)
    assert "stack" not in rec
    assert rec["panics"] == {"Stack": "expected id 7 in trace.stack table"}
    assert list(rec)[-1] == "panics"


def test_terminal_records() -> None:
    assert dumps_record(terminal_record(None)) == '{"end":"EOF"}'
    assert dumps_record(terminal_record(TraceError("bad \udcff"))) == (
        '{"end":"error","error":{"hex":"62616420ff"}}')
    assert terminal_record(GoPanic("boom")) == {"end": "panic", "panic": "boom"}


class _FakeReader:
    def __init__(self, events: list[Event], end: BaseException) -> None:
        self.events = list(events)
        self.end = end

    def read_event(self) -> Event:
        if self.events:
            return self.events.pop(0)
        raise self.end


@pytest.mark.parametrize(
    ("end", "last"),
    [
        (EOFError(), '{"end":"EOF"}'),
        (TraceError("broken"), '{"end":"error","error":"broken"}'),
        (GoPanic("oops"), '{"end":"panic","panic":"oops"}'),
    ],
)
def test_dump_events(end: BaseException, last: str) -> None:
    evs = [sync_event(None, 1, 1), sync_event(None, 2, 2)]
    lines = list(dump_events(_FakeReader(evs, end)))
    assert len(lines) == 3
    assert [json.loads(x)["i"] for x in lines[:2]] == [0, 1]
    assert lines[-1] == last
    assert all("\n" not in x for x in lines)


def test_dump_events_lets_bugs_escape() -> None:
    with pytest.raises(ZeroDivisionError):
        list(dump_events(_FakeReader([], ZeroDivisionError())))


# --- Go ground truth for hand-built events --------------------------------------------------------

EXPECTED = cases.load_expected()


@pytest.mark.parametrize(
    ("i", "spec"), list(enumerate(cases.CASES)), ids=[c["name"] for c in cases.CASES]
)
def test_record_matches_go_helper_bytes(i: int, spec: dict[str, Any]) -> None:
    want, go_line = EXPECTED[spec["name"]]
    e = cases.build_event(spec)
    rec = event_record(i, e)
    assert rec == want["record"]
    assert '"record":' + dumps_record(rec) + ',"validate":' in go_line


# --- whole traces against the Go helper (slow) ------------------------------------------------------


def _py_parse_output(data: bytes) -> bytes:
    from oracle.parser.canonical import dump_trace

    return go_bytes("".join(line + "\n" for line in dump_trace(data)))


@pytest.mark.slow
def test_dump_matches_go_on_go_test_traces(go_test_file: Any, go_helper: Any) -> None:
    from oracle.parser.txtar import read_test_file

    _, text = read_test_file(go_test_file)
    data = go_helper.request("to-binary", text).output
    assert _py_parse_output(data) == go_helper.request("parse", data).output


# --- the campaigns' direct line writer ----------------------------------------------------------


def _line_writer_inputs() -> list[bytes]:
    """Every kind of input a campaign meets: Go's testdata and fuzz seeds, the corpus (with
    the Go findings, whose accessors panic), v1 traces and their mutants, generated traces
    and mutants (AllocFree, experimental and range payloads)."""
    from oracle.campaign.hypothesis_engine import GenParams, family
    from oracle.campaign.sources import corpus_inputs, go_testdata_inputs, v1_mutant
    from oracle.harness import toolchain

    goroot = toolchain.pinned().goroot
    out = [i.data for i in go_testdata_inputs(goroot)[0] + corpus_inputs()[0]]
    v1 = [p.read_bytes() for p in sorted((goroot / "src/internal/trace/internal/tracev1/testdata").iterdir())]
    out += v1 + [v1_mutant(f"line:{k}", v1)[0] for k in range(40)]
    out += [c.data for k in range(60) for c in family(f"line:{k}", GenParams(v1_mutants=0))]
    return out


@pytest.mark.parametrize("go", [None, "1.24.11", "1.22.10"])
def test_event_line_is_the_record_written(go: str | None) -> None:
    """``event_line`` (the campaigns' writer) is ``dumps_record(event_record(...))`` for every
    event of every kind of input, under releases whose payloads differ."""
    from oracle.parser.canonical import event_line
    from oracle.parser.reader import Reader

    kinds: set[str] = set()
    panics = 0
    for data in _line_writer_inputs():
        try:
            for i, ev in enumerate(Reader(data, go=go)):
                rec = event_record(i, ev)
                assert event_line(i, ev) == dumps_record(rec), (i, rec)
                kinds.add(rec["kind"])
                panics += "panics" in rec
        except (TraceError, GoPanic):
            pass
    assert len(kinds) >= 13 and panics > 0  # liveness: the payload kinds and the panic path
