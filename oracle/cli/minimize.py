"""``gotrace-oracle minimize``: shrink a diverging trace and store it as a finding."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

from oracle.campaign.findings import finding_files, signature_slug, write_finding_dir
from oracle.campaign.sources import default_corpus_root
from oracle.cli.exits import EXIT_FINDING, EXIT_OK, UsageError
from oracle.cli.options import add_go_options, check_output, helper_binary
from oracle.diff.compare import compare, ties_possible
from oracle.diff.impls import GoImpl, PythonImpl
from oracle.diff.minimize import MinimizeStats, minimize, signature_predicate
from oracle.diff.stream import stream_compare
from oracle.parser.releases import reproduced
from oracle.parser.inputs import InputError, StreamInput, open_input

__all__ = ["cmd_minimize", "register"]


def _load_case(case: Path) -> tuple[StreamInput, dict[str, Any]]:
    """The trace of CASE (a binary one stays on disk) and, for a finding directory, its
    metadata."""
    meta: dict[str, Any] = {}
    path = case
    if case.is_dir():
        try:
            meta = json.loads((case / "metadata.json").read_text(encoding="utf-8"))
        except (OSError, ValueError) as e:
            raise UsageError(f"{case}: not a finding directory (metadata.json: {e})") from None
        for name in ("repro.trace", "original.trace"):
            if (case / name).is_file():
                path = case / name
                break
        else:
            raise UsageError(f"{case}: finding directory without repro.trace or original.trace")
    try:
        return open_input(path), meta
    except InputError as e:
        raise UsageError(str(e)) from None


def cmd_minimize(args: argparse.Namespace) -> int:
    """Entry point of ``gotrace-oracle minimize``."""
    if args.deadline is not None and args.deadline <= 0:
        raise UsageError(f"--deadline must be positive, got {args.deadline}")
    check_output(args.out, "--out", directory=True)
    inp, meta = _load_case(args.case)
    wanted: str | None = args.signature or meta.get("signature")
    binary, version = helper_binary(args)
    semantics = reproduced(version)
    py = PythonImpl(semantics)
    # A nondeterministic divergence may need a few runs to show itself.  These runs stream
    # (bounded memory whatever the size), so an input with nothing to minimize, a huge
    # non-trace say, is never loaded whole.
    seen: list[str] = []
    for _ in range(args.attempts):
        c = stream_compare(binary, inp.source, idle_timeout=args.timeout, go=semantics)
        seen.append(c.signature)
        if (wanted is None and not c.agree) or c.signature == wanted:
            break
    else:
        if wanted is None:
            print(f"minimize: {args.case}: no divergence against go{version} "
                  f"({args.attempts} attempt(s)); nothing to minimize")
        else:
            print(f"minimize: {args.case}: does not reproduce {wanted!r} against "
                  f"go{version} (got {', '.join(sorted(set(seen)))})")
        return EXIT_FINDING
    # Minimizing edits the bytes: from here the divergent input is in memory.
    data = inp.data if inp.data is not None else Path(str(inp.path)).read_bytes()
    with GoImpl(binary, version, timeout=args.timeout) as go:
        signature = c.signature
        st = MinimizeStats()
        deadline = time.monotonic() + args.deadline if args.deadline else None
        if not args.quiet:
            print(f"minimize: {args.case}: {signature} ({len(data)} bytes); minimizing ...",
                  file=sys.stderr)
        small = minimize(data, signature_predicate(signature, go, py, semantics), deadline=deadline,
                         stats=st)
        left, right = py.run(small), go.run(small)
        c2 = compare(left, right, ties=ties_possible(small, semantics))
        if c2.signature != signature:  # a flaky (nondeterministic) finding: keep the input
            small, c2 = data, c
            left, right = py.run(small), go.run(small)
    original = data
    if (args.case / "original.trace").is_file() if args.case.is_dir() else False:
        original = (args.case / "original.trace").read_bytes()
    files = finding_files(
        original, c2, left, right, toolchain=version,
        mutations=list(meta.get("mutations") or []), seed=meta.get("seed"), minimized=small,
        extra={"minimize": {"calls": st.calls, "seconds": round(st.seconds, 3),
                            "timed_out": st.timed_out, "structural": st.structural}},
    )
    dest = args.out if args.out is not None else default_corpus_root() / "findings" / signature_slug(signature)
    try:
        write_finding_dir(dest, files)
    except OSError as e:
        raise UsageError(f"minimize: cannot write {dest}: {e.strerror or e}") from None
    print(f"minimize: {signature}: {len(data)} -> {len(small)} bytes in {st.seconds:.1f}s "
          f"({st.calls} predicate calls{', deadline reached' if st.timed_out else ''}); "
          f"wrote {dest}")
    return EXIT_OK


def register(subparsers: Any) -> None:
    """Add the ``minimize`` subcommand to the CLI's subparsers."""
    s = subparsers.add_parser(
        "minimize", help="shrink a diverging trace, keeping its signature",
        description="Reduce CASE (a trace file in any input format, or a finding directory "
        "whose metadata.json names the signature) to a small trace with the same divergence "
        "signature: structural reduction on the raw events (generations, batches, events, "
        "frames, arguments), then byte-level delta debugging. Writes repro.txt (Go's text "
        "format with a comment header), repro.trace, original.trace and metadata.json to "
        "corpus/findings/<slug>/ or --out. Exit 0 when written, 1 when CASE shows no (or "
        "another) divergence, 2 on usage errors.",
    )
    s.add_argument("case", type=Path, help="trace file or finding directory")
    s.add_argument("--signature", default=None,
                   help="signature to keep (default: the finding's, else CASE's current one)")
    s.add_argument("--out", type=Path, default=None,
                   help="write the finding files into this directory (replaced if it exists)")
    s.add_argument("--deadline", type=float, default=120.0,
                   help="seconds to spend minimizing (default 120); the best so far is kept")
    s.add_argument("--timeout", type=float, default=10.0, help="seconds Go may take per run")
    s.add_argument("--attempts", type=int, default=3,
                   help="runs to reproduce a (possibly nondeterministic) divergence (default 3)")
    s.add_argument("-q", "--quiet", action="store_true", help="no progress message")
    add_go_options(s, role="compare with")
    s.set_defaults(func=cmd_minimize)
