package policy

import (
	"fmt"
	"time"
)

// Kinds of the extended runtime session and background CPU decisions.
const (
	KindExtendedSession Kind = "extended_session" // WKExtendedRuntimeSession
	KindCPU             Kind = "cpu"              // the background CPU limit
)

// Verdicts of extended runtime sessions.
const (
	// Started: a session runs from now (Decision.At is its expiration).
	Started Verdict = "started"
	// Refused: a start, schedule or invalidation request did not happen;
	// the session is invalid with the error the decision names.
	Refused Verdict = "refused"
	// Invalidated: a running or scheduled session ended.
	Invalidated Verdict = "invalidated"
	// Warn: a warning ahead of an end (willExpire).
	Warn Verdict = "warn"
	// Notify: a haptic played (notifyUser).
	Notify Verdict = "notify"
	// Exceeded: a limit was passed.
	Exceeded Verdict = "exceeded"
)

// Rule ids of extended runtime sessions and of the background CPU limit
// (docs/design.md, "Extended runtime sessions").
const (
	RuleExtendedStarted           = "extended.started"             // start(), or a date up to smart_alarm_past_tolerance in the past
	RuleExtendedScheduled         = "extended.scheduled"           // start(at:) of a smart alarm
	RuleExtendedNotApproved       = "extended.not_approved"        // no extended mode in the manifest, or start() of a smart alarm
	RuleExtendedNotSchedulable    = "extended.not_schedulable"     // start(at:) of a type other than smart alarm
	RuleExtendedMustBeActive      = "extended.must_be_active"      // start or schedule while the app is not active
	RuleExtendedInProgress        = "extended.session_in_progress" // one running and one scheduled session per app
	RuleExtendedTooFarAhead       = "extended.too_far_ahead"       // start(at:) beyond smart_alarm_max_ahead
	RuleExtendedTooFarPast        = "extended.too_far_past"        // start(at:) more than smart_alarm_past_tolerance ago
	RuleExtendedBarDisabled       = "extended.bar_disabled"        // Background App Refresh is off
	RuleExtendedWillExpire        = "extended.will_expire"         // willExpire, extended_will_expire_lead before the limit
	RuleExtendedExpired           = "extended.expired"             // the session reached its type's limit
	RuleExtendedInvalidated       = "extended.invalidated"         // the app invalidated it (reason none)
	RuleExtendedNotYetStarted     = "extended.not_yet_started"     // invalidate() of a session never started
	RuleExtendedResignedFrontmost = "extended.resigned_frontmost"  // a frontmost-only session's app left the foreground
	RuleExtendedSuppressed        = "extended.suppressed"          // the system suppressed it (a developer's forced action)
	RuleExtendedAlarmFired        = "extended.alarm_fired"         // a scheduled smart alarm's date came
	RuleExtendedUnclaimed         = "extended.unclaimed"           // a relaunched app did not claim its smart alarm session
	RuleExtendedInstanceEnded     = "extended.ended_with_instance" // the instance died (crash, purge, kill) with the session running
	RuleExtendedHaptic            = "extended.haptic"              // notifyUser played a haptic
	RuleExtendedNotifyStopped     = "extended.notify_stopped"      // the repeat handler stopped the repeats
	RuleExtendedNotifyInterval    = "extended.notify_interval"     // a repeat interval out of (0, 60] s, or below smart_alarm_repeat_min
	RuleExtendedCPU               = "extended.exceeded_resource_limits"
	RuleCPUBackgroundLimit        = "cpu.background_limit" // background CPU above background_cpu_percent over background_cpu_window
)

// Sessions applies the rules of sessions: extended runtime sessions
// (start, start(at:) and their window) and the background CPU limit any
// session is under. A view of the Policy, like the families in family.go.
type Sessions struct{ *Policy }

// Sessions returns p's rules of sessions.
func (p *Policy) Sessions() Sessions { return Sessions{p} }

