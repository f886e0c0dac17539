//go:build go1.26

package main

import (
	"bytes"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"

	"internal/trace"
)

// Mode remake (Go >= 1.26): for every event the Reader yields, rebuild it with
// trace.MakeEvent from what its public accessors report, then compare the
// rebuilt event with the original through every accessor and String(). See
// remake.go for the output format.
//
// Deliberate limits of MakeEvent, counted in "unsupported" rather than
// reported as problems:
//
//   - "Experimental": EventDetails has no ExperimentalEvent member, so
//     experimental events cannot be built at all;
//   - "RangeAttributes": Range details carry no attributes, so a rebuilt
//     GCSweepEnd always reports zero "bytes swept"/"bytes reclaimed". Only
//     events whose sole differences are RangeAttributes (and the Attributes
//     part of String()) are counted here; any other difference is a problem.

func modeRemake(in []byte, out, _ io.Writer) int {
	st := remakeStats{unsupported: map[string]int{}}
	remakeProbes(out, &st)
	var r *trace.Reader
	var err error
	if msg, ok := try(func() { r, err = trace.NewReader(bytes.NewReader(in)) }); !ok {
		return st.end(out, obj{{"end", "panic"}, {"panic", tstr(msg)}}, exitPanic)
	}
	if err != nil {
		return st.end(out, obj{{"end", "error"}, {"error", tstr(err.Error())}}, exitRejected)
	}
	prev := trace.Time(0)
	for i := 0; ; i++ {
		var ev trace.Event
		if msg, ok := try(func() { ev, err = r.ReadEvent() }); !ok {
			return st.end(out, obj{{"end", "panic"}, {"panic", tstr(msg)}}, exitPanic)
		}
		if err == io.EOF {
			return st.end(out, obj{{"end", "EOF"}}, exitOK)
		}
		if err != nil {
			return st.end(out, obj{{"end", "error"}, {"error", tstr(err.Error())}}, exitRejected)
		}
		st.events++
		exerciseEvent(ev, prev)
		prev = ev.Time()
		remakeOne(out, i, ev, &st)
	}
}

type remakeStats struct {
	events, remade, problems int
	accessorPanics           int
	unsupported              map[string]int
}

func (st *remakeStats) end(out io.Writer, rec obj, code int) int {
	uns := obj{}
	for _, k := range slices.Sorted(maps.Keys(st.unsupported)) {
		uns = append(uns, field{k, st.unsupported[k]})
	}
	rec = append(rec[:1], append(obj{
		{"events", st.events}, {"remade", st.remade}, {"problems", st.problems},
		{"accessor_panics", st.accessorPanics}, {"unsupported", uns},
	}, rec[1:]...)...)
	writeLine(out, rec)
	return code
}

func (st *remakeStats) problem(out io.Writer, i int, kind, problem, fieldName string, detail any, extra ...field) {
	st.problems++
	rec := obj{{"i", i}, {"kind", kind}, {"problem", problem}, {"field", fieldName}, {"detail", detail}}
	writeLine(out, append(rec, extra...))
}

// remakeOne rebuilds ev and reports how the rebuilt event differs.
func remakeOne(out io.Writer, i int, ev trace.Event, st *remakeStats) {
	kind := ev.Kind()
	if kind == trace.EventExperimental {
		st.unsupported["Experimental"]++
		return
	}
	// The original's accessors run first, on their own: when one of them
	// panics, that is a parser bug (mode parse reports it), not a MakeEvent
	// one, and the event is skipped and counted in "accessor_panics".
	var build func() (trace.Event, error)
	if _, ok := try(func() { build = remakeEvent(ev) }); !ok {
		st.accessorPanics++
		return
	}
	var re trace.Event
	var err error
	if msg, ok := try(func() { re, err = build() }); !ok {
		st.problem(out, i, kind.String(), "panic", "MakeEvent", tstr(msg))
		return
	}
	if err != nil {
		st.problem(out, i, kind.String(), "error", "MakeEvent", tstr(err.Error()))
		return
	}
	st.remade++
	a, b := eventView(ev), eventView(re)
	var diff []string
	for k, name := range viewFields {
		if a[k] != b[k] {
			diff = append(diff, name)
		}
	}
	if len(diff) == 0 {
		return
	}
	if kind == trace.EventRangeEnd && onlyAttributes(diff, a, b) {
		st.unsupported["RangeAttributes"]++
		return
	}
	first := slices.Index(viewFields, diff[0])
	fields := make(list, len(diff))
	for k, d := range diff {
		fields[k] = d
	}
	st.problem(out, i, kind.String(), "mismatch", diff[0],
		obj{{"original", tstr(a[first])}, {"remade", tstr(b[first])}},
		field{"fields", fields})
}

