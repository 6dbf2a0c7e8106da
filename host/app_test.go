package host

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/watchbox/watchbox/abi"
	"github.com/watchbox/watchbox/host/profile"
	"github.com/watchbox/watchbox/host/push"
)

// testCache is shared by every test binary: the bundle build cache keys Go
// builds by content hash and wazero's cache keys compiled modules, so apps
// are built and compiled once, not once per test.
var testCache = filepath.Join(os.TempDir(), "watchbox-test-cache")

// testCaches are the caches of every harness (Config.sharedCaches), in
// testCache: one compilation cache object, so that the harnesses' apps of
// a memory limit run in one wazero runtime and a warm app is the module
// compiled in memory, not decoded, validated and read back from disk
// again by every harness.
var testCaches = new(sharedCaches)

// warmed holds the test apps compiled in the harnesses' shared wazero
// runtimes for the whole test binary (warmTestCache), so that they are
// still in memory when no harness has them loaded.
var warmed []func()

const (
	helloDir = "../apps/hello"
	chaosDir = "../tests/apps/chaos"
)

// harness is a Runtime with its call records and logs captured.
type harness struct {
	rt   *Runtime
	data string
	mu   sync.Mutex
	logs bytes.Buffer
	call []Call
}

func newHarness(t *testing.T, cfg Config) *harness {
	t.Helper()
	warmCaches.Do(warmTestCache)
	h := &harness{data: cfg.DataDir} // a given DataDir: a restart of an earlier harness
	if h.data == "" {
		h.data = t.TempDir()
	}
	log := zerolog.New(syncWriter{&h.mu, &h.logs}).Level(zerolog.DebugLevel)
	cfg.CacheDir, cfg.DataDir, cfg.Logger = testCache, h.data, &log
	if cfg.Keep == nil {
		cfg.sharedCaches = testCaches
	}
	cfg.OnCall = func(c Call) {
		h.mu.Lock()
		h.call = append(h.call, c)
		h.mu.Unlock()
	}
	rt, err := New(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	h.rt = rt
	t.Cleanup(func() { rt.Close(context.Background()) })
	return h
}

// warmCaches fills testCache once per test binary, before the first
// harness: parallel tests that each found an app unbuilt would each build,
// meter and compile it, at the same time.
var warmCaches sync.Once

// warmTestCache loads the test apps into a throwaway runtime, which builds,
// meters and compiles them into testCache, and keeps them compiled in the
// harnesses' shared runtimes (warmed). A failure is left for the tests'
// own Load to report.
func warmTestCache() {
	ctx := context.Background()
	data, err := os.MkdirTemp("", "watchbox-host-test-")
	if err != nil {
		return
	}
	defer os.RemoveAll(data)
	nop := zerolog.Nop()
	rt, err := New(ctx, Config{CacheDir: testCache, DataDir: data, Logger: &nop, Virtual: true, sharedCaches: testCaches})
	if err != nil {
		return
	}
	defer rt.Close(ctx)
	for _, dir := range []string{helloDir, chaosDir, counterDir, "../apps/refresh", "../tests/apps/c-hello", sessionsDir, "../apps/workout"} {
		if _, err := rt.Load(ctx, dir); err != nil {
			continue
		}
		if release := rt.loader.warm(ctx, dir); release != nil {
			warmed = append(warmed, release)
		}
	}
}

type syncWriter struct {
	mu *sync.Mutex
	w  *bytes.Buffer
}

func (s syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}

func (h *harness) load(t *testing.T, dir string) *App {
	t.Helper()
	a, err := h.rt.Load(context.Background(), dir)
	if err != nil {
		t.Fatalf("Load(%s): %v", dir, err)
	}
	return a
}

// events returns "event:state" for every call so far, and forgets them.
func (h *harness) events() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []string
	for _, c := range h.call {
		out = append(out, c.Event.String()+":"+c.State.String())
	}
	h.call = nil
	return out
}

// guestLines returns the messages the guests logged that start with prefix.
func (h *harness) guestLines(prefix string) []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []string
	for _, line := range strings.Split(h.logs.String(), "\n") {
		var rec struct {
			Source  string `json:"source"`
			Message string `json:"message"`
		}
		if json.Unmarshal([]byte(line), &rec) == nil && rec.Source == "guest" && strings.HasPrefix(rec.Message, prefix) {
			out = append(out, rec.Message)
		}
	}
	return out
}

func equal(t *testing.T, what string, got, want []string) {
	t.Helper()
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("%s:\n got  %q\n want %q", what, got, want)
	}
}

