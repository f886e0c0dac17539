"""Tests of oracle.campaign.checker and oracle.campaign.hypothesis_engine: the checker, its
classification and robustness, and campaigns of the Hypothesis-model engine.

Findings are made to appear on demand by dependency injection: ``CaseChecker`` takes
``go_impl``/``py_impl`` objects, and a campaign takes a module-level ``checker_factory``
(module level so that spawned workers can import it from this file).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from oracle.campaign import hypothesis_engine
from oracle.campaign.checker import CaseChecker, CaseStats, NewFinding
from oracle.campaign.hypothesis_engine import (
    CampaignConfig,
    GenParams,
    case_for_seed,
    family,
    versions_for,
)
from oracle.campaign import checker as checker_module


def run_campaign(config: CampaignConfig) -> dict[str, object]:
    """A campaign's report in its JSON layout (what ``--report`` writes)."""
    return hypothesis_engine.run_campaign(config).to_json()
from oracle.diff.compare import Verdict, compare
from oracle.diff.impls import GoImpl, PythonImpl
from oracle.diff.outcome import Outcome, Status
from oracle.campaign.findings import FindingStore

#: Outputs of a fake Go that panics on every input whose length is a multiple of 7.
FAKE_PANIC = "fake panic for the tests"
FAKE_SIGNATURE = f"go-panic:readevent:{FAKE_PANIC}"


class PanicsOnSevens:
    """A Go implementation that wraps the real one and panics on lengths divisible by 7."""

    def __init__(self, inner: GoImpl) -> None:
        self.inner = inner
        self.name = inner.name

    def run(self, data: bytes) -> Outcome:
        if len(data) % 7 == 0:
            return Outcome(self.name, Status.PANIC, (), FAKE_PANIC)
        return self.inner.run(data)

    def close(self) -> None:
        self.inner.close()


def sevens_checker(config: CampaignConfig, job: int, should_stop: Callable[[], bool]) -> CaseChecker:
    """A campaign checker factory whose Go side finds ``FAKE_SIGNATURE`` often."""
    go = PanicsOnSevens(GoImpl(config.go_binary, config.go_version, timeout=config.timeout))
    assert config.corpus is not None
    return CaseChecker(config.go_binary, config.go_version, FindingStore(config.corpus),
                       minimize=config.minimize, go_impl=go, should_stop=should_stop)


def valid_trace(i: int = 0) -> bytes:
    """A small valid trace from the generator."""
    return family(f"t:{i}", GenParams(max_events=20, mutants=0))[0].data


@pytest.fixture
def store(tmp_path: Path) -> FindingStore:
    return FindingStore(tmp_path / "corpus")


@pytest.fixture
def checker(pinned_helper: Path, store: FindingStore) -> Iterator[CaseChecker]:
    with CaseChecker(pinned_helper, "1.27.3", store, timeout=5.0) as c:
        yield c


# --- statistics ------------------------------------------------------------------------------


def test_stats_round_trip_and_merge() -> None:
    a = CaseStats(cases=3, fast_path=2)
    a.verdicts.update({"agree": 2, "go-panic": 1})
    a.go.update({"accepted": 1, "rejected": 1, "panic": 1})
    a.signatures["go-panic:x"] += 1
    a.new.append(NewFinding("go-panic:x", "go-panic", "/r", "s:0:1", ["drop_event"]))
    snap = json.loads(json.dumps(a.to_json()))
    b = CaseStats.from_json(snap)
    assert b == a
    assert b.go_accepted == 1 and b.go_rejected == 1 and b.new_signatures == ["go-panic:x"]
    b.merge(a)
    assert b.cases == 6 and b.verdicts["agree"] == 4 and len(b.new) == 2


# --- generation ------------------------------------------------------------------------------


def test_family_and_case_for_seed_reproduce_cases() -> None:
    params = GenParams(max_events=20, mutants=3)
    cases = family("7:0:3", params)
    assert [c.seed for c in cases] == ["7:0:3", "7:0:3:0", "7:0:3:1", "7:0:3:2", "7:0:3:v1:0"]
    assert cases[0].mutations == () and all(c.mutations for c in cases[1:])
    assert cases[-1].data.startswith(b"go 1.") and cases[-1].mutations[0].startswith("v1-seed#")
    for c in cases:
        assert case_for_seed(c.seed, params) == c


def test_versions_for_toolchains() -> None:
    assert versions_for("1.27.3") is None
    assert versions_for("1.26.6") is None
    assert versions_for("1.25.5") == (22, 23, 25)
    assert versions_for("1.24.11") == (22, 23)
    assert versions_for("1.22.10") == (22,)


