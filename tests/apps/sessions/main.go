//go:build wasip1

// Command sessions is a test app of the background sessions. On each
// event it reads /mode in its container, lines of "EVENT ACTION..." (EVENT
// is a method name such as DidBecomeActive, Request for a pause or resume
// request, or * for any), and does each ACTION in order: new, prepare,
// start, pause, resume, stop, end (the workout), loc-bg, loc-fg, loc-stop
// (location updates with or without background updates), audio-on,
// audio-off, and spin (a few million instructions of busy work, for the
// background CPU limit); Data is the event of each live workout sample.
// It logs what it sees as "sessions: ..." lines.
package main

import (
	"os"
	"strings"
	"time"

	"github.com/watchbox/watchbox/guest-sdk/go/watch"
)

type app struct{}

var (
	session *watch.WorkoutSession
	loc     = &watch.LocationManager{}
	sound   = &watch.AudioSession{}
)

func init() {
	watch.Register(app{})
	loc.Delegate = app{}
	sound.Delegate = app{}
}

func (app) DidFinishLaunching()  { act("DidFinishLaunching") }
func (app) WillEnterForeground() { act("WillEnterForeground") }
func (app) DidBecomeActive()     { act("DidBecomeActive") }
func (app) WillResignActive()    { act("WillResignActive") }
func (app) DidEnterBackground()  { act("DidEnterBackground") }

func clock(t time.Time) string { return t.UTC().Format("15:04:05") }

func (app) DidChangeTo(s *watch.WorkoutSession, to, from watch.WorkoutState, date time.Time) {
	watch.Printf("sessions: changed %v->%v at %s", from, to, clock(date))
}

func (app) DidFail(s *watch.WorkoutSession, err *watch.WorkoutError) {
	watch.Printf("sessions: failed %d %s", err.Code, err.Message)
}

func (app) DidGenerate(s *watch.WorkoutSession, ev watch.WorkoutEventType, date time.Time) {
	watch.Printf("sessions: event %v at %s", ev, clock(date))
	if ev == watch.WorkoutEventPauseOrResumeRequest {
		act("Request")
	}
}

func (app) DidCollect(s *watch.WorkoutSession, d watch.WorkoutData) {
	watch.Printf("sessions: data at %s hr %.0f elapsed %v dist %.0f kcal %.1f", clock(d.Date), d.HeartRate, d.Elapsed, d.Distance, d.ActiveEnergy)
	act("Data")
}

// sink keeps spin's work from being optimized away.
var sink uint64

// spin is busy work: about 3 million loop iterations.
func spin() {
	x := sink | 1
	for i := 0; i < 3_000_000; i++ {
		x = x*6364136223846793005 + 1442695040888963407
	}
	sink = x
}

func (app) DidUpdateLocation(m *watch.LocationManager, l watch.Location) {
	watch.Printf("sessions: location %.5f %.5f at %s queued %v", l.Latitude, l.Longitude, clock(l.Date), l.Queued)
}

func (app) DidInterrupt(s *watch.AudioSession, began bool, date time.Time) {
	watch.Printf("sessions: interrupted began %v at %s", began, clock(date))
}

func (app) RouteDidChange(s *watch.AudioSession, connected bool, date time.Time) {
	watch.Printf("sessions: route connected %v at %s", connected, clock(date))
}

func act(event string) {
	b, err := os.ReadFile("/mode")
	if err != nil {
		return
	}
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) < 2 || (f[0] != event && f[0] != "*") {
			continue
		}
		for _, a := range f[1:] {
			if a == "spin" {
				spin()
				continue
			}
			do(a)
		}
	}
}

func do(action string) {
	if session == nil && action != "new" && !strings.HasPrefix(action, "loc") && !strings.HasPrefix(action, "audio") {
		session = watch.NewWorkoutSession(watch.ActivityRunning, app{})
	}
	var err error
	switch action {
	case "new":
		session = watch.NewWorkoutSession(watch.ActivityRunning, app{})
	case "prepare":
		err = session.Prepare()
	case "start":
		err = session.StartActivity()
	case "pause":
		err = session.Pause()
	case "resume":
		err = session.Resume()
	case "stop":
		err = session.StopActivity()
	case "end":
		err = session.End()
	case "loc-bg", "loc-fg":
		loc.AllowsBackgroundUpdates = action == "loc-bg"
		err = loc.StartUpdatingLocation()
	case "loc-stop":
		err = loc.StopUpdatingLocation()
	case "audio-on":
		err = sound.Activate()
	case "audio-off":
		err = sound.Deactivate()
	default:
		watch.Printf("sessions: unknown action %s", action)
		return
	}
	if err != nil {
		watch.Printf("sessions: %s error: %v", action, err)
	} else {
		watch.Printf("sessions: %s ok", action)
	}
}

func main() {}
