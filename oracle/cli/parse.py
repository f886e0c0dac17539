"""``gotrace-oracle parse``: the reference parser's events, as Go prints them or as JSON."""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from oracle.cli.exits import EXIT_FINDING, EXIT_OK, UsageError
from oracle.cli.options import open_one
from oracle.parser import canonical
from oracle.parser.errors import TraceError
from oracle.parser.event import Event
from oracle.parser.inputs import StreamInput
from oracle.parser.reader import Reader
from oracle.parser.releases import UnsupportedReleaseError, release

__all__ = ["cmd_parse", "register"]


def _parse_events(source: Path | bytes, go: str | None = None) -> Iterator[Event]:
    yield from Reader(source, go=go)


def cmd_parse(args: argparse.Namespace) -> int:
    """Parse one trace with the reference parser and print it."""
    try:
        release(args.go)
    except UnsupportedReleaseError as e:
        raise UsageError(f"--go {args.go}: {e}") from None
    inp = open_one(args.path)  # a binary trace is streamed: memory is one generation's
    out = sys.stdout
    if args.format == "summary":
        return _print_summary(inp, out, args.go)
    src = inp.source
    lines = (canonical.go_string_lines(src, go=args.go) if args.format == "go"
             else canonical.dump_trace(src, go=args.go))
    last = ""
    for line in lines:
        out.write(line)
        out.write("\n")
        last = line
    out.flush()
    accepted = last == "EOF" if args.format == "go" else last == '{"end":"EOF"}'
    return EXIT_OK if accepted else EXIT_FINDING


def _print_summary(inp: StreamInput, out: Any, go: str | None = None) -> int:
    kinds: Counter[str] = Counter()
    first = last = None
    n = 0
    err: TraceError | None = None
    t0 = time.perf_counter()
    try:
        for ev in _parse_events(inp.source, go):
            n += 1
            kinds[str(ev.kind)] += 1
            t = ev.time
            first = t if first is None else first
            last = t
    except TraceError as e:
        err = e
    secs = time.perf_counter() - t0
    out.write(f"trace: {inp.name} ({inp.size} bytes, {inp.format})\n")
    out.write(f"events: {n} in {secs:.3f}s ({n / secs if secs else 0:.0f} events/s)\n")
    if first is not None and last is not None:
        out.write(f"time span: {first} .. {last} ns ({(last - first) / 1e6:.3f} ms)\n")
    out.write(f"generations (Sync events): {kinds.get('Sync', 0)}\n")
    for k, c in sorted(kinds.items(), key=lambda kv: (-kv[1], kv[0])):
        out.write(f"  {k:<16} {c}\n")
    out.write("verdict: accepted\n" if err is None else f"verdict: rejected: {err.message}\n")
    return EXIT_OK if err is None else EXIT_FINDING


def register(subparsers: Any) -> None:
    """Add the ``parse`` subcommand."""
    s = subparsers.add_parser(
        "parse", help="parse a trace with the reference parser",
        description="Parse a trace (binary, Go's raw text format, a .test file or a Go fuzz "
        "corpus file; detected from the content) and print its events. Exit 0 when the trace "
        "is accepted, 1 when it is rejected, 2 on usage or I/O errors.",
    )
    s.add_argument("path", help="trace file, or - for standard input")
    s.add_argument(
        "--format", choices=("go", "json", "summary"), default="go",
        help="go: each event as Go's Event.String() (TZ=UTC), then EOF or ERROR: <msg>; "
        "json: canonical JSON lines (docs/canonical-json.md); summary: counts per kind",
    )
    s.add_argument(
        "--go", metavar="VERSION", default=None,
        help="reproduce this Go release's parser (default: the pinned 1.27.3; "
        "docs/releases.md lists the releases reproduced)",
    )
    s.set_defaults(func=cmd_parse)
