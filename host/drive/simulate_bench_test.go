package drive

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/watchbox/watchbox/host/scenario"
)

// BenchmarkSimulatedDay plays tests/scenarios/day.scenario: the weather and
// messages sample apps through 24 virtual hours with every scenario verb.
// Loading the apps (building, compiling) is outside the timer; the figure
// is the day itself. The text timeline is rendered and discarded.
//
//	go test -run XXX -bench SimulatedDay -benchtime 5x ./host/drive/
func BenchmarkSimulatedDay(b *testing.B) {
	ctx := context.Background()
	sc, err := scenario.ParseFile(filepath.Join("..", "..", "tests", "scenarios", "day.scenario"), scenario.Options{})
	if err != nil {
		b.Fatal(err)
	}
	prof, err := sc.DeviceProfile()
	if err != nil {
		b.Fatal(err)
	}
	cache := filepath.Join(os.TempDir(), "watchbox-test-cache")
	for b.Loop() {
		b.StopTimer()
		sim, err := Simulate(ctx, sc, prof, SimOptions{CacheDir: cache, DataDir: b.TempDir(), Out: io.Discard})
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		start := time.Now()
		if err := sim.Play(ctx); err != nil {
			b.Fatal(err)
		}
		elapsed := time.Since(start)
		b.StopTimer()
		sim.Close()
		if n := sim.Timeline.Failures(); n > 0 {
			b.Fatalf("%d failed calls in the day", n)
		}
		calls := sim.Timeline.Calls()
		b.ReportMetric(float64(calls), "calls/day")
		b.ReportMetric(float64(calls)/elapsed.Seconds(), "calls/s")
		b.StartTimer()
	}
}
