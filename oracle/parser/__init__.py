"""The reference parser: a pure port of Go's ``internal/trace`` reading pipeline.

Modules mirror Go's stages so a Go engineer finds their way by name:

- wire layer: ``tracev2`` (event specs as data), ``version`` (headers), ``uvarint``, ``raw``
  (raw binary/text reader and writer), ``rawtrace`` (the batched raw model), ``txtar``;
- Go-stdlib ports: ``gostrconv`` (strconv.Quote), ``gosort`` (slices.SortFunc);
- the pipeline: ``base`` -> ``batch`` -> ``generation`` -> ``batchcursor`` -> ``order`` ->
  ``event`` (with ``value`` and ``resources``) -> ``reader``;
- outputs and inputs: ``canonical`` (the canonical JSON dump), ``inputs`` (format sniffing).

A module imports only stages to its left (``tests/test_layering.py``); nothing here imports
Go, the harness, the differential engine, campaigns or the CLI.
"""

from oracle.parser import compiled as _compiled

# Before any parser module is imported: select the pure modules or the cached mypyc build
# (GOTRACE_ORACLE_IMPL=pure|compiled|auto; see oracle/parser/compiled.py).
_compiled.activate(__path__)
