"""Campaigns: many cases through the differential engine, with findings kept.

- ``checker``: one case through both parsers (:class:`~oracle.campaign.checker.CaseChecker`);
- ``sources``: where cases come from (Go's testdata, the corpus, generated traces);
- ``findings``: the finding store and the known signatures;
- ``report`` and ``progress``: the typed campaign report, its atomic writing and summary,
  and the one live progress line;
- ``hypothesis_engine`` and ``atheris_engine`` (with ``atheris_mutators``): the two engines;
- ``conform`` and ``coverage``: the CI conformance check and Go-side coverage.

Imports the parser, the harness, the differential engine and the strategies; never the CLI.
"""
