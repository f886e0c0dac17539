"""The atheris engine of ``gotrace-oracle fuzz``: libFuzzer drives the differential check.

Theory of operation
-------------------
The Hypothesis engine (:mod:`oracle.campaign.checker`) *generates* traces from the strategies' model.
This engine instead lets libFuzzer, through atheris, *evolve* a corpus of binary traces.  It
has three parts, following wasmtime's split of generators, mutators and oracles:

1. **The target** (:func:`_Worker.test_one_input`, a few lines).  libFuzzer hands it bytes; it
   runs the differential check of :class:`oracle.campaign.checker.CaseChecker` (the Python parser and
   Go's real ``internal/trace`` through the persistent helper, compared into a closed
   :class:`~oracle.diff.compare.Verdict`; new findings are minimized and saved by the
   checker's :class:`~oracle.campaign.findings.FindingStore`).  The check never raises on a bad trace;
   if the *engine* raises, that is recorded as an ``error`` and the case is skipped, so
   libFuzzer never mistakes a harness bug for a crash of the target.

2. **The structure-aware mutator** (:class:`StructureAwareMutator`, libFuzzer's
   ``LLVMFuzzerCustomMutator``).  Three times in four (:data:`BYTE_SHARE`) it defers to
   libFuzzer's own byte mutations (``atheris.Mutate``), which cost next to nothing.
   Otherwise it works on the *raw* layer: the input is decoded with
   :class:`oracle.parser.raw.RawReader` into events, grouped into batches by the ``EventBatch``
   headers' ``size`` (what Go's ``readBatch`` does), edited by one to three named operators
   (:data:`RAW_MUTATIONS`: drop, duplicate, swap or move events and batches, change arguments,
   generation numbers, event types and string data, insert events, truncate at a boundary),
   and re-encoded with every batch size recomputed, so the edit reaches the parser's later
   stages instead of dying in the batch reader.  (One operator, ``raw_stale_size``, leaves a
   size off by a little on purpose.)  An input the raw reader cannot decode at all goes to
   the byte mutations.  For the generated seeds, whose strategies model
   (:class:`strategies.Trace`) each worker rebuilds deterministically, the mutator may instead
   apply the strategies' own named mutations (:func:`strategies.mutate`).  The names of the
   operators that produced an input are passed to the checker as the finding's
   ``mutations``.

3. **The campaign** (:func:`run_campaign`, called by ``gotrace-oracle fuzz --engine
   atheris``).  ``atheris.Fuzz()`` never returns (libFuzzer exits the process), so each of the
   ``--jobs`` workers is a subprocess (``python -c <bootstrap> worker ...``), in its own
   session, with its own Go helper.  The parent prepares one seed directory (the traces of
   ``corpus/seeds``, the ``repro.trace`` of every regression, and a few hundred generated
   traces), a shared libFuzzer queue directory (so that with ``--instrument`` the workers pick
   up each other's discoveries, like libFuzzer's own ``-jobs``), and one JSON-lines file per
   worker.  A worker appends to its file: a ``start`` record, a cumulative ``stats`` snapshot
   at most every :data:`STATS_INTERVAL` seconds, a ``finding`` record as soon as the checker
   saved a new finding, ``error`` records, and a final ``done`` snapshot.  The parent tails the
   files for the live progress line (exec/s, go accept/reject mix, divergences by signature)
   and aggregates the last snapshot of every worker into the report
   (:func:`oracle.campaign.checker.write_report`, atomic) and the summary
   (:func:`oracle.campaign.checker.format_summary`).

Stopping.  A worker stops itself, writing its ``done`` record and leaving with ``os._exit``,
when its time budget (``--time``) or its share of ``--max-examples`` is used up, or when it
gets SIGTERM or SIGINT: libFuzzer's own handlers are switched off (``-handle_term=0
-handle_int=0``) and Python's set a flag that the next call of the target sees.  libFuzzer's
``-max_total_time`` and ``-runs`` stay as backstops.  libFuzzer's per-input timer is off
(``-timeout=0``) because it would share SIGALRM with the checker's Python timeout; a hang of
either parser is the checker's business (``python-timeout``, ``go-crash:timeout``).  The
parent, on SIGINT or SIGTERM, forwards SIGTERM to the workers, waits for their ``done``
records, and still writes the summary and the report.  Findings are saved by the workers as
they occur (atomically, by the store), so an interrupted campaign loses none.

Feedback.  libFuzzer keeps an input only when it shows a coverage feature it has not seen.
Without instrumentation atheris reports none, and libFuzzer would drop every seed and mutate
one empty input forever (measured: 99.6% of inputs rejected at the header).  So by default
each worker reserves a block of libFuzzer counters (:class:`Feedback`) and hits them with
cheap *semantic features* of each case (:func:`features`: both outcomes with the divergence
signature, the trace version, and, read off the canonical JSON lines the check already
produced, where the parsers stopped (the last record, numbers blanked), how many events they
got through, pairs of consecutive event kinds and the state transitions).

Throughput.  Every exec is a full differential check, so its cost is the Python parse plus
a round trip to the Go helper; the engine keeps its own share small.  libFuzzer's
``-max_len`` is :data:`MAX_LEN` (a parse costs about linearly in what it gets through, and
the real seeds of 3 to 11 KB would otherwise dominate), the generated seeds are small
(:data:`GENERATED_MAX_EVENTS`), the structure-aware path runs for a quarter of the mutations
and remembers its decodes, the features cost a few regex scans instead of a decode, and the
objects built at start-up are frozen out of the cyclic collector's sight.

Instrumentation.  ``--instrument`` (``args.instrument``) instead loads the parser under
``atheris.instrument_imports``, so libFuzzer is guided by the parser's branch coverage; that
makes a Python parse about 3x slower, so it is off by default (``docs/benchmarks.md``,
"atheris throughput", has the numbers).
"""

from __future__ import annotations

import argparse
import dataclasses
import gc
import hashlib
import importlib.util
import math
import json
import os
import random
import re
import signal
import subprocess
import sys
import tempfile
import time
import traceback
import zlib
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Any, Final, Protocol

from oracle.campaign.sources import default_corpus_root
from oracle.campaign.checker import CaseChecker, CaseStats, format_summary, write_report
from oracle.diff.compare import Comparison
from oracle.parser.errors import TraceError
from oracle.parser.raw import RawEvent, RawReader
from oracle.parser.tracev2 import EventSpec, EventType
from oracle.parser.uvarint import put_uvarint
from oracle.parser.version import V2_VERSIONS, Version, write_header

if TYPE_CHECKING:
    from strategies import Trace

__all__ = [
    "ENGINE",
    "Feedback",
    "RAW_MUTATIONS",
    "RawBatch",
    "RawTrace",
    "STATS_INTERVAL",
    "StructureAwareMutator",
    "decode",
    "WorkerConfig",
    "encode",
    "features",
    "generated_seeds",
    "main",
    "make_checker",
    "mutate_raw",
    "prepare_seeds",
    "run_campaign",
    "worker_main",
]

