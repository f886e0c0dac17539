"""Tests for oracle.parser.order: every handler of the ordering state machine, driven directly.

Each test hand-builds BaseEvents and feeds them to ``Ordering.advance`` in the order Go's
reader would offer them.  Cases marked "Go:" were checked against the pinned Go parser by
running a small raw-text trace through ``internal/trace.NewReader`` (go1.27.3); the trace and
Go's output are quoted in the test's docstring.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from oracle.parser.base import (
    NO_CTX,
    NO_GOROUTINE,
    NO_PROC,
    NO_TASK,
    NO_THREAD,
    U64_MASK,
    BaseEvent,
    EvTable,
    SchedCtx,
)
from oracle.parser.errors import TraceError
from oracle.parser.order import (
    ORDERING_DISPATCH,
    USER_GO_REQS,
    Constraint,
    GCState,
    GState,
    MState,
    Ordering,
    RangeType,
    SchedReqs,
    SeqCounter,
    UserRegion,
    dump_ordering,
    make_range_type,
    make_seq,
    validate_ctx,
)
from oracle.parser.resources import GoState, ProcState
from oracle.parser.tracev2 import SPECS, EventType, GoStatus, ProcStatus
from oracle.parser.version import Version

E = EventType
NT = NO_THREAD
NOT, MAY, MUST = Constraint.MUST_NOT_HAVE, Constraint.MAY_HAVE, Constraint.MUST_HAVE
WIRE_NO_THREAD = U64_MASK  # ThreadID(-1) as it appears on the wire


# --------------------------------------------------------------------------- helpers


def bev(typ: int, *args: int, time: int = 0) -> BaseEvent:
    """A BaseEvent with ``args`` (wire uint64 values) in its first slots."""
    a = [0, 0, 0, 0]
    a[: len(args)] = args
    return BaseEvent(typ, time, a)


def table(*strings: str) -> EvTable:
    """An EvTable whose string table maps 1, 2, ... to ``strings``."""
    t = EvTable()
    for i, s in enumerate(strings, 1):
        t.strings.insert(i, s)
    return t


EVT = table("name", "other")


def adv(o: Ordering, ev: BaseEvent, m: int = 0, gen: int = 1, evt: EvTable = EVT) -> bool:
    ok = o.advance(ev, evt, m, gen)
    # MState stores the M's whole context: its M must stay the M's own ID, whatever the
    # handlers returned (advance stores their tuple as is).
    for mid, ms in o.m_states.items():
        assert ms.ctx.m == mid, (mid, ms)
    return ok


def drain(o: Ordering) -> list[Any]:
    out = []
    while not o.queue_empty():
        out.append(o.queue_pop())
    return out


def summary(evs: list[Any]) -> list[tuple[int, SchedCtx, list[int]]]:
    """(type, ctx, args) of queued events, for compact comparisons."""
    return [(int(e.base.typ), e.ctx, list(e.base.args)) for e in evs]


def running(o: Ordering, m: int = 0, p: int = 0, g: int = 1, gen: int = 1) -> None:
    """Bind running P ``p`` and running G ``g`` to M ``m`` via status events; drain."""
    assert adv(o, bev(E.ProcStatus, p, ProcStatus.Running), m=m, gen=gen)
    assert adv(o, bev(E.GoStatus, g, m, GoStatus.Running), m=m, gen=gen)
    drain(o)


def state(o: Ordering) -> tuple[Any, ...]:
    """A deep snapshot of everything the ordering holds."""
    return copy.deepcopy(
        (
            o.g_states,
            o.p_states,
            o.m_states,
            o.active_tasks,
            o.gc_seq,
            o.gc_state,
            o.initial_gen,
            len(o.queue),
        )
    )


def assert_not_ready(o: Ordering, ev: BaseEvent, m: int = 0, gen: int = 1) -> None:
    """``ev`` must not advance and must leave no trace except the two first-sight effects:
    the M's empty state, and initialGen when this is the very first event."""
    before = state(o)
    had_m = m in o.m_states
    assert adv(o, ev, m=m, gen=gen) is False
    after = list(state(o))
    if not had_m and m != NT:
        assert after[2].pop(m) == MState(NO_GOROUTINE, NO_PROC, m)
    if before[6] == 0:
        assert after[6] == gen
        after[6] = 0
    assert tuple(after) == before


def raises(
    o: Ordering, ev: BaseEvent, msg: str, m: int = 0, gen: int = 1, evt: EvTable = EVT
) -> None:
    """Advancing ``ev`` must fail with exactly ``msg``."""
    with pytest.raises(TraceError) as ei:
        o.advance(ev, evt, m, gen)
    assert ei.value.message == msg


@pytest.fixture
def o() -> Ordering:
    return Ordering(Version.Go126)


# --------------------------------------------------------------------------- tables


def test_dispatch_covers_exactly_the_timed_events_but_clock_snapshot() -> None:
    """Every timed event has a handler, except ClockSnapshot (Go has none: it only lives in
    sync batches); no untimed event has one."""
    timed = {i for i, s in enumerate(SPECS) if s.is_timed_event}
    assert E.ClockSnapshot in timed
    assert set(ORDERING_DISPATCH) == timed - {E.ClockSnapshot}


def test_dispatch_matches_go_table() -> None:
    """The handler for each type, transcribed from orderingDispatch (order.go)."""
    want = {
        "ProcsChange": "advance_annotation",
        "ProcStart": "advance_proc_start",
        "ProcStop": "advance_proc_stop",
        "ProcSteal": "advance_proc_steal",
        "ProcStatus": "advance_proc_status",
        "GoCreate": "advance_go_create",
        "GoCreateSyscall": "advance_go_create_syscall",
        "GoStart": "advance_go_start",
        "GoDestroy": "advance_go_stop_exec",
        "GoDestroySyscall": "advance_go_destroy_syscall",
        "GoStop": "advance_go_stop_exec",
        "GoBlock": "advance_go_stop_exec",
        "GoUnblock": "advance_go_unblock",
        "GoSyscallBegin": "advance_go_syscall_begin",
        "GoSyscallEnd": "advance_go_syscall_end",
        "GoSyscallEndBlocked": "advance_go_syscall_end_blocked",
        "GoStatus": "advance_go_status",
        "STWBegin": "advance_go_range_begin",
        "STWEnd": "advance_go_range_end",
        "GCActive": "advance_gc_active",
        "GCBegin": "advance_gc_begin",
        "GCEnd": "advance_gc_end",
        "GCSweepActive": "advance_gc_sweep_active",
        "GCSweepBegin": "advance_gc_sweep_begin",
        "GCSweepEnd": "advance_gc_sweep_end",
        "GCMarkAssistActive": "advance_go_range_active",
        "GCMarkAssistBegin": "advance_go_range_begin",
        "GCMarkAssistEnd": "advance_go_range_end",
        "HeapAlloc": "advance_heap_metric",
        "HeapGoal": "advance_heap_metric",
        "GoLabel": "advance_annotation",
        "UserTaskBegin": "advance_user_task_begin",
        "UserTaskEnd": "advance_user_task_end",
        "UserRegionBegin": "advance_user_region_begin",
        "UserRegionEnd": "advance_user_region_end",
        "UserLog": "advance_annotation",
        "GoSwitch": "advance_go_switch",
        "GoSwitchDestroy": "advance_go_switch",
        "GoCreateBlocked": "advance_go_create",
        "GoStatusStack": "advance_go_status",
        **{
            n: "advance_alloc_free"
            for n in (
                "Span",
                "SpanAlloc",
                "SpanFree",
                "HeapObject",
                "HeapObjectAlloc",
                "HeapObjectFree",
                "GoroutineStack",
                "GoroutineStackAlloc",
                "GoroutineStackFree",
            )
        },
    }
    got = {SPECS[t].name: f.__name__ for t, f in ORDERING_DISPATCH.items()}
    assert got == want


@pytest.mark.parametrize("typ", [E.ClockSnapshot, E.Frequency, E.EventBatch, E.NONE, 60])
def test_bad_event_type(o: Ordering, typ: int) -> None:
    raises(o, bev(typ), f"bad event type found while ordering: {typ}")


# --------------------------------------------------------------------------- queue (order_test.go)


def test_queue() -> None:
    """Port of TestQueue: FIFO order, and popping an empty queue is detectable."""
    o = Ordering(Version.Go126)

    from oracle.parser.base import BaseEvent, SchedCtx
    from oracle.parser.event import Event

    def check(name: str, exp: list[int]) -> None:
        # Go's test queues ints; ours queues events (the compiled build checks the type),
        # told apart by their times.
        for v in exp:
            o.queue.append(Event(None, SchedCtx(), BaseEvent(0, v)))
        for i, want in enumerate(exp):
            assert not o.queue_empty(), f"check {name!r}: expected a pop after {i + 1} pops"
            assert o.queue_pop().base.time == want
        assert o.queue_empty(), f"check {name!r}: did not expect to be able to pop more values"
        assert o.queue_empty(), f"check {name!r}: ... a second time"

    check("one element", [4])
    check("two elements", [64, 12])
    check("six elements", [55, 16423, 2352, 644, 12874, 9372])
    check("one element again", [7])
    check("two elements again", [77, 6336])


