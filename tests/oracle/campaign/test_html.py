"""Reports you can look at (oracle/campaign/html.py): the campaign page, its timeline, the
coverage pages, and progress on long commands."""

from __future__ import annotations

import json
from html.parser import HTMLParser
from pathlib import Path

import pytest

from oracle.campaign.checker import CaseStats
from oracle.campaign.conform import Input, run_conform
from oracle.campaign.coverage import Coverage, Report, SourceResult
from oracle.campaign.findings import FindingStore
from oracle.campaign.html import campaign_html, render_source, write_coverage_html
from oracle.campaign.report import CampaignReport, Timeline
from oracle.cli.app import main
from oracle.parser.inputs import load

ROOT = Path(__file__).resolve().parents[3]
SEEDS = sorted((ROOT / "corpus" / "seeds").glob("generated-*.trace"))


class _Tags(HTMLParser):
    """Counts start tags, and fails on end tags that close something not open."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: dict[str, int] = {}
        self.stack: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags[tag] = self.tags.get(tag, 0) + 1
        if tag not in ("meta", "br", "polyline", "rect", "i"):
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("polyline", "rect", "i"):
            return
        assert self.stack and self.stack[-1] == tag, (tag, self.stack[-5:])
        self.stack.pop()


def _tags(page: str) -> dict[str, int]:
    p = _Tags()
    p.feed(page)
    p.close()
    assert p.stack == []
    return p.tags


def _stats(cases: int, agree: int) -> CaseStats:
    st = CaseStats(cases=cases)
    st.verdicts.update({"agree": agree, "go-panic": cases - agree})
    st.mutations.update({"byte_flip": cases // 2, "(none)": cases - cases // 2})
    return st


def _report() -> CampaignReport:
    tl = Timeline(interval=1.0)
    for t in range(6):
        tl.add(float(t), _stats(100 * t, 90 * t), 0)
    base = CampaignReport.from_json({
        "cases": 500, "seconds": 5.0, "engine": "hypothesis", "toolchain": "1.27.3",
        "seed": "1", "verdicts": {"agree": 450, "go-panic": 50},
        "divergences": [{"signature": "event-mismatch:Sync:n<", "class": "event-mismatch",
                         "repro": "corpus/findings/x", "cases": 3, "seed": "1:0:2",
                         "mutations": ["byte_flip"]}],
        "mutations": {"byte_flip": 250, "(none)": 250},
        "timeline": [s.to_json() for s in tl.samples()]})
    return base


def test_timeline_thins_and_doubles_its_interval() -> None:
    tl = Timeline(interval=1.0, max_samples=10)
    for t in range(25):
        tl.add(float(t), _stats(t, t), 0)
        tl.add(t + 0.5, _stats(t, t), 0)  # too soon: not taken
    samples = tl.samples()
    assert len(samples) <= 10 and tl.interval >= 2.0
    assert samples[0].seconds == 0.0 and samples[-1].seconds >= 20.0


def test_report_round_trips_timeline_and_mutations() -> None:
    r = _report()
    again = CampaignReport.from_json(json.loads(json.dumps(r.to_json())))
    assert again.timeline == r.timeline and len(r.timeline) == 6
    assert again.mutations == {"byte_flip": 250, "(none)": 250}


def test_campaign_page_is_self_contained_and_shows_everything() -> None:
    page = campaign_html(_report())
    tags = _tags(page)
    assert tags["svg"] == 2 and tags["polyline"] == 1 and tags["rect"] >= 5
    assert "http" not in page.replace("http-equiv", "")  # no external resources
    assert "gotrace-oracle diff corpus/findings/x/repro.trace" in page
    assert "gotrace-oracle export corpus/findings/x" in page
    assert "event-mismatch:Sync:n&lt;" in page  # escaped
    assert "byte_flip" in page and "Mutation mix" in page


def test_render_source_marks_blocks_like_go_cover() -> None:
    src = b"package p\nfunc f() {\n\tif x {\n\t\ty()\n\t}\n}\n"
    out = render_source(src, [("2.12,3.7", True), ("4.3,4.6", False)])
    assert '<span class="cov">\tif x </span>{' in out
    assert '<span class="uncov">y()</span>' in out
    assert out.startswith("package p\nfunc f() {")


def test_coverage_pages(tmp_path: Path) -> None:
    from oracle.harness import toolchain

    goroot = toolchain.pinned().goroot
    cov = Coverage()
    cov.add(("internal/trace/order.go", "30.2,31.10"), 2, True)
    cov.add(("internal/trace/order.go", "40.2,41.10"), 1, False)
    report = Report("1.27.3", ["parse"], 0, 0, [SourceResult("corpus", True, coverage=cov)],
                    ["corpus"])
    pages = write_coverage_html(report, goroot, tmp_path / "html")
    assert [p.name for p in pages] == ["index.html", "corpus.html", "union.html"]
    index = pages[0].read_text()
    assert "internal/trace/order.go *" in index and "66.7%" in index
    page = pages[1].read_text()
    _tags(page)
    source = page[page.index('<pre class="src">'):]
    assert source.count('<span class="cov">') == 1 and source.count('<span class="uncov">') == 1
    assert "internal/trace/order.go (66.7%)" in page


def test_fuzz_html(tmp_path: Path, pinned_helper: Path) -> None:
    (tmp_path / "corpus").mkdir()
    out = tmp_path / "out" / "campaign.html"
    assert main(["fuzz", "--time", "300x", "--jobs", "1", "--seed", "2", "-q", "--max-events",
                 "20", "--corpus", str(tmp_path / "corpus"), "--html", str(out)]) == 0
    page = out.read_text()
    _tags(page)
    assert "300 cases" in page and "Verdicts over time" in page and "<svg" in page


def test_conform_reports_progress_per_case(tmp_path: Path, pinned_helper: Path) -> None:
    lines: list[str] = []
    inputs = [Input(p.name, "corpus", load(p).data) for p in SEEDS[:5]]
    run_conform(inputs, [("1.27.3", pinned_helper)], store=FindingStore(tmp_path),
                progress=lines.append)
    assert lines[-1] == "[go1.27.3] 5/5 cases, 0 failures" and len(lines) == 5


@pytest.mark.slow
def test_coverage_html_end_to_end(tmp_path: Path) -> None:
    html = tmp_path / "cov"
    assert main(["coverage", "--sources", "generated", "--gate", "generated", "--count", "4",
                 "--modes", "parse", "-q", "--html", str(html)]) == 0
    assert (html / "index.html").is_file() and (html / "generated.html").is_file()
    assert '<span class="cov">' in (html / "union.html").read_text()
