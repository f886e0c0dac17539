"""Where the generators get their decisions from: Hypothesis draws or a seeded ``Random``.

Theory of operation
-------------------
The model (:mod:`strategies._internal.model`) and the mutators never call Hypothesis
directly.  They ask a :class:`Chooser` for small integers and weighted coin flips.  Two
implementations exist:

* :class:`DrawChooser` turns every question into one ``draw`` of a bounded integer, so that
  Hypothesis records, replays and *shrinks* each decision.  Every question is phrased so that
  the smallest answer (0, ``False``) is the simplest trace: stop now, take the first option,
  do not enable the rare branch.  That is what makes examples shrink towards few
  generations, few Ms and few events.
* :class:`RandomChooser` answers from a ``random.Random``.  It is used by the ``generate``
  subcommand and the speed benchmark, where no shrinking is needed and a plain PRNG is much
  cheaper than Hypothesis' choice sequence (``docs/benchmarks.md``, "Trace generation").

Both give the same *distribution* of traces for the same questions, so measurements made with
one hold for the other up to the cost of drawing.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from typing import Protocol, TypeVar

from hypothesis import strategies as st

__all__ = ["Chooser", "DrawChooser", "RandomChooser"]

T = TypeVar("T")
#: ``int`` under another name: the choosers have a method called ``int``, which shadows the
#: builtin inside their class bodies.
Int = int


class Chooser(Protocol):
    """The decisions a generator may ask for."""

    def int(self, lo: Int, hi: Int) -> Int:
        """An integer in ``[lo, hi]``; shrinks towards ``lo``."""
        ...

    def chance(self, p: float) -> bool:
        """``True`` with probability ``p``; shrinks towards ``False``."""
        ...

    def pick(self, options: Sequence[T]) -> T:
        """One element of a non-empty sequence; shrinks towards the first."""
        ...

    def bytes(self, lo: Int, hi: Int) -> bytes:
        """Between ``lo`` and ``hi`` arbitrary bytes; shrinks towards ``lo`` zero bytes."""
        ...


class DrawChooser:
    """A :class:`Chooser` backed by a Hypothesis ``draw`` function (one draw per question)."""

    __slots__ = ("_draw", "_ints")

    def __init__(self, draw: st.DrawFn) -> None:
        self._draw = draw
        self._ints: dict[tuple[Int, Int], st.SearchStrategy[Int]] = {}

    def int(self, lo: Int, hi: Int) -> Int:
        if lo >= hi:
            return lo
        s = self._ints.get((lo, hi))
        if s is None:
            s = self._ints[(lo, hi)] = st.integers(lo, hi)
        return self._draw(s)

    def chance(self, p: float) -> bool:
        if p <= 0.0:
            return False
        if p >= 1.0:
            return True
        # 0 (the shrink target) means "no"; the top p-fraction of [0, 1023] means "yes".
        return self.int(0, 1023) >= int(1024 * (1.0 - p))

    def pick(self, options: Sequence[T]) -> T:
        return options[self.int(0, len(options) - 1)]

    def bytes(self, lo: Int, hi: Int) -> bytes:
        return self._draw(st.binary(min_size=lo, max_size=hi))


class RandomChooser:
    """A :class:`Chooser` backed by ``random.Random`` (reproducible from a seed)."""

    __slots__ = ("_r", "_below")

    def __init__(self, seed: Int | random.Random = 0) -> None:
        self._r = seed if isinstance(seed, random.Random) else random.Random(seed)
        #: ``Random._randbelow(n)``: what ``randint``/``randrange`` call underneath (random.py),
        #: called directly; the numbers drawn are ``randint``'s exactly.
        self._below: Callable[[int], int] = getattr(self._r, "_randbelow")

    def int(self, lo: Int, hi: Int) -> Int:
        if lo >= hi:
            return lo
        # randint(lo, hi) is lo + _randbelow(hi - lo + 1) (random.py's randrange): the same
        # numbers, without randint's and randrange's frames (a third of drawing a trace).
        return lo + self._below(hi - lo + 1)

    def chance(self, p: float) -> bool:
        return self._r.random() < p

    def pick(self, options: Sequence[T]) -> T:
        return options[self._below(len(options))]

    def bytes(self, lo: Int, hi: Int) -> bytes:
        return self._r.randbytes(self._r.randint(lo, hi))