# --------------------------------------------------------------------------- small types


def test_seq_counter() -> None:
    assert str(make_seq(1, 5)) == "5 (gen=1)"
    assert make_seq(2, 3).succeeds(make_seq(2, 2))
    assert not make_seq(2, 3).succeeds(make_seq(1, 2))
    assert not make_seq(2, 4).succeeds(make_seq(2, 2))
    assert not make_seq(2, 2).succeeds(make_seq(2, 2))
    # b.seq+1 wraps in uint64 arithmetic.
    assert make_seq(1, 0).succeeds(SeqCounter(1, U64_MASK))


def test_gc_state_strings() -> None:
    assert [str(s) for s in GCState] == ["Undetermined", "NotRunning", "Running"]


def test_struct_formatting() -> None:
    """%v of Go's userRegion / rangeType structs."""
    assert str(UserRegion(3, "a b")) == "{3 a b}"
    assert str(RangeType(26, 7)) == "{26 7}"


def test_make_range_type_keys_by_begin_event() -> None:
    assert make_range_type(E.GCMarkAssistActive, 0) == RangeType(E.GCMarkAssistBegin, 0)
    assert make_range_type(E.GCMarkAssistEnd, 0) == RangeType(E.GCMarkAssistBegin, 0)
    assert make_range_type(E.GCSweepActive, 0) == RangeType(E.GCSweepBegin, 0)
    assert make_range_type(E.STWBegin, 9) == RangeType(E.STWBegin, 9)


@pytest.mark.parametrize(
    ("ctx", "reqs", "msg"),
    [
        (SchedCtx(1, 1, NT), USER_GO_REQS, "expected a thread but didn't have one"),
        (SchedCtx(1, NO_PROC, 0), USER_GO_REQS, "expected a proc but didn't have one"),
        (SchedCtx(NO_GOROUTINE, 1, 0), USER_GO_REQS, "expected a goroutine but didn't have one"),
        (SchedCtx(1, 1, 0), SchedReqs(NOT, MAY, MAY), "expected no thread but had one"),
        (SchedCtx(1, 1, 0), SchedReqs(MAY, NOT, MAY), "expected no proc but had one"),
        (SchedCtx(1, 1, 0), SchedReqs(MAY, MAY, NOT), "expected no goroutine but had one"),
        # M is checked before P before G.
        (NO_CTX, USER_GO_REQS, "expected a thread but didn't have one"),
        (SchedCtx(NO_GOROUTINE, NO_PROC, 0), USER_GO_REQS, "expected a proc but didn't have one"),
    ],
)
def test_validate_ctx(ctx: SchedCtx, reqs: SchedReqs, msg: str) -> None:
    with pytest.raises(TraceError) as ei:
        validate_ctx(ctx, reqs)
    assert ei.value.message == msg


def test_validate_ctx_accepts() -> None:
    validate_ctx(SchedCtx(1, 2, 3), USER_GO_REQS)
    may = SchedReqs(Constraint.MAY_HAVE, Constraint.MAY_HAVE, Constraint.MAY_HAVE)
    validate_ctx(SchedCtx(NO_GOROUTINE, NO_PROC, NT), may)


# --------------------------------------------------------------------------- Advance


def test_initial_gen_is_gen_of_first_event_offered(o: Ordering) -> None:
    """Even an event that does not advance fixes initialGen."""
    assert adv(o, bev(E.GoStart, 1, 1), gen=3) is False
    assert o.initial_gen == 3
    adv(o, bev(E.ProcStatus, 0, ProcStatus.Idle), gen=4)
    assert o.initial_gen == 3


def test_mstate_created_on_first_sight_even_when_not_ready(o: Ordering) -> None:
    assert adv(o, bev(E.GoStart, 1, 1), m=5) is False
    assert o.m_states == {5: MState(NO_GOROUTINE, NO_PROC, 5)}


def test_mstate_created_even_when_handler_errors(o: Ordering) -> None:
    raises(o, bev(E.GoStop, 0, 0), "expected a proc but didn't have one", m=4)
    assert o.m_states == {4: MState(NO_GOROUTINE, NO_PROC, 4)}


def test_no_thread_events_have_no_mstate(o: Ordering) -> None:
    assert adv(o, bev(E.ProcStatus, 0, ProcStatus.Running), m=NT)
    assert o.m_states == {}
    (e,) = drain(o)
    assert e.ctx == SchedCtx(NO_GOROUTINE, NO_PROC, NT)


def test_mstate_updated_from_new_ctx(o: Ordering) -> None:
    running(o, m=2, p=3, g=4)
    assert o.m_states[2] == MState(4, 3, 2)


def test_queued_event_is_a_copy(o: Ordering) -> None:
    ev = bev(E.ProcStatus, 0, ProcStatus.Idle, time=7)
    assert adv(o, ev, evt=EVT)
    (e,) = drain(o)
    assert e.base is not ev and e.base.args is not ev.args
    assert (e.base.typ, e.base.time, e.base.args) == (ev.typ, ev.time, ev.args)
    assert e.table is EVT
    ev.args[0] = 99
    assert e.base.args[0] == 0


# --------------------------------------------------------------------------- ProcStatus


def test_proc_status_new_in_initial_gen(o: Ordering) -> None:
    assert adv(o, bev(E.ProcStatus, 0, ProcStatus.Running))
    (e,) = drain(o)
    # Old state Undetermined smuggled into the first extra slot (args[2]).
    assert summary([e]) == [
        (E.ProcStatus, SchedCtx(NO_GOROUTINE, NO_PROC, 0), [0, 1, ProcState.Undetermined, 0])
    ]
    assert o.m_states[0].p == 0
    assert o.p_states[0].status == ProcStatus.Running
    assert o.p_states[0].seq == make_seq(1, 0)


def test_proc_status_new_in_later_gen_is_not_exist(o: Ordering) -> None:
    adv(o, bev(E.ProcStatus, 0, ProcStatus.Idle), gen=1)
    adv(o, bev(E.ProcStatus, 1, ProcStatus.Idle), gen=2)
    evs = drain(o)
    assert evs[1].base.args[2] == ProcState.NotExist
    assert o.m_states[0].p == NO_PROC  # Idle does not bind


@pytest.mark.parametrize("status", [ProcStatus.Running, ProcStatus.Syscall])
def test_proc_status_binds_running_and_syscall(o: Ordering, status: int) -> None:
    adv(o, bev(E.ProcStatus, 7, status))
    assert o.m_states[0].p == 7


@pytest.mark.parametrize("status", [ProcStatus.Bad, ProcStatus.Idle, ProcStatus.SyscallAbandoned])
def test_proc_status_other_statuses_do_not_bind(o: Ordering, status: int) -> None:
    adv(o, bev(E.ProcStatus, 7, status))
    assert o.m_states[0].p == NO_PROC


def test_proc_status_known_resets_seq_and_keeps_old_state(o: Ordering) -> None:
    adv(o, bev(E.ProcStatus, 0, ProcStatus.Idle), gen=1)
    adv(o, bev(E.ProcStart, 0, 1), gen=1)
    adv(o, bev(E.ProcStop), gen=1)
    assert o.p_states[0].seq == make_seq(1, 1)
    drain(o)
    adv(o, bev(E.ProcStatus, 0, ProcStatus.Idle), gen=2)
    (e,) = drain(o)
    assert e.base.args[2] == ProcState.Idle
    assert o.p_states[0].seq == make_seq(2, 0)


def test_proc_status_inconsistent(o: Ordering) -> None:
    adv(o, bev(E.ProcStatus, 3, ProcStatus.Idle))
    raises(
        o,
        bev(E.ProcStatus, 3, ProcStatus.Running),
        "inconsistent status for proc 3: old Idle vs. new Running",
    )


def test_proc_status_invalid(o: Ordering) -> None:
    raises(o, bev(E.ProcStatus, 3, 5), "invalid status for proc 3: 5")
    # The status is a uint8: 0x105 is 5 as well.
    raises(o, bev(E.ProcStatus, 3, 0x105), "invalid status for proc 3: 5")
    # ProcID is an int64.
    raises(o, bev(E.ProcStatus, U64_MASK, 9), "invalid status for proc -1: 9")


