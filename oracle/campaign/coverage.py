"""Go-side coverage: which statements of Go's ``internal/trace`` our inputs reach.

``gotrace-oracle coverage`` builds the go-harness helper with ``-cover`` over
``internal/trace/...`` (:func:`oracle.harness.toolchain.build_helper` with ``cover=True``), feeds it the
inputs of each *source* in serve mode, and reports per-file statement coverage with
``go tool covdata``. By default each input runs with the helper modes ``parse`` (the
differential's: every accessor), ``go-string`` (``Event.String()``) and, on Go >= 1.26,
``remake`` (each event rebuilt with ``trace.MakeEvent`` and compared with the original, plus the
public accessors ``parse`` never calls; see ``go-harness/remake.go``).

Sources:

``go-testdata``
    the toolchain's ``testdata/tests/*.test`` (converted to binary) and its
    ``testdata/fuzz/FuzzReader`` seeds: what Go's own test data reaches through the helper;
``corpus``
    the repository's ``corpus/seeds``, ``corpus/regressions`` and ``corpus/go-findings``;
``generated``, ``mutated``
    ``--count`` examples in all, split evenly, drawn deterministically (``--seed``) from
    ``strategies.traces()`` and ``strategies.mutated_traces()``. A strategy that does not
    exist yet (or cannot be drawn from) makes its source *unavailable*, with a note, rather
    than an error.

Each source runs with a fresh ``GOCOVERDIR``. Counters are written only when a helper process
exits normally, so processes are ended by closing their stdin (serve mode then exits 0), every
``_REQUESTS_PER_PROCESS`` requests. A request that kills the process (a Go fatal error) or hangs
loses the counters of everything that process ran; those requests are run again in a fresh
process without the offending input, which is counted as ``lost``.

The parser proper is the files ``base``, ``batch``, ``batchcursor``, ``event``, ``generation``,
``order``, ``reader``, ``resources`` and ``value`` of ``internal/trace`` (``internal/trace/v2`` in
Go 1.22). ``--min-percent P`` exits 1 when the union of the ``--gate`` sources (default:
``generated`` and ``mutated``) covers less than P percent of the parser proper's statements; a
gated source that is unavailable or not selected covers nothing.

The *reading path* is the part of the parser proper that ``ReadEvent`` runs, with no accessor
and no ``MakeEvent``: the files ``base``, ``batch``, ``batchcursor``, ``generation``, ``order``
and ``reader``. Its gate counts only what the ``parse`` mode reached (each mode runs in its
own processes with its own counters, so this is the figure ``--modes parse`` alone gives);
``--reading-path-min-percent P`` exits 1 when the gate sources cover less than P percent of
its statements, and the JSON lists the blocks they miss.

``--json FILE`` writes::

    {"go_version": "1.27.3", "modes": ["parse", "go-string", "remake"], "count": 2000, "seed": 0,
     "sources": {NAME: {"available": bool, "note": str|null, "inputs": int, "requests": int,
                        "lost": int, "processes": int, "seconds": float}},
     "columns": [NAME..., "union"],
     "files": [{"file": "internal/trace/order.go", "parser_proper": bool, "reading_path": bool,
                "statements": int, "covered": {COLUMN: int}}],
     "totals": {"parser_proper": {"statements": int, "covered": {COLUMN: int},
                                  "percent": {COLUMN: float}},
                "reading_path": {... the same, all modes ...},
                "all": {... the same ...}},
     "gate": {"sources": [NAME...], "covered": int, "statements": int, "percent": float,
              "min_percent": float|null, "passed": bool|null},
     "reading_path_gate": {... the keys of "gate" ..., "files": [FILE...], "modes": ["parse"],
                           "uncovered": [{"file": FILE, "lines": "12-14", "statements": int}]}}

where the columns are the selected sources (in the order above) followed by ``union``.
"""

from __future__ import annotations

import hashlib
import os
import random
import struct
import subprocess
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from oracle.campaign.sources import (
    Input,
    SourceUnavailable,
    corpus_inputs,
    go_testdata_inputs,
)
from oracle.harness import toolchain
from oracle.harness.toolchain import Toolchain