#: The ``engine`` value of the report.
ENGINE: Final = "atheris"

#: Seconds between two cumulative ``stats`` records of a worker.
STATS_INTERVAL: Final = 0.25

#: How many traces the strategies generate into the seed corpus (2/3 valid, 1/3 mutated).
DEFAULT_GENERATED_SEEDS: Final = 300

#: ``max_events`` of the generated seeds: small traces keep exec/s up (a valid trace of 40
#: model events already makes some 200 parsed events; a parse costs about linearly in them).
GENERATED_MAX_EVENTS: Final = 20

#: Share of mutator calls that go to libFuzzer's byte mutations (the rest is structure-aware,
#: which costs a decode and an encode; see ``docs/benchmarks.md``, "atheris throughput").
BYTE_SHARE: Final = 0.75

#: libFuzzer's ``-max_len``: the largest input it makes (bigger seeds are cut to it when
#: loaded).  A parse costs about linearly in the events it gets through, so big inputs
#: would dominate the run (a mutant of a 10 KB real trace costs ~10 ms, ~40 small ones).
MAX_LEN: Final = 2048

#: How many decoded inputs the mutator remembers.
DECODE_CACHE: Final = 4096

#: Extra seconds libFuzzer's own ``-max_total_time`` allows beyond the worker's budget.
_BACKSTOP_SECONDS: Final = 30

#: How long the parent waits for workers to finish after the budget or a signal.
_GRACE_SECONDS: Final = 20.0

# --- The raw structure: batches of raw events -----------------------------------------------


@dataclass(slots=True)
class RawBatch:
    """One ``EventBatch`` (``header``) with the raw events its ``size`` covers.

    ``header`` is None for a top-level event outside any batch (an ``ExperimentalBatch``,
    whose payload is its data trailer, or an event where a batch header should be).
    ``size_delta`` is added to the recomputed size when encoding (0: a consistent batch).
    """

    header: RawEvent | None
    events: list[RawEvent]
    size_delta: int = 0

    def copy(self) -> RawBatch:
        """A copy whose event list can be edited independently."""
        return RawBatch(self.header, list(self.events), self.size_delta)


@dataclass(slots=True)
class RawTrace:
    """A binary trace as the raw layer sees it: version, batches, undecodable rest."""

    version: Version
    batches: list[RawBatch]
    tail: bytes = b""

    def num_events(self) -> int:
        """Events in all batches, headers included."""
        return sum(len(b.events) + (b.header is not None) for b in self.batches)


#: The newest version: its event table is the whole table, of which every older version's is
#: a prefix.  The mutator decodes and encodes events with it, because the raw reader's
#: per-version tables of Go 1.23 to 1.25 stop before the experimental events (types 128 and
#: up, e.g. the AllocFree ones) that those traces carry inside their batches.
_FULL: Final = max(V2_VERSIONS)
_FULL_HEADER: Final = write_header(_FULL)

#: The length of a well-formed header (``go 1.NN trace\x00\x00\x00``).
_HEADER_LEN: Final = 16
#: Each well-formed v2 header and its version.
_V2_HEADERS: Final[Mapping[bytes, Version]] = {write_header(v): v for v in V2_VERSIONS}


def decode(data: bytes) -> RawTrace | None:
    """Group the raw events of ``data`` into batches; None when the header does not read or
    names a v1 trace.

    Events are decoded with the full event table (see :data:`_FULL`), one at a time so that
    their offsets are known, and go to the preceding ``EventBatch`` while they start within
    its ``size`` bytes, measured on the input: writers pad varints (Go's runtime pads batch
    sizes, the strategies pad many arguments), so re-encoded sizes would not do.  Whatever
    the raw reader could not decode (from the first bad or truncated event on) becomes
    ``tail``.
    """
    shift = 0
    known = _V2_HEADERS.get(data[:_HEADER_LEN])
    if known is not None:  # the usual header: read it once, with the full table
        version = known
        reader = RawReader(data if known is _FULL else _FULL_HEADER + data[_HEADER_LEN:])
    else:
        try:
            reader = RawReader(data)
        except TraceError:
            return None
        version = reader.version
        if not version.is_v2:
            return None
        if version is not _FULL:
            shift = len(_FULL_HEADER) - reader.pos
            reader = RawReader(_FULL_HEADER + data[reader.pos:])
    rt = RawTrace(version, [])
    current: RawBatch | None = None
    end = 0  # offset where the current batch's content ends
    while True:
        start = reader.pos
        try:
            ev = reader.read_event()
        except (EOFError, TraceError):
            rt.tail = data[start - shift:]
            return rt
        if current is not None and start < end:
            current.events.append(ev)
        elif ev.ev == EventType.EventBatch and len(ev.args) == 4:
            current = RawBatch(ev, [])
            end = reader.pos + ev.args[3]
            rt.batches.append(current)
        else:
            current = None
            rt.batches.append(RawBatch(None, [ev]))


#: Encodings of the uvarints below 128: most arguments (event types, small IDs, deltas).
_SMALL_UVARINTS: Final[tuple[bytes, ...]] = tuple(bytes((i,)) for i in range(128))


def _encode_event(specs: tuple[EventSpec, ...], e: RawEvent, out: bytearray) -> None:
    """Append ``e`` in the wire format, as :meth:`RawWriter.write_event` writes it (surplus
    arguments of a non-stack event dropped, a data event without data gets length 0)."""
    spec = specs[e.ev]
    out.append(e.ev)
    for a in e.args if spec.is_stack else e.args[:len(spec.args)]:
        out += _SMALL_UVARINTS[a] if a < 128 else put_uvarint(a)
    if spec.has_data:
        d = e.data or b""
        out += put_uvarint(len(d))
        out += d


def encode(rt: RawTrace) -> bytes:
    """The binary form of ``rt``, with minimal varints and every batch size recomputed
    (plus the batch's ``size_delta``, clamped at 0); ``tail`` is appended verbatim."""
    specs = _FULL.specs()
    out = bytearray(write_header(rt.version))
    content = bytearray()
    for b in rt.batches:
        content.clear()
        for e in b.events:
            _encode_event(specs, e, content)
        if b.header is not None:
            size = max(0, len(content) + b.size_delta)
            _encode_event(specs, b.header._replace(args=(*b.header.args[:3], size)), out)
        out += content
    out += rt.tail
    return bytes(out)


# --- Raw-level mutation operators -------------------------------------------------------------

#: Values that break parsers: boundaries of the widths Go narrows IDs and states to.
_BOUNDARY: Final[tuple[int, ...]] = (
    0, 1, 2, 3, 7, 8, 0x7F, 0x80, 0xFF, 0x100, 0x101, 0xFFFF, 0x10000, 0x7FFFFFFF, 0x80000000,
    0xFFFFFFFF, 0x100000000, (1 << 63) - 1, 1 << 63, (1 << 64) - 1,
)


