package system

import (
	"context"
	"errors"
	"fmt"

	"github.com/watchbox/watchbox/abi"
	"github.com/watchbox/watchbox/abi/msg"
	"github.com/watchbox/watchbox/host/internal/guest"
)

// Reloader swaps a new version of an app's module in while the app runs
// (`watchbox dev`'s hot reload), carrying the guest's state across when
// both versions can, and relaunching the new instance cold into the app's
// state when they cannot.
type Reloader struct{ app *App }

// Swapped says how a hot reload's swap went.
type Swapped struct {
	// Running is whether an instance was running: only then is there
	// state to carry and a new instance to start.
	Running bool
	// Carried is whether the app's state passed across: the old version
	// answered save_state and the new one accepted it in restore_state.
	Carried bool
	// StateBytes is the size of the state the old version saved.
	StateBytes int
	// Note says why the state was not carried, when an instance was
	// running and it was not.
	Note string
	// Prestarted is whether the new instance is the one Prestart started
	// before the swap.
	Prestarted bool
	// Redelivered is how many open background tasks were delivered again
	// to the new version after it started cold (see Tasks.Redeliver).
	Redelivered int
}

// Prestart starts an instance of cm (from Guest.Modules().Prepare), the new
// version, for Swap, before the swap takes the app's lock: the new Go
// runtime's start (_initialize) then runs while the old version keeps
// serving, and the app's calls are held only for save_state,
// restore_state and the life-cycle calls. It reads whether the app runs
// and its launch count under the app's lock, if the lock is free: it
// returns nil when the app is in a call (the swap waits for the call to
// end and starts the instance itself, as it would anyway have waited),
// is not running (a swap then starts nothing), or its guest cannot start
// instances this way. When _initialize crashes it returns a
// *PrestartError, and nothing of the app changed: the caller keeps the
// old version running.
func (r *Reloader) Prestart(ctx context.Context, cm *guest.Module) (*guest.Started, error) {
	a := r.app
	if !a.mu.TryLock() {
		return nil, nil
	}
	running, salt, budget := a.Guest.Running() && !a.Life.Closing(), a.Life.launches, a.Env.Rules.Profile().LaunchTime.D()
	a.Unlock()
	if !running {
		return nil, nil
	}
	st, err := a.Guest.Start(ctx, cm, salt, budget)
	var gc *guest.Crash
	switch {
	case errors.Is(err, guest.ErrNoStart):
		return nil, nil
	case errors.As(err, &gc):
		a.Lock()
		reason := a.Crashes.reason(0, gc)
		a.Unlock()
		return nil, &PrestartError{App: a.ID, Termination: gc.Termination, Reason: reason}
	}
	return st, err
}

// PrestartError is a new version that crashed in its _initialize when
// Prestart started it, before the swap: the old version keeps running.
type PrestartError struct {
	App         string
	Termination guest.Termination
	Reason      string
}

func (e *PrestartError) Error() string {
	return fmt.Sprintf("the new version of %s crashed while starting (_initialize), before the swap: %s: %s", e.App, e.Termination, e.Reason)
}

// Swap replaces the app's module with cm (from Guest.Modules().Prepare), keeping
// everything the system holds for the app: its life-cycle state and
// timers, open background tasks, scheduled refreshes, pending
// notifications, downloads in flight, budgets and its container. It runs
// with the lock held, so between two calls, never inside one.
//
// A running app is asked for its state (save_state), the old instance is
// dropped without its kill hooks (nothing of it is forgotten), and the new
// instance, st from Prestart, takes its place and is given the state
// (restore_state). When st is nil, or cannot be used (it asked the host
// for something while it started, or the app launched meanwhile), a new
// instance is started here (_initialize) instead. Swap takes st over:
// it is adopted or closed.
// When the old version does not save, the new one does not restore or
// refuses the state, or the state is over the profile's
// saved_state_bytes, the new instance starts cold instead: it is brought
// back to the state the app was in through the life-cycle calls a cold
// launch makes (relaunch), then handed the background tasks still open
// again (Tasks.Redeliver), since it never saw them and the system still
// waits for their completion. An app that is not running only gets the
// new module for its next launch.
//
// A crash of the old version in save_state, or of the new one, is a
// crash as any other (the features forget the instance's work) and is
// returned; the new module stays, and the next event launches it.
func (r *Reloader) Swap(ctx context.Context, cm *guest.Module, st *guest.Started) (Swapped, error) {
	a := r.app
	l := &a.Life
	if l.Closing() {
		st.Close(ctx)
		cm.Close(ctx)
		return Swapped{}, fmt.Errorf("host: app %s is closed", a.ID)
	}
	if !a.Guest.Running() {
		st.Close(ctx)
		a.Guest.Swap(ctx, cm)
		return Swapped{}, nil
	}
	sw := Swapped{Running: true}
	state, carry, note, err := r.saveState(ctx)
	sw.StateBytes, sw.Note = len(state), note
	if st != nil && (err != nil || st.Touched() || st.Salt() != l.launches || st.Module() != cm) {
		st.Close(ctx)
		st = nil
	}
	if err != nil { // the old version crashed: the app is not running now
		a.Guest.Swap(ctx, cm)
		sw.Running = false
		return sw, err
	}
	prev := l.state
	if st != nil {
		a.Guest.Adopt(ctx, st)
		sw.Prestarted = true
	} else {
		a.Guest.Swap(ctx, cm)
		if err := r.instantiate(ctx); err != nil {
			return sw, err
		}
	}
	if carry {
		c, err := a.Call(ctx, abi.EventRestoreState, msg.RestoreState{State: state}.Encode(nil))
		var crash *CrashError
		switch {
		case errors.As(err, &crash):
			return sw, err
		case err != nil:
			sw.Note = "the new version refused the saved state: " + c.Message
		case c.Status == abi.StatusUnhandled:
			sw.Note = "the new version does not handle restore_state"
		default:
			sw.Carried = true
			a.Log.Info().Int("state_bytes", len(state)).Msg("reloaded: state carried over")
			return sw, nil
		}
		// A refused state may have been half taken up: start afresh.
		a.Guest.Kill(ctx)
		if err := r.instantiate(ctx); err != nil {
			return sw, err
		}
	}
	a.Log.Info().Str("why", sw.Note).Msg("reloaded: the new version starts cold")
	err = r.relaunch(ctx, prev)
	if a.Guest.Running() && a.Tasks != nil {
		// The system still holds the tasks the old version had open, and
		// the new one never saw them: it gets them again, to complete
		// within what is left of their time.
		n, rerr := a.Tasks.Redeliver(ctx)
		sw.Redelivered = n
		if rerr != nil {
			err = errors.Join(err, rerr)
		}
	}
	return sw, err
}

