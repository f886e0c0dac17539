"""Tests for oracle.parser.gostrconv: Go's strconv.Quote/Unquote/IsPrint, checked against Go 1.27.3.

The SHA-256 digests below were printed by a throwaway Go 1.27.3 program running the same
loops (``strconv.IsPrint``/``IsGraphic`` over every rune from -1 to 0x110001 as a 0/1 string;
``strconv.Quote`` of one string holding every valid rune; ``Quote`` of every 1- and 2-byte
string and of chosen 3- and 4-byte strings, newline-separated).  The ``UNQUOTE_CASES`` table
is ``strconv.Unquote``'s answer for each input, also from Go.
"""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from oracle.parser.gostrconv import (
    RUNE_ERROR,
    UnquoteError,
    decode_rune,
    go_bytes,
    is_graphic,
    is_print,
    quote,
    unquote,
    valid_utf8,
)


def _sha(s: str) -> str:
    return hashlib.sha256(s.encode("utf-8")).hexdigest()


GO_ISPRINT = "fad2551714a9458aaa9712156384e6256ee0f96375dbc941cb1336be621cec00"
GO_ISGRAPHIC = "6c03bcc8fb1d023a0c1837135203a3fb0d8605d5fc0b3b28b2a8c42dafb05621"
GO_QUOTE_ALL_RUNES = "03e12eb027356678fb5e75a98c8b2c768942b741375f6f0e0da6f36bfe088ab3"
GO_QUOTE_BYTES2 = "e51bc419326dda104f29aeaf3c0c54c4182ef2dd0cf893b232dbcc4c75e1bbea"
GO_QUOTE_BYTES34 = "755556b7f21791de72a72d2b4601bc79991179034c149bc619364bb538008109"


def test_is_print_matches_go_for_every_rune() -> None:
    bits = "".join("1" if is_print(r) else "0" for r in range(-1, 0x110002))
    assert _sha(bits) == GO_ISPRINT


def test_is_graphic_matches_go_for_every_rune() -> None:
    bits = "".join("1" if is_graphic(r) else "0" for r in range(-1, 0x110002))
    assert _sha(bits) == GO_ISGRAPHIC


def test_quote_every_valid_rune_matches_go() -> None:
    s = "".join(chr(r) for r in range(0x110000) if not 0xD800 <= r <= 0xDFFF)
    assert _sha(quote(s)) == GO_QUOTE_ALL_RUNES


def test_quote_every_short_byte_string_matches_go() -> None:
    parts = []
    for a in range(256):
        parts.append(quote(bytes([a])) + "\n")
        for b in range(256):
            parts.append(quote(bytes([a, b])) + "\n")
    assert _sha("".join(parts)) == GO_QUOTE_BYTES2


def test_quote_invalid_utf8_sequences_matches_go() -> None:
    leads = [0x7F, 0x80, 0xC1, 0xC2, 0xDF, 0xE0, 0xE1, 0xEC, 0xED, 0xEE, 0xEF, 0xF0, 0xF1,
             0xF3, 0xF4, 0xF5, 0xFF]
    mids = [0x00, 0x41, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xFF]
    parts = []
    for a in leads:
        for b in mids:
            for c in mids:
                parts.append(quote(bytes([a, b, c])) + "\n")
                for d in mids:
                    parts.append(quote(bytes([a, b, c, d])) + "\n")
    assert _sha("".join(parts)) == GO_QUOTE_BYTES34


@pytest.mark.parametrize(
    ("s", "want"),
    [
        ("", '""'),
        ('a"b\\c', '"a\\"b\\\\c"'),
        ("\a\b\f\n\r\t\v", '"\\a\\b\\f\\n\\r\\t\\v"'),
        ("\x00\x1f\x7f", '"\\x00\\x1f\\x7f"'),
        ("\u00ad", '"\\u00ad"'),  # soft hyphen: the one non-printable Latin-1 letter
        ("\u2028", '"\\u2028"'),
        ("\ufeff", '"\\ufeff"'),
        ("\U000e0001", '"\\U000e0001"'),
        ("日本語", '"日本語"'),
        ("\ufffd", '"\ufffd"'),  # a *valid* U+FFFD prints as itself
        (b"\xff", '"\\xff"'),
        (b"\xed\xa0\x80", '"\\xed\\xa0\\x80"'),  # an encoded surrogate is three bad bytes
        (b"\xf4\x90\x80\x80", '"\\xf4\\x90\\x80\\x80"'),  # > U+10FFFF
        (b"\xc0\xaf", '"\\xc0\\xaf"'),  # overlong
        (b"\xe2\x82", '"\\xe2\\x82"'),  # truncated
        ("x\udcffy", '"x\\xffy"'),  # surrogateescape str: the byte comes back
    ],
)
def test_quote_examples(s: str | bytes, want: str) -> None:
    assert quote(s) == want


