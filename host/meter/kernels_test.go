package meter

import (
	"context"
	"crypto/sha256"
	"fmt"
	compilepkg "github.com/watchbox/watchbox/host/internal/compile"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
	"github.com/tetratelabs/wazero/imports/wasi_snapshot_preview1"
	"github.com/watchbox/watchbox/internal/buildgate"
)

// kernel is one CPU kernel export of a test module.
type kernel struct {
	lang       string // "go" or "c"
	export     string
	testArg    uint64 // small size for tests
	benchArg   uint64 // size for benchmarks (~10-50 ms unmetered)
	exhaustArg uint64 // size for the exact-exhaustion test
}

var kernels = []kernel{
	{"go", "fib", 15, 27, 10},
	{"go", "sha256", 3, 200, 1},
	{"go", "crc32", 3, 2000, 1},
	{"go", "sort", 2000, 200000, 200},
	{"go", "json", 2, 300, 1},
	{"go", "mandelbrot", 20, 300, 8},
	{"go", "nbody", 100, 300000, 20},
	{"go", "maps", 1000, 200000, 100},
	{"go", "strings", 20, 5000, 3},
	{"go", "loop", 1000, 20000000, 100},
	{"c", "fib", 15, 30, 10},
	{"c", "sha256", 3, 300, 1},
	{"c", "crc32", 3, 3000, 1},
	{"c", "sort", 2000, 300000, 200},
	{"c", "json", 2, 2000, 1},
	{"c", "mandelbrot", 20, 400, 8},
	{"c", "nbody", 100, 1000000, 20},
	{"c", "matmul", 1, 40, 1},
	{"c", "sieve", 10000, 3000000, 1000},
	{"c", "memops", 2, 500, 1},
	{"c", "loop", 1000, 20000000, 100},
}

func (k kernel) String() string { return k.lang + "/" + k.export }

var tmpRoot string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "watchbox-meter-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	tmpRoot = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// goKernels builds testdata/kernels/go once per test binary.
var goKernels = sync.OnceValues(func() ([]byte, error) {
	out := filepath.Join(tmpRoot, "kernels-go.wasm")
	cmd := exec.Command("go", "build", "-buildmode=c-shared", "-o", out, ".")
	cmd.Dir = filepath.Join("testdata", "kernels", "go")
	cmd.Env = append(os.Environ(), "GOOS=wasip1", "GOARCH=wasm")
	// Take turns with the other test binaries' first wasip1 builds, so
	// that a cold Go cache compiles the standard library once.
	end, err := buildgate.First(context.Background())
	if err != nil {
		return nil, err
	}
	b, err := cmd.CombinedOutput()
	end(err == nil)
	if err != nil {
		return nil, fmt.Errorf("building Go kernels: %v\n%s", err, b)
	}
	return os.ReadFile(out)
})

func kernelModule(t testing.TB, lang string) []byte {
	t.Helper()
	switch lang {
	case "go":
		b, err := goKernels()
		if err != nil {
			t.Fatal(err)
		}
		return b
	case "c":
		b, err := os.ReadFile(filepath.Join("testdata", "kernels", "c", "kernels.wasm"))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	t.Fatalf("unknown kernel language %q", lang)
	return nil
}

// runtimeCache is the compilation cache of every testRuntime: one cache
// object, so that the runtimes share its engine and a module compiled for
// one test (the Go kernels take seconds) is not compiled, or read back from
// disk, again for the next.
var runtimeCache = sync.OnceValues(func() (wazero.CompilationCache, error) {
	return wazero.NewCompilationCacheWithDir(filepath.Join(os.TempDir(), "watchbox-test-wazero-cache"))
})

// testRuntime returns a wazero runtime with WASI, the meter's host module
// and the shared on-disk compilation cache.
func testRuntime(t testing.TB) wazero.Runtime {
	t.Helper()
	ctx := context.Background()
	cache, err := runtimeCache()
	if err != nil {
		t.Fatal(err)
	}
	r := wazero.NewRuntimeWithConfig(ctx, wazero.NewRuntimeConfig().WithCompilationCache(cache))
	wasi_snapshot_preview1.MustInstantiate(ctx, r)
	if err := NewHostModule(ctx, r); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		compiledIn.Delete(r)
		r.Close(ctx)
	})
	return r
}

// compiledIn holds, for each runtime, the modules compiled in it, by the
// SHA-256 of their bytes (wazero.Runtime -> *sync.Map of [32]byte ->
// *compiledOnce). wazero's CompileModule decodes and validates the module on
// every call, even when its engine already has the machine code, and the
// kernel tests instantiate the Go kernels' module, fresh, hundreds of times:
// that decoding was two thirds of TestKernels' CPU with a warm compilation
// cache. Every instance is still a fresh one.
var compiledIn sync.Map

// compiledOnce is one module's compilation in one runtime.
type compiledOnce struct {
	once sync.Once
	cm   wazero.CompiledModule
	err  error
}

// compile is r.CompileModule(bin), once per runtime and module content. The
// test runtimes share one compilation cache, so it goes through
// compilepkg.Module (see there for the wazero race it avoids).
func compile(r wazero.Runtime, bin []byte) (wazero.CompiledModule, error) {
	v, _ := compiledIn.LoadOrStore(r, new(sync.Map))
	sum := sha256.Sum256(bin)
	e, _ := v.(*sync.Map).LoadOrStore(sum, new(compiledOnce))
	c := e.(*compiledOnce)
	c.once.Do(func() { c.cm, c.err = compilepkg.Module(context.Background(), r, bin, sum) })
	return c.cm, c.err
}

var modSeq int
var modSeqMu sync.Mutex

// instantiate compiles (once per runtime, see compile) and instantiates
// bin as a reactor: a fresh instance at every call.
func instantiate(t testing.TB, r wazero.Runtime, bin []byte) api.Module {
	t.Helper()
	ctx := context.Background()
	cm, err := compile(r, bin)
	if err != nil {
		t.Fatal(err)
	}
	modSeqMu.Lock()
	modSeq++
	name := fmt.Sprintf("m%d", modSeq)
	modSeqMu.Unlock()
	cfg := wazero.NewModuleConfig().WithName(name).WithStartFunctions()
	if _, ok := cm.ExportedFunctions()["_initialize"]; ok {
		cfg = cfg.WithStartFunctions("_initialize")
	}
	m, err := r.InstantiateModule(ctx, cm, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return m
}
