// Command tracegen runs one small workload under the execution tracer and writes the trace.
//
// The gotrace-oracle test suite builds it with every supported Go toolchain and runs each
// scenario, with and without GODEBUG=traceallocfree=1, to get real traces written by real
// runtimes: the ground truth that the Python reference parser and Go's own parser must agree
// on. Scenarios are small and bounded in time so the whole set runs in seconds.
//
// Usage:
//
//	tracegen list
//	tracegen <scenario> <out.trace>
package main

import (
	"fmt"
	"io"
	"os"
	"runtime/trace"
	"sort"
)

// scenario is one workload. selfTraced scenarios manage tracing themselves (the flight
// recorder); the others run between trace.Start and trace.Stop.
type scenario struct {
	run        func(out io.Writer) error
	selfTraced bool
}

// scenarios is filled by init functions, some of which exist only on newer toolchains.
var scenarios = map[string]scenario{}

func register(name string, s scenario) { scenarios[name] = s }

// outPath is the trace file being written; scenarios that record ground truth write it to
// outPath + ".objects" (see groundTruth in heap.go).
var outPath string

func main() {
	if len(os.Args) == 2 && os.Args[1] == "list" {
		names := make([]string, 0, len(scenarios))
		for n := range scenarios {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			fmt.Println(n)
		}
		return
	}
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: tracegen list | tracegen <scenario> <out.trace>")
		os.Exit(2)
	}
	s, ok := scenarios[os.Args[1]]
	if !ok {
		fmt.Fprintf(os.Stderr, "tracegen: unknown scenario %q\n", os.Args[1])
		os.Exit(2)
	}
	outPath = os.Args[2]
	f, err := os.Create(outPath)
	if err != nil {
		fmt.Fprintln(os.Stderr, "tracegen:", err)
		os.Exit(1)
	}
	if err := runScenario(s, f); err != nil {
		fmt.Fprintln(os.Stderr, "tracegen:", err)
		os.Exit(1)
	}
	if err := f.Close(); err != nil {
		fmt.Fprintln(os.Stderr, "tracegen:", err)
		os.Exit(1)
	}
}

func runScenario(s scenario, f io.Writer) error {
	if s.selfTraced {
		return s.run(f)
	}
	if err := trace.Start(f); err != nil {
		return err
	}
	defer trace.Stop()
	return s.run(f)
}
