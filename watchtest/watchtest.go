// Package watchtest tests a watch app's behaviour, background included, in
// an ordinary `go test` on the host: it builds the app's bundle (through
// watchbox's build cache), runs it in process on a virtual clock, drives it
// with the same actions `watchbox run` steps and scenario events are (package
// host/drive), and asserts on what happened: the calls into the app, the
// system's decisions with their rule ids, the background tasks delivered,
// its life-cycle state and the files in its data container.
//
//	func TestRefresh(t *testing.T) {
//		app := watchtest.New(t, ".", watchtest.Serve("GET", "/forecast", 200, `{"temp": 11}`))
//		app.Launch()
//		app.WristDown()
//		app.Advance(40 * time.Minute)
//		app.Expect("expect weather task url-session") // a scenario file's expect line
//		app.ExpectDecision("url_session.finished")
//	}
//
// A test file of an app (a wasip1 package main) is built for the host, so
// it needs the build constraint `//go:build !wasip1`. Each App gets its own
// runtime and a temporary data directory; a test that fails logs the whole
// timeline of the run. docs/testing.md shows the workflow.
package watchtest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/watchbox/watchbox/abi"
	"github.com/watchbox/watchbox/host"
	"github.com/watchbox/watchbox/host/drive"
	"github.com/watchbox/watchbox/host/scenario"
)

// An Option configures New.
type Option func(*config)

type config struct {
	start    time.Time
	seed     int64
	sets     []string
	routes   []scenario.Route
	comp     *bool
	cache    string
	allow    bool
	timeline io.Writer
}

// Start sets the virtual time the run starts at (default
// scenario.DefaultStart, 2026-01-01T00:00:00Z).
func Start(t time.Time) Option { return func(c *config) { c.start = t } }

// Seed seeds the app's randomness (default scenario.DefaultSeed).
func Seed(n int64) Option { return func(c *config) { c.seed = n } }

// Set overrides a device profile value, as a scenario's set line does:
// Set("refreshes_per_hour", "1").
func Set(key, value string) Option {
	return func(c *config) { c.sets = append(c.sets, key+"="+value) }
}

// Serve adds a route to the HTTP test server that answers the app's
// downloads: a body that starts with { or [ is served as JSON, any other
// as text. World.Serve changes routes later.
func Serve(method, path string, status int, body string) Option {
	return func(c *config) { c.routes = append(c.routes, route(method, path, status, body)) }
}

// Complication puts the app's complication on or off the active watch
// face at the start (default: on when its manifest says it has one).
func Complication(on bool) Option { return func(c *config) { c.comp = &on } }

// CacheDir sets the cache of built and compiled apps. The default is
// DefaultCacheDir: one cache for the tests of every package (and of every
// test binary a `go test ./...` runs at once), kept out of the user's
// watchbox cache.
func CacheDir(dir string) Option { return func(c *config) { c.cache = dir } }

// DefaultCacheDir returns the cache New uses without CacheDir:
// watchbox-test-cache under os.TempDir(), which watchbox's own tests share
// too. Builds into it are safe from concurrent test binaries, and a test
// binary that finds an app built, metered or compiled there by another
// does not do that work again.
func DefaultCacheDir() string { return filepath.Join(os.TempDir(), "watchbox-test-cache") }

// AllowFailures lets calls into the app fail (crash, or a handler that
// returns an error) without failing the test, for tests of failures; see
// Record.Calls.
func AllowFailures() Option { return func(c *config) { c.allow = true } }

// Timeline prints the run's timeline to w as it happens (by default it is
// logged when the test fails).
func Timeline(w io.Writer) Option { return func(c *config) { c.timeline = w } }

func route(method, path string, status int, body string) scenario.Route {
	r := scenario.Route{Method: method, Path: path, Status: status, Body: []byte(body), ContentType: "text/plain; charset=utf-8"}
	if b := strings.TrimSpace(body); strings.HasPrefix(b, "{") || strings.HasPrefix(b, "[") {
		r.ContentType = "application/json"
	}
	return r
}

// App is one app running on a virtual clock for a test.
type App struct {
	t     testing.TB
	ctx   context.Context
	sim   *drive.Simulation
	app   *host.App
	alias string
	allow bool
	fails int // failed calls already reported

	mu   sync.Mutex
	logs []string
	out  bytes.Buffer
}

