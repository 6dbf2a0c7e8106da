//go:build !linux

package meter

// readEntry reads the whole file at path (elsewhere than Linux, where it
// maps it), if its header openEntry accepts; mapped is always false.
func readEntry(path string) (data []byte, mapped bool, err error) {
	f, size, err := openEntry(path)
	if err != nil {
		return nil, false, err
	}
	defer f.Close()
	data, err = readEntryFile(f, size)
	return data, false, err
}

// unmap is never called off Linux: readEntry maps nothing.
func unmap([]byte) error { return nil }
