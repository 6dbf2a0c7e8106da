package host

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/rs/zerolog"
	"github.com/watchbox/watchbox/abi"
	"github.com/watchbox/watchbox/host/bundle"
	"github.com/watchbox/watchbox/host/internal/guest"
	"github.com/watchbox/watchbox/host/internal/sandboxfs"
	"github.com/watchbox/watchbox/host/internal/system"
	"github.com/watchbox/watchbox/host/internal/system/audio"
	"github.com/watchbox/watchbox/host/internal/system/download"
	"github.com/watchbox/watchbox/host/internal/system/extended"
	"github.com/watchbox/watchbox/host/internal/system/location"
	"github.com/watchbox/watchbox/host/internal/system/notify"
	"github.com/watchbox/watchbox/host/internal/system/peripheral"
	"github.com/watchbox/watchbox/host/internal/system/phone"
	"github.com/watchbox/watchbox/host/internal/system/snapshots"
	"github.com/watchbox/watchbox/host/internal/system/tasks"
	"github.com/watchbox/watchbox/host/internal/system/workout"
)

// Call records one call into a guest, as passed to Config.OnCall.
type Call = system.Call

// App is a loaded watch app: its bundle, compiled module and, while it runs,
// one guest instance. Its methods are the system's life-cycle transitions
// and the events the system delivers; they are safe for concurrent use and
// serialize all calls into the guest. App is a facade: the system's core
// (host/internal/system) holds the app's state, each watchOS feature its
// own, and the guest package its Wasm side.
type App struct {
	rt  *Runtime
	sys *system.App
	// keepDir is the bundle directory the Keeper (Config.Keep) keeps the
	// app's Wasm side under when the runtime closes; "" without one.
	keepDir string
	file    string // the module's file, for the Keeper

	dir string // the bundle's directory
	// verMu guards hash and reloads, apart from the app's lock, so that
	// a reload compiles and status answers while a call is in progress.
	verMu   sync.Mutex
	hash    string // the running module's hash
	reloads int    // swaps done

	tasks  *tasks.Feature
	snaps  *snapshots.Feature
	notify *notify.Feature
	phone  *phone.Feature
	periph *peripheral.Feature

	workout  *workout.Feature
	location *location.Feature
	audio    *audio.Feature
	ext      *extended.Feature
}

// Load opens the app bundle in dir, builds it if it is Go source, checks its
// manifest and module against the ABI and compiles it. Nothing of the guest
// runs yet. An app the runtime refuses is an *InvalidAppError listing every
// problem.
func (r *Runtime) Load(ctx context.Context, dir string) (*App, error) {
	if r.cfg.Keep != nil {
		if abs, err := filepath.Abs(dir); err == nil {
			if k := r.cfg.Keep.take(abs); k != nil {
				return r.loadKept(ctx, abs, k)
			}
		}
	}
	b, err := bundle.Open(dir)
	if err != nil {
		return nil, bundleError(dir, err)
	}
	mod, info, err := b.Locate(ctx, bundle.BuildOptions{
		CacheDir: r.loader.buildCache(),
		OnBuild: func(src string) {
			r.log.Info().Str("bundle", dir).Msgf("building %s with GOOS=wasip1 go build (the first build on a machine also compiles Go's standard library for wasip1 and can take a few minutes)", src)
		},
	})
	if err != nil {
		return nil, bundleError(dir, err)
	}
	if !info.Prebuilt && !info.Cached {
		r.log.Info().Str("bundle", dir).Dur("took", info.Duration).Msg("built")
	}
	// The sources' build-time warnings (a misspelled delegate method), at
	// every load, as the SDK's own registration warnings at every launch.
	for _, w := range info.Warnings {
		r.log.Warn().Str("bundle", dir).Msg(w)
	}
	file := info.Path
	if b.Manifest.Module != "" {
		file = filepath.Join(dir, filepath.FromSlash(b.Manifest.Module))
	}
	return r.load(ctx, dir, file, b.Manifest, mod)
}

// Warm starts compiling, on goroutines of their own, the modules of the
// bundles in dirs that need no work but compiling: built (or prebuilt),
// unchanged and metered in the caches. A Load of one of them afterwards
// takes its compiled code instead of compiling it again, so the apps of a
// run still load one after the other, in order, while their compilation
// from the on-disk cache (most of a load from a new process) runs on every
// core. Nothing is reported: a bundle that is not ready, or fails, is left
// to its Load. Call done once those Loads returned, and before Close.
func (r *Runtime) Warm(ctx context.Context, dirs ...string) (done func()) {
	var wg sync.WaitGroup
	var mu sync.Mutex
	var releases []func()
	for _, dir := range dirs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if release := r.loader.warm(ctx, dir); release != nil {
				mu.Lock()
				releases = append(releases, release)
				mu.Unlock()
			}
		}()
	}
	return func() {
		wg.Wait()
		for _, release := range releases {
			release()
		}
	}
}

