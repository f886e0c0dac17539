"""Exit statuses and the one error the command line reports as a usage error.

Every subcommand exits 0 (the trace was accepted, every input agreed, nothing new was found),
1 (a trace was rejected, the implementations disagreed, a finding or violation), 2 (a usage or
I/O error: one line on stderr), or 130 after an interrupt (SIGINT), as shells report it.
"""

from __future__ import annotations

__all__ = ["EXIT_FINDING", "EXIT_INTERRUPTED", "EXIT_OK", "EXIT_USAGE", "UsageError"]

EXIT_OK = 0
EXIT_FINDING = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130


class UsageError(Exception):
    """A problem with the command line or its inputs: one line, exit status 2."""
