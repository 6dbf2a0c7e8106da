package drive

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/watchbox/watchbox/abi"
	"github.com/watchbox/watchbox/host"
	"github.com/watchbox/watchbox/host/push"
)

// twoApps returns a driver of the hello and refresh sample apps on the
// virtual clock, with no current app yet.
func twoApps(t *testing.T) (*Driver, *host.App, *host.App) {
	t.Helper()
	ctx := context.Background()
	rt, err := host.New(ctx, host.Config{Virtual: true, CacheDir: filepath.Join(os.TempDir(), "watchbox-test-cache"), DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { rt.Close(context.Background()) })
	d := New(rt, Options{Virtual: true})
	var apps []*host.App
	for _, dir := range []string{"../../apps/hello", "../../apps/refresh"} {
		app, err := rt.Load(ctx, dir)
		if err != nil {
			t.Fatal(err)
		}
		d.Add(app, dir, "")
		apps = append(apps, app)
	}
	return d, apps[0], apps[1]
}

// TestDriver checks how actions find their app and what is refused.
func TestDriver(t *testing.T) {
	ctx := context.Background()
	d, hello, refresh := twoApps(t)

	for _, name := range []string{"dev.watchbox.hello", "hello", "HELLO", "../../apps/hello", "../../apps/hello/"} {
		if app, err := d.Lookup(name); app != hello || err != nil {
			t.Errorf("Lookup(%q) = %v, %v", name, app, err)
		}
	}
	if _, err := d.Lookup("nope"); err == nil || !strings.Contains(err.Error(), `no app "nope" in this run; it runs dev.watchbox.hello (../../apps/hello), dev.watchbox.refresh`) {
		t.Errorf("Lookup(nope) = %v", err)
	}

	// Before any launch there is no current app: a wrist-down does nothing.
	if res, err := d.Apply(ctx, Action{Kind: WristDown}); err != nil || res.App != nil {
		t.Errorf("wrist-down with no current app = %+v, %v", res, err)
	}
	res, err := d.Apply(ctx, Action{Kind: Launch, App: "refresh"})
	if err != nil || res.App != refresh || d.Current() != refresh || refresh.State() != abi.StateActive {
		t.Fatalf("launch refresh = %+v, %v; current %v, state %v", res, err, d.Current(), refresh.State())
	}
	// Entering the background, refresh schedules a refresh and the system
	// asks for a snapshot: the result has the decisions about it.
	if res, err := d.Apply(ctx, Action{Kind: Background}); err != nil || len(res.Decisions) == 0 {
		t.Errorf("background (the current app, refresh) = %+v, %v; want decisions", res, err)
	}

	// A push goes to the app it names, else its target (a bundle id,
	// exactly), else the current app.
	p, err := push.Parse([]byte(`{"Simulator Target Bundle": "dev.watchbox.hello", "aps": {"alert": "hi"}}`), 0)
	if err != nil {
		t.Fatal(err)
	}
	if app, err := d.Resolve(Action{Kind: Push, Push: p}); app != hello || err != nil {
		t.Errorf("a push for dev.watchbox.hello resolves to %v, %v", app, err)
	}
	p.Target = "hello"
	if _, err := d.Resolve(Action{Kind: Push, Push: p}); err == nil || !strings.Contains(err.Error(), "did you mean dev.watchbox.hello?") {
		t.Errorf("a push for hello: %v", err)
	}
	p.Target = ""
	if app, err := d.Resolve(Action{Kind: Push, Push: p}); app != refresh || err != nil {
		t.Errorf("a push with no target resolves to %v, %v", app, err)
	}

	// A request for one app cannot act on another.
	steps, _ := ParseSteps("wrist-down, launch refresh")
	if err := d.Check(steps, hello); err == nil || err.Error() != `step "launch refresh" names dev.watchbox.refresh, but the request is for dev.watchbox.hello` {
		t.Errorf("Check(only hello) = %v", err)
	}
	if steps[0].App != "dev.watchbox.hello" {
		t.Errorf("Check(only hello) gave wrist-down the app %q", steps[0].App)
	}

	// Refusals are errors and change nothing.
	for _, c := range []struct {
		a    Action
		want string
	}{
		{Action{Kind: TapNotification, App: "hello"}, "has no delivered notification to tap"},
		{Action{Kind: Expire, App: "hello"}, "dev.watchbox.hello has no open background task to expire"},
		{Action{Kind: Phone, App: "hello", Phone: abi.PhoneMessage, Payload: []byte(`[]`)}, "must be a JSON object"},
		{Action{Kind: Serve}, "serve needs a route"},
		{Action{Kind: Set, Setting: "nope=1"}, "nope"},
		{Action{Kind: Trigger, App: "hello"}, "trigger needs a task kind"},
	} {
		if _, err := d.Apply(ctx, c.a); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want an error with %q", c.a, err, c.want)
		}
	}
	if d.Current() != refresh {
		t.Errorf("a refused tap changed the current app to %v", d.Current())
	}

	// Status and why cover every app unless one is named.
	res, _ = d.Apply(ctx, Action{Kind: Status})
	if len(res.Status) != 2 || !res.Status[1].Current || res.Status[0].Current {
		t.Errorf("status = %+v", res.Status)
	}
	res, _ = d.Apply(ctx, Action{Kind: Why, App: "refresh"})
	if len(res.Why) == 0 {
		t.Errorf("why refresh: no decision")
	}
}
