"""Raw trace events: the binary wire stream and Go's text format, read and written.

Mirrors ``internal/trace/raw`` (doc.go, event.go, reader.go, writer.go, textreader.go,
textwriter.go).

Theory of operation
-------------------
The raw layer sees a trace as the header followed by a *flat* sequence of events; it knows
nothing about batches, generations or ordering.  Each event is a type byte, then as many
uvarints as the spec of that type (in the header version's *prefix* of the event table) has
arguments; a ``Stack`` event then carries ``4 * nframes`` more uvarints, and an event with a
data trailer (``String``, ``ExperimentalBatch``) a uvarint length plus that many bytes.
Batch headers (``EventBatch`` ... ``size``) are just events here, so the events of a batch
appear as the following top-level events.

Three quirks of Go's reader are kept on purpose because the raw reader is compared with Go's:

* Go's ``ReadEvent`` returns the bare ``io.EOF`` not only at a clean end but also when the
  input stops *at a boundary inside* an event: right after the type byte, between two
  uvarints, or anywhere inside a data trailer (read byte by byte).  Callers cannot tell these
  apart from a clean end, and neither can ours: they all raise :class:`EOFError`.  Truncation
  *inside* a uvarint is ``unexpected EOF``.
* A zero-length data trailer is a nil slice in Go, so ``data`` is ``None`` (and the text form
  of such an event has no ``data=`` line, which makes it not round-trip through text).  A data
  length of 2**63 or more is a negative ``int`` in Go, so the loop reads nothing and ``data``
  is ``None`` too; the same wrap makes a ``Stack`` with ``nframes >= 2**63`` carry no frames.
* The text reader is equally literal: ``TextReader`` follows ``bufio.Scanner`` line splitting
  (including its 64 KiB line limit), ``unicode.IsSpace`` token rules, ``strconv.ParseUint``
  and ``strconv.Unquote``, and reproduces every error message byte for byte.

Decoding speed matters (the binary reader is benchmarked against Go's): the input is held in
memory and decoded with offsets.  :meth:`RawReader._decode` decodes the common case (no
truncation, no value of 2**63 or more) with inline varint arithmetic, and whenever anything
unusual happens it re-decodes that one event with :meth:`RawReader._decode_one_exact`, which
follows Go step by step and produces Go's exact error.  That keeps the hot loop free of
error bookkeeping without giving up exactness.

Go strings are byte strings.  The text layer handles lines as ``str`` decoded with
``surrogateescape`` (each invalid byte becomes one lone surrogate, which, like Go's
``utf8.RuneError``, is never a space), so error messages carry the original bytes back out
through :func:`oracle.parser.gostrconv.go_bytes`.
"""

from __future__ import annotations

import gc
import os
from collections.abc import Iterable, Iterator
from typing import BinaryIO, Final, NamedTuple, TextIO

from oracle.parser.errors import TraceError
from oracle.parser.gostrconv import UnquoteError, go_bytes, quote, unquote
from oracle.parser.tracev2 import EventSpec
from oracle.parser.uvarint import MAX_VARINT_LEN64, VarintError, put_uvarint, read_uvarint
from oracle.parser.version import Version, read_header_bytes, write_header

__all__ = [
    "FRAME_FIELDS",
    "RawEvent",
    "RawReader",
    "RawWriter",
    "TextReader",
    "TextWriter",
    "binary_to_text",
    "event_names",
    "parse_text",
    "read_raw",
    "text_to_binary",
    "to_binary",
    "write_raw",
]

#: Names of the four uvarints of one stack frame, in wire order (``frameFields``).
FRAME_FIELDS: Final[tuple[str, ...]] = ("pc", "func", "file", "line")

_INT64_LIMIT: Final = 1 << 63
_UINT64_LIMIT: Final = 1 << 64

#: ``bufio.MaxScanTokenSize``: the largest buffer ``bufio.Scanner`` grows to.
_MAX_SCAN_TOKEN_SIZE: Final = 64 * 1024

#: ``unicode.IsSpace``: Latin-1 ``\t\n\v\f\r``, space, U+0085, U+00A0, plus the other
#: White_Space runes.  (Python's ``str.isspace`` differs: it also counts U+001C..U+001F.)
_GO_SPACE: Final[frozenset[str]] = frozenset(
    "\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009"
    "\u200a\u2028\u2029\u202f\u205f\u3000"
)
_GO_SPACE_CHARS: Final = "".join(sorted(_GO_SPACE))


