package policy

import (
	"testing"
	"time"

	"github.com/watchbox/watchbox/host/profile"
)

// Rule 20 (workout.run, workout.mode, workout.foreground and the same for
// location and audio): the mode first, then the foreground.
func TestSessionStartRules(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC)
	p := New(profile.Default())
	for _, tt := range []struct {
		kind    Kind
		hasMode bool
		state   string
		rule    string
		verdict Verdict
	}{
		{KindWorkout, true, "active", RuleWorkoutRun, Run},
		{KindWorkout, true, "inactive", RuleWorkoutRun, Run},
		{KindWorkout, false, "active", RuleWorkoutMode, Refuse},
		{KindWorkout, true, "background", RuleWorkoutForeground, Refuse},
		{KindLocation, false, "background", RuleLocationMode, Refuse},
		{KindLocation, true, "suspended", RuleLocationForeground, Refuse},
		{KindAudio, true, "active", RuleAudioRun, Run},
		{KindAudio, true, "background", RuleAudioForeground, Refuse},
	} {
		d := p.SessionStart(Facts{App: "a", State: tt.state}, Session{Kind: tt.kind, Op: "op", Mode: "m", HasMode: tt.hasMode, Foreground: true}, now)
		if d.Rule != tt.rule || d.Verdict != tt.verdict {
			t.Errorf("%s mode %v %s: %s %s, want %s %s", tt.kind, tt.hasMode, tt.state, d.Verdict, d.Rule, tt.verdict, tt.rule)
		}
		if d.Numbers["has_mode"] != int64(b2i(tt.hasMode)) {
			t.Errorf("%s: numbers %v", tt.rule, d.Numbers)
		}
	}
}

// Rule 21 (location.queued, location.queue_limit): held up to
// max_queued_locations, then the oldest is dropped.
func TestQueueLocationRules(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC)
	prof := profile.Default()
	prof.MaxQueuedLocations = 2
	p := New(prof)
	f := Facts{App: "a", State: "suspended"}
	if drop, d := p.QueueLocation(f, 1, now); drop || d.Rule != RuleLocationQueued || d.Verdict != Queue {
		t.Errorf("second update: drop %v, %s %s", drop, d.Verdict, d.Rule)
	}
	if drop, d := p.QueueLocation(f, 2, now); !drop || d.Rule != RuleLocationQueueLimit || d.Numbers["limit"] != 2 {
		t.Errorf("third update: drop %v, %s %v", drop, d.Rule, d.Numbers)
	}
}
