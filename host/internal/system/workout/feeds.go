package workout

import (
	"time"

	"github.com/watchbox/watchbox/host/sensors"
	"github.com/watchbox/watchbox/host/sensors/gpx"
	"github.com/watchbox/watchbox/host/sensors/samples"
)

// Feeds are the sensor data fed for an app's next workouts: a heart rate
// file and a route. Get them with Feature.Feeds.
type Feeds struct {
	hr      sensors.Source // heart rate fed from a file, indexed from the workout's start; nil: synthetic
	hrName  string
	route   *gpx.Track // a route fed, indexed from routeAt
	routeAt time.Time
}

// Feeds returns the sensor data fed for the app's next workouts.
func (f *Feature) Feeds() *Feeds { return &f.feeds }

// SetHeartRate makes src (named name) the heart rate of the app's next
// workouts, offset 0 at each workout's start; nil goes back to the
// synthetic generator. The app's lock must be held.
func (fd *Feeds) SetHeartRate(src sensors.Source, name string) {
	fd.hr, fd.hrName = src, name
}

// SetRoute makes t the route the user follows from at on: a workout's
// distance, and its heart rate when the route has some and no heart rate
// file was fed. The app's lock must be held.
func (fd *Feeds) SetRoute(t *gpx.Track, at time.Time) {
	fd.route, fd.routeAt = t, at
}

// sources returns the heart rate and distance (nil without a route) of a
// workout starting at now: the heart rate file fed, else the route's
// heart rate, else the synthetic generator seeded with seed at one value
// every step; each holds its ends.
func (fd *Feeds) sources(now time.Time, seed uint64, step time.Duration) (hr, dist sensors.Source) {
	hr = fd.hr
	if hr == nil && fd.route != nil && fd.route.Points[0].HasHR {
		hr = fd.routeSource(gpx.HeartRate, now)
	}
	if hr == nil {
		h := samples.DefaultHR(seed)
		h.Duration = synthLength
		h.Step = step
		if series, err := samples.SyntheticHR(h); err == nil {
			hr = series
		}
	}
	hr = sensors.Hold(hr)
	if fd.route != nil {
		dist = fd.routeSource(gpx.Distance, now)
	}
	return hr, dist
}

// routeSource returns quantity q of the fed route, offset 0 at t (the
// workout's start), holding its ends.
func (fd *Feeds) routeSource(q gpx.Quantity, t time.Time) sensors.Source {
	return sensors.Hold(fd.route.Source(q, fd.route.Start().Add(t.Sub(fd.routeAt))))
}
