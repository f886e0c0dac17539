#!/usr/bin/env python3
"""Record Go's answers for the hand-built events of ``tests/oracle/_event_cases.py``.

For every case, Go 1.27's ``internal/trace`` builds the same ``Event`` from raw parts (the hook
in ``tools/eventw/export_eventw.go``) and ``tools/eventw/main.go`` prints ``Event.String()`` (or
the panic), the canonical record exactly as the Go helper writes it (``go-harness/modes.go``
``eventRecord``, compiled in unchanged) and the result of ``validateTableIDs``.  The output,
``tests/oracle/data/event_cases.go.jsonl``, is committed; rerun after changing the cases:

    python tools/gen_event_expectations.py --goroot /tmp/go1273/go

The pinned GOROOT is never modified: the hook is compiled in a hard-linked copy (``cp -al``)
under a scratch directory, where new files are added next to the linked ones.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HARNESS_FILES = ("jsonw.go", "modes.go", "api_go123.go", "payload_go125.go", "frames_go124.go")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--goroot", default=os.environ.get("GOROOT"), help="pinned Go 1.27 GOROOT")
    ap.add_argument("--scratch", help="directory for the GOROOT copy (default: a temp dir)")
    args = ap.parse_args(argv)
    if not args.goroot:
        ap.error("--goroot (or $GOROOT) is required")
    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(ROOT / "tests" / "oracle"))
    import _event_cases as cases  # noqa: PLC0415

    scratch = Path(args.scratch or tempfile.mkdtemp(prefix="eventw-"))
    scratch.mkdir(parents=True, exist_ok=True)
    goroot = scratch / "goroot"
    if not goroot.exists():
        subprocess.run(["cp", "-al", str(Path(args.goroot)), str(goroot)], check=True)
    pkg = goroot / "src" / "internal" / "trace"
    hook = pkg / "zz_eventw_export.go"
    hook.unlink(missing_ok=True)
    shutil.copyfile(ROOT / "tools" / "eventw" / "export_eventw.go", hook)
    cmd = pkg / "cmd" / "eventw"
    shutil.rmtree(cmd, ignore_errors=True)
    cmd.mkdir(parents=True)
    shutil.copyfile(ROOT / "tools" / "eventw" / "main.go", cmd / "main.go")
    for f in HARNESS_FILES:
        shutil.copyfile(ROOT / "go-harness" / f, cmd / f)

    env = dict(os.environ, GOROOT=str(goroot), GOTOOLCHAIN="local", TZ="UTC", GOFLAGS="")
    env.setdefault("GOCACHE", str(scratch / "gocache"))
    stdin = "".join(cases.go_input_line(c) + "\n" for c in cases.CASES)
    res = subprocess.run(
        [str(goroot / "bin" / "go"), "run", "."],
        cwd=cmd, env=env, input=stdin.encode(), capture_output=True, check=False,
    )
    if res.returncode != 0:
        sys.stderr.write(res.stderr.decode(errors="replace"))
        return 1
    # split("\n"), not splitlines(): records may hold U+2028 and other "line breaks".
    lines = res.stdout.decode("utf-8").split("\n")[:-1]
    if len(lines) != len(cases.CASES):
        raise SystemExit(f"got {len(lines)} answers for {len(cases.CASES)} cases")
    cases.DATA.parent.mkdir(parents=True, exist_ok=True)
    with cases.DATA.open("w", encoding="utf-8") as out:
        for spec, line in zip(cases.CASES, lines):
            # Keep Go's bytes verbatim after a leading "name" key, so tests can compare the
            # helper's exact output.
            assert line.startswith("{") and json.loads(line)
            out.write('{"name":' + json.dumps(spec["name"]) + "," + line[1:] + "\n")
    print(f"wrote {cases.DATA} ({len(lines)} cases)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
