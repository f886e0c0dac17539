"""Conformance of the v1 port (``oracle.parser.tracev1`` + ``oracle.parser.convert``) with Go 1.27.3.

Inputs: Go's v1 testdata (``internal/trace/internal/tracev1/testdata``, read from the pinned
GOROOT), the v1 FuzzReader seeds, and real traces written by the Go 1.21.13 runtime.

Go's v1 output is not deterministic: the merge of per-P batches starts from a Go map's key
order (``parseEventBatches``' ``allProcs``), so events of different Ps with equal timestamps come
out in either order, and the goroutines still runnable at the first ``Gomaxprocs`` are emitted
in map order too (``createdPreInit``).  Two runs of Go on the same file differ.  So:

* when Go answers the same twice, Python's output must be byte-identical to it;
* otherwise Python's output must equal Go's up to those reorderings: the same terminal record,
  the same sequence of event times, and the same events (all fields but the index and the time)
  in windows that are permutations of each other and no longer than ``oracle.diff.compare.MAX_TIE_WINDOW`` events.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from oracle.diff.compare import same_up_to_ties
from oracle.harness.helper import GoHelper
from oracle.harness.realtraces import RealTrace
from oracle.parser import canonical
from oracle.parser.errors import TraceError
from oracle.parser.reader import Reader, read_all
from tests._go_support import both_outputs

def _v1_testdata() -> list[Path]:
    from tests.conftest import pinned_goroot

    d = pinned_goroot() / "src" / "internal" / "trace" / "internal" / "tracev1" / "testdata"
    return sorted(d.iterdir())


def _json_records(out: bytes) -> list[tuple[str, int]]:
    """(event without index and time, time) per canonical JSON line; the terminal line as is."""
    recs: list[tuple[str, int]] = []
    for line in out.decode().split("\n")[:-1]:
        d = json.loads(line)
        if "end" in d:
            recs.append((line, 0))
            continue
        t = d.pop("time")
        d.pop("i")
        recs.append((json.dumps(d, sort_keys=True), t))
    return recs


_TIME = re.compile(r" Time=(-?\d+)")


def _text_records(out: bytes) -> list[tuple[str, int]]:
    """(event text without its time, time) per ``Event.String()`` event of a go-string output."""
    events: list[list[str]] = []
    for line in out.decode().split("\n")[:-1]:
        if line.startswith(("M=", "EOF", "ERROR: ", "PANIC: ")) or not events:
            events.append([line])
        else:
            events[-1].append(line)
    recs: list[tuple[str, int]] = []
    for ev in events:
        text = "\n".join(ev)
        m = _TIME.search(ev[0])
        recs.append((_TIME.sub("", text, count=1), int(m.group(1)) if m else 0))
    return recs


def windows_match(py: list[tuple[str, int]], go: list[tuple[str, int]]) -> tuple[bool, str]:
    """Whether two outputs, as (event, time) records, are equal up to Go's v1 tie order."""
    if len(py) != len(go):
        return False, f"{len(py)} records vs {len(go)}"
    if py[-1] != go[-1]:
        return False, f"terminal differs: {py[-1][0]} vs {go[-1][0]}"
    why = same_up_to_ties(py[:-1], go[:-1])
    return why is None, why or ""


def assert_v1_same_as_go(helper: GoHelper, data: bytes) -> None:
    """Python's ``parse`` and ``go-string`` outputs equal Go's up to Go's own reorderings.

    Where Go is deterministic (no ties), that is byte equality; the windows are then all of
    length one.
    """
    out = both_outputs(helper, data)
    ok, why = windows_match(_json_records(out.py_json), _json_records(out.go_json))
    assert ok, "parse: " + why
    ok, why = windows_match(_text_records(out.py_text), _text_records(out.go_text))
    assert ok, "go-string: " + why


@pytest.mark.parametrize("path", _v1_testdata(), ids=lambda p: p.name)
def test_go_v1_testdata_matches_go(go_helper: GoHelper, path: Path) -> None:
    assert_v1_same_as_go(go_helper, path.read_bytes())


@pytest.mark.parametrize("path", _v1_testdata(), ids=lambda p: p.name)
def test_go_v1_testdata_is_read_cleanly(path: Path) -> None:
    """Go's parser_test: every v1 testdata trace parses and converts without error."""
    events, err = read_all(path.read_bytes())
    assert err is None
    assert str(events[0].kind) == "Sync" and str(events[-1].kind) == "Sync"


def _v1_fuzz_seeds() -> list[Path]:
    from oracle.parser.inputs import load
    from tests.conftest import go_fuzz_seeds

    return [p for p in go_fuzz_seeds() if load(p).data[:7] in (b"go 1.11", b"go 1.19", b"go 1.21")]


