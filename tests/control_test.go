package tests

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestControlEndpoint drives a live `watchbox run` from other commands:
// push (simctl's .apns format), trigger, step and status, then Ctrl-C.
func TestControlEndpoint(t *testing.T) {
	t.Parallel()
	data := t.TempDir()
	writeFile(t, filepath.Join(data, "containers", "dev.watchbox.test.chaos"), "mode", []byte("Tasks complete\n"))
	p := start(t, "run", "--stay", "--data", data, "--steps", "status", "tests/apps/chaos")
	p.waitFor("did_become_active", time.Minute)

	pushFile := filepath.Join(t.TempDir(), "alert.apns")
	os.WriteFile(pushFile, []byte(`{"Simulator Target Bundle":"dev.watchbox.test.chaos","aps":{"alert":{"title":"Rain","body":"at 4pm"}},"city":"Oslo"}`), 0o644)
	expect(t, watchbox(t, nil, "push", pushFile), exitOK, `"ok":true`)
	p.waitFor(`chaos: present push-1 "Rain"`, 10*time.Second)

	expect(t, watchbox(t, nil, "step", "wrist-down"), exitOK, `"state":"inactive"`)
	expect(t, watchbox(t, nil, "trigger", "watch-connectivity"), exitOK, `"ok":true`)
	p.waitFor("chaos: complete 1 <nil>", 10*time.Second)

	st := watchbox(t, nil, "status", "--json")
	expect(t, st, exitOK)
	var status struct {
		App       string
		State     string
		Decisions []struct{ Rule string }
	}
	if err := json.Unmarshal([]byte(st.stdout), &status); err != nil {
		t.Fatalf("status --json: %v\n%s", err, st)
	}
	if status.App != "dev.watchbox.test.chaos" || status.State != "inactive" || len(status.Decisions) < 2 {
		t.Errorf("status = %+v", status)
	}
	expect(t, watchbox(t, nil, "status"), exitOK, "dev.watchbox.test.chaos: inactive, 1 launch(es)", "[trigger]")

	// why and status as steps answer the client, not the run's stdout.
	expect(t, watchbox(t, nil, "step", "why"), exitOK, "dev.watchbox.test.chaos: ", "[trigger]")
	expect(t, watchbox(t, nil, "step", "status"), exitOK, "dev.watchbox.test.chaos: inactive, 1 launch(es)")
	whyJSON := watchbox(t, nil, "step", "--json", "why")
	expect(t, whyJSON, exitOK, `"ok":true`, `"why":[{`, `"rule":"trigger`)

	// A phone message for an app that is not reachable is dropped: the
	// client gets the decision and a non-zero exit, not "ok".
	expect(t, watchbox(t, nil, "step", "background"), exitOK, `"state":"background"`)
	msg := watchbox(t, nil, "phone", "message", `{"text":"hi"}`)
	expect(t, msg, exitUsage, "phone message dropped: the watch app is not reachable", "[phone.unreachable]")
	if strings.Contains(msg.output(), `"ok":true`) {
		t.Errorf("a dropped message answers ok\n%s", msg)
	}

	// Bad requests are refused with what was wrong, and the run goes on.
	expect(t, watchbox(t, nil, "push", "--bundle", "com.other", pushFile), exitUsage, `no app "com.other" in this run`)
	expect(t, watchbox(t, nil, "trigger", "nope"), exitUsage, `unknown task kind "nope"`)
	expect(t, watchbox(t, nil, "step", "jump"), exitUsage, `unknown step "jump"`)

	r := p.signalAndWait(os.Interrupt, 10*time.Second, "Ctrl-C must end a --stay run")
	if r.code != exitOK || !strings.Contains(r.stdout, `"interrupted":true`) && !strings.Contains(r.stdout, "launch(es)") {
		t.Errorf("run ended with %d\n%s", r.code, r)
	}
	if strings.Contains(r.stdout, "[trigger") || strings.Contains(r.stdout, "state inactive") {
		t.Errorf("the answers of step why and step status were printed on the run's stdout\n%s", r)
	}
	// With no run listening, the commands say so.
	expect(t, watchbox(t, nil, "status"), exitError, "no live watchbox run")
}

