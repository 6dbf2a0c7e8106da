package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/mattn/go-isatty"
	"github.com/watchbox/watchbox/abi"
	"github.com/watchbox/watchbox/host"
)

// A step is one system action the run command applies to the app.
type step struct {
	name string
	arg  time.Duration // for sleep
	task abi.TaskKind  // for trigger
}

var stepHelp = "launch, wrist-up, wrist-down, background, suspend, purge, trigger TASK-KIND, sleep DURATION, status, why, quit"

// taskKinds maps step spellings (application-refresh, ...) to task kinds.
func taskKinds() map[string]abi.TaskKind {
	m := map[string]abi.TaskKind{}
	for k := abi.TaskApplicationRefresh; k <= abi.TaskRelevantShortcut; k++ {
		m[strings.ReplaceAll(k.String(), "_", "-")] = k
	}
	return m
}

// parseSteps parses steps separated by commas, semicolons or newlines.
// Lines starting with # are comments.
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
			switch st.name {
			case "trigger":
				kinds := taskKinds()
				if len(words) != 2 || kinds[words[1]] == 0 {
					var names []string
					for k := abi.TaskApplicationRefresh; k <= abi.TaskRelevantShortcut; k++ {
						names = append(names, strings.ReplaceAll(k.String(), "_", "-"))
					}
					return nil, fmt.Errorf("step %q needs a task kind: %s", strings.TrimSpace(part), strings.Join(names, ", "))
				}
				st.task = kinds[words[1]]
			case "launch", "open", "wrist-up", "wrist-down", "background", "suspend", "purge", "status", "why", "quit":
				if len(words) > 1 {
					return nil, fmt.Errorf("step %q takes no argument", part)
				}
			case "sleep", "wait":
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
	fs := newFlags("run", "BUNDLE", stderr)
	asJSON := fs.Bool("json", false, "JSON lines: call records and a summary on stdout, logs on stderr")
	stepsFlag := fs.String("steps", "", "steps to apply after launch, e.g. \"wrist-down, background, purge, wrist-up\" ("+stepHelp+"); without it steps are read from stdin")
	cacheDir := fs.String("cache", "", "cache directory (default: the user cache dir + /watchbox)")
	dataDir := fs.String("data", "", "directory of app data containers (default: $XDG_DATA_HOME/watchbox)")
	seed := fs.Int64("seed", 0, "seed for the guest's randomness (0: host entropy)")
	pf := profileFlags(fs)
	logLevel := fs.String("log-level", "info", "log level: debug, info, warn or error")
	control := fs.String("control", defaultControl(), "unix socket of the control endpoint that watchbox push/trigger/step/status talk to (\"off\" for none)")
	stay := fs.Bool("stay", false, "after the steps (or the end of stdin), stay live until interrupted, for the control endpoint")
	pos, code, ok := parseInterleaved(fs, args)
	if !ok {
		return code
	}
	if len(pos) != 1 {
		fmt.Fprintln(stderr, "watchbox run: expected exactly one app bundle directory, e.g. watchbox run apps/hello")
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
	failures := 0
	cfg := host.Config{
		CacheDir: *cacheDir, DataDir: *dataDir, Logger: &log, Seed: *seed,
		Profile: prof, CostModel: model,
		OnCall: func(c host.Call) {
			outMu.Lock()
			defer outMu.Unlock()
			if c.Crash != "" || c.Message != "" {
				failures++
			}
			printCall(stdout, c, *asJSON)
		},
	}
	rt, err := host.New(ctx, cfg)
	if err != nil {
		fmt.Fprintf(stderr, "watchbox run: %v\n", err)
		return exitError
	}
	app, err := rt.Load(ctx, pos[0])
	if err != nil {
		rt.Close(context.Background())
		fmt.Fprintf(stderr, "watchbox run: %v\n", err)
		if host.IsInvalidApp(err) {
			return exitInvalid
		}
		return exitError
	}
	r := &runner{app: app, stdout: stdout, stderr: stderr, json: *asJSON, mu: &outMu}
	if *control != "off" {
		stop, err := serveControl(ctx, *control, r, prof.PushPayloadLimit)
		if err != nil {
			rt.Close(context.Background())
			fmt.Fprintf(stderr, "watchbox run: %v\n", err)
			return exitError
		}
		defer stop()
		log.Info().Str("socket", *control).Msg("control endpoint: watchbox push, trigger, step and status talk to this run")
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
	// Shut down with a fresh context: an interrupt must still give the app
	// its leaving calls.
	if err := rt.Close(context.Background()); err != nil && !host.IsGuestFailure(err) {
		fmt.Fprintf(stderr, "watchbox run: shutdown: %v\n", err)
	}
	outMu.Lock()
	defer outMu.Unlock()
	summary := map[string]any{
		"type": "summary", "app": app.ID(), "launches": app.Launches(), "crashes": app.Crashes(),
		"failures": failures, "interrupted": ctx.Err() != nil,
	}
	if *asJSON {
		writeJSON(stdout, summary)
	} else {
		fmt.Fprintf(stdout, "%s: %d launch(es), %d crash(es), %d failed call(s)\n", app.ID(), app.Launches(), app.Crashes(), failures)
	}
	if r.usageErr {
		return exitUsage
	}
	if failures > 0 {
		return exitCrash
	}
	return exitOK
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

type runner struct {
	app      *host.App
	stdout   io.Writer
	stderr   io.Writer
	json     bool
	mu       *sync.Mutex
	usageErr bool
}

// do applies one step; it returns false when the run should stop.
func (r *runner) do(ctx context.Context, st step) bool {
	if r.json {
		r.mu.Lock()
		writeJSON(r.stdout, map[string]any{"type": "step", "step": st.name, "arg": st.arg.String()})
		r.mu.Unlock()
	}
	var err error
	switch st.name {
	case "launch", "open", "wrist-up":
		err = r.app.Launch(ctx)
	case "wrist-down":
		err = r.app.WristDown(ctx)
	case "background":
		err = r.app.EnterBackground(ctx)
	case "suspend":
		err = r.app.Suspend(ctx)
	case "purge":
		err = r.app.Purge(ctx)
	case "trigger":
		err = r.app.Trigger(ctx, st.task, nil)
	case "why":
		r.mu.Lock()
		for _, d := range r.app.Why() {
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
			return false
		}
	case "status":
		r.mu.Lock()
		if r.json {
			writeJSON(r.stdout, map[string]any{"type": "status", "app": r.app.ID(), "state": r.app.State().String(), "launches": r.app.Launches()})
		} else {
			fmt.Fprintf(r.stdout, "%s  state %v, %d launch(es)\n", r.app.ID(), r.app.State(), r.app.Launches())
		}
		r.mu.Unlock()
	case "quit":
		return false
	}
	if err != nil && !host.IsGuestFailure(err) {
		fmt.Fprintf(r.stderr, "watchbox run: %s: %v\n", st.name, err)
		return false
	}
	return true
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
		fmt.Fprintf(r.stderr, "watchbox: %s is running; type steps (%s), Ctrl-C or Ctrl-D to quit\n", r.app.ID(), stepHelp)
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
