package meter

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
)

func mustInstrument(t testing.TB, bin []byte, m CostModel) []byte {
	t.Helper()
	out, err := instrumentOnce(bin, m, false)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// instrumented holds the instrumented copies the tests made, by input
// hash, cost model and coverage: the kernels, which several tests run in
// both cost models, are instrumented once per test binary. The copies
// are shared, so callers must not modify them.
var instrumented sync.Map

// instrumentOnce is Instrument, or InstrumentCoverage with cover, of bin,
// made once per test binary.
func instrumentOnce(bin []byte, m CostModel, cover bool) ([]byte, error) {
	key := fmt.Sprintf("%x/%v/%v", sha256.Sum256(bin), m, cover)
	if out, ok := instrumented.Load(key); ok {
		return out.([]byte), nil
	}
	instr := Instrument
	if cover {
		instr = InstrumentCoverage
	}
	out, err := instr(bin, m)
	if err != nil {
		return nil, err
	}
	instrumented.Store(key, out)
	return out, nil
}

func gaugeFor(t testing.TB, r wazero.Runtime, bin []byte, m CostModel) (api.Module, *Gauge) {
	t.Helper()
	mod := instantiate(t, r, mustInstrument(t, bin, m))
	g, err := NewGauge(mod)
	if err != nil {
		t.Fatal(err)
	}
	return mod, g
}

func TestParseCostModel(t *testing.T) {
	for in, want := range map[string]CostModel{"": Strict, "strict": Strict, "Wasmtime": Wasmtime, " wasmtime ": Wasmtime} {
		got, err := ParseCostModel(in)
		if err != nil || got != want {
			t.Errorf("ParseCostModel(%q) = %v, %v; want %v", in, got, err, want)
		}
		if got.String() != strings.ToLower(strings.TrimSpace(in)) && in != "" {
			t.Errorf("%v.String() = %q", got, got.String())
		}
	}
	if _, err := ParseCostModel("cheap"); err == nil || !strings.Contains(err.Error(), "strict") {
		t.Errorf("ParseCostModel(cheap) error = %v, want one naming the valid models", err)
	}
	if _, err := Instrument(fibModule(), CostModel(9)); !errors.Is(err, ErrUnknownCostModel) {
		t.Errorf("Instrument with model 9: %v", err)
	}
}

// fibFuel is the exact fuel of fib(n) in fibModule: 1 for entering the
// function, then a base case runs local.get, i32.const, i32.lt_s, if,
// local.get, i64.extend (6 units; end is free); the recursive case runs 4 +
// local.get, i32.const, i32.sub, call, local.get, i32.const, i32.sub, call,
// i64.add (13 units) plus its callees.
func fibFuel(n int) int64 {
	if n < 2 {
		return 1 + 6
	}
	return 1 + 13 + fibFuel(n-1) + fibFuel(n-2)
}

func TestExactFuelAndExhaustion(t *testing.T) {
	ctx := context.Background()
	r := testRuntime(t)
	for _, m := range []CostModel{Strict, Wasmtime} {
		mod, g := gaugeFor(t, r, fibModule(), m)
		fn := mod.ExportedFunction("fib")
		want := fibFuel(20)
		res, out, used, err := g.Call(ctx, fn, MaxFuel, time.Time{}, 20)
		if out != OK || err != nil || res[0] != 6765 {
			t.Fatalf("%v: fib(20) = %v, %v, %v", m, res, out, err)
		}
		if used != want {
			t.Fatalf("%v: fib(20) used %d fuel, want exactly %d", m, used, want)
		}
		// A budget of exactly the cost completes; one less is exhausted.
		if _, out, used, err := g.Call(ctx, fn, want, time.Time{}, 20); out != OK || used != want {
			t.Errorf("%v: budget %d: %v, used %d, %v", m, want, out, used, err)
		}
		_, out, used2, err := g.Call(ctx, fn, want-1, time.Time{}, 20)
		if out != FuelExhausted || !errors.Is(err, ErrFuelExhausted) {
			t.Errorf("%v: budget %d: outcome %v, err %v; want fuel_exhausted", m, want-1, out, err)
		}
		if used2 < want-1 || used2 > want-1+20 {
			t.Errorf("%v: exhausted call used %d, want within the overshoot of %d", m, used2, want-1)
		}
		// Exhaustion is deterministic.
		_, _, used3, _ := g.Call(ctx, fn, want/2, time.Time{}, 20)
		_, _, used4, _ := g.Call(ctx, fn, want/2, time.Time{}, 20)
		if used3 != used4 || used3 < want/2 {
			t.Errorf("%v: exhausted fuel not deterministic: %d vs %d", m, used3, used4)
		}
	}
}

func TestTightLoopExhaustion(t *testing.T) {
	ctx := context.Background()
	r := testRuntime(t)
	mod, g := gaugeFor(t, r, loopModule(), Strict)
	fn := mod.ExportedFunction("spin")
	// 7 units per iteration (local.get, i64.const, i64.sub, local.tee,
	// i64.eqz, i32.eqz, br_if; loop and end are free), plus 1 for entering
	// and the final local.get.
	res, out, used, err := g.Call(ctx, fn, MaxFuel, time.Time{}, 1000)
	if out != OK || res[0] != 0 || used != 1000*7+2 {
		t.Fatalf("spin(1000) = %v, %v, used %d, %v; want 0, ok, %d", res, out, used, err, 1000*7+2)
	}
	_, out, used, err = g.Call(ctx, fn, 1_000_000, time.Time{}, uint64(1<<62))
	if out != FuelExhausted || used < 1_000_000 || used > 1_000_000+7 {
		t.Fatalf("spin(forever) with 1e6 fuel: %v, used %d, %v", out, used, err)
	}
}

func TestGuestTrapIsNotFuel(t *testing.T) {
	ctx := context.Background()
	r := testRuntime(t)
	hostCalled := 0
	_, err := r.NewHostModuleBuilder("env").NewFunctionBuilder().
		WithFunc(func(ctx context.Context, m api.Module, n uint32) {
			hostCalled++
			if err := ChargeFromHost(ctx, m, int64(n)); err != nil {
				panic(err)
			}
		}).Export("host").Instantiate(ctx)
	if err != nil {
		t.Fatal(err)
	}
	mod, g := gaugeFor(t, r, hostModule(), Strict)
	_, out, _, err := g.Call(ctx, mod.ExportedFunction("trap"), 1000, time.Time{})
	if out != Trap || err == nil || !strings.Contains(err.Error(), "unreachable") {
		t.Errorf("guest unreachable: %v, %v; want trap", out, err)
	}
	// Host charges count: 3 units of wasm (entry, local.get, call) plus
	// what the host charges.
	_, out, used, err := g.Call(ctx, mod.ExportedFunction("run"), 1000, time.Time{}, 500)
	if out != OK || used != 3+500 {
		t.Errorf("host charge 500: %v, used %d, %v; want ok, 503", out, used, err)
	}
	_, out, used, err = g.Call(ctx, mod.ExportedFunction("run"), 1000, time.Time{}, 5000)
	if out != FuelExhausted || !errors.Is(err, ErrFuelExhausted) || used != 5003 {
		t.Errorf("host charge 5000 of 1000: %v, used %d, %v; want fuel_exhausted, 5003", out, used, err)
	}
	if hostCalled != 2 {
		t.Errorf("host called %d times, want 2", hostCalled)
	}
}

func TestStrictChargesBySize(t *testing.T) {
	ctx := context.Background()
	r := testRuntime(t)
	if _, err := r.NewHostModuleBuilder("env").NewFunctionBuilder().
		WithFunc(func(uint32) {}).Export("host").Instantiate(ctx); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		model      CostModel
		fn         string
		arg        uint64
		wantUsed   int64
		wantResult uint64
	}{
		{Wasmtime, "grow", 2, 3, 1},
		{Strict, "grow", 2, 3 + 2*8192, 1},
		{Wasmtime, "fill", 4096, 5, 0},
		{Strict, "fill", 4096, 5 + 4096/8, 0},
	} {
		mod, g := gaugeFor(t, r, hostModule(), tc.model)
		res, out, used, err := g.Call(ctx, mod.ExportedFunction(tc.fn), MaxFuel, time.Time{}, tc.arg)
		if out != OK || used != tc.wantUsed || (len(res) > 0 && res[0] != tc.wantResult) {
			t.Errorf("%v %s(%d): %v %v used %d, %v; want used %d", tc.model, tc.fn, tc.arg, res, out, used, err, tc.wantUsed)
		}
	}
	// Strict stops an oversized memory.grow before it happens.
	mod, g := gaugeFor(t, r, hostModule(), Strict)
	mem := mod.ExportedMemory("memory")
	if _, out, _, _ := g.Call(ctx, mod.ExportedFunction("grow"), 10000, time.Time{}, 100); out != FuelExhausted {
		t.Errorf("grow 100 pages with 10000 fuel: %v, want fuel_exhausted", out)
	}
	if mem.Size() != 65536 {
		t.Errorf("memory grew to %d bytes although the charge failed", mem.Size())
	}
}

