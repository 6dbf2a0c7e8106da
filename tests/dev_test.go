package tests

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/watchbox/watchbox/host/trace"
)

// devWait bounds each wait for a reload: a Go build of the edited app on
// a loaded machine. Nothing waits on a timer otherwise.
const devWait = 5 * time.Minute

// counterCopy copies tests/apps/counter to a module of its own in a
// temporary directory (go.mod pointing at this checkout) and returns it.
func counterCopy(t *testing.T) string {
	t.Helper()
	return appCopy(t, "tests/apps/counter")
}

// appCopy copies the main.go and watchapp.json of the app in src (a
// slash-separated path in this checkout) to a module of its own in a
// temporary directory (go.mod pointing at this checkout) and returns it.
func appCopy(t *testing.T, src string) string {
	t.Helper()
	name := filepath.Base(src)
	dir := filepath.Join(t.TempDir(), name)
	for _, f := range []string{"main.go", "watchapp.json"} {
		b, err := os.ReadFile(filepath.Join(repoRoot, filepath.FromSlash(src), f))
		if err != nil {
			t.Fatal(err)
		}
		writeFile(t, dir, f, b)
	}
	gomod, err := os.ReadFile(filepath.Join(repoRoot, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	goLine := "go 1.26"
	for _, l := range strings.Split(string(gomod), "\n") {
		if strings.HasPrefix(l, "go ") {
			goLine = l
		}
	}
	writeFile(t, dir, "go.mod", []byte("module example.com/"+name+"\n\n"+goLine+"\n\nrequire github.com/watchbox/watchbox v0.0.0\n\nreplace github.com/watchbox/watchbox => "+repoRoot+"\n"))
	return dir
}

// saveAs writes main.go with version set to v, the way editors that
// write a temporary file and rename it over the original save.
func saveAs(t *testing.T, dir, v string, extra ...string) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(repoRoot, "tests", "apps", "counter", "main.go"))
	if err != nil {
		t.Fatal(err)
	}
	src := strings.Replace(string(b), `version = "v1"`, `version = "`+v+`"`, 1)
	for i := 0; i+1 < len(extra); i += 2 {
		src = strings.Replace(src, extra[i], extra[i+1], 1)
	}
	tmp := filepath.Join(dir, ".main.go.swp")
	if err := os.WriteFile(tmp, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, filepath.Join(dir, "main.go")); err != nil {
		t.Fatal(err)
	}
}

// TestDevReloadsOnSave runs `watchbox dev` on a copy of the counter app
// and edits it: a rename-on-save reloads it with the count carried over,
// a broken edit keeps the old version serving and prints the compiler's
// file:line, the fix reloads, and a burst of saves gives one rebuild.
func TestDevReloadsOnSave(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: four Go builds of the edited app")
	}
	t.Parallel()
	dir := counterCopy(t)
	sock := filepath.Join(runtimeDir, "dev.sock")
	p := start(t, "dev", "--data", t.TempDir(), "--control", sock, dir)
	defer p.signalAndWait(os.Interrupt, time.Minute, "Ctrl-C must end watchbox dev")
	p.waitFor("v1 active, opens 1", devWait)
	p.waitFor("watchbox dev: watching dev.watchbox.counter", devWait)

	saveAs(t, dir, "v2")
	p.waitFor("dev.watchbox.counter  reload v2 ", devWait)
	p.waitFor("main.go changed; build ", devWait)
	p.waitFor("state carried (11 bytes)", devWait)
	fmt.Fprintln(p.stdin, "wrist-down, wrist-up")
	p.waitFor("v2 active, opens 2", devWait) // the new code, the old count

	st := watchbox(t, nil, "status", "--control", sock)
	expect(t, st, exitOK, "dev.watchbox.counter: active", "version 2 (", "), 1 reload(s)")

	saveAs(t, dir, "v3", "func (a *app) DidBecomeActive() {", "func (a *app) DidBecomeActive() { undefinedName()")
	p.waitFor("reload failed (main.go changed)", devWait)
	p.waitFor("main.go:", devWait)
	p.waitFor("undefined: undefinedName", devWait)
	p.waitFor("v2 ", devWait)
	p.waitFor("keeps running; the next save tries again", devWait)
	fmt.Fprintln(p.stdin, "wrist-down, wrist-up")
	p.waitFor("v2 active, opens 3", devWait) // the old version still serves

	// A burst of saves: one rebuild, of the last content.
	for _, v := range []string{"b1", "b2", "b3", "b4"} {
		saveAs(t, dir, v)
	}
	p.waitFor("dev.watchbox.counter  reload v3 ", devWait)
	fmt.Fprintln(p.stdin, "wrist-down, wrist-up")
	p.waitFor("b4 active, opens 4", devWait)
	if out := p.result().output(); strings.Contains(out, "reload v4") || strings.Contains(out, "b1 active") {
		t.Errorf("a burst of saves gave more than one reload\n%s", p.result())
	}
}

