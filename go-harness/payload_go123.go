//go:build go1.23 && !go1.25

package main

import "internal/trace"

// Go 1.23 and 1.24: Sync events carry no data (there is no Sync accessor);
// experimental batches hang off every experimental event as
// ExperimentalEvent.Data; a Value is a uint64 or bad.

func syncPayload(traceEvent) obj {
	return obj{{"n", nil}, {"clock", nil}, {"experimental_batches", nil}}
}

func experimentalPayload(ev traceEvent) any {
	e := ev.Experimental()
	names := make(list, len(e.ArgNames))
	for i, n := range e.ArgNames {
		names[i] = tstr(n)
	}
	args := make(list, len(e.Args))
	for i, a := range e.Args {
		args[i] = a
	}
	var batches any
	if e.Data != nil {
		batches = batchesJSON(e.Data.Batches)
	}
	return obj{{"name", tstr(e.Name)}, {"arg_names", names}, {"args", args}, {"batches", batches}}
}

func valueJSON(v traceValue) any {
	if v.Kind() == trace.ValueUint64 {
		return obj{{"u64", v.Uint64()}}
	}
	return obj{{"bad", true}}
}
