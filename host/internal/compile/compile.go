// Package compile compiles Wasm modules in wazero runtimes that share a
// compilation cache, working around a wazero race.
//
// wazero v1.12.0 publishes a module it reads from a file compilation cache
// in the cache's in-memory table before it has compiled the module's entry
// preambles (internal/engine/wazevo/engine_cache.go, getCompiledModule;
// wazero issue 2547, open at the time of writing). A second runtime that
// compiles the same module at that moment gets the half-made module from
// memory, and calling one of its functions reads the preambles while the
// first runtime writes them: a data race, and at worst an index out of
// range panic in moduleEngine.NewFunction. Module holds one lock per
// module content across the whole CompileModule call, so the second
// compilation starts only once the first has returned.
package compile

import (
	"context"
	"sync"

	"github.com/tetratelabs/wazero"
)

// locks holds one lock per module content being compiled.
var locks struct {
	sync.Mutex
	m map[[32]byte]*keyLock
}

type keyLock struct {
	sync.Mutex
	waiters int // compilations holding or waiting on it; under locks.Mutex
}

// Module is r.CompileModule(ctx, wasm), never at the same time as another
// Module call for the same sum. sum identifies wasm's bytes: their SHA-256,
// or a key that stands for them as surely. Modules of other content compile
// in parallel.
func Module(ctx context.Context, r wazero.Runtime, wasm []byte, sum [32]byte) (wazero.CompiledModule, error) {
	l := acquire(sum)
	defer release(sum, l)
	return r.CompileModule(ctx, wasm)
}

func acquire(sum [32]byte) *keyLock {
	locks.Lock()
	if locks.m == nil {
		locks.m = map[[32]byte]*keyLock{}
	}
	l := locks.m[sum]
	if l == nil {
		l = new(keyLock)
		locks.m[sum] = l
	}
	l.waiters++
	locks.Unlock()
	l.Lock()
	return l
}

func release(sum [32]byte, l *keyLock) {
	l.Unlock()
	locks.Lock()
	l.waiters--
	if l.waiters == 0 {
		delete(locks.m, sum)
	}
	locks.Unlock()
}
