"""The trace model and its wire forms (strategies/_internal/builder.py)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from oracle.parser.raw import RawReader, parse_text, text_to_binary
from oracle.parser.tracev2 import EventType
from oracle.parser.uvarint import put_uvarint_padded
from oracle.parser.version import Version
from strategies import (
    END_OF_GENERATION,
    Batch,
    Ev,
    Expectation,
    Outcome,
    Trace,
    traces,
)
from strategies._internal.builder import NO_THREAD, encode_batch_body

E = EventType


def _tiny() -> Trace:
    tr = Trace(Version.Go126)
    tr.items = [
        Batch(1, NO_THREAD, 10, [Ev(int(E.Sync), []), Ev(int(E.Frequency), [15625000]),
                                 Ev(int(E.ClockSnapshot), [1, 2, 3, 4])], role="sync"),
        Batch(1, 0, 11, [Ev(int(E.ProcStatus), [1, 0, 2]), Ev(int(E.ProcStart), [1, 0, 1])]),
        Batch(1, NO_THREAD, 12, [Ev(int(E.Strings), []), Ev(int(E.String), [1], b"hi")], role="strings"),
        END_OF_GENERATION,
    ]
    return tr


def test_binary_layout_is_exact() -> None:
    b = _tiny().to_binary()
    assert b.startswith(b"go 1.26 trace\x00\x00\x00")
    assert b.endswith(bytes((int(E.EndOfGeneration),)))
    evs = RawReader(b).read_all()
    batches = [e for e in evs if e.ev == E.EventBatch]
    assert [x.args[3] for x in batches] == [
        len(encode_batch_body(it.events)) for it in _tiny().items if isinstance(it, Batch)
    ]


def test_padded_sizes_and_args_decode_to_the_same_events() -> None:
    tr = _tiny()
    plain = RawReader(tr.to_binary()).read_all()
    tr.pad_sizes = True
    padded = tr.to_binary()
    assert put_uvarint_padded(len(encode_batch_body(tr.batches()[0].events))) in padded
    assert RawReader(padded).read_all() == plain
    tr.pad_args = 3
    assert len(tr.to_binary()) > len(padded)

    def unsized(evs: list) -> list:  # type: ignore[type-arg]
        return [e._replace(args=e.args[:3]) if e.ev == E.EventBatch else e for e in evs]

    assert unsized(RawReader(tr.to_binary()).read_all()) == unsized(plain)


def test_text_form_round_trips_through_go_text_rules() -> None:
    tr = _tiny()
    text = tr.to_text()
    assert text is not None and text.startswith("Trace Go1.26\n")
    assert "String id=1\n\tdata=\"hi\"" in text
    assert text_to_binary(text) == tr.to_binary()


def test_text_form_is_none_beyond_the_version_prefix() -> None:
    tr = _tiny()
    tr.version = Version.Go123
    tr.items = [Batch(1, 0, 1, [Ev(int(E.SpanAlloc), [1, 1, 1, 1])])]
    assert tr.to_text() is None
    tr.raw_bytes = b"junk"
    assert tr.to_binary() == b"junk" and tr.to_text() is None


@given(traces())
def test_generated_text_and_binary_agree(tr: Trace) -> None:
    text = tr.to_text()
    if text is None:
        return
    v, evs = parse_text(text)
    assert v == tr.version
    assert RawReader(text_to_binary(text)).read_all() == evs
    if not tr.pad_sizes and not tr.pad_args:
        assert text_to_binary(text) == tr.to_binary()


@given(st.lists(st.tuples(st.sampled_from([int(E.GoStart), int(E.String), int(E.Stack)]),
                          st.lists(st.integers(0, 2**64 - 1), max_size=4)), max_size=5))
def test_fast_and_padded_body_encoders_agree_on_values(evs: list[tuple[int, list[int]]]) -> None:
    body = [Ev(t, a, b"x" if t == E.String else None) for t, a in evs]
    assert encode_batch_body(body) == encode_batch_body(body, pad_args=1)


def test_expectations() -> None:
    assert Expectation.success().outcome is Outcome.SUCCESS
    f = Expectation.failure("why", "^x$")
    assert (f.outcome, f.reason, f.pattern) == (Outcome.FAILURE, "why", "^x$")
    assert Expectation.unknown().outcome is Outcome.UNKNOWN


def test_copy_is_deep() -> None:
    tr = _tiny()
    cp = tr.copy()
    cp.batches()[1].events[0].args[1] = 9
    assert tr.batches()[1].events[0].args[1] == 0
