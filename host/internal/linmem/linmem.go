// Package linmem backs the guests' linear memories with memory outside the
// Go heap: on Linux, each memory is one anonymous mapping reserved up to
// the memory's maximum (the app's memoryLimit), so memory.grow only
// lengthens a slice over pages the kernel maps, zeroed, on first touch.
//
// wazero's own linear memory is a Go slice that grows by allocating a
// bigger one and copying: a guest that grows to its limit leaves every
// smaller copy to the garbage collector, and a memory bomb made the host's
// peak RSS about four times the app's memoryLimit (docs/performance.md,
// "Host memory"). With a reservation the peak is the pages the guest
// touched, no copy is made, and closing an instance gives its pages back
// to the system at once, beyond the few that are kept for the next one.
//
// A closed instance's reservation is never unmapped: it is kept for the
// next memory of the same maximum, every page of it zero. Its resident
// pages are zeroed in place (the others, which may be swapped out with the
// guest's data in them, are dropped) and stay resident while the pool keeps at most
// keepResident bytes so (mapping a page on first touch costs this VM some
// 16 µs, and a relaunched Go guest touches about 700); past that budget
// they are dropped (madvise MADV_DONTNEED, so they read as zeros and cost
// no RSS).
// A slice of guest memory that something held past the instance's close
// therefore never faults; it reads zeros, or a later instance's memory.
// The host copies what it keeps of guest memory (the request host
// function copies its arguments) so that this never happens. The address
// space kept is at most the largest number of memories of one maximum
// that were live at once, and the resident memory kept at most
// keepResident.
//
// Elsewhere (other systems, 32-bit platforms, or a failed mmap) a memory
// is a Go slice grown as wazero grows it.
package linmem

import (
	"github.com/tetratelabs/wazero/experimental"
)

// Allocator returns the allocator for guests' linear memories (see the
// package doc); pass it to wazero with experimental.WithMemoryAllocator in
// the context of InstantiateModule.
func Allocator() experimental.MemoryAllocator { return allocator{} }

type allocator struct{}

// Allocate returns a reservation of max bytes, or a Go slice when none can
// be made. It never returns nil: wazero does not check.
func (allocator) Allocate(cap, max uint64) experimental.LinearMemory {
	if m := reserve(max); m != nil {
		return m
	}
	return &heapMemory{buf: make([]byte, 0, cap), max: max}
}

// heapMemory is a linear memory in the Go heap, grown as wazero grows its
// own: by appending, which copies when the capacity runs out.
type heapMemory struct {
	buf []byte
	max uint64
}

func (m *heapMemory) Reallocate(size uint64) []byte {
	if size > m.max {
		return nil
	}
	if n := uint64(len(m.buf)); size > n {
		m.buf = append(m.buf, make([]byte, size-n)...)
	}
	return m.buf[:size:size]
}

func (m *heapMemory) Free() { m.buf = nil }
