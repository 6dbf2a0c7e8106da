// Package buildgate makes the go builds for GOOS=wasip1 that processes on
// one machine start at the same time take turns where that saves work.
//
// The go command shares its build cache between processes but not the work
// in progress: with a cold cache, every go build that starts before the
// first has finished compiles the standard library for wasip1 again (about
// 28 s of CPU each). The first build of each process therefore waits for the
// first builds of the other processes (First), and two builds of the same
// module wait for each other (Lock), so that the later one finds the result
// in the cache.
package buildgate

import (
	"context"
	"os"
	"path/filepath"
	"sync"
)

// firstLockName is the file under os.TempDir() that the first builds of
// all processes lock in turn.
const firstLockName = "watchbox-wasip1-first-build.lock"

var (
	// turn is held by the goroutine running this process's first build;
	// the other builds of the process wait for it.
	turn = make(chan struct{}, 1)

	doneMu sync.Mutex
	done   bool // a first build of this process succeeded
)

// First waits until this process may start a go build for wasip1 and
// returns the function to call when the build has ended, with whether it
// succeeded. Once a build of this process has succeeded (so the standard
// library is in the Go build cache), First returns at once. Until then the
// process's builds run one at a time, each holding a lock on a file in
// os.TempDir() that the first builds of the other processes wait for. An
// error is the context's (or a lock file that cannot be opened).
func First(ctx context.Context) (end func(ok bool), err error) {
	if isDone() {
		return func(bool) {}, nil
	}
	select {
	case turn <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	if isDone() {
		<-turn
		return func(bool) {}, nil
	}
	unlock, err := Lock(ctx, filepath.Join(os.TempDir(), firstLockName))
	if err != nil {
		<-turn
		return nil, err
	}
	return func(ok bool) {
		if ok {
			doneMu.Lock()
			done = true
			doneMu.Unlock()
		}
		unlock()
		<-turn
	}, nil
}

func isDone() bool {
	doneMu.Lock()
	defer doneMu.Unlock()
	return done
}

// Lock takes an exclusive lock on the file at path, creating it if need
// be, waiting while another process or goroutine holds it, and returns
// the function that releases it. The file is left in place. Where file
// locks are not supported, Lock only excludes the goroutines of this
// process.
func Lock(ctx context.Context, path string) (unlock func(), err error) {
	return lockFile(ctx, path, false)
}

// LockTemp is Lock for a lock file that exists only while it is held:
// unlock removes it, so that a directory of results (a build cache) is left
// with no lock files in it.
func LockTemp(ctx context.Context, path string) (unlock func(), err error) {
	return lockFile(ctx, path, true)
}
