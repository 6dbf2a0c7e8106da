// Command breathe is watchbox's mindfulness sample: opening it starts a
// mindfulness session (WKExtendedRuntimeSession), which keeps the app
// frontmost and running with the wrist down for up to an hour; the user
// ends it by pressing the Digital Crown, and the app saves how long it
// lasted and why it ended in state.json.
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
	Session string `json:"session"`           // running, or how the last one ended
	Started string `json:"started,omitempty"` // when the last session started (UTC)
	Minutes int    `json:"minutes"`           // how long the last session ran
	Ended   string `json:"ended,omitempty"`   // the invalidation reason
}

type app struct {
	session *watch.ExtendedRuntimeSession
	started time.Time
}

func (a *app) DidBecomeActive() {
	if a.session != nil {
		return // one session at a time: it is running
	}
	a.session = watch.NewExtendedRuntimeSession()
	a.session.Delegate = a
	if err := a.session.Start(); err != nil {
		watch.Warnf("no mindfulness session: %v", err)
	}
}

func (a *app) ExtendedRuntimeSessionDidStart(s *watch.ExtendedRuntimeSession) {
	a.started = time.Now().UTC()
	watch.Printf("breathing session %d started, until %s", s.ID(), s.ExpirationDate().UTC().Format("15:04:05"))
	save(state{Session: "running", Started: a.started.Format(time.RFC3339)})
}

func (a *app) ExtendedRuntimeSessionWillExpire(s *watch.ExtendedRuntimeSession) {
	watch.Printf("breathing session %d ends soon", s.ID())
}

func (a *app) ExtendedRuntimeSessionDidInvalidate(s *watch.ExtendedRuntimeSession, reason abi.InvalidationReason, err error) {
	mins := 0
	if !a.started.IsZero() {
		mins = int(time.Since(a.started) / time.Minute)
	}
	watch.Printf("breathing session %d ended after %d min: %v (%v)", s.ID(), mins, reason, err)
	save(state{Session: "ended", Started: a.started.Format(time.RFC3339), Minutes: mins, Ended: reason.String()})
	a.session = nil
}

func save(s state) {
	b, _ := json.Marshal(s)
	if err := os.WriteFile("/state.json", b, 0o644); err != nil {
		watch.Warnf("cannot save state: %v", err)
	}
}

// Compile-time checks of the delegate methods.
var (
	_ watch.Activator                      = (*app)(nil)
	_ watch.ExtendedRuntimeSessionDelegate = (*app)(nil)
)

func init() { watch.Register(&app{}) }

func main() {}