def test_proc_status_truncates_status_but_keeps_raw_arg(o: Ordering) -> None:
    """Go: ``ProcStatus p=0 pstatus=257`` is accepted as Running and binds the P; its
    StateTransition() then panics (index out of range [257] with length 5) because args[1]
    still holds 257.  ``GoStatus gstatus=258`` is Undetermined->Running."""
    assert adv(o, bev(E.ProcStatus, 0, 257))
    assert adv(o, bev(E.GoStatus, 1, 0, 258))
    p_ev, g_ev = drain(o)
    assert p_ev.base.args[:3] == [0, 257, ProcState.Undetermined]
    assert o.p_states[0].status == ProcStatus.Running
    assert o.m_states[0] == MState(1, 0, 0)
    assert g_ev.base.args[2] == (GoState.Undetermined << 32) | GoStatus.Running


def test_proc_status_abandoned_promotion_uses_holders_ctx(o: Ordering) -> None:
    """Go: M0 ``ProcStatus p=0 Running; GoStatus g=1 Running; GoSyscallBegin p_seq=1``, then
    M1 ``ProcStatus p=0 pstatus=4`` gives
    ``M=0 P=0 G=1 StateTransition ProcID=0 Running->Running`` (queued on M0's context)."""
    running(o, m=0, p=0, g=1)
    adv(o, bev(E.GoSyscallBegin, 1, 0), m=0)
    drain(o)
    assert adv(o, bev(E.ProcStatus, 0, ProcStatus.SyscallAbandoned), m=1)
    (e,) = drain(o)
    assert e.ctx == SchedCtx(1, 0, 0)
    assert e.base.args[:3] == [0, ProcStatus.Syscall, ProcState.Running]
    assert o.p_states[0].status == ProcStatus.Syscall  # not rewritten in the state
    assert o.p_states[0].seq == make_seq(1, 0)
    # The reporting M is not bound to the P (the status is still Abandoned for binding).
    assert o.m_states[1] == MState(NO_GOROUTINE, NO_PROC, 1)
    assert o.m_states[0] == MState(1, 0, 0)


def test_proc_status_abandoned_promotion_last_holder_wins(o: Ordering) -> None:
    """Two Ms may claim the same P (ProcStatus Syscall on both).  Go picks the last match in
    map iteration order, so its answer is random.  Go, run 30 times on M5 ``ProcStatus p=0
    pstatus=3; GoStatus g=1 m=5 gstatus=3``, M3 ``ProcStatus p=0 pstatus=3``, M9 ``ProcStatus
    p=0 pstatus=4``: the promoted event had ctx M=3 P=0 G=-1 28 times and M=5 P=0 G=1 twice.
    We iterate in insertion order, so the most recently created M (here M3) wins."""
    adv(o, bev(E.ProcStatus, 0, ProcStatus.Syscall), m=5)
    adv(o, bev(E.GoStatus, 1, 5, GoStatus.Syscall), m=5)
    adv(o, bev(E.ProcStatus, 0, ProcStatus.Syscall), m=3)
    drain(o)
    assert adv(o, bev(E.ProcStatus, 0, ProcStatus.SyscallAbandoned), m=9)
    (e,) = drain(o)
    assert e.ctx == SchedCtx(NO_GOROUTINE, 0, 3)


def test_proc_status_abandoned_promotion_needs_a_holder(o: Ordering) -> None:
    adv(o, bev(E.ProcStatus, 4, ProcStatus.Syscall), m=NT)
    raises(
        o,
        bev(E.ProcStatus, 4, ProcStatus.SyscallAbandoned),
        "failed to find sched context for proc 4 that's about to be stolen",
    )


def test_proc_status_abandoned_passthrough(o: Ordering) -> None:
    adv(o, bev(E.ProcStatus, 0, ProcStatus.SyscallAbandoned), m=1)
    adv(o, bev(E.ProcStatus, 0, ProcStatus.SyscallAbandoned), m=2)
    evs = drain(o)
    assert evs[1].base.args[:3] == [0, ProcStatus.SyscallAbandoned, ProcState.Idle]
    assert evs[1].ctx == SchedCtx(NO_GOROUTINE, NO_PROC, 2)


def test_proc_status_abandoned_vs_other_status_is_inconsistent(o: Ordering) -> None:
    adv(o, bev(E.ProcStatus, 0, ProcStatus.Running))
    raises(
        o,
        bev(E.ProcStatus, 0, ProcStatus.SyscallAbandoned),
        "inconsistent status for proc 0: old Running vs. new SyscallAbandoned",
    )


# --------------------------------------------------------------------------- ProcStart / Stop


def test_proc_start_gates(o: Ordering) -> None:
    assert_not_ready(o, bev(E.ProcStart, 0, 1))  # unknown P
    adv(o, bev(E.ProcStatus, 0, ProcStatus.Running), m=NT)
    assert_not_ready(o, bev(E.ProcStart, 0, 1), m=1)  # not idle
    adv(o, bev(E.ProcStatus, 1, ProcStatus.Idle), m=NT)
    assert_not_ready(o, bev(E.ProcStart, 1, 2), m=1)  # seq ahead
    assert_not_ready(o, bev(E.ProcStart, 1, 1), gen=2, m=1)  # seq of another gen
    adv(o, bev(E.ProcStatus, 2, ProcStatus.Running), m=1)  # M1 now holds P2
    assert_not_ready(o, bev(E.ProcStart, 1, 1), m=1)  # M already has a P: a gate, not an error


def test_proc_start_advances(o: Ordering) -> None:
    adv(o, bev(E.ProcStatus, 1, ProcStatus.Idle))
    drain(o)
    assert adv(o, bev(E.ProcStart, 1, 1))
    (e,) = drain(o)
    assert e.ctx == SchedCtx(NO_GOROUTINE, NO_PROC, 0)
    assert o.m_states[0].p == 1
    assert o.p_states[1].status == ProcStatus.Running
    assert o.p_states[1].seq == make_seq(1, 1)


def test_proc_start_needs_thread(o: Ordering) -> None:
    adv(o, bev(E.ProcStatus, 1, ProcStatus.Idle))
    raises(o, bev(E.ProcStart, 1, 1), "expected a thread but didn't have one", m=NT)


def test_proc_stop(o: Ordering) -> None:
    running(o)
    assert adv(o, bev(E.ProcStop))
    (e,) = drain(o)
    assert e.ctx == SchedCtx(1, 0, 0)
    assert o.m_states[0] == MState(1, NO_PROC, 0)
    assert o.p_states[0].status == ProcStatus.Idle


def test_proc_id_minus_one_is_a_real_key(o: Ordering) -> None:
    """Go: M0 ``ProcStatus p=18446744073709551615 pstatus=1; ProcStop`` fails with ``expected a
    proc but didn't have one`` (P -1 exists but binding it binds nothing); with pstatus=2 it
    fails with ``ProcStop event for proc that's not Running or Syscall``."""
    assert adv(o, bev(E.ProcStatus, U64_MASK, ProcStatus.Running))
    assert o.m_states[0].p == NO_PROC
    raises(o, bev(E.ProcStop), "expected a proc but didn't have one")
    o2 = Ordering(Version.Go122)
    assert adv(o2, bev(E.ProcStatus, U64_MASK, ProcStatus.Idle))
    raises(o2, bev(E.ProcStop), "ProcStop event for proc that's not Running or Syscall")


def test_proc_stop_errors(o: Ordering) -> None:
    raises(o, bev(E.ProcStop), "event ProcStop for proc (-1) that doesn't exist")
    adv(o, bev(E.ProcStatus, 0, ProcStatus.Running))
    o.p_states[0].status = ProcStatus.Idle
    raises(o, bev(E.ProcStop), "ProcStop event for proc that's not Running or Syscall")


# --------------------------------------------------------------------------- ProcSteal


def syscall_on(o: Ordering, m: int = 0, p: int = 0, g: int = 1) -> None:
    """M ``m`` runs G ``g`` on P ``p`` and enters a syscall (P seq becomes 1)."""
    running(o, m=m, p=p, g=g)
    assert adv(o, bev(E.GoSyscallBegin, 1, 0), m=m)
    drain(o)


def test_proc_steal_gates(o: Ordering) -> None:
    assert_not_ready(o, bev(E.ProcSteal, 0, 1, 0), m=1)  # unknown P
    running(o)
    assert_not_ready(o, bev(E.ProcSteal, 0, 1, 0), m=1)  # P running, not in a syscall
    adv(o, bev(E.GoSyscallBegin, 1, 0))
    assert_not_ready(o, bev(E.ProcSteal, 0, 3, 0), m=1)  # seq ahead


