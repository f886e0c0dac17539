"""``gotrace-oracle export``: a finding as a Go fuzz seed and a ``.test`` file for Go's tests."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from oracle.campaign.export import ExportError, go_fuzz_seed, go_test_file, load_source
from oracle.cli.exits import EXIT_OK, UsageError
from oracle.cli.options import check_output

__all__ = ["cmd_export", "register"]


def cmd_export(args: argparse.Namespace) -> int:
    """Write SOURCE as a ``go test fuzz v1`` seed and/or a ``testdata/tests`` file."""
    if args.go_fuzz is None and args.go_test is None:
        raise UsageError("export: give --go-fuzz DIR and/or --go-test FILE")
    check_output(args.go_fuzz, "--go-fuzz", directory=True)
    check_output(args.go_test, "--go-test")
    try:
        src = load_source(args.source)
        test = go_test_file(src) if args.go_test is not None else None
    except ExportError as e:
        raise UsageError(f"export: {e}") from None
    try:
        if args.go_fuzz is not None:
            name, content = go_fuzz_seed(src.data)
            args.go_fuzz.mkdir(parents=True, exist_ok=True)
            (args.go_fuzz / name).write_bytes(content)
            print(f"wrote {args.go_fuzz / name}: a FuzzReader seed; in Go's tree: copy it to "
                  f"src/internal/trace/testdata/fuzz/FuzzReader/ and run "
                  f"go test internal/trace -run 'FuzzReader/{name}'")
        if test is not None:
            args.go_test.parent.mkdir(parents=True, exist_ok=True)
            args.go_test.write_bytes(test)
            print(f"wrote {args.go_test}: copy it to src/internal/trace/testdata/tests/ and run "
                  f"go test internal/trace -run 'TestReaderGolden/tests/{args.go_test.name}'")
    except OSError as e:
        raise UsageError(f"export: cannot write {e.filename}: {e.strerror or e}") from None
    return EXIT_OK


def register(subparsers: Any) -> None:
    """Add the ``export`` subcommand."""
    s = subparsers.add_parser(
        "export", help="write a finding as a Go fuzz seed and a testdata/tests .test file",
        description="Write SOURCE (a finding directory or a trace file in any input format) in "
        "the forms Go's own tests read: --go-fuzz DIR writes a 'go test fuzz v1' seed for "
        "internal/trace/testdata/fuzz/FuzzReader (named like go test's own files); --go-test "
        "FILE writes a txtar .test file for testdata/tests, whose expect section is the "
        "reference parser's verdict, so that the test fails on a Go with the bug and passes "
        "once it is fixed.",
    )
    s.add_argument("source", type=Path, metavar="FINDING|TRACE",
                   help="finding directory (corpus/findings/<slug>) or trace file")
    s.add_argument("--go-fuzz", type=Path, default=None, metavar="DIR",
                   help="write the fuzz seed into this directory")
    s.add_argument("--go-test", type=Path, default=None, metavar="FILE",
                   help="write the .test file here (name it <something>.test)")
    s.set_defaults(func=cmd_export)
