package drive

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/rs/zerolog"
	"github.com/watchbox/watchbox/abi"
	"github.com/watchbox/watchbox/host"
	"github.com/watchbox/watchbox/host/profile"
	"github.com/watchbox/watchbox/host/scenario"
)

// Simulation is a scenario's apps loaded into a runtime on the virtual
// clock, ready to play its events as actions.
type Simulation struct {
	// Scenario is the scenario played.
	Scenario *scenario.Scenario
	// Runtime runs the apps on the virtual clock from the scenario's start.
	Runtime *host.Runtime
	// Driver applies the events; its apps are named by their aliases.
	Driver *Driver
	// Timeline is where the run is printed.
	Timeline *Timeline
	// Record keeps what the run did, for expectations and tests.
	Record *Record
	// Tracer writes the run as Chrome trace-event JSON, or is nil
	// (SimOptions.Trace).
	Tracer *Tracer
	apps   map[string]*host.App // by alias
}

// SimOptions configure a Simulation.
type SimOptions struct {
	CacheDir string // as host.Config.CacheDir
	DataDir  string // as host.Config.DataDir
	// Out receives the timeline (nil: it is discarded).
	Out io.Writer
	// JSON prints the timeline as JSON lines instead of text.
	JSON bool
	// Coverage, Keep and OnRefusal are host.Config's, for a fuzzer that
	// runs each input as a simulation.
	Coverage  bool
	Keep      *host.Keeper
	OnRefusal func(app string, op abi.Op, status abi.Status, reason string)
	// Trace, when not nil, receives the run as Chrome trace-event JSON
	// (see Tracer); Close ends it.
	Trace io.Writer
}

// ScenarioError is a scenario that parsed but cannot run with its apps,
// such as a push file that targets another app.
type ScenarioError struct {
	Msg string // what is wrong, after the file and line
}

// Error returns the message, which starts with the scenario's file and line.
func (e *ScenarioError) Error() string { return e.Msg }

// Simulate starts a virtual runtime for sc with the device profile prof
// and loads sc's apps, with their complications as sc starts them. An app
// the runtime refuses is an error for which host.IsInvalidApp is true; a
// push whose target is not its event's app is a *ScenarioError.
func Simulate(ctx context.Context, sc *scenario.Scenario, prof profile.Profile, opts SimOptions) (*Simulation, error) {
	out := opts.Out
	if out == nil {
		out = io.Discard
	}
	s := &Simulation{Scenario: sc, Timeline: NewTimeline(out, opts.JSON), Record: &Record{}, apps: map[string]*host.App{}}
	routes := NewRoutes(sc.Routes)
	now := func() time.Time { return s.Runtime.Now() }
	logs := []io.Writer{s.Timeline.GuestLogs(now), s.Record.Logs(now)}
	onCall := func(c host.Call) { s.Record.Call(c); s.Timeline.Call(c) }
	onDecision := func(d host.Decision) { s.Record.Decision(d); s.Timeline.Decision(d) }
	var onSpan func(host.Span)
	if opts.Trace != nil {
		tr := NewTracer(opts.Trace, sc.Start, now)
		s.Tracer = tr
		logs = append(logs, tr.Logs())
		onCall = func(c host.Call) { s.Record.Call(c); s.Timeline.Call(c); tr.Call(c) }
		onDecision = func(d host.Decision) { s.Record.Decision(d); s.Timeline.Decision(d); tr.Decision(d) }
		onSpan = tr.Span
	}
	logger := zerolog.New(io.MultiWriter(logs...)).Level(zerolog.InfoLevel)
	rt, err := host.New(ctx, host.Config{
		CacheDir: opts.CacheDir, DataDir: opts.DataDir, Logger: &logger, Seed: sc.Seed, Profile: prof,
		Virtual: true, Start: sc.Start, HTTPClient: &http.Client{Transport: routes}, Latency: routes.Delay,
		OnCall: onCall, OnDecision: onDecision, OnSpan: onSpan,
		Coverage: opts.Coverage, Keep: opts.Keep, OnRefusal: opts.OnRefusal,
	})
	if err != nil {
		return nil, err
	}
	s.Runtime = rt
	s.Driver = New(rt, Options{Virtual: true, Routes: routes})
	// The apps load in order; the modules of all but the first compile
	// meanwhile on the other cores.
	var later []string
	for _, a := range sc.Apps[min(1, len(sc.Apps)):] {
		later = append(later, a.Dir)
	}
	warmed := rt.Warm(ctx, later...)
	for _, a := range sc.Apps {
		app, err := rt.Load(ctx, a.Dir)
		if err != nil {
			warmed()
			rt.Close(context.Background())
			return nil, fmt.Errorf("%s:%d: app %s: %w", sc.File, a.Line, a.Alias, err)
		}
		s.apps[a.Alias] = app
		s.Driver.Add(app, a.Dir, a.Alias)
		if on, ok := sc.Complications[a.Alias]; ok {
			app.Complication().SetActive(on)
		}
	}
	warmed()
	for _, ev := range sc.Events {
		if ev.Verb == scenario.VerbPush && ev.Push != nil && ev.Push.Target != "" && ev.Push.Target != s.apps[ev.App].ID() {
			rt.Close(context.Background())
			return nil, &ScenarioError{fmt.Sprintf("%s:%d: %s targets %s (Simulator Target Bundle), but app %s is %s; fix the file's target or the event's app",
				sc.File, ev.Line, ev.File, ev.Push.Target, ev.App, s.apps[ev.App].ID())}
		}
	}
	return s, nil
}

