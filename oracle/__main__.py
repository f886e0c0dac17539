"""``python -m oracle`` is the ``gotrace-oracle`` command."""

from __future__ import annotations

import sys

from oracle.cli.app import main

sys.exit(main())
