"""Where campaign cases come from: Go's own testdata, the corpus, and generated traces.

One copy of each lookup: the conformance check, the coverage measurement, ``diff --testdata``
and the engines' seed corpora all read their inputs through here.

- Go's conformance data ships with each toolchain and is read from its GOROOT at run time
  (never copied into the repository).  Go 1.22 keeps the v2 parser and its testdata under
  ``internal/trace/v2``; its ``internal/trace/testdata`` belongs to the old parser.
- The corpus is ``seeds/`` (small traces), ``regressions/<slug>/repro.trace`` (classified
  findings) and ``go-findings/`` (minimized repros of documented Go bugs).
- Generated inputs come from the strategies' forward model through the Hypothesis-free
  ``RandomChooser`` path, seeded by strings, so a run is reproducible from its seed.
"""

from __future__ import annotations

import functools
import random
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from oracle.parser.inputs import InputError, is_input_file, load

__all__ = [
    "CORPUS_GROUPS",
    "V1_SEED_MAX_BYTES",
    "Input",
    "SourceUnavailable",
    "corpus_inputs",
    "corpus_paths",
    "default_corpus_root",
    "generated_inputs",
    "go_testdata_dir",
    "go_testdata_inputs",
    "go_testdata_paths",
    "load_inputs",
    "v1_mutant",
    "v1_seed_traces",
]

#: The checkout this package runs from, if it runs from one (editable install or the tree).
_CHECKOUT = Path(__file__).resolve().parents[2]

#: The corpus folders that hold cases, in replay order.
CORPUS_GROUPS = ("seeds", "regressions", "go-findings")


class SourceUnavailable(Exception):
    """A source that cannot be read here (no testdata in a GOROOT, no corpus folder...)."""


@dataclass(frozen=True, slots=True)
class Input:
    """One case: a name (unique in a run), its source group, bytes, and what made it."""

    name: str
    group: str  # testdata, corpus or generated
    data: bytes
    mutations: tuple[str, ...] = ()


def default_corpus_root() -> Path:
    """The corpus folder to use when the command line names none.

    Inside a checkout it is the repository's ``corpus/``; after a non-editable install the
    package lives in site-packages, where findings must never be written, so it is
    ``./corpus`` in the working directory instead.
    """
    if (_CHECKOUT / "pyproject.toml").is_file() and (_CHECKOUT / "corpus").is_dir():
        return _CHECKOUT / "corpus"
    return Path.cwd() / "corpus"


def go_testdata_dir(goroot: Path) -> Path | None:
    """``internal/trace/testdata`` of the v2 parser in ``goroot`` (``None`` if absent)."""
    trace = goroot / "src" / "internal" / "trace"
    return next((d for d in (trace / "v2" / "testdata", trace / "testdata")
                 if (d / "tests").is_dir()), None)


def go_testdata_paths(goroot: Path) -> list[Path]:
    """Go's conformance traces (``tests/*.test``) and ``fuzz/FuzzReader`` seeds in ``goroot``."""
    td = go_testdata_dir(goroot)
    if td is None:
        return []
    paths = sorted((td / "tests").glob("*.test"))
    fuzz = td / "fuzz" / "FuzzReader"
    if fuzz.is_dir():
        paths += sorted(p for p in fuzz.iterdir() if p.is_file())
    return paths


def load_inputs(paths: Iterable[Path], group: str, *,
                name: Callable[[Path], str] | None = None) -> tuple[list[Input], list[str]]:
    """Load each path (any input format); files that are not traces are reported, not fatal."""
    out: list[Input] = []
    skipped: list[str] = []
    for p in paths:
        try:
            out.append(Input(name(p) if name else str(p), group, load(p).data))
        except InputError as e:
            skipped.append(str(e))
    return out, skipped


def go_testdata_inputs(goroot: Path) -> tuple[list[Input], list[str]]:
    """Go's testdata of ``goroot`` as inputs named ``testdata/<path>``, and skip messages."""
    td = go_testdata_dir(goroot)
    if td is None:
        raise SourceUnavailable(f"no internal/trace testdata in {goroot}")
    return load_inputs(go_testdata_paths(goroot), "testdata",
                       name=lambda p: f"testdata/{p.relative_to(td.parent)}")


