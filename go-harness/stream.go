package main

import (
	"bufio"
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
func modeParseString(in []byte, out, errw io.Writer) int {
	code := modeParse(in, out, errw)
	modeGoString(in, out, errw)
	return code
}
