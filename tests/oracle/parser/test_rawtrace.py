"""The raw-trace model (oracle/parser/rawtrace.py): framing, exact and forced sizes, padding,
copies and the text form."""

from __future__ import annotations

from pathlib import Path

import pytest

from oracle.parser.batch import ByteSource, read_batch
from oracle.parser.errors import TraceError
from oracle.parser.inputs import load
from oracle.parser.raw import RawEvent, binary_to_text, text_to_binary
from oracle.parser.rawtrace import (
    EVENT_BATCH,
    EXPERIMENTAL_BATCH,
    HEADER_LEN,
    RawBatch,
    RawTrace,
    decode,
    decode_text,
    encode,
    encode_batch,
    encode_end_of_generation,
    to_text,
)
from oracle.parser.tracev2 import EventType
from oracle.parser.version import Version, write_header

ROOT = Path(__file__).resolve().parents[3]
FINDINGS = sorted((ROOT / "corpus" / "go-findings").glob("*.txt"))
SEEDS = sorted((ROOT / "corpus" / "seeds").glob("*.trace"))[:8]
E = EventType
V = Version.Go126
NO_M = (1 << 64) - 1


def _ev(typ: EventType, *args: int, data: bytes | None = None) -> RawEvent:
    return RawEvent(V, int(typ), args, data)


def _tiny() -> RawTrace:
    rt = RawTrace.empty(V)
    rt.batches = [
        RawBatch(EVENT_BATCH, 1, NO_M, 10, [_ev(E.Strings), _ev(E.String, 1, data=b"hi")]),
        RawBatch(EVENT_BATCH, 1, 0, 11, [_ev(E.ProcStatus, 1, 0, 2), _ev(E.ProcStart, 1, 0, 1)]),
        RawBatch(EXPERIMENTAL_BATCH, 1, NO_M, 12, rest=b"\x01\x02\x03", exp=1),
        RawBatch.end_of_generation(),
    ]
    return rt


def _frames(data: bytes) -> list[tuple[int, int, int, bytes, int]]:
    """(gen, m, time, body, exp) of every batch, as the parser's readBatch cuts them."""
    src = ByteSource(data[HEADER_LEN:])
    out = []
    while (res := read_batch(src)) is not None:
        b, gen = res
        out.append((gen, b.m, b.time, b.data, b.exp))
    return out


@pytest.mark.parametrize("path", FINDINGS, ids=lambda p: p.stem)
def test_minimal_traces_round_trip_byte_for_byte(path: Path) -> None:
    """Go's text-to-binary writer uses minimal varints, as the model does: even a broken
    trace (a cut batch, junk at the end) comes back as it was."""
    data = load(path).data
    rt = decode(data)
    assert rt is not None and encode(rt) == data


@pytest.mark.parametrize("path", SEEDS, ids=lambda p: p.stem)
def test_decode_then_encode_keeps_every_batch_as_the_parser_reads_it(path: Path) -> None:
    data = load(path).data
    rt = decode(data)
    assert rt is not None and rt.tail == b""
    again = encode(rt)
    # The runtime pads batch sizes; re-encoding makes them minimal, nothing else changes.
    assert _frames(again) == _frames(data)
    assert encode(decode(again) or rt) == again


def test_encode_writes_exact_sizes_and_forced_ones() -> None:
    rt = _tiny()
    data = encode(rt)
    assert data.startswith(write_header(V)) and data.endswith(encode_end_of_generation())
    frames = _frames(data)
    assert [len(f[3]) for f in frames[:3]] == [len(b.body()) for b in rt.batches[:3]]
    rt.batches[1].events.pop()
    assert len(_frames(encode(rt))[1][3]) == len(rt.batches[1].body())
    rt.batches[1].size = 2
    with pytest.raises(TraceError):
        _frames(encode(rt) + b"\xff" * 40)  # the stale size frames the next batch wrongly
    back = decode(encode(rt))
    assert back is not None and back.batches[1].rest == rt.batches[1].body()[:2]


def test_padding_changes_the_bytes_not_the_batches() -> None:
    rt = _tiny()
    plain = encode(rt)
    padded = encode(rt, pad_sizes=True, pad_args=3)
    assert len(padded) > len(plain)
    assert [f[:3] for f in _frames(padded)] == [f[:3] for f in _frames(plain)]
    back = decode(padded)
    assert back is not None and encode(back) == plain


def test_experimental_batch_bodies_stay_opaque() -> None:
    data = encode(_tiny())
    rt = decode(data)
    assert rt is not None
    exp = rt.batches[2]
    assert exp.is_experimental and exp.exp == 1 and exp.events == [] and exp.rest == b"\x01\x02\x03"


def test_unframeable_bytes_are_the_tail_and_survive() -> None:
    data = encode(_tiny()) + b"\x00\xff"
    rt = decode(data)
    assert rt is not None and rt.tail == b"\x00\xff" and encode(rt) == data
    assert decode(b"not a trace") is None
    assert decode(b"go 1.21 trace\x00\x00\x00") is None  # v1: not this model


def test_undecodable_end_of_a_body_is_rest() -> None:
    body = bytes((int(E.ProcStart), 1, 0, 1, int(E.ProcStart), 0x80))  # second event cut
    data = write_header(V) + encode_batch(1, 1, 1, body)
    rt = decode(data)
    assert rt is not None
    assert len(rt.batches[0].events) == 1 and rt.batches[0].rest == body[4:]
    assert encode(rt) == data and to_text(rt) is None


def test_copy_is_independent() -> None:
    rt = _tiny()
    cp = rt.copy()
    cp.batches[1].events.pop()
    cp.batches.pop()
    assert len(rt.batches) == 4 and len(rt.batches[1].events) == 2


def test_text_form_round_trips() -> None:
    rt = _tiny()
    text = to_text(rt)
    assert text is not None and text.startswith("Trace Go1.26\n")
    assert text_to_binary(text) == encode(rt)
    assert binary_to_text(encode(rt)) == text
    assert decode_text(text) == rt
    with pytest.raises(TraceError):
        decode_text("Trace Go1.26\nNoSuchEvent\n")


def test_text_form_is_none_when_text_cannot_say_it() -> None:
    rt = _tiny()
    rt.tail = b"\x00"
    assert to_text(rt) is None
    rt = _tiny()
    rt.header = b"go  1.26 trace\x00\x00\x00"
    assert to_text(rt) is None
    rt = RawTrace.empty(Version.Go123)
    rt.batches = [RawBatch(EVENT_BATCH, 1, 0, 1, [RawEvent(V, int(E.SpanAlloc), (1, 1, 1, 1))])]
    assert to_text(rt) is None  # beyond go 1.23's table
    rt.batches[0].events = [RawEvent(V, int(E.ProcStart), (1, 0))]  # one argument short
    assert to_text(rt) is None
    rt.batches[0].events = [RawEvent(V, int(E.ProcStart), (1, 0, 1))]
    assert to_text(rt) is not None
