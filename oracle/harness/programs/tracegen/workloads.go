package main

import (
	"context"
	"io"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"runtime/trace"
	"strings"
	"sync"
	"time"
)

func init() {
	register("churn", scenario{run: churn})
	register("gc", scenario{run: gcHeavy})
	register("annotations", scenario{run: annotations})
	register("syscalls", scenario{run: syscalls})
	register("cpuprofile", scenario{run: cpuProfile})
	register("multigen", scenario{run: multigen})
	register("large", scenario{run: large})
}

// churn exercises the scheduler: many short goroutines, channel hand-offs, mutex
// contention, timers, preemption and a GOMAXPROCS change (ProcsChange, ProcStart/Stop).
func churn(io.Writer) error {
	var wg sync.WaitGroup
	var mu sync.Mutex
	ch := make(chan int)
	counter := 0
	for i := 0; i < 200; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			if i%2 == 0 {
				ch <- i
			} else {
				<-ch
			}
			mu.Lock()
			counter++
			mu.Unlock()
			if i%7 == 0 {
				time.Sleep(time.Millisecond)
			}
			runtime.Gosched()
		}(i)
	}
	wg.Wait()
	old := runtime.GOMAXPROCS(1)
	spin(2 * time.Millisecond)
	runtime.GOMAXPROCS(old)
	spin(2 * time.Millisecond)
	return nil
}

// spin burns CPU for d, giving the scheduler something to preempt.
func spin(d time.Duration) {
	end := time.Now().Add(d)
	x := 0
	for time.Now().Before(end) {
		x++
	}
	_ = x
}

var sink [][]byte

// gcHeavy forces several GC cycles with sweeping, mark assists and stack growth.
func gcHeavy(io.Writer) error {
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var local [][]byte
			for i := 0; i < 5000; i++ {
				local = append(local, make([]byte, 64+i%4096))
				if len(local) > 2000 {
					local = local[:0]
				}
			}
			recurse(2000)
		}()
	}
	wg.Wait()
	runtime.GC()
	sink = append(sink, make([]byte, 8<<20))
	runtime.GC()
	sink = nil
	debug.FreeOSMemory()
	return nil
}

// recurse grows the goroutine stack (stack copying, GoroutineStackAlloc under AllocFree).
func recurse(n int) int {
	var pad [64]byte
	if n == 0 {
		return int(pad[0])
	}
	return recurse(n-1) + int(pad[n%64])
}

// annotations uses tasks (nested, ended on other goroutines), regions and logs.
func annotations(io.Writer) error {
	ctx, root := trace.NewTask(context.Background(), "root")
	trace.Log(ctx, "phase", "start")
	var wg sync.WaitGroup
	for i := 0; i < 5; i++ {
		wg.Add(1)
		cctx, child := trace.NewTask(ctx, "child")
		go func(i int) {
			defer wg.Done()
			defer child.End()
			trace.WithRegion(cctx, "work", func() {
				r := trace.StartRegion(cctx, "inner")
				trace.Logf(cctx, "iteration", "i=%d", i)
				spin(100 * time.Microsecond)
				r.End()
			})
			trace.Log(cctx, "", "no category")
			trace.Log(cctx, "unicode", "héllo, 世界 \u2028 \x00")
		}(i)
	}
	wg.Wait()
	trace.Log(ctx, "long", strings.Repeat("x", 3000))
	trace.WithRegion(context.Background(), "background-region", func() {})
	root.End()
	return nil
}

// syscalls blocks in real system calls so that Ps are stolen from syscalling Ms.
func syscalls(io.Writer) error {
	r, w, err := os.Pipe()
	if err != nil {
		return err
	}
	done := make(chan struct{})
	go func() {
		buf := make([]byte, 16)
		for {
			if _, err := r.Read(buf); err != nil {
				close(done)
				return
			}
		}
	}()
	for i := 0; i < 20; i++ {
		time.Sleep(500 * time.Microsecond)
		if _, err := w.Write([]byte("ping")); err != nil {
			return err
		}
	}
	w.Close()
	<-done
	r.Close()
	f, err := os.CreateTemp("", "tracegen")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	for i := 0; i < 50; i++ {
		f.Write(make([]byte, 4096))
		f.Sync()
	}
	return f.Close()
}

// cpuProfile runs the CPU profiler during tracing so the trace carries CPU samples.
func cpuProfile(io.Writer) error {
	if err := pprof.StartCPUProfile(io.Discard); err != nil {
		return err
	}
	var wg sync.WaitGroup
	for i := 0; i < 2; i++ {
		wg.Add(1)
		go func() { defer wg.Done(); spin(150 * time.Millisecond) }()
	}
	wg.Wait()
	pprof.StopCPUProfile()
	return nil
}

// multigen runs long enough for the tracer to start new generations (about one per
// second by default; GODEBUG=traceadvanceperiod, where the runtime has it, shortens that).
func multigen(io.Writer) error {
	d := 2200 * time.Millisecond
	if strings.Contains(os.Getenv("GODEBUG"), "traceadvanceperiod") {
		d = 300 * time.Millisecond
	}
	end := time.Now().Add(d)
	var wg sync.WaitGroup
	for time.Now().Before(end) {
		for i := 0; i < 20; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				sink2 = make([]byte, 1024)
				time.Sleep(100 * time.Microsecond)
			}()
		}
		wg.Wait()
		time.Sleep(2 * time.Millisecond)
	}
	return nil
}

var sink2 []byte

// large produces a trace of roughly TRACEGEN_BYTES bytes (default 10 MB) of ordinary
// scheduler traffic, for benchmarks.
func large(io.Writer) error {
	target := 10 << 20
	if s := os.Getenv("TRACEGEN_BYTES"); s != "" {
		n := 0
		for _, c := range s {
			n = n*10 + int(c-'0')
		}
		target = n
	}
	// About 40 bytes of trace per goroutine hand-off round below; check the file size
	// periodically through the environment-provided path.
	path := os.Getenv("TRACEGEN_OUT")
	ch := make(chan int)
	for round := 0; ; round++ {
		var wg sync.WaitGroup
		for i := 0; i < 100; i++ {
			wg.Add(2)
			go func() { defer wg.Done(); ch <- 1 }()
			go func() { defer wg.Done(); <-ch; runtime.Gosched() }()
		}
		wg.Wait()
		if round%20 == 0 && path != "" {
			if st, err := os.Stat(path); err == nil && st.Size() >= int64(target) {
				return nil
			}
		}
		if round > 200000 {
			return nil
		}
	}
}
