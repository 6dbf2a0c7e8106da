package system

import (
	"cmp"
	"slices"
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
	evs map[string]timer
}

// timer is one armed named timer: its scheduler event, its time, and the
// function it runs (with the lock held).
type timer struct {
	name, label string
	at          time.Time
	ev          *clock.Event
	fn          func()
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
		if cur, ok := ts.evs[name]; !ok || cur.ev != ev {
			return // stopped or replaced while this event waited for the lock
		}
		delete(ts.evs, name)
		if a.Life.closed {
			return
		}
		f()
		a.Store.Save()
	})
	ts.evs[name] = timer{name: name, label: label, at: t, ev: ev, fn: f}
}

// Stop disarms the timer name, if armed, and reports whether it was.
func (ts *Timers) Stop(name string) bool {
	t, ok := ts.evs[name]
	if ok {
		ts.app.Env.Sched.Cancel(t.ev)
		delete(ts.evs, name)
	}
	return ok
}

// Armed reports whether the timer name is armed.
func (ts *Timers) Armed(name string) bool { _, ok := ts.evs[name]; return ok }

// list returns the armed timers in time order.
func (ts *Timers) list() []timer {
	out := make([]timer, 0, len(ts.evs))
	for _, t := range ts.evs {
		out = append(out, t)
	}
	sortTimers(out)
	return out
}

// due returns the armed timers due at or before now, in time order.
func (ts *Timers) due(now time.Time) []timer {
	var out []timer
	for _, t := range ts.list() {
		if !t.at.After(now) {
			out = append(out, t)
		}
	}
	return out
}

// fire runs the timer name now, with the lock held, instead of at its
// time.
func (ts *Timers) fire(name string) {
	t, ok := ts.evs[name]
	if !ok {
		return
	}
	ts.Stop(name)
	t.fn()
}

func (ts *Timers) stopAll() {
	for name := range ts.evs {
		ts.Stop(name)
	}
}

// sortTimers orders ts by time, then by arming order.
func sortTimers(ts []timer) {
	slices.SortFunc(ts, func(x, y timer) int {
		if c := x.at.Compare(y.at); c != 0 {
			return c
		}
		return cmp.Compare(x.ev.Seq(), y.ev.Seq())
	})
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
			// Saved before the delivery starts: a host that dies during
			// it does not deliver it again (watchOS does not redeliver a
			// task whose app died), and the budget stays charged.
			a.Store.Save()
			run(req)
		case policy.Delay, policy.Throttle:
			ts.ArmDue(name, label, d.At, due, run)
		}
	})
}
