package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/rs/zerolog"
	"github.com/watchbox/watchbox/abi"
	"github.com/watchbox/watchbox/host"
	"github.com/watchbox/watchbox/host/profile"
	"github.com/watchbox/watchbox/host/scenario"
)

// simulateCommand runs a scenario on the virtual clock and prints its
// timeline. The timeline holds only virtual times, fuel and the guests' own
// words, so the same scenario and binaries print the same bytes every run.
func simulateCommand(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlags("simulate", "SCENARIO", stderr)
	asJSON := fs.Bool("json", false, "print the trace as JSON lines: step, call, log and decision objects, then a summary")
	cacheDir := fs.String("cache", "", "cache directory (default: the user cache dir + /watchbox)")
	dataDir := fs.String("data", "", "directory of app data containers (default: a new temporary directory, removed afterwards)")
	why := fs.String("why", "", "after the day, list what the system held back for `APP` (alias or bundle id): every delayed, dropped, throttled, replaced or killed request, with its rule")
	pos, code, ok := parseInterleaved(fs, args)
	if !ok {
		return code
	}
	if len(pos) != 1 {
		fmt.Fprintln(stderr, "watchbox simulate: expected one scenario file, e.g. watchbox simulate tests/scenarios/refresh.scenario (format: docs/scenario.md)")
		return exitUsage
	}
	sc, err := scenario.ParseFile(pos[0], scenario.Options{})
	if err != nil {
		fmt.Fprintf(stderr, "watchbox simulate: %v\n", err)
		return exitUsage
	}
	prof, err := sc.DeviceProfile()
	if err != nil {
		fmt.Fprintf(stderr, "watchbox simulate: %v\n", err)
		return exitUsage
	}
	data := *dataDir
	if data == "" {
		if data, err = os.MkdirTemp("", "watchbox-simulate-"); err != nil {
			fmt.Fprintf(stderr, "watchbox simulate: %v\n", err)
			return exitError
		}
		defer os.RemoveAll(data)
	}

	out := &timeline{w: stdout, json: *asJSON}
	sim, code, err := loadSimulation(ctx, sc, prof, *cacheDir, data, out)
	if err != nil {
		fmt.Fprintf(stderr, "watchbox simulate: %v\n", err)
		return code
	}
	var whyApp *host.App
	if *why != "" {
		if a, ok := sim.apps[*why]; ok { // an alias first, then a bundle id
			whyApp = a
		}
		for _, a := range sc.Apps {
			if whyApp == nil && sim.apps[a.Alias].ID() == *why {
				whyApp = sim.apps[a.Alias]
			}
		}
		if whyApp == nil {
			sim.rt.Close(context.Background())
			var names []string
			for _, a := range sc.Apps {
				names = append(names, a.Alias+" ("+sim.apps[a.Alias].ID()+")")
			}
			fmt.Fprintf(stderr, "watchbox simulate: --why %s: no such app in %s; it has %s\n", *why, pos[0], strings.Join(names, ", "))
			return exitUsage
		}
	}
	err = sim.play(ctx)
	sim.rt.Close(context.Background())
	if err != nil {
		fmt.Fprintf(stderr, "watchbox simulate: %v\n", err)
		return exitError
	}
	out.summary(sc, sim.apps, ctx.Err() != nil)
	if whyApp != nil {
		out.why(whyApp.ID(), whyApp.Why())
	}
	if out.failures > 0 {
		return exitCrash
	}
	return exitOK
}

// simulation is a scenario's apps loaded into a runtime on the virtual
// clock, ready to play.
type simulation struct {
	sc   *scenario.Scenario
	rt   *host.Runtime
	apps map[string]*host.App // by alias
	out  *timeline
	web  *routeTransport
}

