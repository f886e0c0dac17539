package main

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
)

// serve answers requests until EOF on r, so that a test run pays the process
// start-up cost once instead of once per trace.
//
// Both directions use length-prefixed frames: a 4-byte big-endian length L
// followed by L bytes. A request frame holds the mode name, '\n' and the
// payload (the input of the one-shot mode). A response frame holds one JSON
// header line, '\n', and then exactly the bytes the one-shot mode would have
// written to stdout. The header is
//
//	{"outcome":"ok"|"panic","panic":msg|null,"stack":str|null,"exit":N,"stderr":str}
//
// where exit is the status the one-shot mode would have exited with and
// stderr what it would have written to stderr (without the panic trace).
// "panic" means a panic escaped the mode; it is recovered and the process
// stays usable. Fatal runtime errors cannot be recovered: they kill the
// process, and the client restarts it.
func serve(r io.Reader, w, errw io.Writer) int {
	br := bufio.NewReaderSize(r, 64<<10)
	bw := bufio.NewWriterSize(w, 64<<10)
	var lenbuf [4]byte
	for {
		if _, err := io.ReadFull(br, lenbuf[:]); err != nil {
			if err == io.EOF {
				return exitOK
			}
			fmt.Fprintf(errw, "gotraceoracle serve: reading request: %v\n", err)
			return exitUsage
		}
		req := make([]byte, binary.BigEndian.Uint32(lenbuf[:]))
		if _, err := io.ReadFull(br, req); err != nil {
			fmt.Fprintf(errw, "gotraceoracle serve: reading request: %v\n", err)
			return exitUsage
		}
		line, out := handle(req)
		binary.BigEndian.PutUint32(lenbuf[:], uint32(len(line)+1+len(out)))
		bw.Write(lenbuf[:])
		bw.Write(line)
		bw.WriteByte('\n')
		bw.Write(out)
		if err := bw.Flush(); err != nil {
			fmt.Fprintf(errw, "gotraceoracle serve: writing response: %v\n", err)
			return exitUsage
		}
	}
}

// header is the first line of a response; field order is the wire order.
type header struct {
	Outcome string  `json:"outcome"`
	Panic   *string `json:"panic"`
	Stack   *string `json:"stack"`
	Exit    int     `json:"exit"`
	Stderr  string  `json:"stderr"`
}

// handle runs one request and returns the response frame's body: its header
// line (without the newline) and the mode's output, valid until the next call.
func handle(req []byte) (line, out []byte) {
	name, payload, ok := bytes.Cut(req, []byte{'\n'})
	var res result
	if m, known := modes[string(name)]; ok && known {
		res = run(m, payload)
	} else {
		res = result{exit: exitUsage, stderr: fmt.Appendf(nil, "gotraceoracle serve: bad request: unknown mode %q\n", name)}
	}
	h := header{Outcome: "ok", Exit: res.exit, Stderr: string(res.stderr)}
	if res.panicked {
		h.Outcome, h.Panic, h.Stack = "panic", &res.panicMsg, &res.stack
	}
	line, _ = json.Marshal(h) // cannot fail: only strings and ints
	return line, res.out
}
