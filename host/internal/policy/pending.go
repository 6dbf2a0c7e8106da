package policy

import (
	"fmt"
	"sort"
	"time"
)

// Request is a request waiting to be delivered.
type Request struct {
	// App is the app's bundle identifier.
	App string
	// Kind is the request's kind: KindRefresh, KindSnapshot or
	// KindBackgroundPush.
	Kind Kind
	// Made is when the app (or the sender) made the request.
	Made time.Time
	// Preferred is the app's preferred date, a hint (zero for requests
	// without one).
	Preferred time.Time
	// Due is when the system will deliver it.
	Due time.Time
	// Snapshot is the reason of a snapshot request.
	Snapshot SnapshotReason
	// UserInfo is the caller's payload (the userInfo of a schedule call, a
	// push's payload); the policy never looks at it.
	UserInfo any
}

type pendingKey struct {
	app  string
	kind Kind
}

// Pending holds at most one request of each kind per app. The zero value is
// not usable; call [NewPending].
type Pending struct {
	m map[pendingKey]Request
}

// NewPending returns an empty Pending.
func NewPending() *Pending { return &Pending{m: map[pendingKey]Request{}} }

// Get returns app's pending request of kind k, if any.
func (p *Pending) Get(app string, k Kind) (Request, bool) {
	r, ok := p.m[pendingKey{app, k}]
	return r, ok
}

// Take removes and returns app's pending request of kind k, if any.
func (p *Pending) Take(app string, k Kind) (Request, bool) {
	r, ok := p.m[pendingKey{app, k}]
	delete(p.m, pendingKey{app, k})
	return r, ok
}

// Replace makes r the pending request of its app and kind. When another was
// pending, it returns that one and the decision that it was replaced
// (verdict Replaced, rule "<kind>.one_pending"), made at now.
func (p *Pending) Replace(r Request, now time.Time) (old Request, d Decision, replaced bool) {
	key := pendingKey{r.App, r.Kind}
	old, replaced = p.m[key]
	p.m[key] = r
	if !replaced {
		return Request{}, Decision{}, false
	}
	d = Decision{
		App:     r.App,
		Kind:    r.Kind,
		Verdict: Replaced,
		Time:    now,
		Rule:    string(r.Kind) + ".one_pending",
		Reason: fmt.Sprintf("%s for %s (requested %s) replaced by a new request for %s: one pending %s per app",
			noun(r.Kind), clock(old.Due, now), clock(old.Made, now), clock(r.Due, now), noun(r.Kind)),
		Numbers: nums("pending_limit", 1),
	}
	return old, d, true
}

// All returns every pending request, ordered by due time, then app, then
// kind.
func (p *Pending) All() []Request {
	out := make([]Request, 0, len(p.m))
	for _, r := range p.m {
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if !a.Due.Equal(b.Due) {
			return a.Due.Before(b.Due)
		}
		if a.App != b.App {
			return a.App < b.App
		}
		return a.Kind < b.Kind
	})
	return out
}

// Next returns the pending request due first (ties broken as in All).
func (p *Pending) Next() (Request, bool) {
	all := p.All()
	if len(all) == 0 {
		return Request{}, false
	}
	return all[0], true
}

// Len returns how many requests are pending.
func (p *Pending) Len() int { return len(p.m) }