// TestDevReloadsWasmBundle swaps a prebuilt .wasm bundle: the module
// that handles no save_state starts cold, back to the state the app was
// in. The run's --trace holds the reload, as a span with its parts, and
// the swap's calls.
func TestDevReloadsWasmBundle(t *testing.T) {
	t.Parallel()
	wasm := validGuest().module()
	dir := moduleBundle(t, wasm)
	sock := filepath.Join(runtimeDir, "devwasm.sock")
	traceFile := filepath.Join(t.TempDir(), "dev.trace.json")
	p := start(t, "dev", "--data", t.TempDir(), "--control", sock, "--trace", traceFile, dir)
	ended := false
	defer func() {
		if !ended {
			p.signalAndWait(os.Interrupt, time.Minute, "Ctrl-C must end watchbox dev")
		}
	}()
	p.waitFor("watchbox dev: watching dev.watchbox.test.bad", devWait)

	// The same module with a custom section ("x", one byte) appended.
	tmp := filepath.Join(dir, "app.wasm.tmp")
	if err := os.WriteFile(tmp, append(wasm, 0x00, 0x03, 0x01, 'x', 0x00), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, filepath.Join(dir, "app.wasm")); err != nil {
		t.Fatal(err)
	}
	p.waitFor("dev.watchbox.test.bad  reload v2 ", devWait)
	p.waitFor("app.wasm changed", devWait)
	p.waitFor("state not carried, started cold: save_state answered ok with no state", devWait)
	expect(t, watchbox(t, nil, "status", "--control", sock), exitOK, "dev.watchbox.test.bad: active, 2 launch(es)", "version 2 (", "1 reload(s)")

	ended = true
	p.signalAndWait(os.Interrupt, time.Minute, "Ctrl-C must end watchbox dev")
	b, err := os.ReadFile(traceFile)
	if err != nil {
		t.Fatal(err)
	}
	events, err := trace.Parse(b)
	if err != nil {
		t.Fatal(err)
	}
	if err := trace.Check(events); err != nil {
		t.Fatalf("the dev trace breaks the viewers' rules: %v\n%s", err, b)
	}
	var begin, end *trace.Event
	saveState := false
	for i, e := range events {
		switch {
		case e.Cat == "reload" && e.Ph == "b":
			begin = &events[i]
		case e.Cat == "reload" && e.Ph == "e":
			end = &events[i]
		case e.Cat == "call" && e.Name == "save_state":
			saveState = true
		}
	}
	if begin == nil || end == nil || end.Name != "reload" || begin.ID != end.ID || end.TS < begin.TS {
		t.Fatalf("no reload span in the trace: begin %+v, end %+v\n%s", begin, end, b)
	}
	args := end.Args
	if args["version"] != float64(2) || args["swapped"] != true || args["carried"] != false ||
		fmt.Sprint(args["changed"]) != "[app.wasm]" || args["swap_ns"] == nil || args["compile_ns"] == nil {
		t.Errorf("the reload span's args = %v; want version 2, swapped, not carried, app.wasm changed, with its times", args)
	}
	if !saveState {
		t.Errorf("the swap's save_state call is not in the trace\n%s", b)
	}
}

