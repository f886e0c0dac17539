"""Test-case minimization: the smallest trace that still shows the same divergence.

Theory of operation
-------------------
:func:`minimize` takes trace bytes and a predicate ``keep(data) -> bool`` (normally
:func:`signature_predicate`: "Python and Go still diverge *with this signature*") that holds for
the input, and returns a smaller input for which it still holds.  Every candidate that is
accepted has passed the predicate, so the result reproduces the finding by construction.

It works in two phases, structure first, because structure-aware steps remove whole units that
byte-level deletion would have to find by chance, and keep the trace readable in Go's text
format:

1. **Structural reduction** on the batch and event structure.  The trace is decoded into the
   raw-trace model (:mod:`oracle.parser.rawtrace`): the header bytes; the batches, cut out of
   the stream exactly as Go's ``readBatch`` cuts them, each event batch's body decoded into
   raw events plus whatever undecodable bytes end it; and the tail that no longer frames as a
   batch.  Passes, repeated until none makes progress:

   a. drop generations (runs of batches with the same ``gen``);
   b. drop batches;
   c. drop events (one ddmin across all batches);
   d. drop stack frames (keeping each ``Stack`` event's ``nframes`` consistent);
   e. drop the tail and the undecodable ends of batch bodies;
   f. simplify header fields and event arguments towards 0, 1 and halvings, and data trailers
      and experimental batch bodies towards shorter prefixes.

   Encoding writes minimal uvarints and recomputes every batch's ``size`` field from its
   encoded body, so removing an event never leaves a lying batch header behind.  (A finding
   that is *about* a wrong size survives anyway: the model keeps the bytes the way the parser
   framed them, so a body that was too short shows up as undecodable rest or tail.)  If the
   re-encoded input itself no longer satisfies the predicate (a finding that depends on
   non-minimal varints, say), the structural phase is skipped.

2. **Byte-level delta debugging** on what is left (after the header): Zeller's *ddmin*
   (test each of *n* chunks, then each complement, doubling *n* when neither helps), then a
   pass that simplifies single bytes towards 0.

In both phases, once an accepted candidate has an exact text form
(``text_to_binary(binary_to_text(x)) == x``), later candidates must have one too, so the repro
stays readable in ``repro.txt``; an input that never reaches one (garbage, a truncation, an
experiment byte the text format cannot express) is reduced without that constraint.

Predicate results are memoized by candidate bytes, calls are counted
(:class:`MinimizeStats`), and a ``deadline`` (``time.monotonic()`` value) stops the search
early, returning the best input found so far.

The ``minimize`` subcommand (:mod:`oracle.cli.minimize`) wraps this for the command line.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final, TypeVar

from oracle.parser.errors import TraceError
from oracle.parser.raw import RawEvent, binary_to_text, text_to_binary
from oracle.parser.rawtrace import RawTrace, decode, encode
from oracle.parser.tracev2 import EventType

if TYPE_CHECKING:
    from oracle.diff.impls import GoImpl, PythonImpl

__all__ = [
    "MinimizeStats",
    "ddmin",
    "generations",
    "minimize",
    "signature_predicate",
]

T = TypeVar("T")

_EV_STACK: Final = int(EventType.Stack)


class _OutOfTime(Exception):
    """Internal: the deadline passed; unwind to the best input found so far."""


@dataclass(slots=True)
class MinimizeStats:
    """What a minimization did: predicate calls, sizes, and which phases ran."""

    calls: int = 0
    cache_hits: int = 0
    original_size: int = 0
    final_size: int = 0
    structural: bool = False  # the structural phase ran
    structural_size: int | None = None  # size after the structural phase
    timed_out: bool = False
    seconds: float = 0.0


class _Oracle:
    """The predicate with memoization, call counting and the deadline."""

    def __init__(self, keep: Callable[[bytes], bool], deadline: float | None,
                 stats: MinimizeStats) -> None:
        self._keep = keep
        self._deadline = deadline
        self._cache: dict[bytes, bool] = {}
        self.stats = stats

    def __call__(self, data: bytes) -> bool:
        hit = self._cache.get(data)
        if hit is not None:
            self.stats.cache_hits += 1
            return hit
        if self._deadline is not None and time.monotonic() >= self._deadline:
            self.stats.timed_out = True
            raise _OutOfTime
        self.stats.calls += 1
        ok = bool(self._keep(data))
        self._cache[data] = ok
        return ok

    def results(self) -> list[tuple[bytes, bool]]:
        """Every candidate tested so far, with its result."""
        return list(self._cache.items())


def ddmin(items: Sequence[T], test: Callable[[list[T]], bool]) -> list[T]:
    """Zeller's delta debugging: a 1-minimal sublist of ``items`` that passes ``test``.

    ``test(list(items))`` is assumed true.  Chunks are tried first on their own, then as
    complements (the list without the chunk); on failure the granularity doubles.  The empty
    list is tried first, since it is a cheap big win when it works.
    """
    current = list(items)
    if not current:
        return current
    if test([]):
        return []
    n = 2
    while len(current) >= 2:
        size = len(current)
        bounds = [(i * size // n, (i + 1) * size // n) for i in range(n)]
        chunks = [current[a:b] for a, b in bounds if b > a]
        progressed = False
        if n > 2:  # with n == 2 each subset is also a complement; skip the duplicate tests
            for chunk in chunks:
                if test(chunk):
                    current, n, progressed = chunk, 2, True
                    break
        if not progressed:
            for a, b in bounds:
                if b <= a:
                    continue
                complement = current[:a] + current[b:]
                if test(complement):
                    current, n, progressed = complement, max(n - 1, 2), True
                    break
        if not progressed:
            if n >= len(current):
                break
            n = min(len(current), 2 * n)
    if len(current) == 1 and test([]):
        return []
    return current


# --- The structural view ----------------------------------------------------------------------


def generations(model: RawTrace) -> list[list[int]]:
    """Batch indices grouped into runs of the same generation (``EndOfGeneration`` joins the
    run before it): the units of pass (a)."""
    groups: list[list[int]] = []
    last: int | None = None
    for i, b in enumerate(model.batches):
        g = b.generation()
        if groups and (g is None or g == last):
            groups[-1].append(i)
        else:
            groups.append([i])
        if g is not None:
            last = g
    return groups


def _round_trips(data: bytes) -> bool:
    """Whether ``data`` has an exact text form (so ``repro.txt`` can be replayed as is)."""
    try:
        return text_to_binary(binary_to_text(data)) == data
    except (TraceError, ValueError):
        return False


class _ReadableFirst:
    """The predicate, plus: once an accepted input has an exact text form, only inputs with
    one are accepted (so the final repro stays readable; see the module docstring)."""

    def __init__(self, oracle: _Oracle) -> None:
        self.oracle = oracle
        self.readable = False

    def __call__(self, data: bytes) -> bool:
        if self.readable:
            return _round_trips(data) and self.oracle(data)
        ok = self.oracle(data)
        if ok and _round_trips(data):
            self.readable = True
        return ok


class _Structural:
    """The structural passes over a :class:`RawTrace` (see the module docstring)."""

    def __init__(self, model: RawTrace, test: Callable[[bytes], bool]) -> None:
        self.model = model
        self.test = test

    def _try(self, candidate: RawTrace) -> bool:
        if self.test(encode(candidate)):
            self.model = candidate
            return True
        return False

    def run(self) -> RawTrace:
        """Apply the passes until none of them makes progress."""
        while True:
            before = encode(self.model)
            self.drop_generations()
            self.drop_batches()
            self.drop_events()
            self.drop_frames()
            self.drop_tail()
            self.simplify_args()
            if encode(self.model) == before:
                return self.model

    def drop_generations(self) -> None:
        """Pass (a)."""
        groups = generations(self.model)
        if len(groups) < 2:
            return
        base = self.model

        def build(kept: list[list[int]]) -> RawTrace:
            m = base.copy()
            m.batches = [m.batches[i] for g in kept for i in g]
            return m

        kept = ddmin(groups, lambda ks: self.test(encode(build(ks))))
        self.model = build(kept)

    def drop_batches(self) -> None:
        """Pass (b)."""
        base = self.model

        def build(kept: list[int]) -> RawTrace:
            m = base.copy()
            m.batches = [m.batches[i] for i in kept]
            return m

        kept = ddmin(range(len(base.batches)), lambda ks: self.test(encode(build(ks))))
        self.model = build(kept)

    def drop_events(self) -> None:
        """Pass (c): one ddmin over every event of every batch."""
        base = self.model
        positions = [(bi, ei) for bi, b in enumerate(base.batches) for ei in range(len(b.events))]

        def build(kept: list[tuple[int, int]]) -> RawTrace:
            keep = set(kept)
            m = base.copy()
            for bi, b in enumerate(m.batches):
                b.events = [e for ei, e in enumerate(b.events) if (bi, ei) in keep]
            return m

        kept = ddmin(positions, lambda ks: self.test(encode(build(ks))))
        self.model = build(kept)

    def drop_frames(self) -> None:
        """Pass (d): fewer frames in each ``Stack`` event, with ``nframes`` updated."""
        for bi in range(len(self.model.batches)):
            for ei in range(len(self.model.batches[bi].events)):
                ev = self.model.batches[bi].events[ei]
                if ev.ev != _EV_STACK or len(ev.args) < 6 or ev.args[1] != (len(ev.args) - 2) // 4:
                    continue
                frames = [ev.args[2 + 4 * k : 6 + 4 * k] for k in range(ev.args[1])]
                base = self.model

                def build(kept: list[tuple[int, ...]], bi: int = bi, ei: int = ei,
                          ev: RawEvent = ev, base: RawTrace = base) -> RawTrace:
                    m = base.copy()
                    flat = tuple(a for f in kept for a in f)
                    m.batches[bi].events[ei] = ev._replace(args=(ev.args[0], len(kept), *flat))
                    return m

                kept = ddmin(frames, lambda ks: self.test(encode(build(ks))))
                self.model = build(kept)

    def drop_tail(self) -> None:
        """Pass (e): the unframeable tail, and each event batch's undecodable rest."""
        if self.model.tail:
            m = self.model.copy()
            m.tail = b""
            self._try(m)
        for bi in range(len(self.model.batches)):
            b = self.model.batches[bi]
            if b.is_event_batch and b.rest:
                m = self.model.copy()
                m.batches[bi].rest = b""
                self._try(m)

    def simplify_args(self) -> None:
        """Pass (f): fields towards 0, 1, then halving; opaque bytes towards shorter prefixes."""
        for bi in range(len(self.model.batches)):
            self._simplify_batch(bi)
            for ei in range(len(self.model.batches[bi].events)):
                self._simplify_event(bi, ei)

    def _simplify_batch(self, bi: int) -> None:
        def get_head(m: RawTrace) -> tuple[int, ...]:
            b = m.batches[bi]
            return (b.exp, b.gen, b.m, b.time) if b.is_experimental else (b.gen, b.m, b.time)

        def set_head(m: RawTrace, v: tuple[int, ...]) -> None:
            b = m.batches[bi]
            if b.is_experimental:
                b.exp = v[0]
            b.gen, b.m, b.time = v[-3:]

        def get_rest(m: RawTrace) -> bytes:
            return m.batches[bi].rest

        def set_rest(m: RawTrace, v: bytes) -> None:
            m.batches[bi].rest = v

        if self.model.batches[bi].generation() is None:
            return  # EndOfGeneration: a lone byte, nothing to simplify
        for i in range(len(get_head(self.model))):
            self._simplify_value(get_head, set_head, i)
        if self.model.batches[bi].is_experimental:
            self._simplify_bytes(get_rest, set_rest)

    def _simplify_event(self, bi: int, ei: int) -> None:
        ev = self.model.batches[bi].events[ei]
        spec = ev.spec()

        def get_args(m: RawTrace) -> tuple[int, ...]:
            return m.batches[bi].events[ei].args

        def set_args(m: RawTrace, v: tuple[int, ...]) -> None:
            m.batches[bi].events[ei] = m.batches[bi].events[ei]._replace(args=v)

        for i in range(len(ev.args)):
            if not (spec.is_stack and i == 1):  # nframes changes only with the frames
                self._simplify_value(get_args, set_args, i)
        if spec.has_data and ev.data:

            def get_data(m: RawTrace) -> bytes:
                return m.batches[bi].events[ei].data or b""

            def set_data(m: RawTrace, v: bytes) -> None:
                m.batches[bi].events[ei] = m.batches[bi].events[ei]._replace(data=v or None)

            self._simplify_bytes(get_data, set_data)

    def _simplify_value(
        self,
        get: Callable[[RawTrace], tuple[int, ...]],
        put: Callable[[RawTrace, tuple[int, ...]], None],
        i: int,
    ) -> None:
        """Field ``i`` of a tuple in the model: try 0, then 1, then halve while it holds."""

        def attempt(value: int) -> bool:
            cur = get(self.model)
            if value >= cur[i]:
                return False
            m = self.model.copy()
            put(m, (*cur[:i], value, *cur[i + 1 :]))
            return self._try(m)

        if attempt(0) or attempt(1):
            return
        while get(self.model)[i] > 3 and attempt(get(self.model)[i] // 2):
            pass

    def _simplify_bytes(
        self, get: Callable[[RawTrace], bytes], put: Callable[[RawTrace, bytes], None]
    ) -> None:
        """Opaque bytes: try empty, one byte, then halving the length while it holds."""
        for n in (0, 1):
            data = get(self.model)
            if n < len(data):
                m = self.model.copy()
                put(m, data[:n])
                if self._try(m):
                    return
        while len(get(self.model)) > 3:
            data = get(self.model)
            m = self.model.copy()
            put(m, data[: len(data) // 2])
            if not self._try(m):
                return


def _byte_phase(data: bytes, prefix_len: int, test: Callable[[bytes], bool]) -> bytes:
    """ddmin over the bytes after ``prefix_len``, then single bytes towards 0."""
    head = data[:prefix_len]
    kept = ddmin(list(data[prefix_len:]), lambda bs: test(head + bytes(bs)))
    body = bytearray(kept)
    for i in range(len(body)):
        for value in (0, body[i] // 2):
            if value >= body[i]:
                continue
            cand = bytearray(body)
            cand[i] = value
            if test(head + bytes(cand)):
                body = cand
                break
    return head + bytes(body)


def minimize(
    data: bytes,
    keep: Callable[[bytes], bool],
    *,
    deadline: float | None = None,
    stats: MinimizeStats | None = None,
) -> bytes:
    """A smaller trace for which ``keep`` still holds (``data`` itself if none is found).

    ``keep(data)`` must be true.  ``deadline`` is a ``time.monotonic()`` value after which no
    more candidates are tried; ``stats``, when given, is filled in.
    """
    st = stats if stats is not None else MinimizeStats()
    st.original_size = len(data)
    t0 = time.monotonic()
    oracle = _Oracle(keep, deadline, st)
    test = _ReadableFirst(oracle)
    best = data
    try:
        model = decode(data)
        if model is not None and test(encode(model)):
            st.structural = True
            structural = _Structural(model, test)
            try:
                structural.run()
            finally:
                best = encode(structural.model)
                st.structural_size = len(best)
        best = _byte_phase(best, len(model.header) if model is not None else 0, test)
    except _OutOfTime:
        # Out of time mid-pass: take the smallest input known to pass (with a text form, if
        # one was reached).
        passing = [d for d, ok in oracle.results()
                   if ok and (not test.readable or _round_trips(d))]
        best = min([best, *passing], key=len)
    st.final_size = len(best)
    st.seconds = time.monotonic() - t0
    return best


def signature_predicate(signature: str, go: GoImpl, py: PythonImpl,
                        semantics: str | None = None) -> Callable[[bytes], bool]:
    """``keep(data)``: Python and Go still diverge on ``data`` with exactly ``signature``;
    ``semantics`` is the release the reference follows (for :func:`ties_possible`)."""
    from oracle.diff.compare import compare, ties_possible

    def keep(data: bytes) -> bool:
        return compare(py.run(data), go.run(data),
                       ties=ties_possible(data, semantics)).signature == signature

    return keep
