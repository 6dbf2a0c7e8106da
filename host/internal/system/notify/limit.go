package notify

import (
	"fmt"
	"time"

	"github.com/watchbox/watchbox/host/internal/policy"
)

// trim keeps at most max_pending_notifications local notifications
// pending, the soonest-firing, as UNUserNotificationCenter does: each one
// beyond the cap, the latest-firing first (of two due at once, the one
// scheduled last), is removed with a decision. Repeating notifications
// count by their next firing. The app's lock must be held.
func (f *Feature) trim(now time.Time) {
	limit := f.a.Env.Rules.Profile().MaxPendingNotifications
	for len(f.pending) > limit {
		var last *notification
		for _, n := range f.pending {
			if last == nil || n.at.After(last.at) || (n.at.Equal(last.at) && n.seq > last.seq) {
				last = n
			}
		}
		pending := len(f.pending)
		f.cancel(last.id, "dropped: max_pending_notifications")
		f.a.Report(policy.Decision{Time: now, Kind: policy.KindNotification, Verdict: policy.Drop, Rule: policy.RuleNotificationPendingLimit,
			Reason: fmt.Sprintf("notification %s for %s dropped: %d pending, the system keeps the %d soonest-firing (max_pending_notifications)",
				short(last.id), whenPhrase(last.at, now), pending, limit),
			Numbers: map[string]int64{"pending": int64(pending), "limit": int64(limit)}})
	}
}

// maxShown is how much of a string the guest chose (an identifier, a
// title) a decision's reason quotes: reasons are kept in the runtime's
// decision log, so their size must not be the guest's to choose.
const maxShown = 64

// short returns s cut to maxShown bytes, marked with "..." when cut.
func short(s string) string {
	if len(s) <= maxShown {
		return s
	}
	return s[:maxShown] + "..."
}
