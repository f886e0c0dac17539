"""Builders for AllocFree batches and events, shared by the heap tests."""

from __future__ import annotations

from oracle.heap.batches import INFO_BATCH, TYPES_BATCH, HeapInfo, TypeRecord
from oracle.parser.base import NO_CTX, BaseEvent
from oracle.parser.event import Event
from oracle.parser.tracev2 import MAX_TIMED_EVENT_ARGS, EventType
from oracle.parser.uvarint import put_uvarint

INFO = HeapInfo(min_page_heap_addr=0xC000000000, page_size=8192, min_heap_align=8, fixed_stack=2048)


def info_batch(info: HeapInfo = INFO) -> bytes:
    """An info batch body exactly as traceSnapshotMemory writes it."""
    return bytes((INFO_BATCH,)) + b"".join(
        put_uvarint(v) for v in (info.min_page_heap_addr, info.page_size, info.min_heap_align, info.fixed_stack)
    )


def types_batch(*types: TypeRecord) -> bytes:
    """A types batch body exactly as dumpTypesRec writes it."""
    out = bytearray((TYPES_BATCH,))
    for t in types:
        name = t.name.encode("utf-8", "surrogateescape")
        for v in (t.id, t.address, t.size, t.ptr_bytes, len(name)):
            out += put_uvarint(v)
        out += name
    return bytes(out)


def ev(typ: EventType, *args: int, time: int = 0) -> Event:
    """A bare event of ``typ`` with ``args`` (no table, no scheduling context)."""
    a = list(args) + [0] * (MAX_TIMED_EVENT_ARGS - 1 - len(args))
    return Event(None, NO_CTX, BaseEvent(int(typ), time, a))
