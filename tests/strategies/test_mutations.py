"""The mutation registry (strategies/_internal/mutations.py): liveness and expectations.

Over a fixed, seeded batch of mutated traces, every named mutation is applied at least once,
Go both accepts and rejects some of them, and every disagreement between Go and Python is one
of the known Go findings.  Single mutations with a known outcome must produce it.
"""

from __future__ import annotations

from collections import Counter

import pytest

from oracle.diff import Status
from strategies import (
    EXPECTED_FAILURES,
    HEAP_MUTATIONS,
    MUTATIONS,
    RAW_MUTATIONS,
    Outcome,
    RandomChooser,
    Trace,
    draw_valid,
    mutate,
    trace_params,
)

from strategies._internal.builder import Batch
from strategies._internal.mutations import (
    ACCEPTED,
    READING_PATH_MUTATIONS,
    READING_PATH_TARGETS,
    READING_PATH_WEIGHTS,
)

from _strategies_support import both, describe, known_finding

N_MUTATED = 600  # the registry includes the 18 heap mutations (test_heap_model.py)


@pytest.fixture(scope="module")
def mutated_batch() -> list[Trace]:
    vs, template = trace_params(max_events=60)
    out = []
    for seed in range(N_MUTATED):
        ch = RandomChooser(10_000 + seed)
        out.append(mutate(ch, draw_valid(ch, vs, template)))
    return out


def test_liveness_mutations_and_verdicts(go_helper, mutated_batch: list[Trace]) -> None:  # type: ignore[no-untyped-def]
    applied: Counter[str] = Counter()
    verdicts: Counter[str] = Counter()
    findings: Counter[str] = Counter()
    errors: set[str] = set()
    for tr in mutated_batch:
        assert tr.mutations
        applied.update(tr.mutations)
        py, go, c = both(go_helper, tr.to_binary())
        verdicts[go.status.value] += 1
        if go.status is Status.REJECTED:
            errors.add(go.error or "")
        if not c.agree:
            known = known_finding(py, go, c)
            assert known, f"NEW DIVERGENCE {tr.describe()}\n{describe(py, go, c)}"
            findings[known.split(":")[0]] += 1
    # The registry is large and weighted: an operator that needs a rare event (a task, a CPU
    # sample) may miss this shared batch, but must still apply when it is the only choice.
    vs, template = trace_params(max_events=60)
    never = [m for m in MUTATIONS if not applied[m]
             if not any(mutate(ch, draw_valid(ch, vs, template), (m,), max_mutations=1).mutations == (m,)
                        for ch in map(RandomChooser, range(30_000, 30_050)))]
    assert not never, f"never applied: {never}"
    assert verdicts["accepted"] and verdicts["rejected"], verdicts
    # A generator that only ever breaks traces one way would show few distinct errors.
    assert len(errors) >= 40, sorted(errors)


@pytest.mark.parametrize("name", sorted(EXPECTED_FAILURES))
def test_single_mutation_with_known_outcome(go_helper, name: str) -> None:  # type: ignore[no-untyped-def]
    vs, template = trace_params(versions=[25, 26] if "clock" in name else None, max_events=30)
    checked = 0
    for seed in range(40):
        ch = RandomChooser(seed)
        tr = mutate(ch, draw_valid(ch, vs, template), (name,), max_mutations=1)
        if tr.expectation.outcome is not Outcome.FAILURE:
            continue
        py, go, c = both(go_helper, tr.to_binary())
        assert go.status is Status.REJECTED and c.agree, f"{tr.describe()}\n{describe(py, go, c)}"
        import re

        assert tr.expectation.pattern and re.search(tr.expectation.pattern, go.error or ""), go.error
        checked += 1
    assert checked >= 10


@pytest.mark.parametrize("name", sorted(MUTATIONS))
def test_each_mutation_changes_the_trace(name: str) -> None:
    vs, template = trace_params(allocfree=True, versions=[26], features=None)
    changed = 0
    for seed in range(30):
        ch = RandomChooser(seed)
        base = draw_valid(ch, vs, template)
        tr = mutate(ch, base, (name,), max_mutations=1)
        assert base.mutations == ()  # the input is not modified
        if tr.mutations == (name,) and tr.to_binary() != base.to_binary():
            changed += 1
    assert changed >= 5, f"{name} changed only {changed}/30 traces"


@pytest.mark.parametrize("name", sorted(HEAP_MUTATIONS))
def test_heap_mutations_after_breaking_mutations(name: str) -> None:
    """A heap operator applied after ``truncate_args`` cut its target short, or after
    ``corrupt_experimental_batch`` broke a type table, must not raise (campaigns found
    ``heap_free_unknown_stack`` reading such an event's ID and ``heap_type_too_large``
    decoding such a table)."""
    vs, template = trace_params(allocfree=True, versions=[26], features=None)
    for seed in range(40):
        ch = RandomChooser(seed)
        for first in ("truncate_args", "corrupt_experimental_batch"):
            broken = mutate(ch, draw_valid(ch, vs, template), (first,), max_mutations=3)
            mutate(ch, broken, (name,), max_mutations=1)


