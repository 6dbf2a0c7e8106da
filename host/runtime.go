// Package host is watchbox's runtime: it loads watch app bundles, runs their
// Wasm modules in a sandbox and acts as the watch's system, delivering every
// life-cycle call across the ABI in package abi.
//
// A Runtime owns the shared caches and the loaded apps; each App has one
// serialized call path into its guest instance.
//
//	rt, err := host.New(ctx, host.Config{})
//	app, err := rt.Load(ctx, "apps/hello")
//	err = app.Launch(ctx)      // did_finish_launching, will_enter_foreground, did_become_active
//	err = app.WristDown(ctx)   // will_resign_active
//	err = rt.Close(ctx)        // every app gets its leaving calls
package host

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/rs/zerolog"
	"github.com/watchbox/watchbox/abi"
	"github.com/watchbox/watchbox/host/internal/clock"
	"github.com/watchbox/watchbox/host/internal/durable"
	"github.com/watchbox/watchbox/host/internal/policy"
	"github.com/watchbox/watchbox/host/internal/system"
	"github.com/watchbox/watchbox/host/internal/system/peripheral"
	"github.com/watchbox/watchbox/host/internal/system/phone"
	"github.com/watchbox/watchbox/host/internal/system/workout"
	"github.com/watchbox/watchbox/host/meter"
	"github.com/watchbox/watchbox/host/profile"
)

// Config configures a Runtime. The zero value is usable.
type Config struct {
	// CacheDir holds the on-disk caches (compiled modules, built apps).
	// Default: the user's cache directory + "/watchbox".
	CacheDir string
	// DataDir holds the apps' data containers, one directory per bundle id.
	// Default: $XDG_DATA_HOME/watchbox, else ~/.local/share/watchbox.
	DataDir string
	// StateDir, if set, is where each app's system state is saved
	// (STATE_DIR/BUNDLE_ID.state) after every change, crash-consistently:
	// its pending refresh and snapshot, its pending and delivered
	// notifications, a held background push, its downloads in flight, its
	// budget ledger and its complication data. A runtime started again
	// with the same StateDir restores them as it loads each app, and
	// delivers at once, late, what came due while the host was down. A
	// state file that cannot be read (truncated, corrupt, newer) makes the
	// load fail with an error that names it; it is never overwritten.
	// Empty: nothing is saved.
	StateDir string
	// Logger receives the runtime's structured logs, including the guests'
	// log output tagged with their bundle id. Default: no logging.
	Logger *zerolog.Logger
	// Seed seeds the guests' randomness. Zero means the host's entropy, so
	// runs differ; any other value makes random numbers repeat run to run.
	Seed int64
	// Profile is the device profile: per-call time budgets, timeouts and
	// the instruction rate that turns time budgets into fuel. The zero
	// value means profile.Default().
	Profile profile.Profile
	// CostModel is the fuel cost model apps are metered with (default
	// meter.Strict).
	CostModel meter.CostModel
	// Unmetered runs apps without fuel metering: no fuel budget and no
	// deadline can stop a guest. For comparisons and debugging only.
	Unmetered bool
	// FrontmostTimeout overrides the profile's frontmost_timeout: how long
	// an app stays frontmost (inactive) after the wrist goes down before it
	// enters the background. Zero keeps the profile's; negative disables it.
	FrontmostTimeout time.Duration
	// SuspendDelay overrides the profile's suspend_delay: how long a
	// backgrounded app runs before the system suspends it. Zero keeps the
	// profile's; negative disables it.
	SuspendDelay time.Duration
	// Latency, if set, adds to the one second a background download of url
	// takes on the virtual clock (a scenario's `serve ... delay=`); the
	// response is fetched when the download completes.
	Latency func(url string) time.Duration
	// OnCall, if set, is called after every call into a guest, in order.
	OnCall func(Call)
	// OnDecision, if set, is called with every decision the system makes
	// about an app's requests (scheduled, delayed, dropped, killed, ...).
	OnDecision func(Decision)
	// OnSpan, if set, is called at the start and at the end of what lasts:
	// a pending local notification, a background session (for traces).
	OnSpan func(Span)
	// Virtual runs the runtime on a virtual clock that starts at Start
	// (zero: 2026-01-01T00:00:00Z) and moves only when RunUntil or RunFor
	// advance it, or by the CPU time (fuel / instruction_rate) and sleeps
	// of guest calls. Timers, guest clocks and guest sleeps all follow it,
	// so a run is fast and fully deterministic. The default is the real
	// clock.
	Virtual bool
	Start   time.Time
	// Coverage instruments apps with edge coverage of their own code (not
	// the Go standard library's: meter.Extras.AppCoverage) as well as
	// metering, for App.Coverage().Map: the fuzzer's feedback. Fuel is counted
	// exactly as without it.
	Coverage bool
	// Keep, if set, keeps each app's Wasm side (its compiled module and
	// its last instance, parked for a snapshot restore) when the runtime
	// closes, for the next Runtime with the same Keeper to load the app
	// without compiling it and to start it by restoring the snapshot: the
	// fuzzer makes a Runtime for every run. Apps are instrumented for
	// snapshots (meter.Extras).
	Keep *Keeper
	// OnRefusal, if set, is called with every request of a guest that the
	// host refused as malformed (bad argument fields, or arguments outside
	// the guest's memory), inside the call that made it.
	OnRefusal func(app string, op abi.Op, status abi.Status, reason string)
	// HTTPClient fetches apps' background downloads (URL sessions); nil
	// means a client with a one-minute timeout. Simulations give one whose
	// transport answers from the scenario's routes.
	HTTPClient *http.Client

	// sharedCaches, if set (and Keep is not), are the caches the Runtime
	// uses and does not close, shared with every other Runtime made with
	// them: host's tests set it, so that their runtimes share the modules
	// compiled in memory.
	sharedCaches *sharedCaches
}

