package host

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/tetratelabs/wazero"
	"github.com/watchbox/watchbox/host/bundle"
	"github.com/watchbox/watchbox/host/inspect"
	"github.com/watchbox/watchbox/host/internal/guest"
	"github.com/watchbox/watchbox/host/meter"
)

// meter checks wasm, read from file, and returns its fuel-metered form
// (wasm itself when the runtime is unmetered).
func (r *Runtime) meter(dir, file string, m bundle.Manifest, wasm []byte) ([]byte, error) {
	if p := inspect.CheckBytes(file, wasm); p != nil {
		return nil, &InvalidAppError{Path: dir, Problems: []Problem{*p}}
	}
	if r.cfg.Unmetered {
		return wasm, nil
	}
	metered, err := r.meters.InstrumentWith(wasm, r.cfg.CostModel, meter.Extras{Coverage: r.cfg.Coverage, AppCoverage: r.cfg.Coverage, Snapshots: r.cfg.Keep != nil})
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
func (r *Runtime) compile(ctx context.Context, g *guest.Guest, dir, file string, m bundle.Manifest, wasm []byte) (wazero.CompiledModule, error) {
	cm, err := g.Prepare(ctx, wasm)
	if err != nil {
		return nil, &InvalidAppError{Path: dir, Problems: []Problem{inspect.CompileProblem(file, err, m.MemoryLimit.String())}}
	}
	if _, problems := inspect.CheckModule(cm, r.wasi); len(problems) > 0 {
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

// Dev is what hot reload (`watchbox dev`) does to an app: swap its module
// and say which version runs. Get it with App.Dev.
type Dev struct{ a *App }

// Dev returns the app's hot-reload side.
func (a *App) Dev() Dev { return Dev{a} }

// Reload is how one Dev.Reload went.
type Reload struct {
	// Version counts the app's modules: 1 for the one it was loaded with,
	// 2 after the first reload, and so on.
	Version int
	// Hash is the new module's short content hash; Same is true when it
	// is the running one's, and nothing was swapped.
	Hash string
	Same bool
	// Compile is the time spent checking, metering and compiling the new
	// module (while the old version kept serving); Wait the time waiting
	// for the call in progress, if any, to end; Swap the time the swap
	// took with the app's calls held: save_state, the new instance's
	// start, restore_state or the life-cycle calls of a cold start.
	Compile, Wait, Swap time.Duration
	// Running is whether the app was running (only then is there state to
	// carry); Carried whether its state passed across, StateBytes its
	// size, and Note why it did not.
	Running    bool
	Carried    bool
	StateBytes int
	Note       string
}

// Reload replaces the app's module with wasm (read from file, for the
// messages), as `watchbox dev` does after a rebuild. The module is checked,
// metered and compiled while the app keeps serving; a module the runtime
// refuses is an *InvalidAppError, and the old version keeps running. The
// swap then waits for the app's call path (between two events, never
// inside one) and keeps everything the system holds for the app: its
// life-cycle state and timers, open background tasks (the new version
// completes them by id), scheduled refreshes and snapshots, pending
// notifications, downloads in flight, budgets, and its data container.
//
// A running app carries its state across when both versions handle it:
// the old one answers save_state with its state (at most the profile's
// saved_state_bytes) and the new one accepts it in restore_state.
// Otherwise the new version starts cold and is brought back to the
// app's state through a cold launch's life-cycle calls (see
// docs/dev.md); Reload.Note says why. A crash of either version during
// the swap is returned as a *CrashError; the new module stays, and the
// app relaunches on its next event. The manifest is the one the app was
// loaded with.
func (d Dev) Reload(ctx context.Context, file string, wasm []byte) (Reload, error) {
	a := d.a
	start := time.Now()
	m := a.sys.Manifest
	hash := moduleHash(wasm)
	a.verMu.Lock()
	same, version := hash == a.hash, a.reloads+1
	a.verMu.Unlock()
	if same {
		return Reload{Version: version, Hash: hash, Same: true}, nil
	}
	metered, err := a.rt.meter(a.dir, file, m, wasm)
	if err != nil {
		return Reload{Version: version, Hash: hash}, err
	}
	cm, err := a.rt.compile(ctx, a.sys.Guest, a.dir, file, m, metered)
	if err != nil {
		return Reload{Version: version, Hash: hash}, err
	}
	compiled := time.Now()
	if testHookBeforeSwapLock != nil {
		testHookBeforeSwapLock()
	}
	a.sys.Lock()
	defer a.sys.Unlock()
	locked := time.Now()
	if a.sys.Life.Closing() {
		cm.Close(ctx)
		return Reload{Version: version, Hash: hash}, fmt.Errorf("host: app %s is closed", a.sys.ID)
	}
	sw, err := a.sys.Swap(ctx, cm) // swapped, whatever err says
	a.verMu.Lock()
	a.reloads++
	a.hash = hash
	version = a.reloads + 1
	a.verMu.Unlock()
	return Reload{Version: version, Hash: hash, Compile: compiled.Sub(start), Wait: locked.Sub(compiled),
		Swap: time.Since(locked), Running: sw.Running, Carried: sw.Carried, StateBytes: sw.StateBytes, Note: sw.Note}, err
}

// testHookBeforeSwapLock, when set by a test, runs once the new module is
// compiled, just before Reload waits for the app's call path.
var testHookBeforeSwapLock func()

// Version returns the app's running module: its version number (1 as
// loaded, one more for each reload), its short content hash, and how many
// reloads swapped it.
func (d Dev) Version() (version int, hash string, reloads int) {
	a := d.a
	a.verMu.Lock()
	defer a.verMu.Unlock()
	return a.reloads + 1, a.hash, a.reloads
}

// Dir returns the bundle directory the app was loaded from.
func (d Dev) Dir() string { return d.a.dir }