func TestLifeCycleOrder(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	h := newHarness(t, Config{FrontmostTimeout: -1, SuspendDelay: -1})
	a := h.load(t, helloDir)
	if a.State() != abi.StateNotRunning {
		t.Fatalf("state before launch = %v", a.State())
	}
	must(t, a.Launch(ctx))
	equal(t, "launch", h.events(), []string{
		"did_finish_launching:inactive", "will_enter_foreground:inactive", "did_become_active:active"})
	must(t, a.WristDown(ctx))
	equal(t, "wrist down", h.events(), []string{"will_resign_active:inactive"})
	must(t, a.WristUp(ctx))
	equal(t, "wrist up while frontmost", h.events(), []string{"did_become_active:active"})
	must(t, a.EnterBackground(ctx))
	// ...then the system's app_backgrounded snapshot task, which hello
	// has no handler for (the system completes it).
	equal(t, "background", h.events(), []string{"will_resign_active:inactive", "did_enter_background:background", "background_tasks:background"})
	must(t, a.Suspend(ctx))
	equal(t, "suspend", h.events(), nil)
	if a.State() != abi.StateSuspended {
		t.Fatalf("state after suspend = %v", a.State())
	}
	must(t, a.WristUp(ctx))
	equal(t, "resume from suspended", h.events(), []string{"will_enter_foreground:inactive", "did_become_active:active"})
	if a.Launches() != 1 {
		t.Errorf("launches = %d, want 1 (resuming is not a launch)", a.Launches())
	}
	must(t, h.rt.Close(ctx))
	equal(t, "shutdown", h.events(), []string{"will_resign_active:inactive", "did_enter_background:background"})
	equal(t, "guest log", h.guestLines(""), []string{
		"did finish launching (launch 1)", "will enter foreground", "did become active",
		"will resign active", "did become active", "will resign active", "did enter background",
		"will enter foreground", "did become active", "will resign active", "did enter background"})
}

func TestPurgeAndColdRelaunch(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	h := newHarness(t, Config{FrontmostTimeout: -1, SuspendDelay: -1})
	a := h.load(t, helloDir)
	must(t, a.Launch(ctx))
	must(t, a.Suspend(ctx))
	must(t, a.Purge(ctx))
	if a.State() != abi.StateNotRunning {
		t.Fatalf("state after purge = %v", a.State())
	}
	h.events()
	must(t, a.Launch(ctx))
	equal(t, "relaunch", h.events(), []string{
		"did_finish_launching:inactive", "will_enter_foreground:inactive", "did_become_active:active"})
	if a.Launches() != 2 {
		t.Errorf("launches = %d, want 2", a.Launches())
	}
	b, err := os.ReadFile(filepath.Join(a.Container(), "launches"))
	if err != nil || strings.TrimSpace(string(b)) != "2" {
		t.Errorf("persisted launch count = %q, %v; want 2", b, err)
	}
	got := h.guestLines("did finish launching")
	equal(t, "launch logs", got, []string{"did finish launching (launch 1)", "did finish launching (launch 2)"})
}

// TestFrontmostTimeoutAndSuspension runs on the real clock on purpose: the
// system's timers must fire on their own there (the other timer tests use
// the virtual clock).
func TestFrontmostTimeoutAndSuspension(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	h := newHarness(t, Config{FrontmostTimeout: 30 * time.Millisecond, SuspendDelay: 30 * time.Millisecond})
	a := h.load(t, helloDir)
	must(t, a.Launch(ctx))
	must(t, a.WristDown(ctx))
	deadline := time.Now().Add(5 * time.Second)
	for a.State() != abi.StateSuspended && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if a.State() != abi.StateSuspended {
		t.Fatalf("state = %v, want suspended after the frontmost timeout and suspend delay", a.State())
	}
	equal(t, "calls", h.events(), []string{
		"did_finish_launching:inactive", "will_enter_foreground:inactive", "did_become_active:active",
		"will_resign_active:inactive", "did_enter_background:background", "background_tasks:background"})
}

