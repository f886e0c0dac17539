"""The cross-release matrix: every input through every selected Go release's real parser.

Each cell is one release's verdict on one input, in the style of JSONTestSuite's results
table: ``accepted`` (with the event count), ``rejected`` (with the error), ``panic``,
``unsupported`` (the release does not know the trace's version) or ``crash`` (the helper died
or timed out).  Rows where releases disagree are the interesting ones and are highlighted.

The reference is checked in every cell whose release it reproduces
(:mod:`oracle.parser.releases`): ``agree`` or ``disagree``, under that release's semantics
(v1 inputs up to Go's tie order, as everywhere).  Cells of releases it does not reproduce say
``n/a``, never a guess.

A cell normally holds both whole outcomes while it is computed, which for a big trace is
about 1 GB per MB of trace.  Inputs given as a :class:`~pathlib.Path` are instead computed
cell by cell in bounded memory (:func:`stream_cell`): the release's helper streams its
records, the reference parses the file alongside, and only the counts and the first
divergence are kept, as ``diff`` does.

:func:`build_matrix` computes; :func:`matrix_json` and :func:`matrix_html` render (the HTML is
one self-contained file: inline CSS, no script, no external resource).
"""

from __future__ import annotations

import html
import json
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Final, Protocol

from oracle.diff.compare import MAP_ORDER_RETRIES, AccessorPanic, Comparison, compare, ties_possible
from oracle.diff.outcome import End, Outcome, Status
from oracle.diff.stream import StreamComparison, go_side, python_side
from oracle.harness.helper import HelperStream

__all__ = ["Cell", "Matrix", "Row", "build_matrix", "cell_of", "matrix_html", "matrix_json",
           "stream_cell"]

_UNSUPPORTED_PREFIXES: Final = (
    "unknown or unsupported trace version",
    "unknown or unsupported version",
)


class _Runs(Protocol):
    def run(self, data: bytes) -> Outcome: ...


@dataclass(frozen=True, slots=True)
class Cell:
    """One release's verdict on one input, and the reference's agreement with it."""

    verdict: str  # accepted, rejected, panic, unsupported, crash
    events: int | None = None  # accepted: how many events
    detail: str | None = None  # rejected/unsupported: the error; panic/crash: the message
    reference: str = "n/a"  # agree, disagree, n/a (release not reproduced)
    signature: str | None = None  # the comparison's signature when the reference disagrees

    @property
    def label(self) -> str:
        """The short text of the cell (the verdict, the event count)."""
        if self.verdict in ("accepted", "panic") and self.events is not None:
            return f"{self.verdict} ({self.events})"
        return self.verdict


@dataclass(slots=True)
class Row:
    """One input across the releases."""

    name: str
    cells: dict[str, Cell] = field(default_factory=dict)

    @property
    def releases_disagree(self) -> bool:
        """Whether the releases' answers differ: verdict, error or panic text.

        Event counts are shown but not compared: Go 1.25 moved the Sync events, so every
        trace has a different count before and after it.
        """
        return len({(c.verdict, c.detail) for c in self.cells.values()}) > 1


@dataclass(slots=True)
class Matrix:
    """The whole table: releases (columns) and inputs (rows)."""

    releases: list[str]
    rows: list[Row] = field(default_factory=list)

    @property
    def reference_disagreements(self) -> int:
        return sum(c.reference == "disagree" for r in self.rows for c in r.cells.values())

    @property
    def rows_where_releases_disagree(self) -> int:
        return sum(r.releases_disagree for r in self.rows)


def _go_cell(status: Status, error: str | None, records: int,
             panic: AccessorPanic | None) -> Cell:
    """The cell of how Go ended, without the reference's check."""
    if status is Status.ACCEPTED and panic is not None:
        # An accessor of a returned event panicked (the helper recovers and records it).
        return Cell("panic", records, f"{panic.accessor}: {panic.message}")
    if status is Status.ACCEPTED:
        return Cell("accepted", records)
    if status is Status.REJECTED:
        err = error or ""
        return Cell("unsupported" if err.startswith(_UNSUPPORTED_PREFIXES) else "rejected", None, err)
    return Cell("panic" if status is Status.PANIC else "crash", None, error)


def _checked(cell: Cell, c: Comparison, mirrored: bool) -> Cell:
    """``cell`` with the reference's agreement: Go's panics are Go's bugs, so the reference
    agrees when it ``mirrored`` them (same end, every record equal)."""
    if c.agree or (c.signature.startswith("go-panic") and mirrored):
        return Cell(cell.verdict, cell.events, cell.detail, "agree")
    return Cell(cell.verdict, cell.events, cell.detail, "disagree", c.signature)


def cell_of(go: Outcome, reference: Outcome | None, data: bytes,
            semantics: str | None = None) -> Cell:
    """The cell for Go's outcome, checked against the reference's (None: not reproduced),
    which followed ``semantics`` (the release, for how Go may order ties)."""
    panic = next((p for i, r in enumerate(go.records) if (p := AccessorPanic.of(i, r))), None)
    cell = _go_cell(go.status, go.error, len(go.records), panic)
    if reference is None:
        return cell
    c = compare(reference, go, ties=ties_possible(data, semantics))
    return _checked(cell, c, reference.status is go.status and reference.records == go.records)


