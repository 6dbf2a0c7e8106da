package host

import (
	"context"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/watchbox/watchbox/abi"
	"github.com/watchbox/watchbox/host/bundle"
)

const counterDir = "../tests/apps/counter"

// variants are the counter app's edited copies, built once per test
// binary, by edit.
var variants = struct {
	sync.Mutex
	built map[string]variant
}{built: map[string]variant{}}

type variant struct {
	file string
	wasm []byte
	err  error
}

// counterVariant builds a copy of tests/apps/counter with each old string
// of edits replaced by the new one after it, and returns its module. The
// copy is a module of its own beside the test cache, at a path fixed by
// its name, so the bundle cache builds it once across runs.
func counterVariant(t testing.TB, name string, edits ...string) ([]byte, string) {
	t.Helper()
	variants.Lock()
	defer variants.Unlock()
	if v, ok := variants.built[name]; ok {
		if v.err != nil {
			t.Fatal(v.err)
		}
		return v.wasm, v.file
	}
	v := buildVariant(name, edits)
	variants.built[name] = v
	if v.err != nil {
		t.Fatal(v.err)
	}
	return v.wasm, v.file
}

func buildVariant(name string, edits []string) variant {
	dir := filepath.Join(testCache, "reload-src", name)
	root, err := filepath.Abs("..")
	if err != nil {
		return variant{err: err}
	}
	src, err := os.ReadFile(filepath.Join(counterDir, "main.go"))
	if err != nil {
		return variant{err: err}
	}
	text := string(src)
	for i := 0; i+1 < len(edits); i += 2 {
		text = strings.Replace(text, edits[i], edits[i+1], 1)
	}
	manifest, err := os.ReadFile(filepath.Join(counterDir, "watchapp.json"))
	if err != nil {
		return variant{err: err}
	}
	gomod, err := os.ReadFile(filepath.Join(root, "go.mod"))
	if err != nil {
		return variant{err: err}
	}
	goLine := "go 1.26"
	for _, l := range strings.Split(string(gomod), "\n") {
		if strings.HasPrefix(l, "go ") {
			goLine = l
		}
	}
	mod := "module example.com/counter\n\n" + goLine + "\n\nrequire github.com/watchbox/watchbox v0.0.0\n\nreplace github.com/watchbox/watchbox => " + root + "\n"
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return variant{err: err}
	}
	for f, b := range map[string]string{"main.go": text, "watchapp.json": string(manifest), "go.mod": mod} {
		if old, err := os.ReadFile(filepath.Join(dir, f)); err == nil && string(old) == b {
			continue // unchanged: keeps the content hash, and the cached build
		}
		if err := os.WriteFile(filepath.Join(dir, f), []byte(b), 0o644); err != nil {
			return variant{err: err}
		}
	}
	wasm, info, err := bundle.Build(context.Background(), dir, bundle.BuildOptions{CacheDir: filepath.Join(testCache, "build")})
	return variant{file: info.Path, wasm: wasm, err: err}
}

// TestReloadCarriesStateAndSchedules swaps the counter app for a new
// version while it is in the background with a refresh scheduled: the
// count passes across in save_state and restore_state, no life-cycle call
// is made, and the refresh the old version asked for runs the new code.
func TestReloadCarriesStateAndSchedules(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	h := newHarness(t, Config{Virtual: true, FrontmostTimeout: -1, SuspendDelay: -1})
	a := h.load(t, counterDir)
	v2, file := counterVariant(t, "v2", `version = "v1"`, `version = "v2"`)
	must(t, a.Launch(ctx))
	must(t, a.EnterBackground(ctx))
	must(t, a.Launch(ctx))
	must(t, a.EnterBackground(ctx)) // opens 2; a refresh due in 15 minutes
	h.events()

	r, err := a.Dev().Reload(ctx, file, v2)
	if err != nil {
		t.Fatal(err)
	}
	if !r.Running || !r.Carried || r.Version != 2 || r.Note != "" || r.StateBytes != len("counter/1 2") || !r.Prestarted {
		t.Errorf("reload = %+v, want running, carried, version 2, 11 bytes of state, started before the swap", r)
	}
	equal(t, "calls of the swap", h.events(), []string{"save_state:background", "restore_state:background"})
	if got := a.State(); got != abi.StateBackground {
		t.Errorf("state after the swap = %v, want background", got)
	}
	if v, hash, n := a.Dev().Version(); v != 2 || n != 1 || hash != r.Hash {
		t.Errorf("Version() = %d, %s, %d; want 2, %s, 1", v, hash, n, r.Hash)
	}
	must(t, h.rt.RunFor(ctx, 16*time.Minute))
	equal(t, "the refresh the old version scheduled", h.guestLines("v"), []string{
		"v1 launched", "v1 active, opens 1", "v1 snapshot task, opens 1", "v1 active, opens 2", "v1 snapshot task, opens 2",
		"v2 restored, opens 2", "v2 application_refresh task, opens 2",
	})
	must(t, a.Launch(ctx))
	if got := h.guestLines("v2 active"); len(got) != 1 || got[0] != "v2 active, opens 3" {
		t.Errorf("after the reload: %q, want the count carried on to 3", got)
	}

	// The same module again is no reload.
	if r, err := a.Dev().Reload(ctx, file, v2); err != nil || !r.Same {
		t.Errorf("reloading the running module: %+v, %v; want Same", r, err)
	}
}