func TestWristUpCancelsFrontmostTimeout(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	h := newHarness(t, Config{Virtual: true, FrontmostTimeout: 40 * time.Millisecond, SuspendDelay: -1})
	a := h.load(t, helloDir)
	must(t, a.Launch(ctx))
	must(t, a.WristDown(ctx))
	must(t, a.WristUp(ctx))
	must(t, h.rt.RunFor(ctx, 120*time.Millisecond))
	if a.State() != abi.StateActive {
		t.Fatalf("state = %v, want active: the raised wrist cancels the frontmost timeout", a.State())
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// chaos loads the chaos test app with the given /mode lines.
func chaos(t *testing.T, h *harness, mode ...string) *App {
	t.Helper()
	a := h.load(t, chaosDir)
	setMode(t, a, mode...)
	return a
}

func setMode(t *testing.T, a *App, mode ...string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(a.Container(), "mode"), []byte(strings.Join(mode, "\n")), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestPanicIsReportedAndContained(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	h := newHarness(t, Config{FrontmostTimeout: -1, SuspendDelay: -1})
	a := chaos(t, h, "DidBecomeActive panic")
	err := a.Launch(ctx)
	var he *HandlerError
	if !errors.As(err, &he) || he.Status != abi.StatusError || !strings.Contains(he.Message, "boom in DidBecomeActive") {
		t.Fatalf("Launch error = %v, want a HandlerError with the panic message", err)
	}
	if a.State() != abi.StateActive || a.Crashes().Count() != 0 {
		t.Fatalf("state %v, crashes %d: a recovered panic must not kill the app", a.State(), a.Crashes().Count())
	}
	must(t, a.WristDown(ctx))
	if a.Launches() != 1 {
		t.Errorf("launches = %d, want 1", a.Launches())
	}
}

func TestCrashKillsOnlyThatInstance(t *testing.T) {
	t.Parallel()
	for _, action := range []string{"exit", "oom", "recurse"} {
		t.Run(action, func(t *testing.T) {
			ctx := context.Background()
			h := newHarness(t, Config{FrontmostTimeout: -1, SuspendDelay: -1})
			hello := h.load(t, helloDir)
			must(t, hello.Launch(ctx))
			a := chaos(t, h, "DidBecomeActive "+action)
			err := a.Launch(ctx)
			var ce *CrashError
			if !errors.As(err, &ce) || ce.Event != abi.EventDidBecomeActive {
				t.Fatalf("Launch error = %v, want a CrashError in did_become_active", err)
			}
			if action == "exit" && !strings.Contains(ce.Reason, "exited with code 3") {
				t.Errorf("crash reason = %q", ce.Reason)
			}
			if a.State() != abi.StateNotRunning || a.Crashes().Count() != 1 {
				t.Fatalf("after crash: state %v, crashes %d", a.State(), a.Crashes().Count())
			}
			// The other app (sent to the background when chaos opened)
			// and the host carry on.
			must(t, hello.Launch(ctx))
			must(t, hello.WristDown(ctx))
			if hello.State() != abi.StateInactive {
				t.Errorf("hello state = %v", hello.State())
			}
			// The crashed app relaunches cold on its next event.
			setMode(t, a)
			must(t, a.Launch(ctx))
			if a.Launches() != 2 || a.State() != abi.StateActive {
				t.Errorf("after relaunch: launches %d, state %v", a.Launches(), a.State())
			}
		})
	}
}

func TestWildPointersGetStatusCodes(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Config{FrontmostTimeout: -1, SuspendDelay: -1})
	a := chaos(t, h, "DidFinishLaunching wildptr")
	must(t, a.Launch(context.Background()))
	// Each refused request leaves its reason (not app_info's result from
	// before); the guest's memory size varies, so it is masked.
	lines := h.guestLines("chaos:")
	for i, l := range lines {
		lines[i] = regexp.MustCompile(`memory of \d+ bytes`).ReplaceAllString(l, "memory of N bytes")
	}
	equal(t, "statuses", lines, []string{
		"chaos: event_read -3", "chaos: event_reply -3", "chaos: log -3",
		"chaos: log-level -2",
		`chaos: request -3 "app_info: the arguments at 4294967040, 64 bytes, are outside the guest's memory of N bytes"`,
		`chaos: request-unknown -4 "op(9999): not implemented by this host"`,
		`chaos: request-big -6 "app_info: arguments of 70000 bytes are over the limit of 65536 bytes"`})
}

func TestSandboxConfinesTheGuest(t *testing.T) {
	h := newHarness(t, Config{FrontmostTimeout: -1, SuspendDelay: -1})
	a := h.load(t, chaosDir)
	secret := filepath.Join(h.data, "secret")
	must(t, os.WriteFile(secret, []byte("host secret"), 0o600))
	must(t, os.Symlink(secret, filepath.Join(a.Container(), "planted")))
	t.Setenv("WATCHBOX_TEST_SECRET", "leak")
	setMode(t, a,
		"DidFinishLaunching read /../secret ../secret ../../secret /planted /etc/passwd",
		"DidFinishLaunching symlink /../../secret /mine",
		"DidFinishLaunching env",
		"DidFinishLaunching write /big 70000",
		"DidFinishLaunching write /small 1000",
		"DidFinishLaunching read /mode")
	must(t, a.Launch(context.Background()))
	lines := h.guestLines("chaos:")
	for _, l := range lines {
		if strings.Contains(l, "host secret") {
			t.Errorf("guest read the host's secret: %s", l)
		}
	}
	want := map[string]bool{
		"chaos: read /../secret: error": true, "chaos: read ../secret: error": true,
		"chaos: read ../../secret: error": true, "chaos: read /planted: error": true,
		"chaos: read /etc/passwd: error": true, "chaos: env 0 []": true,
		"chaos: write /small 1000: <nil>": true, "chaos: read /mode: ok": true,
	}
	for _, l := range lines {
		for w := range want {
			if strings.HasPrefix(l, w) {
				delete(want, w)
			}
		}
		if strings.HasPrefix(l, "chaos: write /big") && strings.HasSuffix(l, "<nil>") {
			t.Errorf("write over the 64KiB data quota succeeded: %s", l)
		}
		if strings.HasPrefix(l, "chaos: read /mine") && !strings.Contains(l, "\"\"") {
			t.Errorf("guest symlink escaped: %s", l)
		}
	}
	for w := range want {
		t.Errorf("missing guest line %q in %q", w, lines)
	}
	if b, err := os.ReadFile(secret); err != nil || string(b) != "host secret" {
		t.Errorf("secret changed: %q %v", b, err)
	}
}

func TestClockRandomnessAndAppInfo(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Config{FrontmostTimeout: -1, SuspendDelay: -1})
	a := chaos(t, h, "DidFinishLaunching clock", "DidBecomeActive info")
	must(t, a.Launch(context.Background()))
	lines := h.guestLines("chaos:")
	if len(lines) != 2 || !strings.HasPrefix(lines[0], "chaos: slept ") {
		t.Fatalf("lines = %q", lines)
	}
	equal(t, "info", lines[1:], []string{"chaos: info dev.watchbox.test.chaos active 1 true <nil>"})
}

// budgetProfile returns the default profile with overrides.
func budgetProfile(t *testing.T, set ...string) profile.Profile {
	t.Helper()
	p := profile.Default()
	if err := p.ParseSet(set); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestRunawayLoopIsKilledForCPUTime(t *testing.T) {
	t.Parallel()
	// 1M instructions per second and 50 ms per life-cycle call: a budget of
	// 50,000 instructions, spent long before the wall-clock deadline.
	h := newHarness(t, Config{FrontmostTimeout: -1, SuspendDelay: -1,
		Profile: budgetProfile(t, "instruction_rate=1000000", "lifecycle_time=50ms", "launch_time=60s")})
	a := chaos(t, h, "DidBecomeActive spin")
	err := a.Launch(context.Background())
	var ce *CrashError
	if !errors.As(err, &ce) || ce.Termination != TerminationCPU || ce.Event != abi.EventDidBecomeActive {
		t.Fatalf("Launch error = %v, want a cpu_time_exceeded crash in did_become_active", err)
	}
	if ce.Fuel < 50_000 || ce.Fuel > 60_000 {
		t.Errorf("fuel used = %d, want the 50000 budget plus a bounded overshoot", ce.Fuel)
	}
	if !strings.Contains(err.Error(), "0xc51bad01") {
		t.Errorf("error %q lacks the CPU termination code", err)
	}
	for _, want := range []string{"did_become_active used its whole CPU budget", "lifecycle_time=50ms (50000 fuel; it used ", "--set lifecycle_time=100ms", "background task"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not explain the kill: it lacks %q", err, want)
		}
	}
	if a.State() != abi.StateNotRunning {
		t.Errorf("state = %v", a.State())
	}
}

func TestBusyGuestIsKilledAtItsDeadline(t *testing.T) {
	t.Parallel()
	// A budget of fuel the guest cannot spend in time: the wall clock stops it.
	h := newHarness(t, Config{FrontmostTimeout: -1, SuspendDelay: -1,
		Profile: budgetProfile(t, "instruction_rate=1000000000000", "lifecycle_time=100ms")})
	a := h.load(t, chaosDir)
	for _, action := range []string{"spin", "sleep"} {
		t.Run(action, func(t *testing.T) {
			setMode(t, a, "DidBecomeActive "+action)
			start := time.Now()
			err := a.Launch(context.Background())
			elapsed := time.Since(start)
			var ce *CrashError
			if !errors.As(err, &ce) || ce.Termination != TerminationWall {
				t.Fatalf("Launch error = %v, want a wall_time_exceeded crash", err)
			}
			if elapsed > 3*time.Second {
				t.Errorf("the call was stopped after %v; the deadline was 100ms", elapsed)
			}
			if len(h.guestLines("chaos: woke up")) != 0 {
				t.Errorf("the sleeping guest ran on after its deadline")
			}
		})
	}
}

func TestFuelIsDeterministic(t *testing.T) {
	t.Parallel()
	run := func() []int64 {
		h := newHarness(t, Config{FrontmostTimeout: -1, SuspendDelay: -1, Seed: 7})
		a := h.load(t, "../tests/apps/c-hello")
		must(t, a.Launch(context.Background()))
		must(t, a.WristDown(context.Background()))
		h.mu.Lock()
		defer h.mu.Unlock()
		var fuel []int64
		for _, c := range h.call {
			if c.Fuel <= 0 {
				t.Errorf("%v used no fuel", c.Event)
			}
			fuel = append(fuel, c.Fuel)
		}
		return fuel
	}
	first, second := run(), run()
	if len(first) != 4 || fmt.Sprint(first) != fmt.Sprint(second) {
		t.Errorf("fuel per call differs between identical runs:\n %v\n %v", first, second)
	}
}

func TestVirtualClockRunsTimersAndGuestTime(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	start := time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC)
	h := newHarness(t, Config{Virtual: true, Start: start})
	a := chaos(t, h, "DidBecomeActive clock")
	began := time.Now()
	must(t, a.Launch(ctx))
	must(t, a.WristDown(ctx))
	// Nothing moves on a virtual clock until the runtime is told to run.
	if a.State() != abi.StateInactive {
		t.Fatalf("state = %v", a.State())
	}
	must(t, h.rt.RunFor(ctx, 2*time.Minute+30*time.Second))
	if a.State() != abi.StateSuspended {
		t.Fatalf("state after 2m30s = %v, want suspended (2m frontmost + 10s)", a.State())
	}
	if real := time.Since(began); real > 5*time.Second {
		t.Errorf("a virtual 2.5 minutes took %v of real time", real)
	}
	// The guest slept 20 ms of virtual time, not real time.
	equal(t, "guest clock", h.guestLines("chaos: slept"), []string{"chaos: slept 20"})
	if got := h.rt.Now(); got.Before(start.Add(2*time.Minute + 30*time.Second)) {
		t.Errorf("clock = %v", got)
	}
}

