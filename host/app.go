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
	"github.com/watchbox/watchbox/host/inspect"
	"github.com/watchbox/watchbox/host/internal/guest"
	"github.com/watchbox/watchbox/host/internal/sandboxfs"
	"github.com/watchbox/watchbox/host/internal/sched"
	"github.com/watchbox/watchbox/host/meter"
)

// Call records one call into a guest, as passed to Config.OnCall.
type Call struct {
	App     string        `json:"app"`
	Time    time.Time     `json:"time"` // when the call started, on the runtime's clock
	Event   abi.EventKind `json:"-"`
	ID      uint64        `json:"id"`
	Status  abi.Status    `json:"-"`
	Message string        `json:"message,omitempty"` // the handler's error message
	Crash   string        `json:"crash,omitempty"`   // why the instance died, if it did
	// Termination classifies a crash: trap, exit, cpu_time_exceeded or
	// wall_time_exceeded. Empty when the instance survived.
	Termination Termination   `json:"termination,omitempty"`
	Fuel        int64         `json:"fuel"` // fuel the call used (0 when unmetered)
	State       abi.State     `json:"-"`    // the app's state after the call
	Duration    time.Duration `json:"duration_ns"`
}

// EventName returns the name of the call's event, or "instantiate" for a
// crash while the instance was starting.
func (c Call) EventName() string {
	if c.Event == 0 {
		return "instantiate"
	}
	return c.Event.String()
}

// App is a loaded watch app: its bundle, compiled module and, while it runs,
// one guest instance. Its methods are the system's life-cycle transitions;
// they are safe for concurrent use and serialize all calls into the guest.
type App struct {
	rt       *Runtime
	id       string
	manifest bundle.Manifest
	log      zerolog.Logger
	fs       *sandboxfs.FS
	g        *guest.Guest // the Wasm side: runtime, module, instance

	mu       sync.Mutex
	state    abi.State
	launches uint64
	cold     bool // the current instance was started by its launch
	crashes  int
	timer    *sched.Event
	timerGen uint64

	complication     bool // a complication is on the active face
	lastInteraction  time.Time
	tasks            map[int64]*bgTask // open background tasks
	nextTask         int64
	refreshEv        *sched.Event             // delivers the pending background refresh
	pushEv           *sched.Event             // delivers the held background push
	pushes           int                      // alert pushes received, for their identifiers
	complicationData []byte                   // what the app last published for its complication
	snapshotEv       *sched.Event             // delivers the pending snapshot
	pending          map[string]*notification // local notifications not yet delivered
	delivered        []*notification          // delivered and not tapped, newest last
	phoneQueue       []phoneItem              // phone data waiting for a background app
	phoneEv          *sched.Event             // delivers phoneQueue
	defaultEv        *sched.Event             // takes the return_to_default_state snapshot
	snapshotsOff     bool                     // the app turned automatic snapshots off
	snapshotInfo     []byte                   // userInfo for the next snapshot task
	sentToPhone      [][]byte                 // what the app sent to the phone, oldest first
	closed           bool
}

