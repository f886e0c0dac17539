"""Per-release semantics (oracle.parser.releases): ``Reader(data, go=V)`` against Go V's parser.

For every release the reference reproduces, its outputs (canonical JSON and ``Event.String()``)
must equal that release's helper on Go's testdata traces, the FuzzReader seeds, the
docs/go-findings.md repros, Go's v1 testdata (up to Go's tie order) and, slow, the real traces
of that release's runtime.  Releases it does not reproduce are refused, never approximated.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from oracle.diff.compare import MAP_ORDER_RETRIES, same_up_to_ties, ties_possible
from oracle.harness.helper import GoHelper, helper_for
from oracle.parser.errors import TraceError
from oracle.parser.inputs import load
from oracle.parser.reader import Reader
from oracle.parser.releases import RELEASES, UnsupportedReleaseError, release
from oracle.parser.raw import text_to_binary
from oracle.parser.txtar import read_test_file
from tests._go_support import both_outputs
from tests.conftest import go_fuzz_seeds, go_test_files, pinned_goroot

ROOT = Path(__file__).resolve().parents[3]
#: Reproduced releases other than the pinned one (the pinned one is tests/test_conformance.py).
OTHER = sorted(v for v in RELEASES if v != "1.27.3")


def _inputs() -> list[tuple[str, bytes]]:
    out = [(f"test/{p.stem}", text_to_binary(read_test_file(p)[1])) for p in go_test_files()]
    out += [(f"seed/{p.name}", load(p).data) for p in go_fuzz_seeds()]
    findings = ROOT / "corpus" / "go-findings"
    # Findings 5 and 12 are Go's nondeterministic outputs ("random" in the name).
    out += [(f"finding/{p.name}", load(p).data) for p in sorted(findings.iterdir())
            if p.suffix in (".txt", ".trace") and "random" not in p.name]
    # Campaign findings on the way to exactness (e.g. an EndOfGeneration byte inside a Go125
    # batch: 1.25 decodes it as an event, 1.26+ as a misplaced marker).
    here = Path(__file__).resolve().parent / "data" / "releases"
    out += [(f"data/{p.name}", p.read_bytes()) for p in sorted(here.glob("*.trace"))]
    v1 = pinned_goroot() / "src" / "internal" / "trace" / "internal" / "tracev1" / "testdata"
    out += [(f"v1/{p.name}", p.read_bytes()) for p in sorted(v1.iterdir()) if p.stat().st_size < 50_000]
    return out


INPUTS = _inputs()


@pytest.fixture(scope="module", params=OTHER)
def release_helper(request: pytest.FixtureRequest) -> Iterator[tuple[str, GoHelper]]:
    with GoHelper(helper_for(request.param), timeout=120) as h:  # real traces, loaded machines
        yield request.param, h


def _records(out: bytes) -> list[tuple[str, int]]:
    import json

    recs = []
    for line in out.decode().split("\n")[:-1]:
        d = json.loads(line)
        t = d.pop("time", 0)
        d.pop("i", None)
        recs.append((json.dumps(d, sort_keys=True), t))
    return recs


def assert_release_same(helper: GoHelper, go: str, data: bytes) -> None:
    out = both_outputs(helper, data, go=go)
    if ties_possible(data, go):
        a, b = _records(out.py_json), _records(out.go_json)
        assert a[-1] == b[-1] and same_up_to_ties(a[:-1], b[:-1]) is None
        return
    assert out.py_json == out.go_json
    assert out.py_text == out.go_text


def assert_release_gives_one_of_gos_answers(helper: GoHelper, go: str, data: bytes) -> None:
    """:func:`assert_release_same`, asking Go again where its answer depends on map order."""
    runs = 1 + MAP_ORDER_RETRIES if ties_possible(data, go) else 1
    for i in range(runs):
        try:
            assert_release_same(helper, go, data)
            return
        except AssertionError:
            if i == runs - 1:
                raise


def _assert_all_give_gos_answers(helper: GoHelper, go: str,
                                 inputs: list[tuple[str, bytes]]) -> None:
    """Every input against release ``go``'s own parser, all failures reported at once."""
    failures = []
    for name, data in inputs:
        try:
            assert_release_gives_one_of_gos_answers(helper, go, data)
        except AssertionError as e:
            failures.append(f"{name}: {str(e)[:200]}")
    assert not failures, "\n".join(failures)


def test_release_matches_its_go(release_helper: tuple[str, GoHelper]) -> None:
    go, helper = release_helper
    _assert_all_give_gos_answers(helper, go, INPUTS)