// TestReloadWaitsForTheSequenceInProgress starts a reload while the app
// is in the middle of its launch (three calls under one lock): the swap
// waits for the sequence to finish, so no call of it goes to the new
// version and save_state comes after did_become_active. Not parallel: it
// sets a package hook.
func TestReloadWaitsForTheSequenceInProgress(t *testing.T) {
	ctx := context.Background()
	compiled := make(chan struct{})
	testHookBeforeSwapLock = func() { close(compiled) }
	defer func() { testHookBeforeSwapLock = nil }()
	v2, file := counterVariant(t, "v2", `version = "v1"`, `version = "v2"`)
	var a *App
	done := make(chan error, 1)
	cfg := Config{Virtual: true, FrontmostTimeout: -1, SuspendDelay: -1}
	h := newHarness(t, cfg)
	a = h.load(t, counterDir)
	h.rt.env.OnCall = func(c Call) {
		h.mu.Lock()
		h.call = append(h.call, c)
		h.mu.Unlock()
		if c.Event != abi.EventDidFinishLaunching {
			return
		}
		// The launch holds the app's lock: start a reload and wait until
		// it is about to take the lock too.
		go func() {
			_, err := a.Dev().Reload(ctx, file, v2)
			done <- err
		}()
		select {
		case <-compiled:
		case <-time.After(5 * time.Minute):
			t.Error("the reload did not compile the new module within 5 minutes")
		}
	}
	must(t, a.Launch(ctx))
	select {
	case err := <-done:
		must(t, err)
	case <-time.After(5 * time.Minute):
		t.Fatal("the reload did not finish within 5 minutes")
	}
	if v, _, _ := a.Dev().Version(); v != 2 {
		t.Errorf("version %d after the reload, want 2", v)
	}
	equal(t, "calls", h.events(), []string{"did_finish_launching:inactive", "will_enter_foreground:inactive",
		"did_become_active:active", "save_state:active", "restore_state:active"})
	equal(t, "guest lines", h.guestLines("v"), []string{"v1 launched", "v1 active, opens 1", "v2 restored, opens 1"})
}

// TestReloadRefusedStateStartsCold swaps in a version whose state schema
// changed: it refuses the old state and starts fresh, brought back to
// active through a cold launch's calls.
func TestReloadRefusedStateStartsCold(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	h := newHarness(t, Config{Virtual: true, FrontmostTimeout: -1, SuspendDelay: -1})
	a := h.load(t, counterDir)
	v3, file := counterVariant(t, "schema2", `version = "v1"`, `version = "v3"`, `"counter/1"`, `"counter/2"`)
	must(t, a.Launch(ctx))
	h.events()
	r, err := a.Dev().Reload(ctx, file, v3)
	if err != nil {
		t.Fatal(err)
	}
	if r.Carried || !strings.Contains(r.Note, `refused the saved state: RestoreState: unknown state schema "counter/1"`) || !r.Prestarted {
		t.Errorf("reload = %+v, want not carried, with the refusal, the instance that refused started before the swap", r)
	}
	equal(t, "calls", h.events(), []string{"save_state:active", "restore_state:active",
		"did_finish_launching:inactive", "will_enter_foreground:inactive", "did_become_active:active"})
	if got := h.guestLines("v3 active"); len(got) != 1 || got[0] != "v3 active, opens 1" {
		t.Errorf("after the reload: %q, want a fresh count", got)
	}
	if n := a.Launches(); n != 2 {
		t.Errorf("launches = %d, want 2: the cold start counts", n)
	}
}

