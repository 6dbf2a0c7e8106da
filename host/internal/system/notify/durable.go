package notify

import (
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/watchbox/watchbox/host/internal/policy"
	"github.com/watchbox/watchbox/host/internal/system"
	"github.com/watchbox/watchbox/host/push"
)

// saved is the notifications feature's part of the app's saved state.
type saved struct {
	Pending      []savedNotification  `json:"pending,omitempty"`   // scheduled and not yet fired, in scheduling order
	Delivered    []savedNotification  `json:"delivered,omitempty"` // delivered and not tapped, oldest first
	Scheduled    int                  `json:"scheduled,omitempty"`
	Pushes       int                  `json:"pushes,omitempty"`
	Complication []byte               `json:"complication,omitempty"`
	HeldPush     *system.SavedRequest `json:"held_push,omitempty"` // a throttled background push; its user_info is the push file
}

// savedNotification is a notification as saved.
type savedNotification struct {
	ID       string        `json:"id"`
	Title    string        `json:"title,omitempty"`
	Body     string        `json:"body,omitempty"`
	Category string        `json:"category,omitempty"`
	UserInfo []byte        `json:"user_info,omitempty"`
	Interval time.Duration `json:"interval,omitempty"`
	Calendar *[6]int       `json:"calendar,omitempty"` // month, day, weekday, hour, minute, second; -1: any
	Repeats  bool          `json:"repeats,omitempty"`
	At       time.Time     `json:"at,omitzero"`
	Seq      int           `json:"seq,omitempty"`
}

func (n *notification) saved() savedNotification {
	s := savedNotification{ID: n.id, Title: n.title, Body: n.body, Category: n.category, UserInfo: n.userInfo,
		Interval: n.interval, Repeats: n.repeats, At: n.at, Seq: n.seq}
	if c := n.cal; c != nil {
		s.Calendar = &[6]int{c.month, c.day, c.weekday, c.hour, c.minute, c.second}
	}
	return s
}

func (s savedNotification) notification() (*notification, error) {
	if s.ID == "" {
		return nil, fmt.Errorf("a notification has no identifier")
	}
	n := &notification{id: s.ID, title: s.Title, body: s.Body, category: s.Category, userInfo: s.UserInfo,
		interval: s.Interval, repeats: s.Repeats, at: s.At, seq: s.Seq}
	if v := s.Calendar; v != nil {
		n.cal = &calendar{month: v[0], day: v[1], weekday: v[2], hour: v[3], minute: v[4], second: v[5]}
	}
	if n.repeats && n.cal == nil && n.interval < time.Minute {
		return nil, fmt.Errorf("notification %q repeats every %v; a repeating interval is at least 60 s", n.id, n.interval)
	}
	return n, nil
}

func (f *Feature) save() any {
	s := saved{Scheduled: f.scheduled, Pushes: f.pushes, Complication: f.complication}
	for _, n := range f.pending {
		s.Pending = append(s.Pending, n.saved())
	}
	slices.SortFunc(s.Pending, func(x, y savedNotification) int { return x.Seq - y.Seq })
	for _, n := range f.delivered {
		s.Delivered = append(s.Delivered, n.saved())
	}
	s.HeldPush = f.a.Store.SavePending(policy.KindBackgroundPush, func(v any) []byte {
		if p, ok := v.(*push.Push); ok {
			return p.Raw
		}
		return nil
	})
	if len(s.Pending) == 0 && len(s.Delivered) == 0 && s.Scheduled == 0 && s.Pushes == 0 && s.Complication == nil && s.HeldPush == nil {
		return nil
	}
	return s
}

// restore takes the saved state back: each pending notification is armed
// at its time (fired at once when that passed while the host was down; a
// repeating one fires once for all the repeats it missed, then goes on
// from now), and a held background push at its due time.
func (f *Feature) restore(raw json.RawMessage, now time.Time) error {
	var s saved
	if err := json.Unmarshal(raw, &s); err != nil {
		return err
	}
	f.scheduled, f.pushes, f.complication = s.Scheduled, s.Pushes, s.Complication
	for _, sn := range s.Delivered {
		n, err := sn.notification()
		if err != nil {
			return err
		}
		f.delivered = append(f.delivered, n)
	}
	f.delivered = newest(f.delivered, f.a.Env.Rules.Profile().MaxDeliveredNotifications)
	for _, sn := range s.Pending {
		n, err := sn.notification()
		if err != nil {
			return err
		}
		if n.at.IsZero() {
			return fmt.Errorf("pending notification %q has no time to fire", n.id)
		}
		f.cancel(n.id, "replaced by the saved state")
		f.pending[n.id] = n
		f.arm(n, n.at)
		f.begin(n)
	}
	f.trim(now)
	if h := s.HeldPush; h != nil {
		p, err := push.Parse(h.UserInfo, f.a.Env.Rules.Profile().PushPayloadLimit)
		if err != nil {
			return fmt.Errorf("the held background push: %w", err)
		}
		f.a.Store.RestorePending(policy.KindBackgroundPush, h, p)
		f.armPush(policy.Decision{At: h.Due})
	}
	return nil
}