// saveState asks the running instance for its state. It returns the
// state, whether to carry it, why not, and a crash error when the
// instance died (it is gone then).
func (r *Reloader) saveState(ctx context.Context) (state []byte, carry bool, note string, err error) {
	a := r.app
	c, err := a.Call(ctx, abi.EventSaveState, nil)
	var crash *CrashError
	switch {
	case errors.As(err, &crash):
		return nil, false, "save_state crashed: " + crash.Reason, err
	case err != nil:
		return nil, false, "save_state failed: " + c.Message, nil
	case c.Status == abi.StatusUnhandled:
		return nil, false, "the old version does not handle save_state", nil
	}
	if len(c.Reply) == 0 {
		return nil, false, "save_state answered ok with no state (an event_reply of the state field)", nil
	}
	var m msg.SavedState
	if err := m.Decode(c.Reply); err != nil {
		return nil, false, "save_state's reply does not decode: " + err.Error(), nil
	}
	if max := a.Env.Rules.Profile().SavedStateBytes; len(m.State) > max {
		return m.State, false, fmt.Sprintf("the saved state is %d bytes, over saved_state_bytes=%d; raise it with --set saved_state_bytes=%d", len(m.State), max, len(m.State)), nil
	}
	return m.State, true, "", nil
}

// instantiate starts a new instance of the (new) module for a reload. A
// crash is recorded as a crash at start and leaves the app not running.
func (r *Reloader) instantiate(ctx context.Context) error {
	a := r.app
	l := &a.Life
	var err error
	a.guestRuns(func() { err = a.Guest.Instantiate(ctx, l.launches, a.Env.Rules.Profile().LaunchTime.D()) })
	if err == nil {
		return nil
	}
	var gc *guest.Crash
	if !errors.As(err, &gc) {
		l.Kill(ctx)
		return err
	}
	a.Crashes.n++
	reason := a.Crashes.reason(0, gc)
	a.record(&Call{App: a.ID, Time: a.Env.Clock.Now(), Crash: reason, Termination: gc.Termination, Fuel: gc.Fuel})
	l.Kill(ctx)
	return &CrashError{App: a.ID, Termination: gc.Termination, Reason: reason, Fuel: gc.Fuel}
}

// relaunch brings a new instance, started but not launched, to state s
// through the calls of a cold launch into it: did_finish_launching, then
// will_enter_foreground for inactive, and did_become_active for active;
// did_finish_launching in the background for background and suspended
// (the app is then suspended again, with no call, as a suspension makes
// none). It counts as a launch. The life-cycle timer armed before (the
// frontmost timeout, the suspension) is kept, since the app ends in the
// state it was armed for.
func (r *Reloader) relaunch(ctx context.Context, s abi.State) error {
	l := &r.app.Life
	l.launches++
	l.cold = true
	l.app.Log.Info().Uint64("launch", l.launches).Str("to", s.String()).Msg("cold launch after a reload")
	switch s {
	case abi.StateActive:
		return l.Sequence(ctx, StepLaunch, StepForeground, StepActive)
	case abi.StateInactive:
		return l.Sequence(ctx, StepLaunch, StepForeground)
	case abi.StateSuspended:
		err := l.Sequence(ctx, Step{abi.EventDidFinishLaunching, abi.StateBackground})
		if l.state == abi.StateBackground {
			l.setState(abi.StateSuspended)
		}
		return err
	}
	return l.Sequence(ctx, Step{abi.EventDidFinishLaunching, abi.StateBackground})
}