// controlStatus is `watchbox status --json`: "apps" lists the apps shown;
// when it is one app, its fields are also at the top level.
type controlStatus struct {
	appStatus
	Apps []appStatus
}

type appStatus struct {
	App, State        string
	Launches, Crashes int
	Current           bool
	Decisions         []struct{ Kind, Verdict, Rule, Reason string }
}

// rules returns the rules of an app's decisions.
func (s appStatus) rules() []string {
	var out []string
	for _, d := range s.Decisions {
		out = append(out, d.Rule)
	}
	return out
}

// statusJSON runs `watchbox status --json` with args and decodes it.
func statusJSON(t *testing.T, args ...string) controlStatus {
	t.Helper()
	r := watchbox(t, nil, append([]string{"status", "--json"}, args...)...)
	expect(t, r, exitOK)
	var st controlStatus
	if err := json.Unmarshal([]byte(r.stdout), &st); err != nil {
		t.Fatalf("status --json: %v\n%s", err, r)
	}
	return st
}

// TestControlSeveralApps drives a live run of two apps: status lists both,
// pushes go to their Simulator Target Bundle or to --bundle, phone data,
// Bluetooth alerts and taps reach the app named, steps may name an app, and
// requests naming no app of the run are refused with the run's apps.
func TestControlSeveralApps(t *testing.T) {
	t.Parallel()
	sock := filepath.Join(runtimeDir, "two.sock")
	ctl := func(args ...string) result {
		t.Helper()
		return watchbox(t, nil, append(args, "--control", sock)...)
	}
	p := start(t, "run", "--stay", "--control", sock, "--data", t.TempDir(), "--steps", "status", "apps/weather", "apps/hello")
	// status without an app covers every app; hello is loaded, not launched.
	p.waitFor("dev.watchbox.hello  state not_running, 0 launch(es)", 3*time.Minute) // cold builds may come first
	expect(t, ctl("status"), exitOK,
		"dev.watchbox.weather: active, 1 launch(es), 0 crash(es) (current)\n",
		"dev.watchbox.hello: not_running, 0 launch(es), 0 crash(es)\n")

	st := statusJSON(t, "--control", sock)
	if len(st.Apps) != 2 || st.App != "" ||
		st.Apps[0].App != "dev.watchbox.weather" || st.Apps[0].State != "active" || !st.Apps[0].Current ||
		st.Apps[1].App != "dev.watchbox.hello" || st.Apps[1].State != "not_running" || st.Apps[1].Current {
		t.Errorf("status --json of the run = %+v", st)
	}
	st = statusJSON(t, "--control", sock, "--bundle", "hello")
	if len(st.Apps) != 1 || st.App != "dev.watchbox.hello" || st.Apps[0].App != "dev.watchbox.hello" {
		t.Errorf("status --json --bundle hello = %+v", st)
	}

	// A push goes to its Simulator Target Bundle, even when that is not the
	// current app: hello is not running, so the alert goes to the user.
	dir := t.TempDir()
	toHello := writeFile(t, dir, "hello.apns", []byte(`{"Simulator Target Bundle":"dev.watchbox.hello","aps":{"alert":{"title":"Rain","body":"at 4pm"}}}`))
	expect(t, ctl("push", toHello), exitOK, `"app":"dev.watchbox.hello"`, `"ok":true`, `"state":"not_running"`)
	expect(t, ctl("status", "--bundle", "dev.watchbox.hello"), exitOK,
		`notification push-1 presented to the user`, `"Rain" [notification.presented]`)
	// --bundle wins over the target: weather is active, so its delegate
	// gets the alert.
	expect(t, ctl("push", "--bundle", "weather", toHello), exitOK, `"app":"dev.watchbox.weather"`, `"state":"active"`)
	p.waitFor("dev.watchbox.weather  notification_will_present", 10*time.Second)

	// Naming no app of the run is refused with the run's apps.
	apps := "it runs dev.watchbox.weather (apps/weather), dev.watchbox.hello (apps/hello)"
	expect(t, ctl("push", "--bundle", "com.other", toHello), exitUsage, `watchbox push: no app "com.other" in this run; `+apps)
	toOther := writeFile(t, dir, "other.apns", []byte(`{"Simulator Target Bundle":"com.other","aps":{"alert":{"title":"X"}}}`))
	expect(t, ctl("push", toOther), exitUsage, `the push targets com.other (Simulator Target Bundle): no app "com.other" in this run; `+apps)
	expect(t, ctl("status", "--bundle", "nope"), exitUsage, `watchbox status: no app "nope" in this run; `+apps)
	expect(t, ctl("phone", "--bundle", "nope", "user-info", `{"a":1}`), exitUsage, `no app "nope" in this run`)
	expect(t, ctl("step", "launch nope"), exitUsage, `watchbox step: no app "nope" in this run; `+apps)

	// Phone data: to the current app, frontmost, at once; to hello, not
	// running, within data_delivery_delay; a live message needs the app
	// frontmost.
	expect(t, ctl("phone", "user-info", `{"steps": 42}`), exitOK, `"app":"dev.watchbox.weather"`)
	p.waitFor("dev.watchbox.weather  phone_user_info", 10*time.Second)
	payload := writeFile(t, dir, "context.json", []byte(`{"city":"Oslo"}`))
	expect(t, ctl("phone", "--bundle", "hello", "context", "@"+payload), exitOK, `"app":"dev.watchbox.hello"`)
	expect(t, ctl("phone", "--bundle", "hello", "message", `{"ping":1}`), exitUsage,
		"watchbox phone: phone message dropped: the watch app is not reachable (it is not_running)", "[phone.unreachable]")
	rules := strings.Join(statusJSON(t, "--control", sock, "--bundle", "hello").rules(), " ")
	if !strings.Contains(rules, "data_delivery.delay") || !strings.Contains(rules, "phone.unreachable") {
		t.Errorf("hello's decisions %s: want data_delivery.delay (the context) and phone.unreachable (the message)", rules)
	}

	// A Bluetooth alert wakes hello into the background with a
	// bluetooth_alert task.
	expect(t, ctl("bluetooth-alert", "--bundle", "hello", "Heart Strap"), exitOK, `"app":"dev.watchbox.hello"`, `"state":"background"`)
	p.waitFor("dev.watchbox.hello  background_tasks", 10*time.Second)
	var alert string
	for _, d := range statusJSON(t, "--control", sock, "--bundle", "hello").Decisions {
		if d.Rule == "bluetooth.run" || strings.Contains(d.Reason, "bluetooth_alert task") {
			alert += d.Rule + ": " + d.Reason + "\n"
		}
	}
	if !strings.Contains(alert, "bluetooth.run") || !strings.Contains(alert, "bluetooth_alert task 1") {
		t.Errorf("hello's decisions lack the Bluetooth alert run and its bluetooth_alert task:\n%s", alert)
	}

	// Tapping hello's notification opens it, which makes it current.
	expect(t, ctl("complication", "--bundle", "hello", "on"), exitOK, `"ok":true`)
	// With its complication on the face, a complication transfer from the
	// phone wakes hello at once, within its daily budget.
	expect(t, ctl("phone", "--bundle", "hello", "complication", `{"t":1}`), exitOK, `"app":"dev.watchbox.hello"`)
	if rules := strings.Join(statusJSON(t, "--control", sock, "--bundle", "hello").rules(), " "); !strings.Contains(rules, "complication_transfer.run") {
		t.Errorf("hello's decisions %s: want complication_transfer.run", rules)
	}
	expect(t, ctl("tap", "--bundle", "hello", "--action", "reply"), exitOK, `"app":"dev.watchbox.hello"`, `"state":"active"`)
	p.waitFor("dev.watchbox.hello  notification_did_receive", 10*time.Second)
	expect(t, ctl("tap", "--bundle", "hello", "push-1"), exitUsage, `has no delivered notification "push-1"`)
	expect(t, ctl("status"), exitOK, "dev.watchbox.hello: active, 1 launch(es), 0 crash(es) (current)\n")
	// Steps and triggers without an app act on the current one.
	expect(t, ctl("trigger", "application-refresh"), exitOK, `"app":"dev.watchbox.hello"`)
	if rules := strings.Join(statusJSON(t, "--control", sock, "--bundle", "hello").rules(), " "); !strings.HasSuffix(rules, "trigger task.unhandled") {
		t.Errorf("hello's decisions %s: want them to end with the trigger, and the task hello has no handler for", rules)
	}
	// Opening weather sends hello, frontmost until then, to the background.
	expect(t, ctl("step", "launch", "weather"), exitOK, `"app":"dev.watchbox.weather"`, `"state":"active"`)
	expect(t, ctl("step", "--bundle", "hello", "wrist-down"), exitOK, `"app":"dev.watchbox.hello"`, `"state":"background"`)
	expect(t, ctl("step", "--bundle", "hello", "purge weather"), exitUsage,
		`step "purge weather" names dev.watchbox.weather, but the request is for dev.watchbox.hello`)
	expect(t, ctl("status"), exitOK, "dev.watchbox.weather: active, 1 launch(es), 0 crash(es) (current)\n",
		"dev.watchbox.hello: background, 1 launch(es), 0 crash(es)\n")

	r := p.signalAndWait(os.Interrupt, 10*time.Second, "Ctrl-C must end a --stay run")
	expect(t, r, exitOK, "dev.watchbox.weather: 1 launch(es), 0 crash(es), 0 failed call(s)\n",
		"dev.watchbox.hello: 1 launch(es), 0 crash(es), 0 failed call(s)\n")
}

