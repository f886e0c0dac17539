"""Tests for oracle.parser.event: the Event API, its String() and its panics, against Go 1.27.3.

Three layers:

* hand-written expectations per accessor on hand-built events (readable, and they pin down the
  semantics we believe Go has);
* ``_event_cases.CASES``: the same events built inside Go 1.27.3 by the hook in
  ``tools/eventw`` -- ``Event.String()`` (or its panic) and ``validateTableIDs`` must match
  Go's recorded answers exactly (``data/event_cases.go.jsonl``);
* (slow) whole traces: every event's ``go_string()`` against the Go helper's ``go-string``
  mode on Go's own test traces.
"""

from __future__ import annotations

import hashlib
from typing import Any

import pytest

from oracle.parser.base import NO_CTX, BaseEvent, EvTable, Frame, SchedCtx, StackRecord
from oracle.parser.errors import GoPanic, TraceError
from oracle.parser.event import (
    EV_SYNC,
    NO_STACK,
    NO_TASK,
    TYPE_TO_KIND,
    Event,
    EventKind,
    ExperimentalEvent,
    GoTime,
    Stack,
    StackFrame,
    go_unix,
    sync_event,
    validate_table_ids,
)
from oracle.parser.gostrconv import go_bytes
from oracle.parser.resources import ProcState, ResourceID, ResourceKind
from oracle.parser.tracev2 import SPECS, EventType as T
from oracle.parser.value import string_value, uint64_value

import _event_cases as cases  # tests/oracle/parser is on sys.path (rootdir-relative test modules)

U64 = (1 << 64) - 1


def _table() -> EvTable:
    t = EvTable()
    for i, s in enumerate(["select", "main.main", "/m.go", "GC", "lbl\udcff"], start=1):
        t.strings.insert(i, s)
    t.stacks.insert(1, StackRecord((0x401000,)))
    t.pcs[0x401000] = Frame(0x401000, 2, 3, 10)
    return t


TBL = _table()
CTX = SchedCtx(g=7, p=2, m=1000)


def ev(typ: int, *args: int, ctx: SchedCtx = CTX, table: EvTable | None = TBL,
       time: int = 100) -> Event:
    a = list(args) + [0] * (4 - len(args))
    return Event(table, ctx, BaseEvent(typ, time, a))


# --- kinds -----------------------------------------------------------------------------------


def test_event_kind_numbering_and_names() -> None:
    names = ["Bad", "Sync", "Metric", "Label", "StackSample", "RangeBegin", "RangeActive",
             "RangeEnd", "TaskBegin", "TaskEnd", "RegionBegin", "RegionEnd", "Log",
             "StateTransition", "Experimental"]
    assert [(int(k), str(k)) for k in EventKind] == list(enumerate(names))


def test_type_to_kind_table_shape() -> None:
    assert len(TYPE_TO_KIND) == 256
    assert TYPE_TO_KIND[EV_SYNC] == EventKind.Sync
    # Structural types and ClockSnapshot have no kind.
    for t in (T.NONE, T.EventBatch, T.Stacks, T.Stack, T.Strings, T.String, T.CPUSamples,
              T.Frequency, T.ExperimentalBatch, T.Sync, T.ClockSnapshot, T.EndOfGeneration):
        assert TYPE_TO_KIND[t] == EventKind.Bad
    # Every timed event has a kind, except ClockSnapshot (Go's table omits it).
    for i, s in enumerate(SPECS):
        if s.is_timed_event and i != T.ClockSnapshot:
            assert TYPE_TO_KIND[i] != EventKind.Bad, s.name
    assert TYPE_TO_KIND[T.CPUSample] == EventKind.StackSample
    assert all(TYPE_TO_KIND[t] == EventKind.Experimental for t in range(128, 137))
    assert all(k == EventKind.Bad for k in TYPE_TO_KIND[137:255])


def test_every_kinded_type_has_a_go_checked_case() -> None:
    typs = {c["Typ"] for c in cases.CASES}
    assert {i for i, k in enumerate(TYPE_TO_KIND) if k != EventKind.Bad} <= typs


# --- simple accessors --------------------------------------------------------------------------


def test_basic_accessors() -> None:
    e = ev(T.GoDestroy, time=-5)
    assert (e.kind, e.time, e.goroutine, e.proc, e.thread) == (
        EventKind.StateTransition, -5, 7, 2, 1000)


