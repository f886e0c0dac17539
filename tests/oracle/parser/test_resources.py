"""Tests for oracle.parser.resources: states, resource IDs, transitions and stack handles."""

from __future__ import annotations

import pytest

from oracle.parser.base import EvTable, Frame, StackRecord
from oracle.parser.errors import GoPanic
from oracle.parser.resources import (
    NO_STACK,
    GoState,
    ProcState,
    ResourceID,
    ResourceKind,
    Stack,
    StackFrame,
    make_go_state_transition,
    make_proc_state_transition,
    make_resource_id,
)


@pytest.mark.parametrize(
    ("state", "name"),
    [(GoState.Undetermined, "Undetermined"), (GoState.NotExist, "NotExist"),
     (GoState.Runnable, "Runnable"), (GoState.Running, "Running"),
     (GoState.Waiting, "Waiting"), (GoState.Syscall, "Syscall")],
)
def test_go_state_names(state: GoState, name: str) -> None:
    assert str(state) == name
    assert f"{state}" == name


def test_go_state_numbering_and_executing() -> None:
    assert [int(s) for s in GoState] == [0, 1, 2, 3, 4, 5]
    assert [s for s in GoState if s.executing()] == [GoState.Running, GoState.Syscall]


def test_proc_state_names_numbering_executing() -> None:
    assert [(int(s), str(s)) for s in ProcState] == [
        (0, "Undetermined"), (1, "NotExist"), (2, "Running"), (3, "Idle")]
    assert [s for s in ProcState if s.executing()] == [ProcState.Running]


@pytest.mark.parametrize("raw", [4, 6, 44, 255])
def test_unnamed_uint8_states_print_bad(raw: int) -> None:
    # Go's String() methods end in `return "Bad"`; the raw value stays observable.
    s = ProcState(raw) if raw < 6 else GoState(raw)
    assert str(s) == "Bad"
    assert int(s) == raw


def test_states_reject_non_uint8() -> None:
    with pytest.raises(ValueError):
        GoState(256)


def test_resource_kind_and_id_strings() -> None:
    assert [str(k) for k in ResourceKind] == ["None", "Goroutine", "Proc", "Thread"]
    assert str(ResourceID()) == "None"
    assert str(ResourceID(ResourceKind.None_, 5)) == "None"
    assert str(ResourceID(ResourceKind.Goroutine, -1)) == "Goroutine(-1)"
    assert str(make_resource_id(ResourceKind.Thread, 12)) == "Thread(12)"


def test_resource_id_typed_getters_and_panics() -> None:
    g = ResourceID(ResourceKind.Goroutine, 3)
    assert g.goroutine() == 3
    with pytest.raises(GoPanic, match=r"^attempted to get ProcID from Goroutine resource ID$"):
        g.proc()
    with pytest.raises(GoPanic, match=r"^attempted to get ThreadID from Goroutine resource ID$"):
        g.thread()
    with pytest.raises(GoPanic, match=r"^attempted to get GoID from None resource ID$"):
        ResourceID().goroutine()
    assert ResourceID(ResourceKind.Proc, 1).proc() == 1
    assert ResourceID(ResourceKind.Thread, 9).thread() == 9


def test_go_transition() -> None:
    st = make_go_state_transition(5, GoState.Running, GoState.Waiting, reason="chan receive")
    assert st.resource == ResourceID(ResourceKind.Goroutine, 5)
    assert st.goroutine() == (GoState.Running, GoState.Waiting)
    assert st.reason == "chan receive"
    assert st.stack == NO_STACK
    with pytest.raises(GoPanic, match=r"^Proc called on non-Proc state transition$"):
        st.proc()


def test_proc_transition_truncates_to_uint8() -> None:
    st = make_proc_state_transition(2, 0x103, ProcState.Idle)
    assert st.proc() == (ProcState.Idle, ProcState.Idle)
    with pytest.raises(GoPanic, match=r"^Goroutine called on non-Goroutine state transition$"):
        st.goroutine()


def _table() -> EvTable:
    t = EvTable()
    t.strings.insert(1, "main.f")
    t.strings.insert(2, "f.go")
    t.stacks.insert(1, StackRecord((0x10, 0x20)))
    t.stacks.insert(2, StackRecord((0x30,)))
    t.pcs[0x10] = Frame(0x10, 1, 2, 7)
    t.pcs[0x20] = Frame(0x20, 1, 2, 8)
    t.pcs[0x30] = Frame(0x30, 9, 2, 1)
    return t


def test_stack_frames_and_string() -> None:
    t = _table()
    s = Stack(t, 1)
    assert list(s) == [StackFrame(0x10, "main.f", "f.go", 7), StackFrame(0x20, "main.f", "f.go", 8)]
    assert str(s) == "main.f @ 0x10\n\tf.go:7\nmain.f @ 0x20\n\tf.go:8\n"


def test_stack_identity_is_table_object_and_id() -> None:
    t = _table()
    assert Stack(t, 1) == Stack(t, 1)
    assert Stack(t, 1) != Stack(_table(), 1)  # equal content, other table: Go's != too
    assert Stack(t, 0) != NO_STACK  # an empty stack is not "no stack"
    assert Stack(None, 0) == NO_STACK
    assert list(Stack(t, 0)) == []
    assert hash(Stack(t, 1)) == hash(Stack(t, 1))


def test_stack_frames_panics_lazily() -> None:
    t = _table()
    it = Stack(t, 7).frames()  # no panic until iterated, like Go's iter.Seq
    with pytest.raises(GoPanic, match=r"^expected id 7 in trace.stack table$"):
        next(it)
    with pytest.raises(GoPanic, match=r"^expected id 9 in string table$"):
        list(Stack(t, 2))
    with pytest.raises(GoPanic, match="nil pointer dereference"):
        list(Stack(None, 1))


def test_unknown_pc_yields_zero_frame() -> None:
    t = _table()
    t.stacks.insert(3, StackRecord((0x99,)))
    assert list(Stack(t, 3)) == [StackFrame(0, "", "", 0)]