func TestDeadline(t *testing.T) {
	ctx := context.Background()
	r := testRuntime(t)
	block := make(chan struct{})
	defer close(block)
	if _, err := r.NewHostModuleBuilder("env").NewFunctionBuilder().
		WithFunc(func(ctx context.Context, n uint32) {
			select { // a host call that blocks until its context is done
			case <-ctx.Done():
			case <-block:
			case <-time.After(10 * time.Second):
			}
		}).Export("host").Instantiate(ctx); err != nil {
		t.Fatal(err)
	}
	spinMod, spinG := gaugeFor(t, r, loopModule(), Strict)
	fibMod, fibG := gaugeFor(t, r, fibModule(), Strict)
	hostMod, hostG := gaugeFor(t, r, hostModule(), Strict)
	for _, tc := range []struct {
		name string
		g    *Gauge
		fn   api.Function
		arg  uint64
	}{
		{"tight loop", spinG, spinMod.ExportedFunction("spin"), 1 << 62},
		{"call-only recursion", fibG, fibMod.ExportedFunction("fib"), 60},
		{"blocked host call", hostG, hostMod.ExportedFunction("run"), 1},
	} {
		const budget = 50 * time.Millisecond
		start := time.Now()
		_, out, used, err := tc.g.Call(ctx, tc.fn, MaxFuel, start.Add(budget), tc.arg)
		late := time.Since(start) - budget
		if out != DeadlineExceeded || !errors.Is(err, ErrDeadlineExceeded) {
			t.Errorf("%s: %v, %v; want deadline_exceeded", tc.name, out, err)
		}
		if late > 200*time.Millisecond {
			t.Errorf("%s: stopped %v after the deadline", tc.name, late)
		}
		if used <= 0 {
			t.Errorf("%s: used %d fuel", tc.name, used)
		}
		t.Logf("%s: stopped %v after the deadline, %d fuel used", tc.name, late, used)
		// The module still works after a deadline.
		if tc.name == "tight loop" {
			if res, out, _, err := tc.g.Call(ctx, tc.fn, MaxFuel, time.Now().Add(time.Second), 10); out != OK || res[0] != 0 {
				t.Errorf("after deadline: %v %v %v", res, out, err)
			}
		}
	}
	// A cancelled parent context stops the guest too.
	cctx, cancel := context.WithCancel(ctx)
	time.AfterFunc(20*time.Millisecond, cancel)
	if _, out, _, err := spinG.Call(cctx, spinMod.ExportedFunction("spin"), MaxFuel, time.Time{}, 1<<62); out != DeadlineExceeded || !errors.Is(err, context.Canceled) && !strings.Contains(err.Error(), "canceled") {
		t.Errorf("cancelled context: %v, %v", out, err)
	}
}