def _interesting(rng: random.Random, rt: RawTrace, old: int) -> int:
    """A replacement for the argument value ``old``: a neighbour, a boundary, or a value seen
    elsewhere in the trace (IDs, timestamps and string IDs are shared between events)."""
    r = rng.random()
    if r < 0.3:
        return max(0, min((1 << 64) - 1, old + rng.choice((-2, -1, 1, 2))))
    if r < 0.55:
        return rng.choice(_BOUNDARY)
    if r < 0.85:
        b = rng.choice(rt.batches)
        pool = [a for e in b.events for a in e.args] or list(b.header.args if b.header else ())
        if pool:
            return rng.choice(pool)
    return rng.getrandbits(rng.choice((4, 8, 16, 32, 64)))


def _nonempty(rt: RawTrace) -> list[int]:
    return [i for i, b in enumerate(rt.batches) if b.events]


def _pick_event(rng: random.Random, rt: RawTrace) -> tuple[RawBatch, int] | None:
    idx = _nonempty(rt)
    if not idx:
        return None
    b = rt.batches[rng.choice(idx)]
    return b, rng.randrange(len(b.events))


def _op_drop_event(rng: random.Random, rt: RawTrace) -> bool:
    p = _pick_event(rng, rt)
    if p is None:
        return False
    b, i = p
    del b.events[i]
    return True


def _op_duplicate_event(rng: random.Random, rt: RawTrace) -> bool:
    p = _pick_event(rng, rt)
    if p is None:
        return False
    b, i = p
    b.events.insert(rng.randrange(len(b.events) + 1), b.events[i])
    return True


def _op_swap_events(rng: random.Random, rt: RawTrace) -> bool:
    idx = [i for i, b in enumerate(rt.batches) if len(b.events) >= 2]
    if not idx:
        return False
    ev = rt.batches[rng.choice(idx)].events
    i = rng.randrange(len(ev) - 1)
    j = i + 1 if rng.random() < 0.7 else rng.randrange(len(ev))
    ev[i], ev[j] = ev[j], ev[i]
    return True


def _op_move_event(rng: random.Random, rt: RawTrace) -> bool:
    p = _pick_event(rng, rt)
    targets = [b for b in rt.batches if b.header is not None]
    if p is None or not targets:
        return False
    b, i = p
    e = b.events.pop(i)
    dst = rng.choice(targets)
    dst.events.insert(rng.randrange(len(dst.events) + 1), e)
    return True


def _op_drop_batch(rng: random.Random, rt: RawTrace) -> bool:
    if len(rt.batches) < 2:
        return False
    del rt.batches[rng.randrange(len(rt.batches))]
    return True


def _op_duplicate_batch(rng: random.Random, rt: RawTrace) -> bool:
    if not rt.batches:
        return False
    b = rng.choice(rt.batches).copy()
    rt.batches.insert(rng.randrange(len(rt.batches) + 1), b)
    return True


def _op_swap_batches(rng: random.Random, rt: RawTrace) -> bool:
    n = len(rt.batches)
    if n < 2:
        return False
    i, j = rng.sample(range(n), 2)
    rt.batches[i], rt.batches[j] = rt.batches[j], rt.batches[i]
    return True


def _op_change_arg(rng: random.Random, rt: RawTrace) -> bool:
    cands: list[tuple[RawBatch, int | None]] = []
    for b in rt.batches:
        cands.extend((b, i) for i, e in enumerate(b.events) if e.args)
        if b.header is not None:
            cands.append((b, None))
    if not cands:
        return False
    b, i = rng.choice(cands)
    e = b.header if i is None else b.events[i]
    assert e is not None
    # A header's size argument is recomputed on encoding; edit gen, m or time instead.
    k = rng.randrange(3 if i is None else len(e.args))
    args = list(e.args)
    args[k] = _interesting(rng, rt, args[k])
    new = e._replace(args=tuple(args))
    if i is None:
        b.header = new
    else:
        b.events[i] = new
    return True


def _op_change_gen(rng: random.Random, rt: RawTrace) -> bool:
    headers = [b for b in rt.batches if b.header is not None]
    if not headers:
        return False
    b = rng.choice(headers)
    assert b.header is not None
    gen = b.header.args[0]
    other = rng.choice(headers).header
    assert other is not None
    new = rng.choice((gen + 1, max(0, gen - 1), other.args[0], 0, gen + 2, 1 << 63))
    b.header = b.header._replace(args=(new, *b.header.args[1:]))
    return True


def _same_layout(specs: tuple[EventSpec, ...], e: RawEvent) -> list[int]:
    spec = specs[e.ev]
    return [
        t for t, s in enumerate(specs)
        if t and t != e.ev and s.name and len(s.args) == len(spec.args)
        and s.is_stack == spec.is_stack and s.has_data == spec.has_data
    ]


def _op_change_type(rng: random.Random, rt: RawTrace) -> bool:
    p = _pick_event(rng, rt)
    if p is None:
        return False
    b, i = p
    e = b.events[i]
    types = _same_layout(_FULL.specs(), e)
    if not types:
        return False
    b.events[i] = e._replace(ev=rng.choice(types))
    return True


def _random_event(rng: random.Random, rt: RawTrace) -> RawEvent:
    specs = rt.version.specs()
    t = rng.choice([t for t, s in enumerate(specs) if t and s.name])
    spec = specs[t]
    args = [_interesting(rng, rt, rng.randrange(8)) for _ in spec.args]
    data: bytes | None = None
    if spec.is_stack:
        nframes = rng.randrange(3)
        args[-1] = nframes
        args += [_interesting(rng, rt, rng.randrange(8)) for _ in range(4 * nframes)]
    if spec.has_data:
        data = rng.choice((b"", b"main", b"runtime.gopark", bytes(rng.randrange(256) for _ in range(4))))
    return RawEvent(_FULL, t, tuple(args), data or None)


def _op_insert_event(rng: random.Random, rt: RawTrace) -> bool:
    targets = [b for b in rt.batches if b.header is not None]
    if not targets:
        return False
    b = rng.choice(targets)
    b.events.insert(rng.randrange(len(b.events) + 1), _random_event(rng, rt))
    return True


def _op_change_data(rng: random.Random, rt: RawTrace) -> bool:
    cands = [(b, i) for b in rt.batches for i, e in enumerate(b.events) if e.data is not None]
    if not cands:
        return False
    b, i = rng.choice(cands)
    e = b.events[i]
    d = e.data or b""
    r = rng.random()
    if r < 0.25 and d:
        k = rng.randrange(len(d))
        d = d[:k] + bytes((d[k] ^ (1 << rng.randrange(8)),)) + d[k + 1:]
    elif r < 0.45:
        d = d[: rng.randrange(len(d) + 1)]
    elif r < 0.6:
        d = d + d
    elif r < 0.8:
        d = rng.choice([c.events[k].data for c, k in cands]) or b""
    else:
        d = rng.choice((b"\xff\xfe", b"\xc0", "\u2028".encode(), b"\x00", b"a" * 300))
    b.events[i] = e._replace(data=d or None)
    return True


