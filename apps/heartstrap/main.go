// Command heartstrap is a sample app for Bluetooth peripherals during
// background app refresh: it keeps its complication current with the
// heart rate and battery level of a chest strap (a simulated peripheral
// offering the Heart Rate service 180D, characteristic 2A37, and the
// Battery service 180F, characteristic 2A19).
//
// On each background refresh it connects to the strap, reads both values,
// puts them on its complication, disconnects and completes the task, then
// asks for the next refresh 15 minutes later. It scans (a background scan
// costs one of the 5 Bluetooth wake-ups a day it shares with timely
// alerts) only while it does not know the strap, and keeps the strap's
// name in its container, so a purge costs no scan; a strap that is gone
// is forgotten. While it is frontmost it subscribes to the heart rate and
// shows each value as it arrives. A timely alert from the strap puts its
// battery level on the complication. Run it through a morning:
//
//	watchbox simulate tests/scenarios/heartstrap.scenario
package main

import (
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/watchbox/watchbox/abi"
	"github.com/watchbox/watchbox/guest-sdk/go/watch"
)

const (
	every     = 15 * time.Minute
	heartRate = "180D"
	hrMeasure = "2A37"
	battery   = "180F"
	level     = "2A19"
	known     = "/strap" // the strap's name, once a scan found it
)

type app struct{ central *watch.CentralManager }

var (
	_ watch.Launcher              = (*app)(nil)
	_ watch.Activator             = (*app)(nil)
	_ watch.Backgrounder          = (*app)(nil)
	_ watch.BackgroundTaskHandler = (*app)(nil)
	_ watch.ValueObserver         = (*app)(nil)
	_ watch.DisconnectObserver    = (*app)(nil)
)

func (a *app) DidFinishLaunching() { a.central = watch.NewCentralManager(a) }

// DidBecomeActive follows the heart rate live while the user looks.
func (a *app) DidBecomeActive() {
	strap, err := a.strap()
	if err != nil {
		watch.Printf("no strap: %v", err)
		return
	}
	if err := strap.Connect(); err != nil {
		watch.Printf("cannot connect to %s: %v", strap.Name, err)
		return
	}
	if err := strap.Characteristic(heartRate, hrMeasure).Subscribe(); err != nil {
		watch.Printf("cannot follow the heart rate: %v", err)
	}
}

func (a *app) DidEnterBackground() { schedule("entered the background") }

// DidUpdateValue shows the live heart rate.
func (a *app) DidUpdateValue(c *watch.Characteristic, value []byte) {
	watch.Printf("%s %s/%s: %s", c.Peripheral.Name, c.Service, c.UUID, value)
	watch.UpdateComplication([]byte(fmt.Sprintf("%s bpm (live)", value)))
}

func (a *app) DidDisconnect(p *watch.Peripheral, reason string) {
	watch.Printf("%s disconnected: %s", p.Name, reason)
}

func (a *app) HandleBackgroundTasks(tasks []*watch.Task) {
	refreshed := false
	for _, t := range tasks {
		switch t.Kind {
		case abi.TaskApplicationRefresh:
			a.refresh()
			refreshed = true
		case abi.TaskBluetoothAlert:
			a.alert(string(t.UserInfo))
		}
		if err := t.Complete(false); err != nil {
			watch.Warnf("cannot complete task %d: %v", t.ID, err)
		}
	}
	if refreshed {
		schedule("refreshed")
	}
}

// refresh reads the strap and updates the complication; on any failure
// the complication keeps its last values.
func (a *app) refresh() {
	strap, err := a.strap()
	if err != nil {
		watch.Printf("no strap: %v", err)
		return
	}
	if err := strap.Connect(); err != nil {
		watch.Printf("cannot connect to %s: %v", strap.Name, err)
		var se *watch.StatusError
		if errors.As(err, &se) && se.Status == abi.StatusNotFound {
			os.Remove(known) // gone: scan for a strap next time
		}
		return
	}
	defer strap.Disconnect()
	bpm, err := strap.Characteristic(heartRate, hrMeasure).Read()
	if err != nil {
		watch.Printf("cannot read the heart rate: %v", err)
		return
	}
	text := fmt.Sprintf("%s bpm", bpm)
	if pct, err := strap.Characteristic(battery, level).Read(); err == nil {
		text += fmt.Sprintf(", battery %s%%", pct)
	} else {
		watch.Printf("cannot read the battery: %v", err)
	}
	watch.UpdateComplication([]byte(text))
}

// alert handles a timely alert from the strap (its battery is low, say):
// it reads the battery level into the complication. It leaves the
// connection open: the system closes it when the task completes.
func (a *app) alert(from string) {
	strap := a.central.Peripheral(from)
	if err := strap.Connect(); err != nil {
		watch.Printf("alert from %s, cannot connect: %v", from, err)
		return
	}
	pct, err := strap.Characteristic(battery, level).Read()
	if err != nil {
		watch.Printf("alert from %s, cannot read the battery: %v", from, err)
		return
	}
	watch.Printf("alert from %s: battery %s%%", from, pct)
	watch.UpdateComplication([]byte(fmt.Sprintf("battery %s%%", pct)))
}

// strap returns the strap: the one found before, else the first peripheral
// a scan for the Heart Rate service finds (and remembers).
func (a *app) strap() (*watch.Peripheral, error) {
	if name, err := os.ReadFile(known); err == nil && len(name) > 0 {
		return a.central.Peripheral(string(name)), nil
	}
	found, err := a.central.Scan(heartRate)
	if err != nil {
		return nil, err
	}
	if len(found) == 0 {
		return nil, errors.New("no heart-rate strap in range")
	}
	if err := os.WriteFile(known, []byte(found[0].Name), 0o644); err != nil {
		watch.Warnf("cannot remember the strap: %v", err)
	}
	watch.Printf("found %s", found[0].Name)
	return found[0], nil
}

// schedule asks for the next refresh.
func schedule(why string) {
	due, err := watch.ScheduleBackgroundRefresh(time.Now().Add(every), nil)
	switch {
	case err != nil:
		watch.Warnf("%s; cannot schedule a refresh: %v", why, err)
	case !due.IsZero():
		watch.Printf("%s; next refresh at %s", why, due.UTC().Format("15:04:05"))
	}
}

func init() { watch.Register(&app{}) }

func main() {}
