"""The AllocFree heap oracle: decode the experiment's batches, replay the heap, check the rules.

Ranks beside :mod:`oracle.harness` and :mod:`strategies`: it reads events from
:mod:`oracle.parser` and imports nothing else of the project.  See docs/allocfree.md.
"""

from oracle.heap.batches import AllocFreeBatchError, GenerationData, HeapInfo, TypeRecord
from oracle.heap.check import HeapStatus, HeapVerdict, check_trace
from oracle.heap.replay import HeapReplay, HeapResult, Violation, replay_events
from oracle.heap.rules import RULES, Rule

__all__ = [
    "RULES",
    "AllocFreeBatchError",
    "GenerationData",
    "HeapInfo",
    "HeapReplay",
    "HeapResult",
    "HeapStatus",
    "HeapVerdict",
    "Rule",
    "TypeRecord",
    "Violation",
    "check_trace",
    "replay_events",
]
