"""The v1 trace parser (Go 1.11 to 1.21 traces), ported from ``internal/trace/internal/tracev1``.

:mod:`.events` holds the vocabulary, :mod:`.order` the goroutine-sequence ordering, and
:mod:`.parser` the parser proper; :mod:`oracle.parser.convert` turns its result into v2 events.
"""
