"""The minimizer: ddmin, the structural model and signature-keeping reduction
(oracle/diff/minimize.py).  The ``minimize`` subcommand: tests/oracle/cli/test_minimize_command.py."""

from __future__ import annotations

import random
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from oracle.parser import raw
from oracle.diff.compare import compare
from oracle.diff.impls import GoImpl, PythonImpl
from oracle.diff.minimize import (
    MinimizeStats,
    ddmin,
    generations,
    minimize,
    signature_predicate,
)
from oracle.harness.helper import helper_for
from oracle.parser.inputs import load
from oracle.parser.rawtrace import decode, encode
from strategies import RandomChooser, draw_valid, mutate, trace_params

ROOT = Path(__file__).resolve().parents[3]
GO_FINDINGS = ROOT / "corpus" / "go-findings"


@pytest.fixture(scope="module")
def go() -> Iterator[GoImpl]:
    with GoImpl(helper_for(), "1.27.3") as impl:
        yield impl


def _junk(seed: int, n: int = 300) -> bytes:
    r = random.Random(seed)
    return bytes(r.randrange(256) for _ in range(n))


# --- ddmin -----------------------------------------------------------------------------------


def test_ddmin_finds_the_needed_elements() -> None:
    calls = []

    def test(xs: list[int]) -> bool:
        calls.append(xs)
        return 3 in xs and 17 in xs

    assert ddmin(list(range(40)), test) == [3, 17]
    assert len(calls) < 200


def test_ddmin_can_reach_empty_and_keeps_order() -> None:
    assert ddmin([1, 2, 3], lambda xs: True) == []
    assert ddmin(list("abcdef"), lambda xs: "".join(xs).find("ce") >= 0 or xs == list("ce")) == ["c", "e"]


# --- the model -------------------------------------------------------------------------------


@pytest.mark.parametrize("path", sorted(GO_FINDINGS.glob("*.txt"))[:6], ids=lambda p: p.stem)
def test_model_round_trips_minimal_traces(path: Path) -> None:
    data = load(path).data
    model = decode(data)
    assert model is not None and model.tail == b""
    assert encode(model) == data


def test_model_recomputes_batch_sizes_after_dropping_events() -> None:
    data = load(GO_FINDINGS / "stwend-kind-string-across-generations.txt").data
    model = decode(data)
    assert model is not None
    assert [len(g) for g in generations(model)] == [3, 2]
    model.batches[2].events.pop()
    text = raw.binary_to_text(encode(model))
    assert "EventBatch gen=1 m=1 time=1 size=18" in text  # was 22, STWBegin (4 bytes) dropped


def test_model_frames_batches_like_the_parser() -> None:
    """An experiment byte >= 128 desynchronizes the raw reader, not the batch framing."""
    data = load(GO_FINDINGS / "sync-unknown-experiment.txt").data
    mutated = data.replace(b"1\x02", b"1\x82")  # ExperimentalBatch exp=2 -> raw byte 0x82
    model = decode(mutated)
    assert model is not None and model.tail == b""
    assert model.batches[-1].exp == 0x82
    assert encode(model) == mutated


def test_undecodable_input_has_no_model() -> None:
    assert decode(b"not a trace at all") is None


# --- minimize with a pure predicate ----------------------------------------------------------


def test_minimize_keeps_the_predicate_and_counts_calls() -> None:
    """Predicate: Python rejects with one particular error.  Every accepted step keeps it."""
    py = PythonImpl()
    data = load(GO_FINDINGS / "syscallend-says-not-running.txt").data + _junk(1, 0)
    want = py.run(data).error
    assert want is not None

    def keep(d: bytes) -> bool:
        return py.run(d).error == want

    st = MinimizeStats()
    out = minimize(data, keep, stats=st)
    assert keep(out) and len(out) <= len(data)
    assert st.calls > 0 and st.structural and st.final_size == len(out)


def test_minimize_without_structure_uses_bytes() -> None:
    data = b"xx" + b"A" * 50 + b"needle" + b"B" * 50

    def keep(d: bytes) -> bool:
        return b"needle" in d

    assert minimize(data, keep) == b"needle"


def test_minimize_respects_the_deadline() -> None:
    data = bytes(range(256)) * 4

    def keep(d: bytes) -> bool:
        time.sleep(0.02)
        return d.count(7) >= 2

    st = MinimizeStats()
    t0 = time.monotonic()
    out = minimize(data, keep, deadline=time.monotonic() + 0.2, stats=st)
    assert time.monotonic() - t0 < 2
    assert st.timed_out and keep(out) and len(out) < len(data)


# --- minimize against Go ---------------------------------------------------------------------


@pytest.mark.parametrize("slug", ["sync-unknown-experiment", "procstatus-uint8-truncation",
                                  "cpusample-invalid-stack-id"])
def test_padded_go_finding_shrinks_back_to_a_readable_repro(go: GoImpl, slug: str) -> None:
    py = PythonImpl()
    orig = load(GO_FINDINGS / f"{slug}.txt").data
    data = orig + _junk(len(slug))
    sig = compare(py.run(data), go.run(data)).signature
    assert sig.startswith("go-panic:")
    st = MinimizeStats()
    out = minimize(data, signature_predicate(sig, go, py), deadline=time.monotonic() + 30, stats=st)
    assert compare(py.run(out), go.run(out)).signature == sig
    assert len(out) <= len(orig), (len(out), len(orig))
    assert raw.text_to_binary(raw.binary_to_text(out)) == out  # readable repro


def test_mutated_generated_findings_shrink(go: GoImpl) -> None:
    py = PythonImpl()
    versions, template = trace_params(max_events=60)
    found = 0
    for i in range(200):
        ch = RandomChooser(random.Random(f"test-minimize:{i}"))
        tr = mutate(ch, draw_valid(ch, versions, template), ("unknown_experiment",))
        data = tr.to_binary()
        c = compare(py.run(data), go.run(data))
        if c.agree:
            continue
        out = minimize(data, signature_predicate(c.signature, go, py),
                       deadline=time.monotonic() + 20)
        assert compare(py.run(out), go.run(out)).signature == c.signature
        assert len(out) < 64 <= len(data), (len(out), len(data))
        found += 1
        if found == 2:
            break
    assert found == 2
