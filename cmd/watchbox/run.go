package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/mattn/go-isatty"
	"github.com/rs/zerolog"
	"github.com/watchbox/watchbox/host"
	"github.com/watchbox/watchbox/host/bundle"
	"github.com/watchbox/watchbox/host/drive"
	"github.com/watchbox/watchbox/host/input"
)

func runCommand(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return runApps(ctx, "run", args, stdout, stderr)
}

// runApps is `watchbox run`, and `watchbox dev` (name "dev"), which also
// watches the bundles and reloads them on every save.
func runApps(ctx context.Context, name string, args []string, stdout, stderr io.Writer) int {
	dev := name == "dev"
	fs := newFlags(name, "BUNDLE [BUNDLE...]", stderr)
	asJSON := fs.Bool("json", false, "JSON lines: call records and a summary on stdout, logs on stderr")
	stepsFlag := fs.String("steps", "", "steps to apply after launch, e.g. \"wrist-down, background, purge, wrist-up\" ("+drive.StepHelp+"); without it steps are read from stdin")
	cacheDir := fs.String("cache", "", "cache directory (default: the user cache dir + /watchbox)")
	dataDir := fs.String("data", "", "directory of app data containers (default: $XDG_DATA_HOME/watchbox)")
	stateDir := fs.String("state", "", "directory where each app's schedules (refresh, snapshot, notifications, downloads in flight, budgets) are saved after every change and restored at the next start (default: DATA/state; \"off\" for none)")
	seed := fs.Int64("seed", 0, "seed for the guest's randomness (0: host entropy)")
	pf := profileFlags(fs)
	logLevel := fs.String("log-level", "info", "log level: debug, info, warn or error")
	control := fs.String("control", defaultControl(), "unix socket of the control endpoint that watchbox push, trigger, step, status, phone, bluetooth-alert, tap and complication talk to (\"off\" for none)")
	verbose := fs.Bool("verbose", false, "print the whole stack trace of a handler's recovered panic under its call (without it: the first frame in the app's code)")
	traceFile := fs.String("trace", "", "also write the run as Chrome trace-event JSON to `FILE`, to open in ui.perfetto.dev or chrome://tracing (docs/trace.md)")
	stay := fs.Bool("stay", false, "after the steps (or the end of stdin), stay live until interrupted, for the control endpoint")
	pos, code, ok := parseInterleaved(fs, args)
	if !ok {
		return code
	}
	if len(pos) == 0 {
		fmt.Fprintf(stderr, "watchbox %s: expected one or more app bundle directories, e.g. watchbox %s apps/hello, or watchbox %s apps/weather apps/hello\n", name, name, name)
		return exitUsage
	}
	if msg := duplicateBundles(pos); msg != "" {
		fmt.Fprintf(stderr, "watchbox %s: %s; a run holds each app once\n", name, msg)
		return exitUsage
	}
	var steps []drive.Action
	if *stepsFlag != "" {
		var err error
		if steps, err = drive.ParseSteps(*stepsFlag); err != nil {
			fmt.Fprintf(stderr, "watchbox %s: --steps: %v\n", name, err)
			return exitUsage
		}
	}
	var tracer *drive.Tracer
	var trace *traceOutput
	var rt *host.Runtime
	var tee io.Writer
	if *traceFile != "" {
		f, err := createTrace(*traceFile)
		if err != nil {
			fmt.Fprintf(stderr, "watchbox run: %v\n", err)
			return exitUsage
		}
		defer f.close()
		trace = f
		// The runtime's clock starts with the runtime, which needs the
		// tracer's hooks first: the trace counts from now.
		tracer = drive.NewTracer(f, time.Now(), func() time.Time { return rt.Now() })
		tee = tracer.Logs()
	}
	log, err := newTeeLogger(stderr, *asJSON, *logLevel, tee)
	if err != nil {
		fmt.Fprintf(stderr, "watchbox %s: %v\n", name, err)
		return exitUsage
	}
	prof, model, err := pf.resolve()
	if err != nil {
		fmt.Fprintf(stderr, "watchbox %s: %v\n", name, err)
		return exitUsage
	}
	state, err := stateDirFor(*stateDir, *dataDir)
	if err != nil {
		fmt.Fprintf(stderr, "watchbox run: %v\n", err)
		return exitError
	}
	var outMu sync.Mutex
	failures := map[string]int{} // failed calls by app
	cfg := host.Config{
		CacheDir: *cacheDir, DataDir: *dataDir, StateDir: state, Logger: &log, Seed: *seed,
		Profile: prof, CostModel: model,
		OnCall: func(c host.Call) {
			outMu.Lock()
			defer outMu.Unlock()
			if c.Crash != "" || c.Message != "" {
				failures[c.App]++
			}
			printCall(stdout, c, *asJSON, *verbose)
			if tracer != nil {
				tracer.Call(c)
			}
		},
	}
	if tracer != nil {
		cfg.OnDecision, cfg.OnSpan = tracer.Decision, tracer.Span
	}
	rt, err = host.New(ctx, cfg)
	if errors.Is(err, host.ErrStateInUse) && *stateDir == "" {
		// A second run on the default data directory still runs, as it
		// did before state was saved; only its schedules are not kept.
		log.Warn().Msgf("%v; this run saves no state", err) // in the log: with --json, a JSON line
		cfg.StateDir = ""
		rt, err = host.New(ctx, cfg)
	}
	if err != nil {
		fmt.Fprintf(stderr, "watchbox %s: %v\n", name, err)
		return exitError
	}
	r := &runner{name: name, d: drive.New(rt, drive.Options{}), stdout: stdout, stderr: stderr, json: *asJSON, log: &log, mu: &outMu}
	// The bundles load in order; the modules of all but the first compile
	// meanwhile on the other cores.
	warmed := rt.Warm(ctx, pos[min(1, len(pos)):]...)
	for _, dir := range pos {
		app, err := rt.Load(ctx, dir)
		if err != nil {
			warmed()
			rt.Close(context.Background())
			fmt.Fprintf(stderr, "watchbox %s: %v\n", name, err)
			if host.IsInvalidApp(err) {
				return exitInvalid
			}
			return exitError
		}
		r.d.Add(app, dir, "")
	}
	warmed()
	if ctx.Err() != nil {
		// Interrupted while the apps loaded (a compile does not stop
		// for it): launching now would blame the apps for the interrupt.
		rt.Close(context.Background())
		fmt.Fprintf(stderr, "watchbox %s: interrupted while loading the apps; nothing was launched\n", name)
		return exitError
	}
	r.d.SetCurrent(r.d.Apps()[0])
	if err := r.d.Check(steps, nil); err != nil {
		rt.Close(context.Background())
		fmt.Fprintf(stderr, "watchbox %s: --steps: %v\n", name, err)
		return exitUsage
	}
	if trace != nil {
		if err := trace.start(); err != nil {
			rt.Close(context.Background())
			fmt.Fprintf(stderr, "watchbox %s: %v\n", name, err)
			return exitError
		}
	}
	if *control != "off" {
		opts := drive.ControlOptions{PushLimit: prof.PushPayloadLimit, Step: r.step}
		stop, err := drive.ServeControl(ctx, *control, r.d, opts)
		var busy *drive.BusyError
		if errors.As(err, &busy) && !flagGiven(fs, "control") {
			// The default socket belongs to another run: this one gets its
			// own, and says where, rather than failing.
			own := runSocket(*control)
			if stop, err = drive.ServeControl(ctx, own, r.d, opts); err == nil {
				log.Warn().Str("busy", *control).Str("socket", own).Msg("control endpoint: another watchbox run has the default socket; this run listens on its own, so pass --control " + own + " to push, trigger, step, status, phone, bluetooth-alert, tap and complication")
				*control = own
			}
		}
		if err != nil {
			rt.Close(context.Background())
			fmt.Fprintf(stderr, "watchbox %s: %v\n", name, err)
			return exitError
		}
		defer stop()
		log.Info().Str("socket", *control).Msg("control endpoint: watchbox push, trigger, step, status, phone, bluetooth-alert, tap and complication talk to this run")
	}
	stopReload := func() {}
	if dev {
		stop, err := startReload(ctx, r, *cacheDir, stdout, tracer)
		if err != nil {
			rt.Close(context.Background())
			fmt.Fprintf(stderr, "watchbox %s: %v\n", name, err)
			return exitError
		}
		stopReload = stop
	}
	r.do(ctx, drive.Action{Kind: drive.Launch})
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
	if (*stay && !dev) || (dev && !r.quit) { // a quit step ends a dev run; run --stay keeps its old rule
		<-ctx.Done()
	}
	stopReload() // no reload may start once the apps shut down
	// Shut down with a fresh context: an interrupt must still give the apps
	// their leaving calls.
	if err := rt.Close(context.Background()); err != nil && !host.IsGuestFailure(err) {
		fmt.Fprintf(stderr, "watchbox %s: shutdown: %v\n", name, err)
	}
	if tracer != nil {
		if err := tracer.Close(rt.Now()); err != nil {
			fmt.Fprintf(stderr, "watchbox %s: --trace: %v\n", name, err)
		}
	}
	outMu.Lock()
	defer outMu.Unlock()
	total := 0
	for _, app := range r.d.Apps() {
		total += failures[app.ID()]
		if *asJSON {
			writeJSON(stdout, map[string]any{
				"type": "summary", "app": app.ID(), "launches": app.Launches(), "crashes": app.Crashes().Count(),
				"failures": failures[app.ID()], "interrupted": ctx.Err() != nil,
			})
		} else {
			fmt.Fprintf(stdout, "%s: %d launch(es), %d crash(es), %d failed call(s)\n", app.ID(), app.Launches(), app.Crashes().Count(), failures[app.ID()])
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

// stateDirFor is the state directory of --state flag with --data data:
// flag itself, none for "off", else the data directory's state/.
func stateDirFor(flag, data string) (string, error) {
	switch flag {
	case "off":
		return "", nil
	case "":
		if data == "" {
			var err error
			if data, err = host.DefaultDataDir(); err != nil {
				return "", err
			}
		}
		return filepath.Join(data, "state"), nil
	}
	return flag, nil
}

// flagGiven reports whether the command line set the flag name.
func flagGiven(fs *flag.FlagSet, name string) bool {
	given := false
	fs.Visit(func(f *flag.Flag) { given = given || f.Name == name })
	return given
}

// runSocket is a control socket of this run's own, beside the default
// one: watchbox-PID.sock.
func runSocket(def string) string {
	return filepath.Join(filepath.Dir(def), fmt.Sprintf("watchbox-%d.sock", os.Getpid()))
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

func printCall(w io.Writer, c host.Call, asJSON, verbose bool) {
	event, status := c.EventName(), c.Status.String()
	if c.Crash != "" {
		status = "crash"
	}
	if asJSON {
		rec := map[string]any{
			"type": "call", "app": c.App, "event": event, "id": c.ID,
			"status": status, "message": c.Message, "crash": c.Crash, "termination": c.Termination,
			"state": c.State.String(), "fuel": c.Fuel, "duration_ns": c.Duration.Nanoseconds(),
		}
		if c.Where != "" {
			rec["where"] = c.Where
		}
		if verbose && c.Stack != "" {
			rec["stack"] = c.Stack
		}
		writeJSON(w, rec)
		return
	}
	line := fmt.Sprintf("%-24s %-12s %-10s %8s %12d fuel", event, status, c.State, ms(c.Duration), c.Fuel)
	switch {
	case c.Crash != "":
		line = fmt.Sprintf("%-24s CRASH        %-10s %s: %s (%d fuel)", event, c.State, c.Termination, c.Crash, c.Fuel)
		if c.Where != "" {
			line += " (at " + c.Where + ")"
		}
	case c.Message != "":
		line += "  " + c.Message
		if c.Where != "" {
			line += " (at " + c.Where + ")"
		}
	}
	fmt.Fprintf(w, "%s  %s\n", c.App, line)
	if verbose && c.Stack != "" {
		io.WriteString(w, drive.IndentStack(c.Stack))
	}
}

// A runner applies steps to the apps of a run, from --steps, stdin or the
// control endpoint, which may call it concurrently, and prints them.
type runner struct {
	name     string // the command: run or dev
	d        *drive.Driver
	stdout   io.Writer
	stderr   io.Writer
	json     bool
	log      *zerolog.Logger // the run's log, where say writes with --json
	mu       *sync.Mutex     // output
	usageErr bool
	stepErr  bool // a step failed: the run exits 1
	quit     bool // a quit step ended the run
}

// do applies one step; it returns false when the run should stop.
func (r *runner) do(ctx context.Context, st drive.Action) bool {
	if st.Kind == drive.Quit {
		r.record(st, nil)
		r.quit = true
		return false
	}
	err := r.apply(ctx, st)
	if st.Kind == drive.Sleep && err != nil {
		return false // interrupted
	}
	if errors.Is(err, host.ErrNoOpenTask) { // nothing to expire: say so and go on
		r.say(zerolog.WarnLevel, fmt.Sprintf("%s: %v", st.Kind, err))
		return true
	}
	if err != nil {
		r.say(zerolog.ErrorLevel, fmt.Sprintf("%s: %s", st.Kind, drive.Message(err)))
		r.stepErr = true
		return false
	}
	return true
}

// say tells the user "watchbox run: msg" on stderr; with --json as the
// message of a record of the log at level, so that stderr stays JSON
// lines.
func (r *runner) say(level zerolog.Level, msg string) {
	msg = "watchbox " + r.name + ": " + msg
	if r.json {
		r.log.WithLevel(level).Msg(msg)
		return
	}
	fmt.Fprintln(r.stderr, msg)
}

// record writes a step's JSON record (with --json). It names the app the
// step acts on when the step names one or the run has several apps.
func (r *runner) record(st drive.Action, app *host.App) {
	if !r.json {
		return
	}
	rec := map[string]any{"type": "step", "step": string(st.Kind), "arg": st.Duration.String()}
	if app != nil && (st.App != "" || len(r.d.Apps()) > 1) {
		rec["app"] = app.ID()
	}
	r.mu.Lock()
	writeJSON(r.stdout, rec)
	r.mu.Unlock()
}

// step applies one step other than quit and records it; it is the control
// endpoint's Step, which answers what status and why report to its
// client. Guest failures are not errors: the call that failed has been
// printed.
func (r *runner) step(ctx context.Context, st drive.Action) (drive.Result, error) {
	app, err := r.d.Resolve(st)
	r.record(st, app)
	if err != nil {
		return drive.Result{Action: st}, err
	}
	if app != nil {
		st.App = app.ID() // the app recorded, whatever the current app becomes
	}
	return r.d.Apply(ctx, st)
}

// apply applies one step of the run's own (--steps or stdin) and prints
// what status and why report.
func (r *runner) apply(ctx context.Context, st drive.Action) error {
	res, err := r.step(ctx, st)
	if err != nil {
		return err
	}
	// Status was read before taking the output lock: a guest call holds
	// its app's lock while it prints (OnCall), so the other order
	// deadlocks.
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, d := range res.Why {
		if r.json {
			writeJSON(r.stdout, map[string]any{"type": "decision", "decision": d})
		} else {
			fmt.Fprintln(r.stdout, d)
		}
	}
	for _, st := range res.Status {
		if r.json {
			rec := map[string]any{"type": "status", "app": st.ID, "state": st.State.String(), "launches": st.Launches}
			if st.Complication != nil {
				rec["complication"] = string(st.Complication)
			}
			if len(st.Sessions) > 0 {
				rec["sessions"] = st.Sessions
			}
			if st.LastCrash != nil {
				rec["last_crash"] = st.LastCrash
			}
			if cs := drive.ConnectionLines(st.Connections); cs != nil {
				rec["connections"] = cs
			}
			writeJSON(r.stdout, rec)
			continue
		}
		line := fmt.Sprintf("%s  state %s, %d launch(es)", st.ID, st.State, st.Launches)
		if st.Complication != nil {
			line += fmt.Sprintf(", complication %q", st.Complication)
		}
		for _, s := range st.Sessions {
			line += ", " + s
		}
		if cs := drive.ConnectionLines(st.Connections); cs != nil {
			line += ", connected to " + strings.Join(cs, "; ")
		}
		fmt.Fprintln(r.stdout, line)
		if c := st.LastCrash; c != nil {
			fmt.Fprintf(r.stdout, "%s  last crash in %s: %s: %s\n", st.ID, c.EventName(), c.Termination, c.Crash)
			if c.Stack != "" {
				io.WriteString(r.stdout, drive.IndentStack(c.Stack))
			}
		}
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
		for _, app := range r.d.Apps() {
			ids = append(ids, app.ID())
		}
		verb := "is"
		if len(ids) > 1 {
			verb = "are"
		}
		fmt.Fprintf(r.stderr, "watchbox: %s %s running; type steps (%s), Ctrl-C or Ctrl-D to quit\n", strings.Join(ids, ", "), verb, drive.StepHelp)
	}
	lines := make(chan string)
	var readErr error // set before lines closes
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(in)
		n := 0
		for sc.Scan() {
			n++
			select {
			case lines <- sc.Text():
			case <-ctx.Done():
				return
			}
		}
		// A line over the scanner's 64 KiB (a binary file on stdin) or
		// a read error ends the steps: say so, rather than end the run
		// as if the input had ended there.
		switch err := sc.Err(); {
		case errors.Is(err, bufio.ErrTooLong):
			readErr = fmt.Errorf("reading steps: line %d is over %s; a step is one short line, such as \"wrist-down\"", n+1, input.Size(bufio.MaxScanTokenSize))
		case err != nil:
			readErr = fmt.Errorf("reading steps: after line %d: %w", n, err)
		}
	}()
	for {
		select {
		case <-ctx.Done():
			return
		case line, more := <-lines:
			if !more { // end of input, or Ctrl-D on a terminal
				if readErr != nil {
					fmt.Fprintf(r.stderr, "watchbox %s: %v\n", r.name, readErr)
					r.usageErr = true
				}
				return
			}
			steps, err := drive.ParseSteps(line)
			if err == nil {
				err = r.d.Check(steps, nil)
			}
			if err != nil {
				r.say(zerolog.ErrorLevel, err.Error())
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
