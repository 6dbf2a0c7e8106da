// Package policy is the deterministic decision layer of watchbox's "system":
// given the device profile, an app's facts and its history, and the current
// (virtual) time, it decides whether a background request runs now, is
// scheduled or delayed (and until when), throttled, dropped, replaced or
// killed, and says why, naming the rule and the numbers that decided it.
//
// Nothing here starts a goroutine or reads a clock: every call takes now.
// Identical inputs give identical decisions and identical reason strings.
// A [Policy] is not safe for concurrent use; the caller's scheduler owns it.
//
// # Windows
//
// Every budget is counted over a rolling window, never a calendar one: a
// request that ran at t counts against the window until t+window (exclusive),
// so a request is allowed at time t when fewer than the limit ran in
// (t-window, t]. "Per hour" budgets use [Hour] and "per day" budgets [Day];
// these are the units of the profile's names, not tunable numbers. Only
// requests that actually ran are counted; a request delayed, throttled or
// dropped is not charged until (unless) it runs.
//
// # Flow
//
// Requests that can wait (refreshes, app-scheduled snapshots, throttled
// background pushes) are held in [Pending], one of each kind per app. The
// caller delivers them by calling the matching *Due method at the request's
// [Request.Due] time (see [Pending.Next]); that call decides again (the app
// may be frontmost by then, or the budget spent) and charges the budget when
// the verdict is [Run]. Every decision a Policy makes goes to its
// [Policy.Report]; the Policy keeps none. A caller that keeps them (in a
// [Log], say) can answer why an app's task did not run ([Log.Why]).
package policy

import (
	"fmt"
	"strings"
	"time"

	"github.com/watchbox/watchbox/host/profile"
)

// Hour and Day are the windows of the "per hour" and "per day" budgets of the
// profile. Both are rolling windows.
const (
	Hour = time.Hour
	Day  = 24 * time.Hour
)

// MaxWindow is the longest window any rule looks back over; the [Ledger]
// forgets entries older than this.
const MaxWindow = Day

// Kind names what a request or decision is about. It is a string (an
// alias), like Verdict.
type Kind = string

// Kinds of requests the policy decides on. Task kinds not listed here (for
// example "url_session" or "watch_connectivity") may be used with
// [Policy.TaskTimes] and [Policy.TaskExpired].
const (
	KindRefresh          Kind = "refresh"           // WKApplicationRefreshBackgroundTask
	KindSnapshot         Kind = "snapshot"          // WKSnapshotRefreshBackgroundTask
	KindBackgroundPush   Kind = "background_push"   // content-available remote notification
	KindComplicationPush Kind = "complication_push" // PushKit complication push
	// KindComplicationTransfer is transferCurrentComplicationUserInfo from the phone.
	KindComplicationTransfer Kind = "complication_transfer"
	KindBluetoothAlert       Kind = "bluetooth_alert" // Bluetooth timely alert
	KindBluetoothScan        Kind = "bluetooth_scan"  // Bluetooth background scan (shares the alert budget)
	KindDataDelivery         Kind = "data_delivery"   // data for a backgrounded app (e.g. from the phone)
	KindTask                 Kind = "task"            // a background task's delivery, completion, expiry
	KindNotification         Kind = "notification"    // a local notification or an alert push
	KindComplication         Kind = "complication"    // complication data the app published
	KindURLSession           Kind = "url_session"     // a background download
	KindProfile              Kind = "profile"         // a change to the device profile
	KindOutput               Kind = "output"          // what an app's calls made the runtime report (decisions_per_call)
)

// Verdict is what the system does with a request: a lower-case word
// ("run", "delay", ...). It is a string, as Kind is, so that a Decision
// reads the same wherever it is reported.
type Verdict = string

// Verdicts.
const (
	// Run: the request runs now.
	Run Verdict = "run"
	// Scheduled: the request will run at Decision.At, its preferred date
	// (or now), within budget.
	Scheduled Verdict = "scheduled"
	// Delay: the request will run at Decision.At, later than it asked for,
	// because a budget or a delivery rule says so.
	Delay Verdict = "delay"
	// Throttle: a push is held back until Decision.At by a rate limit.
	Throttle Verdict = "throttle"
	// Drop: the request will never run.
	Drop Verdict = "drop"
	// Replaced: a pending request was replaced by a newer one of its kind.
	Replaced Verdict = "replaced"
	// Kill: the app was killed because a task did not complete in time.
	Kill Verdict = "kill"
	// Reset: a budget was reset (for example on opening the app).
	Reset Verdict = "reset"
	// Completed: a background task was completed (by the app or the system).
	Completed Verdict = "completed"
	// Expire: a task was made to expire early by the developer.
	Expire Verdict = "expire"
	// Presented: a notification was shown to the user.
	Presented Verdict = "presented"
	// Set: a profile value was changed.
	Set Verdict = "set"
)

