"""The ``generate`` subcommand: write generated (and mutated) traces for other tools.

``gotrace-oracle generate --count N --out DIR [--mutated] [--seed S] [--version V]`` draws N
traces from the strategies' model (:mod:`strategies`) with a seeded ``random.Random`` instead
of Hypothesis (no shrinking is needed here, and it is much faster: ``docs/benchmarks.md``,
"Trace generation"), and writes, per example:

* ``<name>.trace``: the binary trace;
* ``<name>.txt``: Go's raw text form, when the version's event table can express it (it is
  the same trace with minimal varints; byte-mutated and header-mutated traces have none);
* one line of ``manifest.jsonl``: file names, version, expectation, mutations, swarm features
  and event count.

The same ``--seed`` gives the same files.  This module is app layer: it may import anything;
the CLI registers it through ``SUBCOMMAND_MODULES`` (see :func:`register`).
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path
from typing import Any

from oracle.cli.exits import EXIT_OK, UsageError
from oracle.parser.version import V2_VERSIONS, Version

__all__ = ["generate", "parse_versions", "register"]


def parse_versions(spec: str) -> list[Version]:
    """``26``, ``1.26``, ``go1.26`` or a comma-separated list of them -> v2 versions."""
    out: list[Version] = []
    for part in spec.split(","):
        s = part.strip().lower().removeprefix("go").removeprefix("1.")
        if not s.isdigit() or int(s) not in {int(v) for v in V2_VERSIONS}:
            raise ValueError(
                f"unknown trace version {part.strip()!r} (one of "
                f"{', '.join('1.' + str(int(v)) for v in V2_VERSIONS)})"
            )
        out.append(Version(int(s)))
    return out


def generate(out: Path, count: int, *, seed: int = 0, mutated: bool = False,
             versions: list[Version] | None = None, max_events: int = 120,
             max_generations: int = 3) -> list[dict[str, Any]]:
    """Write ``count`` examples into ``out`` and return their manifest entries."""
    from strategies import RandomChooser, draw_valid, mutate, trace_params

    vs, template = trace_params(versions=versions, max_events=max_events,
                                max_generations=max_generations)
    out.mkdir(parents=True, exist_ok=True)
    kind = "mutated" if mutated else "valid"
    entries: list[dict[str, Any]] = []
    with open(out / "manifest.jsonl", "w", encoding="utf-8") as manifest:
        for i in range(count):
            ch = RandomChooser(random.Random(f"gotrace-oracle:{seed}:{kind}:{i}"))
            tr = draw_valid(ch, vs, template)
            if mutated:
                tr = mutate(ch, tr)
            name = f"{kind}-{seed}-{i:05d}"
            (out / f"{name}.trace").write_bytes(tr.to_binary())
            text = tr.to_text()
            if text is not None:
                (out / f"{name}.txt").write_text(text, encoding="utf-8", errors="surrogateescape")
            entry = {
                "trace": f"{name}.trace",
                "text": f"{name}.txt" if text is not None else None,
                "version": f"1.{int(tr.version)}",
                "expect": tr.expectation.outcome.value,
                "reason": tr.expectation.reason or None,
                "pattern": tr.expectation.pattern,
                "mutations": list(tr.mutations),
                "features": sorted(tr.features),
                "events": tr.num_events(),
            }
            entries.append(entry)
            manifest.write(json.dumps(entry) + "\n")
    return entries


def cmd_generate(args: argparse.Namespace) -> int:
    """Entry point of ``gotrace-oracle generate``."""
    if args.count < 0:
        raise UsageError(f"--count must be at least 0, got {args.count}")
    if not 0 <= args.max_events <= 5000:
        raise UsageError(f"--max-events must be between 0 and 5000, got {args.max_events}")
    if not 1 <= args.max_generations <= 32:
        raise UsageError(f"--max-generations must be between 1 and 32, got {args.max_generations}")
    try:
        versions = parse_versions(args.version) if args.version else None
    except ValueError as e:
        raise UsageError(str(e)) from None
    if args.out.exists() and not args.out.is_dir():
        raise UsageError(f"--out {args.out}: not a directory")
    try:
        entries = generate(args.out, args.count, seed=args.seed, mutated=args.mutated,
                           versions=versions, max_events=args.max_events,
                           max_generations=args.max_generations)
    except OSError as e:
        raise UsageError(f"{args.out}: {e.strerror or e}") from None
    if not args.quiet:
        texts = sum(1 for e in entries if e["text"])
        print(f"wrote {len(entries)} {'mutated' if args.mutated else 'valid'} traces "
              f"({texts} with text form) to {args.out}")
    return EXIT_OK


def register(subparsers: Any) -> None:
    """Add the ``generate`` subcommand to the CLI's subparsers."""
    s = subparsers.add_parser(
        "generate", help="write generated (or mutated) traces as .trace and .txt files",
        description="Draw traces from the strategies' forward model of Ms, Ps and Gs "
        "(seeded, reproducible) and write each as a binary .trace file plus, when its version "
        "can express it, Go's raw text form (.txt); manifest.jsonl lists them with their "
        "expectation and applied mutations. Valid traces are accepted by Go's parser; "
        "--mutated applies named structural and byte-level mutations.",
    )
    s.add_argument("--count", type=int, default=10, help="number of traces (default 10)")
    s.add_argument("--out", type=Path, required=True, help="output directory (created)")
    s.add_argument("--mutated", action="store_true", help="apply mutations to each trace")
    s.add_argument("--seed", type=int, default=0, help="seed (default 0); same seed, same files")
    s.add_argument("--version", default=None, metavar="V",
                   help="trace version(s): 22, 23, 25, 26 (or 1.26, go1.26), comma-separated; "
                   "default all")
    s.add_argument("--max-events", type=int, default=120,
                   help="simulation steps per generation (default 120)")
    s.add_argument("--max-generations", type=int, default=3, help="generations (default 3)")
    s.add_argument("-q", "--quiet", action="store_true", help="no summary line")
    s.set_defaults(func=cmd_generate)
