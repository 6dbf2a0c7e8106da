package fuzz

import (
	"context"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/watchbox/watchbox/host/drive"
)

// testCache is shared by every test binary, as the host's tests do.
var testCache = filepath.Join(os.TempDir(), "watchbox-test-cache")

const bugApp = "../../tests/apps/fuzzbug"

// budget is the runs the planted bug must be found within.
const budget = 3000

func runCampaign(t *testing.T, noCoverage bool) *Result {
	t.Helper()
	res, err := Run(context.Background(), Options{Bundle: bugApp, CacheDir: testCache, Runs: budget, Seed: 1,
		Events: []string{EvPush}, Findings: t.TempDir(), NoCoverage: noCoverage, WorkDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func planted(res *Result) *Finding {
	for _, f := range res.Findings {
		if f.Kind == KindPanic && strings.Contains(f.Message, "planted bug") {
			return f
		}
	}
	return nil
}

// TestFindsPlantedBug: with coverage the fuzzer finds the bug behind the
// nested condition within the budget, and the saved scenario and corpus
// file both reproduce it.
func TestFindsPlantedBug(t *testing.T) {
	if testing.Short() {
		t.Skip("a fuzzing campaign of thousands of runs: go test without -short runs it")
	}
	t.Parallel()
	res := runCampaign(t, false)
	f := planted(res)
	if f == nil {
		t.Fatalf("planted bug not found in %d runs (%d edges, corpus %d, findings %v)", res.Runs, res.Edges, res.Corpus, res.Findings)
	}
	t.Logf("found at run %d of %d; minimized to %d actions; %d edges, corpus %d", f.Run, res.Runs, f.Actions, res.Edges, res.Corpus)
	text, _ := os.ReadFile(f.Scenario)
	t.Logf("%s", text)
	for _, file := range []string{f.Scenario, f.Corpus} {
		rep, err := Replay(context.Background(), Options{Bundle: bugApp, CacheDir: testCache, Events: []string{EvPush}}, file)
		if err != nil {
			t.Fatalf("replay %s: %v", file, err)
		}
		if planted(rep) == nil {
			t.Errorf("replay %s: the planted bug did not happen: %v", file, rep.Findings)
		}
	}
}

// TestBaselineMissesPlantedBug: without coverage feedback, the same runs
// with the same seed do not reach the bug.
func TestBaselineMissesPlantedBug(t *testing.T) {
	if testing.Short() {
		t.Skip("a fuzzing campaign of thousands of runs: go test without -short runs it")
	}
	t.Parallel()
	res := runCampaign(t, true)
	if f := planted(res); f != nil {
		t.Fatalf("the random baseline found the planted bug at run %d: the bug is too shallow to show coverage helps", f.Run)
	}
}

// TestWorkersShareCorpus: several workers run one campaign on one
// corpus directory. Every file they wrote is a well-formed corpus file
// named by its content's hash, the directory holds exactly the corpus
// the result counts, and (without -short) the workers find the planted
// bug within the same budget as one. The -race run of CI (-short) checks
// the sharing for data races.
func TestWorkersShareCorpus(t *testing.T) {
	t.Parallel()
	runs := int64(budget)
	if testing.Short() {
		runs = 120
	}
	dir := filepath.Join(t.TempDir(), "corpus")
	res, err := Run(context.Background(), Options{Bundle: bugApp, CacheDir: testCache, Runs: runs, Seed: 1, Workers: 3,
		Events: []string{EvPush}, Corpus: dir, Findings: t.TempDir(), WorkDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	if res.Runs != runs {
		t.Errorf("%d runs, want %d", res.Runs, runs)
	}
	files, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != res.Corpus || res.Corpus == 0 {
		t.Errorf("%d corpus files, the result counts %d inputs", len(files), res.Corpus)
	}
	for _, f := range files {
		data, err := os.ReadFile(filepath.Join(dir, f.Name()))
		if err != nil {
			t.Fatal(err)
		}
		in, err := DecodeCorpusFile(data)
		if err != nil {
			t.Errorf("%s: %v", f.Name(), err)
			continue
		}
		if inputName(in) != f.Name() {
			t.Errorf("%s holds an input whose name is %s", f.Name(), inputName(in))
		}
	}
	// The corpus reloads: a second campaign reads every file.
	c := newCorpus("")
	if loaded, skipped, err := c.load(dir); err != nil || len(skipped) != 0 || loaded != len(files) {
		t.Errorf("reloading the corpus: %d loaded, skipped %q, %v; want %d", loaded, skipped, err, len(files))
	}
	// A campaign resumed from the directory runs its inputs first, for
	// their coverage: it starts from every edge the workers reached.
	resumed, err := Run(context.Background(), Options{Bundle: bugApp, CacheDir: testCache, Runs: 1, Seed: 1, Workers: 3,
		Events: []string{EvPush}, Corpus: dir, Findings: t.TempDir(), WorkDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	if resumed.Edges < res.Edges {
		t.Errorf("a campaign resumed from the corpus directory reached %d edges, want at least the %d its corpus reached", resumed.Edges, res.Edges)
	}
	if testing.Short() {
		return
	}
	if f := planted(res); f != nil {
		t.Logf("found at run %d of %d by 3 workers; corpus %d, %d edges", f.Run, res.Runs, res.Corpus, res.Edges)
		return
	}
	// Three workers interleave in the order the scheduler gives them, so
	// unlike one worker's seeded campaign (TestFindsPlantedBug: run 910),
	// whether they find the bug within one budget varies from run to run:
	// locally it came at runs 229 to 2,154 of 3,000, and CI saw budgets
	// pass without it. A campaign that missed it can also leave a corpus
	// that keeps missing it: CI once saw four campaigns resumed from one
	// (15,000 runs in all) stay at 134 edges, short of the level-42 branch.
	// So the retries are independent campaigns, each with a corpus of its
	// own and another seed, and the test fails only if all of them miss.
	const retries = 4
	edges := []int{res.Edges}
	for i := range retries {
		again, err := Run(context.Background(), Options{Bundle: bugApp, CacheDir: testCache, Runs: runs, Seed: int64(2 + i), Workers: 3,
			Events: []string{EvPush}, Corpus: filepath.Join(t.TempDir(), "corpus"), Findings: t.TempDir(), WorkDir: t.TempDir()})
		if err != nil {
			t.Fatal(err)
		}
		edges = append(edges, again.Edges)
		if f := planted(again); f != nil {
			t.Logf("found at run %d of independent campaign %d (edges of each: %v)", f.Run, i+2, edges)
			return
		}
	}
	t.Errorf("3 workers did not find the planted bug in any of %d independent campaigns of %d runs (edges of each: %v)", retries+1, runs, edges)
}

// TestReachesWorkoutHandler: with the workout actions in the grammar,
// random inputs of apps/workout (which starts a workout when it becomes
// active) press both buttons during its workout, and its workout
// delegate gets the pause or resume request: the fuzzer reaches a session
// handler. The actions it decoded were all carried out (none refused).
func TestReachesWorkoutHandler(t *testing.T) {
	t.Parallel()
	opts := Options{Bundle: "../../apps/workout", CacheDir: testCache, Events: []string{EvLife, EvWorkout}, WorkDir: t.TempDir()}
	if err := opts.defaults(); err != nil {
		t.Fatal(err)
	}
	r := newRunner(&opts, opts.WorkDir)
	defer r.close()
	rng := rand.New(rand.NewPCG(3, 3))
	kinds := map[drive.Kind]int{}
	for i := 0; i < 400; i++ {
		in := random(rng)
		out, err := r.run(context.Background(), in)
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range out.actions {
			kinds[a.Kind]++
		}
		if strings.Contains(out.trace, "call ") && strings.Contains(out.trace, " workout_event ") {
			t.Logf("run %d reached the workout delegate's event handler; actions so far %v", i, kinds)
			return
		}
	}
	t.Fatalf("400 inputs never reached the workout delegate's pause or resume request; actions decoded %v", kinds)
}