// Load opens the app bundle in dir, builds it if it is Go source, checks its
// manifest and module against the ABI and compiles it. Nothing of the guest
// runs yet. An app the runtime refuses is an *InvalidAppError listing every
// problem.
func (r *Runtime) Load(ctx context.Context, dir string) (*App, error) {
	b, err := bundle.Open(dir)
	if err != nil {
		return nil, bundleError(dir, err)
	}
	wasm, info, err := b.Wasm(ctx, bundle.BuildOptions{CacheDir: filepath.Join(r.cfg.CacheDir, "build")})
	if err != nil {
		return nil, bundleError(dir, err)
	}
	file := info.Path
	if b.Manifest.Module != "" {
		file = filepath.Join(dir, filepath.FromSlash(b.Manifest.Module))
	}
	return r.load(ctx, dir, file, b.Manifest, wasm)
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

// load checks and compiles wasm, read from file, for the bundle in dir.
func (r *Runtime) load(ctx context.Context, dir, file string, m bundle.Manifest, wasm []byte) (*App, error) {
	if p := inspect.CheckBytes(file, wasm); p != nil {
		return nil, &InvalidAppError{Path: dir, Problems: []Problem{*p}}
	}
	if !r.cfg.Unmetered {
		metered, err := r.meters.Instrument(wasm, r.cfg.CostModel)
		if err != nil {
			var fe *meter.FormatError
			if errors.As(err, &fe) {
				return nil, &InvalidAppError{Path: dir, Problems: []Problem{inspect.CompileProblem(file, fe, m.MemoryLimit.String())}}
			}
			return nil, fmt.Errorf("host: metering %s: %w", file, err)
		}
		wasm = metered
	}
	a := &App{rt: r, id: m.BundleIdentifier, manifest: m,
		complication: m.Complication, tasks: map[int64]*bgTask{}, pending: map[string]*notification{}}
	a.log = r.log.With().Str("app", a.id).Logger()
	g, err := guest.New(ctx, guest.Config{ID: a.id, Log: a.log, Cache: r.cache, MemoryPages: m.MemoryLimit.Pages(),
		Seed: r.cfg.Seed, Unmetered: r.cfg.Unmetered, Virtual: r.cfg.Virtual, Clock: r.clock, Sched: r.sched,
		Profile: r.rules.profile, Handler: requests{a}})
	if err != nil {
		return nil, err
	}
	a.g = g
	fail := func(err error) (*App, error) {
		g.Close(ctx)
		if a.fs != nil {
			a.fs.Close()
		}
		return nil, err
	}
	cm, err := g.Compile(ctx, wasm)
	if err != nil {
		return fail(&InvalidAppError{Path: dir, Problems: []Problem{inspect.CompileProblem(file, err, m.MemoryLimit.String())}})
	}
	if _, problems := inspect.CheckModule(cm, r.wasi); len(problems) > 0 {
		return fail(&InvalidAppError{Path: dir, Problems: problems})
	}
	container := filepath.Join(r.cfg.DataDir, "containers", a.id)
	if err := os.MkdirAll(container, 0o755); err != nil {
		return fail(fmt.Errorf("host: data container for %s: %w", a.id, err))
	}
	a.fs, err = sandboxfs.New(container, int64(m.DataQuota))
	if err != nil {
		return fail(fmt.Errorf("host: data container for %s: %w", a.id, err))
	}
	g.Mount(a.fs)

	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return fail(errors.New("host: runtime is closed"))
	}
	if _, dup := r.apps[a.id]; dup {
		return fail(fmt.Errorf("host: an app with bundle id %s is already loaded", a.id))
	}
	r.apps[a.id] = a
	return a, nil
}

// ID returns the app's bundle identifier.
func (a *App) ID() string { return a.id }

// Manifest returns the app's manifest.
func (a *App) Manifest() bundle.Manifest { return a.manifest }

// State returns the app's life-cycle state.
func (a *App) State() abi.State {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.state
}

// Launches returns how many times the app was launched (cold) by this runtime.
func (a *App) Launches() uint64 {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.launches
}

// Crashes returns how many times the app's instance died in a call.
func (a *App) Crashes() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.crashes
}

// Container returns the host directory holding the app's data container.
func (a *App) Container() string { return filepath.Join(a.rt.cfg.DataDir, "containers", a.id) }

// now is the guest's time: inside a call, the call's clock; otherwise the
// runtime's clock.
func (a *App) now() time.Time { return a.g.Now() }

func (a *App) record(c Call) {
	ev := a.log.Debug()
	switch {
	case c.Crash != "":
		ev = a.log.Error().Str("crash", c.Crash)
	case c.Message != "":
		ev = a.log.Error().Str("error", c.Message)
	}
	if !ev.Enabled() {
		if f := a.rt.cfg.OnCall; f != nil {
			f(c)
		}
		return
	}
	if c.Termination != "" {
		ev = ev.Str("termination", string(c.Termination))
	}
	ev.Str("event", c.EventName()).Str("status", c.Status.String()).Int64("fuel", c.Fuel).Dur("duration", c.Duration).Msg("call")
	if f := a.rt.cfg.OnCall; f != nil {
		f(c)
	}
}

// setState moves the app to s and logs the transition.
func (a *App) setState(s abi.State) {
	if a.state == s {
		return
	}
	a.log.Info().Str("from", a.state.String()).Str("to", s.String()).Msg("state")
	a.state = s
}

// kill drops the instance without any callback (crash or purge).
func (a *App) kill(ctx context.Context) {
	a.stopTimer()
	a.dropTasks()
	a.cancelDefault() // a relaunch starts in its default state anyway
	a.g.Kill(ctx)
	a.setState(abi.StateNotRunning)
}

