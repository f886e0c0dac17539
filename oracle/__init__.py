"""gotrace-oracle: an independent, pure-Python reference implementation of Go's
``internal/trace`` parser, and the machinery to hold it against Go's own.
"""

from __future__ import annotations

from oracle.errors import TraceError
from oracle.version import Version

__all__ = ["TraceError", "Version"]
