package system

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"strings"
	"time"

	"github.com/watchbox/watchbox/host/internal/durable"
	"github.com/watchbox/watchbox/host/internal/policy"
)

// Rules of the decisions about an app's saved system state.
const (
	// RuleStateRestored: the app's schedules were restored from its state
	// file at the runtime's start.
	RuleStateRestored = "state.restored"
	// RuleStateLate: a request whose time passed while the host was down
	// is delivered now, late rather than lost.
	RuleStateLate = "state.late"
)

// KindState is the decision kind of the saved-state decisions.
const KindState policy.Kind = "state"

// saved is an app's system state as its state file holds it (the body
// under durable's header). Every feature adds its part under its name.
type saved struct {
	App             string                     `json:"app"`
	LastInteraction time.Time                  `json:"last_interaction,omitzero"`
	Ledger          []savedEntry               `json:"ledger,omitempty"`
	Features        map[string]json.RawMessage `json:"features,omitempty"`
}

// savedEntry is one ledger entry: what ran when, charged or not.
type savedEntry struct {
	Kind     policy.Kind           `json:"kind"`
	At       time.Time             `json:"at"`
	Snapshot policy.SnapshotReason `json:"snapshot,omitempty"`
	Charged  bool                  `json:"charged,omitempty"`
}

// SavedRequest is a pending request (a refresh, a snapshot, a held push)
// as a feature saves it.
type SavedRequest struct {
	Made      time.Time             `json:"made"`
	Preferred time.Time             `json:"preferred,omitzero"`
	Due       time.Time             `json:"due"`
	Snapshot  policy.SnapshotReason `json:"snapshot,omitempty"`
	UserInfo  []byte                `json:"user_info,omitempty"`
}

// Store is where an app's system state survives the host dying: its
// state file, written crash-consistently after every change (a call, a
// timer, a request) and read back when the runtime starts again with the
// same state directory. Every feature adds its part with
// Registry.Durable.
type Store struct {
	app *App
	// path is the app's state file ("" for none); lastSaved what it
	// holds; saveErr the last failure to write it, logged once; off set
	// once the runtime closed the app.
	path      string
	lastSaved []byte
	saveErr   string
	off       bool
}

// SetFile makes the app save its system state to path after every
// change (a call, a timer, a request), crash-consistently, from now on.
// Empty path: no saved state.
func (st *Store) SetFile(path string) { st.path = path }

// encode builds the app's saved state.
func (st *Store) encode() ([]byte, error) {
	a := st.app
	s := saved{App: a.ID, LastInteraction: a.lastInteraction, Features: map[string]json.RawMessage{}}
	a.Env.Rules.Ask(func(p *policy.Policy) {
		for _, e := range p.Ledger.Entries(a.ID) {
			s.Ledger = append(s.Ledger, savedEntry{Kind: e.Kind, At: e.At, Snapshot: e.Snapshot, Charged: e.Charged})
		}
	})
	for _, h := range a.Features.durable {
		v := h.save()
		if v == nil {
			continue
		}
		raw, err := json.Marshal(v)
		if err != nil {
			return nil, fmt.Errorf("saving %s: %w", h.name, err)
		}
		s.Features[h.name] = raw
	}
	return json.Marshal(s)
}

// Save writes the app's system state to its state file if it changed since
// the last write. A failed write is logged and tried again, whole, at the
// next change; the old file stays as it was. The app's lock must be held.
func (st *Store) Save() {
	if st.path == "" || st.off {
		return
	}
	body, err := st.encode()
	if err == nil {
		if bytes.Equal(body, st.lastSaved) {
			return
		}
		err = durable.Write(st.path, body)
	}
	if err != nil {
		if msg := err.Error(); msg != st.saveErr {
			st.saveErr = msg
			st.app.Log.Error().Err(err).Msg("cannot save the app's schedules; they are lost if the host dies before the next save succeeds")
		}
		return
	}
	st.saveErr = ""
	st.lastSaved = body
}

// Unsaved reports whether the app's state differs from what its state
// file holds: a change that the host dying now would lose. Never lost
// data is the rule: tests check that it holds between any two events.
// The app's lock must be held.
func (st *Store) Unsaved() (bool, error) {
	if st.path == "" || st.off {
		return false, nil
	}
	body, err := st.encode()
	if err != nil {
		return false, err
	}
	return !bytes.Equal(body, st.lastSaved), nil
}

// SaveFinal saves the state one last time as the runtime closes, and
// stops saving: what the close takes down (pending notifications, timers)
// belongs to the next start.
func (st *Store) SaveFinal() {
	st.Save()
	st.off = true
}

// Restored is an app's state as read from its state file, not yet
// applied.
type Restored struct{ s saved }