// Runtime loads and runs watch apps. It is safe for concurrent use; each app
// serializes the calls into its own guest.
type Runtime struct {
	cfg    Config
	log    zerolog.Logger
	loader loader // turns bundles' modules into compiled code; holds the caches

	rules *system.Rules     // the background model's rules and the profile in force
	world *peripheral.World // the simulated Bluetooth peripherals around the watch
	link  *phone.Link       // the watch's link to its paired phone
	env   *system.Env       // what the apps' system cores share

	decisions decisionLog // every app's decisions, for App.Why

	clock     clock.Clock
	sched     *clock.Scheduler
	stopSched context.CancelFunc // ends the real-time scheduler's goroutine
	stateLock *durable.DirLock   // holds Config.StateDir while the runtime runs

	front frontmost // the one app in the foreground

	// fetches is the context of real-clock downloads, cancelled by Close,
	// which waits for them (inflight).
	fetches     context.Context
	stopFetches context.CancelFunc
	inflight    sync.WaitGroup

	mu     sync.Mutex
	apps   map[string]*App
	closed bool

	// sessions is what the apps' background sessions share: the one
	// workout, the headphones.
	sessions sessions
}

// ErrStateInUse is wrapped by New's error when Config.StateDir is held
// by another running watchbox.
var ErrStateInUse = durable.ErrLocked

