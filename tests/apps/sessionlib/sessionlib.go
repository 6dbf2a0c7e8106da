//go:build wasip1

// Package sessionlib is the guest of the extended runtime session tests:
// the session-* test apps are this package under manifests that declare
// different extended modes. It obeys commands sent as phone user info,
// {"do": "start"} and the like, and logs every command's outcome and every
// delegate call as "session: ..." lines for the tests to read.
package sessionlib

import (
	"encoding/json"
	"os"
	"time"

	"github.com/watchbox/watchbox/abi"
	"github.com/watchbox/watchbox/guest-sdk/go/watch"
)

type app struct {
	cur     *watch.ExtendedRuntimeSession
	burn    time.Duration // CPU to spend in each background task
	repeats int
}

// command is one instruction from the test.
type command struct {
	Do         string `json:"do"`
	At         string `json:"at"`          // start_at: RFC 3339
	Handler    bool   `json:"handler"`     // notify: with a repeat handler
	IntervalMS int64  `json:"interval_ms"` // notify: what the handler returns
	StopAfter  int    `json:"stop_after"`  // notify: the handler returns 0 after this many repeats
	BurnMS     int64  `json:"burn_ms"`     // burn: CPU per background task
}

func (a *app) DidReceiveUserInfo(payload []byte) { a.run(payload) }
func (a *app) DidReceiveMessage(payload []byte)  { a.run(payload) }

func (a *app) run(payload []byte) {
	var c command
	if err := json.Unmarshal(payload, &c); err != nil {
		watch.Printf("session: bad command %s: %v", payload, err)
		return
	}
	switch c.Do {
	case "new":
		a.cur = watch.NewExtendedRuntimeSession()
		a.cur.Delegate = a
		watch.Printf("session: new %d", a.cur.ID())
	case "start":
		a.need()
		watch.Printf("session: start %d -> %v, state %v", a.cur.ID(), a.cur.Start(), a.cur.State())
	case "start_at":
		a.need()
		t, _ := time.Parse(time.RFC3339, c.At)
		watch.Printf("session: start_at %d -> %v, state %v", a.cur.ID(), a.cur.StartAt(t), a.cur.State())
	case "invalidate":
		a.need()
		watch.Printf("session: invalidate %d -> %v, state %v", a.cur.ID(), a.cur.Invalidate(), a.cur.State())
	case "state":
		a.need()
		watch.Printf("session: state %d %v until %s", a.cur.ID(), a.cur.State(), a.cur.ExpirationDate().UTC().Format("15:04:05"))
	case "notify":
		a.need()
		var h func(*abi.Haptic) time.Duration
		if c.Handler {
			h = func(next *abi.Haptic) time.Duration {
				a.repeats++
				if c.StopAfter > 0 && a.repeats >= c.StopAfter {
					return 0
				}
				return time.Duration(c.IntervalMS) * time.Millisecond
			}
		}
		watch.Printf("session: notify %d -> %v", a.cur.ID(), a.cur.NotifyUser(abi.HapticNotification, h))
	case "burn":
		a.burn = time.Duration(c.BurnMS) * time.Millisecond
		watch.Printf("session: burn %v per task", a.burn)
	case "noclaim":
		os.WriteFile("/noclaim", nil, 0o644)
	default:
		watch.Printf("session: unknown command %q", c.Do)
	}
}

// need makes a session when the test has not.
func (a *app) need() {
	if a.cur == nil {
		a.cur = watch.NewExtendedRuntimeSession()
		a.cur.Delegate = a
	}
}

func (a *app) HandleBackgroundTasks(tasks []*watch.Task) {
	start := time.Now()
	for time.Since(start) < a.burn {
	}
	for _, t := range tasks {
		t.Complete(false)
	}
}

func (a *app) HandleExtendedRuntimeSession(s *watch.ExtendedRuntimeSession) {
	if _, err := os.Stat("/noclaim"); err == nil {
		watch.Printf("session: not claiming %d", s.ID())
		return
	}
	watch.Printf("session: claiming %d", s.ID())
	s.Delegate = a
	a.cur = s
}

func (a *app) ExtendedRuntimeSessionDidStart(s *watch.ExtendedRuntimeSession) {
	watch.Printf("session: didStart %d until %s", s.ID(), s.ExpirationDate().UTC().Format("15:04:05"))
}

func (a *app) ExtendedRuntimeSessionWillExpire(s *watch.ExtendedRuntimeSession) {
	watch.Printf("session: willExpire %d", s.ID())
}

func (a *app) ExtendedRuntimeSessionDidInvalidate(s *watch.ExtendedRuntimeSession, reason abi.InvalidationReason, err error) {
	watch.Printf("session: didInvalidate %d %v %v", s.ID(), reason, err)
}

// Register registers the test delegate.
func Register() { watch.Register(&app{}) }
