"""Import direction: packages are layers, and the parser pipeline only looks left.

Packages rank parser < harness < diff < campaign < cli (DEVELOPERS.md, "How we write code"):
a package may import only packages of a lower rank, and packages of one rank may not import
each other.  ``strategies`` sits beside ``harness`` but may use only the parser's wire layer,
so that a generator bug cannot cancel out a matching parser bug; the AllocFree heap oracle
(``oracle.heap``) sits beside them too: it reads events, it runs no Go.  Inside the parser,
modules form a line (style guide, "Direction of imports"): a module may import only modules
strictly to its left.  Every import counts, function-local ones included.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

#: Package layers, bottom up.  ``oracle`` itself (the public re-exports) ranks with the parser.
PACKAGE_RANKS: list[set[str]] = [
    {"oracle.parser"},
    {"oracle.harness", "strategies", "oracle.heap"},
    {"oracle.diff"},
    {"oracle.campaign"},
    {"oracle.cli"},
]
PACKAGE_RANK = {p: i for i, ps in enumerate(PACKAGE_RANKS) for p in ps}

#: Parser modules, left to right.  Modules on one rank may not import each other.
P = "oracle.parser."
CORE_RANKS: list[set[str]] = [
    {P + "compiled"},  # selects the implementation before anything else loads: imports nothing
    {P + "errors"},
    {P + "tracev2", P + "tracev2.spec", P + "tracev2.events"},
    {P + "version"},
    {P + "releases"},
    {P + "uvarint", P + "_goprint_tables"},
    {P + "gostrconv"},
    {P + "raw", P + "txtar"},
    {P + "rawtrace", P + "inputs"},
    {P + "base"},
    {P + "batch", P + "gosort"},
    {P + "tracev1.events"},
    {P + "tracev1.order"},
    {P + "tracev1.parser", P + "tracev1"},
    {P + "generation"},
    {P + "batchcursor"},
    {P + "value"},
    {P + "resources"},
    {P + "event"},
    {P + "convert"},
    {P + "order"},
    {P + "reader"},
    {P + "canonical"},
]
RANK = {m: i for i, ms in enumerate(CORE_RANKS) for m in ms}
#: The wire layer: what strategies may use of the parser.
WIRE = {
    P + "errors", P + "tracev2", P + "tracev2.spec", P + "tracev2.events", P + "version",
    P + "uvarint", P + "raw", P + "rawtrace", P + "gostrconv", P + "_goprint_tables",
}


def module_name(path: Path) -> str:
    rel = path.relative_to(ROOT).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


ALL_FILES = sorted((ROOT / "oracle").rglob("*.py")) + sorted((ROOT / "strategies").rglob("*.py"))
KNOWN = {module_name(p) for p in ALL_FILES}


def imported_modules(path: Path) -> set[str]:
    """Every ``oracle``/``strategies`` module the file imports, anywhere in it."""
    tree = ast.parse(path.read_text(), str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            # "from oracle.parser import raw" imports the module oracle.parser.raw.
            found.update(f"{node.module}.{a.name}" for a in node.names)
    return {m for m in found if m in KNOWN}


def package_of(module: str) -> str | None:
    """The layer package a module belongs to (``None`` for ``oracle`` and ``oracle.__main__``)."""
    for pkg in PACKAGE_RANK:
        if module == pkg or module.startswith(pkg + "."):
            return pkg
    return None


PACKAGE_FILES = [p for p in ALL_FILES if package_of(module_name(p)) is not None]
CORE_FILES = [p for p in ALL_FILES if module_name(p) in RANK]
STRATEGY_FILES = [p for p in ALL_FILES if module_name(p).startswith("strategies")]


def test_every_module_has_a_layer() -> None:
    """A new top-level module or package under oracle/ must be given a rank here."""
    loose = {module_name(p) for p in ALL_FILES} - {module_name(p) for p in PACKAGE_FILES}
    assert loose <= {"oracle", "oracle.__main__"}, sorted(loose)


def test_every_parser_module_has_a_rank() -> None:
    parser = {module_name(p) for p in ALL_FILES if module_name(p).startswith(P)}
    assert parser == set(RANK), f"unranked: {parser - set(RANK)}; missing: {set(RANK) - parser}"


@pytest.mark.parametrize("path", PACKAGE_FILES, ids=module_name)
def test_package_imports_only_downward(path: Path) -> None:
    me = module_name(path)
    mine = package_of(me)
    assert mine is not None
    for dep in imported_modules(path):
        theirs = package_of(dep)
        if theirs is None or theirs == mine:
            continue
        assert PACKAGE_RANK[theirs] < PACKAGE_RANK[mine], (
            f"{me} ({mine}, rank {PACKAGE_RANK[mine]}) imports {dep} "
            f"({theirs}, rank {PACKAGE_RANK[theirs]}): imports must run downward")


#: What ``oracle/__init__`` may name outside the parser: ``oracle.check``, imported lazily on
#: first use (a PEP 562 ``__getattr__``), so that the public API can offer the differential
#: check without ``import oracle`` loading the harness (test below).
LAZY_PUBLIC = {"oracle.diff.check"}


def test_public_api_is_the_parser() -> None:
    """``oracle/__init__`` re-exports the parser's API and pulls in no other layer."""
    for dep in imported_modules(ROOT / "oracle" / "__init__.py"):
        assert package_of(dep) == "oracle.parser" or dep in LAZY_PUBLIC, dep


def test_importing_oracle_loads_only_the_parser() -> None:
    """The lazy names really are lazy: ``import oracle`` loads no module above the parser."""
    import subprocess
    import sys

    code = ("import sys, oracle; print(sorted(m for m in sys.modules if m.startswith('oracle.')"
            " and not m.startswith('oracle.parser')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, cwd=ROOT).stdout
    assert out.strip() == "[]"


@pytest.mark.parametrize("path", CORE_FILES, ids=module_name)
def test_parser_module_imports_only_to_its_left(path: Path) -> None:
    me = module_name(path)
    for dep in imported_modules(path):
        if dep == me or dep.startswith(me + ".") or dep == "oracle.parser":
            continue
        if me.startswith(P + "tracev2") and dep.startswith(P + "tracev2"):
            continue
        assert dep in RANK, f"{me} (parser) imports {dep}, outside the parser"
        assert RANK[dep] < RANK[me], f"{me} imports {dep}, which is not to its left"


@pytest.mark.parametrize("path", STRATEGY_FILES, ids=module_name)
def test_strategies_import_only_the_wire_layer(path: Path) -> None:
    for dep in imported_modules(path):
        if dep.startswith("strategies") or dep in ("oracle", "oracle.parser"):
            continue
        assert dep in WIRE, f"{module_name(path)} imports {dep}"


def test_the_checker_sees_function_local_imports(tmp_path: Path) -> None:
    """The rule must not be fooled by an import hidden inside a function."""
    src = tmp_path / "probe.py"
    src.write_text("def f():\n    from oracle.cli.app import main\n    return main\n")
    assert {package_of(m) for m in imported_modules(src)} == {"oracle.cli"}
