// Command wazerofloor measures, in a new process, what wazero's
// CompileModule costs on a hit of its on-disk compilation cache, the
// floor under a watchbox launch from a new process (issue 10, part 3;
// docs/performance.md, "Cold launch"). It compiles one module three ways,
// each timed in process CPU (user and system) and wall time:
//
//   - hit: a new runtime with the on-disk cache, as a watchbox process
//     does: decode, validate, hash, then read the machine code file and
//     check its CRC-32C;
//   - again: a second runtime sharing that cache object, whose engine
//     now holds the machine code in memory: decode, validate and hash
//     only (on a heap the first compile already faulted in, so a lower
//     bound);
//   - sha256: the SHA-256 of the module alone, which wazero computes for
//     its module ID on every compile.
//
// The module is a file holding a WebAssembly module, or a watchbox meter
// cache entry (.w2), whose header is skipped. Warm the cache first (run it
// once).
//
//	go run ./internal/launchtime/wazerofloor -cache C/wazero C/meter/<entry>.w2
package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/imports/wasi_snapshot_preview1"
	"github.com/watchbox/watchbox/host/meter"
	"github.com/watchbox/watchbox/internal/cputime"
)

func main() {
	cacheDir := flag.String("cache", "", "wazero compilation cache directory (watchbox's CACHE/wazero)")
	flag.Parse()
	if flag.NArg() != 1 || *cacheDir == "" {
		fmt.Fprintln(os.Stderr, "usage: wazerofloor -cache DIR MODULE")
		os.Exit(2)
	}
	wasm, err := os.ReadFile(flag.Arg(0))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if i := bytes.Index(wasm, []byte("\x00asm")); i > 0 && i <= 64 {
		wasm = wasm[i:] // a meter cache entry: the module follows its header
	}
	ctx := context.Background()
	cache, err := wazero.NewCompilationCacheWithDir(*cacheDir)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	compile := func() {
		rt := wazero.NewRuntimeWithConfig(ctx, wazero.NewRuntimeConfig().WithCompilationCache(cache))
		wasi_snapshot_preview1.MustInstantiate(ctx, rt)
		if err := meter.NewHostModule(ctx, rt); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		if _, err := rt.CompileModule(ctx, wasm); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	}
	measure := func(name string, f func()) {
		c0, t0 := cputime.Process(), time.Now()
		f()
		fmt.Printf("%-7s cpu %6.1f ms  wall %6.1f ms\n", name, float64(cputime.Process()-c0)/1e6, float64(time.Since(t0))/1e6)
	}
	fmt.Printf("module %d bytes\n", len(wasm))
	measure("hit", compile)
	measure("again", compile)
	measure("sha256", func() { sha256.Sum256(wasm) })
}
