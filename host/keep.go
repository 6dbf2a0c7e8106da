package host

import (
	"context"
	"errors"
	"sync"

	"github.com/watchbox/watchbox/host/bundle"
	"github.com/watchbox/watchbox/host/internal/guest"
)

// Keeper keeps apps' Wasm side from one Runtime to the next (Config.Keep):
// the fuzzer runs every input in a new Runtime, so that no state of the
// system (clock, budgets, tasks, notifications, data container) leaks
// from one run to the next, while the app is compiled once and its
// instance is restored from a snapshot instead of instantiated. A Keeper
// is for one Runtime at a time; Close it when done.
type Keeper struct {
	mu     sync.Mutex
	caches caches           // made by the Keeper's first Runtime
	apps   map[string]*kept // by absolute bundle directory
	closed bool
}

// kept is an app's Wasm side between two runtimes.
type kept struct {
	file string
	m    bundle.Manifest
	g    *guest.Guest
}

// NewKeeper returns an empty Keeper.
func NewKeeper() *Keeper { return &Keeper{apps: map[string]*kept{}} }

// shared returns the caches and WASI names of a new Runtime: a Keeper's,
// made by its first Runtime, or new ones without a Keeper.
func (k *Keeper) shared(ctx context.Context, cacheDir string) (caches, error) {
	if k == nil {
		return openCaches(ctx, cacheDir)
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.closed {
		return caches{}, errors.New("host: the Keeper is closed")
	}
	if k.caches.cache == nil {
		c, err := openCaches(ctx, cacheDir)
		if err != nil {
			return caches{}, err
		}
		k.caches = c
	}
	return k.caches, nil
}

// take removes and returns the kept app of dir, if any.
func (k *Keeper) take(dir string) *kept {
	if k == nil {
		return nil
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	a := k.apps[dir]
	delete(k.apps, dir)
	return a
}

// put keeps a, or closes its guest if the Keeper is closed or already
// keeps the app.
func (k *Keeper) put(ctx context.Context, dir string, a *kept) error {
	k.mu.Lock()
	if k.closed || k.apps[dir] != nil {
		k.mu.Unlock()
		return a.g.Close(ctx)
	}
	k.apps[dir] = a
	k.mu.Unlock()
	return nil
}

// Close closes every kept app and the shared caches.
func (k *Keeper) Close(ctx context.Context) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.closed {
		return nil
	}
	k.closed = true
	var errs []error
	for _, a := range k.apps {
		errs = append(errs, a.g.Close(ctx))
	}
	k.apps = nil
	if k.caches.cache != nil {
		errs = append(errs, k.caches.cache.Close(ctx))
	}
	return errors.Join(errs...)
}
