//go:build !unix

package cputime

import "time"

// Process falls back to wall time where getrusage is not available.
func Process() time.Duration { return time.Duration(time.Now().UnixNano()) }
