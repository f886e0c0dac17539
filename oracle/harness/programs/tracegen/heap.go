package main

// Heap workloads for the AllocFree heap oracle (oracle/heap, docs/allocfree.md). They run on
// every toolchain (Go 1.22's runtime has no traceallocfree and simply writes plain traces).

import (
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/trace"
	"sync"
	"time"
	"unsafe"
)

func init() {
	register("tiny", scenario{run: tinyAllocs})
	register("largeobj", scenario{run: largeObjects})
	register("stacks", scenario{run: stackGrowShrink})
	register("manygc", scenario{run: manyGC})
	register("heapgens", scenario{run: heapGenerations})
	register("groundtruth", scenario{run: groundTruth})
	register("hdrfree", scenario{run: headerFree})
	register("deadg", scenario{run: deadGoroutines, selfTraced: true})
}

var (
	tinySink  []*[2]uint32
	strSink   []string
	largeSink [][]byte
	ptrSink   []*[5000]*int
)

// tinyAllocs makes many tiny (<16 byte, pointer-free) allocations, which the runtime packs
// into shared 16-byte blocks, then drops them and collects.
func tinyAllocs(io.Writer) error {
	for round := 0; round < 2; round++ {
		for i := 0; i < 1500; i++ {
			tinySink = append(tinySink, &[2]uint32{uint32(i), uint32(round)})
			if i%3 == 0 {
				strSink = append(strSink, fmt.Sprint(i%100))
			}
		}
		tinySink, strSink = nil, nil
		runtime.GC()
	}
	return nil
}

// largeObjects allocates objects above the 32 KiB small-size limit, with and without
// pointers, and frees them (large spans are freed whole: SpanFree after HeapObjectFree).
func largeObjects(io.Writer) error {
	for round := 0; round < 2; round++ {
		for i := 0; i < 16; i++ {
			largeSink = append(largeSink, make([]byte, 33<<10+i*4096))
			ptrSink = append(ptrSink, new([5000]*int))
		}
		largeSink, ptrSink = nil, nil
		runtime.GC()
	}
	debug.FreeOSMemory()
	return nil
}

// stackGrowShrink grows goroutine stacks by deep recursion, lets them go idle so the GC
// shrinks them, and ends the goroutines (stacks freed or cached).
func stackGrowShrink(io.Writer) error {
	var wg sync.WaitGroup
	release := make(chan struct{})
	for g := 0; g < 6; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			recurse(500 * (g + 1))
			<-release // idle with a small frame: the GC may shrink the big stack
			recurse(100)
		}(g)
	}
	time.Sleep(5 * time.Millisecond)
	runtime.GC() // shrinks the idle goroutines' stacks
	close(release)
	wg.Wait()
	runtime.GC()
	return nil
}

// manyGC runs many GC cycles, triggered by allocation under a low GOGC (runtime.GC would
// spin in Gosched while it waits for sweeping, which bloats the trace on a loaded machine).
func manyGC(io.Writer) error {
	old := debug.SetGCPercent(5)
	defer debug.SetGCPercent(old)
	var keep [][]byte
	for i := 0; i < 6000; i++ {
		keep = append(keep, make([]byte, 16+(i*37)%4000))
		if len(keep) > 300 {
			keep = keep[:0]
		}
	}
	_ = keep
	return nil
}

// heapGenerations keeps allocating and freeing across several trace generations (the
// harness sets GODEBUG=traceadvanceperiod where the runtime has it), so type tables and
// live objects span generation boundaries.
func heapGenerations(io.Writer) error {
	d := 2200 * time.Millisecond
	if os.Getenv("GODEBUG") != "" && containsAdvance(os.Getenv("GODEBUG")) {
		d = 300 * time.Millisecond
	}
	old := debug.SetGCPercent(5)
	defer debug.SetGCPercent(old)
	end := time.Now().Add(d)
	var keep []*gtSmall
	for time.Now().Before(end) {
		for i := 0; i < 20; i++ {
			keep = append(keep, &gtSmall{n: i})
		}
		if len(keep) > 1000 {
			keep = keep[:0] // collected by allocation-triggered GCs (see manyGC)
		}
		time.Sleep(time.Millisecond)
	}
	_ = keep
	return nil
}

func containsAdvance(s string) bool {
	const k = "traceadvanceperiod"
	for i := 0; i+len(k) <= len(s); i++ {
		if s[i:i+len(k)] == k {
			return true
		}
	}
	return false
}

