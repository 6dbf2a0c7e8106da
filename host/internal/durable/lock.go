package durable

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// LockName is the file in a state directory that Lock holds.
const LockName = "LOCK"

// ErrLocked is wrapped by Lock's error when another process holds the
// directory.
var ErrLocked = errors.New("is in use by another watchbox")

// A DirLock is a state directory held by this process: while it is held,
// no other watchbox can take the directory, so two hosts never write the
// same apps' state files over each other. Release it with Unlock.
type DirLock struct {
	f *os.File
}

// Lock takes dir (created if needed) for this process, or fails at once
// with an error wrapping ErrLocked that names the holder's pid when
// another process holds it. The lock is the operating system's advisory
// file lock on dir/LOCK, so it goes away with the process that held it,
// even after a SIGKILL; where the system has none, Lock only records the
// pid.
func Lock(dir string) (*DirLock, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("state directory %s: %w", dir, err)
	}
	path := filepath.Join(dir, LockName)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("state directory %s: %w", dir, err)
	}
	if err := lockFile(f); err != nil {
		f.Close()
		if errors.Is(err, errWouldBlock) {
			holder := "another process"
			if b, rerr := os.ReadFile(path); rerr == nil {
				if pid, perr := strconv.Atoi(strings.TrimSpace(string(b))); perr == nil && pid > 0 {
					holder = "process " + strconv.Itoa(pid)
				}
			}
			return nil, fmt.Errorf("state directory %s %w (%s holds %s): stop it, or give this run its own --data or --state (or --state off)", dir, ErrLocked, holder, path)
		}
		return nil, fmt.Errorf("state directory %s: locking %s: %w", dir, path, err)
	}
	// The pid is for the message above; the lock itself is the flock.
	if err := f.Truncate(0); err == nil {
		f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	}
	return &DirLock{f: f}, nil
}

// Unlock releases the directory. It is safe on a nil DirLock.
func (l *DirLock) Unlock() error {
	if l == nil || l.f == nil {
		return nil
	}
	err := l.f.Close() // closing the file releases its lock
	l.f = nil
	return err
}
