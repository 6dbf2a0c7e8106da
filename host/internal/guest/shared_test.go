package guest

import (
	"context"
	_ "embed"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/tetratelabs/wazero"
	"github.com/watchbox/watchbox/abi"
	"github.com/watchbox/watchbox/host/internal/clock"
	"github.com/watchbox/watchbox/host/meter"
	"github.com/watchbox/watchbox/host/profile"
)

// callerWasm is testdata/caller.wat: watchbox_event(kind, _) makes one
// request with op = kind.
//
//go:embed testdata/caller.wasm
var callerWasm []byte

// recorder is a Handler that records the ops it is asked for.
type recorder struct {
	mu  sync.Mutex
	ops []abi.Op
}

func (r *recorder) Request(op abi.Op, _ []byte) ([]byte, abi.Status, string) {
	r.mu.Lock()
	r.ops = append(r.ops, op)
	r.mu.Unlock()
	return nil, abi.StatusOK, ""
}

func (r *recorder) count(op abi.Op) (n int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, o := range r.ops {
		if o == op {
			n++
		}
	}
	return n
}

func metered(tb testing.TB, wasm []byte) []byte {
	tb.Helper()
	out, err := meter.Instrument(wasm, meter.Strict)
	if err != nil {
		tb.Fatal(err)
	}
	return out
}

// load compiles wasm and swaps it in, as the host's load does.
func load(ctx context.Context, g *Guest, wasm []byte) error {
	cm, err := g.Modules().Prepare(ctx, wasm)
	if err != nil {
		return err
	}
	g.Swap(ctx, cm)
	g.Snapshots().ReadModule(wasm)
	return nil
}

