"""oracle.heap.replay: feeding a replay from another consumer's parse (``observe``)."""

from __future__ import annotations

from oracle.heap.replay import RELEVANT_TYPES, HeapReplay
from oracle.parser.errors import GoPanic, TraceError
from oracle.parser.event import EV_SYNC
from oracle.parser.reader import Reader
from oracle.parser.tracev2 import EventType as T
from strategies import HEAP_MUTATIONS, RandomChooser, draw_valid, mutate, trace_params


def test_relevant_types_are_what_feed_acts_on() -> None:
    assert RELEVANT_TYPES == set(HeapReplay()._handlers) | {EV_SYNC, int(T.HeapAlloc)}


def test_observing_the_relevant_events_is_running_them_all() -> None:
    """A replay fed only the relevant events, with their numbers, ends where one fed every
    event ends: same result, violations and examples (whose event indices it keeps)."""
    vs, template = trace_params(versions=[26], allocfree=True, max_events=60)
    for i, name in enumerate(sorted(HEAP_MUTATIONS)):
        ch = RandomChooser(i)
        data = mutate(ch, draw_valid(ch, vs, template), (name,), max_mutations=2).to_binary()
        whole, observed = HeapReplay(), HeapReplay()
        try:
            whole.run(Reader(data))
        except (TraceError, GoPanic):  # a rejected mutant: both replays stop at the error
            pass
        try:
            for k, ev in enumerate(Reader(data)):
                if ev.base.typ in RELEVANT_TYPES:
                    observed.observe(k, ev)
        except (TraceError, GoPanic):
            pass
        assert observed.finish() == whole.finish(), name
