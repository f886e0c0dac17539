"""The ``gotrace-oracle`` command line: ``main``, shared options, one thin module a subcommand."""

from __future__ import annotations

from oracle.cli.app import main

__all__ = ["main"]
