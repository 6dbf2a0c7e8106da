//go:build !linux

package meter

import "os"

// readEntry reads the whole file at path (elsewhere than Linux, where it
// maps it); mapped is always false.
func readEntry(path string) (data []byte, mapped bool, err error) {
	data, err = os.ReadFile(path)
	return data, false, err
}

// unmap is never called off Linux: readEntry maps nothing.
func unmap([]byte) error { return nil }
