//go:build go1.24

package main

import "slices"

// stackFrames lists a stack's frames. Since Go 1.24, Stack.Frames is an
// iter.Seq.
func stackFrames(s traceStack) []traceStackFrame {
	return slices.Collect(s.Frames())
}
