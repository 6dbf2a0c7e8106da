package main

import (
	"bytes"
	"context"
	"encoding/json"
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
	"github.com/watchbox/watchbox/host/sensors/samples"
)

// The control endpoint's client side: a live `watchbox run` serves HTTP on
// a unix socket (drive.ServeControl), and `watchbox push`, `trigger`,
// `step`, `status`, `phone`, `bluetooth-alert`, `peripheral`, `tap` and
// `complication` drive it from another terminal, the way xcrun simctl drives a simulator.

// defaultControl is the socket a run listens on unless --control says
// otherwise: $XDG_RUNTIME_DIR/watchbox.sock, else in the temp directory.
func defaultControl() string {
	if d := os.Getenv("XDG_RUNTIME_DIR"); d != "" {
		return filepath.Join(d, "watchbox.sock")
	}
	return filepath.Join(os.TempDir(), fmt.Sprintf("watchbox-%d.sock", os.Getuid()))
}

// maxBody caps the payload the client sends, as the endpoint does.
const maxBody = drive.MaxControlBody

// controlClient talks to a live run's control endpoint.
func controlClient(path string) *http.Client {
	return &http.Client{Timeout: time.Minute, Transport: &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, "unix", path)
		},
	}}
}

// maxControlAnswer caps an answer read from a control socket. Chosen
// here: a run's status, its largest answer, is tens of KiB for a few
// apps with their recent decisions.
const maxControlAnswer = 16 << 20

// controlUsage is each control command's arguments, for its usage line.
var controlUsage = map[string]string{
	"push":            "FILE.apns",
	"trigger":         "TASK-KIND [DETAIL]|expire",
	"step":            "STEP",
	"status":          "",
	"phone":           "user-info|context|message|complication JSON|@FILE, or reachable|paired on|off",
	"bluetooth-alert": "PERIPHERAL",
	"peripheral":      "NAME SERVICE/CHARACTERISTIC VALUE|@FILE, or NAME off",
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
		case name == "peripheral" && len(pos) == 2 && pos[1] == "off":
		case name == "peripheral" && len(pos) != 3:
			return fail("expected NAME SERVICE/CHARACTERISTIC VALUE (or @FILE, a CSV or JSON samples file), or NAME off")
		case name == "peripheral":
		case name == "phone" && len(pos) != 2:
			return fail("expected 2 arguments: %s", usageArgs)
		case name == "phone":
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
				return fail("unknown task kind %q%s; kinds: %s (or expire, to make the app's open tasks expire now)", pos[0], drive.DidYouMean(pos[0], append(abi.TaskKindNames(), "expire")), strings.Join(abi.TaskKindNames(), ", "))
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
			q.Set("step", stepFilesFromHere(pos[0]))
		case "status":
			method = "GET"
		case "phone":
			if pos[0] == "reachable" || pos[0] == "paired" {
				if pos[1] != "on" && pos[1] != "off" {
					return fail("phone %s takes on or off, got %q", pos[0], pos[1])
				}
				path = "/step"
				q.Set("step", "phone "+pos[0]+" "+pos[1])
				break
			}
			if _, err := abi.ParsePhoneKind(pos[0]); err != nil {
				return fail("unknown phone data kind %q%s; kinds: user-info (transferUserInfo), context (updateApplicationContext), message (sendMessage), complication (transferCurrentComplicationUserInfo)", pos[0], drive.DidYouMean(pos[0], abi.PhoneKindNames()))
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
		case "peripheral":
			if p := host.CheckPeripheralName(pos[0]); p != "" {
				return fail("%s", p)
			}
			q.Set("name", pos[0])
			if len(pos) == 2 {
				q.Set("off", "1")
				break
			}
			if _, _, err := host.ParseCharacteristic(pos[1]); err != nil {
				return fail("%v", err)
			}
			q.Set("characteristic", pos[1])
			file, ok := strings.CutPrefix(pos[2], "@")
			if !ok {
				q.Set("value", pos[2])
				break
			}
			b, err := input.Read(file, input.Kind{Name: "samples file", Max: maxBody})
			if err != nil {
				return fail("%v", err)
			}
			if _, err := samples.Parse(file, b, samples.Options{}); err != nil {
				return fail("%v", err)
			}
			q.Set("file", filepath.Base(file))
			body = b
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
		// The socket is whatever listens at the path: its answer is
		// read under a cap, and one that is not a control answer is said
		// to be so.
		answer, err := io.ReadAll(io.LimitReader(resp.Body, maxControlAnswer+1))
		if err != nil {
			fmt.Fprintf(stderr, "watchbox %s: reading the answer of %s: %v\n", name, *control, err)
			return exitError
		}
		if len(answer) > maxControlAnswer {
			fmt.Fprintf(stderr, "watchbox %s: the answer of %s is over %s, more than a watchbox run sends; is it a watchbox run's control socket?\n", name, *control, input.Size(maxControlAnswer))
			return exitError
		}
		if resp.StatusCode != http.StatusOK {
			var e struct{ Error string }
			if json.Unmarshal(answer, &e) != nil || e.Error == "" {
				fmt.Fprintf(stderr, "watchbox %s: %s answered %s with %.200q, not a watchbox control answer; is it a watchbox run's control socket?\n", name, *control, resp.Status, answer)
				return exitError
			}
			return fail("%s", e.Error)
		}
		if !*asJSON && name == "step" {
			// why and status answer what they report; other steps the
			// app's state, as JSON.
			var ans struct {
				Why    []host.Decision       `json:"why"`
				Status []drive.ControlStatus `json:"status"`
			}
			json.Unmarshal(answer, &ans)
			if ans.Why != nil || ans.Status != nil {
				for _, d := range ans.Why {
					fmt.Fprintln(stdout, d)
				}
				printStatus(stdout, ans.Status)
				return exitOK
			}
		}
		if *asJSON || name != "status" {
			stdout.Write(answer)
			return exitOK
		}
		var st drive.StatusAnswer
		json.Unmarshal(answer, &st)
		printStatus(stdout, st.Apps)
		return exitOK
	}
}

