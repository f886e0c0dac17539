"""The ``matrix`` subcommand: every input through every selected Go release's real parser.

``gotrace-oracle matrix INPUT... [--go all|V1,V2] [--json FILE] [--html FILE]`` prints one
line per input with each release's verdict (see :mod:`oracle.campaign.matrix`), marks the
inputs on which releases disagree, and checks the reference in every cell of a release it
reproduces.  Exit 0 when the reference agrees everywhere it is checked, 1 when it disagrees
somewhere, 2 on usage errors.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any, Final

__all__ = ["cmd_matrix", "register"]


#: The largest input whose cells are computed from whole outcomes (fast for the small
#: traces of test corpora).  A bigger trace file is streamed cell by cell in bounded memory
#: (:func:`oracle.campaign.matrix.stream_cell`), except a v1 trace, which Go reads whole:
#: whole outcomes of those take about 1 GB per MB of trace, so they are refused.
MAX_INPUT_BYTES: Final = 2 << 20


def cmd_matrix(args: argparse.Namespace) -> int:
    """Build the matrix, print it, write the requested files."""
    from contextlib import ExitStack

    from oracle.campaign.matrix import build_matrix, matrix_html, matrix_json, stream_cell
    from oracle.campaign.progress import Progress
    from oracle.campaign.report import write_json_atomic
    from oracle.cli.exits import EXIT_FINDING, EXIT_OK, UsageError
    from oracle.cli.options import check_output, go_releases
    from oracle.diff.compare import ties_possible
    from oracle.diff.impls import GoImpl, PythonImpl
    from oracle.diff.stream import header_of
    from oracle.harness import toolchain
    from oracle.parser.inputs import InputError, expand_paths, load
    from oracle.parser.releases import reproduced

    check_output(args.json, "--json")
    check_output(args.html, "--html")
    releases = go_releases(args.go)
    inputs: list[tuple[str, bytes | Path]] = []
    for path in expand_paths(args.inputs):
        size = Path(path).stat().st_size if path != "-" and Path(path).is_file() else 0
        if size > MAX_INPUT_BYTES:
            if ties_possible(header_of(Path(path))):
                raise UsageError(
                    f"{path}: a v1 trace of {size:,} bytes; Go reads v1 traces whole, and "
                    f"matrix takes them up to {MAX_INPUT_BYTES:,} bytes (compare it with "
                    "`gotrace-oracle diff --go VER`)")
            inputs.append((path, Path(path)))  # streamed cell by cell
            continue
        try:
            inp = load(path)
        except InputError as e:
            raise UsageError(str(e)) from None
        inputs.append((inp.name, inp.data))
    if not inputs:
        raise UsageError("no inputs")
    with ExitStack() as stack:
        gos: dict[str, Any] = {}
        binaries: dict[str, Path] = {}
        for rel in releases:
            try:
                binary = binaries[rel] = toolchain.build_helper(toolchain.ensure(rel))
            except toolchain.ToolchainError as e:
                raise UsageError(str(e).splitlines()[0]) from None
            gos[rel] = stack.enter_context(GoImpl(binary, rel, timeout=args.timeout))

        def streamed(rel: str, path: Path, checked: bool) -> Any:
            return stream_cell(binaries[rel], path, reproduced(rel), checked=checked,
                               idle_timeout=args.timeout)

        def reference_for(rel: str) -> Any:
            sem = reproduced(rel)
            return None if sem is None else PythonImpl(sem)

        progress = Progress(enabled=not args.quiet and len(inputs) * len(releases) > 1,
                            prefix="matrix: ")
        try:
            m = build_matrix(inputs, releases, gos.__getitem__, reference_for, progress=progress,
                             streamed=streamed)
        finally:
            progress.clear()
    width = max(len(r.name) for r in m.rows)
    print(f"{'input':<{width}}  " + "  ".join(f"{'go' + r:<16}" for r in releases))
    for row in m.rows:
        cells = []
        for rel in releases:
            c = row.cells[rel]
            mark = {"agree": "", "disagree": " !REF", "n/a": " ?"}[c.reference]
            cells.append(f"{(c.label + mark)[:16]:<16}")
        flag = "*" if row.releases_disagree else " "
        print(f"{row.name:<{width}} {flag}" + "  ".join(cells))
    print(f"matrix: {len(m.rows)} inputs x {len(releases)} releases; releases disagree on "
          f"{m.rows_where_releases_disagree} inputs (*); reference disagrees in "
          f"{m.reference_disagreements} cells (!REF; ? = release not reproduced)")
    try:
        if args.json is not None:
            write_json_atomic(args.json, matrix_json(m))
        if args.html is not None:
            args.html.write_text(matrix_html(m))
    except OSError as e:
        raise UsageError(f"cannot write: {e}") from None
    sys.stdout.flush()
    return EXIT_FINDING if m.reference_disagreements else EXIT_OK


def register(subparsers: Any) -> None:
    """Add ``matrix`` to the CLI."""
    from pathlib import Path

    p = subparsers.add_parser(
        "matrix", help="every input through every Go release's parser, as a table",
        description=__doc__.splitlines()[2].strip() if __doc__ else None,
    )
    p.add_argument("inputs", nargs="+", metavar="INPUT", help="trace files or directories")
    p.add_argument("--go", default="all", metavar="all|V1,V2",
                   help="releases to run (default: all supported releases)")
    p.add_argument("--json", type=Path, default=None, metavar="FILE", help="write the matrix as JSON")
    p.add_argument("--html", type=Path, default=None, metavar="FILE",
                   help="write the matrix as one self-contained HTML page")
    p.add_argument("--timeout", type=float, default=20.0,
                   help="seconds per Go run (for a streamed big trace: seconds without progress)")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress line")
    p.set_defaults(func=cmd_matrix)
