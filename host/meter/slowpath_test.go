package meter

import (
	"context"
	"math"
	"testing"
	"time"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
	"github.com/tetratelabs/wazero/imports/wasi_snapshot_preview1"
)

// TestSlowPathEveryCheck runs every kernel with a refuel import that puts
// the limit at the fuel, so that nearly every check takes the slow path
// (at a loop header: save the locals the loop writes, call, reload them,
// branch back to the header). The results must be the original module's
// and the fuel exactly what a Gauge call uses.
func TestSlowPathEveryCheck(t *testing.T) {
	if testing.Short() {
		t.Skip("the kernel runs are long: go test without -short runs them")
	}
	ctx := context.Background()
	cache, err := runtimeCache()
	if err != nil {
		t.Fatal(err)
	}
	// A runtime whose refuel import sets the limit to the fuel.
	slow := wazero.NewRuntimeWithConfig(ctx, wazero.NewRuntimeConfig().WithCompilationCache(cache))
	defer func() {
		compiledIn.Delete(slow)
		slow.Close(ctx)
	}()
	wasi_snapshot_preview1.MustInstantiate(ctx, slow)
	var refuels int64
	_, err = slow.NewHostModuleBuilder(HostModule).NewFunctionBuilder().
		WithGoModuleFunction(api.GoModuleFunc(func(ctx context.Context, mod api.Module, _ []uint64) {
			refuels++
			fuel := mod.ExportedGlobal(FuelExport).(api.MutableGlobal)
			limit := mod.ExportedGlobal(LimitExport).(api.MutableGlobal)
			if int64(fuel.Get()) < 0 || int64(limit.Get()) == math.MaxInt64 {
				panic(errCheckFuel)
			}
			limit.Set(fuel.Get())
		}), nil, nil).
		Export(RefuelFunc).Instantiate(ctx)
	if err != nil {
		t.Fatal(err)
	}
	r := testRuntime(t)
	bins := map[string][]byte{"go": kernelModule(t, "go"), "c": kernelModule(t, "c")}
	inst := map[string][]byte{"go": mustInstrument(t, bins["go"], Strict), "c": mustInstrument(t, bins["c"], Strict)}
	for _, k := range kernels {
		want, err := instantiate(t, r, bins[k.lang]).ExportedFunction(k.export).Call(ctx, k.testArg)
		if err != nil {
			t.Fatal(err)
		}
		mod, g := gaugeFor(t, r, bins[k.lang], Strict)
		_, out, wantFuel, err := g.Call(ctx, mod.ExportedFunction(k.export), MaxFuel, time.Time{}, k.testArg)
		if out != OK {
			t.Fatalf("%v: %v", k, err)
		}

		smod := instantiate(t, slow, inst[k.lang])
		fuel := smod.ExportedGlobal(FuelExport).(api.MutableGlobal)
		limit := smod.ExportedGlobal(LimitExport).(api.MutableGlobal)
		const budget = int64(1) << 40
		fuel.Set(uint64(budget))
		limit.Set(uint64(budget))
		before := refuels
		got, err := smod.ExportedFunction(k.export).Call(ctx, k.testArg)
		if err != nil || len(got) != 1 || got[0] != want[0] {
			t.Errorf("%v with a refuel at every check: result %v (%v), original %v", k, got, err, want)
			continue
		}
		if used := budget - int64(fuel.Get()); used != wantFuel {
			t.Errorf("%v with a refuel at every check: used %d fuel, a Gauge call %d", k, used, wantFuel)
		}
		if n := refuels - before; n == 0 {
			t.Errorf("%v: only %d refuels: the slow path was not exercised", k, n)
		}
		t.Logf("%-14v %d refuels, %d fuel, result %d", k, refuels-before, wantFuel, got[0])
	}
}
