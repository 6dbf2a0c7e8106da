package gpx

import (
	"math"
	"sort"
	"time"

	"github.com/watchbox/watchbox/host/sensors"
)

// EarthRadius is the mean radius of the Earth in metres (IUGG), used for
// haversine distances.
const EarthRadius = 6371008.8

// Point is one timed point of a GPX file.
type Point struct {
	Lat, Lon float64   // degrees, WGS84
	Ele      float64   // metres, when HasEle
	HasEle   bool      // the point has an <ele>
	Time     time.Time // in UTC
	HR       float64   // heart rate in beats per minute, when HasHR
	HasHR    bool      // the point has an <hr> extension
	Line     int       // the line of the point's start tag

	badTime bool // its <time> was reported as invalid
}

// Track is the timed route of a GPX file: its points in time order
// (equal times allowed), at least one.
type Track struct {
	// File is the file's name as given to Parse.
	File string
	// Name is the first <name> of a <trk>, <rte> or <metadata>, or "".
	Name string
	// Kind is the element the points came from: "trkpt", "rtept" or
	// "wpt".
	Kind string
	// Points are the points, in file order.
	Points []Point

	dist    []float64 // dist[i]: metres from Points[0] to Points[i]
	hr, ele []int     // indexes of the points with HR, with elevation
}

func newTrack(file, name, kind string, pts []Point) *Track {
	t := &Track{File: file, Name: name, Kind: kind, Points: pts, dist: make([]float64, len(pts))}
	for i, p := range pts {
		if i > 0 {
			t.dist[i] = t.dist[i-1] + Haversine(pts[i-1].Lat, pts[i-1].Lon, p.Lat, p.Lon)
		}
		if p.HasHR {
			t.hr = append(t.hr, i)
		}
		if p.HasEle {
			t.ele = append(t.ele, i)
		}
	}
	return t
}

// Start returns the time of the first point.
func (t *Track) Start() time.Time { return t.Points[0].Time }

// End returns the time of the last point.
func (t *Track) End() time.Time { return t.Points[len(t.Points)-1].Time }

// Duration returns End - Start.
func (t *Track) Duration() time.Duration { return t.End().Sub(t.Start()) }

// Length returns the distance along the route from the first point to the
// last, in metres.
func (t *Track) Length() float64 { return t.dist[len(t.dist)-1] }

// Fix is where the route is at one time.
type Fix struct {
	Time     time.Time
	Lat, Lon float64 // degrees, WGS84
	Ele      float64 // metres, when HasEle
	HasEle   bool
	HR       float64 // beats per minute, when HasHR
	HasHR    bool
	// Distance is the distance along the route since the first point, in
	// metres.
	Distance float64
	// Speed is the speed over the segment the time falls in, in metres
	// per second: constant along a segment.
	Speed float64
	// Course is the direction of travel over the segment, in degrees
	// clockwise from true north, 0 <= Course < 360; -1 when not moving (as
	// CLLocation's course).
	Course float64
}

// Clamp returns tm limited to [Start, End]. At(t.Clamp(tm)) always
// answers: the first fix before the route and the last after it.
func (t *Track) Clamp(tm time.Time) time.Time {
	if tm.Before(t.Start()) {
		return t.Start()
	}
	if tm.After(t.End()) {
		return t.End()
	}
	return tm
}

// At returns the fix at time tm, ok false when tm is before the first
// point or after the last: At reports times outside the route rather than
// clamping them (see Clamp).
//
// Between two points, latitude, longitude, elevation and heart rate are
// interpolated linearly in time (longitude the short way across the
// antimeridian); the distance grows linearly along the segment's haversine
// length. At a point's own time the fix is that point (the last of
// several with the same time). Elevation and heart rate interpolate
// between the nearest points that have them and are missing (HasEle,
// HasHR false) outside those.
func (t *Track) At(tm time.Time) (Fix, bool) {
	n := len(t.Points)
	if n == 0 || tm.Before(t.Start()) || tm.After(t.End()) {
		return Fix{}, false
	}
	i := sort.Search(n, func(i int) bool { return t.Points[i].Time.After(tm) })
	// Points[i-1].Time <= tm < Points[i].Time, or i == n at the end.
	f := Fix{Time: tm, Course: -1}
	a := i - 1
	if i == n {
		p := t.Points[a]
		f.Lat, f.Lon, f.Distance = p.Lat, p.Lon, t.dist[a]
		// Speed and course of the last segment with a duration.
		for j := a; j > 0; j-- {
			if t.Points[j-1].Time.Before(t.Points[j].Time) {
				f.Speed, f.Course = t.segment(j - 1)
				break
			}
		}
	} else {
		pa, pb := t.Points[a], t.Points[i]
		frac := float64(tm.Sub(pa.Time)) / float64(pb.Time.Sub(pa.Time))
		f.Lat = lerp(pa.Lat, pb.Lat, frac)
		dlon := pb.Lon - pa.Lon
		if dlon > 180 {
			dlon -= 360
		} else if dlon < -180 {
			dlon += 360
		}
		f.Lon = pa.Lon + float64(dlon*frac)
		if f.Lon > 180 {
			f.Lon -= 360
		} else if f.Lon < -180 {
			f.Lon += 360
		}
		f.Distance = lerp(t.dist[a], t.dist[i], frac)
		f.Speed, f.Course = t.segment(a)
	}
	f.HR, f.HasHR = t.interp(t.hr, tm, func(p *Point) float64 { return p.HR })
	f.Ele, f.HasEle = t.interp(t.ele, tm, func(p *Point) float64 { return p.Ele })
	return f, true
}

