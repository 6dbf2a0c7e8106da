// Package wasmtime checks that host/meter's Wasmtime cost model charges
// exactly what wasmtime's consume_fuel charges, on the Go- and C-compiled
// kernels of host/meter. It is a separate module because it needs cgo and
// wasmtime-go's prebuilt static library.
package wasmtime

import (
	"context"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	wt "github.com/bytecodealliance/wasmtime-go/v39"
	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/imports/wasi_snapshot_preview1"

	"github.com/watchbox/watchbox/host/meter"
)

type kernel struct {
	lang, export string
	arg          int32
}

var kernels = []kernel{
	{"c", "fib", 20}, {"c", "sha256", 3}, {"c", "crc32", 3}, {"c", "sort", 2000}, {"c", "json", 3},
	{"c", "mandelbrot", 30}, {"c", "nbody", 200}, {"c", "matmul", 1}, {"c", "sieve", 20000},
	{"c", "memops", 2}, {"c", "loop", 5000},
	{"go", "fib", 20}, {"go", "sha256", 3}, {"go", "crc32", 3}, {"go", "sort", 2000}, {"go", "json", 2},
	{"go", "mandelbrot", 30}, {"go", "nbody", 200}, {"go", "maps", 1000}, {"go", "strings", 20}, {"go", "loop", 5000},
}

const kernelDir = "../../host/meter/testdata/kernels"

func modules(t *testing.T) map[string][]byte {
	t.Helper()
	c, err := os.ReadFile(filepath.Join(kernelDir, "c", "kernels.wasm"))
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "go.wasm")
	cmd := exec.Command("go", "build", "-buildmode=c-shared", "-o", out, ".")
	cmd.Dir = filepath.Join(kernelDir, "go")
	cmd.Env = append(os.Environ(), "GOOS=wasip1", "GOARCH=wasm")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("building Go kernels: %v\n%s", err, b)
	}
	g, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	return map[string][]byte{"c": c, "go": g}
}

// wasmtimeFuel runs _initialize then the export on a fresh instance and
// returns the result and the fuel consumed by the export call alone.
func wasmtimeFuel(engine *wt.Engine, mod *wt.Module, k kernel) (int64, uint64, error) {
	store := wt.NewStore(engine)
	defer store.Close()
	store.SetWasi(wt.NewWasiConfig())
	if err := store.SetFuel(math.MaxInt64 / 2); err != nil {
		return 0, 0, err
	}
	linker := wt.NewLinker(engine)
	if err := linker.DefineWasi(); err != nil {
		return 0, 0, err
	}
	inst, err := linker.Instantiate(store, mod)
	if err != nil {
		return 0, 0, err
	}
	if f := inst.GetFunc(store, "_initialize"); f != nil {
		if _, err := f.Call(store); err != nil {
			return 0, 0, err
		}
	}
	before, _ := store.GetFuel()
	res, err := inst.GetFunc(store, k.export).Call(store, k.arg)
	if err != nil {
		return 0, 0, err
	}
	after, _ := store.GetFuel()
	return res.(int64), before - after, nil
}

func wazeroFuel(ctx context.Context, r wazero.Runtime, cm wazero.CompiledModule, k kernel) (int64, int64, error) {
	mod, err := r.InstantiateModule(ctx, cm, wazero.NewModuleConfig().WithName("").WithStartFunctions())
	if err != nil {
		return 0, 0, err
	}
	defer mod.Close(ctx)
	g, err := meter.NewGauge(mod)
	if err != nil {
		return 0, 0, err
	}
	if f := mod.ExportedFunction("_initialize"); f != nil {
		if _, out, _, err := g.Call(ctx, f, meter.MaxFuel, time.Time{}); out != meter.OK {
			return 0, 0, err
		}
	}
	res, out, used, err := g.Call(ctx, mod.ExportedFunction(k.export), meter.MaxFuel, time.Time{}, uint64(k.arg))
	if out != meter.OK {
		return 0, 0, err
	}
	return int64(res[0]), used, nil
}

// wasmtimeRepeats is how many more times a kernel whose fuel differs
// from watchbox's runs on wasmtime, to tell a difference of the metering
// from wasmtime's own variation.
const wasmtimeRepeats = 12

