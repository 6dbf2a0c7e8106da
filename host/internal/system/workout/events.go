package workout

import (
	"context"
	"time"

	"github.com/watchbox/watchbox/abi"
	"github.com/watchbox/watchbox/host/internal/system"
)

// delegate is the queue of the events for the app's workout delegate:
// HealthKit calls the delegate asynchronously, after the guest call
// that caused them.
type delegate struct {
	a       *system.App
	pending [][2]any // events waiting to be delivered: kind, fields
}

// queue adds an event for the delegate; flush delivers them in order.
func (d *delegate) queue(kind abi.EventKind, fields []byte) {
	d.pending = append(d.pending, [2]any{kind, fields})
}

// arm delivers the queued events at t, after the guest call that
// queued them (HealthKit calls the delegate asynchronously).
func (d *delegate) arm(t time.Time) {
	if len(d.pending) > 0 {
		d.a.Timers.Set("workout.events", t, "workout events", func() { d.flush(context.Background()) })
	}
}

// flush delivers the queued events, waking or launching the app.
func (d *delegate) flush(ctx context.Context) error {
	d.a.Timers.Stop("workout.events")
	for len(d.pending) > 0 {
		ev := d.pending[0]
		d.pending = d.pending[1:]
		if _, err := d.a.Life.Deliver(ctx, ev[0].(abi.EventKind), ev[1].([]byte)); err != nil && !d.a.Guest.Running() {
			d.pending = nil
			return err
		}
	}
	d.a.Life.Settle() // a paused workout does not hold the app
	return nil
}

// drop forgets the queued events: the instance they were for died.
func (d *delegate) drop() {
	d.pending = nil
	d.a.Timers.Stop("workout.events")
}