#: Dedicated boundary mutations -> (versions, Go error fragments that show the boundary was hit).
DEDICATED = {
    "varint_tenth_byte": (None, ("varint overflows a 64-bit integer", "invalid uvarint")),
    "gostart_waiting": (None, ("failed to advance",)),
    "cut_after_tables": ([26], ()),
}


@pytest.mark.parametrize("name", sorted(DEDICATED))
def test_liveness_dedicated_boundary_mutations(go_helper, name: str) -> None:  # type: ignore[no-untyped-def]
    versions, fragments = DEDICATED[name]
    vs, template = trace_params(versions=versions, max_events=40)
    applied = hits = 0
    for seed in range(40):
        ch = RandomChooser(seed)
        tr = mutate(ch, draw_valid(ch, vs, template), (name,), max_mutations=1)
        if tr.mutations != (name,):
            continue
        applied += 1
        py, go, c = both(go_helper, tr.to_binary())
        assert c.agree or known_finding(py, go, c), f"{tr.describe()}\n{describe(py, go, c)}"
        if fragments:
            hits += go.status is Status.REJECTED and any(f in (go.error or "") for f in fragments)
        else:
            # The trace now ends inside the cut generation, after its tables: no event batch
            # and no EndOfGeneration of that generation remain.
            last = tr.items[-1]
            assert isinstance(last, Batch) and last.role not in ("events", "status")
            hits += go.status is Status.ACCEPTED
    assert applied >= 10, f"{name} applied to {applied}/40 traces"
    assert hits >= 5, f"{name} reached its boundary {hits} times"


# --- reading-path operators (issue 10, point 6) -----------------------------------------------

#: Most seeds a reading-path operator may take to show every outcome it targets.
_MAX_SEEDS = 400


def _matches(target: str, outcome: str) -> bool:
    import re

    return outcome == ACCEPTED if target == ACCEPTED else outcome != ACCEPTED and re.search(target, outcome) is not None


@pytest.mark.parametrize("name", sorted(READING_PATH_TARGETS))
def test_reading_path_mutation_reaches_its_targets(go_helper, name: str) -> None:  # type: ignore[no-untyped-def]
    """Applied alone to small valid traces, each reading-path operator provokes every Go outcome
    it is meant for (each error text names the order.go/generation.go/batch.go/reader.go check
    it exists to reach), and Python agrees with Go on every one of them."""
    assert name in MUTATIONS
    # The GC scenarios after the first generation strip the base's GC events themselves; the
    # generation-0 check exists from Go 1.26 on, the EndOfGeneration-byte one before it.
    vs, template = trace_params(max_events=10, max_generations=2)
    targets = READING_PATH_TARGETS[name]
    seen: set[str] = set()
    outcomes: Counter[str] = Counter()
    for seed in range(_MAX_SEEDS):
        ch = RandomChooser(20_000 + seed)
        tr = mutate(ch, draw_valid(ch, vs, template), (name,), max_mutations=1)
        py, go, c = both(go_helper, tr.to_binary())
        assert c.agree or known_finding(py, go, c), f"{tr.describe()}\n{describe(py, go, c)}"
        out = ACCEPTED if go.status is Status.ACCEPTED else (go.error or go.status.value)
        outcomes[out.splitlines()[0]] += 1
        seen.update(t for t in targets if _matches(t, out))
        if len(seen) == len(targets):
            break
    missing = [t for t in targets if t not in seen]
    assert not missing, f"{name} never gave {missing}; outcomes: {outcomes.most_common()}"


def test_reading_path_operators_have_weights_and_targets() -> None:
    assert set(READING_PATH_TARGETS) == set(READING_PATH_MUTATIONS)
    assert set(READING_PATH_MUTATIONS) <= set(MUTATIONS)
    assert set(READING_PATH_WEIGHTS) <= set(READING_PATH_MUTATIONS)


@pytest.mark.parametrize("name", sorted(RAW_MUTATIONS))
def test_raw_mutations_apply_to_generated_traces_by_name(name: str) -> None:
    """The raw-level operators are in the same registry: ``mutate`` applies them by name
    through the raw-trace model and freezes the result."""
    vs, template = trace_params(versions=[26], max_events=30)
    changed = 0
    for seed in range(30):
        ch = RandomChooser(seed)
        base = draw_valid(ch, vs, template)
        tr = mutate(ch, base, (name,), max_mutations=1)
        if tr.mutations == (name,):
            assert tr.raw_bytes is not None and base.raw_bytes is None
            changed += tr.to_binary() != base.to_binary()
    assert changed >= 5, f"{name} changed only {changed}/30 traces"
