//go:build !linux

package cputime

import "time"

var t0 = time.Now()

// Thread falls back to wall-clock time off Linux.
func Thread() time.Duration { return time.Since(t0) }
