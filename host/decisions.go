package host

import (
	"sync"

	"github.com/watchbox/watchbox/host/internal/policy"
)

// Decision is one decision of the system about an app's request, with the
// rule and numbers that decided it: what a developer reads to learn why a
// task did or did not run. Every rule and rule id is in the policy package.
type Decision = policy.Decision

// decisionLog is the runtime's log of decisions, kept by app.
type decisionLog struct {
	rt    *Runtime
	mu    sync.Mutex
	byApp map[string][]Decision // the decisions kept, by app, oldest first
}

// report is where every decision goes: the runtime's log, the structured
// log and Config.OnDecision. The runtime keeps each app's decisions apart,
// at most the profile's max_decisions_per_app of them (the older half is
// forgotten first), so that an app making many decisions (thousands of
// dropped notifications) cannot push another's out of why.
func (l *decisionLog) report(d Decision) {
	r := l.rt
	d = d.Reported()
	limit := r.rules.Profile().MaxDecisionsPerApp
	l.mu.Lock()
	kept := l.byApp[d.App]
	if len(kept) >= limit {
		kept = append(kept[:0], kept[len(kept)-limit/2:]...)
	}
	if limit > 0 {
		kept = append(kept, d)
	}
	l.byApp[d.App] = kept
	l.mu.Unlock()
	r.log.Info().Str("app", d.App).Str("kind", d.Kind).Str("verdict", d.Verdict).Str("rule", d.Rule).Msg(d.Reason)
	if f := r.cfg.OnDecision; f != nil {
		f(d)
	}
}

// of returns every decision reported about app, oldest first.
func (l *decisionLog) of(app string) []Decision {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]Decision(nil), l.byApp[app]...)
}
