package guest

import (
	"sync"
	"time"

	"github.com/watchbox/watchbox/host/meter"
)

// watchdog stops an app's running call at its deadline, or when the host is
// interrupted, by stopping the call's Gauge; the guest then traps at its next
// metering check, and a guest sleeping in the host wakes up (stop channel).
// One timer per app is reused for every call; under the virtual clock the
// timer is not used, since fuel and the call's clock bound the call.
type watchdog struct {
	timer *time.Timer
	mu    sync.Mutex
	gauge *meter.Gauge // the running call's gauge; nil when idle or unmetered
	due   time.Time    // the running call's deadline
	intr  bool         // the running call was interrupted
	stop  chan struct{}
	shut  bool // stop is closed
}

// arm starts watching a call and returns the channel closed when it must
// stop.
func (w *watchdog) arm(g *meter.Gauge, budget time.Duration, realTime bool) <-chan struct{} {
	w.mu.Lock()
	w.gauge, w.due, w.intr = g, time.Now().Add(budget), false
	if w.stop == nil || w.shut {
		w.stop, w.shut = make(chan struct{}), false
	}
	stop := w.stop
	w.mu.Unlock()
	if realTime {
		w.timer.Reset(budget)
	}
	return stop
}

// disarm ends the call's watch and reports whether it was interrupted.
func (w *watchdog) disarm() bool {
	w.timer.Stop()
	w.mu.Lock()
	defer w.mu.Unlock()
	w.gauge = nil
	return w.intr
}

// fire runs on the timer. A timer armed for an earlier call can fire late;
// comparing with the running call's deadline makes it harmless.
func (w *watchdog) fire() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !time.Now().Before(w.due) {
		w.stopLocked()
	}
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