def stream_cell(binary: Path, path: Path, semantics: str | None, *, checked: bool,
                idle_timeout: float) -> Cell:
    """:func:`cell_of` for the trace at ``path`` in bounded memory: Go's helper ``binary``
    streams its records and, when ``checked``, the reference (``semantics``: the release it
    follows) parses the file alongside.  Not for v1 traces (Go reads those whole, and their
    events of equal timestamps come in any order): :func:`cell_of` takes them."""
    with HelperStream(binary, "parse", path, idle_timeout=idle_timeout) as helper:
        right = go_side(helper)
        if not checked:
            n, panic, end = 0, None, None
            for item in right:
                if isinstance(item, End):
                    end = item
                    break
                if panic is None and b'"panics":' in item:
                    panic = AccessorPanic.of(n, json.loads(item))
                n += 1
            assert end is not None
            return _go_cell(end.status, end.error, n, panic)
        sc = StreamComparison(python_side(path, go=semantics), right)
        for _ in sc:
            pass
    assert sc.final is not None and sc.left_end is not None and sc.right_end is not None
    cell = _go_cell(sc.right_end.status, sc.right_end.error, sc.right_count, sc.go_panic)
    mirrored = (sc.divergence is None and sc.left_end.status is sc.right_end.status
                and sc.left_count == sc.right_count)
    return _checked(cell, sc.final, mirrored)


def build_matrix(
    inputs: Sequence[tuple[str, bytes | Path]],
    releases: Sequence[str],
    go_for: Callable[[str], _Runs],
    reference_for: Callable[[str], _Runs | None],
    progress: Callable[[str], None] | None = None,
    streamed: Callable[[str, Path, bool], Cell] | None = None,
) -> Matrix:
    """Run every input through every release (``go_for(release)``) and the reference.

    ``reference_for(release)`` is the reference under that release's semantics, or None when
    the reference does not reproduce the release.  An input given as a path is computed by
    ``streamed(release, path, checked)`` instead (:func:`stream_cell`; ``checked``: whether
    the reference reproduces the release).
    """
    m = Matrix(list(releases))
    rows = {name: Row(name) for name, _ in inputs}
    m.rows = list(rows.values())
    for rel in releases:
        go = go_for(rel)
        ref = reference_for(rel)
        for n, (name, data) in enumerate(inputs, 1):
            if isinstance(data, Path):
                if streamed is None:
                    raise ValueError(f"{name}: a path input needs streamed=")
                rows[name].cells[rel] = streamed(rel, data, ref is not None)
            else:
                reference = None if ref is None else ref.run(data)
                sem = None if ref is None else rel
                cell = cell_of(go.run(data), reference, data, sem)
                # Where Go's answer depends on its map order, ask again: the reference gives one.
                retries = MAP_ORDER_RETRIES if ties_possible(data, sem) else 0
                while cell.reference == "disagree" and retries:
                    cell, retries = cell_of(go.run(data), reference, data, sem), retries - 1
                rows[name].cells[rel] = cell
            if progress is not None:
                progress(f"go{rel}: {n}/{len(inputs)} inputs")
    return m


def matrix_json(m: Matrix) -> dict[str, Any]:
    """The matrix as JSON: releases, then per input its cells and whether releases disagree."""
    return {
        "releases": m.releases,
        "rows": [
            {"input": r.name, "releases_disagree": r.releases_disagree,
             "cells": {rel: asdict(c) for rel, c in r.cells.items()}}
            for r in m.rows
        ],
        "summary": {
            "inputs": len(m.rows),
            "rows_where_releases_disagree": m.rows_where_releases_disagree,
            "reference_disagreements": m.reference_disagreements,
        },
    }


_CSS: Final = """
body { font-family: sans-serif; font-size: 13px; margin: 1em; }
table { border-collapse: collapse; }
th, td { border: 1px solid #bbb; padding: 2px 6px; text-align: left; vertical-align: top; }
th { background: #eee; position: sticky; top: 0; }
td.accepted { background: #c8f0c8; }
td.rejected { background: #f6e3a6; }
td.unsupported { background: #ddd; color: #555; }
td.panic { background: #f4a0a0; }
td.crash { background: #d070d0; }
tr.differ td.name { background: #ffd84d; font-weight: bold; }
td .ref { font-size: 11px; display: block; }
td .ref.disagree { color: #b00; font-weight: bold; }
td .ref.agree { color: #060; }
td .ref.na { color: #888; }
"""


def matrix_html(m: Matrix, title: str = "gotrace-oracle matrix") -> str:
    """One self-contained HTML page: the table, rows where releases disagree highlighted."""
    e = html.escape
    out = [
        "<!DOCTYPE html>",
        f"<html><head><meta charset='utf-8'><title>{e(title)}</title><style>{_CSS}</style></head><body>",
        f"<h1>{e(title)}</h1>",
        f"<p>{len(m.rows)} inputs, {len(m.releases)} releases; releases disagree on "
        f"{m.rows_where_releases_disagree} inputs (highlighted); the reference disagrees in "
        f"{m.reference_disagreements} cells.</p>",
        "<table><tr><th>input</th>" + "".join(f"<th>go{e(r)}</th>" for r in m.releases) + "</tr>",
    ]
    for row in m.rows:
        cls = " class='differ'" if row.releases_disagree else ""
        cells = []
        for rel in m.releases:
            c = row.cells[rel]
            tip = f" title='{e(c.detail or '', quote=True)}'" if c.detail else ""
            ref_cls = {"agree": "agree", "disagree": "disagree"}.get(c.reference, "na")
            ref = f"reference: {c.reference}" + (f" ({c.signature})" if c.signature else "")
            cells.append(
                f"<td class='{c.verdict}'{tip}>{e(c.label)}"
                + (f"<br>{e((c.detail or '')[:80])}" if c.verdict != "accepted" and c.detail else "")
                + f"<span class='ref {ref_cls}'>{e(ref)}</span></td>"
            )
        out.append(f"<tr{cls}><td class='name'>{e(row.name)}</td>{''.join(cells)}</tr>")
    out.append("</table></body></html>")
    return "\n".join(out) + "\n"