// TestControlRefusedBeforeSending: arguments the commands can check are
// refused without a run to send them to (exit 2, not 1 for "no live run").
func TestControlRefusedBeforeSending(t *testing.T) {
	t.Parallel()
	none := filepath.Join(runtimeDir, "none.sock")
	missing := filepath.Join(t.TempDir(), "missing.json")
	for _, c := range []struct {
		args    []string
		phrases []string
	}{
		{[]string{"phone", "user-info", `{"steps": 42`}, []string{"watchbox phone: the payload is not JSON: unexpected end of JSON input", "@FILE"}},
		{[]string{"phone", "mesage", `{}`}, []string{`watchbox phone: unknown phone data kind "mesage" (did you mean "message"?)`}},
		{[]string{"trigger", "snapshott"}, []string{`watchbox trigger: unknown task kind "snapshott" (did you mean "snapshot"?)`}},
		{[]string{"phone", "context", `[1, 2]`}, []string{"watchbox phone: the payload must be a JSON object {...}, got [1, 2]"}},
		{[]string{"phone", "user-info", "@" + missing}, []string{"watchbox phone: open " + missing}},
		{[]string{"phone", "sms", `{}`}, []string{`watchbox phone: unknown phone data kind "sms"; kinds: user-info`}},
		{[]string{"phone", "user-info"}, []string{"watchbox phone: expected 2 arguments: user-info|context|message|complication JSON|@FILE"}},
		{[]string{"bluetooth-alert"}, []string{"watchbox bluetooth-alert: expected one argument: PERIPHERAL"}},
		{[]string{"tap", "a", "b"}, []string{"watchbox tap: expected at most one argument"}},
		{[]string{"peripheral", "strap"}, []string{"watchbox peripheral: expected NAME SERVICE/CHARACTERISTIC VALUE"}},
		{[]string{"peripheral", "strap", "heart/2A37", "72"}, []string{`watchbox peripheral: "heart" is not a Bluetooth UUID`}},
		{[]string{"peripheral", "a/b", "off"}, []string{`watchbox peripheral: the peripheral name "a/b" has a control character or '/'`}},
		{[]string{"peripheral", "strap", "180D/2A37", "@" + missing}, []string{"watchbox peripheral: open " + missing}},
		{[]string{"complication", "maybe"}, []string{`watchbox complication: expected on or off, got "maybe"`}},
		{[]string{"trigger", "nope"}, []string{`watchbox trigger: unknown task kind "nope"; kinds: application-refresh, snapshot,`}},
		{[]string{"step", "launch a b"}, []string{`watchbox step: step "launch a b" takes at most one argument, the app it acts on`}},
	} {
		r := watchbox(t, nil, append(c.args, "--control", none)...)
		expect(t, r, exitUsage, c.phrases...)
	}
	expect(t, watchbox(t, nil, "phone", "--control", none, "user-info", `{"steps": 42}`), exitError, "no live watchbox run at "+none)
}

