package workout

import (
	"fmt"
	"time"

	"github.com/watchbox/watchbox/abi"
	"github.com/watchbox/watchbox/abi/msg"
	"github.com/watchbox/watchbox/host/sensors/samples"
)

// ---- live data: the session's builder ---------------------------------------

// sample collects the running session's data up to now and queues it for
// the delegate (workout_data) on events.
func (s *session) sample(now time.Time, events *delegate) {
	off := now.Sub(s.start)
	if off < s.last || off == s.last && s.lastHR > 0 || s.pauses.Paused(off) {
		return // nothing new since the last sample
	}
	hr, ok := s.hr.At(off)
	if !ok {
		hr = s.lastHR
	}
	// Active energy over the stretch since the last sample, at the
	// average of its two heart rates (the trapezoid rule).
	mins := (off - s.last).Minutes()
	avg := hr
	if s.lastHR > 0 {
		avg = (hr + s.lastHR) / 2
	}
	s.energy += samples.Body{}.ActiveKcalPerMin(avg) * mins
	s.last, s.lastHR = off, hr
	events.queue(abi.EventWorkoutData, s.data(now).Encode(nil))
}

// data returns the session's statistics at now.
func (s *session) data(now time.Time) msg.WorkoutData {
	d := msg.WorkoutData{Date: now.UnixNano(), State: int64(s.state), HeartRate: s.lastHR, ActiveEnergy: round(s.energy, 1000)}
	if s.start.IsZero() {
		return d
	}
	off := max(0, now.Sub(s.start))
	d.Elapsed = int64(s.pauses.Elapsed(off))
	if s.dist != nil {
		if v, ok := s.pauses.Cumulative(s.dist, off); ok {
			d.Distance = round(v, 10)
		}
	}
	return d
}

// round rounds v to 1/per, so that the values a timeline prints are
// short.
func round(v, per float64) float64 {
	return float64(int64(v*per+0.5)) / per
}

// summary describes the session's totals at now, for decisions.
func (s *session) summary(now time.Time) string {
	d := s.data(now)
	return fmt.Sprintf("after %v running, %.1f km, %.0f kcal", time.Duration(d.Elapsed).Round(time.Second), d.Distance/1000, d.ActiveEnergy)
}
