package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/watchbox/watchbox/host"
	"github.com/watchbox/watchbox/host/bundle"
	"github.com/watchbox/watchbox/host/drive"
	"github.com/watchbox/watchbox/host/scenario"
)

// simulateCommand runs a scenario on the virtual clock and prints its
// timeline. The timeline holds only virtual times, fuel and the guests' own
// words, so the same scenario and binaries print the same bytes every run.
func simulateCommand(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlags("simulate", "SCENARIO", stderr)
	asJSON := fs.Bool("json", false, "print the trace as JSON lines: step, call, log and decision objects, then a summary")
	cacheDir := fs.String("cache", "", "cache directory (default: the user cache dir + /watchbox)")
	dataDir := fs.String("data", "", "directory of app data containers (default: a new temporary directory, removed afterwards)")
	why := fs.String("why", "", "after the day, list what the system held back for `APP` (alias or bundle id): every delayed, dropped, throttled, replaced or killed request, with its rule")
	verbose := fs.Bool("verbose", false, "print the whole stack trace of a handler's recovered panic under its call (without it: the first frame in the app's code)")
	whyVerdict := fs.String("why-verdict", "", "with --why, list only the decisions of these `VERDICTS` (comma-separated: delayed, dropped, throttled, replaced, killed, expired, or all); without it, every held-back decision but the informational ones (snapshots merged or replaced, default state restored)")
	traceFile := fs.String("trace", "", "also write the run as Chrome trace-event JSON to `FILE`, to open in ui.perfetto.dev or chrome://tracing (docs/trace.md)")
	pos, code, ok := parseInterleaved(fs, args)
	if !ok {
		return code
	}
	if len(pos) != 1 {
		fmt.Fprintln(stderr, "watchbox simulate: expected one scenario file, e.g. watchbox simulate tests/scenarios/refresh.scenario (format: docs/scenario.md)")
		return exitUsage
	}
	whyFilter, err := drive.ParseWhyFilter(*whyVerdict)
	if err != nil {
		fmt.Fprintf(stderr, "watchbox simulate: --why-verdict: %v\n", err)
		return exitUsage
	}
	if *whyVerdict != "" && *why == "" {
		fmt.Fprintln(stderr, "watchbox simulate: --why-verdict filters --why APP's list; add --why APP")
		return exitUsage
	}
	sc, err := scenario.ParseFile(pos[0], scenario.Options{})
	if err != nil {
		fmt.Fprintf(stderr, "watchbox simulate: %v\n", err)
		return exitUsage
	}
	prof, err := sc.DeviceProfile()
	if err != nil {
		fmt.Fprintf(stderr, "watchbox simulate: %v\n", err)
		return exitUsage
	}
	// An unknown --why APP is refused before any app is built, metered or
	// compiled, from the manifests' bundle ids; if a manifest cannot be
	// read, the load below reports it, and the check after it stands.
	if *why != "" {
		if ids, ok := manifestIDs(sc); ok && !hasApp(sc, ids, *why) {
			fmt.Fprintln(stderr, unknownWhyApp(*why, pos[0], sc, ids))
			return exitUsage
		}
	}
	data := *dataDir
	if data == "" {
		if data, err = os.MkdirTemp("", "watchbox-simulate-"); err != nil {
			fmt.Fprintf(stderr, "watchbox simulate: %v\n", err)
			return exitError
		}
		defer os.RemoveAll(data)
	}

	opts := drive.SimOptions{CacheDir: *cacheDir, DataDir: data, Out: stdout, JSON: *asJSON}
	var trace *traceOutput
	if *traceFile != "" {
		f, err := createTrace(*traceFile)
		if err != nil {
			fmt.Fprintf(stderr, "watchbox simulate: %v\n", err)
			return exitUsage
		}
		defer f.close()
		opts.Trace, trace = f, f
	}
	sim, err := drive.Simulate(ctx, sc, prof, opts)
	if err != nil {
		fmt.Fprintf(stderr, "watchbox simulate: %v\n", err)
		var se *drive.ScenarioError
		switch {
		case host.IsInvalidApp(err):
			return exitInvalid
		case errors.As(err, &se):
			return exitUsage
		}
		return exitError
	}
	sim.Timeline.SetVerbose(*verbose)
	var whyApp *host.App
	if *why != "" {
		if whyApp = sim.App(*why); whyApp == nil {
			sim.Close()
			ids := make([]string, len(sc.Apps))
			for i, a := range sc.Apps {
				ids[i] = sim.App(a.Alias).ID()
			}
			fmt.Fprintln(stderr, unknownWhyApp(*why, pos[0], sc, ids))
			return exitUsage
		}
	}
	if trace != nil {
		if err := trace.start(); err != nil {
			sim.Close()
			fmt.Fprintf(stderr, "watchbox simulate: %v\n", err)
			return exitError
		}
	}
	err = sim.Play(ctx)
	var outcomes []drive.Outcome
	if err == nil && ctx.Err() == nil {
		outcomes = sim.Check() // before Close: files as the run left them
	}
	if cerr := sim.Close(); cerr != nil && !host.IsGuestFailure(cerr) && err == nil {
		err = cerr
	}
	if err != nil {
		fmt.Fprintf(stderr, "watchbox simulate: %v\n", err)
		return exitError
	}
	sim.Summary(ctx.Err() != nil)
	if whyApp != nil {
		sim.Timeline.Why(whyApp.ID(), whyApp.Why(), whyFilter)
	}
	if ctx.Err() != nil {
		// Not a pass: the scenario did not finish, and its expectations
		// were not checked.
		fmt.Fprintf(stderr, "watchbox simulate: interrupted; the rest of %s did not run and its expect lines were not checked\n", pos[0])
		return exitError
	}
	if failed := sim.Timeline.Expectations(pos[0], outcomes); failed > 0 {
		fmt.Fprintf(stderr, "watchbox simulate: %d of %d expectation(s) failed\n", failed, len(outcomes))
		return exitExpect
	}
	if sim.Timeline.Failures() > 0 {
		return exitCrash
	}
	return exitOK
}

// manifestIDs returns the bundle id of each of the scenario's apps, in
// order, from their manifests; ok is false if one cannot be read.
func manifestIDs(sc *scenario.Scenario) (ids []string, ok bool) {
	for _, a := range sc.Apps {
		b, err := bundle.Open(a.Dir)
		if err != nil {
			return nil, false
		}
		ids = append(ids, b.Manifest.BundleIdentifier)
	}
	return ids, true
}

// hasApp reports whether name is one of the scenario's aliases or bundle
// ids (ids[i] is sc.Apps[i]'s), as drive.Simulation.App finds apps.
func hasApp(sc *scenario.Scenario, ids []string, name string) bool {
	for i, a := range sc.Apps {
		if a.Alias == name || ids[i] == name {
			return true
		}
	}
	return false
}

// unknownWhyApp is the message for --why name when the scenario in file
// has no such app: its apps, and the nearest name if one is close.
func unknownWhyApp(name, file string, sc *scenario.Scenario, ids []string) string {
	var names, known []string
	for i, a := range sc.Apps {
		names = append(names, a.Alias+" ("+ids[i]+")")
		known = append(known, a.Alias, ids[i])
	}
	return fmt.Sprintf("watchbox simulate: --why %s: no such app in %s%s; it has %s", name, file, drive.DidYouMean(name, known), strings.Join(names, ", "))
}
