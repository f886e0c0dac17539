"""Trace versions, their event tables, and the file header.

Mirrors ``internal/trace/version/version.go``.  A version maps to a *prefix* of the full event
table.  Only the raw reader/writer and error-message names use that prefix; the parser decodes
every v2 trace with the full table (see ``docs`` and the format digest, section 1).

The header
----------
Go writes ``go 1.NN trace`` followed by three NUL bytes, but it *reads* the header with
``fmt.Fscanf(r, "go 1.%d trace\x00\x00\x00", &v)`` where ``v`` is a ``uint32``-based type, on a
``bufio.Reader``.  The header therefore has no fixed length, and what Go accepts is whatever
fmt's format matcher accepts.  :class:`_HeaderScanner` replays that matcher step by step for
this one format (``(*ss).advance``, ``(*ss).doScanf``, ``SkipSpace`` and ``scanUint`` in
``fmt/scan.go``), which gives these rules:

* each format space (after ``go`` and after the number) needs one or more of fmt's space runes
  (``\t \v \f \r``, space, U+0085, U+00A0, U+1680, U+2000-U+200A, U+2028, U+2029, U+202F,
  U+205F, U+3000, in their UTF-8 form); a newline there is an error;
* ``%d`` first skips spaces (no newline) and then takes a run of ASCII digits: no sign, no
  ``0x``, no ``_``, leading zeros fine; the value must fit in a uint32;
* ``1.``, ``trace`` and the three NULs are literals matched rune by rune.

Every scan failure becomes ``bad file format: not a Go execution trace?``; a well-formed header
with a number that is not a known :class:`Version` gives ``unknown or unsupported trace
version go 1.%d``.  Because ``bufio.Reader`` can un-read the rune fmt peeked at, a successful
read consumes exactly the matched bytes: :func:`read_header_bytes` returns that length and
:func:`read_header` leaves a stream positioned right after it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from enum import IntEnum
from typing import BinaryIO, Final

from oracle.parser.errors import TraceError
from oracle.parser.tracev2 import SPECS, EventSpec, EventType

__all__ = [
    "CURRENT",
    "HEADER_FORMAT",
    "V2_VERSIONS",
    "Version",
    "read_header",
    "read_header_bytes",
    "write_header",
]


class Version(IntEnum):
    """A trace format version, named after the Go release that introduced it."""

    Go111 = 11  # v1
    Go119 = 19  # v1
    Go121 = 21  # v1
    Go122 = 22  # v2
    Go123 = 23  # v2 (also written by Go 1.24)
    Go125 = 25  # v2
    Go126 = 26  # v2 (also written by Go 1.27)

    def specs(self) -> tuple[EventSpec, ...]:
        """The per-version prefix of the event table; empty for v1 versions."""
        return _VERSION_SPECS[self]

    def event_name(self, typ: int) -> str:
        """Mirrors ``Version.EventName``: the spec name, or ``Invalid(N)`` past the prefix."""
        s = _VERSION_SPECS[self]
        if not s:
            return "<v1 trace event type>"
        if typ < len(s) and s[typ].name != "":
            return s[typ].name
        return f"Invalid({typ})"

    @property
    def is_v2(self) -> bool:
        """Whether this version uses the v2 (generational) format this project implements."""
        return self >= Version.Go122

    def __str__(self) -> str:
        return str(int(self))


_VERSION_SPECS: Final[dict[Version, tuple[EventSpec, ...]]] = {
    Version.Go111: (),
    Version.Go119: (),
    Version.Go121: (),
    Version.Go122: SPECS[: EventType.UserLog + 1],
    Version.Go123: SPECS[: EventType.ExperimentalBatch + 1],
    Version.Go125: SPECS[: EventType.ClockSnapshot + 1],
    Version.Go126: SPECS,
}

#: The newest version Go 1.27.3 writes and reads.
CURRENT: Final = Version.Go126
#: Versions of the v2 format, oldest first.
V2_VERSIONS: Final[tuple[Version, ...]] = tuple(v for v in Version if v.is_v2)


# --- The file header ------------------------------------------------------------------------

#: Go's ``headerFmt``, for reference; :func:`write_header` produces it with a concrete number.
HEADER_FORMAT: Final = "go 1.%d trace\x00\x00\x00"

_EOF: Final = -1
_RUNE_ERROR: Final = 0xFFFD
_BAD_FORMAT: Final = "bad file format: not a Go execution trace?"
_MAX_UINT64: Final = (1 << 64) - 1

#: fmt's private copy of the White_Space ranges (``space`` in fmt/scan.go); newline included.
_FMT_SPACE_RANGES: Final[tuple[tuple[int, int], ...]] = (
    (0x0009, 0x000D),
    (0x0020, 0x0020),
    (0x0085, 0x0085),
    (0x00A0, 0x00A0),
    (0x1680, 0x1680),
    (0x2000, 0x200A),
    (0x2028, 0x2029),
    (0x202F, 0x202F),
    (0x205F, 0x205F),
    (0x3000, 0x3000),
)


def _fmt_is_space(r: int) -> bool:
    """Mirrors fmt's ``isSpace`` (not ``unicode.IsSpace``, though the sets coincide)."""
    if r < 0 or r >= 1 << 16:
        return False
    for lo, hi in _FMT_SPACE_RANGES:
        if r < lo:
            return False
        if r <= hi:
            return True
    return False


