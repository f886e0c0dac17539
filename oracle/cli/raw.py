"""``gotrace-oracle raw``: a trace's raw events, without validation (Go's internal/trace/raw)."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from oracle.cli.exits import EXIT_FINDING, EXIT_OK
from oracle.cli.options import open_one
from oracle.parser import canonical, raw
from oracle.parser.errors import TraceError

__all__ = ["cmd_raw", "register"]


def cmd_raw(args: argparse.Namespace) -> int:
    """Print a trace's raw events (internal/trace/raw) in Go's text format or as JSON."""
    inp = open_one(args.path)
    out = sys.stdout
    # A binary file is read through a window (raw.RawStreamReader): memory is independent of
    # its size, and a non-trace costs its header.
    src = inp.source
    if args.format == "json":
        rejected = False
        for rec in canonical.raw_records(src):
            rejected = rec.get("end") == "error"
            out.write(canonical.dumps_record(rec) + "\n")
        return EXIT_FINDING if rejected else EXIT_OK
    reader = None
    try:
        reader = raw.RawReader(src) if isinstance(src, bytes) else raw.RawStreamReader(src)
        w = raw.TextWriter(reader.version, out)
        for ev in reader:
            w.write_event(ev)
    except TraceError as e:
        out.write(f"ERROR: {e.message}\n")
        return EXIT_FINDING
    return EXIT_OK


def register(subparsers: Any) -> None:
    """Add the ``raw`` subcommand."""
    s = subparsers.add_parser("raw", help="print a trace's raw events (no validation)",
                              description=cmd_raw.__doc__)
    s.add_argument("path", help="binary trace file, or - for standard input")
    s.add_argument("--format", choices=("text", "json"), default="text",
                   help="text: Go's raw text format; json: the helper's raw JSON lines")
    s.set_defaults(func=cmd_raw)
