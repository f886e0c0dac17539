"""Tests for oracle.parser.value: Go's trace.Value (kinds, String(), Uint64() panic)."""

from __future__ import annotations

import pytest

from oracle.parser.errors import GoPanic
from oracle.parser.value import Value, ValueKind, string_value, uint64_value


def test_kinds_have_go_numbering() -> None:
    assert [int(k) for k in (ValueKind.Bad, ValueKind.Uint64, ValueKind.String)] == [0, 1, 2]


def test_zero_value_is_bad() -> None:
    v = Value()
    assert v.kind == ValueKind.Bad
    assert str(v) == "Value{Bad}"


def test_uint64_value() -> None:
    v = uint64_value((1 << 64) - 1)
    assert v.kind == ValueKind.Uint64
    assert v.uint64() == (1 << 64) - 1
    assert str(v) == "Value{Uint64(18446744073709551615)}"
    assert v.go_string() == str(v)


def test_string_value_prints_raw_and_counts_bytes() -> None:
    v = string_value("h\u00e9\udcff")  # surrogateescape form of b"h\xc3\xa9\xff"
    assert v.kind == ValueKind.String
    assert str(v) == "h\u00e9\udcff"  # String() is the string itself, unquoted
    assert v.scalar == 4  # Go's scalar is the byte length


@pytest.mark.parametrize("v", [Value(), string_value("x")])
def test_uint64_panics_for_other_kinds(v: Value) -> None:
    with pytest.raises(GoPanic, match=r"^Uint64 called on Value of a different Kind$"):
        v.uint64()


def test_values_compare_by_content() -> None:
    assert uint64_value(3) == uint64_value(3)
    assert uint64_value(3) != string_value("3")
