"""The atheris engine (oracle.campaign.atheris_engine, atheris_mutators): raw structure, mutator,
feedback, workers, campaigns."""

from __future__ import annotations

import json
import random
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from oracle.campaign.atheris_engine import (
    _BOOTSTRAP,
    MAX_LEN,
    AtherisConfig,
    WorkerConfig,
    _Aggregate,
    _libfuzzer_flags,
    _supervise,
    _Tail,
    _worker_command,
    features,
    prepare_seeds,
)
from oracle.campaign.atheris_mutators import StructureAwareMutator, generated_seeds
from oracle.campaign.checker import CaseStats, NewFinding, WorkerMessage
from oracle.cli import app
from oracle.diff.impls.python import PythonImpl
from oracle.parser import rawtrace
from oracle.parser.raw import RawEvent, RawReader
from oracle.parser.rawtrace import RawTrace, decode, encode
from oracle.parser.tracev2 import EventType
from oracle.parser.version import V2_VERSIONS, Version, write_header
from strategies import RAW_MUTATIONS, RandomChooser, mutate_raw
from tests._terminal_support import signal_once_seen

pytest.importorskip("atheris")

REPO = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def seeds() -> list[bytes]:
    """Generated seeds (valid and mutated) plus a few real traces."""
    real = sorted((REPO / "corpus" / "seeds").glob("*.trace"))[:6]
    return [t.to_binary() for t in generated_seeds("test", 60)] + [p.read_bytes() for p in real]


@pytest.fixture(scope="module")
def valid() -> list[bytes]:
    """Generated traces that are valid (no mutation applied)."""
    return [t.to_binary() for t in generated_seeds("valid", 90) if not t.mutations]


def _reverse(data: bytes, max_size: int) -> bytes:
    """A deterministic stand-in for ``atheris.Mutate`` (which only runs inside Fuzz())."""
    return (data[::-1] + b"x")[:max_size]


# --- raw structure ----------------------------------------------------------------------


def _batches_consistent(data: bytes) -> None:
    """Every EventBatch's size equals the encoded size of the events it covers."""
    rt = decode(data)
    assert rt is not None and rt.tail == b""
    # Read the sizes off the wire with the raw reader (full table), not through the model.
    events = RawReader(write_header(rawtrace.FULL_VERSION) + data[len(rt.header):]).read_all()
    i = 0
    while i < len(events):
        header = events[i]
        i += 1
        if header.ev != EventType.EventBatch:
            continue
        covered = 0
        while covered < header.args[3]:
            covered += events[i].encoded_size()
            i += 1
        assert header.args[3] == covered


def test_decode_groups_batches_and_encode_preserves_meaning(valid: list[bytes]) -> None:
    py = PythonImpl()
    for data in valid:
        rt = decode(data)
        assert rt is not None and rt.batches and rt.tail == b""
        again = encode(rt)
        _batches_consistent(again)
        # Re-encoding only unpads the batch-size varints: the parse is the same.
        assert py.run(again) == py.run(data)
        assert encode(decode(again) or rt) == again


def test_decode_rejects_bad_header_and_keeps_tail() -> None:
    assert decode(b"not a trace") is None
    good = generated_seeds("tail", 1)[0].to_binary()
    rt = decode(good + b"\x00\xff")  # type byte 0 is invalid: the rest is tail
    assert rt is not None and rt.tail.endswith(b"\x00\xff")
    assert encode(rt).endswith(b"\x00\xff")


def test_decode_reads_the_usual_header_once_with_the_same_result(
        seeds: list[bytes], monkeypatch: pytest.MonkeyPatch) -> None:
    """The fast path for a well-formed v2 header gives what the general path gives."""
    fast = [decode(d) for d in seeds]
    monkeypatch.setattr(rawtrace, "_V2_HEADERS", {})
    slow = [decode(d) for d in seeds]
    assert fast == slow
    assert {rt.version for rt in fast if rt is not None} == set(V2_VERSIONS)
    # A header that scans but is not the usual one takes the general path, tail included.
    usual = next(d for d, rt in zip(seeds, fast) if rt is not None and rt.version == 22)
    odd = b"go  1.22 trace\x00\x00\x00" + usual[16:] + b"\x00\xff"
    monkeypatch.undo()
    rt = decode(odd)
    assert rt is not None and rt.version is Version.Go122 and rt.tail == b"\x00\xff"
    assert rt.batches == fast[seeds.index(usual)].batches  # type: ignore[union-attr]


