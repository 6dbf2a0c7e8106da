package system

import (
	"time"

	"github.com/watchbox/watchbox/host/internal/clock"
	"github.com/watchbox/watchbox/host/internal/policy"
)

// Timers are an app's named system timers: one scheduler event per name
// (the pending refresh, the held push, ...). A timer runs its function
// with the app's lock held, and not at all once the app is closed; the
// core stops them all at shutdown.
type Timers struct {
	app *App
	evs map[string]*clock.Event
}

// Set arms the timer name to run f at t, replacing the one armed under that
// name; label names the event in the scheduler's traces.
func (ts *Timers) Set(name string, t time.Time, label string, f func()) {
	ts.Stop(name)
	a := ts.app
	var ev *clock.Event
	ev = a.Env.Sched.At(t, a.ID+" "+label, func() {
		a.mu.Lock()
		defer a.mu.Unlock()
		if ts.evs[name] == ev {
			delete(ts.evs, name)
		}
		if a.Life.closed {
			return
		}
		f()
	})
	ts.evs[name] = ev
}

// Stop disarms the timer name, if armed, and reports whether it was.
func (ts *Timers) Stop(name string) bool {
	ev, ok := ts.evs[name]
	if ok {
		ts.app.Env.Sched.Cancel(ev)
		delete(ts.evs, name)
	}
	return ok
}

// Armed reports whether the timer name is armed.
func (ts *Timers) Armed(name string) bool { _, ok := ts.evs[name]; return ok }

func (ts *Timers) stopAll() {
	for name := range ts.evs {
		ts.Stop(name)
	}
}

// Due is a policy rule that decides, when a pending request comes due,
// whether it runs now, waits longer, or is dropped.
type Due func(p *policy.Policy, f policy.Facts, now time.Time) (policy.Request, policy.Decision, bool)

// ArmDue sets the timer name to ask due, at t, whether the app's pending
// request runs, and to run it with run (or to wait again until the time
// the rule names). A zero t only disarms. Each kind of pending request
// (refresh, snapshot, held push) has its own name.
func (ts *Timers) ArmDue(name, label string, t time.Time, due Due, run func(policy.Request)) {
	ts.Stop(name)
	if t.IsZero() {
		return
	}
	a := ts.app
	ts.Set(name, t, label, func() {
		now := a.Env.Clock.Now()
		var req policy.Request
		var ok bool
		d := a.Env.Rules.Decide(func(p *policy.Policy) policy.Decision {
			var d policy.Decision
			req, d, ok = due(p, a.Facts(), now)
			return d
		})
		if !ok {
			return
		}
		switch d.Verdict {
		case policy.Run:
			run(req)
		case policy.Delay, policy.Throttle:
			ts.ArmDue(name, label, d.At, due, run)
		}
	})
}
