"""Verdicts of the differential engine: each class of disagreement, and its signature."""

from __future__ import annotations

from oracle.diff.compare import Verdict, compare, error_format, first_difference
from oracle.diff.outcome import Outcome, Status, outcome_from_canonical

SYNC = {"i": 0, "kind": "Sync", "time": 1, "m": -1, "p": -1, "g": -1, "stack": None,
        "sync": {"n": 1, "clock": None, "experimental_batches": None}}
GO = {"i": 1, "kind": "StateTransition", "time": 5, "m": 3, "p": 0, "g": 1, "stack": None,
      "transition": {"resource": {"kind": "Goroutine", "id": 1}, "from": "Runnable",
                     "to": "Running", "reason": "", "stack": None}}


def ok(*records: dict) -> Outcome:  # type: ignore[type-arg]
    return Outcome("x", Status.ACCEPTED, tuple(records))


def rejected(msg: str, *records: dict) -> Outcome:  # type: ignore[type-arg]
    return Outcome("x", Status.REJECTED, tuple(records), msg)


def test_agree() -> None:
    c = compare(ok(SYNC, GO), ok(SYNC, GO))
    assert c.verdict is Verdict.AGREE and c.agree


def test_same_error_agrees_and_advance_dumps_compare_on_first_line() -> None:
    a = rejected("broken trace: failed to advance: frontier:\n[gen=1 m=2 ...] A")
    b = rejected("broken trace: failed to advance: frontier:\n[gen=1 m=5 ...] B")
    assert compare(a, b).verdict is Verdict.AGREE


def test_frontier_empty_dumps_compare_on_first_line() -> None:
    """Go 1.24's empty-generation error dumps the ordering's maps too (in map order)."""
    a = rejected("broken trace: frontier is empty:\n[gen=2]\n\nP 0 [..]\nP 2 [..]\n")
    b = rejected("broken trace: frontier is empty:\n[gen=2]\n\nP 2 [..]\nP 0 [..]\n")
    assert compare(a, b).verdict is Verdict.AGREE
    assert compare(a, rejected("broken trace: frontier is empty: other")).verdict \
        is Verdict.ERROR_TEXT_MISMATCH


def test_error_text_mismatch() -> None:
    c = compare(rejected("invalid status for proc 3: 9"), rejected("invalid status for proc 3: 7"))
    assert c.verdict is Verdict.ERROR_TEXT_MISMATCH
    assert c.signature == "error-text-mismatch:invalid status for proc N: N"


def test_verdict_mismatch_names_the_rejecting_side() -> None:
    c = compare(ok(SYNC), rejected("no frequency event found", SYNC))
    assert c.verdict is Verdict.VERDICT_MISMATCH
    assert c.signature == "verdict-mismatch:only-go-rejects:no frequency event found"
    c = compare(rejected("found invalid uvarint"), ok(SYNC))
    assert c.signature.startswith("verdict-mismatch:only-python-rejects:")
    assert c.index == 0


def test_event_mismatch_reports_index_and_field() -> None:
    changed = dict(GO, transition=dict(GO["transition"], reason="sleep"))
    c = compare(ok(SYNC, GO), ok(SYNC, changed))
    assert c.verdict is Verdict.EVENT_MISMATCH
    assert (c.index, c.field) == (1, "transition.reason")
    assert c.signature == "event-mismatch:StateTransition:transition.reason"
    assert c.left == GO and c.right == changed


def test_missing_event_is_an_event_mismatch() -> None:
    c = compare(ok(SYNC), ok(SYNC, GO))
    assert c.verdict is Verdict.EVENT_MISMATCH
    assert (c.index, c.field) == (1, "<missing record>")


def test_go_panics_take_precedence() -> None:
    panicking = dict(GO, panics={"StateTransition": "runtime error: index out of range [257] with length 5"})
    c = compare(ok(SYNC, GO), ok(SYNC, panicking))
    assert c.verdict is Verdict.GO_PANIC
    assert c.signature == "go-panic:StateTransition:runtime error: index out of range [N] with length N"
    c = compare(ok(SYNC), Outcome("go", Status.PANIC, (SYNC,), "boom"))
    assert c.verdict is Verdict.GO_PANIC and c.index == 1


