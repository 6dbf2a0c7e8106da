package system

import (
	"context"
	"fmt"
	"time"

	"github.com/watchbox/watchbox/abi"
	"github.com/watchbox/watchbox/host/internal/guest"
	"github.com/watchbox/watchbox/host/internal/policy"
	"github.com/watchbox/watchbox/host/profile"
)

// Crashes are an app's record of how its instances died: how many times,
// the last call one died in, and why, in words that name the budget that
// ran out and what to do. The system's own kills (a background task still
// open at its deadline, the background CPU limit) are recorded here as
// crashes too, as watchOS reports them.
type Crashes struct {
	app *App
	n   int
	// last is the record of the last call the instance died in.
	last *Call
}

// Last returns the record of the last call the app crashed in, or nil if
// it never crashed.
func (cs *Crashes) Last() *Call {
	if cs.last == nil {
		return nil
	}
	c := *cs.last
	return &c
}

// MissedDeadline kills the running instance because a background task was
// still open at its deadline, and records it as a crash of a call of kind
// (watchOS's 0x2182bad2).
func (cs *Crashes) MissedDeadline(now time.Time, kind abi.EventKind, reason string) {
	cs.terminated(now, kind, reason, guest.TerminationTaskDeadline)
	cs.app.Life.Kill(context.Background())
}

// overCPU kills the running instance because the app went over the
// background CPU limit while a session held it (decision d), and records
// it as a crash of the last background call with the CPU termination
// reason: watchOS terminates such an app rather than suspending it.
func (cs *Crashes) overCPU(d policy.Decision) {
	a := cs.app
	if cs.terminated(a.Env.Clock.Now(), a.CPU.last, d.Reason+" ["+d.Rule+"]", guest.TerminationCPU) {
		a.Life.Kill(context.Background())
	}
}

// terminated records the system's kill of the running instance, if there
// is one, as a crash of a call of kind ended by term, and reports whether
// there was. The caller kills the instance.
func (cs *Crashes) terminated(now time.Time, kind abi.EventKind, reason string, term guest.Termination) bool {
	a := cs.app
	if !a.Guest.Running() {
		return false
	}
	cs.n++
	a.record(&Call{App: a.ID, Time: now, Event: kind, Crash: reason, Termination: term, State: abi.StateNotRunning})
	return true
}

// budgetOf returns the profile key of the time budget of a call of kind
// (kind 0 is _initialize) and its value in p.
func budgetOf(p *profile.Profile, kind abi.EventKind) (string, time.Duration) {
	switch kind {
	case 0, abi.EventDidFinishLaunching:
		return "launch_time", p.LaunchTime.D()
	case abi.EventWillEnterForeground, abi.EventDidBecomeActive, abi.EventWillResignActive, abi.EventDidEnterBackground:
		return "lifecycle_time", p.LifecycleTime.D()
	case abi.EventBackgroundTasks:
		return "task_time", p.TaskTime.D()
	case abi.EventRemoteNotification:
		return "push_run_time", p.PushRunTime.D()
	}
	return "event_time", p.EventTime.D()
}

// reason explains a crash of a call of kind (0: _initialize): for a
// spent CPU or wall-time budget, which profile key set it, its value, the
// fuel used and what to do; for any other crash, the guest's reason.
func (cs *Crashes) reason(kind abi.EventKind, c *guest.Crash) string {
	a := cs.app
	if c.HostCalls {
		n := a.Env.Rules.Profile().HostCallsPerCall
		return fmt.Sprintf("%s; raise it with --set host_calls_per_call=%d, or make fewer host calls in one event (a loop of requests or reads)", c.Reason, 2*n)
	}
	if c.Termination != guest.TerminationCPU && c.Termination != guest.TerminationWall {
		return cs.fatalReason(c)
	}
	key, d := budgetOf(a.Env.Rules.Profile(), kind)
	call := "_initialize"
	if kind != 0 {
		call = kind.String()
	}
	fuel := a.Env.Rules.Profile().Fuel(d)
	what := fmt.Sprintf("%s used its whole CPU budget, %s=%v (%d fuel; it used %d)", call, key, d, fuel, c.Fuel)
	if c.Termination == guest.TerminationWall {
		what = fmt.Sprintf("%s ran past its wall-clock deadline, %s=%v (it used %d of %d fuel)", call, key, d, c.Fuel, fuel)
	}
	instead := "move the work to a background task"
	if kind == abi.EventBackgroundTasks {
		instead = "split the work across several background tasks"
	}
	return fmt.Sprintf("%s; raise it with --set %s=%v, or %s", what, key, 2*d, instead)
}

// fatalReason explains a crash the Go runtime reported on stderr: what
// happened, in one line, and what to do. Other crashes keep the guest's
// reason.
func (cs *Crashes) fatalReason(c *guest.Crash) string {
	limit := fmt.Sprintf("memoryLimit=%s (watchapp.json)", cs.app.Manifest.MemoryLimit)
	switch c.Termination {
	case guest.TerminationOutOfMemory:
		return fmt.Sprintf("%s: the Go heap outgrew %s; raise memoryLimit, or keep less in memory at once", c.Reason, limit)
	case guest.TerminationStackOverflow:
		return fmt.Sprintf("%s: a goroutine's stack kept growing (under %s), which is almost always unbounded recursion; make the recursion end, or turn it into a loop", c.Reason, limit)
	case guest.TerminationDeadlock:
		return c.Reason + ": the handler waited on a channel, lock or WaitGroup that no goroutine will ever release; a handler must return without waiting for work that only runs after it"
	case guest.TerminationGoFatal:
		return c.Reason + ": the Go runtime stopped the app; --verbose shows the goroutines' stacks"
	case guest.TerminationGoPanic:
		return c.Reason + ": a goroutine the app started panicked, and the SDK recovers panics in handlers only; recover in that goroutine"
	}
	return c.Reason
}