def _go_string(s: str) -> bytes:
    """The Go bytes of a text-layer string (``str`` in the surrogateescape convention)."""
    return go_bytes(s)


def _format_args(args: Iterable[int]) -> str:
    """``fmt.Sprintf("%v", []uint64{...})``: ``[1 2 3]``."""
    return "[" + " ".join(str(a) for a in args) + "]"


class RawEvent(NamedTuple):
    """One wire event, uninterpreted (Go's ``raw.Event``).

    ``args`` holds the spec's arguments and, for ``Stack``, the frame uvarints after them.
    ``data`` is the trailer for events whose spec has data; ``None`` when Go's slice is nil
    (no trailer, or an empty one read from the binary form).

    This is a ``NamedTuple`` rather than a frozen dataclass on purpose: the binary reader builds
    one per event, and construction through ``tuple.__new__`` is several times cheaper than a
    frozen slotted dataclass's (``docs/benchmarks.md``, "Raw reader"), while staying immutable
    with value equality.
    """

    version: Version
    ev: int
    args: tuple[int, ...]
    data: bytes | None = None

    def spec(self) -> EventSpec:
        """The event's spec in its version's table (Go indexes ``e.Version.Specs()[e.Ev]``)."""
        return self.version.specs()[self.ev]

    def go_string(self) -> str:
        """Mirrors ``(*raw.Event).String``: the event as one (multi-line) text-format record."""
        spec = self.version.specs()[self.ev]
        args = self.args
        parts = [spec.name]
        for i, name in enumerate(spec.args):
            parts.append(f" {name}={args[i]}")
        if spec.is_stack:
            frames = args[len(spec.args) :]
            for i, value in enumerate(frames):
                parts.append("\n\t" if i % 4 == 0 else " ")
                parts.append(f"{FRAME_FIELDS[i % 4]}={value}")
        if self.data is not None:
            parts.append("\n\tdata=")
            parts.append(quote(self.data))
        return "".join(parts)

    def encoded_size(self) -> int:
        """Mirrors ``(*raw.Event).EncodedSize``: type byte + minimal uvarints (+ data trailer).

        Like Go it counts *all* of ``args``, even surplus ones the writer would not emit.
        """
        size = 1
        for arg in self.args:
            size += _uvarint_len(arg)
        if self.version.specs()[self.ev].has_data:
            n = len(self.data) if self.data is not None else 0
            size += _uvarint_len(n) + n
        return size


def _uvarint_len(x: int) -> int:
    """``binary.PutUvarint`` length of a uint64."""
    n = 1
    while x >= 0x80:
        x >>= 7
        n += 1
    return n


def _layout(specs: tuple[EventSpec, ...]) -> tuple[tuple[int, int] | None, ...]:
    """Per type byte: ``(number of args, kind)`` with kind 0 plain, 1 stack, 2 data; or None.

    ``None`` marks bytes the reader rejects (0 and everything past the version's prefix),
    exactly the ``int(evb) >= len(r.specs) || evb == 0`` test.  (Unnamed gaps *inside* the
    prefix are accepted, as in Go, and read as zero-argument events.)
    """
    table: list[tuple[int, int] | None] = [None] * 256
    for i, spec in enumerate(specs):
        if i == 0:
            continue
        kind = 1 if spec.is_stack else 2 if spec.has_data else 0
        table[i] = (len(spec.args), kind)
    return tuple(table)


class _Slow(Exception):
    """Internal: the fast decoder met something it leaves to the exact decoder."""


def _read_all_input(src: bytes | bytearray | memoryview | str | os.PathLike[str] | BinaryIO) -> bytes:
    """Take a whole input into memory: bytes-like as is, a path by reading the file, a stream by
    reading it to the end."""
    if isinstance(src, bytes):
        return src
    if isinstance(src, (bytearray, memoryview)):
        return bytes(src)
    if isinstance(src, (str, os.PathLike)):
        with open(src, "rb") as f:
            return f.read()
    return src.read()