def test_proc_steal_from_other_m(o: Ordering) -> None:
    syscall_on(o, m=0, p=0, g=1)
    adv(o, bev(E.ProcStatus, 5, ProcStatus.Running), m=1)
    drain(o)
    assert adv(o, bev(E.ProcSteal, 0, 2, 0), m=1)
    (e,) = drain(o)
    assert e.ctx == SchedCtx(NO_GOROUTINE, 5, 1)
    assert e.base.args == [0, 2, 0, ProcStatus.Syscall]  # old status in the extra slot
    assert o.m_states[0] == MState(1, NO_PROC, 0)  # the victim lost its P
    assert o.m_states[1] == MState(NO_GOROUTINE, 5, 1)  # the thief did not gain it
    assert o.p_states[0].status == ProcStatus.Idle
    assert o.p_states[0].seq == make_seq(1, 2)


def test_proc_steal_self(o: Ordering) -> None:
    """Go testdata go122-syscall-steal-proc-self: the steal acts like a ProcStop."""
    syscall_on(o)
    assert adv(o, bev(E.ProcSteal, 0, 2, 0), m=0)
    (e,) = drain(o)
    assert e.ctx == SchedCtx(1, 0, 0)
    assert o.m_states[0] == MState(1, NO_PROC, 0)


def test_proc_steal_self_wrong_proc(o: Ordering) -> None:
    adv(o, bev(E.ProcStatus, 3, ProcStatus.Syscall), m=NT)
    adv(o, bev(E.ProcStatus, 4, ProcStatus.Running), m=0)
    raises(
        o,
        bev(E.ProcSteal, 3, 1, 0),
        "tried to self-steal proc 3 (thread 0), but got proc 4 instead",
    )


def test_proc_steal_errors() -> None:
    # The P's state is updated before the M checks, so each case starts afresh.
    def fresh() -> Ordering:
        o = Ordering(Version.Go126)
        adv(o, bev(E.ProcStatus, 3, ProcStatus.Syscall), m=NT)
        return o

    raises(fresh(), bev(E.ProcSteal, 3, 1, 8), "stole proc from non-existent thread 8")
    o = fresh()
    assert adv(o, bev(E.GoStart, 1, 1), m=8) is False  # not ready, but M8 now exists
    raises(
        o,
        bev(E.ProcSteal, 3, 1, 8),
        "tried to steal proc 3 from thread 8, but got proc -1 instead",
    )
    raises(fresh(), bev(E.ProcSteal, 3, 1, 8), "expected a thread but didn't have one", m=NT)


def test_proc_steal_abandoned_ignores_ms(o: Ordering) -> None:
    adv(o, bev(E.ProcStatus, 3, ProcStatus.SyscallAbandoned), m=NT)
    drain(o)
    # The named M does not exist; with an abandoned P that is never checked.
    assert adv(o, bev(E.ProcSteal, 3, 1, 77), m=1)
    (e,) = drain(o)
    assert e.base.args == [3, 1, 77, ProcStatus.SyscallAbandoned]
    assert e.ctx == SchedCtx(NO_GOROUTINE, NO_PROC, 1)
    assert o.p_states[3].status == ProcStatus.Idle


def test_proc_steal_mstate_side_effect(o: Ordering) -> None:
    """An M that was merely offered an event exists for ProcSteal: the steal then fails on the
    P check rather than on 'non-existent thread'."""
    adv(o, bev(E.ProcStatus, 3, ProcStatus.Syscall), m=NT)
    assert adv(o, bev(E.ProcStart, 9, 1), m=6) is False
    raises(
        o,
        bev(E.ProcSteal, 3, 1, 6),
        "tried to steal proc 3 from thread 6, but got proc -1 instead",
        m=1,
    )


# --------------------------------------------------------------------------- GoStatus


def test_go_status_new_in_initial_gen(o: Ordering) -> None:
    assert adv(o, bev(E.GoStatus, 5, WIRE_NO_THREAD, GoStatus.Waiting))
    (e,) = drain(o)
    assert e.base.args == [5, WIRE_NO_THREAD, (GoState.Undetermined << 32) | GoStatus.Waiting, 0]
    assert o.g_states[5] == GState(5, GoStatus.Waiting, make_seq(1, 0))


def test_go_status_stack_variant(o: Ordering) -> None:
    assert adv(o, bev(E.GoStatusStack, 5, 0, GoStatus.Running, 3))
    (e,) = drain(o)
    assert e.base.args == [5, 0, (GoState.Undetermined << 32) | GoStatus.Running, 3]
    assert o.m_states[0].g == 5


def test_go_status_known(o: Ordering) -> None:
    adv(o, bev(E.GoStatus, 5, WIRE_NO_THREAD, GoStatus.Runnable), gen=1)
    o.g_states[5].seq = make_seq(1, 4)
    drain(o)
    assert adv(o, bev(E.GoStatus, 5, WIRE_NO_THREAD, GoStatus.Runnable), gen=2)
    (e,) = drain(o)
    assert e.base.args[2] == (GoState.Runnable << 32) | GoStatus.Runnable
    assert o.g_states[5].seq == make_seq(2, 0)


def test_go_status_errors(o: Ordering) -> None:
    raises(o, bev(E.GoStatus, 5, 0, 5), "invalid status for goroutine 5: 5")
    raises(o, bev(E.GoStatus, U64_MASK, 0, 0x107), "invalid status for goroutine -1: 7")
    adv(o, bev(E.GoStatus, 5, WIRE_NO_THREAD, GoStatus.Waiting))
    raises(
        o,
        bev(E.GoStatus, 5, WIRE_NO_THREAD, GoStatus.Runnable),
        "inconsistent status for goroutine 5: old Waiting vs. new Runnable",
    )
    raises(
        o,
        bev(E.GoStatus, 6, WIRE_NO_THREAD, GoStatus.Runnable),
        "found goroutine status for new goroutine after the first generation: id=6 status=Runnable",
        gen=2,
    )
    raises(
        o,
        bev(E.GoStatus, 7, WIRE_NO_THREAD, GoStatus.Syscall),
        "found goroutine 7 in syscall without a thread",
    )


def test_go_status_bad_is_accepted(o: Ordering) -> None:
    """Go: ``GoStatus g=2 m=0 gstatus=0`` then ``gstatus=256`` both advance as
    ``GoID=2 Undetermined->Undetermined``."""
    running(o)
    assert adv(o, bev(E.GoStatus, 2, 0, 0))
    assert adv(o, bev(E.GoStatus, 2, 0, 256))
    a, b = drain(o)
    assert a.base.args[2] == 0 and b.base.args[2] == 0
    assert o.g_states[2].status == GoStatus.Bad
    assert o.m_states[0].g == 1  # not bound


def test_go_status_running_binds_ignoring_m_arg(o: Ordering) -> None:
    adv(o, bev(E.GoStatus, 5, 42, GoStatus.Running), m=3)
    assert o.m_states[3].g == 5
    assert 42 not in o.m_states


def test_go_status_syscall_on_this_m(o: Ordering) -> None:
    assert adv(o, bev(E.GoStatus, 5, 3, GoStatus.Syscall), m=3)
    (e,) = drain(o)
    assert e.ctx == SchedCtx(NO_GOROUTINE, NO_PROC, 3)
    assert o.m_states[3].g == 5
    # After the first generation the binding must already be known.
    assert adv(o, bev(E.GoStatus, 5, 3, GoStatus.Syscall), m=3, gen=2)
    o.m_states[3].g = 9
    raises(
        o,
        bev(E.GoStatus, 5, 3, GoStatus.Syscall),
        "inconsistent thread for syscalling goroutine 5: thread has goroutine 9",
        m=3,
        gen=2,
    )


def test_go_status_syscall_on_other_m(o: Ordering) -> None:
    """Go: M0 ``ProcStatus p=0 Running; GoStatus g=1 m=0 Running; GoStatus g=5 m=7 Syscall;
    GoStatus g=6 m=8 Syscall``; M8 ``GoStatus g=9 Runnable``; M0 ``GoStatus g=6 m=8 Syscall``
    gives contexts (g,p,m) = (1,0,7), (1,0,8), (6,-1,8) and (6,0,8)."""
    running(o, m=0, p=0, g=1)
    assert adv(o, bev(E.GoStatus, 5, 7, GoStatus.Syscall), m=0)
    assert adv(o, bev(E.GoStatus, 6, 8, GoStatus.Syscall), m=0)
    assert adv(o, bev(E.GoStatus, 9, WIRE_NO_THREAD, GoStatus.Runnable), m=8)
    assert adv(o, bev(E.GoStatus, 6, 8, GoStatus.Syscall), m=0)
    assert [e.ctx for e in drain(o)] == [
        SchedCtx(1, 0, 7),
        SchedCtx(1, 0, 8),
        SchedCtx(6, NO_PROC, 8),
        SchedCtx(6, 0, 8),
    ]
    assert o.m_states[7] == MState(5, NO_PROC, 7)
    assert o.m_states[0] == MState(1, 0, 0)  # the reporting M is untouched


