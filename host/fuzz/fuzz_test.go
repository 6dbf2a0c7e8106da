package fuzz

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
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