// ExtendedRequest is an app's start() or start(at:) of an extended
// runtime session, with what the system knows of the app then.
type ExtendedRequest struct {
	// ID is the session's id, as the guest gave it.
	ID int64
	// Mode is the manifest's extended background mode ("self-care",
	// "mindfulness", "physical-therapy", "alarm"), "" if none.
	Mode string
	// Date is start(at:)'s date; zero for start().
	Date time.Time
	// Active: the app is frontmost and active.
	Active bool
	// Running and Scheduled: the app has a session running, scheduled.
	Running, Scheduled bool
	// BARDisabled: the user turned Background App Refresh off.
	BARDisabled bool
	// Max is the session type's longest run.
	Max time.Duration
}

// ExtendedOutcome is what the system does with an ExtendedRequest.
type ExtendedOutcome struct {
	Decision
	// Error names the error the session is invalidated with (an abi
	// ExtendedError's name, "not_approved_to_start_session"), "" when it
	// starts or is scheduled.
	Error string
	// InProgress: the session is invalidated with reason
	// session_in_progress instead of an error.
	InProgress bool
	// Start is when the session starts (now, or the scheduled date).
	Start time.Time
}

// ExtendedStart decides an extended runtime session's start() (r.Date
// zero) or start(at:): the manifest's mode, the app's state, one running
// and one scheduled session per app, and a smart alarm's date window
// (smart_alarm_max_ahead ahead, smart_alarm_past_tolerance in the past,
// where it starts at once). Every outcome is reported.
func (p Sessions) ExtendedStart(f Facts, r ExtendedRequest, now time.Time) ExtendedOutcome {
	d := Decision{Time: now, App: f.App, Kind: KindExtendedSession}
	refuse := func(rule, err, format string, args ...any) ExtendedOutcome {
		d.Verdict, d.Rule, d.Reason = Refused, rule, fmt.Sprintf(format, args...)
		if err != "" {
			d.Reason += " (" + err + ")"
		}
		return ExtendedOutcome{Decision: p.record(d), Error: err}
	}
	ahead := p.Profile.SmartAlarmAhead.D()
	late := p.Profile.SmartAlarmLate.D()
	schedule := !r.Date.IsZero()
	what := fmt.Sprintf("%d start()", r.ID)
	if schedule {
		what = fmt.Sprintf("%d start(at: %s)", r.ID, clock(r.Date, now))
	}
	switch {
	case r.Mode == "":
		return refuse(RuleExtendedNotApproved, "not_approved_to_start_session",
			"extended session %s refused: the manifest declares none of the modes self-care, mindfulness, physical-therapy, alarm in WKBackgroundModes", what)
	case schedule && r.Mode != "alarm":
		return refuse(RuleExtendedNotSchedulable, "not_approved_to_schedule",
			"extended session %s refused: only smart alarm sessions can be scheduled; this app's mode is %s", what, r.Mode)
	case !schedule && r.Mode == "alarm":
		return refuse(RuleExtendedNotApproved, "not_approved_to_start_session",
			"extended session start() refused: a smart alarm session is started with start(at:), not start()")
	case r.BARDisabled:
		return refuse(RuleExtendedBarDisabled, "bar_disabled",
			"extended session %s refused: Background App Refresh is off", what)
	case !r.Active:
		return refuse(RuleExtendedMustBeActive, "must_be_active_to_start_or_schedule",
			"extended session %s refused: the app is %s; a session starts or is scheduled only while the app is active", what, f.State)
	case schedule && r.Date.Sub(now) > ahead:
		d.Numbers = nums("ahead_s", r.Date.Sub(now), "limit_s", ahead)
		return refuse(RuleExtendedTooFarAhead, "scheduled_too_far_in_advance",
			"smart alarm %s refused: %s ahead, more than smart_alarm_max_ahead=%s", what, r.Date.Sub(now).Round(time.Second), dur(ahead))
	case schedule && now.Sub(r.Date) > late:
		d.Numbers = nums("past_s", now.Sub(r.Date), "limit_s", late)
		return refuse(RuleExtendedTooFarPast, "unknown",
			"smart alarm %s refused: %s in the past, more than smart_alarm_past_tolerance=%s (Apple names no error for this; watchbox reports unknown)", what, now.Sub(r.Date).Round(time.Second), dur(late))
	case r.Running && (!schedule || !r.Date.After(now)) || schedule && r.Date.After(now) && r.Scheduled:
		d.Verdict, d.Rule = Refused, RuleExtendedInProgress
		which := "running"
		if schedule && r.Date.After(now) {
			which = "scheduled"
		}
		d.Reason = fmt.Sprintf("extended session %s refused: the app already has a %s session, and has at most one running and one scheduled (session_in_progress)", what, which)
		return ExtendedOutcome{Decision: p.record(d), InProgress: true}
	}
	if schedule && r.Date.After(now) {
		d.Verdict, d.Rule, d.At = Scheduled, RuleExtendedScheduled, r.Date
		d.Numbers = nums("ahead_s", r.Date.Sub(now), "limit_s", ahead)
		d.Reason = fmt.Sprintf("smart alarm %d scheduled for %s, %s ahead (at most smart_alarm_max_ahead=%s)", r.ID, clock(r.Date, now), r.Date.Sub(now).Round(time.Second), dur(ahead))
		return ExtendedOutcome{Decision: p.record(d), Start: r.Date}
	}
	d.Verdict, d.Rule, d.At = Started, RuleExtendedStarted, now.Add(r.Max)
	d.Numbers = nums("max_s", r.Max)
	d.Reason = fmt.Sprintf("extended %s session %d started; it expires at %s, after %s", r.Mode, r.ID, clock(now.Add(r.Max), now), dur(r.Max))
	if schedule {
		d.Numbers["past_s"] = int64(now.Sub(r.Date) / time.Second)
		d.Reason += fmt.Sprintf(" (its date %s is in the past, within smart_alarm_past_tolerance=%s: it starts at once)", clock(r.Date, now), dur(late))
	}
	return ExtendedOutcome{Decision: p.record(d), Start: now}
}