// loadSimulation starts a virtual runtime for sc and loads its apps. A
// failure comes with the exit code it deserves.
func loadSimulation(ctx context.Context, sc *scenario.Scenario, prof profile.Profile, cacheDir, dataDir string, out *timeline) (*simulation, int, error) {
	s := &simulation{sc: sc, apps: map[string]*host.App{}, out: out, web: newRouteTransport(sc.Routes)}
	logger := zerolog.New(guestLogs{out: out, now: func() time.Time { return s.rt.Now() }}).Level(zerolog.InfoLevel)
	rt, err := host.New(ctx, host.Config{
		CacheDir: cacheDir, DataDir: dataDir, Logger: &logger, Seed: sc.Seed, Profile: prof,
		Virtual: true, Start: sc.Start, HTTPClient: &http.Client{Transport: s.web}, Latency: s.web.delay,
		OnCall:     out.call,
		OnDecision: out.decision,
	})
	if err != nil {
		return nil, exitError, err
	}
	s.rt = rt
	for _, a := range sc.Apps {
		app, err := rt.Load(ctx, a.Dir)
		if err != nil {
			rt.Close(context.Background())
			code := exitError
			if host.IsInvalidApp(err) {
				code = exitInvalid
			}
			return nil, code, fmt.Errorf("%s:%d: app %s: %w", sc.File, a.Line, a.Alias, err)
		}
		s.apps[a.Alias] = app
		if on, ok := sc.Complications[a.Alias]; ok {
			app.SetComplicationActive(on)
		}
	}
	for _, ev := range sc.Events {
		if ev.Verb == scenario.VerbPush && ev.Push != nil && ev.Push.Target != "" && ev.Push.Target != s.apps[ev.App].ID() {
			rt.Close(context.Background())
			return nil, exitUsage, fmt.Errorf("%s:%d: %s targets %s (Simulator Target Bundle), but app %s is %s; fix the file's target or the event's app",
				sc.File, ev.Line, ev.File, ev.Push.Target, ev.App, s.apps[ev.App].ID())
		}
	}
	return s, exitOK, nil
}

// play runs the scenario's events at their times, then the clock to the
// scenario's end. Guest failures are the timeline's; an event the runtime
// cannot carry out is an error that stops the play.
func (s *simulation) play(ctx context.Context) error {
	sc, rt, apps, out := s.sc, s.rt, s.apps, s.out
	var frontmost *host.App
	for _, ev := range sc.Events {
		if err := rt.RunUntil(ctx, ev.At); err != nil {
			return nil // interrupted: the summary says so
		}
		app := apps[ev.App]
		if ev.App == "" && (ev.Verb == scenario.VerbWristUp || ev.Verb == scenario.VerbWristDown) {
			app = frontmost
		}
		out.step(ev, app)
		var err error
		switch ev.Verb {
		case scenario.VerbLaunch, scenario.VerbWristUp:
			if app != nil {
				if err = app.Launch(ctx); err == nil || app.State() == abi.StateActive {
					frontmost = app
				}
			}
		case scenario.VerbWristDown:
			if app != nil {
				err = app.WristDown(ctx)
			}
		case scenario.VerbBackground:
			err = app.EnterBackground(ctx)
		case scenario.VerbSuspend:
			err = app.Suspend(ctx)
		case scenario.VerbPurge:
			err = app.Purge(ctx)
		case scenario.VerbTrigger:
			t := host.ForcedTask{Kind: ev.Task, Reason: ev.Reason, Session: ev.Session}
			if ev.Peripheral != "" {
				t.UserInfo = []byte(ev.Peripheral)
			}
			err = app.TriggerTask(ctx, t)
		case scenario.VerbExpire:
			err = app.ExpireTasks(ctx, ev.Task)
			if errors.Is(err, host.ErrNoOpenTask) {
				out.note(ev.At, app.ID(), "nothing to expire: no open background task")
				err = nil
			}
		case scenario.VerbSet:
			k, v, _ := strings.Cut(ev.Set, "=")
			err = rt.Set(k, v)
		case scenario.VerbIntent:
			err = app.Trigger(ctx, abi.TaskIntentDidRun, ev.Payload)
		case scenario.VerbRelevantShortcut:
			err = app.Trigger(ctx, abi.TaskRelevantShortcut, nil)
		case scenario.VerbComplication:
			app.SetComplicationActive(ev.On)
		case scenario.VerbPush:
			err = app.Push(ctx, ev.Push)
		case scenario.VerbPhone:
			err = app.Phone(ctx, phoneData(ev.Phone), ev.Payload)
		case scenario.VerbBluetoothAlert:
			err = app.BluetoothAlert(ctx, ev.Peripheral)
		case scenario.VerbServe:
			s.web.set(*ev.Route)
		case scenario.VerbTapNotification:
			err = app.TapNotification(ctx, ev.Notification, ev.Action)
			if err != nil && !host.IsGuestFailure(err) {
				out.note(ev.At, app.ID(), userError(err))
				err = nil
			} else if app.State() == abi.StateActive {
				frontmost = app
			}
		}
		if err != nil && !host.IsGuestFailure(err) {
			return fmt.Errorf("%s:%d: %w", sc.File, ev.Line, err)
		}
	}
	rt.RunUntil(ctx, sc.End())
	return nil
}

