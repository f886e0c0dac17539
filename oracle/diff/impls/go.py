"""Go's real parser, through a persistent helper process (``go-harness`` serve mode)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from oracle.diff.outcome import Outcome, Status, outcome_from_canonical, split_parse_string
from oracle.harness.helper import GoHelper, HelperError, HelperResult

__all__ = ["GoImpl", "outcome_from_helper", "request_parse"]


def request_parse(helper: GoHelper, data: bytes, *, strings: bool = False) -> HelperResult:
    """Run mode ``parse`` (``parse-string`` with ``strings``: ``Event.String()`` too); a helper
    that breaks the protocol is reported as a crash, never raised, so a campaign always gets
    an outcome to classify."""
    try:
        return helper.request("parse-string" if strings else "parse", data)
    except HelperError as e:
        return HelperResult("crash", b"", None, stderr=str(e))


def outcome_from_helper(name: str, res: HelperResult, *, strings: bool = False) -> Outcome:
    """The :class:`Outcome` of a ``parse`` (``parse-string`` with ``strings``) answer:
    panics, crashes and hangs included."""
    output, text = split_parse_string(res.output) if strings else (res.output, None)
    if res.outcome == "ok":
        o = outcome_from_canonical(name, output)
        if text is not None and o.status in (Status.ACCEPTED, Status.REJECTED):
            return replace(o, strings=text)
        return o
    if res.outcome == "panic":
        partial = outcome_from_canonical(name, output)
        return Outcome(name, Status.PANIC, partial.records, res.panic, res.stack)
    status = Status.TIMEOUT if res.outcome == "timeout" else Status.CRASH
    return Outcome(name, status, (), res.outcome, res.stderr)


class GoImpl:
    """Runs ``internal/trace`` of one toolchain via its helper binary."""

    def __init__(self, binary: Path, version: str, *, timeout: float = 20.0,
                 strings: bool = False) -> None:
        self.name = f"go{version}"
        self.strings = strings
        self._helper = GoHelper(binary, timeout=timeout)

    def run(self, data: bytes) -> Outcome:
        """Parse ``data`` with Go; helper panics, crashes and hangs become outcomes."""
        s = self.strings
        return outcome_from_helper(self.name, request_parse(self._helper, data, strings=s), strings=s)

    def close(self) -> None:
        """Stop the helper process."""
        self._helper.close()

    def __enter__(self) -> GoImpl:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
