//go:build cgo

package main

/*
#include <pthread.h>

extern void goCallback(int);

static void* threadMain(void* arg) {
	for (int i = 0; i < 5; i++) goCallback(i);
	return 0;
}

// callFromCThreads calls back into Go from threads that Go did not create, which the
// tracer records as goroutines created and destroyed in a syscall.
static int callFromCThreads(int n) {
	pthread_t th[8];
	if (n > 8) n = 8;
	for (int i = 0; i < n; i++) {
		if (pthread_create(&th[i], 0, threadMain, 0) != 0) return -1;
	}
	for (int i = 0; i < n; i++) pthread_join(th[i], 0);
	return 0;
}
*/
import "C"

import (
	"errors"
	"io"
	"sync/atomic"
)

func init() { register("cgo", scenario{run: cgoCallbacks}) }

var callbacks atomic.Int64

//export goCallback
func goCallback(i C.int) { callbacks.Add(int64(i) + 1) }

func cgoCallbacks(io.Writer) error {
	if C.callFromCThreads(4) != 0 {
		return errors.New("pthread_create failed")
	}
	return nil
}