// SnapshotReason is why a snapshot is taken, as in WKSnapshotReason.
type SnapshotReason string

// Snapshot reasons.
const (
	SnapshotAppScheduled         SnapshotReason = "appScheduled"
	SnapshotAppBackgrounded      SnapshotReason = "appBackgrounded"
	SnapshotReturnToDefaultState SnapshotReason = "returnToDefaultState"
	SnapshotComplicationUpdate   SnapshotReason = "complicationUpdate"
	SnapshotPrelaunch            SnapshotReason = "prelaunch"
)

// Rule identifiers: stable ids that name the rule that decided. Tests,
// traces and the "why" query use them.
const (
	RuleRefreshScheduled   = "refresh.scheduled"
	RuleRefreshBudget      = "refresh.hourly_budget"
	RuleRefreshFrontmost   = "refresh.frontmost"
	RuleRefreshOnePending  = "refresh.one_pending"
	RuleRefreshRun         = "refresh.run"
	RuleSnapshotScheduled  = "snapshot.scheduled"
	RuleSnapshotBudget     = "snapshot.hourly_budget"
	RuleSnapshotFrontmost  = "snapshot.frontmost"
	RuleSnapshotOnePending = "snapshot.one_pending"
	RuleSnapshotRun        = "snapshot.run"
	RuleSnapshotSystem     = "snapshot.system"
	RuleSnapshotDefault    = "snapshot.return_to_default"
	RuleSnapshotCompletion = "snapshot.task_completion"
	RuleSnapshotCoalesced  = "snapshot.coalesced"
	// RuleSnapshotCompletionReplaces: a task completed with a snapshot
	// replaced the pending snapshot request (setTaskCompletedWithSnapshot).
	RuleSnapshotCompletionReplaces = "snapshot.completion_replaces"
	RulePushThrottle               = "background_push.hourly_throttle"
	RulePushCoalesced              = "background_push.coalesced"
	RulePushRun                    = "background_push.run"
	RuleComplicationFace           = "complication_push.inactive_face"
	RuleComplicationBudget         = "complication_push.daily_budget"
	RuleComplicationRun            = "complication_push.run"
	RuleTransferFace               = "complication_transfer.inactive_face"
	RuleTransferBudget             = "complication_transfer.daily_budget"
	RuleTransferRun                = "complication_transfer.run"
	RuleBluetoothBudget            = "bluetooth.daily_budget"
	RuleBluetoothRun               = "bluetooth.run"
	RuleBluetoothReset             = "bluetooth.reset_on_open"
	RuleTaskDeadline               = "task.deadline"
	RuleDataDeliveryDelay          = "data_delivery.delay"
	RuleDataDeliveryAtOnce         = "data_delivery.frontmost"
)

