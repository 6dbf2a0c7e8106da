package host

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"slices"
	"time"

	"github.com/watchbox/watchbox/host/bundle"
	"github.com/watchbox/watchbox/host/internal/guest"
)

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
	// module, and Start the time starting its instance (_initialize), both
	// while the old version kept serving; Wait the time waiting for the
	// call in progress, if any, to end; Swap the time the swap took with
	// the app's calls held: save_state, restore_state or the life-cycle
	// calls of a cold start (and the new instance's start, when it could
	// not be started before: see Prestarted).
	Compile, Start, Wait, Swap time.Duration
	// Prestarted is whether the new instance was started before the swap
	// (the app was running). It was not used, and another was started
	// with the calls held, when its _initialize asked the host for
	// something or used the data container, or the app relaunched
	// meanwhile; a refused state also starts a fresh one there.
	Prestarted bool
	// Running is whether the app was running (only then is there state to
	// carry); Carried whether its state passed across, StateBytes its
	// size, and Note why it did not.
	Running    bool
	Carried    bool
	StateBytes int
	Note       string
	// Redelivered is how many open background tasks the new version was
	// handed again after it started cold: it never saw them, and they
	// keep their ids and deadlines (rule task.redelivered).
	Redelivered int
	// Manifest are the keys of watchapp.json that changed and are now in
	// force (with WithManifest), in documentation order.
	Manifest []string
}

// ReloadOption changes what App.Reload does.
type ReloadOption func(*reloadConfig)

type reloadConfig struct {
	manifest *bundle.Manifest
}

// WithManifest makes App.Reload put m in force too: the bundle's
// watchapp.json as read and checked again (bundle.Open). The keys that
// changed are applied in the same step as the module, between two
// events; with the same module, they are applied alone. A key a running
// app cannot take (its bundle identifier, its memory limit) refuses the
// whole reload with a *ManifestRestartError, and the old version and
// manifest keep running.
func WithManifest(m bundle.Manifest) ReloadOption {
	return func(c *reloadConfig) { c.manifest = &m }
}

// ManifestRestartError is a reload refused because watchapp.json changed
// a key that a running app cannot take. The old version keeps running,
// with the old manifest.
type ManifestRestartError struct {
	// File is the manifest file; Key the key, Old and New its values, as
	// JSON; Why the reason it cannot change while the app runs.
	File, Key, Old, New, Why string
}

func (e *ManifestRestartError) Error() string {
	return fmt.Sprintf("%s: %s changed from %s to %s, which cannot change while the app runs: %s; restart watchbox dev to apply it, or change it back",
		e.File, e.Key, e.Old, e.New, e.Why)
}

// manifestChanges returns the keys whose values differ between old and m,
// in documentation order.
func manifestChanges(old, m bundle.Manifest) []string {
	var keys []string
	add := func(key string, changed bool) {
		if changed {
			keys = append(keys, key)
		}
	}
	add("CFBundleIdentifier", old.BundleIdentifier != m.BundleIdentifier)
	add("CFBundleDisplayName", old.DisplayName != m.DisplayName)
	add("abiVersion", old.ABIVersion != m.ABIVersion)
	add("WKBackgroundModes", !slices.Equal(old.BackgroundModes, m.BackgroundModes))
	add("complication", old.Complication != m.Complication)
	add("memoryLimit", old.MemoryLimit != m.MemoryLimit)
	add("allowedHosts", !slices.Equal(old.AllowedHosts, m.AllowedHosts))
	add("dataQuota", old.DataQuota != m.DataQuota)
	add("module", old.Module != m.Module)
	add("source", old.Source != m.Source)
	add("settings", !bytes.Equal(old.Settings, m.Settings))
	add("extendedFrontmostTimeout", old.ExtendedFrontmostTimeout != m.ExtendedFrontmostTimeout)
	return keys
}