// onlyAttributes: the events differ only in RangeAttributes, and their
// String()s are equal once the Attributes=[...] part is cut off.
func onlyAttributes(diff []string, a, b []string) bool {
	for _, d := range diff {
		if d != "RangeAttributes" && d != "String" {
			return false
		}
	}
	s := slices.Index(viewFields, "String")
	cut := func(x string) string {
		if i := strings.Index(x, " Attributes=["); i >= 0 {
			if j := strings.Index(x[i:], "]"); j >= 0 {
				return x[:i] + x[i+j+1:]
			}
		}
		return x
	}
	return cut(a[s]) == cut(b[s])
}

// remakeEvent reads ev's public accessors and returns the call of
// trace.MakeEvent with a configuration built only from them, with
// kind-specific details.
func remakeEvent(ev trace.Event) func() (trace.Event, error) {
	switch kind := ev.Kind(); kind {
	case trace.EventMetric:
		m := ev.Metric()
		return remakeWith(ev, trace.Metric{Name: m.Name, Value: copyValue(m.Value)})
	case trace.EventLabel:
		l := ev.Label()
		return remakeWith(ev, trace.Label{Label: l.Label, Resource: copyResource(l.Resource)})
	case trace.EventRangeBegin, trace.EventRangeActive, trace.EventRangeEnd:
		r := ev.Range()
		return remakeWith(ev, trace.Range{Name: r.Name, Scope: copyResource(r.Scope)})
	case trace.EventTaskBegin, trace.EventTaskEnd:
		t := ev.Task()
		return remakeWith(ev, trace.Task{ID: t.ID, Parent: t.Parent, Type: t.Type})
	case trace.EventRegionBegin, trace.EventRegionEnd:
		r := ev.Region()
		return remakeWith(ev, trace.Region{Task: r.Task, Type: r.Type})
	case trace.EventLog:
		l := ev.Log()
		return remakeWith(ev, trace.Log{Task: l.Task, Category: l.Category, Message: l.Message})
	case trace.EventStateTransition:
		s := ev.StateTransition()
		var t trace.StateTransition
		switch s.Resource.Kind {
		case trace.ResourceGoroutine:
			from, to := s.Goroutine()
			t = trace.MakeGoStateTransition(s.Resource.Goroutine(), from, to)
		case trace.ResourceProc:
			from, to := s.Proc()
			t = trace.MakeProcStateTransition(s.Resource.Proc(), from, to)
		default:
			return failWith(fmt.Errorf("remake: transition of a %s resource has no constructor", s.Resource.Kind))
		}
		t.Reason = s.Reason
		t.Stack = copyStack(s.Stack)
		return remakeWith(ev, t)
	case trace.EventStackSample:
		return remakeWith(ev, trace.StackSample{})
	case trace.EventSync:
		s := ev.Sync()
		n := trace.Sync{N: s.N}
		if c := s.ClockSnapshot; c != nil {
			n.ClockSnapshot = &trace.ClockSnapshot{Trace: c.Trace, Wall: c.Wall, Mono: c.Mono}
		}
		if s.ExperimentalBatches != nil {
			n.ExperimentalBatches = make(map[string][]trace.ExperimentalBatch, len(s.ExperimentalBatches))
			for k, v := range s.ExperimentalBatches {
				n.ExperimentalBatches[k] = slices.Clone(v)
			}
		}
		return remakeWith(ev, n)
	default:
		return failWith(fmt.Errorf("remake: no details type for kind %s", kind))
	}
}

func remakeWith[T trace.EventDetails](ev trace.Event, d T) func() (trace.Event, error) {
	c := trace.EventConfig[T]{
		Time:      ev.Time(),
		Kind:      ev.Kind(),
		Goroutine: ev.Goroutine(),
		Proc:      ev.Proc(),
		Thread:    ev.Thread(),
		Stack:     copyStack(ev.Stack()),
		Details:   d,
	}
	return func() (trace.Event, error) { return trace.MakeEvent(c) }
}

func failWith(err error) func() (trace.Event, error) {
	return func() (trace.Event, error) { return trace.Event{}, err }
}

// copyStack rebuilds a stack from its frames with MakeStack, so that the new
// event shares nothing with the Reader's tables.
func copyStack(s trace.Stack) trace.Stack {
	if s == trace.NoStack {
		return trace.NoStack
	}
	return trace.MakeStack(slices.Collect(s.Frames()))
}

