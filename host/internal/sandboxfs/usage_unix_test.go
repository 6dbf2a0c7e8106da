//go:build unix

package sandboxfs

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// TestOpenWithAFIFOForUsage: a FIFO where the usage record goes is not a
// record: Open walks the tree, where os.ReadFile waited for a writer
// forever.
func TestOpenWithAFIFOForUsage(t *testing.T) {
	t.Parallel()
	base := t.TempDir()
	dir := filepath.Join(base, "c")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	mustWrite(t, filepath.Join(dir, "f"), "12345")
	l := Limits{Quota: 16 << 20, EntryBytes: 4 << 10, MaxDepth: 32, UsageFile: filepath.Join(base, "c.usage")}
	if err := syscall.Mkfifo(l.UsageFile, 0o644); err != nil {
		t.Skip("no FIFOs here:", err)
	}
	done := make(chan *FS, 1)
	go func() {
		f, err := Open(dir, l)
		if err != nil {
			t.Error(err)
		}
		done <- f
	}()
	select {
	case f := <-done:
		if f == nil {
			return
		}
		defer f.Close()
		if !f.Scanned() || f.Usage() != 5+4<<10 {
			t.Errorf("scanned %v, usage %d; want a walk measuring %d", f.Scanned(), f.Usage(), 5+4<<10)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("Open did not return in 20 s (blocked on the FIFO)")
	}
}
