package sensors_test

// This file generates the test data of the sensors packages and checks
// that the files in the tree are what it generates. After changing the
// generator, regenerate with
//
//	go test ./host/sensors -run TestTestdata -update
//
// Everything is derived from fixed seeds: nothing is fetched, and the same
// generator gives the same files.

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/watchbox/watchbox/host/sensors/gpx"
	"github.com/watchbox/watchbox/host/sensors/samples"
)

var update = flag.Bool("update", false, "rewrite the generated test data files")

// The run: a 5 km loop in Golden Gate Park, San Francisco, at a steady
// 5:20 min/km after a slower first minute, one point every 1 or 2 s.
var (
	runStart  = time.Date(2026, 6, 1, 6, 30, 0, 0, time.UTC)
	runOrigin = [2]float64{37.76940, -122.48620} // lat, lon of the loop's centre
)

const (
	runSeed     = 2026
	runDistance = 5000.0 // metres
	hrSeed      = 7
)

// loop returns the loop's point at angle th as metres east and north of
// its centre: an ellipse 2.2 km by 0.9 km with a gentle wobble.
func loop(th float64) (east, north float64) {
	r := 1 + 0.03*math.Sin(5*th)
	return 1100 * r * math.Cos(th), 450 * r * math.Sin(th)
}

// arcTable is the loop's cumulative length at angles 0..2π in n steps.
func arcTable(n int) (theta, length []float64) {
	theta, length = make([]float64, n+1), make([]float64, n+1)
	pe, pn := loop(0)
	for i := 1; i <= n; i++ {
		th := 2 * math.Pi * float64(i) / float64(n)
		e, no := loop(th)
		theta[i], length[i] = th, length[i-1]+math.Hypot(e-pe, no-pn)
		pe, pn = e, no
	}
	return theta, length
}

// at returns the loop's point at distance s along it (s may exceed a lap).
func at(s float64, theta, length []float64) (east, north float64) {
	lap := length[len(length)-1]
	s = math.Mod(s, lap)
	i := 1
	for i < len(length)-1 && length[i] < s {
		i++
	}
	f := (s - length[i-1]) / (length[i] - length[i-1])
	return loop(theta[i-1] + f*(theta[i]-theta[i-1]))
}

// genRun returns the GPX run: its points and the file's bytes.
func genRun(t *testing.T) []byte {
	theta, length := arcTable(20000)
	hr, err := samples.SyntheticHR(samples.HR{Seed: hrSeed, Duration: 40 * time.Minute, Step: time.Second, Rest: 92, Target: 158, WarmUp: 5 * time.Minute, Drift: 6, Noise: 3})
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(runSeed, 1))
	mPerDegLat := gpx.EarthRadius * math.Pi / 180
	mPerDegLon := mPerDegLat * math.Cos(runOrigin[0]*math.Pi/180)
	var b bytes.Buffer
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>
<gpx version="1.1" creator="watchbox test data generator (host/sensors/testdata_test.go)" xmlns="http://www.topografix.com/GPX/1/1" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:gpxtpx="http://www.garmin.com/xmlschemas/TrackPointExtension/v1" xsi:schemaLocation="http://www.topografix.com/GPX/1/1 http://www.topografix.com/GPX/1/1/gpx.xsd">
 <metadata>
  <name>Golden Gate Park 5K (synthetic)</name>
  <desc>A generated 5 km run: 1-2 s points, GPS wander of a few metres, heart rate from samples.SyntheticHR seed 7.</desc>
  <time>` + runStart.Format(time.RFC3339) + `</time>
 </metadata>
 <trk>
  <name>Morning Run</name>
  <type>running</type>
  <trkseg>
