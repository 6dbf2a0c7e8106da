package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/rs/zerolog"
	"github.com/watchbox/watchbox/host"
	"github.com/watchbox/watchbox/host/bundle"
	"github.com/watchbox/watchbox/host/drive"
	"github.com/watchbox/watchbox/host/reload"
)

// devCommand is `watchbox dev`: a live run (run's flags, steps and control
// endpoint) that also rebuilds each bundle when its sources change and
// swaps the new version into the running app.
func devCommand(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return runApps(ctx, "dev", args, stdout, stderr)
}

// startReload watches the run's bundles and reloads them from now on,
// printing one line per reload. stop ends the watching.
// With a tracer (--trace), each reload is also an async span of the app
// in the trace.
func startReload(ctx context.Context, r *runner, cacheDir string, stdout io.Writer, tracer *drive.Tracer) (stop func(), err error) {
	if cacheDir == "" {
		dir, err := os.UserCacheDir()
		if err != nil {
			return nil, fmt.Errorf("no cache directory (pass --cache or set $XDG_CACHE_HOME): %w", err)
		}
		cacheDir = filepath.Join(dir, "watchbox")
	}
	opts := reload.Options{
		Build: bundle.BuildOptions{CacheDir: filepath.Join(cacheDir, "build")},
		Report: func(ev reload.Event) {
			r.mu.Lock()
			defer r.mu.Unlock()
			printReload(stdout, r.stderr, ev, r.json)
			if tracer != nil && ev.App != nil {
				tracer.Reload(ev.App.ID(), ev.Build+ev.Compile+ev.Wait+ev.Swap, reloadRecord(ev), ev.Err)
			}
		},
	}
	rl, err := reload.New(ctx, r.d.Apps(), opts)
	if err != nil {
		return nil, err
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		rl.Run(ctx)
	}()
	var ids []string
	for _, a := range r.d.Apps() {
		ids = append(ids, a.ID())
	}
	r.say(zerolog.InfoLevel, fmt.Sprintf("watching %s; save a file to reload", strings.Join(ids, ", ")))
	return func() { rl.Close(); <-done }, nil
}

// printReload prints one reload: a line on stdout when a new version is
// in place, and the error (the compiler's, as it wrote it) on stderr when
// the old version keeps running; then, on stderr, the build's warnings (a
// misspelled delegate method), one line each, as a load logs them. With
// --json it is one record, the warnings in its "warnings".
func printReload(stdout, stderr io.Writer, ev reload.Event, asJSON bool) {
	if ev.App == nil { // the watcher's own problem
		if asJSON {
			writeJSON(stdout, map[string]any{"type": "reload", "error": ev.Err.Error()})
		} else {
			fmt.Fprintf(stderr, "watchbox dev: %v\n", ev.Err)
		}
		return
	}
	id := ev.App.ID()
	if asJSON {
		rec := reloadRecord(ev)
		rec["type"], rec["app"] = "reload", id
		if ev.Err != nil {
			rec["error"] = ev.Err.Error()
		}
		writeJSON(stdout, rec)
		return
	}
	printReloadLine(stdout, stderr, ev)
	for _, w := range ev.Warnings {
		fmt.Fprintf(stderr, "%s  warning: %s\n", id, w)
	}
}

// printReloadLine prints the text of a reload but its warnings: the
// reload's line, or its error and the version that keeps running.
func printReloadLine(stdout, stderr io.Writer, ev reload.Event) {
	id := ev.App.ID()
	version, hash, _ := ev.App.Dev().Version()
	changed := strings.Join(ev.Changed, ", ")
	switch {
	case ev.Err != nil && !host.IsGuestFailure(ev.Err):
		fmt.Fprintf(stderr, "%s  reload failed (%s changed): %v\n%s  v%d %s keeps running; the next save tries again\n",
			id, changed, ev.Err, id, version, hash)
		return
	case ev.Same && len(ev.Manifest) > 0:
		fmt.Fprintf(stdout, "%s  reload: %s changed; build %s; the module is the same; watchapp.json applied: %s\n",
			id, changed, ms(ev.Build), strings.Join(ev.Manifest, ", "))
		return
	case ev.Same:
		fmt.Fprintf(stdout, "%s  reload: %s changed; build %s; the module is the same, nothing swapped\n", id, changed, ms(ev.Build))
		return
	}
	state := "not running: the new version starts at its next launch"
	switch {
	case ev.Carried:
		state = fmt.Sprintf("state carried (%d bytes)", ev.StateBytes)
	case ev.Running && ev.Note != "":
		state = "state not carried, started cold: " + ev.Note
	}
	if ev.Redelivered > 0 {
		state += fmt.Sprintf("; %d open background task(s) delivered again", ev.Redelivered)
	}
	if len(ev.Manifest) > 0 {
		state += "; watchapp.json applied: " + strings.Join(ev.Manifest, ", ")
	}
	cached := ""
	if ev.Cached {
		cached = " (cached)"
	}
	serving := ""
	if ev.Serving > 0 {
		serving = ", serving " + ms(ev.Serving) + " after the save"
	}
	startTime := ""
	if ev.Start > 0 {
		startTime = ", start " + ms(ev.Start)
	}
	fmt.Fprintf(stdout, "%s  reload v%d %s: %s changed; build %s%s, compile %s%s, swap %s%s; %s\n",
		id, ev.Version, ev.Hash, changed, ms(ev.Build), cached, ms(ev.Compile), startTime, ms(ev.Wait+ev.Swap), serving, state)
	var crash *host.CrashError
	switch {
	case errors.As(ev.Err, &crash):
		fmt.Fprintf(stderr, "%s  the new version crashed during the swap: %v\n", id, ev.Err)
	case ev.Err != nil:
		fmt.Fprintf(stderr, "%s  the new version is in place, but a call of the swap failed: %v\n", id, ev.Err)
	}
}

// reloadRecord is the fields of a reload of an app, for --json and the
// trace.
func reloadRecord(ev reload.Event) map[string]any {
	rec := map[string]any{
		"changed": ev.Changed, "version": ev.Version, "hash": ev.Hash,
		"swapped": ev.Swapped(), "build_ns": ev.Build.Nanoseconds(), "compile_ns": ev.Compile.Nanoseconds(), "start_ns": ev.Start.Nanoseconds(),
		"wait_ns": ev.Wait.Nanoseconds(), "swap_ns": ev.Swap.Nanoseconds(),
		"running": ev.Running, "carried": ev.Carried, "state_bytes": ev.StateBytes,
	}
	if ev.Redelivered > 0 {
		rec["redelivered"] = ev.Redelivered
	}
	if ev.Serving > 0 {
		rec["serving_ns"] = ev.Serving.Nanoseconds()
	}
	if ev.Ahead {
		rec["ahead"] = true
	}
	if ev.Note != "" {
		rec["note"] = ev.Note
	}
	if len(ev.Manifest) > 0 {
		rec["manifest"] = ev.Manifest
	}
	if len(ev.Warnings) > 0 {
		rec["warnings"] = ev.Warnings
	}
	return rec
}
