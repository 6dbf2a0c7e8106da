package meter

import "syscall"

// readEntry returns the whole file at path, mapped read-only and
// populated where it can (mapped is then true): the kernel maps the page
// cache's pages in one call, where reading the file would copy it into
// fresh memory, faulting every page in (on the virtual machines this runs
// on, a page fault is dear: reading a 6 MB module cost about 50 ms of
// CPU, mapping it under 1 ms). The mapping stays valid if the file is
// renamed over or removed; cache files are never truncated in place. A
// file system that cannot map the file has it read. Only a file whose
// header openEntry accepts is mapped.
func readEntry(path string) (data []byte, mapped bool, err error) {
	f, size, err := openEntry(path)
	if err != nil {
		return nil, false, err
	}
	defer f.Close()
	b, err := syscall.Mmap(int(f.Fd()), 0, size, syscall.PROT_READ, syscall.MAP_PRIVATE|syscall.MAP_POPULATE)
	if err == nil {
		return b, true, nil
	}
	b, err = readEntryFile(f, size)
	return b, false, err
}

// unmap releases a mapping of readEntry.
func unmap(b []byte) error { return syscall.Munmap(b) }
