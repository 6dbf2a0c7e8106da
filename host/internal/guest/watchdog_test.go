package guest

import (
	"testing"
	"time"
)

func newWatchdog() *watchdog {
	w := &watchdog{}
	w.timer = time.AfterFunc(time.Hour, w.fire)
	w.timer.Stop()
	return w
}

// waitStop waits for stop to close and reports when it did; it fails the
// test if that takes far longer than the deadline (a lost timer).
func waitStop(t *testing.T, stop <-chan struct{}, due time.Time) {
	t.Helper()
	select {
	case <-stop:
		if now := time.Now(); now.Before(due) {
			t.Fatalf("stopped %v before the deadline", due.Sub(now))
		}
	case <-time.After(time.Until(due) + 10*time.Second):
		t.Fatal("the call was never stopped: the deadline's timer was lost")
	}
}

// The timer is armed lazily (see watchdog): these are the cases where it is
// pending for another call's deadline when a call starts.
func TestWatchdogLazyTimer(t *testing.T) {
	t.Parallel()
	t.Run("later deadline than the pending timer", func(t *testing.T) {
		t.Parallel()
		w := newWatchdog()
		defer w.timer.Stop()
		// A short call leaves the timer pending for its deadline.
		now := time.Now()
		w.arm(nil, wdNanos(now), 30*time.Millisecond, true)
		w.disarm()
		time.Sleep(10 * time.Millisecond)
		// The next call is due later: the timer fires first, for nothing,
		// and must re-arm itself for this call.
		now = time.Now()
		due := now.Add(60 * time.Millisecond)
		waitStop(t, w.arm(nil, wdNanos(now), 60*time.Millisecond, true), due)
		if w.disarm() {
			t.Error("a deadline stop reported as an interrupt")
		}
	})
	t.Run("earlier deadline than the pending timer", func(t *testing.T) {
		t.Parallel()
		w := newWatchdog()
		defer w.timer.Stop()
		now := time.Now()
		w.arm(nil, wdNanos(now), time.Hour, true)
		w.disarm()
		now = time.Now()
		due := now.Add(20 * time.Millisecond)
		waitStop(t, w.arm(nil, wdNanos(now), 20*time.Millisecond, true), due)
		w.disarm()
	})
	t.Run("idle firing stops nothing", func(t *testing.T) {
		t.Parallel()
		w := newWatchdog()
		defer w.timer.Stop()
		stop := w.arm(nil, wdNanos(time.Now()), 5*time.Millisecond, true)
		w.disarm()
		// Wait for the timer to fire with no call running (it then says
		// it is no longer pending).
		for end := time.Now().Add(10 * time.Second); ; time.Sleep(time.Millisecond) {
			pending := w.timerAt.Load() != 0
			if !pending {
				break
			}
			if time.Now().After(end) {
				t.Fatal("the timer never fired")
			}
		}
		select {
		case <-stop:
			t.Fatal("the timer stopped a call that had ended")
		default:
		}
		// A new call still gets its deadline.
		now := time.Now()
		due := now.Add(10 * time.Millisecond)
		waitStop(t, w.arm(nil, wdNanos(now), 10*time.Millisecond, true), due)
		w.disarm()
	})
}

// TestWatchdogStopsOnlyTheRunningCall runs many short calls while the
// timer fires at their deadlines and another goroutine interrupts at
// random: a call is stopped only by its own deadline or an interrupt that
// came while it ran, an interrupted call's stop channel is closed, and
// (under -race) the lock-free arm and disarm race with nothing.
func TestWatchdogStopsOnlyTheRunningCall(t *testing.T) {
	t.Parallel()
	w := newWatchdog()
	defer w.timer.Stop()
	done := make(chan struct{})
	go func() {
		for {
			select {
			case <-done:
				return
			default:
				w.interrupt()
				time.Sleep(50 * time.Microsecond)
			}
		}
	}()
	defer close(done)
	var stoppedEarly int
	for i := range 3000 {
		budget := time.Duration(i%5) * 20 * time.Microsecond
		start := time.Now()
		due := start.Add(budget)
		stop := w.arm(nil, wdNanos(start), budget, true)
		if i%7 == 0 {
			w.stopNow()
		}
		intr := w.disarm()
		end := time.Now() // a deadline stop came at or after due, before this
		select {
		case <-stop:
			if !intr && end.Before(due) && i%7 != 0 {
				stoppedEarly++
			}
		default:
			if intr {
				t.Fatalf("call %d: reported interrupted, but its stop channel is open", i)
			}
			if i%7 == 0 {
				t.Fatalf("call %d: stopNow did not close its stop channel", i)
			}
		}
	}
	if stoppedEarly > 0 {
		t.Errorf("%d calls were stopped before their deadline with no interrupt", stoppedEarly)
	}
}
