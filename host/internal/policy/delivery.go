package policy

import (
	"fmt"
	"time"
)

// DataDeliveryBy returns the latest time data that arrived at arrived for a
// backgrounded app is delivered: arrived + Profile.DataDeliveryDelay
// (rule 9).
func (p *Policy) DataDeliveryBy(arrived time.Time) time.Time {
	return arrived.Add(p.Profile.DataDeliveryDelay.D())
}

// DataDelivery decides when data that arrived for f.App at arrived (a
// message or file from the paired phone, a finished background transfer)
// is delivered, asked at now (rule 9).
//
// A frontmost app gets it at once (rule "data_delivery.frontmost"). A
// backgrounded or suspended app gets it at [Policy.DataDeliveryBy] at the
// latest; watchbox's deterministic choice is to deliver it exactly then
// (verdict Delay, rule "data_delivery.delay"), the worst case an app must
// handle. The caller may deliver it earlier together with another wake-up
// of the app, never later. Asked at or after that time, it runs.
func (p *Policy) DataDelivery(f Facts, arrived, now time.Time) Decision {
	delay := p.Profile.DataDeliveryDelay.D()
	by := p.DataDeliveryBy(arrived)
	d := Decision{App: f.App, Kind: KindDataDelivery, Time: now,
		Numbers: nums("delivery_delay_s", delay, "arrived_unix", arrived.Unix())}
	switch {
	case f.Frontmost:
		d.Verdict, d.Rule, d.At = Run, RuleDataDeliveryAtOnce, now
		d.Reason = fmt.Sprintf("data delivery runs at %s: the app is frontmost", clock(now, now))
	case by.After(now):
		d.Verdict, d.Rule, d.At = Delay, RuleDataDeliveryDelay, by
		d.Reason = fmt.Sprintf("data delivery delayed to %s: the app is %s; data that arrived at %s is delivered within %s",
			clock(by, now), notFrontmost(f.State), clock(arrived, now), dur(delay))
	default:
		d.Verdict, d.Rule, d.At = Run, RuleDataDeliveryDelay, now
		d.Reason = fmt.Sprintf("data delivery runs at %s: data that arrived at %s is delivered within %s",
			clock(now, now), clock(arrived, now), dur(delay))
	}
	return p.record(d)
}

// notFrontmost says where an app that is not frontmost is, in words:
// "in the background" unless its state says it is suspended or not
// running at all.
func notFrontmost(state string) string {
	switch state {
	case "suspended":
		return "suspended"
	case "not_running":
		return "not running"
	}
	return "in the background"
}
