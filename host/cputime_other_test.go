//go:build !linux

package host

import "time"

var t0 = time.Now()

// threadCPU falls back to wall-clock time off Linux.
func threadCPU() time.Duration { return time.Since(t0) }
