package host

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"path/filepath"

	"github.com/tetratelabs/wazero"
	"github.com/watchbox/watchbox/host/bundle"
	"github.com/watchbox/watchbox/host/inspect"
	"github.com/watchbox/watchbox/host/internal/guest"
	"github.com/watchbox/watchbox/host/meter"
)

// loader is how a module becomes runnable, for a load and for a hot
// reload alike: found built in the build cache, checked, metered (or
// found in the meter cache), compiled in the app's wazero runtime (or
// warmed there ahead of its load). It holds the caches a Runtime shares
// with its Keeper, and the settings of the Runtime's Config it reads.
type loader struct {
	cacheDir  string          // Config.CacheDir
	costModel meter.CostModel // Config.CostModel
	unmetered bool            // Config.Unmetered
	coverage  bool            // Config.Coverage
	snapshots bool            // a Config.Keep keeps the apps' instances

	cache  wazero.CompilationCache
	meters *meter.Cache
	wasi   map[string]bool // the WASI functions a module may import
}

// buildCache is the build cache's directory.
func (l *loader) buildCache() string { return filepath.Join(l.cacheDir, "build") }

// warm compiles the module of the bundle in dir if it needs nothing else,
// and returns what gives the compiled code back; nil if it did not.
func (l *loader) warm(ctx context.Context, dir string) func() {
	if l.unmetered || l.snapshots || l.coverage {
		return nil
	}
	b, err := bundle.Open(dir)
	if err != nil {
		return nil
	}
	mod, _, err := b.Locate(ctx, bundle.BuildOptions{CacheDir: l.buildCache(), CachedOnly: true})
	if err != nil {
		return nil
	}
	e, ok := l.meters.Open(mod.Sum, l.costModel, l.extras())
	if !ok {
		return nil
	}
	defer e.Close()
	release, err := guest.Warm(ctx, guest.Config{Cache: l.cache, MemoryPages: b.Manifest.MemoryLimit.Pages()}, e.Bytes(), e.Key())
	if err != nil {
		return nil
	}
	return release
}

// code is a checked module in the form the runtime compiles (metered, or
// not when the runtime is unmetered), with the key that shares its
// compiled code between apps (guest.Modules.PrepareKeyed). Its bytes may be
// mapped from the meter cache: release them once compiled.
type code struct {
	wasm  []byte
	key   [32]byte
	entry *meter.Entry // nil when wasm is not the meter cache's
}

// release gives back the bytes of a meter cache entry; wasm must not be
// used after.
func (c code) release() {
	if c.entry != nil {
		c.entry.Close()
	}
}

// meter checks mod, read from file, and returns its fuel-metered form
// (the module itself when the runtime is unmetered).
//
// The meter cache only ever holds modules that passed inspect.CheckBody
// (this is its only writer), under the SHA-256 of their bytes, so a hit
// skips that check and the module's own bytes: a warm load reads neither
// the module (a digest record gives its hash, see bundle.Module) nor
// hashes the metered one (its cache entry's key shares the compiled
// code). A module whose bytes are read is hashed, and looked up again
// under its true hash if the record's was wrong.
func (l *loader) meter(dir, file string, m bundle.Manifest, mod *bundle.Module) (code, error) {
	x := l.extras()
	if !l.unmetered {
		if e, ok := l.meters.Open(mod.Sum, l.costModel, x); ok {
			return code{wasm: e.Bytes(), key: e.Key(), entry: e}, nil
		}
	}
	claimed := mod.Sum
	wasm, err := mod.Bytes()
	if err != nil {
		return code{}, fmt.Errorf("host: reading %s: %w", file, err)
	}
	if p := inspect.CheckHeader(file, wasm); p != nil {
		return code{}, &InvalidAppError{Path: dir, Problems: []Problem{*p}}
	}
	if !l.unmetered && mod.Sum != claimed {
		if e, ok := l.meters.Open(mod.Sum, l.costModel, x); ok {
			return code{wasm: e.Bytes(), key: e.Key(), entry: e}, nil
		}
	}
	if p := inspect.CheckBody(file, wasm); p != nil {
		return code{}, &InvalidAppError{Path: dir, Problems: []Problem{*p}}
	}
	if l.unmetered {
		return code{wasm: wasm, key: mod.Sum}, nil
	}
	e, err := l.meters.InstrumentEntry(wasm, mod.Sum, l.costModel, x)
	if err != nil {
		var fe *meter.FormatError
		if errors.As(err, &fe) {
			return code{}, &InvalidAppError{Path: dir, Problems: []Problem{inspect.CompileProblem(file, fe, m.MemoryLimit.String())}}
		}
		return code{}, fmt.Errorf("host: metering %s: %w", file, err)
	}
	return code{wasm: e.Bytes(), key: e.Key(), entry: e}, nil
}

// extras is what the runtime's modules are instrumented with besides fuel.
func (l *loader) extras() meter.Extras {
	return meter.Extras{Coverage: l.coverage, AppCoverage: l.coverage, Snapshots: l.snapshots}
}

// compile compiles a checked, metered module in g's runtime, without
// swapping it in, and checks its imports and exports against the ABI.
func (l *loader) compile(ctx context.Context, g *guest.Guest, dir, file string, m bundle.Manifest, c code) (*guest.Module, error) {
	cm, err := g.Modules().PrepareKeyed(ctx, c.wasm, c.key)
	if err != nil {
		return nil, &InvalidAppError{Path: dir, Problems: []Problem{inspect.CompileProblem(file, err, m.MemoryLimit.String())}}
	}
	if _, problems := inspect.CheckModule(cm, l.wasi, inspect.Instrumentation{Metered: !l.unmetered, Coverage: l.coverage && !l.unmetered}); len(problems) > 0 {
		cm.Close(ctx)
		return nil, &InvalidAppError{Path: dir, Problems: problems}
	}
	return cm, nil
}

// moduleHash is the short hex SHA-256 of a module's bytes, as `status`
// shows the running version.
func moduleHash(sum [32]byte) string {
	return hex.EncodeToString(sum[:6])
}
