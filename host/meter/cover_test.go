package meter

import (
	"context"
	"testing"
	"time"

	"github.com/tetratelabs/wazero"
)

// coverGauge instantiates bin instrumented with coverage in a runtime of
// its own (one map per runtime).
func coverGauge(t testing.TB, bin []byte, m CostModel) (*Coverage, *Gauge, func(string) uint64) {
	t.Helper()
	r, cov := coverRuntime(t)
	return cov, coverGaugeIn(t, r, bin, m), nil
}

// coverRuntime returns a test runtime with its coverage map.
func coverRuntime(t testing.TB) (wazero.Runtime, *Coverage) {
	t.Helper()
	r := testRuntime(t)
	cov, err := NewCoverage(context.Background(), r)
	if err != nil {
		t.Fatal(err)
	}
	return r, cov
}

// coverGaugeIn instantiates bin instrumented with coverage in r, a
// coverRuntime, whose map every module of r shares.
func coverGaugeIn(t testing.TB, r wazero.Runtime, bin []byte, m CostModel) *Gauge {
	t.Helper()
	out, err := instrumentOnce(bin, m, true)
	if err != nil {
		t.Fatal(err)
	}
	g, err := NewGauge(instantiate(t, r, out))
	if err != nil {
		t.Fatal(err)
	}
	return g
}

func nonzero(b []byte) int {
	n := 0
	for _, c := range b {
		if c != 0 {
			n++
		}
	}
	return n
}

// TestCoverageKeepsFuel: coverage and metering in one module count fuel
// exactly as metering alone, whole calls and exhausted ones alike, and the
// map they fill is the same for the same call.
func TestCoverageKeepsFuel(t *testing.T) {
	t.Parallel()
	type target struct {
		name string
		bin  []byte
		fn   string
		arg  uint64
		pure bool // a call does not change the instance's state
	}
	targets := []target{{"fib", fibModule(), "fib", 20, true}, {"loop", loopModule(), "spin", 5000, true}}
	if !testing.Short() {
		for _, k := range kernels {
			targets = append(targets, target{k.String(), kernelModule(t, k.lang), k.export, k.testArg, false})
		}
	}
	ctx := context.Background()
	// One runtime for the metered instances and one for those with
	// coverage, so that each module is compiled once (see compile); every
	// target still gets fresh instances, and the calls on the coverage
	// runtime's shared map run one at a time, each after a Reset.
	plainRT := testRuntime(t)
	coverRT, cov := coverRuntime(t)
	for _, tg := range targets {
		for _, m := range []CostModel{Strict, Wasmtime} {
			_, plain := gaugeFor(t, plainRT, tg.bin, m)
			covered := coverGaugeIn(t, coverRT, tg.bin, m)
			pf, cf := plain.mod.ExportedFunction(tg.fn), covered.mod.ExportedFunction(tg.fn)
			if pf == nil || cf == nil {
				t.Fatalf("%s: no export %q", tg.name, tg.fn)
			}
			cov.Reset()
			rp, op, up, _ := plain.Call(ctx, pf, MaxFuel, time.Time{}, tg.arg)
			rc, oc, uc, _ := covered.Call(ctx, cf, MaxFuel, time.Time{}, tg.arg)
			if op != OK || oc != OK || up != uc || len(rp) != len(rc) || (len(rp) > 0 && rp[0] != rc[0]) {
				t.Fatalf("%s/%v: metered %v %v fuel %d; with coverage %v %v fuel %d", tg.name, m, rp, op, up, rc, oc, uc)
			}
			edges := nonzero(cov.Map())
			if edges == 0 {
				t.Fatalf("%s/%v: no edge counted", tg.name, m)
			}
			first := append([]byte(nil), cov.Map()...)
			cov.Reset()
			// Both instances make the same calls, so that a kernel whose
			// state carries over between calls (a Go heap) stays alike.
			plain.Call(ctx, pf, MaxFuel, time.Time{}, tg.arg)
			covered.Call(ctx, cf, MaxFuel, time.Time{}, tg.arg)
			if tg.pure && string(first) != string(cov.Map()) {
				t.Errorf("%s/%v: the same call filled a different map", tg.name, m)
			}
			for _, budget := range []int64{up / 2, up - 1, up / 7} {
				_, op, up2, _ := plain.Call(ctx, pf, budget, time.Time{}, tg.arg)
				_, oc, uc2, _ := covered.Call(ctx, cf, budget, time.Time{}, tg.arg)
				if op != oc || up2 != uc2 {
					t.Errorf("%s/%v budget %d: metered %v used %d; with coverage %v used %d", tg.name, m, budget, op, up2, oc, uc2)
				}
			}
			t.Logf("%s/%v: %d fuel, %d edges", tg.name, m, up, edges)
		}
	}
}

// TestCoverageSeesBranches: a different path through a function fills a
// different map.
func TestCoverageSeesBranches(t *testing.T) {
	t.Parallel()
	cov, g, _ := coverGauge(t, fibModule(), Strict)
	fn := g.mod.ExportedFunction("fib")
	ctx := context.Background()
	cov.Reset()
	g.Call(ctx, fn, MaxFuel, time.Time{}, 1)
	one := nonzero(cov.Map())
	cov.Reset()
	g.Call(ctx, fn, MaxFuel, time.Time{}, 5)
	five := nonzero(cov.Map())
	if one == 0 || five <= one {
		t.Errorf("fib(1) reached %d edges, fib(5) %d: want more for the recursive path", one, five)
	}
}

func TestCoverageStats(t *testing.T) {
	t.Parallel()
	_, st, err := instrumentWith(fibModule(), Strict, Extras{Coverage: true})
	if err != nil {
		t.Fatal(err)
	}
	if st.CoverSites == 0 {
		t.Errorf("no coverage sites in fib: %+v", st)
	}
	if _, err := InstrumentCoverage(mustInstrument(t, fibModule(), Strict), Strict); err == nil {
		t.Error("instrumenting an instrumented module again succeeded")
	}
}
