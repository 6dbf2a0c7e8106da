package meter

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/tetratelabs/wazero/api"

	"github.com/watchbox/watchbox/host/meter/internal/instr"
)

// unsliced instruments bin the way Instrument did before the refuel
// import (a failed check executes unreachable) and returns a function that
// runs export under a budget with the limit at 0 throughout: the reference
// for what a call must use.
func unsliced(t *testing.T, bin []byte, m CostModel, export string) func(budget int64, arg uint64) (int64, bool) {
	t.Helper()
	opts := rewriteOptions(m)
	opts.ImportModule, opts.ImportName, opts.InitialLimit = "", "", 0
	out, _, err := instr.Rewrite(bin, opts)
	if err != nil {
		t.Fatal(err)
	}
	r := testRuntime(t)
	return func(budget int64, arg uint64) (int64, bool) {
		// A fresh instance per call: kernels keep state in memory.
		mod := instantiate(t, r, out)
		defer mod.Close(context.Background())
		fuel := mod.ExportedGlobal(FuelExport).(api.MutableGlobal)
		mod.ExportedGlobal(LimitExport).(api.MutableGlobal).Set(0)
		fuel.Set(uint64(budget))
		_, err := mod.ExportedFunction(export).Call(context.Background(), arg)
		return budget - int64(fuel.Get()), err != nil
	}
}

// TestSlicesDoNotChangeFuel: with budgets of several slices, the fuel a
// call uses, to completion and at exhaustion, is exactly what the unsliced
// scheme (one check against 0) charges: refuels are free and a check that
// finds the fuel negative stops the guest as before.
func TestSlicesDoNotChangeFuel(t *testing.T) {
	ctx := context.Background()
	type tc struct {
		name, export string
		bin          func(t *testing.T) []byte
		arg          uint64
	}
	cases := []tc{
		{"tight loop", "spin", func(*testing.T) []byte { return loopModule() }, 8 * Slice / 5},
		{"fib", "fib", func(*testing.T) []byte { return fibModule() }, 30},
		{"c/loop", "loop", func(t *testing.T) []byte { return kernelModule(t, "c") }, 2_000_000},
		{"c/sort", "sort", func(t *testing.T) []byte { return kernelModule(t, "c") }, 20_000},
		{"go/sort", "sort", func(t *testing.T) []byte { return kernelModule(t, "go") }, 30_000},
	}
	for _, c := range cases {
		if testing.Short() && strings.HasPrefix(c.name, "go/") {
			t.Logf("-short: skipping %s (builds the Go kernels and compiles them four times)", c.name)
			continue
		}
		for _, m := range []CostModel{Strict, Wasmtime} {
			bin := c.bin(t)
			ref := unsliced(t, bin, m, c.export)
			r := testRuntime(t)
			call := func(budget int64) (Outcome, int64, error) {
				mod, g := gaugeFor(t, r, bin, m) // a fresh instance
				defer mod.Close(ctx)
				_, out, used, err := g.Call(ctx, mod.ExportedFunction(c.export), budget, time.Time{}, c.arg)
				return out, used, err
			}
			out, used, err := call(MaxFuel)
			want, trapped := ref(MaxFuel, c.arg)
			if out != OK || trapped || used != want {
				t.Errorf("%s %v: %v used %d (%v); unsliced used %d (trapped %v)", c.name, m, out, used, err, want, trapped)
				continue
			}
			if used < 2*Slice {
				t.Errorf("%s %v: uses %d, less than two slices: pick a larger argument", c.name, m, used)
			}
			budget := used * 2 / 3
			out, hused, err := call(budget)
			want, trapped = ref(budget, c.arg)
			if out != FuelExhausted || !trapped || hused != want || !errors.Is(err, ErrFuelExhausted) {
				t.Errorf("%s %v, budget %d: %v used %d (%v); unsliced used %d (trapped %v)", c.name, m, budget, out, hused, err, want, trapped)
			}
			t.Logf("%-10s %-8v used %d; budget %d: exhausted at %d, as unsliced", c.name, m, used, budget, hused)
		}
	}
}