def test_go_status_syscall_on_other_m_mismatch(o: Ordering) -> None:
    adv(o, bev(E.GoStatus, 1, 2, GoStatus.Running), m=2)
    raises(
        o,
        bev(E.GoStatus, 5, 2, GoStatus.Syscall),
        "inconsistent thread for syscalling goroutine 5: thread has goroutine 1",
        m=0,
    )


# --------------------------------------------------------------------------- GoCreate family


@pytest.mark.parametrize(
    ("typ", "status"), [(E.GoCreate, GoStatus.Runnable), (E.GoCreateBlocked, GoStatus.Waiting)]
)
def test_go_create(o: Ordering, typ: int, status: int) -> None:
    running(o)
    assert adv(o, bev(typ, 7, 0, 0))
    (e,) = drain(o)
    assert e.ctx == SchedCtx(1, 0, 0)
    assert o.g_states[7] == GState(7, status, make_seq(1, 0))
    assert o.m_states[0] == MState(1, 0, 0)


def test_go_create_without_goroutine(o: Ordering) -> None:
    adv(o, bev(E.ProcStatus, 0, ProcStatus.Running))
    assert adv(o, bev(E.GoCreate, 7, 0, 0))


def test_go_create_errors(o: Ordering) -> None:
    """Go testdata go122-go-create-without-running-g: no P -> 'expected a proc ...'."""
    raises(o, bev(E.GoCreate, 7, 0, 0), "expected a proc but didn't have one")
    running(o)
    o.g_states[1].status = GoStatus.Waiting
    raises(
        o,
        bev(E.GoCreateBlocked, 7, 0, 0),
        "GoCreateBlocked event for goroutine that's not Running",
    )
    o.g_states[1].status = GoStatus.Running
    raises(o, bev(E.GoCreate, 1, 0, 0), "tried to create goroutine (1) that already exists")


def test_go_create_syscall(o: Ordering) -> None:
    assert adv(o, bev(E.GoCreateSyscall, 4), m=0)
    (e,) = drain(o)
    assert e.ctx == SchedCtx(NO_GOROUTINE, NO_PROC, 0)
    assert o.g_states[4] == GState(4, GoStatus.Syscall, make_seq(1, 0))
    assert o.m_states[0].g == 4
    raises(o, bev(E.GoCreateSyscall, 5), "expected no goroutine but had one")
    raises(
        o,
        bev(E.GoCreateSyscall, 4),
        "tried to create goroutine (4) in syscall that already exists",
        m=1,
    )


# --------------------------------------------------------------------------- GoStop/Block/Destroy


@pytest.mark.parametrize(
    ("typ", "after"),
    [(E.GoStop, GoStatus.Runnable), (E.GoBlock, GoStatus.Waiting), (E.GoDestroy, None)],
)
def test_go_stop_exec(o: Ordering, typ: int, after: int | None) -> None:
    running(o)
    assert adv(o, bev(typ))
    (e,) = drain(o)
    assert e.ctx == SchedCtx(1, 0, 0)
    assert o.m_states[0] == MState(NO_GOROUTINE, 0, 0)
    if after is None:
        assert 1 not in o.g_states
    else:
        assert o.g_states[1].status == after


def test_go_stop_exec_errors(o: Ordering) -> None:
    raises(o, bev(E.GoBlock), "expected a proc but didn't have one")
    running(o)
    o.g_states[1].status = GoStatus.Runnable
    raises(o, bev(E.GoBlock), "GoBlock event for goroutine that's not Running")
    del o.g_states[1]
    raises(o, bev(E.GoDestroy), "event GoDestroy for goroutine (1) that doesn't exist")


# --------------------------------------------------------------------------- GoStart / GoUnblock


def test_go_start(o: Ordering) -> None:
    adv(o, bev(E.ProcStatus, 0, ProcStatus.Running))
    adv(o, bev(E.GoStatus, 4, WIRE_NO_THREAD, GoStatus.Runnable))
    drain(o)
    assert_not_ready(o, bev(E.GoStart, 9, 1))  # unknown G
    assert_not_ready(o, bev(E.GoStart, 4, 2))  # seq ahead
    assert_not_ready(o, bev(E.GoStart, 4, 1), gen=2)  # other generation
    assert adv(o, bev(E.GoStart, 4, 1))
    (e,) = drain(o)
    assert e.ctx == SchedCtx(NO_GOROUTINE, 0, 0)
    assert o.m_states[0].g == 4
    assert o.g_states[4].status == GoStatus.Running
    assert o.g_states[4].seq == make_seq(1, 1)
    assert_not_ready(o, bev(E.GoStart, 4, 2))  # running, not runnable


def test_go_start_errors(o: Ordering) -> None:
    adv(o, bev(E.GoStatus, 4, WIRE_NO_THREAD, GoStatus.Runnable), m=NT)
    adv(o, bev(E.GoStatus, 5, WIRE_NO_THREAD, GoStatus.Runnable), m=NT)
    raises(o, bev(E.GoStart, 4, 1), "expected a proc but didn't have one")
    running(o, g=6)
    raises(o, bev(E.GoStart, 5, 1), "expected no goroutine but had one")


def test_go_unblock(o: Ordering) -> None:
    adv(o, bev(E.GoStatus, 4, WIRE_NO_THREAD, GoStatus.Waiting))
    adv(o, bev(E.GoStatus, 5, WIRE_NO_THREAD, GoStatus.Runnable))
    drain(o)
    assert_not_ready(o, bev(E.GoUnblock, 5, 1, 0))  # not waiting
    assert_not_ready(o, bev(E.GoUnblock, 4, 2, 0))  # seq ahead
    assert_not_ready(o, bev(E.GoUnblock, 9, 1, 0))  # unknown
    # No context requirements at all, not even a thread.
    assert adv(o, bev(E.GoUnblock, 4, 1, 0), m=NT)
    (e,) = drain(o)
    assert e.ctx == SchedCtx(NO_GOROUTINE, NO_PROC, NT)
    assert o.g_states[4].status == GoStatus.Runnable
    assert o.g_states[4].seq == make_seq(1, 1)


# --------------------------------------------------------------------------- GoSwitch


def test_go_switch_sequence(o: Ordering) -> None:
    """Go (Go1.23 trace): M0 ``ProcStatus p=0 Running; GoStatus g=1 Running; GoStatus g=2
    Waiting; GoStatus g=3 Waiting; GoSwitch g=2 g_seq=1; GoSwitchDestroy g=3 g_seq=1`` gives
    GoID=2 Waiting->Runnable (G=1), GoID=1 Running->Waiting (G=1), GoID=2 Runnable->Running
    (G=-1), GoID=3 Waiting->Runnable (G=2), GoID=2 Running->NotExist (G=2), GoID=3
    Runnable->Running (G=-1), all on M=0 P=0, the synthesized ones at the switch's time."""
    running(o)
    adv(o, bev(E.GoStatus, 2, WIRE_NO_THREAD, GoStatus.Waiting))
    adv(o, bev(E.GoStatus, 3, WIRE_NO_THREAD, GoStatus.Waiting))
    drain(o)
    assert adv(o, bev(E.GoSwitch, 2, 1, time=50))
    assert adv(o, bev(E.GoSwitchDestroy, 3, 1, time=60))
    evs = drain(o)
    assert summary(evs) == [
        (E.GoSwitch, SchedCtx(1, 0, 0), [2, 1, 0, 0]),
        (E.GoBlock, SchedCtx(1, 0, 0), [0, 0, 0, 0]),
        (E.GoStart, SchedCtx(NO_GOROUTINE, 0, 0), [2, 1, 0, 0]),
        (E.GoSwitchDestroy, SchedCtx(2, 0, 0), [3, 1, 0, 0]),
        (E.GoDestroy, SchedCtx(2, 0, 0), [0, 0, 0, 0]),
        (E.GoStart, SchedCtx(NO_GOROUTINE, 0, 0), [3, 1, 0, 0]),
    ]
    assert [e.base.time for e in evs] == [50, 50, 50, 60, 60, 60]
    assert all(e.table is EVT for e in evs)
    assert o.g_states[1].status == GoStatus.Waiting
    assert 2 not in o.g_states
    assert o.g_states[3].status == GoStatus.Running
    assert o.g_states[3].seq == make_seq(1, 1)
    assert o.m_states[0] == MState(3, 0, 0)


