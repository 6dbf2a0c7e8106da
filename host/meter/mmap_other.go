//go:build !linux

package meter

import "os"

// mapFile reads the whole file at path (elsewhere than Linux, where it
// maps it).
func mapFile(path string) ([]byte, error) { return os.ReadFile(path) }

// unmap does nothing: mapFile's bytes are the Go heap's.
func unmap([]byte) error { return nil }
