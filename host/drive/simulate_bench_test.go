package drive

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
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
		start, cpu := time.Now(), cpuTime()
		if err := sim.Play(ctx); err != nil {
			b.Fatal(err)
		}
		elapsed, cpu := time.Since(start), cpuTime()-cpu
		b.StopTimer()
		sim.Close()
		if n := sim.Timeline.Failures(); n > 0 {
			b.Fatalf("%d failed calls in the day", n)
		}
		calls := sim.Timeline.Calls()
		b.ReportMetric(float64(calls), "calls/day")
		b.ReportMetric(float64(calls)/elapsed.Seconds(), "calls/s")
		b.ReportMetric(float64(cpu.Microseconds())/1000, "cpu-ms")
		b.StartTimer()
	}
}

// BenchmarkSimulatedWorkoutHour plays a one-hour run of apps/workout at
// the default cadences: heart rate and live data every 5 s, a location
// fix every 2 s, with the wrist down, so about 2,500 guest calls. The
// route is a generated one-hour walk (a point every 10 s, slow enough
// that the app's 4.5 km goal does not end the workout early). Loading is
// outside the timer, as for BenchmarkSimulatedDay; run both side by side:
//
//	go test -run XXX -bench 'Simulated(Day|WorkoutHour)' -benchtime 5x ./host/drive/
func BenchmarkSimulatedWorkoutHour(b *testing.B) {
	ctx := context.Background()
	dir := b.TempDir()
	route := filepath.Join(dir, "walk.gpx")
	if err := os.WriteFile(route, walkGPX(time.Hour+time.Minute), 0o644); err != nil {
		b.Fatal(err)
	}
	app, err := filepath.Abs(filepath.Join("..", "..", "apps", "workout"))
	if err != nil {
		b.Fatal(err)
	}
	src := "start 2026-06-01T06:00:00Z\nduration 1h1m\nseed 7\napp run " + app + "\n" +
		"at 06:00 route run " + route + "\nat 06:00 launch run\nat +20s wrist-down\n"
	sc, err := scenario.Parse(filepath.Join(dir, "hour.scenario"), []byte(src), scenario.Options{})
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
		start, cpu := time.Now(), cpuTime()
		if err := sim.Play(ctx); err != nil {
			b.Fatal(err)
		}
		elapsed, cpu := time.Since(start), cpuTime()-cpu
		b.StopTimer()
		sim.Close()
		if n := sim.Timeline.Failures(); n > 0 {
			b.Fatalf("%d failed calls in the hour", n)
		}
		calls := sim.Timeline.Calls()
		if calls < 2400 {
			b.Fatalf("%d calls in the hour, want about 2,500 (720 data, 1,800 location)", calls)
		}
		b.ReportMetric(float64(calls), "calls/hour")
		b.ReportMetric(float64(calls)/elapsed.Seconds(), "calls/s")
		b.ReportMetric(float64(cpu.Microseconds())/1000, "cpu-ms")
		b.StartTimer()
	}
}

// walkGPX returns a GPX track of a walk of length d at 4 km/h northwards
// from Golden Gate Park, a point every 10 s.
func walkGPX(d time.Duration) []byte {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n" + `<gpx version="1.1" creator="watchbox benchmark" xmlns="http://www.topografix.com/GPX/1/1"><trk><trkseg>` + "\n")
	t0 := time.Date(2026, 6, 1, 6, 0, 0, 0, time.UTC)
	const step = 10 * time.Second
	const degPerStep = 4000.0 / 3600 * 10 / 111195 // 4 km/h, in degrees of latitude per step
	for i := 0; time.Duration(i)*step <= d; i++ {
		fmt.Fprintf(&b, `<trkpt lat="%.7f" lon="-122.4736855"><time>%s</time></trkpt>`+"\n", 37.7694+float64(i)*degPerStep, t0.Add(time.Duration(i)*step).Format(time.RFC3339))
	}
	b.WriteString("</trkseg></trk></gpx>\n")
	return []byte(b.String())
}