def test_v1_mutants_only_where_the_release_reads_v1() -> None:
    assert hypothesis_engine.v1_mutants_for("1.27.3") == 1
    assert hypothesis_engine.v1_mutants_for("1.23.9", 2) == 2
    assert hypothesis_engine.v1_mutants_for("1.22.10") == 0  # rejects every v1 header
    assert hypothesis_engine.v1_mutants_for("1.21.13") == 0  # not reproduced


# --- the checker -----------------------------------------------------------------------------


def test_checker_fast_path_matches_full_comparison(checker: CaseChecker, pinned_helper: Path) -> None:
    """The fast path (byte-equal dumps) must give the verdict the full path gives."""
    params = GenParams(max_events=30, mutants=3, v1_mutants=0)  # v1: Go is nondeterministic
    py = PythonImpl(strings=True)
    with GoImpl(pinned_helper, "1.27.3", strings=True) as go:
        for i in range(40):
            for case in family(f"fast:{i}", params):
                got = checker.check(case.data, mutations=case.mutations, seed=case.seed)
                want = compare(py.run(case.data), go.run(case.data))
                assert (got.verdict, got.signature) == (want.verdict, want.signature), case.seed
    st = checker.stats
    assert st.cases == 160
    assert st.fast_path > 100  # most generated cases agree byte for byte
    assert st.go_accepted > 0 and st.go_rejected > 0  # liveness: both verdicts reached
    assert sum(st.verdicts.values()) == st.cases


def test_heap_oracle_shares_the_differential_parse(checker: CaseChecker, pinned_helper: Path,
                                                   store: FindingStore) -> None:
    """The heap verdict fed by the differential's parse is the verdict of the heap oracle's own
    parse (``heap_verdict``), on valid AllocFree traces and on every heap mutation."""
    from oracle.heap.campaign import HEAP_CONSISTENT, HEAP_VIOLATIONS, heap_verdict
    from strategies import HEAP_MUTATIONS, RandomChooser, draw_valid, mutate, trace_params

    assert checker._heap_shares_parse
    vs, template = trace_params(versions=[26], allocfree=True, max_events=60)
    cases: list[tuple[bytes, tuple[str, ...]]] = []
    for i, name in enumerate(sorted(HEAP_MUTATIONS) * 2):
        ch = RandomChooser(i)
        tr = draw_valid(ch, vs, template)
        cases.append((tr.to_binary(), ()))
        m = mutate(ch, tr, (name,), max_mutations=1)
        cases.append((m.to_binary(), tuple(m.mutations)))
    cases += [(c.data, c.mutations) for i in range(10) for c in family(f"heap:{i}", GenParams())]
    want: dict[str, int] = {}
    rules: dict[str, int] = {}
    for data, mutations in cases:
        checker.check(data, mutations=mutations)
        hv = heap_verdict(data, mutations)
        want[hv.verdict] = want.get(hv.verdict, 0) + 1
        for r in hv.rules:
            rules[r] = rules.get(r, 0) + 1
    assert dict(checker.stats.heap) == want
    assert dict(checker.stats.heap_rules) == rules
    assert want.get(HEAP_CONSISTENT, 0) > 10 and want.get(HEAP_VIOLATIONS, 0) > 10
    # Another release's events place Syncs differently: its cases keep their own parse.
    with CaseChecker(pinned_helper, "1.24.11", store) as old:
        assert not old._heap_shares_parse


def test_a_go_panic_on_v1_input_is_not_retried(checker: CaseChecker, monkeypatch: pytest.MonkeyPatch) -> None:
    """Go's v1 answers depend on map order, so a v1 disagreement is retried under other
    orders; but no order makes a Go panic agree, so a panic is classified at once."""
    from oracle.campaign.sources import V1_SEED_MAX_BYTES, v1_mutant
    from oracle.harness import toolchain

    testdata = toolchain.pinned().goroot / "src/internal/trace/internal/tracev1/testdata"
    pool = tuple(p.read_bytes() for p in sorted(testdata.iterdir())
                 if p.stat().st_size <= V1_SEED_MAX_BYTES)
    # A v1 mutant of Go's own v1 testdata whose transition stack Go's accessor cannot find.
    data, mutations = v1_mutant("panic:500", pool)

    def no_retry(*args: object) -> None:
        raise AssertionError("retried a Go panic")

    monkeypatch.setattr(checker, "_v1_alternative", no_retry)
    c = checker.check(data, mutations=mutations)
    assert c.signature == "go-panic:StateTransition:expected id N in trace.stack table"


