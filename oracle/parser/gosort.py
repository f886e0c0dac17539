"""Go's ``slices.SortFunc``, move for move, so unstable sorts land elements where Go does.

Theory of operation
-------------------
Two places in the parser sort with ``slices.SortFunc``: the reader's frontier of batch cursors
(when the head of the min-heap cannot advance) and each generation's CPU samples.  Both compare
only a timestamp, so elements with equal timestamps are *ties*, and ``SortFunc`` is pdqsort,
which is not stable: for more than 12 elements the final position of tied elements depends on
every swap the algorithm makes.  That position is observable (which M is tried first, which CPU
sample is emitted first), so a reference implementation cannot use Python's stable ``sorted``.

This module is a literal port of ``slices/zsortanyfunc.go`` (the generated ``*CmpFunc``
variants) and the ``SortFunc`` entry point in ``slices/sort.go``.  The only "randomness" in
pdqsort is ``breakPatterns``' xorshift generator, which Go seeds with the sub-slice length, so the
algorithm is fully deterministic and a port reproduces it exactly.

Every comparison in the parser is ``cmp.Compare`` of integers, i.e. ``cmp(a, b) < 0`` is just
``key(a) < key(b)``.  The port therefore works on a list of ``(key, item)`` pairs and compares the
keys inline with ``<``; this keeps the inner loops free of Python function calls.  The structure
of every function (names, loop shapes, index arithmetic) follows Go's so the two can be read side
by side.
"""

from __future__ import annotations

from typing import Callable, Final, TypeVar

__all__ = ["pdqsort_pairs", "sort_func_by_key"]

_T = TypeVar("_T")
_U64: Final = (1 << 64) - 1

# Go's sortedHint values.
_UNKNOWN_HINT: Final = 0
_INCREASING_HINT: Final = 1
_DECREASING_HINT: Final = 2

_MAX_INSERTION: Final = 12
_SHORTEST_NINTHER: Final = 50
_MAX_SWAPS: Final = 4 * 3

# A pair is (key, item); ``_K`` names the key slot so comparisons read as ``d[i][_K] < d[j][_K]``.
_K: Final = 0

_Pair = tuple[int, object]


def sort_func_by_key(items: list[_T], key: Callable[[_T], int]) -> None:
    """Sort ``items`` in place exactly as ``slices.SortFunc(items, cmp.Compare(key(a), key(b)))``.

    Mirrors ``slices.SortFunc`` (sort.go) for the comparator shape the trace parser uses.
    """
    n = len(items)
    if n < 2:
        return
    pairs: list[_Pair] = [(key(x), x) for x in items]
    pdqsort_pairs(pairs)
    items[:] = [p[1] for p in pairs]  # type: ignore[misc]


def pdqsort_pairs(data: list[_Pair]) -> None:
    """Sort ``(key, item)`` pairs by key, reproducing ``SortFunc``'s exact permutation.

    Mirrors ``slices.SortFunc`` (sort.go): ``pdqsortCmpFunc(x, 0, n, bits.Len(uint(n)), cmp)``.
    """
    n = len(data)
    _pdqsort(data, 0, n, n.bit_length())


def _insertion_sort(data: list[_Pair], a: int, b: int) -> None:
    """Mirrors insertionSortCmpFunc (zsortanyfunc.go)."""
    for i in range(a + 1, b):
        j = i
        while j > a and data[j][_K] < data[j - 1][_K]:
            data[j], data[j - 1] = data[j - 1], data[j]
            j -= 1


def _sift_down(data: list[_Pair], lo: int, hi: int, first: int) -> None:
    """Mirrors siftDownCmpFunc (zsortanyfunc.go): restore the max-heap below ``lo``."""
    root = lo
    while True:
        child = 2 * root + 1
        if child >= hi:
            break
        if child + 1 < hi and data[first + child][_K] < data[first + child + 1][_K]:
            child += 1
        if not (data[first + root][_K] < data[first + child][_K]):
            return
        data[first + root], data[first + child] = data[first + child], data[first + root]
        root = child


