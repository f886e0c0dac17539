"""AllocFree batch decoding: real runtimes' batches of every release, and hostile payloads."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from oracle.harness.realtraces import real_traces
from oracle.heap.batches import (
    ALLOCFREE,
    AllocFreeBatchError,
    HeapInfo,
    TypeRecord,
    decode_batch,
    decode_generation,
)
from oracle.parser.event import EventKind
from oracle.parser.reader import Reader
from _heapsupport import INFO, info_batch, types_batch

ALLOCFREE_RELEASES = ("1.23.9", "1.24.11", "1.25.5", "1.26.6", "1.27.3")


@pytest.mark.slow
@pytest.mark.parametrize("version", ALLOCFREE_RELEASES)
def test_real_batches_decode(version: str) -> None:
    """Every AllocFree trace's batches decode; the info batch is in the first generation only,
    with the runtime's constants, and every type referenced by an event is in its table."""
    checked = 0
    for t in real_traces(version):
        if not t.allocfree or t.scenario == "flightrec":  # flightrec loses its batches (go-findings)
            continue
        gen = 0
        infos: list[tuple[int, HeapInfo]] = []
        table: dict[int, TypeRecord] = {}
        for e in Reader(t.path):
            if e.kind == EventKind.Sync:
                gen += 1
                bs = (e.sync().experimental_batches or {}).get(ALLOCFREE, [])
                gd = decode_generation(gen, [b.data for b in bs])
                if gd.info is not None:
                    infos.append((gen, gd.info))
                table = gd.type_table()
                assert all(r.ptr_bytes <= r.size and r.id > 0 for r in gd.types)
                assert len(table) == len(gd.types), "type IDs are unique within a generation"
            elif e.kind == EventKind.Experimental and e.experimental().name in ("HeapObject", "HeapObjectAlloc"):
                typ = e.base.args[1]
                assert typ == 0 or typ in table, (t.name, gen, typ)
        assert len(infos) == 1 and infos[0][0] == 1, t.name
        info = infos[0][1]
        assert (info.page_size, info.min_heap_align, info.fixed_stack) == (8192, 8, 2048), t.name
        assert info.min_page_heap_addr % info.page_size == 0
        checked += 1
    assert checked >= 7


def test_roundtrip_known_payload() -> None:
    rec = TypeRecord(3, 0x4A1B20, 24, 8, "[]main.T")
    assert decode_batch(info_batch()) == INFO
    assert decode_batch(types_batch(rec, TypeRecord(4, 1, 0, 0, ""))) == (rec, TypeRecord(4, 1, 0, 0, ""))
    assert decode_generation(2, [types_batch(rec), info_batch()]).info == INFO


@pytest.mark.parametrize(
    ("data", "offset", "text"),
    [
        (b"", 0, "empty batch"),
        (b"\x02", 0, "unknown AllocFree batch kind 2"),
        (info_batch()[:-1], 10, "reading fixedStack: unexpected EOF"),
        (info_batch() + b"\x00", 12, "1 trailing bytes"),
        (bytes((1, 0, 3, 8, 8)), 1, "pageSize 3 is not a power of two"),
        (types_batch(TypeRecord(1, 2, 3, 0, "abc"))[:-1], 6, "type name of 3 bytes but 2 remain"),
        (types_batch(TypeRecord(1, 2, 3, 4, "")), 1, "4 pointer bytes exceed size 3"),
        (b"\x00\x01\x80", 2, "reading type address: unexpected EOF"),
    ],
)
def test_malformed_payloads(data: bytes, offset: int, text: str) -> None:
    with pytest.raises(AllocFreeBatchError) as ei:
        decode_batch(data, generation=4, batch=2)
    e = ei.value
    assert (e.generation, e.batch, e.offset) == (4, 2, offset)
    assert text in str(e) and str(e).startswith("AllocFree batch: generation 4, batch 2, offset ")


def test_second_info_batch_that_differs() -> None:
    other = HeapInfo(0, 4096, 8, 2048)
    with pytest.raises(AllocFreeBatchError, match="batch 1, offset 0: a second, different info batch"):
        decode_generation(1, [info_batch(), info_batch(other)])


@given(st.binary(max_size=200), st.integers(0, 5), st.integers(0, 5))
def test_hostile_bytes_raise_only_the_dedicated_error(data: bytes, gen: int, batch: int) -> None:
    try:
        r = decode_batch(data, generation=gen, batch=batch)
    except AllocFreeBatchError as e:
        assert (e.generation, e.batch) == (gen, batch) and 0 <= e.offset <= len(data)
    else:
        assert isinstance(r, (HeapInfo, tuple))


_records = st.builds(
    TypeRecord,
    st.integers(1, 2**64 - 1), st.integers(0, 2**64 - 1), st.integers(0, 2**40),
    st.just(0), st.text(max_size=30),
)  # fmt: skip


@given(st.lists(_records, max_size=8), st.integers(0, 40))
def test_truncated_type_batches(records: list[TypeRecord], cut: int) -> None:
    """Valid batches round-trip; any truncation either decodes a prefix of the records or
    raises the dedicated error."""
    data = types_batch(*records)
    assert decode_batch(data) == tuple(records)
    short = data[: max(1, len(data) - cut)]
    try:
        got = decode_batch(short)
    except AllocFreeBatchError as e:
        assert e.offset <= len(short)
    else:
        assert isinstance(got, tuple) and list(got) == records[: len(got)]
