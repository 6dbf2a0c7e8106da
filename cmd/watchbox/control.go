package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/watchbox/watchbox/host"
	"github.com/watchbox/watchbox/host/push"
)

// The control endpoint: a live `watchbox run` serves HTTP on a unix socket,
// and `watchbox push`, `trigger`, `step` and `status` drive it from another
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
// app until ctx is done. A stale socket is replaced; a live one is an error.
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
	mux := http.NewServeMux()
	app := r.app
	reply := func(w http.ResponseWriter, err error) {
		w.Header().Set("Content-Type", "application/json")
		if err != nil && !host.IsGuestFailure(err) {
			w.WriteHeader(http.StatusBadRequest)
			json.NewEncoder(w).Encode(map[string]string{"error": err.Error()})
			return
		}
		json.NewEncoder(w).Encode(map[string]any{"ok": true, "state": app.State().String()})
	}
	forApp := func(req *http.Request) error {
		if b := req.URL.Query().Get("bundle"); b != "" && b != app.ID() {
			return fmt.Errorf("no app %q in this run; it runs %s", b, app.ID())
		}
		return nil
	}
	mux.HandleFunc("POST /push", func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(io.LimitReader(req.Body, 1<<20))
		p, err := push.Parse(body, pushLimit)
		if err == nil {
			err = forApp(req)
		}
		if err == nil && req.URL.Query().Get("bundle") == "" && p.Target != "" && p.Target != app.ID() {
			err = fmt.Errorf("the push targets %s (Simulator Target Bundle), but this run runs %s", p.Target, app.ID())
		}
		if err == nil {
			err = app.Push(req.Context(), p)
		}
		reply(w, err)
	})
	mux.HandleFunc("POST /step", func(w http.ResponseWriter, req *http.Request) {
		steps, err := parseSteps(req.URL.Query().Get("step"))
		if err == nil && len(steps) == 0 {
			err = errors.New("no step given")
		}
		for _, st := range steps {
			if err != nil {
				break
			}
			if st.name == "quit" {
				err = errors.New("quit is not a control step; interrupt the run instead")
				break
			}
			r.do(req.Context(), st)
		}
		reply(w, err)
	})
	mux.HandleFunc("GET /status", func(w http.ResponseWriter, req *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(statusOf(app))
	})
	srv := &http.Server{Handler: mux, BaseContext: func(net.Listener) context.Context { return ctx }}
	go srv.Serve(ln)
	return func() { srv.Close(); os.Remove(path) }, nil
}

// appStatus is what `watchbox status` shows of a running app.
type appStatus struct {
	App          string          `json:"app"`
	State        string          `json:"state"`
	Launches     uint64          `json:"launches"`
	Crashes      int             `json:"crashes"`
	Complication string          `json:"complication,omitempty"`
	Decisions    []host.Decision `json:"decisions"`
}

func statusOf(app *host.App) appStatus {
	ds := app.Why()
	if len(ds) > 20 {
		ds = ds[len(ds)-20:]
	}
	return appStatus{App: app.ID(), State: app.State().String(), Launches: app.Launches(), Crashes: app.Crashes(),
		Complication: string(app.Complication()), Decisions: ds}
}

// controlClient talks to a live run's control endpoint.
func controlClient(path string) *http.Client {
	return &http.Client{Timeout: time.Minute, Transport: &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, "unix", path)
		},
	}}
}

// controlCommand implements push, trigger, step and status.
func controlCommand(name string) func(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return func(ctx context.Context, args []string, stdout, stderr io.Writer) int {
		usageArgs := map[string]string{"push": "FILE.apns", "trigger": "TASK-KIND", "step": "STEP", "status": ""}[name]
		fs := newFlags(name, usageArgs, stderr)
		control := fs.String("control", defaultControl(), "the control socket of the live watchbox run")
		bundle := fs.String("bundle", "", "the app's bundle id (default: the push's Simulator Target Bundle, or the run's app)")
		asJSON := fs.Bool("json", false, "print the answer as JSON")
		pos, code, ok := parseInterleaved(fs, args)
		if !ok {
			return code
		}
		want := 1
		if name == "status" {
			want = 0
		}
		if len(pos) != want {
			fmt.Fprintf(stderr, "watchbox %s: expected %s\n", name, map[bool]string{true: "no arguments", false: "one argument: " + usageArgs}[want == 0])
			return exitUsage
		}
		q := url.Values{}
		if *bundle != "" {
			q.Set("bundle", *bundle)
		}
		method, path, body := "POST", "/"+name, []byte(nil)
		switch name {
		case "push":
			b, err := os.ReadFile(pos[0])
			if err != nil {
				fmt.Fprintf(stderr, "watchbox push: %v\n", err)
				return exitUsage
			}
			if _, err := push.Parse(b, 0); err != nil {
				fmt.Fprintf(stderr, "watchbox push: %s: %v\n", pos[0], err)
				return exitUsage
			}
			body = b
		case "trigger":
			if _, ok := taskKinds()[pos[0]]; !ok {
				fmt.Fprintf(stderr, "watchbox trigger: unknown task kind %q; kinds: %s\n", pos[0], strings.Join(taskKindNames(), ", "))
				return exitUsage
			}
			path = "/step"
			q.Set("step", "trigger "+pos[0])
		case "step":
			if _, err := parseSteps(pos[0]); err != nil {
				fmt.Fprintf(stderr, "watchbox step: %v\n", err)
				return exitUsage
			}
			q.Set("step", pos[0])
		case "status":
			method = "GET"
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
			fmt.Fprintf(stderr, "watchbox %s: %s\n", name, e.Error)
			return exitUsage
		}
		if *asJSON || name != "status" {
			stdout.Write(answer)
			return exitOK
		}
		var st appStatus
		json.Unmarshal(answer, &st)
		fmt.Fprintf(stdout, "%s: %s, %d launch(es), %d crash(es)\n", st.App, st.State, st.Launches, st.Crashes)
		if st.Complication != "" {
			fmt.Fprintf(stdout, "complication: %s\n", st.Complication)
		}
		for _, d := range st.Decisions {
			fmt.Fprintln(stdout, d)
		}
		return exitOK
	}
}

func taskKindNames() []string {
	var names []string
	for name := range taskKinds() {
		names = append(names, name)
	}
	return names
}
