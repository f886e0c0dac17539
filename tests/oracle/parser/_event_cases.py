"""Hand-built events shared by test_event.py and test_canonical.py, and their Go ground truth.

Each case is a plain dict that both sides can build the *same* event from: Python through
:func:`build_event`, Go through ``tools/eventw`` (a hook that builds a ``trace.Event`` from raw
parts inside a GOROOT copy).  ``tools/gen_event_expectations.py`` runs every case through Go 1.27
and stores ``Event.String()`` (or its panic), the Go helper's canonical record and the result of
``validateTableIDs`` in ``data/event_cases.go.jsonl``; the tests compare against that file.

Case keys (Go-style names, matching the hook's input): ``NoTable``, ``Strings`` (id -> hex of
the bytes), ``Stacks`` (id -> PCs), ``PCs`` ([pc, funcID, fileID, line]), ``ExtraStrings``
(hex), ``Freq`` (ns per tick), ``Clock`` ([snapTime, mono, sec, nsec] as uint64, or None),
``ExpBatches`` (experiment ID -> [[thread, hex]]), ``G``/``P``/``M``, ``Typ``, ``Time``,
``Args`` (4 uint64).  ``name`` labels the case for test IDs.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from oracle.parser.base import BaseEvent, EvTable, Frame, SchedCtx, StackRecord, as_int64
from oracle.parser.event import EV_SYNC, Event
from oracle.parser.tracev2 import EventType as T

DATA = Path(__file__).resolve().parent / "data" / "event_cases.go.jsonl"
U64 = (1 << 64) - 1


def _h(s: str | bytes) -> str:
    return (s.encode("utf-8") if isinstance(s, str) else s).hex()


#: The generation table most cases share.
TABLE: dict[str, Any] = {
    "Strings": {
        1: _h("select"),
        2: _h("main.main"),
        3: _h("/src/main.go"),
        4: _h('ty"pe\n'),
        5: _h(b"bad\xffutf8\xed\xa0\x80"),
        6: _h("日本\u2028\u00ad\x7f\x00"),
        7: _h("GC (background)"),
        8: _h("runtime.gopark"),
        9: _h("\U0001F44D \u0378 \U0001FBCB"),
    },
    "Stacks": {1: [0x401000, 0x402ABC], 2: [0x403000], 3: [0x404000]},
    # 0x403000 has no frame record (Go yields a zero frame); 0x404000 names a missing string.
    "PCs": [[0x401000, 2, 3, 10], [0x402ABC, 8, 3, 20], [0x404000, 99, 3, 1]],
    "ExtraStrings": [_h("extra type"), _h(b"\xfe")],
    "Freq": 1.0,
    "Clock": None,
    "ExpBatches": None,
}


def case(name: str, typ: int, args: list[int] | None = None, *, g: int = 7, p: int = 2,
         m: int = 1000, time: int = 12345, **table: Any) -> dict[str, Any]:
    """One case: the shared table, overridden by ``table`` keys; args padded to 4."""
    a = list(args or [])
    a += [0] * (4 - len(a))
    spec = dict(TABLE)
    spec.update(table)
    spec.update({"name": name, "G": g, "P": p, "M": m, "Typ": typ, "Time": time, "Args": a})
    return spec


def _cases() -> list[dict[str, Any]]:
    c = case
    out = [
        # Sync.
        c("sync-no-table", EV_SYNC, [1], g=-1, p=-1, m=-1, NoTable=True),
        c("sync-table", EV_SYNC, [2], g=-1, p=-1, m=-1),
        c("sync-clock", EV_SYNC, [3], g=-1, p=-1, m=-1, Freq=15.625,
          Clock=[1000, 987654321, 1700000000, 123456789]),
        c("sync-clock-wrap", EV_SYNC, [4], g=-1, p=-1, m=-1, Freq=1e300,
          Clock=[U64, U64, U64 - 5, 3_000_000_001]),
        c("sync-clock-negative-nsec", EV_SYNC, [5], g=-1, p=-1, m=-1, Freq=0.5,
          Clock=[7, 0, 1 << 62, U64 - 1_500_000_000]),
        c("sync-exp", EV_SYNC, [6], g=-1, p=-1, m=-1,
          ExpBatches={1: [[5, _h(b"\x01\x02")], [6, ""]], 0: [[-1, _h(b"x")]]}),
        c("sync-exp-unknown", EV_SYNC, [7], g=-1, p=-1, m=-1, ExpBatches={9: [[1, ""]]}),
        # Metrics.
        c("procs-change", T.ProcsChange, [8, 1]),
        c("heap-alloc", T.HeapAlloc, [U64]),
        c("heap-goal", T.HeapGoal, [4 << 20]),
        # Labels.
        c("label", T.GoLabel, [5]),
        c("label-missing", T.GoLabel, [77]),
        c("label-no-table", T.GoLabel, [1], NoTable=True),
        # Ranges.
        c("stw-begin", T.STWBegin, [7, 1]),
        c("stw-end", T.STWEnd, [7]),
        c("stw-end-missing-kind", T.STWEnd, [55]),
        c("gc-active", T.GCActive, [3]),
        c("gc-begin", T.GCBegin, [3, 2]),
        c("gc-end", T.GCEnd, [3]),
        c("sweep-active", T.GCSweepActive, [U64], p=-1),
        c("sweep-begin", T.GCSweepBegin, [1]),
        c("sweep-end", T.GCSweepEnd, [100, 50]),
        c("assist-active", T.GCMarkAssistActive, [42]),
        c("assist-begin", T.GCMarkAssistBegin, [0]),
        c("assist-end", T.GCMarkAssistEnd, []),
        # Tasks, regions, logs.
        c("task-begin", T.UserTaskBegin, [5, U64, 4, 1]),
        c("task-begin-bad-utf8", T.UserTaskBegin, [6, 0, 5, 0]),
        c("task-end", T.UserTaskEnd, [5, 1, 3, 1]),
        c("task-end-bad-extra", T.UserTaskEnd, [5, 0, 1, 2]),
        c("task-end-missing-extra", T.UserTaskEnd, [5, 0, 9, 9]),
        c("task-end-no-parent", T.UserTaskEnd, [5, 0, U64, 0]),
        c("region-begin", T.UserRegionBegin, [5, 6, 1]),
        c("region-end", T.UserRegionEnd, [0, 9, 0]),
        c("log", T.UserLog, [5, 4, 6, 2]),
        c("log-missing", T.UserLog, [5, 4, 60, 2]),
        # Proc transitions.
        c("proc-start", T.ProcStart, [3, 1], p=-1),
        c("proc-stop", T.ProcStop, []),
        c("proc-steal", T.ProcSteal, [3, 2, 1001, 1]),
        c("proc-steal-abandoned", T.ProcSteal, [3, 2, 1001, 4]),
        c("proc-steal-abandoned-wide", T.ProcSteal, [3, 2, 1001, 0x104]),
        c("proc-status-running", T.ProcStatus, [3, 1, 2]),
        c("proc-status-idle", T.ProcStatus, [3, 2, 0]),
        c("proc-status-syscall", T.ProcStatus, [3, 3, 3]),
        c("proc-status-abandoned", T.ProcStatus, [3, 4, 1]),
        c("proc-status-bad-old", T.ProcStatus, [3, 2, 300]),
        c("proc-status-257", T.ProcStatus, [3, 257, 0]),
        # Goroutine transitions.
        c("go-create", T.GoCreate, [9, 1, 2]),
        c("go-create-stack0", T.GoCreate, [9, 0, 0]),
        c("go-create-bad-new-stack", T.GoCreate, [9, 44, 0]),
        c("go-create-blocked", T.GoCreateBlocked, [9, 3, 1]),
        c("go-create-syscall", T.GoCreateSyscall, [9], g=-1),
        c("go-start", T.GoStart, [9, 1], g=-1),
        c("go-destroy", T.GoDestroy, []),
        c("go-destroy-syscall", T.GoDestroySyscall, []),
        c("go-stop", T.GoStop, [1, 1]),
        c("go-block", T.GoBlock, [9, 0]),
        c("go-block-missing-reason", T.GoBlock, [66, 1]),
        c("go-unblock", T.GoUnblock, [9, 1, 1]),
        c("go-switch", T.GoSwitch, [9, 1]),
        c("go-switch-destroy", T.GoSwitchDestroy, [9, 1]),
        c("go-syscall-begin", T.GoSyscallBegin, [1, 2]),
        c("go-syscall-end", T.GoSyscallEnd, []),
        c("go-syscall-end-blocked", T.GoSyscallEndBlocked, []),
        c("go-status", T.GoStatus, [9, U64, (2 << 32) | 4]),
        c("go-status-bad", T.GoStatus, [9, 5, (7 << 32) | 0]),
        c("go-status-stack", T.GoStatusStack, [9, 5, (0 << 32) | 2, 1]),
        c("go-status-stack-missing-frame-string", T.GoStatusStack, [9, 5, 3, 3]),
        c("go-status-to-5", T.GoStatus, [9, 5, (1 << 32) | 5]),
        # CPU samples.
        c("cpu-sample", T.CPUSample, [1, 0, 0, 0], g=4, p=1, m=99),
        c("cpu-sample-stack0", T.CPUSample, [0], g=-1, p=-1, m=99),
        c("cpu-sample-bad-stack", T.CPUSample, [42], g=-1, p=-1, m=99),
        c("cpu-sample-zero-frame", T.CPUSample, [2]),
        # Experimental events.
        c("span", T.Span, [0x1000, 4, 17]),
        c("span-alloc", T.SpanAlloc, [0x1000, 4, 17]),
        c("span-free", T.SpanFree, [0x1000]),
        c("heap-object", T.HeapObject, [0x2000, 3]),
        c("heap-object-alloc", T.HeapObjectAlloc, [0x2000, 3]),
        c("heap-object-free", T.HeapObjectFree, [0x2000]),
        c("goroutine-stack", T.GoroutineStack, [0x3000, 2]),
        c("goroutine-stack-alloc", T.GoroutineStackAlloc, [0x3000, 2]),
        c("goroutine-stack-free", T.GoroutineStackFree, [U64]),
        # Kind Bad: structural types, out-of-table types.
        c("none", T.NONE, [1, 2, 3, 4]),
        c("clock-snapshot-type", T.ClockSnapshot, [1, 2, 3]),
        c("string-type", T.String, [1]),
        c("type-200", 200, []),
        c("type-137", 137, []),
        # Stack validation (validateTableIDs): order, strings vs stacks, CPU sample's args[3].
        c("validate-bad-stack-and-string", T.UserLog, [5, 40, 41, 42]),
        c("validate-go-create-second-stack", T.GoCreate, [9, 50, 1]),
        c("validate-cpu-sample-args3", T.CPUSample, [1, 0, 0, 42]),
        c("validate-no-table", T.GoStop, [1, 1], NoTable=True),
        # Context extremes.
        c("ctx-extremes", T.GoDestroy, [], g=-(1 << 63), p=(1 << 63) - 1, m=-1, time=-(1 << 63)),
    ]
    return out


CASES: list[dict[str, Any]] = _cases()


def build_event(spec: dict[str, Any]) -> Event:
    """The Python twin of the Go hook's ``XMakeEvent``."""
    table: EvTable | None = None
    if not spec.get("NoTable"):
        table = EvTable()
        for id_, h in spec["Strings"].items():
            table.strings.insert(int(id_), bytes.fromhex(h).decode("utf-8", "surrogateescape"))
        for id_, pcs in spec["Stacks"].items():
            table.stacks.insert(int(id_), StackRecord(tuple(pcs)))
        for pc, fn, fl, line in spec["PCs"]:
            table.pcs[pc] = Frame(pc, fn, fl, line)
        for h in spec["ExtraStrings"]:
            table.add_extra_string(bytes.fromhex(h).decode("utf-8", "surrogateescape"))
        table.sync.freq = spec["Freq"]
        if spec["Clock"] is not None:
            ts, mono, sec, nsec = spec["Clock"]
            table.sync.has_clock_snapshot = True
            table.sync.snap_time = ts
            table.sync.snap_mono = mono
            table.sync.snap_wall_sec = as_int64(sec)
            table.sync.snap_wall_nsec = as_int64(nsec)
        if spec["ExpBatches"] is not None:
            table.exp_batches = {
                int(k): [(t, bytes.fromhex(d)) for t, d in v] for k, v in spec["ExpBatches"].items()
            }
    ctx = SchedCtx(spec["G"], spec["P"], spec["M"])
    return Event(table, ctx, BaseEvent(spec["Typ"], spec["Time"], list(spec["Args"])))


def go_input_line(spec: dict[str, Any]) -> str:
    """The case as the Go hook reads it (one JSON line)."""
    d = {k: v for k, v in spec.items() if k != "name"}
    return json.dumps(d, separators=(",", ":"))


def load_expected() -> dict[str, tuple[dict[str, Any], str]]:
    """Go's answers by case name: the decoded object and Go's own output line (bytes as text).

    The stored line is ``{"name":<name>,`` followed by the hook's line minus its ``{``; the
    second element gives back the hook's line exactly as Go wrote it.
    """
    out: dict[str, tuple[dict[str, Any], str]] = {}
    with DATA.open(encoding="utf-8", newline="\n") as f:
        for line in f.read().split("\n")[:-1]:
            d = json.loads(line)
            prefix = '{"name":' + json.dumps(d["name"]) + ","
            assert line.startswith(prefix)
            del d["name"]
            out[json.loads(line)["name"]] = (d, "{" + line[len(prefix):])
    return out