func TestFuelMatchesWasmtime(t *testing.T) {
	ctx := context.Background()
	bins := modules(t)
	cfg := wt.NewConfig()
	cfg.SetConsumeFuel(true)
	engine := wt.NewEngineWithConfig(cfg)
	r := wazero.NewRuntime(ctx)
	defer r.Close(ctx)
	wasi_snapshot_preview1.MustInstantiate(ctx, r)
	if err := meter.NewHostModule(ctx, r); err != nil {
		t.Fatal(err)
	}
	wtMods := map[string]*wt.Module{}
	wzMods := map[string]wazero.CompiledModule{}
	for lang, bin := range bins {
		m, err := wt.NewModule(engine, bin)
		if err != nil {
			t.Fatal(err)
		}
		wtMods[lang] = m
		ibin, err := meter.Instrument(bin, meter.Wasmtime)
		if err != nil {
			t.Fatal(err)
		}
		if wzMods[lang], err = r.CompileModule(ctx, ibin); err != nil {
			t.Fatal(err)
		}
	}
	compared := 0
	defer func() {
		t.Logf("%d of %d kernels charged exactly the same fuel", compared, len(kernels))
		if compared < len(kernels)*3/4 {
			t.Errorf("only %d of %d kernels compared", compared, len(kernels))
		}
	}()
	for _, k := range kernels {
		name := fmt.Sprintf("%s/%s(%d)", k.lang, k.export, k.arg)
		wres, wfuel, err := wasmtimeFuel(engine, wtMods[k.lang], k)
		if err != nil {
			t.Errorf("%s: wasmtime: %v", name, err)
			continue
		}
		zres, zfuel, err := wazeroFuel(ctx, r, wzMods[k.lang], k)
		if err != nil {
			t.Errorf("%s: wazero: %v", name, err)
			continue
		}
		if wres != zres {
			t.Errorf("%s: results differ: wasmtime %d, wazero %d", name, wres, zres)
		}
		// Go's runtime reads WASI random_get and clocks (map seeds, GC
		// pacing), which wasmtime serves from the real sources: such
		// kernels do not even repeat their own fuel on wasmtime. A few
		// of their values are common (go/sha256 gave the same one in 3
		// runs of 8), so three runs that agree prove nothing: a kernel
		// whose fuel differs from ours is run up to wasmtimeRepeats
		// times, and called deterministic only if every run agrees.
		deterministic := true
		if int64(wfuel) != zfuel {
			for range wasmtimeRepeats {
				if _, again, _ := wasmtimeFuel(engine, wtMods[k.lang], k); again != wfuel {
					deterministic = false
					break
				}
			}
		}
		status := "equal"
		switch {
		case int64(wfuel) == zfuel:
			compared++
		case !deterministic:
			status = "not compared: wasmtime's own fuel varies run to run (guest reads random/clock)"
		default:
			status = "DIFFERENT"
			t.Errorf("%s: fuel differs: wasmtime %d, watchbox wasmtime model %d (%+d)", name, wfuel, zfuel, zfuel-int64(wfuel))
		}
		t.Logf("%-22s wasmtime %12d  watchbox %12d  %s", name, wfuel, zfuel, status)
	}
}

