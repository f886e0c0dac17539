"""The campaign report: one typed record for both engines, its atomic writing and summary.

A campaign's parent process sums its workers' :class:`~oracle.campaign.checker.CaseStats`
and its new findings into a :class:`CampaignReport` (:func:`build_report`, the one builder for
the Hypothesis-model and the atheris engine).  ``to_json`` gives the stable JSON layout that
``--report`` writes and CI consumers read (the keys ``make fuzz``'s consumers rely on come
first; engine-specific keys appear only for their engine), ``from_json`` reads it back, and
:func:`format_summary` renders what ``fuzz`` prints at the end.

:func:`write_json_atomic` is the one way this project writes a JSON file that others may be
reading: a temporary file in the same directory, fsync, rename over the target.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from oracle.campaign.checker import CaseStats, NewFinding

__all__ = [
    "CampaignReport",
    "Divergence",
    "GeneratorInfo",
    "LaneSummary",
    "Sample",
    "Timeline",
    "WorkerRate",
    "build_report",
    "format_summary",
    "write_json_atomic",
    "write_text_atomic",
]


def write_json_atomic(path: Path | str, obj: Any) -> None:
    """Write ``obj`` as indented JSON to ``path`` atomically (temporary file, fsync, rename).

    A reader never sees a half-written file, and a crash leaves the old file in place."""
    write_text_atomic(path, json.dumps(obj, indent=1, ensure_ascii=False) + "\n")


def write_text_atomic(path: Path | str, text: str) -> None:
    """Write ``text`` (UTF-8) to ``path`` atomically: :func:`write_json_atomic`'s mechanism."""
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{p.name}.", suffix=".tmp", dir=p.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes it private; a report is not
        os.replace(tmp, p)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


@dataclass(frozen=True, slots=True)
class Divergence:
    """A finding new to the corpus, as the report lists it."""

    signature: str
    verdict: str
    repro: str
    cases: int
    seed: str | None
    mutations: tuple[str, ...]
    #: Cross-release campaigns: the release (or ``"<old>-><new>"`` pair) that showed it, and
    #: the command that replays it.
    release: str | None = None
    command: str | None = None

    def to_json(self) -> dict[str, Any]:
        """The report's layout (``class`` is the verdict class; ``release`` and ``command``
        only in cross-release campaigns)."""
        out = {"signature": self.signature, "class": self.verdict, "repro": self.repro,
               "cases": self.cases, "seed": self.seed, "mutations": list(self.mutations)}
        if self.release is not None:
            out.update(release=self.release, command=self.command)
        return out

    @classmethod
    def from_json(cls, obj: Mapping[str, Any]) -> Divergence:
        """Inverse of :meth:`to_json`."""
        return cls(str(obj["signature"]), str(obj["class"]), str(obj["repro"]),
                   int(obj.get("cases", 1)), obj.get("seed"), tuple(obj.get("mutations") or ()),
                   obj.get("release"), obj.get("command"))


@dataclass(frozen=True, slots=True)
class LaneSummary:
    """One release (or release pair) of a cross-release campaign.

    For a release: ``reference`` says whether the reference was checked against it (it
    reproduces the release) or only its Go took part in the Go-vs-Go comparison; ``go`` is
    Go's verdicts, ``verdicts`` the reference comparison's.  For a pair ``"<old>-><new>"``
    (``reference`` None): ``verdicts`` are ``agree``, ``release-change`` and
    ``release-flaky`` (a change that did not repeat: Go's nondeterminism), per case the two
    releases took part in.
    """

    name: str
    reference: bool | None
    cases: int
    go: Mapping[str, int]
    verdicts: Mapping[str, int]
    new: tuple[str, ...]
    known_signatures: Mapping[str, int]

    @property
    def is_pair(self) -> bool:
        """Whether this is a release pair."""
        return "->" in self.name

    def to_json(self) -> dict[str, Any]:
        """JSON layout (the name is the key it is stored under)."""
        out: dict[str, Any] = {"cases": self.cases}
        if not self.is_pair:
            out["reference"] = self.reference
            out["go"] = dict(self.go)
        out.update({"verdicts": dict(self.verdicts), "new": list(self.new),
                    "known_signatures": dict(self.known_signatures)})
        return out

    @classmethod
    def from_json(cls, name: str, obj: Mapping[str, Any]) -> LaneSummary:
        """Inverse of :meth:`to_json`."""
        return cls(name, obj.get("reference"), int(obj.get("cases", 0)), dict(obj.get("go") or {}),
                   dict(obj.get("verdicts") or {}), tuple(obj.get("new") or ()),
                   dict(obj.get("known_signatures") or {}))

    @classmethod
    def of(cls, name: str, stats: CaseStats) -> LaneSummary:
        """The summary of one lane's counters."""
        from oracle.parser.releases import reproduced

        pair = "->" in name
        return cls(name, None if pair else reproduced(name) is not None, stats.cases,
                   dict(sorted(stats.go.items())), dict(sorted(stats.verdicts.items())),
                   tuple(stats.new_signatures), dict(sorted(stats.known_signatures.items())))


