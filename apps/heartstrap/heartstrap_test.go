//go:build !wasip1

// Tests of the heartstrap sample on the host, with package watchtest; the
// app itself is built for wasip1 by watchtest.New. Each names the rule of
// the Bluetooth central feature it shows.
package main_test

import (
	"strings"
	"testing"
	"time"

	"github.com/watchbox/watchbox/host"
	"github.com/watchbox/watchbox/host/drive"
	"github.com/watchbox/watchbox/watchtest"
)

// start puts a strap in range (the heart rate from a file of one sample a
// minute, the battery at 87 %) and launches the app, which finds the strap
// with a foreground scan and follows the heart rate.
func start(t *testing.T, opts ...watchtest.Option) *watchtest.App {
	app := watchtest.New(t, ".", append([]watchtest.Option{watchtest.Complication(true)}, opts...)...)
	app.World().Peripheral("strap", "180D/2A37", "@testdata/hr.csv")
	app.World().Peripheral("strap", "180F/2A19", "87")
	app.Launch()
	return app
}

func decisions(app *watchtest.App, rule string) []host.Decision {
	var out []host.Decision
	for _, d := range app.Record().Decisions() {
		if d.Rule == rule {
			out = append(out, d)
		}
	}
	return out
}

// TestRefreshReadsTheStrap: a background refresh connects, reads both
// values into the complication (the heart rate is past its file's last
// sample, so it holds it), disconnects and completes its task
// (bluetooth.connect, bluetooth.read, bluetooth.disconnect).
func TestRefreshReadsTheStrap(t *testing.T) {
	t.Parallel()
	app := start(t)
	app.ExpectDecision("bluetooth.scan_foreground")
	app.WristDown()
	app.Advance(20 * time.Minute) // background at +2 min, refresh 15 min later

	app.Expect("expect heartstrap task application-refresh")
	app.ExpectDecision("bluetooth.connect")
	if d := app.ExpectDecision("bluetooth.read"); !strings.Contains(d.Reason, `of "strap"`) {
		t.Errorf("read: %s", d.Reason)
	}
	app.ExpectDecision("bluetooth.disconnect")
	if got, want := app.Complication(), "62 bpm, battery 87%"; got != want {
		t.Errorf("complication %q, want %q", got, want)
	}
	if len(app.Host().Bluetooth().Connections()) != 0 {
		t.Errorf("still connected after the task: %v", app.Host().Bluetooth().Connections())
	}
	app.Expect("expect no kill")
}

// TestSubscriptionWhileFrontmost: the frontmost app hears each new sample
// of the heart rate (bluetooth.subscribe, bluetooth.value_updated);
// leaving the foreground with no task open closes the connection and the
// app is told (bluetooth.closed, a bluetooth_disconnected call).
func TestSubscriptionWhileFrontmost(t *testing.T) {
	t.Parallel()
	app := start(t)
	app.ExpectDecision("bluetooth.subscribe")
	if cs := app.Host().Bluetooth().Connections(); len(cs) != 1 || cs[0].Peripheral != "strap" || len(cs[0].Subscriptions) != 1 {
		t.Fatalf("connections %+v", cs)
	}
	app.Advance(90 * time.Second)
	if n := len(decisions(app, "bluetooth.value_updated")); n != 1 {
		t.Errorf("%d value updates in 90 s of one sample a minute, want 1", n)
	}
	if got := app.Complication(); got != "64 bpm (live)" {
		t.Errorf("complication %q", got)
	}
	app.Background()
	if d := app.ExpectDecision("bluetooth.closed"); !strings.Contains(d.Reason, "left the foreground") {
		t.Errorf("closed: %s", d.Reason)
	}
	told := false
	for _, c := range app.Record().Calls() {
		told = told || c.Event.String() == "bluetooth_disconnected"
	}
	if !told {
		t.Error("the app was not told of the closed connection")
	}
	if len(app.Host().Bluetooth().Connections()) != 0 {
		t.Errorf("still connected in the background")
	}
}

// TestTaskCompletionClosesTheConnection: the app reads the battery on a
// timely alert and leaves the connection open; the system closes it when
// the task completes (bluetooth.closed), without calling the app.
func TestTaskCompletionClosesTheConnection(t *testing.T) {
	t.Parallel()
	app := start(t)
	app.Background()
	app.Advance(time.Minute)
	app.World().Peripheral("strap", "180F/2A19", "15")
	app.Do(drive.Action{Kind: drive.BluetoothAlert, Peripheral: "strap"})
	var closed []string
	for _, d := range decisions(app, "bluetooth.closed") {
		closed = append(closed, d.Reason)
	}
	if len(closed) != 2 || !strings.Contains(closed[1], "last background task completed") {
		t.Fatalf("closed: %q", closed)
	}
	if got := app.Complication(); got != "battery 15%" {
		t.Errorf("complication %q", got)
	}
}

// TestOutOfRange: a peripheral that goes away is refused by name
// (bluetooth.unknown); the app forgets it and scans in the background,
// charged to the Bluetooth budget (bluetooth.run), until it is back.
func TestOutOfRange(t *testing.T) {
	t.Parallel()
	app := start(t)
	app.Background()
	app.World().PeripheralOff("strap")
	app.Advance(16 * time.Minute)
	if d := app.ExpectDecision("bluetooth.unknown"); !strings.Contains(d.Reason, `no peripheral "strap"`) {
		t.Errorf("unknown: %s", d.Reason)
	}
	app.Advance(15 * time.Minute)
	if d := app.ExpectDecision("bluetooth.run"); d.Kind != "bluetooth_scan" {
		t.Errorf("scan: %s (%s)", d.Reason, d.Kind)
	}
	app.World().Peripheral("strap", "180D/2A37", "70")
	app.Advance(15 * time.Minute)
	if got := app.Complication(); got != "70 bpm" {
		t.Errorf("complication %q", got)
	}
}

// TestGoneWhileSubscribed: a peripheral going out of range while the
// frontmost app follows it closes the connection, and the app is told.
func TestGoneWhileSubscribed(t *testing.T) {
	t.Parallel()
	app := start(t)
	app.World().PeripheralOff("strap")
	if d := app.ExpectDecision("bluetooth.closed"); !strings.Contains(d.Reason, "out of range") {
		t.Errorf("closed: %s", d.Reason)
	}
	logged := false
	for _, l := range app.Record().Logs() {
		logged = logged || strings.Contains(l, "strap disconnected: the peripheral went out of range")
	}
	if !logged {
		t.Errorf("the app did not hear of it: %q", app.Record().Logs())
	}
}
