package system

// FeatureHold is one feature's keep-awake hold on its app, taken at most
// once however often the feature says it wants it: a session feature
// (workout, location, audio) keeps its app running while its session
// does, and lets the app settle toward suspension once it stops.
type FeatureHold struct{ held bool }

// Keep takes the hold on l's app when want is true and it is not held,
// and releases it, letting the app settle, when want is false and it is.
func (h *FeatureHold) Keep(l *Lifecycle, want bool) {
	switch {
	case want && !h.held:
		l.Hold()
		h.held = true
	case !want && h.held:
		l.Release()
		h.held = false
		l.Settle()
	}
}

// Drop releases the hold without settling: the app's instance died, and
// the life cycle decides what happens next.
func (h *FeatureHold) Drop(l *Lifecycle) {
	if h.held {
		l.Release()
		h.held = false
	}
}

// Held reports whether the hold is taken.
func (h *FeatureHold) Held() bool { return h.held }