def test_stack_rules() -> None:
    assert ev(T.GoStop, 1, 1).stack == Stack(TBL, 1)
    assert ev(T.GoStop, 1, 0).stack == NO_STACK  # ID 0 -> NoStack
    assert ev(T.GoDestroy).stack == NO_STACK  # no stack argument
    assert ev(T.GoCreate, 9, 0, 1).stack == Stack(TBL, 1)  # first StackIDs entry is args[2]
    # CPU samples: args[0], raw, even 0.
    assert ev(T.CPUSample, 0).stack == Stack(TBL, 0)
    assert ev(T.CPUSample, 0).stack != NO_STACK
    assert sync_event(TBL, 1, 1).stack == NO_STACK
    with pytest.raises(GoPanic, match=r"index out of range \[200\] with length 137"):
        _ = ev(200).stack
    assert list(ev(T.GoStop, 1, 1).stack) == [StackFrame(0x401000, "main.main", "/m.go", 10)]


def test_metric() -> None:
    assert ev(T.ProcsChange, 8, 1).metric().name == "/sched/gomaxprocs:threads"
    assert ev(T.HeapAlloc, 5).metric().name == "/memory/classes/heap/objects:bytes"
    m = ev(T.HeapGoal, U64).metric()
    assert (m.name, m.value) == ("/gc/heap/goal:bytes", uint64_value(U64))
    with pytest.raises(GoPanic, match=r"^Metric called on non-Metric event$"):
        ev(T.GoLabel, 1).metric()


def test_label() -> None:
    lb = ev(T.GoLabel, 5).label()
    assert lb.label == "lbl\udcff"
    assert lb.resource == ResourceID(ResourceKind.Goroutine, 7)
    with pytest.raises(GoPanic, match=r"^expected id 66 in string table$"):
        ev(T.GoLabel, 66).label()
    with pytest.raises(GoPanic, match=r"^Label called on non-Label event$"):
        ev(T.HeapGoal, 1).label()


@pytest.mark.parametrize(
    ("typ", "args", "name", "scope"),
    [
        (T.STWBegin, (4, 1), "stop-the-world (GC)", ResourceID(ResourceKind.Goroutine, 7)),
        (T.STWEnd, (4,), "stop-the-world (GC)", ResourceID(ResourceKind.Goroutine, 7)),
        (T.GCActive, (1,), "GC concurrent mark phase", ResourceID(ResourceKind.None_, 0)),
        (T.GCBegin, (1, 0), "GC concurrent mark phase", ResourceID()),
        (T.GCEnd, (1,), "GC concurrent mark phase", ResourceID()),
        (T.GCSweepActive, (U64,), "GC incremental sweep", ResourceID(ResourceKind.Proc, -1)),
        (T.GCSweepBegin, (0,), "GC incremental sweep", ResourceID(ResourceKind.Proc, 2)),
        (T.GCSweepEnd, (1, 2), "GC incremental sweep", ResourceID(ResourceKind.Proc, 2)),
        (T.GCMarkAssistActive, (42,), "GC mark assist", ResourceID(ResourceKind.Goroutine, 42)),
        (T.GCMarkAssistBegin, (0,), "GC mark assist", ResourceID(ResourceKind.Goroutine, 7)),
        (T.GCMarkAssistEnd, (), "GC mark assist", ResourceID(ResourceKind.Goroutine, 7)),
    ],
)
def test_range(typ: int, args: tuple[int, ...], name: str, scope: ResourceID) -> None:
    r = ev(typ, *args).range()
    assert (r.name, r.scope) == (name, scope)


def test_range_attributes() -> None:
    attrs = ev(T.GCSweepEnd, 100, 50).range_attributes()
    assert attrs is not None
    assert [(a.name, a.value) for a in attrs] == [
        ("bytes swept", uint64_value(100)), ("bytes reclaimed", uint64_value(50))]
    assert ev(T.GCEnd, 1).range_attributes() is None
    with pytest.raises(GoPanic, match=r"^Range called on non-Range event$"):
        ev(T.GCBegin, 1, 0).range_attributes()  # only RangeEnd may ask
    with pytest.raises(GoPanic, match=r"^expected id 9 in string table$"):
        ev(T.STWEnd, 9).range()  # the STWEnd kind-string panic


