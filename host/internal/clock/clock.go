// Package clock gives the host one source of time and one event loop, so the
// rest of the host is written once for a live run and for a simulation.
//
// A Clock is either Real (the machine's clock) or *Virtual (a clock that
// starts at a chosen instant and only moves when it is told to). A Scheduler
// runs timed events in a deterministic order — by time, then by the order in
// which they were scheduled — on either clock:
//
//   - Under the real clock, Run (or RunUntil) sleeps until the next event is
//     due and runs it; events may be scheduled from any goroutine.
//   - Under the virtual clock, RunUntil (or Run, or Step) jumps the clock
//     straight to the next event and runs it on the caller's goroutine, so
//     idle time costs nothing and the same program always produces the same
//     sequence of events at the same instants.
//
// A guest call does not read the scheduler's clock directly: it reads a
// Call, which under the virtual clock reports the call's start plus the
// CPU time its fuel stands for plus the time it slept. After the call the
// host advances the scheduler by the call's duration (Scheduler.Advance), so
// later events see the time the call took; events that fell due during the
// call then run, in order, as soon as it returns. Under the virtual clock
// calls never overlap: the device is modelled as running one call at a time,
// and a call's duration delays every event behind it.
package clock

import (
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

// Clock is a source of the current time.
type Clock interface {
	// Now returns the current time.
	Now() time.Time
}

// Real is the machine's clock. Its times carry a monotonic reading, so
// durations between them are immune to wall-clock steps.
type Real struct{}

// Now returns the current time: an anchor read with time.Now, at most
// reanchor ago, plus the monotonic time since it. time.Now reads the wall
// clock and the monotonic clock; time.Since only the monotonic one, which
// on the development VM (kvm-clock) saves some 60 ns of a warm event's
// 140 ns read (docs/performance.md, "Host-to-guest calls"). The wall time
// so follows the monotonic clock between anchors: a step of the system's
// wall clock shows within reanchor.
func (Real) Now() time.Time {
	t, _ := realNow()
	return t
}

// realNow is Real's Now, and the same instant as nanoseconds on the
// monotonic clock since Epoch, from the one monotonic read.
func realNow() (time.Time, int64) {
	n := sinceEpoch()
	if a := realAnchor.Load(); a != nil {
		if d := n - a.mono; d >= 0 && d < int64(reanchor) {
			return a.t.Add(time.Duration(d)), n
		}
	}
	t := time.Now()
	a := &anchor{t: t, mono: int64(t.Sub(Epoch))}
	realAnchor.Store(a)
	return t, a.mono
}

// Epoch is the instant, on the monotonic clock, that a Call's StartNanos
// counts from: when the process started.
var Epoch = time.Now()

// sinceEpoch reads the monotonic clock: nanoseconds since Epoch.
func sinceEpoch() int64 { return int64(time.Since(Epoch)) }

// anchor is a time.Now reading and its monotonic nanoseconds since Epoch.
type anchor struct {
	t    time.Time
	mono int64
}

// realAnchor is Real's last time.Now; reanchor how long it serves.
var realAnchor atomic.Pointer[anchor]

const reanchor = 100 * time.Millisecond

// DefaultStart is where a Virtual clock starts when it is given no instant:
// 2026-01-01T00:00:00Z.
var DefaultStart = time.Date(2026, time.January, 1, 0, 0, 0, 0, time.UTC)

// Virtual is a clock that stands still until it is moved, and only ever moves
// forward. A Scheduler moves it to each event's time; the host moves it by the
// duration of each guest call (see Scheduler.Advance). Its times carry no
// monotonic reading, so they format, compare and subtract identically on
// every run. It is safe for concurrent use.
type Virtual struct {
	mu  sync.Mutex
	now time.Time
}

// NewVirtual returns a virtual clock reading start, or DefaultStart if start
// is the zero time. Any monotonic reading in start is dropped.
func NewVirtual(start time.Time) *Virtual {
	if start.IsZero() {
		start = DefaultStart
	}
	return &Virtual{now: start.Round(0)}
}

// Now returns the clock's current time.
func (v *Virtual) Now() time.Time {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.now
}

// Advance moves the clock forward by d and returns the new time. A d of zero
// or less leaves the clock where it is: the clock never goes back.
func (v *Virtual) Advance(d time.Duration) time.Time {
	v.mu.Lock()
	defer v.mu.Unlock()
	if d > 0 {
		v.now = v.now.Add(d)
	}
	return v.now
}

// AdvanceTo moves the clock forward to t and returns the new time. A t before
// the current time leaves the clock where it is: the clock never goes back.
func (v *Virtual) AdvanceTo(t time.Time) time.Time {
	v.mu.Lock()
	defer v.mu.Unlock()
	if t.After(v.now) {
		v.now = t.Round(0).In(v.now.Location())
	}
	return v.now
}

// The times a virtual clock may read. The ABI carries every time as int64
// nanoseconds since 1970 with 0 meaning "no date", which ends in April
// 2262: a clock outside these bounds would hand the guest dates that wrap
// around (a refresh asked for a minute after 0001-01-01 09:00 came back as
// 1754-08-31 07:44:42).
var (
	MinTime = time.Date(1970, 1, 1, 0, 0, 1, 0, time.UTC)
	MaxTime = time.Date(2262, 1, 1, 0, 0, 0, 0, time.UTC)
)

// CheckTime returns an error when t is outside [MinTime, MaxTime], saying
// why and what to give instead.
func CheckTime(t time.Time) error {
	if t.Before(MinTime) || t.After(MaxTime) {
		return fmt.Errorf("%s is outside the times watchbox can run at, %s to %s: the ABI carries times as nanoseconds since 1970 in 64 bits; give a time in that range, such as %s",
			t.UTC().Format(time.RFC3339), MinTime.Format(time.RFC3339), MaxTime.Format(time.RFC3339), DefaultStart.Format(time.RFC3339))
	}
	return nil
}
