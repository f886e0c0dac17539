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

1. **Structural reduction** on the batch and event structure.  The trace is decoded into a
   :class:`TraceModel`: the header bytes; the batches, cut out of the stream exactly as Go's
   ``readBatch`` cuts them (``EventBatch``: gen, M, time, size, body; ``ExperimentalBatch``:
   the same after a raw experiment *byte*; the lone ``EndOfGeneration`` byte), each event
   batch's body decoded into raw events (:mod:`oracle.parser.raw`) plus whatever undecodable bytes
   end it; and the tail that no longer frames as a batch.  Passes, repeated until none makes
   progress:

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

The ``minimize`` subcommand (:func:`register`) wraps this for the command line.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, TypeVar

from oracle.parser.errors import TraceError
from oracle.parser.raw import RawEvent, RawReader, RawWriter, binary_to_text, text_to_binary
from oracle.parser.tracev2 import EventType
from oracle.parser.uvarint import VarintError, put_uvarint, read_uvarint
from oracle.parser.version import Version, read_header_bytes, write_header

if TYPE_CHECKING:
    from oracle.diff.impls import GoImpl, PythonImpl

__all__ = [
    "MinimizeStats",
    "TraceModel",
    "ddmin",
    "minimize",
    "register",
    "signature_predicate",
]

T = TypeVar("T")

_EV_EVENT_BATCH: Final = int(EventType.EventBatch)
_EV_EXPERIMENTAL_BATCH: Final = int(EventType.ExperimentalBatch)
_EV_END_OF_GENERATION: Final = int(EventType.EndOfGeneration)
_EV_STACK: Final = int(EventType.Stack)
_BATCH_HEADERS: Final = frozenset({_EV_EVENT_BATCH, _EV_EXPERIMENTAL_BATCH})


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


# --- The structural model --------------------------------------------------------------------


@dataclass(slots=True)
class _Batch:
    """One batch, framed as ``readBatch`` (batch.go) frames it.

    ``kind`` is the batch type byte.  ``head`` holds the header fields before the size:
    ``(gen, m, time)`` for an ``EventBatch``, ``(exp, gen, m, time)`` for an
    ``ExperimentalBatch`` (``exp`` is a raw byte on the wire), ``()`` for ``EndOfGeneration``.
    ``events`` are the raw events decoded from an ``EventBatch``'s body and ``rest`` the body
    bytes after them that do not decode (all of an ``ExperimentalBatch``'s body, whose content
    is opaque).  The size field is not stored: it is always the length of the encoded body.
    """

    kind: int
    head: tuple[int, ...]
    events: list[RawEvent]
    rest: bytes = b""

    def generation(self) -> int | None:
        """The header's ``gen`` field; None for ``EndOfGeneration``."""
        if self.kind == _EV_EVENT_BATCH:
            return self.head[0]
        if self.kind == _EV_EXPERIMENTAL_BATCH:
            return self.head[1]
        return None

    def encode(self, version: Version) -> bytes:
        """The batch's bytes: header with minimal uvarints and the exact body size, then body."""
        if self.kind == _EV_END_OF_GENERATION:
            return bytes((self.kind,))
        w = RawWriter(version)
        for e in self.events:
            w.write_event(e)
        body = w.getvalue()[len(write_header(version)) :] + self.rest
        out = bytearray((self.kind,))
        fields = self.head
        if self.kind == _EV_EXPERIMENTAL_BATCH:
            out.append(fields[0] & 0xFF)
            fields = fields[1:]
        for f in fields:
            out += put_uvarint(f)
        out += put_uvarint(len(body))
        return bytes(out) + body


def _decode_body(version: Version, body: bytes) -> tuple[list[RawEvent], bytes]:
    """Raw events of an ``EventBatch`` body, and the bytes after the last whole event."""
    header = write_header(version)
    reader = RawReader(header + body)
    events: list[RawEvent] = []
    while True:
        start = reader.pos
        try:
            events.append(reader.read_event())
        except (EOFError, TraceError):
            return events, body[start - len(header) :]
        if reader.pos > len(header) + len(body):  # cannot happen: the reader stops at the end
            return events[:-1], body[start - len(header) :]


