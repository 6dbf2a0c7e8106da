package system

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/watchbox/watchbox/abi"
	"github.com/watchbox/watchbox/host/internal/guest"
)

// Lifecycle is an app's life-cycle state machine, following watchOS: not
// running, inactive, active, background, suspended. Its transitions make
// the app's calls in watchOS's order, run the features' hooks, and arm the
// life-cycle timer (the frontmost timeout, the suspension); the app's
// Holds keep a background app from being suspended, and an inactive one
// frontmost.
type Lifecycle struct {
	app      *App
	state    abi.State
	launches uint64
	cold     bool // the current instance was started by its launch
	closed   bool
	closing  bool      // Shutdown is under way
	timer    lifeTimer // the life-cycle timer (frontmost timeout, suspension)
	leaving  string    // why the app is leaving the foreground, while it does
}

// State returns the app's life-cycle state.
func (l *Lifecycle) State() abi.State { return l.state }

// Frontmost reports whether the app is frontmost: active, or inactive
// with the wrist down.
func (l *Lifecycle) Frontmost() bool {
	return l.state == abi.StateActive || l.state == abi.StateInactive
}

// Counts returns how many times the app was launched (cold) and how many
// times its instance died.
func (l *Lifecycle) Counts() (launches uint64, crashes int) {
	return l.launches, l.app.Crashes.n
}

// Closed reports whether the runtime shut the app down for good.
func (l *Lifecycle) Closed() bool { return l.closed }

// Closing reports whether the runtime is shutting the app down (Shutdown
// has begun): a kill then is the end of the run, not the app's fate.
func (l *Lifecycle) Closing() bool { return l.closing || l.closed }

// FrontmostTimeout returns how long the app stays frontmost after the
// wrist drops: frontmost_timeout (or the runtime's override), or
// extended_frontmost_timeout when its manifest opts in with
// extendedFrontmostTimeout. 0 or less: never.
func (l *Lifecycle) FrontmostTimeout() time.Duration {
	d := l.app.Env.FrontmostTimeout()
	if l.app.Manifest.ExtendedFrontmostTimeout && d > 0 {
		d = max(d, l.app.Env.Rules.Profile().ExtendedFrontmostTimeout.D())
	}
	return d
}

// armFrontmost arms an inactive app's frontmost timeout, unless a
// frontmost hold is taken.
func (l *Lifecycle) armFrontmost() {
	if d := l.FrontmostTimeout(); l.state == abi.StateInactive && d > 0 && l.app.Holds.front == 0 {
		l.timer.after(l, d, abi.StateInactive, func(ctx context.Context) error {
			return l.BackgroundBecause(ctx, "its frontmost timeout passed")
		})
	}
}

// Leaving says why the app is leaving the foreground, while its
// background hooks run: "the Digital Crown was pressed", "another app
// opened: ID", ...; "" when not said.
func (l *Lifecycle) Leaving() string { return l.leaving }

// BackgroundBecause is Background, saying why the app leaves the
// foreground (see Leaving).
func (l *Lifecycle) BackgroundBecause(ctx context.Context, why string) error {
	l.leaving = why
	defer func() { l.leaving = "" }()
	return l.Background(ctx)
}

// setState moves the app to s and logs the transition.
func (l *Lifecycle) setState(s abi.State) {
	if l.state == s {
		return
	}
	l.app.Log.Info().Str("from", l.state.String()).Str("to", s.String()).Msg("state")
	l.state = s
}

