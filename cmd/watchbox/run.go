package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"
	"unicode"

	"github.com/mattn/go-isatty"
	"github.com/watchbox/watchbox/abi"
	"github.com/watchbox/watchbox/host"
	"github.com/watchbox/watchbox/host/bundle"
)

// A step is one system action the run command applies to an app.
type step struct {
	name string
	app  string        // the app it acts on, as the user named it; "" for the current app
	arg  time.Duration // for sleep
	task abi.TaskKind  // for trigger
	// detail is trigger's optional last word: a snapshot reason, a URL
	// session's identifier or a Bluetooth peripheral.
	detail string
}

var stepHelp = "launch, wrist-up, wrist-down, background, suspend, purge, trigger TASK-KIND [DETAIL], expire, sleep DURATION, status, why, quit" +
	"; a step that acts on an app may name it after the step (bundle id, its last part, or the bundle directory's name)," +
	" as in \"launch weather\" or \"trigger hello snapshot\"; without one it acts on the current app"

// appSteps are the steps that act on an app and take an optional app.
var appSteps = map[string]bool{
	"launch": true, "open": true, "wrist-up": true, "wrist-down": true, "background": true,
	"suspend": true, "purge": true, "status": true, "why": true, "expire": true,
}

// isTaskKind reports whether name is a task kind users type
// (application-refresh, ...).
func isTaskKind(name string) bool {
	_, err := abi.ParseTaskKind(name)
	return err == nil
}

// checkDetail checks trigger's detail word for kind: a snapshot reason
// (app-backgrounded, ...), a URL session identifier or a Bluetooth
// peripheral; other kinds take none.
func checkDetail(kind abi.TaskKind, detail string) error {
	if strings.ContainsFunc(detail, unicode.IsSpace) {
		return fmt.Errorf("the detail %q has a space; it is one word (watchbox bluetooth-alert takes a peripheral name with spaces)", detail)
	}
	switch kind {
	case abi.TaskSnapshot:
		if _, err := abi.ParseSnapshotReason(detail); err != nil {
			return fmt.Errorf("%q is not a snapshot reason: %s", detail, strings.Join(abi.SnapshotReasonNames(), ", "))
		}
	case abi.TaskURLSession:
		if !abi.ValidSessionID(detail) {
			return fmt.Errorf("%q is not a URL session identifier: use letters, digits, '-', '_' and '.', at most 128 bytes", detail)
		}
	case abi.TaskBluetoothAlert:
	default:
		return fmt.Errorf("%s tasks take no detail; snapshot takes a reason, url-session an identifier, bluetooth-alert a peripheral",
			abi.TaskKindName(kind))
	}
	return nil
}

// parseSteps parses steps separated by commas, semicolons or newlines.
// Lines starting with # are comments. App names are not resolved here (see
// runner.check).
func parseSteps(s string) ([]step, error) {
	var steps []step
	for _, line := range strings.Split(s, "\n") {
		if i := strings.IndexByte(line, '#'); i >= 0 {
			line = line[:i]
		}
		for _, part := range strings.FieldsFunc(line, func(r rune) bool { return r == ',' || r == ';' }) {
			words := strings.Fields(part)
			if len(words) == 0 {
				continue
			}
			st := step{name: strings.ToLower(words[0])}
			switch {
			case st.name == "trigger" && (len(words) == 2 || len(words) == 3 && !isTaskKind(words[1])) && words[len(words)-1] == "expire":
				// trigger [APP] expire, as `watchbox trigger expire` sends it
				st.name = "expire"
				if len(words) == 3 {
					st.app = words[1]
				}
			case st.name == "trigger":
				// trigger [APP] TASK-KIND [DETAIL]
				rest := words[1:]
				if len(rest) > 0 && !isTaskKind(rest[0]) {
					st.app, rest = rest[0], rest[1:]
				}
				if len(rest) == 0 || len(rest) > 2 || !isTaskKind(rest[0]) {
					return nil, fmt.Errorf("step %q needs a task kind, after the app if any: %s", strings.TrimSpace(part), strings.Join(abi.TaskKindNames(), ", "))
				}
				st.task, _ = abi.ParseTaskKind(rest[0])
				if len(rest) == 2 {
					st.detail = rest[1]
					if err := checkDetail(st.task, st.detail); err != nil {
						return nil, fmt.Errorf("step %q: %v", strings.TrimSpace(part), err)
					}
				}
			case appSteps[st.name]:
				switch len(words) {
				case 1:
				case 2:
					st.app = words[1]
				default:
					return nil, fmt.Errorf("step %q takes at most one argument, the app it acts on", strings.TrimSpace(part))
				}
			case st.name == "quit":
				if len(words) > 1 {
					return nil, fmt.Errorf("step %q takes no argument", part)
				}
			case st.name == "sleep" || st.name == "wait":
				if len(words) != 2 {
					return nil, fmt.Errorf("step %q needs a duration, e.g. \"sleep 500ms\"", strings.TrimSpace(part))
				}
				d, err := time.ParseDuration(words[1])
				if err != nil || d < 0 {
					return nil, fmt.Errorf("step %q: %q is not a duration such as 500ms or 2m", strings.TrimSpace(part), words[1])
				}
				st.name, st.arg = "sleep", d
			default:
				return nil, fmt.Errorf("unknown step %q; steps are: %s", words[0], stepHelp)
			}
			steps = append(steps, st)
		}
	}
	return steps, nil
}

