//go:build !wasip1

// Tests of the weather sample on the host, with package watchtest; the app
// itself is built for wasip1 by watchtest.New.
package main_test

import (
	"strings"
	"testing"
	"time"

	"github.com/watchbox/watchbox/watchtest"
)

// forecast is what the test server answers at first.
const forecast = `{"city": "Oslo", "temp": 11, "sky": "cloudy"}`

// TestRefreshDownloadsTheForecast: every background refresh starts a
// download; when it finishes, the app publishes the forecast to its
// complication and completes the url-session task.
func TestRefreshDownloadsTheForecast(t *testing.T) {
	t.Parallel()
	app := watchtest.New(t, ".", watchtest.Serve("GET", "/forecast", 200, forecast))
	app.Launch()
	app.WristDown()
	app.Advance(40 * time.Minute) // one refresh: 30 minutes after leaving the foreground

	app.Expect("expect weather task application-refresh")
	app.Expect("expect weather task url-session")
	if d := app.ExpectDecision("url_session.finished"); !strings.Contains(d.Reason, "HTTP 200") {
		t.Errorf("download: %s", d.Reason)
	}
	if got := app.Complication(); got != "Oslo 11°C cloudy" {
		t.Errorf("complication %q", got)
	}
	app.Expect("expect no kill")
}

// TestFailingServerKeepsTheComplication: a download that fails leaves the
// last forecast on the complication and logs a warning; the app keeps
// refreshing.
func TestFailingServerKeepsTheComplication(t *testing.T) {
	t.Parallel()
	app := watchtest.New(t, ".", watchtest.Serve("GET", "/forecast", 200, forecast))
	app.Launch()
	app.WristDown()
	app.Advance(40 * time.Minute)
	app.World().Serve("GET", "/forecast", 503, "maintenance")
	app.Advance(time.Hour)

	if got := app.Complication(); got != "Oslo 11°C cloudy" {
		t.Errorf("complication %q after the server failed", got)
	}
	failed := false
	for _, l := range app.Record().Logs() {
		failed = failed || strings.Contains(l, "failed: status 503")
	}
	if !failed {
		t.Errorf("no warning of the failed download in %q", app.Record().Logs())
	}
	app.Expect("between 00:40 and 01:40 expect weather task application-refresh")
}

// TestComplicationFromThePhone: a complication transfer from the phone is
// shown at once; the watch-connectivity task that follows starts a
// download like any other task, and one that fails (no route here) leaves
// the phone's value.
func TestComplicationFromThePhone(t *testing.T) {
	t.Parallel()
	app := watchtest.New(t, ".", watchtest.Complication(true))
	app.Launch()
	app.WristDown()
	app.Advance(3 * time.Minute)
	app.World().Phone("complication", `{"temperature": 19}`)
	app.ExpectDecision("complication_transfer.run")
	if got := app.Complication(); got != "19°C (from the phone)" {
		t.Errorf("complication %q", got)
	}
	app.Expect("expect weather task watch-connectivity")
	app.Advance(time.Minute)
	app.ExpectDecision("url_session.finished")
	if got := app.Complication(); got != "19°C (from the phone)" {
		t.Errorf("complication %q after a failed download", got)
	}
}
