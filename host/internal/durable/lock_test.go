package durable

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
)

func TestLockHoldsTheDirectory(t *testing.T) {
	if runtime.GOOS == "windows" || runtime.GOOS == "plan9" {
		t.Skip("no advisory file lock on this system")
	}
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "state")
	l, err := Lock(dir)
	if err != nil {
		t.Fatal(err)
	}
	// A second holder (a second open file, as another process would
	// have) is refused, and told who holds it and what to do.
	_, err = Lock(dir)
	if !errors.Is(err, ErrLocked) {
		t.Fatalf("second Lock = %v, want ErrLocked", err)
	}
	for _, want := range []string{dir, "process " + strconv.Itoa(os.Getpid()), "--state"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}
	if err := l.Unlock(); err != nil {
		t.Fatal(err)
	}
	// Released, the directory can be taken again.
	l2, err := Lock(dir)
	if err != nil {
		t.Fatalf("Lock after Unlock: %v", err)
	}
	if err := l2.Unlock(); err != nil {
		t.Fatal(err)
	}
	if err := (*DirLock)(nil).Unlock(); err != nil {
		t.Fatal(err)
	}
}