// TestReloadWithoutStateStartsCold reloads hello, which handles neither
// event, in the background: the new version is launched there.
func TestReloadWithoutStateStartsCold(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	h := newHarness(t, Config{Virtual: true, FrontmostTimeout: -1, SuspendDelay: -1})
	a := h.load(t, helloDir)
	must(t, a.Launch(ctx))
	must(t, a.EnterBackground(ctx))
	h.events()
	v2, file := counterVariant(t, "v2", `version = "v1"`, `version = "v2"`)
	r, err := a.Dev().Reload(ctx, file, v2)
	if err != nil {
		t.Fatal(err)
	}
	if r.Carried || r.Note != "the old version does not handle save_state" || !r.Prestarted {
		t.Errorf("reload = %+v, want not carried, the new instance started before the swap", r)
	}
	equal(t, "calls", h.events(), []string{"save_state:background", "did_finish_launching:background"})
}

// holdEdits make the counter app's "hold" variant: it keeps every
// background task it is given open, never completing it.
var holdEdits = []string{
	`version = "v1"`, `version = "hold"`,
	"type app struct{ opens int }", "type app struct{ opens int }\n\n// held are the tasks this version keeps open.\nvar held []*watch.Task",
	"t.Complete(false)", "held = append(held, t)",
}

// reloadWithOpenTask loads the hold variant in the background with one
// refresh task open (past its expiration warning), then reloads it with
// the counter variant name made by edits (which completes every task it
// is given). It returns the reload, the calls since the task was
// delivered, and the app's decisions after the clock ran past the task's
// deadline.
func reloadWithOpenTask(t *testing.T, name string, edits ...string) (Reload, []string, []Decision, *harness) {
	t.Helper()
	ctx := context.Background()
	var mu sync.Mutex
	var ds []Decision
	h := newHarness(t, Config{Virtual: true, FrontmostTimeout: -1, Start: time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC),
		OnDecision: func(d Decision) { mu.Lock(); ds = append(ds, d); mu.Unlock() }})
	counterVariant(t, "hold", holdEdits...)
	a := h.load(t, filepath.Join(testCache, "reload-src", "hold"))
	v2, file := counterVariant(t, name, edits...)
	must(t, a.Launch(ctx))
	must(t, a.EnterBackground(ctx))
	h.events()
	must(t, a.Tasks().Trigger(ctx, abi.TaskApplicationRefresh, []byte("x")))
	must(t, h.rt.RunFor(ctx, 14*time.Second)) // the warning is at 13 s, the deadline at 15 s
	r, err := a.Dev().Reload(ctx, file, v2)
	must(t, err)
	must(t, h.rt.RunFor(ctx, time.Minute))
	mu.Lock()
	defer mu.Unlock()
	return r, h.events(), slices.Clone(ds), h
}

// TestReloadColdStartRedeliversOpenTasks reloads an app that holds two
// background tasks open (the snapshot of entering the background and a
// refresh) with a version that refuses its state: the new version starts
// cold, is handed both again in one event (same ids, same deadlines),
// completes them, and is not killed at the deadline. Nothing is counted
// twice: one delivery and one completion each.
func TestReloadColdStartRedeliversOpenTasks(t *testing.T) {
	t.Parallel()
	r, calls, ds, h := reloadWithOpenTask(t, "schema2", `version = "v1"`, `version = "v3"`, `"counter/1"`, `"counter/2"`)
	if r.Carried || r.Redelivered != 2 {
		t.Errorf("reload = %+v, want not carried, 2 tasks delivered again", r)
	}
	equal(t, "calls", calls, []string{
		"background_tasks:background", "task_will_expire:background", "task_will_expire:background", // to the old version, which holds the tasks
		"save_state:background", "restore_state:background", // refused
		"did_finish_launching:background", "background_tasks:background", // the cold start; both completed, so no warning
	})
	equal(t, "guest lines", h.guestLines("v3"), []string{"v3 launched", "v3 snapshot task, opens 0", "v3 application_refresh task, opens 0"})
	checkRedelivered(t, ds, "snapshot task 1", "application_refresh task 2")
	completed := decisionsWith(ds, "task.completed")
	if len(completed) != 2 || !strings.Contains(completed[0], "snapshot task 1 completed after 14.") ||
		!strings.Contains(completed[1], "application_refresh task 2 completed after 14.") {
		t.Errorf("completions: %q, want tasks 1 and 2 completed once each, by the new version", completed)
	}
	for _, rule := range []string{"task.deadline", "task.not_redelivered", "task.unhandled"} {
		if got := decisionsWith(ds, rule); len(got) > 0 {
			t.Errorf("%s: %q, want none", rule, got)
		}
	}
	if got := decisionsWith(ds, "trigger"); len(got) != 1 {
		t.Errorf("deliveries: %q, want the one trigger", got)
	}
}

