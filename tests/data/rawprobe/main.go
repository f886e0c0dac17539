// Command rawprobe runs Go's own internal/trace/version and internal/trace/raw code on
// inputs given on stdin and prints what Go did, one JSON object per input line.  It is the
// source of the expected values hard-coded in tests/oracle/test_version.py and
// tests/oracle/test_raw.py.
//
// Build it inside a (hard-linked) copy of the pinned GOROOT, because it imports internal
// packages:
//
//	cp -al $GOROOT /tmp/goroot-raw
//	mkdir -p /tmp/goroot-raw/src/internal/trace/cmd/rawprobe
//	cp tests/data/rawprobe/main.go /tmp/goroot-raw/src/internal/trace/cmd/rawprobe/
//	cd /tmp/goroot-raw/src/internal/trace/cmd/rawprobe && GOROOT=/tmp/goroot-raw ../../../../../bin/go run .
//
// Input lines are "<mode> <hex bytes>" with mode one of:
//
//	header  version.ReadHeader on a bufio.Reader; reports version, error, bytes consumed
//	binary  raw.NewReader + ReadEvent until error; reports events (String), sizes, error
//	text    raw.NewTextReader + ReadEvent until error; reports events, error, binary form
package main

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"

	"internal/trace/raw"
	"internal/trace/version"
)

type result struct {
	Mode      string   `json:"mode"`
	Input     string   `json:"input"`
	Version   uint32   `json:"version"`
	Err       *string  `json:"err"`
	ErrHex    string   `json:"err_hex"`
	IsEOF     bool     `json:"is_eof"`
	Consumed  int      `json:"consumed"`
	Events    []string `json:"events"`
	EventsHex []string `json:"events_hex"`
	DataNil   []bool   `json:"data_nil"`
	Sizes     []int    `json:"sizes"`
	Binary    string   `json:"binary"`
}

func errp(err error) *string {
	if err == nil {
		return nil
	}
	s := err.Error()
	return &s
}

func main() {
	sc := bufio.NewScanner(os.Stdin)
	sc.Buffer(make([]byte, 1<<20), 1<<30)
	enc := json.NewEncoder(os.Stdout)
	for sc.Scan() {
		mode, hx, _ := strings.Cut(sc.Text(), " ")
		in, err := hex.DecodeString(hx)
		if err != nil {
			panic(err)
		}
		res := result{Mode: mode, Input: hx, Events: []string{}, EventsHex: []string{}, DataNil: []bool{}, Sizes: []int{}}
		switch mode {
		case "header":
			br := bufio.NewReader(bytes.NewReader(in))
			v, err := version.ReadHeader(br)
			rest, _ := io.ReadAll(br)
			res.Version = uint32(v)
			res.Err = errp(err)
			res.Consumed = len(in) - len(rest)
		case "binary":
			r, err := raw.NewReader(bytes.NewReader(in))
			if err != nil {
				res.Err = errp(err)
				break
			}
			res.Version = uint32(r.Version())
			for {
				ev, err := r.ReadEvent()
				if err != nil {
					res.Err = errp(err)
					res.IsEOF = err == io.EOF
					break
				}
				res.Events = append(res.Events, ev.String())
				res.EventsHex = append(res.EventsHex, hex.EncodeToString([]byte(ev.String())))
				res.DataNil = append(res.DataNil, ev.Data == nil)
				res.Sizes = append(res.Sizes, ev.EncodedSize())
			}
		case "text":
			r, err := raw.NewTextReader(bytes.NewReader(in))
			if err != nil {
				res.Err = errp(err)
				res.IsEOF = err == io.EOF
				break
			}
			res.Version = uint32(r.Version())
			var buf bytes.Buffer
			w, err := raw.NewWriter(&buf, r.Version())
			if err != nil {
				panic(err)
			}
			for {
				ev, err := r.ReadEvent()
				if err != nil {
					res.Err = errp(err)
					res.IsEOF = err == io.EOF
					break
				}
				res.Events = append(res.Events, ev.String())
				res.EventsHex = append(res.EventsHex, hex.EncodeToString([]byte(ev.String())))
				res.DataNil = append(res.DataNil, ev.Data == nil)
				res.Sizes = append(res.Sizes, ev.EncodedSize())
				if err := w.WriteEvent(ev); err != nil {
					panic(err)
				}
			}
			res.Binary = hex.EncodeToString(buf.Bytes())
		default:
			fmt.Fprintf(os.Stderr, "unknown mode %q\n", mode)
			os.Exit(2)
		}
		if res.Err != nil {
			res.ErrHex = hex.EncodeToString([]byte(*res.Err))
		}
		if err := enc.Encode(res); err != nil {
			panic(err)
		}
	}
	if err := sc.Err(); err != nil {
		panic(err)
	}
}