// Kill drops the instance without any callback (crash or purge): every
// feature forgets what belonged to it.
func (l *Lifecycle) Kill(ctx context.Context) {
	l.timer.stop(l)
	for _, f := range l.app.Features.onKill {
		f()
	}
	l.app.Guest.Kill(ctx)
	l.setState(abi.StateNotRunning)
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
func (l *Lifecycle) Sequence(ctx context.Context, steps ...Step) error {
	var errs []error
	for _, s := range steps {
		if !l.app.Guest.Running() {
			break
		}
		l.setState(s.State)
		if _, err := l.app.Call(ctx, s.Kind, nil); err != nil {
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
func (l *Lifecycle) coldStart(ctx context.Context, state abi.State) error {
	if l.closed {
		return fmt.Errorf("host: app %s is closed", l.app.ID)
	}
	l.launches++
	l.app.Log.Info().Uint64("launch", l.launches).Msg("cold launch")
	l.cold = true
	var err error
	l.app.guestRuns(func() { err = l.app.Guest.Instantiate(ctx, l.launches, l.app.Env.Rules.Profile().LaunchTime.D()) })
	if err != nil {
		l.app.Crashes.n++
		l.setState(abi.StateNotRunning)
		var gc *guest.Crash
		if !errors.As(err, &gc) {
			return err
		}
		reason := l.app.Crashes.reason(0, gc)
		stack, where := fatalStack(gc)
		l.app.record(&Call{App: l.app.ID, Time: l.app.Env.Clock.Now(), Crash: reason, Termination: gc.Termination, Fuel: gc.Fuel, Stack: stack, Where: where})
		return &CrashError{App: l.app.ID, Termination: gc.Termination, Reason: reason, Fuel: gc.Fuel, Stack: stack, Where: where}
	}
	return l.Sequence(ctx, Step{abi.EventDidFinishLaunching, state})
}

// Foreground brings the app to the foreground, as when the user opens it:
// a cold launch when it is not running, else a return from wherever it
// is. It counts as the user's interaction with the app.
func (l *Lifecycle) Foreground(ctx context.Context) error {
	l.timer.stop(l)
	l.app.lastInteraction = l.app.Env.Clock.Now()
	for _, f := range l.app.Features.onOpen {
		f()
	}
	var err error
	switch l.state {
	case abi.StateNotRunning:
		if err = l.coldStart(ctx, abi.StateInactive); err != nil {
			return err
		}
		err = l.Sequence(ctx, StepForeground, StepActive)
	case abi.StateBackground, abi.StateSuspended:
		l.cold = false
		err = l.Sequence(ctx, StepForeground, StepActive)
	case abi.StateInactive:
		err = l.Sequence(ctx, StepActive)
	}
	errs := []error{err}
	for _, f := range l.app.Features.onActive {
		errs = append(errs, f(ctx))
	}
	return errors.Join(errs...)
}

// WristDown resigns an active app and arms its frontmost timeout.
func (l *Lifecycle) WristDown(ctx context.Context) error {
	if l.state != abi.StateActive {
		l.Ignored("wrist-down")
		return nil
	}
	err := l.Sequence(ctx, StepResign)
	l.armFrontmost()
	return err
}

// Background moves a foreground app to the background: will_resign_active
// (if active), then did_enter_background, then the features' background
// hooks; it is suspended after the suspend delay once no hold is taken.
func (l *Lifecycle) Background(ctx context.Context) error {
	l.timer.stop(l)
	var err error
	switch l.state {
	case abi.StateActive:
		err = l.Sequence(ctx, StepResign, StepBackground)
	case abi.StateInactive:
		err = l.Sequence(ctx, StepBackground)
	default:
		l.Ignored("background")
		return nil
	}
	if l.state == abi.StateBackground {
		for _, f := range l.app.Features.onBackground {
			err = errors.Join(err, f(ctx))
		}
	}
	l.Settle() // suspended after suspend_delay once no task is open
	return err
}

// Suspend suspends the app (a foreground app first enters the background).
func (l *Lifecycle) Suspend(ctx context.Context) error {
	var err error
	switch l.state {
	case abi.StateActive, abi.StateInactive:
		err = l.Background(ctx)
	case abi.StateBackground:
	default:
		l.Ignored("suspend")
		return nil
	}
	l.timer.stop(l)
	if l.state == abi.StateBackground {
		for _, f := range l.app.Features.onSuspend {
			f()
		}
		l.setState(abi.StateSuspended)
	}
	return err
}

// Purge discards the instance without warning.
func (l *Lifecycle) Purge(ctx context.Context) {
	if l.state == abi.StateNotRunning {
		l.Ignored("purge")
		return
	}
	l.app.Log.Info().Str("from", l.state.String()).Msg("purged")
	l.Kill(ctx)
}

// Deliver sends one event to the app, launching it into the background or
// waking it from suspension first.
func (l *Lifecycle) Deliver(ctx context.Context, kind abi.EventKind, fields []byte) (Call, error) {
	var c Call
	err := l.DeliverInto(ctx, kind, fields, &c)
	return c, err
}

// DeliverInto is Deliver with the call's record written into *c (see
// App.CallInto).
func (l *Lifecycle) DeliverInto(ctx context.Context, kind abi.EventKind, fields []byte, c *Call) error {
	switch l.state {
	case abi.StateNotRunning:
		if err := l.coldStart(ctx, abi.StateBackground); err != nil && !l.app.Guest.Running() {
			*c = Call{App: l.app.ID, Event: kind}
			return err
		}
	case abi.StateSuspended:
		l.timer.stop(l)
		l.cold = false
		l.setState(abi.StateBackground) // the system wakes it to run in the background
	}
	return l.app.CallInto(ctx, kind, fields, c)
}

// Wake launches the app into the background, or wakes it there from
// suspension, so that it can run background work.
func (l *Lifecycle) Wake(ctx context.Context) error {
	switch l.state {
	case abi.StateNotRunning:
		if err := l.coldStart(ctx, abi.StateBackground); err != nil && !l.app.Guest.Running() {
			return err
		}
	case abi.StateSuspended:
		l.timer.stop(l)
		l.cold = false
		l.setState(abi.StateBackground)
	}
	if !l.app.Guest.Running() {
		return fmt.Errorf("host: %s is not running", l.app.ID)
	}
	return nil
}

// Settle suspends a background app that holds no work once the suspend
// delay has passed, as watchOS does after setTaskCompleted.
func (l *Lifecycle) Settle() {
	if d := l.app.Env.SuspendDelay(); l.state == abi.StateBackground && l.app.Holds.awake == 0 && l.app.Guest.Running() && d > 0 {
		l.timer.after(l, d, abi.StateBackground, l.Suspend)
	}
}

// Shutdown gives a running app its leaving calls, stops every timer and
// feature, and marks it closed. The caller closes its guest and files.
func (l *Lifecycle) Shutdown(ctx context.Context) error {
	l.closing = true
	var err error
	switch l.state {
	case abi.StateActive:
		err = l.Sequence(ctx, StepResign, StepBackground)
	case abi.StateInactive:
		err = l.Sequence(ctx, StepBackground)
	}
	l.Kill(ctx)
	l.app.Store.SaveFinal() // what the close takes down is the next start's
	for _, f := range l.app.Features.onClose {
		f()
	}
	l.app.Timers.stopAll()
	l.closed = true
	return err
}

// Ignored logs a transition that does not apply in the app's state.
func (l *Lifecycle) Ignored(what string) {
	l.app.Log.Info().Str("state", l.state.String()).Msgf("%s ignored: the app is %v", what, l.state)
}