@pytest.mark.parametrize("name", sorted(RAW_MUTATIONS))
def test_every_raw_operator_applies(name: str, valid: list[bytes]) -> None:
    """Liveness: each operator edits some generated trace, and the result still encodes."""
    rng = random.Random(name)
    applied = 0
    for data in valid[:20]:
        rt = decode(data)
        assert rt is not None
        if RAW_MUTATIONS[name](RandomChooser(rng), rt):
            applied += 1
            out = encode(rt)
            assert RawReader(out).version == rt.version
    assert applied >= 10


def _shape(rt: RawTrace) -> list[tuple[object, list[RawEvent]]]:
    """Batches as (header fields but size, events)."""
    return [((b.kind, b.exp, b.gen, b.m, b.time, b.rest), b.events) for b in rt.batches]


def test_structural_mutations_keep_batch_sizes_consistent(valid: list[bytes]) -> None:
    rng = random.Random(7)
    for i in range(300):
        rt = decode(valid[i % len(valid)])
        assert rt is not None
        names = mutate_raw(RandomChooser(rng), rt, consistent=True)
        assert set(names) <= set(RAW_MUTATIONS) - {"raw_stale_size"}
        out = encode(rt)
        _batches_consistent(out)
        back = decode(out)
        assert back is not None and back.tail == b""
        assert _shape(back) == _shape(rt)


# --- the custom mutator --------------------------------------------------------------------


def test_mutator_bounded_and_deterministic(seeds: list[bytes]) -> None:
    models = {t.to_binary(): t for t in generated_seeds("test", 60)}
    m1 = StructureAwareMutator(_reverse, models=models)
    m2 = StructureAwareMutator(_reverse, models=models)
    for i in range(400):
        data = seeds[i % len(seeds)]
        max_size = (64, 512, 4096, 1 << 20)[i % 4]
        out = m1(data, max_size, i)
        assert isinstance(out, bytes) and len(out) <= max_size
        assert m2(data, max_size, i) == out
        names = m1.mutations_for(out)
        assert names and m1.mutations_for(out + b"?") == ()
    assert set(m1.paths) == {"libfuzzer", "raw", "strategies"}


def test_mutator_decode_cache_hands_out_fresh_copies(valid: list[bytes]) -> None:
    """A remembered decode is not changed by the edits made to the copy handed out."""
    m = StructureAwareMutator(_reverse, byte_share=0.0)
    fresh = StructureAwareMutator(_reverse, byte_share=0.0)
    for i in range(60):
        data = valid[i % 5]
        assert m(data, 1 << 20, i) == fresh(data, 1 << 20, i)
        fresh._decoded.clear()
    assert len(m._decoded) == 5


def test_mutator_falls_back_to_bytes_on_garbage() -> None:
    m = StructureAwareMutator(_reverse, byte_share=0.0)
    for seed in range(20):
        assert m(b"garbage", 100, seed) == b"egabragx"
        assert m.mutations_for(b"egabragx") == ("libfuzzer",)


# --- feedback features ------------------------------------------------------------------------


def test_features_distinguish_structure_and_outcome(valid: list[bytes]) -> None:
    f = [set(features(d, "agree", "accepted", "accepted")) for d in valid[:10]]
    assert all(f)
    assert len({frozenset(x) for x in f}) > 5
    garbage = set(features(b"xx", "agree", "rejected", "rejected"))
    assert 1 in garbage and len(garbage) == 2
    assert set(features(valid[0], "go-panic:x", "rejected", "panic")) != f[0]


def test_features_from_the_canonical_output(valid: list[bytes]) -> None:
    """With the check's canonical JSON lines, features come from them, not from a decode."""
    from oracle.campaign.checker import _dump_bytes

    outs = [_dump_bytes(d) for d in valid[:10]]
    f = [set(features(d, "agree", "accepted", "accepted", o)) for d, o in zip(valid, outs)]
    assert all(len(x) > 5 for x in f) and len({frozenset(x) for x in f}) > 5
    # The input bytes only give the version: the rest is read off the output.
    assert set(features(valid[0][:16], "agree", "accepted", "accepted", outs[0])) == f[0]
    # Where a rejection happened counts, the numbers in its text do not.
    err = b'{"i":0,"kind":"Sync","time":1}\n{"end":"error","error":"bad thing at %d"}\n'
    e1 = set(features(valid[0], "agree", "rejected", "rejected", err % 1))
    assert e1 == set(features(valid[0], "agree", "rejected", "rejected", err % 77))
    other = err.replace(b"bad", b"odd") % 1
    assert e1 != set(features(valid[0], "agree", "rejected", "rejected", other))
    assert set(features(b"xx", "agree", "rejected", "rejected", b'{"end":"error"}\n')) >= {1}