// TestReloadColdStartRedeliversWarning reloads the same app with a
// version that refuses its state and holds its tasks too: it is handed the
// tasks and, since their warning went to the old version already, their
// expiration warnings; it is killed once, at the first deadline, as the
// old version would have been.
func TestReloadColdStartRedeliversWarning(t *testing.T) {
	t.Parallel()
	r, calls, ds, _ := reloadWithOpenTask(t, "hold-schema2", append(slices.Clone(holdEdits), `"counter/1"`, `"counter/2"`)...)
	if r.Carried || r.Redelivered != 2 {
		t.Errorf("reload = %+v, want not carried, 2 tasks delivered again", r)
	}
	equal(t, "calls", calls, []string{
		"background_tasks:background", "task_will_expire:background", "task_will_expire:background",
		"save_state:background", "restore_state:background",
		"did_finish_launching:background", "background_tasks:background", "task_will_expire:background", "task_will_expire:background",
		"background_tasks:not_running", // the kill at the deadline
	})
	checkRedelivered(t, ds, "snapshot task 1", "application_refresh task 2")
	if got := decisionsWith(ds, "task.deadline"); len(got) != 1 || !strings.Contains(got[0], "killed") {
		t.Errorf("deadline: %q, want one kill", got)
	}
	if got := decisionsWith(ds, "task.not_redelivered"); len(got) != 1 || !strings.Contains(got[0], "application_refresh task 2 dropped") {
		t.Errorf("dropped: %q, want the other task dropped with the killed instance", got)
	}
}

// checkRedelivered checks that the tasks named (kind and id) were
// delivered again, in order, with their deadline unchanged.
func checkRedelivered(t *testing.T, ds []Decision, tasks ...string) {
	t.Helper()
	got := decisionsWith(ds, "task.redelivered")
	if len(got) != len(tasks) {
		t.Fatalf("delivered again: %q, want %q", got, tasks)
	}
	for i, task := range tasks {
		want := "09:00:14 dev.watchbox.counter: " + task + " delivered again: the new version from a hot reload started cold and never saw it; its deadline stays 09:00:15 ("
		if !strings.HasPrefix(got[i], want) {
			t.Errorf("delivered again: %q, want it to start %q", got[i], want)
		}
	}
}

// TestReloadWarmKeepsOpenTasks reloads the same app with a version that
// takes its state: nothing is delivered again (the new version carries
// what it needs), and the open tasks keep their deadline, at which the
// app is killed as it would have been without the reload.
func TestReloadWarmKeepsOpenTasks(t *testing.T) {
	t.Parallel()
	r, calls, ds, _ := reloadWithOpenTask(t, "v2", `version = "v1"`, `version = "v2"`)
	if !r.Carried || r.Redelivered != 0 {
		t.Errorf("reload = %+v, want carried, nothing delivered again", r)
	}
	equal(t, "calls", calls, []string{"background_tasks:background", "task_will_expire:background", "task_will_expire:background",
		"save_state:background", "restore_state:background", "background_tasks:not_running"})
	if got := decisionsWith(ds, "task.redelivered"); len(got) > 0 {
		t.Errorf("delivered again after a warm swap: %q", got)
	}
	if got := decisionsWith(ds, "task.deadline"); len(got) != 1 || !strings.Contains(got[0], "killed") {
		t.Errorf("deadline: %q, want the task still open and the app killed at its deadline", got)
	}
}

