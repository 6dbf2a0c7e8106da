//go:build unix

package guest

import (
	"syscall"
	"time"
)

// processCPU is the CPU time the process has used, user and system, in
// every thread: a run's cost on a loaded machine, where wall time also
// counts the time other processes held the cores.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return time.Duration(time.Now().UnixNano())
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