// Rule identifiers of the system's decisions that no budget decides: what
// the system did with a request it always carries out or always refuses.
// They are reported by the runtime the same way, so that a timeline and
// the "why" query name every decision by a stable id.
const (
	RuleProfileSet                = "profile.set"                  // a profile value changed mid-run
	RuleTrigger                   = "trigger"                      // a task forced by the developer
	RuleTaskCompleted             = "task.completed"               // the app completed a task
	RuleTaskUnhandled             = "task.unhandled"               // the system completed the tasks of an unhandled event (watchbox's choice)
	RuleTaskExpireForced          = "task.expire_forced"           // the developer forced a task's expiry
	RuleTaskNotRedelivered        = "task.not_redelivered"         // an open task dropped with its app's instance (crash, purge, kill): never delivered again
	RuleTaskRedelivered           = "task.redelivered"             // an open task delivered again, same id and deadline, to a hot reload's new version that started cold (watchbox's choice)
	RuleComplicationUpdated       = "complication.updated"         // the app published complication data
	RuleSnapshotAutomaticOff      = "snapshot.automatic_off"       // automatic snapshots off (a distant-future expiration; watchbox's reading)
	RuleSnapshotAutomaticOn       = "snapshot.automatic_on"        // automatic snapshots on again
	RuleSnapshotDefaultRestored   = "snapshot.default_restored"    // the app restored its default state: no return_to_default snapshot
	RuleNotificationScheduled     = "notification.scheduled"       // a local notification was scheduled
	RuleNotificationPresented     = "notification.presented"       // a notification was shown to the user
	RulePhoneReceived             = "phone.received"               // the simulated phone received the app's data
	RulePhoneUnreachable          = "phone.unreachable"            // a phone message for an app that is not reachable
	RulePhoneContextReplaced      = "phone.context_replaced"       // a waiting application context replaced by a newer one
	RulePhoneUnpaired             = "phone.unpaired"               // no phone is paired: WatchConnectivity data refused both ways
	RulePhoneHeld                 = "phone.held_unreachable"       // data for the other side waits while the phone is out of range (transferUserInfo queues)
	RulePhoneQueueLimit           = "phone.queue_limit"            // a transfer waiting for the phone dropped, the oldest, beyond max_phone_transfers
	RuleDecisionsPerCall          = "output.decisions_per_call"    // decisions about an app past decisions_per_call in one of its calls: dropped and counted
	RuleBluetoothExceeded         = "bluetooth.exceeded_error"     // the app was told leGattExceededBackgroundNotificationLimit
	RuleURLSessionStarted         = "url_session.started"          // a background download started
	RuleURLSessionFinished        = "url_session.finished"         // a background download finished or failed
	RuleURLSessionHostNotAllowed  = "url_session.host_not_allowed" // a download from a host the manifest does not allow
	RuleURLSessionConcurrentLimit = "url_session.concurrent_limit" // a download beyond max_concurrent_downloads
	RuleNotificationPendingLimit  = "notification.pending_limit"   // a pending notification beyond max_pending_notifications
	RulePushNoMode                = "background_push.no_mode"      // a background push for an app without the remote-notification mode
)

// CodeTaskNotFinished is the termination code of an app killed because a
// background task was not completed in time.
const CodeTaskNotFinished = "0x2182bad2"

// Facts are what the policy needs to know about an app at the moment of a
// decision. The caller derives them from its life-cycle state machine.
type Facts struct {
	// App is the app's bundle identifier.
	App string
	// Frontmost is true while the app is frontmost: active, or inactive
	// but still frontmost (wrist down within the frontmost timeout).
	Frontmost bool
	// ComplicationActive is true while one of the app's complications is
	// on the active watch face.
	ComplicationActive bool
	// LastInteraction is when the user last interacted with the app (zero
	// if never); it decides the returnToDefaultState snapshot.
	LastInteraction time.Time
	// State is the app's life-cycle state, by its ABI name
	// ("background", "suspended", "not_running"), for the words of a
	// reason; "" when not known.
	State string
}

// Decision is one decision of the system about one request, with the rule
// and the numbers that decided it: what a developer reads to learn why a
// task did or did not run. It is the one decision type of watchbox
// (host.Decision is this type); its JSON form is part of `watchbox run
// --json` and `simulate --json`.
type Decision struct {
	// Time is when the decision was made.
	Time time.Time `json:"time"`
	// App is the app's bundle identifier.
	App string `json:"app"`
	// Kind is what the request was (refresh, snapshot, task, ...).
	Kind Kind `json:"kind"`
	// Verdict is what the system does with it (run, scheduled, delay,
	// drop, replaced, kill, ...).
	Verdict Verdict `json:"verdict"`
	// At is when the request runs (Run: Time; Scheduled, Delay, Throttle:
	// the time it will be delivered), the missed deadline for Kill, and
	// zero otherwise.
	At time.Time `json:"at,omitzero"`
	// Rule is the stable id of the rule that decided (the Rule* constants).
	Rule string `json:"rule"`
	// Reason is the human explanation, with the numbers, e.g.
	// "refresh delayed to 10:00: 4 of 4 this hour used".
	Reason string `json:"reason"`
	// Numbers are the numbers that decided, by name ("used", "limit",
	// "window_s", ...), for the decisions of a budget or delivery rule;
	// durations are in seconds and their names end in _s.
	Numbers map[string]int64 `json:"numbers,omitempty"`
	// Warning, when not empty, is a warning that goes with a decision that
	// otherwise ran (the Bluetooth near-limit warning). Reported decisions
	// carry it in Reason instead (see Reported).
	Warning string `json:"-"`
	// Snapshot, when not empty, is a snapshot the system takes after this
	// request has run (a complication push is followed by a
	// complicationUpdate snapshot).
	Snapshot SnapshotReason `json:"-"`
}

