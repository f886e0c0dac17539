// Command eventw builds trace.Events from raw parts (see export_eventw.go) and prints, per
// input line, Event.String() (or its panic), the go-harness canonical record and the result
// of validateTableIDs. It is compiled by tools/gen_event_expectations.py inside a hard-linked
// GOROOT copy, next to copies of the go-harness files that define eventRecord.
package main

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"encoding/json"
	"os"

	"internal/trace"
)

const (
	exitOK       = 0
	exitRejected = 1
	exitUsage    = 2
	exitPanic    = 3
)

type inSpec struct {
	NoTable      bool
	Strings      map[uint64]string // hex
	Stacks       map[uint64][]uint64
	PCs          [][4]uint64
	ExtraStrings []string // hex
	Freq         float64
	Clock        []uint64
	ExpBatches   map[uint8][][2]any
	G, P, M      int64
	Typ          uint8
	Time         int64
	Args         [4]uint64
}

func unhex(s string) string { b, err := hex.DecodeString(s); if err != nil { panic(err) }; return string(b) }

func main() {
	sc := bufio.NewScanner(os.Stdin)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	w := bufio.NewWriter(os.Stdout)
	defer w.Flush()
	for i := 0; sc.Scan(); i++ {
		var in inSpec
		dec := json.NewDecoder(bytes.NewReader(sc.Bytes()))
		dec.UseNumber()
		if err := dec.Decode(&in); err != nil {
			panic(err)
		}
		s := trace.XSpec{NoTable: in.NoTable, Stacks: in.Stacks, Freq: in.Freq, Clock: in.Clock, G: in.G, P: in.P, M: in.M, Typ: in.Typ, Time: in.Time, Args: in.Args}
		s.Strings = map[uint64]string{}
		for k, v := range in.Strings {
			s.Strings[k] = unhex(v)
		}
		for _, f := range in.PCs {
			s.PCs = append(s.PCs, trace.XFrame{PC: f[0], FuncID: f[1], FileID: f[2], Line: f[3]})
		}
		for _, e := range in.ExtraStrings {
			s.ExtraStrings = append(s.ExtraStrings, unhex(e))
		}
		if in.ExpBatches != nil {
			s.ExpBatches = map[uint8][]trace.XBatch{}
			for k, bs := range in.ExpBatches {
				for _, b := range bs {
					th, _ := b[0].(json.Number).Int64()
					s.ExpBatches[k] = append(s.ExpBatches[k], trace.XBatch{Thread: th, Data: []byte(unhex(b[1].(string)))})
				}
			}
		}
		ev := trace.XMakeEvent(s)
		out := obj{}
		var str string
		if msg, ok := try(func() { str = ev.String() }); ok {
			out = append(out, field{"string", tstr(str)})
		} else {
			out = append(out, field{"string_panic", tstr(msg)})
		}
		out = append(out, field{"record", eventRecord(i, ev)})
		var verr any
		if msg, ok := try(func() {
			if err := trace.XValidate(ev); err != nil {
				verr = tstr(err.Error())
			}
		}); !ok {
			verr = obj{{"panic", tstr(msg)}}
		}
		out = append(out, field{"validate", verr})
		writeLine(w, out)
	}
}
