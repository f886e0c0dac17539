"""The atheris engine's structure-aware mutator (libFuzzer's ``LLVMFuzzerCustomMutator``).

Three times in four (:data:`BYTE_SHARE`) it defers to libFuzzer's own byte mutations
(``atheris.Mutate``), which cost next to nothing.  Otherwise it works on the raw-trace model
(:mod:`oracle.parser.rawtrace`): the input is decoded into batches of raw events, edited by
one to three of the strategies' raw-level mutations (:data:`strategies.RAW_MUTATIONS`, drawn
by :func:`strategies.mutate_raw`: drop, duplicate, swap or move events and batches, change
arguments, generation numbers, event types and string data, insert events, truncate at a
boundary, leave a size stale), and re-encoded with every batch size recomputed.  An input that
does not decode goes to the byte mutations.  For the generated seeds, whose strategies model
(:class:`strategies.Trace`) each worker rebuilds deterministically, the mutator may instead
apply the strategies' structural mutations (:func:`strategies.mutate`).  The names of the
mutations that produced an input are passed to the checker as the finding's ``mutations``.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Final

from oracle.parser.rawtrace import RawTrace, decode, encode

if TYPE_CHECKING:
    from strategies import Trace

# ``strategies`` (and with it Hypothesis) is imported where it is first needed, not here: every
# ``gotrace-oracle`` command loads this module through the CLI, and Hypothesis alone would
# double their start-up time.

__all__ = [
    "BYTE_SHARE",
    "GENERATED_MAX_EVENTS",
    "LIBFUZZER",
    "StructureAwareMutator",
    "generated_seeds",
]


#: ``max_events`` of the generated seeds: small traces keep exec/s up (a valid trace of 40
#: model events already makes some 200 parsed events; a parse costs about linearly in them).
GENERATED_MAX_EVENTS: Final = 20


#: Share of mutator calls that go to libFuzzer's byte mutations (the rest is structure-aware,
#: which costs a decode and an encode; see ``docs/benchmarks.md``, "atheris throughput").
BYTE_SHARE: Final = 0.75


#: How many decoded inputs the mutator remembers.
DECODE_CACHE: Final = 4096


#: ``atheris.Mutate``'s shape: ``(data, max_size) -> bytes``.
ByteMutate = Callable[[bytes, int], bytes]


#: The ``mutations`` name recorded for libFuzzer's byte mutations.
LIBFUZZER: Final = "libfuzzer"


class StructureAwareMutator:
    """libFuzzer's custom mutator: ``mutator(data, max_size, seed) -> bytes``.

    With probability ``byte_share`` (or when the raw reader cannot decode the input) it calls
    ``byte_mutate`` (``atheris.Mutate`` in a worker).  Otherwise, for a generated seed found in
    ``models``, half of the time it applies :func:`strategies.mutate` to the seed's model; else
    it decodes the input (:func:`oracle.parser.rawtrace.decode`, remembered for the last
    :data:`DECODE_CACHE` inputs), applies :func:`strategies.mutate_raw` and re-encodes it.
    The output never exceeds ``max_size``; every choice is drawn from ``random.Random(seed)``, so for a given ``seed`` (and a deterministic ``byte_mutate``) the
    output is a function of the input.  :meth:`mutations_for` gives the operator names behind
    the last output, which the target passes on to the checker.
    """

    def __init__(self, byte_mutate: ByteMutate, *, byte_share: float = BYTE_SHARE,
                 models: Mapping[bytes, Trace] | None = None) -> None:
        self._byte_mutate = byte_mutate
        self._byte_share = byte_share
        self._models: Mapping[bytes, Trace] = models or {}
        self._last: tuple[bytes, tuple[str, ...]] = (b"", ())
        self._decoded: dict[bytes, RawTrace | None] = {}
        from strategies import RandomChooser, mutate, mutate_raw

        self._chooser = RandomChooser
        self._mutate = mutate
        self._mutate_raw = mutate_raw
        #: How often each path ran: ``libfuzzer``, ``raw``, ``strategies``.
        self.paths: Counter[str] = Counter()

    def __call__(self, data: bytes, max_size: int, seed: int) -> bytes:
        rng = random.Random(seed)
        out: bytes | None = None
        names: tuple[str, ...] = (LIBFUZZER,)
        if rng.random() >= self._byte_share:
            model = self._models.get(data)
            if model is not None and rng.random() < 0.5:
                out, names = self._strategies(rng, model)
                self.paths["strategies"] += 1
            else:
                rt = self._decode(data)
                if rt is not None and rt.batches:
                    applied = self._mutate_raw(self._chooser(rng), rt)
                    if applied:
                        out, names = encode(rt), tuple(applied)
                        self.paths["raw"] += 1
        if out is None:
            out = self._byte_mutate(data, max_size)
            self.paths["libfuzzer"] += 1
        out = out[:max_size]
        self._last = (out, names)
        return out

    def _decode(self, data: bytes) -> RawTrace | None:
        """:func:`decode` of ``data``, remembered for the next :data:`DECODE_CACHE` distinct
        inputs (libFuzzer mutates the same corpus entries again and again); a fresh copy
        each time, since the operators edit it in place."""
        cache = self._decoded
        if data in cache:
            rt = cache[data]
        else:
            rt = cache[data] = decode(data)
            if len(cache) > DECODE_CACHE:
                del cache[next(iter(cache))]
        return None if rt is None else rt.copy()

    def _strategies(self, rng: random.Random, model: Trace) -> tuple[bytes, tuple[str, ...]]:
        tr = self._mutate(self._chooser(rng), model)
        return tr.to_binary(), tuple(tr.mutations)

    def mutations_for(self, data: bytes) -> tuple[str, ...]:
        """The operator names behind ``data`` if it is the last output, else ``()``."""
        out, names = self._last
        return names if data == out else ()


def generated_seeds(seed: str, count: int) -> list[Trace]:
    """``count`` small traces from the strategies' model, two valid for one mutated; the same
    ``seed`` gives the same traces (each worker rebuilds them for :class:`StructureAwareMutator`)."""
    from strategies import RandomChooser, draw_valid, mutate, trace_params

    versions, template = trace_params(max_events=GENERATED_MAX_EVENTS)
    out: list[Trace] = []
    for i in range(count):
        ch = RandomChooser(random.Random(f"gotrace-oracle:atheris:{seed}:{i}"))
        tr = draw_valid(ch, versions, template)
        out.append(mutate(ch, tr) if i % 3 == 2 else tr)
    return out
