"""The optional mypyc build of the parser: where it is cached, how it is built and selected.

The pure-Python modules are the reference and what imports by default.  The compiled build is
the same source compiled with mypyc (the modules in :data:`MODULES`, the per-event path:
decoding, ordering, events, the canonical dump), about 3x faster per event.  It never lives in
the source tree: :func:`build` compiles a copy into ``<cache>/compiled/<key>/``, where ``key``
hashes every ``.py`` file of ``oracle/parser`` with the Python and mypy versions, so an edited
source, another interpreter or another mypy simply has no build (and a stale one is never used).

Selection (:func:`activate`, called by ``oracle/parser/__init__.py`` before any parser module is
imported) follows ``GOTRACE_ORACLE_IMPL``:

- ``pure``: the source modules, always;
- ``compiled``: the cached build for the current sources, or ``ImportError`` if there is none;
- ``auto`` (the default): the cached build if there is one, else pure.

How the compiled modules are found: the build directory holds a copy of the whole
``oracle/parser`` tree with each compiled module's extension (``base.cpython-311-...so``) beside
its ``.py``, plus mypyc's shared library (``<name>__mypyc...so``, the code of all modules; the
per-module extensions are shims that import it by that top-level name).  :func:`activate` loads
the shared library into ``sys.modules`` under its name and puts the build's ``oracle/parser``
first on the package's ``__path__``.  Python's path finder prefers an extension module to a
``.py`` in the same directory, so ``oracle.parser.base`` is the compiled one, while modules that
are not compiled (and the subpackages' ``__init__``) come from the build's identical copies.
No ``.pth`` file, no ``sys.path`` entry, nothing in the source tree.

This module imports nothing from the parser: it must run before any of it.
"""

from __future__ import annotations

import hashlib
import os
import sys
from pathlib import Path
from typing import Final

__all__ = [
    "ENV_VAR",
    "MODULES",
    "BuildError",
    "activate",
    "build",
    "build_dir",
    "build_key",
    "cache_root",
    "implementation",
    "prune",
]

#: The environment variable that selects the implementation: pure, compiled or auto.
ENV_VAR: Final = "GOTRACE_ORACLE_IMPL"

#: The modules compiled, relative to ``oracle/parser`` (the rest stay interpreted).
MODULES: Final = (
    "uvarint.py",
    "gostrconv.py",
    "tracev2/spec.py",
    "tracev2/events.py",
    "base.py",
    "batch.py",
    "tracev1/events.py",
    "tracev1/order.py",
    "tracev1/parser.py",
    "generation.py",
    "batchcursor.py",
    "value.py",
    "resources.py",
    "event.py",
    "convert.py",
    "order.py",
    "reader.py",
    "canonical.py",
)

#: Written last into a finished build directory; a directory without it is not a build.
_MARKER: Final = "BUILD-OK"
_PARSER_DIR: Final = Path(__file__).resolve().parent
_ORACLE_DIR: Final = _PARSER_DIR.parent

#: What :func:`activate` selected: "pure" or "compiled (<key>)".
_implementation = "pure"


class BuildError(Exception):
    """The compiled build failed; ``str()`` is one line, the log is in ``log``."""

    def __init__(self, message: str, log: str = "") -> None:
        super().__init__(message)
        self.log = log


def cache_root() -> Path:
    """``<cache>/compiled``, with ``<cache>`` as :func:`oracle.harness.toolchain.cache_dir`.

    ``$GOTRACE_ORACLE_CACHE``, else ``$XDG_CACHE_HOME/gotrace-oracle``, else
    ``~/.cache/gotrace-oracle``.  (Spelled out again here: the parser may not import the
    harness.)
    """
    if env := os.environ.get("GOTRACE_ORACLE_CACHE"):
        return Path(env) / "compiled"
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "gotrace-oracle" / "compiled"


def _mypy_version() -> str:
    try:
        import importlib.metadata

        return importlib.metadata.version("mypy")
    except Exception:  # noqa: BLE001 - not installed (or broken): no build can match
        return "none"


def build_key() -> str:
    """The cache key of the current sources: every ``oracle/parser`` ``.py`` (path and bytes)
    but this one (never loaded from a build) and :data:`MODULES`, the interpreter (version and
    extension suffix) and the mypy version."""
    h = hashlib.sha256()
    h.update(" ".join(MODULES).encode() + b"\0")
    for p in sorted(_PARSER_DIR.rglob("*.py")):
        if p.name == "compiled.py" and p.parent == _PARSER_DIR:
            continue
        h.update(p.relative_to(_PARSER_DIR).as_posix().encode() + b"\0")
        h.update(p.read_bytes() + b"\0")
    import sysconfig

    h.update(f"{sys.version}\0{sysconfig.get_config_var('EXT_SUFFIX')}\0".encode())
    h.update(f"mypy {_mypy_version()}".encode())
    return h.hexdigest()[:16]


def build_dir(key: str | None = None) -> Path | None:
    """The finished build for ``key`` (default: the current sources), or ``None``."""
    d = cache_root() / (key or build_key())
    return d if (d / _MARKER).is_file() else None


def implementation() -> str:
    """Which parser runs in this process: ``pure`` or ``compiled (<key>)``."""
    return _implementation


