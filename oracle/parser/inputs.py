"""Turning what a user points us at into trace bytes.

Users hand the CLI binary traces, traces in Go's raw text format (the format of
``testdata/tests/*.test`` and of our repros), whole ``.test`` files, Go fuzz-corpus files
(``go test fuzz v1``, as in ``testdata/fuzz/FuzzReader``), or directories of any of these.  The
format is detected from the content, never from the file name, so a repro keeps working when
renamed.  Conversion from text uses our raw text reader and writer, which produce the same bytes
as Go's ``raw.TextReader`` + ``raw.Writer`` (tested against the Go helper).

Problems with the *input file* (missing, unreadable, a malformed text trace) raise
:class:`InputError`: the CLI reports them as usage errors (exit 2).  A binary input is never
judged here: rejecting it is the parser's job.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Final, Iterator

from oracle.parser.errors import TraceError
from oracle.parser.txtar import Expectation, read_test_bytes

__all__ = [
    "TEXT_LIMIT",
    "InputError",
    "NOT_INPUTS",
    "StreamInput",
    "TraceInput",
    "detect_format",
    "expand_paths",
    "go_fuzz_file",
    "is_input_file",
    "load",
    "load_bytes",
    "open_input",
]

_FUZZ_HEADER: Final = b"go test fuzz v1\n"
_HEAD: Final = 4096

TEXT_LIMIT: Final = 64 << 20
"""Largest text-format input (text trace, ``.test`` file, fuzz-corpus file) that
:func:`open_input` converts: those formats are converted in memory, and they are for repros,
never production traces.  Binary traces have no limit: they are streamed."""

#: File names that sit among traces but describe them (``generate``'s manifest): a directory
#: walk never takes them for inputs.
NOT_INPUTS: Final = frozenset({"manifest.jsonl"})


def is_input_file(path: Path) -> bool:
    """Whether a file found in a directory walk is a candidate input: a regular file, not
    hidden (locks, temporary files), and not one of :data:`NOT_INPUTS`."""
    return path.is_file() and not path.name.startswith(".") and path.name not in NOT_INPUTS


class InputError(Exception):
    """The input could not be read or converted; not a verdict on a trace."""


@dataclass(frozen=True, slots=True)
class TraceInput:
    """A trace ready for parsing: its binary bytes and where it came from."""

    name: str
    data: bytes
    format: str  # "binary", "text", "txtar" or "fuzz"
    expectation: Expectation | None = None  # a .test file's expect section


def detect_format(raw: bytes) -> str:
    """Classify input bytes: ``txtar``, ``fuzz``, ``text`` or ``binary`` (the default)."""
    if raw.startswith(_FUZZ_HEADER):
        return "fuzz"
    head = raw[:4096]
    if head.startswith(b"-- ") or b"\n-- trace --" in head or b"\n-- expect --" in head:
        return "txtar"
    stripped = head.lstrip()
    if stripped.startswith(b"Trace Go1.") or stripped.startswith(b"#"):
        return "text"
    return "binary"


def _fuzz_bytes(raw: bytes, name: str) -> bytes:
    """The single ``[]byte("...")`` value of a Go fuzz-corpus file."""
    body = raw[len(_FUZZ_HEADER) :].decode("utf-8", "surrogateescape").strip()
    if not (body.startswith("[]byte(") and body.endswith(")")):
        raise InputError(f"{name}: not a single []byte value in a go test fuzz v1 file")
    literal = body[len("[]byte(") : -1]
    from oracle.parser.gostrconv import unquote

    try:
        return unquote(literal)
    except ValueError as e:
        raise InputError(f"{name}: bad Go string literal: {e}") from None


def go_fuzz_file(data: bytes) -> bytes:
    """``data`` as a Go fuzz-corpus file of one ``[]byte`` value (``go test fuzz v1``), as
    ``internal/fuzz`` marshals it (``[]byte(%q)``): the inverse of :func:`_fuzz_bytes`."""
    from oracle.parser.gostrconv import quote

    return _FUZZ_HEADER + f"[]byte({quote(data)})\n".encode("utf-8", "surrogateescape")


def load_bytes(raw: bytes, name: str = "<input>") -> TraceInput:
    """Convert input bytes in any supported format to a :class:`TraceInput`."""
    from oracle.parser import raw as rawfmt

    fmt = detect_format(raw)
    try:
        if fmt == "binary":
            return TraceInput(name, raw, fmt)
        if fmt == "fuzz":
            return TraceInput(name, _fuzz_bytes(raw, name), fmt)
        if fmt == "txtar":
            expect, text = read_test_bytes(raw, name)
            return TraceInput(name, rawfmt.text_to_binary(text), fmt, expect)
        return TraceInput(name, rawfmt.text_to_binary(raw.decode("utf-8", "surrogateescape")), fmt)
    except TraceError as e:
        raise InputError(f"{name}: cannot convert {fmt} trace to binary: {e.message}") from None


def load(path: str | Path) -> TraceInput:
    """Read one file (``-`` is standard input) and convert it."""
    import sys

    if str(path) == "-":
        if sys.stdin is None:  # started with file descriptor 0 closed
            raise InputError("<stdin>: standard input is closed")
        try:
            return load_bytes(sys.stdin.buffer.read(), "<stdin>")
        except OSError as e:
            raise InputError(f"<stdin>: {e.strerror or e}") from None
    p = Path(path)
    try:
        raw = p.read_bytes()
    except IsADirectoryError:
        raise InputError(f"{p}: is a directory") from None
    except OSError as e:
        raise InputError(f"{p}: {e.strerror or e}") from None
    return load_bytes(raw, str(p))


@dataclass(frozen=True, slots=True)
class StreamInput:
    """An input ready for streaming: a binary trace stays a file, read as it is parsed; the
    text formats (small by nature, at most :data:`TEXT_LIMIT`) are converted to bytes."""

    name: str
    format: str
    path: Path | None  # a binary trace on disk, streamed
    data: bytes | None  # a converted text-format trace
    size: int  # bytes of binary trace
    expectation: Expectation | None = None

    @property
    def source(self) -> Path | bytes:
        """What :class:`oracle.parser.reader.Reader` and the helper's stream modes take."""
        if self.path is not None:
            return self.path
        assert self.data is not None
        return self.data


