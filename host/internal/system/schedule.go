package system

import (
	"time"

	"github.com/watchbox/watchbox/abi"
	"github.com/watchbox/watchbox/host/internal/policy"
)

// MaxPayload is the largest phone payload or forced task userInfo the
// runtime accepts: what fits in one event envelope with its other fields.
const MaxPayload = abi.MaxEnvelope - abi.HeaderSize - 1024

// ScheduleRule is a policy rule that places an app's schedule request.
type ScheduleRule func(p *policy.Policy, f policy.Facts, preferred time.Time, userInfo any, now time.Time) policy.Decision

// Schedule decides a schedule request (a schedule op's args) with rule and
// arms its delivery (or cancels the pending one when the request will not
// run). The result says the decision in words and, unless it was dropped,
// when it will run.
func (a *App) Schedule(args []byte, rule ScheduleRule, arm func(time.Time)) ([]byte, abi.Status) {
	preferred, userInfo, status := scheduleArgs(args)
	if status != abi.StatusOK {
		return nil, status
	}
	now := a.Now()
	d := a.Env.Rules.Decide(func(p *policy.Policy) policy.Decision {
		return rule(p, a.Facts(), preferred, userInfo, now)
	})
	var w abi.Writer
	w.String(abi.FieldMessage, d.Reason)
	switch d.Verdict {
	case policy.Scheduled, policy.Delay:
		arm(d.At)
		w.Int(abi.FieldDate, d.At.UnixNano())
	default:
		arm(time.Time{})
	}
	return w.Bytes(), abi.StatusOK
}

// scheduleArgs reads the date and user info of a schedule request. The
// system's timers have a resolution of one second: a date inside a second
// means the end of it.
func scheduleArgs(args []byte) (time.Time, []byte, abi.Status) {
	var preferred time.Time
	var userInfo []byte
	r := abi.NewReader(args)
	for r.Next() {
		v := r.Value()
		switch v.Key {
		case abi.FieldDate:
			ns, err := v.Int()
			if err != nil {
				return preferred, nil, abi.StatusBadArgument
			}
			preferred = time.Unix(0, ns).UTC()
		case abi.FieldUserInfo:
			b, err := v.Blob()
			if err != nil {
				return preferred, nil, abi.StatusBadArgument
			}
			userInfo = append([]byte(nil), b...)
		}
	}
	if preferred.IsZero() {
		return preferred, nil, abi.StatusBadArgument
	}
	if t := preferred.Truncate(time.Second); !t.Equal(preferred) {
		preferred = t.Add(time.Second)
	}
	return preferred, userInfo, abi.StatusOK
}

// Truncate returns b as a string of at most n bytes, with "..." when cut,
// for a decision's reason.
func Truncate(b []byte, n int) string {
	if len(b) <= n {
		return string(b)
	}
	return string(b[:n]) + "..."
}
