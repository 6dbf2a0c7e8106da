package host

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"

	"github.com/watchbox/watchbox/host/bundle"
	"github.com/watchbox/watchbox/host/inspect"
	"github.com/watchbox/watchbox/host/internal/guest"
	"github.com/watchbox/watchbox/host/meter"
)

// How a module becomes runnable, for a load and for a hot reload alike:
// checked, metered (or found in the meter cache), compiled in the app's
// wazero runtime.

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
func (r *Runtime) meter(dir, file string, m bundle.Manifest, mod *bundle.Module) (code, error) {
	x := r.extras()
	if !r.cfg.Unmetered {
		if e, ok := r.meters.Open(mod.Sum, r.cfg.CostModel, x); ok {
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
	if !r.cfg.Unmetered && mod.Sum != claimed {
		if e, ok := r.meters.Open(mod.Sum, r.cfg.CostModel, x); ok {
			return code{wasm: e.Bytes(), key: e.Key(), entry: e}, nil
		}
	}
	if p := inspect.CheckBody(file, wasm); p != nil {
		return code{}, &InvalidAppError{Path: dir, Problems: []Problem{*p}}
	}
	if r.cfg.Unmetered {
		return code{wasm: wasm, key: mod.Sum}, nil
	}
	e, err := r.meters.InstrumentEntry(wasm, mod.Sum, r.cfg.CostModel, x)
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
func (r *Runtime) extras() meter.Extras {
	return meter.Extras{Coverage: r.cfg.Coverage, AppCoverage: r.cfg.Coverage, Snapshots: r.cfg.Keep != nil}
}

// compile compiles a checked, metered module in g's runtime, without
// swapping it in, and checks its imports and exports against the ABI.
func (r *Runtime) compile(ctx context.Context, g *guest.Guest, dir, file string, m bundle.Manifest, c code) (*guest.Module, error) {
	cm, err := g.Modules().PrepareKeyed(ctx, c.wasm, c.key)
	if err != nil {
		return nil, &InvalidAppError{Path: dir, Problems: []Problem{inspect.CompileProblem(file, err, m.MemoryLimit.String())}}
	}
	if _, problems := inspect.CheckModule(cm, r.wasi, inspect.Instrumentation{Metered: !r.cfg.Unmetered, Coverage: r.cfg.Coverage && !r.cfg.Unmetered}); len(problems) > 0 {
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
