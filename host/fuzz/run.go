package fuzz

import (
	"context"
	"fmt"
	"os"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"github.com/watchbox/watchbox/abi"
	"github.com/watchbox/watchbox/host"
	"github.com/watchbox/watchbox/host/drive"
	"github.com/watchbox/watchbox/host/internal/guest"
	"github.com/watchbox/watchbox/host/profile"
	"github.com/watchbox/watchbox/host/scenario"
)

// alias is the app's name in runs and saved scenarios.
const alias = "app"

// Kinds of findings.
const (
	KindTrap           = "trap"              // the guest trapped, or exited (a Go runtime fatal error)
	KindPanic          = "panic"             // a handler panicked; the SDK recovered and sent the stack
	KindFuel           = "fuel-exhausted"    // a call used up its CPU budget
	KindDeadline       = "deadline-missed"   // a call ran past its wall-time deadline
	KindTaskIncomplete = "task-incomplete"   // a background task was still open at its deadline: the app was killed
	KindMalformed      = "malformed-request" // the host refused a request of the guest as malformed
	KindNondeterminism = "nondeterminism"    // the same input ran twice gave a different trace or fuel
	KindHostPanic      = "host-panic"        // watchbox itself panicked: a bug in watchbox
)

// Finding is one problem an input provoked.
type Finding struct {
	Kind     string `json:"kind"`
	Event    string `json:"event,omitempty"`    // the event being handled
	Message  string `json:"message"`            // what happened, one line
	Where    string `json:"where,omitempty"`    // the first frame in the app's code, if known
	Stack    string `json:"stack,omitempty"`    // the guest's (or for host-panic the host's) stack
	Input    []byte `json:"-"`                  // the minimized input
	Actions  int    `json:"actions"`            // how many actions the input applies
	Dir      string `json:"dir,omitempty"`      // where it was saved
	Scenario string `json:"scenario,omitempty"` // the saved scenario file
	Corpus   string `json:"corpus,omitempty"`   // the saved "go test fuzz v1" file
	Run      int64  `json:"run"`                // the run that found it
}

// key is what findings are de-duplicated by: the kind and where in the
// guest (its stack's first app frame, else the message).
func (f *Finding) key() string {
	if f.Where != "" {
		return f.Kind + "|" + f.Where
	}
	return f.Kind + "|" + f.Event + "|" + f.Message
}

// outcome is what one run did.
type outcome struct {
	actions  []drive.Action // applied, with absolute times
	mods     []uint16       // per input byte, the choices it decided between (0: unread)
	end      time.Time
	trace    string // calls and decisions, relative times: for nondeterminism
	findings []*Finding
	edges    int
}

// runner runs inputs for one worker: a Runtime for each run (fresh system
// state: clock, budgets, tasks, container), the app's Wasm side kept and
// restored from a snapshot by a host.Keeper.
type runner struct {
	bundle   string
	cacheDir string
	data     string
	events   []string
	prof     profile.Profile
	coverage bool
	keep     *host.Keeper
	cov      []byte // the last run's map, copied
	// clean: the data directory holds only the app's empty container,
	// as the last run left it, so the next run need not clear it (a
	// run's cost is mostly system calls otherwise).
	clean bool
}

func newRunner(opts *Options, data string) *runner {
	return &runner{bundle: opts.Bundle, cacheDir: opts.CacheDir, data: data, events: opts.Events, prof: opts.Profile,
		coverage: !opts.NoCoverage, keep: host.NewKeeper(), cov: make([]byte, 1<<16)}
}

func (r *runner) close() { r.keep.Close(context.Background()) }

// start is the virtual time every run starts at (a scenario's default).
var start = scenario.DefaultStart

// simulate makes a Simulation of the app alone, as `watchbox simulate`
// does of a saved scenario.
func (r *runner) simulate(ctx context.Context, refuse func(string)) (*drive.Simulation, error) {
	if !r.clean {
		if err := os.RemoveAll(r.data); err != nil {
			return nil, fmt.Errorf("fuzz: clearing %s: %w", r.data, err)
		}
	}
	r.clean = false
	sc := &scenario.Scenario{File: "fuzz", Dir: ".", Start: start, Duration: time.Hour, Seed: scenario.DefaultSeed,
		Profile: scenario.DefaultProfile, Apps: []scenario.App{{Alias: alias, Dir: r.bundle}}, Complications: map[string]bool{}}
	return drive.Simulate(ctx, sc, r.prof, drive.SimOptions{CacheDir: r.cacheDir, DataDir: r.data, Coverage: r.coverage, Keep: r.keep,
		OnRefusal: func(app string, op abi.Op, status abi.Status, reason string) { refuse(reason) }})
}

