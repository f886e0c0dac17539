//go:build go1.23

package main

import (
	"io"
	"iter"
)

func init() { register("iterpull", scenario{run: iterPull}) }

// iterPull drives coroutines (iter.Pull), which the tracer records as GoSwitch,
// GoSwitchDestroy and GoCreateBlocked.
func iterPull(io.Writer) error {
	seq := func(yield func(int) bool) {
		for i := 0; i < 100; i++ {
			if !yield(i) {
				return
			}
		}
	}
	for round := 0; round < 20; round++ {
		next, stop := iter.Pull(iter.Seq[int](seq))
		for i := 0; i < 10+round; i++ {
			if _, ok := next(); !ok {
				break
			}
		}
		stop()
	}
	return nil
}