@dataclass(frozen=True, slots=True)
class GeneratorInfo:
    """The Hypothesis-model engine's generator settings."""

    max_events: int
    max_generations: int
    versions: tuple[int, ...] | None
    mutants_per_valid: int

    def to_json(self) -> dict[str, Any]:
        """JSON layout."""
        return {"max_events": self.max_events, "max_generations": self.max_generations,
                "versions": list(self.versions) if self.versions else None,
                "mutants_per_valid": self.mutants_per_valid}

    @classmethod
    def from_json(cls, obj: Mapping[str, Any]) -> GeneratorInfo:
        """Inverse of :meth:`to_json`."""
        vs = obj.get("versions")
        return cls(int(obj["max_events"]), int(obj["max_generations"]),
                   tuple(vs) if vs else None, int(obj["mutants_per_valid"]))


@dataclass(frozen=True, slots=True)
class WorkerRate:
    """One atheris worker's own throughput (without the campaign's start-up)."""

    cases: int
    seconds: float

    @property
    def exec_per_second(self) -> float:
        """Cases per second of this worker."""
        return self.cases / self.seconds if self.seconds else 0.0


@dataclass(frozen=True, slots=True)
class Sample:
    """The campaign's cumulative counters at one moment, for plots over time."""

    seconds: float
    cases: int
    verdicts: Mapping[str, int]
    new: int  # new findings so far

    def to_json(self) -> dict[str, Any]:
        """JSON layout."""
        return {"t": round(self.seconds, 2), "cases": self.cases,
                "verdicts": dict(self.verdicts), "new": self.new}

    @classmethod
    def from_json(cls, obj: Mapping[str, Any]) -> Sample:
        """Inverse of :meth:`to_json`."""
        return cls(float(obj["t"]), int(obj["cases"]), dict(obj.get("verdicts") or {}),
                   int(obj.get("new", 0)))


class Timeline:
    """Samples of a running campaign, taken by the engine's parent loop: at most one per
    ``interval`` seconds, and never more than ``max_samples`` (past that, every other sample
    is dropped and the interval doubles, so a week-long run stays a small report)."""

    def __init__(self, interval: float = 1.0, max_samples: int = 600) -> None:
        self.interval = interval
        self.max_samples = max_samples
        self._samples: list[Sample] = []

    def add(self, seconds: float, stats: CaseStats, new: int, *, force: bool = False) -> None:
        """Record the counters at ``seconds`` since the start, if it is time to."""
        if not force and self._samples and seconds - self._samples[-1].seconds < self.interval:
            return
        self._samples.append(Sample(seconds, stats.cases, dict(stats.verdicts), new))
        if len(self._samples) > self.max_samples:
            self._samples = self._samples[::2]
            self.interval *= 2

    def samples(self) -> tuple[Sample, ...]:
        """The samples so far, oldest first."""
        return tuple(self._samples)