_STRING_BUG_SCRIPT = textwrap.dedent("""
    import json, sys
    from pathlib import Path
    from oracle.campaign.checker import CaseChecker
    from oracle.campaign.findings import FindingStore
    from oracle.harness.toolchain import pinned
    from oracle.parser import compiled
    from oracle.parser.event import Event, EventKind
    from oracle.parser.inputs import load

    assert compiled.implementation() == "pure"
    tests = pinned().goroot / "src" / "internal" / "trace" / "testdata" / "tests"
    data = load(tests / "go122-annotations.test").data
    real = Event.go_string

    def buggy(ev):
        text = real(ev)
        if ev.kind is EventKind.Log:
            return text.replace('Message="', "Message=").rstrip('"')
        return text

    Event.go_string = buggy
    store = FindingStore(Path({corpus!r}))
    binary = Path({binary!r})
    with CaseChecker(binary, "1.27.3", store, minimize=False, strings_every=0) as c:
        dump_only = c.check(data).agree
    with CaseChecker(binary, "1.27.3", store, minimize=True, minimize_seconds=30) as c:
        cmp = c.check(data)
        out = dict(dump_only=dump_only, verdict=cmp.verdict.value, signature=cmp.signature,
                   strings_checked=c.stats.strings_checked, repro=c.stats.new[0].repro,
                   size=len(data))
    print(json.dumps(out))
""")


def test_checker_finds_a_string_bug_and_minimizes_it(pinned_helper: Path, tmp_path: Path) -> None:
    """A Log message printed without quotes: the dumps agree, Event.String() does not.

    The bug is planted by patching ``Event.go_string``, which only the pure parser's class
    takes, so the check runs in a subprocess on the pure parser whichever one this run uses.
    """
    script = _STRING_BUG_SCRIPT.format(corpus=str(tmp_path / "corpus"), binary=str(pinned_helper))
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          env={**os.environ, "GOTRACE_ORACLE_IMPL": "pure"}, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    got = json.loads(proc.stdout.splitlines()[-1])
    assert got["dump_only"]  # the canonical dump alone cannot see it
    assert got["verdict"] == Verdict.STRING_MISMATCH.value and got["signature"] == "string-mismatch:Log"
    assert got["strings_checked"] == 1
    repro = (Path(got["repro"]) / "repro.trace").read_bytes()
    assert len(repro) < got["size"]
    meta = json.loads((Path(got["repro"]) / "metadata.json").read_text())
    assert meta["signature"] == "string-mismatch:Log" and meta["minimized"] is True


def test_checker_saves_a_new_finding_once(pinned_helper: Path, store: FindingStore) -> None:
    seven = next(d for i in range(100) if len(d := valid_trace(i)) % 7 == 0)
    go = PanicsOnSevens(GoImpl(pinned_helper, "1.27.3"))
    with CaseChecker(pinned_helper, "1.27.3", store, go_impl=go, minimize=False) as c:
        cmp = c.check(seven, mutations=["m"], seed="s:0:1")
        assert cmp.verdict is Verdict.GO_PANIC and cmp.signature == FAKE_SIGNATURE
        assert c.stats.new_signatures == [FAKE_SIGNATURE]
        path = Path(c.stats.new[0].repro)
        assert (path / "repro.trace").read_bytes() == seven
        meta = json.loads((path / "metadata.json").read_text())
        assert meta["signature"] == FAKE_SIGNATURE and meta["seed"] == "s:0:1"
        assert meta["mutations"] == ["m"] and meta["toolchain"] == "1.27.3"
        c.check(seven)  # the same signature again: counted, not saved again
        assert len(c.stats.new) == 1 and c.stats.signatures[FAKE_SIGNATURE] == 2
        assert c.stats.known_cases == 0
    # A new checker over the same corpus (a resumed campaign) knows it.
    go2 = PanicsOnSevens(GoImpl(pinned_helper, "1.27.3"))
    with CaseChecker(pinned_helper, "1.27.3", FindingStore(store.root), go_impl=go2) as c2:
        c2.check(seven)
        assert c2.stats.new == [] and c2.stats.known_cases == 1 and c2.stats.known == 1


def test_checker_minimizes_new_findings(pinned_helper: Path, store: FindingStore) -> None:
    big = next(d for i in range(100) if len(d := valid_trace(i)) % 7 == 0 and len(d) > 300)
    go = PanicsOnSevens(GoImpl(pinned_helper, "1.27.3"))
    with CaseChecker(pinned_helper, "1.27.3", store, go_impl=go, minimize=True,
                     minimize_seconds=20) as c:
        c.check(big)
        path = Path(c.stats.new[0].repro)
    repro = (path / "repro.trace").read_bytes()
    assert len(repro) < len(big) and len(repro) % 7 == 0
    assert (path / "original.trace").read_bytes() == big
    assert json.loads((path / "metadata.json").read_text())["minimized"] is True


