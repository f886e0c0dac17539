"""Go's ``strconv.Quote`` / ``strconv.Unquote`` / ``strconv.IsPrint``, byte for byte.

Theory of operation
-------------------
Go strings are byte strings that are *usually* UTF-8.  ``Event.String()`` renders trace strings
with ``%q`` (that is ``strconv.Quote``) and the raw text format stores batch data with
``strconv.Quote`` and reads it back with ``strconv.Unquote``, so matching Go byte for byte needs
three things Python does not give us directly:

* Go's UTF-8 decoder (``utf8.DecodeRune``), after which ``strconv.Quote`` turns every byte of
  an invalid sequence into its own ``\\xNN`` escape (Python's decoders group invalid bytes
  differently) -- see :func:`decode_rune`;
* Go's notion of "printable", which comes from the Unicode tables of the Go release
  (Unicode 15+ for the pinned Go) rather than Python's ``unicodedata`` (Unicode 14 in 3.11).
  We copy Go's compact tables (generated into :mod:`oracle.parser._goprint_tables`) and its search;
* Go's escape choices (``\\a``, ``\\x7f``, ``\\u00ad``, ``\\U0001f9ff``...).

Trace strings live in Python as ``str`` decoded with ``surrogateescape`` (see
:class:`oracle.parser.base.EvTable`); :func:`go_bytes` recovers the original bytes, and every function
here accepts either ``str`` in that convention or ``bytes``.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from typing import Final

from oracle.parser._goprint_tables import (
    IS_GRAPHIC,
    IS_NOT_PRINT16,
    IS_NOT_PRINT32,
    IS_PRINT16,
    IS_PRINT32,
)

__all__ = [
    "RUNE_ERROR",
    "UnquoteError",
    "decode_rune",
    "go_bytes",
    "is_graphic",
    "is_print",
    "quote",
    "unquote",
    "valid_utf8",
]

RUNE_ERROR: Final = 0xFFFD
_MAX_RUNE: Final = 0x10FFFF
_SURROGATE_MIN: Final = 0xD800
_SURROGATE_MAX: Final = 0xDFFF
_LOWERHEX: Final = "0123456789abcdef"


class UnquoteError(ValueError):
    """``strconv.ErrSyntax``: the input is not a valid Go string literal.

    ``str()`` gives Go's ``err.Error()`` text, ``invalid syntax``.
    """

    def __init__(self) -> None:
        super().__init__("invalid syntax")


def go_bytes(s: str | bytes) -> bytes:
    """The Go bytes behind a trace string (``str`` decoded with ``surrogateescape``)."""
    if isinstance(s, bytes):
        return s
    try:
        return s.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        # A lone surrogate that did not come from surrogateescape: encode it the way a
        # WTF-8 string would be, which Go then sees as three invalid bytes.
        return s.encode("utf-8", "surrogatepass")


def valid_utf8(b: bytes) -> bool:
    """``utf8.Valid``: Python's strict UTF-8 agrees with Go's (no surrogates, no overlongs)."""
    try:
        b.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def decode_rune(b: bytes, i: int) -> tuple[int, int]:
    """``utf8.DecodeRune(b[i:])``: ``(rune, width)``; ``(RUNE_ERROR, 1)`` for an invalid byte.

    Mirrors Go's table-driven decoder: the lead byte fixes the length and the range allowed for
    the second byte (which is how overlongs, surrogates and values past U+10FFFF are refused);
    any mismatch consumes exactly one byte.  An empty input gives ``(RUNE_ERROR, 0)``.
    """
    n = len(b) - i
    if n < 1:
        return RUNE_ERROR, 0
    c0 = b[i]
    if c0 < 0x80:
        return c0, 1
    if c0 < 0xC2 or c0 > 0xF4:
        return RUNE_ERROR, 1
    if c0 < 0xE0:
        size, lo, hi = 2, 0x80, 0xBF
    elif c0 < 0xF0:
        size = 3
        lo, hi = (0xA0, 0xBF) if c0 == 0xE0 else (0x80, 0x9F) if c0 == 0xED else (0x80, 0xBF)
    else:
        size = 4
        lo, hi = (0x90, 0xBF) if c0 == 0xF0 else (0x80, 0x8F) if c0 == 0xF4 else (0x80, 0xBF)
    if n < size:
        # Go checks the bytes that are present before deciding; either way the answer for a
        # short input is (RuneError, 1).
        return RUNE_ERROR, 1
    c1 = b[i + 1]
    if c1 < lo or c1 > hi:
        return RUNE_ERROR, 1
    if size == 2:
        return (c0 & 0x1F) << 6 | (c1 & 0x3F), 2
    c2 = b[i + 2]
    if c2 < 0x80 or c2 > 0xBF:
        return RUNE_ERROR, 1
    if size == 3:
        return (c0 & 0x0F) << 12 | (c1 & 0x3F) << 6 | (c2 & 0x3F), 3
    c3 = b[i + 3]
    if c3 < 0x80 or c3 > 0xBF:
        return RUNE_ERROR, 1
    return (c0 & 0x07) << 18 | (c1 & 0x3F) << 12 | (c2 & 0x3F) << 6 | (c3 & 0x3F), 4


def _valid_rune(r: int) -> bool:
    """``utf8.ValidRune``."""
    return 0 <= r < _SURROGATE_MIN or _SURROGATE_MAX < r <= _MAX_RUNE


def _in_ranges(table: tuple[int, ...], r: int) -> bool:
    """Whether ``r`` lies in one of the ``[lo, hi]`` pairs of a Go range table."""
    i = bisect_left(table, r)
    return not (i >= len(table) or r < table[i & ~1] or table[i | 1] < r)


def _in_list(table: tuple[int, ...], r: int) -> bool:
    """Go's ``bsearch(...)`` found flag."""
    i = bisect_left(table, r)
    return i < len(table) and table[i] == r


