"""Decoding of the AllocFree experiment's batches: the info batch and the type-table batches.

Go's parser hands these batches out uninterpreted (``Sync.ExperimentalBatches["AllocFree"]``);
only the runtime defines their layout.  Both kinds are written by ``unsafeTraceExpWriter(gen,
nil, AllocFree)``, a fresh buffer, so the first body byte is always the kind byte written on
the ``flushed`` path:

* info (kind 1, ``traceAllocFreeInfoBatch``; ``runtime/traceallocfree.go`` traceSnapshotMemory,
  lines 31-46 in 1.27): four uvarints, ``minPageHeapAddr``, ``pageSize``, ``gc.MinHeapAlign``
  (``minHeapAlign`` before 1.25) and ``fixedStack``, then the batch is flushed: nothing follows;
* types (kind 0, ``traceAllocFreeTypesBatch``; ``runtime/tracetype.go`` dumpTypesRec, lines
  47-83): records ``id, address, size, ptrBytes, len(name)`` as uvarints, then the name bytes,
  until the end of the batch.  A full buffer is flushed and the next one starts with the kind
  byte again, so records never straddle batches.

The layout is the same in every release from 1.23 to 1.27 (docs/allocfree.md lists the
source differences, all of them renames).  Every malformed payload raises
:class:`AllocFreeBatchError`, naming the generation, the batch and the byte offset.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Iterable

from oracle.parser.uvarint import VarintError, read_uvarint

__all__ = [
    "ALLOCFREE",
    "INFO_BATCH",
    "TYPES_BATCH",
    "AllocFreeBatchError",
    "GenerationData",
    "HeapInfo",
    "TypeRecord",
    "decode_batch",
    "decode_generation",
]

#: The experiment's name in ``Sync.experimental_batches`` (``tracev2.AllocFree``).
ALLOCFREE: Final = "AllocFree"
#: Batch kind bytes (``traceAllocFreeTypesBatch``, ``traceAllocFreeInfoBatch``).
TYPES_BATCH: Final = 0
INFO_BATCH: Final = 1


class AllocFreeBatchError(Exception):
    """A malformed AllocFree experimental batch: where it is and what is wrong.

    Like the parser's ``TraceError`` it carries one message, but it is its own class: a bad
    AllocFree payload is a finding about the runtime's experimental data, not a trace that
    Go's parser rejects (Go's parser never looks inside these batches).
    """

    __slots__ = ("generation", "batch", "offset", "reason")

    def __init__(self, generation: int, batch: int, offset: int, reason: str) -> None:
        self.generation = generation
        self.batch = batch
        self.offset = offset
        self.reason = reason
        super().__init__(self.message)

    @property
    def message(self) -> str:
        """One line naming generation, batch and byte offset."""
        return (
            f"AllocFree batch: generation {self.generation}, batch {self.batch}, "
            f"offset {self.offset}: {self.reason}"
        )

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True, slots=True)
class HeapInfo:
    """The info batch: what turns event IDs into addresses (traceSnapshotMemory)."""

    min_page_heap_addr: int
    page_size: int
    min_heap_align: int
    fixed_stack: int


@dataclass(frozen=True, slots=True)
class TypeRecord:
    """One type-table entry (dumpTypesRec): trace ID, ``*abi.Type`` address, sizes, name."""

    id: int
    address: int
    size: int
    ptr_bytes: int
    name: str


@dataclass(frozen=True, slots=True)
class GenerationData:
    """Everything the AllocFree batches of one generation say."""

    generation: int
    info: HeapInfo | None
    types: tuple[TypeRecord, ...]

    def type_table(self) -> dict[int, TypeRecord]:
        """Types by ID (the first record wins if the runtime ever repeated an ID)."""
        out: dict[int, TypeRecord] = {}
        for t in self.types:
            out.setdefault(t.id, t)
        return out


def _varint(data: bytes, pos: int, gen: int, batch: int, what: str) -> tuple[int, int]:
    try:
        return read_uvarint(data, pos)
    except VarintError as e:
        raise AllocFreeBatchError(gen, batch, pos, f"reading {what}: {e.message}") from None


def decode_batch(
    data: bytes, *, generation: int = 0, batch: int = 0
) -> HeapInfo | tuple[TypeRecord, ...]:
    """Decode one batch body: a :class:`HeapInfo` or the batch's type records."""
    if not data:
        raise AllocFreeBatchError(generation, batch, 0, "empty batch: no kind byte")
    kind = data[0]
    pos = 1
    if kind == INFO_BATCH:
        vals = []
        for what in ("minPageHeapAddr", "pageSize", "minHeapAlign", "fixedStack"):
            v, pos = _varint(data, pos, generation, batch, what)
            vals.append(v)
        if pos != len(data):
            raise AllocFreeBatchError(
                generation, batch, pos, f"{len(data) - pos} trailing bytes after the info record"
            )
        info = HeapInfo(*vals)
        for name, v in (
            ("pageSize", info.page_size),
            ("minHeapAlign", info.min_heap_align),
            ("fixedStack", info.fixed_stack),
        ):
            if v == 0 or v & (v - 1):
                raise AllocFreeBatchError(generation, batch, 1, f"{name} {v} is not a power of two")
        return info
    if kind != TYPES_BATCH:
        raise AllocFreeBatchError(generation, batch, 0, f"unknown AllocFree batch kind {kind}")
    records: list[TypeRecord] = []
    end = len(data)
    while pos < end:
        start = pos
        id_, pos = _varint(data, pos, generation, batch, "type ID")
        addr, pos = _varint(data, pos, generation, batch, "type address")
        size, pos = _varint(data, pos, generation, batch, "type size")
        ptr, pos = _varint(data, pos, generation, batch, "type pointer bytes")
        n, pos = _varint(data, pos, generation, batch, "type name length")
        if n > end - pos:
            raise AllocFreeBatchError(
                generation, batch, pos, f"type name of {n} bytes but {end - pos} remain"
            )
        if ptr > size:
            raise AllocFreeBatchError(
                generation, batch, start, f"type {id_}: {ptr} pointer bytes exceed size {size}"
            )
        name = data[pos : pos + n].decode("utf-8", "surrogateescape")
        pos += n
        records.append(TypeRecord(id_, addr, size, ptr, name))
    return tuple(records)


def decode_generation(generation: int, batches: Iterable[bytes]) -> GenerationData:
    """Decode one generation's AllocFree batches, in file order."""
    info: HeapInfo | None = None
    types: list[TypeRecord] = []
    for i, data in enumerate(batches):
        r = decode_batch(data, generation=generation, batch=i)
        if isinstance(r, HeapInfo):
            if info is not None and info != r:
                raise AllocFreeBatchError(generation, i, 0, "a second, different info batch")
            info = r
        else:
            types.extend(r)
    return GenerationData(generation, info, tuple(types))
