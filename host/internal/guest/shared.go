package guest

import (
	"context"
	"fmt"
	"sync"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
	"github.com/tetratelabs/wazero/imports/wasi_snapshot_preview1"
	"github.com/watchbox/watchbox/abi"
	"github.com/watchbox/watchbox/host/internal/compile"
	"github.com/watchbox/watchbox/host/meter"
)

// A wasmRuntime is a wazero runtime with the host modules, shared by the
// Guests of one memory limit and one compilation cache, with the modules
// compiled in it shared by content. Apps that load the same module hold
// one decoded, compiled module (wazero keeps a module's function bodies
// and data segments decoded as long as it is open: 10 MiB for a Go app),
// and each instance is its own: its memory, its globals, its WASI state.
//
// The watchbox host functions find their Guest from the calling module
// (guests). A Guest with a coverage map or that keeps instances across
// host runtimes (Config.Coverage, Config.Reuse) has a runtime of its own:
// the coverage module is one per runtime, and a kept Guest outlives the
// host runtime that made it.
type wasmRuntime struct {
	shared  bool // one of shared.m's, under key
	key     runtimeKey
	wr      wazero.Runtime
	refs    int                      // Guests using it; under shared.Mutex for a shared one
	guests  sync.Map                 // api.Module (a live or parked instance) -> *Guest
	mu      sync.Mutex               // guards modules
	modules map[[32]byte]*sharedCode // by the module's key (compile)
}

// runtimeKey is what Guests must have in common to share a runtime.
type runtimeKey struct {
	cache wazero.CompilationCache
	pages uint32
}

// shared holds the shared runtimes.
var shared struct {
	sync.Mutex
	m map[runtimeKey]*wasmRuntime
}