// BackgroundCPU decides whether an app that used cpu of CPU time in the
// window before now, running in the background under a session, passed
// the background CPU limit: background_cpu_percent of
// background_cpu_window. It reports only an exceeded limit.
func (p Sessions) BackgroundCPU(f Facts, cpu time.Duration, sessions string, now time.Time) (Decision, bool) {
	window := p.Profile.BackgroundCPUWindow.D()
	limit := p.Profile.BackgroundCPUPercent
	if window <= 0 {
		return Decision{}, false
	}
	if cpu*100 <= window*time.Duration(limit) {
		return Decision{}, false
	}
	permille := int64(cpu * 1000 / window)
	d := Decision{Time: now, App: f.App, Kind: KindCPU, Verdict: Exceeded, Rule: RuleCPUBackgroundLimit,
		Numbers: map[string]int64{"cpu_ms": cpu.Milliseconds(), "window_s": int64(window / time.Second),
			"percent_x10": permille, "limit_percent": int64(limit)}}
	d.Reason = fmt.Sprintf("background CPU %d.%d %% over the last %s (%s of CPU time from fuel) is above background_cpu_percent=%d %%: %s ends",
		permille/10, permille%10, dur(window), cpu.Round(time.Millisecond), limit, sessions)
	return p.record(d), true
}

// ExtendedRuleIDs returns the rule ids of extended runtime sessions and of
// the background CPU limit, for the scenario checker.
func ExtendedRuleIDs() []string {
	return []string{RuleExtendedStarted, RuleExtendedScheduled, RuleExtendedNotApproved, RuleExtendedNotSchedulable,
		RuleExtendedMustBeActive, RuleExtendedInProgress, RuleExtendedTooFarAhead, RuleExtendedTooFarPast,
		RuleExtendedBarDisabled, RuleExtendedWillExpire, RuleExtendedExpired, RuleExtendedInvalidated,
		RuleExtendedNotYetStarted, RuleExtendedResignedFrontmost, RuleExtendedSuppressed, RuleExtendedAlarmFired,
		RuleExtendedUnclaimed, RuleExtendedInstanceEnded, RuleExtendedHaptic, RuleExtendedNotifyStopped,
		RuleExtendedNotifyInterval, RuleExtendedCPU, RuleCPUBackgroundLimit}
}
