package main

import (
	"bytes"
	"fmt"
	"io"
	"reflect"
)

// --- raw, raw-text, to-text, to-binary: the internal/trace/raw package ---

// rawReader is what raw.Reader and raw.TextReader have in common.
type rawReader interface {
	ReadEvent() (rawEvent, error)
}

func modeRaw(in []byte, out, _ io.Writer) int {
	r, err := newRawReader(bytes.NewReader(in))
	if err != nil {
		return endError(out, err)
	}
	return dumpRaw(out, uint32(r.Version()), r)
}

func modeRawText(in []byte, out, _ io.Writer) int {
	r, err := newRawTextReader(bytes.NewReader(in))
	if err != nil {
		return endError(out, err)
	}
	return dumpRaw(out, uint32(r.Version()), r)
}

// dumpRaw writes the version line, one record per raw event and the
// terminal record (docs/canonical-json.md, "Mode raw").
func dumpRaw(out io.Writer, version uint32, r rawReader) (code int) {
	writeLine(out, obj{{"version", uint64(version)}})
	for {
		var ev rawEvent
		var err error
		if msg, ok := try(func() { ev, err = r.ReadEvent() }); !ok {
			return endPanic(out, msg)
		}
		if err == io.EOF {
			return endEOF(out)
		}
		if err != nil {
			return endError(out, err)
		}
		args := make(list, len(ev.Args))
		for i, a := range ev.Args {
			args[i] = a
		}
		var data any
		if ev.Data != nil {
			data = hexBytes(ev.Data)
		}
		writeLine(out, obj{
			{"type", uint64(ev.Ev)},
			{"name", tstr(ev.Version.Specs()[ev.Ev].Name)},
			{"args", args},
			{"data", data},
		})
	}
}

func modeToText(in []byte, out, _ io.Writer) int {
	fail := func(err error) int {
		fmt.Fprintf(out, "ERROR: %v\n", err)
		return exitRejected
	}
	r, err := newRawReader(bytes.NewReader(in))
	if err != nil {
		return fail(err)
	}
	w, err := newRawTextWriter(out, r.Version())
	if err != nil {
		return fail(err)
	}
	for {
		ev, err := r.ReadEvent()
		if err == io.EOF {
			return exitOK
		}
		if err != nil {
			return fail(err)
		}
		if err := w.WriteEvent(ev); err != nil {
			return fail(err)
		}
	}
}

func modeToBinary(in []byte, out, errw io.Writer) int {
	fail := func(err error) int {
		fmt.Fprintf(errw, "to-binary: %v\n", err)
		return exitRejected
	}
	r, err := newRawTextReader(bytes.NewReader(in))
	if err != nil {
		return fail(err)
	}
	w, err := newRawWriter(out, r.Version())
	if err != nil {
		return fail(err)
	}
	for {
		ev, err := r.ReadEvent()
		if err == io.EOF {
			return exitOK
		}
		if err != nil {
			return fail(err)
		}
		if err := w.WriteEvent(ev); err != nil {
			return fail(err)
		}
	}
}

// --- go-string: Event.String(), for people and for the String() oracle ---

func modeGoString(in []byte, out, _ io.Writer) int {
	return goStringStream(bytes.NewReader(in), out)
}

// goStringStream is the go-string mode on any reader (the trace is never held whole).
func goStringStream(in io.Reader, out io.Writer) int {
	var r *traceReader
	var err error
	if msg, ok := try(func() { r, err = newTraceReader(in) }); !ok {
		fmt.Fprintf(out, "PANIC: %s\n", msg)
		return exitPanic
	}
	for err == nil {
		var ev traceEvent
		var s string
		msg, ok := try(func() {
			if ev, err = r.ReadEvent(); err == nil {
				s = ev.String()
			}
		})
		if !ok {
			fmt.Fprintf(out, "PANIC: %s\n", msg)
			return exitPanic
		}
		if err == nil {
			io.WriteString(out, s+"\n")
		}
	}
	if err == io.EOF {
		io.WriteString(out, "EOF\n")
		return exitOK
	}
	fmt.Fprintf(out, "ERROR: %v\n", err)
	return exitRejected
}

// --- parse: the canonical JSON dump of every event ---

func modeParse(in []byte, out, _ io.Writer) int {
	return parseStream(bytes.NewReader(in), out)
}

// parseStream is the parse mode on any reader: one record is written per event as
// ReadEvent yields it, so with a streaming in and out nothing grows with the trace.
func parseStream(in io.Reader, out io.Writer) int {
	var r *traceReader
	var err error
	if msg, ok := try(func() { r, err = newTraceReader(in) }); !ok {
		return endPanic(out, msg)
	}
	if err != nil {
		return endError(out, err)
	}
	for i := 0; ; i++ {
		var ev traceEvent
		if msg, ok := try(func() { ev, err = r.ReadEvent() }); !ok {
			return endPanic(out, msg)
		}
		if err == io.EOF {
			return endEOF(out)
		}
		if err != nil {
			return endError(out, err)
		}
		writeLine(out, eventRecord(i, ev))
	}
}