func copyValue(v trace.Value) trace.Value {
	switch v.Kind() {
	case trace.ValueUint64:
		return trace.Uint64Value(v.Uint64())
	case trace.ValueString:
		return trace.StringValue(strings.Clone(v.String()))
	}
	return trace.Value{}
}

// copyResource rebuilds a ResourceID through MakeResourceID and the typed
// getters (ResourceNone has no constructor: its zero value is used).
func copyResource(r trace.ResourceID) trace.ResourceID {
	switch r.Kind {
	case trace.ResourceGoroutine:
		return trace.MakeResourceID(r.Goroutine())
	case trace.ResourceProc:
		return trace.MakeResourceID(r.Proc())
	case trace.ResourceThread:
		return trace.MakeResourceID(r.Thread())
	}
	return r
}

// --- the view: everything the public API says about an event ---

var viewFields = []string{
	"Kind", "Time", "Thread", "Proc", "Goroutine", "Stack", "Stack.String",
	"Metric", "Label", "Range", "RangeAttributes", "Task", "Region", "Log",
	"StateTransition", "Sync", "String",
}

// eventView renders every accessor of ev as a string, in viewFields order;
// a panicking accessor renders as "panic: MSG", an inapplicable one as "".
func eventView(ev trace.Event) []string {
	v := make([]string, len(viewFields))
	kind := ev.Kind()
	get := func(k int, f func() string) {
		defer func() {
			if r := recover(); r != nil {
				v[k] = fmt.Sprintf("panic: %v", r)
			}
		}()
		v[k] = f()
	}
	get(0, func() string { return kind.String() })
	get(1, func() string { return fmt.Sprint(int64(ev.Time())) })
	get(2, func() string { return fmt.Sprint(int64(ev.Thread())) })
	get(3, func() string { return fmt.Sprint(int64(ev.Proc())) })
	get(4, func() string { return fmt.Sprint(int64(ev.Goroutine())) })
	get(5, func() string { return stackView(ev.Stack()) })
	get(6, func() string { return ev.Stack().String() })
	switch kind {
	case trace.EventMetric:
		get(7, func() string { m := ev.Metric(); return fmt.Sprintf("%q=%s", m.Name, valueView(m.Value)) })
	case trace.EventLabel:
		get(8, func() string { l := ev.Label(); return fmt.Sprintf("%q on %s", l.Label, resourceView(l.Resource)) })
	case trace.EventRangeBegin, trace.EventRangeActive, trace.EventRangeEnd:
		get(9, func() string { r := ev.Range(); return fmt.Sprintf("%q scope %s", r.Name, resourceView(r.Scope)) })
		if kind == trace.EventRangeEnd {
			get(10, func() string {
				var sb strings.Builder
				for _, a := range ev.RangeAttributes() {
					fmt.Fprintf(&sb, "%q=%s;", a.Name, valueView(a.Value))
				}
				return sb.String()
			})
		}
	case trace.EventTaskBegin, trace.EventTaskEnd:
		get(11, func() string { t := ev.Task(); return fmt.Sprintf("id=%d parent=%d type=%q", t.ID, t.Parent, t.Type) })
	case trace.EventRegionBegin, trace.EventRegionEnd:
		get(12, func() string { r := ev.Region(); return fmt.Sprintf("task=%d type=%q", r.Task, r.Type) })
	case trace.EventLog:
		get(13, func() string {
			l := ev.Log()
			return fmt.Sprintf("task=%d category=%q message=%q", l.Task, l.Category, l.Message)
		})
	case trace.EventStateTransition:
		get(14, func() string { return transitionView(ev.StateTransition()) })
	case trace.EventSync:
		get(15, func() string { return syncView(ev.Sync()) })
	}
	get(16, func() string { return ev.String() })
	return v
}

func stackView(s trace.Stack) string {
	if s == trace.NoStack {
		return "NoStack"
	}
	var sb strings.Builder
	sb.WriteString("[")
	for f := range s.Frames() {
		fmt.Fprintf(&sb, "{%#x %q %q %d}", f.PC, f.Func, f.File, f.Line)
	}
	sb.WriteString("]")
	return sb.String()
}

func valueView(v trace.Value) string {
	switch v.Kind() {
	case trace.ValueUint64:
		return fmt.Sprintf("u64:%d", v.Uint64())
	case trace.ValueString:
		return fmt.Sprintf("str:%q", v.String())
	}
	return "bad:" + v.String()
}

func resourceView(r trace.ResourceID) string {
	return fmt.Sprintf("%s/%d", r.Kind, resourceJSON(r)[1].val)
}

