"""The README's library example runs as written, on a real trace."""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

from oracle.harness.realtraces import real_traces

README = Path(__file__).resolve().parent.parent / "README.md"


def test_readme_library_example_runs() -> None:
    code = re.search(r"```python\n(.*?)```", README.read_text(), re.S)
    assert code is not None
    trace = next(t for t in real_traces() if t.scenario == "annotations" and not t.allocfree)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(code.group(1).replace('"prog.trace"', repr(str(trace.path))), {})
    text = out.getvalue()
    assert "Running->Waiting" in text
    assert "phase start" in text
    assert "rejected" not in text


def test_readme_quick_start_is_two_commands() -> None:
    section = README.read_text().split("## Quick start", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```sh\n(.*?)```", section, re.S)
    assert block is not None
    commands = [line.split("#")[0].strip() for line in block.group(1).splitlines() if line.strip()]
    assert commands == ["make fuzz", "make test"]