// segment returns the speed and course from point j to point j+1.
func (t *Track) segment(j int) (speed, course float64) {
	d := t.dist[j+1] - t.dist[j]
	dt := t.Points[j+1].Time.Sub(t.Points[j].Time).Seconds()
	if d == 0 || dt <= 0 {
		return 0, -1
	}
	a, b := t.Points[j], t.Points[j+1]
	return d / dt, Bearing(a.Lat, a.Lon, b.Lat, b.Lon)
}

// interp interpolates a value the points idx have, by time.
func (t *Track) interp(idx []int, tm time.Time, get func(*Point) float64) (float64, bool) {
	n := len(idx)
	if n == 0 {
		return 0, false
	}
	k := sort.Search(n, func(k int) bool { return t.Points[idx[k]].Time.After(tm) })
	if k == 0 {
		return 0, false
	}
	a := &t.Points[idx[k-1]]
	if a.Time.Equal(tm) {
		return get(a), true
	}
	if k == n {
		return 0, false
	}
	b := &t.Points[idx[k]]
	return lerp(get(a), get(b), float64(tm.Sub(a.Time))/float64(b.Time.Sub(a.Time))), true
}

// lerp is a + (b-a)*f with the product rounded on its own, so that no
// platform fuses it.
func lerp(a, b, f float64) float64 { return a + float64((b-a)*f) }

// Haversine returns the great-circle distance in metres between two
// points given in degrees, on a sphere of EarthRadius.
func Haversine(lat1, lon1, lat2, lon2 float64) float64 {
	const rad = math.Pi / 180
	p1, p2 := lat1*rad, lat2*rad
	dp, dl := (lat2-lat1)*rad, (lon2-lon1)*rad
	sp, sl := math.Sin(dp/2), math.Sin(dl/2)
	h := sp*sp + math.Cos(p1)*math.Cos(p2)*sl*sl
	return 2 * EarthRadius * math.Asin(math.Sqrt(min(h, 1)))
}

// Bearing returns the initial great-circle bearing from the first point to
// the second, in degrees clockwise from true north, 0 <= bearing < 360.
func Bearing(lat1, lon1, lat2, lon2 float64) float64 {
	const rad = math.Pi / 180
	p1, p2, dl := lat1*rad, lat2*rad, (lon2-lon1)*rad
	y := math.Sin(dl) * math.Cos(p2)
	x := math.Cos(p1)*math.Sin(p2) - math.Sin(p1)*math.Cos(p2)*math.Cos(dl)
	b := math.Mod(math.Atan2(y, x)/rad+360, 360)
	if b >= 360 { // Mod of a value just under 360 can round up
		b = 0
	}
	return b
}

// Quantity is a value of a Fix that a Source gives.
type Quantity int

// The quantities of a Track's sources.
const (
	Latitude  Quantity = iota // degrees
	Longitude                 // degrees
	Elevation                 // metres; missing where the points have no <ele>
	HeartRate                 // beats per minute; missing where no <hr>
	Distance                  // metres along the route since the first point
	Speed                     // metres per second
	Course                    // degrees from true north; -1 when not moving
)

// Source returns quantity q of the track as a sensors.Source whose offset
// 0 is start (the track's Start when start is zero). Its span is the
// track's, shifted; At answers false outside it and where the quantity is
// missing.
func (t *Track) Source(q Quantity, start time.Time) sensors.Source {
	if start.IsZero() {
		start = t.Start()
	}
	return trackSource{t, q, start}
}

type trackSource struct {
	t     *Track
	q     Quantity
	start time.Time
}

func (s trackSource) At(d time.Duration) (float64, bool) {
	f, ok := s.t.At(s.start.Add(d))
	if !ok {
		return 0, false
	}
	switch s.q {
	case Latitude:
		return f.Lat, true
	case Longitude:
		return f.Lon, true
	case Elevation:
		return f.Ele, f.HasEle
	case HeartRate:
		return f.HR, f.HasHR
	case Distance:
		return f.Distance, true
	case Speed:
		return f.Speed, true
	case Course:
		return f.Course, true
	}
	return 0, false
}

func (s trackSource) Span() (time.Duration, time.Duration) {
	return s.t.Start().Sub(s.start), s.t.End().Sub(s.start)
}