// stepFilesFromHere returns the steps s (valid for drive.ParseSteps) with
// the relative file of each route and heart-rate step made absolute: the
// live run reads the file, and it may run in another directory than this
// command. Comments are dropped; the steps are otherwise as given.
func stepFilesFromHere(s string) string {
	var steps []string
	for _, part := range drive.SplitSteps(s) {
		words := strings.Fields(part)
		if len(words) == 0 {
			continue
		}
		// route [APP] FILE, heart-rate [APP] FILE: the file is last.
		if k := drive.Kind(strings.ToLower(words[0])); (k == drive.Route || k == drive.HeartRate) && len(words) > 1 {
			if file := words[len(words)-1]; !filepath.IsAbs(file) {
				if abs, err := filepath.Abs(file); err == nil {
					words[len(words)-1] = abs
				}
			}
		}
		steps = append(steps, strings.Join(words, " "))
	}
	return strings.Join(steps, "; ")
}

// printStatus prints the status of apps as text.
func printStatus(stdout io.Writer, apps []drive.ControlStatus) {
	for i, a := range apps {
		if i > 0 {
			fmt.Fprintln(stdout)
		}
		current := ""
		if a.Current {
			current = " (current)"
		}
		fmt.Fprintf(stdout, "%s: %s, %d launch(es), %d crash(es)%s\n", a.App, a.State, a.Launches, a.Crashes, current)
		if a.Hash != "" {
			fmt.Fprintf(stdout, "version %d (%s), %d reload(s)\n", a.Version, a.Hash, a.Reloads)
		}
		if a.Complication != "" {
			fmt.Fprintf(stdout, "complication: %s\n", a.Complication)
		}
		for _, s := range a.Sessions {
			fmt.Fprintf(stdout, "session: %s\n", s)
		}
		if c := a.LastCrash; c != nil {
			fmt.Fprintf(stdout, "last crash: %s in %s: %s: %s\n", c.Time.UTC().Format("15:04:05.000"), c.EventName(), c.Termination, c.Crash)
			if c.Stack != "" {
				io.WriteString(stdout, drive.IndentStack(c.Stack))
			}
		}
		for _, c := range a.Connections {
			fmt.Fprintf(stdout, "connected: %s\n", c)
		}
		for _, d := range a.Decisions {
			fmt.Fprintln(stdout, d)
		}
	}
}