func TestNewGaugeRejectsPlainModule(t *testing.T) {
	r := testRuntime(t)
	mod := instantiate(t, r, fibModule())
	if _, err := NewGauge(mod); err == nil || !strings.Contains(err.Error(), FuelExport) {
		t.Errorf("NewGauge on an uninstrumented module: %v", err)
	}
	if _, err := Instrument(mustInstrument(t, fibModule(), Strict), Strict); err == nil || !strings.Contains(err.Error(), "already") {
		t.Errorf("instrumenting twice: %v", err)
	}
}

func TestMalformedInput(t *testing.T) {
	good := fibModule()
	cases := map[string][]byte{
		"empty":         nil,
		"bad magic":     []byte("\x00ASM\x01\x00\x00\x00"),
		"component":     []byte("\x00asm\x0d\x00\x01\x00"),
		"truncated":     good[:len(good)-3],
		"bad section":   append(append([]byte{}, good[:8]...), 0x42, 0x01, 0x00),
		"huge size":     append(append([]byte{}, good[:8]...), 0x01, 0xff, 0xff, 0xff, 0xff, 0x0f),
		"bad opcode":    testModule(nil, []fn{{body: []byte{0xff, 0x0b}}}, 0),
		"bad fc":        testModule(nil, []fn{{body: []byte{0xfc, 0x7f, 0x0b}}}, 0),
		"no end":        testModule(nil, []fn{{body: []byte{0x01}}}, 0),
		"deep branch":   testModule(nil, []fn{{body: []byte{0x0c, 5, 0x0b}}}, 0),
		"long leb":      testModule(nil, []fn{{body: []byte{0x41, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00, 0x0b}}}, 0),
		"else w/o if":   testModule(nil, []fn{{body: []byte{0x05, 0x0b}}}, 0),
		"bad global":    testModule(nil, []fn{{body: []byte{0x23, 0, 0x1a, 0x0b}}}, 0),
		"bad local":     testModule(nil, []fn{{body: []byte{0x20, 0, 0x1a, 0x0b}}}, 0),
		"trailing code": testModule(nil, []fn{{body: []byte{0x0b, 0x01}}}, 0),
	}
	for name, bin := range cases {
		_, err := Instrument(bin, Strict)
		var fe *FormatError
		if err == nil || !errors.As(err, &fe) {
			t.Errorf("%s: err = %v, want a *FormatError", name, err)
			continue
		}
		if fe.Section == "" || !strings.Contains(err.Error(), "offset 0x") {
			t.Errorf("%s: error %q does not name section and offset", name, err)
		}
	}
	var fe *FormatError
	if _, err := Instrument(testModule(nil, []fn{{body: []byte{0x01, 0xff, 0x0b}}}, 0), Strict); errors.As(err, &fe) {
		// header 8 + type 6 + func 4 + code: id,size,count,bodysize,locals,nop -> 0xff at 24
		if fe.Section != "code" || fe.Func != 0 || fe.Offset != 24 {
			t.Errorf("bad opcode located at %s/%d/%#x, want code/0/0x18: %v", fe.Section, fe.Func, fe.Offset, err)
		}
	} else {
		t.Errorf("bad opcode: %v", err)
	}
}

