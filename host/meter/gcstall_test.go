package meter

import (
	"context"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestDeadlineUnderGC: a guest spinning in a loop runs compiled code that
// the Go runtime cannot preempt. Without exits to Go, a stop-the-world GC
// requested while it spins waits for the guest to end, and with it every
// goroutine of the process, including the watchdog's timer: the call ends
// when its fuel runs out instead of at its deadline. The refuel slow path
// returns to Go at least every Slice units, so the GC (and then the
// watchdog) gets its turn.
func TestDeadlineUnderGC(t *testing.T) {
	ctx := context.Background()
	r := testRuntime(t)
	spinMod, spinG := gaugeFor(t, r, loopModule(), Strict)
	fibMod, fibG := gaugeFor(t, r, fibModule(), Strict)

	stop := make(chan struct{})
	var wg sync.WaitGroup
	var gcs atomic.Int64
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-stop:
				return
			default:
			}
			runtime.GC()
			gcs.Add(1)
		}
	}()
	defer func() { close(stop); wg.Wait() }()

	const budget = 100 * time.Millisecond
	// Enough fuel for minutes of spinning: only the deadline can end it.
	const fuel = 1 << 40
	for _, tc := range []struct {
		name string
		g    *Gauge
		call func(*Gauge, time.Time) (Outcome, int64, error)
	}{
		{"tight loop", spinG, func(g *Gauge, d time.Time) (Outcome, int64, error) {
			_, out, used, err := g.Call(ctx, spinMod.ExportedFunction("spin"), fuel, d, 1<<62)
			return out, used, err
		}},
		{"call-only recursion", fibG, func(g *Gauge, d time.Time) (Outcome, int64, error) {
			_, out, used, err := g.Call(ctx, fibMod.ExportedFunction("fib"), fuel, d, 60)
			return out, used, err
		}},
		// As host/instance.go runs calls: Start, the host's own timer
		// calling Stop, Finish.
		{"Start/Stop/Finish", spinG, func(g *Gauge, d time.Time) (Outcome, int64, error) {
			g.Start(fuel)
			timer := time.AfterFunc(time.Until(d), g.Stop)
			defer timer.Stop()
			_, err := spinMod.ExportedFunction("spin").Call(ctx, 1<<62)
			return g.Finish(err)
		}},
	} {
		for i := 0; i < 3; i++ {
			before := gcs.Load()
			start := time.Now()
			out, used, err := tc.call(tc.g, start.Add(budget))
			took := time.Since(start)
			if out != DeadlineExceeded {
				t.Errorf("%s: %v, %v; want deadline_exceeded", tc.name, out, err)
			}
			if took > 2*time.Second {
				t.Errorf("%s: a call with a %v deadline took %v while the GC ran", tc.name, budget, took)
			}
			t.Logf("%s: %v (deadline %v), %d fuel, %d GCs meanwhile", tc.name, took, budget, used, gcs.Load()-before)
		}
	}
}
