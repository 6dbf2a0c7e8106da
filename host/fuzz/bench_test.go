package fuzz

import (
	"context"
	"math/rand/v2"
	"testing"

	"github.com/watchbox/watchbox/internal/cputime"
)

// BenchmarkLoop measures the whole fuzz loop of one worker on the
// fuzzbug app (a push handler that decodes a small JSON object): decode
// an input into actions, run them through host/drive in a new Runtime
// whose app is restored from its snapshot, read the coverage map and
// check it against the corpus. It reports the process CPU time per run
// (every thread: GC included) and the runs per second per core that
// makes, the figure that holds on a loaded machine; docs/performance.md
// has them.
func BenchmarkLoop(b *testing.B) {
	for _, ev := range []string{EvPush, "all"} {
		b.Run(ev, func(b *testing.B) {
			opts := Options{Bundle: bugApp, CacheDir: testCache, Events: []string{ev}, WorkDir: b.TempDir()}
			if ev == "all" {
				opts.Events = nil
			}
			if err := opts.defaults(); err != nil {
				b.Fatal(err)
			}
			r := newRunner(&opts, opts.WorkDir)
			defer r.close()
			ctx := context.Background()
			if _, err := r.run(ctx, nil); err != nil {
				b.Fatal(err)
			}
			c := newCorpus("")
			rng := rand.New(rand.NewPCG(1, 2))
			inputs := make([][]byte, 64)
			for i := range inputs {
				inputs[i] = random(rng)
			}
			cpu := cputime.Process()
			i := 0
			for b.Loop() {
				out, err := r.run(ctx, inputs[i%len(inputs)])
				if err != nil {
					b.Fatal(err)
				}
				if c.interesting(r.cov) {
					c.add(inputs[i%len(inputs)], out.mods, r.cov)
				}
				i++
			}
			used := cputime.Process() - cpu
			b.ReportMetric(float64(used.Microseconds())/float64(b.N), "cpu-µs/run")
			b.ReportMetric(float64(b.N)/used.Seconds(), "runs/s/core")
		})
	}
}