// run runs one input. A panic of the host is a finding, after which the
// runner starts over with a new Keeper.
func (r *runner) run(ctx context.Context, input []byte) (out *outcome, err error) {
	defer func() {
		if p := recover(); p != nil {
			r.keep.Close(context.Background())
			r.keep = host.NewKeeper()
			out = &outcome{findings: []*Finding{{Kind: KindHostPanic, Message: fmt.Sprint(p), Stack: string(debug.Stack())}}}
			err = nil
		}
	}()
	var (
		mu       sync.Mutex
		refusals []string
	)
	sim, err := r.simulate(ctx, func(reason string) {
		mu.Lock()
		refusals = append(refusals, reason)
		mu.Unlock()
	})
	if err != nil {
		return nil, err
	}
	app := sim.App(alias)
	app.Coverage().Reset()
	out = &outcome{}
	in := &bytesIn{b: input, mods: make([]uint16, len(input))}
	at := start
	for len(out.actions) < MaxActions {
		a, ok := next(in, r.events, viewOf(app.State(), app.Sessions().Open()))
		if !ok {
			break
		}
		at = at.Add(a.Duration)
		a.Duration, a.At, a.App = 0, at, alias
		if err := sim.Run(ctx, []drive.Action{a}); err != nil {
			// The runtime could not carry the action out (say a
			// trigger of a session the app never started): it ends
			// the input there, as a saved scenario would stop.
			break
		}
		out.actions = append(out.actions, a)
	}
	out.mods = in.mods
	out.end = at.Add(settle)
	sim.Runtime.RunUntil(ctx, out.end)
	calls, decisions := sim.Record.Calls(), sim.Record.Decisions()
	container := app.Container()
	if err := sim.Close(); err != nil && ctx.Err() == nil {
		// Shutdown errors are the guest's, and in the record.
		_ = err
	}
	r.clean = emptyDir(container)
	if c := app.Coverage().Map(); c != nil {
		copy(r.cov, c)
	} else {
		clear(r.cov)
	}
	out.trace = trace(calls, decisions)
	out.findings = classify(calls, decisions, refusals)
	return out, nil
}

// emptyDir reports whether dir is an empty directory. The runner checks
// only the app's container: with a Keeper the runtime writes nothing else
// to the data directory (host.Config.Keep).
func emptyDir(dir string) bool {
	names, err := readNames(dir)
	return err == nil && len(names) == 0
}

// readNames lists a directory's entries, unsorted (what os.ReadDir would
// cost more for).
func readNames(dir string) ([]string, error) {
	f, err := os.Open(dir)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return f.Readdirnames(-1)
}

// trace writes what a run did, with times relative to its start: the
// same input must give the same trace and fuel.
func trace(calls []host.Call, decisions []host.Decision) string {
	var b strings.Builder
	for _, c := range calls {
		fmt.Fprintf(&b, "call %v %s %v %s fuel=%d %q %q\n", c.Time.Sub(start), c.EventName(), c.Status, c.Termination, c.Fuel, c.Message, c.Crash)
	}
	for _, d := range decisions {
		fmt.Fprintf(&b, "decision %v %s %s %s\n", d.Time.Sub(start), d.Rule, d.Verdict, d.Reason)
	}
	return b.String()
}

// classify finds the problems of a run in its record.
func classify(calls []host.Call, decisions []host.Decision, refusals []string) []*Finding {
	var out []*Finding
	for _, c := range calls {
		f := &Finding{Event: c.EventName(), Where: c.Where, Stack: c.Stack}
		switch {
		case c.Termination == guest.TerminationTrap || c.Termination == guest.TerminationExit:
			f.Kind, f.Message = KindTrap, c.Crash
		case c.Termination == guest.TerminationCPU:
			f.Kind, f.Message = KindFuel, c.Crash
		case c.Termination == guest.TerminationWall:
			f.Kind, f.Message = KindDeadline, c.Crash
		case c.Termination == guest.TerminationTaskDeadline:
			f.Kind, f.Message = KindTaskIncomplete, c.Crash
		case c.Stack != "":
			f.Kind, f.Message = KindPanic, c.Message
		default:
			continue
		}
		out = append(out, f)
	}
	for _, d := range decisions {
		if d.Rule == "task.deadline" && d.Verdict == "kill" {
			out = append(out, &Finding{Kind: KindTaskIncomplete, Message: d.Reason})
		}
	}
	for _, reason := range refusals {
		op, _, _ := strings.Cut(reason, ":")
		out = append(out, &Finding{Kind: KindMalformed, Event: op, Message: reason})
	}
	return out
}
