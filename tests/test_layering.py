"""Import direction: the parser pipeline only looks left; generators never see the parser.

Core modules form a line (style guide, "Direction of imports"): a module may import only
modules strictly to its left.  ``strategies`` may import only the wire-format layer, so that a
generator bug cannot cancel out a matching parser bug.  App-layer modules (CLI, differential
engine, toolchains) may import anything.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

#: Core modules, left to right.  Modules on one rank may not import each other.
CORE_RANKS: list[set[str]] = [
    {"oracle.errors"},
    {"oracle.tracev2", "oracle.tracev2.spec", "oracle.tracev2.events"},
    {"oracle.version"},
    {"oracle.uvarint", "oracle._goprint_tables"},
    {"oracle.gostrconv"},
    {"oracle.raw", "oracle.txtar"},
    {"oracle.base"},
    {"oracle.batch", "oracle.gosort"},
    {"oracle.generation"},
    {"oracle.batchcursor"},
    {"oracle.value"},
    {"oracle.resources"},
    {"oracle.event"},
    {"oracle.order"},
    {"oracle.reader"},
    {"oracle.canonical"},
]
RANK = {m: i for i, ms in enumerate(CORE_RANKS) for m in ms}
#: What strategies may use of oracle.
STRATEGIES_ALLOWED = {
    "oracle.errors", "oracle.tracev2", "oracle.tracev2.spec", "oracle.tracev2.events",
    "oracle.version", "oracle.uvarint", "oracle.raw", "oracle.gostrconv", "oracle._goprint_tables",
}


def module_name(path: Path) -> str:
    rel = path.relative_to(ROOT).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imported_modules(path: Path) -> set[str]:
    """Every ``oracle``/``strategies`` module the file imports, anywhere in it."""
    tree = ast.parse(path.read_text(), str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            # "from oracle import raw" imports the module oracle.raw.
            found.update(f"{node.module}.{a.name}" for a in node.names)
    known = RANK.keys() | {module_name(p) for p in (ROOT / "oracle").rglob("*.py")}
    return {m for m in found if m in known or m.startswith("strategies")}


CORE_FILES = [p for p in sorted((ROOT / "oracle").rglob("*.py")) if module_name(p) in RANK]
STRATEGY_FILES = sorted((ROOT / "strategies").rglob("*.py"))


def test_every_core_module_exists() -> None:
    names = {module_name(p) for p in CORE_FILES}
    assert names == set(RANK), f"missing: {set(RANK) - names}"


@pytest.mark.parametrize("path", CORE_FILES, ids=module_name)
def test_core_module_imports_only_to_its_left(path: Path) -> None:
    me = module_name(path)
    for dep in imported_modules(path):
        if dep in ("oracle",) or dep == me or dep.startswith(me + "."):
            continue
        if me.startswith("oracle.tracev2") and dep.startswith("oracle.tracev2"):
            continue
        assert dep in RANK, f"{me} (core) imports app-layer module {dep}"
        assert RANK[dep] < RANK[me], f"{me} imports {dep}, which is not to its left"


@pytest.mark.parametrize("path", STRATEGY_FILES, ids=module_name)
def test_strategies_import_only_the_wire_layer(path: Path) -> None:
    for dep in imported_modules(path):
        if dep.startswith("strategies") or dep == "oracle":
            continue
        assert dep in STRATEGIES_ALLOWED, f"{module_name(path)} imports {dep}"