def _heap_sort(data: list[_Pair], a: int, b: int) -> None:
    """Mirrors heapSortCmpFunc (zsortanyfunc.go), the fallback after too many bad pivots."""
    first = a
    lo = 0
    hi = b - a
    for i in range((hi - 1) // 2, -1, -1):
        _sift_down(data, i, hi, first)
    for i in range(hi - 1, -1, -1):
        data[first], data[first + i] = data[first + i], data[first]
        _sift_down(data, lo, i, first)


def _pdqsort(data: list[_Pair], a: int, b: int, limit: int) -> None:
    """Mirrors pdqsortCmpFunc (zsortanyfunc.go): sort ``data[a:b]``."""
    was_balanced = True
    was_partitioned = True
    while True:
        length = b - a
        if length <= _MAX_INSERTION:
            _insertion_sort(data, a, b)
            return

        # Too many unbalanced partitions: heapsort has a guaranteed bound.
        if limit == 0:
            _heap_sort(data, a, b)
            return

        # The previous partition was lopsided; shuffle a few elements deterministically.
        if not was_balanced:
            _break_patterns(data, a, b)
            limit -= 1

        pivot, hint = _choose_pivot(data, a, b)
        if hint == _DECREASING_HINT:
            _reverse_range(data, a, b)
            # The pivot moved with the reversal: it is now as far from the end as it was
            # from the start.
            pivot = (b - 1) - (pivot - a)
            hint = _INCREASING_HINT

        # Looks sorted already: a bounded insertion pass may finish the job.
        if was_balanced and was_partitioned and hint == _INCREASING_HINT:
            if _partial_insertion_sort(data, a, b):
                return

        # The element before this range is a lower bound for it; if it is not smaller than the
        # pivot, the pivot is the minimum and there are many duplicates of it: split them off.
        if a > 0 and not (data[a - 1][_K] < data[pivot][_K]):
            mid = _partition_equal(data, a, b, pivot)
            a = mid
            continue

        mid, already_partitioned = _partition(data, a, b, pivot)
        was_partitioned = already_partitioned

        left_len, right_len = mid - a, b - mid
        balance_threshold = length // 8
        if left_len < right_len:
            was_balanced = left_len >= balance_threshold
            _pdqsort(data, a, mid, limit)
            a = mid + 1
        else:
            was_balanced = right_len >= balance_threshold
            _pdqsort(data, mid + 1, b, limit)
            b = mid


def _partition(data: list[_Pair], a: int, b: int, pivot: int) -> tuple[int, bool]:
    """Mirrors partitionCmpFunc (zsortanyfunc.go): one Hoare-style partition around the pivot."""
    data[a], data[pivot] = data[pivot], data[a]
    i, j = a + 1, b - 1
    pk = data[a][_K]

    while i <= j and data[i][_K] < pk:
        i += 1
    while i <= j and not (data[j][_K] < pk):
        j -= 1
    if i > j:
        data[j], data[a] = data[a], data[j]
        return j, True
    data[i], data[j] = data[j], data[i]
    i += 1
    j -= 1

    while True:
        while i <= j and data[i][_K] < pk:
            i += 1
        while i <= j and not (data[j][_K] < pk):
            j -= 1
        if i > j:
            break
        data[i], data[j] = data[j], data[i]
        i += 1
        j -= 1
    data[j], data[a] = data[a], data[j]
    return j, False


def _partition_equal(data: list[_Pair], a: int, b: int, pivot: int) -> int:
    """Mirrors partitionEqualCmpFunc (zsortanyfunc.go): elements == pivot, then those > pivot."""
    data[a], data[pivot] = data[pivot], data[a]
    i, j = a + 1, b - 1
    pk = data[a][_K]

    while True:
        while i <= j and not (pk < data[i][_K]):
            i += 1
        while i <= j and pk < data[j][_K]:
            j -= 1
        if i > j:
            break
        data[i], data[j] = data[j], data[i]
        i += 1
        j -= 1
    return i


def _partial_insertion_sort(data: list[_Pair], a: int, b: int) -> bool:
    """Mirrors partialInsertionSortCmpFunc (zsortanyfunc.go); True if ``data[a:b]`` ends sorted."""
    max_steps = 5
    shortest_shifting = 50
    i = a + 1
    for _ in range(max_steps):
        while i < b and not (data[i][_K] < data[i - 1][_K]):
            i += 1

        if i == b:
            return True

        if b - a < shortest_shifting:
            return False

        data[i], data[i - 1] = data[i - 1], data[i]

        # Shift the smaller one to the left.  (Go's loop bound is ``j >= 1``, not ``j > a``:
        # copied as is, since it decides how far an element may travel.)
        if i - a >= 2:
            j = i - 1
            while j >= 1:
                if not (data[j][_K] < data[j - 1][_K]):
                    break
                data[j], data[j - 1] = data[j - 1], data[j]
                j -= 1
        # Shift the greater one to the right.
        if b - i >= 2:
            j = i + 1
            while j < b:
                if not (data[j][_K] < data[j - 1][_K]):
                    break
                data[j], data[j - 1] = data[j - 1], data[j]
                j += 1
    return False


def _break_patterns(data: list[_Pair], a: int, b: int) -> None:
    """Mirrors breakPatternsCmpFunc (zsortanyfunc.go) with Go's xorshift seeded by the length."""
    length = b - a
    if length >= 8:
        random = length  # xorshift(length)
        modulus = 1 << length.bit_length()  # nextPowerOfTwo(length)
        idx = a + (length // 4) * 2 - 1
        while idx <= a + (length // 4) * 2 + 1:
            # xorshift.Next on a uint64.
            random ^= (random << 13) & _U64
            random ^= random >> 7
            random ^= (random << 17) & _U64
            other = random & (modulus - 1)
            if other >= length:
                other -= length
            data[idx], data[a + other] = data[a + other], data[idx]
            idx += 1


def _choose_pivot(data: list[_Pair], a: int, b: int) -> tuple[int, int]:
    """Mirrors choosePivotCmpFunc (zsortanyfunc.go): static, median-of-3 or Tukey ninther."""
    l = b - a  # noqa: E741 - Go's name
    swaps = [0]  # Go passes &swaps; a one-element list is our pointer.
    i = a + l // 4 * 1
    j = a + l // 4 * 2
    k = a + l // 4 * 3

    if l >= 8:
        if l >= _SHORTEST_NINTHER:
            i = _median_adjacent(data, i, swaps)
            j = _median_adjacent(data, j, swaps)
            k = _median_adjacent(data, k, swaps)
        j = _median(data, i, j, k, swaps)

    if swaps[0] == 0:
        return j, _INCREASING_HINT
    if swaps[0] == _MAX_SWAPS:
        return j, _DECREASING_HINT
    return j, _UNKNOWN_HINT


def _order2(data: list[_Pair], a: int, b: int, swaps: list[int]) -> tuple[int, int]:
    """Mirrors order2CmpFunc (zsortanyfunc.go)."""
    if data[b][_K] < data[a][_K]:
        swaps[0] += 1
        return b, a
    return a, b


def _median(data: list[_Pair], a: int, b: int, c: int, swaps: list[int]) -> int:
    """Mirrors medianCmpFunc (zsortanyfunc.go)."""
    a, b = _order2(data, a, b, swaps)
    b, c = _order2(data, b, c, swaps)
    a, b = _order2(data, a, b, swaps)
    return b


def _median_adjacent(data: list[_Pair], a: int, swaps: list[int]) -> int:
    """Mirrors medianAdjacentCmpFunc (zsortanyfunc.go)."""
    return _median(data, a - 1, a, a + 1, swaps)


def _reverse_range(data: list[_Pair], a: int, b: int) -> None:
    """Mirrors reverseRangeCmpFunc (zsortanyfunc.go)."""
    i = a
    j = b - 1
    while i < j:
        data[i], data[j] = data[j], data[i]
        i += 1
        j -= 1
