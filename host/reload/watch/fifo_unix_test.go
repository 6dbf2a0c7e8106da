//go:build unix

package watch

import (
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// TestHashFileFIFO: a FIFO in a watched directory is not a file to hash,
// and hashing it returns at once, where opening it waited for a writer
// and stopped the watcher.
func TestHashFileFIFO(t *testing.T) {
	t.Parallel()
	fifo := filepath.Join(t.TempDir(), "pipe")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Skip("no FIFOs here:", err)
	}
	done := make(chan bool, 1)
	go func() {
		_, ok, err := hashFile(fifo)
		done <- ok || err != nil
	}()
	select {
	case bad := <-done:
		if bad {
			t.Error("hashFile took a FIFO as a file, or failed on it")
		}
	case <-time.After(20 * time.Second):
		t.Fatal("hashFile on a FIFO did not return in 20 s")
	}
}
