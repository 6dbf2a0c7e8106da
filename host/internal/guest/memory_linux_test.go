package guest

import (
	"context"
	_ "embed"
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/watchbox/watchbox/abi"
	"github.com/watchbox/watchbox/host/internal/clock"
	"github.com/watchbox/watchbox/host/meter"
	"github.com/watchbox/watchbox/host/profile"
	"github.com/watchbox/watchbox/internal/cputime"
	"github.com/watchbox/watchbox/internal/procstatus"
)

// bombWasm is testdata/bomb.wat: watchbox_event(step, _) grows memory by
// step pages at a time to the limit, touching every 4 KiB of it.
//
//go:embed testdata/bomb.wasm
var bombWasm []byte

// bombLimit is the bomb's memory limit: 64 MiB, the sample apps'
// memoryLimit.
const bombLimit = 1024 // pages

// bombOverhead is the most RSS above its memory limit the test lets a
// memory bomb cost the host, the fixed overhead docs/performance.md
// documents ("Host memory"): the instance's bookkeeping, the metered
// module's compiled code and the pages the Go runtime maps while it runs.
const bombOverhead = 16 << 20

// procStatus returns field (VmRSS, VmHWM) of /proc/self/status in bytes.
func procStatus(tb testing.TB, field string) int64 {
	tb.Helper()
	n, err := procstatus.Bytes(field)
	if err != nil {
		tb.Skip(err)
	}
	return n
}

// settledRSS returns the process's RSS after a GC that returns freed memory
// to the system, and resets the peak (VmHWM) to it.
func settledRSS(tb testing.TB) int64 {
	runtime.GC()
	debug.FreeOSMemory()
	if err := os.WriteFile("/proc/self/clear_refs", []byte("5"), 0); err != nil {
		tb.Skip("cannot reset the peak RSS:", err)
	}
	return procStatus(tb, "VmRSS")
}

// newBomb returns a Guest of the metered bomb with bombLimit pages.
func newBomb(tb testing.TB) *Guest {
	tb.Helper()
	wasm, err := meter.Instrument(bombWasm, meter.Strict)
	if err != nil {
		tb.Fatal(err)
	}
	ctx := context.Background()
	clk := clock.NewVirtual(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	prof := profile.Default()
	g, err := New(ctx, Config{ID: "dev.watchbox.test.bomb", Log: zerolog.Nop(), Cache: compileCache(), MemoryPages: bombLimit,
		Seed: 1, Virtual: true, Clock: clk, Sched: clock.New(clk), Profile: func() *profile.Profile { return &prof },
		Handler: nopHandler{}})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { g.Close(ctx) })
	if err := load(ctx, g, wasm); err != nil {
		tb.Fatal(err)
	}
	return g
}

// explosion is what one run of the bomb cost the host.
type explosion struct {
	peak int64         // peak RSS over the RSS before, bytes
	left int64         // RSS right after the kill, before any GC, over the RSS before
	cpu  time.Duration // the process's CPU time from the instantiation to the kill
}

// explode starts the bomb, grows it to its limit step pages at a time and
// kills it.
func explode(tb testing.TB, g *Guest, step uint32) explosion {
	tb.Helper()
	ctx := context.Background()
	base := settledRSS(tb)
	cpu := cputime.Process()
	if err := g.Instantiate(ctx, 0, time.Second); err != nil {
		tb.Fatal(err)
	}
	res := callOf(g, ctx, abi.EventKind(step), nil, 10*time.Second)
	if res.Crash != nil {
		tb.Fatalf("the bomb crashed: %v", res.Crash)
	}
	if got := g.Module().Memory().Size(); got != bombLimit*pageSize {
		tb.Fatalf("the bomb grew to %d bytes, want its limit, %d", got, bombLimit*pageSize)
	}
	g.Kill(ctx)
	cpu = cputime.Process() - cpu
	return explosion{peak: procStatus(tb, "VmHWM") - base, left: procStatus(tb, "VmRSS") - base, cpu: cpu}
}

// TestMemoryBombRSS checks that a guest growing its memory to its limit,
// in one step or page by page, costs the host at most the limit plus
// bombOverhead of peak RSS, and that killing it gives the memory back.
// Not parallel: the RSS is the whole process's.
func TestMemoryBombRSS(t *testing.T) {
	g := newBomb(t)
	explode(t, g, 1) // the compiled code and the Go runtime's first growth are not the bomb's
	for _, step := range []uint32{bombLimit - 1, 1} {
		e := explode(t, g, step)
		t.Logf("steps of %d pages: peak RSS %.1f MiB over the host before, %.1f MiB left after the kill; limit %d MiB",
			step, float64(e.peak)/(1<<20), float64(e.left)/(1<<20), bombLimit/16)
		if e.peak > bombLimit*pageSize+bombOverhead {
			t.Errorf("steps of %d pages: peak RSS %.1f MiB over the host before, want at most the limit, %d MiB, plus %d MiB",
				step, float64(e.peak)/(1<<20), bombLimit/16, bombOverhead>>20)
		}
		if e.left > bombOverhead {
			t.Errorf("steps of %d pages: %.1f MiB of RSS left right after the kill, want at most %d MiB: the memory was not given back",
				step, float64(e.left)/(1<<20), bombOverhead>>20)
		}
	}
}

// BenchmarkMemoryBomb grows the bomb to its 64 MiB limit in steps of 1
// page and of 64 pages, with linear memory from package linmem and from
// wazero's own allocator, and reports the largest peak RSS a run added,
// the most RSS left right after the kill (before a GC), and the least
// CPU time of the process (all threads) from the instantiation to the
// kill.
//
//	go test -run XXX -bench MemoryBomb -benchtime 5x ./host/internal/guest/
func BenchmarkMemoryBomb(b *testing.B) {
	for _, alloc := range []string{"linmem", "wazero"} {
		for _, step := range []uint32{1, 64} {
			b.Run(fmt.Sprintf("%s/step%d", alloc, step), func(b *testing.B) {
				saved := memoryAllocator
				if alloc == "wazero" {
					memoryAllocator = nil
				}
				defer func() { memoryAllocator = saved }()
				g := newBomb(b)
				explode(b, g, 1)
				var peak, left int64
				cpu := time.Duration(1 << 62)
				for b.Loop() {
					e := explode(b, g, step)
					peak, left, cpu = max(peak, e.peak), max(left, e.left), min(cpu, e.cpu)
				}
				b.ReportMetric(float64(peak)/(1<<20), "peak-MiB")
				b.ReportMetric(float64(left)/(1<<20), "left-MiB")
				b.ReportMetric(float64(cpu.Microseconds())/1000, "min-cpu-ms")
			})
		}
	}
}
