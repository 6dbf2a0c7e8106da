package policy

import (
	"testing"
	"time"

	"github.com/watchbox/watchbox/host/profile"
)

// Rule 20 (workout.run, workout.mode, workout.foreground and the same for
// location and audio): the mode first, then the foreground. A workout
// outside the foreground is not refused: it fails through its delegate
// (FailCode 14) and ends.
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
		fail    int64
	}{
		{KindWorkout, true, "active", RuleWorkoutRun, Run, 0},
		{KindWorkout, true, "inactive", RuleWorkoutRun, Run, 0},
		{KindWorkout, false, "active", RuleWorkoutMode, Refuse, 0},
		{KindWorkout, true, "background", RuleWorkoutForeground, Refuse, 0},
		{KindWorkout, true, "background", RuleWorkoutForeground, End, 14},
		{KindWorkout, false, "background", RuleWorkoutMode, Refuse, 14},
		{KindLocation, false, "background", RuleLocationMode, Refuse, 0},
		{KindLocation, true, "suspended", RuleLocationForeground, Refuse, 0},
		{KindAudio, true, "active", RuleAudioRun, Run, 0},
		{KindAudio, true, "background", RuleAudioForeground, Refuse, 0},
	} {
		d := p.SessionStart(Facts{App: "a", State: tt.state}, Session{Kind: tt.kind, Op: "op", Mode: "m", HasMode: tt.hasMode, Foreground: true, FailCode: tt.fail}, now)
		if d.Rule != tt.rule || d.Verdict != tt.verdict {
			t.Errorf("%s mode %v %s: %s %s, want %s %s", tt.kind, tt.hasMode, tt.state, d.Verdict, d.Rule, tt.verdict, tt.rule)
		}
		if d.Numbers["has_mode"] != int64(b2i(tt.hasMode)) {
			t.Errorf("%s: numbers %v", tt.rule, d.Numbers)
		}
		if tt.verdict == End && d.Numbers["error_code"] != tt.fail {
			t.Errorf("%s: error_code %d, want %d", tt.rule, d.Numbers["error_code"], tt.fail)
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