// bundleError turns the bundle package's errors into an *InvalidAppError
// when they are the app's fault.
func bundleError(dir string, err error) error {
	var me *bundle.ManifestError
	if errors.As(err, &me) {
		ie := &InvalidAppError{Path: dir}
		for _, p := range me.Problems {
			ie.Problems = append(ie.Problems, Problem{Message: p.String()})
		}
		return ie
	}
	var be *bundle.BuildError
	if errors.As(err, &be) {
		return &InvalidAppError{Path: dir, Problems: []Problem{{Where: "build", Message: be.Error()}}}
	}
	return err
}

// load checks and compiles mod, from file, for the bundle in dir.
func (r *Runtime) load(ctx context.Context, dir, file string, m bundle.Manifest, mod *bundle.Module) (*App, error) {
	log := r.log.With().Str("app", m.BundleIdentifier).Logger()
	sys := system.New(r.env, m.BundleIdentifier, m, log)
	metered, err := r.loader.meter(dir, file, m, mod)
	if err != nil {
		return nil, err
	}
	defer metered.release()
	a := &App{rt: r, sys: sys, dir: dir, hash: moduleHash(mod.Sum), file: file}
	g, err := guest.New(ctx, r.guestConfig(sys, log))
	if err != nil {
		return nil, err
	}
	sys.Guest = g
	fail := func(err error) (*App, error) {
		g.Close(ctx)
		if sys.FS != nil {
			sys.FS.Close()
		}
		return nil, err
	}
	// A module not yet in the compilation cache takes seconds to compile
	// (a Go app, more under load): say so rather than stay silent.
	slow := time.AfterFunc(time.Second, func() {
		log.Info().Str("module", file).Msg("compiling the module to machine code (once: later loads read the compilation cache)")
	})
	cm, err := r.loader.compile(ctx, g, dir, file, m, metered)
	slow.Stop()
	if err != nil {
		return fail(err)
	}
	g.Swap(ctx, cm)
	g.Snapshots().ReadModule(metered.wasm)
	if r.cfg.Keep != nil {
		if a.keepDir, err = filepath.Abs(dir); err != nil {
			return fail(fmt.Errorf("host: %s: %w", dir, err))
		}
	}
	return r.finishLoad(ctx, a, fail)
}

// guestConfig is the configuration of the app's Guest in this runtime.
func (r *Runtime) guestConfig(sys *system.App, log zerolog.Logger) guest.Config {
	cfg := guest.Config{ID: sys.ID, Log: log, Cache: r.loader.cache, MemoryPages: sys.Manifest.MemoryLimit.Pages(),
		Seed: r.cfg.Seed, Unmetered: r.cfg.Unmetered, Virtual: r.cfg.Virtual, Clock: r.clock, Sched: r.sched,
		Profile: r.rules.Profile, Handler: sys, Coverage: r.cfg.Coverage && !r.cfg.Unmetered,
		Reuse: r.cfg.Keep != nil && !r.cfg.Unmetered}
	if f := r.cfg.OnRefusal; f != nil {
		cfg.OnRefuse = func(op abi.Op, status abi.Status, reason string) { f(sys.ID, op, status, reason) }
	}
	return cfg
}

// loadKept loads the app of dir from what the Keeper kept of it.
func (r *Runtime) loadKept(ctx context.Context, dir string, k *kept) (*App, error) {
	m := k.m
	log := r.log.With().Str("app", m.BundleIdentifier).Logger()
	sys := system.New(r.env, m.BundleIdentifier, m, log)
	a := &App{rt: r, sys: sys, keepDir: dir, file: k.file}
	k.g.Rebind(r.guestConfig(sys, log))
	sys.Guest = k.g
	return r.finishLoad(ctx, a, func(err error) (*App, error) {
		if sys.FS != nil {
			sys.FS.Close()
		}
		return nil, errors.Join(err, r.cfg.Keep.put(ctx, dir, k))
	})
}

