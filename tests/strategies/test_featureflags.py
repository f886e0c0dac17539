"""Swarm feature flags (strategies/_internal/featureflags.py) and choosers (choices.py)."""

from __future__ import annotations

from hypothesis import find, given
from hypothesis import strategies as st

from strategies import DrawChooser, FeatureFlags, RandomChooser


@st.composite
def _flags(draw: st.DrawFn) -> frozenset[str]:
    ff = FeatureFlags(DrawChooser(draw))
    return frozenset(n for n in "abcdefgh" if ff.is_enabled(n))


def test_flags_shrink_open() -> None:
    # The minimal example that has *some* feature enabled enables everything: shrink open.
    assert find(_flags(), lambda s: "a" in s) == frozenset("abcdefgh")


def test_some_examples_disable_features() -> None:
    assert find(_flags(), lambda s: len(s) < 4)


@given(st.data())
def test_decisions_are_sticky(data: st.DataObject) -> None:
    ff = FeatureFlags(DrawChooser(data.draw), forced_off={"z"})
    first = ff.is_enabled("a")
    assert ff.is_enabled("a") == first
    assert not ff.is_enabled("z")
    assert ("a" in ff.enabled) == first


def test_random_chooser_is_reproducible() -> None:
    a, b = RandomChooser(7), RandomChooser(7)
    assert [a.int(0, 100) for _ in range(10)] == [b.int(0, 100) for _ in range(10)]
    assert a.pick("xyz") == b.pick("xyz") and a.chance(0.5) == b.chance(0.5)
    assert len(a.bytes(3, 3)) == 3


def test_draw_chooser_shrinks_to_simplest() -> None:
    @st.composite
    def answers(draw: st.DrawFn) -> tuple[int, bool, str]:
        ch = DrawChooser(draw)
        return ch.int(2, 9), ch.chance(0.9), ch.pick("xyz")

    assert find(answers(), lambda _: True) == (2, False, "x")
