package drive

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/watchbox/watchbox/host"
)

// Timeline prints what happened in a run, in order, with the runtime's
// times: the actions applied, every call with its fuel, every decision of
// the system with its rule, the apps' log lines and the driver's own notes.
// With JSON it prints one JSON object a line instead. A virtual run's
// timeline holds only virtual times, fuel and the guests' own words, so
// the same actions and app binaries print the same bytes every run, which
// makes it a trace to compare. Its methods are safe for concurrent use.
type Timeline struct {
	mu       sync.Mutex
	w        io.Writer
	json     bool
	verbose  bool
	calls    int
	failures int
}

// NewTimeline returns a timeline that prints to w, as text or, with
// asJSON, as JSON lines.
func NewTimeline(w io.Writer, asJSON bool) *Timeline {
	return &Timeline{w: w, json: asJSON}
}

// SetVerbose makes the timeline print the whole stack trace a failed
// handler sent (a recovered panic's), under its call; without it a call
// shows only the first frame in the app's own code.
func (tl *Timeline) SetVerbose(on bool) {
	tl.mu.Lock()
	tl.verbose = on
	tl.mu.Unlock()
}

// Calls returns how many calls into guests the timeline printed.
func (tl *Timeline) Calls() int {
	tl.mu.Lock()
	defer tl.mu.Unlock()
	return tl.calls
}

// Failures returns how many of those calls failed (a crash or a handler
// that returned an error).
func (tl *Timeline) Failures() int {
	tl.mu.Lock()
	defer tl.mu.Unlock()
	return tl.failures
}

func stamp(t time.Time) string { return t.UTC().Format("15:04:05.000") }

func (tl *Timeline) line(t time.Time, app, format string, args ...any) {
	fmt.Fprintf(tl.w, "%s  %-24s %s\n", stamp(t), app, fmt.Sprintf(format, args...))
}

func (tl *Timeline) writeJSON(v any) {
	b, err := json.Marshal(v)
	if err != nil {
		b, _ = json.Marshal(map[string]string{"error": err.Error()})
	}
	tl.w.Write(append(b, '\n'))
}

// Action prints an action as it is applied, at t, to the app with bundle
// id app ("" for none): "> trigger snapshot prelaunch".
func (tl *Timeline) Action(t time.Time, a Action, app string) {
	tl.mu.Lock()
	defer tl.mu.Unlock()
	if tl.json {
		tl.writeJSON(map[string]any{"type": "step", "time": t.UTC(), "app": app, "verb": a.Kind, "line": a.Line, "text": a.Text})
		return
	}
	what := string(a.Kind)
	if a.Kind == Note {
		what = a.Detail()
	} else if d := a.Detail(); d != "" {
		what += " " + d
	}
	tl.line(t, app, "> %s", what)
}

// Call prints a call into a guest; it is a host.Config.OnCall.
func (tl *Timeline) Call(c host.Call) {
	tl.mu.Lock()
	defer tl.mu.Unlock()
	tl.calls++
	status := c.Status.String()
	if c.Crash != "" || c.Message != "" {
		tl.failures++
	}
	if c.Crash != "" {
		status = "crash"
	}
	if tl.json {
		rec := map[string]any{"type": "call", "time": c.Time.UTC(), "app": c.App, "event": c.EventName(),
			"status": status, "message": c.Message, "crash": c.Crash, "termination": c.Termination,
			"state": c.State.String(), "fuel": c.Fuel, "duration_ns": c.Duration.Nanoseconds()}
		if c.Where != "" {
			rec["where"] = c.Where
		}
		if tl.verbose && c.Stack != "" {
			rec["stack"] = c.Stack
		}
		tl.writeJSON(rec)
		return
	}
	extra := ""
	switch {
	case c.Crash != "":
		extra = fmt.Sprintf("  %s: %s", c.Termination, c.Crash)
		if c.Where != "" {
			extra += " (at " + c.Where + ")"
		}
	case c.Message != "":
		extra = "  " + c.Message
		if c.Where != "" {
			extra += " (at " + c.Where + ")"
		}
	}
	tl.line(c.Time, c.App, "%-24s %-10s %-10s %9d fuel%s", c.EventName(), status, c.State, c.Fuel, extra)
	if tl.verbose && c.Stack != "" {
		tl.w.Write([]byte(IndentStack(c.Stack)))
	}
}

// IndentStack returns a stack trace a guest sent, each line indented by
// four spaces and ending in a newline, to print under its call.
func IndentStack(stack string) string {
	var b strings.Builder
	for _, l := range strings.Split(strings.TrimRight(stack, "\n"), "\n") {
		b.WriteString("    " + l + "\n")
	}
	return b.String()
}

// Decision prints a decision of the system; it is a host.Config.OnDecision.
func (tl *Timeline) Decision(d host.Decision) {
	tl.mu.Lock()
	defer tl.mu.Unlock()
	if tl.json {
		tl.writeJSON(map[string]any{"type": "decision", "decision": d})
		return
	}
	tl.line(d.Time, d.App, "system: %s [%s]", d.Reason, d.Rule)
}

