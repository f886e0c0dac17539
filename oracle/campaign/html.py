"""Reports you can look at: a campaign as one HTML page, and Go-side coverage as source pages.

Both are self-contained files (inline CSS and SVG, a few lines of script for the file
selector; no network, no dependencies), so CI can keep them as artifacts and anyone can open
them.

- :func:`campaign_html` (``fuzz --html FILE``): the summary, cases per second and the verdict
  mix over time (from the report's :class:`~oracle.campaign.report.Sample` timeline), the new
  findings with the commands that replay, minimize and export them, and the mutation mix.
- :func:`write_coverage_html` (``coverage --html DIR``): like ``go tool cover -html``, Go's
  ``internal/trace`` source with covered statements green and uncovered ones red, one page per
  input source plus their union, and an index with the per-file percentages.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Final

from oracle.campaign.coverage import UNION, Coverage, Report, is_parser_proper
from oracle.campaign.report import CampaignReport, Sample

__all__ = ["campaign_html", "render_source", "write_coverage_html"]

_STYLE: Final = """
body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#222;background:#fff}
h1{font-size:1.4em}h2{font-size:1.15em;margin-top:1.6em}
table{border-collapse:collapse}td,th{padding:2px 8px;border-bottom:1px solid #ddd;text-align:left}
td.n{text-align:right;font-variant-numeric:tabular-nums}
code,pre{font:12px/1.35 ui-monospace,monospace}
.chart{border:1px solid #ccc;background:#fcfcfc}.legend span{margin-right:1em}
.sw{display:inline-block;width:10px;height:10px;margin-right:4px}
pre.src{background:#000;color:#888;padding:.5em;overflow-x:auto}
.cov{color:#2ecc40}.uncov{color:#ff4136}.muted{color:#777}
"""

#: Colors of the verdict classes (oracle.diff.compare.Verdict values); others get gray.
_VERDICT_COLORS: Final = {
    "agree": "#2ecc40", "unsupported": "#aaaaaa", "verdict-mismatch": "#ff4136",
    "event-mismatch": "#ff851b", "error-text-mismatch": "#ffdc00", "go-panic": "#b10dc9",
    "python-exception": "#0074d9", "go-crash": "#85144b", "python-timeout": "#39cccc",
}


def _e(s: object) -> str:
    return html.escape(str(s), quote=True)


def _page(title: str, body: str, script: str = "") -> str:
    return (f"<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>{_e(title)}</title><style>{_STYLE}</style></head><body>\n{body}\n"
            + (f"<script>{script}</script>" if script else "") + "</body></html>\n")


# --- The campaign page -------------------------------------------------------------------------


def _rates(timeline: Sequence[Sample]) -> list[tuple[float, float]]:
    """Cases per second between consecutive samples, at the later sample's time."""
    out = []
    for a, b in zip(timeline, timeline[1:]):
        dt = b.seconds - a.seconds
        if dt > 0:
            out.append((b.seconds, (b.cases - a.cases) / dt))
    return out


def _line_chart(points: Sequence[tuple[float, float]], *, width: int = 720, height: int = 200,
                label: str) -> str:
    """An SVG line chart with a labelled y axis (0 to the maximum) and a time axis."""
    if not points:
        return f"<p class=\"muted\">no samples for {_e(label)}</p>"
    pad = 40
    xmax = max(x for x, _ in points) or 1.0
    ymax = max(y for _, y in points) or 1.0

    def xy(x: float, y: float) -> str:
        return (f"{pad + (width - 2 * pad) * x / xmax:.1f},"
                f"{height - pad + (2 * pad - height) * y / ymax:.1f}")

    path = " ".join(xy(x, y) for x, y in points)
    return (f"<svg class=\"chart\" width=\"{width}\" height=\"{height}\" role=\"img\" "
            f"aria-label=\"{_e(label)}\">"
            f"<polyline fill=\"none\" stroke=\"#0074d9\" stroke-width=\"2\" points=\"{path}\"/>"
            f"<text x=\"4\" y=\"{pad - 8}\">{ymax:,.0f}</text>"
            f"<text x=\"4\" y=\"{height - pad}\">0</text>"
            f"<text x=\"{width - pad}\" y=\"{height - 10}\" text-anchor=\"end\">{xmax:.0f} s</text>"
            f"<text x=\"{pad}\" y=\"{height - 10}\">{_e(label)}</text></svg>")


def _verdict_chart(timeline: Sequence[Sample], *, width: int = 720, height: int = 200) -> str:
    """The verdict mix of each interval between samples, as stacked 100% bars."""
    if len(timeline) < 2:
        return "<p class=\"muted\">no samples for the verdict mix</p>"
    pad = 40
    xmax = timeline[-1].seconds or 1.0
    names = sorted({k for s in timeline for k in s.verdicts},
                   key=lambda k: (k != "agree", k))
    bars = []
    for a, b in zip(timeline, timeline[1:]):
        delta = {k: b.verdicts.get(k, 0) - a.verdicts.get(k, 0) for k in names}
        total = sum(delta.values())
        if total <= 0:
            continue
        x0 = pad + (width - 2 * pad) * a.seconds / xmax
        w = max((width - 2 * pad) * (b.seconds - a.seconds) / xmax, 1.0)
        y = float(pad)
        for k in names:
            h = (height - 2 * pad) * delta[k] / total
            if h > 0:
                bars.append(f"<rect x=\"{x0:.1f}\" y=\"{y:.1f}\" width=\"{w:.1f}\" "
                            f"height=\"{h:.1f}\" fill=\"{_VERDICT_COLORS.get(k, '#777')}\">"
                            f"<title>{_e(k)}: {delta[k]} of {total}</title></rect>")
                y += h
    legend = "".join(f"<span><i class=\"sw\" style=\"background:{_VERDICT_COLORS.get(k, '#777')}\">"
                     f"</i>{_e(k)}</span>" for k in names)
    return (f"<svg class=\"chart\" width=\"{width}\" height=\"{height}\" role=\"img\" "
            f"aria-label=\"verdicts over time\">{''.join(bars)}"
            f"<text x=\"{width - pad}\" y=\"{height - 10}\" text-anchor=\"end\">{xmax:.0f} s</text>"
            f"<text x=\"{pad}\" y=\"{height - 10}\">verdict mix per interval</text></svg>"
            f"<div class=\"legend\">{legend}</div>")


def _table(rows: Sequence[Sequence[str]], head: Sequence[str]) -> str:
    th = "".join(f"<th>{_e(h)}</th>" for h in head)
    body = "".join("<tr>" + "".join(r) + "</tr>" for r in rows)
    return f"<table><tr>{th}</tr>{body}</table>"


def _counts_table(counts: Mapping[str, int], what: str, unit: str = "cases") -> str:
    total = sum(counts.values()) or 1
    rows = [(f"<td>{_e(k)}</td>", f"<td class=\"n\">{n:,}</td>",
             f"<td class=\"n\">{100 * n / total:.1f}%</td>")
            for k, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]
    return _table(rows, (what, unit, "share")) if rows else "<p class=\"muted\">none</p>"


def _lanes(r: CampaignReport) -> list[str]:
    """A cross-release campaign's releases and release pairs (nothing for one release)."""
    if not r.lanes:
        return []

    def counts(c: Mapping[str, int]) -> str:
        return _e(", ".join(f"{k} {n:,}" for k, n in c.items()) or "-")

    releases = [(f"<td>go{_e(x.name)}</td>",
                 f"<td>{'checked' if x.reference else 'not reproduced: Go-vs-Go only'}</td>",
                 f"<td>{counts(x.go)}</td>", f"<td>{counts(x.verdicts)}</td>",
                 f"<td class=\"n\">{len(x.new)}</td>", f"<td class=\"n\">{len(x.known_signatures)}</td>")
                for x in r.lanes if not x.is_pair]
    pairs = [(f"<td>{_e(x.name)}</td>", f"<td class=\"n\">{x.cases:,}</td>",
              f"<td>{counts(x.verdicts)}</td>", f"<td class=\"n\">{len(x.new)}</td>",
              f"<td class=\"n\">{len(x.known_signatures)}</td>")
             for x in r.lanes if x.is_pair]
    return ["<h2>Releases</h2>",
            _table(releases, ("release", "reference", "Go's verdicts", "reference vs Go", "new", "known")),
            "<h2>Release pairs (Go vs Go)</h2>",
            _table(pairs, ("pair", "cases both read", "verdicts", "new", "known")),
            f"<p>New findings by class: {counts(r.findings_by_class)}</p>"]


def campaign_html(report: CampaignReport) -> str:
    """The campaign as one self-contained HTML page."""
    r = report
    summary = (f"{r.cases:,} cases in {r.seconds:.1f} s ({r.cases_per_second:,.0f}/s), engine "
               f"{r.engine}, {r.jobs} jobs, Go {r.toolchain}, seed {r.seed}, started {r.started}"
               + (f", interrupted by {r.interrupted}" if r.interrupted else ""))
    findings = [
        (f"<td><code>{_e(d.signature)}</code></td>", f"<td>{_e(d.verdict)}</td>",
         f"<td class=\"n\">{d.cases:,}</td>", f"<td>{_e(', '.join(d.mutations) or '-')}</td>",
         "<td><code>" + "<br>".join(_e(c) for c in (
             (d.command,) if d.command is not None and "->" in (d.release or "") else (
                 d.command or f"gotrace-oracle diff {d.repro}/repro.trace",
                 f"gotrace-oracle minimize {d.repro}",
                 f"gotrace-oracle export {d.repro} --go-test finding.test --go-fuzz fuzz/")))
         + "</code></td>")
        for d in r.divergences]
    parts = [
        f"<h1>gotrace-oracle fuzz</h1><p>{_e(summary)}</p>", *_lanes(r),
        "<h2>Cases per second</h2>", _line_chart(_rates(r.timeline), label="cases/s"),
        "<h2>Verdicts over time</h2>", _verdict_chart(r.timeline),
        f"<h2>New findings ({len(r.divergences)})</h2>",
        _table(findings, ("signature", "class", "cases", "mutations", "replay, minimize, export"))
        if findings else "<p>No new divergence.</p>",
        f"<h2>Known signatures seen again ({r.known})</h2>",
        _counts_table(r.known_signatures, "signature"),
        "<h2>Mutation mix</h2>",
        "<p>How often each mutation was applied (a mutant may carry several; "
        "<code>(none)</code> counts unmutated cases).</p>",
        _counts_table(r.mutations, "mutation", "applied"),
    ]
    if r.mutator:
        parts += ["<h2>Mutator paths (atheris)</h2>", _counts_table(r.mutator, "path")]
    parts += ["<h2>Go's verdicts</h2>", _counts_table(r.go, "Go status"),
              "<h2>Comparison verdicts</h2>", _counts_table(r.verdicts, "verdict")]
    if r.worker_errors:
        parts += ["<h2>Worker errors</h2>"] + [f"<pre>{_e(e)}</pre>" for e in r.worker_errors]
    return _page(f"gotrace-oracle fuzz: {r.cases:,} cases", "\n".join(parts))


# --- Coverage pages ------------------------------------------------------------------------------


def _offset(line_starts: Sequence[int], pos: str) -> int:
    """The byte offset of a cover profile position ``line.col`` (1-based, bytes)."""
    line, col = pos.split(".")
    return line_starts[int(line) - 1] + int(col) - 1


def render_source(src: bytes, blocks: Sequence[tuple[str, bool]]) -> str:
    """``src`` as HTML with each block (``"l0.c0,l1.c1"``, covered) in a colored span, the way
    ``go tool cover -html`` marks them; text outside blocks stays gray."""
    starts = [0]
    for i, b in enumerate(src):
        if b == 0x0A:
            starts.append(i + 1)
    spans = sorted((_offset(starts, a), _offset(starts, b), cov) for a, b, cov in
                   ((span.split(",")[0], span.split(",")[1], c) for span, c in blocks))
    out: list[str] = []
    pos = 0
    for start, end, cov in spans:
        if start < pos:  # overlapping blocks: keep the first
            continue
        out.append(_e(src[pos:start].decode("utf-8", "replace")))
        out.append(f"<span class=\"{'cov' if cov else 'uncov'}\">"
                   f"{_e(src[start:end].decode('utf-8', 'replace'))}</span>")
        pos = end
    out.append(_e(src[pos:].decode("utf-8", "replace")))
    return "".join(out)


_SELECT_SCRIPT: Final = """
const sel=document.getElementById('files');
function show(){for(const o of sel.options){document.getElementById(o.value).style.display=
o.selected?'block':'none';}}
sel.onchange=show;show();
"""


def _coverage_page(column: str, cov: Coverage, goroot: Path, files: Sequence[str]) -> str:
    blocks: dict[str, list[tuple[str, bool]]] = {}
    for (file, span), (_, covered) in cov.blocks.items():
        blocks.setdefault(file, []).append((span, covered))
    per = cov.per_file()
    options, sections = [], []
    for i, f in enumerate(files):
        n, k = per.get(f, (0, 0))
        pct = f"{100 * k / n:.1f}%" if n else "-"
        options.append(f"<option value=\"f{i}\">{_e(f)} ({pct})</option>")
        try:
            src = (goroot / "src" / f).read_bytes()
        except OSError as e:
            body = f"<p class=\"muted\">source not readable: {_e(e)}</p>"
        else:
            body = f"<pre class=\"src\">{render_source(src, blocks.get(f, []))}</pre>"
        sections.append(f"<div id=\"f{i}\" style=\"display:none\">{body}</div>")
    head = (f"<h1>Coverage of Go's internal/trace: {_e(column)}</h1>"
            f"<p><a href=\"index.html\">all sources</a> · <span class=\"cov\">covered</span> · "
            f"<span class=\"uncov\">not covered</span> · <span class=\"muted\">not tracked</span></p>"
            f"<select id=\"files\">{''.join(options)}</select>")
    return _page(f"coverage: {column}", head + "".join(sections), _SELECT_SCRIPT)


def write_coverage_html(report: Report, goroot: Path, out: Path) -> list[Path]:
    """``out/index.html`` (per-file percentages per source) and ``out/<source>.html`` for
    each source and the union, with Go's source marked; returns the pages written."""
    out.mkdir(parents=True, exist_ok=True)
    rows = report.files()
    files = [r["file"] for r in rows]
    written = []
    for column in report.columns:
        page = out / f"{column}.html"
        page.write_text(_coverage_page(column, report.coverage_of(column), goroot, files),
                        encoding="utf-8")
        written.append(page)
    head = "".join(f"<th><a href=\"{_e(c)}.html\">{_e(c)}</a></th>" for c in report.columns)
    body = []
    for r in rows:
        cells = "".join(
            f"<td class=\"n\">{100 * r['covered'][c] / r['statements']:.1f}%</td>"
            if r["statements"] else "<td class=\"n\">-</td>" for c in report.columns)
        mark = " *" if is_parser_proper(r["file"]) else ""
        body.append(f"<tr><td>{_e(r['file'])}{mark}</td><td class=\"n\">{r['statements']}</td>"
                    f"{cells}</tr>")
    index = (f"<h1>Coverage of Go {_e(report.go_version)}'s internal/trace</h1>"
             f"<p>modes {_e(', '.join(report.modes))}; * marks the parser proper; "
             f"{_e(UNION)} is all sources together.</p>"
             f"<table><tr><th>file</th><th>statements</th>{head}</tr>{''.join(body)}</table>")
    (out / "index.html").write_text(_page("gotrace-oracle coverage", index), encoding="utf-8")
    return [out / "index.html", *written]