@pytest.mark.parametrize("path", _v1_fuzz_seeds(), ids=lambda p: p.name)
def test_go_v1_fuzz_seeds_match_go(go_helper: GoHelper, path: Path) -> None:
    from oracle.parser.inputs import load

    assert_v1_same_as_go(go_helper, load(path).data)


def _v1_real_traces() -> list[RealTrace]:
    from oracle.harness.realtraces import V1_RUNTIME_VERSIONS, real_traces

    return [t for v in V1_RUNTIME_VERSIONS for t in real_traces(v)]


@pytest.mark.slow
@pytest.mark.parametrize("trace", _v1_real_traces(), ids=lambda t: t.name)
def test_go121_real_trace_matches_go(go_helper: GoHelper, trace: RealTrace) -> None:
    assert_v1_same_as_go(go_helper, trace.path.read_bytes())


def test_go121_cgo_trace_is_rejected_like_go() -> None:
    """Go 1.27.3 cannot order the v1 trace of cgo callbacks from C threads; neither can we."""
    (cgo,) = [t for t in _v1_real_traces() if t.scenario == "cgo"]
    with pytest.raises(TraceError) as ei:
        Reader(cgo.path.read_bytes())
    assert ei.value.message == "no consistent ordering of events possible"


def test_windows_match_rejects_a_changed_event() -> None:
    def recs(*lines: str) -> list[tuple[str, int]]:
        return _json_records("".join(line + "\n" for line in lines).encode())

    a = recs('{"i":0,"kind":"Sync","time":1}', '{"i":1,"kind":"Log","time":2}', '{"end":"EOF"}')
    b = recs('{"i":0,"kind":"Sync","time":1}', '{"i":1,"kind":"Label","time":2}', '{"end":"EOF"}')
    assert not windows_match(a, b)[0]
    c = recs('{"i":0,"kind":"Log","time":1}', '{"i":1,"kind":"Sync","time":2}', '{"end":"EOF"}')
    assert windows_match(a, c)[0]
    d = recs('{"i":0,"kind":"Log","time":1}', '{"i":1,"kind":"Sync","time":3}', '{"end":"EOF"}')
    assert not windows_match(a, d)[0]
    assert not windows_match(a, a[:-1] + recs('{"end":"error","error":"x"}'))[0]


V1_FINDINGS = sorted((Path(__file__).resolve().parents[3] / "corpus" / "go-findings").glob("v1-*.trace"))


@pytest.mark.parametrize("path", V1_FINDINGS, ids=lambda p: p.stem)
def test_v1_go_finding_is_mirrored(go_helper: GoHelper, path: Path) -> None:
    """docs/go-findings.md finding 21: Go's accessors panic on v1 events; ours panic alike."""
    data = path.read_bytes()
    go = go_helper.request("parse", data)
    assert go.outcome == "ok" and b'"panics":' in go.output
    assert "".join(line + "\n" for line in canonical.dump_trace(data)).encode() == go.output


def test_v1_mutants_are_deterministic_v1_inputs() -> None:
    from oracle.campaign.sources import v1_mutant, v1_seed_traces
    from oracle.diff.compare import ties_possible

    assert v1_seed_traces()
    a = v1_mutant("s:0:1:v1:0")
    assert a == v1_mutant("s:0:1:v1:0") and a[1][0].startswith("v1-seed#")
    assert ties_possible(a[0])


def test_v1_reads_the_same_from_bytes_stream_and_path(tmp_path: Path) -> None:
    import io

    path = _v1_testdata()[-1]  # user_task_region_1_21_good
    data = path.read_bytes()
    want = [e.go_string() for e in Reader(data)]
    assert [e.go_string() for e in Reader(io.BytesIO(data))] == want
    assert [e.go_string() for e in Reader(path)] == want
    assert len(want) > 10


def test_v1_error_from_the_converter_does_not_end_the_trace() -> None:
    """Go's ReadEvent goes on after a converter error (FutileWakeup): so do we."""
    from oracle.parser.inputs import load
    from tests.conftest import go_fuzz_seeds

    (seed,) = [p for p in go_fuzz_seeds() if p.name == "4055b17cae1a3443"]
    r = Reader(load(seed).data)
    assert r.read_event().go_string() == "M=-1 P=-1 G=-1 Sync Time=-1 N=1"
    with pytest.raises(TraceError, match="^unexpected event type 36$"):
        r.read_event()
    # The FutileWakeup was the only event: next comes the final Sync, then the end.
    assert r.read_event().go_string() == "M=-1 P=-1 G=-1 Sync Time=0 N=2"
    with pytest.raises(EOFError):
        r.read_event()
