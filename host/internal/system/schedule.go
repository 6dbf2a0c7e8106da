package system

import (
	"time"

	"github.com/watchbox/watchbox/abi"
	"github.com/watchbox/watchbox/abi/msg"
	"github.com/watchbox/watchbox/host/internal/policy"
)

// MaxPayload is the largest phone payload or forced task userInfo the
// runtime accepts: what fits in one event envelope with its other fields.
const MaxPayload = abi.MaxEnvelope - abi.HeaderSize - 1024

// RefuseUserInfo refuses op when userInfo, which comes back to the app in
// a background_tasks event, is over MaxPayload: the ABI promises a guest
// that no envelope is over abi.MaxEnvelope, so a guest with a 64 KiB
// buffer never needs a larger one, and a userInfo near the 64 KiB request
// limit would make the event that carries it larger. ok is false when
// refused.
func RefuseUserInfo(op abi.Op, userInfo []byte) (res []byte, status abi.Status, reason string, ok bool) {
	if len(userInfo) <= MaxPayload {
		return nil, abi.StatusOK, "", true
	}
	res, status, reason = Refuse(op, abi.StatusLimit, "userInfo is %d bytes; at most %d fit in the background_tasks event that delivers it (the ABI's %d-byte envelope)",
		len(userInfo), MaxPayload, abi.MaxEnvelope)
	return res, status, reason, false
}

// ScheduleRule is a policy rule that places an app's schedule request:
// policy.Schedules.Refresh or policy.Schedules.Snapshot.
type ScheduleRule func(s policy.Schedules, f policy.Facts, preferred time.Time, userInfo any, now time.Time) policy.Decision

// Schedule decides a schedule request for the preferred date (Unix ns)
// with userInfo by rule, and arms its delivery (or cancels the pending one
// when the request will not run). The encoded msg.ScheduleResult says the
// decision in words and, unless it was dropped, when it will run. The
// system's timers have a resolution of one second: a date inside a second
// means the end of it.
func (a *App) Schedule(date int64, userInfo []byte, rule ScheduleRule, arm func(time.Time)) []byte {
	preferred := time.Unix(0, date).UTC()
	if t := preferred.Truncate(time.Second); !t.Equal(preferred) {
		preferred = t.Add(time.Second)
	}
	now := a.Now()
	d := a.DecidePolicy(func(p *policy.Policy) policy.Decision {
		return rule(p.Schedules(), a.Facts(), preferred, userInfo, now)
	})
	res := msg.ScheduleResult{Message: d.Reason}
	switch d.Verdict {
	case policy.Scheduled, policy.Delay:
		arm(d.At)
		res.Date = d.At.UnixNano()
	default:
		arm(time.Time{})
	}
	return res.Encode(nil)
}

// Truncate returns b as a string of at most n bytes, with "..." when cut,
// for a decision's reason.
func Truncate(b []byte, n int) string {
	if len(b) <= n {
		return string(b)
	}
	return string(b[:n]) + "..."
}