// finishLoad gives a loaded app its data container and features.
func (r *Runtime) finishLoad(ctx context.Context, a *App, fail func(error) (*App, error)) (*App, error) {
	sys, g := a.sys, a.sys.Guest
	var err error
	container := filepath.Join(r.cfg.DataDir, "containers", sys.ID)
	if err := os.MkdirAll(container, 0o755); err != nil {
		return fail(fmt.Errorf("host: data container for %s: %w", sys.ID, err))
	}
	if r.cfg.StateDir != "" {
		if err := os.MkdirAll(r.cfg.StateDir, 0o755); err != nil {
			return fail(fmt.Errorf("host: state directory for %s: %w", sys.ID, err))
		}
	}
	prof := r.rules.Profile()
	// Beside the container, out of the guest's reach: the next load reads
	// the usage instead of walking the tree. Not with a Keeper: the
	// fuzzer starts every run with an empty container, which costs
	// nothing to walk, and the record would cost a file write per run.
	usage := container + ".usage"
	if r.cfg.Keep != nil {
		usage = ""
	}
	sys.FS, err = sandboxfs.Open(container, sandboxfs.Limits{
		Quota: int64(sys.Manifest.DataQuota), EntryBytes: int64(prof.DataEntryBytes), MaxDepth: prof.DataMaxDepth,
		UsageFile: usage,
	})
	if err != nil {
		return fail(fmt.Errorf("host: data container for %s: %w", sys.ID, err))
	}
	g.Mount(sys.FS)
	// The features, in the order their hooks run.
	a.tasks = tasks.Register(sys)
	// Before snapshots: an app leaving the foreground hears of its closed
	// connections before the system's snapshot task.
	a.periph = peripheral.Register(sys, r.world)
	a.snaps = snapshots.Register(sys)
	a.notify = notify.Register(sys)
	a.phone = phone.Register(sys, r.link)
	download.Register(sys, download.Config{Client: r.cfg.HTTPClient, Virtual: r.cfg.Virtual, Latency: r.cfg.Latency,
		Fetches: r.fetches, Inflight: &r.inflight})
	a.workout = workout.Register(sys, workout.Config{System: r.sessions.workouts, Seed: uint64(r.cfg.Seed)})
	a.location = location.Register(sys)
	a.audio = audio.Register(sys, r.headphones())
	a.ext = extended.Register(sys)

	var restored *system.Restored
	if r.cfg.StateDir != "" {
		sys.Store.SetFile(filepath.Join(r.cfg.StateDir, sys.ID+".state"))
		if restored, err = sys.Store.Read(); err != nil {
			return fail(fmt.Errorf("host: %s: %w", sys.ID, err))
		}
	}

	r.mu.Lock()
	if r.closed {
		r.mu.Unlock()
		return fail(errors.New("host: runtime is closed"))
	}
	if _, dup := r.apps[sys.ID]; dup {
		r.mu.Unlock()
		return fail(fmt.Errorf("host: an app with bundle id %s is already loaded", sys.ID))
	}
	r.apps[sys.ID] = a
	r.mu.Unlock()
	// The schedules saved by an earlier run: what came due meanwhile is
	// delivered now, before anything else happens to the app.
	sys.Lock()
	err = sys.Store.Restore(ctx, restored)
	sys.Unlock()
	if err != nil {
		r.mu.Lock()
		delete(r.apps, sys.ID)
		r.mu.Unlock()
		return fail(fmt.Errorf("host: %s: %w", sys.ID, err))
	}
	return a, nil
}

// ID returns the app's bundle identifier.
func (a *App) ID() string { return a.sys.ID }

// Manifest returns the app's manifest in force: the one it was loaded
// with, or the last one a reload put in force.
func (a *App) Manifest() bundle.Manifest { return *a.sys.LiveManifest() }

// State returns the app's life-cycle state.
func (a *App) State() abi.State {
	a.sys.Lock()
	defer a.sys.Unlock()
	return a.sys.Life.State()
}

// Launches returns how many times the app was launched (cold) by this runtime.
func (a *App) Launches() uint64 {
	a.sys.Lock()
	defer a.sys.Unlock()
	n, _ := a.sys.Life.Counts()
	return n
}

// Crashes returns the record of the app's instance dying in calls.
func (a *App) Crashes() Crashes { return Crashes{a} }

// Crashes are the record of an app's instance dying in calls. Get them
// with App.Crashes.
type Crashes struct{ a *App }

// Count returns how many times the app's instance died in a call.
func (c Crashes) Count() int {
	c.a.sys.Lock()
	defer c.a.sys.Unlock()
	_, n := c.a.sys.Life.Counts()
	return n
}