// timeline prints what happened, in order, with virtual times.
type timeline struct {
	mu       sync.Mutex
	w        io.Writer
	json     bool
	calls    int
	failures int
}

func stamp(t time.Time) string { return t.UTC().Format("15:04:05.000") }

func (tl *timeline) line(t time.Time, app, format string, args ...any) {
	fmt.Fprintf(tl.w, "%s  %-24s %s\n", stamp(t), app, fmt.Sprintf(format, args...))
}

func (tl *timeline) step(ev scenario.Event, app *host.App) {
	tl.mu.Lock()
	defer tl.mu.Unlock()
	id := ""
	if app != nil {
		id = app.ID()
	}
	if tl.json {
		writeJSON(tl.w, map[string]any{"type": "step", "time": ev.At.UTC(), "app": id, "verb": ev.Verb, "line": ev.Line, "text": ev.Text})
		return
	}
	what := string(ev.Verb)
	switch ev.Verb {
	case scenario.VerbNote:
		what = "# " + ev.Text
	case scenario.VerbTrigger, scenario.VerbExpire:
		task, reason := "", ""
		if ev.Task != 0 {
			task = abi.TaskKindName(ev.Task)
		}
		if ev.Reason != 0 {
			reason = abi.SnapshotReasonName(ev.Reason)
		}
		for _, w := range []string{task, reason, ev.Session, ev.Peripheral, ev.Intent} {
			if w != "" {
				what += " " + w
			}
		}
	case scenario.VerbPhone:
		what += " " + ev.Phone.String()
	case scenario.VerbSet:
		what += " " + ev.Set
	case scenario.VerbServe:
		what += " " + ev.Route.Method + " " + ev.Route.Path
	case scenario.VerbIntent:
		what += " " + ev.Intent
	case scenario.VerbComplication:
		what += map[bool]string{true: " on", false: " off"}[ev.On]
	case scenario.VerbPush:
		what += " " + filepath.Base(ev.File)
	}
	tl.line(ev.At, id, "> %s", what)
}

func (tl *timeline) call(c host.Call) {
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
		writeJSON(tl.w, map[string]any{"type": "call", "time": c.Time.UTC(), "app": c.App, "event": c.EventName(),
			"status": status, "message": c.Message, "crash": c.Crash, "termination": c.Termination,
			"state": c.State.String(), "fuel": c.Fuel, "duration_ns": c.Duration.Nanoseconds()})
		return
	}
	extra := ""
	switch {
	case c.Crash != "":
		extra = fmt.Sprintf("  %s: %s", c.Termination, c.Crash)
	case c.Message != "":
		extra = "  " + c.Message
	}
	tl.line(c.Time, c.App, "%-24s %-10s %-10s %9d fuel%s", c.EventName(), status, c.State, c.Fuel, extra)
}

func (tl *timeline) decision(d host.Decision) {
	tl.mu.Lock()
	defer tl.mu.Unlock()
	if tl.json {
		writeJSON(tl.w, map[string]any{"type": "decision", "decision": d})
		return
	}
	tl.line(d.Time, d.App, "system: %s [%s]", d.Reason, d.Rule)
}

// note prints a line of the simulator's own, such as a tap on nothing.
func (tl *timeline) note(t time.Time, app, msg string) {
	tl.mu.Lock()
	defer tl.mu.Unlock()
	if tl.json {
		writeJSON(tl.w, map[string]any{"type": "note", "time": t.UTC(), "app": app, "message": msg})
		return
	}
	tl.line(t, app, "note: %s", msg)
}