func TestCache(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "meter-cache")
	c, err := NewCache(dir)
	if err != nil {
		t.Fatal(err)
	}
	a, err := c.Instrument(fibModule(), Strict)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, entryName(sha256.Sum256(fibModule()), Strict, Extras{}))
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("no cache entry: %v", err)
	}
	direct := mustInstrument(t, fibModule(), Strict)
	if string(a) != string(direct) {
		t.Fatal("cached output differs from Instrument")
	}
	// A hit returns the stored bytes: prove it by planting a valid entry.
	planted := mustInstrument(t, loopModule(), Strict)
	if err := os.WriteFile(path, encodeEntry(planted), 0o644); err != nil {
		t.Fatal(err)
	}
	if b, _ := c.Instrument(fibModule(), Strict); string(b) != string(planted) {
		t.Error("cache hit did not return the stored entry")
	}
	// A corrupted entry is recomputed.
	if err := os.WriteFile(path, []byte("garbage that is long enough to hold a sha256 sum.."), 0o644); err != nil {
		t.Fatal(err)
	}
	if b, _ := c.Instrument(fibModule(), Strict); string(b) != string(direct) {
		t.Error("corrupted cache entry was not recomputed")
	}
	if Key(fibModule(), Strict) == Key(fibModule(), Wasmtime) || !strings.Contains(Key(fibModule(), Strict), "strict-v") {
		t.Errorf("keys: %s %s", Key(fibModule(), Strict), Key(fibModule(), Wasmtime))
	}
	if _, err := c.Instrument([]byte("nope"), Strict); err == nil {
		t.Error("cache instrumented garbage")
	}
}

