package main

import (
	"bytes"
	"fmt"
	"io"
	"time"
)

// Benchmark modes time Go's own decoding loops in-process, so that the Python side can
// report a ratio measured in the same run on the same input (machines here are noisy, so
// absolute numbers mean little). Each mode repeats the loop until at least minBenchTime
// has passed and prints one JSON object:
//
//	{"events":N,"bytes":B,"iterations":K,"seconds":S}
//
// where N is the events of one pass and S the total time of the K passes.
//
// The two loops below are written out on purpose rather than shared through a callback: an
// indirect call per event would slow Go's side by a few percent and flatter the ratio.
const minBenchTime = time.Second

func init() {
	modes["bench-raw"] = modeBenchRaw
	modes["bench-parse"] = modeBenchParse
}

// modeBenchRaw times internal/trace/raw's ReadEvent loop over a binary trace.
func modeBenchRaw(in []byte, out, errw io.Writer) int {
	return bench(in, out, errw, func() (int, error) {
		r, err := newRawReader(bytes.NewReader(in))
		if err != nil {
			return 0, err
		}
		n := 0
		for {
			if _, err := r.ReadEvent(); err == io.EOF {
				return n, nil
			} else if err != nil {
				return n, err
			}
			n++
		}
	})
}

// modeBenchParse times trace.Reader's ReadEvent loop (the full parser) over a binary trace.
func modeBenchParse(in []byte, out, errw io.Writer) int {
	return bench(in, out, errw, func() (int, error) {
		r, err := newTraceReader(bytes.NewReader(in))
		if err != nil {
			return 0, err
		}
		n := 0
		for {
			if _, err := r.ReadEvent(); err == io.EOF {
				return n, nil
			} else if err != nil {
				return n, err
			}
			n++
		}
	})
}

func bench(in []byte, out, errw io.Writer, pass func() (int, error)) int {
	var events, iterations int
	start := time.Now()
	for iterations == 0 || time.Since(start) < minBenchTime {
		n, err := pass()
		if err != nil {
			fmt.Fprintf(errw, "gotraceoracle: benchmark input is not a valid trace: %v\n", err)
			return exitRejected
		}
		events = n
		iterations++
	}
	secs := time.Since(start).Seconds()
	fmt.Fprintf(out, "{\"events\":%d,\"bytes\":%d,\"iterations\":%d,\"seconds\":%.6f}\n",
		events, len(in), iterations, secs)
	return exitOK
}
