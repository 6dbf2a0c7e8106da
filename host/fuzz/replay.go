package fuzz

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"strings"
	"sync"

	"github.com/watchbox/watchbox/abi"
	"github.com/watchbox/watchbox/host/drive"
	"github.com/watchbox/watchbox/host/input"
	"github.com/watchbox/watchbox/host/scenario"
)

// Replay runs one saved input again and returns what it finds: file is a
// finding's scenario file (FILE.scenario, played as `watchbox simulate`
// plays it) or a "go test fuzz v1" corpus file (run as the fuzzer runs
// inputs, for opts.Bundle: an input decodes to the same actions only with
// the same opts.Events as the campaign that saved it).
func Replay(ctx context.Context, opts Options, file string) (*Result, error) {
	// A replay file is a scenario or a corpus file: the larger cap of
	// the two, and a regular file only (a FIFO must not block).
	data, err := input.Read(file, input.Kind{Name: "replay file", Max: max(input.Scenario.Max, MaxCorpusFile)})
	if err != nil {
		return nil, fmt.Errorf("fuzz: --replay: %w", err)
	}
	if bytes.HasPrefix(data, []byte(corpusHeader)) {
		input, err := DecodeCorpusFile(data)
		if err != nil {
			return nil, fmt.Errorf("fuzz: --replay %s: %w", file, err)
		}
		if err := opts.defaults(); err != nil {
			return nil, err
		}
		defer os.RemoveAll(opts.WorkDir)
		r := newRunner(&opts, opts.WorkDir)
		defer r.close()
		out, err := r.run(ctx, input)
		if err != nil {
			return nil, err
		}
		for _, f := range out.findings {
			f.Input, f.Actions = input, len(out.actions)
		}
		return &Result{Stats: Stats{Runs: 1}, Findings: out.findings}, nil
	}
	if !strings.HasSuffix(file, ".scenario") {
		return nil, fmt.Errorf("fuzz: --replay %s: want a finding's .scenario file or a corpus file starting with %q", file, corpusHeader)
	}
	return ReplayScenario(ctx, opts, file)
}

// ReplayScenario plays a scenario file as `watchbox simulate` does and
// returns the findings of its run.
func ReplayScenario(ctx context.Context, opts Options, file string) (*Result, error) {
	sc, err := scenario.ParseFile(file, scenario.Options{})
	if err != nil {
		return nil, err
	}
	// The scenario's own profile, as `watchbox simulate` plays it.
	prof, err := sc.DeviceProfile()
	if err != nil {
		return nil, err
	}
	data, err := os.MkdirTemp("", "watchbox-replay-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(data)
	var (
		mu       sync.Mutex
		refusals []string
	)
	sim, err := drive.Simulate(ctx, sc, prof, drive.SimOptions{CacheDir: opts.CacheDir, DataDir: data,
		OnRefusal: func(app string, op abi.Op, status abi.Status, reason string) {
			mu.Lock()
			refusals = append(refusals, reason)
			mu.Unlock()
		}})
	if err != nil {
		return nil, err
	}
	perr := sim.Play(ctx)
	calls, decisions := sim.Record.Calls(), sim.Record.Decisions()
	sim.Close()
	if perr != nil {
		return nil, perr
	}
	return &Result{Stats: Stats{Runs: 1}, Findings: classify(calls, decisions, refusals)}, nil
}