func (tl *timeline) log(t time.Time, app, level, msg string) {
	tl.mu.Lock()
	defer tl.mu.Unlock()
	if tl.json {
		writeJSON(tl.w, map[string]any{"type": "log", "time": t.UTC(), "app": app, "level": level, "message": msg})
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

// why lists the app's held-back decisions after the summary.
func (tl *timeline) why(app string, ds []host.Decision) {
	tl.mu.Lock()
	defer tl.mu.Unlock()
	n := 0
	for _, d := range ds {
		if !heldBack[d.Verdict] {
			continue
		}
		n++
		if tl.json {
			writeJSON(tl.w, map[string]any{"type": "why", "decision": d})
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

func (tl *timeline) summary(sc *scenario.Scenario, apps map[string]*host.App, interrupted bool) {
	tl.mu.Lock()
	defer tl.mu.Unlock()
	if tl.json {
		writeJSON(tl.w, map[string]any{"type": "summary", "start": sc.Start.UTC(), "end": sc.End().UTC(), "failures": tl.failures, "interrupted": interrupted})
		return
	}
	end := stamp(sc.End())
	if y, m, d := sc.End().UTC().Date(); y != sc.Start.UTC().Year() || m != sc.Start.UTC().Month() || d != sc.Start.UTC().Day() {
		end = sc.End().UTC().Format("2006-01-02 ") + end
	}
	fmt.Fprintf(tl.w, "simulated %s to %s: %d app(s), %d failed call(s)\n", stamp(sc.Start), end, len(apps), tl.failures)
}

// guestLogs turns the runtime's log records from guests (their log calls
// and stdout/stderr) into timeline lines; the runtime's own records are
// left out, since the timeline already has its calls and decisions.
type guestLogs struct {
	out *timeline
	now func() time.Time
}

func (g guestLogs) Write(p []byte) (int, error) {
	var rec struct {
		Level   string `json:"level"`
		App     string `json:"app"`
		Source  string `json:"source"`
		Message string `json:"message"`
	}
	if json.Unmarshal(p, &rec) == nil && rec.Source != "" {
		g.out.log(g.now(), rec.App, rec.Level, rec.Message)
	}
	return len(p), nil
}

// routeTransport answers apps' downloads from the scenario's routes, in
// process: no socket is opened, and every answer is the same every run. The
// host name is not matched (apps name their real servers); method and path
// are. A request with no route gets 404.
type routeTransport struct {
	mu     sync.Mutex
	routes map[string]scenario.Route // "METHOD /path"
}

func newRouteTransport(rs []scenario.Route) *routeTransport {
	t := &routeTransport{routes: map[string]scenario.Route{}}
	for _, r := range rs {
		t.set(r)
	}
	return t
}

func (t *routeTransport) set(r scenario.Route) {
	t.mu.Lock()
	t.routes[r.Method+" "+r.Path] = r
	t.mu.Unlock()
}

// delay is the route's delay= for a download of u, for host.Config.Latency.
func (t *routeTransport) delay(u string) time.Duration {
	p, err := url.Parse(u)
	if err != nil {
		return 0
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.routes["GET "+p.Path].Delay
}

func (t *routeTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	t.mu.Lock()
	r, ok := t.routes[req.Method+" "+req.URL.Path]
	t.mu.Unlock()
	if !ok {
		r = scenario.Route{Status: http.StatusNotFound, Body: []byte("no route for " + req.Method + " " + req.URL.Path + " in the scenario\n"), ContentType: "text/plain"}
	}
	h := http.Header{}
	if r.ContentType != "" {
		h.Set("Content-Type", r.ContentType)
	}
	return &http.Response{
		StatusCode: r.Status, Status: fmt.Sprintf("%d %s", r.Status, http.StatusText(r.Status)),
		Header: h, Body: io.NopCloser(bytes.NewReader(r.Body)), ContentLength: int64(len(r.Body)),
		Request: req, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
	}, nil
}