def activate(package_path: list[str]) -> None:
    """Select the implementation per :data:`ENV_VAR` (see the module doc); idempotent.

    ``package_path`` is ``oracle.parser.__path__``, which gets the build directory in front.
    """
    global _implementation
    mode = os.environ.get(ENV_VAR, "auto").strip().lower() or "auto"
    if mode not in ("pure", "compiled", "auto"):
        raise ImportError(f"{ENV_VAR}={mode!r}: expected pure, compiled or auto")
    if mode == "pure" or _implementation != "pure":
        return
    # Cheap test first: without any build there is nothing to hash for.
    if mode == "auto" and not cache_root().is_dir():
        return
    key = build_key()
    d = build_dir(key)
    if d is None:
        if mode == "compiled":
            raise ImportError(
                f"{ENV_VAR}=compiled, but there is no compiled build of these sources "
                f"(key {key}): run `gotrace-oracle setup --compiled` (with {ENV_VAR} unset)"
            )
        return
    import importlib.util

    for lib in sorted(d.glob("*__mypyc*")):
        name = lib.name.split(".", 1)[0]
        if name in sys.modules:
            continue
        spec = importlib.util.spec_from_file_location(name, lib)
        if spec is None or spec.loader is None:
            raise ImportError(f"cannot load the compiled parser's library {lib}")
        mod = importlib.util.module_from_spec(spec)
        sys.modules[name] = mod
        spec.loader.exec_module(mod)
    package_path.insert(0, str(d / "oracle" / "parser"))
    _implementation = f"compiled ({key})"


# ---------------------------------------------------------------------------------------------
# Building.

_SETUP: Final = """
import sys
from setuptools import setup
from mypyc.build import mypycify
setup(name="gotrace-oracle-compiled", ext_modules=mypycify(sys.argv[1:], opt_level="3"),
      script_args=["build_ext", "--inplace"])
"""


def build(*, quiet: bool = True) -> Path:
    """Build (or find) the compiled parser for the current sources; its directory.

    Fast when the build exists.  Builds are serialized with a lock file, so concurrent callers
    (pytest-xdist workers) wait for one build.  Needs a C compiler, ``mypy`` and
    ``setuptools>=77`` (the ``compiled`` extra); raises :class:`BuildError` otherwise.
    """
    import fcntl
    import resource
    import shutil
    import subprocess
    import tempfile
    import time

    key = build_key()
    if (d := build_dir(key)) is not None:
        return d
    root = cache_root()
    root.mkdir(parents=True, exist_ok=True)
    with open(root / f".lock-{key}", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if (d := build_dir(key)) is not None:
            return d
        tmp = Path(tempfile.mkdtemp(prefix=f".{key}-", dir=root))
        try:
            # The whole oracle package, so that mypy resolves every import the parser makes.
            shutil.copytree(_ORACLE_DIR, tmp / "oracle",
                            ignore=shutil.ignore_patterns("__pycache__", "*.so", "*.pyc"))
            t0 = time.monotonic()
            cpu0 = resource.getrusage(resource.RUSAGE_CHILDREN)
            proc = subprocess.run(
                [sys.executable, "-c", _SETUP, *(f"oracle/parser/{m}" for m in MODULES)],
                cwd=tmp, capture_output=True, text=True, check=False,
            )
            secs = time.monotonic() - t0
            cpu1 = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu = (cpu1.ru_utime - cpu0.ru_utime) + (cpu1.ru_stime - cpu0.ru_stime)
            log = proc.stdout + proc.stderr
            (tmp / "build.log").write_text(log)
            if proc.returncode != 0:
                last = next((ln for ln in reversed(log.splitlines()) if ln.strip()), "")
                raise BuildError(f"mypyc build failed (exit {proc.returncode}): {last[:200]}", log)
            # Keep the parser tree (sources beside their extensions) and the shared library.
            for p in (tmp / "oracle").iterdir():
                if p.name != "parser":
                    shutil.rmtree(p) if p.is_dir() else p.unlink()
            shutil.rmtree(tmp / "build", ignore_errors=True)
            shutil.rmtree(tmp / ".mypy_cache", ignore_errors=True)
            if not any(tmp.glob("*__mypyc*")):
                raise BuildError("mypyc build produced no shared library", log)
            (tmp / _MARKER).write_text(
                f"key {key}\npython {sys.version.split()[0]}\nmypy {_mypy_version()}\n"
                f"seconds {secs:.1f}\ncpu_seconds {cpu:.1f}\nmodules {' '.join(MODULES)}\n"
            )
            os.replace(tmp, root / key)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        if not quiet:
            print(f"compiled build: {root / key} ({secs:.0f} s, {cpu:.0f} s CPU)", file=sys.stderr)
    prune(root)
    return root / key


#: Builds kept in the cache (about 5 MB each): every parser edit makes a new key, and several
#: checkouts (worktrees) may share the cache, each with its own.
KEEP_BUILDS: Final = 8


def prune(root: Path, keep: int = KEEP_BUILDS) -> list[Path]:
    """Delete all but the ``keep`` most recently finished builds under ``root``; the deleted.

    A process that already runs a deleted build is unaffected (its libraries stay mapped).
    """
    import shutil

    builds = sorted((d for d in root.iterdir() if (d / _MARKER).is_file()),
                    key=lambda d: (d / _MARKER).stat().st_mtime, reverse=True)
    for d in builds[keep:]:
        shutil.rmtree(d, ignore_errors=True)
        (root / f".lock-{d.name}").unlink(missing_ok=True)
    return builds[keep:]
