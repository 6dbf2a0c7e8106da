package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/watchbox/watchbox/host/input"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/watchbox/watchbox/abi"
	"github.com/watchbox/watchbox/host"
	"github.com/watchbox/watchbox/host/drive"
	"github.com/watchbox/watchbox/host/push"
)

// The control endpoint: a live `watchbox run` serves HTTP on a unix socket,
// and `watchbox push`, `trigger`, `step`, `status`, `phone`,
// `bluetooth-alert`, `tap` and `complication` drive it from another
// terminal, the way xcrun simctl drives a simulator.

// defaultControl is the socket a run listens on unless --control says
// otherwise: $XDG_RUNTIME_DIR/watchbox.sock, else in the temp directory.
func defaultControl() string {
	if d := os.Getenv("XDG_RUNTIME_DIR"); d != "" {
		return filepath.Join(d, "watchbox.sock")
	}
	return filepath.Join(os.TempDir(), fmt.Sprintf("watchbox-%d.sock", os.Getuid()))
}

// serveControl listens on path and serves the control API for the run's
// apps until ctx is done. A stale socket is replaced; a live one is an
// error.
//
// Guest calls run under the run's context, not the request's: a client
// that goes away does not interrupt (and so crash) the app it was driving;
// interrupting the run does.
//
// Every request may name its app with ?bundle= (see runner.lookup);
// without it a push goes to its Simulator Target Bundle, and everything
// else to the run's current app.
func serveControl(ctx context.Context, path string, r *runner, pushLimit int) (func(), error) {
	if c, err := net.DialTimeout("unix", path, 200*time.Millisecond); err == nil {
		c.Close()
		return nil, fmt.Errorf("another watchbox run is listening on %s; stop it or pass --control with another path", path)
	}
	os.Remove(path)
	ln, err := net.Listen("unix", path)
	if err != nil {
		return nil, fmt.Errorf("control endpoint %s: %w", path, err)
	}
	d := r.d
	mux := http.NewServeMux()
	reply := func(w http.ResponseWriter, app *host.App, err error) {
		w.Header().Set("Content-Type", "application/json")
		if err != nil {
			w.WriteHeader(http.StatusBadRequest)
			json.NewEncoder(w).Encode(map[string]string{"error": drive.Message(err)})
			return
		}
		json.NewEncoder(w).Encode(map[string]any{"ok": true, "app": app.ID(), "state": app.State().String()})
	}
	// named returns the app of ?bundle=, or nil when there is none.
	named := func(req *http.Request) (*host.App, error) {
		if b := req.URL.Query().Get("bundle"); b != "" {
			return d.Lookup(b)
		}
		return nil, nil
	}
	// handle serves a request that is one action on one app: the app of
	// ?bundle=, else the current app. action returns the action from the
	// request, or why the request is bad.
	handle := func(pattern string, kind drive.Kind, action func(req *http.Request, a *drive.Action) error) {
		mux.HandleFunc(pattern, func(w http.ResponseWriter, req *http.Request) {
			a := drive.Action{Kind: kind, App: req.URL.Query().Get("bundle")}
			app, err := d.Resolve(a)
			if err == nil && app == nil {
				err = errors.New("no app to act on")
			}
			if err == nil {
				a.App = app.ID()
				err = action(req, &a)
			}
			if err == nil {
				var res drive.Result
				res, err = d.Apply(ctx, a)
				app = res.App
			}
			reply(w, app, err)
		})
	}
	mux.HandleFunc("POST /push", func(w http.ResponseWriter, req *http.Request) {
		body, err := readBody(req)
		var p *push.Push
		if err == nil {
			p, err = push.Parse(body, pushLimit)
		}
		var res drive.Result
		if err == nil {
			res, err = d.Apply(ctx, drive.Action{Kind: drive.Push, App: req.URL.Query().Get("bundle"), Push: p})
		}
		reply(w, res.App, err)
	})
	mux.HandleFunc("POST /step", func(w http.ResponseWriter, req *http.Request) {
		steps, err := drive.ParseSteps(req.URL.Query().Get("step"))
		if err == nil && len(steps) == 0 {
			err = errors.New("no step given")
		}
		var only *host.App
		if err == nil {
			only, err = named(req)
		}
		if err == nil {
			err = d.Check(steps, only)
		}
		for _, st := range steps {
			if err == nil && st.Kind == drive.Quit {
				err = errors.New("quit is not a control step; interrupt the run instead")
			}
		}
		app := d.Current()
		for _, st := range steps {
			if err != nil {
				break
			}
			if st.App != "" {
				app, _ = d.Lookup(st.App)
			}
			err = r.apply(ctx, st)
		}
		reply(w, app, err)
	})
	handle("POST /phone", drive.Phone, func(req *http.Request, a *drive.Action) error {
		kind, err := abi.ParsePhoneKind(req.URL.Query().Get("kind"))
		if err != nil {
			return fmt.Errorf("unknown phone data kind %q; kinds: user-info, context, message, complication", req.URL.Query().Get("kind"))
		}
		body, err := readBody(req)
		if err != nil {
			return err
		}
		if err := drive.CheckPayload(body); err != nil {
			return err
		}
		a.Phone, a.Payload = kind, body
		return nil
	})
	handle("POST /bluetooth-alert", drive.BluetoothAlert, func(req *http.Request, a *drive.Action) error {
		if a.Peripheral = req.URL.Query().Get("peripheral"); a.Peripheral == "" {
			return errors.New("no peripheral given")
		}
		return nil
	})
	handle("POST /tap", drive.TapNotification, func(req *http.Request, a *drive.Action) error {
		a.Notification, a.Choice = req.URL.Query().Get("id"), req.URL.Query().Get("action")
		return nil
	})
	handle("POST /complication", drive.Complication, func(req *http.Request, a *drive.Action) error {
		switch req.URL.Query().Get("on") {
		case "on":
			a.On = true
		case "off":
		default:
			return fmt.Errorf("complication: want on or off, got %q", req.URL.Query().Get("on"))
		}
		return nil
	})
	mux.HandleFunc("GET /status", func(w http.ResponseWriter, req *http.Request) {
		app, err := named(req)
		if err != nil {
			reply(w, nil, err)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(r.status(app))
	})
	srv := &http.Server{Handler: mux, BaseContext: func(net.Listener) context.Context { return ctx }}
	go srv.Serve(ln)
	return func() { srv.Close(); os.Remove(path) }, nil
}

// maxBody caps the body of a request to the control endpoint (chosen
// here: far above a push file's 4 KiB or any phone payload a test needs).
const maxBody = 1 << 20

// readBody reads a control request's body, refusing one over maxBody with
// an error that says so (not a confusing "not JSON" on a cut-off body).
func readBody(req *http.Request) ([]byte, error) {
	body, err := io.ReadAll(io.LimitReader(req.Body, maxBody+1))
	if err != nil {
		return nil, fmt.Errorf("reading the request: %v", err)
	}
	if len(body) > maxBody {
		return nil, fmt.Errorf("the payload is over the control endpoint's %s limit", input.Size(maxBody))
	}
	return body, nil
}

// appStatus is what `watchbox status` shows of a running app.
type appStatus struct {
	App          string          `json:"app"`
	State        string          `json:"state"`
	Launches     uint64          `json:"launches"`
	Crashes      int             `json:"crashes"`
	Complication string          `json:"complication,omitempty"`
	Current      bool            `json:"current,omitempty"` // set only in a run of several apps
	Decisions    []host.Decision `json:"decisions"`
}

// statusAnswer is the answer of GET /status: "apps" lists the apps shown
// (every app of the run, or the one ?bundle= names); when it is one app,
// its fields are also at the top level, as before runs had several apps.
type statusAnswer struct {
	*appStatus
	Apps []appStatus `json:"apps"`
}

// status returns the status of app, or of every app of the run when app is
// nil.
func (r *runner) status(app *host.App) statusAnswer {
	var ans statusAnswer
	for _, st := range r.d.Status(app) {
		ds := st.App.Why()
		if len(ds) > 20 {
			ds = ds[len(ds)-20:]
		}
		if ds == nil {
			ds = []host.Decision{}
		}
		ans.Apps = append(ans.Apps, appStatus{App: st.ID, State: st.State.String(), Launches: st.Launches, Crashes: st.Crashes,
			Complication: string(st.Complication), Current: st.Current, Decisions: ds})
	}
	if len(ans.Apps) == 1 {
		ans.appStatus = &ans.Apps[0]
	}
	return ans
}

// controlClient talks to a live run's control endpoint.
func controlClient(path string) *http.Client {
	return &http.Client{Timeout: time.Minute, Transport: &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, "unix", path)
		},
	}}
}