def corpus_paths(root: Path, groups: Sequence[str] = CORPUS_GROUPS) -> list[Path]:
    """The case files of a corpus: every file of ``seeds/`` and ``go-findings/``, and the
    ``repro.trace`` of each ``regressions/<slug>/`` (its other files describe it)."""
    paths: list[Path] = []
    for group in groups:
        d = root / group
        if not d.is_dir():
            continue
        if group == "regressions":
            paths += sorted(p / "repro.trace" for p in d.iterdir() if (p / "repro.trace").is_file())
        else:
            paths += sorted(p for p in d.rglob("*") if is_input_file(p))
    return paths


def corpus_inputs(root: Path | None = None, groups: Sequence[str] = CORPUS_GROUPS,
                  ) -> tuple[list[Input], list[str]]:
    """The corpus' cases as inputs named ``corpus/<path>``, and skip messages."""
    root = root if root is not None else default_corpus_root()
    if not root.is_dir():
        raise SourceUnavailable(f"no corpus directory at {root}")
    return load_inputs(corpus_paths(root, groups), "corpus",
                       name=lambda p: f"corpus/{(p.parent if p.name == 'repro.trace' else p).relative_to(root)}")


def generated_inputs(count: int, seed: int | str, *, max_events: int = 60,
                     kinds: Sequence[str] = ("valid", "mutated")) -> Iterator[Input]:
    """``count`` valid traces and ``count`` mutants from the strategies' model, seeded."""
    from strategies import RandomChooser, draw_valid, mutate, trace_params

    versions, template = trace_params(max_events=max_events)
    for kind in kinds:
        for i in range(count):
            ch = RandomChooser(random.Random(f"gotrace-oracle:conform:{seed}:{kind}:{i}"))
            tr = draw_valid(ch, versions, template)
            if kind == "mutated":
                tr = mutate(ch, tr)
            yield Input(f"generated/{kind}-{seed}-{i:05d}", "generated", tr.to_binary(),
                        tuple(tr.mutations))


# --- v1 mutants ------------------------------------------------------------------------------
#
# Mutants of real v1 traces (Go 1.11 to 1.21): Go's v1 testdata from the pinned GOROOT and the
# traces the Go 1.21.13 runtime writes (oracle.harness.realtraces).  The strategies model only
# v2 traces, so these are byte-level mutants, made after the header so they stay v1 inputs.

#: Only small traces: the v1 parser reads a whole trace before its first event, so a case costs
#: time in proportion to its size.
V1_SEED_MAX_BYTES: Final = 12 * 1024


@functools.cache
def v1_seed_traces() -> tuple[bytes, ...]:
    """The real v1 traces mutants are made from, in a fixed order (cached per process).

    Go's v1 testdata, plus Go 1.21.13's traces if they were already produced (by the test suite
    or ``oracle.harness.realtraces.real_traces("1.21.13")``): a campaign never waits for a
    toolchain download.
    """
    from oracle.harness import realtraces, toolchain

    traces: list[tuple[str, bytes]] = []
    testdata = toolchain.pinned().goroot / "src" / "internal" / "trace" / "internal" / "tracev1" / "testdata"
    for p in sorted(testdata.iterdir()):
        if p.stat().st_size <= V1_SEED_MAX_BYTES:
            traces.append((p.name, p.read_bytes()))
    for v in realtraces.V1_RUNTIME_VERSIONS:
        for t in realtraces.cached_real_traces(v):
            traces.append((t.name, t.path.read_bytes()))
    return tuple(data for _, data in traces if len(data) <= V1_SEED_MAX_BYTES)


def v1_mutant(seed: str, traces: Sequence[bytes] | None = None) -> tuple[bytes, tuple[str, ...]]:
    """A mutant of one real v1 trace, fully determined by ``seed``: ``(bytes, mutations)``.

    One to four of the strategies' byte-level operators (:func:`strategies.mutate_bytes`),
    after the 16-byte header (``go 1.NN trace`` and three NULs) so that it stays a v1 input.
    """
    from strategies import RandomChooser, mutate_bytes

    pool = v1_seed_traces() if traces is None else traces
    ch = RandomChooser(random.Random(seed))
    i = ch.int(0, len(pool) - 1)
    data, applied = mutate_bytes(ch, pool[i], keep=_V1_HEADER_LEN)
    return data, (f"v1-seed#{i}", *applied)


_V1_HEADER_LEN: Final = 16
