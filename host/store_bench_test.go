package host

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/watchbox/watchbox/abi"
)

// BenchmarkStateSave is what saving the app's system state after every
// call costs a warm event (App.Deliver of a 100-byte payload to the bench
// app, metered): with a state directory (the default of `watchbox run`,
// where system.Store encodes the state after every call and writes it
// when it changed) against without one. The sides run batches of calls in
// rounds, in an order rotated each round, timed on the calling thread's
// CPU time; a side's figure is its best round divided by the batch.
// Thread CPU leaves out the garbage collector's work on other threads, so
// the heap allocations per call are printed beside it. Rounds:
// WATCHBOX_BENCH_ROUNDS (default 7).
func BenchmarkStateSave(b *testing.B) {
	ctx := context.Background()
	rounds := benchRounds()
	const batch = 2000
	var sides []*benchSide
	for _, on := range []bool{false, true} {
		cfg := Config{}
		name := "no-state-dir"
		if on {
			cfg.StateDir = b.TempDir()
			name = "state-dir"
		}
		rt := benchRuntime(b, cfg)
		a, err := rt.Load(ctx, benchDir)
		if err != nil {
			b.Fatal(err)
		}
		if err := a.Launch(ctx); err != nil {
			b.Fatal(err)
		}
		fields := payload100()
		sides = append(sides, &benchSide{name: name, run: func() {
			for range batch {
				if _, err := a.Deliver(ctx, abi.EventPhoneMessage, fields); err != nil {
					b.Fatal(err)
				}
			}
		}})
	}
	runRotated(b, rounds, sides, true)
	per := func(s *benchSide) float64 { return float64(s.best) / batch }
	var sb strings.Builder
	fmt.Fprintf(&sb, "\nwarm event, thread CPU, best of %d rounds of %d calls\n", rounds, batch)
	for _, s := range sides {
		fmt.Fprintf(&sb, "%-14s %9.1f ns/call %6.1f allocs/call\n", s.name, per(s), float64(s.allocs)/batch)
		b.ReportMetric(per(s), s.name+"-ns")
	}
	fmt.Fprintf(&sb, "%-14s %9.1f ns/call (%.0f%%)\n", "save costs", per(sides[1])-per(sides[0]), 100*(per(sides[1])/per(sides[0])-1))
	fmt.Print(sb.String())
}
