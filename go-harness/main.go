// Command gotraceoracle runs the real internal/trace parser of the Go
// toolchain it is built with and prints what the parser saw, so that an
// independent implementation can be tested against it (differential testing).
//
// internal/trace cannot be imported from outside the standard library, so the
// Python side (oracle/toolchain.py) compiles this package as if it lived at
// $GOROOT/src/internal/trace/cmd/gotraceoracle: through a build overlay on
// Go >= 1.25 and in a hard-linked copy of GOROOT on older toolchains. One
// source tree serves Go 1.22 through 1.27; the files named *_go1NN.go hold the
// API differences between releases and are selected by release build tags.
//
// Usage:
//
//	gotraceoracle MODE [FILE|-]   one-shot: input from FILE or stdin, output on stdout
//	gotraceoracle serve           length-prefixed requests on stdin (see serve.go)
//	gotraceoracle stream MODE [FILE|-]  parse or go-string, streamed (see stream.go)
//
// Modes (see docs/canonical-json.md for the JSON ones):
//
//	raw        binary trace -> JSON lines of internal/trace/raw events
//	raw-text   text-format trace -> the same JSON lines as raw
//	to-text    binary trace -> text format (raw.TextWriter)
//	to-binary  text format -> binary trace (raw.Writer)
//	parse      binary trace -> canonical JSON of the trace.Reader's events
//	go-string  binary trace -> Event.String() of each event (run with TZ=UTC)
//	parse-string  parse's output, then go-string's (one request for both oracles)
//	remake     binary trace -> events rebuilt with MakeEvent and compared (Go >= 1.26; remake.go)
//	bench-raw, bench-parse  time Go's own decoding loops (bench.go)
//	ping       prints "pong"; used to check that a serve process is alive
//
// Exit statuses: 0 success/EOF, 1 trace rejected, 2 usage or I/O error,
// 3 panic.
package main

import (
	"bytes"
	"fmt"
	"io"
	"math"
	"os"
	"runtime/debug"
	"time"
)

// Exit statuses shared by the one-shot modes and the serve responses.
const (
	exitOK       = 0
	exitRejected = 1
	exitUsage    = 2
	exitPanic    = 3
)

// A modeFunc turns one input (a whole trace) into the mode's stdout and
// stderr bytes and an exit status. Modes never touch os.Stdout themselves, so
// that serve can run them on in-memory buffers.
type modeFunc func(in []byte, out, errw io.Writer) int

var modes = map[string]modeFunc{
	"raw":          modeRaw,
	"raw-text":     modeRawText,
	"to-text":      modeToText,
	"to-binary":    modeToBinary,
	"parse":        modeParse,
	"go-string":    modeGoString,
	"parse-string": modeParseString,
	"ping":         modePing,
	// Test hooks for the serve supervisor on the Python side.
	"panic": func([]byte, io.Writer, io.Writer) int { panic("injected panic") },
	"hang": func([]byte, io.Writer, io.Writer) int {
		// A plain select{} would be reported as a deadlock by the runtime
		// and kill the process; a sleeping timer keeps it merely stuck.
		time.Sleep(math.MaxInt64)
		return exitOK
	},
}

func modePing(_ []byte, out, _ io.Writer) int {
	io.WriteString(out, "pong\n")
	return exitOK
}

// result is what running a mode on one input produced.
type result struct {
	out, stderr []byte
	exit        int
	panicked    bool
	panicMsg    string
	stack       string
}

// run runs m on in, recovering a panic that escapes the mode. The output
// written before the panic is kept: it shows how far the mode got.
func run(m modeFunc, in []byte) (res result) {
	var out, errw bytes.Buffer
	defer func() {
		if r := recover(); r != nil {
			res = result{
				out: out.Bytes(), stderr: errw.Bytes(), exit: exitPanic,
				panicked: true, panicMsg: fmt.Sprint(r), stack: string(debug.Stack()),
			}
		}
	}()
	code := m(in, &out, &errw)
	return result{out: out.Bytes(), stderr: errw.Bytes(), exit: code}
}

func main() {
	os.Exit(mainExit(os.Args[1:]))
}

func mainExit(args []string) int {
	if len(args) == 1 && args[0] == "serve" {
		return serve(os.Stdin, os.Stdout, os.Stderr)
	}
	if len(args) >= 1 && args[0] == "stream" {
		return streamMain(args[1:], os.Stdin, os.Stdout, os.Stderr)
	}
	if len(args) < 1 || len(args) > 2 {
		fmt.Fprintln(os.Stderr, "usage: gotraceoracle MODE [FILE|-] | gotraceoracle serve")
		return exitUsage
	}
	m, ok := modes[args[0]]
	if !ok {
		fmt.Fprintf(os.Stderr, "gotraceoracle: unknown mode %q\n", args[0])
		return exitUsage
	}
	var in []byte
	var err error
	if len(args) == 1 || args[1] == "-" {
		in, err = io.ReadAll(os.Stdin)
	} else {
		in, err = os.ReadFile(args[1])
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "gotraceoracle: %v\n", err)
		return exitUsage
	}
	res := run(m, in)
	os.Stdout.Write(res.out)
	os.Stderr.Write(res.stderr)
	if res.panicked {
		fmt.Fprintf(os.Stderr, "panic: %s\n\n%s", res.panicMsg, res.stack)
	}
	return res.exit
}
