package policy

import (
	"testing"
	"time"

	"github.com/watchbox/watchbox/host/profile"
)

// TestExtendedStartRules checks every outcome of ExtendedStart at exact
// virtual times, each by its rule id and error.
func TestExtendedStartRules(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 6, 1, 22, 0, 0, 0, time.UTC)
	f := Facts{App: "a", State: "active"}
	base := ExtendedRequest{ID: 1, Mode: "alarm", Active: true, Max: 30 * time.Minute}
	cases := []struct {
		name  string
		r     func(r *ExtendedRequest)
		rule  string
		err   string
		inPrg bool
	}{
		{"no mode", func(r *ExtendedRequest) { r.Mode = "" }, RuleExtendedNotApproved, "not_approved_to_start_session", false},
		{"alarm start()", func(r *ExtendedRequest) {}, RuleExtendedNotApproved, "not_approved_to_start_session", false},
		{"schedule self care", func(r *ExtendedRequest) { r.Mode, r.Date = "self-care", now.Add(time.Hour) }, RuleExtendedNotSchedulable, "not_approved_to_schedule", false},
		{"bar off", func(r *ExtendedRequest) { r.Mode, r.BARDisabled = "mindfulness", true }, RuleExtendedBarDisabled, "bar_disabled", false},
		{"not active", func(r *ExtendedRequest) { r.Mode, r.Active = "mindfulness", false }, RuleExtendedMustBeActive, "must_be_active_to_start_or_schedule", false},
		{"36 h + 1 s", func(r *ExtendedRequest) { r.Date = now.Add(36*time.Hour + time.Second) }, RuleExtendedTooFarAhead, "scheduled_too_far_in_advance", false},
		{"36 h", func(r *ExtendedRequest) { r.Date = now.Add(36 * time.Hour) }, RuleExtendedScheduled, "", false},
		{"61 s past", func(r *ExtendedRequest) { r.Date = now.Add(-61 * time.Second) }, RuleExtendedTooFarPast, "unknown", false},
		{"60 s past", func(r *ExtendedRequest) { r.Date = now.Add(-60 * time.Second) }, RuleExtendedStarted, "", false},
		{"second scheduled", func(r *ExtendedRequest) { r.Date, r.Scheduled = now.Add(time.Hour), true }, RuleExtendedInProgress, "", true},
		{"scheduled beside a running one", func(r *ExtendedRequest) { r.Date, r.Running = now.Add(time.Hour), true }, RuleExtendedScheduled, "", false},
		{"second running", func(r *ExtendedRequest) { r.Mode, r.Running = "physical-therapy", true }, RuleExtendedInProgress, "", true},
		{"start", func(r *ExtendedRequest) { r.Mode = "self-care" }, RuleExtendedStarted, "", false},
	}
	for _, c := range cases {
		p := New(profile.Default())
		var got []Decision
		p.Report = func(d Decision) { got = append(got, d) }
		r := base
		c.r(&r)
		out := p.Sessions().ExtendedStart(f, r, now)
		if out.Rule != c.rule || out.Error != c.err || out.InProgress != c.inPrg {
			t.Errorf("%s: rule %s error %q in progress %v, want %s %q %v (%s)", c.name, out.Rule, out.Error, out.InProgress, c.rule, c.err, c.inPrg, out.Reason)
		}
		if len(got) != 1 || got[0].Rule != c.rule {
			t.Errorf("%s: reported %v", c.name, got)
		}
	}
}

// TestBackgroundCPURule: 80 % of 60 s is the limit; exactly 48 s is not
// above it, 48.001 s is.
func TestBackgroundCPURule(t *testing.T) {
	t.Parallel()
	p := New(profile.Default())
	now := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	if _, over := p.Sessions().BackgroundCPU(Facts{App: "a"}, 48*time.Second, "x", now); over {
		t.Error("48 s of 60 s (80 %) counted as over the limit")
	}
	d, over := p.Sessions().BackgroundCPU(Facts{App: "a"}, 48*time.Second+time.Millisecond, "its x session", now)
	if !over || d.Rule != RuleCPUBackgroundLimit || d.Numbers["percent_x10"] != 800 || d.Numbers["cpu_ms"] != 48001 {
		t.Errorf("over %v: %+v", over, d)
	}
}
