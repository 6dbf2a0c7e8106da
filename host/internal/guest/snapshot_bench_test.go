package guest

import (
	"context"
	"testing"
	"time"

	"github.com/watchbox/watchbox/abi"
	"github.com/watchbox/watchbox/internal/cputime"
)

// BenchmarkRuns measures fuzzing runs of a hello-level handler (the bench
// app sums a 92-byte payload) per second, three ways of starting each run
// from the initialized state:
//
//   - reuse: no reset, the same instance runs on (the upper bound, and
//     wrong for fuzzing: runs see each other's state);
//   - restore: the instance is killed and restored from its snapshot;
//   - reinstantiate: the instance is killed and the module instantiated
//     again, with its _initialize.
//
// Besides wall-clock runs/s it reports the process CPU time per run and
// the runs per second per core that makes, the figures that hold on a
// loaded machine. docs/performance.md has them.
func BenchmarkRuns(b *testing.B) {
	ctx := context.Background()
	fields := payload(3)
	call := func(b *testing.B, g *Guest) {
		if res := callOf(g, ctx, abi.EventPhoneMessage, fields, time.Second); res.Crash != nil {
			b.Fatal(res.Crash)
		}
	}
	var cpu0 time.Duration
	report := func(b *testing.B) {
		used := cputime.Process() - cpu0
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "runs/s")
		b.ReportMetric(float64(used.Microseconds())/float64(b.N), "cpu-µs/run")
		b.ReportMetric(float64(b.N)/used.Seconds(), "runs/s/core")
	}
	b.Run("reuse", func(b *testing.B) {
		g := newTestGuest(b, false)
		if err := g.Instantiate(ctx, 1, time.Second); err != nil {
			b.Fatal(err)
		}
		cpu0 = cputime.Process()
		for b.Loop() {
			g.Coverage().Reset()
			call(b, g)
		}
		report(b)
	})
	for _, mode := range []string{"restore", "reinstantiate"} {
		b.Run(mode, func(b *testing.B) {
			g := newTestGuest(b, mode == "restore")
			if err := g.Instantiate(ctx, 1, time.Second); err != nil {
				b.Fatal(err)
			}
			cpu0 = cputime.Process()
			for b.Loop() {
				g.Kill(ctx)
				if err := g.Instantiate(ctx, 1, time.Second); err != nil {
					b.Fatal(err)
				}
				g.Coverage().Reset()
				call(b, g)
			}
			report(b)
		})
	}
}
