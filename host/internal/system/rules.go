package system

import (
	"slices"
	"sync"
	"sync/atomic"

	"github.com/watchbox/watchbox/host/internal/policy"
	"github.com/watchbox/watchbox/host/profile"
)

// Rules is the runtime's one Policy behind its lock, and the reporter of
// every decision. A decision is made with Decide, which reports every
// decision the rule made; a question that decides nothing is asked with
// Ask; a decision the system makes without a rule is reported with Report.
// Nothing else touches the Policy.
type Rules struct {
	mu     sync.Mutex
	pol    *policy.Policy
	fresh  []policy.Decision // what the running rule decided, guarded by mu
	prof   atomic.Pointer[profile.Profile]
	report func(policy.Decision)
}

// NewRules returns the rules of profile p, reporting to report.
func NewRules(p profile.Profile, report func(policy.Decision)) *Rules {
	r := &Rules{pol: policy.New(p), report: report}
	r.pol.Report = func(d policy.Decision) { r.fresh = append(r.fresh, d) }
	r.prof.Store(&p)
	return r
}

// Profile returns the device profile in force now (Set may change it). It
// is read on every guest call, so it is one atomic load, not the policy's
// lock and a copy; the profile it points to is never modified.
func (r *Rules) Profile() *profile.Profile { return r.prof.Load() }

// Decide runs rule f on the policy (which is not safe for concurrent use)
// and reports every decision it made, in time order (a rule may make more
// than the one it returns, such as a push it coalesced).
func (r *Rules) Decide(f func(p *policy.Policy) policy.Decision) policy.Decision {
	return r.DecideWith(r.report, f)
}

// DecideWith is Decide with the rule's decisions reported through report
// (an app's gate on what its calls make the runtime report, App.Decide)
// instead of straight to the runtime.
func (r *Rules) DecideWith(report func(policy.Decision), f func(p *policy.Policy) policy.Decision) policy.Decision {
	r.mu.Lock()
	d := f(r.pol)
	fresh := r.fresh
	r.fresh = nil
	r.mu.Unlock()
	slices.SortStableFunc(fresh, func(a, b policy.Decision) int { return a.Time.Compare(b.Time) })
	for _, x := range fresh {
		report(x)
	}
	return d
}

// Ask runs f, a question to the policy that decides nothing (a task's
// times, a budget), under the policy's lock.
func (r *Rules) Ask(f func(p *policy.Policy)) {
	r.mu.Lock()
	defer r.mu.Unlock()
	f(r.pol)
}

// Set changes the profile value named key, validating the whole profile;
// on error nothing changes.
func (r *Rules) Set(key, value string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	p := r.pol.Profile
	if err := p.Set(key, value); err != nil {
		return err
	}
	r.pol.Profile = p
	r.prof.Store(&p)
	return nil
}

// Report reports a decision the system made without a rule of the policy
// (a task completed, a notification presented, ...).
func (r *Rules) Report(d policy.Decision) { r.report(d) }