// New returns a Runtime with the given configuration, creating its cache
// directory if needed.
func New(ctx context.Context, cfg Config) (*Runtime, error) {
	if cfg.CacheDir == "" {
		dir, err := os.UserCacheDir()
		if err != nil {
			return nil, fmt.Errorf("host: no cache directory (set Config.CacheDir or $XDG_CACHE_HOME): %w", err)
		}
		cfg.CacheDir = filepath.Join(dir, "watchbox")
	}
	// One absolute path for every cache: the go command builds in the
	// app's directory, so the build cache must be absolute, and the meter
	// and compilation caches must name the same place even where the
	// working directory was reached through a symbolic link.
	if abs, err := filepath.Abs(cfg.CacheDir); err == nil {
		cfg.CacheDir = abs
	}
	if cfg.DataDir == "" {
		dir, err := defaultDataDir()
		if err != nil {
			return nil, err
		}
		cfg.DataDir = dir
	}
	if cfg.Virtual && !cfg.Start.IsZero() {
		if err := clock.CheckTime(cfg.Start); err != nil {
			return nil, fmt.Errorf("host: the virtual clock's start: %w", err)
		}
	}
	if cfg.Profile.Name == "" {
		cfg.Profile = profile.Default()
	}
	if err := cfg.Profile.Validate(); err != nil {
		return nil, fmt.Errorf("host: %w", err)
	}
	log := zerolog.Nop()
	if cfg.Logger != nil {
		log = *cfg.Logger
	}
	// The state directory is this runtime's alone while it runs: two hosts
	// saving the same apps' state would overwrite each other's schedules.
	var lock *durable.DirLock
	if cfg.StateDir != "" {
		l, err := durable.Lock(cfg.StateDir)
		if err != nil {
			return nil, fmt.Errorf("host: %w", err)
		}
		lock = l
	}
	var c caches
	var err error
	if cfg.Keep == nil && cfg.sharedCaches != nil {
		c, err = cfg.sharedCaches.get(ctx, cfg.CacheDir)
	} else {
		c, err = cfg.Keep.shared(ctx, cfg.CacheDir)
	}
	if err != nil {
		lock.Unlock()
		return nil, err
	}
	r := &Runtime{stateLock: lock, cfg: cfg, log: log, apps: map[string]*App{}, world: peripheral.NewWorld(), link: phone.NewLink()}
	r.loader = loader{cacheDir: cfg.CacheDir, costModel: cfg.CostModel, unmetered: cfg.Unmetered, coverage: cfg.Coverage,
		snapshots: cfg.Keep != nil, cache: c.cache, meters: c.meters, wasi: c.wasi}
	r.sessions.workouts = workout.NewSystem()
	r.decisions = decisionLog{rt: r, byApp: map[string][]Decision{}}
	r.rules = system.NewRules(cfg.Profile, r.decisions.report)
	r.fetches, r.stopFetches = context.WithCancel(context.Background())
	if cfg.Virtual {
		r.clock = clock.NewVirtual(cfg.Start)
		r.sched = clock.New(r.clock)
	} else {
		r.clock = clock.Real{}
		r.sched = clock.New(r.clock)
		sctx, cancel := context.WithCancel(context.Background())
		r.stopSched = cancel
		go r.sched.Run(sctx)
	}
	r.env = &system.Env{Clock: r.clock, Sched: r.sched, Rules: r.rules, OnCall: cfg.OnCall, OnSpan: cfg.OnSpan,
		FrontmostTimeout: r.frontmostTimeout, SuspendDelay: r.suspendDelay}
	return r, nil
}

// frontmostTimeout is Config.FrontmostTimeout, or the profile's.
func (r *Runtime) frontmostTimeout() time.Duration {
	if r.cfg.FrontmostTimeout != 0 {
		return r.cfg.FrontmostTimeout
	}
	return r.rules.Profile().FrontmostTimeout.D()
}

// suspendDelay is Config.SuspendDelay, or the profile's.
func (r *Runtime) suspendDelay() time.Duration {
	if r.cfg.SuspendDelay != 0 {
		return r.cfg.SuspendDelay
	}
	return r.rules.Profile().SuspendDelay.D()
}

// Set changes the device profile value named key (a profile file's key,
// e.g. refreshes_per_hour) while the runtime runs, as a scenario's mid-run
// `set` does. Decisions and calls from now on use the new value; requests
// already placed keep their times until they come due. A bad key or value
// is an error and changes nothing.
func (r *Runtime) Set(key, value string) error {
	if err := r.rules.Set(key, value); err != nil {
		return fmt.Errorf("host: %w", err)
	}
	now := r.clock.Now()
	r.decisions.report(Decision{Time: now, Kind: policy.KindProfile, Verdict: policy.Set, Rule: policy.RuleProfileSet,
		Reason: fmt.Sprintf("profile %s changed to %s", key, value)})
	return nil
}

// Now returns the runtime's clock: the real time, or the virtual time.
func (r *Runtime) Now() time.Time { return r.clock.Now() }

