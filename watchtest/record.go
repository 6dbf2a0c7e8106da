package watchtest

import (
	"github.com/watchbox/watchbox/host"
	"github.com/watchbox/watchbox/host/drive"
)

// Record is what happened in an App's run so far, in order: the calls
// into the app, the system's decisions, the background tasks, the app's
// log lines and the timeline. Get it with App.Record; it reads the run
// as it is when a method is called.
type Record struct{ a *App }

// Record returns the record of the app's run.
func (a *App) Record() Record { return Record{a} }

// Calls returns every call into the app so far, in order.
func (r Record) Calls() []host.Call { return r.a.sim.Record.Calls() }

// Decisions returns every decision the system made so far, in order.
func (r Record) Decisions() []host.Decision { return r.a.sim.Record.Decisions() }

// Tasks returns the background tasks delivered so far that have ended.
func (r Record) Tasks() []drive.Task { return r.a.sim.Record.Tasks() }

// Logs returns the lines the app logged so far (and wrote to stdout and
// stderr), without their time and level.
func (r Record) Logs() []string {
	r.a.mu.Lock()
	defer r.a.mu.Unlock()
	return append([]string(nil), r.a.logs...)
}

// Timeline returns the run's timeline so far.
func (r Record) Timeline() string {
	r.a.sim.Timeline.Flush()
	r.a.mu.Lock()
	defer r.a.mu.Unlock()
	return r.a.out.String()
}