def test_known_go_bugs_are_known(checker: CaseChecker) -> None:
    repro = Path(__file__).resolve().parents[3] / "corpus" / "go-findings" / "sync-unknown-experiment.txt"
    from oracle.parser.inputs import load

    c = checker.check(load(str(repro)).data)
    assert c.verdict is Verdict.GO_PANIC
    assert checker.stats.new == [] and checker.stats.known_cases == 1


class SlowPython:
    """A Python side that never finishes."""

    name = "python"

    def run(self, data: bytes) -> Outcome:
        time.sleep(120)
        raise AssertionError("not reached")


class RaisingPython:
    """A Python side that fails with an exception other than TraceError."""

    name = "python"

    def run(self, data: bytes) -> Outcome:
        return PythonImpl().run(None)  # type: ignore[arg-type]


def test_python_timeout_is_a_finding(pinned_helper: Path, store: FindingStore) -> None:
    with CaseChecker(pinned_helper, "1.27.3", store, python_timeout=0.2,
                     py_impl=SlowPython()) as c:
        t0 = time.monotonic()
        cmp = c.check(valid_trace())
        assert time.monotonic() - t0 < 60  # cut at 0.2 s, not after the 120 s sleep
        assert cmp.verdict is Verdict.PYTHON_TIMEOUT
        assert c.stats.python["timeout"] == 1
        assert (Path(c.stats.new[0].repro) / "repro.trace").is_file()
    # The alarm is off and the handler restored afterwards.
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
    assert signal.getsignal(signal.SIGALRM) is not checker_module._on_alarm


def test_python_exception_is_a_finding(pinned_helper: Path, store: FindingStore) -> None:
    with CaseChecker(pinned_helper, "1.27.3", store, py_impl=RaisingPython(), minimize=False) as c:
        cmp = c.check(valid_trace())
    assert cmp.verdict is Verdict.PYTHON_EXCEPTION
    assert c.stats.new_signatures == [cmp.signature]


# --- robustness: a Go helper that dies or hangs mid-request ----------------------------------

MARK = b"hang here"


def _hang_on_mark(c: CaseChecker) -> None:
    """Make the checker's own helper run its ``hang`` test mode on ``MARK``."""
    helper = c._helper
    assert helper is not None
    real = helper.request

    def request(mode: str, payload: bytes = b"", **kw: float | None) -> object:
        return real("hang" if payload == MARK else mode, payload, **kw)

    helper.request = request  # type: ignore[method-assign,assignment]


def test_helper_killed_mid_request_is_a_go_crash_finding(pinned_helper: Path, store: FindingStore) -> None:
    with CaseChecker(pinned_helper, "1.27.3", store, timeout=30.0) as c:
        _hang_on_mark(c)
        assert c.check(valid_trace()).verdict is Verdict.AGREE
        pid = c.go_pid
        assert pid is not None
        killer = threading.Timer(0.3, os.kill, (pid, signal.SIGKILL))
        killer.start()
        t0 = time.monotonic()
        cmp = c.check(MARK, seed="kill")
        killer.join()
        assert time.monotonic() - t0 < 10
        assert cmp.verdict is Verdict.GO_CRASH and cmp.signature.startswith("go-crash:crash")
        finding = Path(c.stats.new[0].repro)
        assert (finding / "repro.trace").read_bytes() == MARK
        assert json.loads((finding / "metadata.json").read_text())["verdict"] == "go-crash"
        # The next cases work, on a fresh helper.
        for i in range(5):
            assert c.check(valid_trace(i)).verdict is Verdict.AGREE
        assert c.go_pid not in (None, pid)
        assert c.stats.cases == 7 and c.stats.go["crash"] == 1


def test_helper_hang_is_a_go_crash_finding(pinned_helper: Path, store: FindingStore) -> None:
    with CaseChecker(pinned_helper, "1.27.3", store, timeout=0.5) as c:
        _hang_on_mark(c)
        cmp = c.check(MARK)
        assert cmp.verdict is Verdict.GO_CRASH and cmp.signature.startswith("go-crash:timeout")
        assert len(c.stats.new) == 1  # saved, and not minimized (each probe would hang)
        assert c.check(valid_trace()).verdict is Verdict.AGREE


# --- campaigns -------------------------------------------------------------------------------


