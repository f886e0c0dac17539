"""The public strategies (strategies/_internal/core.py): eager validation and the two
differential properties of the issue.

(a) every valid example is accepted by Go and by Python with identical output, from its binary
form and (when the version can express it) from its text form converted by Go's rules;
(b) every mutated example gives identical output on both sides (verdict, events, error text),
up to the known Go findings (``_strategies_support.known_finding``).
"""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

import strategies
from oracle.diff import Status
from oracle.parser.raw import text_to_binary
from strategies import Outcome, Trace, mutated_traces, traces

from _strategies_support import both, describe, known_finding


@pytest.mark.parametrize(
    "kwargs",
    [
        {"versions": 21},
        {"versions": []},
        {"versions": ["26"]},
        {"versions": True},
        {"max_ms": 0},
        {"max_ms": 1.5},
        {"max_ps": 1000},
        {"max_gs": -1},
        {"max_generations": 0},
        {"max_events": -1},
        {"min_generations": 4, "max_generations": 3},
        {"allocfree": "yes"},
        {"allocfree": True, "versions": 22},
        {"features": ["no-such-feature"]},
        {"features": "gc"},
    ],
)
def test_traces_validates_eagerly(kwargs: dict[str, object]) -> None:
    with pytest.raises(InvalidArgument):
        traces(**kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "kwargs",
    [{"mutations": []}, {"mutations": ["nope"]}, {"mutations": "drop_event"}, {"max_mutations": 0},
     {"max_ms": 0}],
)
def test_mutated_traces_validates_eagerly(kwargs: dict[str, object]) -> None:
    with pytest.raises(InvalidArgument):
        mutated_traces(**kwargs)  # type: ignore[arg-type]


def test_public_api_is_exactly_all() -> None:
    public = {n for n in dir(strategies) if not n.startswith("_") and n != "annotations"}
    assert public == set(strategies.__all__)


def test_docstrings_say_how_examples_shrink() -> None:
    for fn in (traces, mutated_traces):
        assert re.search(r"Examples shrink towards [^.]+\.\s*$", fn.__doc__ or ""), fn.__name__


@given(traces())
def test_valid_traces_are_accepted_by_go_and_python_alike(go_helper, tr: Trace) -> None:  # type: ignore[no-untyped-def]
    assert tr.expectation.outcome is Outcome.SUCCESS
    py, go, c = both(go_helper, tr.to_binary())
    assert go.status is Status.ACCEPTED, f"{tr.describe()}\n{describe(py, go, c)}"
    assert c.agree, f"{tr.describe()}\n{describe(py, go, c)}"
    text = tr.to_text()
    if text is not None:
        # The text form is the same trace with minimal varints: same events on both sides.
        py2, go2, c2 = both(go_helper, text_to_binary(text))
        assert go2.status is Status.ACCEPTED and c2.agree, describe(py2, go2, c2)
        assert py2.records == py.records


@given(mutated_traces())
def test_mutated_traces_agree_or_hit_a_known_finding(go_helper, tr: Trace) -> None:  # type: ignore[no-untyped-def]
    assert tr.mutations, "every mutated example records its mutations"
    py, go, c = both(go_helper, tr.to_binary())
    if not c.agree:
        assert known_finding(py, go, c), f"NEW DIVERGENCE {tr.describe()}\n{describe(py, go, c)}"
    if tr.expectation.outcome is Outcome.FAILURE:
        assert go.status is Status.REJECTED, f"{tr.describe()}: {tr.expectation}"
        assert tr.expectation.pattern is None or re.search(tr.expectation.pattern, go.error or ""), (
            f"{tr.describe()}: {go.error!r} !~ {tr.expectation.pattern}"
        )


@settings(max_examples=20)
@given(st.data())
def test_restricted_parameters_are_honoured(data: st.DataObject) -> None:
    tr = data.draw(traces(versions=[22], max_ms=1, max_ps=1, max_gs=1, max_generations=1,
                          max_events=10, features=[]))
    assert int(tr.version) == 22
    assert tr.generations() == [1]
    threads = {b.m for b in tr.batches() if b.role == "events"} - {(1 << 64) - 1}
    assert len(threads) <= 1
    assert tr.features == frozenset()


def test_regression_non_utf8_error_text(go_helper) -> None:  # type: ignore[no-untyped-def]
    """Found by mutated_traces (truncate + oversized_string, seed 1997): an error whose text is
    not UTF-8.  Go's canonical dump writes it as ``{"hex": ...}``, which ``oracle.diff`` does
    not decode (it then crashes in ``normalize_error``); decoded, both sides agree byte for
    byte."""
    from oracle.parser.version import Version
    from strategies import END_OF_GENERATION, Batch, Ev
    from oracle.parser.tracev2 import EventType as E

    nt = (1 << 64) - 1
    tr = Trace(Version.Go126)
    tr.items = [
        Batch(1, nt, 1, [Ev(int(E.Sync), []), Ev(int(E.Frequency), [15625000]),
                         Ev(int(E.ClockSnapshot), [1, 1, 1, 1])], role="sync"),
        Batch(1, nt, 2, [Ev(int(E.Strings), []), Ev(int(E.String), [1], b"ok"),
                         Ev(int(E.String), [1], b"\x80\xff")], role="strings"),
        END_OF_GENERATION,
    ]
    py, go, c = both(go_helper, tr.to_binary())
    assert go.status is Status.REJECTED and c.agree, describe(py, go, c)
    assert go.error == "multiple strings with the same ID: id=1, new=\udc80\udcff, existing=ok"