// sequence delivers kinds in order, moving to the paired states. It stops at
// a crash; handler errors are joined and returned after the sequence.
func (a *App) sequence(ctx context.Context, steps ...step) error {
	var errs []error
	for _, s := range steps {
		if !a.g.Running() {
			break
		}
		a.setState(s.state)
		if _, err := a.call(ctx, s.kind, nil); err != nil {
			errs = append(errs, err)
			var crash *CrashError
			if errors.As(err, &crash) {
				break
			}
		}
	}
	return errors.Join(errs...)
}

type step struct {
	kind  abi.EventKind
	state abi.State // the state during and after the call
}

var (
	stepLaunch     = step{abi.EventDidFinishLaunching, abi.StateInactive}
	stepForeground = step{abi.EventWillEnterForeground, abi.StateInactive}
	stepActive     = step{abi.EventDidBecomeActive, abi.StateActive}
	stepResign     = step{abi.EventWillResignActive, abi.StateInactive}
	stepBackground = step{abi.EventDidEnterBackground, abi.StateBackground}
)

// coldStart instantiates the module and delivers did_finish_launching.
func (a *App) coldStart(ctx context.Context, state abi.State) error {
	if a.closed {
		return fmt.Errorf("host: app %s is closed", a.id)
	}
	a.launches++
	a.log.Info().Uint64("launch", a.launches).Msg("cold launch")
	a.cold = true
	if err := a.g.Instantiate(ctx, a.launches, a.rt.rules.profile().LaunchTime.D()); err != nil {
		a.crashes++
		a.setState(abi.StateNotRunning)
		var gc *guest.Crash
		if !errors.As(err, &gc) {
			return err
		}
		a.record(Call{App: a.id, Time: a.rt.clock.Now(), Crash: gc.Reason, Termination: gc.Termination, Fuel: gc.Fuel})
		return &CrashError{App: a.id, Termination: gc.Termination, Reason: gc.Reason, Fuel: gc.Fuel}
	}
	return a.sequence(ctx, step{abi.EventDidFinishLaunching, state})
}

// Launch brings the app to the foreground, as when the user opens it: a
// cold launch (did_finish_launching, will_enter_foreground,
// did_become_active) when it is not running, else a return to the
// foreground from wherever it is.
//
// Only one app is frontmost: another app that is (the user opens this one
// from it) enters the background first.
func (a *App) Launch(ctx context.Context) error {
	return a.bringForward(ctx, func() error { return a.foreground(ctx) })
}

// bringForward runs open, with a's lock held, as the one app brought to
// the foreground now: the app frontmost until then enters the background
// first (its calls are its own, and a's context does not cancel them).
func (a *App) bringForward(ctx context.Context, open func() error) error {
	r := a.rt
	r.fgMu.Lock()
	defer r.fgMu.Unlock()
	if b := r.front; b != nil && b != a {
		b.mu.Lock()
		if b.state == abi.StateActive || b.state == abi.StateInactive {
			b.log.Info().Str("for", a.id).Msg("leaves the foreground: another app opens")
			b.background(context.WithoutCancel(ctx))
		}
		b.mu.Unlock()
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	err := open()
	if a.state == abi.StateActive || a.state == abi.StateInactive {
		r.front = a
	}
	return err
}

func (a *App) foreground(ctx context.Context) error {
	a.stopTimer()
	a.cancelDefault()
	a.lastInteraction = a.rt.clock.Now()
	if a.state != abi.StateActive {
		a.resetBluetooth()
	}
	var err error
	switch a.state {
	case abi.StateNotRunning:
		if err = a.coldStart(ctx, abi.StateInactive); err != nil {
			return err
		}
		err = a.sequence(ctx, stepForeground, stepActive)
	case abi.StateBackground, abi.StateSuspended:
		a.cold = false
		err = a.sequence(ctx, stepForeground, stepActive)
	case abi.StateInactive:
		err = a.sequence(ctx, stepActive)
	}
	return errors.Join(err, a.flushPhone(ctx))
}

// WristUp raises the wrist: an inactive frontmost app becomes active; an
// app in the background or suspended returns to the foreground; an app that
// is not running is launched.
func (a *App) WristUp(ctx context.Context) error { return a.Launch(ctx) }

// WristDown lowers the wrist: an active app resigns active and stays
// frontmost (inactive) until Config.FrontmostTimeout passes, then enters
// the background. It does nothing in other states.
func (a *App) WristDown(ctx context.Context) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.state != abi.StateActive {
		a.ignored("wrist-down")
		return nil
	}
	err := a.sequence(ctx, stepResign)
	if d := a.rt.frontmostTimeout(); a.state == abi.StateInactive && d > 0 {
		a.after(d, abi.StateInactive, a.background)
	}
	return err
}

