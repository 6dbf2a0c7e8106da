package compile

import (
	"context"
	"crypto/sha256"
	"sync"
	"testing"

	"github.com/tetratelabs/wazero"
)

// manyTypes is a module with n function types, (i32 x k) -> i32 for k in
// 0..n-1, one function of each, all exported: wazero compiles one entry
// preamble per type, so the window in which a module read from the file
// cache is published without them grows with n.
func manyTypes(n int) []byte {
	leb := func(b []byte, v int) []byte {
		for {
			c := byte(v & 0x7f)
			v >>= 7
			if v == 0 {
				return append(b, c)
			}
			b = append(b, c|0x80)
		}
	}
	section := func(b []byte, id byte, body []byte) []byte {
		return append(leb(append(b, id), len(body)), body...)
	}
	var types, funcs, exports, code []byte
	types, funcs, exports, code = leb(nil, n), leb(nil, n), leb(nil, n), leb(nil, n)
	for i := 0; i < n; i++ {
		types = leb(append(types, 0x60), i)
		for k := 0; k < i; k++ {
			types = append(types, 0x7f)
		}
		types = append(types, 1, 0x7f)
		funcs = leb(funcs, i)
		name := []byte{'f', byte('a' + i%26), byte('a' + i/26)}
		exports = append(leb(exports, len(name)), name...)
		exports = leb(append(exports, 0), i)
		body := []byte{0, 0x41} // no locals; i32.const i
		body = append(leb(body, i), 0x0b)
		code = append(leb(code, len(body)), body...)
	}
	m := []byte{0, 'a', 's', 'm', 1, 0, 0, 0}
	m = section(m, 1, types)
	m = section(m, 3, funcs)
	m = section(m, 7, exports)
	return section(m, 10, code)
}

// TestSharedFileCacheCompiles compiles one module in many runtimes at once,
// over a fresh compilation cache whose directory already holds it (the
// path of wazero issue 2547), and calls each runtime's function. Under
// the race detector it fails if Module lets two of those compilations
// overlap.
func TestSharedFileCacheCompiles(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	wasm := manyTypes(60)
	sum := sha256.Sum256(wasm)
	dir := t.TempDir()

	warm, err := wazero.NewCompilationCacheWithDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	r := wazero.NewRuntimeWithConfig(ctx, wazero.NewRuntimeConfigCompiler().WithCompilationCache(warm))
	if _, err := Module(ctx, r, wasm, sum); err != nil {
		t.Fatal(err)
	}
	r.Close(ctx)
	warm.Close(ctx)

	for round := 0; round < 8; round++ {
		cache, err := wazero.NewCompilationCacheWithDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		errs := make(chan error, 4)
		for w := 0; w < 4; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				r := wazero.NewRuntimeWithConfig(ctx, wazero.NewRuntimeConfigCompiler().WithCompilationCache(cache))
				defer r.Close(ctx)
				cm, err := Module(ctx, r, wasm, sum)
				if err != nil {
					errs <- err
					return
				}
				mod, err := r.InstantiateModule(ctx, cm, wazero.NewModuleConfig().WithName(""))
				if err != nil {
					errs <- err
					return
				}
				res, err := mod.ExportedFunction("fxb").Call(ctx, make([]uint64, 49)...)
				if err != nil {
					errs <- err
					return
				}
				if res[0] != 49 {
					t.Errorf("fxb returned %d, want 49", res[0])
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		cache.Close(ctx)
	}
}

// TestLocksAreDropped checks that the lock table does not keep an entry
// per module ever compiled.
func TestLocksAreDropped(t *testing.T) {
	var sums [3][32]byte
	for i := range sums {
		sums[i][0] = byte(i + 1)
		l := acquire(sums[i])
		release(sums[i], l)
	}
	locks.Lock()
	defer locks.Unlock()
	for _, s := range sums {
		if locks.m[s] != nil {
			t.Errorf("lock for %x kept after its last release", s[:2])
		}
	}
}