// TestControlTasks: a Bluetooth alert gives the app a bluetooth_alert task
// with the peripheral, and `trigger expire` makes the open task expire now:
// its expiration handler runs at once, here completing it.
func TestControlTasks(t *testing.T) {
	t.Parallel()
	data := t.TempDir()
	writeFile(t, filepath.Join(data, "containers", "dev.watchbox.test.chaos"), "mode", []byte("Expire complete\n"))
	sock := filepath.Join(runtimeDir, "tasks.sock")
	p := start(t, "run", "--stay", "--control", sock, "--data", data, "--steps", "status", "tests/apps/chaos")
	p.waitFor("did_become_active", time.Minute)

	expect(t, watchbox(t, nil, "trigger", "--control", sock, "expire"), exitUsage,
		"watchbox trigger: dev.watchbox.test.chaos has no open background task to expire")
	expect(t, watchbox(t, nil, "bluetooth-alert", "--control", sock, "Heart Strap"), exitOK, `"ok":true`)
	p.waitFor(`chaos: task 1 bluetooth_alert "Heart Strap"`, 10*time.Second)
	expect(t, watchbox(t, nil, "trigger", "--control", sock, "expire"), exitOK, `"ok":true`)
	p.waitFor("chaos: task 1 will expire", 10*time.Second)
	// Simulated peripherals come and go on the live run.
	hr := writeFile(t, data, "hr.csv", []byte("t,bpm\n0,60\n5,61\n"))
	expect(t, watchbox(t, nil, "peripheral", "--control", sock, "Heart Strap", "180D/2A37", "@"+hr), exitOK, `"ok":true`)
	expect(t, watchbox(t, nil, "peripheral", "--control", sock, "Heart Strap", "180F/2A19", "87"), exitOK, `"ok":true`)
	expect(t, watchbox(t, nil, "peripheral", "--control", sock, "Heart Strap", "off"), exitOK, `"ok":true`)
	expect(t, watchbox(t, nil, "peripheral", "--control", sock, "Heart Strap", "off"), exitUsage, `watchbox peripheral: no peripheral "Heart Strap" is in range`)
	p.waitFor("chaos: complete 1 <nil>", 10*time.Second)
	rules := strings.Join(statusJSON(t, "--control", sock).rules(), " ")
	if !strings.Contains(rules, "bluetooth.run task.expire_forced task.completed") {
		t.Errorf("decisions %s: want bluetooth.run, task.expire_forced, task.completed", rules)
	}
	r := p.signalAndWait(os.Interrupt, 10*time.Second, "Ctrl-C must end a --stay run")
	expect(t, r, exitOK, "dev.watchbox.test.chaos: 1 launch(es), 0 crash(es), 0 failed call(s)")

	// The step: with --steps, an expire with no open task is reported and
	// the run goes on.
	r = watchbox(t, nil, "run", "--control", "off", "--data", data, "--steps", "expire, trigger chaos application-refresh, expire chaos", "tests/apps/chaos")
	expect(t, r, exitOK, "watchbox run: expire: dev.watchbox.test.chaos has no open background task to expire",
		"chaos: task 1 will expire", "chaos: complete 1 <nil>")
}