@pytest.mark.slow
def test_release_matches_its_go_on_its_real_traces(release_helper: tuple[str, GoHelper]) -> None:
    """The reader scenarios' plain traces.  Left out, as checking the same code paths again:
    the AllocFree variants (no release switch concerns experimental events, and
    tests/test_conformance.py checks those traces against the pinned Go), ``multigen`` (generation boundaries: the testdata above), and the heap
    scenarios, which are GC-and-allocation workloads like ``gc``."""
    from oracle.harness.realtraces import HEAP_SCENARIOS, real_traces

    go, helper = release_helper
    for t in real_traces(go):
        if not (t.allocfree or t.scenario == "multigen" or t.scenario in HEAP_SCENARIOS):
            assert_release_gives_one_of_gos_answers(helper, go, t.path.read_bytes())


def test_finding_10_is_reproduced_per_release() -> None:
    """ProcSyscallAbandoned is printed as "Bad" up to 1.26 and by name from 1.27."""
    data = load(ROOT / "corpus" / "go-findings" / "abandoned-status-named-bad.txt").data
    for go, name in (("1.26.6", "Bad"), ("1.27.3", "SyscallAbandoned"), (None, "SyscallAbandoned")):
        with pytest.raises(TraceError) as ei:
            for _ in Reader(data, go=go):
                pass
        assert ei.value.message == f"inconsistent status for proc 0: old Idle vs. new {name}"


@pytest.mark.parametrize("go", ["1.21.13", "1.28.0", "nonsense"])
def test_releases_not_reproduced_are_refused(go: str) -> None:
    with pytest.raises(UnsupportedReleaseError, match="does not reproduce"):
        Reader(b"go 1.26 trace\x00\x00\x00", go=go)
    assert release("1.27.3") is release(None)


def _own_testdata(go: str) -> list[tuple[str, bytes]]:
    """The release's own testdata: its ``tests/*.test``, FuzzReader seeds and v1 traces (the
    v1 package is ``internal/oldtrace`` before 1.25, ``internal/tracev1`` since; 1.22 has
    none, and its parser is ``internal/trace/v2``, which ``go_testdata_dir`` knows)."""
    from oracle.campaign.sources import go_testdata_dir
    from oracle.harness.toolchain import ensure

    goroot = ensure(go).goroot
    td = go_testdata_dir(goroot)
    assert td is not None, goroot
    out = [(f"test/{p.stem}", text_to_binary(read_test_file(p)[1]))
           for p in sorted((td / "tests").glob("*.test"))]
    out += [(f"seed/{p.name}", load(p).data)
            for p in sorted((td / "fuzz" / "FuzzReader").iterdir())]
    for v1 in ("oldtrace", "tracev1"):
        d = goroot / "src" / "internal" / "trace" / "internal" / v1 / "testdata"
        if d.is_dir():
            out += [(f"v1/{p.name}", p.read_bytes()) for p in sorted(d.iterdir())
                    if p.stat().st_size < 50_000]
    return out


def test_release_matches_its_go_on_its_own_testdata(
    release_helper: tuple[str, GoHelper],
) -> None:
    """The testdata shipped with the release itself (1.24 lacks the Go125 tests and has its
    v1 traces under ``oldtrace``; 1.22 has Go122 tests only, under ``internal/trace/v2``),
    not only the pinned release's."""
    go, helper = release_helper
    inputs = _own_testdata(go)
    assert len(inputs) > 30
    _assert_all_give_gos_answers(helper, go, inputs)


_UNEXPECTED_STATE = """Trace Go1.23
EventBatch gen=1 m=0 time=0 size=2
Frequency freq=1
EventBatch gen=1 m=0 time=0 size=10
ProcStatus dt=0 p=1 pstatus=3
GoStatusStack dt=0 g=0 m=0 gstatus=3 stack=0
EventBatch gen=1 m=2 time=0 size=12
ProcStatus dt=0 p=1 pstatus=3
GoStatusStack dt=0 g=1 m=2 gstatus=3 stack=0
GoDestroySyscall dt=0
EventBatch gen=1 m=0 time=0 size=2
GoDestroySyscall dt=1
"""