# strconv.Unquote's verdicts, recorded from Go 1.27.3: (input, output bytes or None for
# ErrSyntax).
UNQUOTE_CASES: list[tuple[bytes, bytes | None]] = [
    (b"", None), (b'"', None), (b'""', b""), (b'"a"', b"a"), (b"'a'", b"a"), (b"''", b""),
    (b"'ab'", None), (b"`raw`", b"raw"), (b"`a\rb\r`", b"ab"), (b"`", None), (b"`abc", None),
    (b'"abc', None), (b'abc"', None), (b'"\\x00\\xff\\x7f"', b"\x00\xff\x7f"),
    (b'"\\xg0"', None), (b'"\\x1"', None), (b'"\\u00e9"', b"\xc3\xa9"),
    (b'"\\u00E9"', b"\xc3\xa9"), (b'"\\ud800"', None), (b'"\\U0010ffff"', b"\xf4\x8f\xbf\xbf"),
    (b'"\\U00110000"', None), (b'"\\U0001F600"', b"\xf0\x9f\x98\x80"), (b'"\\377"', b"\xff"),
    (b'"\\400"', None), (b'"\\08"', None), (b'"\\0"', None),
    (b'"\\a\\b\\f\\n\\r\\t\\v\\\\"', b"\x07\x08\x0c\x0a\x0d\x09\x0b\x5c"), (b"\"\\'\"", None),
    (b"'\\\"'", None), (b"'\\''", b"'"), (b'"\\"', None), (b'"\\q"', None), (b'"a\nb"', None),
    (b'"a\\\nb"', None), (b'"\xff"', b"\xef\xbf\xbd"), (b'"\xff\\n"', b"\xef\xbf\xbd\n"),
    (b'"\xed\xa0\x80"', b"\xef\xbf\xbd" * 3), (b'"\xc3\xa9"', b"\xc3\xa9"),
    (b"'\xc3\xa9'", b"\xc3\xa9"), (b"'\xff'", b"\xef\xbf\xbd"), (b'"abc"x', None),
    (b'"a"b"', None), (b"'\\x41'", b"A"), (b"'\\u00e9'", b"\xc3\xa9"), (b'"\\xe9"', b"\xe9"),
    (b'"`"', b"`"), (b'`"`', b'"'), (b"\"'\"", b"'"), (b"'\"'", b'"'), (b"'''", None),
    (b'"a""', None), (b"x", None), (b'"\r"', b"\r"), (b'"\\\r"', None),
    (b'"\xe2\x80\xa8"', b"\xe2\x80\xa8"), (b'"\\U0000d7ff"', b"\xed\x9f\xbf"),
    (b'"\\UFFFFFFFF"', None), (b'"\\uFFFF"', b"\xef\xbf\xbf"), (b'"\\u"', None),
    (b'"\\u12"', None), (b"'\\x'", None), (b'"\\', None), (b'"\\x', None),
    (b'"\xf4\x90\x80\x80"', b"\xef\xbf\xbd" * 4), (b'"\xc0\x80\\n"', b"\xef\xbf\xbd" * 2 + b"\n"),
    (b'"\\u0041\\x41\\101"', b"AAA"), (b"'ab", None), (b"'\\n'", b"\n"), (b"'\\''x", None),
    (b'"\\N"', None), (b'"\t"', b"\t"), (b'"\x00"', b"\x00"),
]


@pytest.mark.parametrize(("s", "want"), UNQUOTE_CASES, ids=[repr(c[0]) for c in UNQUOTE_CASES])
def test_unquote_matches_go(s: bytes, want: bytes | None) -> None:
    if want is None:
        with pytest.raises(UnquoteError) as ei:
            unquote(s)
        assert str(ei.value) == "invalid syntax"
    else:
        assert unquote(s) == want


def test_unquote_accepts_str_in_surrogateescape_form() -> None:
    assert unquote('"a\\x00b"') == b"a\x00b"
    assert unquote('"\udcff"') == b"\xef\xbf\xbd"  # the raw byte 0xff, as Go sees it


@given(st.binary(max_size=40))
def test_unquote_inverts_quote_on_any_bytes(b: bytes) -> None:
    assert unquote(quote(b)) == b


@given(st.text(max_size=40))
def test_quote_of_printable_text_keeps_it(s: str) -> None:
    q = quote(s)
    assert q.startswith('"') and q.endswith('"')
    if all(is_print(ord(c)) and c not in '"\\' for c in s):
        assert q == '"' + s + '"'


@given(st.binary(max_size=12))
def test_decode_rune_agrees_with_python_utf8(b: bytes) -> None:
    # Go and Python agree on which byte sequences are valid UTF-8; Go's decoder additionally
    # consumes exactly one byte when there is no valid sequence at the position.
    i = 0
    while i < len(b):
        r, n = decode_rune(b, i)
        if r == RUNE_ERROR and n == 1:
            for k in range(1, 5):
                with pytest.raises(UnicodeDecodeError):
                    b[i : i + k].decode("utf-8")
        else:
            assert b[i : i + n].decode("utf-8") == chr(r)
        i += n
    assert decode_rune(b, len(b)) == (RUNE_ERROR, 0)


def test_valid_utf8_and_go_bytes() -> None:
    assert valid_utf8("é".encode())
    assert not valid_utf8(b"\xed\xa0\x80")
    assert go_bytes("a\udcffb") == b"a\xffb"
    assert go_bytes(b"\xff") == b"\xff"
    # A lone surrogate that surrogateescape cannot encode goes through as WTF-8 bytes.
    assert go_bytes("\ud800") == b"\xed\xa0\x80"


def test_unicode_version_is_gos_not_pythons() -> None:
    # U+088F is assigned after Unicode 14 (Python 3.11's unicodedata calls it Cn) and Go 1.27
    # prints it unescaped: the reason the tables are copied from Go.
    assert is_print(0x088F)
    assert quote("\u088f") == "\"\u088f\""
    assert not is_print(0x0890)  # a format character: escaped by Go
    assert quote("\u0890") == '"\\u0890"'
