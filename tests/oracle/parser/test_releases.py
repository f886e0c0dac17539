"""Per-release semantics (oracle.parser.releases): ``Reader(data, go=V)`` against Go V's parser.

For every release the reference reproduces, its outputs (canonical JSON and ``Event.String()``)
must equal that release's helper on Go's testdata traces, the FuzzReader seeds, the
docs/go-findings.md repros, Go's v1 testdata (up to Go's tie order) and, slow, the real traces
of that release's runtime.  Releases it does not reproduce are refused, never approximated.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from oracle.diff.compare import same_up_to_ties, ties_possible
from oracle.harness.helper import GoHelper, helper_for
from oracle.parser import canonical
from oracle.parser.errors import TraceError
from oracle.parser.inputs import load
from oracle.parser.reader import Reader
from oracle.parser.releases import RELEASES, UnsupportedReleaseError, release
from oracle.parser.raw import text_to_binary
from oracle.parser.txtar import read_test_file
from tests.conftest import go_fuzz_seeds, go_test_files, pinned_goroot

ROOT = Path(__file__).resolve().parents[3]
#: Reproduced releases other than the pinned one (the pinned one is tests/test_conformance.py).
OTHER = sorted(v for v in RELEASES if v != "1.27.3")


def _inputs() -> list[tuple[str, bytes]]:
    out = [(f"test/{p.stem}", text_to_binary(read_test_file(p)[1])) for p in go_test_files()]
    out += [(f"seed/{p.name}", load(p).data) for p in go_fuzz_seeds()]
    findings = ROOT / "corpus" / "go-findings"
    # Findings 5 and 12 are Go's nondeterministic outputs ("random" in the name).
    out += [(f"finding/{p.name}", load(p).data) for p in sorted(findings.iterdir())
            if p.suffix in (".txt", ".trace") and "random" not in p.name]
    # Campaign findings on the way to exactness (e.g. an EndOfGeneration byte inside a Go125
    # batch: 1.25 decodes it as an event, 1.26+ as a misplaced marker).
    here = Path(__file__).resolve().parent / "data" / "releases"
    out += [(f"data/{p.name}", p.read_bytes()) for p in sorted(here.glob("*.trace"))]
    v1 = pinned_goroot() / "src" / "internal" / "trace" / "internal" / "tracev1" / "testdata"
    out += [(f"v1/{p.name}", p.read_bytes()) for p in sorted(v1.iterdir()) if p.stat().st_size < 50_000]
    return out


INPUTS = _inputs()


@pytest.fixture(scope="module", params=OTHER)
def release_helper(request: pytest.FixtureRequest) -> Iterator[tuple[str, GoHelper]]:
    with GoHelper(helper_for(request.param), timeout=120) as h:  # real traces, loaded machines
        yield request.param, h


def _records(out: bytes) -> list[tuple[str, int]]:
    import json

    recs = []
    for line in out.decode().split("\n")[:-1]:
        d = json.loads(line)
        t = d.pop("time", 0)
        d.pop("i", None)
        recs.append((json.dumps(d, sort_keys=True), t))
    return recs


def assert_release_same(helper: GoHelper, go: str, data: bytes) -> None:
    py_json = "".join(line + "\n" for line in canonical.dump_trace(data, go=go)).encode()
    go_json = helper.request("parse", data)
    assert go_json.outcome == "ok", (go_json.panic, go_json.stderr)
    if ties_possible(data):
        a, b = _records(py_json), _records(go_json.output)
        assert a[-1] == b[-1] and same_up_to_ties(a[:-1], b[:-1]) is None
        return
    assert py_json == go_json.output
    py_text = "".join(line + "\n" for line in canonical.go_string_lines(data, go=go)).encode()
    go_text = helper.request("go-string", data)
    assert go_text.outcome == "ok" and py_text == go_text.output


def test_release_matches_its_go(release_helper: tuple[str, GoHelper]) -> None:
    go, helper = release_helper
    failures = []
    for name, data in INPUTS:
        try:
            assert_release_same(helper, go, data)
        except AssertionError as e:
            failures.append(f"{name}: {str(e)[:200]}")
    assert not failures, "\n".join(failures)


@pytest.mark.slow
def test_release_matches_its_go_on_its_real_traces(release_helper: tuple[str, GoHelper]) -> None:
    from oracle.harness.realtraces import real_traces

    go, helper = release_helper
    for t in real_traces(go):
        if t.allocfree or t.scenario == "multigen":  # the same code paths; keep the test short
            continue
        assert_release_same(helper, go, t.path.read_bytes())


def test_finding_10_is_reproduced_per_release() -> None:
    """ProcSyscallAbandoned is printed as "Bad" up to 1.26 and by name from 1.27."""
    data = load(ROOT / "corpus" / "go-findings" / "abandoned-status-named-bad.txt").data
    for go, name in (("1.26.6", "Bad"), ("1.27.3", "SyscallAbandoned"), (None, "SyscallAbandoned")):
        with pytest.raises(TraceError) as ei:
            for _ in Reader(data, go=go):
                pass
        assert ei.value.message == f"inconsistent status for proc 0: old Idle vs. new {name}"


@pytest.mark.parametrize("go", ["1.22.10", "1.23.9", "1.28.0", "nonsense"])
def test_releases_not_reproduced_are_refused(go: str) -> None:
    with pytest.raises(UnsupportedReleaseError, match="does not reproduce"):
        Reader(b"go 1.26 trace\x00\x00\x00", go=go)
    assert release("1.27.3") is release(None)
