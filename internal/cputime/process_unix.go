//go:build unix

package cputime

import (
	"syscall"
	"time"
)

// Process is the CPU time the process has used, user and system, in every
// thread.
func Process() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return time.Duration(time.Now().UnixNano())
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
