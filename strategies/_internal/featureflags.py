"""Swarm-testing feature flags that "shrink open", after Hypothesis' ``FeatureFlags``.

Swarm testing (Groce et al.) gives each example its own random subset of enabled features, so
that over many examples every feature is sometimes *absent*; a feature that is always on can
mask the bugs that only show without it.  As in Hypothesis' ``_internal/featureflags.py``, a
probability of disabling is drawn once per example, and each feature is decided lazily the
first time it is asked about.  Every decision shrinks towards *enabled*, so a shrunk example
keeps every feature it does not need to lose (the "shrink open" design): the shrinker removes
events by shortening runs rather than by switching whole features off, which keeps minimal
examples close to what failed.
"""

from __future__ import annotations

from collections.abc import Iterable

from strategies._internal.choices import Chooser

__all__ = ["FeatureFlags"]


class FeatureFlags:
    """A lazily drawn set of enabled feature names.

    ``forced_off`` names are disabled whatever the draws say, and asking about them draws
    nothing (a caller that rules a feature out, e.g. one its trace version cannot express,
    keeps the choice sequence of the others unchanged).
    """

    __slots__ = ("_chooser", "_p_disabled", "_decided", "_forced_off")

    def __init__(self, chooser: Chooser, *, forced_off: Iterable[str] = ()) -> None:
        self._chooser = chooser
        # 0 shrinks towards "nothing is disabled".
        self._p_disabled = chooser.int(0, 254)
        self._decided: dict[str, bool] = {}
        self._forced_off = frozenset(forced_off)

    def is_enabled(self, name: str) -> bool:
        """Whether ``name`` is enabled in this example (decided on first use, then fixed)."""
        d = self._decided.get(name)
        if d is None:
            if name in self._forced_off:
                d = False
            else:
                # Disabled when the draw lands in the top p_disabled/255 of [0, 254]; the
                # shrink target 0 is therefore always "enabled".
                d = self._chooser.int(0, 254) <= 254 - self._p_disabled
            self._decided[name] = d
        return d

    @property
    def enabled(self) -> frozenset[str]:
        """Every feature decided so far that came out enabled."""
        return frozenset(k for k, v in self._decided.items() if v)

    def __repr__(self) -> str:
        on = sorted(self.enabled)
        off = sorted(k for k, v in self._decided.items() if not v)
        return f"FeatureFlags(enabled={on}, disabled={off})"