def _op_truncate(rng: random.Random, rt: RawTrace) -> bool:
    if rt.num_events() < 2:
        return False
    k = rng.randrange(len(rt.batches))
    del rt.batches[k + 1:]
    last = rt.batches[k]
    if last.events and rng.random() < 0.5:
        del last.events[rng.randrange(len(last.events)):]
    rt.tail = b""
    return True


def _op_stale_size(rng: random.Random, rt: RawTrace) -> bool:
    headers = [b for b in rt.batches if b.header is not None]
    if not headers:
        return False
    rng.choice(headers).size_delta = rng.choice((-3, -2, -1, 1, 2, 3))
    return True


#: The raw-level operators by name: each edits a :class:`RawTrace` in place and returns
#: whether it could apply (the trace had something to edit).
RAW_MUTATIONS: Final[Mapping[str, Callable[[random.Random, RawTrace], bool]]] = {
    "raw_drop_event": _op_drop_event,
    "raw_duplicate_event": _op_duplicate_event,
    "raw_swap_events": _op_swap_events,
    "raw_move_event": _op_move_event,
    "raw_drop_batch": _op_drop_batch,
    "raw_duplicate_batch": _op_duplicate_batch,
    "raw_swap_batches": _op_swap_batches,
    "raw_change_arg": _op_change_arg,
    "raw_change_gen": _op_change_gen,
    "raw_change_type": _op_change_type,
    "raw_insert_event": _op_insert_event,
    "raw_change_data": _op_change_data,
    "raw_truncate": _op_truncate,
    "raw_stale_size": _op_stale_size,
}

#: Operators that make a trace inconsistent at the batch level (excluded when a test asks
#: for batch-consistent output).
_INCONSISTENT: Final = frozenset({"raw_stale_size"})


def mutate_raw(rng: random.Random, rt: RawTrace, *, max_ops: int = 3,
               consistent: bool = False) -> list[str]:
    """Apply one to ``max_ops`` operators of :data:`RAW_MUTATIONS` to ``rt`` in place and
    return the names of those that applied; ``consistent`` skips ``raw_stale_size``."""
    names = [n for n in RAW_MUTATIONS if not (consistent and n in _INCONSISTENT)]
    applied: list[str] = []
    for _ in range(rng.randint(1, max_ops)):
        name = rng.choice(names)
        if RAW_MUTATIONS[name](rng, rt):
            applied.append(name)
    return applied


# --- The custom mutator -------------------------------------------------------------------------

#: ``atheris.Mutate``'s shape: ``(data, max_size) -> bytes``.
ByteMutate = Callable[[bytes, int], bytes]

#: The ``mutations`` name recorded for libFuzzer's byte mutations.
LIBFUZZER: Final = "libfuzzer"


class StructureAwareMutator:
    """libFuzzer's custom mutator: ``mutator(data, max_size, seed) -> bytes``.

    With probability ``byte_share`` (or when the raw reader cannot decode the input) it calls
    ``byte_mutate`` (``atheris.Mutate`` in a worker).  Otherwise, for a generated seed found in
    ``models``, half of the time it applies :func:`strategies.mutate` to the seed's model; else
    it decodes the input (:func:`decode`, remembered for the last :data:`DECODE_CACHE`
    inputs), applies :func:`mutate_raw` and re-encodes it (:func:`encode`).  The output
    never exceeds ``max_size``; every choice is drawn from
    ``random.Random(seed)``, so for a given ``seed`` (and a deterministic ``byte_mutate``) the
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
                    applied = mutate_raw(rng, rt)
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
        if rt is None:
            return None
        return RawTrace(rt.version, [b.copy() for b in rt.batches], rt.tail)

    @staticmethod
    def _strategies(rng: random.Random, model: Trace) -> tuple[bytes, tuple[str, ...]]:
        from strategies import RandomChooser, mutate

        tr = mutate(RandomChooser(rng), model)
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


# --- Feedback without instrumentation ---------------------------------------------------------


#: The version feature of each well-formed v2 header (a v1 or odd header gives feature 1).
_HEADER_FEATURES: Final[Mapping[bytes, int]] = {write_header(v): 2 + int(v) for v in V2_VERSIONS}
#: An event record of the canonical JSON lines: its kind.
_KIND: Final = re.compile(rb'"kind":"(\w+)","time"')
#: A state transition of the canonical JSON lines: its resource kind, from and to states.
_TRANSITION: Final = re.compile(
    rb'"transition":\{"resource":\{"kind":"(\w+)".*?"from":"(\w+)","to":"(\w+)"')
#: Runs of digits, blanked out of the last record (an error text names IDs and offsets).
_DIGITS: Final = re.compile(rb"[0-9]+")


def features(data: bytes, signature: str, python: str, go: str,
             output: bytes | None = None) -> Iterator[int]:
    """Cheap "semantic coverage" of one case, as integers for :class:`Feedback`.

    libFuzzer keeps an input in its corpus only when it shows a feature it has not seen;
    without instrumentation there are none, and it would mutate one empty input forever.
    These features stand in for coverage.  Always: the outcome (both statuses and the
    signature of a divergence) and the trace version (or a bad header).  Then, when the
    Python parser's canonical JSON lines of the case are at hand (``output``, which the
    checker keeps; on the fast path they are byte-identical to Go's), features of what the
    parsers made of the input, read from those lines with a few C-speed regex scans and no
    decoding: the last record with its numbers blanked (for a rejected trace, the error text,
    i.e. where and why the parsers stopped), the number of events (in buckets), each pair of
    consecutive event kinds, and each state transition (resource kind, from, to).  Without
    ``output``, a raw decode of the input stands in: each pair of consecutive raw event
    types, where the raw reader stopped (in buckets) and how many batches there were.
    """
    yield zlib.crc32(f"{python}|{go}|{signature}".encode())
    if output is not None:
        yield _HEADER_FEATURES.get(data[:_HEADER_LEN], 1)
        nl = output.rfind(b"\n", 0, len(output) - 1)
        yield (6 << 28) | (zlib.crc32(_DIGITS.sub(b"", output[nl + 1:])) & 0xFFFFFFF)
        kinds = _KIND.findall(output)
        yield (7 << 28) | len(kinds).bit_length()
        crc = zlib.crc32
        for a, b in set(zip([b"", *kinds], kinds)):
            yield (8 << 28) | (crc(b, crc(a)) & 0xFFFFFFF)
        for t in set(_TRANSITION.findall(output)):
            yield (9 << 28) | (crc(b"|".join(t)) & 0xFFFFFFF)
        return
    try:
        reader = RawReader(data)
    except TraceError:
        yield 1
        return
    v = int(reader.version)
    yield 2 + v
    prev = 0
    n = 0
    batches = 0
    try:
        for ev in reader:
            t = ev.ev
            yield (v << 20) | (prev << 10) | t
            if t == EventType.EventBatch:
                batches += 1
            prev = t
            n += 1
        yield (3 << 28) | (v << 8) | min(n, 255).bit_length()
    except TraceError:
        yield (4 << 28) | (v << 16) | (prev << 8) | min(n, 255).bit_length()
    yield (5 << 28) | min(batches, 1023).bit_length()


class Feedback:
    """A block of libFuzzer counters reserved from atheris, hit by :func:`features`."""

    def __init__(self, atheris: Any, size: int = 1 << 16) -> None:
        self._atheris = atheris
        self._base: int = atheris._reserve_counter()
        for _ in range(size - 1):
            atheris._reserve_counter()
        self._size = size

    def hit(self, keys: Iterator[int]) -> None:
        """Count each feature once for this input."""
        # Looked up per call: atheris rebinds its functions when Fuzz() loads libFuzzer.
        base, size, trace = self._base, self._size, self._atheris._trace_branch
        for k in set(keys):
            # Fold the high bits in: the features keep their kind there ((6 << 28) | ...).
            trace(base + (k ^ (k >> 16) ^ (k >> 32)) % size)


# --- The worker ---------------------------------------------------------------------------------


class _Checker(Protocol):
    """What the worker needs of :class:`oracle.campaign.checker.CaseChecker`."""

    @property
    def stats(self) -> CaseStats: ...

    def check(self, data: bytes, *, mutations: Sequence[str] = (),
              seed: str | None = None) -> Comparison: ...

    def close(self) -> None: ...


class _Recorder:
    """Appends a worker's JSON-lines records: one ``write`` and a flush per record, so the
    parent never sees half a record except at the very end of the file."""

    def __init__(self, path: Path) -> None:
        self._f = open(path, "a", encoding="utf-8")

    def write(self, record: Mapping[str, Any]) -> None:
        self._f.write(json.dumps(record, default=str) + "\n")
        self._f.flush()

    def close(self) -> None:
        self._f.close()


@dataclass
class WorkerConfig:
    """A worker's command line, parsed."""

    job: int
    seed: str
    out: Path
    go_binary: Path
    go_version: str
    corpus_root: Path | None = None
    seconds: float | None = None
    runs: int | None = None
    minimize: bool = True
    timeout: float = 10.0
    python_timeout: float = 10.0
    generated: int = DEFAULT_GENERATED_SEEDS
    instrument: bool = False
    libfuzzer: list[str] = field(default_factory=list)


