"""Parser implementations behind one interface: trace bytes in, :class:`Outcome` out."""

from __future__ import annotations

from oracle.diff.impls.go import GoImpl
from oracle.diff.impls.python import PythonImpl

__all__ = ["GoImpl", "PythonImpl"]