// saveFile writes data to dir/name the way editors that write a temporary
// file and rename it over the original save.
func saveFile(t *testing.T, dir, name, data string) {
	t.Helper()
	tmp := filepath.Join(dir, "."+name+".swp")
	if err := os.WriteFile(tmp, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, filepath.Join(dir, name)); err != nil {
		t.Fatal(err)
	}
}

// weatherManifest is apps/weather's watchapp.json with the bundle id,
// allowed hosts and forecast URL given.
func weatherManifest(id, hosts, forecast string) string {
	return `{
  "CFBundleIdentifier": "` + id + `",
  "CFBundleDisplayName": "Weather",
  "abiVersion": 1,
  "WKBackgroundModes": ["remote-notification"],
  "complication": true,
  "memoryLimit": "64MiB",
  "dataQuota": "1MiB",
  "allowedHosts": [` + hosts + `],
  "settings": {"forecastURL": "` + forecast + `"},
  "source": "."
}
`
}

// TestDevReloadsManifest edits the watchapp.json of a running copy of
// the weather app, which downloads its forecast from the URL its
// manifest's settings name, from a host its allowedHosts must list: the
// new settings and allowed hosts are in force at the next event with the
// same module, a broken manifest keeps the last good one with the
// checker's line:column, and a new bundle id is refused by name.
func TestDevReloadsManifest(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: a Go build of the weather app")
	}
	t.Parallel()
	dir := appCopy(t, "apps/weather")
	sock := filepath.Join(runtimeDir, "devmanifest.sock")
	p := start(t, "dev", "--data", t.TempDir(), "--control", sock, dir)
	defer p.signalAndWait(os.Interrupt, time.Minute, "Ctrl-C must end watchbox dev")
	p.waitFor("watchbox dev: watching dev.watchbox.weather", devWait)

	// New settings: the forecast from a host the manifest does not allow.
	saveFile(t, dir, "watchapp.json", weatherManifest("dev.watchbox.weather", `"weather.example"`, "https://other.example/forecast"))
	p.waitFor("dev.watchbox.weather  reload: watchapp.json changed; build ", devWait)
	p.waitFor("the module is the same; watchapp.json applied: settings\n", devWait)
	fmt.Fprintln(p.stdin, "trigger weather application-refresh")
	p.waitFor("download forecast-1 refused: other.example is not in the manifest's allowedHosts [weather.example]", devWait)

	// Allow it: the next download goes there.
	saveFile(t, dir, "watchapp.json", weatherManifest("dev.watchbox.weather", `"weather.example", "other.example"`, "https://other.example/forecast"))
	p.waitFor("watchapp.json applied: allowedHosts\n", devWait)
	fmt.Fprintln(p.stdin, "trigger weather application-refresh")
	p.waitFor("download forecast-2 of https://other.example/forecast started", devWait)

	// A broken manifest: the checker's line:column, the last good one
	// stays in force.
	bad := strings.Replace(weatherManifest("dev.watchbox.weather", `"weather.example"`, "https://weather.example/forecast"), `"1MiB"`, `"lots"`, 1)
	saveFile(t, dir, "watchapp.json", bad)
	p.waitFor("reload failed (watchapp.json changed)", devWait)
	p.waitFor(`watchapp.json:8:3: dataQuota: "lots" is not a size`, devWait)
	p.waitFor("v1 ", devWait)
	fmt.Fprintln(p.stdin, "trigger weather application-refresh")
	p.waitForCount("of https://other.example/forecast started", 2, devWait)

	// A new bundle id cannot be taken by a running app: said by key.
	saveFile(t, dir, "watchapp.json", weatherManifest("dev.watchbox.other", `"weather.example", "other.example"`, "https://other.example/forecast"))
	p.waitFor(`CFBundleIdentifier changed from "dev.watchbox.weather" to "dev.watchbox.other", which cannot change while the app runs: the bundle identifier is the app's identity`, devWait)
	p.waitFor("restart watchbox dev to apply it, or change it back", devWait)
	expect(t, watchbox(t, nil, "status", "--control", sock), exitOK, "dev.watchbox.weather: ", "version 1 (", "0 reload(s)")
	if out := p.result().output(); strings.Contains(out, "reload v2") {
		t.Errorf("a manifest change swapped the module, which did not change\n%s", p.result())
	}
}

