package policy

import (
	"sort"
	"time"
)

// Entry is one thing that ran: a refresh, a snapshot, a push, a Bluetooth
// alert or scan.
type Entry struct {
	// Kind is what ran.
	Kind Kind
	// At is when it ran.
	At time.Time
	// Snapshot is the reason of a snapshot entry.
	Snapshot SnapshotReason
	// Charged is true when the entry counts against its kind's budget
	// (system snapshots, for example, are recorded but not charged).
	Charged bool
}

// Ledger records, per app, what ran when. It forgets entries older than
// [MaxWindow] as it goes, so its size is bounded by the budgets. The zero
// value is not usable; call [NewLedger].
type Ledger struct {
	apps map[string]map[Kind][]Entry
}

// NewLedger returns an empty ledger.
func NewLedger() *Ledger { return &Ledger{apps: map[string]map[Kind][]Entry{}} }

// Record adds e for app, keeping the app's entries of e.Kind in time order
// and dropping those older than MaxWindow before e.At.
func (l *Ledger) Record(app string, e Entry) {
	kinds := l.apps[app]
	if kinds == nil {
		kinds = map[Kind][]Entry{}
		l.apps[app] = kinds
	}
	es := kinds[e.Kind]
	i := sort.Search(len(es), func(i int) bool { return es[i].At.After(e.At) })
	es = append(es, Entry{})
	copy(es[i+1:], es[i:])
	es[i] = e
	kinds[e.Kind] = pruneBefore(es, e.At.Add(-MaxWindow))
}

// pruneBefore drops the entries at or before cut from the sorted es.
func pruneBefore(es []Entry, cut time.Time) []Entry {
	n := sort.Search(len(es), func(i int) bool { return es[i].At.After(cut) })
	if n == 0 {
		return es
	}
	return append(es[:0], es[n:]...)
}

// Prune drops every entry at or before now-MaxWindow; no rule looks back
// further.
func (l *Ledger) Prune(now time.Time) {
	cut := now.Add(-MaxWindow)
	for app, kinds := range l.apps {
		for k, es := range kinds {
			if es = pruneBefore(es, cut); len(es) == 0 {
				delete(kinds, k)
			} else {
				kinds[k] = es
			}
		}
		if len(kinds) == 0 {
			delete(l.apps, app)
		}
	}
}

// Reset forgets app's entries of the given kinds.
func (l *Ledger) Reset(app string, kinds ...Kind) {
	for _, k := range kinds {
		delete(l.apps[app], k)
	}
}

// Entries returns app's entries of the given kinds (all kinds when none
// are given) in time order; entries at the same time keep kind order.
func (l *Ledger) Entries(app string, kinds ...Kind) []Entry {
	byKind := l.apps[app]
	if len(kinds) == 0 {
		for k := range byKind {
			kinds = append(kinds, k)
		}
		sort.Slice(kinds, func(i, j int) bool { return kinds[i] < kinds[j] })
	}
	var out []Entry
	for _, k := range kinds {
		out = append(out, byKind[k]...)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].At.Before(out[j].At) })
	return out
}

// charged returns the times of app's charged entries of the given kinds, in
// order.
func (l *Ledger) charged(app string, kinds ...Kind) []time.Time {
	var ts []time.Time
	for _, e := range l.Entries(app, kinds...) {
		if e.Charged {
			ts = append(ts, e.At)
		}
	}
	return ts
}

// Count returns how many of app's charged entries of the given kinds fall in
// the rolling window (now-window, now].
func (l *Ledger) Count(app string, now time.Time, window time.Duration, kinds ...Kind) int {
	return len(inWindow(l.charged(app, kinds...), now, window))
}

// inWindow returns the sorted ts that fall in (t-w, t].
func inWindow(ts []time.Time, t time.Time, w time.Duration) []time.Time {
	lo := t.Add(-w)
	i := sort.Search(len(ts), func(i int) bool { return ts[i].After(lo) })
	j := sort.Search(len(ts), func(i int) bool { return ts[i].After(t) })
	return ts[i:j]
}

// slot is the outcome of a budget look-up.
type slot struct {
	at    time.Time // earliest time >= from with room in the window
	used  int       // entries in the window ending at from
	limit int
	ok    bool // false: the limit is 0, there is never room
}

// nextSlot finds the earliest time t >= from at which fewer than limit of
// the sorted ts fall in the rolling window (t-w, t]. An entry at e stops
// counting at e+w.
func nextSlot(ts []time.Time, from time.Time, w time.Duration, limit int) slot {
	s := slot{at: from, used: len(inWindow(ts, from, w)), limit: limit}
	if limit <= 0 {
		return s
	}
	s.ok = true
	for {
		in := inWindow(ts, s.at, w)
		if len(in) < limit {
			return s
		}
		// The window at s.at holds too many: move to when the
		// (len-limit+1)-th oldest of them leaves it.
		s.at = in[len(in)-limit].Add(w)
	}
}