// TestCacheLookup: Lookup finds what InstrumentWith stored, under the same
// extras, and nothing for a missing, corrupted or other entry; it never
// instruments.
func TestCacheLookup(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "meter-cache")
	c, err := NewCache(dir)
	if err != nil {
		t.Fatal(err)
	}
	x := Extras{Snapshots: true}
	if _, ok := c.Lookup(fibModule(), Strict, x); ok {
		t.Fatal("Lookup found an entry in an empty cache")
	}
	if _, ok := c.Lookup(fibModule(), Strict, x); ok {
		t.Fatal("Lookup stored an entry")
	}
	want, err := c.InstrumentWith(fibModule(), Strict, x)
	if err != nil {
		t.Fatal(err)
	}
	if got, ok := c.Lookup(fibModule(), Strict, x); !ok || string(got) != string(want) {
		t.Errorf("Lookup after InstrumentWith: ok %v, same bytes %v", ok, string(got) == string(want))
	}
	for _, tc := range []struct {
		what  string
		model CostModel
		x     Extras
	}{{"other extras", Strict, Extras{}}, {"other cost model", Wasmtime, x}, {"unknown cost model", CostModel(99), x}} {
		if _, ok := c.Lookup(fibModule(), tc.model, tc.x); ok {
			t.Errorf("Lookup with %s found an entry", tc.what)
		}
	}
	path := filepath.Join(dir, strings.TrimSuffix(Key(fibModule(), Strict), ".wasm")+"-snap.w2")
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("no entry where the test corrupts it: %v", err)
	}
	if err := os.WriteFile(path, []byte("garbage that is long enough to hold a sha256 sum.."), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, ok := c.Lookup(fibModule(), Strict, x); ok {
		t.Error("Lookup took a corrupted entry")
	}
}

// TestCacheEntryDamage: Open refuses an entry that is truncated, has a
// byte flipped anywhere (header or module), is extended, is of the first
// format (a SHA-256 and the module) or is empty, and InstrumentWith then
// recomputes and replaces it; an intact entry is found again.
func TestCacheEntryDamage(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "meter-cache")
	c, err := NewCache(dir)
	if err != nil {
		t.Fatal(err)
	}
	x := Extras{Snapshots: true}
	want, err := c.InstrumentWith(fibModule(), Strict, x)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(fibModule())
	path := filepath.Join(dir, entryName(sum, Strict, x))
	good, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	flip := func(i int) []byte {
		b := append([]byte(nil), good...)
		b[i] ^= 0x20
		return b
	}
	cases := map[string][]byte{
		"truncated":            good[:len(good)-1],
		"only the header":      good[:entryHeader],
		"half a header":        good[:entryHeader/2],
		"extended":             append(append([]byte(nil), good...), 0),
		"module byte flipped":  flip(len(good) - 2),
		"first byte of module": flip(entryHeader),
		"length flipped":       flip(len(entryMagic)),
		"checksum flipped":     flip(len(entryMagic) + 8),
		"magic flipped":        flip(0),
		"first format":         append(sha256Of(want), want...),
		"empty":                {},
	}
	for name, content := range cases {
		if err := os.WriteFile(path, content, 0o644); err != nil {
			t.Fatal(err)
		}
		if e, ok := c.Open(sum, Strict, x); ok {
			e.Close()
			t.Errorf("%s: Open took the entry", name)
		}
		if got, err := c.InstrumentWith(fibModule(), Strict, x); err != nil || string(got) != string(want) {
			t.Errorf("%s: InstrumentWith = %d bytes, %v; want the module recomputed", name, len(got), err)
		}
		e, ok := c.Open(sum, Strict, x)
		if !ok {
			t.Errorf("%s: the recomputed entry was not stored", name)
			continue
		}
		if string(e.Bytes()) != string(want) {
			t.Errorf("%s: the stored entry differs", name)
		}
		if e.Key() == sum || e.Key() == sha256.Sum256(want) {
			t.Errorf("%s: the entry's key is a plain module hash", name)
		}
		e.Close()
		e.Close() // a second Close does nothing
	}
}