def _switch_cases() -> dict[str, tuple[bytes, dict[str, str]]]:
    """Small traces that each hit one release switch, with the end the releases named report
    (``EOF`` or the error text); each is also checked against every reproduced release's Go."""
    from oracle.parser.batchcursor import encode_timed_event as ev
    from oracle.parser.generation import encode_stacks, encode_sync
    from oracle.parser.rawtrace import encode_batch
    from oracle.parser.tracev2 import EventType as T
    from oracle.parser.version import Version, write_header

    def trace(v: int, *batches: bytes, tail: bytes = b"") -> bytes:
        return write_header(v) + b"".join(batches) + tail

    freq = encode_batch(1, 0, 1, encode_sync(Version.Go123))
    freq22 = encode_batch(1, 0, 1, encode_sync(Version.Go122))
    # P 0 running, G 1 running on M 0.
    body = encode_batch(1, 0, 1, ev(T.ProcStatus, 1, 0, 1) + ev(T.GoStatus, 1, 1, 0, 2))
    return {
        # sync_batch_events: 1.24 ignores what follows the frequency value...
        "freq-trailing": (
            trace(23, encode_batch(1, 0, 1, encode_sync(Version.Go123) + b"\x05\x01"), body),
            {"1.24.11": "EOF",
             "1.25.5": "expected frequency or clock snapshot event, got 5"}),
        # ... and reads a second value before calling it a duplicate (here a bare io.EOF,
        # which ends the trace cleanly).
        "freq-duplicate-cut": (
            trace(23, freq, encode_batch(1, 0, 1, bytes((T.Frequency,))), body),
            {"1.24.11": "EOF", "1.25.5": "found multiple frequency events"}),
        # wire_sync_events: 1.24's table has no ClockSnapshot.
        "clock-snapshot-in-event-batch": (
            trace(23, freq, encode_batch(1, 0, 1, ev(T.ProcStatus, 1, 0, 1)
                                         + ev(T.ClockSnapshot, 1, 5, 6, 7))),
            {"1.24.11": "found event without a timestamp: type=51",
             "1.25.5": "bad event type found while ordering: 51"}),
        # event_names_by_version: readBatch's text, with a named type, a gap and a stray.
        "batch-type-cpusample": (
            trace(23, freq, body, tail=bytes((T.CPUSample,))),
            {"1.24.11": "expected batch event, got CPUSample",
             "1.25.5": "expected batch event, got event 7"}),
        "batch-type-end-of-generation": (
            trace(23, freq, body, tail=bytes((T.EndOfGeneration,))),
            {"1.24.11": "expected batch event, got ",
             "1.25.5": "expected batch event, got event 52"}),
        "batch-type-200": (
            trace(23, freq, body, tail=bytes((200,))),
            {"1.24.11": "expected batch event, got Invalid(200)",
             "1.25.5": "expected batch event, got event 200"}),
        # proc_status_names in every error that prints a ProcStatus (finding 10), here a
        # GoDestroySyscall on a P whose status is SyscallAbandoned (a campaign found it).
        "unexpected-state-syscall-abandoned": (
            text_to_binary(_UNEXPECTED_STATE),
            {"1.24.11": "proc 1 in unexpected state Bad during GoDestroySyscall",
             "1.26.6": "proc 1 in unexpected state Bad during GoDestroySyscall",
             "1.27.3": "proc 1 in unexpected state SyscallAbandoned during GoDestroySyscall"}),
        # ... and the ordering's names of a Go 1.23 event in a Go122 trace (G 1 in a syscall).
        # go123_events: 1.22's table ends at UserLog.
        "go122-create-blocked-name": (
            trace(22, freq22, encode_batch(1, 0, 1, ev(T.ProcStatus, 1, 0, 1)
                                           + ev(T.GoStatus, 1, 1, 0, 3)
                                           + ev(T.GoCreateBlocked, 1, 2, 0, 0))),
            {"1.22.10": "found invalid event type: 47",
             "1.24.11": "GoCreateBlocked event for goroutine that's not Running",
             "1.25.5": "Invalid(47) event for goroutine that's not Running"}),
        # experimental_batches: readBatch's text, and experimental batches (finding 23).
        "go122-batch-type-cpusample": (
            trace(22, freq22, body, tail=bytes((T.CPUSample,))),
            {"1.22.10": "expected batch event (EventBatch), got CPUSample",
             "1.23.9": "expected batch event, got CPUSample"}),
        "go122-batch-type-go-switch": (
            trace(22, freq22, body, tail=bytes((T.GoSwitch,))),
            {"1.22.10": "expected batch event (EventBatch), got Invalid(45)",
             "1.23.9": "expected batch event, got GoSwitch"}),
        "go122-experimental-batch": (
            trace(22, freq22, body, tail=encode_batch(1, 0, 1, b"\x01\x02", exp=1)),
            {"1.22.10": "expected batch event (EventBatch), got Invalid(49)", "1.23.9": "EOF"}),
        # spill_error_deferred (finding 8): generation 2's first batch is cut short after a
        # generation 1 whose GoCreate has no P.
        "go122-spill-error": (
            trace(22, freq22, encode_batch(1, 1, 1, ev(T.GoCreate, 1, 5, 0, 0)),
                  tail=encode_batch(2, 0, 1, bytes(50))[:-50]),
            {"1.22.10": "failed to read full batch: read 0 but wanted 50",
             "1.23.9": "expected a proc but didn't have one"}),
        # frames_by_pc (finding 29): the second stack's frame of the same PC has an unknown
        # file string, which only 1.22 validates ...
        "go122-frames-per-stack": (
            trace(22, freq22, body,
                  encode_batch(1, 0, 1, encode_stacks([(1, [(0x40, 0, 0, 0)]),
                                                       (2, [(0x40, 0, 1, 0)])]))),
            {"1.22.10": "found invalid file string ID 1 for stack 2", "1.23.9": "EOF"}),
        # ... and a duplicate stack ID prints the stacks, frames or PCs.
        "go122-duplicate-stack": (
            trace(22, freq22, body,
                  encode_batch(1, 0, 1, encode_stacks([(1, [(0x40, 0, 0, 7)]),
                                                       (1, [(0x41, 0, 0, 0)])]))),
            {"1.22.10": "multiple trace.stacks with the same ID: id=1, "
                        "new=\ttrace.frame{pc:0x41, funcID:0x0, fileID:0x0, line:0x0}\n, "
                        "existing=\ttrace.frame{pc:0x40, funcID:0x0, fileID:0x0, line:0x7}\n",
             "1.23.9": "multiple trace.stacks with the same ID: id=1, new=\t0x41\n, "
                       "existing=\t0x40\n"}),
        # destroy_syscall_steal_first (finding 31): both accept, in another order
        # (test_go_1_22_returns_the_destroy_syscall_steal_after_the_event).
        "go122-destroy-syscall": (DESTROY_SYSCALL, {"1.22.10": "EOF", "1.23.9": "EOF"}),
    }


