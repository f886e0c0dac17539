"""``gotrace-oracle setup``: install a Go toolchain (if needed) and build its helper; with
``--compiled``, also the optional mypyc build of the parser (``oracle.parser.compiled``)."""

from __future__ import annotations

import argparse
from typing import Any

from oracle.cli.exits import EXIT_OK
from oracle.cli.options import add_go_options, helper_binary, toolchain_for
from oracle.parser import compiled

__all__ = ["cmd_setup", "register"]


def cmd_setup(args: argparse.Namespace) -> int:
    """Install the toolchain (if needed) and build the Go helper; print where they are."""
    binary, version = helper_binary(args)
    tc = toolchain_for(args)
    print(f"go {version}: GOROOT {tc.goroot}")
    print(f"helper: {binary}")
    if args.compiled:
        _setup_compiled()
    return EXIT_OK


def _setup_compiled() -> None:
    """Build (or find) the cached compiled parser.  Optional: a failure is one line, and the
    pure-Python parser, always there, is what runs."""
    try:
        d = compiled.build(quiet=False)
    except Exception as e:  # noqa: BLE001 - whatever broke, setup itself succeeds
        print(f"compiled parser: not built ({str(e).splitlines()[0] if str(e) else type(e).__name__});"
              " the pure-Python parser is used")
        return
    print(f"compiled parser: {d}")


def register(subparsers: Any) -> None:
    """Add the ``setup`` subcommand."""
    s = subparsers.add_parser("setup", help="install the pinned Go toolchain and build the Go helper",
                              description=cmd_setup.__doc__)
    add_go_options(s)
    s.add_argument(
        "--compiled", action="store_true",
        help="also compile the parser with mypyc into the cache (optional and cached: about 90 s "
        "of CPU once per source version; on failure the pure-Python parser is used). "
        "GOTRACE_ORACLE_IMPL=pure|compiled|auto selects; auto (default) uses the build if present",
    )
    s.set_defaults(func=cmd_setup)