func runCommand(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlags("run", "BUNDLE [BUNDLE...]", stderr)
	asJSON := fs.Bool("json", false, "JSON lines: call records and a summary on stdout, logs on stderr")
	stepsFlag := fs.String("steps", "", "steps to apply after launch, e.g. \"wrist-down, background, purge, wrist-up\" ("+stepHelp+"); without it steps are read from stdin")
	cacheDir := fs.String("cache", "", "cache directory (default: the user cache dir + /watchbox)")
	dataDir := fs.String("data", "", "directory of app data containers (default: $XDG_DATA_HOME/watchbox)")
	seed := fs.Int64("seed", 0, "seed for the guest's randomness (0: host entropy)")
	pf := profileFlags(fs)
	logLevel := fs.String("log-level", "info", "log level: debug, info, warn or error")
	control := fs.String("control", defaultControl(), "unix socket of the control endpoint that watchbox push, trigger, step, status, phone, bluetooth-alert, tap and complication talk to (\"off\" for none)")
	stay := fs.Bool("stay", false, "after the steps (or the end of stdin), stay live until interrupted, for the control endpoint")
	pos, code, ok := parseInterleaved(fs, args)
	if !ok {
		return code
	}
	if len(pos) == 0 {
		fmt.Fprintln(stderr, "watchbox run: expected one or more app bundle directories, e.g. watchbox run apps/hello, or watchbox run apps/weather apps/hello")
		return exitUsage
	}
	if msg := duplicateBundles(pos); msg != "" {
		fmt.Fprintf(stderr, "watchbox run: %s; a run holds each app once\n", msg)
		return exitUsage
	}
	var steps []step
	if *stepsFlag != "" {
		var err error
		if steps, err = parseSteps(*stepsFlag); err != nil {
			fmt.Fprintf(stderr, "watchbox run: --steps: %v\n", err)
			return exitUsage
		}
	}
	log, err := newLogger(stderr, *asJSON, *logLevel)
	if err != nil {
		fmt.Fprintf(stderr, "watchbox run: %v\n", err)
		return exitUsage
	}
	prof, model, err := pf.resolve()
	if err != nil {
		fmt.Fprintf(stderr, "watchbox run: %v\n", err)
		return exitUsage
	}
	var outMu sync.Mutex
	failures := map[string]int{} // failed calls by app
	cfg := host.Config{
		CacheDir: *cacheDir, DataDir: *dataDir, Logger: &log, Seed: *seed,
		Profile: prof, CostModel: model,
		OnCall: func(c host.Call) {
			outMu.Lock()
			defer outMu.Unlock()
			if c.Crash != "" || c.Message != "" {
				failures[c.App]++
			}
			printCall(stdout, c, *asJSON)
		},
	}
	rt, err := host.New(ctx, cfg)
	if err != nil {
		fmt.Fprintf(stderr, "watchbox run: %v\n", err)
		return exitError
	}
	r := &runner{dirs: pos, stdout: stdout, stderr: stderr, json: *asJSON, mu: &outMu}
	for _, dir := range pos {
		app, err := rt.Load(ctx, dir)
		if err != nil {
			rt.Close(context.Background())
			fmt.Fprintf(stderr, "watchbox run: %v\n", err)
			if host.IsInvalidApp(err) {
				return exitInvalid
			}
			return exitError
		}
		r.apps = append(r.apps, app)
	}
	r.cur = r.apps[0]
	if err := r.check(steps, nil); err != nil {
		rt.Close(context.Background())
		fmt.Fprintf(stderr, "watchbox run: --steps: %v\n", err)
		return exitUsage
	}
	if *control != "off" {
		stop, err := serveControl(ctx, *control, r, prof.PushPayloadLimit)
		if err != nil {
			rt.Close(context.Background())
			fmt.Fprintf(stderr, "watchbox run: %v\n", err)
			return exitError
		}
		defer stop()
		log.Info().Str("socket", *control).Msg("control endpoint: watchbox push, trigger, step, status, phone, bluetooth-alert, tap and complication talk to this run")
	}
	r.do(ctx, step{name: "launch"})
	switch {
	case *stepsFlag != "":
		for _, st := range steps {
			if ctx.Err() != nil || !r.do(ctx, st) {
				break
			}
		}
	default:
		r.readSteps(ctx, stdin)
	}
	if *stay {
		<-ctx.Done()
	}
	// Shut down with a fresh context: an interrupt must still give the apps
	// their leaving calls.
	if err := rt.Close(context.Background()); err != nil && !host.IsGuestFailure(err) {
		fmt.Fprintf(stderr, "watchbox run: shutdown: %v\n", err)
	}
	outMu.Lock()
	defer outMu.Unlock()
	total := 0
	for _, app := range r.apps {
		total += failures[app.ID()]
		if *asJSON {
			writeJSON(stdout, map[string]any{
				"type": "summary", "app": app.ID(), "launches": app.Launches(), "crashes": app.Crashes(),
				"failures": failures[app.ID()], "interrupted": ctx.Err() != nil,
			})
		} else {
			fmt.Fprintf(stdout, "%s: %d launch(es), %d crash(es), %d failed call(s)\n", app.ID(), app.Launches(), app.Crashes(), failures[app.ID()])
		}
	}
	if r.usageErr {
		return exitUsage
	}
	if r.stepErr {
		return exitError
	}
	if total > 0 {
		return exitCrash
	}
	return exitOK
}