class RawReader:
    """Reads the binary wire format event by event (Go's ``raw.Reader``).

    Construct from bytes, a path or a binary stream (streams and files are read fully into
    memory first).  The constructor reads the header and raises :class:`TraceError` on a bad
    one.  :meth:`read_event` returns the next event, raises :class:`EOFError` where Go returns
    ``io.EOF`` (see the module notes: that includes truncation at an argument boundary), and
    :class:`TraceError` with Go's text for anything else.  Iterating yields events until
    ``EOFError`` and lets ``TraceError`` propagate.

    ``pos`` is the offset of the next unread byte; after an error it is where Go's reader would
    be, so reading on behaves like Go (which is not sticky about errors either).
    """

    __slots__ = ("version", "specs", "pos", "_buf", "_layout")

    def __init__(self, src: bytes | bytearray | memoryview | str | os.PathLike[str] | BinaryIO) -> None:
        buf = _read_all_input(src)
        version, n = read_header_bytes(buf)
        self.version: Version = version
        self.specs: tuple[EventSpec, ...] = version.specs()
        self.pos: int = n
        self._buf: bytes = buf
        self._layout = _layout(self.specs)

    def read_event(self) -> RawEvent:
        """Mirrors ``(*raw.Reader).ReadEvent``."""
        out: list[RawEvent] = []
        self._decode(out, 1)
        return out[0]

    def read_all(self) -> list[RawEvent]:
        """Every event up to Go's ``io.EOF``; raises :class:`TraceError` on the first error."""
        out: list[RawEvent] = []
        try:
            self._decode(out, -1)
        except EOFError:
            pass
        return out

    def __iter__(self) -> Iterator[RawEvent]:
        out: list[RawEvent] = []
        while True:
            out.clear()
            try:
                self._decode(out, 4096)
            except EOFError:
                yield from out
                return
            except TraceError:
                yield from out
                raise
            yield from out

    def _decode(self, out: list[RawEvent], limit: int) -> None:
        """Append up to ``limit`` events (all when negative) to ``out``.

        Ends by raising :class:`EOFError` or :class:`TraceError` exactly as Go's ``ReadEvent``
        would for the next event, after appending everything decoded before it.
        """
        buf = self._buf
        n = len(buf)
        layout = self._layout
        version = self.version
        append = out.append
        new = tuple.__new__
        pos = self.pos
        count = 0
        # Bulk decoding allocates millions of acyclic tuples; letting the cyclic collector
        # rescan them over and over dominated the run time on large traces (docs/benchmarks.md,
        # "Raw reader"), so it is paused for the duration (nothing decoded here can form a cycle).
        pause_gc = limit != 1 and gc.isenabled()
        if pause_gc:
            gc.disable()
        try:
            while count != limit:
                start = pos
                try:
                    typ = buf[pos]
                    lay = layout[typ]
                    if lay is None:
                        raise _Slow
                    pos += 1
                    nargs, kind = lay
                    if not kind:
                        # Common case: every argument is a one-byte uvarint, so the bytes are
                        # the values (C-speed check and conversion, no Python loop).
                        end = pos + nargs
                        chunk = buf[pos:end]
                        if chunk.isascii() and end <= n:
                            pos = end
                            append(new(RawEvent, (version, typ, tuple(chunk), None)))
                            count += 1
                            continue
                    args: list[int] = []
                    push = args.append
                    for _ in range(nargs):
                        b = buf[pos]
                        pos += 1
                        if b < 0x80:
                            push(b)
                            continue
                        x = b & 0x7F
                        s = 7
                        while True:
                            b = buf[pos]
                            pos += 1
                            if b < 0x80:
                                break
                            x |= (b & 0x7F) << s
                            s += 7
                            if s > 56:  # a 9th continuation byte: let the exact path decide
                                raise _Slow
                        push(x | (b << s))
                    data = None
                    if kind:
                        if kind == 1:
                            nframes = args[1]
                            if nframes >= _INT64_LIMIT:
                                raise _Slow
                            for _ in range(4 * nframes):
                                b = buf[pos]
                                pos += 1
                                if b < 0x80:
                                    push(b)
                                    continue
                                x = b & 0x7F
                                s = 7
                                while True:
                                    b = buf[pos]
                                    pos += 1
                                    if b < 0x80:
                                        break
                                    x |= (b & 0x7F) << s
                                    s += 7
                                    if s > 56:
                                        raise _Slow
                                push(x | (b << s))
                        else:
                            length, pos = read_uvarint(buf, pos, n)
                            if length:
                                if length >= _INT64_LIMIT or pos + length > n:
                                    raise _Slow
                                data = buf[pos : pos + length]
                                pos += length
                    append(new(RawEvent, (version, typ, tuple(args), data)))
                except (IndexError, _Slow, VarintError):
                    if start >= n:
                        raise EOFError from None
                    pos = start
                    try:
                        ev, pos = self._decode_one_exact(start)
                    except (EOFError, TraceError):
                        pos = self.pos  # where Go's reader stopped
                        raise
                    append(ev)
                count += 1
        finally:
            self.pos = pos
            if pause_gc:
                gc.enable()

    def _decode_one_exact(self, pos: int) -> tuple[RawEvent, int]:
        """Decode one event at ``pos`` following Go's ``ReadEvent`` line by line.

        Returns ``(event, new_pos)`` or raises with Go's error; on error ``self.pos`` is left
        where Go's reader would be.
        """
        buf = self._buf
        n = len(buf)
        if pos >= n:
            self.pos = pos
            raise EOFError
        evb = buf[pos]
        pos += 1
        self.pos = pos
        if evb >= len(self.specs) or evb == 0:
            raise TraceError(f"invalid event type: {evb}")
        spec = self.specs[evb]
        args, pos = self._read_args_exact(pos, len(spec.args))
        if spec.is_stack:
            nframes = args[1]
            count = nframes if nframes < _INT64_LIMIT else 0  # int(uint64) wraps negative
            for _ in range(count):
                frame, pos = self._read_args_exact(pos, 4)
                args.extend(frame)
        data: bytes | None = None
        if spec.has_data:
            try:
                length, pos = read_uvarint(buf, pos, n)
            except VarintError as e:
                self._raise_varint(e)
            self.pos = pos
            if length < _INT64_LIMIT and length > 0:
                if pos + length > n:
                    # ReadByte one at a time: everything left is consumed, then io.EOF.
                    self.pos = n
                    raise EOFError
                data = buf[pos : pos + length]
                pos += length
        self.pos = pos
        return RawEvent(self.version, evb, tuple(args), data), pos

    def _read_args_exact(self, pos: int, count: int) -> tuple[list[int], int]:
        """Mirrors ``(*raw.Reader).readArgs``: ``count`` stream uvarints."""
        buf = self._buf
        n = len(buf)
        args: list[int] = []
        for _ in range(count):
            try:
                value, pos = read_uvarint(buf, pos, n)
            except VarintError as e:
                self._raise_varint(e)
            self.pos = pos
            args.append(value)
        return args, pos

    def _raise_varint(self, e: VarintError) -> None:
        """Turn a ``binary.ReadUvarint`` failure into Go's ``ReadEvent`` outcome."""
        self.pos = e.pos
        if e.is_eof:
            raise EOFError from None
        raise TraceError(e.message) from None