def _utf8_len_from_lead(b: int) -> int:
    """How many bytes ``bufio.Reader.ReadRune`` may need to look at for a rune starting ``b``.

    Used only to fetch just enough bytes from a stream: for a valid rune that is exactly its
    length, so a successful header read never takes a byte past the header.
    """
    if b < 0xC2 or b > 0xF4:
        return 1
    if b < 0xE0:
        return 2
    if b < 0xF0:
        return 3
    return 4


class _HeaderMismatch(Exception):
    """Internal: fmt gave up (a panic(scanError) or an io.EOF in fmt's terms)."""


class _HeaderScanner:
    """fmt's scan state (``ss``) over a ``bufio.Reader``, reduced to what the header needs.

    The input is a growing ``bytearray`` that ``fill(n)`` extends from the source until it holds
    ``n`` bytes or the source is exhausted, so a stream is read lazily and never past the rune
    being decoded.  ``get_rune``/``unread_rune`` follow ``(*ss).getRune``/``UnreadRune``: one
    rune of push-back, runes decoded like ``bufio.Reader.ReadRune`` (an invalid byte is
    U+FFFD of width 1).
    """

    __slots__ = ("buf", "fill", "pos", "last_width")

    def __init__(self, buf: bytearray, fill: Callable[[int], None]) -> None:
        self.buf = buf
        self.fill = fill
        self.pos = 0
        self.last_width = 0

    def get_rune(self) -> int:
        """The next rune, or ``_EOF`` (-1) when the input is exhausted."""
        pos = self.pos
        buf = self.buf
        if pos >= len(buf):
            self.fill(pos + 1)
            if pos >= len(buf):
                self.last_width = 0
                return _EOF
        lead = buf[pos]
        if lead < 0x80:
            self.pos = pos + 1
            self.last_width = 1
            return lead
        size = _utf8_len_from_lead(lead)
        self.fill(pos + size)
        # Python's strict UTF-8 accepts exactly the sequences Go's decoder accepts (no
        # overlongs, no surrogates, nothing past U+10FFFF); anything else is U+FFFD, width 1.
        try:
            text = bytes(buf[pos : pos + size]).decode("utf-8")
        except UnicodeDecodeError:
            text = ""
        if len(text) == 1 and size > 1:
            self.pos = pos + size
            self.last_width = size
            return ord(text)
        self.pos = pos + 1
        self.last_width = 1
        return _RUNE_ERROR

    def unread_rune(self) -> None:
        """Mirrors ``(*ss).UnreadRune`` on a ``bufio.Reader``: step back over the last rune."""
        self.pos -= self.last_width
        self.last_width = 0

    def must_read_rune(self) -> int:
        """Mirrors ``(*ss).mustReadRune``: EOF here is ``io.ErrUnexpectedEOF``."""
        r = self.get_rune()
        if r == _EOF:
            raise _HeaderMismatch
        return r

    def literal(self, text: str) -> None:
        """The literal branch of ``(*ss).advance``: each format rune must equal the input rune."""
        for ch in text:
            if self.must_read_rune() != ord(ch):
                # Go un-reads the mismatching rune and reports "input does not match format".
                self.unread_rune()
                raise _HeaderMismatch

    def format_space(self) -> None:
        """The space branch of ``(*ss).advance`` for a lone format space (no newline in it).

        The first input rune must be a space or EOF, and not a newline; then every further
        non-newline space is consumed, and the first rune after them is pushed back.
        """
        r = self.get_rune()
        if not _fmt_is_space(r) and r != _EOF:
            raise _HeaderMismatch  # "expected space in input to match format"
        if r == 0x0A:
            raise _HeaderMismatch  # "newline in input does not match format"
        while _fmt_is_space(r) and r != 0x0A:
            r = self.get_rune()
        if r != _EOF:
            self.unread_rune()

    def skip_space(self) -> None:
        """Mirrors ``(*ss).SkipSpace`` for Fscanf (``nlIsSpace`` false): newline is an error."""
        while True:
            r = self.get_rune()
            if r == _EOF:
                return
            if r == 0x0D and self.peek(0x0A):
                continue
            if r == 0x0A:
                raise _HeaderMismatch  # "unexpected newline"
            if not _fmt_is_space(r):
                self.unread_rune()
                return

    def peek(self, want: int) -> bool:
        """Mirrors ``(*ss).peek`` for a one-rune set."""
        r = self.get_rune()
        if r != _EOF:
            self.unread_rune()
        return r == want

    def scan_uint32(self) -> int:
        """``%d`` into a uint32-kinded value: ``doScanf``'s SkipSpace, then ``scanUint('d', 32)``."""
        self.skip_space()  # doScanf skips space before every verb other than %c
        self.skip_space()  # scanUint does it again
        if self.get_rune() == _EOF:  # notEOF: panics with io.EOF
            raise _HeaderMismatch
        self.unread_rune()
        # scanNumber: at least one decimal digit ("expected integer"), then as many as follow.
        digits: list[str] = []
        while True:
            r = self.get_rune()
            if 0x30 <= r <= 0x39:
                digits.append(chr(r))
                continue
            if r != _EOF:
                self.unread_rune()
            break
        if not digits:
            raise _HeaderMismatch
        value = int("".join(digits))
        if value > _MAX_UINT64:
            raise _HeaderMismatch  # strconv.ParseUint: value out of range
        if value >= 1 << 32:
            raise _HeaderMismatch  # "unsigned integer overflow on token ..."
        return value

    def scan_header(self) -> int:
        """Run the format ``go 1.%d trace\x00\x00\x00``; returns the scanned number."""
        self.literal("go")
        self.format_space()
        self.literal("1.")
        v = self.scan_uint32()
        self.format_space()
        self.literal("trace\x00\x00\x00")
        return v