def test_task_region_log() -> None:
    t = ev(T.UserTaskBegin, 5, NO_TASK, 1, 0).task()
    assert (t.id, t.parent, t.type) == (5, NO_TASK, "select")
    tbl = _table()
    x = tbl.add_extra_string("extra")
    t2 = ev(T.UserTaskEnd, 5, 0, 3, x, table=tbl).task()  # parent/type in the spare slots
    assert (t2.id, t2.parent, t2.type) == (5, 3, "extra")
    with pytest.raises(GoPanic, match=r"index out of range \[4\] with length 1"):
        ev(T.UserTaskEnd, 5, 0, 3, 5, table=tbl).task()
    rg = ev(T.UserRegionEnd, 5, 4, 0).region()
    assert (rg.task, rg.type) == (5, "GC")
    lg = ev(T.UserLog, 5, 1, 4, 0).log()
    assert (lg.task, lg.category, lg.message) == (5, "select", "GC")
    for method, msg in (("task", "Task"), ("region", "Region"), ("log", "Log")):
        with pytest.raises(GoPanic, match=f"^{msg} called on non-{msg} event$"):
            getattr(ev(T.GoDestroy), method)()


def _transition(e: Event) -> tuple[Any, ...]:
    st = e.state_transition()
    if st.resource.kind == ResourceKind.Goroutine:
        fr, to = st.goroutine()
    else:
        fr, to = st.proc()  # type: ignore[assignment]
    return (str(st.resource), str(fr), str(to), st.reason, st.stack)


@pytest.mark.parametrize(
    ("e", "want"),
    [
        (ev(T.ProcStart, 3, 1), ("Proc(3)", "Idle", "Running", "", NO_STACK)),
        (ev(T.ProcStop), ("Proc(2)", "Running", "Idle", "", NO_STACK)),
        (ev(T.ProcSteal, 3, 1, 9, 1), ("Proc(3)", "Running", "Idle", "", NO_STACK)),
        (ev(T.ProcSteal, 3, 1, 9, 4), ("Proc(3)", "Idle", "Idle", "", NO_STACK)),
        (ev(T.ProcSteal, 3, 1, 9, 0x104), ("Proc(3)", "Idle", "Idle", "", NO_STACK)),
        (ev(T.ProcStatus, 3, 3, ProcState.Idle), ("Proc(3)", "Idle", "Running", "", NO_STACK)),
        (ev(T.ProcStatus, 3, 4, 0), ("Proc(3)", "Undetermined", "Idle", "", NO_STACK)),
        (ev(T.ProcStatus, 3, 0, 300), ("Proc(3)", "Bad", "Undetermined", "", NO_STACK)),
        (ev(T.GoCreate, 9, 1, 0), ("Goroutine(9)", "NotExist", "Runnable", "", Stack(TBL, 1))),
        (ev(T.GoCreate, 9, 0, 0), ("Goroutine(9)", "NotExist", "Runnable", "", Stack(TBL, 0))),
        (ev(T.GoCreateBlocked, 9, 1, 1), ("Goroutine(9)", "NotExist", "Waiting", "", Stack(TBL, 1))),
        (ev(T.GoCreateSyscall, 9), ("Goroutine(9)", "NotExist", "Syscall", "", NO_STACK)),
        (ev(T.GoStart, 9, 1), ("Goroutine(9)", "Runnable", "Running", "", NO_STACK)),
        (ev(T.GoDestroy), ("Goroutine(7)", "Running", "NotExist", "", NO_STACK)),
        (ev(T.GoDestroySyscall), ("Goroutine(7)", "Syscall", "NotExist", "", NO_STACK)),
        (ev(T.GoStop, 1, 1), ("Goroutine(7)", "Running", "Runnable", "select", Stack(TBL, 1))),
        (ev(T.GoBlock, 4, 0), ("Goroutine(7)", "Running", "Waiting", "GC", NO_STACK)),
        (ev(T.GoUnblock, 9, 1, 1), ("Goroutine(9)", "Waiting", "Runnable", "", NO_STACK)),
        (ev(T.GoSwitch, 9, 1), ("Goroutine(9)", "Waiting", "Runnable", "", NO_STACK)),
        (ev(T.GoSwitchDestroy, 9, 1), ("Goroutine(9)", "Waiting", "Runnable", "", NO_STACK)),
        (ev(T.GoSyscallBegin, 1, 1), ("Goroutine(7)", "Running", "Syscall", "", Stack(TBL, 1))),
        (ev(T.GoSyscallEnd), ("Goroutine(7)", "Syscall", "Running", "", NO_STACK)),
        (ev(T.GoSyscallEndBlocked), ("Goroutine(7)", "Syscall", "Runnable", "", NO_STACK)),
        (ev(T.GoStatus, 9, U64, (2 << 32) | 4), ("Goroutine(9)", "Runnable", "Waiting", "", NO_STACK)),
        (ev(T.GoStatus, 9, 1, (7 << 32) | 0), ("Goroutine(9)", "Bad", "Undetermined", "", NO_STACK)),
        (ev(T.GoStatusStack, 9, 1, 3, 1), ("Goroutine(9)", "Undetermined", "Syscall", "", Stack(TBL, 1))),
    ],
    ids=lambda x: SPECS[x.base.typ].name if isinstance(x, Event) else "",
)
def test_state_transition(e: Event, want: tuple[Any, ...]) -> None:
    assert _transition(e) == want