def _remove(name: str) -> None:
    import os

    try:
        os.unlink(name)
    except OSError:
        pass


def _spool_stdin(head: bytes) -> Path:
    """Standard input copied to a temporary file (removed at exit), so that a binary trace on
    a pipe can be streamed to both parsers without holding it in memory."""
    import atexit
    import os
    import shutil
    import sys
    import tempfile

    fd, name = tempfile.mkstemp(prefix="gotrace-oracle-stdin-", suffix=".trace")
    atexit.register(_remove, name)
    with os.fdopen(fd, "wb") as f:
        f.write(head)
        shutil.copyfileobj(sys.stdin.buffer, f, 1 << 20)
    return Path(name)


def open_input(path: str | Path) -> StreamInput:
    """Open one input (``-`` is standard input) without reading a binary trace into memory.

    Only the first 4 KiB decide the format; a binary trace is then handed on as a path, so a
    1 GB file that is not a trace costs its header, which the parser rejects.
    """
    import sys

    name = "<stdin>" if str(path) == "-" else str(path)
    try:
        if str(path) == "-":
            if sys.stdin is None:  # started with file descriptor 0 closed
                raise InputError("<stdin>: standard input is closed")
            f = sys.stdin.buffer
            head = f.read(_HEAD)
            fmt = detect_format(head)
            if fmt == "binary":
                p = _spool_stdin(head)
                return StreamInput(name, fmt, p, None, p.stat().st_size)
            rest = f.read(TEXT_LIMIT + 1 - len(head))
        else:
            p = Path(path)
            with open(p, "rb") as fh:
                head = fh.read(_HEAD)
                fmt = detect_format(head)
                if fmt == "binary":
                    return StreamInput(name, fmt, p, None, p.stat().st_size)
                rest = fh.read(TEXT_LIMIT + 1 - len(head))
    except IsADirectoryError:
        raise InputError(f"{name}: is a directory") from None
    except OSError as e:
        raise InputError(f"{name}: {e.strerror or e}") from None
    raw = head + rest
    if len(raw) > TEXT_LIMIT:
        raise InputError(f"{name}: a {fmt} input over {TEXT_LIMIT >> 20} MiB is not supported "
                         "(convert it to a binary trace, which is streamed)")
    inp = load_bytes(raw, name)
    return StreamInput(name, fmt, None, inp.data, len(inp.data), inp.expectation)


def expand_paths(paths: list[str]) -> Iterator[str]:
    """Files named directly, and every input file below named directories
    (:func:`is_input_file`), sorted."""
    for p in paths:
        q = Path(p)
        if p != "-" and q.is_dir():
            for f in sorted(q.rglob("*")):
                if is_input_file(f):
                    yield str(f)
        else:
            yield p

