//go:build go1.25

package main

import (
	"io"
	"runtime/trace"
	"time"
)

func init() { register("flightrec", scenario{run: flightRecorder, selfTraced: true}) }

// flightRecorder writes a flight-recorder snapshot instead of a streamed trace: the window
// starts mid-execution, so goroutines and Ps appear through status events.
func flightRecorder(out io.Writer) error {
	fr := trace.NewFlightRecorder(trace.FlightRecorderConfig{MinAge: 200 * time.Millisecond})
	if err := fr.Start(); err != nil {
		return err
	}
	if err := churn(out); err != nil {
		return err
	}
	gcHeavy(out)
	_, err := fr.WriteTo(out)
	fr.Stop()
	return err
}
