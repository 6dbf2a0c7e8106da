package host

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/watchbox/watchbox/host/internal/durable"
	"github.com/watchbox/watchbox/host/internal/policy"
)

// pendingStateFile writes, in a new state directory, a state file of the
// chaos app holding n pending notifications n0..n(n-1), an hour after
// start and a second apart, and returns the directory.
func pendingStateFile(tb testing.TB, start time.Time, n int) string {
	var b strings.Builder
	fmt.Fprintf(&b, `{"app":%q,"features":{"notifications":{"pending":[`, chaosID)
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"id":"n%d","at":%q,"seq":%d}`, i, start.Add(time.Hour+time.Duration(i)*time.Second).Format(time.RFC3339), i+1)
	}
	b.WriteString(`]}}}`)
	dir := tb.TempDir()
	if err := os.WriteFile(filepath.Join(dir, chaosID+".state"), durable.Encode([]byte(b.String())), 0o644); err != nil {
		tb.Fatal(err)
	}
	return dir
}

// TestStateFileOverThePendingCap restores a state file holding more
// pending notifications than max_pending_notifications (a profile with a
// larger cap wrote it, or a hand): the soonest-firing ones stay pending
// and each other one is dropped with a decision, the latest-firing first,
// as when the app schedules past the cap.
func TestStateFileOverThePendingCap(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	start := time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC)
	const saved = 200
	var ds []Decision
	h := newHarness(t, Config{Virtual: true, Start: start, StateDir: pendingStateFile(t, start, saved),
		OnDecision: func(d Decision) { ds = append(ds, d) }})
	limit := h.rt.cfg.Profile.MaxPendingNotifications
	if _, err := h.rt.Load(ctx, chaosDir); err != nil {
		t.Fatal(err)
	}
	dropped := decisionsWith(ds, policy.RuleNotificationPendingLimit)
	if len(dropped) != saved-limit {
		t.Fatalf("%d notifications dropped, want %d: %q", len(dropped), saved-limit, dropped)
	}
	for i, d := range dropped {
		id, pending := saved-1-i, saved-i
		if want := fmt.Sprintf("notification n%d for ", id); !strings.Contains(d, want) || !strings.Contains(d, fmt.Sprintf("dropped: %d pending", pending)) {
			t.Errorf("drop %d: %s; want n%d dropped with %d pending", i, d, id, pending)
		}
	}
}

// BenchmarkRestoreManyPending loads the chaos app from a state file of
// 8,000 pending notifications, 7,936 over the cap. Dropping them scanned
// every pending notification for each one dropped (about 1.6 s of CPU a
// load, growing with the square of the count); they are sorted once now.
func BenchmarkRestoreManyPending(b *testing.B) {
	ctx := context.Background()
	start := time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC)
	for b.Loop() {
		b.StopTimer()
		rt := benchRuntime(b, Config{Virtual: true, Start: start, StateDir: pendingStateFile(b, start, 8000)})
		b.StartTimer()
		if _, err := rt.Load(ctx, chaosDir); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		rt.Close(ctx)
		b.StartTimer()
	}
}

// TestStateFileOverTheDownloadCap restores a state file holding more
// downloads in flight than max_concurrent_downloads: as many restart as
// the cap allows, in the order they started, and each other one is
// refused with a decision, where all of them used to start at once.
func TestStateFileOverTheDownloadCap(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	start := time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC)
	const saved = 20
	var b strings.Builder
	fmt.Fprintf(&b, `{"app":%q,"features":{"downloads":{"in_flight":[`, chaosID)
	for i := 0; i < saved; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"id":"d%d","url":"https://weather.example/forecast","tmp":"/.watchbox-downloads/d%d"}`, i, i)
	}
	b.WriteString(`]}}}`)
	dir := t.TempDir()
	must(t, os.WriteFile(filepath.Join(dir, chaosID+".state"), durable.Encode([]byte(b.String())), 0o644))
	var ds []Decision
	h := newHarness(t, Config{Virtual: true, Start: start, StateDir: dir, HTTPClient: &http.Client{Transport: routes{"/forecast": "sunny"}},
		OnDecision: func(d Decision) { ds = append(ds, d) }})
	limit := h.rt.cfg.Profile.MaxConcurrentDownloads
	if _, err := h.rt.Load(ctx, chaosDir); err != nil {
		t.Fatal(err)
	}
	started := decisionsWith(ds, policy.RuleURLSessionStarted)
	refused := decisionsWith(ds, policy.RuleURLSessionConcurrentLimit)
	if len(started) != limit || len(refused) != saved-limit {
		t.Fatalf("%d restarted and %d refused, want %d and %d:\n%s", len(started), len(refused), limit, saved-limit,
			strings.Join(append(started, refused...), "\n"))
	}
	for i, d := range refused {
		if want := fmt.Sprintf("download d%d refused: %d of %d concurrent downloads in progress (max_concurrent_downloads); it was in flight when the host stopped", limit+i, limit, limit); !strings.Contains(d, want) {
			t.Errorf("refusal %d: %s\nwant %q", i, d, want)
		}
	}
}