def test_go_switch_gates_after_current_g_checks(o: Ordering) -> None:
    running(o)
    adv(o, bev(E.GoStatus, 2, WIRE_NO_THREAD, GoStatus.Runnable))
    drain(o)
    assert_not_ready(o, bev(E.GoSwitch, 2, 1))  # next G not waiting
    assert_not_ready(o, bev(E.GoSwitch, 9, 1))  # next G unknown
    # The current goroutine's checks come first and are errors.
    o.g_states[1].status = GoStatus.Runnable
    raises(o, bev(E.GoSwitch, 9, 1), "GoSwitch event for goroutine that's not Running")
    raises(o, bev(E.GoSwitch, 9, 1), "expected a proc but didn't have one", m=5)


def test_go_switch_name_is_version_aware() -> None:
    """Go: with a Go 1.22 header, G1 bound to M0 and M1 and destroyed on M1, then GoSwitch on
    M0 fails with ``event Invalid(45) for goroutine (1) that doesn't exist`` (with a Go 1.23
    header: ``event GoSwitch for ...``)."""
    for ver, name in [(Version.Go122, "Invalid(45)"), (Version.Go123, "GoSwitch")]:
        o = Ordering(ver)
        running(o, m=0, p=0, g=1)
        running(o, m=1, p=1, g=1)
        assert adv(o, bev(E.GoDestroy), m=1)
        raises(o, bev(E.GoSwitch, 2, 1), f"event {name} for goroutine (1) that doesn't exist", m=0)


# --------------------------------------------------------------------------- syscalls


def test_go_syscall_begin(o: Ordering) -> None:
    running(o)
    assert adv(o, bev(E.GoSyscallBegin, 1, 0))
    (e,) = drain(o)
    assert e.ctx == SchedCtx(1, 0, 0)
    assert o.g_states[1].status == GoStatus.Syscall
    assert o.p_states[0].status == ProcStatus.Syscall
    assert o.p_states[0].seq == make_seq(1, 1)


def test_go_syscall_begin_bad_seq_is_fatal(o: Ordering) -> None:
    """Go: ``GoSyscallBegin p_seq=5`` right after the P's status fails with
    ``failed to advance GoSyscallBegin: can't make sequence: 0 (gen=1) -> 5 (gen=1)``."""
    running(o)
    raises(
        o,
        bev(E.GoSyscallBegin, 5, 0),
        "failed to advance GoSyscallBegin: can't make sequence: 0 (gen=1) -> 5 (gen=1)",
    )


def test_go_syscall_begin_errors(o: Ordering) -> None:
    running(o)
    o.g_states[1].status = GoStatus.Waiting
    raises(o, bev(E.GoSyscallBegin, 1, 0), "GoSyscallBegin event for goroutine that's not Running")
    o.g_states[1].status = GoStatus.Running
    o.m_states[0].p = 9  # unreachable through events; exercises the check
    raises(o, bev(E.GoSyscallBegin, 1, 0), "uninitialized proc 9 found during GoSyscallBegin")
    o.m_states[0].g = 8
    raises(
        o,
        bev(E.GoSyscallBegin, 1, 0),
        "event GoSyscallBegin for goroutine (8) that doesn't exist",
    )


def test_go_syscall_end(o: Ordering) -> None:
    syscall_on(o)
    assert adv(o, bev(E.GoSyscallEnd))
    (e,) = drain(o)
    assert e.ctx == SchedCtx(1, 0, 0)
    assert o.g_states[1].status == GoStatus.Running
    assert o.p_states[0].status == ProcStatus.Running


def test_go_syscall_end_errors(o: Ordering) -> None:
    running(o)
    # Go's message says Running although the goroutine must be in a syscall.
    raises(o, bev(E.GoSyscallEnd), "GoSyscallEnd event for goroutine that's not Running")
    o.g_states[1].status = GoStatus.Syscall
    raises(o, bev(E.GoSyscallEnd), "expected proc 0 in state Syscall, but got Running instead")
    # Go moved the goroutine to Running before failing on the P; put it back.
    assert o.g_states[1].status == GoStatus.Running
    o.g_states[1].status = GoStatus.Syscall
    o.m_states[0].p = 9
    raises(o, bev(E.GoSyscallEnd), "uninitialized proc 9 found during GoSyscallEnd")


def test_go_syscall_end_blocked(o: Ordering) -> None:
    """Go testdata go122-syscall-steal-proc-simple: EndBlocked waits until the P is stolen."""
    syscall_on(o)
    assert_not_ready(o, bev(E.GoSyscallEndBlocked))  # still holding the P in ProcSyscall
    assert adv(o, bev(E.ProcSteal, 0, 2, 0), m=1)
    assert adv(o, bev(E.GoSyscallEndBlocked))
    evs = drain(o)
    assert evs[1].ctx == SchedCtx(1, NO_PROC, 0)
    assert o.m_states[0] == MState(NO_GOROUTINE, NO_PROC, 0)
    assert o.g_states[1].status == GoStatus.Runnable


def test_go_syscall_end_blocked_with_new_p(o: Ordering) -> None:
    """Go testdata go122-syscall-steal-proc-self: after the self-steal and a new ProcStart the
    P binding is kept."""
    syscall_on(o)
    assert adv(o, bev(E.ProcSteal, 0, 2, 0))
    assert adv(o, bev(E.ProcStart, 0, 3))
    assert adv(o, bev(E.GoSyscallEndBlocked))
    evs = drain(o)
    assert evs[-1].ctx == SchedCtx(1, 0, 0)
    assert o.m_states[0] == MState(NO_GOROUTINE, 0, 0)


def test_go_syscall_end_blocked_errors(o: Ordering) -> None:
    running(o)
    raises(
        o,
        bev(E.GoSyscallEndBlocked),
        "GoSyscallEndBlocked event for goroutine that's not Running",
    )
    o.m_states[0].p = 9
    raises(o, bev(E.GoSyscallEndBlocked), "uninitialized proc 9 found during GoSyscallEndBlocked")
    raises(o, bev(E.GoSyscallEndBlocked), "expected a goroutine but didn't have one", m=3)
    o.m_states[0] = MState(8, NO_PROC, 0)
    raises(
        o,
        bev(E.GoSyscallEndBlocked),
        "event GoSyscallEndBlocked for goroutine (8) that doesn't exist",
    )


def test_go_destroy_syscall_with_p(o: Ordering) -> None:
    """Go: M0 ``GoCreateSyscall new_g=4; ProcStatus p=0 pstatus=3; GoDestroySyscall`` gives
    ``ProcID=0 Running->Idle`` (ctx G=4 P=0) *then* ``GoID=4 Syscall->NotExist`` (G=4 P=0), both
    at the same time; a later ``ProcSteal p=0 p_seq=1 m=0`` on M0 is ``Idle->Idle``."""
    assert adv(o, bev(E.GoCreateSyscall, 4))
    assert adv(o, bev(E.ProcStatus, 0, ProcStatus.Syscall))
    drain(o)
    assert adv(o, bev(E.GoDestroySyscall, time=9))
    evs = drain(o)
    assert summary(evs) == [
        (E.ProcSteal, SchedCtx(4, 0, 0), [0, 0, 0, ProcStatus.Syscall]),
        (E.GoDestroySyscall, SchedCtx(4, 0, 0), [0, 0, 0, 0]),
    ]
    assert [e.base.time for e in evs] == [9, 9]
    assert o.m_states[0] == MState(NO_GOROUTINE, NO_PROC, 0)
    assert o.p_states[0].status == ProcStatus.SyscallAbandoned
    assert 4 not in o.g_states
    adv(o, bev(E.ProcStatus, 1, ProcStatus.Running))
    assert adv(o, bev(E.ProcSteal, 0, 1, 0))
    assert drain(o)[-1].base.args[3] == ProcStatus.SyscallAbandoned


def test_go_destroy_syscall_without_p(o: Ordering) -> None:
    adv(o, bev(E.GoCreateSyscall, 4))
    drain(o)
    assert adv(o, bev(E.GoDestroySyscall))
    assert summary(drain(o)) == [(E.GoDestroySyscall, SchedCtx(4, NO_PROC, 0), [0, 0, 0, 0])]
    assert o.m_states[0] == MState(NO_GOROUTINE, NO_PROC, 0)


def test_go_destroy_syscall_errors(o: Ordering) -> None:
    raises(o, bev(E.GoDestroySyscall), "expected a goroutine but didn't have one")
    running(o)
    raises(o, bev(E.GoDestroySyscall), "GoDestroySyscall event for goroutine that's not Syscall")
    o.g_states[1].status = GoStatus.Syscall
    raises(o, bev(E.GoDestroySyscall), "proc 0 in unexpected state Running during GoDestroySyscall")
    # Go deleted the goroutine before failing on the P; put it back.
    assert 1 not in o.g_states
    o.g_states[1] = GState(1, GoStatus.Syscall, make_seq(1, 0))
    o.m_states[0].p = 9
    raises(o, bev(E.GoDestroySyscall), "found invalid proc 9 during GoDestroySyscall")
    o.m_states[0].g = 8
    raises(
        o,
        bev(E.GoDestroySyscall),
        "event GoDestroySyscall for goroutine (8) that doesn't exist",
    )