__all__ = [
    "DEFAULT_COUNT",
    "DEFAULT_MODES",
    "PARSER_PROPER",
    "READING_PATH",
    "READING_PATH_MODES",
    "SOURCES",
    "Coverage",
    "Report",
    "RunStats",
    "build_cover_helper",
    "default_modes",
    "draw_examples",
    "format_table",
    "generated_inputs",
    "is_parser_proper",
    "is_reading_path",
    "measure",
    "read_coverage",
    "run_inputs",
]

PARSER_PROPER: Final = ("base", "batch", "batchcursor", "event", "generation", "order", "reader",
                        "resources", "value")
"""Files (without ``.go``) of ``internal/trace`` that make up the parser proper."""

READING_PATH: Final = ("base", "batch", "batchcursor", "generation", "order", "reader")
"""Files of the parser proper that ``ReadEvent`` runs (no accessors, no ``MakeEvent``)."""
READING_PATH_MODES: Final = ("parse",)
"""The helper modes whose coverage the reading-path gate counts."""

_PARSER_DIRS: Final = ("internal/trace", "internal/trace/v2")

SOURCES: Final = ("go-testdata", "corpus", "generated", "mutated")
DEFAULT_MODES: Final = ("parse", "go-string", "remake")
"""The helper modes each input runs with by default: ``parse`` (every accessor, as in the
differential), ``go-string`` (``Event.String()``) and ``remake`` (``MakeEvent`` self-consistency,
which also calls the public accessors ``parse`` never does). ``remake`` is dropped on toolchains
that lack it (see :func:`default_modes`)."""
DEFAULT_COUNT: Final = 2000
CLI_MODES: Final = ("parse", "go-string", "remake", "raw", "raw-text", "to-text", "to-binary")
REMAKE_MIN_MINOR: Final = 26
"""``trace.MakeEvent`` and ``EventConfig`` are exported from Go 1.26 on; older helpers answer
``remake`` with ``{"end":"unsupported"}``."""
DEFAULT_GATE: Final = ("generated", "mutated")
UNION: Final = "union"

_REQUESTS_PER_PROCESS: Final = 1000
_MAX_CHOICES: Final = 20_000


def supports_remake(tc: Toolchain) -> bool:
    """Whether ``tc``'s ``internal/trace`` has ``MakeEvent`` (helper mode ``remake``)."""
    try:
        return tc.minor >= REMAKE_MIN_MINOR
    except toolchain.ToolchainError:
        return False


def default_modes(tc: Toolchain) -> list[str]:
    """:data:`DEFAULT_MODES` without the modes ``tc`` cannot run."""
    return [m for m in DEFAULT_MODES if m != "remake" or supports_remake(tc)]


# --- building ---------------------------------------------------------------------------------


def build_cover_helper(tc: Toolchain) -> Path:
    """The coverage-instrumented helper for ``tc`` (built once, then cached)."""
    return toolchain.build_helper(tc, cover=True)


# --- sources ----------------------------------------------------------------------------------


def draw_examples(strategy: Any, count: int, seed: int | str, *,
                  on_progress: Callable[[int], None] | None = None) -> list[Any]:
    """``count`` values drawn from a Hypothesis ``strategy``, deterministically from ``seed``.

    Each draw runs on a fresh ``ConjectureData`` whose choices come from a ``random.Random``
    seeded with ``(seed, i)``; draws that overrun or are rejected (``StopTest``, ``Frozen``) are
    skipped, up to ``4 * count + 100`` attempts in all. No test, shrinking or example database
    is involved; each draw runs in its own ``BuildContext``, as inside ``@given``.
    """
    from hypothesis.control import BuildContext
    from hypothesis.errors import Frozen, StopTest
    from hypothesis.internal.conjecture.data import ConjectureData

    out: list[Any] = []
    attempt = 0
    while len(out) < count and attempt < 4 * count + 100:
        data = ConjectureData(random=random.Random(f"{seed}:{attempt}"), max_choices=_MAX_CHOICES)
        attempt += 1
        try:
            # Some strategies (map, composite, ...) need a build context, as inside @given.
            with BuildContext(data, is_final=False, wrapped_test=draw_examples):
                out.append(data.draw(strategy))
        except (StopTest, Frozen):
            continue
        finally:
            try:
                data.freeze()
            except Exception:  # noqa: BLE001 - freezing is cleanup only
                pass
        if on_progress is not None:
            on_progress(len(out))
    return out


