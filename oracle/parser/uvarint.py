"""Unsigned LEB128 varints with Go's ``encoding/binary`` semantics, exactly.

Two decoders exist in Go and the trace parser uses both, with different failure behaviour:

* ``binary.ReadUvarint`` on a stream (batch headers, table sections): errors are ``io.EOF``
  when no byte could be read, ``io.ErrUnexpectedEOF`` when the value was cut short, and
  ``errOverflow`` past 64 bits.  Here: :func:`read_uvarint`, raising :class:`VarintError` whose
  ``message`` is Go's error text, because Go code wraps or even *returns* those errors (a bare
  ``io.EOF`` from a table section is taken as a clean end of trace).
* ``binary.Uvarint`` on a slice (timed events in ``batchcursor.go``): returns ``n == 0`` for
  truncation and ``n < 0`` for overflow.  Here: :func:`uvarint`, same contract.

Encoding: :func:`put_uvarint` writes the minimal form (``binary.AppendUvarint``); padded forms
(the runtime pads batch sizes to 10 bytes) come from :func:`put_uvarint_padded`.
"""

from __future__ import annotations

from typing import Final

__all__ = [
    "ERR_OVERFLOW",
    "MAX_VARINT_LEN64",
    "VarintError",
    "put_uvarint",
    "put_uvarint_padded",
    "read_uvarint",
    "uvarint",
]

MAX_VARINT_LEN64: Final = 10
ERR_OVERFLOW: Final = "binary: varint overflows a 64-bit integer"
EOF_MSG: Final = "EOF"
UNEXPECTED_EOF_MSG: Final = "unexpected EOF"


class VarintError(Exception):
    """A stream varint read failed; ``message`` is Go's ``err.Error()``.

    ``pos`` is the stream position after the failed read (bytes consumed count, as Go's
    ``bytes.Reader`` advances), so callers that keep reading see the same stream state.
    """

    __slots__ = ("message", "pos")

    def __init__(self, message: str, pos: int) -> None:
        super().__init__(message)
        self.message = message
        self.pos = pos

    @property
    def is_eof(self) -> bool:
        """True for a bare ``io.EOF`` (no byte at all could be read)."""
        return self.message == EOF_MSG

    def __str__(self) -> str:
        return self.message


def read_uvarint(buf: bytes, pos: int, end: int | None = None) -> tuple[int, int]:
    """``binary.ReadUvarint`` over ``buf[pos:end]``: returns ``(value, new_pos)``.

    Raises :class:`VarintError` with Go's message on EOF, unexpected EOF or overflow.
    """
    if end is None:
        end = len(buf)
    x = 0
    s = 0
    for i in range(MAX_VARINT_LEN64):
        if pos >= end:
            raise VarintError(UNEXPECTED_EOF_MSG if i > 0 else EOF_MSG, pos)
        b = buf[pos]
        pos += 1
        if b < 0x80:
            if i == MAX_VARINT_LEN64 - 1 and b > 1:
                raise VarintError(ERR_OVERFLOW, pos)
            return x | (b << s), pos
        x |= (b & 0x7F) << s
        s += 7
    raise VarintError(ERR_OVERFLOW, pos)


def uvarint(buf: bytes, pos: int = 0, end: int | None = None) -> tuple[int, int]:
    """``binary.Uvarint(buf[pos:end])``: ``(value, n)`` with ``n <= 0`` on failure.

    ``n == 0``: the buffer ended inside the value; ``n < 0``: overflow after ``-n`` bytes.
    """
    if end is None:
        end = len(buf)
    x = 0
    s = 0
    i = 0
    while pos + i < end:
        if i == MAX_VARINT_LEN64:
            return 0, -(i + 1)
        b = buf[pos + i]
        if b < 0x80:
            if i == MAX_VARINT_LEN64 - 1 and b > 1:
                return 0, -(i + 1)
            return x | (b << s), i + 1
        x |= (b & 0x7F) << s
        s += 7
        i += 1
    return 0, 0


def put_uvarint(x: int) -> bytes:
    """The minimal encoding of a uint64 (``binary.AppendUvarint``)."""
    if x < 0x80:
        return bytes((x,))
    out = bytearray()
    while x >= 0x80:
        out.append((x & 0x7F) | 0x80)
        x >>= 7
    out.append(x)
    return bytes(out)


def put_uvarint_padded(x: int, width: int = MAX_VARINT_LEN64) -> bytes:
    """Encode ``x`` in exactly ``width`` bytes using continuation padding.

    Legal for Go's decoders as long as the value fits; the runtime writes batch sizes this way
    (``traceBuf.varintReserve``).  ``width`` must be at least the minimal length and at most 10.
    """
    minimal = put_uvarint(x)
    if not len(minimal) <= width <= MAX_VARINT_LEN64:
        raise ValueError(f"cannot pad {x} to {width} bytes")
    out = bytearray()
    for i in range(width - 1):
        out.append(((x >> (7 * i)) & 0x7F) | 0x80)
    out.append(x >> (7 * (width - 1)))
    return bytes(out)
