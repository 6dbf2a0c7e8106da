//go:build !linux

package linmem

import "github.com/tetratelabs/wazero/experimental"

// reserve makes no reservation off Linux: memories are Go slices.
func reserve(max uint64) experimental.LinearMemory { return nil }

// Kept is 0 off Linux: no pool.
func Kept() uint64 { return 0 }

// Resident cannot tell off Linux.
func Resident(b []byte) (uint64, bool) { return 0, false }
