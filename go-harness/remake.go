package main

// Mode remake: a Go-side self-consistency check of the event constructors
// that Go 1.26 exported for trace writers (trace.MakeEvent and friends).
// The implementation is in remake_go126.go; remake_stub.go answers
// "unsupported" on older toolchains. Output, as JSON lines:
//
//	{"i":N,"kind":K,"problem":"error|panic|mismatch","field":F,"detail":D, ...}
//	    one record per event that MakeEvent cannot rebuild faithfully;
//	{"i":-1,"kind":"probe","problem":"accepted"|"panic","field":NAME,"detail":D}
//	    a fixed invalid configuration that MakeEvent accepted or panicked on
//	    (run once per trace);
//	{"end":"EOF"|"error"|"panic", "events":N, "remade":N, "problems":N, "accessor_panics":N,
//	 "unsupported":{REASON:N,...}, ["error"|"panic":MSG]}
//	    the terminal record, as in mode parse, with counts;
//	{"end":"unsupported","detail":MSG}
//	    the toolchain has no MakeEvent (Go < 1.26); exit status 2.

func init() {
	modes["remake"] = modeRemake
}