def test_state_transition_panics() -> None:
    with pytest.raises(GoPanic, match=r"^runtime error: index out of range \[257\] with length 5$"):
        ev(T.ProcStatus, 3, 257, 0).state_transition()
    with pytest.raises(GoPanic, match=r"^StateTransition called on non-StateTransition event$"):
        ev(T.GCEnd, 1).state_transition()


def test_sync() -> None:
    s = sync_event(None, 10, 3).sync()
    assert (s.n, s.clock_snapshot, s.experimental_batches) == (3, None, None)
    tbl = _table()
    tbl.sync.freq = 2.0
    tbl.sync.has_clock_snapshot = True
    tbl.sync.snap_time, tbl.sync.snap_mono = 50, 77
    tbl.sync.snap_wall_sec, tbl.sync.snap_wall_nsec = 10, -1
    tbl.exp_batches = {1: [(4, b"\x01")]}
    s = sync_event(tbl, 10, 1).sync()
    assert s.clock_snapshot is not None
    assert (s.clock_snapshot.trace, s.clock_snapshot.mono) == (100, 77)
    assert s.clock_snapshot.wall == GoTime(9, 999_999_999)  # time.Unix normalises
    assert s.experimental_batches is not None
    assert [(b.thread, b.data) for b in s.experimental_batches["AllocFree"]] == [(4, b"\x01")]
    tbl.exp_batches = {2: []}
    with pytest.raises(GoPanic, match=r"^runtime error: index out of range \[2\] with length 2$"):
        sync_event(tbl, 10, 1).sync()
    with pytest.raises(GoPanic, match=r"^Sync called on non-Sync event$"):
        ev(T.GoDestroy).sync()


def test_sync_event_shape() -> None:
    e = sync_event(TBL, 99, 4)
    assert (e.ctx, e.base.typ, e.base.time, e.base.args) == (NO_CTX, EV_SYNC, 99, [4, 0, 0, 0])
    assert e.kind == EventKind.Sync


def test_experimental() -> None:
    x = ev(T.SpanAlloc, 0x1000, 4, 17).experimental()
    assert (x.name, x.experiment, x.args, x.arg_values) == (
        "SpanAlloc", "AllocFree", ("id", "npages_value", "kindclass"), (0x1000, 4, 17))
    assert [x.arg_value(i) for i in range(3)] == [uint64_value(v) for v in (0x1000, 4, 17)]
    with pytest.raises(GoPanic, match=r"^experimental event argument index 3 out of bounds \[0, 3\)$"):
        x.arg_value(3)
    with pytest.raises(GoPanic, match=r"^Experimental called on non-Experimental event$"):
        ev(T.GoDestroy).experimental()


def test_experimental_string_args_are_looked_up() -> None:
    # No 1.27 experimental event has a *_string argument; ArgValue's rule still applies.
    x = ExperimentalEvent("E", "AllocFree", ("name_string", "n"), TBL, (4, 4))
    assert x.arg_value(0) == string_value("GC")
    assert x.arg_value(1) == uint64_value(4)


# --- validateTableIDs ----------------------------------------------------------------------------