// TestDevEditsSampleApp edits a copy of a shipped sample, the smart alarm
// (apps/alarm), while `watchbox dev` runs it, and checks that the next
// events run the new code and that the app's state survived the reload.
// The sample handles no save_state, so the new version starts cold, and
// what survives is what the system keeps: the alarm's state.json in the
// data container (the new code reads it at its launch, and would
// schedule a second alarm without it), the life-cycle state (active: the
// cold start's did_become_active runs the new code), and the smart alarm
// session the old version scheduled, which is still pending after the
// swap and, fired, is handed to the new code to claim. The edit adds a
// line to DidBecomeActive that prints what the app read from its file,
// and rewords HandleExtendedRuntimeSession's line; the wake time is set
// 12 hours ahead so that the alarm cannot fire by itself during the test.
func TestDevEditsSampleApp(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: two Go builds of the sample")
	}
	t.Parallel()
	dir := appCopy(t, "apps/alarm")
	manifest, err := os.ReadFile(filepath.Join(dir, "watchapp.json"))
	if err != nil {
		t.Fatal(err)
	}
	wakeAt := time.Now().UTC().Add(12 * time.Hour).Truncate(time.Minute)
	wake := strings.Replace(string(manifest), `"wake": "06:30"`, `"wake": "`+wakeAt.Format("15:04")+`"`, 1)
	if wake == string(manifest) {
		t.Fatalf("apps/alarm/watchapp.json has no \"wake\": \"06:30\" setting to move:\n%s", manifest)
	}
	writeFile(t, dir, "watchapp.json", []byte(wake))
	data := t.TempDir()
	stateFile := filepath.Join(data, "containers", "dev.watchbox.alarm", "state.json")
	sock := filepath.Join(runtimeDir, "devsample.sock")
	p := start(t, "dev", "--data", data, "--control", sock, dir)
	defer p.signalAndWait(os.Interrupt, time.Minute, "Ctrl-C must end watchbox dev")
	p.waitFor("watchbox dev: watching dev.watchbox.alarm", devWait)
	p.waitFor("smart alarm scheduled for ", devWait)
	p.waitFor("did_become_active        ok", devWait)
	scheduled, err := os.ReadFile(stateFile)
	if err != nil {
		t.Fatalf("the alarm scheduled, but its state file: %v\n%s", err, p.result())
	}
	want := `{"alarm":"scheduled","for":"` + wakeAt.Format(time.RFC3339) + `"}`
	if string(scheduled) != want {
		t.Fatalf("state.json after the launch = %s; want %s", scheduled, want)
	}

	src, err := os.ReadFile(filepath.Join(dir, "main.go"))
	if err != nil {
		t.Fatal(err)
	}
	edited := string(src)
	for _, e := range [][2]string{
		{"func (a *app) DidBecomeActive() {", "func (a *app) DidBecomeActive() {\n\twatch.Printf(\"edited: alarm %s for %s\", a.st.Alarm, a.st.For)"},
		{`watch.Printf("woken for smart alarm %d", s.ID())`, `watch.Printf("edited: woken for smart alarm %d", s.ID())`},
	} {
		if strings.Count(edited, e[0]) != 1 {
			t.Fatalf("apps/alarm/main.go does not have %q once, which the test edits", e[0])
		}
		edited = strings.Replace(edited, e[0], e[1], 1)
	}
	saveFile(t, dir, "main.go", edited)
	p.waitFor("dev.watchbox.alarm  reload v2 ", devWait)
	p.waitFor("main.go changed; build ", devWait)
	p.waitFor("state not carried, started cold: the old version does not handle save_state", devWait)
	// The cold start brought the new version back to active: its
	// did_become_active ran the new code, on the state the file kept.
	readBack := "edited: alarm scheduled for " + wakeAt.Format(time.RFC3339)
	p.waitFor(readBack, devWait)
	if b, err := os.ReadFile(stateFile); err != nil || string(b) != want {
		t.Errorf("state.json after the reload = %s (%v); want it unchanged, %s", b, err, want)
	}
	expect(t, watchbox(t, nil, "status", "--control", sock), exitOK,
		"dev.watchbox.alarm: active, 2 launch(es), 0 crash(es)", "version 2 (", "), 1 reload(s)",
		"session: smart_alarm session 1 scheduled for "+wakeAt.Format("2006-01-02 15:04:05"))

	// The next event runs the new code.
	fmt.Fprintln(p.stdin, "wrist-down, wrist-up")
	p.waitForCount(readBack, 2, devWait)

	// The alarm the old version scheduled fires: the system hands its
	// session to the new version, which claims it and rings.
	fmt.Fprintln(p.stdin, "fire-alarm")
	p.waitFor("smart alarm 1 fired; its app is not running the instance that scheduled it: launched to claim it (handle_extended_session)", devWait)
	p.waitFor("edited: woken for smart alarm 1", devWait)
	p.waitFor("extended_session_did_start ok", devWait)
	ringing := `{"alarm":"ringing","for":"` + wakeAt.Format(time.RFC3339) + `"}`
	if b, err := os.ReadFile(stateFile); err != nil || string(b) != ringing {
		t.Errorf("state.json after the alarm fired = %s (%v); want %s", b, err, ringing)
	}
	// One alarm in all: the new version did not schedule another.
	out := p.result().output()
	if n, m := countIn(out, "INF smart alarm scheduled for "), countIn(out, "rule=extended.scheduled "); n != 1 || m != 1 {
		t.Errorf("the app scheduled %d alarm(s), the system %d; want 1: the new version lost the state and scheduled again\n%s", n, m, p.result())
	}
	if strings.Contains(out, "reload failed") || strings.Contains(out, "crashed") {
		t.Errorf("the reload failed or crashed\n%s", p.result())
	}
}

