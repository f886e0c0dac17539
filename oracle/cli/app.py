"""The ``gotrace-oracle`` command line: the parser of every subcommand, and ``main``.

Exit statuses are the same for every subcommand (:mod:`oracle.cli.exits`): 0 success (trace
accepted, implementations agree), 1 a finding (trace rejected, implementations disagree), 2 a
usage or I/O error, 130 interrupted.  Errors are one line on stderr, never a traceback: a
traceback from this program is a bug.  Each subcommand is a thin module of this package with
``register(subparsers)``; the work happens in the layers below.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.metadata
import sys
from collections.abc import Callable, Sequence

from oracle.cli.exits import EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE, UsageError

__all__ = ["SUBCOMMAND_MODULES", "build_parser", "main", "version_line"]

#: The subcommands, in ``--help`` order: each module has ``register(subparsers)``, which adds
#: a parser with ``set_defaults(func=...)``; the function takes the parsed arguments and
#: returns the exit status (raising :class:`UsageError` for a one-line usage error).
SUBCOMMAND_MODULES: list[str] = [
    "oracle.cli.setup",
    "oracle.cli.parse",
    "oracle.cli.raw",
    "oracle.cli.diff",
    "oracle.cli.coverage",
    "oracle.cli.generate",
    "oracle.cli.minimize",
    "oracle.cli.conform",
    "oracle.cli.fuzz",
    "oracle.cli.heap",
    "oracle.cli.export",
    "oracle.cli.matrix",
]


def version_line() -> str:
    """``--version``: the package version, the pinned Go whose parser it mirrors, and which
    parser implementation runs: ``pure Python`` or ``compiled (<build key>)``, the cached mypyc
    build (``oracle.parser.compiled``)."""
    from oracle.parser import compiled

    try:
        version = importlib.metadata.version("gotrace-oracle")
    except importlib.metadata.PackageNotFoundError:  # run from a tree that is not installed
        version = "unknown (not installed)"
    impl = compiled.implementation()
    impl = "pure Python" if impl == "pure" else impl
    return f"gotrace-oracle {version} (parser: {impl}; mirrors Go 1.27.3 internal/trace)"


class _VersionAction(argparse.Action):
    """``--version``, printed as is: argparse's own action wraps the line to the terminal
    width, and the compiled build's key makes it longer than 80 columns."""

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace,
                 values: object, option_string: str | None = None) -> None:
        print(version_line())
        parser.exit()


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (exposed for tests and docs)."""
    p = argparse.ArgumentParser(
        prog="gotrace-oracle",
        description="Reference parser and differential tester for Go execution traces "
        "(internal/trace: v2 traces Go 1.22-1.26 and v1 traces Go 1.11-1.21, as read by Go 1.27.3).",
        epilog="Exit status: 0 ok, 1 trace rejected or implementations disagree, "
        "2 usage or I/O error, 130 interrupted.",
    )
    p.add_argument("--version", action=_VersionAction, nargs=0,
                   help="print the version and which parser runs (pure or compiled), then exit")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for module in SUBCOMMAND_MODULES:
        importlib.import_module(module).register(sub)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``gotrace-oracle`` console script."""
    parser = build_parser()
    args = parser.parse_args(argv)
    func: Callable[[argparse.Namespace], int] = args.func
    try:
        return func(args)
    except UsageError as e:
        print(f"gotrace-oracle: {e}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("gotrace-oracle: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        return EXIT_OK