// meteredInWasmtime runs the export of an instrumented module in wasmtime
// (without wasmtime's own fuel) under a budget, providing
// watchbox_meter.refuel as the simplest correct implementation: trap when
// the fuel is negative, else set the limit to 0. It returns the fuel the
// export used according to the module's own counter, and whether it
// trapped.
func meteredInWasmtime(engine *wt.Engine, mod *wt.Module, k kernel, budget int64) (int64, bool, error) {
	store := wt.NewStore(engine)
	defer store.Close()
	store.SetWasi(wt.NewWasiConfig())
	linker := wt.NewLinker(engine)
	if err := linker.DefineWasi(); err != nil {
		return 0, false, err
	}
	refuels := 0
	err := linker.FuncWrap(meter.HostModule, meter.RefuelFunc, func(c *wt.Caller) *wt.Trap {
		refuels++
		fuel := c.GetExport(meter.FuelExport).Global()
		if fuel.Get(c).I64() < 0 {
			return wt.NewTrap("out of fuel")
		}
		if err := c.GetExport(meter.LimitExport).Global().Set(c, wt.ValI64(0)); err != nil {
			return wt.NewTrap(err.Error())
		}
		return nil
	})
	if err != nil {
		return 0, false, err
	}
	inst, err := linker.Instantiate(store, mod)
	if err != nil {
		return 0, false, err
	}
	fuel := inst.GetExport(store, meter.FuelExport).Global()
	limit := inst.GetExport(store, meter.LimitExport).Global()
	if f := inst.GetFunc(store, "_initialize"); f != nil {
		if _, err := f.Call(store); err != nil {
			return 0, false, err
		}
	}
	if err := fuel.Set(store, wt.ValI64(budget)); err != nil {
		return 0, false, err
	}
	if err := limit.Set(store, wt.ValI64(0)); err != nil {
		return 0, false, err
	}
	_, err = inst.GetFunc(store, k.export).Call(store, k.arg)
	return budget - fuel.Get(store).I64(), err != nil, nil
}

// TestMeteredModuleInWasmtime runs the instrumented C kernels in wasmtime
// with a trivial refuel: the fuel they use, to completion and at
// exhaustion, is the fuel a Gauge reports in wazero.
func TestMeteredModuleInWasmtime(t *testing.T) {
	ctx := context.Background()
	bin := modules(t)["c"]
	ibin, err := meter.Instrument(bin, meter.Strict)
	if err != nil {
		t.Fatal(err)
	}
	engine := wt.NewEngine()
	wtMod, err := wt.NewModule(engine, ibin)
	if err != nil {
		t.Fatal(err)
	}
	r := wazero.NewRuntime(ctx)
	defer r.Close(ctx)
	wasi_snapshot_preview1.MustInstantiate(ctx, r)
	if err := meter.NewHostModule(ctx, r); err != nil {
		t.Fatal(err)
	}
	cm, err := r.CompileModule(ctx, ibin)
	if err != nil {
		t.Fatal(err)
	}
	// Both engines run the export on a fresh instance, after _initialize.
	wazeroRun := func(k kernel, budget int64) (meter.Outcome, int64, error) {
		mod, err := r.InstantiateModule(ctx, cm, wazero.NewModuleConfig().WithName("").WithStartFunctions())
		if err != nil {
			return 0, 0, err
		}
		defer mod.Close(ctx)
		g, err := meter.NewGauge(mod)
		if err != nil {
			return 0, 0, err
		}
		if f := mod.ExportedFunction("_initialize"); f != nil {
			if _, out, _, err := g.Call(ctx, f, meter.MaxFuel, time.Time{}); out != meter.OK {
				return 0, 0, err
			}
		}
		_, out, used, err := g.Call(ctx, mod.ExportedFunction(k.export), budget, time.Time{}, uint64(k.arg))
		return out, used, err
	}
	for _, k := range kernels {
		if k.lang != "c" {
			continue
		}
		const budget = int64(1) << 40
		used, trapped, err := meteredInWasmtime(engine, wtMod, k, budget)
		if err != nil || trapped {
			t.Errorf("%s: wasmtime: %v (trapped %v)", k.export, err, trapped)
			continue
		}
		out, zused, err := wazeroRun(k, budget)
		if out != meter.OK || zused != used {
			t.Errorf("%s: wasmtime used %d, wazero %v used %d (%v)", k.export, used, out, zused, err)
		}
		// Exhaustion stops at the same check with the same fuel.
		half := used / 2
		hused, trapped, err := meteredInWasmtime(engine, wtMod, k, half)
		out, zhused, zerr := wazeroRun(k, half)
		if err != nil || !trapped || out != meter.FuelExhausted || hused != zhused {
			t.Errorf("%s with budget %d: wasmtime used %d (trapped %v, %v), wazero %v used %d (%v)", k.export, half, hused, trapped, err, out, zhused, zerr)
		}
		t.Logf("%-10s used %10d; with budget %10d: %10d in both engines", k.export, used, half, hused)
	}
}