// TestRunSeveralApps runs two apps without a control endpoint: steps name
// their app or act on the current one (the first given, then the last
// launched), and an app the run does not have is a usage error before any
// launch.
func TestRunSeveralApps(t *testing.T) {
	t.Parallel()
	r := watchbox(t, nil, "run", "--control", "off", "--data", t.TempDir(),
		"--steps", "launch hello, wrist-down, status, trigger weather snapshot, status dev.watchbox.hello", "apps/weather", "apps/hello")
	expect(t, r, exitOK,
		// status: every app; opening hello sent weather to the background
		"dev.watchbox.weather  state background, 1 launch(es)\ndev.watchbox.hello  state inactive, 1 launch(es)\n",
		"dev.watchbox.weather: 1 launch(es), 0 crash(es), 0 failed call(s)\n",
		"dev.watchbox.hello: 1 launch(es), 0 crash(es), 0 failed call(s)\n")
	var events []string
	for _, c := range calls(r.stdout, "dev.watchbox.hello") {
		events = append(events, c.event+" "+c.state)
	}
	want := []string{
		"did_finish_launching inactive", "will_enter_foreground inactive", "did_become_active active", // launch hello
		"will_resign_active inactive",     // wrist-down: hello is current
		"did_enter_background background", // shutdown
	}
	if strings.Join(events, ", ") != strings.Join(want, ", ") {
		t.Errorf("hello's calls %v\nwant %v\n%s", events, want, r)
	}
	var weather []string
	for _, c := range calls(r.stdout, "dev.watchbox.weather") {
		weather = append(weather, c.event)
	}
	want = []string{"did_finish_launching", "will_enter_foreground", "did_become_active", // the first app is launched
		"will_resign_active", "did_enter_background", "background_tasks", // hello opens: the app_backgrounded snapshot
		"background_tasks"} // trigger weather snapshot
	if strings.Join(weather, ", ") != strings.Join(want, ", ") {
		t.Errorf("weather's calls %v\nwant %v\n%s", weather, want, r)
	}

	r = watchbox(t, nil, "run", "--control", "off", "--data", t.TempDir(), "--steps", "launch hello, purge nope", "apps/weather", "apps/hello")
	expect(t, r, exitUsage, `watchbox run: --steps: no app "nope" in this run; it runs dev.watchbox.weather (apps/weather), dev.watchbox.hello (apps/hello)`)
	if strings.Contains(r.stdout, "did_finish_launching") {
		t.Errorf("an app was launched despite the usage error\n%s", r)
	}
	expect(t, watchbox(t, nil, "run", "--control", "off", "--steps", "status", "apps/hello", "./apps/hello/"), exitUsage,
		"watchbox run: apps/hello and ./apps/hello/ are the same bundle; a run holds each app once")

	// With --json, a step record names the app it acts on.
	r = watchbox(t, nil, "run", "--json", "--control", "off", "--data", t.TempDir(), "--steps", "launch hello", "apps/weather", "apps/hello")
	expect(t, r, exitOK, `{"app":"dev.watchbox.weather","arg":"0s","step":"launch","type":"step"}`,
		`{"app":"dev.watchbox.hello","arg":"0s","step":"launch","type":"step"}`)
	if n := strings.Count(r.stdout, `"type":"summary"`); n != 2 {
		t.Errorf("%d summary records, want one for each app\n%s", n, r)
	}
}

