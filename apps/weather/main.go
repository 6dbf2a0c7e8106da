// Command weather is watchbox's background-model sample app. It asks for a
// background refresh every 30 minutes; each refresh downloads the forecast
// through a background URL session, and when the download wakes it, it
// publishes the temperature to its complication and completes the task with
// a snapshot. Run it through a day:
//
//	watchbox simulate tests/scenarios/weather.scenario
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"time"

	"github.com/watchbox/watchbox/abi"
	"github.com/watchbox/watchbox/guest-sdk/go/watch"
)

// defaultForecastURL is where the forecast comes from unless the
// manifest's settings name another "forecastURL"; the manifest must allow
// its host, and scenarios serve it from their routes.
const defaultForecastURL = "https://weather.example/forecast"

// forecastURL returns the configured forecast URL.
func forecastURL() string {
	info, err := watch.App()
	if err != nil || info.Settings == nil {
		return defaultForecastURL
	}
	var s struct {
		ForecastURL string `json:"forecastURL"`
	}
	if err := json.Unmarshal(info.Settings, &s); err != nil || s.ForecastURL == "" {
		return defaultForecastURL
	}
	return s.ForecastURL
}

const every = 30 * time.Minute

type forecast struct {
	City string  `json:"city"`
	Temp float64 `json:"temp"`
	Sky  string  `json:"sky"`
}

type app struct{}

func (app) DidFinishLaunching() { schedule() }
func (app) DidEnterBackground() { schedule() }

func (app) HandleBackgroundTasks(tasks []*watch.Task) {
	for _, t := range tasks {
		switch {
		case t.Session != "":
			t.Complete(publish(t))
			schedule()
		case t.Kind == abi.TaskSnapshot:
			// The UI shows the latest forecast already, in its default
			// state; each new forecast asks for a snapshot when its
			// download completes, so none is scheduled here.
			t.CompleteSnapshot(true, time.Time{}, nil)
		default:
			// A refresh (or any other task): start the download, which
			// outlives this task, and complete the task now.
			if err := watch.StartDownload(fmt.Sprintf("forecast-%d", t.ID), forecastURL()); err != nil {
				watch.Warnf("cannot start the download: %v", err)
			}
			t.Complete(false)
		}
	}
}

// DidReceiveUserInfo takes a complication transfer from the phone
// (transferCurrentComplicationUserInfo), {"temperature": 19}: the phone
// already has fresh data, so show it without a download.
func (app) DidReceiveUserInfo(payload []byte) {
	var u struct {
		Temperature *float64 `json:"temperature"`
	}
	if err := json.Unmarshal(payload, &u); err != nil || u.Temperature == nil {
		watch.Warnf("user info from the phone without a temperature: %s", payload)
		return
	}
	text := fmt.Sprintf("%.0f°C (from the phone)", *u.Temperature)
	if err := watch.UpdateComplication([]byte(text)); err != nil {
		watch.Warnf("cannot update the complication: %v", err)
	}
	watch.Printf("complication: %s", text)
}

// publish reads a finished download, updates the complication and reports
// whether the snapshot should be refreshed.
func publish(t *watch.Task) bool {
	if t.Error != "" || t.StatusCode != 200 {
		watch.Warnf("forecast download %s failed: status %d %s", t.Session, t.StatusCode, t.Error)
		return false
	}
	b, err := os.ReadFile(t.File)
	if err != nil {
		watch.Warnf("cannot read %s: %v", t.File, err)
		return false
	}
	os.Remove(t.File)
	var f forecast
	if err := json.Unmarshal(b, &f); err != nil {
		watch.Warnf("bad forecast: %v", err)
		return false
	}
	text := fmt.Sprintf("%s %.0f°C %s", f.City, f.Temp, f.Sky)
	if err := watch.UpdateComplication([]byte(text)); err != nil {
		watch.Warnf("cannot update the complication: %v", err)
	}
	watch.Printf("forecast: %s", text)
	return true
}

func schedule() {
	due, err := watch.ScheduleBackgroundRefresh(time.Now().Add(every), nil)
	if err != nil {
		watch.Warnf("cannot schedule a refresh: %v", err)
		return
	}
	if !due.IsZero() {
		watch.Debugf("next refresh at %s", due.UTC().Format("15:04:05"))
	}
}

func init() { watch.Register(app{}) }

func main() {}