// TestRefuelWithoutGauge: a module called without a Gauge (start
// functions, hosts that set the globals themselves) is served from its
// globals: it runs past a slice, and traps once the fuel is negative or the
// limit is MaxInt64.
func TestRefuelWithoutGauge(t *testing.T) {
	ctx := context.Background()
	mod := instantiate(t, testRuntime(t), mustInstrument(t, loopModule(), Strict))
	fuel := mod.ExportedGlobal(FuelExport).(api.MutableGlobal)
	limit := mod.ExportedGlobal(LimitExport).(api.MutableGlobal)
	if got := int64(limit.Get()); got != MaxFuel-Slice {
		t.Errorf("initial limit %d, want MaxFuel-Slice", got)
	}
	spin := mod.ExportedFunction("spin")
	if res, err := spin.Call(ctx, 3*Slice/5); err != nil || res[0] != 0 {
		t.Fatalf("3 slices without a Gauge: %v %v", res, err)
	}
	// The limit is one slice below the fuel at the last refuel.
	if used, f, l := MaxFuel-int64(fuel.Get()), int64(fuel.Get()), int64(limit.Get()); used < 3*Slice || l > f || l <= f-Slice {
		t.Errorf("used %d, limit %d, fuel %d", used, l, f)
	}
	fuel.Set(1000)
	limit.Set(0)
	if _, err := spin.Call(ctx, 1<<62); err == nil || !errors.Is(err, ErrFuelExhausted) || int64(fuel.Get()) >= 0 {
		t.Errorf("budget 1000: %v, fuel %d", err, int64(fuel.Get()))
	}
	fuel.Set(uint64(MaxFuel))
	limit.Set(1<<63 - 1)
	if _, err := spin.Call(ctx, 1<<62); err == nil || !errors.Is(err, ErrDeadlineExceeded) {
		t.Errorf("limit MaxInt64: %v", err)
	}
}

// TestHostStopWithOwnContext: a host that runs calls with Start, its own
// watchdog calling Stop, and Finish (as host/instance.go does) gets
// DeadlineExceeded and FuelExhausted as with Call; the refuel import finds
// the Gauge by module.
func TestHostStopWithOwnContext(t *testing.T) {
	ctx := context.Background()
	mod, g := gaugeFor(t, testRuntime(t), loopModule(), Strict)
	spin := mod.ExportedFunction("spin")
	g.Start(MaxFuel)
	timer := time.AfterFunc(30*time.Millisecond, g.Stop)
	start := time.Now()
	_, err := spin.Call(ctx, 1<<62)
	timer.Stop()
	out, used, err := g.Finish(err)
	if out != DeadlineExceeded || used < Slice || !errors.Is(err, ErrDeadlineExceeded) || time.Since(start) > 2*time.Second {
		t.Errorf("stopped: %v used %d after %v: %v", out, used, time.Since(start), err)
	}
	g.Start(3*Slice + 12345)
	_, err = spin.Call(ctx, 1<<62)
	out, used, err = g.Finish(err)
	if out != FuelExhausted || used <= 3*Slice+12345 || used > 3*Slice+12345+CheckInterval || !strings.Contains(err.Error(), "out of fuel") {
		t.Errorf("exhausted: %v used %d: %v", out, used, err)
	}
	if g.Stopped() {
		t.Error("Stopped after Finish")
	}
	g.Close()
	if _, ok := running.Load(mod); ok {
		t.Error("the Gauge is still registered after Close")
	}
}

// TestInstrumentImports: the output imports the refuel function after the
// module's own imports; a module that already imports from HostModule is
// rejected; a module without functions gets no import.
func TestInstrumentImports(t *testing.T) {
	out := mustInstrument(t, hostModule(), Strict)
	if _, err := testRuntime(t).CompileModule(context.Background(), out); err != nil {
		t.Fatal(err)
	}
	cm, _ := testRuntime(t).CompileModule(context.Background(), out)
	var imports []string
	for _, d := range cm.ImportedFunctions() {
		mod, name, _ := d.Import()
		imports = append(imports, mod+"."+name)
	}
	if got := strings.Join(imports, " "); got != "env.host "+HostModule+"."+RefuelFunc {
		t.Errorf("imports %q", got)
	}
	own := testModule([]imp{{HostModule, RefuelFunc, nil, nil}}, []fn{{body: []byte{0x10, 0, 0x0b}, export: "f"}}, 0)
	if _, err := Instrument(own, Strict); err == nil || !strings.Contains(err.Error(), "already instrumented") {
		t.Errorf("a module importing %s: %v", HostModule, err)
	}
	noFuncs := []byte("\x00asm\x01\x00\x00\x00")
	noFuncs = append(noFuncs, section(5, vec([]byte{0x00, 0x01}))...)
	out = mustInstrument(t, noFuncs, Strict)
	if cm, err := testRuntime(t).CompileModule(context.Background(), out); err != nil || len(cm.ImportedFunctions()) != 0 {
		t.Errorf("a module without functions: %v, imports %v", err, cm.ImportedFunctions())
	}
}
