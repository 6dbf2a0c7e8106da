// Command workout is watchbox's run tracker, the sample app of workout and
// location sessions. Opening it starts a run: a workout session (running)
// and location updates that go on in the background. While the wrist is
// down it keeps recording heart rate, distance and the route; pressing
// both side buttons pauses or resumes the run (the app decides, as
// HealthKit leaves it to the app); at the goal distance (the manifest's
// settings, 5 km) it ends the workout. It saves the run's summary every
// minute, so a purge loses at most a minute, and puts the last run on its
// complication. Run it through a morning run:
//
//	watchbox simulate tests/scenarios/workout.scenario
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"time"

	"github.com/watchbox/watchbox/guest-sdk/go/watch"
)

// summaryFile holds the latest run's summary in the data container.
const summaryFile = "run.json"

// restartAfter is how long after a run ended opening the app shows it
// instead of starting a new one.
const restartAfter = 30 * time.Minute

// summary is a run as saved and shown.
type summary struct {
	Start    time.Time     `json:"start"`
	Updated  time.Time     `json:"updated"`
	Distance float64       `json:"distance_m"`
	Energy   float64       `json:"energy_kcal"`
	Elapsed  time.Duration `json:"elapsed_ns"`
	AvgHR    float64       `json:"avg_hr"`
	MaxHR    float64       `json:"max_hr"`
	Points   int           `json:"points"`
	Pauses   int           `json:"pauses"`
	Ended    bool          `json:"ended"`
	Note     string        `json:"note,omitempty"`

	hrSum float64
	hrN   int
	saved time.Duration // Elapsed at the last save
}

type app struct {
	run     *summary
	session *watch.WorkoutSession
	loc     *watch.LocationManager
	goal    float64
}

func init() { watch.Register(&app{}) }

func (a *app) DidFinishLaunching() {
	a.goal = 5000
	if info, err := watch.App(); err == nil && info.Settings != nil {
		var s struct {
			Goal float64 `json:"goalMeters"`
		}
		if json.Unmarshal(info.Settings, &s) == nil && s.Goal > 0 {
			a.goal = s.Goal
		}
	}
	if b, err := os.ReadFile(summaryFile); err == nil {
		var s summary
		if json.Unmarshal(b, &s) == nil {
			a.run = &s
			if !s.Ended {
				// The instance died during the run: what was saved is
				// the run.
				s.Ended, s.Note = true, "interrupted"
				a.save()
			}
			a.publish()
		}
	}
}

// DidBecomeActive starts a run, unless one is on or the last one ended
// only just now (the user is looking at it).
func (a *app) DidBecomeActive() {
	if a.session != nil && a.session.State() != watch.WorkoutEnded {
		return
	}
	if a.run != nil && a.run.Ended && watchNow().Sub(a.run.Updated) < restartAfter {
		return
	}
	a.run = &summary{Start: watchNow(), Updated: watchNow()}
	a.session = watch.NewWorkoutSession(watch.ActivityRunning, a)
	if err := a.session.StartActivity(); err != nil {
		watch.Warnf("cannot start the run: %v", err)
		a.run = nil
		return
	}
	a.loc = &watch.LocationManager{AllowsBackgroundUpdates: true, Delegate: a}
	if err := a.loc.StartUpdatingLocation(); err != nil {
		watch.Warnf("no route for this run: %v", err)
	}
	a.save()
}

// watchNow is the time of the event being handled.
func watchNow() time.Time {
	if e := watch.Current(); e != nil {
		return time.Unix(0, e.Time).UTC()
	}
	return time.Now().UTC()
}

func (a *app) DidChangeTo(s *watch.WorkoutSession, to, from watch.WorkoutState, date time.Time) {
	watch.Printf("workout %v -> %v at %s", from, to, date.Format("15:04:05"))
	if to == watch.WorkoutEnded && a.run != nil {
		a.run.Ended = true
		a.run.Updated = date
		if a.loc != nil {
			a.loc.StopUpdatingLocation()
		}
		a.save()
		a.publish()
	}
}

func (a *app) DidFail(s *watch.WorkoutSession, err *watch.WorkoutError) {
	watch.Warnf("%v", err)
	if a.run != nil {
		a.run.Note = err.Message
	}
}

// DidGenerate honours the user's pause and resume requests.
func (a *app) DidGenerate(s *watch.WorkoutSession, ev watch.WorkoutEventType, date time.Time) {
	switch ev {
	case watch.WorkoutEventPauseOrResumeRequest:
		if s.State() == watch.WorkoutRunning {
			s.Pause()
		} else if s.State() == watch.WorkoutPaused {
			s.Resume()
		}
	case watch.WorkoutEventPause:
		if a.run != nil {
			a.run.Pauses++
		}
	}
}

func (a *app) DidCollect(s *watch.WorkoutSession, d watch.WorkoutData) {
	r := a.run
	if r == nil {
		return
	}
	r.Distance, r.Energy, r.Elapsed, r.Updated = d.Distance, d.ActiveEnergy, d.Elapsed, d.Date
	if d.HeartRate > 0 {
		r.hrSum += d.HeartRate
		r.hrN++
		r.AvgHR = float64(int(r.hrSum/float64(r.hrN)*10+0.5)) / 10
		r.MaxHR = max(r.MaxHR, d.HeartRate)
	}
	if r.Distance >= a.goal && s.State() == watch.WorkoutRunning {
		s.StopActivity()
		s.End()
		return
	}
	if r.Elapsed-r.saved >= time.Minute {
		a.save()
	}
}

func (a *app) DidUpdateLocation(m *watch.LocationManager, loc watch.Location) {
	if a.run != nil {
		a.run.Points++
	}
}

// save writes the run's summary, through a temporary file so that a purge
// never leaves half of one.
func (a *app) save() {
	r := a.run
	r.saved = r.Elapsed
	b, _ := json.Marshal(r)
	if err := os.WriteFile(summaryFile+".tmp", b, 0o644); err != nil {
		watch.Warnf("cannot save the run: %v", err)
		return
	}
	os.Rename(summaryFile+".tmp", summaryFile)
}

// publish puts the last run on the complication.
func (a *app) publish() {
	r := a.run
	text := fmt.Sprintf("%.2f km %s", r.Distance/1000, r.Elapsed.Round(time.Second))
	if r.Note != "" {
		text += " (" + r.Note + ")"
	}
	b, _ := json.Marshal(map[string]string{"last_run": text})
	if err := watch.UpdateComplication(b); err != nil {
		watch.Warnf("complication: %v", err)
	}
}

func main() {}
