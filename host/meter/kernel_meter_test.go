package meter

import (
	"context"
	"testing"
	"time"

	"github.com/watchbox/watchbox/host/meter/internal/instr"
)

// TestKernels runs every Go- and C-compiled kernel on the original and the
// instrumented module (both cost models): results must match, fuel must be
// deterministic across fresh instances, and a budget of exactly the fuel used
// must complete while one unit less must exhaust.
func TestKernels(t *testing.T) {
	if testing.Short() {
		t.Skip("the kernel runs are long: go test without -short runs them (as .ci/run does)")
	}
	ctx := context.Background()
	r := testRuntime(t)
	bins := map[string][]byte{"go": kernelModule(t, "go"), "c": kernelModule(t, "c")}
	inst := map[string]map[CostModel][]byte{}
	for lang, bin := range bins {
		inst[lang] = map[CostModel][]byte{Strict: mustInstrument(t, bin, Strict), Wasmtime: mustInstrument(t, bin, Wasmtime)}
	}
	for _, k := range kernels {
		t.Run(k.String(), func(t *testing.T) {
			orig := instantiate(t, r, bins[k.lang])
			want, err := orig.ExportedFunction(k.export).Call(ctx, k.testArg)
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range []CostModel{Strict, Wasmtime} {
				fresh := func() (*Gauge, func(fuel int64, arg uint64) ([]uint64, Outcome, int64, error)) {
					mod := instantiate(t, r, inst[k.lang][m])
					g, err := NewGauge(mod)
					if err != nil {
						t.Fatal(err)
					}
					fn := mod.ExportedFunction(k.export)
					return g, func(fuel int64, arg uint64) ([]uint64, Outcome, int64, error) {
						return g.Call(ctx, fn, fuel, time.Time{}, arg)
					}
				}
				_, call := fresh()
				got, out, used, err := call(MaxFuel, k.testArg)
				if out != OK || len(got) != 1 || got[0] != want[0] {
					t.Fatalf("%v: result %v (%v, %v), original %v", m, got, out, err, want)
				}
				_, call2 := fresh()
				if _, _, used2, _ := call2(MaxFuel, k.testArg); used2 != used {
					t.Errorf("%v: fuel not deterministic: %d then %d", m, used, used2)
				}
				// Exact boundary on a smaller size.
				_, call = fresh()
				_, out, exact, err := call(MaxFuel, k.exhaustArg)
				if out != OK {
					t.Fatalf("%v: %v", m, err)
				}
				_, call = fresh()
				if _, out, u, err := call(exact, k.exhaustArg); out != OK || u != exact {
					t.Errorf("%v: budget = fuel used (%d): %v used %d %v", m, exact, out, u, err)
				}
				_, call = fresh()
				_, out, u, err := call(exact-1, k.exhaustArg)
				if out != FuelExhausted || u < exact-1 || u > exact-1+CheckInterval {
					t.Errorf("%v: budget %d: %v used %d %v", m, exact-1, out, u, err)
				}
				t.Logf("%v: %d fuel for size %d, %d for size %d", m, used, k.testArg, exact, k.exhaustArg)
			}
		})
	}
}

// TestKernelsKeepFuelInLocals: no function of the kernels uses exception
// handling, so all keep the counter in a local (a byte scan of the bodies
// used to put most of them in the slower global mode), and where the counter
// lives changes no fuel: every kernel uses the same fuel, to completion and
// when it runs out, with the counter in the global everywhere
// (Options.NoLocal).
func TestKernelsKeepFuelInLocals(t *testing.T) {
	if testing.Short() {
		t.Skip("the kernel runs are long: go test without -short runs them (as .ci/run does)")
	}
	ctx := context.Background()
	r := testRuntime(t)
	type pair struct{ local, global []byte }
	bins := map[string]pair{}
	for _, lang := range []string{"go", "c"} {
		bin := kernelModule(t, lang)
		opt := rewriteOptions(Strict)
		local, st, err := instr.Rewrite(bin, opt)
		if err != nil {
			t.Fatal(err)
		}
		if st.GlobalMode != 0 {
			t.Errorf("%s: %d of %d functions keep the counter in the global", lang, st.GlobalMode, st.Functions)
		}
		opt.NoLocal = true
		global, st, err := instr.Rewrite(bin, opt)
		if err != nil {
			t.Fatal(err)
		}
		if st.GlobalMode != st.Functions {
			t.Errorf("%s with NoLocal: %d of %d functions keep the counter in the global", lang, st.GlobalMode, st.Functions)
		}
		bins[lang] = pair{local, global}
	}
	run := func(bin []byte, k kernel, fuel int64, arg uint64) (Outcome, int64) {
		mod := instantiate(t, r, bin)
		defer mod.Close(ctx)
		g, err := NewGauge(mod)
		if err != nil {
			t.Fatal(err)
		}
		_, out, used, _ := g.Call(ctx, mod.ExportedFunction(k.export), fuel, time.Time{}, arg)
		return out, used
	}
	for _, k := range kernels {
		p := bins[k.lang]
		outL, usedL := run(p.local, k, MaxFuel, k.testArg)
		outG, usedG := run(p.global, k, MaxFuel, k.testArg)
		if outL != OK || outG != OK || usedL != usedG {
			t.Errorf("%s: local mode %v used %d, global mode %v used %d", k, outL, usedL, outG, usedG)
			continue
		}
		half := usedL / 2
		outL, usedL = run(p.local, k, half, k.testArg)
		outG, usedG = run(p.global, k, half, k.testArg)
		if outL != FuelExhausted || outG != FuelExhausted || usedL != usedG {
			t.Errorf("%s with budget %d: local mode %v used %d, global mode %v used %d", k, half, outL, usedL, outG, usedG)
		}
	}
}