// TestReloadInitCrashKeepsOldVersion reloads the running counter app with
// a version whose _initialize panics: it crashes while it starts, before
// the swap, so the reload is refused, the old version keeps serving with
// its state, and nothing is counted as the app's crash.
func TestReloadInitCrashKeepsOldVersion(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	h := newHarness(t, Config{Virtual: true, FrontmostTimeout: -1, SuspendDelay: -1})
	a := h.load(t, counterDir)
	bad, file := counterVariant(t, "initpanic", `version = "v1"`, `version = "initpanic"`,
		"func main() {}", "func init() { panic(\"initpanic: the new version cannot start\") }\n\nfunc main() {}")
	must(t, a.Launch(ctx))
	h.events()
	r, err := a.Dev().Reload(ctx, file, bad)
	var ie *InvalidAppError
	if !errors.As(err, &ie) || !strings.Contains(err.Error(), "crashed while starting (_initialize), before the swap") ||
		!strings.Contains(err.Error(), "the old version keeps running") {
		t.Fatalf("Reload = %+v, %v; want an *InvalidAppError for the crash before the swap", r, err)
	}
	if v, _, n := a.Dev().Version(); v != 1 || n != 0 {
		t.Errorf("Version() = %d, %d reloads; want 1, 0", v, n)
	}
	if got := h.events(); len(got) != 0 {
		t.Errorf("calls into the app: %q, want none", got)
	}
	if a.State() != abi.StateActive {
		t.Errorf("state %v, want active still", a.State())
	}
	must(t, a.WristDown(ctx))
	must(t, a.Launch(ctx))
	if got := h.guestLines("v1 active"); len(got) != 2 || got[1] != "v1 active, opens 2" {
		t.Errorf("the old version after a refused reload: %q, want it to go on counting", got)
	}
}

// TestReloadInitRequestStartsOnCallPath reloads with a version whose
// _initialize asks the host for app_info: started before the swap, the
// request is refused, so that instance is dropped and the swap starts
// another with the app's calls held, whose request is answered.
func TestReloadInitRequestStartsOnCallPath(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	h := newHarness(t, Config{Virtual: true, FrontmostTimeout: -1, SuspendDelay: -1})
	a := h.load(t, counterDir)
	v, file := counterVariant(t, "initinfo", `version = "v1"`, `version = "initinfo"`,
		"func main() {}", "func init() {\n\tinfo, err := watch.App()\n\twatch.Printf(\"initinfo init: %q, %v\", info.BundleID, err)\n}\n\nfunc main() {}")
	must(t, a.Launch(ctx))
	r, err := a.Dev().Reload(ctx, file, v)
	must(t, err)
	if r.Prestarted || !r.Carried {
		t.Errorf("reload = %+v, want the state carried, by an instance started on the call path", r)
	}
	lines := h.guestLines("initinfo init")
	if len(lines) != 2 || !strings.Contains(lines[0], "not available while the new version starts outside the app's call path") ||
		lines[1] != `initinfo init: "dev.watchbox.counter", <nil>` {
		t.Errorf("init lines: %q, want the refused request, then the answered one", lines)
	}
}

// TestReloadKeepsNotificationsAndDownloads reloads the chaos app (which
// carries no state, so the new version starts cold in the background)
// while a local notification is pending and a download is in flight:
// the notification is presented at its time, once, and the download's
// task goes to the new version, once.
func TestReloadKeepsNotificationsAndDownloads(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	var mu sync.Mutex
	var ds []Decision
	h := newHarness(t, Config{Virtual: true, Start: time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC),
		HTTPClient: &http.Client{Transport: routes{"/forecast": "sunny"}},
		OnDecision: func(d Decision) { mu.Lock(); ds = append(ds, d); mu.Unlock() }})
	a := chaos(t, h, "DidFinishLaunching notify n1 10m", "DidFinishLaunching download f1 https://weather.example/forecast", "Tasks complete")
	must(t, a.Launch(ctx))
	setMode(t, a, "Tasks complete") // the cold start schedules nothing again
	must(t, a.EnterBackground(ctx))
	wasm, info, err := bundle.Build(ctx, chaosDir, bundle.BuildOptions{CacheDir: filepath.Join(testCache, "build")})
	must(t, err)
	// The same module with a custom section appended: another version.
	r, err := a.Dev().Reload(ctx, info.Path, append(slices.Clone(wasm), 0x00, 0x03, 0x01, 'x', 0x00))
	must(t, err)
	if !r.Running || r.Carried || r.Version != 2 {
		t.Errorf("reload = %+v, want version 2 started cold", r)
	}
	must(t, h.rt.RunFor(ctx, 11*time.Minute))
	mu.Lock()
	defer mu.Unlock()
	if got := decisionsWith(ds, "notification.presented"); len(got) != 1 || !strings.HasPrefix(got[0], "09:10:00") || !strings.Contains(got[0], "n1") {
		t.Errorf("presented = %q, want n1 once, at 09:10", got)
	}
	if got := decisionsWith(ds, "url_session.finished"); len(got) != 1 {
		t.Errorf("downloads finished = %q, want f1 once", got)
	}
	var tasks []string
	for _, l := range h.guestLines("chaos: task") {
		if strings.Contains(l, "url_session") {
			tasks = append(tasks, l)
		}
	}
	if len(tasks) != 1 || !strings.Contains(tasks[0], `url_session f1 status 200 file "/Downloads/f1" "sunny"`) {
		t.Errorf("download tasks = %q, want f1's, once, to the new version", tasks)
	}
	if n := a.Launches(); n != 2 {
		t.Errorf("launches = %d, want 2: the load's and the cold start's", n)
	}
}

