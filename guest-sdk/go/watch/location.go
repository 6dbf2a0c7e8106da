package watch

import (
	"time"

	"github.com/watchbox/watchbox/abi"
	"github.com/watchbox/watchbox/abi/msg"
)

// Location is one location update (CLLocation).
type Location struct {
	Latitude, Longitude float64 // degrees, WGS84
	Altitude            float64 // metres; 0 when unknown
	Speed               float64 // metres per second
	Date                time.Time
	// Queued says the system held the update while the app was
	// suspended and delivered it when the app ran again.
	Queued bool
}

// LocationDelegate receives location updates (CLLocationManagerDelegate).
type LocationDelegate interface {
	// DidUpdateLocation delivers one location update.
	DidUpdateLocation(m *LocationManager, loc Location)
}

// LocationManager is CLLocationManager's updates. With
// AllowsBackgroundUpdates (and the location background mode, started in
// the foreground) the app keeps running in the background and gets every
// update as it comes; without it a suspended app's updates are held and
// delivered when it runs again.
type LocationManager struct {
	// AllowsBackgroundUpdates is allowsBackgroundLocationUpdates.
	AllowsBackgroundUpdates bool
	// Delegate receives the updates.
	Delegate LocationDelegate
}

// location is the manager updates are for.
var location *LocationManager

// StartUpdatingLocation starts the updates.
func (m *LocationManager) StartUpdatingLocation() error {
	location = m
	locationHook = locationEvent
	updateTyped()
	_, err := Request(abi.OpStartLocationUpdates, msg.StartLocationUpdates{Background: m.AllowsBackgroundUpdates}.Encode(nil))
	return err
}

// StopUpdatingLocation stops the updates.
func (m *LocationManager) StopUpdatingLocation() error {
	_, err := Request(abi.OpStopLocationUpdates, nil)
	return err
}

func locationEvent(kind abi.EventKind) (bool, error) {
	m := location
	if m == nil || m.Delegate == nil || kind != abi.EventLocationUpdate {
		return false, nil
	}
	var u msg.LocationUpdate
	if err := u.Decode(event.fields); err != nil {
		return false, err
	}
	m.Delegate.DidUpdateLocation(m, Location{Latitude: u.Latitude, Longitude: u.Longitude, Altitude: u.Altitude,
		Speed: u.Speed, Date: time.Unix(0, u.Date).UTC(), Queued: u.Queued})
	return true, nil
}
