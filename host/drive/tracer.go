package drive

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/watchbox/watchbox/abi"
	"github.com/watchbox/watchbox/host"
	"github.com/watchbox/watchbox/host/trace"
)

// Tracer writes a run's timeline as Chrome trace-event JSON (host/trace),
// for ui.perfetto.dev or chrome://tracing: a process per app, with
//
//   - its guest calls as complete spans on the "calls" thread, carrying
//     their fuel, status and crash;
//   - its life-cycle states as complete spans on the "life cycle" thread;
//   - its background tasks as async spans (category "task"), from the
//     background_tasks call that delivered them to their completion, the
//     system's or their kill;
//   - its pending local notifications as async spans (category
//     "notification"), from their scheduling to their delivery,
//     cancellation or replacement, and its background sessions (category
//     "session": workout, location, audio, extended runtime) while they
//     keep the app running;
//   - every decision as an instant event named after its rule, carrying
//     the verdict, the reason and the numbers;
//   - counters: "fuel per call", and "KIND budget left" (limit minus
//     used) at each decision of a budget rule (refresh, snapshot,
//     background push, complication push, complication transfer, and one
//     "bluetooth budget left" for the alerts and scans that share it, back
//     at its limit when opening the app resets it).
//
// Its Call, Decision and Span methods are host.Config's OnCall, OnDecision
// and OnSpan, Logs takes the runtime's log for the state changes, and
// Reload takes `watchbox dev`'s reloads. Events are
// flushed as they come, so the file of a run that died loads up to its
// last event (the format lets the closing bracket be missing). Its
// methods are safe for concurrent use.
type Tracer struct {
	mu     sync.Mutex
	w      *trace.Writer
	now    func() time.Time
	states map[string]tracedState // by app
	order  []string               // apps in order of their first state
	lastBG map[string]time.Time   // the start of each app's last background_tasks call
	// ended are the tasks whose end was decided but not yet traced, by
	// app: a task that ends inside the call that delivered it is decided
	// before that call is reported, so its span waits for the app's next
	// call (or Close) to know where it began.
	ended map[string][]tracedEnd
	// reloads counts the reloads traced, for their async ids.
	reloads int
	// open are the notification and session spans begun and not ended,
	// by app, then by CAT/ID: their names, so that Close ends them.
	open map[string]map[string]string
}

type tracedEnd struct {
	kind, id, rule string
	at             time.Time
}

type tracedState struct {
	state abi.State
	since time.Time
}

// NewTracer starts a trace on w whose times count from origin (the run's
// start); now is the runtime's clock, for the state changes.
func NewTracer(w io.Writer, origin time.Time, now func() time.Time) *Tracer {
	return &Tracer{w: trace.New(w, origin), now: now, states: map[string]tracedState{}, lastBG: map[string]time.Time{}, ended: map[string][]tracedEnd{},
		open: map[string]map[string]string{}}
}

// Call records a guest call; it is a host.Config.OnCall.
func (t *Tracer) Call(c host.Call) {
	t.mu.Lock()
	defer t.mu.Unlock()
	status := c.Status.String()
	args := map[string]any{"fuel": c.Fuel, "state": c.State.String(), "id": c.ID}
	if c.Message != "" {
		args["message"] = c.Message
	}
	if c.Where != "" {
		args["where"] = c.Where
	}
	if c.Crash != "" {
		status = "crash"
		args["crash"], args["termination"] = c.Crash, string(c.Termination)
	}
	args["status"] = status
	t.w.Span(c.App, c.EventName(), "call", c.Time, c.Duration, args)
	t.w.Counter(c.App, "fuel per call", c.Time, float64(c.Fuel))
	if c.Event == abi.EventBackgroundTasks && c.Termination != host.TerminationTaskDeadline {
		t.lastBG[c.App] = c.Time
	}
	t.tasks(c.App)
	t.w.Flush()
}

// Decision records a decision of the system; it is a
// host.Config.OnDecision.
func (t *Tracer) Decision(d host.Decision) {
	t.mu.Lock()
	defer t.mu.Unlock()
	args := map[string]any{"rule": d.Rule, "verdict": d.Verdict, "kind": d.Kind, "reason": d.Reason}
	if !d.At.IsZero() {
		args["at"] = d.At.UTC().Format(time.RFC3339Nano)
	}
	for k, v := range d.Numbers {
		args[k] = v
	}
	t.w.Instant(d.App, d.Rule, "decision", d.Time, args)
	if limit, ok := d.Numbers["limit"]; ok {
		if used, ok := d.Numbers["used"]; ok {
			t.w.Counter(d.App, budgetTrack(d.Kind), d.Time, float64(limit-used))
		} else if d.Verdict == "reset" {
			t.w.Counter(d.App, budgetTrack(d.Kind), d.Time, float64(limit))
		}
	}
	if d.Kind == "task" && d.Rule != "trigger" && d.Rule != "task.expire_forced" {
		if m := taskReason.FindStringSubmatch(d.Reason); m != nil {
			t.ended[d.App] = append(t.ended[d.App], tracedEnd{m[1], m[2], d.Rule, d.Time})
		}
	}
	t.w.Flush()
}