// duplicateBundles says which bundle directories name the same app (the
// same directory twice, or two bundles with one bundle id), or "".
// Directories whose manifest cannot be read are left to the load, which
// explains what is wrong with them.
func duplicateBundles(dirs []string) string {
	seen := map[string]string{} // bundle id or absolute directory -> directory as given
	for _, dir := range dirs {
		abs, err := filepath.Abs(dir)
		if err != nil {
			continue
		}
		if prev, ok := seen[abs]; ok {
			if prev == dir {
				return fmt.Sprintf("%s is given twice", dir)
			}
			return fmt.Sprintf("%s and %s are the same bundle", prev, dir)
		}
		seen[abs] = dir
		if b, err := bundle.Open(dir); err == nil {
			id := b.Manifest.BundleIdentifier
			if prev, ok := seen["id:"+id]; ok {
				return fmt.Sprintf("%s and %s are both %s", prev, dir, id)
			}
			seen["id:"+id] = dir
		}
	}
	return ""
}

func printCall(w io.Writer, c host.Call, asJSON bool) {
	event, status := c.EventName(), c.Status.String()
	if c.Crash != "" {
		status = "crash"
	}
	if asJSON {
		writeJSON(w, map[string]any{
			"type": "call", "app": c.App, "event": event, "id": c.ID,
			"status": status, "message": c.Message, "crash": c.Crash, "termination": c.Termination,
			"state": c.State.String(), "fuel": c.Fuel, "duration_ns": c.Duration.Nanoseconds(),
		})
		return
	}
	line := fmt.Sprintf("%-24s %-12s %-10s %8s %12d fuel", event, status, c.State, ms(c.Duration), c.Fuel)
	switch {
	case c.Crash != "":
		line = fmt.Sprintf("%-24s CRASH        %-10s %s: %s (%d fuel)", event, c.State, c.Termination, c.Crash, c.Fuel)
	case c.Message != "":
		line += "  " + c.Message
	}
	fmt.Fprintf(w, "%s  %s\n", c.App, line)
}

// A runner applies steps to the apps of a run, from --steps, stdin or the
// control endpoint, which may call it concurrently.
type runner struct {
	apps     []*host.App // in the order given
	dirs     []string    // their bundle directories, as given
	stdout   io.Writer
	stderr   io.Writer
	json     bool
	mu       *sync.Mutex // output
	usageErr bool
	stepErr  bool // a step failed: the run exits 1

	curMu sync.Mutex
	cur   *host.App // the current app: the first given, or the last launched or opened
}

// current returns the app that steps without an app act on.
func (r *runner) current() *host.App {
	r.curMu.Lock()
	defer r.curMu.Unlock()
	return r.cur
}

