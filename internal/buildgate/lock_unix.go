//go:build unix

package buildgate

import (
	"context"
	"errors"
	"fmt"
	"os"
	"syscall"
	"time"
)

// lockFile takes flock(2)'s exclusive lock on path. A lock is held by an
// open file, so two Locks of one path in a process exclude each other
// too, and the kernel releases it when the process ends. It polls rather
// than blocks, so that a cancelled context ends the wait. With remove, the
// holder removes the file before it unlocks, and a waiter that then gets
// the lock of the removed file opens the path again.
func lockFile(ctx context.Context, path string, remove bool) (func(), error) {
	wait := 5 * time.Millisecond
	for {
		f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
		if err != nil {
			return nil, fmt.Errorf("opening lock file: %w", err)
		}
		for {
			err = syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
			if err == nil || (!errors.Is(err, syscall.EWOULDBLOCK) && !errors.Is(err, syscall.EINTR)) {
				break
			}
			select {
			case <-ctx.Done():
				f.Close()
				return nil, ctx.Err()
			case <-time.After(wait):
			}
			wait = min(2*wait, 100*time.Millisecond)
		}
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("locking %s: %w", path, err)
		}
		if remove && !samePath(f, path) {
			f.Close() // the holder removed it: lock the path's new file
			continue
		}
		return func() {
			if remove {
				os.Remove(path)
			}
			syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
			f.Close()
		}, nil
	}
}

// samePath reports whether path still names the open file f.
func samePath(f *os.File, path string) bool {
	a, err := f.Stat()
	if err != nil {
		return false
	}
	b, err := os.Stat(path)
	return err == nil && os.SameFile(a, b)
}
