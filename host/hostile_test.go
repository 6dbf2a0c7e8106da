package host

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/watchbox/watchbox/host/internal/policy"
)

// Rule workout.pause_limit: the host keeps every pause of a workout
// session (and reads them all for each live sample), so a guest that
// pauses and resumes in a loop is refused past max_workout_pauses, with
// status limit and a decision; the session keeps running.
func TestRuleWorkoutPauseLimit(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	h, a, ds := virtualSessions(t, []string{"DidBecomeActive start pause resume pause resume pause resume"}, "max_workout_pauses=2")
	must(t, a.Launch(ctx))
	must(t, h.rt.RunFor(ctx, time.Second))
	var errs []string
	for _, l := range lines(h, "") {
		if strings.Contains(l, "error") {
			errs = append(errs, l)
		}
	}
	if len(errs) != 2 || !strings.HasPrefix(errs[0], "sessions: pause error:") ||
		!strings.Contains(errs[0], "pause_workout refused: the session was paused 2 times, the most one session may be (max_workout_pauses=2) [workout.pause_limit]") ||
		!strings.Contains(errs[0], "(limit)") || !strings.HasPrefix(errs[1], "sessions: resume error:") {
		t.Errorf("errors = %q, want the third pause refused with limit (and so the resume after it)", errs)
	}
	if got := wantRule(t, *ds, policy.RuleWorkoutPauseLimit, 1); len(got) == 1 {
		for _, d := range *ds {
			if d.Rule == policy.RuleWorkoutPauseLimit && (d.Numbers["pauses"] != 2 || d.Numbers["limit"] != 2 || d.Verdict != "refuse") {
				t.Errorf("decision %+v", d)
			}
		}
	}
	if s := a.Sessions().Status(); len(s) == 0 || !strings.HasPrefix(s[0], "workout running") {
		t.Errorf("sessions = %q, want the workout running still", s)
	}
}
