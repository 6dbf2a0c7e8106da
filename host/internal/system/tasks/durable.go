package tasks

import (
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/watchbox/watchbox/abi"
	"github.com/watchbox/watchbox/host/internal/policy"
	"github.com/watchbox/watchbox/host/internal/system"
)

// saved is the tasks feature's part of the app's saved state. Task ids
// are not saved: a new run numbers its tasks from 1 again, as a new
// instance's would be.
type saved struct {
	Refresh *system.SavedRequest `json:"refresh,omitempty"` // the pending refresh
	Open    []savedTask          `json:"open,omitempty"`    // tasks open when it was saved
}

// savedTask is an open task as saved: only what its report names.
type savedTask struct {
	ID      int64        `json:"id"`
	Kind    abi.TaskKind `json:"kind"`
	Session string       `json:"session,omitempty"`
}

// save returns the feature's saved state.
func (f *Feature) save() any {
	s := saved{Refresh: f.a.Store.SavePending(policy.KindRefresh, nil)}
	for id, t := range f.open {
		s.Open = append(s.Open, savedTask{ID: id, Kind: t.Kind, Session: t.Session})
	}
	slices.SortFunc(s.Open, func(x, y savedTask) int { return int(x.ID - y.ID) })
	if len(s.Open) == 0 && s.Refresh == nil {
		return nil
	}
	return s
}

// restore takes the saved state back: the pending refresh is armed at its
// due time (delivered at once when that passed while the host was down).
// A task open when the host died ended with the app's instance: like a
// task whose app crashed, it is not delivered again, and each one is
// reported (task.not_redelivered).
func (f *Feature) restore(raw json.RawMessage, now time.Time) error {
	var s saved
	if err := json.Unmarshal(raw, &s); err != nil {
		return err
	}
	for _, t := range s.Open {
		f.a.Report(policy.Decision{Time: now, Kind: policy.KindTask, Verdict: policy.Drop, Rule: policy.RuleTaskNotRedelivered,
			Reason: fmt.Sprintf("%v task %d dropped: it was open when the host stopped, and the app's instance ended with it; it is not delivered again", t.Kind, t.ID)})
	}
	if s.Refresh != nil {
		f.armRefresh(f.a.Store.RestorePending(policy.KindRefresh, s.Refresh, s.Refresh.UserInfo))
	}
	return nil
}
