"""The differential check as a library call: ``oracle.check(data) -> Comparison``.

One trace, both parsers, one verdict: the same comparison ``gotrace-oracle diff`` makes, for
Python users who want it inside their own tests.  Go runs in a persistent helper per release
(:class:`GoParser`), started on first use and kept for the life of the process, so a property
test that checks thousands of traces pays the helper's start-up once.  The pytest plugin
(:mod:`oracle.diff.pytest_plugin`) hands the same object out as the ``go_trace_parser``
fixture, with an assertion that explains a disagreement.
"""

from __future__ import annotations

import atexit
import json
import threading
from pathlib import Path

from oracle.diff.compare import Comparison, compare
from oracle.diff.impls import GoImpl, PythonImpl
from oracle.diff.outcome import Outcome
from oracle.harness import toolchain

__all__ = ["GoParser", "check", "explain", "go_parser", "trace_text"]


class GoParser:
    """Go's ``internal/trace`` of one release, in a persistent helper, next to the reference
    parser: :meth:`compare` is the differential check of one trace."""

    def __init__(self, version: str | None = None, *, goroot: Path | None = None,
                 timeout: float = 20.0) -> None:
        tc = toolchain.ensure(version, goroot=goroot)
        self.version = tc.version
        self._go = GoImpl(toolchain.build_helper(tc), tc.version, timeout=timeout)
        self._py = PythonImpl()
        self._lock = threading.Lock()  # one request at a time on the helper's pipe

    def outcomes(self, data: bytes) -> tuple[Outcome, Outcome]:
        """The reference parser's and Go's outcomes on ``data``."""
        with self._lock:
            return self._py.run(data), self._go.run(data)

    def compare(self, data: bytes) -> Comparison:
        """Both parsers on ``data``; ``.agree`` tells whether they agree."""
        return compare(*self.outcomes(data))

    def assert_agrees(self, data: bytes) -> Comparison:
        """:meth:`compare`, raising ``AssertionError`` with :func:`explain` on a divergence."""
        left, right = self.outcomes(data)
        c = compare(left, right)
        if not c.agree:
            raise AssertionError(explain(data, c, left, right, go_version=self.version))
        return c

    def close(self) -> None:
        """Stop the helper."""
        self._go.close()

    def __enter__(self) -> GoParser:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


_PARSERS: dict[str | None, GoParser] = {}
_PARSERS_LOCK = threading.Lock()


def go_parser(go: str | None = None) -> GoParser:
    """The process-wide :class:`GoParser` of release ``go`` (``None``: the pinned Go)."""
    with _PARSERS_LOCK:
        p = _PARSERS.get(go)
        if p is None:
            p = _PARSERS[go] = GoParser(go)
            atexit.register(p.close)
        return p


def check(data: bytes, go: str | GoParser | None = None) -> Comparison:
    """Parse ``data`` with the reference parser and with Go's; ``Comparison.agree`` says
    whether they agree (same events, verdict and error text).

    ``go`` is a Go release (``"1.25.5"``; installed on demand), a :class:`GoParser`, or
    ``None`` for the pinned Go 1.27.3.  Toolchain problems raise
    :class:`oracle.harness.toolchain.ToolchainError`; a bad trace never raises, it is a
    verdict.
    """
    parser = go if isinstance(go, GoParser) else go_parser(go)
    return parser.compare(data)


def trace_text(data: bytes, *, max_lines: int | None = None) -> str:
    """``data`` in Go's raw text format (what ``.test`` files hold), or a hex dump of the
    first bytes when the raw reader rejects it; at most ``max_lines`` lines."""
    from oracle.parser import raw
    from oracle.parser.errors import TraceError

    try:
        lines = raw.binary_to_text(data).splitlines()
    except TraceError as e:
        lines = [f"(no text form: {e.message}; {len(data)} bytes)"]
        lines += [f"{off:06x}  {data[off:off + 16].hex(' ')}" for off in range(0, min(len(data), 256), 16)]
    if max_lines is not None and len(lines) > max_lines:
        lines = lines[:max_lines] + [f"... ({len(lines) - max_lines} more lines)"]
    return "\n".join(lines)


def explain(data: bytes, c: Comparison, left: Outcome, right: Outcome, *,
            go_version: str) -> str:
    """A divergence as a person wants to read it: the verdict, the first differing event of
    each side, how each side ended, and the trace in the raw text form."""
    out = [f"the reference parser and Go {go_version} disagree: {c.verdict.value}",
           f"signature: {c.signature}"]
    if c.index is not None:
        out.append(f"first differing event: #{c.index}" + (f", field {c.field}" if c.field else ""))
        for side, o in (("python", left), ("go", right)):
            rec = o.records[c.index] if c.index < len(o.records) else None
            out.append(f"  {side:<6} " + (json.dumps(rec, separators=(",", ":")) if rec
                                          else "(no event)"))
    for side, o in (("python", left), ("go", right)):
        end = o.error.splitlines()[0] if o.error else "EOF"
        out.append(f"{side:<6} {o.verdict} after {len(o.records)} events: {end}")
    out += ["trace (Go's raw text format):", trace_text(data, max_lines=200)]
    return "\n".join(out)