// App returns the app that name names: an alias of the scenario, else a
// bundle id; nil if none.
func (s *Simulation) App(name string) *host.App {
	if a, ok := s.apps[name]; ok {
		return a
	}
	for _, a := range s.Scenario.Apps {
		if s.apps[a.Alias].ID() == name {
			return s.apps[a.Alias]
		}
	}
	return nil
}

// Play applies the scenario's events at their times, then runs the clock
// to the scenario's end. Guest failures are the timeline's; an expire with
// no open task and a tap on nothing are notes in the timeline; any other
// event the runtime cannot carry out is an error that stops the play. An
// interrupted play is not an error.
func (s *Simulation) Play(ctx context.Context) error {
	actions := make([]Action, len(s.Scenario.Events))
	for i, ev := range s.Scenario.Events {
		actions[i] = FromEvent(ev)
	}
	if done, err := s.run(ctx, actions); !done || err != nil {
		return err
	}
	s.Runtime.RunUntil(ctx, s.Scenario.End())
	return nil
}

// Run applies actions in order, each at its time (At; zero means at once),
// printing each to the timeline, as Play does with the scenario's events:
// a generator of actions (a fuzzer) runs them this way on a Simulation of
// a scenario with apps and no events. Times must not go backwards.
func (s *Simulation) Run(ctx context.Context, actions []Action) error {
	_, err := s.run(ctx, actions)
	return err
}

// run is Run; done is false when the clock was interrupted.
func (s *Simulation) run(ctx context.Context, actions []Action) (done bool, err error) {
	rt, d := s.Runtime, s.Driver
	for _, a := range actions {
		if a.At.IsZero() {
			a.At = rt.Now()
		}
		if err := rt.RunUntil(ctx, a.At); err != nil {
			return false, nil // interrupted: the summary says so
		}
		app, err := d.Resolve(a)
		if err != nil {
			return true, s.errorAt(a, err)
		}
		id := ""
		if app != nil {
			id, a.App = app.ID(), app.ID()
		}
		s.Timeline.Action(a.At, a, id)
		_, err = d.Apply(ctx, a)
		switch {
		case err == nil:
		case errors.Is(err, host.ErrNoOpenTask):
			s.Timeline.Note(a.At, id, "nothing to expire: no open background task")
		case a.Kind == TapNotification:
			s.Timeline.Note(a.At, id, Message(err))
		default:
			return true, s.errorAt(a, err)
		}
	}
	return true, nil
}

// errorAt places err at a's line of the scenario file, if it has one.
func (s *Simulation) errorAt(a Action, err error) error {
	if a.Line == 0 {
		return fmt.Errorf("%s: %w", a, err)
	}
	return fmt.Errorf("%s:%d: %w", s.Scenario.File, a.Line, err)
}

// Check checks the scenario's expectations against the run, in file
// order. Call it after Play and before Close: file expectations read the
// apps' containers as the run left them.
func (s *Simulation) Check() []Outcome {
	c := Checker{Record: s.Record, Start: s.Scenario.Start, End: s.Scenario.End(), Apps: map[string]AppRef{}}
	for alias, app := range s.apps {
		c.Apps[alias] = AppRef{ID: app.ID(), Container: app.Container()}
	}
	out := make([]Outcome, len(s.Scenario.Expects))
	for i, e := range s.Scenario.Expects {
		out[i] = c.Check(e)
	}
	return out
}

// Close shuts the runtime down, giving a frontmost app its leaving calls.
// Close shuts the runtime down (the apps get their leaving calls) and then
// ends the trace, if there is one.
func (s *Simulation) Close() error {
	err := s.Runtime.Close(context.Background())
	s.Timeline.Flush()
	if s.Tracer != nil {
		if terr := s.Tracer.Close(s.Runtime.Now()); terr != nil && err == nil {
			err = fmt.Errorf("trace: %w", terr)
		}
	}
	return err
}

// Summary prints the timeline's last line; interrupted says the play was,
// and the line then ends at the time the clock had reached.
func (s *Simulation) Summary(interrupted bool) {
	end := s.Scenario.End()
	if interrupted {
		end = s.Runtime.Now()
	}
	s.Timeline.Summary(s.Scenario.Start, end, len(s.apps), interrupted)
}
