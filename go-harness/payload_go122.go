//go:build !go1.23

package main

import "internal/trace/v2"

// Go 1.22: Sync events carry no data (there is no Sync accessor), there are
// no experimental events, and a Value is a uint64 or bad.

func syncPayload(traceEvent) obj {
	return obj{{"n", nil}, {"clock", nil}, {"experimental_batches", nil}}
}

func experimentalPayload(traceEvent) any { return nil }

func valueJSON(v traceValue) any {
	if v.Kind() == trace.ValueUint64 {
		return obj{{"u64", v.Uint64()}}
	}
	return obj{{"bad", true}}
}