// TestDevReloadWarnsOfMisspelledDelegate: a save that adds a method whose
// name is close to a delegate method's (WillResignActiv) prints the
// build's warning with its reload, once, as a load logs it; every reload
// of sources that still have it prints it again, once, and the reload of
// the fixed sources prints none. A guest event after each reload (its
// line comes after the reload's warnings on stderr) marks where the
// reload's output ends.
func TestDevReloadWarnsOfMisspelledDelegate(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: three Go builds of the edited app")
	}
	t.Parallel()
	dir := counterCopy(t)
	p := start(t, "dev", "--data", t.TempDir(), "--control", "off", dir)
	defer p.signalAndWait(os.Interrupt, time.Minute, "Ctrl-C must end watchbox dev")
	p.waitFor("v1 active, opens 1", devWait)
	p.waitFor("watchbox dev: watching dev.watchbox.counter", devWait)
	warning := "dev.watchbox.counter  warning: watch.Register: *main.app has method WillResignActiv(), which is no delegate method, so it is never called; did you mean WillResignActive()?"
	misspell := []string{"func (a *app) DidBecomeActive() {", "func (a *app) WillResignActiv() { watch.Printf(\"resigning\") }\n\nfunc (a *app) DidBecomeActive() {"}
	for i, step := range []struct {
		version string
		edit    []string
		want    int // warnings printed in all, after this reload
	}{
		{"v2", misspell, 1},
		{"v3", misspell, 2},
		{"v4", nil, 2},
	} {
		saveAs(t, dir, step.version, step.edit...)
		p.waitFor(fmt.Sprintf("dev.watchbox.counter  reload v%d ", i+2), devWait)
		// The reload's warnings are written before the next call's record
		// (both hold the output's lock), and a guest line of a later event
		// comes after them on stderr: once it is read, so are they.
		fmt.Fprintln(p.stdin, "wrist-down, wrist-up")
		p.waitForCount("did_become_active        ok", 2+2*i, devWait)
		fmt.Fprintln(p.stdin, "wrist-down, wrist-up")
		p.waitFor(fmt.Sprintf("%s active, opens %d", step.version, 3+2*i), devWait)
		if n := countIn(p.result().output(), warning); n != step.want {
			t.Fatalf("after the reload to %s: %d warning line(s) %q in all; want %d\n%s", step.version, n, warning, step.want, p.result())
		}
	}
	if strings.Contains(p.result().output(), "WRN watch.Register") {
		t.Errorf("a warning other than the reload's\n%s", p.result())
	}
}
