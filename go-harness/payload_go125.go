//go:build go1.25

package main

import (
	"internal/trace"
	"maps"
	"slices"
)

// Go 1.25+: Sync events have an accessor with the generation's clock
// snapshot and experimental batches; experimental events expose typed
// argument values through ArgValue; a Value may also be a string.

func syncPayload(ev traceEvent) obj {
	s := ev.Sync()
	var clock, exp any
	if c := s.ClockSnapshot; c != nil {
		clock = obj{
			{"trace", int64(c.Trace)}, {"mono", c.Mono},
			{"wall_sec", c.Wall.Unix()}, {"wall_nsec", c.Wall.Nanosecond()},
		}
	}
	if s.ExperimentalBatches != nil {
		o := obj{}
		// Map iteration order is random; the schema wants sorted keys.
		for _, name := range slices.Sorted(maps.Keys(s.ExperimentalBatches)) {
			o = append(o, field{name, batchesJSON(s.ExperimentalBatches[name])})
		}
		exp = o
	}
	return obj{{"n", s.N}, {"clock", clock}, {"experimental_batches", exp}}
}

func experimentalPayload(ev traceEvent) any {
	e := ev.Experimental()
	names := make(list, len(e.Args))
	values := make(list, len(e.Args))
	for i, n := range e.Args {
		names[i] = tstr(n)
		values[i] = valueJSON(e.ArgValue(i))
	}
	return obj{
		{"name", tstr(e.Name)}, {"experiment", tstr(e.Experiment)},
		{"arg_names", names}, {"values", values},
	}
}

func valueJSON(v traceValue) any {
	switch v.Kind() {
	case trace.ValueUint64:
		return obj{{"u64", v.Uint64()}}
	case trace.ValueString:
		return obj{{"str", tstr(v.String())}}
	}
	return obj{{"bad", true}}
}