// aliasRE is what a scenario alias may be.
var aliasRE = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_-]*$`)

// New builds the bundle in dir (a directory with watchapp.json), loads it
// into a new runtime on the virtual clock with a temporary data directory,
// and returns it, not yet launched. Expect lines name the app by its
// bundle directory's name (weather for apps/weather, also for "."). The
// runtime is closed when the test ends. A bundle that does not build or
// load fails the test at once.
func New(t testing.TB, dir string, opts ...Option) *App {
	t.Helper()
	c := config{start: scenario.DefaultStart, seed: scenario.DefaultSeed, cache: DefaultCacheDir()}
	for _, o := range opts {
		o(&c)
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		t.Fatalf("watchtest: %v", err)
	}
	alias := filepath.Base(abs)
	if !aliasRE.MatchString(alias) {
		alias = "app"
	}
	sc := &scenario.Scenario{File: "watchtest", Dir: abs, Start: c.start, Duration: 10000 * 24 * time.Hour, Seed: c.seed,
		Profile: scenario.DefaultProfile, Sets: c.sets, Apps: []scenario.App{{Alias: alias, Dir: abs}},
		Complications: map[string]bool{}, Routes: c.routes}
	if c.comp != nil {
		sc.Complications[alias] = *c.comp
	}
	prof, err := sc.DeviceProfile()
	if err != nil {
		t.Fatalf("watchtest: %v", err)
	}
	a := &App{t: t, ctx: context.Background(), alias: alias, allow: c.allow}
	var out io.Writer = &a.out
	if c.timeline != nil {
		out = io.MultiWriter(&a.out, c.timeline)
	}
	first := firstLoad(abs, c.cache)
	sim, err := drive.Simulate(a.ctx, sc, prof, drive.SimOptions{CacheDir: c.cache, DataDir: t.TempDir(), Out: lockedWriter{a, out}})
	first(err == nil)
	if err != nil {
		t.Fatalf("watchtest: %v", drive.Message(err))
	}
	a.sim, a.app = sim, sim.App(alias)
	t.Cleanup(func() {
		sim.Close()
		if t.Failed() {
			t.Logf("timeline of %s:\n%s", a.app.ID(), a.Record().Timeline())
		}
	})
	return a
}

// loads holds, per bundle directory and cache, whether a runtime of this
// process has loaded the bundle: parallel tests that start the same app
// at once would each build, meter and compile it (seconds of CPU each,
// and with a cold Go cache each build compiles the standard library for
// wasip1), where one load fills the caches for all.
var loads = struct {
	sync.Mutex
	m    map[[2]string]*sync.Mutex // locked until the first load succeeded
	done map[[2]string]bool
}{m: map[[2]string]*sync.Mutex{}, done: map[[2]string]bool{}}

// firstLoad waits until no other New of this process is loading the
// bundle in dir into cache for the first time, and returns the function to
// call with whether the load succeeded. After a successful first load it
// returns at once.
func firstLoad(dir, cache string) func(ok bool) {
	key := [2]string{dir, cache}
	loads.Lock()
	if loads.done[key] {
		loads.Unlock()
		return func(bool) {}
	}
	mu := loads.m[key]
	if mu == nil {
		mu = new(sync.Mutex)
		loads.m[key] = mu
	}
	loads.Unlock()
	mu.Lock()
	loads.Lock()
	done := loads.done[key]
	loads.Unlock()
	if done {
		mu.Unlock()
		return func(bool) {}
	}
	return func(ok bool) {
		if ok {
			loads.Lock()
			loads.done[key] = true
			loads.Unlock()
		}
		mu.Unlock()
	}
}

// lockedWriter keeps the timeline and the app's log lines.
type lockedWriter struct {
	a *App
	w io.Writer
}

var logLine = regexp.MustCompile(`^\S+  \S+\s+(?:log|warn|error): (.*)$`)

func (l lockedWriter) Write(p []byte) (int, error) {
	l.a.mu.Lock()
	defer l.a.mu.Unlock()
	for _, line := range strings.Split(strings.TrimRight(string(p), "\n"), "\n") {
		if m := logLine.FindStringSubmatch(line); m != nil {
			l.a.logs = append(l.a.logs, m[1])
		}
	}
	return l.w.Write(p)
}

// Host returns the runtime's handle of the app, for what this package does
// not wrap.
func (a *App) Host() *host.App { return a.app }

// Alias returns the name expect lines use for the app.
func (a *App) Alias() string { return a.alias }

// Now returns the virtual time.
func (a *App) Now() time.Time { return a.sim.Runtime.Now() }

// Do applies an action (an App of "" means this app) at the current
// virtual time, prints it to the timeline and returns what it did. An
// action the runtime refuses fails the test at once; a call into the app
// that fails during it fails the test unless AllowFailures was given.
func (a *App) Do(act drive.Action) drive.Result {
	a.t.Helper()
	if act.App == "" && act.Kind.ActsOnApp() {
		act.App = a.app.ID()
	}
	act.At = time.Time{}
	id := ""
	if act.Kind.ActsOnApp() {
		id = a.app.ID()
	}
	a.sim.Timeline.Action(a.Now(), act, id)
	res, err := a.sim.Driver.Apply(a.ctx, act)
	if err != nil {
		a.t.Fatalf("%s: %s", act, drive.Message(err))
	}
	a.failures(act.String())
	return res
}

// failures fails the test for the calls that failed since the last look.
func (a *App) failures(during string) {
	a.t.Helper()
	n := a.sim.Timeline.Failures()
	if n > a.fails && !a.allow {
		var msgs []string
		for _, c := range a.sim.Record.Calls() {
			if c.Crash != "" {
				msgs = append(msgs, fmt.Sprintf("%s %s crashed: %s: %s", c.Time.UTC().Format("15:04:05.000"), c.EventName(), c.Termination, c.Crash))
			} else if c.Message != "" {
				msgs = append(msgs, fmt.Sprintf("%s %s failed: %s", c.Time.UTC().Format("15:04:05.000"), c.EventName(), c.Message))
			}
		}
		a.t.Errorf("%s: %d call(s) into the app failed (use watchtest.AllowFailures() if that is the test):\n%s", during, n-a.fails, strings.Join(msgs[len(msgs)-(n-a.fails):], "\n"))
	}
	a.fails = n
}

// Launch opens the app: launched if not running, brought to the front and
// made active.
func (a *App) Launch() { a.t.Helper(); a.Do(drive.Action{Kind: drive.Launch}) }

// WristDown lowers the wrist: the app resigns active, and enters the
// background when the frontmost timeout passes (see Advance).
func (a *App) WristDown() { a.t.Helper(); a.Do(drive.Action{Kind: drive.WristDown}) }

// Background sends the app to the background now.
func (a *App) Background() { a.t.Helper(); a.Do(drive.Action{Kind: drive.Background}) }

// Suspend suspends the app now.
func (a *App) Suspend() { a.t.Helper(); a.Do(drive.Action{Kind: drive.Suspend}) }

// Purge purges the app without warning; its next launch is cold.
func (a *App) Purge() { a.t.Helper(); a.Do(drive.Action{Kind: drive.Purge}) }

// Trigger forces a background task of kind (application-refresh,
// snapshot, url-session, ...) now, with an optional detail as in a
// scenario's trigger line (a snapshot reason, a session, a peripheral,
// an intent).
func (a *App) Trigger(kind string, detail ...string) drive.Result {
	a.t.Helper()
	acts, err := drive.ParseSteps(strings.Join(append([]string{"trigger", kind}, detail...), " "))
	if err != nil {
		a.t.Fatalf("watchtest: Trigger: %v", err)
	}
	return a.Do(acts[0])
}

// Expire makes the app's open background tasks expire now.
func (a *App) Expire() { a.t.Helper(); a.Do(drive.Action{Kind: drive.Expire}) }

// Advance runs the virtual clock for d: timers, refreshes, downloads and
// suspensions due in that time happen, in order.
func (a *App) Advance(d time.Duration) {
	a.t.Helper()
	if err := a.sim.Runtime.RunFor(a.ctx, d); err != nil {
		a.t.Fatalf("watchtest: Advance: %v", err)
	}
	a.failures(fmt.Sprintf("Advance(%v)", d))
}

// State returns the app's life-cycle state now.
func (a *App) State() abi.State { return a.app.State() }

// Complication returns the complication data the app last published.
func (a *App) Complication() string { return string(a.app.Complication().Data()) }

// ReadFile returns the file at path (slash-separated, from the root of the
// app's data container); a missing file fails the test.
func (a *App) ReadFile(path string) []byte {
	a.t.Helper()
	b, err := os.ReadFile(filepath.Join(a.app.Container(), filepath.FromSlash(strings.TrimPrefix(path, "/"))))
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			a.t.Fatalf("%s has no file %s in its container", a.app.ID(), path)
		}
		a.t.Fatalf("watchtest: %v", err)
	}
	return b
}

// Expect checks an expect line of a scenario file (docs/scenario.md,
// section 11) against the run so far, as in
// app.Expect("at 07:30 expect weather task application-refresh"); the app
// is named by Alias. Times are on the start day; a line without a time
// covers the run so far, and a state or file is checked now. A line that
// does not hold fails the test with what was expected and what happened.
func (a *App) Expect(line string) {
	a.t.Helper()
	e, err := parseExpect(a.sim.Scenario, a.alias, line)
	if err != nil {
		a.t.Fatalf("watchtest: Expect(%q): %v", line, err)
	}
	c := drive.Checker{Record: a.sim.Record, Start: a.sim.Scenario.Start, End: a.Now(),
		Apps: map[string]drive.AppRef{a.alias: {ID: a.app.ID(), Container: a.app.Container()}}}
	if o := c.Check(e); !o.Pass {
		a.t.Errorf("%s\n  want: %s\n  got:  %s", line, o.Want, o.Got)
	}
}

// parseExpect reads an expect line of a test of sc's app, named alias.
func parseExpect(sc *scenario.Scenario, alias, line string) (scenario.Expect, error) {
	src := fmt.Sprintf("start %s\nduration 10000d\napp %s %s\n%s\n", sc.Start.Format(time.RFC3339Nano), alias, sc.Apps[0].Dir, line)
	s, err := scenario.Parse("expect", []byte(src), scenario.Options{SkipDataFiles: true})
	if err != nil {
		var es scenario.Errors
		if errors.As(err, &es) {
			var msgs []string
			for _, e := range es {
				msgs = append(msgs, fmt.Sprintf("column %d: %s", e.Column, e.Msg))
			}
			return scenario.Expect{}, errors.New(strings.Join(msgs, "; "))
		}
		return scenario.Expect{}, err
	}
	if len(s.Expects) != 1 {
		return scenario.Expect{}, fmt.Errorf("not an expect line: write [at TIME | between TIME and TIME] expect [no] [APP] WHAT ...")
	}
	return s.Expects[0], nil
}

// ExpectDecision returns the latest decision about the app under rule (a
// rule id such as refresh.hourly_budget), and fails the test if there is
// none, listing the rules the system did use.
func (a *App) ExpectDecision(rule string) host.Decision {
	a.t.Helper()
	var last *host.Decision
	seen := map[string]bool{}
	var rules []string
	for _, d := range a.sim.Record.Decisions() {
		if d.App != a.app.ID() {
			continue
		}
		if d.Rule == rule {
			last = &d
		}
		if !seen[d.Rule] {
			seen[d.Rule] = true
			rules = append(rules, d.Rule)
		}
	}
	if last == nil {
		a.t.Fatalf("no decision [%s] about %s by %s; the rules that decided: %s", rule, a.app.ID(), a.Now().UTC().Format("15:04:05"), strings.Join(rules, ", "))
		return host.Decision{}
	}
	return *last
}

// ExpectNoDecision fails the test if the system made a decision about the
// app under rule, listing them.
func (a *App) ExpectNoDecision(rule string) {
	a.t.Helper()
	var found []string
	for _, d := range a.sim.Record.Decisions() {
		if d.App == a.app.ID() && d.Rule == rule {
			found = append(found, d.Time.UTC().Format("15:04:05.000")+" "+d.Reason)
		}
	}
	if len(found) > 0 {
		a.t.Errorf("want no decision [%s] about %s, got %d:\n%s", rule, a.app.ID(), len(found), strings.Join(found, "\n"))
	}
}

// ExpectState fails the test if the app is not in state s now.
func (a *App) ExpectState(s abi.State) {
	a.t.Helper()
	if got := a.State(); got != s {
		a.t.Errorf("%s is %v at %s, want %v", a.app.ID(), got, a.Now().UTC().Format("15:04:05.000"), s)
	}
}

// ExpectJSON fails the test unless the file at path holds JSON that
// matches want structurally: an object matches when every key want gives
// matches (keys want leaves out are not compared), an array when it has as
// many elements and each matches, anything else when it is equal.
func (a *App) ExpectJSON(path, want string) {
	a.t.Helper()
	var w, g any
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		a.t.Fatalf("watchtest: ExpectJSON: want is not JSON: %v", err)
	}
	b := a.ReadFile(path)
	if err := json.Unmarshal(b, &g); err != nil {
		a.t.Errorf("%s's file %s is not JSON (%v): %s", a.app.ID(), path, err, b)
		return
	}
	if diff := drive.JSONDiff("", w, g); len(diff) > 0 {
		a.t.Errorf("%s's file %s does not match\n  want: %s\n  got:  %s\n  differs at %s", a.app.ID(), path, want, bytes.TrimSpace(b), strings.Join(diff, ", "))
	}
}
