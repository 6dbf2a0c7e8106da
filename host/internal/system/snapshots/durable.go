package snapshots

import (
	"encoding/json"
	"time"

	"github.com/watchbox/watchbox/host/internal/policy"
	"github.com/watchbox/watchbox/host/internal/system"
)

// saved is the snapshots feature's part of the app's saved state. The
// return_to_default_state snapshot is not saved: the host's death ends
// the app's instance, and a relaunch starts in its default state.
type saved struct {
	Pending *system.SavedRequest `json:"pending,omitempty"` // the pending snapshot
	Off     bool                 `json:"off,omitempty"`     // automatic snapshots turned off
	Info    []byte               `json:"info,omitempty"`    // userInfo for the next snapshot task
}

func (f *Feature) save() any {
	s := saved{Pending: f.a.Store.SavePending(policy.KindSnapshot, nil), Off: f.off, Info: f.info}
	if s.Pending == nil && !s.Off && s.Info == nil {
		return nil
	}
	return s
}

// restore takes the saved state back and arms the pending snapshot.
func (f *Feature) restore(raw json.RawMessage, _ time.Time) error {
	var s saved
	if err := json.Unmarshal(raw, &s); err != nil {
		return err
	}
	f.off, f.info = s.Off, s.Info
	if s.Pending != nil {
		f.Schedule(f.a.Store.RestorePending(policy.KindSnapshot, s.Pending, s.Pending.UserInfo))
	}
	return nil
}
