// Package fuzz is watchbox's coverage-guided fuzzer of guest handlers.
//
// An input is a byte string decoded, as the run goes, into a sequence of
// actions valid in the app's state (input.go): life-cycle moves, tasks of
// each kind, pushes, notification taps, phone data and complication
// changes, with payloads built from the bytes. Each input runs through
// host/drive on the virtual clock, under the profile's budgets, in a new
// host.Runtime: nothing of one run's system state leaks into the next.
// The app's Wasm side is kept by a host.Keeper and restored from a
// snapshot instead of instantiated, which makes a run cost about what
// its calls cost.
//
// The app is instrumented with edge coverage (meter.Extras) in a map the
// host owns; inputs that reach a new edge, or a new hit-count bucket of
// one, join the corpus (after a second run that checks they are
// deterministic). Findings (traps, handler panics, fuel exhausted,
// deadlines missed, tasks not completed, malformed requests,
// nondeterminism and panics of watchbox itself) are minimized,
// de-duplicated by kind and guest stack, and saved as a scenario file
// that `watchbox simulate` replays and a "go test fuzz v1" corpus file.
package fuzz

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/watchbox/watchbox/host/profile"
)

// MaxFindings caps the distinct findings a campaign saves (a guest could
// make every message different); later ones count as duplicates.
const MaxFindings = 100

// Options configure a campaign.
type Options struct {
	// Bundle is the app's bundle directory.
	Bundle string
	// CacheDir is host.Config.CacheDir.
	CacheDir string
	// WorkDir holds the workers' data containers; it is created and
	// removed by Run. Default: a directory in os.TempDir.
	WorkDir string
	// Runs stops the campaign after this many inputs (0: no limit); the
	// runs that check a new input's determinism and minimize findings are
	// not counted.
	Runs int64
	// Time stops the campaign after this long (0: no limit). With neither
	// Runs nor Time, Run goes on until ctx is done.
	Time time.Duration
	// Seed seeds the mutations; with one worker, a campaign is
	// reproducible run for run.
	Seed int64
	// Workers is how many workers run inputs, each with its own runtime
	// and instance, sharing the corpus (default 1).
	Workers int
	// Events are the event kinds inputs are made of (EventKinds; nil:
	// every kind).
	Events []string
	// Corpus is a directory of "go test fuzz v1" files: read at the start,
	// and every input that reaches new coverage is written to it. "":
	// the corpus stays in memory.
	Corpus string
	// Findings is where findings are saved, one directory each (default
	// "fuzz-findings").
	Findings string
	// Profile is the device profile (zero: profile.Default()).
	Profile profile.Profile
	// ProfileSource is where Profile came from, written into the saved
	// scenarios so that `watchbox simulate` replays a finding under the
	// same profile (zero: the default profile).
	ProfileSource ProfileSource
	// NoCoverage turns the feedback off: every input is random. For
	// comparisons (a baseline); findings are still reported.
	NoCoverage bool
	// MinimizeRuns caps the runs spent minimizing one finding (default 200).
	MinimizeRuns int
	// Progress, if set, is called about once a second, and once at the end.
	Progress func(Stats)
}

// ProfileSource is where a campaign's device profile came from: a
// profile file and key=value overrides, as a scenario's "profile" and
// "set" lines name them.
type ProfileSource struct {
	File string   // an absolute path, or "" for the default profile
	Sets []string // KEY=VALUE, in order
}

// Stats are a campaign's counters.
type Stats struct {
	Runs     int64         `json:"runs"`
	Elapsed  time.Duration `json:"elapsed_ns"`
	Edges    int           `json:"edges"`
	Corpus   int           `json:"corpus"`
	Findings int           `json:"findings"`
	// Duplicates counts findings dropped as the same kind and stack as a
	// saved one.
	Duplicates int64 `json:"duplicates"`
}

// RunsPerSecond is Runs over Elapsed.
func (s Stats) RunsPerSecond() float64 {
	if s.Elapsed <= 0 {
		return 0
	}
	return float64(s.Runs) / s.Elapsed.Seconds()
}

// Result is what a campaign found.
type Result struct {
	Stats
	Findings []*Finding `json:"findings"`
	// Warnings are what the campaign could not use, one line each: corpus
	// files skipped, and why.
	Warnings []string `json:"warnings,omitempty"`
}

