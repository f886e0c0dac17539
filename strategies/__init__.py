"""Hypothesis strategies that build Go execution traces (valid and mutated).

Public names are re-exported from ``strategies._internal``; see ``_internal/model.py`` for the
G/P/M simulation, ``_internal/builder.py`` for the trace model and its wire forms, and
``_internal/mutations.py`` for the mutation registry.

PYTEST_DONT_REWRITE: pytest rewrites the asserts of every module of a distribution that ships a
``pytest11`` plugin (ours does); rewriting would add ``@py_*`` names to this namespace, whose
public names are checked below.
"""

from __future__ import annotations

from strategies._internal.builder import (
    END_OF_GENERATION,
    Batch,
    EndOfGeneration,
    Ev,
    Expectation,
    Outcome,
    Trace,
)
from strategies._internal.bytemutations import BYTE_OPERATORS, mutate_bytes
from strategies._internal.choices import Chooser, DrawChooser, RandomChooser
from strategies._internal.core import draw_valid, mutated_traces, trace_params, traces
from strategies._internal.featureflags import FeatureFlags
from strategies._internal.model import FEATURES, FREQUENCY, ModelParams
from strategies._internal.mutations import (
    BYTE_MUTATIONS,
    EXPECTED_FAILURES,
    HEAP_MUTATION_RULES,
    HEAP_MUTATIONS,
    MUTATIONS,
    RAW_MUTATIONS,
    mutate,
    mutate_raw,
)

__all__ = [
    "BYTE_MUTATIONS",
    "BYTE_OPERATORS",
    "END_OF_GENERATION",
    "EXPECTED_FAILURES",
    "FEATURES",
    "FREQUENCY",
    "HEAP_MUTATIONS",
    "HEAP_MUTATION_RULES",
    "MUTATIONS",
    "RAW_MUTATIONS",
    "Batch",
    "Chooser",
    "DrawChooser",
    "EndOfGeneration",
    "Ev",
    "Expectation",
    "FeatureFlags",
    "ModelParams",
    "Outcome",
    "RandomChooser",
    "Trace",
    "draw_valid",
    "mutate",
    "mutate_bytes",
    "mutate_raw",
    "mutated_traces",
    "trace_params",
    "traces",
]

_public = {n for n in dir() if not n.startswith("_")} - {"annotations"}
assert set(__all__) == _public, sorted(set(__all__) ^ _public)
del _public