def test_crashes_timeouts_exceptions_and_unsupported() -> None:
    assert compare(ok(), Outcome("go", Status.CRASH, (), "crash")).verdict is Verdict.GO_CRASH
    assert compare(ok(), Outcome("go", Status.TIMEOUT, (), "timeout")).verdict is Verdict.GO_CRASH
    exc = Outcome("python", Status.EXCEPTION, (), "KeyError: 3")
    assert compare(exc, ok()).verdict is Verdict.PYTHON_EXCEPTION
    assert compare(Outcome("python", Status.TIMEOUT), ok()).verdict is Verdict.PYTHON_TIMEOUT
    c = compare(Outcome("python", Status.UNSUPPORTED, (), "v1"), ok())
    assert c.verdict is Verdict.UNSUPPORTED and c.agree


def test_first_difference_paths() -> None:
    assert first_difference({"a": [1, {"b": 2}]}, {"a": [1, {"b": 3}]}) == "a[1].b"
    assert first_difference({"a": 1}, {"a": 1, "b": 2}) == "b"
    assert first_difference([1, 2], [1]) == "[1]"
    assert first_difference(1, "1") == "."
    assert first_difference({"x": None}, {"x": None}) is None


def test_error_format_abstracts_numbers() -> None:
    assert error_format("found invalid stack ID 12 for event GoStart") == "found invalid stack ID N for event GoStart"
    assert error_format("found unknown pc 4f2a for stack 9") == "found unknown pc 4f2a for stack N"


def test_outcome_from_canonical_splits_on_newlines_only() -> None:
    out = '{"i":0,"kind":"Log","msg":"a\u2028b"}\n{"end":"error","error":"x"}\n'.encode()
    o = outcome_from_canonical("go", out)
    assert o.status is Status.REJECTED and o.error == "x"
    assert o.records[0]["msg"] == "a\u2028b"
    assert outcome_from_canonical("go", b'{"i":0}\n').status is Status.CRASH


def test_non_utf8_error_text_is_decoded_not_crashed_on() -> None:
    out = b'{"end":"error","error":{"hex":"6d756c7469706c652080ff"}}\n'  # "multiple \x80\xff"
    o = outcome_from_canonical("go", out)
    assert o.status is Status.REJECTED
    assert o.error == b"multiple \x80\xff".decode("utf-8", "surrogateescape")
    assert compare(o, o).verdict is Verdict.AGREE


# --- Event.String() as a second oracle ---------------------------------------------------------

LOG = {"i": 1, "kind": "Log", "time": 5, "m": 3, "p": 0, "g": 1, "stack": None,
       "log": {"task": 0, "category": "c", "message": "m"}}


def with_strings(o: Outcome, text: str) -> Outcome:
    from dataclasses import replace

    return replace(o, strings=text.encode())


def test_string_mismatch_names_the_kind_of_the_first_differing_event() -> None:
    a = with_strings(ok(SYNC, LOG), 'M=-1 P=-1 G=-1 Sync Time=1\nM=3 P=0 G=1 Log Time=5 Message="m"\nEOF\n')
    b = with_strings(ok(SYNC, LOG), 'M=-1 P=-1 G=-1 Sync Time=1\nM=3 P=0 G=1 Log Time=5 Message=m\nEOF\n')
    c = compare(a, b)
    assert c.verdict is Verdict.STRING_MISMATCH and c.signature == "string-mismatch:Log"
    assert c.index == 1 and c.right == "M=3 P=0 G=1 Log Time=5 Message=m"
    assert compare(a, a).agree
    assert compare(a, ok(SYNC, LOG)).agree  # one side without strings: not compared


def test_string_comparison_leaves_error_texts_to_the_records() -> None:
    a = with_strings(rejected("bad", SYNC), "M=-1 P=-1 G=-1 Sync Time=1\nERROR: stack 1\n")
    b = with_strings(rejected("bad", SYNC), "M=-1 P=-1 G=-1 Sync Time=1\nERROR: stack 10\nM 0\n")
    assert compare(a, b).agree
    p = with_strings(rejected("bad", SYNC), "M=-1 P=-1 G=-1 Sync Time=1\nPANIC: nil map\n")
    c = compare(a, p)
    assert c.verdict is Verdict.STRING_MISMATCH and c.signature == "string-mismatch:terminal"