func (r *runner) setCurrent(app *host.App) {
	r.curMu.Lock()
	r.cur = app
	r.curMu.Unlock()
}

// lookup finds the app that name names: its bundle id, the bundle id's last
// dot-separated part, or its bundle directory (as given, or its base name).
// No match, or several, is an error that lists the run's apps.
func (r *runner) lookup(name string) (*host.App, error) {
	for _, app := range r.apps {
		if app.ID() == name {
			return app, nil
		}
	}
	var found []*host.App
	for i, app := range r.apps {
		id, dir := app.ID(), r.dirs[i]
		if strings.EqualFold(id, name) || strings.EqualFold(id[strings.LastIndexByte(id, '.')+1:], name) ||
			filepath.Clean(dir) == filepath.Clean(name) || filepath.Base(filepath.Clean(dir)) == name {
			found = append(found, app)
		}
	}
	switch len(found) {
	case 1:
		return found[0], nil
	case 0:
		return nil, fmt.Errorf("no app %q in this run; it runs %s", name, r.appList())
	}
	var ids []string
	for _, app := range found {
		ids = append(ids, app.ID())
	}
	return nil, fmt.Errorf("%q names several apps of this run (%s); give the bundle id", name, strings.Join(ids, ", "))
}

// appList lists the run's apps for messages: "dev.watchbox.weather
// (apps/weather), dev.watchbox.hello (apps/hello)".
func (r *runner) appList() string {
	var s []string
	for i, app := range r.apps {
		s = append(s, fmt.Sprintf("%s (%s)", app.ID(), r.dirs[i]))
	}
	return strings.Join(s, ", ")
}

// check resolves the apps that steps name, before any is applied. With
// only non-nil, every step must act on that app: steps without an app are
// set to it.
func (r *runner) check(steps []step, only *host.App) error {
	for i, st := range steps {
		if st.app == "" {
			if only != nil && (appSteps[st.name] || st.name == "trigger") {
				steps[i].app = only.ID()
			}
			continue
		}
		app, err := r.lookup(st.app)
		if err != nil {
			return err
		}
		if only != nil && app != only {
			return fmt.Errorf("step %q names %s, but the request is for %s", st.name+" "+st.app, app.ID(), only.ID())
		}
		steps[i].app = app.ID()
	}
	return nil
}

// target returns the app a step acts on: the one it names, else the
// current app.
func (r *runner) target(st step) (*host.App, error) {
	if st.app != "" {
		return r.lookup(st.app)
	}
	return r.current(), nil
}

// do applies one step; it returns false when the run should stop.
func (r *runner) do(ctx context.Context, st step) bool {
	if st.name == "quit" {
		r.record(st, nil)
		return false
	}
	err := r.apply(ctx, st)
	if st.name == "sleep" && err != nil {
		return false // interrupted
	}
	if errors.Is(err, host.ErrNoOpenTask) { // nothing to expire: say so and go on
		fmt.Fprintf(r.stderr, "watchbox run: %s: %v\n", st.name, err)
		return true
	}
	if err != nil {
		fmt.Fprintf(r.stderr, "watchbox run: %s: %v\n", st.name, userError(err))
		r.stepErr = true
		return false
	}
	return true
}

// userError drops the "host: " prefix of the runtime's errors: the user
// talks to watchbox, not to its packages.
func userError(err error) string { return strings.TrimPrefix(err.Error(), "host: ") }

// noTaskError is an expire step's error when the app has no open task.
type noTaskError struct{ app string }

func (e noTaskError) Error() string {
	return e.app + " has no open background task to expire (trigger one first)"
}

func (e noTaskError) Unwrap() error { return host.ErrNoOpenTask }

// record writes a step's JSON record (with --json). It names the app the
// step acts on when the step names one or the run has several apps.
func (r *runner) record(st step, app *host.App) {
	if !r.json {
		return
	}
	rec := map[string]any{"type": "step", "step": st.name, "arg": st.arg.String()}
	if app != nil && (st.app != "" || len(r.apps) > 1) {
		rec["app"] = app.ID()
	}
	r.mu.Lock()
	writeJSON(r.stdout, rec)
	r.mu.Unlock()
}