// TestTriggerWithDetail: trigger takes a snapshot reason, a URL session's
// identifier or a Bluetooth peripheral after the kind, in steps and on the
// command line; a detail for a kind that takes none is refused up front.
func TestTriggerWithDetail(t *testing.T) {
	t.Parallel()
	r := watchbox(t, nil, "run", "--control", "off", "--data", t.TempDir(), "--steps",
		"trigger snapshot prelaunch, trigger weather url-session dl-1, trigger bluetooth-alert strap, why", "apps/weather")
	expect(t, r, exitOK,
		"dev.watchbox.weather: snapshot (prelaunch) task triggered by the developer [trigger]",
		"dev.watchbox.weather: url_session dl-1 task triggered by the developer [trigger]",
		"dev.watchbox.weather: bluetooth_alert task triggered by the developer [trigger]",
		// the forced url_session task says no download finished
		"forecast download dl-1 failed: status 0 forced by the developer: no download finished")
	r = watchbox(t, nil, "run", "--control", "off", "--data", t.TempDir(), "--steps", "trigger snapshot bedtime", "apps/weather")
	expect(t, r, exitUsage, `step "trigger snapshot bedtime": "bedtime" is not a snapshot reason: app-backgrounded, app-scheduled, complication-update, prelaunch, return-to-default-state`)
	r = watchbox(t, nil, "run", "--control", "off", "--data", t.TempDir(), "--steps", "trigger url-session bad/id", "apps/weather")
	expect(t, r, exitUsage, `"bad/id" is not a URL session identifier`)
	// A session named like the expire step is still a session.
	r = watchbox(t, nil, "run", "--control", "off", "--data", t.TempDir(), "--steps", "trigger url-session expire", "apps/weather")
	expect(t, r, exitOK, "url_session expire task triggered by the developer")
	none := filepath.Join(t.TempDir(), "none.sock")
	expect(t, watchbox(t, nil, "trigger", "--control", none, "application-refresh", "now"), exitUsage,
		"watchbox trigger: application-refresh tasks take no detail")
	expect(t, watchbox(t, nil, "trigger", "--control", none, "expire", "now"), exitUsage, "watchbox trigger: expire takes no detail")
	expect(t, watchbox(t, nil, "trigger", "--control", none, "bluetooth-alert", "Heart Strap"), exitUsage,
		`watchbox trigger: the detail "Heart Strap" has a space; it is one word`)
}