`)
	s, speed, jitterE, jitterN, wander := 0.0, 2.2, 0.0, 0.0, 0.0
	for tm := time.Duration(0); ; {
		e, n := at(s, theta, length)
		lat := runOrigin[0] + (n+jitterN)/mPerDegLat
		lon := runOrigin[1] + (e+jitterE)/mPerDegLon
		ele := 14 + 9*math.Sin(2*math.Pi*s/1700) + 3*math.Sin(2*math.Pi*s/620+1)
		h, _ := hr.At(tm)
		fmt.Fprintf(&b, "   <trkpt lat=\"%.7f\" lon=\"%.7f\"><ele>%.1f</ele><time>%s</time><extensions><gpxtpx:TrackPointExtension><gpxtpx:hr>%.0f</gpxtpx:hr></gpxtpx:TrackPointExtension></extensions></trkpt>\n",
			lat, lon, ele, runStart.Add(tm).Format(time.RFC3339), h)
		if s >= runDistance {
			break
		}
		dt := time.Second
		if rng.Float64() < 0.4 {
			dt = 2 * time.Second
		}
		// Speed: up from 2.2 m/s to the 3.125 m/s target (5:20 min/km) in
		// the first minute, a wander of ±0.15 m/s, slower uphill.
		target := 3.125 - 0.12*math.Cos(2*math.Pi*s/1700)
		if tm < time.Minute {
			target = 2.2 + (target-2.2)*tm.Seconds()/60
		}
		wander = max(-0.15, min(0.15, 0.9*wander+0.06*(rng.Float64()-0.5)))
		speed = target + wander
		s = min(s+speed*dt.Seconds(), runDistance)
		jitterE = max(-2.5, min(2.5, 0.85*jitterE+0.8*(rng.Float64()-0.5)))
		jitterN = max(-2.5, min(2.5, 0.85*jitterN+0.8*(rng.Float64()-0.5)))
		tm += dt
	}
	b.WriteString("  </trkseg>\n </trk>\n</gpx>\n")
	return b.Bytes()
}

// genHR returns a heart-rate series of a 30-minute session at the 5 s
// workout cadence, as CSV and as the JSON object form.
func genHR(t *testing.T) (csv, js []byte) {
	hr, err := samples.SyntheticHR(samples.HR{Seed: hrSeed, Duration: 30 * time.Minute, Step: 5 * time.Second, Rest: 74, Target: 154, WarmUp: 6 * time.Minute, Drift: 8, Noise: 4})
	if err != nil {
		t.Fatal(err)
	}
	hr.Name = "bpm"
	var c bytes.Buffer
	c.WriteString("# Heart rate of a 30-minute run, one sample every 5 s (the workout cadence).\n")
	c.WriteString("# Generated by host/sensors/testdata_test.go: samples.SyntheticHR seed 7,\n")
	c.WriteString("# rest 74, target 154, warm-up 6m, drift 8 bpm/h, noise 4 bpm.\n")
	c.WriteString("# Times are seconds since the workout started; values are beats per minute.\n")
	if err := hr.WriteCSV(&c); err != nil {
		t.Fatal(err)
	}
	type sample struct {
		T float64 `json:"t"`
		V float64 `json:"v"`
	}
	obj := struct {
		Name          string   `json:"name"`
		Unit          string   `json:"unit"`
		Interpolation string   `json:"interpolation"`
		Samples       []sample `json:"samples"`
	}{Name: "heart_rate", Unit: "count/min", Interpolation: "linear"}
	for _, x := range hr.Samples {
		obj.Samples = append(obj.Samples, sample{x.T.Seconds(), x.V})
	}
	var j bytes.Buffer
	j.WriteString("{\n")
	head, _ := json.Marshal(obj.Name)
	fmt.Fprintf(&j, "  \"name\": %s,\n  \"unit\": %q,\n  \"interpolation\": %q,\n  \"samples\": [\n", head, obj.Unit, obj.Interpolation)
	for i, x := range obj.Samples {
		sep := ","
		if i == len(obj.Samples)-1 {
			sep = ""
		}
		fmt.Fprintf(&j, "    {\"t\": %g, \"v\": %g}%s\n", x.T, x.V, sep)
	}
	j.WriteString("  ]\n}\n")
	return c.Bytes(), j.Bytes()
}

func TestTestdata(t *testing.T) {
	run := genRun(t)
	csv, js := genHR(t)
	files := []struct {
		path string
		data []byte
	}{
		{"gpx/testdata/run-5k.gpx", run},
		{"samples/testdata/hr-30min.csv", csv},
		{"testdata/sample-app/route.gpx", run},
		{"testdata/sample-app/hr.json", js},
	}
	for _, f := range files {
		if *update {
			if err := os.WriteFile(filepath.FromSlash(f.path), f.data, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		have, err := os.ReadFile(filepath.FromSlash(f.path))
		if err != nil {
			t.Fatalf("%v (generate it with go test ./host/sensors -run TestTestdata -update)", err)
		}
		if !bytes.Equal(have, f.data) {
			// math.Sin and friends may differ in the last bits between
			// architectures; a rounding flip is not a changed file.
			sameGPX(t, f.path, have, f.data)
		}
	}
	checkRun(t, run)
	checkHR(t, csv, js)
}

// sameGPX fails unless two GPX files agree point for point within the
// printed precision.
func sameGPX(t *testing.T, path string, have, want []byte) {
	t.Helper()
	a, err1 := gpx.Parse(path, have)
	b, err2 := gpx.Parse(path, want)
	if err1 != nil || err2 != nil || len(a.Points) != len(b.Points) {
		t.Fatalf("%s is not what the generator makes (%v, %v); regenerate with -update", path, err1, err2)
	}
	for i := range a.Points {
		p, q := a.Points[i], b.Points[i]
		if math.Abs(p.Lat-q.Lat) > 2e-7 || math.Abs(p.Lon-q.Lon) > 2e-7 || math.Abs(p.Ele-q.Ele) > 0.11 ||
			!p.Time.Equal(q.Time) || math.Abs(p.HR-q.HR) > 1 {
			t.Fatalf("%s: point %d is %+v, the generator makes %+v; regenerate with -update", path, i, p, q)
		}
	}
}

func checkRun(t *testing.T, data []byte) {
	tr, err := gpx.Parse("run-5k.gpx", data)
	if err != nil {
		t.Fatal(err)
	}
	if l := tr.Length(); l < 4900 || l > 5300 {
		t.Errorf("the run is %.0f m, want about 5 km", l)
	}
	for i := 1; i < len(tr.Points); i++ {
		dt := tr.Points[i].Time.Sub(tr.Points[i-1].Time)
		if dt != time.Second && dt != 2*time.Second {
			t.Fatalf("point %d is %v after the previous, want 1 or 2 s", i, dt)
		}
		if !tr.Points[i].HasHR || tr.Points[i].HR < 80 || tr.Points[i].HR > 190 {
			t.Fatalf("point %d: heart rate %v", i, tr.Points[i].HR)
		}
	}
	if d := tr.Duration(); d < 24*time.Minute || d > 30*time.Minute {
		t.Errorf("the run takes %v, want 24-30 min", d)
	}
	t.Logf("run: %d points, %.0f m in %v", len(tr.Points), tr.Length(), tr.Duration())
}

func checkHR(t *testing.T, csv, js []byte) {
	a, err := samples.ParseCSV("hr-30min.csv", csv, samples.Options{})
	if err != nil {
		t.Fatal(err)
	}
	b, err := samples.ParseJSON("hr.json", js, samples.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(a.Samples) != 361 || len(b.Samples) != 361 {
		t.Fatalf("%d and %d samples, want 361", len(a.Samples), len(b.Samples))
	}
	for i := range a.Samples {
		if a.Samples[i].T != b.Samples[i].T || a.Samples[i].V != b.Samples[i].V {
			t.Fatalf("sample %d: CSV %+v, JSON %+v", i, a.Samples[i], b.Samples[i])
		}
	}
	if err := a.CheckRange(60, 190, "heart rate"); err != nil {
		t.Error(err)
	}
}
