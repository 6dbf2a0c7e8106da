// Package system is the watch system's per-app core: the app's lock, its
// life-cycle state machine (launch, foreground, background, suspend,
// purge), waking it for background work and settling it back to
// suspension while no keep-awake hold is taken, named timers, the calls
// into its guest with their records, the rules that decide and report
// (Rules), and a registry where each watchOS feature (background tasks,
// snapshots, notifications, phone, downloads) adds its request ops and its
// hooks. The features are packages beside it; they do not import each
// other, and where one needs another it goes through the core (Tasks,
// Snapshots).
package system

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/rs/zerolog"
	"github.com/watchbox/watchbox/abi"
	"github.com/watchbox/watchbox/host/bundle"
	"github.com/watchbox/watchbox/host/internal/guest"
	"github.com/watchbox/watchbox/host/internal/policy"
	"github.com/watchbox/watchbox/host/internal/sandboxfs"
	"github.com/watchbox/watchbox/host/internal/sched"
)

// Env is what every app of one runtime shares.
type Env struct {
	Clock sched.Clock
	Sched *sched.Scheduler
	Rules *Rules
	// OnCall, if set, is called after every call into a guest, in order.
	OnCall func(Call)
	// FrontmostTimeout and SuspendDelay return the delays in force (a
	// configured override, or the profile's); 0 or less disables them.
	FrontmostTimeout func() time.Duration
	SuspendDelay     func() time.Duration
}

// App is the system's side of one app. Its lock serializes everything done
// to the app; every method that does not say otherwise must be called with
// it held (Lock, Unlock).
type App struct {
	Env      *Env
	ID       string
	Manifest bundle.Manifest
	Log      zerolog.Logger
	FS       *sandboxfs.FS
	Guest    *guest.Guest
	// Timers are the app's named system timers (pending refresh, held
	// push, ...); the life-cycle timer is the App's own.
	Timers Timers
	// Features is the registry of the features' ops and hooks.
	Features Registry
	// Tasks and Snapshots are the features other features reach through
	// the core, set by those features when they register.
	Tasks     Tasks
	Snapshots Snapshots

	mu       sync.Mutex
	state    abi.State
	launches uint64
	cold     bool // the current instance was started by its launch
	crashes  int
	closed   bool
	timer    *sched.Event // the life-cycle timer (frontmost timeout, suspension)
	timerGen uint64
	holds    int // keep-awake holds: the app is not suspended while any is taken

	complication    bool // a complication is on the active face
	lastInteraction time.Time
}

// New returns the system's side of an app, not running.
func New(env *Env, id string, m bundle.Manifest, log zerolog.Logger) *App {
	a := &App{Env: env, ID: id, Manifest: m, Log: log, complication: m.Complication}
	a.Timers = Timers{app: a, evs: map[string]*sched.Event{}}
	a.Features.ops = map[abi.Op]Op{}
	return a
}

// Lock takes the app's lock.
func (a *App) Lock() { a.mu.Lock() }

// Unlock releases the app's lock.
func (a *App) Unlock() { a.mu.Unlock() }

// State returns the app's life-cycle state.
func (a *App) State() abi.State { return a.state }

// Frontmost reports whether the app is frontmost: active, or inactive
// with the wrist down.
func (a *App) Frontmost() bool { return a.state == abi.StateActive || a.state == abi.StateInactive }

// Counts returns how many times the app was launched (cold) and how many
// times its instance died.
func (a *App) Counts() (launches uint64, crashes int) { return a.launches, a.crashes }

// Closed reports whether the runtime shut the app down for good.
func (a *App) Closed() bool { return a.closed }

// Now is the guest's time inside a call, else the runtime's clock.
func (a *App) Now() time.Time { return a.Guest.Now() }

// SetComplicationActive says whether one of the app's complications is on
// the active watch face.
func (a *App) SetComplicationActive(on bool) { a.complication = on }

// Facts are what the policy needs to know of the app now.
func (a *App) Facts() policy.Facts {
	return policy.Facts{
		App:                a.ID,
		Frontmost:          a.Frontmost(),
		ComplicationActive: a.complication,
		LastInteraction:    a.lastInteraction,
	}
}

// Decide runs a rule about this app with its facts now and reports what
// it decided.
func (a *App) Decide(rule func(p *policy.Policy, f policy.Facts) policy.Decision) policy.Decision {
	return a.Env.Rules.Decide(func(p *policy.Policy) policy.Decision { return rule(p, a.Facts()) })
}

