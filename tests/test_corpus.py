"""Replay corpus/seeds and corpus/regressions: Python and the pinned Go agree on every file.

Files are detected by content (binary, text, .test txtar, Go fuzz corpus).  A ``.test`` file's
own expectation (SUCCESS / FAILURE regexp) must hold as well.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from oracle.diff import Verdict, compare
from oracle.diff.impls import GoImpl, PythonImpl
from oracle.harness import helper_for
from oracle.inputs import load

ROOT = Path(__file__).resolve().parent.parent
FILES = sorted(
    p for d in ("seeds", "regressions") for p in (ROOT / "corpus" / d).rglob("*")
    if p.is_file() and not p.name.startswith(".")
)


@pytest.fixture(scope="module")
def go_impl() -> GoImpl:
    with GoImpl(helper_for(), "pinned") as impl:
        yield impl  # type: ignore[misc]


def test_corpus_has_seeds_from_every_release() -> None:
    names = [p.name for p in FILES]
    for v in ("1.22.10", "1.23.9", "1.24.11", "1.25.5", "1.26.6", "1.27.3"):
        assert any(n.startswith(f"go{v}-") for n in names), v
    assert any("allocfree" in n for n in names)


@pytest.mark.parametrize("path", FILES, ids=[str(p.relative_to(ROOT / "corpus")) for p in FILES])
def test_corpus_file_agrees_with_go(go_impl: GoImpl, path: Path) -> None:
    inp = load(path)
    left, right = PythonImpl().run(inp.data), go_impl.run(inp.data)
    c = compare(left, right)
    assert c.verdict is Verdict.AGREE, (c.signature, c.index, c.field, c.left, c.right)
    if inp.expectation is not None:
        assert inp.expectation.check(left.error), left.error
