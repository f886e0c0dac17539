"""The size-class tables as data agree with each release's own sizeclasses.go."""

from __future__ import annotations

import re

import pytest

from oracle.harness import toolchain
from oracle.heap.sizeclasses import (  # noqa: I001
    MALLOC_HEADER_SIZE,
    MIN_SIZE_FOR_MALLOC_HEADER,
    RELEASE_TABLES,
    TINY_SIZE,
    TINY_SIZE_CLASS,
)

RELEASES = {"1.23": "1.23.9", "1.24": "1.24.11", "1.25": "1.25.5", "1.26": "1.26.6", "1.27": "1.27.3"}


def _go_table(version: str) -> tuple[int, ...]:
    src = toolchain.ensure(version).goroot / "src"
    for path in (src / "internal/runtime/gc/sizeclasses.go", src / "runtime/sizeclasses.go"):
        if path.exists():
            text = path.read_text()
            m = re.search(r"var (?:class_to_size|SizeClassToSize) = \[\w+\]uint16\{([^}]*)\}", text)
            assert m, path
            return tuple(int(x) for x in m.group(1).split(","))
    raise AssertionError(f"no sizeclasses.go in {src}")


@pytest.mark.slow
@pytest.mark.parametrize("release", sorted(RELEASES))
def test_table_matches_runtime_source(release: str) -> None:
    assert RELEASE_TABLES[release] == _go_table(RELEASES[release])


def test_constants_match_pinned_runtime() -> None:
    src = toolchain.pinned().goroot / "src"
    gc = (src / "internal/runtime/gc/sizeclasses.go").read_text()
    assert re.search(rf"TinySize\s+= {TINY_SIZE}\b", gc)
    assert re.search(rf"MallocHeaderSize\s*= {MALLOC_HEADER_SIZE}\b", (src / "internal/runtime/gc/malloc.go").read_text())
    gcmalloc = (src / "internal/runtime/gc/malloc.go").read_text()
    assert "MinSizeForMallocHeader = goarch.PtrSize * goarch.PtrBits" in gcmalloc
    assert MIN_SIZE_FOR_MALLOC_HEADER == 8 * 64  # 64-bit targets
    malloc = (src / "runtime/malloc.go").read_text()
    assert "tinySizeClass = _TinySizeClass" in malloc
    assert re.search(rf"TinySizeClass\s*= {TINY_SIZE_CLASS}\b", gc)
    assert RELEASE_TABLES["1.27"][TINY_SIZE_CLASS] == TINY_SIZE
