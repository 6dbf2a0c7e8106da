//go:build !wasip1

// Tests of the workout sample on the host, with package watchtest; the app
// itself is built for wasip1 by watchtest.New.
package main_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/watchbox/watchbox/host/drive"
	"github.com/watchbox/watchbox/watchtest"
)

var start = time.Date(2026, 6, 1, 6, 30, 0, 0, time.UTC)

// The route and heart rate of tests/scenarios/workout.scenario: a 5 km loop
// with a point every 1-2 s, and a 30-minute heart-rate series.
const (
	route     = "../../tests/scenarios/data/run-5k.gpx"
	heartRate = "../../tests/scenarios/data/run-hr.json"
)

// startRun opens the app on the route with the wrist then lowered: the run
// starts at once. Live data and location come every 30 s, as in the
// scenario, to keep the run short.
func startRun(t *testing.T) *watchtest.App {
	t.Helper()
	app := watchtest.New(t, ".", watchtest.Start(start),
		watchtest.Set("workout_heart_rate_interval", "30s"), watchtest.Set("location_interval", "30s"))
	app.Do(drive.Action{Kind: drive.Route, File: route})
	app.Do(drive.Action{Kind: drive.HeartRate, File: heartRate})
	app.Launch()
	app.Advance(20 * time.Second)
	app.WristDown()
	return app
}

// run is the part of the app's run.json these tests read.
type run struct {
	Distance float64 `json:"distance_m"`
	Points   int     `json:"points"`
	Pauses   int     `json:"pauses"`
	Ended    bool    `json:"ended"`
	Note     string  `json:"note"`
	AvgHR    float64 `json:"avg_hr"`
}

func readRun(t *testing.T, app *watchtest.App) run {
	t.Helper()
	var r run
	if err := json.Unmarshal(app.ReadFile("run.json"), &r); err != nil {
		t.Fatalf("run.json: %v", err)
	}
	return r
}

// TestRunGoesOnWithTheWristDown: the workout keeps the app running with
// the wrist down, and the saved summary grows with distance, route points
// and heart rate.
func TestRunGoesOnWithTheWristDown(t *testing.T) {
	t.Parallel()
	app := startRun(t)
	app.Advance(10 * time.Minute)

	app.ExpectDecision("workout.keeps_running")
	r := readRun(t, app)
	if r.Ended || r.Distance < 1000 || r.Points < 10 || r.AvgHR <= 0 {
		t.Errorf("after 10 minutes: %+v, want a run going on, over 1 km, with route points and heart rate", r)
	}
	app.Expect("expect no kill")
}

// TestBothButtonsPauseTheRun: pressing both side buttons asks to pause;
// the app pauses, counts it, and resumes at the next press.
func TestBothButtonsPauseTheRun(t *testing.T) {
	t.Parallel()
	app := startRun(t)
	app.Advance(3 * time.Minute)
	app.Do(drive.Action{Kind: drive.BothButtons})
	app.ExpectDecision("workout.pause_request")
	app.Advance(time.Minute)
	app.Do(drive.Action{Kind: drive.BothButtons})
	app.Advance(2 * time.Minute) // past the next save, a minute of run after the last

	if r := readRun(t, app); r.Pauses != 1 || r.Ended {
		t.Errorf("after a pause and a resume: %+v, want 1 pause and the run going on", r)
	}
}

// TestPurgeKeepsTheRun: a purge in the middle of a run loses at most the
// last minute; opening the app again shows the saved run, marked
// interrupted.
func TestPurgeKeepsTheRun(t *testing.T) {
	t.Parallel()
	app := startRun(t)
	app.Advance(5 * time.Minute)
	before := readRun(t, app)
	app.Purge()
	app.Launch()

	after := readRun(t, app)
	if !after.Ended || after.Note != "interrupted" || after.Distance < before.Distance {
		t.Errorf("after a purge and a launch: %+v, want the run of %.0f m ended and marked interrupted", after, before.Distance)
	}
}

// TestAnotherWorkoutEndsOurs: only one workout runs on the watch; another
// app's ends the run, which the app saves as ended.
func TestAnotherWorkoutEndsOurs(t *testing.T) {
	t.Parallel()
	app := startRun(t)
	app.Advance(4 * time.Minute)
	app.Do(drive.Action{Kind: drive.OtherWorkout})
	app.ExpectDecision("workout.one_system_wide")

	if r := readRun(t, app); !r.Ended {
		t.Errorf("after another app's workout: %+v, want the run ended", r)
	}
}
