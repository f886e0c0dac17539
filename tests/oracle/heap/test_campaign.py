"""The heap oracle's campaign verdicts (oracle.heap.campaign) and the checker's hook."""

from __future__ import annotations

from oracle.heap.campaign import (
    HEAP_CONSISTENT,
    HEAP_NONE,
    HEAP_UNEXPECTED,
    HEAP_VIOLATIONS,
    HEAP_VERDICTS,
    heap_verdict,
)
from strategies import RandomChooser, draw_valid, mutate, trace_params


def _trace(seed: int, versions: list[int], allocfree: bool | None) -> bytes:
    vs, template = trace_params(versions=versions, allocfree=allocfree, max_events=60)
    return draw_valid(RandomChooser(seed), vs, template).to_binary()


def test_verdict_classes() -> None:
    assert heap_verdict(_trace(1, [22], None)).verdict == HEAP_NONE
    assert heap_verdict(_trace(1, [26], False)).verdict == HEAP_NONE
    assert heap_verdict(_trace(2, [26], True)).verdict == HEAP_CONSISTENT
    vs, template = trace_params(versions=[26], allocfree=True, max_events=60)
    ch = RandomChooser(3)
    tr = mutate(ch, draw_valid(ch, vs, template), ("heap_double_object_alloc",), max_mutations=1)
    assert tr.mutations == ("heap_double_object_alloc",)
    hv = heap_verdict(tr.to_binary(), tr.mutations)
    assert hv.verdict == HEAP_VIOLATIONS and "HeapObject:alloc-live" in hv.rules
    # The same bytes as a "valid" case: a violation there is a generator or oracle bug.
    assert heap_verdict(tr.to_binary(), ()).verdict == HEAP_UNEXPECTED
    # Inputs of unknown provenance (atheris' evolving corpus): a violation is only that.
    assert heap_verdict(tr.to_binary(), (), valid_unless_mutated=False).verdict == HEAP_VIOLATIONS
    assert len(set(HEAP_VERDICTS)) == len(HEAP_VERDICTS)


#: A Go 1.22 trace (header ``go 1.22``) with a SpanAlloc event in it (a campaign's
#: ``insert_event`` mutant): Go 1.27.3 reads any version's events with its whole table
#: (docs/go-findings.md 23 and 26), so it has AllocFree content, without its batches.
_GO122_WITH_SPAN_ALLOC = bytes.fromhex(
    "676f20312e32322074726163650000000101a0f73601150d01a0f736011901a0f736a0f73602160101001803"
    "0101a1f736010f0d04a0f736040c01a0f73601a0f736010100ad0d9d010d0100020a010001250180c08e0825"
    "018080d30c0b010a0100020b010a01000326018080bd0b0b010a010004260180c0900f25018080db030b010a"
    "010005250180c0910d250180c0d20f260180c09a0a0b010a010006250180c0e20525018080a704250180c0bb"
    "0b0b010a01000725018080a30b0b0181010507020a01000825018080eb030b010a01000925018080a5082501"
    "80c0d80d0b010a01000a0101ffffffffffffffffff01d10d0508a8d6b907"
)


def test_a_go122_header_does_not_hide_allocfree_events() -> None:
    hv = heap_verdict(_GO122_WITH_SPAN_ALLOC, ("insert_event",))
    assert hv.verdict == HEAP_VIOLATIONS and hv.rules == ("AllocFree:no-info",)


def test_garbage_is_a_verdict_not_an_exception() -> None:
    for data in (b"", b"go 1.26 trace\x00\x00\x00", b"go 1.26 trace\x00\x00\x00\x01\x02\x03", b"\xff" * 40):
        assert heap_verdict(data).verdict in HEAP_VERDICTS


def test_checker_counts_heap_verdicts() -> None:
    from oracle.campaign.checker import CaseStats

    a, b = CaseStats(), CaseStats()
    a.heap[HEAP_CONSISTENT] += 2
    b.heap[HEAP_CONSISTENT] += 1
    b.heap_rules["Span:alloc-live"] += 1
    b.heap_samples.append("heap-unexpected seed=x")
    a.merge(CaseStats.from_json(b.to_json()))
    assert a.heap[HEAP_CONSISTENT] == 3 and a.heap_rules["Span:alloc-live"] == 1
    assert a.heap_samples == ["heap-unexpected seed=x"]


def test_the_atheris_checker_judges_inputs_of_unknown_provenance(tmp_path: object) -> None:
    from pathlib import Path

    from oracle.campaign.atheris_engine import WorkerConfig, make_checker

    cfg = WorkerConfig(job=0, seed="s", out=Path(str(tmp_path)) / "o.jsonl",
                       go_binary=Path("/nonexistent"), go_version="1.27.3",
                       corpus_root=Path(str(tmp_path)))
    checker = make_checker(cfg, lambda: False)
    try:
        assert checker.valid_unless_mutated is False  # type: ignore[attr-defined]
    finally:
        checker.close()

