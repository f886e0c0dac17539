"""The canonical JSON dump of parsed events: the form both parsers are compared in.

Implements ``docs/canonical-json.md`` (mode ``parse``) for our parser; the Go helper
(``go-harness/modes.go``, ``eventRecord``) writes the same records from Go's parser.

Theory of operation
-------------------
:func:`event_record` calls the public accessors of one :class:`~oracle.parser.event.Event` exactly as
the Go helper does, in the same order, and builds a ``dict`` whose insertion order is the
schema's key order.  Every accessor runs on its own: if it raises
:class:`~oracle.parser.event.GoPanic` (Go would panic), its key is left out and the record gets a
trailing ``panics`` object naming the accessor, just as the helper's per-accessor ``recover``
does.  Trace strings are emitted as JSON strings when their bytes are valid UTF-8 and as
``{"hex": ...}`` otherwise (:func:`tstr`).

:func:`dumps_record` then serialises with the exact byte conventions of the helper's tiny JSON
writer (``go-harness/jsonw.go``), which were chosen to coincide with Python's
``json.dumps(ensure_ascii=False, separators=(",", ":"))``: only ``"``, ``\\`` and control
characters are escaped (``\\n``-style short forms where JSON has them, ``\\u00XX``
otherwise); non-ASCII text, DEL, U+2028 and U+2029 are written raw.  Comparisons are done on
decoded values, but byte equality keeps diffs readable.
"""

from __future__ import annotations

import json
from typing import Any, Callable, Iterator, Protocol

from oracle.parser.errors import GoPanic, TraceError
from oracle.parser.event import KIND_NAMES, NO_STACK, Event, EventKind, Stack
from oracle.parser.gostrconv import go_bytes
from oracle.parser.resources import (
    GO_STATE_NAMES,
    PROC_STATE_NAMES,
    RESOURCE_KIND_NAMES,
    ResourceID,
    ResourceKind,
    StateTransition,
)
from oracle.parser.value import Value, ValueKind

__all__ = [
    "EventSource",
    "dump_and_strings",
    "dump_events",
    "dump_trace",
    "dumps_record",
    "event_line",
    "event_record",
    "go_string_lines",
    "raw_json_bytes",
    "raw_records",
    "resource_json",
    "stack_json",
    "terminal_record",
    "tstr",
    "value_json",
]

JSON = Any

#: The canonical records' encoder: compact, non-ASCII kept (docs/canonical-json.md).
_dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), check_circular=False).encode


class EventSource(Protocol):
    """Anything with Go's ``ReadEvent`` shape: :class:`oracle.parser.reader.Reader` in practice."""

    def read_event(self) -> Event:
        """The next event; ``EOFError`` at the end, ``TraceError`` for a broken trace."""
        ...


def tstr(s: str | bytes) -> JSON:
    """A trace string: itself if valid UTF-8, else ``{"hex": "<lowercase hex>"}``.

    ``str`` values follow the surrogateescape convention of :class:`oracle.parser.base.EvTable`, so a
    string is valid UTF-8 exactly when it encodes strictly.
    """
    if isinstance(s, str):
        try:
            s.encode("utf-8")
        except UnicodeEncodeError:
            return {"hex": go_bytes(s).hex()}
        return s
    try:
        return s.decode("utf-8")
    except UnicodeDecodeError:
        return {"hex": s.hex()}


def value_json(v: Value) -> JSON:
    """``{"u64":N}``, ``{"str":str}`` or ``{"bad":true}``."""
    if v.kind == ValueKind.Uint64:
        return {"u64": v.scalar}
    if v.kind == ValueKind.String:
        return {"str": tstr(v.string)}
    return {"bad": True}


def resource_json(r: ResourceID) -> JSON:
    """``{"kind": Kind.String(), "id": int64}``; the id is shown even for ``None``."""
    return {"kind": RESOURCE_KIND_NAMES[r.kind], "id": r.id}


def stack_json(s: Stack) -> JSON:
    """``null`` for ``NO_STACK``; otherwise the frames (an empty list for an ID-0 handle)."""
    if s == NO_STACK:
        return None
    table = s.table
    frames = table.stack_json.get(s.id) if table is not None else None
    if frames is None:
        frames = [
            {"pc": f.pc, "func": tstr(f.func), "file": tstr(f.file), "line": f.line}
            for f in s.frames()
        ]
        if table is not None:  # (a stack that panics is not cached: it panics every time)
            table.stack_json[s.id] = frames
    return frames


