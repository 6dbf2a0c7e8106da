package drive

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/watchbox/watchbox/abi"
	"github.com/watchbox/watchbox/host"
	"github.com/watchbox/watchbox/host/input"
	"github.com/watchbox/watchbox/host/push"
	"github.com/watchbox/watchbox/host/sensors/samples"
)

// The control endpoint: a live `watchbox run` serves HTTP on a unix socket,
// and `watchbox push`, `trigger`, `step`, `status`, `phone`,
// `bluetooth-alert`, `tap` and `complication` drive it from another
// terminal, the way xcrun simctl drives a simulator. Every request is
// parsed into an Action and applied by the run's Driver.

// ControlOptions configure a control endpoint.
type ControlOptions struct {
	// PushLimit is the largest push payload, in bytes (the profile's
	// push_payload_limit).
	PushLimit int
	// Step applies one action of POST /step; nil means Driver.Apply. A
	// live run gives one that also prints the step, as it does its own.
	// What Why and Status report goes back to the client in the answer,
	// not to the run's output.
	Step func(ctx context.Context, a Action) (Result, error)
}

// ServeControl listens on the unix socket path and serves the control API
// of a live run's apps until ctx is done or stop is called. A stale socket
// is replaced; a live one is an error.
//
// Guest calls run under ctx, not the request's context: a client that
// goes away does not interrupt (and so crash) the app it was driving;
// ending ctx does.
//
// Every request may name its app with ?bundle= (see Driver.Lookup);
// without it a push goes to its Simulator Target Bundle, and everything
// else to the current app.
func ServeControl(ctx context.Context, path string, d *Driver, opts ControlOptions) (stop func(), err error) {
	if c, err := net.DialTimeout("unix", path, 200*time.Millisecond); err == nil {
		c.Close()
		return nil, &BusyError{Path: path}
	}
	os.Remove(path)
	ln, err := net.Listen("unix", path)
	if err != nil {
		return nil, fmt.Errorf("control endpoint %s: %w", path, err)
	}
	srv := &http.Server{Handler: ControlHandler(ctx, d, opts), BaseContext: func(net.Listener) context.Context { return ctx }}
	go srv.Serve(ln)
	return func() { srv.Close(); os.Remove(path) }, nil
}

// BusyError is ServeControl's error when another live run listens on the
// socket.
type BusyError struct {
	Path string // the socket
}

// Error says which socket is taken and what to do.
func (e *BusyError) Error() string {
	return fmt.Sprintf("another watchbox run is listening on %s; stop it or pass --control with another path", e.Path)
}