def _as_bytes(value: Any, what: str) -> bytes:
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value)
    data = getattr(value, "data", None)
    if isinstance(data, (bytes, bytearray)):
        return bytes(data)
    raise SourceUnavailable(f"{what} draws {type(value).__name__} values, not bytes")


def generated_inputs(name: str, count: int, seed: int, *,
                     on_progress: Callable[[int], None] | None = None) -> list[Input]:
    """``count`` examples of ``strategies.traces()`` (``name="generated"``) or
    ``strategies.mutated_traces()`` (``name="mutated"``); raises :class:`SourceUnavailable`
    when the strategy is missing or cannot be drawn from."""
    func = {"generated": "traces", "mutated": "mutated_traces"}[name]
    what = f"strategies.{func}()"
    try:
        import strategies
    except ImportError as e:
        raise SourceUnavailable(f"the strategies package cannot be imported: {e}") from None
    factory = getattr(strategies, func, None)
    if factory is None:
        raise SourceUnavailable(f"strategies does not export {func}() yet")
    # Only the package's own strategies are cached: a test may monkeypatch in another.
    ours = getattr(factory, "__module__", "").partition(".")[0] == "strategies"
    cache = _drawn_cache_path(func, count, seed) if ours else None
    cached = _read_drawn(cache) if cache is not None else None
    if cached is not None:
        return [Input(f"{name}#{i}", name, v) for i, v in enumerate(cached)]
    try:
        strategy = factory()
        values = draw_examples(strategy, count, f"{seed}:{name}", on_progress=on_progress)
    except SourceUnavailable:
        raise
    except Exception as e:  # noqa: BLE001 - a strategy under construction may fail any way
        raise SourceUnavailable(f"drawing from {what} failed: {type(e).__name__}: {e}") from None
    if count and not values:
        raise SourceUnavailable(f"{what} produced no example in {4 * count + 100} attempts")
    inputs = [Input(f"{name}#{i}", name, _as_bytes(v, what)) for i, v in enumerate(values)]
    if cache is not None:
        _write_drawn(cache, [i.data for i in inputs])
    return inputs


def _drawn_cache_path(func: str, count: int, seed: int) -> Path:
    """Where the examples of ``strategies.<func>()`` are cached.

    Drawing is deterministic given the seed, the strategies' code, the wire layer of the parser
    they build on and Hypothesis' version, and it costs ten times what running the examples
    through the cover helper does (20 s of the 24 s the documented gate takes).  The key hashes
    all of those, so any change to them draws afresh.
    """
    import hypothesis
    import strategies

    import oracle.parser

    h = hashlib.sha256(f"{func}:{count}:{seed}:{_MAX_CHOICES}:{hypothesis.__version__}".encode())
    for root in (Path(strategies.__file__).parent, Path(oracle.parser.__file__).parent):
        for f in sorted(root.rglob("*.py")):
            h.update(f.relative_to(root).as_posix().encode() + b"\0" + f.read_bytes() + b"\0")
    return toolchain.cache_dir() / "drawn" / f"{func}-{h.hexdigest()[:20]}.bin"


_LEN: Final = struct.Struct("<Q")


def _read_drawn(path: Path) -> list[bytes] | None:
    """The cached examples (length-prefixed), or ``None`` when absent or unreadable."""
    try:
        blob = path.read_bytes()
    except OSError:
        return None
    out: list[bytes] = []
    at = 0
    while at < len(blob):
        if at + _LEN.size > len(blob):
            return None
        (n,) = _LEN.unpack_from(blob, at)
        at += _LEN.size
        if at + n > len(blob):
            return None
        out.append(blob[at:at + n])
        at += n
    return out


def _write_drawn(path: Path, values: Sequence[bytes]) -> None:
    """Cache ``values`` atomically (concurrent test workers may draw the same examples); a
    cache that cannot be written only costs the next run its drawing time."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        tmp.write_bytes(b"".join(_LEN.pack(len(v)) + v for v in values))
        os.replace(tmp, path)
    except OSError:
        pass


# --- running ----------------------------------------------------------------------------------


@dataclass
class RunStats:
    """What running one source's inputs through the cover helper took."""

    inputs: int = 0
    requests: int = 0
    lost: int = 0
    """Requests that killed or hung the helper; their coverage (and only theirs) is missing."""
    processes: int = 0
    seconds: float = 0.0
    lost_names: list[str] = field(default_factory=list)