def _destroy_syscall() -> bytes:
    """P 0 and goroutine 1 in a syscall on M 1, then a GoDestroySyscall (a cgo callback's
    goroutine going away), which releases the P with a synthesized self-ProcSteal."""
    from oracle.parser.batchcursor import encode_timed_event as ev
    from oracle.parser.generation import encode_sync
    from oracle.parser.rawtrace import encode_batch
    from oracle.parser.tracev2 import EventType as T
    from oracle.parser.version import Version, write_header

    return (write_header(22) + encode_batch(1, 0, 1, encode_sync(Version.Go122))
            + encode_batch(1, 1, 1, ev(T.ProcStatus, 1, 0, 3) + ev(T.GoStatus, 1, 1, 1, 3)
                           + ev(T.GoDestroySyscall, 1)))


DESTROY_SYSCALL = _destroy_syscall()
SWITCH_CASES = _switch_cases()


def _end(data: bytes, go: str) -> str:
    try:
        for _ in Reader(data, go=go):
            pass
    except TraceError as e:
        return e.message
    return "EOF"


@pytest.mark.parametrize("name", sorted(SWITCH_CASES))
def test_release_switches(name: str) -> None:
    data, ends = SWITCH_CASES[name]
    for go, end in ends.items():
        assert _end(data, go) == end, go


def test_release_switches_match_their_go(release_helper: tuple[str, GoHelper]) -> None:
    go, helper = release_helper
    failures = []
    for name, (data, _) in SWITCH_CASES.items():
        try:
            assert_release_gives_one_of_gos_answers(helper, go, data)
        except AssertionError as e:
            failures.append(f"{name}: {str(e)[:200]}")
    assert not failures, "\n".join(failures)


def test_sync_closes_each_generation_up_to_1_24() -> None:
    """Go 1.24: one Sync after each generation's events (and none before); 1.25: one before
    each generation and a final one."""
    data = INPUTS_BY_NAME["test/go122-task-across-generations"]
    kinds = {go: [str(e.kind) for e in Reader(data, go=go)] for go in ("1.24.11", "1.25.5")}
    old, new = kinds["1.24.11"], kinds["1.25.5"]
    assert old[0] != "Sync" and old[-1] == "Sync"
    assert new[0] == "Sync" and new[-1] == "Sync"
    assert new.count("Sync") == old.count("Sync") + 1
    assert [k for k in old if k != "Sync"] == [k for k in new if k != "Sync"]


