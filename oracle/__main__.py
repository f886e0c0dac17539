"""``python -m oracle`` is the ``gotrace-oracle`` command."""

from __future__ import annotations

import sys

from oracle.cli import main

sys.exit(main())