// Read reads the app's state file: nil (and no error) when there is
// none. A file that cannot be used is an error that names it and says
// what to do; it is left as it is.
func (st *Store) Read() (*Restored, error) {
	a := st.app
	if st.path == "" {
		return nil, nil
	}
	durable.CleanTemps(st.path)
	body, err := durable.Read(st.path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var s saved
	if err := json.Unmarshal(body, &s); err != nil {
		return nil, &durable.Error{Path: st.path, Problem: "is corrupt: " + excerpt(err.Error())}
	}
	if s.App != a.ID {
		return nil, &durable.Error{Path: st.path, Problem: fmt.Sprintf("belongs to app %q, not %s", excerpt(s.App), a.ID)}
	}
	return &Restored{s}, nil
}

func excerpt(s string) string {
	if len(s) > 200 {
		return s[:200] + "..."
	}
	return s
}

// Restore applies the state r read by Read at now: the budget
// ledger, then every feature's part, which arm their timers; then it
// delivers, in time order, what came due while the host was down, late
// rather than lost, as watchOS does after a reboot. It reports what was
// restored. The app's lock must be held.
func (st *Store) Restore(ctx context.Context, r *Restored) error {
	a := st.app
	if r == nil {
		return nil
	}
	now := a.Env.Clock.Now()
	s := r.s
	a.lastInteraction = s.LastInteraction
	// Oldest first, so that each entry goes at the end of the ledger: a
	// ledger saved in another order (by hand, or by another tool) moved
	// every entry recorded so far for each one, hours for the 400,000
	// entries a state file can hold. Stable: entries of one instant keep
	// their order, as the ledger keeps them.
	slices.SortStableFunc(s.Ledger, func(x, y savedEntry) int { return x.At.Compare(y.At) })
	a.Env.Rules.Ask(func(p *policy.Policy) {
		// The runtime's ledger may hold the app's entries already (the
		// same app loaded again in one runtime): each is recorded once.
		have := map[savedEntry]bool{}
		for _, e := range p.Ledger.Entries(a.ID) {
			have[savedEntry{Kind: e.Kind, At: time.Unix(0, e.At.UnixNano()), Snapshot: e.Snapshot, Charged: e.Charged}] = true
		}
		for _, e := range s.Ledger {
			if key := (savedEntry{Kind: e.Kind, At: time.Unix(0, e.At.UnixNano()), Snapshot: e.Snapshot, Charged: e.Charged}); !have[key] {
				p.Ledger.Record(a.ID, policy.Entry{Kind: e.Kind, At: e.At, Snapshot: e.Snapshot, Charged: e.Charged})
			}
		}
	})
	var errs []error
	for _, h := range a.Features.durable {
		raw, ok := s.Features[h.name]
		if !ok {
			continue
		}
		if err := h.restore(raw, now); err != nil {
			errs = append(errs, fmt.Errorf("state file %s: %s: %w", st.path, h.name, err))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return err
	}
	due := a.Timers.due(now)
	var names []string
	for _, t := range a.Timers.list() {
		names = append(names, t.label+" at "+t.at.UTC().Format(time.RFC3339))
	}
	what := "nothing was pending"
	if len(names) > 0 {
		what = strings.Join(names, ", ")
	}
	a.Report(policy.Decision{Time: now, Kind: KindState, Verdict: policy.Run, Rule: RuleStateRestored,
		Reason: fmt.Sprintf("schedules restored from the state file: %s; %d ledger entries", what, len(s.Ledger))})
	for _, t := range due {
		if !a.Timers.Armed(t.name) || a.Timers.evs[t.name].ev != t.ev {
			continue // an earlier delivery replaced or stopped it
		}
		a.Report(policy.Decision{Time: now, Kind: KindState, Verdict: policy.Run, At: now, Rule: RuleStateLate,
			Reason: fmt.Sprintf("%s at %s passed while the host was down: delivered now, %s late", t.label, t.at.UTC().Format(time.RFC3339), now.Sub(t.at).Round(time.Second))})
		a.Timers.fire(t.name)
	}
	st.Save()
	return nil
}

// SavePending returns the app's pending request of kind as saved, or nil;
// userInfo turns its payload into bytes (nil: it is []byte already).
func (st *Store) SavePending(kind policy.Kind, userInfo func(any) []byte) *SavedRequest {
	a := st.app
	var req policy.Request
	var ok bool
	a.Env.Rules.Ask(func(p *policy.Policy) { req, ok = p.Pending.Get(a.ID, kind) })
	if !ok {
		return nil
	}
	s := &SavedRequest{Made: req.Made, Preferred: req.Preferred, Due: req.Due, Snapshot: req.Snapshot}
	if userInfo != nil {
		s.UserInfo = userInfo(req.UserInfo)
	} else if b, ok := req.UserInfo.([]byte); ok {
		s.UserInfo = b
	}
	return s
}

// RestorePending makes s the app's pending request of kind again, with
// payload userInfo, and returns when it is due.
func (st *Store) RestorePending(kind policy.Kind, s *SavedRequest, userInfo any) time.Time {
	a := st.app
	req := policy.Request{App: a.ID, Kind: kind, Made: s.Made, Preferred: s.Preferred, Due: s.Due, Snapshot: s.Snapshot, UserInfo: userInfo}
	a.Env.Rules.Ask(func(p *policy.Policy) { p.Pending.Replace(req, s.Due) })
	return s.Due
}