def is_print(r: int) -> bool:
    """Mirrors ``strconv.IsPrint`` (quote.go): Go's tables, Go's search order.

    Latin-1 is decided by hand, the BMP by ``IS_PRINT16`` minus ``IS_NOT_PRINT16``, and the
    rest by ``IS_PRINT32`` minus ``IS_NOT_PRINT32`` (which only covers plane 1, stored as
    offsets from 0x10000).
    """
    if r <= 0xFF:
        if 0x20 <= r <= 0x7E:
            return True
        if 0xA1 <= r <= 0xFF:
            return r != 0xAD
        return False
    if 0 <= r < 1 << 16:
        if not _in_ranges(IS_PRINT16, r):
            return False
        return not _in_list(IS_NOT_PRINT16, r)
    r &= 0xFFFFFFFF  # uint32(r)
    if not _in_ranges(IS_PRINT32, r):
        return False
    if r >= 0x20000:
        return True
    return not _in_list(IS_NOT_PRINT32, (r - 0x10000) & 0xFFFF)


def is_graphic(r: int) -> bool:
    """Mirrors ``strconv.IsGraphic``: printable, or one of the few extra space-like runes."""
    if is_print(r):
        return True
    return r <= 0xFFFF and _in_list(IS_GRAPHIC, r)


def _append_escaped_rune(out: list[str], r: int, quote_ch: int) -> None:
    """Mirrors ``appendEscapedRune`` (quote.go) for ``ASCIIonly=graphicOnly=false``."""
    if r == quote_ch or r == 0x5C:
        out.append("\\" + chr(r))
        return
    if is_print(r):
        out.append(chr(r))
        return
    esc = _SIMPLE_ESCAPES.get(r)
    if esc is not None:
        out.append(esc)
    elif r < 0x20 or r == 0x7F:
        out.append("\\x" + _LOWERHEX[r >> 4] + _LOWERHEX[r & 0xF])
    elif not _valid_rune(r):
        out.append("\\ufffd")
    elif r < 0x10000:
        out.append(f"\\u{r:04x}")
    else:
        out.append(f"\\U{r:08x}")


_SIMPLE_ESCAPES: Final[dict[int, str]] = {
    0x07: "\\a",
    0x08: "\\b",
    0x0C: "\\f",
    0x0A: "\\n",
    0x0D: "\\r",
    0x09: "\\t",
    0x0B: "\\v",
}


#: Printable ASCII except the quote and the backslash: what ``strconv.Quote`` copies as is.
_ASCII_PLAIN: Final = re.compile(r'[\x20\x21\x23-\x5b\x5d-\x7e]*')
_NOT_ASCII_PLAIN: Final = re.compile(r'[^\x20\x21\x23-\x5b\x5d-\x7e]')


def quote(s: str | bytes) -> str:
    """Mirrors ``strconv.Quote``: a double-quoted Go literal for the Go string ``s``.

    The result is pure text (every non-printable or invalid byte is escaped), so it is returned
    as a ``str``.  Bytes that are not part of a valid UTF-8 sequence become ``\\xNN`` one by
    one, exactly like Go.
    """
    b = go_bytes(s)
    out = ['"']
    quote_ch = 0x22
    try:
        text = b.decode("utf-8")
    except UnicodeDecodeError:
        text = None
    if text is not None:
        # Fast path: Go and Python agree on what valid UTF-8 is, so we can walk code points.
        # Runs of printable ASCII other than '"' and '\\' are copied as they are (a regex
        # finds the other code points: most strings in a trace have none).
        if _ASCII_PLAIN.fullmatch(text):
            return '"' + text + '"'
        at = 0
        for m in _NOT_ASCII_PLAIN.finditer(text):
            out.append(text[at:m.start()])
            _append_escaped_rune(out, ord(m.group()), quote_ch)
            at = m.end()
        out.append(text[at:])
    else:
        i, n = 0, len(b)
        while i < n:
            r, width = decode_rune(b, i)
            if width == 1 and r == RUNE_ERROR:
                c = b[i]
                out.append("\\x" + _LOWERHEX[c >> 4] + _LOWERHEX[c & 0xF])
            else:
                _append_escaped_rune(out, r, quote_ch)
            i += width
    out.append('"')
    return "".join(out)


