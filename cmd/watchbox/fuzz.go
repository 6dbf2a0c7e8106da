package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/watchbox/watchbox/host"
	"github.com/watchbox/watchbox/host/fuzz"
	"github.com/watchbox/watchbox/host/meter"
)

// fuzzCommand fuzzes an app: docs/fuzzing.md. Progress goes to stderr
// once a second; the summary (or --json) to stdout. It exits exitFound
// when something was found, exitOK when nothing was.
func fuzzCommand(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlags("fuzz", "BUNDLE", stderr)
	dur := fs.Duration("time", 0, "stop after `D` (default 1m unless --runs is given)")
	runs := fs.Int64("runs", 0, "stop after `N` runs")
	corpus := fs.String("corpus", "", "corpus `DIR` of \"go test fuzz v1\" files: read at the start, new inputs written to it")
	findings := fs.String("findings", "fuzz-findings", "`DIR` where findings are saved, one directory each")
	seed := fs.Int64("seed", 1, "seed of the mutations: shard a fleet by giving each machine its own")
	workers := fs.Int("j", 1, "`N` workers, each with its own instance, sharing the corpus")
	events := fs.String("events", "all", "comma-separated event `KINDS` inputs are made of: "+strings.Join(fuzz.EventKinds(), ", "))
	replay := fs.String("replay", "", "run one saved finding again: its .scenario `FILE` or its corpus file")
	asJSON := fs.Bool("json", false, "print the result as a JSON object")
	cacheDir := fs.String("cache", "", "cache directory (default: the user cache dir + /watchbox)")
	pf := profileFlags(fs)
	pos, code, ok := parseInterleaved(fs, args)
	if !ok {
		return code
	}
	fail := func(code int, format string, a ...any) int {
		fmt.Fprintf(stderr, "watchbox fuzz: "+format+"\n", a...)
		return code
	}
	if len(pos) != 1 {
		return fail(exitUsage, "expected one app bundle, e.g. watchbox fuzz apps/hello --time 1m (docs/fuzzing.md)")
	}
	if st, err := os.Stat(pos[0]); err != nil || !st.IsDir() {
		return fail(exitInvalid, "%s is not an app bundle directory (a directory with a watchapp.json)", pos[0])
	}
	if *dur != 0 && *runs != 0 {
		return fail(exitUsage, "give --time or --runs, not both")
	}
	if *dur < 0 || *runs < 0 {
		return fail(exitUsage, "--time and --runs must be positive")
	}
	if *workers < 1 || *workers > 256 {
		return fail(exitUsage, "-j %d: want 1 to 256 workers", *workers)
	}
	kinds, err := fuzz.ParseEvents(*events)
	if err != nil {
		return fail(exitUsage, "--events: %v", err)
	}
	if *dur == 0 && *runs == 0 {
		*dur = time.Minute
	}
	prof, model, err := pf.resolve()
	if err != nil {
		return fail(exitUsage, "%v", err)
	}
	if model != meter.Strict {
		// Saved findings replay under `watchbox simulate`, which meters
		// with the strict model only.
		return fail(exitUsage, "--cost-model %s: fuzz meters with the strict cost model, as simulate replays its findings", *pf.costModel)
	}
	src := fuzz.ProfileSource{Sets: *pf.set}
	if *pf.file != "" {
		if src.File, err = filepath.Abs(*pf.file); err != nil {
			return fail(exitUsage, "--profile: %v", err)
		}
	}
	opts := fuzz.Options{Bundle: pos[0], CacheDir: *cacheDir, Runs: *runs, Time: *dur, Seed: *seed, Workers: *workers,
		Events: kinds, Corpus: *corpus, Findings: *findings, Profile: prof, ProfileSource: src}

	var res *fuzz.Result
	if *replay != "" {
		res, err = fuzz.Replay(ctx, opts, *replay)
	} else {
		opts.Progress = func(s fuzz.Stats) {
			fmt.Fprintf(stderr, "fuzz: %5.0fs  %8d runs  %6.0f runs/s  %6d edges  corpus %5d  findings %d\n",
				s.Elapsed.Seconds(), s.Runs, s.RunsPerSecond(), s.Edges, s.Corpus, s.Findings)
		}
		res, err = fuzz.Run(ctx, opts)
	}
	if err != nil {
		if host.IsInvalidApp(err) {
			return fail(exitInvalid, "%v", err)
		}
		if errors.Is(err, os.ErrNotExist) {
			return fail(exitUsage, "%v", err)
		}
		return fail(exitError, "%v", err)
	}
	for _, w := range res.Warnings {
		fmt.Fprintf(stderr, "fuzz: warning: %s\n", w)
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if res.Findings == nil {
			res.Findings = []*fuzz.Finding{}
		}
		enc.Encode(res)
	} else {
		printFuzzResult(stdout, res, *replay != "")
	}
	if len(res.Findings) > 0 {
		return exitFound
	}
	return exitOK
}

func printFuzzResult(w io.Writer, res *fuzz.Result, replay bool) {
	if replay {
		if len(res.Findings) == 0 {
			fmt.Fprintln(w, "replay: nothing found: the finding no longer happens")
		}
	} else {
		fmt.Fprintf(w, "%d runs in %s (%.0f runs/s), %d edges, corpus %d, %d finding(s)", res.Runs,
			res.Elapsed.Round(time.Second), res.RunsPerSecond(), res.Edges, res.Corpus, len(res.Findings))
		if res.Duplicates > 0 {
			fmt.Fprintf(w, ", %d duplicate(s) dropped", res.Duplicates)
		}
		fmt.Fprintln(w)
	}
	for _, f := range res.Findings {
		fmt.Fprintf(w, "\n%s", f.Kind)
		if f.Event != "" {
			fmt.Fprintf(w, " in %s", f.Event)
		}
		fmt.Fprintf(w, ": %s\n", f.Message)
		if f.Where != "" {
			fmt.Fprintf(w, "  at %s\n", f.Where)
		}
		if f.Scenario != "" {
			fmt.Fprintf(w, "  %d action(s); replay: watchbox simulate %s\n  corpus file: %s\n", f.Actions, shellQuote(f.Scenario), f.Corpus)
		}
	}
}

// shellQuote returns s as a shell word: itself when it holds only
// characters no shell treats specially, else in single quotes, so that a
// command printed for the user to paste (with --findings "my findings")
// runs as printed.
func shellQuote(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_./:@%+=,", r))
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