// Note prints a remark of the driver's own, such as a tap on nothing.
func (tl *Timeline) Note(t time.Time, app, msg string) {
	tl.mu.Lock()
	defer tl.mu.Unlock()
	if tl.json {
		tl.writeJSON(map[string]any{"type": "note", "time": t.UTC(), "app": app, "message": msg})
		return
	}
	tl.line(t, app, "note: %s", msg)
}

// Log prints a line an app logged at level (debug, info, warn or error),
// or wrote to stdout or stderr.
func (tl *Timeline) Log(t time.Time, app, level, msg string) {
	tl.mu.Lock()
	defer tl.mu.Unlock()
	if tl.json {
		tl.writeJSON(map[string]any{"type": "log", "time": t.UTC(), "app": app, "level": level, "message": msg})
		return
	}
	if level == "warn" || level == "error" {
		tl.line(t, app, "%s: %s", level, msg)
		return
	}
	tl.line(t, app, "log: %s", msg)
}

// heldBack are the verdicts that answer "why did my task not run".
var heldBack = map[string]bool{"delay": true, "drop": true, "throttle": true, "replaced": true, "kill": true, "expire": true}

// Why prints the decisions of ds that held something back for app
// (delayed, dropped, throttled, replaced, killed or expired), or a line
// that says there were none.
func (tl *Timeline) Why(app string, ds []host.Decision) {
	tl.mu.Lock()
	defer tl.mu.Unlock()
	n := 0
	for _, d := range ds {
		if !heldBack[d.Verdict] {
			continue
		}
		n++
		if tl.json {
			tl.writeJSON(map[string]any{"type": "why", "decision": d})
			continue
		}
		if n == 1 {
			fmt.Fprintf(tl.w, "why: what the system held back for %s\n", app)
		}
		tl.line(d.Time, d.App, "%s: %s [%s]", d.Verdict, d.Reason, d.Rule)
	}
	if n == 0 && !tl.json {
		fmt.Fprintf(tl.w, "why: the system held nothing back for %s: every request ran when asked\n", app)
	}
}

// Summary prints the last line of a run of apps from start to end.
func (tl *Timeline) Summary(start, end time.Time, apps int, interrupted bool) {
	tl.mu.Lock()
	defer tl.mu.Unlock()
	if tl.json {
		tl.writeJSON(map[string]any{"type": "summary", "start": start.UTC(), "end": end.UTC(), "failures": tl.failures, "interrupted": interrupted})
		return
	}
	e := stamp(end)
	if y, m, d := end.UTC().Date(); y != start.UTC().Year() || m != start.UTC().Month() || d != start.UTC().Day() {
		e = end.UTC().Format("2006-01-02 ") + e
	}
	fmt.Fprintf(tl.w, "simulated %s to %s: %d app(s), %d failed call(s)\n", stamp(start), e, apps, tl.failures)
}

// GuestLogs returns a writer for a zerolog logger (host.Config.Logger)
// that turns the runtime's log records from guests (their log calls and
// stdout/stderr) into timeline lines at now's time; the runtime's own
// records are left out, since the timeline already has its calls and
// decisions.
func (tl *Timeline) GuestLogs(now func() time.Time) io.Writer {
	return guestLogs{tl, now}
}

type guestLogs struct {
	tl  *Timeline
	now func() time.Time
}

// Write takes one zerolog record.
func (g guestLogs) Write(p []byte) (int, error) {
	var rec struct {
		Level   string `json:"level"`
		App     string `json:"app"`
		Source  string `json:"source"`
		Message string `json:"message"`
	}
	if json.Unmarshal(p, &rec) == nil && rec.Source != "" {
		g.tl.Log(g.now(), rec.App, rec.Level, rec.Message)
	}
	return len(p), nil
}

// Expectations prints the outcome of a scenario's expectations, from the
// scenario file file: as JSON, one expectation record each; as text,
// nothing when all passed (a timeline that meets its expectations reads
// the same as one without), else a block with each failure, what was
// expected and what happened nearby. It returns how many failed.
func (tl *Timeline) Expectations(file string, outcomes []Outcome) int {
	tl.mu.Lock()
	defer tl.mu.Unlock()
	failed := 0
	for _, o := range outcomes {
		if !o.Pass {
			failed++
		}
	}
	if tl.json {
		for _, o := range outcomes {
			tl.writeJSON(map[string]any{"type": "expectation", "line": o.Expect.Line, "text": o.Expect.Text,
				"pass": o.Pass, "want": o.Want, "got": o.Got})
		}
		return failed
	}
	if failed == 0 {
		return 0
	}
	fmt.Fprintf(tl.w, "expectations: %d of %d failed\n", failed, len(outcomes))
	for _, o := range outcomes {
		if o.Pass {
			continue
		}
		fmt.Fprintf(tl.w, "FAIL %s:%d: %s\n", file, o.Expect.Line, o.Expect.Text)
		fmt.Fprintf(tl.w, "     want: %s\n", o.Want)
		fmt.Fprintf(tl.w, "     got:  %s\n", o.Got)
	}
	return failed
}