def test_checker_keeps_its_last_output(pinned_helper: Path, valid: list[bytes],
                                       tmp_path: Path) -> None:
    """The feedback reads ``CaseChecker.last_output``: Python's lines of the last check."""
    from oracle.campaign.checker import CaseChecker, _dump_bytes
    from oracle.campaign.findings import FindingStore

    with CaseChecker(pinned_helper, "1.27.3", FindingStore(tmp_path), minimize=False) as ch:
        for d in (valid[0], b"garbage"):
            ch.check(d)
            assert ch.last_output == _dump_bytes(d)


def test_libfuzzer_flags_bound_the_input_size(tmp_path: Path) -> None:
    cfg = WorkerConfig(job=1, seed="s", out=tmp_path / "o", go_binary=tmp_path / "g",
                       go_version="1.27.3", seconds=5.0)
    flags = _libfuzzer_flags(cfg)
    assert f"-max_len={MAX_LEN}" in flags and "-max_total_time=35" in flags
    assert not any(f.startswith("-use_value_profile=1") for f in flags)


# --- the parent's bookkeeping ----------------------------------------------------------------


def test_tail_reads_only_complete_lines(tmp_path: Path) -> None:
    p = tmp_path / "job.jsonl"
    t = _Tail(p)
    assert list(t.read()) == []
    p.write_bytes(b'{"type": "error", "job": 1, "traceback": "a"}\n{"type": "error", "job"')
    assert list(t.read()) == [WorkerMessage("error", 1, error="a")]
    with open(p, "ab") as f:
        f.write(b': 2, "traceback": "b"}\n')
    assert list(t.read()) == [WorkerMessage("error", 2, error="b")]


def test_aggregate_sums_worker_snapshots() -> None:
    agg = _Aggregate()
    for job, n in ((0, 10), (1, 5)):
        st = CaseStats(cases=n)
        st.go.update(accepted=n - 1, rejected=1)
        agg.add(WorkerMessage("stats", job, stats=st, seconds=1.0, mutator={"raw": n}))
    agg.add(WorkerMessage("finding", 1, finding=NewFinding("s", "go-panic", "/r", None, [])))
    st = agg.stats()
    assert (st.cases, st.go_accepted, st.go_rejected) == (15, 13, 2)
    assert agg.exec_per_second() == 15.0 and agg.mutator()["raw"] == 15
    assert agg.findings["s"].repro == "/r"


def test_supervisor_stops_the_workers_at_max_findings(tmp_path: Path) -> None:
    """Once a worker reports ``max_findings`` new findings, the workers get SIGTERM."""
    out = tmp_path / "job-0.jsonl"
    finding = WorkerMessage("finding", 0, finding=NewFinding("s", "go-panic", "/r", None, []))
    out.write_text(json.dumps(finding.to_json()) + "\n")
    worker = subprocess.Popen(["sleep", "600"])  # a worker that would run for 10 minutes
    agg = _Aggregate()
    try:
        _supervise([worker], [_Tail(out)], agg, started=time.monotonic(), seconds=600.0,
                   quiet=True, signals=[], max_findings=1)
    finally:
        worker.kill()
    assert worker.wait() == -signal.SIGTERM and list(agg.findings) == ["s"]


def test_worker_messages_round_trip_as_json() -> None:
    st = CaseStats(cases=3)
    st.new.append(NewFinding("s", "go-panic", "/r", "seed", ["m"]))
    for msg in (WorkerMessage("stats", 0, stats=st, seconds=2.5, mutator={"raw": 1}),
                WorkerMessage("finding", 1, finding=st.new[0]),
                WorkerMessage("done", 2, stats=st, generator_errors=1, generator_error_sample="x"),
                WorkerMessage("error", 3, error="tb")):
        assert WorkerMessage.from_json(json.loads(json.dumps(msg.to_json()))) == msg