# --------------------------------------------------------------------------- tasks and regions


def test_user_task_begin_end(o: Ordering) -> None:
    """Go: ``UserTaskBegin task=5 parent_task=0 name_string=1``, ``UserTaskEnd task=5``,
    ``UserTaskEnd task=6`` give TaskBegin Parent=18446744073709551615 Type="name", TaskEnd
    Parent=18446744073709551615 Type="name", TaskEnd Parent=18446744073709551615 Type=""."""
    evt = table("name")
    running(o)
    assert adv(o, bev(E.UserTaskBegin, 5, 0, 1, 0), evt=evt)
    assert o.active_tasks[5] == ("name", NO_TASK)
    assert adv(o, bev(E.UserTaskEnd, 5, 0), evt=evt)
    assert 5 not in o.active_tasks
    assert adv(o, bev(E.UserTaskEnd, 6, 0), evt=evt)
    begin, end, end2 = drain(o)
    assert begin.base.args == [5, NO_TASK, 1, 0]
    assert end.base.args[2] == NO_TASK
    assert evt.get_extra_string(end.base.args[3]) == "name"
    assert end2.base.args[2:] == [NO_TASK, 0]


def test_user_task_parent_kept(o: Ordering) -> None:
    running(o)
    adv(o, bev(E.UserTaskBegin, 5, 3, 1, 0))
    adv(o, bev(E.UserTaskEnd, 5, 0))
    begin, end = drain(o)
    assert begin.base.args[1] == 3
    assert end.base.args[2] == 3


def test_user_task_errors(o: Ordering) -> None:
    running(o)
    adv(o, bev(E.UserTaskBegin, 5, 0, 1, 0))
    raises(o, bev(E.UserTaskBegin, 5, 0, 1, 0), "task ID conflict: 5")
    raises(
        o,
        bev(E.UserTaskBegin, U64_MASK, 0, 9, 0),
        f"invalid string ID 9 for {int(E.UserTaskBegin)} event",
    )


def test_user_task_recorded_before_ctx_check(o: Ordering) -> None:
    """Go records the task (and consumes it at End) before validating the context."""
    raises(o, bev(E.UserTaskBegin, 5, 0, 1, 0), "expected a proc but didn't have one")
    assert o.active_tasks[5] == ("name", NO_TASK)
    raises(o, bev(E.UserTaskEnd, 5, 0), "expected a proc but didn't have one")
    assert 5 not in o.active_tasks


def test_user_regions(o: Ordering) -> None:
    running(o)
    assert adv(o, bev(E.UserRegionEnd, 3, 1, 0))  # no regions known: ignored
    assert adv(o, bev(E.UserRegionBegin, 3, 1, 0))
    assert adv(o, bev(E.UserRegionBegin, 4, 2, 0))
    assert o.g_states[1].regions == [UserRegion(3, "name"), UserRegion(4, "other")]
    assert adv(o, bev(E.UserRegionEnd, 4, 2, 0))
    assert o.g_states[1].regions == [UserRegion(3, "name")]
    assert len(drain(o)) == 4


def test_user_region_names_compare_by_value_across_tables(o: Ordering) -> None:
    running(o)
    assert adv(o, bev(E.UserRegionBegin, 3, 1, 0), evt=table("x"))
    assert adv(o, bev(E.UserRegionEnd, 3, 2, 0), evt=table("y", "x"), gen=2)


def test_user_region_errors(o: Ordering) -> None:
    """Go: ``UserRegionBegin task=3 name_string=1("name")`` then ``UserRegionEnd task=3
    name_string=2("other")`` fails with ``misuse of region in goroutine 1: region end {3 other}
    when the inner-most active region start event is {3 name}``."""
    running(o)
    adv(o, bev(E.UserRegionBegin, 3, 1, 0))
    raises(
        o,
        bev(E.UserRegionEnd, 3, 2, 0),
        "misuse of region in goroutine 1: region end {3 other} when the inner-most active region "
        "start event is {3 name}",
    )
    raises(
        o,
        bev(E.UserRegionEnd, 3, 7, 0),
        f"invalid string ID 7 for {int(E.UserRegionEnd)} event",
    )
    raises(
        o,
        bev(E.UserRegionBegin, 3, 7, 0),
        f"invalid string ID 7 for {int(E.UserRegionBegin)} event",
    )
    o.m_states[0].g = 8
    raises(
        o,
        bev(E.UserRegionBegin, 3, 1, 0),
        "encountered EvUserRegionBegin without known state for current goroutine 8",
    )
    raises(
        o,
        bev(E.UserRegionEnd, 3, 1, 0),
        "encountered EvUserRegionEnd without known state for current goroutine 8",
    )
    raises(o, bev(E.UserRegionEnd, 3, 1, 0), "expected a thread but didn't have one", m=NT)


# --------------------------------------------------------------------------- simple events


@pytest.mark.parametrize("typ", [E.ProcsChange, E.GoLabel, E.UserLog])
def test_annotations_need_user_ctx(o: Ordering, typ: int) -> None:
    raises(o, bev(typ), "expected a proc but didn't have one")
    running(o)
    assert adv(o, bev(typ, 1))
    assert drain(o)[0].ctx == SchedCtx(1, 0, 0)


@pytest.mark.parametrize("typ", [E.HeapAlloc, E.HeapGoal])
def test_heap_metrics_need_p(o: Ordering, typ: int) -> None:
    raises(o, bev(typ, 1), "expected a proc but didn't have one")
    adv(o, bev(E.ProcStatus, 0, ProcStatus.Running))
    assert adv(o, bev(typ, 1))
    raises(o, bev(typ, 1), "expected a thread but didn't have one", m=NT)


ALLOC_FREE_TYPES = [t for t, f in ORDERING_DISPATCH.items() if f.__name__ == "advance_alloc_free"]


@pytest.mark.parametrize("typ", ALLOC_FREE_TYPES)
def test_alloc_free_needs_only_m(o: Ordering, typ: int) -> None:
    assert adv(o, bev(typ, 1, 2, 3), m=3)
    assert drain(o)[0].ctx == SchedCtx(NO_GOROUTINE, NO_PROC, 3)
    raises(o, bev(typ, 1), "expected a thread but didn't have one", m=NT)


# --------------------------------------------------------------------------- GC


def test_gc_active_first_gen(o: Ordering) -> None:
    # No context check in the first generation.
    assert adv(o, bev(E.GCActive, 7), m=NT)
    assert (o.gc_seq, o.gc_state) == (7, GCState.RUNNING)
    raises(o, bev(E.GCActive, 8), "GCActive in the first generation isn't first GC event")


def test_gc_active_later_gen(o: Ordering) -> None:
    running(o)
    adv(o, bev(E.GCBegin, 7, 0))
    assert_not_ready(o, bev(E.GCActive, 9), gen=2)
    assert_not_ready(o, bev(E.GCActive, 7), gen=2)
    assert adv(o, bev(E.GCActive, 8), gen=2)
    assert (o.gc_seq, o.gc_state) == (8, GCState.RUNNING)
    raises(o, bev(E.GCActive, 9), "expected a thread but didn't have one", m=NT, gen=2)
    assert o.gc_seq == 9  # updated before the context check, like Go
    adv(o, bev(E.GCEnd, 10), gen=2)
    raises(o, bev(E.GCActive, 11), "encountered GCActive while GC was not in progress", gen=2)


def test_gc_begin_end(o: Ordering) -> None:
    # The first GC event sets the cycle, with no context check.
    assert adv(o, bev(E.GCBegin, 3, 0), m=NT)
    assert (o.gc_seq, o.gc_state) == (3, GCState.RUNNING)
    running(o)
    assert_not_ready(o, bev(E.GCEnd, 5))
    assert_not_ready(o, bev(E.GCBegin, 5, 0))
    raises(o, bev(E.GCBegin, 4, 0), "encountered GCBegin while GC was already in progress")
    assert adv(o, bev(E.GCEnd, 4))
    assert (o.gc_seq, o.gc_state) == (4, GCState.NOT_RUNNING)
    raises(o, bev(E.GCEnd, 5), "encountered GCEnd when GC was not in progress")
    raises(o, bev(E.GCBegin, 5, 0), "expected a thread but didn't have one", m=NT)
    assert o.gc_state == GCState.RUNNING  # state updated before the context check