// controlUsage is each control command's arguments, for its usage line.
var controlUsage = map[string]string{
	"push":            "FILE.apns",
	"trigger":         "TASK-KIND [DETAIL]|expire",
	"step":            "STEP",
	"status":          "",
	"phone":           "user-info|context|message|complication JSON|@FILE",
	"bluetooth-alert": "PERIPHERAL",
	"tap":             "[NOTIFICATION-ID]",
	"complication":    "on|off",
}

// controlCommand implements push, trigger, step, status, phone,
// bluetooth-alert, tap and complication: each checks its arguments, sends
// one request to the live run and prints the answer.
func controlCommand(name string) func(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return func(ctx context.Context, args []string, stdout, stderr io.Writer) int {
		usageArgs := controlUsage[name]
		fs := newFlags(name, usageArgs, stderr)
		control := fs.String("control", defaultControl(), "the control socket of the live watchbox run")
		bundleHelp := "the app: its bundle id, the id's last part or its bundle directory's name (default: the run's current app)"
		switch name {
		case "push":
			bundleHelp = "the app: its bundle id, the id's last part or its bundle directory's name (default: the push's Simulator Target Bundle, else the run's current app)"
		case "status":
			bundleHelp = "show only this app: its bundle id, the id's last part or its bundle directory's name (default: every app of the run)"
		}
		bundle := fs.String("bundle", "", bundleHelp)
		asJSON := fs.Bool("json", false, "print the answer as JSON")
		var action *string
		if name == "tap" {
			action = fs.String("action", "", "the notification action the user chooses (default: the default action, a plain tap)")
		}
		pos, code, ok := parseInterleaved(fs, args)
		if !ok {
			return code
		}
		fail := func(format string, a ...any) int {
			fmt.Fprintf(stderr, "watchbox %s: %s\n", name, fmt.Sprintf(format, a...))
			return exitUsage
		}
		switch want := strings.Count(usageArgs, " ") + 1; {
		case name == "status" && len(pos) != 0:
			return fail("expected no arguments")
		case name == "tap" && len(pos) > 1:
			return fail("expected at most one argument: the notification's id (default: the latest one)")
		case name == "step" && len(pos) > 1: // watchbox step trigger hello snapshot
			pos = []string{strings.Join(pos, " ")}
		case name == "trigger" && (len(pos) < 1 || len(pos) > 2):
			return fail("expected a task kind and, for snapshot, url-session or bluetooth-alert, a detail: %s", usageArgs)
		case name == "trigger":
		case name != "status" && name != "tap" && len(pos) != want:
			if want == 1 {
				return fail("expected one argument: %s", usageArgs)
			}
			return fail("expected %d arguments: %s", want, usageArgs)
		}
		q := url.Values{}
		if *bundle != "" {
			q.Set("bundle", *bundle)
		}
		method, path, body := "POST", "/"+name, []byte(nil)
		switch name {
		case "push":
			p, err := push.ParseFile(pos[0], 0)
			if err != nil {
				return fail("%v", err)
			}
			body = p.Raw
		case "trigger":
			kind, err := abi.ParseTaskKind(pos[0])
			if err != nil && pos[0] != "expire" {
				return fail("unknown task kind %q; kinds: %s (or expire, to make the app's open tasks expire now)", pos[0], strings.Join(abi.TaskKindNames(), ", "))
			}
			if len(pos) == 2 {
				if err != nil {
					return fail("expire takes no detail")
				}
				if err := drive.SetDetail(&drive.Action{Task: kind}, pos[1]); err != nil {
					return fail("%v", err)
				}
			}
			path = "/step"
			q.Set("step", "trigger "+strings.Join(pos, " "))
		case "step":
			if _, err := drive.ParseSteps(pos[0]); err != nil {
				return fail("%v", err)
			}
			q.Set("step", pos[0])
		case "status":
			method = "GET"
		case "phone":
			if _, err := abi.ParsePhoneKind(pos[0]); err != nil {
				return fail("unknown phone data kind %q; kinds: user-info (transferUserInfo), context (updateApplicationContext), message (sendMessage), complication (transferCurrentComplicationUserInfo)", pos[0])
			}
			q.Set("kind", pos[0])
			b := []byte(pos[1])
			if file, ok := strings.CutPrefix(pos[1], "@"); ok {
				var err error
				if b, err = input.Read(file, input.Kind{Name: "phone payload", Max: maxBody}); err != nil {
					return fail("%v", err)
				}
				if err := drive.CheckPayload(b); err != nil {
					return fail("%s: %v", file, err)
				}
			} else if err := drive.CheckPayload(b); err != nil {
				return fail("%v (give a JSON object such as '{\"score\":3}', or @FILE to read it from a file)", err)
			}
			body = b
		case "bluetooth-alert":
			if strings.TrimSpace(pos[0]) == "" {
				return fail("expected one argument: %s, the peripheral's name", usageArgs)
			}
			q.Set("peripheral", pos[0])
		case "tap":
			if len(pos) == 1 {
				q.Set("id", pos[0])
			}
			if *action != "" {
				q.Set("action", *action)
			}
		case "complication":
			if pos[0] != "on" && pos[0] != "off" {
				return fail("expected on or off, got %q", pos[0])
			}
			q.Set("on", pos[0])
		}
		req, _ := http.NewRequestWithContext(ctx, method, "http://watchbox"+path+"?"+q.Encode(), bytes.NewReader(body))
		resp, err := controlClient(*control).Do(req)
		if err != nil {
			fmt.Fprintf(stderr, "watchbox %s: no live watchbox run at %s (start one with `watchbox run BUNDLE`, or pass --control): %v\n", name, *control, err)
			return exitError
		}
		defer resp.Body.Close()
		answer, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusOK {
			var e struct{ Error string }
			json.Unmarshal(answer, &e)
			return fail("%s", e.Error)
		}
		if *asJSON || name != "status" {
			stdout.Write(answer)
			return exitOK
		}
		var st statusAnswer
		json.Unmarshal(answer, &st)
		for i, a := range st.Apps {
			if i > 0 {
				fmt.Fprintln(stdout)
			}
			current := ""
			if a.Current {
				current = " (current)"
			}
			fmt.Fprintf(stdout, "%s: %s, %d launch(es), %d crash(es)%s\n", a.App, a.State, a.Launches, a.Crashes, current)
			if a.Complication != "" {
				fmt.Fprintf(stdout, "complication: %s\n", a.Complication)
			}
			for _, d := range a.Decisions {
				fmt.Fprintln(stdout, d)
			}
		}
		return exitOK
	}
}