func transitionView(s trace.StateTransition) string {
	var ft string
	switch s.Resource.Kind {
	case trace.ResourceGoroutine:
		f, t := s.Goroutine()
		ft = f.String() + "->" + t.String()
	case trace.ResourceProc:
		f, t := s.Proc()
		ft = f.String() + "->" + t.String()
	}
	return fmt.Sprintf("%s %s reason=%q stack=%s", resourceView(s.Resource), ft, s.Reason, stackView(s.Stack))
}

func syncView(s trace.Sync) string {
	var sb strings.Builder
	fmt.Fprintf(&sb, "N=%d", s.N)
	if c := s.ClockSnapshot; c != nil {
		fmt.Fprintf(&sb, " clock{trace=%d mono=%d wall=%d.%09d}", c.Trace, c.Mono, c.Wall.Unix(), c.Wall.Nanosecond())
	}
	// A nil and an empty ExperimentalBatches map read the same; MakeEvent
	// always yields a non-nil map, the Reader's final Sync event a nil one.
	for _, k := range slices.Sorted(maps.Keys(s.ExperimentalBatches)) {
		fmt.Fprintf(&sb, " %q:[", k)
		for _, b := range s.ExperimentalBatches[k] {
			fmt.Fprintf(&sb, "{%d %x}", b.Thread, b.Data)
		}
		sb.WriteString("]")
	}
	return sb.String()
}

// --- the rest of the public API, called for coverage and sanity ---

// exerciseEvent calls the public accessors and methods that the parse mode
// never reaches, each under recover (panics for the wrong kind of resource or
// value are documented behaviour, not findings).
func exerciseEvent(ev trace.Event, prev trace.Time) {
	quiet := func(f func()) {
		defer func() { _ = recover() }()
		f()
	}
	quiet(func() { _ = ev.Time().Sub(prev) })
	quiet(func() { _ = ev.Stack().String() })
	quiet(func() { _ = ev.Kind().String() })
	for _, r := range []trace.ResourceID{
		trace.MakeResourceID(ev.Goroutine()), trace.MakeResourceID(ev.Proc()),
		trace.MakeResourceID(ev.Thread()), {},
	} {
		exerciseResource(r)
	}
	// The kind-specific accessors on every event: all but the matching one
	// panic ("X called on non-X event"), which is documented behaviour.
	quiet(func() { _ = ev.Metric() })
	quiet(func() { _ = ev.Label() })
	quiet(func() { _ = ev.Range() })
	quiet(func() { _ = ev.RangeAttributes() })
	quiet(func() { _ = ev.Task() })
	quiet(func() { _ = ev.Region() })
	quiet(func() { _ = ev.Log() })
	quiet(func() { _ = ev.StateTransition() })
	quiet(func() { _ = ev.Sync() })
	quiet(func() { _ = ev.Experimental() })
	switch ev.Kind() {
	case trace.EventStateTransition:
		quiet(func() {
			s := ev.StateTransition()
			exerciseResource(s.Resource)
			_ = s.Stack.String()
			quiet(func() { f, t := s.Goroutine(); _, _, _, _ = f.Executing(), t.Executing(), f.String(), t.String() })
			quiet(func() { f, t := s.Proc(); _, _, _, _ = f.Executing(), t.Executing(), f.String(), t.String() })
		})
	case trace.EventLabel:
		quiet(func() { exerciseResource(ev.Label().Resource) })
	case trace.EventRangeBegin, trace.EventRangeActive, trace.EventRangeEnd:
		quiet(func() { exerciseResource(ev.Range().Scope) })
	case trace.EventMetric:
		quiet(func() { exerciseValue(ev.Metric().Value) })
	case trace.EventExperimental:
		quiet(func() {
			e := ev.Experimental()
			for i := range e.Args {
				exerciseValue(e.ArgValue(i))
			}
			quiet(func() { e.ArgValue(len(e.Args)) })
		})
	}
}

func exerciseResource(r trace.ResourceID) {
	quiet := func(f func()) {
		defer func() { _ = recover() }()
		f()
	}
	quiet(func() { _ = r.Kind.String() })
	quiet(func() { _ = r.String() })
	quiet(func() { _ = r.Goroutine() })
	quiet(func() { _ = r.Proc() })
	quiet(func() { _ = r.Thread() })
}

func exerciseValue(v trace.Value) {
	quiet := func(f func()) {
		defer func() { _ = recover() }()
		f()
	}
	quiet(func() { _ = v.Kind() })
	quiet(func() { _ = v.String() })
	quiet(func() { _ = v.Uint64() })
}

