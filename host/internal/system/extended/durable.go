package extended

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/watchbox/watchbox/abi"
)

// saved is the extended runtime feature's part of the app's saved state:
// what a watch keeps across a reboot. That is the scheduled smart alarm
// (the system, not the app, holds it and launches the app at its date)
// and the user's Background App Refresh setting. A running session is not
// saved: it dies with the instance, as on a reboot.
type saved struct {
	Alarm  *savedAlarm `json:"alarm,omitempty"`
	BAROff bool        `json:"bar_off,omitempty"`
}

// savedAlarm is a scheduled smart alarm: the guest's session id, its type
// and its date.
type savedAlarm struct {
	ID   int64           `json:"id"`
	Type abi.SessionType `json:"type"`
	At   time.Time       `json:"at"`
}

func (f *Feature) save() any {
	s := saved{BAROff: f.barOff}
	if a := f.sched; a != nil {
		s.Alarm = &savedAlarm{ID: a.id, Type: a.typ, At: a.start}
	}
	if s.Alarm == nil && !s.BAROff {
		return nil
	}
	return s
}

// restore takes the saved state back: a scheduled smart alarm is armed at
// its date (the core fires it at once, late, when the date passed while
// the host was down). No instance of the app owns it any more, so at its
// date the app is launched to claim it (handle_extended_session).
func (f *Feature) restore(raw json.RawMessage, now time.Time) error {
	var s saved
	if err := json.Unmarshal(raw, &s); err != nil {
		return err
	}
	f.barOff = s.BAROff
	a := s.Alarm
	if a == nil {
		return nil
	}
	if a.ID <= 0 || a.At.IsZero() {
		return fmt.Errorf("the scheduled smart alarm has id %d and date %v; an alarm needs a positive id and a date", a.ID, a.At)
	}
	if t, _ := modeType(&f.a.Manifest); t != a.Type {
		return fmt.Errorf("the scheduled session is a %v session, but the manifest's extended mode is now %v; remove the state file to drop it", a.Type, t)
	}
	f.sched = &session{id: a.ID, typ: a.Type, start: a.At} // owner 0: no instance owns it
	f.a.Timers.Set(timerAlarm, a.At, "smart alarm", f.fire)
	return nil
}