// ControlHandler serves the control API of d's apps, as ServeControl
// does on its socket: POST /push (an .apns body), /step?step=STEPS,
// /phone?kind=KIND (a JSON body), /bluetooth-alert?peripheral=P,
// /peripheral?name=N&characteristic=S/C&value=V (or a samples file as the
// body, named by &file=F; or &off=1),
// /tap?id=ID&action=A, /complication?on=on|off, and GET /status. Each
// answers {"ok":true,"app":ID,"state":STATE}, or {"error":MESSAGE} with
// status 400 for a refused request; GET /status answers a StatusAnswer.
func ControlHandler(ctx context.Context, d *Driver, opts ControlOptions) http.Handler {
	step := opts.Step
	if step == nil {
		step = func(ctx context.Context, a Action) (Result, error) { return d.Apply(ctx, a) }
	}
	mux := http.NewServeMux()
	// answer writes the answer to a request on app, with extra fields
	// (why, status) added.
	answer := func(w http.ResponseWriter, app *host.App, err error, extra map[string]any) {
		w.Header().Set("Content-Type", "application/json")
		if err != nil {
			w.WriteHeader(http.StatusBadRequest)
			ans := map[string]any{"error": Message(err)}
			var de *DroppedError
			if errors.As(err, &de) {
				ans["decision"] = de.Decision
			}
			json.NewEncoder(w).Encode(ans)
			return
		}
		ans := map[string]any{"ok": true}
		if app != nil {
			ans["app"], ans["state"] = app.ID(), app.State().String()
		}
		for k, v := range extra {
			ans[k] = v
		}
		json.NewEncoder(w).Encode(ans)
	}
	reply := func(w http.ResponseWriter, app *host.App, err error) { answer(w, app, err, nil) }
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
	handle := func(pattern string, kind Kind, action func(req *http.Request, a *Action) error) {
		mux.HandleFunc(pattern, func(w http.ResponseWriter, req *http.Request) {
			a := Action{Kind: kind, App: req.URL.Query().Get("bundle")}
			app, err := d.Resolve(a)
			if err == nil && app == nil {
				err = errors.New("no app to act on")
			}
			if err == nil {
				a.App = app.ID()
				err = action(req, &a)
			}
			if err == nil {
				var res Result
				res, err = d.Apply(ctx, a)
				app = res.App
				if err == nil {
					err = dropped(res)
				}
			}
			reply(w, app, err)
		})
	}
	mux.HandleFunc("POST /push", func(w http.ResponseWriter, req *http.Request) {
		body, err := readBody(req)
		var p *push.Push
		if err == nil {
			p, err = push.Parse(body, opts.PushLimit)
		}
		var res Result
		if err == nil {
			res, err = d.Apply(ctx, Action{Kind: Push, App: req.URL.Query().Get("bundle"), Push: p})
		}
		reply(w, res.App, err)
	})
	mux.HandleFunc("POST /step", func(w http.ResponseWriter, req *http.Request) {
		steps, err := ParseSteps(req.URL.Query().Get("step"))
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
			if err == nil && st.Kind == Quit {
				err = errors.New("quit is not a control step; interrupt the run instead")
			}
		}
		app := d.Current()
		extra := map[string]any{}
		for _, st := range steps {
			if err != nil {
				break
			}
			if st.App != "" {
				app, _ = d.Lookup(st.App)
			}
			var res Result
			res, err = step(ctx, st)
			switch st.Kind {
			case Why:
				why, _ := extra["why"].([]host.Decision)
				if why == nil {
					why = []host.Decision{}
				}
				extra["why"] = append(why, res.Why...)
			case Status:
				sts, _ := extra["status"].([]ControlStatus)
				extra["status"] = append(sts, d.controlStatus(res.Status)...)
			}
		}
		answer(w, app, err, extra)
	})
	handle("POST /phone", Phone, func(req *http.Request, a *Action) error {
		kind, err := abi.ParsePhoneKind(req.URL.Query().Get("kind"))
		if err != nil {
			k := req.URL.Query().Get("kind")
			return fmt.Errorf("unknown phone data kind %q%s; kinds: user-info, context, message, complication", k, DidYouMean(k, abi.PhoneKindNames()))
		}
		body, err := readBody(req)
		if err != nil {
			return err
		}
		if err := CheckPayload(body); err != nil {
			return err
		}
		a.Phone, a.Payload = kind, body
		return nil
	})
	handle("POST /bluetooth-alert", BluetoothAlert, func(req *http.Request, a *Action) error {
		if a.Peripheral = req.URL.Query().Get("peripheral"); a.Peripheral == "" {
			return errors.New("no peripheral given")
		}
		return nil
	})
	handle("POST /tap", TapNotification, func(req *http.Request, a *Action) error {
		a.Notification, a.Choice = req.URL.Query().Get("id"), req.URL.Query().Get("action")
		return nil
	})
	handle("POST /complication", Complication, func(req *http.Request, a *Action) error {
		switch req.URL.Query().Get("on") {
		case "on":
			a.On = true
		case "off":
		default:
			return fmt.Errorf("complication: want on or off, got %q", req.URL.Query().Get("on"))
		}
		return nil
	})
	mux.HandleFunc("POST /peripheral", func(w http.ResponseWriter, req *http.Request) {
		a, err := peripheralAction(req)
		var res Result
		if err == nil {
			res, err = d.Apply(ctx, a)
			if err == nil && res.Failure != nil {
				err = res.Failure
			}
		}
		reply(w, nil, err)
	})
	mux.HandleFunc("GET /status", func(w http.ResponseWriter, req *http.Request) {
		app, err := named(req)
		if err != nil {
			reply(w, nil, err)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(d.StatusAnswer(app))
	})
	return mux
}

// MaxControlBody caps the body of a request to the control endpoint
// (chosen here: far above a push file's 4 KiB or any phone payload a test
// needs).
const MaxControlBody = 1 << 20

// readBody reads a control request's body, refusing one over
// MaxControlBody with an error that says so (not a confusing "not JSON" on
// a cut-off body).
func readBody(req *http.Request) ([]byte, error) {
	body, err := io.ReadAll(io.LimitReader(req.Body, MaxControlBody+1))
	if err != nil {
		return nil, fmt.Errorf("reading the request: %v", err)
	}
	if len(body) > MaxControlBody {
		return nil, fmt.Errorf("the payload is over the control endpoint's %s limit", input.Size(MaxControlBody))
	}
	return body, nil
}

// controlStatus is sts as the control endpoint shows them, each with its
// app's last 20 decisions.
func (d *Driver) controlStatus(sts []AppStatus) []ControlStatus {
	out := []ControlStatus{}
	for _, st := range sts {
		ds := st.App.Why()
		if len(ds) > 20 {
			ds = ds[len(ds)-20:]
		}
		if ds == nil {
			ds = []host.Decision{}
		}
		out = append(out, ControlStatus{App: st.ID, State: st.State.String(), Launches: st.Launches, Crashes: st.Crashes, LastCrash: st.LastCrash,
			Complication: string(st.Complication), Sessions: st.Sessions, Connections: ConnectionLines(st.Connections), Current: st.Current, Version: st.Version, Hash: st.Hash, Reloads: st.Reloads, Decisions: ds})
	}
	return out
}