def _config(pinned_helper: Path, corpus: Path, **kw: object) -> CampaignConfig:
    base: dict[str, object] = dict(
        go_binary=pinned_helper, go_version="1.27.3", corpus=corpus, jobs=2, time_limit=None,
        max_examples=200, seed="t", minimize=False, gen=GenParams(max_events=20),
        progress=False,
    )
    base.update(kw)
    return CampaignConfig(**base)  # type: ignore[arg-type]


def test_campaign_counts_and_reports(pinned_helper: Path, tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    report = run_campaign(_config(pinned_helper, corpus, max_examples=300))
    assert report["cases"] == 300
    assert sum(report["verdicts"].values()) == 300
    assert report["go"]["accepted"] > 0 and report["go"]["rejected"] > 0
    assert report["divergences"] == []  # generated cases only hit known Go bugs
    assert report["worker_errors"] == [] and report["generator_errors"] == 0
    for key in ("seconds", "cases_per_second", "known", "seed", "jobs", "engine", "toolchain"):
        assert key in report
    assert not (corpus / "findings").exists() or not any((corpus / "findings").iterdir())


def test_campaign_finds_then_resumes(pinned_helper: Path, tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    cfg = _config(pinned_helper, corpus, checker_factory=sevens_checker)
    first = run_campaign(cfg)
    assert first["cases"] == 200
    sigs = [d["signature"] for d in first["divergences"]]
    assert sigs == [FAKE_SIGNATURE]
    d = first["divergences"][0]
    assert d["class"] == "go-panic" and d["cases"] >= 1
    assert (Path(d["repro"]) / "repro.trace").stat().st_size % 7 == 0
    # The second campaign (another seed) knows the signature from the corpus.
    second = run_campaign(_config(pinned_helper, corpus, checker_factory=sevens_checker, seed="u"))
    assert second["divergences"] == []
    assert FAKE_SIGNATURE in second["known_signatures"] and second["known"] >= 1


def test_campaign_stops_at_max_findings(pinned_helper: Path, tmp_path: Path) -> None:
    """``--max-findings``: a 10-minute budget ends as soon as the one finding is in."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    report = run_campaign(_config(pinned_helper, corpus, checker_factory=sevens_checker,
                                  max_examples=None, time_limit=600.0, max_findings=1))
    assert [d["signature"] for d in report["divergences"]] == [FAKE_SIGNATURE]
    assert report["seconds"] < 300 and report["interrupted"] is None


_SIGNAL_SCRIPT = textwrap.dedent("""
    import sys
    from pathlib import Path
    sys.path.insert(0, {tests!r})
    import test_checker as test_campaign
    from oracle.campaign import hypothesis_engine as campaign
    from oracle.campaign.report import format_summary, write_json_atomic
    cfg = campaign.CampaignConfig(
        go_binary=Path({binary!r}), go_version="1.27.3", corpus=Path({corpus!r}), jobs=2,
        time_limit=120, seed="sig", minimize=False, progress=False,
        gen=campaign.GenParams(max_events=20), checker_factory=test_campaign.sevens_checker)
    report = campaign.run_campaign(cfg)
    write_json_atomic({report!r}, report.to_json())
    print(format_summary(report))
""")


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_signal_writes_report_and_keeps_findings(pinned_helper: Path, tmp_path: Path,
                                                 sig: signal.Signals) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    report_path = tmp_path / "report.json"
    script = _SIGNAL_SCRIPT.format(tests=str(Path(__file__).parent), binary=str(pinned_helper),
                                   corpus=str(corpus), report=str(report_path))
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        findings = corpus / "findings"
        while not (findings.is_dir() and any(p.name[0] != "." for p in findings.iterdir())):
            assert proc.poll() is None, proc.communicate()
            assert time.monotonic() < deadline, "no finding within 60 s"
            time.sleep(0.05)
        time.sleep(0.3)
        proc.send_signal(sig)
        out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0, err
    report = json.loads(report_path.read_text())
    assert report["interrupted"] == sig.name
    assert report["cases"] > 0 and report["worker_errors"] == []
    [d] = report["divergences"]
    assert d["signature"] == FAKE_SIGNATURE
    saved = [p for p in findings.iterdir() if p.name[0] != "." and p.is_dir()]
    assert [str(p) for p in saved] == [d["repro"]]
    # libFuzzer's name for each input as found: one per job that found the signature (both
    # jobs may find it at once; the finding's directory keeps the smaller repro).
    assert 1 <= len(list(findings.glob("crash-*"))) <= 2
    assert (saved[0] / "repro.trace").is_file() and (saved[0] / "metadata.json").is_file()
    assert "interrupted by " + sig.name in out