def _changed(counter: Counter[str], before: Mapping[str, int]) -> str:
    """The key whose count differs from ``before`` (the status one case added), or ``""``."""
    for k, n in counter.items():
        if before.get(k, 0) != n:
            return k
    return ""


class _Worker:
    """One libFuzzer process: the target, and the bookkeeping around the checker."""

    def __init__(self, cfg: WorkerConfig, mutator: StructureAwareMutator,
                 recorder: _Recorder) -> None:
        self.cfg = cfg
        self.mutator = mutator
        self.recorder = recorder
        self.checker: _Checker | None = None
        self.feedback: Feedback | None = None
        self.seed_label = f"atheris:{cfg.seed}:{cfg.job}"
        self.started = time.monotonic()
        self.deadline = self.started + cfg.seconds if cfg.seconds is not None else None
        self.errors = 0
        self.stop_requested = False
        self._reported = 0
        self._next_stats = self.started + STATS_INTERVAL

    def request_stop(self, signum: int, frame: FrameType | None) -> None:
        """SIGTERM/SIGINT handler: stop at the next call of the target."""
        self.stop_requested = True

    def should_stop(self) -> bool:
        """Whether the budget is used up or a stop was requested (also polled by the
        checker's minimizer, so that a stopping worker is not held up by it)."""
        if self.stop_requested:
            return True
        if self.cfg.runs is not None and self._cases() + self.errors >= self.cfg.runs:
            return True
        return self.deadline is not None and time.monotonic() >= self.deadline

    def _cases(self) -> int:
        return self.checker.stats.cases if self.checker is not None else 0

    def test_one_input(self, data: bytes) -> None:
        """The libFuzzer target: one differential check."""
        assert self.checker is not None
        if self.should_stop():
            self.finish()
        st = self.checker.stats
        py_before, go_before = dict(st.python), dict(st.go)
        try:
            c = self.checker.check(data, mutations=self.mutator.mutations_for(data),
                                   seed=self.seed_label)
            if self.feedback is not None:
                self.feedback.hit(features(data, c.signature, _changed(st.python, py_before),
                                           _changed(st.go, go_before),
                                           getattr(self.checker, "last_output", None)))
        except Exception:  # noqa: BLE001 - an engine bug must not look like a target crash
            self.errors += 1
            self.recorder.write({"type": "error", "job": self.cfg.job,
                                 "traceback": traceback.format_exc(),
                                 "input": data[:4096].hex()})
        self._report_findings()
        now = time.monotonic()
        if now >= self._next_stats:
            self._next_stats = now + STATS_INTERVAL
            self.recorder.write(self.snapshot("stats"))
        if self.should_stop():
            self.finish()

    def _report_findings(self) -> None:
        """A ``finding`` record for each finding the checker saved since the last call."""
        assert self.checker is not None
        new = self.checker.stats.new
        for f in new[self._reported:]:
            self.recorder.write({"type": "finding", "job": self.cfg.job, **dataclasses.asdict(f)})
        self._reported = len(new)

    def snapshot(self, kind: str) -> dict[str, Any]:
        """A cumulative ``stats`` (or final ``done``) record."""
        assert self.checker is not None
        return {
            "type": kind,
            "job": self.cfg.job,
            "seconds": time.monotonic() - self.started,
            "errors": self.errors,
            "mutator": dict(self.mutator.paths),
            "stats": self.checker.stats.to_json(),
        }

    def finish(self) -> None:
        """Write the final record and leave the process (libFuzzer's loop never returns)."""
        try:
            self._report_findings()
            self.recorder.write(self.snapshot("done"))
            self.recorder.close()
            if self.checker is not None:
                self.checker.close()
        finally:
            os._exit(0)


def _parse_worker_args(argv: Sequence[str]) -> WorkerConfig:
    p = argparse.ArgumentParser(prog="python -m oracle.campaign.atheris_engine worker")
    p.add_argument("--job", type=int, default=0)
    p.add_argument("--seed", default="0")
    p.add_argument("--out", type=Path, required=True, help="JSON-lines records file (appended)")
    p.add_argument("--go-binary", type=Path, required=True)
    p.add_argument("--go-version", required=True)
    p.add_argument("--corpus-root", type=Path, default=None)
    p.add_argument("--time", type=float, default=None)
    p.add_argument("--runs", type=int, default=None)
    p.add_argument("--no-minimize", action="store_true")
    p.add_argument("--timeout", type=float, default=10.0, help="Go helper timeout (s)")
    p.add_argument("--python-timeout", type=float, default=10.0)
    p.add_argument("--generated", type=int, default=DEFAULT_GENERATED_SEEDS,
                   help="generated seeds to rebuild as strategies models")
    p.add_argument("--instrument", action="store_true",
                   help="(recorded only: instrumentation happens in the bootstrap)")
    p.add_argument("libfuzzer", nargs="*", help="libFuzzer flags and corpus directories")
    a = p.parse_args(list(argv))
    return WorkerConfig(
        job=a.job, seed=a.seed, out=a.out, go_binary=a.go_binary, go_version=a.go_version,
        corpus_root=a.corpus_root, seconds=a.time, runs=a.runs, minimize=not a.no_minimize,
        timeout=a.timeout, python_timeout=a.python_timeout, generated=a.generated,
        instrument=a.instrument, libfuzzer=list(a.libfuzzer),
    )


