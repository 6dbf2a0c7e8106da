package host

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync"

	"github.com/tetratelabs/wazero"
	"github.com/watchbox/watchbox/host/bundle"
	"github.com/watchbox/watchbox/host/inspect"
	"github.com/watchbox/watchbox/host/internal/guest"
	"github.com/watchbox/watchbox/host/meter"
)

// Keeper keeps apps' Wasm side from one Runtime to the next (Config.Keep):
// the fuzzer runs every input in a new Runtime, so that no state of the
// system (clock, budgets, tasks, notifications, data container) leaks
// from one run to the next, while the app is compiled once and its
// instance is restored from a snapshot instead of instantiated. A Keeper
// is for one Runtime at a time; Close it when done.
type Keeper struct {
	mu     sync.Mutex
	cache  wazero.CompilationCache
	meters *meter.Cache
	wasi   map[string]bool
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
func (k *Keeper) shared(ctx context.Context, cacheDir string) (wazero.CompilationCache, *meter.Cache, map[string]bool, error) {
	if k != nil {
		k.mu.Lock()
		defer k.mu.Unlock()
		if k.closed {
			return nil, nil, nil, errors.New("host: the Keeper is closed")
		}
		if k.cache != nil {
			return k.cache, k.meters, k.wasi, nil
		}
	}
	cache, err := wazero.NewCompilationCacheWithDir(filepath.Join(cacheDir, "wazero"))
	if err != nil {
		return nil, nil, nil, fmt.Errorf("host: compilation cache in %s: %w", cacheDir, err)
	}
	meters, err := meter.NewCache(filepath.Join(cacheDir, "meter"))
	if err != nil {
		return nil, nil, nil, fmt.Errorf("host: metered module cache in %s: %w", cacheDir, err)
	}
	wasi, err := inspect.WASIFunctions(ctx)
	if err != nil {
		return nil, nil, nil, err
	}
	if k != nil {
		k.cache, k.meters, k.wasi = cache, meters, wasi
	}
	return cache, meters, wasi, nil
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
	if k.cache != nil {
		errs = append(errs, k.cache.Close(ctx))
	}
	return errors.Join(errs...)
}