def test_validate_table_ids() -> None:
    validate_table_ids(ev(T.GoStop, 1, 1))
    validate_table_ids(sync_event(None, 1, 1))
    with pytest.raises(TraceError) as ei:
        validate_table_ids(ev(T.UserLog, 5, 40, 41, 42))
    assert ei.value.message == "found invalid stack ID 42 for event UserLog"  # stacks first
    with pytest.raises(TraceError) as ei:
        validate_table_ids(ev(T.UserLog, 5, 1, 41, 0))
    assert ei.value.message == "found invalid string ID 41 for event UserLog"
    with pytest.raises(TraceError) as ei:
        validate_table_ids(ev(T.GoCreate, 9, 50, 1))  # both stack IDs are checked, [3, 2]
    assert ei.value.message == "found invalid stack ID 50 for event GoCreate"
    # A CPU sample's stack lives in args[0], but validation looks at args[3] (a Go quirk).
    validate_table_ids(ev(T.CPUSample, 42))
    with pytest.raises(TraceError, match="found invalid stack ID 9 for event CPUSample"):
        validate_table_ids(ev(T.CPUSample, 1, 0, 0, 9))


# --- String() ------------------------------------------------------------------------------------


def test_go_string_examples() -> None:
    assert ev(T.GoStop, 1, 1).go_string() == (
        'M=1000 P=2 G=7 StateTransition Time=100 GoID=7 Running->Runnable Reason="select"\n'
        "TransitionStack=\n\tmain.main @ 0x401000\n\t\t/m.go:10\n"
        "\nStack=\n\tmain.main @ 0x401000\n\t\t/m.go:10\n"
    )
    assert ev(T.GoLabel, 5).go_string() == (
        'M=1000 P=2 G=7 Label Time=100 Label="lbl\\xff" Resource=Goroutine(7)')
    assert ev(T.GCSweepEnd, 1, 2).go_string() == (
        'M=1000 P=2 G=7 RangeEnd Time=100 Name="GC incremental sweep" Scope=Proc(2) '
        'Attributes=["bytes swept"=Value{Uint64(1)} "bytes reclaimed"=Value{Uint64(2)}]')
    assert ev(T.GCEnd, 1).go_string().endswith("Scope=None Attributes=[]")
    assert ev(T.SpanFree, 16).go_string() == (
        "M=1000 P=2 G=7 Experimental Time=100 Name=SpanFree Args=[id=Value{Uint64(16)}]")
    assert ev(T.NONE).go_string() == "M=1000 P=2 G=7 Bad Time=100"
    assert ev(T.CPUSample, 0).go_string() == "M=1000 P=2 G=7 StackSample Time=100\nStack=\n"
    assert str(ev(T.GoDestroy)) == ev(T.GoDestroy).go_string()


def test_go_string_sync_with_clock() -> None:
    tbl = _table()
    tbl.sync.freq = 1.0
    tbl.sync.has_clock_snapshot = True
    tbl.sync.snap_time, tbl.sync.snap_mono = 5, 6
    tbl.sync.snap_wall_sec, tbl.sync.snap_wall_nsec = 1700000000, 120000000
    assert sync_event(tbl, 10, 2).go_string() == (
        "M=-1 P=-1 G=-1 Sync Time=10 N=2 Trace=5 Mono=6 Wall=2023-11-14T22:13:20.12Z")


def test_go_string_propagates_accessor_panics() -> None:
    with pytest.raises(GoPanic, match="expected id 9 in string table"):
        ev(T.STWEnd, 9).go_string()


# --- Go ground truth for hand-built events --------------------------------------------------------

EXPECTED = cases.load_expected()


@pytest.mark.parametrize("spec", cases.CASES, ids=[c["name"] for c in cases.CASES])
def test_matches_go_string_and_validate(spec: dict[str, Any]) -> None:
    want, _ = EXPECTED[spec["name"]]
    e = cases.build_event(spec)
    try:
        got: dict[str, Any] = {"string": go_bytes(e.go_string())}
    except GoPanic as p:
        got = {"string_panic": p.message}
    if "string" in want:
        w = want["string"]
        assert got == {"string": bytes.fromhex(w["hex"]) if isinstance(w, dict) else w.encode()}
    else:
        assert got == {"string_panic": want["string_panic"]}
    try:
        validate_table_ids(e)
        v: Any = None
    except TraceError as t:
        v = t.message
    except GoPanic as p:
        v = {"panic": p.message}
    assert v == want["validate"]