def make_checker(cfg: WorkerConfig, should_stop: Callable[[], bool]) -> _Checker:
    """The worker's :class:`oracle.campaign.checker.CaseChecker`, with its own Go helper and the
    corpus' :class:`oracle.campaign.findings.FindingStore`."""
    from oracle.campaign.findings import FindingStore

    store = FindingStore(cfg.corpus_root) if cfg.corpus_root is not None else FindingStore()
    return CaseChecker(cfg.go_binary, cfg.go_version, store, timeout=cfg.timeout,
                       python_timeout=cfg.python_timeout, minimize=cfg.minimize,
                       should_stop=should_stop)


def worker_main(argv: Sequence[str], *,
                checker_factory: Callable[[WorkerConfig, Callable[[], bool]], _Checker]
                = make_checker) -> int:
    """Run one libFuzzer worker; does not return once libFuzzer starts (the process exits)."""
    atheris: Any = importlib.import_module("atheris")  # untyped; imported here, not at load
    cfg = _parse_worker_args(argv)
    recorder = _Recorder(cfg.out)
    models = {tr.to_binary(): tr for tr in generated_seeds(cfg.seed, cfg.generated)}
    # Look ``Mutate`` up at each call: atheris replaces the module attribute when Fuzz() loads
    # libFuzzer, and the function bound before that refuses to run.
    mutator = StructureAwareMutator(lambda data, n: bytes(atheris.Mutate(data, n)), models=models)
    worker = _Worker(cfg, mutator, recorder)
    worker.checker = checker_factory(cfg, worker.should_stop)
    if not cfg.instrument:
        worker.feedback = Feedback(atheris)
    signal.signal(signal.SIGTERM, worker.request_stop)
    signal.signal(signal.SIGINT, worker.request_stop)
    recorder.write({"type": "start", "job": cfg.job, "pid": os.getpid(),
                    "instrument": cfg.instrument, "models": len(models)})
    libfuzzer_argv = [sys.argv[0] or "atheris-worker", *_libfuzzer_flags(cfg), *cfg.libfuzzer]
    atheris.Setup(libfuzzer_argv, worker.test_one_input, custom_mutator=mutator)
    _tune_gc()
    atheris.Fuzz()
    return 0  # not reached


def _tune_gc() -> None:
    """Move everything built so far (modules, the strategies models) out of the cyclic
    collector's sight, so that its full collections during the run stay cheap."""
    gc.collect()
    gc.freeze()


def _libfuzzer_seed(seed: str, job: int) -> int:
    """libFuzzer's ``-seed`` for a campaign seed string and a job: positive (0 would mean
    "random"), stable, different per job."""
    return int.from_bytes(hashlib.sha1(f"{seed}:{job}".encode()).digest()[:4], "big") % (1 << 31) + 1


def _libfuzzer_flags(cfg: WorkerConfig) -> list[str]:
    """The libFuzzer options every worker runs with (see the module notes)."""
    flags = [
        f"-seed={_libfuzzer_seed(cfg.seed, cfg.job)}",
        "-timeout=0", "-handle_term=0", "-handle_int=0",
        "-print_final_stats=0", "-rss_limit_mb=4096", f"-max_len={MAX_LEN}",
    ]
    if cfg.seconds is not None:
        flags.append(f"-max_total_time={int(cfg.seconds) + _BACKSTOP_SECONDS}")
    if cfg.runs is not None:
        flags.append(f"-runs={cfg.runs * 4 + 1000}")
    return flags


#: The worker's entry code: the parser is imported under atheris' instrumentation when asked
#: (``--instrument`` in argv), which must happen before anything imports ``oracle``.
_BOOTSTRAP: Final = """\
import sys
if "--instrument" in sys.argv:
    import atheris
    with atheris.instrument_imports(include=["oracle"], exclude=[
            "oracle.campaign.atheris_engine", "oracle.campaign.checker", "oracle.campaign.findings", "oracle.harness.helper",
            "oracle.harness.toolchain", "oracle.cli.app", "oracle.diff.minimize"]):
        import oracle, oracle.parser.raw, oracle.parser.canonical
from oracle.campaign.atheris_engine import worker_main
sys.exit(worker_main(sys.argv[1:]))
"""


# --- The campaign (parent) ----------------------------------------------------------------------


@dataclass
class _Tail:
    """Reads the complete lines appended to one worker's records file since the last call."""

    path: Path
    offset: int = 0
    pending: bytes = b""

    def read(self) -> Iterator[dict[str, Any]]:
        try:
            with open(self.path, "rb") as f:
                f.seek(self.offset)
                chunk = f.read()
        except FileNotFoundError:
            return
        self.offset += len(chunk)
        lines = (self.pending + chunk).split(b"\n")
        self.pending = lines.pop()
        for line in lines:
            if line.strip():
                try:
                    yield json.loads(line)
                except json.JSONDecodeError:
                    continue


@dataclass
class _Aggregate:
    """What the parent knows: the last snapshot per worker, findings, engine errors."""

    snapshots: dict[int, Mapping[str, Any]] = field(default_factory=dict)
    done: set[int] = field(default_factory=set)
    findings: dict[str, dict[str, Any]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)

    def add(self, rec: Mapping[str, Any]) -> None:
        """Take one record of a worker's file."""
        kind = rec.get("type")
        job = int(rec.get("job", 0))
        if kind in ("stats", "done"):
            self.snapshots[job] = rec
            if kind == "done":
                self.done.add(job)
                for f in rec["stats"].get("new", ()):
                    self.findings.setdefault(str(f["signature"]), dict(f))
        elif kind == "finding":
            self.findings.setdefault(str(rec["signature"]),
                                     {k: v for k, v in rec.items() if k not in ("type", "job")})
        elif kind == "error":
            self.errors.append(f"job {job}: {rec.get('traceback', '').strip()}")

    def stats(self) -> CaseStats:
        """All workers' checker statistics, summed."""
        total = CaseStats()
        for snap in self.snapshots.values():
            total.merge(CaseStats.from_json(snap["stats"]))
        return total

    def mutator(self) -> Counter[str]:
        """How often each mutator path ran, over all workers."""
        c: Counter[str] = Counter()
        for snap in self.snapshots.values():
            c.update(snap.get("mutator") or {})
        return c

    def exec_per_second(self) -> float:
        """The workers' own rates summed: the steady exec/s, without the start-up (seed
        generation, helper launch) that the campaign's wall clock includes."""
        return sum(float(s["stats"]["cases"]) / float(s["seconds"])
                   for s in self.snapshots.values() if s.get("seconds"))