def read_raw(src: bytes | bytearray | memoryview | str | os.PathLike[str] | BinaryIO) -> tuple[Version, list[RawEvent]]:
    """The version and all events of a binary trace; raises :class:`TraceError` on a bad one.

    Stops silently where Go's reader returns ``io.EOF`` (which includes some truncations).
    """
    reader = RawReader(src)
    return reader.version, reader.read_all()


class RawWriter:
    """Writes the binary wire format (Go's ``raw.Writer``), with minimal uvarints.

    Writes the header on construction.  Output goes to ``out`` when given (any object with a
    ``write(bytes)`` method), else to an internal buffer returned by :meth:`getvalue`.
    """

    __slots__ = ("version", "specs", "_out", "_buf")

    def __init__(self, version: Version, out: BinaryIO | None = None) -> None:
        self.version = version
        self.specs = version.specs()
        self._out = out
        self._buf = bytearray()
        self._emit(write_header(version))

    def _emit(self, data: bytes | bytearray) -> None:
        if self._out is None:
            self._buf += data
        else:
            self._out.write(bytes(data))

    def write_event(self, e: RawEvent) -> None:
        """Mirrors ``(*raw.Writer).WriteEvent``.

        Raises ``ValueError`` with Go's text on a version mismatch (an API misuse, not a trace
        error).  Like Go, surplus arguments of a non-stack event are dropped, every argument
        after the spec's of a ``Stack`` event is written as frame data, and a data event
        without data gets a zero length.  Fewer arguments than the spec has is a programming
        error (Go panics); it raises ``ValueError``.
        """
        if e.version != self.version:
            raise ValueError(
                f"mismatched version between writer (go 1.{int(self.version)}) "
                f"and event (go 1.{int(e.version)})"
            )
        spec = self.specs[e.ev]
        nargs = len(spec.args)
        if len(e.args) < nargs:
            raise ValueError(f"{spec.name} needs {nargs} arguments, got {len(e.args)}")
        out = bytearray((e.ev,))
        for arg in e.args[:nargs]:
            out += put_uvarint(arg)
        if spec.is_stack:
            for arg in e.args[nargs:]:
                out += put_uvarint(arg)
        if spec.has_data:
            data = e.data or b""
            out += put_uvarint(len(data))
            out += data
        self._emit(out)

    def getvalue(self) -> bytes:
        """Everything written so far when writing to the internal buffer."""
        return bytes(self._buf)


