"""The strategies' AllocFree heap obeys every oracle.heap rule; each heap mutation breaks its own.

Property: valid examples (Hypothesis, AllocFree forced on) replay with 0 violations.
Liveness: every named semantic heap mutation, applied alone, triggers the rule it is named for
on most seeded traces, and the traces stay ones the reference parser accepts.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings

from oracle.heap.check import HeapStatus, check_trace
from oracle.heap.rules import RULE_NAMES
from oracle.heap.sizeclasses import CLASS_TO_SIZE
from strategies import HEAP_MUTATION_RULES, HEAP_MUTATIONS, MUTATIONS, RandomChooser, Trace, draw_valid, mutate, trace_params, traces
from strategies._internal import model


@settings(max_examples=150)
@given(traces(versions=[23, 25, 26], allocfree=True, max_generations=3, max_events=80))
def test_valid_heaps_have_no_violation(tr: Trace) -> None:
    v = check_trace(tr.to_binary())
    assert v.parse_error is None
    assert v.result.total_violations == 0, (tr.describe(), v.result.examples)


def test_valid_heaps_are_not_trivial() -> None:
    """Over a seeded batch, the model writes every heap event kind and several generations."""
    vs, template = trace_params(versions=[26], allocfree=True, max_generations=3, max_events=80)
    seen = {"Span": 0, "HeapObject": 0, "GoroutineStack": 0, "objects": 0, "spans_freed": 0, "gens": 0}
    for seed in range(40):
        v = check_trace(draw_valid(RandomChooser(seed), vs, template).to_binary())
        assert v.status is not HeapStatus.VIOLATIONS
        r = v.result
        seen["Span"] += r.spans.snapshot
        seen["HeapObject"] += r.objects.snapshot
        seen["GoroutineStack"] += r.stacks.snapshot
        seen["objects"] += r.objects.allocated
        seen["spans_freed"] += r.spans.freed
        seen["gens"] += r.generations > 1
    assert all(seen.values()), seen


def test_model_size_classes_are_the_runtime_s() -> None:
    for sc, size in model._CLASS_TO_SIZE.items():
        assert CLASS_TO_SIZE[sc] == size
    assert 1 not in model._CLASS_TO_SIZE  # 8-byte elements would make ID+1 a boundary


def test_heap_mutations_are_registered_and_named_for_rules() -> None:
    assert set(HEAP_MUTATIONS) == set(HEAP_MUTATION_RULES)
    assert set(HEAP_MUTATIONS) <= set(MUTATIONS)
    assert set(HEAP_MUTATION_RULES.values()) <= set(RULE_NAMES)
    # Every rule a generated trace can break has a mutation (all rules).
    assert set(HEAP_MUTATION_RULES.values()) == set(RULE_NAMES)


@pytest.mark.parametrize("name", sorted(HEAP_MUTATIONS))
def test_heap_mutation_triggers_its_rule(name: str) -> None:
    vs, template = trace_params(versions=[23, 25, 26], allocfree=True, max_events=80)
    rule = HEAP_MUTATION_RULES[name]
    applied = hit = 0
    for seed in range(40):
        ch = RandomChooser(seed)
        tr = mutate(ch, draw_valid(ch, vs, template), (name,), max_mutations=1)
        if tr.mutations != (name,):
            continue
        applied += 1
        v = check_trace(tr.to_binary())
        assert v.parse_error is None, (name, v.parse_error)
        if v.result.violations[rule] > 0:
            hit += 1
        else:
            pytest.fail(f"{name} did not trigger {rule}: {tr.describe()}\n{v.result.violations}")
    assert applied >= 10, f"{name} applied to only {applied}/40 traces"