def _transition_json(st: StateTransition) -> JSON:
    """Mirrors the helper's ``transitionJSON``: from/to are state names, ``null`` otherwise."""
    from_: str | None = None
    to: str | None = None
    # st.goroutine() / st.proc() by name, read from the raw states (no enum objects).
    if st.resource.kind == ResourceKind.Goroutine:
        from_, to = GO_STATE_NAMES[st.old_state], GO_STATE_NAMES[st.new_state]
    elif st.resource.kind == ResourceKind.Proc:
        from_, to = PROC_STATE_NAMES[st.old_state], PROC_STATE_NAMES[st.new_state]
    return {
        "resource": resource_json(st.resource),
        "from": from_,
        "to": to,
        "reason": tstr(st.reason),
        "stack": stack_json(st.stack),
    }


def _sync_payload(ev: Event) -> JSON:
    if not ev.release.sync_api:
        # Go 1.24 and older have no Sync accessor: the helper writes nulls.
        return {"n": None, "clock": None, "experimental_batches": None}
    s = ev.sync()
    clock = None
    c = s.clock_snapshot
    if c is not None:
        clock = {
            "trace": c.trace,
            "mono": c.mono,
            "wall_sec": c.wall.unix(),
            "wall_nsec": c.wall.nanosecond(),
        }
    exp = None
    if s.experimental_batches is not None:
        # Go's map has no order; the schema sorts names (Go's sort is by bytes, as is ours
        # for these ASCII experiment names).
        exp = {
            name: [{"thread": b.thread, "data": b.data.hex()} for b in s.experimental_batches[name]]
            for name in sorted(s.experimental_batches)
        }
    return {"n": s.n, "clock": clock, "experimental_batches": exp}


def _metric_payload(ev: Event) -> JSON:
    m = ev.metric()
    return {"name": tstr(m.name), "value": value_json(m.value)}


def _label_payload(ev: Event) -> JSON:
    lb = ev.label()
    return {"label": tstr(lb.label), "resource": resource_json(lb.resource)}


def _range_payload(ev: Event) -> JSON:
    r = ev.range()
    attrs = None
    if ev.kind == EventKind.RangeEnd:
        a = ev.range_attributes()
        if a is not None:
            attrs = [{"name": tstr(x.name), "value": value_json(x.value)} for x in a]
    return {"name": tstr(r.name), "scope": resource_json(r.scope), "attributes": attrs}


def _task_payload(ev: Event) -> JSON:
    t = ev.task()
    return {"id": t.id, "parent": t.parent, "type": tstr(t.type)}


def _region_payload(ev: Event) -> JSON:
    r = ev.region()
    return {"task": r.task, "type": tstr(r.type)}


def _log_payload(ev: Event) -> JSON:
    lg = ev.log()
    return {"task": lg.task, "category": tstr(lg.category), "message": tstr(lg.message)}


def _transition_payload(ev: Event) -> JSON:
    return _transition_json(ev.state_transition())


def _experimental_payload(ev: Event) -> JSON:
    x = ev.experimental()
    if not ev.release.experimental_arg_values:
        # Go 1.23 and 1.24: ArgNames, raw Args and the experiment's batches (Data).
        data = ev.experimental_data()
        return {
            "name": tstr(x.name),
            "arg_names": [tstr(a) for a in x.args],
            "args": list(x.arg_values),
            "batches": None if data is None else [
                {"thread": b.thread, "data": b.data.hex()} for b in data
            ],
        }
    return {
        "name": tstr(x.name),
        "experiment": tstr(x.experiment),
        "arg_names": [tstr(a) for a in x.args],
        "values": [value_json(x.arg_value(i)) for i in range(len(x.args))],
    }


#: Kind -> (accessor name as the helper reports it, payload key, payload builder).
_PAYLOADS: dict[EventKind, tuple[str, str, Callable[[Event], JSON]]] = {
    EventKind.Sync: ("Sync", "sync", _sync_payload),
    EventKind.Metric: ("Metric", "metric", _metric_payload),
    EventKind.Label: ("Label", "label", _label_payload),
    EventKind.RangeBegin: ("Range", "range", _range_payload),
    EventKind.RangeActive: ("Range", "range", _range_payload),
    EventKind.RangeEnd: ("Range", "range", _range_payload),
    EventKind.TaskBegin: ("Task", "task", _task_payload),
    EventKind.TaskEnd: ("Task", "task", _task_payload),
    EventKind.RegionBegin: ("Region", "region", _region_payload),
    EventKind.RegionEnd: ("Region", "region", _region_payload),
    EventKind.Log: ("Log", "log", _log_payload),
    EventKind.StateTransition: ("StateTransition", "transition", _transition_payload),
    EventKind.Experimental: ("Experimental", "experimental", _experimental_payload),
}