def _counter_files(covdir: Path) -> int:
    return sum(1 for p in covdir.iterdir() if p.name.startswith("covcounters."))


def run_inputs(
    binary: Path,
    inputs: Sequence[Input],
    covdir: Path,
    *,
    modes: Sequence[str] = ("parse",),
    timeout: float = 20.0,
    per_process: int = _REQUESTS_PER_PROCESS,
    on_progress: Callable[[int, int], None] | None = None,
) -> RunStats:
    """Run every input with every mode through ``binary`` (a cover helper) in serve mode,
    writing coverage counters to ``covdir``.

    Each process handles up to ``per_process`` requests and is then stopped by closing its
    stdin, so that it exits normally and flushes its counters. When a request kills or hangs
    the process, the requests it had already answered are replayed in a new process.
    """
    from oracle.harness.helper import GoHelper

    covdir.mkdir(parents=True, exist_ok=True)
    env = {"GOCOVERDIR": str(covdir), "TZ": "UTC"}
    pending = [(inp.name, inp.data, mode) for inp in inputs for mode in modes]
    total = len(pending)
    stats = RunStats(inputs=len(inputs))
    t0 = time.perf_counter()
    done = 0
    while pending:
        chunk = pending[:per_process]
        before = _counter_files(covdir)
        helper = GoHelper(binary, timeout=timeout, env=env)
        stats.processes += 1
        died_at = -1
        try:
            for i, (name, data, mode) in enumerate(chunk):
                res = helper.request(mode, data)
                stats.requests += 1
                if res.outcome in ("crash", "timeout"):
                    died_at = i
                    break
                if on_progress is not None:
                    on_progress(done + i + 1, total)
        finally:
            helper.close()
        if died_at >= 0:
            name, _, mode = chunk[died_at]
            stats.lost += 1
            stats.lost_names.append(f"{name} ({mode})")
            # The dead process wrote no counters: replay what it had answered.
            pending = chunk[:died_at] + pending[died_at + 1:]
            total -= 1
            continue
        if _counter_files(covdir) <= before:
            raise toolchain.ToolchainError(
                f"the cover helper {binary} exited without writing coverage counters to {covdir}")
        pending = pending[len(chunk):]
        done += len(chunk)
    stats.seconds = time.perf_counter() - t0
    return stats


# --- reading coverage -------------------------------------------------------------------------

Block = tuple[str, str]  # (file, "startLine.startCol,endLine.endCol")


@dataclass
class Coverage:
    """Statement coverage by block: ``blocks[(file, span)] = (statements, covered)``."""

    blocks: dict[Block, tuple[int, bool]] = field(default_factory=dict)

    @classmethod
    def parse_textfmt(cls, text: str) -> Coverage:
        """Read ``go tool covdata textfmt`` output (any mode: a count > 0 is covered)."""
        cov = cls()
        for line in text.splitlines():
            if not line or line.startswith("mode:"):
                continue
            loc, nstmt, count = line.rsplit(" ", 2)
            file, _, span = loc.rpartition(":")
            cov.add((file, span), int(nstmt), int(count) > 0)
        return cov

    def add(self, block: Block, statements: int, covered: bool) -> None:
        old = self.blocks.get(block)
        self.blocks[block] = (statements, covered or (old is not None and old[1]))

    def union(self, *others: Coverage) -> Coverage:
        """Blocks covered here or in any of ``others``."""
        out = Coverage(dict(self.blocks))
        for o in others:
            for b, (n, c) in o.blocks.items():
                out.add(b, n, c)
        return out

    def per_file(self) -> dict[str, tuple[int, int]]:
        """``{file: (statements, covered statements)}``."""
        out: dict[str, tuple[int, int]] = {}
        for (file, _), (n, c) in self.blocks.items():
            s, k = out.get(file, (0, 0))
            out[file] = (s + n, k + (n if c else 0))
        return out