// Reload records a reload of app by `watchbox dev` that ended now and
// took took (build, compile, the wait for the app's call path and the
// swap): an async span named "reload" (category "reload", id "reload N"
// for the app's Nth reload attempt) over that time, with args (version,
// hash, what changed, the parts' times, whether the state was carried,
// the manifest keys applied). A reload with err set is the same span with
// its "error": named "reload failed" when the old version keeps running,
// and still "reload" when args' "swapped" is true (the new version is in
// place, but a call of the swap failed).
func (t *Tracer) Reload(app string, took time.Duration, args map[string]any, err error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	end := t.now()
	t.reloads++
	id := fmt.Sprintf("reload %d", t.reloads)
	name := "reload"
	if err != nil {
		if swapped, _ := args["swapped"].(bool); !swapped {
			name = "reload failed"
		}
		args["error"] = err.Error()
	}
	t.w.Begin(app, name, "reload", id, end.Add(-took), nil)
	t.w.End(app, name, "reload", id, end, args)
	t.w.Flush()
}

// budgetTrack names the counter track of the budget of decisions of kind:
// Bluetooth alerts and scans share one.
func budgetTrack(kind string) string {
	if strings.HasPrefix(kind, "bluetooth") {
		kind = "bluetooth"
	}
	return strings.ReplaceAll(kind, "_", " ") + " budget left"
}

// Span records the start or the end of a pending notification or a
// session as an async span; it is a host.Config.OnSpan. An end whose
// start the trace did not see (a notification restored from saved state
// and delivered) is left out.
func (t *Tracer) Span(s host.Span) {
	t.mu.Lock()
	defer t.mu.Unlock()
	key := s.Cat + "/" + s.ID
	open := t.open[s.App]
	if !s.End {
		if open == nil {
			open = map[string]string{}
			t.open[s.App] = open
		}
		if name, ok := open[key]; ok { // begun twice: the first ends now
			t.w.End(s.App, name, s.Cat, s.ID, s.Time, map[string]any{"ended": "begun again"})
		}
		open[key] = s.Name
		t.w.Begin(s.App, s.Name, s.Cat, s.ID, s.Time, map[string]any{"id": s.ID})
	} else if name, ok := open[key]; ok {
		delete(open, key)
		t.w.End(s.App, name, s.Cat, s.ID, s.Time, map[string]any{"ended": s.Why})
	}
	t.w.Flush()
}

// tasks traces app's ended tasks, each from the start of the app's last
// background_tasks call before its end. The caller holds t.mu.
func (t *Tracer) tasks(app string) {
	for _, e := range t.ended[app] {
		start, ok := t.lastBG[app]
		if !ok || start.After(e.at) {
			start = e.at
		}
		name := e.kind + " task " + e.id
		t.w.Begin(app, name, "task", e.id, start, map[string]any{"kind": e.kind, "id": e.id})
		t.w.End(app, name, "task", e.id, e.at, map[string]any{"rule": e.rule})
	}
	delete(t.ended, app)
}

// state records that app entered st at at.
func (t *Tracer) state(app string, st abi.State, at time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	prev, ok := t.states[app]
	if ok {
		if prev.state == st {
			return
		}
		t.w.State(app, prev.state.String(), prev.since, at.Sub(prev.since))
		t.w.Flush()
	} else {
		t.order = append(t.order, app)
	}
	t.states[app] = tracedState{st, at}
}

// Close ends each app's last state at end, and the trace. It does not
// close the writer the trace went to.
func (t *Tracer) Close(end time.Time) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	apps := append([]string(nil), t.order...)
	for app := range t.open {
		if _, ok := t.states[app]; !ok {
			apps = append(apps, app)
		}
	}
	sort.Strings(apps[len(t.order):])
	for _, app := range apps {
		t.tasks(app)
		keys := make([]string, 0, len(t.open[app]))
		for k := range t.open[app] {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			cat, id, _ := strings.Cut(k, "/")
			t.w.End(app, t.open[app][k], cat, id, end, map[string]any{"ended": "still open when the run ended"})
		}
		delete(t.open, app)
		st, ok := t.states[app]
		if !ok {
			continue
		}
		if end.After(st.since) {
			t.w.State(app, st.state.String(), st.since, end.Sub(st.since))
		}
	}
	return t.w.Close()
}

// Logs returns a writer for the runtime's zerolog logger (at info level or
// below) that takes the state changes it logs: a suspension or a purge
// makes no call.
func (t *Tracer) Logs() io.Writer { return traceLogs{t} }

type traceLogs struct{ t *Tracer }

// Write takes one zerolog record.
func (l traceLogs) Write(p []byte) (int, error) {
	var rec struct {
		App     string `json:"app"`
		To      string `json:"to"`
		Message string `json:"message"`
	}
	if json.Unmarshal(p, &rec) != nil || rec.App == "" {
		return len(p), nil
	}
	if rec.Message == "purged" {
		l.t.state(rec.App, abi.StateNotRunning, l.t.now())
		return len(p), nil
	}
	if rec.Message != "state" {
		return len(p), nil
	}
	for _, st := range []abi.State{abi.StateNotRunning, abi.StateInactive, abi.StateActive, abi.StateBackground, abi.StateSuspended} {
		if st.String() == rec.To {
			l.t.state(rec.App, st, l.t.now())
		}
	}
	return len(p), nil
}
