"""Presenting a heap replay: a text summary, the ``--json`` document and the ``--plot`` figure.

The JSON document is ``{"violations": {rule: count}, "causes": ..., "examples": [...],
"summary": {...}}`` and lists every rule of :data:`oracle.heap.rules.RULES`, those at zero
included, so two runs diff cleanly.  matplotlib is an optional extra (``pip install
gotrace-oracle[plot]``); :func:`plot` raises :class:`PlotUnavailable` without it.
"""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import Any

from oracle.heap.replay import HeapResult, KindStats, Violation
from oracle.heap.rules import CAUSES, RULE_NAMES

__all__ = ["PlotUnavailable", "format_summary", "plot", "to_json"]


class PlotUnavailable(Exception):
    """matplotlib is not installed (the ``plot`` extra)."""


def _bytes(n: int) -> str:
    for unit in ("B", "KiB", "MiB", "GiB"):
        if abs(n) < 1024 or unit == "GiB":
            return f"{n} B" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024  # type: ignore[assignment]
    raise AssertionError("unreachable")


def _kind_line(name: str, k: KindStats) -> str:
    return (
        f"  {name:<8} snapshot {k.snapshot:>7}  allocated {k.allocated:>8} ({_bytes(k.allocated_bytes)})"
        f"  freed {k.freed:>8} ({_bytes(k.freed_bytes)})  live at end {k.live:>7} ({_bytes(k.live_bytes)})"
    )


def _example(v: Violation) -> str:
    addrs = " ".join(f"{a:#x}" for a in v.addresses)
    parts = [
        f"    #{v.index} t={v.time} M={v.m} G={v.g} {v.event} ids={list(v.ids)}",
        f"addr={addrs}" if addrs else "",
        f"type={v.type_name}" if v.type_name else "",
        f"cause={v.cause}" if v.cause else "",
        v.detail,
    ]
    return " ".join(p for p in parts if p)


def format_summary(name: str, r: HeapResult, top: int = 10) -> str:
    """The human summary printed by ``gotrace-oracle heap``."""
    lines = [f"{name}: {r.events} events, {r.allocfree_events} AllocFree events, {r.generations} generations"]
    if r.info is not None:
        i = r.info
        lines.append(
            f"  info: minPageHeapAddr={i.min_page_heap_addr:#x} pageSize={i.page_size} "
            f"minHeapAlign={i.min_heap_align} fixedStack={i.fixed_stack}"
        )
    lines += [_kind_line("spans", r.spans), _kind_line("objects", r.objects), _kind_line("stacks", r.stacks)]
    if r.top_live_types:
        lines.append(f"  top types by live bytes:")
        lines += [f"    {b:>12}  {c:>7} objs  {n}" for n, c, b in r.top_live_types[:top]]
    if r.top_alloc_types:
        lines.append(f"  top types by allocations:")
        lines += [f"    {c:>8} allocs {b:>12} B  {n}" for n, c, b in r.top_alloc_types[:top]]
    total = r.total_violations
    lines.append(f"  violations: {total}")
    for rule in RULE_NAMES:
        n = r.violations.get(rule, 0)
        if not n:
            continue
        causes = r.causes.get(rule, {})
        why = ", ".join(f"{c}: {k}" for c, k in sorted(causes.items()))
        lines.append(f"  {rule}: {n}" + (f"  (causes: {why})" if why else ""))
        lines += [_example(v) for v in r.examples if v.rule == rule]
    return "\n".join(lines)


def to_json(r: HeapResult) -> dict[str, Any]:
    """The ``--json`` document."""
    return {
        "violations": {rule: r.violations.get(rule, 0) for rule in RULE_NAMES},
        "causes": r.causes,
        "cause_docs": {c: CAUSES[c] for c in sorted({c for cs in r.causes.values() for c in cs} & CAUSES.keys())},
        "examples": [asdict(v) for v in r.examples],
        "summary": {
            "events": r.events,
            "allocfree_events": r.allocfree_events,
            "generations": r.generations,
            "info": asdict(r.info) if r.info is not None else None,
            "spans": asdict(r.spans),
            "objects": asdict(r.objects),
            "stacks": asdict(r.stacks),
            "top_live_types": [{"type": n, "objects": c, "bytes": b} for n, c, b in r.top_live_types],
            "top_alloc_types": [{"type": n, "allocations": c, "bytes": b} for n, c, b in r.top_alloc_types],
            "live_bytes_by_size_class": {str(k): v for k, v in r.live_by_size_class.items()},
        },
    }


def plot(r: HeapResult, out: Path, title: str = "") -> None:
    """Live heap bytes over time (events vs the runtime's HeapAlloc), and live bytes by type."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        raise PlotUnavailable("--plot needs matplotlib: pip install 'gotrace-oracle[plot]'") from None
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(13, 5), gridspec_kw={"width_ratios": [3, 2]})
    t0 = min([t for t, _ in r.timeline[:1]] + [t for t, _ in r.heap_alloc_metric[:1]] or [0])
    if r.timeline:
        ax1.step([(t - t0) / 1e6 for t, _ in r.timeline], [b / 2**20 for _, b in r.timeline],
                 where="post", label="live objects (AllocFree events, slot bytes)")  # fmt: skip
    if r.heap_alloc_metric:
        ax1.step([(t - t0) / 1e6 for t, _ in r.heap_alloc_metric],
                 [b / 2**20 for _, b in r.heap_alloc_metric], where="post",
                 label="HeapAlloc metric (runtime)", linestyle="--")  # fmt: skip
    ax1.set_xlabel("time since first sample (ms)")
    ax1.set_ylabel("MiB")
    ax1.set_title("Live heap over time")
    ax1.legend(loc="upper left")
    ax1.grid(alpha=0.3)
    types = list(r.top_live_types[:10])[::-1]
    ax2.barh([n[:40] for n, _, _ in types], [b / 1024 for _, _, b in types])
    ax2.set_xlabel("KiB live at end")
    ax2.set_title("Top types by live bytes at end")
    fig.suptitle(title or "AllocFree heap")
    fig.tight_layout()
    fig.savefig(out)
    plt.close(fig)