// newShared returns a Guest of wasm with pages of memory, in the shared
// runtime of cache, serving h, compiled.
func newShared(tb testing.TB, cache wazero.CompilationCache, pages uint32, h Handler, wasm []byte) *Guest {
	tb.Helper()
	ctx := context.Background()
	clk := clock.NewVirtual(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	prof := profile.Default()
	g, err := New(ctx, Config{ID: "dev.watchbox.test.caller", Log: zerolog.Nop(), Cache: cache, MemoryPages: pages,
		Seed: 1, Virtual: true, Clock: clk, Sched: clock.New(clk), Profile: func() *profile.Profile { return &prof }, Handler: h})
	if err != nil {
		tb.Fatal(err)
	}
	if err := load(ctx, g, wasm); err != nil {
		tb.Fatal(err)
	}
	return g
}

func mustCall(t *testing.T, g *Guest, op abi.Op) {
	t.Helper()
	if res := callOf(g, context.Background(), abi.EventKind(op), nil, time.Second); res.Crash != nil {
		t.Fatalf("call %d: %v", op, res.Crash)
	}
}

// TestSharedRuntime: apps of one memory limit share a wazero runtime and,
// for the same module, its compiled code; each app's host functions
// still serve that app alone, and killing, swapping or closing one app
// leaves the others running.
func TestSharedRuntime(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cache := wazero.NewCompilationCache() // a registry key of this test's own
	defer cache.Close(ctx)
	wasm := metered(t, callerWasm)
	var ha, hb, hc recorder
	a := newShared(t, cache, 16, &ha, wasm)
	b := newShared(t, cache, 16, &hb, wasm)
	c := newShared(t, cache, 32, &hc, wasm)
	defer c.Close(ctx)
	if a.rt != b.rt || a.compiled.code != b.compiled.code {
		t.Fatal("two apps of one memory limit and one module do not share the runtime and the compiled code")
	}
	if c.rt == a.rt {
		t.Fatal("apps of different memory limits share a runtime")
	}
	for _, g := range []*Guest{a, b, c} {
		if err := g.Instantiate(ctx, 0, time.Second); err != nil {
			t.Fatal(err)
		}
	}
	mustCall(t, a, 7)
	mustCall(t, b, 9)
	if ha.count(7) != 1 || hb.count(7) != 0 || hb.count(9) != 1 || ha.count(9) != 0 || len(hc.ops) != 0 {
		t.Fatalf("requests reached the wrong app: a %v, b %v, c %v", ha.ops, hb.ops, hc.ops)
	}

	// Calls of both apps at once, each to its own handler.
	var wg sync.WaitGroup
	for _, g := range []*Guest{a, b} {
		wg.Go(func() {
			for range 200 {
				if res := callOf(g, ctx, 11, nil, time.Second); res.Crash != nil {
					t.Error(res.Crash)
					return
				}
			}
		})
	}
	wg.Wait()
	if ha.count(11) != 200 || hb.count(11) != 200 {
		t.Fatalf("concurrent calls: a served %d, b %d, want 200 each", ha.count(11), hb.count(11))
	}

	// Killing a closes its instance, not b's.
	a.Kill(ctx)
	mustCall(t, b, 12)
	if err := a.Instantiate(ctx, 1, time.Second); err != nil {
		t.Fatal(err)
	}
	mustCall(t, a, 13)

	// A hot reload of b to the same bytes shares the code; to another
	// module, b runs it and a keeps its own.
	same, err := b.Modules().Prepare(ctx, wasm)
	if err != nil {
		t.Fatal(err)
	}
	if same.code != a.compiled.code {
		t.Fatal("a prepared module of the same bytes was compiled again")
	}
	b.Swap(ctx, same)
	other, err := b.Modules().Prepare(ctx, metered(t, bombWasm))
	if err != nil {
		t.Fatal(err)
	}
	b.Swap(ctx, other)
	if err := b.Instantiate(ctx, 2, time.Second); err != nil {
		t.Fatal(err)
	}
	if res := callOf(b, ctx, 1, nil, time.Second); res.Crash != nil { // the bomb, to 16 pages
		t.Fatal(res.Crash)
	}
	mustCall(t, a, 14)
	if n := a.compiled.code.refs; n != 1 {
		t.Fatalf("the caller module has %d holds after b swapped it out, want 1 (a's)", n)
	}

	// Closing a leaves b running; closing b closes the runtime.
	if err := a.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if res := callOf(b, ctx, 1, nil, time.Second); res.Crash != nil {
		t.Fatal(res.Crash)
	}
	key := b.rt.key
	if err := b.Close(ctx); err != nil {
		t.Fatal(err)
	}
	shared.Lock()
	left := shared.m[key]
	shared.Unlock()
	if left != nil {
		t.Fatal("the shared runtime stayed open after its last app closed")
	}
}

// TestWarmSharesWithPrepareKeyed: a module Warm compiled is the one a
// later Guest's PrepareKeyed of the same key gets (no second
// compilation), it runs, and done leaves the Guest's hold working; a key
// Warm did not see compiles anew.
func TestWarmSharesWithPrepareKeyed(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cache := wazero.NewCompilationCache()
	defer cache.Close(ctx)
	wasm := metered(t, callerWasm)
	key := [32]byte{1, 2, 3}
	const pages = 19 // a limit no other test uses: a runtime of its own
	done, err := Warm(ctx, Config{Cache: cache, MemoryPages: pages}, wasm, key)
	if err != nil {
		t.Fatal(err)
	}
	shared.Lock()
	rt := shared.m[runtimeKey{cache: cache, pages: pages}]
	shared.Unlock()
	if rt == nil || len(rt.modules) != 1 || rt.modules[key] == nil {
		t.Fatalf("Warm left no compiled module under its key in the shared runtime")
	}
	warmed := rt.modules[key]

	rec := &recorder{}
	clk := clock.NewVirtual(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	prof := profile.Default()
	g, err := New(ctx, Config{ID: "dev.watchbox.test.caller", Log: zerolog.Nop(), Cache: cache, MemoryPages: pages,
		Seed: 1, Virtual: true, Clock: clk, Sched: clock.New(clk), Profile: func() *profile.Profile { return &prof }, Handler: rec})
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close(ctx)
	cm, err := g.Modules().PrepareKeyed(ctx, wasm, key)
	if err != nil {
		t.Fatal(err)
	}
	if g.rt != rt || cm.code != warmed {
		t.Fatal("PrepareKeyed compiled again instead of taking Warm's module")
	}
	g.Swap(ctx, cm)
	done()
	if err := g.Instantiate(ctx, 0, time.Second); err != nil {
		t.Fatal(err)
	}
	mustCall(t, g, 7)
	if rec.count(7) != 1 {
		t.Errorf("the guest made %d requests of op 7, want 1", rec.count(7))
	}
	other, err := g.Modules().PrepareKeyed(ctx, wasm, [32]byte{9})
	if err != nil {
		t.Fatal(err)
	}
	if other.code == warmed {
		t.Error("another key took Warm's module")
	}
	other.Close(ctx)

	// A Guest with a runtime of its own: Warm does nothing.
	done, err = Warm(ctx, Config{Cache: cache, MemoryPages: pages + 1, Reuse: true}, wasm, key)
	if err != nil {
		t.Fatal(err)
	}
	shared.Lock()
	none := shared.m[runtimeKey{cache: cache, pages: pages + 1}]
	shared.Unlock()
	if none != nil {
		t.Error("Warm made a shared runtime for a Config with Reuse")
	}
	done()
}

// callOf is g.Call returning its Result, for tests.
func callOf(g *Guest, ctx context.Context, kind abi.EventKind, fields []byte, budget time.Duration) Result {
	var res Result
	g.Call(ctx, kind, fields, budget, &res)
	return res
}
