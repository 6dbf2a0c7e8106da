package system

import (
	"context"
	"time"

	"github.com/watchbox/watchbox/abi"
	"github.com/watchbox/watchbox/host/internal/clock"
)

// lifeTimer is an app's one life-cycle timer (the frontmost timeout, the
// suspension after the suspend delay). Every transition stops it, so a
// timer armed for one state never fires in another: its generation
// number changes at each stop, and a firing whose generation is old does
// nothing.
type lifeTimer struct {
	ev  *clock.Event
	gen uint64
}

// after runs f, with the app's lock held, once d has passed, if l's app
// is still in state s and no other transition happened meanwhile.
func (t *lifeTimer) after(l *Lifecycle, d time.Duration, s abi.State, f func(context.Context) error) {
	t.stop(l)
	gen := t.gen
	label := l.app.ID + " " + s.String() + " timeout"
	t.ev = l.app.Env.Sched.After(d, label, func() {
		l.app.mu.Lock()
		defer l.app.mu.Unlock()
		if t.gen == gen && l.state == s && !l.closed {
			f(context.Background())
		}
	})
}

// stop disarms the timer, and makes any firing already under way do
// nothing.
func (t *lifeTimer) stop(l *Lifecycle) {
	t.gen++
	if t.ev != nil {
		l.app.Env.Sched.Cancel(t.ev)
		t.ev = nil
	}
}
