"""The heap oracle as an extra oracle of a fuzz campaign, with its own verdict classes.

The differential checker (``oracle.campaign.checker``) asks one question per case: do Go and the
reference parser agree?  The heap oracle asks another: does the case's AllocFree content obey
the heap rules?  :func:`heap_verdict` answers it for one case, in one of
:data:`HEAP_VERDICTS`, never raising: a generated valid trace (no mutations) must replay
without a violation (the strategies' model writes a consistent heap), so a violation there is
``heap-unexpected`` (a bug in the model or in the oracle), while a mutated case may break
rules (``heap-violations``).  An exception escaping the heap code is ``heap-error``, with the
traceback's last line kept by the caller.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from oracle.heap.check import HeapStatus, check_trace, status_of
from oracle.heap.replay import HeapResult

__all__ = [
    "HEAP_CONSISTENT",
    "HEAP_ERROR",
    "HEAP_NONE",
    "HEAP_TIMEOUT",
    "HEAP_UNEXPECTED",
    "HEAP_VERDICTS",
    "HEAP_VIOLATIONS",
    "HeapCaseVerdict",
    "heap_verdict",
    "verdict_of",
]

HEAP_NONE: Final = "heap-none"
HEAP_CONSISTENT: Final = "heap-consistent"
HEAP_VIOLATIONS: Final = "heap-violations"
HEAP_UNEXPECTED: Final = "heap-unexpected"
HEAP_ERROR: Final = "heap-error"
#: The caller's time limit ran out (the caller enforces it; see the campaign checker).
HEAP_TIMEOUT: Final = "heap-timeout"
#: Every verdict class, in report order.
HEAP_VERDICTS: Final = (HEAP_NONE, HEAP_CONSISTENT, HEAP_VIOLATIONS, HEAP_UNEXPECTED, HEAP_ERROR,
                        HEAP_TIMEOUT)


@dataclass(frozen=True, slots=True)
class HeapCaseVerdict:
    """One case's heap verdict, the rules it broke, and an error text for ``heap-error``."""

    verdict: str
    rules: tuple[str, ...] = ()
    error: str | None = None


def heap_verdict(data: bytes, mutations: Sequence[str] = (), *,
                 valid_unless_mutated: bool = True) -> HeapCaseVerdict:
    """Judge one campaign case (its binary trace and the mutations that made it).

    ``valid_unless_mutated``: a case without mutations is a valid generated trace (the
    Hypothesis-model engine).  The atheris engine's inputs come from libFuzzer's evolving
    corpus, whose byte mutations leave no names once reloaded, so there a violation is only
    ``heap-violations``, never ``heap-unexpected``."""
    # No shortcut for Go 1.22 headers: the pinned parser reads any version's events with the
    # whole event table (docs/go-findings.md, findings 23 and 26), AllocFree ones included.
    try:
        v = check_trace(data, max_examples=0, top=0)
    except Exception as e:  # noqa: BLE001 - a bug in the oracle must not stop a campaign
        return HeapCaseVerdict(HEAP_ERROR, (), f"{type(e).__name__}: {e}")
    return verdict_of(v.result, mutations, valid_unless_mutated=valid_unless_mutated)


def verdict_of(result: HeapResult, mutations: Sequence[str] = (), *,
               valid_unless_mutated: bool = True) -> HeapCaseVerdict:
    """The case's verdict from a finished replay: :func:`heap_verdict` after its parse, or a
    caller that fed :class:`oracle.heap.replay.HeapReplay` from a parse of its own."""
    status = status_of(result)
    if status is HeapStatus.NO_ALLOCFREE:
        return HeapCaseVerdict(HEAP_NONE)
    if status is HeapStatus.CONSISTENT:
        return HeapCaseVerdict(HEAP_CONSISTENT)
    cls = HEAP_VIOLATIONS if mutations or not valid_unless_mutated else HEAP_UNEXPECTED
    return HeapCaseVerdict(cls, result.violated_rules)