// DroppedError is the control endpoint's answer to data the system
// dropped instead of delivering (a phone message for an app that is not
// reachable): the request was well formed, but nothing reached the app.
type DroppedError struct {
	Decision host.Decision // the drop, with its rule
}

// Error returns the decision: "phone message dropped: ... [phone.unreachable]".
func (e *DroppedError) Error() string { return e.Decision.Reason + " [" + e.Decision.Rule + "]" }

// dropped returns a *DroppedError for phone data that an action's result
// says the system dropped, or nil.
func dropped(res Result) error {
	if res.Action.Kind != Phone {
		return nil
	}
	for _, d := range res.Decisions {
		if d.Verdict == "drop" {
			return &DroppedError{Decision: d}
		}
	}
	return nil
}

// ControlStatus is what the control endpoint's GET /status shows of an app.
type ControlStatus struct {
	App          string          `json:"app"`                    // bundle id
	State        string          `json:"state"`                  // life-cycle state
	Launches     uint64          `json:"launches"`               // cold launches
	Crashes      int             `json:"crashes"`                // instances that died in a call
	LastCrash    *host.Call      `json:"last_crash,omitempty"`   // the last call the app crashed in, with the Go runtime's report
	Complication string          `json:"complication,omitempty"` // the complication data last published
	Sessions     []string        `json:"sessions,omitempty"`     // the background sessions' states, one line each
	Connections  []string        `json:"connections,omitempty"`  // Bluetooth connections, as ConnectionLines gives them
	Current      bool            `json:"current,omitempty"`      // set only in a run of several apps
	Version      int             `json:"version"`                // the running module: 1 as loaded, one more per reload
	Hash         string          `json:"hash"`                   // the running module's short content hash
	Reloads      int             `json:"reloads"`                // hot reloads done (watchbox dev)
	Decisions    []host.Decision `json:"decisions"`              // the last 20
}

// StatusAnswer is the answer of GET /status: Apps lists the apps shown
// (every app of the run, or the one ?bundle= names); when it is one app,
// its fields are also at the top level, as before runs had several apps.
type StatusAnswer struct {
	*ControlStatus                 // the one app shown, or nil
	Apps           []ControlStatus `json:"apps"` // every app shown
}

// StatusAnswer returns GET /status's answer for app, or for every app
// when app is nil.
func (d *Driver) StatusAnswer(app *host.App) StatusAnswer {
	ans := StatusAnswer{Apps: d.controlStatus(d.Status(app))}
	if len(ans.Apps) == 1 {
		ans.ControlStatus = &ans.Apps[0]
	}
	return ans
}

// ConnectionLines returns an app's Bluetooth connections as status shows
// them, one a line: "strap since 07:00:00 (subscribed: 180D/2A37)".
func ConnectionLines(cs []host.Connection) []string {
	var out []string
	for _, c := range cs {
		line := c.Peripheral + " since " + c.Since.UTC().Format("15:04:05")
		if len(c.Subscriptions) > 0 {
			line += " (subscribed: " + strings.Join(c.Subscriptions, ", ") + ")"
		}
		out = append(out, line)
	}
	return out
}

// peripheralAction reads POST /peripheral's action: name, and either
// off=1 or characteristic with value= or a samples file (CSV or JSON) as
// the body, named by file=.
func peripheralAction(req *http.Request) (Action, error) {
	q := req.URL.Query()
	a := Action{Kind: Peripheral, Peripheral: q.Get("name")}
	if p := host.CheckPeripheralName(a.Peripheral); p != "" {
		return a, errors.New(p)
	}
	if q.Get("off") != "" {
		return a, nil
	}
	a.On = true
	service, char, err := host.ParseCharacteristic(q.Get("characteristic"))
	if err != nil {
		return a, err
	}
	a.Characteristic = service + "/" + char
	if q.Has("value") {
		a.Value = []byte(q.Get("value"))
		return a, nil
	}
	body, err := readBody(req)
	if err != nil {
		return a, err
	}
	if len(body) == 0 {
		return a, errors.New("peripheral: give value=VALUE, a samples file as the body, or off=1")
	}
	name := q.Get("file")
	if name == "" {
		name = "samples"
	}
	if a.Samples, err = samples.Parse(name, body, samples.Options{Interp: samples.Step}); err != nil {
		return a, err
	}
	a.File = name
	return a, nil
}