def event_record(i: int, ev: Event) -> dict[str, JSON]:
    """The canonical record of event number ``i`` (0-based), keys in schema order.

    Mirrors the helper's ``eventRecord``: Kind, Time, Thread, Proc and Goroutine cannot
    panic; Stack and the kind's payload accessor each can, independently.
    """
    kind = ev.kind
    ctx = ev.ctx
    rec: dict[str, JSON] = {
        "i": i,
        "kind": KIND_NAMES[kind],
        "time": ev.base.time,
        "m": ctx.m,
        "p": ctx.p,
        "g": ctx.g,
    }
    panics: dict[str, JSON] | None = None
    try:
        rec["stack"] = stack_json(ev.stack)
    except GoPanic as p:
        panics = {"Stack": tstr(p.message)}
    entry = _PAYLOADS.get(kind)
    if entry is not None:
        accessor, key, build = entry
        try:
            rec[key] = build(ev)
        except GoPanic as p:
            if panics is None:
                panics = {}
            panics[accessor] = tstr(p.message)
    if panics is not None:
        rec["panics"] = panics
    return rec


def _str_text(s: str) -> str:
    """``dumps_record(tstr(s))``: a plain printable ASCII string needs no encoder."""
    if s.isascii() and s.isprintable() and '"' not in s and "\\" not in s:
        return '"' + s + '"'
    return _dumps(tstr(s))


def _stack_text(s: Stack) -> str:
    """``dumps_record(stack_json(s))``, cached per table like the frames."""
    if s == NO_STACK:
        return "null"
    table = s.table
    if table is None:
        return _dumps(stack_json(s))  # Go's nil-table panic, from stack_json
    text = table.stack_json_text.get(s.id)
    if text is None:
        text = table.stack_json_text[s.id] = _dumps(stack_json(s))
    return text


def _transition_text(st: StateTransition) -> str:
    """``dumps_record(_transition_json(st))``."""
    r = st.resource
    from_ = to = "null"
    if r.kind == ResourceKind.Goroutine:
        from_ = '"' + GO_STATE_NAMES[st.old_state] + '"'
        to = '"' + GO_STATE_NAMES[st.new_state] + '"'
    elif r.kind == ResourceKind.Proc:
        from_ = '"' + PROC_STATE_NAMES[st.old_state] + '"'
        to = '"' + PROC_STATE_NAMES[st.new_state] + '"'
    return ('{"resource":{"kind":"' + RESOURCE_KIND_NAMES[r.kind] + '","id":' + str(r.id)
            + '},"from":' + from_ + ',"to":' + to + ',"reason":' + _str_text(st.reason)
            + ',"stack":' + _stack_text(st.stack) + "}")


def event_line(i: int, ev: Event) -> str:
    """``dumps_record(event_record(i, ev))``, written without building the record.

    The campaigns' hot path: a dict per event and the json module's generic encoder were
    half of a case's reference-side time.  The common fields and a state transition (two
    thirds of a campaign's events) are written directly, other payloads through their
    builders; an event with a panicking accessor takes :func:`event_record`'s path, which
    records the panics.  The two agree byte for byte on every corpus
    (tests/oracle/parser/test_canonical.py).
    """
    kind = ev.kind
    ctx = ev.ctx
    try:
        stack = _stack_text(ev.stack)
        entry = _PAYLOADS.get(kind)
        if entry is None:
            payload = ""
        elif kind == EventKind.StateTransition:
            payload = ',"transition":' + _transition_text(ev.state_transition())
        else:
            payload = ',"' + entry[1] + '":' + _dumps(entry[2](ev))
    except GoPanic:
        return dumps_record(event_record(i, ev))
    return ('{"i":' + str(i) + ',"kind":"' + KIND_NAMES[kind] + '","time":' + str(ev.base.time)
            + ',"m":' + str(ctx.m) + ',"p":' + str(ctx.p) + ',"g":' + str(ctx.g)
            + ',"stack":' + stack + payload + "}")


def terminal_record(err: TraceError | GoPanic | None) -> dict[str, JSON]:
    """The last line: ``{"end":"EOF"}``, ``{"end":"error",...}`` or ``{"end":"panic",...}``."""
    if err is None:
        return {"end": "EOF"}
    if isinstance(err, GoPanic):
        return {"end": "panic", "panic": tstr(err.message)}
    return {"end": "error", "error": tstr(err.message)}


def dumps_record(d: JSON) -> str:
    """One record as compact JSON text (no trailing newline), byte-compatible with the helper."""
    return _dumps(d)


def dump_events(reader: EventSource) -> Iterator[str]:
    """Canonical lines (without newlines) for every event of ``reader``, then the terminal one.

    A ``TraceError`` ends the dump with an ``error`` record and a ``GoPanic`` escaping the
    reader (Go's ``ReadEvent`` would panic) with a ``panic`` record, like the helper.
    """
    i = 0
    while True:
        try:
            ev = reader.read_event()
        except EOFError:
            yield dumps_record(terminal_record(None))
            return
        except (TraceError, GoPanic) as e:
            yield dumps_record(terminal_record(e))
            return
        yield dumps_record(event_record(i, ev))
        i += 1