// fixedKeys are the manifest keys a running app cannot take, and why.
var fixedKeys = map[string]string{
	"CFBundleIdentifier": "the bundle identifier is the app's identity: its data container, state file, schedules, " +
		"decisions and the control endpoint's name for it are all keyed by it",
	"memoryLimit": "the cap on the app's linear memory is fixed in the WebAssembly runtime made for the app when it " +
		"is loaded, and every module is compiled against it",
	"abiVersion": "the host serves one ABI version, checked when the app is loaded",
}

// checkFixed refuses a change to a key in fixedKeys of the manifest of
// the bundle in dir.
func checkFixed(dir string, old, m bundle.Manifest, keys []string) error {
	for _, k := range keys {
		why, fixed := fixedKeys[k]
		if !fixed {
			continue
		}
		values := map[string][2]any{
			"CFBundleIdentifier": {old.BundleIdentifier, m.BundleIdentifier},
			"memoryLimit":        {old.MemoryLimit.String(), m.MemoryLimit.String()},
			"abiVersion":         {old.ABIVersion, m.ABIVersion},
		}[k]
		quote := func(v any) string { b, _ := json.Marshal(v); return string(b) }
		return &ManifestRestartError{File: filepath.Join(dir, bundle.ManifestFile), Key: k,
			Old: quote(values[0]), New: quote(values[1]), Why: why}
	}
	return nil
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
// docs/dev.md), then handed the open background tasks again
// (Reload.Redelivered); Reload.Note says why. The new instance is started
// before the swap, while the old version serves (Reload.Prestarted); a
// new version that crashes there is an *InvalidAppError, and the old
// version keeps running. A crash of either version during the swap is
// returned as a *CrashError; the new module stays, and the app relaunches
// on its next event. The manifest stays the one in force,
// unless WithManifest gives a new one.
//
// Reload is Prepare then Pending.Swap.
func (d Dev) Reload(ctx context.Context, file string, wasm []byte, opts ...ReloadOption) (Reload, error) {
	p, err := d.Prepare(ctx, file, wasm, opts...)
	if err != nil {
		return p.Reload(), err
	}
	return p.Swap(ctx)
}

// Pending is a new version made ready by Dev.Prepare: checked, metered,
// compiled and its instance started, while the old version keeps
// serving. Swap puts it in place; Close drops it.
type Pending struct {
	a     *App
	rel   Reload // what is known before the swap
	m     bundle.Manifest
	cm    *guest.Module
	st    *guest.Started
	start time.Time // when Prepare began
	done  bool
}

// Prepare does the part of Reload that runs while the old version keeps
// serving, and may run ahead of the decision to swap (`watchbox dev`
// starts it at the first event of a burst of saves): it checks the
// manifest, then checks, meters and compiles the module and starts its
// instance. A module the runtime refuses or whose start crashes is an
// *InvalidAppError, a manifest key a running app cannot take a
// *ManifestRestartError; nothing of the app changed then, and the
// Pending returned only says the version and hash (Pending.Reload). A
// Pending must be swapped or closed.
func (d Dev) Prepare(ctx context.Context, file string, wasm []byte, opts ...ReloadOption) (p *Pending, err error) {
	a := d.a
	p = &Pending{a: a, start: time.Now()}
	defer func() {
		if err != nil {
			p.done = true
		}
	}()
	var cfg reloadConfig
	for _, o := range opts {
		o(&cfg)
	}
	m := a.Manifest()
	mod := bundle.NewModule(file, wasm)
	hash := moduleHash(mod.Sum)
	a.verMu.Lock()
	same, version := hash == a.hash, a.reloads+1
	a.verMu.Unlock()
	p.rel = Reload{Version: version, Hash: hash, Same: same}
	if cfg.manifest != nil {
		keys := manifestChanges(m, *cfg.manifest)
		if err := checkFixed(a.dir, m, *cfg.manifest, keys); err != nil {
			return p, err
		}
		m = *cfg.manifest
		p.rel.Manifest = keys
	}
	p.m = m
	if same {
		return p, nil
	}
	metered, err := a.rt.loader.meter(a.dir, file, m, mod)
	if err != nil {
		return p, err
	}
	cm, err := a.rt.loader.compile(ctx, a.sys.Guest, a.dir, file, m, metered)
	metered.release()
	if err != nil {
		return p, err
	}
	compiled := time.Now()
	p.rel.Compile = compiled.Sub(p.start)
	// The new instance starts (the Go runtime's _initialize) while the
	// old version keeps serving; the swap holds the app's calls only for
	// what must be on its call path.
	st, err := a.sys.Reload.Prestart(ctx, cm)
	if err != nil {
		cm.Close(ctx)
		return p, &InvalidAppError{Path: a.dir, Problems: []Problem{{Where: file, Message: err.Error() + "; the old version keeps running"}}}
	}
	p.cm, p.st = cm, st
	p.rel.Start = time.Since(compiled)
	return p, nil
}

// Reload returns what is known of the reload before the swap: the
// version and hash, whether the module is the same, the manifest keys
// that change, and the compile and start times.
func (p *Pending) Reload() Reload { return p.rel }

// Swap puts the prepared version in place, on the app's call path:
// it waits for the call in progress, if any, to end (Reload.Wait), then
// swaps (Reload.Swap) as Reload describes. A Pending swaps once; Swap
// after Swap or Close is an error.
func (p *Pending) Swap(ctx context.Context) (Reload, error) {
	a, rel := p.a, p.rel
	if p.done {
		return rel, fmt.Errorf("host: reload of app %s: the prepared version was already swapped or closed", a.sys.ID)
	}
	p.done = true
	called := time.Now()
	if rel.Same {
		if len(rel.Manifest) == 0 {
			return rel, nil
		}
		// The manifest alone: in force from the next event on.
		a.sys.Lock()
		defer a.sys.Unlock()
		locked := time.Now()
		rel.Wait = locked.Sub(called)
		if a.sys.Life.Closing() {
			rel.Manifest = nil
			return rel, fmt.Errorf("host: app %s is closed", a.sys.ID)
		}
		if err := a.sys.SetManifest(p.m); err != nil {
			rel.Manifest = nil
			return rel, fmt.Errorf("host: applying %s: %w", bundle.ManifestFile, err)
		}
		rel.Swap = time.Since(locked)
		return rel, nil
	}
	cm, st := p.cm, p.st
	if testHookBeforeSwapLock != nil {
		testHookBeforeSwapLock()
	}
	a.sys.Lock()
	defer a.sys.Unlock()
	locked := time.Now()
	if a.sys.Life.Closing() {
		st.Close(ctx)
		cm.Close(ctx)
		return Reload{Version: rel.Version, Hash: rel.Hash}, fmt.Errorf("host: app %s is closed", a.sys.ID)
	}
	if len(rel.Manifest) > 0 {
		// Before the swap: the new version starts under its manifest.
		if err := a.sys.SetManifest(p.m); err != nil {
			st.Close(ctx)
			cm.Close(ctx)
			return Reload{Version: rel.Version, Hash: rel.Hash}, fmt.Errorf("host: applying %s: %w", bundle.ManifestFile, err)
		}
	}
	sw, err := a.sys.Reload.Swap(ctx, cm, st) // swapped, whatever err says
	a.verMu.Lock()
	a.reloads++
	a.hash = rel.Hash
	rel.Version = a.reloads + 1
	a.verMu.Unlock()
	rel.Wait, rel.Swap = locked.Sub(called), time.Since(locked)
	rel.Prestarted, rel.Running, rel.Carried, rel.StateBytes, rel.Note = sw.Prestarted, sw.Running, sw.Carried, sw.StateBytes, sw.Note
	rel.Redelivered = sw.Redelivered
	return rel, err
}

// Close drops a version prepared and not swapped, and frees what it
// holds (its compiled module and started instance). Closing a swapped or
// closed Pending, or a nil one, does nothing.
func (p *Pending) Close(ctx context.Context) {
	if p == nil || p.done {
		return
	}
	p.done = true
	if p.st != nil {
		p.st.Close(ctx)
	}
	if p.cm != nil {
		p.cm.Close(ctx)
	}
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