INPUTS_BY_NAME = dict(INPUTS)


def test_finding_6_is_reproduced_per_release() -> None:
    """GoStatus with gstatus 258: Go 1.23's StateTransition indexes with the wire value and
    panics; from 1.24 the ordering's uint8 is packed and the transition is Undetermined->Running."""
    from oracle.parser.errors import GoPanic

    data = load(ROOT / "corpus" / "go-findings" / "gostatus-uint8-truncation.txt").data
    ev = next(e for e in Reader(data, go="1.23.9") if str(e.kind) == "StateTransition")
    with pytest.raises(GoPanic, match=r"index out of range \[258\] with length 5"):
        ev.state_transition()
    ev = next(e for e in Reader(data, go="1.24.11") if str(e.kind) == "StateTransition")
    assert [str(s) for s in ev.state_transition().goroutine()] == ["Undetermined", "Running"]


def test_go_1_23_frontier_order_is_a_tie_order() -> None:
    """Go 1.23 builds each generation's frontier in map order, so its v2 answers are compared
    up to ties (and asked for again); 1.24 on use the order of each M's first batch."""
    from oracle.diff.compare import ties_possible

    data = INPUTS_BY_NAME["test/go122-syscall-steal-proc-ambiguous"]
    assert ties_possible(data, "1.23.9")
    assert not ties_possible(data, "1.24.11") and not ties_possible(data)
    assert not RELEASES["1.23.9"].frontier_in_batch_order and RELEASES["1.24.11"].frontier_in_batch_order


def test_frontier_rotation_follows_go_1_23s_other_map_orders() -> None:
    """``frontier_rotation`` gives Go 1.23's other answers (two Ms whose first events tie
    come in the other order); releases with a fixed order ignore it."""
    data = INPUTS_BY_NAME["test/go122-syscall-steal-proc-ambiguous"]

    def threads(go: str, k: int) -> list[int]:
        return [e.ctx.m for e in Reader(data, go=go, frontier_rotation=k)]

    assert threads("1.23.9", 1) != threads("1.23.9", 0) == threads("1.24.11", 0)
    assert sorted(threads("1.23.9", 1)) == sorted(threads("1.23.9", 0))
    assert threads("1.24.11", 1) == threads("1.24.11", 0)


def test_go_1_22_returns_the_destroy_syscall_steal_after_the_event() -> None:
    """Finding 31: 1.22's ordering keeps the self-ProcSteal in ``extraEvent`` and returns it
    after the GoDestroySyscall; 1.23 on queue it first.  Same events otherwise."""
    def kinds(go: str) -> list[str]:
        return [f"{e.kind}:{e.state_transition().resource}" if str(e.kind) == "StateTransition"
                else str(e.kind) for e in Reader(DESTROY_SYSCALL, go=go)]

    old, new = kinds("1.22.10"), kinds("1.23.9")
    assert old[2:4] == ["StateTransition:Goroutine(1)", "StateTransition:Proc(0)"]
    assert new[2:4] == old[3:1:-1] and new[:2] == old[:2] and new[4:] == old[4:]


def _v1_traces() -> list[tuple[str, bytes]]:
    """Go's v1 testdata and the Go 1.21.13 runtime's real traces (cached)."""
    from oracle.harness.realtraces import V1_RUNTIME_VERSIONS, real_traces

    out = [(n, d) for n, d in INPUTS if n.startswith("v1/")]
    out += [(f"real/{t.name}", t.path.read_bytes())
            for v in V1_RUNTIME_VERSIONS for t in real_traces(v)]
    return out


def test_go_1_22_rejects_v1_traces_as_its_go_does() -> None:
    """1.22 reads no v1 trace: its ``version.ReadHeader`` knows only Go122, so the reference
    under 1.22.10 gives Go 1.22.10's text for every v1 trace, and Go 1.22.10 agrees."""
    from oracle.parser.version import read_header_bytes

    traces = _v1_traces()
    assert len(traces) > 12
    with GoHelper(helper_for("1.22.10"), timeout=120) as helper:
        for name, data in traces:
            v, _ = read_header_bytes(data)
            with pytest.raises(TraceError) as ei:
                Reader(data, go="1.22.10")
            assert ei.value.message == f"unknown or unsupported trace version go 1.{int(v)}", name
            assert_release_same(helper, "1.22.10", data)
