//go:build !wasip1

// Tests of the refresh sample on the host, with package watchtest; the app
// itself is built for wasip1 by watchtest.New.
package main_test

import (
	"strings"
	"testing"
	"time"

	"github.com/watchbox/watchbox/abi"
	"github.com/watchbox/watchbox/watchtest"
)

var start = time.Date(2026, 6, 1, 7, 0, 0, 0, time.UTC)

// refreshes returns when the app's application-refresh tasks were
// delivered, in order.
func refreshes(app *watchtest.App) []time.Time {
	var at []time.Time
	for _, task := range app.Record().Tasks() {
		if task.Kind == abi.TaskApplicationRefresh {
			at = append(at, task.Time)
		}
	}
	return at
}

// TestFourAnHourWithTheComplication: with its complication on the active
// face the app may refresh four times an hour, so every request, 15
// minutes after the last, runs when asked, and each is completed.
func TestFourAnHourWithTheComplication(t *testing.T) {
	t.Parallel()
	app := watchtest.New(t, ".", watchtest.Start(start), watchtest.Complication(true))
	app.Launch()
	app.WristDown()
	app.Advance(time.Hour)

	at := refreshes(app)
	if len(at) != 3 {
		t.Fatalf("%d refreshes in the first hour (at %v), want 3: 15, 30 and 45 minutes after the app left the foreground", len(at), at)
	}
	for i := 1; i < len(at); i++ {
		if gap := at[i].Sub(at[i-1]); gap < 15*time.Minute || gap > 16*time.Minute {
			t.Errorf("refresh %d came %v after the one before, want the 15 minutes the app asks for", i+1, gap)
		}
	}
	app.ExpectNoDecision("refresh.hourly_budget")
	for _, task := range app.Record().Tasks() {
		if task.Rule != "task.completed" {
			t.Errorf("%v task %d ended by %s, want task.completed", task.Kind, task.ID, task.Rule)
		}
	}
	app.Expect("expect no kill")
}

// TestOneAnHourWithoutTheComplication: without the complication the
// budget is one refresh an hour, and the system delays the app's requests
// to keep to it.
func TestOneAnHourWithoutTheComplication(t *testing.T) {
	t.Parallel()
	app := watchtest.New(t, ".", watchtest.Start(start), watchtest.Complication(false))
	app.Launch()
	app.WristDown()
	app.Advance(3 * time.Hour)

	app.ExpectDecision("refresh.hourly_budget")
	at := refreshes(app)
	if len(at) < 2 {
		t.Fatalf("%d refreshes in three hours (at %v), want one an hour", len(at), at)
	}
	for i := 1; i < len(at); i++ {
		if gap := at[i].Sub(at[i-1]); gap < time.Hour {
			t.Errorf("refresh %d came %v after the one before, want at least an hour", i+1, gap)
		}
	}
}

// TestPushCountsAsARefresh: a content-available push wakes the app in the
// background, and it counts the push as a refresh.
func TestPushCountsAsARefresh(t *testing.T) {
	t.Parallel()
	app := watchtest.New(t, ".", watchtest.Start(start))
	app.Launch()
	app.WristDown()
	app.Advance(5 * time.Minute)
	app.World().Push("../../tests/scenarios/push/refresh-now.apns")

	found := false
	for _, l := range app.Record().Logs() {
		found = found || strings.HasPrefix(l, "background push ") && strings.HasSuffix(l, "(refresh 1 since launch)")
	}
	if !found {
		t.Errorf("no log of the push as the first refresh in %q", app.Record().Logs())
	}
	app.Expect("expect no kill")
}