def _unhex(c: int) -> int:
    """Mirrors ``unhex``: the value of a hex digit byte, or -1."""
    if 0x30 <= c <= 0x39:
        return c - 0x30
    if 0x61 <= c <= 0x66:
        return c - 0x61 + 10
    if 0x41 <= c <= 0x46:
        return c - 0x41 + 10
    return -1


_CHAR_ESCAPES: Final[dict[int, int]] = {
    0x61: 0x07,  # a
    0x62: 0x08,  # b
    0x66: 0x0C,  # f
    0x6E: 0x0A,  # n
    0x72: 0x0D,  # r
    0x74: 0x09,  # t
    0x76: 0x0B,  # v
    0x5C: 0x5C,  # backslash
}


def unquote_char(s: bytes, i: int, quote_ch: int) -> tuple[int, bool, int]:
    """Mirrors ``strconv.UnquoteChar`` on ``s[i:]``: ``(value, multibyte, new_i)``.

    Raises :class:`UnquoteError` where Go returns ``ErrSyntax``.
    """
    n = len(s)
    if i >= n:
        raise UnquoteError()
    c = s[i]
    if c == quote_ch and (quote_ch == 0x27 or quote_ch == 0x22):
        raise UnquoteError()
    if c >= 0x80:
        r, size = decode_rune(s, i)
        return r, True, i + size
    if c != 0x5C:
        return c, False, i + 1
    if n - i <= 1:
        raise UnquoteError()
    c = s[i + 1]
    i += 2
    simple = _CHAR_ESCAPES.get(c)
    if simple is not None:
        return simple, False, i
    if c in (0x78, 0x75, 0x55):  # x u U
        width = 2 if c == 0x78 else 4 if c == 0x75 else 8
        if n - i < width:
            raise UnquoteError()
        v = 0
        for j in range(width):
            x = _unhex(s[i + j])
            if x < 0:
                raise UnquoteError()
            v = v << 4 | x
        i += width
        if c == 0x78:
            return v, False, i  # a single byte, possibly not UTF-8
        if not _valid_rune(v):
            raise UnquoteError()
        return v, True, i
    if 0x30 <= c <= 0x37:
        v = c - 0x30
        if n - i < 2:
            raise UnquoteError()
        for j in range(2):
            x = s[i + j] - 0x30
            if x < 0 or x > 7:
                raise UnquoteError()
            v = (v << 3) | x
        i += 2
        if v > 255:
            raise UnquoteError()
        return v, False, i
    if c == 0x27 or c == 0x22:
        if c != quote_ch:
            raise UnquoteError()
        return c, False, i
    raise UnquoteError()


def unquote(s: str | bytes) -> bytes:
    """Mirrors ``strconv.Unquote``: the bytes of a Go string/rune/raw literal.

    Accepts ``"..."``, ``'...'`` (one character) and backquoted raw strings, with every Go
    escape; anything else (including trailing text after the closing quote) raises
    :class:`UnquoteError`, whose message is Go's ``invalid syntax``.
    """
    b = go_bytes(s)
    out, rem = _unquote(b)
    if rem != len(b):
        raise UnquoteError()
    return out


def _unquote(b: bytes) -> tuple[bytes, int]:
    """Mirrors ``unquote(in, unescape=true)``: the value and the offset just past the literal."""
    if len(b) < 2:
        raise UnquoteError()
    q = b[0]
    end = b.find(bytes((q,)), 1)
    if end < 0:
        raise UnquoteError()
    end += 1  # position after the (optimistically found) terminating quote
    if q == 0x60:  # backquote
        body = b[1 : end - 1]
        if b"\r" in body:
            body = body.replace(b"\r", b"")
        return body, end
    if q not in (0x22, 0x27):
        raise UnquoteError()
    prefix = b[:end]
    if b"\\" not in prefix and b"\n" not in prefix:
        inner = b[1 : end - 1]
        if q == 0x22:
            valid = valid_utf8(inner)
        else:
            r, n = decode_rune(inner, 0)
            valid = 1 + n + 1 == end and (r != RUNE_ERROR or n != 1)
        if valid:
            return inner, end
    buf = bytearray()
    i, n = 1, len(b)
    while i < n and b[i] != q:
        if b[i] == 0x0A:
            raise UnquoteError()
        r, multibyte, i = unquote_char(b, i, q)
        if r < 0x80 or not multibyte:
            buf.append(r)
        else:
            buf += _encode_rune(r)
        if q == 0x27:
            break
    if not (i < n and b[i] == q):
        raise UnquoteError()
    return bytes(buf), i + 1


def _encode_rune(r: int) -> bytes:
    """``utf8.AppendRune`` for a rune that ``UnquoteChar`` produced (valid, or RuneError)."""
    if not _valid_rune(r):
        r = RUNE_ERROR
    return chr(r).encode("utf-8")
