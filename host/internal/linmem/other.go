//go:build !linux

package linmem

import "github.com/tetratelabs/wazero/experimental"

// reserve makes no reservation off Linux: memories are Go slices.
func reserve(max uint64) experimental.LinearMemory { return nil }
