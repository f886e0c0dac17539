package trace

// Test hook for the Python port's event tests (tools/gen_event_expectations.py copies this
// file into a GOROOT copy's src/internal/trace): build an Event from raw parts, bypassing the
// reader, so that every accessor and String() can be exercised on chosen inputs.

import (
	"time"

	"internal/trace/tracev2"
)

type XFrame struct {
	PC, FuncID, FileID, Line uint64
}

type XBatch struct {
	Thread int64
	Data   []byte
}

type XSpec struct {
	NoTable      bool
	Strings      map[uint64]string
	Stacks       map[uint64][]uint64
	PCs          []XFrame
	ExtraStrings []string
	Freq         float64
	Clock        []uint64 // snapTime, mono, sec, nsec
	ExpBatches   map[uint8][]XBatch
	G, P, M      int64
	Typ          uint8
	Time         int64
	Args         [4]uint64
}

func XMakeEvent(s XSpec) Event {
	var tbl *evTable
	if !s.NoTable {
		tbl = &evTable{pcs: make(map[uint64]frame)}
		for id, str := range s.Strings {
			tbl.strings.insert(stringID(id), str)
		}
		for id, pcs := range s.Stacks {
			tbl.stacks.insert(stackID(id), stack{pcs: pcs})
		}
		for _, f := range s.PCs {
			tbl.pcs[f.PC] = frame{pc: f.PC, funcID: stringID(f.FuncID), fileID: stringID(f.FileID), line: f.Line}
		}
		for _, e := range s.ExtraStrings {
			tbl.addExtraString(e)
		}
		tbl.freq = frequency(s.Freq)
		if s.Clock != nil {
			tbl.hasClockSnapshot = true
			tbl.snapTime = timestamp(s.Clock[0])
			tbl.snapMono = s.Clock[1]
			tbl.snapWall = time.Unix(int64(s.Clock[2]), int64(s.Clock[3]))
		}
		if s.ExpBatches != nil {
			tbl.expBatches = make(map[tracev2.Experiment][]ExperimentalBatch)
			for k, bs := range s.ExpBatches {
				var out []ExperimentalBatch
				for _, b := range bs {
					out = append(out, ExperimentalBatch{Thread: ThreadID(b.Thread), Data: b.Data})
				}
				tbl.expBatches[tracev2.Experiment(k)] = out
			}
		}
	}
	ev := Event{table: tbl, ctx: schedCtx{G: GoID(s.G), P: ProcID(s.P), M: ThreadID(s.M)}, base: baseEvent{typ: tracev2.EventType(s.Typ), time: Time(s.Time)}}
	copy(ev.base.args[:], s.Args[:])
	return ev
}

// XValidate exposes validateTableIDs.
func XValidate(e Event) error { return e.validateTableIDs() }
