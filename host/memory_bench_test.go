//go:build linux

package host

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"strconv"
	"strings"
	"testing"

	"github.com/watchbox/watchbox/abi"
	"github.com/watchbox/watchbox/host/bundle"
)

// rss returns the process's resident set size in bytes, after a GC that
// returns freed memory to the OS.
func rss(b *testing.B) int64 {
	runtime.GC()
	debug.FreeOSMemory()
	data, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		b.Fatal(err)
	}
	f := strings.Fields(string(data))
	pages, _ := strconv.ParseInt(f[1], 10, 64)
	return pages * int64(os.Getpagesize())
}

// withCustomSection returns wasm with a custom section named name appended:
// the same code as a different module (its own compiled-code entry).
func withCustomSection(wasm []byte, name string) []byte {
	body := append(append([]byte{byte(len(name))}, name...), 0)
	out := append([]byte(nil), wasm...)
	return append(append(out, 0, byte(len(body))), body...)
}

// BenchmarkMemoryPerApp loads N apps holding the Go bench module under
// distinct bundle ids in one runtime and reports the resident memory each
// adds (RSS after a GC, against the runtime with none loaded), with the
// same module bytes for every app ("identical") and with a custom section
// that makes each module distinct ("distinct"), then after launching one of
// them. Issue 10, part 4 (target: at most 1.2x a bare wazero instance).
//
// WATCHBOX_BENCH_APPS lists the numbers of apps (default "1,10"; each load
// decodes and validates the 2.9 MB module, and a distinct module compiles:
// 50 distinct apps take minutes). WATCHBOX_HEAP_PROFILE names a file to
// write a heap profile to while the apps are loaded.
func BenchmarkMemoryPerApp(b *testing.B) {
	counts := []int{1, 10}
	if env := os.Getenv("WATCHBOX_BENCH_APPS"); env != "" {
		counts = counts[:0]
		for _, f := range strings.Split(env, ",") {
			n, err := strconv.Atoi(strings.TrimSpace(f))
			if err != nil || n < 1 {
				b.Fatalf("WATCHBOX_BENCH_APPS=%q: want numbers of apps, such as 1,10,50", env)
			}
			counts = append(counts, n)
		}
	}
	ctx := context.Background()
	bd, err := bundle.Open(benchDir)
	if err != nil {
		b.Fatal(err)
	}
	wasm, _, err := bd.Wasm(ctx, bundle.BuildOptions{CacheDir: filepath.Join(testCache, "build")})
	if err != nil {
		b.Fatal(err)
	}
	for _, kind := range []string{"identical", "distinct"} {
		for _, n := range counts {
			b.Run(fmt.Sprintf("%s/%d", kind, n), func(b *testing.B) {
				for b.Loop() {
					rt := benchRuntime(b, Config{})
					base := rss(b)
					var apps []*App
					for i := range n {
						m := bd.Manifest
						m.BundleIdentifier = fmt.Sprintf("dev.watchbox.bench%d", i)
						mod := wasm
						if kind == "distinct" {
							mod = withCustomSection(wasm, m.BundleIdentifier)
						}
						a, err := rt.load(ctx, benchDir, "bench.wasm", m, bundle.NewModule("bench.wasm", mod))
						if err != nil {
							b.Fatal(err)
						}
						apps = append(apps, a)
					}
					loaded := rss(b)
					if p := os.Getenv("WATCHBOX_HEAP_PROFILE"); p != "" {
						f, _ := os.Create(p)
						pprof.Lookup("heap").WriteTo(f, 0)
						f.Close()
					}
					if _, err := apps[0].Deliver(ctx, abi.EventPhoneMessage, nil); err != nil {
						b.Fatal(err)
					}
					launched := rss(b)
					b.ReportMetric(float64(loaded-base)/float64(n)/(1<<20), "MiB/loaded-app")
					b.ReportMetric(float64(launched-loaded)/(1<<20), "MiB/first-launch")
					rt.Close(ctx)
				}
			})
		}
	}
}
