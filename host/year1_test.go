package host

import (
	"context"
	"strings"
	"testing"
	"time"
)

// TestClockOutsideTheABIsRangeIsRefused: a virtual clock starting in year
// 1 handed the guest dates that wrapped around (a refresh asked for a
// minute later came back for 1754-08-31 07:44:42), since the ABI carries
// times as int64 nanoseconds since 1970. Such a start is refused with an
// error that says the range; a start near the end of the range works.
func TestClockOutsideTheABIsRangeIsRefused(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for _, start := range []time.Time{time.Date(1, 1, 1, 9, 0, 0, 0, time.UTC), time.Date(1969, 12, 31, 0, 0, 0, 0, time.UTC), time.Date(2263, 1, 1, 0, 0, 0, 0, time.UTC)} {
		_, err := New(ctx, Config{CacheDir: testCache, DataDir: t.TempDir(), Virtual: true, Start: start})
		if err == nil || !strings.Contains(err.Error(), "outside the times watchbox can run at, 1970-01-01T00:00:01Z to 2262-01-01T00:00:00Z") {
			t.Errorf("New with start %v: %v, want an error that gives the range", start, err)
		}
	}
	start := time.Date(2261, 12, 31, 9, 0, 0, 0, time.UTC)
	h := newHarness(t, Config{Virtual: true, Start: start})
	a := chaos(t, h, "DidBecomeActive schedule 1m", "Tasks complete")
	must(t, a.Launch(ctx))
	must(t, a.EnterBackground(ctx))
	must(t, h.rt.RunFor(ctx, 5*time.Minute))
	equal(t, "guest", h.guestLines("chaos: "), []string{
		"chaos: scheduled for 09:01:01 <nil>", // a minute after the call's time, to the next second
		`chaos: task 2 application_refresh "refresh-info" at 09:01:01`,
		"chaos: complete 2 <nil>",
	})
}
