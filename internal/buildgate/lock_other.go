//go:build !unix

package buildgate

import (
	"context"
	"sync"
)

// locks holds one lock per path, for the goroutines of this process.
var locks sync.Map // path -> chan struct{}

// lockFile excludes the goroutines of this process that lock path; other
// processes are not excluded, and no file is made (so remove has nothing
// to do).
func lockFile(ctx context.Context, path string, remove bool) (func(), error) {
	v, _ := locks.LoadOrStore(path, make(chan struct{}, 1))
	ch := v.(chan struct{})
	select {
	case ch <- struct{}{}:
		return func() { <-ch }, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}
