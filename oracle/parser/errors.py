"""The single exception type the reference parser raises.

Go's ``internal/trace`` reports every problem with a trace as an ``error`` whose text the
differential engine compares byte for byte.  We mirror that with one exception class whose
``message`` is exactly Go's ``err.Error()``: any other exception escaping the parser is a bug
in this project (h11's rule), and the fuzz targets assert it.
"""

from __future__ import annotations

__all__ = ["GoPanic", "TraceError"]


class TraceError(Exception):
    """A trace that Go's parser rejects; ``message`` equals Go's ``err.Error()``."""

    __slots__ = ("message",)

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return f"TraceError({self.message!r})"


class GoPanic(Exception):
    """Go's parser would *panic* here; ``message`` is ``fmt.Sprint`` of the panic value.

    Deliberately not a :class:`TraceError`: Go reports no error for these inputs, it crashes
    (mostly in ``Event`` accessors, see ``oracle.parser.event``).  The differential engine reports
    them as Go bugs, never as agreement.
    """

    __slots__ = ("message",)

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return f"GoPanic({self.message!r})"
