package host

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"
)

// TestPendingNotificationsAreSpans: a pending local notification is a
// span from its scheduling to its delivery, cancellation or replacement;
// a repeating one starts a new span at each delivery, and the one still
// pending ends with the run (issue 14, the trace's async spans).
func TestPendingNotificationsAreSpans(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	var mu sync.Mutex
	var spans []string
	h := newHarness(t, Config{Virtual: true, Start: time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC),
		OnSpan: func(s Span) {
			mu.Lock()
			defer mu.Unlock()
			edge := "begin"
			if s.End {
				edge = "end " + s.Why
			}
			spans = append(spans, fmt.Sprintf("%s %s %s %s/%s: %s", s.Time.Format("15:04:05"), s.App, s.Name, s.Cat, s.ID, edge))
		}})
	a := chaos(t, h,
		"DidFinishLaunching notify n1 10m",
		"DidFinishLaunching notify n2 20m",
		"DidFinishLaunching notify n4 1h repeat",
		"DidFinishLaunching notify n1 15m",
		"DidFinishLaunching cancel n2")
	must(t, a.Launch(ctx))
	setMode(t, a)
	must(t, a.EnterBackground(ctx))
	must(t, h.rt.RunFor(ctx, 90*time.Minute))
	must(t, h.rt.Close(ctx))
	const c = "dev.watchbox.test.chaos"
	mu.Lock()
	defer mu.Unlock()
	equal(t, "spans", spans, []string{
		"09:00:00 " + c + " notification n1 notification/n1: begin",
		"09:00:00 " + c + " notification n2 notification/n2: begin",
		"09:00:00 " + c + " notification n4 notification/n4: begin",
		"09:00:00 " + c + " notification n1 notification/n1: end replaced by a new request with its identifier",
		"09:00:00 " + c + " notification n1 notification/n1: begin",
		"09:00:00 " + c + " notification n2 notification/n2: end cancelled by the app",
		"09:15:00 " + c + " notification n1 notification/n1: end delivered",
		"10:00:00 " + c + " notification n4 notification/n4: end delivered",
		"10:00:00 " + c + " notification n4 notification/n4: begin",
		"10:30:00 " + c + " notification n4 notification/n4: end the run ended",
	})
}
