"""The byte-level operators (strategies/_internal/bytemutations.py): kept offsets, registry,
and the two places that use them (the generator's last stage and v1 mutants)."""

from __future__ import annotations

import random

import pytest

from strategies import BYTE_MUTATIONS, BYTE_OPERATORS, RandomChooser, Trace, mutate_bytes
from strategies._internal.bytemutations import ByteOperator

DATA = b"go 1.21 trace\x00\x00\x00" + bytes(range(64))


@pytest.mark.parametrize("name", sorted(BYTE_OPERATORS))
def test_each_operator_edits_only_past_the_kept_bytes(name: str) -> None:
    op: ByteOperator = BYTE_OPERATORS[name]
    changed = 0
    for seed in range(200):
        data = bytearray(DATA)
        assert op(RandomChooser(seed), data, 16)
        assert data[:16] == DATA[:16]
        changed += data != DATA
    assert changed > 150, f"{name} changed only {changed} of 200 inputs"


@pytest.mark.parametrize("name", sorted(BYTE_OPERATORS))
def test_nothing_to_edit_is_reported(name: str) -> None:
    data = bytearray(DATA[:16])
    applied = BYTE_OPERATORS[name](RandomChooser(0), data, 16)
    assert data[:16] == DATA[:16]
    # Inserting after the kept bytes and cutting there (a no-op) still apply.
    assert applied == (name in ("byte_insert", "truncate_bytes"))
    assert (len(data) > 16) == (name == "byte_insert")


def test_mutate_bytes_is_deterministic_and_names_what_applied() -> None:
    a = mutate_bytes(RandomChooser(random.Random("x")), DATA, keep=16)
    assert a == mutate_bytes(RandomChooser(random.Random("x")), DATA, keep=16)
    out, names = a
    assert out[:16] == DATA[:16] and 1 <= len(names) <= 4
    assert set(names) <= set(BYTE_OPERATORS)


def test_generator_stage_serves_the_first_four_on_the_binary() -> None:
    assert list(BYTE_MUTATIONS) == ["byte_flip", "byte_insert", "byte_delete", "truncate_bytes"]
    tr = Trace.__new__(Trace)
    tr.raw_bytes = DATA
    assert BYTE_MUTATIONS["byte_flip"](RandomChooser(3), tr)
    assert tr.raw_bytes != DATA and len(tr.raw_bytes) == len(DATA)
    assert BYTE_MUTATIONS["byte_flip"].__name__ == "byte_flip"


def test_v1_mutants_keep_their_header() -> None:
    from oracle.campaign.sources import v1_mutant

    pool = (DATA,)
    for k in range(50):
        data, mutations = v1_mutant(f"t:{k}", pool)
        assert data[:16] == DATA[:16] and mutations[0] == "v1-seed#0"
        assert set(mutations[1:]) <= set(BYTE_OPERATORS)