def write_raw(version: Version, events: Iterable[RawEvent]) -> bytes:
    """Header plus events in the binary format."""
    w = RawWriter(version)
    for e in events:
        w.write_event(e)
    return w.getvalue()


# --- Text format ---------------------------------------------------------------------------


def event_names(specs: tuple[EventSpec, ...]) -> dict[str, int]:
    """Mirrors ``tracev2.EventNames``: name -> type; a later duplicate name wins."""
    return {spec.name: i for i, spec in enumerate(specs)}


def _scan_lines(data: bytes) -> Iterator[bytes]:
    """``bufio.Scanner`` with ``ScanLines`` over an in-memory reader.

    Lines end at ``\\n``; one trailing ``\\r`` is dropped; a last line without ``\\n`` still
    counts; an input ending in ``\\n`` has no extra empty line.  The scanner's buffer grows to
    at most 64 KiB, so a line whose bytes *including* its ``\\n`` exceed that, or an
    unterminated last line of 64 KiB or more, fails with ``bufio.Scanner: token too long``
    (raised as :class:`TraceError`; every line before it has been yielded).
    """
    n = len(data)
    pos = 0
    while pos < n:
        nl = data.find(b"\n", pos, pos + _MAX_SCAN_TOKEN_SIZE)
        if nl < 0:
            if n - pos >= _MAX_SCAN_TOKEN_SIZE:
                raise TraceError("bufio.Scanner: token too long")
            line = data[pos:]
            pos = n
        else:
            line = data[pos:nl]
            pos = nl + 1
        if line.endswith(b"\r"):
            line = line[:-1]
        yield line


def _read_token(s: str) -> tuple[str, str]:
    """Mirrors ``readToken``: the first token and the rest; ``("", "")`` at a ``#`` comment."""
    n = len(s)
    i = 0
    while i < n:
        c = s[i]
        if c == "#":
            return "", ""
        if c not in _GO_SPACE:
            break
        i += 1
    else:
        return "", ""
    j = i
    while j < n:
        c = s[j]
        if c in _GO_SPACE or c == "#":
            return s[i:j], s[j:]
        j += 1
    return s[i:], ""


def _q(s: str) -> str:
    """``%q`` of a Go string held in the surrogateescape convention."""
    return quote(_go_string(s))


class _NumError(Exception):
    """``*strconv.NumError`` from ParseUint: ``str()`` is Go's ``Error()``."""

    def __init__(self, num: str, reason: str) -> None:
        super().__init__(f"strconv.ParseUint: parsing {_q(num)}: {reason}")


def _parse_uint10(s: str) -> int:
    """Mirrors ``strconv.ParseUint(s, 10, 64)``: ASCII digits only, no sign, no underscores.

    Raises :class:`_NumError`: ``invalid syntax`` for an empty string or a non-digit met before
    any overflow, ``value out of range`` as soon as the value passes 2**64-1.
    """
    if s == "":
        raise _NumError(s, "invalid syntax")
    n = 0
    for c in s:
        if not "0" <= c <= "9":
            raise _NumError(s, "invalid syntax")
        n = n * 10 + (ord(c) - 48)
        if n >= _UINT64_LIMIT:
            raise _NumError(s, "value out of range")
    return n


