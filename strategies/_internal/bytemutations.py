"""Named byte-level mutations: edits of a trace's bytes that know nothing of its structure.

They are the last stage of :func:`strategies.mutate` (through the ``Trace`` wrappers in
:mod:`strategies._internal.mutations`, whose registry serves them as ``BYTE_MUTATIONS``) and
the whole of the mutants of real v1 traces (:func:`mutate_bytes`, used by
:func:`oracle.campaign.sources.v1_mutant`): the strategies model only v2 traces, so a v1 trace
can only be mangled byte-wise.

Each operator ``op(ch, data, lo) -> bool`` edits ``data`` in place, never before offset ``lo``
(a v1 mutant keeps its 16-byte header, so it stays a v1 input), and says whether it found
something to edit.  The names are recorded in findings, so they stay stable.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

from strategies._internal.choices import Chooser

__all__ = ["BYTE_OPERATORS", "ByteOperator", "mutate_bytes"]

#: An operator on a trace's bytes: ``(chooser, data, lo) -> applied``.
ByteOperator = Callable[[Chooser, bytearray, int], bool]


def byte_flip(ch: Chooser, data: bytearray, lo: int) -> bool:
    """Flip bits of one byte."""
    if len(data) <= lo:
        return False
    i = ch.int(lo, len(data) - 1)
    data[i] ^= ch.pick((1, 0x80, 0xFF, 0x40, 2))
    return True


def byte_insert(ch: Chooser, data: bytearray, lo: int) -> bool:
    """Insert one to three bytes that matter to uvarints and headers."""
    if len(data) < lo:
        return False
    i = ch.int(lo, len(data))
    data[i:i] = bytes(ch.pick((0, 1, 0x80, 0xFF, 0x34, 0x31)) for _ in range(ch.int(1, 3)))
    return True


def byte_delete(ch: Chooser, data: bytearray, lo: int) -> bool:
    """Delete one to four bytes."""
    if len(data) <= lo:
        return False
    i = ch.int(lo, len(data) - 1)
    del data[i: i + ch.int(1, 4)]
    return True


def truncate_bytes(ch: Chooser, data: bytearray, lo: int) -> bool:
    """Cut the data at any byte."""
    if len(data) < lo:
        return False
    del data[ch.int(lo, len(data)):]
    return True


def byte_set(ch: Chooser, data: bytearray, lo: int) -> bool:
    """Set one byte to a uvarint boundary (continuation bit on or off) or a random value."""
    if len(data) <= lo:
        return False
    i = ch.int(lo, len(data) - 1)
    data[i] = ch.pick((0, 1, 0x3F, 0x40, 0x7F, 0x80, 0xC0, 0xFF, ch.int(0, 255)))
    return True


def byte_duplicate(ch: Chooser, data: bytearray, lo: int) -> bool:
    """Copy a run of up to 64 bytes to another place (repeats events, sizes, headers)."""
    if len(data) <= lo:
        return False
    i = ch.int(lo, len(data) - 1)
    n = ch.int(1, min(64, len(data) - i))
    j = ch.int(lo, len(data))
    data[j:j] = data[i: i + n]
    return True


#: The byte-level operators, by name.  The first four are the generator's last stage; all of
#: them make v1 mutants.
BYTE_OPERATORS: Final[dict[str, ByteOperator]] = {
    "byte_flip": byte_flip,
    "byte_insert": byte_insert,
    "byte_delete": byte_delete,
    "truncate_bytes": truncate_bytes,
    "byte_set": byte_set,
    "byte_duplicate": byte_duplicate,
}


def mutate_bytes(ch: Chooser, data: bytes, *, keep: int = 0,
                 max_ops: int = 4) -> tuple[bytes, list[str]]:
    """Apply one to ``max_ops`` operators of :data:`BYTE_OPERATORS` to a copy of ``data``,
    never touching its first ``keep`` bytes; return it and the names of those that applied."""
    out = bytearray(data)
    names = list(BYTE_OPERATORS)
    applied: list[str] = []
    for _ in range(ch.int(1, max_ops)):
        name = ch.pick(names)
        if BYTE_OPERATORS[name](ch, out, keep):
            applied.append(name)
    return bytes(out), applied