def _progress_line(agg: _Aggregate, elapsed: float) -> str:
    st = agg.stats()
    judged = st.go_accepted + st.go_rejected
    acc = 100.0 * st.go_accepted / judged if judged else 0.0
    parts = [f"[{elapsed:5.0f}s] {st.cases:,} execs, {agg.exec_per_second():,.0f} exec/s",
             f"go accept {acc:.0f}% reject {100 - acc:.0f}%" if judged else "go -",
             f"new {len(agg.findings)}, known {st.known}"]
    top = sorted(((n, s) for s, n in st.signatures.items()), reverse=True)[:3]
    if top:
        parts.append("; ".join(f"{s[:60]} x{n}" for n, s in top))
    return " | ".join(parts)


def _report(agg: _Aggregate, *, seconds: float, started: datetime, seed: str, jobs: int,
            toolchain: str, instrument: bool, minimize: bool, time_limit: float | None,
            max_examples: int | None, signals: Sequence[int], nseeds: int,
            worker_errors: Sequence[str]) -> dict[str, Any]:
    """The campaign report, with the Hypothesis engine's keys (:mod:`oracle.campaign.checker`) plus
    ``exec_per_second``, ``mutator``, ``instrument`` and ``seeds``."""
    st = agg.stats()
    known = {s: n for s, n in sorted(st.known_signatures.items()) if s not in agg.findings}
    divergences = [
        {"signature": sig, "class": f.get("verdict"), "repro": f.get("repro"),
         "cases": st.signatures.get(sig, 1), "seed": f.get("seed"),
         "mutations": f.get("mutations", [])}
        for sig, f in agg.findings.items()
    ]
    return {
        "cases": st.cases,
        "seconds": round(seconds, 3),
        "cases_per_second": round(st.cases / seconds, 1) if seconds > 0 else 0.0,
        "exec_per_second": round(agg.exec_per_second(), 1),
        "divergences": divergences,
        "known": len(known),
        "known_cases": sum(known.values()),
        "known_signatures": known,
        "verdicts": dict(sorted(st.verdicts.items())),
        "go": dict(sorted(st.go.items())),
        "python": dict(sorted(st.python.items())),
        "engine": ENGINE,
        "toolchain": toolchain,
        "seed": seed,
        "jobs": jobs,
        "limit": {"time": time_limit, "max_examples": max_examples},
        "instrument": instrument,
        "seeds": nseeds,
        "mutator": dict(sorted(agg.mutator().items())),
        "minimize": minimize,
        "interrupted": signal.Signals(signals[0]).name if signals else None,
        "started": started.isoformat(timespec="seconds"),
        "fast_path_cases": st.fast_path,
        "cpu_seconds": {"python": round(st.seconds_python, 3), "go": round(st.seconds_go, 3),
                        "minimize": round(st.seconds_minimize, 3)},
        "worker_errors": list(worker_errors),
        "workers": {str(j): {"cases": s["stats"]["cases"], "seconds": round(s["seconds"], 3),
                             "exec_per_second": round(s["stats"]["cases"] / s["seconds"], 1)
                             if s.get("seconds") else 0.0}
                    for j, s in sorted(agg.snapshots.items())},
    }


def _helper(args: argparse.Namespace) -> tuple[Path, str]:
    """Build (or reuse) the Go helper of the requested toolchain."""
    from oracle.harness import toolchain
    from oracle.cli.app import UsageError

    try:
        tc = toolchain.ensure(getattr(args, "go", None), goroot=getattr(args, "goroot", None))
        return toolchain.build_helper(tc), tc.version
    except toolchain.ToolchainError as e:
        raise UsageError(str(e).splitlines()[0]) from None


def prepare_seeds(dest: Path, *, seed: str, generated: int,
                  corpus_dirs: Sequence[Path] = ()) -> int:
    """Fill ``dest`` with the seed corpus; returns the number of files.

    The ``*.trace`` files under each of ``corpus_dirs`` (``corpus/seeds`` and the
    ``repro.trace`` of ``corpus/regressions/*/``) and ``generated`` strategies traces.  Files
    are named by content hash, as libFuzzer names its own.
    """
    dest.mkdir(parents=True, exist_ok=True)
    blobs: list[bytes] = []
    for d in corpus_dirs:
        if d.is_dir():
            blobs.extend(p.read_bytes() for p in sorted(d.rglob("*.trace")))
    blobs.extend(tr.to_binary() for tr in generated_seeds(seed, generated))
    names = set()
    for b in blobs:
        name = hashlib.sha1(b).hexdigest()
        if name not in names:
            names.add(name)
            (dest / name).write_bytes(b)
    return len(names)


def run_campaign(args: argparse.Namespace) -> int:
    """``gotrace-oracle fuzz --engine atheris``: run the workers, report, return the exit status.

    Reads ``args.time``, ``args.max_examples``, ``args.jobs``, ``args.seed``, ``args.report``,
    ``args.go``, ``args.no_minimize`` and, when present, ``args.goroot``,
    ``args.instrument``, ``args.corpus`` (the corpus root; default the repository's
    ``corpus/``), ``args.timeout``, ``args.python_timeout``, ``args.generated_seeds`` and
    ``args.quiet``.  Prints the progress to stderr
    and the summary to stdout; exit status 1 when the run found new divergences or a worker
    failed, else 0.
    """
    from oracle.cli.app import UsageError

    if importlib.util.find_spec("atheris") is None:
        raise UsageError("--engine atheris needs atheris: pip install 'gotrace-oracle[fuzz]'")
    jobs = int(getattr(args, "jobs", None) or 1)
    if jobs < 1:
        raise UsageError(f"--jobs must be at least 1, got {jobs}")
    seconds: float | None = getattr(args, "time", None)
    max_examples: int | None = getattr(args, "max_examples", None)
    if seconds is None and max_examples is None:
        seconds = 60.0
    corpus_arg = getattr(args, "corpus", None)
    binary, version = _helper(args)
    opts = _Options(
        jobs=jobs, seconds=seconds, max_examples=max_examples,
        seed=str(getattr(args, "seed", None) or 0),
        instrument=bool(getattr(args, "instrument", False)),
        minimize=not getattr(args, "no_minimize", False),
        quiet=bool(getattr(args, "quiet", False)),
        corpus_root=Path(corpus_arg) if corpus_arg is not None else None,
        generated=int(getattr(args, "generated_seeds", None) or DEFAULT_GENERATED_SEEDS),
        binary=binary, version=version,
        timeout=float(getattr(args, "timeout", None) or 10.0),
        python_timeout=float(getattr(args, "python_timeout", None) or 10.0),
    )
    with tempfile.TemporaryDirectory(prefix="gotrace-atheris-") as work:
        report = _run(opts, Path(work))
    report_path = getattr(args, "report", None)
    if report_path is not None:
        write_report(Path(report_path), report)
    print(format_summary(report))
    if report["divergences"] or report["worker_errors"]:
        return 1
    return 0


