package guest

import (
	"context"
	_ "embed"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/tetratelabs/wazero"
	"github.com/watchbox/watchbox/host/internal/clock"
	"github.com/watchbox/watchbox/host/profile"
)

// floodWasm is testdata/flood.wat: watchbox_event(n, _) makes n requests
// of 64 KiB each (forever when n is 0).
//
//go:embed testdata/flood.wasm
var floodWasm []byte

// newFlood returns a metered, instantiated Guest of the flood guest under
// a profile with host_calls_per_call set to limit, serving rec.
func newFlood(t *testing.T, limit int, rec *recorder) *Guest {
	t.Helper()
	ctx := context.Background()
	clk := clock.NewVirtual(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	prof := profile.Default()
	prof.HostCallsPerCall = limit
	g, err := New(ctx, Config{ID: "dev.watchbox.test.flood", Log: zerolog.Nop(), Cache: wazero.NewCompilationCache(), MemoryPages: 32,
		Seed: 1, Virtual: true, Clock: clk, Sched: clock.New(clk), Profile: func() *profile.Profile { return &prof }, Handler: rec})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { g.Close(ctx) })
	if err := load(ctx, g, metered(t, floodWasm)); err != nil {
		t.Fatal(err)
	}
	if err := g.Instantiate(ctx, 0, time.Second); err != nil {
		t.Fatal(err)
	}
	return g
}

// TestHostCallFloodIsStoppedAtTheCap: a guest looping on request (each a
// 64 KiB copy and scan for the host, a few instructions for the guest) is
// stopped after host_calls_per_call of them, as cpu_time_exceeded with a
// reason naming the cap, long before its fuel would run out: without the
// cap its 10 ms budget buys some 500,000 requests, over a second of the
// host's time under the virtual clock, where no watchdog stops it.
func TestHostCallFloodIsStoppedAtTheCap(t *testing.T) {
	t.Parallel()
	rec := &recorder{}
	g := newFlood(t, 1000, rec)
	res := callOf(g, context.Background(), 0, nil, 10*time.Millisecond)
	if res.Crash == nil {
		t.Fatal("the flood survived")
	}
	if n := rec.count(1); n != 1000 {
		t.Errorf("the host served %d requests, want host_calls_per_call = 1000", n)
	}
	if res.Crash.Termination != TerminationCPU || !res.Crash.HostCalls ||
		!strings.Contains(res.Crash.Reason, "more than 1000 watchbox host calls") || !strings.Contains(res.Crash.Reason, "host_calls_per_call=1000") {
		t.Errorf("crash = %+v, want cpu_time_exceeded naming host_calls_per_call", res.Crash)
	}
}

// TestHostCallCapIsPerCall: calls under the cap survive, however many
// host calls their instance made before; 0 means no cap.
func TestHostCallCapIsPerCall(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	rec := &recorder{}
	g := newFlood(t, 1000, rec)
	for i := range 3 {
		if res := callOf(g, ctx, 1000, nil, time.Second); res.Crash != nil {
			t.Fatalf("call %d, 1000 requests: %v", i, res.Crash)
		}
	}
	unlimited := newFlood(t, 0, &recorder{})
	if res := callOf(unlimited, ctx, 5000, nil, time.Second); res.Crash != nil {
		t.Fatalf("host_calls_per_call=0, 5000 requests: %v", res.Crash)
	}
}
