"""What one implementation made of one trace.

An :class:`Outcome` is the canonical event records (``docs/canonical-json.md``) that the
implementation produced before stopping, and how it stopped.  Both implementations are reduced
to this one shape so that comparison is a pure function of two values.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum
from typing import Any

__all__ = [
    "End",
    "Outcome",
    "Status",
    "end_of_record",
    "outcome_from_canonical",
    "outcome_of",
    "split_parse_string",
]


class Status(str, Enum):
    """How a parse ended.  ``ACCEPTED``/``REJECTED`` are verdicts on the trace; the others
    are failures of the implementation itself."""

    ACCEPTED = "accepted"  # reached EOF
    REJECTED = "rejected"  # returned a parse error (``error`` holds its text)
    PANIC = "panic"  # Go panicked (recovered by the helper)
    CRASH = "crash"  # the Go helper process died
    TIMEOUT = "timeout"  # no answer in time
    EXCEPTION = "exception"  # Python raised something other than TraceError
    UNSUPPORTED = "unsupported"  # the input is outside what this implementation covers


@dataclass(frozen=True, slots=True)
class End:
    """How one side's parse ended, without its records: what a stream ends with."""

    status: Status
    error: str | None = None
    detail: str | None = None


@dataclass(frozen=True, slots=True)
class Outcome:
    """Records produced plus the way parsing ended."""

    impl: str
    status: Status
    records: tuple[dict[str, Any], ...] = ()
    error: str | None = None  # error text, panic message or exception summary
    detail: str | None = None  # Go stack, Python traceback, helper stderr
    #: ``Event.String()`` of every event then the terminal line, as the helper's ``go-string``
    #: mode prints them (UTF-8, invalid bytes kept); None when not asked for.
    strings: bytes | None = None

    @property
    def verdict(self) -> str:
        """``accept`` or ``reject`` for the two trace verdicts, else the status name."""
        if self.status is Status.ACCEPTED:
            return "accept"
        if self.status is Status.REJECTED:
            return "reject"
        return str(self.status.value)

    @property
    def end(self) -> End:
        """How the parse ended."""
        return End(self.status, self.error, self.detail)


def _text(value: Any) -> str:
    """A canonical "str" back to Python: ``{"hex": ...}`` (invalid UTF-8) becomes the same
    surrogate-escaped ``str`` the parser uses for those bytes."""
    if isinstance(value, dict):
        return bytes.fromhex(value["hex"]).decode("utf-8", "surrogateescape")
    return str(value)


def end_of_record(obj: dict[str, Any]) -> End:
    """The :class:`End` a terminal record (``{"end": ...}``) stands for."""
    end = obj["end"]
    if end == "EOF":
        return End(Status.ACCEPTED)
    if end == "error":
        return End(Status.REJECTED, _text(obj["error"]))
    return End(Status.PANIC, _text(obj.get("panic", "")))


def outcome_of(impl: str, items: Iterable[dict[str, Any] | End]) -> Outcome:
    """The :class:`Outcome` of a stream of records that ends with an :class:`End` (one side of
    :mod:`oracle.diff.stream`, collected whole)."""
    records: list[dict[str, Any]] = []
    for item in items:
        if isinstance(item, End):
            return Outcome(impl, item.status, tuple(records), item.error, item.detail)
        records.append(item)
    return Outcome(impl, Status.CRASH, tuple(records), "output ended without a terminal record")


def outcome_from_canonical(impl: str, output: bytes) -> Outcome:
    """Decode the JSON-lines output of a ``parse`` run (Go helper or Python dumper)."""
    records: list[dict[str, Any]] = []
    # Split on b"\n" only: records hold raw U+2028 and friends, which str.splitlines() splits on.
    for line in output.split(b"\n"):
        if not line:
            continue
        obj = json.loads(line)
        if "end" in obj:
            end = end_of_record(obj)
            return Outcome(impl, end.status, tuple(records), end.error)
        records.append(obj)
    return Outcome(impl, Status.CRASH, tuple(records), "output ended without a terminal record")


def split_parse_string(output: bytes) -> tuple[bytes, bytes | None]:
    """The output of the helper's ``parse-string`` mode as (``parse`` part, ``go-string`` part).

    The parse part ends with its terminal record, the only line that starts ``{"end":`` (a
    record's strings escape their quotes); without one (a crash) there is no go-string part.
    """
    at = 0 if output.startswith(b'{"end":') else output.find(b'\n{"end":') + 1
    if at == 0 and not output.startswith(b'{"end":'):
        return output, None
    eol = output.find(b"\n", at)
    if eol < 0:
        return output, None
    return output[: eol + 1], output[eol + 1 :]
