package host

import (
	"os"
	"runtime"
	"strconv"
	"testing"
	"time"

	"github.com/watchbox/watchbox/internal/cputime"
)

// benchSide is one side of a side-by-side benchmark: a batch of work,
// timed on the calling thread's CPU time.
type benchSide struct {
	name   string
	run    func()
	best   time.Duration // the best round's thread CPU
	allocs uint64        // heap allocations of the last round, when counted
}

// benchRounds is WATCHBOX_BENCH_ROUNDS, or 7.
func benchRounds() int {
	if n, err := strconv.Atoi(os.Getenv("WATCHBOX_BENCH_ROUNDS")); err == nil && n > 0 {
		return n
	}
	return 7
}

// runRotated runs every side once to warm it, then, b.N times, rounds
// rounds in which every side runs once, in an order rotated each round,
// keeping each side's best thread CPU. The goroutine stays on its thread
// so that the thread's clock is its own. With countAllocs, each side's
// heap allocations are counted around its run (ReadMemStats, outside the
// timed part).
func runRotated(b *testing.B, rounds int, sides []*benchSide, countAllocs bool) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	for _, s := range sides {
		s.run()
	}
	b.ResetTimer()
	for range b.N {
		for round := range rounds {
			for j := range sides {
				s := sides[(j+round)%len(sides)]
				var m0, m1 runtime.MemStats
				if countAllocs {
					runtime.ReadMemStats(&m0)
				}
				start := cputime.Thread()
				s.run()
				if d := cputime.Thread() - start; s.best == 0 || d < s.best {
					s.best = d
				}
				if countAllocs {
					runtime.ReadMemStats(&m1)
					s.allocs = m1.Mallocs - m0.Mallocs
				}
			}
		}
	}
	b.StopTimer()
}