// TestReloadBadModuleKeepsOldVersion hands Reload bytes that are no
// module: the error says so and the old version keeps serving.
func TestReloadBadModuleKeepsOldVersion(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	h := newHarness(t, Config{Virtual: true, FrontmostTimeout: -1, SuspendDelay: -1})
	a := h.load(t, counterDir)
	must(t, a.Launch(ctx))
	_, err := a.Dev().Reload(ctx, "broken.wasm", []byte("\x00asm\x01\x00\x00\x00garbage"))
	var ie *InvalidAppError
	if !errors.As(err, &ie) {
		t.Fatalf("Reload(garbage) = %v, want an *InvalidAppError", err)
	}
	if v, _, n := a.Dev().Version(); v != 1 || n != 0 {
		t.Errorf("Version() = %d, %d reloads; want 1, 0", v, n)
	}
	must(t, a.WristDown(ctx))
	must(t, a.Launch(ctx))
	if got := h.guestLines("v1 active"); len(got) != 2 {
		t.Errorf("the old version after a refused reload: %q", got)
	}
}

// BenchmarkReload swaps the running counter app between two builds, with
// its state carried over, and reports the two parts of each reload that
// happen in the runtime: compile-ms (check, meter and compile the new
// module while the old one serves; wazero's compilation cache is warm
// after the first two), start-ms (the new instance's _initialize, before
// the swap, while the old one serves), swap-ms (waiting for the app's
// call path and the swap) and held-ms (the swap with the app's calls
// held: save_state, the adoption of the new instance, restore_state), all
// wall time, and cpu-ms, the process's CPU time per reload (with GC). The
// Go build is not in it: see docs/performance.md for the whole loop.
func BenchmarkReload(b *testing.B) {
	ctx := context.Background()
	v1, f1 := counterVariant(b, "bench-a", `version = "v1"`, `version = "bench-a"`)
	v2, f2 := counterVariant(b, "v2", `version = "v1"`, `version = "v2"`)
	rt := benchRuntime(b, Config{Virtual: true})
	a, err := rt.Load(ctx, counterDir)
	if err != nil {
		b.Fatal(err)
	}
	if err := a.Launch(ctx); err != nil {
		b.Fatal(err)
	}
	var compile, start, swap, held time.Duration
	cpu0 := processCPU()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		wasm, file := v1, f1
		if i%2 == 1 {
			wasm, file = v2, f2
		}
		r, err := a.Dev().Reload(ctx, file, wasm)
		if err != nil || !r.Carried {
			b.Fatalf("reload %d: %+v, %v", i, r, err)
		}
		if !r.Prestarted {
			b.Fatalf("reload %d: the new instance was not started before the swap", i)
		}
		compile += r.Compile
		start += r.Start
		swap += r.Wait + r.Swap
		held += r.Swap
	}
	cpu := processCPU() - cpu0
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 / float64(b.N) }
	b.ReportMetric(ms(compile), "compile-ms")
	b.ReportMetric(ms(start), "start-ms")
	b.ReportMetric(ms(swap), "swap-ms")
	b.ReportMetric(ms(held), "held-ms")
	b.ReportMetric(ms(cpu), "cpu-ms")
}

// processCPU is the CPU time the process has used so far.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
