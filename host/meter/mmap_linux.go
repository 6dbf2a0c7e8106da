package meter

import (
	"os"
	"syscall"
)

// readEntry returns the whole file at path, mapped read-only and
// populated where it can (mapped is then true): the kernel maps the page
// cache's pages in one call, where reading the file would copy it into
// fresh memory, faulting every page in (on the virtual machines this runs
// on, a page fault is dear: reading a 6 MB module cost about 50 ms of
// CPU, mapping it under 1 ms). The mapping stays valid if the file is
// renamed over or removed; cache files are never truncated in place. A
// file system that cannot map the file has it read.
func readEntry(path string) (data []byte, mapped bool, err error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, false, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, false, err
	}
	if fi.Size() == 0 || int64(int(fi.Size())) != fi.Size() || !fi.Mode().IsRegular() {
		return nil, false, syscall.EINVAL
	}
	b, err := syscall.Mmap(int(f.Fd()), 0, int(fi.Size()), syscall.PROT_READ, syscall.MAP_PRIVATE|syscall.MAP_POPULATE)
	if err == nil {
		return b, true, nil
	}
	b, err = os.ReadFile(path)
	return b, false, err
}

// unmap releases a mapping of readEntry.
func unmap(b []byte) error { return syscall.Munmap(b) }