// EnterBackground moves a foreground app to the background, as when the
// frontmost timeout passes or the user opens another app:
// will_resign_active (if active), then did_enter_background. The system
// suspends it after Config.SuspendDelay.
func (a *App) EnterBackground(ctx context.Context) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.background(ctx)
}

func (a *App) background(ctx context.Context) error {
	a.stopTimer()
	var err error
	switch a.state {
	case abi.StateActive:
		err = a.sequence(ctx, stepResign, stepBackground)
	case abi.StateInactive:
		err = a.sequence(ctx, stepBackground)
	default:
		a.ignored("background")
		return nil
	}
	if a.state == abi.StateBackground {
		err = errors.Join(err, a.backgrounded(ctx))
	}
	a.settle() // suspended after suspend_delay once no task is open
	return err
}

// Suspend suspends the app: its instance stays in memory but gets no calls
// until it is foregrounded or purged. A foreground app first enters the
// background.
func (a *App) Suspend(ctx context.Context) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.suspend(ctx)
}

func (a *App) suspend(ctx context.Context) error {
	var err error
	switch a.state {
	case abi.StateActive, abi.StateInactive:
		err = a.background(ctx)
	case abi.StateBackground:
	default:
		a.ignored("suspend")
		return nil
	}
	a.stopTimer()
	if a.state == abi.StateBackground {
		a.setState(abi.StateSuspended)
	}
	return err
}

// Purge discards the app's instance without warning, as watchOS does with
// suspended apps under memory pressure. Only what the app persisted in its
// container survives; its next launch is cold.
func (a *App) Purge(ctx context.Context) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.state == abi.StateNotRunning {
		a.ignored("purge")
		return nil
	}
	a.log.Info().Str("from", a.state.String()).Msg("purged")
	a.kill(ctx)
	return nil
}

// Deliver sends one event with encoded fields to the app. An app that is not
// running is launched into the background first; a suspended app is woken
// into the background. It returns the guest's
// call record; a crash or handler failure is also returned as an error.
func (a *App) Deliver(ctx context.Context, kind abi.EventKind, fields []byte) (Call, error) {
	if len(fields) > abi.MaxEnvelope-abi.HeaderSize {
		return Call{App: a.id, Event: kind}, fmt.Errorf("host: %v event for %s: %d bytes of fields, more than the ABI's %d-byte envelope limit", kind, a.id, len(fields), abi.MaxEnvelope)
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	switch a.state {
	case abi.StateNotRunning:
		if err := a.coldStart(ctx, abi.StateBackground); err != nil && !a.g.Running() {
			return Call{App: a.id, Event: kind}, err
		}
	case abi.StateSuspended:
		a.stopTimer()
		a.cold = false
		a.setState(abi.StateBackground) // the system wakes it to run in the background
	}
	return a.call(ctx, kind, fields)
}

// shutdown gives a running app its leaving calls and releases everything.
func (a *App) shutdown(ctx context.Context) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	var err error
	switch a.state {
	case abi.StateActive:
		err = a.sequence(ctx, stepResign, stepBackground)
	case abi.StateInactive:
		err = a.sequence(ctx, stepBackground)
	}
	a.kill(ctx)
	a.armRefresh(time.Time{})
	if a.pushEv != nil {
		a.rt.sched.Cancel(a.pushEv)
	}
	for id := range a.pending {
		a.cancelNotification(id)
	}
	for _, ev := range []*sched.Event{a.phoneEv, a.snapshotEv, a.defaultEv} {
		if ev != nil {
			a.rt.sched.Cancel(ev)
		}
	}
	a.closed = true
	return errors.Join(err, a.fs.Close(), a.g.Close(ctx))
}

func (a *App) ignored(what string) {
	a.log.Info().Str("state", a.state.String()).Msgf("%s ignored: the app is %v", what, a.state)
}

// after runs f, with the mutex held, once d has passed, if the app is still
// in state s and no other transition happened meanwhile.
func (a *App) after(d time.Duration, s abi.State, f func(context.Context) error) {
	a.stopTimer()
	gen := a.timerGen
	label := a.id + " " + s.String() + " timeout"
	a.timer = a.rt.sched.After(d, label, func() {
		a.mu.Lock()
		defer a.mu.Unlock()
		if a.timerGen == gen && a.state == s && !a.closed {
			f(context.Background())
		}
	})
}

func (a *App) stopTimer() {
	a.timerGen++
	if a.timer != nil {
		a.rt.sched.Cancel(a.timer)
		a.timer = nil
	}
}