// campaign is a running Run.
type campaign struct {
	opts   Options
	corpus *corpus
	runs   atomic.Int64
	dups   atomic.Int64
	start  time.Time

	mu       sync.Mutex
	keys     map[string]bool
	findings []*Finding
}

// Run fuzzes the app until opts.Runs or opts.Time, or ctx is done. An
// error is the harness's (the app does not load, a directory cannot be
// written); what the app does wrong is in Result.Findings.
func Run(ctx context.Context, opts Options) (*Result, error) {
	if err := opts.defaults(); err != nil {
		return nil, err
	}
	c := &campaign{opts: opts, corpus: newCorpus(opts.Corpus), keys: map[string]bool{}, start: time.Now()}
	var warnings []string
	if opts.Corpus != "" {
		var err error
		if _, warnings, err = c.corpus.load(opts.Corpus); err != nil {
			return nil, err
		}
	}
	work := opts.WorkDir
	if err := os.MkdirAll(work, 0o755); err != nil {
		return nil, fmt.Errorf("fuzz: work directory: %w", err)
	}
	defer os.RemoveAll(work)

	// The first worker loads the app before the others start, so that a
	// bundle that does not build or check fails once, with its error.
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	if opts.Time > 0 {
		var stop context.CancelFunc
		ctx, stop = context.WithTimeout(ctx, opts.Time)
		defer stop()
	}
	runners := make([]*runner, opts.Workers)
	for i := range runners {
		runners[i] = newRunner(&opts, filepath.Join(work, fmt.Sprint(i)))
		defer runners[i].close()
	}
	if _, err := runners[0].run(ctx, nil); err != nil {
		return nil, err
	}
	// Inputs of the corpus directory are run first, for their coverage.
	for _, e := range c.corpus.inputs {
		if ctx.Err() != nil {
			break
		}
		out, err := runners[0].run(ctx, e.data)
		if err != nil {
			return nil, err
		}
		e.mods = out.mods
		c.corpus.add(e.data, out.mods, runners[0].cov)
	}

	done := make(chan struct{})
	var progress sync.WaitGroup
	if opts.Progress != nil {
		progress.Add(1)
		go func() {
			defer progress.Done()
			t := time.NewTicker(time.Second)
			defer t.Stop()
			for {
				select {
				case <-done:
					return
				case <-t.C:
					opts.Progress(c.stats())
				}
			}
		}()
	}
	errs := make([]error, opts.Workers)
	var wg sync.WaitGroup
	for i, r := range runners {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = c.work(ctx, r, rand.New(rand.NewPCG(uint64(opts.Seed), uint64(i))))
			if errs[i] != nil {
				cancel()
			}
		}()
	}
	wg.Wait()
	close(done)
	progress.Wait()
	res := &Result{Stats: c.stats(), Findings: c.findings, Warnings: warnings}
	if opts.Progress != nil {
		opts.Progress(res.Stats)
	}
	sort.Slice(res.Findings, func(i, j int) bool { return res.Findings[i].Run < res.Findings[j].Run })
	return res, errors.Join(errs...)
}

func (o *Options) defaults() error {
	if o.Bundle == "" {
		return errors.New("fuzz: no app bundle")
	}
	abs, err := filepath.Abs(o.Bundle)
	if err != nil {
		return fmt.Errorf("fuzz: %w", err)
	}
	o.Bundle = abs
	if o.Workers <= 0 {
		o.Workers = 1
	}
	if len(o.Events) == 0 {
		o.Events = EventKinds()
	}
	if o.Findings == "" {
		o.Findings = "fuzz-findings"
	}
	if o.WorkDir == "" {
		if o.WorkDir, err = os.MkdirTemp("", "watchbox-fuzz-"); err != nil {
			return fmt.Errorf("fuzz: work directory: %w", err)
		}
	}
	if o.Profile.Name == "" {
		o.Profile = profile.Default()
	}
	if o.MinimizeRuns <= 0 {
		o.MinimizeRuns = 200
	}
	return nil
}