func TestVirtualRunsAreIdentical(t *testing.T) {
	t.Parallel()
	run := func() string {
		ctx := context.Background()
		h := newHarness(t, Config{Virtual: true, Seed: 3})
		a := h.load(t, "../tests/apps/c-hello")
		must(t, a.Launch(ctx))
		must(t, a.WristDown(ctx))
		must(t, h.rt.RunFor(ctx, time.Hour))
		must(t, a.Launch(ctx))
		h.mu.Lock()
		defer h.mu.Unlock()
		var b strings.Builder
		for _, c := range h.call {
			fmt.Fprintf(&b, "%v %v %d %v\n", c.Event, c.State, c.Fuel, c.Duration)
		}
		fmt.Fprintf(&b, "now %v\n", h.rt.Now())
		return b.String()
	}
	first, second := run(), run()
	if first != second {
		t.Errorf("two virtual runs differ:\n%s\n---\n%s", first, second)
	}
	if !strings.Contains(first, "did_enter_background") {
		t.Errorf("the frontmost timeout did not fire:\n%s", first)
	}
}

// virtualChaos returns a harness on a virtual clock starting at 09:00 and
// the chaos app with mode lines, plus the decisions reported.
func virtualChaos(t *testing.T, mode ...string) (*harness, *App, *[]Decision) {
	t.Helper()
	var ds []Decision
	var mu sync.Mutex
	h := newHarness(t, Config{Virtual: true, Start: time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC),
		OnDecision: func(d Decision) { mu.Lock(); ds = append(ds, d); mu.Unlock() }})
	return h, chaos(t, h, mode...), &ds
}

