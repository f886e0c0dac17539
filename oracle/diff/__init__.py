"""The differential engine: run a trace through two parser implementations, compare.

Separate pieces, as in wasmtime's and cryptofuzz's differential fuzzers: implementations
(:mod:`oracle.diff.impls`) turn trace bytes into an :class:`~oracle.diff.outcome.Outcome`;
:mod:`oracle.diff.compare` turns two outcomes into a closed :class:`~oracle.diff.compare.Verdict`
with a deduplicating signature.  Nothing here knows how traces are generated.
"""

from __future__ import annotations

from oracle.diff.compare import Comparison, Verdict, compare
from oracle.diff.outcome import Outcome, Status

__all__ = ["Comparison", "Outcome", "Status", "Verdict", "compare"]
