package host

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/watchbox/watchbox/abi"
	"github.com/watchbox/watchbox/host/bundle"
	"github.com/watchbox/watchbox/host/meter"
	"github.com/watchbox/watchbox/internal/cputime"
)

const benchDir = "../tests/apps/bench"

func benchRuntime(b *testing.B, cfg Config) *Runtime {
	b.Helper()
	cfg.CacheDir = testCache
	cfg.DataDir = b.TempDir()
	cfg.FrontmostTimeout, cfg.SuspendDelay = -1, -1
	rt, err := New(context.Background(), cfg)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { rt.Close(context.Background()) })
	return rt
}

// payload100 is an event's fields: one 92-byte payload field, 100 bytes
// encoded.
func payload100() []byte {
	var w abi.Writer
	w.Blob(abi.FieldPayload, make([]byte, 92))
	return w.Bytes()
}

// BenchmarkCall compares a warm host-to-guest event with a ~100-byte payload
// against bare wazero calls into the same Go guest instance (target: Event
// within 1.5x of BarePayload), with the guest metered (as apps always run)
// and unmetered.
func BenchmarkCall(b *testing.B) {
	for _, metered := range []bool{true, false} {
		name := "metered"
		if !metered {
			name = "unmetered"
		}
		b.Run(name, func(b *testing.B) { benchCall(b, !metered) })
	}
}

