"""Hypothesis strategies that build Go execution traces (see issue: strategies)."""

from __future__ import annotations

__all__: list[str] = []