_KNOWN_VERSIONS: Final[frozenset[int]] = frozenset(int(v) for v in Version)


def _finish(v: int) -> Version:
    """The validity half of ``ReadHeader``: a scanned number must be a known version."""
    if v not in _KNOWN_VERSIONS:
        raise TraceError(f"unknown or unsupported trace version go 1.{v}")
    return Version(v)


#: ``go 1.N trace\x00\x00\x00`` with single spaces and up to 9 digits (so below 2**32): the
#: scanner's answer for such a prefix is N and the prefix's length, so it needs no scanning.
_PLAIN_HEADER: Final = re.compile(rb"go 1\.([0-9]{1,9}) trace\x00\x00\x00")


def read_header_bytes(data: bytes | bytearray | memoryview, pos: int = 0) -> tuple[Version, int]:
    """Mirrors ``version.ReadHeader`` on ``data[pos:]``: ``(version, bytes consumed)``.

    Raises :class:`TraceError` with Go's text when the header does not scan or names an
    unknown version.
    """
    m = _PLAIN_HEADER.match(data, pos)
    if m is not None:
        # The header as Go's writer spells it: what the scanner below would read, at once.
        return _finish(int(m.group(1))), m.end() - pos
    buf = bytearray()
    view = memoryview(data)

    def fill(n: int) -> None:
        # Copy lazily: the header is a few bytes at the front of what may be a whole trace.
        have = len(buf)
        if have < n:
            buf.extend(view[pos + have : pos + n])

    scanner = _HeaderScanner(buf, fill)
    try:
        v = scanner.scan_header()
    except _HeaderMismatch:
        raise TraceError(_BAD_FORMAT) from None
    return _finish(v), scanner.pos


def read_header(stream: BinaryIO) -> Version:
    """Mirrors ``version.ReadHeader`` on a binary stream, consuming exactly the header.

    Bytes are pulled from ``stream`` only as the scan needs them, so after a successful read
    the stream is positioned on the first byte after the header, as Go's ``bufio.Reader`` is.
    After a failure the position is unspecified (Go's reader is abandoned too).
    """
    buf = bytearray()

    def fill(n: int) -> None:
        while len(buf) < n:
            chunk = stream.read(n - len(buf))
            if not chunk:
                return
            buf.extend(chunk)

    scanner = _HeaderScanner(buf, fill)
    try:
        v = scanner.scan_header()
    except _HeaderMismatch:
        raise TraceError(_BAD_FORMAT) from None
    return _finish(v)


def write_header(v: int) -> bytes:
    """Mirrors ``version.WriteHeader``: the canonical 16-byte (for two-digit versions) header."""
    return f"go 1.{int(v)} trace\x00\x00\x00".encode("ascii")
