package linmem

import (
	"bytes"
	"syscall"
	"testing"
)

// residentBytes is how many bytes of b's pages are resident.
func residentBytes(t *testing.T, b []byte) uint64 {
	t.Helper()
	vec, ok := mincore(b)
	if !ok {
		t.Skip("mincore is not available")
	}
	n := uint64(0)
	for _, v := range vec {
		n += uint64(v&1) * pageSize
	}
	return n
}

// TestFreeKeepsResidentPagesZeroed: a closed memory whose resident pages
// fit the pool's budget is handed out again with those pages still
// resident and zeroed, and the pages it never touched still unmapped; a
// memory with more resident pages than the budget gives them back.
func TestFreeKeepsResidentPagesZeroed(t *testing.T) {
	const mib = 1 << 20
	forgetPooled(4 * mib) // what an earlier run (-count) left kept
	m := Allocator().Allocate(mib, 4*mib).(*mapped)
	b := m.Reallocate(2 * mib)
	for i := range b[:mib] {
		b[i] = 0xff
	}
	m.Free()
	m2 := Allocator().Allocate(mib, 4*mib).(*mapped)
	if &m2.region[0] != &m.region[0] {
		t.Fatal("the freed reservation was not reused")
	}
	if m2.kept != 2*mib {
		t.Errorf("handed out with %d bytes kept, want %d", m2.kept, 2*mib)
	}
	b2 := m2.Reallocate(4 * mib)
	if got := residentBytes(t, b2[:mib]); got != mib {
		t.Errorf("%d bytes of the touched MiB resident after reuse, want all %d", got, mib)
	}
	if got := residentBytes(t, b2[mib:]); got != 0 {
		t.Errorf("%d bytes of the untouched pages resident after reuse, want 0: Free wrote to them", got)
	}
	if !bytes.Equal(b2, make([]byte, 4*mib)) {
		t.Fatal("a reused memory is not zero")
	}
	m2.Free()

	// The pool's count of resident bytes stays true over many reuses, so
	// the budget does not run out (or wrap) with nothing kept.
	before := pool.resident
	for range 20 {
		m := Allocator().Allocate(mib, 4*mib).(*mapped)
		clear(m.Reallocate(mib))
		m.Free()
		if m.kept == 0 {
			t.Fatal("a reuse was handed a dropped reservation")
		}
	}
	if pool.resident != before {
		t.Errorf("the pool counts %d resident bytes after 20 reuses, want %d", pool.resident, before)
	}

	big := Allocator().Allocate(mib, keepResident+mib).(*mapped)
	bb := big.Reallocate(keepResident + mib)
	for i := 0; i < len(bb); i += int(pageSize) {
		bb[i] = 1
	}
	big.Free()
	if got := residentBytes(t, big.region); got != 0 {
		t.Errorf("%d bytes resident after freeing a memory over the budget, want 0", got)
	}
	big2 := Allocator().Allocate(mib, keepResident+mib).(*mapped)
	if big2.kept != 0 {
		t.Errorf("a dropped reservation handed out with %d bytes kept, want 0", big2.kept)
	}
	if !bytes.Equal(big2.Reallocate(keepResident+mib), make([]byte, keepResident+mib)) {
		t.Fatal("a dropped and reused memory is not zero")
	}
	big2.Free()
}

// TestResidentAndKept: Resident counts the resident pages under a slice
// that starts inside a page, and Kept the pool's resident bytes.
func TestResidentAndKept(t *testing.T) {
	const mib = 1 << 20
	// A size no other test uses, and none of it in the pool: a fresh
	// reservation.
	size := uint64(5*mib + 3*pageSize)
	forgetPooled(size)
	m := Allocator().Allocate(mib, size).(*mapped)
	b := m.Reallocate(size)
	clear(b[:2*pageSize]) // touches two pages
	b[3*pageSize] = 1     // and a third, apart
	got, ok := Resident(b[100 : 3*pageSize+1])
	if !ok {
		t.Skip("mincore is not available")
	}
	if got != 3*pageSize {
		t.Errorf("Resident = %d, want %d (three pages)", got, 3*pageSize)
	}
	if got, _ := Resident(b[2*pageSize : 3*pageSize]); got != 0 {
		t.Errorf("Resident of an untouched page = %d, want 0", got)
	}
	before := Kept()
	m.Free()
	if after := Kept(); after != before+3*pageSize && before+3*pageSize <= keepResident {
		t.Errorf("Kept = %d after freeing a memory with three resident pages, want %d", after, before+3*pageSize)
	}
}

// forgetPooled takes the pool's closed reservations of size out of it
// (leaving them mapped), so the next Allocate of that size gets a fresh
// one whatever earlier tests or runs kept.
func forgetPooled(size uint64) {
	pool.Lock()
	defer pool.Unlock()
	for _, r := range pool.free[int(size)] {
		pool.resident -= r.resident
	}
	delete(pool.free, int(size))
}

// TestZeroResidentDropsPagesNotResident hands zeroResident a page that
// holds data but that mincore would call not resident, as it does a page
// the kernel swapped out: it must read as zeros afterwards, like the
// resident ones.
func TestZeroResidentDropsPagesNotResident(t *testing.T) {
	t.Parallel()
	n := 4 * int(pageSize)
	b, err := syscall.Mmap(-1, 0, n, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_PRIVATE|syscall.MAP_ANONYMOUS)
	if err != nil {
		t.Skip("no anonymous mapping:", err)
	}
	defer syscall.Munmap(b)
	for p := 0; p < 4; p++ {
		b[p*int(pageSize)+7] = byte(p + 1)
	}
	// Pages 0 and 2 "resident", 1 and 3 "swapped out".
	if !zeroResident(b, []byte{1, 0, 1, 0}) {
		t.Fatal("zeroResident reported a failed drop")
	}
	for p := 0; p < 4; p++ {
		if v := b[p*int(pageSize)+7]; v != 0 {
			t.Errorf("page %d reads %d after zeroResident, want 0", p, v)
		}
	}
}