def _read_arg(s: str) -> tuple[str, int, str]:
    """Mirrors ``readArg``: one ``name=value`` token; raises ``_ArgError`` with Go's text."""
    tok, rest = _read_token(s)
    if not tok:
        raise _ArgError("no argument")
    arg, sep, val = tok.partition("=")
    if not sep:
        raise _ArgError(f"malformed argument: {_q(tok)}")
    try:
        value = _parse_uint10(val)
    except _NumError:
        raise _ArgError(f"failed to parse argument value {_q(val)} for arg {_q(arg)}") from None
    return arg, value, rest


class _ArgError(Exception):
    """Internal: an error of ``readArgs``/``readArg`` (message is Go's text)."""


def _read_args(s: str, names: tuple[str, ...]) -> list[int]:
    """Mirrors ``readArgs``: exactly ``names`` in order, then only white space."""
    args: list[int] = []
    for name in names:
        arg, value, s = _read_arg(s)
        if arg != name:
            raise _ArgError(f"expected argument {_q(name)}, but got {_q(arg)}")
        args.append(value)
    for c in s:
        if c not in _GO_SPACE:
            raise _ArgError(f"encountered unexpected non-space at the end of an event: {_q(s)}")
    return args


def _read_data(line: str) -> bytes:
    """Mirrors ``readData``: a ``data=<Go literal>`` line, unquoted."""
    dk, sep, dv = line.partition("=")
    if not sep or dk.strip(_GO_SPACE_CHARS) != "data":
        raise TraceError(f"malformed data: {_q(line)}")
    try:
        return unquote(_go_string(dv.strip(_GO_SPACE_CHARS)))
    except UnquoteError as e:
        raise TraceError(f"failed to parse data: {_q(line)}: {e}") from None


class TextReader:
    """Reads Go's raw text format (Go's ``raw.TextReader``).

    Construct from ``bytes``, ``str`` (Go bytes in the surrogateescape convention), a path, or
    a binary/text stream.  The constructor parses the ``Trace Go1.N`` header and raises
    :class:`TraceError` with Go's text (``EOF`` for an input without any meaningful line).
    :meth:`read_event` raises :class:`EOFError` at the end and :class:`TraceError` on a
    malformed event; iteration yields events until the end.
    """

    __slots__ = ("version", "specs", "names", "_lines", "_err")

    def __init__(self, src: bytes | bytearray | str | os.PathLike[str] | BinaryIO | TextIO) -> None:
        if isinstance(src, str):
            data = _go_string(src)
        elif isinstance(src, os.PathLike):
            with open(src, "rb") as f:
                data = f.read()
        elif isinstance(src, (bytes, bytearray, memoryview)):
            data = bytes(src)
        else:
            got = src.read()
            data = _go_string(got) if isinstance(got, str) else bytes(got)
        self._lines = _scan_lines(data)
        self._err: TraceError | None = None
        line = self._next_line()
        if line is None:
            raise TraceError("EOF")
        trace, line = _read_token(line)
        if trace != "Trace":
            raise TraceError("failed to parse header")
        gover, line = _read_token(line)
        if not gover.startswith("Go1."):
            raise TraceError("failed to parse header Go version")
        try:
            rawv = _parse_uint10(gover[len("Go1.") :])
        except _NumError as e:
            raise TraceError(f"failed to parse header Go version: {e}") from None
        v = rawv & 0xFFFFFFFF  # version.Version is a uint32
        if v not in _VALID_VERSIONS:
            raise TraceError(f"unknown or unsupported Go version 1.{v}")
        self.version = Version(v)
        self.specs = self.version.specs()
        self.names = event_names(self.specs)
        for c in line:
            if c not in _GO_SPACE:
                raise TraceError(
                    f"encountered unexpected non-space at the end of the header: {_q(line)}"
                )

    def _next_line(self) -> str | None:
        """Mirrors ``nextLine``: the next line with a token, or None at the end.

        A scanner error is sticky, as ``bufio.Scanner.Err`` is: every later call raises it again.
        """
        if self._err is not None:
            raise self._err
        try:
            for raw_line in self._lines:
                txt = raw_line.decode("utf-8", "surrogateescape")
                tok, _ = _read_token(txt)
                if tok == "":
                    continue  # Empty line or comment.
                return txt
        except TraceError as e:
            self._err = e
            raise
        return None

    def read_event(self) -> RawEvent:
        """Mirrors ``(*raw.TextReader).ReadEvent``."""
        line = self._next_line()
        if line is None:
            raise EOFError
        ev_str, line = _read_token(line)
        ev = self.names.get(ev_str)
        if ev is None:
            raise TraceError(f"unidentified event: {ev_str}")
        spec = self.specs[ev]
        try:
            args = _read_args(line, spec.args)
        except _ArgError as e:
            raise TraceError(f"reading args for {ev_str}: {e}") from None
        if spec.is_stack:
            nframes = args[1]
            count = nframes if nframes < _INT64_LIMIT else 0  # int(uint64) wraps negative
            for _ in range(count):
                frame_line = self._next_line()
                if frame_line is None:
                    raise TraceError(f"unexpected EOF while reading stack: args={_format_args(args)}")
                try:
                    args.extend(_read_args(frame_line, FRAME_FIELDS))
                except _ArgError as e:
                    raise TraceError(str(e)) from None
        data: bytes | None = None
        if spec.has_data:
            data_line = self._next_line()
            if data_line is None:
                raise TraceError(
                    f"unexpected EOF while reading data for {ev_str}: args={_format_args(args)}"
                )
            data = _read_data(data_line)
        return RawEvent(self.version, ev, tuple(args), data)

    def __iter__(self) -> Iterator[RawEvent]:
        while True:
            try:
                ev = self.read_event()
            except EOFError:
                return
            yield ev