func decisionsWith(ds []Decision, rule string) []string {
	var out []string
	for _, d := range ds {
		if d.Rule == rule {
			out = append(out, d.String())
		}
	}
	return out
}

func TestBackgroundRefreshRunsAtItsDateAndCompletes(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	h, a, ds := virtualChaos(t, "DidFinishLaunching schedule 30m", "Tasks complete")
	must(t, a.Launch(ctx))
	must(t, a.WristDown(ctx))
	must(t, h.rt.RunFor(ctx, 50*time.Minute)) // before the 10:00 return_to_default_state snapshot
	equal(t, "guest", h.guestLines("chaos: "), []string{
		"chaos: scheduled for 09:30:01 <nil>",
		`chaos: task 2 application_refresh "refresh-info" at 09:30:01`, // task 1: the app_backgrounded snapshot
		"chaos: complete 2 <nil>",
	})
	if a.State() != abi.StateSuspended {
		t.Errorf("state after the task = %v, want suspended again", a.State())
	}
	if got := decisionsWith(*ds, "refresh.run"); len(got) != 1 || !strings.HasPrefix(got[0], "09:30:01 dev.watchbox.test.chaos") {
		t.Errorf("run decisions = %q", got)
	}
	if len(a.Why()) < 3 {
		t.Errorf("Why() = %v", a.Why())
	}
}

func TestRefreshBudgetDelaysButNeverFails(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	// No complication on the active face: 1 refresh per hour.
	h, a, ds := virtualChaos(t, "DidFinishLaunching schedule 10m", "Tasks complete", "Tasks schedule 10m")
	must(t, a.Launch(ctx))
	must(t, a.EnterBackground(ctx))
	must(t, h.rt.RunFor(ctx, 3*time.Hour+11*time.Minute))
	var ran []string
	for _, l := range h.guestLines("chaos: task ") {
		ran = append(ran, l[len(l)-8:])
	}
	equal(t, "refresh times", ran, []string{"09:10:01", "10:10:01", "11:10:01", "12:10:01"})
	delayed := decisionsWith(*ds, "refresh.hourly_budget")
	if len(delayed) == 0 || !strings.Contains(delayed[0], "refresh delayed to 10:10:01: 1 of 1 this hour used") {
		t.Errorf("delay decisions = %q", delayed)
	}
}

func TestRefreshDueWhileFrontmostIsDropped(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	h, a, ds := virtualChaos(t, "DidFinishLaunching schedule 1m", "Tasks complete")
	must(t, a.Launch(ctx))
	must(t, h.rt.RunFor(ctx, 5*time.Minute))
	if got := decisionsWith(*ds, "refresh.frontmost"); len(got) != 1 {
		t.Errorf("frontmost drops = %q (all: %v)", got, *ds)
	}
	if got := h.guestLines("chaos: task"); len(got) != 0 {
		t.Errorf("a task ran while the app was frontmost: %q", got)
	}
}

func TestUncompletedTaskIsWarnedThenKilled(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	h, a, ds := virtualChaos(t, "DidFinishLaunching schedule 30m")
	must(t, a.Launch(ctx))
	must(t, a.EnterBackground(ctx))
	must(t, h.rt.RunFor(ctx, time.Hour))
	equal(t, "guest", h.guestLines("chaos: task"), []string{
		`chaos: task 2 application_refresh "refresh-info" at 09:30:01`,
		"chaos: task 2 will expire at 09:30:14",
	})
	kills := decisionsWith(*ds, "task.deadline")
	if len(kills) != 1 || !strings.Contains(kills[0], "0x2182bad2") {
		t.Errorf("kill decisions = %q", kills)
	}
	if a.State() != abi.StateNotRunning || a.Crashes().Count() != 1 {
		t.Errorf("state %v, crashes %d", a.State(), a.Crashes().Count())
	}
	h.mu.Lock()
	last := h.call[len(h.call)-1]
	h.mu.Unlock()
	if last.Termination != TerminationTaskDeadline {
		t.Errorf("last call %+v, want a task_not_finished termination", last)
	}
}

