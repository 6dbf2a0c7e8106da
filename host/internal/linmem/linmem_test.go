package linmem

import (
	"bytes"
	"testing"
)

// TestGrowReuseAndZeros: a memory grows up to its maximum and no further,
// keeps what was written as it grows, and a memory made after one was
// freed (on Linux, over the same reservation) starts zeroed.
func TestGrowReuseAndZeros(t *testing.T) {
	const page, max = 64 << 10, 16 * 64 << 10
	for _, name := range []string{"allocator", "heap"} {
		t.Run(name, func(t *testing.T) {
			alloc := func() interface {
				Reallocate(uint64) []byte
				Free()
			} {
				if name == "heap" {
					return &heapMemory{max: max}
				}
				return Allocator().Allocate(page, max)
			}
			m := alloc()
			b := m.Reallocate(page)
			if len(b) != page {
				t.Fatalf("len %d, want %d", len(b), page)
			}
			b[0], b[page-1] = 1, 2
			b = m.Reallocate(max)
			if len(b) != max || cap(b) != max || b[0] != 1 || b[page-1] != 2 {
				t.Fatalf("grown to %d (cap %d), first page kept: %v", len(b), cap(b), b[0] == 1 && b[page-1] == 2)
			}
			if !bytes.Equal(b[page:], make([]byte, max-page)) {
				t.Fatal("the grown pages are not zero")
			}
			for i := range b {
				b[i] = 0xff
			}
			if m.Reallocate(max+page) != nil {
				t.Fatal("grew past its maximum")
			}
			m.Free()
			m2 := alloc()
			b2 := m2.Reallocate(max)
			if !bytes.Equal(b2, make([]byte, max)) {
				t.Fatal("a memory made after a freed one is not zero")
			}
			m2.Free()
		})
	}
}
