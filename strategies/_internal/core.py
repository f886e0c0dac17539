"""The public strategies: argument validation, then an inner ``@st.composite``.

Mirrors the shape of Hypothesis' own strategies (``hypothesis/strategies/_internal/core.py``):
each public function checks its arguments eagerly, raising ``InvalidArgument`` at call time
rather than at draw time, and returns an inner composite that draws through a
:class:`~strategies._internal.choices.DrawChooser`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace

from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from oracle.parser.version import V2_VERSIONS, Version

from strategies._internal.builder import Trace
from strategies._internal.choices import Chooser, DrawChooser
from strategies._internal.model import FEATURES, ModelParams, build_trace
from strategies._internal.mutations import MUTATIONS, mutate

__all__ = ["mutated_traces", "trace_params", "traces"]

#: Largest counts the public strategies accept (the model is meant for small worlds).
_LIMITS = {"max_ms": 64, "max_ps": 64, "max_gs": 512, "max_generations": 32, "max_events": 5000}


def _check_int(name: str, value: object, lo: int, hi: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidArgument(f"{name}={value!r} must be an int")
    if not lo <= value <= hi:
        raise InvalidArgument(f"{name}={value!r} must be between {lo} and {hi}")
    return value


def _check_versions(versions: Version | int | Iterable[Version | int] | None) -> tuple[Version, ...]:
    if versions is None:
        return tuple(V2_VERSIONS)
    vs: list[object] = [versions] if isinstance(versions, int) else list(versions)
    if not vs:
        raise InvalidArgument("versions must not be empty")
    out = []
    for v in vs:
        if isinstance(v, bool) or not isinstance(v, int) or v not in {int(x) for x in V2_VERSIONS}:
            raise InvalidArgument(
                f"version {v!r} is not a v2 trace version (one of {[int(x) for x in V2_VERSIONS]})"
            )
        out.append(Version(v))
    return tuple(dict.fromkeys(out))


def _check_features(features: Iterable[str] | None) -> frozenset[str] | None:
    if features is None:
        return None
    if isinstance(features, str):
        raise InvalidArgument("features must be a collection of feature names, not a string")
    fs = frozenset(features)
    unknown = fs - set(FEATURES)
    if unknown:
        raise InvalidArgument(f"unknown features {sorted(unknown)}; known: {list(FEATURES)}")
    return fs


def trace_params(
    *,
    versions: Version | int | Iterable[Version | int] | None = None,
    max_ms: int = 3,
    max_ps: int = 3,
    max_gs: int = 6,
    max_generations: int = 3,
    max_events: int = 120,
    min_generations: int = 1,
    allocfree: bool | None = None,
    features: Iterable[str] | None = None,
) -> tuple[tuple[Version, ...], ModelParams]:
    """Validate the arguments shared by :func:`traces` and :func:`mutated_traces`.

    Returns the candidate versions and a template :class:`ModelParams` (its version is the
    first candidate; the strategies draw one per example).  Raises ``InvalidArgument``.
    """
    vs = _check_versions(versions)
    for name, value in (("max_ms", max_ms), ("max_ps", max_ps), ("max_gs", max_gs),
                        ("max_generations", max_generations)):
        _check_int(name, value, 1, _LIMITS[name])
    _check_int("max_events", max_events, 0, _LIMITS["max_events"])
    _check_int("min_generations", min_generations, 1, max_generations)
    if allocfree is not None and not isinstance(allocfree, bool):
        raise InvalidArgument(f"allocfree={allocfree!r} must be None, True or False")
    if allocfree and all(v < Version.Go123 for v in vs):
        raise InvalidArgument("allocfree=True needs a version of Go 1.23 or later")
    fs = _check_features(features)
    return vs, ModelParams(
        version=vs[0], max_ms=max_ms, max_ps=max_ps, max_gs=max_gs,
        max_generations=max_generations, max_events=max_events, allocfree=allocfree,
        features=fs, min_generations=min_generations,
    )


def draw_valid(ch: Chooser, versions: Sequence[Version], template: ModelParams) -> Trace:
    """One valid trace from ``ch`` (used by the strategies, ``generate`` and the benchmark)."""
    v = versions[ch.int(0, len(versions) - 1)]
    allocfree = template.allocfree if v >= Version.Go123 else False
    return build_trace(ch, replace(template, version=v, allocfree=allocfree))


def traces(
    *,
    versions: Version | int | Iterable[Version | int] | None = None,
    max_ms: int = 3,
    max_ps: int = 3,
    max_gs: int = 6,
    max_generations: int = 3,
    max_events: int = 120,
    min_generations: int = 1,
    allocfree: bool | None = None,
    features: Iterable[str] | None = None,
) -> st.SearchStrategy[Trace]:
    """Valid Go execution traces, as :class:`Trace` models that Go's parser accepts.

    ``versions`` restricts the header versions (default: every v2 version, 22/23/25/26);
    ``max_ms``/``max_ps``/``max_gs`` bound the threads, procs and goroutines of the
    simulated world (more may appear: new Ps after GOMAXPROCS changes, goroutines created
    while running), ``max_generations`` the generations, and ``max_events`` the simulation
    steps per generation (each step writes about one event).  ``allocfree`` forces the
    AllocFree experiment on or off (default: a swarm feature, for versions 1.23+).
    ``features`` limits the swarm features that may be enabled (see
    ``strategies.FEATURES``); each example enables a random subset of them.

    Every example carries ``Expectation.success()``.  Its binary form
    (:meth:`Trace.to_binary`) has exact batch sizes, and sometimes runtime-style padded
    varints; :meth:`Trace.to_text` gives Go's raw text form when the version can express it.

    Examples shrink towards one generation, one M, one P, few events, minimal varints and the
    first option of every choice, which reads well in text form.
    """
    vs, template = trace_params(
        versions=versions, max_ms=max_ms, max_ps=max_ps, max_gs=max_gs,
        max_generations=max_generations, max_events=max_events,
        min_generations=min_generations, allocfree=allocfree, features=features,
    )

    @st.composite
    def valid_trace(draw: st.DrawFn) -> Trace:
        return draw_valid(DrawChooser(draw), vs, template)

    return valid_trace()


def mutated_traces(
    *,
    versions: Version | int | Iterable[Version | int] | None = None,
    mutations: Iterable[str] | None = None,
    max_mutations: int = 3,
    max_ms: int = 3,
    max_ps: int = 3,
    max_gs: int = 6,
    max_generations: int = 3,
    max_events: int = 60,
    allocfree: bool | None = None,
    features: Iterable[str] | None = None,
) -> st.SearchStrategy[Trace]:
    """Valid traces (as from :func:`traces`) with 1 to ``max_mutations`` named mutations.

    ``mutations`` restricts the operators to names of ``strategies.MUTATIONS`` (default:
    all).  Each example uses a swarm-chosen subset of them, records the names it applied in
    ``Trace.mutations``, and carries ``Expectation.failure`` when a single mutation is known
    to break the trace, ``Expectation.unknown`` otherwise.

    Examples shrink towards a small valid trace with a single mutation, the first enabled one
    in registry order.
    """
    if mutations is not None:
        if isinstance(mutations, str):
            raise InvalidArgument("mutations must be a collection of names, not a string")
        names = tuple(dict.fromkeys(mutations))
        if not names:
            raise InvalidArgument("mutations must not be empty")
        unknown = [n for n in names if n not in MUTATIONS]
        if unknown:
            raise InvalidArgument(f"unknown mutations {unknown}; known: {list(MUTATIONS)}")
    else:
        names = tuple(MUTATIONS)
    _check_int("max_mutations", max_mutations, 1, 16)
    vs, template = trace_params(
        versions=versions, max_ms=max_ms, max_ps=max_ps, max_gs=max_gs,
        max_generations=max_generations, max_events=max_events, allocfree=allocfree,
        features=features,
    )

    @st.composite
    def mutated_trace(draw: st.DrawFn) -> Trace:
        ch = DrawChooser(draw)
        base = draw_valid(ch, vs, template)
        return mutate(ch, base, names, max_mutations)

    return mutated_trace()