def dump_trace(source: Any, *, go: Any = None) -> Iterator[str]:
    """:func:`dump_events` for a trace given as bytes, a path or a binary stream.

    Builds an :class:`oracle.parser.reader.Reader`; an error from reading the header gives just the
    terminal record, as ``NewReader`` failing does in the helper.
    """
    from oracle.parser.reader import Reader

    try:
        reader = Reader(source, go=go)
    except (TraceError, GoPanic) as e:
        yield dumps_record(terminal_record(e))
        return
    yield from dump_events(reader)


def raw_records(data: Any) -> Iterator[dict[str, JSON]]:
    """Records of the helper's ``raw`` mode for a binary trace (docs/canonical-json.md).

    The version line, one record per :class:`oracle.parser.raw.RawEvent`, then the terminal record;
    a bad header gives only the terminal record, as ``raw.NewReader`` failing does.  ``data``
    is bytes, or a path or binary stream, which is read through a window
    (:class:`oracle.parser.raw.RawStreamReader`).
    """
    from oracle.parser.raw import RawReader, RawStreamReader

    try:
        reader = RawReader(data) if isinstance(data, (bytes, bytearray, memoryview)) \
            else RawStreamReader(data)
    except TraceError as e:
        yield terminal_record(e)
        return
    yield {"version": int(reader.version)}
    try:
        for ev in reader:
            yield {
                "type": ev.ev,
                "name": reader.specs[ev.ev].name,
                "args": list(ev.args),
                "data": None if ev.data is None else ev.data.hex(),
            }
    except TraceError as e:
        yield terminal_record(e)
        return
    yield terminal_record(None)


def raw_json_bytes(data: bytes) -> bytes:
    """The exact bytes the helper's ``raw`` mode prints for ``data``."""
    return "".join(dumps_record(r) + "\n" for r in raw_records(data)).encode()


def go_string_lines(source: Any, *, go: Any = None) -> Iterator[str]:
    """The helper's ``go-string`` mode: ``Event.String()`` per event, then a terminal line.

    Each yielded string is one event's text (it may span several lines) without the trailing
    newline; the last one is ``EOF``, ``ERROR: <message>`` or, where Go would panic inside
    ``String()`` or ``ReadEvent``, ``PANIC: <message>``.
    """
    from oracle.parser.reader import Reader

    try:
        reader = Reader(source, go=go)
        while True:
            try:
                ev = reader.read_event()
            except EOFError:
                yield "EOF"
                return
            yield ev.go_string()
    except (TraceError, GoPanic) as e:
        yield _go_terminal(e)


def _go_terminal(e: TraceError | GoPanic | None) -> str:
    if e is None:
        return "EOF"
    return f"PANIC: {e.message}" if isinstance(e, GoPanic) else f"ERROR: {e.message}"


def dump_and_strings(source: Any, *, go: Any = None, strings: bool = True,
                     observe: Callable[[int, Event], None] | None = None,
                     observe_types: frozenset[int] | None = None) -> tuple[bytes, bytes]:
    """The helper's ``parse-string`` answer from one parse: :func:`dump_trace`'s lines and
    :func:`go_string_lines`' lines, each newline-terminated, as UTF-8 bytes.

    One pass instead of two because campaigns check both oracles on every case.  The two
    parts end independently, as in two separate runs: ``String()`` panicking on an event ends
    the go-string part with ``PANIC:`` while the canonical part goes on.  ``strings=False``
    leaves the second part empty (the helper's ``parse`` answer).  ``observe(i, event)``
    sees each event as it is read (only those whose wire type is in ``observe_types``, when
    given), so that another consumer (the campaign's heap oracle) shares the parse instead
    of repeating it; it must not raise.
    """
    from oracle.parser.reader import Reader

    lines: list[str] = []
    strs: list[str] = []
    strings_open = strings
    end: TraceError | GoPanic | None = None
    try:
        reader = Reader(source, go=go)
    except (TraceError, GoPanic) as e:
        end = e
    else:
        i = 0
        while True:
            try:
                ev = reader.read_event()
            except EOFError:
                break
            except (TraceError, GoPanic) as e:
                end = e
                break
            if observe is not None and (observe_types is None or ev.base.typ in observe_types):
                observe(i, ev)
            lines.append(event_line(i, ev))
            i += 1
            if strings_open:
                try:
                    strs.append(ev.go_string())
                except GoPanic as e:
                    strs.append(_go_terminal(e))
                    strings_open = False
    lines.append(dumps_record(terminal_record(end)))
    if strings_open:
        strs.append(_go_terminal(end))
    lines.append("")
    if strs:
        strs.append("")
    return ("\n".join(lines).encode("utf-8", "surrogateescape"),
            "\n".join(strs).encode("utf-8", "surrogateescape"))
