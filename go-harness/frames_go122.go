//go:build !go1.24

package main

// stackFrames lists a stack's frames. Before Go 1.24, Stack.Frames takes a
// yield callback instead of returning an iter.Seq.
func stackFrames(s traceStack) []traceStackFrame {
	var frames []traceStackFrame
	s.Frames(func(f traceStackFrame) bool {
		frames = append(frames, f)
		return true
	})
	return frames
}
