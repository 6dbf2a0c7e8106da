package buildgate

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestLockExcludes: a second Lock of a path waits until the first is
// released, and a cancelled context ends the wait with its error.
func TestLockExcludes(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "x.lock")
	unlock, err := Lock(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, err := Lock(ctx, path); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("second Lock while held: %v, want the context's deadline", err)
	}
	got := make(chan error, 1)
	go func() {
		u, err := Lock(context.Background(), path)
		if err == nil {
			u()
		}
		got <- err
	}()
	select {
	case err := <-got:
		t.Fatalf("second Lock returned (%v) while the first held the lock", err)
	case <-time.After(30 * time.Millisecond):
	}
	unlock()
	if err := <-got; err != nil {
		t.Fatal(err)
	}
}

// TestFirst: builds wait for the first while it runs, a failed first
// build lets the next one be first, and after a success First returns at
// once. Not parallel: it changes the process's state.
func TestFirst(t *testing.T) {
	t.Setenv("TMPDIR", t.TempDir())
	doneMu.Lock()
	done = false // as in a new process (go test -count)
	doneMu.Unlock()
	end, err := First(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, err := First(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("First during the first build: %v, want the context's deadline", err)
	}
	end(false)
	ctx = context.Background()
	end, err = First(ctx)
	if err != nil {
		t.Fatalf("First after a failed first build: %v", err)
	}
	end(true)
	// After a success, First neither waits for the process's turn nor
	// for the lock file, even while another holds it.
	unlock, err := Lock(context.Background(), filepath.Join(os.TempDir(), firstLockName))
	if err != nil {
		t.Fatal(err)
	}
	defer unlock()
	for range 2 {
		end, err := First(ctx)
		if err != nil {
			t.Fatalf("First after a successful build: %v", err)
		}
		defer end(true)
	}
}

// TestLockTempRemovesItsFile: a LockTemp's file is gone once it is
// released, and goroutines that take turns on it never hold it together.
func TestLockTempRemovesItsFile(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "x.lock")
	var holders, most atomic.Int32
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 20 {
				unlock, err := LockTemp(context.Background(), path)
				if err != nil {
					t.Error(err)
					return
				}
				if n := holders.Add(1); n > 1 {
					most.Store(n)
				}
				time.Sleep(100 * time.Microsecond)
				holders.Add(-1)
				unlock()
			}
		}()
	}
	wg.Wait()
	if m := most.Load(); m != 0 {
		t.Errorf("%d goroutines held the lock at once", m)
	}
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("lock file after the last unlock: %v, want it removed", err)
	}
}
