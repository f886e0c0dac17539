"""Go's own trace parser as the judge in your tests: an example of gotrace-oracle's pytest plugin.

Installing gotrace-oracle registers the plugin (a ``pytest11`` entry point); nothing to import
or configure.  Run this file as it stands:

    pytest docs/example_gotrace_test.py
    pytest docs/example_gotrace_test.py --gotrace-go 1.25.5            # another Go release
    pytest docs/example_gotrace_test.py --hypothesis-profile gotrace-ci  # bounded, reproducible

``tests/oracle/diff/test_pytest_plugin.py`` runs it exactly like that.
"""

from __future__ import annotations

from hypothesis import given, settings

import oracle
from oracle.campaign.findings import is_known_go_signature, is_known_nondeterminism
from oracle.diff.check import GoParser
from oracle.parser.raw import text_to_binary
from strategies import Trace, mutated_traces, traces

#: A trace in Go's raw text format (the format of Go's ``testdata/tests/*.test`` files).  Go
#: accepts it, then panics in ``Event.Sync()``: a Go bug, docs/go-findings.md finding 1.
SYNC_PANIC = text_to_binary("""\
Trace Go1.23
EventBatch gen=1 m=18446744073709551615 time=1 size=6
Frequency freq=1000000000
EventBatch gen=1 m=1 time=1 size=4
ProcStatus dt=1 p=0 pstatus=1
ExperimentalBatch exp=2 gen=1 m=1 time=1
data="x"
""")


def test_check_without_the_fixture() -> None:
    # oracle.check runs the reference parser and Go's (the pinned Go, or go="1.25.5").
    header_only = b"go 1.26 trace\x00\x00\x00"
    assert oracle.check(header_only).agree
    c = oracle.check(SYNC_PANIC)
    assert not c.agree
    assert c.verdict.value == "go-panic" and c.signature.startswith("go-panic:Sync:")


def test_go_rejects_what_the_reference_parser_rejects(go_trace_parser: GoParser) -> None:
    truncated = b"go 1.26 trace\x00\x00\x00\x01\x02"
    c = go_trace_parser.assert_agrees(truncated)  # raises, with an explanation, on divergence
    assert c.agree


@settings(max_examples=25, deadline=None)  # a Go round trip takes what the machine gives it
@given(traces(max_events=30))
def test_valid_generated_traces_agree(go_trace_parser: GoParser, trace: Trace) -> None:
    # A failing example prints as a short text trace (Trace's repr), not an object dump.
    go_trace_parser.assert_agrees(trace.to_binary())


@settings(max_examples=25, deadline=None)  # a Go round trip takes what the machine gives it
@given(mutated_traces(max_events=30))
def test_broken_traces_are_rejected_alike(go_trace_parser: GoParser, trace: Trace) -> None:
    c = go_trace_parser.compare(trace.to_binary())
    # Go's documented bugs and nondeterminism (docs/go-findings.md) are not new findings.
    assert c.agree or is_known_go_signature(c.signature) or is_known_nondeterminism(c), c