// Reported returns d as the runtime reports it: its warning, if any,
// joined to its reason ("...; warning: ..."), so that the one Reason a
// timeline prints says it.
func (d Decision) Reported() Decision {
	if d.Warning != "" {
		d.Reason += "; warning: " + d.Warning
		d.Warning = ""
	}
	return d
}

// String returns the decision as one human line:
// "09:40:00 com.example.weather: refresh delayed to 10:00: 4 of 4 this hour used [refresh.hourly_budget]".
func (d Decision) String() string {
	var b strings.Builder
	b.WriteString(d.Time.UTC().Format("15:04:05"))
	b.WriteByte(' ')
	b.WriteString(d.App)
	b.WriteString(": ")
	b.WriteString(d.Reason)
	if d.Warning != "" {
		b.WriteString("; warning: ")
		b.WriteString(d.Warning)
	}
	b.WriteString(" [")
	b.WriteString(d.Rule)
	b.WriteByte(']')
	return b.String()
}

// Policy applies the rules of a device profile. Its fields may be used
// directly. It keeps no log: every decision goes to Report.
type Policy struct {
	// Profile holds every number the rules use.
	Profile profile.Profile
	// Ledger is what ran when, per app.
	Ledger *Ledger
	// Pending holds the requests waiting to be delivered.
	Pending *Pending
	// Report, if set, receives every decision a rule makes, in order: a
	// rule may make more than the one it returns (the pending request a
	// newer one replaced, a push it coalesced). A caller that wants a log
	// keeps one (see Log).
	Report func(Decision)
}

// New returns a Policy for profile p with an empty ledger and no pending
// requests, reporting nowhere.
func New(p profile.Profile) *Policy {
	return &Policy{Profile: p, Ledger: NewLedger(), Pending: NewPending()}
}

// record reports d and returns it.
func (p *Policy) record(d Decision) Decision {
	if p.Report != nil {
		p.Report(d)
	}
	return d
}

// nums builds a Numbers map from alternating name, value pairs.
func nums(kv ...any) map[string]int64 {
	m := make(map[string]int64, len(kv)/2)
	for i := 0; i+1 < len(kv); i += 2 {
		k := kv[i].(string)
		switch v := kv[i+1].(type) {
		case int:
			m[k] = int64(v)
		case int64:
			m[k] = v
		case time.Duration:
			m[k] = int64(v / time.Second)
		}
	}
	return m
}

// clock formats t for a reason: "15:04", or "15:04:05" when the seconds are
// not zero (with milliseconds when the fraction is not zero), in UTC; prefixed
// with the date "2006-01-02 " when t is on another UTC day than ref.
func clock(t, ref time.Time) string {
	t = t.UTC().Truncate(time.Millisecond)
	var s string
	switch {
	case t.Nanosecond() != 0:
		s = t.Format("15:04:05.000") // to the millisecond: a reason is read by people
	case t.Second() != 0:
		s = t.Format("15:04:05")
	default:
		s = t.Format("15:04")
	}
	ry, rm, rd := ref.UTC().Date()
	if y, m, d := t.Date(); y != ry || m != rm || d != rd {
		s = t.Format("2006-01-02 ") + s
	}
	return s
}

// dur formats a duration for a reason: "15 s", "10 min", "1 h", "24 h".
func dur(d time.Duration) string {
	switch {
	case d != 0 && d%time.Hour == 0:
		return fmt.Sprintf("%d h", d/time.Hour)
	case d != 0 && d%time.Minute == 0:
		return fmt.Sprintf("%d min", d/time.Minute)
	case d%time.Second == 0:
		return fmt.Sprintf("%d s", d/time.Second)
	default:
		return d.String()
	}
}

// windowPhrase names a rolling window in a reason.
func windowPhrase(w time.Duration) string {
	switch w {
	case Hour:
		return "this hour"
	case Day:
		return "in the rolling 24 h"
	default:
		return "in the last " + dur(w)
	}
}

// noun names a kind in a reason.
func noun(k Kind) string {
	switch k {
	case KindBackgroundPush:
		return "background push"
	case KindComplicationPush:
		return "complication push"
	case KindComplicationTransfer:
		return "complication transfer"
	case KindBluetoothAlert:
		return "Bluetooth alert"
	case KindBluetoothScan:
		return "Bluetooth background scan"
	case KindDataDelivery:
		return "data delivery"
	}
	return strings.ReplaceAll(string(k), "_", " ")
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}