def read_coverage(tc: Toolchain, covdirs: Sequence[Path]) -> Coverage:
    """The merged coverage of ``covdirs`` (via ``go tool covdata textfmt -i d1,d2,...``)."""
    dirs = [d for d in covdirs if d.is_dir() and any(d.iterdir())]
    if not dirs:
        return Coverage()
    with tempfile.TemporaryDirectory(prefix="gotrace-covdata-") as tmp:
        out = Path(tmp) / "cover.txt"
        cmd = [str(tc.go), "tool", "covdata", "textfmt", "-i", ",".join(map(str, dirs)),
               "-o", str(out)]
        proc = subprocess.run(cmd, cwd=tmp, env=toolchain.go_env(tc), capture_output=True,
                              text=True, check=False)
        if proc.returncode != 0 or not out.exists():
            raise toolchain.ToolchainError(
                f"go tool covdata failed (exit {proc.returncode}):\n$ {' '.join(cmd)}\n"
                f"{proc.stdout}{proc.stderr}")
        return Coverage.parse_textfmt(out.read_text())


# --- the report -------------------------------------------------------------------------------


def _in(file: str, names: Sequence[str]) -> bool:
    d, _, base = file.rpartition("/")
    return d in _PARSER_DIRS and base.endswith(".go") and base[:-3] in names


def is_parser_proper(file: str) -> bool:
    """Whether ``file`` (an import path like ``internal/trace/order.go``) is in the parser
    proper."""
    return _in(file, PARSER_PROPER)


def is_reading_path(file: str) -> bool:
    """Whether ``file`` is one of the :data:`READING_PATH` files."""
    return _in(file, READING_PATH)


@dataclass
class SourceResult:
    """One source: its inputs' run statistics and coverage, or why it is unavailable."""

    name: str
    available: bool
    note: str | None = None
    stats: RunStats = field(default_factory=RunStats)
    coverage: Coverage = field(default_factory=Coverage)
    by_mode: dict[str, Coverage] = field(default_factory=dict)
    """Each helper mode's own coverage (``coverage`` is their union)."""


@dataclass
class Report:
    """Per-file coverage of every source, their union, and the gate."""

    go_version: str
    modes: list[str]
    count: int
    seed: int
    sources: list[SourceResult]
    gate_sources: list[str]
    min_percent: float | None = None
    reading_path_min_percent: float | None = None

    @property
    def columns(self) -> list[str]:
        return [s.name for s in self.sources] + [UNION]

    def coverage_of(self, column: str) -> Coverage:
        if column == UNION:
            return Coverage().union(*(s.coverage for s in self.sources))
        return next(s.coverage for s in self.sources if s.name == column)

    def gate_coverage(self) -> Coverage:
        return Coverage().union(*(s.coverage for s in self.sources if s.name in self.gate_sources))

    def files(self) -> list[dict[str, Any]]:
        """One row per instrumented file of ``internal/trace/...`` (the helper excluded)."""
        per = {c: self.coverage_of(c).per_file() for c in self.columns}
        names = sorted({f for p in per.values() for f in p
                        if not f.startswith(toolchain.HELPER_PACKAGE + "/")},
                       key=lambda f: (not is_parser_proper(f), f))
        rows = []
        for f in names:
            stmts = max(p.get(f, (0, 0))[0] for p in per.values())
            rows.append({"file": f, "parser_proper": is_parser_proper(f),
                         "reading_path": is_reading_path(f), "statements": stmts,
                         "covered": {c: per[c].get(f, (0, 0))[1] for c in self.columns}})
        return rows

    def totals(self, rows: list[dict[str, Any]] | None = None) -> dict[str, dict[str, Any]]:
        rows = self.files() if rows is None else rows
        out = {}
        for key, sel in (("parser_proper", [r for r in rows if r["parser_proper"]]),
                         ("reading_path", [r for r in rows if r["reading_path"]]), ("all", rows)):
            stmts = sum(r["statements"] for r in sel)
            cov = {c: sum(r["covered"][c] for r in sel) for c in self.columns}
            out[key] = {"statements": stmts, "covered": cov,
                        "percent": {c: _pct(n, stmts) for c, n in cov.items()}}
        return out

    def gate(self) -> dict[str, Any]:
        """The parser-proper gate: every mode's coverage."""
        return self._gate(self.gate_coverage(), is_parser_proper, self.min_percent)

    def reading_path_gate(self) -> dict[str, Any]:
        """The reading-path gate: what the gate sources reached in :data:`READING_PATH_MODES`,
        with the blocks they miss."""
        cov = Coverage().union(*(s.by_mode.get(m, Coverage()) for s in self.sources
                                 if s.name in self.gate_sources for m in READING_PATH_MODES))
        out = self._gate(cov, is_reading_path, self.reading_path_min_percent)
        union = self.coverage_of(UNION)
        missed = sorted(((f, span, n) for (f, span), (n, _) in union.blocks.items()
                         if is_reading_path(f) and not cov.blocks.get((f, span), (0, False))[1]),
                        key=lambda b: (b[0], int(b[1].split(".")[0])))
        out["files"] = sorted({f for f in union.per_file() if is_reading_path(f)})
        out["modes"] = [m for m in READING_PATH_MODES]
        out["uncovered"] = [{"file": f, "lines": _lines(span), "statements": n} for f, span, n in missed]
        return out

    def _gate(self, cov: Coverage, select: Callable[[str], bool], minimum: float | None) -> dict[str, Any]:
        per = cov.per_file()
        # Statements come from every source, so a gate over unmeasured sources is 0%, not 0/0.
        stmts = {f: n for f, (n, _) in self.coverage_of(UNION).per_file().items()}
        total = sum(n for f, n in stmts.items() if select(f))
        covered = sum(k for f, (_, k) in per.items() if select(f))
        pct = _pct(covered, total)
        passed = None if minimum is None else pct >= minimum
        return {"sources": list(self.gate_sources), "covered": covered, "statements": total,
                "percent": pct, "min_percent": minimum, "passed": passed}

    def passed(self) -> bool:
        """False when a gate with a minimum is below it."""
        return self.gate()["passed"] is not False and self.reading_path_gate()["passed"] is not False

    def to_json(self) -> dict[str, Any]:
        rows = self.files()
        return {
            "go_version": self.go_version, "modes": list(self.modes), "count": self.count,
            "seed": self.seed,
            "sources": {s.name: {"available": s.available, "note": s.note,
                                 "inputs": s.stats.inputs, "requests": s.stats.requests,
                                 "lost": s.stats.lost, "processes": s.stats.processes,
                                 "seconds": round(s.stats.seconds, 3)}
                        for s in self.sources},
            "columns": self.columns,
            "files": rows,
            "totals": self.totals(rows),
            "gate": self.gate(),
            "reading_path_gate": self.reading_path_gate(),
        }


