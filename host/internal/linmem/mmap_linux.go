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
	kept   uint64 // the extent of the pages that were kept, zeroed, when it was handed out
	freed  bool
}

// keepResident is the most memory the pool keeps resident, zeroed, in the
// reservations of closed memories (chosen here). A page the kernel maps on
// first touch costs about 16 µs of CPU on the development VM, against
// about 50 ns to zero a resident one (docs/performance.md, "Cold launch"):
// a Go guest touches some 700 pages to start, so dropping them at every
// close made each relaunch of a purged app pay about 12 ms in page faults.
// 16 MiB keeps a few Go apps' starting memory; a memory with more resident
// pages than the budget has left is dropped, as before.
const keepResident = 16 << 20

// reservation is a closed memory's mapping in the pool: of its first kept
// bytes, resident are resident; all are zero.
type reservation struct {
	region   []byte
	kept     uint64
	resident uint64
}

// pool holds the reservations of closed memories, by size, for reuse;
// resident is the sum of their resident pages, at most keepResident.
var pool struct {
	sync.Mutex
	free     map[int][]reservation
	resident uint64
}

// Kept returns how many bytes of closed memories' pages the pool keeps
// resident, zeroed, for the next memories (at most keepResident): memory
// the process holds that no live instance uses, for the RSS figures of
// docs/performance.md.
func Kept() uint64 {
	pool.Lock()
	defer pool.Unlock()
	return pool.resident
}

// Resident returns how many bytes of b's pages are resident (mincore), or
// false when the system cannot tell: for the RSS figures, which split a
// process's memory into the guests' linear memories and the rest.
func Resident(b []byte) (uint64, bool) {
	if len(b) == 0 {
		return 0, true
	}
	off := uint64(uintptr(unsafe.Pointer(unsafe.SliceData(b))) % uintptr(pageSize))
	// mincore wants a page-aligned start.
	aligned := unsafe.Slice((*byte)(unsafe.Add(unsafe.Pointer(unsafe.SliceData(b)), -int(off))), uint64(len(b))+off)
	vec, ok := mincore(aligned)
	n := uint64(0)
	for _, v := range vec {
		n += uint64(v&1) * pageSize
	}
	return n, ok
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
		r := list[len(list)-1]
		pool.free[n] = list[:len(list)-1]
		pool.resident -= r.resident
		pool.Unlock()
		return &mapped{region: r.region, kept: r.kept}
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

// Free zeroes the memory's resident pages and keeps them, while the pool
// keeps fewer than keepResident bytes resident; otherwise it drops them.
// Either way the reservation is kept for reuse, every page of it zero.
func (m *mapped) Free() {
	if m.freed {
		return
	}
	m.freed = true
	// touched is the extent of the pages that may be resident: the memory's,
	// and the zeroed ones it was handed with.
	touched := max(pageAlign(m.size), m.kept)
	r := reservation{region: m.region}
	if touched > 0 {
		vec, ok := mincore(m.region[:touched])
		resident := uint64(0)
		for _, v := range vec {
			resident += uint64(v&1) * pageSize
		}
		pool.Lock()
		keep := ok && pool.resident+resident <= keepResident
		if keep {
			pool.resident += resident
		}
		pool.Unlock()
		if keep {
			// Zero only the resident pages: writing to the others would map
			// them. Pages past the memory's size were not written since they
			// were last zeroed.
			if !zeroResident(m.region[:pageAlign(m.size)], vec) {
				pool.Lock()
				pool.resident -= resident
				pool.Unlock()
				return // as below: not handed out again
			}
			r.kept, r.resident = touched, resident
		} else if err := syscall.Madvise(m.region[:touched], syscall.MADV_DONTNEED); err != nil {
			// Private anonymous pages read as zeros after MADV_DONTNEED.
			// Pages that cannot be dropped cannot be handed out as zeros:
			// leave the reservation mapped, unused, rather than reuse it.
			return
		}
	}
	pool.Lock()
	if pool.free == nil {
		pool.free = map[int][]reservation{}
	}
	pool.free[len(m.region)] = append(pool.free[len(m.region)], r)
	pool.Unlock()
}

// pageSize is the system's page size.
var pageSize = uint64(syscall.Getpagesize())

// mincore returns one byte per page of b (page-aligned), whose low bit is
// set when the page is resident; false when the system cannot tell.
func mincore(b []byte) ([]byte, bool) {
	vec := make([]byte, (uint64(len(b))+pageSize-1)/pageSize)
	_, _, errno := syscall.Syscall(syscall.SYS_MINCORE, uintptr(unsafe.Pointer(unsafe.SliceData(b))),
		uintptr(len(b)), uintptr(unsafe.Pointer(unsafe.SliceData(vec))))
	return vec, errno == 0
}

// zeroResident zeroes the pages of b (page-aligned) that vec, mincore's
// answer for b or for a longer range that starts with it, says are
// resident, run by run, and drops the others (MADV_DONTNEED): a page the
// guest wrote that the kernel has since swapped out is not resident, yet
// holds the guest's data, and must read as zeros in the next memory. A
// page never touched has nothing to drop, and a drop costs it nothing.
// It reports false if a drop failed: the pages cannot be handed out then.
func zeroResident(b []byte, vec []byte) bool {
	n := (uint64(len(b)) + pageSize - 1) / pageSize
	ok := true
	for i := uint64(0); i < n; {
		res := vec[i] & 1
		j := i
		for j < n && vec[j]&1 == res {
			j++
		}
		run := b[i*pageSize : min(j*pageSize, uint64(len(b)))]
		if res != 0 {
			clear(run)
		} else if err := syscall.Madvise(run, syscall.MADV_DONTNEED); err != nil {
			ok = false
		}
		i = j
	}
	return ok
}

// pageAlign rounds n up to the system page, within the reservation (whose
// size is a multiple of the page).
func pageAlign(n uint64) uint64 {
	page := uint64(syscall.Getpagesize())
	return (n + page - 1) / page * page
}
