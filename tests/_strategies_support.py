"""Shared helpers of the strategies tests: run a trace through both parsers and judge.

The differential judgement follows the issue: a valid trace must be accepted by Go and give
identical output in Python; a mutated trace must give identical output on both sides, except
for the known Go findings of docs/go-findings.md, which are matched by signature here
(:func:`known_finding`).  Anything else is a real divergence and fails the test.
"""

from __future__ import annotations

import re
from typing import Any

from oracle.diff import Comparison, Outcome, Status, Verdict, compare
from oracle.diff.impls import PythonImpl
from oracle.diff.compare import normalize_error
from oracle.diff.outcome import outcome_from_canonical
from oracle.harness.helper import GoHelper

_PY = PythonImpl()

#: Finding 12: Go walks sparse stack/string tables in map order when validating stacks.
_STACK_VALIDATION = re.compile(
    r"^found (?:invalid (?:func|file) string ID \d+|unknown pc [0-9a-f]+) for stack \d+$"
)


def _text(err: Any) -> str | None:
    """Go's canonical error value as the Python-side string (surrogateescape for non-UTF-8).

    The canonical dump writes a non-UTF-8 error as ``{"hex": ...}``; ``oracle.diff`` does not
    decode that yet (reported to the lead), so it is decoded here before comparing.
    """
    if isinstance(err, dict) and "hex" in err:
        return bytes.fromhex(err["hex"]).decode("utf-8", "surrogateescape")
    return err if err is None or isinstance(err, str) else str(err)


def go_outcome(helper: GoHelper, data: bytes) -> Outcome:
    """Go's outcome for ``data`` through a serve-mode helper (as ``GoImpl.run`` does)."""
    res = helper.request("parse", data)
    if res.outcome == "ok":
        o = outcome_from_canonical("go", res.output)
        return Outcome(o.impl, o.status, o.records, _text(o.error), o.detail)
    if res.outcome == "panic":
        partial = outcome_from_canonical("go", res.output)
        return Outcome("go", Status.PANIC, partial.records, res.panic, res.stack)
    status = Status.TIMEOUT if res.outcome == "timeout" else Status.CRASH
    return Outcome("go", status, (), res.outcome, res.stderr)


def both(helper: GoHelper, data: bytes) -> tuple[Outcome, Outcome, Comparison]:
    """Python's and Go's outcomes and their comparison."""
    py = _PY.run(data)
    go = go_outcome(helper, data)
    return py, go, compare(py, go)


def _same_error(py: Outcome, go: Outcome) -> bool:
    """Equal error texts up to the documented normalization (first line of a state dump)."""
    return normalize_error(py.error or "") == normalize_error(go.error or "")


def known_finding(py: Outcome, go: Outcome, c: Comparison) -> str | None:
    """The docs/go-findings.md finding this disagreement is, or None for a new divergence."""
    if c.verdict is Verdict.GO_PANIC and go.status is not Status.PANIC:
        # Findings 1-4: an accessor panics in Go; Python must mirror the very same records.
        if py.status is go.status and py.records == go.records and _same_error(py, go):
            return "accessor-panic:" + c.signature
        return None
    if c.verdict is Verdict.EVENT_MISMATCH and c.field == "m" and isinstance(c.left, dict):
        # Finding 5: the promoted ProcSyscallAbandoned status names a random M.
        if c.left.get("kind") == "StateTransition" and py.status is go.status:
            rest_py = [r for i, r in enumerate(py.records) if i != c.index]
            rest_go = [r for i, r in enumerate(go.records) if i != c.index]
            if rest_py == rest_go and _same_error(py, go):
                return "abandoned-promotion-random-m"
        return None
    if c.verdict is Verdict.ERROR_TEXT_MISMATCH:
        # Finding 12: which invalid stack is reported depends on Go's map order.
        if _STACK_VALIDATION.match(py.error or "") and _STACK_VALIDATION.match(go.error or ""):
            return "stack-validation-random-order"
    return None


def describe(py: Outcome, go: Outcome, c: Comparison) -> str:
    """A failure message with both sides' endings and the first difference."""
    return (
        f"{c.verdict.value} {c.signature} at record {c.index} field {c.field}\n"
        f"  python: {py.status.value} {py.error!r}\n  go:     {go.status.value} {go.error!r}\n"
        f"  left:  {str(c.left)[:400]}\n  right: {str(c.right)[:400]}"
    )