// apply applies one step other than quit. Guest failures are not errors:
// the call that failed has been printed.
func (r *runner) apply(ctx context.Context, st step) error {
	var app *host.App
	all := (st.name == "status" || st.name == "why") && st.app == ""
	if st.name != "sleep" && !all {
		var err error
		if app, err = r.target(st); err != nil {
			r.record(st, nil)
			return err
		}
	}
	r.record(st, app)
	var err error
	switch st.name {
	case "launch", "open", "wrist-up":
		r.setCurrent(app)
		err = app.Launch(ctx)
	case "wrist-down":
		err = app.WristDown(ctx)
	case "background":
		err = app.EnterBackground(ctx)
	case "suspend":
		err = app.Suspend(ctx)
	case "purge":
		err = app.Purge(ctx)
	case "trigger":
		t := host.ForcedTask{Kind: st.task}
		switch st.task {
		case abi.TaskSnapshot:
			t.Reason, _ = abi.ParseSnapshotReason(st.detail)
		case abi.TaskURLSession:
			t.Session = st.detail
		case abi.TaskBluetoothAlert:
			if st.detail != "" {
				t.UserInfo = []byte(st.detail)
			}
		}
		err = app.TriggerTask(ctx, t)
	case "expire":
		if err = app.Expire(ctx); errors.Is(err, host.ErrNoOpenTask) {
			err = noTaskError{app.ID()}
		}
	case "why":
		var ds []host.Decision
		if all {
			for _, a := range r.apps {
				ds = append(ds, a.Why()...)
			}
			sort.SliceStable(ds, func(i, j int) bool { return ds[i].Time.Before(ds[j].Time) })
		} else {
			ds = app.Why()
		}
		r.mu.Lock()
		for _, d := range ds {
			if r.json {
				writeJSON(r.stdout, map[string]any{"type": "decision", "decision": d})
			} else {
				fmt.Fprintln(r.stdout, d)
			}
		}
		r.mu.Unlock()
	case "sleep":
		select {
		case <-time.After(st.arg):
		case <-ctx.Done():
			return ctx.Err()
		}
	case "status":
		apps := r.apps
		if !all {
			apps = []*host.App{app}
		}
		// Read the apps before taking the output lock: a guest call holds
		// its app's lock while it prints (OnCall), so the other order
		// deadlocks.
		type status struct {
			id, state    string
			launches     uint64
			complication []byte
		}
		sts := make([]status, len(apps))
		for i, a := range apps {
			sts[i] = status{a.ID(), a.State().String(), a.Launches(), a.Complication()}
		}
		r.mu.Lock()
		for _, st := range sts {
			if r.json {
				rec := map[string]any{"type": "status", "app": st.id, "state": st.state, "launches": st.launches}
				if st.complication != nil {
					rec["complication"] = string(st.complication)
				}
				writeJSON(r.stdout, rec)
				continue
			}
			line := fmt.Sprintf("%s  state %s, %d launch(es)", st.id, st.state, st.launches)
			if st.complication != nil {
				line += fmt.Sprintf(", complication %q", st.complication)
			}
			fmt.Fprintln(r.stdout, line)
		}
		r.mu.Unlock()
	}
	if err != nil && !host.IsGuestFailure(err) {
		return err
	}
	return nil
}

// readSteps applies steps read line by line from in until it ends, a quit
// step, or an interrupt. On a terminal it prompts; elsewhere (a pipe or a
// file) a bad step stops the run with a usage error.
func (r *runner) readSteps(ctx context.Context, in io.Reader) {
	interactive := false
	if f, ok := in.(*os.File); ok {
		interactive = isatty.IsTerminal(f.Fd())
	}
	if interactive {
		var ids []string
		for _, app := range r.apps {
			ids = append(ids, app.ID())
		}
		verb := "is"
		if len(ids) > 1 {
			verb = "are"
		}
		fmt.Fprintf(r.stderr, "watchbox: %s %s running; type steps (%s), Ctrl-C or Ctrl-D to quit\n", strings.Join(ids, ", "), verb, stepHelp)
	}
	lines := make(chan string)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(in)
		for sc.Scan() {
			select {
			case lines <- sc.Text():
			case <-ctx.Done():
				return
			}
		}
	}()
	for {
		select {
		case <-ctx.Done():
			return
		case line, more := <-lines:
			if !more { // end of input, or Ctrl-D on a terminal
				return
			}
			steps, err := parseSteps(line)
			if err == nil {
				err = r.check(steps, nil)
			}
			if err != nil {
				fmt.Fprintf(r.stderr, "watchbox run: %v\n", err)
				if !interactive {
					r.usageErr = true
					return
				}
				continue
			}
			for _, st := range steps {
				if !r.do(ctx, st) {
					return
				}
			}
		}
	}
}
