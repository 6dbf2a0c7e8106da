//go:build unix

package meter

import (
	"crypto/sha256"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// TestCacheEntryNotAFile puts what is not an entry where an entry goes: a
// FIFO (opening it without a writer used to block the load forever) and a
// 2 GiB sparse file of zeros (which used to be mapped and populated whole
// before its magic was checked). Open refuses both at once, and
// InstrumentWith recomputes the module and stores it in their place.
func TestCacheEntryNotAFile(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "meter-cache")
	c, err := NewCache(dir)
	if err != nil {
		t.Fatal(err)
	}
	want := mustInstrument(t, fibModule(), Strict)
	sum := sha256.Sum256(fibModule())
	path := filepath.Join(dir, entryName(sum, Strict, Extras{}))
	cases := map[string]func() error{
		"FIFO": func() error { return syscall.Mkfifo(path, 0o644) },
		"2 GiB of zeros": func() error {
			f, err := os.Create(path)
			if err != nil {
				return err
			}
			defer f.Close()
			return f.Truncate(2 << 30)
		},
	}
	for name, create := range cases {
		os.Remove(path)
		if err := create(); err != nil {
			t.Skipf("%s: %v", name, err)
		}
		done := inBackground(func() {
			if e, ok := c.Open(sum, Strict, Extras{}); ok {
				e.Close()
				t.Errorf("%s: Open took it as an entry", name)
			}
		})
		select {
		case <-done:
		case <-time.After(20 * time.Second):
			t.Fatalf("%s: Open did not return in 20 s", name)
		}
		// The store renames a fresh entry over it.
		if got, err := c.Instrument(fibModule(), Strict); err != nil || string(got) != string(want) {
			t.Errorf("%s: Instrument = %d bytes, %v; want the module recomputed", name, len(got), err)
		}
		e, ok := c.Open(sum, Strict, Extras{})
		if !ok {
			t.Errorf("%s: the recomputed entry was not stored", name)
			continue
		}
		e.Close()
	}
}

// inBackground runs f in a goroutine and returns a channel closed when it ends.
func inBackground(f func()) <-chan struct{} {
	done := make(chan struct{})
	go func() {
		defer close(done)
		f()
	}()
	return done
}
