package host

import (
	"context"
	"crypto/sha256"
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

// meter checks wasm, read from file, and returns its fuel-metered form
// (wasm itself when the runtime is unmetered).
//
// The meter cache only ever holds modules that passed inspect.CheckBody
// (this is its only writer), under the SHA-256 of their bytes, so a cache
// hit skips that check: it reads the whole module, and cost about a third
// of a reload's CPU.
func (r *Runtime) meter(dir, file string, m bundle.Manifest, wasm []byte) ([]byte, error) {
	if p := inspect.CheckHeader(file, wasm); p != nil {
		return nil, &InvalidAppError{Path: dir, Problems: []Problem{*p}}
	}
	x := meter.Extras{Coverage: r.cfg.Coverage, AppCoverage: r.cfg.Coverage, Snapshots: r.cfg.Keep != nil}
	if !r.cfg.Unmetered {
		if metered, ok := r.meters.Lookup(wasm, r.cfg.CostModel, x); ok {
			return metered, nil
		}
	}
	if p := inspect.CheckBody(file, wasm); p != nil {
		return nil, &InvalidAppError{Path: dir, Problems: []Problem{*p}}
	}
	if r.cfg.Unmetered {
		return wasm, nil
	}
	metered, err := r.meters.InstrumentWith(wasm, r.cfg.CostModel, x)
	if err != nil {
		var fe *meter.FormatError
		if errors.As(err, &fe) {
			return nil, &InvalidAppError{Path: dir, Problems: []Problem{inspect.CompileProblem(file, fe, m.MemoryLimit.String())}}
		}
		return nil, fmt.Errorf("host: metering %s: %w", file, err)
	}
	return metered, nil
}

// compile compiles a checked, metered module in g's runtime, without
// swapping it in, and checks its imports and exports against the ABI.
func (r *Runtime) compile(ctx context.Context, g *guest.Guest, dir, file string, m bundle.Manifest, wasm []byte) (*guest.Module, error) {
	cm, err := g.Prepare(ctx, wasm)
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
func moduleHash(wasm []byte) string {
	sum := sha256.Sum256(wasm)
	return hex.EncodeToString(sum[:6])
}