// Ground-truth types: distinct names and sizes, one per allocator path.
type (
	gtTiny  struct{ a, b, c uint32 } // 12 bytes, no pointers: tiny allocator
	gtSmall struct {
		n   int
		p   *int
		pad [40]byte
	} // 56 bytes, pointers: small, heap bits
	gtHeader struct {
		p   *int
		pad [1000]byte
	} // 1008 bytes, pointers: malloc header
	gtLarge struct {
		p   *int
		pad [40 << 10]byte
	} // > 32 KiB: a large object span
	gtNoscan struct{ pad [3000]byte } // 3000 bytes, no pointers
)

var (
	gtTinies  []*gtTiny
	gtSmalls  []*gtSmall
	gtHeaders []*gtHeader
	gtLarges  []*gtLarge
	gtNoscans []*gtNoscan

	tinyThrowaway *gtTiny
)

// groundTruth allocates known objects, writes "type size address" lines for each to
// outPath+".objects", drops every reference and forces GC and a full sweep: each object
// must have a HeapObjectAlloc and then a HeapObjectFree (tests/oracle/heap/test_groundtruth.py).
// Nothing else is allocated while the objects are made (the slices have their capacity up
// front), and a 12-byte gtTiny never fits after another one in a 16-byte tiny block, so each
// starts its own block and dies with it.
func groundTruth(io.Writer) error {
	const n = 20
	gtTinies = make([]*gtTiny, 0, n)
	gtSmalls = make([]*gtSmall, 0, n)
	gtHeaders = make([]*gtHeader, 0, n)
	gtNoscans = make([]*gtNoscan, 0, n)
	gtLarges = make([]*gtLarge, 0, n/4)
	// One throwaway 12-byte tiny object leaves the tiny offset at 12 or more, so the first
	// gtTiny cannot share the current block either.
	tinyThrowaway = &gtTiny{}
	for i := 0; i < n; i++ {
		gtTinies = append(gtTinies, &gtTiny{a: uint32(i)})
		gtSmalls = append(gtSmalls, &gtSmall{n: i})
		gtHeaders = append(gtHeaders, &gtHeader{})
		gtNoscans = append(gtNoscans, &gtNoscan{})
		if i%4 == 0 {
			gtLarges = append(gtLarges, &gtLarge{})
		}
	}
	f, err := os.Create(outPath + ".objects")
	if err != nil {
		return err
	}
	rec := func(name string, size uintptr, p unsafe.Pointer) {
		fmt.Fprintf(f, "%s %d %d\n", name, size, uintptr(p))
	}
	for i := 0; i < n; i++ {
		rec("main.gtTiny", unsafe.Sizeof(gtTiny{}), unsafe.Pointer(gtTinies[i]))
		rec("main.gtSmall", unsafe.Sizeof(gtSmall{}), unsafe.Pointer(gtSmalls[i]))
		rec("main.gtHeader", unsafe.Sizeof(gtHeader{}), unsafe.Pointer(gtHeaders[i]))
		rec("main.gtNoscan", unsafe.Sizeof(gtNoscan{}), unsafe.Pointer(gtNoscans[i]))
	}
	for _, l := range gtLarges {
		rec("main.gtLarge", unsafe.Sizeof(gtLarge{}), unsafe.Pointer(l))
	}
	if err := f.Close(); err != nil {
		return err
	}
	gtTinies, gtSmalls, gtHeaders, gtLarges, gtNoscans = nil, nil, nil, nil, nil
	tinyThrowaway = nil
	runtime.GC()
	runtime.GC()
	debug.FreeOSMemory()
	return nil
}

var hdrSink *[128]*int

// headerFree is the minimized program of go-findings 15: one 1 KiB object with pointers (it
// gets a malloc header) is allocated and collected. The runtime traces its alloc at the slot
// base + 8 and its free at the slot base.
func headerFree(io.Writer) error {
	hdrSink = new([128]*int)
	hdrSink = nil
	runtime.GC()
	return nil
}

// deadGoroutines is the minimized program of go-findings 18: goroutines grow their stacks and
// exit (gfput frees a stack of non-standard size and leaves the dead goroutine with
// stack.lo = stack.hi = 0), then tracing starts: the snapshot lists those goroutines with a
// stack of order 0 at a wrapped ID.
func deadGoroutines(out io.Writer) error {
	var wg sync.WaitGroup
	for i := 0; i < 20; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			recurse(2000)
		}()
	}
	wg.Wait()
	if err := trace.Start(out); err != nil {
		return err
	}
	runtime.GC()
	trace.Stop()
	return nil
}
