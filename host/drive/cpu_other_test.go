//go:build !linux

package drive

import "time"

// cpuTime is not measured off Linux: the benchmarks report 0.
func cpuTime() time.Duration { return 0 }