_VALID_VERSIONS: Final[frozenset[int]] = frozenset(int(v) for v in Version)


def parse_text(text: bytes | str) -> tuple[Version, list[RawEvent]]:
    """The version and all events of a text-format trace; raises :class:`TraceError`."""
    reader = TextReader(text)
    return reader.version, list(reader)


class TextWriter:
    """Writes Go's raw text format (Go's ``raw.TextWriter``) into a ``str`` buffer or stream.

    The output is text: event lines are ASCII apart from printable non-ASCII runes that
    ``strconv.Quote`` leaves unescaped in data lines, so encoding it as UTF-8 gives Go's bytes.
    """

    __slots__ = ("version", "_out", "_parts")

    def __init__(self, version: Version, out: TextIO | None = None) -> None:
        self.version = version
        self._out = out
        self._parts: list[str] = []
        self._emit(f"Trace Go1.{int(version)}\n")

    def _emit(self, s: str) -> None:
        if self._out is None:
            self._parts.append(s)
        else:
            self._out.write(s)

    def write_event(self, e: RawEvent) -> None:
        """Mirrors ``(*raw.TextWriter).WriteEvent``: ``e.String()`` and a newline."""
        if e.version != self.version:
            raise ValueError(
                f"mismatched version between writer (go 1.{int(self.version)}) "
                f"and event (go 1.{int(e.version)})"
            )
        self._emit(e.go_string() + "\n")

    def getvalue(self) -> str:
        """Everything written so far when writing to the internal buffer."""
        return "".join(self._parts)


def text_to_binary(text: bytes | str) -> bytes:
    """Text format -> wire format, as ``testtrace.ParseFile`` does (minimal uvarints)."""
    reader = TextReader(text)
    w = RawWriter(reader.version)
    for ev in reader:
        w.write_event(ev)
    return w.getvalue()


#: Short alias used by the corpus tooling.
to_binary = text_to_binary


def binary_to_text(data: bytes | bytearray | memoryview | str | os.PathLike[str] | BinaryIO) -> str:
    """Wire format -> text format; stops where Go's reader returns ``io.EOF``."""
    reader = RawReader(data)
    w = TextWriter(reader.version)
    for ev in reader:
        w.write_event(ev)
    return w.getvalue()


# Keep MAX_VARINT_LEN64 referenced for readers of the fast path: a uint64 takes at most ten
# bytes, so the fast decoder hands anything reaching a tenth byte to the exact decoder.
assert MAX_VARINT_LEN64 == 10
