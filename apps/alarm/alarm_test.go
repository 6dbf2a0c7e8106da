//go:build !wasip1

// Tests of the alarm sample on the host, with package watchtest; the app
// itself is built for wasip1 by watchtest.New.
package main_test

import (
	"testing"
	"time"

	"github.com/watchbox/watchbox/host/drive"
	"github.com/watchbox/watchbox/watchtest"
)

var evening = time.Date(2026, 6, 1, 22, 0, 0, 0, time.UTC)

// TestAlarmWakesAPurgedApp: scheduled at night for 06:30, the alarm
// relaunches the purged app, which claims the session and taps the wrist
// every 5 s until the user raises the wrist.
func TestAlarmWakesAPurgedApp(t *testing.T) {
	t.Parallel()
	app := watchtest.New(t, ".", watchtest.Start(evening))
	app.Launch()
	d := app.ExpectDecision("extended.scheduled")
	if want := time.Date(2026, 6, 2, 6, 30, 0, 0, time.UTC); !d.At.Equal(want) {
		t.Errorf("scheduled for %v, want %v", d.At, want)
	}
	app.ExpectJSON("state.json", `{"alarm": "scheduled"}`)
	app.Do(drive.Action{Kind: drive.Crown})
	app.Advance(time.Hour)
	app.Purge()
	app.Advance(7*time.Hour + 30*time.Minute + 12*time.Second)
	app.ExpectDecision("extended.alarm_fired")
	app.ExpectNoDecision("extended.unclaimed")
	app.ExpectJSON("state.json", `{"alarm": "ringing"}`)
	app.Launch() // the user raises the wrist and stops it
	app.ExpectDecision("extended.invalidated")
	app.ExpectJSON("state.json", `{"alarm": "stopped", "haptics": 3}`)
	app.Expect("expect no kill")
}

// TestAlarmRunsOutAfterHalfAnHour: an alarm nobody stops ends after
// smart_alarm_max with reason expired.
func TestAlarmRunsOutAfterHalfAnHour(t *testing.T) {
	t.Parallel()
	app := watchtest.New(t, ".", watchtest.Start(evening))
	app.Launch()
	app.Do(drive.Action{Kind: drive.Crown})
	app.Do(drive.Action{Kind: drive.FireAlarm})
	app.Advance(31 * time.Minute)
	app.ExpectDecision("extended.expired")
	app.ExpectJSON("state.json", `{"alarm": "expired"}`)
}
