"""Findings in the forms Go's own test machinery reads, ready for an upstream change.

A finding (or any trace) becomes

- a **``go test fuzz v1`` seed** for ``internal/trace/testdata/fuzz/FuzzReader``, named as
  ``go test`` names the files it writes (the first 16 hex digits of the SHA-256 of the file),
  so that ``go test -run FuzzReader/<name>`` replays it;
- a **``testdata/tests/<name>.test`` file**: a txtar archive with the ``expect`` and ``trace``
  sections ``TestReaderGolden`` (``TestTestdata`` before) reads.  The trace is Go's raw text
  format; the expectation is the *reference parser's* verdict, which is the behaviour the fix
  should have: ``SUCCESS``, or ``FAILURE`` with the anchored, regexp-quoted error text.  So the
  test fails on a Go with the bug (a panic in the validator's accessors, another error, or none)
  and passes once it is fixed.  A comment above the sections says where it came from.

``FuzzReader`` only reads events (its ``testGetters`` is off), so an accessor panic shows in
the ``.test`` file's run, not in the seed's; the seed still belongs in the corpus, because a
fuzzer that mutates it reaches the same code.
"""

from __future__ import annotations

import hashlib
import itertools
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from oracle.parser import raw
from oracle.parser.errors import TraceError
from oracle.parser.gostrconv import quote
from oracle.parser.inputs import InputError, go_fuzz_file, load
from oracle.parser.reader import Reader
from oracle.parser.txtar import Archive, File, format_archive

__all__ = [
    "ExportError",
    "ExportSource",
    "go_fuzz_seed",
    "go_quote_meta",
    "go_test_file",
    "load_source",
    "reference_expectation",
]

#: ``regexp.QuoteMeta``'s special characters (RE2 rejects escapes of most others, so Python's
#: ``re.escape``, which also escapes spaces and ``-``, would write invalid Go patterns).
_RE2_SPECIAL = frozenset("\\.+*?()|[]{}^$")


class ExportError(Exception):
    """The source cannot be exported (no trace, or no exact text form for a ``.test`` file)."""


@dataclass(frozen=True, slots=True)
class ExportSource:
    """What to export: the trace bytes, a name for the files, and a comment on its origin."""

    data: bytes
    name: str
    comment: tuple[str, ...] = ()


#: The largest trace ``export`` writes: Go's test machinery reads a FuzzReader seed or a
#: ``.test`` file whole, and a finding to hand upstream is a minimized one.
MAX_EXPORT_BYTES: Final = 2 << 20


def load_source(path: Path) -> ExportSource:
    """A finding directory (its ``repro.trace`` and ``metadata.json``) or a trace file in any
    input format."""
    if path.is_dir():
        try:
            meta = json.loads((path / "metadata.json").read_text(encoding="utf-8"))
        except (OSError, ValueError) as e:
            raise ExportError(f"{path}: not a finding directory (metadata.json: {e})") from None
        trace = path / "repro.trace"
        try:
            data = trace.read_bytes()
        except OSError as e:
            raise ExportError(f"{trace}: {e.strerror or e}") from None
        slug = str(meta.get("slug") or path.name)
        comment = (f"Finding: {meta.get('signature')}",
                   f"Found against go{str(meta.get('toolchain', '?')).removeprefix('go')} by "
                   "gotrace-oracle (the reference parser's verdict is the expectation).")
        return ExportSource(data, slug, comment)
    try:
        size = path.stat().st_size
        if size > MAX_EXPORT_BYTES:
            raise ExportError(
                f"{path}: {size:,} bytes; Go's tests hold a seed or .test file whole, so export "
                f"takes traces up to {MAX_EXPORT_BYTES:,} bytes (shrink it first: "
                "gotrace-oracle minimize)")
        inp = load(path)
        with open(path, "rb") as f:
            head = f.read(8192).decode("utf-8", "replace").splitlines()
    except (InputError, OSError) as e:
        raise ExportError(str(e)) from None
    # A text repro's leading "#" lines describe it (corpus/go-findings): keep them.
    notes = [line.removeprefix("#").removeprefix(" ") for line in
             itertools.takewhile(lambda line: line.startswith("#"), head)]
    return ExportSource(inp.data, path.stem,
                        (*notes, f"Exported from {path.name} by gotrace-oracle."))


def go_quote_meta(s: str) -> str:
    """Mirrors ``regexp.QuoteMeta``."""
    return "".join("\\" + c if c in _RE2_SPECIAL else c for c in s)


def reference_expectation(data: bytes) -> str:
    """The ``expect`` line for ``data``: the reference parser's verdict (``SUCCESS`` or
    ``FAILURE "<anchored, quoted error>"``; a multi-line error is matched by its first line)."""
    try:
        for _ in Reader(data):
            pass
    except TraceError as e:
        first, *rest = e.message.split("\n")
        pattern = "^" + go_quote_meta(first) + ("" if rest else "$")
        return f"FAILURE {quote(pattern)}"
    return "SUCCESS"


def go_test_file(src: ExportSource) -> bytes:
    """The ``.test`` file (txtar: comment, ``expect``, ``trace``) of ``src``."""
    try:
        text = raw.binary_to_text(src.data)
        exact = raw.text_to_binary(text) == src.data
    except TraceError as e:
        raise ExportError(f"{src.name}: no text form for a .test file: {e.message}") from None
    if not exact:
        raise ExportError(f"{src.name}: no exact text form for a .test file (its text form "
                          "does not convert back to the same bytes); export --go-fuzz instead")
    comment = "".join(f"{line}\n" for line in src.comment)
    return format_archive(Archive(comment.encode("utf-8", "surrogateescape"), (
        File("expect", (reference_expectation(src.data) + "\n").encode("utf-8", "surrogateescape")),
        File("trace", text.encode("utf-8", "surrogateescape")),
    )))


def go_fuzz_seed(data: bytes) -> tuple[str, bytes]:
    """``(file name, contents)`` of the ``go test fuzz v1`` seed of ``data``, named like the
    files ``go test -fuzz`` writes."""
    content = go_fuzz_file(data)
    return hashlib.sha256(content).hexdigest()[:16], content
