//go:build linux

package linmem

import (
	"sync"
	"syscall"
	"unsafe"
)

// mapped is a linear memory backed by a reservation: an anonymous private
// mapping of max bytes, of which the first size are the memory.
type mapped struct {
	region []byte // the whole reservation, len == cap == its size
	size   uint64
	freed  bool
}

// pool holds the reservations of closed memories, by size, for reuse.
var pool struct {
	sync.Mutex
	free map[int][][]byte
}

// reserve returns a memory over a reservation of max bytes (rounded up to
// the system page), reused from the pool if one of that size is there; nil
// on a 32-bit platform or when the mapping fails.
func reserve(max uint64) *mapped {
	if unsafe.Sizeof(uintptr(0)) < 8 || max == 0 || max > 1<<32 {
		return nil
	}
	page := uint64(syscall.Getpagesize())
	n := int((max + page - 1) / page * page)
	pool.Lock()
	if list := pool.free[n]; len(list) > 0 {
		region := list[len(list)-1]
		pool.free[n] = list[:len(list)-1]
		pool.Unlock()
		return &mapped{region: region}
	}
	pool.Unlock()
	// MAP_NORESERVE: the reservation is address space, not committed
	// memory; only the pages the guest touches count.
	region, err := syscall.Mmap(-1, 0, n, syscall.PROT_READ|syscall.PROT_WRITE,
		syscall.MAP_PRIVATE|syscall.MAP_ANONYMOUS|syscall.MAP_NORESERVE)
	if err != nil {
		return nil
	}
	return &mapped{region: region}
}

// Reallocate makes the memory size bytes long. The pages beyond the old
// size were never touched since the reservation was made or dropped, so
// they are zero, as memory.grow requires. It returns nil past the
// reservation, which wazero reports as a failed memory.grow.
func (m *mapped) Reallocate(size uint64) []byte {
	if m.freed || size > uint64(len(m.region)) {
		return nil
	}
	if size > m.size {
		m.size = size
	}
	return m.region[:size:size]
}

// Free drops the memory's pages and keeps the reservation for reuse.
func (m *mapped) Free() {
	if m.freed {
		return
	}
	m.freed = true
	if m.size > 0 {
		// Private anonymous pages read as zeros after MADV_DONTNEED.
		if err := syscall.Madvise(m.region[:pageAlign(m.size)], syscall.MADV_DONTNEED); err != nil {
			// Pages that cannot be dropped cannot be handed out as zeros:
			// leave the reservation mapped, unused, rather than reuse it.
			return
		}
	}
	pool.Lock()
	if pool.free == nil {
		pool.free = map[int][][]byte{}
	}
	pool.free[len(m.region)] = append(pool.free[len(m.region)], m.region)
	pool.Unlock()
}

// pageAlign rounds n up to the system page, within the reservation (whose
// size is a multiple of the page).
func pageAlign(n uint64) uint64 {
	page := uint64(syscall.Getpagesize())
	return (n + page - 1) / page * page
}
