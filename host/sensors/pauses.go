package sensors

import (
	"fmt"
	"time"
)

// Pauses records when a session was paused and resumed and turns a session
// offset into elapsed time with the pauses left out, the way
// HKLiveWorkoutBuilder's elapsedTime leaves them out.
//
// Offsets are since the session start, as for Source. Events must come in
// time order; Pause and Resume at the same offset are allowed (a pause of
// no length). The zero Pauses is a session never paused.
type Pauses struct {
	spans  []pauseSpan // finished pauses, in order
	paused bool
	from   time.Duration // start of the pause in progress
	last   time.Duration // offset of the latest event
}

type pauseSpan struct{ from, to time.Duration }

// Pause records a pause beginning at offset at. It fails when the session
// is already paused or at is before the previous event.
func (p *Pauses) Pause(at time.Duration) error {
	if err := p.check("pause", at); err != nil {
		return err
	}
	if p.paused {
		return fmt.Errorf("pause at %v: the session is already paused (since %v); resume it first", at, p.from)
	}
	p.paused, p.from, p.last = true, at, at
	return nil
}

// Resume records the end of the pause in progress at offset at. It fails
// when the session is not paused or at is before the previous event.
func (p *Pauses) Resume(at time.Duration) error {
	if err := p.check("resume", at); err != nil {
		return err
	}
	if !p.paused {
		return fmt.Errorf("resume at %v: the session is not paused; pause it first", at)
	}
	p.spans = append(p.spans, pauseSpan{p.from, at})
	p.paused, p.last = false, at
	return nil
}

// Count returns how many pauses were recorded, the one in progress
// included.
func (p *Pauses) Count() int {
	if p.paused {
		return len(p.spans) + 1
	}
	return len(p.spans)
}

func (p *Pauses) check(what string, at time.Duration) error {
	if at < 0 {
		return fmt.Errorf("%s at %v: offsets start at 0, the session start", what, at)
	}
	if at < p.last {
		return fmt.Errorf("%s at %v: before the previous pause or resume at %v; events must come in time order", what, at, p.last)
	}
	return nil
}

// Paused reports whether the session is paused at offset at (a pause
// covers its start, not its end).
func (p *Pauses) Paused(at time.Duration) bool {
	if p.paused && at >= p.from {
		return true
	}
	for _, s := range p.spans {
		if at >= s.from && at < s.to {
			return true
		}
	}
	return false
}

// Elapsed returns the time the session has been running at offset at: at
// less every pause before it. It never goes backwards and stands still
// while paused. A negative at gives 0.
func (p *Pauses) Elapsed(at time.Duration) time.Duration {
	if at <= 0 {
		return 0
	}
	e := at
	for _, s := range p.spans {
		if s.from >= at {
			break
		}
		e -= min(s.to, at) - s.from
	}
	if p.paused && p.from < at {
		e -= at - p.from
	}
	return e
}

// Offset is the inverse of Elapsed: the earliest session offset at which
// the session has been running for elapsed. Use it to read a source by
// running time. A negative elapsed gives 0. ok is false when a pause in
// progress stops the session short of elapsed.
func (p *Pauses) Offset(elapsed time.Duration) (at time.Duration, ok bool) {
	if elapsed <= 0 {
		return 0, true
	}
	at = elapsed
	for _, s := range p.spans {
		if s.from >= at {
			break
		}
		at += s.to - s.from
	}
	if p.paused && at > p.from {
		return p.from, false
	}
	return at, true
}

// Cumulative returns how much the cumulative quantity src (distance,
// energy) grew while the session ran, from offset 0 to offset at: the sum
// of src's growth over each running stretch, leaving out what it gained
// while paused, as HKLiveWorkoutBuilder leaves out samples of paused
// stretches. Outside src's span src is held at its first and last values
// (it grows only within its span). ok is false when src has no value at
// all at a needed offset.
func (p *Pauses) Cumulative(src Source, at time.Duration) (v float64, ok bool) {
	if at <= 0 {
		return 0, true
	}
	h := Hold(src)
	grow := func(from, to time.Duration) bool {
		if to <= from {
			return true
		}
		a, ok1 := h.At(from)
		b, ok2 := h.At(to)
		v += b - a
		return ok1 && ok2
	}
	run := time.Duration(0) // start of the current running stretch
	for _, s := range p.spans {
		if s.from >= at {
			break
		}
		if !grow(run, s.from) {
			return 0, false
		}
		run = s.to
	}
	end := at
	if p.paused && p.from < at {
		end = p.from
	}
	if run < end && !grow(run, end) {
		return 0, false
	}
	return v, true
}