# --- GoTime (time.Unix + RFC3339Nano) ---------------------------------------------------------------


def _splitmix64(seed: int) -> Any:
    x = seed
    while True:
        x = (x + 0x9E3779B97F4A7C15) & U64
        z = x
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & U64
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & U64
        yield z ^ (z >> 31)


def _time_inputs() -> list[tuple[int, int]]:
    """(uint64 sec, uint64 nsec) pairs: edge cases, then a splitmix64 sample."""
    secs = [0, 1, 59, 60, 86399, 86400, 951782400, 1700000000, 253402300799, 253402300800,
            -62135596800, -62135596801, -62167219200, -62167219201, (1 << 63) - 1, -(1 << 63),
            (1 << 63) - 1 - 62135596800, (1 << 63) - 62135596800, -1, -86400, 4102444800,
            2**40, -(2**40), 2**55, -(2**55), 9223371974719179007, 9223371974719179008,
            -(1 << 63) + 62135596800, -(1 << 63) + 62135596799]
    nsecs = [0, 1, 999999999, 1000000000, 123456789, 100000000, -1, -1000000000, -1000000001,
             (1 << 63) - 1, -(1 << 63), 5000000000, 10]
    out = [(s & U64, n & U64) for s in secs for n in nsecs]
    r = _splitmix64(2024)
    for _ in range(2000):
        a, b, c = next(r), next(r), next(r)
        s = [a, (a % (2**41)) - 2**40, (a % (2**36)) - 2**35][c % 3] & U64
        n = [b, (b % (2 * 10**9)) - 10**9, b % 10**9][(c >> 8) % 3] & U64
        out.append((s, n))
    return out


# SHA-256 of the lines "sec nsec Unix() Nanosecond() Format(RFC3339Nano)\n" that Go 1.27.3
# printed (TZ=UTC) for time.Unix(int64(sec), int64(nsec)) over _time_inputs().
GO_TIME_SHA = "434f3a81880c27560a5ab5652bbe0851898c5bdc99153d2832c5920fdb9e6bcc"


def _i64(x: int) -> int:
    return x - (1 << 64) if x >> 63 else x


def test_go_unix_and_rfc3339nano_match_go() -> None:
    lines = []
    for s, n in _time_inputs():
        t = go_unix(_i64(s), _i64(n))
        lines.append(f"{s} {n} {t.unix()} {t.nanosecond()} {t.format_rfc3339nano()}\n")
    assert hashlib.sha256("".join(lines).encode()).hexdigest() == GO_TIME_SHA


@pytest.mark.parametrize(
    ("sec", "nsec", "want"),
    [
        (0, 0, "1970-01-01T00:00:00Z"),
        (1700000000, 123456789, "2023-11-14T22:13:20.123456789Z"),
        (1700000000, 100000000, "2023-11-14T22:13:20.1Z"),
        (-62135596801, 0, "0000-12-31T23:59:59Z"),
        (-62167219201, 0, "-0001-12-31T23:59:59Z"),
        (253402300800, 0, "10000-01-01T00:00:00Z"),
        (0, -1, "1969-12-31T23:59:59.999999999Z"),
        ((1 << 63) - 1, 0, "292277026596-12-04T15:30:07Z"),
    ],
)
def test_rfc3339nano_examples(sec: int, nsec: int, want: str) -> None:
    assert go_unix(sec, nsec).format_rfc3339nano() == want


# --- whole traces against the Go helper (slow) ------------------------------------------------------


def _py_go_string_output(data: bytes) -> bytes:
    """What the helper's ``go-string`` mode prints, computed with our parser."""
    from oracle.parser.reader import Reader

    out = []
    try:
        r = Reader(data)
        while True:
            try:
                out.append(r.read_event().go_string())
            except EOFError:
                out.append("EOF")
                break
    except TraceError as e:
        out.append("ERROR: " + e.message)
    except GoPanic as p:
        out.append("PANIC: " + p.message)
    return go_bytes("\n".join(out) + "\n")


@pytest.mark.slow
def test_go_string_matches_go_on_go_test_traces(go_test_file: Any, go_helper: Any) -> None:
    from oracle.parser.txtar import read_test_file

    _, text = read_test_file(go_test_file)
    data = go_helper.request("to-binary", text).output
    assert _py_go_string_output(data) == go_helper.request("go-string", data).output
