"""The optional mypyc build (``oracle.parser.compiled``): selected as documented, and
byte-identical to the pure-Python reference.

The pure modules are the reference; the compiled build must print exactly what they print
(``parse --format go`` and ``--format json``) on Go's testdata, its fuzz seeds, our corpus and
the real fixture traces.  The build is made here if the cache lacks it (``make setup`` makes
it first in CI), so this never skips.  The pure side's digests are cached under the parser's
source hash (:func:`_pure_outputs`).
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from oracle.parser import compiled
from tests.conftest import go_fuzz_seeds, go_test_files

ROOT = Path(__file__).resolve().parents[3]
SCRIPT = Path(__file__).with_name("compiled_outputs.py")


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != compiled.ENV_VAR}
    env.update(extra)
    return env


def _run(code: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=ROOT, env=_env(**env), check=False)


def _inputs() -> list[str]:
    """``<how> <path>`` lines for compiled_outputs.py: the CLI's two parses for the small
    inputs, one parse giving both outputs for each (bigger) real trace.

    The real traces are the fixture set of ``tests/conftest.py`` (``real_trace``): every
    scenario of the pinned runtime but the AllocFree heap workloads, which are megabytes each
    and would make the pure side take minutes; the heap oracle's tests read those.
    """
    from oracle.campaign.sources import corpus_paths
    from oracle.harness.realtraces import HEAP_SCENARIOS, real_traces

    # The corpus' cases (not the findings a local campaign saved, whose repro.txt may be a
    # commented hex dump), and the Go-format exports of the findings.
    exports = sorted(p for p in (ROOT / "corpus" / "go-export").rglob("*") if p.is_file())
    corpus = [*corpus_paths(ROOT / "corpus"), *exports]
    small = [*go_test_files(), *go_fuzz_seeds(), *corpus]
    real = [t for t in real_traces() if t.scenario not in HEAP_SCENARIOS]
    return [f"cli {p}" for p in small] + [f"once {t.path}" for t in real]


def _outputs(impl: str, lines: list[str]) -> list[str]:
    proc = subprocess.run([sys.executable, str(SCRIPT)], input="".join(f"{ln}\n" for ln in lines),
                          capture_output=True, text=True, cwd=ROOT,
                          env=_env(**{compiled.ENV_VAR: impl}), check=False)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc.stdout.splitlines()


def _pure_outputs(lines: list[str], key: str) -> list[str]:
    """The pure side's digests, cached: they are a function of the parser's sources (the
    build ``key`` hashes them), this script and the inputs' bytes, all in the cache key.  The
    pure side is the slow one (20 s of the 22 s this test took), and a warm test run then
    parses only with the compiled build; any change to the parser parses again."""
    from oracle.harness.toolchain import cache_dir

    h = hashlib.sha256(key.encode() + b"\0" + SCRIPT.read_bytes())
    for line in lines:
        h.update(line.encode() + b"\0" + hashlib.sha256(Path(line.split(" ", 1)[1]).read_bytes()).digest())
    cache = cache_dir() / "pure-outputs" / f"{h.hexdigest()[:24]}.txt"
    if cache.is_file():
        return cache.read_text().splitlines()
    out = _outputs("pure", lines)
    cache.parent.mkdir(parents=True, exist_ok=True)
    tmp = cache.with_name(f".{cache.name}.{os.getpid()}")
    tmp.write_text("".join(f"{ln}\n" for ln in out))
    os.replace(tmp, cache)
    return out


@pytest.mark.slow
def test_compiled_output_is_byte_identical_to_pure() -> None:
    d = compiled.build()  # instant when `make setup` built it
    assert d == compiled.build_dir()
    lines = _inputs()
    assert len(lines) > 100
    # The two sides in parallel, each one process over every input (the pure one cached).
    with ThreadPoolExecutor(2) as pool:
        pure_f = pool.submit(_pure_outputs, lines, d.name)
        comp_f = pool.submit(_outputs, "compiled", lines)
        pure, comp = pure_f.result(), comp_f.result()
    assert pure[0] == "impl pure"
    assert comp[0] == f"impl compiled ({d.name})"
    assert len(pure) == len(comp) == len(lines) + 1
    differ = [p.split(" ", 2)[2] for p, c in zip(pure[1:], comp[1:]) if p != c]
    assert not differ, f"compiled output differs from pure on {len(differ)} inputs: {differ[:10]}"


def test_env_var_selects_the_implementation() -> None:
    d = compiled.build()
    code = ("import oracle.parser.base as b, oracle.parser.errors as e;"
            "from oracle.parser import compiled as c;"
            "print(c.implementation()); print(b.__file__); print(e.__file__)")
    pure = _run(code, **{compiled.ENV_VAR: "pure"})
    assert pure.returncode == 0, pure.stderr
    impl, base, errors = pure.stdout.splitlines()
    assert impl == "pure"
    assert Path(base) == ROOT / "oracle" / "parser" / "base.py"
    for mode in ("compiled", "auto"):
        comp = _run(code, **{compiled.ENV_VAR: mode})
        assert comp.returncode == 0, comp.stderr
        impl, base, errors = comp.stdout.splitlines()
        assert impl == f"compiled ({d.name})"
        # The compiled extension, beside its source copy in the build; uncompiled modules
        # come from the build's copies (identical: they are in the key).
        assert Path(base).parent == d / "oracle" / "parser" and base.endswith(".so")
        assert Path(errors) == d / "oracle" / "parser" / "errors.py"


def test_without_a_build_auto_is_pure_and_compiled_refuses(tmp_path: Path) -> None:
    code = "from oracle.parser import compiled as c; import oracle; print(c.implementation())"
    auto = _run(code, GOTRACE_ORACLE_CACHE=str(tmp_path))
    assert (auto.returncode, auto.stdout.strip()) == (0, "pure")
    forced = _run(code, GOTRACE_ORACLE_CACHE=str(tmp_path), **{compiled.ENV_VAR: "compiled"})
    assert forced.returncode != 0
    assert "no compiled build of these sources" in forced.stderr
    bad = _run(code, **{compiled.ENV_VAR: "fast"})
    assert bad.returncode != 0 and "expected pure, compiled or auto" in bad.stderr


def test_version_names_the_implementation() -> None:
    d = compiled.build()
    code = "from oracle.cli.app import version_line; print(version_line())"
    assert "(parser: pure Python;" in _run(code, **{compiled.ENV_VAR: "pure"}).stdout
    assert f"(parser: compiled ({d.name});" in _run(code, **{compiled.ENV_VAR: "compiled"}).stdout


def test_build_key_follows_the_sources(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Any parser source edit (even of a module left interpreted) makes another key; editing
    the selector itself does not."""
    import shutil

    copy = tmp_path / "parser"
    shutil.copytree(ROOT / "oracle" / "parser", copy, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(compiled, "_PARSER_DIR", copy)
    key = compiled.build_key()
    (copy / "compiled.py").write_text("# edited\n")
    assert compiled.build_key() == key
    (copy / "errors.py").write_text((copy / "errors.py").read_text() + "\n")
    assert compiled.build_key() != key


def test_prune_keeps_the_newest_builds(tmp_path: Path) -> None:
    import os as _os

    for i in range(5):
        d = tmp_path / f"key{i}"
        d.mkdir()
        (d / "BUILD-OK").write_text("")
        _os.utime(d / "BUILD-OK", (1000 + i, 1000 + i))
        (tmp_path / f".lock-key{i}").write_text("")
    (tmp_path / ".key9-unfinished").mkdir()  # a build in progress: not a build, kept
    removed = compiled.prune(tmp_path, keep=2)
    assert sorted(d.name for d in removed) == ["key0", "key1", "key2"]
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        ".key9-unfinished", ".lock-key3", ".lock-key4", "key3", "key4"]
