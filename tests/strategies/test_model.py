"""The forward G/P/M model (strategies/_internal/model.py): legality and liveness.

Liveness (wasmtime-style, style guide convention 12): over a fixed, seeded batch of valid
traces, every event type with an ordering handler appears, so every handler of
``oracle.parser.order.ORDERING_DISPATCH`` is reached by traces that Go and Python both accept, and
every version and every swarm feature shows up both enabled and disabled.  A generator that
silently narrows fails here.
"""

from __future__ import annotations

from collections import Counter

import pytest

from oracle.diff import Status
from oracle.parser.order import ORDERING_DISPATCH
from oracle.parser.tracev2 import EventType
from oracle.parser.version import V2_VERSIONS
from strategies import (
    FEATURES,
    EndOfGeneration,
    ModelParams,
    RandomChooser,
    Trace,
    draw_valid,
    trace_params,
)
from strategies._internal.model import build_trace

from _strategies_support import both, describe

#: Size of the seeded liveness batch.
N_VALID = 300


@pytest.fixture(scope="module")
def valid_batch() -> list[Trace]:
    vs, template = trace_params()
    return [draw_valid(RandomChooser(seed), vs, template) for seed in range(N_VALID)]


def test_liveness_every_ordering_handler_is_reached(go_helper, valid_batch: list[Trace]) -> None:  # type: ignore[no-untyped-def]
    seen: Counter[str] = Counter()
    for tr in valid_batch:
        py, go, c = both(go_helper, tr.to_binary())
        assert go.status is Status.ACCEPTED and c.agree, f"{tr.describe()}\n{describe(py, go, c)}"
        seen.update(tr.event_counts())
    missing_types = [EventType(t).name for t in ORDERING_DISPATCH if seen[EventType(t).name] == 0]
    assert not missing_types, f"event types never generated: {missing_types}"
    handlers = {f.__name__ for f in ORDERING_DISPATCH.values()}
    reached = {ORDERING_DISPATCH[t].__name__ for t in ORDERING_DISPATCH if seen[EventType(t).name]}
    assert reached == handlers, f"handlers never reached: {sorted(handlers - reached)}"
    # Structural events too.
    for name in ("Strings", "String", "Stacks", "Stack", "CPUSamples", "CPUSample", "Frequency",
                 "Sync", "ClockSnapshot"):
        assert seen[name], f"{name} never generated"


def test_liveness_versions_features_and_shapes(valid_batch: list[Trace]) -> None:
    versions = Counter(int(tr.version) for tr in valid_batch)
    assert set(versions) == {int(v) for v in V2_VERSIONS}
    enabled: Counter[str] = Counter()
    for tr in valid_batch:
        enabled.update(tr.features)
    for f in FEATURES:
        assert 0 < enabled[f] < N_VALID, f"feature {f} enabled in {enabled[f]}/{N_VALID} examples"
    assert any(len(tr.generations()) >= 3 for tr in valid_batch)
    assert any(tr.pad_sizes for tr in valid_batch) and any(tr.pad_args for tr in valid_batch)
    assert any(b.exp is not None for tr in valid_batch for b in tr.batches()), "no AllocFree batches"
    ends = sum(1 for tr in valid_batch for it in tr.items if isinstance(it, EndOfGeneration))
    assert ends, "no EndOfGeneration"


def test_model_is_deterministic_per_seed() -> None:
    vs, template = trace_params()
    a = draw_valid(RandomChooser(42), vs, template).to_binary()
    b = draw_valid(RandomChooser(42), vs, template).to_binary()
    assert a == b


@pytest.mark.parametrize("version", [22, 23, 25, 26])
def test_large_worlds_stay_legal(go_helper, version: int) -> None:  # type: ignore[no-untyped-def]
    """More Ms than Go's frontier sorts stably (ties are then off), more Gs, more events."""
    from oracle.parser.version import Version

    params = ModelParams(version=Version(version), max_ms=16, max_ps=8, max_gs=40,
                         max_generations=4, max_events=400)
    for seed in range(3):
        tr = build_trace(RandomChooser(seed), params)
        py, go, c = both(go_helper, tr.to_binary())
        assert go.status is Status.ACCEPTED and c.agree, f"{tr.describe()}\n{describe(py, go, c)}"


def test_timestamps_increase_within_each_thread(valid_batch: list[Trace]) -> None:
    for tr in valid_batch[:50]:
        last: dict[tuple[int, int], int] = {}
        for b in tr.batches():
            if b.role != "events":
                continue
            t = b.time
            key = (b.gen, b.m)
            assert t >= last.get(key, 0) - 1000  # batch headers may start a little early
            for e in b.events:
                t += e.args[0]
                assert t > last.get(key, -1), tr.describe()
                last[key] = t
