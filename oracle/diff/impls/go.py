"""Go's real parser, through a persistent helper process (``go-harness`` serve mode)."""

from __future__ import annotations

from pathlib import Path

from oracle.diff.outcome import Outcome, Status, outcome_from_canonical
from oracle.harness.helper import GoHelper, HelperError, HelperResult

__all__ = ["GoImpl", "outcome_from_helper", "request_parse"]


def request_parse(helper: GoHelper, data: bytes) -> HelperResult:
    """Run mode ``parse``; a helper that breaks the protocol is reported as a crash, never
    raised, so a campaign always gets an outcome to classify."""
    try:
        return helper.request("parse", data)
    except HelperError as e:
        return HelperResult("crash", b"", None, stderr=str(e))


def outcome_from_helper(name: str, res: HelperResult) -> Outcome:
    """The :class:`Outcome` of a ``parse`` answer: panics, crashes and hangs included."""
    if res.outcome == "ok":
        return outcome_from_canonical(name, res.output)
    if res.outcome == "panic":
        partial = outcome_from_canonical(name, res.output)
        return Outcome(name, Status.PANIC, partial.records, res.panic, res.stack)
    status = Status.TIMEOUT if res.outcome == "timeout" else Status.CRASH
    return Outcome(name, status, (), res.outcome, res.stderr)


class GoImpl:
    """Runs ``internal/trace`` of one toolchain via its helper binary."""

    def __init__(self, binary: Path, version: str, *, timeout: float = 20.0) -> None:
        self.name = f"go{version}"
        self._helper = GoHelper(binary, timeout=timeout)

    def run(self, data: bytes) -> Outcome:
        """Parse ``data`` with Go; helper panics, crashes and hangs become outcomes."""
        return outcome_from_helper(self.name, request_parse(self._helper, data))

    def close(self) -> None:
        """Stop the helper process."""
        self._helper.close()

    def __enter__(self) -> GoImpl:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