@dataclass(frozen=True, slots=True)
class CampaignReport:
    """What a campaign found and how fast, for either engine."""

    engine: str
    cases: int
    seconds: float
    divergences: tuple[Divergence, ...]
    known_signatures: Mapping[str, int]
    verdicts: Mapping[str, int]
    go: Mapping[str, int]
    python: Mapping[str, int]
    toolchain: str
    seed: str
    jobs: int
    time_limit: float | None
    max_examples: int | None
    minimize: bool
    interrupted: str | None
    started: str
    fast_path_cases: int
    minimize_errors: int
    cpu_seconds: Mapping[str, float]
    worker_errors: tuple[str, ...]
    # The AllocFree heap oracle (oracle.heap.campaign), run on every case by both engines:
    # cases by its verdict class, cases by violated rule, the first unexpected cases.
    heap: Mapping[str, int] = field(default_factory=dict)
    heap_rules: Mapping[str, int] = field(default_factory=dict)
    heap_samples: tuple[str, ...] = ()
    strings_checked_cases: int = 0  # cases whose Event.String() texts were compared too
    # The Hypothesis-model engine's own fields.
    generator: GeneratorInfo | None = None
    startup_seconds: float | None = None
    generator_errors: int = 0
    generator_error_sample: str | None = None
    # The atheris engine's own fields.
    instrument: bool | None = None
    seeds: int | None = None
    mutator: Mapping[str, int] | None = None
    workers: Mapping[int, WorkerRate] = field(default_factory=dict)
    # Both engines: cases by applied mutation name, and the counters over time.
    mutations: Mapping[str, int] = field(default_factory=dict)
    timeline: tuple[Sample, ...] = ()
    #: Cross-release campaigns: each release's and each compared pair's counters, releases
    #: oldest first, then the pairs (empty for a single release).
    lanes: tuple[LaneSummary, ...] = ()

    @property
    def findings_by_class(self) -> dict[str, int]:
        """New findings per verdict class."""
        out: dict[str, int] = {}
        for d in self.divergences:
            out[d.verdict] = out.get(d.verdict, 0) + 1
        return out

    @property
    def cases_per_second(self) -> float:
        """Cases over the campaign's wall clock (start-up included)."""
        return round(self.cases / self.seconds, 1) if self.seconds > 0 else 0.0

    @property
    def exec_per_second(self) -> float:
        """The atheris workers' own rates, summed (0 for the other engine)."""
        return round(sum(w.exec_per_second for w in self.workers.values()), 1)

    @property
    def known(self) -> int:
        """Distinct known signatures seen again."""
        return len(self.known_signatures)

    @property
    def known_cases(self) -> int:
        """Cases whose divergence the corpus already knew."""
        return sum(self.known_signatures.values())

    @property
    def found_something(self) -> bool:
        """A new divergence, or a worker that failed: the campaign's exit status is 1."""
        return bool(self.divergences or self.worker_errors)

    def to_json(self) -> dict[str, Any]:
        """The JSON layout of ``--report`` (stable keys, most used first)."""
        out: dict[str, Any] = {
            "cases": self.cases,
            "seconds": round(self.seconds, 3),
            "cases_per_second": self.cases_per_second,
        }
        if self.engine == "atheris":
            out["exec_per_second"] = self.exec_per_second
        out.update({
            "divergences": [d.to_json() for d in self.divergences],
            "known": self.known,
            "known_cases": self.known_cases,
            "known_signatures": dict(self.known_signatures),
            "verdicts": dict(self.verdicts),
            "go": dict(self.go),
            "python": dict(self.python),
            "heap": dict(self.heap),
            "heap_rules": dict(self.heap_rules),
            "heap_samples": list(self.heap_samples),
            "engine": self.engine,
            "toolchain": self.toolchain,
            "seed": self.seed,
            "jobs": self.jobs,
            "limit": {"time": self.time_limit, "max_examples": self.max_examples},
        })
        if self.generator is not None:
            out["generator"] = self.generator.to_json()
        if self.engine == "atheris":
            out.update({"instrument": self.instrument, "seeds": self.seeds,
                        "mutator": dict(self.mutator or {})})
        out.update({
            "minimize": self.minimize,
            "interrupted": self.interrupted,
            "started": self.started,
        })
        if self.engine != "atheris":
            out["startup_seconds"] = self.startup_seconds
        out.update({
            "fast_path_cases": self.fast_path_cases,
            "strings_checked_cases": self.strings_checked_cases,
            "minimize_errors": self.minimize_errors,
            "cpu_seconds": dict(self.cpu_seconds),
        })
        if self.engine != "atheris":
            out["generator_errors"] = self.generator_errors
            out["generator_error_sample"] = self.generator_error_sample
        out["worker_errors"] = list(self.worker_errors)
        if self.engine == "atheris":
            out["workers"] = {
                str(j): {"cases": w.cases, "seconds": round(w.seconds, 3),
                         "exec_per_second": round(w.exec_per_second, 1)}
                for j, w in sorted(self.workers.items())}
        out["mutations"] = dict(self.mutations)
        if self.lanes:
            out["findings_by_class"] = self.findings_by_class
            out["releases"] = {x.name: x.to_json() for x in self.lanes if not x.is_pair}
            out["release_pairs"] = {x.name: x.to_json() for x in self.lanes if x.is_pair}
        out["timeline"] = [s.to_json() for s in self.timeline]
        return out

    @classmethod
    def from_json(cls, obj: Mapping[str, Any]) -> CampaignReport:
        """Inverse of :meth:`to_json` (derived figures are recomputed, not read)."""
        limit = obj.get("limit") or {}
        gen = obj.get("generator")
        return cls(
            engine=str(obj.get("engine", "hypothesis")), cases=int(obj["cases"]),
            seconds=float(obj["seconds"]),
            divergences=tuple(Divergence.from_json(d) for d in obj.get("divergences") or ()),
            known_signatures=dict(obj.get("known_signatures") or {}),
            verdicts=dict(obj.get("verdicts") or {}), go=dict(obj.get("go") or {}),
            python=dict(obj.get("python") or {}), toolchain=str(obj.get("toolchain", "")),
            seed=str(obj.get("seed", "")), jobs=int(obj.get("jobs", 1)),
            time_limit=limit.get("time"), max_examples=limit.get("max_examples"),
            minimize=bool(obj.get("minimize", True)), interrupted=obj.get("interrupted"),
            started=str(obj.get("started", "")),
            fast_path_cases=int(obj.get("fast_path_cases", 0)),
            strings_checked_cases=int(obj.get("strings_checked_cases", 0)),
            minimize_errors=int(obj.get("minimize_errors", 0)),
            cpu_seconds=dict(obj.get("cpu_seconds") or {}),
            worker_errors=tuple(obj.get("worker_errors") or ()),
            heap=dict(obj.get("heap") or {}), heap_rules=dict(obj.get("heap_rules") or {}),
            heap_samples=tuple(obj.get("heap_samples") or ()),
            generator=GeneratorInfo.from_json(gen) if gen else None,
            startup_seconds=obj.get("startup_seconds"),
            generator_errors=int(obj.get("generator_errors", 0)),
            generator_error_sample=obj.get("generator_error_sample"),
            instrument=obj.get("instrument"), seeds=obj.get("seeds"), mutator=obj.get("mutator"),
            workers={int(j): WorkerRate(int(w["cases"]), float(w["seconds"]))
                     for j, w in (obj.get("workers") or {}).items()},
            mutations=dict(obj.get("mutations") or {}),
            timeline=tuple(Sample.from_json(s) for s in obj.get("timeline") or ()),
            lanes=tuple(LaneSummary.from_json(k, v)
                        for key in ("releases", "release_pairs")
                        for k, v in (obj.get(key) or {}).items()),
        )