def test_prepare_seeds_dedupes_and_skips_metadata(tmp_path: Path) -> None:
    reg = tmp_path / "regressions" / "x"
    reg.mkdir(parents=True)
    (reg / "repro.trace").write_bytes(b"go 1.22 trace\0\0\0")
    (reg / "metadata.json").write_text("{}")
    n = prepare_seeds(tmp_path / "out", seed="s", generated=5,
                      corpus_dirs=(tmp_path / "regressions", tmp_path / "regressions"))
    assert n == 6 == len(list((tmp_path / "out").iterdir()))


# --- real workers and campaigns (Go helper, subprocesses) ---------------------------------


def _records(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


@pytest.mark.slow
def test_worker_runs_to_its_budget(tmp_path: Path, pinned_helper: Path) -> None:
    seeds_dir = tmp_path / "seeds"
    prepare_seeds(seeds_dir, seed="w", generated=30)
    opts = AtherisConfig(jobs=1, seconds=None, max_examples=400, seed="w", instrument=False,
                    minimize=False, quiet=True, corpus_root=tmp_path / "corpus", generated=30,
                    binary=pinned_helper, version="1.27.3")
    out = tmp_path / "job.jsonl"
    cmd = _worker_command(opts, 0, out, (tmp_path / "queue", seeds_dir))
    (tmp_path / "queue").mkdir()
    proc = subprocess.run(cmd, capture_output=True, timeout=60)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    recs = _records(out)
    assert recs[0]["type"] == "start" and recs[-1]["type"] == "done"
    done = recs[-1]
    stats = done["stats"]
    assert isinstance(stats, dict) and stats["cases"] == 400
    assert sum(stats["go"].values()) == 400
    mutator = done["mutator"]
    assert isinstance(mutator, dict) and mutator.get("raw", 0) > 0 and mutator.get("libfuzzer", 0) > 0


def _campaign_argv(tmp_path: Path, *extra: str) -> list[str]:
    return ["fuzz", "--engine", "atheris", "--jobs", "1", "--seed", "t", "--no-minimize", "-q",
            "--corpus", str(tmp_path / "corpus"), "--generated-seeds", "40", *extra]


@pytest.mark.slow
def test_campaign_writes_a_report(tmp_path: Path, pinned_helper: Path,
                                  capsys: pytest.CaptureFixture[str]) -> None:
    report = tmp_path / "report.json"
    (tmp_path / "corpus").mkdir()
    rc = app.main(_campaign_argv(tmp_path, "--time", "4", "--report", str(report)))
    r = json.loads(report.read_text())
    assert r["engine"] == "atheris" and r["jobs"] == 1
    assert r["cases"] > 100 and r["seconds"] > 3.5 and r["cases_per_second"] > 0
    assert r["exec_per_second"] > 0 and isinstance(r["known"], int)
    assert r["worker_errors"] == []
    assert rc == (1 if r["divergences"] else 0)
    for d in r["divergences"]:
        assert {"signature", "class", "repro"} <= set(d) and Path(d["repro"]).is_dir()
    assert "fuzz:" in capsys.readouterr().out


@pytest.mark.slow
def test_campaign_survives_sigterm(tmp_path: Path, pinned_helper: Path) -> None:
    """SIGTERM to the parent stops the workers and still writes the report.

    The signal goes once the progress line (stderr is a terminal) shows executions, however
    long the start-up takes on a busy machine."""
    report = tmp_path / "report.json"
    (tmp_path / "corpus").mkdir()
    cmd = [sys.executable, "-m", "oracle", "fuzz", "--engine", "atheris", "--time", "60",
           "--jobs", "2", "--seed", "sig", "--no-minimize", "--generated-seeds", "40",
           "--corpus", str(tmp_path / "corpus"), "--report", str(report)]
    rc, out, progress = signal_once_seen(cmd, re.compile(rb"\] [1-9][0-9,]* execs"),
                                         signal.SIGTERM, timeout=90)
    r = json.loads(report.read_text())
    assert r["interrupted"] == "SIGTERM"
    assert r["cases"] > 0 and r["worker_errors"] == [], progress[-2000:]
    assert r["workers"] and set(r["workers"]) <= {"0", "1"}
    assert rc == 128 + signal.SIGTERM  # as shells report a SIGTERM
    assert b"fuzz:" in out


def test_bootstrap_is_the_module_entry() -> None:
    assert "worker_main" in _BOOTSTRAP and "instrument_imports" in _BOOTSTRAP
