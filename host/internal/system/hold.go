package system

import "github.com/watchbox/watchbox/abi"

// Holds are the holds features take on an app's life cycle. A keep-awake
// hold keeps a background app from being suspended while it holds work
// (an open background task, a running session); a frontmost hold keeps an
// inactive app frontmost while the wrist is down (a running frontmost
// extended runtime session).
type Holds struct {
	life  *Lifecycle
	awake int // keep-awake holds taken
	front int // frontmost holds taken
}

// Hold takes a keep-awake hold: a background app is not suspended while
// it holds work (an open background task).
func (h *Holds) Hold() { h.awake++ }

// Release releases a hold taken with Hold.
func (h *Holds) Release() {
	if h.awake > 0 {
		h.awake--
	}
}

// HoldFrontmost keeps the app frontmost while the wrist is down: no
// frontmost timeout sends it to the background while the hold is taken
// (a running frontmost extended runtime session). Leaving the foreground
// by the user's action (a crown press, another app) still happens.
func (h *Holds) HoldFrontmost() {
	h.front++
	if l := h.life; l.state == abi.StateInactive {
		l.timer.stop(l)
	}
}

// ReleaseFrontmost releases a hold taken with HoldFrontmost; an inactive
// app's frontmost timeout starts again from now.
func (h *Holds) ReleaseFrontmost() {
	if h.front == 0 {
		return
	}
	h.front--
	h.life.armFrontmost()
}

// FeatureHold is one feature's keep-awake hold on its app, taken at most
// once however often the feature says it wants it: a session feature
// (workout, location, audio) keeps its app running while its session
// does, and lets the app settle toward suspension once it stops.
//
// While the hold is taken, the app's background CPU is watched under
// Session's name: an app that goes over the background CPU limit in the
// background is killed with the CPU termination reason, as watchOS
// terminates a background session's app that uses too much CPU.
type FeatureHold struct {
	// Session names the session in the CPU limit's reason ("workout");
	// without one the hold does not watch the CPU.
	Session string
	held    bool
}

// Keep takes the hold on l's app when want is true and it is not held,
// and releases it, letting the app settle, when want is false and it is.
func (h *FeatureHold) Keep(l *Lifecycle, want bool) {
	switch {
	case want && !h.held:
		l.app.Holds.Hold()
		h.held = true
		h.begin(l)
		if h.Session != "" {
			l.app.CPU.Watch(h.Session, l.app.Crashes.overCPU)
		}
	case !want && h.held:
		l.app.Holds.Release()
		h.held = false
		h.unwatch(l)
		h.end(l, "stopped")
		l.Settle()
	}
}

// Drop releases the hold without settling: the app's instance died, and
// the life cycle decides what happens next.
func (h *FeatureHold) Drop(l *Lifecycle) {
	if h.held {
		l.app.Holds.Release()
		h.held = false
		h.unwatch(l)
		h.end(l, "ended with the app's instance")
	}
}

// begin and end report the hold as a session span (for traces).
func (h *FeatureHold) begin(l *Lifecycle) {
	if h.Session != "" {
		l.app.Begin("session", h.Session+" session", h.Session)
	}
}

func (h *FeatureHold) end(l *Lifecycle, why string) {
	if h.Session != "" {
		l.app.End("session", h.Session+" session", h.Session, why)
	}
}

func (h *FeatureHold) unwatch(l *Lifecycle) {
	if h.Session != "" {
		l.app.CPU.Unwatch(h.Session)
	}
}

// Held reports whether the hold is taken.
func (h *FeatureHold) Held() bool { return h.held }
