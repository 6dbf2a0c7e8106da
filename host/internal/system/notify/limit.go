package notify

import (
	"cmp"
	"fmt"
	"slices"
	"time"

	"github.com/watchbox/watchbox/host/internal/policy"
)

// trim keeps at most max_pending_notifications local notifications
// pending, the soonest-firing, as UNUserNotificationCenter does: each one
// beyond the cap, the latest-firing first (of two due at once, the one
// scheduled last), is removed with a decision. Repeating notifications
// count by their next firing. The app's lock must be held.
//
// The pending notifications are sorted once, not scanned once for each
// one dropped: a state file can hold hundreds of thousands (a profile
// with a larger cap, or a file written by hand), and the scan per drop
// took about 1.6 s of CPU for 8,000 and would take hours for the 500,000
// that fit in durable.MaxSize.
func (f *Feature) trim(now time.Time) {
	limit := f.a.Env.Rules.Profile().MaxPendingNotifications
	if len(f.pending) <= limit {
		return
	}
	latest := make([]*notification, 0, len(f.pending))
	for _, n := range f.pending {
		latest = append(latest, n)
	}
	// The latest-firing first; of two due at once, the one scheduled last.
	slices.SortFunc(latest, func(a, b *notification) int {
		if c := b.at.Compare(a.at); c != 0 {
			return c
		}
		return cmp.Compare(b.seq, a.seq)
	})
	for _, last := range latest[:len(latest)-limit] {
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
