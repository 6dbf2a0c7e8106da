package drive

import (
	"encoding/json"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/watchbox/watchbox/abi"
	"github.com/watchbox/watchbox/host"
)

// Record keeps what a run did, in order: every call into a guest, every
// decision of the system, every change of an app's life-cycle state, and
// the background tasks delivered. Expectations are checked against it, and
// tests read it. Its methods are safe for concurrent use.
type Record struct {
	mu        sync.Mutex
	calls     []host.Call
	decisions []host.Decision
	states    []StateChange
	ends      []taskEnd
}

// StateChange is an app entering a life-cycle state.
type StateChange struct {
	Time  time.Time // when, on the runtime's clock
	App   string    // bundle id
	State abi.State // the state entered
}

// Task is a background task delivered to an app.
type Task struct {
	Time time.Time    // when the background_tasks call that delivered it started
	App  string       // bundle id
	Kind abi.TaskKind // its kind
	ID   int64        // its identifier, unique in the app
	// End is when it ended, and Rule how: task.completed (by the app),
	// task.unhandled (by the system) or task.deadline (the app was killed).
	End  time.Time
	Rule string
}

type taskEnd struct {
	app  string
	kind abi.TaskKind
	id   int64
	at   time.Time
	rule string
}

// Call records a call; it is a host.Config.OnCall.
func (r *Record) Call(c host.Call) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls = append(r.calls, c)
}

// taskReason matches the reason of a decision that ends a task.
var taskReason = regexp.MustCompile(`^(?:killed: )?([a-z_]+) task ([0-9]+) `)

// Decision records a decision; it is a host.Config.OnDecision.
func (r *Record) Decision(d host.Decision) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.decisions = append(r.decisions, d)
	if d.Kind != "task" || d.Rule == "trigger" || d.Rule == "task.expire_forced" {
		return
	}
	if m := taskReason.FindStringSubmatch(d.Reason); m != nil {
		if kind, err := abi.ParseTaskKind(strings.ReplaceAll(m[1], "_", "-")); err == nil {
			id, _ := strconv.ParseInt(m[2], 10, 64)
			r.ends = append(r.ends, taskEnd{d.App, kind, id, d.Time, d.Rule})
		}
	}
}

// Logs returns a writer for the runtime's zerolog logger (at info level
// or below) that records the state changes it logs, which are all of
// them: a suspension or a purge makes no call. now is the runtime's clock.
func (r *Record) Logs(now func() time.Time) io.Writer { return stateLogs{r, now} }

type stateLogs struct {
	r   *Record
	now func() time.Time
}

// Write takes one zerolog record.
func (s stateLogs) Write(p []byte) (int, error) {
	var rec struct {
		App     string `json:"app"`
		To      string `json:"to"`
		Message string `json:"message"`
	}
	if json.Unmarshal(p, &rec) != nil || rec.App == "" {
		return len(p), nil
	}
	st, ok := abi.StateNotRunning, rec.Message == "purged"
	if rec.Message == "state" {
		for _, cand := range []abi.State{abi.StateNotRunning, abi.StateInactive, abi.StateActive, abi.StateBackground, abi.StateSuspended} {
			if cand.String() == rec.To {
				st, ok = cand, true
			}
		}
	}
	if ok {
		s.r.mu.Lock()
		s.r.states = append(s.r.states, StateChange{s.now(), rec.App, st})
		s.r.mu.Unlock()
	}
	return len(p), nil
}

// Calls returns every call recorded, in order.
func (r *Record) Calls() []host.Call {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.calls)
}

// Decisions returns every decision recorded, in order.
func (r *Record) Decisions() []host.Decision {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.decisions)
}

// States returns every state change recorded, in order.
func (r *Record) States() []StateChange {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := slices.Clone(r.states)
	slices.SortStableFunc(out, func(a, b StateChange) int { return a.Time.Compare(b.Time) })
	return out
}

// StateAt returns app's state at t: the last state it entered at or
// before t (not running before any).
func (r *Record) StateAt(app string, t time.Time) abi.State {
	st := abi.StateNotRunning
	for _, c := range r.States() {
		if c.App == app && !c.Time.After(t) {
			st = c.State
		}
	}
	return st
}

// Tasks returns the background tasks delivered that have ended (completed
// by the app or the system, or killed at their deadline), in order of
// delivery. A task still open when the run ended, or lost with an
// instance that crashed, is not among them.
func (r *Record) Tasks() []Task {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []Task
	for _, e := range r.ends {
		t := Task{App: e.app, Kind: e.kind, ID: e.id, End: e.at, Rule: e.rule, Time: e.at}
		// Delivered by the app's last background_tasks call started by
		// its end (a deadline's kill is recorded as such a call too, but
		// has no duration and comes after the delivery).
		for _, c := range r.calls {
			if c.App == e.app && c.Event == abi.EventBackgroundTasks && c.Termination != host.TerminationTaskDeadline && !c.Time.After(e.at) {
				t.Time = c.Time
			}
		}
		out = append(out, t)
	}
	slices.SortStableFunc(out, func(a, b Task) int { return a.Time.Compare(b.Time) })
	return out
}
