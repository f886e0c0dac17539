"""Batch framing: splitting the byte stream after the header into batches.

Mirrors ``internal/trace/batch.go``.

Theory of operation
-------------------
After the header, a v2 trace is a flat sequence of *batches*.  Each batch starts with a type
byte: ``EventBatch`` (then uvarints gen, M, base timestamp, body size, then the body),
``ExperimentalBatch`` (the same, with one raw experiment byte before gen), or, in Go 1.26+
traces, the lone byte ``EndOfGeneration`` with neither header nor body.  This module only cuts
batches out of the stream and classifies them by their first body byte; it never looks inside
an event batch (that is :mod:`oracle.parser.batchcursor`'s job, done lazily while events are emitted)
and leaves table sections to :mod:`oracle.parser.generation`.

Errors follow Go's exactly, including which ones are *bare* ``io.EOF``: running out of input at
the first byte of a batch, or right after an ``ExperimentalBatch`` type byte, is not an error
but the end of the stream, and :func:`read_batch` returns ``None`` for it.  Every other failure
is a :class:`~oracle.parser.errors.TraceError` whose message is Go's ``err.Error()``; varint failures
are wrapped the way Go's ``%w`` prints them (``error reading batch size: unexpected EOF``).

Input is consumed through :class:`ByteSource`, our stand-in for the ``*bufio.Reader`` that Go's
reader wraps around its input: it holds either the whole input (``bytes``) or a sliding window
over a binary stream, so a large trace file is read one chunk at a time.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import BinaryIO, Callable, Final

from oracle.parser.base import NO_THREAD, as_int64
from oracle.parser.errors import TraceError
from oracle.parser.tracev2 import MAX_BATCH_SIZE, NO_EXPERIMENT, EventType
from oracle.parser.uvarint import MAX_VARINT_LEN64, VarintError, read_uvarint
from oracle.parser.version import Version

__all__ = [
    "Batch",
    "ByteSource",
    "read_batch",
]

_EV_EVENT_BATCH: Final = int(EventType.EventBatch)
_EV_EXPERIMENTAL_BATCH: Final = int(EventType.ExperimentalBatch)
_EV_END_OF_GENERATION: Final = int(EventType.EndOfGeneration)
_EV_STRINGS: Final = int(EventType.Strings)
_EV_STACKS: Final = int(EventType.Stacks)
_EV_CPU_SAMPLES: Final = int(EventType.CPUSamples)
_EV_FREQUENCY: Final = int(EventType.Frequency)
_EV_SYNC: Final = int(EventType.Sync)

#: How much a stream-backed :class:`ByteSource` reads at a time.
DEFAULT_CHUNK_SIZE: Final = 1 << 20


@dataclass(slots=True)
class Batch:
    """One batch: its M, base timestamp (raw ticks), body bytes and experiment (``batch``).

    ``m`` is already Go's ``ThreadID(m)``, i.e. the wire uint64 reinterpreted as int64, so the
    runtime's "no M" value ``2**64-1`` reads as ``NO_THREAD``.
    """

    m: int
    time: int
    data: bytes
    exp: int = NO_EXPERIMENT

    def is_strings_batch(self) -> bool:
        """Mirrors (*batch).isStringsBatch (batch.go)."""
        return self.exp == NO_EXPERIMENT and len(self.data) > 0 and self.data[0] == _EV_STRINGS

    def is_stacks_batch(self) -> bool:
        """Mirrors (*batch).isStacksBatch (batch.go)."""
        return self.exp == NO_EXPERIMENT and len(self.data) > 0 and self.data[0] == _EV_STACKS

    def is_cpu_samples_batch(self) -> bool:
        """Mirrors (*batch).isCPUSamplesBatch (batch.go)."""
        return self.exp == NO_EXPERIMENT and len(self.data) > 0 and self.data[0] == _EV_CPU_SAMPLES

    def is_sync_batch(self, ver: Version) -> bool:
        """Mirrors (*batch).isSyncBatch (batch.go).

        Before Go 1.25 the clock data was a batch holding a lone ``Frequency`` event; from 1.25
        on it is a ``Sync`` section.  Which first byte counts depends on the header version
        only, so the other style silently becomes an ordinary event batch.
        """
        if not (self.exp == NO_EXPERIMENT and len(self.data) > 0):
            return False
        first = self.data[0]
        return (first == _EV_FREQUENCY and ver < Version.Go125) or (
            first == _EV_SYNC and ver >= Version.Go125
        )

    def is_end_of_generation(self) -> bool:
        """Mirrors (*batch).isEndOfGeneration (batch.go)."""
        return (
            self.exp == NO_EXPERIMENT and len(self.data) > 0 and self.data[0] == _EV_END_OF_GENERATION
        )


class ByteSource:
    """A forward-only byte source with the reads ``readBatch`` needs (``*bufio.Reader``).

    Built from ``bytes`` (the whole input is kept and sliced, never copied as a whole) or from
    a binary stream (read in ``chunk_size`` pieces; only a window of unread bytes is kept).  The
    primitives decide "is there more input?" exactly as Go's readers do, so the stream version
    and the bytes version fail identically on any input.
    """

    __slots__ = (
        "_buf", "_pos", "_stream", "_eof", "_chunk", "_consumed", "end_of_generation_marker",
        "experimental_batches", "batch_type_error",
    )

    def __init__(
        self,
        source: bytes | bytearray | memoryview | BinaryIO,
        chunk_size: int = DEFAULT_CHUNK_SIZE,
    ) -> None:
        if isinstance(source, (bytes, bytearray, memoryview)):
            self._buf = bytes(source)
            self._stream: BinaryIO | None = None
            self._eof = True
        else:
            self._buf = b""
            self._stream = source
            self._eof = False
        self._pos = 0
        self._chunk = max(chunk_size, MAX_BATCH_SIZE + 64)
        #: The selected release's readBatch reads a lone EndOfGeneration byte as a marker
        #: (Go 1.26+; ``oracle.parser.releases.Release.end_of_generation_marker``).
        self.end_of_generation_marker = True
        #: The selected release's readBatch accepts ExperimentalBatch (Go 1.23+;
        #: ``oracle.parser.releases.Release.experimental_batches``).
        self.experimental_batches = True
        #: The selected release's error for a wrong batch type byte: ``None`` for
        #: ``expected batch event, got event N`` (Go 1.25+); Go 1.24 and older name the type
        #: with ``go122.EventString``, and 1.22 also names the expected one
        #: (``Release.event_names_by_version``, ``Release.experimental_batches``).
        self.batch_type_error: Callable[[int], str] | None = None
        self._consumed = 0  # bytes dropped from the front of the window so far

    @property
    def offset(self) -> int:
        """Bytes consumed from the start of the input (for diagnostics and tests)."""
        return self._consumed + self._pos

    def fill(self, n: int) -> int:
        """Make at least ``n`` unread bytes available, or all that remain; return the count."""
        avail = len(self._buf) - self._pos
        if avail >= n or self._eof:
            return avail
        assert self._stream is not None
        parts = [self._buf[self._pos :]]
        self._consumed += self._pos
        self._pos = 0
        # Ask for a whole chunk, but stop as soon as ``n`` bytes are in: a pipe may deliver
        # less per read, and waiting for more than we need could stall a live producer.
        want = max(n, self._chunk)
        while avail < n:
            chunk = self._stream.read(want - avail)
            if not chunk:
                self._eof = True
                break
            parts.append(chunk)
            avail += len(chunk)
        self._buf = b"".join(parts)
        return avail

    def window(self) -> tuple[bytes, int, int]:
        """The buffer, read position and end of the buffered bytes (for in-place decoding)."""
        return self._buf, self._pos, len(self._buf)

    def advance(self, n: int) -> None:
        """Consume ``n`` bytes previously exposed by :meth:`window`."""
        self._pos += n

    def read_byte(self) -> int | None:
        """``ReadByte``: the next byte, or ``None`` at the end of input (Go's ``io.EOF``)."""
        if self._pos >= len(self._buf) and self.fill(1) == 0:
            return None
        b = self._buf[self._pos]
        self._pos += 1
        return b

    def read_uvarint(self) -> int:
        """``binary.ReadUvarint`` on the stream; raises :class:`VarintError` like Go's errors.

        At most 10 bytes can take part in a varint, so buffering 10 bytes (or all that remain)
        and decoding in place is equivalent to Go's byte-at-a-time loop.
        """
        self.fill(MAX_VARINT_LEN64)
        try:
            value, self._pos = read_uvarint(self._buf, self._pos)
        except VarintError as e:
            self._pos = e.pos
            raise
        return value

    def read_up_to(self, n: int) -> bytes:
        """``io.CopyN`` into a buffer: up to ``n`` bytes, fewer only at the end of input."""
        avail = self.fill(n)
        take = n if n <= avail else avail
        data = self._buf[self._pos : self._pos + take]
        self._pos += take
        return data


def read_batch(r: ByteSource) -> tuple[Batch, int] | None:
    """Read the next batch and its generation number; ``None`` means a clean end of input.

    Mirrors readBatch (batch.go).  ``None`` stands for Go returning a bare ``io.EOF``, which
    happens only when the input ends before the batch type byte or before an experimental
    batch's experiment byte; any other problem raises :class:`TraceError` with Go's text.
    """
    # Batch type byte.
    b = r.read_byte()
    if b is None:
        return None
    if b == _EV_END_OF_GENERATION and r.end_of_generation_marker:
        # A marker, not a batch: Go represents it as a batch whose body is the lone byte, with
        # generation 0 (which is why a stray marker in a pre-1.26 trace reads as "gen 0").
        return Batch(m=NO_THREAD, time=0, data=bytes((b,)), exp=NO_EXPERIMENT), 0
    if b != _EV_EVENT_BATCH and (b != _EV_EXPERIMENTAL_BATCH or not r.experimental_batches):
        text = r.batch_type_error
        raise TraceError(text(b) if text else f"expected batch event, got event {b}")

    # The experiment is one raw byte, not a varint.
    exp = NO_EXPERIMENT
    if b == _EV_EXPERIMENTAL_BATCH:
        e = r.read_byte()
        if e is None:
            return None
        exp = e

    # Header: generation, M, base timestamp.
    try:
        gen = r.read_uvarint()
    except VarintError as err:
        raise TraceError(f"error reading batch gen: {err}") from None
    try:
        m = r.read_uvarint()
    except VarintError as err:
        raise TraceError(f"error reading batch M ID: {err}") from None
    try:
        ts = r.read_uvarint()
    except VarintError as err:
        raise TraceError(f"error reading batch timestamp: {err}") from None

    # Body size, then the body itself.
    try:
        size = r.read_uvarint()
    except VarintError as err:
        raise TraceError(f"error reading batch size: {err}") from None
    if size > MAX_BATCH_SIZE:
        raise TraceError(f"invalid batch size {size}, maximum is {MAX_BATCH_SIZE}")
    data = r.read_up_to(size)
    if len(data) != size:
        raise TraceError(f"failed to read full batch: read {len(data)} but wanted {size}")

    return Batch(m=as_int64(m), time=ts, data=data, exp=exp), gen