def build_report(stats: CaseStats, new: Mapping[str, NewFinding], *, engine: str, seconds: float,
                 started: datetime, toolchain: str, seed: str, jobs: int,
                 time_limit: float | None, max_examples: int | None, minimize: bool,
                 signals: Sequence[int], worker_errors: Sequence[str],
                 timeline: Timeline | None = None, **engine_fields: Any) -> CampaignReport:
    """The report of a finished campaign: summed statistics, the findings new to the corpus
    (by signature, in the order found), and the engine's own fields (``generator``,
    ``startup_seconds``, ``generator_errors``... or ``instrument``, ``seeds``, ``mutator``,
    ``workers``)."""
    known = {s: n for s, n in sorted(stats.known_signatures.items()) if s not in new}
    divergences = tuple(
        Divergence(sig, f.verdict, f.repro, stats.signatures.get(sig, 1), f.seed,
                   tuple(f.mutations), f.release, f.command)
        for sig, f in new.items())
    lanes = sorted(stats.lanes.items(), key=lambda kv: ("->" in kv[0], _release_key(kv[0])))
    return CampaignReport(
        engine=engine, cases=stats.cases, seconds=seconds, divergences=divergences,
        known_signatures=known, verdicts=dict(sorted(stats.verdicts.items())),
        go=dict(sorted(stats.go.items())), python=dict(sorted(stats.python.items())),
        toolchain=toolchain, seed=seed, jobs=jobs, time_limit=time_limit,
        max_examples=max_examples, minimize=minimize,
        interrupted=signal.Signals(signals[0]).name if signals else None,
        started=started.isoformat(timespec="seconds"), fast_path_cases=stats.fast_path,
        strings_checked_cases=stats.strings_checked,
        minimize_errors=stats.minimize_errors,
        cpu_seconds={"python": round(stats.seconds_python, 3), "go": round(stats.seconds_go, 3),
                     "minimize": round(stats.seconds_minimize, 3),
                     "heap": round(stats.seconds_heap, 3)},
        worker_errors=tuple(worker_errors), heap=dict(sorted(stats.heap.items())),
        heap_rules=dict(sorted(stats.heap_rules.items())), heap_samples=tuple(stats.heap_samples),
        mutations=dict(stats.mutations.most_common()),
        timeline=_closed(timeline, seconds, stats, len(divergences)),
        lanes=tuple(LaneSummary.of(name, lane) for name, lane in lanes), **engine_fields,
    )


