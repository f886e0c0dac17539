//go:build go1.23

package main

// Aliases for the parts of internal/trace that the version-independent files
// use. Go 1.22 shipped the new parser as internal/trace/v2 (next to the old
// one); Go 1.23 moved it to internal/trace. This file and its sibling are the
// only ones that import it, so the rest of the program compiles against
// whichever the toolchain has.

import (
	"io"

	"internal/trace"
	"internal/trace/raw"
	"internal/trace/version"
)

type (
	traceReader          = trace.Reader
	traceEvent           = trace.Event
	traceEventKind       = trace.EventKind
	traceStack           = trace.Stack
	traceStackFrame      = trace.StackFrame
	traceValue           = trace.Value
	traceResourceID      = trace.ResourceID
	traceStateTransition = trace.StateTransition
	rawEvent             = raw.Event
)

const (
	eventSync            = trace.EventSync
	eventMetric          = trace.EventMetric
	eventLabel           = trace.EventLabel
	eventRangeBegin      = trace.EventRangeBegin
	eventRangeActive     = trace.EventRangeActive
	eventRangeEnd        = trace.EventRangeEnd
	eventTaskBegin       = trace.EventTaskBegin
	eventTaskEnd         = trace.EventTaskEnd
	eventRegionBegin     = trace.EventRegionBegin
	eventRegionEnd       = trace.EventRegionEnd
	eventLog             = trace.EventLog
	eventStateTransition = trace.EventStateTransition
	resourceGoroutine    = trace.ResourceGoroutine
	resourceProc         = trace.ResourceProc
)

var noStack = trace.NoStack

func newTraceReader(r io.Reader) (*traceReader, error) { return trace.NewReader(r) }

func newRawReader(r io.Reader) (*raw.Reader, error) { return raw.NewReader(r) }

func newRawTextReader(r io.Reader) (*raw.TextReader, error) { return raw.NewTextReader(r) }

func newRawTextWriter(w io.Writer, v version.Version) (*raw.TextWriter, error) {
	return raw.NewTextWriter(w, v)
}

func newRawWriter(w io.Writer, v version.Version) (*raw.Writer, error) { return raw.NewWriter(w, v) }

const eventExperimental = trace.EventExperimental

func batchesJSON(batches []trace.ExperimentalBatch) list {
	l := make(list, len(batches))
	for i, b := range batches {
		l[i] = obj{{"thread", int64(b.Thread)}, {"data", hexBytes(b.Data)}}
	}
	return l
}