def _lines(span: str) -> str:
    """``"12.3,14.2"`` as ``"12-14"`` (or ``"12"``)."""
    a, b = (part.split(".")[0] for part in span.split(","))
    return a if a == b else f"{a}-{b}"


def _pct(n: int, d: int) -> float:
    return round(100.0 * n / d, 1) if d else 0.0


def measure(
    tc: Toolchain,
    sources: Sequence[str] = SOURCES,
    *,
    modes: Sequence[str] | None = None,
    count: int = DEFAULT_COUNT,
    seed: int = 0,
    timeout: float = 20.0,
    gate: Sequence[str] = DEFAULT_GATE,
    min_percent: float | None = None,
    reading_path_min_percent: float | None = None,
    corpus_root: Path | None = None,
    progress: Callable[[str], None] | None = None,
) -> Report:
    """Build the cover helper for ``tc``, run each source through it, and collect coverage.

    ``modes`` defaults to :func:`default_modes` of ``tc``. Each mode runs in its own helper
    processes and counter directory, so that each mode's coverage is known on its own."""
    modes = default_modes(tc) if modes is None else list(modes)
    if "remake" in modes and not supports_remake(tc):
        raise toolchain.ToolchainError(
            f"helper mode remake needs Go >= 1.{REMAKE_MIN_MINOR} (MakeEvent); this is Go {tc.version}")
    binary = build_cover_helper(tc)
    say = progress or (lambda _msg: None)
    results: list[SourceResult] = []
    n_gen = {"generated": count - count // 2, "mutated": count // 2}
    with tempfile.TemporaryDirectory(prefix="gotrace-coverage-") as tmp:
        for name in [s for s in SOURCES if s in sources]:
            note: str | None = None
            try:
                if name == "go-testdata":
                    inputs, skipped = go_testdata_inputs(tc.goroot)
                elif name == "corpus":
                    inputs, skipped = corpus_inputs(corpus_root)
                else:
                    want = n_gen[name]

                    def drawn(k: int) -> None:
                        say(f"{name}: drawing {k}/{want}")  # noqa: B023 - called in this iteration

                    inputs = generated_inputs(name, want, seed, on_progress=drawn)
                    skipped = []
            except SourceUnavailable as e:
                results.append(SourceResult(name, False, str(e)))
                continue
            if skipped:
                note = f"{len(skipped)} file(s) skipped: {skipped[0]}" + (" ..." if len(skipped) > 1 else "")
            stats = RunStats(inputs=len(inputs))
            by_mode: dict[str, Coverage] = {}
            for mode in modes:
                covdir = Path(tmp) / name / mode

                def ran(k: int, t: int) -> None:
                    say(f"{name} ({mode}): running {k}/{t}")  # noqa: B023 - called in this iteration

                st = run_inputs(binary, inputs, covdir, modes=(mode,), timeout=timeout, on_progress=ran)
                stats.requests += st.requests
                stats.lost += st.lost
                stats.processes += st.processes
                stats.seconds += st.seconds
                stats.lost_names += st.lost_names
                say(f"{name} ({mode}): reading coverage")
                by_mode[mode] = read_coverage(tc, [covdir])
            if stats.lost:
                lost = f"{stats.lost} request(s) killed or hung the helper: {stats.lost_names[0]}"
                note = f"{note}; {lost}" if note else lost
            results.append(SourceResult(name, True, note, stats, Coverage().union(*by_mode.values()), by_mode))
    return Report(tc.version, list(modes), count, seed, results, list(gate), min_percent,
                  reading_path_min_percent)


def format_table(report: Report) -> str:
    """The report as aligned text: one row per file, then the parser-proper, reading-path and
    overall totals, source notes and the two gates."""
    rows = report.files()
    totals = report.totals(rows)
    cols = report.columns
    avail = {s.name: s.available for s in report.sources}

    def cell(c: str, covered: int, stmts: int) -> str:
        if not avail.get(c, True):
            return "n/a"
        return f"{covered} {_pct(covered, stmts):5.1f}%"

    header = ["file", "stmts", *cols]
    body: list[list[str]] = []
    for r in rows:
        name = r["file"] + (" *" if r["parser_proper"] else "")
        body.append([name, str(r["statements"]),
                     *(cell(c, r["covered"][c], r["statements"]) for c in cols)])
    foot: list[list[str]] = []
    for key, label in (("parser_proper", "parser proper (*)"), ("reading_path", "reading path (all modes)"),
                       ("all", "all files")):
        t = totals[key]
        foot.append([label, str(t["statements"]),
                     *(cell(c, t["covered"][c], t["statements"]) for c in cols)])
    widths = [max(len(x[i]) for x in [header, *body, *foot]) for i in range(len(header))]

    def fmt(cells: list[str]) -> str:
        return "  ".join(c.ljust(widths[0]) if i == 0 else c.rjust(widths[i])
                         for i, c in enumerate(cells)).rstrip()

    rule = "  ".join("-" * w for w in widths)
    lines = [fmt(header), rule, *map(fmt, body), rule, *map(fmt, foot), ""]
    for s in report.sources:
        desc = (f"{s.stats.inputs} inputs, {s.stats.requests} requests in "
                f"{s.stats.processes} process(es), {s.stats.seconds:.1f} s") if s.available else "unavailable"
        lines.append(f"{s.name}: {desc}" + (f" ({s.note})" if s.note else ""))
    lines.append(f"modes: {', '.join(report.modes)}; Go {report.go_version}")
    g = report.gate()
    gate = f"gate ({' + '.join(g['sources'])}, parser proper): {g['covered']}/{g['statements']} = {g['percent']:.1f}%"
    if g["min_percent"] is not None:
        gate += f", minimum {g['min_percent']:g}%: {'pass' if g['passed'] else 'FAIL'}"
    lines.append(gate)
    r = report.reading_path_gate()
    rp = (f"reading-path gate ({' + '.join(r['sources'])}, {'/'.join(r['modes'])} mode, "
          f"{len(r['files'])} files): {r['covered']}/{r['statements']} = {r['percent']:.1f}%")
    if r["min_percent"] is not None:
        rp += f", minimum {r['min_percent']:g}%: {'pass' if r['passed'] else 'FAIL'}"
    lines.append(rp)
    return "\n".join(lines) + "\n"


# --- the subcommand ---------------------------------------------------------------------------


