package guest

import (
	"sync"
	"time"

	"github.com/watchbox/watchbox/host/meter"
)

// watchdog stops an app's running call at its deadline, or when the host is
// interrupted, by stopping the call's Gauge; the guest then traps at its next
// metering check, and a guest sleeping in the host wakes up (stop channel).
// Under the virtual clock the timer is not used, since fuel and the call's
// clock bound the call.
//
// One timer per app serves every call, and it is armed lazily: a call that
// starts while the timer is pending for an earlier deadline does not move
// it; when it fires before the running call's deadline it re-arms itself
// for the rest, and when it finds no call running it stays idle. A stream
// of short calls so costs no timer operation per call (a Reset and a Stop
// each took the timer heap's lock and a clock read), and the deadline is
// still enforced to the timer's precision.
type watchdog struct {
	timer   *time.Timer
	mu      sync.Mutex
	active  bool         // a call is running
	gauge   *meter.Gauge // the running call's gauge; nil when idle or unmetered
	due     time.Time    // the running call's deadline
	timerAt time.Time    // when the pending timer fires; zero when none is pending
	intr    bool         // the running call was interrupted
	stop    chan struct{}
	shut    bool // stop is closed
}

// arm starts watching a call due at due (budget from its start) and returns
// the channel closed when it must stop. With realTime, the timer is armed
// unless it is already pending for an earlier time.
func (w *watchdog) arm(g *meter.Gauge, due time.Time, budget time.Duration, realTime bool) <-chan struct{} {
	w.mu.Lock()
	w.active, w.gauge, w.due, w.intr = true, g, due, false
	if w.stop == nil || w.shut {
		w.stop, w.shut = make(chan struct{}), false
	}
	stop := w.stop
	if realTime && (w.timerAt.IsZero() || w.timerAt.After(due)) {
		// The call started before now, so budget from now is at or after
		// due: the timer never fires early for this call.
		w.timerAt = due
		w.timer.Reset(budget)
	}
	w.mu.Unlock()
	return stop
}

// disarm ends the call's watch and reports whether it was interrupted. The
// timer stays pending; see fire.
func (w *watchdog) disarm() bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.active, w.gauge = false, nil
	return w.intr
}

// fire runs on the timer. It stops the running call if its deadline has
// passed, re-arms the timer for a running call that is not yet due (the
// timer was armed for an earlier call), and otherwise leaves the timer idle.
func (w *watchdog) fire() {
	w.mu.Lock()
	defer w.mu.Unlock()
	now := time.Now()
	if !w.timerAt.IsZero() && now.Before(w.timerAt) {
		// A firing that raced with a later Reset: the timer is pending
		// again, for timerAt or later.
		return
	}
	w.timerAt = time.Time{}
	if !w.active {
		return
	}
	if !now.Before(w.due) {
		w.stopLocked()
		return
	}
	w.timerAt = w.due
	w.timer.Reset(w.due.Sub(now))
}

func (w *watchdog) interrupt() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.intr = true
	w.stopLocked()
}

// stopNow stops the running call, from inside it (a guest that would sleep
// past its deadline).
func (w *watchdog) stopNow() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.stopLocked()
}

func (w *watchdog) stopLocked() {
	if w.gauge != nil {
		w.gauge.Stop()
	}
	if w.stop != nil && !w.shut {
		close(w.stop)
		w.shut = true
	}
}
