package host

import (
	"github.com/watchbox/watchbox/host/internal/policy"
)

// Decision is one decision of the system about an app's request, with the
// rule and numbers that decided it: what a developer reads to learn why a
// task did or did not run. Every rule and rule id is in the policy package.
type Decision = policy.Decision

// maxDecisions bounds the runtime's decision log; older decisions are
// forgotten first.
const maxDecisions = 10000

// report is where every decision goes: the runtime's log, the structured
// log and Config.OnDecision.
func (r *Runtime) report(d Decision) {
	d = d.Reported()
	r.decMu.Lock()
	if len(r.decisions) >= maxDecisions {
		r.decisions = append(r.decisions[:0], r.decisions[len(r.decisions)-maxDecisions/2:]...)
	}
	r.decisions = append(r.decisions, d)
	r.decMu.Unlock()
	r.log.Info().Str("app", d.App).Str("kind", d.Kind).Str("verdict", d.Verdict).Str("rule", d.Rule).Msg(d.Reason)
	if f := r.cfg.OnDecision; f != nil {
		f(d)
	}
}

// why returns every decision reported about app, oldest first.
func (r *Runtime) why(app string) []Decision {
	r.decMu.Lock()
	defer r.decMu.Unlock()
	var out []Decision
	for _, d := range r.decisions {
		if d.App == app {
			out = append(out, d)
		}
	}
	return out
}
