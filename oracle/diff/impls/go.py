"""Go's real parser, through a persistent helper process (``go-harness`` serve mode)."""

from __future__ import annotations

from pathlib import Path

from oracle.diff.outcome import Outcome, Status, outcome_from_canonical
from oracle.harness import GoHelper

__all__ = ["GoImpl"]


class GoImpl:
    """Runs ``internal/trace`` of one toolchain via its helper binary."""

    def __init__(self, binary: Path, version: str, *, timeout: float = 20.0) -> None:
        self.name = f"go{version}"
        self._helper = GoHelper(binary, timeout=timeout)

    def run(self, data: bytes) -> Outcome:
        """Parse ``data`` with Go; helper panics, crashes and hangs become outcomes."""
        res = self._helper.request("parse", data)
        if res.outcome == "ok":
            return outcome_from_canonical(self.name, res.output)
        if res.outcome == "panic":
            partial = outcome_from_canonical(self.name, res.output)
            return Outcome(self.name, Status.PANIC, partial.records, res.panic, res.stack)
        status = Status.TIMEOUT if res.outcome == "timeout" else Status.CRASH
        return Outcome(self.name, status, (), res.outcome, res.stderr)

    def close(self) -> None:
        """Stop the helper process."""
        self._helper.close()

    def __enter__(self) -> GoImpl:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