@dataclass(frozen=True)
class _Options:
    """A campaign's settings, resolved from the command line."""

    jobs: int
    seconds: float | None
    max_examples: int | None
    seed: str
    instrument: bool
    minimize: bool
    quiet: bool
    corpus_root: Path | None
    generated: int
    binary: Path
    version: str
    timeout: float = 10.0
    python_timeout: float = 10.0

    def runs(self, job: int) -> int | None:
        """Job ``job``'s share of ``max_examples``."""
        if self.max_examples is None:
            return None
        n, r = divmod(self.max_examples, self.jobs)
        return n + (1 if job < r else 0)


def _worker_command(opts: _Options, job: int, out: Path, dirs: Sequence[Path]) -> list[str]:
    """The command line of worker ``job``: the bootstrap, its options, libFuzzer's corpus."""
    cmd = [sys.executable, "-c", _BOOTSTRAP, "--job", str(job), "--seed", opts.seed,
           "--out", str(out), "--go-binary", str(opts.binary), "--go-version", opts.version,
           "--generated", str(opts.generated), "--timeout", repr(opts.timeout),
           "--python-timeout", repr(opts.python_timeout)]
    if opts.corpus_root is not None:
        cmd += ["--corpus-root", str(opts.corpus_root)]
    if opts.seconds is not None:
        cmd += ["--time", repr(float(opts.seconds))]
    runs = opts.runs(job)
    if runs is not None:
        cmd += ["--runs", str(runs)]
    if not opts.minimize:
        cmd.append("--no-minimize")
    if opts.instrument:
        cmd.append("--instrument")
    return [*cmd, "--", *map(str, dirs)]


def _run(opts: _Options, work: Path) -> dict[str, Any]:
    """Prepare the seeds, run the workers to the end, and build the report."""
    started = datetime.now(timezone.utc)
    t0 = time.monotonic()
    seeds_dir, queue = work / "seeds", work / "queue"
    queue.mkdir()
    corpus = opts.corpus_root if opts.corpus_root is not None else default_corpus_root()
    nseeds = prepare_seeds(seeds_dir, seed=opts.seed, generated=opts.generated,
                           corpus_dirs=(corpus / "seeds", corpus / "regressions"))
    if not opts.quiet:
        budget = f"{opts.seconds:g} s" if opts.seconds is not None else f"{opts.max_examples} execs"
        print(f"[atheris] {opts.jobs} job(s), go {opts.version}, {nseeds} seeds, "
              f"{'instrumented' if opts.instrument else 'uninstrumented'}, {budget}",
              file=sys.stderr)
    signals: list[int] = []

    def on_signal(signum: int, frame: FrameType | None) -> None:
        signals.append(signum)

    old = {s: signal.signal(s, on_signal) for s in (signal.SIGINT, signal.SIGTERM)}
    procs: list[subprocess.Popen[bytes]] = []
    tails: list[_Tail] = []
    agg = _Aggregate()
    try:
        for job in range(opts.jobs):
            out = work / f"job-{job}.jsonl"
            with open(work / f"job-{job}.log", "wb") as logf:
                procs.append(subprocess.Popen(
                    _worker_command(opts, job, out, (queue, seeds_dir)),
                    stdin=subprocess.DEVNULL, stdout=logf, stderr=subprocess.STDOUT,
                    start_new_session=True,  # a terminal's Ctrl-C reaches only the parent
                ))
            tails.append(_Tail(out))
        _supervise(procs, tails, agg, started=t0, seconds=opts.seconds, quiet=opts.quiet,
                   signals=signals)
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.wait()
        for s, h in old.items():
            signal.signal(s, h)
    for t in tails:
        for rec in t.read():
            agg.add(rec)
    worker_errors = list(agg.errors)
    for job, p in enumerate(procs):
        if job not in agg.done:
            log = (work / f"job-{job}.log").read_text(errors="replace")[-2000:]
            worker_errors.append(f"job {job}: exited with status {p.returncode} without a "
                                 f"final record; its log ends:\n{log}")
    return _report(agg, seconds=time.monotonic() - t0, started=started, seed=opts.seed,
                   jobs=opts.jobs, toolchain=opts.version, instrument=opts.instrument,
                   minimize=opts.minimize, time_limit=opts.seconds,
                   max_examples=opts.max_examples, signals=signals, nseeds=nseeds,
                   worker_errors=worker_errors)


def _supervise(procs: Sequence[subprocess.Popen[bytes]], tails: Sequence[_Tail],
               agg: _Aggregate, *, started: float, seconds: float | None, quiet: bool,
               signals: Sequence[int]) -> None:
    """Tail the workers' records until all have exited, printing progress.  On a signal, or
    when a worker overruns its budget, SIGTERM the workers; SIGKILL after a grace period."""
    tty = sys.stderr.isatty()
    period = 1.0 if tty else 10.0
    next_line = started + period
    terminated_at: float | None = None
    overrun = started + seconds + _GRACE_SECONDS if seconds is not None else math.inf
    while any(p.poll() is None for p in procs):
        time.sleep(0.1)
        for t in tails:
            for rec in t.read():
                agg.add(rec)
        now = time.monotonic()
        if terminated_at is None and (signals or now > overrun):
            terminated_at = now
            for p in procs:
                if p.poll() is None:
                    p.send_signal(signal.SIGTERM)
        if terminated_at is not None and now > terminated_at + _GRACE_SECONDS:
            for p in procs:
                if p.poll() is None:
                    p.kill()
        if not quiet and now >= next_line:
            next_line = now + period
            line = _progress_line(agg, now - started)
            print(f"\r{line}\x1b[K" if tty else line, end="" if tty else "\n",
                  file=sys.stderr, flush=True)
    if not quiet and tty:
        print(file=sys.stderr)


# --- Command line --------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m oracle.campaign.atheris_engine worker ...`` (uninstrumented) or ``... campaign``
    (a stand-alone campaign, for benchmarking before the ``fuzz`` command is wired)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["worker"]:
        return worker_main(argv[1:])
    p = argparse.ArgumentParser(prog="python -m oracle.campaign.atheris_engine")
    sub = p.add_subparsers(dest="cmd", required=True)
    c = sub.add_parser("campaign", help="run an atheris campaign (as fuzz --engine atheris)")
    c.add_argument("--time", type=float, default=None)
    c.add_argument("--max-examples", type=int, default=None)
    c.add_argument("--jobs", type=int, default=1)
    c.add_argument("--seed", default="0")
    c.add_argument("--report", type=Path, default=None)
    c.add_argument("--go", default=None)
    c.add_argument("--goroot", type=Path, default=None)
    c.add_argument("--no-minimize", action="store_true")
    c.add_argument("--instrument", action="store_true")
    c.add_argument("--corpus", type=Path, default=None)
    c.add_argument("--generated-seeds", type=int, default=DEFAULT_GENERATED_SEEDS)
    c.add_argument("--quiet", action="store_true")
    a = p.parse_args(argv)
    from oracle.cli.app import UsageError

    try:
        return run_campaign(a)
    except UsageError as e:
        print(f"gotrace-oracle: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
