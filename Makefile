# gotrace-oracle: every target bootstraps what it needs (venv, pinned Go, Go helper) and is
# fast when that is already done.  See README.md.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
# Parallel test workers; CI machines have 2 cores.  Work stealing keeps both busy to the end
# (a few tests take 10 s; plain load balancing left one worker idle behind them).
JOBS   ?= auto

.PHONY: setup test typecheck fuzz bench clean help

help:
	@echo "make fuzz   - bounded differential run against the pinned Go (the main job)"
	@echo "make test   - mypy --strict, then the test suite (pytest -n $(JOBS))"
	@echo "make bench  - benchmarks, Python vs Go in one run (see docs/benchmarks.md)"
	@echo "make setup  - only bootstrap: venv, pinned Go toolchain, Go helper"

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev,fuzz,plot,compiled]'
	@touch $(STAMP)

# --compiled: the optional mypyc build of the parser, cached by source hash (README, "Compiled
# build"); it never fails setup (the pure-Python parser is used instead).  Run on the pure
# parser, so that GOTRACE_ORACLE_IMPL=compiled make test can build what it then requires.
setup: $(STAMP)
	GOTRACE_ORACLE_IMPL=pure $(BIN)/gotrace-oracle setup --compiled

test: setup typecheck
	$(BIN)/python -m pytest -n $(JOBS) --dist worksteal -q

typecheck: $(STAMP)
	$(BIN)/mypy

fuzz: setup
	$(BIN)/gotrace-oracle fuzz --time 60 --jobs 2

bench: setup
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis build *.egg-info