// eventRecord builds the record of one event. Every accessor runs under its
// own recover: a panicking accessor is a finding about Go, so its key is
// dropped and the panic is recorded in a trailing "panics" object, while the
// rest of the record (and the trace) is still dumped.
func eventRecord(i int, ev traceEvent) obj {
	rec := obj{{"i", i}}
	var panics obj
	get := func(accessor, key string, f func() any) bool {
		var v any
		if msg, ok := try(func() { v = f() }); !ok {
			panics = append(panics, field{accessor, tstr(msg)})
			return false
		}
		rec = append(rec, field{key, v})
		return true
	}
	var kind traceEventKind
	kindOK := get("Kind", "kind", func() any { kind = ev.Kind(); return kind.String() })
	get("Time", "time", func() any { return int64(ev.Time()) })
	get("Thread", "m", func() any { return int64(ev.Thread()) })
	get("Proc", "p", func() any { return int64(ev.Proc()) })
	get("Goroutine", "g", func() any { return int64(ev.Goroutine()) })
	get("Stack", "stack", func() any { return stackJSON(ev.Stack()) })
	if kindOK {
		switch kind {
		case eventSync:
			get("Sync", "sync", func() any { return syncPayload(ev) })
		case eventMetric:
			get("Metric", "metric", func() any {
				m := ev.Metric()
				return obj{{"name", tstr(m.Name)}, {"value", valueJSON(m.Value)}}
			})
		case eventLabel:
			get("Label", "label", func() any {
				l := ev.Label()
				return obj{{"label", tstr(l.Label)}, {"resource", resourceJSON(l.Resource)}}
			})
		case eventRangeBegin, eventRangeActive, eventRangeEnd:
			get("Range", "range", func() any {
				r := ev.Range()
				var attrs any
				if kind == eventRangeEnd {
					if as := ev.RangeAttributes(); as != nil {
						l := make(list, len(as))
						for i, a := range as {
							l[i] = obj{{"name", tstr(a.Name)}, {"value", valueJSON(a.Value)}}
						}
						attrs = l
					}
				}
				return obj{{"name", tstr(r.Name)}, {"scope", resourceJSON(r.Scope)}, {"attributes", attrs}}
			})
		case eventTaskBegin, eventTaskEnd:
			get("Task", "task", func() any {
				t := ev.Task()
				return obj{{"id", uint64(t.ID)}, {"parent", uint64(t.Parent)}, {"type", tstr(t.Type)}}
			})
		case eventRegionBegin, eventRegionEnd:
			get("Region", "region", func() any {
				r := ev.Region()
				return obj{{"task", uint64(r.Task)}, {"type", tstr(r.Type)}}
			})
		case eventLog:
			get("Log", "log", func() any {
				l := ev.Log()
				return obj{{"task", uint64(l.Task)}, {"category", tstr(l.Category)}, {"message", tstr(l.Message)}}
			})
		case eventStateTransition:
			get("StateTransition", "transition", func() any { return transitionJSON(ev.StateTransition()) })
		case eventExperimental:
			get("Experimental", "experimental", func() any { return experimentalPayload(ev) })
		}
	}
	if panics != nil {
		rec = append(rec, field{"panics", panics})
	}
	return rec
}

func transitionJSON(st traceStateTransition) obj {
	var from, to any
	switch st.Resource.Kind {
	case resourceGoroutine:
		f, t := st.Goroutine()
		from, to = f.String(), t.String()
	case resourceProc:
		f, t := st.Proc()
		from, to = f.String(), t.String()
	}
	return obj{
		{"resource", resourceJSON(st.Resource)},
		{"from", from}, {"to", to},
		{"reason", tstr(st.Reason)},
		{"stack", stackJSON(st.Stack)},
	}
}

// stackJSON is null for NoStack and otherwise the list of frames, possibly
// empty (a stack handle with ID 0 that is not NoStack).
func stackJSON(s traceStack) any {
	if s == noStack {
		return nil
	}
	frames := list{}
	for _, f := range stackFrames(s) {
		frames = append(frames, obj{
			{"pc", f.PC}, {"func", tstr(f.Func)}, {"file", tstr(f.File)}, {"line", f.Line},
		})
	}
	return frames
}

// resourceJSON reads the ID through reflection: ResourceID's id field is
// unexported, and its typed getters panic for ResourceNone, whose id we
// still want to see.
func resourceJSON(r traceResourceID) obj {
	id := reflect.ValueOf(r).FieldByName("id").Int()
	return obj{{"kind", r.Kind.String()}, {"id", id}}
}

// --- terminal records and panics ---

func endEOF(out io.Writer) int {
	writeLine(out, obj{{"end", "EOF"}})
	return exitOK
}

func endError(out io.Writer, err error) int {
	writeLine(out, obj{{"end", "error"}, {"error", tstr(err.Error())}})
	return exitRejected
}

func endPanic(out io.Writer, msg string) int {
	writeLine(out, obj{{"end", "panic"}, {"panic", tstr(msg)}})
	return exitPanic
}

// try runs f and turns a panic into its message.
func try(f func()) (msg string, ok bool) {
	defer func() {
		if r := recover(); r != nil {
			msg, ok = fmt.Sprint(r), false
		}
	}()
	f()
	return "", true
}