// Report reports a decision about this app made without a policy rule
// (its App is filled in).
func (a *App) Report(d policy.Decision) {
	d.App = a.ID
	a.Env.Rules.Report(d)
}

// Hold takes a keep-awake hold: a background app is not suspended while
// it holds work (an open background task).
func (a *App) Hold() { a.holds++ }

// Release releases a hold taken with Hold.
func (a *App) Release() {
	if a.holds > 0 {
		a.holds--
	}
}

// setState moves the app to s and logs the transition.
func (a *App) setState(s abi.State) {
	if a.state == s {
		return
	}
	a.Log.Info().Str("from", a.state.String()).Str("to", s.String()).Msg("state")
	a.state = s
}

// Kill drops the instance without any callback (crash or purge): every
// feature forgets what belonged to it.
func (a *App) Kill(ctx context.Context) {
	a.stopTimer()
	for _, f := range a.Features.onKill {
		f()
	}
	a.Guest.Kill(ctx)
	a.setState(abi.StateNotRunning)
}

// Step is one life-cycle call and the state the app is in during and after
// it.
type Step struct {
	Kind  abi.EventKind
	State abi.State
}

// The life-cycle steps.
var (
	StepLaunch     = Step{abi.EventDidFinishLaunching, abi.StateInactive}
	StepForeground = Step{abi.EventWillEnterForeground, abi.StateInactive}
	StepActive     = Step{abi.EventDidBecomeActive, abi.StateActive}
	StepResign     = Step{abi.EventWillResignActive, abi.StateInactive}
	StepBackground = Step{abi.EventDidEnterBackground, abi.StateBackground}
)

// Sequence delivers kinds in order, moving to the paired states. It stops
// at a crash; handler errors are joined and returned after the sequence.
func (a *App) Sequence(ctx context.Context, steps ...Step) error {
	var errs []error
	for _, s := range steps {
		if !a.Guest.Running() {
			break
		}
		a.setState(s.State)
		if _, err := a.Call(ctx, s.Kind, nil); err != nil {
			errs = append(errs, err)
			var crash *CrashError
			if errors.As(err, &crash) {
				break
			}
		}
	}
	return errors.Join(errs...)
}

// coldStart instantiates the module and delivers did_finish_launching.
func (a *App) coldStart(ctx context.Context, state abi.State) error {
	if a.closed {
		return fmt.Errorf("host: app %s is closed", a.ID)
	}
	a.launches++
	a.Log.Info().Uint64("launch", a.launches).Msg("cold launch")
	a.cold = true
	if err := a.Guest.Instantiate(ctx, a.launches, a.Env.Rules.Profile().LaunchTime.D()); err != nil {
		a.crashes++
		a.setState(abi.StateNotRunning)
		var gc *guest.Crash
		if !errors.As(err, &gc) {
			return err
		}
		a.record(Call{App: a.ID, Time: a.Env.Clock.Now(), Crash: gc.Reason, Termination: gc.Termination, Fuel: gc.Fuel})
		return &CrashError{App: a.ID, Termination: gc.Termination, Reason: gc.Reason, Fuel: gc.Fuel}
	}
	return a.Sequence(ctx, Step{abi.EventDidFinishLaunching, state})
}

// Foreground brings the app to the foreground, as when the user opens it:
// a cold launch when it is not running, else a return from wherever it
// is. It counts as the user's interaction with the app.
func (a *App) Foreground(ctx context.Context) error {
	a.stopTimer()
	a.lastInteraction = a.Env.Clock.Now()
	for _, f := range a.Features.onOpen {
		f()
	}
	var err error
	switch a.state {
	case abi.StateNotRunning:
		if err = a.coldStart(ctx, abi.StateInactive); err != nil {
			return err
		}
		err = a.Sequence(ctx, StepForeground, StepActive)
	case abi.StateBackground, abi.StateSuspended:
		a.cold = false
		err = a.Sequence(ctx, StepForeground, StepActive)
	case abi.StateInactive:
		err = a.Sequence(ctx, StepActive)
	}
	errs := []error{err}
	for _, f := range a.Features.onActive {
		errs = append(errs, f(ctx))
	}
	return errors.Join(errs...)
}

// LastInteraction is when the user last interacted with the app (zero if
// never).
func (a *App) LastInteraction() time.Time { return a.lastInteraction }

