package drive

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
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
	// pending are the text lines not yet printed: decisions and log
	// lines wait for the call they may belong to, whose line is printed
	// before them (it started first), so that a call's lines are in time
	// order. Actions, calls and the end of the run print them.
	pending []pendingLine
	day     string // the date of the last line printed, "" before any
	crossed bool   // the lines printed were on more than one day
}

// pendingLine is a text line waiting to be printed.
type pendingLine struct {
	t    time.Time
	app  string
	text string // without its time and app
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

// line queues a text line at t for app. The caller holds tl.mu.
func (tl *Timeline) line(t time.Time, app, format string, args ...any) {
	tl.pending = append(tl.pending, pendingLine{t, app, fmt.Sprintf(format, args...)})
}

// callLine queues the line of a call that started at t before the lines
// of its app queued since it started, so that they follow it, and puts
// the queued lines in time order. The caller holds tl.mu.
func (tl *Timeline) callLine(t time.Time, app, text string) {
	i := len(tl.pending)
	for j, l := range tl.pending {
		if l.app == app && !l.t.Before(t) {
			i = j
			break
		}
	}
	tl.pending = append(tl.pending[:i], append([]pendingLine{{t, app, text}}, tl.pending[i:]...)...)
	slices.SortStableFunc(tl.pending, func(a, b pendingLine) int { return a.t.Compare(b.t) })
}

// flush prints the queued lines, each day's first after a line with its
// date when the run has crossed midnight. The caller holds tl.mu.
func (tl *Timeline) flush() {
	for _, l := range tl.pending {
		day := l.t.UTC().Format("2006-01-02")
		if tl.day != "" && day != tl.day {
			fmt.Fprintf(tl.w, "── %s ──\n", day)
			tl.crossed = true
		}
		tl.day = day
		fmt.Fprintf(tl.w, "%s  %-24s %s\n", stamp(l.t), l.app, l.text)
	}
	tl.pending = tl.pending[:0]
}

// Flush prints the lines the timeline still holds (it holds decisions and
// log lines until the call they may belong to returns). Summary, Why and
// Expectations flush first; call it when a run ends without them.
func (tl *Timeline) Flush() {
	tl.mu.Lock()
	defer tl.mu.Unlock()
	tl.flush()
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
	if a.Kind == PhoneLink {
		what = string(Phone) // "phone reachable off", as a scenario writes it
	}
	if a.Kind == Note {
		what = a.Detail()
	} else if d := a.Detail(); d != "" {
		what += " " + d
	}
	tl.flush()
	tl.line(t, app, "> %s", what)
	tl.flush()
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
	text := fmt.Sprintf("%-24s %-10s %-10s %9d fuel%s", c.EventName(), status, c.State, c.Fuel, extra)
	if tl.verbose && c.Stack != "" {
		text += "\n" + strings.TrimRight(IndentStack(c.Stack), "\n")
	}
	tl.callLine(c.Time, c.App, text)
	tl.flush()
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

// whyWords are the words --why-verdict takes, and the verdicts they mean.
var whyWords = map[string]string{
	"delayed": "delay", "dropped": "drop", "throttled": "throttle", "replaced": "replaced", "killed": "kill", "expired": "expire",
	"delay": "delay", "drop": "drop", "throttle": "throttle", "kill": "kill", "expire": "expire",
}

// informational are the rules whose held-back decisions are the system's
// routine bookkeeping, not a request the app lost: a snapshot merged into
// the pending one, a return-to-default snapshot the app made unneeded, a
// pending snapshot replaced by the app's own completion snapshot. --why
// leaves them out unless a verdict filter asks for them.
var informational = map[string]bool{
	"snapshot.coalesced": true, "snapshot.default_restored": true, "snapshot.completion_replaces": true,
}

// WhyFilter selects the decisions Why lists: by default every held-back
// decision but the informational ones (Verdicts nil); with Verdicts, those
// of the verdicts named, informational ones included.
type WhyFilter struct {
	Verdicts map[string]bool // by verdict ("delay", "drop", ...); nil: every held-back verdict
}

// ParseWhyFilter reads a comma-separated list of verdicts ("delayed,
// killed"; "all" for every held-back decision, informational ones
// included). An empty list is the default filter.
func ParseWhyFilter(list string) (WhyFilter, error) {
	var f WhyFilter
	if strings.TrimSpace(list) == "" {
		return f, nil
	}
	f.Verdicts = map[string]bool{}
	for _, w := range strings.Split(list, ",") {
		w = strings.ToLower(strings.TrimSpace(w))
		if w == "all" {
			for v := range heldBack {
				f.Verdicts[v] = true
			}
			continue
		}
		v, ok := whyWords[w]
		if !ok {
			return WhyFilter{}, fmt.Errorf("unknown verdict %q%s; use delayed, dropped, throttled, replaced, killed, expired or all, separated by commas",
				w, DidYouMean(w, []string{"delayed", "dropped", "throttled", "replaced", "killed", "expired", "all"}))
		}
		f.Verdicts[v] = true
	}
	return f, nil
}

// Shows reports whether the filter lists d.
func (f WhyFilter) Shows(d host.Decision) bool {
	if f.Verdicts != nil {
		return f.Verdicts[d.Verdict]
	}
	return heldBack[d.Verdict] && !informational[d.Rule]
}

// Why prints the decisions of ds that held something back for app
// (delayed, dropped, throttled, replaced, killed or expired) and that f
// shows, or a line that says there were none; the text form ends with how
// many informational decisions the default filter left out.
func (tl *Timeline) Why(app string, ds []host.Decision, f WhyFilter) {
	tl.mu.Lock()
	defer tl.mu.Unlock()
	tl.flush()
	n, hidden := 0, 0
	for _, d := range ds {
		if !f.Shows(d) {
			if f.Verdicts == nil && heldBack[d.Verdict] {
				hidden++
			}
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
		fmt.Fprintf(tl.w, "%s  %-24s %s: %s [%s]\n", tl.whyStamp(d.Time), d.App, d.Verdict, d.Reason, d.Rule)
	}
	if tl.json {
		return
	}
	if n == 0 {
		if f.Verdicts != nil {
			fmt.Fprintf(tl.w, "why: no decision of those verdicts for %s\n", app)
		} else {
			fmt.Fprintf(tl.w, "why: the system held nothing back for %s: every request ran when asked\n", app)
		}
	}
	if hidden > 0 {
		fmt.Fprintf(tl.w, "why: %d informational decision(s) left out (snapshots merged or replaced, default state restored); --why-verdict all shows them\n", hidden)
	}
}

// whyStamp is t's time of day, after its date when the timeline showed
// more than one day. The caller holds tl.mu.
func (tl *Timeline) whyStamp(t time.Time) string {
	if tl.crossed {
		return t.UTC().Format("2006-01-02 ") + stamp(t)
	}
	return stamp(t)
}

// Summary prints the last line of a run of apps from start to end.
func (tl *Timeline) Summary(start, end time.Time, apps int, interrupted bool) {
	tl.mu.Lock()
	defer tl.mu.Unlock()
	tl.flush()
	if tl.json {
		tl.writeJSON(map[string]any{"type": "summary", "start": start.UTC(), "end": end.UTC(), "failures": tl.failures, "interrupted": interrupted})
		return
	}
	e := stamp(end)
	if y, m, d := end.UTC().Date(); y != start.UTC().Year() || m != start.UTC().Month() || d != start.UTC().Day() {
		e = end.UTC().Format("2006-01-02 ") + e
	}
	how := ""
	if interrupted {
		how = " (interrupted: the rest of the scenario did not run)"
	}
	fmt.Fprintf(tl.w, "simulated %s to %s%s: %d app(s), %d failed call(s)\n", stamp(start), e, how, apps, tl.failures)
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
	tl.flush()
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