@dataclass(slots=True)
class TraceModel:
    """A trace as header bytes, batches, and an unframeable tail.

    Batches are cut out exactly as Go's ``readBatch`` does (so the model agrees with the
    parser on where batches start and end, whatever the raw reader would make of the bytes),
    and each event batch's body is decoded into raw events.  The first byte sequence that does
    not frame as a batch, and everything after it, is the ``tail``.
    """

    version: Version
    header: bytes
    batches: list[_Batch] = field(default_factory=list)
    tail: bytes = b""

    @classmethod
    def decode(cls, data: bytes) -> TraceModel | None:
        """Decode ``data``; None when its header cannot be read."""
        try:
            version, pos = read_header_bytes(data)
        except TraceError:
            return None
        if not version.is_v2:
            return None
        model = cls(version, data[:pos])
        n = len(data)
        while pos < n:
            start = pos
            kind = data[pos]
            pos += 1
            try:
                if kind == _EV_END_OF_GENERATION and version >= Version.Go126:
                    model.batches.append(_Batch(kind, (), []))
                    continue
                if kind not in _BATCH_HEADERS:
                    raise ValueError("not a batch")
                head: list[int] = []
                if kind == _EV_EXPERIMENTAL_BATCH:
                    if pos >= n:
                        raise ValueError("no experiment byte")
                    head.append(data[pos])
                    pos += 1
                for _ in range(4):
                    value, pos = read_uvarint(data, pos)
                    head.append(value)
                size = head.pop()
                if size > n - pos:
                    raise ValueError("short body")
            except (ValueError, VarintError):
                model.tail = data[start:]
                break
            body = data[pos : pos + size]
            pos += size
            if kind == _EV_EVENT_BATCH:
                events, rest = _decode_body(version, body)
                model.batches.append(_Batch(kind, tuple(head), events, rest))
            else:
                model.batches.append(_Batch(kind, tuple(head), [], body))
        return model

    def copy(self) -> TraceModel:
        """A copy whose batches can be edited independently."""
        return TraceModel(
            self.version, self.header,
            [_Batch(b.kind, b.head, list(b.events), b.rest) for b in self.batches], self.tail,
        )

    def encode(self) -> bytes:
        """The binary trace: original header bytes, batches, tail."""
        return self.header + b"".join(b.encode(self.version) for b in self.batches) + self.tail

    def generations(self) -> list[list[int]]:
        """Batch indices grouped into runs of the same generation (``EndOfGeneration`` joins
        the run before it)."""
        groups: list[list[int]] = []
        last: int | None = None
        for i, b in enumerate(self.batches):
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
    """The structural passes over a :class:`TraceModel` (see the module docstring)."""

    def __init__(self, model: TraceModel, test: Callable[[bytes], bool]) -> None:
        self.model = model
        self.test = test

    def _try(self, candidate: TraceModel) -> bool:
        if self.test(candidate.encode()):
            self.model = candidate
            return True
        return False

    def run(self) -> TraceModel:
        """Apply the passes until none of them makes progress."""
        while True:
            before = self.model.encode()
            self.drop_generations()
            self.drop_batches()
            self.drop_events()
            self.drop_frames()
            self.drop_tail()
            self.simplify_args()
            if self.model.encode() == before:
                return self.model

    def drop_generations(self) -> None:
        """Pass (a)."""
        groups = self.model.generations()
        if len(groups) < 2:
            return
        base = self.model

        def build(kept: list[list[int]]) -> TraceModel:
            m = base.copy()
            m.batches = [m.batches[i] for g in kept for i in g]
            return m

        kept = ddmin(groups, lambda ks: self.test(build(ks).encode()))
        self.model = build(kept)

    def drop_batches(self) -> None:
        """Pass (b)."""
        base = self.model

        def build(kept: list[int]) -> TraceModel:
            m = base.copy()
            m.batches = [m.batches[i] for i in kept]
            return m

        kept = ddmin(range(len(base.batches)), lambda ks: self.test(build(ks).encode()))
        self.model = build(kept)

    def drop_events(self) -> None:
        """Pass (c): one ddmin over every event of every batch."""
        base = self.model
        positions = [(bi, ei) for bi, b in enumerate(base.batches) for ei in range(len(b.events))]

        def build(kept: list[tuple[int, int]]) -> TraceModel:
            keep = set(kept)
            m = base.copy()
            for bi, b in enumerate(m.batches):
                b.events = [e for ei, e in enumerate(b.events) if (bi, ei) in keep]
            return m

        kept = ddmin(positions, lambda ks: self.test(build(ks).encode()))
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
                          ev: RawEvent = ev, base: TraceModel = base) -> TraceModel:
                    m = base.copy()
                    flat = tuple(a for f in kept for a in f)
                    m.batches[bi].events[ei] = ev._replace(args=(ev.args[0], len(kept), *flat))
                    return m

                kept = ddmin(frames, lambda ks: self.test(build(ks).encode()))
                self.model = build(kept)

    def drop_tail(self) -> None:
        """Pass (e): the unframeable tail, and each event batch's undecodable rest."""
        if self.model.tail:
            m = self.model.copy()
            m.tail = b""
            self._try(m)
        for bi in range(len(self.model.batches)):
            b = self.model.batches[bi]
            if b.kind == _EV_EVENT_BATCH and b.rest:
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
        def get_head(m: TraceModel) -> tuple[int, ...]:
            return m.batches[bi].head

        def set_head(m: TraceModel, v: tuple[int, ...]) -> None:
            m.batches[bi].head = v

        def get_rest(m: TraceModel) -> bytes:
            return m.batches[bi].rest

        def set_rest(m: TraceModel, v: bytes) -> None:
            m.batches[bi].rest = v

        for i in range(len(self.model.batches[bi].head)):
            self._simplify_value(get_head, set_head, i)
        if self.model.batches[bi].kind == _EV_EXPERIMENTAL_BATCH:
            self._simplify_bytes(get_rest, set_rest)

    def _simplify_event(self, bi: int, ei: int) -> None:
        ev = self.model.batches[bi].events[ei]
        spec = ev.spec()

        def get_args(m: TraceModel) -> tuple[int, ...]:
            return m.batches[bi].events[ei].args

        def set_args(m: TraceModel, v: tuple[int, ...]) -> None:
            m.batches[bi].events[ei] = m.batches[bi].events[ei]._replace(args=v)

        for i in range(len(ev.args)):
            if not (spec.is_stack and i == 1):  # nframes changes only with the frames
                self._simplify_value(get_args, set_args, i)
        if spec.has_data and ev.data:

            def get_data(m: TraceModel) -> bytes:
                return m.batches[bi].events[ei].data or b""

            def set_data(m: TraceModel, v: bytes) -> None:
                m.batches[bi].events[ei] = m.batches[bi].events[ei]._replace(data=v or None)

            self._simplify_bytes(get_data, set_data)

    def _simplify_value(
        self,
        get: Callable[[TraceModel], tuple[int, ...]],
        put: Callable[[TraceModel, tuple[int, ...]], None],
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
        self, get: Callable[[TraceModel], bytes], put: Callable[[TraceModel, bytes], None]
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
        model = TraceModel.decode(data)
        if model is not None and test(model.encode()):
            st.structural = True
            structural = _Structural(model, test)
            try:
                structural.run()
            finally:
                best = structural.model.encode()
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


def signature_predicate(signature: str, go: GoImpl, py: PythonImpl) -> Callable[[bytes], bool]:
    """``keep(data)``: Python and Go still diverge on ``data`` with exactly ``signature``."""
    from oracle.diff.compare import compare, ties_possible

    def keep(data: bytes) -> bool:
        return compare(py.run(data), go.run(data), ties=ties_possible(data)).signature == signature

    return keep


# --- The ``minimize`` subcommand -------------------------------------------------------------


def _load_case(case: Path) -> tuple[bytes, dict[str, Any]]:
    """The trace bytes of CASE and, for a finding directory, its metadata."""
    from oracle.cli.app import UsageError
    from oracle.parser.inputs import InputError, load

    meta: dict[str, Any] = {}
    path = case
    if case.is_dir():
        try:
            meta = json.loads((case / "metadata.json").read_text(encoding="utf-8"))
        except (OSError, ValueError) as e:
            raise UsageError(f"{case}: not a finding directory (metadata.json: {e})") from None
        for name in ("repro.trace", "original.trace"):
            if (case / name).is_file():
                path = case / name
                break
        else:
            raise UsageError(f"{case}: finding directory without repro.trace or original.trace")
    try:
        return load(path).data, meta
    except InputError as e:
        raise UsageError(str(e)) from None


def cmd_minimize(args: argparse.Namespace) -> int:
    """Entry point of ``gotrace-oracle minimize``."""
    from oracle.cli.app import EXIT_FINDING, EXIT_OK, UsageError, helper_binary
    from oracle.diff.compare import compare
    from oracle.diff.impls import GoImpl, PythonImpl
    from oracle.campaign.sources import default_corpus_root
    from oracle.campaign.findings import finding_files, signature_slug, write_finding_dir

    if args.deadline is not None and args.deadline <= 0:
        raise UsageError(f"--deadline must be positive, got {args.deadline}")
    data, meta = _load_case(args.case)
    wanted: str | None = args.signature or meta.get("signature")
    from oracle.parser.releases import reproduced

    binary, version = helper_binary(args)
    py = PythonImpl(reproduced(version))
    with GoImpl(binary, version, timeout=args.timeout) as go:
        # A nondeterministic divergence may need a few runs to show itself.
        seen: list[str] = []
        for _ in range(args.attempts):
            left, right = py.run(data), go.run(data)
            c = compare(left, right)
            seen.append(c.signature)
            if (wanted is None and not c.agree) or c.signature == wanted:
                break
        else:
            if wanted is None:
                print(f"minimize: {args.case}: no divergence against go{version} "
                      f"({args.attempts} attempt(s)); nothing to minimize")
            else:
                print(f"minimize: {args.case}: does not reproduce {wanted!r} against "
                      f"go{version} (got {', '.join(sorted(set(seen)))})")
            return EXIT_FINDING
        signature = c.signature
        st = MinimizeStats()
        deadline = time.monotonic() + args.deadline if args.deadline else None
        if not args.quiet:
            print(f"minimize: {args.case}: {signature} ({len(data)} bytes); minimizing ...",
                  file=sys.stderr)
        small = minimize(data, signature_predicate(signature, go, py), deadline=deadline,
                         stats=st)
        left, right = py.run(small), go.run(small)
        c2 = compare(left, right)
        if c2.signature != signature:  # a flaky (nondeterministic) finding: keep the input
            small, c2 = data, c
            left, right = py.run(small), go.run(small)
    original = data
    if (args.case / "original.trace").is_file() if args.case.is_dir() else False:
        original = (args.case / "original.trace").read_bytes()
    files = finding_files(
        original, c2, left, right, toolchain=version,
        mutations=list(meta.get("mutations") or []), seed=meta.get("seed"), minimized=small,
        extra={"minimize": {"calls": st.calls, "seconds": round(st.seconds, 3),
                            "timed_out": st.timed_out, "structural": st.structural}},
    )
    dest = args.out if args.out is not None else default_corpus_root() / "findings" / signature_slug(signature)
    write_finding_dir(dest, files)
    print(f"minimize: {signature}: {len(data)} -> {len(small)} bytes in {st.seconds:.1f}s "
          f"({st.calls} predicate calls{', deadline reached' if st.timed_out else ''}); "
          f"wrote {dest}")
    return EXIT_OK


def register(subparsers: Any) -> None:
    """Add the ``minimize`` subcommand to the CLI's subparsers."""
    from oracle.cli.app import add_go_options

    s = subparsers.add_parser(
        "minimize", help="shrink a diverging trace, keeping its signature",
        description="Reduce CASE (a trace file in any input format, or a finding directory "
        "whose metadata.json names the signature) to a small trace with the same divergence "
        "signature: structural reduction on the raw events (generations, batches, events, "
        "frames, arguments), then byte-level delta debugging. Writes repro.txt (Go's text "
        "format with a comment header), repro.trace, original.trace and metadata.json to "
        "corpus/findings/<slug>/ or --out. Exit 0 when written, 1 when CASE shows no (or "
        "another) divergence, 2 on usage errors.",
    )
    s.add_argument("case", type=Path, help="trace file or finding directory")
    s.add_argument("--signature", default=None,
                   help="signature to keep (default: the finding's, else CASE's current one)")
    s.add_argument("--out", type=Path, default=None,
                   help="write the finding files into this directory (replaced if it exists)")
    s.add_argument("--deadline", type=float, default=120.0,
                   help="seconds to spend minimizing (default 120); the best so far is kept")
    s.add_argument("--timeout", type=float, default=10.0, help="seconds Go may take per run")
    s.add_argument("--attempts", type=int, default=3,
                   help="runs to reproduce a (possibly nondeterministic) divergence (default 3)")
    s.add_argument("-q", "--quiet", action="store_true", help="no progress message")
    add_go_options(s, role="compare with")
    s.set_defaults(func=cmd_minimize)
