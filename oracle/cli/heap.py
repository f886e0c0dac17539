"""``gotrace-oracle heap TRACE [--json FILE] [--plot FILE] [--top N] [--release 1.xx]``.

Replays the AllocFree events of a trace (``GODEBUG=traceallocfree=1``) into a model of the
heap (:mod:`oracle.heap`) and prints a summary and every broken rule with its first examples.
Exit 0 without violations (or without AllocFree data, which it says), 1 with violations or a
trace the parser rejects, 2 on usage or I/O errors.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from oracle.cli.exits import EXIT_FINDING, EXIT_OK, UsageError
from oracle.heap.check import HeapStatus, check_trace
from oracle.heap.report import PlotUnavailable, format_summary, plot, to_json
from oracle.heap.sizeclasses import RELEASE_TABLES
from oracle.parser.inputs import InputError, load

__all__ = ["cmd_heap", "register"]


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add the ``heap`` subcommand."""
    p = sub.add_parser(
        "heap",
        help="check the AllocFree heap events of a trace against the heap rules",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("trace", help="trace file (binary, text, txtar or Go fuzz corpus; - for stdin)")
    p.add_argument("--json", metavar="FILE", type=Path, help="write violations, examples and summary as JSON")
    p.add_argument("--plot", metavar="FILE", type=Path, help="draw live heap bytes over time (.png or .svg; needs the plot extra)")
    p.add_argument("--top", metavar="N", type=int, default=10, help="types listed in the summary (default 10)")
    p.add_argument("--examples", metavar="N", type=int, default=3, help="examples per violated rule (default 3)")
    p.add_argument("--release", metavar="1.XX", default=None,
                   help="Go release that wrote the trace, for release-specific causes "
                   f"({', '.join(RELEASE_TABLES)}); the header cannot tell 1.23 from 1.24")
    p.set_defaults(func=cmd_heap)


def cmd_heap(args: argparse.Namespace) -> int:
    """Run the heap oracle on one trace."""
    if args.top < 0 or args.examples < 0:
        raise UsageError("--top and --examples must not be negative")
    if args.release is not None and args.release not in RELEASE_TABLES:
        raise UsageError(f"unknown --release {args.release!r} (one of {', '.join(RELEASE_TABLES)})")
    if args.plot is not None and args.plot.suffix.lower() not in (".png", ".svg"):
        raise UsageError("--plot needs a .png or .svg file name")
    try:
        ti = load(args.trace)
    except InputError as e:
        raise UsageError(str(e)) from None
    v = check_trace(ti.data, release=args.release, max_examples=args.examples, top=args.top)
    if v.status is HeapStatus.NO_ALLOCFREE:
        print(f"{ti.name}: no AllocFree data (run the program with GODEBUG=traceallocfree=1)")
    else:
        print(format_summary(ti.name, v.result, args.top))
    if v.parse_error is not None:
        print(f"{ti.name}: trace rejected by the parser after {v.result.events} events: {v.parse_error}")
    try:
        if args.json is not None:
            args.json.write_text(json.dumps(to_json(v.result), indent=1) + "\n")
        if args.plot is not None and v.status is not HeapStatus.NO_ALLOCFREE:
            plot(v.result, args.plot, ti.name)
    except OSError as e:
        raise UsageError(f"cannot write output: {e.strerror or e}") from None
    except PlotUnavailable as e:
        raise UsageError(str(e)) from None
    if v.status is HeapStatus.VIOLATIONS or v.parse_error is not None:
        return EXIT_FINDING
    return EXIT_OK