// WristDown resigns an active app and arms its frontmost timeout.
func (a *App) WristDown(ctx context.Context) error {
	if a.state != abi.StateActive {
		a.Ignored("wrist-down")
		return nil
	}
	err := a.Sequence(ctx, StepResign)
	if d := a.Env.FrontmostTimeout(); a.state == abi.StateInactive && d > 0 {
		a.after(d, abi.StateInactive, a.Background)
	}
	return err
}

// Background moves a foreground app to the background: will_resign_active
// (if active), then did_enter_background, then the features' background
// hooks; it is suspended after the suspend delay once no hold is taken.
func (a *App) Background(ctx context.Context) error {
	a.stopTimer()
	var err error
	switch a.state {
	case abi.StateActive:
		err = a.Sequence(ctx, StepResign, StepBackground)
	case abi.StateInactive:
		err = a.Sequence(ctx, StepBackground)
	default:
		a.Ignored("background")
		return nil
	}
	if a.state == abi.StateBackground {
		for _, f := range a.Features.onBackground {
			err = errors.Join(err, f(ctx))
		}
	}
	a.Settle() // suspended after suspend_delay once no task is open
	return err
}

// Suspend suspends the app (a foreground app first enters the background).
func (a *App) Suspend(ctx context.Context) error {
	var err error
	switch a.state {
	case abi.StateActive, abi.StateInactive:
		err = a.Background(ctx)
	case abi.StateBackground:
	default:
		a.Ignored("suspend")
		return nil
	}
	a.stopTimer()
	if a.state == abi.StateBackground {
		a.setState(abi.StateSuspended)
	}
	return err
}

// Purge discards the instance without warning.
func (a *App) Purge(ctx context.Context) {
	if a.state == abi.StateNotRunning {
		a.Ignored("purge")
		return
	}
	a.Log.Info().Str("from", a.state.String()).Msg("purged")
	a.Kill(ctx)
}

// Deliver sends one event to the app, launching it into the background or
// waking it from suspension first.
func (a *App) Deliver(ctx context.Context, kind abi.EventKind, fields []byte) (Call, error) {
	switch a.state {
	case abi.StateNotRunning:
		if err := a.coldStart(ctx, abi.StateBackground); err != nil && !a.Guest.Running() {
			return Call{App: a.ID, Event: kind}, err
		}
	case abi.StateSuspended:
		a.stopTimer()
		a.cold = false
		a.setState(abi.StateBackground) // the system wakes it to run in the background
	}
	return a.Call(ctx, kind, fields)
}

// Wake launches the app into the background, or wakes it there from
// suspension, so that it can run background work.
func (a *App) Wake(ctx context.Context) error {
	switch a.state {
	case abi.StateNotRunning:
		if err := a.coldStart(ctx, abi.StateBackground); err != nil && !a.Guest.Running() {
			return err
		}
	case abi.StateSuspended:
		a.stopTimer()
		a.cold = false
		a.setState(abi.StateBackground)
	}
	if !a.Guest.Running() {
		return fmt.Errorf("host: %s is not running", a.ID)
	}
	return nil
}

// Settle suspends a background app that holds no work once the suspend
// delay has passed, as watchOS does after setTaskCompleted.
func (a *App) Settle() {
	if d := a.Env.SuspendDelay(); a.state == abi.StateBackground && a.holds == 0 && a.Guest.Running() && d > 0 {
		a.after(d, abi.StateBackground, a.Suspend)
	}
}

// Shutdown gives a running app its leaving calls, stops every timer and
// feature, and marks it closed. The caller closes its guest and files.
func (a *App) Shutdown(ctx context.Context) error {
	var err error
	switch a.state {
	case abi.StateActive:
		err = a.Sequence(ctx, StepResign, StepBackground)
	case abi.StateInactive:
		err = a.Sequence(ctx, StepBackground)
	}
	a.Kill(ctx)
	for _, f := range a.Features.onClose {
		f()
	}
	a.Timers.stopAll()
	a.closed = true
	return err
}

// Ignored logs a transition that does not apply in the app's state.
func (a *App) Ignored(what string) {
	a.Log.Info().Str("state", a.state.String()).Msgf("%s ignored: the app is %v", what, a.state)
}

// after runs f, with the lock held, once d has passed, if the app is still
// in state s and no other transition happened meanwhile.
func (a *App) after(d time.Duration, s abi.State, f func(context.Context) error) {
	a.stopTimer()
	gen := a.timerGen
	label := a.ID + " " + s.String() + " timeout"
	a.timer = a.Env.Sched.After(d, label, func() {
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
		a.Env.Sched.Cancel(a.timer)
		a.timer = nil
	}
}