// TestSecondRunGetsItsOwnSocket: a run started while another holds the
// default control socket listens on a socket of its own and says where,
// instead of exiting 1; the commands reach it there.
func TestSecondRunGetsItsOwnSocket(t *testing.T) {
	t.Parallel()
	first := start(t, "run", "--stay", "--data", t.TempDir(), "--steps", "status", "apps/hello")
	first.waitFor("control endpoint", time.Minute)
	second := start(t, "run", "--stay", "--data", t.TempDir(), "--steps", "status", "apps/hello")
	second.waitFor("this run listens on its own", time.Minute)
	out := second.result().stderr
	i := strings.Index(out, "pass --control ")
	if i < 0 {
		t.Fatalf("the second run does not say where it listens:\n%s", out)
	}
	sock := strings.Fields(out[i+len("pass --control "):])[0]
	if filepath.Dir(sock) != testRunDir(t) || filepath.Base(sock) == "watchbox.sock" {
		t.Errorf("the second run's socket %s: want its own, beside the default one in %s", sock, testRunDir(t))
	}
	expect(t, watchbox(t, nil, "status", "--control", sock), exitOK, "dev.watchbox.hello: ")
	expect(t, watchbox(t, nil, "status"), exitOK, "dev.watchbox.hello: ") // the first run, on the default socket
	for _, p := range []*proc{second, first} {
		r := p.signalAndWait(os.Interrupt, 10*time.Second, "Ctrl-C must end a --stay run")
		expect(t, r, exitOK)
	}
}
