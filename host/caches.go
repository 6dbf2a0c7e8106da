package host

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"

	"github.com/tetratelabs/wazero"
	"github.com/watchbox/watchbox/host/inspect"
	"github.com/watchbox/watchbox/host/meter"
)

// caches are what a Runtime's loader compiles and meters with: the
// compilation cache (its object, not only its directory: guests of one
// cache object and memory limit share one wazero runtime and the modules
// compiled in it, see host/internal/guest), the meter cache and the WASI
// functions a module may import. A Runtime opens its own and closes them,
// unless a Keeper (Config.Keep) or a sharedCaches (Config.sharedCaches)
// holds them.
type caches struct {
	cache  wazero.CompilationCache
	meters *meter.Cache
	wasi   map[string]bool
}

// openCaches opens the caches in cacheDir.
func openCaches(ctx context.Context, cacheDir string) (caches, error) {
	cache, err := wazero.NewCompilationCacheWithDir(filepath.Join(cacheDir, "wazero"))
	if err != nil {
		return caches{}, fmt.Errorf("host: compilation cache in %s: %w", cacheDir, err)
	}
	meters, err := meter.NewCache(filepath.Join(cacheDir, "meter"))
	if err != nil {
		cache.Close(ctx)
		return caches{}, fmt.Errorf("host: metered module cache in %s: %w", cacheDir, err)
	}
	wasi, err := inspect.WASIFunctions(ctx)
	if err != nil {
		cache.Close(ctx)
		return caches{}, err
	}
	return caches{cache: cache, meters: meters, wasi: wasi}, nil
}

// sharedCaches are caches that every Runtime made with them uses and none
// closes (Config.sharedCaches): host's tests give one to all their
// harnesses, so that an app one harness compiled is the compiled module in
// memory for the next, not a decode, a validation and a read of its
// compiled code from disk. They are made by the first Runtime, in its
// CacheDir; a Runtime with another CacheDir is refused.
type sharedCaches struct {
	mu     sync.Mutex
	dir    string
	caches caches
}

// get returns the shared caches, opening them in cacheDir the first time.
func (s *sharedCaches) get(ctx context.Context, cacheDir string) (caches, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.caches.cache == nil {
		c, err := openCaches(ctx, cacheDir)
		if err != nil {
			return caches{}, err
		}
		s.dir, s.caches = cacheDir, c
	}
	if cacheDir != s.dir {
		return caches{}, fmt.Errorf("host: the shared caches are in %s, not in the Config's CacheDir %s", s.dir, cacheDir)
	}
	return s.caches, nil
}
