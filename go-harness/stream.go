package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
)

// streamModes are the modes that run on a stream: the trace is read as
// ReadEvent needs it and each line is written as soon as its event is read, so
// the helper's memory is Go's own (one generation), whatever the trace's size.
var streamModes = map[string]func(io.Reader, io.Writer) int{
	"parse":     parseStream,
	"go-string": goStringStream,
}

// streamMain runs "stream MODE [FILE|-]". Output is flushed every 64 KiB and
// at the end; the reading side measures progress by the lines it receives.
// A panic that escapes the mode (the modes recover their own) is reported as
// in the one-shot modes: "panic: " on stderr and exit status 3.
func streamMain(args []string, stdin io.Reader, stdout, stderr io.Writer) (code int) {
	if len(args) < 1 || len(args) > 2 {
		fmt.Fprintln(stderr, "usage: gotraceoracle stream parse|go-string [FILE|-]")
		return exitUsage
	}
	m, ok := streamModes[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "gotraceoracle: unknown stream mode %q\n", args[0])
		return exitUsage
	}
	in := stdin
	if len(args) == 2 && args[1] != "-" {
		f, err := os.Open(args[1])
		if err != nil {
			fmt.Fprintf(stderr, "gotraceoracle: %v\n", err)
			return exitUsage
		}
		defer f.Close()
		in = f
	}
	bw := bufio.NewWriterSize(stdout, 64<<10)
	defer bw.Flush()
	res := run(func([]byte, io.Writer, io.Writer) int {
		return m(bufio.NewReaderSize(in, 1<<20), bw)
	}, nil)
	if res.panicked {
		bw.Flush()
		fmt.Fprintf(stderr, "panic: %s\n\n%s", res.panicMsg, res.stack)
	}
	return res.exit
}

// modeParseString answers parse and go-string in one request: the canonical
// records up to and including the terminal record, then the go-string lines.
// Campaigns use it to check Event.String() on every case for one round trip.
//
// It reads the trace once and renders each event both ways, and its output is
// byte for byte what the two modes give when run one after the other: the two
// parts end independently (a String() panic ends the go-string part with
// "PANIC:" while the records go on, as in a separate go-string run). Reading
// once halves the helper's cost per case, most of all on v1 input, whose
// parser allocates its event chunks up front; and both parts then describe
// the same pass, even where Go's answers depend on map order (v1 traces, Go
// 1.23's frontier).
func modeParseString(in []byte, out, _ io.Writer) int {
	var strs bytes.Buffer
	code := parseAndString(bytes.NewReader(in), out, &strs)
	out.Write(strs.Bytes())
	return code
}

// parseAndString writes parse's records to out and go-string's lines to strs.
func parseAndString(in io.Reader, out, strs io.Writer) int {
	stringsOpen := true
	endStrings := func(line string) {
		if stringsOpen {
			io.WriteString(strs, line)
			stringsOpen = false
		}
	}
	var r *traceReader
	var err error
	if msg, ok := try(func() { r, err = newTraceReader(in) }); !ok {
		endStrings("PANIC: " + msg + "\n")
		return endPanic(out, msg)
	}
	for i := 0; err == nil; i++ {
		var ev traceEvent
		if msg, ok := try(func() { ev, err = r.ReadEvent() }); !ok {
			endStrings("PANIC: " + msg + "\n")
			return endPanic(out, msg)
		}
		if err != nil {
			break
		}
		writeLine(out, eventRecord(i, ev))
		if stringsOpen {
			var s string
			if msg, ok := try(func() { s = ev.String() }); !ok {
				endStrings("PANIC: " + msg + "\n")
			} else {
				io.WriteString(strs, s+"\n")
			}
		}
	}
	if err == io.EOF {
		endStrings("EOF\n")
		return endEOF(out)
	}
	endStrings(fmt.Sprintf("ERROR: %v\n", err))
	return endError(out, err)
}
