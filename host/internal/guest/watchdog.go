package guest

import (
	"math"
	"sync"
	"sync/atomic"
	"time"

	"github.com/watchbox/watchbox/host/internal/clock"
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
//
// Nor does a call take a lock: arm and disarm each make one atomic store
// or swap of state (a mutex pair each cost a warm event some 37 ns on the
// development VM). What stops a call (the timer, an interrupt, a guest
// sleeping past its deadline) holds mu and first swaps state from running
// to stopping, so it reads the call's fields only while that call cannot
// end, and a call that ends meanwhile waits in disarm for mu.
type watchdog struct {
	timer *time.Timer
	state atomic.Int32 // idle, running, stopping or stopped

	// The running call's, written by arm while idle; read by a stopper
	// that holds state at stopping, and by disarm.
	gauge *meter.Gauge // the running call's gauge; nil when unmetered
	due   int64        // the running call's deadline (wdNanos)
	stop  chan struct{}
	shut  bool // stop is closed
	intr  bool // the running call was interrupted

	mu      sync.Mutex   // held by whatever stops a call or re-arms the timer
	timerAt atomic.Int64 // the pending timer's deadline (wdNanos); 0 when none is pending
}

// wdNanos is t as the watchdog keeps it: nanoseconds since clock.Epoch
// (what clock.Call.StartNanos gives), at least 1 (0 means no timer).
func wdNanos(t time.Time) int64 { return max(int64(t.Sub(clock.Epoch)), 1) }

// wdDue is the deadline, in wdNanos, of a call that started at start
// (nanoseconds since clock.Epoch) with budget: saturating, at least 1.
func wdDue(start int64, budget time.Duration) int64 {
	if b := int64(budget); b > 0 && start > math.MaxInt64-b {
		return math.MaxInt64
	}
	return max(start+int64(budget), 1)
}

// The watchdog's states: between calls, during one, while something stops
// it (or the timer checks it), and after it was stopped.
const (
	wdIdle int32 = iota
	wdRunning
	wdStopping
	wdStopped
)

// arm starts watching a call that started at start (nanoseconds since
// clock.Epoch, as clock.Call.StartNanos gives) and is due budget later,
// and returns the channel closed when it must stop. With realTime, the
// timer is armed unless it is already pending for an earlier time. No
// call may be running.
func (w *watchdog) arm(g *meter.Gauge, start int64, budget time.Duration, realTime bool) <-chan struct{} {
	due := wdDue(start, budget)
	w.gauge, w.due, w.intr = g, due, false
	if w.stop == nil || w.shut {
		w.stop, w.shut = make(chan struct{}), false
	}
	stop := w.stop
	w.state.Store(wdRunning)
	// After the store: a timer that fires now and finds no call sets
	// timerAt to 0 before it looks at state, so either this load sees the
	// 0 and arms it again, or the timer sees the call.
	if at := w.timerAt.Load(); realTime && (at == 0 || at > due) {
		w.mu.Lock()
		// The call started before now, so budget from now is at or after
		// its deadline: the timer never fires early for this call.
		w.timerAt.Store(due)
		w.timer.Reset(budget)
		w.mu.Unlock()
	}
	return stop
}

// disarm ends the call's watch and reports whether it was interrupted. The
// timer stays pending; see fire.
func (w *watchdog) disarm() bool {
	if w.state.CompareAndSwap(wdRunning, wdIdle) {
		w.gauge = nil
		return w.intr
	}
	// Something is stopping the call, or stopped it: wait for it.
	w.mu.Lock()
	defer w.mu.Unlock()
	w.state.Store(wdIdle)
	w.gauge = nil
	return w.intr
}

// fire runs on the timer. It stops the running call if its deadline has
// passed, re-arms the timer for a running call that is not yet due (the
// timer was armed for an earlier call), and otherwise leaves the timer idle.
func (w *watchdog) fire() {
	w.mu.Lock()
	defer w.mu.Unlock()
	now := time.Now()
	if at := w.timerAt.Load(); at != 0 && wdNanos(now) < at {
		// A firing that raced with a later Reset: the timer is pending
		// again, for timerAt or later.
		return
	}
	w.timerAt.Store(0)
	if !w.state.CompareAndSwap(wdRunning, wdStopping) {
		return
	}
	n := wdNanos(now)
	if n >= w.due {
		w.stopLocked()
		return
	}
	w.timerAt.Store(w.due)
	w.timer.Reset(time.Duration(w.due - n))
	w.state.Store(wdRunning)
}

// interrupt stops the running call, if any, and marks it interrupted.
func (w *watchdog) interrupt() {
	w.mu.Lock()
	defer w.mu.Unlock()
	switch {
	case w.state.CompareAndSwap(wdRunning, wdStopping):
		w.intr = true
		w.stopLocked()
	case w.state.Load() == wdStopped:
		w.intr = true // stopped by its deadline as the host was interrupted
	}
}

// stopNow stops the running call, from inside it (a guest that would sleep
// past its deadline).
func (w *watchdog) stopNow() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.state.CompareAndSwap(wdRunning, wdStopping) {
		w.stopLocked()
	}
}

// stopLocked stops the call whose state the caller swapped to stopping,
// holding mu.
func (w *watchdog) stopLocked() {
	if w.gauge != nil {
		w.gauge.Stop()
	}
	if w.stop != nil && !w.shut {
		close(w.stop)
		w.shut = true
	}
	w.state.Store(wdStopped)
}