func (c *campaign) stats() Stats {
	inputs, edges := c.corpus.size()
	c.mu.Lock()
	n := len(c.findings)
	c.mu.Unlock()
	return Stats{Runs: c.runs.Load(), Elapsed: time.Since(c.start), Edges: edges, Corpus: inputs, Findings: n, Duplicates: c.dups.Load()}
}

// work is one worker's loop.
func (c *campaign) work(ctx context.Context, r *runner, rng *rand.Rand) error {
	for ctx.Err() == nil {
		n := c.runs.Add(1)
		if c.opts.Runs > 0 && n > c.opts.Runs {
			c.runs.Add(-1)
			return nil
		}
		var input []byte
		if parent := c.corpus.pick(rng.Uint64()); parent != nil && !c.opts.NoCoverage && rng.IntN(16) != 0 {
			input = mutate(rng, parent, c.corpus.pick(rng.Uint64()).data)
		} else {
			input = random(rng)
		}
		out, err := r.run(ctx, input)
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return err
		}
		if !c.opts.NoCoverage && c.corpus.interesting(r.cov) {
			// Calibration: a new input runs again, and must do the same.
			cov := append([]byte(nil), r.cov...)
			again, err := r.run(ctx, input)
			if err != nil {
				if ctx.Err() != nil {
					return nil
				}
				return err
			}
			if again.trace != out.trace {
				out.findings = append(out.findings, &Finding{Kind: KindNondeterminism, Message: firstDiff(out.trace, again.trace)})
			}
			if _, err := c.corpus.add(input, out.mods, cov); err != nil {
				return fmt.Errorf("fuzz: writing corpus: %w", err)
			}
		}
		for _, f := range out.findings {
			if err := c.report(ctx, r, f, input, n); err != nil {
				return err
			}
		}
	}
	return nil
}

// firstDiff describes the first line where two traces differ.
func firstDiff(a, b string) string {
	la, lb := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := 0; i < len(la) && i < len(lb); i++ {
		if la[i] != lb[i] {
			return fmt.Sprintf("run 1: %s; run 2: %s", la[i], lb[i])
		}
	}
	return fmt.Sprintf("run 1 has %d trace lines, run 2 %d", len(la), len(lb))
}

// report de-duplicates, minimizes and saves a finding.
func (c *campaign) report(ctx context.Context, r *runner, f *Finding, input []byte, run int64) error {
	key := f.key()
	c.mu.Lock()
	if c.keys[key] || len(c.findings) >= MaxFindings {
		c.mu.Unlock()
		c.dups.Add(1)
		return nil
	}
	c.keys[key] = true
	c.mu.Unlock()

	f.Run = run
	f.Input = input
	if f.Kind != KindNondeterminism && f.Kind != KindHostPanic {
		f.Input = c.minimize(ctx, r, input, key)
	}
	out, err := r.run(ctx, f.Input)
	if err != nil {
		return err
	}
	f.Actions = len(out.actions)
	if err := save(c.opts.Findings, c.opts.Bundle, c.opts.ProfileSource, f, out.actions, out.end); err != nil {
		return err
	}
	c.mu.Lock()
	c.findings = append(c.findings, f)
	c.mu.Unlock()
	return nil
}

// minimize shrinks input while it still provokes a finding of key: it
// drops the tail, then ranges of halving sizes, within MinimizeRuns runs.
func (c *campaign) minimize(ctx context.Context, r *runner, input []byte, key string) []byte {
	budget := c.opts.MinimizeRuns
	still := func(in []byte) bool {
		if budget <= 0 || ctx.Err() != nil {
			return false
		}
		budget--
		out, err := r.run(ctx, in)
		if err != nil {
			return false
		}
		for _, f := range out.findings {
			if f.key() == key {
				return true
			}
		}
		return false
	}
	best := input
	// The decoder reads in order: a shorter prefix is fewer actions.
	for lo, hi := 0, len(best); lo < hi; {
		mid := (lo + hi) / 2
		if still(best[:mid]) {
			best, hi = best[:mid], mid
		} else {
			lo = mid + 1
		}
	}
	for size := len(best) / 2; size >= 1; size /= 2 {
		for i := 0; i+size <= len(best); {
			cand := append(append([]byte(nil), best[:i]...), best[i+size:]...)
			if still(cand) {
				best = cand
			} else {
				i += size
			}
		}
	}
	return append([]byte(nil), best...)
}
