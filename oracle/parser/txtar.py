"""Go's txtar archives and the ``.test`` files of ``internal/trace/testdata/tests``.

Mirrors ``internal/txtar/archive.go`` (the same code as ``golang.org/x/tools/txtar``) and the
parts of ``internal/trace/testtrace`` (format.go, expectation.go) that read test files.

Theory of operation
-------------------
A txtar archive is a free-form comment followed by files, each introduced by a marker line
``-- NAME --``.  A marker must start with ``"-- "`` and end with ``" --"`` (at least six bytes
in all), the name is the white-space-trimmed text between, and an empty name means the line
is not a marker.  The text before a marker belongs to the previous file (or the comment)
unchanged; only the very last section gets a missing final newline added.  There are no
syntax errors.

A trace test file is an archive with exactly two files, ``expect`` and ``trace``.  The first
line of ``expect`` is ``SUCCESS`` or ``FAILURE <Go-quoted regexp>``; an empty ``expect`` also
means success.  ``trace`` is Go's raw text format (:mod:`oracle.parser.raw`).

The regexp is RE2 syntax and Go matches it unanchored against the error text.  We compile it
with Python's :mod:`re`, which agrees with RE2 on everything these files use (``.*``, literal
text, escapes such as ``\\(``); RE2-only or Python-only constructs (possessive quantifiers,
backreferences, ``\\C``, named groups spelled ``(?P=...)``) would need care and none appear.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field

from oracle.parser.errors import TraceError
from oracle.parser.gostrconv import UnquoteError, go_bytes, quote, unquote

__all__ = [
    "Archive",
    "Expectation",
    "File",
    "format_archive",
    "parse",
    "parse_expectation",
    "read_test_bytes",
    "read_test_file",
]

_MARKER = b"-- "
_MARKER_END = b" --"
_NEWLINE_MARKER = b"\n-- "
#: ``strings.TrimSpace`` set (``unicode.IsSpace``).
_GO_SPACE_CHARS = (
    "\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009"
    "\u200a\u2028\u2029\u202f\u205f\u3000"
)


@dataclass(frozen=True, slots=True)
class File:
    """One file of an archive: ``name`` (decoded text) and raw ``data`` bytes."""

    name: str
    data: bytes


@dataclass(frozen=True, slots=True)
class Archive:
    """A parsed txtar archive (Go's ``txtar.Archive``)."""

    comment: bytes
    files: tuple[File, ...] = field(default_factory=tuple)


def _fix_nl(data: bytes) -> bytes:
    """Mirrors ``fixNL``: add a final newline to non-empty data lacking one."""
    if not data or data.endswith(b"\n"):
        return data
    return data + b"\n"


def _is_marker(data: bytes, pos: int) -> tuple[str, int]:
    """Mirrors ``isMarker`` on ``data[pos:]``: ``(name, offset after the line)``; name "" if not."""
    if not data.startswith(_MARKER, pos):
        return "", -1
    nl = data.find(b"\n", pos)
    if nl >= 0:
        line, after = data[pos:nl], nl + 1
    else:
        line, after = data[pos:], len(data)
    if not (line.endswith(_MARKER_END) and len(line) >= len(_MARKER) + len(_MARKER_END)):
        return "", -1
    name = line[len(_MARKER) : len(line) - len(_MARKER_END)].decode("utf-8", "surrogateescape")
    return name.strip(_GO_SPACE_CHARS), after


def _find_file_marker(data: bytes, pos: int) -> tuple[bytes, str, int]:
    """Mirrors ``findFileMarker`` on ``data[pos:]``: ``(before, name, offset after marker)``."""
    i = pos
    while True:
        name, after = _is_marker(data, i)
        if name:
            return data[pos:i], name, after
        j = data.find(_NEWLINE_MARKER, i)
        if j < 0:
            return _fix_nl(data[pos:]), "", len(data)
        i = j + 1  # at the start of a possible marker line


def parse(data: bytes | str) -> Archive:
    """Mirrors ``txtar.Parse``."""
    buf = go_bytes(data)
    comment, name, pos = _find_file_marker(buf, 0)
    files: list[File] = []
    while name:
        body, next_name, pos = _find_file_marker(buf, pos)
        files.append(File(name, body))
        name = next_name
    return Archive(comment, tuple(files))


def format_archive(a: Archive) -> bytes:
    """Mirrors ``txtar.Format``."""
    out = bytearray(_fix_nl(a.comment))
    for f in a.files:
        out += b"-- " + go_bytes(f.name) + b" --\n"
        out += _fix_nl(f.data)
    return bytes(out)


@dataclass(frozen=True, slots=True)
class Expectation:
    """Go's ``testtrace.Expectation``: success, or failure matching ``pattern``.

    ``pattern`` is the unquoted regexp source (RE2 syntax, compiled here with :mod:`re`; see
    the module notes).
    """

    failure: bool = False
    pattern: str | None = None

    def matcher(self) -> re.Pattern[str] | None:
        """The compiled error matcher, or None for a success expectation."""
        return None if self.pattern is None else re.compile(self.pattern)

    def check(self, err: str | None) -> bool:
        """Whether an outcome conforms: ``err`` is the error text, or None for success."""
        return self.check_error(err) is None

    def check_error(self, err: str | None) -> str | None:
        """Mirrors ``(*Expectation).Check``: None when conforming, else Go's complaint text."""
        if not self.failure and err is not None:
            return f"unexpected error while reading the trace: {err}"
        pat = self.pattern if self.pattern is not None else ""
        if self.failure and err is None:
            return (
                "expected error while reading the trace: want something matching "
                f"{quote(pat)}, got none"
            )
        if self.failure and err is not None and re.search(pat, err) is None:
            return (
                "unexpected error while reading the trace: want something matching "
                f"{quote(pat)}, got {err}"
            )
        return None


def _go_fields_split_once(line: str) -> list[str]:
    """``strings.SplitN(line, " ", 2)``: split on the first ASCII space only."""
    head, sep, tail = line.partition(" ")
    return [head, tail] if sep else [head]


def parse_expectation(data: bytes | str) -> Expectation:
    """Mirrors ``testtrace.ParseExpectation``; raises :class:`TraceError` with Go's text.

    Only the first line counts (``bufio.Scanner`` lines: ``\\r\\n`` endings allowed); an empty
    section is a success expectation; ``SUCCESS`` may be followed by anything.
    """
    buf = go_bytes(data)
    if not buf:
        return Expectation()
    nl = buf.find(b"\n")
    first = buf if nl < 0 else buf[:nl]
    if first.endswith(b"\r"):
        first = first[:-1]
    text = first.decode("utf-8", "surrogateescape")
    c = _go_fields_split_once(text)
    if c[0] == "SUCCESS":
        return Expectation()
    if c[0] == "FAILURE":
        if len(c) != 2:
            raise TraceError(f"bad header line for FAILURE: {quote(go_bytes(text))}")
        quoted = c[1]
        try:
            pattern_bytes = unquote(go_bytes(quoted))
        except UnquoteError as e:
            raise TraceError(
                f"malformed pattern: not correctly quoted: {quoted}: {e}"
            ) from None
        pattern = pattern_bytes.decode("utf-8", "surrogateescape")
        try:
            re.compile(pattern)
        except re.error as e:
            raise TraceError(f"malformed pattern: not a valid regexp: {pattern}: {e}") from None
        return Expectation(failure=True, pattern=pattern)
    raise TraceError(f"bad header line: {quote(go_bytes(text))}")


def read_test_file(path: str | os.PathLike[str]) -> tuple[Expectation, bytes]:
    """Mirrors the checks of ``testtrace.ParseFile``: ``(expectation, trace text bytes)``.

    The trace is returned as text; :func:`oracle.parser.raw.text_to_binary` turns it into the wire
    bytes that Go's test harness feeds to the parser.  Structural problems raise
    :class:`TraceError` with Go's messages (the regexp error text is Python's, not RE2's).
    """
    with open(path, "rb") as f:
        return read_test_bytes(f.read(), os.fspath(path))


def read_test_bytes(data: bytes, test_path: str) -> tuple[Expectation, bytes]:
    """:func:`read_test_file` for contents already in memory; ``test_path`` names it in errors."""
    ar = parse(data)
    if len(ar.files) != 2:
        raise TraceError(f"malformed test {test_path}: wrong number of files")
    if ar.files[0].name != "expect":
        raise TraceError(f"malformed test {test_path}: bad filename {ar.files[0].name}")
    if ar.files[1].name != "trace":
        raise TraceError(f"malformed test {test_path}: bad filename {ar.files[1].name}")
    try:
        exp = parse_expectation(ar.files[0].data)
    except TraceError as e:
        raise TraceError(
            f"internal error during {test_path}: failed to parse expectation "
            f"{quote(ar.files[0].data)}: {e.message}"
        ) from None
    return exp, ar.files[1].data