def _release_key(name: str) -> tuple[int, ...]:
    """Sort key of a release (``1.24.11``) or pair (``1.24.11->1.25.5``): version order."""
    return tuple(int(p) for part in name.split("->") for p in part.split(".") if p.isdigit())


def _closed(timeline: Timeline | None, seconds: float, stats: CaseStats,
            new: int) -> tuple[Sample, ...]:
    """The timeline with a last sample of the final counters."""
    if timeline is None:
        return ()
    timeline.add(seconds, stats, new, force=True)
    return timeline.samples()


def _counts(counter: Mapping[str, int]) -> str:
    return ", ".join(f"{k} {n:,}" for k, n in counter.items()) or "-"


def _lane_lines(report: CampaignReport) -> list[str]:
    """The cross-release part of the summary: each release, each pair, findings per class."""
    if not report.lanes:
        return []
    lines = ["  releases:"]
    for x in report.lanes:
        if x.is_pair:
            continue
        if x.reference:
            what = f"reference vs Go: {_counts(x.verdicts)}"
        else:
            what = "Go-vs-Go only (the reference does not reproduce this release)"
        lines.append(f"    go{x.name}: {what}; go: {_counts(x.go)}; "
                     f"new {len(x.new)}, known {len(x.known_signatures)}")
    lines.append("  release pairs (Go vs Go):")
    for x in report.lanes:
        if x.is_pair:
            lines.append(f"    {x.name}: {_counts(x.verdicts)} ({x.cases:,} cases both read); "
                         f"new {len(x.new)}, known {len(x.known_signatures)}")
    lines.append(f"  new findings by class: {_counts(report.findings_by_class)}")
    return lines


def format_summary(report: CampaignReport) -> str:
    """A human-readable summary of a report (what ``fuzz`` prints at the end)."""
    lines = [
        f"fuzz: {report.cases:,} cases in {report.seconds:.1f} s "
        f"({report.cases_per_second:,.0f}/s); engine {report.engine}, "
        f"{report.jobs} jobs, go {report.toolchain}, seed {report.seed}"
        + (f"; interrupted by {report.interrupted}" if report.interrupted else ""),
    ]
    if report.go:
        lines.append("  go: " + ", ".join(f"{n:,} {k}" for k, n in report.go.items()))
    if report.verdicts:
        lines.append("  verdicts: " + ", ".join(f"{k} {n:,}" for k, n in report.verdicts.items()))
    if report.heap:
        lines.append("  heap oracle: " + ", ".join(f"{k} {n:,}" for k, n in sorted(report.heap.items())))
        for sample in report.heap_samples:
            lines.append(f"    {sample}")
    lines += _lane_lines(report)
    lines.append(f"  new divergences: {len(report.divergences)}")
    for d in report.divergences:
        tag = f" go{d.release}" if d.release is not None else ""
        lines.append(f"    [{d.verdict}{tag}] {d.signature}  ({d.cases} cases)")
        lines.append(f"      repro: {d.repro}")
        if d.command is not None:
            lines.append(f"      replay: {d.command}")
    lines.append(f"  known signatures seen again: {report.known} ({report.known_cases:,} cases)")
    for sig, n in report.known_signatures.items():
        lines.append(f"    {sig}  x{n}")
    if report.minimize_errors:
        lines.append(f"  minimizer errors: {report.minimize_errors} (findings kept unminimized)")
    if report.generator_errors:
        lines.append(f"  generator errors: {report.generator_errors} (first below)")
        lines.append("    " + str(report.generator_error_sample or "").strip().replace("\n", "\n    "))
    for e in report.worker_errors:
        lines.append("  worker error: " + str(e).strip().replace("\n", "\n    "))
    return "\n".join(lines)