func TestTriggerForcesATask(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	h, a, _ := virtualChaos(t, "Tasks complete")
	must(t, a.Tasks().Trigger(ctx, abi.TaskWatchConnectivity, []byte("hi")))
	equal(t, "guest", h.guestLines("chaos: "), []string{
		`chaos: task 1 watch_connectivity "hi" at 09:00:00`, "chaos: complete 1 <nil>"})
	if a.State() != abi.StateBackground {
		t.Errorf("state = %v, want background (launched into the background)", a.State())
	}
}

func parsePush(t *testing.T, src string) *push.Push {
	t.Helper()
	p, err := push.Parse([]byte(src), 0)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestBackgroundPushesAreThrottledAndCoalesced(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	h, a, ds := virtualChaos(t)
	must(t, a.Launch(ctx))
	must(t, a.EnterBackground(ctx))
	for i := 1; i <= 5; i++ {
		must(t, a.Notifications().Push(ctx, parsePush(t, fmt.Sprintf(`{"aps":{"content-available":1},"n":%d}`, i))))
		must(t, h.rt.RunFor(ctx, 5*time.Minute))
	}
	must(t, h.rt.RunFor(ctx, time.Hour))
	// 3 an hour: the 4th is held until the window has room, and the 5th,
	// arriving while the 4th is held, replaces it.
	equal(t, "delivered", h.guestLines("chaos: remote"), []string{
		`chaos: remote {"n":1} at 09:00:00`, `chaos: remote {"n":2} at 09:05:00`,
		`chaos: remote {"n":3} at 09:10:00`, `chaos: remote {"n":5} at 10:00:00`})
	if got := decisionsWith(*ds, "background_push.coalesced"); len(got) != 1 {
		t.Errorf("coalesced = %q", got)
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, c := range h.call {
		if c.Event == abi.EventRemoteNotification && c.State != abi.StateBackground {
			t.Errorf("push delivered in state %v", c.State)
		}
	}
}

func TestAlertPushIsPresentedOnlyToAnActiveApp(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	h, a, ds := virtualChaos(t)
	must(t, a.Launch(ctx))
	alert := `{"aps":{"alert":{"title":"Rain","body":"at 4pm"}},"city":"Oslo"}`
	must(t, a.Notifications().Push(ctx, parsePush(t, alert)))
	must(t, a.EnterBackground(ctx))
	must(t, a.Notifications().Push(ctx, parsePush(t, alert)))
	equal(t, "presented to the delegate", h.guestLines("chaos: present"), []string{`chaos: present push-1 "Rain" "at 4pm" {"city":"Oslo"}`})
	if got := decisionsWith(*ds, "notification.presented"); len(got) != 1 || !strings.Contains(got[0], `push-2 presented to the user (the app is background): "Rain"`) {
		t.Errorf("presented decisions = %q", got)
	}
	// An alert given as a plain string is its body: shown, not "".
	must(t, a.Notifications().Push(ctx, parsePush(t, `{"aps":{"alert":"Storm at 6pm"}}`)))
	if got := decisionsWith(*ds, "notification.presented"); len(got) != 2 || !strings.Contains(got[1], `push-3 presented to the user (the app is background): "Storm at 6pm"`) {
		t.Errorf("presented decisions = %q", got)
	}
}

func TestComplicationPushNeedsTheActiveFaceAndTakesASnapshot(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	h, a, ds := virtualChaos(t, "Tasks complete")
	p := parsePush(t, `{"watchbox-push-type":"complication","temp":21}`)
	must(t, a.Notifications().Push(ctx, p)) // no complication on the active face
	if got := decisionsWith(*ds, "complication_push.inactive_face"); len(got) != 1 {
		t.Errorf("inactive-face drops = %q", got)
	}
	a.Complication().SetActive(true)
	must(t, a.Notifications().Push(ctx, p))
	equal(t, "guest", h.guestLines("chaos: "), []string{
		`chaos: complication push {"temp":21}`,
		"chaos: task 1 snapshot (complication_update) at 09:00:00",
		"chaos: complete 1 <nil>"})
}

func TestPhoneDataReachesABackgroundAppWithinTheDeliveryDelay(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	h, a, ds := virtualChaos(t, "Tasks complete")
	must(t, a.Launch(ctx))
	must(t, a.Phone().Deliver(ctx, PhoneMessage, []byte(`{"m":1}`))) // frontmost: at once
	must(t, a.EnterBackground(ctx))
	must(t, h.rt.RunFor(ctx, time.Minute))
	must(t, a.Phone().Deliver(ctx, PhoneMessage, []byte(`{"m":2}`))) // not reachable
	must(t, a.Phone().Deliver(ctx, PhoneUserInfo, []byte(`{"u":1}`)))
	must(t, a.Phone().Deliver(ctx, PhoneContext, []byte(`{"c":1}`)))
	must(t, a.Phone().Deliver(ctx, PhoneContext, []byte(`{"c":2}`))) // replaces c:1
	must(t, a.Phone().Deliver(ctx, PhoneUserInfo, []byte(`{"u":2}`)))
	must(t, h.rt.RunFor(ctx, time.Hour))
	// The watch-connectivity task comes first, then the data (issue 14,
	// model item 4); this app completes the task at once.
	equal(t, "guest", h.guestLines("chaos: "), []string{
		`chaos: message {"m":1}`,
		`chaos: task 2 watch_connectivity "" at 09:11:00 content pending`, // task 1: the app_backgrounded snapshot
		"chaos: complete 2 <nil>",
		`chaos: user info {"u":1} at 09:11:00`,
		`chaos: context {"c":2} at 09:11:00`,
		`chaos: user info {"u":2} at 09:11:00`})
	if got := decisionsWith(*ds, "phone.unreachable"); len(got) != 1 {
		t.Errorf("unreachable drops = %q", got)
	}
	// The replaced application context is recorded (issue 14, model
	// item 4).
	if got := decisionsWith(*ds, "phone.context_replaced"); len(got) != 1 || !strings.Contains(got[0], "only the latest application context is delivered") {
		t.Errorf("replaced contexts = %q, want one", got)
	}
}

func TestBluetoothAlertsHaveADailyBudgetResetByOpeningTheApp(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	h, a, ds := virtualChaos(t, "Tasks complete")
	for i := 0; i < 6; i++ {
		must(t, a.Bluetooth().Alert(ctx, "heart-strap"))
		must(t, h.rt.RunFor(ctx, time.Minute))
	}
	if got := len(h.guestLines("chaos: task")); got != 5 {
		t.Errorf("%d alerts delivered, want 5 a day", got)
	}
	var warned bool
	for _, d := range *ds {
		warned = warned || strings.Contains(d.Reason, "warning")
	}
	if !warned || len(decisionsWith(*ds, "bluetooth.daily_budget")) != 1 {
		t.Errorf("want a near-limit warning and one over-budget drop, got %v", *ds)
	}
	must(t, a.Launch(ctx)) // the user opens the app
	if len(decisionsWith(*ds, "bluetooth.reset_on_open")) != 1 {
		t.Errorf("opening the app did not reset the count: %v", *ds)
	}
	must(t, a.Bluetooth().Alert(ctx, "heart-strap"))
	if got := len(h.guestLines("chaos: task")); got != 6 {
		t.Errorf("after the reset: %d alerts delivered, want 6", got)
	}
}

// routes is an http.RoundTripper that answers from a table, in process.
type routes map[string]string

func (rs routes) RoundTrip(r *http.Request) (*http.Response, error) {
	body, ok := rs[r.URL.Path]
	if !ok {
		return nil, fmt.Errorf("no route to %s", r.URL.Host)
	}
	status, header := 200, http.Header{}
	if strings.HasPrefix(body, "500 ") {
		status, body = 500, body[4:]
	}
	if loc, ok := strings.CutPrefix(body, "302 "); ok { // a redirect to loc
		status, body = 302, ""
		header.Set("Location", loc)
	}
	return &http.Response{StatusCode: status, Body: io.NopCloser(strings.NewReader(body)), Header: header, Request: r}, nil
}

// countingRoutes counts the requests that reach each host.
type countingRoutes struct {
	routes
	mu   sync.Mutex
	hits map[string]int
}

func (c *countingRoutes) RoundTrip(r *http.Request) (*http.Response, error) {
	c.mu.Lock()
	c.hits[r.URL.Host]++
	c.mu.Unlock()
	return c.routes.RoundTrip(r)
}

// TestRedirectOutsideTheAllowListIsRefused: an allowed host that answers
// with a redirect to a host the manifest does not allow must not get the
// other host fetched: the hop is refused, the task carries an error that
// names the host, and nothing is stored. A redirect within the allowed
// hosts is followed.
func TestRedirectOutsideTheAllowListIsRefused(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	var ds []Decision
	web := &countingRoutes{routes: routes{
		"/hop":      "302 https://evil.example/loot",
		"/loot":     "the other host's body",
		"/inside":   "302 https://weather.example/forecast",
		"/forecast": "sunny",
	}, hits: map[string]int{}}
	h := newHarness(t, Config{Virtual: true, Start: time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC),
		HTTPClient: &http.Client{Transport: web},
		OnDecision: func(d Decision) { ds = append(ds, d) }})
	a := chaos(t, h,
		"DidFinishLaunching download f1 https://weather.example/hop",
		"DidFinishLaunching download f2 https://weather.example/inside",
		"Tasks complete")
	must(t, a.Launch(ctx))
	must(t, h.rt.RunFor(ctx, time.Minute))
	equal(t, "tasks", h.guestLines("chaos: task"), []string{
		`chaos: task 1 url_session f1 status 0 file "" "" error "Get \"https://evil.example/loot\": redirect to https://evil.example/loot refused: evil.example is not in the manifest's allowedHosts [weather.example]"`,
		`chaos: task 2 url_session f2 status 200 file "/Downloads/f2" "sunny" error ""`,
	})
	if n := web.hits["evil.example"]; n != 0 {
		t.Errorf("evil.example got %d requests, want none", n)
	}
	if _, err := os.Stat(filepath.Join(a.Container(), "Downloads", "f1")); !os.IsNotExist(err) {
		t.Errorf("a refused redirect left /Downloads/f1 behind (stat: %v)", err)
	}
	if got := decisionsWith(ds, "url_session.finished"); len(got) != 2 || !strings.Contains(got[0], "evil.example is not in the manifest's allowedHosts") {
		t.Errorf("url_session.finished decisions = %q, want the refused hop named first", got)
	}
}

func TestBackgroundDownloadWakesTheAppWithTheFile(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	var ds []Decision
	h := newHarness(t, Config{Virtual: true, Start: time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC),
		HTTPClient: &http.Client{Transport: routes{"/forecast": "sunny", "/broken": "500 oops"}},
		OnDecision: func(d Decision) { ds = append(ds, d) }})
	a := chaos(t, h,
		"DidFinishLaunching download f1 https://weather.example/forecast",
		"DidFinishLaunching download f2 https://weather.example/broken",
		"DidFinishLaunching download f3 https://weather.example/missing",
		"DidFinishLaunching download f4 https://evil.example/x",
		"Tasks complete")
	must(t, a.Launch(ctx))
	must(t, a.EnterBackground(ctx))
	must(t, a.Suspend(ctx))
	must(t, a.Purge(ctx)) // the downloads outlive the instance
	setMode(t, a, "Tasks complete")
	must(t, h.rt.RunFor(ctx, time.Minute))
	lines := h.guestLines("chaos: ")
	want := []string{
		"chaos: download f1: <nil>", "chaos: download f2: <nil>", "chaos: download f3: <nil>",
		"chaos: download f4: watch: start_download: host evil.example is not in the manifest's allowedHosts [weather.example]; add it there (not_allowed)",
		`chaos: task 2 url_session f1 status 200 file "/Downloads/f1" "sunny" error ""`, // task 1: the app_backgrounded snapshot
		`chaos: task 3 url_session f2 status 500 file "/Downloads/f2" "oops" error ""`,
		`chaos: task 4 url_session f3 status 0 file "" "" error "Get \"https://weather.example/missing\": no route to weather.example"`,
	}
	for _, w := range want {
		found := false
		for _, l := range lines {
			found = found || l == w
		}
		if !found {
			t.Errorf("missing %q in %q", w, lines)
		}
	}
	if a.Launches() != 2 {
		t.Errorf("launches = %d: the download should relaunch the purged app", a.Launches())
	}
	if len(decisionsWith(ds, "url_session.host_not_allowed")) != 1 {
		t.Errorf("decisions: %v", ds)
	}
}

