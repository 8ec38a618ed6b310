package faq

import (
	"syscall"
	"time"
	"unsafe"
)

// clockProcessCPUTime is Linux's CLOCK_PROCESS_CPUTIME_ID.
const clockProcessCPUTime = 2

// processCPU is the CPU time the process has used, on all its threads, to
// the nanosecond: the difference around a call is the CPU the call took
// (its side goroutines and the garbage collection it causes included: the
// benchmark runs nothing else), whatever else the machine runs (wall time
// on a loaded machine measures the other processes as much as the code).
// The calling thread's own clock missed the languages Ask scores on other
// goroutines; getrusage would only count whole scheduler ticks.
func processCPU() (time.Duration, bool) {
	var ts syscall.Timespec
	if _, _, errno := syscall.Syscall(syscall.SYS_CLOCK_GETTIME, clockProcessCPUTime, uintptr(unsafe.Pointer(&ts)), 0); errno != 0 {
		return 0, false
	}
	return time.Duration(ts.Nano()), true
}
