"""``gotrace-oracle setup``: install a Go toolchain (if needed) and build its helper."""

from __future__ import annotations

import argparse
from typing import Any

from oracle.cli.exits import EXIT_OK
from oracle.cli.options import add_go_options, helper_binary, toolchain_for

__all__ = ["cmd_setup", "register"]


def cmd_setup(args: argparse.Namespace) -> int:
    """Install the toolchain (if needed) and build the Go helper; print where they are."""
    binary, version = helper_binary(args)
    tc = toolchain_for(args)
    print(f"go {version}: GOROOT {tc.goroot}")
    print(f"helper: {binary}")
    return EXIT_OK


def register(subparsers: Any) -> None:
    """Add the ``setup`` subcommand."""
    s = subparsers.add_parser("setup", help="install the pinned Go toolchain and build the Go helper",
                              description=cmd_setup.__doc__)
    add_go_options(s)
    s.set_defaults(func=cmd_setup)