// acquireRuntime returns the runtime g runs in: the shared one of its
// memory limit and cache, made if needed, or a private one.
func acquireRuntime(ctx context.Context, g *Guest) (*wasmRuntime, error) {
	cfg := g.cfg
	if cfg.Coverage || cfg.Reuse {
		return newRuntime(ctx, cfg, runtimeKey{}, func(api.Module) *Guest { return g })
	}
	key := runtimeKey{cache: cfg.Cache, pages: cfg.MemoryPages}
	shared.Lock()
	defer shared.Unlock()
	if rt := shared.m[key]; rt != nil {
		rt.refs++
		return rt, nil
	}
	var rt *wasmRuntime
	rt, err := newRuntime(ctx, cfg, key, func(mod api.Module) *Guest {
		if g, ok := rt.guests.Load(mod); ok {
			return g.(*Guest)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if shared.m == nil {
		shared.m = map[runtimeKey]*wasmRuntime{}
	}
	rt.shared = true
	shared.m[key] = rt
	return rt, nil
}

// Warm compiles wasm, under key (see Modules.PrepareKeyed), into the shared
// runtime that a Guest of cfg will run in, ahead of that Guest: a Guest
// made later whose PrepareKeyed passes the same key takes that compiled
// module (waiting for it if it is still compiling) instead of compiling
// again. So the apps of a run can be compiled on several cores at once
// while they are still loaded one after the other, in order. done gives
// the runtime and the module back; call it once the Guests are made. A
// cfg with a runtime of its own (Coverage, Reuse) has nothing to share:
// Warm does nothing. wasm is not kept once Warm returns.
func Warm(ctx context.Context, cfg Config, wasm []byte, key [32]byte) (done func(), err error) {
	if cfg.Coverage || cfg.Reuse {
		return func() {}, nil
	}
	rt, err := acquireRuntime(ctx, &Guest{cfg: cfg})
	if err != nil {
		return nil, err
	}
	m, err := rt.compile(ctx, wasm, key)
	if err != nil {
		rt.release(ctx)
		return nil, err
	}
	return func() {
		m.Close(ctx)
		rt.release(ctx)
	}, nil
}

// newRuntime builds a wazero runtime: memory capped at cfg.MemoryPages,
// the compilation cache, WASI, the meter's refuel function and the
// watchbox host module, whose functions serve the Guest guestOf returns
// for the calling module.
func newRuntime(ctx context.Context, cfg Config, key runtimeKey, guestOf func(api.Module) *Guest) (*wasmRuntime, error) {
	rcfg := wazero.NewRuntimeConfig().
		WithCompilationCache(cfg.Cache).
		WithMemoryLimitPages(cfg.MemoryPages)
	wr := wazero.NewRuntimeWithConfig(ctx, rcfg)
	if _, err := wasi_snapshot_preview1.Instantiate(ctx, wr); err != nil {
		wr.Close(ctx)
		return nil, fmt.Errorf("host: WASI: %w", err)
	}
	// The instrumented module imports the meter's refuel function: metered
	// guests return to Go every meter.Slice units of fuel, so a spinning
	// guest cannot hold up a GC (and every other app) until its fuel runs out.
	if err := meter.NewHostModule(ctx, wr); err != nil {
		wr.Close(ctx)
		return nil, fmt.Errorf("host: %w", err)
	}
	b := wr.NewHostModuleBuilder(abi.ImportModule)
	i32 := api.ValueTypeI32
	fn := func(name string, f func(*Guest, context.Context, api.Module, []uint64), params ...api.ValueType) {
		call := func(ctx context.Context, mod api.Module, stack []uint64) {
			g := guestOf(mod)
			if g == nil { // not an instance of this runtime's Guests: cannot happen
				fail(stack, abi.StatusNoEvent)
				return
			}
			countHostCall(g, ctx)
			f(g, ctx, mod, stack)
		}
		b.NewFunctionBuilder().WithGoModuleFunction(api.GoModuleFunc(call), params, []api.ValueType{i32}).Export(name)
	}
	fn(abi.FuncEventRead, hostEventRead, i32, i32)
	fn(abi.FuncEventReply, hostEventReply, i32, i32)
	fn(abi.FuncLog, hostLog, i32, i32, i32)
	fn(abi.FuncRequest, hostRequest, i32, i32, i32)
	fn(abi.FuncResultRead, hostResultRead, i32, i32)
	if _, err := b.Instantiate(ctx); err != nil {
		wr.Close(ctx)
		return nil, fmt.Errorf("host: watchbox host module: %w", err)
	}
	return &wasmRuntime{key: key, wr: wr, refs: 1, modules: map[[32]byte]*sharedCode{}}, nil
}

// release gives back a Guest's hold on the runtime, and closes it with the
// last one.
func (rt *wasmRuntime) release(ctx context.Context) error {
	if !rt.shared {
		return rt.wr.Close(ctx)
	}
	shared.Lock()
	rt.refs--
	last := rt.refs == 0
	if last {
		delete(shared.m, rt.key)
	}
	shared.Unlock()
	if last {
		return rt.wr.Close(ctx)
	}
	return nil
}

// sharedCode is one compiled module of a runtime and how many Modules
// hold it.
type sharedCode struct {
	ready chan struct{} // closed once compiled
	cm    wazero.CompiledModule
	err   error
	refs  int // under the runtime's mu
	sum   [32]byte
}

// Module is a compiled module as a Guest's Modules hand it out (Prepare):
// one hold on code that other apps of the same module may share. Close
// gives the hold back; the code closes with the last hold.
type Module struct {
	wazero.CompiledModule
	rt     *wasmRuntime
	code   *sharedCode
	closed bool
}

// compile returns a hold on wasm compiled in rt: the module already
// compiled there if one has the same key, else a new compilation. key
// identifies wasm's bytes: their SHA-256, or a key the caller holds
// that stands for them as surely (see Modules.PrepareKeyed). The error is
// wazero's.
func (rt *wasmRuntime) compile(ctx context.Context, wasm []byte, sum [32]byte) (*Module, error) {
	rt.mu.Lock()
	code := rt.modules[sum]
	if code != nil {
		code.refs++
		rt.mu.Unlock()
		<-code.ready
		if code.err != nil {
			rt.drop(code)
			return nil, code.err
		}
		return &Module{CompiledModule: code.cm, rt: rt, code: code}, nil
	}
	code = &sharedCode{ready: make(chan struct{}), refs: 1, sum: sum}
	rt.modules[sum] = code
	rt.mu.Unlock()
	code.cm, code.err = compile.Module(ctx, rt.wr, wasm, sum)
	close(code.ready)
	if code.err != nil {
		rt.drop(code)
		return nil, code.err
	}
	return &Module{CompiledModule: code.cm, rt: rt, code: code}, nil
}

// drop gives back one hold on code, and closes it with the last.
func (rt *wasmRuntime) drop(code *sharedCode) {
	rt.mu.Lock()
	code.refs--
	last := code.refs == 0
	if last && rt.modules[code.sum] == code {
		delete(rt.modules, code.sum)
	}
	rt.mu.Unlock()
	if last && code.cm != nil {
		code.cm.Close(context.Background())
	}
}

// Close gives back the hold on the compiled code; the code closes with the
// last hold. A second Close does nothing.
func (m *Module) Close(context.Context) error {
	if m.closed {
		return nil
	}
	m.closed = true
	m.rt.drop(m.code)
	return nil
}
