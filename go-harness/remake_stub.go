//go:build !go1.26

package main

import (
	"io"
	"runtime"
)

// Before Go 1.26, internal/trace has no exported MakeEvent/EventConfig, so
// mode remake cannot run; it says so in one terminal record.
func modeRemake(_ []byte, out, _ io.Writer) int {
	writeLine(out, obj{
		{"end", "unsupported"},
		{"detail", "remake needs trace.MakeEvent (Go >= 1.26); this helper was built with " + runtime.Version()},
	})
	return exitUsage
}
