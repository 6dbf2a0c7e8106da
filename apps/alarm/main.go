// Command alarm is watchbox's smart alarm sample: opened in the evening,
// it schedules a smart alarm session for the next morning's wake time
// (the manifest's settings, "06:30" UTC) with start(at:). The system
// purges it overnight; at the wake time it launches the app and hands it
// the session, which the app claims, and the alarm taps the wrist with
// notifyUser every 5 seconds until the user raises the wrist and stops it.
package main

import (
	"encoding/json"
	"os"
	"time"

	"github.com/watchbox/watchbox/abi"
	"github.com/watchbox/watchbox/guest-sdk/go/watch"
)

// state is what the app keeps in its data container.
type state struct {
	Alarm   string `json:"alarm"`             // scheduled, ringing, stopped, or how it ended
	For     string `json:"for,omitempty"`     // the wake time (UTC)
	Haptics int    `json:"haptics,omitempty"` // taps played before the user stopped it
}

type app struct {
	session *watch.ExtendedRuntimeSession
	haptics int
	st      state
}

// wakeTime returns the next wake time after now, from the settings.
func wakeTime(now time.Time) time.Time {
	wake := "06:30"
	if info, err := watch.App(); err == nil && info.Settings != nil {
		var s struct{ Wake string }
		if json.Unmarshal(info.Settings, &s) == nil && s.Wake != "" {
			wake = s.Wake
		}
	}
	hm, err := time.Parse("15:04", wake)
	if err != nil {
		hm, _ = time.Parse("15:04", "06:30")
	}
	t := time.Date(now.Year(), now.Month(), now.Day(), hm.Hour(), hm.Minute(), 0, 0, time.UTC)
	if !t.After(now) {
		t = t.AddDate(0, 0, 1)
	}
	return t
}

func (a *app) DidFinishLaunching() { a.st = load() }

func (a *app) DidBecomeActive() {
	switch {
	case a.session != nil && a.st.Alarm == "ringing":
		// The user raised the wrist and pressed Stop.
		watch.Printf("alarm stopped by the user after %d taps", a.haptics)
		a.session.Invalidate()
	case a.st.Alarm != "scheduled":
		s := watch.NewExtendedRuntimeSession()
		s.Delegate = a
		at := wakeTime(time.Now().UTC())
		if err := s.StartAt(at); err != nil {
			watch.Warnf("cannot schedule the alarm: %v", err)
			return
		}
		a.session = s
		a.save(state{Alarm: "scheduled", For: at.Format(time.RFC3339)})
		watch.Printf("smart alarm scheduled for %s", at.Format(time.RFC3339))
	}
}

// HandleExtendedRuntimeSession claims the alarm's session when the system
// launched the app for it.
func (a *app) HandleExtendedRuntimeSession(s *watch.ExtendedRuntimeSession) {
	watch.Printf("woken for smart alarm %d", s.ID())
	s.Delegate = a
	a.session = s
}

func (a *app) ExtendedRuntimeSessionDidStart(s *watch.ExtendedRuntimeSession) {
	watch.Printf("alarm %d ringing until %s", s.ID(), s.ExpirationDate().UTC().Format("15:04:05"))
	a.haptics = 0
	a.save(state{Alarm: "ringing", For: a.st.For})
	err := s.NotifyUser(abi.HapticNotification, func(next *abi.Haptic) time.Duration {
		a.haptics++
		if a.haptics >= 3 {
			*next = abi.HapticRetry // insist a little more
		}
		return 5 * time.Second
	})
	if err != nil {
		watch.Warnf("notifyUser: %v", err)
	}
}

func (a *app) ExtendedRuntimeSessionWillExpire(s *watch.ExtendedRuntimeSession) {
	watch.Printf("alarm %d ends soon", s.ID())
}

func (a *app) ExtendedRuntimeSessionDidInvalidate(s *watch.ExtendedRuntimeSession, reason abi.InvalidationReason, err error) {
	end := reason.String()
	if reason == abi.InvalidationNone {
		end = "stopped"
	}
	watch.Printf("alarm %d over: %v (%v)", s.ID(), reason, err)
	a.save(state{Alarm: end, For: a.st.For, Haptics: a.haptics})
	a.session = nil
}

func (a *app) save(s state) {
	a.st = s
	b, _ := json.Marshal(s)
	if err := os.WriteFile("/state.json", b, 0o644); err != nil {
		watch.Warnf("cannot save state: %v", err)
	}
}

func load() state {
	var s state
	if b, err := os.ReadFile("/state.json"); err == nil {
		json.Unmarshal(b, &s)
	}
	return s
}

// Compile-time checks of the delegate methods.
var (
	_ watch.Activator                      = (*app)(nil)
	_ watch.ExtendedSessionHandler         = (*app)(nil)
	_ watch.ExtendedRuntimeSessionDelegate = (*app)(nil)
)

func init() { watch.Register(&app{}) }

func main() {}
