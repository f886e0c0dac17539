"""Goroutine-sequence ordering of v1 events across Ps.

Mirrors ``internal/trace/internal/tracev1/order.go``: the state transition an event needs
(``init``) and causes (``next``) for the goroutine it orders, and the frontier min-heap the
merge in :func:`oracle.parser.tracev1.parser.Parser.parse_event_batches` pops from.

The heap is Go's own two functions (``heapUp``/``heapDown``), not :mod:`heapq`: when two
pending events have equal timestamps, which one is popped first depends on the exact sequence of
swaps, and Go's order is the one to reproduce.
"""

from __future__ import annotations

from typing import Any, Final, NamedTuple

from oracle.parser.errors import TraceError
from oracle.parser.tracev1.events import (
    EvGCStart,
    EvGoBlock,
    EvGoBlockCond,
    EvGoBlockGC,
    EvGoBlockNet,
    EvGoBlockRecv,
    EvGoBlockSelect,
    EvGoBlockSend,
    EvGoBlockSync,
    EvGoCreate,
    EvGoInSyscall,
    EvGoPreempt,
    EvGoSched,
    EvGoSleep,
    EvGoStart,
    EvGoStartLabel,
    EvGoStartLocal,
    EvGoSysBlock,
    EvGoSysExit,
    EvGoSysExitLocal,
    EvGoUnblock,
    EvGoUnblockLocal,
    EvGoWaiting,
    V1Event,
)

__all__ = [
    "GState",
    "OrderEvent",
    "UNORDERED",
    "heap_pop",
    "heap_push",
    "state_transition",
    "transition",
    "transition_ready",
]

_U64: Final = (1 << 64) - 1

# gStatus values.
G_DEAD: Final = 0
G_RUNNABLE: Final = 1
G_RUNNING: Final = 2
G_WAITING: Final = 3

UNORDERED: Final = _U64
GARBAGE: Final = _U64 - 1
NOSEQ: Final = _U64
SEQINC: Final = _U64 - 1


class GState(NamedTuple):
    """``gState``: a goroutine's sequence number and status (a value type, like Go's)."""

    seq: int = 0
    status: int = G_DEAD


_ZERO: Final = GState()

_BLOCKING: Final = frozenset(
    (EvGoBlock, EvGoBlockSend, EvGoBlockRecv, EvGoBlockSelect, EvGoBlockSync, EvGoBlockCond,
     EvGoBlockNet, EvGoSleep, EvGoSysBlock, EvGoBlockGC)
)


def state_transition(ev: V1Event) -> tuple[int, GState, GState]:
    """Mirrors ``stateTransition``: ``(g, init, next)`` for ``ev``.

    ``g`` is the goroutine ordered by the event (``GARBAGE`` for GC sequence numbers,
    ``UNORDERED`` for events without ordering requirements).
    """
    t = ev.typ
    if t == EvGoCreate:
        return ev.args[0], GState(0, G_DEAD), GState(1, G_RUNNABLE)
    if t in (EvGoWaiting, EvGoInSyscall):
        return ev.g, GState(1, G_RUNNABLE), GState(2, G_WAITING)
    if t in (EvGoStart, EvGoStartLabel):
        s = ev.args[1]
        return ev.g, GState(s, G_RUNNABLE), GState((s + 1) & _U64, G_RUNNING)
    if t == EvGoStartLocal:
        # noseq: ready as soon as the frontier reaches it (it is emitted on the same P as the
        # GoCreate/GoUnblock it follows); seqinc: the sequence grows by one from whatever it is.
        return ev.g, GState(NOSEQ, G_RUNNABLE), GState(SEQINC, G_RUNNING)
    if t in _BLOCKING:
        return ev.g, GState(NOSEQ, G_RUNNING), GState(NOSEQ, G_WAITING)
    if t in (EvGoSched, EvGoPreempt):
        return ev.g, GState(NOSEQ, G_RUNNING), GState(NOSEQ, G_RUNNABLE)
    if t in (EvGoUnblock, EvGoSysExit):
        s = ev.args[1]
        return ev.args[0], GState(s, G_WAITING), GState((s + 1) & _U64, G_RUNNABLE)
    if t in (EvGoUnblockLocal, EvGoSysExitLocal):
        return ev.args[0], GState(NOSEQ, G_WAITING), GState(SEQINC, G_RUNNABLE)
    if t == EvGCStart:
        s = ev.args[0]
        return GARBAGE, GState(s, G_DEAD), GState((s + 1) & _U64, G_DEAD)
    # No ordering requirements.
    return UNORDERED, _ZERO, _ZERO


def transition_ready(g: int, curr: GState, init: GState) -> bool:
    """Mirrors ``transitionReady``."""
    return g == UNORDERED or (
        (init.seq == NOSEQ or init.seq == curr.seq) and init.status == curr.status
    )


def transition(gs: dict[int, GState], g: int, init: GState, nxt: GState) -> None:
    """Mirrors ``transition``: apply ``nxt`` to ``gs[g]``, or raise Go's error."""
    if g == UNORDERED:
        return
    curr = gs.get(g, _ZERO)
    if not transition_ready(g, curr, init):
        raise TraceError("encountered impossible goroutine state transition")
    seq = nxt.seq
    if seq == NOSEQ:
        seq = curr.seq
    elif seq == SEQINC:
        seq = (curr.seq + 1) & _U64
    gs[g] = GState(seq, nxt.status)


class OrderEvent(NamedTuple):
    """``orderEvent``: a copy of the event and the proc it came from."""

    ev: V1Event
    proc: Any  # the parser's per-proc state; Any, not object: mypyc's NamedTuple looks the
    # field type up among the module's globals at import time, and ``object`` is not one


def heap_push(h: list[OrderEvent], x: OrderEvent) -> None:
    """Mirrors ``(*orderEventList).Push``."""
    h.append(x)
    _heap_up(h, len(h) - 1)


def heap_pop(h: list[OrderEvent]) -> OrderEvent:
    """Mirrors ``(*orderEventList).Pop``."""
    n = len(h) - 1
    h[0], h[n] = h[n], h[0]
    _heap_down(h, 0, n)
    return h.pop()


def _heap_up(h: list[OrderEvent], j: int) -> None:
    while True:
        i = (j - 1) // 2 if j > 0 else 0  # Go's (j-1)/2 truncates toward zero: 0 for j == 0
        if i == j or not h[j].ev.ts < h[i].ev.ts:
            break
        h[i], h[j] = h[j], h[i]
        j = i


def _heap_down(h: list[OrderEvent], i0: int, n: int) -> bool:
    i = i0
    while True:
        j1 = 2 * i + 1
        if j1 >= n:
            break
        j = j1  # left child
        j2 = j1 + 1
        if j2 < n and h[j2].ev.ts < h[j1].ev.ts:
            j = j2  # right child
        if not h[j].ev.ts < h[i].ev.ts:
            break
        h[i], h[j] = h[j], h[i]
        i = j
    return i > i0