// exerciseConstants covers the String methods of out-of-range enum values
// and the Value constructors; run once per trace.
func exerciseConstants() {
	_ = trace.EventKind(255).String()
	for s := trace.GoState(0); s < 8; s++ {
		_, _ = s.String(), s.Executing()
	}
	for s := trace.ProcState(0); s < 6; s++ {
		_, _ = s.String(), s.Executing()
	}
	for k := trace.ResourceKind(0); k < 6; k++ {
		_ = k.String()
	}
	for _, v := range []trace.Value{{}, trace.Uint64Value(1), trace.StringValue("s")} {
		exerciseValue(v)
	}
	_ = trace.NoStack.String()
	_ = trace.MakeStack(nil).String()
}

// --- probes: invalid configurations that MakeEvent documents as errors ---

type probe struct {
	name string
	make func() (trace.Event, error)
}

func cfg[T trace.EventDetails](kind trace.EventKind, d T) func() (trace.Event, error) {
	return func() (trace.Event, error) {
		return trace.MakeEvent(trace.EventConfig[T]{Time: 1, Kind: kind, Goroutine: 1, Proc: 1, Thread: 1, Details: d})
	}
}

func goTr(from, to trace.GoState) trace.StateTransition {
	return trace.MakeGoStateTransition(1, from, to)
}

var remakeProbeList = []probe{
	{"no kind", cfg(trace.EventBad, trace.Log{})},
	{"kind/details mismatch", cfg(trace.EventMetric, trace.Log{})},
	{"unknown kind", cfg(trace.EventKind(200), trace.Log{})},
	{"string metric value", cfg(trace.EventMetric, trace.Metric{Name: "/gc/heap/goal:bytes", Value: trace.StringValue("x")})},
	{"unknown metric", cfg(trace.EventMetric, trace.Metric{Name: "/no/such:metric", Value: trace.Uint64Value(1)})},
	{"label on proc", cfg(trace.EventLabel, trace.Label{Label: "l", Resource: trace.MakeResourceID(trace.ProcID(1))})},
	{"GC range scoped to goroutine", cfg(trace.EventRangeBegin, trace.Range{Name: "GC concurrent mark phase", Scope: trace.MakeResourceID(trace.GoID(1))})},
	{"sweep range scoped to none", cfg(trace.EventRangeBegin, trace.Range{Name: "GC incremental sweep"})},
	{"assist range scoped to proc", cfg(trace.EventRangeEnd, trace.Range{Name: "GC mark assist", Scope: trace.MakeResourceID(trace.ProcID(1))})},
	{"unknown range", cfg(trace.EventRangeBegin, trace.Range{Name: "no such range"})},
	{"STW scoped to proc", cfg(trace.EventRangeBegin, trace.Range{Name: "stop-the-world (x)", Scope: trace.MakeResourceID(trace.ProcID(1))})},
	{"active STW", cfg(trace.EventRangeActive, trace.Range{Name: "stop-the-world (x)", Scope: trace.MakeResourceID(trace.GoID(1))})},
	{"task NoTask", cfg(trace.EventTaskBegin, trace.Task{ID: trace.NoTask})},
	{"unknown experiment", cfg(trace.EventSync, trace.Sync{ExperimentalBatches: map[string][]trace.ExperimentalBatch{"NoSuchExperiment": nil}})},
	{"thread transition", cfg(trace.EventStateTransition, trace.StateTransition{Resource: trace.MakeResourceID(trace.ThreadID(1))})},
	{"NotExist->Running", cfg(trace.EventStateTransition, goTr(trace.GoNotExist, trace.GoRunning))},
	{"Running->Undetermined", cfg(trace.EventStateTransition, goTr(trace.GoRunning, trace.GoUndetermined))},
	{"Syscall->Waiting", cfg(trace.EventStateTransition, goTr(trace.GoSyscall, trace.GoWaiting))},
	{"Waiting->Running", cfg(trace.EventStateTransition, goTr(trace.GoWaiting, trace.GoRunning))},
	{"NotExist->NotExist", cfg(trace.EventStateTransition, goTr(trace.GoNotExist, trace.GoNotExist))},
}

// remakeProbes runs every probe; one that panics or returns no error is a
// problem record with i = -1.
func remakeProbes(out io.Writer, st *remakeStats) {
	exerciseConstants()
	for _, p := range remakeProbeList {
		var err error
		if msg, ok := try(func() { _, err = p.make() }); !ok {
			st.problem(out, -1, "probe", "panic", p.name, tstr(msg))
		} else if err == nil {
			st.problem(out, -1, "probe", "accepted", p.name, nil)
		}
	}
}
