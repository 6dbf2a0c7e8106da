package system

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
		l.Hold()
		h.held = true
		if h.Session != "" {
			l.app.CPU.Watch(h.Session, l.app.Crashes.overCPU)
		}
	case !want && h.held:
		l.Release()
		h.held = false
		h.unwatch(l)
		l.Settle()
	}
}

// Drop releases the hold without settling: the app's instance died, and
// the life cycle decides what happens next.
func (h *FeatureHold) Drop(l *Lifecycle) {
	if h.held {
		l.Release()
		h.held = false
		h.unwatch(l)
	}
}

func (h *FeatureHold) unwatch(l *Lifecycle) {
	if h.Session != "" {
		l.app.CPU.Unwatch(h.Session)
	}
}

// Held reports whether the hold is taken.
func (h *FeatureHold) Held() bool { return h.held }