// RunUntil runs, in order, every timed action of the system due at or
// before t (frontmost timeouts, suspensions, ...), then leaves the clock at
// t. It is for the virtual clock, where nothing happens between calls;
// with the real clock the system runs on its own and RunUntil only waits.
// It must not be called from inside a guest call or OnCall.
func (r *Runtime) RunUntil(ctx context.Context, t time.Time) error {
	if !r.cfg.Virtual {
		select {
		case <-time.After(time.Until(t)):
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return r.sched.RunUntil(ctx, t)
}

// RunFor is RunUntil(ctx, Now()+d).
func (r *Runtime) RunFor(ctx context.Context, d time.Duration) error {
	return r.RunUntil(ctx, r.Now().Add(d))
}

// DefaultDataDir is the data directory a Config without DataDir uses:
// $XDG_DATA_HOME/watchbox, else ~/.local/share/watchbox.
func DefaultDataDir() (string, error) { return defaultDataDir() }

func defaultDataDir() (string, error) {
	if d := os.Getenv("XDG_DATA_HOME"); d != "" {
		return filepath.Join(d, "watchbox"), nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("host: no data directory (set Config.DataDir or $XDG_DATA_HOME): %w", err)
	}
	return filepath.Join(home, ".local", "share", "watchbox"), nil
}

// Apps returns the loaded apps, in bundle id order.
func (r *Runtime) Apps() []*App {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]*App, 0, len(r.apps))
	for _, a := range r.apps {
		out = append(out, a)
	}
	slices.SortFunc(out, func(a, b *App) int { return strings.Compare(a.sys.ID, b.sys.ID) })
	return out
}

// Close shuts the runtime down: every running app gets its leaving calls
// (will_resign_active, did_enter_background) and is stopped, then the caches
// are closed. Errors from guests are joined into the result.
func (r *Runtime) Close(ctx context.Context) error {
	r.mu.Lock()
	if r.closed {
		r.mu.Unlock()
		return nil
	}
	r.closed = true
	apps := make([]*App, 0, len(r.apps))
	for _, a := range r.apps {
		apps = append(apps, a)
	}
	slices.SortFunc(apps, func(a, b *App) int { return strings.Compare(a.sys.ID, b.sys.ID) })
	r.apps = nil
	r.mu.Unlock()
	r.stopFetches() // downloads in flight end now
	var errs []error
	for _, a := range apps {
		errs = append(errs, a.shutdown(ctx))
	}
	r.inflight.Wait()
	if r.stopSched != nil {
		r.stopSched()
	}
	if r.cfg.Keep == nil && r.cfg.sharedCaches == nil {
		errs = append(errs, r.loader.cache.Close(ctx))
	}
	errs = append(errs, r.stateLock.Unlock()) // after the last state was saved
	return errors.Join(errs...)
}

// sessions is what the background sessions of a runtime's apps share.
type sessions struct {
	workouts *workout.System // the one workout system-wide

	mu         sync.Mutex
	headphones bool // simulated Bluetooth headphones are connected
}

// headphones reports whether the simulated Bluetooth headphones are
// connected.
func (r *Runtime) headphones() bool {
	r.sessions.mu.Lock()
	defer r.sessions.mu.Unlock()
	return r.sessions.headphones
}

// frontmost is the runtime's one app in the foreground: watchOS shows one
// app at a time, so bringing an app forward sends the one there to the
// background first.
type frontmost struct {
	// mu serializes bringing apps to the foreground, so that only one is
	// ever frontmost; app is the app brought there last. Taken before any
	// app's lock.
	mu  sync.Mutex
	app *App
}

// bring runs open, with a's lock held, as the one app brought to the
// foreground now: the app frontmost until then enters the background
// first, because of why (its calls are its own, and a's context does not
// cancel them).
func (f *frontmost) bring(ctx context.Context, a *App, why string, open func() error) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if b := f.app; b != nil && b != a {
		b.sys.Lock()
		if b.sys.Life.Frontmost() {
			b.sys.Log.Info().Str("for", a.sys.ID).Msg("leaves the foreground: another app opens")
			b.sys.Life.BackgroundBecause(context.WithoutCancel(ctx), why)
		}
		b.sys.Unlock()
	}
	a.sys.Lock()
	defer a.sys.Unlock()
	err := open()
	if a.sys.Life.Frontmost() {
		f.app = a
	}
	return err
}
