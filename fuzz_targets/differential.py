#!/usr/bin/env python3
"""libFuzzer target: the reference parser against Go's internal/trace, under atheris.

    python fuzz_targets/differential.py CORPUS -max_total_time=60 -fork=2
    python fuzz_targets/differential.py CORPUS -runs=0              # replay the corpus
    python fuzz_targets/differential.py -merge=1 SMALL BIG...       # minimize a corpus

libFuzzer's command line, libFuzzer's conventions: CORPUS grows, a new divergence is a crash
(``crash-<sha1>``, non-zero exit), known Go bugs are not.  ``GOTRACE_ORACLE_GO`` picks another
Go release, ``GOTRACE_ORACLE_CORPUS`` the corpus root of known findings (see
oracle/campaign/libfuzzer_target.py).  ClusterFuzzLite builds this file (.clusterfuzzlite/).
"""

import sys
from pathlib import Path

from oracle.campaign.libfuzzer_target import main

if __name__ == "__main__":
    # How libFuzzer's -fork and -merge start this target again: a PyInstaller bundle (as
    # ClusterFuzzLite builds it) is its own executable; a script runs with this interpreter.
    frozen = getattr(sys, "frozen", False)
    sys.exit(main(sys.argv, command=[sys.executable] if frozen
                  else [sys.executable, str(Path(__file__).resolve())]))