func TestLocalNotificationsArePresentedTappedAndCancelled(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	h, a, ds := virtualChaos(t,
		"DidFinishLaunching notify n1 10m",
		"DidFinishLaunching notify n2 20m",
		"DidFinishLaunching notify n3 30s repeat",
		"DidFinishLaunching notify n4 1h repeat",
		"DidFinishLaunching cancel n2",
		"DidFinishLaunching cancel nope")
	must(t, a.Launch(ctx))
	setMode(t, a) // later launches schedule nothing
	must(t, a.EnterBackground(ctx))
	must(t, h.rt.RunFor(ctx, 2*time.Hour+time.Minute))
	equal(t, "scheduling", h.guestLines("chaos: notify"), []string{
		"chaos: notify n1: <nil>", "chaos: notify n2: <nil>",
		"chaos: notify n3: watch: schedule_notification: a repeating time-interval trigger needs at least 60 s, got 30 s (bad_argument)",
		"chaos: notify n4: <nil>"})
	equal(t, "cancel", h.guestLines("chaos: cancel"), []string{
		"chaos: cancel n2: <nil>", `chaos: cancel nope: watch: cancel_notification: no notification "nope" is pending (not_found)`})
	presented := decisionsWith(*ds, "notification.presented")
	if len(presented) != 3 || !strings.HasPrefix(presented[0], "09:10:00") || !strings.Contains(presented[1], "n4") || !strings.HasPrefix(presented[2], "11:00:00") {
		t.Errorf("presented = %q, want n1 at 09:10 and the hourly n4 at 10:00 and 11:00", presented)
	}
	must(t, a.Notifications().Tap(ctx, "n1", ""))
	equal(t, "tap", h.guestLines("chaos: tapped"), []string{
		`chaos: tapped n1 "Stand up" action com.apple.UNNotificationDefaultActionIdentifier at 11:01:00`})
	if a.State() != abi.StateActive {
		t.Errorf("state after the tap = %v, want active (the tap opens the app)", a.State())
	}
	if err := a.Notifications().Tap(ctx, "n1", ""); err == nil {
		t.Error("a notification can be tapped only once")
	}
}