def test_gc_end_undetermined(o: Ordering) -> None:
    assert_not_ready(o, bev(E.GCEnd, 5))
    raises(o, bev(E.GCEnd, 1), "encountered GCEnd when GC was in an undetermined state")


# --------------------------------------------------------------------------- ranges


def test_gc_sweep(o: Ordering) -> None:
    adv(o, bev(E.ProcStatus, 0, ProcStatus.Running))
    assert adv(o, bev(E.GCSweepBegin, 0))
    assert o.p_states[0].in_flight == [RangeType(E.GCSweepBegin, 0)]
    raises(
        o,
        bev(E.GCSweepBegin, 0),
        "discovered event already in-flight for when starting event GCSweepBegin",
    )
    assert adv(o, bev(E.GCSweepEnd, 1, 2))
    assert o.p_states[0].in_flight == []
    raises(o, bev(E.GCSweepEnd, 1, 2), "tried to end event GCSweepBegin, but not in-flight")
    raises(o, bev(E.GCSweepBegin, 0), "expected a proc but didn't have one", m=1)


def test_gc_sweep_active(o: Ordering) -> None:
    adv(o, bev(E.ProcStatus, 2, ProcStatus.Idle), m=NT)
    raises(o, bev(E.GCSweepActive, 3), "encountered GCSweepActive for unknown proc 3", m=NT)
    # No context check: the P is named by the event.
    assert adv(o, bev(E.GCSweepActive, 2), m=NT)
    raises(
        o,
        bev(E.GCSweepActive, 2),
        "found named active range already in first gen: {32 0}",
        m=NT,
    )
    assert adv(o, bev(E.GCSweepActive, 2), m=NT, gen=2)
    o.p_states[2].in_flight.clear()
    raises(
        o,
        bev(E.GCSweepActive, 2),
        "resource is missing active range: GCSweepBegin []",
        m=NT,
        gen=2,
    )


def test_stw_and_mark_assist_ranges(o: Ordering) -> None:
    """Go: STWBegin kind=1, GCMarkAssistBegin, STWBegin kind=2, GCMarkAssistEnd (swap-remove
    leaves [{26 1} {26 2}]), then in gen 2 GCMarkAssistActive g=1 fails with
    ``resource is missing active range: GCMarkAssistBegin [{26 1} {26 2}]``."""
    running(o)
    assert adv(o, bev(E.STWBegin, 1, 0))
    assert adv(o, bev(E.GCMarkAssistBegin, 0))
    assert adv(o, bev(E.STWBegin, 2, 0))
    raises(
        o,
        bev(E.STWBegin, 2, 0),
        "discovered event already in-flight for when starting event STWBegin",
    )
    assert adv(o, bev(E.GCMarkAssistEnd))
    assert o.g_states[1].in_flight == [RangeType(E.STWBegin, 1), RangeType(E.STWBegin, 2)]
    running(o, gen=2)
    raises(
        o,
        bev(E.GCMarkAssistActive, 1),
        "resource is missing active range: GCMarkAssistBegin [{26 1} {26 2}]",
        gen=2,
    )
    # STWEnd ends the first STW range, whatever its kind, and carries the kind in args[0].
    assert adv(o, bev(E.STWEnd), gen=2)
    (e,) = drain(o)
    assert e.base.args[0] == 1
    assert o.g_states[1].in_flight == [RangeType(E.STWBegin, 2)]


def test_mark_assist_active(o: Ordering) -> None:
    """Go: two ``GCMarkAssistActive g=1`` in the first generation fail with
    ``found named active range already in first gen: {35 0}``."""
    adv(o, bev(E.GoStatus, 1, WIRE_NO_THREAD, GoStatus.Waiting), m=NT)
    raises(
        o,
        bev(E.GCMarkAssistActive, 7),
        "uninitialized goroutine 7 found during GCMarkAssistActive",
        m=NT,
    )
    assert adv(o, bev(E.GCMarkAssistActive, 1), m=NT)  # no context check
    raises(
        o,
        bev(E.GCMarkAssistActive, 1),
        "found named active range already in first gen: {35 0}",
        m=NT,
    )
    assert adv(o, bev(E.GCMarkAssistActive, 1), m=NT, gen=2)


def test_go_range_errors(o: Ordering) -> None:
    running(o)
    raises(o, bev(E.GCMarkAssistEnd), "tried to end event GCMarkAssistBegin, but not in-flight")
    raises(o, bev(E.STWEnd), "tried to end event STWBegin, but not in-flight")
    o.m_states[0].g = 8
    raises(
        o,
        bev(E.STWBegin, 1, 0),
        f"encountered event of type {int(E.STWBegin)} without known state for current goroutine 8",
    )
    raises(
        o,
        bev(E.GCMarkAssistEnd),
        f"encountered event of type {int(E.GCMarkAssistEnd)} without known state for current "
        "goroutine 8",
    )
    raises(o, bev(E.STWBegin, 1, 0), "expected a proc but didn't have one", m=3)


# --------------------------------------------------------------------------- dump


def test_dump_ordering_matches_go_layout(o: Ordering) -> None:
    """Go: the ``broken trace`` dump of the promotion trace (see
    test_proc_status_abandoned_promotion_uses_holders_ctx) followed by a stuck ProcSteal is
    ``G 1 [status=Syscall seq=0 (gen=1)]\\n\\nP 0 [status=Syscall seq=0 (gen=1)]\\n\\nM 0 [g=1
    p=0]\\nM 1 [g=-1 p=-1]\\n\\nGC 0 Undetermined\\n``."""
    syscall_on(o)
    adv(o, bev(E.ProcStatus, 0, ProcStatus.SyscallAbandoned), m=1)
    assert adv(o, bev(E.ProcSteal, 0, 2, 0), m=1) is False
    assert dump_ordering(o) == (
        "G 1 [status=Syscall seq=0 (gen=1)]\n\n"
        "P 0 [status=Syscall seq=0 (gen=1)]\n\n"
        "M 0 [g=1 p=0]\nM 1 [g=-1 p=-1]\n\n"
        "GC 0 Undetermined\n"
    )


def test_dump_ordering_empty() -> None:
    assert dump_ordering(Ordering(Version.Go122)) == "\n\n\nGC 0 Undetermined\n"


def test_end_range_swap_removes(o: Ordering) -> None:
    """Go: STWBegin kinds 1, then GCMarkAssistBegin, STWBegin 2, STWBegin 3, GCMarkAssistEnd;
    in gen 2 GCMarkAssistActive fails with
    ``resource is missing active range: GCMarkAssistBegin [{26 1} {26 3} {26 2}]``: the last
    range moved into the removed one's slot."""
    running(o)
    for ev in (
        bev(E.STWBegin, 1, 0),
        bev(E.GCMarkAssistBegin, 0),
        bev(E.STWBegin, 2, 0),
        bev(E.STWBegin, 3, 0),
        bev(E.GCMarkAssistEnd),
    ):
        assert adv(o, ev)
    running(o, gen=2)
    raises(
        o,
        bev(E.GCMarkAssistActive, 1),
        "resource is missing active range: GCMarkAssistBegin [{26 1} {26 3} {26 2}]",
        gen=2,
    )


def test_mstate_fields_are_views_of_ctx() -> None:
    ms = MState(3, 4, 5)
    assert (ms.g, ms.p, ms.ctx) == (3, 4, SchedCtx(3, 4, 5))
    ms.p = NO_PROC
    assert ms.ctx == SchedCtx(3, NO_PROC, 5)
    ms.g = NO_GOROUTINE
    assert ms.ctx == SchedCtx(NO_GOROUTINE, NO_PROC, 5)
    assert ms == MState(NO_GOROUTINE, NO_PROC, 5)
    assert ms != MState(NO_GOROUTINE, NO_PROC, 6)
    assert copy.deepcopy(ms) == ms
    assert repr(ms) == "MState(g=-1, p=-1, m=5)"


def test_direct_calls_are_the_tables_handlers() -> None:
    """``Ordering.advance`` calls the commonest types' handlers directly (native calls in the
    compiled build); each must be the one ORDERING_DISPATCH names for the type."""
    from oracle.parser.order import ORDERING_DISPATCH

    direct = {
        E.GoStart: Ordering.advance_go_start,
        E.GoStop: Ordering.advance_go_stop_exec,
        E.GoBlock: Ordering.advance_go_stop_exec,
        E.GoDestroy: Ordering.advance_go_stop_exec,
        E.GoUnblock: Ordering.advance_go_unblock,
        E.GoCreate: Ordering.advance_go_create,
        **{t: Ordering.advance_alloc_free for t in range(E.Span, E.GoroutineStackFree + 1)},
    }
    for typ, handler in direct.items():
        assert ORDERING_DISPATCH[typ] == handler, E(typ).name
