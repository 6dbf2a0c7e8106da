//go:build !wasip1

// Tests of the breathe sample on the host, with package watchtest; the app
// itself is built for wasip1 by watchtest.New.
package main_test

import (
	"testing"
	"time"

	"github.com/watchbox/watchbox/host/drive"
	"github.com/watchbox/watchbox/watchtest"
)

var start = time.Date(2026, 6, 1, 7, 0, 0, 0, time.UTC)

// TestCrownPressEndsTheSession: opening breathe starts a mindfulness
// session; with the wrist down it stays frontmost far past the 2 min
// frontmost timeout, and a crown press ends the session with
// resigned_frontmost, which the app saves.
func TestCrownPressEndsTheSession(t *testing.T) {
	t.Parallel()
	app := watchtest.New(t, ".", watchtest.Start(start))
	app.Launch()
	app.Advance(time.Second)
	app.ExpectDecision("extended.started")
	app.ExpectJSON("state.json", `{"session": "running"}`)
	app.WristDown()
	app.Advance(20 * time.Minute)
	if s := app.State().String(); s != "inactive" {
		t.Errorf("state %s 20 min after wrist down, want inactive: the session keeps the app frontmost", s)
	}
	app.Do(drive.Action{Kind: drive.Crown})
	app.ExpectDecision("extended.resigned_frontmost")
	app.ExpectJSON("state.json", `{"session": "ended", "minutes": 20, "ended": "resigned_frontmost"}`)
}

// TestSessionExpiresAfterAnHour: left alone, the session warns before its
// hour is up and then expires.
func TestSessionExpiresAfterAnHour(t *testing.T) {
	t.Parallel()
	app := watchtest.New(t, ".", watchtest.Start(start))
	app.Launch()
	app.WristDown()
	app.Advance(61 * time.Minute)
	app.ExpectDecision("extended.will_expire")
	app.ExpectDecision("extended.expired")
	app.ExpectJSON("state.json", `{"session": "ended", "ended": "expired"}`)
}
