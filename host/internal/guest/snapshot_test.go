package guest

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/tetratelabs/wazero"
	"github.com/watchbox/watchbox/abi"
	"github.com/watchbox/watchbox/host/bundle"
	"github.com/watchbox/watchbox/host/internal/clock"
	"github.com/watchbox/watchbox/host/meter"
	"github.com/watchbox/watchbox/host/profile"
)

// testCache is shared by every test binary, as the host's tests do.
var testCache = filepath.Join(os.TempDir(), "watchbox-test-cache")

// fuzzWasm builds the test app in tests/apps/NAME and instruments it for
// fuzzing (metering, coverage and snapshot exports).
func fuzzWasm(name string) ([]byte, error) {
	b, err := bundle.Open("../../../tests/apps/" + name)
	if err != nil {
		return nil, err
	}
	wasm, _, err := b.Wasm(context.Background(), bundle.BuildOptions{CacheDir: filepath.Join(testCache, "build")})
	if err != nil {
		return nil, err
	}
	return meter.InstrumentWith(wasm, meter.Strict, meter.Extras{Coverage: true, Snapshots: true})
}

// benchWasm and fileleakWasm are tests/apps/bench and fileleak, built
// once per test binary.
var (
	benchWasm    = sync.OnceValues(func() ([]byte, error) { return fuzzWasm("bench") })
	fileleakWasm = sync.OnceValues(func() ([]byte, error) { return fuzzWasm("fileleak") })
)

// compileCache is the on-disk cache the host's tests use too.
var compileCache = sync.OnceValue(func() wazero.CompilationCache {
	c, err := wazero.NewCompilationCacheWithDir(filepath.Join(testCache, "wazero"))
	if err != nil {
		return wazero.NewCompilationCache()
	}
	return c
})

type nopHandler struct{}

func (nopHandler) Request(abi.Op, []byte) ([]byte, abi.Status, string) { return nil, abi.StatusOK, "" }

// newTestGuest returns a compiled Guest of the bench app on a virtual clock.
func newTestGuest(tb testing.TB, reuse bool) *Guest {
	tb.Helper()
	return newAppGuest(tb, benchWasm, reuse, zerolog.Nop())
}

// newAppGuest returns a compiled Guest of the module app returns on a
// virtual clock, logging to log.
func newAppGuest(tb testing.TB, app func() ([]byte, error), reuse bool, log zerolog.Logger) *Guest {
	tb.Helper()
	wasm, err := app()
	if err != nil {
		tb.Fatal(err)
	}
	ctx := context.Background()
	clk := clock.NewVirtual(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	prof := profile.Default()
	g, err := New(ctx, Config{ID: "dev.watchbox.test.bench", Log: log, Cache: compileCache(), MemoryPages: 1024,
		Seed: 1, Virtual: true, Clock: clk, Sched: clock.New(clk), Profile: func() *profile.Profile { return &prof },
		Handler: nopHandler{}, Coverage: true, Reuse: reuse})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { g.Close(ctx) })
	if err := load(ctx, g, wasm); err != nil {
		tb.Fatal(err)
	}
	return g
}

func payload(n byte) []byte {
	var w abi.Writer
	w.Blob(abi.FieldPayload, bytes.Repeat([]byte{n}, 92))
	return w.Bytes()
}

// state is the instance's memory and exported globals, as bytes.
func state(g *Guest) (mem []byte, globals []uint64) {
	m := g.Module().Memory()
	view, _ := m.Read(0, m.Size())
	for _, name := range g.snaps.globals {
		globals = append(globals, g.Module().ExportedGlobal(name).Get())
	}
	return bytes.Clone(view), globals
}

// TestRestoreIsExact: after a run and a restore, memory and globals are
// byte-identical to the snapshot taken after _initialize; a killed
// instance comes back restored, not instantiated again.
func TestRestoreIsExact(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	g := newTestGuest(t, true)
	if err := g.Instantiate(ctx, 1, time.Second); err != nil {
		t.Fatal(err)
	}
	if len(g.snaps.globals) == 0 || g.snaps.snap == nil {
		t.Fatalf("no snapshot taken (globals %v)", g.snaps.globals)
	}
	mem0, glob0 := state(g)
	for i := byte(1); i < 4; i++ {
		if res := callOf(g, ctx, abi.EventPhoneMessage, payload(i), time.Second); res.Crash != nil {
			t.Fatal(res.Crash)
		}
	}
	mem1, glob1 := state(g)
	if bytes.Equal(mem0, mem1) && slicesEqual(glob0, glob1) {
		t.Fatal("the calls changed neither memory nor globals: the test proves nothing")
	}
	pages, err := g.Snapshots().Restore()
	if err != nil {
		t.Fatal(err)
	}
	mem2, glob2 := state(g)
	if !bytes.Equal(mem0, mem2) || !slicesEqual(glob0, glob2) {
		t.Fatalf("restore is not exact (%d pages copied): globals %v, want %v", pages, glob2, glob0)
	}
	t.Logf("memory %d pages, %d copied back", len(mem0)/pageSize, pages)
	if pages == 0 || pages*pageSize >= len(mem0) {
		t.Errorf("%d of %d pages copied: want only the written ones", pages, len(mem0)/pageSize)
	}

	// Kill parks the instance; Instantiate restores it.
	callOf(g, ctx, abi.EventPhoneMessage, payload(9), time.Second)
	g.Kill(ctx)
	if err := g.Instantiate(ctx, 2, time.Second); err != nil {
		t.Fatal(err)
	}
	if g.Snapshots().Restores() != 1 {
		t.Fatalf("%d restores, want 1", g.Snapshots().Restores())
	}
	mem3, glob3 := state(g)
	if !bytes.Equal(mem0, mem3) || !slicesEqual(glob0, glob3) {
		t.Fatal("the restored instance differs from the snapshot")
	}
}

// TestRestoreRunsAlike: the same call on a restored instance uses the
// same fuel and fills the same coverage map as on a new instance.
func TestRestoreRunsAlike(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	run := func(g *Guest) (int64, []byte) {
		g.Coverage().Reset()
		res := callOf(g, ctx, abi.EventPhoneMessage, payload(7), time.Second)
		if res.Crash != nil {
			t.Fatal(res.Crash)
		}
		return res.Fuel, bytes.Clone(g.Coverage().Map())
	}
	fresh := newTestGuest(t, false)
	if err := fresh.Instantiate(ctx, 1, time.Second); err != nil {
		t.Fatal(err)
	}
	f0, m0 := run(fresh)
	reused := newTestGuest(t, true)
	for i := 0; i < 3; i++ {
		if err := reused.Instantiate(ctx, 1, time.Second); err != nil {
			t.Fatal(err)
		}
		f, m := run(reused)
		if f != f0 || !bytes.Equal(m, m0) {
			t.Fatalf("run %d: fuel %d, want %d; same map: %v", i, f, f0, bytes.Equal(m, m0))
		}
		reused.Kill(ctx)
	}
	if reused.Snapshots().Restores() != 2 {
		t.Errorf("%d restores, want 2", reused.Snapshots().Restores())
	}
}

func slicesEqual(a, b []uint64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
