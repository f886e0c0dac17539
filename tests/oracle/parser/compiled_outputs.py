"""Print, per input, digests of the parser's ``go`` and ``json`` outputs; one implementation.

Run as a script by ``test_compiled.py`` once per implementation (``GOTRACE_ORACLE_IMPL=pure``
and ``=compiled``), so each side parses every input in one process.  The first output line is
``impl <oracle.parser.compiled.implementation()>``.  Inputs come one per line on standard
input as ``<how> <path>``; each output line is ``<go sha256> <json sha256> <path>``.

``how`` is ``cli``: exactly ``gotrace-oracle parse --format go`` and ``--format json``
(:func:`open_input`, then :func:`canonical.go_string_lines` and :func:`canonical.dump_trace`:
two parses), or ``once``: one parse giving both (:func:`canonical.dump_and_strings`, what the
campaigns compare), for big traces.  ``--out DIR`` also writes the full outputs there
(``<n>.go``, ``<n>.json``), to diff by hand.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import sys
from pathlib import Path

os.environ["TZ"] = "UTC"  # Go's String() renders wall-clock times in the local zone


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--out", type=Path, default=None)
    args = p.parse_args()
    from oracle.parser import canonical, compiled
    from oracle.parser.inputs import open_input

    print(f"impl {compiled.implementation()}", flush=True)
    for n, line in enumerate(sys.stdin):
        how, path = line.rstrip("\n").split(" ", 1)
        if how == "cli":
            outs = [
                "".join(f"{s}\n" for s in lines(open_input(path).source)).encode("utf-8", "surrogateescape")
                for lines in (canonical.go_string_lines, canonical.dump_trace)
            ]
        else:
            dump, strings = canonical.dump_and_strings(open_input(path).source)
            outs = [strings, dump]
        if args.out is not None:
            (args.out / f"{n}.go").write_bytes(outs[0])
            (args.out / f"{n}.json").write_bytes(outs[1])
        print(f"{hashlib.sha256(outs[0]).hexdigest()} {hashlib.sha256(outs[1]).hexdigest()} {path}",
              flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