// Last returns the record of the last call the app's instance died in
// (its reason, and with a Go runtime fatal error the runtime's report in
// Stack), or nil if it never crashed.
func (c Crashes) Last() *Call {
	c.a.sys.Lock()
	defer c.a.sys.Unlock()
	return c.a.sys.Crashes.Last()
}

// Container returns the host directory holding the app's data container.
func (a *App) Container() string { return filepath.Join(a.rt.cfg.DataDir, "containers", a.sys.ID) }

// locked runs f with the app's lock held.
func (a *App) locked(f func() error) error {
	a.sys.Lock()
	defer a.sys.Unlock()
	defer a.sys.Store.Save() // what f changed without a call (a held push) is saved too
	return f()
}

// Launch brings the app to the foreground, as when the user opens it: a
// cold launch (did_finish_launching, will_enter_foreground,
// did_become_active) when it is not running, else a return to the
// foreground from wherever it is.
//
// Only one app is frontmost: another app that is (the user opens this one
// from it) enters the background first.
func (a *App) Launch(ctx context.Context) error {
	return a.rt.front.bring(ctx, a, "another app opened: "+a.sys.ID, func() error { return a.sys.Life.Foreground(ctx) })
}

// WristUp raises the wrist: an inactive frontmost app becomes active; an
// app in the background or suspended returns to the foreground; an app that
// is not running is launched.
func (a *App) WristUp(ctx context.Context) error { return a.Launch(ctx) }

// WristDown lowers the wrist: an active app resigns active and stays
// frontmost (inactive) until Config.FrontmostTimeout passes, then enters
// the background. It does nothing in other states.
func (a *App) WristDown(ctx context.Context) error {
	return a.locked(func() error { return a.sys.Life.WristDown(ctx) })
}

// EnterBackground moves a foreground app to the background, as when the
// frontmost timeout passes or the user opens another app:
// will_resign_active (if active), then did_enter_background. The system
// suspends it after Config.SuspendDelay.
func (a *App) EnterBackground(ctx context.Context) error {
	return a.locked(func() error { return a.sys.Life.Background(ctx) })
}

// Suspend suspends the app: its instance stays in memory but gets no calls
// until it is foregrounded or purged. A foreground app first enters the
// background.
func (a *App) Suspend(ctx context.Context) error {
	return a.locked(func() error { return a.sys.Life.Suspend(ctx) })
}

// Purge discards the app's instance without warning, as watchOS does with
// suspended apps under memory pressure. Only what the app persisted in its
// container survives; its next launch is cold.
func (a *App) Purge(ctx context.Context) error {
	return a.locked(func() error { a.sys.Life.Purge(ctx); return nil })
}

// Deliver sends one event with encoded fields to the app. An app that is not
// running is launched into the background first; a suspended app is woken
// into the background. It returns the guest's
// call record; a crash or handler failure is also returned as an error.
func (a *App) Deliver(ctx context.Context, kind abi.EventKind, fields []byte) (c Call, err error) {
	if len(fields) > abi.MaxEnvelope-abi.HeaderSize {
		return Call{App: a.sys.ID, Event: kind}, fmt.Errorf("host: %v event for %s: %d bytes of fields, more than the ABI's %d-byte envelope limit", kind, a.sys.ID, len(fields), abi.MaxEnvelope)
	}
	a.sys.Lock()
	defer a.sys.Unlock()
	// The record is written in place, not copied up through each layer.
	err = a.sys.Life.DeliverInto(ctx, kind, fields, &c)
	return c, err
}

// shutdown gives a running app its leaving calls and releases everything,
// but for what the Keeper keeps.
func (a *App) shutdown(ctx context.Context) error {
	a.sys.Lock()
	defer a.sys.Unlock()
	err := a.sys.Life.Shutdown(ctx)
	if a.keepDir != "" {
		a.sys.Guest.Kill(ctx) // parks the instance
		return errors.Join(err, a.sys.FS.Close(), a.rt.cfg.Keep.put(ctx, a.keepDir, &kept{file: a.file, m: a.sys.Manifest, g: a.sys.Guest}))
	}
	return errors.Join(err, a.sys.FS.Close(), a.sys.Guest.Close(ctx))
}

// Restores returns how many of the app's instances were started by
// restoring a snapshot (Config.Keep) rather than instantiating its module.
func (a *App) Restores() int { return a.sys.Guest.Snapshots().Restores() }

// Why returns every decision the system made about the app, oldest first:
// scheduled, delayed, dropped and killed requests with the rule and numbers
// that decided them.
func (a *App) Why() []Decision { return a.rt.decisions.of(a.sys.ID) }