func benchCall(b *testing.B, unmetered bool) {
	ctx := context.Background()
	rt := benchRuntime(b, Config{Unmetered: unmetered})
	a, err := rt.Load(ctx, benchDir)
	if err != nil {
		b.Fatal(err)
	}
	if err := a.Launch(ctx); err != nil {
		b.Fatal(err)
	}
	fields := payload100()

	b.Run("Event", func(b *testing.B) {
		for b.Loop() {
			if _, err := a.Deliver(ctx, abi.EventPhoneMessage, fields); err != nil {
				b.Fatal(err)
			}
		}
	})

	mod := a.sys.Guest.Module()
	bare := mod.ExportedFunction("bare")
	res, err := mod.ExportedFunction("bare_buffer").Call(ctx)
	if err != nil {
		b.Fatal(err)
	}
	ptr := uint32(res[0])
	payload := make([]byte, 100)
	// The bare calls bypass the app's call path, so no Gauge gives them a
	// budget: they would drain the fuel left by the app's last event and
	// trap once it ran out (-count 5). One budget of MaxFuel, started and
	// finished outside the timed loop, covers each run.
	budget := func() (finish func()) {
		g, err := meter.NewGauge(mod)
		if err != nil { // unmetered: no fuel to run out of
			return func() {}
		}
		g.Start(meter.MaxFuel)
		return func() { g.Finish(nil) }
	}
	b.Run("BareNoPayload", func(b *testing.B) {
		defer budget()()
		stack := make([]uint64, 2)
		for b.Loop() {
			stack[0], stack[1] = 1, 0
			if err := bare.CallWithStack(ctx, stack); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("BarePayload", func(b *testing.B) {
		defer budget()()
		stack := make([]uint64, 2)
		for b.Loop() {
			mod.Memory().Write(ptr, payload)
			stack[0], stack[1] = 1, 100
			if err := bare.CallWithStack(ctx, stack); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkColdLaunch measures the time from "launch" to the end of the
// first callback (did_finish_launching): Relaunch within a running runtime
// (the compiled module is in memory; instantiate, _initialize, the first
// call), and FromDiskCache, a new runtime that compiles from the on-disk
// caches (the time to read the Wasm bytes is not included). Target: 10 ms
// or less. Each reports the mean wall time (ms/first-callback) and the
// least CPU time of the process, all threads (min-cpu-ms/first-callback):
//
//	go test -run XXX -bench ColdLaunch -benchtime 50x ./host
func BenchmarkColdLaunch(b *testing.B) {
	ctx := context.Background()
	b.Run("Relaunch", func(b *testing.B) {
		var first firstCallback
		rt := benchRuntime(b, Config{OnCall: first.record})
		a, err := rt.Load(ctx, benchDir)
		if err != nil {
			b.Fatal(err)
		}
		var m launchMetrics
		for b.Loop() {
			first.start()
			if _, err := a.Deliver(ctx, abi.EventPhoneMessage, nil); err != nil {
				b.Fatal(err)
			}
			m.add(b, &first)
			a.Purge(ctx)
		}
		m.report(b)
	})
	b.Run("FromDiskCache", func(b *testing.B) {
		bd, err := bundle.Open(benchDir)
		if err != nil {
			b.Fatal(err)
		}
		wasm, _, err := bd.Wasm(ctx, bundle.BuildOptions{CacheDir: filepath.Join(testCache, "build")})
		if err != nil {
			b.Fatal(err)
		}
		data := b.TempDir()
		// Warm the on-disk cache once.
		warm := benchRuntimeAt(b, data, nil)
		if _, err := warm.load(ctx, benchDir, "bench.wasm", bd.Manifest, bundle.NewModule("bench.wasm", wasm)); err != nil {
			b.Fatal(err)
		}
		warm.Close(ctx)
		var first firstCallback
		var m launchMetrics
		for b.Loop() {
			first.start()
			// OnCall reaches the apps only from the Config given to New.
			rt := benchRuntimeAt(b, data, first.record)
			a, err := rt.load(ctx, benchDir, "bench.wasm", bd.Manifest, bundle.NewModule("bench.wasm", wasm))
			if err != nil {
				b.Fatal(err)
			}
			if _, err := a.Deliver(ctx, abi.EventPhoneMessage, nil); err != nil {
				b.Fatal(err)
			}
			m.add(b, &first)
			b.StopTimer()
			rt.Close(ctx)
			b.StartTimer()
		}
		m.report(b)
	})
}

// firstCallback holds when a launch started and when its first guest call
// ended, in wall time and in the process's CPU time.
type firstCallback struct {
	wall0, wall time.Time
	cpu0, cpu   time.Duration
}

func (f *firstCallback) start() {
	*f = firstCallback{cpu0: cputime.Process(), wall0: time.Now()}
}

// record is an OnCall that keeps the end of the first call since start.
func (f *firstCallback) record(Call) {
	if f.wall.IsZero() {
		f.wall, f.cpu = time.Now(), cputime.Process()
	}
}

// launchMetrics sums the wall time and keeps the least CPU time of the
// launches.
type launchMetrics struct {
	wall, minCPU time.Duration
	n            int
}

func (m *launchMetrics) add(b *testing.B, f *firstCallback) {
	if f.wall.IsZero() {
		b.Fatal("no guest call reached OnCall")
	}
	cpu := f.cpu - f.cpu0
	if m.n == 0 || cpu < m.minCPU {
		m.minCPU = cpu
	}
	m.wall += f.wall.Sub(f.wall0)
	m.n++
}

func (m *launchMetrics) report(b *testing.B) {
	b.ReportMetric(float64(m.wall.Microseconds())/float64(m.n)/1000, "ms/first-callback")
	b.ReportMetric(float64(m.minCPU.Microseconds())/1000, "min-cpu-ms/first-callback")
}

func benchRuntimeAt(b *testing.B, data string, onCall func(Call)) *Runtime {
	rt, err := New(context.Background(), Config{CacheDir: testCache, DataDir: data, FrontmostTimeout: -1, SuspendDelay: -1, OnCall: onCall})
	if err != nil {
		b.Fatal(err)
	}
	return rt
}

// BenchmarkSimulatedDay runs the refresh sample app through 24 virtual
// hours: background refreshes every 15 minutes under the hourly budget,
// with the user raising the wrist every two hours. Target: a day in 2 s or
// less of wall time. It reports events (guest calls) per second.
func BenchmarkSimulatedDay(b *testing.B) {
	ctx := context.Background()
	for b.Loop() {
		calls := 0
		b.StopTimer()
		rt, err := New(ctx, Config{CacheDir: testCache, DataDir: b.TempDir(), Virtual: true,
			OnCall: func(Call) { calls++ }})
		if err != nil {
			b.Fatal(err)
		}
		a, err := rt.Load(ctx, "../apps/refresh")
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		start := time.Now()
		if err := a.Launch(ctx); err != nil {
			b.Fatal(err)
		}
		for h := 0; h < 24; h += 2 {
			a.WristDown(ctx)
			rt.RunFor(ctx, 2*time.Hour-time.Minute)
			a.Launch(ctx)
			rt.RunFor(ctx, time.Minute)
		}
		elapsed := time.Since(start)
		b.StopTimer()
		rt.Close(ctx)
		b.ReportMetric(float64(calls), "calls/day")
		b.ReportMetric(float64(calls)/elapsed.Seconds(), "calls/s")
		b.StartTimer()
	}
}
